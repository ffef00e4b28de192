// SPDX-License-Identifier: MIT
/*
 * Data Object Exchange Extended Capability, PCIe r6.2 §7.9.24, and the
 * mailbox transport of §6.30. See doe.h for the responder interface.
 */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "hw/pcidev/caps.h"
#include "hw/pcidev/doe.h"
#include "hw/pcidev/irq.h"

struct hw_doe {
	struct hw_pcidev *dev;
	uint16_t pos;			/* capability offset */
	uint32_t *wbuf;			/* request being written */
	size_t wlen, wcap;
	uint32_t *rbuf;			/* response being read */
	size_t rlen, rpos;
	bool busy;			/* request handed to the responder */
	bool error;
	const struct hw_doe_ops *ops;	/* NULL: Discovery only */
	void *priv;
};

/* Data object header (§6.30.1): Length in DW1 bits 17:0, 0 = 2^18. */
static size_t hw_doe_obj_len(const uint32_t *dw)
{
	size_t n = dw[1] & PCI_DOE_DATA_OBJECT_HEADER_2_LENGTH;

	return n ? n : HW_DOE_MAX_DW;
}

static void hw_doe_drop(struct hw_doe *doe)
{
	free(doe->wbuf);
	free(doe->rbuf);
	doe->wbuf = doe->rbuf = NULL;
	doe->wlen = doe->wcap = doe->rlen = doe->rpos = 0;
}

/*
 * Mirror the transport state into DOE Status (§7.9.24.5). With event set
 * (a software request or a responder action, not a reset), each rise of
 * Data Object Ready or DOE Error and each fall of DOE Busy is an interrupt
 * event (§6.30.2, §7.9.24.5 DOE Interrupt Status): when DOE Interrupt
 * Support and Enable are set the function sets Interrupt Status (RW1C,
 * kept until software clears it) and signals the vector named by
 * Interrupt Message Number (§7.9.24.3) with MSI-X or MSI (hw/pcidev/irq.h).
 * The status is updated before the message leaves, so a handler reading
 * it sees the new state.
 */
static void hw_doe_sync(struct hw_doe *doe, bool event)
{
	struct hw_pcidev *dev = doe->dev;
	uint32_t old = hw_pcidev_get32(dev, doe->pos + PCI_DOE_STATUS);
	uint32_t cap = hw_pcidev_get32(dev, doe->pos + PCI_DOE_CAP);
	uint32_t sta = old & PCI_DOE_STATUS_INT_STATUS;
	bool irq;

	if (doe->busy)
		sta |= PCI_DOE_STATUS_BUSY;
	if (doe->error)
		sta |= PCI_DOE_STATUS_ERROR;
	if (doe->rpos < doe->rlen)
		sta |= PCI_DOE_STATUS_DATA_OBJECT_READY;
	irq = event && (cap & PCI_DOE_CAP_INT_SUP) &&
	      (hw_pcidev_get32(dev, doe->pos + PCI_DOE_CTRL) & PCI_DOE_CTRL_INT_EN) &&
	      ((sta & ~old & (PCI_DOE_STATUS_ERROR | PCI_DOE_STATUS_DATA_OBJECT_READY)) ||
	       (old & ~sta & PCI_DOE_STATUS_BUSY));
	if (irq)
		sta |= PCI_DOE_STATUS_INT_STATUS;
	hw_pcidev_set32(dev, doe->pos + PCI_DOE_STATUS, sta);
	if (irq)
		hw_pcidev_notify(dev, (cap & PCI_DOE_CAP_INT_MSG_NUM) >> 1);
}

static void hw_doe_abort(struct hw_doe *doe)
{
	hw_doe_drop(doe);
	doe->busy = false;
	doe->error = false;
	if (doe->ops && doe->ops->abort)
		doe->ops->abort(doe, doe->priv);
}

