/*
 * accessim — accessibility measures computed from a sparse travel-time matrix.
 *
 * Definitions follow the R package `accessibility` (ipeaGIT; Pereira & Herszenhut): the same
 * decay parameterisations, the same 2SFCA / BFCA normalisation, the same conventions at the
 * edges (inclusive cutoffs, stepped intervals closed on the left, zero for origins without
 * rows), so that a researcher gets the same numbers from either tool on the same matrix. The
 * few deliberate differences are listed in docs/MEASURES.md and at the functions below.
 *
 * Units: travel times are minutes (double), as in the R package and in r5r matrices. Matrices
 * routed by accessim carry deciseconds (sim_od.time_ds); sim_ttm_from_od() and the builder
 * convert them once, exactly as time_ds / 600.0. Every decay parameter is in minutes (or per
 * minute). Opportunities, supply and demand are counts or capacities (any non-negative unit).
 *
 * Everything here is pure: arrays in, arrays out, no I/O. Each measure writes one double per
 * origin into a caller-owned array of m->n_from slots (NAN where the measure is undefined, as
 * stated per function). Work over origins runs in parallel with OpenMP (omp_get_max_threads());
 * every per-origin value is computed by one thread in a fixed order and every per-destination
 * sum is formed serially in (from, to) order, so results are bit-for-bit identical for any
 * thread count. Inputs are only read; functions are safe to call concurrently on shared inputs.
 */
#ifndef SIM_MEASURES_H
#define SIM_MEASURES_H

#include <stddef.h>
#include <stdint.h>

#include "sim/matrix.h"
#include "sim/status.h"

/* ---------------------------------------------------------------------------------------------
 * Sparse travel-time matrix
 * ------------------------------------------------------------------------------------------- */

/**
 * A travel-time matrix in CSR form by origin: row i (origin i) holds the entries
 * [first[i], first[i + 1]) of `to` and `minutes`. Pairs absent from the matrix are unreachable
 * (within whatever cutoff produced the matrix) and never contribute to any measure.
 *
 * Invariants (checked by sim_ttm_check()): first[0] == 0, first is non-decreasing, within a row
 * `to` is strictly increasing (each pair at most once) and every to < n_to, every minutes value
 * is finite and >= 0. `first` may be NULL only when n_from == 0, `to` and `minutes` only when
 * there are no entries.
 *
 * A sim_ttm is either a view over caller-owned arrays (`owned_` is NULL; fill the fields
 * yourself, e.g. from a CSV reader, and call sim_ttm_check()) or the output of
 * sim_ttm_from_od() / sim_ttm_builder_finish(), which own their storage: release it with
 * sim_ttm_release(). Read-only once built; share it freely between threads.
 */
typedef struct {
    uint32_t n_from, n_to;  /* origins (rows) and destinations (column index range) */
    const uint64_t *first;  /* n_from + 1 offsets */
    const uint32_t *to;     /* first[n_from] destination indices */
    const double *minutes;  /* first[n_from] travel times in minutes */
    void *owned_;           /* storage owned by this matrix, or NULL for a view */
} sim_ttm;

/**
 * Validates every invariant listed at sim_ttm (O(n_from + entries)). Returns SIM_OK or
 * SIM_EINVAL (NULL `m`, NULL array with entries, bad offsets, destination out of range,
 * destinations not strictly increasing within a row, negative or non-finite minutes).
 */
sim_status sim_ttm_check(const sim_ttm *m);

/**
 * Builds an owning matrix from `n_rows` sim_od rows sorted by (from, to), each pair at most
 * once, every from < n_from and to < n_to (what sim_matrix_run() streams). Times convert to
 * minutes as time_ds / 600.0. `*out` is set only on success; release it with
 * sim_ttm_release(). Returns SIM_OK; SIM_EINVAL (NULL out, NULL rows with n_rows > 0, rows out
 * of order or out of range, time_ds == SIM_UNREACHABLE); SIM_ENOMEM.
 */
sim_status sim_ttm_from_od(const sim_od *rows, size_t n_rows, uint32_t n_from, uint32_t n_to,
                           sim_ttm *out);

