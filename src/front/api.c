/* SPDX-License-Identifier: MIT */
/*
 * The public C API (include/uiommufd/uiommufd.h): the in-process front end,
 * and what the preload shim calls for every intercepted operation.
 *
 * uiommufd_open_path() is the open of the device nodes the engine serves:
 * /dev/iommu; /dev/vfio/vfio, which is an iommufd too (as when Linux's
 * iommufd provides the VFIO container: the same context, charging pinned
 * pages per process as VFIO does), whose VFIO container ioctls the core
 * answers; and the VFIO device cdevs /dev/vfio/devices/vfioN configured by
 * UIOMMUFD_VFIO_DEVS (front/vfio_cdev.c). Any other path, and a device
 * number that is not configured, is -ENOENT: not the engine's.
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
 *
 * The decoded trace (front/trace.c) wraps the open/close/read/write/ioctl
 * entry points when UIOMMUFD_TRACE or UIOMMUFD_STRICT is set; otherwise
 * each pays one branch on uio_trace_on. The environment is read once, by
 * constructors, when the library is loaded: the trace's own, and here
 * UIOMMUFD_MEMLOCK (the RLIMIT_MEMLOCK the pin ledger charges to, as seen
 * by a process without CAP_IPC_LOCK; see front/options.h).
 */
#include <errno.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/context.h"
#include "core/pages.h"
#include "front/file.h"
#include "front/options.h"
#include "core/eventq.h"
#include "front/trace.h"
#include "front/vfio_cdev.h"
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

