// SPDX-License-Identifier: MIT
/*
 * iommufd core, driven through iommufd_ioctl() with the real uAPI structs,
 * the way tools/testing/selftests/iommu/iommufd.c drives /dev/iommu; the
 * caller's memory and the command wrappers are iommufd_util.h's.
 *
 * Dirty tracking on mock domains and the VFIO type1 container
 * compatibility (IOMMU_VFIO_IOAS and the VFIO_* ioctls), with a fail-nth
 * sweep over both.
 */
#include "iommufd_util.h"

#include <stdio.h>
#include <sys/ioctl.h>

/* ---- dirty tracking ---- */

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
	test_ictx = ictx;
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
	test_ictx = NULL;
	return rc;
}

static void test_fail_nth_dirty_vfio(void **state)
{
	(void)state;
	fail_nth_sweep(fail_nth_dirty_vfio_sequence);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dirty_tracking),
		cmocka_unit_test(test_dirty_tracking_huge),
		cmocka_unit_test(test_vfio_no_container),
		cmocka_unit_test(test_vfio_compat_option),
		cmocka_unit_test(test_vfio_compat_get_info),
		cmocka_unit_test(test_vfio_compat_map),
		cmocka_unit_test(test_vfio_compat_cut),
		cmocka_unit_test(test_fail_nth_dirty_vfio),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
