/*
 * Tests for geo/report.c: a comparison.csv (baseline and two scenarios, two groups, two modes,
 * thresholds 15 and 30) and small GeoTIFFs (20 x 10 cells of 100 m, EPSG:32722, nodata -9999)
 * become one self-contained report.html: its images are decodable PNGs of sane size whose pixels
 * have the promised colours, every row of the table is there with its values, nothing is
 * fetched from elsewhere, the output is byte-identical on a second run, and malformed or missing
 * inputs fail as documented without leaving a page or a temporary file behind.
 */
#include "geo/report.h"

#include <cairo.h>
#include <cpl_vsi.h>
#include <dlfcn.h>
#include <gdal.h>
#include <ogr_srs_api.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "geo/geo.h"
#include "test_util.h"

#define PATH_LEN 512
#define NX 20
#define NY 10
#define NODATA -9999.0f

static char tmp_dir[256];

/* ---- fixtures ---------------------------------------------------------------------------- */

#define N_COLS 16
#define N_ROWS 12

static const char HEADER[] =
    "scenario,service,mode,group,mean_minutes,mean_minutes_delta,within_15_share,"
    "within_15_share_delta,within_30_share,within_30_share_delta,gain_15,lose_15,gain_30,"
    "lose_30,gap_minutes,gap_minutes_delta";

/* The rows as in the file; bus_line makes the migrants unable to reach any clinic on foot. */
static const char *const ROWS[N_ROWS][N_COLS] = {
    {"baseline", "clinic", "walk", "everyone", "18.25", "0", "0.4567", "0", "0.8123", "0", "0", "0",
     "0", "0", "", ""},
    {"baseline", "clinic", "walk", "migrants", "24.5", "0", "0.2222", "0", "0.6001", "0", "0", "0",
     "0", "0", "6.25", "0"},
    {"baseline", "clinic", "bike", "everyone", "7.75", "0", "0.9", "0", "1", "0", "0", "0", "0",
     "0", "", ""},
    {"baseline", "clinic", "bike", "migrants", "9.5", "0", "0.85", "0", "0.99", "0", "0", "0", "0",
     "0", "1.75", "0"},
    {"new_clinic", "clinic", "walk", "everyone", "16.75", "-1.5", "0.5012", "0.0446", "0.8456",
     "0.0333", "1234.5", "0", "800", "0", "", ""},
    {"new_clinic", "clinic", "walk", "migrants", "19.25", "-5.25", "0.3456", "0.1234", "0.7123",
     "0.1122", "310", "0", "150.25", "0", "2.5", "-3.75"},
    {"new_clinic", "clinic", "bike", "everyone", "7.5", "-0.25", "0.91", "0.01", "1", "0", "10",
     "0", "0", "0", "", ""},
    {"new_clinic", "clinic", "bike", "migrants", "9", "-0.5", "0.87", "0.02", "0.99", "0", "5", "0",
     "0", "0", "1.5", "-0.25"},
    {"bus_line", "clinic", "walk", "everyone", "18.5", "0.25", "0.4511", "-0.0056", "0.8234",
     "0.0111", "12", "40", "90", "3.5", "", ""},
    {"bus_line", "clinic", "walk", "migrants", "", "", "0", "-0.2222", "0", "-0.6001", "0", "120",
     "0", "300", "", ""},
    {"bus_line", "clinic", "bike", "everyone", "7.75", "0", "0.9", "0", "1", "0", "0", "0", "0",
     "0", "", ""},
    {"bus_line", "clinic", "bike", "migrants", "9.5", "0", "0.85", "0", "0.99", "0", "0", "0", "0",
     "0", "1.75", "0"},
};

