/* SPDX-License-Identifier: MIT */
/*
 * iommufd internals: objects, the io_pagetable (IOAS contents), pinned
 * pages and the domain abstraction areas are mirrored onto.
 *
 * Single-threaded by design (the platform runs on one event loop), so the
 * locks Linux takes here are absent; every invariant Linux keeps under its
 * locks still holds between calls.
 */
#ifndef PCILAB_KERNEL_IOMMUFD_PRIVATE_H
#define PCILAB_KERNEL_IOMMUFD_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/interval_tree.h"
#include "base/list.h"
#include "kernel/iommufd/iommufd.h"

#define IOMMUFD_PAGE_MASK (~(IOMMUFD_PAGE_SIZE - 1))

/*
 * uAPI of later Linux releases the selftests built against newer headers
 * use; values as upstream defines them.
 */
#ifndef IOMMU_HW_INFO_TYPE_DEFAULT
#define IOMMU_HW_INFO_TYPE_DEFAULT 0
#endif
#ifndef IOMMU_HW_INFO_FLAG_INPUT_TYPE
#define IOMMU_HW_INFO_FLAG_INPUT_TYPE (1 << 0)
#endif
#ifndef MOCK_PASID_WIDTH
#define MOCK_PASID_WIDTH 20
#endif
#ifndef MOCK_FLAGS_DEVICE_PASID
#define MOCK_FLAGS_DEVICE_PASID (1 << 2)
#endif

/* IOMMU_READ/WRITE/CACHE of a mapping (Linux include/linux/iommu.h). */
#define IOMMUFD_PROT_READ	(1 << 0)
#define IOMMUFD_PROT_WRITE	(1 << 1)
#define IOMMUFD_PROT_CACHE	(1 << 2)

enum iommufd_object_type {
	IOMMUFD_OBJ_NONE,
	IOMMUFD_OBJ_ANY = IOMMUFD_OBJ_NONE,
	IOMMUFD_OBJ_DEVICE,
	IOMMUFD_OBJ_HWPT_PAGING,
	IOMMUFD_OBJ_HWPT_NESTED,
	IOMMUFD_OBJ_IOAS,
	IOMMUFD_OBJ_ACCESS,
	IOMMUFD_OBJ_FAULT,
	IOMMUFD_OBJ_SELFTEST,
	IOMMUFD_OBJ_MAX,
};

/*
 * Base of every object. users counts the object table's reference plus one
 * per holder (a HWPT holds its IOAS, a device its HWPT, ...); IOMMU_DESTROY
 * only succeeds when the table's is the last one.
 */
struct iommufd_object {
	uint32_t id;
	enum iommufd_object_type type;
	unsigned int users;
	bool finalized;	/* visible to lookups only once true */
};

enum iopt_account_mode {
	IOPT_PAGES_ACCOUNT_NONE,
	IOPT_PAGES_ACCOUNT_USER,
	IOPT_PAGES_ACCOUNT_MM,
};

struct iommufd_ctx {
	struct iommufd_object **objs;	/* index == id; slot 0 never used */
	uint32_t nr_slots;
	enum iopt_account_mode account_mode;
	struct iommufd_acct own_acct;
	struct iommufd_acct *acct;	/* own_acct unless shared */
	bool cap_ipc_lock;
	bool cap_sys_resource;
	struct list_head accesses;	/* selftest accesses (handles) */
	uint32_t next_access_handle;	/* next file handle (access or fault) */
	const struct iommufd_file_ops *fops;	/* NULL: fd == handle */
	struct iommufd_ioas *vfio_ioas;	/* VFIO compat IOAS; not a reference */
	struct list_head fault_files;	/* iommufd_fault.file_link, open files */
};

/* ---- objects (main.c) ---- */
struct iommufd_object *iommufd_object_alloc(struct iommufd_ctx *ictx,
					    size_t size,
					    enum iommufd_object_type type);
void iommufd_object_finalize(struct iommufd_ctx *ictx,
			     struct iommufd_object *obj);
