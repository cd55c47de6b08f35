/* SPDX-License-Identifier: MIT */
/*
 * IOMMU_OPTION: a multiplexer of simple get/set values. RLIMIT_MODE is
 * global to the context, needs CAP_SYS_RESOURCE to change, and can only
 * change while the context holds no objects (pages already charged would
 * otherwise be uncharged to the wrong counter). HUGE_PAGES is per IOAS
 * (ioas.c).
 */
#include <errno.h>
#include <linux/capability.h>

#include <linux/iommufd.h>

#include "core/iommufd_private.h"
#include "util/caps.h"
#include "util/uaccess.h"

static int iommufd_option_rlimit_mode(struct iommu_option *cmd,
				      struct iommufd_ctx *ictx)
{
	int rc = 0;

	if (cmd->object_id)
		return uio_fail(-EOPNOTSUPP,
				"RLIMIT_MODE is global: object_id must be 0");
	if (cmd->op == IOMMU_OPTION_OP_GET) {
		cmd->val64 = ictx->account_mode == IOPT_PAGES_ACCOUNT_MM;
		return 0;
	}
	if (cmd->op != IOMMU_OPTION_OP_SET)
		return uio_fail(-EOPNOTSUPP, "op %u unknown", cmd->op);
	if (!uio_capable(CAP_SYS_RESOURCE))
		return uio_fail(-EPERM,
				"changing RLIMIT_MODE needs CAP_SYS_RESOURCE");
	pthread_mutex_lock(&ictx->lock);
	if (ictx->objects.count)
		rc = uio_fail(-EBUSY,
			      "RLIMIT_MODE cannot change while %u objects exist",
			      ictx->objects.count);
	else if (cmd->val64 == 0)
		ictx->account_mode = IOPT_PAGES_ACCOUNT_USER;
	else if (cmd->val64 == 1)
		ictx->account_mode = IOPT_PAGES_ACCOUNT_MM;
	else
		rc = uio_fail(-EINVAL, "RLIMIT_MODE value %llu is not 0 or 1",
			      (unsigned long long)cmd->val64);
	pthread_mutex_unlock(&ictx->lock);
	return rc;
}

int iommufd_option_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_option *cmd = ucmd->cmd;
	struct iommu_option *uarg = ucmd->ubuffer;
	int rc;

	if (cmd->__reserved)
		return uio_fail(-EOPNOTSUPP, "__reserved is not 0");
	switch (cmd->option_id) {
	case IOMMU_OPTION_RLIMIT_MODE:
		rc = iommufd_option_rlimit_mode(cmd, ucmd->ictx);
		break;
	case IOMMU_OPTION_HUGE_PAGES:
		rc = iommufd_ioas_option(ucmd);
		break;
	default:
		return uio_fail(-EOPNOTSUPP, "option_id %u unknown",
				cmd->option_id);
	}
	if (rc)
		return rc;
	/* only val64 is written back, as the kernel does */
	if (copy_to_user(&uarg->val64, &cmd->val64, sizeof(cmd->val64)))
		return uio_fail(-EFAULT, "cannot write val64");
	return 0;
}
