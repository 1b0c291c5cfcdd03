/*
 * sim/stats_sqlite.c - the SQLite results writer (see stats_sqlite.h for the
 * run lifecycle, results/schema.sql for the layout).
 *
 * Write path: statements are prepared once in open; walks are copied into a
 * buffer allocated in open and written batch_walks at a time inside one
 * BEGIN IMMEDIATE ... COMMIT, so the write lock is held only while a batch is
 * written (another process writing the same file waits at most one batch).
 * The run becomes 'complete' only in the run_end transaction.
 */
#include "sim/stats_sqlite.h"
#include "sim/stats_sqlite_int.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MIGRATION_MARK "\n-- @migration from "

/* ------------------------------------------------------------ opening */

static int db_fail(struct sim_err *err, const char *path, sqlite3 *db, const char *what)
{
    int code = db ? sqlite3_errcode(db) & 0xff : SQLITE_ERROR;
    const char *msg = db ? sqlite3_errmsg(db) : "out of memory";
    if (code == SQLITE_NOTADB)
        return sim_err_set(err, SIM_EDB, "%s: not an SQLite database (%s)", path, msg);
    if (code == SQLITE_CORRUPT)
        return sim_err_set(err, SIM_EDB, "%s: corrupt database (%s)", path, msg);
    if (code == SQLITE_FULL)
        return sim_err_set(err, SIM_EIO, "%s: %s: disk full (%s)", path, what, msg);
    if (code == SQLITE_IOERR || code == SQLITE_CANTOPEN || code == SQLITE_READONLY)
        return sim_err_set(err, SIM_EIO, "%s: %s: %s", path, what, msg);
    return sim_err_set(err, SIM_EDB, "%s: %s: %s", path, what, msg);
}

/* One integer from a single-row query; -1 rc on failure. */
static int query_int(sqlite3 *db, const char *sql, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int64(st, 0);
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : -1;
}

/* The part of the schema text for a fresh database (before any migration). */
static char *schema_main(void)
{
    const char *end = strstr(mmusim_schema_sql, MIGRATION_MARK);
    size_t n = end ? (size_t)(end - mmusim_schema_sql) : strlen(mmusim_schema_sql);
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, mmusim_schema_sql, n);
        s[n] = '\0';
    }
    return s;
}

/*
 * The statements of the migration from version @from: the "--! " lines of
 * its section, prefix removed.  NULL with *missing set when there is none.
 */
static char *schema_migration(int64_t from, bool *missing)
{
    char mark[64];
    snprintf(mark, sizeof(mark), MIGRATION_MARK "%" PRId64 "\n", from);
    const char *p = strstr(mmusim_schema_sql, mark);
    *missing = (p == NULL);
    if (!p)
        return NULL;
    p += strlen(mark);
    const char *end = strstr(p, MIGRATION_MARK);
    if (!end)
        end = p + strlen(p);
    char *s = malloc((size_t)(end - p) + 1);
    if (!s)
        return NULL;
    size_t n = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        if (le - p >= 4 && memcmp(p, "--! ", 4) == 0) {
            memcpy(s + n, p + 4, (size_t)(le - p - 4));
            n += (size_t)(le - p - 4);
            s[n++] = '\n';
        }
        p = nl ? nl + 1 : end;
    }
    s[n] = '\0';
    return s;
}

struct db_ident {
    int64_t app_id, version, objects;
};

/* One statement, so one snapshot: read one at a time, the three could straddle another
 * process's commit of the schema (application_id 0 from before it, the tables from
 * after), and a fresh file shared by concurrent runs was then refused as foreign. */
static int db_identify(sqlite3 *db, struct db_ident *id)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT a.application_id, v.user_version,"
                                " (SELECT count(*) FROM sqlite_master)"
                                " FROM pragma_application_id a, pragma_user_version v",
                                -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        id->app_id = sqlite3_column_int64(st, 0);
        id->version = sqlite3_column_int64(st, 1);
        id->objects = sqlite3_column_int64(st, 2);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : -1;
}

/* Check the identity; fresh/older databases need a write (*need_write). */
static int db_check_ident(const char *path, const struct db_ident *id, bool *need_write,
                          struct sim_err *err)
{
    *need_write = false;
    if (id->app_id == 0 && id->version == 0 && id->objects == 0) {
        *need_write = true;          /* empty: create the schema */
        return SIM_OK;
    }
    if (id->app_id != STATS_SQLITE_APP_ID)
        return sim_err_set(err, SIM_EDB,
                           "%s: not an mmusim results database (application_id %" PRId64
                           ", %" PRId64 " schema objects)", path, id->app_id, id->objects);
    if (id->version > STATS_SQLITE_SCHEMA_VERSION)
        return sim_err_set(err, SIM_EDB,
                           "%s: schema version %" PRId64 " is newer than this mmusim's (%d)",
                           path, id->version, STATS_SQLITE_SCHEMA_VERSION);
    if (id->version < 1)
        return sim_err_set(err, SIM_EDB, "%s: bad schema version %" PRId64, path, id->version);
    *need_write = id->version < STATS_SQLITE_SCHEMA_VERSION;
    return SIM_OK;
}

