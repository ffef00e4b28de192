// SPDX-License-Identifier: MIT
/*
 * pcilab demo: the main job. Boot a platform, let the kernel side enumerate
 * it through config space, and show what it found: the hierarchy, each
 * function's identity, assigned resources and capabilities, and whatever
 * enumeration could not do.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"

#include "base/compiler.h"
#include "kernel/pci/pci.h"
#include "hw/platform/desc.h"
#include "kernel/pci/cma.h"
#include "kernel/iommu/iommu.h"
#include "hw/fabric/fabric.h"
#include "hw/security/security.h"
#include "attest.h"
#include "tdisp_report.h"
#include "commands.h"
#include "lspci.h"
#include "common.h"

static const char *const std_cap_names[] = {
	[PCI_CAP_ID_PM] = "Power Management",
	[PCI_CAP_ID_AGP] = "AGP",
	[PCI_CAP_ID_VPD] = "Vital Product Data",
	[PCI_CAP_ID_SLOTID] = "Slot ID",
	[PCI_CAP_ID_MSI] = "MSI",
	[PCI_CAP_ID_CHSWP] = "CompactPCI Hot Swap",
	[PCI_CAP_ID_PCIX] = "PCI-X",
	[PCI_CAP_ID_HT] = "HyperTransport",
	[PCI_CAP_ID_VNDR] = "Vendor Specific",
	[PCI_CAP_ID_DBG] = "Debug port",
	[PCI_CAP_ID_CCRC] = "CompactPCI Central Resource Control",
	[PCI_CAP_ID_SHPC] = "Standard Hot-Plug Controller",
	[PCI_CAP_ID_SSVID] = "Bridge Subsystem Vendor ID",
	[PCI_CAP_ID_AGP3] = "AGP 8x",
	[PCI_CAP_ID_SECDEV] = "Secure Device",
	[PCI_CAP_ID_EXP] = "Express",
	[PCI_CAP_ID_MSIX] = "MSI-X",
	[PCI_CAP_ID_SATA] = "SATA HBA",
	[PCI_CAP_ID_AF] = "PCI Advanced Features",
	[PCI_CAP_ID_EA] = "Enhanced Allocation",
};

static const char *const ext_cap_names[] = {
	[PCI_EXT_CAP_ID_ERR] = "AER",
	[PCI_EXT_CAP_ID_VC] = "Virtual Channel",
	[PCI_EXT_CAP_ID_DSN] = "Device Serial Number",
	[PCI_EXT_CAP_ID_PWR] = "Power Budgeting",
	[PCI_EXT_CAP_ID_RCLD] = "Root Complex Link Declaration",
	[PCI_EXT_CAP_ID_RCILC] = "Root Complex Internal Link Control",
	[PCI_EXT_CAP_ID_RCEC] = "Root Complex Event Collector",
	[PCI_EXT_CAP_ID_MFVC] = "Multi-Function VC",
	[PCI_EXT_CAP_ID_VC9] = "Virtual Channel (MFVC)",
	[PCI_EXT_CAP_ID_RCRB] = "RCRB Header",
	[PCI_EXT_CAP_ID_VNDR] = "Vendor Specific",
	[PCI_EXT_CAP_ID_CAC] = "Config Access Correlation",
	[PCI_EXT_CAP_ID_ACS] = "ACS",
	[PCI_EXT_CAP_ID_ARI] = "ARI",
	[PCI_EXT_CAP_ID_ATS] = "ATS",
	[PCI_EXT_CAP_ID_SRIOV] = "SR-IOV",
	[PCI_EXT_CAP_ID_MRIOV] = "MR-IOV",
	[PCI_EXT_CAP_ID_MCAST] = "Multicast",
	[PCI_EXT_CAP_ID_PRI] = "PRI",
	[PCI_EXT_CAP_ID_AMD_XXX] = "Reserved for AMD",
	[PCI_EXT_CAP_ID_REBAR] = "Resizable BAR",
	[PCI_EXT_CAP_ID_DPA] = "Dynamic Power Allocation",
	[PCI_EXT_CAP_ID_TPH] = "TPH Requester",
	[PCI_EXT_CAP_ID_LTR] = "Latency Tolerance Reporting",
	[PCI_EXT_CAP_ID_SECPCI] = "Secondary PCI Express",
	[PCI_EXT_CAP_ID_PMUX] = "Protocol Multiplexing",
	[PCI_EXT_CAP_ID_PASID] = "PASID",
	[PCI_EXT_CAP_ID_DPC] = "DPC",
	[PCI_EXT_CAP_ID_L1SS] = "L1 PM Substates",
	[PCI_EXT_CAP_ID_PTM] = "Precision Time Measurement",
	[PCI_EXT_CAP_ID_DVSEC] = "DVSEC",
	[PCI_EXT_CAP_ID_DLF] = "Data Link Feature",
	[PCI_EXT_CAP_ID_PL_16GT] = "Physical Layer 16.0 GT/s",
	[PCI_EXT_CAP_ID_PL_32GT] = "Physical Layer 32.0 GT/s",
	[PCI_EXT_CAP_ID_DOE] = "DOE",
};

static const char *const pcie_type_names[] = {
	[PCI_EXP_TYPE_ENDPOINT] = "Endpoint",
	[PCI_EXP_TYPE_LEG_END] = "Legacy Endpoint",
	[PCI_EXP_TYPE_ROOT_PORT] = "Root Port",
	[PCI_EXP_TYPE_UPSTREAM] = "Switch Upstream Port",
	[PCI_EXP_TYPE_DOWNSTREAM] = "Switch Downstream Port",
	[PCI_EXP_TYPE_PCI_BRIDGE] = "PCIe-to-PCI Bridge",
	[PCI_EXP_TYPE_PCIE_BRIDGE] = "PCI-to-PCIe Bridge",
	[PCI_EXP_TYPE_RC_END] = "Root Complex Integrated Endpoint",
	[PCI_EXP_TYPE_RC_EC] = "Root Complex Event Collector",
};

static const char *name_or(const char *const *tbl, size_t n, unsigned int id, char *buf,
			   size_t len)
{
	if (id < n && tbl[id])
		return tbl[id];
	snprintf(buf, len, "#%02x", id);
	return buf;
}

/*
 * Every capability in the standard then the extended list, read through the
 * kernel side's config accessors. Walks are bounded (48 standard, 480
 * extended entries) so a looping chain cannot hang the tool.
 */
