/* SPDX-License-Identifier: MIT */
/*
 * Devices: a device bound to a context (the DEVICE object), its attachments
 * to HWPTs (for the RID and per PASID), and the description of the IOMMU
 * behind it (IOMMU_GET_HW_INFO).
 *
 * As in the kernel's device.c, attaching to an IOAS means "some paging
 * domain filled from that IOAS": the automatic domains already on the IOAS
 * are tried in order (one the device's IOMMU refuses with EINVAL is skipped),
 * and if none fits a new one is made with the device's IOMMU model, filled,
 * and reported back as the HWPT id. Attaching to a HWPT uses it as is.
 * Replace swaps the translation in one step: the device's DMA sees the old
 * domain or the new one, never none. A RID attachment to a paging domain
 * also reserves the device's reserved regions (MSI windows) in that IOAS,
 * owned by the device, so no mapping can land on them while it is attached.
 *
 * Each attachment holds a user reference on its HWPT; an automatic HWPT is
 * destroyed with its last attachment. The binder (the selftest's mock
 * device object, a VFIO cdev) holds a user reference on the DEVICE object,
 * so IOMMU_DESTROY on a dev_id is EBUSY until it unbinds.
 *
 * Vocabulary: "dev_id" is the object id a bind returned, never a bus address.
 */
#include <errno.h>
#include <string.h>

#include <linux/iommufd.h>

#include "core/eventq.h"
#include "core/iommufd_private.h"
#include "core/kernel_compat.h"
#include "dev/dev.h"
#include "hw/hw.h"
#include "util/alloc.h"
#include "util/uaccess.h"

#define MAX_RESV_REGIONS 8

/*
 * A page request from the device's DMA (dev.h): to the fault queue of the
 * HWPT at that PASID, waiting for the response.
 */
static int device_page_request(void *arg, struct uio_dev *dev, uint32_t pasid,
			       uint64_t addr, uint32_t perm)
{
	struct iommufd_device *idev = arg;

	(void)dev;
	return iommufd_fault_report(idev,
				    pasid == UIO_DEV_NO_PASID ? IOMMU_NO_PASID :
								pasid,
				    0, perm, addr, true);
}

struct iommufd_device *iommufd_device_bind(struct iommufd_ctx *ictx,
					   struct uio_dev *dev)
{
	struct iommufd_device *idev;
	struct iommufd_object *obj;
	struct uio_dev_fault_sink sink = { .page_request = device_page_request };

	obj = iommufd_object_alloc(ictx, sizeof(*idev), IOMMUFD_OBJ_DEVICE);
	if (IS_ERR(obj))
		return (void *)obj;
	idev = container_of(obj, struct iommufd_device, obj);
	idev->ictx = ictx;
	idev->dev = dev;
	pthread_mutex_init(&idev->lock, NULL);
	/* the binder's reference, dropped by iommufd_device_unbind() */
	iommufd_object_get_user(obj);
	sink.arg = idev;
	uio_dev_set_fault_sink(dev, &sink);
	iommufd_object_finalize(ictx, obj);
	return idev;
}

void iommufd_device_unbind(struct iommufd_device *idev)
{
	/* its vDEVICE holds it: that goes first, leaving a tombstone */
	iommufd_device_remove_vdev(idev);
	iommufd_object_destroy_user(idev->ictx, &idev->obj);
}

static void detach_all(struct iommufd_device *idev);

void iommufd_device_destroy(struct iommufd_object *obj)
{
	struct iommufd_device *idev =
		container_of(obj, struct iommufd_device, obj);

	detach_all(idev);
	/* pending page requests were answered by the detaches */
	uio_dev_set_fault_sink(idev->dev, NULL);
	uio_free(idev->attach);
	pthread_mutex_destroy(&idev->lock);
}

static struct iommufd_attach *find_attach(struct iommufd_device *idev,
					  uint32_t pasid)
{
	unsigned int i;

	for (i = 0; i < idev->num_attach; i++)
		if (idev->attach[i].pasid == pasid)
			return &idev->attach[i];
	return NULL;
}

