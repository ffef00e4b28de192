// SPDX-License-Identifier: MIT
/*
 * The daemon: one poll() loop serving every connection in a fixed order,
 * one request at a time, so a run is deterministic. A connection is one
 * open file of a device node; its iommufd context lives until the client
 * side's last descriptor is closed (EOF), whether by close(), exit or a
 * crash. A malformed record is logged and dropped; it never affects other
 * connections. See docs/daemon.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/sockios.h>

#include "base/compiler.h"
#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "kernel/iommufd/iommufd.h"
#include "uapi/daemon.h"
#include "uapi/usermem.h"
#include "uapi/wire.h"

/*
 * A file an ioctl created (access or fault fd): a socketpair whose client
 * end was sent in the reply. The client's last close is EOF on ours.
 */
struct uapi_file {
	struct uapi_file *next;
	int fd;				/* our end, bound to "\0pcilab-file:..." */
	ino_t peer_ino;			/* the client end's socket inode */
	enum iommufd_file_kind kind;
	uint32_t handle;
};

struct uapi_conn {
	struct uapi_conn *next;
	struct uapi_daemon *d;
	int fd;				/* -1 once the client closed it */
	struct iommufd_ctx *ictx;	/* NULL until OPEN */
	/* Must outlive ictx: iommufd pages keep &mem.um (like source_mm). */
	struct uapi_usermem mem;
	/* The opener's user, charged for pins; outlives ictx too. */
	struct uapi_user *user;
	/*
	 * Files of this context. Like Linux's, they hold the context: it is
	 * destroyed when the last of fd and files is closed.
	 */
	struct uapi_file *files;
	struct iommufd_file_ops fops;
	/* During an ioctl: the file being created and the request's fds. */
	struct uapi_file *pending;
	int pending_fd;			/* its client end, sent with the reply */
	const int *req_fds;
	unsigned int req_nr_fds;
	/* The fail-nth count left after the current request (reply ext). */
	uint32_t fail_nth_left;
};

/*
 * A client user (uid), Linux's user_struct as far as pinning goes: every
 * context a user opened charges its pins to one locked-memory account,
 * as Linux charges pages->source_user->locked_vm.
 */
struct uapi_user {
	struct uapi_user *next;
	uid_t uid;
	unsigned int refs;		/* connections */
	struct iommufd_acct acct;
};

struct uapi_daemon {
	int listen_fd;
	struct uapi_user *users;
	struct uapi_conn *conns;	/* in accept order: the service order */
	unsigned int nr_conns;
	uint8_t *rx;			/* UAPI_WIRE_MAX_MSG */
	uint8_t *tx;			/* UAPI_WIRE_MAX_MSG */
	unsigned int nr_files;		/* of every connection */
	unsigned int file_seq;
};

int uapi_listen(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, one = 1;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* Senders' pids come with every record (SCM_CREDENTIALS). */
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 64)) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

struct uapi_daemon *uapi_daemon_create(int listen_fd)
{
	struct uapi_daemon *d;

	d = pl_zalloc(sizeof(*d));
	if (!d)
		return ERR_PTR(-ENOMEM);
	d->rx = pl_zalloc(UAPI_WIRE_MAX_MSG);
	if (!d->rx)
		goto err_free_d;
	d->tx = pl_zalloc(UAPI_WIRE_MAX_MSG);
	if (!d->tx)
		goto err_free_rx;
	d->listen_fd = listen_fd;
	return d;

err_free_rx:
	free(d->rx);
err_free_d:
	free(d);
	return ERR_PTR(-ENOMEM);
}

static struct uapi_user *user_get(struct uapi_daemon *d, uid_t uid)
{
	struct uapi_user *u;

	for (u = d->users; u; u = u->next)
		if (u->uid == uid) {
			u->refs++;
			return u;
		}
	u = pl_zalloc(sizeof(*u));
	if (!u)
		return NULL;
	u->uid = uid;
	u->refs = 1;
	u->acct.limit_pages = UINT64_MAX;	/* set from the caller per request */
	u->next = d->users;
	d->users = u;
	return u;
}