/* How the table shows columns 6..9 (the shares and their changes), by hand. */
static const char *const SHARES[N_ROWS][4] = {
    {"45.7%", "0.0 pp", "81.2%", "0.0 pp"},   {"22.2%", "0.0 pp", "60.0%", "0.0 pp"},
    {"90.0%", "0.0 pp", "100.0%", "0.0 pp"},  {"85.0%", "0.0 pp", "99.0%", "0.0 pp"},
    {"50.1%", "+4.5 pp", "84.6%", "+3.3 pp"}, {"34.6%", "+12.3 pp", "71.2%", "+11.2 pp"},
    {"91.0%", "+1.0 pp", "100.0%", "0.0 pp"}, {"87.0%", "+2.0 pp", "99.0%", "0.0 pp"},
    {"45.1%", "-0.6 pp", "82.3%", "+1.1 pp"}, {"0.0%", "-22.2 pp", "0.0%", "-60.0 pp"},
    {"90.0%", "0.0 pp", "100.0%", "0.0 pp"},  {"85.0%", "0.0 pp", "99.0%", "0.0 pp"},
};

static void write_csv(const char *dir, const char *broken_line3) {
    char text[8192];
    size_t used = (size_t)snprintf(text, sizeof text, "%s\n", HEADER);
    for (int i = 0; i < N_ROWS; ++i) {
        if (i == 1 && broken_line3) {
            used += (size_t)snprintf(text + used, sizeof text - used, "%s\n", broken_line3);
            continue;
        }
        for (int c = 0; c < N_COLS; ++c)
            used +=
                (size_t)snprintf(text + used, sizeof text - used, "%s%s", c ? "," : "", ROWS[i][c]);
        used += (size_t)snprintf(text + used, sizeof text - used, "\n");
    }
    tu_write_file(dir, "comparison.csv", text, NULL, 0);
}

/* Writes a NX x NY float GeoTIFF with 100 m cells in EPSG:32722 and nodata -9999. */
static void write_tiff(const char *path, const float *v) {
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), path, NX, NY, 1, GDT_Float32, NULL);
    if (!ds) {
        fprintf(stderr, "cannot create %s: %s\n", path, CPLGetLastErrorMsg());
        exit(1);
    }
    double gt[6] = {480000.0, 100.0, 0.0, 6690000.0, 0.0, -100.0};
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 32722);
    GDALSetGeoTransform(ds, gt);
    GDALSetSpatialRef(ds, srs);
    OSRDestroySpatialReference(srs);
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    GDALSetRasterNoDataValue(b, NODATA);
    if (GDALRasterIO(b, GF_Write, 0, 0, NX, NY, (void *)v, NX, NY, GDT_Float32, 0, 0) != CE_None) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
    GDALClose(ds);
}

static int is_nodata_cell(int c, int r) {
    return (r == 0 && c < 2) || (r == NY - 1 && c == NX - 1);
}

/* Minutes: baseline c + r; new_clinic 2 less on the left half; bus_line 1 more on the left half
 * and 3 less on the right. The deltas follow. */
static void write_rasters(const char *dir) {
    static const char *const SCEN[3] = {"baseline", "new_clinic", "bus_line"};
    char path[PATH_LEN], sub[PATH_LEN];
    float minutes[NX * NY], delta[NX * NY];
    for (int s = 0; s < 3; ++s) {
        tu_path(dir, SCEN[s], sub, sizeof sub);
        if (mkdir(sub, 0755) != 0) {
            fprintf(stderr, "mkdir %s failed\n", sub);
            exit(1);
        }
        for (int r = 0; r < NY; ++r)
            for (int c = 0; c < NX; ++c) {
                float d = s == 0   ? 0.0f
                          : s == 1 ? (c < NX / 2 ? -2.0f : 0.0f)
                                   : (c < NX / 2 ? 1.0f : -3.0f);
                int nd = is_nodata_cell(c, r);
                minutes[r * NX + c] = nd ? NODATA : (float)(c + r) + 2.0f + d;
                delta[r * NX + c] = nd ? NODATA : d;
            }
        write_tiff(tu_path(sub, "clinic_walk_minutes.tif", path, sizeof path), minutes);
        if (s) write_tiff(tu_path(sub, "clinic_walk_delta_minutes.tif", path, sizeof path), delta);
    }
}

