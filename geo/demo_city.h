/*
 * accessim — the synthetic demo city behind `accessim demo`.
 *
 * A fictional, plausible city of about 6 x 5 km in EPSG:32633 (UTM 33N), centred on easting
 * 500000, northing 5800000, generated from a seed with our own PRNG (splitmix64 + xoshiro256**),
 * so that the same seed gives the same city on every run. It has a dense, jittered grid of short
 * blocks in the centre, eight radial arterials and two ring roads, sparser outer superblocks
 * with cul-de-sacs, footpaths and parks, and a sinuous river about 80 m wide in the east of the
 * city that streets cross only on three or four bridges. The neighbourhoods across the river
 * and at the edge of the city are "arrival neighbourhoods": many migrants, few services.
 * Three bus lines run on its main streets; the one from the arrival neighbourhood with the
 * most migrants runs only every 30 minutes.
 */
#ifndef GEO_DEMO_CITY_H
#define GEO_DEMO_CITY_H

#include <stdint.h>

#include "sim/status.h"

/** The CRS of every layer the demo city writes (WGS 84 / UTM zone 33N). */
#define GEO_DEMO_CITY_EPSG 32633

/** The bus feed's calendar (weekdays of 2026) and the service date demo.yaml uses (a Tuesday). */
#define GEO_DEMO_CITY_FEED_START "2026-01-01"
#define GEO_DEMO_CITY_FEED_END "2026-12-31"
#define GEO_DEMO_CITY_SERVICE_DATE "2026-11-24"

/**
 * Writes the demo city for `seed` into the folder `dir`, which is created (with its parents)
 * if missing. Files (GeoPackage layers in EPSG:32633 with traditional GIS axis order, and a GTFS
 * feed):
 *
 *   dir/demo.yaml                   scenario file (scenarios/config.h schema) naming the inputs
 *                                   below by relative path; modes walk, bike, car and transit
 *                                   (migrants: walk, bike, transit); transit on the feed below on
 *                                   GEO_DEMO_CITY_SERVICE_DATE, departures 08:00-09:00, median
 *                                   (percentile 50); grid 100 m; thresholds 15 and 30 minutes; a
 *                                   comment header gives the seed and describes the bus lines.
 *   dir/inputs/streets.gpkg         layer `streets`, LineString, about 4,000-10,000 features.
 *                                   Fields: id (int, 1-based), highway (primary, secondary,
 *                                   tertiary, residential, service or footway), name (string or
 *                                   null), bridge ("yes" or null). Each feature runs between two
 *                                   junctions or dead ends, possibly through interior vertices;
 *                                   features meet only at endpoints with identical coordinates
 *                                   (no two distinct endpoints lie within 0.5 m of each other),
 *                                   and the network is one connected component. Lines cross
 *                                   without a shared endpoint only at bridges: the 3-4 river
 *                                   bridges, plus one footway footbridge over an arterial in the
 *                                   centre, all with bridge = "yes".
 *   dir/inputs/neighbourhoods.gpkg  layer `neighbourhoods`, Polygon, 20-40 features tiling the
 *                                   city rectangle (the river's centreline is a boundary).
 *                                   Fields: area_id ("N01", ... by distance from the centre),
 *                                   name, pop_total (int), pop_migrant (int, <= pop_total).
 *                                   3-5 arrival neighbourhoods, across the river or at the edge,
 *                                   have migrant shares of 37-58%; the others 5-18%.
 *   dir/inputs/services.gpkg        layer `services`, Point, each within 30 m of a street.
 *                                   Fields: service_id ("clinic-07"), kind, name, capacity
 *                                   (int > 0). Kinds and counts: clinic 14-19 (doctors),
 *                                   school 20-28 (places), language_course 4-7 (seats),
 *                                   legal_aid 3-5 (advisors), employment_office 3-5 (staff).
 *                                   They cluster in the centre and in better-off
 *                                   neighbourhoods; arrival neighbourhoods get few schools and
 *                                   none of the other kinds.
 *   dir/inputs/river.gpkg           layer `river`, one Polygon (field `name`): the water, for
 *                                   maps and for tests that no street but a bridge crosses it.
 *   dir/inputs/gtfs/                a GTFS feed, a folder of agency.txt, stops.txt, routes.txt,
 *                                   trips.txt, stop_times.txt, calendar.txt, calendar_dates.txt
 *                                   and frequencies.txt (UTF-8, LF line ends). Three bus lines
 *                                   (route_type 3), each along the path a bus would take between
 *                                   its two termini (footways and service roads excluded, main
 *                                   roads preferred), run both ways:
 *                                     route 1  the West Road-East Road axis (the lattice row
 *                                              through the centre), across the river;
 *                                     route 2  the North Road-South Road axis;
 *                                     route 3  from the arrival neighbourhood with the most
 *                                              migrants, across the city to the opposite side;
 *                                              its termini are on tertiary or larger roads.
 *                                   Stops (ids S001, ...) lie on street junctions or vertices
 *                                   (their WGS 84 lon/lat are the UTM vertex converted by PROJ,
 *                                   printed to 1e-7 degrees, so within 1 cm of it), about 400 m
 *                                   apart along a line, shared where lines meet; lines 1 and 2
 *                                   both stop at the central crossing. Buses run at 27 km/h
 *                                   between stops and dwell 20 s at each (about 20 km/h overall).
 *                                   Service "weekday": Monday-Friday from GEO_DEMO_CITY_FEED_START
 *                                   to GEO_DEMO_CITY_FEED_END, removed on 2026-12-25 by
 *                                   calendar_dates.txt. Departures from each terminus, at start,
 *                                   start + headway, ... before end:
 *                                     route 1  06:00-20:00 every 8 min, 20:00-23:00 every 15 min:
 *                                              explicit trips in trips.txt and stop_times.txt;
 *                                     route 2  06:00-20:00 every 10 min, 20:00-23:00 every 20 min:
 *                                              one template trip per direction, frequencies.txt
 *                                              with exact_times=1;
 *                                     route 3  06:00-22:00 every 30 min: explicit trips.
 *                                   So 484 trips run on a weekday (186 of them from
 *                                   frequencies), none run after midnight.
 *
 * Feature content is a pure function of `seed` (the same seed gives the same attributes and
 * coordinates, and a byte-identical demo.yaml and GTFS feed; GeoPackage timestamps are pinned,
 * too). Each file is written under a temporary name in its final folder and renamed into place,
 * so existing files are replaced whole; on failure the temporary files are removed.
 *
 * Returns SIM_OK; SIM_EINVAL if `dir` is NULL or empty; SIM_EIO if a folder or file cannot be
 * created, written or renamed; SIM_EDEP if GDAL/OGR fails (the GPKG driver, EPSG:32633, or a
 * geometry operation, the transformation to WGS 84); SIM_EINTERNAL if the generated streets
 * leave no room for the bridges or the bus lines (not seen with any seed tried); SIM_ENOMEM.
 * `err` (may be NULL) then names the file and carries GDAL's CPLGetLastErrorMsg(). GDAL errors
 * are not printed while this runs.
 * Registers GDAL's drivers if the GPKG driver is not registered yet, so call it from one thread
 * at a time.
 */
sim_status geo_demo_city_write(const char *dir, uint64_t seed, sim_error *err);

#endif
