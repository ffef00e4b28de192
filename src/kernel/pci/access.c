// SPDX-License-Identifier: MIT
/*
 * Configuration space access and capability walks. Every access is a
 * configuration request through the fabric (hw/fabric/fabric.h).
 */
#include "base/err.h"
#include "hw/fabric/fabric.h"
#include "kernel/pci/pci_internal.h"

/* Capability lists are bounded to catch loops (Linux PCI_FIND_CAP_TTL). */
#define PCI_FIND_CAP_TTL	48

static bool pci_cfg_args_ok(int where, unsigned int len, unsigned int size)
{
	return where >= 0 && (where & (int)(len - 1)) == 0 &&
	       (unsigned int)where + len <= size;
}

int pci_bus_read_config(const struct pci_bus *bus, unsigned int devfn, int where,
			unsigned int len, uint32_t *val)
{
	unsigned int size = bus->no_ext_cfg ? PCI_CFG_SPACE_SIZE : PCI_CFG_SPACE_EXP_SIZE;
	int rc;

	if (!pci_cfg_args_ok(where, len, size) || devfn > 0xff) {
		*val = len == 4 ? 0xffffffffu : (1u << (len * 8)) - 1;
		return -EINVAL;
	}
	rc = hw_cfg_read(pci_bus_sys(bus)->hw, bus->host->segment, bus->number,
			 (uint8_t)devfn, (uint16_t)where, len, val);
	if (rc < 0)
		*val = len == 4 ? 0xffffffffu : (1u << (len * 8)) - 1;
	return rc;
}

int pci_bus_write_config(const struct pci_bus *bus, unsigned int devfn, int where,
			 unsigned int len, uint32_t val)
{
	unsigned int size = bus->no_ext_cfg ? PCI_CFG_SPACE_SIZE : PCI_CFG_SPACE_EXP_SIZE;

	if (!pci_cfg_args_ok(where, len, size) || devfn > 0xff)
		return -EINVAL;
	return hw_cfg_write(pci_bus_sys(bus)->hw, bus->host->segment, bus->number,
			    (uint8_t)devfn, (uint16_t)where, len, val);
}

static int pci_dev_read(const struct pci_dev *dev, int where, unsigned int len,
			uint32_t *val)
{
	if (!pci_cfg_args_ok(where, len, dev->cfg_size)) {
		*val = len == 4 ? 0xffffffffu : (1u << (len * 8)) - 1;
		return -EINVAL;
	}
	return pci_bus_read_config(dev->bus, dev->devfn, where, len, val);
}

static int pci_dev_write(const struct pci_dev *dev, int where, unsigned int len,
			 uint32_t val)
{
	if (!pci_cfg_args_ok(where, len, dev->cfg_size))
		return -EINVAL;
	return pci_bus_write_config(dev->bus, dev->devfn, where, len, val);
}

int pci_read_config_byte(const struct pci_dev *dev, int where, uint8_t *val)
{
	uint32_t v;
	int rc = pci_dev_read(dev, where, 1, &v);

	*val = (uint8_t)v;
	return rc;
}

int pci_read_config_word(const struct pci_dev *dev, int where, uint16_t *val)
{
	uint32_t v;
	int rc = pci_dev_read(dev, where, 2, &v);

	*val = (uint16_t)v;
	return rc;
}

int pci_read_config_dword(const struct pci_dev *dev, int where, uint32_t *val)
{
	return pci_dev_read(dev, where, 4, val);
}

int pci_write_config_byte(const struct pci_dev *dev, int where, uint8_t val)
{
	return pci_dev_write(dev, where, 1, val);
}

int pci_write_config_word(const struct pci_dev *dev, int where, uint16_t val)
{
	return pci_dev_write(dev, where, 2, val);
}

int pci_write_config_dword(const struct pci_dev *dev, int where, uint32_t val)
{
	return pci_dev_write(dev, where, 4, val);
}

/* Walk the capability list from the pointer at pos (PCI r3.0 §6.7). */
static uint8_t pci_bus_find_cap_start(const struct pci_bus *bus, unsigned int devfn,
				      uint8_t pos, int cap)
{
	int ttl = PCI_FIND_CAP_TTL;
	uint32_t v;

	if (pci_bus_read_config(bus, devfn, pos, 1, &v) < 0)
		return 0;
	pos = (uint8_t)v;
	while (ttl--) {
		uint32_t ent;

		if (pos < 0x40)
			break;
		pos &= ~3;
		if (pci_bus_read_config(bus, devfn, pos, 2, &ent) < 0)
			return 0;
		if ((ent & 0xff) == 0xff)
			break;
		if ((int)(ent & 0xff) == cap)
			return pos;
		pos = (uint8_t)(ent >> 8);
	}
	return 0;
}

uint8_t pci_bus_find_capability(const struct pci_bus *bus, unsigned int devfn, int cap)
{
	uint32_t status;

	if (pci_bus_read_config(bus, devfn, PCI_STATUS, 2, &status) < 0 ||
	    status == 0xffff || !(status & PCI_STATUS_CAP_LIST))
		return 0;
	/* Type 0 and type 1 headers both keep the pointer at 34h; CardBus
	 * (type 2) is not modelled. */
	return pci_bus_find_cap_start(bus, devfn, PCI_CAPABILITY_LIST, cap);
}

uint8_t pci_find_capability(const struct pci_dev *dev, int cap)
{
	return pci_bus_find_capability(dev->bus, dev->devfn, cap);
}

uint8_t pci_find_next_capability(const struct pci_dev *dev, uint8_t pos, int cap)
{
	return pci_bus_find_cap_start(dev->bus, dev->devfn, (uint8_t)(pos + PCI_CAP_LIST_NEXT),
				      cap);
}

/* Extended capabilities start at 100h (PCIe r6.2 §7.6.3). */
uint16_t pci_find_next_ext_capability(const struct pci_dev *dev, uint16_t start, int cap)
{
	/* At least 8 bytes per capability: bounds the walk. */
	int ttl = (PCI_CFG_SPACE_EXP_SIZE - PCI_CFG_SPACE_SIZE) / 8;
	uint16_t pos = PCI_CFG_SPACE_SIZE;
	uint32_t header;

	if (dev->cfg_size <= PCI_CFG_SPACE_SIZE)
		return 0;
	if (start)
		pos = start;
	if (pci_read_config_dword(dev, pos, &header) < 0)
		return 0;
	/* An absent list reads as 0 (or all-ones if something is wrong). */
	if (header == 0 || header == 0xffffffffu)
		return 0;
	while (ttl-- > 0) {
		if ((int)PCI_EXT_CAP_ID(header) == cap && pos != start)
			return pos;
		pos = PCI_EXT_CAP_NEXT(header);
		if (pos < PCI_CFG_SPACE_SIZE)
			break;
		if (pci_read_config_dword(dev, pos, &header) < 0)
			break;
	}
	return 0;
}

uint16_t pci_find_ext_capability(const struct pci_dev *dev, int cap)
{
	return pci_find_next_ext_capability(dev, 0, cap);
}
