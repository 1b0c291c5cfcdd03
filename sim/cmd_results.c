/*
 * sim/cmd_results.c - compare, baseline, export and runs: the subcommands
 * that read results databases (see cmd_results.h; formats in
 * results/README.md).
 *
 * A comparison is a list of rows {metric, expected, actual, tolerance}; a
 * metric is inside its tolerance when |actual - expected| <= abs (if given)
 * or |actual - expected| <= rel * |expected| (if given); with neither given
 * it must be equal.  The exit status says whether every row was inside.
 */
#include "sim/cmd_results.h"
#include "sim/util.h"
#include "sim/stats_sqlite.h"
#include "sim/stats_sqlite_int.h"

#include <cJSON.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BUSY_MS 10000

/* ------------------------------------------------------------ helpers */

struct ctx {
    const char *cmd;                /* subcommand name, for messages */
    struct sim_err err;
};

static int say(struct ctx *c, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Print "mmusim <cmd>: <message>" and return @status. */
static int say(struct ctx *c, int status, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    fprintf(stderr, "mmusim %s: %s\n", c->cmd, msg);
    return status;
}

static int status_of_db_error(sqlite3 *db)
{
    int code = sqlite3_errcode(db) & 0xff;
    return (code == SQLITE_CORRUPT || code == SQLITE_NOTADB || code == SQLITE_ERROR)
               ? CMD_EXIT_USAGE : CMD_EXIT_FAIL;
}

static int db_error(struct ctx *c, sqlite3 *db, const char *path)
{
    return say(c, status_of_db_error(db), "%s: database error: %s", path, sqlite3_errmsg(db));
}

static int open_db(struct ctx *c, const char *path, sqlite3 **db)
{
    if (stats_db_open(path, false, BUSY_MS, db, &c->err) < 0)
        return say(c, c->err.rc == SIM_ENOMEM ? CMD_EXIT_FAIL : CMD_EXIT_USAGE, "%s",
                   c->err.msg);
    return CMD_EXIT_OK;
}

static bool parse_i64(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno || v <= 0)
        return false;
    *out = v;
    return true;
}

static bool parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(v) || v < 0)
        return false;
    *out = v;
    return true;
}

/* Shortest "%.Ng" that reads back as the same double. */
static void fmt_num(char *buf, size_t n, double v)
{
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

/* Comma-separated glob list; NULL or "" matches everything. */
static bool globs_match(const char *globs, const char *name)
{
    if (!globs || !*globs)
        return true;
    char pat[256];
    const char *p = globs;
    while (*p) {
        size_t n = strcspn(p, ",");
        if (n < sizeof(pat)) {
            memcpy(pat, p, n);
            pat[n] = '\0';
            if (n && fnmatch(pat, name, 0) == 0)
                return true;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    return false;
}

/*
 * Choose a run: @want > 0 that id (which must exist, and be complete if
 * @need_complete); else the latest complete run, with @label if non-NULL.
 */
static int select_run(struct ctx *c, sqlite3 *db, const char *path, int64_t want,
                      const char *label, bool need_complete, int64_t *id)
{
    sqlite3_stmt *st = NULL;
    const char *sql = want > 0 ? "SELECT id, status FROM runs WHERE id = ?1"
                      : label  ? "SELECT id, status FROM runs WHERE status = 'complete'"
                                 " AND label = ?2 ORDER BY id DESC LIMIT 1"
                               : "SELECT id, status FROM runs WHERE status = 'complete'"
                                 " ORDER BY id DESC LIMIT 1";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_error(c, db, path);
    if (want > 0)
        sqlite3_bind_int64(st, 1, want);
    else if (label)
        sqlite3_bind_text(st, 2, label, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int status = CMD_EXIT_OK;
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        const char *s = (const char *)sqlite3_column_text(st, 1);
        if (need_complete && (!s || strcmp(s, "complete") != 0))
            status = say(c, CMD_EXIT_USAGE, "%s: run %" PRId64 " is '%s', not complete", path,
                         *id, s ? s : "?");
    } else if (rc == SQLITE_DONE) {
        if (want > 0)
            status = say(c, CMD_EXIT_USAGE, "%s: no run %" PRId64, path, want);
        else if (label)
            status = say(c, CMD_EXIT_USAGE, "%s: no complete run labelled '%s'", path, label);
        else
            status = say(c, CMD_EXIT_USAGE, "%s: no complete run", path);
    } else {
        status = db_error(c, db, path);
    }
    sqlite3_finalize(st);
    return status;
}

struct metric {
    char *name;
    double value;
};

struct metric_set {
    struct metric *m;
    size_t n, cap;
};

static void metrics_free(struct metric_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->m[i].name);
    free(s->m);
    memset(s, 0, sizeof(*s));
}

static int metrics_add(struct metric_set *s, const char *name, double v)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        struct metric *m = realloc(s->m, cap * sizeof(*m));
        if (!m)
            return -1;
        s->m = m;
        s->cap = cap;
    }
    s->m[s->n].name = strdup(name);
    if (!s->m[s->n].name)
        return -1;
    s->m[s->n++].value = v;
    return 0;
}

