/* SPDX-License-Identifier: MIT */
/*
 * hw/fabric/bridge: the type 1 (PCI-to-PCI bridge) function model shared by
 * root ports, switch upstream and downstream ports, PCIe-to-PCI bridges and
 * conventional PCI-to-PCI bridges. The model is only registers: what the
 * bridge forwards is decided by the fabric (fabric.c), which reads these
 * registers at request time.
 */
#ifndef PCILAB_HW_FABRIC_BRIDGE_H
#define PCILAB_HW_FABRIC_BRIDGE_H

#include <stdbool.h>

#include "hw/pcidev/pcidev.h"

/*
 * Allocate and hw_pcidev_init() a bridge function with its type 1 header
 * laid out (bus numbers, 32-bit I/O window, memory window, 64-bit
 * prefetchable window, Bridge Control). The caller sets IDs, BARs and
 * capabilities, then hw_pcidev_realize(). pcie selects the PCIe flavour of
 * the RO/RsvdP bits (PCIe r6.2 §7.5.1.3). ERR_PTR(-ENOMEM). Free with
 * hw_pcidev_destroy().
 */
struct hw_pcidev *hw_bridge_create(const char *name, bool pcie);

#endif /* PCILAB_HW_FABRIC_BRIDGE_H */
