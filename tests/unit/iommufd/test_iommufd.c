// SPDX-License-Identifier: MIT
/*
 * iommufd core, driven through iommufd_ioctl() with the real uAPI structs,
 * the way tools/testing/selftests/iommu/iommufd.c drives /dev/iommu. The
 * caller's memory is this process's: copies are memcpy, and only pages of
 * the test buffer can be pinned (anything else is -EFAULT, like an
 * unmapped address).
 */
#include "test.h"

#include <stdio.h>
#include <sys/ioctl.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>
#include <iommufd_test.h>

#include "kernel/iommufd/iommufd.h"

/* Later uAPI (values as upstream); the core implements them. */
#ifndef MOCK_PASID_WIDTH
#define MOCK_PASID_WIDTH 20
#endif
#ifndef MOCK_FLAGS_DEVICE_PASID
#define MOCK_FLAGS_DEVICE_PASID (1 << 2)
#endif

#define PAGE_SIZE ((size_t)IOMMUFD_PAGE_SIZE)
#define MOCK_PAGE_SIZE (PAGE_SIZE / 2)
#define BUFFER_SIZE (PAGE_SIZE * 16)

static uint8_t buffer_storage[BUFFER_SIZE] __attribute__((aligned(4096 * 16)));
static void *buffer = buffer_storage;
/* Two mock huge IOPTEs' worth, aligned so they can map as huge pages. */
#define HUGE_SIZE ((size_t)1 << 20)
static uint8_t huge_buffer[2 * HUGE_SIZE] __attribute__((aligned(1 << 20)));
static long um_pins;

static int um_copy_from(const struct iommufd_user_mem_ops *um, void *dst,
			uint64_t uaddr, size_t len)
{
	(void)um;
	if (uaddr < PAGE_SIZE)
		return -EFAULT;
	memcpy(dst, (void *)(uintptr_t)uaddr, len);
	return 0;
}

static int um_copy_to(const struct iommufd_user_mem_ops *um, uint64_t uaddr,
		      const void *src, size_t len)
{
	(void)um;
	if (uaddr < PAGE_SIZE)
		return -EFAULT;
	memcpy((void *)(uintptr_t)uaddr, src, len);
	return 0;
}

static int um_pin(const struct iommufd_user_mem_ops *um, uint64_t uaddr,
		  bool write, void **kva)
{
	uint64_t b = (uint64_t)(uintptr_t)buffer;

	uint64_t h = (uint64_t)(uintptr_t)huge_buffer;

	(void)um;
	(void)write;
	if ((uaddr < b || uaddr >= b + BUFFER_SIZE) &&
	    (uaddr < h || uaddr >= h + sizeof(huge_buffer)))
		return -EFAULT;
	*kva = (void *)(uintptr_t)uaddr;
	um_pins++;
	return 0;
}

static void um_unpin(const struct iommufd_user_mem_ops *um, uint64_t uaddr,
		     void *kva)
{
	(void)um;
	(void)uaddr;
	(void)kva;
	um_pins--;
}

static const struct iommufd_user_mem_ops um = {
	.copy_from_user = um_copy_from,
	.copy_to_user = um_copy_to,
	.pin_page = um_pin,
	.unpin_page = um_unpin,
};

/* ---- fixture ---- */

struct fix {
	struct iommufd_ctx *ictx;
	uint32_t ioas_id;
	uint32_t stdev_id, hwpt_id, device_id;
	uint64_t base_iova;
};

static struct iommufd_ctx *cur;

static int xioctl(unsigned int cmd, void *arg)
{
	return (int)iommufd_ioctl(cur, cmd, arg, &um);
}

#define _test_ioctl_destroy(_id) ({					\
		struct iommu_destroy __c = { .size = sizeof(__c), .id = (_id) }; \
		xioctl(IOMMU_DESTROY, &__c); })
#define test_ioctl_destroy(_id) assert_ok(_test_ioctl_destroy(_id))

static int _test_ioctl_ioas_alloc(uint32_t *id)
{
	struct iommu_ioas_alloc c = { .size = sizeof(c) };
	int rc = xioctl(IOMMU_IOAS_ALLOC, &c);

	if (!rc)
		*id = c.out_ioas_id;
	return rc;
}
#define test_ioctl_ioas_alloc(id) assert_ok(_test_ioctl_ioas_alloc(id))

static int _test_ioctl_ioas_map(uint32_t ioas_id, void *b, size_t len,
				uint64_t *iova, uint32_t flags)
{
	struct iommu_ioas_map c = {
		.size = sizeof(c), .flags = flags, .ioas_id = ioas_id,
		.user_va = (uintptr_t)b, .length = len, .iova = *iova,
	};
	int rc = xioctl(IOMMU_IOAS_MAP, &c);

	*iova = c.iova;
	return rc;
}
#define RW (IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE)
#define test_ioctl_ioas_map(b, len, iovap) \
	assert_ok(_test_ioctl_ioas_map(f->ioas_id, b, len, iovap, RW))
#define test_err_ioctl_ioas_map(E, b, len, iovap) \
	assert_errno(E, _test_ioctl_ioas_map(f->ioas_id, b, len, iovap, RW))
#define test_ioctl_ioas_map_fixed(b, len, iova) ({			\
		uint64_t __i = (iova);					\
		assert_ok(_test_ioctl_ioas_map(f->ioas_id, b, len, &__i, \
					       RW | IOMMU_IOAS_MAP_FIXED_IOVA)); })
#define test_err_ioctl_ioas_map_fixed(E, b, len, iova) ({		\
		uint64_t __i = (iova);					\
		assert_errno(E, _test_ioctl_ioas_map(f->ioas_id, b, len, &__i, \
					RW | IOMMU_IOAS_MAP_FIXED_IOVA)); })

static int _test_ioctl_ioas_unmap(uint32_t ioas_id, uint64_t iova,
				  uint64_t len, uint64_t *out_len)
{
	struct iommu_ioas_unmap c = {
		.size = sizeof(c), .ioas_id = ioas_id, .iova = iova, .length = len,
	};
	int rc = xioctl(IOMMU_IOAS_UNMAP, &c);

	if (out_len)
		*out_len = c.length;
	return rc;
}
#define test_ioctl_ioas_unmap(iova, len) \
	assert_ok(_test_ioctl_ioas_unmap(f->ioas_id, iova, len, NULL))
#define test_err_ioctl_ioas_unmap(E, iova, len) \
	assert_errno(E, _test_ioctl_ioas_unmap(f->ioas_id, iova, len, NULL))

static int _test_cmd_mock_domain(uint32_t pt_id, uint32_t *stdev, uint32_t *hwpt,
				 uint32_t *idev)
{
	struct iommu_test_cmd c = {
		.size = sizeof(c), .op = IOMMU_TEST_OP_MOCK_DOMAIN, .id = pt_id,
	};
	int rc = xioctl(IOMMU_TEST_CMD, &c);

	if (rc)
		return rc;
	if (stdev)
		*stdev = c.mock_domain.out_stdev_id;
	if (hwpt)
		*hwpt = c.mock_domain.out_hwpt_id;
	if (idev)
		*idev = c.mock_domain.out_idev_id;
	return 0;
}
#define test_cmd_mock_domain(pt, s, h, i) assert_ok(_test_cmd_mock_domain(pt, s, h, i))

static int _test_cmd_add_reserved(uint32_t ioas_id, uint64_t start, uint64_t len)
{
	struct iommu_test_cmd c = {
		.size = sizeof(c), .op = IOMMU_TEST_OP_ADD_RESERVED, .id = ioas_id,
		.add_reserved = { .start = start, .length = len },
	};

	return xioctl(IOMMU_TEST_CMD, &c);
}

static int _check_refs(void *p, size_t len, unsigned int refs)
{
	struct iommu_test_cmd c = {
		.size = sizeof(c), .op = IOMMU_TEST_OP_MD_CHECK_REFS,
		.check_refs = { .length = len, .uptr = (uintptr_t)p, .refs = refs },
	};

	return xioctl(IOMMU_TEST_CMD, &c);
}
#define check_refs(p, len, refs) assert_ok(_check_refs(p, len, refs))

static int _check_map(uint32_t id, uint64_t iova, void *p, size_t len)
{
	struct iommu_test_cmd c = {
		.size = sizeof(c), .op = IOMMU_TEST_OP_MD_CHECK_MAP, .id = id,
		.check_map = { .iova = iova, .length = len, .uptr = (uintptr_t)p },
	};

	return xioctl(IOMMU_TEST_CMD, &c);
}

static struct fix *fix_new(unsigned int mock_domains)
{
	struct fix *f = calloc(1, sizeof(*f));
	unsigned int i;

	assert_non_null(f);
	f->ictx = iommufd_ctx_create();
	assert_false(IS_ERR(f->ictx));
	iommufd_ctx_acct(f->ictx)->limit_pages = UINT64_MAX;
	cur = f->ictx;
	test_ioctl_ioas_alloc(&f->ioas_id);
	for (i = 0; i < mock_domains; i++) {
		test_cmd_mock_domain(f->ioas_id, &f->stdev_id, &f->hwpt_id,
				     &f->device_id);
		f->base_iova = MOCK_APERTURE_START;
	}
	return f;
}

static void fix_free(struct fix *f)
{
	iommufd_ctx_destroy(f->ictx);
	/* Closing the fd released every pin (teardown_iommufd's check). */
	assert_int_equal(um_pins, 0);
	free(f);
	cur = NULL;
}

/* ---- struct size rules and destroy ---- */

static void test_cmd_fail(void **state)
{
	struct fix *f = fix_new(0);
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = 0 };

	(void)state;
	assert_errno(ENOENT, _test_ioctl_destroy(0));
	assert_errno(EFAULT, xioctl(IOMMU_DESTROY, NULL));
	assert_errno(ENOTTY, xioctl(_IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE - 1), &cmd));
	assert_errno(ENOTTY, xioctl(_IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE + 33), &cmd));
	/* A number inside the range but with the wrong direction bits. */
	assert_errno(ENOTTY, xioctl(_IOW(IOMMUFD_TYPE, IOMMUFD_CMD_BASE, uint32_t),
				    &cmd));
	fix_free(f);
}

#define TEST_LENGTH(_struct, _ioctl, _last) do {				\
		size_t min_size = offsetof(struct _struct, _last) +	\
			sizeof(((struct _struct *)0)->_last);		\
		struct {						\
			struct _struct cmd;				\
			uint8_t extra;					\
		} c = { .cmd = { .size = min_size - 1 }, .extra = UINT8_MAX }; \
		int rc1, rc2;						\
									\
		assert_errno(EINVAL, xioctl(_ioctl, &c));		\
		c.cmd.size = sizeof(struct _struct) + 1;		\
		assert_errno(E2BIG, xioctl(_ioctl, &c));		\
		c.cmd.size = sizeof(struct _struct);			\
		rc1 = xioctl(_ioctl, &c);				\
		c.cmd.size = sizeof(struct _struct) + 1;		\
		c.extra = 0;						\
		rc2 = xioctl(_ioctl, &c);				\
		assert_int_equal(rc1, rc2);				\
	} while (0)

static void test_cmd_length(void **state)
{
	struct fix *f = fix_new(0);

	(void)state;
	TEST_LENGTH(iommu_destroy, IOMMU_DESTROY, id);
	TEST_LENGTH(iommu_hw_info, IOMMU_GET_HW_INFO, __reserved);
	TEST_LENGTH(iommu_hwpt_alloc, IOMMU_HWPT_ALLOC, __reserved);
	TEST_LENGTH(iommu_hwpt_invalidate, IOMMU_HWPT_INVALIDATE, __reserved);
	TEST_LENGTH(iommu_ioas_alloc, IOMMU_IOAS_ALLOC, out_ioas_id);
	TEST_LENGTH(iommu_ioas_iova_ranges, IOMMU_IOAS_IOVA_RANGES,
		    out_iova_alignment);
	TEST_LENGTH(iommu_ioas_allow_iovas, IOMMU_IOAS_ALLOW_IOVAS, allowed_iovas);
	TEST_LENGTH(iommu_ioas_map, IOMMU_IOAS_MAP, iova);
	TEST_LENGTH(iommu_ioas_copy, IOMMU_IOAS_COPY, src_iova);
	TEST_LENGTH(iommu_ioas_unmap, IOMMU_IOAS_UNMAP, length);
	TEST_LENGTH(iommu_option, IOMMU_OPTION, val64);
	TEST_LENGTH(iommu_vfio_ioas, IOMMU_VFIO_IOAS, __reserved);
	fix_free(f);
}

static void test_cmd_ex_fail(void **state)
{
	struct fix *f = fix_new(0);
	struct {
		struct iommu_destroy cmd;
		uint64_t future;
	} c = { .cmd = { .size = sizeof(c), .id = 0 } };

	(void)state;
	assert_errno(ENOENT, xioctl(IOMMU_DESTROY, &c));
	c.future = 1;
	assert_errno(E2BIG, xioctl(IOMMU_DESTROY, &c));
	c.cmd.size = sizeof(c.cmd);
	assert_errno(ENOENT, xioctl(IOMMU_DESTROY, &c));
	c.cmd.size = sizeof(c.cmd) - 1;
	assert_errno(EINVAL, xioctl(IOMMU_DESTROY, &c));
	fix_free(f);
}

static void test_ids_and_destroy(void **state)
{
	struct fix *f = fix_new(0);
	uint32_t a, b, c;

	(void)state;
	assert_int_equal(f->ioas_id, 1);
	test_ioctl_ioas_alloc(&a);
	test_ioctl_ioas_alloc(&b);
	assert_int_equal(a, 2);
	assert_int_equal(b, 3);
	test_ioctl_destroy(a);
	assert_errno(ENOENT, _test_ioctl_destroy(a));
	/* Lowest free ID comes back, like xa_alloc. */
	test_ioctl_ioas_alloc(&c);
	assert_int_equal(c, 2);
	test_ioctl_destroy(b);
	test_ioctl_destroy(c);
	assert_int_equal(iommufd_ctx_nr_objects(f->ictx), 1);
	fix_free(f);
}

static void test_global_options(void **state)
{
	struct fix *f = fix_new(0);
	struct iommu_option cmd = {
		.size = sizeof(cmd), .option_id = IOMMU_OPTION_RLIMIT_MODE,
		.op = IOMMU_OPTION_OP_GET, .val64 = 1,
	};

	(void)state;
	/* Objects exist (the fixture's IOAS): start from a clean context. */
	test_ioctl_destroy(f->ioas_id);
	assert_ok(xioctl(IOMMU_OPTION, &cmd));
	assert_int_equal(cmd.val64, 0);
	cmd.op = IOMMU_OPTION_OP_SET;
	cmd.val64 = 1;
	assert_errno(EPERM, xioctl(IOMMU_OPTION, &cmd));
	iommufd_ctx_set_caps(f->ictx, false, true);
	assert_ok(xioctl(IOMMU_OPTION, &cmd));
	cmd.val64 = 2;
	assert_errno(EINVAL, xioctl(IOMMU_OPTION, &cmd));
	cmd.op = IOMMU_OPTION_OP_GET;
	assert_ok(xioctl(IOMMU_OPTION, &cmd));
	assert_int_equal(cmd.val64, 1);
	cmd.op = IOMMU_OPTION_OP_SET;
	cmd.val64 = 0;
	assert_ok(xioctl(IOMMU_OPTION, &cmd));
	cmd.op = IOMMU_OPTION_OP_GET;
	cmd.option_id = IOMMU_OPTION_HUGE_PAGES;
	assert_errno(ENOENT, xioctl(IOMMU_OPTION, &cmd));
	cmd.op = IOMMU_OPTION_OP_SET;
	assert_errno(ENOENT, xioctl(IOMMU_OPTION, &cmd));
	/* With an object alive the mode is frozen. */
	test_ioctl_ioas_alloc(&f->ioas_id);
	cmd.option_id = IOMMU_OPTION_RLIMIT_MODE;
	assert_errno(EBUSY, xioctl(IOMMU_OPTION, &cmd));
	cmd.option_id = 99;
	assert_errno(EOPNOTSUPP, xioctl(IOMMU_OPTION, &cmd));
	fix_free(f);
}

/* ---- IOAS, with and without a mock domain ---- */

static void do_ioas_destroy(unsigned int domains)
{
	struct fix *f = fix_new(domains);
	uint32_t first_stdev = f->stdev_id - 3 * (domains > 1);

	test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE, f->base_iova + PAGE_SIZE);
	if (domains > 1) {
		/* IDs come three per mock device: stdev, idev, hwpt. */
		assert_int_equal(first_stdev, 2);
		test_ioctl_destroy(first_stdev);
		assert_errno(EBUSY, _test_ioctl_destroy(f->ioas_id));
	}
	if (f->stdev_id) {
		assert_errno(EBUSY, _test_ioctl_destroy(f->ioas_id));
		assert_errno(EBUSY, _test_ioctl_destroy(f->hwpt_id));
		assert_errno(EBUSY, _test_ioctl_destroy(f->device_id));
		/* Destroying the device frees the automatic HWPT. */
		test_ioctl_destroy(f->stdev_id);
		assert_errno(ENOENT, _test_ioctl_destroy(f->hwpt_id));
		assert_errno(ENOENT, _test_ioctl_destroy(f->device_id));
	}
	test_ioctl_destroy(f->ioas_id);
	fix_free(f);
}

static void test_ioas_destroy(void **state)
{
	(void)state;
	do_ioas_destroy(0);
	do_ioas_destroy(1);
	do_ioas_destroy(2);
}

