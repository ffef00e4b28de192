// SPDX-License-Identifier: MIT
/*
 * Integrity and Data Encryption (IDE) Extended Capability, PCIe r6.2
 * §7.9.26; register definitions in proto/ide_km/ide_regs.h.
 *
 * The IDE engine (hw/security/ide_engine.c) owns the Stream State fields
 * and reads the Stream Control registers. A write to a Stream Control
 * register that leaves Enable clear drops that stream's State to Insecure
 * at once (§6.33.6), and the engine, if one registered, is told so it can
 * recompute its streams.
 */
#include <errno.h>
#include <stdlib.h>

#include "base/fault.h"
#include "hw/pcidev/caps.h"
#include "proto/ide_km/ide_regs.h"

struct hw_ide_cap {
	void (*notify)(void *ctx);
	void *ctx;
};

static void ide_cap_write(struct hw_pcidev *dev, void *opaque, uint16_t off, uint32_t val,
			  uint32_t old, unsigned int len)
{
	struct hw_ide_cap *ic = opaque;
	unsigned int sel, i;
	bool hit = false;
	int blk;

	for (sel = 0; sel < 2; sel++)
		for (i = 0; (blk = hw_cap_ide_stream_block(dev, sel, i)) >= 0; i++) {
			uint16_t ctl = (uint16_t)(blk + (sel ? PCI_IDE_SEL_CTL : PCI_IDE_LINK_CTL));
			uint16_t sts = (uint16_t)(ctl + 4);

			if (!hw_cfg_write_hits(off, val, len, ctl, 4, NULL, NULL))
				continue;
			hit = true;
			if (!(hw_pcidev_get32(dev, ctl) & PCI_IDE_STREAM_CTL_EN))
				hw_pcidev_set32(dev, sts, hw_pcidev_get32(dev, sts) &
						~PCI_IDE_STREAM_STS_STATE);
		}
	if (hit && ic->notify)
		ic->notify(ic->ctx);
}

static const struct hw_pcicap_ops ide_cap_ops = {
	.write = ide_cap_write,
	.release = free,
};

int hw_cap_ide_set_notify(struct hw_pcidev *dev, void (*notify)(void *ctx), void *ctx)
{
	struct hw_pcicap *c = hw_pcidev_get_pcicap(dev, true, PCI_EXT_CAP_ID_IDE, 0);
	struct hw_ide_cap *ic;

	if (!c)
		return -ENOENT;
	ic = c->opaque;
	if (notify && ic->notify)
		return -EBUSY;
	ic->notify = notify;
	ic->ctx = ctx;
	return 0;
}

/* Stream Control bits software may write (§7.9.26.4.1 / §7.9.26.5.2). */
static uint32_t ide_ctl_wmask(const struct hw_cap_ide_cfg *cfg, bool sel)
{
	uint32_t m = PCI_IDE_STREAM_CTL_EN | PCI_IDE_STREAM_CTL_ALG | PCI_IDE_STREAM_CTL_TC |
		     PCI_IDE_STREAM_CTL_ID_MASK;

	if (cfg->aggregation)
		m |= PCI_IDE_STREAM_CTL_NPR_AGG | PCI_IDE_STREAM_CTL_PR_AGG |
		     PCI_IDE_STREAM_CTL_CPL_AGG;
	if (cfg->pcrc)
		m |= PCI_IDE_STREAM_CTL_PCRC_EN;
	if (sel) {
		m |= PCI_IDE_SEL_CTL_DEFAULT;
		if (cfg->sel_cfg)
			m |= PCI_IDE_SEL_CTL_CFG_EN;
		if (cfg->tee_limited)
			m |= PCI_IDE_SEL_CTL_TEE_LIMITED;
	}
	/* Partial Header Encryption is not supported: the mode stays 0 (RO). */
	return m;
}

static uint16_t ide_cap_len(const struct hw_cap_ide_cfg *cfg)
{
	size_t n = PCI_IDE_LINK_STREAM_0;

	if (cfg->link)
		n += (size_t)cfg->link_tcs * PCI_IDE_LINK_BLOCK_SIZE;
	n += (size_t)cfg->sel_streams * PCI_IDE_SEL_BLOCK_SIZE(cfg->addr_assoc);
	return n > HW_PCI_CFG_SIZE ? HW_PCI_CFG_SIZE : (uint16_t)n;
}

