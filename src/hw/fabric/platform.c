// SPDX-License-Identifier: MIT
/*
 * hw_platform_create(): instantiate the machine a description gives.
 *
 * Every host bridge gets a root bus; every hw_desc_func becomes a function
 * model placed in its slot; every type 1 function gets the bus behind it:
 *
 *   root port, downstream port  ->  a PCIe link (device 0 only, or ARI)
 *   switch (upstream port)      ->  the switch's internal bus, holding the
 *                                   downstream ports
 *   PCIe-to-PCI, PCI-to-PCI     ->  a conventional PCI bus
 *
 * PCIe functions get a PCI Express Capability (PCIe r6.2 §7.5.3) whose
 * Device/Port Type follows from the node kind and position; a capability
 * given in the description must agree. Functions on a conventional bus are
 * conventional PCI: no PCI Express Capability, 256-byte config space.
 *
 * The description is validated as it is walked; any failure tears down
 * what was built (hw_platform_destroy() copes with a partial platform) and
 * leaves one "FILE:LINE:COL: node: reason" line in err.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "hw/devices/model.h"
#include "hw/devices/replay.h"
#include "hw/fabric/bridge.h"
#include "hw/fabric/fabric_internal.h"
#include "hw/fabric/msi.h"
#include "hw/iommu/vtd.h"
#include "hw/mem.h"
#include "hw/security/security.h"

struct hw_fabric_build {
	const struct hw_desc_platform *desc;
	char *err;
	size_t errlen;
};

static const char *const hw_desc_kind_names[] = {
	[HW_DESC_ENDPOINT] = "endpoint",
	[HW_DESC_ROOT_PORT] = "root port",
	[HW_DESC_SWITCH] = "switch",
	[HW_DESC_DOWNSTREAM_PORT] = "downstream port",
	[HW_DESC_PCIE_PCI_BRIDGE] = "PCIe-to-PCI bridge",
	[HW_DESC_PCI_BRIDGE] = "PCI bridge",
	[HW_DESC_REPLAY] = "replayed function",
};

static const char *hw_desc_kind_name(enum hw_desc_kind k)
{
	if ((unsigned int)k < ARRAY_SIZE(hw_desc_kind_names) && hw_desc_kind_names[k])
		return hw_desc_kind_names[k];
	return "function";
}

static const char *const hw_fabric_bus_kind_names[] = {
	[HW_FABRIC_BUS_ROOT] = "a root bus",
	[HW_FABRIC_BUS_LINK] = "a PCIe link (below a root or downstream port)",
	[HW_FABRIC_BUS_INTERNAL] = "a switch's internal bus",
	[HW_FABRIC_BUS_CONVENTIONAL] = "a conventional PCI bus",
};

/*
 * Record the error message: "FILE:LINE:COL: <node>: reason". rc is
 * returned unchanged so callers can write `return hw_fabric_fail(...)`.
 */
static int __printf(5, 6) hw_fabric_fail(struct hw_fabric_build *b, int rc,
					 const struct hw_desc_loc *loc,
					 const struct hw_desc_func *f,
					 const char *fmt, ...)
{
	char what[96] = "", msg[256];
	const char *file;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (f && f->name)
		snprintf(what, sizeof(what), "%s '%s' (device %02x.%x): ",
			 hw_desc_kind_name(f->kind), f->name, f->dev, f->fn);
	else if (f)
		snprintf(what, sizeof(what), "%s (device %02x.%x): ",
			 hw_desc_kind_name(f->kind), f->dev, f->fn);
	file = loc && loc->file ? loc->file :
	       (b->desc->file ? b->desc->file : "<description>");
	if (b->err && b->errlen)
		snprintf(b->err, b->errlen, "%s:%u:%u: %s%s", file,
			 loc ? loc->line : 0, loc ? loc->col : 0, what, msg);
	pl_dbg("%s:%u: %s%s", file, loc ? loc->line : 0, what, msg);
	return rc;
}

/* Builder errors other than -ENOMEM mean the description asked for
 * something the spec does not allow: report them as -EINVAL. */
static int hw_fabric_fail_rc(struct hw_fabric_build *b, int rc,
			     const struct hw_desc_loc *loc,
			     const struct hw_desc_func *f, const char *what)
{
	if (rc == -ENOMEM)
		return hw_fabric_fail(b, -ENOMEM, loc, f, "%s: out of memory", what);
	return hw_fabric_fail(b, -EINVAL, loc, f, "%s: %s", what, strerror(-rc));
}

/* --------------------------------------------------------- validation */