static void user_put(struct uapi_daemon *d, struct uapi_user *u)
{
	struct uapi_user **pp;

	if (--u->refs)
		return;
	if (u->acct.locked_pages)
		pl_err("uapi: uid %u still has %llu locked pages at its last close",
		       (unsigned int)u->uid, (unsigned long long)u->acct.locked_pages);
	for (pp = &d->users; *pp != u; pp = &(*pp)->next)
		;
	*pp = u->next;
	free(u);
}

static void conn_free(struct uapi_daemon *d, struct uapi_conn *c)
{
	struct uapi_conn **pp;

	for (pp = &d->conns; *pp != c; pp = &(*pp)->next)
		;
	*pp = c->next;
	d->nr_conns--;
	/*
	 * The release of the file: every object (and every file still open),
	 * then the memory it pinned.
	 */
	if (c->ictx)
		iommufd_ctx_destroy(c->ictx);
	while (c->files) {
		struct uapi_file *f = c->files;

		c->files = f->next;
		close(f->fd);
		free(f);
		d->nr_files--;
	}
	uapi_usermem_release(&c->mem);
	if (c->user)
		user_put(d, c->user);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

/* The client closed its /dev/iommu descriptor; files may keep c alive. */
static void conn_close(struct uapi_daemon *d, struct uapi_conn *c)
{
	close(c->fd);
	c->fd = -1;
	if (!c->files)
		conn_free(d, c);
}

/* The client's last descriptor of file f is closed: its release. */
static void file_close(struct uapi_daemon *d, struct uapi_conn *c,
		       struct uapi_file *f)
{
	struct uapi_file **pp;

	for (pp = &c->files; *pp != f; pp = &(*pp)->next)
		;
	*pp = f->next;
	d->nr_files--;
	if (f->kind == IOMMUFD_FILE_ACCESS)
		iommufd_test_access_close(c->ictx, f->handle);
	else
		iommufd_fault_close(c->ictx, f->handle);
	close(f->fd);
	free(f);
	if (c->fd < 0 && !c->files)
		conn_free(d, c);
}

/*
 * iommufd_file_ops: a new file is a socketpair. Our end is bound to an
 * abstract name so the shim can tell the client end (getpeername) from
 * other sockets; the client end travels with the reply and the shim writes
 * its number into the ioctl struct, so the number returned here is only a
 * placeholder.
 */
static int conn_file_install(const struct iommufd_file_ops *ops,
			     enum iommufd_file_kind kind, uint32_t handle)
{
	struct uapi_conn *c = ops->priv;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct uapi_file *f;
	struct stat st;
	int sv[2], n, rc;

	if (c->pending)
		return -EBUSY;
	f = pl_zalloc(sizeof(*f));
	if (!f)
		return -ENOMEM;
	/*
	 * The client end is a plain blocking descriptor, as Linux's O_RDWR
	 * file is; ours never blocks, and learns the pid of each sender of a
	 * read or write (SO_PASSCRED).
	 */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		rc = -errno;
		goto err_free;
	}
	n = snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1,
		     UAPI_WIRE_FILE_PREFIX "%d:%u:%u", (int)getpid(),
		     c->d->file_seq++, handle);
	if (fcntl(sv[0], F_SETFL, O_NONBLOCK) ||
	    setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &(int){ 1 }, sizeof(int)) ||
	    bind(sv[0], (struct sockaddr *)&sa,
		 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) ||
	    fstat(sv[1], &st)) {
		rc = -errno;
		goto err_close;
	}
	f->fd = sv[0];
	f->peer_ino = st.st_ino;
	f->kind = kind;
	f->handle = handle;
	c->pending = f;
	c->pending_fd = sv[1];
	return (int)(handle & INT32_MAX);

err_close:
	close(sv[0]);
	close(sv[1]);
err_free:
	free(f);
	return rc;
}

static void conn_file_uninstall(const struct iommufd_file_ops *ops, int fd)
{
	struct uapi_conn *c = ops->priv;

	(void)fd;
	if (!c->pending)
		return;
	close(c->pending->fd);
	close(c->pending_fd);
	free(c->pending);
	c->pending = NULL;
	c->pending_fd = -1;
}

