// SPDX-License-Identifier: MIT
/* hw/pcidev capability builders, the extended (config space from 0x100)
 * capabilities, and a fault sweep over every builder: layouts and access
 * semantics per PCIe r6.2. */
#include "pcidev_util.h"
#include "hw/pcidev/pci_regs_ext.h"
#include "hw/pcidev/doe.h"

/* ------------------------------------------------------------ AER */

/* PCIe r6.2 §7.8.4. */
static void test_aer(void **state)
{
	struct hw_pcidev *dev = ep_with_pcie(false);
	struct hw_cap_aer_cfg c = { .ecrc = true, .multiple_header = true,
				    .tlp_prefix_log = true };
	uint16_t p;

	p = (uint16_t)hw_cap_add_aer(dev, &c);
	assert_int_equal(p, 0x100);
	assert_ok(hw_pcidev_realize(dev));
	assert_int_equal(cfgr(dev, p, 4), 0x00020001);
	/* Defaults: Internal error masked; DLP SDN FCP RO MTLP UIE fatal. */
	assert_int_equal(cfgr(dev, p + PCI_ERR_UNCOR_MASK, 4), PCI_ERR_UNC_INTN);
	assert_int_equal(cfgr(dev, p + PCI_ERR_UNCOR_SEVER, 4), 0x00462030);
	assert_int_equal(cfgr(dev, p + PCI_ERR_COR_MASK, 4), 0xe000);
	/* Only implemented bits writable (bit 28, IDE Check Failed, is
	 * implemented: the IDE model reports through it). */
	assert_int_equal(cfg_write_ones(dev, p + PCI_ERR_UNCOR_MASK, 4), 0x17fff030);
	assert_int_equal(cfg_write_ones(dev, p + PCI_ERR_COR_MASK, 4), 0xf1c1);
	assert_int_equal(cfg_write_ones(dev, p + PCI_ERR_CAP, 4), 0xfe0);
	/* Status RW1CS. */
	hw_pcidev_set32(dev, p + PCI_ERR_UNCOR_STATUS, PCI_ERR_UNC_UNSUP | PCI_ERR_UNC_COMP_TIME);
	hw_pcidev_set32(dev, p + PCI_ERR_COR_STATUS, PCI_ERR_COR_BAD_TLP);
	hw_pcidev_set32(dev, p + PCI_ERR_HEADER_LOG, 0x4a000001);
	hw_pcidev_set32(dev, p + PCI_ERR_CAP, hw_pcidev_get32(dev, p + PCI_ERR_CAP) | 20);
	cfgw(dev, p + PCI_ERR_UNCOR_STATUS, PCI_ERR_UNC_COMP_TIME, 4);
	assert_int_equal(cfgr(dev, p + PCI_ERR_UNCOR_STATUS, 4), PCI_ERR_UNC_UNSUP);
	/* IDE Check Failed is RW1CS like the others (§7.8.4.2). */
	hw_pcidev_set32(dev, p + PCI_ERR_UNCOR_STATUS, PCI_ERR_UNC_UNSUP | PCI_ERR_UNC_IDE_CHECK);
	cfgw(dev, p + PCI_ERR_UNCOR_STATUS, PCI_ERR_UNC_IDE_CHECK, 4);
	assert_int_equal(cfgr(dev, p + PCI_ERR_UNCOR_STATUS, 4), PCI_ERR_UNC_UNSUP);
	cfgw(dev, p + PCI_ERR_UNCOR_SEVER, 0, 4);
	/* Warm reset and FLR: all of it is sticky. */
	hw_pcidev_reset(dev, HW_RESET_FLR);
	hw_pcidev_reset(dev, HW_RESET_WARM);
	assert_int_equal(cfgr(dev, p + PCI_ERR_UNCOR_STATUS, 4), PCI_ERR_UNC_UNSUP);
	assert_int_equal(cfgr(dev, p + PCI_ERR_COR_STATUS, 4), PCI_ERR_COR_BAD_TLP);
	assert_int_equal(cfgr(dev, p + PCI_ERR_UNCOR_MASK, 4), 0x17fff030);
	assert_int_equal(cfgr(dev, p + PCI_ERR_UNCOR_SEVER, 4), 0);
	assert_int_equal(cfgr(dev, p + PCI_ERR_CAP, 4), 0xfe0 | 20);
	assert_int_equal(cfgr(dev, p + PCI_ERR_HEADER_LOG, 4), 0x4a000001);
	/* Cold reset: defaults. */
	hw_pcidev_reset(dev, HW_RESET_COLD);
	assert_int_equal(cfgr(dev, p + PCI_ERR_UNCOR_STATUS, 4), 0);
	assert_int_equal(cfgr(dev, p + PCI_ERR_UNCOR_SEVER, 4), 0x00462030);
	assert_int_equal(cfgr(dev, p + PCI_ERR_HEADER_LOG, 4), 0);
	/* Not a root port: Root Error registers are RsvdP. */
	assert_int_equal(cfg_write_ones(dev, p + PCI_ERR_ROOT_COMMAND, 4), 0);
	assert_errno(EEXIST, hw_cap_add_aer(dev, &c));
	hw_pcidev_destroy(dev);
}

