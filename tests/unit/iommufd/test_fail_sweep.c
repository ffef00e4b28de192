// SPDX-License-Identifier: MIT
/*
 * Fail-nth sweeps of iommufd with a strict contract, the way the kernel's
 * iommufd_fail_nth.c sweeps /dev/iommu but checking more than "no pins
 * left at the end":
 *
 * - Each sequence below is a list of steps, one command each. A clean run
 *   records a canonical dump of the whole context after every step
 *   (objects and their references, IOAS areas, reserved and allowed
 *   ranges, domains and what they map, pinned pages, locked-memory
 *   accounting, accesses, fault queues).
 * - Then, for n = 1, 2, ..., a fresh context runs the sequence with the
 *   nth fault-injection point failing (fault_inject_nth(), counted over the
 *   whole run as Linux's fail-nth counts over a task's syscalls), until a
 *   run passes every point.
 * - A step that fails under injection must return an errno one of
 *   Linux's injection points gives (ENOMEM from allocations, ENOENT from
 *   object lookups and the mock's map, EFAULT from pinning, EINVAL from
 *   reserved regions and the selftest's rw page, or a command's documented
 *   translation of those), and leave the context exactly as it was before
 *   the step. A step that absorbs the failure (returns success) must end
 *   where the clean run did.
 * - Every run ends with the context destroyed, no pins left, and no
 *   internal-consistency error logged.
 *
 * The regression tests for the bugs these sweeps found follow the sweeps.
 * The dumps are fail_sweep_dump.c's; the caller's memory and the command
 * wrappers iommufd_util.h's.
 */
#include "fail_sweep_dump.h"

#include <stdio.h>
#include <sys/ioctl.h>

#include "kernel/iommufd/iommufd_private.h"

uint8_t sweep_buf[NPAGES * IOMMUFD_PAGE_SIZE] __attribute__((aligned(1 << 20)));

/* ---- internal-consistency errors (pl_err) fail the sweep ---- */

static unsigned int log_errors;
static char log_last[256];

static void log_sink(enum pl_log_level level, const char *msg, void *arg)
{
	(void)arg;
	if (level != PL_LOG_ERR)
		return;
	log_errors++;
	snprintf(log_last, sizeof(log_last), "%s", msg);
}

/* ---- sequences ---- */

/* What the steps of one run created. */
struct seq {
	struct iommufd_ctx *ictx;
	uint32_t ioas, ioas2, stdev, idev, hwpt, hwpt2, parent, nested;
	uint32_t fault_id, fault_fd, access_fd, item;
	uint64_t iova, iova2;
};

struct step {
	const char *name;
	int (*fn)(struct seq *s);
	/*
	 * The command may fail after changes Linux keeps too (VFIO type1 v1
	 * unmap cuts areas one by one): only errno and teardown are checked.
	 */
	bool partial;
};

static int test_cmd(struct seq *s, struct iommu_test_cmd *c)
{
	c->size = sizeof(*c);
	return xioctl(IOMMU_TEST_CMD, c);
}

static int ioas_map(struct seq *s, uint32_t ioas, unsigned int first_page,
		    unsigned int npages, uint64_t *iova, bool fixed)
{
	struct iommu_ioas_map c = {
		.size = sizeof(c), .ioas_id = ioas,
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE |
			 (fixed ? IOMMU_IOAS_MAP_FIXED_IOVA : 0),
		.user_va = (uintptr_t)sweep_buf + first_page * PAGE,
		.length = npages * PAGE, .iova = *iova,
	};
	int rc = xioctl(IOMMU_IOAS_MAP, &c);

	if (!rc)
		*iova = c.iova;
	return rc;
}

/* Moves the mock device to pt (an IOAS or HWPT). */
static int replace(struct seq *s, uint32_t pt)
{
	return _test_cmd_mock_domain_replace(s->stdev, pt, NULL);
}

static int hwpt_alloc(struct seq *s, uint32_t pt, uint32_t flags, uint32_t fault,
		      uint32_t *out, bool nested)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_hwpt_alloc c = {
		.size = sizeof(c), .flags = flags, .dev_id = s->idev, .pt_id = pt,
		.fault_id = fault,
	};
	int rc;

	if (nested) {
		c.data_type = IOMMU_HWPT_DATA_SELFTEST;
		c.data_len = sizeof(data);
		c.data_uptr = (uintptr_t)&data;
	}
	rc = xioctl(IOMMU_HWPT_ALLOC, &c);
	if (!rc)
		*out = c.out_hwpt_id;
	return rc;
}

/* Sequence: the IOAS commands, no domain (iommufd_fail_nth's basic). */

static int st_ioas_alloc(struct seq *s) { return _test_ioctl_ioas_alloc(&s->ioas); }
static int st_ioas2_alloc(struct seq *s) { return _test_ioctl_ioas_alloc(&s->ioas2); }

