#include "sim/measures.h"

#include <assert.h>
#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/route.h"

/* R's base::pi; M_PI is not C11. */
#define MEASURES_PI 3.141592653589793238462643383279502884

/* One decisecond is 1/600 minute. Dividing (rather than multiplying by 1/600) rounds once. */
#define DS_PER_MINUTE 600.0

/* Bound on the cutoffs of one cumulative interval, so a typo (step 1e-9) fails fast instead of
 * allocating gigabytes. */
#define MAX_INTERVAL_CUTOFFS 100000u

/* ============================================================================================
 * Sparse travel-time matrix
 * ========================================================================================== */

typedef struct {
    uint64_t *first;
    uint32_t *to;
    double *minutes;
} ttm_store;

static void store_free(ttm_store *s) {
    if (!s) return;
    free(s->first);
    free(s->to);
    free(s->minutes);
    free(s);
}

void sim_ttm_release(sim_ttm *m) {
    if (!m || !m->owned_) return;
    store_free(m->owned_);
    memset(m, 0, sizeof *m);
}

/* The O(n_from) part of the invariants: cheap enough to re-check on every measure call. */
static sim_status ttm_check_offsets(const sim_ttm *m) {
    if (!m) return SIM_EINVAL;
    if (!m->first) return m->n_from == 0 ? SIM_OK : SIM_EINVAL;
    if (m->first[0] != 0) return SIM_EINVAL;
    for (uint32_t i = 0; i < m->n_from; ++i)
        if (m->first[i + 1] < m->first[i]) return SIM_EINVAL;
    uint64_t nnz = m->first[m->n_from];
    if (nnz > 0 && (!m->to || !m->minutes)) return SIM_EINVAL;
    if (nnz > SIZE_MAX / sizeof(double)) return SIM_EINVAL;
    return SIM_OK;
}

static uint64_t ttm_nnz(const sim_ttm *m) { return m->first ? m->first[m->n_from] : 0; }

sim_status sim_ttm_check(const sim_ttm *m) {
    sim_status rc = ttm_check_offsets(m);
    if (rc != SIM_OK) return rc;
    for (uint32_t i = 0; i < m->n_from; ++i) {
        for (uint64_t e = m->first[i]; e < m->first[i + 1]; ++e) {
            if (m->to[e] >= m->n_to) return SIM_EINVAL;
            if (e > m->first[i] && m->to[e] <= m->to[e - 1]) return SIM_EINVAL;
            if (!(m->minutes[e] >= 0.0) || !isfinite(m->minutes[e])) return SIM_EINVAL;
        }
    }
    return SIM_OK;
}

struct sim_ttm_builder {
    uint32_t n_from, n_to;
    uint64_t *first;   /* n_from + 1; first[0 .. filled - 1] are set */
    uint32_t filled;   /* origins whose start offset is known */
    uint32_t *to;
    double *minutes;
    size_t n, cap;
    uint32_t last_from, last_to; /* the previous row, valid when n > 0 */
    int failed;
};

sim_status sim_ttm_builder_create(uint32_t n_from, uint32_t n_to, sim_ttm_builder **out) {
    if (!out) return SIM_EINVAL;
    *out = NULL;
    sim_ttm_builder *b = calloc(1, sizeof *b);
    if (!b) return SIM_ENOMEM;
    b->first = malloc(((size_t)n_from + 1) * sizeof *b->first);
    if (!b->first) {
        free(b);
        return SIM_ENOMEM;
    }
    b->n_from = n_from;
    b->n_to = n_to;
    b->first[0] = 0;
    b->filled = 1;
    *out = b;
    return SIM_OK;
}

void sim_ttm_builder_destroy(sim_ttm_builder *b) {
    if (!b) return;
    free(b->first);
    free(b->to);
    free(b->minutes);
    free(b);
}

