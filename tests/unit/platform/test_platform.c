// SPDX-License-Identifier: MIT
/*
 * Platform files that parse: the built-in default, every example under
 * platforms/, and the values each key puts into struct hw_desc_platform.
 */
#include <stdio.h>

#include "test.h"
#include "platform/platform_util.h"
#include "platform/platform_test_paths.h"

static struct hw_desc_platform *parse_example(const char *file)
{
	char path[512], err[512] = "";
	struct hw_desc_platform *p;

	snprintf(path, sizeof(path), "%s/%s", PLATFORMS_DIR, file);
	p = hw_desc_parse_file(path, err, sizeof(err));
	if (IS_ERR(p))
		fail_msg("%s: %ld: %s", path, PTR_ERR(p), err);
	assert_string_equal(p->file, path);
	return p;
}

static void assert_bar(const struct hw_desc_func *f, int i, enum hw_bar_kind kind, bool pref,
		       uint64_t size)
{
	assert_int_equal(f->bars[i].kind, kind);
	assert_int_equal(f->bars[i].prefetchable, pref);
	assert_int_equal(f->bars[i].size, size);
	if (kind != HW_BAR_NONE)
		assert_true(f->bars[i].loc.line > 0);
}

/* ------------------------------------------------------- default */

static void test_default_top(void **state)
{
	char err[256];
	struct hw_desc_platform *p = hw_desc_default(err, sizeof(err));
	struct hw_desc_host_bridge *h;

	assert_false(IS_ERR(p));
	assert_string_equal(p->name, "default");
	assert_string_equal(p->file, "<built-in>");
	assert_int_equal(p->ram_size, 2ull << 30);
	h = pt_host_bridge(p, 0);
	assert_ptr_equal(h->node.next, &p->host_bridges);	/* exactly one */
	assert_int_equal(h->segment, 0);
	assert_int_equal(h->bus_start, 0);
	assert_int_equal(h->bus_end, 255);
	assert_int_equal(h->mmio.base, 0xc0000000);
	assert_int_equal(h->mmio.size, 0x3e000000);
	assert_int_equal(h->mmio_pref.base, 0x8000000000ull);
	assert_int_equal(h->mmio_pref.size, 64ull << 30);
	assert_int_equal(h->io.base, 0x1000);
	assert_int_equal(h->io.size, 0xf000);
	/* host bridge, rp0, rp1, rp2 */
	assert_int_equal(pt_nr_children(&h->devices), 4);
	assert_int_equal(pt_nr_funcs(p), 18);
	/* Every capability kind is shown off somewhere. */
	assert_int_equal(pt_cap_kinds(p), (1u << HW_DESC_CAP_NR) - 1);
	hw_desc_free(p);
}

static void test_default_root_port(void **state)
{
	struct hw_desc_platform *p = hw_desc_default(NULL, 0);
	const struct hw_desc_func *rp = pt_find(p, "rp0");
	const struct hw_desc_cap *c;

	assert_non_null(rp);
	assert_int_equal(rp->kind, HW_DESC_ROOT_PORT);
	assert_int_equal(rp->dev, 1);
	assert_int_equal(rp->fn, 0);
	assert_int_equal(rp->vendor, 0x1b36);
	assert_int_equal(rp->device, 0x000c);
	assert_int_equal(rp->intx_pin, 1);
	c = pt_cap(rp, HW_DESC_CAP_PCIE);
	assert_non_null(c);
	assert_int_equal(c->u.pcie.type, HW_PCIE_ROOT_PORT);	/* from the kind */
	assert_int_equal(c->u.pcie.link_speed, 4);
	assert_int_equal(c->u.pcie.link_width, 4);
	assert_int_equal(c->u.pcie.aspm, 3);
	assert_true(c->u.pcie.slot);
	assert_int_equal(c->u.pcie.slot_number, 1);
	assert_true(c->u.pcie.hotplug);
	assert_int_equal(c->u.pcie.power_limit_mw, 25000);
	/* port defaults, as the builder's automatic capability has them */
	assert_true(c->u.pcie.dll_link_active_reporting);
	assert_true(c->u.pcie.ari_forwarding);
	assert_int_equal(c->u.pcie.port_number, 1 << 3);
	c = pt_cap(rp, HW_DESC_CAP_AER);
	assert_true(c->u.aer.ecrc);
	assert_true(c->u.aer.root);		/* root ports by default */
	c = pt_cap(rp, HW_DESC_CAP_ACS);
	assert_int_equal(c->u.acs.caps, PCI_ACS_SV | PCI_ACS_TB | PCI_ACS_RR | PCI_ACS_CR |
			 PCI_ACS_UF | PCI_ACS_DT);
	c = pt_cap(rp, HW_DESC_CAP_DPC);
	assert_true(c->u.dpc.rp_extensions);
	assert_int_equal(c->u.dpc.rp_pio_log_size, 4);
	c = pt_cap(rp, HW_DESC_CAP_PM);
	assert_int_equal(c->u.pm.pme_support, BIT(0) | BIT(3) | BIT(4));
	c = pt_cap(rp, HW_DESC_CAP_L1SS);
	assert_int_equal(c->u.l1ss.t_power_on_value, 5);
	/* caps keep file order */
	assert_int_equal(rp->caps[0].kind, HW_DESC_CAP_PCIE);
	assert_int_equal(rp->caps[1].kind, HW_DESC_CAP_MSI);
	assert_int_equal(rp->caps[1].u.msi.vectors, 1);	/* default */
	assert_int_equal(pt_nr_children(&rp->children), 1);
	hw_desc_free(p);
}

