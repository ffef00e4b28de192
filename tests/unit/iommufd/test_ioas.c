// SPDX-License-Identifier: MIT
/*
 * iommufd core, driven through iommufd_ioctl() with the real uAPI structs,
 * the way tools/testing/selftests/iommu/iommufd.c drives /dev/iommu; the
 * caller's memory and the command wrappers are iommufd_util.h's.
 *
 * IOAS commands and mock domains: struct size rules, ids and destroy,
 * global options, areas (map, unmap, copy, allowed and reserved ranges,
 * IOVA ranges), attaching mock domains, huge pages and accounting, and a
 * fail-nth sweep over map + mock domain + unmap.
 */
#include "iommufd_util.h"

#include <stdio.h>
#include <sys/ioctl.h>

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
	test_ictx = ictx;
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
	test_ictx = NULL;
	return rc;
}

static void test_fail_nth(void **state)
{
	(void)state;
	fail_nth_sweep(fail_nth_sequence);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
