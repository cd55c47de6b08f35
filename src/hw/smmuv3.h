/* SPDX-License-Identifier: MIT */
/*
 * What the SMMUv3 model's files share: the ID registers a device sees and
 * what they say of nesting (smmuv3.c), and the vIOMMU that nested domains
 * come from (smmuv3_nested.c).
 */
#ifndef UIOMMUFD_HW_SMMUV3_H
#define UIOMMUFD_HW_SMMUV3_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/iommufd.h>

#include "hw/hw.h"

/* the ID registers @dev sees (smmuv3.c) */
void smmu_regs(const struct uio_hw_dev *dev,
	       struct iommu_hw_info_arm_smmuv3 *info);
/* both stages, and no erratum against nesting */
bool smmu_nesting(const struct iommu_hw_info_arm_smmuv3 *info);

/* IOMMU_VIOMMU_TYPE_ARM_SMMUV3 over a stage-2 NEST_PARENT (smmuv3_nested.c) */
struct uio_viommu *smmu_viommu_alloc(const struct uio_hw_dev *dev,
				     struct uio_domain *parent, uint32_t type,
				     const void *data, uint32_t data_len);

#endif
