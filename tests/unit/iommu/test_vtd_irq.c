// SPDX-License-Identifier: MIT
/*
 * VT-d event interrupts on a whole platform: the unit's fault events
 * (VT-d r4.1 §7.3, FECTL/FEDATA/FEADDR/FEUADDR §11.4.7.2-5) enter the root
 * complex's interrupt decode (hw/fabric/msi.h) and reach whoever holds the
 * platform's interrupt handler.
 *
 * First the hardware alone, the test acting as the OS: it programs the
 * unit through its MMIO window and registers its own handler. Then the
 * kernel's VT-d driver, which takes a vector from kernel/pci/msi.c and
 * services faults from its interrupt handler; a dma-test device started
 * through its doorbell makes the faulting DMA.
 */
#include "test.h"

#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "hw/devices/dmatest_regs.h"
#include "hw/fabric/dma.h"
#include "hw/fabric/fabric.h"
#include "hw/fabric/fabric_internal.h"
#include "hw/fabric/msi.h"
#include "hw/iommu/vtd_regs.h"
#include "hw/platform/desc.h"
#include "kernel/iommu/iommu.h"
#include "kernel/iommu/intel/intel_iommu.h"
#include "kernel/pci/msi.h"
#include "kernel/pci/pci.h"

#define FRO		0x400u		/* CAP.FRO * 16 of the model */
#define NR_FR		8u		/* the platform's units keep 8 records */
#define ROOT_TABLE	0x100000ull	/* a zeroed page: no root entry present */
#define DEVFN		PCI_DEVFN(1, 0)
#define RID		0x0008u		/* 00:01.0 */

/* 00:01.0 is a dma-test RCiEP; the platform gets one VT-d unit. */
static const char yaml[] =
	"version: 1\n"
	"name: vtd-irq\n"
	"ram: 64M\n"
	"host-bridges:\n"
	"  - mmio: { base: 0xc0000000, size: 256M }\n"
	"    devices:\n"
	"      - { address: 01.0, kind: endpoint, model: dma-test }\n";

struct world {
	struct hw_desc_platform *desc;
	struct hw_platform *hw;
	uint64_t base;			/* the unit's register window */
	struct pci_subsys *pci;
	struct iommu_subsys *isys;
	/* What reached the test's own platform handler. */
	unsigned int nr_irq;
	uint32_t dest;
	uint8_t vector;
};

static void up(struct world *w)
{
	struct hw_iommu_info info;
	char err[256];

	memset(w, 0, sizeof(*w));
	w->desc = hw_desc_parse_string("vtd-irq", yaml, sizeof(yaml) - 1, err, sizeof(err));
	if (IS_ERR(w->desc))
		fail_msg("parse: %s", err);
	w->hw = hw_platform_create(w->desc, err, sizeof(err));
	if (IS_ERR(w->hw))
		fail_msg("hw_platform_create: %s", err);
	assert_int_equal(hw_platform_nr_iommus(w->hw), 1);
	assert_ok(hw_platform_iommu_info(w->hw, 0, &info));
	w->base = info.base;
}

static void down(struct world *w)
{
	pl_log_set_sink(NULL, NULL);
	if (w->isys && !IS_ERR(w->isys))
		iommu_subsys_destroy(w->isys);
	if (w->pci && !IS_ERR(w->pci))
		pci_subsys_destroy(w->pci);
	hw_platform_destroy(w->hw);
	hw_desc_free(w->desc);
}

static uint32_t rd32(struct world *w, uint32_t off)
{
	uint32_t v = 0;

	assert_ok(hw_mmio_read(w->hw, w->base + off, &v, 4));
	return v;
}

static uint64_t rd64(struct world *w, uint32_t off)
{
	uint64_t v = 0;

	assert_ok(hw_mmio_read(w->hw, w->base + off, &v, 8));
	return v;
}

static void wr32(struct world *w, uint32_t off, uint32_t v)
{
	assert_ok(hw_mmio_write(w->hw, w->base + off, &v, 4));
}

static void wr64(struct world *w, uint32_t off, uint64_t v)
{
	assert_ok(hw_mmio_write(w->hw, w->base + off, &v, 8));
}

