/*
 * accessim — equity summaries of a per-origin measure: population-weighted mean, median and
 * threshold shares, the gap between a group and the rest of the population, and the inequality
 * and poverty indices of the R package `accessibility` (ipeaGIT; Pereira & Herszenhut): Gini
 * index, Palma ratio, Theil T with its between/within decomposition, concentration index
 * (standard and Erreygers-corrected) and the Foster-Greer-Thorbecke family. docs/MEASURES.md
 * ("Equity measures") gives every formula, its reference and where accessim departs from the
 * package.
 *
 * Every function takes n per-origin values `x` (any unit; a threshold or poverty line is in the
 * same unit) and n weights `w`, the number of people of the chosen group living at each origin,
 * so an origin with weight 3 counts exactly like three origins of weight 1. Pure functions: they
 * only read their inputs, write only their result pointers, keep no state and are safe to call
 * from several threads at once. Sums run in index order, or in a sort order whose ties are
 * broken by index, so a result is bit-for-bit reproducible for the same input.
 *
 * Shared rules, stated once here and not repeated below:
 * - Weights must be finite and >= 0; otherwise the function returns SIM_EINVAL and leaves its
 *   results unset. So does a NULL input array with n > 0, a NULL result pointer, or a parameter
 *   out of range (named in each function's comment).
 * - An entry with weight 0 is skipped entirely: its x (and rank or group) may be anything,
 *   NaN included, and never changes a result.
 * - A NaN x (or NaN rank_by) in an entry with positive weight makes the result NaN (status
 *   SIM_OK): a missing value propagates, as NA does in R.
 * - An empty population (all weights 0, including n == 0) gives NaN.
 * - +INFINITY marks an origin that cannot reach the service in travel-time inputs. Callers
 *   convert to it: SIM_UNREACHABLE from the router, and the NAN that the time-to-nearest measure
 *   of sim/measures.h writes for "unreachable" (passed as NaN it would make every result NaN).
 *   The mean and median skip such entries, as sim_access_mean() and sim_access_median() skip
 *   unreachable ones; the shares keep them in the denominator. The inequality indices (Gini,
 *   Palma, Theil T, concentration index) need finite values: an infinite x with positive weight
 *   gives NaN. FGT follows its formula (see sim_equity_fgt()).
 * - Functions that sort allocate O(n) work memory and may return SIM_ENOMEM.
 *
 * Direction: the indices are defined, as in the R package, for accessibility values where
 * higher is better (opportunities reachable, FCA ratios, spatial availability); accessim applies
 * Gini, Palma, Theil T and the concentration index to such measures only. For a cost where lower
 * is better (travel time to the nearest service) it reports the mean, the median, the shares
 * within 15/30/45/60 minutes and the gap, and FGT with SIM_EQUITY_LOWER_IS_BETTER (the package's
 * `poor_below_threshold = FALSE`, "time poverty": poor means a time above the line).
 */
#ifndef SIM_EQUITY_H
#define SIM_EQUITY_H

#include <stddef.h>
#include <stdint.h>

#include "sim/status.h"

/** Which way a measure points; decides who is "poor" in sim_equity_fgt(). */
typedef enum {
    SIM_EQUITY_HIGHER_IS_BETTER, /* accessibility: opportunities, FCA ratios, availability */
    SIM_EQUITY_LOWER_IS_BETTER   /* a cost: travel time to the nearest or k-th service */
} sim_equity_direction;

/** The statistic that sim_equity_gap() compares between a group and the rest. */
typedef enum {
    SIM_EQUITY_STAT_MEAN,          /* sim_equity_mean() */
    SIM_EQUITY_STAT_MEDIAN,        /* sim_equity_median() */
    SIM_EQUITY_STAT_SHARE_AT_MOST, /* sim_equity_share_at_most(threshold) */
    SIM_EQUITY_STAT_SHARE_AT_LEAST /* sim_equity_share_at_least(threshold) */
} sim_equity_stat;

/** Concentration index variants, as the R package's `type` argument. */
typedef enum {
    SIM_EQUITY_CI_STANDARD, /* "standard": the relative concentration index (Wagstaff 1991) */
    SIM_EQUITY_CI_CORRECTED /* "corrected": Erreygers (2009), 4 mu / (max - min) times it */
} sim_equity_ci_type;

/** A group's statistic against the rest of the population's. */
typedef struct {
    double group;      /* the statistic over the group's people */
    double rest;       /* the statistic over everyone else */
    double difference; /* group - rest */
    double ratio;      /* group / rest, by IEEE division: +-INFINITY if rest == 0, NaN if both 0 */
} sim_equity_gap_result;

