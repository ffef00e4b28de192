/* SPDX-License-Identifier: MIT */
/*
 * IDE_KM message formats, PCIe r6.2 §6.33.3. Every object starts with
 * the Protocol ID (00h) and the Object ID; multi-byte fields are little
 * endian. Key and IFV are carried as the byte strings they are on the
 * wire (8 and 2 DWORDs).
 */
#ifndef PCILAB_PROTO_IDE_KM_WIRE_H
#define PCILAB_PROTO_IDE_KM_WIRE_H

#include <stdint.h>

#include "base/compiler.h"

/* Object IDs, §6.33.3 Table "IDE_KM Object IDs". */
#define IDE_KM_QUERY			0x00
#define IDE_KM_QUERY_RESP		0x01
#define IDE_KM_KEY_PROG			0x02
#define IDE_KM_KP_ACK			0x03
#define IDE_KM_K_SET_GO			0x04
#define IDE_KM_K_SET_STOP		0x05
#define IDE_KM_K_GOSTOP_ACK		0x06

/* Key Set / direction / Sub-stream byte of KEY_PROG, KP_ACK, K_SET_*. */
#define IDE_KM_KS_KEYSET		0x01	/* bit 0: Key Set K0/K1 */
#define IDE_KM_KS_TX			0x02	/* bit 1: 0 = Rx, 1 = Tx */
#define IDE_KM_KS_SUB_MASK		0x70	/* bits 6:4: Sub-stream */
#define IDE_KM_KS_SUB_SHIFT		4
#define IDE_KM_KS_RSVD			0x8c	/* bits 7, 3:2 reserved */

#define IDE_KM_SUB_PR			0	/* Posted Requests */
#define IDE_KM_SUB_NPR			1	/* Non-Posted Requests */
#define IDE_KM_SUB_CPL			2	/* Completions */
#define IDE_KM_NSUB			3

#define IDE_KM_KEY_SIZE			32	/* AES-256 */
#define IDE_KM_IFV_SIZE			8	/* Initial invocation field */

/* KP_ACK Status, §6.33.3. */
#define IDE_KM_KP_SUCCESS		0x00
#define IDE_KM_KP_BAD_LENGTH		0x01	/* Incorrect Length */
#define IDE_KM_KP_BAD_PORT		0x02	/* Unsupported Port Index value */
#define IDE_KM_KP_BAD_VALUE		0x03	/* Unsupported value in other fields */
#define IDE_KM_KP_FAILURE		0x04	/* Unspecified Failure */
#define IDE_KM_KP_INVALID_KEY		0x05	/* later revisions; not produced */
#define IDE_KM_KP_INVALID_IV		0x06	/* later revisions; not produced */

struct ide_km_hdr {
	uint8_t protocol_id;
	uint8_t object_id;
} __attribute__((packed));
_Static_assert(sizeof(struct ide_km_hdr) == 2, "IDE_KM header");

struct ide_km_query_wire {
	struct ide_km_hdr hdr;
	uint8_t rsvd;
	uint8_t port_index;
} __attribute__((packed));
_Static_assert(sizeof(struct ide_km_query_wire) == 4, "QUERY");

/* QUERY_RESP fixed part; the IDE capability registers from IDE
 * Capability (04h) on follow as DWORDs. */
struct ide_km_query_resp_wire {
	struct ide_km_hdr hdr;
	uint8_t rsvd;
	uint8_t port_index;
	uint8_t dev_func;
	uint8_t bus;
	uint8_t segment;
	uint8_t max_port_index;
} __attribute__((packed));
_Static_assert(sizeof(struct ide_km_query_resp_wire) == 8, "QUERY_RESP");

struct ide_km_key_prog_wire {
	struct ide_km_hdr hdr;
	uint8_t rsvd[2];
	uint8_t stream_id;
	uint8_t rsvd2;
	uint8_t key_sub_stream;
	uint8_t port_index;
	uint8_t key[IDE_KM_KEY_SIZE];
	uint8_t ifv[IDE_KM_IFV_SIZE];
} __attribute__((packed));
_Static_assert(sizeof(struct ide_km_key_prog_wire) == 48, "KEY_PROG");

/* KP_ACK carries Status where KEY_PROG has a reserved byte. */
struct ide_km_kp_ack_wire {
	struct ide_km_hdr hdr;
	uint8_t rsvd[2];
	uint8_t stream_id;
	uint8_t status;
	uint8_t key_sub_stream;
	uint8_t port_index;
} __attribute__((packed));
_Static_assert(sizeof(struct ide_km_kp_ack_wire) == 8, "KP_ACK");

/* K_SET_GO, K_SET_STOP and K_GOSTOP_ACK. */
struct ide_km_k_set_wire {
	struct ide_km_hdr hdr;
	uint8_t rsvd[2];
	uint8_t stream_id;
	uint8_t rsvd2;
	uint8_t key_sub_stream;
	uint8_t port_index;
} __attribute__((packed));
_Static_assert(sizeof(struct ide_km_k_set_wire) == 8, "K_SET_GO/STOP/GOSTOP_ACK");

#endif /* PCILAB_PROTO_IDE_KM_WIRE_H */