static void test_aer_root(void **state)
{
	struct hw_pcidev *dev = port_with_pcie(HW_PCIE_ROOT_PORT, false);
	struct hw_cap_aer_cfg c = { 0 };
	uint16_t p;

	p = (uint16_t)hw_cap_add_aer(dev, &c);
	assert_ok(hw_pcidev_realize(dev));
	assert_int_equal(cfg_write_ones(dev, p + PCI_ERR_CAP, 4), 0);	/* no ECRC */
	assert_int_equal(cfg_write_ones(dev, p + PCI_ERR_ROOT_COMMAND, 4), 7);
	hw_pcidev_set32(dev, p + PCI_ERR_ROOT_STATUS, 0x0000007f);
	hw_pcidev_set32(dev, p + PCI_ERR_ROOT_ERR_SRC, 0x01000200);
	cfgw(dev, p + PCI_ERR_ROOT_STATUS, PCI_ERR_ROOT_COR_RCV, 4);
	assert_int_equal(cfgr(dev, p + PCI_ERR_ROOT_STATUS, 4), 0x7e);
	hw_pcidev_reset(dev, HW_RESET_WARM);
	assert_int_equal(cfgr(dev, p + PCI_ERR_ROOT_COMMAND, 4), 0);
	assert_int_equal(cfgr(dev, p + PCI_ERR_ROOT_STATUS, 4), 0x7e);
	assert_int_equal(cfgr(dev, p + PCI_ERR_ROOT_ERR_SRC, 4), 0x01000200);
	hw_pcidev_destroy(dev);
}

/* ------------------------------------------------------------ ACS, ARI */

/* PCIe r6.2 §7.7.8. */
static void test_acs(void **state)
{
	struct hw_pcidev *dev = port_with_pcie(HW_PCIE_DOWNSTREAM, false);
	struct hw_cap_acs_cfg c = { .caps = PCI_ACS_SV | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF |
					    PCI_ACS_EC, .egress_bits = 40 };
	uint16_t p;

	p = (uint16_t)hw_cap_add_acs(dev, &c);
	assert_int_equal(p, 0x100);
	/* Header 8 bytes + 2 DWORDs of egress vector. */
	assert_int_equal(hw_pcidev_add_ext_cap(dev, PCI_EXT_CAP_ID_VNDR, 1, 8, NULL, NULL), 0x110);
	assert_int_equal(cfgr(dev, p + PCI_ACS_CAP, 2), 0x283d);
	assert_int_equal(cfg_write_ones(dev, p + PCI_ACS_CTRL, 2), 0x3d);
	assert_int_equal(cfg_write_ones(dev, p + PCI_ACS_EGRESS_CTL_V, 4), 0xffffffff);
	assert_int_equal(cfg_write_ones(dev, p + PCI_ACS_EGRESS_CTL_V + 4, 4), 0xff);
	assert_errno(EEXIST, hw_cap_add_acs(dev, &c));
	hw_pcidev_destroy(dev);

	dev = tdev_new(PCI_HEADER_TYPE_NORMAL);
	c.caps = 0x80;
	assert_errno(EINVAL, hw_cap_add_acs(dev, &c));
	c.caps = PCI_ACS_SV;		/* egress bits without EC */
	assert_errno(EINVAL, hw_cap_add_acs(dev, &c));
	c.caps = PCI_ACS_EC;		/* EC without a vector size */
	c.egress_bits = 0;
	assert_errno(EINVAL, hw_cap_add_acs(dev, &c));
	c.caps = PCI_ACS_SV | PCI_ACS_TB | PCI_ACS_DT;
	p = (uint16_t)hw_cap_add_acs(dev, &c);
	assert_int_equal(cfg_write_ones(dev, p + PCI_ACS_CTRL, 2), 0x43);
	hw_pcidev_destroy(dev);
}

/* PCIe r6.2 §7.8.7. */
static void test_ari(void **state)
{
	struct hw_pcidev *dev = ep_with_pcie(false);
	struct hw_cap_ari_cfg c = { .next_function = 4, .acs_groups = true };
	uint16_t p;

	p = (uint16_t)hw_cap_add_ari(dev, &c);
	assert_int_equal(cfgr(dev, p, 4), 0x0001000e);
	assert_int_equal(cfgr(dev, p + PCI_ARI_CAP, 2), 0x0402);
	assert_int_equal(cfg_write_ones(dev, p + PCI_ARI_CTRL, 2), 0x72);
	assert_errno(EEXIST, hw_cap_add_ari(dev, &c));
	hw_pcidev_destroy(dev);

	dev = ep_with_pcie(false);
	c.acs_groups = false;
	p = (uint16_t)hw_cap_add_ari(dev, &c);
	assert_int_equal(cfg_write_ones(dev, p + PCI_ARI_CTRL, 2), 0);
	hw_pcidev_destroy(dev);
}

/* ------------------------------------------------------------ ATS PRI PASID */