/**
 * Population-weighted mean of x over the entries with a finite or -INFINITY x:
 * sum(w x) / sum(w). Entries with x == +INFINITY (unreachable) are left out of both sums.
 * `*mean` is NaN when no weight is left. Returns SIM_OK or SIM_EINVAL.
 */
sim_status sim_equity_mean(const double *x, const double *w, size_t n, double *mean);

/**
 * Population-weighted lower median of x over the entries with x != +INFINITY: the smallest x
 * value v such that the weight with x <= v is at least half the weight considered. Always one
 * of the input values (no interpolation): four people at 10, 20, 30, 40 give 20, as
 * sim_access_median() does. NaN when no weight is left.
 * Returns SIM_OK, SIM_EINVAL or SIM_ENOMEM.
 */
sim_status sim_equity_median(const double *x, const double *w, size_t n, double *median);

/**
 * Share, in [0, 1], of the population whose x is at most `threshold` (inclusive); +INFINITY
 * entries count in the denominator and never as within. For travel times: the share within a
 * cutoff. `threshold` must not be NaN (SIM_EINVAL). Returns SIM_OK or SIM_EINVAL.
 */
sim_status sim_equity_share_at_most(const double *x, const double *w, size_t n, double threshold,
                                    double *share);

/**
 * Share, in [0, 1], of the population whose x is at least `threshold` (inclusive). For
 * opportunity counts: the share of people reaching at least `threshold` opportunities; for
 * times, the share needing `threshold` or more (+INFINITY counts as more). `threshold` must not
 * be NaN (SIM_EINVAL). Returns SIM_OK or SIM_EINVAL.
 */
sim_status sim_equity_share_at_least(const double *x, const double *w, size_t n, double threshold,
                                     double *share);

/**
 * Compares one statistic (`stat`; `threshold` is read only by the two share statistics) between
 * a group and the rest of the population. The caller gives, per origin, the value x[i], the
 * group's count group_count[i] and everyone's count total_count[i]; the rest's weight is
 * total_count[i] - group_count[i], clamped at 0 where the group count exceeds the total (a
 * rounding or allocation artefact: the origin then has no "rest"). Both counts follow the weight
 * rules (finite, >= 0). To compare a group with everyone instead, call the statistic twice, with
 * group_count and with total_count as weights.
 * Returns SIM_OK, SIM_EINVAL (also for an unknown `stat`, or a NaN threshold with a share
 * statistic) or SIM_ENOMEM.
 */
sim_status sim_equity_gap(const double *x, const double *group_count, const double *total_count,
                          size_t n, sim_equity_stat stat, double threshold,
                          sim_equity_gap_result *gap);

/**
 * Gini index of x weighted by w, as accessibility::gini_index(): entries sorted by x (ties by
 * index), the Lorenz curve of cumulative population share against cumulative share of the
 * total sum(w x), and G = 1 - 2 * (area under it by trapezoids). No small-sample correction:
 * equal values give 0, and one of n equal-weight people holding everything gives (n - 1) / n.
 * NaN when sum(w x) is 0 (nobody has anything) or an x is not finite. Meant for x >= 0.
 * Returns SIM_OK, SIM_EINVAL or SIM_ENOMEM.
 */
sim_status sim_equity_gini(const double *x, const double *w, size_t n, double *gini);

/**
 * Palma ratio, as accessibility::palma_ratio(): the population-weighted mean x of the richest
 * 10% divided by that of the poorest 40%, "rich" and "poor" by `rank_by` (income per capita, or
 * any variable where higher means better off). The 40th and 90th percentiles q40, q90 of rank_by
 * are Hmisc::wtd.quantile()'s default (weights as frequencies: with N = sum(w), position
 * 1 + (N - 1) p interpolated between order statistics); the poorest are rank_by <= q40 and the
 * richest rank_by > q90. The percentiles are computed operation for operation as in R (long
 * double weight sums included), so the classes match the package's even where R's rounding puts
 * the origin at a percentile on one side or the other (docs/MEASURES.md). With rank_by == NULL,
 * x ranks itself (the top 10% of the x distribution over its bottom 40%: an accessim extension;
 * the package always ranks by income).
 * NaN if either class holds no one or an x or rank_by is not finite; +INFINITY if the poorest
 * mean is 0 and the richest is not. Returns SIM_OK, SIM_EINVAL or SIM_ENOMEM.
 */
