// SPDX-License-Identifier: MIT
/*
 * Upstream DMA: route a device's memory request to the root complex,
 * translate it through the DMA remapping unit, and move the bytes (the
 * rules are in dma.h).
 *
 * Hot path: the route (BME checks, Requester ID) is resolved once per
 * call; then the unit translates the transfer a batch at a time
 * (hw_vtd_translate_segs(): every page looked up in the IOTLB, physically
 * contiguous pages merged into one segment) and each segment is one memcpy
 * straight between the caller's buffer and RAM, no bounce buffer. Nothing
 * is cached across calls, so reprogramming a bridge, clearing Bus Master
 * Enable or invalidating the IOTLB takes effect on the very next request.
 */
#include <string.h>

#include "base/compiler.h"
#include "base/err.h"
#include "hw/fabric/dma.h"
#include "hw/fabric/fabric_internal.h"
#include "hw/iommu/vtd.h"
#include "hw/mem.h"
#include "hw/security/ide_link.h"

/* Inlined into each entry point, so the operation is a constant there. */
#define HW_DMA_HOT	static inline __attribute__((always_inline))

/* Where a request from one function goes. */
struct hw_dma_route {
	struct hw_mem *mem;
	struct hw_vtd *vtd;	/* NULL: no remapping for this segment */
	uint16_t rid;		/* as the root complex sees it */
};

static bool hw_dma_bme(const struct hw_pcidev *dev)
{
	return hw_pcidev_get16(dev, PCI_COMMAND) & PCI_COMMAND_MASTER;
}

/* The bridge above bus has a PCI Express capability of type PCIe-to-PCI/
 * PCI-X bridge. */
static bool hw_dma_is_pcie_to_pci(const struct hw_fabric_bus *bus)
{
	uint16_t cap = bus->bridge_exp_cap;

	return cap && ((hw_pcidev_get16(bus->bridge, cap + PCI_EXP_FLAGS) &
			PCI_EXP_FLAGS_TYPE) >> 4) == PCI_EXP_TYPE_PCI_BRIDGE;
}

static int hw_dma_resolve(struct hw_pcidev *dev, struct hw_dma_route *r)
{
	const struct hw_fabric_bus *bus;
	uint16_t rid;

	if (!dev)
		return -EINVAL;
	bus = dev->bus;
	if (!bus)
		return -ENODEV;
	/* Every bus knows its host bridge: take the unit and RAM from there
	 * rather than at the end of the walk up, so that the translation's
	 * loads need not wait for the walk. */
	r->mem = bus->hb->platform->mem;
	r->vtd = bus->hb->vtd;
	/* PCIe r6.2 §7.5.1.1.3: with Bus Master Enable clear a function
	 * issues no memory requests. */
	if (unlikely(!hw_dma_bme(dev)))
		return -EPERM;
	rid = hw_fabric_func_rid(dev);
	for (; bus->bridge; bus = bus->bridge->bus) {
		const struct hw_pcidev *br = bus->bridge;

		/* A bridge forwards upstream only with its own BME set
		 * (PCI-to-PCI Bridge r1.2 §3.2.5.2; PCIe r6.2 §7.5.1.1.3), and
		 * nothing crosses a secondary side held in reset or down. */
		if (unlikely(!hw_dma_bme(br) || hw_fabric_secondary_down(br)))
			return -EIO;
		if (bus->kind != HW_FABRIC_BUS_CONVENTIONAL)
			continue;
		/*
		 * The bridge re-issues the transaction on its primary side as
		 * its own. A PCIe-to-PCI bridge uses its secondary bus number
		 * with device 0, function 0 (PCI Express to PCI/PCI-X Bridge
		 * r1.0 §2.3); a conventional bridge is the initiator with its
		 * own ID.
		 */
		if (hw_dma_is_pcie_to_pci(bus))
			rid = (uint16_t)(hw_fabric_bus_number(bus) << 8);
		else
			rid = hw_fabric_func_rid(br);
	}
	r->rid = rid;
	return 0;
}

int hw_dma_requester_id(struct hw_pcidev *dev, uint16_t *rid)
{
	struct hw_dma_route r;
	int rc;

	if (!rid)
		return -EINVAL;
	rc = hw_dma_resolve(dev, &r);
	if (rc < 0)
		return rc;
	*rid = r.rid;
	return 0;
}

/* PCIe r6.2 §6.20: no PASID prefix unless PASID Enable is set
 * (PASID Control, §7.8.8.3). */
static bool hw_dma_pasid_enabled(const struct hw_pcidev *dev)
{
	uint16_t cap = hw_pcidev_find_ext_cap(dev, PCI_EXT_CAP_ID_PASID);

	return cap && (hw_pcidev_get16(dev, cap + PCI_PASID_CTRL) & PCI_PASID_CTRL_ENABLE);
}

