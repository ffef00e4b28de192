/* SPDX-License-Identifier: MIT */
/*
 * kernel/pci: the kernel's view of the PCI hierarchy, organised like Linux's
 * PCI core (drivers/pci/probe.c, setup-bus.c). Everything here is learned
 * through configuration requests (hw/fabric/fabric.h) and firmware's host
 * bridge description; nothing reaches into the device models.
 *
 * Object shape: a pci_subsys owns its host bridges; a host bridge owns its
 * root bus; a bus owns the pci_devs on it and the child buses behind its
 * bridges; a bridge pci_dev points at the bus behind it (subordinate), which
 * points back at it (self). Every pci_dev is also on the subsystem-wide list,
 * kept sorted by (domain, bus, devfn), which is lspci's order.
 *
 * pci_subsys_create() scans and assigns everything in one go: bus numbers,
 * BARs, bridge windows, decode enables. What could not be done (bus numbers
 * exhausted, a BAR that does not fit) is recorded as a pci_problem and
 * logged; the rest of the hierarchy keeps working.
 *
 * Not thread-safe: the platform runs on one event loop.
 */
#ifndef PCILAB_KERNEL_PCI_H
#define PCILAB_KERNEL_PCI_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/pci_regs.h>

#include "base/compiler.h"
#include "base/list.h"

struct hw_platform;

/* devfn encoding (as Linux's uapi linux/pci.h, which we do not include). */
#ifndef PCI_DEVFN
#define PCI_DEVFN(slot, func)	((((slot) & 0x1f) << 3) | ((func) & 0x07))
#define PCI_SLOT(devfn)		(((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn)		((devfn) & 0x07)
#endif

/* Class codes (base << 8 | sub), PCI Code and ID Assignment r1.16 §1. */
#define PCI_CLASS_BRIDGE_HOST	0x0600
#define PCI_CLASS_BRIDGE_PCI	0x0604

/* Resource flags, with Linux's values (include/linux/ioport.h). */
#define IORESOURCE_IO		0x00000100ul
#define IORESOURCE_MEM		0x00000200ul
#define IORESOURCE_PREFETCH	0x00002000ul	/* no side effects */
#define IORESOURCE_READONLY	0x00004000ul	/* expansion ROM */
#define IORESOURCE_SIZEALIGN	0x00040000ul	/* alignment = size (BARs) */
#define IORESOURCE_STARTALIGN	0x00080000ul	/* alignment = start (windows) */
#define IORESOURCE_MEM_64	0x00100000ul	/* 64-bit addressable */
#define IORESOURCE_DISABLED	0x10000000ul	/* window not in use */
#define IORESOURCE_UNSET	0x20000000ul	/* no address assigned */
#define IORESOURCE_TYPE_BITS	(IORESOURCE_IO | IORESOURCE_MEM)

/*
 * An address range a function decodes or a bridge forwards. [start, end]
 * inclusive, like Linux's struct resource. An unassigned BAR has
 * IORESOURCE_UNSET with start = 0 and end = size - 1, so its size is always
 * end - start + 1. flags == 0: the slot is not implemented.
 */
struct pci_resource {
	uint64_t start, end;
	unsigned long flags;
	/* Internal to resource assignment (setup-bus.c). */
	uint64_t align;			/* required alignment (BAR: its size) */
	unsigned int state;		/* PCI_RES_* */
};

/* pci_resource.state */
#define PCI_RES_FW		BIT(0)	/* firmware left an address in it */
#define PCI_RES_FIXED		BIT(1)	/* address claimed: kept as is */
#define PCI_RES_FAILED		BIT(2)	/* could not be assigned (reported) */
#define PCI_RES_FALLBACK	BIT(3)	/* 64-bit pref placed in a non-pref window */
#define PCI_RES_UNUSED		BIT(4)	/* window the path cannot use */
#define PCI_RES_HOST64		BIT(5)	/* non-pref 64-bit BAR that firmware put
					 * in the host's 64-bit window (root bus) */

/* 0 for an unimplemented resource or a disabled (empty) window. */
static inline uint64_t pci_resource_size(const struct pci_resource *r)
{
	if (!r->flags || (r->flags & IORESOURCE_DISABLED))
		return 0;
	return r->end - r->start + 1;
}

/* Resource indices of a pci_dev, as in Linux (include/linux/pci.h). */
enum {
	PCI_STD_RESOURCES = 0,
	PCI_STD_RESOURCE_END = PCI_STD_RESOURCES + PCI_STD_NUM_BARS - 1,
	PCI_ROM_RESOURCE,
	PCI_IOV_RESOURCES,		/* reserved for SR-IOV VF BARs */
	PCI_IOV_RESOURCE_END = PCI_IOV_RESOURCES + PCI_STD_NUM_BARS - 1,
	PCI_BRIDGE_RESOURCES,
	PCI_BRIDGE_IO_WINDOW = PCI_BRIDGE_RESOURCES,
	PCI_BRIDGE_MEM_WINDOW,
	PCI_BRIDGE_PREF_MEM_WINDOW,
	PCI_NUM_RESOURCES,
};

