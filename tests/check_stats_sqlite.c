/*
 * tests/check_stats_sqlite.c - the SQLite results sink and the results
 * subcommands: schema creation and migration, the run lifecycle (including
 * a process killed part way and a full disk), the walk-log modes, foreign
 * and corrupt files, and compare's exit status.
 *
 * Every expected value is derived by hand from the records the test writes.
 */
#include <check.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/cmd_results.h"
#include "sim/stats_sqlite.h"

static char g_dir[64];
static char g_db[128];

static void setup(void)
{
    snprintf(g_dir, sizeof(g_dir), "/tmp/mmusim_ck_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(g_dir));
    snprintf(g_db, sizeof(g_db), "%s/r.db", g_dir);
}

static void teardown(void)
{
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* ---- helpers reading the database through a separate connection ---- */

static sqlite3 *peek_open(void)
{
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open_v2(g_db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    return db;
}

static int64_t peek_int(const char *sql)
{
    sqlite3 *db = peek_open();
    sqlite3_stmt *st = NULL;
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
                  sqlite3_errmsg(db));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* The first column of the first row as text, in one of 8 rotating buffers. */
static const char *peek_text(const char *sql)
{
    static char bufs[8][512];
    static unsigned next;
    sqlite3 *db = peek_open();
    sqlite3_stmt *st = NULL;
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
                  sqlite3_errmsg(db));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    const unsigned char *t = sqlite3_column_text(st, 0);
    char *v = bufs[next++ % 8];
    snprintf(v, sizeof(bufs[0]), "%s", t ? (const char *)t : "(null)");
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK, "%s", sqlite3_errmsg(db));
    sqlite3_close(db);
}

/* ---- the records ---- */

static const char CFG_VIRT[] =
    "{\"preset\":\"n1\",\"machine\":{\"virtualized\":true},"
    "\"process\":{\"s1_granule\":\"4k\",\"va_bits\":48},\"vm\":{\"s2_granule\":\"64k\",\"ipa_bits\":40}}";
static const char CFG_NATIVE[] =
    "{\"preset\":\"n1\",\"machine\":{\"virtualized\":false},"
    "\"process\":{\"s1_granule\":\"16k\",\"va_bits\":48},\"vm\":{\"s2_granule\":\"4k\",\"ipa_bits\":40}}";

static struct run_info info(const char *cfg, const char *label)
{
    struct run_info ri = {
        .config_json = cfg, .preset = "n1", .trace_path = "t.lackey", .trace_format = "lackey",
        .trace_bytes = 1234, .trace_sha256 = "ab", .seed = UINT64_C(18446744073709551615),
        .version = "0.1.0", .host = "h", .label = label,
    };
    return ri;
}

/*
 * Walk i: seq 10*i, refs 3: fetches (stage 2, level 1, DRAM), (stage 1,
 * level 0, L2), (stage 1, level 3, L1) -> path "21D" "102" "131".
 */
static struct walk_record walk(uint64_t i)
{
    struct walk_record w;
    memset(&w, 0, sizeof(w));
    w.seq = 10 * i;
    w.va = 0x400000 + 0x1000 * i;
    w.ipa = 0x80000000 + 0x1000 * i;
    w.pa = 0x100000000 + 0x1000 * i;
    w.vmid = 1;
    w.asid = 7;
    w.s1_shift = 12;
    w.s2_shift = 16;
    w.tlb_shift = 12;
    w.refs = 3;
    w.cycles = (uint32_t)(100 + i);
    w.nfetch = 3;
    w.fetch_stage[0] = 2, w.fetch_level[0] = 1, w.fetch_served[0] = SERVED_DRAM;
    w.fetch_stage[1] = 1, w.fetch_level[1] = 0, w.fetch_served[1] = SERVED_L2;
    w.fetch_stage[2] = 1, w.fetch_level[2] = 3, w.fetch_served[2] = SERVED_L1;
    return w;
}

static const struct stat_metric METRICS[] = {
    {"walks", 10}, {"walk_cycles.mean", 104.5}, {"walk_refs.mean", 3},
};
static const struct stat_hist_bin BINS[] = {
    {"walk_refs", 3, 10}, {"walk_cycles", 64, 4}, {"walk_cycles", 128, 6},
};

static struct run_totals totals(void)
{
    struct run_totals t = {.metrics = METRICS, .n_metrics = ARRAY_SIZE(METRICS), .bins = BINS,
                           .n_bins = ARRAY_SIZE(BINS), .summary_json = "{\"ok\":1}"};
    return t;
}

static void open_sink(struct stats_sink *s, const struct stats_sqlite_opts *o)
{
    struct sim_err err = {0};
    int rc = stats_sqlite_open(s, g_db, o, &err);
    ck_assert_msg(rc == SIM_OK, "open: %s", err.msg);
}

/* One whole run of @n walks; returns the run id. */
static int64_t full_run(const char *cfg, const char *label, unsigned n,
                        const struct stats_sqlite_opts *o)
{
    struct stats_sink s;
    struct sim_err err = {0};
    open_sink(&s, o);
    struct run_info ri = info(cfg, label);
    ck_assert_int_eq(s.ops->run_begin(s.ctx, &ri, &err), SIM_OK);
    for (unsigned i = 0; i < n; i++) {
        struct walk_record w = walk(i);
        ck_assert_int_eq(s.ops->walk(s.ctx, &w, &err), SIM_OK);
    }
    struct run_totals t = totals();
    ck_assert_msg(s.ops->run_end(s.ctx, &t, &err) == SIM_OK, "run_end: %s", err.msg);
    int64_t id = stats_sqlite_run_id(&s);
    s.ops->close(s.ctx);
    return id;
}

/* ---- schema ---- */

START_TEST(test_schema_fresh)
{
    struct stats_sink s;
    open_sink(&s, NULL);
    s.ops->close(s.ctx);
    ck_assert_int_eq(peek_int("PRAGMA user_version"), STATS_SQLITE_SCHEMA_VERSION);
    ck_assert_int_eq(peek_int("PRAGMA application_id"), STATS_SQLITE_APP_ID);
    /* 4 tables + 6 views, by name in results/schema.sql */
    ck_assert_int_eq(peek_int("SELECT count(*) FROM sqlite_master WHERE name IN ('runs','metrics',"
                              "'hist','walks','v_runs','v_walk_cost_by_granule','v_tlb_mpka',"
                              "'v_walk_fetch_served','v_walk_log_by_page_size','v_hist_cdf')"), 10);
    ck_assert_str_eq(peek_text("PRAGMA journal_mode"), "wal");
    /* reopening an up-to-date database changes nothing */
    open_sink(&s, NULL);
    s.ops->close(s.ctx);
    ck_assert_int_eq(peek_int("PRAGMA user_version"), STATS_SQLITE_SCHEMA_VERSION);
}
END_TEST

/* The runs table of schema versions 1-3 up to its host column, and their metrics
 * and hist tables, for the migration tests. */
#define OLD_RUNS_HEAD \
    "PRAGMA application_id = 1296913747;" \
    "CREATE TABLE runs (id INTEGER PRIMARY KEY, label TEXT NOT NULL DEFAULT ''," \
    " status TEXT NOT NULL DEFAULT 'running', fail_reason TEXT, started_at TEXT NOT NULL," \
    " ended_at TEXT, config_json TEXT NOT NULL, preset TEXT NOT NULL DEFAULT ''," \
    " s1_granule TEXT, s2_granule TEXT, virtualized INTEGER," \
    " trace_path TEXT NOT NULL DEFAULT '', trace_format TEXT NOT NULL DEFAULT ''," \
    " trace_bytes INTEGER NOT NULL DEFAULT 0, trace_sha256 TEXT NOT NULL DEFAULT ''," \
    " seed TEXT NOT NULL DEFAULT '0', version TEXT NOT NULL DEFAULT '',"
#define OLD_METRICS_HIST \
    "CREATE TABLE metrics (run_id INTEGER NOT NULL, name TEXT NOT NULL, value REAL NOT NULL," \
    " PRIMARY KEY (run_id, name)) WITHOUT ROWID;" \
    "CREATE TABLE hist (run_id INTEGER NOT NULL, hist TEXT NOT NULL, key INTEGER NOT NULL," \
    " count INTEGER NOT NULL, PRIMARY KEY (run_id, hist, key)) WITHOUT ROWID;"

/* A version-1 database (the first draft: no walk_log, no fetch summary). */
START_TEST(test_schema_migrate_v1)
{
    raw_exec(g_db,
             OLD_RUNS_HEAD
             " host TEXT NOT NULL DEFAULT '', walks_logged INTEGER NOT NULL DEFAULT 0,"
             " summary_json TEXT);"
             OLD_METRICS_HIST
             "CREATE TABLE walks (run_id INTEGER NOT NULL, seq INTEGER NOT NULL, kind INTEGER NOT NULL,"
             " vmid INTEGER NOT NULL, asid INTEGER NOT NULL, va INTEGER NOT NULL, ipa INTEGER NOT NULL,"
             " pa INTEGER NOT NULL, s1_shift INTEGER NOT NULL, s2_shift INTEGER NOT NULL,"
             " tlb_shift INTEGER NOT NULL, refs INTEGER NOT NULL, cycles INTEGER NOT NULL);"
             "INSERT INTO runs (id, status, started_at, config_json) VALUES (1, 'complete', 'x', '{}');"
             "INSERT INTO walks VALUES (1, 5, 0, 1, 1, 4096, 4096, 4096, 12, 12, 12, 24, 600);"
             "PRAGMA user_version = 1;");
    int64_t id = full_run(CFG_VIRT, "after", 2, NULL);
    ck_assert_int_eq(id, 2);
    ck_assert_int_eq(peek_int("PRAGMA user_version"), STATS_SQLITE_SCHEMA_VERSION);
    /* the old row survives, with the migration's defaults */
    ck_assert_int_eq(peek_int("SELECT refs FROM walks WHERE run_id = 1"), 24);
    ck_assert_str_eq(peek_text("SELECT path FROM walks WHERE run_id = 1"), "");
    ck_assert_str_eq(peek_text("SELECT walk_log FROM runs WHERE id = 1"), "full");
    /* and the new run uses the new columns: walk(1) has one DRAM fetch */
    ck_assert_int_eq(peek_int("SELECT f_dram FROM walks WHERE run_id = 2 AND seq = 10"), 1);
    ck_assert_int_eq(peek_int("SELECT count(*) FROM v_runs"), 2);
}
END_TEST

/*
 * A version-3 database: walk_batches WITHOUT ROWID, holding one batch of two walks.
 * Version 4 keeps that batch, renamed walk_batches_v3, in the walks view, and writes
 * new batches into a walk_batches with rowids.
 */
START_TEST(test_schema_migrate_v3)
{
    raw_exec(g_db,
             OLD_RUNS_HEAD
             " host TEXT NOT NULL DEFAULT '', walk_log TEXT NOT NULL DEFAULT 'full',"
             " walks_logged INTEGER NOT NULL DEFAULT 0, summary_json TEXT);"
             OLD_METRICS_HIST
             "CREATE TABLE walk_batches (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
             " first INTEGER NOT NULL,"
             " n INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (run_id, first)) WITHOUT ROWID;"
             "CREATE TABLE walks_v2 (run_id INTEGER NOT NULL, seq INTEGER NOT NULL,"
             " kind INTEGER NOT NULL, vmid INTEGER NOT NULL, asid INTEGER NOT NULL,"
             " va INTEGER NOT NULL, ipa INTEGER NOT NULL, pa INTEGER NOT NULL,"
             " s1_shift INTEGER NOT NULL, s2_shift INTEGER NOT NULL, tlb_shift INTEGER NOT NULL,"
             " refs INTEGER NOT NULL, cycles INTEGER NOT NULL, s1_refs INTEGER NOT NULL,"
             " s2_refs INTEGER NOT NULL, f_l1 INTEGER NOT NULL, f_l2 INTEGER NOT NULL,"
             " f_llc INTEGER NOT NULL, f_dram INTEGER NOT NULL, path TEXT NOT NULL);"
             "CREATE VIEW walks AS SELECT run_id, seq, path, rowid AS walk_no FROM walks_v2"
             " UNION ALL SELECT b.run_id, j.value ->> 0, j.value ->> 18, b.first + j.key"
             " FROM walk_batches b, json_each(b.data) j;"
             "INSERT INTO runs (id, status, started_at, config_json, walks_logged)"
             " VALUES (1, 'complete', 'x', '{}', 2);"
             "INSERT INTO walk_batches VALUES (1, 0, 2, '["
             "[7,0,1,5,4096,8192,12288,12,12,12,1,40,1,0,0,0,0,1,\"13D\"],"
             "[9,2,1,5,8192,16384,20480,21,12,12,2,90,1,1,1,1,0,0,\"231131\"]]');"
             "PRAGMA user_version = 3;");
    int64_t id = full_run(CFG_VIRT, "after", 2, NULL);
    ck_assert_int_eq(id, 2);
    ck_assert_int_eq(peek_int("PRAGMA user_version"), STATS_SQLITE_SCHEMA_VERSION);
    /* the old batch is read in place, every column of both walks */
    ck_assert_int_eq(peek_int("SELECT count(*) FROM walk_batches_v3"), 1);
    ck_assert_int_eq(peek_int("SELECT count(*) FROM walks WHERE run_id = 1"), 2);
    ck_assert_str_eq(peek_text("SELECT group_concat(seq || ':' || kind || ':' || vmid || ':' ||"
                               " asid || ':' || va || ':' || ipa || ':' || pa || ':' || s1_shift"
                               " || ':' || s2_shift || ':' || tlb_shift || ':' || refs || ':' ||"
                               " cycles || ':' || s1_refs || ':' || s2_refs || ':' || f_l1 || ':'"
                               " || f_l2 || ':' || f_llc || ':' || f_dram || ':' || path || ':' ||"
                               " walk_no, ' ') FROM (SELECT * FROM walks WHERE run_id = 1"
                               " ORDER BY walk_no)"),
                     "7:0:1:5:4096:8192:12288:12:12:12:1:40:1:0:0:0:0:1:13D:0 "
                     "9:2:1:5:8192:16384:20480:21:12:12:2:90:1:1:1:1:0:0:231131:1");
    /* the new run went into the new table, which has rowids */
    ck_assert_int_eq(peek_int("SELECT count(*) FROM walks WHERE run_id = 2"), 2);
    ck_assert_int_eq(peek_int("SELECT count(rowid) FROM walk_batches WHERE run_id = 2"), 1);
    ck_assert_int_eq(peek_int("SELECT instr(sql, 'WITHOUT ROWID') FROM sqlite_master"
                              " WHERE name = 'walk_batches'"), 0);
    ck_assert_str_eq(peek_text("SELECT path FROM walks WHERE run_id = 2 AND walk_no = 1"),
                     "21D102131");
    /* deleting the old run removes its batch from the renamed table too */
    raw_exec(g_db, "PRAGMA foreign_keys = ON; DELETE FROM runs WHERE id = 1;");
    ck_assert_int_eq(peek_int("SELECT count(*) FROM walks"), 2);
}
END_TEST

START_TEST(test_schema_refuses)
{
    struct stats_sink s = {0};
    struct sim_err err = {0};
    char path[160];
    /* a text file */
    snprintf(path, sizeof(path), "%s/text.db", g_dir);
    FILE *f = fopen(path, "w");
    fputs("this is not a database, just some text that is long enough to look like a header\n"
          "and more text to fill a page..............................................\n", f);
    fclose(f);
    ck_assert_int_eq(stats_sqlite_open(&s, path, NULL, &err), SIM_EDB);
    ck_assert_ptr_nonnull(strstr(err.msg, "text.db: not an SQLite database"));
    ck_assert_ptr_null(s.ops);
    /* another program's SQLite database */
    snprintf(path, sizeof(path), "%s/foreign.db", g_dir);
    raw_exec(path, "CREATE TABLE t (x); INSERT INTO t VALUES (1);");
    ck_assert_int_eq(stats_sqlite_open(&s, path, NULL, &err), SIM_EDB);
    ck_assert_ptr_nonnull(strstr(err.msg, "foreign.db: not an mmusim results database"));
    /* a newer mmusim */
    snprintf(path, sizeof(path), "%s/newer.db", g_dir);
    raw_exec(path, "PRAGMA application_id = 1296913747; CREATE TABLE runs (id);"
                   "PRAGMA user_version = 99;");
    ck_assert_int_eq(stats_sqlite_open(&s, path, NULL, &err), SIM_EDB);
    ck_assert_ptr_nonnull(strstr(err.msg, "newer.db: schema version 99 is newer"));
    /* a results database whose header was overwritten with garbage */
    full_run(CFG_VIRT, "x", 3, NULL);
    f = fopen(g_db, "r+b");
    ck_assert_ptr_nonnull(f);
    fseek(f, 16, SEEK_SET);
    for (int i = 0; i < 200; i++)
        fputc(0xA5, f);
    fclose(f);
    int rc = stats_sqlite_open(&s, g_db, NULL, &err);
    ck_assert_int_lt(rc, 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "r.db: "));
    ck_assert_ptr_null(s.ops);
    /* the readers say so too, with exit status 2 */
    char *argv[] = {"runs", g_db, NULL};
    ck_assert_int_eq(cmd_runs(2, argv), CMD_EXIT_USAGE);
    char missing[160];
    snprintf(missing, sizeof(missing), "%s/nope.db", g_dir);
    char *argv2[] = {"runs", missing, NULL};
    ck_assert_int_eq(cmd_runs(2, argv2), CMD_EXIT_USAGE);
}
END_TEST

