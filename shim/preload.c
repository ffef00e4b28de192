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
 * daemon's "\0pcilab-file:..." end) become FILE_IO requests; see the last
 * section of this file.
 *
 * Built without sanitizers and against nothing but libc: it lives inside
 * arbitrary programs.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>
#include <iommufd_test.h>

#include "failnth.h"
#include "uapi/wire.h"

#define SHIM_API __attribute__((visibility("default")))

#define SHIM_PAGE		4096ull
#define SHIM_NAME_PREFIX	"pcilab-iommu:"
/* Largest ioctl struct copied (Linux structs are far smaller). */
#define SHIM_MAX_STRUCT		4096u
/* Copied even when the struct's size field says less (see shim_ioctl). */
#define SHIM_MIN_STRUCT		256u
/* Largest array copied inline; bigger ones are not sent (EFAULT). */
#define SHIM_MAX_ARRAY		(UAPI_WIRE_MAX_MSG / 2)
#define SHIM_SOCKBUF		((int)UAPI_WIRE_MAX_MSG + 65536)

static int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_openat64)(int, const char *, int, ...);
static int (*real___open_2)(const char *, int);
static int (*real___open64_2)(const char *, int);
static int (*real___openat_2)(int, const char *, int);
static int (*real___openat64_2)(int, const char *, int);
static int (*real_ioctl)(int, unsigned long, ...);

/*
 * memfds this process made to re-back memory. Kept open so that a range
 * mapped again (or through another /dev/iommu descriptor) is sent with the
 * same memfd: the same page must stay the same page for the daemon.
 */
struct shim_backing {
	int fd;
	ino_t ino;
	bool shared;	/* the original mapping was MAP_SHARED */
	bool seen;	/* scratch: still mapped (garbage collection) */
};

static pthread_mutex_t shim_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shim_backing *shim_backings;	/* under shim_lock */
static size_t shim_nr_backings;
static unsigned int shim_conn_seq;

static void shim_atfork_prepare(void);
static void shim_atfork_parent(void);
static void shim_atfork_child(void);

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

static int shim_mem_read(void *dst, uint64_t uaddr, size_t len)
{
	struct iovec l = { dst, len }, r = { (void *)(uintptr_t)uaddr, len };

	if (!len)
		return 0;
	if (process_vm_readv(getpid(), &l, 1, &r, 1, 0) == (ssize_t)len)
		return 0;
	return -EFAULT;
}

static int shim_mem_write(uint64_t uaddr, const void *src, size_t len)
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
static bool shim_is_file(int fd)
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
static long shim_request(int conn, const void *msg, size_t len, const int *fds,
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

/* ---- re-backing pinnable memory --------------------------------------- */

struct shim_vma {
	uint64_t start, end;	/* the part inside the range asked for */
	uint64_t vm_start, vm_end;	/* the whole mapping */
	uint64_t offset;	/* file offset of start */
	char perms[5];
	ino_t ino;
	bool memfd_ours;	/* maps one of shim_backings */
	bool special;		/* [vdso], [vvar], [vsyscall]: leave alone */
	bool stack;		/* the main thread's [stack] */
};

static struct shim_backing *shim_backing_by_ino(ino_t ino)
{
	size_t i;

	for (i = 0; i < shim_nr_backings; i++)
		if (shim_backings[i].ino == ino)
			return &shim_backings[i];
	return NULL;
}

/*
 * The mappings intersecting [s, e), clipped to it, in address order; also
 * marks which of our memfds are still mapped anywhere. Returns how many
 * (at most max), or -errno.
 */
static int shim_read_maps(uint64_t s, uint64_t e, struct shim_vma *out, int max)
{
	char line[4096];
	FILE *f;
	int n = 0;
	size_t i;

	f = fopen("/proc/self/maps", "re");
	if (!f)
		return -errno;
	for (i = 0; i < shim_nr_backings; i++)
		shim_backings[i].seen = false;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long vs, ve, off, ino;
		char perms[5] = "";
		unsigned int maj, min;
		struct shim_backing *b;
		const char *name;
		int pos = 0;

		if (sscanf(line, "%llx-%llx %4s %llx %x:%x %llu %n", &vs, &ve, perms,
			   &off, &maj, &min, &ino, &pos) < 7)
			continue;
		name = line + pos;
		b = NULL;
		if (ino && !strncmp(name, "/memfd:pcilab", 13)) {
			b = shim_backing_by_ino((ino_t)ino);
			if (b)
				b->seen = true;
		}
		if (ve <= s || vs >= e || n >= max)
			continue;
		out[n].start = vs > s ? vs : s;
		out[n].end = ve < e ? ve : e;
		out[n].vm_start = vs;
		out[n].vm_end = ve;
		out[n].offset = off + (out[n].start - vs);
		memcpy(out[n].perms, perms, sizeof(perms));
		out[n].ino = (ino_t)ino;
		out[n].memfd_ours = b != NULL;
		out[n].special = !strncmp(name, "[v", 2);
		out[n].stack = !strncmp(name, "[stack]", 7);
		n++;
	}
	fclose(f);
	return n;
}