/* Identify @db and decide whether it needs the schema (db_check_ident()). */
static int db_examine(sqlite3 *db, const char *path, struct db_ident *id, bool *need,
                      struct sim_err *err)
{
    if (db_identify(db, id) < 0)
        return db_fail(err, path, db, "reading the header");
    return db_check_ident(path, id, need, err);
}

/* Create or migrate inside one write transaction (re-checked under the lock). */
static int db_apply_schema(sqlite3 *db, const char *path, struct sim_err *err)
{
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(err, path, db, "locking for the schema");
    struct db_ident id;
    bool need = false;
    int rc = db_examine(db, path, &id, &need, err);
    if (rc < 0 || !need)
        goto out;
    for (int64_t v = id.objects ? id.version : STATS_SQLITE_SCHEMA_VERSION;
         v < STATS_SQLITE_SCHEMA_VERSION; v++) {
        bool missing = false;
        char *sql = schema_migration(v, &missing);
        if (!sql) {
            rc = missing ? sim_err_set(err, SIM_EDB, "%s: no migration from schema version %"
                                       PRId64, path, v)
                         : sim_err_set(err, SIM_ENOMEM, "%s: out of memory", path);
            goto out;
        }
        int x = sqlite3_exec(db, sql, NULL, NULL, NULL);
        free(sql);
        if (x != SQLITE_OK) {
            char what[64];
            snprintf(what, sizeof(what), "migrating from schema version %" PRId64, v);
            rc = db_fail(err, path, db, what);
            goto out;
        }
    }
    char *sql = schema_main();
    if (!sql) {
        rc = sim_err_set(err, SIM_ENOMEM, "%s: out of memory", path);
        goto out;
    }
    int x = sqlite3_exec(db, sql, NULL, NULL, NULL);
    free(sql);
    if (x != SQLITE_OK) {
        rc = db_fail(err, path, db, "applying the schema");
        goto out;
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        rc = db_fail(err, path, db, "committing the schema");
        goto out;
    }
    return SIM_OK;
out:
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int stats_db_open(const char *path, bool writable, int busy_ms, sqlite3 **out,
                  struct sim_err *err)
{
    *out = NULL;
    if (!writable && access(path, F_OK) != 0)
        return sim_err_set(err, SIM_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return sim_err_set(err, SIM_EIO, "%s: is a directory", path);
    sqlite3 *db = NULL;
    /* one connection per thread: no SQLite mutexes */
    int flags = SQLITE_OPEN_NOMUTEX |
                (writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY);
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        int rc = db_fail(err, path, db, "cannot open");
        sqlite3_close(db);
        return rc;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, busy_ms);
    struct db_ident id;
    bool need = false;
    int rc = db_examine(db, path, &id, &need, err);
    if (rc < 0)
        goto fail;
    if (!writable && need && id.objects == 0) {
        rc = sim_err_set(err, SIM_EDB, "%s: not an mmusim results database (empty)", path);
        goto fail;
    }
    if (!writable && need) {
        /* an older schema: migrate through a read-write connection */
        sqlite3_close(db);
        db = NULL;
        if (stats_db_open(path, true, busy_ms, &db, err) < 0)
            return err ? err->rc : SIM_EDB;
        *out = db;
        return SIM_OK;
    }
    if (writable) {
        /* A new file gets 64 KiB pages (an existing one keeps its own): a walk-log
           batch is ~1.6 MB of overflow pages, so 16 times fewer pages, WAL frames and
           write calls than at SQLite's default 4 KiB; the small tables do not mind. */
        if (need && id.objects == 0 &&
            sqlite3_exec(db, "PRAGMA page_size=65536", NULL, NULL, NULL) != SQLITE_OK) {
            rc = db_fail(err, path, db, "setting the page size");
            goto fail;
        }
        if (need && (rc = db_apply_schema(db, path, err)) < 0)
            goto fail;
        /* WAL: readers do not block the writer; NORMAL sync is safe with WAL
           (a power loss may lose the last commits, never consistency). */
        /* Switching a new file to WAL needs it unlocked for a moment, and SQLite may
           report BUSY at once (no busy handler) while a concurrent run holds it: retry
           for up to the busy timeout. */
        for (int waited = 0;; waited += 10) {
            int x = sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                                     "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
                                     "PRAGMA cache_size=-16384;", NULL, NULL, NULL);
            if (x == SQLITE_OK)
                break;
            if ((x & 0xff) != SQLITE_BUSY || waited >= busy_ms) {
                rc = db_fail(err, path, db, "setting pragmas");
                goto fail;
            }
            sqlite3_sleep(10);
        }
        /* a checkpoint every 64 MiB of WAL rather than SQLite's 1000 pages: far fewer
           fsyncs while a long walk log streams in, with NORMAL's guarantees unchanged */
        int64_t page = 0;
        char sql[64];
        if (query_int(db, "PRAGMA page_size", &page) < 0 || page <= 0) {
            rc = db_fail(err, path, db, "reading the page size");
            goto fail;
        }
        snprintf(sql, sizeof(sql), "PRAGMA wal_autocheckpoint=%" PRId64, (INT64_C(64) << 20) / page);
        if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
            rc = db_fail(err, path, db, "setting pragmas");
            goto fail;
        }
    }
    *out = db;
    return SIM_OK;
