/*
 * traces/trace.h - one reader interface for every trace format.
 *
 * trace_open() detects the format from the content (after transparent gzip/xz
 * decompression, also detected from the content) unless one is forced, and
 * returns a reader whose trace_next() yields struct trace_rec events (see
 * sim/event.h) in order.  Errors carry the file and the byte offset (binary
 * formats) or line number (text formats) of the damaged record.
 *
 * Readers allocate in trace_open() only; trace_next() is a hot path.
 */
#ifndef TRACES_TRACE_H
#define TRACES_TRACE_H

#include <stdio.h>

#include "sim/err.h"
#include "sim/event.h"

enum trace_format {
    TRACE_FMT_AUTO = 0,
    TRACE_FMT_NATIVE,      /* the project's own binary format (README) */
    TRACE_FMT_CHAMPSIM,    /* ChampSim input_instr, 64 B records */
    TRACE_FMT_CLOUDSUITE,  /* ChampSim cloudsuite_instr, 96 B records with ASID */
    TRACE_FMT_LACKEY,      /* Valgrind lackey --trace-mem=yes text */
    TRACE_FMT_DRMEMTRACE,  /* DynamoRIO drmemtrace offline final format (dir or .zip) */
    TRACE_FMT_CVP,         /* CVP-1 value-prediction trace */
    TRACE_FMT_CBP2025,     /* CBP-2025 variant of the CVP format */
    TRACE_FMT_COUNT
};

struct trace_opts {
    uint32_t champsim_access_size;  /* bytes per ChampSim memory access (no size in format); default 8 */
    uint32_t ifetch_size;           /* bytes per fetch where the format has none; default 4 */
    uint16_t vmid;                  /* VMID given to formats without one; default 0 */
};

struct trace_reader;

/* Fill @o with the defaults above. */
void trace_opts_default(struct trace_opts *o);

/* "native", "champsim", ... <-> enum; trace_format_parse returns -1 when unknown. */
const char *trace_format_name(enum trace_format f);
int trace_format_parse(const char *name);

/**
 * trace_open() - open a trace for reading.
 * @out:  receives the reader on success; untouched on failure.
 * @path: file or directory name; "-" reads standard input.
 * @fmt:  TRACE_FMT_AUTO to detect from the content, else the format to use.
 * @opts: may be NULL for the defaults.
 * Return: SIM_OK, or < 0 with @err naming the file.
 */
int trace_open(struct trace_reader **out, const char *path, enum trace_format fmt,
               const struct trace_opts *opts, struct sim_err *err);

/**
 * trace_next() - read the next event.
 * Return: SIM_OK with *@rec filled, SIM_END at the clean end of the trace, or
 * < 0 with @err naming the file and the byte offset or line of the bad record.
 */
int trace_next(struct trace_reader *r, struct trace_rec *rec, struct sim_err *err);

/**
 * trace_next_batch() - read up to @max (>= 1) events into @recs: the same events,
 * in the same order, as that many trace_next() calls, without a call per event.
 * A batch stops early rather than carry an error: a bad record is reported by
 * the call that would return it first, after every event before it was returned.
 * Return: the number of events (>= 1), 0 at the clean end of the trace, or < 0
 * with @err as trace_next().
 */
int trace_next_batch(struct trace_reader *r, struct trace_rec *recs, unsigned max,
                     struct sim_err *err);

/* The format actually being read (after detection). */
enum trace_format trace_reader_format(const struct trace_reader *r);

/**
 * trace_progress() - how far the reader has got, for progress lines.
 * @done:  bytes of the (compressed) input consumed so far.
 * @total: size of the input in bytes, or 0 when unknown (pipes).
 */
void trace_progress(const struct trace_reader *r, uint64_t *done, uint64_t *total);

/* Close the reader and free it; NULL is allowed. */
void trace_close(struct trace_reader *r);

#endif /* TRACES_TRACE_H */
