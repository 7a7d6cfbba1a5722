/* accessim run: scenario files in, the output contract out (one file, or a batch). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "geo/geo.h"
#include "geo/write.h"
#include "scenarios/config.h"
#include "scenarios/outdir.h"
#include "scenarios/runner.h"
#include "tools/cli.h"
#include "tools/mpi.h"

static const char RUN_HELP[] =
    "usage: accessim run SCENARIO.yaml... [-o OUTDIR] [--threads N] [--quiet] [--overwrite]\n"
    "                    [--resume] [--yes]\n"
    "\n"
    "Loads the scenario file's street network, population, services (and transit feeds),\n"
    "computes for every mode the travel time from every origin to the nearest service of each\n"
    "kind and the file's accessibility measures, summarises them per population group with\n"
    "equity statistics; then does the same for every scenario of the file (`scenarios:` and\n"
    "`sweeps:`), rebuilding only what each scenario's changes touch, and writes:\n"
    "  OUTDIR/manifest.json, OUTDIR/summary.csv (baseline and delta per scenario),\n"
    "  OUTDIR/baseline/origins.csv, areas.geojson, <service>_<mode>_minutes.tif\n"
    "  OUTDIR/<scenario>/ the same, plus <service>_<mode>_delta_minutes.tif\n"
    "  OUTDIR/comparison.csv and OUTDIR/report.html (when the file has scenarios)\n"
    "(docs/OUTPUTS.md, docs/MEASURES.md and docs/SCENARIOS.md describe every file.)\n"
    "Outputs appear all at once when the run succeeded (nothing is left on failure). A scenario\n"
    "whose changes are bad input is reported and left out; the others complete (exit 2).\n"
    "\n"
    "Several files, or a folder (its *.yaml and *.yml files, sorted), run as a batch: each file\n"
    "writes OUTDIR/<name>/ (OUTDIR default: out); a failing file is reported and the others\n"
    "still run.\n"
    "\n"
    "options:\n"
    "  -o, --output OUTDIR  output folder (default: out/<scenario name>; batches: out)\n"
    "  --threads N          OpenMP threads (default: all cores); results do not depend on it\n"
    "  --quiet              no progress or warnings on stderr\n"
    "  --overwrite          replace an output folder that exists and is not empty\n"
    "  --resume             skip files whose outputs are complete (manifest.json written, no\n"
    "                       failed scenario) and whose inputs are unchanged (same SHA-256 as\n"
    "                       in the manifest); run the others, replacing their outputs\n"
    "  --yes                run sweeps that make more than 1000 scenarios\n"
    "exit status: 0 ok, 1 internal error, 2 bad input or usage (also: a scenario or a file of\n"
    "a batch failed)\n";

/* 1 when the manifest in `dir` shows a complete run whose scenario file and inputs still have
 * the hashes recorded (the manifest's "path", "size", "sha256" entries, as outputs.c writes
 * them), 0 otherwise. */
static int outputs_current(const char *dir) {
    char path[4200];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    FILE *fp = fopen(path, "rb");
    if (!fp) return 0;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *text = n > 0 ? malloc((size_t)n + 1) : NULL;
    int ok = text && fread(text, 1, (size_t)n, fp) == (size_t)n;
    fclose(fp);
    if (!ok) {
        free(text);
        return 0;
    }
    text[n] = '\0';
    ok = strstr(text, "\"version\": \"" ACCESSIM_VERSION "\"") != NULL &&
         strstr(text, "\"status\": \"failed\"") == NULL;
    size_t checked = 0;
    for (const char *p = text; ok && (p = strstr(p, "\"path\": \"")); ) {
        p += 9;
        const char *q = strchr(p, '"');
        if (!q) break;
        char file[4096], want[65], hex[65];
        size_t len = (size_t)(q - p);
        if (len >= sizeof file || memchr(p, '\\', len)) { /* escaped paths: not ours to guess */
            ok = 0;
            break;
        }
        memcpy(file, p, len);
        file[len] = '\0';
        const char *h = strstr(q, "\"sha256\": \"");
        const char *next = strstr(q, "\"path\": \"");
        if (!h || (next && h > next) || sscanf(h + 11, "%64[0-9a-f]", want) != 1) continue;
        uint64_t size = 0;
        sim_error err = {0};
        ok = geo_sha256_file(file, hex, &size, &err) == SIM_OK && !strcmp(hex, want);
        ++checked;
        p = q;
    }
    free(text);
    return ok && checked > 0;
}

