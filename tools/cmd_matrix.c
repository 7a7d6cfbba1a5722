/* accessim matrix: a streamed origin x destination travel-time table, for R/pandas users. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "geo/geo.h"
#include "scenarios/config.h"
#include "scenarios/runner.h"
#include "tools/cli.h"

static const char MATRIX_HELP[] =
    "usage: accessim matrix SCENARIO.yaml --mode walk|bike|car|transit [--cutoff MIN]\n"
    "                       [--to services|origins] [--service KIND] -o FILE.csv\n"
    "                       [--direction auto|forward|backward] [--seconds] [--threads N]\n"
    "                       [--overwrite]\n"
    "                       [--quiet]\n"
    "\n"
    "Writes from_id,to_id,minutes from every origin to every service (or, with --to origins,\n"
    "to every origin), only the pairs within the cutoff. Rows are streamed in origin order,\n"
    "then destination order, identical for any thread count; '-o -' writes to stdout. Origins\n"
    "that do not attach to the mode's network are left out (see accessim validate).\n"
    "With --mode transit (the scenario's transit: block), the columns are\n"
    "from_id,to_id,travel_time_p<P>... : one per configured percentile of the travel time over\n"
    "the departure window, as r5r's travel_time_matrix(); empty where a percentile is not reached\n"
    "within transit.max_trip_min; the cutoff applies to the smallest percentile.\n"
    "\n"
    "options:\n"
    "  --mode M          walk, bike, car or transit (one of the scenario's network.modes)\n"
    "  --cutoff MIN      largest travel time kept, minutes (default: no cutoff)\n"
    "  --to T            services (default) or origins\n"
    "  --service KIND    only services of this kind (default: every kind)\n"
    "  --direction D     auto (default): searches from origins, or backward from the\n"
    "                    destinations when they are few; forward/backward force one (same rows)\n"
    "  --seconds         last column 'seconds': exact routed times (0.1 s) instead of minutes\n"
    "                    rounded to 0.01 (transit: seconds_p<P> columns)\n"
    "  -o FILE           output CSV, written under a temporary name and renamed when complete\n"
    "exit status: 0 ok, 1 internal error, 2 bad input or usage\n";

int cmd_matrix(int argc, char **argv) {
    cli_options o;
    int rc = cli_parse("matrix", argc, argv,
                       "o,mode,cutoff,to,service,direction,seconds,threads,quiet,overwrite", &o);
    if (rc) return rc;
    if (o.help) {
        fputs(MATRIX_HELP, stdout);
        return CLI_OK;
    }
    if (o.n_positional != 1)
        return cli_usage_error("matrix", "needs exactly one scenario file (see 'accessim matrix "
                                         "--help')");
    int mode = cli_mode(o.mode);
    int transit = o.mode && strcmp(o.mode, "transit") == 0;
    if (!o.mode) return cli_usage_error("matrix", "needs --mode (walk, bike, car or transit)");
    if (mode < 0 && !transit)
        return cli_usage_error("matrix", "mode '%s' is not available (walk, bike, car or transit)",
                               o.mode);
    if (transit && o.direction)
        return cli_usage_error("matrix", "--direction applies to street modes, not transit");
    if (!o.output) return cli_usage_error("matrix", "needs -o FILE.csv (or -o - for stdout)");
    double cutoff = 0;
    if (o.cutoff) {
        char *end;
        cutoff = strtod(o.cutoff, &end);
        if (*end || !o.cutoff[0] || !(cutoff > 0) || !isfinite(cutoff))
            return cli_usage_error("matrix", "--cutoff needs minutes > 0, not '%s'", o.cutoff);
    }
    int to_origins = 0;
    if (o.to && strcmp(o.to, "origins") == 0) to_origins = 1;
    else if (o.to && strcmp(o.to, "services") != 0)
        return cli_usage_error("matrix", "--to takes 'services' or 'origins', not '%s'", o.to);
    if (to_origins && o.service)
        return cli_usage_error("matrix", "--service goes with --to services");
    int direction = 0;
    if (o.direction && strcmp(o.direction, "forward") == 0) direction = 1;
    else if (o.direction && strcmp(o.direction, "backward") == 0) direction = -1;
    else if (o.direction && strcmp(o.direction, "auto") != 0)
        return cli_usage_error("matrix", "--direction takes auto, forward or backward, not '%s'",
                               o.direction);
    int to_stdout = strcmp(o.output, "-") == 0;
    struct stat st;
    if (!to_stdout && stat(o.output, &st) == 0 && !o.overwrite)
        return cli_usage_error("matrix", "%s: exists (use --overwrite to replace it)", o.output);

    geo_init();
    cli_set_threads(o.threads);
    sim_error err = {0};
    sim_warnings warn = {0};
    scn_config *cfg = NULL;
    scn_city *city = NULL;
    scn_run_opts opts = {.progress = o.quiet ? NULL : cli_progress, .progress_ud = NULL, .threads = o.threads};
    char tmp[4200] = "";
    FILE *fp = NULL;
    int status = CLI_OK;
    size_t n_src = 0;
    if (scn_config_load(o.positional[0], &cfg, &err) ||
        scn_city_load(cfg, &opts, &city, &warn, &err)) {
        status = cli_fail("matrix", &err);
        goto done;
    }
    if (to_stdout) {
        fp = stdout;
    } else {
        if (snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", o.output) >= (int)sizeof tmp) {
            status = cli_usage_error("matrix", "%s: path too long", o.output);
            goto done;
        }
        int fd = mkstemp(tmp);
        if (fd < 0 || !(fp = fdopen(fd, "w"))) {
            sim_error_set(&err, SIM_EIO, "%s: cannot create: %s", o.output, strerror(errno));
            if (fd >= 0) close(fd);
            tmp[0] = '\0';
            status = cli_fail("matrix", &err);
            goto done;
        }
        mode_t mask = umask(0);
        umask(mask);
        fchmod(fd, 0666 & ~mask);
    }
    if (!o.quiet) cli_progress(NULL, "computing the matrix", 0, 0);
    if (transit ? scn_city_transit_matrix(city, cutoff, to_origins, o.service, o.seconds, fp,
                                          &opts, &n_src, &err)
                : scn_city_matrix(city, (geo_mode)mode, cutoff, to_origins, o.service, direction,
                                  o.seconds, fp, &n_src, &err)) {
        status = cli_fail("matrix", &err);
        goto done;
    }
    cli_progress_end();
    if (fflush(fp) != 0 || ferror(fp)) {
        sim_error_set(&err, SIM_EIO, "%s: cannot write: %s", o.output, strerror(errno));
        status = cli_fail("matrix", &err);
        goto done;
    }
    if (!to_stdout) {
        int bad = fclose(fp) != 0;
        fp = NULL;
        if (bad || rename(tmp, o.output) != 0) {
            sim_error_set(&err, SIM_EIO, "%s: cannot write: %s", o.output, strerror(errno));
            status = cli_fail("matrix", &err);
            goto done;
        }
        tmp[0] = '\0';
    }
    if (!o.quiet) {
        cli_print_warnings("matrix", &warn);
        fprintf(stderr, "accessim matrix: %zu origins searched by %s\n", n_src, o.mode);
    }
done:
    if (fp && fp != stdout) fclose(fp);
    if (tmp[0]) unlink(tmp);
    scn_city_destroy(city);
    scn_config_destroy(cfg);
    sim_warnings_clear(&warn);
    return status;
}