/* A bus's windows, in the order of bridge resources. */
enum pci_win {
	PCI_WIN_IO,
	PCI_WIN_MEM,
	PCI_WIN_PREF,
	PCI_WIN_NR,
};

struct pci_subsys;
struct pci_bus;
struct pci_irq_domain;

struct pci_dev {
	struct list_head bus_list;	/* in bus->devices, by devfn */
	struct list_head sys_list;	/* in sys->devices, by (domain, bus, devfn) */
	struct pci_bus *bus;		/* bus this function sits on */
	struct pci_bus *subordinate;	/* bridges: bus behind it, NULL when
					 * it could not be scanned */
	uint8_t devfn;
	uint16_t vendor, device;
	uint32_t class;			/* base << 16 | sub << 8 | prog-if */
	uint8_t revision;
	uint8_t hdr_type;		/* PCI_HEADER_TYPE_NORMAL/BRIDGE (bit 7 masked) */
	uint8_t pcie_cap;		/* PCI Express Capability offset, 0: none */
	uint8_t pcie_type;		/* PCI_EXP_TYPE_*, when pcie_cap */
	bool multifunction;
	bool is_ari;			/* reached through ARI (bus->self forwards ARI) */
	bool ari_enabled;		/* bridges: ARI Forwarding Enable set by us */
	bool io_window, pref_window, pref_64;	/* bridges: windows implemented */
	unsigned int cfg_size;		/* 256 or 4096 */
	struct pci_resource resource[PCI_NUM_RESOURCES];
	char name[16];			/* "0000:00:1c.0" */
};

struct pci_bus {
	struct list_head node;		/* in parent->children */
	struct pci_host_bridge *host;
	struct pci_bus *parent;		/* NULL for a root bus */
	struct pci_dev *self;		/* upstream bridge, NULL for a root bus */
	struct list_head children;	/* struct pci_bus */
	struct list_head devices;	/* struct pci_dev, by devfn */
	uint8_t number;			/* secondary bus number */
	uint8_t primary;		/* bus number of the upstream side */
	uint8_t busn_start, busn_end;	/* [secondary, subordinate] */
	bool no_ext_cfg;		/* conventional PCI: 256-byte config space */
	/* IO, MEM, PREF windows: host apertures (root bus) or the bridge's
	 * window resources. A pointer to a resource with flags 0: none. */
	struct pci_resource *window[PCI_WIN_NR];
	/* Internal to setup-bus.c. */
	bool pref_ok;			/* 64-bit pref window usable on this path */
	uint64_t avail[PCI_WIN_NR];	/* largest aperture reachable, per window */
};

/* Firmware's description of one host bridge (ACPI _SEG/_BBN/_CRS). */
struct pci_host_bridge {
	struct list_head node;		/* in sys->host_bridges */
	struct pci_subsys *sys;
	unsigned int index;		/* hw_platform host bridge index */
	uint16_t segment;
	uint8_t bus_start, bus_end;
	struct pci_resource windows[PCI_WIN_NR];	/* flags 0: absent */
	struct pci_bus *bus;		/* root bus */
};

/* Something enumeration or resource assignment could not do. */
struct pci_problem {
	struct list_head node;		/* in sys->problems, in order found */
	char dev[24];			/* pci_name() or "pci_bus 0000:00" */
	char msg[200];
};

struct pci_subsys {
	struct hw_platform *hw;		/* not owned */
	struct list_head host_bridges;	/* struct pci_host_bridge */
	struct list_head devices;	/* struct pci_dev, sorted */
	struct list_head problems;	/* struct pci_problem */
	unsigned int nr_problems;
	/* MSI/MSI-X vectors and handlers (msi.c); NULL until first used. */
	struct pci_irq_domain *irq;
};

/*
 * Enumerate every host bridge of hw and assign bus numbers and resources.
 * ERR_PTR(-ENOMEM); -EIO if firmware's description cannot be read. Problems
 * found on the way are not errors: see pci_subsys_for_each_problem().
 */
struct pci_subsys *pci_subsys_create(struct hw_platform *hw);
void pci_subsys_destroy(struct pci_subsys *sys);

/* Every function, in (domain, bus, devfn) order. */
#define pci_for_each_dev(sys, dev) \
	list_for_each_entry(dev, &(sys)->devices, sys_list)
#define pci_subsys_for_each_problem(sys, p) \
	list_for_each_entry(p, &(sys)->problems, node)
#define pci_for_each_host_bridge(sys, hb) \
	list_for_each_entry(hb, &(sys)->host_bridges, node)

struct pci_dev *pci_get_domain_bus_and_slot(struct pci_subsys *sys, int domain,
					    unsigned int bus, unsigned int devfn);

static inline const char *pci_name(const struct pci_dev *dev)
{
	return dev->name;
}

static inline int pci_domain_nr(const struct pci_bus *bus)
{
	return bus->host->segment;
}

/* Bus numbers: a bus's own number and the last bus below it. */
static inline uint8_t pci_bus_secondary(const struct pci_bus *bus)
{
	return bus->busn_start;
}

