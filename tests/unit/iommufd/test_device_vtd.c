// SPDX-License-Identifier: MIT
/*
 * iommufd with real devices: a dma-test device behind the platform's VT-d
 * unit, bound with iommufd_device_bind() (what VFIO's cdev will do) and
 * driven through iommufd_ioctl() with the real uAPI structs. The "user
 * memory" is a slice of the platform's RAM (pin_page returns pointers into
 * it), so what IOAS_MAP maps is reachable by the device; a buffer outside
 * RAM shows what happens otherwise.
 */
#include "iommufd_util.h"

#include <stdio.h>

#include "base/log.h"
#include "kernel/kdesc.h"
#include "hw/fabric/dma.h"
#include "hw/fabric/fabric.h"
#include "hw/fabric/fabric_internal.h"
#include "hw/iommu/vtd_regs.h"
#include "kernel/iommu/iommu.h"
#include "kernel/iommu/intel/intel_iommu.h"
#include "kernel/pci/pci.h"

#define RAM		(64ull << 20)
#define SZ_4K		0x1000ull
#define ACS_ISOL	(PCI_ACS_SV | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF)
/* User memory: RAM [USER_PA, USER_PA + USER_SIZE), below the kernel's pool. */
#define USER_PA		(16ull << 20)
#define USER_SIZE	(1ull << 20)
#define IOVA		0x100000ull

struct world {
	struct hw_desc_platform *desc;
	struct hw_platform *hw;
	struct pci_subsys *pci;
	struct iommu_subsys *isys;
	struct iommufd_ctx *ictx;
};

static uint8_t *ubuf;	/* host view of the user memory (in RAM) */
static uint8_t outside[4 * SZ_4K] __attribute__((aligned(4096)));	/* not RAM */

/* ------------------------------------------------------------ world */

static struct hw_desc_platform *desc(void)
{
	struct hw_desc_platform *p = kd_platform();
	struct hw_desc_host_bridge *h;
	unsigned int i;

	p->ram_size = RAM;
	h = kd_host_bridge(p, 0, 0xff, 0xc0000000ull, 0x20000000ull, 0x800000000ull,
			   0x100000000ull, 0x1000, 0xf000);
	for (i = 1; i <= 2; i++) {
		struct hw_desc_func *rp = kd_func(&h->devices, HW_DESC_ROOT_PORT, (uint8_t)i, 0);

		kd_cap(rp, HW_DESC_CAP_ACS)->u.acs.caps = ACS_ISOL;
		kd_func(&rp->children, HW_DESC_ENDPOINT, 0, 0)->model = HW_DESC_MODEL_DMA_TEST;
	}
	return p;
}

static void up(struct world *w)
{
	char err[256];

	w->desc = desc();
	w->hw = hw_platform_create(w->desc, err, sizeof(err));
	if (IS_ERR(w->hw))
		fail_msg("hw_platform_create: %s", err);
	w->pci = pci_subsys_create(w->hw);
	assert_false(IS_ERR(w->pci));
	w->isys = iommu_subsys_create(w->pci, &intel_iommu_ops);
	if (IS_ERR(w->isys))
		fail_msg("iommu_subsys_create: %ld", PTR_ERR(w->isys));
	ubuf = hw_ram_ptr(w->hw, USER_PA, USER_SIZE);
	assert_false(IS_ERR(ubuf));
	w->ictx = iommufd_ctx_create();
	assert_false(IS_ERR(w->ictx));
	iommufd_ctx_acct(w->ictx)->limit_pages = UINT64_MAX;
	/* Pins only in the user memory (RAM) and in outside (not RAM). */
	umem_reset(SZ_4K);
	umem_add_range(ubuf, USER_SIZE);
	umem_add_range(outside, sizeof(outside));
}

static void down(struct world *w)
{
	iommufd_ctx_destroy(w->ictx);
	assert_int_equal(umem.pins, 0);
	iommu_subsys_destroy(w->isys);
	pci_subsys_destroy(w->pci);
	hw_platform_destroy(w->hw);
	kd_free(w->desc);
}