/* The shim attaches the file a command names; find it by its inode. */
static int conn_file_lookup(const struct iommufd_file_ops *ops, int fd,
			    enum iommufd_file_kind kind, uint32_t *handle)
{
	struct uapi_conn *c = ops->priv;
	unsigned int i;

	(void)fd;
	for (i = 1; i < c->req_nr_fds; i++) {
		struct uapi_file *f;
		struct stat st;

		if (fstat(c->req_fds[i], &st) || !S_ISSOCK(st.st_mode))
			continue;
		for (f = c->files; f; f = f->next)
			if (f->peer_ino == st.st_ino && f->kind == kind) {
				*handle = f->handle;
				return 0;
			}
	}
	return -EBADFD;
}

void uapi_daemon_destroy(struct uapi_daemon *d)
{
	if (IS_ERR_OR_NULL(d))
		return;
	while (d->conns)
		conn_free(d, d->conns);
	close(d->listen_fd);
	free(d->tx);
	free(d->rx);
	free(d);
}

unsigned int uapi_daemon_nr_clients(const struct uapi_daemon *d)
{
	return d->nr_conns;
}

static void daemon_accept(struct uapi_daemon *d)
{
	struct uapi_conn *c, **pp;
	int fd, one = 1;

	fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
	c = pl_zalloc(sizeof(*c));
	if (!c) {
		pl_warn("uapi: out of memory accepting a connection");
		close(fd);	/* the client's open() fails with EIO */
		return;
	}
	c->fd = fd;
	c->d = d;
	c->pending_fd = -1;
	c->fops = (struct iommufd_file_ops){
		.install = conn_file_install,
		.uninstall = conn_file_uninstall,
		.lookup = conn_file_lookup,
		.priv = c,
	};
	uapi_usermem_init(&c->mem);
	for (pp = &d->conns; *pp; pp = &(*pp)->next)
		;
	*pp = c;
	d->nr_conns++;
}

static void send_reply(struct uapi_daemon *d, int reply_fd, long result,
		       struct uapi_conn *c, const struct uapi_wire_msg *req,
		       int new_fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} cbuf;
	struct iovec iov;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct uapi_wire_enc e;
	unsigned int i, n = 0;
	long len;

	if (req)
		for (i = 0; i < req->nr_segs; i++)
			n += c->mem.dirty_hi[i] != c->mem.dirty_lo[i];
	uapi_wire_enc_reply(&e, d->tx, UAPI_WIRE_MAX_MSG, (int32_t)result, n);
	/* A version-2 request learns its thread's fail-nth count left. */
	if (req && req->hdr.version >= UAPI_WIRE_VERSION_2) {
		struct uapi_wire_ext x = { .fail_nth = c->fail_nth_left };

		uapi_wire_add_ext(&e, &x);
	}
	for (i = 0; req && i < req->nr_segs; i++) {
		struct uapi_wire_seg seg;
		const uint8_t *data;
		uint32_t lo = c->mem.dirty_lo[i], hi = c->mem.dirty_hi[i];

		if (lo == hi)
			continue;
		uapi_wire_seg_get(req, i, &seg, &data);
		uapi_wire_add_seg(&e, seg.uaddr + lo, data + lo, hi - lo);
	}
	/*
	 * Dirty ranges belong to this request alone: one that fails before
	 * uapi_usermem_begin() must not send back the previous one's.
	 */
	memset(c->mem.dirty_lo, 0, sizeof(c->mem.dirty_lo));
	memset(c->mem.dirty_hi, 0, sizeof(c->mem.dirty_hi));
	len = uapi_wire_finish(&e, new_fd >= 0);
	if (len < 0) {
		pl_warn("uapi: cannot encode a reply (%ld)", len);
		return;	/* the client sees EOF on its reply socket: EIO */
	}
	iov = (struct iovec){ d->tx, (size_t)len };
	if (new_fd >= 0) {
		struct cmsghdr *cm;

		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = sizeof(cbuf.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &new_fd, sizeof(int));
	}
	/* Never block on a client: if it is not there to read, drop it. */
	if (sendmsg(reply_fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) != len)
		pl_info("uapi: client went away before its reply");
}