/* ------------------------------------------------- hardware, test as OS */

static void os_irq(void *arg, uint32_t dest, uint8_t vector)
{
	struct world *w = arg;

	w->nr_irq++;
	w->dest = dest;
	w->vector = vector;
}

/* Translation on with an empty root table: every DMA from the device
 * faults (root entry not present, reason 0x39). Fault events masked, as
 * at reset. */
static struct hw_pcidev *hw_up(struct world *w)
{
	struct hw_pcidev *dev;

	up(w);
	assert_ok(hw_platform_set_irq_handler(w->hw, os_irq, w));
	wr64(w, VTD_RTADDR_REG, ROOT_TABLE | ((uint64_t)VTD_RTADDR_TTM_SM << VTD_RTADDR_TTM_SHIFT));
	wr32(w, VTD_GCMD_REG, VTD_GCMD_SRTP);
	wr32(w, VTD_GCMD_REG, VTD_GCMD_TE);
	assert_true(rd32(w, VTD_GSTS_REG) & VTD_GSTS_TES);
	assert_int_equal(rd32(w, VTD_FECTL_REG), VTD_xECTL_IM);	/* §11.4.7.2 reset */
	assert_ok(hw_cfg_write(w->hw, 0, 0, DEVFN, PCI_COMMAND, 2, PCI_COMMAND_MASTER));
	dev = hw_platform_cfg_target(w->hw, 0, 0, DEVFN);
	assert_non_null(dev);
	return dev;
}

static void program_fault_msg(struct world *w, uint32_t addr, uint32_t data)
{
	wr32(w, VTD_FEDATA_REG, data);
	wr32(w, VTD_FEADDR_REG, addr);
	wr32(w, VTD_FEUADDR_REG, 0);
}

static void dma_fault(struct hw_pcidev *dev, uint64_t iova)
{
	uint8_t buf[8];

	assert_errno(EFAULT, hw_dma_read(dev, false, 0, iova, buf, sizeof(buf)));
}

/* Clear F of every record (RW1C, §11.4.7.6), then PFO. */
static void clear_faults(struct world *w)
{
	unsigned int i;

	for (i = 0; i < NR_FR; i++)
		wr32(w, FRO + 16 * i + 12, 1u << 31);
	wr32(w, VTD_FSTS_REG, VTD_FSTS_PFO);
}

/* Unmasked: one fault, one message with the programmed vector and
 * destination; IP stays clear. */
static void test_fault_irq_once(void **state)
{
	struct world w;
	struct hw_pcidev *dev = hw_up(&w);

	program_fault_msg(&w, HW_MSI_ADDR_BASE, 0x41);
	wr32(&w, VTD_FECTL_REG, 0);
	assert_int_equal(w.nr_irq, 0);

	dma_fault(dev, 0x5000);
	assert_int_equal(w.nr_irq, 1);
	assert_int_equal(w.vector, 0x41);
	assert_int_equal(w.dest, 0);
	assert_int_equal(rd32(&w, VTD_FECTL_REG), 0);
	assert_true(rd32(&w, VTD_FSTS_REG) & VTD_FSTS_PPF);
	assert_int_equal((rd64(&w, FRO + 8) >> VTD_FRCD_HI_FR_SHIFT) & 0xff,
			 VTD_FR_SRT_NOT_PRESENT);
	assert_int_equal(rd64(&w, FRO + 8) & 0xffff, RID);
	down(&w);
}

/* §7.3: an event is the status going from clear to set. A second fault
 * while PPF is still set is recorded but raises nothing; once software
 * serviced every record the next fault interrupts again. */
