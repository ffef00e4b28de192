/* SPDX-License-Identifier: MIT */
/*
 * hw/devices/endpoint: the generic endpoint model. A type 0 function with
 * the IDs, BARs (plain backing memory), INTx pin and capabilities a
 * platform description gives it, and no behaviour of its own: BAR reads
 * return what was last written. Specific devices (DMA test device, CXL
 * type 3, ...) are separate models.
 */
#ifndef PCILAB_HW_DEVICES_ENDPOINT_H
#define PCILAB_HW_DEVICES_ENDPOINT_H

#include "hw/pcidev/pcidev.h"

/* Allocate and hw_pcidev_init() a type 0 function. The caller configures it
 * and calls hw_pcidev_realize(). ERR_PTR(-ENOMEM). Free with
 * hw_pcidev_destroy(). */
struct hw_pcidev *hw_endpoint_create(const char *name);

#endif /* PCILAB_HW_DEVICES_ENDPOINT_H */
