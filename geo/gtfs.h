/*
 * accessim — GTFS feeds read into the trips of one service date (sim/timetable.h's sim_trip).
 *
 * Each feed is a .zip file (read through GDAL's /vsizip/) or a folder of .txt files. Files are
 * streamed through libcsv in chunks; stop_times.txt is never held whole: only the rows of trips
 * that run on the date (or run past midnight from the day before) are kept, so memory grows with
 * the trips active on the date, not with the size of the file. docs/TRANSIT.md, "Reading GTFS",
 * gives the reasons for each choice below.
 *
 * Ids: every id is namespaced "<feed>:<id>", where <feed> is the file name without ".zip" (or the
 * folder name), or a name given to geo_gtfs_load_named(); feeds cannot see each other's ids.
 *
 * Times: int32 seconds after midnight of the service date. A trip whose service runs on the date
 * keeps its times (they may exceed 86400). A trip whose service runs on the previous date and
 * whose last arrival is at or after 24:00:00 is included again with its times minus 86400.
 *
 * What becomes a sim_trip:
 *  - stop_times are ordered by stop_sequence (file order does not matter). A missing arrival
 *    time is the departure time and vice versa. The first and last stop must have a time;
 *    stops between timed stops get times interpolated linearly by distance (R5's method:
 *    shape_dist_traveled when the stop_times of that stretch all have it, else the great-circle
 *    distance between consecutive stops), rounded down to the second; arrival = departure there.
 *  - frequencies.txt: a trip with frequencies rows is a template and becomes one trip per
 *    start = start_time, start_time + headway_secs, ... < end_time, its times shifted so that it
 *    leaves its first stop at `start`. This holds for exact_times=1 (the GTFS meaning) and, as a
 *    deterministic choice, for exact_times=0 too (headway-based service is modelled as departing
 *    at start_time and then every headway; no random phase).
 *  - pickup_type / drop_off_type 1 clear the pickup_ok / dropoff_ok flag; other values allow it.
 *    pickup_ok and dropoff_ok are NULL for a trip on which every stop allows both.
 *  - route_ref indexes geo_gtfs_routes().
 * Dropped and summarised in `warn` (count plus examples, never one line per row): stop_times at
 * an unknown stop_id (or at a station or entrance), stop_times of an unknown trip_id, trips with
 * an unknown service_id or route_id, trips with fewer than two stop_times, with a duplicate
 * stop_sequence, without a time at the first or last stop, or whose times go backwards;
 * frequencies of an unknown trip; transfers between unknown stops; duplicate ids (the first
 * wins); stops whose parent_station is not a station.
 *
 * Stops: stops.txt rows with location_type 0 or empty are the routing stops (dense ids
 * 0..n-1 in file order across feeds); location_type 1 rows are stations, kept as parents;
 * entrances, generic nodes and boarding areas (2, 3, 4) are ignored.
 *
 * Transfers: transfer_type 2 rows with a min_transfer_time become sim_transfers (walk_s =
 * min_transfer_time) between every routing stop of the `from` side and every routing stop of the
 * `to` side (a station stands for its child stops); pairs of one stop with itself are left out.
 * transfer_type 3 rows ("not possible") are exposed, expanded the same way, as forbidden pairs.
 * transfer_type 0 and 1 carry no walking time and are ignored; rows naming trips or routes are
 * ignored (with a warning).
 *
 * Errors: a missing required file or column, a malformed value (the message names the file,
 * line and column), or a service date outside a feed's calendar (the message gives the dates the
 * feed covers) fail the whole load.
 */
#ifndef GEO_GTFS_H
#define GEO_GTFS_H

#include <stddef.h>
#include <stdint.h>

#include "sim/status.h"
#include "sim/timetable.h"
#include "sim/warn.h"

typedef struct geo_gtfs geo_gtfs;

/** A routing stop (location_type 0) or a station (location_type 1). Strings live in the
 *  geo_gtfs. */
typedef struct {
    const char *id;   /* "<feed>:<stop_id>" */
    const char *name; /* stop_name, "" if none */
    double lon, lat;  /* WGS84 degrees */
    uint32_t parent;  /* routing stops: index into geo_gtfs_stations(), or SIM_INVALID_ID */
    uint32_t feed;    /* index into geo_gtfs_feeds() */
} geo_gtfs_stop;

/** A routes.txt row. */
typedef struct {
    const char *id;         /* "<feed>:<route_id>" */
    const char *short_name; /* route_short_name, "" if none */
    const char *long_name;  /* route_long_name, "" if none */
    int route_type;         /* as in the feed: 0-12, or an extended type 100-1799 */
    uint32_t feed;
} geo_gtfs_route;

/** What a sim_trip came from. */
typedef struct {
    const char *id; /* "<feed>:<trip_id>"; shared by the trips expanded from one template */
    uint32_t feed;
    int8_t service_day;     /* 0: runs on the date; -1: the previous date's, after midnight */
    uint8_t from_frequency; /* 1 if expanded from frequencies.txt */
} geo_gtfs_trip_info;

