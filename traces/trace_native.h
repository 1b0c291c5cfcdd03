/*
 * traces/trace_native.h - writer of the project's own binary trace format
 * (layout in traces/FORMAT.md; the reader is trace_open() with
 * TRACE_FMT_NATIVE or auto-detection).
 *
 * The writer streams: constant memory whatever the trace length.  It writes
 * to a temporary file beside the destination and renames it into place in
 * trace_writer_close(), so a failed or abandoned write leaves no partial file
 * under the final name.  "-" writes to standard output (no rename).
 */
#ifndef TRACES_TRACE_NATIVE_H
#define TRACES_TRACE_NATIVE_H

#include "sim/err.h"
#include "sim/event.h"

#define TRACE_NATIVE_MAGIC    "MMUSIMTR"   /* 8 bytes at offset 0 */
#define TRACE_NATIVE_VERSION  1u
#define TRACE_NATIVE_DESC_MAX 65536u       /* bytes of header description */

struct trace_writer;

/**
 * trace_writer_create() - start a native trace.
 * @out:  receives the writer; untouched on failure.
 * @path: destination file, or "-" for standard output.
 * @desc: free-text description stored in the header (may be NULL = "");
 *        at most TRACE_NATIVE_DESC_MAX bytes.
 * Return: SIM_OK, or < 0 with @err naming the file (nothing is left behind).
 */
int trace_writer_create(struct trace_writer **out, const char *path, const char *desc,
                        struct sim_err *err);

/**
 * trace_writer_put() - append one event.
 * Accesses keep kind, vmid, asid, size and va; switches keep vmid and asid;
 * TLBIs keep tlbi, vmid, asid and va.  The size of a non-access event is not
 * stored (it reads back as 0), nor is _pad.
 * Return: SIM_OK, SIM_EINVAL for an unknown kind/TLBI operation, SIM_EIO.
 * After a failure only trace_writer_abort() may be called.
 */
int trace_writer_put(struct trace_writer *w, const struct trace_rec *rec, struct sim_err *err);

/* Events written so far. */
uint64_t trace_writer_count(const struct trace_writer *w);

/**
 * trace_writer_close() - write the end record, flush, rename into place and
 * free @w.  On failure the temporary file is removed; @w is freed either way.
 */
int trace_writer_close(struct trace_writer *w, struct sim_err *err);

/* Discard the trace: remove the temporary file and free @w (NULL allowed). */
void trace_writer_abort(struct trace_writer *w);

#endif /* TRACES_TRACE_NATIVE_H */