fail:
    sqlite3_close(db);
    return rc;
}

/* ------------------------------------------------------------ the sink */

enum sink_state { SINK_IDLE = 0, SINK_RUNNING };

/*
 * A buffered walk: the record's scalars and one byte per fetch (wl_token()),
 * 96 bytes instead of the 192 of a struct walk_record, so that the engine
 * thread copies and the writer reads half as much.
 */
struct wl_rec {
    uint64_t seq, va, ipa, pa;
    uint32_t cycles;
    uint16_t vmid, asid, refs;
    uint8_t kind, s1_shift, s2_shift, tlb_shift, nfetch;
    uint8_t tok[WALK_MAX_FETCH];
};

/* A fetch as one byte: bit 7 stage 2, bits 6-3 the level (0-9, 10 for any other,
 * printed 'm'), bits 2-0 where it was served (SERVED_COUNT = 4 for out of range,
 * printed '?'). */
static inline uint8_t wl_token(uint8_t stage, int8_t level, uint8_t served)
{
    unsigned lv = (level >= 0 && level <= 9) ? (unsigned)level : 10;
    unsigned sv = served < SERVED_COUNT ? served : SERVED_COUNT;
    return (uint8_t)((stage == 2) << 7 | lv << 3 | sv);
}

/* wl_token() of fetches [0, @nf) of @w into @tok; with SSE2, 16 at a time (the
 * tokens past @nf in the last 16 are packed too, never read). */
#if defined(__SSE2__) && !defined(STATS_NO_SIMD)
#include <emmintrin.h>
_Static_assert(WALK_MAX_FETCH % 16 == 0, "fetch arrays pack in 16-byte steps");
static inline void wl_pack(uint8_t *tok, const struct walk_record *w, unsigned nf)
{
    for (unsigned f = 0; f < nf; f += 16) {
        __m128i st = _mm_loadu_si128((const __m128i *)(const void *)(w->fetch_stage + f));
        __m128i lv = _mm_loadu_si128((const __m128i *)(const void *)(w->fetch_level + f));
        __m128i sv = _mm_loadu_si128((const __m128i *)(const void *)(w->fetch_served + f));
        /* as unsigned bytes a negative level is >= 128, so min(level, 10) is wl_token's */
        __m128i t = _mm_and_si128(_mm_cmpeq_epi8(st, _mm_set1_epi8(2)), _mm_set1_epi8(-128));
        t = _mm_or_si128(t, _mm_slli_epi16(_mm_min_epu8(lv, _mm_set1_epi8(10)), 3));
        t = _mm_or_si128(t, _mm_min_epu8(sv, _mm_set1_epi8(SERVED_COUNT)));
        _mm_storeu_si128((__m128i *)(void *)(tok + f), t);
    }
}
#else
static inline void wl_pack(uint8_t *tok, const struct walk_record *w, unsigned nf)
{
    for (unsigned f = 0; f < nf; f++)
        tok[f] = wl_token(w->fetch_stage[f], w->fetch_level[f], w->fetch_served[f]);
}
#endif

/* Batches the engine thread may hand to the writer before it waits (background
 * mode): ~8 x 16384 walks, ~60 ms of a walk-heavy replay, so that the writer's
 * checkpoints (a copy of 64 MiB of WAL and an fsync) do not stall the engine. */
#define WL_RING 8

struct sqlite_sink {
    sqlite3 *db;
    char *path;                     /* owned copy, for messages */
    struct stats_sqlite_opts opts;
    enum sink_state state;
    int64_t run_id;                 /* current or last run, 0 = none yet */
    uint64_t walks_seen;            /* walks reported in this run */
    uint64_t walks_logged;          /* rows written or buffered in this run */
    struct wl_rec *buf;             /* opts.batch_walks records */
    uint32_t nbuf;
    char *json;                     /* JSON text of one batch: WALK_JSON_MAX per walk */
    /*
     * Background mode: when buf is full it is swapped into the ring's next free
     * slot (whose spare buffer becomes buf) and handed to a writer thread, which
     * formats and inserts the slots in order (into wjson) while the engine goes
     * on; the engine waits only when all WL_RING slots are queued.  The main
     * thread uses the connection only while the writer is idle (writer_wait()),
     * so it is never used by two threads at once.  A writer failure is sticky
     * and returned by the next call into the sink.
     */
    pthread_t thread;
    bool thread_started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct wl_slot {
        struct wl_rec *recs;
        uint32_t n;
        uint64_t first, logged;     /* its first walk number; walks_logged after it */
    } ring[WL_RING];
    unsigned head, queued;          /* the writer's next slot; slots queued */
    char *wjson;
    bool quit, werr;
    struct sim_err werr_msg;
    sqlite3_stmt *st_begin, *st_commit, *st_rollback;
    sqlite3_stmt *st_run, *st_walk, *st_metric, *st_hist;
    sqlite3_stmt *st_complete, *st_fail, *st_logged;
};

