/* SPDX-License-Identifier: MIT */
/*
 * Built-in fault injection. Every allocation and every failure point that
 * can fail in real life calls should_fail(); when injection is armed the
 * Nth such call (counting from 1 after arming) fails, like Linux's
 * fail-nth. Tests arm it with fault_inject_nth() and sweep N upward until a
 * run completes without hitting the injected failure, checking on each step
 * that the error propagated cleanly and nothing leaked.
 *
 * The environment variable PCILAB_FAIL_NTH=N arms it at start-up for
 * command-line runs.
 *
 * Not thread-safe by design: the platform runs on one event loop.
 */
#ifndef PCILAB_BASE_FAULT_H
#define PCILAB_BASE_FAULT_H

#include <stdbool.h>
#include <stddef.h>

/* Returns true if the caller must take its failure path now. */
bool should_fail(const char *site);

/* Arm: the nth should_fail() from now on returns true (n >= 1); 0 disarms. */
void fault_inject_nth(unsigned long n);
/* True once the armed failure has been delivered. */
bool fault_injected(void);
/* Number of should_fail() calls since the last fault_inject_nth(). */
unsigned long fault_calls(void);

/* Allocation helpers that honour should_fail(); free with free(). */
void *pl_zalloc(size_t size);
void *pl_calloc(size_t n, size_t size);
void *pl_realloc(void *ptr, size_t size);
char *pl_strdup(const char *s);
char *pl_strndup(const char *s, size_t n);

#endif /* PCILAB_BASE_FAULT_H */
