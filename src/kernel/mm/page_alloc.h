/* SPDX-License-Identifier: MIT */
/*
 * kernel/mm: a physical page allocator over part of the platform's RAM,
 * for structures the kernel side builds in memory for hardware to read
 * (VT-d root/context/PASID tables, I/O page tables, invalidation queues).
 *
 * RAM split (docs/vtd-driver.md): the kernel owns the top of RAM,
 * kpage_reserved_range() bytes below hw_platform_ram_size(); everything
 * below is left to DMA buffers, tests and other users. Pages are 4 KiB,
 * zeroed on allocation, and touched only through fabric.h (hw_ram_*), as
 * a CPU stores to its own memory.
 *
 * Not thread-safe: the platform runs on one event loop.
 */
#ifndef PCILAB_KERNEL_MM_PAGE_ALLOC_H
#define PCILAB_KERNEL_MM_PAGE_ALLOC_H

#include <stdint.h>

struct hw_platform;

#define KPAGE_SIZE		4096ull
/* The kernel's share of RAM: a quarter of it, at most this much. */
#define KPAGE_RESERVE_MAX	(64ull << 20)

struct kpage_pool {
	struct hw_platform *hw;		/* not owned */
	uint64_t base;			/* first page's physical address */
	uint64_t nr_pages;
	uint64_t nr_free;
	uint64_t *bitmap;		/* bit set: page in use */
	uint64_t hint;			/* where the next search starts */
};

/* The kernel's range of RAM on hw: [*base, *base + *size). */
void kpage_reserved_range(struct hw_platform *hw, uint64_t *base, uint64_t *size);

/* A pool over [base, base + size) of RAM, both 4 KiB aligned and inside
 * RAM (-EINVAL otherwise), or over the reserved range when size is 0.
 * ERR_PTR(-EINVAL/-ENOMEM). */
struct kpage_pool *kpage_pool_create(struct hw_platform *hw, uint64_t base, uint64_t size);
/* Pages still allocated are reported (a leak of hardware tables). */
void kpage_pool_destroy(struct kpage_pool *pool);

/* A zeroed page: 0 with *pa set, or -ENOMEM (pool exhausted, or fault
 * injection site "kpage_alloc"). */
int kpage_alloc(struct kpage_pool *pool, uint64_t *pa);
/* pa 0 is ignored; a page not from the pool or already free is reported. */
void kpage_free(struct kpage_pool *pool, uint64_t pa);

#endif /* PCILAB_KERNEL_MM_PAGE_ALLOC_H */