/* Undo an alloc that was never finalized (no destroy op runs). */
void iommufd_object_abort(struct iommufd_ctx *ictx, struct iommufd_object *obj);
/* Undo an alloc whose object was fully built: run its destroy op too. */
void iommufd_object_abort_and_destroy(struct iommufd_ctx *ictx,
				      struct iommufd_object *obj);
/*
 * Lookup a finalized object for a command; ERR_PTR(-ENOENT) if absent or
 * wrong type, or when fault injection says so.
 */
struct iommufd_object *iommufd_get_object(struct iommufd_ctx *ictx, uint32_t id,
					  enum iommufd_object_type type);
/* Remove object id if the table holds the only reference; -EBUSY otherwise. */
int iommufd_object_remove(struct iommufd_ctx *ictx, uint32_t id);
/*
 * The same for an object the kernel holds a pointer to: no lookup, so it
 * cannot fail but for -EBUSY. Internal teardown uses this.
 */
int iommufd_object_remove_obj(struct iommufd_ctx *ictx,
			      struct iommufd_object *obj);
/* Drop a holder's reference (users--). */
void iommufd_object_put(struct iommufd_object *obj);

/* ---- domains ---- */
struct iommu_domain;

/*
 * Where read_and_clear_dirty records: bit i stands for the page_size bytes
 * at iova + i * page_size (Linux struct iova_bitmap, here a kernel buffer).
 * bits NULL: only clear.
 */
struct iommufd_dirty_bitmap {
	uint64_t iova;
	uint64_t page_size;
	uint64_t nbits;
	uint8_t *bits;
};

/* Mark [iova, iova + length) dirty, clipped to the bitmap. */
void iommufd_dirty_record(struct iommufd_dirty_bitmap *b, uint64_t iova,
			  uint64_t length);

struct iommu_domain_ops {
	/* Map len bytes (multiple of the smallest page size) at iova to paddr. */
	int (*map)(struct iommu_domain *d, uint64_t iova, uint64_t paddr,
		   uint64_t len, int prot);
	/* Unmap; returns bytes unmapped. */
	uint64_t (*unmap)(struct iommu_domain *d, uint64_t iova, uint64_t len);
	uint64_t (*iova_to_phys)(struct iommu_domain *d, uint64_t iova);
	void (*free)(struct iommu_domain *d);
	/* Dirty tracking (domains with dirty_ops only). */
	int (*set_dirty_tracking)(struct iommu_domain *d, bool enable);
	/* flags: IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR */
	int (*read_and_clear_dirty)(struct iommu_domain *d, uint64_t iova,
				    uint64_t size, unsigned long flags,
				    struct iommufd_dirty_bitmap *dirty);
};

/*
 * A translation an IOMMU applies for the devices attached to it. "paddr" is
 * the address of pinned memory as this process sees it (the kva pin_page
 * returned).
 */
struct iommu_domain {
	const struct iommu_domain_ops *ops;
	uint64_t pgsize_bitmap;
	uint64_t aperture_start;
	uint64_t aperture_end;
	bool nested;		/* IOMMU_DOMAIN_NESTED: translated by a parent */
	bool dirty_ops;		/* allocated with IOMMU_HWPT_ALLOC_DIRTY_TRACKING */
};

/* ---- pinned pages (pages.c) ---- */
struct iopt_pinned {
	void *kva;
	unsigned int users;	/* filled areas + access pins using it */
};

#define IOPT_PIN_CHUNK 512u

struct iopt_pages {
	unsigned int refs;		/* areas and copy lists holding it */
	uint64_t uptr;			/* page aligned */
	uint64_t npages;
	bool writable;
	enum iopt_account_mode account_mode;
	struct iommufd_acct *acct;
	const struct iommufd_user_mem_ops *um;	/* memory it pins from */
	struct iopt_pinned **chunks;	/* lazily built, IOPT_PIN_CHUNK each */
	uint64_t nr_chunks;
	uint64_t npinned;
	struct list_head all_link;	/* in the global pages list */
};

