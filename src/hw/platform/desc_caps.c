// SPDX-License-Identifier: MIT
/*
 * hw/platform: the "capabilities" list of a function. Each entry is a
 * mapping with a "type" and one key per field of the capability's
 * configuration struct (hw/pcidev/caps.h); omitted keys keep the spec
 * default (a zeroed field, unless the table below fills one in).
 *
 * The per-capability key tables drive a generic field parser; a finish()
 * hook per capability applies defaults that depend on the function and
 * checks what involves more than one field.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "base/err.h"
#include "base/fault.h"
#include "hw/platform/desc_parse.h"

enum dp_ftype {
	DP_BOOL,
	DP_UINT,		/* integer field of 1, 2, 4 or 8 bytes */
	DP_CUSTOM,
};

#define DP_REQ		BIT(0)	/* key must be present */
#define DP_POW2		BIT(1)	/* value must be a power of two */
#define DP_ALIGN8	BIT(2)	/* value must be a multiple of 8 */

struct dp_field {
	const char *key;
	enum dp_ftype type;
	size_t off, size;
	uint64_t lo, hi;
	unsigned int flags;
	int (*parse)(struct dp_ctx *c, const yaml_node_t *n, void *cfg);
};

#define F_BOOL(k, s, m) \
	{ k, DP_BOOL, offsetof(struct s, m), sizeof(((struct s *)0)->m), 0, 1, 0, NULL }
#define F_UINT(k, s, m, l, h, fl) \
	{ k, DP_UINT, offsetof(struct s, m), sizeof(((struct s *)0)->m), l, h, fl, NULL }
#define F_CUSTOM(k, fn) \
	{ k, DP_CUSTOM, 0, 0, 0, 0, 0, fn }

struct dp_cap_ctx {
	struct hw_desc_func *f;
	const struct dp_place *where;
	const yaml_node_t *map;
	const yaml_node_t **v;		/* value per key index, NULL if absent */
};

struct dp_cap_type {
	const char *name;
	enum hw_desc_cap_kind kind;
	bool multi;			/* may appear more than once */
	bool ext;			/* extended capability: needs PCIe */
	const struct dp_field *fields;
	size_t nr_fields;
	int (*finish)(struct dp_ctx *c, struct dp_cap_ctx *cc, struct hw_desc_cap *cap);
};

static void dp_store(void *dst, size_t size, uint64_t v)
{
	switch (size) {
	case 1: *(uint8_t *)dst = (uint8_t)v; break;
	case 2: *(uint16_t *)dst = (uint16_t)v; break;
	case 4: *(uint32_t *)dst = (uint32_t)v; break;
	default: *(uint64_t *)dst = v; break;
	}
}

/* A bit mask given as a number or as a list of flag names. */
static int dp_flags(struct dp_ctx *c, const yaml_node_t *n, const char *const *names,
		    size_t nr, const char *what, uint64_t *out)
{
	const yaml_node_item_t *it;
	uint64_t mask = 0;
	int rc;

	if (n->type != YAML_SEQUENCE_NODE)
		return dp_uint(c, n, 0, (1ull << nr) - 1, out);
	rc = dp_enter(c, n);
	if (rc < 0)
		return rc;
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		const yaml_node_t *e = dp_node(c, *it);

		if (!e)
			return dp_fail(c, n, "internal: dangling YAML node");
		rc = dp_enum(c, e, names, nr, what);
		if (rc < 0)
			return rc;
		mask |= BIT_ULL(rc);
	}
	*out = mask;
	return 0;
}

/* ------------------------------------------------------------ PM */

static const char *const dp_pme_names[] = { "d0", "d1", "d2", "d3hot", "d3cold" };

static int dp_pme(struct dp_ctx *c, const yaml_node_t *n, void *cfg)
{
	uint64_t v;
	int rc = dp_flags(c, n, dp_pme_names, ARRAY_SIZE(dp_pme_names), "PME state", &v);

	if (rc == 0)
		((struct hw_cap_pm_cfg *)cfg)->pme_support = (uint8_t)v;
	return rc;
}

static const struct dp_field dp_pm_fields[] = {
	F_UINT("version", hw_cap_pm_cfg, version, 1, 3, 0),
	F_BOOL("d1", hw_cap_pm_cfg, d1),
	F_BOOL("d2", hw_cap_pm_cfg, d2),
	F_CUSTOM("pme-support", dp_pme),
	F_BOOL("no-soft-reset", hw_cap_pm_cfg, no_soft_reset),
	/* PCI PM r1.2 §3.2.3: Aux_Current encodes up to 375 mA */
	F_UINT("aux-current-ma", hw_cap_pm_cfg, aux_current_ma, 0, 375, 0),
};

static int dp_pm_finish(struct dp_ctx *c, struct dp_cap_ctx *cc, struct hw_desc_cap *cap)
{
	const struct hw_cap_pm_cfg *pm = &cap->u.pm;

	/* PCI PM r1.2 §3.2.3: PME can be signalled only from supported states. */
	if ((pm->pme_support & BIT(1)) && !pm->d1)
		return dp_fail(c, cc->v[3], "pme-support includes d1 but d1 is not supported");
	if ((pm->pme_support & BIT(2)) && !pm->d2)
		return dp_fail(c, cc->v[3], "pme-support includes d2 but d2 is not supported");
	return 0;
}

/* ----------------------------------------------------------- MSI */

