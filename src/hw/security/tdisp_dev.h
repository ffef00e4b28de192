/* SPDX-License-Identifier: MIT */
/*
 * TDISP on a simulated function (PCIe r6.2 §11): the Device Security
 * Manager's TDI state machine (proto/tdisp) bound to one hw_pcidev, its
 * TDI report built from the function's real BARs and capabilities, and
 * the configuration-lock hook.
 *
 * Lock enforcement (§11.2.3, §11.4): while the TDI is CONFIG_LOCKED or
 * RUN, a configuration write that touches any of these registers takes it
 * to ERROR (the model does not compare values: touching is changing):
 *
 *   Command (04h), Cache Line Size (0Ch), BAR0-5 (10h-27h), Expansion ROM
 *   BAR (30h); PCI Express Capability Device Control and Device Control 2;
 *   MSI-X Message Control, Table Offset/BIR and PBA Offset/BIR; and the
 *   whole ATS, PASID, PRI, Resizable BAR, SR-IOV and IDE Extended
 *   Capabilities.
 *
 * Everything else (status registers, AER logs, the DOE mailbox that
 * carries SPDM itself) stays writable.
 */
#ifndef PCILAB_HW_SECURITY_TDISP_DEV_H
#define PCILAB_HW_SECURITY_TDISP_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hw_pcidev;
struct ide_km_responder;
struct spdm_vendor_msg;

struct hw_tdisp_dev_cfg {
	uint32_t function_id;		/* TDISP_FUNC_ID() of this TDI */
	uint16_t lock_flags_supported;	/* TDISP_LOCK_* the DSM accepts */
	struct ide_km_responder *ide_km;/* optional, borrowed: IDE_KM on the
					 * same session (Protocol ID 00h) */
	const uint8_t *fixed_nonce;	/* tests */
};

struct hw_tdisp_dev;

struct hw_tdisp_dev *hw_tdisp_dev_new(struct hw_pcidev *dev, const struct hw_tdisp_dev_cfg *cfg);
void hw_tdisp_dev_free(struct hw_tdisp_dev *t);
/* TDISP_STATE_* of the TDI. */
int hw_tdisp_state(const struct hw_tdisp_dev *t);
/* The fabric or device model calls this for every configuration write the
 * function accepts (off/len as in hw_pcidev_cfg_write). Returns true if
 * it drove the TDI to ERROR. */
bool hw_tdisp_cfg_write_notify(struct hw_tdisp_dev *t, uint16_t off, unsigned int len);
/* struct spdm_responder_config.vendor_handler (vendor_ctx = the
 * hw_tdisp_dev): PCI-SIG vendor-defined requests, by Protocol ID, to
 * IDE_KM or TDISP. */
int hw_tdisp_vdm_handler(void *ctx, const struct spdm_vendor_msg *req, uint8_t *rsp, size_t cap);

#endif /* PCILAB_HW_SECURITY_TDISP_DEV_H */
