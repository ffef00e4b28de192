/* SPDX-License-Identifier: MIT */
/*
 * Wire protocol between the LD_PRELOAD shim (inside a client process) and
 * the daemon hosting the world (pcilab exec). See docs/daemon.md.
 *
 * Transport: one AF_UNIX SOCK_SEQPACKET connection per open file
 * description of a device node (/dev/iommu). The connected socket *is* the
 * client's file descriptor, so dup/fork/SCM_RIGHTS share it exactly as they
 * share an open file; the daemon sees the last close as EOF.
 *
 * Every request is one record carrying SCM_RIGHTS descriptors. fds[0] is
 * always a fresh SOCK_SEQPACKET socket the reply goes to (so that several
 * processes sharing the connection after fork never read each other's
 * replies); an IOCTL may add memfds (fds[1..]) that back pinnable memory.
 *
 * Records are little-endian host structs (client and daemon run on the same
 * machine). All lengths are checked by uapi_wire_parse() before use: peer
 * data is hostile.
 */
#ifndef PCILAB_UAPI_WIRE_H
#define PCILAB_UAPI_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define UAPI_WIRE_MAGIC		0x42414c50u	/* "PLAB" */
/*
 * Versions. Every record is sent in the lowest version that can express
 * it, so a shim and a daemon of different builds still talk as long as
 * neither needs what the other lacks:
 *  1: the records below;
 *  2: the fixed part of the record (open, ioctl or reply struct) is
 *     followed by a struct uapi_wire_ext, then by what follows it in
 *     version 1. A daemon answers a version-2 request with a version-2
 *     reply, and a version-1 request with a version-1 reply.
 */
#define UAPI_WIRE_VERSION_1	1
#define UAPI_WIRE_VERSION_2	2
#define UAPI_WIRE_VERSION	UAPI_WIRE_VERSION_2	/* newest understood */

/* Largest record either side sends or accepts. */
#define UAPI_WIRE_MAX_MSG	(1u << 20)
/* Most user-memory segments in one request or reply. */
#define UAPI_WIRE_MAX_SEGS	16
/* Most memory backings (and memfds) in one IOCTL request. */
#define UAPI_WIRE_MAX_BACKS	32
/* Most descriptors attached to one record: reply socket + backings. */
#define UAPI_WIRE_MAX_FDS	(1 + UAPI_WIRE_MAX_BACKS + 1)
/*
 * A REPLY may carry one descriptor: the client end of a new file the ioctl
 * created (an access or fault fd), a socket whose daemon end is bound to
 * "\0pcilab-file:...". An IOCTL naming such a file (an access fd in
 * IOMMU_TEST_CMD's id) attaches it after the backings' memfds.
 */
#define UAPI_WIRE_MAX_REPLY_FDS	1
/* Abstract-name prefix of the daemon end of such a file. */
#define UAPI_WIRE_FILE_PREFIX	"pcilab-file:"

enum uapi_wire_type {
	UAPI_WIRE_OPEN = 1,	/* client → daemon: this connection is an open() */
	UAPI_WIRE_IOCTL = 2,	/* client → daemon: one ioctl */
	UAPI_WIRE_REPLY = 3,	/* daemon → client (on fds[0] of the request) */
	UAPI_WIRE_FILE_IO = 4,	/* client → daemon, on a file's socket: read/write */
};

/* Device nodes the daemon serves (uapi_wire_open.dev). */
enum uapi_wire_dev {
	UAPI_WIRE_DEV_IOMMU = 1,	/* /dev/iommu */
};

struct uapi_wire_hdr {
	uint32_t magic;		/* UAPI_WIRE_MAGIC */
	uint16_t version;	/* UAPI_WIRE_VERSION_1 or _2 */
	uint16_t type;		/* enum uapi_wire_type */
	uint32_t len;		/* whole record, header included */
	uint32_t nr_fds;	/* descriptors attached with SCM_RIGHTS */
};
_Static_assert(sizeof(struct uapi_wire_hdr) == 16, "uapi_wire_hdr");

struct uapi_wire_open {
	struct uapi_wire_hdr hdr;
	uint32_t dev;		/* enum uapi_wire_dev */
	uint32_t flags;		/* open(2) flags, informational */
};
_Static_assert(sizeof(struct uapi_wire_open) == 24, "uapi_wire_open");

