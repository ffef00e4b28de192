/* SPDX-License-Identifier: MIT */
/*
 * hw/mem: the machine's RAM as seen from the physical address space. RAM
 * starts at physical address 0 and is ram_size bytes long; it is backed by
 * one sparse anonymous mapping, so a machine with gigabytes of RAM costs
 * only the pages actually touched.
 *
 * Every access is bounds-checked: a range that is not entirely inside RAM
 * fails with -EFAULT and touches nothing. Multi-byte values in simulated
 * memory are little-endian, as on every machine pcilab models.
 *
 * The struct is visible so that the hot accessors (used by IOMMU page walks
 * and DMA) inline to a compare and a load; callers must treat its fields as
 * read-only.
 */
#ifndef PCILAB_HW_MEM_H
#define PCILAB_HW_MEM_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/compiler.h"

struct hw_mem {
	uint8_t *base;		/* host address of physical address 0 */
	uint64_t size;		/* bytes of RAM, a multiple of 4 KiB */
};

/* ram_size: non-zero multiple of 4 KiB. ERR_PTR: -EINVAL, -ENOMEM. */
struct hw_mem *hw_mem_create(uint64_t ram_size);
void hw_mem_destroy(struct hw_mem *m);

/* True if [pa, pa + len) lies inside RAM (len may be 0). */
static inline bool hw_mem_valid(const struct hw_mem *m, uint64_t pa, uint64_t len)
{
	return pa <= m->size && len <= m->size - pa;
}

/* Copy between RAM and a caller buffer; -EFAULT outside RAM. */
int hw_mem_read(struct hw_mem *m, uint64_t pa, void *buf, size_t len);
int hw_mem_write(struct hw_mem *m, uint64_t pa, const void *buf, size_t len);

/*
 * Host pointer to [pa, pa + len) for direct access, or ERR_PTR(-EFAULT).
 * RAM is one contiguous mapping, so any valid range is directly addressable.
 */
void *hw_mem_ptr(struct hw_mem *m, uint64_t pa, uint64_t len);

static inline uint64_t hw_le64_to_cpu(uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap64(v);
#else
	return v;
#endif
}
#define hw_cpu_to_le64 hw_le64_to_cpu

static inline uint32_t hw_le32_to_cpu(uint32_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap32(v);
#else
	return v;
#endif
}
#define hw_cpu_to_le32 hw_le32_to_cpu

/* Little-endian qword load/store at any byte address; -EFAULT outside RAM. */
static inline int hw_mem_ld64(const struct hw_mem *m, uint64_t pa, uint64_t *val)
{
	uint64_t v;

	if (unlikely(!hw_mem_valid(m, pa, 8)))
		return -EFAULT;
	memcpy(&v, m->base + pa, 8);
	*val = hw_le64_to_cpu(v);
	return 0;
}

static inline int hw_mem_st64(struct hw_mem *m, uint64_t pa, uint64_t val)
{
	uint64_t v = hw_cpu_to_le64(val);

	if (unlikely(!hw_mem_valid(m, pa, 8)))
		return -EFAULT;
	memcpy(m->base + pa, &v, 8);
	return 0;
}

static inline int hw_mem_ld32(const struct hw_mem *m, uint64_t pa, uint32_t *val)
{
	uint32_t v;

	if (unlikely(!hw_mem_valid(m, pa, 4)))
		return -EFAULT;
	memcpy(&v, m->base + pa, 4);
	*val = hw_le32_to_cpu(v);
	return 0;
}

static inline int hw_mem_st32(struct hw_mem *m, uint64_t pa, uint32_t val)
{
	uint32_t v = hw_cpu_to_le32(val);

	if (unlikely(!hw_mem_valid(m, pa, 4)))
		return -EFAULT;
	memcpy(m->base + pa, &v, 4);
	return 0;
}

/*
 * Atomic compare-exchange of the naturally aligned little-endian qword at
 * pa, as a locked read-modify-write (used for accessed/dirty updates in
 * paging entries, which must not lose a concurrent CPU write). If the qword
 * equals *expected it becomes desired and 0 is returned; otherwise *expected
 * receives the current value and -EAGAIN is returned. -EINVAL if pa is not
 * 8-byte aligned, -EFAULT outside RAM.
 */
static inline int hw_mem_cmpxchg64(struct hw_mem *m, uint64_t pa,
				   uint64_t *expected, uint64_t desired)
{
	uint64_t *p, exp;

	if (unlikely(pa & 7))
		return -EINVAL;
	if (unlikely(!hw_mem_valid(m, pa, 8)))
		return -EFAULT;
	p = (uint64_t *)(void *)(m->base + pa);
	exp = hw_cpu_to_le64(*expected);
	if (__atomic_compare_exchange_n(p, &exp, hw_cpu_to_le64(desired), false,
					__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return 0;
	*expected = hw_le64_to_cpu(exp);
	return -EAGAIN;
}

#endif /* PCILAB_HW_MEM_H */
