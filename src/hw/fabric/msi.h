/* SPDX-License-Identifier: MIT */
/*
 * hw/fabric/msi: a Message Signalled Interrupt on its way upstream.
 * Hardware-side only (device models and capability handlers); the kernel
 * side sees the result through the handler it registered with
 * hw_platform_set_irq_handler() (fabric.h).
 *
 * An MSI or MSI-X message is a DWORD memory write (PCIe r6.2 §6.1.4), so
 * it obeys what any upstream memory request does (hw/fabric/dma.h, steps
 * 1-4): without Bus Master Enable in the function's Command register
 * (§7.5.1.1.3) the function sends nothing (-EPERM), and every bridge on the
 * way must forward it (-EIO). At the root complex:
 *   - an address in 0xFEE00000-0xFEEFFFFF is an interrupt request (Intel
 *     SDM Vol. 3A §11.11): Destination ID from address bits 19:12, vector
 *     from data bits 7:0. It is not subject to DMA remapping (VT-d r4.1
 *     §5.1: interrupt requests are a separate class; interrupt remapping is
 *     not modelled, so every such message passes in compatibility format);
 *   - any other address is an ordinary posted memory write of the 32-bit
 *     data, translated like DMA (hw_dma_write()).
 */
#ifndef PCILAB_HW_FABRIC_MSI_H
#define PCILAB_HW_FABRIC_MSI_H

#include <stdint.h>

struct hw_pcidev;
struct hw_platform;

/* 0 when the message left the function (delivered or dropped at the sink),
 * -EPERM/-EIO/-ENODEV as above, or an error of the memory write. */
int hw_msi_send(struct hw_pcidev *dev, uint64_t addr, uint32_t data);

/*
 * An interrupt message raised inside the root complex by a source that is
 * not a PCI function (a VT-d unit's fault, invalidation completion or page
 * request event, VT-d r4.1 §7.3, §7.5.2, §6.5.2.9): it goes straight to the
 * interrupt decode above, with no requester ID, Bus Master Enable or bridge
 * to pass. An address outside 0xFEE00000-0xFEEFFFFF is dropped and counted
 * like an undeliverable vector. 0, or -EINVAL for a NULL platform.
 */
int hw_platform_msi_deliver(struct hw_platform *p, uint64_t addr, uint32_t data);

#endif /* PCILAB_HW_FABRIC_MSI_H */
