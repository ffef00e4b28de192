// SPDX-License-Identifier: MIT
/*
 * Access Control Services (PCIe r6.2 §6.12, capability §7.7.8): turning the
 * controls on at enumeration, and deciding whether a function or a path to
 * the root complex isolates peer-to-peer traffic. The decisions follow the
 * rules Linux applies (drivers/pci/pci.c): which port types ACS applies to,
 * and which missing capability bits count as "hard-wired enabled".
 */
#include "base/err.h"
#include "kernel/pci/pci.h"

/*
 * ACS Control enables (PCIe r6.2 §7.7.8.3): Source Validation, P2P Request
 * Redirect, P2P Completion Redirect and Upstream Forwarding, each only if
 * the ACS Capability register (§7.7.8.2) advertises it (the other enable
 * bits are read-only zero). Translation Blocking is added only when asked
 * (Linux: ATS disabled, or an external-facing / untrusted port), because it
 * makes the port reject every translated request.
 */
int pci_enable_acs(struct pci_dev *dev, bool translation_blocking)
{
	uint16_t pos, cap, ctrl;
	int rc;

	pos = pci_find_ext_capability(dev, PCI_EXT_CAP_ID_ACS);
	if (!pos)
		return 0;
	rc = pci_read_config_word(dev, pos + PCI_ACS_CAP, &cap);
	if (rc)
		return rc;
	rc = pci_read_config_word(dev, pos + PCI_ACS_CTRL, &ctrl);
	if (rc)
		return rc;
	ctrl |= cap & PCI_ACS_REQ_ISOLATION;
	if (translation_blocking)
		ctrl |= cap & PCI_ACS_TB;
	return pci_write_config_word(dev, pos + PCI_ACS_CTRL, ctrl);
}

int pci_enable_acs_all(struct pci_subsys *sys, bool translation_blocking)
{
	struct pci_dev *dev;
	int rc;

	pci_for_each_dev(sys, dev) {
		rc = pci_enable_acs(dev, translation_blocking);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * Are the controls in flags enabled in the ACS capability? A control the
 * capability does not advertise is one the function need not implement
 * because the behaviour is fixed (PCIe r6.2 §6.12.1.1-2: "must implement if
 * the port/function supports peer-to-peer"), so it counts as enabled; Egress
 * Control is the exception and must really be there. No capability: false.
 */
static bool pci_acs_flags_enabled(const struct pci_dev *dev, uint16_t flags)
{
	uint16_t pos, cap, ctrl;

	pos = pci_find_ext_capability(dev, PCI_EXT_CAP_ID_ACS);
	if (!pos)
		return false;
	if (pci_read_config_word(dev, pos + PCI_ACS_CAP, &cap) ||
	    pci_read_config_word(dev, pos + PCI_ACS_CTRL, &ctrl))
		return false;
	flags &= cap | PCI_ACS_EC;
	return (ctrl & flags) == flags;
}

bool pci_acs_enabled(const struct pci_dev *dev, uint16_t flags)
{
	/* Conventional PCI has a shared bus: every agent can see every
	 * transaction, so there is nothing to isolate with. */
	if (!pci_is_pcie(dev))
		return false;

	switch (dev->pcie_type) {
	case PCI_EXP_TYPE_PCIE_BRIDGE:
	case PCI_EXP_TYPE_PCI_BRIDGE:
	case PCI_EXP_TYPE_RC_EC:
		/* PCIe r6.2 §6.12.1: ACS does not apply to bridges to or from
		 * conventional PCI, nor to event collectors; never isolated. */
		return false;
	case PCI_EXP_TYPE_DOWNSTREAM:
	case PCI_EXP_TYPE_ROOT_PORT:
		/* §6.12.1.1: ports must report their P2P behaviour via ACS. */
		return pci_acs_flags_enabled(dev, flags);
	case PCI_EXP_TYPE_ENDPOINT:
	case PCI_EXP_TYPE_UPSTREAM:
	case PCI_EXP_TYPE_LEG_END:
	case PCI_EXP_TYPE_RC_END:
		/* §6.12.1.2: only functions of a multi-function device can
		 * talk to each other internally. */
		if (dev->multifunction)
			return pci_acs_flags_enabled(dev, flags);
		return true;
	default:
		/* Single functions of other types have no internal peers. */
		return true;
	}
}

struct pci_dev *pci_acs_path_blocker(struct pci_dev *start, const struct pci_dev *end,
				     uint16_t flags)
{
	struct pci_dev *dev, *parent = start;

	do {
		dev = parent;
		if (!pci_acs_enabled(dev, flags))
			return dev;
		if (pci_is_root_bus(dev->bus))
			/* Reached the root without meeting end: only a walk
			 * to the root (end == NULL) has succeeded. */
			return end ? dev : NULL;
		parent = dev->bus->self;
	} while (dev != end);
	return NULL;
}

bool pci_acs_path_enabled(struct pci_dev *start, const struct pci_dev *end,
			  uint16_t flags)
{
	return pci_acs_path_blocker(start, end, flags) == NULL;
}