static sim_status builder_reserve(sim_ttm_builder *b, size_t more) {
    if (more <= b->cap - b->n) return SIM_OK;
    if (more > SIZE_MAX / sizeof(double) - b->n) return SIM_ENOMEM;
    size_t need = b->n + more, cap = b->cap ? b->cap : 1024;
    while (cap < need) cap = cap > SIZE_MAX / sizeof(double) / 2 ? need : cap * 2;
    /* Each array is replaced only when its realloc succeeds, so a failure leaves the builder
     * consistent (just marked failed by the caller). */
    uint32_t *to = realloc(b->to, cap * sizeof *to);
    if (!to) return SIM_ENOMEM;
    b->to = to;
    double *minutes = realloc(b->minutes, cap * sizeof *minutes);
    if (!minutes) return SIM_ENOMEM;
    b->minutes = minutes;
    b->cap = cap;
    return SIM_OK;
}

sim_status sim_ttm_builder_add(sim_ttm_builder *b, const sim_od *rows, size_t n_rows) {
    if (!b) return SIM_EINVAL;
    if (b->failed) return SIM_EINVAL;
    if (n_rows == 0) return SIM_OK;
    if (!rows) {
        b->failed = 1;
        return SIM_EINVAL;
    }
    sim_status rc = builder_reserve(b, n_rows);
    if (rc != SIM_OK) {
        b->failed = 1;
        return rc;
    }
    for (size_t r = 0; r < n_rows; ++r) {
        const sim_od *o = &rows[r];
        int ordered = b->n == 0 || o->from > b->last_from ||
                      (o->from == b->last_from && o->to > b->last_to);
        if (o->from >= b->n_from || o->to >= b->n_to || o->time_ds == SIM_UNREACHABLE ||
            !ordered) {
            b->failed = 1;
            return SIM_EINVAL;
        }
        while (b->filled <= o->from) b->first[b->filled++] = b->n;
        b->to[b->n] = o->to;
        b->minutes[b->n] = (double)o->time_ds / DS_PER_MINUTE;
        b->n++;
        b->last_from = o->from;
        b->last_to = o->to;
    }
    return SIM_OK;
}

sim_status sim_ttm_sink(void *ud, const sim_od *rows, size_t n_rows) {
    return sim_ttm_builder_add(ud, rows, n_rows);
}

sim_status sim_ttm_builder_finish(sim_ttm_builder *b, sim_ttm *out) {
    if (!b || !out) return SIM_EINVAL;
    if (b->failed) return SIM_EINVAL;
    ttm_store *s = calloc(1, sizeof *s);
    if (!s) return SIM_ENOMEM;
    while (b->filled <= b->n_from) b->first[b->filled++] = b->n;
    s->first = b->first;
    s->to = b->to;
    s->minutes = b->minutes;
    *out = (sim_ttm){.n_from = b->n_from,
                     .n_to = b->n_to,
                     .first = s->first,
                     .to = s->to,
                     .minutes = s->minutes,
                     .owned_ = s};
    /* The builder keeps a fresh offsets array so that it stays destroyable and reusable. */
    b->first = NULL;
    b->to = NULL;
    b->minutes = NULL;
    b->n = b->cap = 0;
    b->first = malloc(((size_t)b->n_from + 1) * sizeof *b->first);
    if (b->first) {
        b->first[0] = 0;
        b->filled = 1;
    } else {
        b->failed = 1;
    }
    return SIM_OK;
}

sim_status sim_ttm_from_od(const sim_od *rows, size_t n_rows, uint32_t n_from, uint32_t n_to,
                           sim_ttm *out) {
    if (!out || (n_rows > 0 && !rows)) return SIM_EINVAL;
    sim_ttm_builder *b = NULL;
    sim_status rc = sim_ttm_builder_create(n_from, n_to, &b);
    if (rc == SIM_OK) rc = sim_ttm_builder_add(b, rows, n_rows);
    if (rc == SIM_OK) rc = sim_ttm_builder_finish(b, out);
    sim_ttm_builder_destroy(b);
    return rc;
}

