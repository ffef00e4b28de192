/* SPDX-License-Identifier: MIT */
/*
 * kernel/iommu: the IOMMU core, organised like Linux's drivers/iommu/iommu.c.
 *
 * Objects:
 *   iommu_subsys  one per pci_subsys: the driver in use (iommu_ops), every
 *                 group and every device the IOMMU translates for.
 *   iommu_group   the smallest set of devices the IOMMU can isolate from
 *                 each other (docs/iommu-groups.md): DMA aliases and missing
 *                 ACS merge devices. A group is attached to one domain at a
 *                 time, all its devices together.
 *   iommu_dev     the IOMMU core's state for one pci_dev (Linux's dev_iommu
 *                 + group_device): its group, the driver's private data.
 *   iommu_domain  a translation: blocked, identity, paging (unmanaged for
 *                 users such as VFIO/iommufd, or DMA for the kernel's DMA
 *                 API with an IOVA allocator), nested (a user-owned stage-1
 *                 table in the driver's format, translated through a parent
 *                 paging domain allocated as a nest parent).
 *
 * Ownership (Linux's DMA ownership model): a group's owner_cnt counts
 * kernel drivers using the default domain (owner NULL) or users that
 * claimed it (owner non-NULL, e.g. VFIO); both kinds never mix.
 *
 * Not thread-safe: the platform runs on one event loop.
 */
#ifndef PCILAB_KERNEL_IOMMU_H
#define PCILAB_KERNEL_IOMMU_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/compiler.h"
#include "base/list.h"
#include "kernel/iommu/iova.h"

struct pci_dev;
struct pci_subsys;
struct iommu_domain;
struct iommu_group;
struct iommu_dev;
struct iommu_subsys;

/* Mapping permissions (Linux include/linux/iommu.h values). */
#define IOMMU_READ	BIT(0)
#define IOMMU_WRITE	BIT(1)
#define IOMMU_CACHE	BIT(2)
#define IOMMU_NOEXEC	BIT(3)
#define IOMMU_MMIO	BIT(4)
#define IOMMU_PRIV	BIT(5)

/* Domain type bits and types, Linux's values. */
#define __IOMMU_DOMAIN_PAGING	BIT(0)	/* translates through a page table */
#define __IOMMU_DOMAIN_DMA_API	BIT(1)	/* owned by the kernel's DMA API */
#define __IOMMU_DOMAIN_PT	BIT(2)	/* identity: IOVA == physical */
#define __IOMMU_DOMAIN_NESTED	BIT(6)	/* stage 1 over a parent paging domain */

#define IOMMU_DOMAIN_BLOCKED	0u
#define IOMMU_DOMAIN_IDENTITY	__IOMMU_DOMAIN_PT
#define IOMMU_DOMAIN_UNMANAGED	__IOMMU_DOMAIN_PAGING
#define IOMMU_DOMAIN_DMA	(__IOMMU_DOMAIN_PAGING | __IOMMU_DOMAIN_DMA_API)
#define IOMMU_DOMAIN_NESTED	__IOMMU_DOMAIN_NESTED

/* Paging domain allocation flags (values of Linux's IOMMU_HWPT_ALLOC_*). */
#define IOMMU_PAGING_F_NEST_PARENT	BIT(0)	/* may be the parent of nested domains */

/*
 * Driver-specific data a user passed in (Linux's struct iommu_user_data):
 * type is an IOMMU_HWPT_DATA_* value of <linux/iommufd.h>; uptr/len the
 * bytes, already copied into the caller's memory by the uAPI layer.
 */
struct iommu_user_data {
	unsigned int type;
	const void *uptr;
	size_t len;
};

/* An array of fixed-size driver-specific entries (Linux's struct
 * iommu_user_data_array); entry_num is updated to the entries handled. */
struct iommu_user_data_array {
	unsigned int type;
	const void *uptr;
	size_t entry_len;
	uint32_t entry_num;
};

/*
 * Linux's __iommu_copy_struct_from_user(): -EINVAL when the type differs
 * or len is below min_len or above dst_len; a shorter (older) struct is
 * zero-extended.
 */
