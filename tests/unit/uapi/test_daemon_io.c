// SPDX-License-Identifier: MIT
/*
 * What the daemon serves beyond ioctls (docs/daemon.md): the files behind
 * a client's MAP_SHARED mappings as pinnable memory (unsealed, truncatable,
 * read-only, mapped over and over), pin accounting per page rather than
 * per range, the caller's capabilities and RLIMIT_MEMLOCK taken from its
 * credentials at each request, and read/write/poll of fault fds with
 * Linux's errnos. Clients speak raw records over real sockets, in-process
 * or from a forked child.
 */
#include "test.h"

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/iommufd.h>
#include <iommufd_test.h>

#include "uapi/daemon.h"
#include "uapi/usermem.h"
#include "uapi/wire.h"

#define PG 4096u

static struct uapi_wire_back back(uint64_t uaddr, uint64_t len, uint64_t off,
				  bool writable)
{
	return (struct uapi_wire_back){
		.uaddr = uaddr, .len = len, .offset = off, .fd_index = 1,
		.flags = writable ? UAPI_WIRE_BACK_WRITABLE : 0,
	};
}

/* A file like the one behind a client's MAP_SHARED mapping: no seals. */
static int shared_file(unsigned int npages, uint8_t **map)
{
	int fd = memfd_create("test-shared", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)npages * PG), 0);
	*map = mmap(NULL, (size_t)npages * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(*map != MAP_FAILED);
	return fd;
}

static int reopen(int fd, int flags)
{
	char path[64];
	int nfd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	nfd = open(path, flags | O_CLOEXEC);
	assert_true(nfd >= 0);
	return nfd;
}

/* ---- the FILE_IO record ------------------------------------------------ */

static void test_wire_file_io(void **state)
{
	uint8_t rec[256], copy[256];
	struct uapi_wire_msg m;
	struct uapi_wire_seg seg;
	struct uapi_wire_enc e;
	const uint8_t *data;
	const char *why;
	long len;
	size_t i;

	(void)state;
	uapi_wire_enc_file_io(&e, rec, sizeof(rec), UAPI_WIRE_FILE_WRITE, 0x5000, 24, 1);
	uapi_wire_add_seg(&e, 0x5000, "0123456789abcdefghijklmn", 24);
	len = uapi_wire_finish(&e, 1);
	assert_true(len > 0);
	assert_ok(uapi_wire_parse(rec, (size_t)len, 1, &m, NULL));
	assert_int_equal(m.hdr.type, UAPI_WIRE_FILE_IO);
	assert_int_equal(m.u.file_io.op, UAPI_WIRE_FILE_WRITE);
	assert_int_equal(m.u.file_io.buf, 0x5000);
	assert_int_equal(m.u.file_io.count, 24);
	assert_int_equal(m.nr_segs, 1);
	uapi_wire_seg_get(&m, 0, &seg, &data);
	assert_memory_equal(data, "0123456789abcdefghijklmn", 24);

	/* Exactly one descriptor, the reply socket. */
	assert_int_equal(uapi_wire_parse(rec, (size_t)len, 0, &m, &why), -EBADMSG);
	memcpy(copy, rec, (size_t)len);
	((struct uapi_wire_hdr *)copy)->nr_fds = 2;
	assert_int_equal(uapi_wire_parse(copy, (size_t)len, 2, &m, &why), -EBADMSG);
	assert_string_equal(why, "FILE_IO needs exactly a reply socket");
	/* An unknown operation. */
	memcpy(copy, rec, (size_t)len);
	copy[offsetof(struct uapi_wire_file_io, op)] = 3;
	assert_int_equal(uapi_wire_parse(copy, (size_t)len, 1, &m, &why), -EBADMSG);
	assert_string_equal(why, "unknown FILE_IO operation");
	/* Every truncation, with len fixed up to match, is refused. */
	for (i = 0; i < (size_t)len; i++) {
		struct uapi_wire_hdr h;

		memcpy(copy, rec, i);
		if (i >= sizeof(h)) {
			memcpy(&h, copy, sizeof(h));
			h.len = (uint32_t)i;
			memcpy(copy, &h, sizeof(h));
		}
		assert_int_equal(uapi_wire_parse(copy, i, 1, &m, NULL), -EBADMSG);
	}
	/* Too many segments for the encoder. */
	uapi_wire_enc_file_io(&e, rec, sizeof(rec), UAPI_WIRE_FILE_READ, 0, 0,
			      UAPI_WIRE_MAX_SEGS + 1);
	assert_int_equal(uapi_wire_finish(&e, 1), -EINVAL);
}

