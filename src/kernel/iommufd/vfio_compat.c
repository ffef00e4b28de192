// SPDX-License-Identifier: MIT
/*
 * The VFIO type1 container emulation /dev/iommu offers (Linux drivers/
 * iommu/iommufd/vfio_compat.c): IOMMU_VFIO_IOAS picks the "compat IOAS",
 * and the VFIO container ioctls (VFIO_GET_API_VERSION, VFIO_CHECK_EXTENSION,
 * VFIO_SET_IOMMU, VFIO_IOMMU_GET_INFO, VFIO_IOMMU_MAP_DMA / UNMAP_DMA)
 * act on it. Semantics per the VFIO uAPI (<linux/vfio.h>); errnos as Linux.
 */
#include <stdlib.h>
#include <string.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "base/compiler.h"
#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "kernel/iommufd/iommufd_private.h"

static struct iommufd_ioas *get_compat_ioas(struct iommufd_ctx *ictx)
{
	return ictx->vfio_ioas ? ictx->vfio_ioas : ERR_PTR(-ENODEV);
}

int iommufd_vfio_ioas(struct iommufd_ucmd *ucmd)
{
	struct iommu_vfio_ioas *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	switch (cmd->op) {
	case IOMMU_VFIO_IOAS_GET:
		ioas = get_compat_ioas(ucmd->ictx);
		if (IS_ERR(ioas))
			return (int)PTR_ERR(ioas);
		cmd->ioas_id = ioas->obj.id;
		return iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	case IOMMU_VFIO_IOAS_SET:
		ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
		if (IS_ERR(ioas))
			return (int)PTR_ERR(ioas);
		/* Not a reference: destroying the IOAS clears it. */
		ucmd->ictx->vfio_ioas = ioas;
		return 0;
	case IOMMU_VFIO_IOAS_CLEAR:
		ucmd->ictx->vfio_ioas = NULL;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

#define offsetofend(t, m) (offsetof(t, m) + sizeof(((t *)0)->m))

static long iommufd_vfio_map_dma(struct iommufd_ctx *ictx, uint64_t arg,
				 const struct iommufd_user_mem_ops *um)
{
	const uint32_t supported = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	size_t minsz = offsetofend(struct vfio_iommu_type1_dma_map, size);
	struct vfio_iommu_type1_dma_map map;
	int prot = IOMMUFD_PROT_CACHE;
	struct iommufd_ioas *ioas;
	uint64_t iova;

	if (um->copy_from_user(um, &map, arg, minsz))
		return -EFAULT;
	if (map.argsz < minsz || (map.flags & ~supported))
		return -EINVAL;
	if (map.flags & VFIO_DMA_MAP_FLAG_READ)
		prot |= IOMMUFD_PROT_READ;
	if (map.flags & VFIO_DMA_MAP_FLAG_WRITE)
		prot |= IOMMUFD_PROT_WRITE;
	ioas = get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	/* type1 maps at the IOVA asked for; it never allocates one. */
	iova = map.iova;
	return iopt_map_user_pages(ictx, &ioas->iopt, um, &iova, map.vaddr,
				   map.size, prot, false);
}

static long iommufd_vfio_unmap_dma(struct iommufd_ctx *ictx, uint64_t arg,
				   const struct iommufd_user_mem_ops *um)
{
	size_t minsz = offsetofend(struct vfio_iommu_type1_dma_unmap, size);
	struct vfio_iommu_type1_dma_unmap unmap;
	struct iommufd_ioas *ioas;
	uint64_t unmapped = 0;
	int rc;

	if (um->copy_from_user(um, &unmap, arg, minsz))
		return -EFAULT;
	/* Dirty bitmaps on unmap are not offered (nor by Linux's compat). */
	if (unmap.argsz < minsz || (unmap.flags & ~VFIO_DMA_UNMAP_FLAG_ALL))
		return -EINVAL;
	ioas = get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	if (unmap.flags & VFIO_DMA_UNMAP_FLAG_ALL) {
		if (unmap.iova || unmap.size)
			return -EINVAL;
		rc = iopt_unmap_all(&ioas->iopt, &unmapped);
	} else {
		/*
		 * type1 (v1) may unmap part of a mapping: cut the areas at
		 * both ends of the range first. Only possible without large
		 * pages, which VFIO_SET_IOMMU(VFIO_TYPE1_IOMMU) turned off.
		 */
		if (ioas->iopt.disable_large_pages) {
			uint64_t iovas[] = { unmap.iova + unmap.size - 1,
					     unmap.iova - 1 };

			rc = iopt_cut_iova(&ioas->iopt, iovas, unmap.iova ? 2 : 1);
			if (rc)
				return rc;
		}
		rc = iopt_unmap_iova(&ioas->iopt, unmap.iova, unmap.size,
				     &unmapped);
	}
	unmap.size = unmapped;
	if (um->copy_to_user(um, arg, &unmap, minsz))
		rc = -EFAULT;
	return rc;
}

static long iommufd_vfio_check_extension(struct iommufd_ctx *ictx,
					 unsigned long type)
{
	struct iommufd_ioas *ioas;

	switch (type) {
	case VFIO_TYPE1_IOMMU:
	case VFIO_TYPE1v2_IOMMU:
	case VFIO_UNMAP_ALL:
		return 1;
	case VFIO_DMA_CC_IOMMU:
		/*
		 * Coherent only if every domain enforces cache coherency;
		 * the mock IOMMU's domains do not.
		 */
		ioas = get_compat_ioas(ictx);
		if (IS_ERR(ioas))
			return PTR_ERR(ioas);
		return ioas->iopt.nr_domains == 0;
	default:
		/* No-IOMMU mode, nesting and vaddr updates are not offered. */
		return 0;
	}
}

static long iommufd_vfio_set_iommu(struct iommufd_ctx *ictx, unsigned long type)
{
	struct iommufd_ioas *ioas;

	if (type != VFIO_TYPE1_IOMMU && type != VFIO_TYPE1v2_IOMMU)
		return -EINVAL;
	/* VFIO fails SET_IOMMU without a group: here, without a compat IOAS. */
	ioas = get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	/*
	 * type1 (v1) lets userspace unmap parts of a mapping, so it must
	 * never be mapped with pages larger than PAGE_SIZE.
	 */
	if (type == VFIO_TYPE1_IOMMU)
		return iopt_disable_large_pages(&ioas->iopt);
	return 0;
}

static uint64_t iommufd_get_pagesizes(struct iommufd_ioas *ioas)
{
	struct io_pagetable *iopt = &ioas->iopt;
	uint64_t pgsize_bitmap = UINT64_MAX;
	unsigned int i;

	for (i = 0; i < iopt->nr_domains; i++)
		pgsize_bitmap &= iopt->domains[i]->pgsize_bitmap;
	/* Sub-page sizes are reported as PAGE_SIZE, like VFIO does. */
	if (pgsize_bitmap & ~IOMMUFD_PAGE_MASK) {
		pgsize_bitmap &= IOMMUFD_PAGE_MASK;
		pgsize_bitmap |= IOMMUFD_PAGE_SIZE;
	}
	return MAX(pgsize_bitmap, iopt->iova_alignment);
}

/*
 * A capability writer gets the user address of its slot and the bytes
 * available there (0: only size it); it writes only what fits and returns
 * its full size.
 */
typedef long (*fill_cap_fn)(struct iommufd_ioas *ioas,
			    const struct iommufd_user_mem_ops *um, uint64_t cur,
			    uint64_t avail);

static long iommufd_fill_cap_dma_avail(struct iommufd_ioas *ioas,
				       const struct iommufd_user_mem_ops *um,
				       uint64_t cur, uint64_t avail)
{
	struct vfio_iommu_type1_info_dma_avail cap = {
		.header = {
			.id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL,
			.version = 1,
		},
		/* iommufd has no per-container mapping limit. */
		.avail = UINT32_MAX,
	};

	(void)ioas;
	if (avail >= sizeof(cap) && um->copy_to_user(um, cur, &cap, sizeof(cap)))
		return -EFAULT;
	return sizeof(cap);
}

static long iommufd_fill_cap_iova(struct iommufd_ioas *ioas,
				  const struct iommufd_user_mem_ops *um,
				  uint64_t cur, uint64_t avail)
{
	struct vfio_iommu_type1_info_cap_iova_range cap = {
		.header = {
			.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE,
			.version = 1,
		},
	};
	struct pl_itree *reserved = &ioas->iopt.reserved_itree;
	const uint64_t hdr = sizeof(cap);
	const uint64_t elm = sizeof(struct vfio_iova_range);
	uint64_t from = 0, hs, hl;

	while (pl_itree_find_hole(&reserved, 1, from, UINT64_MAX, &hs, &hl)) {
		struct vfio_iova_range range = { .start = hs, .end = hl };

		if (avail >= hdr + elm * (cap.nr_iovas + 1ull) &&
		    um->copy_to_user(um, cur + hdr + elm * cap.nr_iovas, &range,
				     sizeof(range)))
			return -EFAULT;
		cap.nr_iovas++;
		if (hl == UINT64_MAX)
			break;
		from = hl + 1;
	}
	if (avail >= hdr + elm * cap.nr_iovas &&
	    um->copy_to_user(um, cur, &cap, sizeof(cap)))
		return -EFAULT;
	return (long)(hdr + elm * cap.nr_iovas);
}

/*
 * VFIO_IOMMU_GET_INFO with the capability chain. argsz reports the size
 * everything needs; caps are written only where argsz leaves room, and
 * cap_offset is set only when the whole chain fit (VFIO uAPI, vfio.h).
 */
static long iommufd_vfio_iommu_get_info(struct iommufd_ctx *ictx, uint64_t arg,
					const struct iommufd_user_mem_ops *um)
{
	static const fill_cap_fn fill_fns[] = {
		iommufd_fill_cap_dma_avail,
		iommufd_fill_cap_iova,
	};
	size_t minsz = offsetofend(struct vfio_iommu_type1_info, iova_pgsizes);
	struct vfio_iommu_type1_info info = { 0 };
	uint64_t last_cap = 0, total;
	struct iommufd_ioas *ioas;
	size_t i;

	if (um->copy_from_user(um, &info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	minsz = MIN((size_t)info.argsz, sizeof(info));
	ioas = get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	info.flags = VFIO_IOMMU_INFO_PGSIZES;
	info.iova_pgsizes = iommufd_get_pagesizes(ioas);
	info.cap_offset = 0;

	total = sizeof(info);
	for (i = 0; i < ARRAY_SIZE(fill_fns); i++) {
		long cap_size;

		if (info.argsz > total)
			cap_size = fill_fns[i](ioas, um, arg + total,
					       info.argsz - total);
		else
			cap_size = fill_fns[i](ioas, um, 0, 0);
		if (cap_size < 0)
			return cap_size;
		cap_size = (cap_size + 7) & ~7l;
		/* Link the previous capability to this one. */
		if (last_cap && info.argsz >= total) {
			uint32_t next = (uint32_t)total;

			if (um->copy_to_user(um, last_cap +
					     offsetof(struct vfio_info_cap_header, next),
					     &next, sizeof(next)))
				return -EFAULT;
		}
		last_cap = arg + total;
		total += (uint64_t)cap_size;
	}
	if (info.argsz >= total)
		info.cap_offset = sizeof(info);
	info.argsz = (uint32_t)total;
	info.flags |= VFIO_IOMMU_INFO_CAPS;
	if (um->copy_to_user(um, arg, &info, minsz))
		return -EFAULT;
	return 0;
}

long iommufd_vfio_ioctl(struct iommufd_ctx *ictx, unsigned int cmd,
			uint64_t arg, const struct iommufd_user_mem_ops *um)
{
	switch (cmd) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_SET_IOMMU:
		return iommufd_vfio_set_iommu(ictx, arg);
	case VFIO_CHECK_EXTENSION:
		return iommufd_vfio_check_extension(ictx, arg);
	case VFIO_IOMMU_GET_INFO:
		return iommufd_vfio_iommu_get_info(ictx, arg, um);
	case VFIO_IOMMU_MAP_DMA:
		return iommufd_vfio_map_dma(ictx, arg, um);
	case VFIO_IOMMU_UNMAP_DMA:
		return iommufd_vfio_unmap_dma(ictx, arg, um);
	default:
		/* -ENOIOCTLCMD, which the syscall reports as ENOTTY. */
		return -ENOTTY;
	}
}
