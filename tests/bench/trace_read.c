/*
 * tests/bench/trace_read.c - reader throughput per format (events/s), from
 * the page cache.  Not a test.  Usage: trace_read [DIR] [MILLION_EVENTS]
 * Writes its inputs into DIR (default /tmp), reads each twice and reports the
 * second (warm) pass.  The drmemtrace figure uses $SHARED_DIR's sample.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/base.h"
#include "traces/trace.h"
#include "traces/trace_native.h"

static double now(void)
{
    struct timespec ts;
    /* CPU time of this process: the machine may be shared with other jobs. */
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void bench(const char *label, const char *path, enum trace_format fmt)
{
    for (int pass = 0; pass < 2; pass++) {
        struct trace_reader *r;
        struct sim_err err;
        if (trace_open(&r, path, fmt, NULL, &err) < 0) {
            fprintf(stderr, "%s\n", err.msg);
            exit(1);
        }
        /* in batches, as `mmusim run` reads */
        struct trace_rec recs[256];
        uint64_t n = 0, sum = 0;
        double t0 = now();
        int rc;
        while ((rc = trace_next_batch(r, recs, 256, &err)) > 0) {
            for (int i = 0; i < rc; i++)
                sum += recs[i].va;
            n += (uint64_t)rc;
        }
        double dt = now() - t0;
        if (rc < 0) {
            fprintf(stderr, "%s\n", err.msg);
            exit(1);
        }
        trace_close(r);
        if (pass == 1)
            printf("%-22s %12" PRIu64 " events %8.3f s CPU %8.1f M events/s (checksum %" PRIx64 ")\n",
                   label, n, dt, (double)n / dt / 1e6, sum);
    }
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    uint64_t n = (argc > 2 ? strtoull(argv[2], NULL, 10) : 50) * 1000000ull;
    char p_native[256], p_lackey[256], p_cs[256], cmd[4096];
    snprintf(p_native, sizeof(p_native), "%s/bench_trace.native", dir);
    snprintf(p_lackey, sizeof(p_lackey), "%s/bench_trace.lackey", dir);
    snprintf(p_cs, sizeof(p_cs), "%s/bench_trace.champsim", dir);

    /* A program-like stream: an ifetch per instruction (+4, branches), 40% data
     * accesses with locality (stack-like and random within 64 MB). */
    struct sim_rng rng;
    sim_rng_seed(&rng, 1);
    struct trace_writer *w;
    struct sim_err err;
    if (trace_writer_create(&w, p_native, "bench", &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    FILE *fl = fopen(p_lackey, "w"), *fc = fopen(p_cs, "wb");
    uint64_t pc = 0x400000, sp = 0x7fff0000, nl = n / 5;   /* lackey/champsim: fewer */
    for (uint64_t i = 0; i < n;) {
        struct trace_rec rec = {.kind = TR_IFETCH, .size = 4, .va = pc};
        uint64_t data = 0;
        trace_writer_put(w, &rec, &err);
        i++;
        pc = sim_rng_below(&rng, 8) == 0 ? 0x400000 + sim_rng_below(&rng, 1 << 16) * 4 : pc + 4;
        if (sim_rng_below(&rng, 10) < 4 && i < n) {
            rec.kind = sim_rng_below(&rng, 3) == 0 ? TR_STORE : TR_LOAD;
            rec.size = 8;
            data = rec.va = sim_rng_below(&rng, 2) ? sp - 8 * sim_rng_below(&rng, 64)
                                                   : 0x10000000 + 8 * sim_rng_below(&rng, 1 << 23);
            trace_writer_put(w, &rec, &err);
            i++;
        }
        if (i < nl) {
            fprintf(fl, "I  %08" PRIx64 ",4\n", rec.kind == TR_IFETCH ? rec.va : pc);
            if (data)
                fprintf(fl, " %c %08" PRIx64 ",8\n", rec.kind == TR_STORE ? 'S' : 'L', data);
            uint8_t b[64] = {0};
            memcpy(b, &pc, 8);
            if (data)
                memcpy(b + 32, &data, 8);
            fwrite(b, 1, 64, fc);
        }
    }
    fclose(fl);
    fclose(fc);
    if (trace_writer_close(w, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    bench("native", p_native, TRACE_FMT_NATIVE);
    snprintf(cmd, sizeof(cmd), "xz -T1 -1 -k -f -c '%s' > '%s.xz'; gzip -1 -k -f -c '%s' > '%s.gz'",
             p_native, p_native, p_native, p_native);
    if (system(cmd) == 0) {
        snprintf(cmd, sizeof(cmd), "%s.gz", p_native);
        bench("native.gz", cmd, TRACE_FMT_NATIVE);
        snprintf(cmd, sizeof(cmd), "%s.xz", p_native);
        bench("native.xz", cmd, TRACE_FMT_NATIVE);
    }
    bench("lackey", p_lackey, TRACE_FMT_LACKEY);
    bench("champsim", p_cs, TRACE_FMT_CHAMPSIM);
    const char *sd = getenv("SHARED_DIR");
    snprintf(cmd, sizeof(cmd), "%s/traces/drmemtrace-threadsig-aarch64/trace",
             sd ? sd : "../shared");
    bench("drmemtrace (sample)", cmd, TRACE_FMT_DRMEMTRACE);
    snprintf(cmd, sizeof(cmd), "rm -f '%s' '%s.gz' '%s.xz' '%s' '%s'", p_native, p_native, p_native,
             p_lackey, p_cs);
    return system(cmd) == 0 ? 0 : 1;
}