static void do_area(unsigned int domains)
{
	struct fix *f = fix_new(domains);
	uint64_t len;
	int i;

	for (i = 0; i != 10; i++)
		test_err_ioctl_ioas_unmap(ENOENT, i * PAGE_SIZE, PAGE_SIZE);
	for (i = 0; i != 10; i++)
		test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE,
					  f->base_iova + i * PAGE_SIZE);
	for (i = 0; i != 10; i++)
		test_ioctl_ioas_unmap(f->base_iova + i * PAGE_SIZE, PAGE_SIZE);

	/* Split fails */
	test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE * 2, f->base_iova + 16 * PAGE_SIZE);
	test_err_ioctl_ioas_unmap(ENOENT, f->base_iova + 16 * PAGE_SIZE, PAGE_SIZE);
	test_err_ioctl_ioas_unmap(ENOENT, f->base_iova + 17 * PAGE_SIZE, PAGE_SIZE);
	/* Over map fails */
	test_err_ioctl_ioas_map_fixed(EEXIST, buffer, PAGE_SIZE * 2, f->base_iova + 16 * PAGE_SIZE);
	test_err_ioctl_ioas_map_fixed(EEXIST, buffer, PAGE_SIZE, f->base_iova + 16 * PAGE_SIZE);
	test_err_ioctl_ioas_map_fixed(EEXIST, buffer, PAGE_SIZE, f->base_iova + 17 * PAGE_SIZE);
	test_err_ioctl_ioas_map_fixed(EEXIST, buffer, PAGE_SIZE * 2, f->base_iova + 15 * PAGE_SIZE);
	test_err_ioctl_ioas_map_fixed(EEXIST, buffer, PAGE_SIZE * 3, f->base_iova + 15 * PAGE_SIZE);
	/* Argument checks */
	test_err_ioctl_ioas_map_fixed(EINVAL, buffer, 0, f->base_iova);
	assert_errno(EOVERFLOW, ({ uint64_t __i = UINT64_MAX;
		_test_ioctl_ioas_map(f->ioas_id, buffer, PAGE_SIZE, &__i,
				     RW | IOMMU_IOAS_MAP_FIXED_IOVA); }));
	assert_errno(EINVAL, ({ uint64_t __i = f->base_iova;
		_test_ioctl_ioas_map(f->ioas_id, buffer, PAGE_SIZE, &__i,
				     IOMMU_IOAS_MAP_FIXED_IOVA); }));
	assert_errno(EOPNOTSUPP, ({ uint64_t __i = f->base_iova;
		_test_ioctl_ioas_map(f->ioas_id, buffer, PAGE_SIZE, &__i, RW | 8); }));
	assert_errno(ENOENT, ({ uint64_t __i = f->base_iova;
		_test_ioctl_ioas_map(f->ioas_id + 100, buffer, PAGE_SIZE, &__i, RW); }));
	test_err_ioctl_ioas_unmap(EINVAL, f->base_iova, 0);
	test_err_ioctl_ioas_unmap(EOVERFLOW, UINT64_MAX, PAGE_SIZE);
	test_err_ioctl_ioas_unmap(EOVERFLOW, 3, UINT64_MAX - 1);
	if (f->stdev_id) {
		/* Outside the mock aperture is reserved; sub-granule is unaligned. */
		test_err_ioctl_ioas_map_fixed(EINVAL, buffer, PAGE_SIZE, PAGE_SIZE);
		test_err_ioctl_ioas_map_fixed(EINVAL, buffer, PAGE_SIZE,
					      f->base_iova + 1);
		/* Unpinnable memory is -EFAULT once a domain needs the pages. */
		test_err_ioctl_ioas_map_fixed(EFAULT, (void *)(uintptr_t)(1ul << 40),
					      PAGE_SIZE, f->base_iova + 64 * PAGE_SIZE);
	}
	assert_ok(_test_ioctl_ioas_unmap(f->ioas_id, 0, UINT64_MAX, &len));
	assert_int_equal(len, 2 * PAGE_SIZE);
	assert_ok(_test_ioctl_ioas_unmap(f->ioas_id, 0, UINT64_MAX, &len));
	assert_int_equal(len, 0);
	fix_free(f);
}

static void test_area(void **state)
{
	(void)state;
	do_area(0);
	do_area(1);
	do_area(2);
}

static void do_unmap_fully_contained(unsigned int domains)
{
	struct fix *f = fix_new(domains);
	uint64_t unmap_len;
	int i;

	f->base_iova += 4 * PAGE_SIZE;
	for (i = 0; i != 4; i++)
		test_ioctl_ioas_map_fixed(buffer, 8 * PAGE_SIZE,
					  f->base_iova + i * 16 * PAGE_SIZE);
	test_err_ioctl_ioas_unmap(ENOENT, f->base_iova - 4 * PAGE_SIZE, 8 * PAGE_SIZE);
	test_err_ioctl_ioas_unmap(ENOENT, f->base_iova + 3 * 16 * PAGE_SIZE +
				  8 * PAGE_SIZE - 4 * PAGE_SIZE, 8 * PAGE_SIZE);
	assert_ok(_test_ioctl_ioas_unmap(f->ioas_id, f->base_iova - 4 * PAGE_SIZE,
					 3 * 16 * PAGE_SIZE + 8 * PAGE_SIZE +
					 4 * PAGE_SIZE, &unmap_len));
	assert_int_equal(unmap_len, 32 * PAGE_SIZE);
	fix_free(f);
}

static void test_unmap_fully_contained(void **state)
{
	(void)state;
	do_unmap_fully_contained(0);
	do_unmap_fully_contained(1);
}

static void do_area_auto_iova(unsigned int domains)
{
	struct fix *f = fix_new(domains);
	struct iommu_iova_range ranges[1] = {};
	struct iommu_ioas_allow_iovas allow = {
		.size = sizeof(allow), .ioas_id = f->ioas_id, .num_iovas = 1,
		.allowed_iovas = (uintptr_t)ranges,
	};
	uint64_t iovas[10];
	int i;

	for (i = 0; i != 10; i++)
		test_ioctl_ioas_map(buffer, PAGE_SIZE, &iovas[i]);
	for (i = 0; i != 10; i++) {
		assert_true(iovas[i] != 0);
		test_ioctl_ioas_unmap(iovas[i], PAGE_SIZE);
	}
	for (i = 0; i != 10; i++) {
		size_t length = PAGE_SIZE * (i + 1);

		if (f->stdev_id)
			test_ioctl_ioas_map(buffer, length, &iovas[i]);
		else
			test_ioctl_ioas_map((void *)(1ul << 31), length, &iovas[i]);
		assert_int_equal(iovas[i] % (1ul << (__builtin_ffsl(length) - 1)), 0);
	}
	for (i = 0; i != 10; i++)
		test_ioctl_ioas_unmap(iovas[i], PAGE_SIZE * (i + 1));

	assert_ok(_test_cmd_add_reserved(f->ioas_id, PAGE_SIZE * 4, PAGE_SIZE * 100));
	for (i = 0; i != 10; i++) {
		size_t length = PAGE_SIZE * (i + 1);

		test_ioctl_ioas_map(buffer, length, &iovas[i]);
		assert_int_equal(iovas[i] % (1ul << (__builtin_ffsl(length) - 1)), 0);
		assert_false(iovas[i] > PAGE_SIZE * 4 &&
			     iovas[i] < PAGE_SIZE * 104);
	}
	for (i = 0; i != 10; i++)
		test_ioctl_ioas_unmap(iovas[i], PAGE_SIZE * (i + 1));

	ranges[0].start = PAGE_SIZE;
	ranges[0].last = PAGE_SIZE * 600;
	assert_errno(EADDRINUSE, xioctl(IOMMU_IOAS_ALLOW_IOVAS, &allow));

	if (f->stdev_id) {
		ranges[0].start = MOCK_APERTURE_START + PAGE_SIZE;
		ranges[0].last = MOCK_APERTURE_START + PAGE_SIZE * 600 - 1;
	} else {
		ranges[0].start = PAGE_SIZE * 200;
		ranges[0].last = PAGE_SIZE * 600 - 1;
	}
	assert_ok(xioctl(IOMMU_IOAS_ALLOW_IOVAS, &allow));
	for (i = 0; i != 10; i++) {
		size_t length = PAGE_SIZE * (i + 1);

		test_ioctl_ioas_map(buffer, length, &iovas[i]);
		assert_true(iovas[i] >= ranges[0].start);
		assert_true(iovas[i] + length <= ranges[0].last + 1);
	}
	for (i = 0; i != 10; i++)
		test_ioctl_ioas_unmap(iovas[i], PAGE_SIZE * (i + 1));
	/* Bad range lists */
	ranges[0].last = ranges[0].start;
	assert_errno(EINVAL, xioctl(IOMMU_IOAS_ALLOW_IOVAS, &allow));
	allow.allowed_iovas = 0;
	assert_errno(EFAULT, xioctl(IOMMU_IOAS_ALLOW_IOVAS, &allow));
	/* A full allowed range: nothing more fits. */
	allow.allowed_iovas = (uintptr_t)ranges;
	ranges[0].start = f->base_iova + 512 * PAGE_SIZE;
	ranges[0].last = ranges[0].start + PAGE_SIZE - 1;
	assert_ok(xioctl(IOMMU_IOAS_ALLOW_IOVAS, &allow));
	test_ioctl_ioas_map(buffer, PAGE_SIZE, &iovas[0]);
	assert_int_equal(iovas[0], ranges[0].start);
	test_err_ioctl_ioas_map(ENOSPC, buffer, PAGE_SIZE, &iovas[1]);
	fix_free(f);
}

static void test_area_auto_iova(void **state)
{
	(void)state;
	do_area_auto_iova(0);
	do_area_auto_iova(1);
}

static void test_area_allowed(void **state)
{
	struct fix *f = fix_new(0);
	struct iommu_iova_range ranges[2] = {};
	struct iommu_ioas_allow_iovas allow = {
		.size = sizeof(allow), .ioas_id = f->ioas_id, .num_iovas = 1,
		.allowed_iovas = (uintptr_t)ranges,
	};

	(void)state;
	ranges[0].start = f->base_iova;
	ranges[0].last = ranges[0].start + PAGE_SIZE * 600;
	assert_ok(xioctl(IOMMU_IOAS_ALLOW_IOVAS, &allow));
	assert_errno(EADDRINUSE, _test_cmd_add_reserved(f->ioas_id,
				ranges[0].start + PAGE_SIZE, PAGE_SIZE));
	allow.num_iovas = 0;
	assert_ok(xioctl(IOMMU_IOAS_ALLOW_IOVAS, &allow));
	assert_ok(_test_cmd_add_reserved(f->ioas_id, ranges[0].start + PAGE_SIZE,
					 PAGE_SIZE));
	allow.num_iovas = 1;
	assert_errno(EADDRINUSE, xioctl(IOMMU_IOAS_ALLOW_IOVAS, &allow));
	/* Overlapping entries in one list */
	allow.num_iovas = 2;
	ranges[0].start = 1ull << 40;
	ranges[0].last = (1ull << 40) + 10 * PAGE_SIZE;
	ranges[1].start = (1ull << 40) + 5 * PAGE_SIZE;
	ranges[1].last = (1ull << 40) + 20 * PAGE_SIZE;
	assert_errno(EINVAL, xioctl(IOMMU_IOAS_ALLOW_IOVAS, &allow));
	/* Reserving over an area */
	test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE, 1ull << 32);
	assert_errno(EADDRINUSE, _test_cmd_add_reserved(f->ioas_id, 1ull << 32, 1));
	assert_errno(EINVAL, _test_cmd_add_reserved(f->ioas_id, 1ull << 33, 0));
	assert_errno(EOVERFLOW, _test_cmd_add_reserved(f->ioas_id, UINT64_MAX, 2));
	fix_free(f);
}

static void do_iova_ranges(unsigned int domains)
{
	struct fix *f = fix_new(domains);
	struct iommu_iova_range *ranges = buffer;
	struct iommu_ioas_iova_ranges rc = {
		.size = sizeof(rc), .ioas_id = f->ioas_id,
		.num_iovas = BUFFER_SIZE / sizeof(*ranges),
		.allowed_iovas = (uintptr_t)ranges,
	};

	assert_ok(xioctl(IOMMU_IOAS_IOVA_RANGES, &rc));
	assert_int_equal(rc.num_iovas, 1);
	if (!f->stdev_id) {
		assert_int_equal(ranges[0].start, 0);
		assert_int_equal(ranges[0].last, SIZE_MAX);
		assert_int_equal(rc.out_iova_alignment, 1);
	} else {
		assert_int_equal(ranges[0].start, MOCK_APERTURE_START);
		assert_int_equal(ranges[0].last, MOCK_APERTURE_LAST);
		assert_int_equal(rc.out_iova_alignment, MOCK_PAGE_SIZE);
	}
	memset(ranges, 0, BUFFER_SIZE);
	rc.num_iovas = 0;
	assert_errno(EMSGSIZE, xioctl(IOMMU_IOAS_IOVA_RANGES, &rc));
	assert_int_equal(rc.num_iovas, 1);
	assert_int_equal(ranges[0].start, 0);
	assert_int_equal(ranges[0].last, 0);

	assert_ok(_test_cmd_add_reserved(f->ioas_id, PAGE_SIZE, PAGE_SIZE));
	rc.num_iovas = BUFFER_SIZE / sizeof(*ranges);
	assert_ok(xioctl(IOMMU_IOAS_IOVA_RANGES, &rc));
	if (!f->stdev_id) {
		assert_int_equal(rc.num_iovas, 2);
		assert_int_equal(ranges[0].start, 0);
		assert_int_equal(ranges[0].last, PAGE_SIZE - 1);
		assert_int_equal(ranges[1].start, PAGE_SIZE * 2);
		assert_int_equal(ranges[1].last, SIZE_MAX);
	} else {
		assert_int_equal(rc.num_iovas, 1);
	}
	memset(ranges, 0, BUFFER_SIZE);
	rc.num_iovas = 1;
	if (!f->stdev_id) {
		assert_errno(EMSGSIZE, xioctl(IOMMU_IOAS_IOVA_RANGES, &rc));
		assert_int_equal(rc.num_iovas, 2);
		assert_int_equal(ranges[0].last, PAGE_SIZE - 1);
	} else {
		assert_ok(xioctl(IOMMU_IOAS_IOVA_RANGES, &rc));
	}
	assert_int_equal(ranges[1].start, 0);
	assert_int_equal(ranges[1].last, 0);
	rc.__reserved = 1;
	assert_errno(EOPNOTSUPP, xioctl(IOMMU_IOAS_IOVA_RANGES, &rc));
	fix_free(f);
}

static void test_iova_ranges(void **state)
{
	(void)state;
	do_iova_ranges(0);
	do_iova_ranges(1);
}

static void do_copy_area(unsigned int domains)
{
	struct fix *f = fix_new(domains);
	struct iommu_ioas_copy c = {
		.size = sizeof(c),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE,
		.dst_ioas_id = f->ioas_id, .src_ioas_id = f->ioas_id,
		.length = PAGE_SIZE,
	};
	uint32_t other;

	test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE, f->base_iova);
	c.src_iova = f->base_iova;
	c.dst_iova = f->base_iova + PAGE_SIZE;
	assert_ok(xioctl(IOMMU_IOAS_COPY, &c));
	if (f->stdev_id) {
		/* One pages object, pinned once however many areas use it. */
		check_refs(buffer, PAGE_SIZE, 1);
		assert_ok(_check_map(f->hwpt_id, f->base_iova + PAGE_SIZE, buffer,
				     PAGE_SIZE));
	}
	test_ioctl_ioas_alloc(&other);
	c.dst_ioas_id = other;
	c.dst_iova = 0;
	assert_ok(xioctl(IOMMU_IOAS_COPY, &c));
	/* Source not mapped, or not contiguous */
	c.src_iova = f->base_iova + 8 * PAGE_SIZE;
	assert_errno(ENOENT, xioctl(IOMMU_IOAS_COPY, &c));
	c.src_iova = f->base_iova;
	c.length = 4 * PAGE_SIZE;
	assert_errno(ENOENT, xioctl(IOMMU_IOAS_COPY, &c));
	/* Two adjacent areas copy as one. */
	c.length = 2 * PAGE_SIZE;
	c.dst_iova = 1ull << 30;
	assert_ok(xioctl(IOMMU_IOAS_COPY, &c));
	c.dst_ioas_id = 1000;
	assert_errno(ENOENT, xioctl(IOMMU_IOAS_COPY, &c));
	c.flags = IOMMU_IOAS_MAP_FIXED_IOVA;
	assert_errno(EINVAL, xioctl(IOMMU_IOAS_COPY, &c));
	c.flags = 1u << 10;
	assert_errno(EOPNOTSUPP, xioctl(IOMMU_IOAS_COPY, &c));
	fix_free(f);
}

static void test_copy_area(void **state)
{
	(void)state;
	do_copy_area(0);
	do_copy_area(1);
}

/* ---- mock domain ---- */

static int _test_cmd_hwpt_alloc(uint32_t dev, uint32_t pt, uint32_t flags,
				uint32_t *out, uint32_t type, void *data,
				uint32_t len);

static void test_mock_domain_basic(void **state)
{
	struct fix *f = fix_new(1);
	uint32_t stdev2, hwpt2;
	uint64_t iova;

	(void)state;
	test_ioctl_ioas_map(buffer, BUFFER_SIZE, &iova);
	assert_true(iova >= MOCK_APERTURE_START);
	assert_ok(_check_map(f->hwpt_id, iova, buffer, BUFFER_SIZE));
	assert_ok(_check_map(f->stdev_id, iova, buffer, BUFFER_SIZE));
	assert_errno(EINVAL, _check_map(f->hwpt_id, iova, (uint8_t *)buffer + PAGE_SIZE,
					PAGE_SIZE));
	assert_errno(EINVAL, _check_map(f->hwpt_id, iova + 1, buffer, PAGE_SIZE));
	assert_errno(EINVAL, _check_map(f->ioas_id, iova, buffer, PAGE_SIZE));
	check_refs(buffer, BUFFER_SIZE, 1);
	assert_errno(EIO, _check_refs(buffer, BUFFER_SIZE, 2));

	/*
	 * A second device on the same HWPT; a third attached to the IOAS
	 * joins its automatic HWPT (Linux reuses compatible auto domains);
	 * a user HWPT gives a second domain.
	 */
	test_cmd_mock_domain(f->hwpt_id, &stdev2, &hwpt2, NULL);
	assert_int_equal(hwpt2, f->hwpt_id);
	test_cmd_mock_domain(f->ioas_id, NULL, &hwpt2, NULL);
	assert_int_equal(hwpt2, f->hwpt_id);
	assert_ok(_test_cmd_hwpt_alloc(f->device_id, f->ioas_id, 0, &hwpt2, 0,
				       NULL, 0));
	assert_int_not_equal(hwpt2, f->hwpt_id);
	assert_ok(_check_map(hwpt2, iova, buffer, BUFFER_SIZE));
	check_refs(buffer, BUFFER_SIZE, 1);
	assert_errno(ENOENT, _test_cmd_mock_domain(0, NULL, NULL, NULL));
	assert_errno(EINVAL, _test_cmd_mock_domain(stdev2, NULL, NULL, NULL));

	test_ioctl_ioas_unmap(iova, BUFFER_SIZE);
	check_refs(buffer, BUFFER_SIZE, 0);
	assert_errno(EINVAL, _check_map(f->hwpt_id, iova, buffer, PAGE_SIZE));
	/* A domain made after mapping is filled. */
	test_ioctl_ioas_map(buffer, BUFFER_SIZE, &iova);
	test_ioctl_destroy(hwpt2);
	assert_ok(_test_cmd_hwpt_alloc(f->device_id, f->ioas_id, 0, &hwpt2, 0,
				       NULL, 0));
	assert_ok(_check_map(hwpt2, iova, buffer, BUFFER_SIZE));
	fix_free(f);
}