static const struct dp_field dp_msi_fields[] = {
	F_UINT("vectors", hw_cap_msi_cfg, vectors, 1, 32, DP_POW2),
	F_BOOL("addr64", hw_cap_msi_cfg, addr64),
	F_BOOL("per-vector-mask", hw_cap_msi_cfg, per_vector_mask),
	F_BOOL("ext-msg-data", hw_cap_msi_cfg, ext_msg_data),
};

static int dp_msi_finish(struct dp_ctx *c, struct dp_cap_ctx *cc, struct hw_desc_cap *cap)
{
	if (!cap->u.msi.vectors)
		cap->u.msi.vectors = 1;
	return 0;
}

/* --------------------------------------------------------- MSI-X */

static const struct dp_field dp_msix_fields[] = {
	F_UINT("table-size", hw_cap_msix_cfg, table_size, 1, 2048, DP_REQ),
	F_UINT("table-bar", hw_cap_msix_cfg, table_bar, 0, 5, 0),
	F_UINT("table-offset", hw_cap_msix_cfg, table_offset, 0, 0xfffffff8, DP_ALIGN8),
	F_UINT("pba-bar", hw_cap_msix_cfg, pba_bar, 0, 5, 0),
	F_UINT("pba-offset", hw_cap_msix_cfg, pba_offset, 0, 0xfffffff8, DP_ALIGN8),
};

/* PCIe r6.2 §7.7.2: table and PBA live in a memory BAR of the function. */
static int dp_msix_region(struct dp_ctx *c, const struct hw_desc_func *f,
			  const yaml_node_t *at, const char *what, unsigned int bir,
			  uint64_t off, uint64_t len)
{
	const struct hw_desc_bar *bar = &f->bars[bir];

	if (bar->kind != HW_BAR_MEM32 && bar->kind != HW_BAR_MEM64)
		return dp_fail(c, at, "MSI-X %s: BAR %u is not a memory BAR of this function",
			       what, bir);
	if (off + len > bar->size)
		return dp_fail(c, at, "MSI-X %s (0x%llx bytes at 0x%llx) does not fit in BAR %u of 0x%llx bytes",
			       what, (unsigned long long)len, (unsigned long long)off, bir,
			       (unsigned long long)bar->size);
	return 0;
}

static int dp_msix_finish(struct dp_ctx *c, struct dp_cap_ctx *cc, struct hw_desc_cap *cap)
{
	const struct hw_cap_msix_cfg *m = &cap->u.msix;
	const yaml_node_t *at;
	int rc;

	/* 16 bytes per table entry, one PBA bit per entry in QWORDs. */
	at = cc->v[1] ? cc->v[1] : cc->map;
	rc = dp_msix_region(c, cc->f, at, "table", m->table_bar, m->table_offset,
			    16ull * m->table_size);
	if (rc < 0)
		return rc;
	at = cc->v[3] ? cc->v[3] : cc->map;
	rc = dp_msix_region(c, cc->f, at, "PBA", m->pba_bar, m->pba_offset,
			    8ull * ((m->table_size + 63u) / 64u));
	if (rc < 0)
		return rc;
	if (m->table_bar == m->pba_bar &&
	    m->table_offset < m->pba_offset + 8ull * ((m->table_size + 63u) / 64u) &&
	    m->pba_offset < m->table_offset + 16ull * m->table_size)
		return dp_fail(c, cc->map, "MSI-X table and PBA overlap");
	return 0;
}

/* ------------------------------------------------ PCI Express cap */

static const char *const dp_port_type_names[] = {
	[PCI_EXP_TYPE_ENDPOINT] = "endpoint",
	[PCI_EXP_TYPE_LEG_END] = "legacy-endpoint",
	[PCI_EXP_TYPE_ROOT_PORT] = "root-port",
	[PCI_EXP_TYPE_UPSTREAM] = "upstream",
	[PCI_EXP_TYPE_DOWNSTREAM] = "downstream",
	[PCI_EXP_TYPE_PCI_BRIDGE] = "pcie-pci-bridge",
	[PCI_EXP_TYPE_PCIE_BRIDGE] = "pci-pcie-bridge",
	[PCI_EXP_TYPE_RC_END] = "rc-integrated",
	[PCI_EXP_TYPE_RC_EC] = "rc-event-collector",
};

static int dp_port_type(struct dp_ctx *c, const yaml_node_t *n, void *cfg)
{
	int rc = dp_enum(c, n, dp_port_type_names, ARRAY_SIZE(dp_port_type_names),
			 "PCI Express port type");

	if (rc >= 0)
		((struct hw_cap_pcie_cfg *)cfg)->type = (enum hw_pcie_port_type)rc;
	return rc < 0 ? rc : 0;
}

/* Link speeds as Supported Link Speeds numbers (PCIe r6.2 §7.5.3.18). */
static const char *const dp_speed_names[] = {
	NULL, "2.5GT", "5GT", "8GT", "16GT", "32GT", "64GT",
};

static int dp_speed(struct dp_ctx *c, const yaml_node_t *n, uint8_t *out)
{
	uint64_t v;
	int rc;

	if (n->type == YAML_SCALAR_NODE && n->data.scalar.length == 1) {
		rc = dp_uint(c, n, 1, 6, &v);
		if (rc == 0)
			*out = (uint8_t)v;
		return rc;
	}
	rc = dp_enum(c, n, dp_speed_names, ARRAY_SIZE(dp_speed_names), "link speed");
	if (rc >= 0)
		*out = (uint8_t)rc;
	return rc < 0 ? rc : 0;
}

