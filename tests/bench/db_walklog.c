/*
 * tests/bench/db_walklog.c - throughput of the SQLite sink's walk log.
 *
 * Drives the sink directly with N synthetic nested walks (default 5 M,
 * argv[1] overrides) in three modes, full / sample:16 / none, and prints
 * walks per second and ns per walk for each, so the cost of --walk-log full
 * can be set against the engine's own per-walk cost.  Not a test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim/stats_sqlite.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int bench(const char *path, const char *mode, uint64_t n)
{
    struct stats_sqlite_opts o;
    struct sim_err err = {0};
    struct stats_sink s;
    stats_sqlite_opts_default(&o);
    if (stats_sqlite_parse_walk_log(mode, &o, &err) < 0 || stats_sqlite_open(&s, path, &o, &err) < 0) {
        fprintf(stderr, "db_walklog: %s\n", err.msg);
        return 1;
    }
    struct run_info ri = {.config_json = "{\"machine\":{\"virtualized\":true}}", .label = mode};
    struct sim_rng rng;
    sim_rng_seed(&rng, 1);
    struct walk_record w;
    memset(&w, 0, sizeof(w));
    double t0 = now_s();
    if (s.ops->run_begin(s.ctx, &ri, &err) < 0)
        goto fail;
    for (uint64_t i = 0; i < n; i++) {
        /* a 4K/4K nested walk that missed every walk cache: 24 fetches */
        w.seq = i * 20;
        w.va = sim_rng_next(&rng) & GENMASK64(47, 12);
        w.ipa = sim_rng_next(&rng) & GENMASK64(39, 12);
        w.pa = sim_rng_next(&rng) & GENMASK64(43, 12);
        w.s1_shift = w.s2_shift = w.tlb_shift = 12;
        w.nfetch = 24;
        w.refs = 24;
        w.cycles = 0;
        for (int f = 0; f < 24; f++) {
            w.fetch_stage[f] = (f % 5 == 4) ? 1 : 2;
            w.fetch_level[f] = (int8_t)(f % 4);
            w.fetch_served[f] = (uint8_t)sim_rng_below(&rng, SERVED_COUNT);
            w.cycles += 4u << (2 * w.fetch_served[f]);
        }
        if (s.ops->walk(s.ctx, &w, &err) < 0)
            goto fail;
    }
    struct stat_metric m[] = {{"walks", (double)n}};
    struct run_totals t = {.metrics = m, .n_metrics = 1, .summary_json = "{}"};
    if (s.ops->run_end(s.ctx, &t, &err) < 0)
        goto fail;
    double dt = now_s() - t0;
    s.ops->close(s.ctx);
    printf("db_walklog: %-10s %9.0f walks/s  %7.1f ns/walk  (%llu walks, %.2f s)\n", mode,
           (double)n / dt, dt * 1e9 / (double)n, (unsigned long long)n, dt);
    return 0;
fail:
    fprintf(stderr, "db_walklog: %s\n", err.msg);
    s.ops->close(s.ctx);
    return 1;
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 5000000;
    char dir[] = "/tmp/mmusim_bench_XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    static const char *const modes[] = {"full", "sample:16", "none"};
    int rc = 0;
    for (size_t i = 0; i < ARRAY_SIZE(modes) && rc == 0; i++) {
        char path[64];
        snprintf(path, sizeof(path), "%s/b%zu.db", dir, i);
        rc = bench(path, modes[i], n);
        unlink(path);
    }
    rmdir(dir);
    return rc;
}
