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
#define UAPI_WIRE_VERSION	1

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
};

/* Device nodes the daemon serves (uapi_wire_open.dev). */
enum uapi_wire_dev {
	UAPI_WIRE_DEV_IOMMU = 1,	/* /dev/iommu */
};

struct uapi_wire_hdr {
	uint32_t magic;		/* UAPI_WIRE_MAGIC */
	uint16_t version;	/* UAPI_WIRE_VERSION */
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
 * IOCTL: followed by nr_backs struct uapi_wire_back, then nr_segs segments
 * (struct uapi_wire_seg + len bytes, padded to 8).
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

/* REPLY: followed by nr_segs segments, like an IOCTL. */
struct uapi_wire_reply {
	struct uapi_wire_hdr hdr;
	int32_t result;		/* 0, a non-negative value, or -errno */
	uint32_t nr_segs;
};
_Static_assert(sizeof(struct uapi_wire_reply) == 24, "uapi_wire_reply");

#endif /* PCILAB_UAPI_WIRE_H */
