// SPDX-License-Identifier: MIT
/*
 * Which IOMMU group a PCI function belongs to: the rules of Linux's
 * pci_device_group() (drivers/iommu/iommu.c), written from its behaviour;
 * docs/iommu-groups.md explains them and the reason strings.
 *
 * Devices are grouped in PCI order (parents before children, lower functions
 * first), so a bridge always has its group before anything below it looks
 * for one; like Linux, the answer depends on that order.
 *
 * The group is the first existing group found while:
 *   1. walking the DMA aliases up to the root complex: a device whose
 *      requests carry a bridge's Requester ID cannot be told apart from the
 *      bridge (pci_for_each_dma_alias());
 *   2. from the last alias, climbing bridges until one whose path to the
 *      root is ACS-isolated (SV, RR, CR, UF): below a bridge without it,
 *      peer-to-peer traffic can bypass the IOMMU, so the device shares the
 *      bridge's group;
 *   3. looking at the other functions of the same slot when this function
 *      is part of a multi-function device without ACS: functions can talk
 *      to each other inside the device.
 * If none has a group, the device founds a new one.
 */
#include <stdio.h>

#include "base/err.h"
#include "kernel/iommu/iommu.h"
#include "kernel/pci/pci.h"

struct group_search {
	struct iommu_subsys *isys;
	struct pci_dev *last;		/* last alias owner seen */
	uint16_t alias;			/* its alias */
	struct iommu_group *group;	/* found, with a reference */
	uint64_t devfns[4];		/* devfns already looked at */
};

static bool test_and_set_devfn(struct group_search *s, uint8_t devfn)
{
	uint64_t bit = 1ull << (devfn & 63);
	bool was = s->devfns[devfn >> 6] & bit;

	s->devfns[devfn >> 6] |= bit;
	return was;
}

static int alias_or_group(struct pci_dev *pdev, uint16_t alias, void *data)
{
	struct group_search *s = data;

	s->last = pdev;
	s->alias = alias;
	s->group = iommu_group_get(s->isys, pdev);
	return s->group != NULL;
}

/*
 * The group of pdev, unless its devfn was looked at already (the bitmap
 * breaks alias cycles between functions). Linux also follows quirk DMA
 * aliases (dma_alias_mask) to other devices on the bus here; pcilab has no
 * such quirks, so only pdev itself is looked at.
 */
static struct iommu_group *alias_group(struct group_search *s, struct pci_dev *pdev)
{
	if (test_and_set_devfn(s, pdev->devfn))
		return NULL;
	return iommu_group_get(s->isys, pdev);
}

/* A group among the functions of pdev's slot, if they are not isolated. */
static struct iommu_group *function_alias_group(struct group_search *s,
						struct pci_dev *pdev)
{
	struct pci_dev *tmp;
	struct iommu_group *g;

	if (!pdev->multifunction || pci_acs_enabled(pdev, PCI_ACS_REQ_ISOLATION))
		return NULL;
	pci_for_each_dev(s->isys->pci, tmp) {
		if (tmp == pdev || tmp->bus != pdev->bus ||
		    PCI_SLOT(tmp->devfn) != PCI_SLOT(pdev->devfn) ||
		    pci_acs_enabled(tmp, PCI_ACS_REQ_ISOLATION))
			continue;
		g = alias_group(s, tmp);
		if (g)
			return g;
	}
	return NULL;
}

struct iommu_group *pci_device_group(struct iommu_dev *dev)
{
	struct group_search s = { .isys = dev->isys };
	struct pci_dev *pdev;
	struct pci_bus *bus;
	struct iommu_group *g;

	dev->reason[0] = '\0';

	/* 1. DMA aliases up to the root complex. */
	if (pci_for_each_dma_alias(dev->pdev, alias_or_group, &s)) {
		snprintf(dev->reason, sizeof(dev->reason),
			 "DMA aliased to %02x:%02x.%u by bridge %s",
			 s.alias >> 8, PCI_SLOT(s.alias & 0xff), PCI_FUNC(s.alias & 0xff),
			 pci_name(s.last));
		return s.group;
	}
	pdev = s.last;

	/* 2. Up to the first bridge whose path to the root is isolated. */
	for (bus = pdev->bus; !pci_is_root_bus(bus); bus = bus->parent) {
		struct pci_dev *blocker;

		if (!bus->self)
			continue;
		blocker = pci_acs_path_blocker(bus->self, NULL, PCI_ACS_REQ_ISOLATION);
		if (!blocker)
			break;
		pdev = bus->self;
		g = iommu_group_get(s.isys, pdev);
		if (g) {
			snprintf(dev->reason, sizeof(dev->reason),
				 "no ACS isolation at %s", pci_name(blocker));
			return g;
		}
	}

	/* Existing groups of pdev itself (after aliasing or climbing). */
	g = alias_group(&s, pdev);
	if (g) {
		snprintf(dev->reason, sizeof(dev->reason), "shares requester with %s",
			 pci_name(pdev));
		return g;
	}

	/* 3. Non-isolated functions of the same multi-function device. */
	g = function_alias_group(&s, pdev);
	if (g) {
		snprintf(dev->reason, sizeof(dev->reason),
			 "multi-function device %04x:%02x:%02x without ACS",
			 pci_domain_nr(pdev->bus), pdev->bus->number, PCI_SLOT(pdev->devfn));
		return g;
	}

	return iommu_group_alloc(dev->isys);
}
