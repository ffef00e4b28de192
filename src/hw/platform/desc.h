/* SPDX-License-Identifier: MIT */
/*
 * hw/platform: the description of a machine, as read from a platform file
 * (docs/platform-format.md), built in (the default platform) or rebuilt
 * from an lspci dump. A description is plain data: hw_platform_create()
 * (hw/fabric) instantiates the hardware from it.
 *
 * Ownership: a struct hw_desc_platform owns everything reachable from it;
 * hw_desc_free() releases all of it.
 */
#ifndef PCILAB_HW_PLATFORM_DESC_H
#define PCILAB_HW_PLATFORM_DESC_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/list.h"
#include "hw/pcidev/pcidev.h"
#include "hw/pcidev/caps.h"

/* Where in the source file a node was described, for error messages. */
struct hw_desc_loc {
	const char *file;		/* points into hw_desc_platform.file */
	unsigned int line, col;		/* 1-based; 0 = unknown */
};

enum hw_desc_cap_kind {
	HW_DESC_CAP_PM,
	HW_DESC_CAP_MSI,
	HW_DESC_CAP_MSIX,
	HW_DESC_CAP_PCIE,
	HW_DESC_CAP_AER,
	HW_DESC_CAP_ACS,
	HW_DESC_CAP_ARI,
	HW_DESC_CAP_ATS,
	HW_DESC_CAP_PRI,
	HW_DESC_CAP_PASID,
	HW_DESC_CAP_SRIOV,
	HW_DESC_CAP_DOE,
	HW_DESC_CAP_DPC,
	HW_DESC_CAP_DSN,
	HW_DESC_CAP_DVSEC,
	HW_DESC_CAP_L1SS,
	HW_DESC_CAP_IDE,
	HW_DESC_CAP_NR,
};

struct hw_desc_cap {
	enum hw_desc_cap_kind kind;
	struct hw_desc_loc loc;
	union {
		struct hw_cap_pm_cfg pm;
		struct hw_cap_msi_cfg msi;
		struct hw_cap_msix_cfg msix;
		struct hw_cap_pcie_cfg pcie;
		struct hw_cap_aer_cfg aer;
		struct hw_cap_acs_cfg acs;
		struct hw_cap_ari_cfg ari;
		struct hw_cap_ats_cfg ats;
		struct hw_cap_pri_cfg pri;
		struct hw_cap_pasid_cfg pasid;
		struct hw_cap_sriov_cfg sriov;
		struct hw_cap_doe_cfg doe;
		struct hw_cap_dpc_cfg dpc;
		struct hw_cap_dsn_cfg dsn;
		struct hw_cap_dvsec_cfg dvsec;
		struct hw_cap_l1ss_cfg l1ss;
		struct hw_cap_ide_cfg ide;
	} u;
};

struct hw_desc_bar {
	enum hw_bar_kind kind;		/* HW_BAR_NONE: slot unused */
	bool prefetchable;
	uint64_t size;
	struct hw_desc_loc loc;
};

enum hw_desc_kind {
	HW_DESC_ENDPOINT,		/* type 0 function */
	HW_DESC_ROOT_PORT,		/* PCIe root port (type 1) */
	HW_DESC_SWITCH,			/* switch: this node is the upstream port,
					 * children are its downstream ports */
	HW_DESC_DOWNSTREAM_PORT,	/* switch downstream port (type 1) */
	HW_DESC_PCIE_PCI_BRIDGE,	/* PCIe-to-PCI bridge (type 1) */
	HW_DESC_PCI_BRIDGE,		/* conventional PCI-to-PCI bridge */
	HW_DESC_REPLAY,			/* raw config space from an lspci dump */
};

/*
 * Behaviour model of an endpoint (hw/devices/model.h maps the names used
 * in platform files). GENERIC (0, the default) is the plain endpoint with
 * passive BARs; DMA_TEST is the DMA test device (hw/devices/dmatest.h),
 * which owns BAR0 and defaults its IDs when the description leaves them 0.
 */
enum hw_desc_model {
	HW_DESC_MODEL_GENERIC = 0,
	HW_DESC_MODEL_DMA_TEST,
	HW_DESC_MODEL_NR,
};

/*
 * DMA remapping hardware of a platform (the ACPI DMAR table's DRHD units).
 * DEFAULT (0): one Intel VT-d unit per PCI segment, covering every device
 * of its segment; NONE: no IOMMU, DMA reaches RAM untranslated.
 */
enum hw_desc_iommu {
	HW_DESC_IOMMU_DEFAULT = 0,
	HW_DESC_IOMMU_NONE,
	HW_DESC_IOMMU_VTD,		/* same as DEFAULT, said explicitly */
};

/*
 * Device security firmware of a function with a DOE mailbox (the `spdm:`
 * key, docs/platform-format.md; run by hw/security). NULL in the function:
 * the built-in responder with generated certificates.
 */
