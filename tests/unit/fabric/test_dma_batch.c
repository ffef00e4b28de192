// SPDX-License-Identifier: MIT
/*
 * DMA through the VT-d unit's batched path (hw_vtd_translate_segs()): the
 * DMA engine moves a transfer a batch of physically contiguous segments at
 * a time, and must still behave exactly as page-by-page translation would:
 * a fault lands on the right page with everything before it transferred
 * and nothing after it, permissions and accessed/dirty bits per page, and
 * IOTLB invalidations seen on the very next transfer.
 */
#include "test.h"
#include "dma_util.h"
#include "hw/fabric/dma.h"
#include "hw/fabric/fabric_internal.h"
#include "hw/iommu/vtd.h"
#include "hw/iommu/vtd_regs.h"

#define NPAGES	40		/* more than the engine's segments per batch */
#define IOVA	0x100000ull
#define PA	0x8000000ull	/* scattered over [PA, PA + 64 pages) */

struct sc {
	struct hw_desc_platform *d;
	struct hw_platform *p;
	struct hw_pcidev *dma0;
	struct drv v;
	uint64_t ss;
};

/* Physical page of IOVA page i: 23 is odd, so no two neighbours touch. */
static uint64_t page_pa(unsigned int i)
{
	return PA + ((i * 23u) % 64) * 4096;
}

/* dma0 with NPAGES 4K pages at IOVA, physically scattered; flags for the
 * PASID entry (SSADE or not). */
static void sc_up(struct sc *s, uint64_t pe0_flags)
{
	unsigned int i;
	uint64_t a;

	s->p = std_up(&s->d);
	s->dma0 = fn(s->p, 1, 0);
	drv_init(&s->v, s->p);
	s->ss = alloc_page(&s->v);
	set_context(&s->v, RID_DMA0);
	set_pasid_ss(&s->v, 0, s->ss, DID);
	a = get_table(&s->v, s->v.pasid_dir, VTD_PDE_P);	/* PASID 0's entry */
	st(&s->v, a, ld(&s->v, a) | pe0_flags);
	for (i = 0; i < NPAGES; i++)
		ss_map(&s->v, s->ss, IOVA + i * 4096ull, page_pa(i), 4096);
	inv_all(&s->v);
	drv_enable(&s->v);
}

static void sc_down(struct sc *s)
{
	hw_platform_destroy(s->p);
	td_free(s->d);
}

/* RAM holds buf[off, off + len) where IOVA + off .. maps. */
static void ram_is(struct sc *s, uint64_t off, const uint8_t *buf, uint64_t len)
{
	uint8_t page[4096];

	while (len) {
		uint64_t in = off % 4096, n = MIN(len, 4096 - in);

		ram_rd(s->p, page_pa((unsigned int)(off / 4096)) + in, page, n);
		assert_memory_equal(page, buf, n);
		off += n;
		buf += n;
		len -= n;
	}
}

static uint64_t misses(struct hw_platform *p)
{
	struct hw_vtd_stats st;

	hw_vtd_get_stats(hw_platform_vtd(p, 0), &st);
	return st.iotlb_misses;
}

/* Scattered pages, more segments than one batch holds: cold, then warm
 * (one translation per page either way, no walk when warm). */
static void test_dma_scattered(void **state)
{
	size_t len = NPAGES * 4096 - 0x300;
	uint8_t *buf = malloc(len), *back = malloc(len);
	uint64_t n0, m0;
	struct sc s;

	assert_non_null(buf);
	assert_non_null(back);
	sc_up(&s, 0);
	pattern(buf, len, 11);
	n0 = translations(s.p);
	assert_ok(hw_dma_write(s.dma0, false, 0, IOVA + 0x100, buf, len));
	assert_int_equal(translations(s.p) - n0, NPAGES);
	ram_is(&s, 0x100, buf, len);
	n0 = translations(s.p);
	m0 = misses(s.p);
	memset(back, 0, len);
	assert_ok(hw_dma_read(s.dma0, false, 0, IOVA + 0x100, back, len));
	assert_int_equal(translations(s.p) - n0, NPAGES);
	assert_int_equal(misses(s.p) - m0, 0);
	assert_memory_equal(back, buf, len);
	/* fill and device-side copy take the same path */
	assert_ok(hw_dma_fill(s.dma0, false, 0, IOVA + 0xff0, 0x5a, 0x2020));
	assert_ok(hw_dma_read(s.dma0, false, 0, IOVA + 0xff0, back, 0x2020));
	for (size_t i = 0; i < 0x2020; i++)
		assert_int_equal(back[i], 0x5a);
	assert_ok(hw_dma_copy(s.dma0, false, 0, IOVA + 0x10000, IOVA + 0x800, 0x3000));
	assert_ok(hw_dma_read(s.dma0, false, 0, IOVA + 0x800, back, 0x3000));
	assert_memory_equal(back, buf + 0x10000 - 0x100, 0x3000);
	no_fault(&s.v);
	sc_down(&s);
	free(buf);
	free(back);
}

