/* SPDX-License-Identifier: MIT */
/*
 * pcilab spdm-responder's core: answer SPDM-socket NORMAL frames (DOE
 * objects, PCI_DOE transport) by running them through a function's DOE
 * mailbox with the kernel side's DOE driver, so an external requester
 * (spdm-emu's spdm_requester_emu, QEMU, `pcilab spdm-requester`) talks to
 * the device's firmware exactly as our own CMA code does.
 */
#ifndef PCILAB_TOOLS_SPDM_BRIDGE_H
#define PCILAB_TOOLS_SPDM_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

struct pci_doe_mb;

/* spdm_socket_handler_fn with ctx = struct pci_doe_mb *: 0, or -errno
 * (-EPROTO malformed request object, the DOE exchange's errno). */
int spdm_bridge_handle(void *ctx, const uint8_t *req, size_t len, uint8_t *rsp, size_t cap,
		       size_t *rsp_len);

#endif /* PCILAB_TOOLS_SPDM_BRIDGE_H */
