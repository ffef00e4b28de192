// SPDX-License-Identifier: MIT
/*
 * IDE on the link: TLPs of a Selective IDE stream sealed by the
 * transmitter, checked and opened by the receiver (PCIe r6.2 §6.33.4-
 * §6.33.6). See ide_link.h for the model and docs/ide-tdisp.md for the
 * simplifications.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <linux/pci_regs.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "hw/fabric/fabric_internal.h"
#include "hw/pcidev/pcidev.h"
#include "hw/security/ide_engine.h"
#include "hw/security/ide_link.h"
#include "proto/ide_km/ide_km.h"
#include "proto/ide_km/ide_regs.h"

/* Largest payload the model puts in one TLP (a Max_Payload_Size of 256,
 * PCIe r6.2 §7.5.3.4); DMA is split accordingly. */

/* The root-port end of one function's stream. */
struct hw_ide_host_end {
	struct hw_ide_host_end *next;
	struct hw_pcidev *dev;		/* the function at the other end */
	struct hw_ide_engine *eng;	/* no function: keys mirrored */
	int err;			/* last hw_ide_err seen by the host */
};

/* The last TLP sent per direction and Sub-stream, for REPLAY. */
struct hw_ide_link_cap {
	bool valid;
	struct hw_ide_tlp tlp;
	uint8_t data[HW_IDE_LINK_MPS];
};

struct hw_ide_link {
	struct hw_ide_host_end *ends;
	hw_ide_link_trace_fn trace;
	void *trace_arg;
	enum hw_ide_link_fault fault[2];	/* [downstream] */
	size_t fault_at[2];
	struct hw_ide_link_cap last[2][IDE_KM_NSUB];
};

static struct hw_platform *dev_platform(const struct hw_pcidev *dev)
{
	return dev->bus && dev->bus->hb ? dev->bus->hb->platform : NULL;
}

static struct hw_ide_link *link_get(struct hw_platform *p)
{
	if (!p->ide_link)
		p->ide_link = pl_zalloc(sizeof(*p->ide_link));
	return p->ide_link;
}

void hw_ide_link_free(struct hw_platform *p)
{
	struct hw_ide_host_end *h, *n;

	if (!p || !p->ide_link)
		return;
	for (h = p->ide_link->ends; h; h = n) {
		n = h->next;
		hw_ide_engine_free(h->eng);
		free(h);
	}
	OPENSSL_cleanse(p->ide_link, sizeof(*p->ide_link));
	free(p->ide_link);
	p->ide_link = NULL;
}

int hw_ide_link_set_trace(struct hw_platform *p, hw_ide_link_trace_fn fn, void *arg)
{
	struct hw_ide_link *l;

	if (!p)
		return -EINVAL;
	l = link_get(p);
	if (!l)
		return -ENOMEM;
	l->trace = fn;
	l->trace_arg = arg;
	return 0;
}

int hw_ide_link_inject(struct hw_platform *p, enum hw_ide_link_fault f, bool downstream,
		       size_t at)
{
	struct hw_ide_link *l;

	if (!p || f > HW_IDE_LINK_FAULT_REPLAY)
		return -EINVAL;
	l = link_get(p);
	if (!l)
		return -ENOMEM;
	l->fault[downstream] = f;
	l->fault_at[downstream] = at;
	return 0;
}

/*
 * The host end failed a received TLP: the root port above the function
 * records AER Uncorrectable Error Status IDE Check Failed (PCIe r6.2
 * §7.8.4.2) when it has AER.
 */
static void host_report(void *ctx, uint8_t stream_id, enum hw_ide_err err)
{
	struct hw_ide_host_end *h = ctx;
	struct hw_pcidev *port = h->dev->bus ? h->dev->bus->bridge : NULL;
	uint16_t aer;

	h->err = (int)err;
	pl_info("ide: host end of stream %u insecure (error %d)", stream_id, err);
	if (!port || !(aer = hw_pcidev_find_ext_cap(port, PCI_EXT_CAP_ID_ERR)) ||
	    (err != HW_IDE_ERR_MAC && err != HW_IDE_ERR_REPLAY))
		return;
	hw_pcidev_set32(port, aer + PCI_ERR_UNCOR_STATUS,
			hw_pcidev_get32(port, aer + PCI_ERR_UNCOR_STATUS) | PCI_ERR_UNC_IDE_CHECK);
}

static struct hw_ide_host_end *host_end(struct hw_ide_link *l, struct hw_pcidev *dev,
					bool create)
{
	struct hw_ide_host_end *h;

	for (h = l->ends; h; h = h->next)
		if (h->dev == dev)
			return h;
	if (!create)
		return NULL;
	h = pl_zalloc(sizeof(*h));
	if (!h)
		return NULL;
	h->dev = dev;
	h->eng = hw_ide_engine_new(NULL, &(struct hw_ide_engine_cfg){
		.report = host_report, .ctx = h });
	if (IS_ERR(h->eng)) {
		free(h);
		return NULL;
	}
	h->next = l->ends;
	l->ends = h;
	return h;
}

