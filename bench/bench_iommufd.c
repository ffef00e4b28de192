// SPDX-License-Identifier: MIT
/*
 * iommufd benchmark (`make bench`, not a test): IOMMU_IOAS_MAP followed by
 * IOMMU_IOAS_UNMAP of 4 KiB and 2 MiB through the in-process iommufd core
 * (iommufd_ioctl() with an in-process user-memory ops table, as the unit
 * tests use), on an IOAS with no domain (the map only records the range;
 * nothing is pinned, like Linux) and with one mock domain attached
 * (IOMMU_TEST_OP_MOCK_DOMAIN: every map pins the pages and fills the
 * domain's page table, every unmap clears it and unpins).
 *
 * Reported as map+unmap pairs per second and GiB/s of mapped bytes; each
 * figure is the best of several time-boxed trials.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/iommufd.h>
#include <iommufd_test.h>

#include "base/compiler.h"
#include "base/err.h"
#include "kernel/iommufd/iommufd.h"

#define TRIALS		5
#define TRIAL_NS	100e6	/* each trial runs for at least this long */
#define BUF_SIZE	((size_t)2 << 20)
#define IOVA		(1ull << 28)	/* inside the mock domain aperture */

static uint8_t buffer[BUF_SIZE] __attribute__((aligned(2 << 20)));

static void die(const char *what, long rc)
{
	fprintf(stderr, "bench-iommufd: %s failed: %ld\n", what, rc);
	exit(1);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ---- the caller's memory: this process's own address space ---- */

static int um_copy_from(const struct iommufd_user_mem_ops *um, void *dst,
			uint64_t uaddr, size_t len)
{
	(void)um;
	memcpy(dst, (void *)(uintptr_t)uaddr, len);
	return 0;
}

static int um_copy_to(const struct iommufd_user_mem_ops *um, uint64_t uaddr,
		      const void *src, size_t len)
{
	(void)um;
	memcpy((void *)(uintptr_t)uaddr, src, len);
	return 0;
}

static int um_pin(const struct iommufd_user_mem_ops *um, uint64_t uaddr,
		  bool write, void **kva)
{
	uint64_t b = (uint64_t)(uintptr_t)buffer;

	(void)um;
	(void)write;
	if (uaddr < b || uaddr >= b + BUF_SIZE)
		return -EFAULT;
	*kva = (void *)(uintptr_t)uaddr;
	return 0;
}

static void um_unpin(const struct iommufd_user_mem_ops *um, uint64_t uaddr, void *kva)
{
	(void)um;
	(void)uaddr;
	(void)kva;
}

static const struct iommufd_user_mem_ops um = {
	.copy_from_user = um_copy_from,
	.copy_to_user = um_copy_to,
	.pin_page = um_pin,
	.unpin_page = um_unpin,
};

static void xioctl(struct iommufd_ctx *ictx, unsigned int cmd, void *arg, const char *what)
{
	long rc = iommufd_ioctl(ictx, cmd, arg, &um);

	if (rc < 0)
		die(what, rc);
}

/* One trial: map+unmap pairs until TRIAL_NS has passed; returns ns/pair. */
static double trial(struct iommufd_ctx *ictx, uint32_t ioas, size_t len)
{
	struct iommu_ioas_map m = {
		.size = sizeof(m), .ioas_id = ioas,
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.user_va = (uintptr_t)buffer, .length = len, .iova = IOVA,
	};
	struct iommu_ioas_unmap u = {
		.size = sizeof(u), .ioas_id = ioas, .iova = IOVA, .length = len,
	};
	double t0 = now_ns(), t;
	unsigned long n = 0;

	do {
		unsigned int i;

		for (i = 0; i < 16; i++) {
			xioctl(ictx, IOMMU_IOAS_MAP, &m, "IOMMU_IOAS_MAP");
			xioctl(ictx, IOMMU_IOAS_UNMAP, &u, "IOMMU_IOAS_UNMAP");
			if (u.length != len)
				die("IOMMU_IOAS_UNMAP length", -(long)u.length);
			u.length = len;
		}
		n += 16;
		t = now_ns() - t0;
	} while (t < TRIAL_NS);
	return t / (double)n;
}

int main(void)
{
	static const size_t sizes[] = { 4096, BUF_SIZE };
	unsigned int dom, s, i;

	memset(buffer, 0x5a, sizeof(buffer));
	printf("== iommufd IOMMU_IOAS_MAP + IOMMU_IOAS_UNMAP (in-process core) ==\n");
	printf("%-8s %-12s | %12s %12s %12s\n", "size", "domain", "pairs/s", "us/pair",
	       "GiB/s");
	for (dom = 0; dom < 2; dom++) {
		struct iommu_ioas_alloc a = { .size = sizeof(a) };
		struct iommufd_ctx *ictx = iommufd_ctx_create();

		if (IS_ERR(ictx))
			die("iommufd_ctx_create", PTR_ERR(ictx));
		iommufd_ctx_acct(ictx)->limit_pages = UINT64_MAX;
		xioctl(ictx, IOMMU_IOAS_ALLOC, &a, "IOMMU_IOAS_ALLOC");
		if (dom) {
			struct iommu_test_cmd c = {
				.size = sizeof(c), .op = IOMMU_TEST_OP_MOCK_DOMAIN,
				.id = a.out_ioas_id,
			};

			xioctl(ictx, IOMMU_TEST_CMD, &c, "IOMMU_TEST_OP_MOCK_DOMAIN");
		}
		for (s = 0; s < ARRAY_SIZE(sizes); s++) {
			double b = 1e300;
			char sz[32];

			trial(ictx, a.out_ioas_id, sizes[s]);	/* warm up */
			for (i = 0; i < TRIALS; i++) {
				double t = trial(ictx, a.out_ioas_id, sizes[s]);

				b = t < b ? t : b;
			}
			if (sizes[s] >= (1u << 20))
				snprintf(sz, sizeof(sz), "%zu MiB", sizes[s] >> 20);
			else
				snprintf(sz, sizeof(sz), "%zu KiB", sizes[s] >> 10);
			printf("%-8s %-12s | %12.0f %12.3f %12.3f\n", sz,
			       dom ? "mock domain" : "none", 1e9 / b, b / 1e3,
			       (double)sizes[s] / b * 1e9 / (double)(1u << 30));
		}
		iommufd_ctx_destroy(ictx);
	}
	printf("(one pair = IOAS_MAP + IOAS_UNMAP at a fixed IOVA; GiB/s = mapped bytes per\n"
	       " second; best of %d trials of >= %.0f ms; with a mock domain each map pins\n"
	       " and fills the domain, without one nothing is pinned)\n",
	       TRIALS, TRIAL_NS / 1e6);
	return 0;
}
