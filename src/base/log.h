/* SPDX-License-Identifier: MIT */
/*
 * Logging. Messages go to stderr as "pcilab: LEVEL: text" unless a test
 * installs a sink to capture them.
 */
#ifndef PCILAB_BASE_LOG_H
#define PCILAB_BASE_LOG_H

#include <stdarg.h>
#include "base/compiler.h"

enum pl_log_level {
	PL_LOG_ERR,
	PL_LOG_WARN,
	PL_LOG_INFO,
	PL_LOG_DEBUG,
};

typedef void (*pl_log_sink_fn)(enum pl_log_level level, const char *msg, void *arg);

/* Messages above this level are dropped (default PL_LOG_WARN). */
void pl_log_set_level(enum pl_log_level level);
enum pl_log_level pl_log_get_level(void);
/* Redirect messages; NULL restores stderr. */
void pl_log_set_sink(pl_log_sink_fn fn, void *arg);

void pl_log(enum pl_log_level level, const char *fmt, ...) __printf(2, 3);
void pl_vlog(enum pl_log_level level, const char *fmt, va_list ap);

#define pl_err(...)	pl_log(PL_LOG_ERR, __VA_ARGS__)
#define pl_warn(...)	pl_log(PL_LOG_WARN, __VA_ARGS__)
#define pl_info(...)	pl_log(PL_LOG_INFO, __VA_ARGS__)
#define pl_dbg(...)	pl_log(PL_LOG_DEBUG, __VA_ARGS__)

#endif /* PCILAB_BASE_LOG_H */
