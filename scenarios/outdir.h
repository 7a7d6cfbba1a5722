/*
 * accessim — all-or-nothing output folders.
 *
 * Outputs are written into a hidden temporary folder next to the final one
 * (PARENT/.NAME.tmp-XXXXXX) and renamed into place only when everything succeeded, so a failed
 * run leaves no half-written output. An existing non-empty folder is replaced only with
 * `overwrite`.
 */
#ifndef SCN_OUTDIR_H
#define SCN_OUTDIR_H

#include <limits.h>

#include "sim/status.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

typedef struct {
    char final[PATH_MAX];
    char tmp[PATH_MAX];
    int active;
} scn_outdir;

/** Creates the temporary folder (and missing parents of the final one). SIM_EIO naming the
 *  folder if it cannot be written; SIM_EINVAL if it exists, is not empty, and !overwrite. */
sim_status scn_outdir_begin(scn_outdir *o, const char *final, int overwrite, sim_error *err);

/** Moves the temporary folder into place (replacing an old one). */
sim_status scn_outdir_commit(scn_outdir *o, sim_error *err);

/** Removes the temporary folder and everything in it; safe to call after commit. */
void scn_outdir_abort(scn_outdir *o);

/** Removes `path` recursively (files and folders); 0 on success. */
int scn_remove_tree(const char *path);

/** mkdir -p; 0 on success. */
int scn_mkdirs(const char *path);

#endif