/** Frees the storage of a matrix built here and zeroes `*m`; a view or NULL is left alone. */
void sim_ttm_release(sim_ttm *m);

/** Incremental construction from rows that arrive in chunks (e.g. from sim_matrix_run()). */
typedef struct sim_ttm_builder sim_ttm_builder;

/** A builder for an n_from x n_to matrix. `*out` is set only on success (SIM_OK/SIM_ENOMEM). */
sim_status sim_ttm_builder_create(uint32_t n_from, uint32_t n_to, sim_ttm_builder **out);

/**
 * Appends rows; across all calls rows must be strictly increasing in (from, to) and in range,
 * with time_ds != SIM_UNREACHABLE. Returns SIM_OK, SIM_EINVAL (the builder then refuses every
 * later call, including finish) or SIM_ENOMEM. Not thread-safe: one builder, one thread.
 */
sim_status sim_ttm_builder_add(sim_ttm_builder *b, const sim_od *rows, size_t n_rows);

/** sim_ttm_builder_add() with the signature of a sim_matrix_sink: pass the builder as `ud`. */
sim_status sim_ttm_sink(void *ud, const sim_od *rows, size_t n_rows);

/**
 * Moves the rows added so far into `*out` (an owning matrix; release with sim_ttm_release()).
 * The builder is left empty and must still be destroyed. Returns SIM_OK, SIM_EINVAL (an earlier
 * add failed) or SIM_ENOMEM.
 */
sim_status sim_ttm_builder_finish(sim_ttm_builder *b, sim_ttm *out);

/** Frees a builder and any rows it still holds; NULL is a no-op. */
void sim_ttm_builder_destroy(sim_ttm_builder *b);

/* ---------------------------------------------------------------------------------------------
 * Decay (impedance) functions
 * ------------------------------------------------------------------------------------------- */

typedef enum {
    SIM_DECAY_BINARY,      /* 1 if t <= cutoff_min, else 0                  (decay_binary)      */
    SIM_DECAY_EXPONENTIAL, /* exp(-decay_value * t)                          (decay_exponential) */
    SIM_DECAY_POWER,       /* min(1, t^-decay_value); 1 for t <= 1           (decay_power)       */
    SIM_DECAY_LOGISTIC,    /* g(0) / g(t), g(x) = 1 + exp((x - cutoff) pi / (sd sqrt 3))
                                                                             (decay_logistic)    */
    SIM_DECAY_GAUSSIAN,    /* exp(-t^2 / (2 sigma^2))              (not in the R package)       */
    SIM_DECAY_LINEAR,      /* max(0, 1 - t / cutoff_min)                     (decay_linear)      */
    SIM_DECAY_STEPPED,     /* 1 on [0, s1), w_k on [s_k, s_k+1), w_n from s_n (decay_stepped)    */
} sim_decay_kind;

#define SIM_DECAY_KIND_COUNT 7

/**
 * A decay function and its parameters; only the fields of `kind` are read:
 *   BINARY       cutoff_min >= 0
 *   EXPONENTIAL  decay_value > 0 (per minute)
 *   POWER        decay_value > 0 (dimensionless exponent)
 *   LOGISTIC     cutoff_min > 0 (inflection point: f = g(0)/2, just above 1/2), sd_min > 0
 *   GAUSSIAN     sigma_min > 0
 *   LINEAR       cutoff_min > 0 (weight reaches 0 at the cutoff)
 *   STEPPED      n_steps >= 1 steps in minutes, each >= 1, finite, strictly increasing, and
 *                n_steps weights in [0, 1] (not necessarily decreasing); the weight is 1 before
 *                steps[0] and weights[k] from steps[k] (inclusive) to steps[k + 1] (exclusive).
 * The arrays are borrowed: they must outlive every call that uses the decay.
 */
typedef struct {
    sim_decay_kind kind;
    double cutoff_min;        /* BINARY, LINEAR, LOGISTIC */
    double decay_value;       /* EXPONENTIAL, POWER */
    double sd_min;            /* LOGISTIC */
    double sigma_min;         /* GAUSSIAN */
    const double *steps_min;  /* STEPPED */
    const double *weights;    /* STEPPED */
    size_t n_steps;           /* STEPPED */
} sim_decay;

