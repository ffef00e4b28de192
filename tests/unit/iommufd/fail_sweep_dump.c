// SPDX-License-Identifier: MIT
/*
 * Canonical dumps of an iommufd context (fail_sweep_dump.h).
 */
#include "fail_sweep_dump.h"

#include <stdio.h>

#include "kernel/iommufd/iommufd_private.h"

static bool in_buffer(uint64_t uaddr)
{
	uint64_t b = (uint64_t)(uintptr_t)sweep_buf;

	return uaddr >= b && uaddr < b + sizeof(sweep_buf);
}

/* Test memory only: plain malloc, never an injection point. */
__attribute__((format(printf, 2, 3)))
static void dput(struct dump *d, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(d->buf + d->len, d->cap - d->len, fmt, ap);
		va_end(ap);
		assert_true(n >= 0);
		if ((size_t)n < d->cap - d->len) {
			d->len += (size_t)n;
			return;
		}
		d->cap = d->cap * 2 + (size_t)n + 4096;
		d->buf = realloc(d->buf, d->cap);
		assert_non_null(d->buf);
	}
}

void dump_free(struct dump *d)
{
	free(d->buf);
	memset(d, 0, sizeof(*d));
}

static unsigned int pages_name(struct dump *d, struct iopt_pages *p)
{
	unsigned int i;

	for (i = 0; i < d->nr_pages; i++)
		if (d->pages[i] == p)
			return i;
	assert_true(d->nr_pages < 64);
	d->pages[d->nr_pages] = p;
	return d->nr_pages++;
}

/* The object id a domain / IOAS / access / fault pointer belongs to. */
static uint32_t domain_owner(struct iommufd_ctx *ictx, struct iommu_domain *dom)
{
	uint32_t id;

	for (id = 1; id < ictx->nr_slots; id++) {
		struct iommufd_object *o = ictx->objs[id];

		if (o && (o->type == IOMMUFD_OBJ_HWPT_PAGING ||
			  o->type == IOMMUFD_OBJ_HWPT_NESTED) &&
		    container_of(o, struct iommufd_hw_pagetable, obj)->domain == dom)
			return id;
	}
	return 0;
}

static uint32_t obj_id(const struct iommufd_object *o)
{
	return o ? o->id : 0;
}

/* What a domain maps, as runs "iova+len->buffer offset", and its total. */
static void dump_domain(struct dump *d, struct iommufd_ctx *ictx,
			struct iommu_domain *dom, struct io_pagetable *iopt)
{
	uint64_t b = (uint64_t)(uintptr_t)sweep_buf, sum = 0;
	struct iopt_area *a;

	(void)ictx;
	if (dom->nested || !dom->ops->iova_to_phys)
		return;
	for (a = iopt_area_first(iopt, 0, UINT64_MAX); a;
	     a = iopt_area_next(iopt, a, 0, UINT64_MAX)) {
		uint64_t iova, run_iova = 0, run_phys = 0, run_len = 0;

		for (iova = iopt_area_iova(a) & ~(MOCK_PAGE - 1);
		     iova <= iopt_area_last_iova(a); iova += MOCK_PAGE) {
			uint64_t phys = dom->ops->iova_to_phys(dom, iova);

			if (phys) {
				assert_true(in_buffer(phys));
				sum += MOCK_PAGE;
			}
			if (run_len && phys && phys == run_phys + run_len) {
				run_len += MOCK_PAGE;
				continue;
			}
			if (run_len)
				dput(d, "   map %#llx+%#llx -> +%#llx\n",
				     (unsigned long long)run_iova,
				     (unsigned long long)run_len,
				     (unsigned long long)(run_phys - b));
			run_iova = iova;
			run_phys = phys;
			run_len = phys ? MOCK_PAGE : 0;
		}
		if (run_len)
			dput(d, "   map %#llx+%#llx -> +%#llx\n",
			     (unsigned long long)run_iova, (unsigned long long)run_len,
			     (unsigned long long)(run_phys - b));
	}
	/* Anything mapped outside the areas shows up as a difference here. */
	dput(d, "   mapped %#llx of which in areas %#llx\n",
	     (unsigned long long)iommufd_mock_domain_mapped(dom),
	     (unsigned long long)sum);
}