int __iommu_copy_struct_from_user(void *dst, const struct iommu_user_data *src,
				  unsigned int type, size_t dst_len, size_t min_len);
#define iommu_copy_struct_from_user(kdst, user_data, data_type, min_last)	\
	__iommu_copy_struct_from_user(kdst, user_data, data_type, sizeof(*(kdst)), \
				      offsetof(__typeof__(*(kdst)), min_last) +	\
				      sizeof((kdst)->min_last))
/* Entry index of an array, same rules (entry_len is the entry's size). */
int __iommu_copy_struct_from_user_array(void *dst, const struct iommu_user_data_array *src,
					unsigned int type, unsigned int index,
					size_t dst_len, size_t min_len);
#define iommu_copy_struct_from_user_array(kdst, array, data_type, index, min_last) \
	__iommu_copy_struct_from_user_array(kdst, array, data_type, index,	\
					    sizeof(*(kdst)),			\
					    offsetof(__typeof__(*(kdst)), min_last) + \
					    sizeof((kdst)->min_last))

/* Capabilities a driver may report (subset of Linux's enum iommu_cap). */
enum iommu_cap {
	IOMMU_CAP_CACHE_COHERENCY,	/* DMA is cache coherent */
	IOMMU_CAP_NOEXEC,		/* IOMMU_NOEXEC is honoured */
	IOMMU_CAP_DEFERRED_FLUSH,	/* IOTLB flush may be batched */
	IOMMU_CAP_DIRTY_TRACKING,	/* dirty bit tracking */
	IOMMU_CAP_ENFORCE_CACHE_COHERENCY,
};

/* Translations a domain applies; drivers implement them (Linux's
 * iommu_domain_ops). Sizes are bytes; pgsize is one of pgsize_bitmap. */
struct iommu_domain_ops {
	int (*attach_dev)(struct iommu_domain *d, struct iommu_dev *dev);
	/* Map pgcount pages of pgsize; *mapped gets the bytes mapped even on
	 * failure, so the core can undo them. */
	int (*map_pages)(struct iommu_domain *d, uint64_t iova, uint64_t paddr,
			 uint64_t pgsize, uint64_t pgcount, int prot, uint64_t *mapped);
	/* Returns the bytes unmapped (0 when nothing was mapped there). */
	uint64_t (*unmap_pages)(struct iommu_domain *d, uint64_t iova, uint64_t pgsize,
				uint64_t pgcount);
	/* 0 when iova is not mapped. */
	uint64_t (*iova_to_phys)(struct iommu_domain *d, uint64_t iova);
	/* Nested domains: invalidate what the hardware caches of the user's
	 * stage-1 table, one driver-specific entry at a time. Linux's rules:
	 * array->entry_num is set to the entries handled before any error;
	 * -EINVAL for a type the domain does not take. */
	int (*cache_invalidate_user)(struct iommu_domain *d,
				     struct iommu_user_data_array *array);
	void (*free)(struct iommu_domain *d);
};