/* PCIe r6.2 §10.5.1, §10.5.2, §7.8.8. */
static void test_ats_pri_pasid(void **state)
{
	struct hw_pcidev *dev = ep_with_pcie(false);
	struct hw_cap_ats_cfg ats = { .page_aligned_request = true, .global_invalidate = true };
	struct hw_cap_pri_cfg pri = { .outstanding_capacity = 512, .prg_response_pasid = true };
	struct hw_cap_pasid_cfg pasid = { .width = 16, .exec = true };
	uint16_t a, r, s;

	ats.invq_depth = 33;
	assert_errno(EINVAL, hw_cap_add_ats(dev, &ats));
	ats.invq_depth = 0;
	pasid.width = 21;
	assert_errno(EINVAL, hw_cap_add_pasid(dev, &pasid));
	pasid.width = 16;
	a = (uint16_t)hw_cap_add_ats(dev, &ats);
	r = (uint16_t)hw_cap_add_pri(dev, &pri);
	s = (uint16_t)hw_cap_add_pasid(dev, &pasid);
	assert_ok(hw_pcidev_realize(dev));
	assert_int_equal(a, 0x100);
	assert_int_equal(r, 0x108);
	assert_int_equal(s, 0x118);
	assert_int_equal(cfgr(dev, a, 4), 0x1081000f);
	assert_int_equal(cfgr(dev, r, 4), 0x11810013);
	assert_int_equal(cfgr(dev, s, 4), 0x0001001b);

	/* ATS: queue depth 32 encoded as 0; STU and Enable RW. */
	assert_int_equal(cfgr(dev, a + PCI_ATS_CAP, 2), 0x60);
	assert_int_equal(cfg_write_ones(dev, a + PCI_ATS_CTRL, 2), 0x801f);

	/* PRI: Stopped while disabled, RF/UPRGI RW1C, capacity RO,
	 * allocation RW, Reset reads 0. */
	assert_int_equal(cfgr(dev, r + PCI_PRI_STATUS, 2), 0x8100);
	assert_int_equal(cfgr(dev, r + PCI_PRI_MAX_REQ, 4), 512);
	cfgw(dev, r + PCI_PRI_MAX_REQ, 1, 4);
	assert_int_equal(cfgr(dev, r + PCI_PRI_MAX_REQ, 4), 512);
	assert_int_equal(cfg_write_ones(dev, r + PCI_PRI_ALLOC_REQ, 4), 0xffffffff);
	cfgw(dev, r + PCI_PRI_CTRL, PCI_PRI_CTRL_ENABLE | PCI_PRI_CTRL_RESET, 2);
	assert_int_equal(cfgr(dev, r + PCI_PRI_CTRL, 2), PCI_PRI_CTRL_ENABLE);
	assert_int_equal(cfgr(dev, r + PCI_PRI_STATUS, 2), 0x8000);
	hw_pcidev_set16(dev, r + PCI_PRI_STATUS, 0x8003);
	cfgw(dev, r + PCI_PRI_STATUS, PCI_PRI_STATUS_RF, 2);
	assert_int_equal(cfgr(dev, r + PCI_PRI_STATUS, 2), 0x8002);
	cfgw(dev, r + PCI_PRI_CTRL, 0, 4);	/* 0 to a RW1C bit keeps it */
	assert_int_equal(cfgr(dev, r + PCI_PRI_STATUS, 2), 0x8102);
	cfgw(dev, r + PCI_PRI_CTRL, PCI_PRI_CTRL_ENABLE, 2);
	hw_pcidev_reset(dev, HW_RESET_FLR);
	assert_int_equal(cfgr(dev, r + PCI_PRI_CTRL, 2), 0);
	assert_int_equal(cfgr(dev, r + PCI_PRI_STATUS, 2), 0x8100);

	/* PASID: width 16, Exec supported; Priv enable RO 0. */
	assert_int_equal(cfgr(dev, s + PCI_PASID_CAP, 2), 0x1002);
	assert_int_equal(cfg_write_ones(dev, s + PCI_PASID_CTRL, 2), 0x3);
	assert_errno(EEXIST, hw_cap_add_pasid(dev, &pasid));
	assert_errno(EEXIST, hw_cap_add_pri(dev, &pri));
	assert_errno(EEXIST, hw_cap_add_ats(dev, &ats));
	hw_pcidev_destroy(dev);
}

/* ------------------------------------------------------------ SR-IOV */

/* PCIe r6.2 §9.3.3. */
static void test_sriov(void **state)
{
	struct hw_pcidev *dev = ep_with_pcie(false);
	struct hw_cap_sriov_cfg c = {
		.total_vfs = 8, .initial_vfs = 4, .vf_offset = 0x80, .vf_stride = 2,
		.vf_device = 0x10ca, .func_dep_link = 0,
		.vf_bars = { [0] = { HW_BAR_MEM64, true, 0x4000 },
			     [2] = { HW_BAR_MEM32, false, 0x1000 } },
	};
	uint16_t p;

	p = (uint16_t)hw_cap_add_sriov(dev, &c);
	assert_int_equal(p, 0x100);
	assert_ok(hw_pcidev_realize(dev));
	assert_int_equal(cfgr(dev, p, 4), 0x00010010);
	assert_int_equal(cfg_write_ones(dev, p + PCI_SRIOV_CTRL, 2), 0x19);
	assert_int_equal(cfg_write_ones(dev, p + PCI_SRIOV_STATUS, 2), 0);
	assert_int_equal(cfgr(dev, p + PCI_SRIOV_INITIAL_VF, 2), 4);
	assert_int_equal(cfgr(dev, p + PCI_SRIOV_TOTAL_VF, 2), 8);
	cfgw(dev, p + PCI_SRIOV_NUM_VF, 3, 2);
	assert_int_equal(cfgr(dev, p + PCI_SRIOV_NUM_VF, 2), 3);
	cfgw(dev, p + PCI_SRIOV_VF_OFFSET, 0xffffffff, 4);
	assert_int_equal(cfgr(dev, p + PCI_SRIOV_VF_OFFSET, 4), 0x00020080);
	cfgw(dev, p + PCI_SRIOV_VF_DID - 2, 0xffffffff, 4);
	assert_int_equal(cfgr(dev, p + PCI_SRIOV_VF_DID, 2), 0x10ca);
	assert_int_equal(cfgr(dev, p + PCI_SRIOV_SUP_PGSIZE, 4), 0x553);
	assert_int_equal(cfgr(dev, p + PCI_SRIOV_SYS_PGSIZE, 4), 1);
	cfgw(dev, p + PCI_SRIOV_SYS_PGSIZE, 0x10, 4);
	assert_int_equal(cfgr(dev, p + PCI_SRIOV_SYS_PGSIZE, 4), 0x10);
	/* VF BAR sizing like BARs. */
	assert_int_equal(cfgr(dev, p + PCI_SRIOV_BAR, 4), 0xc);
	assert_int_equal(cfg_write_ones(dev, p + PCI_SRIOV_BAR, 4), 0xffffc00c);
	assert_int_equal(cfg_write_ones(dev, p + PCI_SRIOV_BAR + 4, 4), 0xffffffff);
	assert_int_equal(cfg_write_ones(dev, p + PCI_SRIOV_BAR + 8, 4), 0xfffff000);
	assert_int_equal(cfg_write_ones(dev, p + PCI_SRIOV_BAR + 12, 4), 0);
	assert_errno(EEXIST, hw_cap_add_sriov(dev, &c));
	hw_pcidev_reset(dev, HW_RESET_FLR);
	assert_int_equal(cfgr(dev, p + PCI_SRIOV_NUM_VF, 2), 0);
	hw_pcidev_destroy(dev);
}