/* ---- client files as pinnable memory ---------------------------------- */

static void test_shared_file(void **state)
{
	const struct iommufd_user_mem_ops *um;
	struct uapi_usermem mem;
	struct uapi_wire_back b;
	struct uapi_mm *mm;
	void *kva, *kva2;
	uint8_t *client;
	int fd, ro;

	(void)state;
	uapi_usermem_init(&mem);
	mm = uapi_usermem_mm(&mem, 0);
	um = uapi_mm_ops(mm);
	fd = shared_file(3, &client);
	ro = reopen(fd, O_RDONLY);

	/* Read-only descriptor: fine for a read-only range, not a writable one. */
	b = back(0x400000, 3 * PG, 0, true);
	assert_errno(EBADF, uapi_mm_add_back(mm, &b, ro));
	b = back(0x400000, 3 * PG, 0, false);
	assert_ok(uapi_mm_add_back(mm, &b, ro));
	assert_errno(EPERM, um->pin_page(um, 0x401000, true, &kva));
	assert_ok(um->pin_page(um, 0x401000, false, &kva));
	client[PG + 1] = 0x11;
	assert_int_equal(((uint8_t *)kva)[1], 0x11);

	/*
	 * The same file mapped writable later: the daemon's mapping becomes
	 * writable in place, so the page pinned read-only keeps its pointer.
	 */
	b = back(0x400000, 3 * PG, 0, true);
	assert_ok(uapi_mm_add_back(mm, &b, fd));
	assert_ok(um->pin_page(um, 0x401000, true, &kva2));
	assert_ptr_equal(kva, kva2);
	((uint8_t *)kva2)[2] = 0x22;
	assert_int_equal(client[PG + 2], 0x22);

	/* Past the file's end: refused. */
	b = back(0x500000, 2 * PG, 2 * PG, true);
	assert_errno(EINVAL, uapi_mm_add_back(mm, &b, fd));

	um->unpin_page(um, 0x401000, kva);
	um->unpin_page(um, 0x401000, kva2);
	assert_int_equal(uapi_usermem_pins(&mem), 0);
	close(ro);
	close(fd);
	munmap(client, 3 * PG);
	uapi_usermem_release(&mem);
}

/*
 * A shared file truncated under the daemon: pinning past the new end
 * fails as it would in Linux, and a page pinned before stays usable (the
 * SIGBUS guard gives the daemon a private page) instead of killing it.
 */
static void test_shared_file_truncated(void **state)
{
	const struct iommufd_user_mem_ops *um;
	struct uapi_usermem mem;
	struct uapi_wire_back b;
	struct uapi_mm *mm;
	volatile uint8_t *p;
	uint8_t *client;
	void *kva, *kva2;
	int fd;

	(void)state;
	uapi_usermem_init(&mem);
	mm = uapi_usermem_mm(&mem, 0);
	um = uapi_mm_ops(mm);
	fd = shared_file(2, &client);
	client[PG] = 7;
	b = back(0x600000, 2 * PG, 0, true);
	assert_ok(uapi_mm_add_back(mm, &b, fd));
	assert_ok(um->pin_page(um, 0x601000, true, &kva));
	assert_int_equal(((uint8_t *)kva)[0], 7);

	munmap(client, 2 * PG);
	assert_int_equal(ftruncate(fd, PG), 0);
	assert_errno(EFAULT, um->pin_page(um, 0x601000, false, &kva2));
	assert_ok(um->pin_page(um, 0x600000, false, &kva2));
	um->unpin_page(um, 0x600000, kva2);

	p = kva;
	p[5] = 9;		/* would be SIGBUS without the guard */
	assert_int_equal(p[5], 9);
	assert_int_equal(p[0], 0);	/* a fresh page: the file's is gone */

	um->unpin_page(um, 0x601000, kva);
	assert_int_equal(uapi_usermem_pins(&mem), 0);
	close(fd);
	uapi_usermem_release(&mem);
}

