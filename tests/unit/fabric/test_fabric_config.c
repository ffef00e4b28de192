// SPDX-License-Identifier: MIT
/*
 * hw/fabric: routing of configuration requests through the hierarchy (root
 * ports, switches, bridges, ARI, unsupported requests). Every test drives
 * the fabric the way an OS does: through the config requests of fabric.h
 * only, programming bridges with config writes.
 */
#include "test.h"
#include "fabric_util.h"

/* ---------------------------------------------------------- routing */

static void test_root_port_config(void **state)
{
	struct hw_desc_platform *d = rp_ep_desc(NULL, NULL);
	struct hw_platform *p = create(d);

	/* The root port answers on the root bus as a PCIe type 1 function. */
	assert_int_equal(rd(p, 0, RP, PCI_VENDOR_ID, 2), 0x1b36);
	assert_int_equal(rd(p, 0, RP, PCI_HEADER_TYPE, 1), PCI_HEADER_TYPE_BRIDGE);
	assert_int_equal(rd(p, 0, RP, PCI_CLASS_DEVICE, 2), 0x0604);
	assert_int_equal(pcie_type(p, 0, RP), PCI_EXP_TYPE_ROOT_PORT);

	/* Unprogrammed: the endpoint is not reachable on any bus. */
	assert_false(present(p, 1, 0));
	assert_false(present(p, 0, 0));

	set_buses(p, 0, RP, 0, 1, 1);
	assert_int_equal(rd(p, 1, 0, PCI_VENDOR_ID, 2), TD_VENDOR);
	assert_int_equal(rd(p, 1, 0, PCI_DEVICE_ID, 2), TD_DEVICE);
	assert_int_equal(rd(p, 1, 0, PCI_CLASS_REVISION, 4) >> 8, 0x010802);
	assert_int_equal(rd(p, 1, 0, PCI_HEADER_TYPE, 1), PCI_HEADER_TYPE_NORMAL);
	assert_int_equal(pcie_type(p, 1, 0), PCI_EXP_TYPE_ENDPOINT);
	/* Bus 2 is outside the root port's range. */
	assert_false(present(p, 2, 0));

	/* Reprogramming takes effect on the next request: nothing cached. */
	set_buses(p, 0, RP, 0, 5, 7);
	assert_false(present(p, 1, 0));
	assert_true(present(p, 5, 0));
	assert_false(present(p, 6, 0));

	hw_platform_destroy(p);
	td_free(d);
}

