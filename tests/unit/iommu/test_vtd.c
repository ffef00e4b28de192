// SPDX-License-Identifier: MIT
/*
 * VT-d model tests. Every test drives the unit the way a driver does: it
 * builds tables in simulated RAM and programs the unit only through its
 * MMIO registers (SRTP/QIE/TE handshakes, invalidation queue).
 */
#include "test.h"
#include "hw/mem.h"
#include "hw/iommu/vtd.h"
#include "hw/iommu/vtd_regs.h"

#define RAM_SIZE	(4ull << 30)
#define R		HW_VTD_ACC_R
#define W		HW_VTD_ACC_W
#define X		HW_VTD_ACC_X
#define PRIV		HW_VTD_ACC_PRIV
#define RID		0x0310u		/* 03:02.0 */
#define DID		7u
#define FRO		0x400u		/* CAP.FRO * 16, read back in test_regs */

struct env {
	struct hw_mem *mem;
	struct hw_vtd *v;
	uint64_t next;		/* page allocator */
	uint64_t rt, iq, pasid_dir, status;
	unsigned int iqt;
	unsigned int nr_msi;
	uint64_t msi_addr;
	uint32_t msi_data;
	unsigned int nr_resp;
	struct hw_vtd_page_resp resp;
	unsigned int nr_inv;
	struct hw_vtd_devtlb_inv inv;
};

static void cb_msi(void *arg, uint64_t addr, uint32_t data)
{
	struct env *e = arg;

	e->nr_msi++;
	e->msi_addr = addr;
	e->msi_data = data;
}

static void cb_resp(void *arg, const struct hw_vtd_page_resp *r)
{
	struct env *e = arg;

	e->nr_resp++;
	e->resp = *r;
}

static void cb_inv(void *arg, const struct hw_vtd_devtlb_inv *inv)
{
	struct env *e = arg;

	e->nr_inv++;
	e->inv = *inv;
}

static const struct hw_vtd_ops ops = {
	.msi = cb_msi, .page_resp = cb_resp, .devtlb_inv = cb_inv,
};

/* ---- RAM and MMIO helpers */

static uint64_t alloc_page(struct env *e)
{
	uint64_t p = e->next;

	e->next += 4096;
	return p;
}

static uint64_t ld(struct env *e, uint64_t pa)
{
	uint64_t v = 0;

	assert_ok(hw_mem_ld64(e->mem, pa, &v));
	return v;
}

static void st(struct env *e, uint64_t pa, uint64_t v)
{
	assert_ok(hw_mem_st64(e->mem, pa, v));
}

static uint32_t rd32(struct env *e, unsigned int off)
{
	uint32_t v;

	assert_ok(hw_vtd_mmio_read(e->v, off, &v, 4));
	return v;
}

static uint64_t rd64(struct env *e, unsigned int off)
{
	uint64_t v;

	assert_ok(hw_vtd_mmio_read(e->v, off, &v, 8));
	return v;
}

static void wr32(struct env *e, unsigned int off, uint32_t v)
{
	assert_ok(hw_vtd_mmio_write(e->v, off, &v, 4));
}

static void wr64(struct env *e, unsigned int off, uint64_t v)
{
	assert_ok(hw_vtd_mmio_write(e->v, off, &v, 8));
}

/* Linux-style global command: keep persistent bits, add one command, and
 * wait for the status bit (§11.4.4). */
static void gcmd(struct env *e, uint32_t cmd, uint32_t sts_bit, bool set)
{
	uint32_t sts = rd32(e, VTD_GSTS_REG) & 0x96ffffffu;
	int spins = 0;

	wr32(e, VTD_GCMD_REG, set ? sts | cmd : sts & ~cmd);
	while (!!(rd32(e, VTD_GSTS_REG) & sts_bit) != set)
		assert_true(++spins < 1000);
}

/* ---- invalidation queue (256-bit descriptors) */

static void qi_push(struct env *e, uint64_t q0, uint64_t q1)
{
	uint64_t a = e->iq + e->iqt;

	st(e, a, q0);
	st(e, a + 8, q1);
	st(e, a + 16, 0);
	st(e, a + 24, 0);
	e->iqt = (e->iqt + 32) % 4096;
}

static void qi_kick(struct env *e)
{
	wr32(e, VTD_IQT_REG, e->iqt);
}

/* Push descriptors, then a wait descriptor with status write; check it. */
static void qi_sync(struct env *e)
{
	static uint32_t seq = 0x100;

	qi_push(e, VTD_INV_WAIT | VTD_INV_WAIT_SW | VTD_INV_WAIT_FN |
		((uint64_t)++seq << 32), e->status);
	qi_kick(e);
	assert_int_equal((uint32_t)ld(e, e->status), seq);
	assert_int_equal(rd64(e, VTD_IQH_REG), e->iqt);
}

static void inv_all(struct env *e)
{
	qi_push(e, VTD_INV_CC | (VTD_INV_G_GLOBAL << 4), 0);
	qi_push(e, VTD_INV_PC | (VTD_INV_PC_G_GLOBAL << 4), 0);
	qi_push(e, VTD_INV_IOTLB | (VTD_INV_G_GLOBAL << 4), 0);
	qi_sync(e);
}

/* ---- table builders */

static uint64_t get_table(struct env *e, uint64_t ent_pa, uint64_t flags)
{
	uint64_t ent = ld(e, ent_pa);

	if (!(ent & flags)) {
		ent = alloc_page(e) | flags;
		st(e, ent_pa, ent);
	}
	return ent & VTD_PTE_ADDR_MASK;
}

/* First-stage map of one page of size sz (4K/2M/1G), levels 4 or 5. */
static uint64_t fs_map(struct env *e, uint64_t root, unsigned int levels, uint64_t va,
		       uint64_t pa, uint64_t sz, uint64_t flags)
{
	unsigned int lvl, leaf = sz == 4096 ? 1 : sz == (2u << 20) ? 2 : 3;
	uint64_t t = root, a = 0;

	for (lvl = levels; lvl >= leaf; lvl--) {
		a = t + ((va >> (12 + 9 * (lvl - 1))) & 511) * 8;
		if (lvl == leaf)
			break;
		t = get_table(e, a, VTD_FS_P | VTD_FS_RW | VTD_FS_US);
	}
	st(e, a, pa | flags | VTD_FS_P | (leaf > 1 ? VTD_FS_PS : 0));
	return a;
}

/* Second-stage map, levels 3 or 4. Returns the leaf entry address. */
static uint64_t ss_map(struct env *e, uint64_t root, unsigned int levels, uint64_t gpa,
		       uint64_t hpa, uint64_t sz, uint64_t flags)
{
	unsigned int lvl, leaf = sz == 4096 ? 1 : sz == (2u << 20) ? 2 : 3;
	uint64_t t = root, a = 0;

	for (lvl = levels; lvl >= leaf; lvl--) {
		a = t + ((gpa >> (12 + 9 * (lvl - 1))) & 511) * 8;
		if (lvl == leaf)
			break;
		t = get_table(e, a, VTD_SS_R | VTD_SS_W);
	}
	st(e, a, hpa | flags | (leaf > 1 ? VTD_SS_PS : 0));
	return a;
}

/* Context entry for rid, pointing at the env's PASID directory. */
static void set_context(struct env *e, uint16_t rid, uint64_t ce0_flags, uint32_t rid_pasid)
{
	uint64_t re = e->rt + (rid >> 8) * 16 + ((rid & 0x80) ? 8 : 0);
	uint64_t ctp = get_table(e, re, VTD_SM_RE_P);
	uint64_t ce = ctp + (rid & 0x7f) * 32;

	st(e, ce, e->pasid_dir | (0ull << VTD_SM_CE0_PDTS_SHIFT) | ce0_flags);
	st(e, ce + 8, rid_pasid);
}

static uint64_t pasid_entry_addr(struct env *e, uint32_t pasid)
{
	uint64_t t = get_table(e, e->pasid_dir + (pasid >> 6) * 8, VTD_PDE_P);

	return t + (pasid & 63) * 64;
}

