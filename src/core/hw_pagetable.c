/* SPDX-License-Identifier: MIT */
/*
 * Hardware page tables (HWPT): the objects around domains, and the ioctls
 * that make them and act on them.
 *
 * A paging HWPT is a domain of the device's IOMMU model (hw/) that its IOAS
 * keeps filled (iopt_table_add_domain). It is made either by
 * IOMMU_HWPT_ALLOC, or automatically when a device attaches to an IOAS and
 * no compatible automatic domain exists yet (device.c); an automatic one
 * dies with its last attached device, a user-made one lives until DESTROY
 * (EBUSY while devices use it). Every paging HWPT is on its IOAS's
 * hwpt_list, which the automatic selection walks under ioas->mutex.
 *
 * Dirty tracking: SET_DIRTY_TRACKING turns the domain's tracking on or off
 * (EOPNOTSUPP if it was not allocated with DIRTY_TRACKING); GET_DIRTY_BITMAP
 * reads and clears the dirty state of [iova, iova + length) into the
 * caller's bitmap, one bit per page_size, OR-ing into what is there.
 *
 * Order of checks, per the kernel: reserved fields and unknown flags first
 * (EOPNOTSUPP), then argument consistency (EINVAL), then the lookups. Nested
 * HWPTs (a stage-1 on a NEST_PARENT paging HWPT or in a vIOMMU) and
 * IOMMU_HWPT_INVALIDATE are the nesting work: they still stop after their
 * lookups.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <linux/iommufd.h>

#include "core/eventq.h"
#include "core/iommufd_private.h"
#include "core/kernel_compat.h"
#include "dev/dev.h"
#include "hw/hw.h"
#include "pt/pt.h"
#include "util/alloc.h"
#include "util/overflow.h"
#include "util/uaccess.h"

#define HWPT_PAGING_FLAGS                                                 \
	(IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_DIRTY_TRACKING | \
	 IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID)

struct iommufd_hwpt_paging *
iommufd_hwpt_paging_alloc(struct iommufd_ctx *ictx, struct iommufd_ioas *ioas,
			  struct iommufd_device *idev,
			  const struct uio_hw_domain_req *req, bool auto_domain)
{
	struct uio_hw_dev *hw = uio_dev_hw(idev->dev);
	struct uio_hw_domain_req model_req = *req;
	struct iommufd_hwpt_paging *hwpt_paging;
	struct iommufd_object *obj;
	struct uio_domain *domain;
	int rc;

	if (req->flags & ~HWPT_PAGING_FLAGS)
		return ERR_PTR(uio_fail(-EOPNOTSUPP, "flags 0x%x unknown",
					req->flags & ~HWPT_PAGING_FLAGS));
	if ((req->flags & IOMMU_HWPT_FAULT_ID_VALID) &&
	    (req->flags & IOMMU_HWPT_ALLOC_NEST_PARENT))
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"a nesting parent cannot take faults"));
	if ((req->flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) &&
	    !(hw->model->capabilities(hw) & IOMMU_HW_CAP_DIRTY_TRACKING))
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"device %u cannot track dirty pages",
					idev->obj.id));

	obj = iommufd_object_alloc(ictx, sizeof(*hwpt_paging),
				   IOMMUFD_OBJ_HWPT_PAGING);
	if (IS_ERR(obj))
		return (void *)obj;
	hwpt_paging = container_of(obj, struct iommufd_hwpt_paging, common.obj);
	hwpt_paging->ictx = ictx;
	hwpt_paging->ioas = ioas;
	hwpt_paging->auto_domain = auto_domain;
	hwpt_paging->nest_parent = req->flags & IOMMU_HWPT_ALLOC_NEST_PARENT;
	hwpt_paging->common.pasid_compat = req->flags & IOMMU_HWPT_ALLOC_PASID;
	CDS_INIT_LIST_HEAD(&hwpt_paging->hwpt_item);
	iommufd_object_get_user(&ioas->obj);

	model_req.flags &= ~IOMMU_HWPT_FAULT_ID_VALID;
	domain = hw->model->domain_alloc_paging(hw, &model_req);
	if (IS_ERR(domain)) {
		rc = PTR_ERR(domain);
		goto err_abort;
	}
	hwpt_paging->common.domain = domain;

	rc = iopt_table_add_domain(&ioas->iopt, domain);
	if (rc)
		goto err_abort;
	hwpt_paging->in_iopt = true;

	pthread_mutex_lock(&ioas->mutex);
	cds_list_add_tail(&hwpt_paging->hwpt_item, &ioas->hwpt_list);
	pthread_mutex_unlock(&ioas->mutex);
	return hwpt_paging;

err_abort:
	iommufd_object_abort_and_destroy(ictx, obj);
	return ERR_PTR(rc);
}

void iommufd_hwpt_paging_destroy(struct iommufd_object *obj)
{
	struct iommufd_hwpt_paging *hwpt_paging =
		container_of(obj, struct iommufd_hwpt_paging, common.obj);
	struct iommufd_ioas *ioas = hwpt_paging->ioas;

	pthread_mutex_lock(&ioas->mutex);
	if (!cds_list_empty(&hwpt_paging->hwpt_item))
		cds_list_del_init(&hwpt_paging->hwpt_item);
	pthread_mutex_unlock(&ioas->mutex);
	if (hwpt_paging->in_iopt)
		iopt_table_remove_domain(&ioas->iopt,
					 hwpt_paging->common.domain);
	uio_domain_free(hwpt_paging->common.domain);
	if (hwpt_paging->common.fault)
		iommufd_object_put_user(&hwpt_paging->common.fault->common.obj);
	iommufd_object_put_user(&ioas->obj);
}

void iommufd_hwpt_nested_destroy(struct iommufd_object *obj)
{
	struct iommufd_hwpt_nested *hwpt_nested =
		container_of(obj, struct iommufd_hwpt_nested, common.obj);

	uio_domain_free(hwpt_nested->common.domain);
	if (hwpt_nested->common.fault)
		iommufd_object_put_user(&hwpt_nested->common.fault->common.obj);
	if (hwpt_nested->viommu)
		iommufd_object_put_user(&hwpt_nested->viommu->obj);
	iommufd_object_put_user(&hwpt_nested->parent->common.obj);
}

#define HWPT_NESTED_FLAGS (IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID)

/*
 * A nested HWPT over @parent, or through @viommu (which then gives the
 * parent). The kernel's order: flags, data present, the parent a user-made
 * nesting parent, then the model's own checks of the data.
 */
