/* accessim run: a scenario file in, the output contract out. */
#include <stdio.h>
#include <stdlib.h>

#include "geo/geo.h"
#include "scenarios/config.h"
#include "scenarios/outdir.h"
#include "scenarios/runner.h"
#include "tools/cli.h"

static const char RUN_HELP[] =
    "usage: accessim run SCENARIO.yaml [-o OUTDIR] [--threads N] [--quiet] [--overwrite]\n"
    "\n"
    "Loads the scenario's street network, population and services, computes for every mode\n"
    "(walk, bike, car) the travel time from every origin to the nearest service of each kind\n"
    "and the scenario's accessibility measures, summarises them per population group with\n"
    "equity statistics, and writes:\n"
    "  OUTDIR/manifest.json, OUTDIR/summary.csv,\n"
    "  OUTDIR/baseline/origins.csv, OUTDIR/baseline/areas.geojson,\n"
    "  OUTDIR/baseline/<service>_<mode>_minutes.tif\n"
    "(docs/OUTPUTS.md and docs/MEASURES.md describe every column and row.)\n"
    "Outputs appear all at once when everything succeeded (nothing is left on failure).\n"
    "\n"
    "options:\n"
    "  -o, --output OUTDIR  output folder (default: out/<scenario name>)\n"
    "  --threads N          OpenMP threads (default: all cores); results do not depend on it\n"
    "  --quiet              no progress or warnings on stderr\n"
    "  --overwrite          replace OUTDIR if it exists and is not empty\n"
    "exit status: 0 ok, 1 internal error, 2 bad input or usage\n";

int cli_run_into(const char *cmd, const char *cfg_path, const char *dir, const cli_options *o,
                 int print_summary) {
    sim_error err = {0};
    sim_warnings warn = {0};
    scn_config *cfg = NULL;
    scn_city *city = NULL;
    scn_headline *heads = NULL;
    size_t n_heads = 0;
    int status = CLI_OK;
    scn_run_opts opts = {o->quiet ? NULL : cli_progress, NULL, o->threads};
    if (scn_config_load(cfg_path, &cfg, &err) || scn_city_load(cfg, &opts, &city, &warn, &err) ||
        scn_city_run(city, dir, &opts, &warn, &heads, &n_heads, &err)) {
        status = cli_fail(cmd, &err);
        goto done;
    }
    cli_progress_end();
    if (!o->quiet) cli_print_warnings(cmd, &warn);
    fflush(stderr);
    if (print_summary) {
        printf("scenario %s: access by mode, %s\n", cfg->name, "baseline");
        cli_print_headlines(heads, n_heads, cfg->thresholds_min, cfg->n_thresholds);
    }
done:
    free(heads);
    scn_city_destroy(city);
    scn_config_destroy(cfg);
    sim_warnings_clear(&warn);
    return status;
}

int cli_run_scenario(const char *cmd, const char *path, const char *out, const cli_options *o) {
    sim_error err = {0};
    scn_outdir od;
    if (scn_outdir_begin(&od, out, o->overwrite, &err)) return cli_fail(cmd, &err);
    int status = cli_run_into(cmd, path, od.tmp, o, 0);
    if (status == CLI_OK && scn_outdir_commit(&od, &err)) status = cli_fail(cmd, &err);
    scn_outdir_abort(&od);
    return status;
}

int cmd_run(int argc, char **argv) {
    cli_options o;
    int rc = cli_parse("run", argc, argv, "o,threads,quiet,overwrite", &o);
    if (rc) return rc;
    if (o.help) {
        fputs(RUN_HELP, stdout);
        return CLI_OK;
    }
    if (o.n_positional != 1)
        return cli_usage_error("run", "needs exactly one scenario file (see 'accessim run --help')");
    geo_init();
    cli_set_threads(o.threads);
    char out[4096];
    const char *dir = o.output;
    if (!dir) {
        /* default: out/<scenario name>; the name needs the file parsed */
        sim_error err = {0};
        scn_config *cfg = NULL;
        if (scn_config_load(o.positional[0], &cfg, &err)) return cli_fail("run", &err);
        snprintf(out, sizeof out, "out/%s", cfg->name);
        scn_config_destroy(cfg);
        dir = out;
    }
    sim_error err = {0};
    scn_outdir od;
    if (scn_outdir_begin(&od, dir, o.overwrite, &err)) return cli_fail("run", &err);
    int status = cli_run_into("run", o.positional[0], od.tmp, &o, 1);
    if (status == CLI_OK && scn_outdir_commit(&od, &err)) status = cli_fail("run", &err);
    scn_outdir_abort(&od);
    if (status == CLI_OK && !o.quiet) fprintf(stderr, "accessim run: outputs in %s\n", dir);
    return status;
}
