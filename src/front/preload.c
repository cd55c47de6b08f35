/* SPDX-License-Identifier: MIT */
/*
 * libuiommufd-preload.so: the LD_PRELOAD shim that lets an unmodified program
 * use /dev/iommu with no kernel support.
 *
 * It defines the libc entry points a program reaches an iommufd through and
 * routes them to libuiommufd: the open family hands "/dev/iommu",
 * "/dev/vfio/vfio" and "/dev/vfio/devices/vfioN" to uiommufd_open_path(),
 * and opens the real file when the library says the path is not one it
 * serves (-ENOENT: an unconfigured device number, say); ioctl, read and write on an emulated fd go to the engine;
 * close, close_range, closefrom, dup, dup2, dup3 and fcntl(F_DUPFD*) keep the
 * engine's fd table in step with the kernel's. Everything else, and every call
 * on a descriptor the engine does not serve, goes to the next definition
 * (libc, or a sanitizer's interceptor) found with dlsym(RTLD_NEXT) the first
 * time it is needed. The pass-through path of ioctl/read/write/close costs one
 * table check: uiommufd_is_emulated() is a few loads and no lock.
 *
 * Engine results are -errno; this is the one place that turns them into -1
 * and errno. The kernel fd under an emulated one is real, so close-on-exec,
 * F_GETFL/F_SETFL, poll() and fork() inheritance need nothing here.
 *
 * The file is compiled without _FILE_OFFSET_BITS=64 and _FORTIFY_SOURCE:
 * under them glibc's headers rename open to open64 or wrap it inline, and
 * this file must define both names itself.
 *
 * Not covered: calls libc makes internally (fclose() of an fdopen()ed
 * iommufd, posix_spawn file actions) and raw system calls bypass the shim; an
 * entry left behind by such a close is dropped when the number is handed out
 * again through open, dup or a new iommufd.
 */
#undef _FILE_OFFSET_BITS
#undef _TIME_BITS
#undef _FORTIFY_SOURCE

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "uiommufd/uiommufd.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define SHIM_EXPORT __attribute__((visibility("default")))

/* glibc's fortified entry points: declared by its headers only under
 * _FORTIFY_SOURCE, which this file turns off */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
ssize_t __read_chk(int fd, void *buf, size_t nbytes, size_t buflen);

/* ---- the next definition of each function, resolved on first use ---- */

static void shim_die(const char *name)
{
	static const char a[] = "uiommufd-preload: cannot find the real ";
	static const char b[] = "()\n";

	/* raw writes: our own write() is one of the interposed functions */
	syscall(SYS_write, 2, a, sizeof(a) - 1);
	syscall(SYS_write, 2, name, strlen(name));
	syscall(SYS_write, 2, b, sizeof(b) - 1);
	abort();
}

static void *shim_resolve(const char *name)
{
	void *fn = dlsym(RTLD_NEXT, name);

	if (!fn)
		shim_die(name);
	return fn;
}

/*
 * REAL(fn) is the next fn. Racing first calls both resolve and store the
 * same value, so a relaxed atomic is all the synchronisation needed.
 */