static void test_default_nvme(void **state)
{
	struct hw_desc_platform *p = hw_desc_default(NULL, 0);
	const struct hw_desc_func *f = pt_find(p, "nvme0");
	const struct hw_desc_cap *c;

	assert_non_null(f);
	assert_ptr_equal(f, pt_child(pt_find(p, "rp0"), 0));
	assert_int_equal(f->kind, HW_DESC_ENDPOINT);
	assert_int_equal(f->class_code, 0x010802);
	assert_int_equal(f->revision, 2);
	assert_int_equal(f->subsys_vendor, 0x1af4);
	assert_int_equal(f->subsys_device, 0x1100);
	assert_false(f->multifunction);
	assert_bar(f, 0, HW_BAR_MEM64, true, 16 << 10);
	assert_bar(f, 1, HW_BAR_NONE, false, 0);
	assert_bar(f, 2, HW_BAR_MEM64, true, 1 << 20);
	assert_bar(f, HW_PCI_ROM_SLOT, HW_BAR_NONE, false, 0);
	c = pt_cap(f, HW_DESC_CAP_MSIX);
	assert_int_equal(c->u.msix.table_size, 65);
	assert_int_equal(c->u.msix.table_offset, 0x2000);
	assert_int_equal(c->u.msix.pba_offset, 0x3000);
	c = pt_cap(f, HW_DESC_CAP_PCIE);
	assert_int_equal(c->u.pcie.type, HW_PCIE_ENDPOINT);
	assert_int_equal(c->u.pcie.max_payload, 512);
	assert_true(c->u.pcie.flr);
	assert_false(c->u.pcie.ari_forwarding);	/* not a port */
	c = pt_cap(f, HW_DESC_CAP_DSN);
	assert_int_equal(c->u.dsn.serial, 0x5043494c41420001ull);
	hw_desc_free(p);
}

