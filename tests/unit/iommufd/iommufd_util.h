/* SPDX-License-Identifier: MIT */
/*
 * Shared by the iommufd unit tests, shaped like the kernel's
 * tools/testing/selftests/iommu/iommufd_utils.h: the caller's memory and
 * one wrapper per command, where _x() returns the rc, x() asserts success
 * and x_err(E, ...) expects -E.
 *
 * The caller's memory is this process's: copies are memcpy (addresses in
 * the first page fault, like an unmapped NULL page), and only addresses in
 * the registered ranges can be pinned, anything else is -EFAULT. A test
 * whose pins must land somewhere else (platform RAM) sets umem.pin.
 */
#ifndef PCILAB_TESTS_IOMMUFD_UTIL_H
#define PCILAB_TESTS_IOMMUFD_UTIL_H

#include "test.h"

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

/* ---- the caller's memory ---- */

#define UMEM_MAX_RANGES 4

struct umem_range {
	uint64_t start, len;
};

struct test_umem {
	struct iommufd_user_mem_ops ops;
	uint64_t copy_floor;	/* copies below this address fault */
	struct umem_range ranges[UMEM_MAX_RANGES];
	unsigned int nr_ranges;
	/*
	 * Optional: pins in place of the range check (0 or -errno; *kva is
	 * where the page's bytes are). Counted in pins like the default.
	 */
	int (*pin)(struct test_umem *m, uint64_t uaddr, bool write, void **kva);
	long pins;	/* pinned now; 0 once every object is gone */
};

/* The one caller every test program's ioctls come from. */
extern struct test_umem umem;

/* Forget ranges, pin hook and pins; copies below copy_floor fault. */
void umem_reset(uint64_t copy_floor);
/* Let pages in [p, p + len) be pinned. */
void umem_add_range(const void *p, size_t len);

/* ---- commands, against test_ictx ---- */

/* The context the helpers below act on (set by fix_new()). */
extern struct iommufd_ctx *test_ictx;

int xioctl(unsigned int cmd, void *arg);
int _test_ioctl_ioas_alloc(uint32_t *id);
int _test_ioctl_ioas_map(uint32_t ioas_id, void *b, size_t len,
			 uint64_t *iova, uint32_t flags);
int _test_ioctl_ioas_unmap(uint32_t ioas_id, uint64_t iova,
			   uint64_t len, uint64_t *out_len);
int _test_cmd_mock_domain(uint32_t pt_id, uint32_t *stdev, uint32_t *hwpt,
			  uint32_t *idev);
int _test_cmd_add_reserved(uint32_t ioas_id, uint64_t start, uint64_t len);
int _check_refs(void *p, size_t len, unsigned int refs);
int _check_map(uint32_t id, uint64_t iova, void *p, size_t len);
int _test_cmd_create_access(uint32_t ioas_id, uint32_t *access_fd,
			    uint32_t flags);
int _test_cmd_access_pages(uint32_t fd, uint64_t iova, uint64_t len,
			   void *uptr, uint32_t flags, uint32_t *item);
int _test_cmd_destroy_access_pages(uint32_t fd, uint32_t item);
int _test_cmd_access_rw(uint32_t fd, uint64_t iova, void *uptr,
			uint64_t len, uint32_t flags);
int _test_cmd_access_replace_ioas(uint32_t fd, uint32_t ioas_id);
bool injected_errno(int rc);
/*
 * Sweep fault_inject_nth(n) for n = 1, 2, ... over sequence(), which builds
 * and destroys its own context, until a run passes every injection point:
 * each injected run must fail with an errno an injection point gives and
 * leave nothing pinned, the clean run must succeed, and the sequence must
 * have passed more than 5 points (fewer means the sweep tested nothing).
 */
void fail_nth_sweep(int (*sequence)(void));
int _test_cmd_get_hw_info(uint32_t dev_id, uint32_t type, void *data,
			  uint32_t len, struct iommu_hw_info *out);
int _test_cmd_mock_domain_flags(uint32_t pt_id, uint32_t flags,
				uint32_t *stdev, uint32_t *hwpt,
				uint32_t *idev);
