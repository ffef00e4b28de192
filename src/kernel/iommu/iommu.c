// SPDX-License-Identifier: MIT
/*
 * IOMMU core: groups, domains, attach, DMA ownership (iommu.h). The
 * semantics are those of Linux's drivers/iommu/iommu.c, reimplemented:
 *   - a group moves between domains as a whole; a failed move puts every
 *     device back on the previous domain;
 *   - the "core" domains of a group are its default domain (kernel DMA)
 *     and its blocking domain (owned by a user, nothing attached yet);
 *     only from a core domain may a group be attached elsewhere;
 *   - kernel drivers (owner NULL) and users (owner set) never share a
 *     group's ownership.
 */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "kernel/iommu/iommu.h"
#include "kernel/iommu/intel/intel_iommu.h"
#include "hw/fabric/fabric.h"
#include "kernel/pci/pci.h"

/* x86 interrupt (MSI) window, never usable as DMA IOVA (Intel VT-d r5.0
 * §3.14: requests to 0xFEEx_xxxx are interrupt requests). */
#define IOMMU_MSI_BASE	0xfee00000ull
#define IOMMU_MSI_LAST	0xfeefffffull

/* ------------------------------------------------------------ groups */

struct iommu_group *iommu_group_alloc(struct iommu_subsys *isys)
{
	struct iommu_group *g = pl_zalloc(sizeof(*g));

	if (!g)
		return ERR_PTR(-ENOMEM);
	g->isys = isys;
	g->id = isys->next_group_id++;
	g->refs = 1;			/* the caller's */
	INIT_LIST_HEAD(&g->devices);
	list_add_tail(&g->node, &isys->groups);
	isys->nr_groups++;
	return g;
}

static void iommu_group_release(struct iommu_group *g)
{
	/* Domains are gone by now: the last device took them down. */
	list_del(&g->node);
	g->isys->nr_groups--;
	free(g);
}

void iommu_group_put(struct iommu_group *g)
{
	if (!g)
		return;
	if (--g->refs == 0)
		iommu_group_release(g);
}

struct iommu_dev *iommu_dev_from_pci(struct iommu_subsys *isys, const struct pci_dev *pdev)
{
	struct iommu_dev *d;

	iommu_for_each_dev(isys, d)
		if (d->pdev == pdev)
			return d;
	return NULL;
}

struct iommu_group *iommu_group_get(struct iommu_subsys *isys, const struct pci_dev *pdev)
{
	struct iommu_dev *d = iommu_dev_from_pci(isys, pdev);

	if (!d || !d->group)
		return NULL;
	d->group->refs++;
	return d->group;
}

struct iommu_group *iommu_group_by_id(struct iommu_subsys *isys, unsigned int id)
{
	struct iommu_group *g;

	iommu_for_each_group(isys, g)
		if (g->id == id)
			return g;
	return NULL;
}

/* dev joins g; takes its own reference on g. */
static void iommu_group_add_device(struct iommu_group *g, struct iommu_dev *dev)
{
	g->refs++;			/* held by dev->group */
	dev->group = g;
	list_add_tail(&dev->group_node, &g->devices);
	g->nr_devices++;
	if (g->nr_devices > 1 && !g->reason[0])
		memcpy(g->reason, dev->reason, sizeof(g->reason));
}

/* ------------------------------------------------------------ domains */

static void iommu_domain_release(struct iommu_domain *d)
{
	if (!d || d->is_static)
		return;
	iova_domain_destroy(d->iovad);
	d->iovad = NULL;
	d->ops->free(d);
}

void iommu_domain_free(struct iommu_domain *d)
{
	struct iommu_domain *parent;

	if (!d || d->is_static)
		return;
	if (d->users) {
		/* Freeing a domain a group still uses would leave the group
		 * translating through freed tables: refuse (and leak). */
		pl_err("iommu: domain freed while attached to %u group(s)", d->users);
		return;
	}
	if (d->nr_nested) {
		/* Nested domains translate through its tables (Linux: the
		 * nested HWPT holds a reference on its parent). */
		pl_err("iommu: nest parent freed with %u nested domain(s)", d->nr_nested);
		return;
	}
	parent = d->parent;
	iommu_domain_release(d);
	if (parent)
		parent->nr_nested--;
}

