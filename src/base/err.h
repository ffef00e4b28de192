/* SPDX-License-Identifier: MIT */
/*
 * Errors are values: functions return 0 or a negative errno, and functions
 * that return a pointer encode an errno in it (ERR_PTR), as the Linux kernel
 * does. The top MAX_ERRNO addresses are never valid objects.
 */
#ifndef PCILAB_BASE_ERR_H
#define PCILAB_BASE_ERR_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#define MAX_ERRNO 4095

static inline void *ERR_PTR(long error)
{
	return (void *)(intptr_t)error;
}

static inline long PTR_ERR(const void *ptr)
{
	return (long)(intptr_t)ptr;
}

static inline bool IS_ERR(const void *ptr)
{
	return (uintptr_t)ptr >= (uintptr_t)-MAX_ERRNO;
}

static inline bool IS_ERR_OR_NULL(const void *ptr)
{
	return !ptr || IS_ERR(ptr);
}

/* Turn an ERR_PTR into 0 (valid pointer) or its errno. */
static inline int PTR_ERR_OR_ZERO(const void *ptr)
{
	return IS_ERR(ptr) ? (int)PTR_ERR(ptr) : 0;
}

#endif /* PCILAB_BASE_ERR_H */
