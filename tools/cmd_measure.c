/* accessim measure: accessibility and equity measures from a travel-time matrix made elsewhere. */
#include <stdio.h>
#include <stdlib.h>

#include "geo/geo.h"
#include "scenarios/config.h"
#include "scenarios/outdir.h"
#include "scenarios/runner.h"
#include "tools/cli.h"

static const char MEASURE_HELP[] =
    "usage: accessim measure SCENARIO.yaml --matrix FILE.csv [-o OUTDIR] [--time-column NAME]\n"
    "                        [--quiet] [--overwrite]\n"
    "\n"
    "Computes every measure of the scenario file (docs/MEASURES.md) from a travel-time matrix\n"
    "made elsewhere (r5r's travel_time_matrix, OTP, your own model) instead of routing: a CSV\n"
    "with from_id, to_id and a time in minutes (travel_time_p50, travel_time, minutes or time,\n"
    "or --time-column). from_id is joined to the scenario's population ids, to_id to its\n"
    "service ids; empty or NA times are unreachable pairs. The scenario's network is not read.\n"
    "Writes the outputs of 'accessim run' with the mode 'matrix' and no rasters:\n"
    "  OUTDIR/manifest.json, OUTDIR/summary.csv, OUTDIR/baseline/origins.csv and areas.geojson\n"
    "\n"
    "options:\n"
    "  --matrix FILE       the travel-time matrix (required)\n"
    "  --time-column NAME  the column holding minutes\n"
    "  -o, --output OUTDIR output folder (default: out/<scenario name>-measures)\n"
    "  --quiet             no progress or warnings on stderr\n"
    "  --overwrite         replace OUTDIR if it exists and is not empty\n"
    "exit status: 0 ok, 1 internal error, 2 bad input or usage\n";

int cmd_measure(int argc, char **argv) {
    cli_options o;
    int rc = cli_parse("measure", argc, argv, "o,matrix,time-column,quiet,overwrite,threads", &o);
    if (rc) return rc;
    if (o.help) {
        fputs(MEASURE_HELP, stdout);
        return CLI_OK;
    }
    if (o.n_positional != 1)
        return cli_usage_error("measure", "needs exactly one scenario file (see 'accessim measure "
                                          "--help')");
    if (!o.matrix) return cli_usage_error("measure", "needs --matrix FILE.csv");
    geo_init();
    cli_set_threads(o.threads);
    sim_error err = {0};
    sim_warnings warn = {0};
    scn_config *cfg = NULL;
    scn_city *city = NULL;
    scn_headline *heads = NULL;
    size_t n_heads = 0;
    scn_outdir od = {0};
    scn_run_opts opts = {.progress = o.quiet ? NULL : cli_progress, .progress_ud = NULL, .threads = o.threads};
    int status = CLI_OK;
    char out[4096];
    if (scn_config_load(o.positional[0], &cfg, &err)) {
        status = cli_fail("measure", &err);
        goto done;
    }
    snprintf(out, sizeof out, "out/%s-measures", cfg->name);
    if (scn_outdir_begin(&od, o.output ? o.output : out, o.overwrite, &err) ||
        scn_city_load_without_network(cfg, &opts, &city, &warn, &err) ||
        scn_city_measure_matrix(city, o.matrix, o.time_column, od.tmp, &warn, &heads, &n_heads,
                                &err) ||
        scn_outdir_commit(&od, &err)) {
        status = cli_fail("measure", &err);
        goto done;
    }
    cli_progress_end();
    if (!o.quiet) cli_print_warnings("measure", &warn);
    fflush(stderr);
    printf("scenario %s: measures from %s\n", cfg->name, o.matrix);
    cli_print_headlines(heads, n_heads, cfg->thresholds_min, cfg->n_thresholds);
done:
    scn_outdir_abort(&od);
    free(heads);
    scn_city_destroy(city);
    scn_config_destroy(cfg);
    sim_warnings_clear(&warn);
    return status;
}
