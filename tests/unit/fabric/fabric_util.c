// SPDX-License-Identifier: MIT
/*
 * The machine the fabric tests share (fabric_util.h).
 */
#include "test.h"
#include "fabric_util.h"

struct hw_desc_host_bridge *hb0(struct hw_desc_platform *d)
{
	struct hw_desc_host_bridge *h = td_host_bridge(d, 0, 0, 0xff);

	h->mmio.base = MMIO_BASE;
	h->mmio.size = MMIO_SIZE;
	h->mmio_pref.base = PREF_BASE;
	h->mmio_pref.size = PREF_SIZE;
	h->io.base = IO_BASE;
	h->io.size = IO_SIZE;
	return h;
}

/* Capability offset found by walking the list through config reads. */
uint16_t cap_off(struct hw_platform *p, uint8_t bus, uint8_t devfn, uint8_t id)
{
	unsigned int ttl = 48;
	uint8_t pos;

	if (!(rd(p, bus, devfn, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
		return 0;
	pos = rd(p, bus, devfn, PCI_CAPABILITY_LIST, 1) & ~3u;
	while (pos >= 0x40 && ttl--) {
		if (rd(p, bus, devfn, pos, 1) == id)
			return pos;
		pos = rd(p, bus, devfn, pos + 1, 1) & ~3u;
	}
	return 0;
}

unsigned int pcie_type(struct hw_platform *p, uint8_t bus, uint8_t devfn)
{
	uint16_t cap = cap_off(p, bus, devfn, PCI_CAP_ID_EXP);

	assert_int_not_equal(cap, 0);
	return (rd(p, bus, devfn, cap + PCI_EXP_FLAGS, 2) & PCI_EXP_FLAGS_TYPE) >> 4;
}

bool present(struct hw_platform *p, uint8_t bus, uint8_t devfn)
{
	return rd(p, bus, devfn, PCI_VENDOR_ID, 4) != 0xffffffffu;
}

/* Root port 00:1c.0 with an endpoint (BAR0 mem32 4K, BAR2 mem64 pref 1M,
 * BAR4 I/O 32 bytes) behind it. */
struct hw_desc_platform *rp_ep_desc(struct hw_desc_func **rp_out,
				    struct hw_desc_func **ep_out)
{
	struct hw_desc_platform *d = td_platform();
	struct hw_desc_host_bridge *h = hb0(d);
	struct hw_desc_func *rp, *ep;

	rp = td_func(&h->devices, HW_DESC_ROOT_PORT, 0x1c, 0, "rp0");
	ep = td_func(&rp->children, HW_DESC_ENDPOINT, 0, 0, "nvme0");
	td_bar(ep, 0, HW_BAR_MEM32, false, 0x1000);
	td_bar(ep, 2, HW_BAR_MEM64, true, 0x100000);
	td_bar(ep, 4, HW_BAR_IO, false, 0x20);
	if (rp_out)
		*rp_out = rp;
	if (ep_out)
		*ep_out = ep;
	return d;
}