static void test_mock_domain_attach_conflicts(void **state)
{
	struct fix *f = fix_new(0);
	uint8_t *b = buffer;

	(void)state;
	/* An area outside the mock aperture blocks the attach. */
	test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE, PAGE_SIZE);
	assert_errno(EADDRINUSE, _test_cmd_mock_domain(f->ioas_id, NULL, NULL, NULL));
	test_ioctl_ioas_unmap(PAGE_SIZE, PAGE_SIZE);
	/* So does one not aligned to the mock page size. */
	test_ioctl_ioas_map_fixed(b + 1, PAGE_SIZE, MOCK_APERTURE_START + 1);
	assert_errno(EADDRINUSE, _test_cmd_mock_domain(f->ioas_id, NULL, NULL, NULL));
	test_ioctl_ioas_unmap(0, UINT64_MAX);
	/* Unpinnable memory fails the attach with EFAULT, leaving no pins. */
	test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE, MOCK_APERTURE_START);
	test_ioctl_ioas_map_fixed((void *)(uintptr_t)(1ul << 40), PAGE_SIZE,
				  MOCK_APERTURE_START + PAGE_SIZE);
	assert_errno(EFAULT, _test_cmd_mock_domain(f->ioas_id, NULL, NULL, NULL));
	check_refs(buffer, PAGE_SIZE, 0);
	assert_int_equal(iommufd_ctx_nr_objects(f->ictx), 1);
	fix_free(f);
}

static void test_huge_pages_option(void **state)
{
	struct fix *f = fix_new(0);
	struct iommu_option cmd = {
		.size = sizeof(cmd), .option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_GET, .val64 = 3, .object_id = f->ioas_id,
	};

	(void)state;
	assert_ok(xioctl(IOMMU_OPTION, &cmd));
	assert_int_equal(cmd.val64, 1);
	cmd.op = IOMMU_OPTION_OP_SET;
	cmd.val64 = 0;
	assert_ok(xioctl(IOMMU_OPTION, &cmd));
	cmd.val64 = 2;
	assert_errno(EINVAL, xioctl(IOMMU_OPTION, &cmd));
	cmd.op = IOMMU_OPTION_OP_GET;
	assert_ok(xioctl(IOMMU_OPTION, &cmd));
	assert_int_equal(cmd.val64, 0);
	/* Page alignment is now required. */
	test_err_ioctl_ioas_map_fixed(EINVAL, buffer, PAGE_SIZE / 2, PAGE_SIZE);
	test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE, MOCK_APERTURE_START);
	/* Cannot turn off large pages once a domain has mappings. */
	test_cmd_mock_domain(f->ioas_id, &f->stdev_id, NULL, NULL);
	cmd.op = IOMMU_OPTION_OP_SET;
	cmd.val64 = 1;
	assert_ok(xioctl(IOMMU_OPTION, &cmd));
	cmd.val64 = 0;
	assert_errno(EINVAL, xioctl(IOMMU_OPTION, &cmd));
	cmd.object_id = f->stdev_id;
	assert_errno(ENOENT, xioctl(IOMMU_OPTION, &cmd));
	fix_free(f);
}

static void test_accounting_limit(void **state)
{
	struct fix *f = fix_new(1);
	struct iommufd_acct *acct = iommufd_ctx_acct(f->ictx);
	uint64_t iova;

	(void)state;
	acct->limit_pages = 4;
	test_err_ioctl_ioas_map(ENOMEM, buffer, 5 * PAGE_SIZE, &iova);
	assert_int_equal(acct->locked_pages, 0);
	check_refs(buffer, BUFFER_SIZE, 0);
	test_ioctl_ioas_map(buffer, 4 * PAGE_SIZE, &iova);
	assert_int_equal(acct->locked_pages, 4);
	/* The same memory mapped again is pinned (and charged) again. */
	test_err_ioctl_ioas_map(ENOMEM, buffer, PAGE_SIZE, &iova);
	acct->limit_pages = 5;
	test_ioctl_ioas_map(buffer, PAGE_SIZE, &iova);
	check_refs(buffer, PAGE_SIZE, 2);
	test_ioctl_ioas_unmap(0, UINT64_MAX);
	assert_int_equal(acct->locked_pages, 0);
	/* Without a domain nothing is pinned, so the limit does not apply. */
	test_ioctl_destroy(f->stdev_id);
	acct->limit_pages = 0;
	test_ioctl_ioas_map_fixed(buffer, 8 * PAGE_SIZE, MOCK_APERTURE_START);
	/* ...until a domain attaches. */
	assert_errno(ENOMEM, _test_cmd_mock_domain(f->ioas_id, NULL, NULL, NULL));
	/* CAP_IPC_LOCK pins are not charged. */
	iommufd_ctx_set_caps(f->ictx, true, false);
	test_ioctl_ioas_map(buffer, PAGE_SIZE, &iova);
	test_ioctl_ioas_unmap(iova, PAGE_SIZE);
	fix_free(f);
}

static void test_test_cmd_misc(void **state)
{
	struct fix *f = fix_new(0);
	struct iommu_test_cmd c = {
		.size = sizeof(c), .op = IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT,
		.memory_limit = { .limit = 4 },
	};

	(void)state;
	assert_errno(EINVAL, xioctl(IOMMU_TEST_CMD, &c));
	c.memory_limit.limit = 65536;
	assert_ok(xioctl(IOMMU_TEST_CMD, &c));
	c.op = 1000;
	assert_errno(EOPNOTSUPP, xioctl(IOMMU_TEST_CMD, &c));
	assert_errno(EINVAL, _check_refs((uint8_t *)buffer + 1, PAGE_SIZE, 0));
	assert_errno(EFAULT, _check_refs((void *)(uintptr_t)(1ul << 40), PAGE_SIZE, 0));
	fix_free(f);
}

/*
 * fail-nth over map + mock domain + unmap: each injected failure must give
 * a clean errno and leave nothing behind (ASan checks for leaks, the fixture
 * for pins), and the sweep must end with a run that sees no failure.
 */
/* ---- selftest accesses ---- */

static int _test_cmd_create_access(uint32_t ioas_id, uint32_t *access_fd,
				   uint32_t flags)
{
	struct iommu_test_cmd c = {
		.size = sizeof(c), .op = IOMMU_TEST_OP_CREATE_ACCESS, .id = ioas_id,
		.create_access = { .flags = flags },
	};
	int rc = xioctl(IOMMU_TEST_CMD, &c);

	if (!rc)
		*access_fd = c.create_access.out_access_fd;
	return rc;
}
#define test_cmd_create_access(ioas_id, fdp, flags) \
	assert_ok(_test_cmd_create_access(ioas_id, fdp, flags))
#define test_cmd_destroy_access(fd) \
	assert_ok(iommufd_test_access_close(cur, fd))

static int _test_cmd_access_pages(uint32_t fd, uint64_t iova, uint64_t len,
				  void *uptr, uint32_t flags, uint32_t *item)
{
	struct iommu_test_cmd c = {
		.size = sizeof(c), .op = IOMMU_TEST_OP_ACCESS_PAGES, .id = fd,
		.access_pages = { .flags = flags, .iova = iova, .length = len,
				  .uptr = (uintptr_t)uptr },
	};
	int rc = xioctl(IOMMU_TEST_CMD, &c);

	if (!rc && item)
		*item = c.access_pages.out_access_pages_id;
	return rc;
}
#define test_cmd_access_pages(fd, iova, len, uptr, itemp) \
	assert_ok(_test_cmd_access_pages(fd, iova, len, uptr, 0, itemp))

static int _test_cmd_destroy_access_pages(uint32_t fd, uint32_t item)
{
	struct iommu_test_cmd c = {
		.size = sizeof(c), .op = IOMMU_TEST_OP_DESTROY_ACCESS_PAGES, .id = fd,
		.destroy_access_pages = { .access_pages_id = item },
	};

	return xioctl(IOMMU_TEST_CMD, &c);
}
#define test_cmd_destroy_access_pages(fd, item) \
	assert_ok(_test_cmd_destroy_access_pages(fd, item))

static int _test_cmd_access_rw(uint32_t fd, uint64_t iova, void *uptr,
			       uint64_t len, uint32_t flags)
{
	struct iommu_test_cmd c = {
		.size = sizeof(c), .op = IOMMU_TEST_OP_ACCESS_RW, .id = fd,
		.access_rw = { .iova = iova, .length = len,
			       .uptr = (uintptr_t)uptr, .flags = flags },
	};

	return xioctl(IOMMU_TEST_CMD, &c);
}

static int _test_cmd_access_replace_ioas(uint32_t fd, uint32_t ioas_id)
{
	struct iommu_test_cmd c = {
		.size = sizeof(c), .op = IOMMU_TEST_OP_ACCESS_REPLACE_IOAS, .id = fd,
		.access_replace_ioas = { .ioas_id = ioas_id },
	};

	return xioctl(IOMMU_TEST_CMD, &c);
}

static void test_access_create(void **state)
{
	struct fix *f = fix_new(0);
	uint32_t fd, fd2, ioas2;
	unsigned int nobjs;

	(void)state;
	assert_errno(EOPNOTSUPP, _test_cmd_create_access(f->ioas_id, &fd, 2));
	assert_errno(ENOENT, _test_cmd_create_access(99, &fd, 0));
	nobjs = iommufd_ctx_nr_objects(f->ictx);
	test_cmd_create_access(f->ioas_id, &fd, 0);
	/* The access is an object (it took ID 2) userspace cannot destroy. */
	assert_int_equal(iommufd_ctx_nr_objects(f->ictx), nobjs + 1);
	assert_errno(EBUSY, _test_ioctl_destroy(2));
	/* It holds its IOAS. */
	assert_errno(EBUSY, _test_ioctl_destroy(f->ioas_id));
	test_ioctl_ioas_alloc(&ioas2);
	assert_int_equal(ioas2, 3);
	test_cmd_create_access(f->ioas_id, &fd2, MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);
	assert_int_not_equal(fd, fd2);
	/* A file that is not an access is -EBADFD. */
	assert_errno(EBADFD, _test_cmd_access_rw(fd2 + 100, 0, buffer, 1, 0));
	assert_errno(EBADFD, _test_cmd_destroy_access_pages(fd2 + 100, 0));
	assert_errno(EBADFD, _test_cmd_access_replace_ioas(fd2 + 100, ioas2));
	/* No pinning through an access created without NEEDS_PIN_PAGES. */
	assert_errno(EOPNOTSUPP, _test_cmd_access_pages(fd, MOCK_APERTURE_START,
							PAGE_SIZE, NULL, 0, NULL));
	test_cmd_destroy_access(fd);
	assert_errno(ENOENT, iommufd_test_access_close(f->ictx, fd));
	assert_errno(EBADFD, _test_cmd_access_rw(fd, 0, buffer, 1, 0));
	assert_errno(EBUSY, _test_ioctl_destroy(f->ioas_id));
	/* Replace moves the hold to the new IOAS. */
	assert_errno(ENOENT, _test_cmd_access_replace_ioas(fd2, 99));
	assert_ok(_test_cmd_access_replace_ioas(fd2, ioas2));
	assert_ok(_test_cmd_access_replace_ioas(fd2, ioas2));
	assert_errno(EBUSY, _test_ioctl_destroy(ioas2));
	test_ioctl_destroy(f->ioas_id);
	/* Closing the context with the access still open releases it. */
	fix_free(f);
}

/*
 * A pinning access raises the IOAS alignment to PAGE_SIZE: it cannot join
 * an IOAS holding an unaligned area, and unaligned maps fail once it is in.
 */
static void test_access_alignment(void **state)
{
	struct fix *f = fix_new(0);
	struct iommu_ioas_iova_ranges r = { .size = sizeof(r) };
	uint32_t fd, fd2;
	uint8_t *b = buffer;

	(void)state;
	test_ioctl_ioas_map_fixed(b + 1, PAGE_SIZE, MOCK_APERTURE_START + 1);
	assert_errno(EADDRINUSE, _test_cmd_create_access(f->ioas_id, &fd,
				 MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES));
	/* ... while one that only copies can. */
	test_cmd_create_access(f->ioas_id, &fd2, 0);
	test_ioctl_ioas_unmap(0, UINT64_MAX);
	test_cmd_create_access(f->ioas_id, &fd, MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);
	r.ioas_id = f->ioas_id;
	assert_errno(EMSGSIZE, xioctl(IOMMU_IOAS_IOVA_RANGES, &r));
	assert_int_equal(r.out_iova_alignment, PAGE_SIZE);
	test_err_ioctl_ioas_map_fixed(EINVAL, b, PAGE_SIZE, MOCK_APERTURE_START + 1);
	test_cmd_destroy_access(fd);
	r.num_iovas = 0;
	assert_errno(EMSGSIZE, xioctl(IOMMU_IOAS_IOVA_RANGES, &r));
	assert_int_equal(r.out_iova_alignment, 1);
	test_cmd_destroy_access(fd2);
	fix_free(f);
}

static void do_access_pin(unsigned int mock_domains)
{
	struct fix *f = fix_new(mock_domains);
	uint32_t fd, item, item2, stdev, hwpt;
	unsigned int npages;

	test_cmd_create_access(f->ioas_id, &fd, MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);
	for (npages = 1; npages < BUFFER_SIZE / PAGE_SIZE; npages++) {
		size_t len = npages * PAGE_SIZE;

		/* Single pin and unpin. */
		test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, MOCK_APERTURE_START);
		test_cmd_access_pages(fd, MOCK_APERTURE_START, len, buffer, &item);
		check_refs(buffer, len, 1);
		test_cmd_destroy_access_pages(fd, item);
		check_refs(buffer, len, mock_domains ? 1 : 0);
		assert_errno(ENOENT, _test_cmd_destroy_access_pages(fd, item));

		/* Two users of the same pages: one pin each page, ids differ. */
		test_cmd_access_pages(fd, MOCK_APERTURE_START, len, buffer, &item);
		test_cmd_access_pages(fd, MOCK_APERTURE_START, len, buffer, &item2);
		assert_int_not_equal(item, item2);
		check_refs(buffer, len, 1);
		test_cmd_destroy_access_pages(fd, item2);
		test_cmd_destroy_access_pages(fd, item);

		/* A domain comes and goes while an access pins. */
		test_cmd_access_pages(fd, MOCK_APERTURE_START, len, buffer, &item);
		test_cmd_mock_domain(f->ioas_id, &stdev, &hwpt, NULL);
		assert_ok(_check_map(hwpt, MOCK_APERTURE_START, buffer, BUFFER_SIZE));
		test_ioctl_destroy(stdev);
		check_refs(buffer, len, 1);
		test_cmd_destroy_access_pages(fd, item);

		test_ioctl_ioas_unmap(MOCK_APERTURE_START, BUFFER_SIZE);
		check_refs(buffer, BUFFER_SIZE, 0);
	}
	test_cmd_destroy_access(fd);
	fix_free(f);
}

static void test_access_pin(void **state)
{
	(void)state;
	do_access_pin(0);
	do_access_pin(1);
}

static void test_access_pin_errors(void **state)
{
	struct fix *f = fix_new(0);
	uint64_t iova = MOCK_APERTURE_START;
	uint8_t *b = buffer;
	uint32_t fd, item;

	(void)state;
	test_cmd_create_access(f->ioas_id, &fd, MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);
	test_ioctl_ioas_map_fixed(buffer, 4 * PAGE_SIZE, iova);
	/* Read-only second mapping right after the first. */
	{
		uint64_t i2 = iova + 4 * PAGE_SIZE;

		assert_ok(_test_ioctl_ioas_map(f->ioas_id, b + 4 * PAGE_SIZE,
					       4 * PAGE_SIZE, &i2,
					       IOMMU_IOAS_MAP_READABLE |
					       IOMMU_IOAS_MAP_FIXED_IOVA));
	}
	assert_errno(ENOMEM, _test_cmd_access_pages(fd, iova, (16u << 20) + 1,
						    NULL, 0, NULL));
	assert_errno(EOPNOTSUPP, _test_cmd_access_pages(fd, iova, PAGE_SIZE,
							NULL, 2, NULL));
	assert_errno(EINVAL, _test_cmd_access_pages(fd, iova, 0, NULL, 0, NULL));
	assert_errno(EOVERFLOW, _test_cmd_access_pages(fd, UINT64_MAX, 2, NULL,
						       0, NULL));
	assert_errno(EINVAL, _test_cmd_access_pages(fd, iova + 1, PAGE_SIZE,
						    NULL, 0, NULL));
	assert_errno(ENOENT, _test_cmd_access_pages(fd, iova - PAGE_SIZE,
						    PAGE_SIZE, NULL, 0, NULL));
	/* Runs past the end: ENOENT and nothing stays pinned. */
	assert_errno(ENOENT, _test_cmd_access_pages(fd, iova, 9 * PAGE_SIZE,
						    NULL, 0, NULL));
	check_refs(buffer, 8 * PAGE_SIZE, 0);
	/* Write pins need a writeable area; reads cross both areas. */
	assert_errno(EPERM, _test_cmd_access_pages(fd, iova, 8 * PAGE_SIZE, NULL,
						   MOCK_FLAGS_ACCESS_WRITE, NULL));
	check_refs(buffer, 8 * PAGE_SIZE, 0);
	assert_ok(_test_cmd_access_pages(fd, iova, 4 * PAGE_SIZE, buffer,
					 MOCK_FLAGS_ACCESS_WRITE, &item));
	test_cmd_destroy_access_pages(fd, item);
	test_cmd_access_pages(fd, iova + PAGE_SIZE, 6 * PAGE_SIZE,
			      b + PAGE_SIZE, &item);
	check_refs(b + PAGE_SIZE, 6 * PAGE_SIZE, 1);
	check_refs(buffer, PAGE_SIZE, 0);
	test_cmd_destroy_access_pages(fd, item);
	/* uptr must name the pages that were pinned. */
	assert_errno(EBADE, _test_cmd_access_pages(fd, iova, PAGE_SIZE,
						   b + PAGE_SIZE, 0, NULL));
	check_refs(buffer, 8 * PAGE_SIZE, 0);
	/* An unpinnable page fails the pin with its errno. */
	test_ioctl_ioas_map_fixed((void *)(uintptr_t)(1ul << 40), PAGE_SIZE,
				  iova + 8 * PAGE_SIZE);
	assert_errno(EFAULT, _test_cmd_access_pages(fd, iova, 9 * PAGE_SIZE,
						    NULL, 0, NULL));
	check_refs(buffer, 8 * PAGE_SIZE, 0);
	fix_free(f);
}