static const struct metric *metrics_find(const struct metric_set *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->m[i].name, name) == 0)
            return &s->m[i];
    return NULL;
}

static int load_metrics(struct ctx *c, sqlite3 *db, const char *path, int64_t run,
                        const char *globs, struct metric_set *out)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT name, value FROM metrics WHERE run_id = ?1 ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(c, db, path);
    sqlite3_bind_int64(st, 1, run);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        if (!name || !globs_match(globs, name))
            continue;
        if (metrics_add(out, name, sqlite3_column_double(st, 1)) < 0) {
            sqlite3_finalize(st);
            return say(c, CMD_EXIT_FAIL, "%s: out of memory", path);
        }
    }
    int status = rc == SQLITE_DONE ? CMD_EXIT_OK : db_error(c, db, path);
    sqlite3_finalize(st);
    return status;
}

static char *run_text(sqlite3 *db, int64_t run, const char *column)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT %s FROM runs WHERE id = ?1", column);
    sqlite3_stmt *st = NULL;
    char *out = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, run);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
            out = strdup((const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    return out;
}

/* ------------------------------------------------------------ baselines */

struct tol {
    bool has_rel, has_abs;
    double rel, abs;
};

struct base_metric {
    char *name;
    double value;
    struct tol tol;
};

struct baseline {
    char *label;                    /* NULL when none */
    struct base_metric *m;
    size_t n;
};

static void baseline_free(struct baseline *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->m[i].name);
    free(b->m);
    free(b->label);
    memset(b, 0, sizeof(*b));
}

static int tol_parse(const cJSON *obj, const char *where, const char *path, struct tol *t,
                     struct sim_err *err)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, obj) {
        if (strcmp(it->string, "rel") == 0 || strcmp(it->string, "abs") == 0) {
            if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) || it->valuedouble < 0)
                return sim_err_set(err, SIM_EFORMAT, "%s: %s.%s: expected a number >= 0", path,
                                   where, it->string);
            if (it->string[0] == 'r') {
                t->has_rel = true;
                t->rel = it->valuedouble;
            } else {
                t->has_abs = true;
                t->abs = it->valuedouble;
            }
        } else if (strcmp(it->string, "value") != 0) {
            return sim_err_set(err, SIM_EFORMAT, "%s: %s.%s: unknown key", path, where,
                               it->string);
        }
    }
    return SIM_OK;
}

