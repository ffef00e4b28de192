/* SPDX-License-Identifier: MIT */
/*
 * Generic I/O page table kept in kernel memory, for drivers that have no
 * hardware format of their own (the mock driver). x86-style radix tree:
 * 4 levels of 512 entries, 4 KiB granule, 48-bit IOVA, leaves of 4 KiB
 * (level 0) or 2 MiB (level 1). Empty tables are freed on unmap so a
 * drained table costs one root.
 *
 * Unmap follows the AMD/Intel formats: it removes whole leaves, so asking
 * for 4 KiB at the start of a 2 MiB leaf removes (and reports) 2 MiB.
 */
#ifndef PCILAB_KERNEL_IOMMU_IO_PGTABLE_H
#define PCILAB_KERNEL_IOMMU_IO_PGTABLE_H

#include <stdint.h>
#include <stdbool.h>

#define IO_PGTABLE_LEVELS	4
#define IO_PGTABLE_IAS		48
#define IO_PGTABLE_PGSIZES	((1ull << 12) | (1ull << 21))

struct io_pgtable_table;

struct io_pgtable {
	struct io_pgtable_table *root;
	uint64_t nr_tables;		/* including the root */
	uint64_t nr_leaves;
};

/* ERR_PTR(-ENOMEM). */
struct io_pgtable *io_pgtable_alloc(void);
void io_pgtable_free(struct io_pgtable *pgt);

/*
 * Map pgcount pages of pgsize (4 KiB or 2 MiB) at iova (aligned to pgsize)
 * to paddr with prot (IOMMU_READ/WRITE). *mapped: bytes done, also on
 * failure. -EEXIST: something already mapped there; -EINVAL: bad size,
 * alignment or iova beyond 48 bits; -ENOMEM.
 */
int io_pgtable_map_pages(struct io_pgtable *pgt, uint64_t iova, uint64_t paddr,
			 uint64_t pgsize, uint64_t pgcount, int prot, uint64_t *mapped);
/* Remove leaves from iova until at least pgsize * pgcount bytes are gone
 * or a hole is met; returns the bytes removed. */
uint64_t io_pgtable_unmap_pages(struct io_pgtable *pgt, uint64_t iova, uint64_t pgsize,
				uint64_t pgcount);
/* Physical address iova translates to, with *prot; false if not mapped. */
bool io_pgtable_lookup(struct io_pgtable *pgt, uint64_t iova, uint64_t *paddr, int *prot);

#endif /* PCILAB_KERNEL_IOMMU_IO_PGTABLE_H */
