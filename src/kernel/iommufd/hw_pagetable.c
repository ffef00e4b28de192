// SPDX-License-Identifier: MIT
/*
 * HW pagetables and device attachment (Linux drivers/iommu/iommufd/
 * hw_pagetable.c and device.c): IOMMU_HWPT_ALLOC, IOMMU_HWPT_INVALIDATE,
 * IOMMU_GET_HW_INFO, attach / replace / detach of a device. Two kinds of
 * device: selftest mock devices, whose driver (selftest.c) is called
 * through the iommufd_mock_* hooks, and devices bound with
 * iommufd_device_bind() (device.c), whose kernel/iommu driver is reached
 * through adapter domains (iommufd_kdomain_*). Argument checks and their
 * order follow Linux so the same bad input gives the same errno.
 */
#include <stdlib.h>
#include <string.h>
#include <linux/iommufd.h>
#include <iommufd_test.h>

#include "base/compiler.h"
#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "kernel/iommufd/iommufd_private.h"

/* ---- HWPT objects ---- */

void iommufd_hwpt_paging_destroy(struct iommufd_object *obj)
{
	struct iommufd_hwpt_paging *hwpt =
		container_of(obj, struct iommufd_hwpt_paging, common.obj);

	if (hwpt->ioas) {
		if (hwpt->common.domain)
			iopt_table_remove_domain(&hwpt->ioas->iopt,
						 hwpt->common.domain);
		iommufd_object_put(&hwpt->ioas->obj);	/* drops our IOAS ref */
	}
	if (hwpt->common.domain)
		hwpt->common.domain->ops->free(hwpt->common.domain);
}

void iommufd_hwpt_nested_destroy(struct iommufd_object *obj)
{
	struct iommufd_hwpt_nested *hwpt =
		container_of(obj, struct iommufd_hwpt_nested, common.obj);

	if (hwpt->common.domain)
		hwpt->common.domain->ops->free(hwpt->common.domain);
	if (hwpt->parent)
		iommufd_object_put(&hwpt->parent->common.obj);	/* parent ref */
	if (hwpt->common.fault)
		iommufd_object_put(&hwpt->common.fault->obj);	/* fault ref */
}

/*
 * A paging HWPT on ioas for idev, filled with the IOAS's areas. Not
 * finalized: the caller publishes it. With auto_domain it is the automatic
 * HWPT of a device attached straight to an IOAS.
 */
static struct iommufd_hwpt_paging *
iommufd_hwpt_paging_alloc(struct iommufd_ctx *ictx, struct iommufd_ucmd *ucmd,
			  struct iommufd_ioas *ioas,
			  struct iommufd_device *idev, uint32_t flags,
			  bool auto_domain, uint32_t data_type,
			  uint64_t data_uptr, uint32_t data_len)
{
	const uint32_t valid_flags = IOMMU_HWPT_ALLOC_NEST_PARENT |
				     IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
	struct iommufd_hwpt_paging *hwpt;
	struct iommufd_object *obj;
	struct iommu_domain *d;
	int rc;

	if (flags & ~valid_flags)
		return ERR_PTR(-EOPNOTSUPP);
	/* Linux: device_iommu_capable(dev, IOMMU_CAP_DIRTY_TRACKING); the mock
	 * IOMMU tracks dirty pages unless the device opts out. */
	if ((flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) &&
	    !iommufd_device_dirty_capable(idev))
		return ERR_PTR(-EOPNOTSUPP);

	obj = iommufd_object_alloc(ictx, sizeof(*hwpt), IOMMUFD_OBJ_HWPT_PAGING);
	if (IS_ERR(obj))
		return (struct iommufd_hwpt_paging *)obj;
	hwpt = container_of(obj, struct iommufd_hwpt_paging, common.obj);
	hwpt->ioas = ioas;
	ioas->obj.users++;	/* the HWPT holds its IOAS */
	hwpt->auto_domain = auto_domain;
	hwpt->nest_parent = flags & IOMMU_HWPT_ALLOC_NEST_PARENT;

	/* ucmd is NULL for an automatic HWPT: neither driver reads data then. */
	if (idev->kdev)
		d = iommufd_kdomain_alloc_paging(idev, flags, data_len);
	else
		d = iommufd_mock_domain_alloc_user(ucmd, idev, flags, NULL,
						   data_type, data_uptr, data_len);
	if (IS_ERR(d)) {
		rc = (int)PTR_ERR(d);
		goto err_abort;
	}
	rc = iopt_table_add_domain(&ioas->iopt, d);
	if (rc) {
		d->ops->free(d);
		goto err_abort;
	}
	hwpt->common.domain = d;
	return hwpt;

err_abort:
	iommufd_object_abort_and_destroy(ictx, &hwpt->common.obj);
	return ERR_PTR(rc);
}