static void set_pasid(struct env *e, uint32_t pasid, uint64_t pe0, uint64_t pe1, uint64_t pe2)
{
	uint64_t a = pasid_entry_addr(e, pasid);

	st(e, a, pe0);
	st(e, a + 8, pe1);
	st(e, a + 16, pe2);
}

#define PE0(pgtt, ssptr, aw) (VTD_PE0_P | ((uint64_t)(pgtt) << VTD_PE0_PGTT_SHIFT) | \
			      ((uint64_t)(aw) << VTD_PE0_AW_SHIFT) | (ssptr))

static struct env *env_new(const struct hw_vtd_config *cfg)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	e->mem = hw_mem_create(RAM_SIZE);
	assert_false(IS_ERR(e->mem));
	e->v = hw_vtd_create(e->mem, cfg, &ops, e);
	assert_false(IS_ERR(e->v));
	e->next = 1ull << 20;
	return e;
}

/* Bring the unit up as a driver does: root table, QI, translation. */
static struct env *env_up(const struct hw_vtd_config *cfg)
{
	struct env *e = env_new(cfg);

	e->rt = alloc_page(e);
	e->iq = alloc_page(e);
	e->status = alloc_page(e);
	e->pasid_dir = alloc_page(e);
	wr64(e, VTD_RTADDR_REG, e->rt | ((uint64_t)VTD_RTADDR_TTM_SM << VTD_RTADDR_TTM_SHIFT));
	gcmd(e, VTD_GCMD_SRTP, VTD_GSTS_RTPS, true);
	wr64(e, VTD_IQT_REG, 0);
	wr64(e, VTD_IQA_REG, e->iq | VTD_IQA_DW);	/* QS=0: one page */
	gcmd(e, VTD_GCMD_QIE, VTD_GSTS_QIES, true);
	inv_all(e);
	gcmd(e, VTD_GCMD_TE, VTD_GSTS_TES, true);
	return e;
}

static void env_free(struct env *e)
{
	hw_vtd_destroy(e->v);
	hw_mem_destroy(e->mem);
	free(e);
}

static int _xlate(struct env *e, bool has_pasid, uint32_t pasid, uint64_t iova,
		  unsigned int acc, uint64_t *pa, uint64_t *sz)
{
	uint64_t p, s;

	return hw_vtd_translate(e->v, RID, has_pasid, pasid, iova, acc, pa ? pa : &p,
				sz ? sz : &s);
}

static void xlate(struct env *e, uint32_t pasid, uint64_t iova, unsigned int acc,
		  uint64_t want_pa, uint64_t want_sz)
{
	uint64_t pa = 0, sz = 0;
	int rc = _xlate(e, true, pasid, iova, acc, &pa, &sz);

	if (rc)
		fail_msg("translate pasid %u iova %#llx: %d, FSTS %#x, last reason %#llx",
			 pasid, (unsigned long long)iova, rc, rd32(e, VTD_FSTS_REG),
			 (unsigned long long)(rd64(e, FRO + 16 * ((rd32(e, VTD_FSTS_REG) >> 8) & 0xff) + 8) >> 32) & 0xff);
	assert_int_equal(pa, want_pa);
	assert_int_equal(sz, want_sz);
}

/* Read and clear the most recent fault record; returns its reason. */
static unsigned int take_fault(struct env *e, uint64_t *lo, uint64_t *hi)
{
	uint32_t fsts = rd32(e, VTD_FSTS_REG);
	unsigned int fri = (fsts & VTD_FSTS_FRI_MASK) >> VTD_FSTS_FRI_SHIFT;
	uint64_t l = rd64(e, FRO + 16 * fri), h = rd64(e, FRO + 16 * fri + 8);

	assert_true(fsts & VTD_FSTS_PPF);
	assert_true(h & VTD_FRCD_HI_F);
	wr32(e, FRO + 16 * fri + 12, 1u << 31);	/* clear F as Linux does */
	if (lo)
		*lo = l;
	if (hi)
		*hi = h;
	return (unsigned int)(h >> VTD_FRCD_HI_FR_SHIFT) & 0xff;
}

static void xlate_fault(struct env *e, bool has_pasid, uint32_t pasid, uint64_t iova,
			unsigned int acc, unsigned int reason)
{
	uint64_t lo, hi;

	assert_errno(EFAULT, _xlate(e, has_pasid, pasid, iova, acc, NULL, NULL));
	assert_int_equal(take_fault(e, &lo, &hi), reason);
	assert_int_equal(lo, iova & ~0xfffull);
	assert_int_equal(hi & 0xffff, RID);
	assert_int_equal(!!(hi & VTD_FRCD_HI_PP), has_pasid);
	if (has_pasid)
		assert_int_equal((hi >> VTD_FRCD_HI_PV_SHIFT) & 0xfffff, pasid);
	assert_false(rd32(e, VTD_FSTS_REG) & VTD_FSTS_PPF);
}

/* hw_vtd_translate_segs() for RID: segment count or -errno. */
static int _segs(struct env *e, bool has_pasid, uint32_t pasid, uint64_t iova, uint64_t len,
		 unsigned int acc, struct hw_vtd_seg *seg, unsigned int max, uint64_t *done)
{
	return hw_vtd_translate_segs(e->v, RID, has_pasid, pasid, iova, len, acc, seg, max,
				     done);
}

/* Expect n segments covering want_done bytes; seg[] left for the caller. */
static void segs(struct env *e, uint32_t pasid, uint64_t iova, uint64_t len, unsigned int acc,
		 struct hw_vtd_seg *seg, unsigned int max, int n, uint64_t want_done)
{
	uint64_t done = 0;

	assert_int_equal(_segs(e, true, pasid, iova, len, acc, seg, max, &done), n);
	assert_int_equal(done, want_done);
}

/* Translate [iova, iova + len) as a DMA engine does, one batch after the
 * other, so that every page is walked once: warms the IOTLB. */
static void segs_all(struct env *e, uint32_t pasid, uint64_t iova, uint64_t len,
		     unsigned int acc)
{
	struct hw_vtd_seg seg[4];
	uint64_t done;

	while (len) {
		assert_true(_segs(e, true, pasid, iova, len, acc, seg, 4, &done) > 0);
		iova += done;
		len -= done;
	}
}

static uint64_t iotlb_hits(struct env *e)
{
	struct hw_vtd_stats st;

	hw_vtd_get_stats(e->v, &st);
	return st.iotlb_hits;
}

static uint64_t iotlb_misses(struct env *e)
{
	struct hw_vtd_stats st;

	hw_vtd_get_stats(e->v, &st);
	return st.iotlb_misses;
}

/* ==================================================================== */

static void test_mem(void **state)
{
	struct hw_mem *m = hw_mem_create(1 << 20);
	uint8_t buf[16] = { 0 }, raw[8];
	uint64_t v, exp;

	assert_false(IS_ERR(m));
	assert_err_ptr(EINVAL, hw_mem_create(0));
	assert_err_ptr(EINVAL, hw_mem_create(4095));
	assert_ok(hw_mem_write(m, 100, "hello", 5));
	assert_ok(hw_mem_read(m, 100, buf, 5));
	assert_memory_equal(buf, "hello", 5);
	assert_errno(EFAULT, hw_mem_read(m, (1 << 20) - 4, buf, 8));
	assert_errno(EFAULT, hw_mem_write(m, UINT64_MAX - 2, buf, 8));
	assert_errno(EFAULT, hw_mem_ld64(m, 1 << 20, &v));
	assert_true(IS_ERR(hw_mem_ptr(m, (1 << 20) - 8, 16)));
	assert_ok(hw_mem_read(m, 1 << 20, buf, 0));
	/* little-endian in memory */
	assert_ok(hw_mem_st64(m, 8, 0x0102030405060708ull));
	assert_ok(hw_mem_read(m, 8, raw, 8));
	assert_int_equal(raw[0], 0x08);
	assert_int_equal(raw[7], 0x01);
	assert_ptr_equal(hw_mem_ptr(m, 8, 8), m->base + 8);
	/* compare-exchange */
	exp = 0x0102030405060708ull;
	assert_ok(hw_mem_cmpxchg64(m, 8, &exp, 42));
	assert_ok(hw_mem_ld64(m, 8, &v));
	assert_int_equal(v, 42);
	exp = 1;
	assert_errno(EAGAIN, hw_mem_cmpxchg64(m, 8, &exp, 7));
	assert_int_equal(exp, 42);
	assert_errno(EINVAL, hw_mem_cmpxchg64(m, 12, &exp, 7));
	assert_errno(EFAULT, hw_mem_cmpxchg64(m, 1 << 20, &exp, 7));
	hw_mem_destroy(m);
}