static int hw_dma_begin(struct hw_pcidev *dev, bool has_pasid, uint32_t pasid,
			uint64_t addr, size_t len, struct hw_dma_route *r)
{
	int rc;

	if (len && addr + (len - 1) < addr)
		return -EINVAL;
	if (has_pasid && pasid >> 20)
		return -EINVAL;
	rc = hw_dma_resolve(dev, r);
	if (rc < 0)
		return rc;
	if (has_pasid && !hw_dma_pasid_enabled(dev))
		return -EPERM;
	return 0;
}

/*
 * Translate from addr, for hw_dma_copy(): *host receives the host pointer
 * for addr and the return value how many bytes from there are contiguous
 * in RAM (at most len), or a negative errno.
 */
static inline int64_t hw_dma_xlate(const struct hw_dma_route *r, bool has_pasid,
				   uint32_t pasid, uint64_t addr, size_t len,
				   unsigned int access, uint8_t **host)
{
	struct hw_vtd_seg seg = { .pa = addr, .len = len };
	uint64_t done;
	int rc;

	if (r->vtd) {
		rc = hw_vtd_translate_segs(r->vtd, r->rid, has_pasid, pasid, addr, len,
					   access, &seg, 1, &done);
		if (unlikely(rc < 0))
			return rc;
	}
	/* Not RAM: the root complex completes it with UR. */
	if (unlikely(!hw_mem_valid(r->mem, seg.pa, seg.len)))
		return -EIO;
	*host = r->mem->base + seg.pa;
	return (int64_t)seg.len;
}

enum hw_dma_op { HW_DMA_RD, HW_DMA_WR, HW_DMA_FILL };

/* Move one physically contiguous piece between RAM and the device. */
static inline void hw_dma_move(enum hw_dma_op op, uint8_t *host, uint8_t **dbuf,
			       uint8_t val, size_t n)
{
	switch (op) {
	case HW_DMA_RD:
		memcpy(*dbuf, host, n);
		*dbuf += n;
		break;
	case HW_DMA_WR:
		memcpy(host, *dbuf, n);
		*dbuf += n;
		break;
	case HW_DMA_FILL:
		memset(host, val, n);
		break;
	}
}

/* Segments per batch: 128 KiB over scattered 4 KiB pages in one. */
#define HW_DMA_SEGS	32

/*
 * One request: the unit translates it a batch of segments at a time
 * (hw_vtd_translate_segs()), each segment is moved with one memcpy. A
 * batch ends before a page the IOTLB cannot serve; that page is walked by
 * the next call, after the bytes before it have landed, so a fault leaves
 * exactly the preceding pages transferred, as real TLPs would have.
 */
HW_DMA_HOT int hw_dma_run(const struct hw_dma_route *r, bool has_pasid, uint32_t pasid,
			  uint64_t addr, uint8_t *dbuf, uint8_t val, size_t len,
			  enum hw_dma_op op)
{
	unsigned int access = op == HW_DMA_RD ? HW_VTD_ACC_R : HW_VTD_ACC_W;
	struct hw_vtd_seg seg[HW_DMA_SEGS];
	uint64_t done;
	int n, i;

	if (unlikely(!len))
		return 0;
	if (!r->vtd) {
		if (unlikely(!hw_mem_valid(r->mem, addr, len)))
			return -EIO;
		hw_dma_move(op, r->mem->base + addr, &dbuf, val, len);
		return 0;
	}
	for (;;) {
		n = hw_vtd_translate_segs(r->vtd, r->rid, has_pasid, pasid, addr, len, access,
					  seg, HW_DMA_SEGS, &done);
		if (unlikely(n < 0))
			return n;
		for (i = 0; i < n; i++) {
			/* Not RAM: the root complex completes it with UR. */
			if (unlikely(!hw_mem_valid(r->mem, seg[i].pa, seg[i].len)))
				return -EIO;
			hw_dma_move(op, r->mem->base + seg[i].pa, &dbuf, val, seg[i].len);
		}
		if (done == len)
			return 0;
		addr += done;
		len -= done;
	}
}

/*
 * DMA from a function with an IDE stream (PCIe r6.2 §6.33.4): each TLP
 * crosses the link through the IDE engines (hw/security/ide_link.h). A
 * read is a request upstream and a completion downstream; a write, the
 * request with its data. A TLP discarded by the receiver (§6.33.6)
 * fails the request with -EIO: a lost completion times out, a lost
 * posted write never lands (the model tells the device model so).
 */
static int hw_dma_ide(struct hw_pcidev *dev, const struct hw_dma_route *r, uint8_t sid,
		      bool has_pasid, uint32_t pasid, uint64_t addr, uint8_t *dbuf,
		      uint8_t val, size_t len, enum hw_dma_op op)
{
	uint8_t tlp[HW_IDE_LINK_MPS];
	size_t n;
	int rc;

	for (; len; addr += n, len -= n) {
		n = MIN(len, sizeof(tlp));
		if (op == HW_DMA_RD) {
			if (hw_ide_link_dma_req(dev, sid, false, addr, NULL, n))
				return -EIO;
			rc = hw_dma_run(r, has_pasid, pasid, addr, tlp, 0, n, HW_DMA_RD);
			if (rc < 0)
				return rc;
			if (hw_ide_link_dma_cpl(dev, sid, tlp, n))
				return -EIO;
			memcpy(dbuf, tlp, n);
			dbuf += n;
			continue;
		}
		if (op == HW_DMA_WR) {
			memcpy(tlp, dbuf, n);
			dbuf += n;
		} else {
			memset(tlp, val, n);
		}
		if (hw_ide_link_dma_req(dev, sid, true, addr, tlp, n))
			return -EIO;
		rc = hw_dma_run(r, has_pasid, pasid, addr, tlp, 0, n, HW_DMA_WR);
		if (rc < 0)
			return rc;
	}
	return 0;
}

