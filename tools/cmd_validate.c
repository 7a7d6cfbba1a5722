/* accessim validate: check every input of a scenario file without routing. */
#include <stdio.h>

#include "geo/geo.h"
#include "scenarios/config.h"
#include "scenarios/runner.h"
#include "scenarios/scenario.h"
#include "tools/cli.h"

static const char VALIDATE_HELP[] =
    "usage: accessim validate SCENARIO.yaml [--quiet]\n"
    "\n"
    "Parses the scenario file and loads every input it names (network, population, services):\n"
    "files, layers, fields, CRS, numeric values, and that every service lies within the\n"
    "snapping distance of a walkable street; then applies each scenario's changes (services,\n"
    "routes, stops, groups and areas they name must exist). Prints what it found; computes no\n"
    "travel time.\n"
    "exit status: 0 inputs usable, 2 a problem (named on stderr), 1 internal error\n";

int cmd_validate(int argc, char **argv) {
    cli_options o;
    int rc = cli_parse("validate", argc, argv, "quiet", &o);
    if (rc) return rc;
    if (o.help) {
        fputs(VALIDATE_HELP, stdout);
        return CLI_OK;
    }
    if (o.n_positional != 1)
        return cli_usage_error("validate",
                               "needs exactly one scenario file (see 'accessim validate --help')");
    geo_init();
    sim_error err = {0};
    sim_warnings warn = {0};
    scn_config *cfg = NULL;
    scn_city *city = NULL;
    scn_run_opts opts = {.progress = o.quiet ? NULL : cli_progress, .progress_ud = NULL, .threads = 0};
    int status = CLI_OK;
    sim_error problems[32];
    size_t n_problems = 0;
    if (scn_config_load(o.positional[0], &cfg, &err)) {
        status = cli_fail("validate", &err);
    } else if (scn_city_check(cfg, &opts, &city, &warn, problems, 32, &n_problems)) {
        /* every problem found, one line each; the exit status of the first decides */
        for (size_t i = 0; i < n_problems; ++i) {
            int s = cli_fail("validate", &problems[i]);
            if (i == 0) status = s;
        }
        if (n_problems > 1) fprintf(stderr, "accessim validate: %zu problems\n", n_problems);
    } else {
        cli_progress_end();
        char buf[2048];
        scn_city_describe(city, buf, sizeof buf);
        printf("%s: OK\n%s\n", o.positional[0], buf);
        for (size_t i = 0; i < warn.n; ++i)
            printf("warning: %zu x %s\n", warn.items[i].count, warn.items[i].what);
        /* each scenario's changes against the data, as `run` would apply them */
        size_t bad = 0;
        for (size_t i = 0; i < cfg->n_scenarios; ++i) {
            scn_city *sc = NULL;
            scn_touched t = {0};
            sim_warnings sw = {0};
            sim_error serr = {0};
            sim_status src = scn_city_derive(city, &cfg->scenarios[i], &opts, &sc, &t, &sw, &serr);
            if (src) {
                int st = cli_fail("validate", &serr);
                if (!bad++) status = st;
            }
            for (size_t w = 0; w < sw.n; ++w)
                printf("warning: scenario %s: %zu x %s\n", cfg->scenarios[i].name,
                       sw.items[w].count, sw.items[w].what);
            scn_touched_free(&t);
            scn_city_destroy(sc);
            sim_warnings_clear(&sw);
        }
        if (cfg->n_scenarios)
            printf("%zu scenario%s: %zu applied, %zu failed\n", cfg->n_scenarios,
                   cfg->n_scenarios == 1 ? "" : "s", cfg->n_scenarios - bad, bad);
    }
    scn_city_destroy(city);
    scn_config_destroy(cfg);
    sim_warnings_clear(&warn);
    return status;
}