struct iommufd_hw_pagetable *
iommufd_device_hwpt_locked(struct iommufd_device *idev, uint32_t pasid)
{
	struct iommufd_attach *attach = find_attach(idev, pasid);

	return attach ? attach->hwpt : NULL;
}

struct iommufd_hw_pagetable *iommufd_device_hwpt(struct iommufd_device *idev,
						 uint32_t pasid)
{
	struct iommufd_hw_pagetable *hwpt;

	pthread_mutex_lock(&idev->lock);
	hwpt = iommufd_device_hwpt_locked(idev, pasid);
	pthread_mutex_unlock(&idev->lock);
	return hwpt;
}

static struct iommufd_ioas *hwpt_ioas(struct iommufd_hw_pagetable *hwpt)
{
	if (!hwpt)
		return NULL;
	/* a nested HWPT translates through its parent's IOAS */
	if (!hwpt_is_paging(hwpt))
		hwpt = &to_hwpt_nested(hwpt)->parent->common;
	return to_hwpt_paging(hwpt)->ioas;
}

/*
 * The kernel's PASID compatibility rules (caller holds idev->lock): a PASID
 * attachment needs a HWPT made with IOMMU_HWPT_ALLOC_PASID, and so must the
 * RID's current HWPT; the RID may not move to an incompatible HWPT while any
 * PASID is attached.
 */
static int pasid_compat_check(struct iommufd_device *idev, uint32_t pasid,
			      struct iommufd_hw_pagetable *hwpt)
{
	struct iommufd_attach *rid;
	unsigned int i;

	if (pasid == IOMMU_NO_PASID) {
		if (hwpt->pasid_compat)
			return 0;
		for (i = 0; i < idev->num_attach; i++)
			if (idev->attach[i].pasid != IOMMU_NO_PASID)
				return uio_fail(-EINVAL,
						"device %u has PASID %u attached: the RID needs a PASID-compatible HWPT",
						idev->obj.id,
						idev->attach[i].pasid);
		return 0;
	}
	if (!hwpt->pasid_compat)
		return uio_fail(-EINVAL,
				"hwpt %u was not allocated with IOMMU_HWPT_ALLOC_PASID",
				hwpt->obj.id);
	rid = find_attach(idev, IOMMU_NO_PASID);
	if (rid && !rid->hwpt->pasid_compat)
		return uio_fail(-EINVAL,
				"the RID of device %u is attached to hwpt %u, which is not PASID-compatible",
				idev->obj.id, rid->hwpt->obj.id);
	return 0;
}

/* reserve the device's reserved regions in @ioas, owned by the device */
static int enforce_resv_regions(struct iommufd_device *idev,
				struct iommufd_ioas *ioas)
{
	struct uio_hw_dev *hw = uio_dev_hw(idev->dev);
	struct uio_iova_range regions[MAX_RESV_REGIONS];
	unsigned int n, i;
	int rc = 0;

	n = hw->model->reserved_regions(hw, regions, MAX_RESV_REGIONS);
	if (n > MAX_RESV_REGIONS)
		n = MAX_RESV_REGIONS;
	pthread_rwlock_wrlock(&ioas->iopt.iova_rwsem);
	for (i = 0; i < n && !rc; i++)
		rc = iopt_reserve_iova_locked(&ioas->iopt, regions[i].start,
					      regions[i].last, idev);
	if (rc)
		iopt_remove_reserved_iova_locked(&ioas->iopt, idev);
	pthread_rwlock_unlock(&ioas->iopt.iova_rwsem);
	return rc;
}

/*
 * Point @pasid of @idev at @hwpt. Without @replace an existing attachment
 * is EINVAL; with it, a missing one is. The new HWPT's reference is taken
 * here; the replaced HWPT is handed back in *@ret_old for the caller to
 * release once it holds no lock (releasing an automatic HWPT takes its
 * IOAS's mutex).
 */