static void demo_show_caps(const struct pci_dev *dev, const char *indent)
{
	char buf[16];
	uint16_t status = 0;
	uint8_t pos = 0, id;
	uint32_t hdr;
	int ttl, col = 0, n = 0;

	printf("%scapabilities:", indent);
	if (!pci_read_config_word(dev, PCI_STATUS, &status) && (status & PCI_STATUS_CAP_LIST) &&
	    !pci_read_config_byte(dev, PCI_CAPABILITY_LIST, &pos)) {
		for (ttl = 48; pos >= 0x40 && ttl > 0; ttl--) {
			pos &= ~3;
			if (pci_read_config_byte(dev, pos, &id))
				break;
			col += printf("%s %s", n++ ? "," : "",
				      name_or(std_cap_names, ARRAY_SIZE(std_cap_names), id,
					      buf, sizeof(buf)));
			if (pci_read_config_byte(dev, pos + PCI_CAP_LIST_NEXT, &pos))
				break;
		}
	}
	if (dev->cfg_size > PCI_CFG_SPACE_SIZE) {
		uint16_t epos = PCI_CFG_SPACE_SIZE;

		for (ttl = 480; ttl > 0; ttl--) {
			if (pci_read_config_dword(dev, epos, &hdr) || !hdr || hdr == 0xffffffffu)
				break;
			if (col > 60) {
				printf(",\n%s             ", indent);
				col = 0;
			} else if (n) {
				col += printf(",");
			}
			n++;
			col += printf(" %s", name_or(ext_cap_names, ARRAY_SIZE(ext_cap_names),
						     PCI_EXT_CAP_ID(hdr), buf, sizeof(buf)));
			epos = PCI_EXT_CAP_NEXT(hdr);
			if (epos < PCI_CFG_SPACE_SIZE)
				break;
		}
	}
	printf("%s\n", n ? "" : " none");
}