int _test_cmd_mock_domain_replace(uint32_t stdev, uint32_t pt_id,
				  uint32_t *out_hwpt);
int _test_cmd_hwpt_alloc(uint32_t dev, uint32_t pt, uint32_t flags,
			 uint32_t *out, uint32_t type, void *data,
			 uint32_t len);
int _test_cmd_hwpt_invalidate(uint32_t hwpt, void *reqs, uint32_t type,
			      uint32_t len, uint32_t *num);
int _test_cmd_check_iotlb(uint32_t hwpt, uint32_t id, uint32_t val);
void check_iotlb_all(uint32_t hwpt, uint32_t val);
int _test_cmd_set_dirty_tracking(uint32_t hwpt, uint32_t flags);
int _test_cmd_mark_dirty(uint32_t hwpt, uint64_t iova, uint64_t len,
			 uint64_t page_size, void *bitmap, uint64_t *nr);
int _test_cmd_get_dirty_bitmap(uint32_t hwpt, uint64_t iova, uint64_t len,
			       uint64_t page_size, void *bitmap,
			       uint32_t flags);
long vfio_ioctl(unsigned int cmd, uintptr_t arg);
int _test_vfio_ioas(uint32_t op, uint32_t *ioas_id);
int _test_ioctl_fault_alloc(uint32_t *id, uint32_t *fd);
int _test_cmd_trigger_iopf(uint32_t dev_id, uint32_t pasid, uint64_t addr);

#define _test_ioctl_destroy(_id) ({					\
		struct iommu_destroy __c = { .size = sizeof(__c), .id = (_id) }; \
		xioctl(IOMMU_DESTROY, &__c); })
#define test_ioctl_destroy(_id) assert_ok(_test_ioctl_destroy(_id))
#define test_ioctl_ioas_alloc(id) assert_ok(_test_ioctl_ioas_alloc(id))
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
#define test_ioctl_ioas_unmap(iova, len) \
	assert_ok(_test_ioctl_ioas_unmap(f->ioas_id, iova, len, NULL))
#define test_err_ioctl_ioas_unmap(E, iova, len) \
	assert_errno(E, _test_ioctl_ioas_unmap(f->ioas_id, iova, len, NULL))
#define test_cmd_mock_domain(pt, s, h, i) assert_ok(_test_cmd_mock_domain(pt, s, h, i))
#define check_refs(p, len, refs) assert_ok(_check_refs(p, len, refs))
#define test_cmd_create_access(ioas_id, fdp, flags) \
	assert_ok(_test_cmd_create_access(ioas_id, fdp, flags))
#define test_cmd_destroy_access(fd) \
	assert_ok(iommufd_test_access_close(test_ictx, fd))
#define test_cmd_access_pages(fd, iova, len, uptr, itemp) \
	assert_ok(_test_cmd_access_pages(fd, iova, len, uptr, 0, itemp))
#define test_cmd_destroy_access_pages(fd, item) \
	assert_ok(_test_cmd_destroy_access_pages(fd, item))

/* ---- the mock-domain fixture (the selftest's FIXTURE(iommufd_ioas)) ---- */

#define PAGE_SIZE ((size_t)IOMMUFD_PAGE_SIZE)
#define MOCK_PAGE_SIZE (PAGE_SIZE / 2)
#define BUFFER_SIZE (PAGE_SIZE * 16)
/* Two mock huge IOPTEs' worth, aligned so they can map as huge pages. */
#define HUGE_SIZE ((size_t)1 << 20)

/* The pinnable memory of a fixture: buffer and huge_buffer. */
extern void *buffer;
extern uint8_t huge_buffer[2 * HUGE_SIZE];

struct fix {
	struct iommufd_ctx *ictx;
	uint32_t ioas_id;
	uint32_t stdev_id, hwpt_id, device_id;
	uint64_t base_iova;
};

/* A context with one IOAS and mock_domains mock domains attached to it. */
struct fix *fix_new(unsigned int mock_domains);
/* Destroys the context and checks that it released every pin. */
void fix_free(struct fix *f);

#endif /* PCILAB_TESTS_IOMMUFD_UTIL_H */
