#include "sim/equity.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* Every sum below runs in index order, or in a sort order whose ties are broken by index:
 * floating-point addition is not associative, and a fixed order is what makes the results
 * reproducible. The formulas follow the R package `accessibility` (R/gini_index.R,
 * R/palma_ratio.R, R/theil_t.R, R/concentration_index.R, R/fgt_poverty.R); docs/MEASURES.md
 * lists where and why accessim departs from it. */

/* ---- shared checks and sorting --------------------------------------------------------- */

/* Finite and >= 0; !(v >= 0) also rejects NaN. */
static int weight_ok(double v) { return v >= 0.0 && isfinite(v); }

static int weights_ok(const double *w, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (!weight_ok(w[i])) return 0;
    return 1;
}

/* The common argument checks: input arrays present when n > 0, a result pointer, and valid
 * weights. */
static int args_ok(const double *x, const double *w, size_t n, const void *out) {
    if (!out) return 0;
    if (n > 0 && (!x || !w)) return 0;
    return weights_ok(w, n);
}

/* 1 if some entry with positive weight has a NaN value (NaN propagates to the result). */
static int any_nan(const double *v, const double *w, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (w[i] > 0.0 && isnan(v[i])) return 1;
    return 0;
}

/* 1 if some entry with positive weight has a NaN or infinite value. */
static int any_non_finite(const double *v, const double *w, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (w[i] > 0.0 && !isfinite(v[i])) return 1;
    return 0;
}

typedef struct {
    double key;
    size_t idx;
} keyed;

/* Ascending key, ties by original index: a total order, so qsort's instability cannot show. */
static int keyed_cmp(const void *a, const void *b) {
    const keyed *p = a, *q = b;
    if (p->key < q->key) return -1;
    if (p->key > q->key) return 1;
    return (p->idx > q->idx) - (p->idx < q->idx);
}

/* The entries with positive weight (and, if skip_inf, key != +INFINITY), sorted by key, ties by
 * index; *m gets their number. Keys must not be NaN. Returns NULL only when out of memory (a
 * non-NULL pointer is returned even for m == 0, so the caller can tell the two apart). */
static keyed *sort_positive(const double *key, const double *w, size_t n, int skip_inf, size_t *m) {
    if (n > SIZE_MAX / sizeof(keyed)) return NULL;
    keyed *k = malloc((n > 0 ? n : 1) * sizeof *k);
    if (!k) return NULL;
    size_t c = 0;
    for (size_t i = 0; i < n; ++i) {
        if (!(w[i] > 0.0) || (skip_inf && key[i] == INFINITY)) continue;
        assert(!isnan(key[i]));
        k[c].key = key[i];
        k[c].idx = i;
        ++c;
    }
    qsort(k, c, sizeof *k, keyed_cmp);
    *m = c;
    return k;
}

/* ---- mean, median, shares, gap ------------------------------------------------------- */

static double mean_of(const double *x, const double *w, size_t n) {
    if (any_nan(x, w, n)) return NAN;
    double weight = 0.0, sum = 0.0;
    for (size_t i = 0; i < n; ++i) {
        if (!(w[i] > 0.0) || x[i] == INFINITY) continue; /* unreachable: left out */
        weight += w[i];
        sum += w[i] * x[i];
    }
    return weight > 0.0 ? sum / weight : NAN;
}

sim_status sim_equity_mean(const double *x, const double *w, size_t n, double *mean) {
    if (!args_ok(x, w, n, mean)) return SIM_EINVAL;
    *mean = mean_of(x, w, n);
    return SIM_OK;
}

static sim_status median_of(const double *x, const double *w, size_t n, double *median) {
    if (any_nan(x, w, n)) {
        *median = NAN;
        return SIM_OK;
    }
    size_t m;
    keyed *k = sort_positive(x, w, n, 1, &m);
    if (!k) return SIM_ENOMEM;
    /* The total is summed in the same (sorted) order as the running sum, so the running sum
     * reaches it exactly and the loop always stops at an entry. */
    double total = 0.0;
    for (size_t j = 0; j < m; ++j) total += w[k[j].idx];
    double result = NAN;
    if (total > 0.0) {
        double half = total * 0.5, run = 0.0;
        for (size_t j = 0; j < m; ++j) {
            run += w[k[j].idx];
            if (run >= half) {
                result = k[j].key;
                break;
            }
        }
    }
    free(k);
    *median = result;
    return SIM_OK;
}

