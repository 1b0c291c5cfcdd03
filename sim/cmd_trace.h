/*
 * sim/cmd_trace.h - the trace subcommands of mmusim:
 *   info TRACE       what a trace holds (text or --json), without simulating
 *   convert IN OUT   any readable format -> the native format
 *   gen PATTERN -o OUT   synthetic native traces from seeded patterns
 * argv[0] is the subcommand name.  Each returns the process exit status:
 * 0 ok, 2 usage error or bad input (malformed trace, bad option value),
 * 1 other failures (I/O).  Errors are one line on stderr.
 */
#ifndef SIM_CMD_TRACE_H
#define SIM_CMD_TRACE_H

int cmd_info(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_gen(int argc, char **argv);

#endif /* SIM_CMD_TRACE_H */