static void test_sriov_invalid(void **state)
{
	struct hw_pcidev *dev = ep_with_pcie(false);
	struct hw_pcidev *br = port_with_pcie(HW_PCIE_DOWNSTREAM, false);
	struct hw_cap_sriov_cfg c = { .total_vfs = 4 };

	assert_errno(EINVAL, hw_cap_add_sriov(br, &c));		/* type 1 */
	c.total_vfs = 0;
	assert_errno(EINVAL, hw_cap_add_sriov(dev, &c));
	c.total_vfs = 4;
	c.initial_vfs = 5;
	assert_errno(EINVAL, hw_cap_add_sriov(dev, &c));
	c.initial_vfs = 0;
	c.supported_page_sizes = 0x1;	/* lacks the mandatory sizes */
	assert_errno(EINVAL, hw_cap_add_sriov(dev, &c));
	c.supported_page_sizes = 0;
	c.vf_bars[0] = (struct hw_cap_sriov_vf_bar){ HW_BAR_IO, false, 0x100 };
	assert_errno(EINVAL, hw_cap_add_sriov(dev, &c));
	c.vf_bars[0] = (struct hw_cap_sriov_vf_bar){ HW_BAR_MEM32, false, 0x1800 };
	assert_errno(EINVAL, hw_cap_add_sriov(dev, &c));
	c.vf_bars[0] = (struct hw_cap_sriov_vf_bar){ HW_BAR_MEM64, false, 0x1000 };
	c.vf_bars[1] = (struct hw_cap_sriov_vf_bar){ HW_BAR_MEM32, false, 0x1000 };
	assert_errno(EINVAL, hw_cap_add_sriov(dev, &c));
	c.vf_bars[1].kind = HW_BAR_NONE;
	c.vf_bars[5] = (struct hw_cap_sriov_vf_bar){ HW_BAR_MEM64, false, 0x1000 };
	assert_errno(EINVAL, hw_cap_add_sriov(dev, &c));
	c.vf_bars[5].kind = HW_BAR_NONE;
	c.vf_offset = 0xfff0;
	c.vf_stride = 0x10;		/* last VF beyond the Routing ID space */
	assert_errno(EINVAL, hw_cap_add_sriov(dev, &c));
	c.vf_stride = 1;
	assert_int_equal(hw_cap_add_sriov(dev, &c), 0x100);
	hw_pcidev_destroy(dev);
	hw_pcidev_destroy(br);
}

/* ------------------------------------------------------------ DOE */

static uint32_t doe_rd(struct hw_pcidev *dev, uint16_t p, uint16_t reg)
{
	return cfgr(dev, p + reg, 4);
}

static void doe_send(struct hw_pcidev *dev, uint16_t p, const uint32_t *dw, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		cfgw(dev, p + PCI_DOE_WRITE, dw[i], 4);
	/* Read-modify-write, as drivers do, keeps Interrupt Enable. */
	cfgw(dev, p + PCI_DOE_CTRL, PCI_DOE_CTRL_GO |
	     (cfgr(dev, p + PCI_DOE_CTRL, 4) & PCI_DOE_CTRL_INT_EN), 4);
}

static size_t doe_recv(struct hw_pcidev *dev, uint16_t p, uint32_t *dw, size_t max)
{
	size_t n = 0;

	while ((doe_rd(dev, p, PCI_DOE_STATUS) & PCI_DOE_STATUS_DATA_OBJECT_READY) && n < max) {
		dw[n++] = doe_rd(dev, p, PCI_DOE_READ);
		cfgw(dev, p + PCI_DOE_READ, 0, 4);
	}
	return n;
}

struct echo {
	unsigned int requests, aborts;
	bool defer;
	struct hw_doe *doe;
	uint32_t saved[8];
	size_t nsaved;
};

static const struct hw_doe_protocol echo_protos[] = { { 0x1234, 0x05 } };

static void echo_request(struct hw_doe *doe, void *priv, const uint32_t *dw, size_t n)
{
	struct echo *e = priv;

	e->requests++;
	e->doe = doe;
	if (e->defer || n > ARRAY_SIZE(e->saved)) {
		e->nsaved = n <= ARRAY_SIZE(e->saved) ? n : 0;
		memcpy(e->saved, dw, e->nsaved * 4);
		return;
	}
	assert_ok(hw_doe_respond(doe, dw, n));
}

static void echo_abort(struct hw_doe *doe, void *priv)
{
	((struct echo *)priv)->aborts++;
}

static unsigned int echo_released;

static void echo_release(void *priv)
{
	echo_released++;
	free(priv);
}

