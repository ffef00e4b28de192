// SPDX-License-Identifier: MIT
/*
 * In-kernel accesses to an IOAS (Linux drivers/iommu/iommufd/device.c,
 * iommufd_access_*) and the selftest's access files built on them
 * (IOMMU_TEST_OP_CREATE_ACCESS, ACCESS_PAGES, ACCESS_RW,
 * DESTROY_ACCESS_PAGES, ACCESS_REPLACE_IOAS).
 *
 * An access pins pages of the areas under an IOVA range, or copies through
 * them, with the CPU. It holds its IOAS. Unmapping an area that an access
 * pinned calls the access's unmap op, which must unpin before returning,
 * otherwise the unmap fails with -EDEADLK.
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

/* ---- walking contiguous areas ---- */

/*
 * Areas covering [start, last] back to back. The walk stops at a gap;
 * contig_done() tells whether it reached last.
 */
struct contig_iter {
	struct io_pagetable *iopt;
	uint64_t cur, last;
	bool done;
};

static struct iopt_area *contig_first(struct contig_iter *it,
				      struct io_pagetable *iopt, uint64_t start,
				      uint64_t last)
{
	it->iopt = iopt;
	it->cur = start;
	it->last = last;
	it->done = false;
	return iopt_area_first(iopt, start, start);
}

static struct iopt_area *contig_next(struct contig_iter *it,
				     struct iopt_area *area)
{
	uint64_t alast = iopt_area_last_iova(area);

	if (alast >= it->last) {
		it->done = true;
		return NULL;
	}
	it->cur = alast + 1;
	return iopt_area_first(it->iopt, it->cur, it->cur);
}

#define for_each_contig_area(it, area, iopt, start, last)		\
	for ((area) = contig_first(it, iopt, start, last); (area);	\
	     (area) = contig_next(it, area))

static uint64_t area_iova_to_byte(const struct iopt_area *a, uint64_t iova)
{
	return a->start_byte + (iova - iopt_area_iova(a));
}

static uint64_t area_iova_to_index(const struct iopt_area *a, uint64_t iova)
{
	return area_iova_to_byte(a, iova) / IOMMUFD_PAGE_SIZE;
}

/*
 * Pinning hands out whole pages: the range must start on a page of the
 * pages object, and every area but the last must end on one.
 */
static bool contig_is_aligned(const struct contig_iter *it,
			      const struct iopt_area *area)
{
	if (area_iova_to_byte(area, it->cur) % IOMMUFD_PAGE_SIZE)
		return false;
	if (iopt_area_last_iova(area) < it->last &&
	    area_iova_to_byte(area, iopt_area_last_iova(area)) %
	    IOMMUFD_PAGE_SIZE != IOMMUFD_PAGE_SIZE - 1)
		return false;
	return true;
}

static bool check_area_prot(const struct iopt_area *area, unsigned int flags)
{
	if (flags & IOMMUFD_ACCESS_RW_WRITE)
		return area->iommu_prot & IOMMUFD_PROT_WRITE;
	return area->iommu_prot & IOMMUFD_PROT_READ;
}

/* ---- access objects ---- */

/*
 * Move the access to new_ioas (NULL: detach). The old IOAS first loses it
 * from its access list (an access is on one list at a time; nothing can
 * unmap meanwhile), then the unmap op drops every pin it held there.
 */
static int iommufd_access_change_ioas(struct iommufd_access *access,
				      struct iommufd_ioas *new_ioas)
{
	struct iommufd_ioas *cur_ioas = access->ioas;
	int rc;

