// SPDX-License-Identifier: MIT
/*
 * kernel/iommu grouping over simulated topologies: each platform is built
 * with kdesc.h (or is the default one), enumerated by kernel/pci and
 * grouped by iommu_subsys_create(); the expected groups are Linux's
 * (pci_device_group(), docs/iommu-groups.md).
 */
#include <stdio.h>
#include <string.h>

#include "kworld.h"

#define ACS_ISO	(PCI_ACS_SV | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF)

static void assert_same(struct iommu_group *a, struct iommu_group *b)
{
	if (a != b)
		fail_msg("expected one group, got %u and %u", a->id, b->id);
}

static void assert_differ(struct iommu_group *a, struct iommu_group *b)
{
	if (a == b)
		fail_msg("expected two groups, both are %u", a->id);
}

static void assert_reason(struct iommu_group *g, const char *needle)
{
	if (!strstr(iommu_group_reason(g), needle))
		fail_msg("group %u reason \"%s\" lacks \"%s\"", g->id,
			 iommu_group_reason(g), needle);
}

/* Every device of the world in a group, and each group's list consistent. */
static void assert_consistent(struct kworld *w)
{
	struct iommu_group *g;
	struct iommu_dev *d;
	unsigned int ndev = 0, ngroups = 0, n;
	struct pci_dev *p;

	pci_for_each_dev(w->pci, p)
		ndev++;
	iommu_for_each_group(w->isys, g) {
		n = 0;
		iommu_group_for_each_dev(g, d) {
			assert_ptr_equal(d->group, g);
			n++;
		}
		assert_int_equal(n, g->nr_devices);
		assert_true(n > 0);
		/* Every group is on its default domain, which the mock
		 * driver has programmed for every member. */
		assert_non_null(g->default_domain);
		assert_ptr_equal(g->domain, g->default_domain);
		iommu_group_for_each_dev(g, d)
			assert_ptr_equal(iommu_mock_dev_domain(d), g->domain);
		ndev -= n;
		ngroups++;
	}
	assert_int_equal(ndev, 0);
	assert_int_equal(ngroups, w->isys->nr_groups);
}

/* ------------------------------------------------------------ aliases */

/* 00:01.0 root port (ACS) -> 01:00.0 PCIe-to-PCI bridge -> 02:01.0, 02:02.0 */
static void test_pcie_pci_bridge_aliases(void **state)
{
	struct kworld w = { .desc = kd_platform() };
	struct hw_desc_host_bridge *h = kw_host(w.desc);
	struct hw_desc_func *rp, *br;
	struct iommu_group *g;

	rp = kw_func(&h->devices, HW_DESC_ROOT_PORT, 1, 0, ACS_ISO);
	br = kw_func(&rp->children, HW_DESC_PCIE_PCI_BRIDGE, 0, 0, 0);
	kw_func(&br->children, HW_DESC_ENDPOINT, 1, 0, 0);
	kw_func(&br->children, HW_DESC_ENDPOINT, 2, 0, 0);
	kw_up(&w);
	assert_consistent(&w);

	g = kw_group(&w, 1, 0, 0);
	assert_same(kw_group(&w, 2, 1, 0), g);
	assert_same(kw_group(&w, 2, 2, 0), g);
	assert_int_equal(g->nr_devices, 3);
	/* PCIe-to-PCI bridges tag requests with (secondary bus, 0.0). */
	assert_reason(g, "DMA aliased to 02:00.0 by bridge 0000:01:00.0");
	assert_differ(kw_group(&w, 0, 1, 0), g);
	assert_int_equal(kw_group(&w, 0, 1, 0)->nr_devices, 1);
	kw_down(&w);
}

/* Conventional PCI-to-PCI bridge behind a PCIe-to-PCI bridge: its
 * children alias to it, then to the PCIe bridge's alias. */
