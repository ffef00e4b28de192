// SPDX-License-Identifier: MIT
/*
 * hw/fabric: routing of memory and I/O requests through the hierarchy, and
 * building the machine from a description. Every test drives the fabric
 * the way an OS does: through the config, MMIO and I/O requests of
 * fabric.h only, programming bridges with config writes.
 */
#include <stdio.h>

#include "test.h"
#include "fabric_util.h"
#include "hw/fabric/fabric_internal.h"

static uint64_t mmio_rd(struct hw_platform *p, uint64_t addr, unsigned int len)
{
	uint64_t v = 0;

	assert_ok(hw_mmio_read(p, addr, &v, len));
	return v;
}

static void mmio_wr(struct hw_platform *p, uint64_t addr, uint64_t v, unsigned int len)
{
	assert_ok(hw_mmio_write(p, addr, &v, len));
}

static uint32_t io_rd(struct hw_platform *p, uint32_t port, unsigned int len)
{
	uint32_t v = 0;

	assert_ok(hw_io_read(p, port, &v, len));
	return v;
}

static void io_wr(struct hw_platform *p, uint32_t port, uint32_t v, unsigned int len)
{
	assert_ok(hw_io_write(p, port, &v, len));
}

/* ---------------------------------------------------- memory and I/O */

/* Size a BAR the way an OS does and return the size mask read back. */
static uint32_t size_bar(struct hw_platform *p, uint8_t bus, uint8_t devfn, uint16_t reg)
{
	uint32_t old = rd(p, bus, devfn, reg, 4), mask;

	wr(p, bus, devfn, reg, 4, 0xffffffffu);
	mask = rd(p, bus, devfn, reg, 4);
	wr(p, bus, devfn, reg, 4, old);
	return mask;
}

static void program_rp_ep(struct hw_platform *p)
{
	set_buses(p, 0, RP, 0, 1, 1);
	/* BAR0: 4 KiB at MMIO_BASE; BAR2/3: 1 MiB 64-bit prefetchable at
	 * PREF_BASE; BAR4: 32 bytes of I/O at 0x2000. */
	assert_int_equal(size_bar(p, 1, 0, PCI_BASE_ADDRESS_0), 0xfffff000u);
	wr(p, 1, 0, PCI_BASE_ADDRESS_0, 4, (uint32_t)MMIO_BASE);
	assert_int_equal(size_bar(p, 1, 0, PCI_BASE_ADDRESS_2) & ~0xfu, 0xfff00000u);
	assert_int_equal(size_bar(p, 1, 0, PCI_BASE_ADDRESS_2) & 0xfu,
			 PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH);
	wr(p, 1, 0, PCI_BASE_ADDRESS_2, 4, (uint32_t)PREF_BASE);
	wr(p, 1, 0, PCI_BASE_ADDRESS_3, 4, (uint32_t)(PREF_BASE >> 32));
	assert_int_equal(size_bar(p, 1, 0, PCI_BASE_ADDRESS_4) & ~0x3u, 0xffffffe0u);
	wr(p, 1, 0, PCI_BASE_ADDRESS_4, 4, 0x2000);

	/* Root port windows: memory 0x80000000-0x800fffff, prefetchable
	 * 0x4_0000_0000-0x4_000f_ffff (64-bit), I/O 0x2000-0x2fff. */
	wr(p, 0, RP, PCI_MEMORY_BASE, 2, (uint16_t)(MMIO_BASE >> 16));
	wr(p, 0, RP, PCI_MEMORY_LIMIT, 2, (uint16_t)(MMIO_BASE >> 16));
	assert_int_equal(rd(p, 0, RP, PCI_PREF_MEMORY_BASE, 2) & 0xf, PCI_PREF_RANGE_TYPE_64);
	wr(p, 0, RP, PCI_PREF_MEMORY_BASE, 2, (uint16_t)(PREF_BASE >> 16));
	wr(p, 0, RP, PCI_PREF_MEMORY_LIMIT, 2, (uint16_t)(PREF_BASE >> 16));
	wr(p, 0, RP, PCI_PREF_BASE_UPPER32, 4, (uint32_t)(PREF_BASE >> 32));
	wr(p, 0, RP, PCI_PREF_LIMIT_UPPER32, 4, (uint32_t)(PREF_BASE >> 32));
	assert_int_equal(rd(p, 0, RP, PCI_IO_BASE, 1) & 0xf, PCI_IO_RANGE_TYPE_32);
	wr(p, 0, RP, PCI_IO_BASE, 1, 0x20);
	wr(p, 0, RP, PCI_IO_LIMIT, 1, 0x20);
}