static int shim_prot(const char *perms)
{
	return (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) |
	       (perms[2] == 'x' ? PROT_EXEC : 0);
}

/* Drop memfds no longer mapped: nothing can ask to pin them again. */
static void shim_backings_gc(void)
{
	size_t i = 0;

	while (i < shim_nr_backings) {
		if (shim_backings[i].seen) {
			i++;
			continue;
		}
		close(shim_backings[i].fd);
		shim_backings[i] = shim_backings[--shim_nr_backings];
	}
}

/* Replace [v->start, v->end) by a sealed memfd with the same bytes. */
static struct shim_backing *shim_reback_vma(const struct shim_vma *v)
{
	size_t len = v->end - v->start;
	struct shim_backing *nb;
	struct stat st;
	void *p;
	int fd;

	nb = realloc(shim_backings, (shim_nr_backings + 1) * sizeof(*nb));
	if (!nb)
		return NULL;
	shim_backings = nb;
	fd = memfd_create("pcilab", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return NULL;
	if (ftruncate(fd, (off_t)len) ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) ||
	    fstat(fd, &st))
		goto err_close;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto err_close;
	memcpy(p, (void *)(uintptr_t)v->start, len);
	/* Atomically replaces the old pages at the same address. */
	if (mremap(p, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
		   (void *)(uintptr_t)v->start) == MAP_FAILED) {
		munmap(p, len);
		goto err_close;
	}
	if (shim_prot(v->perms) != (PROT_READ | PROT_WRITE))
		mprotect((void *)(uintptr_t)v->start, len, shim_prot(v->perms));
	nb = &shim_backings[shim_nr_backings++];
	nb->fd = fd;
	nb->ino = st.st_ino;
	nb->shared = v->perms[3] == 's';
	nb->seen = true;
	return nb;

err_close:
	close(fd);
	return NULL;
}

/*
 * The file behind a MAP_SHARED mapping (shared anonymous memory is a shmem
 * file too), opened through /proc/self/map_files: passing it lets the
 * daemon map the very pages every process sharing them sees, where a
 * re-back would split the program from them. Linux lets a process open
 * these links only with CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE: returns
 * -EPERM (or another -errno) when that fails, and the caller falls back
 * to re-backing. -ENODEV: not a regular file (a device mapping, which
 * Linux cannot pin either); it gets no backing.
 */
static int shim_open_shared(const struct shim_vma *v)
{
	char path[80];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/map_files/%llx-%llx",
		 (unsigned long long)v->vm_start, (unsigned long long)v->vm_end);
	fd = real_open(path, (v->perms[1] == 'w' ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -ENODEV;
	}
	return fd;
}

/*
 * Make [uaddr, uaddr + len) pinnable: describe it as file backings. A
 * MAP_SHARED part is described by the file it maps; a private part is
 * re-backed by one of our memfds unless it already is. Unreadable or
 * unmapped parts get no backing (the daemon then fails to pin them with
 * EFAULT, as Linux would). owned[i] says fds[i] is to be closed once the
 * request is sent.
 */