static void test_nested_conventional_bridge(void **state)
{
	struct kworld w = { .desc = kd_platform() };
	struct hw_desc_host_bridge *h = kw_host(w.desc);
	struct hw_desc_func *rp, *br, *pb;
	struct iommu_group *g;

	rp = kw_func(&h->devices, HW_DESC_ROOT_PORT, 1, 0, ACS_ISO);
	br = kw_func(&rp->children, HW_DESC_PCIE_PCI_BRIDGE, 0, 0, 0);
	pb = kw_func(&br->children, HW_DESC_PCI_BRIDGE, 3, 0, 0);
	kw_func(&pb->children, HW_DESC_ENDPOINT, 0, 0, 0);
	kw_up(&w);
	assert_consistent(&w);

	g = kw_group(&w, 1, 0, 0);
	assert_same(kw_group(&w, 2, 3, 0), g);
	assert_same(kw_group(&w, 3, 0, 0), g);
	assert_int_equal(g->nr_devices, 3);
	kw_down(&w);
}

/* ------------------------------------------------------------ multifunction */

static void mf_world(struct kworld *w, uint16_t fn_acs)
{
	struct hw_desc_host_bridge *h;
	struct hw_desc_func *rp;

	w->desc = kd_platform();
	h = kw_host(w->desc);
	rp = kw_func(&h->devices, HW_DESC_ROOT_PORT, 1, 0, ACS_ISO);
	kw_func(&rp->children, HW_DESC_ENDPOINT, 0, 0, fn_acs);
	kw_func(&rp->children, HW_DESC_ENDPOINT, 0, 1, fn_acs);
	kw_func(&rp->children, HW_DESC_ENDPOINT, 0, 2, fn_acs);
	kw_up(w);
	assert_consistent(w);
}

static void test_multifunction_without_acs(void **state)
{
	struct kworld w = { 0 };
	struct iommu_group *g;

	mf_world(&w, 0);
	g = kw_group(&w, 1, 0, 0);
	assert_same(kw_group(&w, 1, 0, 1), g);
	assert_same(kw_group(&w, 1, 0, 2), g);
	assert_int_equal(g->nr_devices, 3);
	assert_reason(g, "multi-function device 0000:01:00 without ACS");
	kw_down(&w);
}

static void test_multifunction_with_acs(void **state)
{
	struct kworld w = { 0 };

	mf_world(&w, ACS_ISO);
	assert_differ(kw_group(&w, 1, 0, 0), kw_group(&w, 1, 0, 1));
	assert_differ(kw_group(&w, 1, 0, 1), kw_group(&w, 1, 0, 2));
	assert_int_equal(kw_group(&w, 1, 0, 0)->nr_devices, 1);
	assert_string_equal(iommu_group_reason(kw_group(&w, 1, 0, 1)), "");
	kw_down(&w);
}

/* A control the ACS capability does not advertise counts as hard-wired
 * enabled (Linux pci_acs_flags_enabled()): SV alone isolates. */
static void test_multifunction_acs_subset(void **state)
{
	struct kworld w = { 0 };

	mf_world(&w, PCI_ACS_SV);
	assert_differ(kw_group(&w, 1, 0, 0), kw_group(&w, 1, 0, 1));
	kw_down(&w);
}

/* ------------------------------------------------------------ switches */

/*
 * 00:01.0 root port (rp_acs) -> 01:00.0 switch upstream port
 *   02:00.0 downstream port (dp_acs) -> 03:00.0 endpoint
 *   02:01.0 downstream port (dp_acs) -> 04:00.0, 04:00.1 endpoint functions
 */
static void switch_world(struct kworld *w, uint16_t rp_acs, uint16_t dp_acs)
{
	struct hw_desc_host_bridge *h;
	struct hw_desc_func *rp, *sw, *dp0, *dp1;

	w->desc = kd_platform();
	h = kw_host(w->desc);
	rp = kw_func(&h->devices, HW_DESC_ROOT_PORT, 1, 0, rp_acs);
	sw = kw_func(&rp->children, HW_DESC_SWITCH, 0, 0, 0);
	dp0 = kw_func(&sw->children, HW_DESC_DOWNSTREAM_PORT, 0, 0, dp_acs);
	dp1 = kw_func(&sw->children, HW_DESC_DOWNSTREAM_PORT, 1, 0, dp_acs);
	kw_func(&dp0->children, HW_DESC_ENDPOINT, 0, 0, 0);
	kw_func(&dp1->children, HW_DESC_ENDPOINT, 0, 0, ACS_ISO);
	kw_func(&dp1->children, HW_DESC_ENDPOINT, 0, 1, ACS_ISO);
	kw_up(w);
	assert_consistent(w);
}