	if (cur_ioas == new_ioas)
		return 0;
	/* Block new pins while the old IOAS is drained. */
	access->ioas = NULL;
	if (cur_ioas)
		list_del(&access->iopt_link);
	if (new_ioas) {
		rc = iopt_add_access(&new_ioas->iopt, access);
		if (rc) {
			/* Back where it was; its alignment held before. */
			if (cur_ioas)
				list_add_tail(&access->iopt_link,
					      &cur_ioas->iopt.access_list);
			access->ioas = cur_ioas;
			return rc;
		}
		new_ioas->obj.users++;	/* the access holds its IOAS */
	}
	if (cur_ioas) {
		/* Unpins still go to ioas_unpin, the old IOAS. */
		access->ops->unmap(access->data, 0, UINT64_MAX);
		iopt_remove_access(&cur_ioas->iopt, access);
		iommufd_object_put(&cur_ioas->obj);	/* drops the old hold */
	}
	access->ioas = new_ioas;
	access->ioas_unpin = new_ioas;
	return 0;
}

void iommufd_access_destroy_object(struct iommufd_object *obj)
{
	struct iommufd_access *access =
		container_of(obj, struct iommufd_access, obj);

	if (access->ioas && iommufd_access_change_ioas(access, NULL))
		pl_err("iommufd: access detach failed");
}

/*
 * Like Linux, the access is an object (it takes an ID) with no uAPI: the
 * driver's extra reference makes IOMMU_DESTROY on it -EBUSY.
 */
struct iommufd_access *iommufd_access_create(struct iommufd_ctx *ictx,
					     const struct iommufd_access_ops *ops,
					     void *data, uint32_t *id)
{
	struct iommufd_access *access;
	struct iommufd_object *obj;

	obj = iommufd_object_alloc(ictx, sizeof(*access), IOMMUFD_OBJ_ACCESS);
	if (IS_ERR(obj))
		return (struct iommufd_access *)obj;
	access = container_of(obj, struct iommufd_access, obj);
	access->ictx = ictx;
	access->ops = ops;
	access->data = data;
	access->iova_alignment = ops->needs_pin_pages ? IOMMUFD_PAGE_SIZE : 1;
	INIT_LIST_HEAD(&access->iopt_link);
	access->obj.users++;	/* the driver's reference, until destroy */
	iommufd_object_finalize(ictx, &access->obj);
	*id = access->obj.id;
	return access;
}

void iommufd_access_destroy(struct iommufd_access *access)
{
	struct iommufd_ctx *ictx = access->ictx;

	iommufd_object_put(&access->obj);	/* the driver's reference */
	if (iommufd_object_remove_obj(ictx, &access->obj))
		pl_err("iommufd: access %u still in use at destroy",
		       access->obj.id);
}

int iommufd_access_attach(struct iommufd_access *access, uint32_t ioas_id)
{
	struct iommufd_ioas *ioas;

	if (access->ioas)
		return -EINVAL;
	ioas = iommufd_get_ioas(access->ictx, ioas_id);
	if (IS_ERR(ioas))
		return (int)PTR_ERR(ioas);
	return iommufd_access_change_ioas(access, ioas);
}

int iommufd_access_replace(struct iommufd_access *access, uint32_t ioas_id)
{
	struct iommufd_ioas *ioas;

	if (!access->ioas)
		return -ENOENT;
	ioas = iommufd_get_ioas(access->ictx, ioas_id);
	if (IS_ERR(ioas))
		return (int)PTR_ERR(ioas);
	return iommufd_access_change_ioas(access, ioas);
}

void iommufd_access_notify_unmap(struct io_pagetable *iopt, uint64_t iova,
				 uint64_t length)
{
	struct iommufd_access *access, *tmp;

	/* unmap ops only unpin; none of them leaves the list. */
	list_for_each_entry_safe(access, tmp, &iopt->access_list, iopt_link)
		access->ops->unmap(access->data, iova, length);
}

static void iopt_area_remove_access(struct iopt_area *area, uint64_t first,
				    uint64_t last)
{
	if (!area->num_accesses) {
		pl_err("iommufd: access unpin of an area it did not pin");
		return;
	}
	area->num_accesses--;
	iopt_pages_unpin(area->pages, first, last);
}