/* ---- lifecycle ---- */

START_TEST(test_run_complete)
{
    int64_t a = full_run(CFG_VIRT, "virt", 5, NULL);
    int64_t b = full_run(CFG_NATIVE, "native", 2, NULL);
    ck_assert_int_eq(a, 1);
    ck_assert_int_eq(b, 2);
    ck_assert_str_eq(peek_text("SELECT status FROM runs WHERE id = 1"), "complete");
    ck_assert_str_eq(peek_text("SELECT s1_granule || '/' || s2_granule || '/' || virtualized"
                               " FROM runs WHERE id = 1"), "4k/64k/1");
    /* native: no stage 2, so s2_granule is NULL even though the config has one */
    ck_assert_str_eq(peek_text("SELECT s2_granule FROM runs WHERE id = 2"), "(null)");
    ck_assert_str_eq(peek_text("SELECT s1_granule FROM runs WHERE id = 2"), "16k");
    ck_assert_str_eq(peek_text("SELECT seed FROM runs WHERE id = 1"), "18446744073709551615");
    ck_assert_int_eq(peek_int("SELECT count(*) FROM walks WHERE run_id = 1"), 5);
    ck_assert_int_eq(peek_int("SELECT walks_logged FROM runs WHERE id = 1"), 5);
    /* walk(2): seq 20, cycles 102, path 21D 102 131 (see walk()) */
    ck_assert_str_eq(peek_text("SELECT path FROM walks WHERE run_id = 1 AND seq = 20"),
                     "21D102131");
    ck_assert_int_eq(peek_int("SELECT cycles FROM walks WHERE run_id = 1 AND seq = 20"), 102);
    ck_assert_str_eq(peek_text("SELECT s1_refs || s2_refs || f_l1 || f_l2 || f_llc || f_dram"
                               " FROM walks WHERE run_id = 1 AND seq = 20"), "211101");
    ck_assert_int_eq(peek_int("SELECT va FROM walks WHERE run_id = 1 AND seq = 20"), 0x402000);
    ck_assert_int_eq(peek_int("SELECT count(*) FROM metrics WHERE run_id = 1"), 3);
    ck_assert_int_eq(peek_int("SELECT count(*) FROM hist WHERE run_id = 2"), 3);
    /* v_hist_cdf: walk_cycles 4 + 6 -> cdf at key 64 is 4/10 */
    ck_assert_int_eq(peek_int("SELECT cdf * 100 FROM v_hist_cdf WHERE run_id = 1 AND"
                              " hist = 'walk_cycles' AND key = 64"), 40);
    ck_assert_int_eq(peek_int("SELECT walk_cycles_mean * 10 FROM v_runs WHERE id = 2"), 1045);
    ck_assert_int_eq(peek_int("SELECT count(*) FROM v_walk_cost_by_granule"), 2);
    ck_assert_str_eq(peek_text("SELECT summary_json FROM runs WHERE id = 2"), "{\"ok\":1}");
}
END_TEST