static struct pci_dev *pdev(struct world *w, unsigned int bus)
{
	struct pci_dev *p = pci_get_domain_bus_and_slot(w->pci, 0, bus, PCI_DEVFN(0, 0));

	assert_non_null(p);
	return p;
}

static struct iommu_dev *kdev(struct world *w, unsigned int bus)
{
	struct iommu_dev *d = iommu_dev_from_pci(w->isys, pdev(w, bus));

	assert_non_null(d);
	return d;
}

/* The device's side, Bus Master on along the path. */
static struct hw_pcidev *device(struct world *w, unsigned int bus)
{
	struct pci_dev *p;
	uint16_t cmd;

	for (p = pdev(w, bus); p; p = pci_upstream_bridge(p)) {
		assert_ok(pci_read_config_word(p, PCI_COMMAND, &cmd));
		assert_ok(pci_write_config_word(p, PCI_COMMAND, cmd | PCI_COMMAND_MASTER));
	}
	return hw_platform_cfg_target(w->hw, 0, (uint8_t)bus, 0);
}

static uint64_t reg64(struct world *w, uint64_t off)
{
	struct hw_iommu_info info;
	uint64_t v = 0;

	assert_ok(hw_platform_iommu_info(w->hw, 0, &info));
	assert_ok(hw_mmio_read(w->hw, info.base + off, &v, 8));
	return v;
}

/* ------------------------------------------------------------ helpers */

static int _ioctl(struct world *w, unsigned int cmd, void *arg)
{
	return (int)iommufd_ioctl(w->ictx, cmd, arg, &umem.ops);
}
#define ioctl_ok(w, cmd, arg)		assert_ok(_ioctl(w, cmd, arg))
#define ioctl_err(E, w, cmd, arg)	assert_errno(E, _ioctl(w, cmd, arg))

static struct iommufd_device *bind(struct world *w, unsigned int bus, uint32_t *id)
{
	struct iommufd_device *idev = iommufd_device_bind(w->ictx, w->isys, pdev(w, bus), id);

	assert_false(IS_ERR(idev));
	return idev;
}

static int _ioas_alloc(struct world *w, uint32_t *id)
{
	struct iommu_ioas_alloc c = { .size = sizeof(c) };
	int rc = _ioctl(w, IOMMU_IOAS_ALLOC, &c);

	*id = c.out_ioas_id;
	return rc;
}

static int _map(struct world *w, uint32_t ioas, uint64_t iova, const void *p, uint64_t len)
{
	struct iommu_ioas_map c = {
		.size = sizeof(c), .ioas_id = ioas, .iova = iova, .length = len,
		.user_va = (uintptr_t)p,
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
	};

	return _ioctl(w, IOMMU_IOAS_MAP, &c);
}

static int _unmap(struct world *w, uint32_t ioas, uint64_t iova, uint64_t len)
{
	struct iommu_ioas_unmap c = { .size = sizeof(c), .ioas_id = ioas, .iova = iova,
				      .length = len };

	return _ioctl(w, IOMMU_IOAS_UNMAP, &c);
}

static int _destroy(struct world *w, uint32_t id)
{
	struct iommu_destroy c = { .size = sizeof(c), .id = id };

	return _ioctl(w, IOMMU_DESTROY, &c);
}

static int _hwpt_alloc(struct world *w, uint32_t dev, uint32_t pt, uint32_t flags,
		       uint32_t type, const void *data, uint32_t len, uint32_t *out)
{
	struct iommu_hwpt_alloc c = {
		.size = sizeof(c), .flags = flags, .dev_id = dev, .pt_id = pt,
		.data_type = type, .data_len = len, .data_uptr = (uintptr_t)data,
	};
	int rc = _ioctl(w, IOMMU_HWPT_ALLOC, &c);

	*out = c.out_hwpt_id;
	return rc;
}