static int hw_doe_set_response(struct hw_doe *doe, const uint32_t *dw, size_t n)
{
	uint32_t *buf;

	if (n < 2 || n > HW_DOE_MAX_DW || hw_doe_obj_len(dw) != n)
		return -EINVAL;
	buf = pl_calloc(n, sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	memcpy(buf, dw, n * sizeof(*buf));
	free(doe->rbuf);
	doe->rbuf = buf;
	doe->rlen = n;
	doe->rpos = 0;
	return 0;
}

/* DOE Discovery (§6.30.1.1): request DW2 bits 7:0 index; response DW2 is
 * Vendor ID 15:0, Data Object Protocol 23:16, Next Index 31:24. */
static void hw_doe_discovery(struct hw_doe *doe, const uint32_t *req, size_t n)
{
	size_t nr = 1 + (doe->ops ? doe->ops->nr_protocols : 0);
	size_t idx = n >= 3 ? (req[2] & 0xff) : 0;
	uint16_t vendor = HW_DOE_VENDOR_PCISIG;
	uint8_t type = HW_DOE_TYPE_DISCOVERY;
	uint32_t rsp[3];

	if (n != 3 || idx >= nr) {
		doe->error = true;
		return;
	}
	if (idx) {
		vendor = doe->ops->protocols[idx - 1].vendor;
		type = doe->ops->protocols[idx - 1].type;
	}
	rsp[0] = HW_DOE_VENDOR_PCISIG | (uint32_t)HW_DOE_TYPE_DISCOVERY << 16;
	rsp[1] = 3;
	rsp[2] = vendor | (uint32_t)type << 16 |
		 (uint32_t)(idx + 1 < nr ? idx + 1 : 0) << 24;
	if (hw_doe_set_response(doe, rsp, 3) < 0)
		doe->error = true;
}

static bool hw_doe_serves(const struct hw_doe *doe, uint16_t vendor, uint8_t type)
{
	size_t i;

	if (!doe->ops)
		return false;
	for (i = 0; i < doe->ops->nr_protocols; i++)
		if (doe->ops->protocols[i].vendor == vendor && doe->ops->protocols[i].type == type)
			return true;
	return false;
}

/* GO (§6.30.2): the object in the write mailbox is complete. */
static void hw_doe_go(struct hw_doe *doe)
{
	uint32_t *req = doe->wbuf;
	size_t n = doe->wlen;
	uint16_t vendor;
	uint8_t type;

	if (doe->busy || doe->error)
		return;
	doe->wbuf = NULL;
	doe->wlen = doe->wcap = 0;
	if (n < 2 || hw_doe_obj_len(req) != n) {
		doe->error = true;
		goto out;
	}
	vendor = (uint16_t)(req[0] & PCI_DOE_DATA_OBJECT_HEADER_1_VID);
	type = (uint8_t)((req[0] & PCI_DOE_DATA_OBJECT_HEADER_1_TYPE) >> 16);
	if (vendor == HW_DOE_VENDOR_PCISIG && type == HW_DOE_TYPE_DISCOVERY) {
		hw_doe_discovery(doe, req, n);
	} else if (hw_doe_serves(doe, vendor, type)) {
		doe->busy = true;
		doe->ops->request(doe, doe->priv, req, n);
	} else {
		doe->error = true;
	}
out:
	free(req);
}

static void hw_doe_push(struct hw_doe *doe, uint32_t v)
{
	uint32_t *nbuf;
	size_t ncap;

	if (doe->busy || doe->error)
		return;
	if (doe->wlen == HW_DOE_MAX_DW) {
		doe->error = true;	/* longer than any data object */
		return;
	}
	if (doe->wlen == doe->wcap) {
		ncap = doe->wcap ? doe->wcap * 2 : 16;
		nbuf = pl_realloc(doe->wbuf, ncap * sizeof(*nbuf));
		if (!nbuf) {
			doe->error = true;
			return;
		}
		doe->wbuf = nbuf;
		doe->wcap = ncap;
	}
	doe->wbuf[doe->wlen++] = v;
}

static void hw_doe_cfg_write(struct hw_pcidev *dev, void *opaque, uint16_t off,
			     uint32_t val, uint32_t old, unsigned int len)
{
	struct hw_doe *doe = opaque;
	uint32_t v, bytes;

	/* DOE Control (§7.9.24.4): Abort and GO are write-only, read 0. */
	if (hw_cfg_write_hits(off, val, len, doe->pos + PCI_DOE_CTRL, 4, &v, &bytes)) {
		if (v & PCI_DOE_CTRL_ABORT)
			hw_doe_abort(doe);
		else if (v & PCI_DOE_CTRL_GO)
			hw_doe_go(doe);
	}
	/* Write Data Mailbox (§7.9.24.6): whole DWORDs only. */
	if (hw_cfg_write_hits(off, val, len, doe->pos + PCI_DOE_WRITE, 4, &v, &bytes) &&
	    bytes == 0xffffffff)
		hw_doe_push(doe, v);
	/* Read Data Mailbox (§7.9.24.7): any write moves to the next DWORD. */
	if (hw_cfg_write_hits(off, val, len, doe->pos + PCI_DOE_READ, 4, NULL, &bytes) &&
	    bytes == 0xffffffff && doe->rpos < doe->rlen) {
		if (++doe->rpos == doe->rlen) {
			free(doe->rbuf);
			doe->rbuf = NULL;
			doe->rlen = doe->rpos = 0;
		}
	}
	hw_doe_sync(doe, true);
}

static void hw_doe_cfg_read(struct hw_pcidev *dev, void *opaque, uint16_t off,
			    unsigned int len)
{
	struct hw_doe *doe = opaque;

	hw_pcidev_set32(dev, doe->pos + PCI_DOE_READ,
			doe->rpos < doe->rlen ? doe->rbuf[doe->rpos] : 0);
}

static void hw_doe_reset(struct hw_pcidev *dev, void *opaque)
{
	struct hw_doe *doe = opaque;

	hw_doe_abort(doe);
	hw_doe_sync(doe, false);
}

static void hw_doe_release(void *opaque)
{
	struct hw_doe *doe = opaque;

	if (doe->ops && doe->ops->release)
		doe->ops->release(doe->priv);
	hw_doe_drop(doe);
	free(doe);
}

static const struct hw_pcicap_ops hw_doe_cap_ops = {
	.read = hw_doe_cfg_read,
	.write = hw_doe_cfg_write,
	.reset = hw_doe_reset,
	.release = hw_doe_release,
};

int hw_cap_add_doe(struct hw_pcidev *dev, const struct hw_cap_doe_cfg *cfg)
{
	struct hw_doe *doe;
	int pos;

	/* Interrupt Message Number is 11 bits (§7.9.24.3). */
	if (cfg->interrupt_msg > 0x7ff || (cfg->interrupt_msg && !cfg->interrupt))
		return -EINVAL;
	doe = pl_zalloc(sizeof(*doe));
	if (!doe)
		return -ENOMEM;
	doe->dev = dev;
	pos = hw_pcidev_add_ext_cap(dev, PCI_EXT_CAP_ID_DOE, 1, PCI_DOE_CAP_SIZEOF,
				    &hw_doe_cap_ops, doe);	/* the cap owns doe */
	if (pos < 0) {
		free(doe);
		return pos;
	}
	doe->pos = (uint16_t)pos;
	if (cfg->interrupt) {
		hw_pcidev_set32(dev, doe->pos + PCI_DOE_CAP,
				PCI_DOE_CAP_INT_SUP | (uint32_t)cfg->interrupt_msg << 1);
		hw_pcidev_set_wmask32(dev, doe->pos + PCI_DOE_CTRL, PCI_DOE_CTRL_INT_EN);
	}
	/* DOE Status (§7.9.24.5): Interrupt Status RW1C, the rest RO. */
	hw_pcidev_set_w1cmask32(dev, doe->pos + PCI_DOE_STATUS, PCI_DOE_STATUS_INT_STATUS);
	return pos;
}

struct hw_doe *hw_doe_get(struct hw_pcidev *dev, unsigned int idx)
{
	struct hw_pcicap *c = hw_pcidev_get_pcicap(dev, true, PCI_EXT_CAP_ID_DOE, idx);

	return c ? c->opaque : NULL;
}

uint16_t hw_doe_cap_offset(const struct hw_doe *doe)
{
	return doe->pos;
}

int hw_doe_attach(struct hw_doe *doe, const struct hw_doe_ops *ops, void *priv)
{
	if (doe->ops)
		return -EBUSY;
	if (!ops || !ops->request || (ops->nr_protocols && !ops->protocols) ||
	    ops->nr_protocols > 254)
		return -EINVAL;
	doe->ops = ops;
	doe->priv = priv;	/* released through ops->release at destroy */
	return 0;
}

int hw_doe_respond(struct hw_doe *doe, const uint32_t *dw, size_t n)
{
	int rc;

	if (!doe->busy)
		return -EINVAL;
	rc = hw_doe_set_response(doe, dw, n);
	if (rc < 0)
		return rc;
	doe->busy = false;
	hw_doe_sync(doe, true);
	return 0;
}

void hw_doe_fail(struct hw_doe *doe)
{
	if (!doe->busy)
		return;
	doe->busy = false;
	doe->error = true;
	hw_doe_sync(doe, true);
}
