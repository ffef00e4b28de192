// SPDX-License-Identifier: MIT
/*
 * kernel/pci enumeration and resource assignment over simulated platforms.
 * Every topology is built with kdesc.h, instantiated with
 * hw_platform_create(), enumerated with pci_subsys_create(), and then
 * checked from the hardware's side (config reads, MMIO) as well as through
 * the kernel's structs.
 */
#include <stdio.h>
#include <string.h>

#include "test.h"
#include "kdesc.h"
#include "hw/fabric/fabric.h"
#include "kernel/pci/pci.h"

#define MMIO_BASE	0xc0000000ull
#define MMIO_SIZE	0x20000000ull		/* 512 MiB */
#define PREF_BASE	0x800000000ull
#define PREF_SIZE	0x100000000ull		/* 4 GiB */
#define IO_BASE		0x1000ull
#define IO_SIZE		0xf000ull

struct world {
	struct hw_desc_platform *desc;
	struct hw_platform *hw;
	struct pci_subsys *sys;
};

static struct hw_desc_host_bridge *std_host(struct hw_desc_platform *p)
{
	return kd_host_bridge(p, 0, 0xff, MMIO_BASE, MMIO_SIZE, PREF_BASE, PREF_SIZE,
			      IO_BASE, IO_SIZE);
}

static void world_hw(struct world *w)
{
	char err[256];

	w->hw = hw_platform_create(w->desc, err, sizeof(err));
	if (IS_ERR(w->hw))
		fail_msg("hw_platform_create: %s", err);
}

static void world_up(struct world *w)
{
	world_hw(w);
	w->sys = pci_subsys_create(w->hw);
	assert_false(IS_ERR(w->sys));
}

static void world_down(struct world *w)
{
	if (w->sys && !IS_ERR(w->sys))
		pci_subsys_destroy(w->sys);
	if (w->hw && !IS_ERR(w->hw))
		hw_platform_destroy(w->hw);
	kd_free(w->desc);
}

/* ------------------------------------------------ hardware's view */

static uint32_t hwcfg(struct hw_platform *hw, unsigned int bus, unsigned int devfn,
		      unsigned int reg, unsigned int len)
{
	uint32_t v;

	assert_ok(hw_cfg_read(hw, 0, (uint8_t)bus, (uint8_t)devfn, (uint16_t)reg, len, &v));
	return v;
}

static void hwcfg_wr(struct hw_platform *hw, unsigned int bus, unsigned int devfn,
		     unsigned int reg, unsigned int len, uint32_t v)
{
	assert_ok(hw_cfg_write(hw, 0, (uint8_t)bus, (uint8_t)devfn, (uint16_t)reg, len, v));
}

static uint32_t devcfg(struct world *w, const struct pci_dev *dev, unsigned int reg,
		       unsigned int len)
{
	return hwcfg(w->hw, dev->bus->number, dev->devfn, reg, len);
}

/* A bridge window as programmed in the bridge's registers
 * (PCI-to-PCI Bridge r1.2 §3.2.5.6-§3.2.5.11). */
static bool hw_window(struct world *w, const struct pci_dev *br, int win,
		      uint64_t *base, uint64_t *limit)
{
	uint32_t v;

	if (win == PCI_WIN_IO) {
		v = devcfg(w, br, PCI_IO_BASE, 2);
		if (!v)
			return false;
		uint32_t up = devcfg(w, br, PCI_IO_BASE_UPPER16, 4);

		*base = (uint64_t)(v & 0xf0) << 8 | (uint64_t)(up & 0xffff) << 16;
		*limit = (uint64_t)(v & 0xf000) | 0xfff | (uint64_t)(up >> 16) << 16;
	} else if (win == PCI_WIN_MEM) {
		v = devcfg(w, br, PCI_MEMORY_BASE, 4);
		*base = (uint64_t)(v & 0xfff0) << 16;
		*limit = (uint64_t)(v & 0xfff00000) | 0xfffff;
	} else {
		v = devcfg(w, br, PCI_PREF_MEMORY_BASE, 4);
		if (!v)
			return false;
		*base = (uint64_t)(v & 0xfff0) << 16 |
			(uint64_t)devcfg(w, br, PCI_PREF_BASE_UPPER32, 4) << 32;
		*limit = (uint64_t)(v & 0xfff00000) | 0xfffff |
			 (uint64_t)devcfg(w, br, PCI_PREF_LIMIT_UPPER32, 4) << 32;
	}
	return *base <= *limit;
}

/* Is [s, e] inside a window the bus forwards for this kind of space? */
static bool in_bus_window(struct world *w, const struct pci_bus *bus, bool io,
			  uint64_t s, uint64_t e)
{
	uint64_t b, l;
	int i;

	for (i = 0; i < PCI_WIN_NR; i++) {
		if ((i == PCI_WIN_IO) != io)
			continue;
		if (!bus->self) {
			const struct pci_resource *hr = &bus->host->windows[i];

			if (hr->flags && s >= hr->start && e <= hr->end)
				return true;
			continue;
		}
		if (hw_window(w, bus->self, i, &b, &l) && s >= b && e <= l)
			return true;
	}
	return false;
}

static uint64_t hw_bar_addr(struct world *w, const struct pci_dev *dev, unsigned int idx)
{
	const struct pci_resource *r = &dev->resource[idx];
	uint32_t lo;

	if (idx == PCI_ROM_RESOURCE)
		return devcfg(w, dev, pci_is_bridge(dev) ? PCI_ROM_ADDRESS1 : PCI_ROM_ADDRESS, 4) &
		       PCI_ROM_ADDRESS_MASK;
	lo = devcfg(w, dev, PCI_BASE_ADDRESS_0 + 4 * idx, 4);
	if (r->flags & IORESOURCE_IO)
		return lo & PCI_BASE_ADDRESS_IO_MASK;
	if (r->flags & IORESOURCE_MEM_64)
		return (lo & PCI_BASE_ADDRESS_MEM_MASK) |
		       (uint64_t)devcfg(w, dev, PCI_BASE_ADDRESS_0 + 4 * (idx + 1), 4) << 32;
	return lo & PCI_BASE_ADDRESS_MEM_MASK;
}

struct span {
	uint64_t s, e;
	bool io;
	const char *who;
};

/*
 * The invariants of a correctly enumerated and assigned tree, checked
 * against the hardware registers: bus numbers nest, every assigned BAR is
 * naturally aligned, programmed as recorded and inside a window of its bus,
 * windows are aligned to their granularity, nothing on one bus overlaps,
 * and memory BARs of endpoints answer MMIO.
 */