static bool hw_fabric_kind_allowed(enum hw_desc_kind k, enum hw_fabric_bus_kind bk)
{
	if (k == HW_DESC_REPLAY)
		return true;
	switch (bk) {
	case HW_FABRIC_BUS_ROOT:
		return k == HW_DESC_ENDPOINT || k == HW_DESC_ROOT_PORT ||
		       k == HW_DESC_PCIE_PCI_BRIDGE || k == HW_DESC_PCI_BRIDGE;
	case HW_FABRIC_BUS_LINK:
		/* A conventional PCI bridge cannot sit on a PCIe link. */
		return k == HW_DESC_ENDPOINT || k == HW_DESC_SWITCH ||
		       k == HW_DESC_PCIE_PCI_BRIDGE;
	case HW_FABRIC_BUS_INTERNAL:
		/* PCIe r6.2 §1.3.3: a switch's internal bus holds only its
		 * downstream ports. */
		return k == HW_DESC_DOWNSTREAM_PORT;
	case HW_FABRIC_BUS_CONVENTIONAL:
		return k == HW_DESC_ENDPOINT || k == HW_DESC_PCI_BRIDGE;
	}
	return false;
}

static unsigned int hw_fabric_desc_devfn(const struct hw_desc_func *f)
{
	return (unsigned int)f->dev << 3 | f->fn;
}

/*
 * Functions that form one device: on a PCIe link every function belongs
 * to Device 0 (with ARI, function numbers 0..255, PCIe r6.2 §6.13);
 * elsewhere the Device Number groups them.
 */
static bool hw_fabric_same_device(enum hw_fabric_bus_kind bk, const struct hw_desc_func *f,
				  const struct hw_desc_func *g)
{
	return bk == HW_FABRIC_BUS_LINK || f->dev == g->dev;
}

/* Check placement and numbering of the functions of one bus. */
static int hw_fabric_check_bus(struct hw_fabric_build *b, enum hw_fabric_bus_kind bk,
			       const struct list_head *funcs)
{
	const struct hw_desc_func *f, *g;

	list_for_each_entry(f, funcs, node) {
		bool fn0 = false;

		if (!hw_fabric_kind_allowed(f->kind, bk))
			return hw_fabric_fail(b, -EINVAL, &f->loc, f,
					      "cannot sit on %s",
					      hw_fabric_bus_kind_names[bk]);
		if (f->dev > 31)
			return hw_fabric_fail(b, -EINVAL, &f->loc, f,
					      "device number above 31");
		if (f->fn > 7 && (bk != HW_FABRIC_BUS_LINK || f->dev != 0))
			return hw_fabric_fail(b, -EINVAL, &f->loc, f,
					      "function numbers above 7 need ARI, which exists only as device 0 on a PCIe link (PCIe r6.2 §6.13)");
		/* A dump names ARI function 10 "01.2"; anything else placed
		 * at device 1..31 below a port could never be reached. */
		if (bk == HW_FABRIC_BUS_LINK && f->dev != 0 && f->kind != HW_DESC_REPLAY)
			return hw_fabric_fail(b, -EINVAL, &f->loc, f,
					      "only device 0 is reachable on a PCIe link (PCIe r6.2 §7.3.1); number ARI functions as device 0, function 0-255");
		if (!list_empty(&f->children) && f->kind == HW_DESC_ENDPOINT)
			return hw_fabric_fail(b, -EINVAL, &f->loc, f,
					      "an endpoint has no secondary bus for children");
		list_for_each_entry(g, funcs, node) {
			if (g == f)
				break;
			if (hw_fabric_desc_devfn(g) == hw_fabric_desc_devfn(f))
				return hw_fabric_fail(b, -EINVAL, &f->loc, f,
						      "duplicate device/function number (first at line %u)",
						      g->loc.line);
		}
		list_for_each_entry(g, funcs, node)
			if (hw_fabric_same_device(bk, f, g) &&
			    (bk == HW_FABRIC_BUS_LINK ? hw_fabric_desc_devfn(g) == 0 : g->fn == 0))
				fn0 = true;
		/* PCI Local Bus r3.0 §6.2.1: a device implements function 0;
		 * software stops probing a device whose function 0 is absent. */
		if (!fn0)
			return hw_fabric_fail(b, -EINVAL, &f->loc, f,
					      "device %02x has no function 0", f->dev);
	}
	return 0;
}

static bool hw_fabric_has_sibling(enum hw_fabric_bus_kind bk, const struct list_head *funcs,
				  const struct hw_desc_func *f)
{
	const struct hw_desc_func *g;

	list_for_each_entry(g, funcs, node)
		if (g != f && hw_fabric_same_device(bk, f, g))
			return true;
	return false;
}

static const struct hw_desc_cap *hw_fabric_desc_pcie(const struct hw_desc_func *f)
{
	unsigned int i;

	for (i = 0; i < f->nr_caps; i++)
		if (f->caps[i].kind == HW_DESC_CAP_PCIE)
			return &f->caps[i];
	return NULL;
}