static void test_default_switch(void **state)
{
	struct hw_desc_platform *p = hw_desc_default(NULL, 0);
	const struct hw_desc_func *rp = pt_find(p, "rp1"), *sw, *dp, *gpu, *audio;
	unsigned int i;

	assert_int_equal(pt_nr_children(&rp->children), 1);
	sw = pt_child(rp, 0);
	assert_string_equal(sw->name, "sw0");
	assert_int_equal(sw->kind, HW_DESC_SWITCH);
	assert_int_equal(pt_cap(sw, HW_DESC_CAP_PCIE)->u.pcie.type, HW_PCIE_UPSTREAM);
	assert_int_equal(pt_nr_children(&sw->children), 4);
	for (i = 0; i < 4; i++) {
		dp = pt_child(sw, i);
		assert_int_equal(dp->kind, HW_DESC_DOWNSTREAM_PORT);
		assert_int_equal(dp->dev, i);
		assert_int_equal(dp->fn, 0);
		assert_non_null(pt_cap(dp, HW_DESC_CAP_ACS));
		assert_non_null(pt_cap(dp, HW_DESC_CAP_DPC));
		assert_int_equal(pt_cap(dp, HW_DESC_CAP_PCIE)->u.pcie.type, HW_PCIE_DOWNSTREAM);
		assert_int_equal(pt_cap(dp, HW_DESC_CAP_PCIE)->u.pcie.slot_number, 10 + i);
	}
	/* the last port is an empty hot-plug slot */
	assert_int_equal(pt_nr_children(&dp->children), 0);
	assert_true(pt_cap(dp, HW_DESC_CAP_PCIE)->u.pcie.hotplug);

	/* multi-function GPU, no ACS on either function */
	dp = pt_child(sw, 0);
	assert_int_equal(pt_nr_children(&dp->children), 2);
	gpu = pt_child(dp, 0);
	audio = pt_child(dp, 1);
	assert_string_equal(gpu->name, "gpu0");
	assert_int_equal(gpu->fn, 0);
	assert_int_equal(audio->fn, 1);
	assert_true(gpu->multifunction);
	assert_true(audio->multifunction);
	assert_null(pt_cap(gpu, HW_DESC_CAP_ACS));
	assert_null(pt_cap(audio, HW_DESC_CAP_ACS));
	assert_int_equal(gpu->class_code, 0x030000);
	assert_int_equal(audio->class_code, 0x040300);
	assert_int_equal(audio->intx_pin, 2);
	assert_bar(gpu, 0, HW_BAR_MEM32, true, 16 << 20);
	assert_bar(gpu, 2, HW_BAR_MEM64, true, 256 << 20);
	assert_bar(gpu, 4, HW_BAR_MEM32, false, 4096);
	assert_bar(gpu, HW_PCI_ROM_SLOT, HW_BAR_ROM, false, 64 << 10);
	assert_true(pt_cap(audio, HW_DESC_CAP_MSI)->u.msi.per_vector_mask);
	assert_int_equal(pt_cap(audio, HW_DESC_CAP_MSI)->u.msi.vectors, 4);
	hw_desc_free(p);
}

static void test_default_nic(void **state)
{
	struct hw_desc_platform *p = hw_desc_default(NULL, 0);
	const struct hw_desc_func *f = pt_find(p, "nic0");
	const struct hw_cap_sriov_cfg *s;

	assert_non_null(f);
	assert_int_equal(f->vendor, 0x8086);
	assert_int_equal(f->device, 0x10c9);
	assert_bar(f, 2, HW_BAR_IO, false, 32);
	assert_bar(f, 3, HW_BAR_MEM32, false, 16 << 10);
	assert_non_null(pt_cap(f, HW_DESC_CAP_ARI));
	assert_non_null(pt_cap(f, HW_DESC_CAP_ATS));
	assert_int_equal(pt_cap(f, HW_DESC_CAP_PRI)->u.pri.outstanding_capacity, 256);
	assert_int_equal(pt_cap(f, HW_DESC_CAP_PASID)->u.pasid.width, 20);
	assert_true(pt_cap(f, HW_DESC_CAP_PASID)->u.pasid.priv);
	assert_int_equal(pt_cap(f, HW_DESC_CAP_MSIX)->u.msix.table_bar, 3);
	s = &pt_cap(f, HW_DESC_CAP_SRIOV)->u.sriov;
	assert_int_equal(s->total_vfs, 8);
	assert_int_equal(s->initial_vfs, 8);
	assert_int_equal(s->vf_offset, 0x80);
	assert_int_equal(s->vf_stride, 2);
	assert_int_equal(s->vf_device, 0x10ca);
	assert_int_equal(s->vf_bars[0].kind, HW_BAR_MEM64);
	assert_true(s->vf_bars[0].prefetchable);
	assert_int_equal(s->vf_bars[0].size, 16 << 10);
	assert_int_equal(s->vf_bars[1].kind, HW_BAR_NONE);
	assert_int_equal(s->vf_bars[3].kind, HW_BAR_MEM64);
	hw_desc_free(p);
}

