/* SPDX-License-Identifier: MIT */
/*
 * hw/fabric: the PCIe hierarchy of a machine and the requests that travel
 * through it. This header is the *bus*: the only way the kernel side talks
 * to the hardware (DESIGN.md, "the one rule").
 *
 *   - Configuration requests enter at a host bridge and are routed by bus
 *     number: type 0 on the root bus, forwarded by every bridge whose
 *     [secondary, subordinate] range holds the target bus, converted to
 *     type 0 at the bridge whose secondary bus it is (PCI-to-PCI Bridge
 *     r1.2 §3.2.5.3, PCIe r6.2 §7.3.1). On a PCIe link only Device 0
 *     exists unless ARI Forwarding is enabled (PCIe r6.2 §7.3.1,
 *     §6.13). A request nobody claims completes with Unsupported Request:
 *     reads return all-ones (PCIe r6.2 §2.3.2, root complex behaviour).
 *   - RAM is the CPU's own memory: the kernel side reads and writes it
 *     directly (hw_ram_*), as a CPU does with loads and stores. Devices
 *     reach it only by DMA, through the platform's IOMMU (hw/fabric/dma.h).
 *   - Chipset registers (the VT-d units' 4 KiB windows) are decoded by the
 *     root complex ahead of the host-bridge apertures.
 *   - Memory and I/O requests from the CPU are routed by host-bridge
 *     apertures, bridge windows (Memory/Prefetchable/I/O Base and Limit,
 *     PCI-to-PCI Bridge r1.2 §3.2.5.6-§3.2.5.10) with Memory/I/O Space
 *     Enable, and function BARs. Unclaimed reads return all-ones.
 *
 * Details software can observe (see fabric.c, platform.c):
 *   - Bridges are decoded from their registers at request time; nothing
 *     is cached, so reprogramming a bridge takes effect immediately.
 *   - A function on a conventional PCI bus (behind a PCIe-to-PCI or
 *     PCI-to-PCI bridge) has a 256-byte config space: requests at offset
 *     0x100 and above complete with UR (reads all-ones, as Linux's
 *     pci_cfg_space_size_ext() expects of such a function).
 *   - Setting Secondary Bus Reset in a bridge's Bridge Control resets
 *     (warm) every function below it; while the bit stays set nothing
 *     below answers. Clear it to bring the hierarchy back.
 *   - Endpoints on a root bus are Root Complex Integrated Endpoints by
 *     default (PCIe r6.2 §1.3.2.3); below a port they are Endpoints.
 *   - Root and downstream ports report Presence Detect State and Data Link
 *     Layer Link Active according to whether a device sits behind them.
 */
#ifndef PCILAB_HW_FABRIC_H
#define PCILAB_HW_FABRIC_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

#include "hw/platform/desc.h"

struct hw_platform;

/*
 * What firmware tells the OS about a host bridge (ACPI _SEG/_BBN/_CRS
 * equivalent): the kernel side may read this, nothing else of the machine.
 */
struct hw_host_bridge_info {
	uint16_t segment;
	uint8_t bus_start, bus_end;
	struct hw_desc_range mmio, mmio_pref, io;
};

/* Build the machine from a description. ERR_PTR: -EINVAL (with a message in
 * err naming the node and reason), -ENOMEM. */
struct hw_platform *hw_platform_create(const struct hw_desc_platform *desc,
				       char *err, size_t errlen);
void hw_platform_destroy(struct hw_platform *p);

unsigned int hw_platform_nr_host_bridges(const struct hw_platform *p);
/* idx in desc order; -EINVAL when idx >= hw_platform_nr_host_bridges(). */
int hw_platform_host_bridge_info(const struct hw_platform *p, unsigned int idx,
				 struct hw_host_bridge_info *info);

/*
 * What firmware tells the OS about a DMA remapping unit (the ACPI DMAR
 * table's DRHD structure, VT-d §8.3): where its register window is and
 * which devices it translates for. With include_all the unit covers every
 * device of its segment not claimed by another unit (DRHD flag
 * INCLUDE_PCI_ALL); the platform builds only such units for now.
 */