/* ============================================================================================
 * Decay functions
 * ========================================================================================== */

static const char *const DECAY_NAMES[SIM_DECAY_KIND_COUNT] = {
    "binary", "exponential", "power", "logistic", "gaussian", "linear", "stepped",
};

const char *sim_decay_kind_name(sim_decay_kind kind) {
    return (unsigned)kind < SIM_DECAY_KIND_COUNT ? DECAY_NAMES[kind] : "unknown";
}

sim_status sim_decay_kind_from_name(const char *name, sim_decay_kind *out) {
    if (!name || !out) return SIM_EINVAL;
    for (unsigned k = 0; k < SIM_DECAY_KIND_COUNT; ++k) {
        if (strcmp(name, DECAY_NAMES[k]) == 0) {
            *out = (sim_decay_kind)k;
            return SIM_OK;
        }
    }
    return SIM_EINVAL;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static sim_status decay_fail(char *why, size_t n, const char *fmt, ...) {
    if (why && n > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, n, fmt, ap);
        va_end(ap);
    }
    return SIM_EINVAL;
}

/* `x > 0 && finite`, written so that NaN fails. */
static int positive(double x) { return x > 0.0 && isfinite(x); }
static int non_negative(double x) { return x >= 0.0 && isfinite(x); }

sim_status sim_decay_check(const sim_decay *d, char *why, size_t n) {
    if (why && n > 0) why[0] = '\0';
    if (!d) return decay_fail(why, n, "decay: missing");
    const char *name = sim_decay_kind_name(d->kind);
    switch (d->kind) {
    case SIM_DECAY_BINARY:
        if (!non_negative(d->cutoff_min))
            return decay_fail(why, n, "%s decay: cutoff must be >= 0 minutes (got %g)", name,
                              d->cutoff_min);
        return SIM_OK;
    case SIM_DECAY_EXPONENTIAL:
    case SIM_DECAY_POWER:
        if (!positive(d->decay_value))
            return decay_fail(why, n, "%s decay: decay_value must be > 0 (got %g)", name,
                              d->decay_value);
        return SIM_OK;
    case SIM_DECAY_LOGISTIC:
        if (!positive(d->cutoff_min))
            return decay_fail(why, n, "%s decay: cutoff must be > 0 minutes (got %g)", name,
                              d->cutoff_min);
        if (!positive(d->sd_min))
            return decay_fail(why, n, "%s decay: sd must be > 0 minutes (got %g)", name,
                              d->sd_min);
        return SIM_OK;
    case SIM_DECAY_GAUSSIAN:
        if (!positive(d->sigma_min))
            return decay_fail(why, n, "%s decay: sigma must be > 0 minutes (got %g)", name,
                              d->sigma_min);
        return SIM_OK;
    case SIM_DECAY_LINEAR:
        if (!positive(d->cutoff_min))
            return decay_fail(why, n, "%s decay: cutoff must be > 0 minutes (got %g)", name,
                              d->cutoff_min);
        return SIM_OK;
    case SIM_DECAY_STEPPED:
        if (d->n_steps == 0 || !d->steps_min || !d->weights)
            return decay_fail(why, n, "%s decay: needs at least one step and one weight per step",
                              name);
        for (size_t k = 0; k < d->n_steps; ++k) {
            double s = d->steps_min[k], w = d->weights[k];
            if (!(s >= 1.0) || !isfinite(s))
                return decay_fail(why, n, "%s decay: step %zu must be >= 1 minute (got %g)", name,
                                  k + 1, s);
            if (k > 0 && !(s > d->steps_min[k - 1]))
                return decay_fail(why, n,
                                  "%s decay: steps must be strictly increasing (step %zu is %g "
                                  "after %g)",
                                  name, k + 1, s, d->steps_min[k - 1]);
            if (!(w >= 0.0 && w <= 1.0))
                return decay_fail(why, n, "%s decay: weight %zu must be in [0, 1] (got %g)", name,
                                  k + 1, w);
        }
        return SIM_OK;
    }
    return decay_fail(why, n, "decay: unknown kind %d", (int)d->kind);
}

