/* SPDX-License-Identifier: MIT */
/*
 * What the AMD model's files share: the extended feature registers a device
 * sees and what they say of guest translation (amd.c), and the vIOMMU that
 * nested domains come from (amd_nested.c).
 */
#ifndef UIOMMUFD_HW_AMD_H
#define UIOMMUFD_HW_AMD_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/iommufd.h>

#include "hw/hw.h"

/* EFR and EFR2 as @dev sees them (amd.c) */
void amd_regs(const struct uio_hw_dev *dev, struct iommu_hw_info_amd *r);
/* guest tables over host ones: GT, GIOSup, GCR3TRPMode */
bool amd_nest_parent(const struct iommu_hw_info_amd *r);
/* levels of a guest (v2) table: 4, or 5 with EFR.GATS */
unsigned int amd_guest_levels(const struct iommu_hw_info_amd *r);
/* the deepest GCR3 table, as GLX (levels - 1) */
unsigned int amd_glx_max(const struct iommu_hw_info_amd *r);

/* a nested domain's own rules for attaching to a unit with @r (amd_nested.c) */
int amd_nested_attach_check(const struct iommu_hw_info_amd *r,
			    const struct uio_domain *domain);

/* IOMMU_VIOMMU_TYPE_AMD over a v1 NEST_PARENT (amd_nested.c) */
struct uio_viommu *amd_viommu_alloc(const struct uio_hw_dev *dev,
				    struct uio_domain *parent, uint32_t type,
				    const void *data, uint32_t data_len);

#endif