static void test_regs(void **state)
{
	struct env *e = env_new(NULL);
	uint64_t cap = rd64(e, VTD_CAP_REG), ecap = rd64(e, VTD_ECAP_REG), v = 0;
	uint8_t b;

	assert_int_equal(rd32(e, VTD_VER_REG), 0x10);
	assert_int_equal(((cap >> 24) & 0x3ff) * 16, FRO);
	assert_int_equal(((cap >> 40) & 0xff) + 1, 8);
	assert_int_equal((cap >> 16) & 0x3f, 47);
	assert_true(cap & VTD_CAP_SAGAW_4LVL);
	assert_true(cap & VTD_CAP_FS1GP);
	assert_int_equal((cap >> 34) & 3, 3);	/* 2M and 1G second-stage */
	assert_true(ecap & VTD_ECAP_SMTS);
	assert_true(ecap & VTD_ECAP_NEST);
	assert_true(ecap & VTD_ECAP_PRS);
	assert_true(ecap & VTD_ECAP_PASID);
	assert_true(ecap & VTD_ECAP_QI);
	assert_int_equal(((ecap >> 35) & 0x1f) + 1, 20);
	assert_int_equal(((ecap >> 8) & 0x3ff) * 16, 0x300);
	assert_int_equal(rd32(e, VTD_GSTS_REG), 0);
	assert_int_equal(rd32(e, VTD_FECTL_REG), VTD_xECTL_IM);
	/* read-only registers ignore writes */
	wr64(e, VTD_CAP_REG, 0);
	assert_int_equal(rd64(e, VTD_CAP_REG), cap);
	/* reserved bits of RW registers read 0 */
	wr64(e, VTD_RTADDR_REG, ~0ull);
	assert_int_equal(rd64(e, VTD_RTADDR_REG), ~0ull & ~0x3ffull);
	/* GCMD is write-only: reads 0 */
	assert_int_equal(rd32(e, VTD_GCMD_REG), 0);
	/* 32-bit halves of a 64-bit register */
	assert_int_equal(rd32(e, VTD_CAP_REG + 4), (uint32_t)(cap >> 32));
	/* unimplemented offset and outside the window read 0 */
	assert_int_equal(rd64(e, 0x1f8), 0);
	assert_ok(hw_vtd_mmio_read(e->v, 0x2000, &v, 8));
	assert_int_equal(v, 0);
	/* bad sizes and alignment */
	assert_errno(EINVAL, hw_vtd_mmio_read(e->v, 4, &v, 8));
	assert_errno(EINVAL, hw_vtd_mmio_read(e->v, 0, &v, 3));
	assert_errno(EINVAL, hw_vtd_mmio_write(e->v, 2, &v, 4));
	/* byte reads work, byte writes are dropped */
	assert_ok(hw_vtd_mmio_read(e->v, VTD_VER_REG, &b, 1));
	assert_int_equal(b, 0x10);
	b = 0xff;
	assert_ok(hw_vtd_mmio_write(e->v, VTD_FEDATA_REG, &b, 1));
	assert_int_equal(rd32(e, VTD_FEDATA_REG), 0);
	/* unimplemented and out-of-window writes have no effect */
	wr64(e, 0x1f8, ~0ull);
	assert_int_equal(rd64(e, 0x1f8), 0);
	assert_ok(hw_vtd_mmio_write(e->v, 0x1000, &v, 8));
	env_free(e);
}

static void test_handshake(void **state)
{
	struct env *e = env_up(NULL);
	uint32_t sts = rd32(e, VTD_GSTS_REG);

	assert_true(sts & VTD_GSTS_RTPS);
	assert_true(sts & VTD_GSTS_QIES);
	assert_true(sts & VTD_GSTS_TES);
	gcmd(e, VTD_GCMD_IRE, VTD_GSTS_IRES, true);
	gcmd(e, VTD_GCMD_IRE, VTD_GSTS_IRES, false);
	assert_true(rd32(e, VTD_GSTS_REG) & VTD_GSTS_TES);
	gcmd(e, VTD_GCMD_TE, VTD_GSTS_TES, false);
	/* translation off: DMA passes through untranslated */
	xlate(e, 0, 0x12345678, R, 0x12345678, 1ull << 30);
	env_free(e);
}

static void test_ss(void **state)
{
	struct env *e = env_up(NULL);
	uint64_t ss = alloc_page(e), l4k, l2m, l1g;

	set_context(e, RID, VTD_SM_CE0_P | VTD_SM_CE0_PASIDE, 0);
	set_pasid(e, 0, PE0(VTD_PGTT_SS, ss, 2) | VTD_PE0_SSADE, DID, 0);
	l4k = ss_map(e, ss, 4, 0x1000, 0x200000, 4096, VTD_SS_R | VTD_SS_W);
	l2m = ss_map(e, ss, 4, 0x40000000ull + (2 << 20), 0x1400000, 2 << 20, VTD_SS_R);
	l1g = ss_map(e, ss, 4, 0x80000000ull, 0x40000000, 1 << 30, VTD_SS_R | VTD_SS_W);
	/* requests without PASID use RID_PASID (0) */
	assert_ok(_xlate(e, false, 0, 0x1abc, R, NULL, NULL));
	xlate(e, 0, 0x1abc, R, 0x200abc, 4096);
	assert_true(ld(e, l4k) & VTD_SS_A);
	assert_false(ld(e, l4k) & VTD_SS_D);
	assert_true(ld(e, ss) & VTD_SS_A);
	xlate(e, 0, 0x1abc, W, 0x200abc, 4096);
	assert_true(ld(e, l4k) & VTD_SS_D);
	xlate(e, 0, 0x40000000ull + (2 << 20) + 0x12345, R, 0x1412345, 2 << 20);
	assert_true(ld(e, l2m) & VTD_SS_A);
	xlate(e, 0, 0x80000000ull + 0x3456789, W, 0x43456789, 1 << 30);
	assert_true(ld(e, l1g) & VTD_SS_D);
	/* permission faults */
	xlate_fault(e, true, 0, 0x40000000ull + (2 << 20), W, VTD_FR_SGN_WRITE);
	xlate_fault(e, false, 0, 0x5000, R, VTD_FR_SSS_NOT_PRESENT);
	/* beyond the 48-bit address width */
	xlate_fault(e, true, 0, 1ull << 48, R, VTD_FR_SGN_HAW);
	/* 3-level table, no SSADE: no A/D updates */
	ss = alloc_page(e);
	set_pasid(e, 5, PE0(VTD_PGTT_SS, ss, 1), DID + 1, 0);
	l4k = ss_map(e, ss, 3, 0x7000, 0x300000, 4096, VTD_SS_W);
	xlate(e, 5, 0x7008, W, 0x300008, 4096);
	assert_false(ld(e, l4k) & (VTD_SS_A | VTD_SS_D));
	xlate_fault(e, true, 5, 0x7008, R, VTD_FR_SGN_READ);
	env_free(e);
}