/* A trace hashed during the run: run_end stores its identity with the totals; without
 * one, what run_begin stored stays. */
START_TEST(test_run_end_trace_hash)
{
    struct stats_sink s;
    struct sim_err err = {0};
    open_sink(&s, NULL);
    for (int i = 0; i < 2; i++) {
        struct run_info ri = info(CFG_VIRT, i ? "keep" : "late");
        ck_assert_int_eq(s.ops->run_begin(s.ctx, &ri, &err), SIM_OK);
        struct run_totals t = totals();
        if (i == 0) {
            t.trace_sha256 = "cafe";
            t.trace_bytes = 99;
        }
        ck_assert_int_eq(s.ops->run_end(s.ctx, &t, &err), SIM_OK);
    }
    s.ops->close(s.ctx);
    ck_assert_str_eq(peek_text("SELECT trace_sha256 || '/' || trace_bytes FROM runs WHERE id = 1"),
                     "cafe/99");
    ck_assert_str_eq(peek_text("SELECT trace_sha256 || '/' || trace_bytes FROM runs WHERE id = 2"),
                     "ab/1234");
}
END_TEST

START_TEST(test_walk_log_modes)
{
    struct stats_sqlite_opts o;
    struct sim_err err = {0};
    stats_sqlite_opts_default(&o);
    ck_assert_int_eq(stats_sqlite_parse_walk_log("sample:3", &o, &err), SIM_OK);
    full_run(CFG_VIRT, "s3", 10, &o);
    /* walks 0..9, every 3rd from the first: 0, 3, 6, 9 -> seq 0, 30, 60, 90 */
    ck_assert_int_eq(peek_int("SELECT count(*) FROM walks WHERE run_id = 1"), 4);
    ck_assert_int_eq(peek_int("SELECT sum(seq) FROM walks WHERE run_id = 1"), 180);
    ck_assert_str_eq(peek_text("SELECT walk_log FROM runs WHERE id = 1"), "sample:3");
    ck_assert_int_eq(stats_sqlite_parse_walk_log("none", &o, &err), SIM_OK);
    full_run(CFG_VIRT, "none", 10, &o);
    ck_assert_int_eq(peek_int("SELECT count(*) FROM walks WHERE run_id = 2"), 0);
    ck_assert_str_eq(peek_text("SELECT status FROM runs WHERE id = 2"), "complete");
}
END_TEST