static void test_port_status(void **state)
{
	struct hw_desc_platform *d = td_platform();
	struct hw_desc_host_bridge *h = hb0(d);
	struct hw_desc_func *rp, *empty, *slot_full, *slot_empty;
	struct hw_desc_cap *c;
	struct hw_platform *p;
	uint16_t cap;

	rp = td_func(&h->devices, HW_DESC_ROOT_PORT, 1, 0, NULL);
	td_func(&rp->children, HW_DESC_ENDPOINT, 0, 0, NULL);
	empty = td_func(&h->devices, HW_DESC_ROOT_PORT, 2, 0, NULL);
	(void)empty;
	slot_full = td_func(&h->devices, HW_DESC_ROOT_PORT, 3, 0, NULL);
	c = td_cap(slot_full, HW_DESC_CAP_PCIE);
	c->u.pcie.type = HW_PCIE_ROOT_PORT;
	c->u.pcie.slot = true;
	c->u.pcie.slot_number = 3;
	c->u.pcie.dll_link_active_reporting = true;
	td_func(&slot_full->children, HW_DESC_ENDPOINT, 0, 0, NULL);
	slot_empty = td_func(&h->devices, HW_DESC_ROOT_PORT, 4, 0, NULL);
	c = td_cap(slot_empty, HW_DESC_CAP_PCIE);
	c->u.pcie.type = HW_PCIE_ROOT_PORT;
	c->u.pcie.slot = true;
	c->u.pcie.slot_number = 4;
	c->u.pcie.dll_link_active_reporting = true;
	p = create(d);

	/* No slot: Presence Detect State hardwired to 1; link up iff a
	 * device sits behind the port. */
	cap = cap_off(p, 0, PCI_DEVFN(1, 0), PCI_CAP_ID_EXP);
	assert_true(rd(p, 0, PCI_DEVFN(1, 0), cap + PCI_EXP_SLTSTA, 2) & PCI_EXP_SLTSTA_PDS);
	assert_true(rd(p, 0, PCI_DEVFN(1, 0), cap + PCI_EXP_LNKSTA, 2) & PCI_EXP_LNKSTA_DLLLA);
	cap = cap_off(p, 0, PCI_DEVFN(2, 0), PCI_CAP_ID_EXP);
	assert_true(rd(p, 0, PCI_DEVFN(2, 0), cap + PCI_EXP_SLTSTA, 2) & PCI_EXP_SLTSTA_PDS);
	assert_false(rd(p, 0, PCI_DEVFN(2, 0), cap + PCI_EXP_LNKSTA, 2) & PCI_EXP_LNKSTA_DLLLA);
	/* Slots: presence follows the card. */
	cap = cap_off(p, 0, PCI_DEVFN(3, 0), PCI_CAP_ID_EXP);
	assert_true(rd(p, 0, PCI_DEVFN(3, 0), cap + PCI_EXP_FLAGS, 2) & PCI_EXP_FLAGS_SLOT);
	assert_true(rd(p, 0, PCI_DEVFN(3, 0), cap + PCI_EXP_SLTSTA, 2) & PCI_EXP_SLTSTA_PDS);
	assert_true(rd(p, 0, PCI_DEVFN(3, 0), cap + PCI_EXP_LNKSTA, 2) & PCI_EXP_LNKSTA_DLLLA);
	cap = cap_off(p, 0, PCI_DEVFN(4, 0), PCI_CAP_ID_EXP);
	assert_false(rd(p, 0, PCI_DEVFN(4, 0), cap + PCI_EXP_SLTSTA, 2) & PCI_EXP_SLTSTA_PDS);
	assert_false(rd(p, 0, PCI_DEVFN(4, 0), cap + PCI_EXP_LNKSTA, 2) & PCI_EXP_LNKSTA_DLLLA);

	hw_platform_destroy(p);
	td_free(d);
}

/* rp 00:01.0 -> usp -> dsp 00.0 (-> ep) and dsp 01.0 (-> ep). */
static void test_switch_config(void **state)
{
	struct hw_desc_platform *d = td_platform();
	struct hw_desc_host_bridge *h = hb0(d);
	struct hw_desc_func *rp, *usp, *dsp0, *dsp1, *ep;
	struct hw_platform *p;

	rp = td_func(&h->devices, HW_DESC_ROOT_PORT, 1, 0, NULL);
	usp = td_func(&rp->children, HW_DESC_SWITCH, 0, 0, "usp");
	dsp0 = td_func(&usp->children, HW_DESC_DOWNSTREAM_PORT, 0, 0, "dsp0");
	dsp1 = td_func(&usp->children, HW_DESC_DOWNSTREAM_PORT, 1, 0, "dsp1");
	td_func(&dsp0->children, HW_DESC_ENDPOINT, 0, 0, "ep0");
	ep = td_func(&dsp1->children, HW_DESC_ENDPOINT, 0, 0, "ep1");
	ep->device = 0x1111;
	p = create(d);

	set_buses(p, 0, PCI_DEVFN(1, 0), 0, 1, 4);
	assert_int_equal(pcie_type(p, 1, 0), PCI_EXP_TYPE_UPSTREAM);
	/* Internal bus still unnumbered: bus 2 unreachable. */
	assert_false(present(p, 2, 0));
	set_buses(p, 1, 0, 1, 2, 4);
	/* The switch's internal bus is not a link: device 1 exists. */
	assert_int_equal(pcie_type(p, 2, PCI_DEVFN(0, 0)), PCI_EXP_TYPE_DOWNSTREAM);
	assert_int_equal(pcie_type(p, 2, PCI_DEVFN(1, 0)), PCI_EXP_TYPE_DOWNSTREAM);
	assert_false(present(p, 2, PCI_DEVFN(2, 0)));
	set_buses(p, 2, PCI_DEVFN(0, 0), 2, 3, 3);
	set_buses(p, 2, PCI_DEVFN(1, 0), 2, 4, 4);
	assert_int_equal(rd(p, 3, 0, PCI_DEVICE_ID, 2), TD_DEVICE);
	assert_int_equal(rd(p, 4, 0, PCI_DEVICE_ID, 2), 0x1111);
	/* Below a downstream port only device 0 answers. */
	assert_false(present(p, 3, PCI_DEVFN(1, 0)));

	/* Shrinking the root port's range cuts bus 4 off at the top. */
	wr(p, 0, PCI_DEVFN(1, 0), PCI_SUBORDINATE_BUS, 1, 3);
	assert_false(present(p, 4, 0));
	assert_true(present(p, 3, 0));

	hw_platform_destroy(p);
	td_free(d);
}

