// SPDX-License-Identifier: MIT
/* PCI Express Capability, version 2, PCIe r6.2 §7.5.3. */
#include "base/err.h"
#include "hw/pcidev/caps.h"
#include "hw/pcidev/pci_regs_ext.h"

/* The v2 structure always spans all registers up to Slot Status 2 (§7.5.3);
 * registers a port type does not have are RsvdZ. */
#define HW_PCIE_CAP_LEN		0x3c

static bool hw_pcie_is_port(enum hw_pcie_port_type t)
{
	return t == HW_PCIE_ROOT_PORT || t == HW_PCIE_DOWNSTREAM;
}

static bool hw_pcie_is_endpoint(enum hw_pcie_port_type t)
{
	return t == HW_PCIE_ENDPOINT || t == HW_PCIE_LEGACY_ENDPOINT ||
	       t == HW_PCIE_RC_INTEGRATED;
}

static bool hw_pcie_has_link(enum hw_pcie_port_type t)
{
	return t != HW_PCIE_RC_INTEGRATED && t != HW_PCIE_RC_EC;
}

static bool hw_pcie_type_valid(enum hw_pcie_port_type t)
{
	switch (t) {
	case HW_PCIE_ENDPOINT: case HW_PCIE_LEGACY_ENDPOINT:
	case HW_PCIE_ROOT_PORT: case HW_PCIE_UPSTREAM: case HW_PCIE_DOWNSTREAM:
	case HW_PCIE_PCIE_TO_PCI: case HW_PCIE_PCI_TO_PCIE:
	case HW_PCIE_RC_INTEGRATED: case HW_PCIE_RC_EC:
		return true;
	}
	return false;
}

/* Functions with a type 1 header (§7.5.1.1.9 Header Type vs §7.5.3.2). */
static bool hw_pcie_type_is_bridge(enum hw_pcie_port_type t)
{
	return t == HW_PCIE_ROOT_PORT || t == HW_PCIE_UPSTREAM ||
	       t == HW_PCIE_DOWNSTREAM || t == HW_PCIE_PCIE_TO_PCI ||
	       t == HW_PCIE_PCI_TO_PCIE;
}

/* Slot Power Limit Value/Scale (§7.5.3.9): value * 10^-scale W, value
 * 00h..EFh; returns false if mw has no exact encoding. */
static bool hw_pcie_power_limit(uint16_t mw, uint32_t *val, uint32_t *scale)
{
	static const uint32_t div[4] = { 1000, 100, 10, 1 };
	unsigned int s;

	for (s = 0; s < 4; s++) {
		if (mw % div[s] == 0 && mw / div[s] <= 0xef) {
			*val = mw / div[s];
			*scale = s;
			return true;
		}
	}
	return false;
}

static bool hw_pcie_width_valid(unsigned int w)
{
	return w == 1 || w == 2 || w == 4 || w == 8 || w == 12 || w == 16 || w == 32;
}

/*
 * Device Control "Initiate Function Level Reset" (§7.5.3.4): writing 1 to
 * an FLR-capable function starts an FLR (§6.6.2); the bit always reads 0,
 * which the mask already ensures (it is not in wmask).
 */
static void hw_pcie_write(struct hw_pcidev *dev, void *opaque, uint16_t off,
			  uint32_t val, uint32_t old, unsigned int len)
{
	uint16_t pos = hw_pcidev_find_cap(dev, PCI_CAP_ID_EXP);
	uint32_t v;

	if (!pos || !hw_cfg_write_hits(off, val, len, pos + PCI_EXP_DEVCTL, 2, &v, NULL))
		return;
	if ((v & PCI_EXP_DEVCTL_BCR_FLR) &&
	    (hw_pcidev_get32(dev, pos + PCI_EXP_DEVCAP) & PCI_EXP_DEVCAP_FLR))
		hw_pcidev_reset(dev, HW_RESET_FLR);
}

static const struct hw_pcicap_ops hw_pcie_ops = {
	.write = hw_pcie_write,
};

