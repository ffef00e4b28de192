// SPDX-License-Identifier: MIT
/* Downstream Port Containment Extended Capability, PCIe r6.2 §7.9.14. */
#include "base/err.h"
#include "hw/pcidev/caps.h"
#include "hw/pcidev/pci_regs_ext.h"

#define HW_DPC_BASE_LEN	0x0c	/* through DPC Error Source ID */
#define HW_DPC_RP_LEN	0x20	/* + RP PIO Status..Exception */

/*
 * DPC Software Trigger (§7.9.14.3): writing 1 while DPC is enabled and not
 * already triggered triggers DPC with Trigger Reason "see extension" and
 * Trigger Reason Extension "DPC Software Trigger" (§7.9.14.4). The bit
 * reads 0. Containing the link is the fabric's business (it sees Trigger
 * Status through its ops->cfg_write hook).
 */
static void hw_dpc_write(struct hw_pcidev *dev, void *opaque, uint16_t off,
			 uint32_t val, uint32_t old, unsigned int len)
{
	uint16_t pos = hw_pcidev_find_ext_cap(dev, PCI_EXT_CAP_ID_DPC);
	uint16_t ctl, sta;
	uint32_t v;

	if (!pos || !hw_cfg_write_hits(off, val, len, pos + PCI_EXP_DPC_CTL, 2, &v, NULL))
		return;
	if (!(v & PCI_EXP_DPC_CTL_SW_TRIGGER) ||
	    !(hw_pcidev_get16(dev, pos + PCI_EXP_DPC_CAP) & PCI_EXP_DPC_CAP_SW_TRIGGER))
		return;
	ctl = hw_pcidev_get16(dev, pos + PCI_EXP_DPC_CTL);
	sta = hw_pcidev_get16(dev, pos + PCI_EXP_DPC_STATUS);
	if (!(ctl & (PCI_EXP_DPC_CTL_EN_FATAL | PCI_EXP_DPC_CTL_EN_NONFATAL)) ||
	    (sta & PCI_EXP_DPC_STATUS_TRIGGER))
		return;
	sta &= (uint16_t)~(PCI_EXP_DPC_STATUS_TRIGGER_RSN | PCI_EXP_DPC_STATUS_TRIGGER_RSN_EXT);
	sta |= PCI_EXP_DPC_STATUS_TRIGGER | PCI_EXP_DPC_STATUS_TRIGGER_RSN_IN_EXT |
	       PCI_EXP_DPC_STATUS_TRIGGER_RSN_SW_TRIGGER;
	if (ctl & PCI_EXP_DPC_CTL_INT_EN)
		sta |= PCI_EXP_DPC_STATUS_INTERRUPT;
	hw_pcidev_set16(dev, pos + PCI_EXP_DPC_STATUS, sta);
}

static const struct hw_pcicap_ops hw_dpc_ops = {
	.write = hw_dpc_write,
};

static int hw_dpc_port_type(const struct hw_pcidev *dev)
{
	uint16_t pcie = hw_pcidev_find_cap(dev, PCI_CAP_ID_EXP);

	if (!pcie)
		return -1;
	return (hw_pcidev_get16(dev, pcie + PCI_EXP_FLAGS) & PCI_EXP_FLAGS_TYPE) >> 4;
}