static int _inv(struct world *w, uint32_t hwpt, uint32_t type, const void *e,
		uint32_t len, uint32_t *num)
{
	struct iommu_hwpt_invalidate c = {
		.size = sizeof(c), .hwpt_id = hwpt, .data_uptr = (uintptr_t)e,
		.data_type = type, .entry_len = len, .entry_num = *num,
	};
	int rc = _ioctl(w, IOMMU_HWPT_INVALIDATE, &c);

	*num = c.entry_num;
	return rc;
}

static void dma_lands(struct world *w, struct hw_pcidev *dev, uint64_t iova, uint64_t off)
{
	uint8_t buf[16], back[16];

	(void)w;
	memset(buf, (int)(0xa0 + (off & 0xf)), sizeof(buf));
	assert_ok(hw_dma_write(dev, false, 0, iova, buf, sizeof(buf)));
	assert_memory_equal(ubuf + off, buf, sizeof(buf));
	assert_ok(hw_dma_read(dev, false, 0, iova, back, sizeof(back)));
	assert_memory_equal(back, buf, sizeof(buf));
}

/* ------------------------------------------------------------ tests */

static void test_bind_unbind(void **state)
{
	struct world w = { 0 };
	struct iommufd_device *idev;
	struct iommu_group *g;
	uint32_t id;

	(void)state;
	up(&w);
	g = kdev(&w, 1)->group;
	assert_ptr_equal(g->domain, g->default_domain);
	idev = bind(&w, 1, &id);
	assert_true(id >= 1);
	/* The context owns the group, which is blocked until attached. */
	assert_true(iommu_group_dma_owner_claimed(g));
	assert_ptr_equal(g->domain, g->blocking_domain);
	/* The binding driver holds the device object. */
	assert_errno(EBUSY, _destroy(&w, id));
	/* Not a device the IOMMU translates for. */
	assert_err_ptr(EINVAL, iommufd_device_bind(w.ictx, w.isys, NULL, &id));
	iommufd_device_unbind(idev);
	assert_false(iommu_group_dma_owner_claimed(g));
	assert_ptr_equal(g->domain, g->default_domain);
	assert_int_equal(iommufd_ctx_nr_objects(w.ictx), 0);
	down(&w);
}

static void test_bind_conflicts(void **state)
{
	struct world w = { 0 };
	struct iommufd_device *idev;
	struct iommufd_ctx *other;
	struct iommu_domain *kd;
	struct iommu_dev *d2;
	uint32_t id;

	(void)state;
	up(&w);
	d2 = kdev(&w, 2);
	/* A kernel driver uses the default domain: -EPERM (Linux's errno). */
	assert_ok(iommu_device_use_default_domain(d2));
	assert_err_ptr(EPERM, iommufd_device_bind(w.ictx, w.isys, pdev(&w, 2), &id));
	iommu_device_unuse_default_domain(d2);
	/* A kernel user attached its own domain: -EBUSY. */
	kd = iommu_paging_domain_alloc(d2);
	assert_false(IS_ERR(kd));
	assert_ok(iommu_attach_group(kd, d2->group));
	assert_err_ptr(EBUSY, iommufd_device_bind(w.ictx, w.isys, pdev(&w, 2), &id));
	iommu_detach_group(kd, d2->group);
	iommu_domain_free(kd);
	/* Owned by one context: another cannot bind it. */
	idev = bind(&w, 2, &id);
	other = iommufd_ctx_create();
	assert_false(IS_ERR(other));
	assert_err_ptr(EPERM, iommufd_device_bind(other, w.isys, pdev(&w, 2), &id));
	/* ... and the kernel cannot use it either. */
	assert_errno(EBUSY, iommu_device_use_default_domain(d2));
	iommufd_ctx_destroy(other);
	iommufd_device_unbind(idev);
	assert_ok(iommu_device_use_default_domain(d2));
	iommu_device_unuse_default_domain(d2);
	down(&w);
}

