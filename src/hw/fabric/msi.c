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

int hw_msi_send(struct hw_pcidev *dev, uint64_t addr, uint32_t data)
{
	struct hw_platform *p;
	uint8_t vector;
	uint16_t rid;
	uint32_t dest;
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
	p = dev->bus->hb->platform;
	dest = (uint32_t)(addr >> HW_MSI_ADDR_DEST_SHIFT) & 0xff;
	vector = (uint8_t)data;
	if (!p->irq.fn || vector < HW_MSI_FIRST_VECTOR) {
		p->irq.dropped++;
		pl_dbg("msi: %s (rid %04x): vector %#x to %u dropped", dev->name, rid,
			 vector, dest);
		return 0;
	}
	p->irq.delivered++;
	p->irq.fn(p->irq.arg, dest, vector);
	return 0;
}