struct iopt_pages *iopt_alloc_pages(struct iommufd_ctx *ictx,
				    const struct iommufd_user_mem_ops *um,
				    uint64_t uptr, uint64_t length, bool writable);
void iopt_get_pages_ref(struct iopt_pages *pages);
void iopt_put_pages(struct iopt_pages *pages);
/* Pin (or take another use of) pages [first, last]; all or nothing. */
int iopt_pages_pin(struct iopt_pages *pages, uint64_t first, uint64_t last);
void iopt_pages_unpin(struct iopt_pages *pages, uint64_t first, uint64_t last);
void *iopt_pages_kva(struct iopt_pages *pages, uint64_t index);
/* Number of live pins (over every pages object) of the page at kva. */
unsigned int iopt_pages_count_pins(void *kva);

/* ---- io_pagetable (io_pagetable.c) ---- */
struct io_pagetable;
struct iommufd_access;
struct iommufd_ucmd;

struct iopt_area {
	struct pl_itree_node node;	/* IOVA range */
	struct io_pagetable *iopt;
	struct iopt_pages *pages;	/* holds a reference */
	uint64_t start_byte;		/* offset into pages (from pages->uptr) */
	int iommu_prot;
	unsigned int num_accesses;	/* access pins inside the area */
	bool filled;			/* pinned and mapped into every domain */
	bool prevent_access;		/* being unmapped: no new access pins */
};

struct iopt_reserved {
	struct pl_itree_node node;
	void *owner;
};

struct iopt_allowed {
	struct pl_itree_node node;
};

#define IOPT_MAX_DOMAINS 16

struct io_pagetable {
	struct pl_itree area_itree;
	struct pl_itree allowed_itree;
	struct pl_itree reserved_itree;
	struct iommu_domain *domains[IOPT_MAX_DOMAINS];
	unsigned int nr_domains;
	struct list_head access_list;	/* iommufd_access.iopt_link */
	uint64_t iova_alignment;
	bool disable_large_pages;
};

void iopt_init_table(struct io_pagetable *iopt);
void iopt_destroy_table(struct io_pagetable *iopt);
int iopt_map_user_pages(struct iommufd_ctx *ictx, struct io_pagetable *iopt,
			const struct iommufd_user_mem_ops *um, uint64_t *iova,
			uint64_t uptr, uint64_t length, int iommu_prot,
			bool alloc_iova);
int iopt_copy(struct io_pagetable *dst, struct io_pagetable *src,
	      uint64_t src_iova, uint64_t length, uint64_t *dst_iova,
	      int iommu_prot, bool alloc_iova);
int iopt_unmap_iova(struct io_pagetable *iopt, uint64_t iova, uint64_t length,
		    uint64_t *unmapped);
int iopt_unmap_all(struct io_pagetable *iopt, uint64_t *unmapped);
int iopt_set_allow_iova(struct io_pagetable *iopt, struct pl_itree *allowed);
int iopt_reserve_iova(struct io_pagetable *iopt, uint64_t start, uint64_t last,
		      void *owner);
void iopt_remove_reserved_iova(struct io_pagetable *iopt, void *owner);
int iopt_table_add_domain(struct io_pagetable *iopt, struct iommu_domain *d);
void iopt_table_remove_domain(struct io_pagetable *iopt,
			      struct iommu_domain *d);
int iopt_disable_large_pages(struct io_pagetable *iopt);
void iopt_enable_large_pages(struct io_pagetable *iopt);
/* Split the areas covering each iova so that one ends there (type1 v1). */
int iopt_cut_iova(struct io_pagetable *iopt, const uint64_t *iovas,
		  size_t num_iovas);
int iopt_add_access(struct io_pagetable *iopt, struct iommufd_access *access);
void iopt_remove_access(struct io_pagetable *iopt,
			struct iommufd_access *access);