static void test_fault_irq_transition_only(void **state)
{
	struct world w;
	struct hw_pcidev *dev = hw_up(&w);

	program_fault_msg(&w, HW_MSI_ADDR_BASE, 0x42);
	wr32(&w, VTD_FECTL_REG, 0);
	dma_fault(dev, 0x5000);
	assert_int_equal(w.nr_irq, 1);
	dma_fault(dev, 0x6000);
	assert_int_equal(w.nr_irq, 1);
	assert_true(rd64(&w, FRO + 16 + 8) & VTD_FRCD_HI_F);	/* recorded all the same */

	clear_faults(&w);
	assert_false(rd32(&w, VTD_FSTS_REG) & VTD_FSTS_PPF);
	dma_fault(dev, 0x7000);
	assert_int_equal(w.nr_irq, 2);
	assert_int_equal(w.vector, 0x42);
	down(&w);
}

/* Overflow is a status of its own: with PPF set, filling every record
 * and faulting once more sets PFO, which raises a second event. */
static void test_fault_irq_overflow(void **state)
{
	struct world w;
	struct hw_pcidev *dev = hw_up(&w);
	unsigned int i;

	program_fault_msg(&w, HW_MSI_ADDR_BASE, 0x43);
	wr32(&w, VTD_FECTL_REG, 0);
	for (i = 0; i < NR_FR; i++)
		dma_fault(dev, 0x10000 + i * 0x1000ull);
	assert_int_equal(w.nr_irq, 1);
	assert_false(rd32(&w, VTD_FSTS_REG) & VTD_FSTS_PFO);
	dma_fault(dev, 0x20000);
	assert_true(rd32(&w, VTD_FSTS_REG) & VTD_FSTS_PFO);
	assert_int_equal(w.nr_irq, 2);
	dma_fault(dev, 0x21000);		/* PFO stays set: nothing new */
	assert_int_equal(w.nr_irq, 2);
	down(&w);
}

/* Masked (IM=1): the event sets IP instead; clearing IM sends it and
 * clears IP (§11.4.7.2). */
static void test_fault_irq_masked_then_unmask(void **state)
{
	struct world w;
	struct hw_pcidev *dev = hw_up(&w);

	program_fault_msg(&w, HW_MSI_ADDR_BASE, 0x44);
	dma_fault(dev, 0x5000);
	assert_int_equal(w.nr_irq, 0);
	assert_int_equal(rd32(&w, VTD_FECTL_REG), VTD_xECTL_IM | VTD_xECTL_IP);

	wr32(&w, VTD_FECTL_REG, 0);
	assert_int_equal(w.nr_irq, 1);
	assert_int_equal(w.vector, 0x44);
	assert_int_equal(rd32(&w, VTD_FECTL_REG), 0);
	/* Unmasking again sends nothing: the event went out. */
	wr32(&w, VTD_FECTL_REG, VTD_xECTL_IM);
	wr32(&w, VTD_FECTL_REG, 0);
	assert_int_equal(w.nr_irq, 1);
	down(&w);
}

/* Masked, and software services the faults before unmasking (it polled):
 * clearing the status clears IP (§11.4.7.2), so unmasking sends nothing. */
static void test_fault_irq_serviced_while_masked(void **state)
{
	struct world w;
	struct hw_pcidev *dev = hw_up(&w);

	program_fault_msg(&w, HW_MSI_ADDR_BASE, 0x45);
	dma_fault(dev, 0x5000);
	assert_true(rd32(&w, VTD_FECTL_REG) & VTD_xECTL_IP);
	clear_faults(&w);
	assert_int_equal(rd32(&w, VTD_FECTL_REG), VTD_xECTL_IM);
	wr32(&w, VTD_FECTL_REG, 0);
	assert_int_equal(w.nr_irq, 0);
	down(&w);
}

/* A message the root complex cannot deliver: an address outside the
 * interrupt range, or a reserved vector. Dropped and counted. */
static void test_fault_irq_undeliverable(void **state)
{
	struct world w;
	struct hw_pcidev *dev = hw_up(&w);

	program_fault_msg(&w, 0x1000, 0x46);
	wr32(&w, VTD_FECTL_REG, 0);
	dma_fault(dev, 0x5000);
	assert_int_equal(w.nr_irq, 0);
	assert_int_equal(w.hw->irq.dropped, 1);

	clear_faults(&w);
	program_fault_msg(&w, HW_MSI_ADDR_BASE, 0x0f);
	dma_fault(dev, 0x6000);
	assert_int_equal(w.nr_irq, 0);
	assert_int_equal(w.hw->irq.dropped, 2);
	assert_errno(EINVAL, hw_platform_msi_deliver(NULL, HW_MSI_ADDR_BASE, 0x40));
	down(&w);
}

