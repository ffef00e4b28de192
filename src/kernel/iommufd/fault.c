// SPDX-License-Identifier: MIT
/*
 * IO page fault queues (Linux drivers/iommu/iommufd/fault.c):
 * IOMMU_FAULT_QUEUE_ALLOC makes a fault object and its file. A HWPT
 * allocated with IOMMU_HWPT_FAULT_ID_VALID delivers the page requests of
 * its devices there; userspace read()s struct iommu_hwpt_pgfault records
 * and write()s struct iommu_hwpt_page_response records naming the cookie
 * read. The file is a handle here (see iommufd_file_ops); the transport
 * maps read/write/poll/close of the fd to iommufd_fault_read/_write/
 * _pending/_close.
 *
 * Page requests come one per group (the mock reports each as the last
 * page of its group), as PCIe r6.2 §10.4.1 page request messages would
 * after io-pgfault grouped them.
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

/* One page request waiting to be read, or to be answered. */
struct iommufd_fault_group {
	struct list_head link;		/* deliver or response list */
	struct iommufd_device *idev;	/* who faulted (not a reference) */
	struct iommufd_hw_pagetable *hwpt;	/* where it was attached */
	struct iommu_hwpt_pgfault msg;	/* cookie set when read */
};

static void iommufd_fault_free_groups(struct list_head *head,
				      struct iommufd_device *idev)
{
	struct iommufd_fault_group *g, *tmp;

	/* Each dropped request is answered IOMMUFD_PAGE_RESP_INVALID. */
	list_for_each_entry_safe(g, tmp, head, link) {
		if (idev && g->idev != idev)
			continue;
		list_del(&g->link);
		free(g);
	}
}

void iommufd_fault_destroy(struct iommufd_object *obj)
{
	struct iommufd_fault *fault = container_of(obj, struct iommufd_fault, obj);

	iommufd_fault_free_groups(&fault->deliver, NULL);
	iommufd_fault_free_groups(&fault->response, NULL);
}

void iommufd_fault_auto_response(struct iommufd_fault *fault,
				 struct iommufd_device *idev)
{
	iommufd_fault_free_groups(&fault->deliver, idev);
	iommufd_fault_free_groups(&fault->response, idev);
}

static struct iommufd_fault *iommufd_fault_find(struct iommufd_ctx *ictx,
						uint32_t handle)
{
	struct iommufd_fault *fault;

	list_for_each_entry(fault, &ictx->fault_files, file_link)
		if (fault->handle == handle)
			return fault;
	return NULL;
}

int iommufd_fault_alloc(struct iommufd_ucmd *ucmd)
{
	struct iommu_fault_alloc *cmd = ucmd->cmd;
	struct iommufd_ctx *ictx = ucmd->ictx;
	struct iommufd_fault *fault;
	struct iommufd_object *obj;
	int fd, rc;

	if (cmd->flags)
		return -EOPNOTSUPP;
	obj = iommufd_object_alloc(ictx, sizeof(*fault), IOMMUFD_OBJ_FAULT);
	if (IS_ERR(obj))
		return (int)PTR_ERR(obj);
	fault = container_of(obj, struct iommufd_fault, obj);
	INIT_LIST_HEAD(&fault->deliver);
	INIT_LIST_HEAD(&fault->response);
	INIT_LIST_HEAD(&fault->file_link);
	fault->handle = ictx->next_access_handle;
	if (ictx->fops) {
		fd = ictx->fops->install(ictx->fops, IOMMUFD_FILE_FAULT,
					 fault->handle);
		if (fd < 0) {
			rc = fd;
			goto err_abort;
		}
	} else {
		fd = (int)fault->handle;
	}
	cmd->out_fault_id = fault->obj.id;
	cmd->out_fault_fd = (uint32_t)fd;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto err_uninstall;
	/* Publish: the file holds the object until it is closed. */
	ictx->next_access_handle++;
	fault->obj.users++;	/* the file's reference */
	list_add_tail(&fault->file_link, &ictx->fault_files);
	iommufd_object_finalize(ictx, &fault->obj);
	return 0;

err_uninstall:
	if (ictx->fops)
		ictx->fops->uninstall(ictx->fops, fd);
err_abort:
	iommufd_object_abort_and_destroy(ictx, &fault->obj);
	return rc;
}

int iommufd_fault_close(struct iommufd_ctx *ictx, uint32_t handle)
{
	struct iommufd_fault *fault = iommufd_fault_find(ictx, handle);

	if (!fault)
		return -ENOENT;
	list_del(&fault->file_link);
	INIT_LIST_HEAD(&fault->file_link);
	iommufd_object_put(&fault->obj);	/* the file's reference */
	return 0;
}

