// SPDX-License-Identifier: MIT
/*
 * PCI core objects: subsystem, host bridges, buses, functions, problems.
 * No hardware access here (see pci_internal.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "kernel/pci/msi.h"
#include "kernel/pci/pci_internal.h"

struct pci_subsys *pci_subsys_alloc(struct hw_platform *hw)
{
	struct pci_subsys *sys = pl_zalloc(sizeof(*sys));

	if (!sys)
		return NULL;
	sys->hw = hw;
	INIT_LIST_HEAD(&sys->host_bridges);
	INIT_LIST_HEAD(&sys->devices);
	INIT_LIST_HEAD(&sys->problems);
	return sys;
}

static void pci_bus_free(struct pci_bus *bus)
{
	struct pci_bus *child, *ntmp;
	struct pci_dev *dev, *dtmp;

	list_for_each_entry_safe(child, ntmp, &bus->children, node) {
		list_del(&child->node);
		pci_bus_free(child);
	}
	list_for_each_entry_safe(dev, dtmp, &bus->devices, bus_list) {
		list_del(&dev->bus_list);
		list_del(&dev->sys_list);
		free(dev);
	}
	free(bus);
}

void pci_subsys_free(struct pci_subsys *sys)
{
	struct pci_host_bridge *hb, *htmp;
	struct pci_problem *p, *ptmp;

	if (!sys)
		return;
	pci_irq_domain_free(sys);
	list_for_each_entry_safe(hb, htmp, &sys->host_bridges, node) {
		list_del(&hb->node);
		if (hb->bus)
			pci_bus_free(hb->bus);
		free(hb);
	}
	list_for_each_entry_safe(p, ptmp, &sys->problems, node) {
		list_del(&p->node);
		free(p);
	}
	free(sys);
}

struct pci_host_bridge *pci_host_bridge_alloc(struct pci_subsys *sys)
{
	struct pci_host_bridge *hb = pl_zalloc(sizeof(*hb));

	if (!hb)
		return NULL;
	hb->sys = sys;
	list_add_tail(&hb->node, &sys->host_bridges);
	return hb;
}

struct pci_bus *pci_bus_alloc(struct pci_host_bridge *host, struct pci_bus *parent,
			      struct pci_dev *self, uint8_t number)
{
	struct pci_bus *bus = pl_zalloc(sizeof(*bus));
	int i;

	if (!bus)
		return NULL;
	bus->host = host;
	bus->parent = parent;
	bus->self = self;
	INIT_LIST_HEAD(&bus->children);
	INIT_LIST_HEAD(&bus->devices);
	bus->number = number;
	bus->busn_start = number;
	bus->busn_end = number;
	for (i = 0; i < PCI_WIN_NR; i++)
		bus->window[i] = self ? &self->resource[PCI_BRIDGE_RESOURCES + i]
				      : &host->windows[i];
	if (parent) {
		bus->primary = parent->number;
		bus->no_ext_cfg = parent->no_ext_cfg;
		list_add_tail(&bus->node, &parent->children);
		self->subordinate = bus;
	} else {
		bus->primary = number;
		INIT_LIST_HEAD(&bus->node);
		host->bus = bus;
	}
	return bus;
}

static void pci_dev_set_name(struct pci_dev *dev)
{
	snprintf(dev->name, sizeof(dev->name), "%04x:%02x:%02x.%d",
		 (unsigned int)dev->bus->host->segment, (unsigned int)dev->bus->number,
		 PCI_SLOT(dev->devfn), PCI_FUNC(dev->devfn));
}

struct pci_dev *pci_dev_alloc(struct pci_bus *bus, uint8_t devfn)
{
	struct pci_dev *dev = pl_zalloc(sizeof(*dev));

	if (!dev)
		return NULL;
	dev->bus = bus;
	dev->devfn = devfn;
	dev->cfg_size = PCI_CFG_SPACE_SIZE;
	INIT_LIST_HEAD(&dev->bus_list);
	INIT_LIST_HEAD(&dev->sys_list);
	pci_dev_set_name(dev);
	return dev;
}

static int pci_dev_cmp(const struct pci_dev *a, const struct pci_dev *b)
{
	unsigned long ka = (unsigned long)pci_domain_nr(a->bus) << 16 |
			   (unsigned long)a->bus->number << 8 | a->devfn;
	unsigned long kb = (unsigned long)pci_domain_nr(b->bus) << 16 |
			   (unsigned long)b->bus->number << 8 | b->devfn;

	return ka < kb ? -1 : ka > kb;
}

static void pci_sys_insert(struct list_head *head, struct pci_dev *dev)
{
	struct list_head *p;

	/* Walk back from the tail: devices are mostly added in order. */
	for (p = head->prev; p != head; p = p->prev) {
		if (pci_dev_cmp(list_entry(p, struct pci_dev, sys_list), dev) <= 0)
			break;
	}
	__list_add(&dev->sys_list, p, p->next);
}

