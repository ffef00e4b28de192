/* SPDX-License-Identifier: MIT */
/*
 * pcilab subcommands. Each takes the arguments after the command name
 * (argv[0] is the command name) and returns the process exit status:
 * 0 success, 1 operation failed, 2 bad usage or bad input file.
 */
#ifndef PCILAB_TOOLS_COMMANDS_H
#define PCILAB_TOOLS_COMMANDS_H

int cmd_demo(int argc, char **argv);
int cmd_lspci(int argc, char **argv);
int cmd_attest(int argc, char **argv);
int cmd_tdisp(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_spdm_responder(int argc, char **argv);
int cmd_spdm_requester(int argc, char **argv);

#endif /* PCILAB_TOOLS_COMMANDS_H */