static const char SQL_RUN[] =
    "INSERT INTO runs (label, status, started_at, config_json, preset, s1_granule, s2_granule,"
    " virtualized, trace_path, trace_format, trace_bytes, trace_sha256, seed, version, host,"
    " walk_log) VALUES (?1, 'running', ?2, ?3, ?4, json_extract(?3, '$.process.s1_granule'),"
    " CASE WHEN json_extract(?3, '$.machine.virtualized') THEN json_extract(?3, '$.vm.s2_granule')"
    " END, json_extract(?3, '$.machine.virtualized'), ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
static const char SQL_WALK[] =
    "INSERT INTO walk_batches (run_id, first, n, data) VALUES (?1, ?2, ?3, ?4)";
/* Longest JSON text of one walk: 18 numbers of at most 20 digits and commas,
 * the path, quotes and brackets. */
#define WALK_JSON_MAX (18 * 21 + 3 * WALK_MAX_FETCH + 8)

static const char SQL_METRIC[] = "INSERT INTO metrics (run_id, name, value) VALUES (?1, ?2, ?3)";
static const char SQL_HIST[] =
    "INSERT INTO hist (run_id, hist, key, count) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_COMPLETE[] =
    "UPDATE runs SET status = 'complete', ended_at = ?2, summary_json = ?3, walks_logged = ?4,"
    " trace_sha256 = coalesce(?5, trace_sha256), trace_bytes = coalesce(?6, trace_bytes)"
    " WHERE id = ?1 AND status = 'running'";
static const char SQL_FAIL[] =
    "UPDATE runs SET status = 'failed', ended_at = ?2, fail_reason = ?3, walks_logged = ?4"
    " WHERE id = ?1 AND status = 'running'";
static const char SQL_LOGGED[] = "UPDATE runs SET walks_logged = ?2 WHERE id = ?1";