static const struct {
    const char *text;
    int rc;
    enum stats_walk_log mode;
    uint32_t every;
} WALK_LOG_CASES[] = {
    {"full", SIM_OK, STATS_WALK_LOG_FULL, 1},   {"none", SIM_OK, STATS_WALK_LOG_NONE, 1},
    {"sample:1", SIM_OK, STATS_WALK_LOG_SAMPLE, 1},
    {"sample:100", SIM_OK, STATS_WALK_LOG_SAMPLE, 100},
    {"sample:0", SIM_EINVAL, 0, 0},  {"sample:", SIM_EINVAL, 0, 0},
    {"sample:-1", SIM_EINVAL, 0, 0}, {"sample:5x", SIM_EINVAL, 0, 0},
    {"Full", SIM_EINVAL, 0, 0},      {"", SIM_EINVAL, 0, 0},
};

START_TEST(test_parse_walk_log)
{
    struct stats_sqlite_opts o;
    struct sim_err err = {0};
    stats_sqlite_opts_default(&o);
    int rc = stats_sqlite_parse_walk_log(WALK_LOG_CASES[_i].text, &o, &err);
    ck_assert_int_eq(rc, WALK_LOG_CASES[_i].rc);
    if (rc == SIM_OK) {
        ck_assert_int_eq(o.walk_log, WALK_LOG_CASES[_i].mode);
        if (o.walk_log == STATS_WALK_LOG_SAMPLE)
            ck_assert_uint_eq(o.sample_every, WALK_LOG_CASES[_i].every);
    } else {
        ck_assert_ptr_nonnull(strstr(err.msg, "--walk-log"));
        ck_assert_int_eq(o.walk_log, STATS_WALK_LOG_FULL);   /* untouched */
    }
}
END_TEST