struct iopt_area *iopt_area_first(struct io_pagetable *iopt, uint64_t start,
				  uint64_t last);
struct iopt_area *iopt_area_next(struct io_pagetable *iopt,
				 struct iopt_area *area, uint64_t start,
				 uint64_t last);

static inline uint64_t iopt_area_iova(const struct iopt_area *a)
{
	return a->node.start;
}

static inline uint64_t iopt_area_last_iova(const struct iopt_area *a)
{
	return a->node.last;
}

static inline uint64_t iopt_area_length(const struct iopt_area *a)
{
	return a->node.last - a->node.start + 1;
}

/* ---- objects built on the above ---- */
struct iommufd_ioas {
	struct iommufd_object obj;
	struct io_pagetable iopt;
};

/* A fault queue (fault.c); lists of struct iommufd_fault_group. */
struct iommufd_fault {
	struct iommufd_object obj;
	uint32_t handle;		/* its file */
	struct list_head file_link;	/* in ictx->fault_files while open */
	struct list_head deliver;	/* not yet read */
	struct list_head response;	/* read, awaiting a response */
};

/* What a device attaches to: a paging or a nested HWPT. */
struct iommufd_hw_pagetable {
	struct iommufd_object obj;
	struct iommu_domain *domain;
	struct iommufd_fault *fault;	/* holds a user reference, or NULL */
};

struct iommufd_hwpt_paging {
	struct iommufd_hw_pagetable common;
	struct iommufd_ioas *ioas;	/* holds a user reference */
	bool auto_domain;
	bool nest_parent;
};

struct iommufd_hwpt_nested {
	struct iommufd_hw_pagetable common;
	struct iommufd_hwpt_paging *parent;	/* holds a user reference */
};

/*
 * A device in the context: a selftest mock device (kdev NULL), or a PCI
 * device behind a kernel IOMMU driver bound with iommufd_device_bind()
 * (device.c), whose group the context owns while it is bound.
 */
struct iommufd_kdev;
struct iommufd_device {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct iommufd_hw_pagetable *hwpt;	/* holds a user reference */
	uint32_t mock_flags;		/* MOCK_FLAGS_DEVICE_* */
	struct iommufd_kdev *kdev;	/* kernel/iommu device, or NULL (mock) */
};

struct iommufd_ioas *iommufd_get_ioas(struct iommufd_ctx *ictx, uint32_t id);
struct iommufd_ioas *iommufd_ioas_alloc(struct iommufd_ctx *ictx);
void iommufd_ioas_destroy(struct iommufd_object *obj);
void iommufd_hwpt_paging_destroy(struct iommufd_object *obj);
void iommufd_hwpt_nested_destroy(struct iommufd_object *obj);
void iommufd_device_destroy(struct iommufd_object *obj);
void iommufd_selftest_destroy(struct iommufd_object *obj);
void iommufd_access_destroy_object(struct iommufd_object *obj);
void iommufd_fault_destroy(struct iommufd_object *obj);
int iommufd_fault_alloc(struct iommufd_ucmd *ucmd);
/* Close every fault file still open (context release). */
void iommufd_fault_release_files(struct iommufd_ctx *ictx);
/* Drop (answer INVALID) the requests of idev queued on fault. */
void iommufd_fault_auto_response(struct iommufd_fault *fault,
				 struct iommufd_device *idev);
/* A page request from a device, queued where its HWPT says. */
int iommufd_fault_report(struct iommufd_device *idev, uint32_t pasid,
			 uint32_t grpid, uint32_t perm, uint64_t addr);

/* ---- in-kernel accesses (access.c; Linux device.c) ---- */

/*
 * An access reads and writes an IOAS with the CPU instead of DMA (an
 * emulated device such as mdev). unmap is called when userspace unmaps a
 * range the access may have pinned; it must unpin everything it holds in
 * that range before returning.
 */
struct iommufd_access_ops {
	bool needs_pin_pages;
	void (*unmap)(void *data, uint64_t iova, uint64_t length);
};