/*
 * The same buffer mapped again and again (area_auto_iova): ranges overlap
 * and name the same pages. Pins are counted per page whatever range led
 * to them, so unpins in any order balance, and a page pinned through a
 * range that a newer one hides stays pinned and mapped.
 */
static void test_overlapping_ranges(void **state)
{
	const struct iommufd_user_mem_ops *um;
	struct uapi_usermem mem;
	struct uapi_wire_back b;
	struct uapi_mm *mm;
	void *kva[10], *again;
	uint8_t *client;
	unsigned int i;
	int fd;

	(void)state;
	uapi_usermem_init(&mem);
	mm = uapi_usermem_mm(&mem, 0);
	um = uapi_mm_ops(mm);
	fd = shared_file(10, &client);
	for (i = 0; i < 10; i++) {
		b = back(0x700000, (i + 1) * PG, 0, true);
		assert_ok(uapi_mm_add_back(mm, &b, fd));
		assert_ok(um->pin_page(um, 0x700000 + i * PG, true, &kva[i]));
		assert_ok(um->pin_page(um, 0x700000, true, &again));
		assert_ptr_equal(again, kva[0]);
	}
	assert_int_equal(uapi_usermem_pins(&mem), 20);
	/* A different file over the same addresses hides all of them. */
	{
		uint8_t *other;
		int fd2 = shared_file(10, &other);

		b = back(0x700000, 10 * PG, 0, true);
		assert_ok(uapi_mm_add_back(mm, &b, fd2));
		assert_ok(um->pin_page(um, 0x700000, true, &again));
		assert_ptr_not_equal(again, kva[0]);
		um->unpin_page(um, 0x700000, again);
		close(fd2);
		munmap(other, 10 * PG);
	}
	/* The first file's pages stay pinned and mapped. */
	munmap(client, 10 * PG);
	close(fd);
	((uint8_t *)kva[9])[0] = 1;
	for (i = 10; i-- > 0;) {
		um->unpin_page(um, 0x700000 + i * PG, kva[i]);
		um->unpin_page(um, 0x700000, kva[0]);
	}
	assert_int_equal(uapi_usermem_pins(&mem), 0);
	uapi_usermem_release(&mem);
}

/* mm_alive: what iommufd asks before reading through a process's memory. */
static void test_mm_alive(void **state)
{
	const struct iommufd_user_mem_ops *um;
	struct uapi_usermem mem;
	int p[2];
	pid_t child;
	char c;

	(void)state;
	uapi_usermem_init(&mem);
	assert_int_equal(pipe(p), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(p[1]);
		_exit(read(p[0], &c, 1) < 0);
	}
	close(p[0]);
	um = uapi_mm_ops(uapi_usermem_mm(&mem, child));
	assert_true(um->mm_alive(um));
	close(p[1]);
	assert_int_equal(waitpid(child, NULL, 0), child);
	assert_false(um->mm_alive(um));
	uapi_usermem_release(&mem);
}

/* ---- raw clients of a daemon ------------------------------------------ */

struct world {
	char dir[32], path[64];
	struct uapi_daemon *d;
};

