/* SPDX-License-Identifier: MIT */
/*
 * Event queues: objects that hand events to user space through a file
 * descriptor of their own. The FAULT queue carries IO page faults of a HWPT
 * (read a fault, write a response); the vEVENTQ carries a vIOMMU's events in
 * its hardware's format, each behind a header with a sequence number, with a
 * LOST_EVENTS header when the queue overflowed.
 *
 * What is served now: the argument checks of IOMMU_VEVENTQ_ALLOC, in the
 * kernel's order, up to and including the vIOMMU lookup. No vIOMMU exists
 * yet (the device milestone brings them), so a well-formed call ends there
 * with ENOENT, the kernel's answer on a context without one. What is not
 * served: creating either queue, their file descriptors (read, write, poll),
 * event delivery.
 */
#include <errno.h>

#include <linux/iommufd.h>

#include "core/iommufd_private.h"

int iommufd_veventq_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_veventq_alloc *cmd = ucmd->cmd;
	struct iommufd_object *obj;

	if (cmd->flags || cmd->__reserved)
		return uio_fail(-EOPNOTSUPP,
				cmd->flags ? "flags 0x%x unknown" :
					     "__reserved is not 0",
				cmd->flags);
	if (cmd->type == IOMMU_VEVENTQ_TYPE_DEFAULT)
		return uio_fail(-EOPNOTSUPP,
				"type DEFAULT is not a vEVENTQ type");
	if (!cmd->veventq_depth)
		return uio_fail(-EINVAL, "veventq_depth 0");

	obj = iommufd_get_object(ucmd->ictx, cmd->viommu_id,
				 IOMMUFD_OBJ_VIOMMU);
	if (IS_ERR(obj))
		return PTR_ERR(obj);

	/*
	 * The rest needs devices (the device milestone): a vIOMMU holds at
	 * most one vEVENTQ per type (EEXIST); create the queue with its
	 * depth, open its file descriptor, return id and fd; respond (the
	 * fd is installed only once the reply is written). Unreachable until
	 * vIOMMU objects exist.
	 */
	iommufd_put_object(ucmd->ictx, obj);
	return uio_fail(-EOPNOTSUPP, "viommu %u: vEVENTQ is not implemented",
			cmd->viommu_id);
}