/* IOMMUFD_ACCESS_RW_* (Linux include/linux/iommufd.h). */
#define IOMMUFD_ACCESS_RW_READ		0
#define IOMMUFD_ACCESS_RW_WRITE		(1 << 0)
#define IOMMUFD_ACCESS_RW_KTHREAD	(1 << 1)
#define IOMMUFD_ACCESS_RW_SLOW_PATH	(1 << 2)	/* selftest only */

struct iommufd_access {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	/* Where new pins go; NULL while changing IOAS. Holds a user ref. */
	struct iommufd_ioas *ioas;
	/* Where unpins go: equals ioas except during a change. */
	struct iommufd_ioas *ioas_unpin;
	const struct iommufd_access_ops *ops;
	void *data;
	uint64_t iova_alignment;	/* PAGE_SIZE when it pins pages */
	struct list_head iopt_link;	/* in ioas->iopt.access_list */
};

struct iommufd_access *iommufd_access_create(struct iommufd_ctx *ictx,
					     const struct iommufd_access_ops *ops,
					     void *data, uint32_t *id);
void iommufd_access_destroy(struct iommufd_access *access);
int iommufd_access_attach(struct iommufd_access *access, uint32_t ioas_id);
int iommufd_access_replace(struct iommufd_access *access, uint32_t ioas_id);
/* Pin [iova, iova + length); kvas[] gets one kva per PAGE_SIZE page. */
int iommufd_access_pin_pages(struct iommufd_access *access, uint64_t iova,
			     uint64_t length, void **kvas, unsigned int flags);
void iommufd_access_unpin_pages(struct iommufd_access *access, uint64_t iova,
				uint64_t length);
/*
 * cur is the memory of the task calling (Linux's current->mm); with
 * IOMMUFD_ACCESS_RW_KTHREAD it may be NULL.
 */
int iommufd_access_rw(struct iommufd_access *access, uint64_t iova,
		      void *data, uint64_t length, unsigned int flags,
		      const struct iommufd_user_mem_ops *cur);
/* Ask every access of iopt to drop its pins in [iova, iova + length). */
void iommufd_access_notify_unmap(struct io_pagetable *iopt, uint64_t iova,
				 uint64_t length);

/* ---- ioctl plumbing ---- */
struct iommufd_ucmd {
	struct iommufd_ctx *ictx;
	const struct iommufd_user_mem_ops *um;
	uint64_t ubuffer;
	uint32_t user_size;
	void *cmd;
};

int iommufd_ucmd_respond(struct iommufd_ucmd *ucmd, size_t cmd_len);

int iommufd_ioas_alloc_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_ioas_iova_ranges(struct iommufd_ucmd *ucmd);
int iommufd_ioas_allow_iovas(struct iommufd_ucmd *ucmd);
int iommufd_ioas_map(struct iommufd_ucmd *ucmd);
int iommufd_ioas_copy(struct iommufd_ucmd *ucmd);
int iommufd_ioas_unmap(struct iommufd_ucmd *ucmd);
int iommufd_ioas_option(struct iommufd_ucmd *ucmd);
int iommufd_option_rlimit_mode(struct iommufd_ucmd *ucmd);
int iommufd_test(struct iommufd_ucmd *ucmd);

int iommufd_get_hw_info(struct iommufd_ucmd *ucmd);
/* iommufd_device_attach/replace/detach: kernel/iommufd/iommufd.h. */
int iommufd_hwpt_alloc(struct iommufd_ucmd *ucmd);
int iommufd_hwpt_invalidate(struct iommufd_ucmd *ucmd);
int iommufd_hwpt_set_dirty_tracking(struct iommufd_ucmd *ucmd);
int iommufd_vfio_ioas(struct iommufd_ucmd *ucmd);
/* A VFIO container ioctl; arg is the raw ioctl argument. */
long iommufd_vfio_ioctl(struct iommufd_ctx *ictx, unsigned int cmd,
			uint64_t arg, const struct iommufd_user_mem_ops *um);