static struct iommufd_hwpt_nested *
hwpt_nested_alloc(struct iommufd_ctx *ictx, struct iommufd_hwpt_paging *parent,
		  struct iommufd_viommu *viommu, struct iommufd_device *idev,
		  const struct uio_hw_domain_req *req)
{
	struct uio_hw_dev *hw = uio_dev_hw(idev->dev);
	struct uio_hw_domain_req model_req = *req;
	struct iommufd_hwpt_nested *hwpt_nested;
	struct iommufd_object *obj;
	struct uio_domain *domain;

	if (req->flags & ~HWPT_NESTED_FLAGS)
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"flags 0x%x are not for a nested HWPT",
					req->flags & ~HWPT_NESTED_FLAGS));
	if (!req->data_len)
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"a nested HWPT needs data"));
	if (!viommu && (parent->auto_domain || !parent->nest_parent))
		return ERR_PTR(uio_fail(-EINVAL,
					"hwpt %u is not a nesting parent",
					parent->common.obj.id));
	model_req.flags &= ~IOMMU_HWPT_FAULT_ID_VALID;
	if (viommu && viommu->hw) {
		if (!viommu->hw->ops->domain_alloc_nested)
			return ERR_PTR(uio_fail(-EOPNOTSUPP,
						"viommu %u makes no nested HWPTs",
						viommu->obj.id));
		domain = viommu->hw->ops->domain_alloc_nested(viommu->hw, hw,
							      &model_req);
	} else {
		if (!hw->model->domain_alloc_nested)
			return ERR_PTR(uio_fail(-EOPNOTSUPP,
						"%s: no nested HWPTs here",
						hw->model->name));
		if (parent->common.domain->model != hw->model)
			return ERR_PTR(uio_fail(-EINVAL,
						"hwpt %u belongs to another IOMMU",
						parent->common.obj.id));
		domain = hw->model->domain_alloc_nested(
			hw, parent->common.domain, &model_req);
	}
	if (IS_ERR(domain))
		return (void *)domain;

	obj = iommufd_object_alloc(ictx, sizeof(*hwpt_nested),
				   IOMMUFD_OBJ_HWPT_NESTED);
	if (IS_ERR(obj)) {
		uio_domain_free(domain);
		return (void *)obj;
	}
	hwpt_nested = container_of(obj, struct iommufd_hwpt_nested, common.obj);
	hwpt_nested->ictx = ictx;
	hwpt_nested->common.domain = domain;
	hwpt_nested->common.pasid_compat =
		req->flags & IOMMU_HWPT_ALLOC_PASID;
	hwpt_nested->parent = parent;
	iommufd_object_get_user(&parent->common.obj);
	if (viommu) {
		hwpt_nested->viommu = viommu;
		iommufd_object_get_user(&viommu->obj);
		domain->viommu = viommu->hw;
	}
	return hwpt_nested;
}