static void test_fs(void **state)
{
	struct env *e = env_up(NULL);
	uint64_t fs = alloc_page(e), l4k, l2m, l1g;

	set_context(e, RID, VTD_SM_CE0_P | VTD_SM_CE0_PASIDE, 0);
	set_pasid(e, 3, PE0(VTD_PGTT_FS, 0, 0), DID, fs | VTD_PE2_SRE | VTD_PE2_ERE);
	l4k = fs_map(e, fs, 4, 0x7fff0000f000ull, 0x500000, 4096, VTD_FS_RW | VTD_FS_US);
	l2m = fs_map(e, fs, 4, 0x200000, 0x800000, 2 << 20, VTD_FS_US);
	l1g = fs_map(e, fs, 4, 0xc0000000ull, 0x80000000ull, 1 << 30,
		     VTD_FS_RW | VTD_FS_XD);
	xlate(e, 3, 0x7fff0000f123ull, R, 0x500123, 4096);
	assert_true(ld(e, l4k) & VTD_FS_A);
	assert_false(ld(e, l4k) & VTD_FS_D);
	assert_true(ld(e, fs + 255 * 8) & VTD_FS_A);	/* PML4E used */
	xlate(e, 3, 0x7fff0000f123ull, W, 0x500123, 4096);
	assert_true(ld(e, l4k) & VTD_FS_D);
	xlate(e, 3, 0x2abcde, R | X, 0x8abcde, 2 << 20);
	assert_true(ld(e, l2m) & VTD_FS_A);
	xlate(e, 3, 0xc1234567ull, W | PRIV, 0x81234567ull, 1 << 30);
	assert_true(ld(e, l1g) & VTD_FS_D);
	/* read-only user page: user write faults, supervisor write allowed
	 * without WPE (§3.6.2) */
	xlate_fault(e, true, 3, 0x200000, W, VTD_FR_SGN_WRITE);
	xlate(e, 3, 0x200000, W | PRIV, 0x800000, 2 << 20);
	/* supervisor-only page from a user request */
	xlate_fault(e, true, 3, 0xc0000000ull, R, VTD_FR_SGN_USER);
	/* execute on an XD page */
	xlate_fault(e, true, 3, 0xc0000000ull, R | X | PRIV, VTD_FR_SGN_EXEC);
	/* non-canonical and not present */
	xlate_fault(e, true, 3, 0x0000800000000000ull, R, VTD_FR_SGN_CANONICAL);
	xlate_fault(e, true, 3, 0x10000000, R, VTD_FR_SFS_NOT_PRESENT);
	/* SRE/ERE clear in the PASID entry */
	set_pasid(e, 4, PE0(VTD_PGTT_FS, 0, 0), DID, fs);
	xlate_fault(e, true, 4, 0x200000, R | PRIV, VTD_FR_SPT_SRE);
	xlate_fault(e, true, 4, 0x200000, R | X, VTD_FR_SPT_ERE);
	/* 5-level paging */
	fs = alloc_page(e);
	set_pasid(e, 6, PE0(VTD_PGTT_FS, 0, 0), DID, fs | (1ull << VTD_PE2_FSPM_SHIFT));
	fs_map(e, fs, 5, 0x00ff800000001000ull, 0x600000, 4096, VTD_FS_US);
	xlate(e, 6, 0x00ff800000001010ull, R, 0x600010, 4096);
	env_free(e);
}

static void test_nested(void **state)
{
	struct env *e = env_up(NULL);
	uint64_t ss = alloc_page(e), fs_gpa = 0x10000, fs_hpa = alloc_page(e), leaf, sleaf;
	uint64_t gpa_base = 0x40000000ull, hpa_base = 0x80000000ull;

	set_context(e, RID, VTD_SM_CE0_P | VTD_SM_CE0_PASIDE, 0);
	/* guest RAM: GPA [1 GiB, 2 GiB) -> HPA [2 GiB, 3 GiB), one 1G page;
	 * the FS root at GPA 0x10000 -> its host page via a 4K mapping */
	sleaf = ss_map(e, ss, 4, gpa_base, hpa_base, 1 << 30, VTD_SS_R | VTD_SS_W);
	ss_map(e, ss, 4, fs_gpa, fs_hpa, 4096, VTD_SS_R | VTD_SS_W);
	set_pasid(e, 9, PE0(VTD_PGTT_NESTED, ss, 2) | VTD_PE0_SSADE, DID, fs_gpa);
	/* FS tables live in guest RAM: build them at HPAs, link with GPAs */
	{
		uint64_t pdpt_g = gpa_base + 0x1000, pd_g = gpa_base + 0x2000,
			 pt_g = gpa_base + 0x3000;

		st(e, fs_hpa + 0, pdpt_g | VTD_FS_P | VTD_FS_RW | VTD_FS_US);
		st(e, pdpt_g - gpa_base + hpa_base, pd_g | VTD_FS_P | VTD_FS_RW | VTD_FS_US);
		st(e, pd_g - gpa_base + hpa_base, pt_g | VTD_FS_P | VTD_FS_RW | VTD_FS_US);
		leaf = pt_g - gpa_base + hpa_base + 5 * 8;
		st(e, leaf, (gpa_base + 0x123000) | VTD_FS_P | VTD_FS_RW | VTD_FS_US);
		/* a 2M FS leaf onto the 1G SS page */
		st(e, pd_g - gpa_base + hpa_base + 8,
		   (gpa_base + (4 << 20)) | VTD_FS_P | VTD_FS_PS | VTD_FS_US);
	}
	xlate(e, 9, 0x5abc, W, hpa_base + 0x123abc, 4096);
	assert_true(ld(e, leaf) & VTD_FS_D);
	/* SSADE: the guest RAM page got A (table reads) and D (A/D updates
	 * and the final write) */
	assert_true(ld(e, sleaf) & VTD_SS_A);
	assert_true(ld(e, sleaf) & VTD_SS_D);
	xlate(e, 9, 0x200000 + 0x1234, R, hpa_base + (4 << 20) + 0x1234, 2 << 20);
	xlate_fault(e, true, 9, 0x200000, W, VTD_FR_SGN_WRITE);
	/* make the FS root page not readable in SS: nested read fault */
	ss_map(e, ss, 4, fs_gpa, fs_hpa, 4096, VTD_SS_W);
	inv_all(e);
	xlate_fault(e, true, 9, 0x5000, R, VTD_FR_SFS_NEST_PTR_RD);
	env_free(e);
}

static void test_pt_and_structures(void **state)
{
	struct env *e = env_up(NULL);
	uint64_t lo, hi;

	/* root entry not present */
	xlate_fault(e, false, 0, 0x1000, R, VTD_FR_SRT_NOT_PRESENT);
	/* context present bit clear */
	set_context(e, RID, 0, 0);
	xlate_fault(e, false, 0, 0x1000, R, VTD_FR_SCT_NOT_PRESENT);
	/* PASID directory entry not present */
	set_context(e, RID, VTD_SM_CE0_P, 0);
	xlate_fault(e, false, 0, 0x1000, R, VTD_FR_SPD_NOT_PRESENT);
	/* PASID entry not present */
	set_pasid(e, 1, 0, 0, 0);
	xlate_fault(e, false, 0, 0x1000, R, VTD_FR_SPT_NOT_PRESENT);
	/* request with PASID while PASIDE clear */
	xlate_fault(e, true, 1, 0x1000, R, VTD_FR_SCT_PASIDE);
	/* invalid PGTT */
	set_pasid(e, 0, VTD_PE0_P | (7ull << VTD_PE0_PGTT_SHIFT), DID, 0);
	xlate_fault(e, false, 0, 0x1000, R, VTD_FR_SPT_INVALID);
	/* pass-through; entry was not cached while invalid */
	set_pasid(e, 0, PE0(VTD_PGTT_PT, 0, 0), DID, 0);
	assert_ok(_xlate(e, false, 0, 0x12345678, W, &lo, &hi));
	assert_int_equal(lo, 0x12345678);
	assert_int_equal(hi, 1 << 30);
	/* PASID beyond the directory size (PDTS=0: 128 entries * 64) */
	set_context(e, RID + 1, VTD_SM_CE0_P | VTD_SM_CE0_PASIDE, 0);
	assert_errno(EFAULT, hw_vtd_translate(e->v, RID + 1, true, 128 * 64, 0, R, &lo, &hi));
	assert_int_equal((take_fault(e, NULL, NULL)), VTD_FR_SCT_PASID_MAX);
	/* FPD in the context entry suppresses recording */
	set_context(e, RID + 2, VTD_SM_CE0_FPD, 0);
	assert_errno(EFAULT, hw_vtd_translate(e->v, RID + 2, false, 0, 0, R, &lo, &hi));
	assert_false(rd32(e, VTD_FSTS_REG) & VTD_FSTS_PPF);
	assert_errno(EINVAL, hw_vtd_translate(e->v, RID, false, 0, 0, 0, &lo, &hi));
	/* fault record: read request without PASID, T1=1 */
	assert_errno(EFAULT, hw_vtd_translate(e->v, 0x0500, false, 0, 0x7000, R, &lo, &hi));
	take_fault(e, &lo, &hi);
	assert_int_equal(hi & 0xffff, 0x0500);
	assert_true(hi & VTD_FRCD_HI_T1);
	assert_false(hi & VTD_FRCD_HI_PP);
	env_free(e);
}

