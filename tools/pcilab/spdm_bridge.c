// SPDX-License-Identifier: MIT
/* Socket frames through a DOE mailbox (spdm_bridge.h). */
#include <errno.h>
#include <string.h>

#include "kernel/pci/doe.h"
#include "proto/spdm/spdm_socket.h"
#include "spdm_bridge.h"

int spdm_bridge_handle(void *ctx, const uint8_t *req, size_t len, uint8_t *rsp, size_t cap,
		       size_t *rsp_len)
{
	struct pci_doe_mb *mb = ctx;
	uint16_t vendor;
	uint8_t type;
	int n;

	/* The requester's object is hostile: framing first (PCIe r6.2 §6.30.1). */
	if (spdm_socket_doe_check(req, len, &vendor, &type))
		return -EPROTO;
	if (cap < SPDM_SOCKET_DOE_HDR_BYTES)
		return -EMSGSIZE;
	n = pci_doe(mb, vendor, type, req + SPDM_SOCKET_DOE_HDR_BYTES,
		    len - SPDM_SOCKET_DOE_HDR_BYTES, rsp + SPDM_SOCKET_DOE_HDR_BYTES,
		    cap - SPDM_SOCKET_DOE_HDR_BYTES);
	if (n < 0)
		return n;
	/* The mailbox delivers whole DWORDs; the object keeps the request's
	 * vendor and type (§6.30.1: a response is of the request's protocol). */
	n = spdm_socket_doe_wrap(type, rsp + SPDM_SOCKET_DOE_HDR_BYTES, (size_t)n, rsp, cap);
	if (n < 0)
		return n;
	rsp[0] = (uint8_t)vendor;
	rsp[1] = (uint8_t)(vendor >> 8);
	*rsp_len = (size_t)n;
	return 0;
}
