// SPDX-License-Identifier: MIT
/*
 * The io_pagetable: what an IOAS holds. Areas (IOVA ranges backed by a
 * slice of an iopt_pages), reserved ranges (that no area may cover: domain
 * apertures, test reservations) and the optional allowed ranges that bound
 * automatic IOVA allocation. While at least one domain is attached every
 * area is "filled": its pages are pinned and it is mapped into every
 * domain.
 *
 * Error rules follow Linux drivers/iommu/iommufd/io_pagetable.c.
 */
#include <stdlib.h>
#include <string.h>

#include "base/compiler.h"
#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "kernel/iommufd/iommufd_private.h"

/* Largest alignment automatic IOVA allocation aims for (a THP, 2 MiB). */
#define IOPT_MAX_ALLOC_ALIGN (2ull << 20)

static struct iopt_area *to_area(struct pl_itree_node *n)
{
	return n ? container_of(n, struct iopt_area, node) : NULL;
}

struct iopt_area *iopt_area_first(struct io_pagetable *iopt, uint64_t start,
				  uint64_t last)
{
	return to_area(pl_itree_iter_first(&iopt->area_itree, start, last));
}

struct iopt_area *iopt_area_next(struct io_pagetable *iopt,
				 struct iopt_area *area, uint64_t start,
				 uint64_t last)
{
	return to_area(pl_itree_iter_next(&iopt->area_itree, &area->node, start,
					  last));
}

void iopt_init_table(struct io_pagetable *iopt)
{
	memset(iopt, 0, sizeof(*iopt));
	pl_itree_init(&iopt->area_itree);
	pl_itree_init(&iopt->allowed_itree);
	pl_itree_init(&iopt->reserved_itree);
	INIT_LIST_HEAD(&iopt->access_list);
	/* A table with no domain can use the whole space, byte granular. */
	iopt->iova_alignment = 1;
}

static void iopt_free_itree(struct pl_itree *t, size_t node_off)
{
	while (!pl_itree_empty(t)) {
		struct pl_itree_node *n = pl_itree_iter_first(t, 0, UINT64_MAX);

		pl_itree_remove(t, n);
		free((char *)n - node_off);
	}
}

void iopt_destroy_table(struct io_pagetable *iopt)
{
	iopt_remove_reserved_iova(iopt, NULL);
	iopt_free_itree(&iopt->allowed_itree, offsetof(struct iopt_allowed, node));
	if (!pl_itree_empty(&iopt->reserved_itree) || iopt->nr_domains ||
	    !list_empty(&iopt->access_list) ||
	    !pl_itree_empty(&iopt->area_itree))
		pl_err("iommufd: io_pagetable destroyed while in use");
}

/* ---- IOVA allocation ---- */

static bool iopt_alloc_check_range(uint64_t *start, uint64_t last,
				   uint64_t length, uint64_t align,
				   uint64_t page_offset)
{
	uint64_t aligned;

	if (__builtin_add_overflow(*start, align - 1, &aligned))
		return false;
	aligned &= ~(align - 1);
	aligned |= page_offset;
	if (aligned >= last || last - aligned < length - 1)
		return false;
	*start = aligned;
	return true;
}

static uint64_t roundup_pow_of_two64(uint64_t n)
{
	return n <= 1 ? 1 : 1ull << (pl_fls64(n - 1) + 1);
}

/*
 * Find a free IOVA block for length bytes: inside an allowed range (or
 * [PAGE_SIZE, MAX - PAGE_SIZE] when none is set), outside reserved ranges
 * and areas, aligned to the power of two covering length, capped by the
 * natural alignment of uptr and by 2 MiB, keeping uptr's offset in its
 * page. Never returns IOVA 0.
 */
