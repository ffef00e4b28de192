// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <sys/mman.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "hw/mem.h"

struct hw_mem *hw_mem_create(uint64_t ram_size)
{
	struct hw_mem *m;
	void *base;

	if (!ram_size || !IS_ALIGNED(ram_size, 4096) || ram_size > (1ull << 52))
		return ERR_PTR(-EINVAL);
	m = pl_zalloc(sizeof(*m));
	if (!m)
		return ERR_PTR(-ENOMEM);
	/* Sparse: untouched pages cost nothing and read as zero. */
	if (should_fail("hw_mem_create.mmap"))
		base = MAP_FAILED;
	else
		base = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED) {
		pl_err("hw_mem: cannot reserve %llu bytes of RAM",
		       (unsigned long long)ram_size);
		goto err_free_mem;
	}
	m->base = base;
	m->size = ram_size;
	return m;

err_free_mem:
	free(m);
	return ERR_PTR(-ENOMEM);
}

void hw_mem_destroy(struct hw_mem *m)
{
	if (IS_ERR_OR_NULL(m))
		return;
	munmap(m->base, m->size);
	free(m);
}

int hw_mem_read(struct hw_mem *m, uint64_t pa, void *buf, size_t len)
{
	if (!hw_mem_valid(m, pa, len))
		return -EFAULT;
	if (len)
		memcpy(buf, m->base + pa, len);
	return 0;
}

int hw_mem_write(struct hw_mem *m, uint64_t pa, const void *buf, size_t len)
{
	if (!hw_mem_valid(m, pa, len))
		return -EFAULT;
	if (len)
		memcpy(m->base + pa, buf, len);
	return 0;
}

void *hw_mem_ptr(struct hw_mem *m, uint64_t pa, uint64_t len)
{
	if (!hw_mem_valid(m, pa, len))
		return ERR_PTR(-EFAULT);
	return m->base + pa;
}
