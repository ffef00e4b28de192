/* SPDX-License-Identifier: MIT */
/* Readable report of one device's CMA-SPDM authentication (pcilab attest,
 * pcilab demo). */
#ifndef PCILAB_TOOLS_ATTEST_H
#define PCILAB_TOOLS_ATTEST_H

struct pci_dev;
struct pci_cma_result;

void attest_report_text(const struct pci_dev *dev, const struct pci_cma_result *r);

#endif /* PCILAB_TOOLS_ATTEST_H */