/* Unmapping a pinned range makes the access unpin and forget the item. */
static void test_access_pin_unmap(void **state)
{
	struct fix *f = fix_new(1);
	uint32_t fd, item, item2;
	uint64_t iova;

	(void)state;
	test_cmd_create_access(f->ioas_id, &fd, MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);
	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, MOCK_APERTURE_START);
	test_cmd_access_pages(fd, MOCK_APERTURE_START, BUFFER_SIZE, buffer, &item);
	iova = MOCK_APERTURE_START + BUFFER_SIZE;
	test_ioctl_ioas_map(buffer, PAGE_SIZE, &iova);
	test_cmd_access_pages(fd, iova, PAGE_SIZE, buffer, &item2);
	test_ioctl_ioas_unmap(MOCK_APERTURE_START, BUFFER_SIZE);
	assert_errno(ENOENT, _test_cmd_destroy_access_pages(fd, item));
	/* The item in the other area is untouched. */
	check_refs(buffer, PAGE_SIZE, 1);
	check_refs((uint8_t *)buffer + PAGE_SIZE, BUFFER_SIZE - PAGE_SIZE, 0);
	test_cmd_destroy_access_pages(fd, item2);
	/* Closing the access unpins whatever it still holds. */
	test_cmd_access_pages(fd, iova, PAGE_SIZE, buffer, &item2);
	test_cmd_destroy_access(fd);
	check_refs(buffer, PAGE_SIZE, 1);	/* the domain's */
	test_ioctl_ioas_unmap(iova, PAGE_SIZE);
	check_refs(buffer, PAGE_SIZE, 0);
	fix_free(f);
}

static uint32_t test_rand_state = 1;

static uint16_t test_rand(void)
{
	test_rand_state = test_rand_state * 1103515245u + 12345u;
	return (uint16_t)(test_rand_state >> 16);
}

static void check_access_rw(uint32_t fd, uint64_t iova, uint32_t def_flags)
{
	uint16_t *buffer16 = buffer, tmp[32];
	uint8_t *b = buffer, *tmp2;
	uint64_t a, len;
	size_t i;

	for (i = 0; i != BUFFER_SIZE / sizeof(*buffer16); i++)
		buffer16[i] = test_rand();
	/* Every offset and length around a page boundary, both ways. */
	for (a = iova + PAGE_SIZE - 50; a < iova + PAGE_SIZE + 50; a++) {
		for (len = 1; len < sizeof(tmp); len++) {
			assert_ok(_test_cmd_access_rw(fd, a, tmp, len, def_flags));
			assert_memory_equal(b + (a - iova), tmp, len);
			for (i = 0; i != ARRAY_SIZE(tmp); i++)
				tmp[i] = test_rand();
			assert_ok(_test_cmd_access_rw(fd, a, tmp, len,
						      def_flags | MOCK_ACCESS_RW_WRITE));
			assert_memory_equal(b + (a - iova), tmp, len);
		}
	}
	tmp2 = malloc(BUFFER_SIZE);
	assert_non_null(tmp2);
	assert_ok(_test_cmd_access_rw(fd, iova, tmp2, BUFFER_SIZE, def_flags));
	assert_memory_equal(buffer, tmp2, BUFFER_SIZE);
	free(tmp2);
}

static void test_access_rw(void **state)
{
	struct fix *f = fix_new(0);
	uint8_t *b = buffer, tmp[8] = { 0 };
	uint32_t fd;
	uint64_t iova, ro;

	(void)state;
	test_cmd_create_access(f->ioas_id, &fd, 0);
	iova = MOCK_APERTURE_START;
	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, iova);
	check_access_rw(fd, iova, 0);
	check_access_rw(fd, iova, MOCK_ACCESS_RW_SLOW_PATH);
	/* The slow path works on pinned pages too (a domain pins them). */
	test_cmd_mock_domain(f->ioas_id, &f->stdev_id, NULL, NULL);
	check_access_rw(fd, iova, MOCK_ACCESS_RW_SLOW_PATH);
	test_ioctl_destroy(f->stdev_id);

	assert_errno(EOPNOTSUPP, _test_cmd_access_rw(fd, iova, tmp, 1, 2));
	assert_errno(EINVAL, _test_cmd_access_rw(fd, iova, tmp, 0, 0));
	assert_errno(ENOMEM, _test_cmd_access_rw(fd, iova, tmp, (16u << 20) + 1, 0));
	assert_errno(ENOENT, _test_cmd_access_rw(fd, iova + BUFFER_SIZE - 1, tmp,
						 2, 0));
	assert_errno(EOVERFLOW, _test_cmd_access_rw(fd, UINT64_MAX, tmp, 2, 0));
	assert_errno(EFAULT, _test_cmd_access_rw(fd, iova, NULL, 1, 0));
	assert_errno(EFAULT, _test_cmd_access_rw(fd, iova, NULL, 1,
						 MOCK_ACCESS_RW_WRITE));
	/* Read-only mapping: reads work, writes are EPERM, buffer unchanged. */
	ro = MOCK_APERTURE_START + BUFFER_SIZE;
	assert_ok(_test_ioctl_ioas_map(f->ioas_id, buffer, PAGE_SIZE, &ro,
				       IOMMU_IOAS_MAP_READABLE |
				       IOMMU_IOAS_MAP_FIXED_IOVA));
	assert_ok(_test_cmd_access_rw(fd, ro + 8, tmp, sizeof(tmp), 0));
	assert_memory_equal(b + 8, tmp, sizeof(tmp));
	tmp[0] = (uint8_t)~b[8];
	assert_errno(EPERM, _test_cmd_access_rw(fd, ro + 8, tmp, 1,
						MOCK_ACCESS_RW_WRITE));
	assert_errno(EPERM, _test_cmd_access_rw(fd, ro + 8, tmp, 1,
						MOCK_ACCESS_RW_WRITE |
						MOCK_ACCESS_RW_SLOW_PATH));
	assert_int_not_equal(tmp[0], b[8]);
	test_ioctl_ioas_unmap(ro, PAGE_SIZE);
	test_ioctl_ioas_unmap(iova, BUFFER_SIZE);

	/* Unaligned mapping (only a non-pinning access allows it). */
	iova = MOCK_APERTURE_START + MOCK_PAGE_SIZE;
	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, iova);
	check_access_rw(fd, iova, 0);
	check_access_rw(fd, iova, MOCK_ACCESS_RW_SLOW_PATH);
	test_ioctl_ioas_unmap(iova, BUFFER_SIZE);
	test_cmd_destroy_access(fd);
	fix_free(f);
}

/* The selftest's user_copy: pages pinned by an access, copied to a domain. */
static void test_access_user_copy(void **state)
{
	struct fix *f = fix_new(1);
	struct iommu_ioas_copy copy = {
		.size = sizeof(copy),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE,
		.dst_ioas_id = f->ioas_id, .dst_iova = MOCK_APERTURE_START,
		.length = BUFFER_SIZE,
	};
	uint32_t ioas_id, new_ioas_id, fd, item;
	uint64_t src = 0;

	(void)state;
	test_ioctl_ioas_alloc(&ioas_id);
	assert_ok(_test_ioctl_ioas_map(ioas_id, buffer, BUFFER_SIZE, &src, RW));
	copy.src_iova = src;
	test_cmd_create_access(ioas_id, &fd, MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);
	test_cmd_access_pages(fd, copy.src_iova, BUFFER_SIZE, buffer, &item);
	copy.src_ioas_id = ioas_id;
	assert_ok(xioctl(IOMMU_IOAS_COPY, &copy));
	assert_ok(_check_map(f->hwpt_id, MOCK_APERTURE_START, buffer, BUFFER_SIZE));
	/* Two pages objects pin the buffer now: the access's and the copy's. */
	check_refs(buffer, BUFFER_SIZE, 1);

	/* Replacing the IOAS drops the old pins through the unmap op. */
	test_ioctl_ioas_alloc(&new_ioas_id);
	src = 0;
	assert_ok(_test_ioctl_ioas_map(new_ioas_id, buffer, BUFFER_SIZE, &src, RW));
	copy.src_iova = src;
	assert_ok(_test_cmd_access_replace_ioas(fd, new_ioas_id));
	assert_errno(ENOENT, _test_cmd_destroy_access_pages(fd, item));
	test_ioctl_ioas_unmap(MOCK_APERTURE_START, BUFFER_SIZE);
	check_refs(buffer, BUFFER_SIZE, 0);
	test_ioctl_destroy(ioas_id);

	test_cmd_access_pages(fd, copy.src_iova, BUFFER_SIZE, buffer, &item);
	copy.src_ioas_id = new_ioas_id;
	assert_ok(xioctl(IOMMU_IOAS_COPY, &copy));
	assert_ok(_check_map(f->hwpt_id, MOCK_APERTURE_START, buffer, BUFFER_SIZE));
	test_cmd_destroy_access_pages(fd, item);
	test_cmd_destroy_access(fd);
	test_ioctl_destroy(new_ioas_id);
	fix_free(f);
}

/* A transport that hands out real fds translates them with file ops. */
struct fake_fds {
	struct iommufd_file_ops ops;
	uint32_t handles[8];	/* fd - 100 -> handle + 1 (0: free) */
	int fail_install;
};

static int fake_install(const struct iommufd_file_ops *ops,
			enum iommufd_file_kind kind, uint32_t handle)
{
	struct fake_fds *ff = ops->priv;
	int i;

	assert_int_equal(kind, IOMMUFD_FILE_ACCESS);
	if (ff->fail_install)
		return -EMFILE;
	for (i = 0; i < 8; i++)
		if (!ff->handles[i]) {
			ff->handles[i] = handle + 1;
			return 100 + i;
		}
	return -EMFILE;
}

static void fake_uninstall(const struct iommufd_file_ops *ops, int fd)
{
	struct fake_fds *ff = ops->priv;

	ff->handles[fd - 100] = 0;
}

static int fake_lookup(const struct iommufd_file_ops *ops, int fd,
		       enum iommufd_file_kind kind, uint32_t *handle)
{
	struct fake_fds *ff = ops->priv;

	if (kind != IOMMUFD_FILE_ACCESS || fd < 100 || fd >= 108 ||
	    !ff->handles[fd - 100])
		return -EBADFD;
	*handle = ff->handles[fd - 100] - 1;
	return 0;
}

static void test_access_file_ops(void **state)
{
	struct fix *f = fix_new(0);
	struct fake_fds ff = {
		.ops = { .install = fake_install, .uninstall = fake_uninstall,
			 .lookup = fake_lookup, .priv = &ff },
	};
	uint32_t fd, fd2;
	uint64_t iova;
	uint8_t tmp;

	(void)state;
	iommufd_ctx_set_file_ops(f->ictx, &ff.ops);
	test_ioctl_ioas_map(buffer, PAGE_SIZE, &iova);
	test_cmd_create_access(f->ioas_id, &fd, 0);
	assert_int_equal(fd, 100);
	assert_ok(_test_cmd_access_rw(fd, iova, &tmp, 1, 0));
	/* A failed create gives its fd back. */
	assert_errno(ENOENT, _test_cmd_create_access(99, &fd2, 0));
	assert_int_equal(ff.handles[1], 0);
	ff.fail_install = 1;
	assert_errno(EMFILE, _test_cmd_create_access(f->ioas_id, &fd2, 0));
	ff.fail_install = 0;
	test_cmd_create_access(f->ioas_id, &fd2, 0);
	assert_int_equal(fd2, 101);
	assert_errno(EBADFD, _test_cmd_access_rw(102, iova, &tmp, 1, 0));
	/* The transport closes fd 100: it calls close with the handle. */
	test_cmd_destroy_access(ff.handles[0] - 1);
	ff.handles[0] = 0;
	assert_errno(EBADFD, _test_cmd_access_rw(100, iova, &tmp, 1, 0));
	assert_ok(_test_cmd_access_rw(fd2, iova, &tmp, 1, 0));
	fix_free(f);
}

/*
 * What an injected failure may surface as: the errnos of Linux's
 * fault-injection points (allocations ENOMEM; object lookups and the mock's
 * map ENOENT; pinning user pages EFAULT; reserved regions and the rw page
 * EINVAL). test_fail_sweep.c checks each step's state besides.
 */
static bool injected_errno(int rc)
{
	return rc == -ENOMEM || rc == -ENOENT || rc == -EFAULT || rc == -EINVAL;
}

static int fail_nth_access_sequence(void)
{
	struct iommufd_ctx *ictx = iommufd_ctx_create();
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_ioas_map map = {
		.size = sizeof(map), .flags = RW | IOMMU_IOAS_MAP_FIXED_IOVA,
		.user_va = (uintptr_t)buffer, .length = BUFFER_SIZE,
		.iova = MOCK_APERTURE_START,
	};
	struct iommu_test_cmd ca = {
		.size = sizeof(ca), .op = IOMMU_TEST_OP_CREATE_ACCESS,
		.create_access = { .flags = MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES },
	};
	struct iommu_test_cmd md = { .size = sizeof(md), .op = IOMMU_TEST_OP_MOCK_DOMAIN };
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap), .iova = MOCK_APERTURE_START,
		.length = BUFFER_SIZE,
	};
	uint8_t tmp[64];
	int rc;

	if (IS_ERR(ictx))
		return (int)PTR_ERR(ictx);
	cur = ictx;
	iommufd_ctx_acct(ictx)->limit_pages = UINT64_MAX;
	rc = xioctl(IOMMU_IOAS_ALLOC, &alloc);
	if (rc)
		goto out;
	ca.id = map.ioas_id = md.id = unmap.ioas_id = alloc.out_ioas_id;
	rc = xioctl(IOMMU_IOAS_MAP, &map);
	if (rc)
		goto out;
	rc = xioctl(IOMMU_TEST_CMD, &ca);
	if (rc)
		goto out;
	rc = _test_cmd_access_pages(ca.create_access.out_access_fd,
				    MOCK_APERTURE_START + PAGE_SIZE, 4 * PAGE_SIZE,
				    (uint8_t *)buffer + PAGE_SIZE, 0, NULL);
	if (rc)
		goto out;
	rc = xioctl(IOMMU_TEST_CMD, &md);
	if (rc)
		goto out;
	rc = _test_cmd_access_rw(ca.create_access.out_access_fd,
				 MOCK_APERTURE_START + PAGE_SIZE - 8, tmp,
				 sizeof(tmp), MOCK_ACCESS_RW_SLOW_PATH);
	if (rc)
		goto out;
	rc = xioctl(IOMMU_IOAS_UNMAP, &unmap);
out:
	iommufd_ctx_destroy(ictx);
	cur = NULL;
	return rc;
}

static void test_fail_nth_access(void **state)
{
	unsigned long n;
	int rc;

	(void)state;
	for (n = 1; n < 1000; n++) {
		fault_inject_nth(n);
		rc = fail_nth_access_sequence();
		if (!fault_injected()) {
			fault_inject_nth(0);
			assert_int_equal(rc, 0);
			break;
		}
		if (!injected_errno(rc))
			fail_msg("fail_nth=%lu: rc %d", n, rc);
		assert_int_equal(um_pins, 0);
	}
	fault_inject_nth(0);
	assert_true(n > 5 && n < 1000);
}

/* ---- HW info, HWPT allocation, nesting, replace ---- */

static int _test_ioctl_fault_alloc(uint32_t *id, uint32_t *fd);
static int _test_cmd_trigger_iopf(uint32_t dev_id, uint32_t pasid, uint64_t addr);

static int _test_cmd_get_hw_info(uint32_t dev_id, uint32_t type, void *data,
				 uint32_t len, struct iommu_hw_info *out)
{
	struct iommu_hw_info c = {
		.size = sizeof(c), .dev_id = dev_id, .data_len = len,
		.data_uptr = (uintptr_t)data, .out_data_type = type,
	};
	int rc;

	if (type != IOMMU_HW_INFO_TYPE_NONE)
		c.flags = 1;	/* IOMMU_HW_INFO_FLAG_INPUT_TYPE */
	rc = xioctl(IOMMU_GET_HW_INFO, &c);
	if (out)
		*out = c;
	return rc;
}

static int _test_cmd_mock_domain_flags(uint32_t pt_id, uint32_t flags,
				       uint32_t *stdev, uint32_t *hwpt,
				       uint32_t *idev)
{
	struct iommu_test_cmd c = {
		.size = sizeof(c), .op = IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS, .id = pt_id,
		.mock_domain_flags = { .dev_flags = flags },
	};
	int rc = xioctl(IOMMU_TEST_CMD, &c);

	if (rc)
		return rc;
	if (stdev)
		*stdev = c.mock_domain_flags.out_stdev_id;
	if (hwpt)
		*hwpt = c.mock_domain_flags.out_hwpt_id;
	if (idev)
		*idev = c.mock_domain_flags.out_idev_id;
	return 0;
}

static int _test_cmd_mock_domain_replace(uint32_t stdev, uint32_t pt_id,
					 uint32_t *out_hwpt)
{
	struct iommu_test_cmd c = {
		.size = sizeof(c), .op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, .id = stdev,
		.mock_domain_replace = { .pt_id = pt_id },
	};
	int rc = xioctl(IOMMU_TEST_CMD, &c);

	if (!rc && out_hwpt)
		*out_hwpt = c.mock_domain_replace.pt_id;
	return rc;
}