static const char *hw_pcie_type_name(unsigned int t)
{
	switch (t) {
	case PCI_EXP_TYPE_ENDPOINT: return "endpoint";
	case PCI_EXP_TYPE_LEG_END: return "legacy endpoint";
	case PCI_EXP_TYPE_ROOT_PORT: return "root port";
	case PCI_EXP_TYPE_UPSTREAM: return "upstream port";
	case PCI_EXP_TYPE_DOWNSTREAM: return "downstream port";
	case PCI_EXP_TYPE_PCI_BRIDGE: return "PCIe-to-PCI bridge";
	case PCI_EXP_TYPE_PCIE_BRIDGE: return "PCI-to-PCIe bridge";
	case PCI_EXP_TYPE_RC_END: return "root complex integrated endpoint";
	case PCI_EXP_TYPE_RC_EC: return "root complex event collector";
	}
	return "unknown";
}

/*
 * The Device/Port Type (PCIe r6.2 §7.5.3.2) a node must have, in *type
 * (default) and whether a described type t is acceptable. Returns false
 * for a conventional PCI function (no PCI Express Capability).
 */
static bool hw_fabric_pcie_type(enum hw_desc_kind k, enum hw_fabric_bus_kind bk,
				enum hw_pcie_port_type *type)
{
	if (bk == HW_FABRIC_BUS_CONVENTIONAL || k == HW_DESC_PCI_BRIDGE)
		return false;
	switch (k) {
	case HW_DESC_ENDPOINT:
		/* On a root bus an endpoint is integrated in the root complex. */
		*type = bk == HW_FABRIC_BUS_ROOT ? HW_PCIE_RC_INTEGRATED : HW_PCIE_ENDPOINT;
		break;
	case HW_DESC_ROOT_PORT:
		*type = HW_PCIE_ROOT_PORT;
		break;
	case HW_DESC_SWITCH:
		*type = HW_PCIE_UPSTREAM;
		break;
	case HW_DESC_DOWNSTREAM_PORT:
		*type = HW_PCIE_DOWNSTREAM;
		break;
	case HW_DESC_PCIE_PCI_BRIDGE:
		*type = HW_PCIE_PCIE_TO_PCI;
		break;
	default:
		return false;
	}
	return true;
}

static bool hw_fabric_pcie_type_ok(enum hw_desc_kind k, enum hw_fabric_bus_kind bk,
				   enum hw_pcie_port_type want, enum hw_pcie_port_type t)
{
	if (k != HW_DESC_ENDPOINT)
		return t == want;
	/* Endpoints and legacy endpoints below a port; on a root bus also
	 * root complex integrated endpoints and event collectors. */
	if (t == HW_PCIE_ENDPOINT || t == HW_PCIE_LEGACY_ENDPOINT)
		return true;
	return bk == HW_FABRIC_BUS_ROOT &&
	       (t == HW_PCIE_RC_INTEGRATED || t == HW_PCIE_RC_EC);
}

/* ------------------------------------------------------------ building */

static int hw_fabric_add_cap(struct hw_pcidev *dev, const struct hw_desc_cap *c,
			     const struct hw_cap_pcie_cfg *pcie)
{
	switch (c->kind) {
	case HW_DESC_CAP_PM: return hw_cap_add_pm(dev, &c->u.pm);
	case HW_DESC_CAP_MSI: return hw_cap_add_msi(dev, &c->u.msi);
	case HW_DESC_CAP_MSIX: return hw_cap_add_msix(dev, &c->u.msix);
	case HW_DESC_CAP_PCIE: return hw_cap_add_pcie(dev, pcie);
	case HW_DESC_CAP_AER: return hw_cap_add_aer(dev, &c->u.aer);
	case HW_DESC_CAP_ACS: return hw_cap_add_acs(dev, &c->u.acs);
	case HW_DESC_CAP_ARI: return hw_cap_add_ari(dev, &c->u.ari);
	case HW_DESC_CAP_ATS: return hw_cap_add_ats(dev, &c->u.ats);
	case HW_DESC_CAP_PRI: return hw_cap_add_pri(dev, &c->u.pri);
	case HW_DESC_CAP_PASID: return hw_cap_add_pasid(dev, &c->u.pasid);
	case HW_DESC_CAP_SRIOV: return hw_cap_add_sriov(dev, &c->u.sriov);
	case HW_DESC_CAP_DOE: return hw_cap_add_doe(dev, &c->u.doe);
	case HW_DESC_CAP_DPC: return hw_cap_add_dpc(dev, &c->u.dpc);
	case HW_DESC_CAP_DSN: return hw_cap_add_dsn(dev, &c->u.dsn);
	case HW_DESC_CAP_DVSEC: return hw_cap_add_dvsec(dev, &c->u.dvsec);
	case HW_DESC_CAP_L1SS: return hw_cap_add_l1ss(dev, &c->u.l1ss);
	case HW_DESC_CAP_IDE: return hw_cap_add_ide(dev, &c->u.ide);
	case HW_DESC_CAP_NR: break;
	}
	return -EINVAL;
}

/*
 * Port status that follows from the topology (PCIe r6.2 §7.5.3.8,
 * §7.5.3.11): Presence Detect State is hardwired to 1 on a port without a
 * slot and reflects the card otherwise; Data Link Layer Link Active is set
 * when the link is up, i.e. something sits behind the port, if the port
 * reports it at all (Link Capabilities DLLLARC, else hardwired 0).
 */
