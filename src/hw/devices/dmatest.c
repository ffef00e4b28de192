// SPDX-License-Identifier: MIT
/*
 * The DMA test device (dmatest.h, register interface in dmatest_regs.h).
 *
 * Register accesses are split into the dwords they touch; each dword
 * applies its own semantics (RW, RW1C, RO) to the bytes written. A
 * doorbell write runs the command synchronously, like every command in
 * this machine, before the MMIO write completes.
 */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "hw/devices/dmatest.h"
#include "hw/fabric/dma.h"

struct hw_dmatest {
	struct hw_pcidev dev;
	uint64_t src, dst;
	uint32_t len, pasid, cmd, status, error, count;
};

static struct hw_dmatest *to_dmatest(struct hw_pcidev *dev)
{
	return container_of(dev, struct hw_dmatest, dev);
}

static void hw_dmatest_run(struct hw_dmatest *t)
{
	bool has_pasid = t->pasid & DMATEST_PASID_VALID;
	uint32_t pasid = t->pasid & DMATEST_PASID_MASK;
	int rc;

	switch (t->cmd & DMATEST_CMD_OP_MASK) {
	case DMATEST_CMD_OP_COPY:
		rc = hw_dma_copy(&t->dev, has_pasid, pasid, t->src, t->dst, t->len);
		break;
	case DMATEST_CMD_OP_FILL:
		rc = hw_dma_fill(&t->dev, has_pasid, pasid, t->dst,
				 (uint8_t)((t->cmd & DMATEST_CMD_FILL_MASK) >> DMATEST_CMD_FILL_SHIFT),
				 t->len);
		break;
	default:
		rc = -EINVAL;
		break;
	}
	if (rc < 0) {
		pl_dbg("%s: DMA command %#x failed: %d", t->dev.name, t->cmd, rc);
		t->status |= DMATEST_STATUS_ERROR;
		t->error = (uint32_t)-rc;
		return;
	}
	t->status |= DMATEST_STATUS_DONE;
	t->error = 0;
	t->count++;
}

static uint32_t hw_dmatest_rd32(struct hw_dmatest *t, uint64_t off)
{
	switch (off) {
	case DMATEST_REG_ID: return DMATEST_ID;
	case DMATEST_REG_CAP:
		return hw_pcidev_find_ext_cap(&t->dev, PCI_EXT_CAP_ID_PASID) ?
		       DMATEST_CAP_PASID : 0;
	case DMATEST_REG_SRC: return (uint32_t)t->src;
	case DMATEST_REG_SRC + 4: return (uint32_t)(t->src >> 32);
	case DMATEST_REG_DST: return (uint32_t)t->dst;
	case DMATEST_REG_DST + 4: return (uint32_t)(t->dst >> 32);
	case DMATEST_REG_LEN: return t->len;
	case DMATEST_REG_PASID: return t->pasid;
	case DMATEST_REG_CMD: return t->cmd;
	case DMATEST_REG_STATUS: return t->status;
	case DMATEST_REG_ERROR: return t->error;
	case DMATEST_REG_COUNT: return t->count;
	}
	return 0;
}

static uint32_t merge32(uint32_t old, uint32_t val, uint32_t mask)
{
	return (old & ~mask) | (val & mask);
}

static void set_lo(uint64_t *r, uint32_t val, uint32_t mask)
{
	*r = (*r & ~0xffffffffull) | merge32((uint32_t)*r, val, mask);
}

static void set_hi(uint64_t *r, uint32_t val, uint32_t mask)
{
	*r = (*r & 0xffffffffull) | (uint64_t)merge32((uint32_t)(*r >> 32), val, mask) << 32;
}

/* val/mask: the bytes of the dword at off that were written. */
static void hw_dmatest_wr32(struct hw_dmatest *t, uint64_t off, uint32_t val, uint32_t mask)
{
	switch (off) {
	case DMATEST_REG_SRC: set_lo(&t->src, val, mask); break;
	case DMATEST_REG_SRC + 4: set_hi(&t->src, val, mask); break;
	case DMATEST_REG_DST: set_lo(&t->dst, val, mask); break;
	case DMATEST_REG_DST + 4: set_hi(&t->dst, val, mask); break;
	case DMATEST_REG_LEN: t->len = merge32(t->len, val, mask); break;
	case DMATEST_REG_PASID:
		t->pasid = merge32(t->pasid, val, mask) & (DMATEST_PASID_VALID | DMATEST_PASID_MASK);
		break;
	case DMATEST_REG_CMD:
		t->cmd = merge32(t->cmd, val, mask) & (DMATEST_CMD_OP_MASK | DMATEST_CMD_FILL_MASK);
		break;
	case DMATEST_REG_STATUS:
		t->status &= ~(val & mask);
		break;
	case DMATEST_REG_DOORBELL:
		hw_dmatest_run(t);
		break;
	}
}