static int open_call(int flags, bool vfio_container)
{
	struct iommufd_ctx *ictx;
	struct uio_file *file;
	int fd;

	ictx = iommufd_ctx_alloc();
	if (!ictx)
		return -ENOMEM;
	if (vfio_container)
		iommufd_ctx_set_vfio_container(ictx);
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

UIOMMUFD_EXPORT int uiommufd_open(int flags)
{
	int fd = open_call(flags, false);

	if (unlikely(uio_trace_on))
		uio_trace_open(flags & (O_CLOEXEC | O_NONBLOCK), fd);
	return fd;
}

static const char vfio_cdev_prefix[] = "/dev/vfio/devices/vfio";

/* N of "/dev/vfio/devices/vfioN" (decimal, no leading zero), or -1 */
static long vfio_cdev_index(const char *path)
{
	const char *s = path + sizeof(vfio_cdev_prefix) - 1;
	long n = 0;

	if (strncmp(path, vfio_cdev_prefix, sizeof(vfio_cdev_prefix) - 1) ||
	    !*s || (s[0] == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || n > INT_MAX / 10)
			return -1;
		n = n * 10 + (*s - '0');
	}
	return n;
}

UIOMMUFD_EXPORT int uiommufd_open_path(const char *path, int flags)
{
	bool iommu = false;
	long index = -1;
	int fd;

	if (!path)
		return -ENOENT;
	if (!strcmp(path, "/dev/iommu")) {
		iommu = true;
	} else if (strcmp(path, "/dev/vfio/vfio")) {
		/* a device that is not configured is not ours either */
		index = vfio_cdev_index(path);
		if (index < 0)
			return -ENOENT;
	}
	/* what the VFS says when these meet an existing character device
	 * (before the driver sees the open: not traced) */
	if (flags & O_DIRECTORY)
		return -ENOTDIR;
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return -EEXIST;
	if (iommu)
		return uiommufd_open(flags);
	if (index < 0)
		fd = open_call(flags, true);
	else
		fd = uio_vfio_cdev_open((unsigned int)index, flags);
	if (unlikely(uio_trace_on) && fd != -ENOENT)
		uio_trace_open_path(path, flags & (O_CLOEXEC | O_NONBLOCK),
				    fd);
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

static inline long ioctl_call(int fd, unsigned long request, void *arg)
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

UIOMMUFD_EXPORT long uiommufd_ioctl(int fd, unsigned long request, void *arg)
{
	if (unlikely(uio_trace_on))
		return uio_trace_ioctl(fd, request, arg, ioctl_call);
	return ioctl_call(fd, request, arg);
}

static inline ssize_t read_call(int fd, void *buf, size_t count)
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

UIOMMUFD_EXPORT ssize_t uiommufd_read(int fd, void *buf, size_t count)
{
	if (unlikely(uio_trace_on))
		return uio_trace_read(fd, buf, count, read_call);
	return read_call(fd, buf, count);
}

static inline ssize_t write_call(int fd, const void *buf, size_t count)
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

UIOMMUFD_EXPORT ssize_t uiommufd_write(int fd, const void *buf, size_t count)
{
	if (unlikely(uio_trace_on))
		return uio_trace_write(fd, buf, count, write_call);
	return write_call(fd, buf, count);
}

UIOMMUFD_EXPORT int uiommufd_mmap(int fd, void *hint, size_t length, int prot,
				  int flags, off_t offset, void **addr)
{
	struct iommufd_ctx *ictx;
	long rc;

	uio_reason_clear();
	ictx = uio_fd_iommufd_ctx(fd);
	if (!ictx)
		return uio_fail(-ENODEV, "fd %d cannot be mapped", fd);
	if (!(flags & MAP_SHARED) || (flags & MAP_FIXED))
		rc = uio_fail(-EINVAL, "only a MAP_SHARED mapping, not fixed");
	else if (prot & PROT_EXEC)
		rc = uio_fail(-EPERM, "PROT_EXEC on iommufd pages");
	else if (offset < 0)
		rc = uio_fail(-EINVAL, "negative offset");
	else
		rc = iommufd_mmap(ictx, (uint64_t)offset, length, addr);
	(void)hint;
	iommufd_ctx_put(ictx);
	return (int)rc;
}

UIOMMUFD_EXPORT int uiommufd_munmap(void *addr, size_t length)
{
	(void)length;
	return iommufd_munmap(addr);
}

UIOMMUFD_EXPORT int uiommufd_close(int fd)
{
	/* forget first, then close: once the kernel fd is closed its number
	 * may be handed out again and installed by another thread */
	struct uio_file *file = uio_fd_take(fd);
	int rc = 0;

	if (file) {
		syscall(SYS_close, fd);
		uio_file_put(file);
	} else {
		rc = -EBADF;
	}
	if (unlikely(uio_trace_on))
		uio_trace_close(fd, rc);
	return rc;
}

UIOMMUFD_EXPORT bool uiommufd_is_emulated(int fd)
{
	return uio_fd_is_emulated(fd);
}

UIOMMUFD_EXPORT int uiommufd_fd_dup(int oldfd, int newfd)
{
	return uio_fd_dup(oldfd, newfd);
}

/* the shim's close(): the program sees it as the close of an emulated fd */
UIOMMUFD_EXPORT void uiommufd_fd_forget(int fd)
{
	struct uio_file *file = uio_fd_take(fd);

	uio_file_put(file);
	if (unlikely(uio_trace_on) && file)
		uio_trace_close(fd, 0);
}

UIOMMUFD_EXPORT void uiommufd_fd_forget_range(unsigned int first,
					      unsigned int last)
{
	uio_fd_forget_range(first, last);
}

/* UIOMMUFD_MEMLOCK: set by uiommufd-run --memlock, or by hand */
__attribute__((constructor)) static void front_memlock_from_env(void)
{
	const char *s = getenv(UIOMMUFD_ENV_MEMLOCK);
	uint64_t bytes;

	if (!s || !*s)
		return;
	if (uio_parse_bytes(s, &bytes)) {
		/* asked for by hand and mistyped: say so once, raw (the
		 * shim's write() is ours) */
		static const char msg[] = "uiommufd: UIOMMUFD_MEMLOCK is not a "
					  "byte count; ignored\n";

		syscall(SYS_write, 2, msg, sizeof(msg) - 1);
		return;
	}
	/* the limit applies as to an unprivileged process: a root run
	 * (CAP_IPC_LOCK) would otherwise not be limited at all */
	pin_ledger_set_limit(bytes == UIOMMUFD_MEMLOCK_UNLIMITED ?
				     UINT64_MAX - 1 :
				     bytes,
			     0);
}
