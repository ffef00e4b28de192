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
#include <stdint.h>

#include "base/interval_tree.h"
#include "base/list.h"
#include "kernel/iommufd/iommufd.h"

#define IOMMUFD_PAGE_MASK (~(IOMMUFD_PAGE_SIZE - 1))

/* IOMMU_READ/WRITE/CACHE of a mapping (Linux include/linux/iommu.h). */
#define IOMMUFD_PROT_READ	(1 << 0)
#define IOMMUFD_PROT_WRITE	(1 << 1)
#define IOMMUFD_PROT_CACHE	(1 << 2)

enum iommufd_object_type {
	IOMMUFD_OBJ_NONE,
	IOMMUFD_OBJ_ANY = IOMMUFD_OBJ_NONE,
	IOMMUFD_OBJ_DEVICE,
	IOMMUFD_OBJ_HWPT_PAGING,
	IOMMUFD_OBJ_IOAS,
	IOMMUFD_OBJ_ACCESS,
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
	uint32_t next_access_handle;
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
/* Lookup a finalized object; ERR_PTR(-ENOENT) if absent or wrong type. */
struct iommufd_object *iommufd_get_object(struct iommufd_ctx *ictx, uint32_t id,
					  enum iommufd_object_type type);
/* Remove obj if the table holds the only reference; -EBUSY otherwise. */
int iommufd_object_remove(struct iommufd_ctx *ictx, uint32_t id);
/* Drop a holder's reference (users--). */
void iommufd_object_put(struct iommufd_object *obj);

/* ---- domains ---- */
struct iommu_domain;

struct iommu_domain_ops {
	/* Map len bytes (multiple of the smallest page size) at iova to paddr. */
	int (*map)(struct iommu_domain *d, uint64_t iova, uint64_t paddr,
		   uint64_t len, int prot);
	/* Unmap; returns bytes unmapped. */
	uint64_t (*unmap)(struct iommu_domain *d, uint64_t iova, uint64_t len);
	uint64_t (*iova_to_phys)(struct iommu_domain *d, uint64_t iova);
	void (*free)(struct iommu_domain *d);
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

struct iopt_area {
	struct pl_itree_node node;	/* IOVA range */
	struct io_pagetable *iopt;
	struct iopt_pages *pages;	/* holds a reference */
	uint64_t start_byte;		/* offset into pages (from pages->uptr) */
	int iommu_prot;
	unsigned int num_accesses;	/* access pins inside the area */
	bool filled;			/* pinned and mapped into every domain */
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
	unsigned int nr_accesses;
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

struct iommufd_hwpt_paging {
	struct iommufd_object obj;
	struct iommufd_ioas *ioas;	/* holds a user reference */
	struct iommu_domain *domain;
	bool auto_domain;
};

struct iommufd_device {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct iommufd_hwpt_paging *hwpt;	/* holds a user reference */
};

struct iommufd_ioas *iommufd_get_ioas(struct iommufd_ctx *ictx, uint32_t id);
struct iommufd_ioas *iommufd_ioas_alloc(struct iommufd_ctx *ictx);
void iommufd_ioas_destroy(struct iommufd_object *obj);
void iommufd_hwpt_paging_destroy(struct iommufd_object *obj);
void iommufd_device_destroy(struct iommufd_object *obj);
void iommufd_selftest_destroy(struct iommufd_object *obj);
void iommufd_access_destroy(struct iommufd_object *obj);

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

/* Mock IOMMU (selftest.c). */
struct iommu_domain *iommufd_mock_domain_alloc(void);
/* Tear down selftest accesses at context destruction. */
void iommufd_test_release_accesses(struct iommufd_ctx *ictx);
/* Ask accesses pinning inside [iova, iova + length) to let go. */
void iommufd_test_access_notify_unmap(struct io_pagetable *iopt, uint64_t iova,
				      uint64_t length);

#endif /* PCILAB_KERNEL_IOMMUFD_PRIVATE_H */
