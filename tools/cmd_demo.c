/* accessim demo: generate the synthetic demo city and run it exactly as `accessim run` would. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "geo/demo_city.h"
#include "geo/geo.h"
#include "scenarios/outdir.h"
#include "tools/cli.h"
#include "tools/mpi.h"

static const char DEMO_HELP[] =
    "usage: accessim demo [-o OUTDIR] [--seed N] [--threads N] [--quiet] [--overwrite]\n"
    "\n"
    "Generates a synthetic city (seeded, deterministic): streets with a dense centre,\n"
    "arterials, cul-de-sacs and a river crossed by a few bridges; neighbourhoods with total\n"
    "and migrant population; clinics, schools, language courses, legal aid and employment\n"
    "offices with capacities; three bus lines, the one serving the arrival neighbourhood with\n"
    "the most migrants only every 30 minutes. Writes them to OUTDIR/inputs/ (GeoPackage,\n"
    "EPSG:32633; the buses as a GTFS folder, OUTDIR/inputs/gtfs/) with the scenario file\n"
    "OUTDIR/demo.yaml, then runs it as 'accessim run OUTDIR/demo.yaml' would, into OUTDIR,\n"
    "and prints the access of migrants next to everyone's on foot, by bike, by car and by bus\n"
    "(transit_p50: the median door-to-door time over departures 08:00-08:59 on a weekday).\n"
    "\n"
    "options:\n"
    "  -o, --output OUTDIR  output folder (default: out/demo)\n"
    "  --seed N             generator seed (default 20261122)\n"
    "  --threads N          OpenMP threads (default: all cores)\n"
    "  --quiet              no progress or warnings on stderr\n"
    "  --overwrite          replace OUTDIR if it exists and is not empty\n"
    "exit status: 0 ok, 1 internal error, 2 bad input or usage\n";

int cmd_demo(int argc, char **argv) {
    cli_options o;
    int rc = cli_parse("demo", argc, argv, "o,seed,threads,quiet,overwrite", &o);
    if (rc) return rc;
    if (o.help) {
        fputs(DEMO_HELP, stdout);
        return CLI_OK;
    }
    if (o.n_positional) return cli_usage_error("demo", "takes no arguments (see 'accessim demo --help')");
    const char *out = o.output ? o.output : "out/demo";
    geo_init();
    cli_set_threads(o.threads);
    sim_error err = {0};
    scn_outdir od;
    int lead = cli_mpi_rank() == 0; /* MPI: rank 0 writes the city, every rank runs it */
    int status = cli_begin_outdir("demo", out, o.overwrite, &od);
    if (status) return status;
    if (lead && geo_demo_city_write(od.tmp, o.seed, &err)) status = cli_fail("demo", &err);
    status = cli_mpi_max(status);
    int cwd = open(".", O_RDONLY | O_DIRECTORY);
    if (status) {
        /* the city could not be written: nothing to run */
    } else if (cwd < 0) {
        sim_error_set(&err, SIM_EIO, "cannot open the current folder: %s", strerror(errno));
        status = cli_fail("demo", &err);
    } else if (chdir(od.tmp) != 0) {
        sim_error_set(&err, SIM_EIO, "%s: %s", od.tmp, strerror(errno));
        status = cli_fail("demo", &err);
    } else {
        /* Inside the folder, the manifest records paths relative to OUTDIR. */
        if (!o.quiet && lead)
            fprintf(stderr, "accessim demo: city and bus lines generated (seed %llu)\n", o.seed);
        status = cli_run_into("demo", "demo.yaml", ".", &o, 1);
        if (fchdir(cwd) != 0 && status == CLI_OK) {
            sim_error_set(&err, SIM_EIO, "cannot return to the starting folder: %s",
                          strerror(errno));
            status = cli_fail("demo", &err);
        }
    }
    if (cwd >= 0) close(cwd);
    status = cli_finish_outdir("demo", &od, status);
    if (status == CLI_OK && !o.quiet && lead)
        fprintf(stderr, "accessim demo: outputs in %s (scenario file %s/demo.yaml)\n", out, out);
    return status;
}
