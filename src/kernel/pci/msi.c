// SPDX-License-Identifier: MIT
/*
 * MSI and MSI-X for the kernel side (see msi.h). Everything reaches the
 * function through the bus: the MSI capability by config writes, the
 * MSI-X table by MMIO into the BAR that holds it (PCIe r6.2 §7.7.2.3),
 * and interrupts arrive through the handler registered with the platform.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "hw/fabric/fabric.h"
#include "kernel/pci/msi.h"
#include "kernel/pci/pci.h"

#define PCI_IRQ_NR_VECTORS	256
#define PCI_IRQ_DEST_CPU0	0	/* local APIC ID of the only CPU */

/* One CPU vector (= IRQ number). Free when neither dev nor chip owns it. */
struct pci_irq_desc {
	struct pci_dev *dev;		/* owner (MSI/MSI-X of a function) */
	unsigned int index;		/* vector index within dev */
	/* Owner of a vector allocated by pci_irq_alloc_hwirq(): a message
	 * source that is no PCI function, masked through its own registers. */
	const struct pci_irq_chip *chip;
	void *chip_data;
	irq_handler_t handler;		/* NULL: not requested */
	void *dev_id;
	char name[32];
	unsigned long count;
};

/* Vectors enabled on one function. */
struct pci_msi_dev {
	struct list_head node;		/* in pci_irq_domain.devs */
	struct pci_dev *pdev;
	bool msix;
	uint8_t cap;			/* MSI or MSI-X capability offset */
	unsigned int nvec;
	uint8_t *vectors;		/* nvec CPU vectors, by index */
	/* MSI-X: table (CPU physical address) and its size. MSI: register
	 * offsets of Mask Bits (0: no per-vector masking). */
	uint64_t table;
	unsigned int table_size;
	uint16_t mask_reg;
};

/* The subsystem's vector table; owned by pci_subsys.irq. */
struct pci_irq_domain {
	struct pci_subsys *sys;
	struct pci_irq_desc desc[PCI_IRQ_NR_VECTORS];
	struct list_head devs;		/* struct pci_msi_dev */
	unsigned long spurious;
};

static bool pci_irq_desc_used(const struct pci_irq_desc *desc)
{
	return desc->dev || desc->chip;
}

static struct pci_subsys *pci_dev_sys(const struct pci_dev *dev)
{
	return dev->bus->host->sys;
}

static struct pci_msi_dev *pci_msi_find(const struct pci_dev *dev)
{
	struct pci_irq_domain *d = pci_dev_sys(dev)->irq;
	struct pci_msi_dev *md;

	if (!d)
		return NULL;
	list_for_each_entry(md, &d->devs, node)
		if (md->pdev == dev)
			return md;
	return NULL;
}

/* The platform's interrupt handler: the IDT of our one CPU. */
static void pci_irq_dispatch(void *arg, uint32_t dest, uint8_t vector)
{
	struct pci_irq_domain *d = arg;
	struct pci_irq_desc *desc = &d->desc[vector];

	if (dest != PCI_IRQ_DEST_CPU0 || !desc->handler) {
		d->spurious++;
		pl_dbg("irq: no handler for vector %#x on CPU %u", vector, dest);
		return;
	}
	desc->count++;
	desc->handler(vector, desc->dev_id);
}

static int pci_irq_domain_get(struct pci_subsys *sys, struct pci_irq_domain **out)
{
	struct pci_irq_domain *d = sys->irq;
	int rc;

	if (!d) {
		d = pl_zalloc(sizeof(*d));
		if (!d)
			return -ENOMEM;
		d->sys = sys;
		INIT_LIST_HEAD(&d->devs);
		rc = hw_platform_set_irq_handler(sys->hw, pci_irq_dispatch, d);
		if (rc < 0) {
			free(d);
			return rc;
		}
		sys->irq = d;	/* the subsystem owns d */
	}
	*out = d;
	return 0;
}

void pci_irq_domain_free(struct pci_subsys *sys)
{
	struct pci_irq_domain *d = sys->irq;
	struct pci_msi_dev *md, *tmp;

	if (!d)
		return;
	hw_platform_set_irq_handler(sys->hw, NULL, NULL);
	list_for_each_entry_safe(md, tmp, &d->devs, node) {
		list_del(&md->node);
		free(md->vectors);
		free(md);
	}
	free(d);
	sys->irq = NULL;
}

/* ------------------------------------------------------------ vectors */

