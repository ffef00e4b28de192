/* SPDX-License-Identifier: MIT */
/*
 * hw/pcidev capability builders. Each builder lays out one capability with
 * the register layout and access semantics of the PCIe Base Specification
 * (r6.2 section cited per builder) and returns its config-space offset or a
 * negative errno (-EINVAL for a configuration the spec does not allow,
 * -ENOSPC when config space is full, -ENOMEM).
 *
 * The configuration structs are what platform files describe (see
 * docs/platform-format.md); a zeroed struct means "spec defaults".
 */
#ifndef PCILAB_HW_PCIDEV_CAPS_H
#define PCILAB_HW_PCIDEV_CAPS_H

#include <stdint.h>
#include <stdbool.h>

#include "hw/pcidev/pcidev.h"

struct hw_pcidev;

/* Power Management, PCI PM r1.2 §3.2 / PCIe r6.2 §7.5.2. */
struct hw_cap_pm_cfg {
	uint8_t version;		/* 1..3; 0 means 3 */
	bool d1, d2;
	uint8_t pme_support;		/* bits D0,D1,D2,D3hot,D3cold (PMC[15:11]) */
	bool no_soft_reset;		/* PMCSR bit 3 */
	uint16_t aux_current_ma;	/* encoded into PMC[8:6] */
};
int hw_cap_add_pm(struct hw_pcidev *dev, const struct hw_cap_pm_cfg *cfg);

/* MSI, PCIe r6.2 §7.7.1. */
struct hw_cap_msi_cfg {
	uint8_t vectors;		/* 1, 2, 4, 8, 16 or 32 (Multiple Message Capable) */
	bool addr64;
	bool per_vector_mask;
	bool ext_msg_data;		/* Extended Message Data Capable */
};
int hw_cap_add_msi(struct hw_pcidev *dev, const struct hw_cap_msi_cfg *cfg);

/* MSI-X, PCIe r6.2 §7.7.2; table and PBA live in BARs as MMIO regions. */
struct hw_cap_msix_cfg {
	uint16_t table_size;		/* 1..2048 entries */
	uint8_t table_bar;		/* BAR index (BIR) */
	uint32_t table_offset;		/* QWORD... must be 8-byte aligned */
	uint8_t pba_bar;
	uint32_t pba_offset;		/* 8-byte aligned */
};
int hw_cap_add_msix(struct hw_pcidev *dev, const struct hw_cap_msix_cfg *cfg);
/* Device-model side: a table entry as the function would use it to signal
 * (masked folds in Function Mask), and the PBA bit of a vector. -ENOENT
 * without MSI-X, -EINVAL for a vector beyond the table. */
struct hw_msix_msg {
	uint64_t addr;
	uint32_t data;
	bool masked;
	bool enabled;			/* MSI-X Enable */
};
int hw_cap_msix_entry(const struct hw_pcidev *dev, unsigned int vec,
		      struct hw_msix_msg *msg);
int hw_cap_msix_set_pending(struct hw_pcidev *dev, unsigned int vec, bool pending);