int hw_ide_link_host_state(struct hw_platform *p, struct hw_pcidev *dev, int *err)
{
	struct hw_ide_host_end *h;
	int sid;

	if (!p || !p->ide_link || !(h = host_end(p->ide_link, dev, false)))
		return -ENOENT;
	sid = hw_ide_link_stream(dev);
	if (sid < 0)
		return -ENOENT;
	if (err)
		*err = h->err;
	return hw_ide_stream_state(h->eng, (uint8_t)sid);
}

int hw_ide_link_stream(struct hw_pcidev *dev)
{
	struct hw_ide_engine *e = hw_ide_engine_of(dev);

	return e ? hw_ide_engine_link_stream(e) : -ENOENT;
}

/* The link damages the TLP as armed (after the trace saw it). */
static void link_fault(struct hw_ide_link *l, bool down, unsigned int sub,
		       struct hw_ide_tlp *t)
{
	struct hw_ide_link_cap *c = &l->last[down][sub];
	size_t at = l->fault_at[down], n;

	switch (l->fault[down]) {
	case HW_IDE_LINK_FAULT_NONE:
		return;
	case HW_IDE_LINK_FAULT_FLIP:
		n = HW_IDE_PREFIX_SIZE + t->hdr_len + t->len + HW_IDE_MAC_SIZE;
		at = at < n ? at : n - 1;
		if (at < HW_IDE_PREFIX_SIZE)
			t->prefix[at] ^= 0xff;
		else if ((at -= HW_IDE_PREFIX_SIZE) < t->hdr_len)
			t->hdr[at] ^= 0xff;
		else if ((at -= t->hdr_len) < t->len)
			t->data[at] ^= 0xff;
		else
			t->mac[at - t->len] ^= 0xff;
		break;
	case HW_IDE_LINK_FAULT_REPLAY:
		if (!c->valid || c->tlp.len != t->len)
			return;		/* stays armed */
		memcpy(t->prefix, c->tlp.prefix, sizeof(t->prefix));
		memcpy(t->hdr, c->tlp.hdr, sizeof(t->hdr));
		t->hdr_len = c->tlp.hdr_len;
		memcpy(t->mac, c->tlp.mac, sizeof(t->mac));
		if (t->len)
			memcpy(t->data, c->data, t->len);
		break;
	}
	l->fault[down] = HW_IDE_LINK_FAULT_NONE;
}

static void link_capture(struct hw_ide_link_cap *c, const struct hw_ide_tlp *t)
{
	if (t->len > sizeof(c->data))
		return;
	c->tlp = *t;
	c->tlp.data = NULL;
	if (t->len)
		memcpy(c->data, t->data, t->len);
	c->valid = true;
}

int hw_ide_link_cross(struct hw_pcidev *dev, uint8_t sid, bool downstream, unsigned int sub,
		      const uint8_t *hdr, size_t hdr_len, uint8_t *data, size_t len)
{
	struct hw_platform *p = dev_platform(dev);
	struct hw_ide_engine *de = hw_ide_engine_of(dev);
	struct hw_ide_tlp t = { .hdr_len = hdr_len, .data = data, .len = len };
	struct hw_ide_link *l;
	struct hw_ide_link_cap sent = { 0 };
	struct hw_ide_host_end *h;
	int rc;

	if (!p || !de || sub >= IDE_KM_NSUB || hdr_len > sizeof(t.hdr))
		return -EINVAL;
	l = link_get(p);
	if (!l)
		return -ENOMEM;
	h = host_end(l, dev, true);
	if (!h)
		return -ENOMEM;
	/* Keys mirrored from the device's slots (see ide_link.h). */
	rc = hw_ide_engine_mirror(h->eng, de, sid);
	if (rc)
		return rc == -ENOENT ? -ENOTCONN : rc;
	memcpy(t.hdr, hdr, hdr_len);
	rc = hw_ide_tx(downstream ? h->eng : de, sid, sub, &t);
	if (rc)
		return rc;
	if (l->trace)
		l->trace(l->trace_arg, dev, downstream, &t);
	/* The link damages it (replaying the previous TLP), then what was
	 * sent becomes what a later replay repeats. */
	link_capture(&sent, &t);
	link_fault(l, downstream, sub, &t);
	if (sent.valid)
		l->last[downstream][sub] = sent;
	rc = hw_ide_rx(downstream ? de : h->eng, &t);
	if (rc)
		pl_info("ide: TLP on stream %u %s discarded (%d)", sid,
			downstream ? "to the function" : "to the host", rc);
	return rc;
}

/* A memory BAR of dev decodes [addr, addr + len) (PCI Local Bus r3.0
 * §6.2.5.1; the Command register is checked by the caller's routing). */
