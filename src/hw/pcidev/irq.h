/* SPDX-License-Identifier: MIT */
/*
 * hw/pcidev/irq: how a function signals an interrupt (PCIe r6.2 §6.1.4).
 *
 * A device model or capability (DOE, DPC, ...) calls hw_pcidev_notify()
 * with the number of the vector it uses for an event. The function sends
 * it with the mechanism software enabled:
 *   - MSI-X (§7.7.2, §6.1.4.2-§6.1.4.5) when MSI-X Enable is set: the
 *     table entry's address and data. While the entry's Mask bit or the
 *     Function Mask is set the message is not sent and the vector's
 *     Pending Bit is set instead; clearing the mask sends it then
 *     (cap_msix.c).
 *   - MSI (§7.7.1) when MSI Enable is set: Message Address and Data, the
 *     low log2(allocated) bits of Data replaced by the vector number
 *     (Multiple Message Enable, §7.7.1.2). With Per-Vector Masking a masked
 *     vector sets its Pending Bit and is sent on unmask (cap_msi.c).
 *   - INTx is not modelled: with neither enabled nothing is sent.
 * The message itself goes upstream as a memory write (hw/fabric/msi.h),
 * so it needs Bus Master Enable.
 */
#ifndef PCILAB_HW_PCIDEV_IRQ_H
#define PCILAB_HW_PCIDEV_IRQ_H

#include <stdint.h>

struct hw_pcidev;

/*
 * 0: sent, or held pending by a mask. -ENOTSUP: neither MSI-X nor MSI is
 * enabled. -EINVAL: vector beyond the MSI-X table or the MSI vectors
 * software allocated. -EPERM/-EIO/-ENODEV: the memory write could not
 * leave (hw_msi_send()); nothing is pending then.
 */
int hw_pcidev_notify(struct hw_pcidev *dev, unsigned int vector);

/* Per-mechanism halves, in cap_msix.c and cap_msi.c. */
int hw_cap_msix_signal(struct hw_pcidev *dev, unsigned int vector);
int hw_cap_msi_signal(struct hw_pcidev *dev, unsigned int vector);

#endif /* PCILAB_HW_PCIDEV_IRQ_H */
