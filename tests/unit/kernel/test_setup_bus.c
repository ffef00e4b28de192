// SPDX-License-Identifier: MIT
/*
 * kernel/pci resource sizing and placement (setup-bus.c) on synthetic
 * object trees, no hardware: cases the simulated bridges cannot produce
 * (a bridge without a 64-bit prefetchable window) and the algorithm's
 * arithmetic on its own.
 */
#include <stdlib.h>

#include "test.h"
#include "kernel/pci/pci_internal.h"

#define MMIO	0xc0000000ull
#define PREF	0x800000000ull

struct tree {
	struct pci_subsys *sys;
	struct pci_host_bridge *hb;
	struct pci_bus *root;
};

static void tree_init(struct tree *t, uint64_t mmio_size, uint64_t pref_size)
{
	t->sys = pci_subsys_alloc(NULL);
	assert_non_null(t->sys);
	t->hb = pci_host_bridge_alloc(t->sys);
	assert_non_null(t->hb);
	t->hb->bus_end = 0xff;
	if (mmio_size)
		t->hb->windows[PCI_WIN_MEM] = (struct pci_resource){
			.start = MMIO, .end = MMIO + mmio_size - 1, .flags = IORESOURCE_MEM };
	if (pref_size)
		t->hb->windows[PCI_WIN_PREF] = (struct pci_resource){
			.start = PREF, .end = PREF + pref_size - 1,
			.flags = IORESOURCE_MEM | IORESOURCE_PREFETCH | IORESOURCE_MEM_64 };
	t->root = pci_bus_alloc(t->hb, NULL, NULL, 0);
	assert_non_null(t->root);
	t->root->busn_end = 0xff;
}

static struct pci_dev *mkdev(struct pci_bus *bus, unsigned int devfn, bool bridge)
{
	struct pci_dev *dev = pci_dev_alloc(bus, (uint8_t)devfn);

	assert_non_null(dev);
	dev->hdr_type = bridge ? PCI_HEADER_TYPE_BRIDGE : PCI_HEADER_TYPE_NORMAL;
	pci_dev_add(dev);
	return dev;
}

static void mkbar(struct pci_dev *dev, unsigned int idx, unsigned long flags, uint64_t size)
{
	dev->resource[idx] = (struct pci_resource){
		.start = 0, .end = size - 1, .align = size,
		.flags = flags | IORESOURCE_SIZEALIGN | IORESOURCE_UNSET,
	};
}

/* A bridge with the given windows and the bus behind it. */
static struct pci_bus *mkbridge(struct tree *t, struct pci_bus *bus, unsigned int devfn,
				uint8_t nr, bool pref, bool pref64)
{
	struct pci_dev *br = mkdev(bus, devfn, true);
	struct pci_bus *child;

	br->pref_window = pref;
	br->pref_64 = pref64;
	br->resource[PCI_BRIDGE_MEM_WINDOW].flags = IORESOURCE_MEM | IORESOURCE_UNSET;
	if (pref)
		br->resource[PCI_BRIDGE_PREF_MEM_WINDOW].flags =
			IORESOURCE_MEM | IORESOURCE_PREFETCH | IORESOURCE_UNSET |
			(pref64 ? IORESOURCE_MEM_64 : 0);
	child = pci_bus_alloc(t->hb, bus, br, nr);
	assert_non_null(child);
	child->busn_end = nr;
	return child;
}

static bool inside(const struct pci_resource *r, const struct pci_resource *w)
{
	return !(r->flags & IORESOURCE_UNSET) && !(w->flags & IORESOURCE_UNSET) &&
	       r->start >= w->start && r->end <= w->end;
}

#define MEM64PREF (IORESOURCE_MEM | IORESOURCE_PREFETCH | IORESOURCE_MEM_64)

/* No 64-bit prefetchable window on the bridge: its 64-bit prefetchable
 * BARs go through the non-prefetchable window; on the root bus they still
 * use the host's prefetchable aperture. */
static void test_no_pref64_bridge(void **state)
{
	struct tree t;
	struct pci_bus *b1;
	struct pci_dev *ep, *root_ep, *br;

	tree_init(&t, 0x10000000, 0x100000000ull);
	b1 = mkbridge(&t, t.root, PCI_DEVFN(1, 0), 1, true, false);
	br = b1->self;
	ep = mkdev(b1, 0, false);
	mkbar(ep, 0, MEM64PREF, 0x200000);
	mkbar(ep, 2, IORESOURCE_MEM, 0x1000);
	root_ep = mkdev(t.root, PCI_DEVFN(2, 0), false);
	mkbar(root_ep, 0, MEM64PREF, 0x400000);

	assert_ok(pci_assign_resources(t.sys));
	assert_int_equal(t.sys->nr_problems, 0);
	assert_true(inside(&ep->resource[0], &br->resource[PCI_BRIDGE_MEM_WINDOW]));
	assert_true(inside(&ep->resource[2], &br->resource[PCI_BRIDGE_MEM_WINDOW]));
	assert_true(br->resource[PCI_BRIDGE_PREF_MEM_WINDOW].flags & IORESOURCE_DISABLED);
	assert_int_equal(pci_resource_size(&br->resource[PCI_BRIDGE_PREF_MEM_WINDOW]), 0);
	/* 2M + 4K rounded to 1M granularity, aligned to the 2M BAR */
	assert_int_equal(pci_resource_size(&br->resource[PCI_BRIDGE_MEM_WINDOW]), 0x300000);
	assert_int_equal(br->resource[PCI_BRIDGE_MEM_WINDOW].start % 0x200000, 0);
	assert_true(inside(&br->resource[PCI_BRIDGE_MEM_WINDOW], &t.hb->windows[PCI_WIN_MEM]));
	assert_true(inside(&root_ep->resource[0], &t.hb->windows[PCI_WIN_PREF]));
	pci_subsys_free(t.sys);
}