/* PCI Express Capability (version 2), PCIe r6.2 §7.5.3. */
enum hw_pcie_port_type {		/* Device/Port Type, §7.5.3.2 */
	HW_PCIE_ENDPOINT = PCI_EXP_TYPE_ENDPOINT,
	HW_PCIE_LEGACY_ENDPOINT = PCI_EXP_TYPE_LEG_END,
	HW_PCIE_ROOT_PORT = PCI_EXP_TYPE_ROOT_PORT,
	HW_PCIE_UPSTREAM = PCI_EXP_TYPE_UPSTREAM,
	HW_PCIE_DOWNSTREAM = PCI_EXP_TYPE_DOWNSTREAM,
	HW_PCIE_PCIE_TO_PCI = PCI_EXP_TYPE_PCI_BRIDGE,
	HW_PCIE_PCI_TO_PCIE = PCI_EXP_TYPE_PCIE_BRIDGE,
	HW_PCIE_RC_INTEGRATED = PCI_EXP_TYPE_RC_END,
	HW_PCIE_RC_EC = PCI_EXP_TYPE_RC_EC,
};
struct hw_cap_pcie_cfg {
	enum hw_pcie_port_type type;
	uint16_t max_payload;		/* 128..4096 bytes; 0 = 256 */
	bool flr;			/* Function Level Reset capable (endpoints) */
	bool extended_tag;
	uint8_t l0s_latency, l1_latency;/* acceptable latencies, encoded 0..7 */
	/* Link (not for RC integrated endpoints / event collectors) */
	uint8_t link_speed;		/* max: 1=2.5 2=5 3=8 4=16 5=32 6=64 GT/s; 0 = 3 */
	uint8_t link_width;		/* max: 1,2,4,8,12,16,32; 0 = 1 */
	uint8_t cur_link_speed;		/* negotiated; 0 = max */
	uint8_t cur_link_width;		/* negotiated; 0 = max */
	uint8_t aspm;			/* ASPM support bits: 1=L0s 2=L1 */
	uint8_t port_number;
	bool dll_link_active_reporting;	/* downstream ports: LLActRep */
	/* Slot (root and downstream ports) */
	bool slot;			/* Slot Implemented */
	uint16_t slot_number;		/* physical slot number */
	bool hotplug;			/* Hot-Plug Capable + Surprise etc. */
	uint16_t power_limit_mw;	/* slot power limit, 0 = none */
	bool presence;			/* a device is present in the slot */
	/* Device Capabilities 2 */
	bool ari_forwarding;		/* downstream ports */
	bool completion_timeout_disable;
	bool ltr;
	uint8_t obff;
	bool atomic_ops;		/* AtomicOp routing / completer 32/64 */
	bool ten_bit_tag;
	uint8_t crs_visibility;		/* root ports: CRS Software Visibility */
};
int hw_cap_add_pcie(struct hw_pcidev *dev, const struct hw_cap_pcie_cfg *cfg);

/* Advanced Error Reporting, PCIe r6.2 §7.8.4. Root ports get the Root Error
 * Command/Status registers and Error Source Identification. */
struct hw_cap_aer_cfg {
	bool ecrc;			/* ECRC generation and check capable */
	bool multiple_header;		/* Multiple Header Recording Capable */
	bool tlp_prefix_log;		/* TLP Prefix Log present */
	bool root;			/* set by the builder for root ports */
};
int hw_cap_add_aer(struct hw_pcidev *dev, const struct hw_cap_aer_cfg *cfg);

/* Access Control Services, PCIe r6.2 §7.7.8. */
struct hw_cap_acs_cfg {
	uint16_t caps;			/* PCI_ACS_SV|TB|RR|CR|UF|EC|DT (bits 6:0) */
	uint8_t egress_bits;		/* Egress Control Vector Size, 0 = none */
};
int hw_cap_add_acs(struct hw_pcidev *dev, const struct hw_cap_acs_cfg *cfg);

/* Alternative Routing-ID Interpretation, PCIe r6.2 §7.8.7. */
struct hw_cap_ari_cfg {
	uint8_t next_function;		/* next function number in the device */
	bool mfvc, acs_groups;
};
int hw_cap_add_ari(struct hw_pcidev *dev, const struct hw_cap_ari_cfg *cfg);

/* Address Translation Services, PCIe r6.2 §10.5.1. */
struct hw_cap_ats_cfg {
	uint8_t invq_depth;		/* 0 means 32 */
	bool page_aligned_request;
	bool global_invalidate;
	bool relaxed_ordering;
};
int hw_cap_add_ats(struct hw_pcidev *dev, const struct hw_cap_ats_cfg *cfg);

/* Page Request Interface, PCIe r6.2 §10.5.2. */
struct hw_cap_pri_cfg {
	uint32_t outstanding_capacity;	/* Outstanding Page Request Capacity */
	bool prg_response_pasid;	/* PRG Response PASID Required */
};
int hw_cap_add_pri(struct hw_pcidev *dev, const struct hw_cap_pri_cfg *cfg);

/* PASID, PCIe r6.2 §7.8.8. */
struct hw_cap_pasid_cfg {
	uint8_t width;			/* Max PASID Width, 1..20 */
	bool exec, priv;
};
int hw_cap_add_pasid(struct hw_pcidev *dev, const struct hw_cap_pasid_cfg *cfg);