/* Parse a baseline file (format in results/README.md). */
static int baseline_load(const char *path, struct baseline *b, struct sim_err *err)
{
    memset(b, 0, sizeof(*b));
    char *text;
    size_t len;
    int rrc = util_read_file(path, (size_t)64 << 20, &text, &len, err);
    if (rrc < 0)
        return rrc;
    const char *ep = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &ep, true);
    if (!root) {
        long off = ep ? (long)(ep - text) : 0;
        int line = 1;
        for (long i = 0; i < off && text[i]; i++)
            line += text[i] == '\n';
        free(text);
        return sim_err_set(err, SIM_EFORMAT, "%s:%d: not valid JSON (byte %ld)", path, line, off);
    }
    free(text);
    int rc = SIM_OK;
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(root, "format");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "version");
    const cJSON *label = cJSON_GetObjectItemCaseSensitive(root, "label");
    const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(root, "metrics");
    struct tol deftol = {0};
    if (!cJSON_IsObject(root)) {
        rc = sim_err_set(err, SIM_EFORMAT, "%s: expected a JSON object", path);
        goto out;
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, root) {
        static const char *const known[] = {"format", "version", "label", "made_from",
                                            "tolerance", "metrics"};
        bool ok = false;
        for (size_t i = 0; i < ARRAY_SIZE(known); i++)
            ok |= strcmp(it->string, known[i]) == 0;
        if (!ok) {
            rc = sim_err_set(err, SIM_EFORMAT, "%s: %s: unknown key", path, it->string);
            goto out;
        }
    }
    if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, "mmusim-baseline") != 0) {
        rc = sim_err_set(err, SIM_EFORMAT, "%s: format: expected \"mmusim-baseline\"", path);
        goto out;
    }
    if (!cJSON_IsNumber(ver) || ver->valuedouble != 1) {
        rc = sim_err_set(err, SIM_EFORMAT, "%s: version: expected 1", path);
        goto out;
    }
    if (label && !cJSON_IsNull(label)) {
        if (!cJSON_IsString(label)) {
            rc = sim_err_set(err, SIM_EFORMAT, "%s: label: expected a string", path);
            goto out;
        }
        if (label->valuestring[0] && !(b->label = strdup(label->valuestring))) {
            rc = sim_err_set(err, SIM_ENOMEM, "%s: out of memory", path);
            goto out;
        }
    }
    const cJSON *tol = cJSON_GetObjectItemCaseSensitive(root, "tolerance");
    if (tol) {
        if (!cJSON_IsObject(tol)) {
            rc = sim_err_set(err, SIM_EFORMAT, "%s: tolerance: expected an object", path);
            goto out;
        }
        if (cJSON_GetObjectItemCaseSensitive(tol, "value")) {
            rc = sim_err_set(err, SIM_EFORMAT, "%s: tolerance.value: unknown key", path);
            goto out;
        }
        if ((rc = tol_parse(tol, "tolerance", path, &deftol, err)) < 0)
            goto out;
    }
    if (!cJSON_IsObject(metrics)) {
        rc = sim_err_set(err, SIM_EFORMAT, "%s: metrics: expected an object", path);
        goto out;
    }
    int n = cJSON_GetArraySize(metrics);
    if (n == 0) {
        rc = sim_err_set(err, SIM_EFORMAT, "%s: metrics: empty", path);
        goto out;
    }
    b->m = calloc((size_t)n, sizeof(*b->m));
    if (!b->m) {
        rc = sim_err_set(err, SIM_ENOMEM, "%s: out of memory", path);
        goto out;
    }
    cJSON_ArrayForEach(it, metrics) {
        char where[300];
        snprintf(where, sizeof(where), "metrics.%s", it->string);
        struct base_metric *m = &b->m[b->n];
        const cJSON *v = cJSON_IsObject(it) ? cJSON_GetObjectItemCaseSensitive(it, "value") : it;
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
            rc = sim_err_set(err, SIM_EFORMAT, "%s: %s%s: expected a number", path, where,
                             cJSON_IsObject(it) ? ".value" : "");
            goto out;
        }
        for (size_t i = 0; i < b->n; i++)
            if (strcmp(b->m[i].name, it->string) == 0) {
                rc = sim_err_set(err, SIM_EFORMAT, "%s: %s: given twice", path, where);
                goto out;
            }
        m->value = v->valuedouble;
        m->tol = deftol;
        if (cJSON_IsObject(it)) {
            struct tol own = {0};
            if ((rc = tol_parse(it, where, path, &own, err)) < 0)
                goto out;
            if (own.has_rel || own.has_abs)
                m->tol = own;   /* a metric's own tolerance replaces the default */
        }
        if (!(m->name = strdup(it->string))) {
            rc = sim_err_set(err, SIM_ENOMEM, "%s: out of memory", path);
            goto out;
        }
        b->n++;
    }
out:
    cJSON_Delete(root);
    if (rc < 0)
        baseline_free(b);
    return rc;
}

/* ------------------------------------------------------------ comparing */

static bool within(double expected, double actual, const struct tol *t)
{
    double d = fabs(actual - expected);
    if (!t->has_rel && !t->has_abs)
        return d == 0;
    return (t->has_abs && d <= t->abs) || (t->has_rel && d <= t->rel * fabs(expected));
}

