// SPDX-License-Identifier: MIT
/*
 * Interrupts end to end: a function signals a vector (hw/pcidev/irq.h),
 * MSI-X or MSI turns it into a memory write (with masking and pending
 * bits), the root complex decodes the x86 interrupt address and calls the
 * kernel side's handler, which dispatches to the driver's request_irq()
 * handler (kernel/pci/msi.c). The kernel side programs everything through
 * config space and MMIO only.
 *
 * Each test builds its own platform: the kernel side registers its
 * interrupt handler with the platform once per subsystem.
 */
#include "test.h"

#include <stdio.h>

#include "hw/fabric/fabric_internal.h"
#include "hw/pcidev/irq.h"
#include "hw/platform/desc.h"
#include "kernel/pci/doe.h"
#include "kernel/pci/msi.h"
#include "kernel/pci/pci.h"
#include "../../../tools/pcilab/lspci.h"
#include "../../../tools/pcilab/lspci_kernel.h"

/*
 * Root-bus endpoints (RCiEPs):
 *   01.0  MSI-X (8 entries, table 0x1000 / PBA 0x2000 of BAR 0) and MSI
 *         (8 vectors, 64-bit, per-vector masking)
 *   02.0  MSI only: 4 vectors, 32-bit, no masking
 *   04.0  neither
 *   05.0  MSI-X with 2048 entries (more than there are CPU vectors)
 *   06.0  MSI-X (4 entries) and a DOE mailbox signalling message 2
 */
static const char irq_yaml[] =
	"version: 1\n"
	"name: irq-test\n"
	"ram: 16M\n"
	"host-bridges:\n"
	"  - mmio: { base: 0xc0000000, size: 256M }\n"
	"    devices:\n"
	"      - address: 01.0\n"
	"        kind: endpoint\n"
	"        vendor: 0x8086\n"
	"        device: 0x0001\n"
	"        class: 0x020000\n"
	"        bars:\n"
	"          - { type: mem64, size: 16K }\n"
	"        capabilities:\n"
	"          - type: msix\n"
	"            table-size: 8\n"
	"            table-offset: 0x1000\n"
	"            pba-offset: 0x2000\n"
	"          - type: msi\n"
	"            vectors: 8\n"
	"            addr64: true\n"
	"            per-vector-mask: true\n"
	"      - address: 02.0\n"
	"        kind: endpoint\n"
	"        vendor: 0x8086\n"
	"        device: 0x0002\n"
	"        class: 0x020000\n"
	"        capabilities:\n"
	"          - type: msi\n"
	"            vectors: 4\n"
	"      - address: 04.0\n"
	"        kind: endpoint\n"
	"        vendor: 0x8086\n"
	"        device: 0x0004\n"
	"        class: 0x020000\n"
	"      - address: 05.0\n"
	"        kind: endpoint\n"
	"        vendor: 0x8086\n"
	"        device: 0x0005\n"
	"        class: 0x020000\n"
	"        bars:\n"
	"          - { type: mem64, size: 64K }\n"
	"        capabilities:\n"
	"          - type: msix\n"
	"            table-size: 2048\n"
	"            pba-offset: 0x8000\n"
	"      - address: 06.0\n"
	"        kind: endpoint\n"
	"        vendor: 0x8086\n"
	"        device: 0x0006\n"
	"        class: 0x120000\n"
	"        bars:\n"
	"          - { type: mem64, size: 16K }\n"
	"        capabilities:\n"
	"          - type: msix\n"
	"            table-size: 4\n"
	"            pba-offset: 0x1000\n"
	"          - type: doe\n"
	"            interrupt: true\n"
	"            interrupt-msg: 2\n";

struct world {
	struct hw_desc_platform *desc;
	struct hw_platform *hw;
	struct pci_subsys *pci;
};

static struct world W;

static int world_setup(void **state)
{
	char err[256] = "";

	W.desc = hw_desc_parse_string("irq-test", irq_yaml, sizeof(irq_yaml) - 1, err,
				      sizeof(err));
	if (IS_ERR(W.desc)) {
		print_error("%s\n", err);
		return -1;
	}
	W.hw = hw_platform_create(W.desc, err, sizeof(err));
	if (IS_ERR(W.hw)) {
		print_error("%s\n", err);
		return -1;
	}
	W.pci = pci_subsys_create(W.hw);
	return IS_ERR(W.pci) ? -1 : 0;
}