static void check_tree_mmio(struct world *w, bool write_pattern)
{
	struct pci_dev *dev, *prev = NULL;
	struct span *spans = calloc(4096, sizeof(*spans));
	size_t nspans;

	assert_non_null(spans);
	pci_for_each_dev(w->sys, dev) {
		const struct pci_bus *bus = dev->bus;
		unsigned int nbars = pci_is_bridge(dev) ? 2 : 6, idx;
		uint16_t cmd = (uint16_t)devcfg(w, dev, PCI_COMMAND, 2);
		bool mem_ok = true, any_mem = false;

		/* lspci order */
		if (prev)
			assert_true(prev->bus->number < bus->number ||
				    (prev->bus->number == bus->number && prev->devfn < dev->devfn));
		prev = dev;
		assert_int_equal(devcfg(w, dev, PCI_VENDOR_ID, 2), dev->vendor);
		assert_int_equal(devcfg(w, dev, PCI_DEVICE_ID, 2), dev->device);

		for (idx = 0; idx < PCI_BRIDGE_RESOURCES; idx++) {
			const struct pci_resource *r = &dev->resource[idx];
			uint64_t size = pci_resource_size(r);

			if ((idx >= nbars && idx != PCI_ROM_RESOURCE) || !r->flags)
				continue;
			if (r->flags & IORESOURCE_UNSET) {
				if (idx != PCI_ROM_RESOURCE && (r->flags & IORESOURCE_MEM))
					mem_ok = false;
				continue;
			}
			assert_true(is_power_of_2(size));
			assert_int_equal(r->start % size, 0);
			assert_int_equal(hw_bar_addr(w, dev, idx), r->start);
			assert_true(in_bus_window(w, bus, r->flags & IORESOURCE_IO, r->start, r->end));
			if ((r->flags & IORESOURCE_MEM) && idx != PCI_ROM_RESOURCE)
				any_mem = true;
		}
		if (any_mem && mem_ok)
			assert_true(cmd & PCI_COMMAND_MEMORY);
		if (!mem_ok)
			assert_false(cmd & PCI_COMMAND_MEMORY);

		/* MMIO reaches the endpoint's BARs through every bridge. */
		if (!pci_is_bridge(dev) && mem_ok) {
			for (idx = 0; idx < nbars; idx++) {
				const struct pci_resource *r = &dev->resource[idx];
				uint32_t pat = 0x5a000000u | dev->devfn << 8 | idx << 4, back = 0;

				if (!(r->flags & IORESOURCE_MEM) || (r->flags & IORESOURCE_UNSET) ||
				    pci_resource_size(r) > (16u << 20))
					continue;
				if (!write_pattern) {
					/* Device registers: claimed reads are not all-ones. */
					assert_ok(hw_mmio_read(w->hw, r->start, &back, 4));
					assert_int_not_equal(back, 0xffffffffu);
					continue;
				}
				assert_ok(hw_mmio_write(w->hw, r->start, &pat, 4));
				assert_ok(hw_mmio_read(w->hw, r->start, &back, 4));
				assert_int_equal(back, pat);
			}
		}

		if (pci_is_bridge(dev) && dev->subordinate) {
			const struct pci_bus *sub = dev->subordinate;
			uint32_t buses = devcfg(w, dev, PCI_PRIMARY_BUS, 4);
			uint64_t b, l;
			int i;

			assert_int_equal(buses & 0xff, bus->number);
			assert_int_equal((buses >> 8) & 0xff, sub->number);
			assert_int_equal((buses >> 16) & 0xff, pci_bus_subordinate(sub));
			assert_true(pci_bus_secondary(sub) > bus->number);
			assert_true(pci_bus_subordinate(sub) <= pci_bus_subordinate(bus));
			assert_true(pci_bus_secondary(sub) <= pci_bus_subordinate(sub));
			assert_true(sub->self == dev && sub->parent == bus);
			for (i = 0; i < PCI_WIN_NR; i++) {
				const struct pci_resource *r = &dev->resource[PCI_BRIDGE_RESOURCES + i];
				uint64_t gran = i == PCI_WIN_IO ? 0x1000 : 0x100000;

				if (!hw_window(w, dev, i, &b, &l)) {
					assert_int_equal(pci_resource_size(r), 0);
					continue;
				}
				assert_int_equal(r->start, b);
				assert_int_equal(r->end, l);
				assert_int_equal(b % gran, 0);
				assert_int_equal((l + 1) % gran, 0);
				assert_true(in_bus_window(w, bus, i == PCI_WIN_IO, b, l));
				if (i == PCI_WIN_IO)
					assert_true(cmd & PCI_COMMAND_IO);
				else
					assert_true(cmd & PCI_COMMAND_MEMORY);
			}
		}
	}

	/* Siblings never overlap (windows included). */
	struct pci_host_bridge *hb;
	pci_for_each_host_bridge(w->sys, hb) {
		struct pci_bus *stack[256];
		int top = 0;

		stack[top++] = hb->bus;
		while (top) {
			struct pci_bus *bus = stack[--top], *child;
			size_t a, b;

			nspans = 0;
			list_for_each_entry(child, &bus->children, node)
				stack[top++] = child;
			list_for_each_entry(dev, &bus->devices, bus_list) {
				unsigned int idx;

				for (idx = 0; idx < PCI_NUM_RESOURCES; idx++) {
					const struct pci_resource *r = &dev->resource[idx];

					if (!pci_resource_size(r) || (r->flags & IORESOURCE_UNSET))
						continue;
					spans[nspans++] = (struct span){ r->start, r->end,
						(r->flags & IORESOURCE_IO) != 0, pci_name(dev) };
				}
			}
			for (a = 0; a < nspans; a++)
				for (b = a + 1; b < nspans; b++)
					if (spans[a].io == spans[b].io &&
					    spans[a].s <= spans[b].e && spans[b].s <= spans[a].e)
						fail_msg("%s and %s overlap", spans[a].who, spans[b].who);
		}
	}
	free(spans);
}

/* Plain test endpoints: their BARs are RAM-like backing store. */
static void check_tree(struct world *w)
{
	check_tree_mmio(w, true);
}

static unsigned int count_devs(struct pci_subsys *sys)
{
	struct pci_dev *dev;
	unsigned int n = 0;

	pci_for_each_dev(sys, dev)
		n++;
	return n;
}

static struct pci_dev *get(struct world *w, unsigned int bus, unsigned int slot,
			   unsigned int fn)
{
	return pci_get_domain_bus_and_slot(w->sys, 0, bus, PCI_DEVFN(slot, fn));
}

