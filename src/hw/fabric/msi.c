// SPDX-License-Identifier: MIT
/* Interrupt messages at the root complex; see msi.h. */
#include "base/err.h"
#include "base/log.h"
#include "hw/fabric/dma.h"
#include "hw/fabric/fabric_internal.h"
#include "hw/fabric/msi.h"

/* Vectors 0-15 are reserved for exceptions: a local APIC refuses them as
 * an illegal vector (Intel SDM Vol. 3A §11.5.3, Send/Receive Illegal
 * Vector). */
#define HW_MSI_FIRST_VECTOR	16

int hw_platform_set_irq_handler(struct hw_platform *p, hw_irq_handler_fn fn, void *arg)
{
	if (!p)
		return -EINVAL;
	if (fn && p->irq.fn)
		return -EBUSY;
	p->irq.fn = fn;
	p->irq.arg = fn ? arg : NULL;
	return 0;
}

/*
 * The root complex's interrupt decode (Intel SDM Vol. 3A §11.11): an x86
 * interrupt message becomes (Destination ID, vector) for the OS handler.
 * who names the source in debug messages.
 */
static void hw_msi_decode(struct hw_platform *p, const char *who, uint64_t addr,
			  uint32_t data)
{
	uint32_t dest = (uint32_t)(addr >> HW_MSI_ADDR_DEST_SHIFT) & 0xff;
	uint8_t vector = (uint8_t)data;

	if (!p->irq.fn || vector < HW_MSI_FIRST_VECTOR) {
		p->irq.dropped++;
		pl_dbg("msi: %s: vector %#x to %u dropped", who, vector, dest);
		return;
	}
	p->irq.delivered++;
	p->irq.fn(p->irq.arg, dest, vector);
}

int hw_msi_send(struct hw_pcidev *dev, uint64_t addr, uint32_t data)
{
	uint16_t rid;
	int rc;

	/* Bus Master Enable and the bridges on the path, exactly as for DMA. */
	rc = hw_dma_requester_id(dev, &rid);
	if (rc < 0)
		return rc;
	if ((addr & ~(uint64_t)0xfffff) != HW_MSI_ADDR_BASE) {
		uint8_t le[4] = { (uint8_t)data, (uint8_t)(data >> 8),
				  (uint8_t)(data >> 16), (uint8_t)(data >> 24) };

		return hw_dma_write(dev, false, 0, addr, le, sizeof(le));
	}
	hw_msi_decode(dev->bus->hb->platform, dev->name, addr, data);
	return 0;
}

int hw_platform_msi_deliver(struct hw_platform *p, uint64_t addr, uint32_t data)
{
	if (!p)
		return -EINVAL;
	/*
	 * A chipset source's message never leaves the root complex: no
	 * requester ID, no Bus Master Enable, no bridge, no DMA remapping.
	 * VT-d r4.1 §11.4.7.4 gives FEADDR (and PEADDR, IEADDR) the
	 * interrupt address format only; the model cannot turn another
	 * address into a memory write, so it drops and counts it.
	 */
	if ((addr & ~(uint64_t)0xfffff) != HW_MSI_ADDR_BASE) {
		p->irq.dropped++;
		pl_dbg("msi: chipset message to %#llx outside the interrupt range dropped",
		       (unsigned long long)addr);
		return 0;
	}
	hw_msi_decode(p, "chipset", addr, data);
	return 0;
}