static void hw_fabric_port_status(struct hw_pcidev *dev, bool present)
{
	uint16_t cap = hw_pcidev_find_cap(dev, PCI_CAP_ID_EXP);
	uint16_t flags, sta;

	if (!cap)
		return;
	flags = hw_pcidev_get16(dev, cap + PCI_EXP_FLAGS);
	sta = hw_pcidev_get16(dev, cap + PCI_EXP_SLTSTA) & ~PCI_EXP_SLTSTA_PDS;
	if (!(flags & PCI_EXP_FLAGS_SLOT) || present)
		sta |= PCI_EXP_SLTSTA_PDS;
	hw_pcidev_set16(dev, cap + PCI_EXP_SLTSTA, sta);
	sta = hw_pcidev_get16(dev, cap + PCI_EXP_LNKSTA) & ~PCI_EXP_LNKSTA_DLLLA;
	if (present && (hw_pcidev_get32(dev, cap + PCI_EXP_LNKCAP) & PCI_EXP_LNKCAP_DLLLARC))
		sta |= PCI_EXP_LNKSTA_DLLLA;
	hw_pcidev_set16(dev, cap + PCI_EXP_LNKSTA, sta);
}

struct hw_fabric_default_ids {
	uint16_t vendor, device;
};

/*
 * IDs for bridges a description leaves at 0: the generic bridge IDs QEMU
 * uses (Red Hat 1b36:000c root port, 1b36:000e PCIe-to-PCI bridge,
 * 1b36:0001 PCI bridge; TI XIO3130 104c:8232/8233 switch ports), which
 * operating systems bind no special driver to.
 */
static const struct hw_fabric_default_ids hw_fabric_bridge_ids[] = {
	[HW_DESC_ROOT_PORT] = { 0x1b36, 0x000c },
	[HW_DESC_SWITCH] = { 0x104c, 0x8232 },
	[HW_DESC_DOWNSTREAM_PORT] = { 0x104c, 0x8233 },
	[HW_DESC_PCIE_PCI_BRIDGE] = { 0x1b36, 0x000e },
	[HW_DESC_PCI_BRIDGE] = { 0x1b36, 0x0001 },
};

/* Configure a freshly initialised model from its node and realize it. */
static int hw_fabric_configure(struct hw_fabric_build *b, struct hw_pcidev *dev,
			       const struct hw_desc_func *f, enum hw_fabric_bus_kind bk,
			       bool mf)
{
	bool bridge = f->kind != HW_DESC_ENDPOINT;
	const struct hw_desc_cap *dpcie = hw_fabric_desc_pcie(f);
	struct hw_cap_pcie_cfg pcie = { 0 };
	enum hw_pcie_port_type type = HW_PCIE_ENDPOINT;
	bool is_pcie, port;
	uint16_t vendor = f->vendor, device = f->device;
	uint32_t class_code = f->class_code;
	unsigned int i;
	int rc;

	is_pcie = hw_fabric_pcie_type(f->kind, bk, &type);
	port = is_pcie && (type == HW_PCIE_ROOT_PORT || type == HW_PCIE_DOWNSTREAM);
	if (bridge && !vendor && !device) {
		vendor = hw_fabric_bridge_ids[f->kind].vendor;
		device = hw_fabric_bridge_ids[f->kind].device;
	}
	if (!bridge)
		hw_device_model_default_ids(f->model, &vendor, &device, &class_code);
	/* PCI Local Bus r3.0 §6.2.1: FFFFh is never a valid Vendor ID, and
	 * software reads an all-zero ID as "no function" too. */
	if (vendor == 0xffff || (!vendor && !device))
		return hw_fabric_fail(b, -EINVAL, &f->loc, f,
				      "vendor/device ID %04x:%04x would read as an empty slot",
				      vendor, device);
	if (bridge && !class_code)
		class_code = 0x060400;	/* bridge, PCI-to-PCI, normal decode */

	hw_pcidev_set_ids(dev, vendor, device, class_code, f->revision);
	hw_pcidev_set_subsystem(dev, f->subsys_vendor, f->subsys_device);
	hw_pcidev_set_intx_pin(dev, f->intx_pin);
	hw_pcidev_set_multifunction(dev, mf || f->multifunction);

	for (i = 0; i < ARRAY_SIZE(f->bars); i++) {
		const struct hw_desc_bar *bar = &f->bars[i];

		if (bar->kind == HW_BAR_NONE)
			continue;
		rc = hw_pcidev_set_bar(dev, (int)i, bar->kind, bar->prefetchable, bar->size);
		if (rc < 0)
			return hw_fabric_fail_rc(b, rc, bar->loc.line ? &bar->loc : &f->loc,
						 f, i == HW_PCI_ROM_SLOT ? "expansion ROM" : "BAR");
	}

	if (dpcie && !is_pcie)
		return hw_fabric_fail(b, -EINVAL, &dpcie->loc, f,
				      "a conventional PCI function has no PCI Express capability");
	if (dpcie) {
		if (!hw_fabric_pcie_type_ok(f->kind, bk, type, dpcie->u.pcie.type))
			return hw_fabric_fail(b, -EINVAL, &dpcie->loc, f,
					      "PCI Express capability says %s, but this node must be: %s",
					      hw_pcie_type_name(dpcie->u.pcie.type),
					      hw_pcie_type_name(type));
		pcie = dpcie->u.pcie;
		/* A slot's presence is whatever card the description put in it. */
		if (port)
			pcie.presence = pcie.slot && !list_empty(&f->children);
	} else if (is_pcie) {
		/* Spec defaults; ports report link state and forward ARI, as
		 * hot-plug capable modern ports do. */
		pcie.type = type;
		pcie.dll_link_active_reporting = port;
		pcie.ari_forwarding = port;
		pcie.port_number = port ? (uint8_t)(f->dev << 3 | f->fn) : 0;
		rc = hw_cap_add_pcie(dev, &pcie);
		if (rc < 0)
			return hw_fabric_fail_rc(b, rc, &f->loc, f, "PCI Express capability");
	}
	for (i = 0; i < f->nr_caps; i++) {
		rc = hw_fabric_add_cap(dev, &f->caps[i], &pcie);
		if (rc < 0)
			return hw_fabric_fail_rc(b, rc, &f->caps[i].loc, f, "capability");
	}
	if (port)
		hw_fabric_port_status(dev, !list_empty(&f->children));

	rc = hw_pcidev_realize(dev);
	if (rc < 0)
		return hw_fabric_fail_rc(b, rc, &f->loc, f, "realize");
	return 0;
}

