// SPDX-License-Identifier: MIT
/*
 * DMA and IOMMU benchmarks (`make bench`, not a test): a platform with one
 * DMA test device behind a root port and the VT-d unit programmed as a
 * driver would (tables in RAM, registers over MMIO), then
 *
 *   - translation cost per request: IOTLB warm (hits) and cold (the IOTLB
 *     invalidated before each batch of distinct pages, so each is a walk);
 *   - the same through the whole DMA path (route + translate + copy) for
 *     an 8-byte read;
 *   - DMA throughput of 4 KiB, 64 KiB and 2 MiB transfers through the
 *     IOMMU (4 KiB and 2 MiB mappings), against plain memcpy of the same
 *     bytes, measured in the same run, reported as GiB/s and ratio;
 *   - the spread of that ratio over the trials, and for physically
 *     scattered pages what a plain memcpy of the same pages one by one
 *     costs, which no DMA engine can beat without a copy of its own.
 *
 * Each figure is the best of several trials (least disturbed by other
 * load: the machine may be shared); memcpy and DMA trials are interleaved
 * so that load changes hit both alike, and the per-trial ratios show how
 * much the load moved them. Compare runs before reading much into a few
 * percent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "base/fault.h"
#include "hw/fabric/dma.h"
#include "hw/fabric/fabric.h"
#include "hw/fabric/fabric_internal.h"
#include "hw/iommu/vtd.h"
#include "hw/iommu/vtd_regs.h"
#include "hw/platform/desc.h"

#define RAM_SIZE	(1ull << 30)
#define RID		0x0100u
#define PA_DATA		0x10000000ull	/* 2 MiB-aligned data area */
#define IOVA_4K		0x40000000ull	/* mapped with 4 KiB pages */
#define IOVA_2M		0x80000000ull	/* mapped with 2 MiB pages */
#define IOVA_4KS	0xc0000000ull	/* 4 KiB pages, physically scattered */
#define DATA_SIZE	(2ull << 20)
#define TRIALS		15

static void die(const char *what, int rc)
{
	fprintf(stderr, "bench-dma: %s failed: %d (%s)\n", what, rc, strerror(-rc));
	exit(1);
}

