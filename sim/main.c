/*
 * sim/main.c - minimal dispatcher for the trace subcommands (placeholder:
 * the lead's front end replaces it; all logic lives in sim/cmd_*.c).
 */
#include <stdio.h>
#include <string.h>

#include "sim/cmd_trace.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: mmusim info|convert|gen ...\n");
        return 2;
    }
    if (strcmp(argv[1], "info") == 0)
        return cmd_info(argc - 1, argv + 1);
    if (strcmp(argv[1], "convert") == 0)
        return cmd_convert(argc - 1, argv + 1);
    if (strcmp(argv[1], "gen") == 0)
        return cmd_gen(argc - 1, argv + 1);
    fprintf(stderr, "mmusim: unknown command '%s'\n", argv[1]);
    return 2;
}
