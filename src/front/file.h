/* SPDX-License-Identifier: MIT */
/*
 * Emulated files and the fd table.
 *
 * Every descriptor uiommufd hands out (an open of /dev/iommu, and later fault
 * and event queues) is a real kernel fd underneath, so that its number,
 * close-on-exec flag, poll() and fork inheritance behave as the kernel's would.
 * The kernel fd is only a placeholder: the behaviour lives in a struct
 * uio_file, found from the fd number through the fd table.
 *
 * A uio_file is reference counted: one reference per fd number that refers
 * to it (dup() adds one) plus short-term references taken by a call in
 * progress (uio_fd_get()/uio_file_put()), so that a close() racing with an
 * ioctl() on another thread never frees the file under the ioctl. When the
 * last reference goes, ops->release() runs.
 *
 * Vocabulary: "kfd" is the kernel placeholder fd; "fd" is the number the
 * program sees (the same number: the table is indexed by it).
 */
#ifndef UIOMMUFD_FRONT_FILE_H
#define UIOMMUFD_FRONT_FILE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct uio_file;

/* What one kind of emulated file does; any op may be NULL (-> -EINVAL). */
struct uio_file_ops {
	const char *name;
	/* returns >= 0 or -errno */
	long (*ioctl)(struct uio_file *file, unsigned long cmd, void *arg);
	ssize_t (*read)(struct uio_file *file, void *buf, size_t count);
	ssize_t (*write)(struct uio_file *file, const void *buf, size_t count);
	/* the last reference is gone: free priv */
	void (*release)(struct uio_file *file);
};

struct uio_file {
	const struct uio_file_ops *ops;
	atomic_long refs;
	/* O_NONBLOCK etc. as given at creation */
	int flags;
	void *priv;
};

/**
 * uio_file_install() - make a kernel placeholder fd for @file and record it.
 * @file: a new file with ops/priv/flags set; refs is set here. On success
 *        the table owns the reference; on failure the caller still owns
 *        @file (release is not called).
 * @flags: O_CLOEXEC / O_NONBLOCK for the placeholder.
 * Return: the fd number or -errno.
 */
int uio_file_install(struct uio_file *file, int flags);

/** uio_fd_get() - the file behind @fd with a short-term reference, or NULL */
struct uio_file *uio_fd_get(int fd);

/** uio_file_put() - drop a reference; releases the file on the last one */
void uio_file_put(struct uio_file *file);

#endif
