#include "sim/order.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>

#define HILBERT_BITS 16
#define HILBERT_SIDE (1u << HILBERT_BITS)

/* Position of cell (x, y) of a 2^16 x 2^16 grid along the Hilbert curve, in [0, 2^32): the
 * classic iterative form (Hamilton; Wikipedia's xy2d), which rotates the remaining low bits of
 * the coordinates into the orientation of the sub-square they fall in. */
static uint32_t hilbert_index(uint32_t x, uint32_t y) {
    uint32_t d = 0;
    for (uint32_t s = HILBERT_SIDE / 2; s > 0; s /= 2) {
        uint32_t rx = (x & s) ? 1u : 0u, ry = (y & s) ? 1u : 0u;
        d += s * s * ((3u * rx) ^ ry); /* at most 3 * 2^30 + ... < 2^32 */
        if (ry == 0) {
            if (rx == 1) {
                x = HILBERT_SIDE - 1 - x;
                y = HILBERT_SIDE - 1 - y;
            }
            uint32_t t = x;
            x = y;
            y = t;
        }
    }
    return d;
}

/* Maps v in [lo, lo + extent] to a cell in [0, 2^16). */
static uint32_t cell_of(double v, double lo, double scale) {
    double c = floor((v - lo) * scale);
    if (!(c > 0.0)) return 0; /* also catches a rounding that dips below the box */
    if (c > (double)(HILBERT_SIDE - 1)) return HILBERT_SIDE - 1;
    return (uint32_t)c;
}

sim_status sim_order_hilbert(const double *x, const double *y, uint32_t n, uint32_t *order) {
    if (n == 0) return SIM_OK;
    if (!x || !y || !order) return SIM_EINVAL;
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    for (uint32_t i = 0; i < n; ++i) {
        if (!isfinite(x[i]) || !isfinite(y[i])) return SIM_EINVAL;
        xmin = fmin(xmin, x[i]);
        xmax = fmax(xmax, x[i]);
        ymin = fmin(ymin, y[i]);
        ymax = fmax(ymax, y[i]);
    }
    double extent = fmax(xmax - xmin, ymax - ymin);
    /* One grid step per extent / 2^16; a zero extent (all points equal) puts all in cell 0. An
     * infinite extent (finite coordinates of opposite huge magnitudes) would give a zero scale,
     * which also puts everything in cell 0: still a valid, deterministic order. */
    double scale = extent > 0.0 ? (double)HILBERT_SIDE / extent : 0.0;
    if (!isfinite(scale)) scale = 0.0;

    /* Keys (index along the curve, original index): sorting them by the curve index alone with
     * a stable LSD radix sort leaves equal cells in original index order. */
    uint64_t *key = malloc((size_t)n * sizeof *key);
    uint64_t *tmp = malloc((size_t)n * sizeof *tmp);
    if (!key || !tmp) {
        free(key);
        free(tmp);
        return SIM_ENOMEM;
    }
    for (uint32_t i = 0; i < n; ++i) {
        uint32_t d = hilbert_index(cell_of(x[i], xmin, scale), cell_of(y[i], ymin, scale));
        key[i] = (uint64_t)d << 32 | i;
    }
    for (unsigned shift = 32; shift < 64; shift += 8) {
        size_t count[257] = {0};
        for (uint32_t i = 0; i < n; ++i) ++count[((key[i] >> shift) & 0xff) + 1];
        if (count[((key[0] >> shift) & 0xff) + 1] == n) continue; /* one digit value: no-op */
        for (int b = 0; b < 256; ++b) count[b + 1] += count[b];
        for (uint32_t i = 0; i < n; ++i) tmp[count[(key[i] >> shift) & 0xff]++] = key[i];
        uint64_t *t = key;
        key = tmp;
        tmp = t;
    }
    for (uint32_t k = 0; k < n; ++k) order[k] = (uint32_t)(key[k] & UINT32_MAX);
    free(key);
    free(tmp);
    return SIM_OK;
}

sim_status sim_order_invert(const uint32_t *perm, uint32_t n, uint32_t *inv) {
    if (n == 0) return SIM_OK;
    if (!perm || !inv) return SIM_EINVAL;
    for (uint32_t k = 0; k < n; ++k) inv[k] = UINT32_MAX;
    for (uint32_t k = 0; k < n; ++k) {
        /* Out of range or seen twice: not a permutation. (UINT32_MAX is never a valid index,
         * since k < n <= UINT32_MAX, so it safely marks "not yet seen".) */
        if (perm[k] >= n || inv[perm[k]] != UINT32_MAX) return SIM_EINVAL;
        inv[perm[k]] = k;
    }
    return SIM_OK;
}