static void test_iotlb_stale(void **state)
{
	struct env *e = env_up(NULL);
	uint64_t fs = alloc_page(e), ss = alloc_page(e), leaf, sleaf;
	struct hw_vtd_stats s0, s1;

	set_context(e, RID, VTD_SM_CE0_P | VTD_SM_CE0_PASIDE, 0);
	set_pasid(e, 2, PE0(VTD_PGTT_FS, 0, 0), DID, fs);
	leaf = fs_map(e, fs, 4, 0x3000, 0x100000, 4096, VTD_FS_RW | VTD_FS_US);
	xlate(e, 2, 0x3000, W, 0x100000, 4096);
	hw_vtd_get_stats(e->v, &s0);
	xlate(e, 2, 0x3010, W, 0x100010, 4096);
	hw_vtd_get_stats(e->v, &s1);
	assert_int_equal(s1.iotlb_hits, s0.iotlb_hits + 1);
	assert_int_equal(s1.iotlb_misses, s0.iotlb_misses);
	/* remap without invalidation: the old translation is still used */
	st(e, leaf, 0x900000 | VTD_FS_P | VTD_FS_RW | VTD_FS_US | VTD_FS_A | VTD_FS_D);
	xlate(e, 2, 0x3000, R, 0x100000, 4096);
	/* an IOTLB (second-stage) descriptor does not cover first-stage */
	qi_push(e, VTD_INV_IOTLB | (VTD_INV_G_DOMAIN << 4) | ((uint64_t)DID << 16), 0);
	qi_sync(e);
	xlate(e, 2, 0x3000, R, 0x100000, 4096);
	/* a PASID-based IOTLB invalidation of another page does not either */
	qi_push(e, VTD_INV_PIOTLB | (VTD_INV_PIOTLB_G_PAGE << 4) | ((uint64_t)DID << 16) |
		(2ull << 32), 0x8000);
	qi_sync(e);
	xlate(e, 2, 0x3000, R, 0x100000, 4096);
	qi_push(e, VTD_INV_PIOTLB | (VTD_INV_PIOTLB_G_PAGE << 4) | ((uint64_t)DID << 16) |
		(2ull << 32), 0x3000);
	qi_sync(e);
	xlate(e, 2, 0x3000, R, 0x900000, 4096);

	/* second stage: IOTLB page-selective invalidation */
	set_pasid(e, 0, PE0(VTD_PGTT_SS, ss, 2), DID + 1, 0);
	sleaf = ss_map(e, ss, 4, 0x6000, 0x110000, 4096, VTD_SS_R);
	xlate(e, 0, 0x6000, R, 0x110000, 4096);
	ss_map(e, ss, 4, 0x6000, 0x120000, 4096, VTD_SS_R);
	xlate(e, 0, 0x6000, R, 0x110000, 4096);
	qi_push(e, VTD_INV_IOTLB | (VTD_INV_G_PAGE << 4) | ((uint64_t)(DID + 1) << 16), 0x6000);
	qi_sync(e);
	xlate(e, 0, 0x6000, R, 0x120000, 4096);
	/* cleared leaf: stale until invalidated, then a fault */
	st(e, sleaf, 0);
	xlate(e, 0, 0x6000, R, 0x120000, 4096);
	qi_push(e, VTD_INV_IOTLB | (VTD_INV_G_DOMAIN << 4) | ((uint64_t)(DID + 1) << 16), 0);
	qi_sync(e);
	xlate_fault(e, true, 0, 0x6000, R, VTD_FR_SSS_NOT_PRESENT);

	/* context/PASID caches: tearing down the PASID entry is invisible until
	 * the PASID cache is invalidated */
	ss_map(e, ss, 4, 0x6000, 0x120000, 4096, VTD_SS_R);
	set_pasid(e, 0, 0, 0, 0);
	xlate(e, 0, 0x6000, R, 0x120000, 4096);
	qi_push(e, VTD_INV_PC | (VTD_INV_PC_G_PASID << 4) | ((uint64_t)(DID + 1) << 16), 0);
	qi_push(e, VTD_INV_IOTLB | (VTD_INV_G_DOMAIN << 4) | ((uint64_t)(DID + 1) << 16), 0);
	qi_sync(e);
	xlate_fault(e, true, 0, 0x6000, R, VTD_FR_SPT_NOT_PRESENT);
	/* context entry cleared: cached until a context-cache invalidation */
	set_pasid(e, 0, PE0(VTD_PGTT_SS, ss, 2), DID + 1, 0);
	xlate(e, 0, 0x6000, R, 0x120000, 4096);
	set_context(e, RID, 0, 0);
	xlate(e, 0, 0x6000, R, 0x120000, 4096);
	/* a device-selective invalidation of another function keeps it */
	qi_push(e, VTD_INV_CC | (VTD_INV_G_DEVICE << 4) | ((uint64_t)(RID + 8) << 32), 0);
	qi_sync(e);
	xlate(e, 0, 0x6000, R, 0x120000, 4096);
	/* once the context cache misses, the IOTLB cannot be reached without
	 * the entry: the request faults on the not-present context */
	qi_push(e, VTD_INV_CC | (VTD_INV_G_DEVICE << 4) | ((uint64_t)RID << 32), 0);
	qi_sync(e);
	xlate_fault(e, true, 0, 0x6000, R, VTD_FR_SCT_NOT_PRESENT);
	env_free(e);
}

/*
 * The DMA engine's batched path: one translation, then IOTLB hits only,
 * merged into physically contiguous segments; whatever the IOTLB cannot
 * serve (miss, permission, D not yet set) ends the batch without a walk
 * or a fault, and the next batch translates that page fully.
 */
