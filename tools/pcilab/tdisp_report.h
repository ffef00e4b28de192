/* SPDX-License-Identifier: MIT */
/* IDE + TDISP bring-up report (pcilab tdisp, pcilab demo). */
#ifndef PCILAB_TOOLS_TDISP_REPORT_H
#define PCILAB_TOOLS_TDISP_REPORT_H

struct tool_world;

/* Bring up IDE and TDISP on every function with an IDE capability, show
 * the configuration lock tripping, tear down; readable report. */
void demo_tdisp(struct tool_world *w);

#endif /* PCILAB_TOOLS_TDISP_REPORT_H */
