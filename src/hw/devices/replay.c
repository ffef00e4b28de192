// SPDX-License-Identifier: MIT
/*
 * hw/devices/replay: a function whose register file is a real machine's
 * dumped config space.
 *
 * The dump tells the values, not the access semantics, so the model makes
 * everything read-only except what the kernel side must be able to write
 * to enumerate and assign resources:
 *
 *   - Command (I/O, Memory, Bus Master, Parity, SERR#, INTx Disable) and
 *     the RW1C error bits of Status, Cache Line Size and Interrupt Line:
 *     the common header masks of hw_pcidev_init() (PCIe r6.2 §7.5.1.1);
 *   - BARs and the expansion ROM BAR, sized from the dump's "[size=...]"
 *     when known, else from the lowest set address bit (a BAR is naturally
 *     aligned to its size, PCI r3.0 §6.2.5.1), at least 16 bytes for memory
 *     and 4 for I/O (2 KiB for a ROM, §6.2.5.2). A BAR the dump shows
 *     unassigned and whose size is unknown cannot be sized: it becomes
 *     unimplemented (reads 0);
 *   - type 1: bus numbers, I/O / memory / prefetchable windows and Bridge
 *     Control (hw_pcidev_init()'s type 1 masks, PCIe r6.2 §7.5.1.3). A
 *     window whose Base and Limit both read 0 in the dump is taken as not
 *     implemented, as Linux's probe of the window registers concludes;
 *     the upper-half registers exist only for the 32-bit I/O and 64-bit
 *     prefetchable types the dump shows.
 *
 * Capabilities keep their dumped values and are read-only: writes the
 * kernel makes there are dropped, as on a device that does not implement
 * the feature's control bits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "hw/devices/replay.h"

struct hw_replay {
	struct hw_pcidev dev;
};

static void hw_replay_free(struct hw_pcidev *dev)
{
	free(container_of(dev, struct hw_replay, dev));
}

static const struct hw_pcidev_ops hw_replay_ops = {
	.name = "replay",
	.free = hw_replay_free,
};

static uint32_t raw32(const uint8_t *cfg, unsigned int off)
{
	return (uint32_t)cfg[off] | (uint32_t)cfg[off + 1] << 8 |
	       (uint32_t)cfg[off + 2] << 16 | (uint32_t)cfg[off + 3] << 24;
}

/* Size of a BAR whose decoded address is addr: known, or inferred. */
static uint64_t replay_bar_size(uint64_t known, uint64_t addr, uint64_t min)
{
	if (known)
		return MAX(known, min);
	if (!addr)
		return 0;
	return MAX(addr & -addr, min);
}

/*
 * Lay out the BARs of the dumped function: kinds and sizes into the
 * engine (which sets the masks), dumped addresses into the register file
 * afterwards. Unimplementable BARs are zeroed in cfg.
 */
