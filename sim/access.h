/*
 * accessim — population-weighted summaries of travel times (pure functions, no allocation).
 *
 * Every function takes n travel times in deciseconds (SIM_UNREACHABLE marks an unreachable
 * entry, as written by sim_route_multi()) and the n populations living there. Sums run in index
 * order, so results are bit-for-bit reproducible for the same input whatever the thread count.
 * The caller guarantees every population is finite and >= 0 (checked by assert in debug builds);
 * a negative or NaN population makes the result meaningless. Pointers may be NULL only when
 * n == 0. All functions only read their arguments and are safe to call from several threads.
 */
#ifndef SIM_ACCESS_H
#define SIM_ACCESS_H

#include <stddef.h>
#include <stdint.h>

/**
 * Share, in [0, 1], of the total population (summed over all n entries, unreachable ones
 * included in the denominator) whose travel time is at most `threshold_ds` deciseconds.
 * Unreachable entries never count as within, even when threshold_ds == SIM_UNREACHABLE.
 * Returns NAN when the total population is 0 (including n == 0).
 */
double sim_access_share_within(const uint32_t *time_ds, const double *pop, size_t n,
                               uint32_t threshold_ds);

/**
 * Population-weighted mean travel time, in deciseconds, over the reachable entries only
 * (time_ds != SIM_UNREACHABLE). Returns NAN when the reachable population is 0.
 */
double sim_access_mean(const uint32_t *time_ds, const double *pop, size_t n);

/**
 * Population-weighted (lower) median travel time, in deciseconds, over the reachable entries:
 * the smallest time t such that the population with time_ds <= t is at least half the reachable
 * population. The result is always one of the input times (no interpolation): with four equal
 * populations at 10, 20, 30, 40 it is 20. Returns NAN when the reachable population is 0.
 * Needs no work memory: it bisects on t, making about 32 passes over the input (O(32 n)).
 */
double sim_access_median(const uint32_t *time_ds, const double *pop, size_t n);

/**
 * Share, in [0, 1], of the total population whose entry is unreachable
 * (time_ds == SIM_UNREACHABLE). Returns NAN when the total population is 0 (including n == 0).
 */
double sim_access_unreachable_share(const uint32_t *time_ds, const double *pop, size_t n);

#endif