/*
 * IOCTL: followed (after the version-2 extension, if any) by nr_backs
 * struct uapi_wire_back, then nr_segs segments (struct uapi_wire_seg + len
 * bytes, padded to 8).
 */
struct uapi_wire_ioctl {
	struct uapi_wire_hdr hdr;
	uint32_t cmd;		/* ioctl request number */
	uint32_t nr_segs;
	uint64_t arg;		/* the ioctl's argument: a user address */
	uint32_t nr_backs;
	uint32_t reserved;	/* must be 0 */
};
_Static_assert(sizeof(struct uapi_wire_ioctl) == 40, "uapi_wire_ioctl");

/*
 * A copy of user memory [uaddr, uaddr + len): in a request, the bytes the
 * shim read (the ioctl struct and the arrays it points to); in a reply, the
 * bytes the daemon wrote (copy_to_user), for the shim to store back.
 */
struct uapi_wire_seg {
	uint64_t uaddr;
	uint32_t len;
	uint32_t reserved;	/* must be 0 */
};
_Static_assert(sizeof(struct uapi_wire_seg) == 16, "uapi_wire_seg");

#define UAPI_WIRE_BACK_WRITABLE	(1u << 0)	/* the client may write the pages */
#define UAPI_WIRE_BACK_FLAGS	UAPI_WIRE_BACK_WRITABLE

/*
 * Pinnable user memory: [uaddr, uaddr + len) of the client is backed by
 * the memfd fds[fd_index] at offset (MAP_SHARED in both processes).
 * uaddr, len and offset are page aligned.
 */
struct uapi_wire_back {
	uint64_t uaddr;
	uint64_t len;
	uint64_t offset;
	uint32_t fd_index;	/* 1 .. hdr.nr_fds - 1 */
	uint32_t flags;		/* UAPI_WIRE_BACK_* */
};
_Static_assert(sizeof(struct uapi_wire_back) == 32, "uapi_wire_back");

/*
 * FILE_IO: read(2) or write(2) of count bytes at user address buf on a
 * file the daemon created (a fault fd), sent on that file's own socket
 * with a reply socket as its only descriptor. Followed by nr_segs
 * segments: the readable part of [buf, buf + count) (for a read, what the
 * buffer holds now). The REPLY's result is the byte count or -errno; for a
 * read its segments carry the bytes read. In the other direction the
 * daemon sends nothing on a file's socket but 1-byte readiness tokens: one
 * is queued while a read would return data, so that poll/select/epoll on
 * the client end report POLLIN exactly then (docs/daemon.md).
 */
#define UAPI_WIRE_FILE_READ	1
#define UAPI_WIRE_FILE_WRITE	2

struct uapi_wire_file_io {
	struct uapi_wire_hdr hdr;
	uint32_t op;		/* UAPI_WIRE_FILE_READ or _WRITE */
	uint32_t nr_segs;
	uint64_t buf;		/* the user buffer */
	uint64_t count;		/* bytes asked, as passed to read/write */
};
_Static_assert(sizeof(struct uapi_wire_file_io) == 40, "uapi_wire_file_io");

/* REPLY: followed by nr_segs segments, like an IOCTL. */
struct uapi_wire_reply {
	struct uapi_wire_hdr hdr;
	int32_t result;		/* 0, a non-negative value, or -errno */
	uint32_t nr_segs;
};
_Static_assert(sizeof(struct uapi_wire_reply) == 24, "uapi_wire_reply");

/*
 * Version 2: the per-request state of the calling thread (docs/daemon.md,
 * "Fault injection"). In an OPEN or IOCTL, fail_nth is the thread's
 * fail-nth count (Linux's task->fail_nth, set through
 * /proc/self/task/<tid>/fail-nth): the fail_nth-th fault-injection point
 * the daemon passes while serving the request fails. In the REPLY it is
 * the count left afterwards: 0 once the failure was injected (or when
 * nothing was armed), else the request's count minus the points passed.
 */
struct uapi_wire_ext {
	uint32_t fail_nth;
	uint32_t reserved;	/* must be 0 */
};
_Static_assert(sizeof(struct uapi_wire_ext) == 8, "uapi_wire_ext");

#endif /* PCILAB_UAPI_WIRE_H */
