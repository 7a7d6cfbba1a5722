#include "sim/access.h"

#include <assert.h>
#include <math.h>

#include "sim/route.h"

/* Every sum below runs in index order: floating-point addition is not associative, and a fixed
 * order is what makes the summaries reproducible. */

double sim_access_share_within(const uint32_t *time_ds, const double *pop, size_t n,
                               uint32_t threshold_ds) {
    assert(n == 0 || (time_ds && pop));
    double total = 0.0, within = 0.0;
    for (size_t i = 0; i < n; ++i) {
        assert(pop[i] >= 0.0 && isfinite(pop[i]));
        total += pop[i];
        if (time_ds[i] != SIM_UNREACHABLE && time_ds[i] <= threshold_ds) within += pop[i];
    }
    return total > 0.0 ? within / total : NAN;
}

double sim_access_mean(const uint32_t *time_ds, const double *pop, size_t n) {
    assert(n == 0 || (time_ds && pop));
    double reach = 0.0, weighted = 0.0;
    for (size_t i = 0; i < n; ++i) {
        assert(pop[i] >= 0.0 && isfinite(pop[i]));
        if (time_ds[i] == SIM_UNREACHABLE) continue;
        reach += pop[i];
        weighted += pop[i] * (double)time_ds[i];
    }
    return reach > 0.0 ? weighted / reach : NAN;
}

/* Reachable population with time <= t, summed in index order. Adding a non-negative term never
 * lowers a rounded sum, so this is non-decreasing in t even in floating point, which is what
 * makes bisection on t valid; at t = the largest time it equals the full reachable total. */
static double pop_within(const uint32_t *time_ds, const double *pop, size_t n, uint32_t t) {
    double sum = 0.0;
    for (size_t i = 0; i < n; ++i)
        if (time_ds[i] != SIM_UNREACHABLE && time_ds[i] <= t) sum += pop[i];
    return sum;
}

double sim_access_median(const uint32_t *time_ds, const double *pop, size_t n) {
    assert(n == 0 || (time_ds && pop));
    /* Bisect over times rather than sort: no work memory, and the sums stay in index order. The
     * bracket spans only populated times, so the answer is a time where someone lives. */
    double reach = 0.0;
    uint32_t lo = UINT32_MAX, hi = 0;
    for (size_t i = 0; i < n; ++i) {
        assert(pop[i] >= 0.0 && isfinite(pop[i]));
        if (time_ds[i] == SIM_UNREACHABLE) continue;
        reach += pop[i];
        if (pop[i] > 0.0) {
            if (time_ds[i] < lo) lo = time_ds[i];
            if (time_ds[i] > hi) hi = time_ds[i];
        }
    }
    if (!(reach > 0.0)) return NAN;
    double half = reach * 0.5;
    /* Invariant: pop_within(hi) >= half; the answer lies in [lo, hi]. */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (pop_within(time_ds, pop, n, mid) >= half)
            hi = mid;
        else
            lo = mid + 1;
    }
    return (double)hi;
}

double sim_access_unreachable_share(const uint32_t *time_ds, const double *pop, size_t n) {
    assert(n == 0 || (time_ds && pop));
    double total = 0.0, unreachable = 0.0;
    for (size_t i = 0; i < n; ++i) {
        assert(pop[i] >= 0.0 && isfinite(pop[i]));
        total += pop[i];
        if (time_ds[i] == SIM_UNREACHABLE) unreachable += pop[i];
    }
    return total > 0.0 ? unreachable / total : NAN;
}
