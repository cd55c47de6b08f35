/* SPDX-License-Identifier: MIT */
/*
 * The public API of emulated devices (include/uiommufd/uiommufd.h): make a
 * device behind one of the IOMMU models, bind it to an iommufd context,
 * attach it, and DMA through it.
 *
 * A handle owns the device (dev/) and, while bound, a DEVICE object in the
 * context and a reference on the context, so the context outlives a close
 * of its fd for as long as a device is bound to it (the kernel's VFIO device
 * holds its iommufd the same way). The handle's mutex orders bind, unbind,
 * attach and destroy; DMA does not take it: it reads the device's published
 * attachments lock-free (dev.h), and must not race uiommufd_dev_destroy().
 */
#include <errno.h>
#include <pthread.h>

#include "core/context.h"
#include "core/iommufd_private.h"
#include "dev/dev.h"
#include "front/dev_api.h"
#include "hw/hw.h"
#include "uiommufd/uiommufd.h"
#include "util/alloc.h"
#include "util/export.h"
#include "util/reason.h"

struct uiommufd_dev {
	pthread_mutex_t lock;
	struct uio_dev *dev;
	struct iommufd_ctx *ictx;     /* held while bound */
	struct iommufd_device *idev;  /* the DEVICE object while bound */
};

#define DEV_FLAGS_VALID \
	(UIOMMUFD_DEV_NO_DIRTY | UIOMMUFD_DEV_ATS | UIOMMUFD_DEV_PRI)
#define MAX_PASID_BITS 20

UIOMMUFD_EXPORT int uiommufd_dev_create(const struct uiommufd_dev_config *cfg,
					struct uiommufd_dev **ret)
{
	struct uio_dev_cfg dcfg = {};
	struct uiommufd_dev *handle;
	int rc;

	uio_reason_clear();
	if (!cfg || !ret || !cfg->model)
		return uio_fail(-EINVAL, "no device configuration");
	dcfg.model = uio_hw_model_find(cfg->model);
	if (!dcfg.model)
		return uio_fail(-EINVAL, "no IOMMU model named \"%s\"",
				cfg->model);
	if (cfg->flags & ~DEV_FLAGS_VALID)
		return uio_fail(-EINVAL, "device flags 0x%x unknown",
				cfg->flags & ~DEV_FLAGS_VALID);
	if (cfg->pasid_bits > MAX_PASID_BITS)
		return uio_fail(-EINVAL, "PASID width %u is past %u",
				cfg->pasid_bits, MAX_PASID_BITS);
	dcfg.rid = cfg->rid;
	dcfg.instance = cfg->instance;
	dcfg.pasid_bits = cfg->pasid_bits;
	dcfg.aw = cfg->aw; /* checked against the model by uio_dev_create() */
	if (cfg->pasid_bits)
		dcfg.hw_flags |= UIO_HW_DEV_PASID;
	if (cfg->flags & UIOMMUFD_DEV_NO_DIRTY)
		dcfg.hw_flags |= UIO_HW_DEV_NO_DIRTY;
	if (cfg->flags & UIOMMUFD_DEV_ATS)
		dcfg.hw_flags |= UIO_HW_DEV_ATS;
	if (cfg->flags & UIOMMUFD_DEV_PRI)
		dcfg.hw_flags |= UIO_HW_DEV_PRI;

	handle = uio_zalloc(sizeof(*handle));
	if (!handle)
		return -ENOMEM;
	rc = uio_dev_create(&dcfg, &handle->dev);
	if (rc) {
		uio_free(handle);
		return rc;
	}
	pthread_mutex_init(&handle->lock, NULL);
	*ret = handle;
	return 0;
}

/* with handle->lock held */
static void dev_unbind_locked(struct uiommufd_dev *handle)
{
	iommufd_device_unbind(handle->idev);
	handle->idev = NULL;
	iommufd_ctx_put(handle->ictx);
	handle->ictx = NULL;
}

UIOMMUFD_EXPORT void uiommufd_dev_destroy(struct uiommufd_dev *handle)
{
	if (!handle)
		return;
	pthread_mutex_lock(&handle->lock);
	if (handle->idev)
		dev_unbind_locked(handle);
	pthread_mutex_unlock(&handle->lock);
	uio_dev_destroy(handle->dev);
	pthread_mutex_destroy(&handle->lock);
	uio_free(handle);
}

int uio_dev_handle_bind(struct uiommufd_dev *handle, struct iommufd_ctx *ictx,
			uint32_t *out_dev_id)
{
	struct iommufd_device *idev;
	int rc = 0;

	pthread_mutex_lock(&handle->lock);
	if (handle->idev) {
		rc = uio_fail(-EBUSY, "the device is bound already (dev_id %u)",
			      handle->idev->obj.id);
		goto out_put;
	}
	idev = iommufd_device_bind(ictx, handle->dev);
	if (IS_ERR(idev)) {
		rc = PTR_ERR(idev);
		goto out_put;
	}
	handle->idev = idev;
	handle->ictx = ictx;
	if (out_dev_id)
		*out_dev_id = idev->obj.id;
	pthread_mutex_unlock(&handle->lock);
	return 0;

out_put:
	pthread_mutex_unlock(&handle->lock);
	iommufd_ctx_put(ictx);
	return rc;
}

