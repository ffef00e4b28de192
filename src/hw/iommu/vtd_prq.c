// SPDX-License-Identifier: MIT
/*
 * VT-d unit model: page requests from endpoints (§7.5). Requests are
 * checked against the context entry, written as 256-bit descriptors into
 * the page request queue at PQT, and announced with page request events;
 * when they cannot be queued the unit answers last-in-group requests
 * itself (auto responses, §7.5.1).
 */
#include "base/err.h"
#include "hw/mem.h"
#include "hw/iommu/vtd_internal.h"

static void vtd_auto_respond(struct hw_vtd *v, const struct hw_vtd_page_req *req, uint8_t rc)
{
	struct hw_vtd_page_resp resp = {
		.rid = req->rid, .has_pasid = req->has_pasid, .pasid = req->pasid,
		.prg_index = req->prg_index, .rc = rc, .auto_response = true,
	};

	if (req->lpig && v->ops && v->ops->page_resp)
		v->ops->page_resp(v->arg, &resp);
}

int hw_vtd_page_request(struct hw_vtd *v, const struct hw_vtd_page_req *req)
{
	struct vtd_req r = {
		.rid = req->rid, .has_pasid = req->has_pasid, .pasid = req->pasid,
		.addr = req->addr, .page_req = true,
		.access = (req->rd ? HW_VTD_ACC_R : 0) | (req->wr ? HW_VTD_ACC_W : 0) |
			  (req->exe ? HW_VTD_ACC_X : 0) | (req->priv ? HW_VTD_ACC_PRIV : 0),
	};
	uint64_t pqa = v->regs[VTD_PQA_REG >> 3], size, pqh, pqt, ce0, ce1, d[4];
	uint32_t prs;
	unsigned int i;
	int fr = 0;

	if (req->prg_index >> 9 || (req->has_pasid && req->pasid >> VTD_PSS))
		return -EINVAL;
	/* §7.5.1: requests are checked against the context entry first. */
	if (!v->te || !v->rt_latched)
		fr = VTD_FR_SM_RTA_INVALID;
	if (!fr)
		fr = vtd_ctx_get(v, &r, &ce0, &ce1);
	if (!fr && !(ce0 & VTD_SM_CE0_PRE))
		fr = VTD_FR_SCT_PRE;
	if (!fr && req->has_pasid && !(ce0 & VTD_SM_CE0_PASIDE))
		fr = VTD_FR_SCT_PASIDE;
	if (fr) {
		vtd_fault(v, &r, (unsigned int)fr);
		vtd_auto_respond(v, req, VTD_PGRP_RC_INVALID);
		return -EACCES;
	}
	size = 4096ull << (pqa & VTD_PQA_PQS_MASK);
	pqh = v->regs[VTD_PQH_REG >> 3] % size;
	pqt = v->regs[VTD_PQT_REG >> 3] % size;
	prs = reg32(v, VTD_PRS_REG);
	/* §7.5.1: with the queue full (or overflow not yet cleared) the
	 * request is dropped, PRO set and a success response generated so
	 * the device retries. */
	if ((prs & VTD_PRS_PRO) || (pqt + 32) % size == pqh) {
		if (!(prs & VTD_PRS_PRO)) {
			set_reg32(v, VTD_PRS_REG, prs | VTD_PRS_PRO);
			vtd_event(v, VTD_PECTL_REG);
		}
		vtd_auto_respond(v, req, VTD_PGRP_RC_SUCCESS);
		return -ENOSPC;
	}
	d[0] = VTD_PRQ_TYPE_PAGE_REQ | ((uint64_t)req->rid << VTD_PRQ_RID_SHIFT);
	if (req->has_pasid)
		d[0] |= VTD_PRQ_PASID_P | ((uint64_t)req->pasid << VTD_PRQ_PASID_SHIFT) |
			(req->exe ? VTD_PRQ_EXE : 0) | (req->priv ? VTD_PRQ_PRIV : 0);
	d[1] = (req->rd ? VTD_PRQ_RD : 0) | (req->wr ? VTD_PRQ_WR : 0) |
	       (req->lpig ? VTD_PRQ_LPIG : 0) |
	       ((uint64_t)req->prg_index << VTD_PRQ_IDX_SHIFT) |
	       (req->addr & VTD_PRQ_ADDR_MASK);
	d[2] = req->priv_data[0];
	d[3] = req->priv_data[1];
	for (i = 0; i < 4; i++)
		if (hw_mem_st64(v->mem, (pqa & VTD_PQA_PQA_MASK) + pqt + 8 * i, d[i])) {
			vtd_auto_respond(v, req, VTD_PGRP_RC_FAILURE);
			return -EFAULT;
		}
	v->regs[VTD_PQT_REG >> 3] = (pqt + 32) % size;
	if (!(prs & VTD_PRS_PPR)) {
		set_reg32(v, VTD_PRS_REG, prs | VTD_PRS_PPR);
		vtd_event(v, VTD_PECTL_REG);
	}
	return 0;
}
