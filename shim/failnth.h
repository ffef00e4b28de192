/* SPDX-License-Identifier: MIT */
/*
 * The kernel's fault-injection interface as the shim emulates it for a
 * program under `pcilab exec` (shim/failnth.c; docs/daemon.md, "Fault
 * injection"): the per-thread /proc/.../fail-nth files and a private
 * /sys/kernel/debug holding the fail* knobs. preload.c calls these from its
 * open hooks and around every request to the daemon.
 */
#ifndef PCILAB_SHIM_FAILNTH_H
#define PCILAB_SHIM_FAILNTH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "uapi/wire.h"

/*
 * open/openat of an absolute path the shim emulates (only with
 * PCILAB_SOCKET set): returns true and sets *ret to the descriptor, or to
 * -1 with errno set. false: not ours, the caller opens path for real.
 */
bool shim_emul_open(const char *path, int flags, mode_t mode, int *ret);

/*
 * write()/pwrite() on fd: if it is a fail-nth file, set the thread's count
 * as Linux's write does and return true with *ret (-1 and errno on
 * failure); else false.
 */
bool shim_failnth_write(int fd, const void *buf, size_t count, ssize_t *ret);

/*
 * Around one request to the daemon. shim_failnth_arm() runs right after
 * uapi_wire_enc_ioctl()/_open(): if the calling thread's fail-nth count is
 * armed it adds the version-2 extension carrying it and returns it (else
 * 0, and the record stays version 1). shim_failnth_update() stores the
 * count the daemon's reply says is left.
 */
uint32_t shim_failnth_arm(struct uapi_wire_enc *e);
void shim_failnth_update(uint32_t armed, const struct uapi_wire_msg *reply);

#endif /* PCILAB_SHIM_FAILNTH_H */