void pci_dev_add(struct pci_dev *dev)
{
	struct pci_bus *bus = dev->bus;
	struct list_head *p;

	pci_dev_set_name(dev);
	for (p = bus->devices.prev; p != &bus->devices; p = p->prev) {
		if (list_entry(p, struct pci_dev, bus_list)->devfn < dev->devfn)
			break;
	}
	__list_add(&dev->bus_list, p, p->next);
	pci_sys_insert(&pci_bus_sys(bus)->devices, dev);
}

void pci_subsys_sort_devices(struct pci_subsys *sys)
{
	LIST_HEAD(sorted);
	struct pci_dev *dev, *tmp;

	list_for_each_entry_safe(dev, tmp, &sys->devices, sys_list) {
		list_del(&dev->sys_list);
		pci_dev_set_name(dev);
		pci_sys_insert(&sorted, dev);
	}
	if (list_empty(&sorted))
		return;
	/* Splice sorted back onto sys->devices. */
	sys->devices.next = sorted.next;
	sys->devices.prev = sorted.prev;
	sorted.next->prev = &sys->devices;
	sorted.prev->next = &sys->devices;
}

void pci_bus_name(const struct pci_bus *bus, char *buf, size_t len)
{
	snprintf(buf, len, "pci_bus %04x:%02x", (unsigned int)pci_domain_nr(bus),
		 (unsigned int)bus->number);
}

int pci_problem_add(struct pci_subsys *sys, const char *who, const char *fmt, ...)
{
	struct pci_problem *p;
	va_list ap;

	p = pl_zalloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	snprintf(p->dev, sizeof(p->dev), "%s", who);
	va_start(ap, fmt);
	vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
	va_end(ap);
	list_add_tail(&p->node, &sys->problems);
	sys->nr_problems++;
	/* Linux prefixes device messages with the driver name ("pci"). */
	if (strncmp(who, "pci_bus ", 8) == 0)
		pl_warn("%s: %s", who, p->msg);
	else
		pl_warn("pci %s: %s", who, p->msg);
	return 0;
}

struct pci_dev *pci_get_domain_bus_and_slot(struct pci_subsys *sys, int domain,
					    unsigned int bus, unsigned int devfn)
{
	struct pci_dev *dev;

	pci_for_each_dev(sys, dev) {
		if (pci_domain_nr(dev->bus) == domain && dev->bus->number == bus &&
		    dev->devfn == devfn)
			return dev;
	}
	return NULL;
}

const char *pci_resource_str(const struct pci_resource *r, char *buf, size_t len)
{
	bool io = r->flags & IORESOURCE_IO;
	int w = io ? 6 : 10;	/* "0x1000", "0xfe000000", as %pR pads */
	int n;

	if (r->flags & IORESOURCE_DISABLED)
		n = snprintf(buf, len, "[%s", io ? "io " : "mem");
	else if (r->flags & IORESOURCE_UNSET)
		n = snprintf(buf, len, "[%s size %#0*llx", io ? "io " : "mem", w,
			     (unsigned long long)(r->end - r->start + 1));
	else
		n = snprintf(buf, len, "[%s %#0*llx-%#0*llx", io ? "io " : "mem", w,
			     (unsigned long long)r->start, w,
			     (unsigned long long)r->end);
	if (n < 0 || (size_t)n >= len)
		return buf;
	snprintf(buf + n, len - (size_t)n, "%s%s%s]",
		 (r->flags & IORESOURCE_MEM_64) ? " 64bit" : "",
		 (r->flags & IORESOURCE_PREFETCH) ? " pref" : "",
		 (r->flags & IORESOURCE_DISABLED) ? " disabled" : "");
	return buf;
}

const char *pci_resource_name(const struct pci_dev *dev, unsigned int idx)
{
	static const char *const names[PCI_NUM_RESOURCES] = {
		"BAR 0", "BAR 1", "BAR 2", "BAR 3", "BAR 4", "BAR 5", "ROM",
		"VF BAR 0", "VF BAR 1", "VF BAR 2", "VF BAR 3", "VF BAR 4", "VF BAR 5",
		"bridge window", "bridge window", "bridge window",
	};

	if (idx >= PCI_NUM_RESOURCES)
		return "unknown";
	return names[idx];
}