/* Runs one file into the existing folder `dir`; prints its summary when `print_summary`. */
int cli_run_into(const char *cmd, const char *cfg_path, const char *dir, const cli_options *o,
                 int print_summary) {
    sim_error err = {0};
    sim_warnings warn = {0};
    scn_config *cfg = NULL;
    scn_city *city = NULL;
    scn_run_result res = {0};
    int status = CLI_OK;
    int lead = cli_mpi_rank() == 0; /* other ranks of an MPI run stay silent */
    scn_run_opts opts = {.progress = o->quiet || !lead ? NULL : cli_progress,
                         .threads = o->threads};
    cli_mpi_run_opts(&opts);
    if (!lead) print_summary = 0;
    if (scn_config_load(cfg_path, &cfg, &err)) {
        status = cli_fail(cmd, &err);
        goto done;
    }
    if (cfg->largest_sweep > SCN_SWEEP_CONFIRM && !o->yes) {
        fprintf(stderr, "accessim %s: %s:%d:%d: a sweep makes %zu scenarios (more than %d); "
                        "run with --yes to run them all\n",
                cmd, cfg->path, cfg->largest_sweep_mark.line, cfg->largest_sweep_mark.col,
                cfg->largest_sweep, SCN_SWEEP_CONFIRM);
        status = CLI_EUSAGE;
        goto done;
    }
    if (scn_city_load(cfg, &opts, &city, &warn, &err) ||
        scn_city_run_scenarios(city, dir, &opts, &warn, &res, &err)) {
        status = cli_fail(cmd, &err);
        goto done;
    }
    cli_progress_end();
    if (!o->quiet && lead) cli_print_warnings(cmd, &warn);
    for (size_t i = 0; i < res.n_scenarios && lead && !o->quiet; ++i)
        for (int w = 0; w < 3 && res.scenarios[i].warning[w][0]; ++w)
            fprintf(stderr, "accessim %s: scenario '%s': warning: %s\n", cmd,
                    res.scenarios[i].name, res.scenarios[i].warning[w]);
    for (size_t i = 0; i < res.n_scenarios && lead; ++i)
        if (res.scenarios[i].failed) {
            fprintf(stderr, "accessim %s: scenario '%s' left out: %s\n", cmd,
                    res.scenarios[i].name, res.scenarios[i].error.msg);
            status = CLI_EUSAGE;
        }
    fflush(stderr);
    if (print_summary) {
        printf("scenario %s: access by mode, %s\n", cfg->name, "baseline");
        cli_print_headlines(res.headlines, res.n_headlines, cfg->thresholds_min,
                            cfg->n_thresholds);
        if (res.n_scenarios)
            printf("\n%zu scenario%s: %zu done, %zu failed (comparison.csv, report.html)\n",
                   res.n_scenarios, res.n_scenarios == 1 ? "" : "s",
                   res.n_scenarios - res.n_failed, res.n_failed);
    }
done:
    scn_run_result_free(&res);
    scn_city_destroy(city);
    scn_config_destroy(cfg);
    sim_warnings_clear(&warn);
    return status;
}

/* Commits the outputs in od.tmp when the run wrote its manifest (last): a file with failed
 * scenarios still commits the others' outputs; a file that failed as a whole commits nothing. */
static int commit_if_complete(const char *cmd, scn_outdir *od, int status) {
    sim_error err = {0};
    char probe[4200];
    struct stat ps;
    snprintf(probe, sizeof probe, "%s/manifest.json", od->tmp);
    if ((status == CLI_OK || status == CLI_EUSAGE) && stat(probe, &ps) == 0 &&
        scn_outdir_commit(od, &err))
        status = cli_fail(cmd, &err);
    scn_outdir_abort(od);
    return status;
}