HW_DMA_HOT int hw_dma_xfer(struct hw_pcidev *dev, bool has_pasid, uint32_t pasid,
			   uint64_t addr, uint8_t *dbuf, uint8_t val, size_t len,
			   enum hw_dma_op op)
{
	struct hw_dma_route r;
	int rc, sid;

	if (!dbuf && len && op != HW_DMA_FILL)
		return -EINVAL;
	rc = hw_dma_begin(dev, has_pasid, pasid, addr, len, &r);
	if (rc < 0)
		return rc;
	sid = hw_ide_link_stream(dev);
	if (unlikely(sid >= 0))
		return hw_dma_ide(dev, &r, (uint8_t)sid, has_pasid, pasid, addr, dbuf, val,
				  len, op);
	return hw_dma_run(&r, has_pasid, pasid, addr, dbuf, val, len, op);
}

int hw_dma_read(struct hw_pcidev *dev, bool has_pasid, uint32_t pasid,
		uint64_t addr, void *buf, size_t len)
{
	return hw_dma_xfer(dev, has_pasid, pasid, addr, buf, 0, len, HW_DMA_RD);
}

int hw_dma_write(struct hw_pcidev *dev, bool has_pasid, uint32_t pasid,
		 uint64_t addr, const void *buf, size_t len)
{
	/* Only read from: hw_dma_move() copies from dbuf for HW_DMA_WR. */
	return hw_dma_xfer(dev, has_pasid, pasid, addr, (uint8_t *)(uintptr_t)buf, 0, len,
			   HW_DMA_WR);
}

int hw_dma_fill(struct hw_pcidev *dev, bool has_pasid, uint32_t pasid,
		uint64_t addr, uint8_t val, size_t len)
{
	return hw_dma_xfer(dev, has_pasid, pasid, addr, NULL, val, len, HW_DMA_FILL);
}

/* hw_dma_copy on an IDE stream: reads then writes through the link, one
 * TLP's worth at a time, backwards when dst overlaps above src (memmove). */
static int hw_dma_copy_ide(struct hw_pcidev *dev, const struct hw_dma_route *r, uint8_t sid,
			   bool has_pasid, uint32_t pasid, uint64_t src, uint64_t dst,
			   size_t len)
{
	bool back = dst > src && dst - src < len;
	uint8_t tmp[HW_IDE_LINK_MPS];
	uint64_t off;
	size_t n;
	int rc;

	while (len) {
		n = MIN(len, sizeof(tmp));
		off = back ? len - n : 0;
		rc = hw_dma_ide(dev, r, sid, has_pasid, pasid, src + off, tmp, 0, n, HW_DMA_RD);
		if (!rc)
			rc = hw_dma_ide(dev, r, sid, has_pasid, pasid, dst + off, tmp, 0, n,
					HW_DMA_WR);
		if (rc < 0)
			return rc;
		if (!back) {
			src += n;
			dst += n;
		}
		len -= n;
	}
	return 0;
}

int hw_dma_copy(struct hw_pcidev *dev, bool has_pasid, uint32_t pasid,
		uint64_t src, uint64_t dst, size_t len)
{
	struct hw_dma_route r;
	uint8_t *s = NULL, *d = NULL;
	int64_t sn = 0, dn = 0, n;
	int rc, sid;

	rc = hw_dma_begin(dev, has_pasid, pasid, src, len, &r);
	if (rc < 0)
		return rc;
	if (len && dst + (len - 1) < dst)
		return -EINVAL;
	sid = hw_ide_link_stream(dev);
	if (unlikely(sid >= 0))
		return hw_dma_copy_ide(dev, &r, (uint8_t)sid, has_pasid, pasid, src, dst, len);
	/* Each side keeps its current translation until it is used up. */
	while (len) {
		if (!sn) {
			sn = hw_dma_xlate(&r, has_pasid, pasid, src, len, HW_VTD_ACC_R, &s);
			if (sn < 0)
				return (int)sn;
		}
		if (!dn) {
			dn = hw_dma_xlate(&r, has_pasid, pasid, dst, len, HW_VTD_ACC_W, &d);
			if (dn < 0)
				return (int)dn;
		}
		n = MIN(sn, dn);
		memmove(d, s, (size_t)n);
		s += n;
		d += n;
		sn -= n;
		dn -= n;
		src += (uint64_t)n;
		dst += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}