static int dp_link_speed(struct dp_ctx *c, const yaml_node_t *n, void *cfg)
{
	return dp_speed(c, n, &((struct hw_cap_pcie_cfg *)cfg)->link_speed);
}

static int dp_cur_link_speed(struct dp_ctx *c, const yaml_node_t *n, void *cfg)
{
	return dp_speed(c, n, &((struct hw_cap_pcie_cfg *)cfg)->cur_link_speed);
}

/* PCIe r6.2 §7.5.3.6: Maximum Link Width x1, x2, x4, x8, x12, x16, x32. */
static int dp_width(struct dp_ctx *c, const yaml_node_t *n, uint8_t *out)
{
	uint64_t v;
	int rc = dp_uint(c, n, 1, 32, &v);

	if (rc < 0)
		return rc;
	if (v != 1 && v != 2 && v != 4 && v != 8 && v != 12 && v != 16 && v != 32)
		return dp_fail(c, n, "link width %llu is not one of 1, 2, 4, 8, 12, 16, 32",
			       (unsigned long long)v);
	*out = (uint8_t)v;
	return 0;
}

static int dp_link_width(struct dp_ctx *c, const yaml_node_t *n, void *cfg)
{
	return dp_width(c, n, &((struct hw_cap_pcie_cfg *)cfg)->link_width);
}

static int dp_cur_link_width(struct dp_ctx *c, const yaml_node_t *n, void *cfg)
{
	return dp_width(c, n, &((struct hw_cap_pcie_cfg *)cfg)->cur_link_width);
}

static const char *const dp_aspm_names[] = { "l0s", "l1" };

static int dp_aspm(struct dp_ctx *c, const yaml_node_t *n, void *cfg)
{
	uint64_t v;
	int rc = dp_flags(c, n, dp_aspm_names, ARRAY_SIZE(dp_aspm_names), "ASPM state", &v);

	if (rc == 0)
		((struct hw_cap_pcie_cfg *)cfg)->aspm = (uint8_t)v;
	return rc;
}

enum {
	PX_TYPE, PX_MPS, PX_FLR, PX_ETAG, PX_L0S_LAT, PX_L1_LAT, PX_SPEED, PX_WIDTH,
	PX_CUR_SPEED, PX_CUR_WIDTH, PX_ASPM, PX_PORT_NUMBER, PX_DLLLA, PX_SLOT,
	PX_SLOT_NUMBER, PX_HOTPLUG, PX_POWER, PX_PRESENCE, PX_ARI_FWD, PX_CTO_DIS,
	PX_LTR, PX_OBFF, PX_ATOMIC, PX_TEN_BIT_TAG, PX_CRS,
};

static const struct dp_field dp_pcie_fields[] = {
	[PX_TYPE] = F_CUSTOM("port-type", dp_port_type),
	[PX_MPS] = F_UINT("max-payload", hw_cap_pcie_cfg, max_payload, 128, 4096, DP_POW2),
	[PX_FLR] = F_BOOL("flr", hw_cap_pcie_cfg, flr),
	[PX_ETAG] = F_BOOL("extended-tag", hw_cap_pcie_cfg, extended_tag),
	[PX_L0S_LAT] = F_UINT("l0s-latency", hw_cap_pcie_cfg, l0s_latency, 0, 7, 0),
	[PX_L1_LAT] = F_UINT("l1-latency", hw_cap_pcie_cfg, l1_latency, 0, 7, 0),
	[PX_SPEED] = F_CUSTOM("link-speed", dp_link_speed),
	[PX_WIDTH] = F_CUSTOM("link-width", dp_link_width),
	[PX_CUR_SPEED] = F_CUSTOM("cur-link-speed", dp_cur_link_speed),
	[PX_CUR_WIDTH] = F_CUSTOM("cur-link-width", dp_cur_link_width),
	[PX_ASPM] = F_CUSTOM("aspm", dp_aspm),
	[PX_PORT_NUMBER] = F_UINT("port-number", hw_cap_pcie_cfg, port_number, 0, 255, 0),
	[PX_DLLLA] = F_BOOL("dll-link-active-reporting", hw_cap_pcie_cfg,
			    dll_link_active_reporting),
	[PX_SLOT] = F_BOOL("slot", hw_cap_pcie_cfg, slot),
	/* PCIe r6.2 §7.5.3.9: Physical Slot Number is 13 bits */
	[PX_SLOT_NUMBER] = F_UINT("slot-number", hw_cap_pcie_cfg, slot_number, 0, 8191, 0),
	[PX_HOTPLUG] = F_BOOL("hotplug", hw_cap_pcie_cfg, hotplug),
	[PX_POWER] = F_UINT("power-limit-mw", hw_cap_pcie_cfg, power_limit_mw, 0, 0xffff, 0),
	[PX_PRESENCE] = F_BOOL("presence", hw_cap_pcie_cfg, presence),
	[PX_ARI_FWD] = F_BOOL("ari-forwarding", hw_cap_pcie_cfg, ari_forwarding),
	[PX_CTO_DIS] = F_BOOL("completion-timeout-disable", hw_cap_pcie_cfg,
			      completion_timeout_disable),
	[PX_LTR] = F_BOOL("ltr", hw_cap_pcie_cfg, ltr),
	/* PCIe r6.2 §7.5.3.15: OBFF Supported is a 2-bit field */
	[PX_OBFF] = F_UINT("obff", hw_cap_pcie_cfg, obff, 0, 3, 0),
	[PX_ATOMIC] = F_BOOL("atomic-ops", hw_cap_pcie_cfg, atomic_ops),
	[PX_TEN_BIT_TAG] = F_BOOL("ten-bit-tag", hw_cap_pcie_cfg, ten_bit_tag),
	[PX_CRS] = F_UINT("crs-visibility", hw_cap_pcie_cfg, crs_visibility, 0, 1, 0),
};

