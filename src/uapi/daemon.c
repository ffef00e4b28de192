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
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

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
};

struct uapi_daemon {
	int listen_fd;
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
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv)) {
		rc = -errno;
		goto err_free;
	}
	n = snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1,
		     UAPI_WIRE_FILE_PREFIX "%d:%u:%u", (int)getpid(),
		     c->d->file_seq++, handle);
	if (bind(sv[0], (struct sockaddr *)&sa,
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
	for (i = 0; req && i < req->nr_segs; i++) {
		struct uapi_wire_seg seg;
		const uint8_t *data;
		uint32_t lo = c->mem.dirty_lo[i], hi = c->mem.dirty_hi[i];

		if (lo == hi)
			continue;
		uapi_wire_seg_get(req, i, &seg, &data);
		uapi_wire_add_seg(&e, seg.uaddr + lo, data + lo, hi - lo);
	}
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
	uapi_usermem_begin(&c->mem, m, buf);
	c->req_fds = fds;
	c->req_nr_fds = nr_fds;
	rc = iommufd_ioctl(c->ictx, m->u.ioctl.cmd,
			   (void *)(uintptr_t)m->u.ioctl.arg, uapi_mm_ops(mm));
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
 * CAP_IPC_LOCK and CAP_SYS_RESOURCE of the opening process, from its
 * effective capability set (Linux checks capable() at the ioctl; the
 * opener's set is the closest thing a daemon can observe).
 */
static void opener_caps(pid_t pid, bool *ipc_lock, bool *sys_resource)
{
	unsigned long long eff = 0;
	char path[64], line[256];
	FILE *f;

	*ipc_lock = *sys_resource = false;
	if (pid <= 0)
		return;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	*ipc_lock = eff & (1ull << 14);		/* CAP_IPC_LOCK */
	*sys_resource = eff & (1ull << 24);	/* CAP_SYS_RESOURCE */
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

/* Serve one record from c. Returns false when the connection is finished. */
static bool conn_service(struct uapi_daemon *d, struct uapi_conn *c)
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
	int fds[UAPI_WIRE_MAX_FDS];
	unsigned int nr_fds = 0, i;
	struct uapi_wire_msg m;
	struct cmsghdr *cm;
	const char *why;
	pid_t pid = 0;
	ssize_t n;
	long result;

	n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	if (n == 0)
		return false;	/* the last client descriptor is closed */
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			int *p = (int *)CMSG_DATA(cm);

			for (i = 0; i < k; i++) {
				int fd;

				memcpy(&fd, p + i, sizeof(fd));
				if (nr_fds < UAPI_WIRE_MAX_FDS)
					fds[nr_fds++] = fd;
				else
					close(fd);
			}
		} else if (cm->cmsg_level == SOL_SOCKET &&
			   cm->cmsg_type == SCM_CREDENTIALS &&
			   cm->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
			struct ucred uc;

			memcpy(&uc, CMSG_DATA(cm), sizeof(uc));
			pid = uc.pid;
		}
	}
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		why = "record or descriptors truncated";
		goto bad;
	}
	if (uapi_wire_parse(d->rx, (size_t)n, nr_fds, &m, &why))
		goto bad;

	switch (m.hdr.type) {
	case UAPI_WIRE_OPEN:
		if (c->ictx || m.u.open.dev != UAPI_WIRE_DEV_IOMMU) {
			result = c->ictx ? -EBUSY : -ENODEV;
		} else {
			struct iommufd_ctx *ictx = iommufd_ctx_create();

			result = PTR_ERR_OR_ZERO(ictx);
			if (!result) {
				bool ipc_lock, sys_resource;

				opener_caps(pid, &ipc_lock, &sys_resource);
				iommufd_ctx_set_caps(ictx, ipc_lock, sys_resource);
				iommufd_ctx_set_file_ops(ictx, &c->fops);
				c->ictx = ictx;
			}
		}
		send_reply(d, fds[0], result, c, NULL, -1);
		break;
	case UAPI_WIRE_IOCTL:
		conn_reap_files(d, c);
		result = serve_ioctl(c, &m, fds, nr_fds, pid, d->rx);
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

/* Something arrived on our end of file f: EOF is the client's last close. */
static void file_service(struct uapi_daemon *d, struct uapi_conn *c,
			 struct uapi_file *f)
{
	char b[64];
	ssize_t n;

	n = recv(f->fd, b, sizeof(b), MSG_DONTWAIT | MSG_TRUNC);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		file_close(d, c, f);
	/* Data: nothing is served on file sockets yet, drop it. */
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