static void iommufd_access_unpin_range(struct io_pagetable *iopt,
				       uint64_t iova, uint64_t last_iova)
{
	struct contig_iter it;
	struct iopt_area *area;

	for_each_contig_area(&it, area, iopt, iova, last_iova)
		iopt_area_remove_access(area, area_iova_to_index(area, it.cur),
				area_iova_to_index(area,
					MIN(last_iova, iopt_area_last_iova(area))));
	if (!it.done)
		pl_err("iommufd: access unpin of an unmapped range");
}

void iommufd_access_unpin_pages(struct iommufd_access *access, uint64_t iova,
				uint64_t length)
{
	uint64_t last_iova;

	if (!length || __builtin_add_overflow(iova, length - 1, &last_iova) ||
	    !access->ioas_unpin) {
		pl_err("iommufd: bad access unpin");
		return;
	}
	iommufd_access_unpin_range(&access->ioas_unpin->iopt, iova, last_iova);
}

int iommufd_access_pin_pages(struct iommufd_access *access, uint64_t iova,
			     uint64_t length, void **kvas, unsigned int flags)
{
	struct io_pagetable *iopt;
	struct contig_iter it;
	struct iopt_area *area;
	uint64_t last_iova;
	int rc = 0;

	if (access->iova_alignment != IOMMUFD_PAGE_SIZE || !access->ops->unmap)
		return -EINVAL;
	if (!length)
		return -EINVAL;
	if (__builtin_add_overflow(iova, length - 1, &last_iova))
		return -EOVERFLOW;
	if (!access->ioas)
		return -ENOENT;
	iopt = &access->ioas->iopt;

	for_each_contig_area(&it, area, iopt, iova, last_iova) {
		uint64_t last = MIN(last_iova, iopt_area_last_iova(area));
		uint64_t index = area_iova_to_index(area, it.cur);
		uint64_t last_index = area_iova_to_index(area, last);
		uint64_t i;

		if (area->prevent_access || !contig_is_aligned(&it, area)) {
			rc = -EINVAL;
			goto err_remove;
		}
		if (!check_area_prot(area, flags)) {
			rc = -EPERM;
			goto err_remove;
		}
		if ((flags & IOMMUFD_ACCESS_RW_WRITE) && !area->pages->writable) {
			rc = -EPERM;
			goto err_remove;
		}
		rc = iopt_pages_pin(area->pages, index, last_index);
		if (rc)
			goto err_remove;
		area->num_accesses++;
		for (i = index; i <= last_index; i++)
			*kvas++ = iopt_pages_kva(area->pages, i);
	}
	if (!it.done) {
		rc = -ENOENT;
		goto err_remove;
	}
	return 0;

err_remove:
	if (iova < it.cur)
		iommufd_access_unpin_range(iopt, iova, it.cur - 1);
	return rc;
}

/* Copy through pinned (or temporarily pinned) pages, page by page. */
static int iopt_pages_rw_slow(struct iopt_pages *pages, uint64_t start_byte,
			      uint8_t *data, uint64_t length, unsigned int flags)
{
	const struct iommufd_user_mem_ops *um = pages->um;
	bool write = flags & IOMMUFD_ACCESS_RW_WRITE;

	while (length) {
		uint64_t index = start_byte / IOMMUFD_PAGE_SIZE;
		uint64_t off = start_byte % IOMMUFD_PAGE_SIZE;
		uint64_t n = MIN(length, IOMMUFD_PAGE_SIZE - off);
		uint64_t uaddr = pages->uptr + index * IOMMUFD_PAGE_SIZE;
		void *kva = iopt_pages_kva(pages, index);
		bool temp = !kva;
		int rc;

		if (temp) {
			rc = um->pin_page(um, uaddr, write, &kva);
			if (rc)
				return rc;
		}
		if (write)
			memcpy((uint8_t *)kva + off, data, n);
		else
			memcpy(data, (uint8_t *)kva + off, n);
		if (temp)
			um->unpin_page(um, uaddr, kva);
		data += n;
		start_byte += n;
		length -= n;
	}
	return 0;
}