static void test_default_cxl_and_conventional(void **state)
{
	struct hw_desc_platform *p = hw_desc_default(NULL, 0);
	const struct hw_desc_func *f = pt_find(p, "cxl0"), *br, *pb;
	unsigned int i, n = 0;

	assert_int_equal(pt_nr_caps_of(f, HW_DESC_CAP_DOE), 2);
	assert_int_equal(pt_nr_caps_of(f, HW_DESC_CAP_DVSEC), 2);
	for (i = 0; i < f->nr_caps; i++) {
		if (f->caps[i].kind != HW_DESC_CAP_DVSEC)
			continue;
		assert_int_equal(f->caps[i].u.dvsec.vendor, 0x1e98);
		assert_int_equal(f->caps[i].u.dvsec.id, n ? 8 : 0);
		assert_int_equal(f->caps[i].u.dvsec.length, n ? 0x1c : 0x3c);
		n++;
	}
	assert_true(pt_cap(f, HW_DESC_CAP_DOE)->u.doe.interrupt);

	br = pt_child(pt_find(p, "rp2"), 0);
	assert_int_equal(br->kind, HW_DESC_PCIE_PCI_BRIDGE);
	assert_int_equal(pt_nr_children(&br->children), 2);
	f = pt_child(br, 0);
	assert_string_equal(f->name, "e1000");
	assert_int_equal(f->dev, 1);
	assert_null(pt_cap(f, HW_DESC_CAP_PCIE));
	assert_bar(f, 1, HW_BAR_IO, false, 64);
	assert_bar(f, HW_PCI_ROM_SLOT, HW_BAR_ROM, false, 256 << 10);
	pb = pt_child(br, 1);
	assert_int_equal(pb->kind, HW_DESC_PCI_BRIDGE);
	f = pt_child(pb, 0);
	assert_string_equal(f->name, "serial0");
	assert_int_equal(f->class_code, 0x070002);
	assert_true(pt_cap(f, HW_DESC_CAP_MSI)->u.msi.per_vector_mask);
	hw_desc_free(p);
}

/* The built-in copy is byte for byte platforms/default.yaml. */
static void test_default_embedded(void **state)
{
	char path[512], *buf;
	size_t len = strlen(hw_desc_default_yaml);
	struct hw_desc_platform *a, *b;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/default.yaml", PLATFORMS_DIR);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	buf = calloc(1, len + 2);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, len + 1, fp), len);
	fclose(fp);
	assert_memory_equal(buf, hw_desc_default_yaml, len);
	free(buf);

	a = parse_example("default.yaml");
	b = hw_desc_default(NULL, 0);
	assert_int_equal(pt_nr_funcs(a), pt_nr_funcs(b));
	assert_int_equal(pt_find(a, "nic0")->loc.line, pt_find(b, "nic0")->loc.line);
	hw_desc_free(a);
	hw_desc_free(b);
}

/* ------------------------------------------------------- examples */

static void test_minimal(void **state)
{
	struct hw_desc_platform *p = parse_example("minimal.yaml");
	struct hw_desc_host_bridge *h = pt_host_bridge(p, 0);
	struct hw_desc_func *rp, *ep;

	assert_string_equal(p->name, "minimal");
	assert_int_equal(p->ram_size, 256 << 20);
	assert_int_equal(h->bus_end, 255);		/* default */
	assert_int_equal(h->io.size, 0);
	assert_int_equal(pt_nr_funcs(p), 2);
	rp = list_first_entry(&h->devices, struct hw_desc_func, node);
	assert_int_equal(rp->kind, HW_DESC_ROOT_PORT);
	assert_int_equal(rp->nr_caps, 0);		/* builder adds Express */
	assert_null(rp->name);
	ep = pt_child(rp, 0);
	assert_bar(ep, 0, HW_BAR_MEM64, false, 16 << 10);	/* index defaulted */
	assert_int_equal(ep->nr_caps, 1);
	assert_int_equal(ep->caps[0].u.msix.table_size, 4);
	assert_int_equal(ep->intx_pin, 0);
	hw_desc_free(p);
}

static void test_deep_switches(void **state)
{
	struct hw_desc_platform *p = parse_example("deep-switches.yaml");
	const struct hw_desc_func *f = pt_find(p, "rp0");
	unsigned int depth = 0;

	assert_int_equal(pt_host_bridge(p, 0)->bus_end, 31);
	assert_int_equal(f->dev, 0x1c);
	/* rp0 -> (switch -> downstream port) x 4 -> leaf */
	f = pt_child(f, 0);
	while (f->kind == HW_DESC_SWITCH) {
		assert_int_equal(pt_nr_children(&f->children), 2);
		f = pt_child(f, 0);
		assert_int_equal(f->kind, HW_DESC_DOWNSTREAM_PORT);
		f = pt_child(f, 0);
		depth++;
	}
	assert_int_equal(depth, 4);
	assert_string_equal(f->name, "leaf");
	assert_int_equal(f->kind, HW_DESC_ENDPOINT);
	hw_desc_free(p);
}