static int st_allow_iovas(struct seq *s)
{
	struct iommu_iova_range r[2] = {
		{ .start = PAGE, .last = (1ull << 23) - 1 },
		{ .start = MOCK_APERTURE_START, .last = MOCK_APERTURE_LAST },
	};
	struct iommu_ioas_allow_iovas c = {
		.size = sizeof(c), .ioas_id = s->ioas, .num_iovas = 2,
		.allowed_iovas = (uintptr_t)r,
	};

	return xioctl(IOMMU_IOAS_ALLOW_IOVAS, &c);
}

static int st_iova_ranges(struct seq *s)
{
	struct iommu_iova_range r[4];
	struct iommu_ioas_iova_ranges c = {
		.size = sizeof(c), .ioas_id = s->ioas, .num_iovas = 4,
		.allowed_iovas = (uintptr_t)r,
	};

	return xioctl(IOMMU_IOAS_IOVA_RANGES, &c);
}

static int st_map_auto(struct seq *s)
{
	s->iova = 0;
	return ioas_map(s, s->ioas, 0, 8, &s->iova, false);
}

static int st_map_fixed(struct seq *s)
{
	uint64_t iova = MOCK_APERTURE_START + (1 << 20);

	return ioas_map(s, s->ioas, 8, 4, &iova, true);
}

static int st_copy(struct seq *s)
{
	struct iommu_ioas_copy c = {
		.size = sizeof(c), .dst_ioas_id = s->ioas, .src_ioas_id = s->ioas,
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
		.src_iova = s->iova + PAGE, .length = 4 * PAGE,
	};
	int rc = xioctl(IOMMU_IOAS_COPY, &c);

	if (!rc)
		s->iova2 = c.dst_iova;
	return rc;
}

static int st_copy_other(struct seq *s)
{
	struct iommu_ioas_copy c = {
		.size = sizeof(c), .dst_ioas_id = s->ioas2, .src_ioas_id = s->ioas,
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_FIXED_IOVA,
		.src_iova = s->iova, .length = 8 * PAGE,
		.dst_iova = MOCK_APERTURE_START,
	};

	return xioctl(IOMMU_IOAS_COPY, &c);
}

static int st_huge_pages_off(struct seq *s)
{
	struct iommu_option c = {
		.size = sizeof(c), .option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_SET, .object_id = s->ioas, .val64 = 0,
	};

	return xioctl(IOMMU_OPTION, &c);
}

static int st_unmap_copy(struct seq *s)
{
	return _test_ioctl_ioas_unmap(s->ioas, s->iova2, 4 * PAGE, NULL);
}

static int st_destroy_ioas2(struct seq *s) { return _test_ioctl_destroy(s->ioas2); }

/* Only while the context has no object, and with CAP_SYS_RESOURCE. */
static int st_rlimit_mode(struct seq *s)
{
	struct iommu_option c = {
		.size = sizeof(c), .option_id = IOMMU_OPTION_RLIMIT_MODE,
		.op = IOMMU_OPTION_OP_SET, .val64 = 1,
	};

	iommufd_ctx_set_caps(s->ictx, false, true);
	return xioctl(IOMMU_OPTION, &c);
}

static int st_temp_memory_limit(struct seq *s)
{
	struct iommu_test_cmd c = {
		.op = IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT,
		.memory_limit = { .limit = 32 },
	};

	return test_cmd(s, &c);
}

static int st_check_refs(struct seq *s)
{
	struct iommu_test_cmd c = {
		.op = IOMMU_TEST_OP_MD_CHECK_REFS,
		.check_refs = { .length = 8 * PAGE, .uptr = (uintptr_t)sweep_buf },
	};

	return test_cmd(s, &c);
}

static const struct step seq_ioas[] = {
	{ .name = "rlimit_mode", .fn = st_rlimit_mode },
	{ .name = "temp_memory_limit", .fn = st_temp_memory_limit },
	{ .name = "ioas_alloc", .fn = st_ioas_alloc },
	{ .name = "allow_iovas", .fn = st_allow_iovas },
	{ .name = "iova_ranges", .fn = st_iova_ranges },
	{ .name = "map_auto", .fn = st_map_auto },
	{ .name = "map_fixed", .fn = st_map_fixed },
	{ .name = "copy", .fn = st_copy },
	{ .name = "huge_pages_off", .fn = st_huge_pages_off },
	{ .name = "ioas2_alloc", .fn = st_ioas2_alloc },
	{ .name = "copy_other", .fn = st_copy_other },
	{ .name = "unmap_copy", .fn = st_unmap_copy },
	{ .name = "check_refs", .fn = st_check_refs },
	{ .name = "destroy_ioas2", .fn = st_destroy_ioas2 },
};

