// SPDX-License-Identifier: MIT
/*
 * IOMMU_TEST_OP_ACCESS_RW from a process other than the one that mapped
 * the pages (Linux's iopt_pages_rw_access() with current->mm !=
 * source_mm): one page goes through the mapping process's memory as it is
 * now while that process lives; several pages, or any once it has gone,
 * go through the pinned pages, which is the domain's view; with nothing
 * pinned and the process gone, EFAULT. Two ops tables stand for the two
 * processes; the owner's memory can be switched to other pages after the
 * pin, so the test sees which view a copy used.
 */
#include "test.h"

#include <linux/iommufd.h>
#include <iommufd_test.h>

#include "kernel/iommufd/iommufd.h"

#define PG ((size_t)IOMMUFD_PAGE_SIZE)
#define NPG 4

/* The owner's address space: [UVA, UVA + NPG pages) maps now[] or then[]. */
#define UVA 0x10000000ull
static uint8_t then_pages[NPG * PG] __attribute__((aligned(4096)));
static uint8_t now_pages[NPG * PG] __attribute__((aligned(4096)));
static uint8_t *owner_mem = then_pages;
static bool owner_alive = true;
static long pins;

static uint8_t *owner_ptr(uint64_t uaddr, size_t len)
{
	if (uaddr < UVA || uaddr + len > UVA + sizeof(then_pages) || uaddr + len < uaddr)
		return NULL;
	return owner_mem + (uaddr - UVA);
}

/* Copies: the mapped window, else the ioctl structs on this stack. */
static uint8_t *owner_copy_ptr(uint64_t uaddr, size_t len)
{
	if (uaddr >= UVA && uaddr < UVA + sizeof(then_pages))
		return owner_alive ? owner_ptr(uaddr, len) : NULL;
	return (uint8_t *)(uintptr_t)uaddr;
}

static int owner_copy_from(const struct iommufd_user_mem_ops *um, void *dst,
			   uint64_t uaddr, size_t len)
{
	uint8_t *p = owner_copy_ptr(uaddr, len);

	(void)um;
	if (!p)
		return -EFAULT;
	memcpy(dst, p, len);
	return 0;
}

static int owner_copy_to(const struct iommufd_user_mem_ops *um, uint64_t uaddr,
			 const void *src, size_t len)
{
	uint8_t *p = owner_copy_ptr(uaddr, len);

	(void)um;
	if (!p)
		return -EFAULT;
	memcpy(p, src, len);
	return 0;
}

static int owner_pin(const struct iommufd_user_mem_ops *um, uint64_t uaddr,
		     bool write, void **kva)
{
	uint8_t *p = owner_alive ? owner_ptr(uaddr, PG) : NULL;

	(void)um;
	(void)write;
	if (!p)
		return -EFAULT;
	*kva = p;
	pins++;
	return 0;
}

static void owner_unpin(const struct iommufd_user_mem_ops *um, uint64_t uaddr,
			void *kva)
{
	(void)um;
	(void)uaddr;
	(void)kva;
	pins--;
}

static bool owner_mm_alive(const struct iommufd_user_mem_ops *um)
{
	(void)um;
	return owner_alive;
}

static const struct iommufd_user_mem_ops owner = {
	.copy_from_user = owner_copy_from,
	.copy_to_user = owner_copy_to,
	.pin_page = owner_pin,
	.unpin_page = owner_unpin,
	.mm_alive = owner_mm_alive,
};

/* The other process: its own memory is this process's, by plain copies. */
static int other_copy_from(const struct iommufd_user_mem_ops *um, void *dst,
			   uint64_t uaddr, size_t len)
{
	(void)um;
	memcpy(dst, (void *)(uintptr_t)uaddr, len);
	return 0;
}

static int other_copy_to(const struct iommufd_user_mem_ops *um, uint64_t uaddr,
			 const void *src, size_t len)
{
	(void)um;
	memcpy((void *)(uintptr_t)uaddr, src, len);
	return 0;
}

static int other_pin(const struct iommufd_user_mem_ops *um, uint64_t uaddr,
		     bool write, void **kva)
{
	(void)um;
	(void)uaddr;
	(void)write;
	(void)kva;
	return -EFAULT;
}

static const struct iommufd_user_mem_ops other = {
	.copy_from_user = other_copy_from,
	.copy_to_user = other_copy_to,
	.pin_page = other_pin,
	.unpin_page = owner_unpin,
};

struct fix {
	struct iommufd_ctx *ictx;
	uint32_t ioas_id, access_fd;
	uint64_t iova;
};

static int xioctl(struct fix *f, unsigned int cmd, void *arg,
		  const struct iommufd_user_mem_ops *um)
{
	return (int)iommufd_ioctl(f->ictx, cmd, arg, um);
}