static const struct hw_doe_ops echo_ops = {
	.protocols = echo_protos,
	.nr_protocols = 1,
	.request = echo_request,
	.abort = echo_abort,
	.release = echo_release,
};

/* PCIe r6.2 §7.9.24 registers and §6.30 mailbox protocol. */
static void test_doe(void **state)
{
	struct hw_pcidev *dev = ep_with_pcie(false);
	struct hw_cap_doe_cfg c = { .interrupt = true, .interrupt_msg = 3 };
	uint32_t disc[3] = { 0x00000001, 3, 0 }, rsp[8];
	uint32_t echo_req[4] = { 0x00051234, 4, 0xaaaa5555, 0x12345678 };
	struct echo *e = calloc(1, sizeof(*e));
	struct hw_doe *doe;
	uint16_t p, p2;

	assert_non_null(e);
	c.interrupt_msg = 0x800;
	assert_errno(EINVAL, hw_cap_add_doe(dev, &c));
	c.interrupt_msg = 3;
	p = (uint16_t)hw_cap_add_doe(dev, &c);
	p2 = (uint16_t)hw_cap_add_doe(dev, &(struct hw_cap_doe_cfg){ 0 });	/* may repeat */
	assert_int_equal(p, 0x100);
	assert_int_equal(p2, 0x118);
	assert_ok(hw_pcidev_realize(dev));
	assert_int_equal(cfgr(dev, p, 4), 0x1181002e);
	assert_int_equal(doe_rd(dev, p, PCI_DOE_CAP), 0x7);
	assert_int_equal(doe_rd(dev, p2, PCI_DOE_CAP), 0);
	/* Control: Interrupt Enable RW; Abort and GO read 0. */
	assert_int_equal(cfg_write_ones(dev, p + PCI_DOE_CTRL, 4), PCI_DOE_CTRL_INT_EN);
	assert_int_equal(cfg_write_ones(dev, p2 + PCI_DOE_CTRL, 4), 0);
	assert_int_equal(doe_rd(dev, p, PCI_DOE_STATUS), 0);

	/* Discovery: index 0 is Discovery itself, only protocol. */
	doe_send(dev, p2, disc, 3);
	assert_int_equal(doe_rd(dev, p2, PCI_DOE_STATUS), PCI_DOE_STATUS_DATA_OBJECT_READY);
	assert_int_equal(doe_recv(dev, p2, rsp, 8), 3);
	assert_int_equal(rsp[0], 0x00000001);
	assert_int_equal(rsp[1], 3);
	assert_int_equal(rsp[2], 0x00000001);
	assert_int_equal(doe_rd(dev, p2, PCI_DOE_STATUS), 0);
	assert_int_equal(doe_rd(dev, p2, PCI_DOE_READ), 0);

	/* Attach a responder to the first instance. */
	doe = hw_doe_get(dev, 0);
	assert_non_null(doe);
	assert_int_equal(hw_doe_cap_offset(doe), p);
	assert_int_equal(hw_doe_cap_offset(hw_doe_get(dev, 1)), p2);
	assert_null(hw_doe_get(dev, 2));
	assert_ok(hw_doe_attach(doe, &echo_ops, e));
	assert_errno(EBUSY, hw_doe_attach(doe, &echo_ops, e));
	doe_send(dev, p, disc, 3);
	assert_int_equal(doe_recv(dev, p, rsp, 8), 3);
	assert_int_equal(rsp[2], 0x01000001);	/* next index 1 */
	/* Interrupt Status set (enabled above), RW1C. */
	assert_true(doe_rd(dev, p, PCI_DOE_STATUS) & PCI_DOE_STATUS_INT_STATUS);
	cfgw(dev, p + PCI_DOE_STATUS, PCI_DOE_STATUS_INT_STATUS, 4);
	assert_int_equal(doe_rd(dev, p, PCI_DOE_STATUS), 0);
	disc[2] = 1;
	doe_send(dev, p, disc, 3);
	assert_int_equal(doe_recv(dev, p, rsp, 8), 3);
	assert_int_equal(rsp[2], 0x00051234);

	/* Echo protocol, answered synchronously. */
	doe_send(dev, p, echo_req, 4);
	assert_int_equal(e->requests, 1);
	assert_int_equal(doe_recv(dev, p, rsp, 8), 4);
	assert_memory_equal(rsp, echo_req, sizeof(echo_req));

	/* Deferred answer: Busy until the responder posts it. */
	e->defer = true;
	doe_send(dev, p, echo_req, 4);
	assert_int_equal(doe_rd(dev, p, PCI_DOE_STATUS) & 0x80000005, PCI_DOE_STATUS_BUSY);
	assert_errno(EINVAL, hw_doe_respond(doe, echo_req, 3));	/* length mismatch */
	assert_ok(hw_doe_respond(doe, e->saved, e->nsaved));
	assert_errno(EINVAL, hw_doe_respond(doe, e->saved, e->nsaved));	/* none pending */
	assert_int_equal(doe_recv(dev, p, rsp, 8), 4);

	/* Responder failure -> Error; Abort clears it. */
	doe_send(dev, p, echo_req, 4);
	hw_doe_fail(doe);
	assert_int_equal(doe_rd(dev, p, PCI_DOE_STATUS) & 0x7, PCI_DOE_STATUS_ERROR | PCI_DOE_STATUS_INT_STATUS);
	cfgw(dev, p + PCI_DOE_CTRL, PCI_DOE_CTRL_ABORT | PCI_DOE_CTRL_INT_EN, 4);
	assert_int_equal(e->aborts, 1);
	assert_int_equal(doe_rd(dev, p, PCI_DOE_STATUS) & 0x80000005, 0);
	/* Malformed length and unknown protocols raise Error. */
	echo_req[1] = 5;
	doe_send(dev, p, echo_req, 4);
	assert_true(doe_rd(dev, p, PCI_DOE_STATUS) & PCI_DOE_STATUS_ERROR);
	cfgw(dev, p + PCI_DOE_CTRL, PCI_DOE_CTRL_ABORT | PCI_DOE_CTRL_INT_EN, 4);
	echo_req[1] = 4;
	echo_req[0] = 0x00071234;
	doe_send(dev, p, echo_req, 4);
	assert_true(doe_rd(dev, p, PCI_DOE_STATUS) & PCI_DOE_STATUS_ERROR);
	/* Reset aborts too. */
	hw_pcidev_reset(dev, HW_RESET_FLR);
	assert_int_equal(doe_rd(dev, p, PCI_DOE_STATUS), 0);
	assert_int_equal(e->aborts, 3);
	hw_pcidev_destroy(dev);
	assert_int_equal(echo_released, 1);
}

