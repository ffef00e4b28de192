/* SPDX-License-Identifier: MIT */
/*
 * hw/devices/dmatest: the DMA test device. An endpoint whose BAR0 holds a
 * small register block (dmatest_regs.h): software gives it source and
 * destination addresses (IOVAs when the IOMMU translates), a length and
 * optionally a PASID, and rings the doorbell; the device then copies (or
 * fills) memory with DMA requests (hw/fabric/dma.h), through every check a
 * real function's DMA goes through: Bus Master Enable on it and its
 * bridges, Requester ID aliasing, IOMMU translation and faults.
 *
 * The description may add BARs 1-5 (passive memory) and capabilities, e.g.
 * a PASID capability so it can issue requests with a PASID.
 */
#ifndef PCILAB_HW_DEVICES_DMATEST_H
#define PCILAB_HW_DEVICES_DMATEST_H

#include "hw/pcidev/pcidev.h"
#include "hw/devices/dmatest_regs.h"

/* IDs used when the description leaves them 0: "unassigned class" (FFh),
 * a vendor ID commonly used for emulated test hardware. */
#define HW_DMATEST_VENDOR	0x1234u
#define HW_DMATEST_DEVICE	0xd7a0u
#define HW_DMATEST_CLASS	0xff0000u

/* Allocate and hw_pcidev_init() the function with BAR0 set; the caller
 * configures the rest and realizes it. ERR_PTR(-ENOMEM). */
struct hw_pcidev *hw_dmatest_create(const char *name);

#endif /* PCILAB_HW_DEVICES_DMATEST_H */
