// SPDX-License-Identifier: MIT
/*
 * The daemon's view of client memory (src/uapi/usermem.c) and the daemon
 * loop (src/uapi/daemon.c), driven in-process: memfd backings pinned,
 * coherent, alive after the client's unmap, refused when unsafe; pins
 * through a process that has exited fail; copies confined to what the
 * client sent; and a raw client speaking records over a real socket.
 */
#include "test.h"

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/iommufd.h>

#include "uapi/daemon.h"
#include "uapi/usermem.h"
#include "uapi/wire.h"

#define PG 4096u

/* A memfd like the shim makes: npages, sealed against resizing, mapped. */
static int make_memfd(unsigned int npages, bool seal, uint8_t **map)
{
	int fd = memfd_create("pcilab-test", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)npages * PG), 0);
	if (seal)
		assert_int_equal(fcntl(fd, F_ADD_SEALS,
				       F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL), 0);
	*map = mmap(NULL, (size_t)npages * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(*map != MAP_FAILED);
	return fd;
}

static struct uapi_wire_back back(uint64_t uaddr, uint64_t len, uint64_t off,
				  bool writable)
{
	return (struct uapi_wire_back){
		.uaddr = uaddr, .len = len, .offset = off, .fd_index = 1,
		.flags = writable ? UAPI_WIRE_BACK_WRITABLE : 0,
	};
}

static void test_pin_identity_coherence(void **state)
{
	const struct iommufd_user_mem_ops *um, *um2;
	struct uapi_usermem mem, mem2;
	struct uapi_wire_back b;
	void *kva, *kva2, *kva3;
	struct uapi_mm *mm;
	uint8_t *client;
	int fd;

	(void)state;
	uapi_usermem_init(&mem);
	uapi_usermem_init(&mem2);
	fd = make_memfd(4, true, &client);
	mm = uapi_usermem_mm(&mem, 0);
	assert_non_null(mm);
	um = uapi_mm_ops(mm);
	b = back(0x100000, 3 * PG, PG, true);	/* client VA 0x100000 = memfd page 1 */
	assert_ok(uapi_mm_add_back(mm, &b, fd));

	assert_ok(um->pin_page(um, 0x101000, true, &kva));
	/* The same page pins to the same pointer, however often. */
	assert_ok(um->pin_page(um, 0x101000, false, &kva2));
	assert_ptr_equal(kva, kva2);
	/* Through another connection too: one identity per page. */
	mm = uapi_usermem_mm(&mem2, 0);
	um2 = uapi_mm_ops(mm);
	b = back(0x500000, PG, 2 * PG, true);
	assert_ok(uapi_mm_add_back(mm, &b, fd));
	assert_ok(um2->pin_page(um2, 0x500000, false, &kva3));
	assert_ptr_equal(kva, kva3);
	assert_int_equal(uapi_usermem_pins(&mem), 2);

	/* Coherent both ways with the client's mapping (memfd page 2). */
	client[2 * PG + 5] = 0x5a;
	assert_int_equal(((uint8_t *)kva)[5], 0x5a);
	((uint8_t *)kva)[6] = 0xa5;
	assert_int_equal(client[2 * PG + 6], 0xa5);

	/* The client unmaps and closes everything: the pinned page lives on. */
	munmap(client, 4 * PG);
	close(fd);
	((uint8_t *)kva)[7] = 1;
	assert_int_equal(((uint8_t *)kva)[5], 0x5a);

	/* Outside any range, or unaligned: EFAULT. */
	assert_errno(EFAULT, um->pin_page(um, 0x104000, false, &kva2));
	assert_errno(EFAULT, um->pin_page(um, 0x0ff000, false, &kva2));

	um->unpin_page(um, 0x101000, kva);
	um->unpin_page(um, 0x101000, kva);
	um2->unpin_page(um2, 0x500000, kva3);
	assert_int_equal(uapi_usermem_pins(&mem), 0);
	assert_int_equal(uapi_usermem_pins(&mem2), 0);
	uapi_usermem_release(&mem);
	uapi_usermem_release(&mem2);
}