static void now_iso(char *buf, size_t n)
{
    /* wall-clock time stamps the record only; it never feeds the model */
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int sink_fail(struct sqlite_sink *s, const char *what, struct sim_err *err)
{
    return db_fail(err, s->path, s->db, what);
}

static int step_reset(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Hot variant: every parameter is bound again before the next step. */
static int step_reset_fast(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static const char SERVED_CHAR[SERVED_COUNT] = {'1', '2', 'L', 'D'};

/* Append the decimal digits of @v at @p; returns the new end (two digits a step). */
static inline char *put_u64(char *p, uint64_t v)
{
    static const char d2[201] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    static const uint64_t pow10[20] = {
        UINT64_C(1), UINT64_C(10), UINT64_C(100), UINT64_C(1000), UINT64_C(10000),
        UINT64_C(100000), UINT64_C(1000000), UINT64_C(10000000), UINT64_C(100000000),
        UINT64_C(1000000000), UINT64_C(10000000000), UINT64_C(100000000000),
        UINT64_C(1000000000000), UINT64_C(10000000000000), UINT64_C(100000000000000),
        UINT64_C(1000000000000000), UINT64_C(10000000000000000),
        UINT64_C(100000000000000000), UINT64_C(1000000000000000000),
        UINT64_C(10000000000000000000),
    };
    if (v < 10) {                   /* most walk-log columns: shifts, counts, ids */
        *p++ = (char)('0' + v);
        return p;
    }
    if (v < 100) {
        *p++ = d2[2 * v];
        *p++ = d2[2 * v + 1];
        return p;
    }
    /* decimal digits: log10 from the bit length (1233 / 4096 ~ log10(2)), corrected by
     * one compare; 1 for v = 0 */
    unsigned bits = 64u - (unsigned)__builtin_clzll(v | 1);
    unsigned len = (bits * 1233) >> 12;
    len += v >= pow10[len];
    len += len == 0;
    char *end = p + len, *q = end;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        *--q = d2[2 * r + 1];
        *--q = d2[2 * r];
    }
    if (v >= 10) {
        *--q = d2[2 * v + 1];
        *--q = d2[2 * v];
    } else {
        *--q = (char)('0' + v);
    }
    return end;
}

/*
 * Insert the buffered walks as one walk_batches row (a JSON array of arrays,
 * column order as in results/schema.sql), inside a transaction opened by the
 * caller.  One row per batch instead of one per walk is what keeps the full
 * walk log cheap next to the simulation.
 */
static int insert_batch(struct sqlite_sink *s, const struct wl_rec *recs, uint32_t n,
                        uint64_t first, uint64_t logged, char *json)
{
    if (n) {
        char *p = json;
        *p++ = '[';
        for (uint32_t i = 0; i < n; i++) {
            const struct wl_rec *w = &recs[i];
            unsigned nf = w->nfetch;
            uint64_t stage_refs[2] = {0, 0}, served[8] = {0};   /* [4]: out of range */
            char path[WALK_MAX_FETCH * 3];
            for (unsigned f = 0; f < nf; f++) {
                unsigned t = w->tok[f], lv = (t >> 3) & 0xF, sv = t & 7;
                stage_refs[t >> 7]++;
                served[sv]++;
                path[3 * f] = (char)('1' + (t >> 7));
                path[3 * f + 1] = lv <= 9 ? (char)('0' + lv) : 'm';
                path[3 * f + 2] = sv < SERVED_COUNT ? SERVED_CHAR[sv] : '?';
            }
            const uint64_t col[18] = {
                w->seq, w->kind, w->vmid, w->asid, w->va, w->ipa, w->pa, w->s1_shift,
                w->s2_shift, w->tlb_shift, w->refs, w->cycles, stage_refs[0], stage_refs[1],
                served[0], served[1], served[2], served[3],
            };
            if (i)
                *p++ = ',';
            *p++ = '[';
            for (int c = 0; c < 18; c++) {
                p = put_u64(p, col[c]);
                *p++ = ',';
            }
            *p++ = '"';
            memcpy(p, path, 3 * nf);
            p += 3 * nf;
            *p++ = '"';
            *p++ = ']';
        }
        *p++ = ']';
        sqlite3_stmt *st = s->st_walk;
        sqlite3_bind_int64(st, 1, s->run_id);
        sqlite3_bind_int64(st, 2, (int64_t)first);
        sqlite3_bind_int64(st, 3, n);
        sqlite3_bind_text(st, 4, json, (int)(p - json), SQLITE_STATIC);
        if (step_reset_fast(st) < 0)
            return -1;
    }
    sqlite3_bind_int64(s->st_logged, 1, s->run_id);
    sqlite3_bind_int64(s->st_logged, 2, (int64_t)logged);
    return step_reset(s->st_logged);
}

/* Insert the walks buffered in the main thread; inside a transaction opened by the caller. */
static int flush_walks(struct sqlite_sink *s)
{
    int rc = insert_batch(s, s->buf, s->nbuf, s->walks_logged - s->nbuf, s->walks_logged,
                          s->json);
    if (rc == 0)
        s->nbuf = 0;
    return rc;
}


static int tx(sqlite3_stmt *st)
{
    return step_reset(st);
}

static int tx(sqlite3_stmt *st);

static void *writer_main(void *arg)
{
    struct sqlite_sink *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->queued && !s->quit)
            pthread_cond_wait(&s->cv, &s->mu);
        if (!s->queued)
            break;
        /* the engine thread touches a queued slot again only after it is released */
        const struct wl_slot *b = &s->ring[s->head];
        pthread_mutex_unlock(&s->mu);
        struct sim_err e;
        sim_err_clear(&e);
        int rc = tx(s->st_begin);
        if (rc == 0 && (rc = insert_batch(s, b->recs, b->n, b->first, b->logged,
                                          s->wjson)) == 0)
            rc = tx(s->st_commit);
        if (rc < 0) {
            sink_fail(s, "writing the walk log", &e);
            tx(s->st_rollback);
        }
        pthread_mutex_lock(&s->mu);
        if (rc < 0 && !s->werr) {
            s->werr = true;
            s->werr_msg = e;
        }
        s->head = (s->head + 1) % WL_RING;
        s->queued--;
        pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* The writer's sticky error (in @err) or SIM_OK; with s->mu held. */
static int writer_err(const struct sqlite_sink *s, struct sim_err *err)
{
    if (!s->werr)
        return SIM_OK;
    if (err)
        *err = s->werr_msg;
    return s->werr_msg.rc < 0 ? s->werr_msg.rc : SIM_EDB;
}

/* Wait until the writer is idle.  Return: its sticky error (in @err), or SIM_OK. */
static int writer_wait(struct sqlite_sink *s, struct sim_err *err)
{
    if (!s->thread_started)
        return SIM_OK;
    pthread_mutex_lock(&s->mu);
    while (s->queued)
        pthread_cond_wait(&s->cv, &s->mu);
    int rc = writer_err(s, err);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

/* Write the full buffer: hand it to the writer thread, or write it here. */
static int write_batch(struct sqlite_sink *s, struct sim_err *err)
{
    int rc;
    if (s->opts.background && !s->thread_started &&
        pthread_create(&s->thread, NULL, writer_main, s) == 0)
        s->thread_started = true;
    if (s->thread_started) {
        pthread_mutex_lock(&s->mu);
        while (s->queued == WL_RING)
            pthread_cond_wait(&s->cv, &s->mu);
        if ((rc = writer_err(s, err)) == SIM_OK) {
            struct wl_slot *b = &s->ring[(s->head + s->queued) % WL_RING];
            struct wl_rec *t = b->recs;
            b->recs = s->buf;
            b->n = s->nbuf;
            b->first = s->walks_logged - s->nbuf;
            b->logged = s->walks_logged;
            s->buf = t;
            s->nbuf = 0;
            s->queued++;
            pthread_cond_broadcast(&s->cv);
        }
        pthread_mutex_unlock(&s->mu);
        return rc;
    }
    if (tx(s->st_begin) < 0)
        return sink_fail(s, "writing the walk log", err);
    if (flush_walks(s) < 0 || tx(s->st_commit) < 0) {
        rc = sink_fail(s, "writing the walk log", err);
        tx(s->st_rollback);
        s->nbuf = 0;
        return rc;
    }
    return SIM_OK;
}

static int sink_run_begin(void *ctx, const struct run_info *ri, struct sim_err *err)
{
    struct sqlite_sink *s = ctx;
    if (s->state == SINK_RUNNING)
        return sim_err_set(err, SIM_EINVAL, "%s: run_begin: run %" PRId64 " is still open",
                           s->path, s->run_id);
    char when[32], seed[24], mode[32];
    now_iso(when, sizeof(when));
    snprintf(seed, sizeof(seed), "%" PRIu64, ri->seed);
    if (s->opts.walk_log == STATS_WALK_LOG_SAMPLE)
        snprintf(mode, sizeof(mode), "sample:%" PRIu32, s->opts.sample_every);
    else
        snprintf(mode, sizeof(mode), "%s", s->opts.walk_log == STATS_WALK_LOG_NONE ? "none"
                                                                                  : "full");
#define S(x) ((x) ? (x) : "")
    sqlite3_stmt *st = s->st_run;
    sqlite3_bind_text(st, 1, S(ri->label), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, when, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, ri->config_json ? ri->config_json : "{}", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, S(ri->preset), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, S(ri->trace_path), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, S(ri->trace_format), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 7, (int64_t)ri->trace_bytes);
    sqlite3_bind_text(st, 8, S(ri->trace_sha256), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 9, seed, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 10, S(ri->version), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 11, S(ri->host), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 12, mode, -1, SQLITE_TRANSIENT);
#undef S
    if (step_reset(st) < 0)
        return sink_fail(s, "recording the run", err);
    s->run_id = sqlite3_last_insert_rowid(s->db);
    s->state = SINK_RUNNING;
    s->walks_seen = s->walks_logged = 0;
    s->nbuf = 0;
    return SIM_OK;
}

static int sink_walk(void *ctx, const struct walk_record *w, struct sim_err *err)
{
    struct sqlite_sink *s = ctx;
    if (s->state != SINK_RUNNING)
        return sim_err_set(err, SIM_EINVAL, "%s: walk outside a run", s->path);
    uint64_t n = s->walks_seen++;
    if (s->opts.walk_log == STATS_WALK_LOG_NONE ||
        (s->opts.walk_log == STATS_WALK_LOG_SAMPLE && n % s->opts.sample_every != 0))
        return SIM_OK;
    struct wl_rec *r = &s->buf[s->nbuf++];
    unsigned nf = w->nfetch <= WALK_MAX_FETCH ? w->nfetch : WALK_MAX_FETCH;
    r->seq = w->seq;
    r->va = w->va;
    r->ipa = w->ipa;
    r->pa = w->pa;
    r->cycles = w->cycles;
    r->vmid = w->vmid;
    r->asid = w->asid;
    r->refs = w->refs;
    r->kind = w->kind;
    r->s1_shift = w->s1_shift;
    r->s2_shift = w->s2_shift;
    r->tlb_shift = w->tlb_shift;
    r->nfetch = (uint8_t)nf;
    wl_pack(r->tok, w, nf);
    s->walks_logged++;
    if (s->nbuf < s->opts.batch_walks)
        return SIM_OK;
    return write_batch(s, err);
}

static int sink_run_end(void *ctx, const struct run_totals *t, struct sim_err *err)
{
    struct sqlite_sink *s = ctx;
    if (s->state != SINK_RUNNING)
        return sim_err_set(err, SIM_EINVAL, "%s: run_end outside a run", s->path);
    int wrc = writer_wait(s, err);
    if (wrc < 0)
        return wrc;
    for (size_t i = 0; i < t->n_metrics; i++)
        if (!t->metrics[i].name || !isfinite(t->metrics[i].value))
            return sim_err_set(err, SIM_EINVAL, "%s: run_end: metric '%s' is not a finite number",
                               s->path, t->metrics[i].name ? t->metrics[i].name : "(null)");
    if (tx(s->st_begin) < 0)
        return sink_fail(s, "finishing the run", err);
    const char *what = "writing the walk log";
    if (flush_walks(s) < 0)
        goto fail;
    what = "writing the metrics";
    for (size_t i = 0; i < t->n_metrics; i++) {
        sqlite3_bind_int64(s->st_metric, 1, s->run_id);
        sqlite3_bind_text(s->st_metric, 2, t->metrics[i].name, -1, SQLITE_STATIC);
        sqlite3_bind_double(s->st_metric, 3, t->metrics[i].value);
        if (step_reset(s->st_metric) < 0) {
            if ((sqlite3_errcode(s->db) & 0xff) == SQLITE_CONSTRAINT) {
                sim_err_set(err, SIM_EINVAL, "%s: run_end: metric '%s' given twice", s->path,
                            t->metrics[i].name);
                goto fail_set;
            }
            goto fail;
        }
    }
    what = "writing the histograms";
    for (size_t i = 0; i < t->n_bins; i++) {
        const struct stat_hist_bin *b = &t->bins[i];
        sqlite3_bind_int64(s->st_hist, 1, s->run_id);
        sqlite3_bind_text(s->st_hist, 2, b->hist ? b->hist : "", -1, SQLITE_STATIC);
        sqlite3_bind_int64(s->st_hist, 3, b->key);
        sqlite3_bind_int64(s->st_hist, 4, (int64_t)b->count);
        if (step_reset(s->st_hist) < 0) {
            if ((sqlite3_errcode(s->db) & 0xff) == SQLITE_CONSTRAINT) {
                sim_err_set(err, SIM_EINVAL, "%s: run_end: histogram '%s' key %" PRId64
                            " given twice", s->path, b->hist ? b->hist : "", b->key);
                goto fail_set;
            }
            goto fail;
        }
    }
    what = "marking the run complete";
    char when[32];
    now_iso(when, sizeof(when));
    sqlite3_bind_int64(s->st_complete, 1, s->run_id);
    sqlite3_bind_text(s->st_complete, 2, when, -1, SQLITE_TRANSIENT);
    if (t->summary_json)
        sqlite3_bind_text(s->st_complete, 3, t->summary_json, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s->st_complete, 4, (int64_t)s->walks_logged);
    if (t->trace_sha256) {
        sqlite3_bind_text(s->st_complete, 5, t->trace_sha256, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s->st_complete, 6, (int64_t)t->trace_bytes);
    }
    if (step_reset(s->st_complete) < 0)
        goto fail;
    if (sqlite3_changes(s->db) != 1) {
        sim_err_set(err, SIM_EDB, "%s: run %" PRId64 " is no longer 'running' (changed by"
                    " another process?)", s->path, s->run_id);
        goto fail_set;
    }
    if (tx(s->st_commit) < 0)
        goto fail;
    s->state = SINK_IDLE;
    return SIM_OK;
fail:
    sink_fail(s, what, err);
fail_set:
    tx(s->st_rollback);
    s->nbuf = 0;
    return err ? err->rc : SIM_EDB;
}

static void sink_run_fail(void *ctx, const char *reason)
{
    struct sqlite_sink *s = ctx;
    if (s->state != SINK_RUNNING)
        return;
    writer_wait(s, NULL);
    char when[32];
    now_iso(when, sizeof(when));
    /* first try to keep the buffered part of the walk log; if that cannot be
       written (full disk), drop it and record only the status */
    for (int attempt = 0; attempt < 2; attempt++) {
        if (tx(s->st_begin) < 0)
            continue;
        if (attempt == 0 && flush_walks(s) < 0) {
            tx(s->st_rollback);
            s->walks_logged -= s->nbuf;
            s->nbuf = 0;
            continue;
        }
        sqlite3_bind_int64(s->st_fail, 1, s->run_id);
        sqlite3_bind_text(s->st_fail, 2, when, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s->st_fail, 3, reason ? reason : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s->st_fail, 4, (int64_t)(s->walks_logged - s->nbuf));
        if (step_reset(s->st_fail) == 0 && tx(s->st_commit) == 0)
            break;
        tx(s->st_rollback);
    }
    s->nbuf = 0;
    s->state = SINK_IDLE;
}

/* Free @s and its buffers (any of them may be NULL). */
static void sink_free(struct sqlite_sink *s)
{
    free(s->path);
    free(s->buf);
    free(s->json);
    for (unsigned i = 0; i < WL_RING; i++)
        free(s->ring[i].recs);
    free(s->wjson);
    free(s);
}

static void sink_close(void *ctx)
{
    struct sqlite_sink *s = ctx;
    if (!s)
        return;
    if (s->state == SINK_RUNNING)
        sink_run_fail(s, "results closed before the run ended");
    if (s->thread_started) {
        pthread_mutex_lock(&s->mu);
        s->quit = true;
        pthread_cond_broadcast(&s->cv);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->thread, NULL);
    }
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    sqlite3_stmt *all[] = {s->st_begin, s->st_commit, s->st_rollback, s->st_run, s->st_walk,
                           s->st_metric, s->st_hist, s->st_complete, s->st_fail, s->st_logged};
    for (size_t i = 0; i < ARRAY_SIZE(all); i++)
        sqlite3_finalize(all[i]);
    sqlite3_close(s->db);
    sink_free(s);
}

static const struct stats_ops SQLITE_OPS = {
    .run_begin = sink_run_begin,
    .walk = sink_walk,
    .run_end = sink_run_end,
    .run_fail = sink_run_fail,
    .close = sink_close,
};

void stats_sqlite_opts_default(struct stats_sqlite_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->walk_log = STATS_WALK_LOG_FULL;
    o->sample_every = 1;
    o->batch_walks = STATS_SQLITE_DEFAULT_BATCH;
    o->busy_timeout_ms = 60000;
}

int stats_sqlite_parse_walk_log(const char *text, struct stats_sqlite_opts *o,
                                struct sim_err *err)
{
    if (strcmp(text, "full") == 0) {
        o->walk_log = STATS_WALK_LOG_FULL;
        return SIM_OK;
    }
    if (strcmp(text, "none") == 0) {
        o->walk_log = STATS_WALK_LOG_NONE;
        return SIM_OK;
    }
    if (strncmp(text, "sample:", 7) == 0 && text[7] >= '0' && text[7] <= '9') {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(text + 7, &end, 10);
        if (*end == '\0' && errno == 0 && n >= 1 && n <= UINT32_MAX) {
            o->walk_log = STATS_WALK_LOG_SAMPLE;
            o->sample_every = (uint32_t)n;
            return SIM_OK;
        }
    }
    return sim_err_set(err, SIM_EINVAL,
                       "--walk-log: expected full, none or sample:N (N >= 1), got '%s'", text);
}

int stats_sqlite_open(struct stats_sink *out, const char *path,
                      const struct stats_sqlite_opts *opts, struct sim_err *err)
{
    struct stats_sqlite_opts o;
    if (opts)
        o = *opts;
    else
        stats_sqlite_opts_default(&o);
    if (o.batch_walks == 0)
        o.batch_walks = STATS_SQLITE_DEFAULT_BATCH;
    if (o.busy_timeout_ms == 0)
        o.busy_timeout_ms = 60000;
    if (o.walk_log > STATS_WALK_LOG_SAMPLE ||
        (o.walk_log == STATS_WALK_LOG_SAMPLE && o.sample_every == 0))
        return sim_err_set(err, SIM_EINVAL, "%s: bad walk-log options", path);
    if (o.busy_timeout_ms > INT32_MAX)
        o.busy_timeout_ms = INT32_MAX;

    struct sqlite_sink *s = calloc(1, sizeof(*s));
    if (!s)
        return sim_err_set(err, SIM_ENOMEM, "%s: out of memory", path);
    s->opts = o;
    s->path = strdup(path);
    s->buf = malloc((size_t)o.batch_walks * sizeof(*s->buf));
    s->json = malloc((size_t)o.batch_walks * WALK_JSON_MAX + 2);
    bool ring_ok = true;
    if (o.background) {
        for (unsigned i = 0; i < WL_RING; i++)
            ring_ok &= (s->ring[i].recs = malloc((size_t)o.batch_walks * sizeof(*s->buf))) != NULL;
        s->wjson = malloc((size_t)o.batch_walks * WALK_JSON_MAX + 2);
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    if (!s->path || !s->buf || !s->json || (o.background && (!ring_ok || !s->wjson))) {
        sink_free(s);
        return sim_err_set(err, SIM_ENOMEM, "%s: out of memory for %" PRIu32 " walk records",
                           path, o.batch_walks);
    }
    int rc = stats_db_open(path, true, (int)o.busy_timeout_ms, &s->db, err);
    if (rc < 0) {
        sink_free(s);
        return rc;
    }
    if (o.max_page_count) {
        char sql[64];
        snprintf(sql, sizeof(sql), "PRAGMA max_page_count=%" PRIu32, o.max_page_count);
        sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    }
    struct {
        sqlite3_stmt **st;
        const char *sql;
    } prep[] = {
        {&s->st_begin, "BEGIN IMMEDIATE"}, {&s->st_commit, "COMMIT"},
        {&s->st_rollback, "ROLLBACK"},     {&s->st_run, SQL_RUN},
        {&s->st_walk, SQL_WALK},           {&s->st_metric, SQL_METRIC},
        {&s->st_hist, SQL_HIST},           {&s->st_complete, SQL_COMPLETE},
        {&s->st_fail, SQL_FAIL},           {&s->st_logged, SQL_LOGGED},
    };
    for (size_t i = 0; i < ARRAY_SIZE(prep); i++) {
        if (sqlite3_prepare_v3(s->db, prep[i].sql, -1, SQLITE_PREPARE_PERSISTENT, prep[i].st,
                               NULL) != SQLITE_OK) {
            rc = sink_fail(s, "preparing statements", err);
            sink_close(s);
            return rc;
        }
    }
    out->ops = &SQLITE_OPS;
    out->ctx = s;
    return SIM_OK;
}

int64_t stats_sqlite_run_id(const struct stats_sink *s)
{
    return s && s->ctx ? ((const struct sqlite_sink *)s->ctx)->run_id : 0;
}
