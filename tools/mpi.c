/* accessim — distributed runs over MPI (tools/mpi.h). Scenarios are dealt to ranks round-robin
 * (scenarios/outputs.c); each rank uses OpenMP inside; records come back to rank 0 in scenario
 * order, so the outputs are the bytes of a one-process run. */
#include "tools/mpi.h"

#include <stdlib.h>
#include <string.h>

#ifdef ACCESSIM_MPI
#include <mpi.h>

static int g_rank, g_size = 1, g_on;

void cli_mpi_init(int *argc, char ***argv) {
    int provided = 0;
    /* OpenMP threads never call MPI: only the main thread does */
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) return;
    g_on = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_size);
}

void cli_mpi_finalize(void) {
    if (g_on) MPI_Finalize();
}

int cli_mpi_rank(void) { return g_rank; }
int cli_mpi_size(void) { return g_size; }

void cli_mpi_bcast_str(char *buf, size_t size) {
    if (g_size > 1) MPI_Bcast(buf, (int)size, MPI_CHAR, 0, MPI_COMM_WORLD);
    buf[size - 1] = '\0';
}

int cli_mpi_max(int v) {
    int out = v;
    if (g_size > 1) MPI_Allreduce(&v, &out, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return out;
}

void cli_mpi_barrier(void) {
    if (g_size > 1) MPI_Barrier(MPI_COMM_WORLD);
}

/* The owner sends its record (length, then bytes) to rank 0; rank 0 keeps its own. */
static sim_status share(void *ud, int owner, char **buf, size_t *len, sim_error *err) {
    (void)ud;
    if (owner == 0) {
        if (g_rank != 0) { /* not ours: nothing to hold */
            free(*buf);
            *buf = NULL;
            *len = 0;
        }
        return SIM_OK;
    }
    if (g_rank == owner) {
        unsigned long long n = *len;
        if (MPI_Send(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, 1, MPI_COMM_WORLD) != MPI_SUCCESS ||
            MPI_Send(*buf, (int)n, MPI_BYTE, 0, 2, MPI_COMM_WORLD) != MPI_SUCCESS)
            return sim_error_set(err, SIM_EINTERNAL, "MPI: sending a scenario's results");
        free(*buf);
        *buf = NULL;
        *len = 0;
    } else if (g_rank == 0) {
        unsigned long long n = 0;
        if (MPI_Recv(&n, 1, MPI_UNSIGNED_LONG_LONG, owner, 1, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE) != MPI_SUCCESS)
            return sim_error_set(err, SIM_EINTERNAL, "MPI: receiving a scenario's results");
        free(*buf);
        if (!(*buf = malloc(n ? n : 1))) return sim_error_set(err, SIM_ENOMEM, "MPI");
        if (MPI_Recv(*buf, (int)n, MPI_BYTE, owner, 2, MPI_COMM_WORLD, MPI_STATUS_IGNORE) !=
            MPI_SUCCESS)
            return sim_error_set(err, SIM_EINTERNAL, "MPI: receiving a scenario's results");
        *len = (size_t)n;
    }
    return SIM_OK;
}

void cli_mpi_run_opts(scn_run_opts *opts) {
    if (g_size <= 1) return;
    opts->rank = g_rank;
    opts->n_ranks = g_size;
    opts->share = share;
    opts->share_ud = NULL;
}

#else

void cli_mpi_init(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
}
void cli_mpi_finalize(void) {}
int cli_mpi_rank(void) { return 0; }
int cli_mpi_size(void) { return 1; }
void cli_mpi_bcast_str(char *buf, size_t size) { buf[size - 1] = '\0'; }
int cli_mpi_max(int v) { return v; }
void cli_mpi_barrier(void) {}
void cli_mpi_run_opts(scn_run_opts *opts) { (void)opts; }

#endif
