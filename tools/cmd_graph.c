/* accessim graph export: the routing graph as CSV (and GeoPackage) for independent checks. */
#include <stdio.h>
#include <string.h>

#include "geo/geo.h"
#include "scenarios/config.h"
#include "scenarios/outdir.h"
#include "scenarios/runner.h"
#include "tools/cli.h"

static const char GRAPH_HELP[] =
    "usage: accessim graph export SCENARIO.yaml --mode walk|bike|car -o DIR [--group NAME]\n"
    "       [--overwrite] [--quiet]\n"
    "\n"
    "Writes the graph exactly as accessim routes it, origins and services included:\n"
    "  DIR/nodes.csv  node_id,lon,lat,kind,ref   (kind: street | origin | service:<name>)\n"
    "  DIR/edges.csv  from,to,seconds            (directed arcs)\n"
    "  DIR/edges.gpkg the same arcs as lines, for QGIS\n"
    "Any shortest-path program run on the two CSV files reproduces accessim's times.\n"
    "The mode must be among the scenario's network.modes. With --group, the graph is the one\n"
    "that group is routed on (its own walking speed, if the scenario gives it one).\n"
    "exit status: 0 ok, 1 internal error, 2 bad input or usage\n";

int cmd_graph(int argc, char **argv) {
    cli_options o;
    int rc = cli_parse("graph", argc, argv, "o,mode,group,overwrite,quiet,threads", &o);
    if (rc) return rc;
    if (o.help) {
        fputs(GRAPH_HELP, stdout);
        return CLI_OK;
    }
    if (o.n_positional != 2 || strcmp(o.positional[0], "export") != 0)
        return cli_usage_error("graph", "usage: accessim graph export SCENARIO.yaml --mode "
                                        "walk|bike|car -o DIR (see 'accessim graph --help')");
    if (!o.mode) return cli_usage_error("graph", "needs --mode (walk, bike or car)");
    int mode = cli_mode(o.mode);
    if (strcmp(o.mode, "transit") == 0)
        return cli_usage_error("graph", "transit has no street graph of its own: export --mode "
                                        "walk, the graph transit journeys walk on");
    if (mode < 0)
        return cli_usage_error("graph", "mode '%s' is not available (available: walk, bike, car)",
                               o.mode);
    if (!o.output) return cli_usage_error("graph", "needs -o DIR");
    geo_init();
    cli_set_threads(o.threads);
    sim_error err = {0};
    sim_warnings warn = {0};
    scn_config *cfg = NULL;
    scn_city *city = NULL;
    scn_outdir od = {0};
    scn_run_opts opts = {.progress = o.quiet ? NULL : cli_progress, .progress_ud = NULL, .threads = o.threads};
    int status = CLI_OK;
    if (scn_outdir_begin(&od, o.output, o.overwrite, &err) ||
        scn_config_load(o.positional[1], &cfg, &err) ||
        scn_city_load(cfg, &opts, &city, &warn, &err) ||
        scn_city_export_graph(city, (geo_mode)mode, o.group, od.tmp, &err) || scn_outdir_commit(&od, &err)) {
        status = cli_fail("graph", &err);
    } else {
        cli_progress_end();
        if (!o.quiet) cli_print_warnings("graph", &warn);
    }
    scn_outdir_abort(&od);
    scn_city_destroy(city);
    scn_config_destroy(cfg);
    sim_warnings_clear(&warn);
    return status;
}