static int hw_pcie_validate(const struct hw_pcidev *dev, const struct hw_cap_pcie_cfg *cfg)
{
	enum hw_pcie_port_type t = cfg->type;
	unsigned int mps = cfg->max_payload ? cfg->max_payload : 256;
	unsigned int speed = cfg->link_speed ? cfg->link_speed : 3;
	unsigned int width = cfg->link_width ? cfg->link_width : 1;

	if (!hw_pcie_type_valid(t))
		return -EINVAL;
	if (hw_pcie_type_is_bridge(t) != (dev->hdr_type == PCI_HEADER_TYPE_BRIDGE))
		return -EINVAL;
	if (!is_power_of_2(mps) || mps < 128 || mps > 4096)
		return -EINVAL;
	if (cfg->l0s_latency > 7 || cfg->l1_latency > 7 || cfg->aspm > 3 || cfg->obff > 3)
		return -EINVAL;
	if (speed > 6 || !hw_pcie_width_valid(width))
		return -EINVAL;
	if (cfg->cur_link_speed > speed || cfg->cur_link_width > width ||
	    (cfg->cur_link_width && !hw_pcie_width_valid(cfg->cur_link_width)))
		return -EINVAL;
	/* FLR capability applies to endpoints only (§7.5.3.3). */
	if (cfg->flr && !hw_pcie_is_endpoint(t))
		return -EINVAL;
	/* Slots hang below root and downstream ports (§7.5.3.2). */
	if ((cfg->slot || cfg->hotplug || cfg->ari_forwarding) && !hw_pcie_is_port(t))
		return -EINVAL;
	if ((cfg->hotplug || cfg->power_limit_mw || cfg->slot_number) && !cfg->slot)
		return -EINVAL;
	if (cfg->slot_number > 0x1fff || cfg->crs_visibility > 1 ||
	    (cfg->crs_visibility && t != HW_PCIE_ROOT_PORT && t != HW_PCIE_RC_EC))
		return -EINVAL;
	if (cfg->power_limit_mw) {
		uint32_t v, s;

		if (!hw_pcie_power_limit(cfg->power_limit_mw, &v, &s))
			return -EINVAL;
	}
	return 0;
}