static unsigned int pci_irq_nr_free(const struct pci_irq_domain *d)
{
	unsigned int v, n = 0;

	for (v = PCI_IRQ_VECTOR_FIRST; v <= PCI_IRQ_VECTOR_LAST; v++)
		n += !pci_irq_desc_used(&d->desc[v]);
	return n;
}

/* First free, naturally aligned block of size (a power of two), or 0. */
static unsigned int pci_irq_find_block(const struct pci_irq_domain *d, unsigned int size)
{
	unsigned int base, v;

	for (base = ALIGN_UP((unsigned int)PCI_IRQ_VECTOR_FIRST, size); base + size - 1 <= PCI_IRQ_VECTOR_LAST;
	     base += size) {
		for (v = base; v < base + size && !pci_irq_desc_used(&d->desc[v]); v++)
			;
		if (v == base + size)
			return base;
	}
	return 0;
}

static void pci_irq_claim(struct pci_irq_domain *d, struct pci_msi_dev *md)
{
	unsigned int i;

	for (i = 0; i < md->nvec; i++) {
		struct pci_irq_desc *desc = &d->desc[md->vectors[i]];

		memset(desc, 0, sizeof(*desc));
		desc->dev = md->pdev;
		desc->index = i;
	}
}

static uint32_t pci_msi_addr_lo(void)
{
	return HW_MSI_ADDR_BASE | (uint32_t)PCI_IRQ_DEST_CPU0 << HW_MSI_ADDR_DEST_SHIFT;
}

/* ------------------------------------------------------------ MSI-X */

static void pci_msix_write(struct pci_msi_dev *md, unsigned int entry, unsigned int reg,
			   uint32_t v)
{
	hw_mmio_write(pci_dev_sys(md->pdev)->hw,
		      md->table + (uint64_t)entry * PCI_MSIX_ENTRY_SIZE + reg, &v, 4);
}

static void pci_msix_ctrl(struct pci_msi_dev *md, uint16_t clear, uint16_t set)
{
	uint16_t ctl;

	pci_read_config_word(md->pdev, md->cap + PCI_MSIX_FLAGS, &ctl);
	pci_write_config_word(md->pdev, md->cap + PCI_MSIX_FLAGS,
			      (uint16_t)((ctl & ~clear) | set));
}

/* Where the table is, from Table Offset/BIR (§7.7.2.3) and the BAR as
 * assigned; -ENOMEM when the BAR cannot be reached (Linux: ioremap
 * failure). */
static int pci_msix_table(struct pci_dev *dev, uint8_t cap, unsigned int size,
			  uint64_t *addr)
{
	const struct pci_resource *r;
	uint32_t tbl;
	unsigned int bir;
	int rc;

	rc = pci_read_config_dword(dev, cap + PCI_MSIX_TABLE, &tbl);
	if (rc < 0)
		return rc;
	bir = tbl & PCI_MSIX_TABLE_BIR;
	if (bir > PCI_STD_RESOURCE_END)
		return -ENOMEM;
	r = &dev->resource[bir];
	if (!(r->flags & IORESOURCE_MEM) || (r->flags & IORESOURCE_UNSET) ||
	    (tbl & PCI_MSIX_TABLE_OFFSET) + (uint64_t)size * PCI_MSIX_ENTRY_SIZE >
		    pci_resource_size(r))
		return -ENOMEM;
	*addr = r->start + (tbl & PCI_MSIX_TABLE_OFFSET);
	return 0;
}