/* ------------------------------------------------------------ DPC */

/* PCIe r6.2 §7.9.14. */
static void test_dpc(void **state)
{
	struct hw_pcidev *dev = port_with_pcie(HW_PCIE_ROOT_PORT, false);
	struct hw_cap_dpc_cfg c = { .rp_extensions = true, .sw_trigger = true,
				    .poisoned_tlp_egress_blocking = true, .rp_pio_log_size = 6 };
	uint16_t p;

	p = (uint16_t)hw_cap_add_dpc(dev, &c);
	assert_int_equal(p, 0x100);
	/* 0x20 + 6 DWORDs of logs. */
	assert_int_equal(hw_pcidev_add_ext_cap(dev, PCI_EXT_CAP_ID_VNDR, 1, 4, NULL, NULL), 0x138);
	assert_ok(hw_pcidev_realize(dev));
	assert_int_equal(cfgr(dev, p, 4), 0x1381001d);
	assert_int_equal(cfgr(dev, p + PCI_EXP_DPC_CAP, 2), 0x06e0);
	/* Everything but the (write-only) Software Trigger. */
	cfgw(dev, p + PCI_EXP_DPC_CTL, 0xffbf, 2);
	assert_int_equal(cfgr(dev, p + PCI_EXP_DPC_CTL, 2), 0x3f);
	cfgw(dev, p + PCI_EXP_DPC_CTL, 0, 2);
	assert_int_equal(cfgr(dev, p + PCI_EXP_DPC_STATUS, 2), PCI_EXP_DPC_RP_PIO_FEP);
	assert_int_equal(cfgr(dev, p + PCI_EXP_DPC_RP_PIO_MASK, 4), 0x00070707);
	assert_int_equal(cfg_write_ones(dev, p + PCI_EXP_DPC_RP_PIO_SEVERITY, 4), 0x00070707);
	/* Software trigger: Trigger Status, reason "extension", ext = SW;
	 * Interrupt Status since DPC Interrupt Enable is on. */
	cfgw(dev, p + PCI_EXP_DPC_CTL, PCI_EXP_DPC_CTL_EN_FATAL | PCI_EXP_DPC_CTL_INT_EN |
	     PCI_EXP_DPC_CTL_SW_TRIGGER, 2);
	assert_int_equal(cfgr(dev, p + PCI_EXP_DPC_CTL, 2), 0x9);
	assert_int_equal(cfgr(dev, p + PCI_EXP_DPC_STATUS, 2), 0x1f2f);
	/* Trigger/Interrupt Status RW1C; reasons RO. */
	cfgw(dev, p + PCI_EXP_DPC_STATUS, PCI_EXP_DPC_STATUS_TRIGGER |
	     PCI_EXP_DPC_STATUS_INTERRUPT, 2);
	assert_int_equal(cfgr(dev, p + PCI_EXP_DPC_STATUS, 2) & 0x9, 0);
	/* RP PIO Status RW1CS. */
	hw_pcidev_set32(dev, p + PCI_EXP_DPC_RP_PIO_STATUS, 0x00010001);
	hw_pcidev_reset(dev, HW_RESET_WARM);
	assert_int_equal(cfgr(dev, p + PCI_EXP_DPC_RP_PIO_STATUS, 4), 0x00010001);
	assert_int_equal(cfgr(dev, p + PCI_EXP_DPC_RP_PIO_SEVERITY, 4), 0x00070707);
	assert_int_equal(cfgr(dev, p + PCI_EXP_DPC_CTL, 2), 0);
	cfgw(dev, p + PCI_EXP_DPC_RP_PIO_STATUS, 0x1, 4);
	assert_int_equal(cfgr(dev, p + PCI_EXP_DPC_RP_PIO_STATUS, 4), 0x00010000);
	/* Triggering needs DPC enabled. */
	cfgw(dev, p + PCI_EXP_DPC_CTL, PCI_EXP_DPC_CTL_SW_TRIGGER, 2);
	assert_int_equal(cfgr(dev, p + PCI_EXP_DPC_STATUS, 2) & 1, 0);
	assert_errno(EEXIST, hw_cap_add_dpc(dev, &c));
	hw_pcidev_destroy(dev);
}

