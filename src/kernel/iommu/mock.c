// SPDX-License-Identifier: MIT
/*
 * Mock IOMMU driver: see mock.h. Paging domains are io_pgtables; the
 * blocked and identity domains are static and shared by every device;
 * each device remembers the domain it was attached to, which is what a
 * hardware IOMMU's context entry would hold.
 */
#include <stdlib.h>

#include "base/err.h"
#include "base/fault.h"
#include "kernel/iommu/mock.h"

struct mock_dev {
	struct iommu_domain *domain;	/* attached now */
	int attach_error;		/* test hook */
};

struct mock_domain {
	struct iommu_domain domain;
	struct io_pgtable *pgt;
};

static struct mock_domain *to_mock(struct iommu_domain *d)
{
	return container_of(d, struct mock_domain, domain);
}

static int mock_attach_dev(struct iommu_domain *d, struct iommu_dev *dev)
{
	struct mock_dev *md = dev->priv;

	/* Already there (a failed group move putting devices back). */
	if (md->domain == d)
		return 0;
	if (md->attach_error)
		return md->attach_error;
	if (should_fail("iommu_mock_attach"))
		return -ENOMEM;
	md->domain = d;
	return 0;
}

static int mock_map_pages(struct iommu_domain *d, uint64_t iova, uint64_t paddr,
			  uint64_t pgsize, uint64_t pgcount, int prot, uint64_t *mapped)
{
	return io_pgtable_map_pages(to_mock(d)->pgt, iova, paddr, pgsize, pgcount, prot,
				    mapped);
}

static uint64_t mock_unmap_pages(struct iommu_domain *d, uint64_t iova, uint64_t pgsize,
				 uint64_t pgcount)
{
	return io_pgtable_unmap_pages(to_mock(d)->pgt, iova, pgsize, pgcount);
}

static uint64_t mock_iova_to_phys(struct iommu_domain *d, uint64_t iova)
{
	uint64_t paddr;
	int prot;

	if (!io_pgtable_lookup(to_mock(d)->pgt, iova, &paddr, &prot))
		return 0;
	return paddr;
}

static void mock_domain_free(struct iommu_domain *d)
{
	struct mock_domain *md = to_mock(d);

	io_pgtable_free(md->pgt);
	free(md);
}

static const struct iommu_domain_ops mock_paging_ops = {
	.attach_dev = mock_attach_dev,
	.map_pages = mock_map_pages,
	.unmap_pages = mock_unmap_pages,
	.iova_to_phys = mock_iova_to_phys,
	.free = mock_domain_free,
};

static const struct iommu_domain_ops mock_static_ops = {
	.attach_dev = mock_attach_dev,
};

static struct iommu_domain mock_blocked = {
	.type = IOMMU_DOMAIN_BLOCKED,
	.owner = &iommu_mock_ops,
	.ops = &mock_static_ops,
	.is_static = true,
};

static struct iommu_domain mock_identity = {
	.type = IOMMU_DOMAIN_IDENTITY,
	.owner = &iommu_mock_ops,
	.ops = &mock_static_ops,
	.is_static = true,
};

static struct iommu_domain *mock_domain_alloc_paging(struct iommu_dev *dev)
{
	struct mock_domain *md = pl_zalloc(sizeof(*md));
	struct io_pgtable *pgt;

	if (!md)
		return ERR_PTR(-ENOMEM);
	pgt = io_pgtable_alloc();
	if (IS_ERR(pgt)) {
		free(md);
		return (struct iommu_domain *)(void *)pgt;	/* same ERR_PTR */
	}
	md->pgt = pgt;
	md->domain.ops = &mock_paging_ops;
	md->domain.pgsize_bitmap = IO_PGTABLE_PGSIZES;
	md->domain.geometry.aperture_start = 0;
	md->domain.geometry.aperture_end = IOMMU_MOCK_APERTURE_END;
	md->domain.geometry.force_aperture = true;
	return &md->domain;
}

static int mock_probe_device(struct iommu_dev *dev)
{
	struct mock_dev *md = pl_zalloc(sizeof(*md));

	if (!md)
		return -ENOMEM;
	dev->priv = md;
	return 0;
}

static void mock_release_device(struct iommu_dev *dev)
{
	free(dev->priv);
	dev->priv = NULL;
}

static bool mock_capable(struct iommu_dev *dev, enum iommu_cap cap)
{
	return cap == IOMMU_CAP_CACHE_COHERENCY;
}

const struct iommu_ops iommu_mock_ops = {
	.name = "mock",
	.capable = mock_capable,
	.probe_device = mock_probe_device,
	.release_device = mock_release_device,
	.domain_alloc_paging = mock_domain_alloc_paging,
	.blocked_domain = &mock_blocked,
	.identity_domain = &mock_identity,
	.pgsize_bitmap = IO_PGTABLE_PGSIZES,
};

struct iommu_domain *iommu_mock_dev_domain(const struct iommu_dev *dev)
{
	const struct mock_dev *md = dev->priv;

	return md ? md->domain : NULL;
}

void iommu_mock_set_attach_error(struct iommu_dev *dev, int err)
{
	struct mock_dev *md = dev->priv;

	md->attach_error = err;
}

struct io_pgtable *iommu_mock_pgtable(struct iommu_domain *d)
{
	if (!d || d->ops != &mock_paging_ops)
		return NULL;
	return to_mock(d)->pgt;
}
