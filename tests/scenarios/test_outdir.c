/*
 * Tests for scenarios/outdir.c: all-or-nothing output folders. Each case works in a fresh
 * subfolder of a temporary folder and checks what is (and is not) left on disk afterwards.
 */
#include "scenarios/outdir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "geo/geo.h"
#include "test_util.h"

static char tmp_dir[256];

#define D 512  /* a case folder */
#define P 1024 /* a path under one */

/* A fresh, empty case folder tmp_dir/name into `out`. */
static const char *case_dir(const char *name, char *out) {
    tu_path(tmp_dir, name, out, D);
    if (mkdir(out, 0755) != 0) {
        fprintf(stderr, "mkdir %s: %s\n", out, strerror(errno));
        exit(1);
    }
    return out;
}

/* The first 255 bytes of dir/name, or "" if it cannot be read (static buffer). */
static const char *read_text(const char *dir, const char *name) {
    static char buf[256];
    char path[PATH_MAX + 64];
    char *text = tu_read_file(tu_path(dir, name, path, sizeof path));
    snprintf(buf, sizeof buf, "%s", text ? text : "");
    free(text);
    return buf;
}

static int is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int exists(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0;
}

static void test_begin_commit(void) {
    char dir[D], final[P], prefix[P], names[P];
    case_dir("commit", dir);
    snprintf(final, sizeof final, "%s/out", dir);
    scn_outdir o;
    sim_error err = {0};
    CHECK_EQ_INT(scn_outdir_begin(&o, final, 0, &err), SIM_OK);
    CHECK_EQ_INT(o.active, 1);
    CHECK_STR_EQ(o.final, final);
    /* a hidden temporary folder next to the final one; the final one does not exist yet */
    snprintf(prefix, sizeof prefix, "%s/.out.tmp-", dir);
    CHECK_EQ_INT(strncmp(o.tmp, prefix, strlen(prefix)), 0);
    CHECK(is_dir(o.tmp));
    CHECK(!exists(final));
    tu_write_file(o.tmp, "a.txt", "alpha", NULL, 0);
    tu_write_file(o.tmp, "b.txt", "beta", NULL, 0);
    char tmp_copy[PATH_MAX];
    snprintf(tmp_copy, sizeof tmp_copy, "%s", o.tmp);

    CHECK_EQ_INT(scn_outdir_commit(&o, &err), SIM_OK);
    CHECK_EQ_INT(o.active, 0);
    CHECK(is_dir(final));
    CHECK_STR_EQ(read_text(final, "a.txt"), "alpha");
    CHECK_STR_EQ(read_text(final, "b.txt"), "beta");
    CHECK_EQ_INT(tu_count_entries(final, NULL, 0), 2);
    CHECK(!exists(tmp_copy));
    /* only the final folder is left in the parent */
    CHECK_EQ_INT(tu_count_entries(dir, names, sizeof names), 1);
    CHECK_STR_EQ(names, "out");
    /* abort after commit is harmless */
    scn_outdir_abort(&o);
    CHECK(is_dir(final));
    CHECK_STR_EQ(read_text(final, "a.txt"), "alpha");
}

static void test_missing_parents_and_trailing_slash(void) {
    char dir[D], final[P], expect[P];
    case_dir("parents", dir);
    snprintf(final, sizeof final, "%s/a/b/c/", dir); /* trailing slash */
    snprintf(expect, sizeof expect, "%s/a/b/c", dir);
    scn_outdir o;
    sim_error err = {0};
    CHECK_EQ_INT(scn_outdir_begin(&o, final, 0, &err), SIM_OK);
    CHECK_STR_EQ(o.final, expect);
    tu_write_file(o.tmp, "x.csv", "1\n", NULL, 0);
    CHECK_EQ_INT(scn_outdir_commit(&o, &err), SIM_OK);
    CHECK_STR_EQ(read_text(expect, "x.csv"), "1\n");
    char b[P];
    snprintf(b, sizeof b, "%s/a/b", dir);
    CHECK_EQ_INT(tu_count_entries(b, NULL, 0), 1);
}

