// SPDX-License-Identifier: MIT
/*
 * The iommufd context: object table, IOMMU_DESTROY, IOMMU_OPTION and the
 * ioctl dispatcher with Linux's size-extensibility rules (the user struct
 * starts with its own size; shorter than the fields the kernel needs is
 * -EINVAL, longer than the kernel knows is fine only if the extra bytes are
 * zero, else -E2BIG).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <linux/iommufd.h>

#include "base/compiler.h"
#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "kernel/iommufd/iommufd_private.h"
#include <iommufd_test.h>

/* ---- object table ---- */

static void (*const iommufd_destroy_ops[IOMMUFD_OBJ_MAX])(struct iommufd_object *) = {
	[IOMMUFD_OBJ_DEVICE] = iommufd_device_destroy,
	[IOMMUFD_OBJ_HWPT_PAGING] = iommufd_hwpt_paging_destroy,
	[IOMMUFD_OBJ_HWPT_NESTED] = iommufd_hwpt_nested_destroy,
	[IOMMUFD_OBJ_IOAS] = iommufd_ioas_destroy,
	[IOMMUFD_OBJ_ACCESS] = iommufd_access_destroy_object,
	[IOMMUFD_OBJ_FAULT] = iommufd_fault_destroy,
	[IOMMUFD_OBJ_SELFTEST] = iommufd_selftest_destroy,
};

/*
 * IDs are handed out like Linux's xa_alloc over [1, INT_MAX]: the lowest
 * free index. A slot is occupied from alloc on (lookups ignore it until
 * finalize), so an ID is never given twice while its object lives.
 */
struct iommufd_object *iommufd_object_alloc(struct iommufd_ctx *ictx,
					    size_t size,
					    enum iommufd_object_type type)
{
	struct iommufd_object *obj;
	uint32_t id;

	obj = pl_zalloc(size);
	if (!obj)
		return ERR_PTR(-ENOMEM);
	for (id = 1; id < ictx->nr_slots; id++)
		if (!ictx->objs[id])
			break;
	if (id >= ictx->nr_slots) {
		uint32_t n = ictx->nr_slots ? ictx->nr_slots * 2 : 16;
		struct iommufd_object **objs;

		if (n > INT32_MAX)
			goto err_free;
		objs = pl_realloc(ictx->objs, n * sizeof(*objs));
		if (!objs)
			goto err_free;
		memset(objs + ictx->nr_slots, 0,
		       (n - ictx->nr_slots) * sizeof(*objs));
		id = ictx->nr_slots ? ictx->nr_slots : 1;
		ictx->objs = objs;
		ictx->nr_slots = n;
	}
	obj->id = id;
	obj->type = type;
	obj->users = 1;	/* the table's reference */
	ictx->objs[id] = obj;
	return obj;

err_free:
	free(obj);
	return ERR_PTR(-ENOMEM);
}

void iommufd_object_finalize(struct iommufd_ctx *ictx, struct iommufd_object *obj)
{
	(void)ictx;
	obj->finalized = true;
}

void iommufd_object_abort(struct iommufd_ctx *ictx, struct iommufd_object *obj)
{
	ictx->objs[obj->id] = NULL;
	free(obj);
}

void iommufd_object_abort_and_destroy(struct iommufd_ctx *ictx,
				      struct iommufd_object *obj)
{
	iommufd_destroy_ops[obj->type](obj);
	iommufd_object_abort(ictx, obj);
}

static struct iommufd_object *iommufd_lookup(struct iommufd_ctx *ictx, uint32_t id,
					     enum iommufd_object_type type)
{
	struct iommufd_object *obj;

	if (id == 0 || id >= ictx->nr_slots)
		return ERR_PTR(-ENOENT);
	obj = ictx->objs[id];
	if (!obj || !obj->finalized ||
	    (type != IOMMUFD_OBJ_ANY && obj->type != type))
		return ERR_PTR(-ENOENT);
	return obj;
}

/*
 * Every lookup on behalf of a command is a fault-injection point, as in
 * Linux (iommufd_get_object() fails with -ENOENT under fail-nth), so the
 * sweep reaches each command's handling of a vanished object.
 */
struct iommufd_object *iommufd_get_object(struct iommufd_ctx *ictx, uint32_t id,
					  enum iommufd_object_type type)
{
	if (should_fail("iommufd_get_object"))
		return ERR_PTR(-ENOENT);
	return iommufd_lookup(ictx, id, type);
}