void iommufd_hwpt_put_user(struct iommufd_hw_pagetable *hwpt)
{
	struct iommufd_hwpt_paging *hwpt_paging;
	struct iommufd_ioas *ioas;
	bool removed;

	if (!hwpt_is_paging(hwpt) || !to_hwpt_paging(hwpt)->auto_domain) {
		iommufd_object_put_user(&hwpt->obj);
		return;
	}
	/*
	 * An automatic domain goes with its last device. Take it off the
	 * IOAS list under the same mutex the selection holds, so no attach
	 * picks a domain that is on its way out.
	 */
	hwpt_paging = to_hwpt_paging(hwpt);
	ioas = hwpt_paging->ioas;
	iommufd_object_get_user(&ioas->obj);
	/*
	 * An ioctl on another thread may be using the HWPT for a moment
	 * (GET_DIRTY_BITMAP): wait for it, as the kernel does, so the domain
	 * does not outlive its last device. Our reference keeps it alive
	 * meanwhile; no lock is held while waiting.
	 */
	iommufd_object_wait_shortterm(hwpt_paging->ictx, &hwpt->obj);
	pthread_mutex_lock(&ioas->mutex);
	removed = iommufd_object_put_and_try_remove(hwpt_paging->ictx,
						    &hwpt->obj);
	if (removed)
		cds_list_del_init(&hwpt_paging->hwpt_item);
	pthread_mutex_unlock(&ioas->mutex);
	if (removed)
		iommufd_object_free(&hwpt->obj);
	iommufd_object_put_user(&ioas->obj);
}

/* copy the user's domain data into memory of ours (E2BIG past 1 MiB) */
static int hwpt_copy_user_data(const struct iommu_hwpt_alloc *cmd,
			       void **ret_data)
{
	void *data;

	*ret_data = NULL;
	if (cmd->data_type == IOMMU_HWPT_DATA_NONE)
		return 0;
	if (cmd->data_len > (1u << 20))
		return uio_fail(-E2BIG, "data_len %u is too large",
				cmd->data_len);
	data = uio_zalloc(cmd->data_len);
	if (!data)
		return -ENOMEM;
	if (copy_from_user(data, (void *)(uintptr_t)cmd->data_uptr,
			   cmd->data_len)) {
		uio_free(data);
		return uio_fail(-EFAULT, "cannot read the data at 0x%" PRIx64,
				(uint64_t)cmd->data_uptr);
	}
	*ret_data = data;
	return 0;
}

/*
 * What an older release (UIOMMUFD_KERNEL) did not know in IOMMU_HWPT_ALLOC:
 * its flags and data types, refused as its drivers refuse unknown ones.
 */