int hw_cap_add_ide(struct hw_pcidev *dev, const struct hw_cap_ide_cfg *cfg)
{
	struct hw_ide_cap *ic;
	uint32_t cap, lctl, sctl;
	uint16_t len, off;
	unsigned int i, j;
	int pos;

	if (!cfg->link && !cfg->sel_streams)
		return -EINVAL;
	if (cfg->link && (cfg->link_tcs < 1 || cfg->link_tcs > 8))
		return -EINVAL;
	if (cfg->sel_streams > 256 || cfg->addr_assoc > 15)
		return -EINVAL;
	len = ide_cap_len(cfg);
	if (len >= HW_PCI_CFG_SIZE)
		return -ENOSPC;
	ic = pl_zalloc(sizeof(*ic));
	if (!ic)
		return -ENOMEM;
	pos = hw_pcidev_add_ext_cap(dev, PCI_EXT_CAP_ID_IDE, 1, len, &ide_cap_ops,
				    ic);	/* the cap owns ic */
	if (pos < 0) {
		free(ic);
		return pos;
	}

	/* IDE Capability Register, HwInit (§7.9.26.2). */
	cap = (uint32_t)PCI_IDE_ALG_AES_GCM_256 << PCI_IDE_CAP_ALG_SHIFT;
	if (cfg->link)
		cap |= PCI_IDE_CAP_LINK |
		       (uint32_t)(cfg->link_tcs - 1) << PCI_IDE_CAP_LINK_TC_SHIFT;
	if (cfg->sel_streams)
		cap |= PCI_IDE_CAP_SELECTIVE |
		       (uint32_t)(cfg->sel_streams - 1) << PCI_IDE_CAP_SEL_NUM_SHIFT;
	if (cfg->flowthrough)
		cap |= PCI_IDE_CAP_FLOWTHROUGH;
	if (cfg->aggregation)
		cap |= PCI_IDE_CAP_AGGREGATION;
	if (cfg->pcrc)
		cap |= PCI_IDE_CAP_PCRC;
	if (cfg->ide_km)
		cap |= PCI_IDE_CAP_IDE_KM;
	if (cfg->sel_cfg)
		cap |= PCI_IDE_CAP_SEL_CFG;
	if (cfg->tee_limited)
		cap |= PCI_IDE_CAP_TEE_LIMITED;
	hw_pcidev_set32(dev, (uint16_t)(pos + PCI_IDE_CAP), cap);

	/* IDE Control Register (§7.9.26.3): only Flow-Through Enable. */
	if (cfg->flowthrough)
		hw_pcidev_set_wmask32(dev, (uint16_t)(pos + PCI_IDE_CTL),
				      PCI_IDE_CTL_FLOWTHROUGH_EN);

	off = (uint16_t)(pos + PCI_IDE_LINK_STREAM_0);
	lctl = ide_ctl_wmask(cfg, false);
	for (i = 0; cfg->link && i < cfg->link_tcs; i++, off += PCI_IDE_LINK_BLOCK_SIZE) {
		hw_pcidev_set_wmask32(dev, off + PCI_IDE_LINK_CTL, lctl);
		/* Stream Status: State RO (0 = Insecure), Received Integrity
		 * Check Fail Message RW1C (§7.9.26.4.2). */
		hw_pcidev_set_w1cmask32(dev, off + PCI_IDE_LINK_STS, PCI_IDE_STREAM_STS_RECVD_FAIL);
	}
	sctl = ide_ctl_wmask(cfg, true);
	for (i = 0; i < cfg->sel_streams; i++) {
		uint16_t a = off + PCI_IDE_SEL_ADDR_0;

		hw_pcidev_set32(dev, off + PCI_IDE_SEL_CAP, cfg->addr_assoc);
		hw_pcidev_set_wmask32(dev, off + PCI_IDE_SEL_CTL, sctl);
		hw_pcidev_set_w1cmask32(dev, off + PCI_IDE_SEL_STS, PCI_IDE_STREAM_STS_RECVD_FAIL);
		/* RID association (§7.9.26.5.4/5). */
		hw_pcidev_set_wmask32(dev, off + PCI_IDE_SEL_RID_1, PCI_IDE_SEL_RID_1_LIMIT_MASK);
		hw_pcidev_set_wmask32(dev, off + PCI_IDE_SEL_RID_2,
				      PCI_IDE_SEL_RID_2_SEG_MASK | PCI_IDE_SEL_RID_2_BASE_MASK |
				      PCI_IDE_SEL_RID_2_VALID);
		/* Address association (§7.9.26.5.6-8). */
		for (j = 0; j < cfg->addr_assoc; j++, a += PCI_IDE_SEL_ADDR_BLOCK_SIZE) {
			hw_pcidev_set_wmask32(dev, a + PCI_IDE_SEL_ADDR_1,
					      PCI_IDE_SEL_ADDR_1_VALID | PCI_IDE_SEL_ADDR_1_BASE_LOW |
					      PCI_IDE_SEL_ADDR_1_LIMIT_LOW);
			hw_pcidev_set_wmask32(dev, a + PCI_IDE_SEL_ADDR_2, 0xffffffff);
			hw_pcidev_set_wmask32(dev, a + PCI_IDE_SEL_ADDR_3, 0xffffffff);
		}
		off += PCI_IDE_SEL_BLOCK_SIZE(cfg->addr_assoc);
	}
	return pos;
}

int hw_cap_ide_stream_block(const struct hw_pcidev *dev, bool selective, unsigned int idx)
{
	uint16_t pos = hw_pcidev_find_ext_cap(dev, PCI_EXT_CAP_ID_IDE);
	uint32_t cap;
	unsigned int ntc, nsel, nassoc;
	uint16_t off;

	if (!pos)
		return -ENOENT;
	cap = hw_pcidev_get32(dev, pos + PCI_IDE_CAP);
	ntc = (cap & PCI_IDE_CAP_LINK) ?
	      ((cap & PCI_IDE_CAP_LINK_TC_MASK) >> PCI_IDE_CAP_LINK_TC_SHIFT) + 1 : 0;
	nsel = (cap & PCI_IDE_CAP_SELECTIVE) ?
	       ((cap & PCI_IDE_CAP_SEL_NUM_MASK) >> PCI_IDE_CAP_SEL_NUM_SHIFT) + 1 : 0;
	off = (uint16_t)(pos + PCI_IDE_LINK_STREAM_0);
	if (!selective)
		return idx < ntc ? off + (int)(idx * PCI_IDE_LINK_BLOCK_SIZE) : -ENOENT;
	if (idx >= nsel)
		return -ENOENT;
	off += (uint16_t)(ntc * PCI_IDE_LINK_BLOCK_SIZE);
	/* Blocks can differ in size only through their own Capability field. */
	while (idx--) {
		nassoc = hw_pcidev_get32(dev, off + PCI_IDE_SEL_CAP) & PCI_IDE_SEL_CAP_ASSOC_MASK;
		off += (uint16_t)PCI_IDE_SEL_BLOCK_SIZE(nassoc);
	}
	return off;
}