void iommufd_object_put(struct iommufd_object *obj)
{
	obj->users--;
}

static void iommufd_object_destroy(struct iommufd_ctx *ictx,
				   struct iommufd_object *obj)
{
	if (ictx->vfio_ioas && &ictx->vfio_ioas->obj == obj)
		ictx->vfio_ioas = NULL;
	ictx->objs[obj->id] = NULL;
	iommufd_destroy_ops[obj->type](obj);
	free(obj);
}

int iommufd_object_remove_obj(struct iommufd_ctx *ictx,
			      struct iommufd_object *obj)
{
	if (obj->users != 1)
		return -EBUSY;
	iommufd_object_destroy(ictx, obj);
	return 0;
}

/* IOMMU_DESTROY's lookup is not an injection point (Linux: xa_load). */
int iommufd_object_remove(struct iommufd_ctx *ictx, uint32_t id)
{
	struct iommufd_object *obj;

	obj = iommufd_lookup(ictx, id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(obj))
		return (int)PTR_ERR(obj);
	return iommufd_object_remove_obj(ictx, obj);
}

unsigned int iommufd_ctx_nr_objects(struct iommufd_ctx *ictx)
{
	unsigned int n = 0;
	uint32_t id;

	for (id = 1; id < ictx->nr_slots; id++)
		if (ictx->objs[id])
			n++;
	return n;
}

/* ---- context ---- */

struct iommufd_ctx *iommufd_ctx_create(void)
{
	struct iommufd_ctx *ictx;
	struct rlimit rl;

	ictx = pl_zalloc(sizeof(*ictx));
	if (!ictx)
		return ERR_PTR(-ENOMEM);
	ictx->account_mode = IOPT_PAGES_ACCOUNT_USER;
	/* The opener's RLIMIT_MEMLOCK, in pages, as Linux reads it at pin time. */
	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		ictx->own_acct.limit_pages = rl.rlim_cur / IOMMUFD_PAGE_SIZE;
	else
		ictx->own_acct.limit_pages = UINT64_MAX;
	ictx->acct = &ictx->own_acct;
	INIT_LIST_HEAD(&ictx->accesses);
	INIT_LIST_HEAD(&ictx->fault_files);
	ictx->next_access_handle = 1;
	return ictx;
}

void iommufd_ctx_destroy(struct iommufd_ctx *ictx)
{
	bool progress;
	uint32_t id;

	if (!ictx)
		return;
	iommufd_test_release_accesses(ictx);
	iommufd_fault_release_files(ictx);
	/*
	 * Like the release of the file: destroy whatever nothing else holds,
	 * and repeat, so dependents go before what they depend on.
	 */
	do {
		progress = false;
		for (id = 1; id < ictx->nr_slots; id++) {
			struct iommufd_object *obj = ictx->objs[id];

			if (obj && obj->users == 1) {
				iommufd_object_destroy(ictx, obj);
				progress = true;
			}
		}
	} while (progress);
	for (id = 1; id < ictx->nr_slots; id++)
		if (ictx->objs[id])
			pl_err("iommufd: object %u (type %d) leaked at close",
			       id, ictx->objs[id]->type);
	free(ictx->objs);
	free(ictx);
}

void iommufd_ctx_set_acct(struct iommufd_ctx *ictx, struct iommufd_acct *acct)
{
	ictx->acct = acct ? acct : &ictx->own_acct;
}

struct iommufd_acct *iommufd_ctx_acct(struct iommufd_ctx *ictx)
{
	return ictx->acct;
}

void iommufd_ctx_set_file_ops(struct iommufd_ctx *ictx,
			      const struct iommufd_file_ops *ops)
{
	ictx->fops = ops;
}

void iommufd_ctx_set_caps(struct iommufd_ctx *ictx, bool ipc_lock,
			  bool sys_resource)
{
	ictx->cap_ipc_lock = ipc_lock;
	ictx->cap_sys_resource = sys_resource;
}

/* ---- simple ioctls ---- */

static int iommufd_destroy(struct iommufd_ucmd *ucmd)
{
	struct iommu_destroy *cmd = ucmd->cmd;

	return iommufd_object_remove(ucmd->ictx, cmd->id);
}