/* A temporary output folder for `out`, made by rank 0 and known to every rank (MPI); *status
 * says whether that worked (the same on every rank). */
static int begin_outdir(const char *cmd, const char *out, int overwrite, scn_outdir *od) {
    sim_error err = {0};
    char tmp[sizeof od->tmp] = "";
    int status = CLI_OK;
    memset(od, 0, sizeof *od);
    if (cli_mpi_rank() == 0) {
        if (scn_outdir_begin(od, out, overwrite, &err)) status = cli_fail(cmd, &err);
        else snprintf(tmp, sizeof tmp, "%s", od->tmp);
    }
    status = cli_mpi_max(status);
    cli_mpi_bcast_str(tmp, sizeof tmp);
    if (cli_mpi_rank() != 0) snprintf(od->tmp, sizeof od->tmp, "%s", tmp);
    return status;
}

/* Every rank's status combined, then rank 0 commits (or drops) the folder. */
int cli_finish_outdir(const char *cmd, scn_outdir *od, int status) {
    status = cli_mpi_max(status);
    cli_mpi_barrier();
    if (cli_mpi_rank() == 0) status = commit_if_complete(cmd, od, status);
    return cli_mpi_max(status);
}

int cli_begin_outdir(const char *cmd, const char *out, int overwrite, scn_outdir *od) {
    return begin_outdir(cmd, out, overwrite, od);
}

int cli_run_scenario(const char *cmd, const char *path, const char *out, const cli_options *o) {
    scn_outdir od;
    int status = begin_outdir(cmd, out, o->overwrite, &od);
    if (status) return status;
    return cli_finish_outdir(cmd, &od, cli_run_into(cmd, path, od.tmp, o, 0));
}