static bool has_problem(struct pci_subsys *sys, const char *dev, const char *needle)
{
	struct pci_problem *p;

	pci_subsys_for_each_problem(sys, p)
		if (!strcmp(p->dev, dev) && strstr(p->msg, needle))
			return true;
	return false;
}

/* ------------------------------------------------------------ tests */

/* Root bus only: endpoints in scattered slots, empty slots in between. */
static void test_flat_root_bus(void **state)
{
	struct world w = { .desc = kd_platform() };
	struct hw_desc_host_bridge *h = std_host(w.desc);
	struct hw_desc_func *f;
	struct pci_dev *dev;

	f = kd_func(&h->devices, HW_DESC_ENDPOINT, 0, 0);
	kd_bar(f, 0, HW_BAR_MEM32, false, 0x4000);
	kd_bar(f, 2, HW_BAR_MEM64, true, 0x100000);
	f = kd_func(&h->devices, HW_DESC_ENDPOINT, 3, 0);
	kd_bar(f, 0, HW_BAR_IO, false, 0x100);
	kd_bar(f, 1, HW_BAR_MEM32, false, 0x1000);
	kd_bar(f, HW_PCI_ROM_SLOT, HW_BAR_ROM, false, 0x10000);
	f = kd_func(&h->devices, HW_DESC_ENDPOINT, 0x1f, 0);
	kd_bar(f, 0, HW_BAR_MEM64, false, 0x2000);
	world_up(&w);

	assert_int_equal(count_devs(w.sys), 3);
	assert_int_equal(w.sys->nr_problems, 0);
	assert_null(get(&w, 0, 1, 0));
	assert_null(get(&w, 0, 3, 1));
	dev = get(&w, 0, 3, 0);
	assert_non_null(dev);
	assert_string_equal(pci_name(dev), "0000:00:03.0");
	assert_int_equal(dev->vendor, KD_VENDOR);
	assert_int_equal(dev->device, KD_DEVICE + 3);
	assert_int_equal(dev->class, 0x020000);
	assert_false(dev->multifunction);
	assert_true(pci_is_pcie(dev));
	assert_int_equal(dev->pcie_type, PCI_EXP_TYPE_RC_END);
	assert_int_equal(dev->cfg_size, 4096);
	assert_int_equal(dev->resource[0].flags & IORESOURCE_TYPE_BITS, IORESOURCE_IO);
	assert_int_equal(pci_resource_size(&dev->resource[0]), 0x100);
	assert_int_equal(pci_resource_size(&dev->resource[PCI_ROM_RESOURCE]), 0x10000);
	assert_true(devcfg(&w, dev, PCI_COMMAND, 2) & PCI_COMMAND_IO);
	assert_false(devcfg(&w, dev, PCI_COMMAND, 2) & PCI_COMMAND_MASTER);
	/* ROM gets an address but stays disabled. */
	assert_false(devcfg(&w, dev, PCI_ROM_ADDRESS, 4) & PCI_ROM_ADDRESS_ENABLE);

	/* 64-bit prefetchable BAR on the root bus: in the pref aperture. */
	dev = get(&w, 0, 0, 0);
	assert_true(dev->resource[2].flags & IORESOURCE_MEM_64);
	assert_true(dev->resource[2].flags & IORESOURCE_PREFETCH);
	assert_true(dev->resource[2].start >= PREF_BASE);
	assert_true(dev->resource[0].start >= MMIO_BASE &&
		    dev->resource[0].end < MMIO_BASE + MMIO_SIZE);
	/* a 64-bit non-prefetchable BAR stays in the non-prefetchable aperture */
	dev = get(&w, 0, 0x1f, 0);
	assert_true(dev->resource[0].start >= MMIO_BASE &&
		    dev->resource[0].end < MMIO_BASE + MMIO_SIZE);
	check_tree(&w);
	world_down(&w);
}

/* Functions 0, 1 and 5 of one device: all found, the gap skipped. */
static void test_multifunction(void **state)
{
	struct world w = { .desc = kd_platform() };
	struct hw_desc_host_bridge *h = std_host(w.desc);
	struct hw_desc_func *f, *rp;

	f = kd_func(&h->devices, HW_DESC_ENDPOINT, 2, 0);
	kd_bar(f, 0, HW_BAR_MEM32, false, 0x1000);
	f = kd_func(&h->devices, HW_DESC_ENDPOINT, 2, 1);
	kd_bar(f, 0, HW_BAR_MEM32, false, 0x1000);
	f = kd_func(&h->devices, HW_DESC_ENDPOINT, 2, 5);
	kd_bar(f, 0, HW_BAR_MEM32, false, 0x1000);
	/* Single-function device at slot 4 */
	kd_func(&h->devices, HW_DESC_ENDPOINT, 4, 0);
	/* Multi-function endpoint below a root port. */
	rp = kd_func(&h->devices, HW_DESC_ROOT_PORT, 0x1c, 0);
	f = kd_func(&rp->children, HW_DESC_ENDPOINT, 0, 0);
	kd_bar(f, 0, HW_BAR_MEM32, false, 0x100000);
	f = kd_func(&rp->children, HW_DESC_ENDPOINT, 0, 3);
	kd_bar(f, 0, HW_BAR_MEM32, false, 0x100000);
	world_up(&w);

	assert_int_equal(count_devs(w.sys), 7);
	assert_true(get(&w, 0, 2, 0)->multifunction);
	assert_true(get(&w, 0, 2, 1)->multifunction);
	assert_non_null(get(&w, 0, 2, 5));
	assert_null(get(&w, 0, 2, 2));
	assert_false(get(&w, 0, 4, 0)->multifunction);
	assert_non_null(get(&w, 1, 0, 3));
	assert_false(get(&w, 1, 0, 0)->is_ari);
	check_tree(&w);
	world_down(&w);
}