/* The driver (Linux's iommu_ops). */
struct iommu_ops {
	const char *name;
	/* Per-subsystem driver setup before any device is probed (finds
	 * and programs the hardware, sets isys->priv), and its undo after
	 * the last device and group are gone. Optional. 0 or -errno. */
	int (*init)(struct iommu_subsys *isys);
	void (*fini)(struct iommu_subsys *isys);
	bool (*capable)(struct iommu_dev *dev, enum iommu_cap cap);
	/* Per-device setup (dev->priv); optional. 0 or -errno; -ENODEV:
	 * no IOMMU translates for this device, the core skips it. */
	int (*probe_device)(struct iommu_dev *dev);
	/* Called before the core frees the group's domains when dev is the
	 * last of its group: the device must stop using its domain. */
	void (*release_device)(struct iommu_dev *dev);
	/* Group for dev: existing (caller takes a reference with
	 * iommu_group_get) or new; NULL means pci_device_group(). */
	struct iommu_group *(*device_group)(struct iommu_dev *dev);
	/* A paging domain (UNMANAGED), ERR_PTR on failure. The core sets
	 * type, owner, and the DMA cookie as needed. */
	struct iommu_domain *(*domain_alloc_paging)(struct iommu_dev *dev);
	/* Same with IOMMU_PAGING_F_* flags (Linux's domain_alloc_paging_flags);
	 * -EOPNOTSUPP for flags the driver or hardware cannot honour.
	 * Optional: without it only flags 0 is possible. */
	struct iommu_domain *(*domain_alloc_paging_flags)(struct iommu_dev *dev,
							  uint32_t flags);
	/* A nested domain over parent (a nest-parent paging domain of this
	 * driver) from user data (Linux's domain_alloc_nested). The core sets
	 * type NESTED, owner and parent. ERR_PTR: -EOPNOTSUPP for a data type
	 * or hardware without nesting, -EINVAL for bad data or parent. */
	struct iommu_domain *(*domain_alloc_nested)(struct iommu_dev *dev,
						    struct iommu_domain *parent, uint32_t flags,
						    const struct iommu_user_data *user_data);
	/* Hardware information for dev's IOMMU (Linux's hw_info): a blob the
	 * caller frees, its length and IOMMU_HW_INFO_TYPE_*; ERR_PTR(-errno). */
	void *(*hw_info)(struct iommu_dev *dev, uint32_t *length, uint32_t *type);
	/* Static blocked and identity domains (NULL: not supported). */
	struct iommu_domain *blocked_domain;
	struct iommu_domain *identity_domain;
	/* Default domain type for dev (0: IOMMU_DOMAIN_DMA). */
	unsigned int (*def_domain_type)(struct iommu_dev *dev);
	uint64_t pgsize_bitmap;
};

struct iommu_domain_geometry {
	uint64_t aperture_start, aperture_end;	/* inclusive */
	bool force_aperture;			/* DMA only inside the aperture */
};

struct iommu_domain {
	unsigned int type;			/* IOMMU_DOMAIN_* */
	const struct iommu_ops *owner;		/* driver that made it */
	const struct iommu_domain_ops *ops;
	uint64_t pgsize_bitmap;
	struct iommu_domain_geometry geometry;
	struct iova_domain *iovad;		/* DMA domains: the DMA API's IOVAs */
	unsigned int users;			/* groups attached */
	bool is_static;				/* driver's blocked/identity: never freed */
	bool nest_parent;			/* paging, IOMMU_PAGING_F_NEST_PARENT */
	struct iommu_domain *parent;		/* nested: the stage-2 domain */
	unsigned int nr_nested;			/* nest parent: nested domains on it */
};

/* Why a device ended up in its group (for `pcilab demo`). */
#define IOMMU_REASON_LEN	96

struct iommu_dev {
	struct list_head group_node;	/* in group->devices */
	struct list_head sys_node;	/* in isys->devices, PCI order */
	struct iommu_subsys *isys;
	struct pci_dev *pdev;
	struct iommu_group *group;
	void *priv;			/* driver's per-device data */
	uint64_t dma_mask;		/* highest DMA address (dma_set_mask) */
	char reason[IOMMU_REASON_LEN];	/* "" when it founded the group */
};

struct iommu_group {
	struct list_head node;		/* in isys->groups, by id */
	struct iommu_subsys *isys;
	unsigned int id;		/* 0.. in creation order, as /sys/kernel/iommu_groups */
	unsigned int refs;		/* creator + iommu_group_get() holders */
	struct list_head devices;	/* struct iommu_dev, in joining order */
	unsigned int nr_devices;
	struct iommu_domain *domain;		/* attached now */
	struct iommu_domain *default_domain;	/* kernel's (DMA or identity) */
	struct iommu_domain *blocking_domain;	/* allocated on first claim */
	unsigned int owner_cnt;
	const void *owner;
	char reason[IOMMU_REASON_LEN];	/* why the group has several members */
};