static void test_switch_with_acs(void **state)
{
	struct kworld w = { 0 };
	struct pci_dev *p;

	switch_world(&w, ACS_ISO, ACS_ISO);
	/* Every function alone. */
	pci_for_each_dev(w.pci, p)
		assert_int_equal(kw_group_of(&w, p)->nr_devices, 1);
	kw_down(&w);
}

static void test_switch_dp_without_acs(void **state)
{
	struct kworld w = { 0 };
	struct iommu_group *g0, *g1;

	switch_world(&w, ACS_ISO, 0);
	/* Below a port without ACS, devices share the port's group, even
	 * functions that have ACS themselves. */
	g0 = kw_group(&w, 2, 0, 0);
	g1 = kw_group(&w, 2, 1, 0);
	assert_same(kw_group(&w, 3, 0, 0), g0);
	assert_same(kw_group(&w, 4, 0, 0), g1);
	assert_same(kw_group(&w, 4, 0, 1), g1);
	assert_int_equal(g0->nr_devices, 2);
	assert_int_equal(g1->nr_devices, 3);
	assert_reason(g1, "no ACS isolation at 0000:02:01.0");
	/* The ports themselves sit on the upstream port's internal bus, whose
	 * path to the root is isolated: one group per port, as in Linux. */
	assert_differ(g0, g1);
	assert_differ(kw_group(&w, 1, 0, 0), g0);
	kw_down(&w);
}

static void test_root_port_without_acs_takes_subtree(void **state)
{
	struct kworld w = { 0 };
	struct iommu_group *g;
	struct pci_dev *p;

	switch_world(&w, 0, ACS_ISO);
	g = kw_group(&w, 0, 1, 0);
	pci_for_each_dev(w.pci, p)
		assert_ptr_equal(kw_group_of(&w, p), g);
	assert_int_equal(w.isys->nr_groups, 1);
	assert_reason(g, "no ACS isolation at 0000:00:01.0");
	kw_down(&w);
}

/* Root ports that are functions of one device (as on many chipsets):
 * without ACS every port and everything below them is one group. */
static void mf_rp_world(struct kworld *w, uint16_t acs)
{
	struct hw_desc_host_bridge *h;
	struct hw_desc_func *rp0, *rp1;

	w->desc = kd_platform();
	h = kw_host(w->desc);
	rp0 = kw_func(&h->devices, HW_DESC_ROOT_PORT, 0x1c, 0, acs);
	rp1 = kw_func(&h->devices, HW_DESC_ROOT_PORT, 0x1c, 4, acs);
	kw_func(&rp0->children, HW_DESC_ENDPOINT, 0, 0, 0);
	kw_func(&rp1->children, HW_DESC_ENDPOINT, 0, 0, 0);
	kw_up(w);
	assert_consistent(w);
}

static void test_multifunction_root_ports(void **state)
{
	struct kworld w = { 0 };
	struct iommu_group *g;

	mf_rp_world(&w, 0);
	g = kw_group(&w, 0, 0x1c, 0);
	assert_same(kw_group(&w, 0, 0x1c, 4), g);
	assert_same(kw_group(&w, 1, 0, 0), g);
	assert_same(kw_group(&w, 2, 0, 0), g);
	assert_int_equal(w.isys->nr_groups, 1);
	kw_down(&w);

	mf_rp_world(&w, ACS_ISO);
	assert_int_equal(w.isys->nr_groups, 4);
	kw_down(&w);
}

/* ------------------------------------------------------------ RCiEPs */