static void test_attach_ioas_dma(void **state)
{
	struct world w = { 0 };
	struct iommufd_device *a, *b;
	struct hw_pcidev *dev1, *dev2;
	uint32_t ioas, ida, idb, pt, pt2, hwpt;
	uint8_t x[8];

	(void)state;
	up(&w);
	dev1 = device(&w, 1);
	dev2 = device(&w, 2);
	assert_ok(_ioas_alloc(&w, &ioas));
	/* Mapped before any domain: nothing pinned yet. */
	assert_ok(_map(&w, ioas, IOVA, ubuf, 16 * SZ_4K));
	assert_int_equal(umem.pins, 0);
	a = bind(&w, 1, &ida);
	pt = ioas;
	assert_ok(iommufd_device_attach(a, &pt));
	assert_int_not_equal(pt, ioas);		/* the automatic HWPT */
	assert_int_equal(umem.pins, 16);
	assert_errno(EINVAL, iommufd_device_attach(a, &pt));	/* already attached */
	/* The VT-d second stage now maps IOVA -> the user's pages in RAM. */
	dma_lands(&w, dev1, IOVA + 0x10, 0x10);
	dma_lands(&w, dev1, IOVA + 5 * SZ_4K + 8, 5 * SZ_4K + 8);
	{
		struct iommu_test_cmd c = {
			.size = sizeof(c), .op = IOMMU_TEST_OP_MD_CHECK_MAP, .id = pt,
			.check_map = { .iova = IOVA, .length = 16 * SZ_4K,
				       .uptr = (uintptr_t)ubuf },
		};

		ioctl_ok(&w, IOMMU_TEST_CMD, &c);
	}
	/* A second device joins the same automatic HWPT. */
	b = bind(&w, 2, &idb);
	pt2 = ioas;
	assert_ok(iommufd_device_attach(b, &pt2));
	assert_int_equal(pt2, pt);
	dma_lands(&w, dev2, IOVA + 0x20, 0x20);
	/* Later maps reach the domain at once. */
	assert_ok(_map(&w, ioas, 0x400000, ubuf + 0x80000, SZ_4K));
	dma_lands(&w, dev1, 0x400000, 0x80000);
	/* Memory outside the platform's RAM cannot be mapped for a device. */
	assert_errno(EFAULT, _map(&w, ioas, 0x500000, outside, SZ_4K));
	/* Destroy ordering: everything in use is -EBUSY. */
	assert_errno(EBUSY, _destroy(&w, pt));
	assert_errno(EBUSY, _destroy(&w, ioas));
	assert_errno(EBUSY, _destroy(&w, ida));
	/* Unmapped: the device faults. */
	assert_ok(_unmap(&w, ioas, 0x400000, SZ_4K));
	assert_errno(EFAULT, hw_dma_read(dev1, false, 0, 0x400000, x, sizeof(x)));
	/* Replace onto a user HWPT of the same IOAS, and back. */
	assert_ok(_hwpt_alloc(&w, ida, ioas, 0, IOMMU_HWPT_DATA_NONE, NULL, 0, &hwpt));
	iommufd_device_detach(b);
	pt2 = hwpt;
	assert_ok(iommufd_device_replace(a, &pt2));
	assert_int_equal(pt2, hwpt);
	/* The automatic HWPT died with its last device. */
	assert_errno(ENOENT, _destroy(&w, pt));
	dma_lands(&w, dev1, IOVA + 0x30, 0x30);
	assert_errno(EBUSY, _destroy(&w, hwpt));
	iommufd_device_detach(a);
	assert_errno(EFAULT, hw_dma_read(dev1, false, 0, IOVA, x, sizeof(x)));
	assert_ok(_destroy(&w, hwpt));
	iommufd_device_unbind(a);
	iommufd_device_unbind(b);
	assert_ok(_destroy(&w, ioas));
	assert_int_equal(umem.pins, 0);
	assert_int_equal(iommufd_ctx_nr_objects(w.ictx), 0);
	down(&w);
}