sim_status sim_equity_palma(const double *x, const double *w, const double *rank_by, size_t n,
                            double *palma);

/**
 * Theil T index of x weighted by w, and its decomposition over mutually exclusive, exhaustive
 * groups (the package's `socioeconomic_groups`): with mu the weighted mean, mu_g a group's
 * mean, s_g = a group's share of sum(w x),
 *   total   = sum_i (w_i / W) (x_i / mu) ln(x_i / mu),
 *   within  = sum_g s_g T_g  (T_g: the same index inside group g),
 *   between = sum_g s_g ln(mu_g / mu),
 * and between + within == total up to rounding (about 1e-15 relative). A zero x contributes 0
 * (the limit of x ln x); see docs/MEASURES.md for how the package differs there. `group_of[i]`
 * (in [0, n_groups)) is entry i's group; it must be in range for every positive weight, else
 * SIM_EINVAL. With group_of == NULL there is one group: between = 0, within = total. All three
 * are NaN when sum(w x) is 0 or an x is negative or not finite. Zero-population groups
 * contribute nothing. Works in O(n + n_groups) with n_groups doubles of work memory.
 * Returns SIM_OK, SIM_EINVAL or SIM_ENOMEM.
 */
sim_status sim_equity_theil_t(const double *x, const double *w, const uint32_t *group_of,
                              uint32_t n_groups, size_t n, double *total, double *between,
                              double *within);

/**
 * sim_equity_theil_t() plus each group's part of the two components (the package's
 * `between_group_component` and `within_group_component` values):
 * between_part[g] = s_g ln(mu_g / mu) and within_part[g] = s_g T_g, so the parts add up to
 * `between` and `within`. Each part array (n_groups slots, caller-owned) may be NULL; groups
 * with no population or no x get 0; all parts are NaN when the total is NaN. With
 * group_of == NULL the part arrays are not written.
 */
sim_status sim_equity_theil_t_parts(const double *x, const double *w, const uint32_t *group_of,
                                    uint32_t n_groups, size_t n, double *total, double *between,
                                    double *within, double *between_part, double *within_part);

/**
 * Concentration index of x ranked by `rank_by` (income, or any variable where higher means
 * better off), as accessibility::concentration_index(): entries sorted by rank_by, fractional
 * rank R_i = (weight ranked below i + w_i / 2) / W, and
 *   standard:  CI  = (2 / mu) sum_i (w_i / W) (R_i - 1/2) (x_i - mu),
 *   corrected: CIc = CI * 4 mu / (max x - min x)   (Erreygers 2009; observed bounds).
 * Positive: x is concentrated among the better off (pro-rich); negative: among the worse off;
 * 0: no association. Entries tied on rank_by share one rank (their block's midpoint), so the
 * result does not depend on row order (the package ranks ties in row order). NaN when mu is 0,
 * for CIc when max == min, or when an x or rank_by is not finite.
 * Returns SIM_OK, SIM_EINVAL (also for an unknown `type`) or SIM_ENOMEM.
 */
sim_status sim_equity_concentration_index(const double *x, const double *w, const double *rank_by,
                                          size_t n, sim_equity_ci_type type, double *ci);

/**
 * Foster-Greer-Thorbecke poverty index, as accessibility::fgt_poverty(): the weighted mean of
 * g_i^alpha over everyone, with g_i the normalised shortfall of the poor and 0 for the rest.
 * SIM_EQUITY_HIGHER_IS_BETTER: poor if x < z, g = (z - x) / z   (accessibility poverty);
 * SIM_EQUITY_LOWER_IS_BETTER:  poor if x > z, g = (x - z) / z   (time poverty; the package's
 * `poor_below_threshold = FALSE`); z = `poverty_line`, in x's unit.
 * alpha 0 is the headcount ratio, 1 the poverty gap index, 2 the squared gap (severity). With
 * higher-is-better and x >= 0 the index is in [0, 1]; with lower-is-better FGT1 and FGT2 have no
 * upper bound and an unreachable (+INFINITY) time makes them +INFINITY (pass the routing cutoff
 * instead to get a lower bound). `poverty_line` must be finite and > 0, `alpha` finite and
 * >= 0, `direction` known, else SIM_EINVAL. Returns SIM_OK or SIM_EINVAL.
 */
sim_status sim_equity_fgt(const double *x, const double *w, size_t n, double poverty_line,
                          double alpha, sim_equity_direction direction, double *fgt);

#endif