/* A warm multi-page transfer running into a page that is not present:
 * the fault names that page, the pages before it moved, nothing after. */
static void test_dma_batch_fault(void **state)
{
	uint8_t buf[8 * 4096], back[8 * 4096], zero[4096] = { 0 };
	uint64_t addr;
	uint16_t sid;
	bool read;
	struct sc s;

	sc_up(&s, 0);
	pattern(buf, sizeof(buf), 12);
	assert_ok(hw_dma_read(s.dma0, false, 0, IOVA, back, sizeof(back)));	/* warm */
	st(&s.v, ss_leaf(&s.v, s.ss, IOVA + 5 * 4096), 0);
	qi_push(&s.v, VTD_INV_IOTLB | (VTD_INV_G_PAGE << 4) | ((uint64_t)DID << 16),
		IOVA + 5 * 4096);
	qi_sync(&s.v);
	ram_wr(s.p, page_pa(6), zero, sizeof(zero));

	assert_errno(EFAULT, hw_dma_write(s.dma0, false, 0, IOVA + 0x10, buf, sizeof(buf) - 0x10));
	assert_int_equal(take_fault(&s.v, &sid, &addr, &read), VTD_FR_SSS_NOT_PRESENT);
	assert_int_equal(sid, RID_DMA0);
	assert_int_equal(addr, IOVA + 5 * 4096);
	assert_false(read);
	no_fault(&s.v);
	ram_is(&s, 0x10, buf, 5 * 4096 - 0x10);
	ram_rd(s.p, page_pa(6), back, 4096);
	assert_memory_equal(back, zero, 4096);
	/* the same as a read: the buffer holds the first five pages only */
	memset(back, 0xee, sizeof(back));
	assert_errno(EFAULT, hw_dma_read(s.dma0, false, 0, IOVA, back, sizeof(back)));
	assert_int_equal(take_fault(&s.v, &sid, &addr, &read), VTD_FR_SSS_NOT_PRESENT);
	assert_int_equal(addr, IOVA + 5 * 4096);
	assert_true(read);
	assert_memory_equal(back + 0x10, buf, 5 * 4096 - 0x10);
	assert_int_equal(back[5 * 4096], 0xee);
	assert_int_equal(back[sizeof(back) - 1], 0xee);
	sc_down(&s);
}

/* A read-only page in the middle: reads run through it, a write stops at
 * it with a write fault and the pages before it written. */
static void test_dma_batch_permission(void **state)
{
	uint8_t buf[4 * 4096], back[4 * 4096];
	uint64_t addr, leaf;
	uint16_t sid;
	bool read;
	struct sc s;

	sc_up(&s, 0);
	leaf = ss_leaf(&s.v, s.ss, IOVA + 2 * 4096);
	st(&s.v, leaf, page_pa(2) | VTD_SS_R);
	inv_all(&s.v);
	pattern(buf, sizeof(buf), 13);
	ram_wr(s.p, page_pa(2), buf + 2 * 4096, 4096);
	assert_ok(hw_dma_read(s.dma0, false, 0, IOVA, back, sizeof(back)));	/* warm */
	assert_ok(hw_dma_read(s.dma0, false, 0, IOVA, back, sizeof(back)));
	assert_memory_equal(back + 2 * 4096, buf + 2 * 4096, 4096);
	assert_errno(EFAULT, hw_dma_write(s.dma0, false, 0, IOVA, buf, sizeof(buf)));
	assert_int_equal(take_fault(&s.v, &sid, &addr, &read), VTD_FR_SGN_WRITE);
	assert_int_equal(addr, IOVA + 2 * 4096);
	assert_false(read);
	ram_is(&s, 0, buf, 2 * 4096);
	no_fault(&s.v);
	sc_down(&s);
}

/* SSADE: a read sets A on every page it touched and D on none, a write
 * sets D on every page, each once, and a warm write after that is all
 * IOTLB hits. */