sim_status sim_equity_median(const double *x, const double *w, size_t n, double *median) {
    if (!args_ok(x, w, n, median)) return SIM_EINVAL;
    return median_of(x, w, n, median);
}

/* at_least == 0: share with x <= threshold (never +INFINITY); 1: share with x >= threshold. */
static double share_of(const double *x, const double *w, size_t n, double threshold, int at_least) {
    if (any_nan(x, w, n)) return NAN;
    double total = 0.0, in = 0.0;
    for (size_t i = 0; i < n; ++i) {
        if (!(w[i] > 0.0)) continue;
        total += w[i];
        int hit = at_least ? x[i] >= threshold : (x[i] <= threshold && x[i] != INFINITY);
        if (hit) in += w[i];
    }
    return total > 0.0 ? in / total : NAN;
}

sim_status sim_equity_share_at_most(const double *x, const double *w, size_t n, double threshold,
                                    double *share) {
    if (!args_ok(x, w, n, share) || isnan(threshold)) return SIM_EINVAL;
    *share = share_of(x, w, n, threshold, 0);
    return SIM_OK;
}

sim_status sim_equity_share_at_least(const double *x, const double *w, size_t n, double threshold,
                                     double *share) {
    if (!args_ok(x, w, n, share) || isnan(threshold)) return SIM_EINVAL;
    *share = share_of(x, w, n, threshold, 1);
    return SIM_OK;
}

static sim_status stat_of(const double *x, const double *w, size_t n, sim_equity_stat stat,
                          double threshold, double *out) {
    switch (stat) {
    case SIM_EQUITY_STAT_MEAN:
        *out = mean_of(x, w, n);
        return SIM_OK;
    case SIM_EQUITY_STAT_MEDIAN:
        return median_of(x, w, n, out);
    case SIM_EQUITY_STAT_SHARE_AT_MOST:
        *out = share_of(x, w, n, threshold, 0);
        return SIM_OK;
    case SIM_EQUITY_STAT_SHARE_AT_LEAST:
        *out = share_of(x, w, n, threshold, 1);
        return SIM_OK;
    }
    return SIM_EINVAL;
}

sim_status sim_equity_gap(const double *x, const double *group_count, const double *total_count,
                          size_t n, sim_equity_stat stat, double threshold,
                          sim_equity_gap_result *gap) {
    if (!gap || (n > 0 && (!x || !group_count || !total_count))) return SIM_EINVAL;
    if (!weights_ok(group_count, n) || !weights_ok(total_count, n)) return SIM_EINVAL;
    int share = stat == SIM_EQUITY_STAT_SHARE_AT_MOST || stat == SIM_EQUITY_STAT_SHARE_AT_LEAST;
    if (!share && stat != SIM_EQUITY_STAT_MEAN && stat != SIM_EQUITY_STAT_MEDIAN) return SIM_EINVAL;
    if (share && isnan(threshold)) return SIM_EINVAL;

    double *rest = n <= SIZE_MAX / sizeof(double) ? malloc((n > 0 ? n : 1) * sizeof *rest) : NULL;
    if (!rest) return SIM_ENOMEM;
    for (size_t i = 0; i < n; ++i) {
        /* Both counts are finite, so the difference is too; a group count above the total
         * (rounding in an areal allocation, say) leaves no rest rather than a negative one. */
        double r = total_count[i] - group_count[i];
        rest[i] = r > 0.0 ? r : 0.0;
    }
    sim_equity_gap_result g;
    sim_status rc = stat_of(x, group_count, n, stat, threshold, &g.group);
    if (rc == SIM_OK) rc = stat_of(x, rest, n, stat, threshold, &g.rest);
    free(rest);
    if (rc != SIM_OK) return rc;
    g.difference = g.group - g.rest;
    g.ratio = g.group / g.rest;
    *gap = g;
    return SIM_OK;
}

/* ---- Gini ---------------------------------------------------------------------------- */