enum hw_iommu_type {
	HW_IOMMU_VTD = 1,	/* Intel VT-d remapping hardware unit */
};

struct hw_iommu_info {
	enum hw_iommu_type type;
	uint64_t base;		/* register window (MMIO, hw_mmio_*) */
	uint64_t size;		/* bytes: 4 KiB */
	uint16_t segment;
	bool include_all;
};

unsigned int hw_platform_nr_iommus(const struct hw_platform *p);
/* idx 0..nr-1, DRHD order; -EINVAL when idx >= hw_platform_nr_iommus(). */
int hw_platform_iommu_info(const struct hw_platform *p, unsigned int idx,
			   struct hw_iommu_info *info);

/*
 * System RAM, [0, hw_platform_ram_size()): the kernel side's own memory,
 * accessed like CPU loads and stores. A range not entirely inside RAM fails
 * with -EFAULT and touches nothing. hw_ram_ptr() returns a host pointer for
 * direct access (RAM is one contiguous mapping) or ERR_PTR(-EFAULT).
 */
uint64_t hw_platform_ram_size(const struct hw_platform *p);
int hw_ram_read(struct hw_platform *p, uint64_t pa, void *buf, size_t len);
int hw_ram_write(struct hw_platform *p, uint64_t pa, const void *buf, size_t len);
void *hw_ram_ptr(struct hw_platform *p, uint64_t pa, uint64_t len);

/*
 * Configuration request (ECAM-style addressing). len 1, 2 or 4, reg aligned
 * to len, reg < 4096, else -EINVAL (nothing is sent). A request that
 * completes with UR is not an error: *val is all-ones (reads) or the write
 * is dropped, and the function returns 0 with *ur set if ur is non-NULL.
 */
int hw_cfg_read(struct hw_platform *p, uint16_t seg, uint8_t bus, uint8_t devfn,
		uint16_t reg, unsigned int len, uint32_t *val);
int hw_cfg_write(struct hw_platform *p, uint16_t seg, uint8_t bus, uint8_t devfn,
		 uint16_t reg, unsigned int len, uint32_t val);

/* CPU memory / port I/O request. len 1, 2, 4 or 8 (I/O: up to 4), aligned.
 * Memory requests reach an IOMMU's register window first (see
 * hw_platform_iommu_info()), then the host-bridge apertures.
 * Unclaimed: reads fill all-ones; returns 0 either way (-EINVAL for a bad
 * len/alignment). */
int hw_mmio_read(struct hw_platform *p, uint64_t addr, void *buf, unsigned int len);
int hw_mmio_write(struct hw_platform *p, uint64_t addr, const void *buf, unsigned int len);
int hw_io_read(struct hw_platform *p, uint32_t port, void *buf, unsigned int len);
int hw_io_write(struct hw_platform *p, uint32_t port, const void *buf, unsigned int len);

/*
 * Interrupts. A function signals with a Message Signalled Interrupt, a
 * DWORD memory write upstream (PCIe r6.2 §6.1.4). The root complex claims
 * writes to the x86 interrupt address range 0xFEE00000-0xFEEFFFFF (Intel
 * SDM Vol. 3A §11.11.1: address bits 19:12 Destination ID; data bits 7:0
 * vector) and hands (destination, vector) to the handler the OS registered
 * here, as a local APIC dispatches through the IDT. The handler runs
 * synchronously, in the context of the hardware event that raised it; it
 * may issue config and MMIO requests. With no handler, or a vector below
 * 16 (reserved by the architecture), the message is dropped. No interrupt
 * remapping. NULL fn unregisters; -EBUSY if another handler is set.
 */
typedef void (*hw_irq_handler_fn)(void *arg, uint32_t dest, uint8_t vector);
int hw_platform_set_irq_handler(struct hw_platform *p, hw_irq_handler_fn fn, void *arg);
/* x86 MSI address: 0xFEE00000 | Destination ID << 12 (physical mode). */
#define HW_MSI_ADDR_BASE	0xfee00000u
#define HW_MSI_ADDR_MASK	0xfff00000u
#define HW_MSI_ADDR_DEST_SHIFT	12

#endif /* PCILAB_HW_FABRIC_H */