static void check(int rc, const char *what)
{
	if (rc < 0)
		die(what, rc);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double best(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[0];
}

/* ------------------------------------------------------------ platform */

static struct hw_desc_platform *bench_desc(void)
{
	struct hw_desc_platform *d = calloc(1, sizeof(*d));
	struct hw_desc_host_bridge *h = calloc(1, sizeof(*h));
	struct hw_desc_func *rp = calloc(1, sizeof(*rp)), *ep = calloc(1, sizeof(*ep));

	if (!d || !h || !rp || !ep)
		die("calloc", -ENOMEM);
	d->name = strdup("bench");
	d->file = strdup("<bench>");
	d->ram_size = RAM_SIZE;
	INIT_LIST_HEAD(&d->host_bridges);
	h->bus_end = 0xff;
	h->mmio.base = 0x80000000ull;
	h->mmio.size = 0x10000000ull;
	INIT_LIST_HEAD(&h->devices);
	list_add_tail(&h->node, &d->host_bridges);
	rp->kind = HW_DESC_ROOT_PORT;
	rp->dev = 0x1c;
	INIT_LIST_HEAD(&rp->children);
	list_add_tail(&rp->node, &h->devices);
	ep->kind = HW_DESC_ENDPOINT;
	ep->model = HW_DESC_MODEL_DMA_TEST;
	INIT_LIST_HEAD(&ep->children);
	list_add_tail(&ep->node, &rp->children);
	return d;
}

static void cfg_wr(struct hw_platform *p, uint8_t bus, uint8_t devfn, uint16_t reg,
		   unsigned int len, uint32_t v)
{
	check(hw_cfg_write(p, 0, bus, devfn, reg, len, v), "config write");
}

/* ------------------------------------------------- VT-d, as a driver */

struct drv {
	struct hw_platform *p;
	uint64_t reg, next, rt, iq, status, pasid_dir, ss;
	unsigned int iqt;
	uint32_t seq;
};

static uint32_t rd32(struct drv *v, uint64_t off)
{
	uint32_t x;

	check(hw_mmio_read(v->p, v->reg + off, &x, 4), "mmio read");
	return x;
}

static void wr32(struct drv *v, uint64_t off, uint32_t x)
{
	check(hw_mmio_write(v->p, v->reg + off, &x, 4), "mmio write");
}

static void wr64(struct drv *v, uint64_t off, uint64_t x)
{
	check(hw_mmio_write(v->p, v->reg + off, &x, 8), "mmio write");
}

static uint64_t ld(struct drv *v, uint64_t pa)
{
	uint64_t x;

	check(hw_ram_read(v->p, pa, &x, 8), "ram read");
	return x;
}

static void st(struct drv *v, uint64_t pa, uint64_t x)
{
	check(hw_ram_write(v->p, pa, &x, 8), "ram write");
}

static uint64_t alloc_page(struct drv *v)
{
	uint64_t pg = v->next;

	v->next += 4096;
	return pg;
}

static void gcmd(struct drv *v, uint32_t cmd, uint32_t sts_bit)
{
	uint32_t sts = rd32(v, VTD_GSTS_REG) & 0x96ffffffu;

	wr32(v, VTD_GCMD_REG, sts | cmd);
	if (!(rd32(v, VTD_GSTS_REG) & sts_bit))
		die("VT-d global command", -EIO);
}

static void qi_push(struct drv *v, uint64_t q0, uint64_t q1)
{
	uint64_t a = v->iq + v->iqt;

	st(v, a, q0);
	st(v, a + 8, q1);
	st(v, a + 16, 0);
	st(v, a + 24, 0);
	v->iqt = (v->iqt + 32) % 4096;
}

static void qi_sync(struct drv *v)
{
	qi_push(v, VTD_INV_WAIT | VTD_INV_WAIT_SW | VTD_INV_WAIT_FN |
		((uint64_t)++v->seq << 32), v->status);
	wr32(v, VTD_IQT_REG, v->iqt);
	if ((uint32_t)ld(v, v->status) != v->seq)
		die("invalidation wait", -EIO);
}

static void inv_iotlb(struct drv *v)
{
	qi_push(v, VTD_INV_IOTLB | (VTD_INV_G_GLOBAL << 4), 0);
	qi_sync(v);
}

static uint64_t get_table(struct drv *v, uint64_t ent_pa, uint64_t flags)
{
	uint64_t ent = ld(v, ent_pa);

	if (!(ent & flags)) {
		ent = alloc_page(v) | flags;
		st(v, ent_pa, ent);
	}
	return ent & ~0xfffull;
}

/* RAM offset (from PA_DATA) of page i of the scattered mapping: 167 is odd,
 * so this is a bijection on 0..511 and no two neighbours are adjacent. */
static uint64_t scattered_off(uint64_t i)
{
	return ((i * 167) % 512) * 4096;
}

static void ss_map(struct drv *v, uint64_t iova, uint64_t pa, uint64_t sz)
{
	unsigned int lvl, leaf = sz == 4096 ? 1 : 2;
	uint64_t t = v->ss, a = 0;

	for (lvl = 4; lvl >= leaf; lvl--) {
		a = t + ((iova >> (12 + 9 * (lvl - 1))) & 511) * 8;
		if (lvl == leaf)
			break;
		t = get_table(v, a, VTD_SS_R | VTD_SS_W);
	}
	/* No A/D bits: SSADE is off in the PASID entry, the unit ignores them. */
	st(v, a, pa | VTD_SS_R | VTD_SS_W | (leaf > 1 ? VTD_SS_PS : 0));
}

static void drv_up(struct drv *v, struct hw_platform *p)
{
	struct hw_iommu_info info;
	uint64_t re, ctp, ce, pt, pe;
	uint64_t off;

	memset(v, 0, sizeof(*v));
	v->p = p;
	check(hw_platform_iommu_info(p, 0, &info), "iommu info");
	v->reg = info.base;
	v->next = 16ull << 20;
	v->rt = alloc_page(v);
	v->iq = alloc_page(v);
	v->status = alloc_page(v);
	v->pasid_dir = alloc_page(v);
	v->ss = alloc_page(v);
	wr64(v, VTD_RTADDR_REG, v->rt | ((uint64_t)VTD_RTADDR_TTM_SM << VTD_RTADDR_TTM_SHIFT));
	gcmd(v, VTD_GCMD_SRTP, VTD_GSTS_RTPS);
	wr64(v, VTD_IQT_REG, 0);
	wr64(v, VTD_IQA_REG, v->iq | VTD_IQA_DW);
	gcmd(v, VTD_GCMD_QIE, VTD_GSTS_QIES);

	re = v->rt + (RID >> 8) * 16;
	ctp = get_table(v, re, VTD_SM_RE_P);
	ce = ctp + (RID & 0x7f) * 32;
	st(v, ce, v->pasid_dir | VTD_SM_CE0_P | VTD_SM_CE0_PASIDE);
	st(v, ce + 8, 0);
	pt = get_table(v, v->pasid_dir, VTD_PDE_P);
	pe = pt;	/* PASID 0 */
	st(v, pe, VTD_PE0_P | ((uint64_t)VTD_PGTT_SS << VTD_PE0_PGTT_SHIFT) |
		  (2ull << VTD_PE0_AW_SHIFT) | v->ss);
	st(v, pe + 8, 1);	/* DID 1 */
	for (off = 0; off < DATA_SIZE; off += 4096)
		ss_map(v, IOVA_4K + off, PA_DATA + off, 4096);
	ss_map(v, IOVA_2M, PA_DATA, 2ull << 20);
	/* The same 512 pages in a scrambled order: no two neighbours are
	 * physically adjacent, so every page is a segment of its own. */
	for (off = 0; off < DATA_SIZE; off += 4096)
		ss_map(v, IOVA_4KS + off, PA_DATA + scattered_off(off / 4096), 4096);
	qi_push(v, VTD_INV_CC | (VTD_INV_G_GLOBAL << 4), 0);
	qi_push(v, VTD_INV_PC | (VTD_INV_PC_G_GLOBAL << 4), 0);
	qi_push(v, VTD_INV_IOTLB | (VTD_INV_G_GLOBAL << 4), 0);
	qi_sync(v);
	gcmd(v, VTD_GCMD_TE, VTD_GSTS_TES);
}

/* ---------------------------------------------------------- measures */

static volatile uint64_t sink;

/* ns per translation with the IOTLB warm: 512 distinct 4K pages. */
static double bench_xlate_warm(struct hw_vtd *vtd)
{
	const unsigned int pages = 512, rounds = 2000;
	double t[TRIALS];
	uint64_t pa, sz, acc = 0;
	int k;

	for (k = 0; k < TRIALS; k++) {
		double t0;
		unsigned int r, i;

		for (i = 0; i < pages; i++)	/* warm up */
			check(hw_vtd_translate(vtd, RID, false, 0, IOVA_4K + i * 4096ull,
					       HW_VTD_ACC_R, &pa, &sz), "translate");
		t0 = now_ns();
		for (r = 0; r < rounds; r++)
			for (i = 0; i < pages; i++) {
				hw_vtd_translate(vtd, RID, false, 0, IOVA_4K + i * 4096ull + r,
						 HW_VTD_ACC_R, &pa, &sz);
				acc += pa;
			}
		t[k] = (now_ns() - t0) / ((double)pages * rounds);
	}
	sink = acc;
	return best(t, TRIALS);
}

/* ns per translation with the IOTLB cold: invalidate, then translate 512
 * distinct pages (each a 4-level walk; context and PASID caches warm). */
static double bench_xlate_cold(struct drv *v, struct hw_vtd *vtd)
{
	const unsigned int pages = 512, rounds = 50;
	double t[TRIALS];
	uint64_t pa, sz, acc = 0;
	int k;

	for (k = 0; k < TRIALS; k++) {
		double total = 0;
		unsigned int r, i;

		for (r = 0; r < rounds; r++) {
			double t0;

			inv_iotlb(v);
			t0 = now_ns();
			for (i = 0; i < pages; i++) {
				hw_vtd_translate(vtd, RID, false, 0, IOVA_4K + i * 4096ull,
						 HW_VTD_ACC_R, &pa, &sz);
				acc += pa;
			}
			total += now_ns() - t0;
		}
		t[k] = total / ((double)pages * rounds);
	}
	sink = acc;
	return best(t, TRIALS);
}

/* ns per 8-byte DMA read through the whole path (IOTLB warm). */
static double bench_dma_small(struct hw_pcidev *dev)
{
	const unsigned int n = 200000;
	double t[TRIALS];
	uint64_t x, acc = 0;
	int k;

	for (k = 0; k < TRIALS; k++) {
		double t0 = now_ns();
		unsigned int i;

		for (i = 0; i < n; i++) {
			hw_dma_read(dev, false, 0, IOVA_4K + ((i * 4096ull) & (DATA_SIZE - 1)),
				    &x, 8);
			acc += x;
		}
		t[k] = (now_ns() - t0) / n;
	}
	sink = acc;
	return best(t, TRIALS);
}

/* GiB/s of repeated transfers of size bytes: memcpy (RAM -> buffer), and
 * DMA reads/writes at iova. */
struct tput {
	double mc_rd_gibs, mc_wr_gibs;	/* memcpy RAM -> buffer, buffer -> RAM */
	double rd_gibs, wr_gibs;
	/* DMA / memcpy of each trial (measured back to back): median, range */
	double rd_med, rd_min, rd_max, wr_med, wr_min, wr_max;
	/* Scattered mapping only (else 0): memcpy of the same physical pages
	 * one by one, no IOMMU, / memcpy; best of trials. */
	double floor_rd, floor_wr;
};

static double gibs(size_t size, unsigned int iters, double ns)
{
	return (double)size * iters / ns * 1e9 / (double)(1ull << 30);
}

/* Median, min and max of n per-trial ratios a[k] / b[k]. */
static void paired(const double *a, const double *b, int n, double *med, double *lo,
		   double *hi)
{
	double r[TRIALS];
	int k;

	for (k = 0; k < n; k++)
		r[k] = a[k] / b[k];
	qsort(r, (size_t)n, sizeof(*r), cmp_double);
	*med = r[n / 2];
	*lo = r[0];
	*hi = r[n - 1];
}

static void bench_copy(struct hw_platform *p, struct hw_pcidev *dev, uint64_t iova,
		       size_t size, uint8_t *buf, struct tput *out)
{
	unsigned int iters = (unsigned int)MAX((size_t)64, (256ull << 20) / size);
	double tm[TRIALS], tmw[TRIALS], tr[TRIALS], tw[TRIALS], ts[TRIALS], tsw[TRIALS];
	uint8_t *ram = hw_ram_ptr(p, PA_DATA, DATA_SIZE);
	bool scattered = iova == IOVA_4KS;
	int k;

	if (IS_ERR(ram))
		die("ram ptr", (int)PTR_ERR(ram));
	/* Interleave them so load changes hit them alike. */
	for (k = 0; k < TRIALS; k++) {
		double t0;
		unsigned int i;
		size_t o;

		t0 = now_ns();
		for (i = 0; i < iters; i++) {
			memcpy(buf, ram, size);
			__asm__ volatile("" : : "r"(buf) : "memory");
		}
		tm[k] = now_ns() - t0;
		t0 = now_ns();
		for (i = 0; i < iters; i++) {
			memcpy(ram, buf, size);
			__asm__ volatile("" : : "r"(ram) : "memory");
		}
		tmw[k] = now_ns() - t0;
		t0 = now_ns();
		for (i = 0; i < iters; i++)
			check(hw_dma_read(dev, false, 0, iova, buf, size), "dma read");
		tr[k] = now_ns() - t0;
		t0 = now_ns();
		for (i = 0; i < iters; i++)
			check(hw_dma_write(dev, false, 0, iova, buf, size), "dma write");
		tw[k] = now_ns() - t0;
		if (!scattered)
			continue;
		t0 = now_ns();
		for (i = 0; i < iters; i++) {
			for (o = 0; o < size; o += 4096)
				memcpy(buf + o, ram + scattered_off(o / 4096), 4096);
			__asm__ volatile("" : : "r"(buf) : "memory");
		}
		ts[k] = now_ns() - t0;
		t0 = now_ns();
		for (i = 0; i < iters; i++) {
			for (o = 0; o < size; o += 4096)
				memcpy(ram + scattered_off(o / 4096), buf + o, 4096);
			__asm__ volatile("" : : "r"(ram) : "memory");
		}
		tsw[k] = now_ns() - t0;
	}
	paired(tm, tr, TRIALS, &out->rd_med, &out->rd_min, &out->rd_max);
	paired(tmw, tw, TRIALS, &out->wr_med, &out->wr_min, &out->wr_max);
	out->mc_rd_gibs = gibs(size, iters, best(tm, TRIALS));
	out->mc_wr_gibs = gibs(size, iters, best(tmw, TRIALS));
	out->rd_gibs = gibs(size, iters, best(tr, TRIALS));
	out->wr_gibs = gibs(size, iters, best(tw, TRIALS));
	out->floor_rd = scattered ? best(tm, TRIALS) / best(ts, TRIALS) : 0;
	out->floor_wr = scattered ? best(tmw, TRIALS) / best(tsw, TRIALS) : 0;
}

static const char *size_name(size_t size, char *buf, size_t n)
{
	if (size >= (1u << 20))
		snprintf(buf, n, "%zu MiB", size >> 20);
	else
		snprintf(buf, n, "%zu KiB", size >> 10);
	return buf;
}

int main(void)
{
	static const size_t sizes[] = { 4096, 64 << 10, 2 << 20 };
	static const struct { const char *name; uint64_t iova; } maps[] = {
		{ "4K", IOVA_4K }, { "4Ks", IOVA_4KS }, { "2M", IOVA_2M },
	};
	static struct tput res[ARRAY_SIZE(sizes)][ARRAY_SIZE(maps)];
	struct hw_desc_platform *d = bench_desc();
	char err[256], sz[32];
	struct hw_platform *p = hw_platform_create(d, err, sizeof(err));
	struct hw_pcidev *dev;
	struct hw_vtd *vtd;
	struct drv v;
	uint8_t *buf;
	unsigned int i, m;

	if (IS_ERR(p)) {
		fprintf(stderr, "bench-dma: platform: %s\n", err);
		return 1;
	}
	cfg_wr(p, 0, 0x1c << 3, PCI_SECONDARY_BUS, 1, 1);
	cfg_wr(p, 0, 0x1c << 3, PCI_SUBORDINATE_BUS, 1, 1);
	cfg_wr(p, 0, 0x1c << 3, PCI_COMMAND, 2, PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY);
	cfg_wr(p, 1, 0, PCI_COMMAND, 2, PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY);
	dev = hw_platform_cfg_target(p, 0, 1, 0);
	vtd = hw_platform_vtd(p, 0);
	if (!dev || !vtd)
		die("topology", -ENODEV);
	drv_up(&v, p);
	buf = aligned_alloc(4096, DATA_SIZE);
	if (!buf)
		die("buffer", -ENOMEM);
	memset(buf, 0x3c, DATA_SIZE);
	check(hw_ram_write(p, PA_DATA, buf, DATA_SIZE), "fill");

	printf("== DMA through the IOMMU (Intel VT-d model, scalable mode, second stage) ==\n");
	printf("%-52s %10s\n", "translation", "ns/op");
	printf("%-52s %10.2f\n", "hw_vtd_translate, IOTLB warm (512 x 4K pages)",
	       bench_xlate_warm(vtd));
	printf("%-52s %10.2f\n", "hw_vtd_translate, IOTLB cold (4-level walk)",
	       bench_xlate_cold(&v, vtd));
	printf("%-52s %10.2f\n", "hw_dma_read 8 B, full path, IOTLB warm",
	       bench_dma_small(dev));
	printf("\n%-8s %-4s | %-26s %6s | %-26s %6s\n", "size", "map",
	       "memcpy from RAM / DMA read", "ratio", "memcpy to RAM / DMA write", "ratio");
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		for (m = 0; m < ARRAY_SIZE(maps); m++) {
			struct tput *t = &res[i][m];

			bench_copy(p, dev, maps[m].iova, sizes[i], buf, t);
			printf("%-8s %-4s | %6.2f / %6.2f GiB/s        %6.3f | %6.2f / %6.2f GiB/s        %6.3f\n",
			       size_name(sizes[i], sz, sizeof(sz)), maps[m].name,
			       t->mc_rd_gibs, t->rd_gibs, t->rd_gibs / t->mc_rd_gibs,
			       t->mc_wr_gibs, t->wr_gibs, t->wr_gibs / t->mc_wr_gibs);
		}
	}
	printf("(GiB/s; ratio = DMA / memcpy of the same size in the same run; best of %d trials;\n"
	       " map: 4K = 4 KiB pages, physically contiguous; 4Ks = 4 KiB pages, scattered;\n"
	       " 2M = one 2 MiB page)\n", TRIALS);

	printf("\nratio per trial (DMA and memcpy timed back to back): median [min - max]\n");
	printf("%-8s %-4s | %-24s | %-24s\n", "size", "map", "read", "write");
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		for (m = 0; m < ARRAY_SIZE(maps); m++) {
			const struct tput *t = &res[i][m];

			printf("%-8s %-4s | %6.3f [%5.3f - %5.3f]   | %6.3f [%5.3f - %5.3f]\n",
			       size_name(sizes[i], sz, sizeof(sz)), maps[m].name,
			       t->rd_med, t->rd_min, t->rd_max, t->wr_med, t->wr_min, t->wr_max);
		}

	printf("\nscattered pages without an IOMMU: memcpy of the same 4 KiB pages one by one\n"
	       "(what any copy of them costs) / memcpy, and DMA / that copy (the IOMMU's share)\n");
	printf("%-8s | %-15s | %-15s\n", "size", "copy / memcpy", "DMA / copy");
	printf("%-8s | %6s %8s | %6s %8s\n", "", "read", "write", "read", "write");
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		const struct tput *t = &res[i][1];

		if (sizes[i] <= 4096)
			continue;
		printf("%-8s | %6.3f %8.3f | %6.3f %8.3f\n", size_name(sizes[i], sz, sizeof(sz)),
		       t->floor_rd, t->floor_wr, t->rd_gibs / t->mc_rd_gibs / t->floor_rd,
		       t->wr_gibs / t->mc_wr_gibs / t->floor_wr);
	}
	printf("\nconfiguration: dma-test 01:00.0 behind root port 00:1c.0, requests without PASID\n"
	       " (RID_PASID 0: second-stage 4-level table, DID 1, SSADE off), IOTLB warm\n"
	       " (default size, 4096 sets); DMA = hw_dma_read()/hw_dma_write() to/from a 4 KiB-\n"
	       " aligned buffer; memcpy = glibc memcpy between the same buffer and the mapped\n"
	       " RAM; each trial moves max(64 transfers, 256 MiB); CLOCK_MONOTONIC wall time\n");
	free(buf);
	hw_platform_destroy(p);
	hw_desc_free(d);
	return 0;
}