static void test_mock_and_real_do_not_mix(void **state)
{
	struct world w = { 0 };
	struct iommufd_device *a;
	uint32_t ioas, ida, pt;
	struct iommu_test_cmd mock = { .size = sizeof(mock), .op = IOMMU_TEST_OP_MOCK_DOMAIN };

	(void)state;
	up(&w);
	assert_ok(_ioas_alloc(&w, &ioas));
	mock.id = ioas;
	ioctl_ok(&w, IOMMU_TEST_CMD, &mock);
	a = bind(&w, 1, &ida);
	/* The mock's automatic HWPT is not reused: a VT-d one is made. */
	pt = ioas;
	assert_ok(iommufd_device_attach(a, &pt));
	assert_int_not_equal(pt, mock.mock_domain.out_hwpt_id);
	/* Another driver's HWPT: -EINVAL both ways. */
	iommufd_device_detach(a);
	pt = mock.mock_domain.out_hwpt_id;
	assert_errno(EINVAL, iommufd_device_attach(a, &pt));
	iommufd_device_unbind(a);
	assert_ok(_destroy(&w, mock.mock_domain.out_stdev_id));
	down(&w);
}

static void test_hw_info(void **state)
{
	struct world w = { 0 };
	struct iommufd_device *a;
	struct {
		struct iommu_hw_info_vtd vtd;
		uint8_t tail[8];
	} info;
	struct iommu_hw_info c;
	uint32_t id;
	unsigned int i;

	(void)state;
	up(&w);
	a = bind(&w, 1, &id);
	memset(&info, 0xff, sizeof(info));
	c = (struct iommu_hw_info){ .size = sizeof(c), .dev_id = id,
				    .data_len = sizeof(info), .data_uptr = (uintptr_t)&info };
	ioctl_ok(&w, IOMMU_GET_HW_INFO, &c);
	assert_int_equal(c.out_data_type, IOMMU_HW_INFO_TYPE_INTEL_VTD);
	assert_int_equal(c.data_len, sizeof(struct iommu_hw_info_vtd));
	assert_int_equal(c.out_capabilities, 0);	/* no dirty tracking */
	assert_int_equal(info.vtd.flags, 0);
	assert_int_equal(info.vtd.__reserved, 0);
	assert_true(info.vtd.cap_reg == reg64(&w, VTD_CAP_REG));
	assert_true(info.vtd.ecap_reg == reg64(&w, VTD_ECAP_REG));
	for (i = 0; i < sizeof(info.tail); i++)
		assert_int_equal(info.tail[i], 0);	/* larger buffer: zeroed */
	/* A short buffer gets a prefix; the kernel's length comes back. */
	memset(&info, 0xff, sizeof(info));
	c.data_len = 8;
	ioctl_ok(&w, IOMMU_GET_HW_INFO, &c);
	assert_true(info.vtd.flags == 0 && info.vtd.__reserved == 0);
	assert_true(info.vtd.cap_reg == UINT64_MAX);
	assert_int_equal(c.data_len, sizeof(struct iommu_hw_info_vtd));
	/* Unknown device ID. */
	c.dev_id = id + 100;
	ioctl_err(ENOENT, &w, IOMMU_GET_HW_INFO, &c);
	iommufd_device_unbind(a);
	down(&w);
}

/* Guest layout inside the user memory (GPA = offset = IOVA in the IOAS). */
#define S1_PML4		0x1000ull
#define DATA_GPA	0x10000ull
#define S1_IOVA		0x40000000ull
#define FS_TABLE	(VTD_FS_P | VTD_FS_RW | VTD_FS_US)

static void gst(uint64_t gpa, uint64_t v)
{
	memcpy(ubuf + gpa, &v, 8);
}

