// SPDX-License-Identifier: MIT
/* TDISP bound to a simulated function; see tdisp_dev.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "hw/pcidev/pcidev.h"
#include "hw/security/tdisp_dev.h"
#include "proto/ide_km/ide_km.h"
#include "proto/ide_km/ide_regs.h"
#include "proto/spdm/spdm_vendor.h"
#include "proto/tdisp/tdisp.h"

struct hw_tdisp_dev {
	struct hw_pcidev *dev;
	struct hw_tdisp_dev_cfg cfg;
	struct tdisp_responder *rsp;
};

#define TDISP_MAX_RANGES	HW_PCI_NUM_BARS

/* TDI report (§11.3.11) from the function as it is now: one MMIO range
 * per implemented memory BAR (RANGE_ID = BAR index), the ranges holding
 * the MSI-X Table/PBA marked as such. */
static int build_report(void *ctx, uint32_t fid, const struct tdisp_lock_params *lock,
			uint8_t *buf, size_t cap)
{
	struct hw_tdisp_dev *t = ctx;
	struct hw_pcidev *d = t->dev;
	struct tdisp_mmio_range ranges[TDISP_MAX_RANGES];
	struct tdisp_report rp = { .interface_info = TDISP_INFO_DMA_NO_PASID };
	uint16_t msix = hw_pcidev_find_cap(d, PCI_CAP_ID_MSIX);
	unsigned int tbir = 8, pbir = 8;
	uint64_t addr;
	int i;

	if (lock->flags & TDISP_LOCK_NO_FW_UPDATE)
		rp.interface_info |= TDISP_INFO_NO_FW_UPDATE;
	if (hw_pcidev_find_ext_cap(d, PCI_EXT_CAP_ID_PASID))
		rp.interface_info |= TDISP_INFO_DMA_PASID;
	if (hw_pcidev_find_ext_cap(d, PCI_EXT_CAP_ID_ATS))
		rp.interface_info |= TDISP_INFO_ATS;
	if (hw_pcidev_find_ext_cap(d, PCI_EXT_CAP_ID_PRI))
		rp.interface_info |= TDISP_INFO_PRS;
	if (msix) {
		rp.msix_msg_control = hw_pcidev_get16(d, msix + PCI_MSIX_FLAGS);
		tbir = hw_pcidev_get32(d, msix + PCI_MSIX_TABLE) & PCI_MSIX_TABLE_BIR;
		pbir = hw_pcidev_get32(d, msix + PCI_MSIX_PBA) & PCI_MSIX_PBA_BIR;
	}
	for (i = 0; i < HW_PCI_NUM_BARS; i++) {
		const struct hw_bar *b = &d->bars[i];
		struct tdisp_mmio_range *r = &ranges[rp.nranges];

		if ((b->kind != HW_BAR_MEM32 && b->kind != HW_BAR_MEM64) ||
		    !hw_pcidev_bar_addr(d, i, &addr))
			continue;
		/* MMIO_REPORTING_OFFSET hides the host physical address. */
		r->first_page = (addr + lock->mmio_reporting_offset) >> 12;
		r->num_pages = (uint32_t)MAX(b->size >> 12, (uint64_t)1);
		r->attributes = (uint16_t)((i == (int)tbir ? TDISP_RANGE_MSIX_TABLE : 0) |
					   (i == (int)pbir ? TDISP_RANGE_MSIX_PBA : 0));
		r->range_id = (uint16_t)i;
		rp.nranges++;
	}
	rp.ranges = ranges;
	return tdisp_report_encode(&rp, buf, cap);
}

static const struct tdisp_responder_ops tdisp_dev_ops = {
	.report = build_report,
};

struct hw_tdisp_dev *hw_tdisp_dev_new(struct hw_pcidev *dev, const struct hw_tdisp_dev_cfg *cfg)
{
	struct tdisp_responder_cfg rc = {
		.function_ids = &cfg->function_id, .ntdi = 1,
		.caps = { .lock_flags_supported = cfg->lock_flags_supported,
			  .dev_addr_width = 52, .num_req_this = 1, .num_req_all = 1 },
		.ops = &tdisp_dev_ops, .fixed_nonce = cfg->fixed_nonce,
	};
	struct hw_tdisp_dev *t;
	unsigned int c;
	int rc2;

