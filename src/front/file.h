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
 * last reference goes, ops->release() runs. (How the table counts its own
 * share inside refs is its business, see fdtable.c: change refs only through
 * uio_file_get() and uio_file_put(), and never read it.)
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

/*
 * What one kind of emulated file does. Any op may be NULL, with the kernel's
 * answer for a file_operations without it: ioctl -> -ENOTTY, read and
 * write -> -EINVAL.
 */
struct uio_file_ops {
	const char *name;
	/* returns >= 0 or -errno */
	long (*ioctl)(struct uio_file *file, unsigned long cmd, void *arg);
	ssize_t (*read)(struct uio_file *file, void *buf, size_t count);
	ssize_t (*write)(struct uio_file *file, const void *buf, size_t count);
	/* the last reference is gone: free priv (and the file itself if its
	 * creator allocated it); may run on any thread */
	void (*release)(struct uio_file *file);
};

struct uio_file {
	const struct uio_file_ops *ops;
	atomic_long refs; /* see above: only through get/put */
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

/**
 * uio_file_install_kfd() - record @file under a kernel fd the caller made
 * (an eventfd for a queue, say), for callers that need more than a memfd
 * placeholder. Same ownership rules as uio_file_install(); on failure the
 * caller also still owns @kfd. An entry left at @kfd by a placeholder that
 * was closed behind the engine's back is released.
 * Return: @kfd or -errno.
 */
int uio_file_install_kfd(struct uio_file *file, int kfd);

/** uio_fd_get() - the file behind @fd with a short-term reference, or NULL */
struct uio_file *uio_fd_get(int fd);

/** uio_file_put() - drop a reference; releases the file on the last one */
void uio_file_put(struct uio_file *file);

/** uio_file_get() - another reference on a file the caller holds one on */
static inline struct uio_file *uio_file_get(struct uio_file *file)
{
	atomic_fetch_add_explicit(&file->refs, 1, memory_order_relaxed);
	return file;
}

/** uio_fd_is_emulated() - true if the table has a file at @fd; no reference */
bool uio_fd_is_emulated(int fd);

/**
 * uio_fd_take() - remove the entry at @fd and hand its reference to the
 * caller (who puts it), or NULL if there was none. The kernel fd is untouched.
 */
struct uio_file *uio_fd_take(int fd);

/**
 * uio_fd_dup() - make @newfd refer to the file at @oldfd, releasing what
 * @newfd referred to before. Return: 0, -EBADF (@oldfd not emulated) or
 * -ENOMEM.
 */
int uio_fd_dup(int oldfd, int newfd);

/**
 * uio_fd_forget_range() - drop the entries of [@first, @last] (kernel fds
 * untouched), for close_range() and closefrom(); costs what the table holds,
 * not the width of the range.
 */
void uio_fd_forget_range(unsigned int first, unsigned int last);

/**
 * uio_fd_next() - the lowest emulated fd >= @fd, or -1 (no reference taken:
 * pair with uio_fd_get()). For walking every open file (the state dump).
 */
int uio_fd_next(int fd);

#endif