static int world_teardown(void **state)
{
	if (!IS_ERR_OR_NULL(W.pci))
		pci_subsys_destroy(W.pci);
	if (!IS_ERR_OR_NULL(W.hw))
		hw_platform_destroy(W.hw);
	if (!IS_ERR_OR_NULL(W.desc))
		hw_desc_free(W.desc);
	memset(&W, 0, sizeof(W));
	return 0;
}

static struct pci_dev *dev_at(unsigned int slot)
{
	struct pci_dev *d = pci_get_domain_bus_and_slot(W.pci, 0, 0, PCI_DEVFN(slot, 0));

	assert_non_null(d);
	return d;
}

static struct hw_pcidev *hw_at(unsigned int slot)
{
	struct hw_pcidev *d = hw_platform_cfg_target(W.hw, 0, 0, (uint8_t)PCI_DEVFN(slot, 0));

	assert_non_null(d);
	return d;
}

static void set_master(struct pci_dev *d, bool on)
{
	uint16_t cmd;

	assert_ok(pci_read_config_word(d, PCI_COMMAND, &cmd));
	cmd = on ? (cmd | PCI_COMMAND_MASTER) : (cmd & ~PCI_COMMAND_MASTER);
	assert_ok(pci_write_config_word(d, PCI_COMMAND, cmd));
}

static uint16_t cfg16(struct pci_dev *d, int where)
{
	uint16_t v;

	assert_ok(pci_read_config_word(d, where, &v));
	return v;
}

static uint32_t cfg32(struct pci_dev *d, int where)
{
	uint32_t v;

	assert_ok(pci_read_config_dword(d, where, &v));
	return v;
}

static uint32_t mmio32(uint64_t addr)
{
	uint32_t v;

	assert_ok(hw_mmio_read(W.hw, addr, &v, 4));
	return v;
}

static void mmio32_w(uint64_t addr, uint32_t v)
{
	assert_ok(hw_mmio_write(W.hw, addr, &v, 4));
}

/* A driver's view of its interrupts. */
struct drv {
	unsigned int hits;
	unsigned int last_irq;
	struct pci_dev *doe_dev;	/* DOE test: clear Interrupt Status */
	uint16_t doe_cap;
};

static enum irqreturn drv_isr(unsigned int irq, void *dev_id)
{
	struct drv *drv = dev_id;

	drv->hits++;
	drv->last_irq = irq;
	return IRQ_HANDLED;
}

static int _notify(unsigned int slot, unsigned int vec)
{
	return hw_pcidev_notify(hw_at(slot), vec);
}

#define notify(slot, vec)		assert_ok(_notify(slot, vec))
#define notify_err(E, slot, vec)	assert_errno(E, _notify(slot, vec))

static int _alloc(unsigned int slot, unsigned int min, unsigned int max, unsigned int flags)
{
	return pci_alloc_irq_vectors(dev_at(slot), min, max, flags);
}

#define alloc_err(E, slot, min, max, flags)	assert_errno(E, _alloc(slot, min, max, flags))

/* ------------------------------------------------------------ MSI-X */

static uint64_t bar0(unsigned int slot)
{
	return dev_at(slot)->resource[0].start;
}

static bool pba_bit(unsigned int slot, uint64_t pba_off, unsigned int vec)
{
	uint32_t v = mmio32(bar0(slot) + pba_off + vec / 32 * 4);

	return v & BIT(vec % 32);
}