double sim_decay_weight(const sim_decay *d, double t) {
    assert(d && (unsigned)d->kind < SIM_DECAY_KIND_COUNT);
    switch (d->kind) {
    case SIM_DECAY_BINARY:
        return t <= d->cutoff_min ? 1.0 : 0.0;
    case SIM_DECAY_EXPONENTIAL:
        return exp(-d->decay_value * t);
    case SIM_DECAY_POWER:
        /* R: t^(-b), then weights > 1 set to 1; t^(-b) >= 1 exactly when t <= 1 (t = 0 gives
         * Inf in R, hence 1), so skip pow() there. */
        return t <= 1.0 ? 1.0 : pow(t, -d->decay_value);
    case SIM_DECAY_LOGISTIC: {
        /* Bauer & Groneberg's adjusted logistic, with R's expression order: f(0) = 1. */
        double scale = d->sd_min * sqrt(3.0);
        double g0 = 1.0 + exp(((0.0 - d->cutoff_min) * MEASURES_PI) / scale);
        double gt = 1.0 + exp(((t - d->cutoff_min) * MEASURES_PI) / scale);
        return g0 / gt;
    }
    case SIM_DECAY_GAUSSIAN:
        return exp(-(t * t) / (2.0 * d->sigma_min * d->sigma_min));
    case SIM_DECAY_LINEAR: {
        double w = 1.0 - t / d->cutoff_min;
        return w < 0.0 ? 0.0 : w;
    }
    case SIM_DECAY_STEPPED: {
        /* R: weights[max(which(t >= c(0, steps)))] with weights c(1, ...): intervals closed on
         * the left, so the weight changes exactly at each step. */
        double w = 1.0;
        for (size_t k = 0; k < d->n_steps && t >= d->steps_min[k]; ++k) w = d->weights[k];
        return w;
    }
    }
    return NAN;
}

/* ============================================================================================
 * Measures: shared helpers
 * ========================================================================================== */

static int all_non_negative(const double *a, size_t n) {
    if (n > 0 && !a) return 0;
    for (size_t i = 0; i < n; ++i)
        if (!non_negative(a[i])) return 0;
    return 1;
}

/* The per-origin loops below take one origin per iteration; dynamic chunks even out rows of
 * very different lengths. Each origin's value depends only on its own row and on arrays that
 * were completed before the loop, so the schedule cannot change any result. */
#define OMP_ORIGINS _Pragma("omp parallel for schedule(dynamic, 64)")

/* w[e] = f(minutes[e]) for every entry, in parallel (disjoint slots). */
static double *decay_weights(const sim_ttm *m, const sim_decay *d) {
    uint64_t nnz = ttm_nnz(m);
    double *w = malloc((nnz ? (size_t)nnz : 1) * sizeof *w);
    if (!w) return NULL;
    const int64_t n_from = m->n_from;
    OMP_ORIGINS
    for (int64_t i = 0; i < n_from; ++i)
        for (uint64_t e = m->first[i]; e < m->first[i + 1]; ++e)
            w[e] = sim_decay_weight(d, m->minutes[e]);
    return w;
}

/* A travel time and what it leads to; sorted by (minutes, destination) so ties have one order. */
typedef struct {
    double minutes, opportunities;
    uint32_t to;
} reach_item;

static int reach_item_cmp(const void *pa, const void *pb) {
    const reach_item *a = pa, *b = pb;
    if (a->minutes != b->minutes) return a->minutes < b->minutes ? -1 : 1;
    return (a->to > b->to) - (a->to < b->to);
}

static uint64_t max_row_length(const sim_ttm *m) {
    uint64_t best = 0;
    for (uint32_t i = 0; i < m->n_from; ++i) {
        uint64_t len = m->first[i + 1] - m->first[i];
        if (len > best) best = len;
    }
    return best;
}