struct hw_desc_spdm {
	struct hw_desc_loc loc;
	char *external;			/* "HOST:PORT" of an external responder
					 * (SPDM socket); NULL: built in */
	char *cert_chain, *key;		/* PEM files, paths resolved against the
					 * platform file; NULL: generated */
	uint8_t versions[4];		/* SPDMVersion bytes; nversions 0: 1.2, 1.3 */
	unsigned int nversions;
	uint32_t asym, hash;		/* SPDM_ASYM_* / SPDM_HASH_* masks; 0: default */
	bool heartbeat_set;		/* false: the firmware's default period */
	uint8_t heartbeat_period;	/* seconds; 0: heartbeat not used */
};

/* One PCI function and, for bridges, what sits behind it. */
struct hw_desc_func {
	struct list_head node;		/* in parent's children or host bridge's devices */
	enum hw_desc_kind kind;
	struct hw_desc_loc loc;
	char *name;			/* optional label, may be NULL */

	uint8_t dev, fn;		/* device 0..31 and function 0..7 (ARI: dev 0, fn 0..255) */
	uint16_t vendor, device;
	uint16_t subsys_vendor, subsys_device;
	uint32_t class_code;		/* 24 bits: base, sub, prog-if */
	uint8_t revision;
	uint8_t intx_pin;		/* 0 none, 1..4 INTA..INTD */
	bool multifunction;		/* header type bit 7 (set automatically
					 * when a sibling function exists) */

	struct hw_desc_bar bars[HW_PCI_NUM_BARS + 1];	/* [6] = expansion ROM */
	struct hw_desc_cap *caps;	/* in config-space order */
	unsigned int nr_caps;

	/* Bridges: functions on the secondary bus. Switches: downstream ports. */
	struct list_head children;

	/* HW_DESC_REPLAY: the whole config space as dumped, and the BAR sizes
	 * (0 = unknown) */
	uint8_t *raw_cfg;		/* HW_PCI_CFG_SIZE bytes */
	unsigned int raw_len;		/* valid bytes (64, 256 or 4096) */

	/* HW_DESC_ENDPOINT: behaviour model (0: generic endpoint). */
	enum hw_desc_model model;

	/* Security firmware options (needs a DOE capability); NULL: default. */
	struct hw_desc_spdm *spdm;
};

struct hw_desc_range {
	uint64_t base, size;		/* size 0: none */
};

struct hw_desc_host_bridge {
	struct list_head node;		/* in hw_desc_platform.host_bridges */
	struct hw_desc_loc loc;
	uint16_t segment;
	uint8_t bus_start, bus_end;
	struct hw_desc_range mmio;	/* 32-bit non-prefetchable window */
	struct hw_desc_range mmio_pref;	/* 64-bit prefetchable window */
	struct hw_desc_range io;
	struct list_head devices;	/* struct hw_desc_func on the root bus */
};

struct hw_desc_platform {
	char *name;
	char *file;			/* source file name, or "<built-in>" */
	uint64_t ram_size;		/* bytes of system RAM at address 0;
					 * 0: 1 GiB; a multiple of 4 KiB */
	struct list_head host_bridges;	/* struct hw_desc_host_bridge */
	/* DMA remapping units (0: one VT-d unit per segment). */
	enum hw_desc_iommu iommu;
	/* Register window of the first unit, further units follow at 4 KiB
	 * steps; 0: 0xfed90000 (docs/dma.md), or just above RAM and every
	 * host bridge aperture when those cover that address. */
	uint64_t iommu_base;
};

/*
 * Parse a platform file. On error returns an ERR_PTR and, if err is not
 * NULL, writes one line "FILE:LINE:COL: reason" into it.
 * -EINVAL: the file is not a valid platform; -ENOENT/-EACCES: cannot read it.
 */
struct hw_desc_platform *hw_desc_parse_file(const char *path, char *err, size_t errlen);
struct hw_desc_platform *hw_desc_parse_string(const char *name, const char *text,
					      size_t len, char *err, size_t errlen);
/*
 * Rebuild a machine from a real machine's `lspci -xxxx` dump (-D and -vvv
 * optional; docs/lspci.md): every function becomes a HW_DESC_REPLAY node,
 * arranged by the bridges' bus numbers, one host bridge per root bus with
 * apertures covering the dumped BARs and windows. Errors as for
 * hw_desc_parse_file(), the message being "FILE:LINE: reason".
 * (src/hw/platform/dump.c)
 */
struct hw_desc_platform *hw_desc_parse_lspci_dump(const char *path, char *err, size_t errlen);
/* The built-in default platform (platforms/default.yaml compiled in). */
struct hw_desc_platform *hw_desc_default(char *err, size_t errlen);
extern const char hw_desc_default_yaml[];
void hw_desc_free(struct hw_desc_platform *p);

#endif /* PCILAB_HW_PLATFORM_DESC_H */