static void tol_text(char *buf, size_t n, const struct tol *t)
{
    char a[32], r[32];
    fmt_num(a, sizeof(a), t->abs);
    fmt_num(r, sizeof(r), t->rel * 100);
    if (t->has_abs && t->has_rel)
        snprintf(buf, n, "%s or %s%%", a, r);
    else if (t->has_abs)
        snprintf(buf, n, "abs %s", a);
    else if (t->has_rel)
        snprintf(buf, n, "rel %s%%", r);
    else
        snprintf(buf, n, "exact");
}

static void print_header(const char *a, const char *b)
{
    printf("%-32s %16s %16s %14s %9s %-12s %s\n", "metric", a, b, "diff", "diff%", "tolerance",
           "status");
}

/* One table row; returns 1 when outside the tolerance. */
static int print_row(const char *name, const double *exp, const double *act,
                     const struct tol *t, const char *missing_status)
{
    char e[32] = "-", a[32] = "-", d[32] = "-", p[16] = "-", tt[80] = "-";
    if (exp)
        fmt_num(e, sizeof(e), *exp);
    if (act)
        fmt_num(a, sizeof(a), *act);
    tol_text(tt, sizeof(tt), t);
    if (!exp || !act) {
        printf("%-32s %16s %16s %14s %9s %-12s %s\n", name, e, a, d, p, tt, missing_status);
        return strcmp(missing_status, "MISSING") == 0;
    }
    double diff = *act - *exp;
    snprintf(d, sizeof(d), "%+.6g", diff);
    if (*exp != 0)
        snprintf(p, sizeof(p), "%+.2f%%", 100.0 * diff / fabs(*exp));
    else if (diff == 0)
        snprintf(p, sizeof(p), "%+.2f%%", 0.0);
    bool ok = within(*exp, *act, t);
    printf("%-32s %16s %16s %14s %9s %-12s %s\n", name, e, a, d, p, tt, ok ? "ok" : "OUTSIDE");
    return !ok;
}

struct cmp_args {
    const char *files[2];
    int nfiles;
    int64_t runs[2];
    int nruns;
    const char *label;
    const char *globs;
    const char *out;
    struct tol tol;
    const char *what, *format;
};

static int parse_args(struct ctx *c, int argc, char **argv, struct cmp_args *a,
                      const char *usage)
{
    memset(a, 0, sizeof(*a));
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        bool has_val = i + 1 < argc;
        if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0) {
            printf("usage: %s\n", usage);
            return -1;
        }
        if (s[0] == '-' && s[1] && !has_val)
            return say(c, CMD_EXIT_USAGE, "%s: missing value; usage: %s", s, usage);
        if (strcmp(s, "--run") == 0) {
            if (a->nruns == 2 || !parse_i64(argv[++i], &a->runs[a->nruns]))
                return say(c, CMD_EXIT_USAGE, "--run: expected a run id (at most twice), got '%s'",
                           argv[i]);
            a->nruns++;
        } else if (strcmp(s, "--label") == 0) {
            a->label = argv[++i];
        } else if (strcmp(s, "--metrics") == 0) {
            a->globs = argv[++i];
        } else if (strcmp(s, "-o") == 0 || strcmp(s, "--output") == 0) {
            a->out = argv[++i];
        } else if (strcmp(s, "--rel") == 0 || strcmp(s, "--abs") == 0) {
            double v;
            if (!parse_double(argv[++i], &v))
                return say(c, CMD_EXIT_USAGE, "%s: expected a number >= 0, got '%s'", s, argv[i]);
            if (s[2] == 'r') {
                a->tol.has_rel = true;
                a->tol.rel = v;
            } else {
                a->tol.has_abs = true;
                a->tol.abs = v;
            }
        } else if (strcmp(s, "--what") == 0) {
            a->what = argv[++i];
        } else if (strcmp(s, "--format") == 0) {
            a->format = argv[++i];
        } else if (s[0] == '-' && s[1]) {
            return say(c, CMD_EXIT_USAGE, "%s: unknown option; usage: %s", s, usage);
        } else if (a->nfiles < 2) {
            a->files[a->nfiles++] = s;
        } else {
            return say(c, CMD_EXIT_USAGE, "%s: unexpected argument; usage: %s", s, usage);
        }
    }
    return 0;
}