/* One slab of `per_thread` items for each of `n_threads` threads, or NULL. */
static void *thread_slabs(int n_threads, uint64_t per_thread, size_t item_size) {
    uint64_t items = per_thread ? per_thread : 1;
    if (items > SIZE_MAX / item_size / (size_t)n_threads) return NULL;
    return malloc((size_t)n_threads * (size_t)items * item_size);
}

/* ============================================================================================
 * Cost to closest
 * ========================================================================================== */

sim_status sim_measure_cost_to_closest(const sim_ttm *m, const double *opportunities, double n,
                                       double *out_minutes) {
    if (ttm_check_offsets(m) != SIM_OK || !out_minutes) return SIM_EINVAL;
    if (!(n >= 1.0) || !isfinite(n)) return SIM_EINVAL;
    if (!all_non_negative(opportunities, m->n_to)) return SIM_EINVAL;
    const int64_t n_from = m->n_from;

    if (n == 1.0) {
        /* R special-cases n == 1 as min(cost) over destinations with opportunities > 0,
         * without the cumulative test: a destination holding 0.5 opportunities counts. */
        OMP_ORIGINS
        for (int64_t i = 0; i < n_from; ++i) {
            double best = INFINITY;
            for (uint64_t e = m->first[i]; e < m->first[i + 1]; ++e)
                if (opportunities[m->to[e]] > 0.0 && m->minutes[e] < best) best = m->minutes[e];
            out_minutes[i] = isinf(best) ? NAN : best;
        }
        return SIM_OK;
    }

    const int n_threads = omp_get_max_threads();
    const uint64_t cap = max_row_length(m);
    reach_item *slabs = thread_slabs(n_threads, cap, sizeof *slabs);
    if (!slabs) return SIM_ENOMEM;
#pragma omp parallel num_threads(n_threads)
    {
        reach_item *buf = slabs + (size_t)omp_get_thread_num() * (size_t)(cap ? cap : 1);
#pragma omp for schedule(dynamic, 64)
        for (int64_t i = 0; i < n_from; ++i) {
            size_t k = 0;
            for (uint64_t e = m->first[i]; e < m->first[i + 1]; ++e) {
                double opp = opportunities[m->to[e]];
                if (opp > 0.0) buf[k++] = (reach_item){m->minutes[e], opp, m->to[e]};
            }
            qsort(buf, k, sizeof *buf, reach_item_cmp);
            /* R: cumsum in order of cost, then the least cost whose cumsum reaches n. */
            double cum = 0.0, found = NAN;
            for (size_t r = 0; r < k; ++r) {
                cum += buf[r].opportunities;
                if (cum >= n) {
                    found = buf[r].minutes;
                    break;
                }
            }
            out_minutes[i] = found;
        }
    }
    free(slabs);
    return SIM_OK;
}

/* ============================================================================================
 * Cumulative measures and gravity
 * ========================================================================================== */

sim_status sim_measure_cumulative_cutoff(const sim_ttm *m, const double *opportunities,
                                         double cutoff_min, double *out) {
    if (ttm_check_offsets(m) != SIM_OK || !out) return SIM_EINVAL;
    if (!non_negative(cutoff_min)) return SIM_EINVAL;
    if (!all_non_negative(opportunities, m->n_to)) return SIM_EINVAL;
    const int64_t n_from = m->n_from;
    OMP_ORIGINS
    for (int64_t i = 0; i < n_from; ++i) {
        double sum = 0.0;
        for (uint64_t e = m->first[i]; e < m->first[i + 1]; ++e)
            if (m->minutes[e] <= cutoff_min) sum += opportunities[m->to[e]];
        out[i] = sum;
    }
    return SIM_OK;
}

/* R's seq.int(start, end, by = step): start + k * step for k = 0 .. floor((end - start) / step
 * + 1e-10), the last one clamped to end. Returns the count (0 if more than the bound). */