static void world_up(struct world *w)
{
	int lfd;

	strcpy(w->dir, "/tmp/pcilab-io-XXXXXX");
	assert_non_null(mkdtemp(w->dir));
	snprintf(w->path, sizeof(w->path), "%s/s", w->dir);
	lfd = uapi_listen(w->path);
	assert_true(lfd >= 0);
	w->d = uapi_daemon_create(lfd);
	assert_false(IS_ERR(w->d));
}

static void world_down(struct world *w)
{
	uapi_daemon_destroy(w->d);
	unlink(w->path);
	rmdir(w->dir);
}

/* Serve until idle for a moment (in-process clients). */
static void serve(struct world *w)
{
	assert_errno(ETIMEDOUT, uapi_daemon_run(w->d, -1, 20));
}

static int client_connect(const struct world *w)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	strcpy(sa.sun_path, w->path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Send rec on sock with a fresh reply socket plus extra (if >= 0); serve
 * if w (in-process), then read the reply: its segments are copied to the
 * addresses they name (the client is this process). Returns the result,
 * INT32_MIN if the daemon dropped the request; *new_fd gets a descriptor
 * that came with the reply.
 */
static int32_t xfer(struct world *w, int sock, const void *rec, long len, int extra,
		    int *new_fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(2 * sizeof(int))];
	} cbuf;
	static uint8_t reply[8192];
	struct iovec iov = { (void *)rec, (size_t)len };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.buf,
		.msg_controllen = CMSG_SPACE((extra >= 0 ? 2 : 1) * sizeof(int)),
	};
	struct uapi_wire_msg m;
	struct cmsghdr *cm;
	int sv[2], fds[2];
	unsigned int i, got = 0;
	ssize_t n;

	if (new_fd)
		*new_fd = -1;
	if (len < 0 || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return INT32_MIN + 1;
	memset(&cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN((extra >= 0 ? 2 : 1) * sizeof(int));
	fds[0] = sv[1];
	fds[1] = extra;
	memcpy(CMSG_DATA(cm), fds, (extra >= 0 ? 2 : 1) * sizeof(int));
	n = sendmsg(sock, &mh, 0);
	close(sv[1]);
	if (n != len) {
		close(sv[0]);
		return INT32_MIN + 2;
	}
	if (w)
		serve(w);
	memset(&mh, 0, sizeof(mh));
	iov = (struct iovec){ reply, sizeof(reply) };
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.buf;
	mh.msg_controllen = sizeof(cbuf.buf);
	n = recvmsg(sv[0], &mh, w ? MSG_DONTWAIT : 0);
	close(sv[0]);
	for (cm = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL; cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_type == SCM_RIGHTS) {
			memcpy(&fds[0], CMSG_DATA(cm), sizeof(int));
			got = 1;
			if (new_fd)
				*new_fd = fds[0];
			else
				close(fds[0]);
		}
	if (n <= 0 || uapi_wire_parse(reply, (size_t)n, got, &m, NULL))
		return INT32_MIN;
	for (i = 0; i < m.nr_segs; i++) {
		struct uapi_wire_seg seg;
		const uint8_t *data;

		uapi_wire_seg_get(&m, i, &seg, &data);
		memcpy((void *)(uintptr_t)seg.uaddr, data, seg.len);
	}
	return m.u.reply.result;
}

static int32_t do_open(struct world *w, int sock)
{
	uint8_t rec[64];
	struct uapi_wire_enc e;

	uapi_wire_enc_open(&e, rec, sizeof(rec), UAPI_WIRE_DEV_IOMMU, O_RDWR);
	return xfer(w, sock, rec, uapi_wire_finish(&e, 1), -1, NULL);
}

/* An ioctl whose struct (and one array, if any) are sent from here. */
static int32_t do_ioctl(struct world *w, int sock, uint32_t cmd, void *st,
			uint32_t size, const void *arr, uint32_t arr_len,
			const struct uapi_wire_back *bk, int bfd, int *new_fd)
{
	static uint8_t rec[8192];
	struct uapi_wire_enc e;

	uapi_wire_enc_ioctl(&e, rec, sizeof(rec), cmd, (uintptr_t)st, bk ? 1 : 0,
			    arr ? 2 : 1);
	if (bk)
		uapi_wire_add_back(&e, bk);
	uapi_wire_add_seg(&e, (uintptr_t)st, st, size);
	if (arr)
		uapi_wire_add_seg(&e, (uintptr_t)arr, arr, arr_len);
	return xfer(w, sock, rec, uapi_wire_finish(&e, bk ? 2 : 1), bk ? bfd : -1,
		    new_fd);
}

/* read/write of a file's socket as the shim does it (drain, then ask). */
static int32_t do_file_io(struct world *w, int ffd, uint32_t op, void *buf,
			  uint64_t count, bool send_buf)
{
	static uint8_t rec[8192];
	struct uapi_wire_enc e;
	char tok[8];

	if (op == UAPI_WIRE_FILE_READ)
		while (recv(ffd, tok, sizeof(tok), MSG_DONTWAIT) > 0)
			;
	uapi_wire_enc_file_io(&e, rec, sizeof(rec), op, (uintptr_t)buf, count,
			      send_buf ? 1 : 0);
	if (send_buf)
		uapi_wire_add_seg(&e, (uintptr_t)buf, buf, (uint32_t)count);
	return xfer(w, ffd, rec, uapi_wire_finish(&e, 1), -1, NULL);
}

static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };

	assert_int_equal(poll(&p, 1, 0), 1);
	assert_true(p.revents & POLLOUT);	/* like Linux: always writable */
	return p.revents & POLLIN;
}