struct iommu_subsys {
	struct pci_subsys *pci;		/* not owned */
	const struct iommu_ops *ops;	/* not owned */
	struct list_head groups;	/* struct iommu_group, by id */
	struct list_head devices;	/* struct iommu_dev, PCI order */
	unsigned int nr_groups;
	unsigned int next_group_id;
	void *priv;			/* driver's instance data (ops->init) */
	bool inited;			/* ops->init succeeded: fini owed */
};

/* --------------------------------------------------------- subsystem */

/*
 * Enable ACS on every function (Linux's pci_enable_acs() with an IOMMU
 * present), put every PCI function of pci into a group, give each group a
 * default domain (ops->def_domain_type, else DMA) and attach it. ops NULL:
 * the mock driver (iommu_mock_ops) for now; pass &intel_iommu_ops
 * (kernel/iommu/intel/intel_iommu.h) to drive the platform's VT-d units
 * (docs/vtd-driver.md, "Driver selection"). ERR_PTR(-ENOMEM/-EIO/driver
 * errno).
 */
struct iommu_subsys *iommu_subsys_create(struct pci_subsys *pci,
					 const struct iommu_ops *ops);
void iommu_subsys_destroy(struct iommu_subsys *isys);

#define iommu_for_each_group(isys, g) \
	list_for_each_entry(g, &(isys)->groups, node)
#define iommu_group_for_each_dev(g, d) \
	list_for_each_entry(d, &(g)->devices, group_node)
#define iommu_for_each_dev(isys, d) \
	list_for_each_entry(d, &(isys)->devices, sys_node)

struct iommu_dev *iommu_dev_from_pci(struct iommu_subsys *isys, const struct pci_dev *pdev);
struct iommu_group *iommu_group_by_id(struct iommu_subsys *isys, unsigned int id);

/* --------------------------------------------------------- groups */

/* The group of a pci_dev with a reference, or NULL (not probed). */
struct iommu_group *iommu_group_get(struct iommu_subsys *isys, const struct pci_dev *pdev);
void iommu_group_put(struct iommu_group *g);
/* A new empty group (for drivers' device_group). ERR_PTR(-ENOMEM). */
struct iommu_group *iommu_group_alloc(struct iommu_subsys *isys);
/* Linux's pci_device_group(): the group dev must join, with a reference. */
struct iommu_group *pci_device_group(struct iommu_dev *dev);

static inline unsigned int iommu_group_id(const struct iommu_group *g)
{
	return g->id;
}

/* "" when the group holds a single device. */
static inline const char *iommu_group_reason(const struct iommu_group *g)
{
	return g->reason;
}

/* --------------------------------------------------------- domains */

/* A paging (UNMANAGED) domain from the driver of dev's group. */
struct iommu_domain *iommu_paging_domain_alloc(struct iommu_dev *dev);
/* With IOMMU_PAGING_F_* flags: -EOPNOTSUPP for unknown flags or a driver
 * or unit that cannot honour them. A nest parent is an ordinary UNMANAGED
 * domain (attachable, mappable) that is never a group's default domain,
 * so the DMA API never uses it. */
struct iommu_domain *iommu_paging_domain_alloc_flags(struct iommu_dev *dev, uint32_t flags);
/*
 * A nested domain: the user's stage-1 table (user_data, driver format)
 * translated through parent (Linux's IOMMU_HWPT_ALLOC with a parent HWPT).
 * -EOPNOTSUPP: empty user data, no driver support, unknown flags (none are
 * defined); -EINVAL: parent is not a nest-parent paging domain of dev's
 * driver; otherwise the driver's errno. parent must outlive the domain
 * (iommu_domain_free refuses a parent with nested domains).
 */
struct iommu_domain *iommu_domain_alloc_nested(struct iommu_dev *dev,
					       struct iommu_domain *parent, uint32_t flags,
					       const struct iommu_user_data *user_data);
/* Invalidate a nested domain's caches from user entries (Linux's
 * IOMMU_HWPT_INVALIDATE on a nested HWPT): -EINVAL if d is not nested,
 * else the driver's result; array->entry_num is the entries handled. */
int iommu_domain_cache_invalidate_user(struct iommu_domain *d,
				       struct iommu_user_data_array *array);