static int is_yaml(const char *name) {
    size_t n = strlen(name);
    return (n > 5 && !strcmp(name + n - 5, ".yaml")) || (n > 4 && !strcmp(name + n - 4, ".yml"));
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The batch's files: positional files as given, folders expanded to their sorted YAML files. */
static int batch_files(const cli_options *o, char ***files, size_t *n) {
    size_t cap = 16;
    *files = malloc(cap * sizeof **files);
    *n = 0;
    for (int i = 0; i < o->n_positional && *files; ++i) {
        struct stat st;
        const char *p = o->positional[i];
        if (stat(p, &st) != 0)
            return cli_usage_error("run", "%s: no such scenario file or folder", p);
        char **found = NULL;
        size_t nf = 0;
        if (S_ISDIR(st.st_mode)) {
            DIR *d = opendir(p);
            if (!d) return cli_usage_error("run", "%s: cannot read the folder", p);
            struct dirent *e;
            while ((e = readdir(d))) {
                if (e->d_name[0] == '.' || !is_yaml(e->d_name)) continue;
                char **q = realloc(found, (nf + 1) * sizeof *q);
                if (!q) break;
                found = q;
                size_t len = strlen(p) + strlen(e->d_name) + 2;
                found[nf] = malloc(len);
                snprintf(found[nf++], len, "%s/%s", p, e->d_name);
            }
            closedir(d);
            if (!nf) return cli_usage_error("run", "%s: no *.yaml or *.yml file in the folder", p);
            qsort(found, nf, sizeof *found, cmp_str);
        } else {
            found = malloc(sizeof *found);
            found[0] = strdup(p);
            nf = 1;
        }
        for (size_t j = 0; j < nf; ++j) {
            if (*n == cap) *files = realloc(*files, (cap *= 2) * sizeof **files);
            (*files)[(*n)++] = found[j];
        }
        free(found);
    }
    return CLI_OK;
}

static int run_batch(const cli_options *o) {
    char **files = NULL;
    size_t n = 0;
    int status = batch_files(o, &files, &n);
    const char *root = o->output ? o->output : "out";
    char **names = calloc(n ? n : 1, sizeof *names);
    size_t failed = 0, skipped = 0;
    /* every file's output folder is its scenario name: unique within the batch */
    for (size_t i = 0; i < n && status == CLI_OK; ++i) {
        sim_error err = {0};
        scn_config *cfg = NULL;
        if (scn_config_load(files[i], &cfg, &err)) {
            names[i] = NULL; /* reported when its turn comes */
            continue;
        }
        names[i] = strdup(cfg->name);
        scn_config_destroy(cfg);
        for (size_t j = 0; j < i; ++j)
            if (names[j] && !strcmp(names[j], names[i]))
                status = cli_usage_error("run", "%s and %s both have the name '%s', and so would "
                                         "write the same folder %s/%s; rename one ('name:')",
                                         files[j], files[i], names[i], root, names[i]);
    }
    for (size_t i = 0; i < n && status == CLI_OK; ++i) {
        char out[4400];
        if (!names[i]) { /* the file does not parse: say so, go on */
            sim_error err = {0};
            scn_config *cfg = NULL;
            scn_config_load(files[i], &cfg, &err);
            cli_fail("run", &err);
            scn_config_destroy(cfg);
            ++failed;
            continue;
        }
        snprintf(out, sizeof out, "%s/%s", root, names[i]);
        char cur[2] = {(char)(cli_mpi_rank() == 0 && o->resume && outputs_current(out) ? '1' : '0'), 0};
        cli_mpi_bcast_str(cur, sizeof cur);
        if (cur[0] == '1') {
            if (!o->quiet && cli_mpi_rank() == 0)
                fprintf(stderr, "accessim run: %s: outputs in %s are complete and "
                                           "its inputs unchanged; skipped (--resume)\n",
                                   files[i], out);
            ++skipped;
            continue;
        }
        cli_options oi = *o;
        if (o->resume) oi.overwrite = 1;
        if (!o->quiet && cli_mpi_rank() == 0)
            fprintf(stderr, "accessim run: [%zu/%zu] %s\n", i + 1, n, files[i]);
        int st = cli_run_scenario("run", files[i], out, &oi);
        if (st == CLI_EINTERNAL) {
            status = st;
            break;
        }
        if (st != CLI_OK) ++failed;
    }
    if (status == CLI_OK && !o->quiet && cli_mpi_rank() == 0)
        fprintf(stderr, "accessim run: %zu file%s: %zu done, %zu skipped, %zu failed; outputs "
                        "in %s\n",
                n, n == 1 ? "" : "s", n - failed - skipped, skipped, failed, root);
    if (status == CLI_OK && failed) status = CLI_EUSAGE;
    for (size_t i = 0; i < n; ++i) {
        free(files[i]);
        free(names[i]);
    }
    free(files);
    free(names);
    return status;
}

int cmd_run(int argc, char **argv) {
    cli_options o;
    int rc = cli_parse("run", argc, argv, "o,threads,quiet,overwrite,resume,yes", &o);
    if (rc) return rc;
    if (o.help) {
        fputs(RUN_HELP, stdout);
        return CLI_OK;
    }
    if (o.n_positional < 1)
        return cli_usage_error("run", "needs a scenario file (see 'accessim run --help')");
    geo_init();
    cli_set_threads(o.threads);
    struct stat st;
    if (o.n_positional > 1 || (stat(o.positional[0], &st) == 0 && S_ISDIR(st.st_mode)))
        return run_batch(&o);
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
    char cur[2] = {(char)(cli_mpi_rank() == 0 && o.resume && outputs_current(dir) ? '1' : '0'), 0};
    cli_mpi_bcast_str(cur, sizeof cur);
    if (cur[0] == '1') {
        if (!o.quiet && cli_mpi_rank() == 0)
            fprintf(stderr, "accessim run: outputs in %s are complete and the inputs unchanged; "
                            "nothing to do (--resume)\n", dir);
        return CLI_OK;
    }
    if (o.resume) o.overwrite = 1;
    scn_outdir od;
    int status = begin_outdir("run", dir, o.overwrite, &od);
    if (status) return status;
    status = cli_finish_outdir("run", &od, cli_run_into("run", o.positional[0], od.tmp, &o, 1));
    if (status == CLI_OK && !o.quiet && cli_mpi_rank() == 0)
        fprintf(stderr, "accessim run: outputs in %s\n", dir);
    return status;
}
