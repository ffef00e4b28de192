/* SPDX-License-Identifier: MIT */
/*
 * Internal to libpcilab-preload.so (docs/daemon.md): what its files share.
 * preload.c opens /dev/iommu and forwards ioctls, reback.c re-backs the
 * memory an ioctl pins, fileio.c forwards read/write on fault fds. Nothing
 * here is exported: the library builds with -fvisibility=hidden and only
 * the interposed libc functions carry SHIM_API.
 */
#ifndef PCILAB_SHIM_SHIM_H
#define PCILAB_SHIM_SHIM_H

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

/* libc's open, looked up by the constructor (preload.c). */
extern int (*real_open)(const char *, int, ...);

/* ---- the caller's memory, read and written without faulting (preload.c) */

int shim_mem_read(void *dst, uint64_t uaddr, size_t len);
int shim_mem_write(uint64_t uaddr, const void *src, size_t len);

/* A file the daemon created (access/fault fd): its peer has our name. */
bool shim_is_file(int fd);

/* ---- one request, one reply (preload.c) ---- */

long shim_request(int conn, const void *msg, size_t len, const int *fds,
		  unsigned int nr_fds, uint8_t *rbuf, size_t rcap,
		  struct uapi_wire_msg *reply, bool *replied, int *new_fd);

/* An ioctl's request being built: copied segments and backing files. */
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

void shim_add_seg(struct shim_req *r, uint64_t uaddr, uint64_t len);

/* ---- re-backing pinnable memory (reback.c) ---- */

void shim_reback(uint64_t uaddr, uint64_t len, struct uapi_wire_back *backs,
		 int *fds, bool *owned, unsigned int *nr);

/* pthread_atfork handlers (registered by preload.c's constructor). */
void shim_atfork_prepare(void);
void shim_atfork_parent(void);
void shim_atfork_child(void);

#endif /* PCILAB_SHIM_SHIM_H */