static void test_dpc_invalid(void **state)
{
	struct hw_pcidev *ep = ep_with_pcie(false);
	struct hw_pcidev *ds = port_with_pcie(HW_PCIE_DOWNSTREAM, false);
	struct hw_pcidev *rp = port_with_pcie(HW_PCIE_ROOT_PORT, false);
	struct hw_cap_dpc_cfg c = { 0 };
	uint16_t p;

	assert_errno(EINVAL, hw_cap_add_dpc(ep, &c));
	c.rp_extensions = true;
	assert_errno(EINVAL, hw_cap_add_dpc(ds, &c));	/* RP ext on a switch port */
	c.rp_pio_log_size = 3;
	assert_errno(EINVAL, hw_cap_add_dpc(rp, &c));
	c.rp_pio_log_size = 10;
	assert_errno(EINVAL, hw_cap_add_dpc(rp, &c));
	c.rp_extensions = false;
	c.rp_pio_log_size = 4;
	assert_errno(EINVAL, hw_cap_add_dpc(ds, &c));
	c.rp_pio_log_size = 0;
	p = (uint16_t)hw_cap_add_dpc(ds, &c);
	assert_int_equal(hw_pcidev_add_ext_cap(ds, PCI_EXT_CAP_ID_VNDR, 1, 4, NULL, NULL),
			 p + 0x0c);
	/* No software trigger support: the bit does nothing. */
	cfgw(ds, p + PCI_EXP_DPC_CTL, PCI_EXP_DPC_CTL_EN_FATAL | PCI_EXP_DPC_CTL_SW_TRIGGER, 2);
	assert_int_equal(cfgr(ds, p + PCI_EXP_DPC_STATUS, 2), 0);
	assert_int_equal(cfg_write_ones(ds, p + PCI_EXP_DPC_CTL, 2), 0x1f);
	hw_pcidev_destroy(ep);
	hw_pcidev_destroy(ds);
	hw_pcidev_destroy(rp);
}

/* ------------------------------------------------------------ DSN DVSEC L1SS */

static void test_dsn_dvsec_l1ss(void **state)
{
	struct hw_pcidev *dev = ep_with_pcie(false);
	struct hw_cap_dsn_cfg dsn = { .serial = 0x0011223344556677ull };
	struct hw_cap_dvsec_cfg dv = { .vendor = 0x1e98, .id = 0x0000, .revision = 1,
				       .length = 0x38 };
	struct hw_cap_l1ss_cfg l1 = { .pcipm_l12 = true, .aspm_l12 = true, .aspm_l11 = true,
				      .common_mode_restore = 40, .t_power_on_scale = 1,
				      .t_power_on_value = 5 };
	uint16_t d, v1, v2, l;

	d = (uint16_t)hw_cap_add_dsn(dev, &dsn);
	v1 = (uint16_t)hw_cap_add_dvsec(dev, &dv);
	v2 = (uint16_t)hw_cap_add_dvsec(dev, &(struct hw_cap_dvsec_cfg){ .vendor = 0x8086,
									  .id = 0x23 });
	l = (uint16_t)hw_cap_add_l1ss(dev, &l1);
	assert_int_equal(d, 0x100);
	assert_int_equal(v1, 0x10c);
	assert_int_equal(v2, 0x144);
	assert_int_equal(l, 0x150);
	assert_ok(hw_pcidev_realize(dev));
	/* DSN §7.9.3: lower then upper DWORD, RO. */
	assert_int_equal(cfgr(dev, d, 4), 0x10c10003);
	assert_int_equal(cfg_write_ones(dev, d + 4, 4), 0x44556677);
	assert_int_equal(cfgr(dev, d + 8, 4), 0x00112233);
	/* DVSEC §7.9.6: Header 1 vendor/rev/len, Header 2 ID. */
	assert_int_equal(cfgr(dev, v1, 4), 0x14410023);
	assert_int_equal(cfgr(dev, v1 + PCI_DVSEC_HEADER1, 4), 0x03811e98);
	assert_int_equal(cfgr(dev, v1 + PCI_DVSEC_HEADER2, 2), 0);
	assert_int_equal(cfgr(dev, v2 + PCI_DVSEC_HEADER1, 4), 0x00c08086);
	assert_int_equal(cfgr(dev, v2 + PCI_DVSEC_HEADER2, 2), 0x23);
	assert_int_equal(hw_pcidev_find_ext_cap(dev, PCI_EXT_CAP_ID_DVSEC), v1);
	/* L1SS §7.8.3. */
	assert_int_equal(cfgr(dev, l + PCI_L1SS_CAP, 4),
			 0x1d | 40 << 8 | 1 << 16 | 5 << 19);
	assert_int_equal(cfg_write_ones(dev, l + PCI_L1SS_CTL1, 4), 0xe3ffff0d);
	assert_int_equal(cfg_write_ones(dev, l + PCI_L1SS_CTL2, 4), 0xfb);
	assert_errno(EEXIST, hw_cap_add_dsn(dev, &dsn));
	assert_errno(EEXIST, hw_cap_add_l1ss(dev, &l1));
	hw_pcidev_destroy(dev);

	dev = ep_with_pcie(false);
	dv.length = 9;
	assert_errno(EINVAL, hw_cap_add_dvsec(dev, &dv));
	dv.length = 0x1000;
	assert_errno(EINVAL, hw_cap_add_dvsec(dev, &dv));
	dv.length = 12;
	dv.revision = 16;
	assert_errno(EINVAL, hw_cap_add_dvsec(dev, &dv));
	l1.t_power_on_scale = 3;
	assert_errno(EINVAL, hw_cap_add_l1ss(dev, &l1));
	l1.t_power_on_scale = 0;
	l1.t_power_on_value = 32;
	assert_errno(EINVAL, hw_cap_add_l1ss(dev, &l1));
	l1.t_power_on_value = 0;
	l1.pcipm_l12 = false;		/* ASPM L1.2 without PCI-PM L1.2 */
	assert_errno(EINVAL, hw_cap_add_l1ss(dev, &l1));
	/* Nothing supported: every control RO. */
	l = (uint16_t)hw_cap_add_l1ss(dev, &(struct hw_cap_l1ss_cfg){ 0 });
	assert_int_equal(cfgr(dev, l + PCI_L1SS_CAP, 4), 0);
	assert_int_equal(cfg_write_ones(dev, l + PCI_L1SS_CTL1, 4), 0);
	assert_int_equal(cfg_write_ones(dev, l + PCI_L1SS_CTL2, 4), 0);
	hw_pcidev_destroy(dev);
}