static int hwpt_alloc_kernel_check(const struct iommufd_ctx *ictx,
				   const struct iommu_hwpt_alloc *cmd)
{
	static const struct {
		uint32_t flag;
		enum uio_kfeature since;
		const char *name;
	} flags[] = {
		{ IOMMU_HWPT_ALLOC_NEST_PARENT, UIO_KF_NESTING,
		  "IOMMU_HWPT_ALLOC_NEST_PARENT" },
		{ IOMMU_HWPT_ALLOC_DIRTY_TRACKING, UIO_KF_DIRTY_TRACKING,
		  "IOMMU_HWPT_ALLOC_DIRTY_TRACKING" },
		{ IOMMU_HWPT_FAULT_ID_VALID, UIO_KF_FAULT_QUEUE,
		  "IOMMU_HWPT_FAULT_ID_VALID" },
		{ IOMMU_HWPT_ALLOC_PASID, UIO_KF_PASID,
		  "IOMMU_HWPT_ALLOC_PASID" },
	};
	enum uio_kfeature since = UIO_KF_NESTING;
	unsigned int i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		if (!(cmd->flags & flags[i].flag))
			continue;
		rc = iommufd_kernel_check(ictx, flags[i].since, EOPNOTSUPP,
					  flags[i].name);
		if (rc)
			return rc;
	}
	switch (cmd->data_type) {
	case IOMMU_HWPT_DATA_NONE:
		return 0;
	case IOMMU_HWPT_DATA_ARM_SMMUV3:
		since = UIO_KF_VIOMMU;
		break;
	case IOMMU_HWPT_DATA_AMD_GUEST:
		since = UIO_KF_AMD_NESTING;
		break;
	}
	return iommufd_kernel_check(ictx, since, EOPNOTSUPP,
				    "IOMMU_HWPT_ALLOC's data_type");
}

/*
 * IOMMU_HWPT_ALLOC. The kernel checks neither flags nor __reserved2 before
 * the device lookup: flags go to the domain allocator (unknown bits are
 * EOPNOTSUPP there) and __reserved2 is never looked at. A pt_id that names
 * nothing is EINVAL, not ENOENT.
 */
int iommufd_hwpt_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_alloc *cmd = ucmd->cmd;
	struct iommufd_hw_pagetable *hwpt;
	struct uio_hw_domain_req req = {};
	struct iommufd_device *idev;
	struct iommufd_object *pt_obj;
	struct iommufd_fault *fault;
	void *data = NULL;
	int rc;

	if (cmd->__reserved)
		return uio_fail(-EOPNOTSUPP, "__reserved is not 0");
	rc = hwpt_alloc_kernel_check(ucmd->ictx, cmd);
	if (rc)
		return rc;
	if (cmd->data_type == IOMMU_HWPT_DATA_NONE && cmd->data_len)
		return uio_fail(-EINVAL, "data_type NONE with data_len %u",
				cmd->data_len);
	if (cmd->data_type != IOMMU_HWPT_DATA_NONE && !cmd->data_len)
		return uio_fail(-EINVAL, "data_type %u with data_len 0",
				cmd->data_type);

	idev = iommufd_get_device(ucmd->ictx, cmd->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);

	pt_obj = iommufd_get_object(ucmd->ictx, cmd->pt_id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(pt_obj)) {
		rc = uio_fail(-EINVAL, "pt_id %u names nothing", cmd->pt_id);
		goto out_put_idev;
	}
	if (pt_obj->type != IOMMUFD_OBJ_IOAS &&
	    pt_obj->type != IOMMUFD_OBJ_HWPT_PAGING &&
	    (pt_obj->type != IOMMUFD_OBJ_VIOMMU ||
	     !uio_kernel_has(ucmd->ictx->kernel, UIO_KF_VIOMMU))) {
		rc = uio_fail(-EINVAL,
			      "pt_id %u is a %s, not an IOAS, paging HWPT or vIOMMU",
			      cmd->pt_id,
			      iommufd_object_type_name(pt_obj->type));
		goto out_put_pt;
	}

	rc = hwpt_copy_user_data(cmd, &data);
	if (rc)
		goto out_put_pt;
	req.flags = cmd->flags;
	req.data_type = cmd->data_type;
	req.data = data;
	req.data_len = cmd->data_len;
	if (pt_obj->type == IOMMUFD_OBJ_IOAS) {
		struct iommufd_hwpt_paging *hwpt_paging =
			iommufd_hwpt_paging_alloc(
				ucmd->ictx,
				container_of(pt_obj, struct iommufd_ioas, obj),
				idev, &req, false);

		hwpt = IS_ERR(hwpt_paging) ? (void *)hwpt_paging :
					     &hwpt_paging->common;
	} else {
		struct iommufd_viommu *viommu = NULL;
		struct iommufd_hwpt_paging *parent;
		struct iommufd_hwpt_nested *hwpt_nested;

		if (pt_obj->type == IOMMUFD_OBJ_VIOMMU) {
			viommu = container_of(pt_obj, struct iommufd_viommu,
					      obj);
			parent = viommu->hwpt;
		} else {
			parent = container_of(pt_obj,
					      struct iommufd_hwpt_paging,
					      common.obj);
		}
		hwpt_nested = hwpt_nested_alloc(ucmd->ictx, parent, viommu,
						idev, &req);
		hwpt = IS_ERR(hwpt_nested) ? (void *)hwpt_nested :
					     &hwpt_nested->common;
	}
	uio_free(data);
	if (IS_ERR(hwpt)) {
		rc = PTR_ERR(hwpt);
		goto out_put_pt;
	}
	if (cmd->flags & IOMMU_HWPT_FAULT_ID_VALID) {
		fault = iommufd_get_fault(ucmd->ictx, cmd->fault_id);
		if (IS_ERR(fault)) {
			rc = PTR_ERR(fault);
			goto out_abort;
		}
		hwpt->fault = fault;
		iommufd_object_get_user(&fault->common.obj);
		iommufd_put_object(ucmd->ictx, &fault->common.obj);
	}

	cmd->out_hwpt_id = hwpt->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_abort;
	iommufd_object_finalize(ucmd->ictx, &hwpt->obj);
	goto out_put_pt;