static int iopt_alloc_iova(struct io_pagetable *iopt, uint64_t *iova,
			   uint64_t uptr, uint64_t length)
{
	struct pl_itree *used[2] = { &iopt->reserved_itree, &iopt->area_itree };
	uint64_t page_offset = uptr % IOMMUFD_PAGE_SIZE;
	uint64_t lo = IOMMUFD_PAGE_SIZE, hi = UINT64_MAX - IOMMUFD_PAGE_SIZE;
	uint64_t align, as, al, from;

	if (length == 0 || length >= UINT64_MAX / 2)
		return -EOVERFLOW;
	if (!uptr)
		align = roundup_pow_of_two64(length);
	else
		align = MIN(roundup_pow_of_two64(length), 1ull << pl_ffs64(uptr));
	if (align >= IOPT_MAX_ALLOC_ALIGN)
		align = IOPT_MAX_ALLOC_ALIGN;
	if (align < iopt->iova_alignment)
		return -EINVAL;

	from = lo;
	for (;;) {
		uint64_t hs, hl, hfrom;

		if (pl_itree_empty(&iopt->allowed_itree)) {
			if (from != lo)
				break;
			as = lo;
			al = hi;
		} else if (!pl_itree_find_used(&iopt->allowed_itree, from, hi,
					       &as, &al)) {
			break;
		}
		from = al;	/* next allowed span starts after this one */
		if (iopt_alloc_check_range(&as, al, length, align, page_offset)) {
			hfrom = as;
			while (pl_itree_find_hole(used, 2, hfrom, al, &hs, &hl)) {
				if (iopt_alloc_check_range(&hs, hl, length, align,
							   page_offset)) {
					*iova = hs;
					return 0;
				}
				if (hl == al)
					break;
				hfrom = hl + 1;
			}
		}
		if (from >= hi)
			break;
		from++;
	}
	return -ENOSPC;
}

static int iopt_check_iova(struct io_pagetable *iopt, uint64_t iova,
			   uint64_t length)
{
	uint64_t last;

	if (iova & (iopt->iova_alignment - 1))
		return -EINVAL;
	if (__builtin_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	if (pl_itree_iter_first(&iopt->reserved_itree, iova, last))
		return -EINVAL;
	if (pl_itree_iter_first(&iopt->area_itree, iova, last))
		return -EEXIST;
	return 0;
}

/* ---- filling domains ---- */

static uint64_t area_first_index(const struct iopt_area *a)
{
	return a->start_byte / IOMMUFD_PAGE_SIZE;
}

static uint64_t area_last_index(const struct iopt_area *a)
{
	return (a->start_byte + iopt_area_length(a) - 1) / IOMMUFD_PAGE_SIZE;
}

/*
 * Map a pinned area into d: one map call per run of pages contiguous in
 * the kernel's view (what pin_page returned), as Linux maps a batch of
 * physically contiguous pages with one iommu_map().
 */
static int iopt_area_map_domain(struct iopt_area *area, struct iommu_domain *d)
{
	uint64_t iova = iopt_area_iova(area), left = iopt_area_length(area);
	uint64_t byte = area->start_byte;
	int rc;

	while (left) {
		uint64_t off = byte % IOMMUFD_PAGE_SIZE;
		uint64_t index = byte / IOMMUFD_PAGE_SIZE;
		uint64_t chunk = MIN(IOMMUFD_PAGE_SIZE - off, left);
		uint8_t *kva = iopt_pages_kva(area->pages, index);

		while (chunk < left &&
		       iopt_pages_kva(area->pages, index + 1) ==
		       kva + (index + 1 - byte / IOMMUFD_PAGE_SIZE) * IOMMUFD_PAGE_SIZE) {
			chunk = MIN(chunk + IOMMUFD_PAGE_SIZE, left);
			index++;
		}

		rc = d->ops->map(d, iova, (uint64_t)(uintptr_t)kva + off, chunk,
				 area->iommu_prot);
		if (rc)
			goto err_unmap;
		iova += chunk;
		byte += chunk;
		left -= chunk;
	}
	return 0;

err_unmap:
	if (iova != iopt_area_iova(area))
		d->ops->unmap(d, iopt_area_iova(area), iova - iopt_area_iova(area));
	return rc;
}

static void iopt_area_unmap_domain(struct iopt_area *area, struct iommu_domain *d)
{
	d->ops->unmap(d, iopt_area_iova(area), iopt_area_length(area));
}

/* Pin the area and map it into every domain of its table. */
static int iopt_area_fill_domains(struct iopt_area *area)
{
	struct io_pagetable *iopt = area->iopt;
	unsigned int i;
	int rc;

	if (!iopt->nr_domains)
		return 0;
	rc = iopt_pages_pin(area->pages, area_first_index(area),
			    area_last_index(area));
	if (rc)
		return rc;
	for (i = 0; i < iopt->nr_domains; i++) {
		rc = iopt_area_map_domain(area, iopt->domains[i]);
		if (rc)
			goto err_unmap;
	}
	area->filled = true;
	return 0;

err_unmap:
	while (i--)
		iopt_area_unmap_domain(area, iopt->domains[i]);
	iopt_pages_unpin(area->pages, area_first_index(area), area_last_index(area));
	return rc;
}

static void iopt_area_unfill_domains(struct iopt_area *area)
{
	struct io_pagetable *iopt = area->iopt;
	unsigned int i;

	if (!area->filled)
		return;
	for (i = 0; i < iopt->nr_domains; i++)
		iopt_area_unmap_domain(area, iopt->domains[i]);
	iopt_pages_unpin(area->pages, area_first_index(area), area_last_index(area));
	area->filled = false;
}

/* ---- mapping ---- */

struct iopt_pages_elm {
	struct iopt_pages *pages;	/* holds a reference */
	uint64_t start_byte;
	uint64_t length;
	struct iopt_area *area;
};

static void iopt_free_elms(struct iopt_pages_elm *elms, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(elms[i].area);
		if (elms[i].pages)
			iopt_put_pages(elms[i].pages);
	}
	free(elms);
}

