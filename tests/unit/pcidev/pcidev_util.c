// SPDX-License-Identifier: MIT
#include "pcidev_util.h"

unsigned int tdev_freed;

static void tdev_free(struct hw_pcidev *dev)
{
	free(to_tdev(dev));
	tdev_freed++;
}

static void tdev_reset(struct hw_pcidev *dev, enum hw_reset_kind kind)
{
	to_tdev(dev)->resets[kind]++;
}

static void tdev_cfg_write(struct hw_pcidev *dev, uint16_t off, uint32_t val,
			   uint32_t old, unsigned int len)
{
	struct tdev *t = to_tdev(dev);

	t->cfg_writes++;
	t->last_off = off;
	t->last_val = val;
	t->last_old = old;
}

const struct hw_pcidev_ops tdev_ops = {
	.name = "tdev",
	.cfg_write = tdev_cfg_write,
	.reset = tdev_reset,
	.free = tdev_free,
};

struct hw_pcidev *_tdev_new(uint8_t hdr_type)
{
	struct tdev *t = pl_zalloc(sizeof(*t));
	int rc;

	if (!t)
		return ERR_PTR(-ENOMEM);
	rc = hw_pcidev_init(&t->dev, hdr_type, &tdev_ops, "tdev");
	if (rc < 0) {
		free(t);
		return ERR_PTR(rc);
	}
	return &t->dev;
}

struct hw_pcidev *tdev_new(uint8_t hdr_type)
{
	struct hw_pcidev *dev = _tdev_new(hdr_type);

	assert_false(IS_ERR(dev));
	return dev;
}

struct hw_pcidev *ep_with_pcie(bool flr)
{
	struct hw_pcidev *dev = tdev_new(PCI_HEADER_TYPE_NORMAL);
	struct hw_cap_pcie_cfg c = { .type = HW_PCIE_ENDPOINT, .flr = flr };

	assert_ok(hw_cap_add_pcie(dev, &c));
	return dev;
}

struct hw_pcidev *port_with_pcie(enum hw_pcie_port_type t, bool slot)
{
	struct hw_pcidev *dev = tdev_new(PCI_HEADER_TYPE_BRIDGE);
	struct hw_cap_pcie_cfg c = {
		.type = t, .slot = slot, .hotplug = slot, .presence = true,
		.dll_link_active_reporting = true, .ari_forwarding = true,
		.slot_number = slot ? 7 : 0, .power_limit_mw = slot ? 25000 : 0,
		.crs_visibility = t == HW_PCIE_ROOT_PORT,
	};

	assert_ok(hw_cap_add_pcie(dev, &c));
	return dev;
}

uint32_t mmio_rd(struct hw_pcidev *dev, uint64_t addr)
{
	uint32_t v = 0xdeadbeef;

	assert_true(hw_pcidev_mmio(dev, false, addr, &v, 4, false));
	return v;
}

void mmio_wr(struct hw_pcidev *dev, uint64_t addr, uint32_t v)
{
	assert_true(hw_pcidev_mmio(dev, false, addr, &v, 4, true));
}