out_abort:
	iommufd_object_abort_and_destroy(ucmd->ictx, &hwpt->obj);
out_put_pt:
	iommufd_put_object(ucmd->ictx, pt_obj);
out_put_idev:
	iommufd_put_object(ucmd->ictx, &idev->obj);
	return rc;
}

/* IOMMU_HWPT_SET_DIRTY_TRACKING. The kernel does not check __reserved. */
int iommufd_hwpt_set_dirty_tracking_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_set_dirty_tracking *cmd = ucmd->cmd;
	struct iommufd_hwpt_paging *hwpt_paging;
	struct io_pagetable *iopt;
	int rc;

	if (cmd->flags & ~IOMMU_HWPT_DIRTY_TRACKING_ENABLE)
		return uio_fail(-EOPNOTSUPP, "flags 0x%x unknown",
				cmd->flags & ~IOMMU_HWPT_DIRTY_TRACKING_ENABLE);

	hwpt_paging = iommufd_get_hwpt_paging(ucmd->ictx, cmd->hwpt_id);
	if (IS_ERR(hwpt_paging))
		return PTR_ERR(hwpt_paging);
	/* no map or unmap changes the table while tracking flips */
	iopt = &hwpt_paging->ioas->iopt;
	pthread_rwlock_rdlock(&iopt->iova_rwsem);
	rc = uio_domain_set_dirty_tracking(
		hwpt_paging->common.domain,
		cmd->flags & IOMMU_HWPT_DIRTY_TRACKING_ENABLE);
	pthread_rwlock_unlock(&iopt->iova_rwsem);
	iommufd_put_object(ucmd->ictx, &hwpt_paging->common.obj);
	return rc;
}

#define GET_DIRTY_BITMAP_FLAGS_VALID IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR

/* The harvest writes a private bitmap that is OR-ed into the caller's. */
struct dirty_harvest {
	uint64_t base;        /* IOVA of bit 0 */
	unsigned int pgshift; /* log2 of the bitmap's page size */
	uint8_t *bits;
};

static void set_bit_range(uint8_t *bits, uint64_t first, uint64_t last)
{
	uint64_t first_byte = first / 8, last_byte = last / 8;

	if (first_byte == last_byte) {
		bits[first_byte] |= (uint8_t)((0xffu << (first % 8)) &
					      (0xffu >> (7 - last % 8)));
		return;
	}
	bits[first_byte] |= (uint8_t)(0xffu << (first % 8));
	if (last_byte > first_byte + 1)
		memset(bits + first_byte + 1, 0xff,
		       last_byte - first_byte - 1);
	bits[last_byte] |= (uint8_t)(0xffu >> (7 - last % 8));
}