static void dump_iopt(struct dump *d, struct iommufd_ctx *ictx,
		      struct io_pagetable *iopt)
{
	struct pl_itree_node *n;
	struct iommufd_access *acc;
	struct iopt_area *a;
	unsigned int i;

	dput(d, "  align %#llx large %d domains", (unsigned long long)iopt->iova_alignment,
	     !iopt->disable_large_pages);
	for (i = 0; i < iopt->nr_domains; i++)
		dput(d, " hwpt%u", domain_owner(ictx, iopt->domains[i]));
	dput(d, "\n  accesses");
	list_for_each_entry(acc, &iopt->access_list, iopt_link)
		dput(d, " %u", acc->obj.id);
	dput(d, "\n");
	for (a = iopt_area_first(iopt, 0, UINT64_MAX); a;
	     a = iopt_area_next(iopt, a, 0, UINT64_MAX))
		dput(d, "  area [%#llx, %#llx] pages#%u +%#llx prot %d filled %d acc %u prevent %d\n",
		     (unsigned long long)iopt_area_iova(a),
		     (unsigned long long)iopt_area_last_iova(a),
		     pages_name(d, a->pages), (unsigned long long)a->start_byte,
		     a->iommu_prot, a->filled, a->num_accesses, a->prevent_access);
	for (n = pl_itree_iter_first(&iopt->reserved_itree, 0, UINT64_MAX); n;
	     n = pl_itree_iter_next(&iopt->reserved_itree, n, 0, UINT64_MAX)) {
		struct iopt_reserved *r = container_of(n, struct iopt_reserved, node);

		dput(d, "  reserved [%#llx, %#llx] by %s%u\n",
		     (unsigned long long)n->start, (unsigned long long)n->last,
		     r->owner ? "hwpt" : "user",
		     r->owner ? domain_owner(ictx, r->owner) : 0);
	}
	for (n = pl_itree_iter_first(&iopt->allowed_itree, 0, UINT64_MAX); n;
	     n = pl_itree_iter_next(&iopt->allowed_itree, n, 0, UINT64_MAX))
		dput(d, "  allowed [%#llx, %#llx]\n", (unsigned long long)n->start,
		     (unsigned long long)n->last);
}

static unsigned int list_count(const struct list_head *h)
{
	const struct list_head *p;
	unsigned int n = 0;

	for (p = h->next; p != h; p = p->next)
		n++;
	return n;
}

static struct iopt_pinned *page_pin(struct iopt_pages *p, uint64_t k)
{
	if (!p->chunks || !p->chunks[k / IOPT_PIN_CHUNK])
		return NULL;
	return &p->chunks[k / IOPT_PIN_CHUNK][k % IOPT_PIN_CHUNK];
}

static void dump_pages(struct dump *d)
{
	uint64_t b = (uint64_t)(uintptr_t)sweep_buf;
	unsigned int i;

	for (i = 0; i < d->nr_pages; i++) {
		struct iopt_pages *p = d->pages[i];
		uint64_t k;

		dput(d, " pages#%u +%#llx n %llu refs %u pinned %llu w %d acct %d\n", i,
		     (unsigned long long)(p->uptr - b), (unsigned long long)p->npages,
		     p->refs, (unsigned long long)p->npinned, p->writable,
		     p->account_mode);
		/* Runs of pages with the same users and contiguous kvas. */
		for (k = 0; p->chunks && k < p->npages;) {
			struct iopt_pinned *pin = page_pin(p, k);
			uint64_t e = k + 1;

			if (!pin || !pin->users) {
				k++;
				continue;
			}
			while (e < p->npages && page_pin(p, e) &&
			       page_pin(p, e)->users == pin->users &&
			       page_pin(p, e)->kva == (uint8_t *)pin->kva + (e - k) * PAGE)
				e++;
			dput(d, "  pages %llu-%llu users %u at +%#llx\n",
			     (unsigned long long)k, (unsigned long long)e - 1, pin->users,
			     (unsigned long long)((uint64_t)(uintptr_t)pin->kva - b));
			k = e;
		}
	}
}

