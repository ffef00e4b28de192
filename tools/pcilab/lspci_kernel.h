/* SPDX-License-Identifier: MIT */
/*
 * pcilab lspci: snapshots of every function the kernel side enumerated.
 */
#ifndef PCILAB_TOOLS_LSPCI_KERNEL_H
#define PCILAB_TOOLS_LSPCI_KERNEL_H

#include <stddef.h>

struct pci_subsys;
struct lspci_func;

/* Fill *out (free() it) with one snapshot per function, in lspci order.
 * 0, -ENOMEM, or the errno of a failed config read. */
int lspci_snapshot_kernel(struct pci_subsys *sys, struct lspci_func **out, size_t *nr);

#endif /* PCILAB_TOOLS_LSPCI_KERNEL_H */
