// SPDX-License-Identifier: MIT
/*
 * iommufd core, driven through iommufd_ioctl() with the real uAPI structs,
 * the way tools/testing/selftests/iommu/iommufd.c drives /dev/iommu; the
 * caller's memory and the command wrappers are iommufd_util.h's.
 *
 * Selftest accesses (iommufd_access, what a mediated driver uses): create,
 * pin and unpin pages, read and write through the IOAS, the transport's
 * file ops, and a fail-nth sweep over them.
 */
#include "iommufd_util.h"

#include <stdio.h>
#include <sys/ioctl.h>

/* ---- selftest accesses ---- */

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
	test_ictx = ictx;
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
	test_ictx = NULL;
	return rc;
}

static void test_fail_nth_access(void **state)
{
	(void)state;
	fail_nth_sweep(fail_nth_access_sequence);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_access_create),
		cmocka_unit_test(test_access_alignment),
		cmocka_unit_test(test_access_pin),
		cmocka_unit_test(test_access_pin_errors),
		cmocka_unit_test(test_access_pin_unmap),
		cmocka_unit_test(test_access_rw),
		cmocka_unit_test(test_access_user_copy),
		cmocka_unit_test(test_access_file_ops),
		cmocka_unit_test(test_fail_nth_access),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
