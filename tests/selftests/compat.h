/* SPDX-License-Identifier: MIT */
/*
 * Force-included (-include) when building the kernel's iommufd selftests
 * (scripts/selftests.sh). Debian's linux-source-6.12 ships selftests that
 * already use a few uAPI names its own 6.12 headers lack; this supplies
 * them with the values of later upstream uAPI, without touching the
 * selftest sources or the unpacked headers:
 *  - IOMMU_HW_INFO_TYPE_DEFAULT (0) and IOMMU_HW_INFO_FLAG_INPUT_TYPE
 *    (bit 0 of iommu_hw_info.flags);
 *  - struct iommu_hw_info with in_data_type: later uAPI makes the 6.12
 *    out_data_type word a union of in_data_type (input, when
 *    IOMMU_HW_INFO_FLAG_INPUT_TYPE is set) and out_data_type. The 6.12
 *    header is read with its struct renamed, then the later layout is
 *    declared; the sizes and offsets are checked to be identical, so
 *    the ABI is unchanged;
 *  - the selftest mock's MOCK_PASID_WIDTH (20) and MOCK_FLAGS_DEVICE_PASID
 *    (bit 2 of the mock device flags).
 */
#ifndef PCILAB_SELFTEST_COMPAT_H
#define PCILAB_SELFTEST_COMPAT_H

#include <stddef.h>
#include <linux/types.h>

#define iommu_hw_info pcilab_iommu_hw_info_6_12
#include <linux/iommufd.h>
#undef iommu_hw_info

#ifndef IOMMU_HW_INFO_TYPE_DEFAULT
#define IOMMU_HW_INFO_TYPE_DEFAULT 0
#endif
#ifndef IOMMU_HW_INFO_FLAG_INPUT_TYPE
#define IOMMU_HW_INFO_FLAG_INPUT_TYPE (1 << 0)
#endif

struct iommu_hw_info {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 data_len;
	__aligned_u64 data_uptr;
	union {
		__u32 in_data_type;
		__u32 out_data_type;
	};
	__u8 out_max_pasid_log2;
	__u8 __reserved[3];
	__aligned_u64 out_capabilities;
};

_Static_assert(sizeof(struct iommu_hw_info) ==
	       sizeof(struct pcilab_iommu_hw_info_6_12), "iommu_hw_info size");
_Static_assert(offsetof(struct iommu_hw_info, in_data_type) ==
	       offsetof(struct pcilab_iommu_hw_info_6_12, out_data_type),
	       "in_data_type shares out_data_type's word");
_Static_assert(offsetof(struct iommu_hw_info, out_capabilities) ==
	       offsetof(struct pcilab_iommu_hw_info_6_12, out_capabilities),
	       "iommu_hw_info out_capabilities");

#ifndef MOCK_PASID_WIDTH
#define MOCK_PASID_WIDTH 20
#endif
#ifndef MOCK_FLAGS_DEVICE_PASID
#define MOCK_FLAGS_DEVICE_PASID (1 << 2)
#endif

#endif /* PCILAB_SELFTEST_COMPAT_H */
