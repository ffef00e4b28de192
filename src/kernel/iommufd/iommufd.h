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
	/*
	 * Optional: false once the process whose memory this is has exited
	 * (Linux's mmget_not_zero() failing on pages->source_mm). NULL: the
	 * memory never goes away.
	 */
	bool (*mm_alive)(const struct iommufd_user_mem_ops *um);
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
 * (as in the ioctl syscall); for the VFIO container ioctls VFIO_SET_IOMMU
 * and VFIO_CHECK_EXTENSION it is the integer argument itself. Returns
 * 0 or -errno (-ENOTTY for a command this file does not know), or for
 * VFIO_GET_API_VERSION / VFIO_CHECK_EXTENSION a value >= 0 that is the
 * ioctl's return value.
 */
long iommufd_ioctl(struct iommufd_ctx *ictx, unsigned int cmd, void *arg_user,
		   const struct iommufd_user_mem_ops *um);

/*
 * Some iommufd objects are files in Linux, not IDs: the selftest access
 * (IOMMU_TEST_OP_CREATE_ACCESS's out_access_fd) and later the fault queue
 * (IOMMU_FAULT_QUEUE_ALLOC's out_fault_fd). The core names each such file
 * with a handle, unique in its context. Without file ops the number handed
 * to userspace is the handle itself; a transport that gives its client real
 * fds sets ops that translate:
 *
 * install: a new file of kind with handle is being created; return the fd
 *   number userspace will see (>= 0) or -errno. The ioctl may still fail
 *   afterwards, in which case uninstall(fd) is called and the handle never
 *   becomes live.
 * lookup: userspace named fd in a later command; return its handle in
 *   *handle if fd is a file of that kind, else -EBADFD (Linux's errno for
 *   "not an access fd").
 *
 * When the client closes the fd the transport calls the kind's close
 * function (iommufd_test_access_close()). iommufd_ctx_destroy() releases
 * every file still open, after which their handles are dead (close gives
 * -ENOENT), so the transport may close fds in any order.
 */
enum iommufd_file_kind {
	IOMMUFD_FILE_ACCESS = 1,
	IOMMUFD_FILE_FAULT,
};

struct iommufd_file_ops {
	int (*install)(const struct iommufd_file_ops *ops,
		       enum iommufd_file_kind kind, uint32_t handle);
	void (*uninstall)(const struct iommufd_file_ops *ops, int fd);
	int (*lookup)(const struct iommufd_file_ops *ops, int fd,
		      enum iommufd_file_kind kind, uint32_t *handle);
	void *priv;
};

/* ops must outlive the context; NULL restores "fd == handle". */
void iommufd_ctx_set_file_ops(struct iommufd_ctx *ictx,
			      const struct iommufd_file_ops *ops);

/*
 * The release of a selftest access file: unpins whatever the access still
 * holds and destroys it. Returns 0 or -ENOENT for an unknown handle.
 */
int iommufd_test_access_close(struct iommufd_ctx *ictx, uint32_t handle);

/*
 * The fault queue file (IOMMU_FAULT_QUEUE_ALLOC's out_fault_fd), Linux's
 * iommufd_fault_fops. read: whole struct iommu_hwpt_pgfault records into
 * the user buffer at ubuf; returns the bytes read (0: nothing pending),
 * -ESPIPE if count is not a multiple of the record, -EINVAL if not even
 * one fits. write: struct iommu_hwpt_page_response records; returns the
 * bytes consumed, or -ESPIPE / -EFAULT / -EINVAL (bad code or cookie) if
 * none was. pending: whether a read would return data (poll's EPOLLIN;
 * EPOLLOUT is always set). close: the file's release; the fault object
 * itself lives on until IOMMU_DESTROY. All give -EBADF / false / -ENOENT
 * for an unknown handle.
 */
long iommufd_fault_read(struct iommufd_ctx *ictx, uint32_t handle,
			uint64_t ubuf, size_t count,
			const struct iommufd_user_mem_ops *um);
long iommufd_fault_write(struct iommufd_ctx *ictx, uint32_t handle,
			 uint64_t ubuf, size_t count,
			 const struct iommufd_user_mem_ops *um);
bool iommufd_fault_pending(struct iommufd_ctx *ictx, uint32_t handle);
int iommufd_fault_close(struct iommufd_ctx *ictx, uint32_t handle);

/*
 * Kernel-internal device binding (Linux's iommufd_device_bind() and
 * friends, what VFIO's cdev calls). The device is a PCI function behind a
 * kernel/iommu driver of isys; isys must outlive the context.
 *
 * bind: claims DMA ownership of the device's group for the context
 *   (iommu_device_claim_dma_owner(): -EPERM if a kernel driver or another
 *   owner uses the group, -EBUSY if it is on a non-default domain; the
 *   group goes to its blocking domain), -ENODEV if no IOMMU translates for
 *   the device, -EINVAL without coherent DMA. Returns the device object
 *   (IOMMUFD_OBJ_DEVICE, ID in *id) or ERR_PTR. The caller holds it until
 *   unbind, so IOMMU_DESTROY of the ID is -EBUSY meanwhile.
 * unbind: detaches if attached, gives the group back to its default
 *   domain when the last owner leaves, destroys the object. Call it
 *   before iommufd_ctx_destroy() (in Linux the device holds the file).
 * attach: *pt_id names an IOAS (the device joins the oldest compatible
 *   automatic HWPT of that IOAS, or a new one is made: a paging domain of
 *   the device's driver), a paging HWPT or a nested HWPT; on success
 *   *pt_id is the HWPT's ID. -EINVAL if already attached, or if the
 *   object cannot be attached (wrong type, another driver's domain, a
 *   group peer on another HWPT).
 * replace: the same for an attached device, which stays where it was on
 *   failure. detach: back to the blocking domain; an automatic HWPT dies
 *   with its last device.
 */
struct iommufd_device;
struct iommu_subsys;
struct pci_dev;

struct iommufd_device *iommufd_device_bind(struct iommufd_ctx *ictx,
					   struct iommu_subsys *isys,
					   struct pci_dev *pdev, uint32_t *id);
void iommufd_device_unbind(struct iommufd_device *idev);
int iommufd_device_attach(struct iommufd_device *idev, uint32_t *pt_id);
int iommufd_device_replace(struct iommufd_device *idev, uint32_t *pt_id);
void iommufd_device_detach(struct iommufd_device *idev);

#endif /* PCILAB_KERNEL_IOMMUFD_H */