UIOMMUFD_EXPORT int uiommufd_dev_bind(struct uiommufd_dev *handle,
				      int iommufd, unsigned int *out_dev_id)
{
	struct iommufd_ctx *ictx;
	uint32_t id;
	int rc;

	uio_reason_clear();
	ictx = uio_fd_iommufd_ctx(iommufd);
	if (!ictx)
		return uio_fail(-EBADF, "fd %d is not an emulated iommufd",
				iommufd);
	rc = uio_dev_handle_bind(handle, ictx, &id);
	if (!rc && out_dev_id)
		*out_dev_id = id;
	return rc;
}

bool uio_dev_handle_attached(struct uiommufd_dev *handle, uint32_t pasid)
{
	bool attached;

	pthread_mutex_lock(&handle->lock);
	attached = handle->idev && iommufd_device_hwpt(handle->idev, pasid);
	pthread_mutex_unlock(&handle->lock);
	return attached;
}

UIOMMUFD_EXPORT int uiommufd_dev_unbind(struct uiommufd_dev *handle)
{
	int rc = 0;

	uio_reason_clear();
	pthread_mutex_lock(&handle->lock);
	if (handle->idev)
		dev_unbind_locked(handle);
	else
		rc = uio_fail(-ENODEV, "the device is not bound");
	pthread_mutex_unlock(&handle->lock);
	return rc;
}

static int dev_change_pt(struct uiommufd_dev *handle, unsigned int pasid,
			 unsigned int *pt_id, bool replace)
{
	uint32_t id;
	int rc;

	uio_reason_clear();
	if (!pt_id)
		return uio_fail(-EINVAL, "no pt_id");
	id = *pt_id;
	pthread_mutex_lock(&handle->lock);
	if (!handle->idev)
		rc = uio_fail(-ENODEV, "the device is not bound");
	else if (replace)
		rc = iommufd_device_replace(handle->idev, pasid, &id);
	else
		rc = iommufd_device_attach(handle->idev, pasid, &id);
	pthread_mutex_unlock(&handle->lock);
	if (!rc)
		*pt_id = id;
	return rc;
}

UIOMMUFD_EXPORT int uiommufd_dev_attach(struct uiommufd_dev *handle,
					unsigned int pasid, unsigned int *pt_id)
{
	return dev_change_pt(handle, pasid, pt_id, false);
}

UIOMMUFD_EXPORT int uiommufd_dev_replace(struct uiommufd_dev *handle,
					 unsigned int pasid,
					 unsigned int *pt_id)
{
	return dev_change_pt(handle, pasid, pt_id, true);
}

UIOMMUFD_EXPORT int uiommufd_dev_detach(struct uiommufd_dev *handle,
					unsigned int pasid)
{
	int rc = 0;

	uio_reason_clear();
	pthread_mutex_lock(&handle->lock);
	if (!handle->idev)
		rc = uio_fail(-ENODEV, "the device is not bound");
	else if (!iommufd_device_hwpt(handle->idev, pasid))
		rc = uio_fail(-EINVAL, "PASID 0x%x is not attached", pasid);
	else
		iommufd_device_detach(handle->idev, pasid);
	pthread_mutex_unlock(&handle->lock);
	return rc;
}

UIOMMUFD_EXPORT int uiommufd_dma_read(struct uiommufd_dev *handle,
				      unsigned int pasid,
				      unsigned long long iova, void *buf,
				      size_t len)
{
	return uio_dma_read(handle->dev, pasid, iova, buf, len);
}

UIOMMUFD_EXPORT int uiommufd_dma_write(struct uiommufd_dev *handle,
				       unsigned int pasid,
				       unsigned long long iova,
				       const void *buf, size_t len)
{
	return uio_dma_write(handle->dev, pasid, iova, buf, len);
}

UIOMMUFD_EXPORT int uiommufd_dma_cas64(struct uiommufd_dev *handle,
				       unsigned int pasid,
				       unsigned long long iova,
				       unsigned long long *old,
				       unsigned long long new_val)
{
	uint64_t v = *old;
	int rc = uio_dma_cas64(handle->dev, pasid, iova, &v, new_val);

	*old = v;
	return rc;
}

UIOMMUFD_EXPORT void uiommufd_dev_get_stats(struct uiommufd_dev *handle,
					    struct uiommufd_dev_stats *stats)
{
	struct uio_dev_stats s;

	uio_dev_get_stats(handle->dev, &s);
	stats->dma_ops = s.dma_ops;
	stats->dma_bytes = s.dma_bytes;
	stats->iotlb_hits = s.iotlb_hits;
	stats->iotlb_misses = s.iotlb_misses;
	stats->faults_translation = s.faults_translation;
	stats->faults_permission = s.faults_permission;
}