/* The Device/Port Type a node gets (PCIe r6.2 §7.5.3.2), as the hardware
 * builder assigns it when the file lists no PCI Express capability. */
static enum hw_pcie_port_type dp_default_type(const struct hw_desc_func *f, enum dp_bus bus)
{
	switch (f->kind) {
	case HW_DESC_ROOT_PORT: return HW_PCIE_ROOT_PORT;
	case HW_DESC_SWITCH: return HW_PCIE_UPSTREAM;
	case HW_DESC_DOWNSTREAM_PORT: return HW_PCIE_DOWNSTREAM;
	case HW_DESC_PCIE_PCI_BRIDGE: return HW_PCIE_PCIE_TO_PCI;
	default:
		return bus == DP_BUS_ROOT ? HW_PCIE_RC_INTEGRATED : HW_PCIE_ENDPOINT;
	}
}

static bool dp_type_ok(const struct hw_desc_func *f, enum dp_bus bus, enum hw_pcie_port_type t)
{
	if (f->kind != HW_DESC_ENDPOINT)
		return t == dp_default_type(f, bus);
	if (bus == DP_BUS_ROOT)
		return t == HW_PCIE_RC_INTEGRATED || t == HW_PCIE_RC_EC;
	return t == HW_PCIE_ENDPOINT || t == HW_PCIE_LEGACY_ENDPOINT;
}

static int dp_pcie_finish(struct dp_ctx *c, struct dp_cap_ctx *cc, struct hw_desc_cap *cap)
{
	struct hw_cap_pcie_cfg *e = &cap->u.pcie;
	const struct hw_desc_func *f = cc->f;
	enum dp_bus bus = cc->where->bus;
	bool port = cc->where->port;

	if (!cc->v[PX_TYPE]) {
		e->type = dp_default_type(f, bus);
	} else if (!dp_type_ok(f, bus, e->type)) {
		return dp_fail(c, cc->v[PX_TYPE], "port-type '%s' does not fit %s %s on %s (expected '%s')",
			       dp_port_type_names[e->type], f->kind == HW_DESC_ENDPOINT ? "an" : "a",
			       dp_kind_name(f->kind),
			       bus == DP_BUS_ROOT ? "the root bus" : "a PCIe link",
			       dp_port_type_names[dp_default_type(f, bus)]);
	}
	/* Ports: the same defaults as the builder's automatic capability. */
	if (port) {
		if (!cc->v[PX_DLLLA])
			e->dll_link_active_reporting = true;
		if (!cc->v[PX_ARI_FWD])
			e->ari_forwarding = true;
		if (!cc->v[PX_PORT_NUMBER])
			e->port_number = (uint8_t)(f->dev << 3 | f->fn);
	}
	/* PCIe r6.2 §7.5.3.2: Slot Implemented only on root/downstream ports. */
	if (!port) {
		static const int slot_keys[] = { PX_SLOT, PX_SLOT_NUMBER, PX_HOTPLUG, PX_POWER };
		unsigned int i;

		for (i = 0; i < ARRAY_SIZE(slot_keys); i++)
			if (cc->v[slot_keys[i]])
				return dp_fail(c, cc->v[slot_keys[i]], "'%s' is for root ports and switch downstream ports only",
					       dp_pcie_fields[slot_keys[i]].key);
	} else if (!e->slot) {
		if (e->hotplug)
			return dp_fail(c, cc->v[PX_HOTPLUG], "hotplug needs 'slot: true'");
		if (cc->v[PX_SLOT_NUMBER])
			return dp_fail(c, cc->v[PX_SLOT_NUMBER], "slot-number needs 'slot: true'");
	}
	if (e->ari_forwarding && !port)
		return dp_fail(c, cc->v[PX_ARI_FWD], "ari-forwarding is for root ports and switch downstream ports only");
	if (e->crs_visibility && f->kind != HW_DESC_ROOT_PORT)
		return dp_fail(c, cc->v[PX_CRS], "crs-visibility is for root ports only (PCIe r6.2 §7.5.3.13)");
	if (e->cur_link_speed && e->cur_link_speed > (e->link_speed ? e->link_speed : 3))
		return dp_fail(c, cc->v[PX_CUR_SPEED], "cur-link-speed is above link-speed");
	if (e->cur_link_width && e->cur_link_width > (e->link_width ? e->link_width : 1))
		return dp_fail(c, cc->v[PX_CUR_WIDTH], "cur-link-width is above link-width");
	return 0;
}

/* ----------------------------------------------------------- AER */

static const struct dp_field dp_aer_fields[] = {
	F_BOOL("ecrc", hw_cap_aer_cfg, ecrc),
	F_BOOL("multiple-header", hw_cap_aer_cfg, multiple_header),
	F_BOOL("tlp-prefix-log", hw_cap_aer_cfg, tlp_prefix_log),
	F_BOOL("root", hw_cap_aer_cfg, root),
};

static int dp_aer_finish(struct dp_ctx *c, struct dp_cap_ctx *cc, struct hw_desc_cap *cap)
{
	/* PCIe r6.2 §7.8.4.9: root ports have the Root Error registers. */
	if (!cc->v[3])
		cap->u.aer.root = cc->f->kind == HW_DESC_ROOT_PORT;
	return 0;
}

