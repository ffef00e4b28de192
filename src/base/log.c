// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <stdlib.h>

#include "base/log.h"

static enum pl_log_level log_level = PL_LOG_WARN;
static pl_log_sink_fn log_sink;
static void *log_sink_arg;

static const char *const level_names[] = {
	[PL_LOG_ERR] = "error",
	[PL_LOG_WARN] = "warning",
	[PL_LOG_INFO] = "info",
	[PL_LOG_DEBUG] = "debug",
};

void pl_log_set_level(enum pl_log_level level)
{
	log_level = level;
}

enum pl_log_level pl_log_get_level(void)
{
	return log_level;
}

void pl_log_set_sink(pl_log_sink_fn fn, void *arg)
{
	log_sink = fn;
	log_sink_arg = arg;
}

void pl_vlog(enum pl_log_level level, const char *fmt, va_list ap)
{
	char buf[1024];

	if (level > log_level && !log_sink)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (log_sink) {
		log_sink(level, buf, log_sink_arg);
		return;
	}
	fprintf(stderr, "pcilab: %s: %s\n", level_names[level], buf);
}

void pl_log(enum pl_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pl_vlog(level, fmt, ap);
	va_end(ap);
}