static bool iopt_pages_mm_alive(const struct iopt_pages *pages)
{
	return !pages->um->mm_alive || pages->um->mm_alive(pages->um);
}

/*
 * One page through the source process's memory as it is now (Linux's
 * iopt_pages_rw_page(): pin_user_pages_remote() on source_mm), falling
 * back to the pinned pages once that process has exited.
 */
static int iopt_pages_rw_page(struct iopt_pages *pages, uint64_t start_byte,
			      uint8_t *data, uint64_t length, unsigned int flags)
{
	const struct iommufd_user_mem_ops *um = pages->um;
	bool write = flags & IOMMUFD_ACCESS_RW_WRITE;
	uint64_t index = start_byte / IOMMUFD_PAGE_SIZE;
	uint64_t uaddr = pages->uptr + index * IOMMUFD_PAGE_SIZE;
	uint64_t off = start_byte % IOMMUFD_PAGE_SIZE;
	void *kva;
	int rc;

	if (!iopt_pages_mm_alive(pages))
		return iopt_pages_rw_slow(pages, start_byte, data, length, flags);
	if (should_fail("iopt_pages_rw_page"))
		return -EINVAL;
	rc = um->pin_page(um, uaddr, write, &kva);
	if (rc)
		return rc;
	if (write)
		memcpy((uint8_t *)kva + off, data, length);
	else
		memcpy(data, (uint8_t *)kva + off, length);
	um->unpin_page(um, uaddr, kva);
	return 0;
}

/*
 * Linux's iopt_pages_rw_access(). The fast path is a plain user copy in
 * the owner's address space. A task other than the owner (cur is not the
 * pages' memory) goes through the pages: one page through the owner's
 * memory as it is now, several through the pinned pages (the domain's
 * view) or pages pinned for the copy. A kernel thread adopts the owner's
 * memory while it lives, and reads the pinned pages once it is gone. The
 * selftest's SLOW_PATH flag makes any caller count as another task.
 */
static int iopt_pages_rw_access(struct iopt_pages *pages, uint64_t start_byte,
				void *data, uint64_t length, unsigned int flags,
				const struct iommufd_user_mem_ops *cur)
{
	const struct iommufd_user_mem_ops *um = pages->um;
	bool change_mm = cur != um || (flags & IOMMUFD_ACCESS_RW_SLOW_PATH);
	uint64_t first = start_byte / IOMMUFD_PAGE_SIZE;
	uint64_t last = (start_byte + length - 1) / IOMMUFD_PAGE_SIZE;

	if ((flags & IOMMUFD_ACCESS_RW_WRITE) && !pages->writable)
		return -EPERM;
	if (!(flags & IOMMUFD_ACCESS_RW_KTHREAD) && change_mm) {
		if (first == last)
			return iopt_pages_rw_page(pages, start_byte, data, length,
						  flags);
		return iopt_pages_rw_slow(pages, start_byte, data, length, flags);
	}
	if (change_mm && !iopt_pages_mm_alive(pages))
		return iopt_pages_rw_slow(pages, start_byte, data, length, flags);
	if (flags & IOMMUFD_ACCESS_RW_WRITE) {
		if (um->copy_to_user(um, pages->uptr + start_byte, data, length))
			return -EFAULT;
	} else {
		if (um->copy_from_user(um, data, pages->uptr + start_byte, length))
			return -EFAULT;
	}
	return 0;
}

int iommufd_access_rw(struct iommufd_access *access, uint64_t iova,
		      void *data, uint64_t length, unsigned int flags,
		      const struct iommufd_user_mem_ops *cur)
{
	struct contig_iter it;
	struct iopt_area *area;
	uint64_t last_iova;
	int rc = -EINVAL;

	if (!length)
		return -EINVAL;
	if (__builtin_add_overflow(iova, length - 1, &last_iova))
		return -EOVERFLOW;
	if (!access->ioas)
		return -ENOENT;

	for_each_contig_area(&it, area, &access->ioas->iopt, iova, last_iova) {
		uint64_t last = MIN(last_iova, iopt_area_last_iova(area));
		uint64_t bytes = last - it.cur + 1;

		if (area->prevent_access)
			return -EINVAL;
		if (!check_area_prot(area, flags))
			return -EPERM;
		rc = iopt_pages_rw_access(area->pages,
					  area_iova_to_byte(area, it.cur), data,
					  bytes, flags, cur);
		if (rc)
			return rc;
		data = (uint8_t *)data + bytes;
	}
	if (!it.done)
		rc = -ENOENT;
	return rc;
}

