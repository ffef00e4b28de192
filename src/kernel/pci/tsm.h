/* SPDX-License-Identifier: MIT */
/*
 * TSM: the kernel side of IDE (PCIe r6.2 §6.33) and TDISP (§11) for one
 * function, in the role Linux gives drivers/pci/tsm.c and drivers/pci/ide.c.
 *
 * Over the function's CMA-SPDM connection (cma.h, authenticated against a
 * trust store) the TSM:
 *
 *   1. opens a secure session (KEY_EXCHANGE/FINISH, DSP0274 §10.14-10.15);
 *   2. IDE_KM QUERY (§6.33.3), cross-checked against the IDE capability read
 *      from config space;
 *   3. KEY_PROG of the six keys (Rx/Tx x PR/NPR/CPL, key set 0; fresh random
 *      keys, wiped after use), then K_SET_GO for each;
 *   4. programs Selective IDE Stream block 0 (RID association, Stream ID,
 *      Enable) in config space and checks Stream Status reads Secure
 *      (§7.9.26.5.3);
 *   5. TDISP GET_VERSION, GET_CAPABILITIES, LOCK_INTERFACE,
 *      GET_DEVICE_INTERFACE_REPORT, START_INTERFACE, reading the TDI state
 *      after each transition (§11.3).
 *
 * The IDE stream is enabled before LOCK: the IDE capability is one of the
 * registers a locked TDI protects (§11.2.3).
 */
#ifndef PCILAB_KERNEL_PCI_TSM_H
#define PCILAB_KERNEL_PCI_TSM_H

#include <stdbool.h>
#include <stdint.h>
#include <openssl/x509.h>

#include "kernel/pci/cma.h"
#include "proto/tdisp/tdisp.h"

struct pci_dev;

#define PCI_TSM_NR_KEYS		6	/* 2 directions x 3 sub-streams */
#define PCI_TSM_MAX_STATES	8
#define PCI_TSM_MAX_RANGES	8

struct pci_tsm_result {
	int err;			/* 0 or the failing step's -errno */
	const char *step;		/* the failing step, or NULL */
	char reason[256];
	uint8_t spdm_error;		/* ErrorCode of an SPDM ERROR, else 0 */
	uint32_t tdisp_error;		/* ERROR_CODE of a TDISP_ERROR, else 0 */
	uint8_t kp_status;		/* KP_ACK Status of a failed KEY_PROG */
	struct pci_cma_result cma;	/* the authentication */
	bool session;			/* secure session established */
	uint32_t session_id;
	/* IDE */
	uint16_t ide_cap;		/* IDE capability offset, 0: none */
	uint32_t ide_cap_reg;		/* IDE Capability register */
	uint16_t sel_block;		/* Selective block 0 offset */
	uint8_t stream_id;
	unsigned int keys_programmed;	/* KP_ACK Success */
	unsigned int keys_started;	/* K_GOSTOP_ACK for K_SET_GO */
	uint8_t key_ks[PCI_TSM_NR_KEYS];/* IDE_KM KeySet/Dir/Sub-stream bytes */
	uint8_t stream_state;		/* Stream Status State after Enable */
	/* TDISP */
	uint32_t function_id;
	uint8_t tdisp_version;
	struct tdisp_caps tdisp_caps;
	unsigned int nr_states;		/* TDI states seen, in order */
	uint8_t states[PCI_TSM_MAX_STATES];
	size_t report_len;
	uint16_t interface_info;
	uint32_t nr_ranges;
	struct tdisp_mmio_range ranges[PCI_TSM_MAX_RANGES];
};

struct pci_tsm;

/*
 * The whole flow above on dev's CMA-SPDM mailbox with stream_id. On
 * success *out owns the connection (session open, stream Secure, TDI RUN);
 * on failure *out is NULL and everything is torn down. res is filled in
 * either way. -ENODEV (no CMA mailbox or no IDE capability), -EOPNOTSUPP
 * (IDE without IDE_KM or Selective streams), -EPROTO (QUERY disagrees with
 * config space, report malformed, unexpected TDI state), -EIO (stream not
 * Secure after Enable), -EREMOTEIO (SPDM ERROR, KP_ACK failure or
 * TDISP_ERROR: see res), or the CMA/SPDM errno.
 */
int pci_tsm_connect(struct pci_dev *dev, X509_STORE *trust, uint8_t stream_id,
		    struct pci_tsm_result *res, struct pci_tsm **out);
/* GET_DEVICE_INTERFACE_STATE: TDISP_STATE_* in *state. */
int pci_tsm_tdi_state(struct pci_tsm *t, uint8_t *state);

struct pci_tsm_stop_result {
	uint8_t tdi_state;		/* after STOP_INTERFACE */
	unsigned int keys_stopped;	/* K_SET_STOP acknowledged */
	uint8_t stream_state;		/* Stream Status after Enable cleared */
};

/*
 * Tear down: STOP_INTERFACE (TDI back to CONFIG_UNLOCKED), K_SET_STOP of
 * the six keys, clear the stream's Enable, END_SESSION; then free t.
 * Returns the first error but always finishes the teardown. t NULL: 0.
 */
int pci_tsm_stop(struct pci_tsm *t, struct pci_tsm_stop_result *sr);

const char *pci_tsm_tdi_state_str(uint8_t state);

#endif /* PCILAB_KERNEL_PCI_TSM_H */