static size_t interval_cutoffs(double start, double end, double step, double *c) {
    double span = floor((end - start) / step + 1e-10);
    if (!(span < (double)MAX_INTERVAL_CUTOFFS)) return 0;
    size_t k_max = (size_t)span;
    if (c) {
        for (size_t k = 0; k <= k_max; ++k) c[k] = start + (double)k * step;
        if (c[k_max] > end) c[k_max] = end;
    }
    return k_max + 1;
}

sim_status sim_measure_cumulative_interval(const sim_ttm *m, const double *opportunities,
                                           double start_min, double end_min, double step_min,
                                           sim_summary summary, double *out) {
    if (ttm_check_offsets(m) != SIM_OK || !out) return SIM_EINVAL;
    if (!non_negative(start_min) || !non_negative(end_min) || !(start_min < end_min))
        return SIM_EINVAL;
    if (!positive(step_min)) return SIM_EINVAL;
    if (summary != SIM_SUMMARY_MEDIAN && summary != SIM_SUMMARY_MEAN) return SIM_EINVAL;
    if (!all_non_negative(opportunities, m->n_to)) return SIM_EINVAL;
    const size_t n_cut = interval_cutoffs(start_min, end_min, step_min, NULL);
    if (n_cut == 0) return SIM_EINVAL;

    sim_status rc = SIM_OK;
    const int n_threads = omp_get_max_threads();
    const uint64_t cap = max_row_length(m);
    double *cut = malloc(n_cut * sizeof *cut);
    reach_item *items = thread_slabs(n_threads, cap, sizeof *items);
    double *values = thread_slabs(n_threads, n_cut, sizeof *values);
    if (!cut || !items || !values) {
        rc = SIM_ENOMEM;
        goto done;
    }
    interval_cutoffs(start_min, end_min, step_min, cut);
    const double last_cut = cut[n_cut - 1];
    const int64_t n_from = m->n_from;
#pragma omp parallel num_threads(n_threads)
    {
        const size_t tid = (size_t)omp_get_thread_num();
        reach_item *buf = items + tid * (size_t)(cap ? cap : 1);
        double *val = values + tid * n_cut;
#pragma omp for schedule(dynamic, 64)
        for (int64_t i = 0; i < n_from; ++i) {
            size_t k = 0;
            for (uint64_t e = m->first[i]; e < m->first[i + 1]; ++e)
                if (m->minutes[e] <= last_cut)
                    buf[k++] = (reach_item){m->minutes[e], opportunities[m->to[e]], m->to[e]};
            qsort(buf, k, sizeof *buf, reach_item_cmp);
            /* The cumulative measure at each cutoff, sweeping the sorted row once. Adding
             * non-negative terms never lowers a rounded sum, so val[] is non-decreasing and its
             * median can be read by position. Origins reaching nothing get 0 at every cutoff
             * (R fills them in before summarising). */
            double sum = 0.0;
            size_t r = 0;
            for (size_t c = 0; c < n_cut; ++c) {
                while (r < k && buf[r].minutes <= cut[c]) sum += buf[r++].opportunities;
                val[c] = sum;
            }
            double s;
            if (summary == SIM_SUMMARY_MEDIAN) {
                s = n_cut % 2 ? val[n_cut / 2] : (val[n_cut / 2 - 1] + val[n_cut / 2]) / 2.0;
            } else {
                double total = 0.0;
                for (size_t c = 0; c < n_cut; ++c) total += val[c];
                s = total / (double)n_cut;
            }
            out[i] = trunc(s); /* R: as.integer(summary_function(access)) */
        }
    }
done:
    free(cut);
    free(items);
    free(values);
    return rc;
}

