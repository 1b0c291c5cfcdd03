/*
 * sim/cmd_run.c - `mmusim run`: configuration, trace, engine and results
 * sink wired together; progress on a terminal; clean stop on SIGINT/SIGTERM.
 *
 * Nothing here is part of the model: clocks are used only for the progress
 * line, never for a number that is reported.
 */
#include "sim/cmd_run.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sim/config.h"
#include "sim/engine.h"
#include "sim/sha256.h"
#include "sim/stats_sqlite.h"
#include "sim/util.h"
#include "traces/trace.h"

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    g_stop = sig;
}

static void usage(FILE *f)
{
    fprintf(f,
"usage: mmusim run --trace FILE [options]\n"
"  --trace FILE        trace to replay (- = standard input; gzip/xz detected)\n"
"  --format F          trace format when detection is not enough\n"
"                      (native, champsim, cloudsuite, lackey, drmemtrace, cvp, cbp2025)\n"
"  --access-size N     bytes per ChampSim memory access (default 8)\n"
"  --preset P          start from a preset (default neoverse-n1; see README)\n"
"  --config C          overlay a JSON configuration file\n"
"  --s1-granule G      4k, 16k or 64k (process.s1_granule)\n"
"  --s2-granule G      4k, 16k or 64k (vm.s2_granule)\n"
"  --va-bits N         guest VA size (process.va_bits, default 48)\n"
"  --ipa-bits N        IPA size (vm.ipa_bits, default 40)\n"
"  --native            no stage 2 (machine.virtualized=false)\n"
"  --seed N            seed of every random choice\n"
"  --set PATH=VALUE    any configuration field, e.g. --set tlb.l2.entries=2048\n"
"  --json              print the summary as one JSON object (schema in README)\n"
"  --db FILE|none      results database (default results/mmusim.db)\n"
"  --walk-log MODE     full, none or sample:N (default full)\n"
"  --label TEXT        label stored with the run\n"
"  --quiet             no progress line\n");
}

/*
 * Sum of sizes and SHA-256 of a file, or of every file of a directory in name order.
 * Gives up (SIM_EIO, "cancelled") when *@stop becomes non-zero.
 */
static int hash_trace(const char *path, uint64_t *bytes, char hex[65], const atomic_int *stop,
                      struct sim_err *err)
{
    struct stat st;
    struct sha256 sh;
    char buf[1 << 16];

    *bytes = 0;
    hex[0] = '\0';
    if (strcmp(path, "-") == 0)
        return SIM_OK;
    if (stat(path, &st) < 0)
        return sim_err_set(err, SIM_EIO, "%s: %s", path, strerror(errno));
    sha256_init(&sh);
    if (S_ISDIR(st.st_mode)) {
        struct dirent **names;
        int n = scandir(path, &names, NULL, alphasort);
        if (n < 0)
            return sim_err_set(err, SIM_EIO, "%s: %s", path, strerror(errno));
        for (int i = 0; i < n; i++) {
            char sub[4096];
            struct stat ss;
            snprintf(sub, sizeof(sub), "%s/%s", path, names[i]->d_name);
            if (names[i]->d_name[0] != '.' && stat(sub, &ss) == 0 && S_ISREG(ss.st_mode)) {
                FILE *f = fopen(sub, "rb");
                size_t got;
                sha256_update(&sh, names[i]->d_name, strlen(names[i]->d_name) + 1);
                while (f && !atomic_load(stop) && (got = fread(buf, 1, sizeof(buf), f)) > 0) {
                    sha256_update(&sh, buf, got);
                    *bytes += got;
                }
                if (f)
                    fclose(f);
            }
            free(names[i]);
        }
        free(names);
    } else {
        FILE *f = fopen(path, "rb");
        size_t got;
        if (!f)
            return sim_err_set(err, SIM_EIO, "%s: %s", path, strerror(errno));
        while (!atomic_load(stop) && (got = fread(buf, 1, sizeof(buf), f)) > 0) {
            sha256_update(&sh, buf, got);
            *bytes += got;
        }
        fclose(f);
    }
    if (atomic_load(stop))
        return sim_err_set(err, SIM_EIO, "%s: hashing cancelled", path);
    sha256_hex(&sh, hex);
    return SIM_OK;
}