/* No prefetchable aperture on the host: everything is non-prefetchable. */
static void test_no_host_pref(void **state)
{
	struct tree t;
	struct pci_bus *b1, *b2;
	struct pci_dev *ep;

	tree_init(&t, 0x10000000, 0);
	b1 = mkbridge(&t, t.root, PCI_DEVFN(1, 0), 1, true, true);
	b2 = mkbridge(&t, b1, 0, 2, true, true);
	ep = mkdev(b2, 0, false);
	mkbar(ep, 0, MEM64PREF, 0x800000);
	assert_ok(pci_assign_resources(t.sys));
	assert_true(inside(&ep->resource[0], &b2->self->resource[PCI_BRIDGE_MEM_WINDOW]));
	assert_true(inside(&b2->self->resource[PCI_BRIDGE_MEM_WINDOW],
			   &b1->self->resource[PCI_BRIDGE_MEM_WINDOW]));
	assert_true(b1->self->resource[PCI_BRIDGE_PREF_MEM_WINDOW].flags & IORESOURCE_DISABLED);
	assert_true(b2->self->resource[PCI_BRIDGE_PREF_MEM_WINDOW].flags & IORESOURCE_DISABLED);
	pci_subsys_free(t.sys);
}

/* Many siblings that together overflow the aperture: the largest are
 * given up on one by one, the rest is packed without overlap. */
static void test_overcommit(void **state)
{
	struct tree t;
	struct pci_bus *b1;
	struct pci_dev *ep[6];
	struct pci_problem *p;
	unsigned int i, failed = 0;

	tree_init(&t, 0x4000000, 0);		/* 64 MiB */
	b1 = mkbridge(&t, t.root, PCI_DEVFN(1, 0), 1, false, false);
	for (i = 0; i < 6; i++) {
		ep[i] = mkdev(b1, PCI_DEVFN(i, 0), false);
		mkbar(ep[i], 0, IORESOURCE_MEM, 0x1000000ull << (i & 1));	/* 16M / 32M */
	}
	assert_ok(pci_assign_resources(t.sys));
	for (i = 0; i < 6; i++) {
		if (ep[i]->resource[0].state & PCI_RES_FAILED) {
			failed++;
			continue;
		}
		assert_true(inside(&ep[i]->resource[0], &b1->self->resource[PCI_BRIDGE_MEM_WINDOW]));
		assert_int_equal(ep[i]->resource[0].start % pci_resource_size(&ep[i]->resource[0]), 0);
	}
	/* 3x32M + 3x16M = 144M into 64M: at least 80M must go. */
	assert_int_equal(t.sys->nr_problems, failed);
	assert_true(failed >= 3);
	pci_subsys_for_each_problem(t.sys, p)
		assert_non_null(strstr(p->msg, "can't assign; no space"));
	assert_true(inside(&b1->self->resource[PCI_BRIDGE_MEM_WINDOW], &t.hb->windows[PCI_WIN_MEM]));
	pci_subsys_free(t.sys);
}

static void test_resource_str(void **state)
{
	struct pci_resource r = { .start = 0xfe000000, .end = 0xfe0fffff,
				  .flags = IORESOURCE_MEM | IORESOURCE_MEM_64 | IORESOURCE_PREFETCH };
	char buf[96];

	assert_string_equal(pci_resource_str(&r, buf, sizeof(buf)),
			    "[mem 0xfe000000-0xfe0fffff 64bit pref]");
	r = (struct pci_resource){ .start = 0, .end = 0x3fffffff,
				   .flags = IORESOURCE_MEM | IORESOURCE_UNSET };
	assert_string_equal(pci_resource_str(&r, buf, sizeof(buf)), "[mem size 0x40000000]");
	r = (struct pci_resource){ .start = 0x1000, .end = 0x10ff, .flags = IORESOURCE_IO };
	assert_string_equal(pci_resource_str(&r, buf, sizeof(buf)), "[io  0x1000-0x10ff]");
	assert_string_equal(pci_resource_name(NULL, PCI_ROM_RESOURCE), "ROM");
	assert_string_equal(pci_resource_name(NULL, PCI_BRIDGE_MEM_WINDOW), "bridge window");
}

/* Allocation failures inside pci_assign_resources(): -ENOMEM, no leak. */
static void test_assign_fault_sweep(void **state)
{
	unsigned long n;
	int rc, fails = 0;

	for (n = 1; n < 100; n++) {
		struct tree t;
		struct pci_bus *b1;
		struct pci_dev *ep;

		tree_init(&t, 0x1000000, 0);
		b1 = mkbridge(&t, t.root, PCI_DEVFN(1, 0), 1, false, false);
		ep = mkdev(b1, 0, false);
		mkbar(ep, 0, IORESOURCE_MEM, 0x100000);
		mkbar(ep, 2, IORESOURCE_MEM, 0x10000000);	/* fails: a problem record */
		fault_inject_nth(n);
		rc = pci_assign_resources(t.sys);
		if (!fault_injected()) {
			fault_inject_nth(0);
			assert_ok(rc);
			assert_int_equal(t.sys->nr_problems, 1);
			pci_subsys_free(t.sys);
			break;
		}
		fault_inject_nth(0);
		assert_int_equal(rc, -ENOMEM);
		fails++;
		pci_subsys_free(t.sys);
	}
	assert_int_equal(fails, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_pref64_bridge),
		cmocka_unit_test(test_no_host_pref),
		cmocka_unit_test(test_overcommit),
		cmocka_unit_test(test_resource_str),
		cmocka_unit_test(test_assign_fault_sweep),
	};

	pl_log_set_level(PL_LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
