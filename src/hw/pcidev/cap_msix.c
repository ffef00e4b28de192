// SPDX-License-Identifier: MIT
/*
 * MSI-X capability, PCIe r6.2 §7.7.2. The table and the Pending Bit Array
 * are memory-space structures inside BARs (§7.7.2.5-7.7.2.9); they are real
 * MMIO regions of those BARs here.
 */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/fault.h"
#include "hw/fabric/msi.h"
#include "hw/pcidev/caps.h"
#include "hw/pcidev/irq.h"

struct hw_msix {
	struct hw_pcidev *dev;
	uint16_t pos;		/* capability offset, 0 until added */
	uint16_t nr;		/* table entries */
	uint8_t *table;		/* nr * 16 bytes, little-endian */
	uint64_t *pba;		/* ceil(nr / 64) QWORDs */
};

static unsigned int hw_msix_pba_qwords(unsigned int nr)
{
	return (nr + 63) / 64;
}

/* Writable bits of each table-entry byte (§7.7.2.5-8): Message Address
 * bits 1:0 are RsvdP (DWORD aligned), Vector Control has only the Mask bit. */
static uint8_t hw_msix_entry_wmask(unsigned int b)
{
	if (b == PCI_MSIX_ENTRY_LOWER_ADDR)
		return 0xfc;
	if (b == PCI_MSIX_ENTRY_VECTOR_CTRL)
		return PCI_MSIX_ENTRY_CTRL_MASKBIT;
	if (b > PCI_MSIX_ENTRY_VECTOR_CTRL)
		return 0;
	return 0xff;
}

static void hw_msix_table_read(void *opaque, uint64_t off, void *buf, unsigned int len)
{
	struct hw_msix *m = opaque;

	memcpy(buf, m->table + off, len);
}

static bool hw_msix_pending(const struct hw_msix *m, unsigned int vec)
{
	return m->pba[vec / 64] & BIT_ULL(vec % 64);
}

/*
 * A vector that is pending and no longer masked (entry Mask bit, Function
 * Mask) is sent now and its Pending Bit cleared (PCIe r6.2 §6.1.4.5,
 * §7.7.2.9). A message that cannot leave (Bus Master Enable clear) is
 * lost, as it would be had it never been masked.
 */
static void hw_msix_flush(struct hw_msix *m, unsigned int first, unsigned int last)
{
	struct hw_msix_msg msg;
	unsigned int v;

	for (v = first; v <= last && v < m->nr; v++) {
		if (!hw_msix_pending(m, v))
			continue;
		if (hw_cap_msix_entry(m->dev, v, &msg) < 0 || !msg.enabled || msg.masked)
			continue;
		m->pba[v / 64] &= ~BIT_ULL(v % 64);
		hw_msi_send(m->dev, msg.addr, msg.data);
	}
}

static void hw_msix_table_write(void *opaque, uint64_t off, const void *buf,
				unsigned int len)
{
	struct hw_msix *m = opaque;
	const uint8_t *src = buf;
	unsigned int i;

	for (i = 0; i < len; i++) {
		uint8_t w = hw_msix_entry_wmask((unsigned int)((off + i) % PCI_MSIX_ENTRY_SIZE));
		uint8_t *dst = &m->table[off + i];

		*dst = (uint8_t)((*dst & ~w) | (src[i] & w));
	}
	/* Clearing an entry's Mask bit releases its pending message. */
	hw_msix_flush(m, (unsigned int)(off / PCI_MSIX_ENTRY_SIZE),
		      (unsigned int)((off + len - 1) / PCI_MSIX_ENTRY_SIZE));
}

/* The PBA is RO to software (§7.7.2.9). */
static void hw_msix_pba_read(void *opaque, uint64_t off, void *buf, unsigned int len)
{
	struct hw_msix *m = opaque;
	uint8_t *dst = buf;
	unsigned int i;

	for (i = 0; i < len; i++)
		dst[i] = (uint8_t)(m->pba[(off + i) / 8] >> (8 * ((off + i) % 8)));
}

static const struct hw_bar_region_ops hw_msix_table_ops = {
	.read = hw_msix_table_read,
	.write = hw_msix_table_write,
};

static const struct hw_bar_region_ops hw_msix_pba_ops = {
	.read = hw_msix_pba_read,
};