int hw_cap_add_pcie(struct hw_pcidev *dev, const struct hw_cap_pcie_cfg *cfg)
{
	enum hw_pcie_port_type t = cfg->type;
	unsigned int mps = cfg->max_payload ? cfg->max_payload : 256;
	unsigned int speed = cfg->link_speed ? cfg->link_speed : 3;
	unsigned int width = cfg->link_width ? cfg->link_width : 1;
	unsigned int cspeed = cfg->cur_link_speed ? cfg->cur_link_speed : speed;
	unsigned int cwidth = cfg->cur_link_width ? cfg->cur_link_width : width;
	bool port = hw_pcie_is_port(t), ep = hw_pcie_is_endpoint(t);
	bool link = hw_pcie_has_link(t);
	bool root = t == HW_PCIE_ROOT_PORT || t == HW_PCIE_RC_EC;
	uint32_t devcap, lnkcap, sltcap, devcap2, v, s;
	uint16_t flags, devctl_w, lnkctl_w, devctl2_w, sltctl_w, p;
	int pos, rc;

	rc = hw_pcie_validate(dev, cfg);
	if (rc < 0)
		return rc;
	pos = hw_pcidev_add_cap(dev, PCI_CAP_ID_EXP, HW_PCIE_CAP_LEN, &hw_pcie_ops, NULL);
	if (pos < 0)
		return pos;
	p = (uint16_t)pos;
	dev->pcie = true;

	/* PCI Express Capabilities (§7.5.3.2): version 2, type, Slot
	 * Implemented. */
	flags = (uint16_t)(2 | (t << 4) | (cfg->slot ? PCI_EXP_FLAGS_SLOT : 0));
	hw_pcidev_set16(dev, p + PCI_EXP_FLAGS, flags);

	/*
	 * Device Capabilities (§7.5.3.3): Max_Payload_Size Supported,
	 * Extended Tag, endpoint L0s/L1 acceptable latencies, Role-Based
	 * Error Reporting (mandatory since r1.1), FLR.
	 */
	devcap = pl_ffs64(mps / 128) | PCI_EXP_DEVCAP_RBER;
	if (cfg->extended_tag)
		devcap |= PCI_EXP_DEVCAP_EXT_TAG;
	if (ep && t != HW_PCIE_RC_INTEGRATED)
		devcap |= (uint32_t)cfg->l0s_latency << 6 | (uint32_t)cfg->l1_latency << 9;
	if (cfg->flr)
		devcap |= PCI_EXP_DEVCAP_FLR;
	hw_pcidev_set32(dev, p + PCI_EXP_DEVCAP, devcap);

	/*
	 * Device Control (§7.5.3.4): error reporting enables, Relaxed
	 * Ordering and No Snoop (default 1), Max_Payload_Size, Max Read
	 * Request Size (default 512 bytes), Extended Tag when supported, Aux
	 * Power PM Enable (RWS). Bit 15 is Initiate FLR for FLR-capable
	 * endpoints (reads 0, handled in hw_pcie_write) and Bridge
	 * Configuration Retry Enable on PCIe-to-PCI bridges.
	 */
	devctl_w = PCI_EXP_DEVCTL_CERE | PCI_EXP_DEVCTL_NFERE | PCI_EXP_DEVCTL_FERE |
		   PCI_EXP_DEVCTL_URRE | PCI_EXP_DEVCTL_RELAX_EN | PCI_EXP_DEVCTL_PAYLOAD |
		   PCI_EXP_DEVCTL_AUX_PME | PCI_EXP_DEVCTL_NOSNOOP_EN | PCI_EXP_DEVCTL_READRQ;
	if (cfg->extended_tag)
		devctl_w |= PCI_EXP_DEVCTL_EXT_TAG;
	if (t == HW_PCIE_PCIE_TO_PCI)
		devctl_w |= PCI_EXP_DEVCTL_BCR_FLR;
	hw_pcidev_set16(dev, p + PCI_EXP_DEVCTL,
			PCI_EXP_DEVCTL_RELAX_EN | PCI_EXP_DEVCTL_NOSNOOP_EN |
			PCI_EXP_DEVCTL_READRQ_512B);
	hw_pcidev_set_wmask16(dev, p + PCI_EXP_DEVCTL, devctl_w);
	hw_pcidev_set_sticky16(dev, p + PCI_EXP_DEVCTL, PCI_EXP_DEVCTL_AUX_PME);
	/* §6.6.2: an FLR leaves Max_Payload_Size alone. */
	hw_pcidev_set_flr_keep16(dev, p + PCI_EXP_DEVCTL, PCI_EXP_DEVCTL_PAYLOAD);

	/* Device Status (§7.5.3.5): the four error-detected bits RW1C. */
	hw_pcidev_set_w1cmask16(dev, p + PCI_EXP_DEVSTA,
				PCI_EXP_DEVSTA_CED | PCI_EXP_DEVSTA_NFED |
				PCI_EXP_DEVSTA_FED | PCI_EXP_DEVSTA_URD);

	if (link) {
		/*
		 * Link Capabilities (§7.5.3.6): speed, width, ASPM support,
		 * DLL Link Active Reporting (downstream-facing ports), Link
		 * Bandwidth Notification (mandatory for root and downstream
		 * ports), Surprise Down reporting with hot-plug, ASPM
		 * Optionality Compliance, Port Number.
		 */
		lnkcap = speed | width << 4 | (uint32_t)cfg->aspm << 10 |
			 PCI_EXP_LNKCAP_ASPM_OPT | (uint32_t)cfg->port_number << 24;
		if (port && cfg->dll_link_active_reporting)
			lnkcap |= PCI_EXP_LNKCAP_DLLLARC;
		if (port)
			lnkcap |= PCI_EXP_LNKCAP_LBNC;
		if (port && cfg->hotplug)
			lnkcap |= PCI_EXP_LNKCAP_SDERC;
		hw_pcidev_set32(dev, p + PCI_EXP_LNKCAP, lnkcap);

		/*
		 * Link Control (§7.5.3.7): ASPM Control, Common Clock and
		 * Extended Synch RW everywhere; RCB RW on endpoints and
		 * bridges (RO on root ports, RsvdP on switch ports); Link
		 * Disable and the bandwidth interrupt enables on downstream-
		 * facing ports. Retrain Link always reads 0.
		 */
		lnkctl_w = PCI_EXP_LNKCTL_ASPMC | PCI_EXP_LNKCTL_CCC | PCI_EXP_LNKCTL_ES;
		if (ep || t == HW_PCIE_PCIE_TO_PCI || t == HW_PCIE_PCI_TO_PCIE)
			lnkctl_w |= PCI_EXP_LNKCTL_RCB;
		if (port)
			lnkctl_w |= PCI_EXP_LNKCTL_LD | PCI_EXP_LNKCTL_LBMIE |
				    PCI_EXP_LNKCTL_LABIE;
		hw_pcidev_set_wmask16(dev, p + PCI_EXP_LNKCTL, lnkctl_w);
		/* §6.6.2: an FLR does not touch the link configuration. */
		hw_pcidev_set_flr_keep16(dev, p + PCI_EXP_LNKCTL,
					 PCI_EXP_LNKCTL_ASPMC | PCI_EXP_LNKCTL_RCB |
					 PCI_EXP_LNKCTL_CCC | PCI_EXP_LNKCTL_ES);

		/* Link Status (§7.5.3.8): negotiated speed/width RO; LBMS
		 * and LABS RW1C where bandwidth notification exists. */
		hw_pcidev_set16(dev, p + PCI_EXP_LNKSTA,
				(uint16_t)(cspeed | cwidth << PCI_EXP_LNKSTA_NLW_SHIFT));
		if (port)
			hw_pcidev_set_w1cmask16(dev, p + PCI_EXP_LNKSTA,
						PCI_EXP_LNKSTA_LBMS | PCI_EXP_LNKSTA_LABS);

		/* Link Capabilities 2 (§7.5.3.18): every speed up to max. */
		hw_pcidev_set32(dev, p + PCI_EXP_LNKCAP2, (uint32_t)(BIT(speed) - 1) << 1);
		/*
		 * Link Control 2 (§7.5.3.19): Target Link Speed (default the
		 * max), Enter Compliance, HW Autonomous Speed Disable,
		 * Transmit Margin, Enter Modified Compliance, Compliance SOS
		 * and Compliance Preset are RWS.
		 */
		hw_pcidev_set16(dev, p + PCI_EXP_LNKCTL2, (uint16_t)speed);
		hw_pcidev_set_wmask16(dev, p + PCI_EXP_LNKCTL2, 0xffbf);
		hw_pcidev_set_sticky16(dev, p + PCI_EXP_LNKCTL2, 0xffbf);
	}

	if (cfg->slot) {
		/*
		 * Slot Capabilities (§7.5.3.9): a hot-plug slot here is
		 * surprise-capable with no button, indicators, MRL or power
		 * controller and no command-completed notification.
		 */
		sltcap = (uint32_t)cfg->slot_number << 19;
		if (cfg->hotplug)
			sltcap |= PCI_EXP_SLTCAP_HPC | PCI_EXP_SLTCAP_HPS | PCI_EXP_SLTCAP_NCCS;
		if (cfg->power_limit_mw && hw_pcie_power_limit(cfg->power_limit_mw, &v, &s))
			sltcap |= v << 7 | s << 15;
		hw_pcidev_set32(dev, p + PCI_EXP_SLTCAP, sltcap);
		/* Slot Control (§7.5.3.10): only the enables of implemented
		 * events are RW. */
		sltctl_w = 0;
		if (cfg->hotplug)
			sltctl_w |= PCI_EXP_SLTCTL_PDCE | PCI_EXP_SLTCTL_HPIE;
		if (cfg->hotplug && cfg->dll_link_active_reporting)
			sltctl_w |= PCI_EXP_SLTCTL_DLLSCE;
		hw_pcidev_set_wmask16(dev, p + PCI_EXP_SLTCTL, sltctl_w);
		/* Slot Status (§7.5.3.11): event bits RW1C, state bits RO;
		 * Presence Detect State reflects the slot. */
		hw_pcidev_set_w1cmask16(dev, p + PCI_EXP_SLTSTA,
					PCI_EXP_SLTSTA_ABP | PCI_EXP_SLTSTA_PFD |
					PCI_EXP_SLTSTA_MRLSC | PCI_EXP_SLTSTA_PDC |
					PCI_EXP_SLTSTA_CC | PCI_EXP_SLTSTA_DLLSC);
		hw_pcidev_set16(dev, p + PCI_EXP_SLTSTA,
				cfg->presence ? PCI_EXP_SLTSTA_PDS : 0);
	} else if (port) {
		/* §7.5.3.11: without a slot Presence Detect State is 1. */
		hw_pcidev_set16(dev, p + PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_PDS);
	}

	if (root) {
		/* Root Control/Capabilities/Status (§7.5.3.12-14). */
		hw_pcidev_set_wmask16(dev, p + PCI_EXP_RTCTL,
				      PCI_EXP_RTCTL_SECEE | PCI_EXP_RTCTL_SENFEE |
				      PCI_EXP_RTCTL_SEFEE | PCI_EXP_RTCTL_PMEIE |
				      (cfg->crs_visibility ? PCI_EXP_RTCTL_RRS_SVE : 0));
		hw_pcidev_set16(dev, p + PCI_EXP_RTCAP,
				cfg->crs_visibility ? PCI_EXP_RTCAP_RRS_SV : 0);
		hw_pcidev_set_w1cmask32(dev, p + PCI_EXP_RTSTA, PCI_EXP_RTSTA_PME);
	}

	/*
	 * Device Capabilities 2 (§7.5.3.15) and Device Control 2 (§7.5.3.16):
	 * each control is RW only when the matching capability exists.
	 */
	devcap2 = PCI_EXP_DEVCAP2_EXT_FMT;
	devctl2_w = 0;
	if (cfg->completion_timeout_disable) {
		devcap2 |= PCI_EXP_DEVCAP2_COMP_TMOUT_DIS;
		devctl2_w |= PCI_EXP_DEVCTL2_COMP_TMOUT_DIS;
	}
	if (cfg->ari_forwarding) {
		devcap2 |= PCI_EXP_DEVCAP2_ARI;
		devctl2_w |= PCI_EXP_DEVCTL2_ARI;
	}
	if (cfg->atomic_ops) {
		if (hw_pcie_type_is_bridge(t) && t != HW_PCIE_PCIE_TO_PCI &&
		    t != HW_PCIE_PCI_TO_PCIE) {
			devcap2 |= PCI_EXP_DEVCAP2_ATOMIC_ROUTE;
			if (t != HW_PCIE_UPSTREAM)
				devctl2_w |= PCI_EXP_DEVCTL2_ATOMIC_EGRESS_BLOCK;
		}
		if (ep || t == HW_PCIE_ROOT_PORT) {
			devcap2 |= PCI_EXP_DEVCAP2_ATOMIC_COMP32 | PCI_EXP_DEVCAP2_ATOMIC_COMP64;
			devctl2_w |= PCI_EXP_DEVCTL2_ATOMIC_REQ;
		}
	}
	if (cfg->ltr) {
		devcap2 |= PCI_EXP_DEVCAP2_LTR;
		devctl2_w |= PCI_EXP_DEVCTL2_LTR_EN;
	}
	if (cfg->obff) {
		devcap2 |= (uint32_t)cfg->obff << 18;
		devctl2_w |= PCI_EXP_DEVCTL2_OBFF_WAKE_EN;
	}
	if (cfg->ten_bit_tag) {
		devcap2 |= PCI_EXP_DEVCAP2_10BIT_TAG_COMP | PCI_EXP_DEVCAP2_10BIT_TAG_REQ;
		devctl2_w |= PCI_EXP_DEVCTL2_10BIT_TAG_REQ_EN;
	}
	hw_pcidev_set32(dev, p + PCI_EXP_DEVCAP2, devcap2);
	hw_pcidev_set_wmask16(dev, p + PCI_EXP_DEVCTL2, devctl2_w);
	return pos;
}
