/*
 * sim/engine.h - the replay engine: trace events through TLBs, walk caches,
 * the nested walker and the data-cache hierarchy, with cycle accounting.
 *
 * Timing model (cycle-approximate, serial, documented in README "Cycle
 * accounting"): an access costs its L1 TLB lookup, then on a miss the L2 TLB
 * lookup, then on a miss the page walk: one stage-1 walk-cache probe, each
 * IPA-cache probe, and each descriptor fetch priced by the cache hierarchy
 * from the walker's port; then the data access itself from L1D (loads and
 * stores; instruction fetches are translated but no instruction cache is
 * modelled).  Demand faults (first touch) are counted apart with a fixed
 * penalty and their faulting walks are not walk cost.
 */
#ifndef SIM_ENGINE_H
#define SIM_ENGINE_H

#include "sim/config.h"
#include "sim/event.h"
#include "sim/stats.h"
#include "sim/strbuf.h"

struct engine;

/**
 * engine_create() - build the machine of @cfg (validated by the caller).
 * @cfg must outlive the engine.  @sink may be NULL; it receives every walk.
 */
int engine_create(struct engine **out, const struct sim_config *cfg,
                  const struct stats_sink *sink, struct sim_err *err);
void engine_destroy(struct engine *e);

/**
 * engine_event() - replay one event.  The hot path: allocates nothing except
 * when the OS model builds new page tables.
 * Return: SIM_OK, or < 0 with @err (an address outside the configured space,
 * an exhausted pool, a sink failure).
 */
int engine_event(struct engine *e, const struct trace_rec *rec, struct sim_err *err);

/* engine_events() - replay @n events in order, as @n engine_event() calls; stops at
 * the first error (the events before it are replayed). */
int engine_events(struct engine *e, const struct trace_rec *recs, unsigned n, struct sim_err *err);

/* For tests: turn the look-ahead of engine_events() (host prefetches of the coming
 * walks' descriptors, no simulated effect) on or off (default on). */
void engine_set_lookahead(struct engine *e, bool on);

/* For tests: walks whose stage-1 [0] / stage-2 [1] leaf descriptor the look-ahead
 * had predicted, and how many of those predictions were right. */
void engine_lookahead_stats(const struct engine *e, uint64_t checked[2], uint64_t right[2]);

/**
 * engine_report() - the run's totals: named metrics and histogram bins (for
 * the sink) and the summary JSON object (schema ENGINE_SCHEMA, README).
 * The arrays are owned by the engine and valid until the next call.
 */
#define ENGINE_SCHEMA 1
int engine_report(struct engine *e, struct run_totals *out, struct sim_err *err);

/* Human-readable summary of the same numbers. */
void engine_print_text(struct engine *e, struct strbuf *sb);

/* Turn the exact fast paths off (tests compare both ways: results must not change). */
void engine_set_fast_path(struct engine *e, bool on);

/* For tests: the data-cache hierarchy, to read what the summary does not carry
 * (write-backs, the contents). */
const struct cache_hier *engine_caches(const struct engine *e);


#endif /* SIM_ENGINE_H */