/* Batches are committed as they fill; the run stays 'running' until run_end. */
START_TEST(test_batches_visible)
{
    struct stats_sqlite_opts o;
    stats_sqlite_opts_default(&o);
    o.batch_walks = 4;
    struct stats_sink s;
    struct sim_err err = {0};
    open_sink(&s, &o);
    struct run_info ri = info(CFG_VIRT, "b");
    ck_assert_int_eq(s.ops->run_begin(s.ctx, &ri, &err), SIM_OK);
    for (unsigned i = 0; i < 10; i++) {
        struct walk_record w = walk(i);
        ck_assert_int_eq(s.ops->walk(s.ctx, &w, &err), SIM_OK);
    }
    /* 10 walks in batches of 4: 8 written, 2 buffered */
    ck_assert_int_eq(peek_int("SELECT count(*) FROM walks"), 8);
    ck_assert_str_eq(peek_text("SELECT status FROM runs"), "running");
    struct run_totals t = totals();
    ck_assert_int_eq(s.ops->run_end(s.ctx, &t, &err), SIM_OK);
    ck_assert_int_eq(peek_int("SELECT count(*) FROM walks"), 10);
    /* a walk after the run ended is refused */
    struct walk_record w = walk(0);
    ck_assert_int_eq(s.ops->walk(s.ctx, &w, &err), SIM_EINVAL);
    s.ops->close(s.ctx);
}
END_TEST

