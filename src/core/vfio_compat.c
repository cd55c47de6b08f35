/* SPDX-License-Identifier: MIT */
/*
 * VFIO compatibility. VFIO's container API has no IOAS ids, so a context
 * designates one IOAS as "the" compat IOAS (IOMMU_VFIO_IOAS). This file will
 * grow the type1 container on top of it; for now it holds the selection.
 */
#include <errno.h>

#include <linux/iommufd.h>

#include "core/iommufd_private.h"

int iommufd_vfio_ioas_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_vfio_ioas *cmd = ucmd->cmd;
	struct iommufd_ctx *ictx = ucmd->ictx;
	struct iommufd_ioas *ioas;

	if (cmd->__reserved)
		return uio_fail(-EOPNOTSUPP, "__reserved is not 0");
	switch (cmd->op) {
	case IOMMU_VFIO_IOAS_GET:
		pthread_mutex_lock(&ictx->lock);
		ioas = ictx->vfio_ioas;
		if (ioas)
			cmd->ioas_id = ioas->obj.id;
		pthread_mutex_unlock(&ictx->lock);
		if (!ioas)
			return uio_fail(-ENODEV, "no compat IOAS is set");
		return iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	case IOMMU_VFIO_IOAS_SET:
		ioas = iommufd_get_ioas(ictx, cmd->ioas_id);
		if (IS_ERR(ioas))
			return PTR_ERR(ioas);
		pthread_mutex_lock(&ictx->lock);
		ictx->vfio_ioas = ioas;
		pthread_mutex_unlock(&ictx->lock);
		iommufd_put_object(ictx, &ioas->obj);
		return 0;
	case IOMMU_VFIO_IOAS_CLEAR:
		pthread_mutex_lock(&ictx->lock);
		ictx->vfio_ioas = NULL;
		pthread_mutex_unlock(&ictx->lock);
		return 0;
	default:
		return uio_fail(-EOPNOTSUPP, "op %u unknown", cmd->op);
	}
}