/**
 * Checks `d` against the ranges above. On failure returns SIM_EINVAL and, if `why` is not NULL
 * and n > 0, writes a one-line NUL-terminated reason (truncated to n bytes) naming the decay
 * and the parameter, e.g. "exponential decay: decay_value must be > 0 (got 0)". The ranges are
 * the R package's, except that decay_value 0 (R: a constant weight of 1) and a linear cutoff of
 * 0 (R: NaN at t = 0) are rejected. Returns SIM_OK when valid.
 */
sim_status sim_decay_check(const sim_decay *d, char *why, size_t n);

/**
 * The weight in [0, 1] of an opportunity `minutes` (>= 0) away. `d` must have passed
 * sim_decay_check() (asserted in debug builds). Pure and thread-safe.
 */
double sim_decay_weight(const sim_decay *d, double minutes);

/** Lower-case name of a kind ("binary", "exponential", "power", "logistic", "gaussian",
 *  "linear", "stepped"); "unknown" for anything else. Static string. */
const char *sim_decay_kind_name(sim_decay_kind kind);

/** Looks up a kind by its exact lower-case name. Returns SIM_OK or SIM_EINVAL (unknown name). */
sim_status sim_decay_kind_from_name(const char *name, sim_decay_kind *out);

/* ---------------------------------------------------------------------------------------------
 * Measures. Common contract: `m` satisfies sim_ttm_check() (offsets are re-checked in O(n_from),
 * entries are trusted); per-destination arrays have m->n_to slots, per-origin arrays and `out`
 * have m->n_from slots; all inputs must be finite and >= 0 (else SIM_EINVAL). A decay is
 * checked with sim_decay_check() (SIM_EINVAL if invalid). `out` is written only on SIM_OK.
 * ------------------------------------------------------------------------------------------- */

/**
 * Cost to the closest opportunities (R: cost_to_closest(n)): the smallest travel time, in
 * minutes, within which origin i reaches at least `n` opportunities, counting only
 * destinations with opportunities > 0, in order of time. With opportunities = 1 per service
 * this is the time to the n-th nearest service (n = 1: the nearest). As in R, n == 1 is the
 * minimum time over destinations with opportunities > 0 even when those hold less than one
 * opportunity. `n` must be finite and >= 1. NAN when origin i cannot reach n opportunities
 * (R fills those with Inf: deliberate difference, so that NAN uniformly means "undefined").
 * Returns SIM_OK, SIM_EINVAL or SIM_ENOMEM (per-thread sort buffers).
 */
sim_status sim_measure_cost_to_closest(const sim_ttm *m, const double *opportunities, double n,
                                       double *out_minutes);

/**
 * Cumulative opportunities (R: cumulative_cutoff): sum of opportunities_j over the
 * destinations with minutes_ij <= cutoff_min (inclusive). 0 for origins without such entries.
 * `cutoff_min` must be finite and >= 0. Returns SIM_OK or SIM_EINVAL.
 */
sim_status sim_measure_cumulative_cutoff(const sim_ttm *m, const double *opportunities,
                                         double cutoff_min, double *out);

typedef enum {
    SIM_SUMMARY_MEDIAN, /* R's default summary_function = stats::median */
    SIM_SUMMARY_MEAN,
} sim_summary;

/**
 * Cumulative opportunities over a travel time interval (R: cumulative_interval; Tomasiello et
 * al. 2023): the cumulative measure is evaluated at every cutoff start_min, start_min +
 * step_min, ... up to end_min (R: seq(start, end, by = interval_increment)), and summarised by
 * the median (the mean of the two middle values for an even count) or the mean; as in R the
 * summary is then truncated towards zero to a whole number of opportunities (R's as.integer).
 * Requires 0 <= start_min < end_min, finite, and step_min > 0 giving at most 100000 cutoffs.
 * R's defaults are step_min = 1 and SIM_SUMMARY_MEDIAN. Returns SIM_OK, SIM_EINVAL or
 * SIM_ENOMEM.
 */