static int compare_baseline(struct ctx *c, const struct cmp_args *a)
{
    const char *bpath = a->files[0], *dbpath = a->files[1];
    struct baseline b;
    if (baseline_load(bpath, &b, &c->err) < 0)
        return say(c, CMD_EXIT_USAGE, "%s", c->err.msg);
    sqlite3 *db = NULL;
    int64_t run = 0;
    struct metric_set ms = {0};
    int status = open_db(c, dbpath, &db);
    if (status)
        goto out;
    const char *label = a->label ? a->label : b.label;
    status = select_run(c, db, dbpath, a->nruns ? a->runs[0] : 0, a->nruns ? NULL : label, true,
                        &run);
    if (status)
        goto out;
    status = load_metrics(c, db, dbpath, run, NULL, &ms);
    if (status)
        goto out;
    char *rlabel = run_text(db, run, "label");
    printf("baseline %s%s%s%s vs run %" PRId64 " (%s) of %s\n", bpath, b.label ? " (label '" : "",
           b.label ? b.label : "", b.label ? "')" : "", run, rlabel ? rlabel : "", dbpath);
    free(rlabel);
    char rh[32];
    snprintf(rh, sizeof(rh), "run %" PRId64, run);
    print_header("baseline", rh);
    size_t bad = 0, shown = 0;
    for (size_t i = 0; i < b.n; i++) {
        if (!globs_match(a->globs, b.m[i].name))
            continue;
        const struct metric *m = metrics_find(&ms, b.m[i].name);
        bad += (size_t)print_row(b.m[i].name, &b.m[i].value, m ? &m->value : NULL, &b.m[i].tol,
                                 "MISSING");
        shown++;
    }
    printf("%zu metrics compared, %zu outside tolerance\n", shown, bad);
    status = bad ? CMD_EXIT_OUTSIDE : CMD_EXIT_OK;
out:
    metrics_free(&ms);
    sqlite3_close(db);
    baseline_free(&b);
    return status;
}

static int compare_runs(struct ctx *c, const struct cmp_args *a)
{
    const char *dbpath = a->files[0];
    sqlite3 *db = NULL;
    struct metric_set ma = {0}, mb = {0};
    int64_t ra = 0, rb = 0;
    int status = open_db(c, dbpath, &db);
    if (status == 0)
        status = select_run(c, db, dbpath, a->runs[0], NULL, true, &ra);
    if (status == 0)
        status = select_run(c, db, dbpath, a->runs[1], NULL, true, &rb);
    if (status == 0)
        status = load_metrics(c, db, dbpath, ra, a->globs, &ma);
    if (status == 0)
        status = load_metrics(c, db, dbpath, rb, a->globs, &mb);
    if (status)
        goto out;
    char ha[32], hb[32];
    snprintf(ha, sizeof(ha), "run %" PRId64, ra);
    snprintf(hb, sizeof(hb), "run %" PRId64, rb);
    char *la = run_text(db, ra, "label"), *lb = run_text(db, rb, "label");
    printf("run %" PRId64 " (%s) vs run %" PRId64 " (%s) of %s\n", ra, la ? la : "", rb,
           lb ? lb : "", dbpath);
    free(la);
    free(lb);
    print_header(ha, hb);
    /* both lists are sorted by name: merge them */
    size_t i = 0, j = 0, bad = 0, both = 0;
    while (i < ma.n || j < mb.n) {
        int cmp = i == ma.n ? 1 : j == mb.n ? -1 : strcmp(ma.m[i].name, mb.m[j].name);
        if (cmp == 0) {
            bad += (size_t)print_row(ma.m[i].name, &ma.m[i].value, &mb.m[j].value, &a->tol, "");
            both++;
            i++;
            j++;
        } else if (cmp < 0) {
            print_row(ma.m[i].name, &ma.m[i].value, NULL, &a->tol, "only A");
            i++;
        } else {
            print_row(mb.m[j].name, NULL, &mb.m[j].value, &a->tol, "only B");
            j++;
        }
    }
    printf("%zu metrics compared, %zu outside tolerance\n", both, bad);
    status = bad ? CMD_EXIT_OUTSIDE : CMD_EXIT_OK;
out:
    metrics_free(&ma);
    metrics_free(&mb);
    sqlite3_close(db);
    return status;
}

