/* SPDX-License-Identifier: MIT */
/*
 * IDE on the link (PCIe r6.2 §6.33): TLPs between the root complex and a
 * function that has a Selective IDE stream travel encrypted and
 * authenticated. The fabric (fabric.c for memory requests to the
 * function's BARs, dma.c for its DMA) hands each TLP to
 * hw_ide_link_cross(): the transmitter's engine seals it, the link trace
 * sees it as it would be on the wire (prefix, header, ciphertext, MAC),
 * the fault injector may damage it, and the receiver's engine checks and
 * opens it. A TLP that fails the check is discarded and the receiving end
 * of the stream goes Insecure (§6.33.6), with AER IDE Check Failed.
 *
 * Model simplification (docs/ide-tdisp.md, "IDE on the link"): the host
 * end of the stream is a root-port engine whose keys are mirrored from
 * the device engine's key slots (what IDE_KM programmed), rather than
 * programmed by the TSM through a platform interface.
 */
#ifndef PCILAB_HW_SECURITY_IDE_LINK_H
#define PCILAB_HW_SECURITY_IDE_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/security/ide_engine.h"

struct hw_platform;
struct hw_pcidev;

/* Sees every IDE TLP crossing a link of the platform, as transmitted:
 * downstream = root complex to function. */
typedef void (*hw_ide_link_trace_fn)(void *arg, struct hw_pcidev *dev, bool downstream,
				     const struct hw_ide_tlp *tlp);
/* fn NULL removes the hook. -ENOMEM. */
int hw_ide_link_set_trace(struct hw_platform *p, hw_ide_link_trace_fn fn, void *arg);

/*
 * Test-only fault injection on the link: the next IDE TLP crossing in the
 * given direction is damaged after the trace has seen it.
 * FLIP: byte `at` of prefix || header || payload || MAC is inverted
 * (clamped to the TLP's length). REPLAY: the TLP is replaced by the
 * previous TLP sent in that direction on the same Sub-stream (armed until
 * one with the same payload length comes). -ENOMEM, -EINVAL.
 */
enum hw_ide_link_fault {
	HW_IDE_LINK_FAULT_NONE,
	HW_IDE_LINK_FAULT_FLIP,
	HW_IDE_LINK_FAULT_REPLAY,
};
int hw_ide_link_inject(struct hw_platform *p, enum hw_ide_link_fault f, bool downstream,
		       size_t at);

/* The host end's stream state (PCI_IDE_STATE_*) and hw_ide_err of the
 * last failure (0 none) for dev's stream; -ENOENT when none. */
int hw_ide_link_host_state(struct hw_platform *p, struct hw_pcidev *dev, int *err);

/* ---- for hw/fabric ---- */

/* Stream ID dev's traffic uses (hw_ide_engine_link_stream), or -ENOENT:
 * no IDE, traffic in the clear. */
int hw_ide_link_stream(struct hw_pcidev *dev);
/*
 * Carry one TLP of Sub-stream sub (IDE_KM_SUB_*) across dev's link on
 * stream sid. data (len bytes, may be 0) is plaintext in and, when 0 is
 * returned, the plaintext the receiver accepted out. Otherwise the TLP
 * was discarded: -ENOTCONN (an end is not Secure), -EBADMSG (integrity
 * failure, the receiver is now Insecure), -ENOMEM.
 */
int hw_ide_link_cross(struct hw_pcidev *dev, uint8_t sid, bool downstream, unsigned int sub,
		      const uint8_t *hdr, size_t hdr_len, uint8_t *data, size_t len);
/*
 * A memory read or write the fabric routed to dev (not a bridge), on
 * stream sid: false when no memory BAR of dev decodes it; true when
 * claimed, whether delivered or discarded (a discarded read completes
 * all-ones, a discarded write is lost).
 */
bool hw_ide_link_mmio(struct hw_pcidev *dev, uint8_t sid, uint64_t addr, void *buf,
		      unsigned int len, bool write);

/*
 * DMA from dev on stream sid, one TLP each (len <= HW_IDE_LINK_MPS):
 * dma_req carries a memory request upstream (a write with its data in
 * place, a read as a header only); dma_cpl carries a read's completion
 * data downstream. 0 when delivered, else as hw_ide_link_cross().
 */
#define HW_IDE_LINK_MPS		256	/* model Max_Payload_Size, §7.5.3.4 */
int hw_ide_link_dma_req(struct hw_pcidev *dev, uint8_t sid, bool write, uint64_t addr,
			uint8_t *data, size_t len);
int hw_ide_link_dma_cpl(struct hw_pcidev *dev, uint8_t sid, uint8_t *data, size_t len);

/* Platform teardown (hw_platform_destroy). */
void hw_ide_link_free(struct hw_platform *p);

#endif /* PCILAB_HW_SECURITY_IDE_LINK_H */
