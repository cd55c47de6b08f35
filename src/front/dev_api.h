/* SPDX-License-Identifier: MIT */
/*
 * What the VFIO device cdev (front/vfio_cdev.c) needs of an emulated device
 * handle (front/dev_api.c) beyond the public uiommufd_dev_* calls: binding
 * to a context it already looked up (the cdev answers the kernel's errno for
 * a descriptor that is not an iommufd, which the public call cannot tell
 * apart), and whether a PASID is attached (VFIO turns a second attach into a
 * replace). The handle's own lock makes each call atomic; a caller that
 * combines two (look, then attach or replace) orders them itself.
 */
#ifndef UIOMMUFD_FRONT_DEV_API_H
#define UIOMMUFD_FRONT_DEV_API_H

#include <stdbool.h>
#include <stdint.h>

struct iommufd_ctx;
struct uiommufd_dev;

/**
 * uio_dev_handle_bind() - uiommufd_dev_bind() on a context the caller holds
 * a reference on; the reference passes to the handle on success and is
 * dropped on failure. Return: 0, -EBUSY (bound already) or the core's error.
 */
int uio_dev_handle_bind(struct uiommufd_dev *handle, struct iommufd_ctx *ictx,
			uint32_t *out_dev_id);

/** uio_dev_handle_attached() - is @pasid (or IOMMU_NO_PASID) attached? */
bool uio_dev_handle_attached(struct uiommufd_dev *handle, uint32_t pasid);

#endif