static void test_two_segments(void **state)
{
	struct hw_desc_platform *p = parse_example("two-segments.yaml");
	struct hw_desc_host_bridge *h0 = pt_host_bridge(p, 0), *h1 = pt_host_bridge(p, 1);

	assert_int_equal(h0->segment, 0);
	assert_int_equal(h1->segment, 1);
	assert_int_equal(h0->bus_end, 127);
	assert_int_equal(h1->bus_end, 63);
	assert_int_equal(h1->mmio.base, 0xd0000000);
	assert_non_null(pt_find(p, "s1-nvme"));
	hw_desc_free(p);
}

static void test_all_caps(void **state)
{
	struct hw_desc_platform *p = parse_example("all-caps.yaml");
	const struct hw_desc_func *rp = pt_find(p, "rp0"), *f = pt_find(p, "everything");
	const struct hw_cap_pcie_cfg *e;
	const struct hw_cap_sriov_cfg *s;
	const struct hw_desc_cap *c;

	/* root port: every PCI Express key and DPC with RP extensions */
	e = &pt_cap(rp, HW_DESC_CAP_PCIE)->u.pcie;
	assert_int_equal(e->type, HW_PCIE_ROOT_PORT);
	assert_int_equal(e->max_payload, 256);
	assert_int_equal(e->l0s_latency, 1);
	assert_int_equal(e->l1_latency, 2);
	assert_int_equal(e->link_speed, 5);
	assert_int_equal(e->link_width, 16);
	assert_int_equal(e->cur_link_speed, 4);
	assert_int_equal(e->cur_link_width, 8);
	assert_int_equal(e->aspm, 3);
	assert_int_equal(e->port_number, 7);
	assert_true(e->dll_link_active_reporting);
	assert_true(e->slot);
	assert_int_equal(e->slot_number, 42);
	assert_true(e->hotplug);
	assert_int_equal(e->power_limit_mw, 25000);
	assert_true(e->presence);
	assert_true(e->ari_forwarding);
	assert_true(e->completion_timeout_disable);
	assert_true(e->ltr);
	assert_int_equal(e->obff, 2);
	assert_true(e->atomic_ops);
	assert_true(e->ten_bit_tag);
	assert_int_equal(e->crs_visibility, 1);
	c = pt_cap(rp, HW_DESC_CAP_AER);
	assert_true(c->u.aer.ecrc && c->u.aer.multiple_header && c->u.aer.tlp_prefix_log);
	c = pt_cap(rp, HW_DESC_CAP_ACS);
	assert_int_equal(c->u.acs.caps, 0x7f);
	assert_int_equal(c->u.acs.egress_bits, 8);
	c = pt_cap(rp, HW_DESC_CAP_DPC);
	assert_true(c->u.dpc.rp_extensions && c->u.dpc.poisoned_tlp_egress_blocking &&
		    c->u.dpc.sw_trigger && c->u.dpc.dl_active_err_cor);
	assert_int_equal(c->u.dpc.rp_pio_log_size, 6);
	c = pt_cap(rp, HW_DESC_CAP_L1SS);
	assert_true(c->u.l1ss.pcipm_l12 && c->u.l1ss.pcipm_l11 && c->u.l1ss.aspm_l12 &&
		    c->u.l1ss.aspm_l11);
	assert_int_equal(c->u.l1ss.common_mode_restore, 40);
	assert_int_equal(c->u.l1ss.t_power_on_scale, 2);
	assert_int_equal(c->u.l1ss.t_power_on_value, 17);
	c = pt_cap(pt_find(p, "sw0-dp0"), HW_DESC_CAP_ACS);
	assert_int_equal(c->u.acs.caps, 0x5f);

	/* the endpoint: identity, BARs, every endpoint capability */
	assert_int_equal(f->vendor, 0x1b36);
	assert_int_equal(f->device, 0x00ff);
	assert_int_equal(f->class_code, 0x120000);
	assert_int_equal(f->revision, 0x42);
	assert_int_equal(f->subsys_vendor, 0x1af4);
	assert_int_equal(f->subsys_device, 0x1234);
	assert_int_equal(f->intx_pin, 4);
	assert_true(f->multifunction);
	assert_bar(f, 0, HW_BAR_MEM64, true, 1 << 20);
	assert_bar(f, 2, HW_BAR_MEM32, false, 64 << 10);
	assert_bar(f, 3, HW_BAR_IO, false, 256);
	assert_bar(f, 4, HW_BAR_MEM64, true, 512 << 20);
	assert_bar(f, HW_PCI_ROM_SLOT, HW_BAR_ROM, false, 1 << 20);
	assert_int_equal(f->nr_caps, 18);
	assert_int_equal(pt_cap_kinds(p), ((1u << HW_DESC_CAP_NR) - 1));

	c = pt_cap(f, HW_DESC_CAP_PM);
	assert_int_equal(c->u.pm.version, 2);
	assert_true(c->u.pm.d1 && c->u.pm.d2 && c->u.pm.no_soft_reset);
	assert_int_equal(c->u.pm.pme_support, 0x1f);
	assert_int_equal(c->u.pm.aux_current_ma, 375);
	c = pt_cap(f, HW_DESC_CAP_MSI);
	assert_int_equal(c->u.msi.vectors, 32);
	assert_true(c->u.msi.addr64 && c->u.msi.per_vector_mask && c->u.msi.ext_msg_data);
	c = pt_cap(f, HW_DESC_CAP_MSIX);
	assert_int_equal(c->u.msix.table_size, 2048);
	assert_int_equal(c->u.msix.table_bar, 0);
	assert_int_equal(c->u.msix.table_offset, 0x10000);
	assert_int_equal(c->u.msix.pba_bar, 2);
	assert_int_equal(c->u.msix.pba_offset, 0x100);
	e = &pt_cap(f, HW_DESC_CAP_PCIE)->u.pcie;
	assert_int_equal(e->type, HW_PCIE_LEGACY_ENDPOINT);
	assert_int_equal(e->max_payload, 4096);
	assert_true(e->flr && e->extended_tag);
	assert_int_equal(e->l0s_latency, 6);
	assert_int_equal(e->l1_latency, 7);
	assert_int_equal(e->link_speed, 6);
	assert_int_equal(e->link_width, 32);
	assert_int_equal(e->cur_link_speed, 2);
	assert_int_equal(e->cur_link_width, 12);
	assert_int_equal(e->port_number, 3);
	assert_int_equal(e->obff, 3);
	c = pt_cap(f, HW_DESC_CAP_AER);
	assert_false(c->u.aer.root);
	c = pt_cap(f, HW_DESC_CAP_ACS);
	assert_int_equal(c->u.acs.caps, PCI_ACS_SV | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF |
			 PCI_ACS_EC);
	assert_int_equal(c->u.acs.egress_bits, 4);
	c = pt_cap(f, HW_DESC_CAP_ARI);
	assert_true(c->u.ari.mfvc && c->u.ari.acs_groups);
	c = pt_cap(f, HW_DESC_CAP_ATS);
	assert_int_equal(c->u.ats.invq_depth, 16);
	assert_true(c->u.ats.page_aligned_request && c->u.ats.global_invalidate &&
		    c->u.ats.relaxed_ordering);
	c = pt_cap(f, HW_DESC_CAP_PRI);
	assert_int_equal(c->u.pri.outstanding_capacity, 512);
	assert_true(c->u.pri.prg_response_pasid);
	c = pt_cap(f, HW_DESC_CAP_PASID);
	assert_int_equal(c->u.pasid.width, 16);
	assert_true(c->u.pasid.exec && c->u.pasid.priv);
	s = &pt_cap(f, HW_DESC_CAP_SRIOV)->u.sriov;
	assert_int_equal(s->total_vfs, 64);
	assert_int_equal(s->initial_vfs, 32);
	assert_int_equal(s->vf_offset, 4);
	assert_int_equal(s->vf_stride, 1);
	assert_int_equal(s->vf_device, 0x0100);
	assert_int_equal(s->supported_page_sizes, 0x553);
	assert_int_equal(s->vf_bars[0].kind, HW_BAR_MEM64);
	assert_int_equal(s->vf_bars[0].size, 64 << 10);
	assert_int_equal(s->vf_bars[2].kind, HW_BAR_MEM32);
	assert_int_equal(s->vf_bars[3].kind, HW_BAR_MEM64);	/* index defaulted */
	assert_int_equal(s->vf_bars[3].size, 8 << 10);
	c = pt_cap(f, HW_DESC_CAP_DOE);
	assert_true(c->u.doe.interrupt);
	assert_int_equal(c->u.doe.interrupt_msg, 5);
	assert_int_equal(pt_nr_caps_of(f, HW_DESC_CAP_DOE), 2);
	c = pt_cap(f, HW_DESC_CAP_DSN);
	assert_int_equal(c->u.dsn.serial, 0xfedcba9876543210ull);
	c = pt_cap(f, HW_DESC_CAP_DVSEC);
	assert_int_equal(c->u.dvsec.revision, 2);
	c = pt_cap(f, HW_DESC_CAP_L1SS);
	assert_int_equal(c->u.l1ss.common_mode_restore, 255);
	assert_int_equal(c->u.l1ss.t_power_on_value, 31);
	c = pt_cap(f, HW_DESC_CAP_IDE);
	assert_true(c->u.ide.link && c->u.ide.ide_km && c->u.ide.tee_limited);
	assert_false(c->u.ide.pcrc);
	assert_int_equal(c->u.ide.link_tcs, 2);
	assert_int_equal(c->u.ide.sel_streams, 2);
	assert_int_equal(c->u.ide.addr_assoc, 1);
	hw_desc_free(p);
}