static void test_segs_second_stage(void **state)
{
	struct env *e = env_up(NULL);
	uint64_t ss = alloc_page(e), l0, l1, l2, h0, m0;
	struct hw_vtd_seg seg[8];
	uint64_t lo, hi;

	set_context(e, RID, VTD_SM_CE0_P | VTD_SM_CE0_PASIDE, 0);
	set_pasid(e, 0, PE0(VTD_PGTT_SS, ss, 2) | VTD_PE0_SSADE, DID, 0);
	/* 0x10000-0x11fff contiguous at 0x200000, 0x12000 elsewhere,
	 * 0x13000 not present */
	l0 = ss_map(e, ss, 4, 0x10000, 0x200000, 4096, VTD_SS_R | VTD_SS_W);
	l1 = ss_map(e, ss, 4, 0x11000, 0x201000, 4096, VTD_SS_R | VTD_SS_W);
	l2 = ss_map(e, ss, 4, 0x12000, 0x300000, 4096, VTD_SS_R | VTD_SS_W);

	/* cold: only the first page, and no lookahead walk (A clear) */
	h0 = iotlb_hits(e);
	m0 = iotlb_misses(e);
	segs(e, 0, 0x10800, 0x2800, R, seg, 8, 1, 0x800);
	assert_int_equal(seg[0].pa, 0x200800);
	assert_int_equal(seg[0].len, 0x800);
	assert_int_equal(iotlb_misses(e) - m0, 1);
	assert_int_equal(iotlb_hits(e) - h0, 0);
	assert_true(ld(e, l0) & VTD_SS_A);
	assert_false(ld(e, l1) & VTD_SS_A);
	segs_all(e, 0, 0x10000, 0x3000, R);
	assert_true(ld(e, l1) & VTD_SS_A);
	assert_true(ld(e, l2) & VTD_SS_A);
	assert_false(ld(e, l2) & VTD_SS_D);

	/* warm: every page a hit, contiguous pages merged */
	h0 = iotlb_hits(e);
	m0 = iotlb_misses(e);
	segs(e, 0, 0x10800, 0x2800, R, seg, 8, 2, 0x2800);
	assert_int_equal(seg[0].pa, 0x200800);
	assert_int_equal(seg[0].len, 0x1800);
	assert_int_equal(seg[1].pa, 0x300000);
	assert_int_equal(seg[1].len, 0x1000);
	assert_int_equal(iotlb_hits(e) - h0, 3);
	assert_int_equal(iotlb_misses(e) - m0, 0);
	/* the last page cut short; a full segment array ends the batch, and
	 * the page it stopped before is not counted */
	segs(e, 0, 0x10800, 0x1900, R, seg, 8, 2, 0x1900);
	assert_int_equal(seg[1].len, 0x100);
	h0 = iotlb_hits(e);
	segs(e, 0, 0x10800, 0x2800, R, seg, 1, 1, 0x1800);
	assert_int_equal(iotlb_hits(e) - h0, 2);

	/* a non-present page ends the batch silently; the next batch faults
	 * on exactly that page */
	segs(e, 0, 0x12000, 0x2000, R, seg, 8, 1, 0x1000);
	assert_false(rd32(e, VTD_FSTS_REG) & VTD_FSTS_PPF);
	assert_errno(EFAULT, _segs(e, true, 0, 0x13000, 0x1000, R, seg, 8, &lo));
	assert_int_equal(take_fault(e, &lo, &hi), VTD_FR_SSS_NOT_PRESENT);
	assert_int_equal(lo, 0x13000);
	assert_true(hi & VTD_FRCD_HI_T1);

	/* writes: entries filled by reads have D clear, so each page is
	 * walked (setting its D) by its own batch; none by a lookahead */
	m0 = iotlb_misses(e);
	segs(e, 0, 0x10000, 0x3000, W, seg, 8, 1, 0x1000);
	assert_true(ld(e, l0) & VTD_SS_D);
	assert_false(ld(e, l1) & VTD_SS_D);
	segs_all(e, 0, 0x11000, 0x2000, W);
	assert_int_equal(iotlb_misses(e) - m0, 3);
	assert_true(ld(e, l1) & VTD_SS_D);
	assert_true(ld(e, l2) & VTD_SS_D);
	m0 = iotlb_misses(e);
	segs(e, 0, 0x10000, 0x3000, W, seg, 8, 2, 0x3000);
	assert_int_equal(iotlb_misses(e) - m0, 0);

	/* a read-only page: reads run through it, a write batch stops
	 * before it and the next one faults there */
	st(e, l1, 0x201000 | VTD_SS_R | VTD_SS_A);
	qi_push(e, VTD_INV_IOTLB | (VTD_INV_G_PAGE << 4) | ((uint64_t)DID << 16), 0x11000);
	qi_sync(e);
	segs_all(e, 0, 0x11000, 0x1000, R);
	segs(e, 0, 0x10000, 0x3000, R, seg, 8, 2, 0x3000);
	segs(e, 0, 0x10000, 0x3000, W, seg, 8, 1, 0x1000);
	assert_false(rd32(e, VTD_FSTS_REG) & VTD_FSTS_PPF);
	assert_errno(EFAULT, _segs(e, true, 0, 0x11000, 0x2000, W, seg, 8, &lo));
	assert_int_equal(take_fault(e, &lo, &hi), VTD_FR_SGN_WRITE);
	assert_int_equal(lo, 0x11000);
	assert_false(hi & VTD_FRCD_HI_T1);

	/* remapped without invalidation: still the old page; after a
	 * page-selective invalidation the batch stops there and the next
	 * one walks the new mapping */
	st(e, l1, 0x400000 | VTD_SS_R | VTD_SS_W);
	segs(e, 0, 0x10000, 0x3000, R, seg, 8, 2, 0x3000);
	assert_int_equal(seg[0].len, 0x2000);
	qi_push(e, VTD_INV_IOTLB | (VTD_INV_G_PAGE << 4) | ((uint64_t)DID << 16), 0x11000);
	qi_sync(e);
	segs(e, 0, 0x10000, 0x3000, R, seg, 8, 1, 0x1000);
	segs(e, 0, 0x11000, 0x2000, R, seg, 8, 2, 0x2000);
	assert_int_equal(seg[0].pa, 0x400000);
	assert_int_equal(seg[1].pa, 0x300000);
	/* a domain-selective invalidation drops them all */
	qi_push(e, VTD_INV_IOTLB | (VTD_INV_G_DOMAIN << 4) | ((uint64_t)DID << 16), 0);
	qi_sync(e);
	segs(e, 0, 0x10000, 0x3000, R, seg, 8, 1, 0x1000);

	/* a 4K page running into a 2M page that continues it physically:
	 * one segment, split only where len ends */
	ss_map(e, ss, 4, 0x1ff000, 0x13ff000, 4096, VTD_SS_R | VTD_SS_W);
	ss_map(e, ss, 4, 0x200000, 0x1400000, 2 << 20, VTD_SS_R | VTD_SS_W);
	segs_all(e, 0, 0x1ff000, 0x201000, R);
	segs(e, 0, 0x1ff800, 0x100000, R, seg, 8, 1, 0x100000);
	assert_int_equal(seg[0].pa, 0x13ff800);
	assert_int_equal(seg[0].len, 0x100000);
	segs(e, 0, 0x1ff000, 0x202000, R, seg, 8, 1, 0x201000);
	assert_int_equal(seg[0].len, 0x201000);
	/* ... and one that does not: two segments */
	ss_map(e, ss, 4, 0x600000, 0x1800000, 2 << 20, VTD_SS_R | VTD_SS_W);
	ss_map(e, ss, 4, 0x5ff000, 0x5000000, 4096, VTD_SS_R | VTD_SS_W);
	segs_all(e, 0, 0x5ff000, 0x2000, R);
	segs(e, 0, 0x5ff000, 0x2000, R, seg, 8, 2, 0x2000);
	assert_int_equal(seg[0].pa, 0x5000000);
	assert_int_equal(seg[1].pa, 0x1800000);
	assert_int_equal(seg[1].len, 0x1000);

	/* bad arguments */
	assert_errno(EINVAL, _segs(e, true, 0, 0x10000, 0, R, seg, 8, &lo));
	assert_errno(EINVAL, _segs(e, true, 0, 0x10000, 0x1000, R, seg, 0, &lo));
	assert_errno(EINVAL, _segs(e, true, 0, UINT64_MAX - 10, 100, R, seg, 8, &lo));
	assert_errno(EINVAL, _segs(e, true, 0, 0x10000, 0x1000, 0, seg, 8, &lo));
	/* translation off: the whole range, untranslated */
	gcmd(e, VTD_GCMD_TE, VTD_GSTS_TES, false);
	segs(e, 0, 0x10800, 0x5000000, R, seg, 8, 1, 0x5000000);
	assert_int_equal(seg[0].pa, 0x10800);
	env_free(e);
}

/* Batched first-stage translation: the hit's user/supervisor column. */
static void test_segs_first_stage(void **state)
{
	struct env *e = env_up(NULL);
	uint64_t fs = alloc_page(e), lo, hi;
	struct hw_vtd_seg seg[4];

	set_context(e, RID, VTD_SM_CE0_P | VTD_SM_CE0_PASIDE, 0);
	set_pasid(e, 3, PE0(VTD_PGTT_FS, 0, 0), DID, fs | VTD_PE2_SRE);
	fs_map(e, fs, 4, 0x1000, 0x500000, 4096, VTD_FS_RW | VTD_FS_US);
	fs_map(e, fs, 4, 0x2000, 0x501000, 4096, VTD_FS_RW);	/* supervisor */
	segs_all(e, 3, 0x1000, 0x2000, R | PRIV);
	segs(e, 3, 0x1000, 0x2000, R | PRIV, seg, 4, 1, 0x2000);
	/* a user request stops before the supervisor page, then faults on it */
	segs(e, 3, 0x1000, 0x2000, R, seg, 4, 1, 0x1000);
	assert_false(rd32(e, VTD_FSTS_REG) & VTD_FSTS_PPF);
	assert_errno(EFAULT, _segs(e, true, 3, 0x2000, 0x1000, R, seg, 4, &lo));
	assert_int_equal(take_fault(e, &lo, &hi), VTD_FR_SGN_USER);
	assert_int_equal(lo, 0x2000);
	/* another PASID's entries are not this one's */
	set_pasid(e, 4, PE0(VTD_PGTT_FS, 0, 0), DID, fs | VTD_PE2_SRE);
	assert_int_equal(_segs(e, true, 4, 0x1000, 0x2000, R | PRIV, seg, 4, &lo), 1);
	assert_int_equal(lo, 0x1000);
	env_free(e);
}