/* The driver's hardware information for dev (IOMMU_GET_HW_INFO): blob to
 * free(), ERR_PTR(-EOPNOTSUPP) when the driver reports none. */
void *iommu_get_hw_info(struct iommu_dev *dev, uint32_t *length, uint32_t *type);
void iommu_domain_free(struct iommu_domain *d);

/* Map size bytes at iova to paddr, in the largest pages alignment allows;
 * all or nothing. -EINVAL: not aligned to the smallest page or outside the
 * aperture; -EEXIST: already mapped; -ENOMEM. */
int iommu_map(struct iommu_domain *d, uint64_t iova, uint64_t paddr, uint64_t size,
	      int prot);
/* Bytes unmapped: stops at the first hole. */
uint64_t iommu_unmap(struct iommu_domain *d, uint64_t iova, uint64_t size);
/* 0 if not mapped; identity: iova; blocked: 0. */
uint64_t iommu_iova_to_phys(struct iommu_domain *d, uint64_t iova);
bool iommu_capable(struct iommu_dev *dev, enum iommu_cap cap);

/*
 * Attach/detach a whole group (Linux __iommu_group_set_domain semantics):
 * every device moves to d, or on failure every device is put back on the
 * old domain. -EBUSY: the group is attached to a non-core domain already;
 * -EINVAL: d belongs to another driver.
 */
int iommu_attach_group(struct iommu_domain *d, struct iommu_group *g);
/* Back to the core domain: blocking if owned, else default. */
void iommu_detach_group(struct iommu_domain *d, struct iommu_group *g);
/* Switch to d without passing through blocking (iommufd). */
int iommu_group_replace_domain(struct iommu_group *g, struct iommu_domain *d);
/* Single-device groups only (-EINVAL otherwise). */
int iommu_attach_device(struct iommu_domain *d, struct iommu_dev *dev);
void iommu_detach_device(struct iommu_domain *d, struct iommu_dev *dev);
struct iommu_domain *iommu_get_domain_for_dev(struct iommu_dev *dev);

/* --------------------------------------------------------- DMA ownership */

/* A kernel driver binds (-EBUSY if a user owns the group). */
int iommu_device_use_default_domain(struct iommu_dev *dev);
void iommu_device_unuse_default_domain(struct iommu_dev *dev);
/* User ownership of a whole group (VFIO group): -EPERM if anyone owns it,
 * -EBUSY if it is attached to a non-default domain. Attaches blocking. */
int iommu_group_claim_dma_owner(struct iommu_group *g, const void *owner);
void iommu_group_release_dma_owner(struct iommu_group *g);
/* Per device (iommufd cdev): several devices of one group may share owner. */
int iommu_device_claim_dma_owner(struct iommu_dev *dev, const void *owner);
void iommu_device_release_dma_owner(struct iommu_dev *dev);
bool iommu_group_dma_owner_claimed(const struct iommu_group *g);

/* --------------------------------------------------------- DMA API */

enum dma_data_direction {
	DMA_BIDIRECTIONAL = 0,
	DMA_TO_DEVICE = 1,
	DMA_FROM_DEVICE = 2,
};

/*
 * Map [phys, phys + size) for DMA by dev through its group's current
 * default domain: identity returns phys, a DMA domain allocates an IOVA
 * and maps the pages covering the buffer. -ENOMEM when the IOVA space is
 * exhausted, -EPERM when the group is not on its default domain.
 */
int dma_map_single(struct iommu_dev *dev, uint64_t phys, uint64_t size,
		   enum dma_data_direction dir, uint64_t *dma_addr);
/* Addresses dev can generate (default 32 bits, as for PCI in Linux). */
int dma_set_mask(struct iommu_dev *dev, uint64_t mask);
void dma_unmap_single(struct iommu_dev *dev, uint64_t dma_addr, uint64_t size,
		      enum dma_data_direction dir);

/* --------------------------------------------------------- drivers */

/* Pure-software IOMMU that keeps mappings in a generic page table. */
extern const struct iommu_ops iommu_mock_ops;

#endif /* PCILAB_KERNEL_IOMMU_H */
