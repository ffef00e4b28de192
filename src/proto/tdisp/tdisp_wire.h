/* SPDX-License-Identifier: MIT */
/*
 * TDISP message formats, PCIe r6.2 §11.3 (TEE Device Interface Security
 * Protocol). On the wire each message follows the Protocol ID byte (01h)
 * of the PCI-SIG vendor-defined payload; all fields are little endian.
 */
#ifndef PCILAB_PROTO_TDISP_WIRE_H
#define PCILAB_PROTO_TDISP_WIRE_H

#include <stdint.h>

#define TDISP_VERSION_10		0x10

/* Request codes, §11.3 Table "TDISP Request Codes". */
#define TDISP_GET_VERSION		0x81
#define TDISP_GET_CAPABILITIES		0x82
#define TDISP_LOCK_INTERFACE_REQ	0x83
#define TDISP_GET_DEVICE_INTERFACE_REPORT 0x84
#define TDISP_GET_DEVICE_INTERFACE_STATE 0x85
#define TDISP_START_INTERFACE_REQ	0x86
#define TDISP_STOP_INTERFACE_REQ	0x87
#define TDISP_BIND_P2P_STREAM_REQ	0x88
#define TDISP_UNBIND_P2P_STREAM_REQ	0x89
#define TDISP_SET_MMIO_ATTRIBUTE_REQ	0x8A
#define TDISP_VDM_REQ			0x8B
/* Response codes, §11.3 Table "TDISP Response Codes". */
#define TDISP_VERSION			0x01
#define TDISP_CAPABILITIES		0x02
#define TDISP_LOCK_INTERFACE_RSP	0x03
#define TDISP_DEVICE_INTERFACE_REPORT	0x04
#define TDISP_DEVICE_INTERFACE_STATE	0x05
#define TDISP_START_INTERFACE_RSP	0x06
#define TDISP_STOP_INTERFACE_RSP	0x07
#define TDISP_ERROR			0x7F

/* TDISP_ERROR ERROR_CODE, §11.3.17. */
#define TDISP_ERR_INVALID_REQUEST	0x0001
#define TDISP_ERR_BUSY			0x0003
#define TDISP_ERR_INVALID_INTERFACE_STATE 0x0004
#define TDISP_ERR_UNSPECIFIED		0x0005
#define TDISP_ERR_UNSUPPORTED_REQUEST	0x0007
#define TDISP_ERR_VERSION_MISMATCH	0x0041
#define TDISP_ERR_VENDOR_SPECIFIC	0x00FF
#define TDISP_ERR_INVALID_INTERFACE	0x0101
#define TDISP_ERR_INVALID_NONCE		0x0102
#define TDISP_ERR_INSUFFICIENT_ENTROPY	0x0103
#define TDISP_ERR_INVALID_DEVICE_CONFIGURATION 0x0104

/* TDI states, §11.2 (DEVICE_INTERFACE_STATE TDI_STATE). */
#define TDISP_STATE_CONFIG_UNLOCKED	0
#define TDISP_STATE_CONFIG_LOCKED	1
#define TDISP_STATE_RUN			2
#define TDISP_STATE_ERROR		3

/* INTERFACE_ID FUNCTION_ID, §11.3.1: RID 15:0, Segment 23:16, bit 24
 * Segment valid; the remaining 8 bytes are reserved. */
#define TDISP_FUNC_ID(rid, seg, segv) \
	((uint32_t)(rid) | (uint32_t)(seg) << 16 | ((segv) ? 1u << 24 : 0))

/* LOCK_INTERFACE_REQUEST FLAGS, §11.3.7. */
#define TDISP_LOCK_NO_FW_UPDATE		0x0001
#define TDISP_LOCK_SYSTEM_CACHE_LINE_128 0x0002
#define TDISP_LOCK_MSIX			0x0004
#define TDISP_LOCK_BIND_P2P		0x0008
#define TDISP_LOCK_ALL_REQUEST_REDIRECT	0x0010