sim_status sim_equity_gini(const double *x, const double *w, size_t n, double *gini) {
    if (!args_ok(x, w, n, gini)) return SIM_EINVAL;
    if (any_non_finite(x, w, n)) {
        *gini = NAN;
        return SIM_OK;
    }
    size_t m;
    keyed *k = sort_positive(x, w, n, 0, &m);
    if (!k) return SIM_ENOMEM;
    double pop = 0.0, total = 0.0;
    for (size_t j = 0; j < m; ++j) {
        pop += w[k[j].idx];
        total += w[k[j].idx] * k[j].key;
    }
    /* The package's Lorenz curve: point j is (cumulative population share, cumulative share of
     * sum(w x)) after the j-th smallest x; the area under it is a sum of trapezoids of width
     * w_j / pop between heights L_{j-1} and L_j. Tied x have equal slopes, so their order
     * changes nothing but rounding. */
    double area = 0.0, run = 0.0, prev = 0.0;
    for (size_t j = 0; j < m; ++j) {
        double wj = w[k[j].idx];
        run += wj * k[j].key;
        double height = run / total;
        area += (prev + height) * (wj / pop) / 2.0;
        prev = height;
    }
    free(k);
    /* Nobody has anything (total == 0): 0 / 0 heights, NaN as in R. */
    *gini = m > 0 && total != 0.0 ? 1.0 - 2.0 * area : NAN;
    return SIM_OK;
}

/* ---- Palma ---------------------------------------------------------------------------- */

/* R's approx(cum, u, xout = v, method = "constant", f = 1, rule = 2): the first u[j] whose
 * cumulative weight reaches v; u[0] below the first knot and u[m - 1] beyond the last. */
