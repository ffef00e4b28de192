// SPDX-License-Identifier: MIT
/*
 * The machine and the VT-d driver the DMA tests share (dma_util.h).
 */
#include "test.h"
#include "dma_util.h"
#include "hw/fabric/fabric_internal.h"
#include "hw/iommu/vtd.h"
#include "hw/iommu/vtd_regs.h"

/* ------------------------------------------------------------- machine */

struct hw_desc_platform *std_desc(void)
{
	struct hw_desc_platform *d = td_platform();
	struct hw_desc_host_bridge *h = td_host_bridge(d, 0, 0, 0xff);
	struct hw_desc_func *rp, *rp2, *p2p, *pcibr, *rootpci, *dma0;
	struct hw_desc_cap *c;

	d->ram_size = RAM;
	h->mmio.base = MMIO_BASE;
	h->mmio.size = MMIO_SIZE;
	rp = td_func(&h->devices, HW_DESC_ROOT_PORT, 0x1c, 0, "rp");
	dma0 = td_dmatest(&rp->children, 0, 0, "dma0");
	c = td_cap(dma0, HW_DESC_CAP_PASID);
	c->u.pasid.width = 20;
	rp2 = td_func(&h->devices, HW_DESC_ROOT_PORT, 0x1d, 0, "rp2");
	p2p = td_func(&rp2->children, HW_DESC_PCIE_PCI_BRIDGE, 0, 0, "p2p");
	td_dmatest(&p2p->children, 5, 0, "legacy");
	pcibr = td_func(&p2p->children, HW_DESC_PCI_BRIDGE, 7, 0, "pcibr");
	td_dmatest(&pcibr->children, 2, 0, "deep");
	rootpci = td_func(&h->devices, HW_DESC_PCI_BRIDGE, 0x1e, 0, "rootpci");
	td_dmatest(&rootpci->children, 3, 0, "old");
	return d;
}

struct hw_platform *create(struct hw_desc_platform *d)
{
	char err[256];
	struct hw_platform *p = hw_platform_create(d, err, sizeof(err));

	if (IS_ERR(p))
		fail_msg("hw_platform_create: %ld: %s", PTR_ERR(p), err);
	return p;
}

uint32_t rd(struct hw_platform *p, uint8_t bus, uint8_t devfn, uint16_t reg,
		   unsigned int len)
{
	uint32_t v = 0x5a5a5a5a;

	assert_ok(hw_cfg_read(p, 0, bus, devfn, reg, len, &v));
	return v;
}

void wr(struct hw_platform *p, uint8_t bus, uint8_t devfn, uint16_t reg,
	       unsigned int len, uint32_t val)
{
	assert_ok(hw_cfg_write(p, 0, bus, devfn, reg, len, val));
}

void set_buses(struct hw_platform *p, uint8_t bus, uint8_t devfn,
		      uint8_t pri, uint8_t sec, uint8_t sub)
{
	wr(p, bus, devfn, PCI_PRIMARY_BUS, 1, pri);
	wr(p, bus, devfn, PCI_SECONDARY_BUS, 1, sec);
	wr(p, bus, devfn, PCI_SUBORDINATE_BUS, 1, sub);
}

void command(struct hw_platform *p, uint8_t bus, uint8_t devfn, uint16_t set,
		    uint16_t clear)
{
	uint16_t cmd = (uint16_t)rd(p, bus, devfn, PCI_COMMAND, 2);

	wr(p, bus, devfn, PCI_COMMAND, 2, (cmd | set) & ~clear);
}

void master(struct hw_platform *p, uint8_t bus, uint8_t devfn, bool on)
{
	if (on)
		command(p, bus, devfn, PCI_COMMAND_MASTER, 0);
	else
		command(p, bus, devfn, 0, PCI_COMMAND_MASTER);
}

/* Number the buses and turn on Bus Master Enable everywhere. */
struct hw_platform *std_up(struct hw_desc_platform **dp)
{
	struct hw_desc_platform *d = std_desc();
	struct hw_platform *p = create(d);

	set_buses(p, 0, RP, 0, 1, 1);
	set_buses(p, 0, RP2, 0, 2, 4);
	set_buses(p, 2, 0, 2, 3, 4);
	set_buses(p, 3, PCI_DEVFN(7, 0), 3, 4, 4);
	set_buses(p, 0, ROOTPCI, 0, 5, 5);
	master(p, 0, RP, true);
	master(p, 1, 0, true);
	master(p, 0, RP2, true);
	master(p, 2, 0, true);
	master(p, 3, PCI_DEVFN(5, 0), true);
	master(p, 3, PCI_DEVFN(7, 0), true);
	master(p, 4, PCI_DEVFN(2, 0), true);
	master(p, 0, ROOTPCI, true);
	master(p, 5, PCI_DEVFN(3, 0), true);
	*dp = d;
	return p;
}

