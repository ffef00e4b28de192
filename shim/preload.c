// SPDX-License-Identifier: MIT
/*
 * libpcilab-preload.so: the LD_PRELOAD shim. Inside a client process it
 * turns open("/dev/iommu") into a connection to the daemon named by
 * $PCILAB_SOCKET and ioctl() on such a descriptor into a request
 * (uapi_wire.h). See docs/daemon.md for the whole design and its limits.
 *
 * The descriptor the program gets is the connected socket itself, so dup,
 * dup2, fcntl(F_DUPFD), fork, SCM_RIGHTS, poll and close behave as for any
 * file; the daemon sees the last close as EOF. Our descriptors are
 * recognised by the abstract name their socket is bound to
 * ("\0pcilab-iommu:..."), not by a table, so every copy of one is ours.
 *
 * Client memory: the shim copies the ioctl struct and the small arrays it
 * points to into the request, and stores back what the daemon wrote. For
 * memory that gets pinned (IOAS_MAP and the selftest commands that pin) it
 * passes the file the daemon should map: for a MAP_SHARED mapping the file
 * behind it (through /proc/self/map_files), so that every process sharing
 * it stays coherent with the IOAS; for private memory a sealed MAP_SHARED
 * memfd holding the same bytes at the same address, swapped in for the
 * old pages. Either way the daemon's view is coherent with the program's
 * and outlives munmap/exit. A pthread_atfork child handler gives a forked
 * child private copies of privately mapped re-backed ranges, as Linux's
 * fork copies pinned anonymous pages.
 *
 * read/write/readv/writev on a fault fd (a socket whose peer is the
 * daemon's "\0pcilab-file:..." end) become FILE_IO requests; see
 * fileio.c. Re-backing lives in reback.c; shim.h is what the files share.
 *
 * Built without sanitizers and against nothing but libc: it lives inside
 * arbitrary programs.
 */
#include "shim.h"

int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_openat64)(int, const char *, int, ...);
static int (*real___open_2)(const char *, int);
static int (*real___open64_2)(const char *, int);
static int (*real___openat_2)(int, const char *, int);
static int (*real___openat64_2)(int, const char *, int);
static int (*real_ioctl)(int, unsigned long, ...);

static unsigned int shim_conn_seq;

__attribute__((constructor)) static void shim_init(void)
{
	real_open = dlsym(RTLD_NEXT, "open");
	real_open64 = dlsym(RTLD_NEXT, "open64");
	real_openat = dlsym(RTLD_NEXT, "openat");
	real_openat64 = dlsym(RTLD_NEXT, "openat64");
	real___open_2 = dlsym(RTLD_NEXT, "__open_2");
	real___open64_2 = dlsym(RTLD_NEXT, "__open64_2");
	real___openat_2 = dlsym(RTLD_NEXT, "__openat_2");
	real___openat64_2 = dlsym(RTLD_NEXT, "__openat64_2");
	real_ioctl = dlsym(RTLD_NEXT, "ioctl");
	pthread_atfork(shim_atfork_prepare, shim_atfork_parent, shim_atfork_child);
}

/* ---- the caller's memory, read and written without faulting ---------- */

int shim_mem_read(void *dst, uint64_t uaddr, size_t len)
{
	struct iovec l = { dst, len }, r = { (void *)(uintptr_t)uaddr, len };

	if (!len)
		return 0;
	if (process_vm_readv(getpid(), &l, 1, &r, 1, 0) == (ssize_t)len)
		return 0;
	return -EFAULT;
}

int shim_mem_write(uint64_t uaddr, const void *src, size_t len)
{
	struct iovec l = { (void *)src, len }, r = { (void *)(uintptr_t)uaddr, len };

	if (!len)
		return 0;
	if (process_vm_writev(getpid(), &l, 1, &r, 1, 0) == (ssize_t)len)
		return 0;
	return -EFAULT;
}

/* ---- recognising our descriptors -------------------------------------- */