#define TDISP_NONCE_SIZE		32

struct tdisp_hdr {
	uint8_t version;
	uint8_t type;
	uint8_t rsvd[2];
	uint8_t function_id[4];
	uint8_t rsvd_id[8];
} __attribute__((packed));
_Static_assert(sizeof(struct tdisp_hdr) == 16, "TDISP header");

struct tdisp_caps_wire {		/* TDISP_CAPABILITIES body, §11.3.6 */
	uint8_t dsm_caps[4];
	uint8_t req_msgs_supported[16];
	uint8_t lock_flags_supported[2];
	uint8_t rsvd[3];
	uint8_t dev_addr_width;
	uint8_t num_req_this;
	uint8_t num_req_all;
} __attribute__((packed));
_Static_assert(sizeof(struct tdisp_caps_wire) == 28, "TDISP_CAPABILITIES");

struct tdisp_lock_wire {		/* LOCK_INTERFACE_REQUEST body, §11.3.7 */
	uint8_t flags[2];
	uint8_t default_stream_id;
	uint8_t rsvd;
	uint8_t mmio_reporting_offset[8];
	uint8_t bind_p2p_addr_mask[8];
} __attribute__((packed));
_Static_assert(sizeof(struct tdisp_lock_wire) == 20, "LOCK_INTERFACE_REQUEST");

struct tdisp_report_req_wire {		/* GET_DEVICE_INTERFACE_REPORT body, §11.3.9 */
	uint8_t offset[2];
	uint8_t length[2];
} __attribute__((packed));
_Static_assert(sizeof(struct tdisp_report_req_wire) == 4, "GET_DEVICE_INTERFACE_REPORT");

struct tdisp_report_rsp_wire {		/* DEVICE_INTERFACE_REPORT fixed body, §11.3.10 */
	uint8_t portion_length[2];
	uint8_t remainder_length[2];
} __attribute__((packed));
_Static_assert(sizeof(struct tdisp_report_rsp_wire) == 4, "DEVICE_INTERFACE_REPORT");

struct tdisp_error_wire {		/* TDISP_ERROR body, §11.3.17 */
	uint8_t error_code[4];
	uint8_t error_data[4];
} __attribute__((packed));
_Static_assert(sizeof(struct tdisp_error_wire) == 8, "TDISP_ERROR");

/* TDI report (the bytes DEVICE_INTERFACE_REPORT carries), §11.3.11. */
struct tdisp_report_hdr_wire {
	uint8_t interface_info[2];
	uint8_t rsvd[2];
	uint8_t msix_msg_control[2];
	uint8_t lnr_control[2];
	uint8_t tph_control[4];
	uint8_t mmio_range_count[4];
} __attribute__((packed));
_Static_assert(sizeof(struct tdisp_report_hdr_wire) == 16, "TDI report header");

struct tdisp_mmio_range_wire {
	uint8_t first_page[8];		/* 4 KiB page number, offset applied */
	uint8_t num_pages[4];
	uint8_t range_attributes[2];
	uint8_t range_id[2];
} __attribute__((packed));
_Static_assert(sizeof(struct tdisp_mmio_range_wire) == 16, "TDI MMIO range");

/* INTERFACE_INFO bits. */
#define TDISP_INFO_NO_FW_UPDATE		0x0001
#define TDISP_INFO_DMA_NO_PASID		0x0002
#define TDISP_INFO_DMA_PASID		0x0004
#define TDISP_INFO_ATS			0x0008
#define TDISP_INFO_PRS			0x0010
/* RANGE_ATTRIBUTES bits. */
#define TDISP_RANGE_MSIX_TABLE		0x0001
#define TDISP_RANGE_MSIX_PBA		0x0002
#define TDISP_RANGE_NON_TEE_MEM		0x0004
#define TDISP_RANGE_MEM_ATTR_UPDATABLE	0x0008

#endif /* PCILAB_PROTO_TDISP_WIRE_H */