struct hw_pcidev *fn(struct hw_platform *p, uint8_t bus, uint8_t devfn)
{
	struct hw_pcidev *dev = hw_platform_cfg_target(p, 0, bus, devfn);

	assert_non_null(dev);
	return dev;
}

void ram_wr(struct hw_platform *p, uint64_t pa, const void *buf, size_t len)
{
	assert_ok(hw_ram_write(p, pa, buf, len));
}

void ram_rd(struct hw_platform *p, uint64_t pa, void *buf, size_t len)
{
	assert_ok(hw_ram_read(p, pa, buf, len));
}

void pattern(uint8_t *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 7 + seed + (i >> 12));
}

/* --------------------------------------------- a VT-d driver, in short */


uint32_t rd32(struct drv *v, uint64_t off)
{
	uint32_t x;

	assert_ok(hw_mmio_read(v->p, v->reg + off, &x, 4));
	return x;
}

uint64_t rd64(struct drv *v, uint64_t off)
{
	uint64_t x;

	assert_ok(hw_mmio_read(v->p, v->reg + off, &x, 8));
	return x;
}

void wr32(struct drv *v, uint64_t off, uint32_t x)
{
	assert_ok(hw_mmio_write(v->p, v->reg + off, &x, 4));
}

void wr64(struct drv *v, uint64_t off, uint64_t x)
{
	assert_ok(hw_mmio_write(v->p, v->reg + off, &x, 8));
}

uint64_t ld(struct drv *v, uint64_t pa)
{
	uint64_t x;

	ram_rd(v->p, pa, &x, 8);
	return x;
}

void st(struct drv *v, uint64_t pa, uint64_t x)
{
	ram_wr(v->p, pa, &x, 8);
}

uint64_t alloc_page(struct drv *v)
{
	uint64_t pg = v->next;

	v->next += 4096;
	return pg;
}

void gcmd(struct drv *v, uint32_t cmd, uint32_t sts_bit, bool set)
{
	uint32_t sts = rd32(v, VTD_GSTS_REG) & 0x96ffffffu;
	int spins = 0;

	wr32(v, VTD_GCMD_REG, set ? sts | cmd : sts & ~cmd);
	while (!!(rd32(v, VTD_GSTS_REG) & sts_bit) != set)
		assert_true(++spins < 1000);
}

void qi_push(struct drv *v, uint64_t q0, uint64_t q1)
{
	uint64_t a = v->iq + v->iqt;

	st(v, a, q0);
	st(v, a + 8, q1);
	st(v, a + 16, 0);
	st(v, a + 24, 0);
	v->iqt = (v->iqt + 32) % 4096;
}

void qi_sync(struct drv *v)
{
	qi_push(v, VTD_INV_WAIT | VTD_INV_WAIT_SW | VTD_INV_WAIT_FN |
		((uint64_t)++v->seq << 32), v->status);
	wr32(v, VTD_IQT_REG, v->iqt);
	assert_int_equal((uint32_t)ld(v, v->status), v->seq);
}

void inv_all(struct drv *v)
{
	qi_push(v, VTD_INV_CC | (VTD_INV_G_GLOBAL << 4), 0);
	qi_push(v, VTD_INV_PC | (VTD_INV_PC_G_GLOBAL << 4), 0);
	qi_push(v, VTD_INV_IOTLB | (VTD_INV_G_GLOBAL << 4), 0);
	qi_sync(v);
}

/* Find the unit through firmware's description, program root table and
 * invalidation queue; translation stays off until drv_enable(). */
void drv_init(struct drv *v, struct hw_platform *p)
{
	struct hw_iommu_info info;

	memset(v, 0, sizeof(*v));
	v->p = p;
	assert_int_equal(hw_platform_nr_iommus(p), 1);
	assert_ok(hw_platform_iommu_info(p, 0, &info));
	v->reg = info.base;
	v->fro = ((rd64(v, VTD_CAP_REG) >> VTD_CAP_FRO_SHIFT) & 0x3ff) * 16;
	v->next = 16ull << 20;
	v->rt = alloc_page(v);
	v->iq = alloc_page(v);
	v->status = alloc_page(v);
	v->pasid_dir = alloc_page(v);
	wr64(v, VTD_RTADDR_REG, v->rt | ((uint64_t)VTD_RTADDR_TTM_SM << VTD_RTADDR_TTM_SHIFT));
	gcmd(v, VTD_GCMD_SRTP, VTD_GSTS_RTPS, true);
	wr64(v, VTD_IQT_REG, 0);
	wr64(v, VTD_IQA_REG, v->iq | VTD_IQA_DW);
	gcmd(v, VTD_GCMD_QIE, VTD_GSTS_QIES, true);
	inv_all(v);
}