static void test_mmio_routing(void **state)
{
	struct hw_desc_platform *d = rp_ep_desc(NULL, NULL);
	struct hw_platform *p = create(d);

	program_rp_ep(p);
	/* Nothing enabled yet: unclaimed, all-ones, writes dropped. */
	mmio_wr(p, MMIO_BASE, 0x12345678, 4);
	assert_int_equal(mmio_rd(p, MMIO_BASE, 4), 0xffffffffu);

	/* Endpoint enabled, root port not: the window does not forward. */
	wr(p, 1, 0, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	mmio_wr(p, MMIO_BASE, 0x12345678, 4);
	assert_int_equal(mmio_rd(p, MMIO_BASE, 4), 0xffffffffu);

	wr(p, 0, RP, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	mmio_wr(p, MMIO_BASE + 8, 0x1122334455667788ull, 8);
	assert_true(mmio_rd(p, MMIO_BASE + 8, 8) == 0x1122334455667788ull);
	assert_int_equal(mmio_rd(p, MMIO_BASE + 8, 1), 0x88);
	assert_int_equal(mmio_rd(p, MMIO_BASE + 0xe, 2), 0x1122);
	/* Beyond the 4 KiB BAR but inside the window: unclaimed. */
	assert_int_equal(mmio_rd(p, MMIO_BASE + 0x1000, 4), 0xffffffffu);
	/* Inside the aperture, outside the window. */
	assert_int_equal(mmio_rd(p, MMIO_BASE + 0x100000, 4), 0xffffffffu);

	/* 64-bit prefetchable BAR through the 64-bit prefetchable window. */
	mmio_wr(p, PREF_BASE + 0xff000, 0xcafef00dull, 4);
	assert_int_equal(mmio_rd(p, PREF_BASE + 0xff000, 4), 0xcafef00d);

	/* Moving the BAR moves the data with it. */
	wr(p, 1, 0, PCI_BASE_ADDRESS_0, 4, (uint32_t)MMIO_BASE + 0x4000);
	assert_int_equal(mmio_rd(p, MMIO_BASE + 8, 4), 0xffffffffu);
	assert_true(mmio_rd(p, MMIO_BASE + 0x4008, 8) == 0x1122334455667788ull);

	/* Closing the window (base > limit) cuts the path. */
	wr(p, 0, RP, PCI_MEMORY_BASE, 2, 0xfff0);
	assert_int_equal(mmio_rd(p, MMIO_BASE + 0x4008, 4), 0xffffffffu);
	assert_int_equal(mmio_rd(p, PREF_BASE + 0xff000, 4), 0xcafef00d);
	/* Root port MSE off disables the prefetchable window too. */
	wr(p, 0, RP, PCI_COMMAND, 2, 0);
	assert_int_equal(mmio_rd(p, PREF_BASE + 0xff000, 4), 0xffffffffu);
	/* Outside every aperture. */
	assert_int_equal(mmio_rd(p, 0x1000, 4), 0xffffffffu);

	hw_platform_destroy(p);
	td_free(d);
}

static void test_io_routing(void **state)
{
	struct hw_desc_platform *d = rp_ep_desc(NULL, NULL);
	struct hw_platform *p = create(d);

	program_rp_ep(p);
	wr(p, 1, 0, PCI_COMMAND, 2, PCI_COMMAND_IO);
	/* Root port's I/O Space Enable off: no forwarding. */
	io_wr(p, 0x2004, 0xa5a5a5a5, 4);
	assert_int_equal(io_rd(p, 0x2004, 4), 0xffffffffu);
	wr(p, 0, RP, PCI_COMMAND, 2, PCI_COMMAND_IO);
	io_wr(p, 0x2004, 0xa5a5a5a5, 4);
	assert_int_equal(io_rd(p, 0x2004, 4), 0xa5a5a5a5);
	assert_int_equal(io_rd(p, 0x2006, 2), 0xa5a5);
	/* Past the 32-byte BAR, and memory space does not see I/O. */
	assert_int_equal(io_rd(p, 0x2020, 4), 0xffffffffu);
	assert_int_equal(mmio_rd(p, 0x2004, 4), 0xffffffffu);
	/* Upper 16 bits of the 32-bit I/O window take part in decoding. */
	wr(p, 0, RP, PCI_IO_BASE_UPPER16, 2, 1);
	assert_int_equal(io_rd(p, 0x2004, 4), 0xffffffffu);
	wr(p, 0, RP, PCI_IO_BASE_UPPER16, 2, 0);
	assert_int_equal(io_rd(p, 0x2004, 4), 0xa5a5a5a5);
	/* ISA Enable: the top 768 bytes of each 1 KiB block are not
	 * forwarded, the first 256 bytes still are. */
	wr(p, 1, 0, PCI_BASE_ADDRESS_4, 4, 0x2100);
	io_wr(p, 0x2104, 0x11223344, 4);
	assert_int_equal(io_rd(p, 0x2104, 4), 0x11223344);
	wr(p, 0, RP, PCI_BRIDGE_CONTROL, 2, PCI_BRIDGE_CTL_ISA);
	assert_int_equal(io_rd(p, 0x2104, 4), 0xffffffffu);
	wr(p, 1, 0, PCI_BASE_ADDRESS_4, 4, 0x2400);
	io_wr(p, 0x2404, 0x55667788, 4);
	assert_int_equal(io_rd(p, 0x2404, 4), 0x55667788);
	/* Endpoint I/O decode off. */
	wr(p, 1, 0, PCI_COMMAND, 2, 0);
	assert_int_equal(io_rd(p, 0x2404, 4), 0xffffffffu);

	hw_platform_destroy(p);
	td_free(d);
}

static void test_vga_enable(void **state)
{
	struct hw_desc_platform *d = td_platform();
	struct hw_desc_host_bridge *h = td_host_bridge(d, 0, 0, 0xff);
	struct hw_desc_func *rp, *vga;
	struct hw_platform *p;

	h->mmio.base = 0xa0000;
	h->mmio.size = 0x20000;
	h->io.base = 0;
	h->io.size = 0x10000;
	rp = td_func(&h->devices, HW_DESC_ROOT_PORT, 1, 0, NULL);
	vga = td_func(&rp->children, HW_DESC_ENDPOINT, 0, 0, "vga");
	vga->class_code = 0x030000;
	td_bar(vga, 0, HW_BAR_IO, false, 0x20);
	td_bar(vga, 1, HW_BAR_MEM32, false, 0x20000);
	p = create(d);

	set_buses(p, 0, PCI_DEVFN(1, 0), 0, 1, 1);
	wr(p, 1, 0, PCI_BASE_ADDRESS_0, 4, 0x3c0);
	wr(p, 1, 0, PCI_BASE_ADDRESS_1, 4, 0xa0000);
	wr(p, 1, 0, PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	/* Windows closed (base > limit), decoding on. */
	wr(p, 0, PCI_DEVFN(1, 0), PCI_MEMORY_BASE, 2, 0xfff0);
	wr(p, 0, PCI_DEVFN(1, 0), PCI_PREF_MEMORY_BASE, 2, 0xfff0);
	wr(p, 0, PCI_DEVFN(1, 0), PCI_IO_BASE, 1, 0xf0);
	wr(p, 0, PCI_DEVFN(1, 0), PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	io_wr(p, 0x3c4, 0xab, 1);
	mmio_wr(p, 0xb8000, 0x0741, 2);
	assert_int_equal(io_rd(p, 0x3c4, 1), 0xff);
	assert_int_equal(mmio_rd(p, 0xb8000, 2), 0xffff);

	wr(p, 0, PCI_DEVFN(1, 0), PCI_BRIDGE_CONTROL, 2, PCI_BRIDGE_CTL_VGA);
	io_wr(p, 0x3c4, 0xab, 1);
	mmio_wr(p, 0xb8000, 0x0741, 2);
	assert_int_equal(io_rd(p, 0x3c4, 1), 0xab);
	assert_int_equal(mmio_rd(p, 0xb8000, 2), 0x0741);

	hw_platform_destroy(p);
	td_free(d);
}

static void test_bridge_bar(void **state)
{
	struct hw_desc_platform *d = td_platform();
	struct hw_desc_host_bridge *h = hb0(d);
	struct hw_desc_func *rp;
	struct hw_platform *p;

	rp = td_func(&h->devices, HW_DESC_ROOT_PORT, 1, 0, NULL);
	td_bar(rp, 0, HW_BAR_MEM32, false, 0x1000);
	p = create(d);

	assert_int_equal(size_bar(p, 0, PCI_DEVFN(1, 0), PCI_BASE_ADDRESS_0), 0xfffff000u);
	wr(p, 0, PCI_DEVFN(1, 0), PCI_BASE_ADDRESS_0, 4, (uint32_t)MMIO_BASE + 0x200000);
	mmio_wr(p, MMIO_BASE + 0x200010, 0x77, 1);
	assert_int_equal(mmio_rd(p, MMIO_BASE + 0x200010, 1), 0xff);
	wr(p, 0, PCI_DEVFN(1, 0), PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	mmio_wr(p, MMIO_BASE + 0x200010, 0x77, 1);
	assert_int_equal(mmio_rd(p, MMIO_BASE + 0x200010, 1), 0x77);

	hw_platform_destroy(p);
	td_free(d);
}

static void test_secondary_bus_reset(void **state)
{
	struct hw_desc_platform *d = td_platform();
	struct hw_desc_host_bridge *h = hb0(d);
	struct hw_desc_func *rp, *usp, *dsp, *ep;
	struct hw_platform *p;
	uint16_t bctl, cap;

	rp = td_func(&h->devices, HW_DESC_ROOT_PORT, 0x1c, 0, NULL);
	usp = td_func(&rp->children, HW_DESC_SWITCH, 0, 0, NULL);
	dsp = td_func(&usp->children, HW_DESC_DOWNSTREAM_PORT, 0, 0, NULL);
	ep = td_func(&dsp->children, HW_DESC_ENDPOINT, 0, 0, NULL);
	td_bar(ep, 0, HW_BAR_MEM32, false, 0x1000);
	p = create(d);

	set_buses(p, 0, RP, 0, 1, 3);
	set_buses(p, 1, 0, 1, 2, 3);
	set_buses(p, 2, 0, 2, 3, 3);
	wr(p, 3, 0, PCI_BASE_ADDRESS_0, 4, (uint32_t)MMIO_BASE);
	wr(p, 3, 0, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_int_equal(rd(p, 3, 0, PCI_BASE_ADDRESS_0, 4), (uint32_t)MMIO_BASE);

	/* Reset below the downstream port: only the endpoint is reset. */
	bctl = (uint16_t)rd(p, 2, 0, PCI_BRIDGE_CONTROL, 2);
	wr(p, 2, 0, PCI_BRIDGE_CONTROL, 2, bctl | PCI_BRIDGE_CTL_BUS_RESET);
	/* While held in reset the hierarchy below does not answer. */
	assert_false(present(p, 3, 0));
	wr(p, 2, 0, PCI_BRIDGE_CONTROL, 2, bctl);
	assert_true(present(p, 3, 0));
	assert_int_equal(rd(p, 3, 0, PCI_BASE_ADDRESS_0, 4), 0);
	assert_int_equal(rd(p, 3, 0, PCI_COMMAND, 2), 0);
	assert_int_equal(rd(p, 2, 0, PCI_SECONDARY_BUS, 1), 3);

	/* Reset at the root port: the switch loses its bus numbers, so the
	 * endpoint is unreachable until software renumbers. The link is in
	 * Hot Reset meanwhile: Data Link Layer Link Active drops. */
	wr(p, 3, 0, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	cap = cap_off(p, 0, RP, PCI_CAP_ID_EXP);
	assert_true(rd(p, 0, RP, cap + PCI_EXP_LNKSTA, 2) & PCI_EXP_LNKSTA_DLLLA);
	wr(p, 0, RP, PCI_BRIDGE_CONTROL, 2, PCI_BRIDGE_CTL_BUS_RESET);
	assert_int_equal(rd(p, 0, RP, PCI_BRIDGE_CONTROL, 2) & PCI_BRIDGE_CTL_BUS_RESET,
			 PCI_BRIDGE_CTL_BUS_RESET);
	assert_false(rd(p, 0, RP, cap + PCI_EXP_LNKSTA, 2) & PCI_EXP_LNKSTA_DLLLA);
	wr(p, 0, RP, PCI_BRIDGE_CONTROL, 2, 0);
	assert_true(rd(p, 0, RP, cap + PCI_EXP_LNKSTA, 2) & PCI_EXP_LNKSTA_DLLLA);
	assert_int_equal(rd(p, 0, RP, PCI_SECONDARY_BUS, 1), 1);	/* RP itself kept */
	assert_int_equal(rd(p, 1, 0, PCI_SECONDARY_BUS, 1), 0);
	assert_false(present(p, 3, 0));
	set_buses(p, 1, 0, 1, 2, 3);
	set_buses(p, 2, 0, 2, 3, 3);
	assert_int_equal(rd(p, 3, 0, PCI_COMMAND, 2), 0);

	/* Link Disable on the downstream port: DL_Down resets the endpoint
	 * and hides it until the link is enabled again. */
	wr(p, 3, 0, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	cap = cap_off(p, 2, 0, PCI_CAP_ID_EXP);
	wr(p, 2, 0, cap + PCI_EXP_LNKCTL, 2, PCI_EXP_LNKCTL_LD);
	assert_false(present(p, 3, 0));
	assert_false(rd(p, 2, 0, cap + PCI_EXP_LNKSTA, 2) & PCI_EXP_LNKSTA_DLLLA);
	wr(p, 2, 0, cap + PCI_EXP_LNKCTL, 2, 0);
	assert_true(rd(p, 2, 0, cap + PCI_EXP_LNKSTA, 2) & PCI_EXP_LNKSTA_DLLLA);
	assert_true(present(p, 3, 0));
	assert_int_equal(rd(p, 3, 0, PCI_COMMAND, 2), 0);

	hw_platform_destroy(p);
	td_free(d);
}

static void test_bad_requests(void **state)
{
	struct hw_desc_platform *d = rp_ep_desc(NULL, NULL);
	struct hw_platform *p = create(d);
	uint32_t v = 0x5a5a5a5a;
	uint64_t q = 0;

	assert_errno(EINVAL, hw_cfg_read(p, 0, 0, RP, 1, 2, &v));
	assert_errno(EINVAL, hw_cfg_read(p, 0, 0, RP, 2, 4, &v));
	assert_errno(EINVAL, hw_cfg_read(p, 0, 0, RP, 0, 3, &v));
	assert_errno(EINVAL, hw_cfg_read(p, 0, 0, RP, 0, 8, &v));
	assert_errno(EINVAL, hw_cfg_read(p, 0, 0, RP, 0, 0, &v));
	assert_errno(EINVAL, hw_cfg_read(p, 0, 0, RP, 4096, 4, &v));
	assert_int_equal(v, 0x5a5a5a5a);	/* nothing was sent */
	/* A rejected write does not reach the register. */
	assert_errno(EINVAL, hw_cfg_write(p, 0, 0, RP, PCI_SECONDARY_BUS, 2, 0x0505));
	assert_errno(EINVAL, hw_cfg_write(p, 0, 0, RP, 0x1000, 1, 1));
	assert_int_equal(rd(p, 0, RP, PCI_PRIMARY_BUS, 4) & 0xffffff, 0);
	/* Last dword of config space is fine. */
	assert_ok(hw_cfg_read(p, 0, 0, RP, 0xffc, 4, &v));

	assert_errno(EINVAL, hw_mmio_read(p, MMIO_BASE + 2, &q, 4));
	assert_errno(EINVAL, hw_mmio_read(p, MMIO_BASE + 4, &q, 8));
	assert_errno(EINVAL, hw_mmio_read(p, MMIO_BASE, &q, 3));
	assert_errno(EINVAL, hw_mmio_read(p, MMIO_BASE, &q, 16));
	assert_errno(EINVAL, hw_mmio_write(p, MMIO_BASE + 1, &q, 2));
	assert_errno(EINVAL, hw_io_read(p, 0x2000, &q, 8));
	assert_errno(EINVAL, hw_io_read(p, 0x2001, &q, 2));
	assert_errno(EINVAL, hw_io_write(p, 0x2000, &q, 0));

	hw_platform_destroy(p);
	td_free(d);
}

/* -------------------------------------------------------- construction */

static void test_host_bridges(void **state)
{
	struct hw_desc_platform *d = td_platform();
	struct hw_desc_host_bridge *h0 = hb0(d), *h1;
	struct hw_host_bridge_info info;
	struct hw_platform *p;
	struct hw_desc_func *ep;

	h0->bus_end = 0x7f;
	td_func(&h0->devices, HW_DESC_ENDPOINT, 2, 0, NULL);
	h1 = td_host_bridge(d, 0, 0x80, 0xff);
	h1->mmio.base = 0xa0000000;
	h1->mmio.size = 0x1000000;
	ep = td_func(&h1->devices, HW_DESC_ENDPOINT, 3, 0, NULL);
	ep->device = 0x4444;
	p = create(d);

	assert_int_equal(hw_platform_nr_host_bridges(p), 2);
	assert_ok(hw_platform_host_bridge_info(p, 1, &info));
	assert_int_equal(info.bus_start, 0x80);
	assert_int_equal(info.bus_end, 0xff);
	assert_true(info.mmio.base == 0xa0000000 && info.mmio.size == 0x1000000);
	assert_ok(hw_platform_host_bridge_info(p, 0, &info));
	assert_true(info.mmio_pref.base == PREF_BASE && info.io.size == IO_SIZE);
	assert_errno(EINVAL, hw_platform_host_bridge_info(p, 2, &info));

	assert_int_equal(rd(p, 0, PCI_DEVFN(2, 0), PCI_DEVICE_ID, 2), TD_DEVICE);
	assert_int_equal(rd(p, 0x80, PCI_DEVFN(3, 0), PCI_DEVICE_ID, 2), 0x4444);
	assert_false(present(p, 0x80, PCI_DEVFN(2, 0)));
	assert_false(present(p, 0, PCI_DEVFN(3, 0)));
	/* On a root bus an endpoint is root complex integrated. */
	assert_int_equal(pcie_type(p, 0, PCI_DEVFN(2, 0)), PCI_EXP_TYPE_RC_END);

	hw_platform_destroy(p);
	td_free(d);
}

static int count_visit(struct hw_pcidev *dev, void *arg)
{
	(*(unsigned int *)arg)++;
	return 0;
}

static int stop_visit(struct hw_pcidev *dev, void *arg)
{
	return ++(*(unsigned int *)arg) == 2 ? 42 : 0;
}

static void test_multifunction_and_iterator(void **state)
{
	struct hw_desc_platform *d = td_platform();
	struct hw_desc_host_bridge *h = hb0(d);
	struct hw_desc_func *rp;
	struct hw_platform *p;
	unsigned int n = 0;

	td_func(&h->devices, HW_DESC_ENDPOINT, 2, 0, NULL);
	td_func(&h->devices, HW_DESC_ENDPOINT, 2, 3, NULL);
	td_func(&h->devices, HW_DESC_ENDPOINT, 4, 0, NULL);
	rp = td_func(&h->devices, HW_DESC_ROOT_PORT, 5, 0, NULL);
	td_func(&rp->children, HW_DESC_ENDPOINT, 0, 0, NULL);
	p = create(d);

	assert_int_equal(rd(p, 0, PCI_DEVFN(2, 0), PCI_HEADER_TYPE, 1), 0x80);
	assert_int_equal(rd(p, 0, PCI_DEVFN(2, 3), PCI_HEADER_TYPE, 1), 0x80);
	assert_int_equal(rd(p, 0, PCI_DEVFN(4, 0), PCI_HEADER_TYPE, 1), 0x00);
	assert_false(present(p, 0, PCI_DEVFN(2, 1)));

	assert_int_equal(hw_platform_for_each_func(p, count_visit, &n), 0);
	assert_int_equal(n, 5);
	n = 0;
	assert_int_equal(hw_platform_for_each_func(p, stop_visit, &n), 42);
	assert_int_equal(n, 2);
	/* Requester ID follows the programmed bus number. */
	set_buses(p, 0, PCI_DEVFN(5, 0), 0, 7, 7);
	assert_int_equal(hw_fabric_func_rid(hw_platform_cfg_target(p, 0, 7, 0)), 0x0700);
	assert_null(hw_platform_cfg_target(p, 0, 8, 0));

	hw_platform_destroy(p);
	td_free(d);
}

/* A replayed function: header, and a PCI Express capability at 0x40 of the
 * given Device/Port Type (-1: none, conventional). */
static struct hw_desc_func *replay_func(struct list_head *list, uint8_t dev,
					uint16_t vendor, uint16_t device, bool bridge,
					int pcie_type)
{
	struct hw_desc_func *f = td_func(list, HW_DESC_REPLAY, dev, 0, NULL);
	uint8_t *c = calloc(1, HW_PCI_CFG_SIZE);

	assert_non_null(c);
	f->raw_cfg = c;
	f->raw_len = 256;
	c[0] = (uint8_t)vendor;
	c[1] = (uint8_t)(vendor >> 8);
	c[2] = (uint8_t)device;
	c[3] = (uint8_t)(device >> 8);
	c[PCI_HEADER_TYPE] = bridge ? PCI_HEADER_TYPE_BRIDGE : PCI_HEADER_TYPE_NORMAL;
	c[PCI_CLASS_DEVICE + 1] = bridge ? 0x06 : 0x01;
	c[PCI_CLASS_DEVICE] = bridge ? 0x04 : 0x08;
	if (pcie_type >= 0) {
		c[PCI_STATUS] = PCI_STATUS_CAP_LIST;
		c[PCI_CAPABILITY_LIST] = 0x40;
		c[0x40] = PCI_CAP_ID_EXP;
		c[0x40 + PCI_EXP_FLAGS] = (uint8_t)(2 | pcie_type << 4);
	}
	return f;
}

/* Replayed bridges get a secondary bus whose kind follows their dumped
 * PCI Express capability, and route with their dumped bus numbers. */
static struct hw_desc_platform *replay_desc(void)
{
	struct hw_desc_platform *d = td_platform();
	struct hw_desc_host_bridge *h = hb0(d);
	struct hw_desc_func *rp, *usp, *dsp, *pb;

	rp = replay_func(&h->devices, 0x1c, 0x8086, 0x7ab8, true, PCI_EXP_TYPE_ROOT_PORT);
	rp->raw_cfg[PCI_SECONDARY_BUS] = 1;
	rp->raw_cfg[PCI_SUBORDINATE_BUS] = 4;
	usp = replay_func(&rp->children, 0, 0x10b5, 0x8747, true, PCI_EXP_TYPE_UPSTREAM);
	usp->raw_cfg[PCI_PRIMARY_BUS] = 1;
	usp->raw_cfg[PCI_SECONDARY_BUS] = 2;
	usp->raw_cfg[PCI_SUBORDINATE_BUS] = 4;
	dsp = replay_func(&usp->children, 8, 0x10b5, 0x8747, true, PCI_EXP_TYPE_DOWNSTREAM);
	dsp->raw_cfg[PCI_PRIMARY_BUS] = 2;
	dsp->raw_cfg[PCI_SECONDARY_BUS] = 3;
	dsp->raw_cfg[PCI_SUBORDINATE_BUS] = 3;
	replay_func(&dsp->children, 0, 0x144d, 0xa808, false, PCI_EXP_TYPE_ENDPOINT);
	pb = replay_func(&usp->children, 9, 0x10b5, 0x8747, true, PCI_EXP_TYPE_DOWNSTREAM);
	pb->raw_cfg[PCI_SECONDARY_BUS] = 4;
	pb->raw_cfg[PCI_SUBORDINATE_BUS] = 4;
	return d;
}

static void test_replay_hierarchy(void **state)
{
	struct hw_desc_platform *d = replay_desc();
	struct hw_platform *p = create(d);

	/* The dumped numbering routes at once. */
	assert_int_equal(rd(p, 0, RP, PCI_VENDOR_ID, 2), 0x8086);
	assert_int_equal(rd(p, 1, 0, PCI_VENDOR_ID, 2), 0x10b5);
	/* Switch internal bus: devices 8 and 9 answer. */
	assert_true(present(p, 2, PCI_DEVFN(8, 0)));
	assert_true(present(p, 2, PCI_DEVFN(9, 0)));
	assert_int_equal(rd(p, 3, 0, PCI_VENDOR_ID, 2), 0x144d);
	/* Below the replayed downstream port: a link, device 0 only. */
	assert_false(present(p, 3, PCI_DEVFN(1, 0)));
	/* Renumbering by the OS works as for modelled bridges. */
	wr(p, 2, PCI_DEVFN(8, 0), PCI_SECONDARY_BUS, 1, 4);
	wr(p, 2, PCI_DEVFN(9, 0), PCI_SECONDARY_BUS, 1, 0);
	wr(p, 2, PCI_DEVFN(8, 0), PCI_SUBORDINATE_BUS, 1, 4);
	assert_false(present(p, 3, 0));
	assert_int_equal(rd(p, 4, 0, PCI_VENDOR_ID, 2), 0x144d);

	hw_platform_destroy(p);
	td_free(d);
}

/* hw_platform_create() must fail with -EINVAL and a message naming the
 * node's file:line and the given text. */
static void expect_create_error(struct hw_desc_platform *d, unsigned int line,
				const char *text)
{
	char err[256], where[64];
	struct hw_platform *p;

	p = hw_platform_create(d, err, sizeof(err));
	assert_err_ptr(EINVAL, p);
	snprintf(where, sizeof(where), TD_FILE ":%u:", line);
	if (strncmp(err, where, strlen(where)) || !strstr(err, text))
		fail_msg("error \"%s\" does not start with \"%s\" or lacks \"%s\"",
			 err, where, text);
	td_free(d);
}

static void test_create_errors(void **state)
{
	struct hw_desc_platform *d;
	struct hw_desc_host_bridge *h;
	struct hw_desc_func *rp, *br, *f;
	struct hw_desc_cap *c;

	/* A root port whose PCIe capability says "endpoint". */
	d = td_platform();
	h = hb0(d);
	rp = td_func(&h->devices, HW_DESC_ROOT_PORT, 1, 0, "rp-bad");
	c = td_cap(rp, HW_DESC_CAP_PCIE);
	c->u.pcie.type = HW_PCIE_ENDPOINT;
	expect_create_error(d, c->loc.line, "'rp-bad'");

	/* An endpoint below a port claiming to be a root port. */
	d = td_platform();
	h = hb0(d);
	rp = td_func(&h->devices, HW_DESC_ROOT_PORT, 1, 0, NULL);
	f = td_func(&rp->children, HW_DESC_ENDPOINT, 0, 0, "ep-bad");
	c = td_cap(f, HW_DESC_CAP_PCIE);
	c->u.pcie.type = HW_PCIE_ROOT_PORT;
	expect_create_error(d, c->loc.line, "says root port");

	/* A root complex integrated endpoint cannot sit below a port. */
	d = td_platform();
	h = hb0(d);
	rp = td_func(&h->devices, HW_DESC_ROOT_PORT, 1, 0, NULL);
	f = td_func(&rp->children, HW_DESC_ENDPOINT, 0, 0, NULL);
	c = td_cap(f, HW_DESC_CAP_PCIE);
	c->u.pcie.type = HW_PCIE_RC_INTEGRATED;
	expect_create_error(d, c->loc.line, "root complex integrated");

	/* A conventional function with a PCIe capability. */
	d = td_platform();
	h = hb0(d);
	br = td_func(&h->devices, HW_DESC_PCIE_PCI_BRIDGE, 1, 0, NULL);
	f = td_func(&br->children, HW_DESC_ENDPOINT, 4, 0, "old");
	c = td_cap(f, HW_DESC_CAP_PCIE);
	c->u.pcie.type = HW_PCIE_ENDPOINT;
	expect_create_error(d, c->loc.line, "conventional");

	/* Device 1 on a link. */
	d = td_platform();
	h = hb0(d);
	rp = td_func(&h->devices, HW_DESC_ROOT_PORT, 1, 0, NULL);
	f = td_func(&rp->children, HW_DESC_ENDPOINT, 1, 0, "dev1");
	expect_create_error(d, f->loc.line, "only device 0");

	/* A switch directly on the root bus. */
	d = td_platform();
	h = hb0(d);
	f = td_func(&h->devices, HW_DESC_SWITCH, 1, 0, NULL);
	expect_create_error(d, f->loc.line, "root bus");

	/* An endpoint on a switch's internal bus. */
	d = td_platform();
	h = hb0(d);
	rp = td_func(&h->devices, HW_DESC_ROOT_PORT, 1, 0, NULL);
	br = td_func(&rp->children, HW_DESC_SWITCH, 0, 0, NULL);
	f = td_func(&br->children, HW_DESC_ENDPOINT, 0, 0, NULL);
	expect_create_error(d, f->loc.line, "internal bus");

	/* Duplicate devfn, and a function without function 0. */
	d = td_platform();
	h = hb0(d);
	td_func(&h->devices, HW_DESC_ENDPOINT, 3, 0, NULL);
	f = td_func(&h->devices, HW_DESC_ENDPOINT, 3, 0, NULL);
	expect_create_error(d, f->loc.line, "duplicate");
	d = td_platform();
	h = hb0(d);
	f = td_func(&h->devices, HW_DESC_ENDPOINT, 3, 2, NULL);
	expect_create_error(d, f->loc.line, "no function 0");

	/* Function numbers above 7 on a root bus. */
	d = td_platform();
	h = hb0(d);
	td_func(&h->devices, HW_DESC_ENDPOINT, 0, 0, NULL);
	f = td_func(&h->devices, HW_DESC_ENDPOINT, 0, 8, NULL);
	expect_create_error(d, f->loc.line, "ARI");

	/* A BAR the engine rejects, reported at the BAR's line. */
	d = td_platform();
	h = hb0(d);
	f = td_func(&h->devices, HW_DESC_ENDPOINT, 0, 0, NULL);
	td_bar(f, 0, HW_BAR_MEM32, false, 0x3000);
	expect_create_error(d, f->bars[0].loc.line, "BAR");

	/* Vendor ID FFFFh reads like an empty slot. */
	d = td_platform();
	h = hb0(d);
	rp = td_func(&h->devices, HW_DESC_ROOT_PORT, 1, 0, "rp");
	f = td_func(&rp->children, HW_DESC_ENDPOINT, 0, 0, "ghost");
	f->vendor = 0xffff;
	expect_create_error(d, f->loc.line, "'ghost'");

	/* No error buffer: still a clean -EINVAL. */
	d = td_platform();
	h = hb0(d);
	f = td_func(&h->devices, HW_DESC_SWITCH, 0, 0, NULL);
	assert_err_ptr(EINVAL, hw_platform_create(d, NULL, 0));
	td_free(d);
	assert_err_ptr(EINVAL, hw_platform_create(NULL, NULL, 0));

	/* Overlapping host bridges. */
	d = td_platform();
	hb0(d);
	h = td_host_bridge(d, 0, 0x10, 0x20);
	expect_create_error(d, h->loc.line, "bus range overlaps");
}

/* A platform exercising every node kind, for the allocation sweep. */
static struct hw_desc_platform *rich_desc(void)
{
	struct hw_desc_platform *d = rp_ep_desc(NULL, NULL);
	struct hw_desc_host_bridge *h = list_first_entry(&d->host_bridges,
					struct hw_desc_host_bridge, node);
	struct hw_desc_func *rp, *usp, *dsp, *br, *pb, *f;

	rp = td_func(&h->devices, HW_DESC_ROOT_PORT, 1, 0, NULL);
	usp = td_func(&rp->children, HW_DESC_SWITCH, 0, 0, NULL);
	dsp = td_func(&usp->children, HW_DESC_DOWNSTREAM_PORT, 0, 0, NULL);
	f = td_func(&dsp->children, HW_DESC_ENDPOINT, 0, 0, NULL);
	td_cap(f, HW_DESC_CAP_MSI)->u.msi.vectors = 4;
	td_cap(f, HW_DESC_CAP_AER);
	td_func(&dsp->children, HW_DESC_ENDPOINT, 0, 1, NULL);
	dsp = td_func(&usp->children, HW_DESC_DOWNSTREAM_PORT, 1, 0, NULL);
	br = td_func(&dsp->children, HW_DESC_PCIE_PCI_BRIDGE, 0, 0, NULL);
	pb = td_func(&br->children, HW_DESC_PCI_BRIDGE, 1, 0, NULL);
	f = td_func(&pb->children, HW_DESC_ENDPOINT, 2, 0, NULL);
	td_bar(f, 1, HW_BAR_IO, false, 0x10);
	td_func(&h->devices, HW_DESC_ENDPOINT, 3, 0, NULL);
	return d;
}

/*
 * Depth-first enumeration as an OS does it (Linux pci_scan_child_bus):
 * probe function 0 of each device, the other functions of multi-function
 * devices, and number every bridge's secondary bus on the way down with a
 * provisional subordinate of FFh, fixed once the subtree is known.
 * Returns the last bus number used below busnr.
 */
static uint8_t enumerate(struct hw_platform *p, uint8_t busnr, uint8_t *next_bus,
			 unsigned int *found)
{
	uint8_t last = busnr;
	unsigned int dev, fn;

	for (dev = 0; dev < 32; dev++) {
		unsigned int nfn = 1;

		for (fn = 0; fn < nfn; fn++) {
			uint8_t devfn = PCI_DEVFN(dev, fn), hdr, sec;

			if (!present(p, busnr, devfn))
				continue;
			(*found)++;
			hdr = (uint8_t)rd(p, busnr, devfn, PCI_HEADER_TYPE, 1);
			if (fn == 0 && (hdr & 0x80))
				nfn = 8;
			if ((hdr & 0x7f) != PCI_HEADER_TYPE_BRIDGE)
				continue;
			sec = ++(*next_bus);
			wr(p, busnr, devfn, PCI_PRIMARY_BUS, 4,
			   busnr | (uint32_t)sec << 8 | 0xffu << 16);
			last = enumerate(p, sec, next_bus, found);
			wr(p, busnr, devfn, PCI_SUBORDINATE_BUS, 1, last);
		}
	}
	return MAX(last, *next_bus);
}

static void test_enumerate_like_os(void **state)
{
	struct hw_desc_platform *d = rich_desc();
	struct hw_platform *p = create(d);
	unsigned int found = 0, count = 0;
	uint8_t next_bus = 0;

	enumerate(p, 0, &next_bus, &found);
	assert_ok(hw_platform_for_each_func(p, count_visit, &count));
	assert_int_equal(found, count);
	/* Secondary buses: rp 01.0, usp, dsp 00.0, dsp 01.0, PCIe-to-PCI and
	 * PCI bridges below it (6), and rp 1c.0 (1). */
	assert_int_equal(next_bus, 7);
	/* Enumerating again with the final numbers finds the same. */
	found = 0;
	next_bus = 0;
	enumerate(p, 0, &next_bus, &found);
	assert_int_equal(found, count);

	hw_platform_destroy(p);
	td_free(d);
}

/* Fail every allocation hw_platform_create() makes, one after the other:
 * each must fail with -ENOMEM and leave nothing allocated (ASan checks). */
static void enomem_sweep(struct hw_desc_platform *d, unsigned int nr_funcs)
{
	struct hw_platform *p;
	char err[256];
	unsigned long n;
	unsigned int count = 0;

	for (n = 1; n < 10000; n++) {
		fault_inject_nth(n);
		p = hw_platform_create(d, err, sizeof(err));
		if (!IS_ERR(p))
			break;
		assert_true(fault_injected());
		assert_int_equal(PTR_ERR(p), -ENOMEM);
	}
	assert_false(fault_injected());
	fault_inject_nth(0);
	assert_false(IS_ERR(p));
	assert_true(n > nr_funcs);	/* the sweep really went through allocations */
	assert_int_equal(hw_platform_for_each_func(p, count_visit, &count), 0);
	assert_int_equal(count, nr_funcs);
	hw_platform_destroy(p);
	td_free(d);
}

static void test_create_enomem_sweep(void **state)
{
	enomem_sweep(rich_desc(), 12);
	enomem_sweep(replay_desc(), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mmio_routing),
		cmocka_unit_test(test_io_routing),
		cmocka_unit_test(test_vga_enable),
		cmocka_unit_test(test_bridge_bar),
		cmocka_unit_test(test_secondary_bus_reset),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_host_bridges),
		cmocka_unit_test(test_multifunction_and_iterator),
		cmocka_unit_test(test_replay_hierarchy),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_enumerate_like_os),
		cmocka_unit_test(test_create_enomem_sweep),
	};

	return cmocka_run_group_tests_name("fabric-mem", tests, NULL, NULL);
}
