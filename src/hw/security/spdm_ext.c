// SPDX-License-Identifier: MIT
/*
 * A DOE mailbox whose CMA-SPDM responder runs elsewhere: every request
 * object (PCIe r6.2 §6.30.1, header included) goes out as the payload of
 * a NORMAL frame of the SPDM socket protocol with TransportType PCI_DOE
 * (proto/spdm/spdm_socket_wire.h), and the object that comes back is
 * posted as the response, after checking its framing (the external
 * responder is as untrusted as any device). This is what QEMU's
 * spdm-socket backend does for an emulated NVMe or PCIe device; with it a
 * pcilab function can be authenticated by our kernel side while its
 * firmware is DMTF's spdm_responder_emu (or another pcilab, see `pcilab
 * spdm-responder`).
 *
 * The exchange is synchronous and bounded by SPDM_SOCKET_TIMEOUT_MS of
 * real time: the simulated device stays Busy meanwhile. On any failure
 * the mailbox reports DOE Error (§6.30.2), the connection is dropped and
 * the next request reconnects. On release the responder is sent SHUTDOWN,
 * as QEMU does when the device goes away.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/compiler.h"
#include "base/fault.h"
#include "base/log.h"
#include "hw/pcidev/doe.h"
#include "hw/security/security_internal.h"
#include "proto/spdm/spdm_socket.h"

struct hw_spdm_ext {
	struct hw_pcidev *dev;
	int fd;				/* -1: not connected */
	char addr[272];
	uint8_t buf[SPDM_SOCKET_MAX_PAYLOAD];
};

static const struct hw_doe_protocol hw_spdm_ext_protocols[] = {
	{ SPDM_DOE_VENDOR_PCISIG, SPDM_DOE_TYPE_SPDM },
	{ SPDM_DOE_VENDOR_PCISIG, SPDM_DOE_TYPE_SECURED_SPDM },
};

static void hw_spdm_ext_disconnect(struct hw_spdm_ext *x)
{
	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
}

static void hw_spdm_ext_request(struct hw_doe *doe, void *priv, const uint32_t *dw, size_t n)
{
	struct hw_spdm_ext *x = priv;
	size_t i, len = n * 4, rlen;
	uint32_t *obj;
	uint8_t type;
	int rc;

	if (len > sizeof(x->buf)) {
		rc = -EMSGSIZE;
		goto err_fail;
	}
	/* DWORD i → bytes 4i..4i+3, little endian (the socket's DOE format). */
	for (i = 0; i < n; i++) {
		x->buf[4 * i] = (uint8_t)dw[i];
		x->buf[4 * i + 1] = (uint8_t)(dw[i] >> 8);
		x->buf[4 * i + 2] = (uint8_t)(dw[i] >> 16);
		x->buf[4 * i + 3] = (uint8_t)(dw[i] >> 24);
	}
	if (x->fd < 0) {
		rc = spdm_socket_connect(x->addr, SPDM_SOCKET_TIMEOUT_MS);
		if (rc < 0)
			goto err_fail;
		x->fd = rc;
	}
	rc = spdm_socket_exchange(x->fd, x->buf, len, x->buf, sizeof(x->buf), &rlen,
				  SPDM_SOCKET_TIMEOUT_MS);
	if (rc)
		goto err_drop;
	(void)spdm_socket_doe_check(x->buf, rlen, NULL, &type);	/* checked by exchange */
	/* §6.31.3: a CMA response is of the CMA types; nothing else may
	 * come out of this mailbox's SPDM protocols. */
	rc = -EPROTO;
	if (type != SPDM_DOE_TYPE_SPDM && type != SPDM_DOE_TYPE_SECURED_SPDM)
		goto err_drop;
	obj = pl_calloc(rlen / 4, sizeof(*obj));
	if (!obj) {
		rc = -ENOMEM;
		goto err_fail;
	}
	for (i = 0; i < rlen / 4; i++)
		obj[i] = (uint32_t)x->buf[4 * i] | (uint32_t)x->buf[4 * i + 1] << 8 |
			 (uint32_t)x->buf[4 * i + 2] << 16 | (uint32_t)x->buf[4 * i + 3] << 24;
	rc = hw_doe_respond(doe, obj, rlen / 4);
	free(obj);
	if (rc < 0)
		goto err_fail;
	return;

err_drop:
	/* The stream may be out of step: start afresh next time. */
	hw_spdm_ext_disconnect(x);
err_fail:
	pl_warn("spdm external %s for %s: %s", x->addr, x->dev->name, strerror(-rc));
	hw_doe_fail(doe);
}

static void hw_spdm_ext_release(void *priv)
{
	struct hw_spdm_ext *x = priv;

	if (x->fd >= 0)
		(void)spdm_socket_send(x->fd, SPDM_SOCKET_CMD_SHUTDOWN,
				       SPDM_SOCKET_TRANSPORT_PCI_DOE, NULL, 0);
	hw_spdm_ext_disconnect(x);
	free(x);
}

static const struct hw_doe_ops hw_spdm_ext_ops = {
	.protocols = hw_spdm_ext_protocols,
	.nr_protocols = ARRAY_SIZE(hw_spdm_ext_protocols),
	.request = hw_spdm_ext_request,
	.release = hw_spdm_ext_release,
};

int hw_spdm_ext_attach(struct hw_doe *doe, struct hw_pcidev *dev, const char *addr)
{
	struct hw_spdm_ext *x;
	int rc;

	if (strlen(addr) >= sizeof(x->addr))
		return -EINVAL;
	x = pl_zalloc(sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->dev = dev;
	x->fd = -1;
	strcpy(x->addr, addr);
	rc = hw_doe_attach(doe, &hw_spdm_ext_ops, x);
	if (rc < 0)
		free(x);
	return rc;	/* on success the DOE capability owns x */
}