/*
 * Fault injection (docs/daemon.md, "Fault injection"): the client thread's
 * fail-nth count covers the iommufd code serving its request, and only
 * that. The daemon's own bookkeeping (connections, memory backings) has no
 * counterpart in the Linux syscall, so it never takes an injected failure.
 * Single-threaded: one request is armed at a time.
 */
static void req_fail_nth_arm(const struct uapi_wire_msg *m)
{
	if (m->ext.fail_nth)
		fault_inject_nth(m->ext.fail_nth);
}

/* Disarm; the count left is what Linux's task->fail_nth would hold. */
static void req_fail_nth_disarm(struct uapi_conn *c, const struct uapi_wire_msg *m)
{
	unsigned long calls;

	if (!m->ext.fail_nth)
		return;
	calls = fault_calls();
	c->fail_nth_left = fault_injected() || calls >= m->ext.fail_nth ?
			   0 : m->ext.fail_nth - (uint32_t)calls;
	fault_inject_nth(0);
}

/*
 * The calling process's credentials, as Linux consults them during the
 * syscall: capable(CAP_IPC_LOCK) when IOAS_MAP creates pages,
 * capable(CAP_SYS_RESOURCE) for IOMMU_OPTION_RLIMIT_MODE (both against the
 * effective set, read here with capget()), and RLIMIT_MEMLOCK for the pins
 * the request makes (prlimit()). The sender of every record is known from
 * SCM_CREDENTIALS, so this is the caller's, not the opener's. A sender that
 * cannot be examined has no capabilities and the daemon's own limit.
 */
static void conn_creds(struct uapi_conn *c, pid_t pid)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = pid,
	};
	struct __user_cap_data_struct cap[_LINUX_CAPABILITY_U32S_3];
	bool ipc_lock = false, sys_resource = false;
	struct rlimit rl;

	memset(cap, 0, sizeof(cap));
	/* pid 0 would be the daemon itself to capget(). */
	if (pid > 0 && !syscall(SYS_capget, &hdr, cap)) {
		ipc_lock = cap[CAP_TO_INDEX(CAP_IPC_LOCK)].effective &
			   CAP_TO_MASK(CAP_IPC_LOCK);
		sys_resource = cap[CAP_TO_INDEX(CAP_SYS_RESOURCE)].effective &
			       CAP_TO_MASK(CAP_SYS_RESOURCE);
	}
	iommufd_ctx_set_caps(c->ictx, ipc_lock, sys_resource);
	if (pid <= 0 || prlimit(pid, RLIMIT_MEMLOCK, NULL, &rl))
		if (getrlimit(RLIMIT_MEMLOCK, &rl))
			rl.rlim_cur = RLIM_INFINITY;
	c->user->acct.limit_pages = rl.rlim_cur == RLIM_INFINITY ?
				    UINT64_MAX : rl.rlim_cur / IOMMUFD_PAGE_SIZE;
}

static long serve_ioctl(struct uapi_conn *c, struct uapi_wire_msg *m,
			const int *fds, unsigned int nr_fds, pid_t pid,
			uint8_t *buf)
{
	struct uapi_mm *mm;
	unsigned int i;
	long rc;

	if (!c->ictx)
		return -EBADF;
	mm = uapi_usermem_mm(&c->mem, pid);
	if (!mm)
		return -ENOMEM;
	for (i = 0; i < m->nr_backs; i++) {
		int err = uapi_mm_add_back(mm, &m->backs[i],
					   fds[m->backs[i].fd_index]);

		if (err) {
			pl_warn("uapi: rejecting a memory backing from pid %d (%s)",
				(int)pid, strerror(-err));
			return -EFAULT;
		}
	}
	conn_creds(c, pid);
	uapi_usermem_begin(&c->mem, m, buf);
	c->req_fds = fds;
	c->req_nr_fds = nr_fds;
	req_fail_nth_arm(m);
	rc = iommufd_ioctl(c->ictx, m->u.ioctl.cmd,
			   (void *)(uintptr_t)m->u.ioctl.arg, uapi_mm_ops(mm));
	req_fail_nth_disarm(c, m);
	c->req_fds = NULL;
	c->req_nr_fds = 0;
	uapi_usermem_end(&c->mem);
	/* A file created: it is live now, its client end goes with the reply. */
	if (c->pending) {
		c->pending->next = c->files;
		c->files = c->pending;
		c->pending = NULL;
		c->d->nr_files++;
	}
	return rc;
}

