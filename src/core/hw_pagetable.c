/* SPDX-License-Identifier: MIT */
/*
 * Hardware page tables (HWPT): the ioctl handlers that create them and act on
 * them. A paging HWPT is an IOMMU domain filled from one IOAS; a nested HWPT
 * is a user-managed stage-1 table on top of a paging parent or a vIOMMU.
 *
 * What is served now: the argument checks of IOMMU_HWPT_ALLOC,
 * IOMMU_HWPT_SET_DIRTY_TRACKING, IOMMU_HWPT_GET_DIRTY_BITMAP and
 * IOMMU_HWPT_INVALIDATE, in the kernel's order, up to and including the
 * first object lookup. No device, HWPT or vIOMMU object exists yet (they
 * arrive with the device milestone, together with the IOMMU models that back
 * a domain), so a well-formed call ends at that lookup with the kernel's
 * answer for a context without them: ENOENT, or for INVALIDATE on an id that
 * names some other object (an IOAS), EINVAL. What is not served: creating
 * domains, dirty tracking, cache invalidation, fault queues on a HWPT.
 *
 * Order of checks, per the kernel: reserved fields and unknown flags first
 * (EOPNOTSUPP), then argument consistency (EINVAL), then the lookup. Some
 * checks the kernel does only after the lookup (HWPT_ALLOC's flags are
 * validated by the domain allocator), so here they cannot be reached yet;
 * each handler says what follows its lookup.
 */
#include <errno.h>

#include <linux/iommufd.h>

#include "core/iommufd_private.h"

/*
 * IOMMU_HWPT_ALLOC. The kernel checks neither flags nor __reserved2 before
 * the device lookup: flags go to the domain allocator (unknown bits are
 * EOPNOTSUPP there) and __reserved2 is never looked at.
 */
int iommufd_hwpt_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_alloc *cmd = ucmd->cmd;
	struct iommufd_object *obj;

	if (cmd->__reserved)
		return uio_fail(-EOPNOTSUPP, "__reserved is not 0");
	if (cmd->data_type == IOMMU_HWPT_DATA_NONE && cmd->data_len)
		return uio_fail(-EINVAL, "data_type NONE with data_len %u",
				cmd->data_len);
	if (cmd->data_type != IOMMU_HWPT_DATA_NONE && !cmd->data_len)
		return uio_fail(-EINVAL, "data_type %u with data_len 0",
				cmd->data_type);

	obj = iommufd_get_object(ucmd->ictx, cmd->dev_id, IOMMUFD_OBJ_DEVICE);
	if (IS_ERR(obj))
		return PTR_ERR(obj);

	/*
	 * The rest needs devices (the device milestone): look pt_id up as any
	 * type (a missing one is EINVAL, not ENOENT); an IOAS gives a paging
	 * HWPT (flags checked by the allocator: EOPNOTSUPP), a paging HWPT
	 * gives a nested one on that parent, a vIOMMU a nested one in the
	 * vIOMMU (EINVAL if the device sits behind another IOMMU), anything
	 * else is EINVAL; with FAULT_ID_VALID the FAULT object is looked up
	 * and attached; respond, finalize. Unreachable until DEVICE objects
	 * exist.
	 */
	iommufd_put_object(ucmd->ictx, obj);
	return uio_fail(-EOPNOTSUPP,
			"device %u: HWPT allocation is not implemented",
			cmd->dev_id);
}

/* IOMMU_HWPT_SET_DIRTY_TRACKING. The kernel does not check __reserved. */
int iommufd_hwpt_set_dirty_tracking_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_set_dirty_tracking *cmd = ucmd->cmd;
	struct iommufd_object *obj;

	if (cmd->flags & ~IOMMU_HWPT_DIRTY_TRACKING_ENABLE)
		return uio_fail(-EOPNOTSUPP, "flags 0x%x unknown",
				cmd->flags & ~IOMMU_HWPT_DIRTY_TRACKING_ENABLE);

	obj = iommufd_get_object(ucmd->ictx, cmd->hwpt_id,
				 IOMMUFD_OBJ_HWPT_PAGING);
	if (IS_ERR(obj))
		return PTR_ERR(obj);

	/*
	 * The rest needs devices (the device milestone): turn dirty tracking
	 * of the paging HWPT's domain on or off through its IOAS (clearing
	 * stale dirty bits when turning it on); EOPNOTSUPP from a domain
	 * that cannot track. Unreachable until HWPT objects exist.
	 */
	iommufd_put_object(ucmd->ictx, obj);
	return uio_fail(-EOPNOTSUPP,
			"hwpt %u: dirty tracking is not implemented",
			cmd->hwpt_id);
}

#define GET_DIRTY_BITMAP_FLAGS_VALID IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR

int iommufd_hwpt_get_dirty_bitmap_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_get_dirty_bitmap *cmd = ucmd->cmd;
	struct iommufd_object *obj;

	if ((cmd->flags & ~GET_DIRTY_BITMAP_FLAGS_VALID) || cmd->__reserved)
		return uio_fail(-EOPNOTSUPP,
				cmd->__reserved ? "__reserved is not 0" :
						  "flags 0x%x unknown",
				cmd->flags & ~GET_DIRTY_BITMAP_FLAGS_VALID);

	obj = iommufd_get_object(ucmd->ictx, cmd->hwpt_id,
				 IOMMUFD_OBJ_HWPT_PAGING);
	if (IS_ERR(obj))
		return PTR_ERR(obj);

	/*
	 * The rest needs devices (the device milestone): validate iova,
	 * length, page_size and the bitmap pointer against the IOAS (EINVAL,
	 * EOVERFLOW, EFAULT), then harvest the domain's dirty bits into the
	 * caller's bitmap, clearing them unless NO_CLEAR. Unreachable until
	 * HWPT objects exist.
	 */
	iommufd_put_object(ucmd->ictx, obj);
	return uio_fail(-EOPNOTSUPP,
			"hwpt %u: dirty bitmaps are not implemented",
			cmd->hwpt_id);
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
	switch (obj->type) {
	case IOMMUFD_OBJ_HWPT_NESTED:
	case IOMMUFD_OBJ_VIOMMU:
		/*
		 * The rest needs devices (the device milestone): hand the
		 * entry array to the nested domain's or the vIOMMU's
		 * invalidation op (EOPNOTSUPP without one), which reports
		 * in done_num how many entries it handled. Unreachable
		 * until such objects exist.
		 */
		rc = uio_fail(-EOPNOTSUPP,
			      "%s %u: invalidation is not implemented",
			      iommufd_object_type_name(obj->type), obj->id);
		break;
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