static struct lspci_names *demo_names;

static void demo_show_dev(const struct pci_dev *dev, int depth)
{
	char indent[80], res[96], cls[128], name[256];
	unsigned int i;
	int n = MIN(depth * 4, (int)sizeof(indent) - 8);

	memset(indent, ' ', (size_t)n + 4);
	indent[n + 4] = '\0';

	if (demo_names) {
		lspci_name_class(demo_names, cls, sizeof(cls), dev->class >> 8);
		lspci_name_dev(demo_names, name, sizeof(name), dev->vendor, dev->device);
	} else {
		snprintf(cls, sizeof(cls), "Class %04x", dev->class >> 8);
		snprintf(name, sizeof(name), "Device %04x:%04x", dev->vendor, dev->device);
	}
	printf("%*s%s %s: %s [%04x:%04x]\n", n, "", pci_name(dev), cls, name,
	       dev->vendor, dev->device);
	printf("%s", indent);
	if (dev->pcie_cap && dev->pcie_type < ARRAY_SIZE(pcie_type_names) &&
	    pcie_type_names[dev->pcie_type])
		printf("PCIe %s", pcie_type_names[dev->pcie_type]);
	else if (!dev->pcie_cap)
		printf("conventional PCI");
	if (dev->subordinate)
		printf(" [bus %02x-%02x]", pci_bus_secondary(dev->subordinate),
		       pci_bus_subordinate(dev->subordinate));
	printf("\n");

	for (i = 0; i < PCI_NUM_RESOURCES; i++) {
		const struct pci_resource *r = &dev->resource[i];

		if (!r->flags || (r->flags & IORESOURCE_DISABLED))
			continue;
		if (i >= PCI_IOV_RESOURCES && i <= PCI_IOV_RESOURCE_END)
			continue;
		printf("%s%-14s %s%s\n", indent, pci_resource_name(dev, i),
		       pci_resource_str(r, res, sizeof(res)),
		       (r->state & PCI_RES_FAILED) ? "  (not assigned)" : "");
	}
	demo_show_caps(dev, indent);
}

static void demo_show_bus(const struct pci_bus *bus, int depth)
{
	const struct pci_dev *dev;

	list_for_each_entry(dev, &bus->devices, bus_list) {
		demo_show_dev(dev, depth);
		if (dev->subordinate)
			demo_show_bus(dev->subordinate, depth + 1);
	}
}

/* IOMMU groups: the smallest sets of functions the IOMMU can isolate from
 * each other, formed as Linux does (ACS along the path, DMA aliases,
 * multi-function devices without ACS). */
static void demo_groups(struct tool_world *w)
{
	const struct iommu_group *g;
	const struct iommu_dev *d;
	unsigned int n = 0;

	struct hw_iommu_info info;
	unsigned int i;

	printf("\nIOMMU driver: %s\n", w->iommu->ops->name);
	for (i = 0; i < hw_platform_nr_iommus(w->hw); i++)
		if (!hw_platform_iommu_info(w->hw, i, &info))
			printf("    DMAR unit %u: registers at 0x%llx, segment %04x%s\n", i,
			       (unsigned long long)info.base, info.segment,
			       info.include_all ? ", all devices" : "");
	iommu_for_each_group(w->iommu, g)
		n++;
	printf("IOMMU groups (%u), each attached to its default domain:\n", n);
	iommu_for_each_group(w->iommu, g) {
		const char *sep = "";

		printf("    group %-3u", iommu_group_id(g));
		iommu_group_for_each_dev(g, d) {
			printf("%s %s", sep, pci_name(d->pdev));
			sep = ",";
		}
		if (iommu_group_reason(g)[0])
			printf("  (%s)", iommu_group_reason(g));
		printf("\n");
	}
}

