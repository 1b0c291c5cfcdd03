/*
 * sim/main.c - minimal dispatcher for the results subcommands (the lead's
 * real front end replaces it; all logic lives in sim/cmd_*.c).
 */
#include <stdio.h>
#include <string.h>

#include "sim/cmd_results.h"

int main(int argc, char **argv)
{
    if (argc >= 2) {
        if (strcmp(argv[1], "compare") == 0)
            return cmd_compare(argc - 1, argv + 1);
        if (strcmp(argv[1], "baseline") == 0)
            return cmd_baseline(argc - 1, argv + 1);
        if (strcmp(argv[1], "export") == 0)
            return cmd_export(argc - 1, argv + 1);
        if (strcmp(argv[1], "runs") == 0)
            return cmd_runs(argc - 1, argv + 1);
    }
    fprintf(stderr, "usage: mmusim compare|baseline|export|runs ...\n");
    return 2;
}