/* ---- selftest access files ---- */

struct selftest_access {
	struct list_head link;		/* in ictx->accesses */
	struct iommufd_ctx *ictx;
	uint32_t handle;
	struct iommufd_access *access;
	struct list_head items;		/* selftest_access_item.link */
	unsigned int next_id;
};

struct selftest_access_item {
	struct list_head link;
	uint64_t iova;
	uint64_t length;
	unsigned int id;
};

/* Largest ACCESS_PAGES / ACCESS_RW, as in Linux (a kvzalloc bound). */
#define SELFTEST_ACCESS_MAX (16ull * 1024 * 1024)

static struct selftest_access *iommufd_test_access_find(struct iommufd_ctx *ictx,
							uint32_t handle)
{
	struct selftest_access *staccess;

	list_for_each_entry(staccess, &ictx->accesses, link)
		if (staccess->handle == handle)
			return staccess;
	return NULL;
}

/* The access file userspace named by fd; -EBADFD if it is not one. */
static struct selftest_access *iommufd_test_access_get(struct iommufd_ctx *ictx,
						       uint32_t fd)
{
	struct selftest_access *staccess;
	uint32_t handle = fd;

	if (ictx->fops) {
		if (fd > INT32_MAX ||
		    ictx->fops->lookup(ictx->fops, (int)fd, IOMMUFD_FILE_ACCESS,
				       &handle))
			return ERR_PTR(-EBADFD);
	}
	staccess = iommufd_test_access_find(ictx, handle);
	return staccess ? staccess : ERR_PTR(-EBADFD);
}

/* The access's unmap op: drop every item intersecting the range. */
static void iommufd_test_access_unmap(void *data, uint64_t iova,
				      uint64_t length)
{
	struct selftest_access *staccess = data;
	struct selftest_access_item *item, *tmp;
	uint64_t last = length ? iova + length - 1 : iova;

	if (length && last < iova)
		last = UINT64_MAX;
	list_for_each_entry_safe(item, tmp, &staccess->items, link) {
		if (iova > item->iova + item->length - 1 || last < item->iova)
			continue;
		list_del(&item->link);
		iommufd_access_unpin_pages(staccess->access, item->iova,
					   item->length);
		free(item);
	}
}

static const struct iommufd_access_ops selftest_access_ops_pin = {
	.needs_pin_pages = true,
	.unmap = iommufd_test_access_unmap,
};

static const struct iommufd_access_ops selftest_access_ops = {
	.unmap = iommufd_test_access_unmap,
};

static void iommufd_test_staccess_release(struct selftest_access *staccess)
{
	list_del(&staccess->link);
	if (staccess->access) {
		iommufd_test_access_unmap(staccess, 0, UINT64_MAX);
		iommufd_access_destroy(staccess->access);
	}
	free(staccess);
}

int iommufd_test_access_close(struct iommufd_ctx *ictx, uint32_t handle)
{
	struct selftest_access *staccess = iommufd_test_access_find(ictx, handle);

	if (!staccess)
		return -ENOENT;
	iommufd_test_staccess_release(staccess);
	return 0;
}

void iommufd_test_release_accesses(struct iommufd_ctx *ictx)
{
	while (!list_empty(&ictx->accesses))
		iommufd_test_staccess_release(list_first_entry(&ictx->accesses,
						struct selftest_access, link));
}