static int _test_cmd_hwpt_alloc(uint32_t dev, uint32_t pt, uint32_t flags,
				uint32_t *out, uint32_t type, void *data,
				uint32_t len)
{
	struct iommu_hwpt_alloc c = {
		.size = sizeof(c), .flags = flags, .dev_id = dev, .pt_id = pt,
		.data_type = type, .data_len = len, .data_uptr = (uintptr_t)data,
	};
	int rc = xioctl(IOMMU_HWPT_ALLOC, &c);

	if (!rc)
		*out = c.out_hwpt_id;
	return rc;
}

static int _test_cmd_hwpt_invalidate(uint32_t hwpt, void *reqs, uint32_t type,
				     uint32_t len, uint32_t *num)
{
	struct iommu_hwpt_invalidate c = {
		.size = sizeof(c), .hwpt_id = hwpt, .data_uptr = (uintptr_t)reqs,
		.data_type = type, .entry_len = len, .entry_num = *num,
	};
	int rc = xioctl(IOMMU_HWPT_INVALIDATE, &c);

	*num = c.entry_num;
	return rc;
}

static int _test_cmd_check_iotlb(uint32_t hwpt, uint32_t id, uint32_t val)
{
	struct iommu_test_cmd c = {
		.size = sizeof(c), .op = IOMMU_TEST_OP_MD_CHECK_IOTLB, .id = hwpt,
		.check_iotlb = { .id = id, .iotlb = val },
	};

	return xioctl(IOMMU_TEST_CMD, &c);
}

static void check_iotlb_all(uint32_t hwpt, uint32_t val)
{
	uint32_t i;

	for (i = 0; i < MOCK_NESTED_DOMAIN_IOTLB_NUM; i++)
		assert_ok(_test_cmd_check_iotlb(hwpt, i, val));
}

static void test_get_hw_info(void **state)
{
	struct fix *f = fix_new(1);
	struct {
		struct iommu_test_hw_info info;
		uint64_t trailing;
	} big;
	struct iommu_test_hw_info exact;
	struct iommu_hw_info out;
	uint32_t pasid_dev, nodirty_dev;

	(void)state;
	assert_errno(ENOENT, _test_cmd_get_hw_info(0, 0, &exact, sizeof(exact), NULL));
	assert_errno(ENOENT, _test_cmd_get_hw_info(f->ioas_id, 0, &exact,
						   sizeof(exact), NULL));
	/* Zero-sized buffer: only the length the kernel has comes back. */
	assert_ok(_test_cmd_get_hw_info(f->device_id, 0, NULL, 0, &out));
	assert_int_equal(out.out_data_type, IOMMU_HW_INFO_TYPE_SELFTEST);
	assert_int_equal(out.data_len, sizeof(struct iommu_test_hw_info));
	assert_int_equal(out.out_capabilities, IOMMU_HW_CAP_DIRTY_TRACKING);
	assert_int_equal(out.out_max_pasid_log2, 0);

	memset(&exact, 0xff, sizeof(exact));
	assert_ok(_test_cmd_get_hw_info(f->device_id, 0, &exact, sizeof(exact), NULL));
	assert_int_equal(exact.test_reg, IOMMU_HW_INFO_SELFTEST_REGVAL);
	assert_int_equal(exact.flags, 0);
	assert_errno(EOPNOTSUPP, _test_cmd_get_hw_info(f->device_id,
				IOMMU_HW_INFO_TYPE_SELFTEST + 1, &exact,
				sizeof(exact), NULL));
	assert_ok(_test_cmd_get_hw_info(f->device_id, IOMMU_HW_INFO_TYPE_SELFTEST,
					&exact, sizeof(exact), NULL));
	/* A larger buffer has its tail zeroed. */
	memset(&big, 0xff, sizeof(big));
	assert_ok(_test_cmd_get_hw_info(f->device_id, 0, &big, sizeof(big), &out));
	assert_int_equal(big.trailing, 0);
	assert_int_equal(big.info.test_reg, IOMMU_HW_INFO_SELFTEST_REGVAL);
	assert_int_equal(out.data_len, sizeof(exact));
	/* A smaller one gets the fields that fit, nothing beyond. */
	memset(&exact, 0xff, sizeof(exact));
	assert_ok(_test_cmd_get_hw_info(f->device_id, 0, &exact, 4, NULL));
	assert_int_equal(exact.flags, 0);
	assert_int_equal(exact.test_reg, 0xffffffff);
	assert_errno(EFAULT, _test_cmd_get_hw_info(f->device_id, 0, NULL,
						   sizeof(exact), NULL));
	{
		struct iommu_hw_info c = { .size = sizeof(c), .dev_id = f->device_id,
					   .flags = 2 };

		assert_errno(EOPNOTSUPP, xioctl(IOMMU_GET_HW_INFO, &c));
		c.flags = 0;
		c.__reserved[1] = 1;
		assert_errno(EOPNOTSUPP, xioctl(IOMMU_GET_HW_INFO, &c));
	}
	/* Device flags: PASID width and no dirty tracking. */
	assert_errno(EINVAL, _test_cmd_mock_domain_flags(f->ioas_id, 1u << 5, NULL,
							 NULL, NULL));
	assert_ok(_test_cmd_mock_domain_flags(f->ioas_id, MOCK_FLAGS_DEVICE_PASID,
					      NULL, NULL, &pasid_dev));
	assert_ok(_test_cmd_get_hw_info(pasid_dev, 0, NULL, 0, &out));
	assert_int_equal(out.out_max_pasid_log2, MOCK_PASID_WIDTH);
	assert_ok(_test_cmd_mock_domain_flags(f->ioas_id, MOCK_FLAGS_DEVICE_NO_DIRTY,
					      NULL, NULL, &nodirty_dev));
	assert_ok(_test_cmd_get_hw_info(nodirty_dev, 0, NULL, 0, &out));
	assert_int_equal(out.out_capabilities, 0);
	fix_free(f);
}

static void test_hwpt_alloc_paging(void **state)
{
	struct fix *f = fix_new(1);
	uint32_t hwpt, hwpt_dirty, stdev, nodirty_stdev, nodirty_dev, got;
	uint64_t iova;

	(void)state;
	assert_errno(ENOENT, _test_cmd_hwpt_alloc(f->ioas_id, f->ioas_id, 0, &hwpt,
						  0, NULL, 0));
	assert_errno(EINVAL, _test_cmd_hwpt_alloc(f->device_id, f->device_id, 0,
						  &hwpt, 0, NULL, 0));
	assert_errno(EINVAL, _test_cmd_hwpt_alloc(f->device_id, 99, 0, &hwpt, 0,
						  NULL, 0));
	assert_errno(EOPNOTSUPP, _test_cmd_hwpt_alloc(f->device_id, f->ioas_id,
						      1u << 7, &hwpt, 0, NULL, 0));
	assert_errno(EOPNOTSUPP, _test_cmd_hwpt_alloc(f->device_id, f->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT |
				IOMMU_HWPT_FAULT_ID_VALID, &hwpt, 0, NULL, 0));
	assert_errno(EINVAL, _test_cmd_hwpt_alloc(f->device_id, f->ioas_id, 0,
						  &hwpt, 0, &got, 4));
	assert_errno(EINVAL, _test_cmd_hwpt_alloc(f->device_id, f->ioas_id, 0,
						  &hwpt, IOMMU_HWPT_DATA_SELFTEST,
						  &got, 0));
	/* Paging domains take no driver data. */
	assert_errno(EOPNOTSUPP, _test_cmd_hwpt_alloc(f->device_id, f->ioas_id, 0,
						      &hwpt, IOMMU_HWPT_DATA_SELFTEST,
						      &got, 4));
	{
		struct iommu_hwpt_alloc c = {
			.size = sizeof(c), .dev_id = f->device_id,
			.pt_id = f->ioas_id, .__reserved = 1,
		};

		assert_errno(EOPNOTSUPP, xioctl(IOMMU_HWPT_ALLOC, &c));
	}

	/* A user HWPT is filled with the IOAS and holds it. */
	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, MOCK_APERTURE_START);
	assert_ok(_test_cmd_hwpt_alloc(f->device_id, f->ioas_id, 0, &hwpt, 0,
				       NULL, 0));
	assert_ok(_check_map(hwpt, MOCK_APERTURE_START, buffer, BUFFER_SIZE));
	/* A device may attach to it directly and then replace it away. */
	test_cmd_mock_domain(hwpt, &stdev, &got, NULL);
	assert_int_equal(got, hwpt);
	assert_errno(EBUSY, _test_ioctl_destroy(hwpt));
	assert_ok(_test_cmd_mock_domain_replace(stdev, f->ioas_id, &got));
	assert_int_not_equal(got, hwpt);
	assert_ok(_check_map(stdev, MOCK_APERTURE_START, buffer, BUFFER_SIZE));
	/* Not an auto HWPT: it survives its last device leaving. */
	assert_ok(_check_map(hwpt, MOCK_APERTURE_START, buffer, BUFFER_SIZE));
	test_ioctl_destroy(hwpt);

	/* Dirty tracking domains refuse devices that cannot track. */
	assert_ok(_test_cmd_mock_domain_flags(f->ioas_id, MOCK_FLAGS_DEVICE_NO_DIRTY,
					      &nodirty_stdev, NULL, &nodirty_dev));
	assert_errno(EOPNOTSUPP, _test_cmd_hwpt_alloc(nodirty_dev, f->ioas_id,
				IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &hwpt, 0, NULL, 0));
	assert_ok(_test_cmd_hwpt_alloc(f->device_id, f->ioas_id,
				       IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &hwpt_dirty,
				       0, NULL, 0));
	assert_errno(EINVAL, _test_cmd_mock_domain_flags(hwpt_dirty,
				MOCK_FLAGS_DEVICE_NO_DIRTY, NULL, NULL, NULL));
	assert_errno(EINVAL, _test_cmd_mock_domain_replace(nodirty_stdev,
							   hwpt_dirty, NULL));
	assert_ok(_test_cmd_mock_domain_replace(f->stdev_id, hwpt_dirty, NULL));
	test_ioctl_ioas_unmap(MOCK_APERTURE_START, BUFFER_SIZE);
	check_refs(buffer, BUFFER_SIZE, 0);
	iova = MOCK_APERTURE_START;
	test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE, iova);
	assert_ok(_check_map(hwpt_dirty, iova, buffer, PAGE_SIZE));
	fix_free(f);
}

static void test_mock_domain_replace(void **state)
{
	struct fix *f = fix_new(1);
	uint32_t ioas2, hwpt_b, stdev_b, got, old = f->hwpt_id;

	(void)state;
	test_ioctl_ioas_alloc(&ioas2);
	assert_errno(ENOENT, _test_cmd_mock_domain_replace(99, ioas2, NULL));
	assert_errno(ENOENT, _test_cmd_mock_domain_replace(f->ioas_id, ioas2, NULL));
	assert_errno(ENOENT, _test_cmd_mock_domain_replace(f->stdev_id, 99, NULL));
	assert_errno(EINVAL, _test_cmd_mock_domain_replace(f->stdev_id,
							   f->stdev_id, NULL));
	/* Replacing with the same IOAS keeps the automatic HWPT. */
	assert_ok(_test_cmd_mock_domain_replace(f->stdev_id, f->ioas_id, &got));
	assert_int_equal(got, old);
	/* Moving to another IOAS frees the old automatic HWPT. */
	assert_ok(_test_cmd_mock_domain_replace(f->stdev_id, ioas2, &got));
	assert_int_not_equal(got, old);
	assert_errno(ENOENT, _test_cmd_mock_domain_replace(f->stdev_id, old, NULL));
	assert_errno(EBUSY, _test_ioctl_destroy(ioas2));
	assert_ok(_test_cmd_mock_domain_replace(f->stdev_id, ioas2, &got));
	/* Between two HWPTs, twice and back. */
	test_cmd_mock_domain(f->ioas_id, &stdev_b, &hwpt_b, NULL);
	assert_ok(_test_cmd_mock_domain_replace(f->stdev_id, hwpt_b, &got));
	assert_int_equal(got, hwpt_b);
	assert_ok(_test_cmd_mock_domain_replace(f->stdev_id, hwpt_b, NULL));
	test_ioctl_destroy(stdev_b);
	/* hwpt_b lives on while stdev_id uses it. */
	assert_ok(_check_map(hwpt_b, MOCK_APERTURE_START, buffer, 0));
	/* hwpt_b is an automatic HWPT of ioas_id: asking for it keeps it. */
	assert_ok(_test_cmd_mock_domain_replace(f->stdev_id, f->ioas_id, &got));
	assert_int_equal(got, hwpt_b);
	/* Leaving it for another IOAS frees it. */
	assert_ok(_test_cmd_mock_domain_replace(f->stdev_id, ioas2, &got));
	assert_errno(ENOENT, _check_map(hwpt_b, MOCK_APERTURE_START, buffer, 0));
	assert_ok(_test_cmd_mock_domain_replace(f->stdev_id, f->ioas_id, &got));
	test_ioctl_destroy(ioas2);
	fix_free(f);
}

static void test_hwpt_nested(void **state)
{
	struct fix *f = fix_new(1);
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_hwpt_invalidate_selftest inv[2] = { { 0 } };
	struct {
		struct iommu_hwpt_selftest d;
		uint32_t extra;
	} big = { .d = data, .extra = 1 };
	uint32_t parent, plain, nested[2], tmp, num;

	(void)state;
	assert_ok(_test_cmd_hwpt_alloc(f->device_id, f->ioas_id,
				       IOMMU_HWPT_ALLOC_NEST_PARENT, &parent, 0,
				       NULL, 0));
	assert_ok(_test_cmd_hwpt_alloc(f->device_id, f->ioas_id, 0, &plain, 0,
				       NULL, 0));
	assert_errno(EINVAL, _test_cmd_hwpt_alloc(f->device_id, parent, 0, &tmp,
						  IOMMU_HWPT_DATA_NONE, &data,
						  sizeof(data)));
	assert_errno(EOPNOTSUPP, _test_cmd_hwpt_alloc(f->device_id, parent, 0, &tmp,
						      IOMMU_HWPT_DATA_SELFTEST + 1,
						      &data, sizeof(data)));
	assert_errno(EINVAL, _test_cmd_hwpt_alloc(f->device_id, parent, 0, &tmp,
						  IOMMU_HWPT_DATA_SELFTEST, &data,
						  sizeof(data) - 1));
	assert_errno(EINVAL, _test_cmd_hwpt_alloc(f->device_id, parent, 0, &tmp,
						  IOMMU_HWPT_DATA_SELFTEST, &big,
						  sizeof(big)));
	assert_errno(EFAULT, _test_cmd_hwpt_alloc(f->device_id, parent, 0, &tmp,
						  IOMMU_HWPT_DATA_SELFTEST, NULL,
						  sizeof(data)));
	assert_errno(EOPNOTSUPP, _test_cmd_hwpt_alloc(f->device_id, parent,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &tmp,
				IOMMU_HWPT_DATA_SELFTEST, &data, sizeof(data)));
	assert_errno(EINVAL, _test_cmd_hwpt_alloc(f->device_id, plain, 0, &tmp,
						  IOMMU_HWPT_DATA_SELFTEST, &data,
						  sizeof(data)));
	assert_errno(EINVAL, _test_cmd_hwpt_alloc(f->device_id, f->hwpt_id, 0, &tmp,
						  IOMMU_HWPT_DATA_SELFTEST, &data,
						  sizeof(data)));
	assert_ok(_test_cmd_hwpt_alloc(f->device_id, parent, 0, &nested[0],
				       IOMMU_HWPT_DATA_SELFTEST, &data,
				       sizeof(data)));
	assert_ok(_test_cmd_hwpt_alloc(f->device_id, parent, 0, &nested[1],
				       IOMMU_HWPT_DATA_SELFTEST, &data,
				       sizeof(data)));
	/* The fault ID must name a fault queue. */
	assert_errno(ENOENT, _test_cmd_hwpt_alloc(f->device_id, parent,
				IOMMU_HWPT_FAULT_ID_VALID, &tmp,
				IOMMU_HWPT_DATA_SELFTEST, &data, sizeof(data)));
	check_iotlb_all(nested[0], IOMMU_TEST_IOTLB_DEFAULT);
	check_iotlb_all(nested[1], IOMMU_TEST_IOTLB_DEFAULT);
	assert_errno(EINVAL, _test_cmd_check_iotlb(nested[0], 0, 0));
	assert_errno(EINVAL, _test_cmd_check_iotlb(nested[0],
				MOCK_NESTED_DOMAIN_IOTLB_ID_MAX + 1,
				IOMMU_TEST_IOTLB_DEFAULT));
	assert_errno(ENOENT, _test_cmd_check_iotlb(parent, 0, 0));
	assert_errno(EINVAL, _test_cmd_hwpt_alloc(f->device_id, nested[0], 0, &tmp,
						  IOMMU_HWPT_DATA_SELFTEST, &data,
						  sizeof(data)));
	assert_errno(EBUSY, _test_ioctl_destroy(parent));
	/* Nested domains have no IOVA map to check. */
	assert_errno(EINVAL, _check_map(nested[0], MOCK_APERTURE_START, buffer, 0));

	/* Invalidation: argument rules, each reporting entries handled. */
	num = 1;
	assert_errno(ENOENT, _test_cmd_hwpt_invalidate(parent, inv,
			IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, sizeof(*inv), &num));
	assert_int_equal(num, 0);
	num = 0;
	assert_ok(_test_cmd_hwpt_invalidate(nested[0], inv,
			IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, sizeof(*inv), &num));
	assert_int_equal(num, 0);
	num = 0;
	assert_errno(EINVAL, _test_cmd_hwpt_invalidate(nested[0], inv,
			IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID,
			sizeof(*inv), &num));
	num = 1;
	assert_errno(EINVAL, _test_cmd_hwpt_invalidate(nested[0], inv,
			IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID,
			sizeof(*inv), &num));
	assert_int_equal(num, 0);
	num = 1;
	assert_errno(EINVAL, _test_cmd_hwpt_invalidate(nested[0], inv,
			IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, sizeof(*inv) + 1, &num));
	assert_int_equal(num, 0);
	num = 1;
	assert_errno(EINVAL, _test_cmd_hwpt_invalidate(nested[0], inv,
			IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, 1, &num));
	num = 1;
	assert_errno(EINVAL, _test_cmd_hwpt_invalidate(nested[0], NULL,
			IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, sizeof(*inv), &num));
	num = 1;
	assert_errno(EINVAL, _test_cmd_hwpt_invalidate(nested[0], inv,
			IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, 0, &num));
	num = 1;
	inv[0].flags = 0xffffffff;
	assert_errno(EOPNOTSUPP, _test_cmd_hwpt_invalidate(nested[0], inv,
			IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, sizeof(*inv), &num));
	assert_int_equal(num, 0);
	check_iotlb_all(nested[0], IOMMU_TEST_IOTLB_DEFAULT);
	/* The first entry is done, the second fails. */
	num = 2;
	inv[0].flags = 0;
	inv[0].iotlb_id = 0;
	inv[1].flags = 0;
	inv[1].iotlb_id = MOCK_NESTED_DOMAIN_IOTLB_ID_MAX + 1;
	assert_errno(EINVAL, _test_cmd_hwpt_invalidate(nested[0], inv,
			IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, sizeof(*inv), &num));
	assert_int_equal(num, 1);
	assert_ok(_test_cmd_check_iotlb(nested[0], 0, 0));
	assert_ok(_test_cmd_check_iotlb(nested[0], 1, IOMMU_TEST_IOTLB_DEFAULT));
	num = 2;
	inv[0].iotlb_id = 2;
	inv[1].iotlb_id = 3;
	assert_ok(_test_cmd_hwpt_invalidate(nested[0], inv,
			IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, sizeof(*inv), &num));
	assert_int_equal(num, 2);
	assert_ok(_test_cmd_check_iotlb(nested[0], 1, IOMMU_TEST_IOTLB_DEFAULT));
	assert_ok(_test_cmd_check_iotlb(nested[0], 3, 0));
	num = 1;
	inv[0].flags = IOMMU_TEST_INVALIDATE_FLAG_ALL;
	inv[0].iotlb_id = 0xffff;	/* checked even with FLAG_ALL */
	assert_errno(EINVAL, _test_cmd_hwpt_invalidate(nested[1], inv,
			IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, sizeof(*inv), &num));
	inv[0].iotlb_id = 0;
	num = 1;
	assert_ok(_test_cmd_hwpt_invalidate(nested[1], inv,
			IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, sizeof(*inv), &num));
	check_iotlb_all(nested[1], 0);

	/* Attach, switch and detach, with the busy rules. */
	assert_ok(_test_cmd_mock_domain_replace(f->stdev_id, nested[0], NULL));
	assert_errno(EBUSY, _test_ioctl_destroy(nested[0]));
	assert_ok(_test_cmd_mock_domain_replace(f->stdev_id, nested[1], NULL));
	assert_errno(EBUSY, _test_ioctl_destroy(nested[1]));
	test_ioctl_destroy(nested[0]);
	assert_ok(_test_cmd_mock_domain_replace(f->stdev_id, parent, NULL));
	test_ioctl_destroy(nested[1]);
	assert_ok(_test_cmd_mock_domain_replace(f->stdev_id, f->ioas_id, NULL));
	test_ioctl_destroy(parent);
	test_ioctl_destroy(plain);
	fix_free(f);
}

