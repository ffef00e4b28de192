/* SPDX-License-Identifier: MIT */
/*
 * hw/fabric/dma: upstream memory requests issued by device models (DMA).
 * Hardware-side only: device models include this, the kernel side never
 * does (it sees DMA only as its effect on RAM).
 *
 * A request travels the way the hardware carries it:
 *
 *   1. The function must have Bus Master Enable set in its Command
 *      register (PCIe r6.2 §7.5.1.1.3): without it the function issues no
 *      memory request at all (-EPERM). A request with a PASID needs PASID
 *      Enable in the function's PASID capability (PCIe r6.2 §6.20,
 *      §7.8.8.3), else -EPERM.
 *   2. It carries the function's Requester ID as programmed now: the bus
 *      number its upstream bridge has in Secondary Bus Number, and its
 *      devfn (PCIe r6.2 §2.2.6.2).
 *   3. Every bridge on the way up forwards it only with its own Bus Master
 *      Enable set (PCI-to-PCI Bridge r1.2 §3.2.5.2, Bus Master Enable; PCIe
 *      r6.2 §7.5.1.1.3: a port with BME clear handles upstream requests as
 *      Unsupported Requests) and with its secondary side up (no Secondary
 *      Bus Reset, no Link Disable): else -EIO.
 *   4. A bridge from a conventional PCI bus takes ownership of the
 *      transaction, so the Requester ID the root complex sees changes:
 *        - PCIe-to-PCI bridge: its secondary bus number with Device 0,
 *          Function 0 (PCI Express to PCI/PCI-X Bridge r1.0 §2.3), which is
 *          the alias Linux's pci_for_each_dma_alias() reports;
 *        - conventional PCI-to-PCI bridge: the bridge's own ID (it is the
 *          initiator on its primary bus).
 *      The topmost such bridge wins, as it is the last to re-issue it.
 *   5. At the root complex the DMA remapping unit covering the segment
 *      translates it (hw_vtd_translate_segs(), once per translation page:
 *      a 2 MiB mapping is translated once for a 2 MiB transfer). A fault
 *      is recorded by the unit and aborts the transfer with -EFAULT; the
 *      pages before the faulting one have been transferred, as the TLPs
 *      carrying them have already completed, and none after it. Without a
 *      unit, or with translation disabled, the address is the physical
 *      address.
 *   6. The translated address must lie in RAM: anything else completes
 *      with Unsupported Request, -EIO (peer-to-peer DMA to BARs is not
 *      modelled).
 *
 * Errors not listed: -EINVAL (address range wraps, PASID wider than 20
 * bits, NULL arguments), -ENODEV (function not placed on a bus).
 */
#ifndef PCILAB_HW_FABRIC_DMA_H
#define PCILAB_HW_FABRIC_DMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hw_pcidev;

/* Device reads memory at addr (an IOVA when remapped) into buf. */
int hw_dma_read(struct hw_pcidev *dev, bool has_pasid, uint32_t pasid,
		uint64_t addr, void *buf, size_t len);
/* Device writes buf to memory at addr. */
int hw_dma_write(struct hw_pcidev *dev, bool has_pasid, uint32_t pasid,
		 uint64_t addr, const void *buf, size_t len);
/*
 * Device copies len bytes from src to dst (both in its address space, same
 * PASID) as reads followed by writes, one translation page at a time
 * without an intermediate buffer. Overlapping ranges behave as a device
 * with a one-page buffer would: each piece is moved whole (memmove).
 */
int hw_dma_copy(struct hw_pcidev *dev, bool has_pasid, uint32_t pasid,
		uint64_t src, uint64_t dst, size_t len);
/* Write len copies of the byte val to memory at addr. */
int hw_dma_fill(struct hw_pcidev *dev, bool has_pasid, uint32_t pasid,
		uint64_t addr, uint8_t val, size_t len);

/*
 * The Requester ID the root complex would see for a request from dev now,
 * after the checks of steps 1 (without the PASID part) to 4. For tests.
 */
int hw_dma_requester_id(struct hw_pcidev *dev, uint16_t *rid);

#endif /* PCILAB_HW_FABRIC_DMA_H */