/* A process killed part way leaves its run 'running' and the file sound. */
START_TEST(test_killed_run)
{
    full_run(CFG_VIRT, "before", 3, NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        struct stats_sqlite_opts o;
        stats_sqlite_opts_default(&o);
        o.batch_walks = 4;
        struct stats_sink s;
        struct sim_err err = {0};
        if (stats_sqlite_open(&s, g_db, &o, &err) < 0)
            _exit(3);
        struct run_info ri = info(CFG_VIRT, "killed");
        if (s.ops->run_begin(s.ctx, &ri, &err) < 0)
            _exit(4);
        for (unsigned i = 0; i < 10; i++) {
            struct walk_record w = walk(i);
            if (s.ops->walk(s.ctx, &w, &err) < 0)
                _exit(5);
        }
        raise(SIGKILL);
        _exit(6);
    }
    int ws = 0;
    ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
    ck_assert_msg(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL, "child status %d", ws);
    ck_assert_str_eq(peek_text("PRAGMA integrity_check"), "ok");
    ck_assert_str_eq(peek_text("SELECT status FROM runs WHERE id = 2"), "running");
    ck_assert_int_eq(peek_int("SELECT count(*) FROM metrics WHERE run_id = 2"), 0);
    /* two full batches of 4 were committed before the kill */
    ck_assert_int_eq(peek_int("SELECT count(*) FROM walks WHERE run_id = 2"), 8);
    /* the database stays usable, and "latest complete run" skips the dead one */
    ck_assert_int_eq(full_run(CFG_VIRT, "after", 1, NULL), 3);
    ck_assert_int_eq(peek_int("SELECT count(*) FROM runs WHERE status = 'complete'"), 2);
    char out[160];
    snprintf(out, sizeof(out), "%s/b.json", g_dir);
    char *argv[] = {"baseline", g_db, "--run", "2", "-o", out, NULL};
    ck_assert_int_eq(cmd_baseline(6, argv), CMD_EXIT_USAGE);   /* run 2 is not complete */
}
END_TEST

/* A full disk: the walk that cannot be written fails; the run never completes. */
START_TEST(test_disk_full)
{
    struct stats_sqlite_opts o;
    stats_sqlite_opts_default(&o);
    o.batch_walks = 64;
    struct stats_sink s;
    struct sim_err err = {0};
    open_sink(&s, NULL);   /* create the schema at full size first */
    s.ops->close(s.ctx);
    int64_t pages = peek_int("PRAGMA page_count");
    o.max_page_count = (uint32_t)pages + 4;
    open_sink(&s, &o);
    struct run_info ri = info(CFG_VIRT, "full");
    ck_assert_int_eq(s.ops->run_begin(s.ctx, &ri, &err), SIM_OK);
    int rc = SIM_OK;
    unsigned i;
    for (i = 0; i < 100000 && rc == SIM_OK; i++) {
        struct walk_record w = walk(i);
        rc = s.ops->walk(s.ctx, &w, &err);
    }
    ck_assert_int_eq(rc, SIM_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "disk full"));
    s.ops->run_fail(s.ctx, "disk full");
    struct run_totals t = totals();
    ck_assert_int_eq(s.ops->run_end(s.ctx, &t, &err), SIM_EINVAL);   /* no open run */
    s.ops->close(s.ctx);
    const char *st = peek_text("SELECT status FROM runs WHERE id = 1");
    ck_assert_msg(strcmp(st, "failed") == 0 || strcmp(st, "running") == 0, "status %s", st);
    ck_assert_str_eq(peek_text("PRAGMA integrity_check"), "ok");
}
END_TEST


/* Background mode (mmusim run): the writer thread writes the same rows, in order,
 * and a full disk is still reported, by a later call into the sink. */
/* Open a sink writing @batch walks per batch, from a writer thread if @background,
 * and begin a run labelled @label. */
static void begin_run(struct stats_sink *s, uint32_t batch, bool background, const char *label)
{
    struct stats_sqlite_opts o;
    stats_sqlite_opts_default(&o);
    o.batch_walks = batch;
    o.background = background;
    struct sim_err err = {0};
    open_sink(s, &o);
    struct run_info ri = info(CFG_VIRT, label);
    ck_assert_int_eq(s->ops->run_begin(s->ctx, &ri, &err), SIM_OK);
}

/*
 * The path text and fetch counts of a long walk with every kind of fetch field, in
 * both modes (the buffered record packs each fetch into one byte, 16 at a time
 * where SIMD is available, so 21 fetches cross a 16-fetch step).
 */
