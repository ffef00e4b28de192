// SPDX-License-Identifier: MIT
/*
 * IOAS ioctls: IOMMU_IOAS_ALLOC, IOVA_RANGES, ALLOW_IOVAS, MAP, COPY, UNMAP
 * and the per-IOAS IOMMU_OPTION_HUGE_PAGES. Argument checks and their
 * order follow Linux drivers/iommu/iommufd/ioas.c so the same bad input
 * gives the same errno.
 */
#include <stdlib.h>
#include <linux/iommufd.h>

#include "base/compiler.h"
#include "base/err.h"
#include "base/fault.h"
#include "kernel/iommufd/iommufd_private.h"

struct iommufd_ioas *iommufd_get_ioas(struct iommufd_ctx *ictx, uint32_t id)
{
	struct iommufd_object *obj = iommufd_get_object(ictx, id, IOMMUFD_OBJ_IOAS);

	if (IS_ERR(obj))
		return (struct iommufd_ioas *)obj;
	return container_of(obj, struct iommufd_ioas, obj);
}

struct iommufd_ioas *iommufd_ioas_alloc(struct iommufd_ctx *ictx)
{
	struct iommufd_object *obj;
	struct iommufd_ioas *ioas;

	obj = iommufd_object_alloc(ictx, sizeof(*ioas), IOMMUFD_OBJ_IOAS);
	if (IS_ERR(obj))
		return (struct iommufd_ioas *)obj;
	ioas = container_of(obj, struct iommufd_ioas, obj);
	iopt_init_table(&ioas->iopt);
	return ioas;
}

void iommufd_ioas_destroy(struct iommufd_object *obj)
{
	struct iommufd_ioas *ioas = container_of(obj, struct iommufd_ioas, obj);

	iopt_unmap_all(&ioas->iopt, NULL);
	iopt_destroy_table(&ioas->iopt);
}

int iommufd_ioas_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_alloc *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;
	int rc;

	if (cmd->flags)
		return -EOPNOTSUPP;
	ioas = iommufd_ioas_alloc(ucmd->ictx);
	if (IS_ERR(ioas))
		return (int)PTR_ERR(ioas);
	cmd->out_ioas_id = ioas->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto err_destroy;
	iommufd_object_finalize(ucmd->ictx, &ioas->obj);
	return 0;

err_destroy:
	iommufd_object_abort_and_destroy(ucmd->ictx, &ioas->obj);
	return rc;
}

/*
 * Report the holes of the reserved set. All holes are counted; only the
 * first num_iovas are written, and a caller whose array was too small gets
 * the real count back with -EMSGSIZE.
 */
int iommufd_ioas_iova_ranges(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_iova_ranges *cmd = ucmd->cmd;
	struct pl_itree *reserved;
	struct iommufd_ioas *ioas;
	uint64_t from = 0, hs, hl;
	uint32_t max_iovas;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return (int)PTR_ERR(ioas);
	reserved = &ioas->iopt.reserved_itree;

	max_iovas = cmd->num_iovas;
	cmd->num_iovas = 0;
	cmd->out_iova_alignment = ioas->iopt.iova_alignment;
	while (pl_itree_find_hole(&reserved, 1, from, UINT64_MAX, &hs, &hl)) {
		if (cmd->num_iovas < max_iovas) {
			struct iommu_iova_range elm = { .start = hs, .last = hl };

			if (ucmd->um->copy_to_user(ucmd->um,
						   cmd->allowed_iovas +
						   (uint64_t)cmd->num_iovas * sizeof(elm),
						   &elm, sizeof(elm)))
				return -EFAULT;
		}
		cmd->num_iovas++;
		if (hl == UINT64_MAX)
			break;
		from = hl + 1;
	}
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		return rc;
	if (cmd->num_iovas > max_iovas)
		return -EMSGSIZE;
	return 0;
}

static void iommufd_free_allowed(struct pl_itree *t)
{
	while (!pl_itree_empty(t)) {
		struct pl_itree_node *n = pl_itree_iter_first(t, 0, UINT64_MAX);

		pl_itree_remove(t, n);
		free(container_of(n, struct iopt_allowed, node));
	}
}

int iommufd_ioas_allow_iovas(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_allow_iovas *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;
	struct pl_itree allowed;
	uint32_t i;
	int rc = 0;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return (int)PTR_ERR(ioas);

	pl_itree_init(&allowed);
	for (i = 0; i != cmd->num_iovas; i++) {
		struct iommu_iova_range range;
		struct iopt_allowed *a;

		if (ucmd->um->copy_from_user(ucmd->um, &range,
					     cmd->allowed_iovas + (uint64_t)i * sizeof(range),
					     sizeof(range))) {
			rc = -EFAULT;
			goto out_free;
		}
		if (range.start >= range.last ||
		    pl_itree_iter_first(&allowed, range.start, range.last)) {
			rc = -EINVAL;
			goto out_free;
		}
		a = pl_zalloc(sizeof(*a));
		if (!a) {
			rc = -ENOMEM;
			goto out_free;
		}
		a->node.start = range.start;
		a->node.last = range.last;
		pl_itree_insert(&allowed, &a->node);
	}
	rc = iopt_set_allow_iova(&ioas->iopt, &allowed);
out_free:
	iommufd_free_allowed(&allowed);
	return rc;
}