static void test_rciep(void **state)
{
	struct kworld w = { .desc = kd_platform() };
	struct hw_desc_host_bridge *h = kw_host(w.desc);

	kw_func(&h->devices, HW_DESC_ENDPOINT, 2, 0, 0);	/* single */
	kw_func(&h->devices, HW_DESC_ENDPOINT, 5, 0, 0);	/* multi-function */
	kw_func(&h->devices, HW_DESC_ENDPOINT, 5, 1, 0);
	kw_func(&h->devices, HW_DESC_ENDPOINT, 6, 0, ACS_ISO);	/* with ACS */
	kw_func(&h->devices, HW_DESC_ENDPOINT, 6, 1, ACS_ISO);
	kw_up(&w);
	assert_consistent(&w);

	assert_int_equal(kw_pci(&w, 0, 2, 0)->pcie_type, PCI_EXP_TYPE_RC_END);
	assert_int_equal(kw_group(&w, 0, 2, 0)->nr_devices, 1);
	assert_same(kw_group(&w, 0, 5, 0), kw_group(&w, 0, 5, 1));
	assert_differ(kw_group(&w, 0, 6, 0), kw_group(&w, 0, 6, 1));
	assert_int_equal(w.isys->nr_groups, 4);
	kw_down(&w);
}

/* ------------------------------------------------------------ ACS enable */

static uint16_t hw_acs_ctrl(struct kworld *w, const struct pci_dev *p)
{
	uint16_t pos = pci_find_ext_capability(p, PCI_EXT_CAP_ID_ACS);
	uint32_t v;

	assert_true(pos != 0);
	assert_ok(hw_cfg_read(w->hw, 0, p->bus->number, p->devfn,
			      (uint16_t)(pos + PCI_ACS_CTRL), 2, &v));
	return (uint16_t)v;
}

static void test_acs_enabled_in_hardware(void **state)
{
	struct kworld w = { .desc = kd_platform() };
	struct hw_desc_host_bridge *h = kw_host(w.desc);
	struct hw_desc_func *rp0, *rp1;
	struct pci_dev *p0, *p1, *ep;

	rp0 = kw_func(&h->devices, HW_DESC_ROOT_PORT, 1, 0,
		      ACS_ISO | PCI_ACS_TB | PCI_ACS_DT);
	rp1 = kw_func(&h->devices, HW_DESC_ROOT_PORT, 2, 0, PCI_ACS_SV | PCI_ACS_RR);
	kw_func(&rp0->children, HW_DESC_ENDPOINT, 0, 0, 0);
	kw_func(&rp1->children, HW_DESC_ENDPOINT, 0, 0, 0);
	kw_hw_pci(&w);
	p0 = kw_pci(&w, 0, 1, 0);
	p1 = kw_pci(&w, 0, 2, 0);
	ep = kw_pci(&w, 1, 0, 0);

	/* Before the IOMMU core: nothing enabled, nothing isolated. */
	assert_int_equal(hw_acs_ctrl(&w, p0), 0);
	assert_false(pci_acs_enabled(p0, PCI_ACS_REQ_ISOLATION));
	assert_ptr_equal(pci_acs_path_blocker(ep, NULL, PCI_ACS_REQ_ISOLATION), p0);
	/* A single-function endpoint needs no ACS of its own. */
	assert_true(pci_acs_enabled(ep, PCI_ACS_REQ_ISOLATION));

	w.isys = iommu_subsys_create(w.pci, &iommu_mock_ops);
	assert_false(IS_ERR(w.isys));
	/* SV RR CR UF where implemented; TB and DT left alone. */
	assert_int_equal(hw_acs_ctrl(&w, p0), ACS_ISO);
	assert_int_equal(hw_acs_ctrl(&w, p1), PCI_ACS_SV | PCI_ACS_RR);
	assert_true(pci_acs_enabled(p0, PCI_ACS_REQ_ISOLATION));
	assert_true(pci_acs_path_enabled(ep, NULL, PCI_ACS_REQ_ISOLATION));
	/* A path ending at a device it never meets fails at the root. */
	assert_false(pci_acs_path_enabled(ep, kw_pci(&w, 2, 0, 0), PCI_ACS_REQ_ISOLATION));
	/* Egress Control is never assumed: the port does not implement it. */
	assert_false(pci_acs_enabled(p0, PCI_ACS_EC));
	assert_int_equal(w.isys->nr_groups, 4);

	/* Translation Blocking on request. */
	assert_ok(pci_enable_acs(p0, true));
	assert_int_equal(hw_acs_ctrl(&w, p0), ACS_ISO | PCI_ACS_TB);
	kw_down(&w);
}

