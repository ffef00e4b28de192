// SPDX-License-Identifier: MIT
/*
 * libpcilab-preload.so: read/write/readv/writev (and __read_chk) on the
 * daemon's files, interposed (see preload.c's header and docs/daemon.md).
 */
#include "shim.h"

/*
 * A fault fd is the client end of a socket whose daemon end is bound to
 * "\0pcilab-file:..." (shim_is_file). read/write/readv/writev on it become
 * FILE_IO requests on that very socket, each with its own reply socket, so
 * the daemon runs Linux's fault read/write with errnos and partial counts
 * as they are (uapi_wire.h). Readiness needs no shim at all: the daemon
 * keeps one token queued on the socket while faults wait to be read, so
 * poll/select/epoll see POLLIN exactly then; a read drains the tokens
 * before asking, and the daemon queues a new one if faults remain.
 * /dev/iommu itself has no read or write in Linux: EINVAL. pread/pwrite
 * need nothing: a socket is not seekable (ESPIPE), as a fault fd is not.
 */
#define SHIM_MAX_RW_COUNT	0x7ffff000ul	/* Linux's MAX_RW_COUNT */
#define SHIM_UIO_MAXIOV		1024

static ssize_t (*real_read)(int, void *, size_t);
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_readv)(int, const struct iovec *, int);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static ssize_t (*real___read_chk)(int, void *, size_t, size_t);

/* Resolved on first use: a constructor may read before shim_init runs. */
static void *shim_real(void **slot, const char *name)
{
	void *p = __atomic_load_n(slot, __ATOMIC_RELAXED);

	if (!p) {
		p = dlsym(RTLD_NEXT, name);
		__atomic_store_n(slot, p, __ATOMIC_RELAXED);
	}
	return p;
}
#define SHIM_REAL(fn) ((__typeof__(real_##fn))shim_real((void **)&real_##fn, #fn))

enum shim_fd_kind { SHIM_FD_OTHER, SHIM_FD_IOMMU, SHIM_FD_FILE };

static bool shim_name_is(const struct sockaddr_un *sa, socklen_t len,
			 const char *prefix)
{
	size_t plen = strlen(prefix);

	return sa->sun_family == AF_UNIX &&
	       len >= offsetof(struct sockaddr_un, sun_path) + 1 + plen &&
	       sa->sun_path[0] == '\0' && !memcmp(sa->sun_path + 1, prefix, plen);
}

/* One syscall for anything that is not a socket, two for other sockets. */
static enum shim_fd_kind shim_fd_kind(int fd)
{
	struct sockaddr_un sa;
	socklen_t len = sizeof(sa);
	int saved = errno;
	enum shim_fd_kind k = SHIM_FD_OTHER;

	if (!getpeername(fd, (struct sockaddr *)&sa, &len)) {
		if (shim_name_is(&sa, len, UAPI_WIRE_FILE_PREFIX))
			k = SHIM_FD_FILE;
	} else if (errno != ENOTCONN) {
		errno = saved;
		return SHIM_FD_OTHER;
	}
	len = sizeof(sa);
	if (k == SHIM_FD_OTHER && !getsockname(fd, (struct sockaddr *)&sa, &len) &&
	    shim_name_is(&sa, len, SHIM_NAME_PREFIX))
		k = SHIM_FD_IOMMU;
	errno = saved;
	return k;
}

/*
 * The readable part of [uaddr, uaddr + len), up to SHIM_MAX_ARRAY, as one
 * segment: the daemon's copies beyond it fault as Linux's would there.
 */
static void shim_add_prefix_seg(struct shim_req *r, uint64_t uaddr, uint64_t len)
{
	uint64_t n = 0;

	if (len > SHIM_MAX_ARRAY)
		len = SHIM_MAX_ARRAY;
	shim_add_seg(r, uaddr, len);
	if (r->nr_segs || !len)
		return;
	/* Not all of it: the readable pages from the start. */
	while (n < len) {
		uint64_t step = SHIM_PAGE - ((uaddr + n) & (SHIM_PAGE - 1));
		char probe;

		if (shim_mem_read(&probe, uaddr + n, 1))
			break;
		n += step < len - n ? step : len - n;
	}
	shim_add_seg(r, uaddr, n);
}

/* One read or write of a fault fd through the daemon: bytes or -errno. */
static long shim_file_io(int fd, uint32_t op, uint64_t buf, uint64_t count)
{
	struct shim_req r;
	struct uapi_wire_msg reply;
	struct uapi_wire_enc e;
	uint8_t *req = NULL, *rbuf = NULL;
	bool replied = false;
	unsigned int i;
	int new_fd = -1;
	size_t cap;
	long rc;

	memset(&r, 0, sizeof(r));
	if (op == UAPI_WIRE_FILE_READ) {
		char tok[16];

		/* Tokens queued before this read; the daemon re-arms after it. */
		while (recv(fd, tok, sizeof(tok), MSG_DONTWAIT) > 0)
			;
	}
	shim_add_prefix_seg(&r, buf, count);
	cap = sizeof(struct uapi_wire_file_io) + sizeof(struct uapi_wire_ext);
	for (i = 0; i < r.nr_segs; i++)
		cap += uapi_wire_seg_size(r.segs[i].len);
	rc = -ENOMEM;
	req = malloc(cap);
	rbuf = malloc(cap + sizeof(struct uapi_wire_reply));
	if (!req || !rbuf)
		goto out;
	uapi_wire_enc_file_io(&e, req, cap, op, buf, count, r.nr_segs);
	for (i = 0; i < r.nr_segs; i++)
		uapi_wire_add_seg(&e, r.segs[i].uaddr, r.segs[i].data, r.segs[i].len);
	rc = uapi_wire_finish(&e, 1);
	if (rc < 0)
		goto out;
	rc = shim_request(fd, req, (size_t)rc, NULL, 0, rbuf,
			  cap + sizeof(struct uapi_wire_reply), &reply, &replied, &new_fd);
	if (new_fd >= 0)
		close(new_fd);	/* a reply to a read or write carries none */
	if (!replied)
		goto out;
	for (i = 0; i < reply.nr_segs; i++) {
		struct uapi_wire_seg seg;
		const uint8_t *data;

		uapi_wire_seg_get(&reply, i, &seg, &data);
		if (shim_mem_write(seg.uaddr, data, seg.len) && rc >= 0)
			rc = -EFAULT;
	}
out:
	for (i = 0; i < r.nr_segs; i++)
		free(r.segs[i].data);
	free(req);
	free(rbuf);
	return rc;
}