/*
 * Release files the client has closed before serving its next request:
 * close() returns before the daemon sees the EOF, but Linux's release has
 * run by then (the selftests destroy an IOAS right after closing the
 * access fd that used it).
 */
static void conn_reap_files(struct uapi_daemon *d, struct uapi_conn *c)
{
	struct uapi_file *f, *next;

	for (f = c->files; f; f = next) {
		struct pollfd p = { .fd = f->fd, .events = POLLIN };

		next = f->next;
		if (poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR)))
			file_close(d, c, f);
	}
}

/*
 * Readiness of fault files. POLLIN on the client end of a file's socket
 * means a record is queued on it, and only the daemon can queue one: so
 * while a fault file has faults to read, one 1-byte token waits there
 * (SIOCOUTQ says whether our last one is still unread). The shim drains
 * tokens before each read it forwards; the daemon re-arms after serving
 * it if faults remain. Called after every request that may deliver or
 * consume faults, before its reply.
 */
static void conn_arm_files(struct uapi_conn *c)
{
	struct uapi_file *f;

	for (f = c->files; f; f = f->next) {
		int queued = 0;

		if (f->kind != IOMMUFD_FILE_FAULT ||
		    !iommufd_fault_pending(c->ictx, f->handle))
			continue;
		if (ioctl(f->fd, SIOCOUTQ, &queued) || queued)
			continue;
		/* Full (a client that never reads): it is readable anyway. */
		if (send(f->fd, "!", 1, MSG_DONTWAIT | MSG_NOSIGNAL) != 1)
			pl_info("uapi: cannot queue a readiness token (%s)",
				strerror(errno));
	}
}

/*
 * read(2) and write(2) on file f (Linux's vfs_read()/vfs_write() and then
 * the file's own read/write). Only fault files have them: an access file,
 * like Linux's selftest access file, has neither, and gives EINVAL.
 */
#define UAPI_MAX_RW_COUNT	0x7ffff000ull		/* INT_MAX & PAGE_MASK */
#define UAPI_USER_PTR_MAX	0x7fffffffefffull	/* x86-64 TASK_SIZE_MAX - 1 */

static long serve_file_io(struct uapi_conn *c, struct uapi_file *f,
			  struct uapi_wire_msg *m, pid_t pid, uint8_t *buf)
{
	const struct uapi_wire_file_io *io = &m->u.file_io;
	uint64_t count = io->count, end;
	struct uapi_mm *mm;
	long rc;

	if (f->kind != IOMMUFD_FILE_FAULT || !c->ictx)
		return -EINVAL;
	/* access_ok(), then rw_verify_area(), then the MAX_RW_COUNT clamp. */
	if (__builtin_add_overflow(io->buf, count, &end) || end > UAPI_USER_PTR_MAX)
		return -EFAULT;
	if ((int64_t)count < 0)
		return -EINVAL;
	count = MIN(count, UAPI_MAX_RW_COUNT);
	mm = uapi_usermem_mm(&c->mem, pid);
	if (!mm)
		return -ENOMEM;
	uapi_usermem_begin(&c->mem, m, buf);
	if (io->op == UAPI_WIRE_FILE_READ)
		rc = iommufd_fault_read(c->ictx, f->handle, io->buf, (size_t)count,
					uapi_mm_ops(mm));
	else
		rc = iommufd_fault_write(c->ictx, f->handle, io->buf, (size_t)count,
					 uapi_mm_ops(mm));
	uapi_usermem_end(&c->mem);
	return rc;
}

/* One record received: its descriptors and who sent it. */
struct daemon_rx {
	int fds[UAPI_WIRE_MAX_FDS];
	unsigned int nr_fds;
	pid_t pid;		/* 0: unknown */
	uid_t uid;
	bool truncated;		/* record or descriptors cut short */
};