/* Single Root I/O Virtualization, PCIe r6.2 §9.3.3. */
struct hw_cap_sriov_vf_bar {
	enum hw_bar_kind kind;		/* HW_BAR_NONE, MEM32 or MEM64 */
	bool prefetchable;
	uint64_t size;			/* per VF */
};
struct hw_cap_sriov_cfg {
	uint16_t total_vfs, initial_vfs;/* initial 0 = total */
	uint16_t vf_offset, vf_stride;	/* routing ID offset/stride; 0 = 1 */
	uint16_t vf_device;		/* VF Device ID */
	uint32_t supported_page_sizes;	/* 0 = 4K|8K|64K|256K|1M|4M */
	uint8_t func_dep_link;
	struct hw_cap_sriov_vf_bar vf_bars[6];
};
int hw_cap_add_sriov(struct hw_pcidev *dev, const struct hw_cap_sriov_cfg *cfg);

/* Data Object Exchange, PCIe r6.2 §7.9.24 (registers only in this layer;
 * mailbox behaviour is attached by hw/security). */
struct hw_cap_doe_cfg {
	bool interrupt;
	uint16_t interrupt_msg;
};
int hw_cap_add_doe(struct hw_pcidev *dev, const struct hw_cap_doe_cfg *cfg);

/* Downstream Port Containment, PCIe r6.2 §7.9.14 (root/downstream ports). */
struct hw_cap_dpc_cfg {
	bool rp_extensions;		/* RP Extensions for DPC (root ports) */
	bool poisoned_tlp_egress_blocking;
	bool sw_trigger;
	uint8_t rp_pio_log_size;	/* DWORDs, 0..9 when rp_extensions */
	bool dl_active_err_cor;
};
int hw_cap_add_dpc(struct hw_pcidev *dev, const struct hw_cap_dpc_cfg *cfg);

/* Device Serial Number, PCIe r6.2 §7.9.3. */
struct hw_cap_dsn_cfg {
	uint64_t serial;
};
int hw_cap_add_dsn(struct hw_pcidev *dev, const struct hw_cap_dsn_cfg *cfg);

/* Designated Vendor-Specific Extended Capability, PCIe r6.2 §7.9.6. */
struct hw_cap_dvsec_cfg {
	uint16_t vendor;		/* DVSEC Vendor ID */
	uint16_t id;			/* DVSEC ID */
	uint8_t revision;		/* DVSEC Revision (4 bits) */
	uint16_t length;		/* total bytes incl. the 10-byte header; 0 = 12 */
};
int hw_cap_add_dvsec(struct hw_pcidev *dev, const struct hw_cap_dvsec_cfg *cfg);

/* L1 PM Substates, PCIe r6.2 §7.8.3. */
struct hw_cap_l1ss_cfg {
	bool pcipm_l12, pcipm_l11, aspm_l12, aspm_l11;
	uint8_t common_mode_restore;	/* Port Common_Mode_Restore_Time, us */
	uint8_t t_power_on_scale;	/* 0=2us 1=10us 2=100us */
	uint8_t t_power_on_value;	/* 0..31 */
};
int hw_cap_add_l1ss(struct hw_pcidev *dev, const struct hw_cap_l1ss_cfg *cfg);

/* Integrity and Data Encryption, PCIe r6.2 §7.9.26 (cap_ide.c). Only
 * AES-GCM 256 with a 96-bit MAC is advertised; Partial Header Encryption
 * is not supported. -EINVAL: no stream kind, link_tcs outside 1..8,
 * more than 256 Selective streams or 15 address association blocks. */
struct hw_cap_ide_cfg {
	bool link;			/* Link IDE Stream Supported */
	uint8_t link_tcs;		/* Link IDE register blocks (TCs), 1..8 */
	uint16_t sel_streams;		/* Selective IDE Stream register blocks, 0..256 */
	uint8_t addr_assoc;		/* Address Association blocks per Selective stream */
	bool ide_km;			/* IDE_KM Protocol Supported */
	bool flowthrough, aggregation, pcrc, sel_cfg, tee_limited;
};
int hw_cap_add_ide(struct hw_pcidev *dev, const struct hw_cap_ide_cfg *cfg);
/* Config offset of the idx-th Link (selective=false) or Selective IDE
 * Stream register block, or -ENOENT. */
int hw_cap_ide_stream_block(const struct hw_pcidev *dev, bool selective, unsigned int idx);
/* The IDE engine's hook: called after any write to a Stream Control
 * register. NULL unregisters. -ENOENT without the capability, -EBUSY if
 * another is registered. */
int hw_cap_ide_set_notify(struct hw_pcidev *dev, void (*notify)(void *ctx), void *ctx);

#endif /* PCILAB_HW_PCIDEV_CAPS_H */