/* An IOAS (with a mock domain if domain), the owner's pages mapped. */
static void setup(struct fix *f, bool domain)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_test_cmd md = { .size = sizeof(md), .op = IOMMU_TEST_OP_MOCK_DOMAIN };
	struct iommu_test_cmd ca = { .size = sizeof(ca), .op = IOMMU_TEST_OP_CREATE_ACCESS };
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
		.user_va = UVA, .length = NPG * PG,
	};

	memset(then_pages, 'T', sizeof(then_pages));
	memset(now_pages, 'N', sizeof(now_pages));
	owner_mem = then_pages;
	owner_alive = true;
	f->ictx = iommufd_ctx_create();
	assert_false(IS_ERR(f->ictx));
	assert_ok(xioctl(f, IOMMU_IOAS_ALLOC, &alloc, &other));
	f->ioas_id = alloc.out_ioas_id;
	if (domain) {
		md.id = f->ioas_id;
		assert_ok(xioctl(f, IOMMU_TEST_CMD, &md, &other));
	}
	map.ioas_id = f->ioas_id;
	/* The owner maps (pinning then_pages into the domain, if any). */
	assert_ok(xioctl(f, IOMMU_IOAS_MAP, &map, &owner));
	f->iova = map.iova;
	ca.id = f->ioas_id;
	assert_ok(xioctl(f, IOMMU_TEST_CMD, &ca, &other));
	f->access_fd = ca.create_access.out_access_fd;
	/* The owner's memory changes under the pins from now on. */
	owner_mem = now_pages;
}

static void teardown(struct fix *f)
{
	iommufd_ctx_destroy(f->ictx);
	assert_int_equal(pins, 0);
}

/* ACCESS_RW read of len bytes at iova + off by caller um: rc, bytes in out. */
static int rw_read(struct fix *f, uint64_t off, size_t len, uint8_t *out,
		   const struct iommufd_user_mem_ops *um, uint32_t flags)
{
	struct iommu_test_cmd rw = {
		.size = sizeof(rw), .op = IOMMU_TEST_OP_ACCESS_RW, .id = f->access_fd,
		.access_rw = { .iova = f->iova + off, .length = len, .flags = flags },
	};

	/* The caller's buffer: this process's (other) or the owner's own. */
	rw.access_rw.uptr = um == &owner ? UVA + 3 * PG : (uintptr_t)out;
	memset(out, 0, len);
	return xioctl(f, IOMMU_TEST_CMD, &rw, um);
}

static void test_other_process_with_domain(void **state)
{
	uint8_t out[2 * PG];
	struct fix f;

	(void)state;
	setup(&f, true);
	/* One page: the owner's memory as it is now. */
	assert_ok(rw_read(&f, 8, 16, out, &other, 0));
	assert_int_equal(out[0], 'N');
	/* Several pages: the pinned pages, the domain's view. */
	assert_ok(rw_read(&f, PG - 8, 16, out, &other, 0));
	assert_int_equal(out[0], 'T');
	assert_int_equal(out[15], 'T');
	/* The owner gone: even one page comes from the pinned pages. */
	owner_alive = false;
	assert_ok(rw_read(&f, 8, 16, out, &other, 0));
	assert_int_equal(out[0], 'T');
	/* A write lands in the pinned page too. */
	{
		struct iommu_test_cmd rw = {
			.size = sizeof(rw), .op = IOMMU_TEST_OP_ACCESS_RW, .id = f.access_fd,
			.access_rw = { .iova = f.iova + 2 * PG, .length = 1,
				       .uptr = (uintptr_t)"W", .flags = MOCK_ACCESS_RW_WRITE },
		};

		assert_ok(xioctl(&f, IOMMU_TEST_CMD, &rw, &other));
		assert_int_equal(then_pages[2 * PG], 'W');
	}
	teardown(&f);
}

static void test_owner_itself(void **state)
{
	uint8_t out[PG];
	struct fix f;

	(void)state;
	setup(&f, true);
	/* The fast path: a plain copy in the owner's own memory. */
	now_pages[3 * PG] = 0;
	assert_ok(rw_read(&f, 8, 16, out, &owner, 0));
	assert_int_equal(now_pages[3 * PG], 'N');
	/* SLOW_PATH: as another process would, one page as it is now. */
	assert_ok(rw_read(&f, 8, 16, out, &owner, MOCK_ACCESS_RW_SLOW_PATH));
	assert_int_equal(now_pages[3 * PG], 'N');
	teardown(&f);
}

static void test_other_process_no_domain(void **state)
{
	uint8_t out[2 * PG];
	struct fix f;

	(void)state;
	setup(&f, false);
	/* Nothing pinned: pages are pinned for the copy, from memory as it is. */
	assert_ok(rw_read(&f, PG - 8, 16, out, &other, 0));
	assert_int_equal(out[0], 'N');
	assert_int_equal(pins, 0);
	/* And once the owner is gone there is nothing to read: EFAULT. */
	owner_alive = false;
	assert_errno(EFAULT, rw_read(&f, 8, 16, out, &other, 0));
	assert_errno(EFAULT, rw_read(&f, PG - 8, 16, out, &other, 0));
	teardown(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_other_process_with_domain),
		cmocka_unit_test(test_owner_itself),
		cmocka_unit_test(test_other_process_no_domain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