static int conv_iommu_prot(uint32_t map_flags)
{
	/* Coherent DMA is required; userspace has no cache flush ioctls. */
	int prot = IOMMUFD_PROT_CACHE;

	if (map_flags & IOMMU_IOAS_MAP_WRITEABLE)
		prot |= IOMMUFD_PROT_WRITE;
	if (map_flags & IOMMU_IOAS_MAP_READABLE)
		prot |= IOMMUFD_PROT_READ;
	return prot;
}

#define IOAS_MAP_FLAGS (IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE | \
			IOMMU_IOAS_MAP_READABLE)

int iommufd_ioas_map(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_map *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;
	uint64_t iova = cmd->iova;
	int rc;

	if ((cmd->flags & ~IOAS_MAP_FLAGS) || cmd->__reserved)
		return -EOPNOTSUPP;
	if (cmd->iova >= UINT64_MAX || cmd->length >= UINT64_MAX)
		return -EOVERFLOW;
	if (!(cmd->flags & (IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE)))
		return -EINVAL;
	ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return (int)PTR_ERR(ioas);

	rc = iopt_map_user_pages(ucmd->ictx, &ioas->iopt, ucmd->um, &iova,
				 cmd->user_va, cmd->length,
				 conv_iommu_prot(cmd->flags),
				 !(cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA));
	if (rc)
		return rc;
	cmd->iova = iova;
	return iommufd_ucmd_respond(ucmd, sizeof(*cmd));
}

int iommufd_ioas_copy(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_copy *cmd = ucmd->cmd;
	struct iommufd_ioas *src, *dst;
	uint64_t iova;
	int rc;

	if (cmd->flags & ~IOAS_MAP_FLAGS)
		return -EOPNOTSUPP;
	if (cmd->length >= UINT64_MAX || cmd->src_iova >= UINT64_MAX ||
	    cmd->dst_iova >= UINT64_MAX)
		return -EOVERFLOW;
	if (!(cmd->flags & (IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE)))
		return -EINVAL;
	src = iommufd_get_ioas(ucmd->ictx, cmd->src_ioas_id);
	if (IS_ERR(src))
		return (int)PTR_ERR(src);
	dst = iommufd_get_ioas(ucmd->ictx, cmd->dst_ioas_id);
	if (IS_ERR(dst)) {
		/* Linux collects the source pages first; same errno order. */
		uint64_t last;

		if (!cmd->length)
			return -EINVAL;
		if (__builtin_add_overflow(cmd->src_iova, cmd->length - 1, &last))
			return -EOVERFLOW;
		return (int)PTR_ERR(dst);
	}

	iova = cmd->dst_iova;
	rc = iopt_copy(&dst->iopt, &src->iopt, cmd->src_iova, cmd->length, &iova,
		       conv_iommu_prot(cmd->flags),
		       !(cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA));
	if (rc)
		return rc;
	cmd->dst_iova = iova;
	return iommufd_ucmd_respond(ucmd, sizeof(*cmd));
}

int iommufd_ioas_unmap(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_unmap *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;
	uint64_t unmapped = 0;
	int rc;

	ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return (int)PTR_ERR(ioas);

	if (cmd->iova == 0 && cmd->length == UINT64_MAX) {
		rc = iopt_unmap_all(&ioas->iopt, &unmapped);
		if (rc)
			return rc;
	} else {
		if (cmd->iova >= UINT64_MAX || cmd->length >= UINT64_MAX)
			return -EOVERFLOW;
		rc = iopt_unmap_iova(&ioas->iopt, cmd->iova, cmd->length,
				     &unmapped);
		if (rc)
			return rc;
		if (!unmapped)
			return -ENOENT;
	}
	cmd->length = unmapped;
	return iommufd_ucmd_respond(ucmd, sizeof(*cmd));
}

int iommufd_ioas_option(struct iommufd_ucmd *ucmd)
{
	struct iommu_option *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	ioas = iommufd_get_ioas(ucmd->ictx, cmd->object_id);
	if (IS_ERR(ioas))
		return (int)PTR_ERR(ioas);
	if (cmd->option_id != IOMMU_OPTION_HUGE_PAGES)
		return -EOPNOTSUPP;
	if (cmd->op == IOMMU_OPTION_OP_GET) {
		cmd->val64 = !ioas->iopt.disable_large_pages;
		return 0;
	}
	if (cmd->op != IOMMU_OPTION_OP_SET)
		return -EOPNOTSUPP;
	if (cmd->val64 == 0)
		return iopt_disable_large_pages(&ioas->iopt);
	if (cmd->val64 == 1) {
		iopt_enable_large_pages(&ioas->iopt);
		return 0;
	}
	return -EINVAL;
}
