/*
 * sim/cmd_translate.h - `mmusim translate SCENARIO.json`: the functional
 * translation of probe addresses under given register values and memory.
 */
#ifndef SIM_CMD_TRANSLATE_H
#define SIM_CMD_TRANSLATE_H

#include "sim/err.h"
#include "sim/strbuf.h"

/**
 * translate_scenario() - run a scenario held in @json (named @name in errors)
 * and append the result object to @out.
 * Return: SIM_OK, or SIM_EINVAL with @err naming the JSON field; on error
 * @out is left as it was.
 */
int translate_scenario(const char *json, const char *name, struct strbuf *out,
                       struct sim_err *err);

/* The subcommand: exit status 0, 2 on bad input, 1 on I/O failure. */
int cmd_translate(int argc, char **argv);

#endif /* SIM_CMD_TRANSLATE_H */
