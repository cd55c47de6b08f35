/* SPDX-License-Identifier: MIT */
/*
 * The selftest's mock devices and the test ops that look inside mock
 * domains: MOCK_DOMAIN, MOCK_DOMAIN_FLAGS, MOCK_DOMAIN_REPLACE,
 * MD_CHECK_MAP and DIRTY.
 *
 * As in the kernel's selftest driver, MOCK_DOMAIN reserves a SELFTEST
 * object first (so its id is the lowest of the three it reports), makes a
 * mock device (an emulated device, dev/, behind the mock IOMMU model),
 * binds it (the DEVICE object, next id) and attaches it to the given IOAS or
 * HWPT (an automatic domain takes the next id). The SELFTEST object owns the
 * device: destroying it detaches, unbinds and frees the device, and the
 * automatic domain goes with its last device.
 *
 * MD_CHECK_MAP compares, page by page, the domain's translation with the
 * user address the test expects; DIRTY marks the leaves behind chosen pages
 * dirty, as a device write would.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>

#include "core/iommufd_private.h"
#include "core/selftest.h"
#include "dev/dev.h"
#include "hw/hw.h"
#include "pt/pt.h"
#include "util/alloc.h"
#include "util/mem_identity.h"
#include "util/overflow.h"
#include "util/page.h"
#include "util/uaccess.h"


void iommufd_selftest_destroy(struct iommufd_object *obj)
{
	struct selftest_obj *sobj = container_of(obj, struct selftest_obj, obj);

	if (sobj->idev)
		iommufd_device_unbind(sobj->idev);
	if (sobj->dev) {
		uio_free(uio_dev_hw(sobj->dev)->model_priv);
		uio_dev_destroy(sobj->dev);
	}
}

#define MOCK_DEV_FLAGS (MOCK_FLAGS_DEVICE_NO_DIRTY | MOCK_FLAGS_DEVICE_PASID)
#define MOCK_RID_BASE 0x100

static int mock_dev_create(uint32_t dev_flags, uint32_t rid,
			   struct uio_dev **ret)
{
	struct uio_dev_cfg cfg = {
		.model = &uio_hw_mock,
		.rid = rid,
	};
	struct mock_dev_state *state;
	unsigned int i;
	int rc;

	if (dev_flags & MOCK_FLAGS_DEVICE_NO_DIRTY)
		cfg.hw_flags |= UIO_HW_DEV_NO_DIRTY;

	if (dev_flags & MOCK_FLAGS_DEVICE_PASID) {
		cfg.hw_flags |= UIO_HW_DEV_PASID;
		cfg.pasid_bits = MOCK_PASID_WIDTH;
	}
	state = uio_zalloc(sizeof(*state));
	if (!state)
		return -ENOMEM;
	for (i = 0; i < MOCK_DEV_CACHE_NUM; i++)
		state->cache[i] = IOMMU_TEST_DEV_CACHE_DEFAULT;
	rc = uio_dev_create(&cfg, ret);
	if (rc) {
		uio_free(state);
		return rc;
	}
	uio_dev_hw(*ret)->model_priv = state;
	return 0;
}

int iommufd_test_mock_domain(struct iommufd_ucmd *ucmd, uint32_t pt_id,
			     uint32_t dev_flags)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct selftest_obj *sobj;
	struct iommufd_object *obj;
	int rc;

	if (dev_flags & ~MOCK_DEV_FLAGS)
		return uio_fail(-EINVAL, "dev_flags 0x%x unknown", dev_flags);
	obj = iommufd_object_alloc(ucmd->ictx, sizeof(*sobj),
				   IOMMUFD_OBJ_SELFTEST);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	sobj = container_of(obj, struct selftest_obj, obj);
	sobj->ictx = ucmd->ictx;

	rc = mock_dev_create(dev_flags, MOCK_RID_BASE + obj->id, &sobj->dev);
	if (rc)
		goto err_abort;
	sobj->idev = iommufd_device_bind(ucmd->ictx, sobj->dev);
	if (IS_ERR(sobj->idev)) {
		rc = PTR_ERR(sobj->idev);
		sobj->idev = NULL;
		goto err_abort;
	}
	rc = iommufd_device_attach(sobj->idev, IOMMU_NO_PASID, &pt_id);
	if (rc)
		goto err_abort;

	cmd->mock_domain.out_hwpt_id = pt_id;
	cmd->mock_domain.out_stdev_id = obj->id;
	cmd->mock_domain.out_idev_id = sobj->idev->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto err_abort;
	iommufd_object_finalize(ucmd->ictx, obj);
	return 0;

err_abort:
	iommufd_object_abort_and_destroy(ucmd->ictx, obj);
	return rc;
}

struct selftest_obj *get_selftest_obj(struct iommufd_ucmd *ucmd, uint32_t id)
{
	struct iommufd_object *obj =
		iommufd_get_object(ucmd->ictx, id, IOMMUFD_OBJ_SELFTEST);

	if (IS_ERR(obj))
		return (void *)obj;
	return container_of(obj, struct selftest_obj, obj);
}

int iommufd_test_mock_domain_replace(struct iommufd_ucmd *ucmd,
				     uint32_t stdev_id, uint32_t pt_id)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct selftest_obj *sobj;
	int rc;

	sobj = get_selftest_obj(ucmd, stdev_id);
	if (IS_ERR(sobj))
		return PTR_ERR(sobj);
	rc = iommufd_device_replace(sobj->idev, IOMMU_NO_PASID, &pt_id);
	if (!rc) {
		cmd->mock_domain_replace.pt_id = pt_id;
		rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	}
	iommufd_put_object(ucmd->ictx, &sobj->obj);
	return rc;
}

struct iommufd_hwpt_paging *get_mock_hwpt(struct iommufd_ucmd *ucmd,
					  uint32_t id)
{
	struct iommufd_hwpt_paging *hwpt_paging =
		iommufd_get_hwpt_paging(ucmd->ictx, id);

	if (IS_ERR(hwpt_paging))
		return hwpt_paging;
	if (hwpt_paging->common.domain->model != &uio_hw_mock) {
		iommufd_put_object(ucmd->ictx, &hwpt_paging->common.obj);
		return ERR_PTR(uio_fail(-EINVAL, "hwpt %u is not a mock domain",
					id));
	}
	return hwpt_paging;
}

int iommufd_test_md_check_pa(struct iommufd_ucmd *ucmd, uint32_t hwpt_id,
			     uint64_t iova, uint64_t length, uint64_t uptr)
{
	struct iommufd_hwpt_paging *hwpt_paging;
	struct mem_identity mi = {};
	uint64_t end, step;
	int rc = 0;

	hwpt_paging = get_mock_hwpt(ucmd, hwpt_id);
	if (IS_ERR(hwpt_paging))
		return PTR_ERR(hwpt_paging);
	/* the domain's smallest page: 2 KiB, or 4 KiB for the huge type */
	step = hwpt_paging->common.domain->pgsize_bitmap &
	       -hwpt_paging->common.domain->pgsize_bitmap;
	if (iova % step || length % step || uptr % step ||
	    check_add_overflow(uptr, length, &end)) {
		rc = uio_fail(-EINVAL,
			      "check_map range is not aligned to 0x%" PRIx64,
			      step);
		goto out_put;
	}
	for (; length; length -= step, iova += step, uptr += step) {
		uint64_t oa = 0;
		unsigned char probe;

		/* like get_user_pages(): the page must exist */
		if (copy_from_user(&probe, (void *)(uintptr_t)uptr, 1)) {
			rc = uio_fail(-EFAULT, "no page at 0x%" PRIx64, uptr);
			break;
		}
		if (uio_domain_iova_to_phys(hwpt_paging->common.domain, iova,
					    &oa, NULL) ||
		    !mem_identity_same(&mi, oa, uptr)) {
			rc = uio_fail(-EINVAL,
				      "iova 0x%" PRIx64 " translates to 0x%" PRIx64
				      ", expected 0x%" PRIx64,
				      iova, oa, uptr);
			break;
		}
	}