/* ------------------------------------------------------------ default platform */

static void test_default_platform(void **state)
{
	struct kworld w = { 0 };
	struct iommu_group *gpu, *legacy;
	struct pci_dev *p, *bridge;
	unsigned int nr_single = 0, ndev = 0;

	kw_up_default(&w);
	assert_consistent(&w);

	/* gpu0 + gpu0-audio: one multi-function device without ACS. */
	gpu = kw_group_of(&w, kw_find(&w, 0x1234, 0x1111));
	assert_same(kw_group_of(&w, kw_find(&w, 0x8086, 0x293e)), gpu);
	assert_int_equal(gpu->nr_devices, 2);
	assert_reason(gpu, "multi-function");

	/* PCIe-to-PCI bridge, e1000, PCI bridge, serial0: one alias group. */
	bridge = kw_find(&w, 0x1b36, 0x000e);
	legacy = kw_group_of(&w, bridge);
	assert_same(kw_group_of(&w, kw_find(&w, 0x8086, 0x100e)), legacy);
	assert_same(kw_group_of(&w, kw_find(&w, 0x1b36, 0x0001)), legacy);
	assert_same(kw_group_of(&w, kw_find(&w, 0x1b36, 0x0002)), legacy);
	assert_int_equal(legacy->nr_devices, 4);
	assert_reason(legacy, "DMA aliased");
	assert_reason(legacy, pci_name(bridge));

	/* Every port has ACS: everything else is alone. */
	pci_for_each_dev(w.pci, p) {
		ndev++;
		if (kw_group_of(&w, p)->nr_devices == 1)
			nr_single++;
	}
	assert_int_equal(nr_single, ndev - 6);
	assert_int_equal(w.isys->nr_groups, nr_single + 2);
	/* Group ids are dense, in PCI order of their founders. */
	for (ndev = 0; ndev < w.isys->nr_groups; ndev++)
		assert_non_null(iommu_group_by_id(w.isys, ndev));
	assert_null(iommu_group_by_id(w.isys, w.isys->nr_groups));
	assert_int_equal(kw_group(&w, 0, 0, 0)->id, 0);
	kw_down(&w);
}

/* ------------------------------------------------------------ fault injection */

static void test_fault_sweep(void **state)
{
	struct kworld w = { 0 };
	unsigned long n;
	unsigned int ref_groups;

	kw_up_default(&w);
	ref_groups = w.isys->nr_groups;
	iommu_subsys_destroy(w.isys);
	w.isys = NULL;

	for (n = 1; n < 100000; n++) {
		struct iommu_subsys *isys;

		fault_inject_nth(n);
		isys = iommu_subsys_create(w.pci, &iommu_mock_ops);
		if (!fault_injected()) {
			fault_inject_nth(0);
			assert_false(IS_ERR(isys));
			assert_int_equal(isys->nr_groups, ref_groups);
			iommu_subsys_destroy(isys);
			break;
		}
		fault_inject_nth(0);
		if (!IS_ERR(isys)) {
			/* The injected failure was absorbed: the result
			 * must still be whole. */
			assert_int_equal(isys->nr_groups, ref_groups);
			iommu_subsys_destroy(isys);
		}
	}
	assert_true(n > 1);
	assert_true(n < 100000);
	kw_down(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcie_pci_bridge_aliases),
		cmocka_unit_test(test_nested_conventional_bridge),
		cmocka_unit_test(test_multifunction_without_acs),
		cmocka_unit_test(test_multifunction_with_acs),
		cmocka_unit_test(test_multifunction_acs_subset),
		cmocka_unit_test(test_switch_with_acs),
		cmocka_unit_test(test_switch_dp_without_acs),
		cmocka_unit_test(test_root_port_without_acs_takes_subtree),
		cmocka_unit_test(test_multifunction_root_ports),
		cmocka_unit_test(test_rciep),
		cmocka_unit_test(test_acs_enabled_in_hardware),
		cmocka_unit_test(test_default_platform),
		cmocka_unit_test(test_fault_sweep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
