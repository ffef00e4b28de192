/* SPDX-License-Identifier: MIT */
/*
 * kernel/pci internals shared by the files of the PCI core. Split so that
 * the pure parts (object management, resource sizing and placement) can be
 * unit-tested on synthetic trees without hardware:
 *
 *   core.c       objects, lists, problems, resource formatting   (no hw)
 *   setup-bus.c  claim firmware assignments, size windows, place (no hw)
 *   access.c     config accessors and capability walks           (hw)
 *   probe.c      bus scan, BAR sizing, bus numbers               (hw)
 *   setup-res.c  program BARs, windows and decode enables        (hw)
 *   subsys.c     pci_subsys_create/destroy                       (hw)
 */
#ifndef PCILAB_KERNEL_PCI_INTERNAL_H
#define PCILAB_KERNEL_PCI_INTERNAL_H

#include "base/compiler.h"
#include "kernel/pci/pci.h"

/* Window granularity of a PCI-to-PCI bridge (PCI-to-PCI Bridge r1.2
 * §3.2.5.6, §3.2.5.8, §3.2.5.9). */
#define PCI_BRIDGE_MEM_GRAN	(1ull << 20)
#define PCI_BRIDGE_IO_GRAN	(1ull << 12)

/* core.c */
struct pci_subsys *pci_subsys_alloc(struct hw_platform *hw);
/* Frees host bridges, buses, devices and problems. */
void pci_subsys_free(struct pci_subsys *sys);
struct pci_host_bridge *pci_host_bridge_alloc(struct pci_subsys *sys);
/* New bus under parent (NULL: root bus of host); linked into
 * parent->children or host->bus. */
struct pci_bus *pci_bus_alloc(struct pci_host_bridge *host, struct pci_bus *parent,
			      struct pci_dev *self, uint8_t number);
struct pci_dev *pci_dev_alloc(struct pci_bus *bus, uint8_t devfn);
/* Link dev on its bus and on the subsystem list (sorted); cannot fail. */
void pci_dev_add(struct pci_dev *dev);
/* Re-sort the subsystem list (after bus numbers changed). */
void pci_subsys_sort_devices(struct pci_subsys *sys);
/* Record and log a problem; -ENOMEM if it cannot be recorded. */
int pci_problem_add(struct pci_subsys *sys, const char *who, const char *fmt, ...)
	__printf(3, 4);
static inline struct pci_subsys *pci_bus_sys(const struct pci_bus *bus)
{
	return bus->host->sys;
}
/* "pci_bus 0000:05" */
void pci_bus_name(const struct pci_bus *bus, char *buf, size_t len);

/* setup-bus.c: pure resource assignment over every host bridge. */
int pci_assign_resources(struct pci_subsys *sys);

/* access.c: capability walk before a pci_dev exists. */
uint8_t pci_bus_find_capability(const struct pci_bus *bus, unsigned int devfn, int cap);

/* probe.c */
int pci_scan_host_bridge(struct pci_host_bridge *hb);

/* setup-res.c */
int pci_program_resources(struct pci_subsys *sys);

#endif /* PCILAB_KERNEL_PCI_INTERNAL_H */