/* ---- checks on the page ------------------------------------------------------------------- */

static int count_of(const char *hay, const char *needle) {
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + strlen(needle), needle)) ++n;
    return n;
}

/* The PNG of the k-th data URI of `html` (0-based), decoded; NULL if there is none. */
static unsigned char *nth_png(const char *html, int k, size_t *len) {
    static const char PREFIX[] = "data:image/png;base64,";
    const char *p = html;
    for (int i = 0; p && i <= k; ++i) {
        p = strstr(p, PREFIX);
        if (p) p += strlen(PREFIX);
    }
    if (!p) return NULL;
    size_t n = strcspn(p, "\"");
    unsigned char *out = malloc(n / 4 * 3 + 4);
    int got = EVP_DecodeBlock(out, (const unsigned char *)p, (int)n);
    if (got < 0) {
        free(out);
        return NULL;
    }
    *len = (size_t)got;
    return out;
}

static uint32_t be32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Checks that every data URI holds a PNG of sane size; returns how many there are. */
static int check_pngs(const char *html) {
    static const unsigned char SIG[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    int n = count_of(html, "data:image/png;base64,");
    for (int k = 0; k < n; ++k) {
        size_t len = 0;
        unsigned char *png = nth_png(html, k, &len);
        CHECK(png != NULL);
        if (!png) continue;
        CHECK(len > 33);
        if (len > 33) {
            CHECK_EQ_INT(memcmp(png, SIG, 8), 0);
            CHECK_EQ_INT(memcmp(png + 12, "IHDR", 4), 0);
            uint32_t w = be32(png + 16), h = be32(png + 20);
            CHECK(w > 0 && w <= 2000);
            CHECK(h > 0 && h <= 2000);
        }
        free(png);
    }
    return n;
}

/* RGB of pixel (x, y) of the k-th image, read back with GDAL's PNG driver. */
static uint32_t pixel_of(const char *html, int k, int x, int y) {
    size_t len = 0;
    unsigned char *png = nth_png(html, k, &len);
    if (!png) return 0xFFFFFFFFu;
    /* EVP_DecodeBlock counts the padding's zero bytes too; PNG readers ignore trailing bytes */
    VSILFILE *f = VSIFileFromMemBuffer("/vsimem/report_test.png", png, len, FALSE);
    VSIFCloseL(f);
    uint32_t rgb = 0xFFFFFFFFu;
    GDALDatasetH ds = GDALOpen("/vsimem/report_test.png", GA_ReadOnly);
    if (ds && GDALGetRasterCount(ds) >= 3) {
        rgb = 0;
        for (int b = 1; b <= 3; ++b) {
            unsigned char v = 0;
            if (GDALRasterIO(GDALGetRasterBand(ds, b), GF_Read, x, y, 1, 1, &v, 1, 1, GDT_Byte, 0,
                             0) != CE_None)
                rgb = 0xFFFFFFFFu;
            if (rgb != 0xFFFFFFFFu) rgb = rgb << 8 | v;
        }
    }
    if (ds) GDALClose(ds);
    VSIUnlink("/vsimem/report_test.png");
    free(png);
    return rgb;
}

/* Centre of cell (c, r) in a map image: 6 pixels of margin, 21 pixels per cell (20 x 10 cells
 * enlarged by the whole factor that fits 420 pixels). */
#define CELL_X(c) (6 + (c)*21 + 10)
#define CELL_Y(r) (6 + (r)*21 + 10)
#define R_OF(rgb) ((int)((rgb) >> 16 & 255))
#define G_OF(rgb) ((int)((rgb) >> 8 & 255))
#define B_OF(rgb) ((int)((rgb)&255))

/* The k-th <tr> of the table body, as a new string; NULL if there is none. */
static char *table_row(const char *html, int k) {
    const char *p = strstr(html, "<tbody>");
    for (int i = 0; p && i <= k; ++i) {
        p = strstr(p, "<tr>");
        if (p && i < k) p += 4;
    }
    if (!p) return NULL;
    const char *e = strstr(p, "</tr>");
    if (!e) return NULL;
    char *row = malloc((size_t)(e - p) + 1);
    memcpy(row, p, (size_t)(e - p));
    row[e - p] = '\0';
    return row;
}

static void check_table(const char *html) {
    for (int i = 0; i < N_ROWS; ++i) {
        char *row = table_row(html, i);
        CHECK(row != NULL);
        if (!row) continue;
        for (int c = 0; c < N_COLS; ++c) {
            char want[64];
            const char *v = c >= 6 && c <= 9 ? SHARES[i][c - 6] : ROWS[i][c];
            snprintf(want, sizeof want, ">%s<", v);
            CHECK_STR_CONTAINS(row, want);
        }
        free(row);
    }
    CHECK(table_row(html, N_ROWS) == NULL); /* no extra row */
    /* changes coloured by what they mean for the people */
    char *row = table_row(html, 4); /* new_clinic walk everyone */
    CHECK_STR_CONTAINS(row, "<td class=\"num better\">-1.5</td>");
    CHECK_STR_CONTAINS(row, "<td class=\"num better\">+4.5 pp</td>");
    CHECK_STR_CONTAINS(row, "<td class=\"num better\">1234.5</td>");
    free(row);
    row = table_row(html, 9); /* bus_line walk migrants */
    CHECK_STR_CONTAINS(row, "<td class=\"num worse\">-60.0 pp</td>");
    CHECK_STR_CONTAINS(row, "<td class=\"num worse\">300</td>");
    free(row);
    row = table_row(html, 0); /* baseline: nothing changes, nothing coloured */
    CHECK(row && !strstr(row, "better") && !strstr(row, "worse"));
    free(row);
}

/* ---- tests -------------------------------------------------------------------------------- */

static void test_report(void) {
    char dir[PATH_LEN], path[PATH_LEN], names[1024];
    tu_path(tmp_dir, "full", dir, sizeof dir);
    mkdir(dir, 0755);
    write_csv(dir, NULL);
    write_rasters(dir);
    sim_error err = {0};
    CHECK_EQ_INT(geo_report_write(dir, "demo <city> & co", &err), SIM_OK);
    CHECK_STR_EQ(err.msg, "");
    char *html = tu_read_file(tu_path(dir, "report.html", path, sizeof path));
    CHECK(html != NULL);
    if (!html) return;
    tu_count_entries(dir, names, sizeof names);
    CHECK(strstr(names, ".tmp-") == NULL);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644);

    /* self-contained HTML5 */
    CHECK(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    CHECK_STR_CONTAINS(html, "</html>\n");
    CHECK(strstr(html, "http://") == NULL);
    CHECK(strstr(html, "https://") == NULL);
    CHECK(strstr(html, "<script src") == NULL);
    CHECK(strstr(html, "<link") == NULL);
    CHECK(strstr(html, "url(") == NULL);
    /* the title, escaped */
    CHECK_STR_CONTAINS(html, "<h1>demo &lt;city&gt; &amp; co</h1>");
    /* the key layer: the first row's service and mode, its group for the headline */
    CHECK_STR_CONTAINS(html, "Key layer: <strong>clinic</strong> by <strong>walk</strong>");
    CHECK_STR_CONTAINS(html, "group <strong>everyone</strong>");
    /* every scenario has its section */
    CHECK_STR_CONTAINS(html, "<section id=\"scenario-baseline\">");
    CHECK_STR_CONTAINS(html, "<section id=\"scenario-new_clinic\">");
    CHECK_STR_CONTAINS(html, "<section id=\"scenario-bus_line\">");
    CHECK(strstr(html, "no map") == NULL);

    /* images: the chart, baseline's map, and two maps per scenario */
    CHECK_EQ_INT(check_pngs(html), 1 + 1 + 2 * 2);
    size_t len = 0;
    unsigned char *png = nth_png(html, 0, &len);
    CHECK(png && be32(png + 16) == 780); /* the chart's width */
    free(png);
    png = nth_png(html, 1, &len); /* baseline's map: 420 x 210 pixels, margins, legend */
    CHECK(png && be32(png + 16) == 432 && be32(png + 20) == 6 + 210 + 6 + 8 + 48);
    free(png);

    /* pixels: nodata is light grey, minutes on viridis (dark = few, yellow = many, common scale)
     * and changes blue (faster), white (same) or red (slower) */
    CHECK_EQ_U32(pixel_of(html, 1, CELL_X(0), CELL_Y(0)), 0xCCCCCC);
    uint32_t fast = pixel_of(html, 1, CELL_X(2), CELL_Y(0)),
             slow = pixel_of(html, 1, CELL_X(18), CELL_Y(9));
    CHECK(B_OF(fast) > G_OF(fast) && R_OF(fast) < 0x60);                /* viridis' dark purple */
    CHECK(R_OF(slow) > 0xC0 && G_OF(slow) > 0xC0 && B_OF(slow) < 0x80); /* its yellow */
    CHECK_EQ_U32(pixel_of(html, 3, CELL_X(0), CELL_Y(0)), 0xCCCCCC);    /* new_clinic's change */
    uint32_t faster = pixel_of(html, 3, CELL_X(3), CELL_Y(5));
    CHECK(B_OF(faster) > R_OF(faster) + 40);
    CHECK_EQ_U32(pixel_of(html, 3, CELL_X(15), CELL_Y(5)), 0xFFFFFF);
    uint32_t slower = pixel_of(html, 5, CELL_X(3), CELL_Y(5)); /* bus_line: +1 on the left */
    CHECK(R_OF(slower) > B_OF(slower) + 20);
    uint32_t much_faster = pixel_of(html, 5, CELL_X(15), CELL_Y(5)); /* -3: the scale's end */
    CHECK_EQ_U32(much_faster, 0x2166AC);

    check_table(html);

    /* same inputs, same bytes */
    CHECK_EQ_INT(geo_report_write(dir, "demo <city> & co", &err), SIM_OK);
    char *again = tu_read_file(path);
    CHECK(again && strcmp(html, again) == 0);
    free(again);

    /* a missing delta raster shows as "no map", and the rest is still there */
    tu_path(dir, "bus_line/clinic_walk_delta_minutes.tif", path, sizeof path);
    CHECK_EQ_INT(unlink(path), 0);
    CHECK_EQ_INT(geo_report_write(dir, "demo", &err), SIM_OK);
    free(html);
    html = tu_read_file(tu_path(dir, "report.html", path, sizeof path));
    CHECK_STR_CONTAINS(html, "no map: <code>bus_line/clinic_walk_delta_minutes.tif</code>");
    CHECK_EQ_INT(html ? check_pngs(html) : -1, 1 + 1 + 2 + 1);
    free(html);
}

static void check_fails(const char *name, const char *line3, sim_status want, const char *msg) {
    char dir[PATH_LEN], path[PATH_LEN], names[1024];
    tu_path(tmp_dir, name, dir, sizeof dir);
    mkdir(dir, 0755);
    if (line3) write_csv(dir, line3);
    sim_error err = {0};
    CHECK_EQ_INT(geo_report_write(dir, "t", &err), want);
    CHECK_STR_CONTAINS(err.msg, msg);
    CHECK(access(tu_path(dir, "report.html", path, sizeof path), F_OK) != 0);
    tu_count_entries(dir, names, sizeof names);
    CHECK(strstr(names, ".tmp-") == NULL);
}

static void test_bad_inputs(void) {
    /* 12 fields instead of 16 on line 3 */
    check_fails("short", "baseline,clinic,walk,migrants,24.5,0,0.2222,0,0.6001,0,0,0", SIM_EPARSE,
                "comparison.csv:3: expected 16 fields, found 12");
    check_fails("nan", "baseline,clinic,walk,migrants,abc,0,0.2,0,0.6,0,0,0,0,0,1,0", SIM_EPARSE,
                "comparison.csv:3: mean_minutes: 'abc' is not a number");
    check_fails("name", "baseline,clinic,walk,mig rants,1,0,0.2,0,0.6,0,0,0,0,0,1,0", SIM_EPARSE,
                "comparison.csv:3: group: 'mig rants' is not a name");
    check_fails("missing", NULL, SIM_EIO, "comparison.csv: cannot read");

    char dir[PATH_LEN];
    tu_path(tmp_dir, "header", dir, sizeof dir);
    mkdir(dir, 0755);
    tu_write_file(dir, "comparison.csv", "scenario,mode,service,group,mean_minutes\n", NULL, 0);
    sim_error err = {0};
    CHECK_EQ_INT(geo_report_write(dir, "t", &err), SIM_EPARSE);
    CHECK_STR_CONTAINS(err.msg, "comparison.csv:1:");
    tu_write_file(dir, "comparison.csv", "scenario,service,mode,group,mean_minutes\n", NULL, 0);
    sim_error err2 = {0};
    CHECK_EQ_INT(geo_report_write(dir, "t", &err2), SIM_EPARSE);
    CHECK_STR_CONTAINS(err2.msg, "no rows");
}

/* Only the columns the runner always writes, one threshold, no rasters at all: every map is
 * "no map", and the chart has the panels it can have. */
static void test_minimal(void) {
    char dir[PATH_LEN], path[PATH_LEN];
    tu_path(tmp_dir, "minimal", dir, sizeof dir);
    mkdir(dir, 0755);
    tu_write_file(dir, "comparison.csv",
                  "scenario,service,mode,group,mean_minutes,mean_minutes_delta,within_20_share,"
                  "within_20_share_delta\r\n"
                  "baseline,school,transit_p50,all,31.5,0,0.25,0\r\n"
                  "more_buses,school,transit_p50,all,28,-3.5,0.3126,0.0626\r\n",
                  NULL, 0);
    sim_error err = {0};
    CHECK_EQ_INT(geo_report_write(dir, NULL, &err), SIM_OK);
    char *html = tu_read_file(tu_path(dir, "report.html", path, sizeof path));
    CHECK_STR_CONTAINS(html, "<h1>Scenario comparison</h1>");
    CHECK_STR_CONTAINS(html, "no map: <code>baseline/school_transit_p50_minutes.tif</code>");
    CHECK_STR_CONTAINS(html,
                       "no map: <code>more_buses/school_transit_p50_delta_minutes.tif</code>");
    CHECK_STR_CONTAINS(html, "<td class=\"num better\">+6.3 pp</td>");
    CHECK_EQ_INT(html ? check_pngs(html) : -1, 1);
    free(html);
}

/* cairo's toy text API keeps fonts cached through fontconfig for the life of the process, which
 * LeakSanitizer reports at exit; free the caches as cairo's docs advise for memory checkers
 * (fontconfig is not linked directly, hence dlsym). */
static void release_font_caches(void) {
    cairo_debug_reset_static_data();
    void *fc = dlopen("libfontconfig.so.1", RTLD_LAZY);
    if (!fc) return;
    void *sym = dlsym(fc, "FcFini");
    void (*fini)(void) = NULL;
    if (sym) memcpy(&fini, &sym, sizeof fini);
    if (fini) fini();
    dlclose(fc);
}

int main(void) {
    geo_init();
    if (!tu_temp_dir("accessim_test_report", tmp_dir, sizeof tmp_dir)) return 1;
    test_report();
    test_bad_inputs();
    test_minimal();
    tu_remove_tree(tmp_dir);
    release_font_caches();
    return CHECK_DONE();
}
