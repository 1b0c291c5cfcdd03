/*
 * sim/err.h - error reporting for fallible functions.
 *
 * A fallible function returns an int (< 0 on failure, one of enum sim_rc) and
 * fills a caller-owned struct sim_err with a one-line message that names the
 * file and the offset, line or JSON path at fault.  Library code never prints
 * and never exits; sim/main.c prints the message and picks the exit status.
 */
#ifndef SIM_ERR_H
#define SIM_ERR_H

#include "sim/base.h"

struct sim_err {
    int rc;          /* enum sim_rc of the failure, SIM_OK when none */
    char msg[512];   /* one line, no trailing newline */
};

/**
 * sim_err_set() - record a failure.
 * @err: may be NULL (the message is then dropped).
 * @rc:  the negative code to record and return.
 * Return: @rc, so that callers can write `return sim_err_set(err, ...)`.
 */
int sim_err_set(struct sim_err *err, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Clear @err to "no error". */
void sim_err_clear(struct sim_err *err);

#endif /* SIM_ERR_H */