/*
 * Receive one record from fd into d->rx without blocking. Returns its
 * length, 0 at EOF (the client's last close), or -errno (-EAGAIN: nothing
 * there). Descriptors beyond what a record may carry are closed here.
 */
static ssize_t daemon_recv(struct uapi_daemon *d, int fd, struct daemon_rx *rx)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * UAPI_WIRE_MAX_FDS) +
			 CMSG_SPACE(sizeof(struct ucred))];
	} cbuf;
	struct iovec iov = { .iov_base = d->rx, .iov_len = UAPI_WIRE_MAX_MSG };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf),
	};
	struct cmsghdr *cm;
	ssize_t n;

	rx->nr_fds = 0;
	rx->pid = 0;
	rx->uid = (uid_t)-1;
	n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int), i;
			int *p = (int *)CMSG_DATA(cm);

			for (i = 0; i < k; i++) {
				int one;

				memcpy(&one, p + i, sizeof(one));
				if (rx->nr_fds < UAPI_WIRE_MAX_FDS)
					rx->fds[rx->nr_fds++] = one;
				else
					close(one);
			}
		} else if (cm->cmsg_level == SOL_SOCKET &&
			   cm->cmsg_type == SCM_CREDENTIALS &&
			   cm->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
			struct ucred uc;

			memcpy(&uc, CMSG_DATA(cm), sizeof(uc));
			rx->pid = uc.pid;
			rx->uid = uc.uid;
		}
	}
	rx->truncated = mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC);
	return n;
}

/* Serve one record from c. Returns false when the connection is finished. */
static bool conn_service(struct uapi_daemon *d, struct uapi_conn *c)
{
	struct daemon_rx rx;
	int *fds = rx.fds;
	unsigned int nr_fds, i;
	struct uapi_wire_msg m;
	const char *why;
	pid_t pid;
	ssize_t n;
	long result;

	n = daemon_recv(d, c->fd, &rx);
	if (n < 0)
		return n == -EAGAIN || n == -EINTR;
	if (n == 0)
		return false;	/* the last client descriptor is closed */
	nr_fds = rx.nr_fds;
	pid = rx.pid;
	if (rx.truncated) {
		why = "record or descriptors truncated";
		goto bad;
	}
	if (uapi_wire_parse(d->rx, (size_t)n, nr_fds, &m, &why))
		goto bad;
	/* Unchanged unless the request reaches an injection point. */
	c->fail_nth_left = m.ext.fail_nth;

	switch (m.hdr.type) {
	case UAPI_WIRE_OPEN:
		if (c->ictx || m.u.open.dev != UAPI_WIRE_DEV_IOMMU) {
			result = c->ictx ? -EBUSY : -ENODEV;
		} else {
			struct iommufd_ctx *ictx;

			/* Linux's open allocates the context: an injection point. */
			req_fail_nth_arm(&m);
			ictx = iommufd_ctx_create();
			req_fail_nth_disarm(c, &m);
			result = PTR_ERR_OR_ZERO(ictx);
			/* Pins are charged to the opener's user (uapi_user). */
			if (!result) {
				c->user = user_get(d, rx.uid);
				if (!c->user) {
					iommufd_ctx_destroy(ictx);
					result = -ENOMEM;
				}
			}
			if (!result) {
				iommufd_ctx_set_acct(ictx, &c->user->acct);
				iommufd_ctx_set_file_ops(ictx, &c->fops);
				c->ictx = ictx;
				conn_creds(c, pid);
			}
		}
		send_reply(d, fds[0], result, c, &m, -1);
		break;
	case UAPI_WIRE_IOCTL:
		conn_reap_files(d, c);
		result = serve_ioctl(c, &m, fds, nr_fds, pid, d->rx);
		/* Before the reply: a poll right after it must see new faults. */
		conn_arm_files(c);
		send_reply(d, fds[0], result, c, &m, c->pending_fd);
		if (c->pending_fd >= 0)
			close(c->pending_fd);	/* the client holds it now */
		c->pending_fd = -1;
		break;
	default:
		why = "unexpected record type from a client";
		goto bad;
	}
	for (i = 0; i < nr_fds; i++)
		close(fds[i]);
	return true;

bad:
	pl_warn("uapi: dropping a malformed record from pid %d: %s", (int)pid, why);
	for (i = 0; i < nr_fds; i++)
		close(fds[i]);
	return true;
}