static void test_backing_validation(void **state)
{
	const struct iommufd_user_mem_ops *um;
	struct uapi_usermem mem;
	struct uapi_wire_back b;
	struct uapi_mm *mm;
	uint8_t *map, *map2;
	char path[64];
	int fd, unsealed, ro, p[2];
	void *kva;

	(void)state;
	uapi_usermem_init(&mem);
	mm = uapi_usermem_mm(&mem, 0);
	um = uapi_mm_ops(mm);
	fd = make_memfd(2, true, &map);
	unsealed = make_memfd(2, false, &map2);

	/*
	 * An unsealed file is what a client's MAP_SHARED mapping brings: it
	 * is accepted, and checked at pin time (test_daemon_io.c).
	 */
	b = back(0x300000, 2 * PG, 0, true);
	assert_ok(uapi_mm_add_back(mm, &b, unsealed));
	/* Past the end of the memfd. */
	b = back(0x200000, 2 * PG, PG, true);
	assert_errno(EINVAL, uapi_mm_add_back(mm, &b, fd));
	/* Not a regular file. */
	assert_int_equal(pipe(p), 0);
	b = back(0x200000, PG, 0, true);
	assert_errno(EBADF, uapi_mm_add_back(mm, &b, p[0]));
	/* Opened read-only. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(ro >= 0);
	assert_errno(EBADF, uapi_mm_add_back(mm, &b, ro));
	/* Nothing was registered by the failures. */
	assert_errno(EFAULT, um->pin_page(um, 0x200000, false, &kva));

	/* Fault injection: the world is unchanged after -ENOMEM. */
	fault_inject_nth(1);
	assert_errno(ENOMEM, uapi_mm_add_back(mm, &b, fd));
	fault_inject_nth(0);
	assert_errno(EFAULT, um->pin_page(um, 0x200000, false, &kva));
	fault_inject_nth(1);
	assert_null(uapi_usermem_mm(&mem, 4242));
	fault_inject_nth(0);

	/* Read-only range: pinning for write is EPERM, for read fine. */
	b = back(0x200000, PG, 0, false);
	assert_ok(uapi_mm_add_back(mm, &b, fd));
	assert_errno(EPERM, um->pin_page(um, 0x200000, true, &kva));
	assert_ok(um->pin_page(um, 0x200000, false, &kva));
	um->unpin_page(um, 0x200000, kva);

	close(p[0]);
	close(p[1]);
	close(ro);
	close(fd);
	close(unsealed);
	munmap(map, 2 * PG);
	munmap(map2, 2 * PG);
	uapi_usermem_release(&mem);
}

