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