/* ----------------------------------------------------------- ACS */

/* PCIe r6.2 §7.7.8.2, bits 6:0 of the ACS Capability register. */
static const char *const dp_acs_names[] = { "sv", "tb", "rr", "cr", "uf", "ec", "dt" };

static int dp_acs_caps(struct dp_ctx *c, const yaml_node_t *n, void *cfg)
{
	uint64_t v;
	int rc = dp_flags(c, n, dp_acs_names, ARRAY_SIZE(dp_acs_names), "ACS control", &v);

	if (rc == 0)
		((struct hw_cap_acs_cfg *)cfg)->caps = (uint16_t)v;
	return rc;
}

static const struct dp_field dp_acs_fields[] = {
	F_CUSTOM("caps", dp_acs_caps),
	F_UINT("egress-bits", hw_cap_acs_cfg, egress_bits, 0, 255, 0),
};

static int dp_acs_finish(struct dp_ctx *c, struct dp_cap_ctx *cc, struct hw_desc_cap *cap)
{
	if (cap->u.acs.egress_bits && !(cap->u.acs.caps & PCI_ACS_EC))
		return dp_fail(c, cc->v[1], "egress-bits needs the 'ec' (egress control) ACS control");
	return 0;
}

/* ---------------------------------------------- ARI, ATS, PRI, PASID */

static const struct dp_field dp_ari_fields[] = {
	F_UINT("next-function", hw_cap_ari_cfg, next_function, 0, 255, 0),
	F_BOOL("mfvc", hw_cap_ari_cfg, mfvc),
	F_BOOL("acs-groups", hw_cap_ari_cfg, acs_groups),
};

static const struct dp_field dp_ats_fields[] = {
	F_UINT("invq-depth", hw_cap_ats_cfg, invq_depth, 0, 31, 0),
	F_BOOL("page-aligned-request", hw_cap_ats_cfg, page_aligned_request),
	F_BOOL("global-invalidate", hw_cap_ats_cfg, global_invalidate),
	F_BOOL("relaxed-ordering", hw_cap_ats_cfg, relaxed_ordering),
};

static const struct dp_field dp_pri_fields[] = {
	F_UINT("outstanding-capacity", hw_cap_pri_cfg, outstanding_capacity, 0, 0xffffffff, 0),
	F_BOOL("prg-response-pasid", hw_cap_pri_cfg, prg_response_pasid),
};

static const struct dp_field dp_pasid_fields[] = {
	F_UINT("width", hw_cap_pasid_cfg, width, 1, 20, 0),
	F_BOOL("exec", hw_cap_pasid_cfg, exec),
	F_BOOL("priv", hw_cap_pasid_cfg, priv),
};

static int dp_pasid_finish(struct dp_ctx *c, struct dp_cap_ctx *cc, struct hw_desc_cap *cap)
{
	/* PCIe r6.2 §7.8.8.2: Max PASID Width is at most 20 bits. */
	if (!cap->u.pasid.width)
		cap->u.pasid.width = 20;
	return 0;
}

/* -------------------------------------------------------- SR-IOV */

static int dp_vf_bars(struct dp_ctx *c, const yaml_node_t *n, void *cfg)
{
	struct hw_cap_sriov_cfg *s = cfg;
	enum hw_bar_kind kinds[6] = { 0 };
	bool pref[6] = { 0 };
	uint64_t sizes[6] = { 0 };
	struct hw_desc_loc locs[6] = { 0 };
	const yaml_node_item_t *it;
	unsigned int next = 0, i;
	int rc;

	rc = dp_expect_seq(c, n, "vf-bars");
	if (rc < 0)
		return rc;
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		const yaml_node_t *e = dp_node(c, *it);

		if (!e)
			return dp_fail(c, n, "internal: dangling YAML node");
		rc = dp_bar(c, e, 6, true, kinds, pref, sizes, locs, &next);
		if (rc < 0)
			return rc;
	}
	for (i = 0; i < 6; i++) {
		s->vf_bars[i].kind = kinds[i];
		s->vf_bars[i].prefetchable = pref[i];
		s->vf_bars[i].size = sizes[i];
	}
	return 0;
}

enum {
	SR_TOTAL, SR_INITIAL, SR_OFFSET, SR_STRIDE, SR_VF_DEVICE, SR_PAGE_SIZES,
	SR_FDL, SR_VF_BARS,
};

static const struct dp_field dp_sriov_fields[] = {
	[SR_TOTAL] = F_UINT("total-vfs", hw_cap_sriov_cfg, total_vfs, 1, 0xffff, DP_REQ),
	[SR_INITIAL] = F_UINT("initial-vfs", hw_cap_sriov_cfg, initial_vfs, 0, 0xffff, 0),
	[SR_OFFSET] = F_UINT("vf-offset", hw_cap_sriov_cfg, vf_offset, 1, 0xffff, 0),
	[SR_STRIDE] = F_UINT("vf-stride", hw_cap_sriov_cfg, vf_stride, 1, 0xffff, 0),
	[SR_VF_DEVICE] = F_UINT("vf-device", hw_cap_sriov_cfg, vf_device, 0, 0xffff, 0),
	[SR_PAGE_SIZES] = F_UINT("supported-page-sizes", hw_cap_sriov_cfg,
				 supported_page_sizes, 0, 0xffffffff, 0),
	[SR_FDL] = F_UINT("func-dep-link", hw_cap_sriov_cfg, func_dep_link, 0, 255, 0),
	[SR_VF_BARS] = F_CUSTOM("vf-bars", dp_vf_bars),
};

