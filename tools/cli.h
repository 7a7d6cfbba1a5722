/* accessim — shared pieces of the command-line tool (prefix cli_). */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <stddef.h>

#include "scenarios/outdir.h"
#include "scenarios/runner.h"
#include "sim/status.h"
#include "sim/warn.h"

/** Exit statuses, as documented in `accessim --help`. */
enum { CLI_OK = 0, CLI_EINTERNAL = 1, CLI_EUSAGE = 2 };

/** Options shared by the commands; each command accepts the subset its --help lists. */
typedef struct {
    const char *positional[256];
    int n_positional;
    const char *output;
    const char *mode;
    const char *cutoff;    /* matrix */
    const char *to;        /* matrix: services | origins */
    const char *service;   /* matrix: one kind */
    const char *direction; /* matrix: auto | forward | backward */
    const char *matrix;      /* measure: the external matrix */
    const char *time_column; /* measure */
    const char *group;       /* graph export: the group's own walk graph */
    int threads;
    int quiet;
    int overwrite;
    int seconds; /* matrix */
    int resume;  /* run */
    int yes;     /* run: confirm large sweeps */
    int help;
    unsigned long long seed;
} cli_options;

/** Option names a command accepts, e.g. "o,threads,quiet,overwrite". */
int cli_parse(const char *cmd, int argc, char **argv, const char *allowed, cli_options *o);

/** Prints "accessim CMD: message" to stderr and returns the exit status for `e`. */
int cli_fail(const char *cmd, const sim_error *e);

/** Prints "accessim CMD: message" (printf-style) and returns CLI_EUSAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/** Sets OpenMP's thread count when threads > 0. */
void cli_set_threads(int threads);

/** Progress reporter for scn_run_opts: a single updating line on a terminal, else silent. */
void cli_progress(void *ud, const char *stage, size_t done, size_t total);
/** Ends the progress line (if any was drawn). */
void cli_progress_end(void);

/** Summarises warnings on stderr: one line per kind, with a count and a few examples. */
void cli_print_warnings(const char *cmd, const sim_warnings *w);

/** Prints the headline table (minutes and shares per service and group, gaps) on stdout. */
void cli_print_headlines(const scn_headline *h, size_t n, const unsigned *thresholds,
                         size_t n_thresholds);

/**
 * Loads the scenario at `path`, runs it and writes the outputs into the folder `out` (all or
 * nothing). Shared by `run` and `demo`. Returns an exit status.
 */
int cli_run_scenario(const char *cmd, const char *path, const char *out, const cli_options *o);

/** Loads, runs and writes one scenario into the existing folder `dir`; prints the headline
 *  table on stdout when `print_summary`. Returns an exit status. */
int cli_run_into(const char *cmd, const char *cfg_path, const char *dir, const cli_options *o,
                 int print_summary);

/** A temporary folder for `out` (made by rank 0, known to every MPI rank), and its end:
 *  statuses combined over the ranks, rank 0 commits when the manifest was written. */
int cli_begin_outdir(const char *cmd, const char *out, int overwrite, scn_outdir *od);
int cli_finish_outdir(const char *cmd, scn_outdir *od, int status);

int cmd_demo(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_matrix(int argc, char **argv);
int cmd_measure(int argc, char **argv);

/** The geo_mode named `name` ("walk", "bike", "car"), or -1. */
int cli_mode(const char *name);

#endif