static int hw_fabric_build_bus(struct hw_fabric_build *b, struct hw_fabric_bus *bus,
			       const struct list_head *funcs);

/* What kind of bus a (possibly replayed) bridge function has behind it. */
static enum hw_fabric_bus_kind hw_fabric_secondary_kind(const struct hw_pcidev *dev)
{
	uint16_t cap = hw_pcidev_find_cap(dev, PCI_CAP_ID_EXP);

	if (!cap)
		return HW_FABRIC_BUS_CONVENTIONAL;
	switch ((hw_pcidev_get16(dev, cap + PCI_EXP_FLAGS) & PCI_EXP_FLAGS_TYPE) >> 4) {
	case PCI_EXP_TYPE_ROOT_PORT:
	case PCI_EXP_TYPE_DOWNSTREAM:
		return HW_FABRIC_BUS_LINK;
	case PCI_EXP_TYPE_UPSTREAM:
		return HW_FABRIC_BUS_INTERNAL;
	case PCI_EXP_TYPE_PCIE_BRIDGE:	/* PCI-to-PCIe: a link below */
		return HW_FABRIC_BUS_LINK;
	default:
		return HW_FABRIC_BUS_CONVENTIONAL;
	}
}

static int hw_fabric_build_func(struct hw_fabric_build *b, struct hw_fabric_bus *bus,
				const struct hw_desc_func *f, const struct list_head *siblings)
{
	struct hw_fabric_bus *sec;
	struct hw_pcidev *dev;
	const char *name = f->name ? f->name : hw_desc_kind_name(f->kind);
	int rc;

	if (f->model != HW_DESC_MODEL_GENERIC &&
	    (f->kind != HW_DESC_ENDPOINT || !hw_device_model_name(f->model)))
		return hw_fabric_fail(b, -EINVAL, &f->loc, f,
				      "a device model is only for endpoints (model %u)",
				      (unsigned int)f->model);
	switch (f->kind) {
	case HW_DESC_ENDPOINT:
		dev = hw_device_model_create(f->model, name);
		break;
	case HW_DESC_REPLAY:
		dev = hw_replay_dev_create(f);
		break;
	default:
		dev = hw_bridge_create(name, f->kind != HW_DESC_PCI_BRIDGE &&
					     bus->kind != HW_FABRIC_BUS_CONVENTIONAL);
		break;
	}
	if (IS_ERR(dev))
		return hw_fabric_fail_rc(b, (int)PTR_ERR(dev), &f->loc, f, "creating the function");
	if (f->kind != HW_DESC_REPLAY) {
		rc = hw_fabric_configure(b, dev, f, bus->kind,
					 hw_fabric_has_sibling(bus->kind, siblings, f));
		if (rc < 0)
			goto err_destroy_dev;
	}
	if ((hw_pcidev_get8(dev, PCI_HEADER_TYPE) & 0x7f) != PCI_HEADER_TYPE_BRIDGE) {
		if (!list_empty(&f->children)) {
			rc = hw_fabric_fail(b, -EINVAL, &f->loc, f,
					    "a type 0 function has no secondary bus for children");
			goto err_destroy_dev;
		}
		/* The bus owns dev from here (the slot was checked free). */
		rc = hw_fabric_bus_attach(bus, dev, (uint8_t)hw_fabric_desc_devfn(f));
		if (rc < 0)
			goto err_destroy_dev;
		return 0;
	}

	sec = pl_zalloc(sizeof(*sec));
	if (!sec) {
		rc = hw_fabric_fail(b, -ENOMEM, &f->loc, f, "out of memory");
		goto err_destroy_dev;
	}
	sec->hb = bus->hb;
	sec->bridge = dev;
	sec->bridge_exp_cap = hw_pcidev_find_cap(dev, PCI_CAP_ID_EXP);
	if (f->kind == HW_DESC_REPLAY)
		sec->kind = hw_fabric_secondary_kind(dev);
	else if (f->kind == HW_DESC_SWITCH)
		sec->kind = HW_FABRIC_BUS_INTERNAL;
	else if (f->kind == HW_DESC_ROOT_PORT || f->kind == HW_DESC_DOWNSTREAM_PORT)
		sec->kind = HW_FABRIC_BUS_LINK;
	else
		sec->kind = HW_FABRIC_BUS_CONVENTIONAL;
	dev->secondary = sec;	/* dev owns sec (freed by hw_fabric_bus_free) */
	/* The bus owns dev (and through it sec) from here. */
	rc = hw_fabric_bus_attach(bus, dev, (uint8_t)hw_fabric_desc_devfn(f));
	if (rc < 0) {
		dev->secondary = NULL;
		free(sec);
		goto err_destroy_dev;
	}
	/* On failure the children built so far are freed with the platform. */
	return hw_fabric_build_bus(b, sec, &f->children);

err_destroy_dev:
	hw_pcidev_destroy(dev);
	return rc;
}