/* Pinning through a process that has exited fails; earlier pins stay. */
static void test_owner_gone(void **state)
{
	const struct iommufd_user_mem_ops *um;
	struct uapi_usermem mem;
	struct uapi_wire_back b;
	struct uapi_mm *mm, *mm2;
	void *kva, *kva2;
	uint8_t *map;
	int fd, p[2];
	pid_t child;
	char c;

	(void)state;
	uapi_usermem_init(&mem);
	fd = make_memfd(2, true, &map);
	assert_int_equal(pipe(p), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(p[1]);
		if (read(p[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[0]);
	mm = uapi_usermem_mm(&mem, child);
	um = uapi_mm_ops(mm);
	b = back(0x300000, 2 * PG, 0, true);
	assert_ok(uapi_mm_add_back(mm, &b, fd));
	assert_ok(um->pin_page(um, 0x300000, false, &kva));
	/* The same pid finds the same process while it lives. */
	assert_ptr_equal(uapi_usermem_mm(&mem, child), mm);

	close(p[1]);
	assert_int_equal(waitpid(child, NULL, 0), child);
	assert_errno(EFAULT, um->pin_page(um, 0x301000, false, &kva2));
	/*
	 * A pid seen again after its process is gone (and reaped) is a new,
	 * already-exited process: nothing it registers can be pinned.
	 */
	mm2 = uapi_usermem_mm(&mem, child);
	assert_ptr_not_equal(mm2, mm);
	assert_ok(uapi_mm_add_back(mm2, &b, fd));
	assert_errno(EFAULT, uapi_mm_ops(mm2)->pin_page(uapi_mm_ops(mm2), 0x300000,
							 false, &kva2));
	/* The page pinned before is still there and unpins normally. */
	((uint8_t *)kva)[0] = 3;
	assert_int_equal(map[0], 3);
	um->unpin_page(um, 0x300000, kva);
	assert_int_equal(uapi_usermem_pins(&mem), 0);

	close(fd);
	munmap(map, 2 * PG);
	uapi_usermem_release(&mem);
}

/* Copies reach only the segments the shim sent; writes are tracked. */
static void test_copies(void **state)
{
	static uint8_t rec[512];
	const struct iommufd_user_mem_ops *um;
	struct uapi_usermem mem;
	struct uapi_wire_enc e;
	struct uapi_wire_msg m;
	uint8_t tmp[16];
	struct uapi_mm *mm;
	long len;

	(void)state;
	uapi_usermem_init(&mem);
	mm = uapi_usermem_mm(&mem, 0);
	um = uapi_mm_ops(mm);
	uapi_wire_enc_ioctl(&e, rec, sizeof(rec), 1, 0x1000, 0, 2);
	uapi_wire_add_seg(&e, 0x1000, "0123456789", 10);
	uapi_wire_add_seg(&e, 0x100a, "abcdef", 6);	/* adjacent */
	len = uapi_wire_finish(&e, 1);
	assert_true(len > 0);
	assert_ok(uapi_wire_parse(rec, (size_t)len, 1, &m, NULL));
	uapi_usermem_begin(&mem, &m, rec);

	assert_ok(um->copy_from_user(um, tmp, 0x1008, 4));	/* spans both */
	assert_memory_equal(tmp, "89ab", 4);
	assert_errno(EFAULT, um->copy_from_user(um, tmp, 0x100e, 4));
	assert_errno(EFAULT, um->copy_from_user(um, tmp, 0xfff, 2));
	assert_errno(EFAULT, um->copy_from_user(um, tmp, UINT64_MAX - 1, 4));

	/* A copy that would fault part-way writes nothing. */
	assert_errno(EFAULT, um->copy_to_user(um, 0x100e, "WXYZ", 4));
	assert_int_equal(mem.dirty_lo[1], mem.dirty_hi[1]);
	assert_ok(um->copy_to_user(um, 0x1002, "Z", 1));
	assert_ok(um->copy_to_user(um, 0x1005, "Y", 1));
	assert_int_equal(mem.dirty_lo[0], 2);
	assert_int_equal(mem.dirty_hi[0], 6);
	assert_int_equal(mem.dirty_lo[1], mem.dirty_hi[1]);
	assert_ok(um->copy_from_user(um, tmp, 0x1000, 6));
	assert_memory_equal(tmp, "01Z34Y", 6);
	uapi_usermem_end(&mem);
	/* Between requests there is no user memory to copy. */
	assert_errno(EFAULT, um->copy_from_user(um, tmp, 0x1000, 1));
	uapi_usermem_release(&mem);
}

/* ---- the daemon over a real socket ------------------------------------ */

struct raw_client {
	int fd;
	uint8_t reply[4096];
	struct uapi_wire_msg m;
};

/* Send a record with a reply socket; returns the socket to read from. */
static int raw_send(int conn, const void *rec, size_t len)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} cbuf;
	struct iovec iov = { (void *)rec, len };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf),
	};
	struct cmsghdr *cm;
	int sv[2];

	memset(&cbuf, 0, sizeof(cbuf));
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &sv[1], sizeof(int));
	assert_int_equal(sendmsg(conn, &mh, 0), (ssize_t)len);
	close(sv[1]);
	return sv[0];
}

/* Let the daemon serve until idle for a moment. */
static void serve(struct uapi_daemon *d)
{
	assert_errno(ETIMEDOUT, uapi_daemon_run(d, -1, 30));
}

/* Read the reply on rs: its result, or INT32_MIN on EOF (dropped). */
static int32_t raw_reply(int rs, struct raw_client *c)
{
	ssize_t n = recv(rs, c->reply, sizeof(c->reply), MSG_DONTWAIT);

	close(rs);
	if (n <= 0)
		return INT32_MIN;
	assert_ok(uapi_wire_parse(c->reply, (size_t)n, 0, &c->m, NULL));
	return c->m.u.reply.result;
}