void dump_ctx(struct dump *d, struct iommufd_ctx *ictx)
{
	struct iommufd_fault *fault;
	uint32_t id;

	d->len = 0;
	d->nr_pages = 0;
	dput(d, "ctx mode %d locked %llu handle %u vfio %u accesses %u pins %ld\n",
	     ictx->account_mode, (unsigned long long)ictx->acct->locked_pages,
	     ictx->next_access_handle, obj_id(ictx->vfio_ioas ? &ictx->vfio_ioas->obj : NULL),
	     list_count(&ictx->accesses), umem.pins);
	dput(d, "fault files");
	list_for_each_entry(fault, &ictx->fault_files, file_link)
		dput(d, " %u", fault->handle);
	dput(d, "\n");
	for (id = 1; id < ictx->nr_slots; id++) {
		struct iommufd_object *o = ictx->objs[id];

		if (!o)
			continue;
		dput(d, "obj %u type %d users %u final %d\n", id, o->type, o->users,
		     o->finalized);
		switch (o->type) {
		case IOMMUFD_OBJ_IOAS:
			dump_iopt(d, ictx, &container_of(o, struct iommufd_ioas, obj)->iopt);
			break;
		case IOMMUFD_OBJ_HWPT_PAGING: {
			struct iommufd_hwpt_paging *h =
				container_of(o, struct iommufd_hwpt_paging, common.obj);

			dput(d, "  ioas %u auto %d parent %d dirty %d fault %u\n",
			     obj_id(h->ioas ? &h->ioas->obj : NULL), h->auto_domain,
			     h->nest_parent, h->common.domain ? h->common.domain->dirty_ops : -1,
			     obj_id(h->common.fault ? &h->common.fault->obj : NULL));
			if (h->common.domain && h->ioas)
				dump_domain(d, ictx, h->common.domain, &h->ioas->iopt);
			break;
		}
		case IOMMUFD_OBJ_HWPT_NESTED: {
			struct iommufd_hwpt_nested *h =
				container_of(o, struct iommufd_hwpt_nested, common.obj);

			dput(d, "  parent %u fault %u domain %d\n",
			     obj_id(h->parent ? &h->parent->common.obj : NULL),
			     obj_id(h->common.fault ? &h->common.fault->obj : NULL),
			     h->common.domain != NULL);
			break;
		}
		case IOMMUFD_OBJ_DEVICE: {
			struct iommufd_device *dev = container_of(o, struct iommufd_device, obj);

			dput(d, "  hwpt %u flags %#x\n",
			     obj_id(dev->hwpt ? &dev->hwpt->obj : NULL), dev->mock_flags);
			break;
		}
		case IOMMUFD_OBJ_ACCESS: {
			struct iommufd_access *a = container_of(o, struct iommufd_access, obj);

			dput(d, "  ioas %u unpin %u align %#llx\n",
			     obj_id(a->ioas ? &a->ioas->obj : NULL),
			     obj_id(a->ioas_unpin ? &a->ioas_unpin->obj : NULL),
			     (unsigned long long)a->iova_alignment);
			break;
		}
		case IOMMUFD_OBJ_FAULT: {
			struct iommufd_fault *f = container_of(o, struct iommufd_fault, obj);

			dput(d, "  handle %u deliver %u response %u\n", f->handle,
			     list_count(&f->deliver), list_count(&f->response));
			break;
		}
		default:
			break;
		}
	}
	dump_pages(d);
}

void dump_expect_equal(const struct dump *want, const struct dump *got,
		       const char *what)
{
	if (want->len == got->len && !memcmp(want->buf, got->buf, got->len))
		return;
	print_message("--- expected (%s)\n%.*s--- got\n%.*s", what, (int)want->len,
		      want->buf, (int)got->len, got->buf);
	fail_msg("%s: the context differs", what);
}
