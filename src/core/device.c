/* SPDX-License-Identifier: MIT */
/*
 * Devices: a device bound to a context (the DEVICE object), its attachment
 * to an IOAS or HWPT (per PASID too), and the description of the IOMMU
 * behind it (IOMMU_GET_HW_INFO).
 *
 * What is served now: only the argument checks of IOMMU_GET_HW_INFO, in the
 * kernel's order, ending at the device lookup. Nothing creates a DEVICE
 * object yet (binding through the VFIO cdev and the selftest's mock domain
 * arrive with the device milestone), so a well-formed call always ends there
 * with ENOENT, which is exactly what the kernel answers on a context that has
 * no bound device. What is not served: binding, attach/replace/detach, the
 * per-model hw_info payload and capabilities, the access API.
 *
 * Vocabulary: "dev_id" is the object id a bind returned, never a bus address.
 */
#include <errno.h>

#include <linux/iommufd.h>

#include "core/iommufd_private.h"

#define HW_INFO_FLAGS_VALID IOMMU_HW_INFO_FLAG_INPUT_TYPE

int iommufd_get_hw_info_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hw_info *cmd = ucmd->cmd;
	struct iommufd_object *obj;

	if (cmd->flags & ~HW_INFO_FLAGS_VALID)
		return uio_fail(-EOPNOTSUPP, "flags 0x%x unknown",
				cmd->flags & ~HW_INFO_FLAGS_VALID);
	if (cmd->__reserved[0] || cmd->__reserved[1] || cmd->__reserved[2])
		return uio_fail(-EOPNOTSUPP, "__reserved is not 0");
	/*
	 * Without INPUT_TYPE the type field is output only: what the caller
	 * left in it must not reach a model as a request.
	 */
	if (!(cmd->flags & IOMMU_HW_INFO_FLAG_INPUT_TYPE))
		cmd->in_data_type = IOMMU_HW_INFO_TYPE_DEFAULT;

	obj = iommufd_get_object(ucmd->ictx, cmd->dev_id, IOMMUFD_OBJ_DEVICE);
	if (IS_ERR(obj))
		return PTR_ERR(obj);

	/*
	 * The rest needs devices (the device milestone): ask the device's
	 * IOMMU model for its payload of the requested type (EOPNOTSUPP if it
	 * has none of that type), copy min(data_len, payload) bytes to
	 * data_uptr and zero the rest of the caller's buffer, set data_len to
	 * the payload size, out_data_type, out_capabilities (dirty tracking,
	 * PASID exec/priv) and out_max_pasid_log2, then respond. Unreachable
	 * until DEVICE objects exist.
	 */
	iommufd_put_object(ucmd->ictx, obj);
	return uio_fail(-EOPNOTSUPP, "device %u: hw_info is not implemented",
			cmd->dev_id);
}
