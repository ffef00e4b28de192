/* SPDX-License-Identifier: MIT */
/*
 * PCI-SIG protocols carried in SPDM VENDOR_DEFINED_REQUEST/RESPONSE inside
 * a secured session (PCIe r6.2 §6.31.4: StandardID PCI-SIG, VendorID
 * 0001h). The first payload byte is the Protocol ID.
 */
#ifndef PCILAB_PROTO_PCISIG_VDM_H
#define PCILAB_PROTO_PCISIG_VDM_H

#include <stddef.h>
#include <stdint.h>

#define PCISIG_VDM_PROTO_IDE_KM		0x00	/* PCIe r6.2 §6.33.3 */
#define PCISIG_VDM_PROTO_TDISP		0x01	/* PCIe r6.2 §11.3 */

#define PCISIG_VDM_MAX			1024	/* our cap on one payload */

/*
 * How a requester sends one vendor-defined payload (Protocol ID first) in
 * its secure session and collects the answer: 0 or -errno. For SPDM this
 * is spdm_req_pcisig_vdm() with the struct spdm_requester as ctx.
 */
struct pcisig_vdm_transport {
	int (*xfer)(void *ctx, const void *q, size_t qn, void *rsp, size_t cap, size_t *rn);
	void *ctx;
};

#endif /* PCILAB_PROTO_PCISIG_VDM_H */