static void test_dma_batch_ad(void **state)
{
	uint8_t buf[6 * 4096];
	uint64_t m0;
	struct sc s;
	unsigned int i;

	sc_up(&s, VTD_PE0_SSADE);
	assert_ok(hw_dma_read(s.dma0, false, 0, IOVA + 4096, buf, 4 * 4096));
	for (i = 0; i < 6; i++) {
		uint64_t e = ld(&s.v, ss_leaf(&s.v, s.ss, IOVA + i * 4096ull));

		assert_int_equal(!!(e & VTD_SS_A), i >= 1 && i <= 4);
		assert_false(e & VTD_SS_D);
	}
	/* entries filled by the read cannot serve a write: each page is
	 * walked again, which sets its D */
	m0 = misses(s.p);
	pattern(buf, sizeof(buf), 14);
	assert_ok(hw_dma_write(s.dma0, false, 0, IOVA, buf, sizeof(buf)));
	assert_int_equal(misses(s.p) - m0, 6);
	for (i = 0; i < 6; i++) {
		uint64_t e = ld(&s.v, ss_leaf(&s.v, s.ss, IOVA + i * 4096ull));

		assert_true(e & VTD_SS_A);
		assert_true(e & VTD_SS_D);
	}
	m0 = misses(s.p);
	assert_ok(hw_dma_write(s.dma0, false, 0, IOVA, buf, sizeof(buf)));
	assert_int_equal(misses(s.p) - m0, 0);
	/* software clears D (dirty tracking) and flushes: the next write
	 * walks and sets it again */
	st(&s.v, ss_leaf(&s.v, s.ss, IOVA + 3 * 4096),
	   page_pa(3) | VTD_SS_R | VTD_SS_W | VTD_SS_A);
	qi_push(&s.v, VTD_INV_IOTLB | (VTD_INV_G_PAGE << 4) | ((uint64_t)DID << 16),
		IOVA + 3 * 4096);
	qi_sync(&s.v);
	m0 = misses(s.p);
	assert_ok(hw_dma_write(s.dma0, false, 0, IOVA, buf, sizeof(buf)));
	assert_int_equal(misses(s.p) - m0, 1);
	assert_true(ld(&s.v, ss_leaf(&s.v, s.ss, IOVA + 3 * 4096)) & VTD_SS_D);
	ram_is(&s, 0, buf, sizeof(buf));
	no_fault(&s.v);
	sc_down(&s);
}

/* An IOTLB invalidation takes effect on the very next transfer; until
 * then the cached translation is used, as on hardware. */
static void test_dma_batch_invalidation(void **state)
{
	uint8_t buf[3 * 4096], back[3 * 4096], other[4096];
	uint64_t leaf, moved = PA + 100 * 4096;
	struct sc s;

	sc_up(&s, 0);
	pattern(buf, sizeof(buf), 15);
	pattern(other, sizeof(other), 16);
	assert_ok(hw_dma_write(s.dma0, false, 0, IOVA, buf, sizeof(buf)));
	ram_wr(s.p, moved, other, sizeof(other));
	leaf = ss_leaf(&s.v, s.ss, IOVA + 4096);
	st(&s.v, leaf, moved | VTD_SS_R | VTD_SS_W);
	assert_ok(hw_dma_read(s.dma0, false, 0, IOVA, back, sizeof(back)));
	assert_memory_equal(back, buf, sizeof(back));		/* stale */
	qi_push(&s.v, VTD_INV_IOTLB | (VTD_INV_G_PAGE << 4) | ((uint64_t)DID << 16),
		IOVA + 4096);
	qi_sync(&s.v);
	assert_ok(hw_dma_read(s.dma0, false, 0, IOVA, back, sizeof(back)));
	assert_memory_equal(back, buf, 4096);
	assert_memory_equal(back + 4096, other, 4096);
	assert_memory_equal(back + 8192, buf + 8192, 4096);
	no_fault(&s.v);
	sc_down(&s);
}

/* A translation to something that is not RAM: Unsupported Request after
 * the pages before it. */
static void test_dma_batch_not_ram(void **state)
{
	uint8_t buf[3 * 4096];
	struct sc s;

	sc_up(&s, 0);
	st(&s.v, ss_leaf(&s.v, s.ss, IOVA + 2 * 4096), RAM | VTD_SS_R | VTD_SS_W);
	inv_all(&s.v);
	pattern(buf, sizeof(buf), 17);
	/* warm all three: the last one translates, then fails as UR */
	assert_ok(hw_dma_write(s.dma0, false, 0, IOVA, buf, 2 * 4096));
	assert_errno(EIO, hw_dma_write(s.dma0, false, 0, IOVA + 2 * 4096, buf, 16));
	assert_errno(EIO, hw_dma_write(s.dma0, false, 0, IOVA + 0x800, buf,
				       sizeof(buf) - 0x800));
	ram_is(&s, 0x800, buf, 2 * 4096 - 0x800);
	no_fault(&s.v);
	sc_down(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dma_scattered),
		cmocka_unit_test(test_dma_batch_fault),
		cmocka_unit_test(test_dma_batch_permission),
		cmocka_unit_test(test_dma_batch_ad),
		cmocka_unit_test(test_dma_batch_invalidation),
		cmocka_unit_test(test_dma_batch_not_ram),
	};

	return cmocka_run_group_tests_name("dma-batch", tests, NULL, NULL);
}