int cmd_compare(int argc, char **argv)
{
    static const char usage[] =
        "mmusim compare BASELINE.json RESULTS.db [--run ID] [--label L] [--metrics GLOBS] | "
        "mmusim compare RESULTS.db --run A --run B [--rel X] [--abs X] [--metrics GLOBS]";
    struct ctx c = {.cmd = "compare"};
    struct cmp_args a;
    int rc = parse_args(&c, argc, argv, &a, usage);
    if (rc)
        return rc < 0 ? CMD_EXIT_OK : rc;
    if (a.nfiles == 2) {
        if (a.nruns > 1)
            return say(&c, CMD_EXIT_USAGE, "a baseline is compared with one run; usage: %s",
                       usage);
        return compare_baseline(&c, &a);
    }
    if (a.nfiles == 1 && a.nruns == 2)
        return compare_runs(&c, &a);
    return say(&c, CMD_EXIT_USAGE, "usage: %s", usage);
}

/* ------------------------------------------------------------ baseline */

int cmd_baseline(int argc, char **argv)
{
    static const char usage[] = "mmusim baseline RESULTS.db [--run ID] [--label L] "
                                "[--metrics GLOBS] [--rel X] [--abs X] -o BASELINE.json";
    struct ctx c = {.cmd = "baseline"};
    struct cmp_args a;
    int rc = parse_args(&c, argc, argv, &a, usage);
    if (rc)
        return rc < 0 ? CMD_EXIT_OK : rc;
    if (a.nfiles != 1 || a.nruns > 1 || !a.out)
        return say(&c, CMD_EXIT_USAGE, "usage: %s", usage);
    const char *dbpath = a.files[0];
    sqlite3 *db = NULL;
    struct metric_set ms = {0};
    int64_t run = 0;
    cJSON *root = NULL;
    char *text = NULL;
    int status = open_db(&c, dbpath, &db);
    if (status == 0)
        status = select_run(&c, db, dbpath, a.nruns ? a.runs[0] : 0, a.label, true, &run);
    if (status == 0)
        status = load_metrics(&c, db, dbpath, run, a.globs, &ms);
    if (status)
        goto out;
    if (ms.n == 0) {
        status = say(&c, CMD_EXIT_USAGE, "%s: run %" PRId64 " has no metrics matching '%s'",
                     dbpath, run, a.globs ? a.globs : "*");
        goto out;
    }
    char *label = run_text(db, run, "label");
    root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "format", "mmusim-baseline");
    cJSON_AddNumberToObject(root, "version", 1);
    cJSON_AddStringToObject(root, "label", label ? label : "");
    free(label);
    cJSON *from = cJSON_AddObjectToObject(root, "made_from");
    cJSON_AddNumberToObject(from, "run", (double)run);
    static const char *const cols[] = {"started_at", "preset", "s1_granule", "s2_granule",
                                       "trace_path", "trace_sha256", "seed", "version"};
    for (size_t i = 0; i < ARRAY_SIZE(cols); i++) {
        char *v = run_text(db, run, cols[i]);
        if (v)
            cJSON_AddStringToObject(from, cols[i], v);
        else
            cJSON_AddNullToObject(from, cols[i]);
        free(v);
    }
    char *virt = run_text(db, run, "virtualized");
    if (virt)
        cJSON_AddBoolToObject(from, "virtualized", strcmp(virt, "0") != 0);
    free(virt);
    if (a.tol.has_rel || a.tol.has_abs) {
        cJSON *t = cJSON_AddObjectToObject(root, "tolerance");
        if (a.tol.has_rel)
            cJSON_AddNumberToObject(t, "rel", a.tol.rel);
        if (a.tol.has_abs)
            cJSON_AddNumberToObject(t, "abs", a.tol.abs);
    }
    cJSON *mo = cJSON_AddObjectToObject(root, "metrics");
    for (size_t i = 0; i < ms.n; i++) {
        cJSON *e = cJSON_AddObjectToObject(mo, ms.m[i].name);
        cJSON_AddNumberToObject(e, "value", ms.m[i].value);
    }
    text = cJSON_Print(root);
    if (!text) {
        status = say(&c, CMD_EXIT_FAIL, "%s: out of memory", a.out);
        goto out;
    }
    FILE *f = strcmp(a.out, "-") == 0 ? stdout : fopen(a.out, "w");
    if (!f) {
        status = say(&c, CMD_EXIT_FAIL, "%s: cannot create: %s", a.out, strerror(errno));
        goto out;
    }
    fputs(text, f);
    fputc('\n', f);
    if ((f == stdout ? fflush(f) : fclose(f)) != 0)
        status = say(&c, CMD_EXIT_FAIL, "%s: write error: %s", a.out, strerror(errno));
    else if (f != stdout)
        fprintf(stderr, "mmusim baseline: wrote %zu metrics of run %" PRId64 " to %s\n", ms.n,
                run, a.out);