void iommufd_fault_release_files(struct iommufd_ctx *ictx)
{
	while (!list_empty(&ictx->fault_files)) {
		struct iommufd_fault *fault = list_first_entry(&ictx->fault_files,
						struct iommufd_fault, file_link);

		iommufd_fault_close(ictx, fault->handle);
	}
}

bool iommufd_fault_pending(struct iommufd_ctx *ictx, uint32_t handle)
{
	struct iommufd_fault *fault = iommufd_fault_find(ictx, handle);

	return fault && !list_empty(&fault->deliver);
}

/* Lowest free cookie >= 1 (Linux: xa_alloc on an ALLOC1 xarray). */
static uint32_t iommufd_fault_new_cookie(struct iommufd_fault *fault)
{
	struct iommufd_fault_group *g;
	uint32_t cookie = 1;
	bool used;

	do {
		used = false;
		list_for_each_entry(g, &fault->response, link)
			if (g->msg.cookie == cookie) {
				used = true;
				cookie++;
				break;
			}
	} while (used);
	return cookie;
}

long iommufd_fault_read(struct iommufd_ctx *ictx, uint32_t handle,
			uint64_t ubuf, size_t count,
			const struct iommufd_user_mem_ops *um)
{
	const size_t fault_size = sizeof(struct iommu_hwpt_pgfault);
	struct iommufd_fault *fault = iommufd_fault_find(ictx, handle);
	size_t done = 0;
	int rc = 0;

	if (!fault)
		return -EBADF;
	if (count % fault_size)
		return -ESPIPE;
	while (!list_empty(&fault->deliver)) {
		struct iommufd_fault_group *g = list_first_entry(&fault->deliver,
						struct iommufd_fault_group, link);

		if (count - done < fault_size) {
			/* Not even the first group fits. */
			if (!done)
				rc = -EINVAL;
			break;
		}
		g->msg.cookie = iommufd_fault_new_cookie(fault);
		if (um->copy_to_user(um, ubuf + done, &g->msg, fault_size)) {
			rc = -EFAULT;
			break;
		}
		/* Now awaiting its response. */
		list_del(&g->link);
		list_add_tail(&g->link, &fault->response);
		done += fault_size;
	}
	return done ? (long)done : rc;
}

long iommufd_fault_write(struct iommufd_ctx *ictx, uint32_t handle,
			 uint64_t ubuf, size_t count,
			 const struct iommufd_user_mem_ops *um)
{
	const size_t response_size = sizeof(struct iommu_hwpt_page_response);
	struct iommufd_fault *fault = iommufd_fault_find(ictx, handle);
	size_t done = 0;
	int rc = 0;

	if (!fault)
		return -EBADF;
	if (count % response_size)
		return -ESPIPE;
	while (count > done) {
		struct iommu_hwpt_page_response response;
		struct iommufd_fault_group *g, *found = NULL;

		if (um->copy_from_user(um, &response, ubuf + done, response_size)) {
			rc = -EFAULT;
			break;
		}
		if (response.code != IOMMUFD_PAGE_RESP_SUCCESS &&
		    response.code != IOMMUFD_PAGE_RESP_INVALID) {
			rc = -EINVAL;
			break;
		}
		list_for_each_entry(g, &fault->response, link)
			if (g->msg.cookie == response.cookie) {
				found = g;
				break;
			}
		if (!found) {
			rc = -EINVAL;
			break;
		}
		/* The mock device takes any answer; the request is done. */
		list_del(&found->link);
		free(found);
		done += response_size;
	}
	return done ? (long)done : rc;
}

/*
 * A page request from idev (IOMMU_TEST_OP_TRIGGER_IOPF). It goes to the
 * fault queue of the HWPT the device is attached to: for a PASID request
 * only a nested HWPT (the mock IOMMU keeps PASID tables in userspace).
 * Without a handler the request is answered INVALID and dropped, as Linux
 * does; that is not an error of the trigger.
 */
int iommufd_fault_report(struct iommufd_device *idev, uint32_t pasid,
			 uint32_t grpid, uint32_t perm, uint64_t addr)
{
	struct iommufd_hw_pagetable *hwpt = idev->hwpt;
	struct iommufd_fault_group *g;

	if (!hwpt || !hwpt->fault)
		return 0;
	if (pasid != 0 && hwpt->obj.type != IOMMUFD_OBJ_HWPT_NESTED)
		return 0;
	g = pl_zalloc(sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->idev = idev;
	g->hwpt = hwpt;
	g->msg.flags = IOMMU_PGFAULT_FLAGS_LAST_PAGE;
	if (pasid != 0)
		g->msg.flags |= IOMMU_PGFAULT_FLAGS_PASID_VALID;
	g->msg.dev_id = idev->obj.id;
	g->msg.pasid = pasid;
	g->msg.grpid = grpid;
	g->msg.perm = perm;
	g->msg.addr = addr;
	list_add_tail(&g->link, &hwpt->fault->deliver);
	return 0;
}