START_TEST(test_walk_path_tokens)
{
    static const uint8_t st[21] = {1, 2, 2, 1, 2, 1, 1, 2, 2, 2, 1, 1, 2, 1, 2, 2, 1, 2, 0, 3, 2};
    static const int8_t lv[21] = {0, 1, 2, 3, -1, 9, 10, 127, -128, 3, 2, 1, 0, 3, 3, 2, 1, 0,
                                  1, 2, -1};
    static const uint8_t sv[21] = {SERVED_L1, SERVED_L2, SERVED_LLC, SERVED_DRAM, 4, 200,
                                   SERVED_L1, SERVED_L1, SERVED_L2, SERVED_DRAM, SERVED_LLC,
                                   SERVED_L1, SERVED_L1, SERVED_L2, SERVED_L2, SERVED_DRAM,
                                   SERVED_DRAM, SERVED_LLC, SERVED_L1, SERVED_L2, 255};
    /* by hand: stage '2' for 2 else '1'; level 0-9 as a digit else 'm'; served 1/2/L/D
     * else '?' */
    static const char want[] = "101" "212" "22L" "13D" "2m?" "19?" "1m1" "2m1" "2m2" "23D"
                               "12L" "111" "201" "132" "232" "22D" "11D" "20L" "111" "122"
                               "2m?";
    for (int background = 0; background < 2; background++) {
        struct stats_sink s;
        struct sim_err err = {0};
        begin_run(&s, 2, background, "tokens");
        for (unsigned i = 0; i < 5; i++) {
            struct walk_record w = walk(i);
            if (i == 3) {
                w.refs = w.nfetch = 21;
                memcpy(w.fetch_stage, st, sizeof(st));
                memcpy(w.fetch_level, lv, sizeof(lv));
                memcpy(w.fetch_served, sv, sizeof(sv));
            }
            ck_assert_int_eq(s.ops->walk(s.ctx, &w, &err), SIM_OK);
        }
        struct run_totals t = totals();
        ck_assert_int_eq(s.ops->run_end(s.ctx, &t, &err), SIM_OK);
        int64_t id = stats_sqlite_run_id(&s);
        s.ops->close(s.ctx);
        char q[256];
        snprintf(q, sizeof(q), "SELECT path FROM walks WHERE run_id = %" PRId64 " AND walk_no = 3", id);
        ck_assert_str_eq(peek_text(q), want);
        snprintf(q, sizeof(q), "SELECT refs || ' ' || s1_refs || ' ' || s2_refs || ' ' || f_l1 || ' '"
                 " || f_l2 || ' ' || f_llc || ' ' || f_dram FROM walks WHERE run_id = %" PRId64
                 " AND walk_no = 3", id);
        /* stage 1 at 10 fetches, stage 2 at 11; L1 6, L2 5, LLC 3, DRAM 4, 3 out of range */
        ck_assert_str_eq(peek_text(q), "21 10 11 6 5 3 4");
        /* the walks around it keep walk()'s path */
        snprintf(q, sizeof(q), "SELECT group_concat(path, ' ') FROM walks WHERE run_id = %" PRId64
                 " AND walk_no != 3", id);
        ck_assert_str_eq(peek_text(q), "21D102131 21D102131 21D102131 21D102131");
    }
}
END_TEST

START_TEST(test_background_writer)
{
    struct stats_sink s;
    struct sim_err err = {0};
    begin_run(&s, 4, true, "bg");
    for (unsigned i = 0; i < 103; i++) {
        struct walk_record w = walk(i);
        ck_assert_int_eq(s.ops->walk(s.ctx, &w, &err), SIM_OK);
    }
    struct run_totals t = totals();
    ck_assert_int_eq(s.ops->run_end(s.ctx, &t, &err), SIM_OK);
    s.ops->close(s.ctx);
    ck_assert_str_eq(peek_text("SELECT status FROM runs"), "complete");
    ck_assert_int_eq(peek_int("SELECT count(*) FROM walks"), 103);
    ck_assert_int_eq(peek_int("SELECT walks_logged FROM runs"), 103);
    /* walk numbers 0..102 once each, and walk i carries seq 10*i (see walk()) */
    ck_assert_int_eq(peek_int("SELECT count(DISTINCT walk_no) FROM walks"), 103);
    ck_assert_int_eq(peek_int("SELECT max(walk_no) FROM walks"), 102);
    ck_assert_int_eq(peek_int("SELECT count(*) FROM walks WHERE seq != 10 * walk_no"), 0);
}
END_TEST

START_TEST(test_background_disk_full)
{
    struct stats_sqlite_opts o;
    stats_sqlite_opts_default(&o);
    o.batch_walks = 64;
    o.background = true;
    struct stats_sink s;
    struct sim_err err = {0};
    open_sink(&s, NULL);
    s.ops->close(s.ctx);
    o.max_page_count = (uint32_t)peek_int("PRAGMA page_count") + 4;
    open_sink(&s, &o);
    struct run_info ri = info(CFG_VIRT, "full");
    ck_assert_int_eq(s.ops->run_begin(s.ctx, &ri, &err), SIM_OK);
    int rc = SIM_OK;
    for (unsigned i = 0; i < 100000 && rc == SIM_OK; i++) {
        struct walk_record w = walk(i);
        rc = s.ops->walk(s.ctx, &w, &err);
    }
    ck_assert_int_eq(rc, SIM_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "disk full"));
    s.ops->run_fail(s.ctx, "disk full");
    s.ops->close(s.ctx);
    ck_assert_str_ne(peek_text("SELECT status FROM runs WHERE id = 1"), "complete");
    ck_assert_str_eq(peek_text("PRAGMA integrity_check"), "ok");
}
END_TEST

