/*
 * sim/stats_sqlite_int.h - shared inside the results module (stats_sqlite.c
 * and cmd_results.c): opening and recognising a results database.
 * Nothing outside these two files includes SQLite.
 */
#ifndef SIM_STATS_SQLITE_INT_H
#define SIM_STATS_SQLITE_INT_H

#include <stdbool.h>
#include <sqlite3.h>

#include "sim/err.h"

/* results/schema.sql, NUL-terminated; generated into build/gen/schema_sql.c */
extern const char mmusim_schema_sql[];

/**
 * stats_db_open() - open a results database and check that it is one.
 * @path:     the file.
 * @writable: true: create it (with the schema) when missing or empty, set the
 *            writer pragmas (WAL, synchronous=NORMAL, foreign keys);
 *            false: open read-only; the file must exist.  An older schema is
 *            migrated in both modes (a read-only open then reopens it
 *            read-write for the migration).
 * @busy_ms:  how long to wait for another writer's lock.
 * @out:      the connection on success; NULL on failure.
 * Return: SIM_OK, or SIM_EDB / SIM_EIO with a one-line message starting with
 * @path: "not an SQLite database", "not an mmusim results database", "schema
 * version N is newer than ...", "database disk image is malformed", ...
 */
int stats_db_open(const char *path, bool writable, int busy_ms, sqlite3 **out,
                  struct sim_err *err);

#endif /* SIM_STATS_SQLITE_INT_H */