static bool shim_is_ours(int fd)
{
	struct sockaddr_un sa;
	socklen_t len = sizeof(sa);
	size_t plen = strlen(SHIM_NAME_PREFIX);
	int saved = errno;
	bool ours;

	ours = getsockname(fd, (struct sockaddr *)&sa, &len) == 0 &&
	       sa.sun_family == AF_UNIX &&
	       len >= offsetof(struct sockaddr_un, sun_path) + 1 + plen &&
	       sa.sun_path[0] == '\0' &&
	       !memcmp(sa.sun_path + 1, SHIM_NAME_PREFIX, plen);
	errno = saved;
	return ours;
}

/* A file the daemon created (access/fault fd): its peer has our name. */
bool shim_is_file(int fd)
{
	struct sockaddr_un sa;
	socklen_t len = sizeof(sa);
	size_t plen = strlen(UAPI_WIRE_FILE_PREFIX);
	int saved = errno;
	bool ours;

	ours = getpeername(fd, (struct sockaddr *)&sa, &len) == 0 &&
	       sa.sun_family == AF_UNIX &&
	       len >= offsetof(struct sockaddr_un, sun_path) + 1 + plen &&
	       sa.sun_path[0] == '\0' &&
	       !memcmp(sa.sun_path + 1, UAPI_WIRE_FILE_PREFIX, plen);
	errno = saved;
	return ours;
}

/* ---- one request, one reply ------------------------------------------- */

/*
 * Send msg on the connection with a fresh reply socket plus fds, and wait
 * for the reply into rbuf. Returns the reply's result (0 or -errno), or
 * -EIO when the daemon dropped the request, and fills *reply.
 */
long shim_request(int conn, const void *msg, size_t len, const int *fds,
		  unsigned int nr_fds, uint8_t *rbuf, size_t rcap,
		  struct uapi_wire_msg *reply, bool *replied, int *new_fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * UAPI_WIRE_MAX_FDS)];
	} cbuf;
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * UAPI_WIRE_MAX_REPLY_FDS)];
	} rcbuf;
	struct iovec riov = { rbuf, rcap };
	struct msghdr rmh = { .msg_iov = &riov, .msg_iovlen = 1,
			      .msg_control = rcbuf.buf,
			      .msg_controllen = sizeof(rcbuf.buf) };
	unsigned int got = 0;
	struct iovec iov = { (void *)msg, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	int all[UAPI_WIRE_MAX_FDS], sv[2], bufsz = SHIM_SOCKBUF;
	struct cmsghdr *cm;
	ssize_t n;

	*replied = false;
	*new_fd = -1;
	if (nr_fds + 1 > UAPI_WIRE_MAX_FDS)
		return -EINVAL;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz));
	setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	all[0] = sv[1];
	if (nr_fds)
		memcpy(all + 1, fds, nr_fds * sizeof(int));
	memset(&cbuf, 0, sizeof(cbuf));
	mh.msg_control = cbuf.buf;
	mh.msg_controllen = CMSG_SPACE(sizeof(int) * (nr_fds + 1));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * (nr_fds + 1));
	memcpy(CMSG_DATA(cm), all, sizeof(int) * (nr_fds + 1));
	do
		n = sendmsg(conn, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	close(sv[1]);	/* the daemon holds the only other copy now */
	if (n != (ssize_t)len) {
		int err = n < 0 ? errno : EIO;

		close(sv[0]);
		return err == EMSGSIZE || err == ENOBUFS ? -ENOMEM : -EIO;
	}
	do
		n = recvmsg(sv[0], &rmh, MSG_TRUNC | MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	close(sv[0]);
	/* A new file (access or fault fd) comes with the reply. */
	for (cm = n > 0 ? CMSG_FIRSTHDR(&rmh) : NULL; cm; cm = CMSG_NXTHDR(&rmh, cm)) {
		size_t k, i;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(fd));
			if (*new_fd < 0)
				*new_fd = fd;
			else
				close(fd);
			got++;
		}
	}
	if (n <= 0 || (size_t)n > rcap || (rmh.msg_flags & MSG_CTRUNC) ||
	    uapi_wire_parse(rbuf, (size_t)n, got, reply, NULL) ||
	    reply->hdr.type != UAPI_WIRE_REPLY) {
		if (*new_fd >= 0)
			close(*new_fd);
		*new_fd = -1;
		return -EIO;
	}
	*replied = true;
	return reply->u.reply.result;
}