static int do_attach(struct iommufd_device *idev, uint32_t pasid,
		     struct iommufd_hw_pagetable *hwpt, bool replace,
		     struct iommufd_hw_pagetable **ret_old)
{
	struct uio_hw_dev *hw = uio_dev_hw(idev->dev);
	struct iommufd_ioas *new_ioas = hwpt_ioas(hwpt), *old_ioas;
	struct iommufd_hw_pagetable *old;
	struct iommufd_attach *attach, *grown;
	int rc;

	if (pasid != IOMMU_NO_PASID &&
	    (!hw->pasid_bits || pasid >= (1u << hw->pasid_bits)))
		return uio_fail(-EINVAL, "device %u has no PASID %u",
				idev->obj.id, pasid);
	pthread_mutex_lock(&idev->lock);
	attach = find_attach(idev, pasid);
	if (!replace && attach) {
		rc = uio_fail(-EBUSY,
			      "device %u is already attached there (replace instead)",
			      idev->obj.id);
		goto out_unlock;
	}
	if (replace && !attach) {
		rc = uio_fail(-EINVAL, "device %u is not attached; nothing to replace",
			      idev->obj.id);
		goto out_unlock;
	}
	if (attach && attach->hwpt == hwpt) {
		rc = 0;
		goto out_unlock;
	}
	rc = pasid_compat_check(idev, pasid, hwpt);
	if (rc)
		goto out_unlock;
	if (!hwpt_is_paging(hwpt) && to_hwpt_nested(hwpt)->viommu &&
	    !iommufd_device_vdev_on(idev, to_hwpt_nested(hwpt)->viommu)) {
		rc = uio_fail(-ENOENT,
			      "device %u has no vdevice on viommu %u",
			      idev->obj.id,
			      to_hwpt_nested(hwpt)->viommu->obj.id);
		goto out_unlock;
	}
	rc = uio_hw_attach_check(hw, hwpt->domain);
	if (rc)
		goto out_unlock;

	old = attach ? attach->hwpt : NULL;
	old_ioas = hwpt_ioas(old);
	if (!attach) {
		grown = uio_realloc(idev->attach, (idev->num_attach + 1) *
							  sizeof(*grown));
		if (!grown) {
			rc = -ENOMEM;
			goto out_unlock;
		}
		idev->attach = grown;
	}
	if (pasid == IOMMU_NO_PASID && new_ioas && new_ioas != old_ioas) {
		rc = enforce_resv_regions(idev, new_ioas);
		if (rc)
			goto out_unlock;
	}
	rc = uio_dev_set_domain(idev->dev, pasid, hwpt->domain);
	if (rc) {
		if (pasid == IOMMU_NO_PASID && new_ioas &&
		    new_ioas != old_ioas)
			iopt_remove_reserved_iova(&new_ioas->iopt, idev);
		goto out_unlock;
	}
	iommufd_object_get_user(&hwpt->obj);
	if (!attach) {
		attach = &idev->attach[idev->num_attach++];
		attach->pasid = pasid;
	}
	attach->hwpt = hwpt;
	if (pasid == IOMMU_NO_PASID && old_ioas && old_ioas != new_ioas)
		iopt_remove_reserved_iova(&old_ioas->iopt, idev);
	if (old)
		iommufd_fault_auto_response(old, idev, pasid);
	pthread_mutex_unlock(&idev->lock);
	*ret_old = old;
	return 0;

out_unlock:
	pthread_mutex_unlock(&idev->lock);
	return rc;
}

/*
 * Attach to an IOAS: reuse an automatic domain of the IOAS that the device's
 * IOMMU accepts, else make one. Runs under ioas->mutex so the list holds
 * still and two attaches do not both make a domain.
 */
static int auto_attach(struct iommufd_device *idev, uint32_t pasid,
		       struct iommufd_ioas *ioas, uint32_t *pt_id, bool replace)
{
	struct uio_hw_domain_req req = { .data_type = IOMMU_HWPT_DATA_NONE };
	struct iommufd_hwpt_paging *hwpt_paging;
	struct iommufd_hw_pagetable *old = NULL;
	int rc;

