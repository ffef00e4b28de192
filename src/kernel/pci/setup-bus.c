// SPDX-License-Identifier: MIT
/*
 * Resource assignment, the way Linux's setup-bus.c does it, on the object
 * tree only (no hardware access; setup-res.c programs the result):
 *
 *  1. Claim (top-down): a resource firmware left an address in is kept when
 *     it lies inside a window of its bus that is itself fixed (a host
 *     aperture or a claimed bridge window) and overlaps nothing claimed
 *     before it. Everything else is released and reassigned.
 *  2. Size (bottom-up): each unclaimed bridge window gets the size of its
 *     children packed largest-alignment-first (Linux pbus_size_mem), rounded
 *     to the bridge's granularity: 1 MiB for memory, 4 KiB for I/O
 *     (PCI-to-PCI Bridge r1.2 §3.2.5.6, §3.2.5.8, §3.2.5.9).
 *  3. Place (top-down): host apertures first, then each bridge window's
 *     children inside it, first fit at the lowest aligned address.
 *
 * Routing: 64-bit prefetchable BARs (and child prefetchable windows) go in
 * the prefetchable window when every bridge from the host down implements a
 * 64-bit prefetchable window and the host has a prefetchable aperture;
 * everything else memory goes in the non-prefetchable window (legal: a
 * prefetchable BAR may live in non-prefetchable space, PCI r3.0 §6.2.5.1).
 *
 * When something does not fit, the round is redone after one change:
 *   - if it had to fit in a claimed (firmware) bridge window, that window
 *     and everything claimed through it are released, to be resized
 *     (Linux releases failed bridge windows between rounds);
 *   - else the largest resource responsible is moved from the
 *     prefetchable to the non-prefetchable window if it could fit there,
 *     or given up on and reported ("can't assign; no space").
 * This ends: nothing becomes claimed after the claim pass, so each window
 * is released at most once; FALLBACK is cleared only by such a release, so
 * it is set at most twice per resource; FAILED is final.
 */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "kernel/pci/pci_internal.h"

struct pci_item {
	struct pci_dev *dev;
	unsigned int idx;
	uint64_t size, align;
};

struct pci_range {
	uint64_t start, end;
};

struct pci_assign_ctx {
	struct pci_subsys *sys;
	struct pci_item *items;
	struct pci_range *ranges;
	size_t cap;
	/* First placement failure of the round. */
	struct pci_dev *fail_dev;
	unsigned int fail_idx;
};

static bool pci_is_iov_idx(unsigned int idx)
{
	return idx >= PCI_IOV_RESOURCES && idx <= PCI_IOV_RESOURCE_END;
}

static bool pci_is_window_idx(unsigned int idx)
{
	return idx >= PCI_BRIDGE_RESOURCES && idx < PCI_NUM_RESOURCES;
}

/* Which window of bus (dev sits on bus) resource idx belongs in, or -1. */
static int pci_res_route(const struct pci_bus *bus, const struct pci_dev *dev,
			 unsigned int idx)
{
	const struct pci_resource *r = &dev->resource[idx];
	bool want_pref;

	if (!r->flags || (r->state & (PCI_RES_FAILED | PCI_RES_UNUSED)))
		return -1;
	/* SR-IOV VF BARs are handled by the SR-IOV code, not here yet. */
	if (pci_is_iov_idx(idx))
		return -1;
	if (r->flags & IORESOURCE_IO)
		return PCI_WIN_IO;
	if (!(r->flags & IORESOURCE_MEM))
		return -1;
	if (r->state & PCI_RES_HOST64)
		return PCI_WIN_PREF;
	want_pref = idx == PCI_BRIDGE_PREF_MEM_WINDOW ||
		    ((r->flags & IORESOURCE_PREFETCH) && (r->flags & IORESOURCE_MEM_64));
	if (want_pref && bus->pref_ok && !(r->state & PCI_RES_FALLBACK))
		return PCI_WIN_PREF;
	return PCI_WIN_MEM;
}

static uint64_t pci_res_align(const struct pci_resource *r, unsigned int idx)
{
	if (pci_is_window_idx(idx))
		return r->align;
	return pci_resource_size(r);	/* BARs are naturally aligned */
}