int iommufd_test_create_access(struct iommufd_ucmd *ucmd, uint32_t ioas_id,
			       uint32_t flags)
{
	struct iommufd_ctx *ictx = ucmd->ictx;
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct selftest_access *staccess;
	struct iommufd_access *access;
	uint32_t id;
	int fd, rc;

	if (flags & ~MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES)
		return -EOPNOTSUPP;
	staccess = pl_zalloc(sizeof(*staccess));
	if (!staccess)
		return -ENOMEM;
	INIT_LIST_HEAD(&staccess->items);
	INIT_LIST_HEAD(&staccess->link);
	staccess->ictx = ictx;
	staccess->handle = ictx->next_access_handle;

	if (ictx->fops) {
		fd = ictx->fops->install(ictx->fops, IOMMUFD_FILE_ACCESS,
					 staccess->handle);
		if (fd < 0) {
			rc = fd;
			goto err_free;
		}
	} else {
		fd = (int)staccess->handle;
	}

	access = iommufd_access_create(ictx,
			(flags & MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES) ?
			&selftest_access_ops_pin : &selftest_access_ops,
			staccess, &id);
	if (IS_ERR(access)) {
		rc = (int)PTR_ERR(access);
		goto err_uninstall;
	}
	rc = iommufd_access_attach(access, ioas_id);
	if (rc)
		goto err_destroy;
	cmd->create_access.out_access_fd = (uint32_t)fd;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto err_destroy;

	/* Publish: the file is live from here, until its close. */
	staccess->access = access;
	ictx->next_access_handle++;
	list_add_tail(&staccess->link, &ictx->accesses);
	return 0;

err_destroy:
	iommufd_access_destroy(access);
err_uninstall:
	if (ictx->fops)
		ictx->fops->uninstall(ictx->fops, fd);
err_free:
	free(staccess);
	return rc;
}

int iommufd_test_access_replace_ioas(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct selftest_access *staccess;

	staccess = iommufd_test_access_get(ucmd->ictx, cmd->id);
	if (IS_ERR(staccess))
		return (int)PTR_ERR(staccess);
	return iommufd_access_replace(staccess->access,
				      cmd->access_replace_ioas.ioas_id);
}

int iommufd_test_access_item_destroy(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct selftest_access_item *item;
	struct selftest_access *staccess;

	staccess = iommufd_test_access_get(ucmd->ictx, cmd->id);
	if (IS_ERR(staccess))
		return (int)PTR_ERR(staccess);
	list_for_each_entry(item, &staccess->items, link) {
		if (item->id == cmd->destroy_access_pages.access_pages_id) {
			list_del(&item->link);
			iommufd_access_unpin_pages(staccess->access, item->iova,
						   item->length);
			free(item);
			return 0;
		}
	}
	return -ENOENT;
}

/* The caller's view of the pages at uptr must be the pinned ones (-EBADE). */
static int iommufd_test_check_pages(const struct iommufd_user_mem_ops *um,
				    uint64_t uptr, void **kvas, uint64_t npages)
{
	for (; npages; npages--) {
		void *kva;
		int rc;

		rc = um->pin_page(um, uptr, false, &kva);
		if (rc)
			return rc;
		um->unpin_page(um, uptr, kva);
		if (kva != *kvas)
			return -EBADE;
		kvas++;
		uptr += IOMMUFD_PAGE_SIZE;
	}
	return 0;
}