/* Sequence: devices and domains (map_domain, map_two_domains, device). */

static int st_mock_domain(struct seq *s)
{
	return _test_cmd_mock_domain(s->ioas, &s->stdev, &s->hwpt, &s->idev);
}

static int st_map_domains(struct seq *s)
{
	s->iova = 0;
	return ioas_map(s, s->ioas, 0, 8, &s->iova, false);
}

static int st_hwpt_dirty(struct seq *s)
{
	return hwpt_alloc(s, s->ioas, IOMMU_HWPT_ALLOC_DIRTY_TRACKING, 0, &s->hwpt2,
			  false);
}

static int st_replace_hwpt2(struct seq *s) { return replace(s, s->hwpt2); }
static int st_replace_ioas(struct seq *s) { return replace(s, s->ioas); }
static int st_replace_ioas2(struct seq *s) { return replace(s, s->ioas2); }

static int st_map_ioas2(struct seq *s)
{
	uint64_t iova = MOCK_APERTURE_START;

	return ioas_map(s, s->ioas2, 4, 4, &iova, true);
}

static int st_hw_info(struct seq *s)
{
	struct iommu_test_hw_info info;
	struct iommu_hw_info c = {
		.size = sizeof(c), .dev_id = s->idev, .data_len = sizeof(info),
		.data_uptr = (uintptr_t)&info,
	};

	return xioctl(IOMMU_GET_HW_INFO, &c);
}

static int st_unmap_all(struct seq *s)
{
	return _test_ioctl_ioas_unmap(s->ioas, 0, UINT64_MAX, NULL);
}

static int st_destroy_stdev(struct seq *s) { return _test_ioctl_destroy(s->stdev); }
static int st_destroy_hwpt2(struct seq *s) { return _test_ioctl_destroy(s->hwpt2); }

static int st_reserved2(struct seq *s)
{
	struct iommu_test_cmd c = {
		.op = IOMMU_TEST_OP_ADD_RESERVED, .id = s->ioas2,
		.add_reserved = { .start = MOCK_APERTURE_START + (4 << 20),
				  .length = 1 << 20 },
	};

	return test_cmd(s, &c);
}

/* A second device, with huge IOPTEs, straight onto ioas2. */
static int st_huge_device(struct seq *s)
{
	struct iommu_test_cmd c = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS, .id = s->ioas2,
		.mock_domain_flags = { .dev_flags = MOCK_FLAGS_DEVICE_HUGE_IOVA },
	};

	return test_cmd(s, &c);
}

static int st_check_map(struct seq *s)
{
	struct iommu_test_cmd c = {
		.op = IOMMU_TEST_OP_MD_CHECK_MAP, .id = s->hwpt2,
		.check_map = { .iova = s->iova, .length = 8 * PAGE,
			       .uptr = (uintptr_t)sweep_buf },
	};

	return test_cmd(s, &c);
}

static const struct step seq_domains[] = {
	{ .name = "ioas_alloc", .fn = st_ioas_alloc },
	{ .name = "mock_domain", .fn = st_mock_domain },
	{ .name = "map", .fn = st_map_domains },
	{ .name = "map_fixed", .fn = st_map_fixed },
	/* A second domain filled with both areas. */
	{ .name = "hwpt_alloc_dirty", .fn = st_hwpt_dirty },
	{ .name = "check_map", .fn = st_check_map },
	{ .name = "replace_hwpt2", .fn = st_replace_hwpt2 },
	{ .name = "replace_ioas", .fn = st_replace_ioas },
	{ .name = "ioas2_alloc", .fn = st_ioas2_alloc },
	{ .name = "reserved_ioas2", .fn = st_reserved2 },
	{ .name = "map_ioas2", .fn = st_map_ioas2 },
	{ .name = "huge_device_ioas2", .fn = st_huge_device },
	{ .name = "replace_ioas2", .fn = st_replace_ioas2 },
	{ .name = "hw_info", .fn = st_hw_info },
	{ .name = "unmap_all", .fn = st_unmap_all },
	{ .name = "destroy_stdev", .fn = st_destroy_stdev },
	{ .name = "destroy_hwpt2", .fn = st_destroy_hwpt2 },
};


/* Sequence: nesting and fault queues. */

static int st_parent(struct seq *s)
{
	return hwpt_alloc(s, s->ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, 0, &s->parent,
			  false);
}

static int st_fault_alloc(struct seq *s)
{
	struct iommu_fault_alloc c = { .size = sizeof(c) };
	int rc = xioctl(IOMMU_FAULT_QUEUE_ALLOC, &c);

	if (!rc) {
		s->fault_id = c.out_fault_id;
		s->fault_fd = c.out_fault_fd;
	}
	return rc;
}

static int st_nested(struct seq *s)
{
	return hwpt_alloc(s, s->parent, IOMMU_HWPT_FAULT_ID_VALID, s->fault_id,
			  &s->nested, true);
}