/* ---- open -------------------------------------------------------------- */

static bool shim_wants(const char *path)
{
	return path && !strcmp(path, "/dev/iommu") && getenv("PCILAB_SOCKET");
}

static int shim_open_iommu(int flags)
{
	const char *path = getenv("PCILAB_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct uapi_wire_msg reply;
	struct uapi_wire_enc e;
	uint8_t req[64], rbuf[64];
	int fd, i, bufsz = SHIM_SOCKBUF, saved = errno;
	bool replied = false;
	uint32_t nth;
	long rc;
	int nfd = -1;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | ((flags & O_CLOEXEC) ? SOCK_CLOEXEC : 0), 0);
	if (fd < 0)
		return -1;
	/* The abstract name marks the descriptor (and every copy) as ours. */
	for (i = 0; i < 64; i++) {
		struct sockaddr_un me = { .sun_family = AF_UNIX };
		struct timespec ts;
		int n;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		n = snprintf(me.sun_path + 1, sizeof(me.sun_path) - 1,
			     SHIM_NAME_PREFIX "%d:%u:%lx", (int)getpid(),
			     __atomic_fetch_add(&shim_conn_seq, 1, __ATOMIC_RELAXED),
			     (unsigned long)ts.tv_nsec);
		if (!bind(fd, (struct sockaddr *)&me,
			  (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)))
			break;
		if (errno != EADDRINUSE)
			goto err_close;
	}
	if (i == 64)
		goto err_close;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz));
	strcpy(sa.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		/* No daemon: as if the device node did not exist. */
		errno = ENOENT;
		goto err_close_keep_errno;
	}
	uapi_wire_enc_open(&e, req, sizeof(req), UAPI_WIRE_DEV_IOMMU, (uint32_t)flags);
	nth = shim_failnth_arm(&e);
	rc = uapi_wire_finish(&e, 1);
	if (rc > 0)
		rc = shim_request(fd, req, (size_t)rc, NULL, 0, rbuf, sizeof(rbuf), &reply,
				  &replied, &nfd);
	if (replied)
		shim_failnth_update(nth, &reply);
	if (nfd >= 0)
		close(nfd);
	if (rc) {
		errno = (int)-rc;
		goto err_close_keep_errno;
	}
	errno = saved;
	return fd;

err_close:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
err_close_keep_errno:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

static mode_t shim_mode(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
}

SHIM_API int open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;
	int fd;

	if (shim_wants(path))
		return shim_open_iommu(flags);
	va_start(ap, flags);
	mode = shim_mode(flags, ap);
	va_end(ap);
	if (shim_emul_open(path, flags, mode, &fd))
		return fd;
	return real_open(path, flags, mode);
}

SHIM_API int open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;
	int fd;

	if (shim_wants(path))
		return shim_open_iommu(flags);
	va_start(ap, flags);
	mode = shim_mode(flags, ap);
	va_end(ap);
	if (shim_emul_open(path, flags, mode, &fd))
		return fd;
	return real_open64(path, flags, mode);
}

SHIM_API int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;
	int fd;

	if (shim_wants(path))
		return shim_open_iommu(flags);
	va_start(ap, flags);
	mode = shim_mode(flags, ap);
	va_end(ap);
	if (shim_emul_open(path, flags, mode, &fd))
		return fd;
	return real_openat(dirfd, path, flags, mode);
}

SHIM_API int openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;
	int fd;

	if (shim_wants(path))
		return shim_open_iommu(flags);
	va_start(ap, flags);
	mode = shim_mode(flags, ap);
	va_end(ap);
	if (shim_emul_open(path, flags, mode, &fd))
		return fd;
	return real_openat64(dirfd, path, flags, mode);
}

/* The _FORTIFY_SOURCE entry points. */
SHIM_API int __open_2(const char *path, int flags);
SHIM_API int __open_2(const char *path, int flags)
{
	int fd;

	if (shim_emul_open(path, flags, 0, &fd))
		return fd;
	return shim_wants(path) ? shim_open_iommu(flags) : real___open_2(path, flags);
}

