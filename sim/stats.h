/*
 * sim/stats.h - the statistics sink interface.
 *
 * The engine reports a run through a struct stats_sink: once at the start
 * (run_begin), once per page walk (walk; hot, must not allocate per call
 * beyond amortised buffering), and once at the end with the totals (run_end),
 * or run_fail when the run stops early.  The SQLite results writer
 * (sim/stats_sqlite.c) is one implementation; tests use an in-memory one.
 *
 * The totals are generic: named scalar metrics plus named histograms, so the
 * sink never needs to change when the engine counts something new.
 */
#ifndef SIM_STATS_H
#define SIM_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "sim/err.h"

#define WALK_MAX_FETCH 48   /* >= 5 + 6*5 + margin: the largest nested walk */

/* Where one descriptor fetch was served (the walker's port reply). */
enum mem_served {
    SERVED_L1 = 0,
    SERVED_L2 = 1,
    SERVED_LLC = 2,
    SERVED_DRAM = 3,
    SERVED_COUNT
};

struct run_info {
    const char *config_json;   /* the full resolved configuration, canonical JSON */
    const char *preset;        /* preset name the config started from, "" if none */
    const char *trace_path;
    const char *trace_format;  /* trace_format_name() */
    uint64_t trace_bytes;      /* size of the trace file(s), 0 for stdin */
    const char *trace_sha256;  /* hex digest of the trace file(s), "" for stdin */
    uint64_t seed;
    const char *version;       /* program version */
    const char *host;          /* host name */
    const char *label;         /* free-form run label (--label), "" if none */
};

struct walk_record {
    uint64_t seq;              /* index (0-based) of the trace event that walked */
    uint64_t va, ipa, pa;
    uint16_t vmid, asid;
    uint8_t kind;              /* enum trace_kind of the access that walked */
    uint8_t s1_shift;          /* log2 of the stage-1 page/block size (0 if S1 off) */
    uint8_t s2_shift;          /* log2 of the stage-2 page/block size (0 if S2 off) */
    uint8_t tlb_shift;         /* log2 of the size inserted in the TLB */
    uint16_t refs;             /* descriptor fetches made (after walk-cache hits) */
    uint32_t cycles;           /* walk cycles: walk-cache lookups + fetch latencies */
    uint8_t nfetch;            /* entries used in the arrays below (== refs) */
    uint8_t fetch_stage[WALK_MAX_FETCH];   /* 1 or 2 */
    int8_t fetch_level[WALK_MAX_FETCH];    /* lookup level of the descriptor */
    uint8_t fetch_served[WALK_MAX_FETCH];  /* enum mem_served */
};

struct stat_metric {
    const char *name;          /* e.g. "tlb.l2.misses", "walk_cycles.mean" */
    double value;
};

struct stat_hist_bin {
    const char *hist;          /* e.g. "walk_refs", "walk_cycles" */
    int64_t key;               /* bucket: exact value or lower bound */
    uint64_t count;
};

struct run_totals {
    const struct stat_metric *metrics;
    size_t n_metrics;
    const struct stat_hist_bin *bins;
    size_t n_bins;
    const char *summary_json;  /* the same object `mmusim run --json` prints */
    /* the trace's identity when it was not known at run_begin (hashed during the run):
     * stored with the totals; NULL keeps what run_begin stored */
    const char *trace_sha256;
    uint64_t trace_bytes;
};

struct stats_ops {
    int (*run_begin)(void *ctx, const struct run_info *ri, struct sim_err *err);
    int (*walk)(void *ctx, const struct walk_record *w, struct sim_err *err);
    /* Writes the totals and marks the run complete, atomically. */
    int (*run_end)(void *ctx, const struct run_totals *t, struct sim_err *err);
    /* Marks the run failed with a one-line reason; best effort. */
    void (*run_fail)(void *ctx, const char *reason);
    void (*close)(void *ctx);
};

struct stats_sink {
    const struct stats_ops *ops;  /* NULL: no sink */
    void *ctx;
};

#endif /* SIM_STATS_H */