static int iopt_insert_area(struct io_pagetable *iopt, struct iopt_area *area,
			    struct iopt_pages *pages, uint64_t iova,
			    uint64_t start_byte, uint64_t length, int prot)
{
	uint64_t last_byte;

	if ((prot & IOMMUFD_PROT_WRITE) && !pages->writable)
		return -EPERM;
	area->iommu_prot = prot;
	if ((start_byte % IOMMUFD_PAGE_SIZE) & (iopt->iova_alignment - 1))
		return -EINVAL;
	area->node.start = iova;
	if (__builtin_add_overflow(iova, length - 1, &area->node.last))
		return -EOVERFLOW;
	if (__builtin_add_overflow(start_byte, length - 1, &last_byte))
		return -EOVERFLOW;
	if (last_byte / IOMMUFD_PAGE_SIZE >= pages->npages)
		return -EOVERFLOW;
	area->start_byte = start_byte;
	area->pages = pages;
	area->iopt = iopt;
	pl_itree_insert(&iopt->area_itree, &area->node);
	return 0;
}

/*
 * Place the elements back to back from *dst_iova (allocated when
 * alloc_iova). All or nothing: on error nothing is left in the table. On
 * success the areas own the pages references of the elements.
 */
static int iopt_map_elms(struct io_pagetable *iopt, struct iopt_pages_elm *elms,
			 size_t n, uint64_t length, uint64_t *dst_iova, int prot,
			 bool alloc_iova)
{
	uint64_t iova;
	size_t i, done = 0;
	int rc;

	for (i = 0; i < n; i++) {
		elms[i].area = pl_zalloc(sizeof(*elms[i].area));
		if (!elms[i].area)
			return -ENOMEM;
	}
	if ((length & (iopt->iova_alignment - 1)) || !length)
		return -EINVAL;

	if (alloc_iova) {
		rc = iopt_alloc_iova(iopt, dst_iova,
				     elms[0].pages->uptr + elms[0].start_byte,
				     length);
		if (rc)
			return rc;
	} else {
		rc = iopt_check_iova(iopt, *dst_iova, length);
		if (rc)
			return rc;
	}

	iova = *dst_iova;
	for (i = 0; i < n; i++) {
		rc = iopt_insert_area(iopt, elms[i].area, elms[i].pages, iova,
				      elms[i].start_byte, elms[i].length, prot);
		if (rc)
			goto err_remove;
		iova += elms[i].length;
	}

	for (done = 0; done < n; done++) {
		rc = iopt_area_fill_domains(elms[done].area);
		if (rc)
			goto err_unfill;
	}

	/* Publish: each area now owns its element's pages reference. */
	for (i = 0; i < n; i++) {
		elms[i].pages = NULL;
		elms[i].area = NULL;
	}
	return 0;

err_unfill:
	while (done--)
		iopt_area_unfill_domains(elms[done].area);
	i = n;
err_remove:
	while (i--) {
		pl_itree_remove(&iopt->area_itree, &elms[i].area->node);
		elms[i].area->iopt = NULL;
	}
	return rc;
}

