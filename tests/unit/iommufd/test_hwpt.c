// SPDX-License-Identifier: MIT
/*
 * iommufd core, driven through iommufd_ioctl() with the real uAPI structs,
 * the way tools/testing/selftests/iommu/iommufd.c drives /dev/iommu; the
 * caller's memory and the command wrappers are iommufd_util.h's.
 *
 * HW pagetables: GET_HW_INFO, HWPT allocation (paging, nested, with a
 * fault queue), replacing a device's domain, nested invalidation, a
 * fail-nth sweep over them, and IOPF fault queues.
 */
#include "iommufd_util.h"

#include <stdio.h>
#include <sys/ioctl.h>

/* ---- HW info, HWPT allocation, nesting, replace ---- */

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
	test_ictx = ictx;
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
	if (iommufd_fault_read(ictx, fault_fd, (uintptr_t)&msg, sizeof(msg), &umem.ops) !=
	    sizeof(msg)) {
		rc = -EIO;
		goto out;
	}
	resp.cookie = msg.cookie;
	if (iommufd_fault_write(ictx, fault_fd, (uintptr_t)&resp, sizeof(resp),
				&umem.ops) != sizeof(resp)) {
		rc = -EIO;
		goto out;
	}
	rc = _test_cmd_trigger_iopf(idev, 1, 0x2000);
	if (rc)
		goto out;
	rc = _test_cmd_mock_domain_replace(stdev, ioas, NULL);
out:
	iommufd_ctx_destroy(ictx);
	test_ictx = NULL;
	return rc;
}

static void test_fail_nth_hwpt(void **state)
{
	(void)state;
	fail_nth_sweep(fail_nth_hwpt_sequence);
}

/* ---- fault queues ---- */

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
					    sizeof(msg[0]) - 1, &umem.ops), -ESPIPE);
	assert_int_equal(iommufd_fault_read(f->ictx, fault_fd, (uintptr_t)msg, 0,
					    &umem.ops), -EINVAL);
	assert_int_equal(iommufd_fault_read(f->ictx, 999, (uintptr_t)msg,
					    sizeof(msg[0]), &umem.ops), -EBADF);
	assert_int_equal(iommufd_fault_read(f->ictx, fault_fd, 0, sizeof(msg[0]),
					    &umem.ops), -EFAULT);
	memset(msg, 0, sizeof(msg));
	assert_int_equal(iommufd_fault_read(f->ictx, fault_fd, (uintptr_t)msg,
					    sizeof(msg), &umem.ops), 2 * sizeof(msg[0]));
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
					    sizeof(msg), &umem.ops), 0);

	/* Write rules. */
	assert_int_equal(iommufd_fault_write(f->ictx, fault_fd, (uintptr_t)resp,
					     sizeof(resp[0]) + 1, &umem.ops), -ESPIPE);
	resp[0].cookie = msg[0].cookie;
	resp[0].code = 7;
	assert_int_equal(iommufd_fault_write(f->ictx, fault_fd, (uintptr_t)resp,
					     sizeof(resp[0]), &umem.ops), -EINVAL);
	resp[0].code = IOMMUFD_PAGE_RESP_SUCCESS;
	resp[1].cookie = 77;	/* unknown: stops after the first */
	assert_int_equal(iommufd_fault_write(f->ictx, fault_fd, (uintptr_t)resp,
					     sizeof(resp), &umem.ops), sizeof(resp[0]));
	/* Answered cookies are gone; cookie 1 is reused. */
	assert_int_equal(iommufd_fault_write(f->ictx, fault_fd, (uintptr_t)resp,
					     sizeof(resp[0]), &umem.ops), -EINVAL);
	assert_ok(_test_cmd_trigger_iopf(f->device_id, 1, 0x2000));
	assert_int_equal(iommufd_fault_read(f->ictx, fault_fd, (uintptr_t)msg,
					    sizeof(msg), &umem.ops), sizeof(msg[0]));
	assert_int_equal(msg[0].cookie, 1);
	assert_int_equal(msg[0].addr, 0x2000);

	/* Leaving the HWPT answers what is outstanding. */
	assert_ok(_test_cmd_trigger_iopf(f->device_id, 1, 0x3000));
	assert_ok(_test_cmd_mock_domain_replace(f->stdev_id, nested, NULL));
	assert_false(iommufd_fault_pending(f->ictx, fault_fd));
	resp[0].cookie = 2;
	assert_int_equal(iommufd_fault_write(f->ictx, fault_fd, (uintptr_t)resp,
					     sizeof(resp[0]), &umem.ops), -EINVAL);
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
					    sizeof(msg), &umem.ops), -EBADF);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_hw_info),
		cmocka_unit_test(test_hwpt_alloc_paging),
		cmocka_unit_test(test_mock_domain_replace),
		cmocka_unit_test(test_hwpt_nested),
		cmocka_unit_test(test_fail_nth_hwpt),
		cmocka_unit_test(test_fault_queue),
		cmocka_unit_test(test_fault_queue_release),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