static void test_abort(void) {
    char dir[D], final[P], names[P];
    case_dir("abort", dir);
    snprintf(final, sizeof final, "%s/out", dir);
    scn_outdir o;
    sim_error err = {0};
    CHECK_EQ_INT(scn_outdir_begin(&o, final, 0, &err), SIM_OK);
    tu_write_file(o.tmp, "half.tif", "partial", NULL, 0);
    char sub[PATH_MAX + 16];
    snprintf(sub, sizeof sub, "%s/nested", o.tmp);
    CHECK_EQ_INT(mkdir(sub, 0755), 0);
    tu_write_file(sub, "deep.txt", "x", NULL, 0);
    scn_outdir_abort(&o);
    CHECK_EQ_INT(o.active, 0);
    CHECK(!exists(final));
    /* nothing at all is left: no .out.tmp-* folder */
    CHECK_EQ_INT(tu_count_entries(dir, names, sizeof names), 0);
    if (names[0]) fprintf(stderr, "  left behind: %s\n", names);
    scn_outdir_abort(&o); /* twice is harmless */
}

static void test_existing_folder(void) {
    char dir[D], final[P], names[P];
    case_dir("existing", dir);
    snprintf(final, sizeof final, "%s/out", dir);
    CHECK_EQ_INT(mkdir(final, 0755), 0);
    tu_write_file(final, "old.txt", "old results", NULL, 0);

    /* without overwrite: SIM_EINVAL naming the folder, nothing touched, nothing created */
    scn_outdir o;
    sim_error err = {0};
    CHECK_EQ_INT(scn_outdir_begin(&o, final, 0, &err), SIM_EINVAL);
    CHECK_EQ_INT(err.code, SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, final);
    CHECK_EQ_INT(o.active, 0);
    scn_outdir_abort(&o); /* harmless on a failed begin */
    CHECK_STR_EQ(read_text(final, "old.txt"), "old results");
    CHECK_EQ_INT(tu_count_entries(final, NULL, 0), 1);
    CHECK_EQ_INT(tu_count_entries(dir, names, sizeof names), 1);
    CHECK_STR_EQ(names, "out");

    /* with overwrite, an aborted run leaves the old folder as it was */
    sim_error e2 = {0};
    CHECK_EQ_INT(scn_outdir_begin(&o, final, 1, &e2), SIM_OK);
    tu_write_file(o.tmp, "new.txt", "new results", NULL, 0);
    CHECK_STR_EQ(read_text(final, "old.txt"), "old results"); /* untouched until commit */
    scn_outdir_abort(&o);
    CHECK_STR_EQ(read_text(final, "old.txt"), "old results");
    CHECK_EQ_INT(tu_count_entries(dir, names, sizeof names), 1);

    /* with overwrite and commit: replaced, the old files are gone, nothing else is left */
    CHECK_EQ_INT(scn_outdir_begin(&o, final, 1, &e2), SIM_OK);
    tu_write_file(o.tmp, "new.txt", "new results", NULL, 0);
    CHECK_EQ_INT(scn_outdir_commit(&o, &e2), SIM_OK);
    CHECK_STR_EQ(read_text(final, "new.txt"), "new results");
    CHECK_EQ_INT(tu_count_entries(final, names, sizeof names), 1);
    CHECK_STR_EQ(names, "new.txt");
    CHECK_EQ_INT(tu_count_entries(dir, names, sizeof names), 1);
    CHECK_STR_EQ(names, "out");

    /* an existing empty folder is fine without overwrite */
    char empty[P];
    snprintf(empty, sizeof empty, "%s/empty", dir);
    CHECK_EQ_INT(mkdir(empty, 0755), 0);
    sim_error e3 = {0};
    CHECK_EQ_INT(scn_outdir_begin(&o, empty, 0, &e3), SIM_OK);
    tu_write_file(o.tmp, "r.txt", "r", NULL, 0);
    CHECK_EQ_INT(scn_outdir_commit(&o, &e3), SIM_OK);
    CHECK_STR_EQ(read_text(empty, "r.txt"), "r");
    CHECK_EQ_INT(tu_count_entries(dir, NULL, 0), 2);
}