/* PCIe r6.2 §9.3.3.12: a PF supports at least 4K, 8K, 64K, 256K, 1M, 4M. */
#define DP_SRIOV_MANDATORY_PAGES	0x553u

static int dp_sriov_finish(struct dp_ctx *c, struct dp_cap_ctx *cc, struct hw_desc_cap *cap)
{
	struct hw_cap_sriov_cfg *s = &cap->u.sriov;

	if (cc->f->kind != HW_DESC_ENDPOINT || cc->where->bus == DP_BUS_ROOT)
		return dp_fail(c, cc->map, "SR-IOV is for endpoints below a PCIe port (PCIe r6.2 §9.1)");
	if (s->initial_vfs > s->total_vfs)
		return dp_fail(c, cc->v[SR_INITIAL], "initial-vfs %u is above total-vfs %u",
			       s->initial_vfs, s->total_vfs);
	if (cc->v[SR_PAGE_SIZES] &&
	    (s->supported_page_sizes & DP_SRIOV_MANDATORY_PAGES) != DP_SRIOV_MANDATORY_PAGES)
		return dp_fail(c, cc->v[SR_PAGE_SIZES], "supported-page-sizes must include 0x%x (4K, 8K, 64K, 256K, 1M, 4M; PCIe r6.2 §9.3.3.12)",
			       DP_SRIOV_MANDATORY_PAGES);
	/* A VF without its own Device ID field defaults to the PF's ID. */
	if (!cc->v[SR_VF_DEVICE])
		s->vf_device = cc->f->device;
	return 0;
}

/* ------------------------------------------------ DOE, DPC, DSN, ... */

static const struct dp_field dp_doe_fields[] = {
	F_BOOL("interrupt", hw_cap_doe_cfg, interrupt),
	/* PCIe r6.2 §7.9.24.2: DOE Interrupt Message Number, 11 bits */
	F_UINT("interrupt-msg", hw_cap_doe_cfg, interrupt_msg, 0, 2047, 0),
};

static int dp_doe_finish(struct dp_ctx *c, struct dp_cap_ctx *cc, struct hw_desc_cap *cap)
{
	if (cc->v[1] && !cap->u.doe.interrupt)
		return dp_fail(c, cc->v[1], "interrupt-msg needs 'interrupt: true'");
	return 0;
}

enum { DPC_RPEXT, DPC_PTLP, DPC_SWTRIG, DPC_PIOLOG, DPC_DLACT };

static const struct dp_field dp_dpc_fields[] = {
	[DPC_RPEXT] = F_BOOL("rp-extensions", hw_cap_dpc_cfg, rp_extensions),
	[DPC_PTLP] = F_BOOL("poisoned-tlp-egress-blocking", hw_cap_dpc_cfg,
			    poisoned_tlp_egress_blocking),
	[DPC_SWTRIG] = F_BOOL("sw-trigger", hw_cap_dpc_cfg, sw_trigger),
	[DPC_PIOLOG] = F_UINT("rp-pio-log-size", hw_cap_dpc_cfg, rp_pio_log_size, 0, 9, 0),
	[DPC_DLACT] = F_BOOL("dl-active-err-cor", hw_cap_dpc_cfg, dl_active_err_cor),
};

static int dp_dpc_finish(struct dp_ctx *c, struct dp_cap_ctx *cc, struct hw_desc_cap *cap)
{
	/* PCIe r6.2 §7.9.14: DPC is a capability of downstream ports. */
	if (!cc->where->port)
		return dp_fail(c, cc->map, "DPC is for root ports and switch downstream ports only (PCIe r6.2 §6.2.11)");
	if (cap->u.dpc.rp_extensions && cc->f->kind != HW_DESC_ROOT_PORT)
		return dp_fail(c, cc->v[DPC_RPEXT], "rp-extensions is for root ports only");
	if (cap->u.dpc.rp_pio_log_size && !cap->u.dpc.rp_extensions)
		return dp_fail(c, cc->v[DPC_PIOLOG], "rp-pio-log-size needs 'rp-extensions: true'");
	return 0;
}

static const struct dp_field dp_dsn_fields[] = {
	F_UINT("serial", hw_cap_dsn_cfg, serial, 0, UINT64_MAX, 0),
};

static const struct dp_field dp_dvsec_fields[] = {
	F_UINT("vendor", hw_cap_dvsec_cfg, vendor, 0, 0xffff, DP_REQ),
	F_UINT("id", hw_cap_dvsec_cfg, id, 0, 0xffff, DP_REQ),
	F_UINT("revision", hw_cap_dvsec_cfg, revision, 0, 15, 0),
	/* PCIe r6.2 §7.9.6.2: DVSEC Length is 12 bits and covers the header */
	F_UINT("length", hw_cap_dvsec_cfg, length, 10, 0xfff, 0),
};

static const struct dp_field dp_l1ss_fields[] = {
	F_BOOL("pcipm-l12", hw_cap_l1ss_cfg, pcipm_l12),
	F_BOOL("pcipm-l11", hw_cap_l1ss_cfg, pcipm_l11),
	F_BOOL("aspm-l12", hw_cap_l1ss_cfg, aspm_l12),
	F_BOOL("aspm-l11", hw_cap_l1ss_cfg, aspm_l11),
	F_UINT("common-mode-restore", hw_cap_l1ss_cfg, common_mode_restore, 0, 255, 0),
	/* PCIe r6.2 §7.8.3.2: T_POWER_ON Scale 0..2, Value 5 bits */
	F_UINT("t-power-on-scale", hw_cap_l1ss_cfg, t_power_on_scale, 0, 2, 0),
	F_UINT("t-power-on-value", hw_cap_l1ss_cfg, t_power_on_value, 0, 31, 0),
};