SHIM_API int __open64_2(const char *path, int flags);
SHIM_API int __open64_2(const char *path, int flags)
{
	int fd;

	if (shim_emul_open(path, flags, 0, &fd))
		return fd;
	return shim_wants(path) ? shim_open_iommu(flags) : real___open64_2(path, flags);
}

SHIM_API int __openat_2(int dirfd, const char *path, int flags);
SHIM_API int __openat_2(int dirfd, const char *path, int flags)
{
	int fd;

	if (shim_emul_open(path, flags, 0, &fd))
		return fd;
	return shim_wants(path) ? shim_open_iommu(flags) :
				  real___openat_2(dirfd, path, flags);
}

SHIM_API int __openat64_2(int dirfd, const char *path, int flags);
SHIM_API int __openat64_2(int dirfd, const char *path, int flags)
{
	int fd;

	if (shim_emul_open(path, flags, 0, &fd))
		return fd;
	return shim_wants(path) ? shim_open_iommu(flags) :
				  real___openat64_2(dirfd, path, flags);
}

/* ---- ioctl ------------------------------------------------------------- */

/*
 * Copy [uaddr, uaddr + len) into the request if it is readable; otherwise
 * leave it out, and the daemon's copy from it fails with EFAULT as Linux's
 * would.
 */
void shim_add_seg(struct shim_req *r, uint64_t uaddr, uint64_t len)
{
	struct shim_seg *s;

	if (!len || len > SHIM_MAX_ARRAY || r->nr_segs >= UAPI_WIRE_MAX_SEGS ||
	    r->bytes + len > SHIM_MAX_ARRAY || uaddr + len < uaddr)
		return;
	s = &r->segs[r->nr_segs];
	s->data = malloc(len);
	if (!s->data)
		return;
	if (shim_mem_read(s->data, uaddr, len)) {
		free(s->data);
		return;
	}
	s->uaddr = uaddr;
	s->len = (uint32_t)len;
	r->bytes += len;
	r->nr_segs++;
}

