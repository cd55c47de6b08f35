/* SPDX-License-Identifier: MIT */
/*
 * The selftest ops of the nesting work: MD_CHECK_IOTLB (a mock nested
 * domain's IOTLB slots), TRIGGER_IOPF (a page request as if the mock device
 * had sent it), TRIGGER_VEVENT (a vIOMMU event naming the device's virtual
 * id), PASID_ATTACH / REPLACE / DETACH / CHECK_HWPT (the core's PASID
 * attachment paths driven through a mock device), and the selftest
 * vIOMMU's invalidation, which clears slots of the mock device's cache.
 *
 * As in the kernel's mock driver, PASID 1024 fakes a driver failure: the
 * first set of that PASID arms it and the next one fails with ENOMEM, so
 * the test can see the core keep the old HWPT on a failed replace.
 */
#include <errno.h>
#include <string.h>

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>

#include "core/eventq.h"
#include "core/selftest.h"
#include "dev/dev.h"
#include "hw/hw.h"

#define FAKE_ERROR_PASID 1024

int iommufd_test_md_check_iotlb(struct iommufd_ucmd *ucmd, uint32_t hwpt_id,
				uint32_t iotlb_id, uint32_t iotlb)
{
	struct iommufd_object *obj;
	uint32_t val = 0;
	int rc;

	obj = iommufd_get_object(ucmd->ictx, hwpt_id, IOMMUFD_OBJ_HWPT_NESTED);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	rc = uio_hw_mock_nested_iotlb(
		container_of(obj, struct iommufd_hw_pagetable, obj)->domain,
		iotlb_id, &val);
	if (rc == -ENOENT)
		rc = uio_fail(-ENOENT, "hwpt %u is not a mock nested domain",
			      hwpt_id);
	else if (rc)
		rc = uio_fail(rc, "IOTLB slot %u does not exist", iotlb_id);
	else if (val != iotlb)
		rc = uio_fail(-EINVAL, "IOTLB slot %u holds 0x%x, not 0x%x",
			      iotlb_id, val, iotlb);
	iommufd_put_object(ucmd->ictx, obj);
	return rc;
}