static struct iommufd_hwpt_nested *
iommufd_hwpt_nested_alloc(struct iommufd_ucmd *ucmd,
			  struct iommufd_hwpt_paging *parent,
			  struct iommufd_device *idev, uint32_t flags,
			  uint32_t data_type, uint64_t data_uptr,
			  uint32_t data_len)
{
	struct iommufd_ctx *ictx = ucmd->ictx;
	struct iommufd_hwpt_nested *hwpt;
	struct iommufd_object *obj;
	struct iommu_domain *d;
	int rc;

	if ((flags & ~IOMMU_HWPT_FAULT_ID_VALID) || !data_len)
		return ERR_PTR(-EOPNOTSUPP);
	if (parent->auto_domain || !parent->nest_parent)
		return ERR_PTR(-EINVAL);

	obj = iommufd_object_alloc(ictx, sizeof(*hwpt), IOMMUFD_OBJ_HWPT_NESTED);
	if (IS_ERR(obj))
		return (struct iommufd_hwpt_nested *)obj;
	hwpt = container_of(obj, struct iommufd_hwpt_nested, common.obj);
	hwpt->parent = parent;
	parent->common.obj.users++;	/* the nested HWPT holds its parent */

	if (idev->kdev)
		d = iommufd_kdomain_alloc_nested(ucmd, idev, parent->common.domain,
						 flags & ~IOMMU_HWPT_FAULT_ID_VALID,
						 data_type, data_uptr, data_len);
	else if (iommufd_domain_is_kernel(parent->common.domain))
		d = ERR_PTR(-EINVAL);	/* another driver's parent */
	else
		d = iommufd_mock_domain_alloc_user(ucmd, idev,
						   flags & ~IOMMU_HWPT_FAULT_ID_VALID,
						   parent->common.domain, data_type,
						   data_uptr, data_len);
	if (IS_ERR(d)) {
		rc = (int)PTR_ERR(d);
		goto err_abort;
	}
	hwpt->common.domain = d;
	return hwpt;

err_abort:
	iommufd_object_abort_and_destroy(ictx, &hwpt->common.obj);
	return ERR_PTR(rc);
}

static struct iommufd_device *iommufd_get_device(struct iommufd_ctx *ictx,
						 uint32_t id)
{
	struct iommufd_object *obj = iommufd_get_object(ictx, id,
							IOMMUFD_OBJ_DEVICE);

	if (IS_ERR(obj))
		return (struct iommufd_device *)obj;
	return container_of(obj, struct iommufd_device, obj);
}

