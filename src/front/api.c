/* SPDX-License-Identifier: MIT */
/*
 * The public C API (include/uiommufd/uiommufd.h): the in-process front end,
 * and what the preload shim calls for every intercepted operation.
 *
 * An open of /dev/iommu is an iommufd context wrapped in a uio_file whose ops
 * forward ioctls to the core and whose release destroys the context, so the
 * context goes away with the last fd (dup()s included) and never while an
 * ioctl on another thread still uses it. Every call takes a short-term
 * reference on the file for its duration (uio_fd_get()/uio_file_put()).
 *
 * A few ioctls are answered by the kernel's VFS for every file before the
 * driver sees them (FIOCLEX, FIONCLEX, FIONBIO, FIOASYNC); they act on the
 * placeholder's open file description, so they go to the kernel fd with a raw
 * system call (the libc ioctl() may be the shim's own). Functions return
 * -errno and never log; a refusal records its reason for
 * uiommufd_last_reason().
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/context.h"
#include "front/file.h"
#include "uiommufd/uiommufd.h"
#include "util/alloc.h"
#include "util/export.h"
#include "util/reason.h"

static long iommufd_file_ioctl(struct uio_file *file, unsigned long cmd,
			       void *arg)
{
	return iommufd_ctx_ioctl(file->priv, cmd, arg);
}

static void iommufd_file_release(struct uio_file *file)
{
	iommufd_ctx_destroy(file->priv);
	uio_free(file);
}

/* Like the kernel's iommufd_fops: no read, write or poll. */
static const struct uio_file_ops iommufd_file_ops = {
	.name = "iommufd",
	.ioctl = iommufd_file_ioctl,
	.release = iommufd_file_release,
};

struct iommufd_ctx *uio_fd_iommufd_ctx(int fd)
{
	struct uio_file *file = uio_fd_get(fd);
	struct iommufd_ctx *ictx = NULL;

	if (!file)
		return NULL;
	if (file->ops == &iommufd_file_ops) {
		ictx = file->priv;
		iommufd_ctx_get(ictx);
	}
	uio_file_put(file);
	return ictx;
}

UIOMMUFD_EXPORT int uiommufd_open(int flags)
{
	struct iommufd_ctx *ictx;
	struct uio_file *file;
	int fd;

	ictx = iommufd_ctx_alloc();
	if (!ictx)
		return -ENOMEM;
	file = uio_zalloc(sizeof(*file));
	if (!file) {
		fd = -ENOMEM;
		goto out_destroy;
	}
	file->ops = &iommufd_file_ops;
	file->flags = flags & (O_CLOEXEC | O_NONBLOCK);
	file->priv = ictx;
	fd = uio_file_install(file, file->flags);
	if (fd < 0)
		goto out_free;
	return fd;

out_free:
	uio_free(file);
out_destroy:
	iommufd_ctx_destroy(ictx);
	return fd;
}

/* ioctls the VFS serves for every file before the driver sees them */
static bool vfs_generic_ioctl(unsigned long request)
{
	switch (request) {
	case FIOCLEX:
	case FIONCLEX:
	case FIONBIO:
	case FIOASYNC:
		return true;
	}
	return false;
}

UIOMMUFD_EXPORT long uiommufd_ioctl(int fd, unsigned long request, void *arg)
{
	struct uio_file *file = uio_fd_get(fd);
	long rc;

	uio_reason_clear();
	if (!file)
		return uio_fail(-EBADF, "fd %d is not an emulated file", fd);
	if (vfs_generic_ioctl(request)) {
		rc = syscall(SYS_ioctl, fd, request, arg);
		if (rc < 0)
			rc = -errno;
	} else if (file->ops->ioctl) {
		rc = file->ops->ioctl(file, request, arg);
	} else {
		rc = uio_fail(-ENOTTY, "%s has no ioctls", file->ops->name);
	}
	uio_file_put(file);
	return rc;
}

UIOMMUFD_EXPORT ssize_t uiommufd_read(int fd, void *buf, size_t count)
{
	struct uio_file *file = uio_fd_get(fd);
	ssize_t rc;

	uio_reason_clear();
	if (!file)
		return uio_fail(-EBADF, "fd %d is not an emulated file", fd);
	if (file->ops->read)
		rc = file->ops->read(file, buf, count);
	else
		rc = uio_fail(-EINVAL, "%s cannot be read", file->ops->name);
	uio_file_put(file);
	return rc;
}

UIOMMUFD_EXPORT ssize_t uiommufd_write(int fd, const void *buf, size_t count)
{
	struct uio_file *file = uio_fd_get(fd);
	ssize_t rc;

	uio_reason_clear();
	if (!file)
		return uio_fail(-EBADF, "fd %d is not an emulated file", fd);
	if (file->ops->write)
		rc = file->ops->write(file, buf, count);
	else
		rc = uio_fail(-EINVAL, "%s cannot be written", file->ops->name);
	uio_file_put(file);
	return rc;
}

UIOMMUFD_EXPORT int uiommufd_close(int fd)
{
	/* forget first, then close: once the kernel fd is closed its number
	 * may be handed out again and installed by another thread */
	struct uio_file *file = uio_fd_take(fd);

	if (!file)
		return -EBADF;
	syscall(SYS_close, fd);
	uio_file_put(file);
	return 0;
}

UIOMMUFD_EXPORT bool uiommufd_is_emulated(int fd)
{
	return uio_fd_is_emulated(fd);
}

UIOMMUFD_EXPORT int uiommufd_fd_dup(int oldfd, int newfd)
{
	return uio_fd_dup(oldfd, newfd);
}

UIOMMUFD_EXPORT void uiommufd_fd_forget(int fd)
{
	uio_file_put(uio_fd_take(fd));
}

UIOMMUFD_EXPORT void uiommufd_fd_forget_range(unsigned int first,
					      unsigned int last)
{
	uio_fd_forget_range(first, last);
}
