// SPDX-License-Identifier: MIT
#include "kworld.h"

#include <stdio.h>

#include "base/log.h"

char kw_last_err[512];
unsigned int kw_nr_errs;

static void kw_sink(enum pl_log_level level, const char *msg, void *arg)
{
	(void)arg;
	if (level != PL_LOG_ERR)
		return;
	kw_nr_errs++;
	snprintf(kw_last_err, sizeof(kw_last_err), "%s", msg);
}

void kw_log_capture(void)
{
	kw_last_err[0] = '\0';
	kw_nr_errs = 0;
	pl_log_set_sink(kw_sink, NULL);
}

struct hw_desc_host_bridge *kw_host(struct hw_desc_platform *p)
{
	return kd_host_bridge(p, 0, 0xff, 0xc0000000ull, 0x20000000ull, 0x800000000ull,
			      0x100000000ull, 0x1000, 0xf000);
}

struct hw_desc_func *kw_func(struct list_head *list, enum hw_desc_kind kind, uint8_t dev,
			     uint8_t fn, uint16_t acs_caps)
{
	struct hw_desc_func *f = kd_func(list, kind, dev, fn);

	if (acs_caps) {
		struct hw_desc_cap *c = kd_cap(f, HW_DESC_CAP_ACS);

		c->u.acs.caps = acs_caps;
	}
	return f;
}

void kw_hw_pci(struct kworld *w)
{
	char err[256];

	w->hw = hw_platform_create(w->desc, err, sizeof(err));
	if (IS_ERR(w->hw))
		fail_msg("hw_platform_create: %s", err);
	w->pci = pci_subsys_create(w->hw);
	assert_false(IS_ERR(w->pci));
}

void kw_up(struct kworld *w)
{
	kw_hw_pci(w);
	w->isys = iommu_subsys_create(w->pci, w->ops ? w->ops : &iommu_mock_ops);
	if (IS_ERR(w->isys))
		fail_msg("iommu_subsys_create: %ld", PTR_ERR(w->isys));
}

void kw_up_default(struct kworld *w)
{
	char err[256];

	w->desc = hw_desc_default(err, sizeof(err));
	if (IS_ERR(w->desc))
		fail_msg("hw_desc_default: %s", err);
	w->desc_default = true;
	kw_up(w);
}

void kw_down(struct kworld *w)
{
	pl_log_set_sink(NULL, NULL);
	if (w->isys && !IS_ERR(w->isys))
		iommu_subsys_destroy(w->isys);
	if (w->pci && !IS_ERR(w->pci))
		pci_subsys_destroy(w->pci);
	if (w->hw && !IS_ERR(w->hw))
		hw_platform_destroy(w->hw);
	if (w->desc_default)
		hw_desc_free(w->desc);
	else
		kd_free(w->desc);
}

struct pci_dev *kw_pci(struct kworld *w, unsigned int bus, unsigned int dev, unsigned int fn)
{
	struct pci_dev *p = pci_get_domain_bus_and_slot(w->pci, 0, bus, PCI_DEVFN(dev, fn));

	if (!p)
		fail_msg("no PCI function 00:%02x:%02x.%u", bus, dev, fn);
	return p;
}

struct iommu_dev *kw_dev(struct kworld *w, unsigned int bus, unsigned int dev, unsigned int fn)
{
	struct iommu_dev *d = iommu_dev_from_pci(w->isys, kw_pci(w, bus, dev, fn));

	assert_non_null(d);
	return d;
}

struct iommu_group *kw_group(struct kworld *w, unsigned int bus, unsigned int dev,
			     unsigned int fn)
{
	struct iommu_dev *d = kw_dev(w, bus, dev, fn);

	assert_non_null(d->group);
	return d->group;
}

struct pci_dev *kw_find(struct kworld *w, uint16_t vendor, uint16_t device)
{
	struct pci_dev *p;

	pci_for_each_dev(w->pci, p)
		if (p->vendor == vendor && p->device == device)
			return p;
	fail_msg("no function %04x:%04x", vendor, device);
	return NULL;
}

struct iommu_group *kw_group_of(struct kworld *w, const struct pci_dev *pdev)
{
	struct iommu_dev *d = iommu_dev_from_pci(w->isys, pdev);

	assert_non_null(d);
	assert_non_null(d->group);
	return d->group;
}

uint32_t kw_reg32(struct kworld *w, uint64_t off)
{
	struct hw_iommu_info info;
	uint32_t v = 0;

	assert_ok(hw_platform_iommu_info(w->hw, 0, &info));
	assert_ok(hw_mmio_read(w->hw, info.base + off, &v, 4));
	return v;
}

uint64_t kw_reg64(struct kworld *w, uint64_t off)
{
	struct hw_iommu_info info;
	uint64_t v = 0;

	assert_ok(hw_platform_iommu_info(w->hw, 0, &info));
	assert_ok(hw_mmio_read(w->hw, info.base + off, &v, 8));
	return v;
}
