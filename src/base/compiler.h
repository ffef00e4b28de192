/* SPDX-License-Identifier: MIT */
/*
 * Small language helpers shared by every layer. Nothing here knows about PCI.
 */
#ifndef PCILAB_BASE_COMPILER_H
#define PCILAB_BASE_COMPILER_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#define BIT(n)		(1u << (n))
#define BIT_ULL(n)	(1ull << (n))
/* Mask of bits h..l inclusive, h >= l, both < 32 (GENMASK) or < 64. */
#define GENMASK(h, l)	 ((~0u << (l)) & (~0u >> (31 - (h))))
#define GENMASK_ULL(h, l) ((~0ull << (l)) & (~0ull >> (63 - (h))))

#define ALIGN_UP(x, a)	 (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

static inline bool is_power_of_2(uint64_t n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

/* Index of the lowest set bit; n must be non-zero. */
static inline unsigned int pl_ffs64(uint64_t n)
{
	return (unsigned int)__builtin_ctzll(n);
}

/* Index of the highest set bit; n must be non-zero. */
static inline unsigned int pl_fls64(uint64_t n)
{
	return 63u - (unsigned int)__builtin_clzll(n);
}

#define __unused	__attribute__((unused))
#define __must_check	__attribute__((warn_unused_result))
#define __printf(a, b)	__attribute__((format(printf, a, b)))
/* Symbols of the public API; everything else is built -fvisibility=hidden. */
#define PCILAB_API	__attribute__((visibility("default")))

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

#endif /* PCILAB_BASE_COMPILER_H */
