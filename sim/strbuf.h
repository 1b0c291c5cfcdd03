/*
 * sim/strbuf.h - a growable string for building output (JSON, SQL) before it
 * is written in one go, so that a failure never leaves half an output behind.
 */
#ifndef SIM_STRBUF_H
#define SIM_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
    char *buf;       /* NUL-terminated; NULL until the first append */
    size_t len;
    size_t cap;
    bool oom;        /* an append failed: the content is incomplete */
};

/* Append formatted text; on allocation failure sets sb->oom and keeps the old content. */
void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append @s as a JSON string literal (quotes and escapes included). */
void sb_json_str(struct strbuf *sb, const char *s);
/* The content ("" when empty). */
const char *sb_str(const struct strbuf *sb);
void sb_free(struct strbuf *sb);

#endif /* SIM_STRBUF_H */
