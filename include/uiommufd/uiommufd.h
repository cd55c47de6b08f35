/* SPDX-License-Identifier: MIT */
/*
 * libuiommufd: the Linux iommufd interface, served in user space.
 *
 * The library hands out file descriptors that behave like an open of
 * /dev/iommu: every descriptor is a real kernel fd underneath (so its number,
 * close-on-exec flag and poll behaviour are real), and the engine keeps a table
 * from fd number to the emulated file behind it. The same calls serve the
 * preload shim (which routes a program's open/ioctl/close here) and programs
 * that link the library directly.
 *
 * Every function returns a non-negative value on success and -errno on
 * failure; none of them sets errno or logs.
 */
#ifndef UIOMMUFD_UIOMMUFD_H
#define UIOMMUFD_UIOMMUFD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * uiommufd_open() - open a new iommufd context, like open("/dev/iommu")
 * @flags: O_CLOEXEC and O_NONBLOCK are honoured, other open flags ignored
 *
 * Return: the new file descriptor, or -errno.
 */
int uiommufd_open(int flags);

/**
 * uiommufd_ioctl() - issue an iommufd ioctl on an emulated fd
 * @fd: a descriptor from uiommufd_open() or one the engine handed out
 * @request: the ioctl number, e.g. IOMMU_IOAS_MAP
 * @arg: the ioctl argument (a user pointer; a bad one gives -EFAULT)
 *
 * Return: 0 (or a non-negative ioctl result) on success, -errno on failure.
 */
long uiommufd_ioctl(int fd, unsigned long request, void *arg);

/** uiommufd_read() - read(2) on an emulated fd (event and fault queues). */
ssize_t uiommufd_read(int fd, void *buf, size_t count);

/** uiommufd_write() - write(2) on an emulated fd (fault responses). */
ssize_t uiommufd_write(int fd, const void *buf, size_t count);

/**
 * uiommufd_close() - close an emulated fd; the last close of a context tears
 * down every object it holds. Return: 0 or -EBADF.
 */
int uiommufd_close(int fd);

/** uiommufd_is_emulated() - true if @fd is a descriptor the engine serves. */
bool uiommufd_is_emulated(int fd);

/**
 * uiommufd_fd_dup() - record that @newfd (already made by dup/dup2/dup3/
 * fcntl(F_DUPFD)) refers to the same emulated file as @oldfd. If @newfd was
 * itself emulated, its old file is released first.
 *
 * Return: 0, or -EBADF if @oldfd is not emulated.
 */
int uiommufd_fd_dup(int oldfd, int newfd);

/**
 * uiommufd_fd_forget() - drop the engine's record of @fd without closing the
 * kernel fd (the caller closes it). Used when a program closes or dup2()s over
 * an emulated fd.
 */
void uiommufd_fd_forget(int fd);

/**
 * uiommufd_fail_nth() - arm fault injection: the @nth failure point reached
 * from now on (1-based) fails as if out of memory; 0 disarms.
 */
void uiommufd_fail_nth(unsigned long nth);

/**
 * uiommufd_fail_nth_hit() - true if the armed failure has been injected since
 * the last uiommufd_fail_nth() call. A sweep stops when a scenario completes
 * without it being hit.
 */
bool uiommufd_fail_nth_hit(void);

/**
 * uiommufd_last_reason() - the reason, in words, why the last failed call on
 * this thread was refused ("iova 0x1000 overlaps reserved range ..."), or ""
 */
const char *uiommufd_last_reason(void);

#ifdef __cplusplus
}
#endif
#endif