/* ------------------------------------------------------------ fault sweep */

/* A function with every builder, as a platform file would ask for it. */
static int build_full(struct hw_pcidev **out)
{
	struct hw_cap_pcie_cfg pcie = { .type = HW_PCIE_ENDPOINT, .flr = true };
	struct hw_cap_msix_cfg msix = { .table_size = 64, .table_bar = 0, .pba_bar = 0,
					.pba_offset = 0x800 };
	struct hw_cap_sriov_cfg sriov = { .total_vfs = 4,
					  .vf_bars = { [0] = { HW_BAR_MEM32, false, 0x1000 } } };
	struct hw_pcidev *dev;
	int rc;

	dev = _tdev_new(PCI_HEADER_TYPE_NORMAL);
	if (IS_ERR(dev))
		return (int)PTR_ERR(dev);
	*out = dev;
#define STEP(x) do { rc = (x); if (rc < 0) return rc; } while (0)
	STEP(hw_pcidev_set_bar(dev, 0, HW_BAR_MEM64, false, 0x1000));
	STEP(hw_pcidev_set_bar(dev, 2, HW_BAR_IO, false, 0x20));
	STEP(hw_pcidev_set_bar(dev, HW_PCI_ROM_SLOT, HW_BAR_ROM, false, 0x800));
	STEP(hw_cap_add_pm(dev, &(struct hw_cap_pm_cfg){ .pme_support = 0x19 }));
	STEP(hw_cap_add_msi(dev, &(struct hw_cap_msi_cfg){ .vectors = 4, .addr64 = true }));
	STEP(hw_cap_add_msix(dev, &msix));
	STEP(hw_cap_add_pcie(dev, &pcie));
	STEP(hw_cap_add_aer(dev, &(struct hw_cap_aer_cfg){ .ecrc = true }));
	STEP(hw_cap_add_acs(dev, &(struct hw_cap_acs_cfg){ .caps = PCI_ACS_SV }));
	STEP(hw_cap_add_ari(dev, &(struct hw_cap_ari_cfg){ .next_function = 1 }));
	STEP(hw_cap_add_ats(dev, &(struct hw_cap_ats_cfg){ 0 }));
	STEP(hw_cap_add_pri(dev, &(struct hw_cap_pri_cfg){ .outstanding_capacity = 32 }));
	STEP(hw_cap_add_pasid(dev, &(struct hw_cap_pasid_cfg){ .width = 20 }));
	STEP(hw_cap_add_sriov(dev, &sriov));
	STEP(hw_cap_add_doe(dev, &(struct hw_cap_doe_cfg){ 0 }));
	STEP(hw_cap_add_doe(dev, &(struct hw_cap_doe_cfg){ .interrupt = true }));
	STEP(hw_cap_add_dsn(dev, &(struct hw_cap_dsn_cfg){ 42 }));
	STEP(hw_cap_add_dvsec(dev, &(struct hw_cap_dvsec_cfg){ .vendor = 0x1e98 }));
	STEP(hw_cap_add_l1ss(dev, &(struct hw_cap_l1ss_cfg){ .pcipm_l11 = true }));
	STEP(hw_pcidev_realize(dev));
#undef STEP
	return 0;
}

/* Every allocation on the build path can fail; each failure must surface
 * as -ENOMEM and destroy must free what was built (ASan checks leaks). */
static void test_fault_sweep(void **state)
{
	unsigned long n;
	unsigned int freed = tdev_freed, failures = 0;

	for (n = 1; n < 1000; n++) {
		struct hw_pcidev *dev = NULL;
		int rc;

		fault_inject_nth(n);
		rc = build_full(&dev);
		if (!fault_injected()) {
			fault_inject_nth(0);
			assert_int_equal(rc, 0);
			/* The complete device works: the MSI-X table answers. */
			cfgw(dev, PCI_BASE_ADDRESS_0, 0xe0000000, 4);
			cfgw(dev, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
			assert_int_equal(mmio_rd(dev, 0xe000000c), 1);
			hw_pcidev_destroy(dev);
			break;
		}
		fault_inject_nth(0);
		failures++;
		assert_int_equal(rc, -ENOMEM);
		hw_pcidev_destroy(dev);		/* NULL when the model alloc failed */
	}
	assert_true(n < 1000);
	assert_true(failures >= 20);		/* caps, regions, backing, MSI-X, DOE */
	/* Every model object was freed once: n = 1 failed before there was
	 * one, each later failure and the final success freed theirs. */
	assert_int_equal(tdev_freed, freed + (failures - 1) + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aer),
		cmocka_unit_test(test_aer_root),
		cmocka_unit_test(test_acs),
		cmocka_unit_test(test_ari),
		cmocka_unit_test(test_ats_pri_pasid),
		cmocka_unit_test(test_sriov),
		cmocka_unit_test(test_sriov_invalid),
		cmocka_unit_test(test_doe),
		cmocka_unit_test(test_dpc),
		cmocka_unit_test(test_dpc_invalid),
		cmocka_unit_test(test_dsn_dvsec_l1ss),
		cmocka_unit_test(test_fault_sweep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
