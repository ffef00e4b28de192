/* SPDX-License-Identifier: MIT */
/*
 * The "SPDM socket" platform protocol of DMTF spdm-emu (spdm_emu_common,
 * command.h/command.c), which QEMU's spdm-socket backend also speaks: over
 * one TCP connection each side sends frames of
 *
 *     Command (u32, big endian) | TransportType (u32, BE) |
 *     PayloadSize (u32, BE, bytes after this field) | Payload
 *
 * With TransportType PCI_DOE the payload of a NORMAL frame is one whole
 * DOE data object (PCIe r6.2 §6.30.1): the two header DWORDs and the data
 * DWORDs, each DWORD little endian, so an SPDM message travels padded to a
 * DWORD exactly as in the mailbox (§6.31.3). spdm-emu replies to every
 * frame with a frame of the same Command; an unknown one gets UNKNOWN.
 */
#ifndef PCILAB_PROTO_SPDM_SOCKET_WIRE_H
#define PCILAB_PROTO_SPDM_SOCKET_WIRE_H

#include <stdint.h>

#define SPDM_SOCKET_DEFAULT_PORT	2323

#define SPDM_SOCKET_CMD_NORMAL		0x0001u
#define SPDM_SOCKET_CMD_SHUTDOWN	0xFFFEu	/* spdm-emu: "STOP"/"SHUTDOWN" */
#define SPDM_SOCKET_CMD_UNKNOWN		0xFFFFu
#define SPDM_SOCKET_CMD_TEST		0xDEADu

#define SPDM_SOCKET_TRANSPORT_NONE	0x00u
#define SPDM_SOCKET_TRANSPORT_MCTP	0x01u
#define SPDM_SOCKET_TRANSPORT_PCI_DOE	0x02u

/* All three fields big endian (network order). */
struct spdm_socket_hdr {
	uint32_t command;
	uint32_t transport;
	uint32_t size;
};
_Static_assert(sizeof(struct spdm_socket_hdr) == 12, "spdm socket header");

/* DOE data object header (PCIe r6.2 §6.30.1), as little-endian DWORDs:
 * DW0 Vendor ID 15:0, Data Object Type 23:16; DW1 Length 17:0 in DWORDs
 * (header included, 0 meaning 2^18). */
#define SPDM_SOCKET_DOE_HDR_BYTES	8

#endif /* PCILAB_PROTO_SPDM_SOCKET_WIRE_H */
