/* accessim — command-line entry point: a table of subcommands. */
#include <stdio.h>
#include <string.h>

#include "geo/geo.h"
#include "tools/cli.h"
#include "tools/mpi.h"

#ifndef ACCESSIM_VERSION
#define ACCESSIM_VERSION "unknown"
#endif

typedef struct {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
} cli_command;

static const cli_command COMMANDS[] = {
    {"demo", "Build the synthetic demo city and run its scenario", cmd_demo},
    {"run", "Run a scenario file and write accessibility outputs", cmd_run},
    {"validate", "Check a scenario file's inputs without routing", cmd_validate},
    {"graph", "graph export: write the routing graph as CSV/GeoPackage", cmd_graph},
    {"matrix", "Stream an origin x destination travel-time matrix as CSV", cmd_matrix},
    {"measure", "Measures and equity from a travel-time matrix made elsewhere", cmd_measure},
};

static void usage(FILE *fp) {
    fputs("usage: accessim <command> [options]   (accessim <command> --help for details)\n\n"
          "accessim measures how long people need to reach services (clinics, schools,\n"
          "language courses, legal aid, employment offices), per population group.\n\ncommands:\n",
          fp);
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; ++i)
        fprintf(fp, "  %-10s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fputs("\noptions:\n  --help       this text\n  --version    versions of accessim, GDAL, PROJ "
          "and GEOS\n\nexit status: 0 ok, 1 internal error, 2 bad input or usage\n",
          fp);
}

static int dispatch(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return CLI_EUSAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return CLI_OK;
    }
    if (!strcmp(cmd, "--version")) {
        char v[256];
        geo_init();
        geo_versions(v, sizeof v);
        printf("accessim %s (%s)\n", ACCESSIM_VERSION, v);
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; ++i)
        if (!strcmp(cmd, COMMANDS[i].name)) return COMMANDS[i].run(argc - 2, argv + 2);
    fprintf(stderr, "accessim: unknown command '%s' (see 'accessim --help')\n", cmd);
    return CLI_EUSAGE;
}

int main(int argc, char **argv) {
    cli_mpi_init(&argc, &argv); /* a no-op unless built with -DACCESSIM_MPI=ON */
    int status = dispatch(argc, argv);
    cli_mpi_finalize();
    return status;
}