/* 4-level stage 1 mapping S1_IOVA -> DATA_GPA + page*4K (tables 0x1000..0x4000). */
static void s1_map(uint64_t gpa)
{
	gst(S1_PML4 + 8 * ((S1_IOVA >> 39) & 511), 0x2000 | FS_TABLE);
	gst(0x2000 + 8 * ((S1_IOVA >> 30) & 511), 0x3000 | FS_TABLE);
	gst(0x3000 + 8 * ((S1_IOVA >> 21) & 511), 0x4000 | FS_TABLE);
	gst(0x4000 + 8 * ((S1_IOVA >> 12) & 511), gpa | FS_TABLE);
}

static void test_hwpt_nested(void **state)
{
	struct world w = { 0 };
	struct iommufd_device *a;
	struct hw_pcidev *dev;
	struct iommu_hwpt_vtd_s1 s1 = { .pgtbl_addr = S1_PML4, .addr_width = 48 };
	struct iommu_hwpt_vtd_s1_invalidate inv = { .addr = S1_IOVA, .npages = 1 };
	struct iommu_hwpt_invalidate_selftest st = { 0 };
	uint32_t ioas, id, parent, plain, nested, out, num;
	uint8_t buf[8] = "nested!", back[8];

	(void)state;
	up(&w);
	memset(ubuf, 0, USER_SIZE);
	dev = device(&w, 1);
	a = bind(&w, 1, &id);
	assert_ok(_ioas_alloc(&w, &ioas));
	/* Guest RAM = the whole user memory at IOVA (GPA) 0. */
	assert_ok(_map(&w, ioas, 0, ubuf, USER_SIZE));
	/* Paging HWPTs: no dirty tracking on VT-d here, no user data. */
	assert_errno(EOPNOTSUPP, _hwpt_alloc(&w, id, ioas, IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
					     IOMMU_HWPT_DATA_NONE, NULL, 0, &out));
	assert_errno(EOPNOTSUPP, _hwpt_alloc(&w, id, ioas, 0, IOMMU_HWPT_DATA_VTD_S1,
					     &s1, sizeof(s1), &out));
	assert_ok(_hwpt_alloc(&w, id, ioas, IOMMU_HWPT_ALLOC_NEST_PARENT,
			      IOMMU_HWPT_DATA_NONE, NULL, 0, &parent));
	assert_ok(_hwpt_alloc(&w, id, ioas, 0, IOMMU_HWPT_DATA_NONE, NULL, 0, &plain));
	/* Nested: bad inputs with Linux's errnos. */
	assert_errno(EINVAL, _hwpt_alloc(&w, id, plain, 0, IOMMU_HWPT_DATA_VTD_S1,
					 &s1, sizeof(s1), &out));	/* not a nest parent */
	assert_errno(EOPNOTSUPP, _hwpt_alloc(&w, id, parent, 0, IOMMU_HWPT_DATA_SELFTEST,
					     &s1, sizeof(s1), &out));
	assert_errno(EINVAL, _hwpt_alloc(&w, id, parent, 0, IOMMU_HWPT_DATA_VTD_S1,
					 &s1, 8, &out));		/* too short */
	assert_errno(EINVAL, _hwpt_alloc(&w, id, parent, 0, IOMMU_HWPT_DATA_VTD_S1,
					 &s1, 0, &out));		/* type without data */
	assert_errno(EFAULT, _hwpt_alloc(&w, id, parent, 0, IOMMU_HWPT_DATA_VTD_S1,
					 (void *)(uintptr_t)16, sizeof(s1), &out));
	s1.addr_width = 40;
	assert_errno(EINVAL, _hwpt_alloc(&w, id, parent, 0, IOMMU_HWPT_DATA_VTD_S1,
					 &s1, sizeof(s1), &out));
	s1.addr_width = 48;
	assert_ok(_hwpt_alloc(&w, id, parent, 0, IOMMU_HWPT_DATA_VTD_S1,
			      &s1, sizeof(s1), &nested));
	/* The parent is held by its nested HWPT. */
	assert_errno(EBUSY, _destroy(&w, parent));

	/* DMA through both stages lands in the user's data page. */
	s1_map(DATA_GPA);
	out = nested;
	assert_ok(iommufd_device_attach(a, &out));
	assert_int_equal(out, nested);
	assert_ok(hw_dma_write(dev, false, 0, S1_IOVA + 0x40, buf, sizeof(buf)));
	assert_memory_equal(ubuf + DATA_GPA + 0x40, buf, sizeof(buf));
	/* The guest moves the page; invisible until invalidated. */
	s1_map(DATA_GPA + SZ_4K);
	memset(ubuf + DATA_GPA + SZ_4K + 0x40, 0x5a, sizeof(buf));
	num = 1;
	assert_ok(_inv(&w, nested, IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, &inv, sizeof(inv), &num));
	assert_int_equal(num, 1);
	assert_ok(hw_dma_read(dev, false, 0, S1_IOVA + 0x40, back, sizeof(back)));
	assert_int_equal(back[0], 0x5a);

	/* Invalidation errors: entry_num says how many were handled. */
	num = 1;
	assert_errno(EINVAL, _inv(&w, nested, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, &st,
				  sizeof(st), &num));
	assert_int_equal(num, 0);
	{
		struct iommu_hwpt_vtd_s1_invalidate two[2] = {
			{ .addr = S1_IOVA, .npages = 1 },
			{ .addr = S1_IOVA + 1, .npages = 1 },	/* unaligned */
		};

		num = 2;
		assert_errno(EINVAL, _inv(&w, nested, IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, two,
					  sizeof(two[0]), &num));
		assert_int_equal(num, 1);
		two[1].addr = S1_IOVA;
		two[1].flags = 0x80;
		num = 2;
		assert_errno(EOPNOTSUPP, _inv(&w, nested, IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
					      two, sizeof(two[0]), &num));
		assert_int_equal(num, 1);
	}
	num = 1;
	assert_errno(EINVAL, _inv(&w, nested, IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, &inv, 4, &num));
	assert_int_equal(num, 0);
	num = 1;
	assert_errno(ENOENT, _inv(&w, parent, IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, &inv,
				  sizeof(inv), &num));	/* not nested */
	num = 0;
	assert_ok(_inv(&w, nested, IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, NULL, sizeof(inv), &num));
	{
		/* MD_CHECK_IOTLB is the mock's: -EINVAL on a VT-d HWPT. */
		struct iommu_test_cmd c = { .size = sizeof(c), .op = IOMMU_TEST_OP_MD_CHECK_IOTLB,
					    .id = nested };

		ioctl_err(EINVAL, &w, IOMMU_TEST_CMD, &c);
	}

	/* Replace to the parent: the second stage alone (GPA = IOVA). */
	out = parent;
	assert_ok(iommufd_device_replace(a, &out));
	assert_ok(hw_dma_read(dev, false, 0, DATA_GPA + SZ_4K + 0x40, back, sizeof(back)));
	assert_int_equal(back[0], 0x5a);
	assert_errno(EBUSY, _destroy(&w, parent));
	assert_ok(_destroy(&w, nested));
	assert_errno(EBUSY, _destroy(&w, parent));	/* still attached */
	iommufd_device_detach(a);
	assert_ok(_destroy(&w, parent));
	assert_ok(_destroy(&w, plain));
	iommufd_device_unbind(a);
	assert_ok(_destroy(&w, ioas));
	assert_int_equal(umem.pins, 0);
	down(&w);
}

