-- results/schema.sql - the mmusim results database (SQLite), schema version 4.
--
-- This file is the one definition of the schema.  It is compiled into the
-- binary (build/gen/schema_sql.c) and applied by sim/stats_sqlite.c:
--   * a new, empty file gets the part above the first "-- @migration" line;
--   * a database of an older version gets each "-- @migration from N" section
--     in turn (N -> N+1; its statements are the lines starting "--! ", kept
--     as comments so that `sqlite3 x.db < schema.sql` builds a fresh
--     database), then the part above is re-applied, which is idempotent
--     (IF NOT EXISTS tables, views dropped and re-created);
--   * a database of a newer version, or one whose application_id is not
--     mmusim's, is refused with a one-line error.
-- results/README.md documents every table, view and ready query.
--
-- Conventions: times are ISO-8601 UTC text; a run's status moves
-- running -> complete (only in the final transaction, together with its
-- metrics) or running -> failed.  A run left 'running' by a killed process
-- stays 'running': no reader may treat it as complete.

PRAGMA application_id = 1296913747;   -- 0x4D4D5553, "MMUS"

CREATE TABLE IF NOT EXISTS runs (
    id            INTEGER PRIMARY KEY,
    label         TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'running'
                  CHECK (status IN ('running', 'complete', 'failed')),
    fail_reason   TEXT,                      -- one line, set when status = 'failed'
    started_at    TEXT NOT NULL,             -- ISO-8601 UTC
    ended_at      TEXT,                      -- set at complete/failed
    config_json   TEXT NOT NULL,             -- full resolved configuration
    preset        TEXT NOT NULL DEFAULT '',
    s1_granule    TEXT,                      -- json_extract($.process.s1_granule)
    s2_granule    TEXT,                      -- json_extract($.vm.s2_granule); NULL if native
    virtualized   INTEGER,                   -- json_extract($.machine.virtualized): 0/1
    trace_path    TEXT NOT NULL DEFAULT '',
    trace_format  TEXT NOT NULL DEFAULT '',
    trace_bytes   INTEGER NOT NULL DEFAULT 0,
    trace_sha256  TEXT NOT NULL DEFAULT '',
    seed          TEXT NOT NULL DEFAULT '0', -- decimal uint64 (may exceed INTEGER range)
    version       TEXT NOT NULL DEFAULT '',  -- mmusim version
    host          TEXT NOT NULL DEFAULT '',
    walk_log      TEXT NOT NULL DEFAULT 'full', -- 'full', 'none' or 'sample:N'
    walks_logged  INTEGER NOT NULL DEFAULT 0,   -- rows in walks for this run
    summary_json  TEXT                       -- the `mmusim run --json` object, at complete
);

-- Named scalar metrics of a run (see results/README.md for the names).
CREATE TABLE IF NOT EXISTS metrics (
    run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    name    TEXT NOT NULL,
    value   REAL NOT NULL,
    PRIMARY KEY (run_id, name)
) WITHOUT ROWID;

-- Histograms: walk_refs (key = exact count), walk_cycles (key = bucket lower bound).
CREATE TABLE IF NOT EXISTS hist (
    run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    hist    TEXT NOT NULL,
    key     INTEGER NOT NULL,
    count   INTEGER NOT NULL,
    PRIMARY KEY (run_id, hist, key)
) WITHOUT ROWID;