static int fail_nth_hwpt_sequence(void)
{
	struct iommufd_ctx *ictx = iommufd_ctx_create();
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_hwpt_invalidate_selftest inv = { 0 };
	uint32_t ioas, stdev, idev, parent, nested, num = 1, fault_id, fault_fd;
	struct iommu_hwpt_alloc fa = {
		.size = sizeof(fa), .flags = IOMMU_HWPT_FAULT_ID_VALID,
		.data_type = IOMMU_HWPT_DATA_SELFTEST, .data_len = sizeof(data),
		.data_uptr = (uintptr_t)&data,
	};
	struct iommu_hwpt_page_response resp = { 0 };
	struct iommu_hwpt_pgfault msg;
	uint64_t iova = MOCK_APERTURE_START;
	int rc;

	if (IS_ERR(ictx))
		return (int)PTR_ERR(ictx);
	cur = ictx;
	iommufd_ctx_acct(ictx)->limit_pages = UINT64_MAX;
	rc = _test_ioctl_ioas_alloc(&ioas);
	if (rc)
		goto out;
	rc = _test_ioctl_ioas_map(ioas, buffer, BUFFER_SIZE, &iova,
				  RW | IOMMU_IOAS_MAP_FIXED_IOVA);
	if (rc)
		goto out;
	rc = _test_cmd_mock_domain(ioas, &stdev, NULL, &idev);
	if (rc)
		goto out;
	rc = _test_cmd_hwpt_alloc(idev, ioas, IOMMU_HWPT_ALLOC_NEST_PARENT,
				  &parent, 0, NULL, 0);
	if (rc)
		goto out;
	rc = _test_cmd_hwpt_alloc(idev, parent, 0, &nested,
				  IOMMU_HWPT_DATA_SELFTEST, &data, sizeof(data));
	if (rc)
		goto out;
	rc = _test_cmd_mock_domain_replace(stdev, nested, NULL);
	if (rc)
		goto out;
	rc = _test_cmd_hwpt_invalidate(nested, &inv,
			IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, sizeof(inv), &num);
	if (rc)
		goto out;
	rc = _test_ioctl_fault_alloc(&fault_id, &fault_fd);
	if (rc)
		goto out;
	fa.dev_id = idev;
	fa.pt_id = parent;
	fa.fault_id = fault_id;
	rc = xioctl(IOMMU_HWPT_ALLOC, &fa);
	if (rc)
		goto out;
	rc = _test_cmd_mock_domain_replace(stdev, fa.out_hwpt_id, NULL);
	if (rc)
		goto out;
	rc = _test_cmd_trigger_iopf(idev, 1, 0x1000);
	if (rc)
		goto out;
	if (iommufd_fault_read(ictx, fault_fd, (uintptr_t)&msg, sizeof(msg), &um) !=
	    sizeof(msg)) {
		rc = -EIO;
		goto out;
	}
	resp.cookie = msg.cookie;
	if (iommufd_fault_write(ictx, fault_fd, (uintptr_t)&resp, sizeof(resp),
				&um) != sizeof(resp)) {
		rc = -EIO;
		goto out;
	}
	rc = _test_cmd_trigger_iopf(idev, 1, 0x2000);
	if (rc)
		goto out;
	rc = _test_cmd_mock_domain_replace(stdev, ioas, NULL);
out:
	iommufd_ctx_destroy(ictx);
	cur = NULL;
	return rc;
}

static void test_fail_nth_hwpt(void **state)
{
	unsigned long n;
	int rc;

	(void)state;
	for (n = 1; n < 1000; n++) {
		fault_inject_nth(n);
		rc = fail_nth_hwpt_sequence();
		if (!fault_injected()) {
			fault_inject_nth(0);
			assert_int_equal(rc, 0);
			break;
		}
		if (!injected_errno(rc))
			fail_msg("fail_nth=%lu: rc %d", n, rc);
		assert_int_equal(um_pins, 0);
	}
	fault_inject_nth(0);
	assert_true(n > 5 && n < 1000);
}

/* ---- dirty tracking ---- */

static int _test_cmd_set_dirty_tracking(uint32_t hwpt, uint32_t flags)
{
	struct iommu_hwpt_set_dirty_tracking c = {
		.size = sizeof(c), .flags = flags, .hwpt_id = hwpt,
	};

	return xioctl(IOMMU_HWPT_SET_DIRTY_TRACKING, &c);
}

static int _test_cmd_mark_dirty(uint32_t hwpt, uint64_t iova, uint64_t len,
				uint64_t page_size, void *bitmap, uint64_t *nr)
{
	struct iommu_test_cmd c = {
		.size = sizeof(c), .op = IOMMU_TEST_OP_DIRTY, .id = hwpt,
		.dirty = { .iova = iova, .length = len, .page_size = page_size,
			   .uptr = (uintptr_t)bitmap },
	};
	int rc = xioctl(IOMMU_TEST_CMD, &c);

	if (!rc && nr)
		*nr = c.dirty.out_nr_dirty;
	return rc;
}

static int _test_cmd_get_dirty_bitmap(uint32_t hwpt, uint64_t iova, uint64_t len,
				      uint64_t page_size, void *bitmap,
				      uint32_t flags)
{
	struct iommu_hwpt_get_dirty_bitmap c = {
		.size = sizeof(c), .hwpt_id = hwpt, .flags = flags, .iova = iova,
		.length = len, .page_size = page_size, .data = (uintptr_t)bitmap,
	};

	return xioctl(IOMMU_HWPT_GET_DIRTY_BITMAP, &c);
}

static bool bit_test(const uint8_t *b, uint64_t i)
{
	return b[i / 8] & (1u << (i % 8));
}

/*
 * The selftest's test_mock_dirty_bitmaps(): dirty every pteset-th page
 * through the mock device, read the bitmap (a whole IOPTE of bits per dirty
 * page), then read again: empty, or the same with NO_CLEAR.
 */
static void check_dirty_bitmaps(uint32_t hwpt, uint64_t length, uint64_t iova,
				uint64_t page_size, uint64_t pte_size,
				uint8_t *bitmap, uint64_t nbits, uint32_t flags)
{
	uint64_t npte = pte_size / page_size, pteset = 2 * npte;
	uint64_t nr = nbits / pteset ? nbits / pteset : 1, out = 0, i, j;
	size_t nbytes = (nbits + 7) / 8;

	memset(bitmap, 0, nbytes);
	for (i = 0; i < nbits; i += pteset)
		bitmap[i / 8] |= (uint8_t)(1u << (i % 8));
	assert_ok(_test_cmd_mark_dirty(hwpt, iova, length, page_size, bitmap, &out));
	assert_int_equal(out, nr);

	memset(bitmap, 0, nbytes);
	assert_ok(_test_cmd_get_dirty_bitmap(hwpt, iova, length, page_size, bitmap,
					     flags));
	for (i = 0; i < nbits; i += pteset)
		for (j = 0; j < pteset; j++)
			assert_int_equal(j < npte, bit_test(bitmap, i + j));

	memset(bitmap, 0, nbytes);
	assert_ok(_test_cmd_get_dirty_bitmap(hwpt, iova, length, page_size, bitmap,
					     flags));
	for (i = 0; i < nbits; i += pteset)
		for (j = 0; j < pteset; j++)
			assert_int_equal((j < npte) &&
					 (flags & IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR),
					 bit_test(bitmap, i + j));
}