/* run_end is all or nothing: a bad metric list leaves the run 'running'. */
START_TEST(test_run_end_atomic)
{
    struct stats_sink s;
    struct sim_err err = {0};
    open_sink(&s, NULL);
    struct run_info ri = info(CFG_VIRT, "dup");
    ck_assert_int_eq(s.ops->run_begin(s.ctx, &ri, &err), SIM_OK);
    struct walk_record w = walk(0);
    ck_assert_int_eq(s.ops->walk(s.ctx, &w, &err), SIM_OK);
    static const struct stat_metric dup[] = {{"walks", 1}, {"walks", 2}};
    struct run_totals t = {.metrics = dup, .n_metrics = 2};
    ck_assert_int_eq(s.ops->run_end(s.ctx, &t, &err), SIM_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "'walks' given twice"));
    ck_assert_str_eq(peek_text("SELECT status FROM runs"), "running");
    ck_assert_int_eq(peek_int("SELECT count(*) FROM metrics"), 0);
    s.ops->run_fail(s.ctx, "interrupted (SIGINT)");
    ck_assert_str_eq(peek_text("SELECT status || ': ' || fail_reason FROM runs"),
                     "failed: interrupted (SIGINT)");
    /* close with a run open marks it failed too */
    ck_assert_int_eq(s.ops->run_begin(s.ctx, &ri, &err), SIM_OK);
    s.ops->close(s.ctx);
    ck_assert_str_eq(peek_text("SELECT status FROM runs WHERE id = 2"), "failed");
}
END_TEST

/* ---- compare / baseline through the real sink ---- */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

START_TEST(test_compare_status)
{
    full_run(CFG_VIRT, "ci", 5, NULL);   /* walk_cycles.mean = 104.5, walks = 10 */
    char base[160], out[160];
    snprintf(base, sizeof(base), "%s/base.json", g_dir);
    snprintf(out, sizeof(out), "%s/made.json", g_dir);
    /* |104.5 - 100| = 4.5 <= 5% of 100 = 5: inside */
    write_file(base, "{\"format\":\"mmusim-baseline\",\"version\":1,\"label\":\"ci\","
                     "\"metrics\":{\"walk_cycles.mean\":{\"value\":100,\"rel\":0.05},"
                     "\"walks\":{\"value\":10}}}");
    char *argv[] = {"compare", base, g_db, NULL};
    ck_assert_int_eq(cmd_compare(3, argv), CMD_EXIT_OK);
    /* 4.5 > 4% of 100 = 4 and > abs 1: outside */
    write_file(base, "{\"format\":\"mmusim-baseline\",\"version\":1,"
                     "\"metrics\":{\"walk_cycles.mean\":{\"value\":100,\"rel\":0.04,\"abs\":1}}}");
    ck_assert_int_eq(cmd_compare(3, argv), CMD_EXIT_OUTSIDE);
    /* a metric the run does not have */
    write_file(base, "{\"format\":\"mmusim-baseline\",\"version\":1,"
                     "\"metrics\":{\"tlb.l2.misses\":{\"value\":1,\"abs\":100}}}");
    ck_assert_int_eq(cmd_compare(3, argv), CMD_EXIT_OUTSIDE);
    /* a bad baseline names the field */
    write_file(base, "{\"format\":\"mmusim-baseline\",\"version\":1,"
                     "\"metrics\":{\"walks\":{\"value\":\"ten\"}}}");
    ck_assert_int_eq(cmd_compare(3, argv), CMD_EXIT_USAGE);
    /* a baseline written from the run compares equal to it */
    char *bargv[] = {"baseline", g_db, "--rel", "0.01", "-o", out, NULL};
    ck_assert_int_eq(cmd_baseline(6, bargv), CMD_EXIT_OK);
    char *cargv[] = {"compare", out, g_db, NULL};
    ck_assert_int_eq(cmd_compare(3, cargv), CMD_EXIT_OK);
    /* two runs with equal metrics (totals() is the same for both) */
    full_run(CFG_NATIVE, "other", 1, NULL);
    char *rargv[] = {"compare", g_db, "--run", "1", "--run", "2", NULL};
    ck_assert_int_eq(cmd_compare(6, rargv), CMD_EXIT_OK);
}
END_TEST

Suite *stats_sqlite_suite(void)
{
    Suite *s = suite_create("stats_sqlite");
    TCase *tc = tcase_create("schema");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_schema_fresh);
    tcase_add_test(tc, test_schema_migrate_v1);
    tcase_add_test(tc, test_schema_migrate_v3);
    tcase_add_test(tc, test_schema_refuses);
    suite_add_tcase(s, tc);
    tc = tcase_create("lifecycle");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_run_complete);
    tcase_add_test(tc, test_run_end_trace_hash);
    tcase_add_test(tc, test_walk_log_modes);
    tcase_add_loop_test(tc, test_parse_walk_log, 0, (int)ARRAY_SIZE(WALK_LOG_CASES));
    tcase_add_test(tc, test_batches_visible);
    tcase_add_test(tc, test_killed_run);
    tcase_add_test(tc, test_disk_full);
    tcase_add_test(tc, test_walk_path_tokens);
    tcase_add_test(tc, test_background_writer);
    tcase_add_test(tc, test_background_disk_full);
    tcase_add_test(tc, test_run_end_atomic);
    suite_add_tcase(s, tc);
    tc = tcase_create("compare");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_compare_status);
    suite_add_tcase(s, tc);
    return s;
}
