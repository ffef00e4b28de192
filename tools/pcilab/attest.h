/* SPDX-License-Identifier: MIT */
/* Readable report of one device's CMA-SPDM authentication (pcilab attest,
 * pcilab demo); attest_report.c. */
#ifndef PCILAB_TOOLS_ATTEST_H
#define PCILAB_TOOLS_ATTEST_H

#include <stdbool.h>
#include <stdio.h>

struct pci_dev;
struct pci_cma_result;

void attest_report_text(FILE *f, const struct pci_dev *dev, const struct pci_cma_result *r);
/* One element of the --json array; first: no leading ",\n". */
void attest_report_json(FILE *f, const struct pci_dev *dev, const struct pci_cma_result *r,
			bool first);

#endif /* PCILAB_TOOLS_ATTEST_H */