static int st_replace_nested(struct seq *s) { return replace(s, s->nested); }

static int st_iopf(struct seq *s)
{
	struct iommu_test_cmd c = {
		.op = IOMMU_TEST_OP_TRIGGER_IOPF,
		.trigger_iopf = { .dev_id = s->idev, .pasid = 1, .grpid = 2,
				  .perm = IOMMU_PGFAULT_PERM_READ, .addr = 0x1000 },
	};

	return test_cmd(s, &c);
}

static int st_fault_read(struct seq *s)
{
	struct iommu_hwpt_pgfault msg;
	long n = iommufd_fault_read(s->ictx, s->fault_fd, (uintptr_t)&msg,
				    sizeof(msg), &umem.ops);

	return n == sizeof(msg) ? 0 : n < 0 ? (int)n : -EIO;
}

static int st_invalidate(struct seq *s)
{
	struct iommu_hwpt_invalidate_selftest inv = { .iotlb_id = 1 };
	struct iommu_hwpt_invalidate c = {
		.size = sizeof(c), .hwpt_id = s->nested,
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
		.data_uptr = (uintptr_t)&inv, .entry_len = sizeof(inv), .entry_num = 1,
	};

	return xioctl(IOMMU_HWPT_INVALIDATE, &c);
}

static int st_check_iotlb(struct seq *s)
{
	struct iommu_test_cmd c = {
		.op = IOMMU_TEST_OP_MD_CHECK_IOTLB, .id = s->nested,
		.check_iotlb = { .id = 1, .iotlb = 0 },
	};

	return test_cmd(s, &c);
}

/* The response to what fault_read returned (cookie 1). */
static int st_fault_write(struct seq *s)
{
	struct iommu_hwpt_page_response r = {
		.cookie = 1, .code = IOMMUFD_PAGE_RESP_SUCCESS,
	};
	long n = iommufd_fault_write(s->ictx, s->fault_fd, (uintptr_t)&r,
				     sizeof(r), &umem.ops);

	return n == sizeof(r) ? 0 : n < 0 ? (int)n : -EIO;
}

static int st_destroy_nested(struct seq *s) { return _test_ioctl_destroy(s->nested); }

static int st_fault_close(struct seq *s)
{
	return iommufd_fault_close(s->ictx, s->fault_fd);
}

static int st_destroy_fault(struct seq *s) { return _test_ioctl_destroy(s->fault_id); }

static const struct step seq_nested[] = {
	{ .name = "ioas_alloc", .fn = st_ioas_alloc },
	{ .name = "mock_domain", .fn = st_mock_domain },
	{ .name = "map", .fn = st_map_domains },
	{ .name = "hwpt_alloc_parent", .fn = st_parent },
	{ .name = "fault_alloc", .fn = st_fault_alloc },
	{ .name = "hwpt_alloc_nested", .fn = st_nested },
	{ .name = "replace_nested", .fn = st_replace_nested },
	{ .name = "trigger_iopf", .fn = st_iopf },
	{ .name = "fault_read", .fn = st_fault_read },
	{ .name = "fault_write", .fn = st_fault_write },
	{ .name = "invalidate", .fn = st_invalidate },
	{ .name = "check_iotlb", .fn = st_check_iotlb },
	{ .name = "replace_ioas", .fn = st_replace_ioas },
	{ .name = "destroy_nested", .fn = st_destroy_nested },
	{ .name = "fault_close", .fn = st_fault_close },
	{ .name = "destroy_fault", .fn = st_destroy_fault },
};

/* Sequence: in-kernel accesses (access_rw, access_pin, access_pin_domain). */

static int st_map_16(struct seq *s)
{
	s->iova = MOCK_APERTURE_START;
	return ioas_map(s, s->ioas, 0, 16, &s->iova, true);
}

static int st_create_access(struct seq *s)
{
	struct iommu_test_cmd c = {
		.op = IOMMU_TEST_OP_CREATE_ACCESS, .id = s->ioas,
		.create_access = { .flags = MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES },
	};
	int rc = test_cmd(s, &c);

	if (!rc)
		s->access_fd = c.create_access.out_access_fd;
	return rc;
}

static int access_pages_len(struct seq *s, uint64_t iova, unsigned int first_page,
			    unsigned int npages)
{
	struct iommu_test_cmd c = {
		.op = IOMMU_TEST_OP_ACCESS_PAGES, .id = s->access_fd,
		.access_pages = { .iova = iova, .length = npages * PAGE,
				  .uptr = (uintptr_t)sweep_buf + first_page * PAGE },
	};
	int rc = test_cmd(s, &c);

	if (!rc)
		s->item = c.access_pages.out_access_pages_id;
	return rc;
}