-- The per-walk log: every completed page walk (or every N-th one).
-- Walks are stored in batches: one walk_batches row holds up to 16384
-- consecutive logged walks of a run as a JSON array of arrays, because one
-- SQLite row per walk costs more than simulating the walk (schema version 3).
-- The table has rowids (schema version 4): a batch is ~1.6 MB, and in a
-- WITHOUT ROWID table every insert re-read a neighbouring batch whole to
-- compare keys.  Read them through the view `walks`, one row per walk.
-- walks_v2 keeps the rows of databases written by schema version 2 (one row
-- per walk), walk_batches_v3 the batches written by schema version 3 (same
-- data format); both are empty in newer databases.
-- path: one 3-character token per descriptor fetch, in order:
--   stage ('1'|'2'), lookup level ('0'..'3', 'm' for level -1),
--   where it was served ('1' = L1, '2' = L2, 'L' = LLC, 'D' = DRAM);
--   e.g. '20D' = a stage-2 level-0 descriptor read from DRAM.
CREATE TABLE IF NOT EXISTS walk_batches (
    run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    first   INTEGER NOT NULL,  -- number of the batch's first walk in the run's log (0-based)
    n       INTEGER NOT NULL,  -- walks in the batch
    data    TEXT NOT NULL,     -- JSON: [[seq, kind, vmid, asid, va, ipa, pa, s1_shift,
                               --   s2_shift, tlb_shift, refs, cycles, s1_refs, s2_refs,
                               --   f_l1, f_l2, f_llc, f_dram, path], ...]
    PRIMARY KEY (run_id, first)
);
CREATE TABLE IF NOT EXISTS walk_batches_v3 (
    run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    first   INTEGER NOT NULL,
    n       INTEGER NOT NULL,
    data    TEXT NOT NULL,     -- as in walk_batches
    PRIMARY KEY (run_id, first)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS walks_v2 (
    run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,   -- index of the trace event that walked
    kind       INTEGER NOT NULL,   -- enum trace_kind of the access
    vmid       INTEGER NOT NULL,
    asid       INTEGER NOT NULL,
    va         INTEGER NOT NULL,   -- addresses are < 2^56, so they fit INTEGER
    ipa        INTEGER NOT NULL,
    pa         INTEGER NOT NULL,
    s1_shift   INTEGER NOT NULL,   -- log2 bytes of the S1 page/block (0: S1 off)
    s2_shift   INTEGER NOT NULL,   -- log2 bytes of the S2 page/block (0: S2 off)
    tlb_shift  INTEGER NOT NULL,   -- log2 bytes of the TLB entry inserted
    refs       INTEGER NOT NULL,   -- descriptor fetches made
    cycles     INTEGER NOT NULL,   -- walk cycles
    s1_refs    INTEGER NOT NULL,   -- fetches of stage-1 descriptors
    s2_refs    INTEGER NOT NULL,   -- fetches of stage-2 descriptors
    f_l1       INTEGER NOT NULL,   -- fetches served by L1, both stages
    f_l2       INTEGER NOT NULL,
    f_llc      INTEGER NOT NULL,
    f_dram     INTEGER NOT NULL,
    path       TEXT NOT NULL       -- see above
);
DROP VIEW IF EXISTS walks;
CREATE VIEW walks AS
SELECT run_id, seq, kind, vmid, asid, va, ipa, pa, s1_shift, s2_shift,
       tlb_shift, refs, cycles, s1_refs, s2_refs, f_l1, f_l2, f_llc, f_dram, path,
       rowid AS walk_no
FROM walks_v2
UNION ALL
SELECT b.run_id, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3,
       j.value ->> 4, j.value ->> 5, j.value ->> 6, j.value ->> 7, j.value ->> 8, j.value ->> 9,
       j.value ->> 10, j.value ->> 11, j.value ->> 12, j.value ->> 13, j.value ->> 14,
       j.value ->> 15, j.value ->> 16, j.value ->> 17, j.value ->> 18, b.first + j.key
FROM walk_batches b, json_each(b.data) j
UNION ALL
SELECT b.run_id, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3,
       j.value ->> 4, j.value ->> 5, j.value ->> 6, j.value ->> 7, j.value ->> 8, j.value ->> 9,
       j.value ->> 10, j.value ->> 11, j.value ->> 12, j.value ->> 13, j.value ->> 14,
       j.value ->> 15, j.value ->> 16, j.value ->> 17, j.value ->> 18, b.first + j.key
FROM walk_batches_v3 b, json_each(b.data) j;

-- ---------------------------------------------------------------- views
DROP VIEW IF EXISTS v_runs;
DROP VIEW IF EXISTS v_walk_cost_by_granule;
DROP VIEW IF EXISTS v_tlb_mpka;
DROP VIEW IF EXISTS v_walk_fetch_served;
DROP VIEW IF EXISTS v_walk_log_by_page_size;
DROP VIEW IF EXISTS v_hist_cdf;

-- One row per run with the headline numbers.
CREATE VIEW v_runs AS
SELECT r.id, r.label, r.status, r.preset, r.s1_granule, r.s2_granule, r.virtualized,
       r.trace_path, r.started_at, r.ended_at,
       (SELECT value FROM metrics WHERE run_id = r.id AND name = 'accesses')          AS accesses,
       (SELECT value FROM metrics WHERE run_id = r.id AND name = 'walks')             AS walks,
       (SELECT value FROM metrics WHERE run_id = r.id AND name = 'walk_refs.mean')    AS refs_per_walk,
       (SELECT value FROM metrics WHERE run_id = r.id AND name = 'walk_cycles.mean')  AS walk_cycles_mean,
       (SELECT value FROM metrics WHERE run_id = r.id AND name = 'walk_cycles.p99')   AS walk_cycles_p99,
       (SELECT value FROM metrics WHERE run_id = r.id AND name = 'translation_share') AS translation_share
FROM runs r;

-- Walk cost per granule combination, averaged over the complete runs.
CREATE VIEW v_walk_cost_by_granule AS
SELECT s1_granule, COALESCE(s2_granule, '-') AS s2_granule, virtualized,
       COUNT(*) AS runs,
       AVG(walk_cycles_mean) AS walk_cycles_mean,
       AVG(refs_per_walk) AS refs_per_walk,
       SUM(walks) AS walks
FROM v_runs WHERE status = 'complete'
GROUP BY s1_granule, COALESCE(s2_granule, '-'), virtualized;

-- TLB misses per thousand accesses (and per thousand instructions) per level.
CREATE VIEW v_tlb_mpka AS
SELECT m.run_id,
       substr(m.name, 5, length(m.name) - 9) AS level,      -- 'tlb.<level>.mpka'
       m.value AS mpka,
       (SELECT value FROM metrics i WHERE i.run_id = m.run_id
         AND i.name = 'tlb.' || substr(m.name, 5, length(m.name) - 9) || '.mpki') AS mpki
FROM metrics m WHERE m.name GLOB 'tlb.*.mpka';

-- Where descriptor fetches were served, per run, stage and level of the hierarchy.
CREATE VIEW v_walk_fetch_served AS
SELECT m.run_id,
       CAST(substr(m.name, 13, 1) AS INTEGER) AS stage,      -- 'walk_fetch.sN.<lvl>'
       substr(m.name, 15) AS served,
       m.value AS fetches,
       m.value / NULLIF((SELECT value FROM metrics w WHERE w.run_id = m.run_id
                          AND w.name = 'walks'), 0) AS per_walk
FROM metrics m WHERE m.name GLOB 'walk_fetch.s[12].*';

-- From the per-walk log: cost by the page sizes the walk ended with.
CREATE VIEW v_walk_log_by_page_size AS
SELECT run_id, s1_shift, s2_shift, COUNT(*) AS walks,
       AVG(cycles) AS cycles_mean, AVG(refs) AS refs_mean,
       AVG(f_dram) AS dram_fetches_mean
FROM walks GROUP BY run_id, s1_shift, s2_shift;

-- Cumulative distribution of every histogram (e.g. walk latency).
CREATE VIEW v_hist_cdf AS
SELECT run_id, hist, key, count,
       CAST(SUM(count) OVER (PARTITION BY run_id, hist ORDER BY key) AS REAL)
         / SUM(count) OVER (PARTITION BY run_id, hist) AS cdf
FROM hist;

PRAGMA user_version = 4;

-- @migration from 1
-- Version 1 (first draft) had no per-walk summary of the fetch path and no
-- record of the walk-log mode.  Old rows get 0 counts and an empty path.
--! ALTER TABLE runs ADD COLUMN walk_log TEXT NOT NULL DEFAULT 'full';
--! ALTER TABLE walks ADD COLUMN s1_refs INTEGER NOT NULL DEFAULT 0;
--! ALTER TABLE walks ADD COLUMN s2_refs INTEGER NOT NULL DEFAULT 0;
--! ALTER TABLE walks ADD COLUMN f_l1 INTEGER NOT NULL DEFAULT 0;
--! ALTER TABLE walks ADD COLUMN f_l2 INTEGER NOT NULL DEFAULT 0;
--! ALTER TABLE walks ADD COLUMN f_llc INTEGER NOT NULL DEFAULT 0;
--! ALTER TABLE walks ADD COLUMN f_dram INTEGER NOT NULL DEFAULT 0;
--! ALTER TABLE walks ADD COLUMN path TEXT NOT NULL DEFAULT '';
--! PRAGMA user_version = 2;

-- @migration from 2
-- Version 2 stored one row per walk in the table `walks`; version 3 stores
-- batches (walk_batches) and `walks` becomes a view.  The old rows are kept
-- in walks_v2, which the view includes.
--! ALTER TABLE walks RENAME TO walks_v2;
--! PRAGMA user_version = 3;

-- @migration from 3
-- Version 3 kept walk_batches WITHOUT ROWID; version 4 gives it rowids (see
-- above).  The old batches stay where they are, renamed walk_batches_v3,
-- which the view includes: no walk log is copied.  A database migrated from
-- version 2 has no batches yet, so it gets an empty table of the old shape.
--! CREATE TABLE IF NOT EXISTS walk_batches (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, first INTEGER NOT NULL, n INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (run_id, first)) WITHOUT ROWID;
--! ALTER TABLE walk_batches RENAME TO walk_batches_v3;
--! PRAGMA user_version = 4;
