/* SPDX-License-Identifier: MIT */
/*
 * iommufd core: what one open of /dev/iommu is. The transport (in-process
 * tests, or the daemon serving the LD_PRELOAD shim) creates a context per
 * open file, forwards each ioctl to iommufd_ioctl() and destroys the
 * context on the last close. Everything below speaks the Linux uAPI of
 * <linux/iommufd.h> byte for byte; errors are the errno Linux returns.
 */
#ifndef PCILAB_KERNEL_IOMMUFD_H
#define PCILAB_KERNEL_IOMMUFD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct iommufd_ctx;

/*
 * The caller's memory. Addresses are the caller's user virtual addresses.
 *
 * copy_from_user/copy_to_user move ioctl structs and arrays; they return 0
 * or -EFAULT.
 *
 * pin_page pins the page-aligned user page at uaddr (IOMMUFD_PAGE_SIZE
 * bytes) and returns in *kva a pointer through which the core may read and
 * write that page until the matching unpin_page. Like a pinned page in
 * Linux, it must stay valid (and keep its identity: the same page pins to
 * the same kva) even if the caller unmaps it. Returns 0, -EFAULT for an
 * unmapped address, or -EPERM when write is requested on a read-only page.
 *
 * An ops table passed to an IOAS_MAP is remembered by the pages it created
 * (like Linux's pages->source_mm) and must outlive the context.
 */
struct iommufd_user_mem_ops {
	int (*copy_from_user)(const struct iommufd_user_mem_ops *um, void *dst,
			      uint64_t uaddr, size_t len);
	int (*copy_to_user)(const struct iommufd_user_mem_ops *um, uint64_t uaddr,
			    const void *src, size_t len);
	int (*pin_page)(const struct iommufd_user_mem_ops *um, uint64_t uaddr,
			bool write, void **kva);
	void (*unpin_page)(const struct iommufd_user_mem_ops *um, uint64_t uaddr,
			   void *kva);
	void *priv;
};

/* Granule of pinning; the host page size pcilab runs with. */
#define IOMMUFD_PAGE_SIZE 4096ull

/*
 * Locked-memory accounting, RLIMIT_MEMLOCK style: pinned pages are charged
 * to one of these. Each context has its own by default; the transport may
 * point several contexts of one user at a shared one.
 */
struct iommufd_acct {
	uint64_t locked_pages;	/* pages currently charged */
	uint64_t limit_pages;	/* RLIMIT_MEMLOCK >> PAGE_SHIFT */
};

struct iommufd_ctx *iommufd_ctx_create(void);
/* Destroys every object (like the last close of the fd) and the context. */
void iommufd_ctx_destroy(struct iommufd_ctx *ictx);
/* Charge pins to acct instead of the context's own (NULL: back to own). */
void iommufd_ctx_set_acct(struct iommufd_ctx *ictx, struct iommufd_acct *acct);
struct iommufd_acct *iommufd_ctx_acct(struct iommufd_ctx *ictx);
/* CAP_IPC_LOCK / CAP_SYS_RESOURCE of the opener (default: neither). */
void iommufd_ctx_set_caps(struct iommufd_ctx *ictx, bool ipc_lock,
			  bool sys_resource);
/* Number of live objects (finalized or not), for leak checks. */
unsigned int iommufd_ctx_nr_objects(struct iommufd_ctx *ictx);

/*
 * One ioctl on the context. arg_user is the user address of the argument
 * (as in the ioctl syscall). Returns 0 or -errno; -ENOTTY for a command
 * this file does not know.
 */
long iommufd_ioctl(struct iommufd_ctx *ictx, unsigned int cmd, void *arg_user,
		   const struct iommufd_user_mem_ops *um);

/*
 * IOMMU_TEST_OP_CREATE_ACCESS returns a handle in out_access_fd; the
 * transport turns it into a file descriptor and calls this when that fd is
 * closed (Linux: the access file's release). Returns 0 or -ENOENT.
 */
int iommufd_test_access_close(struct iommufd_ctx *ictx, uint32_t handle);

#endif /* PCILAB_KERNEL_IOMMUFD_H */