/* The arrays and pinnable memory an iommufd ioctl struct points to. */
static void shim_decode(struct shim_req *r, uint32_t cmd, const uint8_t *st,
			uint32_t size)
{
#define HAS(type, field) (size >= offsetof(type, field) + sizeof(((type *)0)->field))
	switch (cmd) {
	case IOMMU_IOAS_ALLOW_IOVAS: {
		const struct iommu_ioas_allow_iovas *c = (const void *)st;

		if (HAS(struct iommu_ioas_allow_iovas, allowed_iovas))
			shim_add_seg(r, c->allowed_iovas,
				     (uint64_t)c->num_iovas * sizeof(struct iommu_iova_range));
		break;
	}
	case IOMMU_IOAS_IOVA_RANGES: {
		const struct iommu_ioas_iova_ranges *c = (const void *)st;

		if (HAS(struct iommu_ioas_iova_ranges, allowed_iovas))
			shim_add_seg(r, c->allowed_iovas,
				     (uint64_t)c->num_iovas * sizeof(struct iommu_iova_range));
		break;
	}
	case IOMMU_IOAS_MAP: {
		const struct iommu_ioas_map *c = (const void *)st;

		if (HAS(struct iommu_ioas_map, length))
			shim_reback(c->user_va, c->length, r->backs, r->fds, r->owned, &r->nr_backs);
		break;
	}
	case VFIO_IOMMU_MAP_DMA: {
		const struct vfio_iommu_type1_dma_map *c = (const void *)st;

		if (HAS(struct vfio_iommu_type1_dma_map, size))
			shim_reback(c->vaddr, c->size, r->backs, r->fds, r->owned, &r->nr_backs);
		break;
	}
	case IOMMU_GET_HW_INFO: {
		const struct iommu_hw_info *c = (const void *)st;

		if (HAS(struct iommu_hw_info, data_uptr))
			shim_add_seg(r, c->data_uptr, c->data_len);
		break;
	}
	case IOMMU_HWPT_ALLOC: {
		const struct iommu_hwpt_alloc *c = (const void *)st;

		if (HAS(struct iommu_hwpt_alloc, data_uptr))
			shim_add_seg(r, c->data_uptr, c->data_len);
		break;
	}
	case IOMMU_HWPT_INVALIDATE: {
		const struct iommu_hwpt_invalidate *c = (const void *)st;

		if (HAS(struct iommu_hwpt_invalidate, entry_num))
			shim_add_seg(r, c->data_uptr, (uint64_t)c->entry_len * c->entry_num);
		break;
	}
	case IOMMU_HWPT_GET_DIRTY_BITMAP: {
		const struct iommu_hwpt_get_dirty_bitmap *c = (const void *)st;

		if (HAS(struct iommu_hwpt_get_dirty_bitmap, data) && c->page_size)
			shim_add_seg(r, c->data, (c->length / c->page_size + 63) / 64 * 8);
		break;
	}
	case IOMMU_TEST_CMD: {
		const struct iommu_test_cmd *c = (const void *)st;

		if (!HAS(struct iommu_test_cmd, op))
			break;
		switch (c->op) {
		case IOMMU_TEST_OP_MD_CHECK_MAP:
			shim_reback(c->check_map.uptr, c->check_map.length,
				    r->backs, r->fds, r->owned, &r->nr_backs);
			break;
		case IOMMU_TEST_OP_MD_CHECK_REFS:
			shim_reback(c->check_refs.uptr, c->check_refs.length,
				    r->backs, r->fds, r->owned, &r->nr_backs);
			break;
		case IOMMU_TEST_OP_ACCESS_PAGES:
			shim_reback(c->access_pages.uptr, c->access_pages.length,
				    r->backs, r->fds, r->owned, &r->nr_backs);
			break;
		case IOMMU_TEST_OP_ACCESS_RW:
			shim_add_seg(r, c->access_rw.uptr, c->access_rw.length);
			break;
		case IOMMU_TEST_OP_DIRTY:
			if (c->dirty.page_size)
				shim_add_seg(r, c->dirty.uptr,
					     (c->dirty.length / c->dirty.page_size + 63) / 64 * 8);
			break;
		default:
			break;
		}
		break;
	}
	default:
		break;
	}
#undef HAS
}