#define TEST_CMD(op_) { .size = sizeof(struct iommu_test_cmd), .op = (op_) }

static void test_fault_fd_io(void **state)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_fault_alloc fa = { .size = sizeof(fa) };
	struct iommu_hwpt_alloc parent = { .size = sizeof(parent) };
	struct iommu_hwpt_alloc nested = { .size = sizeof(nested) };
	struct iommu_test_cmd md = TEST_CMD(IOMMU_TEST_OP_MOCK_DOMAIN);
	struct iommu_test_cmd repl = TEST_CMD(IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE);
	struct iommu_test_cmd trig = TEST_CMD(IOMMU_TEST_OP_TRIGGER_IOPF);
	struct iommu_test_cmd acc = TEST_CMD(IOMMU_TEST_OP_CREATE_ACCESS);
	struct iommu_hwpt_pgfault pf[3];
	struct iommu_hwpt_page_response resp[2];
	uint8_t rec[128];
	struct uapi_wire_enc e;
	struct world w;
	int sock, ffd, afd;

	(void)state;
	world_up(&w);
	sock = client_connect(&w);
	assert_true(sock >= 0);
	assert_int_equal(do_open(&w, sock), 0);
	assert_int_equal(do_ioctl(&w, sock, IOMMU_IOAS_ALLOC, &alloc, sizeof(alloc),
				  NULL, 0, NULL, -1, NULL), 0);
	md.id = alloc.out_ioas_id;
	assert_int_equal(do_ioctl(&w, sock, IOMMU_TEST_CMD, &md, sizeof(md), NULL, 0,
				  NULL, -1, NULL), 0);
	assert_int_equal(do_ioctl(&w, sock, IOMMU_FAULT_QUEUE_ALLOC, &fa, sizeof(fa),
				  NULL, 0, NULL, -1, &ffd), 0);
	assert_true(ffd >= 0);
	/* A plain descriptor, as Linux's O_RDWR fault file. */
	assert_false(fcntl(ffd, F_GETFL) & O_NONBLOCK);
	parent.flags = IOMMU_HWPT_ALLOC_NEST_PARENT;
	parent.dev_id = md.mock_domain.out_idev_id;
	parent.pt_id = alloc.out_ioas_id;
	assert_int_equal(do_ioctl(&w, sock, IOMMU_HWPT_ALLOC, &parent, sizeof(parent),
				  NULL, 0, NULL, -1, NULL), 0);
	nested.flags = IOMMU_HWPT_FAULT_ID_VALID;
	nested.dev_id = md.mock_domain.out_idev_id;
	nested.pt_id = parent.out_hwpt_id;
	nested.data_type = IOMMU_HWPT_DATA_SELFTEST;
	nested.data_len = sizeof(data);
	nested.data_uptr = (uintptr_t)&data;
	nested.fault_id = fa.out_fault_id;
	assert_int_equal(do_ioctl(&w, sock, IOMMU_HWPT_ALLOC, &nested, sizeof(nested),
				  &data, sizeof(data), NULL, -1, NULL), 0);
	repl.id = md.mock_domain.out_stdev_id;
	repl.mock_domain_replace.pt_id = nested.out_hwpt_id;
	assert_int_equal(do_ioctl(&w, sock, IOMMU_TEST_CMD, &repl, sizeof(repl), NULL,
				  0, NULL, -1, NULL), 0);

	/* Nothing pending: not readable, a read returns 0. */
	assert_false(readable(ffd));
	assert_int_equal(do_file_io(&w, ffd, UAPI_WIRE_FILE_READ, pf, sizeof(pf[0]),
				    true), 0);

	trig.trigger_iopf.dev_id = md.mock_domain.out_idev_id;
	trig.trigger_iopf.pasid = 1;
	trig.trigger_iopf.grpid = 2;
	trig.trigger_iopf.perm = IOMMU_PGFAULT_PERM_READ;
	trig.trigger_iopf.addr = 0xdeadbeaf;
	assert_int_equal(do_ioctl(&w, sock, IOMMU_TEST_CMD, &trig, sizeof(trig), NULL,
				  0, NULL, -1, NULL), 0);
	/* Readable as soon as the ioctl returned. */
	assert_true(readable(ffd));

	/* Linux's errnos: partial records, none fitting, unsent buffer. */
	assert_int_equal(do_file_io(&w, ffd, UAPI_WIRE_FILE_READ, pf, 47, true), -ESPIPE);
	assert_int_equal(do_file_io(&w, ffd, UAPI_WIRE_FILE_READ, pf, 0, true), -EINVAL);
	assert_int_equal(do_file_io(&w, ffd, UAPI_WIRE_FILE_READ, pf, sizeof(pf[0]),
				    false), -EFAULT);
	assert_int_equal(do_file_io(&w, ffd, UAPI_WIRE_FILE_READ,
				    (void *)(uintptr_t)0x7ffffffff000ull,
				    sizeof(pf[0]), false), -EFAULT);
	/*
	 * A count past MAX_RW_COUNT is cut to it first: not a whole record
	 * (from a low address, so that access_ok() passes whatever ASLR did).
	 */
	assert_int_equal(do_file_io(&w, ffd, UAPI_WIRE_FILE_READ,
				    (void *)(uintptr_t)0x10000, 0x80000000ull,
				    false), -ESPIPE);
	/* None of that consumed the fault. */
	assert_true(readable(ffd));

	memset(pf, 0, sizeof(pf));
	assert_int_equal(do_file_io(&w, ffd, UAPI_WIRE_FILE_READ, pf, sizeof(pf),
				    true), sizeof(pf[0]));
	assert_int_equal(pf[0].dev_id, md.mock_domain.out_idev_id);
	assert_int_equal(pf[0].pasid, 1);
	assert_int_equal(pf[0].grpid, 2);
	assert_int_equal(pf[0].addr, 0xdeadbeaf);
	assert_true(pf[0].flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE);
	assert_int_equal(pf[1].cookie, 0);	/* only one record written */
	assert_false(readable(ffd));

	/* Responses: whole records, a known code and cookie. */
	memset(resp, 0, sizeof(resp));
	resp[0].cookie = pf[0].cookie;
	resp[0].code = IOMMUFD_PAGE_RESP_SUCCESS;
	assert_int_equal(do_file_io(&w, ffd, UAPI_WIRE_FILE_WRITE, resp,
				    sizeof(resp[0]) - 1, true), -ESPIPE);
	resp[0].code = 7;
	assert_int_equal(do_file_io(&w, ffd, UAPI_WIRE_FILE_WRITE, resp,
				    sizeof(resp[0]), true), -EINVAL);
	resp[0].code = IOMMUFD_PAGE_RESP_SUCCESS;
	resp[1] = resp[0];
	resp[1].cookie = pf[0].cookie + 100;
	/* The first is answered, the unknown second stops the write. */
	assert_int_equal(do_file_io(&w, ffd, UAPI_WIRE_FILE_WRITE, resp, sizeof(resp),
				    true), sizeof(resp[0]));
	assert_int_equal(do_file_io(&w, ffd, UAPI_WIRE_FILE_WRITE, resp,
				    sizeof(resp[0]), true), -EINVAL);

	/* Two faults, read one at a time: readable until both are read. */
	assert_int_equal(do_ioctl(&w, sock, IOMMU_TEST_CMD, &trig, sizeof(trig), NULL,
				  0, NULL, -1, NULL), 0);
	assert_int_equal(do_ioctl(&w, sock, IOMMU_TEST_CMD, &trig, sizeof(trig), NULL,
				  0, NULL, -1, NULL), 0);
	assert_true(readable(ffd));
	assert_int_equal(do_file_io(&w, ffd, UAPI_WIRE_FILE_READ, pf, sizeof(pf[0]),
				    true), sizeof(pf[0]));
	assert_true(readable(ffd));
	assert_int_equal(do_file_io(&w, ffd, UAPI_WIRE_FILE_READ, &pf[1], sizeof(pf[0]),
				    true), sizeof(pf[0]));
	assert_false(readable(ffd));
	assert_int_not_equal(pf[0].cookie, pf[1].cookie);

	/* An access file has no read or write in Linux: EINVAL. */
	acc.id = alloc.out_ioas_id;
	assert_int_equal(do_ioctl(&w, sock, IOMMU_TEST_CMD, &acc, sizeof(acc), NULL, 0,
				  NULL, -1, &afd), 0);
	assert_true(afd >= 0);
	assert_int_equal(do_file_io(&w, afd, UAPI_WIRE_FILE_READ, pf, sizeof(pf[0]),
				    true), -EINVAL);
	close(afd);

	/* A malformed record on a file is dropped; the file lives on. */
	uapi_wire_enc_file_io(&e, rec, sizeof(rec), 3, (uintptr_t)pf, 48, 0);
	assert_int_equal(xfer(&w, ffd, rec, uapi_wire_finish(&e, 1), -1, NULL),
			 INT32_MIN);
	assert_int_equal(do_file_io(&w, ffd, UAPI_WIRE_FILE_READ, pf, sizeof(pf[0]),
				    true), 0);

	close(ffd);
	close(sock);
	serve(&w);
	assert_int_equal(uapi_daemon_nr_clients(w.d), 0);
	world_down(&w);
}