sim_status sim_measure_gravity(const sim_ttm *m, const double *opportunities,
                               const sim_decay *decay, double *out) {
    if (ttm_check_offsets(m) != SIM_OK || !out) return SIM_EINVAL;
    if (sim_decay_check(decay, NULL, 0) != SIM_OK) return SIM_EINVAL;
    if (!all_non_negative(opportunities, m->n_to)) return SIM_EINVAL;
    const int64_t n_from = m->n_from;
    OMP_ORIGINS
    for (int64_t i = 0; i < n_from; ++i) {
        double sum = 0.0;
        for (uint64_t e = m->first[i]; e < m->first[i + 1]; ++e)
            sum += opportunities[m->to[e]] * sim_decay_weight(decay, m->minutes[e]);
        out[i] = sum;
    }
    return SIM_OK;
}

/* ============================================================================================
 * Floating catchment areas and spatial availability
 *
 * Per-destination sums are formed serially, scanning entries in (from, to) order: a fixed
 * order of floating-point additions whatever the thread count. Per-origin sums then run in
 * parallel, each over its own row in destination order.
 * ========================================================================================== */

static sim_status fca_2sfca(const sim_ttm *m, const double *supply, const double *demand,
                            const double *w, double *out, double *ratio_out) {
    double *served = calloc(m->n_to ? m->n_to : 1, sizeof *served);
    if (!served) return SIM_ENOMEM;
    /* Step 1: demand reaching each destination, sum_i P_i w_ij. */
    for (uint32_t i = 0; i < m->n_from; ++i)
        for (uint64_t e = m->first[i]; e < m->first[i + 1]; ++e)
            served[m->to[e]] += demand[i] * w[e];
    /* Step 2: A_i = sum_j (S_j / served_j) w_ij. As R's sum(na.rm = TRUE): 0/0 terms, and
     * Inf * 0 terms, are NaN and dropped; Inf * w (w > 0) stays Inf. */
    const int64_t n_from = m->n_from;
    OMP_ORIGINS
    for (int64_t i = 0; i < n_from; ++i) {
        double sum = 0.0;
        for (uint64_t e = m->first[i]; e < m->first[i + 1]; ++e) {
            uint32_t j = m->to[e];
            double term = (supply[j] / served[j]) * w[e];
            if (!isnan(term)) sum += term;
        }
        out[i] = sum;
    }
    if (ratio_out)
        for (uint32_t j = 0; j < m->n_to; ++j)
            ratio_out[j] = served[j] > 0.0 ? supply[j] / served[j] : NAN;
    free(served);
    return SIM_OK;
}

static sim_status fca_bfca(const sim_ttm *m, const double *supply, const double *demand,
                           const double *w, double *out, double *ratio_out) {
    sim_status rc = SIM_OK;
    size_t n_to = m->n_to ? m->n_to : 1, n_from = m->n_from ? m->n_from : 1;
    double *row_sum = calloc(n_from, sizeof *row_sum);
    double *col_sum = calloc(n_to, sizeof *col_sum);
    double *served = calloc(n_to, sizeof *served);
    if (!row_sum || !col_sum || !served) {
        rc = SIM_ENOMEM;
        goto done;
    }
    for (uint32_t i = 0; i < m->n_from; ++i) {
        double rs = 0.0;
        for (uint64_t e = m->first[i]; e < m->first[i + 1]; ++e) {
            rs += w[e];
            col_sum[m->to[e]] += w[e];
        }
        row_sum[i] = rs;
    }
    /* Step 1: balanced demand, sum_i P_i (w_ij / sum_k w_ik); an origin whose weights are all
     * 0 gives 0/0 terms, dropped as R's na.rm does. */
    for (uint32_t i = 0; i < m->n_from; ++i) {
        for (uint64_t e = m->first[i]; e < m->first[i + 1]; ++e) {
            double term = demand[i] * (w[e] / row_sum[i]);
            if (!isnan(term)) served[m->to[e]] += term;
        }
    }
    /* Step 2: A_i = sum_j (S_j / served_j) (w_ij / sum_k w_kj), NaN terms dropped. */
    const int64_t n_origins = m->n_from;
    OMP_ORIGINS
    for (int64_t i = 0; i < n_origins; ++i) {
        double sum = 0.0;
        for (uint64_t e = m->first[i]; e < m->first[i + 1]; ++e) {
            uint32_t j = m->to[e];
            double term = (supply[j] / served[j]) * (w[e] / col_sum[j]);
            if (!isnan(term)) sum += term;
        }
        out[i] = sum;
    }
    if (ratio_out)
        for (uint32_t j = 0; j < m->n_to; ++j)
            ratio_out[j] = served[j] > 0.0 ? supply[j] / served[j] : NAN;
done:
    free(row_sum);
    free(col_sum);
    free(served);
    return rc;
}

