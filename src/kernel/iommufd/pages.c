// SPDX-License-Identifier: MIT
/*
 * iopt_pages: a range of the caller's memory an IOAS_MAP named. Pages are
 * pinned lazily, when an area over them is filled into a domain or an
 * access pins them, once per pages object whatever the number of users
 * (Linux pins each page of an iopt_pages once). Each 0 -> 1 pin charges one
 * page to the locked-memory account and fails with -ENOMEM past the limit,
 * like incr_user_locked_vm() against RLIMIT_MEMLOCK.
 */
#include <stdlib.h>
#include <string.h>

#include "base/compiler.h"
#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "kernel/iommufd/iommufd_private.h"

/* Every live pages object, so MD_CHECK_REFS can count pins of a page. */
static LIST_HEAD(iopt_pages_all);

struct iopt_pages *iopt_alloc_pages(struct iommufd_ctx *ictx,
				    const struct iommufd_user_mem_ops *um,
				    uint64_t uptr, uint64_t length, bool writable)
{
	struct iopt_pages *pages;
	uint64_t end;

	/* Linux: size_t lengths, and DIV_ROUND_UP below must not overflow. */
	if (length > UINT64_MAX - IOMMUFD_PAGE_SIZE || length == 0)
		return ERR_PTR(-EINVAL);
	if (__builtin_add_overflow(uptr, length, &end))
		return ERR_PTR(-EOVERFLOW);

	pages = pl_zalloc(sizeof(*pages));
	if (!pages)
		return ERR_PTR(-ENOMEM);
	pages->refs = 1;
	pages->uptr = uptr & IOMMUFD_PAGE_MASK;
	pages->npages = (length + (uptr - pages->uptr) + IOMMUFD_PAGE_SIZE - 1) /
			IOMMUFD_PAGE_SIZE;
	pages->writable = writable;
	pages->um = um;
	pages->acct = ictx->acct;
	if (ictx->cap_ipc_lock)
		pages->account_mode = IOPT_PAGES_ACCOUNT_NONE;
	else
		pages->account_mode = ictx->account_mode;
	pages->nr_chunks = (pages->npages + IOPT_PIN_CHUNK - 1) / IOPT_PIN_CHUNK;
	list_add_tail(&pages->all_link, &iopt_pages_all);
	return pages;
}

void iopt_get_pages_ref(struct iopt_pages *pages)
{
	pages->refs++;
}

void iopt_put_pages(struct iopt_pages *pages)
{
	uint64_t i;

	if (--pages->refs)
		return;
	/* Every area and access dropped its pins before dropping its ref. */
	if (pages->npinned)
		pl_err("iommufd: pages freed with %llu pins",
		       (unsigned long long)pages->npinned);
	list_del(&pages->all_link);
	if (pages->chunks) {
		for (i = 0; i < pages->nr_chunks; i++)
			free(pages->chunks[i]);
		free(pages->chunks);
	}
	free(pages);
}

static struct iopt_pinned *iopt_pinned_slot(struct iopt_pages *pages,
					    uint64_t index, bool alloc)
{
	uint64_t c = index / IOPT_PIN_CHUNK;

	if (!pages->chunks) {
		if (!alloc)
			return NULL;
		pages->chunks = pl_calloc(pages->nr_chunks, sizeof(*pages->chunks));
		if (!pages->chunks)
			return NULL;
	}
	if (!pages->chunks[c]) {
		if (!alloc)
			return NULL;
		pages->chunks[c] = pl_calloc(IOPT_PIN_CHUNK,
					     sizeof(*pages->chunks[c]));
		if (!pages->chunks[c])
			return NULL;
	}
	return &pages->chunks[c][index % IOPT_PIN_CHUNK];
}

static int iopt_pages_account(struct iopt_pages *pages, bool inc)
{
	struct iommufd_acct *acct = pages->acct;

	if (pages->account_mode == IOPT_PAGES_ACCOUNT_NONE)
		return 0;
	if (!inc) {
		acct->locked_pages--;
		return 0;
	}
	if (acct->locked_pages + 1 > acct->limit_pages)
		return -ENOMEM;
	acct->locked_pages++;
	return 0;
}

static int iopt_pages_pin_one(struct iopt_pages *pages, uint64_t index)
{
	struct iopt_pinned *p;
	void *kva;
	int rc;

	p = iopt_pinned_slot(pages, index, true);
	if (!p)
		return -ENOMEM;
	if (p->users) {
		p->users++;
		return 0;
	}
	rc = iopt_pages_account(pages, true);
	if (rc)
		return rc;
	rc = pages->um->pin_page(pages->um, pages->uptr + index * IOMMUFD_PAGE_SIZE,
				 pages->writable, &kva);
	if (rc) {
		iopt_pages_account(pages, false);
		return rc;
	}
	p->kva = kva;
	p->users = 1;
	pages->npinned++;
	return 0;
}

static void iopt_pages_unpin_one(struct iopt_pages *pages, uint64_t index)
{
	struct iopt_pinned *p = iopt_pinned_slot(pages, index, false);

	if (!p || !p->users) {
		pl_err("iommufd: unpin of unpinned page %llu",
		       (unsigned long long)index);
		return;
	}
	if (--p->users)
		return;
	pages->um->unpin_page(pages->um, pages->uptr + index * IOMMUFD_PAGE_SIZE,
			      p->kva);
	p->kva = NULL;
	pages->npinned--;
	iopt_pages_account(pages, false);
}

/*
 * Two fault-injection points per call, where Linux has them per batch of
 * pages (its tests shrink the batch to reach them often): pinning the user
 * pages fails before anything is pinned (pfn_reader_user_pin(): -EFAULT),
 * and charging them half-way through the range (the locked-memory update
 * of a later batch: -ENOMEM), so the sweep also unwinds a partial pin.
 */
int iopt_pages_pin(struct iopt_pages *pages, uint64_t first, uint64_t last)
{
	uint64_t i, half = first + (last - first + 1) / 2;
	int rc;

	if (should_fail("pin_user_pages"))
		return -EFAULT;
	for (i = first; i <= last; i++) {
		if (i == half && i != first && should_fail("update_locked_vm")) {
			rc = -ENOMEM;
			goto err_unpin;
		}
		rc = iopt_pages_pin_one(pages, i);
		if (rc)
			goto err_unpin;
	}
	return 0;

err_unpin:
	while (i-- > first)
		iopt_pages_unpin_one(pages, i);
	return rc;
}

void iopt_pages_unpin(struct iopt_pages *pages, uint64_t first, uint64_t last)
{
	uint64_t i;

	for (i = first; i <= last; i++)
		iopt_pages_unpin_one(pages, i);
}

void *iopt_pages_kva(struct iopt_pages *pages, uint64_t index)
{
	struct iopt_pinned *p = iopt_pinned_slot(pages, index, false);

	return p && p->users ? p->kva : NULL;
}

unsigned int iopt_pages_count_pins(void *kva)
{
	struct iopt_pages *pages;
	unsigned int n = 0;

	list_for_each_entry(pages, &iopt_pages_all, all_link) {
		uint64_t c, i;

		if (!pages->npinned)
			continue;
		for (c = 0; c < pages->nr_chunks; c++) {
			if (!pages->chunks[c])
				continue;
			for (i = 0; i < IOPT_PIN_CHUNK; i++)
				if (pages->chunks[c][i].users &&
				    pages->chunks[c][i].kva == kva)
					n++;
		}
	}
	return n;
}