#define REAL_DECLARE(fn) static _Atomic(__typeof__(&fn)) real_##fn
#define REAL(fn)                                                     \
	(__extension__({                                             \
		__typeof__(&fn) f_ = atomic_load_explicit(           \
			&real_##fn, memory_order_relaxed);           \
		if (unlikely(!f_)) {                                 \
			f_ = (__typeof__(&fn))shim_resolve(#fn);     \
			atomic_store_explicit(&real_##fn, f_,        \
					      memory_order_relaxed); \
		}                                                    \
		f_;                                                  \
	}))

REAL_DECLARE(open);
REAL_DECLARE(open64);
REAL_DECLARE(openat);
REAL_DECLARE(openat64);
REAL_DECLARE(__open_2);
REAL_DECLARE(__open64_2);
REAL_DECLARE(__openat_2);
REAL_DECLARE(__openat64_2);
REAL_DECLARE(ioctl);
REAL_DECLARE(read);
REAL_DECLARE(__read_chk);
REAL_DECLARE(write);
REAL_DECLARE(close);
REAL_DECLARE(mmap);
REAL_DECLARE(mmap64);
REAL_DECLARE(munmap);
REAL_DECLARE(dup);
REAL_DECLARE(dup2);
REAL_DECLARE(dup3);
REAL_DECLARE(fcntl);
REAL_DECLARE(fcntl64);
#if __GLIBC_PREREQ(2, 34)
REAL_DECLARE(close_range);
REAL_DECLARE(closefrom);
#endif

/* ---- helpers ---- */

static inline long shim_ret(long rc)
{
	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	return rc;
}

/*
 * Might the library serve @path? Only absolute paths under /dev are
 * recognised (any dirfd); the library decides, this keeps every other
 * open to two byte compares.
 */
static inline bool is_dev_path(const char *path)
{
	return path && path[0] == '/' && path[1] == 'd' &&
	       (!strcmp(path, "/dev/iommu") ||
		!strncmp(path, "/dev/vfio/", sizeof("/dev/vfio/") - 1));
}

static inline bool open_has_mode(int flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

/* not a node the library serves: open the real file */
#define SHIM_NOT_OURS INT_MIN

/* open(@path, flags) served by the engine, or SHIM_NOT_OURS */
static int shim_open_dev(const char *path, int flags)
{
	int fd = uiommufd_open_path(path, flags);

	if (fd == -ENOENT)
		return SHIM_NOT_OURS;
	return shim_ret(fd);
}

/*
 * The kernel just handed out @fd for something that is not ours: an entry
 * still recorded under that number belongs to a placeholder that was closed
 * behind the shim's back, and must not capture the new file's ioctls.
 */
static inline int shim_fresh_fd(int fd)
{
	if (fd >= 0 && unlikely(uiommufd_is_emulated(fd)))
		uiommufd_fd_forget(fd);
	return fd;
}

/* After a successful dup of @oldfd to @newfd by the kernel. */
static int shim_after_dup(int oldfd, int newfd)
{
	int rc;

	if (newfd < 0 || newfd == oldfd)
		return newfd;
	if (uiommufd_is_emulated(oldfd)) {
		rc = uiommufd_fd_dup(oldfd, newfd);
		if (rc == 0)
			return newfd;
		if (rc != -EBADF) {
			/* no room to record it: undo rather than hand out
			 * a descriptor that would reach the placeholder */
			REAL(close)(newfd);
			return shim_ret(rc);
		}
		/* oldfd was closed meanwhile: newfd is not ours */
	}
	return shim_fresh_fd(newfd);
}

/* ---- the open family ---- */

#define OPEN_MODE(flags, last)             \
	mode_t mode = 0;                   \
	if (open_has_mode(flags)) {        \
		va_list ap;                \
		va_start(ap, last);        \
		mode = va_arg(ap, mode_t); \
		va_end(ap);                \
	}

SHIM_EXPORT int open(const char *path, int flags, ...)
{
	OPEN_MODE(flags, flags);
	if (unlikely(is_dev_path(path))) {
		int fd = shim_open_dev(path, flags);

		if (fd != SHIM_NOT_OURS)
			return fd;
	}
	return shim_fresh_fd(REAL(open)(path, flags, mode));
}

SHIM_EXPORT int open64(const char *path, int flags, ...)
{
	OPEN_MODE(flags, flags);
	if (unlikely(is_dev_path(path))) {
		int fd = shim_open_dev(path, flags);

		if (fd != SHIM_NOT_OURS)
			return fd;
	}
	return shim_fresh_fd(REAL(open64)(path, flags, mode));
}

SHIM_EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	OPEN_MODE(flags, flags);
	if (unlikely(is_dev_path(path))) {
		int fd = shim_open_dev(path, flags);

		if (fd != SHIM_NOT_OURS)
			return fd;
	}
	return shim_fresh_fd(REAL(openat)(dirfd, path, flags, mode));
}

SHIM_EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	OPEN_MODE(flags, flags);
	if (unlikely(is_dev_path(path))) {
		int fd = shim_open_dev(path, flags);

		if (fd != SHIM_NOT_OURS)
			return fd;
	}
	return shim_fresh_fd(REAL(openat64)(dirfd, path, flags, mode));
}

SHIM_EXPORT int __open_2(const char *path, int flags)
{
	if (unlikely(is_dev_path(path)) && !open_has_mode(flags)) {
		int fd = shim_open_dev(path, flags);

		if (fd != SHIM_NOT_OURS)
			return fd;
	}
	/* O_CREAT without a mode: the real one reports the bug */
	return shim_fresh_fd(REAL(__open_2)(path, flags));
}

SHIM_EXPORT int __open64_2(const char *path, int flags)
{
	if (unlikely(is_dev_path(path)) && !open_has_mode(flags)) {
		int fd = shim_open_dev(path, flags);

		if (fd != SHIM_NOT_OURS)
			return fd;
	}
	return shim_fresh_fd(REAL(__open64_2)(path, flags));
}

SHIM_EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	if (unlikely(is_dev_path(path)) && !open_has_mode(flags)) {
		int fd = shim_open_dev(path, flags);

		if (fd != SHIM_NOT_OURS)
			return fd;
	}
	return shim_fresh_fd(REAL(__openat_2)(dirfd, path, flags));
}

SHIM_EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
	if (unlikely(is_dev_path(path)) && !open_has_mode(flags)) {
		int fd = shim_open_dev(path, flags);

		if (fd != SHIM_NOT_OURS)
			return fd;
	}
	return shim_fresh_fd(REAL(__openat64_2)(dirfd, path, flags));
}

/* ---- ioctl, read, write ---- */