int iopt_map_user_pages(struct iommufd_ctx *ictx, struct io_pagetable *iopt,
			const struct iommufd_user_mem_ops *um, uint64_t *iova,
			uint64_t uptr, uint64_t length, int iommu_prot,
			bool alloc_iova)
{
	struct iopt_pages_elm *elm;
	int rc;

	elm = pl_zalloc(sizeof(*elm));
	if (!elm)
		return -ENOMEM;
	elm->pages = iopt_alloc_pages(ictx, um, uptr, length,
				      iommu_prot & IOMMUFD_PROT_WRITE);
	if (IS_ERR(elm->pages)) {
		rc = (int)PTR_ERR(elm->pages);
		elm->pages = NULL;
		goto out_free;
	}
	elm->start_byte = uptr - elm->pages->uptr;
	elm->length = length;
	rc = iopt_map_elms(iopt, elm, 1, length, iova, iommu_prot, alloc_iova);
out_free:
	iopt_free_elms(elm, 1);
	return rc;
}

/*
 * The pages behind [iova, iova + length): contiguous areas, the first
 * covering iova and each next one starting right after the previous.
 */
static int iopt_get_pages(struct io_pagetable *iopt, uint64_t iova,
			  uint64_t length, struct iopt_pages_elm **out,
			  size_t *out_n)
{
	struct iopt_pages_elm *elms = NULL, *tmp;
	struct iopt_area *area;
	uint64_t last, cur = iova;
	size_t n = 0;
	int rc;

	if (!length)
		return -EINVAL;
	if (__builtin_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;

	area = iopt_area_first(iopt, iova, iova);
	while (area) {
		uint64_t alast = iopt_area_last_iova(area);
		uint64_t end = MIN(last, alast);

		tmp = pl_realloc(elms, (n + 1) * sizeof(*elms));
		if (!tmp) {
			rc = -ENOMEM;
			goto err_free;
		}
		elms = tmp;
		elms[n].pages = area->pages;
		iopt_get_pages_ref(area->pages);
		elms[n].start_byte = area->start_byte + (cur - iopt_area_iova(area));
		elms[n].length = end - cur + 1;
		elms[n].area = NULL;
		n++;
		if (alast >= last) {
			*out = elms;
			*out_n = n;
			return 0;
		}
		cur = alast + 1;
		area = iopt_area_first(iopt, cur, cur);
		if (area && iopt_area_iova(area) != cur)
			area = NULL;
	}
	rc = -ENOENT;
err_free:
	iopt_free_elms(elms, n);
	return rc;
}

int iopt_copy(struct io_pagetable *dst, struct io_pagetable *src,
	      uint64_t src_iova, uint64_t length, uint64_t *dst_iova,
	      int iommu_prot, bool alloc_iova)
{
	struct iopt_pages_elm *elms = NULL;
	size_t n = 0;
	int rc;

	rc = iopt_get_pages(src, src_iova, length, &elms, &n);
	if (rc)
		return rc;
	rc = iopt_map_elms(dst, elms, n, length, dst_iova, iommu_prot,
			   alloc_iova);
	iopt_free_elms(elms, n);
	return rc;
}

/* ---- unmapping ---- */

static void iopt_destroy_area(struct io_pagetable *iopt, struct iopt_area *area)
{
	struct iopt_pages *pages = area->pages;

	iopt_area_unfill_domains(area);
	pl_itree_remove(&iopt->area_itree, &area->node);
	free(area);
	iopt_put_pages(pages);
}

/*
 * Unmap every area inside [start, last]. An area only partly inside stops
 * the walk with -ENOENT (areas are never split), keeping what was already
 * unmapped unmapped, as Linux does.
 */
static int iopt_unmap_iova_range(struct io_pagetable *iopt, uint64_t start,
				 uint64_t last, uint64_t *unmapped)
{
	struct iopt_area *area;
	uint64_t bytes = 0;
	int rc = 0;

	while ((area = iopt_area_first(iopt, start, last))) {
		uint64_t afirst = iopt_area_iova(area);
		uint64_t alast = iopt_area_last_iova(area);

		if (afirst < start || alast > last) {
			rc = -ENOENT;
			break;
		}
		if (area->num_accesses) {
			/*
			 * Ask the accesses to drop their pins first; no new
			 * pins may land in the area meanwhile. One that keeps
			 * its pins deadlocks the unmap (Linux gives up after
			 * retrying; nothing here could change on a retry).
			 */
			area->prevent_access = true;
			iommufd_access_notify_unmap(iopt, afirst,
						    alast - afirst + 1);
			if (area->num_accesses) {
				rc = -EDEADLK;
				break;
			}
		}
		iopt_destroy_area(iopt, area);
		bytes += alast - afirst + 1;
		if (alast >= last)
			break;
		start = alast + 1;
	}
	if (unmapped)
		*unmapped = bytes;
	return rc;
}

int iopt_unmap_iova(struct io_pagetable *iopt, uint64_t iova, uint64_t length,
		    uint64_t *unmapped)
{
	uint64_t last;

	if (!length)
		return -EINVAL;
	if (__builtin_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	return iopt_unmap_iova_range(iopt, iova, last, unmapped);
}

int iopt_unmap_all(struct io_pagetable *iopt, uint64_t *unmapped)
{
	return iopt_unmap_iova_range(iopt, 0, UINT64_MAX, unmapped);
}

/* ---- cutting areas (VFIO type1 v1 partial unmap) ---- */

/*
 * Split area so that one part ends at iova. Both parts share the pages; a
 * filled area keeps its domain mappings. The cut is aligned to the IOVA
 * alignment, which is at least PAGE_SIZE when cuts are made (type1 v1
 * disables large pages), so the halves pin disjoint pages.
 */
static int iopt_area_split(struct iopt_area *area, uint64_t iova)
{
	struct io_pagetable *iopt = area->iopt;
	uint64_t align = iopt->iova_alignment;
	uint64_t start = iopt_area_iova(area), last = iopt_area_last_iova(area);
	uint64_t new_start = iova + 1, rhs_byte;
	struct iopt_area *rhs;

	if (iova == start || iova == last)
		return 0;
	if (area->prevent_access)
		return -EBUSY;
	rhs_byte = area->start_byte + (new_start - start);
	if ((new_start & (align - 1)) || (rhs_byte & (align - 1)))
		return -EINVAL;
	/* Access pins are recorded per range and cannot be split. */
	if (area->num_accesses)
		return -EINVAL;
	rhs = pl_zalloc(sizeof(*rhs));
	if (!rhs)
		return -ENOMEM;
	pl_itree_remove(&iopt->area_itree, &area->node);
	area->node.last = iova;
	pl_itree_insert(&iopt->area_itree, &area->node);
	rhs->node.start = new_start;
	rhs->node.last = last;
	rhs->iopt = iopt;
	rhs->pages = area->pages;
	iopt_get_pages_ref(area->pages);	/* the new half's reference */
	rhs->start_byte = rhs_byte;
	rhs->iommu_prot = area->iommu_prot;
	rhs->filled = area->filled;
	pl_itree_insert(&iopt->area_itree, &rhs->node);
	return 0;
}

int iopt_cut_iova(struct io_pagetable *iopt, const uint64_t *iovas,
		  size_t num_iovas)
{
	size_t i;
	int rc;

	for (i = 0; i < num_iovas; i++) {
		struct iopt_area *area = iopt_area_first(iopt, iovas[i], iovas[i]);

		if (!area)
			continue;
		rc = iopt_area_split(area, iovas[i]);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- allowed and reserved ranges ---- */

/*
 * Swap in the new allowed set atomically: on success *allowed holds the old
 * set, on -EADDRINUSE (a reserved range intersects) it still holds the new
 * one; the caller frees whatever *allowed holds.
 */
int iopt_set_allow_iova(struct io_pagetable *iopt, struct pl_itree *allowed)
{
	struct pl_itree_node *n;

	pl_itree_swap(&iopt->allowed_itree, allowed);
	for (n = pl_itree_iter_first(&iopt->allowed_itree, 0, UINT64_MAX); n;
	     n = pl_itree_iter_next(&iopt->allowed_itree, n, 0, UINT64_MAX)) {
		if (pl_itree_iter_first(&iopt->reserved_itree, n->start, n->last)) {
			pl_itree_swap(&iopt->allowed_itree, allowed);
			return -EADDRINUSE;
		}
	}
	return 0;
}

int iopt_reserve_iova(struct io_pagetable *iopt, uint64_t start, uint64_t last,
		      void *owner)
{
	struct iopt_reserved *r;

	if (pl_itree_iter_first(&iopt->area_itree, start, last) ||
	    pl_itree_iter_first(&iopt->allowed_itree, start, last))
		return -EADDRINUSE;
	r = pl_zalloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->node.start = start;
	r->node.last = last;
	r->owner = owner;
	pl_itree_insert(&iopt->reserved_itree, &r->node);
	return 0;
}

void iopt_remove_reserved_iova(struct io_pagetable *iopt, void *owner)
{
	struct pl_itree_node *n, *next;

	for (n = pl_itree_iter_first(&iopt->reserved_itree, 0, UINT64_MAX); n;
	     n = next) {
		struct iopt_reserved *r = container_of(n, struct iopt_reserved, node);

		next = pl_itree_iter_next(&iopt->reserved_itree, n, 0, UINT64_MAX);
		if (r->owner == owner) {
			pl_itree_remove(&iopt->reserved_itree, n);
			free(r);
		}
	}
}

/* ---- domains ---- */

static uint64_t domain_min_pgsize(const struct iommu_domain *d)
{
	return 1ull << pl_ffs64(d->pgsize_bitmap);
}

static int iopt_check_iova_alignment(struct io_pagetable *iopt, uint64_t align)
{
	struct iopt_area *a;

	for (a = iopt_area_first(iopt, 0, UINT64_MAX); a;
	     a = iopt_area_next(iopt, a, 0, UINT64_MAX))
		if ((iopt_area_iova(a) & (align - 1)) ||
		    (iopt_area_length(a) & (align - 1)) ||
		    ((a->start_byte % IOMMUFD_PAGE_SIZE) & (align - 1)))
			return -EADDRINUSE;
	return 0;
}

static int iopt_calculate_iova_alignment(struct io_pagetable *iopt)
{
	struct iommufd_access *access;
	uint64_t align = iopt->disable_large_pages ? IOMMUFD_PAGE_SIZE : 1;
	unsigned int i;
	int rc;

	for (i = 0; i < iopt->nr_domains; i++)
		align = MAX(align, domain_min_pgsize(iopt->domains[i]));
	list_for_each_entry(access, &iopt->access_list, iopt_link)
		align = MAX(align, access->iova_alignment);
	if (align > iopt->iova_alignment) {
		rc = iopt_check_iova_alignment(iopt, align);
		if (rc)
			return rc;
	}
	iopt->iova_alignment = align;
	return 0;
}

/*
 * Attach a domain: it must take PAGE_SIZE pages, everything outside its
 * aperture becomes reserved (failing with -EADDRINUSE if an area or an
 * allowed range lies there), and every existing area is mapped into it.
 */
int iopt_table_add_domain(struct io_pagetable *iopt, struct iommu_domain *d)
{
	uint64_t align;
	struct iopt_area *a, *b;
	unsigned int i;
	int rc;

	for (i = 0; i < iopt->nr_domains; i++)
		if (iopt->domains[i] == d)
			return -EEXIST;
	if (iopt->nr_domains == IOPT_MAX_DOMAINS)
		return -ENOSPC;

	align = MAX(domain_min_pgsize(d), iopt->iova_alignment);
	if (align > IOMMUFD_PAGE_SIZE)
		return -EINVAL;
	if (align != iopt->iova_alignment) {
		rc = iopt_check_iova_alignment(iopt, align);
		if (rc)
			return rc;
	}
	if (d->aperture_start != 0) {
		rc = iopt_reserve_iova(iopt, 0, d->aperture_start - 1, d);
		if (rc)
			goto err_reserved;
	}
	if (d->aperture_end != UINT64_MAX) {
		rc = iopt_reserve_iova(iopt, d->aperture_end + 1, UINT64_MAX, d);
		if (rc)
			goto err_reserved;
	}

	for (a = iopt_area_first(iopt, 0, UINT64_MAX); a;
	     a = iopt_area_next(iopt, a, 0, UINT64_MAX)) {
		bool pinned_here = !a->filled;

		if (pinned_here) {
			rc = iopt_pages_pin(a->pages, area_first_index(a),
					    area_last_index(a));
			if (rc)
				goto err_unfill;
		}
		rc = iopt_area_map_domain(a, d);
		if (rc) {
			if (pinned_here)
				iopt_pages_unpin(a->pages, area_first_index(a),
						 area_last_index(a));
			goto err_unfill;
		}
		a->filled = true;
	}

	iopt->iova_alignment = align;
	iopt->domains[iopt->nr_domains++] = d;
	return 0;

err_unfill:
	for (b = iopt_area_first(iopt, 0, UINT64_MAX); b != a;
	     b = iopt_area_next(iopt, b, 0, UINT64_MAX)) {
		iopt_area_unmap_domain(b, d);
		if (!iopt->nr_domains) {
			iopt_pages_unpin(b->pages, area_first_index(b),
					 area_last_index(b));
			b->filled = false;
		}
	}
err_reserved:
	iopt_remove_reserved_iova(iopt, d);
	return rc;
}

void iopt_table_remove_domain(struct io_pagetable *iopt, struct iommu_domain *d)
{
	struct iopt_area *a;
	unsigned int i;

	for (i = 0; i < iopt->nr_domains; i++)
		if (iopt->domains[i] == d)
			break;
	if (i == iopt->nr_domains) {
		pl_err("iommufd: removing a domain that is not attached");
		return;
	}
	iopt->domains[i] = iopt->domains[--iopt->nr_domains];

	for (a = iopt_area_first(iopt, 0, UINT64_MAX); a;
	     a = iopt_area_next(iopt, a, 0, UINT64_MAX)) {
		if (!a->filled)
			continue;
		iopt_area_unmap_domain(a, d);
		if (!iopt->nr_domains) {
			iopt_pages_unpin(a->pages, area_first_index(a),
					 area_last_index(a));
			a->filled = false;
		}
	}
	iopt_remove_reserved_iova(iopt, d);
	if (iopt_calculate_iova_alignment(iopt))
		pl_err("iommufd: alignment check failed on domain removal");
}

/*
 * An access that pins pages needs page aligned areas: raise the alignment,
 * or fail with -EADDRINUSE if an existing area is not aligned.
 */
int iopt_add_access(struct io_pagetable *iopt, struct iommufd_access *access)
{
	int rc;

	list_add_tail(&access->iopt_link, &iopt->access_list);
	rc = iopt_calculate_iova_alignment(iopt);
	if (rc)
		list_del(&access->iopt_link);
	return rc;
}

/* The access has already left iopt->access_list; recompute without it. */
void iopt_remove_access(struct io_pagetable *iopt,
			struct iommufd_access *access)
{
	(void)access;
	if (iopt_calculate_iova_alignment(iopt))
		pl_err("iommufd: alignment check failed on access removal");
}

int iopt_disable_large_pages(struct io_pagetable *iopt)
{
	int rc;

	if (iopt->disable_large_pages)
		return 0;
	/* Not once domains already have pages mapped in them. */
	if (iopt->nr_domains && !pl_itree_empty(&iopt->area_itree))
		return -EINVAL;
	iopt->disable_large_pages = true;
	rc = iopt_calculate_iova_alignment(iopt);
	if (rc)
		iopt->disable_large_pages = false;
	return rc;
}

void iopt_enable_large_pages(struct io_pagetable *iopt)
{
	iopt->disable_large_pages = false;
	if (iopt_calculate_iova_alignment(iopt))
		pl_err("iommufd: alignment check failed enabling large pages");
}