/* ------------------------------------------------- the kernel's driver */

static char last_err[512];
static unsigned int nr_errs;

static void sink(enum pl_log_level level, const char *msg, void *arg)
{
	(void)arg;
	if (level != PL_LOG_ERR)
		return;
	nr_errs++;
	snprintf(last_err, sizeof(last_err), "%s", msg);
}

static void kernel_up(struct world *w)
{
	w->pci = pci_subsys_create(w->hw);
	assert_false(IS_ERR(w->pci));
	w->isys = iommu_subsys_create(w->pci, &intel_iommu_ops);
	if (IS_ERR(w->isys))
		fail_msg("iommu_subsys_create: %ld", PTR_ERR(w->isys));
}

/* The kernel starts the dma-test device: a copy from an IOVA nothing maps
 * (the device sits in its default DMA domain). Returns the device's
 * STATUS; *err gets ERROR. */
static uint32_t dmatest_copy(struct world *w, uint64_t src, uint32_t *err)
{
	struct pci_dev *p = pci_get_domain_bus_and_slot(w->pci, 0, 0, DEVFN);
	uint64_t bar;
	uint32_t v;
	uint16_t cmd;

	assert_non_null(p);
	bar = p->resource[DMATEST_BAR].start;
	assert_ok(pci_read_config_word(p, PCI_COMMAND, &cmd));
	assert_ok(pci_write_config_word(p, PCI_COMMAND,
					cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER));
	assert_ok(hw_mmio_write(w->hw, bar + DMATEST_REG_SRC, &src, 8));
	src = 0x8000;	/* dst: unmapped as well, never reached */
	assert_ok(hw_mmio_write(w->hw, bar + DMATEST_REG_DST, &src, 8));
	v = 64;
	assert_ok(hw_mmio_write(w->hw, bar + DMATEST_REG_LEN, &v, 4));
	v = DMATEST_CMD_OP_COPY;
	assert_ok(hw_mmio_write(w->hw, bar + DMATEST_REG_CMD, &v, 4));
	v = 1;
	assert_ok(hw_mmio_write(w->hw, bar + DMATEST_REG_DOORBELL, &v, 4));
	assert_ok(hw_mmio_read(w->hw, bar + DMATEST_REG_ERROR, err, 4));
	assert_ok(hw_mmio_read(w->hw, bar + DMATEST_REG_STATUS, &v, 4));
	return v;
}

/* The driver takes a vector, programs the message and unmasks; the fault
 * of a device's DMA is logged by its interrupt handler, once, and cleared
 * in the hardware at once. A poll afterwards hands out what it kept. */
