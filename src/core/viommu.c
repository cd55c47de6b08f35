/* SPDX-License-Identifier: MIT */
/*
 * vIOMMU, vDEVICE and HW queue: the per-VM slice of a physical IOMMU
 * (VIOMMU), a device's guest-visible id on it (VDEVICE), a guest queue the
 * IOMMU model reads directly (HW_QUEUE), and the confidential-computing
 * operation on a vDEVICE (VDEVICE_TSM_OP).
 *
 * What is served now: the argument checks of IOMMU_VIOMMU_ALLOC,
 * IOMMU_VDEVICE_ALLOC, IOMMU_HW_QUEUE_ALLOC and IOMMU_VDEVICE_TSM_OP, in the
 * kernel's order, up to and including the first object lookup. A vIOMMU
 * needs a device and a nesting-parent HWPT, none of which exist yet (the
 * device milestone brings them with the IOMMU models), so a well-formed call
 * ends at that lookup with ENOENT, the kernel's answer on a context without
 * them. What is not served: creating any of these objects, the model's
 * vIOMMU ops (invalidation, vdevice init, HW queues), mmap of their pages.
 *
 * IOMMU_VDEVICE_TSM_OP follows the TSM series' handler (flags, then the
 * vDEVICE lookup); a kernel built without TSM support answers EOPNOTSUPP to
 * every call instead.
 */
#include <errno.h>
#include <stdint.h>

#include <linux/iommufd.h>

#include "core/iommufd_private.h"
#include "util/overflow.h"

/*
 * IOMMU_VIOMMU_ALLOC. The kernel does not check __reserved; type DEFAULT
 * is a placeholder no model implements, refused as an unknown type.
 */
int iommufd_viommu_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_viommu_alloc *cmd = ucmd->cmd;
	struct iommufd_object *obj;

	if (cmd->flags)
		return uio_fail(-EOPNOTSUPP, "flags 0x%x unknown", cmd->flags);
	if (cmd->type == IOMMU_VIOMMU_TYPE_DEFAULT)
		return uio_fail(-EOPNOTSUPP,
				"type DEFAULT is not a vIOMMU type");

	obj = iommufd_get_object(ucmd->ictx, cmd->dev_id, IOMMUFD_OBJ_DEVICE);
	if (IS_ERR(obj))
		return PTR_ERR(obj);

	/*
	 * The rest needs devices (the device milestone): the device's IOMMU
	 * model must implement this vIOMMU type (EOPNOTSUPP), hwpt_id must
	 * name a paging HWPT (ENOENT) made with NEST_PARENT (EINVAL); the
	 * model initialises the vIOMMU from data_uptr/data_len; respond.
	 * Unreachable until DEVICE objects exist.
	 */
	iommufd_put_object(ucmd->ictx, obj);
	return uio_fail(-EOPNOTSUPP, "device %u: vIOMMU is not implemented",
			cmd->dev_id);
}

int iommufd_vdevice_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_vdevice_alloc *cmd = ucmd->cmd;
	struct iommufd_object *obj;

	/* virt_id indexes a table keyed by unsigned long in the kernel */
	if (cmd->virt_id > (uint64_t)UINTPTR_MAX)
		return uio_fail(-EINVAL, "virt_id 0x%llx does not fit a long",
				(unsigned long long)cmd->virt_id);

	obj = iommufd_get_object(ucmd->ictx, cmd->viommu_id,
				 IOMMUFD_OBJ_VIOMMU);
	if (IS_ERR(obj))
		return PTR_ERR(obj);

	/*
	 * The rest needs devices (the device milestone): look dev_id up
	 * (ENOENT), refuse a device behind another physical IOMMU (EINVAL),
	 * one being destroyed (ENOENT) or already having a vDEVICE (EEXIST),
	 * and a virt_id already used on this vIOMMU (EEXIST); the model
	 * initialises the vDEVICE; respond. Unreachable until vIOMMU objects
	 * exist.
	 */
	iommufd_put_object(ucmd->ictx, obj);
	return uio_fail(-EOPNOTSUPP, "viommu %u: vDEVICE is not implemented",
			cmd->viommu_id);
}

int iommufd_hw_queue_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hw_queue_alloc *cmd = ucmd->cmd;
	struct iommufd_object *obj;
	uint64_t last;

	if (cmd->flags)
		return uio_fail(-EOPNOTSUPP, "flags 0x%x unknown", cmd->flags);
	if (cmd->type == IOMMU_HW_QUEUE_TYPE_DEFAULT)
		return uio_fail(-EOPNOTSUPP,
				"type DEFAULT is not a HW queue type");
	if (!cmd->length)
		return uio_fail(-EINVAL, "length 0");
	if (check_add_overflow(cmd->nesting_parent_iova, cmd->length - 1,
			       &last))
		return uio_fail(-EOVERFLOW,
				"queue at 0x%llx of length 0x%llx passes 2^64",
				(unsigned long long)cmd->nesting_parent_iova,
				(unsigned long long)cmd->length);

	obj = iommufd_get_object(ucmd->ictx, cmd->viommu_id,
				 IOMMUFD_OBJ_VIOMMU);
	if (IS_ERR(obj))
		return PTR_ERR(obj);

	/*
	 * The rest needs devices (the device milestone): the vIOMMU's model
	 * must implement this queue type (EOPNOTSUPP); the queue's pages are
	 * pinned through an internal access on the nesting parent's IOAS
	 * and must be contiguous (EFAULT otherwise); the model installs the
	 * queue at index; respond. Unreachable until vIOMMU objects exist.
	 */
	iommufd_put_object(ucmd->ictx, obj);
	return uio_fail(-EOPNOTSUPP, "viommu %u: HW queues are not implemented",
			cmd->viommu_id);
}

int iommufd_vdevice_tsm_op_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_vdevice_tsm_op *cmd = ucmd->cmd;
	struct iommufd_object *obj;

	if (cmd->flags)
		return uio_fail(-EOPNOTSUPP, "flags 0x%x unknown", cmd->flags);

	obj = iommufd_get_object(ucmd->ictx, cmd->vdevice_id,
				 IOMMUFD_OBJ_VDEVICE);
	if (IS_ERR(obj))
		return PTR_ERR(obj);

	/*
	 * The rest needs devices (the device milestone) and a TSM model: the
	 * vIOMMU must have been created with a KVM file (ENODEV), type must
	 * be BIND or UNBIND (EINVAL), and the TSM binds or unbinds the
	 * device. Unreachable until vDEVICE objects exist.
	 */
	iommufd_put_object(ucmd->ictx, obj);
	return uio_fail(-EOPNOTSUPP, "vdevice %u: TSM is not implemented",
			cmd->vdevice_id);
}