static int replay_bars(struct hw_pcidev *dev, const struct hw_desc_func *f, uint8_t *cfg)
{
	unsigned int nbars = dev->hdr_type == PCI_HEADER_TYPE_BRIDGE ? 2 : HW_PCI_NUM_BARS;
	unsigned int rom_reg = dev->hdr_type == PCI_HEADER_TYPE_BRIDGE ? PCI_ROM_ADDRESS1
								       : PCI_ROM_ADDRESS;
	uint32_t rom;
	uint64_t size;
	int rc;

	for (unsigned int i = 0; i < nbars; i++) {
		unsigned int reg = PCI_BASE_ADDRESS_0 + 4 * i;
		uint32_t lo = raw32(cfg, reg);
		enum hw_bar_kind kind;
		uint64_t addr;
		bool pref = false;

		if (!lo || lo == 0xffffffff) {
			memset(cfg + reg, 0, 4);
			continue;
		}
		if (lo & PCI_BASE_ADDRESS_SPACE_IO) {
			kind = HW_BAR_IO;
			addr = lo & PCI_BASE_ADDRESS_IO_MASK;
			size = replay_bar_size(f->bars[i].size, addr, 4);
		} else {
			unsigned int type = lo & PCI_BASE_ADDRESS_MEM_TYPE_MASK;

			pref = lo & PCI_BASE_ADDRESS_MEM_PREFETCH;
			addr = lo & PCI_BASE_ADDRESS_MEM_MASK;
			if (type == PCI_BASE_ADDRESS_MEM_TYPE_64 && i + 1 < nbars) {
				kind = HW_BAR_MEM64;
				addr |= (uint64_t)raw32(cfg, reg + 4) << 32;
			} else if (type == PCI_BASE_ADDRESS_MEM_TYPE_32 ||
				   type == PCI_BASE_ADDRESS_MEM_TYPE_1M) {
				kind = HW_BAR_MEM32;
			} else {
				pl_warn("%s: BAR %u has a reserved type (%08x), ignored",
					dev->name, i, lo);
				memset(cfg + reg, 0, 4);
				continue;
			}
			size = replay_bar_size(f->bars[i].size, addr, 16);
		}
		if (!size || !is_power_of_2(size) ||
		    (kind == HW_BAR_MEM32 && size > (1ull << 31))) {
			/* unassigned and of unknown size: unimplemented */
			memset(cfg + reg, 0, kind == HW_BAR_MEM64 ? 8 : 4);
			if (kind == HW_BAR_MEM64)
				i++;
			continue;
		}
		if (kind == HW_BAR_IO && size > (1u << 16))
			size = 1u << 16;
		rc = hw_pcidev_set_bar(dev, (int)i, kind, pref, size);
		if (rc < 0)
			return rc;
		if (kind == HW_BAR_MEM64)
			i++;
	}

	rom = raw32(cfg, rom_reg);
	size = replay_bar_size(f->bars[HW_PCI_ROM_SLOT].size, rom & PCI_ROM_ADDRESS_MASK, 2048);
	if (rom == 0xffffffff || !size || !is_power_of_2(size) || size > (1ull << 31)) {
		memset(cfg + rom_reg, 0, 4);
	} else {
		rc = hw_pcidev_set_bar(dev, HW_PCI_ROM_SLOT, HW_BAR_ROM, false, size);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Windows the dump shows as absent become read-only (see the top). */
static void replay_windows(struct hw_pcidev *dev, const uint8_t *cfg)
{
	uint16_t pref_base = (uint16_t)(cfg[PCI_PREF_MEMORY_BASE] | cfg[PCI_PREF_MEMORY_BASE + 1] << 8);
	uint16_t pref_limit = (uint16_t)(cfg[PCI_PREF_MEMORY_LIMIT] | cfg[PCI_PREF_MEMORY_LIMIT + 1] << 8);

	if (!cfg[PCI_IO_BASE] && !cfg[PCI_IO_LIMIT]) {
		hw_pcidev_set_wmask16(dev, PCI_IO_BASE, 0);
		hw_pcidev_set_wmask32(dev, PCI_IO_BASE_UPPER16, 0);
	} else if ((cfg[PCI_IO_BASE] & PCI_IO_RANGE_TYPE_MASK) != PCI_IO_RANGE_TYPE_32) {
		hw_pcidev_set_wmask32(dev, PCI_IO_BASE_UPPER16, 0);
	}
	if (!pref_base && !pref_limit) {
		hw_pcidev_set_wmask32(dev, PCI_PREF_MEMORY_BASE, 0);
		hw_pcidev_set_wmask32(dev, PCI_PREF_BASE_UPPER32, 0);
		hw_pcidev_set_wmask32(dev, PCI_PREF_LIMIT_UPPER32, 0);
	} else if ((pref_base & PCI_PREF_RANGE_TYPE_MASK) != PCI_PREF_RANGE_TYPE_64) {
		hw_pcidev_set_wmask32(dev, PCI_PREF_BASE_UPPER32, 0);
		hw_pcidev_set_wmask32(dev, PCI_PREF_LIMIT_UPPER32, 0);
	}
}

struct hw_pcidev *hw_replay_dev_create(const struct hw_desc_func *f)
{
	struct hw_replay *r;
	uint8_t *cfg;
	uint8_t htype;
	char name[64];
	int rc;

	if (f->kind != HW_DESC_REPLAY || !f->raw_cfg || f->raw_len < PCI_STD_HEADER_SIZEOF ||
	    f->raw_len > HW_PCI_CFG_SIZE)
		return ERR_PTR(-EINVAL);
	htype = f->raw_cfg[PCI_HEADER_TYPE] & 0x7f;
	if (htype != PCI_HEADER_TYPE_NORMAL && htype != PCI_HEADER_TYPE_BRIDGE) {
		pl_err("replayed function %02x.%x: header type %02x is not supported",
		       f->dev, f->fn, htype);
		return ERR_PTR(-EINVAL);
	}
	cfg = pl_zalloc(HW_PCI_CFG_SIZE);
	if (!cfg)
		return ERR_PTR(-ENOMEM);
	memcpy(cfg, f->raw_cfg, f->raw_len);
	r = pl_zalloc(sizeof(*r));
	if (!r) {
		rc = -ENOMEM;
		goto err_free_cfg;
	}
	if (f->name)
		snprintf(name, sizeof(name), "%s", f->name);
	else
		snprintf(name, sizeof(name), "replay %04x:%04x@%02x.%x",
			 f->raw_cfg[0] | f->raw_cfg[1] << 8, f->raw_cfg[2] | f->raw_cfg[3] << 8,
			 f->dev, f->fn);
	rc = hw_pcidev_init(&r->dev, htype, &hw_replay_ops, name);
	if (rc < 0)
		goto err_free_r;
	rc = replay_bars(&r->dev, f, cfg);
	if (rc < 0)
		goto err_destroy;
	if (htype == PCI_HEADER_TYPE_BRIDGE)
		replay_windows(&r->dev, cfg);
	/* The dumped values, over the engine's defaults; the masks stay. */
	for (unsigned int off = 0; off < HW_PCI_CFG_SIZE; off += 4)
		hw_pcidev_set32(&r->dev, (uint16_t)off, raw32(cfg, off));
	rc = hw_pcidev_realize(&r->dev);
	if (rc < 0)
		goto err_destroy;
	free(cfg);
	return &r->dev;

err_destroy:
	free(cfg);
	hw_pcidev_destroy(&r->dev);	/* frees r through ops->free */
	return ERR_PTR(rc);
err_free_r:
	free(r);
err_free_cfg:
	free(cfg);
	return ERR_PTR(rc);
}