static void test_switch_chain(void **state)
{
	struct hw_desc_platform *d = td_platform();
	struct hw_desc_host_bridge *h = hb0(d);
	struct hw_desc_func *parent, *usp, *dsp, *ep;
	struct hw_platform *p;
	int i, depth = 3;
	uint8_t bus;

	parent = td_func(&h->devices, HW_DESC_ROOT_PORT, 2, 0, NULL);
	for (i = 0; i < depth; i++) {
		usp = td_func(&parent->children, HW_DESC_SWITCH, 0, 0, NULL);
		dsp = td_func(&usp->children, HW_DESC_DOWNSTREAM_PORT, (uint8_t)(i + 1), 0, NULL);
		parent = dsp;
	}
	ep = td_func(&parent->children, HW_DESC_ENDPOINT, 0, 0, NULL);
	ep->device = 0x2222;
	p = create(d);

	/* Number the chain the way depth-first enumeration does: each bridge
	 * gets secondary = next bus, subordinate = the last bus. */
	set_buses(p, 0, PCI_DEVFN(2, 0), 0, 1, 0x20);
	bus = 1;
	for (i = 0; i < depth; i++) {
		set_buses(p, bus, 0, bus, bus + 1, 0x20);		/* usp */
		set_buses(p, bus + 1, PCI_DEVFN(i + 1, 0), bus + 1, bus + 2, 0x20); /* dsp */
		bus += 2;
	}
	assert_int_equal(bus, 7);
	assert_int_equal(rd(p, bus, 0, PCI_DEVICE_ID, 2), 0x2222);
	assert_int_equal(pcie_type(p, bus, 0), PCI_EXP_TYPE_ENDPOINT);
	/* Shrink the middle switch's range below the endpoint's bus: it
	 * vanishes, while the buses still in range answer. */
	wr(p, 3, 0, PCI_SUBORDINATE_BUS, 1, 6);
	assert_false(present(p, bus, 0));
	assert_true(present(p, 6, PCI_DEVFN(3, 0)));
	/* Secondary 0 but Subordinate covering bus 7: Type 1 requests for
	 * bus 7 still pass (they are above the secondary bus number). */
	wr(p, 3, 0, PCI_SUBORDINATE_BUS, 1, 0x20);
	wr(p, 3, 0, PCI_SECONDARY_BUS, 1, 0);
	assert_true(present(p, bus, 0));
	assert_false(present(p, 4, PCI_DEVFN(2, 0)));

	hw_platform_destroy(p);
	td_free(d);
}