static int hw_fabric_build_bus(struct hw_fabric_build *b, struct hw_fabric_bus *bus,
			       const struct list_head *funcs)
{
	const struct hw_desc_func *f;
	int rc;

	rc = hw_fabric_check_bus(b, bus->kind, funcs);
	if (rc < 0)
		return rc;
	list_for_each_entry(f, funcs, node) {
		rc = hw_fabric_build_func(b, bus, f, funcs);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static bool hw_fabric_ranges_overlap(const struct hw_desc_range *a,
				     const struct hw_desc_range *c)
{
	return a->size && c->size && a->base <= c->base + (c->size - 1) &&
	       c->base <= a->base + (a->size - 1);
}

static int hw_fabric_check_range(struct hw_fabric_build *b,
				 const struct hw_desc_host_bridge *h,
				 const struct hw_desc_range *r, uint64_t max,
				 const char *what)
{
	if (r->size && (r->base > max || r->size - 1 > max - r->base))
		return hw_fabric_fail(b, -EINVAL, &h->loc, NULL,
				      "host bridge %s window %#llx+%#llx leaves the address space",
				      what, (unsigned long long)r->base,
				      (unsigned long long)r->size);
	return 0;
}

static int hw_fabric_check_host_bridges(struct hw_fabric_build *b)
{
	const struct hw_desc_host_bridge *h, *g;
	int rc;

	list_for_each_entry(h, &b->desc->host_bridges, node) {
		if (h->bus_start > h->bus_end)
			return hw_fabric_fail(b, -EINVAL, &h->loc, NULL,
					      "host bridge bus range %02x-%02x is empty",
					      h->bus_start, h->bus_end);
		rc = hw_fabric_check_range(b, h, &h->mmio, UINT64_MAX, "mmio");
		if (!rc)
			rc = hw_fabric_check_range(b, h, &h->mmio_pref, UINT64_MAX, "mmio_pref");
		if (!rc)
			rc = hw_fabric_check_range(b, h, &h->io, UINT32_MAX, "io");
		if (rc < 0)
			return rc;
		if (hw_fabric_ranges_overlap(&h->mmio, &h->mmio_pref))
			return hw_fabric_fail(b, -EINVAL, &h->loc, NULL,
					      "host bridge mmio and mmio_pref windows overlap");
		list_for_each_entry(g, &b->desc->host_bridges, node) {
			if (g == h)
				break;
			if (g->segment == h->segment && g->bus_start <= h->bus_end &&
			    h->bus_start <= g->bus_end)
				return hw_fabric_fail(b, -EINVAL, &h->loc, NULL,
						      "host bridge bus range overlaps the one at line %u",
						      g->loc.line);
			if (hw_fabric_ranges_overlap(&g->mmio, &h->mmio) ||
			    hw_fabric_ranges_overlap(&g->mmio, &h->mmio_pref) ||
			    hw_fabric_ranges_overlap(&g->mmio_pref, &h->mmio) ||
			    hw_fabric_ranges_overlap(&g->mmio_pref, &h->mmio_pref) ||
			    hw_fabric_ranges_overlap(&g->io, &h->io))
				return hw_fabric_fail(b, -EINVAL, &h->loc, NULL,
						      "host bridge windows overlap the ones at line %u",
						      g->loc.line);
		}
	}
	return 0;
}

/* ---------------------------------------------------- RAM and IOMMUs */

#define HW_RAM_DEFAULT		(1ull << 30)
/* Where the first DMAR unit's registers sit on Intel chipsets. */
#define HW_IOMMU_DEFAULT_BASE	0xfed90000ull

/* [base, base + size) overlaps RAM or a host bridge memory aperture. */
static bool hw_fabric_chipset_clash(const struct hw_desc_platform *desc, uint64_t ram,
				    uint64_t base, uint64_t size)
{
	const struct hw_desc_range w = { base, size }, r = { 0, ram };
	const struct hw_desc_host_bridge *h;

	if (hw_fabric_ranges_overlap(&w, &r))
		return true;
	list_for_each_entry(h, &desc->host_bridges, node)
		if (hw_fabric_ranges_overlap(&w, &h->mmio) ||
		    hw_fabric_ranges_overlap(&w, &h->mmio_pref))
			return true;
	return false;
}

/* The first 1 MiB boundary above RAM and every aperture (0: none fits). */
static uint64_t hw_fabric_above_everything(const struct hw_desc_platform *desc, uint64_t ram)
{
	const struct hw_desc_host_bridge *h;
	uint64_t top = ram;

	list_for_each_entry(h, &desc->host_bridges, node) {
		if (h->mmio.size)
			top = MAX(top, h->mmio.base + (h->mmio.size - 1) + 1);
		if (h->mmio_pref.size) {
			if (h->mmio_pref.base + (h->mmio_pref.size - 1) == UINT64_MAX)
				return 0;
			top = MAX(top, h->mmio_pref.base + h->mmio_pref.size);
		}
	}
	if (top > UINT64_MAX - (1ull << 20))
		return 0;
	return ALIGN_UP(top, 1ull << 20);
}

static bool hw_fabric_segment_seen(const struct hw_desc_platform *desc,
				   const struct hw_desc_host_bridge *upto)
{
	const struct hw_desc_host_bridge *g;

	list_for_each_entry(g, &desc->host_bridges, node) {
		if (g == upto)
			return false;
		if (g->segment == upto->segment)
			return true;
	}
	return false;
}

/* A VT-d unit sits in the root complex (VT-d r4.1 §8.3, DRHD): its
 * event messages need no trip through the hierarchy. */
static void hw_fabric_vtd_msi(void *arg, uint64_t addr, uint32_t data)
{
	(void)hw_platform_msi_deliver(arg, addr, data);
}

static const struct hw_vtd_ops hw_fabric_vtd_ops = {
	.msi = hw_fabric_vtd_msi,
};

/*
 * One VT-d unit per PCI segment (desc order of first appearance), each
 * covering its whole segment like a DRHD with INCLUDE_PCI_ALL (VT-d
 * §8.3), register windows 4 KiB apart from the chosen base.
 */
static int hw_fabric_build_iommus(struct hw_fabric_build *b, struct hw_platform *p)
{
	const struct hw_desc_platform *desc = b->desc;
	const struct hw_desc_host_bridge *h;
	uint64_t base, size;
	unsigned int n = 0, i;

	if (desc->iommu == HW_DESC_IOMMU_NONE)
		return 0;
	if (desc->iommu != HW_DESC_IOMMU_DEFAULT && desc->iommu != HW_DESC_IOMMU_VTD)
		return hw_fabric_fail(b, -EINVAL, NULL, NULL, "unknown IOMMU kind %u",
				      (unsigned int)desc->iommu);
	list_for_each_entry(h, &desc->host_bridges, node)
		if (!hw_fabric_segment_seen(desc, h))
			n++;
	if (!n)
		return 0;
	size = (uint64_t)n * HW_VTD_MMIO_SIZE;
	base = desc->iommu_base;
	if (base) {
		if (!IS_ALIGNED(base, HW_VTD_MMIO_SIZE) || base + (size - 1) < base ||
		    hw_fabric_chipset_clash(desc, p->ram_size, base, size))
			return hw_fabric_fail(b, -EINVAL, NULL, NULL,
					      "IOMMU registers at %#llx+%#llx: not 4 KiB aligned, or overlapping RAM or a host bridge window",
					      (unsigned long long)base, (unsigned long long)size);
	} else {
		base = HW_IOMMU_DEFAULT_BASE;
		if (hw_fabric_chipset_clash(desc, p->ram_size, base, size))
			base = hw_fabric_above_everything(desc, p->ram_size);
		if (!base)
			return hw_fabric_fail(b, -EINVAL, NULL, NULL,
					      "no room for the IOMMU registers above RAM and the host bridge windows");
	}
	p->iommus = pl_calloc(n, sizeof(*p->iommus));
	if (!p->iommus)
		return hw_fabric_fail(b, -ENOMEM, NULL, NULL, "out of memory");
	i = 0;
	list_for_each_entry(h, &desc->host_bridges, node) {
		struct hw_platform_iommu *u = &p->iommus[i];
		struct hw_vtd *v;

		if (hw_fabric_segment_seen(desc, h))
			continue;
		/* The unit's interrupt messages (fault, invalidation
		 * completion, page request events) enter the root complex's
		 * interrupt decode directly; device-TLB invalidations and page
		 * responses are not forwarded to endpoints (docs/vtd-model.md). */
		v = hw_vtd_create(p->mem, NULL, &hw_fabric_vtd_ops, p);
		if (IS_ERR(v))
			return hw_fabric_fail_rc(b, (int)PTR_ERR(v), &h->loc, NULL, "VT-d unit");
		u->vtd = v;	/* p owns the unit from here */
		u->info.type = HW_IOMMU_VTD;
		u->info.base = base + (uint64_t)i * HW_VTD_MMIO_SIZE;
		u->info.size = HW_VTD_MMIO_SIZE;
		u->info.segment = h->segment;
		u->info.include_all = true;
		p->nr_iommus = ++i;
	}
	return 0;
}

static struct hw_vtd *hw_fabric_segment_vtd(struct hw_platform *p, uint16_t seg)
{
	unsigned int i;

	for (i = 0; i < p->nr_iommus; i++)
		if (p->iommus[i].info.segment == seg && p->iommus[i].info.include_all)
			return p->iommus[i].vtd;
	return NULL;
}

static int hw_fabric_build_ram(struct hw_fabric_build *b, struct hw_platform *p)
{
	struct hw_mem *m;

	p->ram_size = b->desc->ram_size ? b->desc->ram_size : HW_RAM_DEFAULT;
	if (!IS_ALIGNED(p->ram_size, 4096))
		return hw_fabric_fail(b, -EINVAL, NULL, NULL,
				      "RAM size %#llx is not a multiple of 4 KiB",
				      (unsigned long long)p->ram_size);
	m = hw_mem_create(p->ram_size);
	if (IS_ERR(m))
		return hw_fabric_fail_rc(b, (int)PTR_ERR(m), NULL, NULL, "RAM");
	p->mem = m;	/* p owns RAM from here */
	return 0;
}

struct hw_platform *hw_platform_create(const struct hw_desc_platform *desc,
				       char *err, size_t errlen)
{
	struct hw_fabric_build b = { .desc = desc, .err = err, .errlen = errlen };
	const struct hw_desc_host_bridge *h;
	struct hw_platform *p;
	unsigned int n = 0;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!desc)
		return ERR_PTR(-EINVAL);
	rc = hw_fabric_check_host_bridges(&b);
	if (rc < 0)
		return ERR_PTR(rc);
	list_for_each_entry(h, &desc->host_bridges, node)
		n++;

	p = pl_zalloc(sizeof(*p));
	if (!p) {
		rc = hw_fabric_fail(&b, -ENOMEM, NULL, NULL, "out of memory");
		goto err;
	}
	rc = hw_fabric_build_ram(&b, p);
	if (rc < 0)
		goto err_destroy;
	rc = hw_fabric_build_iommus(&b, p);
	if (rc < 0)
		goto err_destroy;
	p->host_bridges = pl_calloc(n, sizeof(*p->host_bridges));
	if (!p->host_bridges) {
		rc = hw_fabric_fail(&b, -ENOMEM, NULL, NULL, "out of memory");
		goto err_destroy;
	}
	list_for_each_entry(h, &desc->host_bridges, node) {
		struct hw_host_bridge *hb = &p->host_bridges[p->nr_host_bridges++];

		hb->info.segment = h->segment;
		hb->info.bus_start = h->bus_start;
		hb->info.bus_end = h->bus_end;
		hb->info.mmio = h->mmio;
		hb->info.mmio_pref = h->mmio_pref;
		hb->info.io = h->io;
		hb->platform = p;
		hb->vtd = hw_fabric_segment_vtd(p, h->segment);
		hb->root = pl_zalloc(sizeof(*hb->root));
		if (!hb->root) {
			rc = hw_fabric_fail(&b, -ENOMEM, &h->loc, NULL, "out of memory");
			goto err_destroy;
		}
		hb->root->kind = HW_FABRIC_BUS_ROOT;
		hb->root->hb = hb;
		rc = hw_fabric_build_bus(&b, hb->root, &h->devices);
		if (rc < 0)
			goto err_destroy;
	}
	/* Device firmware: the SPDM responder behind each first DOE mailbox. */
	rc = hw_security_platform_init_desc(p, desc);
	if (rc < 0) {
		rc = hw_fabric_fail_rc(&b, rc, NULL, NULL, "SPDM firmware");
		goto err_destroy;
	}
	return p;

err_destroy:
	/* Frees every bus and function built so far. */
	hw_platform_destroy(p);
err:
	return ERR_PTR(rc);
}