sim_status sim_measure_cumulative_interval(const sim_ttm *m, const double *opportunities,
                                           double start_min, double end_min, double step_min,
                                           sim_summary summary, double *out);

/**
 * Gravity accessibility (R: gravity; Hansen 1959): sum over the entries of origin i of
 * opportunities_j * f(minutes_ij). With SIM_DECAY_BINARY this equals the cumulative measure.
 * 0 for origins without entries. Returns SIM_OK or SIM_EINVAL.
 */
sim_status sim_measure_gravity(const sim_ttm *m, const double *opportunities,
                               const sim_decay *decay, double *out);

typedef enum {
    SIM_FCA_2SFCA,  /* Luo & Wang 2003; R floating_catchment_area(method = "2sfca") */
    SIM_FCA_E2SFCA, /* Luo & Qi 2009: 2SFCA with a SIM_DECAY_STEPPED decay (checked) */
    SIM_FCA_BFCA,   /* Paez et al. 2019; R floating_catchment_area(method = "bfca") */
} sim_fca_method;

/**
 * Floating catchment area accessibility (R: floating_catchment_area, whose `method` argument,
 * formerly `fca_metric`, selects the variant), with w_ij = f(minutes_ij) over the matrix
 * entries, supply S_j per destination and demand P_i (the population of the group) per origin.
 *
 * 2SFCA / E2SFCA (the same weights in both steps, exactly as R; E2SFCA is this with stepped
 * weights, which is how R expresses it too):
 *     R_j = S_j / sum_i P_i w_ij,        A_i = sum_j R_j w_ij
 * BFCA (weights normalised by origin in step 1 and by destination in step 2):
 *     R_j = S_j / sum_i P_i (w_ij / sum_k w_ik),   A_i = sum_j R_j (w_ij / sum_k w_kj)
 * so that sum_j (demand allocated to j) = sum_i P_i over origins with some weight, and
 * sum_i A_i = sum_j R_j over destinations with some weight.
 *
 * As in R (sums with na.rm = TRUE), a term that is 0/0 is dropped; a destination with supply
 * but no weighted demand has R_j = +Inf, so an origin that gives it weight gets A_i = +Inf
 * (e.g. a zero-population origin alone next to a service): same numbers as R, Inf included.
 * Origins without entries get 0.
 *
 * `ratio_out` (may be NULL; m->n_to slots) receives R_j, the supply-to-demand ratio of each
 * destination, except that it is NAN where the (balanced) weighted demand is 0 (undefined:
 * no demand reaches it), including destinations with no entries. Returns SIM_OK, SIM_EINVAL
 * (also for E2SFCA with a decay that is not stepped) or SIM_ENOMEM.
 */
sim_status sim_measure_fca(const sim_ttm *m, sim_fca_method method, const double *supply,
                           const double *demand, const sim_decay *decay, double *out,
                           double *ratio_out);

/**
 * Spatial availability (R: spatial_availability; Soukhov et al. 2023), the share of every
 * destination's supply that origin i can claim against all competitors:
 *     SA_i = sum_j S_j * P_i^alpha w_ij / sum_k P_k^alpha w_kj
 * (R's population balancing factor P_i^alpha / sum P^alpha times its impedance balancing factor
 * w_ij / sum_k w_kj, renormalised per destination, simplify to this). alpha = 1 is R's default;
 * it must be finite and >= 0 (0^0 = 1, as in R). Summed over origins it gives back the total
 * supply of every destination with a positive denominator. A destination whose denominator is
 * 0 (no demand gives it weight) allocates nothing; R 1.3's spatial_availability() returns NaN
 * for every origin listing such a destination, while the package's newer
 * constrained_accessibility("singly") allocates 0 as here (documented difference).
 * Origins without entries get 0. Returns SIM_OK, SIM_EINVAL or SIM_ENOMEM.
 */
sim_status sim_measure_spatial_availability(const sim_ttm *m, const double *supply,
                                            const double *demand, const sim_decay *decay,
                                            double alpha, double *out);

#endif