static int pci_msix_enable(struct pci_dev *dev, struct pci_irq_domain *d,
			   unsigned int min, unsigned int max)
{
	struct pci_msi_dev *md;
	unsigned int i, v, nfree, hwsize;
	uint16_t ctl;
	uint8_t cap;
	int rc;

	if (max < min)
		return -ERANGE;
	cap = pci_find_capability(dev, PCI_CAP_ID_MSIX);
	if (!cap)
		return -EINVAL;
	rc = pci_read_config_word(dev, cap + PCI_MSIX_FLAGS, &ctl);
	if (rc < 0)
		return rc;
	hwsize = (ctl & PCI_MSIX_FLAGS_QSIZE) + 1u;
	if (max > hwsize)
		max = hwsize;
	if (max < min)
		return -ENOSPC;
	nfree = pci_irq_nr_free(d);
	if (nfree < min)
		return -ENOSPC;
	if (max > nfree)
		max = nfree;

	md = pl_zalloc(sizeof(*md));
	if (!md)
		return -ENOMEM;
	md->pdev = dev;
	md->msix = true;
	md->cap = cap;
	md->nvec = max;
	md->table_size = hwsize;
	md->vectors = pl_calloc(max, sizeof(*md->vectors));
	if (!md->vectors) {
		rc = -ENOMEM;
		goto err_free_md;
	}
	rc = pci_msix_table(dev, cap, hwsize, &md->table);
	if (rc < 0)
		goto err_free_md;
	for (i = 0, v = PCI_IRQ_VECTOR_FIRST; i < max; v++)
		if (!pci_irq_desc_used(&d->desc[v]))
			md->vectors[i++] = (uint8_t)v;

	/*
	 * Linux's order (msix_capability_init): enable with Function Mask
	 * set, so nothing fires while the table is written; program every
	 * entry masked; then drop Function Mask. Each vector stays masked by
	 * its entry until request_irq().
	 */
	pci_msix_ctrl(md, 0, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	for (i = 0; i < hwsize; i++) {
		pci_msix_write(md, i, PCI_MSIX_ENTRY_VECTOR_CTRL, PCI_MSIX_ENTRY_CTRL_MASKBIT);
		if (i >= md->nvec)
			continue;
		pci_msix_write(md, i, PCI_MSIX_ENTRY_LOWER_ADDR, pci_msi_addr_lo());
		pci_msix_write(md, i, PCI_MSIX_ENTRY_UPPER_ADDR, 0);
		pci_msix_write(md, i, PCI_MSIX_ENTRY_DATA, md->vectors[i]);
	}
	pci_irq_claim(d, md);
	list_add_tail(&md->node, &d->devs);	/* the domain owns md */
	pci_msix_ctrl(md, PCI_MSIX_FLAGS_MASKALL, 0);
	return (int)md->nvec;

err_free_md:
	free(md->vectors);
	free(md);
	return rc;
}

/* ------------------------------------------------------------ MSI */

static int pci_msi_enable(struct pci_dev *dev, struct pci_irq_domain *d,
			  unsigned int min, unsigned int max)
{
	unsigned int nvec, size = 0, base = 0, i, mmc;
	struct pci_msi_dev *md;
	uint16_t ctl, data_reg;
	uint8_t cap;
	int rc;

	if (max < min)
		return -ERANGE;
	cap = pci_find_capability(dev, PCI_CAP_ID_MSI);
	if (!cap)
		return -EINVAL;
	rc = pci_read_config_word(dev, cap + PCI_MSI_FLAGS, &ctl);
	if (rc < 0)
		return rc;
	mmc = 1u << ((ctl & PCI_MSI_FLAGS_QMASK) >> 1);
	if (mmc > 32)
		mmc = 32;
	if (mmc < min)
		return -ENOSPC;
	if (max > mmc)
		max = mmc;
	/* The largest count in [min, max] whose aligned block is free. */
	for (nvec = max; nvec >= min && nvec; nvec--) {
		size = nvec == 1 ? 1 : 1u << (pl_fls64(nvec - 1u) + 1);
		base = pci_irq_find_block(d, size);
		if (base)
			break;
	}
	if (!base || nvec < min)
		return -ENOSPC;

	md = pl_zalloc(sizeof(*md));
	if (!md)
		return -ENOMEM;
	md->pdev = dev;
	md->cap = cap;
	md->nvec = nvec;
	md->vectors = pl_calloc(nvec, sizeof(*md->vectors));
	if (!md->vectors) {
		free(md);
		return -ENOMEM;
	}
	for (i = 0; i < nvec; i++)
		md->vectors[i] = (uint8_t)(base + i);
	if (ctl & PCI_MSI_FLAGS_MASKBIT)
		md->mask_reg = cap + ((ctl & PCI_MSI_FLAGS_64BIT) ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32);
	data_reg = cap + ((ctl & PCI_MSI_FLAGS_64BIT) ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32);

	/* Mask every vector, write the message, then Multiple Message Enable
	 * (log2 of the block, §7.7.1.2) and MSI Enable. */
	if (md->mask_reg)
		pci_write_config_dword(dev, md->mask_reg, 0xffffffffu);
	pci_write_config_dword(dev, cap + PCI_MSI_ADDRESS_LO, pci_msi_addr_lo());
	if (ctl & PCI_MSI_FLAGS_64BIT)
		pci_write_config_dword(dev, cap + PCI_MSI_ADDRESS_HI, 0);
	pci_write_config_word(dev, data_reg, (uint16_t)base);
	ctl &= (uint16_t)~(PCI_MSI_FLAGS_QSIZE | PCI_MSI_FLAGS_ENABLE);
	ctl |= (uint16_t)((pl_ffs64(size) << 4) & PCI_MSI_FLAGS_QSIZE);
	pci_write_config_word(dev, cap + PCI_MSI_FLAGS, ctl);
	pci_irq_claim(d, md);
	list_add_tail(&md->node, &d->devs);	/* the domain owns md */
	pci_write_config_word(dev, cap + PCI_MSI_FLAGS, ctl | PCI_MSI_FLAGS_ENABLE);
	return (int)nvec;
}

/* ------------------------------------------------------------ masking */

static void pci_msi_mask(struct pci_msi_dev *md, unsigned int idx, bool mask)
{
	uint32_t m;

	if (md->msix) {
		pci_msix_write(md, idx, PCI_MSIX_ENTRY_VECTOR_CTRL,
			       mask ? PCI_MSIX_ENTRY_CTRL_MASKBIT : 0);
		return;
	}
	if (!md->mask_reg)
		return;		/* no per-vector masking: always live */
	pci_read_config_dword(md->pdev, md->mask_reg, &m);
	if (mask)
		m |= BIT(idx);
	else
		m &= ~BIT(idx);
	pci_write_config_dword(md->pdev, md->mask_reg, m);
}

/* ------------------------------------------------------------ API */

int pci_alloc_irq_vectors(struct pci_dev *dev, unsigned int min, unsigned int max,
			  unsigned int flags)
{
	struct pci_irq_domain *d;
	int nvecs = -ENOSPC;
	int rc;

	if (!dev || !flags || (flags & ~PCI_IRQ_ALL_TYPES))
		return -EINVAL;
	/* At least one vector: min 0 means 1, and max 0 asks for nothing. */
	if (!max && !min)
		return -EINVAL;
	if (!min)
		min = 1;
	if (pci_msi_find(dev))
		return -EINVAL;		/* MSI or MSI-X already enabled */
	rc = pci_irq_domain_get(pci_dev_sys(dev), &d);
	if (rc < 0)
		return rc;
	if (flags & PCI_IRQ_MSIX) {
		nvecs = pci_msix_enable(dev, d, min, max);
		if (nvecs > 0)
			return nvecs;
	}
	if (flags & PCI_IRQ_MSI) {
		nvecs = pci_msi_enable(dev, d, min, max);
		if (nvecs > 0)
			return nvecs;
	}
	/* PCI_IRQ_INTX: no legacy interrupt routing on this platform. */
	return nvecs;
}

void pci_free_irq_vectors(struct pci_dev *dev)
{
	struct pci_msi_dev *md = pci_msi_find(dev);
	struct pci_irq_domain *d;
	unsigned int i;

	if (!md)
		return;
	d = pci_dev_sys(dev)->irq;
	for (i = 0; i < md->nvec; i++) {
		struct pci_irq_desc *desc = &d->desc[md->vectors[i]];

		if (desc->handler)
			pl_warn("%s: freeing vectors with IRQ %u still requested",
				pci_name(dev), md->vectors[i]);
		pci_msi_mask(md, i, true);
		memset(desc, 0, sizeof(*desc));
	}
	if (md->msix) {
		pci_msix_ctrl(md, PCI_MSIX_FLAGS_ENABLE, PCI_MSIX_FLAGS_MASKALL);
		pci_msix_ctrl(md, PCI_MSIX_FLAGS_MASKALL, 0);
	} else {
		uint16_t ctl;

		pci_read_config_word(dev, md->cap + PCI_MSI_FLAGS, &ctl);
		pci_write_config_word(dev, md->cap + PCI_MSI_FLAGS,
				      ctl & (uint16_t)~PCI_MSI_FLAGS_ENABLE);
	}
	list_del(&md->node);
	free(md->vectors);
	free(md);
}

int pci_irq_vector(struct pci_dev *dev, unsigned int nr)
{
	struct pci_msi_dev *md = pci_msi_find(dev);

	if (!md || nr >= md->nvec)
		return -EINVAL;
	return md->vectors[nr];
}

int pci_dev_msix_enabled(const struct pci_dev *dev)
{
	const struct pci_msi_dev *md = pci_msi_find(dev);

	return md && md->msix;
}

int pci_dev_msi_enabled(const struct pci_dev *dev)
{
	const struct pci_msi_dev *md = pci_msi_find(dev);

	return md && !md->msix;
}

/* Mask or unmask a vector where its message is generated. */
static void pci_irq_mask(struct pci_irq_desc *desc, bool mask)
{
	if (desc->chip) {
		if (mask)
			desc->chip->mask(desc->chip_data);
		else
			desc->chip->unmask(desc->chip_data);
		return;
	}
	pci_msi_mask(pci_msi_find(desc->dev), desc->index, mask);
}

static struct pci_irq_desc *pci_irq_desc(const struct pci_subsys *sys, unsigned int irq)
{
	if (!sys || !sys->irq || irq >= PCI_IRQ_NR_VECTORS ||
	    !pci_irq_desc_used(&sys->irq->desc[irq]))
		return NULL;
	return &sys->irq->desc[irq];
}

int request_irq(struct pci_subsys *sys, unsigned int irq, irq_handler_t handler,
		const char *name, void *dev_id)
{
	struct pci_irq_desc *desc = pci_irq_desc(sys, irq);

	if (!desc || !handler)
		return -EINVAL;
	if (desc->handler)
		return -EBUSY;
	desc->handler = handler;
	desc->dev_id = dev_id;
	snprintf(desc->name, sizeof(desc->name), "%s", name ? name : "");
	/* Unmask last: a message pending in the function arrives now. */
	pci_irq_mask(desc, false);
	return 0;
}

int free_irq(struct pci_subsys *sys, unsigned int irq, void *dev_id)
{
	struct pci_irq_desc *desc = pci_irq_desc(sys, irq);

	if (!desc || !desc->handler || desc->dev_id != dev_id)
		return -EINVAL;
	pci_irq_mask(desc, true);
	desc->handler = NULL;
	desc->dev_id = NULL;
	desc->name[0] = '\0';
	return 0;
}

int pci_request_irq(struct pci_dev *dev, unsigned int nr, irq_handler_t handler,
		    void *dev_id, const char *name)
{
	int irq = pci_irq_vector(dev, nr);

	if (irq < 0)
		return irq;
	return request_irq(pci_dev_sys(dev), (unsigned int)irq, handler, name, dev_id);
}

int pci_free_irq(struct pci_dev *dev, unsigned int nr, void *dev_id)
{
	int irq = pci_irq_vector(dev, nr);

	if (irq < 0)
		return irq;
	return free_irq(pci_dev_sys(dev), (unsigned int)irq, dev_id);
}

unsigned long pci_irq_count(const struct pci_subsys *sys, unsigned int irq)
{
	const struct pci_irq_desc *desc = pci_irq_desc(sys, irq);

	return desc ? desc->count : 0;
}

unsigned long pci_irq_spurious(const struct pci_subsys *sys)
{
	return sys && sys->irq ? sys->irq->spurious : 0;
}

/* ------------------------------------------------------------ hwirq */

int pci_irq_alloc_hwirq(struct pci_subsys *sys, const struct pci_irq_chip *chip,
			void *chip_data, struct pci_irq_msg *msg)
{
	struct pci_irq_domain *d;
	unsigned int v;
	int rc;

	if (!sys || !chip || !chip->mask || !chip->unmask || !msg)
		return -EINVAL;
	rc = pci_irq_domain_get(sys, &d);
	if (rc < 0)
		return rc;
	for (v = PCI_IRQ_VECTOR_FIRST; v <= PCI_IRQ_VECTOR_LAST; v++)
		if (!pci_irq_desc_used(&d->desc[v]))
			break;
	if (v > PCI_IRQ_VECTOR_LAST)
		return -ENOSPC;
	memset(&d->desc[v], 0, sizeof(d->desc[v]));
	d->desc[v].chip = chip;
	d->desc[v].chip_data = chip_data;
	/* The same x86 message a function gets: fixed delivery to CPU 0. */
	msg->address_lo = pci_msi_addr_lo();
	msg->address_hi = 0;
	msg->data = v;
	return (int)v;
}

void pci_irq_free_hwirq(struct pci_subsys *sys, unsigned int irq)
{
	struct pci_irq_desc *desc = pci_irq_desc(sys, irq);

	if (!desc || !desc->chip)
		return;
	if (desc->handler) {
		pl_warn("irq: freeing IRQ %u still requested by %s", irq, desc->name);
		desc->chip->mask(desc->chip_data);
	}
	memset(desc, 0, sizeof(*desc));
}
