/* SPDX-License-Identifier: MIT */
/*
 * Register interface of the pcilab DMA test device (hw/devices/dmatest.c),
 * BAR0, 4 KiB of 32-bit non-prefetchable memory space. This is the
 * device's "datasheet", shared by the model, tests and drivers.
 *
 * Accesses of 1, 2, 4 or 8 bytes, naturally aligned; 64-bit registers may
 * be accessed as two dwords. Unimplemented offsets read 0, writes there
 * are ignored. Registers are reset by any reset of the function.
 *
 * Programming: write SRC, DST, LEN, PASID and CMD, then any value to
 * DOORBELL. The command runs to completion before the doorbell write
 * returns: STATUS.DONE (success) or STATUS.ERROR with ERROR = the errno
 * of the failed DMA (EFAULT: IOMMU fault, EPERM: Bus Master or PASID not
 * enabled, EIO: a bridge dropped it or the address is not memory).
 * Software clears STATUS bits by writing 1 (RW1C).
 */
#ifndef PCILAB_HW_DEVICES_DMATEST_REGS_H
#define PCILAB_HW_DEVICES_DMATEST_REGS_H

#define DMATEST_BAR			0
#define DMATEST_BAR_SIZE		0x1000u

#define DMATEST_REG_ID			0x00	/* RO: DMATEST_ID */
#define DMATEST_REG_CAP			0x04	/* RO */
#define  DMATEST_CAP_PASID		0x1u	/* function has a PASID capability */
#define DMATEST_REG_SRC			0x08	/* RW, 64-bit: source address (IOVA) */
#define DMATEST_REG_DST			0x10	/* RW, 64-bit: destination address */
#define DMATEST_REG_LEN			0x18	/* RW: bytes */
#define DMATEST_REG_PASID		0x1c	/* RW */
#define  DMATEST_PASID_VALID		0x80000000u	/* requests carry a PASID */
#define  DMATEST_PASID_MASK		0x000fffffu
#define DMATEST_REG_CMD			0x20	/* RW */
#define  DMATEST_CMD_OP_MASK		0x000000ffu
#define  DMATEST_CMD_OP_COPY		0x0u	/* DST <- SRC, LEN bytes */
#define  DMATEST_CMD_OP_FILL		0x1u	/* DST <- LEN bytes of FILL */
#define  DMATEST_CMD_FILL_SHIFT		8	/* 15:8 fill byte */
#define  DMATEST_CMD_FILL_MASK		0x0000ff00u
#define DMATEST_REG_STATUS		0x24	/* RW1C */
#define  DMATEST_STATUS_DONE		0x1u
#define  DMATEST_STATUS_ERROR		0x2u
#define DMATEST_REG_ERROR		0x28	/* RO: errno of the last failure */
#define DMATEST_REG_DOORBELL		0x2c	/* WO: start CMD; reads 0 */
#define DMATEST_REG_COUNT		0x30	/* RO: commands completed */
#define DMATEST_REGS_END		0x34

#define DMATEST_ID			0x54414d44u	/* "DMAT" */

#endif /* PCILAB_HW_DEVICES_DMATEST_REGS_H */