static int access_pages(struct seq *s, uint64_t iova, unsigned int first_page)
{
	return access_pages_len(s, iova, first_page, 6);
}

static int st_access_pages(struct seq *s)
{
	/* Spans the areas of "map" and "map_after". */
	return access_pages(s, s->iova + 12 * PAGE, 12);
}

static int access_rw(struct seq *s, uint32_t flags, uint64_t len)
{
	static uint8_t tmp[3 * IOMMUFD_PAGE_SIZE];
	struct iommu_test_cmd c = {
		.op = IOMMU_TEST_OP_ACCESS_RW, .id = s->access_fd,
		.access_rw = { .iova = s->iova + PAGE - 8, .length = len,
			       .uptr = (uintptr_t)tmp, .flags = flags },
	};

	return test_cmd(s, &c);
}

static int st_rw_slow(struct seq *s)
{
	return access_rw(s, MOCK_ACCESS_RW_SLOW_PATH, 2 * PAGE);
}

static int st_rw_write(struct seq *s)
{
	return access_rw(s, MOCK_ACCESS_RW_WRITE, 16);
}

static int st_rw_slow_page(struct seq *s)
{
	return access_rw(s, MOCK_ACCESS_RW_SLOW_PATH, 8);
}

static int st_access_replace(struct seq *s)
{
	struct iommu_test_cmd c = {
		.op = IOMMU_TEST_OP_ACCESS_REPLACE_IOAS, .id = s->access_fd,
		.access_replace_ioas = { .ioas_id = s->ioas2 },
	};

	return test_cmd(s, &c);
}

static int st_access_pages2(struct seq *s)
{
	return access_pages(s, MOCK_APERTURE_START, 4);
}

static int st_map2_6(struct seq *s)
{
	uint64_t iova = MOCK_APERTURE_START;

	return ioas_map(s, s->ioas2, 4, 6, &iova, true);
}

static int st_destroy_item(struct seq *s)
{
	struct iommu_test_cmd c = {
		.op = IOMMU_TEST_OP_DESTROY_ACCESS_PAGES, .id = s->access_fd,
		.destroy_access_pages = { .access_pages_id = s->item },
	};

	return test_cmd(s, &c);
}

/* Unmapping what an access pinned asks it to unpin first. */
static int st_unmap2_pinned(struct seq *s)
{
	return _test_ioctl_ioas_unmap(s->ioas2, 0, UINT64_MAX, NULL);
}

static int st_access_close(struct seq *s)
{
	return iommufd_test_access_close(s->ictx, s->access_fd);
}

static int st_map_after(struct seq *s)
{
	uint64_t iova = MOCK_APERTURE_START + 16 * PAGE;

	return ioas_map(s, s->ioas, 16, 4, &iova, true);
}

static int st_create_access_rw(struct seq *s)
{
	struct iommu_test_cmd c = {
		.op = IOMMU_TEST_OP_CREATE_ACCESS, .id = s->ioas,
	};
	int rc = test_cmd(s, &c);

	if (!rc)
		s->fault_fd = c.create_access.out_access_fd;	/* a second access */
	return rc;
}

static int st_rw_second(struct seq *s)
{
	uint32_t fd = s->access_fd;
	int rc;

	s->access_fd = s->fault_fd;
	rc = access_rw(s, MOCK_ACCESS_RW_SLOW_PATH, 2 * PAGE);
	s->access_fd = fd;
	return rc;
}

static int st_close_second(struct seq *s)
{
	return iommufd_test_access_close(s->ictx, s->fault_fd);
}

static const struct step seq_access[] = {
	{ .name = "ioas_alloc", .fn = st_ioas_alloc },
	{ .name = "map", .fn = st_map_16 },
	{ .name = "map_after", .fn = st_map_after },
	{ .name = "mock_domain", .fn = st_mock_domain },
	{ .name = "create_access", .fn = st_create_access },
	{ .name = "access_pages", .fn = st_access_pages },
	{ .name = "rw_slow", .fn = st_rw_slow },
	{ .name = "rw_slow_page", .fn = st_rw_slow_page },
	{ .name = "rw_write", .fn = st_rw_write },
	{ .name = "create_access_rw", .fn = st_create_access_rw },
	{ .name = "rw_second", .fn = st_rw_second },
	{ .name = "close_second", .fn = st_close_second },
	{ .name = "ioas2_alloc", .fn = st_ioas2_alloc },
	{ .name = "map_ioas2", .fn = st_map2_6 },
	{ .name = "access_replace_ioas", .fn = st_access_replace },
	{ .name = "access_pages_ioas2", .fn = st_access_pages2 },
	{ .name = "destroy_item", .fn = st_destroy_item },
	{ .name = "access_pages_again", .fn = st_access_pages2 },
	{ .name = "unmap_pinned", .fn = st_unmap2_pinned },
	{ .name = "access_close", .fn = st_access_close },
	{ .name = "destroy_stdev", .fn = st_destroy_stdev },
};

