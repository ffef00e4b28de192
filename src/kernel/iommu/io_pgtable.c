// SPDX-License-Identifier: MIT
/*
 * Generic I/O page table: see io_pgtable.h. A table holds, per entry,
 * either a leaf (present bit, permissions and output address in pte[]) or
 * a pointer to the next-level table (next[]); never both.
 */
#include <stdlib.h>

#include "base/compiler.h"
#include "base/err.h"
#include "base/fault.h"
#include "kernel/iommu/iommu.h"
#include "kernel/iommu/io_pgtable.h"

#define PGT_ENTRIES	512
#define PGT_SHIFT(l)	(12u + 9u * (l))
#define PGT_INDEX(iova, l) (((iova) >> PGT_SHIFT(l)) & (PGT_ENTRIES - 1))

/* Leaf entry layout (ours; no hardware reads it). */
#define PTE_PRESENT	BIT_ULL(0)
#define PTE_READ	BIT_ULL(1)
#define PTE_WRITE	BIT_ULL(2)
#define PTE_ADDR_MASK	GENMASK_ULL(51, 12)

struct io_pgtable_table {
	uint64_t pte[PGT_ENTRIES];
	struct io_pgtable_table *next[PGT_ENTRIES];
	unsigned int used;		/* entries with a leaf or a table */
};

struct io_pgtable *io_pgtable_alloc(void)
{
	struct io_pgtable *pgt = pl_zalloc(sizeof(*pgt));

	if (!pgt)
		return ERR_PTR(-ENOMEM);
	pgt->root = pl_zalloc(sizeof(*pgt->root));
	if (!pgt->root) {
		free(pgt);
		return ERR_PTR(-ENOMEM);
	}
	pgt->nr_tables = 1;
	return pgt;
}

static void pgt_free_table(struct io_pgtable_table *t)
{
	unsigned int i;

	for (i = 0; i < PGT_ENTRIES; i++)
		if (t->next[i])
			pgt_free_table(t->next[i]);
	free(t);
}

void io_pgtable_free(struct io_pgtable *pgt)
{
	if (!pgt)
		return;
	pgt_free_table(pgt->root);
	free(pgt);
}

static unsigned int pgt_leaf_level(uint64_t pgsize)
{
	return pgsize == (1ull << 21) ? 1 : 0;
}

static int pgt_map_one(struct io_pgtable *pgt, uint64_t iova, uint64_t paddr,
		       unsigned int leaf, int prot)
{
	struct io_pgtable_table *t = pgt->root;
	unsigned int l, i;

	for (l = IO_PGTABLE_LEVELS - 1; l > leaf; l--) {
		i = PGT_INDEX(iova, l);
		if (t->pte[i] & PTE_PRESENT)
			return -EEXIST;		/* a larger leaf covers it */
		if (!t->next[i]) {
			struct io_pgtable_table *n = pl_zalloc(sizeof(*n));

			if (!n)
				return -ENOMEM;
			t->next[i] = n;
			t->used++;
			pgt->nr_tables++;
		}
		t = t->next[i];
	}
	i = PGT_INDEX(iova, leaf);
	if ((t->pte[i] & PTE_PRESENT) || t->next[i])
		return -EEXIST;
	t->pte[i] = (paddr & PTE_ADDR_MASK) | PTE_PRESENT |
		    ((prot & IOMMU_READ) ? PTE_READ : 0) |
		    ((prot & IOMMU_WRITE) ? PTE_WRITE : 0);
	t->used++;
	pgt->nr_leaves++;
	return 0;
}

int io_pgtable_map_pages(struct io_pgtable *pgt, uint64_t iova, uint64_t paddr,
			 uint64_t pgsize, uint64_t pgcount, int prot, uint64_t *mapped)
{
	unsigned int leaf = pgt_leaf_level(pgsize);
	uint64_t n;
	int rc;

	*mapped = 0;
	if (!(pgsize & IO_PGTABLE_PGSIZES) || !is_power_of_2(pgsize) ||
	    !IS_ALIGNED(iova, pgsize) || !IS_ALIGNED(paddr, pgsize) ||
	    pgcount > (1ull << IO_PGTABLE_IAS) / pgsize ||
	    iova > (1ull << IO_PGTABLE_IAS) - pgsize * pgcount)
		return -EINVAL;
	for (n = 0; n < pgcount; n++) {
		if (should_fail("io_pgtable_map"))
			return -ENOMEM;
		rc = pgt_map_one(pgt, iova + n * pgsize, paddr + n * pgsize, leaf, prot);
		if (rc)
			return rc;
		*mapped += pgsize;
	}
	return 0;
}

/*
 * Remove the leaf covering iova below t (at level l); returns its size or
 * 0 if there is none. Frees tables that become empty.
 */
static uint64_t pgt_unmap_one(struct io_pgtable *pgt, struct io_pgtable_table *t,
			      unsigned int l, uint64_t iova)
{
	unsigned int i = PGT_INDEX(iova, l);
	uint64_t size;

	if (t->pte[i] & PTE_PRESENT) {
		/* Only a leaf starting at iova is removed: a hole starts
		 * wherever the caller's range does not line up. */
		if (!IS_ALIGNED(iova, 1ull << PGT_SHIFT(l)))
			return 0;
		t->pte[i] = 0;
		t->used--;
		pgt->nr_leaves--;
		return 1ull << PGT_SHIFT(l);
	}
	if (!l || !t->next[i])
		return 0;
	size = pgt_unmap_one(pgt, t->next[i], l - 1, iova);
	if (size && !t->next[i]->used) {
		free(t->next[i]);
		t->next[i] = NULL;
		t->used--;
		pgt->nr_tables--;
	}
	return size;
}

uint64_t io_pgtable_unmap_pages(struct io_pgtable *pgt, uint64_t iova, uint64_t pgsize,
				uint64_t pgcount)
{
	uint64_t want, done = 0, size;

	if (!pgsize || pgcount > UINT64_MAX / pgsize)
		return 0;
	want = pgsize * pgcount;
	while (done < want && iova + done < (1ull << IO_PGTABLE_IAS)) {
		size = pgt_unmap_one(pgt, pgt->root, IO_PGTABLE_LEVELS - 1, iova + done);
		if (!size)
			break;
		done += size;
	}
	return done;
}

bool io_pgtable_lookup(struct io_pgtable *pgt, uint64_t iova, uint64_t *paddr, int *prot)
{
	struct io_pgtable_table *t = pgt->root;
	unsigned int l, i;

	if (iova >> IO_PGTABLE_IAS)
		return false;
	for (l = IO_PGTABLE_LEVELS - 1;; l--) {
		i = PGT_INDEX(iova, l);
		if (t->pte[i] & PTE_PRESENT) {
			uint64_t off = iova & ((1ull << PGT_SHIFT(l)) - 1);

			*paddr = (t->pte[i] & PTE_ADDR_MASK) + off;
			*prot = ((t->pte[i] & PTE_READ) ? IOMMU_READ : 0) |
				((t->pte[i] & PTE_WRITE) ? IOMMU_WRITE : 0);
			return true;
		}
		if (!l || !t->next[i])
			return false;
		t = t->next[i];
	}
}