out:
    free(text);
    cJSON_Delete(root);
    metrics_free(&ms);
    sqlite3_close(db);
    return status;
}

/* ------------------------------------------------------------ export */

static void csv_text(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\n\r") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void json_text(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* Is @name a column that holds JSON text, written raw when it parses? */
static bool json_column(const char *name)
{
    return strcmp(name, "config_json") == 0 || strcmp(name, "summary_json") == 0;
}

/* Stream the rows of @st as CSV (with a header) or as a JSON array of objects. */
static int write_rows(sqlite3_stmt *st, FILE *f, bool json)
{
    int ncol = sqlite3_column_count(st);
    if (!json) {
        for (int k = 0; k < ncol; k++) {
            if (k)
                fputc(',', f);
            csv_text(f, sqlite3_column_name(st, k));
        }
        fputc('\n', f);
    } else {
        fputs("[", f);
    }
    int rc;
    bool first = true;
    char num[40];
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (json)
            fputs(first ? "\n{" : ",\n{", f);
        first = false;
        for (int k = 0; k < ncol; k++) {
            const char *name = sqlite3_column_name(st, k);
            if (json) {
                if (k)
                    fputc(',', f);
                json_text(f, name);
                fputc(':', f);
            } else if (k) {
                fputc(',', f);
            }
            switch (sqlite3_column_type(st, k)) {
            case SQLITE_INTEGER:
                fprintf(f, "%lld", (long long)sqlite3_column_int64(st, k));
                break;
            case SQLITE_FLOAT:
                fmt_num(num, sizeof(num), sqlite3_column_double(st, k));
                fputs(num, f);
                break;
            case SQLITE_NULL:
                if (json)
                    fputs("null", f);
                break;
            default: {
                const char *s = (const char *)sqlite3_column_text(st, k);
                s = s ? s : "";
                if (!json) {
                    csv_text(f, s);
                } else if (json_column(name)) {
                    cJSON *j = cJSON_Parse(s);
                    if (j)
                        fputs(s, f);
                    else
                        json_text(f, s);
                    cJSON_Delete(j);
                } else {
                    json_text(f, s);
                }
            }
            }
        }
        if (json)
            fputc('}', f);
        else
            fputc('\n', f);
    }
    if (json)
        fputs(first ? "]\n" : "\n]\n", f);
    return rc == SQLITE_DONE ? 0 : -1;
}

int cmd_export(int argc, char **argv)
{
    static const char usage[] = "mmusim export RESULTS.db [--run ID] "
                                "[--what metrics|walks|hist|runs] --format csv|json [-o FILE]";
    struct ctx c = {.cmd = "export"};
    struct cmp_args a;
    int rc = parse_args(&c, argc, argv, &a, usage);
    if (rc)
        return rc < 0 ? CMD_EXIT_OK : rc;
    if (a.nfiles != 1 || a.nruns > 1 || !a.format)
        return say(&c, CMD_EXIT_USAGE, "usage: %s", usage);
    bool json = strcmp(a.format, "json") == 0;
    if (!json && strcmp(a.format, "csv") != 0)
        return say(&c, CMD_EXIT_USAGE, "--format: expected csv or json, got '%s'", a.format);
    const char *what = a.what ? a.what : "metrics";
    const char *sql;
    if (strcmp(what, "metrics") == 0)
        sql = "SELECT run_id, name, value FROM metrics WHERE run_id = ?1 ORDER BY name";
    else if (strcmp(what, "hist") == 0)
        sql = "SELECT run_id, hist, key, count FROM hist WHERE run_id = ?1 ORDER BY hist, key";
    else if (strcmp(what, "walks") == 0)
        sql = "SELECT * FROM walks WHERE run_id = ?1 ORDER BY walk_no";
    else if (strcmp(what, "runs") == 0)
        sql = "SELECT * FROM runs ORDER BY id";
    else
        return say(&c, CMD_EXIT_USAGE, "--what: expected metrics, walks, hist or runs, got '%s'",
                   what);
    const char *dbpath = a.files[0];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    FILE *f = NULL;
    int64_t run = 0;
    int status = open_db(&c, dbpath, &db);
    if (status == 0 && strcmp(what, "runs") != 0)
        status = select_run(&c, db, dbpath, a.nruns ? a.runs[0] : 0, a.label, false, &run);
    if (status)
        goto out;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        status = db_error(&c, db, dbpath);
        goto out;
    }
    if (run)
        sqlite3_bind_int64(st, 1, run);
    f = (!a.out || strcmp(a.out, "-") == 0) ? stdout : fopen(a.out, "w");
    if (!f) {
        status = say(&c, CMD_EXIT_FAIL, "%s: cannot create: %s", a.out, strerror(errno));
        goto out;
    }
    if (write_rows(st, f, json) < 0)
        status = db_error(&c, db, dbpath);
    if ((f == stdout ? fflush(f) : fclose(f)) != 0 && status == 0)
        status = say(&c, CMD_EXIT_FAIL, "%s: write error: %s", a.out ? a.out : "stdout",
                     strerror(errno));
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return status;
}