/* PCIe r6.2 §7.9.26: IDE Extended Capability (hw_cap_add_ide). */
enum { IDEF_LINK, IDEF_LINK_TCS, IDEF_SEL, IDEF_ASSOC, IDEF_KM };

static const struct dp_field dp_ide_fields[] = {
	[IDEF_LINK] = F_BOOL("link", hw_cap_ide_cfg, link),
	/* §7.9.26.2: Number of TCs Supported for Link IDE, 3 bits (+1) */
	[IDEF_LINK_TCS] = F_UINT("link-tcs", hw_cap_ide_cfg, link_tcs, 1, 8, 0),
	/* §7.9.26.2: Number of Selective IDE Streams Supported, 8 bits (+1) */
	[IDEF_SEL] = F_UINT("selective-streams", hw_cap_ide_cfg, sel_streams, 0, 256, 0),
	/* §7.9.26.5.1: Number of Address Association Register Blocks, 4 bits */
	[IDEF_ASSOC] = F_UINT("addr-assoc", hw_cap_ide_cfg, addr_assoc, 0, 15, 0),
	[IDEF_KM] = F_BOOL("ide-km", hw_cap_ide_cfg, ide_km),
	F_BOOL("flow-through", hw_cap_ide_cfg, flowthrough),
	F_BOOL("aggregation", hw_cap_ide_cfg, aggregation),
	F_BOOL("pcrc", hw_cap_ide_cfg, pcrc),
	F_BOOL("selective-cfg", hw_cap_ide_cfg, sel_cfg),
	F_BOOL("tee-limited", hw_cap_ide_cfg, tee_limited),
};

static int dp_ide_finish(struct dp_ctx *c, struct dp_cap_ctx *cc, struct hw_desc_cap *cap)
{
	struct hw_cap_ide_cfg *ide = &cap->u.ide;

	if (!ide->link && !ide->sel_streams)
		return dp_fail(c, cc->map, "IDE needs 'link: true' or selective-streams >= 1");
	if (cc->v[IDEF_LINK_TCS] && !ide->link)
		return dp_fail(c, cc->v[IDEF_LINK_TCS], "link-tcs needs 'link: true'");
	if (ide->link && !ide->link_tcs)
		ide->link_tcs = 1;
	if (cc->v[IDEF_ASSOC] && !ide->sel_streams)
		return dp_fail(c, cc->v[IDEF_ASSOC], "addr-assoc needs selective-streams");
	return 0;
}

/* ------------------------------------------------------------ table */

#define CAP(n, k, m, e, f, fin) \
	{ n, k, m, e, f, ARRAY_SIZE(f), fin }

static const struct dp_cap_type dp_cap_types[] = {
	CAP("pm", HW_DESC_CAP_PM, false, false, dp_pm_fields, dp_pm_finish),
	CAP("msi", HW_DESC_CAP_MSI, false, false, dp_msi_fields, dp_msi_finish),
	CAP("msix", HW_DESC_CAP_MSIX, false, false, dp_msix_fields, dp_msix_finish),
	CAP("express", HW_DESC_CAP_PCIE, false, false, dp_pcie_fields, dp_pcie_finish),
	CAP("aer", HW_DESC_CAP_AER, false, true, dp_aer_fields, dp_aer_finish),
	CAP("acs", HW_DESC_CAP_ACS, false, true, dp_acs_fields, dp_acs_finish),
	CAP("ari", HW_DESC_CAP_ARI, false, true, dp_ari_fields, NULL),
	CAP("ats", HW_DESC_CAP_ATS, false, true, dp_ats_fields, NULL),
	CAP("pri", HW_DESC_CAP_PRI, false, true, dp_pri_fields, NULL),
	CAP("pasid", HW_DESC_CAP_PASID, false, true, dp_pasid_fields, dp_pasid_finish),
	CAP("sriov", HW_DESC_CAP_SRIOV, false, true, dp_sriov_fields, dp_sriov_finish),
	/* PCIe r6.2 §6.30: a function may have several DOE mailboxes */
	CAP("doe", HW_DESC_CAP_DOE, true, true, dp_doe_fields, dp_doe_finish),
	CAP("dpc", HW_DESC_CAP_DPC, false, true, dp_dpc_fields, dp_dpc_finish),
	CAP("dsn", HW_DESC_CAP_DSN, false, true, dp_dsn_fields, NULL),
	CAP("dvsec", HW_DESC_CAP_DVSEC, true, true, dp_dvsec_fields, NULL),
	CAP("l1ss", HW_DESC_CAP_L1SS, false, true, dp_l1ss_fields, NULL),
	CAP("ide", HW_DESC_CAP_IDE, false, true, dp_ide_fields, dp_ide_finish),
};

_Static_assert(ARRAY_SIZE(dp_cap_types) == HW_DESC_CAP_NR,
	       "every capability kind has a platform-file type");

#define DP_MAX_FIELDS	32

