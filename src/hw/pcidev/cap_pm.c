// SPDX-License-Identifier: MIT
/*
 * Power Management capability, PCI Bus Power Management Interface r1.2 §3.2
 * and PCIe r6.2 §7.5.2.
 */
#include "base/err.h"
#include "hw/pcidev/caps.h"

/* PMC Aux_Current encodings (PCI PM r1.2 §3.2.3, PCIe r6.2 §7.5.2.1), mA. */
static const uint16_t hw_pm_aux_ma[8] = { 0, 55, 100, 160, 220, 270, 320, 375 };

/*
 * PMCSR PowerState (PCIe r6.2 §7.5.2.2): a write of a state the function
 * does not support completes normally but is discarded.
 */
static void hw_pm_write(struct hw_pcidev *dev, void *opaque, uint16_t off,
			uint32_t val, uint32_t old, unsigned int len)
{
	uint16_t pos = hw_pcidev_find_cap(dev, PCI_CAP_ID_PM);
	uint16_t pmc = hw_pcidev_get16(dev, pos + PCI_PM_PMC);
	uint32_t v, bytes, st;
	uint16_t csr;

	if (!hw_cfg_write_hits(off, val, len, pos + PCI_PM_CTRL, 1, &v, &bytes))
		return;
	st = v & PCI_PM_CTRL_STATE_MASK;
	if ((st == 1 && !(pmc & PCI_PM_CAP_D1)) || (st == 2 && !(pmc & PCI_PM_CAP_D2))) {
		/* old holds the bytes before the write, starting at off */
		uint32_t prev = old >> (8 * (pos + PCI_PM_CTRL - off));

		csr = hw_pcidev_get16(dev, pos + PCI_PM_CTRL);
		csr = (uint16_t)((csr & ~PCI_PM_CTRL_STATE_MASK) |
				 (prev & PCI_PM_CTRL_STATE_MASK));
		hw_pcidev_set16(dev, pos + PCI_PM_CTRL, csr);
	}
}

static const struct hw_pcicap_ops hw_pm_ops = {
	.write = hw_pm_write,
};

int hw_cap_add_pm(struct hw_pcidev *dev, const struct hw_cap_pm_cfg *cfg)
{
	uint8_t ver = cfg->version ? cfg->version : 3;
	unsigned int aux;
	uint16_t pmc, csr_w, sticky = 0;
	int pos;

	if (ver > 3 || cfg->pme_support > 0x1f)
		return -EINVAL;
	/* PME_Support may not claim a D-state the function lacks. */
	if (((cfg->pme_support & 0x02) && !cfg->d1) || ((cfg->pme_support & 0x04) && !cfg->d2))
		return -EINVAL;
	for (aux = 0; aux < 8 && hw_pm_aux_ma[aux] < cfg->aux_current_ma; aux++)
		;
	if (aux == 8)
		return -EINVAL;

	pos = hw_pcidev_add_cap(dev, PCI_CAP_ID_PM, PCI_PM_SIZEOF, &hw_pm_ops, NULL);
	if (pos < 0)
		return pos;
	/* PMC (§7.5.2.1): all HwInit. */
	pmc = (uint16_t)(ver | (aux << 6) | (cfg->d1 ? PCI_PM_CAP_D1 : 0) |
			 (cfg->d2 ? PCI_PM_CAP_D2 : 0) |
			 ((uint16_t)cfg->pme_support << PCI_PM_CAP_PME_SHIFT));
	hw_pcidev_set16(dev, (uint16_t)pos + PCI_PM_PMC, pmc);

	/*
	 * PMCSR (§7.5.2.2): PowerState RW, No_Soft_Reset HwInit, PME_En RW
	 * and PME_Status RW1C, both sticky when the function can signal PME
	 * from D3cold (they must survive the loss of main power); both are
	 * hardwired 0 without any PME support. Data_Select/Scale RO 0 (no
	 * Data register).
	 */
	csr_w = PCI_PM_CTRL_STATE_MASK;
	if (cfg->pme_support) {
		csr_w |= PCI_PM_CTRL_PME_ENABLE;
		hw_pcidev_set_w1cmask16(dev, (uint16_t)pos + PCI_PM_CTRL, PCI_PM_CTRL_PME_STATUS);
	}
	if (cfg->pme_support & 0x10)
		sticky = PCI_PM_CTRL_PME_ENABLE | PCI_PM_CTRL_PME_STATUS;
	hw_pcidev_set16(dev, (uint16_t)pos + PCI_PM_CTRL,
			cfg->no_soft_reset ? PCI_PM_CTRL_NO_SOFT_RESET : 0);
	hw_pcidev_set_wmask16(dev, (uint16_t)pos + PCI_PM_CTRL, csr_w);
	hw_pcidev_set_sticky16(dev, (uint16_t)pos + PCI_PM_CTRL, sticky);
	return pos;
}