/* Sequence: pins across chunks of the pinned-page table, two domains. */

static int st_map_big(struct seq *s)
{
	s->iova = MOCK_APERTURE_START;
	return ioas_map(s, s->ioas, 0, NPAGES, &s->iova, true);
}

static int st_access_pages_big(struct seq *s)
{
	/* Across the chunk boundary at page IOPT_PIN_CHUNK. */
	return access_pages_len(s, s->iova + 500 * PAGE, 500, 40);
}

static int st_copy_big(struct seq *s)
{
	struct iommu_ioas_copy c = {
		.size = sizeof(c), .dst_ioas_id = s->ioas, .src_ioas_id = s->ioas,
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE |
			 IOMMU_IOAS_MAP_FIXED_IOVA,
		.src_iova = s->iova + 256 * PAGE, .length = 600 * PAGE,
		.dst_iova = MOCK_APERTURE_START + (64 << 20),
	};

	return xioctl(IOMMU_IOAS_COPY, &c);
}

static const struct step seq_big[] = {
	{ .name = "ioas_alloc", .fn = st_ioas_alloc },
	{ .name = "map_big", .fn = st_map_big },
	{ .name = "create_access", .fn = st_create_access },
	{ .name = "access_pages_big", .fn = st_access_pages_big },
	{ .name = "mock_domain", .fn = st_mock_domain },
	{ .name = "hwpt_alloc_dirty", .fn = st_hwpt_dirty },
	{ .name = "copy_big", .fn = st_copy_big },
	{ .name = "destroy_item", .fn = st_destroy_item },
	{ .name = "unmap_all", .fn = st_unmap_all },
	{ .name = "access_close", .fn = st_access_close },
};

/* Sequence: dirty tracking and the VFIO type1 container. */

static int st_replace_dirty(struct seq *s) { return replace(s, s->hwpt2); }

static int st_dirty_enable(struct seq *s)
{
	struct iommu_hwpt_set_dirty_tracking c = {
		.size = sizeof(c), .hwpt_id = s->hwpt2,
		.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE,
	};

	return xioctl(IOMMU_HWPT_SET_DIRTY_TRACKING, &c);
}

static int st_dirty_mark(struct seq *s)
{
	static uint64_t bits = 0x5;
	struct iommu_test_cmd c = {
		.op = IOMMU_TEST_OP_DIRTY, .id = s->hwpt2,
		.dirty = { .iova = s->iova, .length = 8 * PAGE, .page_size = PAGE,
			   .uptr = (uintptr_t)&bits },
	};

	return test_cmd(s, &c);
}

static int st_dirty_read(struct seq *s)
{
	static uint64_t bits;
	struct iommu_hwpt_get_dirty_bitmap c = {
		.size = sizeof(c), .hwpt_id = s->hwpt2, .iova = s->iova,
		.length = 8 * PAGE, .page_size = PAGE, .data = (uintptr_t)&bits,
	};

	bits = 0;
	return xioctl(IOMMU_HWPT_GET_DIRTY_BITMAP, &c);
}

static int st_vfio_ioas(struct seq *s)
{
	struct iommu_vfio_ioas c = {
		.size = sizeof(c), .ioas_id = s->ioas2, .op = IOMMU_VFIO_IOAS_SET,
	};

	return xioctl(IOMMU_VFIO_IOAS, &c);
}

static int st_vfio_type1(struct seq *s)
{
	return (int)iommufd_ioctl(s->ictx, VFIO_SET_IOMMU,
				  (void *)(uintptr_t)VFIO_TYPE1_IOMMU, &umem.ops);
}

static int st_vfio_dma_cc(struct seq *s)
{
	long rc = iommufd_ioctl(s->ictx, VFIO_CHECK_EXTENSION,
				(void *)(uintptr_t)VFIO_DMA_CC_IOMMU, &umem.ops);

	return rc == 1 ? 0 : rc < 0 ? (int)rc : -EIO;
}

static int st_vfio_map(struct seq *s)
{
	struct vfio_iommu_type1_dma_map c = {
		.argsz = sizeof(c), .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)sweep_buf + 8 * PAGE, .iova = 1 << 20,
		.size = 8 * PAGE,
	};

	return xioctl(VFIO_IOMMU_MAP_DMA, &c);
}

static int st_vfio_unmap_part(struct seq *s)
{
	struct vfio_iommu_type1_dma_unmap c = {
		.argsz = sizeof(c), .iova = (1 << 20) + 2 * PAGE, .size = 2 * PAGE,
	};

	return xioctl(VFIO_IOMMU_UNMAP_DMA, &c);
}

