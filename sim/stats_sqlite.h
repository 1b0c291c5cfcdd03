/*
 * sim/stats_sqlite.h - the SQLite results writer: one implementation of the
 * statistics sink (sim/stats.h).
 *
 * The schema is results/schema.sql, compiled into the binary; its tables,
 * views and ready queries are documented in results/README.md.  Several runs
 * (from several processes at once: WAL, busy timeout, short write
 * transactions) share one database file.
 *
 * Lifecycle of a run in the database:
 *   run_begin  inserts the runs row with status 'running' (committed at once);
 *   walk       buffers the record in memory (no allocation) and, every
 *              batch_walks logged walks, writes the batch in one transaction;
 *   run_end    writes the last batch, the metrics, the histograms and sets
 *              status 'complete' in ONE transaction: all or nothing;
 *   run_fail   best effort: writes what it can and sets status 'failed'.
 * A process killed at any point (SIGKILL, full disk, power loss) therefore
 * leaves the run 'running' or 'failed', never 'complete', and the database
 * consistent (SQLite's journal).
 */
#ifndef SIM_STATS_SQLITE_H
#define SIM_STATS_SQLITE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/err.h"
#include "sim/stats.h"

#define STATS_SQLITE_SCHEMA_VERSION 4            /* PRAGMA user_version */
#define STATS_SQLITE_APP_ID         0x4D4D5553   /* PRAGMA application_id, "MMUS" */
#define STATS_SQLITE_DEFAULT_BATCH  16384u       /* logged walks per transaction */

enum stats_walk_log {
    STATS_WALK_LOG_FULL = 0,    /* every walk gets a row in `walks` */
    STATS_WALK_LOG_NONE,        /* no per-walk rows; totals only */
    STATS_WALK_LOG_SAMPLE,      /* walks 0, N, 2N, ... (in walk order) */
};

struct stats_sqlite_opts {
    enum stats_walk_log walk_log;
    uint32_t sample_every;      /* N of STATS_WALK_LOG_SAMPLE, >= 1 */
    uint32_t batch_walks;       /* logged walks per transaction; 0 = default */
    uint32_t busy_timeout_ms;   /* wait for another writer; 0 = 60000 ms */
    uint32_t max_page_count;    /* 0 = unlimited; tests set it to simulate a full disk */
    bool background;            /* write the walk log from a writer thread, so that SQLite
                                   runs beside the simulation (mmusim run); false: each full
                                   batch is written before walk() returns */
};

/* Fill @o with the defaults: full walk log, default batch and timeout. */
void stats_sqlite_opts_default(struct stats_sqlite_opts *o);

/**
 * stats_sqlite_parse_walk_log() - parse a --walk-log value into @o.
 * @text: "full", "none" or "sample:N" with N a decimal >= 1.
 * Return: SIM_OK, or SIM_EINVAL with a message quoting @text; on error @o is
 * untouched.
 */
int stats_sqlite_parse_walk_log(const char *text, struct stats_sqlite_opts *o,
                                struct sim_err *err);

/**
 * stats_sqlite_open() - open (creating if needed) a results database as a sink.
 * @out:  filled with the sink on success; untouched on failure.
 * @path: database file; created with the schema when missing or empty.
 * @opts: NULL for the defaults.
 *
 * Recognises its own databases by application_id/user_version, migrates older
 * schema versions in one transaction, and refuses (SIM_EDB, one line naming
 * @path) a file that is not SQLite, is corrupt, belongs to another program or
 * has a newer schema.  Prepares every statement and allocates the walk buffer
 * here, so the walk callback never allocates.
 * Return: SIM_OK; SIM_EINVAL for bad @opts; SIM_EDB; SIM_ENOMEM.
 */
int stats_sqlite_open(struct stats_sink *out, const char *path,
                      const struct stats_sqlite_opts *opts, struct sim_err *err);

/**
 * stats_sqlite_run_id() - the id (runs.id) of the sink's current or last run.
 * @s: a sink returned by stats_sqlite_open() and not yet closed.
 * Return: the id, or 0 before the first run_begin.
 */
int64_t stats_sqlite_run_id(const struct stats_sink *s);

#endif /* SIM_STATS_SQLITE_H */
