// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>

#include "base/fault.h"
#include "base/log.h"

/* State of the single injection point; see fault.h for the contract. */
static struct {
	unsigned long nth;	/* 0: disarmed */
	unsigned long calls;	/* should_fail() calls since arming */
	bool injected;
	bool env_checked;
} fault;

static void fault_check_env(void)
{
	const char *s;
	char *end;
	unsigned long n;

	if (fault.env_checked)
		return;
	fault.env_checked = true;
	s = getenv("PCILAB_FAIL_NTH");
	if (!s || !*s)
		return;
	n = strtoul(s, &end, 0);
	if (*end) {
		pl_warn("PCILAB_FAIL_NTH=%s is not a number; fault injection stays off", s);
		return;
	}
	fault.nth = n;
}

bool should_fail(const char *site)
{
	fault_check_env();
	if (!fault.nth)
		return false;
	if (++fault.calls != fault.nth)
		return false;
	fault.injected = true;
	pl_dbg("fault injected at call %lu (%s)", fault.calls, site);
	return true;
}

void fault_inject_nth(unsigned long n)
{
	fault.env_checked = true;
	fault.nth = n;
	fault.calls = 0;
	fault.injected = false;
}

bool fault_injected(void)
{
	return fault.injected;
}

unsigned long fault_calls(void)
{
	return fault.calls;
}

void *pl_zalloc(size_t size)
{
	if (should_fail("alloc"))
		return NULL;
	return calloc(1, size ? size : 1);
}

void *pl_calloc(size_t n, size_t size)
{
	if (should_fail("alloc"))
		return NULL;
	return calloc(n ? n : 1, size ? size : 1);
}

void *pl_realloc(void *ptr, size_t size)
{
	if (should_fail("alloc"))
		return NULL;
	return realloc(ptr, size ? size : 1);
}

char *pl_strdup(const char *s)
{
	if (should_fail("alloc"))
		return NULL;
	return strdup(s);
}

char *pl_strndup(const char *s, size_t n)
{
	if (should_fail("alloc"))
		return NULL;
	return strndup(s, n);
}
