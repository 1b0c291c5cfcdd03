/*
 * sim/main.c - the mmusim command-line front end: picks the subcommand.
 * Each subcommand parses its own options, prints its one-line errors and
 * returns the exit status (0 ok, 2 bad input or usage, others per command).
 */
#include <stdio.h>
#include <string.h>

#include "sim/cmd_results.h"
#include "sim/cmd_run.h"
#include "sim/cmd_trace.h"
#include "sim/cmd_translate.h"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
};

static const struct command commands[] = {
    { "run", cmd_run, "replay a trace through the modelled MMU and caches" },
    { "info", cmd_info, "describe a trace without simulating it" },
    { "convert", cmd_convert, "convert any supported trace into the native format" },
    { "gen", cmd_gen, "generate a synthetic native trace" },
    { "translate", cmd_translate, "translate probe addresses of a scenario (registers + memory)" },
    { "runs", cmd_runs, "list the runs of a results database" },
    { "compare", cmd_compare, "compare runs or a run against a baseline; non-zero outside tolerance" },
    { "baseline", cmd_baseline, "write a baseline file from a run" },
    { "export", cmd_export, "export a run's metrics, histograms or walk log as CSV or JSON" },
};

static void usage(FILE *f)
{
    fprintf(f, "usage: mmusim COMMAND [ARGS]   (mmusim COMMAND --help for details)\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("mmusim %s\n", MMUSIM_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "mmusim: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
