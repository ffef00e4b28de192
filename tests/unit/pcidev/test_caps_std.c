// SPDX-License-Identifier: MIT
/* hw/pcidev capability builders, the standard (config space below 0x100)
 * capabilities: layouts and access semantics per PCIe r6.2. */
#include "pcidev_util.h"
#include "hw/pcidev/pci_regs_ext.h"

/* ------------------------------------------------------------ PM */

/* PCI PM r1.2 §3.2, PCIe r6.2 §7.5.2. */
static void test_pm(void **state)
{
	struct hw_pcidev *dev = tdev_new(PCI_HEADER_TYPE_NORMAL);
	struct hw_cap_pm_cfg c = { .d2 = true, .pme_support = 0x1d /* D0 D2 D3h D3c */,
				   .no_soft_reset = true, .aux_current_ma = 100 };
	int pos;

	pos = hw_cap_add_pm(dev, &c);
	assert_int_equal(pos, 0x40);
	assert_ok(hw_pcidev_realize(dev));
	/* PMC: version 3, Aux 100 mA (010b), D2, PME_Support. */
	assert_int_equal(cfgr(dev, pos + PCI_PM_PMC, 2), 0xec83);
	assert_int_equal(cfgr(dev, pos + PCI_PM_CTRL, 2), PCI_PM_CTRL_NO_SOFT_RESET);
	/* PowerState RW; D1 unsupported: the write is discarded. */
	cfgw(dev, pos + PCI_PM_CTRL, 3, 2);
	assert_int_equal(cfgr(dev, pos + PCI_PM_CTRL, 2) & 3, 3);
	cfgw(dev, pos + PCI_PM_CTRL, 1, 2);
	assert_int_equal(cfgr(dev, pos + PCI_PM_CTRL, 2) & 3, 3);
	cfgw(dev, pos + PCI_PM_CTRL, 2, 1);
	assert_int_equal(cfgr(dev, pos + PCI_PM_CTRL, 2) & 3, 2);
	/* PME_En RW(S), PME_Status RW1CS, No_Soft_Reset and Data RO. */
	hw_pcidev_set16(dev, pos + PCI_PM_CTRL,
			hw_pcidev_get16(dev, pos + PCI_PM_CTRL) | PCI_PM_CTRL_PME_STATUS);
	cfgw(dev, pos + PCI_PM_CTRL, PCI_PM_CTRL_PME_ENABLE | 0x7e00, 2);
	assert_int_equal(cfgr(dev, pos + PCI_PM_CTRL, 2), 0x8108);
	hw_pcidev_reset(dev, HW_RESET_WARM);	/* sticky; PowerState back to D0 */
	assert_int_equal(cfgr(dev, pos + PCI_PM_CTRL, 2), 0x8108);
	cfgw(dev, pos + PCI_PM_CTRL, PCI_PM_CTRL_PME_STATUS | PCI_PM_CTRL_PME_ENABLE, 2);
	assert_int_equal(cfgr(dev, pos + PCI_PM_CTRL, 2), 0x0108);
	hw_pcidev_set16(dev, pos + PCI_PM_CTRL, 0x8108);
	hw_pcidev_reset(dev, HW_RESET_COLD);
	assert_int_equal(cfgr(dev, pos + PCI_PM_CTRL, 2), 0x0008);
	assert_errno(EEXIST, hw_cap_add_pm(dev, &c));
	hw_pcidev_destroy(dev);
}

static void test_pm_invalid(void **state)
{
	struct hw_pcidev *dev = tdev_new(PCI_HEADER_TYPE_NORMAL);
	struct hw_cap_pm_cfg c = { 0 };

	c.version = 4;
	assert_errno(EINVAL, hw_cap_add_pm(dev, &c));
	c.version = 0;
	c.aux_current_ma = 400;
	assert_errno(EINVAL, hw_cap_add_pm(dev, &c));
	c.aux_current_ma = 0;
	c.pme_support = 0x02;	/* PME from D1 without D1 */
	assert_errno(EINVAL, hw_cap_add_pm(dev, &c));
	c.pme_support = 0x20;
	assert_errno(EINVAL, hw_cap_add_pm(dev, &c));
	c.pme_support = 0x01;	/* no PME from D3cold: PME_Status not sticky */
	assert_int_equal(hw_cap_add_pm(dev, &c), 0x40);
	assert_ok(hw_pcidev_realize(dev));
	hw_pcidev_set16(dev, 0x44, PCI_PM_CTRL_PME_STATUS);
	cfgw(dev, 0x44, PCI_PM_CTRL_PME_ENABLE, 2);
	hw_pcidev_reset(dev, HW_RESET_WARM);
	assert_int_equal(cfgr(dev, 0x44, 2), 0);
	hw_pcidev_destroy(dev);
}

