/*
 * sim/err.c - one-line error messages for fallible functions (see err.h).
 */
#include "sim/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int sim_err_set(struct sim_err *err, int rc, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
        /* keep the message on one line whatever the caller passed in */
        for (char *p = err->msg; *p; p++)
            if (*p == '\n' || *p == '\r')
                *p = ' ';
        err->rc = rc;
    }
    return rc;
}

void sim_err_clear(struct sim_err *err)
{
    if (err) {
        err->rc = SIM_OK;
        err->msg[0] = '\0';
    }
}
