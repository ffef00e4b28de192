/* SPDX-License-Identifier: MIT */
/*
 * hw/fabric internals: the structure of the machine behind fabric.h. Used by
 * hw-side code (DMA, IOMMU, SR-IOV, hot-plug models) and tests only; the
 * kernel side never includes this header (DESIGN.md, "the one rule").
 *
 * Shape: a platform owns its host bridges; each host bridge owns a root bus;
 * a bus owns the functions in its slots; a type 1 function owns the bus
 * behind it (hw_pcidev.secondary). Nothing here caches what software can
 * program: bus numbers, windows and enables are read from the bridges'
 * registers on every request.
 */
#ifndef PCILAB_HW_FABRIC_INTERNAL_H
#define PCILAB_HW_FABRIC_INTERNAL_H

#include <stdint.h>
#include <stdbool.h>

#include "hw/fabric/fabric.h"
#include "hw/pcidev/pcidev.h"

#define HW_FABRIC_BUS_SLOTS	256	/* devfn 0..255 */

enum hw_fabric_bus_kind {
	HW_FABRIC_BUS_ROOT,		/* root bus of a host bridge: devices 0..31 */
	HW_FABRIC_BUS_LINK,		/* below a root/downstream port: device 0
					 * only unless ARI Forwarding is enabled
					 * (PCIe r6.2 §7.3.1, §6.13) */
	HW_FABRIC_BUS_INTERNAL,		/* switch-internal bus behind an upstream
					 * port: devices 0..31 */
	HW_FABRIC_BUS_CONVENTIONAL,	/* conventional PCI behind a PCIe-to-PCI or
					 * PCI-to-PCI bridge: 256-byte config space */
};

struct hw_host_bridge;
struct hw_ide_link;
struct hw_mem;
struct hw_vtd;

struct hw_fabric_bus {
	enum hw_fabric_bus_kind kind;
	struct hw_host_bridge *hb;	/* host bridge this bus descends from */
	struct hw_pcidev *bridge;	/* upstream bridge; NULL on a root bus */
	struct hw_pcidev *slots[HW_FABRIC_BUS_SLOTS];	/* by devfn; owned */
	unsigned int nr_funcs;
	/* The upstream bridge's PCI Express capability offset (0: none),
	 * taken when the bus is built: capability pointers are read-only, so
	 * routing need not walk the list per request. */
	uint16_t bridge_exp_cap;
};

/* One DMA remapping unit of the root complex. */
struct hw_platform_iommu {
	struct hw_iommu_info info;
	struct hw_vtd *vtd;		/* owned */
};

struct hw_host_bridge {
	struct hw_host_bridge_info info;
	struct hw_fabric_bus *root;	/* owned */
	struct hw_platform *platform;	/* back pointer: DMA reaches RAM */
	/* The unit translating DMA from this host bridge's segment; NULL when
	 * the platform has none (DMA goes to RAM untranslated). Borrowed. */
	struct hw_vtd *vtd;
};

struct hw_platform {
	uint64_t ram_size;
	struct hw_mem *mem;		/* system RAM at physical 0; owned */
	unsigned int nr_iommus;
	struct hw_platform_iommu *iommus;	/* array, DRHD order; owned */
	unsigned int nr_host_bridges;
	struct hw_host_bridge *host_bridges;	/* array, desc order; owned */
	/* Device security firmware state (hw/security); borrowed: owned by the
	 * functions' SPDM firmware, NULL when no function has any. */
	struct hw_security *security;
	/* IDE on the links (hw/security/ide_link.c): host ends of streams,
	 * trace hook, fault injector; lazily, NULL until used. Owned. */
	struct hw_ide_link *ide_link;
	/* Interrupt messages the root complex decodes (msi.c): the OS's
	 * handler (hw_platform_set_irq_handler()) and counters for tests. */
	struct {
		hw_irq_handler_fn fn;
		void *arg;
		unsigned long delivered, dropped;
	} irq;
};

/*
 * Visit every function of the platform, depth first: each function before
 * the bus behind it, host bridges and slots in order. Stops at and returns
 * the first non-zero value fn returns; 0 when all were visited.
 */