/* ---- the caller's credentials ----------------------------------------- */

static bool have_cap(unsigned int cap)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &h, d))
		return false;
	return d[CAP_TO_INDEX(cap)].effective & CAP_TO_MASK(cap);
}

static int drop_caps(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_TO_INDEX(CAP_IPC_LOCK)].effective &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	d[CAP_TO_INDEX(CAP_SYS_RESOURCE)].effective &= ~CAP_TO_MASK(CAP_SYS_RESOURCE);
	return (int)syscall(SYS_capset, &h, d);
}

/*
 * The child is the client (the daemon serves in the parent), so that the
 * caller's credentials are not the daemon's. Returns the number of the
 * first step that went wrong, 0 if none.
 */
static int creds_client(struct world *w, bool sys_resource)
{
	struct iommu_option opt = {
		.size = sizeof(opt), .option_id = IOMMU_OPTION_RLIMIT_MODE,
		.op = IOMMU_OPTION_OP_SET, .val64 = 1,
	};
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_test_cmd md = TEST_CMD(IOMMU_TEST_OP_MOCK_DOMAIN);
	struct iommu_ioas_map map = { .size = sizeof(map) };
	struct uapi_wire_back bk;
	struct rlimit rl;
	uint8_t *buf;
	int sock, mfd;

	sock = client_connect(w);
	if (sock < 0 || do_open(NULL, sock))
		return 1;
	/* capable(CAP_SYS_RESOURCE) of the caller, as it is. */
	if (do_ioctl(NULL, sock, IOMMU_OPTION, &opt, sizeof(opt), NULL, 0, NULL, -1,
		     NULL) != (sys_resource ? 0 : -EPERM))
		return 2;
	/* Dropped now: the next request sees the new set. */
	opt.val64 = 0;
	if (drop_caps() ||
	    do_ioctl(NULL, sock, IOMMU_OPTION, &opt, sizeof(opt), NULL, 0, NULL, -1,
		     NULL) != -EPERM)
		return 3;
	/* Without CAP_IPC_LOCK pins are charged against the caller's limit. */
	if (getrlimit(RLIMIT_MEMLOCK, &rl) || rl.rlim_max < 2 * PG)
		return 0;	/* cannot lower and raise it here */
	rl.rlim_cur = PG;
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		return 4;
	if (do_ioctl(NULL, sock, IOMMU_IOAS_ALLOC, &alloc, sizeof(alloc), NULL, 0,
		     NULL, -1, NULL))
		return 5;
	md.id = alloc.out_ioas_id;
	if (do_ioctl(NULL, sock, IOMMU_TEST_CMD, &md, sizeof(md), NULL, 0, NULL, -1,
		     NULL))
		return 6;
	mfd = memfd_create("test-creds", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0 || ftruncate(mfd, 2 * PG) ||
	    fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL))
		return 7;
	buf = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (buf == MAP_FAILED)
		return 7;
	map.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;
	map.ioas_id = alloc.out_ioas_id;
	map.user_va = (uintptr_t)buf;
	map.length = 2 * PG;
	bk = back((uintptr_t)buf, 2 * PG, 0, true);
	if (do_ioctl(NULL, sock, IOMMU_IOAS_MAP, &map, sizeof(map), NULL, 0, &bk, mfd,
		     NULL) != -ENOMEM)
		return 8;
	rl.rlim_cur = 2 * PG;
	if (setrlimit(RLIMIT_MEMLOCK, &rl) ||
	    do_ioctl(NULL, sock, IOMMU_IOAS_MAP, &map, sizeof(map), NULL, 0, &bk, mfd,
		     NULL))
		return 9;
	close(sock);
	return 0;
}

static void test_caller_creds(void **state)
{
	bool sys_resource = have_cap(CAP_SYS_RESOURCE);
	struct world w;
	int status;
	pid_t child;

	(void)state;
	world_up(&w);
	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(creds_client(&w, sys_resource));
	while (waitpid(child, &status, WNOHANG) == 0)
		assert_errno(ETIMEDOUT, uapi_daemon_run(w.d, -1, 10));
	serve(&w);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(uapi_daemon_nr_clients(w.d), 0);
	world_down(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire_file_io),
		cmocka_unit_test(test_shared_file),
		cmocka_unit_test(test_shared_file_truncated),
		cmocka_unit_test(test_overlapping_ranges),
		cmocka_unit_test(test_mm_alive),
		cmocka_unit_test(test_fault_fd_io),
		cmocka_unit_test(test_caller_creds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