int iommufd_hwpt_alloc(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_alloc *cmd = ucmd->cmd;
	struct iommufd_ctx *ictx = ucmd->ictx;
	struct iommufd_hw_pagetable *hwpt;
	struct iommufd_device *idev;
	struct iommufd_object *pt;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	if ((cmd->data_type == IOMMU_HWPT_DATA_NONE && cmd->data_len) ||
	    (cmd->data_type != IOMMU_HWPT_DATA_NONE && !cmd->data_len))
		return -EINVAL;
	idev = iommufd_get_device(ictx, cmd->dev_id);
	if (IS_ERR(idev))
		return (int)PTR_ERR(idev);
	/* Linux: an unusable pt_id is -EINVAL, not -ENOENT. */
	pt = iommufd_get_object(ictx, cmd->pt_id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(pt))
		return -EINVAL;

	if (pt->type == IOMMUFD_OBJ_IOAS) {
		struct iommufd_hwpt_paging *paging;

		/* A fault queue only serves a nested (user-managed) HWPT. */
		if ((cmd->flags & IOMMU_HWPT_FAULT_ID_VALID) &&
		    (cmd->flags & IOMMU_HWPT_ALLOC_NEST_PARENT))
			return -EOPNOTSUPP;
		paging = iommufd_hwpt_paging_alloc(ictx, ucmd,
				container_of(pt, struct iommufd_ioas, obj), idev,
				cmd->flags, false, cmd->data_type,
				cmd->data_uptr, cmd->data_len);
		if (IS_ERR(paging))
			return (int)PTR_ERR(paging);
		hwpt = &paging->common;
	} else if (pt->type == IOMMUFD_OBJ_HWPT_PAGING) {
		struct iommufd_hwpt_nested *nested;

		nested = iommufd_hwpt_nested_alloc(ucmd,
				container_of(pt, struct iommufd_hwpt_paging,
					     common.obj),
				idev, cmd->flags, cmd->data_type,
				cmd->data_uptr, cmd->data_len);
		if (IS_ERR(nested))
			return (int)PTR_ERR(nested);
		hwpt = &nested->common;
	} else {
		return -EINVAL;
	}

	if (cmd->flags & IOMMU_HWPT_FAULT_ID_VALID) {
		struct iommufd_object *fobj;

		fobj = iommufd_get_object(ictx, cmd->fault_id, IOMMUFD_OBJ_FAULT);
		if (IS_ERR(fobj)) {
			rc = (int)PTR_ERR(fobj);
			goto err_abort;
		}
		hwpt->fault = container_of(fobj, struct iommufd_fault, obj);
		fobj->users++;	/* the HWPT holds its fault queue */
	}
	cmd->out_hwpt_id = hwpt->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto err_abort;
	iommufd_object_finalize(ictx, &hwpt->obj);
	return 0;

err_abort:
	iommufd_object_abort_and_destroy(ictx, &hwpt->obj);
	return rc;
}

/* Linux bounds the array so a bad entry_num cannot make it loop forever. */
#define IOMMU_HWPT_INVALIDATE_ENTRY_NUM_MAX (1u << 19)

int iommufd_hwpt_invalidate(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_invalidate *cmd = ucmd->cmd;
	struct iommufd_object *obj;
	struct iommu_domain *d;
	uint32_t done = 0;
	int rc;

	if (cmd->__reserved) {
		rc = -EOPNOTSUPP;
		goto out;
	}
	/* An empty array only checks the data type. */
	if (cmd->entry_num &&
	    (!cmd->data_uptr || !cmd->entry_len ||
	     cmd->entry_len > IOMMUFD_PAGE_SIZE ||
	     cmd->entry_num > IOMMU_HWPT_INVALIDATE_ENTRY_NUM_MAX)) {
		rc = -EINVAL;
		goto out;
	}
	obj = iommufd_get_object(ucmd->ictx, cmd->hwpt_id, IOMMUFD_OBJ_HWPT_NESTED);
	if (IS_ERR(obj)) {
		rc = (int)PTR_ERR(obj);
		goto out;
	}
	done = cmd->entry_num;
	d = container_of(obj, struct iommufd_hw_pagetable, obj)->domain;
	if (iommufd_domain_is_kernel(d))
		rc = iommufd_kdomain_invalidate(ucmd, d, cmd->data_type,
						cmd->data_uptr, cmd->entry_len, &done);
	else
		rc = iommufd_mock_cache_invalidate_user(ucmd, d, cmd->data_type,
							cmd->data_uptr,
							cmd->entry_len, &done);
out:
	/* entry_num always reports how many entries were handled. */
	cmd->entry_num = done;
	if (iommufd_ucmd_respond(ucmd, sizeof(*cmd)))
		return -EFAULT;
	return rc;
}

/* ---- IOMMU_GET_HW_INFO ---- */