typedef int (*hw_fabric_visit_fn)(struct hw_pcidev *dev, void *arg);
int hw_platform_for_each_func(struct hw_platform *p, hw_fabric_visit_fn fn, void *arg);

/*
 * Same walk restricted to the hierarchy below one bus (used for Secondary
 * Bus Reset); the bus's upstream bridge itself is not visited.
 */
int hw_fabric_bus_for_each_func(struct hw_fabric_bus *bus, hw_fabric_visit_fn fn,
				void *arg);

/*
 * The function a configuration request to (seg, bus, devfn) reaches with the
 * bridges programmed as they are now, or NULL when it would complete with
 * Unsupported Request.
 */
struct hw_pcidev *hw_platform_cfg_target(struct hw_platform *p, uint16_t seg,
					 uint8_t bus, uint8_t devfn);

/*
 * The predicates below read registers as currently programmed and are
 * inline because the DMA path evaluates them for every request.
 */

/* The bus number a bus has now: the host bridge's bus_start for a root bus,
 * else the Secondary Bus Number register of its upstream bridge. */
static inline uint8_t hw_fabric_bus_number(const struct hw_fabric_bus *bus)
{
	if (!bus->bridge)
		return bus->hb->info.bus_start;
	return hw_pcidev_get8(bus->bridge, PCI_SECONDARY_BUS);
}

/* Routing ID (bus << 8 | devfn) a function uses as requester, with the bus
 * number as currently programmed (PCIe r6.2 §2.2.6.2). */
static inline uint16_t hw_fabric_func_rid(const struct hw_pcidev *dev)
{
	return (uint16_t)(hw_fabric_bus_number(dev->bus) << 8 | dev->devfn);
}

/* Secondary Bus Reset holds the secondary interface in reset while set
 * (PCI-to-PCI Bridge r1.2 §3.2.5.18, PCIe r6.2 §7.5.1.3.13): nothing below
 * answers until software clears it. */
static inline bool hw_fabric_in_sbr(const struct hw_pcidev *bridge)
{
	return hw_pcidev_get16(bridge, PCI_BRIDGE_CONTROL) & PCI_BRIDGE_CTL_BUS_RESET;
}

/* Link Disable in a port's Link Control (PCIe r6.2 §7.5.3.7) takes the link
 * down: the Downstream Port reports DL_Down and nothing below answers. */
static inline bool hw_fabric_link_disabled(const struct hw_pcidev *bridge)
{
	uint16_t cap = bridge->secondary->bridge_exp_cap;

	if (bridge->secondary->kind != HW_FABRIC_BUS_LINK)
		return false;
	return cap && (hw_pcidev_get16(bridge, cap + PCI_EXP_LNKCTL) & PCI_EXP_LNKCTL_LD);
}

/* A bridge's secondary side is cut off (Secondary Bus Reset held, or Link
 * Disable on a port): nothing crosses it in either direction. */
static inline bool hw_fabric_secondary_down(const struct hw_pcidev *bridge)
{
	return hw_fabric_in_sbr(bridge) || hw_fabric_link_disabled(bridge);
}
/* PCI segment of the host bridge a function sits below. */
uint16_t hw_fabric_func_segment(const struct hw_pcidev *dev);

/*
 * Place a realized function in a slot / take it out again (SR-IOV VFs,
 * hot-plug). attach: -EBUSY if the slot is taken. detach does not destroy.
 */
int hw_fabric_bus_attach(struct hw_fabric_bus *bus, struct hw_pcidev *dev, uint8_t devfn);
void hw_fabric_bus_detach(struct hw_pcidev *dev);

/* The VT-d model of unit idx (tests and benchmarks), or NULL. */
struct hw_vtd *hw_platform_vtd(struct hw_platform *p, unsigned int idx);
/* The platform's RAM (hw/mem.h). */
struct hw_mem *hw_platform_mem(struct hw_platform *p);

/* Internal to hw/fabric: free a bus and everything below it. */
void hw_fabric_bus_free(struct hw_fabric_bus *bus);

#endif /* PCILAB_HW_FABRIC_INTERNAL_H */
