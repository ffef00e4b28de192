/* SPDX-License-Identifier: MIT */
/*
 * A client's memory as the daemon sees it (docs/daemon.md):
 *  - during one ioctl, copies of the user memory the shim sent (the ioctl
 *    struct and the arrays it points to); copy_to_user writes into them and
 *    records which bytes changed, to be sent back;
 *  - pinnable ranges: [uaddr, uaddr + len) of the client backed by a file
 *    the daemon maps too (MAP_SHARED): a sealed memfd the shim re-backed
 *    private memory with, or the very file behind a MAP_SHARED mapping of
 *    the client (shared anonymous memory, tmpfs, disk, hugetlbfs). pin_page
 *    hands out pointers into that mapping: coherent with the client and
 *    with every process sharing the file, alive after the client unmaps or
 *    exits, and the same page always yields the same pointer.
 * Ranges belong to the process that registered them: one struct uapi_mm
 * per client process (found by the pid the kernel attaches to each record,
 * held as a pidfd), whose ops table is what iommufd remembers for the pages
 * of an IOAS_MAP, like Linux's pages->source_mm. Once that process has
 * exited its ranges can no longer be pinned (-EFAULT), as pinning through
 * a dead mm fails in Linux; pages pinned before stay valid.
 */
#ifndef PCILAB_UAPI_USERMEM_H
#define PCILAB_UAPI_USERMEM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "kernel/iommufd/iommufd.h"
#include "uapi/wire.h"

struct uapi_mm;

/* The memory of one connection's clients. */
struct uapi_usermem {
	struct uapi_mm *mms;		/* one per client process seen */
	/* The request being served (NULL between requests). */
	struct uapi_wire_msg *req;
	uint8_t *req_buf;		/* writable view of req->buf */
	uint32_t dirty_lo[UAPI_WIRE_MAX_SEGS], dirty_hi[UAPI_WIRE_MAX_SEGS];
};

void uapi_usermem_init(struct uapi_usermem *mem);
/*
 * Drop every process and range; call after the iommufd context is gone
 * (its ops tables die here).
 */
void uapi_usermem_release(struct uapi_usermem *mem);

/*
 * The memory of client process pid (0: unknown), created on first use; a
 * pid whose earlier process has exited gets a fresh one. NULL: no memory.
 */
struct uapi_mm *uapi_usermem_mm(struct uapi_usermem *mem, pid_t pid);
/* The ops table to hand iommufd for requests of this process. */
const struct iommufd_user_mem_ops *uapi_mm_ops(struct uapi_mm *mm);

/*
 * Register backing b, whose descriptor is fd, in mm. Validates first (a
 * regular file, open for reading and, if b is writable, for writing, with
 * offset + len inside it); returns 0 or -errno and leaves mm unchanged on
 * failure. A file not sealed against resizing is accepted: pins check its
 * current size, and a SIGBUS guard keeps a truncation under the daemon's
 * mapping from killing the daemon (usermem.c).
 */
int uapi_mm_add_back(struct uapi_mm *mm, const struct uapi_wire_back *b, int fd);

/* Begin / end serving a request whose segments live in buf (writable). */
void uapi_usermem_begin(struct uapi_usermem *mem, struct uapi_wire_msg *req,
			uint8_t *buf);
void uapi_usermem_end(struct uapi_usermem *mem);

/* Number of pages pinned through mem right now (leak checks). */
uint64_t uapi_usermem_pins(const struct uapi_usermem *mem);

#endif /* PCILAB_UAPI_USERMEM_H */