int iommufd_get_hw_info(struct iommufd_ucmd *ucmd)
{
	struct iommu_hw_info *cmd = ucmd->cmd;
	const struct iommufd_user_mem_ops *um = ucmd->um;
	struct iommu_test_hw_info info = {
		.test_reg = IOMMU_HW_INFO_SELFTEST_REGVAL,
	};
	struct iommufd_device *idev;
	uint32_t copy_len, blob_len, type;
	uint32_t in_type;
	const void *blob;
	void *kblob = NULL;
	int rc;

	if (cmd->flags & ~IOMMU_HW_INFO_FLAG_INPUT_TYPE)
		return -EOPNOTSUPP;
	if (cmd->__reserved[0] || cmd->__reserved[1] || cmd->__reserved[2])
		return -EOPNOTSUPP;
	/*
	 * Later uAPI: with FLAG_INPUT_TYPE the out_data_type field is an
	 * in_data_type naming the info wanted; otherwise it is DEFAULT.
	 */
	in_type = cmd->flags & IOMMU_HW_INFO_FLAG_INPUT_TYPE ?
		  cmd->out_data_type : IOMMU_HW_INFO_TYPE_DEFAULT;
	idev = iommufd_get_device(ucmd->ictx, cmd->dev_id);
	if (IS_ERR(idev))
		return (int)PTR_ERR(idev);
	if (idev->kdev) {
		/* The driver's blob (VT-d: struct iommu_hw_info_vtd). */
		kblob = iommufd_device_hw_info(idev, &blob_len, &type);
		if (IS_ERR(kblob))
			return (int)PTR_ERR(kblob);
		blob = kblob;
	} else {
		blob = &info;
		blob_len = sizeof(info);
		type = IOMMU_HW_INFO_TYPE_SELFTEST;
	}
	if (in_type != IOMMU_HW_INFO_TYPE_DEFAULT && in_type != type) {
		rc = -EOPNOTSUPP;
		goto out_free;
	}
	cmd->out_data_type = type;

	/* Copy what fits, zero the rest of a larger user buffer. */
	copy_len = MIN(cmd->data_len, blob_len);
	if (copy_len &&
	    um->copy_to_user(um, cmd->data_uptr, blob, copy_len)) {
		rc = -EFAULT;
		goto out_free;
	}
	if (copy_len < cmd->data_len) {
		static const uint8_t zeros[256];
		uint64_t off = copy_len;

		while (off < cmd->data_len) {
			uint64_t n = MIN((uint64_t)sizeof(zeros), cmd->data_len - off);

			if (um->copy_to_user(um, cmd->data_uptr + off, zeros, n)) {
				rc = -EFAULT;
				goto out_free;
			}
			off += n;
		}
	}
	/* The length the kernel has, possibly more than the user gave. */
	cmd->data_len = blob_len;
	cmd->out_capabilities = 0;
	if (iommufd_device_dirty_capable(idev))
		cmd->out_capabilities |= IOMMU_HW_CAP_DIRTY_TRACKING;
	/* Real devices: no PASID support in the drivers yet (0). */
	cmd->out_max_pasid_log2 = 0;
	if (!idev->kdev && (idev->mock_flags & MOCK_FLAGS_DEVICE_PASID))
		cmd->out_max_pasid_log2 = MOCK_PASID_WIDTH;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
out_free:
	free(kblob);
	return rc;
}

/* ---- attaching devices ---- */

/*
 * Linux treats the automatic HWPTs of an IOAS as interchangeable: a device
 * attached to the IOAS joins the first (oldest) one whose domain accepts
 * it, and a new one is only made when none does.
 */
static struct iommufd_hwpt_paging *iommufd_hwpt_auto_find(struct iommufd_device *idev,
							  struct iommufd_ioas *ioas)
{
	struct iommufd_ctx *ictx = idev->ictx;
	uint32_t id;

	for (id = 1; id < ictx->nr_slots; id++) {
		struct iommufd_object *obj = ictx->objs[id];
		struct iommufd_hwpt_paging *p;

		if (!obj || !obj->finalized || obj->type != IOMMUFD_OBJ_HWPT_PAGING)
			continue;
		p = container_of(obj, struct iommufd_hwpt_paging, common.obj);
		if (!p->auto_domain || p->ioas != ioas)
			continue;
		if (iommufd_device_check_domain(idev, p->common.domain))
			continue;	/* incompatible: try the next */
		return p;
	}
	return NULL;
}