static void harvest_record(void *arg, uint64_t iova, uint64_t length)
{
	struct dirty_harvest *h = arg;

	set_bit_range(h->bits, (iova - h->base) >> h->pgshift,
		      (iova + length - 1 - h->base) >> h->pgshift);
}

/*
 * OR @len bytes of @bits into the user's bitmap at @uptr. Chunks with
 * nothing to add are skipped unless @touch_all (which proves the whole
 * bitmap can be read and written).
 */
static int bitmap_or_to_user(uint64_t uptr, const uint8_t *bits, uint64_t len,
			     bool touch_all)
{
	uint8_t chunk[4096];
	uint64_t done, n, i;

	for (done = 0; done < len; done += n) {
		n = len - done < sizeof(chunk) ? len - done : sizeof(chunk);
		for (i = 0; i < n && !bits[done + i]; i++)
			;
		if (i == n && !touch_all)
			continue; /* nothing dirty here: leave the user's */
		if (copy_from_user(chunk, (void *)(uintptr_t)(uptr + done), n))
			return -EFAULT;
		for (i = 0; i < n; i++)
			chunk[i] |= bits[done + i];
		if (copy_to_user((void *)(uintptr_t)(uptr + done), chunk, n))
			return -EFAULT;
	}
	return 0;
}

int iommufd_hwpt_get_dirty_bitmap_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_get_dirty_bitmap *cmd = ucmd->cmd;
	struct iommufd_hwpt_paging *hwpt_paging;
	struct dirty_harvest harvest = {};
	struct io_pagetable *iopt;
	uint64_t last, align, nbits, nbytes;
	int rc;

	if ((cmd->flags & ~GET_DIRTY_BITMAP_FLAGS_VALID) || cmd->__reserved)
		return uio_fail(-EOPNOTSUPP,
				cmd->__reserved ? "__reserved is not 0" :
						  "flags 0x%x unknown",
				cmd->flags & ~GET_DIRTY_BITMAP_FLAGS_VALID);

	hwpt_paging = iommufd_get_hwpt_paging(ucmd->ictx, cmd->hwpt_id);
	if (IS_ERR(hwpt_paging))
		return PTR_ERR(hwpt_paging);
	iopt = &hwpt_paging->ioas->iopt;

	pthread_rwlock_rdlock(&iopt->iova_rwsem);
	align = iopt->iova_alignment;
	if (!cmd->length || check_add_overflow(cmd->iova, cmd->length - 1,
					       &last)) {
		rc = uio_fail(-EOVERFLOW, "iova 0x%" PRIx64 " + length 0x%" PRIx64
				" wraps or is empty",
			      (uint64_t)cmd->iova, (uint64_t)cmd->length);
		goto out_unlock;
	}
	if ((cmd->iova & (align - 1)) || ((last + 1) & (align - 1))) {
		rc = uio_fail(-EINVAL,
			      "range is not aligned to the IOAS alignment 0x%" PRIx64,
			      align);
		goto out_unlock;
	}
	if (!cmd->page_size) {
		rc = uio_fail(-EINVAL, "page_size is 0");
		goto out_unlock;
	}
	if ((cmd->iova & (cmd->page_size - 1)) ||
	    ((last + 1) & (cmd->page_size - 1))) {
		rc = uio_fail(-EINVAL, "range is not aligned to page_size");
		goto out_unlock;
	}
	if (!(hwpt_paging->common.domain->flags & UIO_DOMAIN_DIRTY_CAPABLE)) {
		rc = uio_fail(-EOPNOTSUPP, "hwpt %u cannot track dirty pages",
			      cmd->hwpt_id);
		goto out_unlock;
	}
	harvest.base = cmd->iova;
	/* as in the kernel, the lowest set bit of page_size is the shift */
	harvest.pgshift = __builtin_ctzll(cmd->page_size);
	nbits = ((last - cmd->iova) >> harvest.pgshift) + 1;
	nbytes = (nbits + 7) / 8;
	harvest.bits = nbytes > SIZE_MAX ? NULL : uio_zalloc(nbytes);
	if (!harvest.bits) {
		rc = -ENOMEM;
		goto out_unlock;
	}
	/*
	 * The kernel pins the caller's bitmap before it walks and answers
	 * ENOMEM when it cannot: check the bitmap is there first, so a bad
	 * pointer does not cost the dirty bits.
	 */
	if (bitmap_or_to_user(cmd->data, harvest.bits, nbytes, true)) {
		rc = uio_fail(-ENOMEM, "cannot reach the bitmap at 0x%" PRIx64,
			      (uint64_t)cmd->data);
		goto out_free;
	}
	/*
	 * As in the kernel, what the walk itself returns is not the answer:
	 * a range the table cannot hold simply has nothing dirty.
	 */
	if (uio_domain_read_and_clear_dirty(
		    hwpt_paging->common.domain, cmd->iova,
		    last - cmd->iova + 1,
		    (cmd->flags & IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR) ?
			    PT_DIRTY_NO_CLEAR :
			    0,
		    harvest_record, &harvest))
		uio_reason_clear();
	rc = 0;
	if (bitmap_or_to_user(cmd->data, harvest.bits, nbytes, false))
		rc = uio_fail(-ENOMEM, "cannot write the bitmap at 0x%" PRIx64,
			      (uint64_t)cmd->data);