/* Six switches deep, numbered depth first. */
static void test_deep_switch_chain(void **state)
{
	struct world w = { .desc = kd_platform() };
	struct hw_desc_host_bridge *h = std_host(w.desc);
	struct hw_desc_func *port, *sw, *f, *side = NULL;
	struct pci_dev *dev;
	int level;

	port = kd_func(&h->devices, HW_DESC_ROOT_PORT, 0x1c, 0);
	for (level = 0; level < 6; level++) {
		sw = kd_func(&port->children, HW_DESC_SWITCH, 0, 0);
		port = kd_func(&sw->children, HW_DESC_DOWNSTREAM_PORT, 0, 0);
		if (level == 2) {
			side = kd_func(&sw->children, HW_DESC_DOWNSTREAM_PORT, 1, 0);
			f = kd_func(&side->children, HW_DESC_ENDPOINT, 0, 0);
			kd_bar(f, 0, HW_BAR_MEM32, false, 0x200000);
		}
	}
	f = kd_func(&port->children, HW_DESC_ENDPOINT, 0, 0);
	kd_bar(f, 0, HW_BAR_MEM32, false, 0x4000);
	kd_bar(f, 2, HW_BAR_MEM64, true, 0x10000000);
	kd_bar(f, 4, HW_BAR_IO, false, 0x20);
	/* A second root port after the deep one. */
	port = kd_func(&h->devices, HW_DESC_ROOT_PORT, 0x1d, 0);
	f = kd_func(&port->children, HW_DESC_ENDPOINT, 0, 0);
	kd_bar(f, 0, HW_BAR_MEM32, false, 0x1000);
	world_up(&w);

	assert_int_equal(w.sys->nr_problems, 0);
	/* 1c.0 -> bus 1 (up) -> 2 (internal) -> ... depth first: the deepest
	 * endpoint is on bus 13, the side branch of level 2 after it. */
	dev = get(&w, 13, 0, 0);
	assert_non_null(dev);
	assert_int_equal(dev->device, KD_DEVICE);
	assert_int_equal(get(&w, 0, 0x1c, 0)->subordinate->busn_end, 14);
	assert_non_null(get(&w, 6, 1, 0));		/* side port on level 2's internal bus */
	assert_non_null(get(&w, 14, 0, 0));		/* behind it */
	assert_int_equal(get(&w, 0, 0x1d, 0)->subordinate->number, 15);
	assert_non_null(get(&w, 15, 0, 0));
	assert_int_equal(hwcfg(w.hw, 0, PCI_DEVFN(0x1d, 0), PCI_SECONDARY_BUS, 1), 15);
	/* The 256 MiB 64-bit prefetchable BAR went through six pref windows. */
	dev = get(&w, 13, 0, 0);
	assert_true(dev->resource[2].start >= PREF_BASE);
	assert_true(dev->resource[4].flags & IORESOURCE_IO);
	assert_false(dev->resource[4].flags & IORESOURCE_UNSET);
	/* Only device 0 is probed below a port. */
	assert_null(get(&w, 1, 1, 0));
	assert_int_equal(get(&w, 1, 0, 0)->pcie_type, PCI_EXP_TYPE_UPSTREAM);
	assert_int_equal(get(&w, 2, 0, 0)->pcie_type, PCI_EXP_TYPE_DOWNSTREAM);
	check_tree(&w);
	world_down(&w);
}

static char last_log[512];

static void capture(enum pl_log_level level, const char *msg, void *arg)
{
	if (level <= PL_LOG_WARN)
		snprintf(last_log, sizeof(last_log), "%s", msg);
}

/* Bus numbers 0-3 cannot hold the whole tree: the bridge that runs out is
 * reported, everything else works. */
static void test_bus_exhaustion(void **state)
{
	struct world w = { .desc = kd_platform() };
	struct hw_desc_host_bridge *h;
	struct hw_desc_func *rp, *sw, *dp, *f;
	struct pci_dev *dev;

	h = kd_host_bridge(w.desc, 0, 3, MMIO_BASE, MMIO_SIZE, PREF_BASE, PREF_SIZE, 0, 0);
	f = kd_func(&h->devices, HW_DESC_ENDPOINT, 2, 0);
	kd_bar(f, 0, HW_BAR_MEM32, false, 0x1000);
	rp = kd_func(&h->devices, HW_DESC_ROOT_PORT, 0x1c, 0);
	f = kd_func(&rp->children, HW_DESC_ENDPOINT, 0, 0);
	kd_bar(f, 0, HW_BAR_MEM32, false, 0x100000);
	rp = kd_func(&h->devices, HW_DESC_ROOT_PORT, 0x1d, 0);
	sw = kd_func(&rp->children, HW_DESC_SWITCH, 0, 0);
	dp = kd_func(&sw->children, HW_DESC_DOWNSTREAM_PORT, 0, 0);
	f = kd_func(&dp->children, HW_DESC_ENDPOINT, 0, 0);
	kd_bar(f, 0, HW_BAR_MEM32, false, 0x100000);
	world_hw(&w);
	pl_log_set_sink(capture, NULL);
	w.sys = pci_subsys_create(w.hw);
	pl_log_set_sink(NULL, NULL);
	assert_false(IS_ERR(w.sys));

	/* 1c.0 -> 1, 1d.0 -> 2, switch internal bus 3, the downstream port
	 * at 03:00.0 would need bus 4. */
	assert_int_equal(w.sys->nr_problems, 1);
	assert_true(has_problem(w.sys, "0000:03:00.0", "can't allocate child bus 04 from [bus 03]"));
	assert_non_null(strstr(last_log, "pci 0000:03:00.0: can't allocate child bus 04"));
	dev = get(&w, 3, 0, 0);
	assert_non_null(dev);
	assert_null(pci_dev_subordinate(dev));
	assert_int_equal(hwcfg(w.hw, 3, 0, PCI_PRIMARY_BUS, 4) & 0xffffff, 0);
	assert_int_equal(count_devs(w.sys), 6);
	assert_false(get(&w, 0, 2, 0)->resource[0].flags & IORESOURCE_UNSET);
	assert_false(get(&w, 1, 0, 0)->resource[0].flags & IORESOURCE_UNSET);
	assert_int_equal(pci_bus_subordinate(get(&w, 0, 0x1d, 0)->subordinate), 3);
	check_tree(&w);
	world_down(&w);
}

/* A 4 GiB BAR under 1 GiB apertures: that BAR is reported, the others are
 * assigned (its sibling BAR included). */