static void test_pcie_to_pci_bridge(void **state)
{
	struct hw_desc_platform *d = td_platform();
	struct hw_desc_host_bridge *h = hb0(d);
	struct hw_desc_func *rp, *br, *pb;
	struct hw_platform *p;

	rp = td_func(&h->devices, HW_DESC_ROOT_PORT, 3, 0, NULL);
	br = td_func(&rp->children, HW_DESC_PCIE_PCI_BRIDGE, 0, 0, "p2p");
	td_func(&br->children, HW_DESC_ENDPOINT, 0, 0, "legacy0");
	td_func(&br->children, HW_DESC_ENDPOINT, 5, 0, "legacy5");
	pb = td_func(&br->children, HW_DESC_PCI_BRIDGE, 7, 0, "pcibr");
	td_func(&pb->children, HW_DESC_ENDPOINT, 2, 0, "deep");
	p = create(d);

	set_buses(p, 0, PCI_DEVFN(3, 0), 0, 1, 3);
	set_buses(p, 1, 0, 1, 2, 3);
	assert_int_equal(pcie_type(p, 1, 0), PCI_EXP_TYPE_PCI_BRIDGE);
	/* A conventional bus has 32 devices. */
	assert_true(present(p, 2, PCI_DEVFN(0, 0)));
	assert_true(present(p, 2, PCI_DEVFN(5, 0)));
	assert_false(present(p, 2, PCI_DEVFN(4, 0)));
	/* Conventional functions: no PCIe capability, and extended config
	 * space completes with UR (all-ones), writes there are dropped. */
	assert_int_equal(cap_off(p, 2, PCI_DEVFN(5, 0), PCI_CAP_ID_EXP), 0);
	assert_int_equal(rd(p, 2, PCI_DEVFN(5, 0), 0x100, 4), 0xffffffffu);
	wr(p, 2, PCI_DEVFN(5, 0), 0x100, 4, 0);
	assert_int_equal(rd(p, 2, PCI_DEVFN(5, 0), 0x100, 4), 0xffffffffu);
	/* The PCIe-to-PCI bridge itself is PCIe: its extended space is there. */
	assert_int_not_equal(rd(p, 1, 0, 0x100, 4), 0xffffffffu);
	/* A conventional PCI bridge behind it. */
	assert_int_equal(rd(p, 2, PCI_DEVFN(7, 0), PCI_HEADER_TYPE, 1), PCI_HEADER_TYPE_BRIDGE);
	assert_int_equal(cap_off(p, 2, PCI_DEVFN(7, 0), PCI_CAP_ID_EXP), 0);
	set_buses(p, 2, PCI_DEVFN(7, 0), 2, 3, 3);
	assert_true(present(p, 3, PCI_DEVFN(2, 0)));
	assert_int_equal(cap_off(p, 3, PCI_DEVFN(2, 0), PCI_CAP_ID_EXP), 0);

	hw_platform_destroy(p);
	td_free(d);
}