static void test_dirty_tracking(void **state)
{
	struct fix *f = fix_new(1);
	static uint8_t bitmap[64 + 0x10];
	uint32_t hwpt, plain, ioas2, stdev;
	uint64_t nbits = BUFFER_SIZE / MOCK_PAGE_SIZE;

	(void)state;
	test_ioctl_ioas_alloc(&ioas2);
	assert_ok(_test_ioctl_ioas_map(ioas2, buffer, BUFFER_SIZE,
				       &(uint64_t){ MOCK_APERTURE_START },
				       RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	assert_ok(_test_cmd_hwpt_alloc(f->device_id, ioas2,
				       IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &hwpt, 0,
				       NULL, 0));
	assert_ok(_test_cmd_hwpt_alloc(f->device_id, ioas2, 0, &plain, 0, NULL, 0));
	test_cmd_mock_domain(hwpt, &stdev, NULL, NULL);

	/* SET_DIRTY_TRACKING rules. */
	assert_errno(EOPNOTSUPP, _test_cmd_set_dirty_tracking(hwpt, 2));
	assert_errno(ENOENT, _test_cmd_set_dirty_tracking(ioas2, 1));
	assert_errno(EOPNOTSUPP, _test_cmd_set_dirty_tracking(plain, 1));
	/* Nothing to read or mark before tracking is on. */
	assert_errno(EINVAL, _test_cmd_mark_dirty(hwpt, MOCK_APERTURE_START,
						  BUFFER_SIZE, MOCK_PAGE_SIZE,
						  bitmap, NULL));
	assert_errno(EINVAL, _test_cmd_get_dirty_bitmap(hwpt, MOCK_APERTURE_START,
							BUFFER_SIZE, MOCK_PAGE_SIZE,
							bitmap, 0));
	assert_ok(_test_cmd_set_dirty_tracking(hwpt, 1));
	assert_ok(_test_cmd_set_dirty_tracking(hwpt, 1));

	/* TEST_OP_DIRTY argument checks. */
	assert_errno(EINVAL, _test_cmd_mark_dirty(hwpt, MOCK_APERTURE_START,
						  BUFFER_SIZE, 0, bitmap, NULL));
	assert_errno(EINVAL, _test_cmd_mark_dirty(hwpt, MOCK_APERTURE_START + 1,
						  BUFFER_SIZE, MOCK_PAGE_SIZE,
						  bitmap, NULL));
	assert_errno(EINVAL, _test_cmd_mark_dirty(hwpt, MOCK_APERTURE_START,
						  BUFFER_SIZE, MOCK_PAGE_SIZE,
						  NULL, NULL));
	assert_errno(ENOENT, _test_cmd_mark_dirty(ioas2, MOCK_APERTURE_START,
						  BUFFER_SIZE, MOCK_PAGE_SIZE,
						  bitmap, NULL));

	/* GET_DIRTY_BITMAP argument checks. */
	assert_errno(EOPNOTSUPP, _test_cmd_get_dirty_bitmap(hwpt, MOCK_APERTURE_START,
				BUFFER_SIZE, MOCK_PAGE_SIZE, bitmap, 2));
	assert_errno(ENOENT, _test_cmd_get_dirty_bitmap(ioas2, MOCK_APERTURE_START,
				BUFFER_SIZE, MOCK_PAGE_SIZE, bitmap, 0));
	assert_errno(EOPNOTSUPP, _test_cmd_get_dirty_bitmap(plain,
				MOCK_APERTURE_START, BUFFER_SIZE, MOCK_PAGE_SIZE,
				bitmap, 0));
	assert_errno(EINVAL, _test_cmd_get_dirty_bitmap(hwpt, MOCK_APERTURE_START,
				BUFFER_SIZE, 0, bitmap, 0));
	assert_errno(EINVAL, _test_cmd_get_dirty_bitmap(hwpt,
				MOCK_APERTURE_START + MOCK_PAGE_SIZE / 2,
				BUFFER_SIZE, MOCK_PAGE_SIZE, bitmap, 0));
	assert_errno(EINVAL, _test_cmd_get_dirty_bitmap(hwpt, MOCK_APERTURE_START,
				BUFFER_SIZE, 2 * BUFFER_SIZE, bitmap, 0));
	assert_errno(EOVERFLOW, _test_cmd_get_dirty_bitmap(hwpt, UINT64_MAX - 1,
				4, MOCK_PAGE_SIZE, bitmap, 0));
	/* Past the mapped range. */
	assert_errno(EINVAL, _test_cmd_get_dirty_bitmap(hwpt, MOCK_APERTURE_START,
				2 * BUFFER_SIZE, MOCK_PAGE_SIZE, bitmap, 0));
	assert_errno(EFAULT, _test_cmd_get_dirty_bitmap(hwpt, MOCK_APERTURE_START,
				BUFFER_SIZE, MOCK_PAGE_SIZE, NULL, 0));

	check_dirty_bitmaps(hwpt, BUFFER_SIZE, MOCK_APERTURE_START, MOCK_PAGE_SIZE,
			    MOCK_PAGE_SIZE, bitmap, nbits, 0);
	check_dirty_bitmaps(hwpt, BUFFER_SIZE, MOCK_APERTURE_START, MOCK_PAGE_SIZE,
			    MOCK_PAGE_SIZE, bitmap + 0xf, nbits, 0);
	check_dirty_bitmaps(hwpt, BUFFER_SIZE, MOCK_APERTURE_START, MOCK_PAGE_SIZE,
			    MOCK_PAGE_SIZE, bitmap + 1, nbits,
			    IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR);
	/* A coarser bitmap: one bit per CPU page (after a clearing read). */
	assert_ok(_test_cmd_get_dirty_bitmap(hwpt, MOCK_APERTURE_START, BUFFER_SIZE,
					     MOCK_PAGE_SIZE, bitmap, 0));
	memset(bitmap, 0, sizeof(bitmap));
	bitmap[0] = 1u << 3;	/* mock page 3: second half of CPU page 1 */
	assert_ok(_test_cmd_mark_dirty(hwpt, MOCK_APERTURE_START, BUFFER_SIZE,
				       MOCK_PAGE_SIZE, bitmap, NULL));
	bitmap[0] = 0x80;	/* already set bits stay set */
	assert_ok(_test_cmd_get_dirty_bitmap(hwpt, MOCK_APERTURE_START, BUFFER_SIZE,
					     PAGE_SIZE, bitmap, 0));
	assert_int_equal(bitmap[0], 0x82);
	assert_int_equal(bitmap[1], 0);

	/* Enabling starts from a clean slate. */
	bitmap[0] = 1;
	assert_ok(_test_cmd_mark_dirty(hwpt, MOCK_APERTURE_START, BUFFER_SIZE,
				       MOCK_PAGE_SIZE, bitmap, NULL));
	assert_ok(_test_cmd_set_dirty_tracking(hwpt, 0));
	assert_ok(_test_cmd_set_dirty_tracking(hwpt, 1));
	memset(bitmap, 0, sizeof(bitmap));
	assert_ok(_test_cmd_get_dirty_bitmap(hwpt, MOCK_APERTURE_START, BUFFER_SIZE,
					     MOCK_PAGE_SIZE, bitmap, 0));
	assert_int_equal(bitmap[0], 0);

	test_ioctl_destroy(stdev);
	test_ioctl_destroy(hwpt);
	test_ioctl_destroy(plain);
	fix_free(f);
}

/* With MOCK_FLAGS_DEVICE_HUGE_IOVA a dirty page dirties its 1 MiB IOPTE. */
static void test_dirty_tracking_huge(void **state)
{
	struct fix *f = fix_new(0);
	static uint8_t bitmap[(2 * HUGE_SIZE / MOCK_PAGE_SIZE) / 8];
	uint32_t hwpt, idev, stdev;
	uint64_t iova = MOCK_APERTURE_START;

	(void)state;
	assert_ok(_test_cmd_mock_domain_flags(f->ioas_id, MOCK_FLAGS_DEVICE_HUGE_IOVA,
					      &stdev, NULL, &idev));
	test_ioctl_ioas_map_fixed(huge_buffer, 2 * HUGE_SIZE, iova);
	assert_ok(_test_cmd_hwpt_alloc(idev, f->ioas_id,
				       IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &hwpt, 0,
				       NULL, 0));
	assert_ok(_test_cmd_set_dirty_tracking(hwpt, 1));
	check_dirty_bitmaps(hwpt, 2 * HUGE_SIZE, iova, MOCK_PAGE_SIZE, HUGE_SIZE,
			    bitmap, 2 * HUGE_SIZE / MOCK_PAGE_SIZE, 0);
	check_dirty_bitmaps(hwpt, 2 * HUGE_SIZE, iova, MOCK_PAGE_SIZE, HUGE_SIZE,
			    bitmap, 2 * HUGE_SIZE / MOCK_PAGE_SIZE,
			    IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR);
	test_ioctl_destroy(hwpt);
	fix_free(f);
}

/* ---- VFIO container compatibility ---- */

static long vfio_ioctl(unsigned int cmd, uintptr_t arg)
{
	return iommufd_ioctl(cur, cmd, (void *)arg, &um);
}

static int _test_vfio_ioas(uint32_t op, uint32_t *ioas_id)
{
	struct iommu_vfio_ioas c = { .size = sizeof(c), .op = op, .ioas_id = *ioas_id };
	int rc = xioctl(IOMMU_VFIO_IOAS, &c);

	*ioas_id = c.ioas_id;
	return rc;
}

static void test_vfio_no_container(void **state)
{
	struct fix *f = fix_new(0);
	struct vfio_iommu_type1_dma_unmap unmap = {
		.iova = MOCK_APERTURE_START, .size = PAGE_SIZE,
	};
	struct vfio_iommu_type1_dma_map map = {
		.iova = MOCK_APERTURE_START, .size = PAGE_SIZE,
		.vaddr = (uintptr_t)buffer,
	};
	struct vfio_iommu_type1_info info = { .argsz = 1 };
	uint32_t id = 0, ioas2;

	(void)state;
	assert_int_equal(vfio_ioctl(VFIO_GET_API_VERSION, 0), VFIO_API_VERSION);
	assert_int_equal(vfio_ioctl(VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU), 1);
	assert_int_equal(vfio_ioctl(VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU), 1);
	assert_int_equal(vfio_ioctl(VFIO_CHECK_EXTENSION, VFIO_UNMAP_ALL), 1);
	assert_int_equal(vfio_ioctl(VFIO_CHECK_EXTENSION, VFIO_UPDATE_VADDR), 0);
	assert_int_equal(vfio_ioctl(VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU), -ENODEV);
	assert_int_equal(vfio_ioctl(VFIO_IOMMU_DIRTY_PAGES, 0), -ENOTTY);

	unmap.argsz = 1;
	assert_int_equal(vfio_ioctl(VFIO_IOMMU_UNMAP_DMA, (uintptr_t)&unmap), -EINVAL);
	unmap.argsz = sizeof(unmap);
	unmap.flags = 1u << 31;
	assert_int_equal(vfio_ioctl(VFIO_IOMMU_UNMAP_DMA, (uintptr_t)&unmap), -EINVAL);
	unmap.flags = 0;
	assert_int_equal(vfio_ioctl(VFIO_IOMMU_UNMAP_DMA, (uintptr_t)&unmap), -ENODEV);
	assert_int_equal(vfio_ioctl(VFIO_IOMMU_UNMAP_DMA, 0), -EFAULT);

	map.argsz = 1;
	assert_int_equal(vfio_ioctl(VFIO_IOMMU_MAP_DMA, (uintptr_t)&map), -EINVAL);
	map.argsz = sizeof(map);
	map.flags = 1u << 31;
	assert_int_equal(vfio_ioctl(VFIO_IOMMU_MAP_DMA, (uintptr_t)&map), -EINVAL);
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	assert_int_equal(vfio_ioctl(VFIO_IOMMU_MAP_DMA, (uintptr_t)&map), -ENODEV);

	assert_int_equal(vfio_ioctl(VFIO_IOMMU_GET_INFO, (uintptr_t)&info), -EINVAL);
	info.argsz = sizeof(info);
	assert_int_equal(vfio_ioctl(VFIO_IOMMU_GET_INFO, (uintptr_t)&info), -ENODEV);
	assert_int_equal(vfio_ioctl(VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), -ENODEV);
	assert_int_equal(vfio_ioctl(VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU), -ENODEV);
	assert_int_equal(vfio_ioctl(VFIO_SET_IOMMU, VFIO_NOIOMMU_IOMMU), -EINVAL);

	/* IOMMU_VFIO_IOAS: GET without a compat IOAS, SET, GET, CLEAR. */
	assert_errno(ENODEV, _test_vfio_ioas(IOMMU_VFIO_IOAS_GET, &id));
	id = 99;
	assert_errno(ENOENT, _test_vfio_ioas(IOMMU_VFIO_IOAS_SET, &id));
	assert_errno(EOPNOTSUPP, _test_vfio_ioas(7, &id));
	test_ioctl_ioas_alloc(&ioas2);
	id = ioas2;
	assert_ok(_test_vfio_ioas(IOMMU_VFIO_IOAS_SET, &id));
	id = 0;
	assert_ok(_test_vfio_ioas(IOMMU_VFIO_IOAS_GET, &id));
	assert_int_equal(id, ioas2);
	assert_ok(_test_vfio_ioas(IOMMU_VFIO_IOAS_CLEAR, &id));
	assert_errno(ENODEV, _test_vfio_ioas(IOMMU_VFIO_IOAS_GET, &id));
	/* Destroying the compat IOAS forgets it. */
	id = ioas2;
	assert_ok(_test_vfio_ioas(IOMMU_VFIO_IOAS_SET, &id));
	test_ioctl_destroy(ioas2);
	assert_errno(ENODEV, _test_vfio_ioas(IOMMU_VFIO_IOAS_GET, &id));
	fix_free(f);
}

/* The selftest's vfio_compat_mock_domain fixture. */
static struct fix *vfio_fix_new(unsigned long version)
{
	struct fix *f = fix_new(1);
	uint32_t id = f->ioas_id;

	assert_ok(_test_vfio_ioas(IOMMU_VFIO_IOAS_SET, &id));
	assert_int_equal(vfio_ioctl(VFIO_SET_IOMMU, version), 0);
	return f;
}

static void test_vfio_compat_option(void **state)
{
	unsigned long versions[] = { VFIO_TYPE1_IOMMU, VFIO_TYPE1v2_IOMMU };
	unsigned int v;

	(void)state;
	for (v = 0; v < 2; v++) {
		struct fix *f = vfio_fix_new(versions[v]);
		struct iommu_option cmd = {
			.size = sizeof(cmd), .option_id = IOMMU_OPTION_HUGE_PAGES,
			.op = IOMMU_OPTION_OP_GET, .val64 = 3,
			.object_id = f->ioas_id,
		};

		assert_ok(xioctl(IOMMU_OPTION, &cmd));
		assert_int_equal(cmd.val64, versions[v] == VFIO_TYPE1_IOMMU ? 0 : 1);
		/* Mock domains are not cache coherent. */
		assert_int_equal(vfio_ioctl(VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU), 0);
		fix_free(f);
	}
}

static bool is_filled(const uint8_t *p, uint8_t c, size_t len)
{
	for (; len; p++, len--)
		if (*p != c)
			return false;
	return true;
}

/* Run GET_INFO in the buffer; nothing past argsz may be written. */
static void vfio_get_info_checked(void *buf, size_t bufsize)
{
	size_t len = *(uint32_t *)buf;

	memset((uint8_t *)buf + len, 0xAA, bufsize - len);
	assert_int_equal(vfio_ioctl(VFIO_IOMMU_GET_INFO, (uintptr_t)buf), 0);
	assert_true(is_filled((uint8_t *)buf + len, 0xAA, bufsize - len));
}

static void check_vfio_info_cap_chain(uint8_t *buf)
{
	struct vfio_iommu_type1_info *info = (void *)buf;
	const struct vfio_info_cap_header *cap;
	unsigned int seen = 0;

	assert_true(info->argsz >= info->cap_offset + sizeof(*cap));
	cap = (void *)(buf + info->cap_offset);
	for (;;) {
		size_t cap_size = cap->next ? buf + cap->next - (uint8_t *)cap :
				  buf + info->argsz - (uint8_t *)cap;

		switch (cap->id) {
		case VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE: {
			const struct vfio_iommu_type1_info_cap_iova_range *d =
				(const void *)cap;

			assert_int_equal(d->header.version, 1);
			assert_int_equal(d->nr_iovas, 1);
			assert_int_equal(d->iova_ranges[0].start, MOCK_APERTURE_START);
			assert_int_equal(d->iova_ranges[0].end, MOCK_APERTURE_LAST);
			seen |= 1;
			break;
		}
		case VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL: {
			const struct vfio_iommu_type1_info_dma_avail *d =
				(const void *)cap;

			assert_int_equal(d->header.version, 1);
			/* Caps are 8-byte aligned in the chain. */
			assert_int_equal(cap_size, (sizeof(*d) + 7) & ~(size_t)7);
			seen |= 2;
			break;
		}
		default:
			fail_msg("unknown capability %u", cap->id);
		}
		if (!cap->next)
			break;
		assert_true(info->argsz >= cap->next + sizeof(*cap));
		assert_true(buf + cap->next >= (const uint8_t *)cap);
		cap = (const void *)(buf + cap->next);
	}
	assert_int_equal(seen, 3);
}

static void test_vfio_compat_get_info(void **state)
{
	struct fix *f = vfio_fix_new(VFIO_TYPE1v2_IOMMU);
	static uint8_t buf[512] __attribute__((aligned(8)));
	struct vfio_iommu_type1_info *info = (void *)buf;
	size_t i, caplen;

	(void)state;
	/* Pre-capability ABI. */
	*info = (struct vfio_iommu_type1_info){
		.argsz = offsetof(struct vfio_iommu_type1_info, cap_offset),
	};
	vfio_get_info_checked(buf, sizeof(buf));
	assert_int_equal(info->iova_pgsizes, PAGE_SIZE);
	assert_int_equal(info->flags, VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS);
	/* The chain's size. */
	*info = (struct vfio_iommu_type1_info){ .argsz = sizeof(*info) };
	vfio_get_info_checked(buf, sizeof(buf));
	assert_int_equal(info->cap_offset, 0);
	assert_true(info->argsz > sizeof(*info));
	caplen = info->argsz;
	/* 16-byte dma_avail (12 rounded up) + 32-byte range cap. */
	assert_int_equal(caplen, sizeof(*info) + 16 + 32);
	/* Every size in between: never a corrupt chain. */
	for (i = sizeof(*info); i <= caplen; i++) {
		*info = (struct vfio_iommu_type1_info){ .argsz = (uint32_t)i };
		vfio_get_info_checked(buf, sizeof(buf));
		assert_int_equal(info->flags,
				 VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS);
		assert_int_equal(info->cap_offset != 0, i == caplen);
		if (info->cap_offset)
			check_vfio_info_cap_chain(buf);
	}
	fix_free(f);
}

static void test_vfio_compat_map(void **state)
{
	unsigned long versions[] = { VFIO_TYPE1_IOMMU, VFIO_TYPE1v2_IOMMU };
	unsigned int v, i;

	(void)state;
	for (v = 0; v < 2; v++) {
		struct fix *f = vfio_fix_new(versions[v]);
		struct vfio_iommu_type1_dma_map map = {
			.argsz = sizeof(map),
			.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
			.vaddr = (uintptr_t)buffer, .size = BUFFER_SIZE,
			.iova = MOCK_APERTURE_START,
		};
		struct vfio_iommu_type1_dma_unmap unmap = {
			.argsz = sizeof(unmap), .size = BUFFER_SIZE,
			.iova = MOCK_APERTURE_START,
		};
		static const unsigned int order[16] = {
			5, 0, 15, 9, 2, 12, 7, 1, 14, 3, 10, 6, 13, 4, 11, 8,
		};

		assert_int_equal(vfio_ioctl(VFIO_IOMMU_MAP_DMA, (uintptr_t)&map), 0);
		assert_ok(_check_map(f->hwpt_id, MOCK_APERTURE_START, buffer,
				     BUFFER_SIZE));
		assert_int_equal(vfio_ioctl(VFIO_IOMMU_UNMAP_DMA, (uintptr_t)&unmap), 0);
		assert_int_equal(unmap.size, BUFFER_SIZE);
		/* Unmapping nothing succeeds. */
		assert_int_equal(vfio_ioctl(VFIO_IOMMU_UNMAP_DMA, (uintptr_t)&unmap), 0);
		assert_int_equal(unmap.size, 0);
		unmap.size = BUFFER_SIZE;
		/* UNMAP_FLAG_ALL wants iova and size 0. */
		assert_int_equal(vfio_ioctl(VFIO_IOMMU_MAP_DMA, (uintptr_t)&map), 0);
		unmap.flags = VFIO_DMA_UNMAP_FLAG_ALL;
		assert_int_equal(vfio_ioctl(VFIO_IOMMU_UNMAP_DMA, (uintptr_t)&unmap),
				 -EINVAL);
		unmap.iova = 0;
		unmap.size = 0;
		assert_int_equal(vfio_ioctl(VFIO_IOMMU_UNMAP_DMA, (uintptr_t)&unmap), 0);
		assert_int_equal(unmap.size, BUFFER_SIZE);
		check_refs(buffer, BUFFER_SIZE, 0);

		/* Page by page, unmapped out of order. */
		for (i = 0; i < 16; i++) {
			map.iova = MOCK_APERTURE_START + i * PAGE_SIZE;
			map.vaddr = (uintptr_t)buffer + i * PAGE_SIZE;
			map.size = PAGE_SIZE;
			assert_int_equal(vfio_ioctl(VFIO_IOMMU_MAP_DMA,
						    (uintptr_t)&map), 0);
		}
		unmap.flags = 0;
		unmap.size = PAGE_SIZE;
		for (i = 0; i < 16; i++) {
			unmap.iova = MOCK_APERTURE_START + order[i] * PAGE_SIZE;
			assert_int_equal(vfio_ioctl(VFIO_IOMMU_UNMAP_DMA,
						    (uintptr_t)&unmap), 0);
		}
		check_refs(buffer, BUFFER_SIZE, 0);

		/* One big mapping cut in 16: only type1 (v1) may. */
		map.iova = MOCK_APERTURE_START;
		map.vaddr = (uintptr_t)buffer;
		map.size = BUFFER_SIZE;
		assert_int_equal(vfio_ioctl(VFIO_IOMMU_MAP_DMA, (uintptr_t)&map), 0);
		for (i = 0; i < 16; i++) {
			long rc;

			unmap.iova = MOCK_APERTURE_START + order[i] * PAGE_SIZE;
			unmap.size = PAGE_SIZE;
			rc = vfio_ioctl(VFIO_IOMMU_UNMAP_DMA, (uintptr_t)&unmap);
			if (versions[v] == VFIO_TYPE1_IOMMU) {
				assert_int_equal(rc, 0);
				assert_int_equal(unmap.size, PAGE_SIZE);
				check_refs((uint8_t *)buffer + order[i] * PAGE_SIZE,
					   PAGE_SIZE, 0);
			} else {
				assert_int_equal(rc, -ENOENT);
			}
		}
		if (versions[v] == VFIO_TYPE1_IOMMU)
			check_refs(buffer, BUFFER_SIZE, 0);
		else
			check_refs(buffer, BUFFER_SIZE, 1);
		fix_free(f);
	}
}

/* type1 cuts: pins and mappings of the pieces; no cut under an access pin. */
static void test_vfio_compat_cut(void **state)
{
	struct fix *f = vfio_fix_new(VFIO_TYPE1_IOMMU);
	uint8_t *b = buffer;
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)b, .size = 4 * PAGE_SIZE,
		.iova = MOCK_APERTURE_START,
	};
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .size = PAGE_SIZE,
		.iova = MOCK_APERTURE_START + PAGE_SIZE,
	};
	uint32_t fd, item;

	(void)state;
	/* Page aligned only, once large pages are off. */
	map.vaddr = (uintptr_t)(b + 8);
	assert_int_equal(vfio_ioctl(VFIO_IOMMU_MAP_DMA, (uintptr_t)&map), -EINVAL);
	map.vaddr = (uintptr_t)b;
	assert_int_equal(vfio_ioctl(VFIO_IOMMU_MAP_DMA, (uintptr_t)&map), 0);
	assert_int_equal(vfio_ioctl(VFIO_IOMMU_UNMAP_DMA, (uintptr_t)&unmap), 0);
	assert_int_equal(unmap.size, PAGE_SIZE);
	assert_ok(_check_map(f->hwpt_id, MOCK_APERTURE_START, b, PAGE_SIZE));
	assert_ok(_check_map(f->hwpt_id, MOCK_APERTURE_START + 2 * PAGE_SIZE,
			     b + 2 * PAGE_SIZE, 2 * PAGE_SIZE));
	assert_errno(EINVAL, _check_map(f->hwpt_id, MOCK_APERTURE_START + PAGE_SIZE,
					b + PAGE_SIZE, PAGE_SIZE));
	check_refs(b, PAGE_SIZE, 1);
	check_refs(b + PAGE_SIZE, PAGE_SIZE, 0);
	check_refs(b + 2 * PAGE_SIZE, 2 * PAGE_SIZE, 1);

	/* An access pin in the area forbids cutting it. */
	test_cmd_create_access(f->ioas_id, &fd, MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);
	test_cmd_access_pages(fd, MOCK_APERTURE_START + 2 * PAGE_SIZE, PAGE_SIZE,
			      b + 2 * PAGE_SIZE, &item);
	unmap.iova = MOCK_APERTURE_START + 3 * PAGE_SIZE;
	assert_int_equal(vfio_ioctl(VFIO_IOMMU_UNMAP_DMA, (uintptr_t)&unmap), -EINVAL);
	test_cmd_destroy_access_pages(fd, item);
	assert_int_equal(vfio_ioctl(VFIO_IOMMU_UNMAP_DMA, (uintptr_t)&unmap), 0);
	test_cmd_destroy_access(fd);

	unmap.iova = 0;
	unmap.size = 0;
	unmap.flags = VFIO_DMA_UNMAP_FLAG_ALL;
	assert_int_equal(vfio_ioctl(VFIO_IOMMU_UNMAP_DMA, (uintptr_t)&unmap), 0);
	assert_int_equal(unmap.size, 2 * PAGE_SIZE);
	check_refs(b, 4 * PAGE_SIZE, 0);
	fix_free(f);
}