sim_status sim_measure_fca(const sim_ttm *m, sim_fca_method method, const double *supply,
                           const double *demand, const sim_decay *decay, double *out,
                           double *ratio_out) {
    if (ttm_check_offsets(m) != SIM_OK || !out) return SIM_EINVAL;
    if (method != SIM_FCA_2SFCA && method != SIM_FCA_E2SFCA && method != SIM_FCA_BFCA)
        return SIM_EINVAL;
    if (sim_decay_check(decay, NULL, 0) != SIM_OK) return SIM_EINVAL;
    if (method == SIM_FCA_E2SFCA && decay->kind != SIM_DECAY_STEPPED) return SIM_EINVAL;
    if (!all_non_negative(supply, m->n_to) || !all_non_negative(demand, m->n_from))
        return SIM_EINVAL;
    double *w = decay_weights(m, decay);
    if (!w) return SIM_ENOMEM;
    sim_status rc = method == SIM_FCA_BFCA ? fca_bfca(m, supply, demand, w, out, ratio_out)
                                           : fca_2sfca(m, supply, demand, w, out, ratio_out);
    free(w);
    return rc;
}

sim_status sim_measure_spatial_availability(const sim_ttm *m, const double *supply,
                                            const double *demand, const sim_decay *decay,
                                            double alpha, double *out) {
    if (ttm_check_offsets(m) != SIM_OK || !out) return SIM_EINVAL;
    if (!non_negative(alpha)) return SIM_EINVAL;
    if (sim_decay_check(decay, NULL, 0) != SIM_OK) return SIM_EINVAL;
    if (!all_non_negative(supply, m->n_to) || !all_non_negative(demand, m->n_from))
        return SIM_EINVAL;

    sim_status rc = SIM_OK;
    double *w = decay_weights(m, decay);
    double *pw = malloc((m->n_from ? m->n_from : 1) * sizeof *pw);
    double *den = calloc(m->n_to ? m->n_to : 1, sizeof *den);
    if (!w || !pw || !den) {
        rc = SIM_ENOMEM;
        goto done;
    }
    for (uint32_t i = 0; i < m->n_from; ++i) {
        pw[i] = pow(demand[i], alpha); /* pow(0, 0) == 1, as R's 0^0 */
        if (!isfinite(pw[i])) {
            rc = SIM_EINVAL;
            goto done;
        }
    }
    for (uint32_t i = 0; i < m->n_from; ++i)
        for (uint64_t e = m->first[i]; e < m->first[i + 1]; ++e) den[m->to[e]] += pw[i] * w[e];
    const int64_t n_from = m->n_from;
    OMP_ORIGINS
    for (int64_t i = 0; i < n_from; ++i) {
        double sum = 0.0;
        for (uint64_t e = m->first[i]; e < m->first[i + 1]; ++e) {
            uint32_t j = m->to[e];
            /* kappa_ij = P_i^a w_ij / sum_k P_k^a w_kj, 0 where that sum is 0. */
            if (den[j] > 0.0) sum += (pw[i] * w[e] / den[j]) * supply[j];
        }
        out[i] = sum;
    }
done:
    free(w);
    free(pw);
    free(den);
    return rc;
}