static int st_vfio_info(struct seq *s)
{
	uint8_t info[512] = { 0 };
	struct vfio_iommu_type1_info *c = (void *)info;

	c->argsz = sizeof(info);
	return xioctl(VFIO_IOMMU_GET_INFO, c);
}

static int st_vfio_unmap_all(struct seq *s)
{
	struct vfio_iommu_type1_dma_unmap c = {
		.argsz = sizeof(c), .flags = VFIO_DMA_UNMAP_FLAG_ALL,
	};

	return xioctl(VFIO_IOMMU_UNMAP_DMA, &c);
}

static const struct step seq_dirty_vfio[] = {
	{ .name = "ioas_alloc", .fn = st_ioas_alloc },
	{ .name = "mock_domain", .fn = st_mock_domain },
	{ .name = "hwpt_alloc_dirty", .fn = st_hwpt_dirty },
	{ .name = "replace_dirty", .fn = st_replace_dirty },
	{ .name = "map", .fn = st_map_domains },
	{ .name = "dirty_enable", .fn = st_dirty_enable },
	{ .name = "dirty_mark", .fn = st_dirty_mark },
	{ .name = "dirty_read", .fn = st_dirty_read },
	{ .name = "ioas2_alloc", .fn = st_ioas2_alloc },
	{ .name = "vfio_ioas", .fn = st_vfio_ioas },
	{ .name = "vfio_type1", .fn = st_vfio_type1 },
	{ .name = "vfio_dma_cc", .fn = st_vfio_dma_cc },
	{ .name = "vfio_map", .fn = st_vfio_map },
	{ .name = "vfio_unmap_part", .fn = st_vfio_unmap_part, .partial = true },
	{ .name = "vfio_info", .fn = st_vfio_info },
	{ .name = "vfio_unmap_all", .fn = st_vfio_unmap_all },
};

/* ---- the sweep ---- */

static struct iommufd_ctx *seq_ctx(struct seq *s)
{
	memset(s, 0, sizeof(*s));
	s->ictx = iommufd_ctx_create();
	assert_false(IS_ERR(s->ictx));
	test_ictx = s->ictx;	/* the library's helpers act on it */
	iommufd_ctx_acct(s->ictx)->limit_pages = UINT64_MAX;
	return s->ictx;
}

static void seq_end(struct seq *s, const char *what, unsigned long n)
{
	iommufd_ctx_destroy(s->ictx);
	if (umem.pins)
		fail_msg("%s, fail_nth=%lu: %ld pins left", what, n, umem.pins);
	if (log_errors)
		fail_msg("%s, fail_nth=%lu: %u errors logged, last: %s", what, n,
			 log_errors, log_last);
}

/* Returns the number of runs that injected a failure. */
static unsigned long sweep(const char *what, const struct step *steps, size_t nr)
{
	struct dump *ref = calloc(nr, sizeof(*ref));
	struct dump before = { 0 }, after = { 0 };
	unsigned long n, absorbed = 0;
	struct seq s;
	size_t k;

	assert_non_null(ref);
	umem.pins = 0;	/* a failed test before must not fail this one */
	log_errors = 0;
	pl_log_set_sink(log_sink, NULL);

	/* The clean run every absorbed failure must end up at. */
	seq_ctx(&s);
	for (k = 0; k < nr; k++) {
		int rc = steps[k].fn(&s);

		if (rc)
			fail_msg("%s: step %s: %d without injection", what,
				 steps[k].name, rc);
		dump_ctx(&ref[k], s.ictx);
	}
	seq_end(&s, what, 0);

	for (n = 1; n < 2000; n++) {
		bool failed = false, injected;

		seq_ctx(&s);
		fault_inject_nth(n);
		for (k = 0; k < nr && !failed; k++) {
			bool was = fault_injected();
			int rc;

			dump_ctx(&before, s.ictx);
			rc = steps[k].fn(&s);
			if (was || !fault_injected()) {
				if (rc)
					fail_msg("%s, fail_nth=%lu: step %s: %d after the failure",
						 what, n, steps[k].name, rc);
				continue;
			}
			/* The nth point was in this step. */
			if (!rc) {
				char msg[128];

				dump_ctx(&after, s.ictx);
				snprintf(msg, sizeof(msg), "%s, fail_nth=%lu: step %s absorbed",
					 what, n, steps[k].name);
				dump_expect_equal(&ref[k], &after, msg);
				continue;
			}
			failed = true;
			if (!injected_errno(rc))
				fail_msg("%s, fail_nth=%lu: step %s: errno %d", what, n,
					 steps[k].name, -rc);
			if (!steps[k].partial) {
				char msg[128];

				dump_ctx(&after, s.ictx);
				snprintf(msg, sizeof(msg), "%s, fail_nth=%lu: step %s failed (%d)",
					 what, n, steps[k].name, rc);
				dump_expect_equal(&before, &after, msg);
			}
		}
		injected = fault_injected();
		fault_inject_nth(0);
		seq_end(&s, what, n);
		if (!injected)
			break;	/* the run passed every point: done */
		absorbed += !failed;
	}
	fault_inject_nth(0);
	pl_log_set_sink(NULL, NULL);
	for (k = 0; k < nr; k++)
		dump_free(&ref[k]);
	free(ref);
	dump_free(&before);
	dump_free(&after);
	if (n >= 2000)
		fail_msg("%s: no run completed", what);
	print_message("# %s: %lu points, %lu failures absorbed\n", what, n - 1,
		      absorbed);
	return n - 1;
}

