/* SPDX-License-Identifier: MIT */
/*
 * Common include for cmocka unit tests, plus the assertion helpers every
 * test uses. Helper naming follows the iommufd selftests:
 *   _x(...)          returns rc
 *   x(...)           asserts success
 *   x_err(E, ...)    asserts the call fails with -E
 */
#ifndef PCILAB_TESTS_TEST_H
#define PCILAB_TESTS_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "base/compiler.h"
#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"

/* Assert an int-returning call succeeded (rc == 0, or >= 0 for offsets). */
#define assert_ok(expr) do {						\
		int __rc = (expr);					\
		if (__rc < 0)						\
			fail_msg("%s = %d (%s)", #expr, __rc, strerror(-__rc)); \
	} while (0)

/* Assert an int-returning call failed with -E. */
#define assert_errno(E, expr) do {					\
		int __rc = (expr);					\
		if (__rc != -(E))					\
			fail_msg("%s = %d, expected -%s (%d)", #expr, __rc, #E, -(E)); \
	} while (0)

/* Assert an ERR_PTR-returning call failed with -E. */
#define assert_err_ptr(E, expr) do {					\
		const void *__p = (expr);				\
		if (!IS_ERR(__p) || PTR_ERR(__p) != -(E))		\
			fail_msg("%s = %p, expected ERR_PTR(-%s)", #expr, __p, #E); \
	} while (0)

#endif /* PCILAB_TESTS_TEST_H */