/*
 * Attaching a device to a paging HWPT (or to a nested one, whose parent
 * translates) first reserves the device's reserved regions in the IOAS
 * (Linux iopt_table_enforce_dev_resv_regions()). The mock device has none,
 * but Linux's step is a fault-injection point (-EINVAL), so ours is too.
 */
static int iommufd_device_enforce_resv(struct iommufd_device *idev)
{
	(void)idev;
	if (should_fail("iopt_table_enforce_dev_resv_regions"))
		return -EINVAL;
	return 0;
}

/*
 * Take a hold of the HWPT for idev: an existing paging or nested HWPT, or
 * for an IOAS a new automatic one (finalized here). On success *pt_id is
 * the HWPT's ID and the caller owns one user reference of it.
 */
static struct iommufd_hw_pagetable *
iommufd_device_get_hwpt(struct iommufd_device *idev, uint32_t pt_id)
{
	struct iommufd_ctx *ictx = idev->ictx;
	struct iommufd_hwpt_paging *paging;
	struct iommufd_hw_pagetable *hwpt;
	struct iommufd_object *pt;
	int rc;

	pt = iommufd_get_object(ictx, pt_id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(pt))
		return (struct iommufd_hw_pagetable *)pt;
	switch (pt->type) {
	case IOMMUFD_OBJ_HWPT_PAGING:
	case IOMMUFD_OBJ_HWPT_NESTED:
		hwpt = container_of(pt, struct iommufd_hw_pagetable, obj);
		rc = iommufd_device_check_domain(idev, hwpt->domain);
		if (!rc)
			rc = iommufd_device_enforce_resv(idev);
		if (rc)
			return ERR_PTR(rc);
		hwpt->obj.users++;	/* the device holds its HWPT */
		return hwpt;
	case IOMMUFD_OBJ_IOAS:
		paging = iommufd_hwpt_auto_find(idev,
				container_of(pt, struct iommufd_ioas, obj));
		if (paging) {
			rc = iommufd_device_enforce_resv(idev);
			if (rc)
				return ERR_PTR(rc);
			paging->common.obj.users++;	/* the device holds it */
			return &paging->common;
		}
		paging = iommufd_hwpt_paging_alloc(ictx, NULL,
				container_of(pt, struct iommufd_ioas, obj), idev,
				0, true, IOMMU_HWPT_DATA_NONE, 0, 0);
		if (IS_ERR(paging))
			return (struct iommufd_hw_pagetable *)paging;
		rc = iommufd_device_enforce_resv(idev);
		if (rc) {
			/* Never published: nothing but us knows it. */
			iommufd_object_abort_and_destroy(ictx, &paging->common.obj);
			return ERR_PTR(rc);
		}
		paging->common.obj.users++;	/* the device holds its HWPT */
		iommufd_object_finalize(ictx, &paging->common.obj);
		return &paging->common;
	default:
		return ERR_PTR(-EINVAL);
	}
}

/*
 * Drop a device's hold on a HWPT; requests it left queued there are
 * answered. An automatic HWPT dies with its last user.
 */
static void iommufd_hwpt_put(struct iommufd_ctx *ictx,
			     struct iommufd_device *idev,
			     struct iommufd_hw_pagetable *hwpt)
{
	if (hwpt->fault)
		iommufd_fault_auto_response(hwpt->fault, idev);
	iommufd_object_put(&hwpt->obj);
	if (hwpt->obj.type == IOMMUFD_OBJ_HWPT_PAGING &&
	    container_of(hwpt, struct iommufd_hwpt_paging, common)->auto_domain &&
	    hwpt->obj.users == 1)
		iommufd_object_remove_obj(ictx, &hwpt->obj);
}

