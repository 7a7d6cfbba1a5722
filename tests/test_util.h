/*
 * File-system helpers shared by the unit tests: a fresh temporary folder, paths inside it, text
 * fixtures written into it, reading a file back, counting a folder's entries, and removing a
 * tree at the end. Failures to set up a fixture are bugs in the test or its machine, not in the
 * code under test: the helpers that make fixtures say so on stderr and exit(1) rather than
 * count as a failed check. Needs _XOPEN_SOURCE >= 500 (for nftw), which the build defines.
 */
#ifndef ACCESSIM_TESTS_TEST_UTIL_H
#define ACCESSIM_TESTS_TEST_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Makes a fresh folder "$TMPDIR/<stem>_XXXXXX" (under /tmp when TMPDIR is unset or empty) into
 * `dir` (`size` bytes). Returns `dir`, or NULL (with a message on stderr) if it cannot. */
static inline char *tu_temp_dir(const char *stem, char *dir, size_t size) {
    const char *base = getenv("TMPDIR");
    if (!base || !*base) base = "/tmp";
    int n = snprintf(dir, size, "%s/%s_XXXXXX", base, stem);
    if (n < 0 || (size_t)n >= size) {
        fprintf(stderr, "temporary folder name too long: %s/%s_XXXXXX\n", base, stem);
        return NULL;
    }
    if (!mkdtemp(dir)) {
        fprintf(stderr, "mkdtemp %s: %s\n", dir, strerror(errno));
        return NULL;
    }
    return dir;
}

/* "dir/name" into `out` (`size` bytes), which is returned; exits if it does not fit. */
static inline char *tu_path(const char *dir, const char *name, char *out, size_t size) {
    int n = snprintf(out, size, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= size) {
        fprintf(stderr, "path too long: %s/%s\n", dir, name);
        exit(1);
    }
    return out;
}

/* Writes the NUL-terminated `text` to dir/name, replacing what was there. The path goes into
 * `path` (`size` bytes) and is returned; with `path` NULL a buffer of PATH_MAX bytes is used and
 * NULL is returned. Exits if the file cannot be written. */
static inline char *tu_write_file(const char *dir, const char *name, const char *text, char *path,
                                  size_t size) {
    char own[PATH_MAX];
    char *p = tu_path(dir, name, path ? path : own, path ? size : sizeof own);
    FILE *fp = fopen(p, "wb");
    size_t len = strlen(text);
    if (!fp || fwrite(text, 1, len, fp) != len || fclose(fp) != 0) {
        fprintf(stderr, "cannot write %s: %s\n", p, strerror(errno));
        exit(1);
    }
    return path;
}

/* The whole file at `path` as a NUL-terminated string (the caller frees it), or NULL if it
 * cannot be read. */
static inline char *tu_read_file(const char *path) {
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    char *s = NULL;
    long n = -1;
    if (fseek(fp, 0, SEEK_END) == 0) n = ftell(fp);
    if (n >= 0 && fseek(fp, 0, SEEK_SET) == 0) s = malloc((size_t)n + 1);
    if (s) s[fread(s, 1, (size_t)n, fp)] = '\0';
    fclose(fp);
    return s;
}

/* Number of entries in folder `dir` (without . and ..), -1 if it cannot be read; their names,
 * joined by spaces, into `names` (`size` bytes) when that is not NULL. */
static inline int tu_count_entries(const char *dir, char *names, size_t size) {
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    if (names) names[0] = '\0';
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        ++n;
        if (names) {
            size_t used = strlen(names);
            snprintf(names + used, size - used, "%s%s", used ? " " : "", e->d_name);
        }
    }
    closedir(d);
    return n;
}

static inline int tu_remove_entry_(const char *path, const struct stat *sb, int flag,
                                   struct FTW *ftw) {
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Removes `path` and everything below it, without following symbolic links; 0 on success. */
static inline int tu_remove_tree(const char *path) {
    return nftw(path, tu_remove_entry_, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
