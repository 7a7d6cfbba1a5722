/*
 * accessim — many-to-many travel-time matrices, streamed in a deterministic order.
 *
 * The kernel runs one cutoff-bounded search per distinct source node (forward) or per distinct
 * destination node on the reverse graph (backward), in parallel with OpenMP, and hands rows
 * (from, to, time) to a caller's sink in (from, to) order. The rows never depend on the
 * direction, the number of threads or the scheduling.
 */
#ifndef SIM_MATRIX_H
#define SIM_MATRIX_H

#include <stddef.h>
#include <stdint.h>

#include "sim/graph.h"
#include "sim/status.h"

/** One matrix cell: `from` and `to` index the source and destination lists, time in ds. */
typedef struct {
    uint32_t from, to, time_ds;
} sim_od;

/**
 * Receives rows. Called serially, from the thread that called sim_matrix_run(), never from a
 * parallel region; across all calls rows come sorted by (from, to), each pair at most once.
 * `rows` is only valid during the call. Returning anything but SIM_OK stops the run, which then
 * returns that status.
 */
typedef sim_status (*sim_matrix_sink)(void *ud, const sim_od *rows, size_t n_rows);

typedef enum {
    SIM_MATRIX_AUTO,     /* backward when destinations are much fewer; see sim_matrix_run() */
    SIM_MATRIX_FORWARD,  /* one search per distinct source node on `fwd` */
    SIM_MATRIX_BACKWARD, /* one search per distinct destination node on `rev` */
} sim_matrix_direction;

/** What a run did, for benchmarks and progress reports. */
typedef struct {
    sim_matrix_direction direction; /* the direction used: FORWARD or BACKWARD, never AUTO */
    uint64_t searches;              /* searches run (a node shared by several sources: one) */
    uint64_t settled;               /* nodes settled, summed over all searches */
    uint32_t max_settled;           /* nodes settled by the largest single search */
    uint64_t rows;                  /* rows handed to the sink */
    int threads;                    /* OpenMP threads used */
    int fell_back;                  /* AUTO tried backward, hit its row budget, ran forward */
} sim_matrix_stats;

/**
 * Streams every pair (i, j) with travel time from node src_nodes[i] to node dst_nodes[j] at most
 * `cutoff_ds` (inclusive; SIM_UNREACHABLE - 1 at most) to `sink`, as sim_od{i, j, time} rows in
 * increasing (i, j) order. Several sources or destinations may share a node; each index still
 * gets its own rows. A source at a destination's node gives time 0.
 *
 * `fwd` is the graph and `rev` must be sim_graph_reverse(fwd) (same node numbering). FORWARD
 * needs only `fwd`, BACKWARD only `rev`, AUTO needs `fwd` and considers backward only if `rev`
 * is given (an unneeded graph may be NULL). Both directions give identical rows:
 *  - FORWARD processes sources in chunks of 256 to 16384 consecutive indices, sized from the
 *    previous chunk's rows so that a chunk holds about 16 M rows at most (the first chunk
 *    assumes every destination is reached). Within a chunk, threads take its distinct source
 *    nodes in node order dynamically, each with its own sim_scratch, and the chunk's rows go to
 *    the sink in source order once it completes. Memory: a scratch per thread (about 20 bytes
 *    per node) plus the chunk's rows (8 bytes each). On a graph numbered for locality
 *    (sim/order.h), consecutive node ids are near each other, which keeps caches warm.
 *    Consecutive sources being near each other helps too.
 *  - BACKWARD searches `rev` from each distinct destination node, keeps every row (16 bytes per
 *    row at the peak), sorts them by (from, to) in linear time and streams them.
 *  - AUTO takes BACKWARD when `rev` is given and the distinct destination nodes are at most a
 *    quarter of the distinct source nodes (so it runs at most a quarter of the searches), else
 *    FORWARD. To bound memory, if the backward rows exceed 2^25 (about 512 MB) it drops them and
 *    runs FORWARD instead: at most a quarter more searches, same output.
 * Threads: omp_get_max_threads(); set it with omp_set_num_threads() or OMP_NUM_THREADS.
 * Graphs and lists are only read; `stats` (may be NULL) is filled on return, whatever the
 * status. Returns SIM_OK; SIM_EINVAL (NULL sink or needed graph, NULL list with a non-zero
 * count, a node out of range, graphs of different sizes); SIM_ENOMEM; or the sink's status.
 * Rows already streamed before an error stay streamed.
 */
sim_status sim_matrix_run(const sim_graph *fwd, const sim_graph *rev, const uint32_t *src_nodes,
                          uint32_t n_src, const uint32_t *dst_nodes, uint32_t n_dst,
                          uint32_t cutoff_ds, sim_matrix_direction dir, sim_matrix_sink sink,
                          void *ud);

/** sim_matrix_run() that also reports what it did into `stats` (may be NULL). */
sim_status sim_matrix_run_stats(const sim_graph *fwd, const sim_graph *rev,
                                const uint32_t *src_nodes, uint32_t n_src,
                                const uint32_t *dst_nodes, uint32_t n_dst, uint32_t cutoff_ds,
                                sim_matrix_direction dir, sim_matrix_sink sink, void *ud,
                                sim_matrix_stats *stats);

/**
 * For tests only: sets the row budget above which AUTO abandons a backward run (0 restores the
 * default 2^25) and returns the previous budget. Not thread-safe: call it between runs.
 */
size_t sim__matrix_set_auto_budget(size_t rows);

#endif