static void test_window_too_small(void **state)
{
	struct world w = { .desc = kd_platform() };
	struct hw_desc_host_bridge *h;
	struct hw_desc_func *rp, *f;
	struct pci_dev *dev;

	h = kd_host_bridge(w.desc, 0, 0xff, 0x80000000, 0x40000000, 0x1000000000ull,
			   0x40000000, 0, 0);
	rp = kd_func(&h->devices, HW_DESC_ROOT_PORT, 0x1c, 0);
	f = kd_func(&rp->children, HW_DESC_ENDPOINT, 0, 0);
	kd_bar(f, 0, HW_BAR_MEM64, true, 0x100000000ull);
	kd_bar(f, 2, HW_BAR_MEM32, false, 0x100000);
	rp = kd_func(&h->devices, HW_DESC_ROOT_PORT, 0x1d, 0);
	f = kd_func(&rp->children, HW_DESC_ENDPOINT, 0, 0);
	kd_bar(f, 0, HW_BAR_MEM32, false, 0x1000000);
	kd_bar(f, 2, HW_BAR_MEM64, true, 0x20000000);
	/* An I/O BAR with no I/O aperture at all. */
	kd_bar(f, 4, HW_BAR_IO, false, 0x100);
	world_up(&w);

	assert_int_equal(w.sys->nr_problems, 2);
	assert_true(has_problem(w.sys, "0000:01:00.0",
				"BAR 0 [mem size 0x100000000 64bit pref]: can't assign; no space"));
	assert_true(has_problem(w.sys, "0000:02:00.0",
				"BAR 4 [io  size 0x0100]: can't assign; no space"));
	dev = get(&w, 1, 0, 0);
	assert_true(dev->resource[0].flags & IORESOURCE_UNSET);
	assert_true(dev->resource[0].state & PCI_RES_FAILED);
	assert_false(dev->resource[2].flags & IORESOURCE_UNSET);
	/* The failed BAR is cleared and decoding stays off, as Linux's
	 * pci_enable_resources() would refuse it. */
	assert_int_equal(devcfg(&w, dev, PCI_BASE_ADDRESS_0, 4) & PCI_BASE_ADDRESS_MEM_MASK, 0);
	assert_false(devcfg(&w, dev, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY);
	dev = get(&w, 2, 0, 0);
	assert_false(dev->resource[0].flags & IORESOURCE_UNSET);
	assert_false(dev->resource[2].flags & IORESOURCE_UNSET);
	assert_true(dev->resource[2].start >= 0x1000000000ull);
	check_tree(&w);
	world_down(&w);
}

/* Too much in total for the prefetchable aperture: the largest moves to
 * the non-prefetchable window, nothing is lost. */
static void test_pref_fallback(void **state)
{
	struct world w = { .desc = kd_platform() };
	struct hw_desc_host_bridge *h;
	struct hw_desc_func *rp, *f;
	struct pci_dev *a, *b;

	h = kd_host_bridge(w.desc, 0, 0xff, 0x80000000, 0x40000000, 0x1000000000ull,
			   0x10000000, 0, 0);
	rp = kd_func(&h->devices, HW_DESC_ROOT_PORT, 0x1c, 0);
	f = kd_func(&rp->children, HW_DESC_ENDPOINT, 0, 0);
	kd_bar(f, 0, HW_BAR_MEM64, true, 0x8000000);
	kd_bar(f, 2, HW_BAR_MEM64, true, 0x10000000);
	world_up(&w);
	assert_int_equal(w.sys->nr_problems, 0);
	a = get(&w, 1, 0, 0);
	b = a;
	assert_false(a->resource[0].flags & IORESOURCE_UNSET);
	assert_false(b->resource[2].flags & IORESOURCE_UNSET);
	/* One in each window. */
	assert_true((a->resource[0].start >= 0x1000000000ull) !=
		    (b->resource[2].start >= 0x1000000000ull));
	check_tree(&w);
	world_down(&w);
}

static void ari_func(struct hw_desc_func *rp, uint8_t fn, uint8_t next)
{
	struct hw_desc_func *f = kd_func(&rp->children, HW_DESC_ENDPOINT, 0, fn);
	struct hw_desc_cap *c;

	kd_bar(f, 0, HW_BAR_MEM64, true, 0x100000);
	c = kd_cap(f, HW_DESC_CAP_PCIE);
	c->u.pcie.type = HW_PCIE_ENDPOINT;
	c = kd_cap(f, HW_DESC_CAP_ARI);
	c->u.ari.next_function = next;
}

/* ARI: function numbers above 7 follow the Next Function Number chain. */
static void test_ari(void **state)
{
	struct world w = { .desc = kd_platform() };
	struct hw_desc_host_bridge *h = std_host(w.desc);
	struct hw_desc_func *rp, *f;
	struct pci_dev *dev, *port;
	unsigned int n = 0;

	rp = kd_func(&h->devices, HW_DESC_ROOT_PORT, 0x1c, 0);
	ari_func(rp, 0, 1);
	ari_func(rp, 1, 9);
	ari_func(rp, 9, 200);
	ari_func(rp, 200, 0);
	/* Not in the chain: never probed. */
	ari_func(rp, 3, 0);
	/* A port whose device has no ARI capability. */
	rp = kd_func(&h->devices, HW_DESC_ROOT_PORT, 0x1d, 0);
	f = kd_func(&rp->children, HW_DESC_ENDPOINT, 0, 0);
	kd_bar(f, 0, HW_BAR_MEM32, false, 0x1000);
	world_up(&w);

	port = get(&w, 0, 0x1c, 0);
	assert_true(port->ari_enabled);
	assert_true(devcfg(&w, port, port->pcie_cap + PCI_EXP_DEVCTL2, 2) & PCI_EXP_DEVCTL2_ARI);
	list_for_each_entry(dev, &port->subordinate->devices, bus_list) {
		assert_true(dev->is_ari);
		assert_true(pci_find_ext_capability(dev, PCI_EXT_CAP_ID_ARI) >= 0x100);
		n++;
	}
	assert_int_equal(n, 4);
	assert_non_null(pci_get_domain_bus_and_slot(w.sys, 0, 1, 9));
	dev = pci_get_domain_bus_and_slot(w.sys, 0, 1, 200);
	assert_non_null(dev);
	assert_string_equal(pci_name(dev), "0000:01:19.0");
	assert_true(dev->multifunction);
	assert_null(pci_get_domain_bus_and_slot(w.sys, 0, 1, 3));
	assert_false(dev->resource[0].flags & IORESOURCE_UNSET);

	port = get(&w, 0, 0x1d, 0);
	assert_false(port->ari_enabled);
	assert_false(devcfg(&w, port, port->pcie_cap + PCI_EXP_DEVCTL2, 2) & PCI_EXP_DEVCTL2_ARI);
	check_tree(&w);
	world_down(&w);
}

/* Firmware's bus numbers and BAR are kept; broken ones are redone. */
static void test_firmware_kept(void **state)
{
	struct world w = { .desc = kd_platform() };
	struct hw_desc_host_bridge *h = std_host(w.desc);
	struct hw_desc_func *rp, *f;
	struct pci_dev *dev;
	uint64_t bar = MMIO_BASE + 0x1000000;

	f = kd_func(&h->devices, HW_DESC_ENDPOINT, 2, 0);
	kd_bar(f, 0, HW_BAR_MEM32, false, 0x10000);
	rp = kd_func(&h->devices, HW_DESC_ROOT_PORT, 0x1c, 0);
	f = kd_func(&rp->children, HW_DESC_ENDPOINT, 0, 0);
	kd_bar(f, 0, HW_BAR_MEM32, false, 0x100000);
	rp = kd_func(&h->devices, HW_DESC_ROOT_PORT, 0x1d, 0);
	f = kd_func(&rp->children, HW_DESC_ENDPOINT, 0, 0);
	kd_bar(f, 0, HW_BAR_MEM32, false, 0x100000);
	rp = kd_func(&h->devices, HW_DESC_ROOT_PORT, 0x1e, 0);
	f = kd_func(&rp->children, HW_DESC_ENDPOINT, 0, 0);
	world_hw(&w);

	/* "Firmware": 1d.0 gets buses 5-7 and the endpoint a BAR; 1e.0 gets a
	 * range with secondary below its primary (invalid). */
	hwcfg_wr(w.hw, 0, PCI_DEVFN(0x1d, 0), PCI_PRIMARY_BUS, 4, 0x070500);
	hwcfg_wr(w.hw, 0, PCI_DEVFN(2, 0), PCI_BASE_ADDRESS_0, 4, (uint32_t)bar);
	hwcfg_wr(w.hw, 0, PCI_DEVFN(0x1e, 0), PCI_PRIMARY_BUS, 4, 0x000001);
	w.sys = pci_subsys_create(w.hw);
	assert_false(IS_ERR(w.sys));

	assert_int_equal(hwcfg(w.hw, 0, PCI_DEVFN(0x1d, 0), PCI_PRIMARY_BUS, 4) & 0xffffff,
			 0x070500);
	assert_non_null(get(&w, 5, 0, 0));
	assert_int_equal(pci_bus_subordinate(get(&w, 0, 0x1d, 0)->subordinate), 7);
	/* Pass 1 numbers after the highest firmware bus. */
	assert_int_equal(get(&w, 0, 0x1c, 0)->subordinate->number, 8);
	assert_int_equal(get(&w, 0, 0x1e, 0)->subordinate->number, 9);
	assert_non_null(get(&w, 9, 0, 0));
	dev = get(&w, 0, 2, 0);
	assert_int_equal(dev->resource[0].start, bar);
	assert_true(dev->resource[0].state & PCI_RES_FIXED);
	assert_int_equal(devcfg(&w, dev, PCI_BASE_ADDRESS_0, 4), (uint32_t)bar);
	check_tree(&w);
	world_down(&w);
}

/* A firmware bridge window and a BAR inside it are kept; a new device
 * behind the same bridge is placed around the claimed BAR. */
static void test_firmware_window_kept(void **state)
{
	struct world w = { .desc = kd_platform() };
	struct hw_desc_host_bridge *h = std_host(w.desc);
	struct hw_desc_func *rp, *sw, *dp, *f;
	struct pci_dev *dev;
	uint64_t wbase = MMIO_BASE + 0x4000000;	/* window 64 MiB in, 16 MiB long */

	rp = kd_func(&h->devices, HW_DESC_ROOT_PORT, 0x1c, 0);
	sw = kd_func(&rp->children, HW_DESC_SWITCH, 0, 0);
	dp = kd_func(&sw->children, HW_DESC_DOWNSTREAM_PORT, 0, 0);
	f = kd_func(&dp->children, HW_DESC_ENDPOINT, 0, 0);
	kd_bar(f, 0, HW_BAR_MEM32, false, 0x100000);
	dp = kd_func(&sw->children, HW_DESC_DOWNSTREAM_PORT, 1, 0);
	f = kd_func(&dp->children, HW_DESC_ENDPOINT, 0, 0);
	kd_bar(f, 0, HW_BAR_MEM32, false, 0x100000);
	world_hw(&w);
	/* Root port: buses 1-4, window [wbase, wbase + 16M). The switch's
	 * upstream port is left unconfigured: its window is reassigned inside
	 * the kept one. */
	hwcfg_wr(w.hw, 0, PCI_DEVFN(0x1c, 0), PCI_PRIMARY_BUS, 4, 0x040100);
	hwcfg_wr(w.hw, 0, PCI_DEVFN(0x1c, 0), PCI_MEMORY_BASE, 4,
		 (uint32_t)((wbase >> 16) | ((wbase + 0xffffff) & 0xfff00000)));
	w.sys = pci_subsys_create(w.hw);
	assert_false(IS_ERR(w.sys));

	dev = get(&w, 0, 0x1c, 0);
	assert_true(dev->resource[PCI_BRIDGE_MEM_WINDOW].state & PCI_RES_FIXED);
	assert_int_equal(dev->resource[PCI_BRIDGE_MEM_WINDOW].start, wbase);
	assert_int_equal(dev->resource[PCI_BRIDGE_MEM_WINDOW].end, wbase + 0xffffff);
	dev = get(&w, 3, 0, 0);
	assert_non_null(dev);
	assert_true(dev->resource[0].start >= wbase && dev->resource[0].end <= wbase + 0xffffff);
	dev = get(&w, 4, 0, 0);
	assert_non_null(dev);
	assert_true(dev->resource[0].start >= wbase && dev->resource[0].end <= wbase + 0xffffff);
	check_tree(&w);
	world_down(&w);
}

/* A firmware window too small for what is behind it is reassigned, as
 * Linux releases and resizes bridge windows, rather than failing BARs. */
static void test_firmware_window_too_small(void **state)
{
	struct world w = { .desc = kd_platform() };
	struct hw_desc_host_bridge *h = std_host(w.desc);
	struct hw_desc_func *rp, *f;
	struct pci_dev *dev, *port;
	uint64_t wbase = MMIO_BASE + 0x4000000;

	rp = kd_func(&h->devices, HW_DESC_ROOT_PORT, 0x1c, 0);
	f = kd_func(&rp->children, HW_DESC_ENDPOINT, 0, 0);
	kd_bar(f, 0, HW_BAR_MEM32, false, 0x100000);
	kd_bar(f, 1, HW_BAR_MEM32, false, 0x800000);
	world_hw(&w);
	/* Firmware: buses 1-1, a 1 MiB window holding only BAR 0. */
	hwcfg_wr(w.hw, 0, PCI_DEVFN(0x1c, 0), PCI_PRIMARY_BUS, 4, 0x010100);
	hwcfg_wr(w.hw, 0, PCI_DEVFN(0x1c, 0), PCI_MEMORY_BASE, 4,
		 (uint32_t)((wbase >> 16) | (wbase & 0xfff00000)));
	hwcfg_wr(w.hw, 1, 0, PCI_BASE_ADDRESS_0, 4, (uint32_t)wbase);
	w.sys = pci_subsys_create(w.hw);
	assert_false(IS_ERR(w.sys));

	assert_int_equal(w.sys->nr_problems, 0);
	port = get(&w, 0, 0x1c, 0);
	dev = get(&w, 1, 0, 0);
	assert_false(port->resource[PCI_BRIDGE_MEM_WINDOW].state & PCI_RES_FIXED);
	assert_int_equal(pci_resource_size(&port->resource[PCI_BRIDGE_MEM_WINDOW]), 0x900000);
	assert_false(dev->resource[0].flags & IORESOURCE_UNSET);
	assert_false(dev->resource[1].flags & IORESOURCE_UNSET);
	check_tree(&w);
	world_down(&w);
}

/* Conventional PCI behind a PCIe-to-PCI bridge: every slot is probed and
 * config space is 256 bytes. */
static void test_conventional(void **state)
{
	struct world w = { .desc = kd_platform() };
	struct hw_desc_host_bridge *h = std_host(w.desc);
	struct hw_desc_func *br, *f;
	struct pci_dev *dev;
	uint32_t v;
	uint8_t b;
	uint16_t wd;

	br = kd_func(&h->devices, HW_DESC_PCIE_PCI_BRIDGE, 0x1e, 0);
	f = kd_func(&br->children, HW_DESC_ENDPOINT, 1, 0);
	kd_bar(f, 0, HW_BAR_MEM32, false, 0x1000);
	f = kd_func(&br->children, HW_DESC_ENDPOINT, 7, 0);
	kd_bar(f, 0, HW_BAR_IO, false, 0x40);
	world_up(&w);

	dev = get(&w, 1, 7, 0);
	assert_non_null(dev);
	assert_non_null(get(&w, 1, 1, 0));
	assert_false(pci_is_pcie(dev));
	assert_int_equal(dev->cfg_size, 256);
	assert_int_equal(pci_find_capability(dev, PCI_CAP_ID_EXP), 0);
	assert_int_equal(pci_find_ext_capability(dev, PCI_EXT_CAP_ID_ARI), 0);

	/* Accessors: bounds and alignment. */
	assert_ok(pci_read_config_dword(dev, PCI_VENDOR_ID, &v));
	assert_int_equal(v & 0xffff, KD_VENDOR);
	assert_errno(EINVAL, pci_read_config_dword(dev, 0x100, &v));
	assert_int_equal(v, 0xffffffffu);
	assert_errno(EINVAL, pci_read_config_word(dev, 0x3, &wd));
	assert_errno(EINVAL, pci_read_config_dword(dev, 0x2, &v));
	assert_errno(EINVAL, pci_write_config_dword(dev, 0xfe, 0));
	assert_errno(EINVAL, pci_read_config_byte(dev, -1, &b));
	assert_ok(pci_read_config_byte(dev, 0xff, &b));
	assert_ok(pci_write_config_byte(dev, PCI_INTERRUPT_LINE, 0x0b));
	assert_int_equal(devcfg(&w, dev, PCI_INTERRUPT_LINE, 1), 0x0b);

	dev = get(&w, 0, 0x1e, 0);
	assert_int_equal(dev->pcie_type, PCI_EXP_TYPE_PCI_BRIDGE);
	assert_int_equal(dev->cfg_size, 4096);
	assert_true(pci_find_capability(dev, PCI_CAP_ID_EXP) >= 0x40);
	assert_ok(pci_read_config_dword(dev, 0xffc, &v));
	check_tree(&w);
	world_down(&w);
}

/* Two host bridges, the second with its own bus range. */
static void test_two_host_bridges(void **state)
{
	struct world w = { .desc = kd_platform() };
	struct hw_desc_host_bridge *h;
	struct hw_desc_func *rp, *f;

	h = kd_host_bridge(w.desc, 0, 0x7f, MMIO_BASE, 0x10000000, 0, 0, 0x1000, 0x7000);
	rp = kd_func(&h->devices, HW_DESC_ROOT_PORT, 0x1c, 0);
	f = kd_func(&rp->children, HW_DESC_ENDPOINT, 0, 0);
	kd_bar(f, 0, HW_BAR_MEM64, true, 0x200000);
	h = kd_host_bridge(w.desc, 0x80, 0xff, MMIO_BASE + 0x10000000, 0x10000000,
			   PREF_BASE, PREF_SIZE, 0x8000, 0x8000);
	rp = kd_func(&h->devices, HW_DESC_ROOT_PORT, 0x1c, 0);
	f = kd_func(&rp->children, HW_DESC_ENDPOINT, 0, 0);
	kd_bar(f, 0, HW_BAR_MEM64, true, 0x200000);
	kd_bar(f, 2, HW_BAR_IO, false, 0x100);
	world_up(&w);
	assert_int_equal(count_devs(w.sys), 4);
	/* No pref aperture on the first: the 64-bit pref BAR is in mmio. */
	assert_true(get(&w, 1, 0, 0)->resource[0].start < MMIO_BASE + 0x10000000);
	assert_true(get(&w, 0x81, 0, 0)->resource[0].start >= PREF_BASE);
	assert_true(get(&w, 0x81, 0, 0)->resource[2].start >= 0x8000);
	check_tree(&w);
	world_down(&w);
}

/* Bridge windows are the children packed largest alignment first, rounded
 * to 1 MiB, and aligned to their largest child (Linux pbus_size_mem). */
static void test_window_sizing(void **state)
{
	struct world w = { .desc = kd_platform() };
	struct hw_desc_host_bridge *h = std_host(w.desc);
	struct hw_desc_func *rp, *f;
	const struct pci_resource *mem, *pref, *io;
	struct pci_dev *dev, *port;

	rp = kd_func(&h->devices, HW_DESC_ROOT_PORT, 0x1c, 0);
	f = kd_func(&rp->children, HW_DESC_ENDPOINT, 0, 0);
	kd_bar(f, 0, HW_BAR_MEM32, false, 0x1000);
	kd_bar(f, 1, HW_BAR_MEM32, false, 0x100000);
	kd_bar(f, 2, HW_BAR_MEM32, false, 0x4000000);
	kd_bar(f, 3, HW_BAR_MEM32, false, 0x200000);
	kd_bar(f, 4, HW_BAR_IO, false, 0x80);
	f = kd_func(&rp->children, HW_DESC_ENDPOINT, 0, 1);
	kd_bar(f, 0, HW_BAR_MEM64, true, 0x800000);
	kd_bar(f, 2, HW_BAR_MEM64, true, 0x2000000);
	world_up(&w);

	port = get(&w, 0, 0x1c, 0);
	mem = &port->resource[PCI_BRIDGE_MEM_WINDOW];
	pref = &port->resource[PCI_BRIDGE_PREF_MEM_WINDOW];
	io = &port->resource[PCI_BRIDGE_IO_WINDOW];
	/* 64M + 2M + 1M + 4K -> 68M, aligned 64M */
	assert_int_equal(pci_resource_size(mem), 68u << 20);
	assert_int_equal(mem->start % (64u << 20), 0);
	/* 32M + 8M, aligned 32M, above 4G */
	assert_int_equal(pci_resource_size(pref), 40u << 20);
	assert_int_equal(pref->start % (32u << 20), 0);
	assert_true(pref->start >= PREF_BASE);
	assert_true(pref->flags & IORESOURCE_MEM_64);
	assert_int_equal(pci_resource_size(io), 0x1000);
	dev = get(&w, 1, 0, 0);
	assert_int_equal(dev->resource[2].start, mem->start);
	assert_int_equal(dev->resource[3].start, mem->start + (64u << 20));
	assert_int_equal(dev->resource[1].start, mem->start + (66u << 20));
	assert_int_equal(dev->resource[0].start, mem->start + (67u << 20));
	assert_int_equal(get(&w, 1, 0, 1)->resource[2].start, pref->start);
	check_tree(&w);
	world_down(&w);
}

static void world_from_desc(struct world *w, struct hw_desc_platform *desc)
{
	w->desc = desc;
	world_up(w);
}

/* The built-in default platform enumerates as its comment draws it. */
static void test_default_platform(void **state)
{
	static const struct { unsigned int bus, slot, fn; } expect[] = {
		{ 0, 0, 0 }, { 0, 1, 0 }, { 1, 0, 0 }, { 0, 2, 0 }, { 2, 0, 0 },
		{ 3, 0, 0 }, { 4, 0, 0 }, { 4, 0, 1 }, { 3, 1, 0 }, { 5, 0, 0 },
		{ 3, 2, 0 }, { 6, 0, 0 }, { 3, 3, 0 }, { 0, 3, 0 }, { 8, 0, 0 },
		{ 9, 1, 0 }, { 9, 2, 0 }, { 10, 0, 0 },
	};
	struct hw_desc_platform *desc;
	struct world w = { 0 };
	struct pci_problem *p;
	struct pci_dev *dev;
	char err[256];
	unsigned int i;

	desc = hw_desc_default(err, sizeof(err));
	if (IS_ERR(desc))
		fail_msg("hw_desc_default: %s", err);
	world_from_desc(&w, desc);
	pci_subsys_for_each_problem(w.sys, p)
		print_message("problem: %s: %s\n", p->dev, p->msg);
	assert_int_equal(w.sys->nr_problems, 0);
	for (i = 0; i < ARRAY_SIZE(expect); i++) {
		dev = get(&w, expect[i].bus, expect[i].slot, expect[i].fn);
		if (!dev)
			fail_msg("%02x:%02x.%x missing", expect[i].bus, expect[i].slot, expect[i].fn);
	}
	assert_int_equal(count_devs(w.sys), ARRAY_SIZE(expect));
	/* the empty hot-plug slot still got its bus */
	assert_int_equal(get(&w, 3, 3, 0)->subordinate->number, 7);
	check_tree_mmio(&w, false);
	pci_subsys_destroy(w.sys);
	hw_platform_destroy(w.hw);
	hw_desc_free(desc);
}

/* Every allocation of pci_subsys_create() failing in turn: clean -ENOMEM,
 * no leak (ASan), and a full tree once nothing fails. */
static void test_fault_sweep(void **state)
{
	struct world w = { .desc = kd_platform() };
	struct hw_desc_host_bridge *h = std_host(w.desc);
	struct hw_desc_func *rp, *sw, *dp, *f;
	unsigned long n;
	int fails = 0;

	f = kd_func(&h->devices, HW_DESC_ENDPOINT, 2, 0);
	kd_bar(f, 0, HW_BAR_MEM32, false, 0x1000);
	rp = kd_func(&h->devices, HW_DESC_ROOT_PORT, 0x1c, 0);
	sw = kd_func(&rp->children, HW_DESC_SWITCH, 0, 0);
	dp = kd_func(&sw->children, HW_DESC_DOWNSTREAM_PORT, 0, 0);
	f = kd_func(&dp->children, HW_DESC_ENDPOINT, 0, 0);
	kd_bar(f, 0, HW_BAR_MEM64, true, 0x100000);
	dp = kd_func(&sw->children, HW_DESC_DOWNSTREAM_PORT, 1, 0);
	f = kd_func(&dp->children, HW_DESC_ENDPOINT, 0, 0);
	kd_bar(f, 0, HW_BAR_MEM64, false, 0x100000000ull);	/* reported */
	pl_log_set_sink(capture, NULL);
	for (n = 1; n < 1000; n++) {
		/* Fresh hardware each time: a failed run leaves it half
		 * programmed, which is allowed. */
		world_hw(&w);
		fault_inject_nth(n);
		w.sys = pci_subsys_create(w.hw);
		if (!fault_injected()) {
			fault_inject_nth(0);
			assert_false(IS_ERR(w.sys));
			break;
		}
		fault_inject_nth(0);
		if (IS_ERR(w.sys)) {
			assert_int_equal(PTR_ERR(w.sys), -ENOMEM);
			fails++;
		} else {
			pci_subsys_destroy(w.sys);
		}
		w.sys = NULL;
		hw_platform_destroy(w.hw);
	}
	pl_log_set_sink(NULL, NULL);
	assert_true(fails > 10);
	assert_int_equal(count_devs(w.sys), 7);
	assert_int_equal(w.sys->nr_problems, 1);
	assert_true(has_problem(w.sys, "0000:04:00.0", "BAR 0 [mem size 0x100000000 64bit]"));
	check_tree(&w);
	world_down(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flat_root_bus),
		cmocka_unit_test(test_multifunction),
		cmocka_unit_test(test_deep_switch_chain),
		cmocka_unit_test(test_bus_exhaustion),
		cmocka_unit_test(test_window_too_small),
		cmocka_unit_test(test_pref_fallback),
		cmocka_unit_test(test_ari),
		cmocka_unit_test(test_firmware_kept),
		cmocka_unit_test(test_firmware_window_kept),
		cmocka_unit_test(test_firmware_window_too_small),
		cmocka_unit_test(test_conventional),
		cmocka_unit_test(test_two_host_bridges),
		cmocka_unit_test(test_window_sizing),
		cmocka_unit_test(test_default_platform),
		cmocka_unit_test(test_fault_sweep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