static void test_driver_fault_irq(void **state)
{
	struct world w;
	struct intel_iommu_fault f[4];
	unsigned int irq;
	uint32_t err = 0;

	up(&w);
	kernel_up(&w);
	irq = intel_iommu_fault_irq(w.isys, 0);
	assert_true(irq >= PCI_IRQ_VECTOR_FIRST && irq <= PCI_IRQ_VECTOR_LAST);
	assert_int_equal(rd32(&w, VTD_FEDATA_REG), irq);
	assert_int_equal(rd32(&w, VTD_FEADDR_REG), HW_MSI_ADDR_BASE);
	assert_int_equal(rd32(&w, VTD_FEUADDR_REG), 0);
	assert_int_equal(rd32(&w, VTD_FECTL_REG), 0);		/* unmasked */
	assert_int_equal(pci_irq_count(w.pci, irq), 0);

	last_err[0] = '\0';
	nr_errs = 0;
	pl_log_set_sink(sink, NULL);
	assert_int_equal(dmatest_copy(&w, 0x7654000, &err), DMATEST_STATUS_ERROR);
	assert_int_equal(err, EFAULT);
	/* Logged from the interrupt, before anyone polled. */
	assert_int_equal(pci_irq_count(w.pci, irq), 1);
	assert_int_equal(nr_errs, 1);
	assert_string_equal(last_err, "DMAR: [DMA Read NO_PASID] Request device [00:01.0] "
			    "fault addr 0x7654000 [fault reason 0x79] "
			    "SM: Second-stage entry not present");
	assert_false(rd32(&w, VTD_FSTS_REG) & VTD_FSTS_PPF);
	assert_false(rd64(&w, FRO + 8) & VTD_FRCD_HI_F);
	assert_int_equal(pci_irq_spurious(w.pci), 0);

	/* Serviced, so the next fault is a new event. */
	assert_int_equal(dmatest_copy(&w, 0x9000, &err), DMATEST_STATUS_ERROR);
	assert_int_equal(pci_irq_count(w.pci, irq), 2);

	assert_int_equal(intel_iommu_fault_poll(w.isys, f, 4), 2);
	assert_int_equal(f[0].sid, RID);
	assert_int_equal(f[0].addr, 0x7654000);
	assert_true(f[0].read);
	assert_int_equal(f[0].reason, VTD_FR_SSS_NOT_PRESENT);
	assert_int_equal(f[1].addr, 0x9000);
	assert_int_equal(intel_iommu_fault_poll(w.isys, f, 4), 0);
	assert_int_equal(nr_errs, 2);

	/* Teardown masks the event again (Linux's irq shutdown). */
	iommu_subsys_destroy(w.isys);
	w.isys = NULL;
	assert_true(rd32(&w, VTD_FECTL_REG) & VTD_xECTL_IM);
	down(&w);
}

/* More faults than the driver keeps between polls: the oldest go, and
 * the poll says so. */
static void test_driver_fault_log_full(void **state)
{
	struct world w;
	unsigned int i;
	uint32_t err;

	up(&w);
	kernel_up(&w);
	pl_log_set_sink(sink, NULL);
	for (i = 0; i < 70; i++)
		assert_int_equal(dmatest_copy(&w, 0x100000 + i * 0x1000ull, &err),
				 DMATEST_STATUS_ERROR);
	assert_int_equal(pci_irq_count(w.pci, intel_iommu_fault_irq(w.isys, 0)), 70);
	assert_int_equal(intel_iommu_fault_poll(w.isys, NULL, 0), 64);
	assert_non_null(strstr(last_err, "6 serviced faults dropped"));
	down(&w);
}

/* Another subsystem holds the platform's interrupt handler: the driver
 * gets no vector, leaves the event masked and faults wait for a poll. */
static void test_driver_polls_without_irq(void **state)
{
	struct world w;
	struct intel_iommu_fault f;
	uint32_t err;

	up(&w);
	assert_ok(hw_platform_set_irq_handler(w.hw, os_irq, &w));
	kernel_up(&w);
	assert_int_equal(intel_iommu_fault_irq(w.isys, 0), 0);
	assert_true(rd32(&w, VTD_FECTL_REG) & VTD_xECTL_IM);

	pl_log_set_sink(sink, NULL);
	nr_errs = 0;
	assert_int_equal(dmatest_copy(&w, 0x7654000, &err), DMATEST_STATUS_ERROR);
	assert_int_equal(w.nr_irq, 0);
	assert_int_equal(nr_errs, 0);
	assert_true(rd32(&w, VTD_FSTS_REG) & VTD_FSTS_PPF);
	assert_true(rd32(&w, VTD_FECTL_REG) & VTD_xECTL_IP);
	assert_int_equal(intel_iommu_fault_poll(w.isys, &f, 1), 1);
	assert_int_equal(f.addr, 0x7654000);
	assert_int_equal(nr_errs, 1);
	assert_false(rd32(&w, VTD_FECTL_REG) & VTD_xECTL_IP);	/* status cleared */
	down(&w);
}

/* ------------------------------------------------- kernel/pci hwirq API */

static unsigned int nr_mask, nr_unmask;

static void fake_mask(void *d)
{
	nr_mask++;
}

static void fake_unmask(void *d)
{
	nr_unmask++;
}