/* ------------------------------------------------ other features */

#define HB "host-bridges:\n" \
	   "  - mmio: { base: 0xc0000000, size: 256M }\n" \
	   "    devices:\n"

/* ARI: "01.2" below a port is function 0x0a of device 0. */
static void test_ari_numbering(void **state)
{
	struct hw_desc_platform *p = pt_parse(HB
		"      - address: 01.0\n"
		"        kind: root-port\n"
		"        children:\n"
		"          - { address: 00.0, kind: endpoint, vendor: 1, device: 2, class: 3,\n"
		"              capabilities: [ { type: ari, next-function: 0x0a } ] }\n"
		"          - { address: 01.2, kind: endpoint, vendor: 1, device: 2, class: 3, name: a }\n"
		"          - { address: 00.1f, kind: endpoint, vendor: 1, device: 2, class: 3, name: b }\n");
	const struct hw_desc_func *a = pt_find(p, "a"), *b = pt_find(p, "b");

	assert_int_equal(a->dev, 0);
	assert_int_equal(a->fn, 0x0a);
	assert_int_equal(b->dev, 0);
	assert_int_equal(b->fn, 0x1f);
	assert_true(a->multifunction);
	hw_desc_free(p);
}

/* Numbers, sizes, booleans and enums in their accepted spellings. */
static void test_spellings(void **state)
{
	struct hw_desc_platform *p = pt_parse(
		"ram: 0x40000000\n"
		HB
		"      - address: 1f.7\n"
		"        kind: endpoint\n"
		"        name: \"quoted name\"\n"
		"        vendor: 4660\n"
		"        device: 0XABCD\n"
		"        class: 0x0c0330\n"
		"        interrupt-pin: intc\n"
		"        bars:\n"
		"          - { type: mem32, size: 1k, prefetchable: yes }\n"
		"          - { type: mem32, size: 0x1000, prefetchable: Off }\n"
		"          - { type: io, size: 4 }\n"
		"      - { address: 1f.0, kind: endpoint, vendor: 1, device: 1, class: 1, interrupt-pin: 3 }\n");
	const struct hw_desc_func *f = pt_find(p, "quoted name");

	assert_int_equal(p->ram_size, 1 << 30);
	assert_string_equal(p->name, "t.yaml");		/* defaults to the file */
	assert_int_equal(f->dev, 0x1f);
	assert_int_equal(f->fn, 7);
	assert_int_equal(f->vendor, 4660);
	assert_int_equal(f->device, 0xabcd);
	assert_int_equal(f->intx_pin, 3);
	assert_bar(f, 0, HW_BAR_MEM32, true, 1024);
	assert_bar(f, 1, HW_BAR_MEM32, false, 4096);
	assert_bar(f, 2, HW_BAR_IO, false, 4);
	assert_int_equal(f->loc.line, 5);
	assert_int_equal(f->loc.col, 9);
	assert_int_equal(f->bars[1].loc.line, 14);
	assert_int_equal(f->bars[1].loc.col, 13);
	assert_string_equal(f->loc.file, "t.yaml");
	assert_int_equal(list_last_entry(&pt_host_bridge(p, 0)->devices, struct hw_desc_func,
					 node)->intx_pin, 3);
	hw_desc_free(p);
}

