/* accessim — the CLI's side of distributed runs (MPI, -DACCESSIM_MPI=ON). Without MPI every
 * function is the one-process answer (rank 0 of 1), so the commands call them unconditionally. */
#ifndef CLI_MPI_H
#define CLI_MPI_H

#include <stddef.h>

#include "scenarios/runner.h"
#include "sim/status.h"

void cli_mpi_init(int *argc, char ***argv);
void cli_mpi_finalize(void);
int cli_mpi_rank(void);
int cli_mpi_size(void);
/** Rank 0's `buf` (a NUL-terminated string of at most size - 1 bytes) to every rank. */
void cli_mpi_bcast_str(char *buf, size_t size);
/** The largest `v` over the ranks (exit statuses), on every rank. */
int cli_mpi_max(int v);
void cli_mpi_barrier(void);
/** Sets opts' rank, n_ranks and share (scenarios gathered on rank 0) when there are several
 *  ranks. */
void cli_mpi_run_opts(scn_run_opts *opts);

#endif
