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
 *  - Nested domains (IOMMU_HWPT_DATA_SELFTEST over a NEST_PARENT domain, or
 *    through the selftest vIOMMU): four IOTLB slots seeded with the user's
 *    iotlb value, cleared by IOMMU_HWPT_INVALIDATE_DATA_SELFTEST requests
 *    (one slot, or all with IOMMU_TEST_INVALIDATE_FLAG_ALL) and read back
 *    by MD_CHECK_IOTLB. The mock's stage 1 is the identity: a DMA through
 *    a mock nested domain translates through its parent.
 * The selftest vIOMMU itself has no model state (core/viommu.c). The mock's
 * address width is the selftest's (its apertures above), so the model has
 * no aw_check: a device asking for another width is refused.
 */
#include <errno.h>
#include <string.h>

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>

#include "hw/hw.h"
#include "pt/pt.h"
#include "util/alloc.h"
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

struct mock_nested {
	uint32_t iotlb[MOCK_NESTED_DOMAIN_IOTLB_NUM];
};

static int mock_nested_translate(struct uio_domain *nested, uint32_t pasid,
				 uint64_t iova, unsigned int need,
				 struct uio_s1_result *res,
				 struct uio_hw_fault *fault)
{
	res->oa = iova;
	res->prot = PT_PROT_READ | PT_PROT_WRITE;
	res->pgsize_lg2 = 63;
	return 0;
}

static int mock_nested_invalidate(struct uio_domain *nested,
				  struct uio_hw_user_array *arr)
{
	struct mock_nested *mn = nested->model_priv;
	struct iommu_hwpt_invalidate_selftest inv;
	uint32_t i, done = 0;
	int rc = 0;

	if (arr->type != IOMMU_HWPT_INVALIDATE_DATA_SELFTEST) {
		rc = uio_fail(-EINVAL, "mock: invalidation data type 0x%x unknown",
			      arr->type);
		goto out;
	}
	for (i = 0; i < arr->entry_num; i++) {
		if (arr->entry_len != sizeof(inv)) {
			rc = uio_fail(-EINVAL, "mock: entry_len %u is not %zu",
				      arr->entry_len, sizeof(inv));
			break;
		}
		rc = uio_hw_user_array_get(arr, arr->type, i, &inv,
					   sizeof(inv), sizeof(inv));
		if (rc)
			break;
		if (inv.flags & ~IOMMU_TEST_INVALIDATE_FLAG_ALL) {
			rc = uio_fail(-EOPNOTSUPP,
				      "mock: entry %u flags 0x%x unknown", i,
				      inv.flags);
			break;
		}
		if (inv.iotlb_id > MOCK_NESTED_DOMAIN_IOTLB_ID_MAX) {
			rc = uio_fail(-EINVAL, "mock: entry %u iotlb_id %u > %u",
				      i, inv.iotlb_id,
				      MOCK_NESTED_DOMAIN_IOTLB_ID_MAX);
			break;
		}
		if (inv.flags & IOMMU_TEST_INVALIDATE_FLAG_ALL)
			memset(mn->iotlb, 0, sizeof(mn->iotlb));
		else
			mn->iotlb[inv.iotlb_id] = 0;
		done++;
	}
	/* the cached combined translations go too */
	if (done)
		uio_domain_iotlb_flush(nested);
out:
	arr->entry_num = done;
	return rc;
}

static const struct uio_nested_ops mock_nested_ops = {
	.translate = mock_nested_translate,
	.cache_invalidate_user = mock_nested_invalidate,
};

static void mock_nested_free(struct uio_domain *domain)
{
	uio_free(domain->model_priv);
}

static struct uio_domain *
mock_domain_alloc_nested(const struct uio_hw_dev *dev,
			 struct uio_domain *parent,
			 const struct uio_hw_domain_req *req)
{
	struct iommu_hwpt_selftest cfg = {};
	struct mock_nested *mn;
	struct uio_domain *domain;
	unsigned int i;
	int rc;

	if (req->flags & ~IOMMU_HWPT_ALLOC_PASID)
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"mock: nested flags 0x%x unknown",
					req->flags));
	if (req->data_type != IOMMU_HWPT_DATA_SELFTEST)
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"mock: nested data type %u unknown",
					req->data_type));
	rc = uio_hw_copy_data(req, IOMMU_HWPT_DATA_SELFTEST, &cfg, sizeof(cfg),
			      offsetof(struct iommu_hwpt_selftest, iotlb) +
				      sizeof(cfg.iotlb));
	if (rc)
		return ERR_PTR(rc);
	mn = uio_zalloc(sizeof(*mn));
	if (!mn)
		return ERR_PTR(-ENOMEM);
	domain = uio_domain_alloc_nested(&uio_hw_mock, parent,
					 &mock_nested_ops);
	if (IS_ERR(domain)) {
		uio_free(mn);
		return domain;
	}
	for (i = 0; i < MOCK_NESTED_DOMAIN_IOTLB_NUM; i++)
		mn->iotlb[i] = cfg.iotlb;
	domain->alloc_flags = req->flags;
	domain->model_priv = mn;
	domain->model_free = mock_nested_free;
	return domain;
}

int uio_hw_mock_nested_iotlb(const struct uio_domain *domain, unsigned int id,
			     uint32_t *val)
{
	const struct mock_nested *mn = domain->model_priv;

	if (domain->model != &uio_hw_mock || domain->kind != UIO_DOMAIN_NESTED)
		return -ENOENT;
	if (id > MOCK_NESTED_DOMAIN_IOTLB_ID_MAX)
		return -EINVAL;
	*val = mn->iotlb[id];
	return 0;
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
	.domain_alloc_nested = mock_domain_alloc_nested,
};