/* One run of the whole flow; unwinds what succeeded. */
static int sequence(struct world *w, struct hw_pcidev *dev, bool *injected)
{
	struct iommu_hwpt_vtd_s1 s1 = { .pgtbl_addr = S1_PML4, .addr_width = 48 };
	struct iommu_hwpt_vtd_s1_invalidate inv = { .addr = S1_IOVA, .npages = 1 };
	struct iommufd_device *a = NULL;
	uint32_t ioas = 0, id, parent = 0, nested = 0, pt, num = 1;
	bool attached = false;
	uint8_t buf[4] = "fni";
	int rc;

	a = iommufd_device_bind(w->ictx, w->isys, pdev(w, 1), &id);
	if (IS_ERR(a)) {
		rc = (int)PTR_ERR(a);
		a = NULL;
		goto out;
	}
	rc = _ioas_alloc(w, &ioas);
	if (rc)
		goto out;
	rc = _map(w, ioas, 0, ubuf, 64 * SZ_4K);
	if (rc)
		goto out;
	pt = ioas;
	rc = iommufd_device_attach(a, &pt);
	if (rc)
		goto out;
	attached = true;
	rc = hw_dma_write(dev, false, 0, DATA_GPA, buf, sizeof(buf));
	if (rc)
		goto out;
	rc = _hwpt_alloc(w, id, ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, IOMMU_HWPT_DATA_NONE,
			 NULL, 0, &parent);
	if (rc)
		goto out;
	rc = _hwpt_alloc(w, id, parent, 0, IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1), &nested);
	if (rc)
		goto out;
	pt = nested;
	rc = iommufd_device_replace(a, &pt);
	if (rc)
		goto out;
	rc = _inv(w, nested, IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, &inv, sizeof(inv), &num);
	if (rc)
		goto out;
	rc = hw_dma_write(dev, false, 0, S1_IOVA, buf, sizeof(buf));