/* After reset every vector is masked (Vector Control Mask bit default 1,
 * §7.7.2.8) and nothing is pending. */
static void hw_msix_reset(struct hw_pcidev *dev, void *opaque)
{
	struct hw_msix *m = opaque;
	unsigned int i;

	memset(m->table, 0, (size_t)m->nr * PCI_MSIX_ENTRY_SIZE);
	for (i = 0; i < m->nr; i++)
		m->table[i * PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_VECTOR_CTRL] =
			PCI_MSIX_ENTRY_CTRL_MASKBIT;
	memset(m->pba, 0, hw_msix_pba_qwords(m->nr) * sizeof(uint64_t));
}

static void hw_msix_free(struct hw_msix *m)
{
	free(m->table);
	free(m->pba);
	free(m);
}

static void hw_msix_release(void *opaque)
{
	hw_msix_free(opaque);
}

/* Message Control written: setting MSI-X Enable or clearing Function Mask
 * may unmask pending vectors (§7.7.2.2). */
static void hw_msix_cfg_write(struct hw_pcidev *dev, void *opaque, uint16_t off,
			      uint32_t val, uint32_t old, unsigned int len)
{
	struct hw_msix *m = opaque;

	if (m->pos && hw_cfg_write_hits(off, val, len, m->pos + PCI_MSIX_FLAGS, 2, NULL, NULL))
		hw_msix_flush(m, 0, m->nr - 1u);
}

static const struct hw_pcicap_ops hw_msix_ops = {
	.write = hw_msix_cfg_write,
	.reset = hw_msix_reset,
	.release = hw_msix_release,
};

static bool hw_msix_bar_ok(const struct hw_pcidev *dev, unsigned int bir)
{
	int nr = dev->hdr_type == PCI_HEADER_TYPE_BRIDGE ? 2 : HW_PCI_NUM_BARS;

	/* BIR 0..5 names a memory BAR (§7.7.2.3); 6 and 7 are reserved. */
	if (bir >= (unsigned int)nr)
		return false;
	return dev->bars[bir].kind == HW_BAR_MEM32 || dev->bars[bir].kind == HW_BAR_MEM64;
}

int hw_cap_add_msix(struct hw_pcidev *dev, const struct hw_cap_msix_cfg *cfg)
{
	uint64_t tlen, plen;
	struct hw_msix *m;
	int pos, rc;

	if (cfg->table_size < 1 || cfg->table_size > 2048)
		return -EINVAL;
	if (!hw_msix_bar_ok(dev, cfg->table_bar) || !hw_msix_bar_ok(dev, cfg->pba_bar))
		return -EINVAL;
	/* Offsets are QWORD aligned: the low 3 bits hold the BIR (§7.7.2.3/4). */
	if (!IS_ALIGNED(cfg->table_offset, 8u) || !IS_ALIGNED(cfg->pba_offset, 8u))
		return -EINVAL;
	tlen = (uint64_t)cfg->table_size * PCI_MSIX_ENTRY_SIZE;
	plen = hw_msix_pba_qwords(cfg->table_size) * 8ull;
	if (cfg->table_offset + tlen > dev->bars[cfg->table_bar].size ||
	    cfg->pba_offset + plen > dev->bars[cfg->pba_bar].size)
		return -EINVAL;
	if (cfg->table_bar == cfg->pba_bar &&
	    cfg->table_offset < cfg->pba_offset + plen &&
	    cfg->pba_offset < cfg->table_offset + tlen)
		return -EINVAL;
	if (hw_pcidev_find_cap(dev, PCI_CAP_ID_MSIX))
		return -EEXIST;

	m = pl_zalloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->dev = dev;
	m->nr = cfg->table_size;
	m->table = pl_calloc(m->nr, PCI_MSIX_ENTRY_SIZE);
	m->pba = pl_calloc(hw_msix_pba_qwords(m->nr), sizeof(uint64_t));
	if (!m->table || !m->pba) {
		rc = -ENOMEM;
		goto err_free_m;
	}
	hw_msix_reset(dev, m);

	rc = hw_pcidev_add_bar_region(dev, cfg->table_bar, cfg->table_offset, tlen,
				      &hw_msix_table_ops, m);
	if (rc < 0)
		goto err_free_m;
	rc = hw_pcidev_add_bar_region(dev, cfg->pba_bar, cfg->pba_offset, plen,
				      &hw_msix_pba_ops, m);
	if (rc < 0)
		goto err_del_table;
	pos = hw_pcidev_add_cap(dev, PCI_CAP_ID_MSIX, PCI_CAP_MSIX_SIZEOF,
				&hw_msix_ops, m);	/* the cap owns m from here */
	if (pos < 0) {
		rc = pos;
		goto err_del_pba;
	}

	m->pos = (uint16_t)pos;
	/* Message Control (§7.7.2.2): Table Size RO (N-1), Function Mask and
	 * MSI-X Enable RW. Table/PBA Offset+BIR RO (§7.7.2.3/4). */
	hw_pcidev_set16(dev, (uint16_t)pos + PCI_MSIX_FLAGS, (uint16_t)(m->nr - 1));
	hw_pcidev_set_wmask16(dev, (uint16_t)pos + PCI_MSIX_FLAGS,
			      PCI_MSIX_FLAGS_MASKALL | PCI_MSIX_FLAGS_ENABLE);
	hw_pcidev_set32(dev, (uint16_t)pos + PCI_MSIX_TABLE, cfg->table_offset | cfg->table_bar);
	hw_pcidev_set32(dev, (uint16_t)pos + PCI_MSIX_PBA, cfg->pba_offset | cfg->pba_bar);
	return pos;

err_del_pba:
	hw_pcidev_del_bar_region(dev, cfg->pba_bar, cfg->pba_offset);
err_del_table:
	hw_pcidev_del_bar_region(dev, cfg->table_bar, cfg->table_offset);
err_free_m:
	hw_msix_free(m);
	return rc;
}