static enum irqreturn fake_isr(unsigned int irq, void *dev_id)
{
	return IRQ_HANDLED;
}

/* A vector for a non-PCI source: masked and unmasked through its chip by
 * request_irq()/free_irq(); freeing hands the same vector out again. */
static void test_hwirq_api(void **state)
{
	static const struct pci_irq_chip chip = { .mask = fake_mask, .unmask = fake_unmask };
	static const struct pci_irq_chip half = { .mask = fake_mask };
	struct world w;
	struct pci_irq_msg msg;
	int irq, again;

	up(&w);
	w.pci = pci_subsys_create(w.hw);
	assert_false(IS_ERR(w.pci));
	nr_mask = nr_unmask = 0;
	assert_int_equal(pci_irq_alloc_hwirq(w.pci, NULL, NULL, &msg), -EINVAL);
	assert_int_equal(pci_irq_alloc_hwirq(w.pci, &half, NULL, &msg), -EINVAL);
	assert_int_equal(pci_irq_alloc_hwirq(w.pci, &chip, NULL, NULL), -EINVAL);
	irq = pci_irq_alloc_hwirq(w.pci, &chip, NULL, &msg);
	assert_int_equal(irq, PCI_IRQ_VECTOR_FIRST);
	assert_int_equal(msg.address_lo, HW_MSI_ADDR_BASE);
	assert_int_equal(msg.address_hi, 0);
	assert_int_equal(msg.data, (uint32_t)irq);
	assert_ok(request_irq(w.pci, (unsigned int)irq, fake_isr, "fake", &w));
	assert_int_equal(nr_unmask, 1);
	assert_int_equal(request_irq(w.pci, (unsigned int)irq, fake_isr, "fake", &w), -EBUSY);
	/* Delivered like any vector. */
	assert_ok(hw_platform_msi_deliver(w.hw, msg.address_lo, msg.data));
	assert_int_equal(pci_irq_count(w.pci, (unsigned int)irq), 1);
	assert_ok(free_irq(w.pci, (unsigned int)irq, &w));
	assert_int_equal(nr_mask, 1);
	/* Freed with a handler still installed: masked, dropped. */
	assert_ok(request_irq(w.pci, (unsigned int)irq, fake_isr, "fake", &w));
	pci_irq_free_hwirq(w.pci, (unsigned int)irq);
	assert_int_equal(nr_mask, 2);
	assert_int_equal(request_irq(w.pci, (unsigned int)irq, fake_isr, "fake", &w), -EINVAL);
	again = pci_irq_alloc_hwirq(w.pci, &chip, NULL, &msg);
	assert_int_equal(again, irq);
	pci_irq_free_hwirq(w.pci, (unsigned int)again);
	pci_irq_free_hwirq(w.pci, 0x99);	/* not allocated: no-op */
	down(&w);
}

/* Another subsystem owns the platform's handler: -EBUSY. */
static void test_hwirq_busy(void **state)
{
	static const struct pci_irq_chip chip = { .mask = fake_mask, .unmask = fake_unmask };
	struct world w;
	struct pci_irq_msg msg;

	up(&w);
	assert_ok(hw_platform_set_irq_handler(w.hw, os_irq, &w));
	w.pci = pci_subsys_create(w.hw);
	assert_false(IS_ERR(w.pci));
	assert_int_equal(pci_irq_alloc_hwirq(w.pci, &chip, NULL, &msg), -EBUSY);
	down(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fault_irq_once),
		cmocka_unit_test(test_fault_irq_transition_only),
		cmocka_unit_test(test_fault_irq_overflow),
		cmocka_unit_test(test_fault_irq_masked_then_unmask),
		cmocka_unit_test(test_fault_irq_serviced_while_masked),
		cmocka_unit_test(test_fault_irq_undeliverable),
		cmocka_unit_test(test_driver_fault_irq),
		cmocka_unit_test(test_driver_fault_log_full),
		cmocka_unit_test(test_driver_polls_without_irq),
		cmocka_unit_test(test_hwirq_api),
		cmocka_unit_test(test_hwirq_busy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