/*
 * Authenticate every function with a CMA-capable DOE mailbox against the
 * root CA the platform's vendor publishes, as `pcilab attest` does.
 */
static void demo_attest(struct tool_world *w)
{
	struct pci_cma_result *res;
	X509_STORE *trust;
	struct pci_dev *dev;
	unsigned int n = 0;

	printf("\nDevice authentication (CMA-SPDM over DOE, PCIe r6.2 §6.31):\n");
	trust = tool_vendor_trust(w);
	if (!trust) {
		printf("    no device carries SPDM firmware\n");
		return;
	}
	res = calloc(1, sizeof(*res));
	if (!res)
		goto out_trust;
	pci_for_each_dev(w->pci, dev) {
		if (!pci_find_ext_capability(dev, PCI_EXT_CAP_ID_DOE))
			continue;
		if (pci_cma_authenticate(dev, trust, res) == -ENODEV)
			continue;
		attest_report_text(stdout, dev, res);
		n++;
	}
	if (!n)
		printf("    no CMA-capable function found\n");
	free(res);
out_trust:
	X509_STORE_free(trust);
}

static void demo_usage(FILE *f)
{
	fprintf(f,
		"usage: pcilab [--platform FILE | --platform-dump FILE] demo\n"
		"\n"
		"Boot the platform (default: the built-in one), let the kernel side\n"
		"enumerate it only through configuration requests, assign bus numbers,\n"
		"BARs and bridge windows, and print the resulting hierarchy with each\n"
		"function's resources and capabilities, then any problem enumeration\n"
		"reported (a BAR that did not fit, bus numbers exhausted).\n");
}

int cmd_demo(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tool_world w;
	const struct pci_host_bridge *hb;
	const struct pci_problem *p;
	const struct pci_dev *dev;
	unsigned int nr_devs = 0;
	int opt, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			demo_usage(stdout);
			return 0;
		default:
			demo_usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pcilab demo: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}

	rc = tool_world_boot(&w);
	if (rc)
		return rc;
	demo_names = lspci_names_open(false);

	pci_for_each_dev(w.pci, dev)
		nr_devs++;
	printf("pcilab demo: platform '%s' from %s\n", w.desc->name ? w.desc->name : "?",
	       tool_platform_name());
	printf("The kernel side enumerated %u functions through config space.\n\n", nr_devs);

	pci_for_each_host_bridge(w.pci, hb) {
		char res[96];
		int i;

		printf("Host bridge %04x: root bus %02x, buses %02x-%02x\n", hb->segment,
		       hb->bus ? hb->bus->number : hb->bus_start, hb->bus_start, hb->bus_end);
		for (i = 0; i < PCI_WIN_NR; i++)
			if (hb->windows[i].flags)
				printf("    aperture       %s\n",
				       pci_resource_str(&hb->windows[i], res, sizeof(res)));
		if (hb->bus)
			demo_show_bus(hb->bus, 1);
		printf("\n");
	}

	if (w.pci->nr_problems) {
		printf("Enumeration reported %u problem(s):\n", w.pci->nr_problems);
		pci_subsys_for_each_problem(w.pci, p)
			printf("    %s: %s\n", p->dev, p->msg);
	} else {
		printf("Enumeration reported no problems.\n");
	}
	demo_groups(&w);
	demo_attest(&w);
	demo_tdisp(&w);
	lspci_names_close(demo_names);
	demo_names = NULL;
	tool_world_shutdown(&w);
	return 0;
}
