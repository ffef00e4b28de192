/* SPDX-License-Identifier: MIT */
/*
 * Function side of a DOE mailbox (PCIe r6.2 §6.30, registers §7.9.24).
 *
 * cap_doe.c owns the registers and the data-object transport: it gathers
 * the DWORDs software writes to the Write Data Mailbox, and on GO hands a
 * complete request object to the attached responder; it serves the
 * response DWORD by DWORD through the Read Data Mailbox. DOE Discovery
 * (§6.30.1.1, Vendor ID 0001h, type 00h), which every instance must
 * support, is answered here from the list the responder declares.
 *
 * hw/security (SPDM, IDE, TDISP) attaches a responder with hw_doe_attach();
 * a mailbox with none answers only Discovery.
 */
#ifndef PCILAB_HW_PCIDEV_DOE_H
#define PCILAB_HW_PCIDEV_DOE_H

#include <stddef.h>
#include <stdint.h>

#include "hw/pcidev/pcidev.h"

#define HW_DOE_VENDOR_PCISIG	0x0001
#define HW_DOE_TYPE_DISCOVERY	0x00
/* Largest data object: Length is 18 bits of DWORDs, 0 meaning 2^18 (§6.30.1). */
#define HW_DOE_MAX_DW		(1u << 18)

struct hw_doe;

struct hw_doe_protocol {
	uint16_t vendor;
	uint8_t type;
};

struct hw_doe_ops {
	/* Protocols the responder serves (Discovery is implied). */
	const struct hw_doe_protocol *protocols;
	size_t nr_protocols;
	/*
	 * A complete request object arrived (dw[0..n-1], header included,
	 * for one of the protocols above). Answer with hw_doe_respond(), now
	 * or later (DOE Busy stays set until then), or hw_doe_fail().
	 */
	void (*request)(struct hw_doe *doe, void *priv, const uint32_t *dw, size_t n);
	/* Abort or reset: drop any exchange in flight. Optional. */
	void (*abort)(struct hw_doe *doe, void *priv);
	/* Frees priv when the function is destroyed. Optional. */
	void (*release)(void *priv);
};

/* The idx-th (from 0) DOE instance of a function, or NULL. */
struct hw_doe *hw_doe_get(struct hw_pcidev *dev, unsigned int idx);
/* Config-space offset of the instance's capability. */
uint16_t hw_doe_cap_offset(const struct hw_doe *doe);
/* -EBUSY if a responder is already attached. */
int hw_doe_attach(struct hw_doe *doe, const struct hw_doe_ops *ops, void *priv);
/* Post the response object (header included); -EINVAL if it is malformed
 * or no request is pending, -ENOMEM. */
int hw_doe_respond(struct hw_doe *doe, const uint32_t *dw, size_t n);
/* The responder could not handle the request: DOE Error (§6.30.2). */
void hw_doe_fail(struct hw_doe *doe);

#endif /* PCILAB_HW_PCIDEV_DOE_H */