	pthread_mutex_lock(&ioas->mutex);
	cds_list_for_each_entry(hwpt_paging, &ioas->hwpt_list, hwpt_item) {
		if (!hwpt_paging->auto_domain)
			continue;
		rc = do_attach(idev, pasid, &hwpt_paging->common, replace,
			       &old);
		if (rc == -EINVAL)
			continue;
		if (!rc)
			*pt_id = hwpt_paging->common.obj.id;
		pthread_mutex_unlock(&ioas->mutex);
		goto out_put_old;
	}
	pthread_mutex_unlock(&ioas->mutex);

	hwpt_paging = iommufd_hwpt_paging_alloc(idev->ictx, ioas, idev, &req,
						true);
	if (IS_ERR(hwpt_paging))
		return PTR_ERR(hwpt_paging);
	rc = do_attach(idev, pasid, &hwpt_paging->common, replace, &old);
	if (rc) {
		iommufd_object_abort_and_destroy(idev->ictx,
						 &hwpt_paging->common.obj);
		return rc;
	}
	*pt_id = hwpt_paging->common.obj.id;
	iommufd_object_finalize(idev->ictx, &hwpt_paging->common.obj);
out_put_old:
	if (old)
		iommufd_hwpt_put_user(old);
	return rc;
}

static int change_pt(struct iommufd_device *idev, uint32_t pasid,
		     uint32_t *pt_id, bool replace)
{
	struct iommufd_hw_pagetable *old = NULL;
	struct iommufd_object *pt_obj;
	int rc;

	pt_obj = iommufd_get_object(idev->ictx, *pt_id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(pt_obj))
		return PTR_ERR(pt_obj);
	switch (pt_obj->type) {
	case IOMMUFD_OBJ_HWPT_PAGING:
	case IOMMUFD_OBJ_HWPT_NESTED:
		rc = do_attach(idev, pasid,
			       container_of(pt_obj, struct iommufd_hw_pagetable,
					    obj),
			       replace, &old);
		break;
	case IOMMUFD_OBJ_IOAS:
		rc = auto_attach(idev, pasid,
				 container_of(pt_obj, struct iommufd_ioas, obj),
				 pt_id, replace);
		break;
	default:
		rc = uio_fail(-EINVAL, "%u is a %s, not an IOAS or HWPT",
			      *pt_id, iommufd_object_type_name(pt_obj->type));
		break;
	}
	iommufd_put_object(idev->ictx, pt_obj);
	if (old)
		iommufd_hwpt_put_user(old);
	return rc;
}

int iommufd_device_attach(struct iommufd_device *idev, uint32_t pasid,
			  uint32_t *pt_id)
{
	return change_pt(idev, pasid, pt_id, false);
}

int iommufd_device_replace(struct iommufd_device *idev, uint32_t pasid,
			   uint32_t *pt_id)
{
	return change_pt(idev, pasid, pt_id, true);
}

void iommufd_device_detach(struct iommufd_device *idev, uint32_t pasid)
{
	struct iommufd_hw_pagetable *hwpt;
	struct iommufd_attach *attach;
	struct iommufd_ioas *ioas;

	pthread_mutex_lock(&idev->lock);
	attach = find_attach(idev, pasid);
	if (!attach) {
		pthread_mutex_unlock(&idev->lock);
		return;
	}
	hwpt = attach->hwpt;
	/* blocking DMA first: after this the device cannot reach the domain */
	uio_dev_set_domain(idev->dev, pasid, NULL);
	*attach = idev->attach[--idev->num_attach];
	iommufd_fault_auto_response(hwpt, idev, pasid);
	ioas = hwpt_ioas(hwpt);
	if (pasid == IOMMU_NO_PASID && ioas)
		iopt_remove_reserved_iova(&ioas->iopt, idev);
	pthread_mutex_unlock(&idev->lock);
	iommufd_hwpt_put_user(hwpt);
}

static void detach_all(struct iommufd_device *idev)
{
	while (idev->num_attach)
		iommufd_device_detach(idev, idev->attach[0].pasid);
}

