/* SPDX-License-Identifier: MIT */
/*
 * The kernel selftest's mock IOMMU, as a model.
 *
 * The kernel's iommufd selftest drives a mock driver that sits behind mock
 * devices created with IOMMU_TEST_OP_MOCK_DOMAIN. What its tests can observe,
 * and this model reproduces:
 *  - IOMMU_GET_HW_INFO answers type IOMMU_HW_INFO_TYPE_SELFTEST with a
 *    struct iommu_test_hw_info whose test_reg is the fixed register value;
 *    capabilities say DIRTY_TRACKING unless the device was created with
 *    MOCK_FLAGS_DEVICE_NO_DIRTY; a PASID device reports a 20-bit width.
 *  - Paging domains use the AMD v1 entry layout with a 2 KiB page
 *    (pt_fmt_amdv1_mock, three levels). The default table type keeps to
 *    2 KiB leaves and narrows the aperture to [MOCK_APERTURE_START,
 *    MOCK_APERTURE_LAST]; the huge type advertises MOCK_HUGE_PAGE_SIZE and
 *    PAGE_SIZE and uses 1 MiB leaves where the memory allows.
 *  - Allocation flags: NEST_PARENT, DIRTY_TRACKING and PASID; dirty tracking
 *    on a NO_DIRTY device, unknown flags, or user data of a type other than
 *    IOMMU_HWPT_DATA_SELFTEST are EOPNOTSUPP.
 *  - Attach refuses (EINVAL) a dirty-tracking domain for a NO_DIRTY device
 *    and a domain of another model or unit.
 * The nested (stage-1) mock domains and the mock vIOMMU belong to the
 * nesting work and are not here.
 */
#include <errno.h>
#include <string.h>

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>

#include "hw/hw.h"
#include "pt/pt.h"
#include "util/err.h"
#include "util/page.h"
#include "util/reason.h"

#define MOCK_LEVELS 3
#define MOCK_ALLOC_FLAGS                                             \
	(IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_DIRTY_TRACKING | \
	 IOMMU_HWPT_ALLOC_PASID)

static uint32_t mock_hw_info(const struct uio_hw_dev *dev, void *buf,
			     uint32_t len)
{
	struct iommu_test_hw_info info = {
		.flags = 0,
		.test_reg = IOMMU_HW_INFO_SELFTEST_REGVAL,
	};

	memcpy(buf, &info, len < sizeof(info) ? len : sizeof(info));
	return sizeof(info);
}

static uint64_t mock_capabilities(const struct uio_hw_dev *dev)
{
	return (dev->flags & UIO_HW_DEV_NO_DIRTY) ?
		       0 :
		       IOMMU_HW_CAP_DIRTY_TRACKING;
}

static struct uio_domain *
mock_domain_alloc_paging(const struct uio_hw_dev *dev,
			 const struct uio_hw_domain_req *req)
{
	struct iommu_hwpt_selftest cfg = {};
	struct uio_domain *domain;
	int rc;

	if (req->flags & ~MOCK_ALLOC_FLAGS)
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"mock: allocation flags 0x%x unknown",
					req->flags & ~MOCK_ALLOC_FLAGS));
	if ((req->flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) &&
	    (dev->flags & UIO_HW_DEV_NO_DIRTY))
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"mock: the device cannot track dirty pages"));
	if (req->data_type != IOMMU_HWPT_DATA_NONE &&
	    req->data_type != IOMMU_HWPT_DATA_SELFTEST)
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"mock: paging data type %u unknown",
					req->data_type));
	if (req->data_type == IOMMU_HWPT_DATA_SELFTEST) {
		rc = uio_hw_copy_data(req, IOMMU_HWPT_DATA_SELFTEST, &cfg,
				      sizeof(cfg),
				      offsetof(struct iommu_hwpt_selftest,
					       iotlb) + sizeof(cfg.iotlb));
		if (rc)
			return ERR_PTR(rc);
	}
	if (cfg.pagetable_type != MOCK_IOMMUPT_DEFAULT &&
	    cfg.pagetable_type != MOCK_IOMMUPT_HUGE)
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"mock: page table type %u unknown",
					cfg.pagetable_type));

	domain = uio_domain_alloc(&uio_hw_mock, &pt_fmt_amdv1_mock,
				  MOCK_LEVELS, 0);
	if (IS_ERR(domain))
		return domain;
	domain->instance = dev->instance;
	domain->alloc_flags = req->flags;
	if (req->flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING)
		domain->flags |= UIO_DOMAIN_DIRTY_CAPABLE;
	if (req->flags & IOMMU_HWPT_ALLOC_NEST_PARENT)
		domain->flags |= UIO_DOMAIN_NEST_PARENT;
	domain->flags |= UIO_DOMAIN_COHERENT;
	if (cfg.pagetable_type == MOCK_IOMMUPT_HUGE) {
		/*
		 * Users of the huge type give huge pages only; PAGE_SIZE is
		 * advertised so that the IOAS alignment stays PAGE_SIZE, and
		 * is made of 2 KiB leaves.
		 */
		domain->pgsize_bitmap = MOCK_HUGE_PAGE_SIZE | PAGE_SIZE;
		domain->leaf_pgsize_bitmap = MOCK_HUGE_PAGE_SIZE |
					     MOCK_PAGE_SIZE;
	} else {
		/* every power of two from 2 KiB, as the AMD v1 layout can */
		domain->pgsize_bitmap = ~(uint64_t)(MOCK_PAGE_SIZE - 1);
		domain->leaf_pgsize_bitmap = MOCK_PAGE_SIZE;
		domain->aperture_start = MOCK_APERTURE_START;
		domain->aperture_last = MOCK_APERTURE_LAST;
	}
	return domain;
}

static unsigned int mock_reserved_regions(const struct uio_hw_dev *dev,
					  struct uio_iova_range *out,
					  unsigned int max)
{
	return 0;
}

const struct uio_hw_model uio_hw_mock = {
	.name = "mock",
	.hw_info_type = IOMMU_HW_INFO_TYPE_SELFTEST,
	.hw_info = mock_hw_info,
	.capabilities = mock_capabilities,
	.domain_alloc_paging = mock_domain_alloc_paging,
	.reserved_regions = mock_reserved_regions,
};