static ssize_t shim_rw(int fd, enum shim_fd_kind k, uint32_t op, uint64_t buf,
		       uint64_t count)
{
	long rc = k == SHIM_FD_FILE ? shim_file_io(fd, op, buf, count) : -EINVAL;

	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	return rc;
}

/*
 * readv/writev on a file without read_iter/write_iter, as Linux does it:
 * the iovec array is checked whole first (EINVAL, EFAULT), lengths are
 * cut to MAX_RW_COUNT in total, then read/write runs per segment and
 * stops at an error or a short count.
 */
static ssize_t shim_rwv(int fd, enum shim_fd_kind k, uint32_t op,
			const struct iovec *uiov, int iovcnt)
{
	struct iovec *iov;
	uint64_t total = 0;
	ssize_t done = 0;
	int i;

	if (iovcnt < 0 || iovcnt > SHIM_UIO_MAXIOV) {
		errno = EINVAL;
		return -1;
	}
	if (!iovcnt)
		return 0;
	iov = malloc(sizeof(*iov) * (size_t)iovcnt);
	if (!iov) {
		errno = ENOMEM;
		return -1;
	}
	if (shim_mem_read(iov, (uintptr_t)uiov, sizeof(*iov) * (size_t)iovcnt)) {
		free(iov);
		errno = EFAULT;
		return -1;
	}
	/* Negative lengths first (copying the array), then access_ok(). */
	for (i = 0; i < iovcnt; i++) {
		if ((ssize_t)iov[i].iov_len < 0) {
			free(iov);
			errno = EINVAL;
			return -1;
		}
	}
	for (i = 0; i < iovcnt; i++) {
		uint64_t base = (uintptr_t)iov[i].iov_base, end;

		if (__builtin_add_overflow(base, iov[i].iov_len, &end) ||
		    end > 0x7fffffffefffull) {
			free(iov);
			errno = EFAULT;
			return -1;
		}
		if (iov[i].iov_len > SHIM_MAX_RW_COUNT - total)
			iov[i].iov_len = SHIM_MAX_RW_COUNT - total;
		total += iov[i].iov_len;
	}
	if (k != SHIM_FD_FILE) {
		free(iov);
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < iovcnt && total; i++) {
		long n = shim_file_io(fd, op, (uintptr_t)iov[i].iov_base, iov[i].iov_len);

		if (n < 0) {
			if (!done) {
				free(iov);
				errno = (int)-n;
				return -1;
			}
			break;
		}
		done += n;
		total -= (uint64_t)n;
		if ((size_t)n != iov[i].iov_len)
			break;
	}
	free(iov);
	return done;
}

SHIM_API ssize_t read(int fd, void *buf, size_t count)
{
	enum shim_fd_kind k = shim_fd_kind(fd);

	if (k == SHIM_FD_OTHER)
		return SHIM_REAL(read)(fd, buf, count);
	return shim_rw(fd, k, UAPI_WIRE_FILE_READ, (uintptr_t)buf, count);
}

SHIM_API ssize_t __read_chk(int fd, void *buf, size_t count, size_t buflen);
SHIM_API ssize_t __read_chk(int fd, void *buf, size_t count, size_t buflen)
{
	enum shim_fd_kind k;

	/* An overflow is libc's to report (__chk_fail). */
	if (count > buflen)
		return SHIM_REAL(__read_chk)(fd, buf, count, buflen);
	k = shim_fd_kind(fd);
	if (k == SHIM_FD_OTHER)
		return SHIM_REAL(read)(fd, buf, count);
	return shim_rw(fd, k, UAPI_WIRE_FILE_READ, (uintptr_t)buf, count);
}

SHIM_API ssize_t write(int fd, const void *buf, size_t count)
{
	enum shim_fd_kind k = shim_fd_kind(fd);
	ssize_t ret;

	if (k == SHIM_FD_OTHER && shim_failnth_write(fd, buf, count, &ret))
		return ret;	/* a fail-nth file (failnth.c) */
	if (k == SHIM_FD_OTHER)
		return SHIM_REAL(write)(fd, buf, count);
	return shim_rw(fd, k, UAPI_WIRE_FILE_WRITE, (uintptr_t)buf, count);
}

SHIM_API ssize_t readv(int fd, const struct iovec *iov, int iovcnt)
{
	enum shim_fd_kind k = shim_fd_kind(fd);

	if (k == SHIM_FD_OTHER)
		return SHIM_REAL(readv)(fd, iov, iovcnt);
	return shim_rwv(fd, k, UAPI_WIRE_FILE_READ, iov, iovcnt);
}

SHIM_API ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
	enum shim_fd_kind k = shim_fd_kind(fd);

	if (k == SHIM_FD_OTHER)
		return SHIM_REAL(writev)(fd, iov, iovcnt);
	return shim_rwv(fd, k, UAPI_WIRE_FILE_WRITE, iov, iovcnt);
}