void drv_enable(struct drv *v)
{
	gcmd(v, VTD_GCMD_TE, VTD_GSTS_TES, true);
}

uint64_t get_table(struct drv *v, uint64_t ent_pa, uint64_t flags)
{
	uint64_t ent = ld(v, ent_pa);

	if (!(ent & flags)) {
		ent = alloc_page(v) | flags;
		st(v, ent_pa, ent);
	}
	return ent & ~0xfffull;
}

/* Scalable-mode context entry: PASID directory shared by every device. */
void set_context(struct drv *v, uint16_t rid)
{
	uint64_t re = v->rt + (rid >> 8) * 16 + ((rid & 0x80) ? 8 : 0);
	uint64_t ctp = get_table(v, re, VTD_SM_RE_P);
	uint64_t ce = ctp + (rid & 0x7f) * 32;

	st(v, ce, v->pasid_dir | VTD_SM_CE0_P | VTD_SM_CE0_PASIDE);
	st(v, ce + 8, 0);	/* RID_PASID 0 */
}

/* PASID entry: second-stage translation with 4-level table ss. */
void set_pasid_ss(struct drv *v, uint32_t pasid, uint64_t ss, uint16_t did)
{
	uint64_t t = get_table(v, v->pasid_dir + (pasid >> 6) * 8, VTD_PDE_P);
	uint64_t a = t + (pasid & 63) * 64;

	st(v, a, VTD_PE0_P | ((uint64_t)VTD_PGTT_SS << VTD_PE0_PGTT_SHIFT) |
		 (2ull << VTD_PE0_AW_SHIFT) | ss);
	st(v, a + 8, did);
	st(v, a + 16, 0);
}

void ss_map(struct drv *v, uint64_t root, uint64_t iova, uint64_t pa, uint64_t sz)
{
	unsigned int lvl, leaf = sz == 4096 ? 1 : 2;
	uint64_t t = root, a = 0;

	for (lvl = 4; lvl >= leaf; lvl--) {
		a = t + ((iova >> (12 + 9 * (lvl - 1))) & 511) * 8;
		if (lvl == leaf)
			break;
		t = get_table(v, a, VTD_SS_R | VTD_SS_W);
	}
	st(v, a, pa | VTD_SS_R | VTD_SS_W | (leaf > 1 ? VTD_SS_PS : 0));
}

/* Address of the 4K leaf entry for iova in an existing 4-level table. */
uint64_t ss_leaf(struct drv *v, uint64_t root, uint64_t iova)
{
	uint64_t t = root;
	unsigned int lvl;

	for (lvl = 4; lvl > 1; lvl--)
		t = ld(v, t + ((iova >> (12 + 9 * (lvl - 1))) & 511) * 8) & ~0xfffull;
	return t + ((iova >> 12) & 511) * 8;
}

/* Take the most recent fault record: reason, SID, address, read? */
unsigned int take_fault(struct drv *v, uint16_t *sid, uint64_t *addr, bool *read)
{
	uint32_t fsts = rd32(v, VTD_FSTS_REG);
	unsigned int fri = (fsts & VTD_FSTS_FRI_MASK) >> VTD_FSTS_FRI_SHIFT;
	uint64_t lo = rd64(v, v->fro + 16 * fri), hi = rd64(v, v->fro + 16 * fri + 8);

	assert_true(fsts & VTD_FSTS_PPF);
	assert_true(hi & VTD_FRCD_HI_F);
	wr32(v, v->fro + 16 * fri + 12, 1u << 31);
	*sid = (uint16_t)(hi & VTD_FRCD_HI_SID_MASK);
	*addr = lo & VTD_FRCD_LO_FI_MASK;
	*read = hi & VTD_FRCD_HI_T1;
	return (unsigned int)(hi >> VTD_FRCD_HI_FR_SHIFT) & 0xff;
}

void no_fault(struct drv *v)
{
	assert_false(rd32(v, VTD_FSTS_REG) & VTD_FSTS_PPF);
}

uint64_t translations(struct hw_platform *p)
{
	struct hw_vtd_stats st;

	hw_vtd_get_stats(hw_platform_vtd(p, 0), &st);
	return st.iotlb_hits + st.iotlb_misses;
}