static struct hw_msix *hw_msix_get(const struct hw_pcidev *dev)
{
	struct hw_pcicap *c = hw_pcidev_get_pcicap(dev, false, PCI_CAP_ID_MSIX, 0);

	return c ? c->opaque : NULL;
}

int hw_cap_msix_entry(const struct hw_pcidev *dev, unsigned int vec,
		      struct hw_msix_msg *msg)
{
	struct hw_msix *m = hw_msix_get(dev);
	uint16_t pos = hw_pcidev_find_cap(dev, PCI_CAP_ID_MSIX);
	const uint8_t *e;
	uint32_t lo, hi, data, ctl;

	if (!m || !pos)
		return -ENOENT;
	if (vec >= m->nr)
		return -EINVAL;
	e = m->table + (size_t)vec * PCI_MSIX_ENTRY_SIZE;
	memcpy(&lo, e + PCI_MSIX_ENTRY_LOWER_ADDR, 4);
	memcpy(&hi, e + PCI_MSIX_ENTRY_UPPER_ADDR, 4);
	memcpy(&data, e + PCI_MSIX_ENTRY_DATA, 4);
	memcpy(&ctl, e + PCI_MSIX_ENTRY_VECTOR_CTRL, 4);
	msg->addr = (uint64_t)hi << 32 | lo;
	msg->data = data;
	msg->masked = (ctl & PCI_MSIX_ENTRY_CTRL_MASKBIT) ||
		      (hw_pcidev_get16(dev, pos + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_MASKALL);
	msg->enabled = hw_pcidev_get16(dev, pos + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_ENABLE;
	return 0;
}

int hw_cap_msix_set_pending(struct hw_pcidev *dev, unsigned int vec, bool pending)
{
	struct hw_msix *m = hw_msix_get(dev);

	if (!m)
		return -ENOENT;
	if (vec >= m->nr)
		return -EINVAL;
	if (pending)
		m->pba[vec / 64] |= BIT_ULL(vec % 64);
	else
		m->pba[vec / 64] &= ~BIT_ULL(vec % 64);
	return 0;
}

int hw_cap_msix_signal(struct hw_pcidev *dev, unsigned int vec)
{
	struct hw_msix *m = hw_msix_get(dev);
	struct hw_msix_msg msg;
	int rc;

	rc = hw_cap_msix_entry(dev, vec, &msg);
	if (rc < 0)
		return rc;
	if (!msg.enabled)
		return -ENOTSUP;
	/* Masked: remember it in the PBA instead (§6.1.4.5). */
	if (msg.masked) {
		m->pba[vec / 64] |= BIT_ULL(vec % 64);
		return 0;
	}
	return hw_msi_send(dev, msg.addr, msg.data);
}
