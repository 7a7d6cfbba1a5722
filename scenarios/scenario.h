/*
 * accessim — a scenario's city: the baseline's city with one scenario's changes applied,
 * rebuilding only what they touch (docs/SCENARIOS.md).
 */
#ifndef SCN_SCENARIO_H
#define SCN_SCENARIO_H

#include <stdint.h>

#include "scenarios/config.h"
#include "scenarios/runner.h"
#include "sim/status.h"
#include "sim/warn.h"

/** What a scenario's changes touched, so that the runner re-routes only that. */
typedef struct {
    int rebuilt;            /* network attached and graphs built again: every layer routes */
    int points_only;        /* rebuilt only because services were added or moved: every other
                               travel time is the baseline's (attaching never changes a time
                               through a street, geo_seg_piece), so are unchanged kinds'
                               measures */
    unsigned modes_changed; /* bit m: street mode m's graph re-weighted (its layers route) */
    uint8_t *kind_changed;  /* per service kind: its services were added, removed or moved */
    uint8_t *capacity_changed; /* per service kind: capacities changed (measures, no routing) */
    int transit_changed;    /* the timetable changed: transit layers route */
    int pop_changed;        /* population only: measures and summaries, no routing */
    uint32_t *base_of;      /* per service of the scenario: its index in the baseline, or
                               SIM_INVALID_ID for a service the scenario added */
} scn_touched;

/**
 * Applies scenario `s` to the baseline city `base` (which must outlive the result). Errors name
 * the scenario file, the scenario and the change ("FILE:L:C: scenario 'x', change 2
 * (remove_services): service 'clinic' has no id 'c9' ..."), SIM_EPARSE for bad input.
 */
sim_status scn_city_derive(const scn_city *base, const scn_scenario *s, const scn_run_opts *opts,
                           scn_city **out, scn_touched *touched, sim_warnings *warn,
                           sim_error *err);
void scn_touched_free(scn_touched *t);

#endif