static void pci_res_release(struct pci_resource *r)
{
	uint64_t size = r->end - r->start + 1;

	r->state &= ~(PCI_RES_FW | PCI_RES_FIXED | PCI_RES_HOST64);
	r->flags |= IORESOURCE_UNSET;
	r->start = 0;
	r->end = size - 1;
}

static bool pci_window_usable(const struct pci_resource *w)
{
	return w->flags && !(w->flags & IORESOURCE_DISABLED) &&
	       !(w->state & PCI_RES_UNUSED);
}

/* Does r overlap a claimed resource routed to window i of bus? */
static bool pci_claim_conflict(const struct pci_bus *bus, int i,
			       const struct pci_resource *r)
{
	struct pci_dev *dev;
	unsigned int idx;

	list_for_each_entry(dev, &bus->devices, bus_list) {
		for (idx = 0; idx < PCI_NUM_RESOURCES; idx++) {
			const struct pci_resource *o = &dev->resource[idx];

			if (o == r || !(o->state & PCI_RES_FIXED) ||
			    pci_res_route(bus, dev, idx) != i ||
			    !pci_resource_size(o))
				continue;
			if (o->start <= r->end && r->start <= o->end)
				return true;
		}
	}
	return false;
}

static bool pci_claim_in(const struct pci_bus *bus, int i, const struct pci_resource *r)
{
	const struct pci_resource *w = bus->window[i];

	if (!pci_window_usable(w) || !(w->state & PCI_RES_FIXED))
		return false;
	if (r->start < w->start || r->end > w->end || r->end < r->start)
		return false;
	return !pci_claim_conflict(bus, i, r);
}

/* The largest aperture each window of child can reach from the host.
 * Claimed (firmware) windows do not bound it: one that is too small is
 * released and resized (pci_handle_failure). */
static void pci_child_avail(const struct pci_bus *bus, struct pci_bus *child)
{
	int i;

	for (i = 0; i < PCI_WIN_NR; i++) {
		const struct pci_resource *w = child->window[i];
		uint64_t avail = bus->avail[i];

		if (i == PCI_WIN_PREF && !child->pref_ok)
			avail = 0;
		if (!pci_window_usable(w))
			avail = 0;
		child->avail[i] = avail;
	}
}

static void pci_bus_update_avail(struct pci_bus *bus)
{
	struct pci_bus *child;

	list_for_each_entry(child, &bus->children, node) {
		pci_child_avail(bus, child);
		pci_bus_update_avail(child);
	}
}

/*
 * Top-down: decide per bus which windows its path can use, and claim
 * firmware assignments (Linux pcibios_resource_survey / pci_claim_resource).
 */
static void pci_bus_claim(struct pci_bus *bus)
{
	struct pci_bus *child;
	struct pci_dev *dev;
	unsigned int idx;
	int i;

	list_for_each_entry(dev, &bus->devices, bus_list) {
		for (idx = 0; idx < PCI_NUM_RESOURCES; idx++) {
			struct pci_resource *r = &dev->resource[idx];

			if (!r->flags || pci_is_iov_idx(idx))
				continue;
			if (pci_is_window_idx(idx) && !dev->subordinate) {
				/* Nothing behind it: the window stays shut. */
				r->state |= PCI_RES_UNUSED;
				continue;
			}
			if (idx == PCI_BRIDGE_PREF_MEM_WINDOW &&
			    !(dev->subordinate->pref_ok)) {
				r->state |= PCI_RES_UNUSED;
				continue;
			}
			if (!(r->state & PCI_RES_FW))
				continue;
			i = pci_res_route(bus, dev, idx);
			if (i < 0)
				continue;
			if (pci_claim_in(bus, i, r)) {
				r->state |= PCI_RES_FIXED;
				continue;
			}
			/* A prefetchable resource may sit in the non-pref window. */
			if (i == PCI_WIN_PREF) {
				r->state |= PCI_RES_FALLBACK;
				if (pci_claim_in(bus, PCI_WIN_MEM, r)) {
					r->state |= PCI_RES_FIXED;
					continue;
				}
				r->state &= ~PCI_RES_FALLBACK;
			}
			/*
			 * Firmware may place a non-prefetchable 64-bit BAR above
			 * 4 GiB directly on a root bus (virtio devices on cloud
			 * VMs do). A host bridge window is an ACPI _CRS range,
			 * not a bridge's prefetchable window, so Linux claims it
			 * there; our host's 64-bit window stands for that range.
			 */
			if (i == PCI_WIN_MEM && !bus->parent && (r->flags & IORESOURCE_MEM_64)) {
				r->state |= PCI_RES_HOST64;
				if (pci_claim_in(bus, PCI_WIN_PREF, r)) {
					r->state |= PCI_RES_FIXED;
					continue;
				}
				r->state &= ~PCI_RES_HOST64;
			}
			pci_res_release(r);
		}
	}

	list_for_each_entry(child, &bus->children, node) {
		pci_child_avail(bus, child);
		pci_bus_claim(child);
	}
}