int iommufd_device_attach(struct iommufd_device *idev, uint32_t *pt_id)
{
	struct iommufd_hw_pagetable *hwpt;
	int rc;

	if (idev->hwpt)
		return -EINVAL;
	hwpt = iommufd_device_get_hwpt(idev, *pt_id);
	if (IS_ERR(hwpt))
		return (int)PTR_ERR(hwpt);
	rc = iommufd_device_set_hwpt(idev, hwpt);
	if (rc) {
		iommufd_hwpt_put(idev->ictx, idev, hwpt);	/* may free an auto HWPT */
		return rc;
	}
	idev->hwpt = hwpt;
	*pt_id = hwpt->obj.id;
	return 0;
}

/*
 * Move an attached device to *pt_id; on failure it stays where it was.
 * Replacing with an IOAS may land on the current automatic HWPT again.
 */
int iommufd_device_replace(struct iommufd_device *idev, uint32_t *pt_id)
{
	struct iommufd_hw_pagetable *old = idev->hwpt, *hwpt;
	int rc;

	if (!old)
		return -EINVAL;
	hwpt = iommufd_device_get_hwpt(idev, *pt_id);
	if (IS_ERR(hwpt))
		return (int)PTR_ERR(hwpt);
	if (hwpt != old) {
		/* The group moves from old's domain straight to hwpt's. */
		rc = iommufd_device_set_hwpt(idev, hwpt);
		if (rc) {
			iommufd_hwpt_put(idev->ictx, idev, hwpt);
			return rc;
		}
	}
	idev->hwpt = hwpt;
	if (old != hwpt)
		iommufd_hwpt_put(idev->ictx, idev, old);	/* may free an auto HWPT */
	else
		iommufd_object_put(&old->obj);	/* same HWPT: one hold */
	*pt_id = hwpt->obj.id;
	return 0;
}

void iommufd_device_detach(struct iommufd_device *idev)
{
	struct iommufd_hw_pagetable *hwpt = idev->hwpt;

	idev->hwpt = NULL;
	/* Off the domain before the HWPT (and maybe the domain) can go. */
	iommufd_device_unset_hwpt(idev, hwpt);
	iommufd_hwpt_put(idev->ictx, idev, hwpt);
}

/* ---- dirty tracking (Linux io_pagetable.c iopt_*_dirty_*) ---- */

void iommufd_dirty_record(struct iommufd_dirty_bitmap *b, uint64_t iova,
			  uint64_t length)
{
	uint64_t first, last, end, i;

	if (!b->bits || !length)
		return;
	if (__builtin_add_overflow(iova, length - 1, &end))
		end = UINT64_MAX;
	if (end < b->iova)
		return;
	first = iova > b->iova ? (iova - b->iova) / b->page_size : 0;
	last = (end - b->iova) / b->page_size;
	if (last >= b->nbits)
		last = b->nbits - 1;
	for (i = first; i <= last && i < b->nbits; i++)
		b->bits[i / 8] |= (uint8_t)(1u << (i % 8));
}

static struct iommufd_hwpt_paging *iommufd_get_hwpt_paging(struct iommufd_ctx *ictx,
							   uint32_t id)
{
	struct iommufd_object *obj = iommufd_get_object(ictx, id,
							IOMMUFD_OBJ_HWPT_PAGING);

	if (IS_ERR(obj))
		return (struct iommufd_hwpt_paging *)obj;
	return container_of(obj, struct iommufd_hwpt_paging, common.obj);
}

/*
 * Walk the areas over [iova, last] (which must be mapped without a gap:
 * -EINVAL) and let the domain read and clear their dirty bits.
 */
static int iopt_read_and_clear_dirty(struct io_pagetable *iopt,
				     struct iommu_domain *d, uint64_t iova,
				     uint64_t last, unsigned long flags,
				     struct iommufd_dirty_bitmap *dirty)
{
	struct iopt_area *area;
	uint64_t cur = iova;
	int rc;

	for (area = iopt_area_first(iopt, cur, cur); area;
	     area = iopt_area_first(iopt, cur, cur)) {
		uint64_t end = MIN(last, iopt_area_last_iova(area));

		rc = d->ops->read_and_clear_dirty(d, cur, end - cur + 1, flags,
						  dirty);
		if (rc)
			return rc;
		if (end == last)
			return 0;
		cur = end + 1;
	}
	return -EINVAL;
}

