// SPDX-License-Identifier: MIT
/*
 * Platform files that must be rejected: one case per error class, each
 * asserting -EINVAL, the exact "t.yaml:LINE:COL:" position and a piece of
 * the reason. Every case is its own TAP test (cmocka prestate).
 */
#include <stdio.h>

#include "test.h"
#include "platform/platform_util.h"

struct bad_case {
	const char *name;
	const char *text;
	unsigned int line, col;
	const char *reason;		/* substring of the message */
};

/* Lines 1-3; the first device item is on line 4. */
#define HB "host-bridges:\n" \
	   "  - mmio: { base: 0xc0000000, size: 256M }\n" \
	   "    devices:\n"
/* Lines 4-6: a root port whose children start on line 7. */
#define RP HB \
	"      - address: 01.0\n" \
	"        kind: root-port\n" \
	"        children:\n"
/* An endpoint as a flow mapping, for one-line functions. */
#define EP(addr, extra) "{ address: " addr ", kind: endpoint, vendor: 1, device: 2, class: 3" extra " }"

static const struct bad_case cases[] = {
	{ "yaml_syntax", "name: x\n\tram: 1G\n", 2, 1, "YAML syntax error" },
	{ "yaml_unclosed_flow", HB "      - { address: 00.0\n", 5, 1, "YAML syntax error" },
	{ "empty_document", "# nothing\n", 1, 1, "empty file" },
	{ "second_document", HB "      - " EP("00.0", "") "\n---\nname: x\n", 5, 1,
	  "second YAML document" },
	{ "top_not_mapping", "- a\n- b\n", 1, 1, "platform: expected a mapping, got a list" },
	{ "unknown_top_key", "colour: blue\n" HB, 1, 1,
	  "unknown key 'colour' in platform (accepted: version, name, ram, host-bridges, iommu, iommu-base)" },
	{ "unknown_iommu", "iommu: amd\n" HB, 1, 8, "unknown iommu 'amd' (accepted: default, none, vtd)" },
	{ "iommu_base_unaligned", "iommu-base: 0xfed90100\n" HB, 1, 13, "is not 4 KiB aligned" },
	{ "iommu_base_without_iommu", "iommu: none\niommu-base: 0xfed90000\n" HB, 2, 13,
	  "iommu-base given with iommu: none" },
	{ "unknown_model", HB "      - " EP("00.0", ", model: nic") "\n", 4, 81,
	  "unknown model 'nic' (accepted: generic, dma-test)" },
	{ "model_on_bridge", HB "      - { address: 01.0, kind: root-port, model: dma-test }\n", 4, 50,
	  "only endpoints have a behaviour model" },
	{ "duplicate_key", "ram: 1G\nram: 2G\n" HB, 2, 1, "duplicate key 'ram'" },
	{ "missing_host_bridges", "name: x\n", 1, 1,
	  "missing required key 'host-bridges' in platform" },
	{ "no_host_bridge", "host-bridges: []\n", 1, 15, "at least one host bridge" },
	{ "bad_version", "version: 2\n" HB, 1, 10, "value 2 out of range 1..1" },
	{ "ram_wrong_type", "ram: [1, 2]\n" HB, 1, 6, "expected a size, got a list" },
	{ "ram_bad_suffix", "ram: 1X\n" HB, 1, 6, "expected a size" },
	{ "ram_too_small", "ram: 4K\n" HB, 1, 6, "out of range" },
	{ "size_overflow", "ram: 0x400000000000000T\n" HB, 1, 6, "does not fit in 64 bits" },
	{ "number_garbage", HB "      - " EP("00.0", ", revision: 12abc") "\n", 4, 84,
	  "expected a number (decimal or 0x hex), got '12abc'" },
	{ "segment_out_of_range", "host-bridges:\n  - segment: 0x10000\n", 2, 14,
	  "value 65536 out of range 0..65535" },
	{ "bus_range_reversed", "host-bridges:\n  - bus-start: 10\n    bus-end: 9\n", 3, 14,
	  "bus range end 0x09 is below its start 0x0a" },
	{ "mmio_above_4g", "host-bridges:\n  - mmio: { base: 0xf0000000, size: 512M }\n", 2, 37,
	  "ends above 0xffffffff" },
	{ "mmio_overlaps_ram", "ram: 4G\nhost-bridges:\n  - mmio: { base: 0xc0000000, size: 256M }\n",
	  3, 11, "overlaps RAM" },
	{ "aperture_missing_size", "host-bridges:\n  - io: { base: 0x1000 }\n", 2, 9,
	  "missing required key 'size' in io" },
	{ "bus_overlap", "host-bridges:\n  - bus-end: 9\n  - bus-start: 9\n", 3, 5,
	  "overlaps the host bridge at line 2" },
	{ "too_few_buses", "host-bridges:\n  - bus-end: 1\n    devices:\n"
	  "      - { address: 01.0, kind: root-port }\n"
	  "      - { address: 02.0, kind: root-port }\n", 2, 5,
	  "needs 2 bus numbers below the root bus" },
	{ "unknown_func_key", HB "      - address: 00.0\n        vendorr: 1\n", 5, 9,
	  "unknown key 'vendorr' in function (accepted: address, kind," },
	{ "missing_address", HB "      - kind: endpoint\n", 4, 9,
	  "missing required key 'address' in function" },
	{ "missing_class", HB "      - { address: 00.0, kind: endpoint, vendor: 1, device: 2 }\n",
	  4, 9, "missing required key 'class' in endpoint" },
	{ "unknown_kind", HB "      - { address: 00.0, kind: bridge }\n", 4, 32,
	  "unknown kind 'bridge' (accepted: endpoint, root-port, switch, downstream-port, pcie-pci-bridge, pci-bridge)" },
	{ "unknown_pin", HB "      - " EP("00.0", ", interrupt-pin: INTE") "\n", 4, 89,
	  "unknown interrupt pin 'INTE' (accepted: none, INTA, INTB, INTC, INTD)" },
	{ "bad_address", HB "      - " EP("0x1c", "") "\n", 4, 20, "expected an address 'DD.F'" },
	{ "device_above_31", HB "      - " EP("20.0", "") "\n", 4, 20, "device number 0x20 out of range" },
	{ "vendor_ffff", HB "      - { address: 00.0, kind: endpoint, vendor: 0xffff, device: 2, class: 3 }\n",
	  4, 50, "vendor ID 0xffff is reserved" },
	{ "two_functions_one_devfn", HB "      - " EP("03.0", "") "\n      - " EP("03.0", "") "\n",
	  5, 9, "two functions at 03.0 (the other at line 4)" },
	{ "function_without_fn0", HB "      - " EP("03.0", "") "\n      - " EP("04.1", "") "\n",
	  5, 9, "function 04.1 has no function 0" },
	{ "child_under_endpoint", HB "      - address: 00.0\n        kind: endpoint\n"
	  "        vendor: 1\n        device: 2\n        class: 3\n        children: []\n",
	  9, 19, "an endpoint has no secondary bus" },
	{ "device_nonzero_on_link", RP "          - " EP("01.0", "") "\n", 7, 13,
	  "device 01 below a PCIe port: only device 0 is reachable" },
	{ "function_above_7_without_ari", RP "          - " EP("00.0", "") "\n          - "
	  EP("00.8", "") "\n", 8, 13, "function numbers above 7 need ARI" },
	{ "ari_on_root_bus", HB "      - " EP("00.9", "") "\n", 4, 9,
	  "function numbers above 7 need ARI" },
	{ "function_above_7_with_device", HB "      - " EP("01.8", "") "\n", 4, 20,
	  "function number 0x8 out of range 0..7" },
	{ "switch_child_not_port", RP "          - address: 00.0\n            kind: switch\n"
	  "            children:\n              - " EP("00.0", "") "\n", 10, 40,
	  "an endpoint cannot sit on a switch's internal bus (allowed there: downstream-port)" },
	{ "downstream_port_on_root_bus", HB "      - { address: 00.0, kind: downstream-port }\n",
	  4, 32, "cannot sit on a host bridge's root bus" },
	{ "pci_bridge_on_link", RP "          - { address: 00.0, kind: pci-bridge }\n", 7, 36,
	  "cannot sit on a PCIe link" },
	{ "bar_not_power_of_2", HB "      - " EP("00.0", ", bars: [ { type: mem32, size: 24K } ]") "\n",
	  4, 103, "BAR size 0x6000 is not a power of two" },
	{ "bar_mem_too_small", HB "      - " EP("00.0", ", bars: [ { type: mem32, size: 8 } ]") "\n",
	  4, 103, "memory BAR size 8 is below the minimum of 16 bytes" },
	{ "bar_io_too_small", HB "      - " EP("00.0", ", bars: [ { type: io, size: 2 } ]") "\n",
	  4, 100, "I/O BAR size 2 is below the minimum of 4 bytes" },
	{ "bar_io_too_big", HB "      - " EP("00.0", ", bars: [ { type: io, size: 512 } ]") "\n",
	  4, 100, "exceeds the maximum 0x100" },
	{ "bar_mem64_in_slot_5", HB "      - " EP("00.0", ", bars: [ { index: 5, type: mem64, size: 4K } ]") "\n",
	  4, 82, "a 64-bit BAR takes two slots; slot 5 is the last one" },
	{ "bar_overlap_upper_half", HB "      - " EP("00.0", ", bars: [ { index: 0, type: mem64, size: 4K }, "
					     "{ index: 1, type: mem32, size: 4K } ]") "\n",
	  4, 119, "BAR slot 1 is the upper half of the 64-bit BAR 0" },
	{ "bar_slot_reused", HB "      - " EP("00.0", ", bars: [ { index: 2, type: mem32, size: 4K }, "
				      "{ index: 2, type: mem32, size: 4K } ]") "\n",
	  4, 119, "BAR slot 2 is already used" },
	{ "bar_index_on_bridge", HB "      - { address: 00.0, kind: root-port, bars: [ { index: 2, type: mem32, size: 4K } ] }\n",
	  4, 60, "value 2 out of range 0..1" },
	{ "bar_io_prefetchable", HB "      - " EP("00.0", ", bars: [ { type: io, size: 16, prefetchable: true } ]") "\n",
	  4, 118, "an I/O BAR cannot be prefetchable" },
	{ "bar_unknown_type", HB "      - " EP("00.0", ", bars: [ { type: mem16, size: 16 } ]") "\n",
	  4, 90, "unknown BAR type 'mem16' (accepted: io, mem32, mem64)" },
	{ "rom_not_power_of_2", HB "      - " EP("00.0", ", rom: 3K") "\n", 4, 79,
	  "expansion ROM size 0xc00 is not a power of two" },
	/* libyaml resolves the alias to the anchored node: its position. */
	{ "alias_reuse", HB "      - &a " EP("00.0", "") "\n      - *a\n", 4, 9,
	  "aliases of mappings or lists are not supported" },
	/* capabilities */
	{ "cap_unknown_type", HB "      - " EP("00.0", ", capabilities: [ { type: vpd } ]") "\n", 4, 98,
	  "unknown capability type 'vpd' (accepted: pm, msi, msix, express, aer, acs" },
	{ "cap_missing_type", HB "      - " EP("00.0", ", capabilities: [ { d1: true } ]") "\n", 4, 90,
	  "missing required key 'type' in capability" },
	{ "cap_unknown_key", HB "      - " EP("00.0", ", capabilities: [ { type: pm, d4: true } ]") "\n",
	  4, 102, "unknown key 'd4' in capability 'pm' (accepted: type, version, d1, d2, pme-support, no-soft-reset, aux-current-ma)" },
	{ "cap_wrong_type", HB "      - " EP("00.0", ", capabilities: [ { type: pm, d1: 1 } ]") "\n",
	  4, 106, "expected true or false, got '1'" },
	{ "cap_duplicate", HB "      - " EP("00.0", ", capabilities: [ { type: pm }, { type: pm } ]") "\n",
	  4, 104, "duplicate capability 'pm' (first at line 4); only one is allowed" },
	{ "cap_msi_vectors", HB "      - " EP("00.0", ", capabilities: [ { type: msi, vectors: 3 } ]") "\n",
	  4, 112, "vectors 3 is not a power of two" },
	{ "cap_msix_missing_size", HB "      - " EP("00.0", ", capabilities: [ { type: msix } ]") "\n",
	  4, 90, "missing required key 'table-size' in capability 'msix'" },
	{ "cap_msix_no_bar", HB "      - " EP("00.0", ", capabilities: [ { type: msix, table-size: 4, table-bar: 1 } ]") "\n",
	  4, 130, "MSI-X table: BAR 1 is not a memory BAR of this function" },
	{ "cap_msix_table_too_big", HB "      - " EP("00.0", ", bars: [ { type: mem32, size: 64 } ], "
				     "capabilities: [ { type: msix, table-size: 8 } ]") "\n",
	  4, 127, "MSI-X table (0x80 bytes at 0x0) does not fit in BAR 0" },
	{ "cap_pme_without_d1", HB "      - " EP("00.0", ", capabilities: [ { type: pm, pme-support: [d0, d1] } ]") "\n",
	  4, 115, "pme-support includes d1 but d1 is not supported" },
	{ "cap_pme_unknown_state", HB "      - " EP("00.0", ", capabilities: [ { type: pm, pme-support: [d4] } ]") "\n",
	  4, 116, "unknown PME state 'd4' (accepted: d0, d1, d2, d3hot, d3cold)" },
	{ "cap_acs_unknown_flag", HB "      - " EP("00.0", ", capabilities: [ { type: acs, caps: [sv, xx] } ]") "\n",
	  4, 114, "unknown ACS control 'xx' (accepted: sv, tb, rr, cr, uf, ec, dt)" },
	{ "cap_dpc_on_endpoint", RP "          - " EP("00.0", ", capabilities: [ { type: dpc } ]") "\n",
	  7, 94, "DPC is for root ports and switch downstream ports only" },
	{ "cap_ext_on_conventional", HB "      - address: 00.0\n        kind: pci-bridge\n"
	  "        children:\n          - " EP("00.0", ", capabilities: [ { type: aer } ]") "\n",
	  7, 94, "capability 'aer' needs PCI Express extended configuration space" },
	{ "cap_express_on_conventional", HB "      - { address: 00.0, kind: pci-bridge, capabilities: [ { type: express } ] }\n",
	  4, 60, "a conventional PCI function has no PCI Express capability" },
	{ "cap_express_port_type", RP "          - " EP("00.0", ", capabilities: [ { type: express, port-type: root-port } ]") "\n",
	  7, 122, "port-type 'root-port' does not fit an endpoint on a PCIe link (expected 'endpoint')" },
	{ "cap_express_unknown_port_type", RP "          - " EP("00.0", ", capabilities: [ { type: express, port-type: upstream-port } ]") "\n",
	  7, 122, "unknown PCI Express port type 'upstream-port' (accepted: endpoint, legacy-endpoint, root-port" },
	{ "cap_express_slot_on_endpoint", RP "          - " EP("00.0", ", capabilities: [ { type: express, slot: true } ]") "\n",
	  7, 117, "'slot' is for root ports and switch downstream ports only" },
	{ "cap_express_link_width", RP "          - " EP("00.0", ", capabilities: [ { type: express, link-width: 3 } ]") "\n",
	  7, 123, "link width 3 is not one of 1, 2, 4, 8, 12, 16, 32" },
	{ "cap_express_link_speed", RP "          - " EP("00.0", ", capabilities: [ { type: express, link-speed: 7GT } ]") "\n",
	  7, 123, "unknown link speed '7GT' (accepted: 2.5GT, 5GT, 8GT, 16GT, 32GT, 64GT)" },
	{ "cap_sriov_missing_total", RP "          - " EP("00.0", ", capabilities: [ { type: sriov } ]") "\n",
	  7, 94, "missing required key 'total-vfs' in capability 'sriov'" },
	{ "cap_sriov_vf_bar_io", RP "          - " EP("00.0", ", capabilities: [ { type: sriov, total-vfs: 2, vf-bars: [ { type: io, size: 16 } ] } ]") "\n",
	  7, 142, "VF BARs are memory BARs, not I/O" },
	{ "cap_sriov_page_sizes", RP "          - " EP("00.0", ", capabilities: [ { type: sriov, total-vfs: 2, supported-page-sizes: 1 } ]") "\n",
	  7, 145, "supported-page-sizes must include 0x553" },
	{ "cap_dvsec_missing_id", HB "      - " EP("00.0", ", capabilities: [ { type: dvsec, vendor: 0x1e98 } ]") "\n",
	  4, 90, "missing required key 'id' in capability 'dvsec'" },
	{ "cap_pasid_width", HB "      - " EP("00.0", ", capabilities: [ { type: pasid, width: 21 } ]") "\n",
	  4, 112, "value 21 out of range 1..20" },
};