int iommufd_test_access_pages(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	uint64_t iova = cmd->access_pages.iova;
	uint64_t length = cmd->access_pages.length;
	uint64_t uptr = cmd->access_pages.uptr;
	uint32_t flags = cmd->access_pages.flags;
	struct selftest_access_item *item;
	struct selftest_access *staccess;
	uint64_t npages, end;
	void **kvas;
	int rc;

	if (length > SELFTEST_ACCESS_MAX)
		return -ENOMEM;
	if (flags & ~(MOCK_FLAGS_ACCESS_WRITE | MOCK_FLAGS_ACCESS_SYZ))
		return -EOPNOTSUPP;
	staccess = iommufd_test_access_get(ucmd->ictx, cmd->id);
	if (IS_ERR(staccess))
		return (int)PTR_ERR(staccess);
	if (staccess->access->ops != &selftest_access_ops_pin)
		return -EOPNOTSUPP;
	/* MOCK_FLAGS_ACCESS_SYZ rewrites fuzzer IOVAs; ours are used as is. */

	if (__builtin_add_overflow(iova, length, &end) ||
	    end > UINT64_MAX - IOMMUFD_PAGE_SIZE)
		return -EOVERFLOW;
	npages = ((end + IOMMUFD_PAGE_SIZE - 1) / IOMMUFD_PAGE_SIZE) -
		 iova / IOMMUFD_PAGE_SIZE;
	kvas = pl_calloc(npages ? npages : 1, sizeof(*kvas));
	if (!kvas)
		return -ENOMEM;

	rc = iommufd_access_pin_pages(staccess->access, iova, length, kvas,
				      flags & MOCK_FLAGS_ACCESS_WRITE);
	if (rc)
		goto out_free;
	/* A NULL uptr skips the check, as for syzkaller in Linux. */
	if (uptr) {
		rc = iommufd_test_check_pages(ucmd->um,
				(uptr - iova % IOMMUFD_PAGE_SIZE) & IOMMUFD_PAGE_MASK,
				kvas, npages);
		if (rc)
			goto err_unpin;
	}
	item = pl_zalloc(sizeof(*item));
	if (!item) {
		rc = -ENOMEM;
		goto err_unpin;
	}
	item->iova = iova;
	item->length = length;
	item->id = staccess->next_id;
	cmd->access_pages.out_access_pages_id = item->id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto err_free_item;
	staccess->next_id++;
	list_add_tail(&item->link, &staccess->items);
	goto out_free;

err_free_item:
	free(item);
err_unpin:
	iommufd_access_unpin_pages(staccess->access, iova, length);
out_free:
	free(kvas);
	return rc;
}

int iommufd_test_access_rw(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	uint64_t length = cmd->access_rw.length;
	uint64_t ubuf = cmd->access_rw.uptr;
	uint32_t flags = cmd->access_rw.flags;
	struct selftest_access *staccess;
	void *tmp;
	int rc;

	if (length > SELFTEST_ACCESS_MAX)
		return -ENOMEM;
	if (flags & ~(MOCK_ACCESS_RW_WRITE | MOCK_ACCESS_RW_SLOW_PATH |
		      MOCK_FLAGS_ACCESS_SYZ))
		return -EOPNOTSUPP;
	staccess = iommufd_test_access_get(ucmd->ictx, cmd->id);
	if (IS_ERR(staccess))
		return (int)PTR_ERR(staccess);

	tmp = pl_zalloc(length ? length : 1);
	if (!tmp)
		return -ENOMEM;
	if ((flags & MOCK_ACCESS_RW_WRITE) && length &&
	    ucmd->um->copy_from_user(ucmd->um, tmp, ubuf, length)) {
		rc = -EFAULT;
		goto out_free;
	}
	/* The caller's task is current (Linux: current->mm). */
	rc = iommufd_access_rw(staccess->access, cmd->access_rw.iova, tmp, length,
			       flags & (IOMMUFD_ACCESS_RW_WRITE |
					IOMMUFD_ACCESS_RW_SLOW_PATH), ucmd->um);
	if (rc)
		goto out_free;
	if (!(flags & MOCK_ACCESS_RW_WRITE) &&
	    ucmd->um->copy_to_user(ucmd->um, ubuf, tmp, length))
		rc = -EFAULT;
out_free:
	free(tmp);
	return rc;
}

_Static_assert((unsigned int)MOCK_ACCESS_RW_WRITE == IOMMUFD_ACCESS_RW_WRITE,
	       "selftest RW flag is the core flag");
_Static_assert((unsigned int)MOCK_ACCESS_RW_SLOW_PATH ==
	       IOMMUFD_ACCESS_RW_SLOW_PATH, "selftest slow path flag");