static struct iommu_domain *iommu_alloc_paging(const struct iommu_ops *ops,
					       struct iommu_dev *dev, unsigned int type,
					       uint32_t flags)
{
	struct iommu_domain *d;

	if (flags & ~IOMMU_PAGING_F_NEST_PARENT)
		return ERR_PTR(-EOPNOTSUPP);
	if (flags) {
		if (!ops->domain_alloc_paging_flags)
			return ERR_PTR(-EOPNOTSUPP);
		d = ops->domain_alloc_paging_flags(dev, flags);
	} else if (ops->domain_alloc_paging) {
		d = ops->domain_alloc_paging(dev);
	} else {
		return ERR_PTR(-EOPNOTSUPP);
	}
	if (IS_ERR(d))
		return d;
	if (!d)
		return ERR_PTR(-ENOMEM);
	d->type = type;
	d->owner = ops;
	d->nest_parent = flags & IOMMU_PAGING_F_NEST_PARENT;
	if (!d->pgsize_bitmap)
		d->pgsize_bitmap = ops->pgsize_bitmap;
	return d;
}

struct iommu_domain *iommu_paging_domain_alloc(struct iommu_dev *dev)
{
	return iommu_alloc_paging(dev->isys->ops, dev, IOMMU_DOMAIN_UNMANAGED, 0);
}

struct iommu_domain *iommu_paging_domain_alloc_flags(struct iommu_dev *dev, uint32_t flags)
{
	return iommu_alloc_paging(dev->isys->ops, dev, IOMMU_DOMAIN_UNMANAGED, flags);
}

struct iommu_domain *iommu_domain_alloc_nested(struct iommu_dev *dev,
					       struct iommu_domain *parent, uint32_t flags,
					       const struct iommu_user_data *user_data)
{
	const struct iommu_ops *ops = dev->isys->ops;
	struct iommu_domain *d;

	/* The order of Linux's iommufd_hwpt_nested_alloc(): data first,
	 * then driver support, then the parent. */
	if (!user_data || !user_data->len || flags)
		return ERR_PTR(-EOPNOTSUPP);
	if (!ops->domain_alloc_nested)
		return ERR_PTR(-EOPNOTSUPP);
	if (!parent || parent->type != IOMMU_DOMAIN_UNMANAGED || !parent->nest_parent ||
	    parent->owner != ops)
		return ERR_PTR(-EINVAL);
	d = ops->domain_alloc_nested(dev, parent, flags, user_data);
	if (IS_ERR(d))
		return d;
	if (!d)
		return ERR_PTR(-ENOMEM);
	d->type = IOMMU_DOMAIN_NESTED;
	d->owner = ops;
	d->parent = parent;
	parent->nr_nested++;	/* dropped when d is freed */
	return d;
}

int iommu_domain_cache_invalidate_user(struct iommu_domain *d,
				       struct iommu_user_data_array *array)
{
	if (d->type != IOMMU_DOMAIN_NESTED || !d->ops->cache_invalidate_user) {
		array->entry_num = 0;
		return -EINVAL;
	}
	return d->ops->cache_invalidate_user(d, array);
}

void *iommu_get_hw_info(struct iommu_dev *dev, uint32_t *length, uint32_t *type)
{
	const struct iommu_ops *ops = dev->isys->ops;

	if (!ops->hw_info)
		return ERR_PTR(-EOPNOTSUPP);
	return ops->hw_info(dev, length, type);
}

int __iommu_copy_struct_from_user(void *dst, const struct iommu_user_data *src,
				  unsigned int type, size_t dst_len, size_t min_len)
{
	if (!dst || !src)
		return -EINVAL;
	if (src->type != type)
		return -EINVAL;
	if (src->len < min_len || dst_len < src->len)
		return -EINVAL;
	if (!src->uptr)
		return -EFAULT;
	/* Linux's copy_struct_from_user() with usize <= ksize: the fields
	 * an older user struct lacks read as zero. */
	memcpy(dst, src->uptr, src->len);
	memset((uint8_t *)dst + src->len, 0, dst_len - src->len);
	return 0;
}