/* A run of pages wraps around the end of a (small) IOTLB array. */
static void test_segs_wrap(void **state)
{
	struct hw_vtd_config cfg = { .iotlb_sets = 16 };
	struct env *e = env_up(&cfg);
	uint64_t ss = alloc_page(e), h0, m0;
	struct hw_vtd_seg seg[4];
	unsigned int i, start;

	set_context(e, RID, VTD_SM_CE0_P | VTD_SM_CE0_PASIDE, 0);
	set_pasid(e, 0, PE0(VTD_PGTT_SS, ss, 2), DID, 0);
	for (i = 0; i < 17; i++)
		ss_map(e, ss, 4, 0x100000 + i * 4096ull, 0x300000 + i * 4096ull, 4096,
		       VTD_SS_R | VTD_SS_W);
	/* 16 consecutive pages fill all 16 sets; of two runs starting one
	 * page apart at most one starts at set 0, so one of them wraps */
	for (start = 0; start < 2; start++) {
		uint64_t iova = 0x100000 + start * 4096ull;

		segs_all(e, 0, iova, 16 * 4096, R);
		h0 = iotlb_hits(e);
		m0 = iotlb_misses(e);
		segs(e, 0, iova, 16 * 4096, R, seg, 4, 1, 16 * 4096);
		assert_int_equal(seg[0].pa, 0x300000 + start * 4096ull);
		assert_int_equal(iotlb_hits(e) - h0, 16);
		assert_int_equal(iotlb_misses(e) - m0, 0);
	}
	env_free(e);
}

static void test_qi(void **state)
{
	struct env *e = env_up(NULL);

	/* wait descriptor with interrupt: ICS.IWC and a message when unmasked */
	wr32(e, VTD_IEDATA_REG, 0x55);
	wr32(e, VTD_IEADDR_REG, 0xfee00000);
	qi_push(e, VTD_INV_WAIT | VTD_INV_WAIT_IF, 0);
	qi_kick(e);
	assert_true(rd32(e, VTD_ICS_REG) & VTD_ICS_IWC);
	assert_int_equal(e->nr_msi, 0);			/* masked */
	assert_true(rd32(e, VTD_IECTL_REG) & VTD_xECTL_IP);
	wr32(e, VTD_IECTL_REG, 0);
	assert_int_equal(e->nr_msi, 1);
	assert_int_equal(e->msi_data, 0x55);
	assert_int_equal(e->msi_addr, 0xfee00000);
	wr32(e, VTD_ICS_REG, VTD_ICS_IWC);
	assert_false(rd32(e, VTD_ICS_REG) & VTD_ICS_IWC);

	/* an invalid descriptor type stops the queue with IQE */
	wr32(e, VTD_FEDATA_REG, 0x66);
	wr32(e, VTD_FECTL_REG, 0);
	{
		unsigned int bad = e->iqt;

		qi_push(e, 0xf, 0);
		qi_push(e, VTD_INV_WAIT | VTD_INV_WAIT_SW | (0x77ull << 32), e->status);
		qi_kick(e);
		assert_true(rd32(e, VTD_FSTS_REG) & VTD_FSTS_IQE);
		assert_int_equal(rd64(e, VTD_IQH_REG), bad);
		assert_int_equal(rd64(e, VTD_IQERCD_REG) & 0xf, VTD_IQEI_TYPE);
		assert_int_equal(e->nr_msi, 2);
		assert_int_equal(e->msi_data, 0x66);
		assert_int_not_equal((uint32_t)ld(e, e->status), 0x77);
		/* software fixes the descriptor and clears IQE: fetching resumes */
		st(e, e->iq + bad, VTD_INV_IEC | (1ull << 4));
		wr32(e, VTD_FSTS_REG, VTD_FSTS_IQE);
		assert_int_equal((uint32_t)ld(e, e->status), 0x77);
		assert_int_equal(rd64(e, VTD_IQH_REG), e->iqt);
	}
	/* misaligned tail with 256-bit descriptors */
	wr32(e, VTD_IQT_REG, e->iqt + 16);
	assert_true(rd32(e, VTD_FSTS_REG) & VTD_FSTS_IQE);
	assert_int_equal(rd64(e, VTD_IQERCD_REG) & 0xf, VTD_IQEI_TAIL_ALIGN);
	wr32(e, VTD_IQT_REG, e->iqt);
	wr32(e, VTD_FSTS_REG, VTD_FSTS_IQE);
	assert_false(rd32(e, VTD_FSTS_REG) & VTD_FSTS_IQE);

	/* device-TLB invalidations reach the endpoint, decoded */
	qi_push(e, VTD_INV_DEVTLB | ((uint64_t)RID << 32), 0x12345000 | 0x3000 | VTD_INV_DEVTLB_S);
	qi_push(e, VTD_INV_PDEVTLB | ((uint64_t)RID << 16) | (42ull << 32), 0xabc000);
	qi_sync(e);
	assert_int_equal(e->nr_inv, 2);
	assert_int_equal(e->inv.sid, RID);
	assert_true(e->inv.has_pasid);
	assert_int_equal(e->inv.pasid, 42);
	assert_int_equal(e->inv.addr, 0xabc000);
	assert_int_equal(e->inv.size, 4096);
	qi_push(e, VTD_INV_DEVTLB | ((uint64_t)RID << 32), 0x12347000 | VTD_INV_DEVTLB_S);
	qi_sync(e);
	assert_int_equal(e->inv.addr, 0x12340000);	/* three 1 bits: 64 KiB */
	assert_int_equal(e->inv.size, 0x10000);

	/* register-based invalidation completes and reports granularity */
	gcmd(e, VTD_GCMD_QIE, VTD_GSTS_QIES, false);
	wr64(e, VTD_CCMD_REG, VTD_CCMD_ICC | (1ull << VTD_CCMD_CIRG_SHIFT));
	assert_false(rd64(e, VTD_CCMD_REG) & VTD_CCMD_ICC);
	assert_int_equal((rd64(e, VTD_CCMD_REG) >> 59) & 3, 1);	/* CAIG: global */
	wr64(e, 0x308, VTD_IOTLB_IVT | (1ull << VTD_IOTLB_IIRG_SHIFT));
	assert_int_equal(rd64(e, 0x308) & (VTD_IOTLB_IVT | VTD_IOTLB_IAIG_MASK),
			 1ull << VTD_IOTLB_IAIG_SHIFT);
	env_free(e);
}

