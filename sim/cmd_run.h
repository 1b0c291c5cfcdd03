/*
 * sim/cmd_run.h - `mmusim run`: replay a trace through the modelled MMU.
 */
#ifndef SIM_CMD_RUN_H
#define SIM_CMD_RUN_H

/* Exit status: 0 ok, 2 bad input (config, trace), 1 other failure, 130 interrupted. */
int cmd_run(int argc, char **argv);

#endif /* SIM_CMD_RUN_H */
