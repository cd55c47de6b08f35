/* SPDX-License-Identifier: MIT */
/*
 * The iommufd context: what one open of /dev/iommu owns (the kernel's
 * struct iommufd_ctx). The front end creates one per open, forwards ioctls to
 * it and destroys it on the last close.
 */
#ifndef UIOMMUFD_CORE_CONTEXT_H
#define UIOMMUFD_CORE_CONTEXT_H

struct iommufd_ctx;

/** iommufd_ctx_alloc() - a new empty context, or NULL when out of memory */
struct iommufd_ctx *iommufd_ctx_alloc(void);

/**
 * iommufd_ctx_ioctl() - dispatch one ioctl.
 * @arg is a user pointer; it is read and written only through uaccess, so a
 * bad pointer gives -EFAULT. Return: >= 0 or -errno.
 */
long iommufd_ctx_ioctl(struct iommufd_ctx *ictx, unsigned long cmd, void *arg);

/**
 * iommufd_ctx_set_vfio_container() - make a new context the one an open of
 * /dev/vfio/vfio gives when iommufd provides the VFIO container: the same
 * iommufd, charging pinned pages per process (IOPT_PAGES_ACCOUNT_MM) as
 * VFIO type1 does, instead of per user. Call before any ioctl.
 */
void iommufd_ctx_set_vfio_container(struct iommufd_ctx *ictx);

/* hold and release the context (an emulated device bound to it holds it) */
void iommufd_ctx_get(struct iommufd_ctx *ictx);
void iommufd_ctx_put(struct iommufd_ctx *ictx);

/* the context behind an emulated iommufd @fd, held, or NULL (front/api.c) */
struct iommufd_ctx *uio_fd_iommufd_ctx(int fd);

/** iommufd_ctx_destroy() - tear down every object, leaves first; never fails */
void iommufd_ctx_destroy(struct iommufd_ctx *ictx);

#endif