static void test_daemon_raw(void **state)
{
	char dir[] = "/tmp/pcilab-test-XXXXXX", path[64];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct uapi_wire_seg seg;
	struct uapi_daemon *d;
	struct raw_client c;
	struct uapi_wire_enc e;
	const uint8_t *data;
	uint8_t rec[256];
	long len;
	int lfd, rs;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s", dir);
	lfd = uapi_listen(path);
	assert_true(lfd >= 0);
	assert_errno(EADDRINUSE, uapi_listen(path));
	d = uapi_daemon_create(lfd);
	assert_false(IS_ERR(d));

	c.fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	strcpy(sa.sun_path, path);
	assert_int_equal(connect(c.fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	serve(d);
	assert_int_equal(uapi_daemon_nr_clients(d), 1);

	/* An ioctl before OPEN: EBADF. */
	uapi_wire_enc_ioctl(&e, rec, sizeof(rec), IOMMU_IOAS_ALLOC, 0x1000, 0, 1);
	uapi_wire_add_seg(&e, 0x1000, &alloc, sizeof(alloc));
	len = uapi_wire_finish(&e, 1);
	rs = raw_send(c.fd, rec, (size_t)len);
	serve(d);
	assert_int_equal(raw_reply(rs, &c), -EBADF);

	uapi_wire_enc_open(&e, rec, sizeof(rec), UAPI_WIRE_DEV_IOMMU, 0);
	len = uapi_wire_finish(&e, 1);
	rs = raw_send(c.fd, rec, (size_t)len);
	serve(d);
	assert_int_equal(raw_reply(rs, &c), 0);
	/* A second OPEN on the same file: refused. */
	rs = raw_send(c.fd, rec, (size_t)len);
	serve(d);
	assert_int_equal(raw_reply(rs, &c), -EBUSY);

	/* IOAS_ALLOC: the struct comes back with out_ioas_id written. */
	uapi_wire_enc_ioctl(&e, rec, sizeof(rec), IOMMU_IOAS_ALLOC, 0x1000, 0, 1);
	uapi_wire_add_seg(&e, 0x1000, &alloc, sizeof(alloc));
	len = uapi_wire_finish(&e, 1);
	rs = raw_send(c.fd, rec, (size_t)len);
	serve(d);
	assert_int_equal(raw_reply(rs, &c), 0);
	assert_int_equal(c.m.nr_segs, 1);
	uapi_wire_seg_get(&c.m, 0, &seg, &data);
	/* iommufd writes the whole struct back (Linux's ucmd respond). */
	assert_int_equal(seg.uaddr, 0x1000);
	assert_int_equal(seg.len, sizeof(alloc));
	assert_int_equal(data[offsetof(struct iommu_ioas_alloc, out_ioas_id)], 1);

	/* The struct pointer not sent: EFAULT, as for unreadable memory. */
	uapi_wire_enc_ioctl(&e, rec, sizeof(rec), IOMMU_IOAS_ALLOC, 0x2000, 0, 0);
	len = uapi_wire_finish(&e, 1);
	rs = raw_send(c.fd, rec, (size_t)len);
	serve(d);
	assert_int_equal(raw_reply(rs, &c), -EFAULT);

	/* A malformed record is dropped (EOF on its reply socket)... */
	rec[0] ^= 0xff;
	rs = raw_send(c.fd, rec, (size_t)len);
	serve(d);
	assert_int_equal(raw_reply(rs, &c), INT32_MIN);
	/* ...without descriptors at all too, and the connection lives on. */
	assert_int_equal(send(c.fd, "x", 1, 0), 1);
	serve(d);
	assert_int_equal(uapi_daemon_nr_clients(d), 1);
	rec[0] ^= 0xff;
	rs = raw_send(c.fd, rec, (size_t)len);
	serve(d);
	assert_int_equal(raw_reply(rs, &c), -EFAULT);

	/* The last close is the file's release. */
	close(c.fd);
	serve(d);
	assert_int_equal(uapi_daemon_nr_clients(d), 0);

	/* The daemon stops when its stop descriptor fires. */
	{
		int p[2];

		assert_int_equal(pipe(p), 0);
		assert_int_equal(write(p[1], "q", 1), 1);
		assert_ok(uapi_daemon_run(d, p[0], -1));
		close(p[0]);
		close(p[1]);
	}
	uapi_daemon_destroy(d);
	unlink(path);
	rmdir(dir);
}

/* One IOAS_ALLOC from the raw client, with fail_nth if not 0. */
static int32_t raw_ioas_alloc(struct uapi_daemon *d, struct raw_client *c,
			      uint32_t fail_nth)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct uapi_wire_ext x = { .fail_nth = fail_nth };
	struct uapi_wire_enc e;
	uint8_t rec[256];
	long len;
	int rs;

	uapi_wire_enc_ioctl(&e, rec, sizeof(rec), IOMMU_IOAS_ALLOC, 0x1000, 0, 1);
	if (fail_nth)
		uapi_wire_add_ext(&e, &x);
	uapi_wire_add_seg(&e, 0x1000, &alloc, sizeof(alloc));
	len = uapi_wire_finish(&e, 1);
	assert_true(len > 0);
	rs = raw_send(c->fd, rec, (size_t)len);
	serve(d);
	return raw_reply(rs, c);
}

static int32_t raw_open(struct uapi_daemon *d, struct raw_client *c,
			uint32_t fail_nth)
{
	struct uapi_wire_ext x = { .fail_nth = fail_nth };
	struct uapi_wire_enc e;
	uint8_t rec[64];
	long len;
	int rs;

	uapi_wire_enc_open(&e, rec, sizeof(rec), UAPI_WIRE_DEV_IOMMU, 0);
	if (fail_nth)
		uapi_wire_add_ext(&e, &x);
	len = uapi_wire_finish(&e, 1);
	assert_true(len > 0);
	rs = raw_send(c->fd, rec, (size_t)len);
	serve(d);
	return raw_reply(rs, c);
}

/*
 * Fault injection through the daemon (docs/daemon.md, "Fault injection"):
 * a version-2 request carries the thread's fail-nth count, the iommufd
 * code serving it counts it down, and the reply says what is left, 0 once
 * the failure was injected. Nothing stays armed after the request.
 */
static void test_daemon_fail_nth(void **state)
{
	char dir[] = "/tmp/pcilab-test-XXXXXX", path[64];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct uapi_daemon *d;
	struct raw_client c;
	uint32_t n, left;
	int lfd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s", dir);
	lfd = uapi_listen(path);
	assert_true(lfd >= 0);
	d = uapi_daemon_create(lfd);
	assert_false(IS_ERR(d));
	c.fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	strcpy(sa.sun_path, path);
	assert_int_equal(connect(c.fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	serve(d);

	/* Not served (no OPEN yet): the count comes back unchanged. */
	assert_int_equal(raw_ioas_alloc(d, &c, 3), -EBADF);
	assert_int_equal(c.m.hdr.version, UAPI_WIRE_VERSION_2);
	assert_int_equal(c.m.ext.fail_nth, 3);

	/* Linux's open allocates the context: the first point fails it. */
	assert_int_equal(raw_open(d, &c, 1), -ENOMEM);
	assert_int_equal(c.m.hdr.version, UAPI_WIRE_VERSION_2);
	assert_int_equal(c.m.ext.fail_nth, 0);
	/* A version-1 request gets a version-1 reply and nothing injected. */
	assert_int_equal(raw_open(d, &c, 0), 0);
	assert_int_equal(c.m.hdr.version, UAPI_WIRE_VERSION_1);
	assert_int_equal(c.m.ext.fail_nth, 0);

	/* Sweep: each n fails, until a count outlasts the command. */
	for (n = 1; n < 100; n++) {
		int32_t rc = raw_ioas_alloc(d, &c, n);

		assert_int_equal(c.m.hdr.version, UAPI_WIRE_VERSION_2);
		left = c.m.ext.fail_nth;
		if (left) {
			assert_int_equal(rc, 0);
			break;
		}
		assert_int_equal(rc, -ENOMEM);
	}
	assert_true(n > 1 && n < 100);
	/* The command passed n - left points; the first IOAS got ID 1. */
	assert_int_equal(left, 1);
	assert_int_equal(c.m.nr_segs, 1);
	/* A large count is counted down by the points passed, and left armed. */
	assert_int_equal(raw_ioas_alloc(d, &c, 1000), 0);
	assert_true(c.m.ext.fail_nth > 990 && c.m.ext.fail_nth < 1000);
	/* Nothing stays armed in the daemon after a request. */
	for (n = 0; n < 20; n++)
		assert_int_equal(raw_ioas_alloc(d, &c, 0), 0);
	assert_false(fault_injected());

	close(c.fd);
	serve(d);
	assert_int_equal(uapi_daemon_nr_clients(d), 0);
	uapi_daemon_destroy(d);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pin_identity_coherence),
		cmocka_unit_test(test_backing_validation),
		cmocka_unit_test(test_owner_gone),
		cmocka_unit_test(test_copies),
		cmocka_unit_test(test_daemon_raw),
		cmocka_unit_test(test_daemon_fail_nth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