out_put:
	iommufd_put_object(ucmd->ictx, &hwpt_paging->common.obj);
	return rc;
}

int iommufd_test_dirty(struct iommufd_ucmd *ucmd, uint32_t hwpt_id,
		       uint64_t iova, uint64_t length, uint64_t page_size,
		       uint64_t uptr)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct iommufd_hwpt_paging *hwpt_paging;
	struct uio_domain *domain;
	uint64_t max, i, count = 0;
	uint8_t *bits;
	int rc;

	if (!page_size || !length || iova % page_size || length % page_size ||
	    !uptr)
		return uio_fail(-EINVAL, "dirty: bad range or page size");
	hwpt_paging = get_mock_hwpt(ucmd, hwpt_id);
	if (IS_ERR(hwpt_paging))
		return PTR_ERR(hwpt_paging);
	domain = hwpt_paging->common.domain;
	if (!atomic_load(&domain->dirty_tracking)) {
		rc = uio_fail(-EINVAL, "hwpt %u does not track dirty pages",
			      hwpt_id);
		goto out_put;
	}
	max = length / page_size;
	bits = uio_zalloc((max + 7) / 8);
	if (!bits) {
		rc = -ENOMEM;
		goto out_put;
	}
	if (copy_from_user(bits, (void *)(uintptr_t)uptr, (max + 7) / 8)) {
		rc = uio_fail(-EFAULT, "cannot read the bitmap");
		goto out_free;
	}
	for (i = 0; i < max; i++) {
		if (!(bits[i / 8] & (1u << (i % 8))))
			continue;
		pt_set_dirty(domain->pt, iova + i * page_size);
		count++;
	}
	cmd->dirty.out_nr_dirty = count;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
out_free:
	uio_free(bits);
out_put:
	iommufd_put_object(ucmd->ictx, &hwpt_paging->common.obj);
	return rc;
}

int iommufd_test_dev_check_cache(struct iommufd_ucmd *ucmd, uint32_t idev_id,
				 unsigned int cache_id, uint32_t cache)
{
	struct iommufd_device *idev;
	struct uio_hw_dev *hw;
	int rc = 0;

	if (cache_id > MOCK_DEV_CACHE_ID_MAX)
		return uio_fail(-EINVAL, "cache id %u is past %u", cache_id,
				MOCK_DEV_CACHE_ID_MAX);
	idev = iommufd_get_device(ucmd->ictx, idev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	hw = uio_dev_hw(idev->dev);
	if (hw->model != &uio_hw_mock || !hw->model_priv)
		rc = uio_fail(-EINVAL, "device %u is not a mock device",
			      idev_id);
	else if (((struct mock_dev_state *)hw->model_priv)->cache[cache_id] !=
		 cache)
		rc = uio_fail(-EINVAL, "cache %u holds 0x%x, not 0x%x",
			      cache_id,
			      ((struct mock_dev_state *)hw->model_priv)
				      ->cache[cache_id],
			      cache);
	iommufd_put_object(ucmd->ictx, &idev->obj);
	return rc;
}