SHIM_EXPORT int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (likely(!uiommufd_is_emulated(fd)))
		return REAL(ioctl)(fd, request, arg);
	return (int)shim_ret(uiommufd_ioctl(fd, request, arg));
}

SHIM_EXPORT ssize_t read(int fd, void *buf, size_t count)
{
	if (likely(!uiommufd_is_emulated(fd)))
		return REAL(read)(fd, buf, count);
	return shim_ret(uiommufd_read(fd, buf, count));
}

SHIM_EXPORT ssize_t __read_chk(int fd, void *buf, size_t nbytes, size_t buflen)
{
	/* an overflowing read goes to the real one, which aborts */
	if (likely(!uiommufd_is_emulated(fd)) || nbytes > buflen)
		return REAL(__read_chk)(fd, buf, nbytes, buflen);
	return shim_ret(uiommufd_read(fd, buf, nbytes));
}

SHIM_EXPORT ssize_t write(int fd, const void *buf, size_t count)
{
	if (likely(!uiommufd_is_emulated(fd)))
		return REAL(write)(fd, buf, count);
	return shim_ret(uiommufd_write(fd, buf, count));
}

/* ---- mmap, munmap: the pages a vIOMMU hands out on an iommufd fd ---- */

static void *shim_mmap(void *addr, size_t length, int prot, int flags, int fd,
		       off_t offset)
{
	void *va = MAP_FAILED;
	int rc = uiommufd_mmap(fd, addr, length, prot, flags, offset, &va);

	if (rc < 0) {
		errno = -rc;
		return MAP_FAILED;
	}
	return va;
}

SHIM_EXPORT void *mmap(void *addr, size_t length, int prot, int flags, int fd,
		       off_t offset)
{
	if (likely(fd < 0 || (flags & MAP_ANONYMOUS) ||
		   !uiommufd_is_emulated(fd)))
		return REAL(mmap)(addr, length, prot, flags, fd, offset);
	return shim_mmap(addr, length, prot, flags, fd, offset);
}

SHIM_EXPORT void *mmap64(void *addr, size_t length, int prot, int flags,
			 int fd, off_t offset)
{
	if (likely(fd < 0 || (flags & MAP_ANONYMOUS) ||
		   !uiommufd_is_emulated(fd)))
		return REAL(mmap64)(addr, length, prot, flags, fd, offset);
	return shim_mmap(addr, length, prot, flags, fd, offset);
}

SHIM_EXPORT int munmap(void *addr, size_t length)
{
	uiommufd_munmap(addr, length);
	return REAL(munmap)(addr, length);
}

/* ---- close ---- */

SHIM_EXPORT int close(int fd)
{
	/* forget first: once the kernel closes it the number can be reused */
	if (unlikely(uiommufd_is_emulated(fd)))
		uiommufd_fd_forget(fd);
	return REAL(close)(fd);
}

#if __GLIBC_PREREQ(2, 34)
/*
 * close_range() and closefrom() drop the engine's entries of the range
 * before the kernel closes them; the library walks only what its table
 * holds, takes no lock and does not allocate, unless the last reference to
 * a context goes (they are typically called in a child between fork() and
 * exec()).
 */
SHIM_EXPORT int close_range(unsigned int first, unsigned int last, int flags)
{
	/* CLOSE_RANGE_CLOEXEC only marks the range; the placeholders live on */
	if (!(flags & CLOSE_RANGE_CLOEXEC) && first <= last)
		uiommufd_fd_forget_range(first, last);
	return REAL(close_range)(first, last, flags);
}

SHIM_EXPORT void closefrom(int lowfd)
{
	if (lowfd >= 0)
		uiommufd_fd_forget_range(lowfd, ~0U);
	REAL(closefrom)(lowfd);
}
#endif

/* ---- dup and fcntl ---- */

SHIM_EXPORT int dup(int oldfd)
{
	return shim_after_dup(oldfd, REAL(dup)(oldfd));
}

SHIM_EXPORT int dup2(int oldfd, int newfd)
{
	/* dup2(fd, fd) only checks fd */
	return shim_after_dup(oldfd, REAL(dup2)(oldfd, newfd));
}

SHIM_EXPORT int dup3(int oldfd, int newfd, int flags)
{
	return shim_after_dup(oldfd, REAL(dup3)(oldfd, newfd, flags));
}

static inline bool fcntl_is_dup(int cmd)
{
	return cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC;
}

SHIM_EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	long arg;

	/* every fcntl argument (int, pointer) fits a long on Linux ABIs */
	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	if (likely(!fcntl_is_dup(cmd)))
		return REAL(fcntl)(fd, cmd, arg);
	return shim_after_dup(fd, REAL(fcntl)(fd, cmd, arg));
}

SHIM_EXPORT int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	if (likely(!fcntl_is_dup(cmd)))
		return REAL(fcntl64)(fd, cmd, arg);
	return shim_after_dup(fd, REAL(fcntl64)(fd, cmd, arg));
}
