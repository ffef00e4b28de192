// SPDX-License-Identifier: MIT
/*
 * The iommufd unit tests' shared caller memory, command wrappers and
 * mock-domain fixture (iommufd_util.h).
 */
#include "iommufd_util.h"

/* ---- the caller's memory ---- */

static struct test_umem *to_umem(const struct iommufd_user_mem_ops *um)
{
	/* Every ops table handed to iommufd here is embedded in a test_umem. */
	return container_of((struct iommufd_user_mem_ops *)um, struct test_umem, ops);
}

static int um_copy_from(const struct iommufd_user_mem_ops *um, void *dst,
			uint64_t uaddr, size_t len)
{
	if (uaddr < to_umem(um)->copy_floor)
		return -EFAULT;
	memcpy(dst, (void *)(uintptr_t)uaddr, len);
	return 0;
}

static int um_copy_to(const struct iommufd_user_mem_ops *um, uint64_t uaddr,
		      const void *src, size_t len)
{
	if (uaddr < to_umem(um)->copy_floor)
		return -EFAULT;
	memcpy((void *)(uintptr_t)uaddr, src, len);
	return 0;
}

static bool um_pinnable(const struct test_umem *m, uint64_t uaddr)
{
	unsigned int i;

	for (i = 0; i < m->nr_ranges; i++)
		if (uaddr >= m->ranges[i].start &&
		    uaddr - m->ranges[i].start < m->ranges[i].len)
			return true;
	return false;
}

static int um_pin(const struct iommufd_user_mem_ops *um, uint64_t uaddr,
		  bool write, void **kva)
{
	struct test_umem *m = to_umem(um);

	if (m->pin) {
		int rc = m->pin(m, uaddr, write, kva);

		if (rc)
			return rc;
	} else {
		if (!um_pinnable(m, uaddr))
			return -EFAULT;
		*kva = (void *)(uintptr_t)uaddr;
	}
	m->pins++;
	return 0;
}

static void um_unpin(const struct iommufd_user_mem_ops *um, uint64_t uaddr,
		     void *kva)
{
	(void)uaddr;
	(void)kva;
	to_umem(um)->pins--;
}

struct test_umem umem = {
	.ops = {
		.copy_from_user = um_copy_from,
		.copy_to_user = um_copy_to,
		.pin_page = um_pin,
		.unpin_page = um_unpin,
	},
	.copy_floor = IOMMUFD_PAGE_SIZE,
};

void umem_reset(uint64_t copy_floor)
{
	umem.copy_floor = copy_floor;
	umem.nr_ranges = 0;
	umem.pin = NULL;
	umem.pins = 0;
}

void umem_add_range(const void *p, size_t len)
{
	assert_true(umem.nr_ranges < UMEM_MAX_RANGES);
	umem.ranges[umem.nr_ranges].start = (uintptr_t)p;
	umem.ranges[umem.nr_ranges].len = len;
	umem.nr_ranges++;
}

/* ---- commands ---- */

struct iommufd_ctx *test_ictx;

int xioctl(unsigned int cmd, void *arg)
{
	return (int)iommufd_ioctl(test_ictx, cmd, arg, &umem.ops);
}

int _test_ioctl_ioas_alloc(uint32_t *id)
{
	struct iommu_ioas_alloc c = { .size = sizeof(c) };
	int rc = xioctl(IOMMU_IOAS_ALLOC, &c);

	if (!rc)
		*id = c.out_ioas_id;
	return rc;
}