/* Top-down, before claiming: which paths can use a prefetchable window. */
static void pci_bus_prepare(struct pci_bus *bus)
{
	struct pci_bus *child;

	list_for_each_entry(child, &bus->children, node) {
		struct pci_dev *br = child->self;

		child->pref_ok = bus->pref_ok && br->pref_window && br->pref_64;
		pci_bus_prepare(child);
	}
}

static int pci_item_cmp(const void *pa, const void *pb)
{
	const struct pci_item *a = pa, *b = pb;
	int c;

	if (a->align != b->align)
		return a->align > b->align ? -1 : 1;
	if (a->size != b->size)
		return a->size > b->size ? -1 : 1;
	c = strcmp(pci_name(a->dev), pci_name(b->dev));
	if (c)
		return c;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/*
 * Give up on resource idx of dev, or first try it in the non-prefetchable
 * window. Returns -ENOMEM only if the problem cannot be recorded.
 */
static int pci_res_give_up(struct pci_assign_ctx *ctx, struct pci_dev *dev,
			   unsigned int idx)
{
	struct pci_resource *r = &dev->resource[idx];
	char buf[96];

	if (pci_res_route(dev->bus, dev, idx) == PCI_WIN_PREF &&
	    pci_resource_size(r) <= dev->bus->avail[PCI_WIN_MEM]) {
		r->state |= PCI_RES_FALLBACK;
		pl_info("pci %s: %s %s: no space in prefetchable window, trying non-prefetchable",
			pci_name(dev), pci_resource_name(dev, idx),
			pci_resource_str(r, buf, sizeof(buf)));
		return 0;
	}
	r->state |= PCI_RES_FAILED;
	pci_res_release(r);
	return pci_problem_add(ctx->sys, pci_name(dev), "%s %s: can't assign; no space",
			       pci_resource_name(dev, idx),
			       pci_resource_str(r, buf, sizeof(buf)));
}

/*
 * Give up early on BARs larger than any aperture their path reaches (a
 * 4 GiB BAR under a 1 GiB window): no amount of packing makes them fit.
 */
static int pci_bus_precheck(struct pci_assign_ctx *ctx, struct pci_bus *bus)
{
	struct pci_bus *child;
	struct pci_dev *dev;
	unsigned int idx;
	int i, rc;

	list_for_each_entry(dev, &bus->devices, bus_list) {
		for (idx = 0; idx < PCI_BRIDGE_RESOURCES; idx++) {
			struct pci_resource *r = &dev->resource[idx];

			i = pci_res_route(bus, dev, idx);
			if (i < 0 || (r->state & PCI_RES_FIXED) ||
			    pci_resource_size(r) <= bus->avail[i])
				continue;
			rc = pci_res_give_up(ctx, dev, idx);
			if (rc < 0)
				return rc;
		}
	}
	list_for_each_entry(child, &bus->children, node) {
		rc = pci_bus_precheck(ctx, child);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Collect the unclaimed resources of bus that go in window i, sorted. */
static int pci_collect(struct pci_assign_ctx *ctx, struct pci_bus *bus, int i,
		       size_t *nr)
{
	struct pci_dev *dev;
	unsigned int idx;

	*nr = 0;
	list_for_each_entry(dev, &bus->devices, bus_list) {
		for (idx = 0; idx < PCI_NUM_RESOURCES; idx++) {
			struct pci_resource *r = &dev->resource[idx];
			uint64_t size;

			if (pci_res_route(bus, dev, idx) != i ||
			    (r->state & PCI_RES_FIXED))
				continue;
			size = pci_resource_size(r);
			if (!size)
				continue;
			ctx->items[*nr] = (struct pci_item){
				.dev = dev, .idx = idx, .size = size,
				.align = pci_res_align(r, idx),
			};
			(*nr)++;
		}
	}
	qsort(ctx->items, *nr, sizeof(*ctx->items), pci_item_cmp);
	return 0;
}

/* Bottom-up: size every unclaimed bridge window below (and of) bus. */
static int pci_bus_size(struct pci_assign_ctx *ctx, struct pci_bus *bus)
{
	struct pci_bus *child;
	size_t nr, k;
	int i, rc;

	list_for_each_entry(child, &bus->children, node) {
		rc = pci_bus_size(ctx, child);
		if (rc < 0)
			return rc;
	}
	if (!bus->self)
		return 0;

	for (i = 0; i < PCI_WIN_NR; i++) {
		struct pci_resource *w = bus->window[i];
		uint64_t gran = i == PCI_WIN_IO ? PCI_BRIDGE_IO_GRAN : PCI_BRIDGE_MEM_GRAN;
		uint64_t off = 0, size, align = gran;
		bool overflow = false;

		if (!w->flags || (w->state & (PCI_RES_FIXED | PCI_RES_UNUSED)))
			continue;
		rc = pci_collect(ctx, bus, i, &nr);
		if (rc < 0)
			return rc;
		for (k = 0; k < nr; k++) {
			uint64_t a = ctx->items[k].align;

			if (a > align)
				align = a;
			off = ALIGN_UP(off, a);
			overflow |= off == 0 && k > 0;
			overflow |= __builtin_add_overflow(off, ctx->items[k].size, &off);
		}
		size = ALIGN_UP(off, gran);
		overflow |= size < off;
		w->state &= ~PCI_RES_FW;
		w->start = 0;
		if (!nr) {
			w->flags |= IORESOURCE_DISABLED | IORESOURCE_UNSET;
			w->end = 0;
			w->align = 0;
			continue;
		}
		/* Too big to ever be placed: the placement pass reports it. */
		if (overflow)
			size = UINT64_MAX & ~(gran - 1);
		w->flags &= ~IORESOURCE_DISABLED;
		w->flags |= IORESOURCE_UNSET;
		w->end = size - 1;
		w->align = align;
	}
	return 0;
}

/* Lowest aligned address in [w->start, w->end] where size bytes avoid the
 * sorted ranges[0..n). */
static bool pci_find_space(const struct pci_resource *w, const struct pci_range *ranges,
			   size_t n, uint64_t size, uint64_t align, uint64_t *out)
{
	uint64_t cand, last;
	size_t k;

	if (!align)
		align = 1;
	cand = ALIGN_UP(w->start, align);
	if (cand < w->start)
		return false;
	for (k = 0; k <= n; k++) {
		if (__builtin_add_overflow(cand, size - 1, &last))
			return false;
		if (last > w->end)
			return false;
		if (k == n || last < ranges[k].start) {
			*out = cand;
			return true;
		}
		if (ranges[k].end >= cand) {
			if (ranges[k].end == UINT64_MAX)
				return false;
			cand = ALIGN_UP(ranges[k].end + 1, align);
			if (cand <= ranges[k].end)
				return false;
		}
	}
	return false;
}

static void pci_range_insert(struct pci_range *ranges, size_t *n, uint64_t start,
			     uint64_t end)
{
	size_t k = *n;

	while (k > 0 && ranges[k - 1].start > start) {
		ranges[k] = ranges[k - 1];
		k--;
	}
	ranges[k] = (struct pci_range){ start, end };
	(*n)++;
}

/* Top-down: place everything of bus inside its windows. Records the first
 * resource that does not fit in ctx and stops. */
static int pci_bus_place(struct pci_assign_ctx *ctx, struct pci_bus *bus)
{
	struct pci_bus *child;
	struct pci_dev *dev;
	unsigned int idx;
	size_t nr, nranges, k;
	int i, rc;

	for (i = 0; i < PCI_WIN_NR; i++) {
		struct pci_resource *w = bus->window[i];

		rc = pci_collect(ctx, bus, i, &nr);
		if (rc < 0)
			return rc;
		if (!nr)
			continue;
		if (!pci_window_usable(w) || (w->flags & IORESOURCE_UNSET)) {
			/* No window at all (e.g. no host I/O aperture). */
			ctx->fail_dev = ctx->items[0].dev;
			ctx->fail_idx = ctx->items[0].idx;
			return 0;
		}
		/* Claimed resources in this window are obstacles. */
		nranges = 0;
		list_for_each_entry(dev, &bus->devices, bus_list) {
			for (idx = 0; idx < PCI_NUM_RESOURCES; idx++) {
				struct pci_resource *r = &dev->resource[idx];

				if ((r->state & PCI_RES_FIXED) && pci_resource_size(r) &&
				    pci_res_route(bus, dev, idx) == i)
					pci_range_insert(ctx->ranges, &nranges,
							 r->start, r->end);
			}
		}
		for (k = 0; k < nr; k++) {
			struct pci_item *it = &ctx->items[k];
			struct pci_resource *r = &it->dev->resource[it->idx];
			uint64_t addr;

			if (!pci_find_space(w, ctx->ranges, nranges, it->size, it->align,
					    &addr)) {
				ctx->fail_dev = it->dev;
				ctx->fail_idx = it->idx;
				return 0;
			}
			r->start = addr;
			r->end = addr + it->size - 1;
			r->flags &= ~IORESOURCE_UNSET;
			pci_range_insert(ctx->ranges, &nranges, r->start, r->end);
		}
	}

	list_for_each_entry(child, &bus->children, node) {
		rc = pci_bus_place(ctx, child);
		if (rc < 0 || ctx->fail_dev)
			return rc;
	}
	return 0;
}

/* Largest unclaimed BAR that feeds window i of bus, directly or through
 * child bridge windows. */
static void pci_find_victim(struct pci_bus *bus, int i, struct pci_dev **vdev,
			    unsigned int *vidx)
{
	struct pci_dev *dev;
	unsigned int idx;

	list_for_each_entry(dev, &bus->devices, bus_list) {
		for (idx = 0; idx < PCI_NUM_RESOURCES; idx++) {
			struct pci_resource *r = &dev->resource[idx];

			if (pci_res_route(bus, dev, idx) != i ||
			    (r->state & PCI_RES_FIXED) || !pci_resource_size(r))
				continue;
			if (pci_is_window_idx(idx)) {
				if (dev->subordinate)
					pci_find_victim(dev->subordinate,
							(int)(idx - PCI_BRIDGE_RESOURCES),
							vdev, vidx);
				continue;
			}
			if (!*vdev ||
			    pci_resource_size(r) > pci_resource_size(&(*vdev)->resource[*vidx])) {
				*vdev = dev;
				*vidx = idx;
			}
		}
	}
}

/*
 * Un-claim window i of bus (a bridge's) and everything claimed through it,
 * so the next round sizes and places it afresh (Linux releases the bridge
 * windows of a failed round, pci_bus_release_bridge_resources()).
 */
static void pci_release_window(struct pci_bus *bus, int i)
{
	struct pci_resource *w = bus->window[i];
	struct pci_dev *dev;
	unsigned int idx;

	list_for_each_entry(dev, &bus->devices, bus_list) {
		for (idx = 0; idx < PCI_NUM_RESOURCES; idx++) {
			struct pci_resource *r = &dev->resource[idx];

			if (!(r->state & PCI_RES_FIXED) || pci_res_route(bus, dev, idx) != i)
				continue;
			if (pci_is_window_idx(idx)) {
				pci_release_window(dev->subordinate,
						   (int)(idx - PCI_BRIDGE_RESOURCES));
				continue;
			}
			r->state &= ~PCI_RES_FALLBACK;
			pci_res_release(r);
		}
	}
	w->state &= ~(PCI_RES_FW | PCI_RES_FIXED | PCI_RES_FALLBACK);
	w->flags |= IORESOURCE_UNSET;
}

static int pci_handle_failure(struct pci_assign_ctx *ctx)
{
	struct pci_dev *dev = ctx->fail_dev, *vdev = NULL;
	unsigned int idx = ctx->fail_idx, vidx = 0;
	struct pci_resource *r = &dev->resource[idx];
	struct pci_bus *bus = dev->bus;
	struct pci_host_bridge *hb;
	int i = pci_res_route(bus, dev, idx), rc;
	char buf[96];

	/* Too little room in a window firmware set up: give up on the
	 * firmware layout of that window rather than on the resource. */
	if (i >= 0 && bus->self && (bus->window[i]->state & PCI_RES_FIXED)) {
		pl_info("pci %s: %s %s: no space in firmware's bridge window, reassigning it",
			pci_name(dev), pci_resource_name(dev, idx),
			pci_resource_str(r, buf, sizeof(buf)));
		pci_release_window(bus, i);
		pci_for_each_host_bridge(ctx->sys, hb) {
			if (!hb->bus)
				continue;
			pci_bus_update_avail(hb->bus);
			rc = pci_bus_precheck(ctx, hb->bus);
			if (rc < 0)
				return rc;
		}
		return 0;
	}

	if (!pci_is_window_idx(idx))
		return pci_res_give_up(ctx, dev, idx);

	pci_find_victim(dev->subordinate, (int)(idx - PCI_BRIDGE_RESOURCES), &vdev, &vidx);
	if (vdev)
		return pci_res_give_up(ctx, vdev, vidx);
	/* Cannot happen (a sized window has something in it); be safe. */
	r->state |= PCI_RES_UNUSED;
	return pci_problem_add(ctx->sys, pci_name(dev), "%s %s: can't assign; no space",
			       pci_resource_name(dev, idx),
			       pci_resource_str(r, buf, sizeof(buf)));
}

static size_t pci_count_resources(struct pci_subsys *sys)
{
	struct pci_dev *dev;
	size_t n = 0;

	pci_for_each_dev(sys, dev)
		n += PCI_NUM_RESOURCES;
	return n;
}

/* Final state of windows: empty or unusable ones are disabled. */
static void pci_bus_finish(struct pci_bus *bus)
{
	struct pci_bus *child;
	int i;

	if (bus->self) {
		for (i = 0; i < PCI_WIN_NR; i++) {
			struct pci_resource *w = bus->window[i];

			if (w->flags && ((w->state & PCI_RES_UNUSED) || !pci_resource_size(w))) {
				w->flags |= IORESOURCE_DISABLED | IORESOURCE_UNSET;
				w->start = 0;
				w->end = 0;
			}
		}
	}
	list_for_each_entry(child, &bus->children, node)
		pci_bus_finish(child);
}

int pci_assign_resources(struct pci_subsys *sys)
{
	struct pci_assign_ctx ctx = { .sys = sys };
	struct pci_host_bridge *hb;
	int i, rc = 0;

	ctx.cap = pci_count_resources(sys) + 1;
	ctx.items = pl_calloc(ctx.cap, sizeof(*ctx.items));
	if (!ctx.items)
		return -ENOMEM;
	ctx.ranges = pl_calloc(ctx.cap, sizeof(*ctx.ranges));
	if (!ctx.ranges) {
		rc = -ENOMEM;
		goto out_free_items;
	}

	pci_for_each_host_bridge(sys, hb) {
		struct pci_bus *root = hb->bus;

		if (!root)
			continue;
		for (i = 0; i < PCI_WIN_NR; i++) {
			root->avail[i] = pci_resource_size(&hb->windows[i]);
			if (root->avail[i])
				hb->windows[i].state |= PCI_RES_FIXED;
		}
		root->pref_ok = root->avail[PCI_WIN_PREF] != 0;
		pci_bus_prepare(root);
		pci_bus_claim(root);
		rc = pci_bus_precheck(&ctx, root);
		if (rc < 0)
			goto out_free_ranges;
	}

	for (;;) {
		ctx.fail_dev = NULL;
		pci_for_each_host_bridge(sys, hb) {
			if (!hb->bus)
				continue;
			rc = pci_bus_size(&ctx, hb->bus);
			if (rc < 0)
				goto out_free_ranges;
			rc = pci_bus_place(&ctx, hb->bus);
			if (rc < 0)
				goto out_free_ranges;
			if (ctx.fail_dev)
				break;
		}
		if (!ctx.fail_dev)
			break;
		rc = pci_handle_failure(&ctx);
		if (rc < 0)
			goto out_free_ranges;
	}

	pci_for_each_host_bridge(sys, hb) {
		if (hb->bus)
			pci_bus_finish(hb->bus);
	}

out_free_ranges:
	free(ctx.ranges);
out_free_items:
	free(ctx.items);
	return rc;
}