/** Counts for the run manifest. */
typedef struct {
    size_t stops; /* routing stops */
    size_t stations;
    size_t routes;              /* routes.txt rows */
    size_t trips;               /* sim_trips: every instance that runs on the date */
    size_t frequency_trips;     /* ... of which expanded from frequencies.txt */
    size_t previous_day_trips;  /* ... of which belong to the previous date (after midnight) */
    size_t stop_times;          /* stop times of those trips */
    size_t transfers;           /* sim_transfers from transfer_type 2 */
    size_t forbidden_transfers; /* pairs from transfer_type 3 */
} geo_gtfs_counts;

typedef struct {
    const char *name;                   /* namespace */
    const char *path;                   /* as given */
    char first_date[11], last_date[11]; /* "YYYY-MM-DD": the dates calendar.txt and
                                           calendar_dates.txt span */
    geo_gtfs_counts counts;
} geo_gtfs_feed_info;

/**
 * Reads `n_paths` feeds (zip files or folders) for `service_date` ("YYYY-MM-DD"). Each feed is
 * namespaced by its file name without ".zip" (folder: its name); two feeds with one name are
 * SIM_EINVAL (name them with geo_gtfs_load_named). Problems that drop rows or trips are counted
 * in `warn` (may be NULL). On success *out owns the result (free with geo_gtfs_destroy); on
 * failure *out is NULL and `err` names the feed, file, line and column at fault.
 * Returns SIM_OK; SIM_EINVAL (bad date, date outside a feed's calendar, duplicate names);
 * SIM_EIO (unreadable path or file); SIM_EPARSE (missing required file or column, malformed CSV
 * or value); SIM_ENOMEM. Reads files only; not thread-safe with respect to `warn`.
 */
sim_status geo_gtfs_load(const char *const *paths, size_t n_paths, const char *service_date,
                         sim_warnings *warn, geo_gtfs **out, sim_error *err);

/** As geo_gtfs_load(), with `names[i]` (NULL or a NULL entry: the default) as the namespace of
 *  feed i. */
sim_status geo_gtfs_load_named(const char *const *paths, const char *const *names, size_t n_paths,
                               const char *service_date, sim_warnings *warn, geo_gtfs **out,
                               sim_error *err);

/** Frees `g` and everything the accessors returned; NULL is a no-op. */
void geo_gtfs_destroy(geo_gtfs *g);

/** The service date, "YYYY-MM-DD". */
const char *geo_gtfs_service_date(const geo_gtfs *g);

/** The feeds in load order; *n_feeds gets their number. */
const geo_gtfs_feed_info *geo_gtfs_feeds(const geo_gtfs *g, size_t *n_feeds);

/** The counts summed over every feed. */
geo_gtfs_counts geo_gtfs_total_counts(const geo_gtfs *g);

/** Routing stops: ids 0..geo_gtfs_stop_count(g)-1, as used in sim_trip.stops and transfers. */
uint32_t geo_gtfs_stop_count(const geo_gtfs *g);
const geo_gtfs_stop *geo_gtfs_stops(const geo_gtfs *g);

/** The routing stop with namespaced id `id` ("feed:stop_id"), or SIM_INVALID_ID. */
uint32_t geo_gtfs_stop_find(const geo_gtfs *g, const char *id);

/** Stations (parents of routing stops). */
uint32_t geo_gtfs_station_count(const geo_gtfs *g);
const geo_gtfs_stop *geo_gtfs_stations(const geo_gtfs *g);

/** Routes, indexed by sim_trip.route_ref. */
uint32_t geo_gtfs_route_count(const geo_gtfs *g);
const geo_gtfs_route *geo_gtfs_routes(const geo_gtfs *g);

/**
 * The trips running on the service date, ready for sim_timetable_build(): feed by feed, in
 * trips.txt order; one template's instances in order of departure, the previous date's before
 * the date's. The arrays they point to are owned by `g`. geo_gtfs_trip_infos() is parallel.
 */
size_t geo_gtfs_trip_count(const geo_gtfs *g);
const sim_trip *geo_gtfs_trips(const geo_gtfs *g);
const geo_gtfs_trip_info *geo_gtfs_trip_infos(const geo_gtfs *g);

/** Transfers from transfer_type 2 (walk_s = min_transfer_time); *n gets their number. */
const sim_transfer *geo_gtfs_transfers(const geo_gtfs *g, size_t *n);

/** Stop pairs of transfer_type 3 ("not possible"), walk_s 0; RAPTOR does not read them, a caller
 *  may drop street transfers between these pairs. *n gets their number. */
const sim_transfer *geo_gtfs_forbidden_transfers(const geo_gtfs *g, size_t *n);

#endif