/*
 * Something arrived on our end of file f: a read or write to serve, or EOF,
 * the client's last close.
 */
static void file_service(struct uapi_daemon *d, struct uapi_conn *c,
			 struct uapi_file *f)
{
	struct daemon_rx rx;
	struct uapi_wire_msg m;
	const char *why;
	unsigned int i;
	ssize_t n;
	long result;

	n = daemon_recv(d, f->fd, &rx);
	if (n == 0 || (n < 0 && n != -EAGAIN && n != -EINTR)) {
		file_close(d, c, f);
		return;
	}
	if (n < 0)
		return;
	if (rx.truncated) {
		why = "record or descriptors truncated";
		goto bad;
	}
	if (uapi_wire_parse(d->rx, (size_t)n, rx.nr_fds, &m, &why))
		goto bad;
	if (m.hdr.type != UAPI_WIRE_FILE_IO) {
		why = "unexpected record type on a file";
		goto bad;
	}
	c->fail_nth_left = m.ext.fail_nth;	/* no injection point on this path */
	result = serve_file_io(c, f, &m, rx.pid, d->rx);
	conn_arm_files(c);
	send_reply(d, rx.fds[0], result, c, &m, -1);
	for (i = 0; i < rx.nr_fds; i++)
		close(rx.fds[i]);
	return;

bad:
	pl_warn("uapi: dropping a malformed record from pid %d on a file: %s",
		(int)rx.pid, why);
	for (i = 0; i < rx.nr_fds; i++)
		close(rx.fds[i]);
}

int uapi_daemon_run(struct uapi_daemon *d, int stop_fd, int timeout_ms)
{
	for (;;) {
		struct pollfd *pfd;
		struct uapi_conn **who, *c;
		struct uapi_file **whf, *f;
		unsigned int n = 0, i, max = d->nr_conns + d->nr_files + 2;
		int rc;

		pfd = pl_calloc(max, sizeof(*pfd));
		who = pl_calloc(max, sizeof(*who));
		whf = pl_calloc(max, sizeof(*whf));
		if (!pfd || !who || !whf) {
			free(pfd);
			free(who);
			free(whf);
			return -ENOMEM;
		}
		pfd[n++] = (struct pollfd){ .fd = stop_fd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = d->listen_fd, .events = POLLIN };
		for (c = d->conns; c; c = c->next) {
			if (c->fd >= 0) {
				who[n] = c;
				pfd[n++] = (struct pollfd){ .fd = c->fd, .events = POLLIN };
			}
			for (f = c->files; f; f = f->next) {
				who[n] = c;
				whf[n] = f;
				pfd[n++] = (struct pollfd){ .fd = f->fd, .events = POLLIN };
			}
		}
		rc = poll(pfd, n, timeout_ms);
		if (rc <= 0) {
			rc = rc < 0 ? (errno == EINTR ? 1 : -errno) : -ETIMEDOUT;
			free(pfd);
			free(who);
			free(whf);
			if (rc == 1)
				continue;
			return rc;
		}
		/*
		 * Existing connections first, in order; then new ones. A
		 * connection's files come after it, so a connection freed by
		 * its last file's close is never used again in this round.
		 */
		for (i = 2; i < n; i++) {
			if (!pfd[i].revents)
				continue;
			if (whf[i]) {
				/* conn_reap_files() may have released it. */
				for (f = who[i]->files; f && f != whf[i]; f = f->next)
					;
				if (f)
					file_service(d, who[i], f);
			}
			else if (!conn_service(d, who[i]))
				conn_close(d, who[i]);
		}
		if (pfd[1].revents & POLLIN)
			daemon_accept(d);
		rc = pfd[0].revents ? 0 : 1;
		free(pfd);
		free(who);
		free(whf);
		if (!rc)
			return 0;
	}
}