int __iommu_copy_struct_from_user_array(void *dst, const struct iommu_user_data_array *src,
					unsigned int type, unsigned int index,
					size_t dst_len, size_t min_len)
{
	struct iommu_user_data one;

	if (!src || index >= src->entry_num)
		return -EINVAL;
	if (!src->uptr)
		return -EFAULT;
	one.type = src->type;
	one.uptr = (const uint8_t *)src->uptr + src->entry_len * index;
	one.len = src->entry_len;
	return __iommu_copy_struct_from_user(dst, &one, type, dst_len, min_len);
}

/* Keep the MSI window and every host bridge aperture out of the DMA
 * API's IOVAs: a DMA address there would hit the interrupt controller or
 * a peer's MMIO before reaching the IOMMU (Linux iova_reserve_pci_windows). */
static int iommu_dma_reserve(struct iommu_subsys *isys, struct iova_domain *iovad)
{
	struct pci_host_bridge *hb;
	unsigned int w;
	int rc;

	rc = reserve_iova(iovad, iova_pfn(iovad, IOMMU_MSI_BASE), iova_pfn(iovad, IOMMU_MSI_LAST));
	if (rc)
		return rc;
	pci_for_each_host_bridge(isys->pci, hb) {
		for (w = 0; w < PCI_WIN_NR; w++) {
			const struct pci_resource *r = &hb->windows[w];

			if (!(r->flags & IORESOURCE_MEM) || !pci_resource_size(r))
				continue;
			rc = reserve_iova(iovad, iova_pfn(iovad, r->start), iova_pfn(iovad, r->end));
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* A DMA domain: paging plus an IOVA space for dma_map_*(). */
static struct iommu_domain *iommu_alloc_dma(struct iommu_subsys *isys, struct iommu_dev *dev)
{
	struct iommu_domain *d;
	struct iova_domain *iovad;
	uint64_t granule, start, last;
	int rc;

	d = iommu_alloc_paging(isys->ops, dev, IOMMU_DOMAIN_DMA, 0);
	if (IS_ERR(d))
		return d;
	granule = 1ull << pl_ffs64(d->pgsize_bitmap);
	/* Never hand out IOVA 0: a DMA address of 0 looks like a bug. */
	start = MAX(ALIGN_UP(d->geometry.aperture_start, granule), granule);
	last = ALIGN_DOWN(d->geometry.aperture_end + 1, granule) - 1;
	iovad = iova_domain_create(granule, start, last);
	if (IS_ERR(iovad)) {
		rc = (int)PTR_ERR(iovad);
		goto err_free_domain;
	}
	d->iovad = iovad;
	rc = iommu_dma_reserve(isys, iovad);
	if (rc)
		goto err_free_domain;
	return d;

err_free_domain:
	iommu_domain_release(d);
	return ERR_PTR(rc);
}

/* Largest page size for [iova, iova + size) mapping paddr, and how many. */
static uint64_t iommu_pgsize(uint64_t bitmap, uint64_t iova, uint64_t paddr,
			     uint64_t size, uint64_t *count)
{
	uint64_t sizes = bitmap, pgsize, bigger, n;

	/* Sizes not above size and to which both addresses are aligned. */
	sizes &= size >= (1ull << 63) ? ~0ull : (1ull << (pl_fls64(size) + 1)) - 1;
	if (iova | paddr)
		sizes &= (1ull << pl_ffs64(iova | paddr) << 1) - 1;
	pgsize = 1ull << pl_fls64(sizes);
	n = size / pgsize;
	/* Stop where a bigger page could start, if the addresses agree. */
	bigger = bitmap & ~((pgsize << 1) - 1);
	if (bigger) {
		uint64_t big = 1ull << pl_ffs64(bigger);

		if (!((iova ^ paddr) & (big - 1))) {
			uint64_t room = (ALIGN_UP(iova + 1, big) - iova) / pgsize;

			n = MIN(n, room);
		}
	}
	*count = n;
	return pgsize;
}

int iommu_map(struct iommu_domain *d, uint64_t iova, uint64_t paddr, uint64_t size,
	      int prot)
{
	uint64_t min, done = 0;
	int rc = 0;

	if (!(d->type & __IOMMU_DOMAIN_PAGING) || !d->ops->map_pages || !d->pgsize_bitmap)
		return -EINVAL;
	min = 1ull << pl_ffs64(d->pgsize_bitmap);
	if (!size || !IS_ALIGNED(iova | paddr | size, min) ||
	    iova + size - 1 < iova || paddr + size - 1 < paddr)
		return -EINVAL;

	while (done < size) {
		uint64_t count, mapped = 0, pgsize;

		pgsize = iommu_pgsize(d->pgsize_bitmap, iova + done, paddr + done,
				      size - done, &count);
		rc = d->ops->map_pages(d, iova + done, paddr + done, pgsize, count, prot,
				       &mapped);
		done += mapped;
		if (rc)
			break;
	}
	if (rc && done)
		iommu_unmap(d, iova, done);
	return rc;
}

uint64_t iommu_unmap(struct iommu_domain *d, uint64_t iova, uint64_t size)
{
	uint64_t min, done = 0;

	if (!(d->type & __IOMMU_DOMAIN_PAGING) || !d->ops->unmap_pages || !d->pgsize_bitmap)
		return 0;
	min = 1ull << pl_ffs64(d->pgsize_bitmap);
	if (!size || !IS_ALIGNED(iova | size, min) || iova + size - 1 < iova)
		return 0;
	while (done < size) {
		uint64_t count, pgsize, n;

		pgsize = iommu_pgsize(d->pgsize_bitmap, iova + done, iova + done,
				      size - done, &count);
		n = d->ops->unmap_pages(d, iova + done, pgsize, count);
		if (!n)
			break;
		done += n;
	}
	return done;
}

uint64_t iommu_iova_to_phys(struct iommu_domain *d, uint64_t iova)
{
	if (d->type == IOMMU_DOMAIN_IDENTITY)
		return iova;
	if (d->type == IOMMU_DOMAIN_BLOCKED || !d->ops->iova_to_phys)
		return 0;
	return d->ops->iova_to_phys(d, iova);
}

bool iommu_capable(struct iommu_dev *dev, enum iommu_cap cap)
{
	const struct iommu_ops *ops = dev->isys->ops;

	return ops->capable && ops->capable(dev, cap);
}

/* ------------------------------------------------------------ attach */

static int iommu_attach_one(struct iommu_domain *d, struct iommu_dev *dev)
{
	if (!d->ops->attach_dev)
		return -ENODEV;
	return d->ops->attach_dev(d, dev);
}

static void iommu_group_note_domain(struct iommu_group *g, struct iommu_domain *d)
{
	if (g->domain && !g->domain->is_static)
		g->domain->users--;
	if (d && !d->is_static)
		d->users++;
	g->domain = d;
}

/*
 * Move every device of g to d. On failure, devices already moved go back
 * to the group's current domain (must_succeed: keep going and park failing
 * devices on the blocking domain instead, for unwind paths).
 */
static int iommu_group_set_domain(struct iommu_group *g, struct iommu_domain *d,
				  bool must_succeed)
{
	struct iommu_dev *dev, *last;
	int rc, result = 0;

	if (g->domain == d)
		return 0;
	if (!d)
		return -EINVAL;

	iommu_group_for_each_dev(g, dev) {
		rc = iommu_attach_one(d, dev);
		if (!rc)
			continue;
		result = rc;
		if (!must_succeed)
			goto err_revert;
		if (g->blocking_domain && g->blocking_domain != d)
			(void)iommu_attach_one(g->blocking_domain, dev);
	}
	iommu_group_note_domain(g, d);
	return result;

err_revert:
	/* A driver must take back a domain it had accepted: attaching the
	 * old one again cannot fail in a well-behaved driver. */
	last = dev;
	iommu_group_for_each_dev(g, dev) {
		/* A group that had no domain yet (default domain setup)
		 * goes to the driver's blocked domain, so no device is left
		 * on the domain the caller is about to free. The device that
		 * failed goes back too (as in Linux): a driver may have
		 * blocked it on the way out. */
		struct iommu_domain *back = g->domain ? g->domain : g->isys->ops->blocked_domain;

		if (back && iommu_attach_one(back, dev))
			pl_err("iommu: %s: cannot return to its previous domain",
			       pci_name(dev->pdev));
		if (dev == last)
			break;
	}
	return result;
}

static int iommu_attach_group_locked(struct iommu_domain *d, struct iommu_group *g)
{
	if (g->domain && g->domain != g->default_domain && g->domain != g->blocking_domain)
		return -EBUSY;
	if (d->owner != g->isys->ops)
		return -EINVAL;
	return iommu_group_set_domain(g, d, false);
}

int iommu_attach_group(struct iommu_domain *d, struct iommu_group *g)
{
	return iommu_attach_group_locked(d, g);
}

static void iommu_group_set_core_domain(struct iommu_group *g)
{
	struct iommu_domain *d = g->owner ? g->blocking_domain : g->default_domain;

	if (iommu_group_set_domain(g, d, true))
		pl_err("iommu: group %u: could not return to its core domain", g->id);
}

void iommu_detach_group(struct iommu_domain *d, struct iommu_group *g)
{
	if (g->domain != d) {
		pl_warn("iommu: group %u: detaching a domain it is not attached to", g->id);
		return;
	}
	iommu_group_set_core_domain(g);
}

int iommu_group_replace_domain(struct iommu_group *g, struct iommu_domain *d)
{
	if (!d)
		return -EINVAL;
	if (d->owner != g->isys->ops)
		return -EINVAL;
	return iommu_group_set_domain(g, d, false);
}

int iommu_attach_device(struct iommu_domain *d, struct iommu_dev *dev)
{
	if (!dev->group)
		return -ENODEV;
	if (dev->group->nr_devices != 1)
		return -EINVAL;
	return iommu_attach_group_locked(d, dev->group);
}

void iommu_detach_device(struct iommu_domain *d, struct iommu_dev *dev)
{
	if (!dev->group || dev->group->nr_devices != 1 || dev->group->domain != d) {
		pl_warn("iommu: detach_device with a domain the device does not use");
		return;
	}
	iommu_group_set_core_domain(dev->group);
}

struct iommu_domain *iommu_get_domain_for_dev(struct iommu_dev *dev)
{
	return dev->group ? dev->group->domain : NULL;
}

/* ------------------------------------------------------------ ownership */

int iommu_device_use_default_domain(struct iommu_dev *dev)
{
	struct iommu_group *g = dev->group;

	if (!g)
		return 0;
	if (!g->default_domain)
		return -EAGAIN;	/* Linux: -EPROBE_DEFER */
	if (g->owner_cnt &&
	    (g->domain != g->default_domain || g->owner))
		return -EBUSY;
	g->owner_cnt++;
	return 0;
}

void iommu_device_unuse_default_domain(struct iommu_dev *dev)
{
	struct iommu_group *g = dev->group;

	if (!g)
		return;
	if (!g->owner_cnt || g->owner) {
		pl_warn("iommu: unbalanced unuse_default_domain on %s", pci_name(dev->pdev));
		return;
	}
	g->owner_cnt--;
}

static int iommu_alloc_blocking(struct iommu_group *g)
{
	const struct iommu_ops *ops = g->isys->ops;
	struct iommu_domain *d;

	if (g->blocking_domain)
		return 0;
	if (ops->blocked_domain) {
		g->blocking_domain = ops->blocked_domain;
		return 0;
	}
	/* A driver without a blocked domain: an empty paging domain blocks
	 * every DMA just as well. */
	d = iommu_alloc_paging(ops, list_first_entry(&g->devices, struct iommu_dev, group_node),
			       IOMMU_DOMAIN_UNMANAGED, 0);
	if (IS_ERR(d))
		return (int)PTR_ERR(d);
	g->blocking_domain = d;
	return 0;
}

static int iommu_take_ownership(struct iommu_group *g, const void *owner)
{
	int rc;

	if (g->domain && g->domain != g->default_domain)
		return -EBUSY;
	rc = iommu_alloc_blocking(g);
	if (rc)
		return rc;
	rc = iommu_group_set_domain(g, g->blocking_domain, false);
	if (rc)
		return rc;
	g->owner = owner;
	g->owner_cnt++;
	return 0;
}

int iommu_group_claim_dma_owner(struct iommu_group *g, const void *owner)
{
	if (!owner)
		return -EINVAL;
	if (g->owner_cnt)
		return -EPERM;
	return iommu_take_ownership(g, owner);
}

int iommu_device_claim_dma_owner(struct iommu_dev *dev, const void *owner)
{
	struct iommu_group *g = dev->group;

	if (!owner)
		return -EINVAL;
	if (!g)
		return -ENODEV;
	if (g->owner_cnt) {
		if (g->owner != owner)
			return -EPERM;
		g->owner_cnt++;
		return 0;
	}
	return iommu_take_ownership(g, owner);
}

static void iommu_release_ownership(struct iommu_group *g)
{
	if (!g->owner_cnt || !g->owner) {
		pl_warn("iommu: group %u: releasing ownership nobody holds", g->id);
		return;
	}
	g->owner_cnt = 0;
	g->owner = NULL;
	if (iommu_group_set_domain(g, g->default_domain, true))
		pl_err("iommu: group %u: could not return to its default domain", g->id);
}

void iommu_group_release_dma_owner(struct iommu_group *g)
{
	iommu_release_ownership(g);
}

void iommu_device_release_dma_owner(struct iommu_dev *dev)
{
	struct iommu_group *g = dev->group;

	if (g->owner_cnt > 1)
		g->owner_cnt--;
	else
		iommu_release_ownership(g);
}

bool iommu_group_dma_owner_claimed(const struct iommu_group *g)
{
	return g->owner_cnt != 0;
}

/* ------------------------------------------------------------ subsystem */

static unsigned int iommu_def_domain_type(struct iommu_group *g)
{
	const struct iommu_ops *ops = g->isys->ops;
	unsigned int type = 0, t;
	struct iommu_dev *dev;

	if (ops->def_domain_type) {
		iommu_group_for_each_dev(g, dev) {
			t = ops->def_domain_type(dev);
			if (!t)
				continue;
			if (type && t != type) {
				/* Linux: devices disagreeing fall back to DMA. */
				pl_warn("iommu: group %u: devices want different default domains",
					g->id);
				return IOMMU_DOMAIN_DMA;
			}
			type = t;
		}
	}
	return type ? type : IOMMU_DOMAIN_DMA;
}

static int iommu_setup_default_domain(struct iommu_group *g)
{
	const struct iommu_ops *ops = g->isys->ops;
	struct iommu_dev *first = list_first_entry(&g->devices, struct iommu_dev, group_node);
	unsigned int type = iommu_def_domain_type(g);
	struct iommu_domain *d;
	int rc;

	if (type == IOMMU_DOMAIN_IDENTITY && ops->identity_domain)
		d = ops->identity_domain;
	else
		d = iommu_alloc_dma(g->isys, first);
	if (IS_ERR(d))
		return (int)PTR_ERR(d);
	rc = iommu_group_set_domain(g, d, false);
	if (rc) {
		iommu_domain_release(d);
		return rc;
	}
	g->default_domain = d;
	return 0;
}

/* Undo everything one device did; drops its group reference. */
static void iommu_dev_release(struct iommu_dev *dev)
{
	const struct iommu_ops *ops = dev->isys->ops;
	struct iommu_group *g = dev->group;

	/* The driver lets go of the device's domain before the last device
	 * of the group takes the domains down (iommu_ops.release_device). */
	if (dev->priv && ops->release_device)
		ops->release_device(dev);
	if (g) {
		list_del(&dev->group_node);
		g->nr_devices--;
		if (!g->nr_devices) {
			/* Last one out takes the group's domains down. */
			iommu_group_note_domain(g, NULL);
			if (g->blocking_domain != g->default_domain)
				iommu_domain_release(g->blocking_domain);
			iommu_domain_release(g->default_domain);
			g->blocking_domain = g->default_domain = NULL;
		}
		dev->group = NULL;
		iommu_group_put(g);	/* dev's reference */
	}
	list_del(&dev->sys_node);
	free(dev);
}

void iommu_subsys_destroy(struct iommu_subsys *isys)
{
	struct iommu_group *g, *gtmp;

	if (!isys)
		return;
	/* Devices in reverse PCI order: children leave before bridges. */
	while (!list_empty(&isys->devices))
		iommu_dev_release(list_last_entry(&isys->devices, struct iommu_dev, sys_node));
	/* Groups someone still holds a reference to, or never populated. */
	list_for_each_entry_safe(g, gtmp, &isys->groups, node) {
		if (g->refs)
			pl_warn("iommu: group %u still referenced at teardown", g->id);
		iommu_group_release(g);
	}
	if (isys->inited && isys->ops->fini)
		isys->ops->fini(isys);
	free(isys);
}

/*
 * Firmware decides, as the DMAR table does for Linux: a platform that
 * describes remapping units gets the VT-d driver, one without gets the
 * software mock (docs/vtd-driver.md, "Driver selection").
 */
static const struct iommu_ops *iommu_pick_driver(struct pci_subsys *pci)
{
	if (hw_platform_nr_iommus(pci->hw) > 0)
		return &intel_iommu_ops;
	return &iommu_mock_ops;
}

static int iommu_probe_one(struct iommu_subsys *isys, struct pci_dev *pdev)
{
	const struct iommu_ops *ops = isys->ops;
	struct iommu_group *g;
	struct iommu_dev *dev;
	int rc;

	dev = pl_zalloc(sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->isys = isys;
	dev->pdev = pdev;
	dev->dma_mask = 0xffffffffull;	/* PCI default: 32-bit DMA */
	INIT_LIST_HEAD(&dev->group_node);
	/* On the device list from now on, so the destroy path finds it. */
	list_add_tail(&dev->sys_node, &isys->devices);

	if (ops->probe_device) {
		rc = ops->probe_device(dev);
		if (rc == -ENODEV) {
			/* Not behind any IOMMU: DMA untranslated, no group. */
			iommu_dev_release(dev);
			return 0;
		}
		if (rc)
			return rc;
	}
	g = ops->device_group ? ops->device_group(dev) : pci_device_group(dev);
	if (IS_ERR(g))
		return (int)PTR_ERR(g);
	iommu_group_add_device(g, dev);
	iommu_group_put(g);		/* device_group's reference */
	return 0;
}

struct iommu_subsys *iommu_subsys_create(struct pci_subsys *pci,
					 const struct iommu_ops *ops)
{
	struct iommu_subsys *isys;
	struct iommu_group *g;
	struct pci_dev *pdev;
	int rc;

	isys = pl_zalloc(sizeof(*isys));
	if (!isys)
		return ERR_PTR(-ENOMEM);
	isys->pci = pci;
	isys->ops = ops ? ops : iommu_pick_driver(pci);
	INIT_LIST_HEAD(&isys->groups);
	INIT_LIST_HEAD(&isys->devices);

	/* With an IOMMU present, Linux enables ACS on every port as it
	 * enumerates (pci_request_acs()); grouping then reads it back. */
	rc = pci_enable_acs_all(pci, false);
	if (rc)
		goto err_destroy;
	if (isys->ops->init) {
		rc = isys->ops->init(isys);
		if (rc == -ENODEV && !ops) {
			/* No unit the driver can run (e.g. no scalable mode):
			 * carry on without hardware remapping, on the mock. */
			pl_warn("DMAR: no usable remapping unit, using the software IOMMU");
			isys->ops = &iommu_mock_ops;
			rc = isys->ops->init ? isys->ops->init(isys) : 0;
		}
		if (rc)
			goto err_destroy;
		isys->inited = true;
	}

	pci_for_each_dev(pci, pdev) {
		rc = iommu_probe_one(isys, pdev);
		if (rc)
			goto err_destroy;
	}
	iommu_for_each_group(isys, g) {
		rc = iommu_setup_default_domain(g);
		if (rc)
			goto err_destroy;
	}
	return isys;

err_destroy:
	iommu_subsys_destroy(isys);
	return ERR_PTR(rc);
}
