/*
 * accessim — status codes and error messages shared by every module.
 *
 * sim/ returns bare sim_status codes (pure, hot paths). geo/ and scenarios/ also fill a
 * caller-owned sim_error naming the file, layer, field, feature or line at fault. Only tools/
 * prints or exits.
 */
#ifndef SIM_STATUS_H
#define SIM_STATUS_H

#include <stdint.h>

#define SIM_STATUS_LIST(X)                                                                         \
    X(SIM_OK, "success")                                                                           \
    X(SIM_ENOMEM, "out of memory")                                                                 \
    X(SIM_EINVAL, "invalid argument")                                                              \
    X(SIM_EIO, "cannot read or write file")                                                        \
    X(SIM_EPARSE, "malformed input")                                                               \
    X(SIM_EDEP, "GDAL, PROJ or GEOS failed")                                                       \
    X(SIM_EINTERNAL, "internal error")

#define SIM_AS_ENUM(code, text) code,
typedef enum { SIM_STATUS_LIST(SIM_AS_ENUM) } sim_status;
#undef SIM_AS_ENUM

/** Static, human-readable text for `s`; never NULL. */
const char *sim_status_str(sim_status s);

/** Bad-input statuses map to exit status 2 in the CLI; the others to 1. */
int sim_status_is_input_error(sim_status s);

#define SIM_ERROR_MSG_LEN 512

/** A status plus a message naming the place at fault. Caller-owned; zero-initialise it. */
typedef struct {
    sim_status code;
    char msg[SIM_ERROR_MSG_LEN];
} sim_error;

/**
 * Records `code` and a printf-style message in `e` (which may be NULL) and returns `code`, so
 * callers can write `return sim_error_set(err, SIM_EIO, "%s: cannot open", path);`.
 * A message already set is kept unless it is empty: the first, innermost cause wins.
 */
sim_status sim_error_set(sim_error *e, sim_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/** Replaces any message in `e` (may be NULL) with a new one; returns `code`. */
sim_status sim_error_reset(sim_error *e, sim_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#define SIM_INVALID_ID UINT32_MAX

#endif