#define HW_INFO_FLAGS_VALID IOMMU_HW_INFO_FLAG_INPUT_TYPE

int iommufd_get_hw_info_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hw_info *cmd = ucmd->cmd;
	const struct uio_hw_model *model;
	struct iommufd_device *idev;
	struct uio_hw_dev *hw;
	void *user_ptr = (void *)(uintptr_t)cmd->data_uptr;
	/* every model's payload is a few dozen bytes */
	uint64_t data[64];
	uint32_t data_len, copy_len;
	int rc;

	if (cmd->flags & ~HW_INFO_FLAGS_VALID)
		return uio_fail(-EOPNOTSUPP, "flags 0x%x unknown",
				cmd->flags & ~HW_INFO_FLAGS_VALID);
	if (cmd->flags & IOMMU_HW_INFO_FLAG_INPUT_TYPE) {
		rc = iommufd_kernel_check(ucmd->ictx, UIO_KF_HW_INFO_INPUT,
					  EOPNOTSUPP,
					  "IOMMU_HW_INFO_FLAG_INPUT_TYPE");
		if (rc)
			return rc;
	}
	if (cmd->__reserved[0] || cmd->__reserved[1] || cmd->__reserved[2])
		return uio_fail(-EOPNOTSUPP, "__reserved is not 0");
	/* before PASID support out_max_pasid_log2 was part of __reserved */
	if (cmd->out_max_pasid_log2 &&
	    !uio_kernel_has(ucmd->ictx->kernel, UIO_KF_PASID))
		return uio_fail(-EOPNOTSUPP, "__reserved is not 0");
	/*
	 * Without INPUT_TYPE the type field is output only: what the caller
	 * left in it must not reach a model as a request.
	 */
	if (!(cmd->flags & IOMMU_HW_INFO_FLAG_INPUT_TYPE))
		cmd->in_data_type = IOMMU_HW_INFO_TYPE_DEFAULT;

	idev = iommufd_get_device(ucmd->ictx, cmd->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	hw = uio_dev_hw(idev->dev);
	model = hw->model;

	if (cmd->in_data_type != IOMMU_HW_INFO_TYPE_DEFAULT &&
	    cmd->in_data_type != model->hw_info_type) {
		rc = uio_fail(-EOPNOTSUPP,
			      "the %s IOMMU has no hw_info of type %u",
			      model->name, cmd->in_data_type);
		goto out_put;
	}
	memset(data, 0, sizeof(data));
	data_len = model->hw_info(hw, data, sizeof(data));
	if (data_len > sizeof(data)) {
		rc = uio_fail(-EOVERFLOW, "the %s hw_info is too large",
			      model->name);
		goto out_put;
	}
	copy_len = cmd->data_len < data_len ? cmd->data_len : data_len;
	if (copy_to_user(user_ptr, data, copy_len)) {
		rc = uio_fail(-EFAULT, "cannot write hw_info to %p", user_ptr);
		goto out_put;
	}
	/* the rest of a larger buffer reads as zero */
	if (copy_len < cmd->data_len &&
	    clear_user((uint8_t *)user_ptr + copy_len,
		       cmd->data_len - copy_len)) {
		rc = uio_fail(-EFAULT, "cannot clear the rest of %p", user_ptr);
		goto out_put;
	}
	cmd->data_len = data_len;
	cmd->out_data_type = model->hw_info_type;
	cmd->out_capabilities = model->capabilities(hw);
	cmd->out_max_pasid_log2 = (hw->flags & UIO_HW_DEV_PASID) ?
					  hw->pasid_bits :
					  0;
	/* an older release does not report what it did not have */
	if (!uio_kernel_has(ucmd->ictx->kernel, UIO_KF_PASID)) {
		cmd->out_max_pasid_log2 = 0;
		cmd->out_capabilities &= ~(uint64_t)(IOMMU_HW_CAP_PCI_PASID_EXEC |
						     IOMMU_HW_CAP_PCI_PASID_PRIV);
	}
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
out_put:
	iommufd_put_object(ucmd->ictx, &idev->obj);
	return rc;
}