int iommufd_hwpt_set_dirty_tracking(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_set_dirty_tracking *cmd = ucmd->cmd;
	struct iommufd_hwpt_paging *hwpt;
	struct iommu_domain *d;
	struct iopt_area *area;
	bool enable;
	int rc;

	if (cmd->flags & ~IOMMU_HWPT_DIRTY_TRACKING_ENABLE)
		return -EOPNOTSUPP;
	hwpt = iommufd_get_hwpt_paging(ucmd->ictx, cmd->hwpt_id);
	if (IS_ERR(hwpt))
		return (int)PTR_ERR(hwpt);
	d = hwpt->common.domain;
	if (!d->dirty_ops)
		return -EOPNOTSUPP;
	enable = cmd->flags & IOMMU_HWPT_DIRTY_TRACKING_ENABLE;
	if (enable) {
		/* Start from a clean snapshot: clear what is already dirty. */
		struct iommufd_dirty_bitmap none = { .page_size = 1 };

		for (area = iopt_area_first(&hwpt->ioas->iopt, 0, UINT64_MAX); area;
		     area = iopt_area_next(&hwpt->ioas->iopt, area, 0, UINT64_MAX)) {
			rc = d->ops->read_and_clear_dirty(d, iopt_area_iova(area),
							  iopt_area_length(area),
							  0, &none);
			if (rc)
				return rc;
		}
	}
	return d->ops->set_dirty_tracking(d, enable);
}

/* Bitmap bytes built in one go; larger requests are rejected (-E2BIG). */
#define IOMMUFD_DIRTY_BITMAP_MAX (64ull << 20)

int iommufd_hwpt_get_dirty_bitmap(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_get_dirty_bitmap *cmd = ucmd->cmd;
	const struct iommufd_user_mem_ops *um = ucmd->um;
	struct iommufd_dirty_bitmap dirty;
	struct iommufd_hwpt_paging *hwpt;
	struct io_pagetable *iopt;
	uint64_t last, nbytes, align;
	struct iommu_domain *d;
	int rc;

	if ((cmd->flags & ~IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR) ||
	    cmd->__reserved)
		return -EOPNOTSUPP;
	hwpt = iommufd_get_hwpt_paging(ucmd->ictx, cmd->hwpt_id);
	if (IS_ERR(hwpt))
		return (int)PTR_ERR(hwpt);
	d = hwpt->common.domain;
	iopt = &hwpt->ioas->iopt;
	if (!d->dirty_ops)
		return -EOPNOTSUPP;

	/* Linux iommufd_check_iova_range(). */
	if (__builtin_add_overflow(cmd->iova, cmd->length - 1, &last))
		return -EOVERFLOW;
	align = iopt->iova_alignment;
	if ((cmd->iova & (align - 1)) || ((last + 1) & (align - 1)))
		return -EINVAL;
	if (!cmd->page_size)
		return -EINVAL;
	if ((cmd->iova & (cmd->page_size - 1)) ||
	    ((last + 1) & (cmd->page_size - 1)))
		return -EINVAL;

	dirty.iova = cmd->iova;
	dirty.page_size = cmd->page_size;
	dirty.nbits = (last - cmd->iova) / cmd->page_size + 1;
	nbytes = (dirty.nbits + 7) / 8;
	if (nbytes > IOMMUFD_DIRTY_BITMAP_MAX)
		return -E2BIG;
	dirty.bits = pl_zalloc(nbytes);
	if (!dirty.bits)
		return -ENOMEM;
	/* Bits are only ever set: what the user bitmap holds stays. */
	if (um->copy_from_user(um, dirty.bits, cmd->data, nbytes)) {
		rc = -EFAULT;
		goto out_free;
	}
	rc = iopt_read_and_clear_dirty(iopt, d, cmd->iova, last, cmd->flags,
				       &dirty);
	if (rc)
		goto out_free;
	if (um->copy_to_user(um, cmd->data, dirty.bits, nbytes))
		rc = -EFAULT;
out_free:
	free(dirty.bits);
	return rc;
}
