/*
 * sim/cmd_results.h - the subcommands that read results databases:
 * compare, baseline, export, runs.  Usage and the baseline JSON format are
 * documented in results/README.md.
 *
 * Each takes the subcommand's argv (argv[0] is the subcommand name), prints
 * its output on stdout (or -o FILE) and at most one error line on stderr,
 * "mmusim <cmd>: <file>: <what>", and returns the exit status:
 *   0 ok, 1 a compared metric is outside its tolerance, 2 usage or bad input
 *   (missing/corrupt/foreign database, bad baseline JSON naming the field,
 *   unknown run), 3 any other failure (I/O, out of memory).
 */
#ifndef SIM_CMD_RESULTS_H
#define SIM_CMD_RESULTS_H

#define CMD_EXIT_OK       0
#define CMD_EXIT_OUTSIDE  1
#define CMD_EXIT_USAGE    2
#define CMD_EXIT_FAIL     3

/*
 * mmusim compare BASELINE.json RESULTS.db [--run ID] [--label L] [--metrics GLOBS]
 * mmusim compare RESULTS.db --run A --run B [--rel X] [--abs X] [--metrics GLOBS]
 * Without --run the run is the latest complete one (with the baseline's
 * label, when the baseline has one and --label is not given).
 */
int cmd_compare(int argc, char **argv);

/* mmusim baseline RESULTS.db [--run ID] [--label L] [--metrics GLOBS] [--rel X] [--abs X] -o FILE */
int cmd_baseline(int argc, char **argv);

/* mmusim export RESULTS.db [--run ID] [--what metrics|walks|hist|runs] --format csv|json [-o FILE] */
int cmd_export(int argc, char **argv);

/* mmusim runs RESULTS.db [--format table|csv|json] */
int cmd_runs(int argc, char **argv);

#endif /* SIM_CMD_RESULTS_H */