int iommufd_option_rlimit_mode(struct iommufd_ucmd *ucmd)
{
	struct iommu_option *cmd = ucmd->cmd;
	struct iommufd_ctx *ictx = ucmd->ictx;

	if (cmd->object_id)
		return -EOPNOTSUPP;
	if (cmd->op == IOMMU_OPTION_OP_GET) {
		cmd->val64 = ictx->account_mode == IOPT_PAGES_ACCOUNT_MM;
		return 0;
	}
	if (cmd->op != IOMMU_OPTION_OP_SET)
		return -EOPNOTSUPP;
	if (!ictx->cap_sys_resource)
		return -EPERM;
	/* The mode can only change while nothing has been charged yet. */
	if (iommufd_ctx_nr_objects(ictx))
		return -EBUSY;
	if (cmd->val64 == 0)
		ictx->account_mode = IOPT_PAGES_ACCOUNT_USER;
	else if (cmd->val64 == 1)
		ictx->account_mode = IOPT_PAGES_ACCOUNT_MM;
	else
		return -EINVAL;
	return 0;
}

static int iommufd_option(struct iommufd_ucmd *ucmd)
{
	struct iommu_option *cmd = ucmd->cmd;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	switch (cmd->option_id) {
	case IOMMU_OPTION_RLIMIT_MODE:
		rc = iommufd_option_rlimit_mode(ucmd);
		break;
	case IOMMU_OPTION_HUGE_PAGES:
		rc = iommufd_ioas_option(ucmd);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (rc)
		return rc;
	/* Only val64 is written back. */
	return ucmd->um->copy_to_user(ucmd->um,
				      ucmd->ubuffer + offsetof(struct iommu_option, val64),
				      &cmd->val64, sizeof(cmd->val64));
}

int iommufd_ucmd_respond(struct iommufd_ucmd *ucmd, size_t cmd_len)
{
	size_t len = MIN(cmd_len, (size_t)ucmd->user_size);

	return ucmd->um->copy_to_user(ucmd->um, ucmd->ubuffer, ucmd->cmd, len);
}

/* ---- dispatch ---- */

union ucmd_buffer {
	struct iommu_destroy destroy;
	struct iommu_fault_alloc fault;
	struct iommu_hw_info info;
	struct iommu_hwpt_alloc hwpt;
	struct iommu_hwpt_get_dirty_bitmap get_dirty_bitmap;
	struct iommu_hwpt_invalidate cache;
	struct iommu_hwpt_set_dirty_tracking set_dirty_tracking;
	struct iommu_ioas_alloc alloc;
	struct iommu_ioas_allow_iovas allow_iovas;
	struct iommu_ioas_copy ioas_copy;
	struct iommu_ioas_iova_ranges iova_ranges;
	struct iommu_ioas_map map;
	struct iommu_ioas_unmap unmap;
	struct iommu_option option;
	struct iommu_vfio_ioas vfio_ioas;
	struct iommu_test_cmd test;
};

struct iommufd_ioctl_op {
	unsigned int size;	/* struct size this implementation knows */
	unsigned int min_size;	/* up to the last field of the first version */
	unsigned int ioctl_num;
	int (*execute)(struct iommufd_ucmd *ucmd);
};

#define sizeof_field(t, m) sizeof(((t *)0)->m)
#define offsetofend(t, m) (offsetof(t, m) + sizeof_field(t, m))

#define IOCTL_OP(_ioctl, _fn, _struct, _last)				\
	[_IOC_NR(_ioctl) - IOMMUFD_CMD_BASE] = {			\
		.size = sizeof(_struct),				\
		.min_size = offsetofend(_struct, _last),		\
		.ioctl_num = _ioctl,					\
		.execute = _fn,						\
	}

/*
 * Minimum sizes are those of the first uAPI revision of each command
 * (Linux drivers/iommu/iommufd/main.c).
 */
static const struct iommufd_ioctl_op iommufd_ioctl_ops[] = {
	IOCTL_OP(IOMMU_DESTROY, iommufd_destroy, struct iommu_destroy, id),
	IOCTL_OP(IOMMU_FAULT_QUEUE_ALLOC, iommufd_fault_alloc,
		 struct iommu_fault_alloc, out_fault_fd),
	IOCTL_OP(IOMMU_GET_HW_INFO, iommufd_get_hw_info, struct iommu_hw_info,
		 __reserved),
	IOCTL_OP(IOMMU_HWPT_ALLOC, iommufd_hwpt_alloc, struct iommu_hwpt_alloc,
		 __reserved),
	IOCTL_OP(IOMMU_HWPT_GET_DIRTY_BITMAP, iommufd_hwpt_get_dirty_bitmap,
		 struct iommu_hwpt_get_dirty_bitmap, data),
	IOCTL_OP(IOMMU_HWPT_INVALIDATE, iommufd_hwpt_invalidate,
		 struct iommu_hwpt_invalidate, __reserved),
	IOCTL_OP(IOMMU_HWPT_SET_DIRTY_TRACKING, iommufd_hwpt_set_dirty_tracking,
		 struct iommu_hwpt_set_dirty_tracking, __reserved),
	IOCTL_OP(IOMMU_IOAS_ALLOC, iommufd_ioas_alloc_ioctl,
		 struct iommu_ioas_alloc, out_ioas_id),
	IOCTL_OP(IOMMU_IOAS_ALLOW_IOVAS, iommufd_ioas_allow_iovas,
		 struct iommu_ioas_allow_iovas, allowed_iovas),
	IOCTL_OP(IOMMU_IOAS_COPY, iommufd_ioas_copy, struct iommu_ioas_copy,
		 src_iova),
	IOCTL_OP(IOMMU_IOAS_IOVA_RANGES, iommufd_ioas_iova_ranges,
		 struct iommu_ioas_iova_ranges, out_iova_alignment),
	IOCTL_OP(IOMMU_IOAS_MAP, iommufd_ioas_map, struct iommu_ioas_map, iova),
	IOCTL_OP(IOMMU_IOAS_UNMAP, iommufd_ioas_unmap, struct iommu_ioas_unmap,
		 length),
	IOCTL_OP(IOMMU_OPTION, iommufd_option, struct iommu_option, val64),
	IOCTL_OP(IOMMU_VFIO_IOAS, iommufd_vfio_ioas, struct iommu_vfio_ioas,
		 __reserved),
	IOCTL_OP(IOMMU_TEST_CMD, iommufd_test, struct iommu_test_cmd, last),
};

/*
 * copy_struct_from_user(): take min(ksize, usize) bytes, zero-fill a short
 * user struct, and insist that a longer one is zero past what we know.
 */
static int iommufd_copy_struct_from_user(const struct iommufd_user_mem_ops *um,
					 void *dst, size_t ksize, uint64_t src,
					 size_t usize)
{
	size_t n = MIN(ksize, usize);
	int rc;

	if (usize > ksize) {
		uint8_t tail[64];
		uint64_t off = ksize;

		while (off < usize) {
			size_t chunk = MIN(sizeof(tail), usize - off);
			size_t i;

			rc = um->copy_from_user(um, tail, src + off, chunk);
			if (rc)
				return -EFAULT;
			for (i = 0; i < chunk; i++)
				if (tail[i])
					return -E2BIG;
			off += chunk;
		}
	}
	memset(dst, 0, ksize);
	if (um->copy_from_user(um, dst, src, n))
		return -EFAULT;
	return 0;
}

long iommufd_ioctl(struct iommufd_ctx *ictx, unsigned int cmd, void *arg_user,
		   const struct iommufd_user_mem_ops *um)
{
	const struct iommufd_ioctl_op *op;
	struct iommufd_ucmd ucmd = {
		.ictx = ictx,
		.um = um,
		.ubuffer = (uint64_t)(uintptr_t)arg_user,
	};
	union ucmd_buffer buf;
	unsigned int nr;
	int rc;

	nr = _IOC_NR(cmd);
	/*
	 * Outside the iommufd range are the VFIO container compatibility
	 * ioctls (vfio_compat.c). Their argument is the raw ioctl argument:
	 * an integer for VFIO_SET_IOMMU / VFIO_CHECK_EXTENSION, else a user
	 * pointer. They may return a positive value (API version, extension
	 * present), which is the ioctl's return value.
	 */
	if (nr < IOMMUFD_CMD_BASE ||
	    nr - IOMMUFD_CMD_BASE >= ARRAY_SIZE(iommufd_ioctl_ops))
		return iommufd_vfio_ioctl(ictx, cmd, ucmd.ubuffer, um);

	if (um->copy_from_user(um, &ucmd.user_size, ucmd.ubuffer,
			       sizeof(ucmd.user_size)))
		return -EFAULT;

	op = &iommufd_ioctl_ops[nr - IOMMUFD_CMD_BASE];
	if (!op->execute || op->ioctl_num != cmd)
		return -ENOTTY;
	if (ucmd.user_size < op->min_size)
		return -EINVAL;

	ucmd.cmd = &buf;
	rc = iommufd_copy_struct_from_user(um, ucmd.cmd, op->size, ucmd.ubuffer,
					   ucmd.user_size);
	if (rc)
		return rc;
	return op->execute(&ucmd);
}