static double step_at(const double *u, const double *cum, size_t m, double v) {
    if (v <= cum[0]) return u[0];
    if (v > cum[m - 1]) return u[m - 1];
    size_t lo = 0, hi = m - 1; /* cum[lo] < v <= cum[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (cum[mid] >= v)
            hi = mid;
        else
            lo = mid;
    }
    return u[hi];
}

/* Hmisc::wtd.quantile(u, weights, probs = p) with its defaults (type = "quantile",
 * normwt = FALSE) over the distinct values u[0..m-1], ascending, with cumulative weights
 * cum[0..m-1]: weights act as frequencies, so the position is 1 + (N - 1) p among N "people",
 * interpolated between the order statistics at floor and floor + 1. */
static double hmisc_quantile(const double *u, const double *cum, size_t m, double p) {
    double total = cum[m - 1];
    double order = 1.0 + (total - 1.0) * p;
    double low = fmax(floor(order), 1.0);
    double high = fmin(low + 1.0, total);
    double frac = order - floor(order); /* R's order %% 1 */
    /* Hmisc's formula, kept operation for operation so that the classes match the package's.
     * When both order statistics are the same value a (the usual case with large populations),
     * (1 - frac) a + frac a can round one ulp away from a, and the origins with exactly that
     * rank value then fall on the other side of "<= q40" or "> q90" -- in R as here. See
     * docs/MEASURES.md. */
    return (1.0 - frac) * step_at(u, cum, m, low) + frac * step_at(u, cum, m, high);
}

sim_status sim_equity_palma(const double *x, const double *w, const double *rank_by, size_t n,
                            double *palma) {
    if (!args_ok(x, w, n, palma)) return SIM_EINVAL;
    const double *rank = rank_by ? rank_by : x;
    if (any_non_finite(x, w, n) || any_non_finite(rank, w, n)) {
        *palma = NAN;
        return SIM_OK;
    }
    size_t m;
    keyed *k = sort_positive(rank, w, n, 0, &m);
    if (!k) return SIM_ENOMEM;
    if (m == 0) {
        free(k);
        *palma = NAN;
        return SIM_OK;
    }
    /* Distinct rank values and their cumulative weights, accumulated as R does it, so that
     * fractional populations give the package's percentiles to the last bit: Hmisc's
     * wtd.table() sums each value's weights with tapply(sum) (in input order, which is our
     * index order within a tie), and cumsum() keeps a long double running sum, rounding each
     * output to double. R's LDOUBLE is C's long double on the same platform. */
    double *u = malloc(2 * m * sizeof *u);
    if (!u) {
        free(k);
        return SIM_ENOMEM;
    }
    double *cum = u + m;
    size_t d = 0;
    long double run = 0.0L;
    for (size_t a = 0; a < m;) {
        long double value_w = 0.0L;
        size_t b = a;
        while (b < m && k[b].key == k[a].key) value_w += (long double)w[k[b++].idx];
        run += (long double)(double)value_w;
        u[d] = k[a].key;
        cum[d] = (double)run;
        ++d;
        a = b;
    }
    free(k);
    double q40 = hmisc_quantile(u, cum, d, 0.4), q90 = hmisc_quantile(u, cum, d, 0.9);
    free(u);

    double poor_w = 0.0, poor_sum = 0.0, rich_w = 0.0, rich_sum = 0.0;
    for (size_t i = 0; i < n; ++i) {
        if (!(w[i] > 0.0)) continue;
        if (rank[i] <= q40) {
            poor_w += w[i];
            poor_sum += w[i] * x[i];
        }
        if (rank[i] > q90) {
            rich_w += w[i];
            rich_sum += w[i] * x[i];
        }
    }
    /* An empty class is NA in the package; otherwise plain division (x / 0 is +-Inf there). */
    *palma = poor_w > 0.0 && rich_w > 0.0 ? (rich_sum / rich_w) / (poor_sum / poor_w) : NAN;
    return SIM_OK;
}

/* ---- Theil T ---------------------------------------------------------------------------- */

sim_status sim_equity_theil_t_parts(const double *x, const double *w, const uint32_t *group_of,
                                    uint32_t n_groups, size_t n, double *total, double *between,
                                    double *within, double *between_part, double *within_part) {
    if (!total || !between || !within) return SIM_EINVAL;
    if (!args_ok(x, w, n, total)) return SIM_EINVAL;
    uint32_t groups = group_of ? n_groups : 1;
    if (group_of)
        for (size_t i = 0; i < n; ++i)
            if (w[i] > 0.0 && group_of[i] >= n_groups) return SIM_EINVAL;

    int bad = 0; /* log(x) needs x >= 0 and finite */
    for (size_t i = 0; i < n && !bad; ++i)
        if (w[i] > 0.0 && !(x[i] >= 0.0 && isfinite(x[i]))) bad = 1;

    /* Per group: population, sum of w x, and the sum of w r ln r with r = x / mu_g. */
    double *pop_g = calloc(groups > 0 ? 3 * (size_t)groups : 1, sizeof *pop_g);
    if (!pop_g) return SIM_ENOMEM;
    double *acc_g = pop_g + groups, *t_g = acc_g + groups;

    double pop = 0.0, acc = 0.0;
    for (size_t i = 0; i < n && !bad; ++i) {
        if (!(w[i] > 0.0)) continue;
        uint32_t g = group_of ? group_of[i] : 0;
        pop += w[i];
        acc += w[i] * x[i];
        pop_g[g] += w[i];
        acc_g[g] += w[i] * x[i];
    }
    if (bad || !(acc > 0.0)) {
        /* A negative or infinite x, or nobody with any x: 0 / 0 in the package too. */
        free(pop_g);
        *total = *between = *within = NAN;
        for (uint32_t g = 0; g < groups && group_of; ++g) {
            if (between_part) between_part[g] = NAN;
            if (within_part) within_part[g] = NAN;
        }
        return SIM_OK;
    }

    /* x = 0 contributes 0, the limit of r ln r at 0: the package drops those rows instead (see
     * docs/MEASURES.md), which only rescales its ungrouped value. */
    double mu = acc / pop, sum = 0.0;
    for (size_t i = 0; i < n; ++i) {
        if (!(w[i] > 0.0) || x[i] == 0.0) continue;
        uint32_t g = group_of ? group_of[i] : 0;
        double r = x[i] / mu, rg = x[i] / (acc_g[g] / pop_g[g]);
        sum += w[i] * r * log(r);
        t_g[g] += w[i] * rg * log(rg);
    }
    *total = sum / pop;

    double b = 0.0, wi = 0.0;
    for (uint32_t g = 0; g < groups; ++g) {
        double bp = 0.0, wp = 0.0;
        if (acc_g[g] > 0.0) {
            double share = acc_g[g] / acc, mu_g = acc_g[g] / pop_g[g];
            bp = share * log(mu_g / mu);      /* s_g ln(s_g / p_g) */
            wp = (t_g[g] / pop_g[g]) * share; /* T_g s_g */
        }
        b += bp;
        wi += wp;
        if (group_of && between_part) between_part[g] = bp;
        if (group_of && within_part) within_part[g] = wp;
    }
    free(pop_g);
    *between = b;
    *within = wi;
    return SIM_OK;
}

sim_status sim_equity_theil_t(const double *x, const double *w, const uint32_t *group_of,
                              uint32_t n_groups, size_t n, double *total, double *between,
                              double *within) {
    return sim_equity_theil_t_parts(x, w, group_of, n_groups, n, total, between, within, NULL,
                                    NULL);
}

/* ---- concentration index ---------------------------------------------------------------- */

sim_status sim_equity_concentration_index(const double *x, const double *w, const double *rank_by,
                                          size_t n, sim_equity_ci_type type, double *ci) {
    if (!args_ok(x, w, n, ci) || (n > 0 && !rank_by)) return SIM_EINVAL;
    if (type != SIM_EQUITY_CI_STANDARD && type != SIM_EQUITY_CI_CORRECTED) return SIM_EINVAL;
    if (any_non_finite(x, w, n) || any_non_finite(rank_by, w, n)) {
        *ci = NAN;
        return SIM_OK;
    }
    size_t m;
    keyed *k = sort_positive(rank_by, w, n, 0, &m);
    if (!k) return SIM_ENOMEM;
    double pop = 0.0, acc = 0.0, lo = INFINITY, hi = -INFINITY;
    for (size_t j = 0; j < m; ++j) {
        double xj = x[k[j].idx];
        pop += w[k[j].idx];
        acc += w[k[j].idx] * xj;
        lo = fmin(lo, xj);
        hi = fmax(hi, xj);
    }
    if (m == 0 || !(pop > 0.0)) {
        free(k);
        *ci = NAN;
        return SIM_OK;
    }
    double mu = acc / pop;
    /* Fractional rank (van Doorslaer & Koolman 2004, eq. 4): the population share ranked below
     * plus half one's own. A block of entries tied on rank_by shares the block's midpoint, the
     * usual treatment of ties, so row order cannot matter. The term is the package's
     * cont_to_total: (R - 1/2)(x - mu)(w / W) / mu. */
    double sum = 0.0, below = 0.0;
    for (size_t a = 0; a < m;) {
        size_t b = a;
        double block = 0.0;
        while (b < m && k[b].key == k[a].key) block += w[k[b++].idx];
        double rank = (below + block / 2.0) / pop;
        for (size_t j = a; j < b; ++j) {
            size_t i = k[j].idx;
            sum += (rank - 0.5) * (x[i] - mu) * (w[i] / pop) / mu;
        }
        below += block;
        a = b;
    }
    free(k);
    double standard = 2.0 * sum;
    /* Erreygers' correction with the observed bounds, as the package: 4 mu / (max - min). Equal
     * values give 0 * Inf = NaN, as in R. */
    *ci = type == SIM_EQUITY_CI_STANDARD ? standard : standard * (4.0 * mu / (hi - lo));
    return SIM_OK;
}

/* ---- Foster-Greer-Thorbecke -------------------------------------------------------------- */

sim_status sim_equity_fgt(const double *x, const double *w, size_t n, double poverty_line,
                          double alpha, sim_equity_direction direction, double *fgt) {
    if (!args_ok(x, w, n, fgt)) return SIM_EINVAL;
    if (!(poverty_line > 0.0) || !isfinite(poverty_line)) return SIM_EINVAL;
    if (!(alpha >= 0.0) || !isfinite(alpha)) return SIM_EINVAL;
    if (direction != SIM_EQUITY_HIGHER_IS_BETTER && direction != SIM_EQUITY_LOWER_IS_BETTER)
        return SIM_EINVAL;
    if (any_nan(x, w, n)) {
        *fgt = NAN;
        return SIM_OK;
    }
    double pop = 0.0, sum = 0.0;
    for (size_t i = 0; i < n; ++i) {
        if (!(w[i] > 0.0)) continue;
        pop += w[i];
        double gap;
        if (direction == SIM_EQUITY_HIGHER_IS_BETTER) {
            if (!(x[i] < poverty_line)) continue; /* at or above the line: not poor */
            gap = (poverty_line - x[i]) / poverty_line;
        } else {
            if (!(x[i] > poverty_line)) continue; /* at or below the line: not poor */
            gap = (x[i] - poverty_line) / poverty_line;
        }
        sum += w[i] * pow(gap, alpha); /* gap > 0, so gap^0 == 1: the headcount */
    }
    *fgt = pop > 0.0 ? sum / pop : NAN;
    return SIM_OK;
}