static void test_fault_overflow(void **state)
{
	struct hw_vtd_config cfg = { .nr_fault_records = 2 };
	struct env *e = env_up(&cfg);
	uint64_t pa, sz;
	uint32_t fsts;

	assert_int_equal(((rd64(e, VTD_CAP_REG) >> 40) & 0xff) + 1, 2);
	wr32(e, VTD_FEDATA_REG, 0x21);
	wr32(e, VTD_FECTL_REG, 0);
	/* no root entries: every request faults */
	assert_errno(EFAULT, hw_vtd_translate(e->v, 0x100, false, 0, 0x1000, R, &pa, &sz));
	assert_int_equal(e->nr_msi, 1);
	assert_errno(EFAULT, hw_vtd_translate(e->v, 0x200, false, 0, 0x2000, W, &pa, &sz));
	assert_int_equal(e->nr_msi, 1);		/* PPF was already set */
	fsts = rd32(e, VTD_FSTS_REG);
	assert_int_equal((fsts & VTD_FSTS_FRI_MASK) >> VTD_FSTS_FRI_SHIFT, 1);
	assert_false(fsts & VTD_FSTS_PFO);
	assert_errno(EFAULT, hw_vtd_translate(e->v, 0x300, false, 0, 0x3000, R, &pa, &sz));
	fsts = rd32(e, VTD_FSTS_REG);
	assert_true(fsts & VTD_FSTS_PFO);
	assert_int_equal(e->nr_msi, 2);
	/* the two records hold the first two faults */
	assert_int_equal(rd64(e, FRO + 8) & 0xffff, 0x100);
	assert_int_equal(rd64(e, FRO + 16 + 8) & 0xffff, 0x200);
	assert_false(rd64(e, FRO + 16 + 8) & VTD_FRCD_HI_T1);	/* write */
	assert_int_equal(rd64(e, FRO), 0x1000);
	/* with PFO set nothing is recorded, even into a free record */
	wr32(e, FRO + 12, 1u << 31);
	assert_errno(EFAULT, hw_vtd_translate(e->v, 0x400, false, 0, 0x4000, R, &pa, &sz));
	assert_false(rd64(e, FRO + 8) & VTD_FRCD_HI_F);
	wr32(e, VTD_FSTS_REG, VTD_FSTS_PFO);
	wr32(e, FRO + 16 + 12, 1u << 31);
	fsts = rd32(e, VTD_FSTS_REG);
	assert_false(fsts & (VTD_FSTS_PFO | VTD_FSTS_PPF));
	/* the index went on to record 0 (wrapped) */
	assert_errno(EFAULT, hw_vtd_translate(e->v, 0x500, false, 0, 0x5000, R, &pa, &sz));
	assert_int_equal(rd64(e, FRO + 8) & 0xffff, 0x500);
	assert_int_equal(e->nr_msi, 3);
	/* masked fault event: IP until unmasked */
	wr32(e, FRO + 12, 1u << 31);
	wr32(e, VTD_FECTL_REG, VTD_xECTL_IM);
	assert_errno(EFAULT, hw_vtd_translate(e->v, 0x600, false, 0, 0x6000, R, &pa, &sz));
	assert_int_equal(e->nr_msi, 3);
	assert_true(rd32(e, VTD_FECTL_REG) & VTD_xECTL_IP);
	wr32(e, VTD_FECTL_REG, 0);
	assert_int_equal(e->nr_msi, 4);
	assert_int_equal(e->msi_data, 0x21);
	env_free(e);
}

static void test_page_request(void **state)
{
	struct env *e = env_up(NULL);
	uint64_t pq = alloc_page(e);
	struct hw_vtd_page_req req = {
		.rid = RID, .has_pasid = true, .pasid = 33, .wr = true, .rd = true,
		.lpig = true, .prg_index = 0x1a5, .addr = 0x7f0000123000ull,
	};
	unsigned int i;

	wr64(e, VTD_PQH_REG, 0);
	wr64(e, VTD_PQA_REG, pq);		/* PQS=0: 128 entries */
	wr32(e, VTD_PEDATA_REG, 0x31);
	wr32(e, VTD_PECTL_REG, 0);
	/* PRE clear: rejected, fault recorded, invalid-request response */
	set_context(e, RID, VTD_SM_CE0_P | VTD_SM_CE0_PASIDE, 0);
	assert_errno(EACCES, hw_vtd_page_request(e->v, &req));
	assert_int_equal(take_fault(e, NULL, NULL), VTD_FR_SCT_PRE);
	assert_int_equal(e->nr_resp, 1);
	assert_int_equal(e->resp.rc, VTD_PGRP_RC_INVALID);
	assert_true(e->resp.auto_response);
	inv_all(e);
	set_context(e, RID, VTD_SM_CE0_P | VTD_SM_CE0_PASIDE | VTD_SM_CE0_PRE, 0);
	assert_ok(hw_vtd_page_request(e->v, &req));
	assert_int_equal(rd64(e, VTD_PQT_REG), 32);
	assert_true(rd32(e, VTD_PRS_REG) & VTD_PRS_PPR);
	assert_int_equal(e->nr_msi, 1);
	assert_int_equal(e->msi_data, 0x31);
	assert_int_equal(ld(e, pq) & 0xff, VTD_PRQ_TYPE_PAGE_REQ);
	assert_true(ld(e, pq) & VTD_PRQ_PASID_P);
	assert_int_equal((ld(e, pq) >> 16) & 0xffff, RID);
	assert_int_equal((ld(e, pq) >> 32) & 0xfffff, 33);
	assert_int_equal(ld(e, pq + 8), 0x7f0000123000ull | (0x1a5ull << 3) |
			 VTD_PRQ_LPIG | VTD_PRQ_RD | VTD_PRQ_WR);
	/* the driver answers with a page group response descriptor */
	qi_push(e, VTD_INV_PGRP_RESP | VTD_PGRP_PASID_P | ((uint64_t)RID << 16) |
		(33ull << 32), (0x1a5ull << 3) | VTD_PRQ_LPIG);
	qi_sync(e);
	assert_int_equal(e->nr_resp, 2);
	assert_false(e->resp.auto_response);
	assert_int_equal(e->resp.rc, VTD_PGRP_RC_SUCCESS);
	assert_int_equal(e->resp.prg_index, 0x1a5);
	assert_int_equal(e->resp.pasid, 33);
	/* fill the queue: 127 usable slots, then overflow */
	for (i = 1; i < 127; i++)
		assert_ok(hw_vtd_page_request(e->v, &req));
	assert_int_equal(e->nr_msi, 1);		/* PPR stayed set */
	assert_errno(ENOSPC, hw_vtd_page_request(e->v, &req));
	assert_true(rd32(e, VTD_PRS_REG) & VTD_PRS_PRO);
	assert_int_equal(e->nr_resp, 3);
	assert_true(e->resp.auto_response);
	assert_int_equal(e->resp.rc, VTD_PGRP_RC_SUCCESS);
	/* software drains the queue and clears PRO/PPR */
	wr64(e, VTD_PQH_REG, rd64(e, VTD_PQT_REG));
	wr32(e, VTD_PRS_REG, VTD_PRS_PRO | VTD_PRS_PPR);
	assert_int_equal(rd32(e, VTD_PRS_REG), 0);
	assert_ok(hw_vtd_page_request(e->v, &req));
	assert_int_equal(e->nr_msi, 3);
	env_free(e);
}

static void count_log(enum pl_log_level level, const char *msg, void *arg)
{
	if (level == PL_LOG_ERR)
		(*(unsigned int *)arg)++;
}

static void test_create_fault_sweep(void **state)
{
	unsigned int logged = 0;
	unsigned long n;
	bool done = false;

	pl_log_set_sink(count_log, &logged);

	for (n = 1; n < 64 && !done; n++) {
		struct hw_mem *m;
		struct hw_vtd *v = NULL;

		fault_inject_nth(n);
		m = hw_mem_create(1 << 20);
		if (!IS_ERR(m))
			v = hw_vtd_create(m, NULL, NULL, NULL);
		if (!fault_injected()) {
			assert_false(IS_ERR(m));
			assert_false(IS_ERR(v));
			done = true;
		} else {
			assert_true(IS_ERR(m) || IS_ERR(v));
			assert_int_equal(PTR_ERR(IS_ERR(m) ? (void *)m : (void *)v), -ENOMEM);
		}
		fault_inject_nth(0);
		if (!IS_ERR(m))
			hw_vtd_destroy(v);
		hw_mem_destroy(m);
	}
	pl_log_set_sink(NULL, NULL);
	assert_true(done);
	assert_int_equal(logged, 1);	/* the failed mmap said so */
	assert_true(n > 3);	/* at least mem, mmap and the unit's allocations */
	assert_err_ptr(EINVAL, hw_vtd_create(NULL, NULL, NULL, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mem),
		cmocka_unit_test(test_regs),
		cmocka_unit_test(test_handshake),
		cmocka_unit_test(test_ss),
		cmocka_unit_test(test_fs),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_pt_and_structures),
		cmocka_unit_test(test_iotlb_stale),
		cmocka_unit_test(test_segs_second_stage),
		cmocka_unit_test(test_segs_first_stage),
		cmocka_unit_test(test_segs_wrap),
		cmocka_unit_test(test_qi),
		cmocka_unit_test(test_fault_overflow),
		cmocka_unit_test(test_page_request),
		cmocka_unit_test(test_create_fault_sweep),
	};

	return cmocka_run_group_tests_name("vtd", tests, NULL, NULL);
}