static void test_msix_delivery(void **state)
{
	struct pci_dev *d = dev_at(1);
	uint8_t cap = pci_find_capability(d, PCI_CAP_ID_MSIX);
	uint64_t tbl = bar0(1) + 0x1000;
	struct drv drv = { 0 };
	unsigned int i;
	int irq0, irq3;

	assert_int_equal(_alloc(1, 1, 16, PCI_IRQ_MSIX | PCI_IRQ_MSI), 8);
	assert_true(pci_dev_msix_enabled(d));
	assert_false(pci_dev_msi_enabled(d));
	/* Enabled, Function Mask dropped, every entry masked, x86 format. */
	assert_int_equal(cfg16(d, cap + PCI_MSIX_FLAGS) &
			 (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL), PCI_MSIX_FLAGS_ENABLE);
	for (i = 0; i < 8; i++) {
		uint64_t e = tbl + i * PCI_MSIX_ENTRY_SIZE;

		assert_int_equal(mmio32(e + PCI_MSIX_ENTRY_LOWER_ADDR), 0xfee00000);
		assert_int_equal(mmio32(e + PCI_MSIX_ENTRY_UPPER_ADDR), 0);
		assert_int_equal(mmio32(e + PCI_MSIX_ENTRY_DATA), pci_irq_vector(d, i));
		assert_int_equal(mmio32(e + PCI_MSIX_ENTRY_VECTOR_CTRL), 1);
		assert_in_range(pci_irq_vector(d, i), PCI_IRQ_VECTOR_FIRST, PCI_IRQ_VECTOR_LAST);
	}
	irq0 = pci_irq_vector(d, 0);
	irq3 = pci_irq_vector(d, 3);

	set_master(d, true);
	assert_ok(pci_request_irq(d, 0, drv_isr, &drv, "test"));
	assert_int_equal(mmio32(tbl + PCI_MSIX_ENTRY_VECTOR_CTRL), 0);
	notify(1, 0);
	assert_int_equal(drv.hits, 1);
	assert_int_equal(drv.last_irq, irq0);
	assert_int_equal(pci_irq_count(W.pci, (unsigned int)irq0), 1);

	/* Vector 3 is masked until requested: held in the PBA, not lost. */
	notify(1, 3);
	notify(1, 3);
	assert_int_equal(drv.hits, 1);
	assert_true(pba_bit(1, 0x2000, 3));
	assert_ok(request_irq(W.pci, (unsigned int)irq3, drv_isr, "test", &drv));
	assert_int_equal(drv.hits, 2);		/* one message for the pending bit */
	assert_int_equal(drv.last_irq, irq3);
	assert_false(pba_bit(1, 0x2000, 3));

	/* free_irq masks again. */
	assert_ok(free_irq(W.pci, (unsigned int)irq3, &drv));
	notify(1, 3);
	assert_int_equal(drv.hits, 2);
	assert_true(pba_bit(1, 0x2000, 3));
	assert_int_equal(pci_irq_spurious(W.pci), 0);

	/* Beyond the table. */
	notify_err(EINVAL, 1, 8);

	assert_ok(pci_free_irq(d, 0, &drv));
	pci_free_irq_vectors(d);
	assert_false(pci_dev_msix_enabled(d));
	assert_int_equal(cfg16(d, cap + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_ENABLE, 0);
	notify_err(ENOTSUP, 1, 0);
	assert_int_equal(drv.hits, 2);
}

static void test_msix_function_mask(void **state)
{
	struct pci_dev *d = dev_at(1);
	uint8_t cap = pci_find_capability(d, PCI_CAP_ID_MSIX);
	struct drv drv = { 0 };
	uint16_t ctl;

	assert_int_equal(_alloc(1, 2, 2, PCI_IRQ_MSIX), 2);
	set_master(d, true);
	assert_ok(pci_request_irq(d, 1, drv_isr, &drv, "test"));

	/* Function Mask overrides the unmasked entry (PCIe r6.2 §7.7.2.2). */
	ctl = cfg16(d, cap + PCI_MSIX_FLAGS);
	assert_ok(pci_write_config_word(d, cap + PCI_MSIX_FLAGS, ctl | PCI_MSIX_FLAGS_MASKALL));
	notify(1, 1);
	assert_int_equal(drv.hits, 0);
	assert_true(pba_bit(1, 0x2000, 1));
	assert_ok(pci_write_config_word(d, cap + PCI_MSIX_FLAGS, ctl));
	assert_int_equal(drv.hits, 1);
	assert_int_equal(drv.last_irq, pci_irq_vector(d, 1));
	assert_false(pba_bit(1, 0x2000, 1));

	/* Vector 0 was never requested: its pending bit survives the
	 * Function Mask toggle. */
	notify(1, 0);
	assert_ok(pci_write_config_word(d, cap + PCI_MSIX_FLAGS, ctl | PCI_MSIX_FLAGS_MASKALL));
	assert_ok(pci_write_config_word(d, cap + PCI_MSIX_FLAGS, ctl));
	assert_true(pba_bit(1, 0x2000, 0));
	assert_int_equal(drv.hits, 1);

	/* pci_free_irq_vectors() with a handler still installed: dropped. */
	pci_free_irq_vectors(d);
	assert_errno(EINVAL, pci_irq_vector(d, 0));
}

static void test_bus_master_off(void **state)
{
	struct pci_dev *d = dev_at(1);
	struct drv drv = { 0 };

	assert_int_equal(_alloc(1, 1, 1, PCI_IRQ_MSIX), 1);
	assert_ok(pci_request_irq(d, 0, drv_isr, &drv, "test"));
	/* An MSI is a memory write: no Bus Master Enable, no message
	 * (PCIe r6.2 §7.5.1.1.3), and nothing is left pending. */
	set_master(d, false);
	notify_err(EPERM, 1, 0);
	assert_int_equal(drv.hits, 0);
	assert_false(pba_bit(1, 0x2000, 0));
	assert_int_equal(W.hw->irq.delivered, 0);
	set_master(d, true);
	notify(1, 0);
	assert_int_equal(drv.hits, 1);
	assert_int_equal(W.hw->irq.delivered, 1);
	assert_ok(pci_free_irq(d, 0, &drv));
	pci_free_irq_vectors(d);
}

/* A message address outside 0xFEExxxxx is a plain memory write. */
static void test_msix_memory_write(void **state)
{
	struct pci_dev *d = dev_at(1);
	uint64_t e = bar0(1) + 0x1000;
	uint32_t v = 0;

	assert_int_equal(_alloc(1, 1, 1, PCI_IRQ_MSIX), 1);
	set_master(d, true);
	mmio32_w(e + PCI_MSIX_ENTRY_LOWER_ADDR, 0x4000);
	mmio32_w(e + PCI_MSIX_ENTRY_DATA, 0xabcd1234);
	mmio32_w(e + PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
	notify(1, 0);
	assert_ok(hw_ram_read(W.hw, 0x4000, &v, 4));
	assert_int_equal(v, 0xabcd1234);
	assert_int_equal(W.hw->irq.delivered, 0);
	assert_int_equal(pci_irq_spurious(W.pci), 0);
	pci_free_irq_vectors(d);
}

/* An unrequested vector whose entry software unmasked by hand arrives as
 * spurious; a vector below 16 is refused by the APIC. */
static void test_spurious(void **state)
{
	struct pci_dev *d = dev_at(1);
	uint64_t e = bar0(1) + 0x1000;

	assert_int_equal(_alloc(1, 1, 1, PCI_IRQ_MSIX), 1);
	set_master(d, true);
	mmio32_w(e + PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
	notify(1, 0);
	assert_int_equal(pci_irq_spurious(W.pci), 1);
	mmio32_w(e + PCI_MSIX_ENTRY_DATA, 0x0f);
	notify(1, 0);
	assert_int_equal(W.hw->irq.dropped, 1);
	assert_int_equal(pci_irq_spurious(W.pci), 1);
	/* Another CPU: nobody there. */
	mmio32_w(e + PCI_MSIX_ENTRY_LOWER_ADDR, 0xfee01000);
	mmio32_w(e + PCI_MSIX_ENTRY_DATA, (uint32_t)pci_irq_vector(d, 0));
	notify(1, 0);
	assert_int_equal(pci_irq_spurious(W.pci), 2);
	pci_free_irq_vectors(d);
}

/* ------------------------------------------------------------ MSI */

static void test_msi_multi(void **state)
{
	struct pci_dev *d = dev_at(1);
	uint8_t cap = pci_find_capability(d, PCI_CAP_ID_MSI);
	struct drv drv[8] = { { 0 } };
	unsigned int i;
	int base;

	assert_int_equal(_alloc(1, 1, 32, PCI_IRQ_MSI), 8);
	assert_true(pci_dev_msi_enabled(d));
	base = pci_irq_vector(d, 0);
	/* An aligned block: the function writes the vector number into the
	 * low bits of Message Data (PCIe r6.2 §7.7.1.2). */
	assert_int_equal(base % 8, 0);
	for (i = 0; i < 8; i++)
		assert_int_equal(pci_irq_vector(d, i), base + (int)i);
	assert_int_equal(cfg16(d, cap + PCI_MSI_FLAGS) &
			 (PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE), PCI_MSI_FLAGS_ENABLE | 3 << 4);
	assert_int_equal(cfg32(d, cap + PCI_MSI_ADDRESS_LO), 0xfee00000);
	assert_int_equal(cfg16(d, cap + PCI_MSI_DATA_64), base);
	/* Mask Bits exist for the 8 supported vectors only (§7.7.1.7). */
	assert_int_equal(cfg32(d, cap + PCI_MSI_MASK_64), 0xff);

	set_master(d, true);
	for (i = 0; i < 8; i++)
		assert_ok(pci_request_irq(d, i, drv_isr, &drv[i], "msi"));
	assert_int_equal(cfg32(d, cap + PCI_MSI_MASK_64), 0);
	notify(1, 5);
	notify(1, 0);
	assert_int_equal(drv[5].hits, 1);
	assert_int_equal(drv[5].last_irq, base + 5);
	assert_int_equal(drv[0].hits, 1);
	notify_err(EINVAL, 1, 8);

	/* Per-vector mask: pending bit, delivered on unmask. */
	assert_ok(pci_free_irq(d, 6, &drv[6]));
	notify(1, 6);
	assert_int_equal(drv[6].hits, 0);
	assert_int_equal(cfg32(d, cap + PCI_MSI_PENDING_64), BIT(6));
	assert_ok(pci_request_irq(d, 6, drv_isr, &drv[6], "msi"));
	assert_int_equal(drv[6].hits, 1);
	assert_int_equal(cfg32(d, cap + PCI_MSI_PENDING_64), 0);

	/* MSI-X cannot be added while MSI is on. */
	alloc_err(EINVAL, 1, 1, 1, PCI_IRQ_MSIX);
	for (i = 0; i < 8; i++)
		assert_ok(pci_free_irq(d, i, &drv[i]));
	assert_int_equal(cfg32(d, cap + PCI_MSI_MASK_64), 0xff);
	pci_free_irq_vectors(d);
	assert_int_equal(cfg16(d, cap + PCI_MSI_FLAGS) & PCI_MSI_FLAGS_ENABLE, 0);
	notify_err(ENOTSUP, 1, 0);
}

/* Three vectors take a block of four: Multiple Message Enable 2. */
static void test_msi_no_mask(void **state)
{
	struct pci_dev *d = dev_at(2);
	uint8_t cap = pci_find_capability(d, PCI_CAP_ID_MSI);
	struct drv drv = { 0 };
	int base;

	assert_int_equal(_alloc(2, 3, 3, PCI_IRQ_MSIX | PCI_IRQ_MSI), 3);
	assert_int_equal((cfg16(d, cap + PCI_MSI_FLAGS) & PCI_MSI_FLAGS_QSIZE) >> 4, 2);
	base = pci_irq_vector(d, 0);
	assert_int_equal(base % 4, 0);
	assert_errno(EINVAL, pci_irq_vector(d, 3));
	set_master(d, true);
	assert_ok(pci_request_irq(d, 2, drv_isr, &drv, "msi"));
	notify(2, 2);
	assert_int_equal(drv.last_irq, base + 2);
	/* No masking: an unrequested vector arrives as spurious. */
	notify(2, 1);
	assert_int_equal(pci_irq_spurious(W.pci), 1);
	/* Vector 3 exists in the block of four the function was given. */
	notify(2, 3);
	assert_int_equal(pci_irq_spurious(W.pci), 2);
	notify_err(EINVAL, 2, 4);
	assert_ok(pci_free_irq(d, 2, &drv));
	pci_free_irq_vectors(d);
}

/* ------------------------------------------------------------ errors */

static void test_errors(void **state)
{
	struct pci_dev *d = dev_at(1);
	struct drv drv = { 0 };
	int irq;

	alloc_err(EINVAL, 1, 1, 1, 0);
	alloc_err(EINVAL, 1, 1, 1, PCI_IRQ_MSIX | 0x100);
	alloc_err(ERANGE, 1, 2, 1, PCI_IRQ_MSIX);
	alloc_err(ERANGE, 1, 2, 1, PCI_IRQ_MSI);
	alloc_err(EINVAL, 1, 0, 0, PCI_IRQ_MSIX);
	assert_int_equal(_alloc(2, 0, 1, PCI_IRQ_MSI), 1);
	pci_free_irq_vectors(dev_at(2));
	/* No capability of the kind: -EINVAL; INTx alone: nothing to give. */
	alloc_err(EINVAL, 4, 1, 1, PCI_IRQ_MSIX);
	alloc_err(EINVAL, 4, 1, 1, PCI_IRQ_MSIX | PCI_IRQ_MSI);
	alloc_err(ENOSPC, 4, 1, 1, PCI_IRQ_INTX);
	alloc_err(EINVAL, 2, 1, 1, PCI_IRQ_MSIX);
	/* More than the table / Multiple Message Capable. */
	alloc_err(ENOSPC, 1, 9, 16, PCI_IRQ_MSIX);
	alloc_err(ENOSPC, 1, 9, 16, PCI_IRQ_MSIX | PCI_IRQ_MSI);
	alloc_err(ENOSPC, 2, 5, 8, PCI_IRQ_MSI);
	assert_false(pci_dev_msix_enabled(d));
	assert_false(pci_dev_msi_enabled(d));

	assert_errno(EINVAL, pci_irq_vector(d, 0));
	assert_errno(EINVAL, request_irq(W.pci, PCI_IRQ_VECTOR_FIRST, drv_isr, "x", &drv));
	assert_errno(EINVAL, free_irq(W.pci, PCI_IRQ_VECTOR_FIRST, &drv));
	pci_free_irq_vectors(d);	/* nothing allocated: no-op */

	assert_int_equal(_alloc(1, 1, 1, PCI_IRQ_MSIX), 1);
	alloc_err(EINVAL, 1, 1, 1, PCI_IRQ_MSIX);
	alloc_err(EINVAL, 1, 1, 1, PCI_IRQ_MSI);
	irq = pci_irq_vector(d, 0);
	assert_errno(EINVAL, pci_irq_vector(d, 1));
	assert_errno(EINVAL, request_irq(W.pci, (unsigned int)irq, NULL, "x", &drv));
	assert_errno(EINVAL, request_irq(W.pci, 256, drv_isr, "x", &drv));
	assert_ok(request_irq(W.pci, (unsigned int)irq, drv_isr, "x", &drv));
	assert_errno(EBUSY, request_irq(W.pci, (unsigned int)irq, drv_isr, "x", &drv));
	assert_errno(EINVAL, free_irq(W.pci, (unsigned int)irq, NULL));
	assert_ok(free_irq(W.pci, (unsigned int)irq, &drv));
	assert_errno(EINVAL, free_irq(W.pci, (unsigned int)irq, &drv));
	assert_errno(EINVAL, pci_request_irq(d, 1, drv_isr, &drv, "x"));
	assert_errno(EINVAL, pci_free_irq(d, 1, &drv));
	pci_free_irq_vectors(d);
}

/* The vector space runs out: the 2048-entry table gets what is left. */
static void test_exhaustion(void **state)
{
	unsigned int total = PCI_IRQ_VECTOR_LAST - PCI_IRQ_VECTOR_FIRST + 1;

	assert_int_equal(_alloc(2, 1, 1, PCI_IRQ_MSI), 1);
	assert_int_equal(_alloc(5, 1, 2048, PCI_IRQ_MSIX), (int)total - 1);
	alloc_err(ENOSPC, 1, 1, 8, PCI_IRQ_MSIX);
	alloc_err(ENOSPC, 1, 1, 8, PCI_IRQ_MSI);
	pci_free_irq_vectors(dev_at(2));
	assert_int_equal(_alloc(1, 1, 8, PCI_IRQ_MSIX | PCI_IRQ_MSI), 1);
	pci_free_irq_vectors(dev_at(1));
	pci_free_irq_vectors(dev_at(5));
	assert_int_equal(_alloc(5, total, 2048, PCI_IRQ_MSIX), (int)total);
	/* Left allocated: pci_subsys_destroy() frees it (ASan checks). */
}

/* A failed allocation leaves the function and the subsystem untouched. */
static void test_fault_sweep(void **state)
{
	struct pci_dev *d = dev_at(1);
	uint8_t cap = pci_find_capability(d, PCI_CAP_ID_MSIX);
	unsigned int flags[] = { PCI_IRQ_MSIX, PCI_IRQ_MSI };
	unsigned long n;
	unsigned int k;
	int rc;

	for (k = 0; k < ARRAY_SIZE(flags); k++) {
		for (n = 1;; n++) {
			bool injected;

			fault_inject_nth(n);
			rc = _alloc(1, 1, 8, flags[k]);
			injected = fault_injected();
			fault_inject_nth(0);
			if (!injected) {
				assert_int_equal(rc, 8);
				break;
			}
			assert_int_equal(rc, -ENOMEM);
			assert_false(pci_dev_msix_enabled(d));
			assert_false(pci_dev_msi_enabled(d));
			assert_int_equal(cfg16(d, cap + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_ENABLE, 0);
			assert_true(n < 100);
		}
		pci_free_irq_vectors(d);
	}
}

/* ------------------------------------------------------------ DOE */

static enum irqreturn doe_isr(unsigned int irq, void *dev_id)
{
	struct drv *drv = dev_id;

	drv->hits++;
	drv->last_irq = irq;
	/* Acknowledge: DOE Interrupt Status is RW1C (PCIe r6.2 §7.9.24.5). */
	pci_write_config_dword(drv->doe_dev, drv->doe_cap + PCI_DOE_STATUS,
			       PCI_DOE_STATUS_INT_STATUS);
	return IRQ_HANDLED;
}

static void test_doe_irq(void **state)
{
	struct pci_dev *d = dev_at(6);
	uint16_t cap = pci_find_ext_capability(d, PCI_EXT_CAP_ID_DOE);
	struct drv drv = { .doe_dev = d, .doe_cap = cap };
	struct pci_doe_mb *mb;
	uint32_t req = 0, rsp = 0;
	int nr;

	assert_true(cap);
	assert_int_equal(_alloc(6, 1, 4, PCI_IRQ_MSIX), 4);
	set_master(d, true);
	mb = pci_doe_create_mb(d, cap);
	assert_false(IS_ERR(mb));
	nr = pci_doe_irq_msgnum(mb);
	assert_int_equal(nr, 2);
	assert_ok(pci_request_irq(d, (unsigned int)nr, doe_isr, &drv, "doe"));
	/* Interrupts are off until the driver enables them. */
	assert_int_equal(pci_doe(mb, PCI_DOE_VENDOR_PCISIG, PCI_DOE_TYPE_DISCOVERY, &req, 4,
				 &rsp, 4), 4);
	assert_int_equal(drv.hits, 0);

	assert_ok(pci_doe_enable_irq(mb, true));
	assert_int_equal(cfg32(d, cap + PCI_DOE_CTRL), PCI_DOE_CTRL_INT_EN);
	assert_int_equal(pci_doe(mb, PCI_DOE_VENDOR_PCISIG, PCI_DOE_TYPE_DISCOVERY, &req, 4,
				 &rsp, 4), 4);
	/* One interrupt: Data Object Ready rose; acknowledged by the ISR. */
	assert_int_equal(drv.hits, 1);
	assert_int_equal(drv.last_irq, pci_irq_vector(d, 2));
	assert_int_equal(cfg32(d, cap + PCI_DOE_STATUS), 0);
	/* Interrupt Enable survived the driver's GO write. */
	assert_int_equal(cfg32(d, cap + PCI_DOE_CTRL), PCI_DOE_CTRL_INT_EN);

	/* A bad request: DOE Error rises, another interrupt. */
	req = 0xff;
	assert_true(pci_doe(mb, PCI_DOE_VENDOR_PCISIG, PCI_DOE_TYPE_DISCOVERY, &req, 4,
			    &rsp, 4) < 0);
	assert_int_equal(drv.hits, 2);

	/* Masked by free_irq: the message waits in the PBA. */
	assert_ok(pci_free_irq(d, (unsigned int)nr, &drv));
	req = 0;
	assert_int_equal(pci_doe(mb, PCI_DOE_VENDOR_PCISIG, PCI_DOE_TYPE_DISCOVERY, &req, 4,
				 &rsp, 4), 4);
	assert_int_equal(drv.hits, 2);
	assert_true(pba_bit(6, 0x1000, 2));
	assert_true(cfg32(d, cap + PCI_DOE_STATUS) & PCI_DOE_STATUS_INT_STATUS);
	assert_ok(pci_request_irq(d, (unsigned int)nr, doe_isr, &drv, "doe"));
	assert_int_equal(drv.hits, 3);

	assert_ok(pci_doe_enable_irq(mb, false));
	assert_int_equal(pci_doe(mb, PCI_DOE_VENDOR_PCISIG, PCI_DOE_TYPE_DISCOVERY, &req, 4,
				 &rsp, 4), 4);
	assert_int_equal(drv.hits, 3);
	pci_doe_destroy_mb(mb);
	assert_ok(pci_free_irq(d, (unsigned int)nr, &drv));
	pci_free_irq_vectors(d);
	assert_int_equal(pci_irq_spurious(W.pci), 0);
}

/* A mailbox without DOE Interrupt Support. */
static void test_doe_no_irq(void **state)
{
	struct pci_dev *d = dev_at(6);
	uint16_t cap = pci_find_ext_capability(d, PCI_EXT_CAP_ID_DOE);
	struct pci_doe_mb *mb;

	/* Forge it from the hw side: clear Interrupt Support. */
	hw_pcidev_set32(hw_at(6), cap + PCI_DOE_CAP, 0);
	mb = pci_doe_create_mb(d, cap);
	assert_false(IS_ERR(mb));
	assert_errno(EOPNOTSUPP, pci_doe_irq_msgnum(mb));
	assert_errno(EOPNOTSUPP, pci_doe_enable_irq(mb, true));
	pci_doe_destroy_mb(mb);
}

/* `pcilab lspci -vvv -n -s SLOT` of the world now; malloc'd text. */
static char *lspci_vvv(const char *slot)
{
	static char args[64];
	struct lspci_func *funcs;
	struct lspci_opts o;
	char *argv[8], err[128], *buf = NULL;
	size_t n, len = 0;
	int argc = 0;
	FILE *f;

	snprintf(args, sizeof(args), "lspci -vvv -n -s %s", slot);
	for (char *t = strtok(args, " "); t && argc < 7; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	assert_ok(lspci_parse_args(argc, argv, &o, err, sizeof(err)));
	assert_ok(lspci_snapshot_kernel(W.pci, &funcs, &n));
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_ok(lspci_show(f, funcs, n, &o));
	fclose(f);
	free(funcs);
	return buf;
}

static void assert_has(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("'%s' not in:\n%s", needle, text);
}

/* lspci decodes what the kernel side programmed, as pciutils would. */
static void test_lspci(void **state)
{
	char *out, want[64];

	out = lspci_vvv("00:01.0");
	assert_has(out, "MSI-X: Enable- Count=8 Masked-");
	assert_has(out, "MSI: Enable- Count=1/8 Maskable+ 64bit+");
	free(out);

	assert_int_equal(_alloc(1, 1, 8, PCI_IRQ_MSIX), 8);
	out = lspci_vvv("00:01.0");
	assert_has(out, "MSI-X: Enable+ Count=8 Masked-");
	free(out);
	pci_free_irq_vectors(dev_at(1));

	assert_int_equal(_alloc(1, 1, 2, PCI_IRQ_MSI), 2);
	out = lspci_vvv("00:01.0");
	assert_has(out, "MSI: Enable+ Count=2/8 Maskable+ 64bit+");
	snprintf(want, sizeof(want), "Address: 00000000fee00000  Data: %04x",
		 pci_irq_vector(dev_at(1), 0));
	assert_has(out, want);
	free(out);
	pci_free_irq_vectors(dev_at(1));
}

static void other_handler(void *arg, uint32_t dest, uint8_t vector)
{
}

/* One OS per platform: the subsystem owns the platform's handler from its
 * first allocation until it is destroyed. */
static void test_platform_handler(void **state)
{
	struct pci_subsys *other;

	assert_int_equal(_alloc(1, 1, 1, PCI_IRQ_MSIX), 1);
	assert_errno(EBUSY, hw_platform_set_irq_handler(W.hw, other_handler, NULL));
	pci_free_irq_vectors(dev_at(1));
	/* A second subsystem over the same machine cannot take interrupts. */
	other = pci_subsys_create(W.hw);
	assert_false(IS_ERR(other));
	assert_errno(EBUSY, pci_alloc_irq_vectors(pci_get_domain_bus_and_slot(other, 0, 0,
									   PCI_DEVFN(2, 0)),
						  1, 1, PCI_IRQ_MSI));
	pci_subsys_destroy(other);
	/* Destroying it left ours in place. */
	assert_errno(EBUSY, hw_platform_set_irq_handler(W.hw, other_handler, NULL));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, world_setup, world_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_msix_delivery),
		T(test_msix_function_mask),
		T(test_bus_master_off),
		T(test_msix_memory_write),
		T(test_spurious),
		T(test_msi_multi),
		T(test_msi_no_mask),
		T(test_errors),
		T(test_exhaustion),
		T(test_fault_sweep),
		T(test_doe_irq),
		T(test_doe_no_irq),
		T(test_platform_handler),
		T(test_lspci),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