static void test_unwritable_places(void) {
    char dir[D], final[P], names[P];
    case_dir("blocked", dir);
    tu_write_file(dir, "file.txt", "I am a file", NULL, 0);

    /* the final folder would be under a regular file: SIM_EIO naming it */
    snprintf(final, sizeof final, "%s/file.txt/out", dir);
    scn_outdir o;
    sim_error err = {0};
    CHECK_EQ_INT(scn_outdir_begin(&o, final, 0, &err), SIM_EIO);
    CHECK_EQ_INT(err.code, SIM_EIO);
    CHECK_STR_CONTAINS(err.msg, final);
    CHECK_EQ_INT(o.active, 0);
    snprintf(final, sizeof final, "%s/file.txt/deeper/out", dir);
    sim_error e2 = {0};
    CHECK_EQ_INT(scn_outdir_begin(&o, final, 1, &e2), SIM_EIO);
    CHECK_STR_EQ(read_text(dir, "file.txt"), "I am a file");

    /* the final path is itself a regular file: refused, the file kept */
    snprintf(final, sizeof final, "%s/file.txt", dir);
    sim_error e3 = {0};
    CHECK(scn_outdir_begin(&o, final, 1, &e3) != SIM_OK);
    CHECK_STR_CONTAINS(e3.msg, final);
    CHECK_STR_EQ(read_text(dir, "file.txt"), "I am a file");
    CHECK_EQ_INT(tu_count_entries(dir, names, sizeof names), 1);
    CHECK_STR_EQ(names, "file.txt");

    /* unusable names */
    sim_error e4 = {0};
    CHECK_EQ_INT(scn_outdir_begin(&o, "", 0, &e4), SIM_EINVAL);
}

static void test_permissions(void) {
    static const struct { mode_t umask, want; } CASES[] = {{022, 0755}, {027, 0750}, {002, 0775}};
    mode_t saved = umask(022);
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; ++i) {
        char name[32], dir[D], final[P];
        snprintf(name, sizeof name, "perm%zu", i);
        case_dir(name, dir);
        snprintf(final, sizeof final, "%s/out", dir);
        umask(CASES[i].umask);
        scn_outdir o;
        sim_error err = {0};
        CHECK_EQ_INT(scn_outdir_begin(&o, final, 0, &err), SIM_OK);
        struct stat st;
        CHECK_EQ_INT(stat(o.tmp, &st), 0);
        CHECK_EQ_INT(st.st_mode & 0777, CASES[i].want); /* as mkdir would make it, not 0700 */
        CHECK_EQ_INT(scn_outdir_commit(&o, &err), SIM_OK);
        CHECK_EQ_INT(stat(final, &st), 0);
        CHECK_EQ_INT(st.st_mode & 0777, CASES[i].want);
        umask(022);
    }
    umask(saved);
}

static void test_helpers(void) {
    char dir[D], path[D + 16];
    case_dir("helpers", dir);
    snprintf(path, sizeof path, "%s/x/y/z", dir);
    CHECK_EQ_INT(scn_mkdirs(path), 0);
    CHECK(is_dir(path));
    CHECK_EQ_INT(scn_mkdirs(path), 0); /* already there */
    tu_write_file(path, "f.txt", "f", NULL, 0);
    char file[D + 32];
    snprintf(file, sizeof file, "%s/f.txt", path);
    CHECK(scn_mkdirs(file) != 0); /* a file, not a folder */
    snprintf(path, sizeof path, "%s/x", dir);
    CHECK_EQ_INT(scn_remove_tree(path), 0);
    CHECK(!exists(path));
    CHECK_EQ_INT(tu_count_entries(dir, NULL, 0), 0);
}

int main(void) {
    geo_init();
    if (!tu_temp_dir("accessim_test_outdir", tmp_dir, sizeof tmp_dir)) return 1;
    test_begin_commit();
    test_missing_parents_and_trailing_slash();
    test_abort();
    test_existing_folder();
    test_unwritable_places();
    test_permissions();
    test_helpers();
    tu_remove_tree(tmp_dir);
    return CHECK_DONE();
}
