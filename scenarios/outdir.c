#include "scenarios/outdir.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int scn_remove_tree(const char *path) {
    return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int scn_mkdirs(const char *path) {
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) return -1;
    for (char *p = buf + 1; *p; ++p) {
        if (*p != '/') continue;
        *p = '\0';
        struct stat st;
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
        if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) {
            errno = ENOTDIR;
            return -1;
        }
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
    struct stat st;
    if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode)) return 0;
    errno = ENOTDIR;
    return -1;
}

static int dir_is_empty(const char *path) {
    DIR *d = opendir(path);
    if (!d) return 0;
    struct dirent *e;
    int empty = 1;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            empty = 0;
            break;
        }
    closedir(d);
    return empty;
}

/* Splits `path` (trailing slashes removed) into parent folder and base name. */
static int split_path(const char *path, char *parent, char *base) {
    char a[PATH_MAX], b[PATH_MAX];
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/') --n;
    if (n == 0 || n >= PATH_MAX) return -1;
    memcpy(a, path, n);
    a[n] = '\0';
    memcpy(b, a, n + 1);
    snprintf(parent, PATH_MAX, "%s", dirname(a));
    snprintf(base, PATH_MAX, "%s", basename(b));
    return 0;
}

sim_status scn_outdir_begin(scn_outdir *o, const char *final, int overwrite, sim_error *err) {
    char parent[PATH_MAX], base[PATH_MAX];
    memset(o, 0, sizeof *o);
    if (split_path(final, parent, base) != 0 || !strcmp(base, "/") || !strcmp(base, ".") ||
        !strcmp(base, ".."))
        return sim_error_set(err, SIM_EINVAL, "%s: not a usable output folder name", final);
    if (snprintf(o->final, sizeof o->final, "%s/%s", parent, base) >= (int)sizeof o->final)
        return sim_error_set(err, SIM_EINVAL, "%s: path too long", final);
    struct stat st;
    if (stat(o->final, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return sim_error_set(err, SIM_EINVAL, "%s: exists and is not a folder", final);
        if (!dir_is_empty(o->final) && !overwrite)
            return sim_error_set(err, SIM_EINVAL,
                                 "%s: folder exists and is not empty (use --overwrite to replace it)",
                                 final);
    }
    if (scn_mkdirs(parent) != 0)
        return sim_error_set(err, SIM_EIO, "%s: cannot create output folder: %s", final,
                             strerror(errno));
    if (snprintf(o->tmp, sizeof o->tmp, "%s/.%s.tmp-XXXXXX", parent, base) >= (int)sizeof o->tmp)
        return sim_error_set(err, SIM_EINVAL, "%s: path too long", final);
    if (!mkdtemp(o->tmp))
        return sim_error_set(err, SIM_EIO, "%s: cannot write in %s: %s", final, parent,
                             strerror(errno));
    /* mkdtemp makes the folder private; give it the permissions a plain mkdir would */
    mode_t mask = umask(0);
    umask(mask);
    chmod(o->tmp, 0777 & ~mask);
    o->active = 1;
    return SIM_OK;
}

sim_status scn_outdir_commit(scn_outdir *o, sim_error *err) {
    char old[PATH_MAX] = "";
    struct stat st;
    if (!o->active) return sim_error_set(err, SIM_EINTERNAL, "output folder not started");
    if (stat(o->final, &st) == 0) {
        if (dir_is_empty(o->final)) {
            rmdir(o->final);
        } else {
            if (snprintf(old, sizeof old, "%s.old-XXXXXX", o->tmp) >= (int)sizeof old ||
                !mkdtemp(old) || rmdir(old) != 0 || rename(o->final, old) != 0)
                return sim_error_set(err, SIM_EIO, "%s: cannot move the old folder aside: %s",
                                     o->final, strerror(errno));
        }
    }
    if (rename(o->tmp, o->final) != 0) {
        int e = errno;
        if (old[0]) rename(old, o->final);
        return sim_error_set(err, SIM_EIO, "%s: cannot move outputs into place: %s", o->final,
                             strerror(e));
    }
    o->active = 0;
    if (old[0]) scn_remove_tree(old);
    return SIM_OK;
}

void scn_outdir_abort(scn_outdir *o) {
    if (o->active) scn_remove_tree(o->tmp);
    o->active = 0;
}