static void test_unsupported_request(void **state)
{
	struct hw_desc_platform *d = rp_ep_desc(NULL, NULL);
	struct hw_platform *p = create(d);

	/* Empty slot on the root bus: all-ones at every width. */
	assert_int_equal(rd(p, 0, PCI_DEVFN(3, 0), 0, 4), 0xffffffffu);
	assert_int_equal(rd(p, 0, PCI_DEVFN(3, 0), 2, 2), 0xffff);
	assert_int_equal(rd(p, 0, PCI_DEVFN(3, 0), 1, 1), 0xff);
	/* No such segment. */
	{
		uint32_t v = 0;

		assert_ok(hw_cfg_read(p, 1, 0, RP, 0, 4, &v));
		assert_int_equal(v, 0xffffffffu);
		assert_ok(hw_cfg_write(p, 1, 0, RP, PCI_SECONDARY_BUS, 1, 9));
	}
	assert_int_equal(rd(p, 0, RP, PCI_SECONDARY_BUS, 1), 0);
	set_buses(p, 0, RP, 0, 1, 1);
	/* Non-zero device numbers on a link: UR, writes dropped. */
	assert_true(present(p, 1, PCI_DEVFN(0, 0)));
	assert_false(present(p, 1, PCI_DEVFN(1, 0)));
	assert_false(present(p, 1, PCI_DEVFN(31, 7)));
	wr(p, 1, PCI_DEVFN(1, 0), PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_int_equal(rd(p, 1, 0, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY, 0);
	/* Function 1 of device 0 does not exist either. */
	assert_false(present(p, 1, PCI_DEVFN(0, 1)));

	hw_platform_destroy(p);
	td_free(d);
}

static void test_ari_forwarding(void **state)
{
	struct hw_desc_platform *d = td_platform();
	struct hw_desc_host_bridge *h = hb0(d);
	struct hw_desc_func *rp, *f;
	struct hw_platform *p;
	uint16_t cap;
	static const uint8_t fns[] = { 0, 1, 9, 200 };
	unsigned int i;

	rp = td_func(&h->devices, HW_DESC_ROOT_PORT, 1, 0, NULL);
	for (i = 0; i < ARRAY_SIZE(fns); i++) {
		f = td_func(&rp->children, HW_DESC_ENDPOINT, 0, fns[i], NULL);
		f->device = (uint16_t)(0x3000 + fns[i]);
		td_cap(f, HW_DESC_CAP_ARI)->u.ari.next_function =
			i + 1 < ARRAY_SIZE(fns) ? fns[i + 1] : 0;
	}
	p = create(d);
	set_buses(p, 0, PCI_DEVFN(1, 0), 0, 1, 1);

	/* Without ARI Forwarding Enable only device 0 (functions 0-7). */
	assert_int_equal(rd(p, 1, 0, PCI_DEVICE_ID, 2), 0x3000);
	assert_int_equal(rd(p, 1, 1, PCI_DEVICE_ID, 2), 0x3001);
	assert_false(present(p, 1, 9));
	assert_false(present(p, 1, 200));
	/* Function 0 of a device with siblings is multi-function. */
	assert_true(rd(p, 1, 0, PCI_HEADER_TYPE, 1) & 0x80);

	cap = cap_off(p, 0, PCI_DEVFN(1, 0), PCI_CAP_ID_EXP);
	assert_true(rd(p, 0, PCI_DEVFN(1, 0), cap + PCI_EXP_DEVCAP2, 4) & PCI_EXP_DEVCAP2_ARI);
	wr(p, 0, PCI_DEVFN(1, 0), cap + PCI_EXP_DEVCTL2, 2, PCI_EXP_DEVCTL2_ARI);
	assert_int_equal(rd(p, 1, 9, PCI_DEVICE_ID, 2), 0x3009);
	assert_int_equal(rd(p, 1, 200, PCI_DEVICE_ID, 2), 0x3000 + 200);
	assert_false(present(p, 1, 8));
	assert_false(present(p, 1, 255));

	/* Clearing it hides them again. */
	wr(p, 0, PCI_DEVFN(1, 0), cap + PCI_EXP_DEVCTL2, 2, 0);
	assert_false(present(p, 1, 9));

	hw_platform_destroy(p);
	td_free(d);
}

static void test_unprogrammed_bridges(void **state)
{
	struct hw_desc_platform *d = td_platform();
	struct hw_desc_host_bridge *h = hb0(d);
	struct hw_desc_func *rp, *usp, *dsp;
	struct hw_platform *p;
	unsigned int bus, dev;

	rp = td_func(&h->devices, HW_DESC_ROOT_PORT, 1, 0, NULL);
	usp = td_func(&rp->children, HW_DESC_SWITCH, 0, 0, NULL);
	dsp = td_func(&usp->children, HW_DESC_DOWNSTREAM_PORT, 0, 0, NULL);
	td_func(&dsp->children, HW_DESC_ENDPOINT, 0, 0, NULL);
	p = create(d);

	/* secondary = subordinate = 0 after reset: no bus but 0 answers. */
	assert_int_equal(rd(p, 0, PCI_DEVFN(1, 0), PCI_PRIMARY_BUS, 4) & 0xffffff, 0);
	for (bus = 1; bus < 256; bus++)
		for (dev = 0; dev < 32; dev++)
			assert_false(present(p, (uint8_t)bus, PCI_DEVFN(dev, 0)));
	/* Programming only the root port exposes the upstream port alone. */
	set_buses(p, 0, PCI_DEVFN(1, 0), 0, 1, 9);
	assert_true(present(p, 1, 0));
	for (bus = 2; bus < 10; bus++)
		assert_false(present(p, (uint8_t)bus, 0));

	hw_platform_destroy(p);
	td_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_port_config),
		cmocka_unit_test(test_port_status),
		cmocka_unit_test(test_switch_config),
		cmocka_unit_test(test_switch_chain),
		cmocka_unit_test(test_pcie_to_pci_bridge),
		cmocka_unit_test(test_unsupported_request),
		cmocka_unit_test(test_ari_forwarding),
		cmocka_unit_test(test_unprogrammed_bridges),
	};

	return cmocka_run_group_tests_name("fabric-config", tests, NULL, NULL);
}