/* ------------------------------------------------------------ runs */

int cmd_runs(int argc, char **argv)
{
    static const char usage[] = "mmusim runs RESULTS.db [--format table|csv|json]";
    struct ctx c = {.cmd = "runs"};
    struct cmp_args a;
    int rc = parse_args(&c, argc, argv, &a, usage);
    if (rc)
        return rc < 0 ? CMD_EXIT_OK : rc;
    if (a.nfiles != 1 || a.nruns)
        return say(&c, CMD_EXIT_USAGE, "usage: %s", usage);
    const char *fmt = a.format ? a.format : "table";
    if (strcmp(fmt, "table") && strcmp(fmt, "csv") && strcmp(fmt, "json"))
        return say(&c, CMD_EXIT_USAGE, "--format: expected table, csv or json, got '%s'", fmt);
    const char *dbpath = a.files[0];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int status = open_db(&c, dbpath, &db);
    if (status)
        return status;
    const char *sql = "SELECT id, status, label, s1_granule, s2_granule, virtualized, walks,"
                      " refs_per_walk, walk_cycles_mean, translation_share, started_at, trace_path"
                      " FROM v_runs ORDER BY id";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        status = db_error(&c, db, dbpath);
        goto out;
    }
    if (strcmp(fmt, "table") != 0) {
        if (write_rows(st, stdout, fmt[0] == 'j') < 0)
            status = db_error(&c, db, dbpath);
        goto out;
    }
    printf("%5s %-9s %-20s %-4s %-4s %-4s %10s %9s %11s %7s  %-20s %s\n", "id", "status", "label",
           "s1", "s2", "virt", "walks", "refs/walk", "walk cycles", "xlat%", "started", "trace");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *t[12];
        char num[4][32];
        for (int k = 0; k < 12; k++)
            t[k] = sqlite3_column_text(st, k) ? (const char *)sqlite3_column_text(st, k) : "-";
        for (int k = 0; k < 4; k++) {
            if (sqlite3_column_type(st, 6 + k) == SQLITE_NULL)
                snprintf(num[k], sizeof(num[k]), "-");
            else if (k == 0)
                snprintf(num[k], sizeof(num[k]), "%.0f", sqlite3_column_double(st, 6));
            else if (k == 3)
                snprintf(num[k], sizeof(num[k]), "%.2f", 100 * sqlite3_column_double(st, 9));
            else
                snprintf(num[k], sizeof(num[k]), "%.2f", sqlite3_column_double(st, 6 + k));
        }
        printf("%5s %-9s %-20s %-4s %-4s %-4s %10s %9s %11s %7s  %-20s %s\n", t[0], t[1], t[2],
               t[3], t[4], strcmp(t[5], "1") == 0 ? "yes" : strcmp(t[5], "0") == 0 ? "no" : "-",
               num[0], num[1], num[2], num[3], t[10], t[11]);
    }
    if (rc != SQLITE_DONE)
        status = db_error(&c, db, dbpath);
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return status;
}