/* ------------------------------------------------------------ MSI */

/* PCIe r6.2 §7.7.1. */
static void test_msi_layouts(void **state)
{
	static const struct {
		struct hw_cap_msi_cfg c;
		uint16_t ctl, data, mask, next;
	} t[] = {
		{ { .vectors = 1 }, 0x0000, 0x08, 0, 0x4c },
		{ { .vectors = 4, .addr64 = true }, 0x0084, 0x0c, 0, 0x50 },
		{ { .vectors = 8, .per_vector_mask = true }, 0x0106, 0x08, 0x0c, 0x54 },
		{ { .vectors = 32, .addr64 = true, .per_vector_mask = true, .ext_msg_data = true },
		  0x038a, 0x0c, 0x10, 0x58 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct hw_pcidev *dev = tdev_new(PCI_HEADER_TYPE_NORMAL);
		unsigned int nv = t[i].c.vectors;
		int pos = hw_cap_add_msi(dev, &t[i].c);

		assert_int_equal(pos, 0x40);
		/* The next cap lands right after the structure. */
		assert_int_equal(hw_pcidev_add_cap(dev, PCI_CAP_ID_VNDR, 4, NULL, NULL), t[i].next);
		assert_ok(hw_pcidev_realize(dev));
		assert_int_equal(cfgr(dev, pos + PCI_MSI_FLAGS, 2), t[i].ctl);
		/* Enable + MME RW, capability bits RO. */
		cfgw(dev, pos + PCI_MSI_FLAGS, 0xffff, 2);
		assert_int_equal(cfgr(dev, pos + PCI_MSI_FLAGS, 2),
				 t[i].ctl | 0x71 | (t[i].c.ext_msg_data ? 0x400 : 0));
		assert_int_equal(cfg_write_ones(dev, pos + PCI_MSI_ADDRESS_LO, 4), 0xfffffffc);
		if (t[i].c.addr64)
			assert_int_equal(cfg_write_ones(dev, pos + PCI_MSI_ADDRESS_HI, 4), 0xffffffff);
		assert_int_equal(cfg_write_ones(dev, pos + t[i].data, 4),
				 t[i].c.ext_msg_data ? 0xffffffff : 0xffff);
		if (t[i].mask) {
			assert_int_equal(cfg_write_ones(dev, pos + t[i].mask, 4),
					 nv == 32 ? 0xffffffff : (1u << nv) - 1);
			assert_int_equal(cfg_write_ones(dev, pos + t[i].mask + 4, 4), 0);
		}
		hw_pcidev_destroy(dev);
	}
}

static void test_msi_invalid(void **state)
{
	struct hw_pcidev *dev = tdev_new(PCI_HEADER_TYPE_NORMAL);
	struct hw_cap_msi_cfg c = { .vectors = 3 };

	assert_errno(EINVAL, hw_cap_add_msi(dev, &c));
	c.vectors = 64;
	assert_errno(EINVAL, hw_cap_add_msi(dev, &c));
	c.vectors = 0;		/* default: one vector */
	assert_int_equal(hw_cap_add_msi(dev, &c), 0x40);
	assert_errno(EEXIST, hw_cap_add_msi(dev, &c));
	hw_pcidev_destroy(dev);
}

/* ------------------------------------------------------------ MSI-X */
static struct hw_pcidev *msix_dev(uint16_t n)
{
	struct hw_pcidev *dev = tdev_new(PCI_HEADER_TYPE_NORMAL);
	struct hw_cap_msix_cfg c = { .table_size = n, .table_bar = 2, .table_offset = 0x2000,
				     .pba_bar = 2, .pba_offset = 0x3000 };

	assert_ok(hw_pcidev_set_bar(dev, 0, HW_BAR_MEM32, false, 0x1000));
	assert_ok(hw_pcidev_set_bar(dev, 2, HW_BAR_MEM64, false, 0x4000));
	assert_int_equal(hw_cap_add_msix(dev, &c), 0x40);
	assert_ok(hw_pcidev_realize(dev));
	cfgw(dev, PCI_BASE_ADDRESS_2, 0xf0000000, 4);
	cfgw(dev, PCI_BASE_ADDRESS_3, 0, 4);
	cfgw(dev, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	return dev;
}

/* PCIe r6.2 §7.7.2: table and PBA through the BAR. */
static void test_msix(void **state)
{
	struct hw_pcidev *dev = msix_dev(70);
	struct hw_msix_msg m;
	uint64_t q = 0;
	unsigned int i;

	assert_int_equal(cfgr(dev, 0x40 + PCI_MSIX_FLAGS, 2), 69);
	assert_int_equal(cfgr(dev, 0x40 + PCI_MSIX_TABLE, 4), 0x2002);
	assert_int_equal(cfgr(dev, 0x40 + PCI_MSIX_PBA, 4), 0x3002);
	assert_int_equal(cfg_write_ones(dev, 0x40 + PCI_MSIX_FLAGS, 2), 0xc000 | 69);
	cfgw(dev, 0x40 + PCI_MSIX_TABLE, 0, 4);
	assert_int_equal(cfgr(dev, 0x40 + PCI_MSIX_TABLE, 4), 0x2002);
	cfgw(dev, 0x40 + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);

	/* Every vector starts masked. */
	for (i = 0; i < 70; i++)
		assert_int_equal(mmio_rd(dev, 0xf0002000 + 16 * i + 12), 1);
	/* Program vector 5; Message Address bits 1:0 and Vector Control
	 * reserved bits are not writable. */
	mmio_wr(dev, 0xf0002050, 0xfee00003);
	mmio_wr(dev, 0xf0002054, 0x1);
	mmio_wr(dev, 0xf0002058, 0x4021);
	mmio_wr(dev, 0xf000205c, 0xfffffffe);
	assert_int_equal(mmio_rd(dev, 0xf0002050), 0xfee00000);
	assert_int_equal(mmio_rd(dev, 0xf0002054), 1);
	assert_int_equal(mmio_rd(dev, 0xf0002058), 0x4021);
	assert_int_equal(mmio_rd(dev, 0xf000205c), 0);
	assert_ok(hw_cap_msix_entry(dev, 5, &m));
	assert_int_equal(m.addr, 0x1fee00000ull);
	assert_int_equal(m.data, 0x4021);
	assert_false(m.masked);
	assert_true(m.enabled);
	/* Function Mask masks all. */
	cfgw(dev, 0x40 + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL, 2);
	assert_ok(hw_cap_msix_entry(dev, 5, &m));
	assert_true(m.masked);
	assert_errno(EINVAL, hw_cap_msix_entry(dev, 70, &m));
	/* 8-byte access of an entry. */
	assert_true(hw_pcidev_mmio(dev, false, 0xf0002050, &q, 8, false));
	assert_int_equal(q, 0x1fee00000ull);

	/* PBA: RO to software, two QWORDs for 70 vectors. */
	assert_ok(hw_cap_msix_set_pending(dev, 69, true));
	assert_ok(hw_cap_msix_set_pending(dev, 1, true));
	assert_int_equal(mmio_rd(dev, 0xf0003000), 2);
	assert_int_equal(mmio_rd(dev, 0xf0003008), 0x20);
	mmio_wr(dev, 0xf0003000, 0);
	assert_int_equal(mmio_rd(dev, 0xf0003000), 2);
	assert_errno(EINVAL, hw_cap_msix_set_pending(dev, 70, true));
	/* Outside table and PBA: the BAR's backing store. */
	mmio_wr(dev, 0xf0002800, 0x1234);
	assert_int_equal(mmio_rd(dev, 0xf0002800), 0x1234);

	/* FLR-like reset: masks back, pending cleared, Message Control 0. */
	hw_pcidev_reset(dev, HW_RESET_WARM);
	assert_int_equal(cfgr(dev, 0x40 + PCI_MSIX_FLAGS, 2), 69);
	cfgw(dev, PCI_BASE_ADDRESS_2, 0xf0000000, 4);
	cfgw(dev, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	assert_int_equal(mmio_rd(dev, 0xf000205c), 1);
	assert_int_equal(mmio_rd(dev, 0xf0002050), 0);
	assert_int_equal(mmio_rd(dev, 0xf0003000), 0);
	hw_pcidev_destroy(dev);
}

static void test_msix_invalid(void **state)
{
	struct hw_pcidev *dev = tdev_new(PCI_HEADER_TYPE_NORMAL);
	struct hw_cap_msix_cfg c = { .table_size = 16, .table_bar = 0, .table_offset = 0,
				     .pba_bar = 0, .pba_offset = 0x100 };
	struct hw_msix_msg m;

	assert_ok(hw_pcidev_set_bar(dev, 0, HW_BAR_MEM32, false, 0x1000));
	assert_ok(hw_pcidev_set_bar(dev, 1, HW_BAR_IO, false, 0x100));
	assert_ok(hw_pcidev_set_bar(dev, 2, HW_BAR_MEM64, false, 0x1000));
	assert_errno(ENOENT, hw_cap_msix_entry(dev, 0, &m));
	c.table_size = 0;
	assert_errno(EINVAL, hw_cap_add_msix(dev, &c));
	c.table_size = 2049;
	assert_errno(EINVAL, hw_cap_add_msix(dev, &c));
	c.table_size = 16;
	c.table_bar = 1;		/* I/O BAR */
	assert_errno(EINVAL, hw_cap_add_msix(dev, &c));
	c.table_bar = 3;		/* upper half of BAR2 */
	assert_errno(EINVAL, hw_cap_add_msix(dev, &c));
	c.table_bar = 4;		/* unimplemented */
	assert_errno(EINVAL, hw_cap_add_msix(dev, &c));
	c.table_bar = 0;
	c.pba_offset = 0xf8;		/* overlaps the table (0..0xff) */
	assert_errno(EINVAL, hw_cap_add_msix(dev, &c));
	c.pba_offset = 0x104;		/* not QWORD aligned */
	assert_errno(EINVAL, hw_cap_add_msix(dev, &c));
	c.pba_offset = 0xffc;
	assert_errno(EINVAL, hw_cap_add_msix(dev, &c));
	c.pba_offset = 0x100;
	c.table_offset = 0xf08;		/* table leaves the BAR */
	assert_errno(EINVAL, hw_cap_add_msix(dev, &c));
	/* Table in BAR0, PBA in BAR2 with the same offset: fine. */
	c.table_offset = 0x100;
	c.pba_bar = 2;
	assert_int_equal(hw_cap_add_msix(dev, &c), 0x40);
	assert_errno(EEXIST, hw_cap_add_msix(dev, &c));
	hw_pcidev_destroy(dev);
}

/* ------------------------------------------------------------ PCIe */

/* PCIe r6.2 §7.5.3 for an endpoint. */
static void test_pcie_endpoint(void **state)
{
	struct hw_pcidev *dev = tdev_new(PCI_HEADER_TYPE_NORMAL);
	struct hw_cap_pcie_cfg c = { .type = HW_PCIE_ENDPOINT, .max_payload = 512,
				     .extended_tag = true, .l0s_latency = 3, .l1_latency = 5,
				     .link_speed = 4, .link_width = 8, .cur_link_width = 4,
				     .aspm = 2, .ltr = true, .ten_bit_tag = true,
				     .atomic_ops = true };
	uint16_t p;
	int pos;

	pos = hw_cap_add_pcie(dev, &c);
	assert_int_equal(pos, 0x40);
	p = (uint16_t)pos;
	assert_true(dev->pcie);
	assert_int_equal(hw_pcidev_add_cap(dev, PCI_CAP_ID_VNDR, 4, NULL, NULL), 0x7c);
	assert_ok(hw_pcidev_realize(dev));
	assert_int_equal(cfgr(dev, p, 4), 0x00027c10);
	assert_int_equal(cfgr(dev, p + PCI_EXP_DEVCAP, 4),
			 2 | PCI_EXP_DEVCAP_EXT_TAG | 3 << 6 | 5 << 9 | PCI_EXP_DEVCAP_RBER);
	/* Device Control defaults: RO and No Snoop enabled, MRRS 512. */
	assert_int_equal(cfgr(dev, p + PCI_EXP_DEVCTL, 2), 0x2810);
	/* No FLR capability: bit 15 RsvdP, no reset. */
	assert_int_equal(cfg_write_ones(dev, p + PCI_EXP_DEVCTL, 2), 0x7dff);
	assert_int_equal(to_tdev(dev)->resets[HW_RESET_FLR], 0);
	/* Device Status error bits RW1C, others RO. */
	hw_pcidev_set16(dev, p + PCI_EXP_DEVSTA, 0x003f);
	cfgw(dev, p + PCI_EXP_DEVSTA, PCI_EXP_DEVSTA_NFED | PCI_EXP_DEVSTA_AUXPD, 2);
	assert_int_equal(cfgr(dev, p + PCI_EXP_DEVSTA, 2), 0x003d);
	cfgw(dev, p + PCI_EXP_DEVSTA, 0xffff, 2);
	assert_int_equal(cfgr(dev, p + PCI_EXP_DEVSTA, 2), 0x0030);
	/* Link: 16 GT/s x8 max, x4 negotiated, ASPM L1, port 0. */
	assert_int_equal(cfgr(dev, p + PCI_EXP_LNKCAP, 4), 0x00400884);
	assert_int_equal(cfgr(dev, p + PCI_EXP_LNKSTA, 2), 0x0044);
	/* Endpoint Link Control: ASPM, RCB, CCC, ES RW; no Link Disable. */
	assert_int_equal(cfg_write_ones(dev, p + PCI_EXP_LNKCTL, 2), 0x00cb);
	/* Link Status: no bandwidth notification on an endpoint. */
	hw_pcidev_set16(dev, p + PCI_EXP_LNKSTA, 0xc044);
	cfgw(dev, p + PCI_EXP_LNKSTA, 0xc000, 2);
	assert_int_equal(cfgr(dev, p + PCI_EXP_LNKSTA, 2), 0xc044);
	assert_int_equal(cfgr(dev, p + PCI_EXP_LNKCAP2, 4), 0x1e);
	/* Link Control 2: Target Link Speed defaults to max and is RWS. */
	assert_int_equal(cfgr(dev, p + PCI_EXP_LNKCTL2, 2), 4);
	cfgw(dev, p + PCI_EXP_LNKCTL2, 2, 2);
	assert_int_equal(cfgr(dev, p + PCI_EXP_LNKCTL2, 2), 2);
	hw_pcidev_reset(dev, HW_RESET_WARM);
	assert_int_equal(cfgr(dev, p + PCI_EXP_LNKCTL2, 2), 2);
	hw_pcidev_reset(dev, HW_RESET_COLD);
	assert_int_equal(cfgr(dev, p + PCI_EXP_LNKCTL2, 2), 4);
	/* DevCap2 / DevCtl2: ARI forwarding absent on endpoints. */
	assert_int_equal(cfgr(dev, p + PCI_EXP_DEVCAP2, 4),
			 PCI_EXP_DEVCAP2_ATOMIC_COMP32 | PCI_EXP_DEVCAP2_ATOMIC_COMP64 |
			 PCI_EXP_DEVCAP2_LTR | PCI_EXP_DEVCAP2_10BIT_TAG_COMP |
			 PCI_EXP_DEVCAP2_10BIT_TAG_REQ | PCI_EXP_DEVCAP2_EXT_FMT);
	assert_int_equal(cfg_write_ones(dev, p + PCI_EXP_DEVCTL2, 2),
			 PCI_EXP_DEVCTL2_ATOMIC_REQ | PCI_EXP_DEVCTL2_LTR_EN |
			 PCI_EXP_DEVCTL2_10BIT_TAG_REQ_EN);
	/* No slot/root registers: RsvdZ. */
	assert_int_equal(cfg_write_ones(dev, p + PCI_EXP_SLTCTL, 2), 0);
	assert_int_equal(cfg_write_ones(dev, p + PCI_EXP_RTCTL, 2), 0);
	assert_errno(EEXIST, hw_cap_add_pcie(dev, &c));
	hw_pcidev_destroy(dev);
}

/* Initiate FLR (§7.5.3.4, §6.6.2): resets the function, reads 0, keeps
 * Max_Payload_Size and link configuration. */
static void test_pcie_flr(void **state)
{
	struct hw_pcidev *dev = tdev_new(PCI_HEADER_TYPE_NORMAL);
	struct hw_cap_pcie_cfg c = { .type = HW_PCIE_ENDPOINT, .flr = true };
	struct hw_cap_msix_cfg mx = { .table_size = 4, .pba_offset = 0x800 };
	uint16_t p;

	assert_ok(hw_pcidev_set_bar(dev, 0, HW_BAR_MEM32, false, 0x1000));
	p = (uint16_t)hw_cap_add_pcie(dev, &c);
	assert_int_equal(hw_cap_add_msix(dev, &mx), 0x7c);
	assert_ok(hw_pcidev_realize(dev));
	assert_true(cfgr(dev, p + PCI_EXP_DEVCAP, 4) & PCI_EXP_DEVCAP_FLR);

	cfgw(dev, PCI_BASE_ADDRESS_0, 0xe0000000, 4);
	cfgw(dev, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
	mmio_wr(dev, 0xe000000c, 0);		/* unmask vector 0 */
	cfgw(dev, p + PCI_EXP_DEVCTL, 0x2810 | PCI_EXP_DEVCTL_PAYLOAD_256B | PCI_EXP_DEVCTL_CERE, 2);
	cfgw(dev, p + PCI_EXP_LNKCTL, PCI_EXP_LNKCTL_CCC | PCI_EXP_LNKCTL_ASPM_L1, 2);

	/* A write with bit 15 clear does nothing special. */
	assert_int_equal(to_tdev(dev)->resets[HW_RESET_FLR], 0);
	cfgw(dev, p + PCI_EXP_DEVCTL, 0x2810 | PCI_EXP_DEVCTL_PAYLOAD_256B |
	     PCI_EXP_DEVCTL_BCR_FLR, 2);
	assert_int_equal(to_tdev(dev)->resets[HW_RESET_FLR], 1);
	assert_int_equal(cfgr(dev, PCI_COMMAND, 2), 0);
	assert_int_equal(cfgr(dev, PCI_BASE_ADDRESS_0, 4), 0);
	/* DEVCTL back to defaults except MPS; FLR bit reads 0. */
	assert_int_equal(cfgr(dev, p + PCI_EXP_DEVCTL, 2), 0x2810 | PCI_EXP_DEVCTL_PAYLOAD_256B);
	assert_int_equal(cfgr(dev, p + PCI_EXP_LNKCTL, 2),
			 PCI_EXP_LNKCTL_CCC | PCI_EXP_LNKCTL_ASPM_L1);
	/* MSI-X vector masked again. */
	cfgw(dev, PCI_BASE_ADDRESS_0, 0xe0000000, 4);
	cfgw(dev, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	assert_int_equal(mmio_rd(dev, 0xe000000c), 1);
	/* A dword write covering DEVCTL triggers too. */
	cfgw(dev, p + PCI_EXP_DEVCTL, PCI_EXP_DEVCTL_BCR_FLR, 4);
	assert_int_equal(to_tdev(dev)->resets[HW_RESET_FLR], 2);
	/* A warm reset does not keep MPS. */
	hw_pcidev_reset(dev, HW_RESET_WARM);
	assert_int_equal(cfgr(dev, p + PCI_EXP_DEVCTL, 2), 0x2810);
	hw_pcidev_destroy(dev);
}

/* Root port with a hot-plug slot: §7.5.3.6-14. */
static void test_pcie_root_port(void **state)
{
	struct hw_pcidev *dev = port_with_pcie(HW_PCIE_ROOT_PORT, true);
	uint16_t p = hw_pcidev_find_cap(dev, PCI_CAP_ID_EXP);

	assert_int_equal(p, 0x40);
	assert_ok(hw_pcidev_realize(dev));
	assert_int_equal(cfgr(dev, p + PCI_EXP_FLAGS, 2), 0x0142);
	assert_true(cfgr(dev, p + PCI_EXP_LNKCAP, 4) &
		    (PCI_EXP_LNKCAP_DLLLARC | PCI_EXP_LNKCAP_LBNC | PCI_EXP_LNKCAP_SDERC));
	/* Link Control on a root port: RCB RO, LD and bandwidth IEs RW,
	 * Retrain Link reads 0. */
	assert_int_equal(cfg_write_ones(dev, p + PCI_EXP_LNKCTL, 2), 0x0cd3);
	/* Link Status LBMS/LABS RW1C. */
	hw_pcidev_set16(dev, p + PCI_EXP_LNKSTA, 0xe031);
	cfgw(dev, p + PCI_EXP_LNKSTA, PCI_EXP_LNKSTA_LBMS, 2);
	assert_int_equal(cfgr(dev, p + PCI_EXP_LNKSTA, 2), 0xa031);
	cfgw(dev, p + PCI_EXP_LNKSTA, 0xffff, 2);
	assert_int_equal(cfgr(dev, p + PCI_EXP_LNKSTA, 2), 0x2031);
	/* Slot: 25 W = 250 x 0.1? no: 25 x 1 W; slot 7; HPC HPS NCCS. */
	assert_int_equal(cfgr(dev, p + PCI_EXP_SLTCAP, 4),
			 7u << 19 | 25u << 7 | PCI_EXP_SLTCAP_HPC | PCI_EXP_SLTCAP_HPS |
			 PCI_EXP_SLTCAP_NCCS);
	assert_int_equal(cfg_write_ones(dev, p + PCI_EXP_SLTCTL, 2),
			 PCI_EXP_SLTCTL_PDCE | PCI_EXP_SLTCTL_HPIE | PCI_EXP_SLTCTL_DLLSCE);
	/* Slot Status: events RW1C, Presence Detect State RO. */
	assert_int_equal(cfgr(dev, p + PCI_EXP_SLTSTA, 2), PCI_EXP_SLTSTA_PDS);
	hw_pcidev_set16(dev, p + PCI_EXP_SLTSTA, 0x01ff);
	cfgw(dev, p + PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_PDS, 2);
	assert_int_equal(cfgr(dev, p + PCI_EXP_SLTSTA, 2), 0x01f7);
	cfgw(dev, p + PCI_EXP_SLTSTA, 0xffff, 2);
	assert_int_equal(cfgr(dev, p + PCI_EXP_SLTSTA, 2), 0x00e0);
	/* Root Control/Capabilities/Status. */
	assert_int_equal(cfgr(dev, p + PCI_EXP_RTCAP, 2), PCI_EXP_RTCAP_RRS_SV);
	assert_int_equal(cfg_write_ones(dev, p + PCI_EXP_RTCTL, 2), 0x1f);
	hw_pcidev_set32(dev, p + PCI_EXP_RTSTA, 0x00030100);
	cfgw(dev, p + PCI_EXP_RTSTA, 0xffffffff, 4);
	assert_int_equal(cfgr(dev, p + PCI_EXP_RTSTA, 4), 0x00020100);
	/* ARI Forwarding Enable writable on this port. */
	assert_true(cfgr(dev, p + PCI_EXP_DEVCAP2, 4) & PCI_EXP_DEVCAP2_ARI);
	assert_int_equal(cfg_write_ones(dev, p + PCI_EXP_DEVCTL2, 2), PCI_EXP_DEVCTL2_ARI);
	hw_pcidev_destroy(dev);
}

static void test_pcie_ports(void **state)
{
	struct hw_pcidev *ds = port_with_pcie(HW_PCIE_DOWNSTREAM, false);
	struct hw_pcidev *us = tdev_new(PCI_HEADER_TYPE_BRIDGE);
	struct hw_cap_pcie_cfg c = { .type = HW_PCIE_UPSTREAM };
	uint16_t p = 0x40;

	/* A downstream port without a slot: PDS hardwired 1, no root regs. */
	assert_int_equal(cfgr(ds, p + PCI_EXP_FLAGS, 2), 0x0062);
	assert_int_equal(cfgr(ds, p + PCI_EXP_SLTSTA, 2), PCI_EXP_SLTSTA_PDS);
	assert_int_equal(cfg_write_ones(ds, p + PCI_EXP_RTCTL, 2), 0);
	assert_int_equal(cfg_write_ones(ds, p + PCI_EXP_DEVCTL2, 2), PCI_EXP_DEVCTL2_ARI);
	/* Upstream port: no Link Disable, no LBMS. */
	assert_int_equal(hw_cap_add_pcie(us, &c), 0x40);
	assert_int_equal(cfgr(us, p + PCI_EXP_FLAGS, 2), 0x0052);
	assert_int_equal(cfg_write_ones(us, p + PCI_EXP_LNKCTL, 2), 0x00c3);
	assert_int_equal(cfg_write_ones(us, p + PCI_EXP_DEVCTL2, 2), 0);
	hw_pcidev_destroy(ds);
	hw_pcidev_destroy(us);
}

static void test_pcie_invalid(void **state)
{
	struct hw_pcidev *ep = tdev_new(PCI_HEADER_TYPE_NORMAL);
	struct hw_pcidev *br = tdev_new(PCI_HEADER_TYPE_BRIDGE);
	struct hw_cap_pcie_cfg c = { .type = HW_PCIE_ENDPOINT };

	c.max_payload = 384;
	assert_errno(EINVAL, hw_cap_add_pcie(ep, &c));
	c.max_payload = 64;
	assert_errno(EINVAL, hw_cap_add_pcie(ep, &c));
	c.max_payload = 8192;
	assert_errno(EINVAL, hw_cap_add_pcie(ep, &c));
	c.max_payload = 4096;
	c.link_width = 3;
	assert_errno(EINVAL, hw_cap_add_pcie(ep, &c));
	c.link_width = 4;
	c.cur_link_width = 8;
	assert_errno(EINVAL, hw_cap_add_pcie(ep, &c));
	c.cur_link_width = 0;
	c.link_speed = 7;
	assert_errno(EINVAL, hw_cap_add_pcie(ep, &c));
	c.link_speed = 2;
	c.cur_link_speed = 3;
	assert_errno(EINVAL, hw_cap_add_pcie(ep, &c));
	c.cur_link_speed = 0;
	c.ari_forwarding = true;	/* not a port */
	assert_errno(EINVAL, hw_cap_add_pcie(ep, &c));
	c.ari_forwarding = false;
	c.slot = true;
	assert_errno(EINVAL, hw_cap_add_pcie(ep, &c));
	c.slot = false;
	c.type = HW_PCIE_ROOT_PORT;	/* type 0 header */
	assert_errno(EINVAL, hw_cap_add_pcie(ep, &c));
	c.type = 3;			/* reserved encoding */
	assert_errno(EINVAL, hw_cap_add_pcie(ep, &c));
	c.type = HW_PCIE_ENDPOINT;	/* type 1 header */
	assert_errno(EINVAL, hw_cap_add_pcie(br, &c));
	c.type = HW_PCIE_ROOT_PORT;
	c.flr = true;			/* FLR is for endpoints */
	assert_errno(EINVAL, hw_cap_add_pcie(br, &c));
	c.flr = false;
	c.hotplug = true;		/* hot-plug without a slot */
	assert_errno(EINVAL, hw_cap_add_pcie(br, &c));
	c.slot = true;
	c.power_limit_mw = 1234;	/* 1.234 W: 1234 x 0.001 would exceed EFh */
	assert_errno(EINVAL, hw_cap_add_pcie(br, &c));
	c.power_limit_mw = 0;
	assert_int_equal(hw_cap_add_pcie(br, &c), 0x40);
	assert_false(ep->pcie);
	hw_pcidev_destroy(ep);
	hw_pcidev_destroy(br);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pm),
		cmocka_unit_test(test_pm_invalid),
		cmocka_unit_test(test_msi_layouts),
		cmocka_unit_test(test_msi_invalid),
		cmocka_unit_test(test_msix),
		cmocka_unit_test(test_msix_invalid),
		cmocka_unit_test(test_pcie_endpoint),
		cmocka_unit_test(test_pcie_flr),
		cmocka_unit_test(test_pcie_root_port),
		cmocka_unit_test(test_pcie_ports),
		cmocka_unit_test(test_pcie_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
