/*
 * sim/event.c - names of trace events and TLBI operations (see event.h).
 */
#include "sim/event.h"

#include <string.h>
#include <strings.h>

static const char *const kind_names[TR_KIND_COUNT] = {
    "load", "store", "ifetch", "ctx_switch", "vm_switch", "tlbi",
};

static const char *const tlbi_names[TLBI_KIND_COUNT] = {
    "vmalle1", "vae1", "vale1", "aside1", "vaae1", "vaale1",
    "ipas2e1", "ipas2le1", "vmalls12e1", "alle1",
};

const char *trace_kind_name(unsigned kind)
{
    return kind < TR_KIND_COUNT ? kind_names[kind] : "?";
}

const char *tlbi_kind_name(unsigned kind)
{
    return kind < TLBI_KIND_COUNT ? tlbi_names[kind] : "?";
}

int tlbi_kind_parse(const char *name)
{
    for (unsigned i = 0; i < TLBI_KIND_COUNT; i++)
        if (strcasecmp(name, tlbi_names[i]) == 0)
            return (int)i;
    return -1;
}
