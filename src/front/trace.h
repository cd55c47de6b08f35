/* SPDX-License-Identifier: MIT */
/*
 * The decoded trace: one line per call on an emulated fd (open, close,
 * read, write and every ioctl), switched on by UIOMMUFD_TRACE (see
 * front/options.h) when the library is loaded.
 *
 * The public entry points (front/api.c) test uio_trace_on, a flag written
 * once by the library's constructor before any call can be made, and only
 * when it is set hand the call to uio_trace_*(), which decode the caller's
 * arguments, make the call through @fn and write the line. Tracing off costs
 * that one predictable branch.
 */
#ifndef UIOMMUFD_FRONT_TRACE_H
#define UIOMMUFD_FRONT_TRACE_H

#include <stdbool.h>
#include <sys/types.h>

extern bool uio_trace_on;

typedef long (*uio_ioctl_fn)(int fd, unsigned long request, void *arg);
typedef ssize_t (*uio_read_fn)(int fd, void *buf, size_t count);
typedef ssize_t (*uio_write_fn)(int fd, const void *buf, size_t count);

long uio_trace_ioctl(int fd, unsigned long request, void *arg, uio_ioctl_fn fn);
ssize_t uio_trace_read(int fd, void *buf, size_t count, uio_read_fn fn);
ssize_t uio_trace_write(int fd, const void *buf, size_t count,
			uio_write_fn fn);
/* open and close happened already: just record them */
void uio_trace_open(int flags, int rc);
/* the open of another node than /dev/iommu: its path is shown */
void uio_trace_open_path(const char *path, int flags, int rc);
void uio_trace_close(int fd, int rc);

#endif
