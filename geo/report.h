/*
 * accessim — the scenario comparison report: one self-contained HTML page (OUTDIR/report.html)
 * with a bar chart of the headline figures, a map of the key layer and of its change for every
 * scenario, and the whole comparison table (docs/REPORT.md).
 *
 * Charts and maps are drawn with cairo and embedded as base64 PNG data URIs, so the page needs
 * nothing else: no network, script, font or stylesheet from anywhere.
 */
#ifndef GEO_REPORT_H
#define GEO_REPORT_H

#include "sim/status.h"

/**
 * Writes OUTDIR/report.html from OUTDIR/comparison.csv and the rasters under OUTDIR (see
 * docs/REPORT.md). `title` is shown as the heading (e.g. the scenario file's name); NULL shows
 * none. The key layer is the service and mode of the first row of comparison.csv, and its group
 * is the one of the headline figures. A missing raster shows as "no map" in the page.
 *
 * The page is written under a temporary name in OUTDIR and renamed to report.html when complete,
 * so a failed call leaves neither. The same inputs give byte-identical pages. Returns SIM_OK;
 * SIM_EIO if comparison.csv or a raster that exists cannot be read, or the page cannot be
 * written; SIM_EPARSE if comparison.csv is malformed (`err` names the file and line); SIM_ENOMEM.
 * Uses GDAL (geo_init() first) and cairo; not to be called from several threads at once.
 */
sim_status geo_report_write(const char *outdir, const char *title, sim_error *err);

#endif