static void shim_reback(uint64_t uaddr, uint64_t len, struct uapi_wire_back *backs,
			int *fds, bool *owned, unsigned int *nr)
{
	struct shim_vma v[UAPI_WIRE_MAX_BACKS];
	/*
	 * Stack pages holding our own frames must not be re-backed: the
	 * frames below this one change between the copy and the mremap, and
	 * the mremap would roll them back. Everything above the page after
	 * this frame belongs to callers, which do not run meanwhile.
	 */
	uint64_t guard = ((uintptr_t)__builtin_frame_address(0) + 2 * SHIM_PAGE) &
			 ~(SHIM_PAGE - 1);
	uint64_t s, e;
	int n, i;

	if (!len || uaddr + len < uaddr)
		return;
	s = uaddr & ~(SHIM_PAGE - 1);
	e = (uaddr + len + SHIM_PAGE - 1) & ~(SHIM_PAGE - 1);
	if (e < s)
		return;
	pthread_mutex_lock(&shim_lock);
	n = shim_read_maps(s, e, v, (int)(UAPI_WIRE_MAX_BACKS - *nr));
	if (n >= 0)
		shim_backings_gc();
	for (i = 0; i < n; i++) {
		struct shim_backing *b = NULL;
		uint64_t off = 0;
		int fd = -1;

		if (v[i].stack && v[i].start < guard) {
			if (v[i].end <= guard)
				continue;
			v[i].offset += guard - v[i].start;
			v[i].start = guard;
		}
		if (v[i].memfd_ours) {
			b = shim_backing_by_ino(v[i].ino);
			off = v[i].offset;
		} else if (v[i].perms[0] == 'r' && !v[i].special) {
			if (v[i].perms[3] == 's') {
				fd = shim_open_shared(&v[i]);
				if (fd == -ENODEV)
					continue;
			}
			if (fd >= 0)
				off = v[i].offset;	/* the mapping's own file */
			else
				b = shim_reback_vma(&v[i]);	/* a new memfd, from 0 */
		}
		if (!b && fd < 0)
			continue;
		backs[*nr] = (struct uapi_wire_back){
			.uaddr = v[i].start,
			.len = v[i].end - v[i].start,
			.offset = off,
			.fd_index = *nr + 1,
			.flags = v[i].perms[1] == 'w' ? UAPI_WIRE_BACK_WRITABLE : 0,
		};
		fds[*nr] = fd >= 0 ? fd : b->fd;
		owned[*nr] = fd >= 0;
		(*nr)++;
	}
	pthread_mutex_unlock(&shim_lock);
}

static void shim_atfork_prepare(void)
{
	pthread_mutex_lock(&shim_lock);
}

static void shim_atfork_parent(void)
{
	pthread_mutex_unlock(&shim_lock);
}

/*
 * In a forked child, privately mapped memory the parent re-backed must not
 * stay shared with the parent (Linux copies pinned anonymous pages for the
 * child at fork): give the child private copies. Re-backed MAP_SHARED
 * memory stays shared, as it was before re-backing.
 */
static void shim_atfork_child(void)
{
	struct shim_vma v[256];
	int n, i;
	size_t k;

	n = shim_read_maps(0, UINT64_MAX & ~(SHIM_PAGE - 1), v, 256);
	for (i = 0; i < n; i++) {
		struct shim_backing *b;
		size_t len = v[i].end - v[i].start;
		void *p;

		if (!v[i].memfd_ours)
			continue;
		b = shim_backing_by_ino(v[i].ino);
		if (!b || b->shared)
			continue;
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			continue;
		memcpy(p, (void *)(uintptr_t)v[i].start, len);
		if (mremap(p, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
			   (void *)(uintptr_t)v[i].start) == MAP_FAILED) {
			munmap(p, len);
			continue;
		}
		mprotect((void *)(uintptr_t)v[i].start, len, shim_prot(v[i].perms));
	}
	for (k = 0; k < shim_nr_backings;) {
		if (shim_backings[k].shared) {
			k++;
			continue;
		}
		close(shim_backings[k].fd);
		shim_backings[k] = shim_backings[--shim_nr_backings];
	}
	pthread_mutex_unlock(&shim_lock);
}

/* ---- ioctl ------------------------------------------------------------- */

struct shim_seg {
	uint64_t uaddr;
	uint32_t len;
	uint8_t *data;
};

struct shim_req {
	struct shim_seg segs[UAPI_WIRE_MAX_SEGS];
	unsigned int nr_segs;
	struct uapi_wire_back backs[UAPI_WIRE_MAX_BACKS];
	int fds[UAPI_WIRE_MAX_BACKS + 1];	/* memfds, then a named file */
	bool owned[UAPI_WIRE_MAX_BACKS + 1];	/* fds[i] closed after sending */
	unsigned int nr_backs;
	size_t bytes;
};

/*
 * Copy [uaddr, uaddr + len) into the request if it is readable; otherwise
 * leave it out, and the daemon's copy from it fails with EFAULT as Linux's
 * would.
 */
static void shim_add_seg(struct shim_req *r, uint64_t uaddr, uint64_t len)
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

/* ---- read/write on the daemon's files (fault fds) --------------------- */

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