static bool mem_bar_claims(const struct hw_pcidev *dev, uint64_t addr, unsigned int len)
{
	uint64_t base;
	int i;

	for (i = 0; i < HW_PCI_NUM_BARS; i++) {
		const struct hw_bar *b = &dev->bars[i];

		if ((b->kind != HW_BAR_MEM32 && b->kind != HW_BAR_MEM64) ||
		    !hw_pcidev_bar_addr(dev, i, &base))
			continue;
		if (addr >= base && addr - base < b->size && len <= b->size - (addr - base))
			return true;
	}
	return false;
}

/* Model TLP headers (PCIe r6.2 §2.2.1, §2.2.7, §2.2.9): enough of the
 * real layout that each TLP's header, bound into the MAC as AAD, differs
 * with type, requester, length and address. */
static void hdr_mem(uint8_t h[16], bool write, uint16_t rid, uint64_t addr, unsigned int len)
{
	unsigned int dw = (len + 3) / 4;
	unsigned int i;

	memset(h, 0, 16);
	h[0] = write ? 0x60 : 0x20;	/* Fmt 4DW (with data), Type MRd/MWr */
	h[2] = (uint8_t)(dw >> 8 & 3);
	h[3] = (uint8_t)dw;
	h[4] = (uint8_t)(rid >> 8);
	h[5] = (uint8_t)rid;
	h[7] = 0xff;			/* byte enables */
	for (i = 0; i < 8; i++)
		h[8 + i] = (uint8_t)(addr >> (56 - 8 * i));
	h[15] &= 0xfc;
}

static void hdr_cpl(uint8_t h[12], uint16_t cid, uint16_t rid, unsigned int len)
{
	unsigned int dw = (len + 3) / 4;

	memset(h, 0, 12);
	h[0] = 0x4a;			/* Fmt 3DW with data, Type CplD */
	h[2] = (uint8_t)(dw >> 8 & 3);
	h[3] = (uint8_t)dw;
	h[4] = (uint8_t)(cid >> 8);
	h[5] = (uint8_t)cid;
	h[6] = (uint8_t)(len >> 8 & 0xf);
	h[7] = (uint8_t)len;
	h[8] = (uint8_t)(rid >> 8);
	h[9] = (uint8_t)rid;
}

bool hw_ide_link_mmio(struct hw_pcidev *dev, uint8_t sid, uint64_t addr, void *buf,
		      unsigned int len, bool write)
{
	uint16_t rid = hw_fabric_func_rid(dev);
	uint8_t hdr[16], tmp[8];

	if (len > sizeof(tmp) || !hw_pcidev_mem_enabled(dev) || !mem_bar_claims(dev, addr, len))
		return false;
	/* The root complex is the requester (RID 0 of the host bridge's bus
	 * in this model); the function completes with its own RID. */
	hdr_mem(hdr, write, 0, addr, len);
	if (write) {
		memcpy(tmp, buf, len);
		/* §6.33.6: a TLP failing its check is discarded; a posted
		 * write then simply never happens. */
		if (!hw_ide_link_cross(dev, sid, true, IDE_KM_SUB_PR, hdr, 16, tmp, len))
			hw_pcidev_mmio(dev, false, addr, tmp, len, true);
		OPENSSL_cleanse(tmp, sizeof(tmp));
		return true;
	}
	/* A read whose request or completion is discarded gets no
	 * completion: the root complex times out and returns all-ones
	 * (§2.8, Completion Timeout). */
	memset(buf, 0xff, len);
	if (hw_ide_link_cross(dev, sid, true, IDE_KM_SUB_NPR, hdr, 16, NULL, 0))
		return true;
	memset(tmp, 0xff, sizeof(tmp));
	hw_pcidev_mmio(dev, false, addr, tmp, len, false);
	hdr_cpl(hdr, rid, 0, len);
	if (!hw_ide_link_cross(dev, sid, false, IDE_KM_SUB_CPL, hdr, 12, tmp, len))
		memcpy(buf, tmp, len);
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return true;
}

int hw_ide_link_dma_req(struct hw_pcidev *dev, uint8_t sid, bool write, uint64_t addr,
			uint8_t *data, size_t len)
{
	uint8_t hdr[16];

	if (len > HW_IDE_LINK_MPS)
		return -EINVAL;
	hdr_mem(hdr, write, hw_fabric_func_rid(dev), addr, (unsigned int)len);
	return hw_ide_link_cross(dev, sid, false, write ? IDE_KM_SUB_PR : IDE_KM_SUB_NPR, hdr,
				 16, write ? data : NULL, write ? len : 0);
}

int hw_ide_link_dma_cpl(struct hw_pcidev *dev, uint8_t sid, uint8_t *data, size_t len)
{
	uint8_t hdr[12];

	if (len > HW_IDE_LINK_MPS)
		return -EINVAL;
	hdr_cpl(hdr, 0, hw_fabric_func_rid(dev), (unsigned int)len);
	return hw_ide_link_cross(dev, sid, true, IDE_KM_SUB_CPL, hdr, 12, data, len);
}
