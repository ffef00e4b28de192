/* SPDX-License-Identifier: MIT */
/*
 * Kernel-side MSI and MSI-X (PCIe r6.2 §6.1.4, §7.7.1, §7.7.2) with the
 * driver API of Linux's drivers/pci/msi/api.c and kernel/irq, on a machine
 * with one CPU (local APIC ID 0) and no interrupt remapping.
 *
 * pci_alloc_irq_vectors() allocates CPU vectors and programs the function:
 * MSI-X through its table in the BAR (MMIO), MSI through its capability
 * (config writes), each message in x86 format: address 0xFEE00000 |
 * APIC ID << 12, data = vector (edge, fixed delivery). Every vector starts
 * masked (MSI-X entry Mask bit; MSI per-vector Mask bit when the function
 * has them); request_irq() installs a handler and unmasks, free_irq()
 * masks again, as Linux's irq startup/shutdown do. Drivers still need Bus
 * Master Enable set in the Command register (Linux's pci_set_master()),
 * since a message is a memory write.
 *
 * The subsystem registers one interrupt handler with the platform
 * (hw_platform_set_irq_handler(), the IDT) the first time vectors are
 * allocated; it dispatches each (destination, vector) to the handler
 * requested for that vector. A vector with no handler counts as spurious.
 *
 * IRQ numbers: the namespace belongs to the pci_subsys (there is no global
 * irq_desc table); an IRQ number is the CPU vector it uses. Device vectors
 * come from PCI_IRQ_VECTOR_FIRST..PCI_IRQ_VECTOR_LAST. MSI with more than
 * one vector takes a naturally aligned block of a power-of-two size, since
 * the function writes the vector index into the low bits of Message Data
 * (§7.7.1.2). (Linux x86 grants multiple MSI only with interrupt
 * remapping; this platform allows it without.)
 *
 * Not thread-safe: the platform runs on one event loop. Handlers run
 * synchronously from the hardware event that raised the interrupt.
 */
#ifndef PCILAB_KERNEL_PCI_MSI_H
#define PCILAB_KERNEL_PCI_MSI_H

#include <stdint.h>

#include "base/compiler.h"

struct pci_dev;
struct pci_subsys;

/* pci_alloc_irq_vectors() flags, with Linux's values (include/linux/pci.h). */
#define PCI_IRQ_INTX		BIT(0)	/* accepted; INTx is not modelled */
#define PCI_IRQ_MSI		BIT(1)
#define PCI_IRQ_MSIX		BIT(2)
#define PCI_IRQ_ALL_TYPES	(PCI_IRQ_INTX | PCI_IRQ_MSI | PCI_IRQ_MSIX)

/* Vectors handed to devices: above the exceptions and below the range
 * x86 keeps for system vectors. */
#define PCI_IRQ_VECTOR_FIRST	0x20
#define PCI_IRQ_VECTOR_LAST	0xeb

enum irqreturn {
	IRQ_NONE = 0,		/* not ours */
	IRQ_HANDLED = 1,
};
typedef enum irqreturn (*irq_handler_t)(unsigned int irq, void *dev_id);

/*
 * Enable MSI-X (PCI_IRQ_MSIX), else MSI (PCI_IRQ_MSI), with between min
 * (0 counts as 1) and max vectors; returns the number of vectors (>= 1) or:
 *   -EINVAL  flags empty or unknown bits; min = max = 0; a mechanism
 *            already enabled on dev; no capability of the kind asked for
 *            (last tried);
 *   -ERANGE  max < min;
 *   -ENOSPC  the function or the vector space cannot provide min;
 *   -ENOMEM  allocation, or the MSI-X table BAR is not assigned;
 *   -EBUSY   another subsystem owns the platform's interrupt handler.
 * As in Linux the result of the last mechanism tried is returned. On
 * failure nothing was changed.
 */
int pci_alloc_irq_vectors(struct pci_dev *dev, unsigned int min, unsigned int max,
			  unsigned int flags);
/* Mask and disable, drop any handlers still requested, free the vectors.
 * Nothing allocated: no-op. */
void pci_free_irq_vectors(struct pci_dev *dev);
/* IRQ number of the nr-th vector, or -EINVAL. */
int pci_irq_vector(struct pci_dev *dev, unsigned int nr);
/* 1 if dev has MSI-X (resp. MSI) enabled by us. */
int pci_dev_msix_enabled(const struct pci_dev *dev);
int pci_dev_msi_enabled(const struct pci_dev *dev);

/*
 * Install handler for irq and unmask it. -EINVAL: irq not allocated,
 * handler NULL; -EBUSY: a handler is already installed (no sharing).
 * A message held pending while masked is delivered before this returns.
 */
int request_irq(struct pci_subsys *sys, unsigned int irq, irq_handler_t handler,
		const char *name, void *dev_id);
/* Mask irq and remove its handler; -EINVAL if dev_id did not request it. */
int free_irq(struct pci_subsys *sys, unsigned int irq, void *dev_id);
/* The same for the nr-th vector of dev (Linux pci_request_irq/pci_free_irq). */
int pci_request_irq(struct pci_dev *dev, unsigned int nr, irq_handler_t handler,
		    void *dev_id, const char *name);
int pci_free_irq(struct pci_dev *dev, unsigned int nr, void *dev_id);

/*
 * Vectors for message sources that are not PCI functions (Linux's
 * dmar_alloc_hwirq() and its irq_chip): a VT-d unit's fault event
 * registers, say. The subsystem only hands out the vector and says what
 * message to program (struct pci_irq_msg, x86 format as for MSI); the
 * caller writes it into its own registers. request_irq() and free_irq()
 * then work on the IRQ as on any other, unmasking and masking it through
 * chip (called with chip_data), which must stay valid until
 * pci_irq_free_hwirq().
 */
struct pci_irq_msg {
	uint32_t address_lo, address_hi, data;
};

struct pci_irq_chip {
	void (*mask)(void *chip_data);
	void (*unmask)(void *chip_data);
};

/* The IRQ number (>= PCI_IRQ_VECTOR_FIRST), or -EINVAL (an argument NULL),
 * -ENOSPC (no free vector), -ENOMEM, -EBUSY (another subsystem owns the
 * platform's interrupt handler). The vector starts masked: the caller's
 * registers are expected to reset masked. */
int pci_irq_alloc_hwirq(struct pci_subsys *sys, const struct pci_irq_chip *chip,
			void *chip_data, struct pci_irq_msg *msg);
/* Give the vector back; a handler still requested is dropped with a
 * warning (after masking). Not such an IRQ: no-op. */
void pci_irq_free_hwirq(struct pci_subsys *sys, unsigned int irq);

/* Interrupts handled on irq (/proc/interrupts), and those that arrived on a
 * vector with no handler or for another CPU. */
unsigned long pci_irq_count(const struct pci_subsys *sys, unsigned int irq);
unsigned long pci_irq_spurious(const struct pci_subsys *sys);

/* Internal: pci_subsys_free() releases the subsystem's interrupt state. */
void pci_irq_domain_free(struct pci_subsys *sys);

#endif /* PCILAB_KERNEL_PCI_MSI_H */