static void test_parse_file_errors(void **state)
{
	char err[256];

	assert_err_ptr(ENOENT, hw_desc_parse_file("/nonexistent/p.yaml", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/p.yaml: cannot open"));
	assert_err_ptr(EISDIR, hw_desc_parse_file(PLATFORMS_DIR, err, sizeof(err)));
	/* no err buffer is fine too */
	assert_err_ptr(ENOENT, hw_desc_parse_file("/nonexistent/p.yaml", NULL, 0));
}

/* Every allocation of a parse fails cleanly: -ENOMEM, nothing leaks. */
static void test_fault_sweep(void **state)
{
	struct hw_desc_platform *p;
	char err[256];
	unsigned long n;

	for (n = 1; n < 100000; n++) {
		err[0] = '\0';
		fault_inject_nth(n);
		p = hw_desc_default(err, sizeof(err));
		if (!fault_injected()) {
			fault_inject_nth(0);
			assert_false(IS_ERR(p));
			assert_int_equal(pt_nr_funcs(p), 18);
			hw_desc_free(p);
			break;
		}
		fault_inject_nth(0);
		if (!IS_ERR(p) || PTR_ERR(p) != -ENOMEM)
			fail_msg("fault %lu: got %p, expected -ENOMEM", n, (void *)p);
		assert_string_equal(err, "<built-in>: out of memory");
	}
	/* the sweep reached every failure point and then a clean run */
	assert_true(n > 40);
	assert_true(n < 100000);
}

/* The same through hw_desc_parse_file(), which also allocates its buffer. */
static void test_fault_sweep_file(void **state)
{
	struct hw_desc_platform *p;
	char path[512], err[512];
	unsigned long n;

	snprintf(path, sizeof(path), "%s/minimal.yaml", PLATFORMS_DIR);
	for (n = 1; n < 10000; n++) {
		fault_inject_nth(n);
		p = hw_desc_parse_file(path, err, sizeof(err));
		if (!fault_injected()) {
			fault_inject_nth(0);
			assert_false(IS_ERR(p));
			assert_int_equal(pt_nr_funcs(p), 2);
			hw_desc_free(p);
			break;
		}
		fault_inject_nth(0);
		assert_err_ptr(ENOMEM, p);
		assert_non_null(strstr(err, path));
	}
	assert_true(n > 10);
	assert_true(n < 10000);
}

/* An empty input without a buffer is an empty file, not a crash. */
static void test_empty_input(void **state)
{
	char err[128];

	assert_err_ptr(EINVAL, hw_desc_parse_string("e.yaml", NULL, 0, err, sizeof(err)));
	assert_string_equal(err, "e.yaml:1:1: empty file: expected a mapping with 'host-bridges'");
	assert_err_ptr(EINVAL, hw_desc_parse_string(NULL, "", 0, err, sizeof(err)));
	assert_non_null(strstr(err, "<string>:1:1: empty file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_top),
		cmocka_unit_test(test_default_root_port),
		cmocka_unit_test(test_default_nvme),
		cmocka_unit_test(test_default_switch),
		cmocka_unit_test(test_default_nic),
		cmocka_unit_test(test_default_cxl_and_conventional),
		cmocka_unit_test(test_default_embedded),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_deep_switches),
		cmocka_unit_test(test_two_segments),
		cmocka_unit_test(test_all_caps),
		cmocka_unit_test(test_ari_numbering),
		cmocka_unit_test(test_spellings),
		cmocka_unit_test(test_parse_file_errors),
		cmocka_unit_test(test_fault_sweep),
		cmocka_unit_test(test_fault_sweep_file),
		cmocka_unit_test(test_empty_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