	/* REQ_MSGS_SUPPORTED: bit n for request code 80h + n (§11.3.6). */
	for (c = TDISP_GET_VERSION; c <= TDISP_STOP_INTERFACE_REQ; c++)
		rc.caps.req_msgs_supported[(c - 0x80) / 8] |= (uint8_t)(1u << ((c - 0x80) % 8));
	t = pl_zalloc(sizeof(*t));
	if (!t)
		return ERR_PTR(-ENOMEM);
	t->dev = dev;
	t->cfg = *cfg;
	rc.ctx = t;
	t->rsp = tdisp_responder_new(&rc);
	if (IS_ERR(t->rsp)) {
		rc2 = (int)PTR_ERR(t->rsp);
		goto err_free_t;
	}
	return t;
err_free_t:
	free(t);
	return ERR_PTR(rc2);
}

void hw_tdisp_dev_free(struct hw_tdisp_dev *t)
{
	if (IS_ERR_OR_NULL(t))
		return;
	tdisp_responder_free(t->rsp);
	free(t);
}

int hw_tdisp_state(const struct hw_tdisp_dev *t)
{
	return tdisp_responder_state(t->rsp, t->cfg.function_id);
}

static bool overlaps(uint16_t off, unsigned int len, unsigned int start, unsigned int n)
{
	return off < start + n && start < off + len;
}

static bool ext_cap_hit(const struct hw_pcidev *d, uint16_t id, uint16_t off, unsigned int len)
{
	struct hw_pcicap *c = hw_pcidev_get_pcicap(d, true, id, 0);

	return c && overlaps(off, len, c->off, c->len);
}

/* Is [off, off+len) a register locked while CONFIG_LOCKED/RUN? See the
 * list in tdisp_dev.h (PCIe r6.2 §11.2.3). */
static bool locked_reg(const struct hw_pcidev *d, uint16_t off, unsigned int len)
{
	uint16_t pos;

	if (overlaps(off, len, PCI_COMMAND, 2) || overlaps(off, len, PCI_CACHE_LINE_SIZE, 1) ||
	    overlaps(off, len, PCI_BASE_ADDRESS_0, 24) || overlaps(off, len, PCI_ROM_ADDRESS, 4))
		return true;
	pos = hw_pcidev_find_cap(d, PCI_CAP_ID_EXP);
	if (pos && (overlaps(off, len, pos + PCI_EXP_DEVCTL, 2) ||
		    overlaps(off, len, pos + PCI_EXP_DEVCTL2, 2)))
		return true;
	pos = hw_pcidev_find_cap(d, PCI_CAP_ID_MSIX);
	if (pos && overlaps(off, len, pos + PCI_MSIX_FLAGS, 10))
		return true;
	return ext_cap_hit(d, PCI_EXT_CAP_ID_ATS, off, len) ||
	       ext_cap_hit(d, PCI_EXT_CAP_ID_PASID, off, len) ||
	       ext_cap_hit(d, PCI_EXT_CAP_ID_PRI, off, len) ||
	       ext_cap_hit(d, PCI_EXT_CAP_ID_REBAR, off, len) ||
	       ext_cap_hit(d, PCI_EXT_CAP_ID_SRIOV, off, len) ||
	       ext_cap_hit(d, PCI_EXT_CAP_ID_IDE, off, len);
}

bool hw_tdisp_cfg_write_notify(struct hw_tdisp_dev *t, uint16_t off, unsigned int len)
{
	int st = hw_tdisp_state(t);

	if (st != TDISP_STATE_CONFIG_LOCKED && st != TDISP_STATE_RUN)
		return false;
	if (!locked_reg(t->dev, off, len))
		return false;
	pl_info("%s: config write %#x/%u while TDI locked", t->dev->name, off, len);
	return tdisp_responder_tdi_error(t->rsp, t->cfg.function_id);
}

int hw_tdisp_vdm_handler(void *ctx, const struct spdm_vendor_msg *req, uint8_t *rsp, size_t cap)
{
	struct hw_tdisp_dev *t = ctx;

	if (!spdm_vendor_is_pcisig(req) || !req->payload_len)
		return -EINVAL;
	switch (req->payload[0]) {
	case PCISIG_VDM_PROTO_IDE_KM:
		if (!t->cfg.ide_km)
			return -EOPNOTSUPP;
		return ide_km_responder_handle(t->cfg.ide_km, req->payload, req->payload_len,
					       rsp, cap);
	case PCISIG_VDM_PROTO_TDISP:
		return tdisp_responder_handle(t->rsp, req->payload, req->payload_len, rsp, cap);
	default:
		return -EOPNOTSUPP;
	}
}