static int dp_parse_field(struct dp_ctx *c, const struct dp_field *fd, const yaml_node_t *n,
			  void *cfg)
{
	uint64_t v;
	bool b;
	int rc;

	switch (fd->type) {
	case DP_BOOL:
		rc = dp_bool(c, n, &b);
		if (rc == 0)
			*(bool *)((char *)cfg + fd->off) = b;
		return rc;
	case DP_UINT:
		rc = dp_uint(c, n, fd->lo, fd->hi, &v);
		if (rc < 0)
			return rc;
		if ((fd->flags & DP_POW2) && !is_power_of_2(v))
			return dp_fail(c, n, "%s %llu is not a power of two", fd->key,
				       (unsigned long long)v);
		if ((fd->flags & DP_ALIGN8) && (v & 7))
			return dp_fail(c, n, "%s 0x%llx is not a multiple of 8", fd->key,
				       (unsigned long long)v);
		dp_store((char *)cfg + fd->off, fd->size, v);
		return 0;
	case DP_CUSTOM:
		return fd->parse(c, n, cfg);
	}
	return -EINVAL;
}

static int dp_parse_cap(struct dp_ctx *c, struct hw_desc_func *f, const yaml_node_t *map,
			const struct dp_place *where, struct hw_desc_cap *cap)
{
	const char *names[DP_MAX_FIELDS + 1];
	const yaml_node_t *vals[DP_MAX_FIELDS + 1];
	const char *type_names[HW_DESC_CAP_NR];
	const struct dp_cap_type *t = NULL;
	const yaml_node_pair_t *pair;
	struct dp_cap_ctx cc;
	uint64_t seen = 0;
	size_t i;
	int rc;

	rc = dp_expect_map(c, map, "capability");
	if (rc < 0)
		return rc;
	/* Find "type" first: it decides which keys are valid. */
	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		const yaml_node_t *k = dp_node(c, pair->key), *v = dp_node(c, pair->value);

		if (!k || !v)
			return dp_fail(c, map, "internal: dangling YAML node");
		if (!dp_is(k, "type"))
			continue;
		for (i = 0; i < HW_DESC_CAP_NR; i++)
			type_names[i] = dp_cap_types[i].name;
		rc = dp_enum(c, v, type_names, HW_DESC_CAP_NR, "capability type");
		if (rc < 0)
			return rc;
		t = &dp_cap_types[rc];
		break;
	}
	if (!t)
		return dp_missing(c, map, "type", "capability");

	names[0] = "type";
	for (i = 0; i < t->nr_fields; i++)
		names[i + 1] = t->fields[i].key;
	for (i = 0; i <= t->nr_fields; i++)
		vals[i] = NULL;

	cap->kind = t->kind;
	dp_loc(c, map, &cap->loc);
	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		const yaml_node_t *k = dp_node(c, pair->key), *v = dp_node(c, pair->value);
		char what[48];

		snprintf(what, sizeof(what), "capability '%s'", t->name);
		rc = dp_key(c, k, names, t->nr_fields + 1, what, &seen);
		if (rc < 0)
			return rc;
		if (rc == 0)
			continue;
		vals[rc] = v;
		rc = dp_parse_field(c, &t->fields[rc - 1], v, &cap->u);
		if (rc < 0)
			return rc;
	}
	for (i = 0; i < t->nr_fields; i++)
		if ((t->fields[i].flags & DP_REQ) && !vals[i + 1]) {
			char what[48];

			snprintf(what, sizeof(what), "capability '%s'", t->name);
			return dp_missing(c, map, t->fields[i].key, what);
		}

	/* PCIe r6.2 §7.2.2: only PCI Express functions have extended
	 * configuration space, where these capabilities live. */
	if (t->kind == HW_DESC_CAP_PCIE && !where->pcie)
		return dp_fail(c, map, "a conventional PCI function has no PCI Express capability");
	if (t->ext && !where->pcie)
		return dp_fail(c, map, "capability '%s' needs PCI Express extended configuration space, which a conventional PCI function lacks",
			       t->name);
	if (t->finish) {
		cc.f = f;
		cc.where = where;
		cc.map = map;
		cc.v = vals + 1;
		return t->finish(c, &cc, cap);
	}
	return 0;
}

int dp_parse_caps(struct dp_ctx *c, struct hw_desc_func *f, const yaml_node_t *seq,
		  const struct dp_place *where)
{
	const yaml_node_item_t *it;
	size_t nr;
	unsigned int i, j;
	int rc;

	rc = dp_expect_seq(c, seq, "capabilities");
	if (rc < 0)
		return rc;
	nr = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
	if (!nr)
		return 0;
	/* Config space holds at most (4096 - 256) / 4 capability headers. */
	if (nr > 960)
		return dp_fail(c, seq, "too many capabilities (%zu)", nr);
	f->caps = pl_calloc(nr, sizeof(*f->caps));
	if (!f->caps)
		return dp_nomem(c);
	for (it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
		const yaml_node_t *n = dp_node(c, *it);
		struct hw_desc_cap *cap = &f->caps[f->nr_caps];

		if (!n)
			return dp_fail(c, seq, "internal: dangling YAML node");
		rc = dp_parse_cap(c, f, n, where, cap);
		if (rc < 0)
			return rc;
		f->nr_caps++;
		for (i = 0; i < ARRAY_SIZE(dp_cap_types); i++)
			if (dp_cap_types[i].kind == cap->kind)
				break;
		if (dp_cap_types[i].multi)
			continue;
		for (j = 0; j + 1 < f->nr_caps; j++)
			if (f->caps[j].kind == cap->kind)
				return dp_fail(c, n, "duplicate capability '%s' (first at line %u); only one is allowed",
					       dp_cap_types[i].name, f->caps[j].loc.line);
	}
	return 0;
}