int _test_ioctl_ioas_map(uint32_t ioas_id, void *b, size_t len,
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

int _test_ioctl_ioas_unmap(uint32_t ioas_id, uint64_t iova,
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

int _test_cmd_mock_domain(uint32_t pt_id, uint32_t *stdev, uint32_t *hwpt,
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

int _test_cmd_add_reserved(uint32_t ioas_id, uint64_t start, uint64_t len)
{
	struct iommu_test_cmd c = {
		.size = sizeof(c), .op = IOMMU_TEST_OP_ADD_RESERVED, .id = ioas_id,
		.add_reserved = { .start = start, .length = len },
	};

	return xioctl(IOMMU_TEST_CMD, &c);
}

int _check_refs(void *p, size_t len, unsigned int refs)
{
	struct iommu_test_cmd c = {
		.size = sizeof(c), .op = IOMMU_TEST_OP_MD_CHECK_REFS,
		.check_refs = { .length = len, .uptr = (uintptr_t)p, .refs = refs },
	};

	return xioctl(IOMMU_TEST_CMD, &c);
}

int _check_map(uint32_t id, uint64_t iova, void *p, size_t len)
{
	struct iommu_test_cmd c = {
		.size = sizeof(c), .op = IOMMU_TEST_OP_MD_CHECK_MAP, .id = id,
		.check_map = { .iova = iova, .length = len, .uptr = (uintptr_t)p },
	};

	return xioctl(IOMMU_TEST_CMD, &c);
}

int _test_cmd_create_access(uint32_t ioas_id, uint32_t *access_fd,
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

int _test_cmd_access_pages(uint32_t fd, uint64_t iova, uint64_t len,
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

int _test_cmd_destroy_access_pages(uint32_t fd, uint32_t item)
{
	struct iommu_test_cmd c = {
		.size = sizeof(c), .op = IOMMU_TEST_OP_DESTROY_ACCESS_PAGES, .id = fd,
		.destroy_access_pages = { .access_pages_id = item },
	};

	return xioctl(IOMMU_TEST_CMD, &c);
}

int _test_cmd_access_rw(uint32_t fd, uint64_t iova, void *uptr,
			uint64_t len, uint32_t flags)
{
	struct iommu_test_cmd c = {
		.size = sizeof(c), .op = IOMMU_TEST_OP_ACCESS_RW, .id = fd,
		.access_rw = { .iova = iova, .length = len,
			       .uptr = (uintptr_t)uptr, .flags = flags },
	};

	return xioctl(IOMMU_TEST_CMD, &c);
}

int _test_cmd_access_replace_ioas(uint32_t fd, uint32_t ioas_id)
{
	struct iommu_test_cmd c = {
		.size = sizeof(c), .op = IOMMU_TEST_OP_ACCESS_REPLACE_IOAS, .id = fd,
		.access_replace_ioas = { .ioas_id = ioas_id },
	};

	return xioctl(IOMMU_TEST_CMD, &c);
}

/*
 * What an injected failure may surface as: the errnos of Linux's
 * fault-injection points (allocations ENOMEM; object lookups and the mock's
 * map ENOENT; pinning user pages EFAULT; reserved regions and the rw page
 * EINVAL). test_fail_sweep.c checks each step's state besides.
 */
bool injected_errno(int rc)
{
	return rc == -ENOMEM || rc == -ENOENT || rc == -EFAULT || rc == -EINVAL;
}

int _test_cmd_get_hw_info(uint32_t dev_id, uint32_t type, void *data,
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

int _test_cmd_mock_domain_flags(uint32_t pt_id, uint32_t flags,
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

int _test_cmd_mock_domain_replace(uint32_t stdev, uint32_t pt_id,
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

int _test_cmd_hwpt_alloc(uint32_t dev, uint32_t pt, uint32_t flags,
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

int _test_cmd_hwpt_invalidate(uint32_t hwpt, void *reqs, uint32_t type,
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

int _test_cmd_check_iotlb(uint32_t hwpt, uint32_t id, uint32_t val)
{
	struct iommu_test_cmd c = {
		.size = sizeof(c), .op = IOMMU_TEST_OP_MD_CHECK_IOTLB, .id = hwpt,
		.check_iotlb = { .id = id, .iotlb = val },
	};

	return xioctl(IOMMU_TEST_CMD, &c);
}

void check_iotlb_all(uint32_t hwpt, uint32_t val)
{
	uint32_t i;

	for (i = 0; i < MOCK_NESTED_DOMAIN_IOTLB_NUM; i++)
		assert_ok(_test_cmd_check_iotlb(hwpt, i, val));
}

int _test_cmd_set_dirty_tracking(uint32_t hwpt, uint32_t flags)
{
	struct iommu_hwpt_set_dirty_tracking c = {
		.size = sizeof(c), .flags = flags, .hwpt_id = hwpt,
	};

	return xioctl(IOMMU_HWPT_SET_DIRTY_TRACKING, &c);
}

int _test_cmd_mark_dirty(uint32_t hwpt, uint64_t iova, uint64_t len,
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

int _test_cmd_get_dirty_bitmap(uint32_t hwpt, uint64_t iova, uint64_t len,
			       uint64_t page_size, void *bitmap,
			       uint32_t flags)
{
	struct iommu_hwpt_get_dirty_bitmap c = {
		.size = sizeof(c), .hwpt_id = hwpt, .flags = flags, .iova = iova,
		.length = len, .page_size = page_size, .data = (uintptr_t)bitmap,
	};

	return xioctl(IOMMU_HWPT_GET_DIRTY_BITMAP, &c);
}

long vfio_ioctl(unsigned int cmd, uintptr_t arg)
{
	return iommufd_ioctl(test_ictx, cmd, (void *)arg, &umem.ops);
}

int _test_vfio_ioas(uint32_t op, uint32_t *ioas_id)
{
	struct iommu_vfio_ioas c = { .size = sizeof(c), .op = op, .ioas_id = *ioas_id };
	int rc = xioctl(IOMMU_VFIO_IOAS, &c);

	*ioas_id = c.ioas_id;
	return rc;
}

int _test_ioctl_fault_alloc(uint32_t *id, uint32_t *fd)
{
	struct iommu_fault_alloc c = { .size = sizeof(c) };
	int rc = xioctl(IOMMU_FAULT_QUEUE_ALLOC, &c);

	if (!rc) {
		*id = c.out_fault_id;
		*fd = c.out_fault_fd;
	}
	return rc;
}

int _test_cmd_trigger_iopf(uint32_t dev_id, uint32_t pasid, uint64_t addr)
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

/* ---- the mock-domain fixture ---- */

static uint8_t buffer_storage[BUFFER_SIZE] __attribute__((aligned(4096 * 16)));
void *buffer = buffer_storage;
uint8_t huge_buffer[2 * HUGE_SIZE] __attribute__((aligned(1 << 20)));

struct fix *fix_new(unsigned int mock_domains)
{
	struct fix *f = calloc(1, sizeof(*f));
	unsigned int i;

	assert_non_null(f);
	if (!umem.nr_ranges) {
		umem_add_range(buffer, BUFFER_SIZE);
		umem_add_range(huge_buffer, sizeof(huge_buffer));
	}
	f->ictx = iommufd_ctx_create();
	assert_false(IS_ERR(f->ictx));
	iommufd_ctx_acct(f->ictx)->limit_pages = UINT64_MAX;
	test_ictx = f->ictx;
	test_ioctl_ioas_alloc(&f->ioas_id);
	for (i = 0; i < mock_domains; i++) {
		test_cmd_mock_domain(f->ioas_id, &f->stdev_id, &f->hwpt_id,
				     &f->device_id);
		f->base_iova = MOCK_APERTURE_START;
	}
	return f;
}

void fix_free(struct fix *f)
{
	iommufd_ctx_destroy(f->ictx);
	/* Closing the fd released every pin (teardown_iommufd's check). */
	assert_int_equal(umem.pins, 0);
	free(f);
	test_ictx = NULL;
}

void fail_nth_sweep(int (*sequence)(void))
{
	unsigned long n;
	int rc;

	for (n = 1; n < 1000; n++) {
		fault_inject_nth(n);
		rc = sequence();
		if (!fault_injected()) {
			fault_inject_nth(0);
			assert_int_equal(rc, 0);
			break;
		}
		if (!injected_errno(rc))
			fail_msg("fail_nth=%lu: rc %d", n, rc);
		assert_int_equal(umem.pins, 0);
	}
	fault_inject_nth(0);
	assert_true(n > 5 && n < 1000);
	assert_int_equal(umem.pins, 0);
}