static void hw_dmatest_regs_read(struct hw_dmatest *t, uint64_t off, void *buf,
				 unsigned int len)
{
	uint8_t *out = buf;
	unsigned int i;

	for (i = 0; i < len; i++) {
		uint64_t a = off + i;
		uint32_t v = hw_dmatest_rd32(t, a & ~3ull);

		out[i] = (uint8_t)(v >> (8 * (a & 3)));
	}
}

static void hw_dmatest_regs_write(struct hw_dmatest *t, uint64_t off, const void *buf,
				  unsigned int len)
{
	const uint8_t *in = buf;
	uint64_t dw = off & ~3ull, end = off + len;

	/* One dword at a time, low to high, so a qword SRC write is whole
	 * before anything that follows it. */
	for (; dw < end; dw += 4) {
		uint32_t val = 0, mask = 0;
		unsigned int b;

		for (b = 0; b < 4; b++) {
			uint64_t a = dw + b;

			if (a < off || a >= end)
				continue;
			val |= (uint32_t)in[a - off] << (8 * b);
			mask |= 0xffu << (8 * b);
		}
		hw_dmatest_wr32(t, dw, val, mask);
	}
}

static void hw_dmatest_bar_read(struct hw_pcidev *dev, int bar, uint64_t off, void *buf,
				unsigned int len)
{
	struct hw_bar *b = &dev->bars[bar];

	if (bar == DMATEST_BAR) {
		hw_dmatest_regs_read(to_dmatest(dev), off, buf, len);
		return;
	}
	/* Other BARs the description added are plain memory. */
	if (b->backing)
		memcpy(buf, b->backing + off, len);
	else
		memset(buf, 0, len);
}

static void hw_dmatest_bar_write(struct hw_pcidev *dev, int bar, uint64_t off,
				 const void *buf, unsigned int len)
{
	struct hw_bar *b = &dev->bars[bar];

	if (bar == DMATEST_BAR) {
		hw_dmatest_regs_write(to_dmatest(dev), off, buf, len);
		return;
	}
	if (b->backing && b->kind != HW_BAR_ROM)
		memcpy(b->backing + off, buf, len);
}

static void hw_dmatest_reset(struct hw_pcidev *dev, enum hw_reset_kind kind)
{
	struct hw_dmatest *t = to_dmatest(dev);

	/* Every reset kind returns the registers to 0 (dmatest_regs.h). */
	t->src = t->dst = 0;
	t->len = t->pasid = t->cmd = t->status = t->error = t->count = 0;
}

static void hw_dmatest_free(struct hw_pcidev *dev)
{
	free(to_dmatest(dev));
}

static const struct hw_pcidev_ops hw_dmatest_ops = {
	.name = "dma-test",
	.bar_read = hw_dmatest_bar_read,
	.bar_write = hw_dmatest_bar_write,
	.reset = hw_dmatest_reset,
	.free = hw_dmatest_free,
};

struct hw_pcidev *hw_dmatest_create(const char *name)
{
	struct hw_dmatest *t;
	int rc;

	t = pl_zalloc(sizeof(*t));
	if (!t)
		return ERR_PTR(-ENOMEM);
	rc = hw_pcidev_init(&t->dev, PCI_HEADER_TYPE_NORMAL, &hw_dmatest_ops, name);
	if (rc < 0)
		goto err_free_t;
	rc = hw_pcidev_set_bar(&t->dev, DMATEST_BAR, HW_BAR_MEM32, false, DMATEST_BAR_SIZE);
	if (rc < 0)
		goto err_destroy_dev;
	return &t->dev;

err_destroy_dev:
	/* Frees t through ops->free. */
	hw_pcidev_destroy(&t->dev);
	return ERR_PTR(rc);
err_free_t:
	free(t);
	return ERR_PTR(rc);
}