int hw_cap_add_dpc(struct hw_pcidev *dev, const struct hw_cap_dpc_cfg *cfg)
{
	unsigned int log = cfg->rp_pio_log_size;
	int type = hw_dpc_port_type(dev);
	uint16_t cap, ctl_w, p, len = HW_DPC_BASE_LEN;
	int pos, i;

	/* DPC lives in downstream-facing ports (type 1 header), RP
	 * Extensions only in root ports (§7.9.14.2). */
	if (dev->hdr_type != PCI_HEADER_TYPE_BRIDGE)
		return -EINVAL;
	if (cfg->rp_extensions && type >= 0 && type != PCI_EXP_TYPE_ROOT_PORT)
		return -EINVAL;
	/* RP PIO Log Size: 4..9 DWORDs (Header Log, ImpSpec Log, up to four
	 * TLP Prefix Log DWORDs) with RP Extensions, 0 without; 0 here
	 * selects the minimum 4. */
	if (cfg->rp_extensions) {
		if (!log)
			log = 4;
		if (log < 4 || log > 9)
			return -EINVAL;
		len = (uint16_t)(HW_DPC_RP_LEN + 4 * log);
	} else if (log) {
		return -EINVAL;
	}
	pos = hw_pcidev_add_ext_cap(dev, PCI_EXT_CAP_ID_DPC, 1, len, &hw_dpc_ops, NULL);
	if (pos < 0)
		return pos;
	p = (uint16_t)pos;

	/* DPC Capability (§7.9.14.2), all RO. */
	cap = (uint16_t)(log << 8);
	if (cfg->rp_extensions)
		cap |= PCI_EXP_DPC_CAP_RP_EXT;
	if (cfg->poisoned_tlp_egress_blocking)
		cap |= PCI_EXP_DPC_CAP_POISONED_TLP;
	if (cfg->sw_trigger)
		cap |= PCI_EXP_DPC_CAP_SW_TRIGGER;
	if (cfg->dl_active_err_cor)
		cap |= PCI_EXP_DPC_CAP_DL_ACTIVE;
	hw_pcidev_set16(dev, p + PCI_EXP_DPC_CAP, cap);

	/* DPC Control (§7.9.14.3): Trigger Enable, Completion Control,
	 * Interrupt Enable, ERR_COR Enable RW; the optional enables RW when
	 * supported. Software Trigger reads 0 (hw_dpc_write). */
	ctl_w = PCI_EXP_DPC_CTL_EN_FATAL | PCI_EXP_DPC_CTL_EN_NONFATAL |
		PCI_EXP_DPC_CTL_COMPL | PCI_EXP_DPC_CTL_INT_EN | PCI_EXP_DPC_CTL_ERR_COR_EN;
	if (cfg->poisoned_tlp_egress_blocking)
		ctl_w |= PCI_EXP_DPC_CTL_POISONED_BLK;
	if (cfg->dl_active_err_cor)
		ctl_w |= PCI_EXP_DPC_CTL_DL_ACTIVE;
	hw_pcidev_set_wmask16(dev, p + PCI_EXP_DPC_CTL, ctl_w);

	/* DPC Status (§7.9.14.4): Trigger Status and Interrupt Status RW1C,
	 * the reasons and RP Busy RO, RP PIO First Error Pointer ROS (1Fh
	 * when no error is logged). */
	hw_pcidev_set_w1cmask16(dev, p + PCI_EXP_DPC_STATUS,
				PCI_EXP_DPC_STATUS_TRIGGER | PCI_EXP_DPC_STATUS_INTERRUPT);
	if (cfg->rp_extensions) {
		hw_pcidev_set16(dev, p + PCI_EXP_DPC_STATUS, PCI_EXP_DPC_RP_PIO_FEP);
		hw_pcidev_set_sticky16(dev, p + PCI_EXP_DPC_STATUS, PCI_EXP_DPC_RP_PIO_FEP);
		/*
		 * RP PIO Status RW1CS (§7.9.14.6); Mask (default all masked),
		 * Severity, SysError and Exception RWS (§7.9.14.7-10); the
		 * logs ROS (§7.9.14.11-13).
		 */
		hw_pcidev_set_w1cmask32(dev, p + PCI_EXP_DPC_RP_PIO_STATUS, PCI_EXP_DPC_RP_PIO_BITS);
		for (i = 0; i < 5; i++) {
			uint16_t r = (uint16_t)(p + PCI_EXP_DPC_RP_PIO_STATUS + 4 * i);

			hw_pcidev_set_sticky32(dev, r, PCI_EXP_DPC_RP_PIO_BITS);
			if (i)
				hw_pcidev_set_wmask32(dev, r, PCI_EXP_DPC_RP_PIO_BITS);
		}
		hw_pcidev_set32(dev, p + PCI_EXP_DPC_RP_PIO_MASK, PCI_EXP_DPC_RP_PIO_BITS);
		for (i = 0; i < (int)log; i++)
			hw_pcidev_set_sticky32(dev, (uint16_t)(p + PCI_EXP_DPC_RP_PIO_HEADER_LOG + 4 * i),
					       0xffffffff);
	}
	return pos;
}