int iommufd_hwpt_get_dirty_bitmap(struct iommufd_ucmd *ucmd);

/* Mock IOMMU (selftest.c). */
struct iommu_domain *iommufd_mock_domain_alloc(void);
/* Bytes a mock paging domain maps (0 for other domains); for leak checks. */
uint64_t iommufd_mock_domain_mapped(struct iommu_domain *d);
/*
 * The mock driver's domain_alloc_user: a paging domain for dev (parent
 * NULL; flags are IOMMU_HWPT_ALLOC_*) or a nested one on parent from
 * IOMMU_HWPT_DATA_SELFTEST user data.
 */
struct iommu_domain *iommufd_mock_domain_alloc_user(struct iommufd_ucmd *ucmd,
						    struct iommufd_device *idev,
						    uint32_t flags,
						    struct iommu_domain *parent,
						    uint32_t data_type,
						    uint64_t data_uptr,
						    uint32_t data_len);
/* Mock driver: may dev attach to d? (0 or -EINVAL) */
int iommufd_mock_attach_check(struct iommufd_device *idev,
			      struct iommu_domain *d);
/* Mock driver: cache_invalidate_user of a nested domain. */
int iommufd_mock_cache_invalidate_user(struct iommufd_ucmd *ucmd,
				       struct iommu_domain *d, uint32_t type,
				       uint64_t uptr, uint32_t entry_len,
				       uint32_t *entry_num);
/* ---- real devices: adapter domains over kernel/iommu (device.c) ---- */
bool iommufd_domain_is_kernel(const struct iommu_domain *d);
/* Paging domain of idev's driver (flags IOMMU_HWPT_ALLOC_*). */
struct iommu_domain *iommufd_kdomain_alloc_paging(struct iommufd_device *idev,
						  uint32_t flags, uint32_t data_len);
/* Nested domain over parent from the user's driver data. */
struct iommu_domain *iommufd_kdomain_alloc_nested(struct iommufd_ucmd *ucmd,
						  struct iommufd_device *idev,
						  struct iommu_domain *parent,
						  uint32_t flags, uint32_t data_type,
						  uint64_t data_uptr, uint32_t data_len);
/* The driver's cache_invalidate_user; *entry_num: entries handled. */
int iommufd_kdomain_invalidate(struct iommufd_ucmd *ucmd, struct iommu_domain *d,
			       uint32_t type, uint64_t uptr, uint32_t entry_len,
			       uint32_t *entry_num);
/* May idev use d? Mock devices mock domains, real ones their driver's. */
int iommufd_device_check_domain(struct iommufd_device *idev, struct iommu_domain *d);
/* Put a real device's group on hwpt's domain (no-op for mock devices);
 * unset gives it back to blocking unless a group peer still uses it. */
int iommufd_device_set_hwpt(struct iommufd_device *idev,
			    struct iommufd_hw_pagetable *hwpt);
void iommufd_device_unset_hwpt(struct iommufd_device *idev,
			       struct iommufd_hw_pagetable *hwpt);
/* hw_info of a real device's driver: blob to free(). */
void *iommufd_device_hw_info(struct iommufd_device *idev, uint32_t *length,
			     uint32_t *type);
bool iommufd_device_dirty_capable(struct iommufd_device *idev);

/* Tear down selftest accesses at context destruction. */
void iommufd_test_release_accesses(struct iommufd_ctx *ictx);
int iommufd_test_create_access(struct iommufd_ucmd *ucmd, uint32_t ioas_id,
			       uint32_t flags);
int iommufd_test_access_pages(struct iommufd_ucmd *ucmd);
int iommufd_test_access_rw(struct iommufd_ucmd *ucmd);
int iommufd_test_access_item_destroy(struct iommufd_ucmd *ucmd);
int iommufd_test_access_replace_ioas(struct iommufd_ucmd *ucmd);

#endif /* PCILAB_KERNEL_IOMMUFD_PRIVATE_H */
