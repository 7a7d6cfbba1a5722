#include "sim/status.h"

#include <stdarg.h>
#include <stdio.h>

#define SIM_AS_TEXT(code, text) text,
static const char *const STATUS_TEXT[] = {SIM_STATUS_LIST(SIM_AS_TEXT)};
#undef SIM_AS_TEXT

const char *sim_status_str(sim_status s) {
    if ((unsigned)s >= sizeof STATUS_TEXT / sizeof STATUS_TEXT[0]) return "unknown status";
    return STATUS_TEXT[s];
}

int sim_status_is_input_error(sim_status s) {
    return s == SIM_EINVAL || s == SIM_EIO || s == SIM_EPARSE;
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 0)))
#endif
static sim_status error_vset(sim_error *e, int replace, sim_status code, const char *fmt,
                             va_list ap) {
    if (!e) return code;
    if (!replace && e->code != SIM_OK && e->msg[0]) return e->code;
    e->code = code;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    return code;
}

sim_status sim_error_set(sim_error *e, sim_status code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sim_status rc = error_vset(e, 0, code, fmt, ap);
    va_end(ap);
    return rc;
}

sim_status sim_error_reset(sim_error *e, sim_status code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sim_status rc = error_vset(e, 1, code, fmt, ap);
    va_end(ap);
    return rc;
}