static inline uint8_t pci_bus_subordinate(const struct pci_bus *bus)
{
	return bus->busn_end;
}

/* The bus behind a bridge, or NULL (not a bridge, or not scanned). */
static inline struct pci_bus *pci_dev_subordinate(const struct pci_dev *dev)
{
	return dev->subordinate;
}

static inline bool pci_is_bridge(const struct pci_dev *dev)
{
	return dev->hdr_type == PCI_HEADER_TYPE_BRIDGE;
}

static inline bool pci_is_pcie(const struct pci_dev *dev)
{
	return dev->pcie_cap != 0;
}

/*
 * Configuration access, 0 or -errno: -EINVAL when where is not aligned to
 * the access size or the access leaves the function's config space
 * (Linux's PCIBIOS_BAD_REGISTER_NUMBER); reads then return all-ones. A
 * request the hardware completes with Unsupported Request reads all-ones
 * and succeeds, as on real hardware.
 */
int pci_read_config_byte(const struct pci_dev *dev, int where, uint8_t *val);
int pci_read_config_word(const struct pci_dev *dev, int where, uint16_t *val);
int pci_read_config_dword(const struct pci_dev *dev, int where, uint32_t *val);
int pci_write_config_byte(const struct pci_dev *dev, int where, uint8_t val);
int pci_write_config_word(const struct pci_dev *dev, int where, uint16_t val);
int pci_write_config_dword(const struct pci_dev *dev, int where, uint32_t val);

/* Same, addressed by bus and devfn (used before a pci_dev exists). */
int pci_bus_read_config(const struct pci_bus *bus, unsigned int devfn, int where,
			unsigned int len, uint32_t *val);
int pci_bus_write_config(const struct pci_bus *bus, unsigned int devfn, int where,
			 unsigned int len, uint32_t val);

/* Capability offset or 0 (PCI r3.0 §6.7, PCIe r6.2 §7.6). */
uint8_t pci_find_capability(const struct pci_dev *dev, int cap);
uint8_t pci_find_next_capability(const struct pci_dev *dev, uint8_t pos, int cap);
uint16_t pci_find_ext_capability(const struct pci_dev *dev, int cap);
uint16_t pci_find_next_ext_capability(const struct pci_dev *dev, uint16_t start, int cap);

/*
 * Format a resource the way Linux's %pR does: "[mem 0xfe000000-0xfe0fffff
 * 64bit pref]", or "[mem size 0x40000000 64bit pref]" when unassigned.
 */
const char *pci_resource_str(const struct pci_resource *r, char *buf, size_t len);
/* "BAR 0", "ROM", "bridge window" (Linux's pci_resource_name()). */
const char *pci_resource_name(const struct pci_dev *dev, unsigned int idx);

/* ------------------------------------------------ topology helpers */

static inline bool pci_is_root_bus(const struct pci_bus *bus)
{
	return bus->parent == NULL;
}

/* The bridge above dev, or NULL on a root bus. */
static inline struct pci_dev *pci_upstream_bridge(const struct pci_dev *dev)
{
	return dev->bus->self;
}

/* Requester ID: bus << 8 | devfn (PCIe r6.2 §2.2.6.2). */
static inline uint16_t pci_dev_id(const struct pci_dev *dev)
{
	return (uint16_t)(dev->bus->number << 8 | dev->devfn);
}

/*
 * Call fn for each Requester ID dev's DMA may carry at the root complex:
 * its own, then one per bridge that takes ownership of its requests
 * (search.c). fn's pci_dev is the device owning that alias. A non-zero
 * return from fn stops the walk and is returned.
 */
int pci_for_each_dma_alias(struct pci_dev *dev,
			   int (*fn)(struct pci_dev *dev, uint16_t alias, void *data),
			   void *data);

/* ------------------------------------------------ ACS (acs.c) */

/* ACS controls that isolate a function for the IOMMU (Linux REQ_ACS_FLAGS). */
#define PCI_ACS_REQ_ISOLATION	(PCI_ACS_SV | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF)

/*
 * Enable the isolation controls dev's ACS capability implements (SV, RR,
 * CR, UF; plus TB if translation_blocking), as Linux does at enumeration
 * when an IOMMU asked for ACS. No ACS capability: nothing to do, 0.
 */
int pci_enable_acs(struct pci_dev *dev, bool translation_blocking);
/* pci_enable_acs() on every function of sys, stopping at the first error. */
int pci_enable_acs_all(struct pci_subsys *sys, bool translation_blocking);
/* Does dev provide the ACS controls in flags (Linux pci_acs_enabled())? */
bool pci_acs_enabled(const struct pci_dev *dev, uint16_t flags);
/* Does every device from start up to end (NULL: the root bus) provide flags? */
bool pci_acs_path_enabled(struct pci_dev *start, const struct pci_dev *end,
			  uint16_t flags);
/* The first device on that path that does not, or NULL if all do. */
struct pci_dev *pci_acs_path_blocker(struct pci_dev *start, const struct pci_dev *end,
				     uint16_t flags);

#endif /* PCILAB_KERNEL_PCI_H */