/*
 * The trace's identity for the run record, computed on another core while the
 * replay runs (hashing a large trace first would delay every run by a full extra
 * read of it); the run's final transaction stores it.
 */
struct hash_job {
    const char *path;
    pthread_t tid;
    bool running;          /* a thread was started and not yet joined */
    atomic_int stop;
    int rc;
    uint64_t bytes;
    char hex[65];
    struct sim_err err;
};

static void *hash_main(void *arg)
{
    struct hash_job *j = arg;
    j->rc = hash_trace(j->path, &j->bytes, j->hex, &j->stop, &j->err);
    return NULL;
}

static void hash_start(struct hash_job *j, const char *path)
{
    j->path = path;
    atomic_init(&j->stop, 0);
    j->hex[0] = '\0';
    j->running = pthread_create(&j->tid, NULL, hash_main, j) == 0;
    if (!j->running)
        hash_main(j);          /* no thread: hash now */
}

/* Wait for the hash (@cancel: stop it first).  Return: the job's result. */
static int hash_finish(struct hash_job *j, bool cancel)
{
    if (j->running) {
        if (cancel)
            atomic_store(&j->stop, 1);
        pthread_join(j->tid, NULL);
        j->running = false;
    }
    return j->rc;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void progress(const struct trace_reader *tr, uint64_t events, double t0, bool final)
{
    uint64_t done, total;
    double dt = now_s() - t0;
    trace_progress(tr, &done, &total);
    double rate = dt > 0 ? (double)events / dt : 0;
    fprintf(stderr, "\r  %.1fM events  %.1fM ev/s", (double)events / 1e6, rate / 1e6);
    if (total && done <= total) {
        double frac = (double)done / (double)total;
        fprintf(stderr, "  %5.1f%%", 100.0 * frac);
        if (frac > 0.001 && !final) {
            double eta = dt / frac - dt;
            fprintf(stderr, "  ETA %d:%02d", (int)(eta / 60), (int)eta % 60);
        }
    }
    fprintf(stderr, final ? "\n" : "   ");
}

/* Short flags map onto configuration paths (README "Configuration"). */
static const struct {
    const char *flag;
    const char *path;
} short_flags[] = {
    { "--s1-granule", "process.s1_granule" }, { "--s2-granule", "vm.s2_granule" },
    { "--va-bits", "process.va_bits" },       { "--ipa-bits", "vm.ipa_bits" },
    { "--seed", "seed" },
};

int cmd_run(int argc, char **argv)
{
    const char *trace_path = NULL, *format = NULL, *preset = NULL, *config_path = NULL;
    const char *db_path = "results/mmusim.db", *walk_log = "full", *label = "";
    bool json = false, quiet = false;
    uint32_t access_size = 0;
    struct sim_config *cfg = calloc(1, sizeof(*cfg));
    struct sim_err err;
    int rc, status = 1;
    char *cfg_json = NULL;
    struct stats_sink sink = { 0 };
    struct engine *eng = NULL;
    struct trace_reader *tr = NULL;
    bool run_open = false;
    struct hash_job hash = { .rc = SIM_OK };

    sim_err_clear(&err);
    if (!cfg) {
        fprintf(stderr, "mmusim run: out of memory\n");
        return 1;
    }
    config_defaults(cfg);

    /* pass 1: options; the configuration overrides are applied in pass 2, in order */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_arg = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            free(cfg);
            return 0;
        } else if (!strcmp(a, "--json")) {
            json = true;
        } else if (!strcmp(a, "--quiet")) {
            quiet = true;
        } else if (!strcmp(a, "--native")) {
            /* pass 2 */
        } else if (has_arg && !strcmp(a, "--trace")) {
            trace_path = argv[++i];
        } else if (has_arg && !strcmp(a, "--format")) {
            format = argv[++i];
        } else if (has_arg && !strcmp(a, "--preset")) {
            preset = argv[++i];
        } else if (has_arg && !strcmp(a, "--config")) {
            config_path = argv[++i];
        } else if (has_arg && !strcmp(a, "--db")) {
            db_path = argv[++i];
        } else if (has_arg && !strcmp(a, "--walk-log")) {
            walk_log = argv[++i];
        } else if (has_arg && !strcmp(a, "--label")) {
            label = argv[++i];
        } else if (has_arg && !strcmp(a, "--access-size")) {
            uint64_t v;
            if (!util_parse_u64(argv[++i], &v) || v == 0 || v > 4096) {
                fprintf(stderr, "mmusim run: --access-size: expected 1..4096, got '%s'\n", argv[i]);
                free(cfg);
                return 2;
            }
            access_size = (uint32_t)v;
        } else if (has_arg && !strcmp(a, "--set")) {
            i++;
        } else {
            bool known = false;
            for (size_t k = 0; k < ARRAY_SIZE(short_flags); k++)
                if (has_arg && !strcmp(a, short_flags[k].flag)) {
                    known = true;
                    i++;
                }
            if (!known) {
                fprintf(stderr, "mmusim run: unknown or incomplete option '%s'\n", a);
                usage(stderr);
                free(cfg);
                return 2;
            }
        }
    }
    /* from here on, Ctrl-C and SIGTERM stop the run cleanly (also while hashing) */
    struct sigaction sa = { 0 };
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    if (!trace_path) {
        fprintf(stderr, "mmusim run: --trace FILE is required\n");
        free(cfg);
        return 2;
    }
    if (preset && (rc = config_preset(cfg, preset, &err)) < 0)
        goto bad_input;
    if (config_path && (rc = config_load(cfg, config_path, &err)) < 0)
        goto bad_input;
    for (int i = 1; i < argc; i++) {
        char assign[512];
        const char *a = argv[i];
        if (!strcmp(a, "--native")) {
            rc = config_set(cfg, "machine.virtualized=false", &err);
        } else if (!strcmp(a, "--set") && i + 1 < argc) {
            rc = config_set(cfg, argv[++i], &err);
        } else {
            rc = SIM_OK;
            for (size_t k = 0; k < ARRAY_SIZE(short_flags); k++)
                if (!strcmp(a, short_flags[k].flag) && i + 1 < argc) {
                    snprintf(assign, sizeof(assign), "%s=%s", short_flags[k].path, argv[++i]);
                    rc = config_set(cfg, assign, &err);
                }
        }
        if (rc < 0)
            goto bad_input;
        /* skip the argument of the pass-1 options */
        if ((!strcmp(a, "--trace") || !strcmp(a, "--format") || !strcmp(a, "--preset") ||
             !strcmp(a, "--config") || !strcmp(a, "--db") || !strcmp(a, "--walk-log") ||
             !strcmp(a, "--label") || !strcmp(a, "--access-size")) && i + 1 < argc)
            i++;
    }
    if ((rc = config_validate(cfg, &err)) < 0)
        goto bad_input;

    /* the trace */
    struct trace_opts topts;
    trace_opts_default(&topts);
    if (access_size)
        topts.champsim_access_size = access_size;
    int fmt = TRACE_FMT_AUTO;
    if (format && (fmt = trace_format_parse(format)) < 0) {
        fprintf(stderr, "mmusim run: --format: unknown format '%s'\n", format);
        goto out_status2;
    }
    if ((rc = trace_open(&tr, trace_path, (enum trace_format)fmt, &topts, &err)) < 0) {
        fprintf(stderr, "mmusim run: %s\n", err.msg);   /* a missing or unreadable trace is bad input */
        goto out_status2;
    }

    /* the results database */
    if (strcmp(db_path, "none") != 0) {
        struct stats_sqlite_opts so;
        stats_sqlite_opts_default(&so);
        so.background = true;   /* SQLite on the second core while the engine runs */
        if ((rc = stats_sqlite_parse_walk_log(walk_log, &so, &err)) < 0)
            goto bad_input;
        if (strchr(db_path, '/')) {
            /* create the results directory of the default path */
            char dir[4096];
            snprintf(dir, sizeof(dir), "%s", db_path);
            *strrchr(dir, '/') = '\0';
            if (dir[0])
                mkdir(dir, 0777);
        }
        if ((rc = stats_sqlite_open(&sink, db_path, &so, &err)) < 0)
            goto fail;
        hash_start(&hash, trace_path);
        cfg_json = config_to_json(cfg);
        char host[256] = "";
        gethostname(host, sizeof(host) - 1);
        struct run_info ri = {
            .config_json = cfg_json ? cfg_json : "{}", .preset = cfg->preset,
            .trace_path = trace_path, .trace_format = trace_format_name(trace_reader_format(tr)),
            .trace_bytes = 0, .trace_sha256 = "", .seed = cfg->seed,
            .version = MMUSIM_VERSION, .host = host, .label = label,
        };
        if ((rc = sink.ops->run_begin(sink.ctx, &ri, &err)) < 0)
            goto fail;
        run_open = true;
    }
    if ((rc = engine_create(&eng, cfg, sink.ops ? &sink : NULL, &err)) < 0)
        goto bad_input;

    bool show = !quiet && isatty(STDERR_FILENO);
    double t0 = now_s(), last = t0;
    struct trace_rec recs[256];
    uint64_t n = 0;
    while (!g_stop) {
        int got = trace_next_batch(tr, recs, 256, &err);
        if (got == 0)
            break;
        if (got < 0) {
            rc = got;
            goto bad_input;
        }
        if ((rc = engine_events(eng, recs, (unsigned)got, &err)) < 0)
            goto bad_input;
        uint64_t before = n;
        n += (uint64_t)got;
        /* about once per 2^20 events */
        if (show && (n >> 20) != (before >> 20) && now_s() - last > 0.5) {
            last = now_s();
            progress(tr, n, t0, false);
        }
    }
    if (g_stop) {
        if (show)
            fprintf(stderr, "\n");
        if (run_open) {
            sink.ops->run_fail(sink.ctx, g_stop == SIGINT ? "interrupted (SIGINT)"
                                                         : "interrupted (SIGTERM)");
            run_open = false;
        }
        fprintf(stderr, "mmusim run: interrupted after %" PRIu64 " events; %s\n", n,
                sink.ops ? "the run is marked failed in the database" : "no results written");
        status = 130;
        goto out;
    }
    if (show)
        progress(tr, n, t0, true);

    struct run_totals tot;
    if ((rc = engine_report(eng, &tot, &err)) < 0)
        goto fail;
    if (run_open) {
        if ((rc = hash_finish(&hash, false)) < 0) {
            err = hash.err;
            goto fail;
        }
        tot.trace_bytes = hash.bytes;
        tot.trace_sha256 = hash.hex;
        if ((rc = sink.ops->run_end(sink.ctx, &tot, &err)) < 0)
            goto fail;
        run_open = false;
    }
    if (json) {
        fputs(tot.summary_json, stdout);
    } else {
        struct strbuf sb = { 0 };
        sb_printf(&sb, "trace             %s (%s), %" PRIu64 " events\n", trace_path,
                  trace_format_name(trace_reader_format(tr)), n);
        sb_printf(&sb, "machine           %s, %s, stage 1 %uK, stage 2 %s\n",
                  cfg->preset[0] ? cfg->preset : "custom",
                  cfg->virtualized ? "virtualized" : "native",
                  (1u << cfg->proc.s1_granule_shift) >> 10,
                  cfg->virtualized ? (cfg->vm.s2_granule_shift == 12 ? "4K"
                                      : cfg->vm.s2_granule_shift == 14 ? "16K" : "64K")
                                   : "off");
        engine_print_text(eng, &sb);
        if (sink.ops)
            sb_printf(&sb, "results           run %" PRId64 " in %s\n", stats_sqlite_run_id(&sink),
                      db_path);
        fputs(sb_str(&sb), stdout);
        sb_free(&sb);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "mmusim run: writing standard output: %s\n", strerror(errno));
        status = 1;
        goto out;
    }
    status = 0;
    goto out;

bad_input:
    status = rc == SIM_EIO || rc == SIM_ENOMEM || rc == SIM_EDB ? 1 : 2;
    fprintf(stderr, "mmusim run: %s\n", err.msg);
    goto out_fail;
out_status2:
    status = 2;
    goto out_fail;
fail:
    status = 1;
    fprintf(stderr, "mmusim run: %s\n", err.msg);
out_fail:
    if (run_open)
        sink.ops->run_fail(sink.ctx, err.msg[0] ? err.msg : "failed");
out:
    hash_finish(&hash, true);
    if (sink.ops)
        sink.ops->close(sink.ctx);
    engine_destroy(eng);
    trace_close(tr);
    free(cfg_json);
    free(cfg);
    return status;
}