/* ---- fault queues ---- */

static int _test_ioctl_fault_alloc(uint32_t *id, uint32_t *fd)
{
	struct iommu_fault_alloc c = { .size = sizeof(c) };
	int rc = xioctl(IOMMU_FAULT_QUEUE_ALLOC, &c);

	if (!rc) {
		*id = c.out_fault_id;
		*fd = c.out_fault_fd;
	}
	return rc;
}

static int _test_cmd_trigger_iopf(uint32_t dev_id, uint32_t pasid, uint64_t addr)
{
	struct iommu_test_cmd c = {
		.size = sizeof(c), .op = IOMMU_TEST_OP_TRIGGER_IOPF,
		.trigger_iopf = {
			.dev_id = dev_id, .pasid = pasid, .grpid = 0x2,
			.perm = IOMMU_PGFAULT_PERM_READ | IOMMU_PGFAULT_PERM_WRITE,
			.addr = addr,
		},
	};

	return xioctl(IOMMU_TEST_CMD, &c);
}

static void test_fault_queue(void **state)
{
	struct fix *f = fix_new(1);
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_hwpt_pgfault msg[3];
	struct iommu_hwpt_page_response resp[2] = { { 0 } };
	uint32_t fault_id, fault_fd, parent, nested, iopf_hwpt, fd2, id2;

	(void)state;
	{
		struct iommu_fault_alloc c = { .size = sizeof(c), .flags = 1 };

		assert_errno(EOPNOTSUPP, xioctl(IOMMU_FAULT_QUEUE_ALLOC, &c));
	}
	assert_ok(_test_ioctl_fault_alloc(&fault_id, &fault_fd));
	assert_int_not_equal(fault_id, 0);
	assert_int_not_equal(fault_fd, 0);
	/* The open file holds the object. */
	assert_errno(EBUSY, _test_ioctl_destroy(fault_id));

	assert_ok(_test_cmd_hwpt_alloc(f->device_id, f->ioas_id,
				       IOMMU_HWPT_ALLOC_NEST_PARENT, &parent, 0,
				       NULL, 0));
	assert_ok(_test_cmd_hwpt_alloc(f->device_id, parent, 0, &nested,
				       IOMMU_HWPT_DATA_SELFTEST, &data,
				       sizeof(data)));
	{
		struct iommu_hwpt_alloc c = {
			.size = sizeof(c), .flags = IOMMU_HWPT_FAULT_ID_VALID,
			.dev_id = f->device_id, .pt_id = parent,
			.data_type = IOMMU_HWPT_DATA_SELFTEST,
			.data_len = sizeof(data), .data_uptr = (uintptr_t)&data,
			.fault_id = UINT32_MAX,
		};

		assert_errno(ENOENT, xioctl(IOMMU_HWPT_ALLOC, &c));
		c.fault_id = f->ioas_id;
		assert_errno(ENOENT, xioctl(IOMMU_HWPT_ALLOC, &c));
		c.fault_id = fault_id;
		assert_ok(xioctl(IOMMU_HWPT_ALLOC, &c));
		iopf_hwpt = c.out_hwpt_id;
	}
	/* Without a fault-capable HWPT the request is dropped. */
	assert_ok(_test_cmd_trigger_iopf(f->device_id, 1, 0xdeadbeaf));
	assert_false(iommufd_fault_pending(f->ictx, fault_fd));
	assert_errno(ENOENT, _test_cmd_trigger_iopf(f->ioas_id, 1, 0));

	assert_ok(_test_cmd_mock_domain_replace(f->stdev_id, iopf_hwpt, NULL));
	assert_errno(EBUSY, _test_ioctl_destroy(iopf_hwpt));
	assert_ok(_test_cmd_trigger_iopf(f->device_id, 1, 0xdeadbeaf));
	assert_ok(_test_cmd_trigger_iopf(f->device_id, 0, 0x1000));
	assert_true(iommufd_fault_pending(f->ictx, fault_fd));

	/* Read rules: whole records only, at least one must fit. */
	assert_int_equal(iommufd_fault_read(f->ictx, fault_fd, (uintptr_t)msg,
					    sizeof(msg[0]) - 1, &um), -ESPIPE);
	assert_int_equal(iommufd_fault_read(f->ictx, fault_fd, (uintptr_t)msg, 0,
					    &um), -EINVAL);
	assert_int_equal(iommufd_fault_read(f->ictx, 999, (uintptr_t)msg,
					    sizeof(msg[0]), &um), -EBADF);
	assert_int_equal(iommufd_fault_read(f->ictx, fault_fd, 0, sizeof(msg[0]),
					    &um), -EFAULT);
	memset(msg, 0, sizeof(msg));
	assert_int_equal(iommufd_fault_read(f->ictx, fault_fd, (uintptr_t)msg,
					    sizeof(msg), &um), 2 * sizeof(msg[0]));
	assert_false(iommufd_fault_pending(f->ictx, fault_fd));
	assert_int_equal(msg[0].dev_id, f->device_id);
	assert_int_equal(msg[0].pasid, 1);
	assert_int_equal(msg[0].grpid, 2);
	assert_int_equal(msg[0].addr, 0xdeadbeaf);
	assert_int_equal(msg[0].perm, IOMMU_PGFAULT_PERM_READ | IOMMU_PGFAULT_PERM_WRITE);
	assert_int_equal(msg[0].flags, IOMMU_PGFAULT_FLAGS_LAST_PAGE |
				       IOMMU_PGFAULT_FLAGS_PASID_VALID);
	assert_int_equal(msg[1].flags, IOMMU_PGFAULT_FLAGS_LAST_PAGE);
	assert_int_equal(msg[0].cookie, 1);
	assert_int_equal(msg[1].cookie, 2);
	/* Nothing more to read. */
	assert_int_equal(iommufd_fault_read(f->ictx, fault_fd, (uintptr_t)msg,
					    sizeof(msg), &um), 0);

	/* Write rules. */
	assert_int_equal(iommufd_fault_write(f->ictx, fault_fd, (uintptr_t)resp,
					     sizeof(resp[0]) + 1, &um), -ESPIPE);
	resp[0].cookie = msg[0].cookie;
	resp[0].code = 7;
	assert_int_equal(iommufd_fault_write(f->ictx, fault_fd, (uintptr_t)resp,
					     sizeof(resp[0]), &um), -EINVAL);
	resp[0].code = IOMMUFD_PAGE_RESP_SUCCESS;
	resp[1].cookie = 77;	/* unknown: stops after the first */
	assert_int_equal(iommufd_fault_write(f->ictx, fault_fd, (uintptr_t)resp,
					     sizeof(resp), &um), sizeof(resp[0]));
	/* Answered cookies are gone; cookie 1 is reused. */
	assert_int_equal(iommufd_fault_write(f->ictx, fault_fd, (uintptr_t)resp,
					     sizeof(resp[0]), &um), -EINVAL);
	assert_ok(_test_cmd_trigger_iopf(f->device_id, 1, 0x2000));
	assert_int_equal(iommufd_fault_read(f->ictx, fault_fd, (uintptr_t)msg,
					    sizeof(msg), &um), sizeof(msg[0]));
	assert_int_equal(msg[0].cookie, 1);
	assert_int_equal(msg[0].addr, 0x2000);

	/* Leaving the HWPT answers what is outstanding. */
	assert_ok(_test_cmd_trigger_iopf(f->device_id, 1, 0x3000));
	assert_ok(_test_cmd_mock_domain_replace(f->stdev_id, nested, NULL));
	assert_false(iommufd_fault_pending(f->ictx, fault_fd));
	resp[0].cookie = 2;
	assert_int_equal(iommufd_fault_write(f->ictx, fault_fd, (uintptr_t)resp,
					     sizeof(resp[0]), &um), -EINVAL);
	/* A nested HWPT without a queue drops requests. */
	assert_ok(_test_cmd_trigger_iopf(f->device_id, 1, 0x3000));

	/* A second queue whose file is left open at context close. */
	assert_ok(_test_ioctl_fault_alloc(&id2, &fd2));
	assert_int_not_equal(fd2, fault_fd);

	assert_ok(_test_cmd_mock_domain_replace(f->stdev_id, parent, NULL));
	test_ioctl_destroy(nested);
	test_ioctl_destroy(iopf_hwpt);
	assert_ok(iommufd_fault_close(f->ictx, fault_fd));
	assert_errno(ENOENT, iommufd_fault_close(f->ictx, fault_fd));
	assert_int_equal(iommufd_fault_read(f->ictx, fault_fd, (uintptr_t)msg,
					    sizeof(msg), &um), -EBADF);
	test_ioctl_destroy(fault_id);
	assert_ok(_test_cmd_mock_domain_replace(f->stdev_id, f->ioas_id, NULL));
	test_ioctl_destroy(parent);
	fix_free(f);
}

/* Closing the context with requests queued and a HWPT holding the queue. */
static void test_fault_queue_release(void **state)
{
	struct fix *f = fix_new(1);
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	uint32_t fault_id, fault_fd, parent;
	struct iommu_hwpt_alloc c = {
		.size = sizeof(c), .flags = IOMMU_HWPT_FAULT_ID_VALID,
		.dev_id = f->device_id, .data_type = IOMMU_HWPT_DATA_SELFTEST,
		.data_len = sizeof(data), .data_uptr = (uintptr_t)&data,
	};

	(void)state;
	assert_ok(_test_ioctl_fault_alloc(&fault_id, &fault_fd));
	assert_ok(_test_cmd_hwpt_alloc(f->device_id, f->ioas_id,
				       IOMMU_HWPT_ALLOC_NEST_PARENT, &parent, 0,
				       NULL, 0));
	c.pt_id = parent;
	c.fault_id = fault_id;
	assert_ok(xioctl(IOMMU_HWPT_ALLOC, &c));
	assert_ok(_test_cmd_mock_domain_replace(f->stdev_id, c.out_hwpt_id, NULL));
	assert_ok(_test_cmd_trigger_iopf(f->device_id, 0, 0x1000));
	assert_ok(iommufd_fault_close(f->ictx, fault_fd));
	/* Still held by the HWPT after the file is gone. */
	assert_errno(EBUSY, _test_ioctl_destroy(fault_id));
	fix_free(f);
}

static int fail_nth_dirty_vfio_sequence(void)
{
	struct iommufd_ctx *ictx = iommufd_ctx_create();
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)buffer, .size = BUFFER_SIZE,
		.iova = MOCK_APERTURE_START,
	};
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .size = PAGE_SIZE,
		.iova = MOCK_APERTURE_START + PAGE_SIZE,
	};
	uint8_t bitmap[8] = { 0x5 };
	uint32_t ioas, idev, hwpt;
	long lrc;
	int rc;

	if (IS_ERR(ictx))
		return (int)PTR_ERR(ictx);
	cur = ictx;
	iommufd_ctx_acct(ictx)->limit_pages = UINT64_MAX;
	rc = _test_ioctl_ioas_alloc(&ioas);
	if (rc)
		goto out;
	rc = _test_cmd_mock_domain(ioas, NULL, NULL, &idev);
	if (rc)
		goto out;
	rc = _test_vfio_ioas(IOMMU_VFIO_IOAS_SET, &ioas);
	if (rc)
		goto out;
	lrc = vfio_ioctl(VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU);
	if (!lrc)
		lrc = vfio_ioctl(VFIO_IOMMU_MAP_DMA, (uintptr_t)&map);
	if (lrc) {
		rc = (int)lrc;
		goto out;
	}
	rc = _test_cmd_hwpt_alloc(idev, ioas, IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
				  &hwpt, 0, NULL, 0);
	if (rc)
		goto out;
	rc = _test_cmd_set_dirty_tracking(hwpt, 1);
	if (rc)
		goto out;
	rc = _test_cmd_mark_dirty(hwpt, MOCK_APERTURE_START, 8 * MOCK_PAGE_SIZE,
				  MOCK_PAGE_SIZE, bitmap, NULL);
	if (rc)
		goto out;
	rc = _test_cmd_get_dirty_bitmap(hwpt, MOCK_APERTURE_START, BUFFER_SIZE,
					MOCK_PAGE_SIZE, bitmap, 0);
	if (rc)
		goto out;
	rc = (int)vfio_ioctl(VFIO_IOMMU_UNMAP_DMA, (uintptr_t)&unmap);
out:
	iommufd_ctx_destroy(ictx);
	cur = NULL;
	return rc;
}

static void test_fail_nth_dirty_vfio(void **state)
{
	unsigned long n;
	int rc;

	(void)state;
	for (n = 1; n < 1000; n++) {
		fault_inject_nth(n);
		rc = fail_nth_dirty_vfio_sequence();
		if (!fault_injected()) {
			fault_inject_nth(0);
			assert_int_equal(rc, 0);
			break;
		}
		if (!injected_errno(rc))
			fail_msg("fail_nth=%lu: rc %d", n, rc);
		assert_int_equal(um_pins, 0);
	}
	fault_inject_nth(0);
	assert_true(n > 5 && n < 1000);
}

static int fail_nth_sequence(void)
{
	struct iommufd_ctx *ictx = iommufd_ctx_create();
	struct iommu_test_cmd md = { .size = sizeof(md), .op = IOMMU_TEST_OP_MOCK_DOMAIN };
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_ioas_map map = {
		.size = sizeof(map), .flags = RW, .user_va = (uintptr_t)buffer,
		.length = BUFFER_SIZE,
	};
	struct iommu_ioas_copy copy = {
		.size = sizeof(copy), .flags = RW, .length = BUFFER_SIZE,
	};
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap), .length = UINT64_MAX };
	struct iommu_destroy d = { .size = sizeof(d) };
	uint64_t saved_iova;
	int rc;

	if (IS_ERR(ictx))
		return (int)PTR_ERR(ictx);
	cur = ictx;
	iommufd_ctx_acct(ictx)->limit_pages = UINT64_MAX;
	rc = xioctl(IOMMU_IOAS_ALLOC, &alloc);
	if (rc)
		goto out;
	md.id = alloc.out_ioas_id;
	rc = xioctl(IOMMU_TEST_CMD, &md);
	if (rc)
		goto out;
	map.ioas_id = alloc.out_ioas_id;
	rc = xioctl(IOMMU_IOAS_MAP, &map);
	if (rc)
		goto out;
	saved_iova = map.iova;
	map.iova = 0;
	rc = xioctl(IOMMU_IOAS_MAP, &map);
	if (rc)
		goto out;
	copy.src_ioas_id = copy.dst_ioas_id = alloc.out_ioas_id;
	copy.src_iova = saved_iova;
	rc = xioctl(IOMMU_IOAS_COPY, &copy);
	if (rc)
		goto out;
	unmap.ioas_id = alloc.out_ioas_id;
	unmap.iova = map.iova;
	unmap.length = BUFFER_SIZE;
	rc = xioctl(IOMMU_IOAS_UNMAP, &unmap);
	if (rc)
		goto out;
	d.id = md.mock_domain.out_stdev_id;
	rc = xioctl(IOMMU_DESTROY, &d);
out:
	iommufd_ctx_destroy(ictx);
	cur = NULL;
	return rc;
}

static void test_fail_nth(void **state)
{
	unsigned long n;
	int rc;

	(void)state;
	for (n = 1; n < 1000; n++) {
		fault_inject_nth(n);
		rc = fail_nth_sequence();
		if (!fault_injected()) {
			fault_inject_nth(0);
			assert_int_equal(rc, 0);
			break;
		}
		if (!injected_errno(rc))
			fail_msg("fail_nth=%lu: rc %d", n, rc);
		assert_int_equal(um_pins, 0);
	}
	fault_inject_nth(0);
	assert_true(n > 5 && n < 1000);
	assert_int_equal(um_pins, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmd_fail),
		cmocka_unit_test(test_cmd_length),
		cmocka_unit_test(test_cmd_ex_fail),
		cmocka_unit_test(test_ids_and_destroy),
		cmocka_unit_test(test_global_options),
		cmocka_unit_test(test_ioas_destroy),
		cmocka_unit_test(test_area),
		cmocka_unit_test(test_unmap_fully_contained),
		cmocka_unit_test(test_area_auto_iova),
		cmocka_unit_test(test_area_allowed),
		cmocka_unit_test(test_iova_ranges),
		cmocka_unit_test(test_copy_area),
		cmocka_unit_test(test_mock_domain_basic),
		cmocka_unit_test(test_mock_domain_attach_conflicts),
		cmocka_unit_test(test_huge_pages_option),
		cmocka_unit_test(test_accounting_limit),
		cmocka_unit_test(test_test_cmd_misc),
		cmocka_unit_test(test_fail_nth),
		cmocka_unit_test(test_access_create),
		cmocka_unit_test(test_access_alignment),
		cmocka_unit_test(test_access_pin),
		cmocka_unit_test(test_access_pin_errors),
		cmocka_unit_test(test_access_pin_unmap),
		cmocka_unit_test(test_access_rw),
		cmocka_unit_test(test_access_user_copy),
		cmocka_unit_test(test_access_file_ops),
		cmocka_unit_test(test_fail_nth_access),
		cmocka_unit_test(test_get_hw_info),
		cmocka_unit_test(test_hwpt_alloc_paging),
		cmocka_unit_test(test_mock_domain_replace),
		cmocka_unit_test(test_hwpt_nested),
		cmocka_unit_test(test_fail_nth_hwpt),
		cmocka_unit_test(test_dirty_tracking),
		cmocka_unit_test(test_dirty_tracking_huge),
		cmocka_unit_test(test_vfio_no_container),
		cmocka_unit_test(test_vfio_compat_option),
		cmocka_unit_test(test_vfio_compat_get_info),
		cmocka_unit_test(test_vfio_compat_map),
		cmocka_unit_test(test_vfio_compat_cut),
		cmocka_unit_test(test_fault_queue),
		cmocka_unit_test(test_fault_queue_release),
		cmocka_unit_test(test_fail_nth_dirty_vfio),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