out:
	*injected = fault_injected();
	fault_inject_nth(0);
	if (attached)
		iommufd_device_detach(a);
	if (nested)
		assert_ok(_destroy(w, nested));
	if (parent)
		assert_ok(_destroy(w, parent));
	if (a)
		iommufd_device_unbind(a);
	if (ioas)
		assert_ok(_destroy(w, ioas));
	return rc;
}

/* Injected flush failures are logged (a retired DID); keep them quiet. */
static void quiet(enum pl_log_level level, const char *msg, void *arg)
{
	(void)level;
	(void)msg;
	(void)arg;
}

static void test_fail_nth(void **state)
{
	struct world w = { 0 };
	struct hw_pcidev *dev;
	struct iommu_group *g;
	uint64_t pages;
	bool done = false, injected;
	unsigned long n;
	int rc;

	(void)state;
	up(&w);
	memset(ubuf, 0, USER_SIZE);
	s1_map(DATA_GPA);
	dev = device(&w, 1);
	g = kdev(&w, 1)->group;
	pages = intel_iommu_pages_in_use(w.isys);
	pl_log_set_sink(quiet, NULL);
	for (n = 1; n < 2000 && !done; n++) {
		fault_inject_nth(n);
		rc = sequence(&w, dev, &injected);
		if (!injected) {
			assert_ok(rc);
			done = true;
		} else if (rc && rc != -ENOMEM && rc != -ENOENT && rc != -EFAULT &&
			   rc != -EINVAL && rc != -ETIMEDOUT && rc != -EIO) {
			fail_msg("fail_nth=%lu: rc %d", n, rc);
		}
		/* Nothing left: no objects, pins or pages; the group is the kernel's. */
		assert_int_equal(iommufd_ctx_nr_objects(w.ictx), 0);
		assert_int_equal(umem.pins, 0);
		assert_false(iommu_group_dma_owner_claimed(g));
		assert_ptr_equal(g->domain, g->default_domain);
		if (intel_iommu_pages_in_use(w.isys) > pages)
			fail_msg("fail_nth=%lu: %llu pages leaked", n,
				 (unsigned long long)(intel_iommu_pages_in_use(w.isys) - pages));
	}
	pl_log_set_sink(NULL, NULL);
	assert_true(done);
	assert_true(n > 10);
	down(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bind_unbind),
		cmocka_unit_test(test_bind_conflicts),
		cmocka_unit_test(test_attach_ioas_dma),
		cmocka_unit_test(test_mock_and_real_do_not_mix),
		cmocka_unit_test(test_hw_info),
		cmocka_unit_test(test_hwpt_nested),
		cmocka_unit_test(test_fail_nth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