static void test_sweep_ioas(void **state)
{
	(void)state;
	assert_true(sweep("ioas", seq_ioas, ARRAY_SIZE(seq_ioas)) > 10);
}

static void test_sweep_domains(void **state)
{
	(void)state;
	assert_true(sweep("domains", seq_domains, ARRAY_SIZE(seq_domains)) > 20);
}

static void test_sweep_nested(void **state)
{
	(void)state;
	assert_true(sweep("nested", seq_nested, ARRAY_SIZE(seq_nested)) > 20);
}

static void test_sweep_access(void **state)
{
	(void)state;
	assert_true(sweep("access", seq_access, ARRAY_SIZE(seq_access)) > 20);
}

static void test_sweep_big(void **state)
{
	(void)state;
	assert_true(sweep("big", seq_big, ARRAY_SIZE(seq_big)) > 20);
}

static void test_sweep_dirty_vfio(void **state)
{
	(void)state;
	assert_true(sweep("dirty_vfio", seq_dirty_vfio, ARRAY_SIZE(seq_dirty_vfio)) > 20);
}

/* ---- regressions ---- */

/*
 * Bug: internal teardown (unbinding a selftest device, dropping an
 * automatic HWPT with its last device, destroying an access) removed the
 * object by ID through iommufd_get_object(), which is a fault-injection
 * point as in Linux. With fail-nth armed, a command that succeeded could
 * leave the object behind (holding its IOAS and pins until close). Linux
 * removes such objects by pointer; so does iommufd_object_remove_obj().
 * IOMMU_DESTROY passes no injection point at all (Linux: xa_load).
 */
static void test_regress_destroy_device_armed(void **state)
{
	struct seq s;

	(void)state;
	seq_ctx(&s);
	assert_ok(st_ioas_alloc(&s));
	assert_ok(st_mock_domain(&s));
	assert_ok(st_map_domains(&s));
	assert_int_equal(iommufd_ctx_nr_objects(s.ictx), 4);
	fault_inject_nth(1);
	assert_ok(st_destroy_stdev(&s));
	assert_false(fault_injected());
	fault_inject_nth(0);
	/* Device and automatic HWPT gone with it; the IOAS alone is left. */
	assert_int_equal(iommufd_ctx_nr_objects(s.ictx), 1);
	assert_int_equal(umem.pins, 0);
	seq_end(&s, "destroy_device_armed", 1);
}

static void test_regress_replace_drops_auto_hwpt(void **state)
{
	unsigned long n;
	struct seq s;

	(void)state;
	for (n = 1; n < 100; n++) {
		bool injected;
		int rc;

		seq_ctx(&s);
		assert_ok(st_ioas_alloc(&s));
		assert_ok(st_mock_domain(&s));
		assert_ok(st_map_domains(&s));
		assert_ok(st_hwpt_dirty(&s));
		assert_int_equal(iommufd_ctx_nr_objects(s.ictx), 5);
		fault_inject_nth(n);
		rc = st_replace_hwpt2(&s);
		injected = fault_injected();
		fault_inject_nth(0);
		if (!rc)	/* the automatic HWPT died with its last device */
			assert_int_equal(iommufd_ctx_nr_objects(s.ictx), 4);
		else
			assert_int_equal(iommufd_ctx_nr_objects(s.ictx), 5);
		/* One domain left filled: 8 pages pinned once. */
		assert_int_equal(umem.pins, 8);
		seq_end(&s, "replace_drops_auto_hwpt", n);
		if (!injected)
			break;
	}
	assert_true(n > 1 && n < 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sweep_ioas),
		cmocka_unit_test(test_sweep_domains),
		cmocka_unit_test(test_sweep_nested),
		cmocka_unit_test(test_sweep_access),
		cmocka_unit_test(test_sweep_dirty_vfio),
		cmocka_unit_test(test_sweep_big),
		cmocka_unit_test(test_regress_destroy_device_armed),
		cmocka_unit_test(test_regress_replace_drops_auto_hwpt),
	};

	/* Only sweep_buf pins; copies below the first page fault. */
	umem_reset(PAGE);
	umem_add_range(sweep_buf, sizeof(sweep_buf));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
