// SPDX-License-Identifier: MIT
/*
 * Physical page allocator (page_alloc.h): a bitmap over a fixed range of
 * RAM. Allocation searches from a rotating hint, so recently freed pages
 * are not handed out again at once (a stale hardware walk of a freed
 * table is then more likely to hit zeroes than a new owner's data).
 */
#include <stdlib.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "hw/fabric/fabric.h"
#include "kernel/mm/page_alloc.h"

void kpage_reserved_range(struct hw_platform *hw, uint64_t *base, uint64_t *size)
{
	uint64_t ram = hw_platform_ram_size(hw);
	uint64_t sz = ALIGN_DOWN(ram / 4, KPAGE_SIZE);

	if (sz > KPAGE_RESERVE_MAX)
		sz = KPAGE_RESERVE_MAX;
	*size = sz;
	*base = ALIGN_DOWN(ram, KPAGE_SIZE) - sz;
}

struct kpage_pool *kpage_pool_create(struct hw_platform *hw, uint64_t base, uint64_t size)
{
	uint64_t ram = hw_platform_ram_size(hw);
	struct kpage_pool *pool;

	if (!size)
		kpage_reserved_range(hw, &base, &size);
	if (!size || !IS_ALIGNED(base | size, KPAGE_SIZE) || base + size < base ||
	    base + size > ram)
		return ERR_PTR(-EINVAL);
	pool = pl_zalloc(sizeof(*pool));
	if (!pool)
		return ERR_PTR(-ENOMEM);
	pool->hw = hw;
	pool->base = base;
	pool->nr_pages = size / KPAGE_SIZE;
	pool->nr_free = pool->nr_pages;
	pool->bitmap = pl_calloc((pool->nr_pages + 63) / 64, sizeof(uint64_t));
	if (!pool->bitmap) {
		free(pool);
		return ERR_PTR(-ENOMEM);
	}
	return pool;
}

void kpage_pool_destroy(struct kpage_pool *pool)
{
	if (!pool)
		return;
	if (pool->nr_free != pool->nr_pages)
		pl_err("kpage: %llu page(s) still allocated at pool teardown",
		       (unsigned long long)(pool->nr_pages - pool->nr_free));
	free(pool->bitmap);
	free(pool);
}

int kpage_alloc(struct kpage_pool *pool, uint64_t *pa)
{
	static const uint8_t zero[KPAGE_SIZE];
	uint64_t i, n;

	if (!pool->nr_free || should_fail("kpage_alloc"))
		return -ENOMEM;
	for (n = 0; n < pool->nr_pages; n++) {
		i = (pool->hint + n) % pool->nr_pages;
		if (pool->bitmap[i / 64] & BIT_ULL(i % 64))
			continue;
		/* Zero it first: a table page must read as all not-present. */
		if (hw_ram_write(pool->hw, pool->base + i * KPAGE_SIZE, zero, sizeof(zero)))
			return -ENOMEM;
		pool->bitmap[i / 64] |= BIT_ULL(i % 64);
		pool->nr_free--;
		pool->hint = (i + 1) % pool->nr_pages;
		*pa = pool->base + i * KPAGE_SIZE;
		return 0;
	}
	return -ENOMEM;
}

void kpage_free(struct kpage_pool *pool, uint64_t pa)
{
	uint64_t i;

	if (!pa)
		return;
	if (pa < pool->base || !IS_ALIGNED(pa, KPAGE_SIZE) ||
	    (pa - pool->base) / KPAGE_SIZE >= pool->nr_pages) {
		pl_err("kpage: freeing 0x%llx, not a pool page", (unsigned long long)pa);
		return;
	}
	i = (pa - pool->base) / KPAGE_SIZE;
	if (!(pool->bitmap[i / 64] & BIT_ULL(i % 64))) {
		pl_err("kpage: double free of 0x%llx", (unsigned long long)pa);
		return;
	}
	pool->bitmap[i / 64] &= ~BIT_ULL(i % 64);
	pool->nr_free++;
}