static long shim_ioctl(int fd, uint32_t cmd, uint64_t arg)
{
	struct shim_req r;
	struct uapi_wire_msg reply;
	struct uapi_wire_enc e;
	uint8_t *req = NULL, *rbuf = NULL;
	size_t cap;
	bool replied = false, int_arg;
	uint32_t size, op = 0, id = 0, nth;
	unsigned int i, nr_fds;
	int new_fd = -1;
	long rc;

	memset(&r, 0, sizeof(r));
	/*
	 * Every iommufd struct starts with its size. Send what of it is
	 * readable; the daemon decides what a short or unreadable one means.
	 * The VFIO container ioctls take an integer or nothing: no struct.
	 */
	int_arg = cmd == VFIO_GET_API_VERSION || cmd == VFIO_CHECK_EXTENSION ||
		  cmd == VFIO_SET_IOMMU;
	if (!int_arg && !shim_mem_read(&size, arg, sizeof(size))) {
		uint8_t st[512];

		/*
		 * Linux copies at least the command's minimal struct whatever
		 * size/argsz says, and then rejects a short one with EINVAL:
		 * send SHIM_MIN_STRUCT bytes if they are readable.
		 */
		if (size < SHIM_MIN_STRUCT)
			shim_add_seg(&r, arg, SHIM_MIN_STRUCT);
		if (!r.nr_segs)
			shim_add_seg(&r, arg, size < SHIM_MAX_STRUCT ?
					      (size > 4 ? size : 4) : SHIM_MAX_STRUCT);
		if (!r.nr_segs)
			shim_add_seg(&r, arg, sizeof(size));
		if (r.nr_segs) {
			memset(st, 0, sizeof(st));
			memcpy(st, r.segs[0].data,
			       r.segs[0].len < sizeof(st) ? r.segs[0].len : sizeof(st));
			shim_decode(&r, cmd, st, r.segs[0].len);
			if (cmd == IOMMU_TEST_CMD && r.segs[0].len >= 12) {
				memcpy(&op, st + offsetof(struct iommu_test_cmd, op), 4);
				memcpy(&id, st + offsetof(struct iommu_test_cmd, id), 4);
			}
		}
	}
	nr_fds = r.nr_backs;
	/* A command naming an access fd: send the file, the daemon finds it. */
	if (cmd == IOMMU_TEST_CMD &&
	    (op == IOMMU_TEST_OP_ACCESS_PAGES || op == IOMMU_TEST_OP_ACCESS_RW ||
	     op == IOMMU_TEST_OP_DESTROY_ACCESS_PAGES ||
	     op == IOMMU_TEST_OP_ACCESS_REPLACE_IOAS) &&
	    id <= INT32_MAX && shim_is_file((int)id))
		r.fds[nr_fds++] = (int)id;

	cap = sizeof(struct uapi_wire_ioctl) + sizeof(struct uapi_wire_ext) +
	      r.nr_backs * sizeof(struct uapi_wire_back);
	for (i = 0; i < r.nr_segs; i++)
		cap += uapi_wire_seg_size(r.segs[i].len);
	rc = -ENOMEM;
	req = malloc(cap);
	rbuf = malloc(cap + sizeof(struct uapi_wire_reply));
	if (!req || !rbuf)
		goto out;
	uapi_wire_enc_ioctl(&e, req, cap, cmd, arg, r.nr_backs, r.nr_segs);
	nth = shim_failnth_arm(&e);
	for (i = 0; i < r.nr_backs; i++)
		uapi_wire_add_back(&e, &r.backs[i]);
	for (i = 0; i < r.nr_segs; i++)
		uapi_wire_add_seg(&e, r.segs[i].uaddr, r.segs[i].data, r.segs[i].len);
	rc = uapi_wire_finish(&e, nr_fds + 1);
	if (rc < 0)
		goto out;
	rc = shim_request(fd, req, (size_t)rc, r.fds, nr_fds, rbuf,
			  cap + sizeof(struct uapi_wire_reply), &reply, &replied,
			  &new_fd);
	if (!replied)
		goto out;
	shim_failnth_update(nth, &reply);
	/* What the daemon wrote (copy_to_user), stored back in place. */
	for (i = 0; i < reply.nr_segs; i++) {
		struct uapi_wire_seg seg;
		const uint8_t *data;

		uapi_wire_seg_get(&reply, i, &seg, &data);
		if (shim_mem_write(seg.uaddr, data, seg.len) && rc >= 0)
			rc = -EFAULT;
	}
	/*
	 * A new file: the daemon wrote a placeholder where the fd goes; the
	 * number is the descriptor that just arrived.
	 */
	if (new_fd >= 0 && rc >= 0) {
		uint64_t at = 0;

		if (cmd == IOMMU_TEST_CMD && op == IOMMU_TEST_OP_CREATE_ACCESS)
			at = arg + offsetof(struct iommu_test_cmd,
					    create_access.out_access_fd);
		else if (cmd == IOMMU_FAULT_QUEUE_ALLOC)
			at = arg + offsetof(struct iommu_fault_alloc, out_fault_fd);
		if (!at || shim_mem_write(at, &new_fd, sizeof(uint32_t)))
			rc = -EFAULT;
	}
	if (new_fd >= 0 && rc < 0)
		close(new_fd);
out:
	for (i = 0; i < r.nr_backs; i++)
		if (r.owned[i])
			close(r.fds[i]);
	for (i = 0; i < r.nr_segs; i++)
		free(r.segs[i].data);
	free(req);
	free(rbuf);
	return rc;
}

SHIM_API int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;
	long rc;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!shim_is_ours(fd))
		return real_ioctl(fd, request, arg);
	rc = shim_ioctl(fd, (uint32_t)request, (uint64_t)(uintptr_t)arg);
	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	return (int)rc;
}
