// SPDX-License-Identifier: MIT
/* IDE_KM object encoder and decoder (PCIe r6.2 §6.33.3). */
#include <errno.h>
#include <string.h>

#include "proto/ide_km/ide_km.h"
#include "proto/ide_km/ide_regs.h"

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Expected size of each fixed-size object, 0 for QUERY_RESP/unknown. */
static size_t obj_size(uint8_t id)
{
	switch (id) {
	case IDE_KM_QUERY:
		return sizeof(struct ide_km_query_wire);
	case IDE_KM_KEY_PROG:
		return sizeof(struct ide_km_key_prog_wire);
	case IDE_KM_KP_ACK:
		return sizeof(struct ide_km_kp_ack_wire);
	case IDE_KM_K_SET_GO:
	case IDE_KM_K_SET_STOP:
	case IDE_KM_K_GOSTOP_ACK:
		return sizeof(struct ide_km_k_set_wire);
	default:
		return 0;
	}
}

int ide_km_check_regs(const uint8_t *regs, size_t len)
{
	uint32_t cap;
	size_t off, ntc, nsel, i, nassoc;

	/* IDE Capability and IDE Control are always there (§7.9.26.2/3). */
	if (len < 8 || len % 4)
		return -EPROTO;
	cap = rd32(regs);
	ntc = (cap & PCI_IDE_CAP_LINK) ?
	      ((cap & PCI_IDE_CAP_LINK_TC_MASK) >> PCI_IDE_CAP_LINK_TC_SHIFT) + 1 : 0;
	nsel = (cap & PCI_IDE_CAP_SELECTIVE) ?
	       ((cap & PCI_IDE_CAP_SEL_NUM_MASK) >> PCI_IDE_CAP_SEL_NUM_SHIFT) + 1 : 0;
	off = 8 + ntc * PCI_IDE_LINK_BLOCK_SIZE;
	for (i = 0; i < nsel; i++) {
		/* Each block's own Capability register sizes it; check it is
		 * inside the dump before reading it. */
		if (off + 4 > len)
			return -EPROTO;
		nassoc = rd32(regs + off) & PCI_IDE_SEL_CAP_ASSOC_MASK;
		off += PCI_IDE_SEL_BLOCK_SIZE(nassoc);
	}
	return off == len ? 0 : -EPROTO;
}

int ide_km_encode(const struct ide_km_msg *m, void *buf, size_t cap)
{
	uint8_t *b = buf;
	size_t n = obj_size(m->object_id);

	if (m->object_id == IDE_KM_QUERY_RESP) {
		if (!m->regs || ide_km_check_regs(m->regs, m->regs_len))
			return -EINVAL;
		n = sizeof(struct ide_km_query_resp_wire) + m->regs_len;
	} else if (!n) {
		return -EINVAL;
	}
	if (m->object_id == IDE_KM_KEY_PROG && (!m->key || !m->ifv))
		return -EINVAL;
	if (n > cap)
		return -EMSGSIZE;
	memset(b, 0, n);
	b[0] = PCISIG_VDM_PROTO_IDE_KM;
	b[1] = m->object_id;
	switch (m->object_id) {
	case IDE_KM_QUERY:
		b[3] = m->port_index;
		break;
	case IDE_KM_QUERY_RESP:
		b[3] = m->port_index;
		b[4] = m->dev_func;
		b[5] = m->bus;
		b[6] = m->segment;
		b[7] = m->max_port_index;
		memcpy(b + 8, m->regs, m->regs_len);
		break;
	case IDE_KM_KP_ACK:
		b[5] = m->status;
		/* the rest is the K_SET layout */
		__attribute__((fallthrough));
	default:
		b[4] = m->stream_id;
		b[6] = m->key_sub_stream;
		b[7] = m->port_index;
		if (m->object_id == IDE_KM_KEY_PROG) {
			memcpy(b + 8, m->key, IDE_KM_KEY_SIZE);
			memcpy(b + 8 + IDE_KM_KEY_SIZE, m->ifv, IDE_KM_IFV_SIZE);
		}
		break;
	}
	return (int)n;
}

int ide_km_decode(const void *buf, size_t len, struct ide_km_msg *m)
{
	const uint8_t *b = buf;
	size_t n;

	memset(m, 0, sizeof(*m));
	if (len < sizeof(struct ide_km_hdr))
		return -EMSGSIZE;
	if (b[0] != PCISIG_VDM_PROTO_IDE_KM || b[1] > IDE_KM_K_GOSTOP_ACK)
		return -EPROTO;
	m->object_id = b[1];
	if (m->object_id == IDE_KM_QUERY_RESP) {
		if (len < sizeof(struct ide_km_query_resp_wire))
			return -EMSGSIZE;
		m->port_index = b[3];
		m->dev_func = b[4];
		m->bus = b[5];
		m->segment = b[6];
		m->max_port_index = b[7];
		m->regs = b + 8;
		m->regs_len = len - 8;
		return ide_km_check_regs(m->regs, m->regs_len);
	}
	n = obj_size(m->object_id);
	if (len != n)
		return -EMSGSIZE;
	/* Reserved fields are ignored on receipt (PCIe r6.2 §7.4 RsvdP/Z). */
	if (m->object_id == IDE_KM_QUERY) {
		m->port_index = b[3];
		return 0;
	}
	m->stream_id = b[4];
	m->key_sub_stream = b[6];
	m->port_index = b[7];
	if (m->object_id == IDE_KM_KP_ACK)
		m->status = b[5];
	if (m->object_id == IDE_KM_KEY_PROG) {
		m->key = b + 8;
		m->ifv = b + 8 + IDE_KM_KEY_SIZE;
	}
	return 0;
}