out_free:
	uio_free(harvest.bits);
out_unlock:
	pthread_rwlock_unlock(&iopt->iova_rwsem);
	iommufd_put_object(ucmd->ictx, &hwpt_paging->common.obj);
	return rc;
}

/*
 * IOMMU_HWPT_INVALIDATE. entry_num is an in/out count: whatever happens, the
 * caller learns how many entries were handled (0 on every refusal here), so
 * the reply is written on the error paths too, and a reply that cannot be
 * written turns any answer into EFAULT.
 */
int iommufd_hwpt_invalidate_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_invalidate *cmd = ucmd->cmd;
	struct uio_hw_user_array arr;
	struct iommufd_object *obj;
	uint32_t done_num = 0;
	int rc;

	if (cmd->__reserved) {
		rc = uio_fail(-EOPNOTSUPP, "__reserved is not 0");
		goto out_respond;
	}
	if (cmd->entry_num && (!cmd->data_uptr || !cmd->entry_len)) {
		rc = uio_fail(-EINVAL,
			      "entry_num %u with %s", cmd->entry_num,
			      !cmd->data_uptr ? "data_uptr 0" : "entry_len 0");
		goto out_respond;
	}

	obj = iommufd_get_object(ucmd->ictx, cmd->hwpt_id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(obj)) {
		rc = PTR_ERR(obj);
		goto out_respond;
	}
	arr.type = cmd->data_type;
	arr.entry_len = cmd->entry_len;
	arr.entry_num = cmd->entry_num;
	arr.uptr = cmd->data_uptr;
	switch (obj->type) {
	case IOMMUFD_OBJ_HWPT_NESTED: {
		struct uio_domain *domain =
			container_of(obj, struct iommufd_hw_pagetable, obj)
				->domain;

		if (!domain->nested_ops ||
		    !domain->nested_ops->cache_invalidate_user) {
			rc = uio_fail(-EOPNOTSUPP,
				      "hwpt %u takes no invalidation", obj->id);
			break;
		}
		rc = domain->nested_ops->cache_invalidate_user(domain, &arr);
		done_num = arr.entry_num;
		break;
	}
	case IOMMUFD_OBJ_VIOMMU: {
		struct iommufd_viommu *viommu =
			container_of(obj, struct iommufd_viommu, obj);

		if (viommu->hw) {
			rc = viommu->hw->ops->cache_invalidate ?
				     viommu->hw->ops->cache_invalidate(
					     viommu->hw, &arr) :
				     uio_fail(-EOPNOTSUPP,
					      "viommu %u takes no invalidation",
					      obj->id);
		} else {
			rc = iommufd_test_viommu_invalidate(viommu, &arr);
		}
		done_num = arr.entry_num;
		break;
	}
	default:
		rc = uio_fail(-EINVAL,
			      "%s %u is neither a nested HWPT nor a vIOMMU",
			      iommufd_object_type_name(obj->type), obj->id);
		break;
	}
	iommufd_put_object(ucmd->ictx, obj);
out_respond:
	cmd->entry_num = done_num;
	if (iommufd_ucmd_respond(ucmd, sizeof(*cmd)))
		return -EFAULT;
	return rc;
}