int iommufd_test_trigger_iopf(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct iommufd_device *idev;
	uint32_t pasid = cmd->trigger_iopf.pasid;

	idev = iommufd_get_device(ucmd->ictx, cmd->trigger_iopf.dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	/* the selftest's PASID 0 is the kernel's "no PASID"; nobody waits,
	 * and a request no fault queue takes is dropped, as the mock does */
	iommufd_fault_report(idev, pasid ? pasid : IOMMU_NO_PASID,
			     cmd->trigger_iopf.grpid, cmd->trigger_iopf.perm,
			     cmd->trigger_iopf.addr, false);
	iommufd_put_object(ucmd->ictx, &idev->obj);
	return 0;
}

int iommufd_test_trigger_vevent(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct iommu_viommu_event_selftest event = {};
	struct iommufd_hw_pagetable *hwpt;
	struct iommufd_viommu *viommu = NULL;
	struct iommufd_device *idev;
	int rc;

	idev = iommufd_get_device(ucmd->ictx, cmd->trigger_vevent.dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	pthread_mutex_lock(&idev->lock);
	hwpt = iommufd_device_hwpt_locked(idev, IOMMU_NO_PASID);
	if (hwpt && !hwpt_is_paging(hwpt))
		viommu = to_hwpt_nested(hwpt)->viommu;
	if (viommu && iommufd_device_vdev_on(idev, viommu)) {
		event.virt_id = idev->vdev->virt_id;
		iommufd_object_get_user(&viommu->obj);
	} else {
		viommu = NULL;
	}
	pthread_mutex_unlock(&idev->lock);
	if (!viommu) {
		rc = uio_fail(-ENOENT,
			      "device %u is not attached through a vdevice of a vIOMMU",
			      idev->obj.id);
	} else {
		rc = iommufd_viommu_report_event(viommu,
						 IOMMU_VEVENTQ_TYPE_SELFTEST,
						 &event, sizeof(event));
		iommufd_object_put_user(&viommu->obj);
	}
	iommufd_put_object(ucmd->ictx, &idev->obj);
	return rc;
}

int iommufd_test_pasid_op(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct iommufd_hw_pagetable *hwpt;
	struct selftest_obj *sobj;
	uint32_t pasid, pt_id;
	int rc = 0;

	sobj = get_selftest_obj(ucmd, cmd->id);
	if (IS_ERR(sobj))
		return PTR_ERR(sobj);
	switch (cmd->op) {
	case IOMMU_TEST_OP_PASID_ATTACH:
		pasid = cmd->pasid_attach.pasid;
		pt_id = cmd->pasid_attach.pt_id;
		rc = iommufd_device_attach(sobj->idev, pasid, &pt_id);
		if (!rc && pasid == FAKE_ERROR_PASID)
			sobj->pasid_1024_fake_error = true;
		break;
	case IOMMU_TEST_OP_PASID_REPLACE:
		pasid = cmd->pasid_replace.pasid;
		pt_id = cmd->pasid_replace.pt_id;
		hwpt = iommufd_device_hwpt(sobj->idev, pasid);
		if (pasid == FAKE_ERROR_PASID && hwpt &&
		    sobj->pasid_1024_fake_error && hwpt->obj.id != pt_id) {
			sobj->pasid_1024_fake_error = false;
			rc = uio_fail(-ENOMEM,
				      "mock: PASID %u fakes a driver failure",
				      pasid);
			break;
		}
		rc = iommufd_device_replace(sobj->idev, pasid, &pt_id);
		break;
	case IOMMU_TEST_OP_PASID_DETACH:
		iommufd_device_detach(sobj->idev, cmd->pasid_detach.pasid);
		break;
	case IOMMU_TEST_OP_PASID_CHECK_HWPT:
		pasid = cmd->pasid_check.pasid;
		hwpt = iommufd_device_hwpt(sobj->idev, pasid);
		if (!cmd->pasid_check.hwpt_id ?
			    hwpt != NULL :
			    !hwpt || hwpt->obj.id != cmd->pasid_check.hwpt_id)
			rc = uio_fail(-EINVAL,
				      "PASID %u is attached to hwpt %u, not %u",
				      pasid, hwpt ? hwpt->obj.id : 0,
				      cmd->pasid_check.hwpt_id);
		break;
	}
	iommufd_put_object(ucmd->ictx, &sobj->obj);
	return rc;
}

int iommufd_test_viommu_invalidate(struct iommufd_viommu *viommu,
				   struct uio_hw_user_array *arr)
{
	struct iommu_viommu_invalidate_selftest inv;
	struct iommufd_vdevice *vdev;
	struct mock_dev_state *state;
	uint32_t i, done = 0;
	int rc = 0;

	if (arr->type != IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST) {
		rc = uio_fail(-EINVAL, "invalidation data type 0x%x unknown",
			      arr->type);
		goto out;
	}
	for (i = 0; i < arr->entry_num; i++) {
		if (arr->entry_len != sizeof(inv)) {
			rc = uio_fail(-EINVAL, "entry_len %u is not %zu",
				      arr->entry_len, sizeof(inv));
			break;
		}
		rc = uio_hw_user_array_get(arr, arr->type, i, &inv,
					   sizeof(inv), sizeof(inv));
		if (rc)
			break;
		if (inv.flags & ~IOMMU_TEST_INVALIDATE_FLAG_ALL) {
			rc = uio_fail(-EOPNOTSUPP, "entry %u flags 0x%x unknown",
				      i, inv.flags);
			break;
		}
		if (inv.cache_id > MOCK_DEV_CACHE_ID_MAX) {
			rc = uio_fail(-EINVAL, "entry %u cache_id %u > %u", i,
				      inv.cache_id, MOCK_DEV_CACHE_ID_MAX);
			break;
		}
		state = NULL;
		pthread_mutex_lock(&viommu->vdevs_lock);
		cds_list_for_each_entry(vdev, &viommu->vdevs, node)
			if (vdev->virt_id == inv.vdev_id && vdev->idev)
				state = uio_dev_hw(vdev->idev->dev)->model_priv;
		if (state) {
			if (inv.flags & IOMMU_TEST_INVALIDATE_FLAG_ALL)
				memset(state->cache, 0, sizeof(state->cache));
			else
				state->cache[inv.cache_id] = 0;
		}
		pthread_mutex_unlock(&viommu->vdevs_lock);
		if (!state) {
			rc = uio_fail(-EINVAL, "entry %u: no vdevice 0x%x", i,
				      inv.vdev_id);
			break;
		}
		done++;
	}
out:
	arr->entry_num = done;
	return rc;
}