static void test_bad(void **state)
{
	const struct bad_case *c = *state;
	char err[512], where[64];

	pt_parse_err(c->text, err, sizeof(err));
	snprintf(where, sizeof(where), "t.yaml:%u:%u: ", c->line, c->col);
	if (strncmp(err, where, strlen(where)) != 0 || !strstr(err, c->reason))
		fail_msg("%s: got \"%s\", expected \"%s...%s...\"", c->name, err, where, c->reason);
	/* One line, no trailing newline. */
	assert_null(strchr(err, '\n'));
}

/* No err buffer: still -EINVAL, nothing written anywhere. */
static void test_bad_no_buffer(void **state)
{
	static const char text[] = "colour: blue\n";

	assert_err_ptr(EINVAL, hw_desc_parse_string("t.yaml", text, strlen(text), NULL, 0));
}

/* A message longer than the buffer is truncated, not overflowed. */
static void test_bad_small_buffer(void **state)
{
	static const char text[] = "colour: blue\n";
	char err[12];

	memset(err, 'x', sizeof(err));
	assert_err_ptr(EINVAL, hw_desc_parse_string("t.yaml", text, strlen(text), err, 8));
	assert_string_equal(err, "t.yaml:");
	assert_int_equal(err[8], 'x');
}

/* Input is a length, not a C string: bytes past len are never read. */
static void test_bad_length_honoured(void **state)
{
	static const char text[] = "host-bridges: [ {} ]\ngarbage: [";
	struct hw_desc_platform *p;

	p = hw_desc_parse_string("t.yaml", text, strlen("host-bridges: [ {} ]\n"), NULL, 0);
	assert_false(IS_ERR(p));
	hw_desc_free(p);
	assert_err_ptr(EINVAL, hw_desc_parse_string("t.yaml", text, strlen(text), NULL, 0));
}

/* An embedded NUL byte is a syntax error, not the end of the file. */
static void test_bad_nul_byte(void **state)
{
	static const char text[] = "host-bridges: [ {} ]\n\0name: x\n";
	char err[256];

	assert_err_ptr(EINVAL, hw_desc_parse_string("t.yaml", text, sizeof(text) - 1, err,
						    sizeof(err)));
	assert_non_null(strstr(err, "t.yaml:2:1: YAML syntax error"));
}

int main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(cases) + 4];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		tests[i] = (struct CMUnitTest)cmocka_unit_test_prestate(test_bad, (void *)&cases[i]);
		tests[i].name = cases[i].name;
	}
	tests[i++] = (struct CMUnitTest)cmocka_unit_test(test_bad_no_buffer);
	tests[i++] = (struct CMUnitTest)cmocka_unit_test(test_bad_small_buffer);
	tests[i++] = (struct CMUnitTest)cmocka_unit_test(test_bad_length_honoured);
	tests[i++] = (struct CMUnitTest)cmocka_unit_test(test_bad_nul_byte);
	return _cmocka_run_group_tests("platform-errors", tests, i, NULL, NULL);
}
