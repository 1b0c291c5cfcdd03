/*
 * sim/event.c - names of TLBI operations (see event.h).
 */
#include "sim/event.h"


static const char *const tlbi_names[TLBI_KIND_COUNT] = {
    "vmalle1", "vae1", "vale1", "aside1", "vaae1", "vaale1",
    "ipas2e1", "ipas2le1", "vmalls12e1", "alle1",
};

const char *tlbi_kind_name(unsigned kind)
{
    return kind < TLBI_KIND_COUNT ? tlbi_names[kind] : "?";
}

