/* SPDX-License-Identifier: MIT */
/*
 * ABI test: an iommufd descriptor behaves like a file descriptor.
 *
 * Opening /dev/iommu (open and openat), the id space of a context shared by
 * every dup of its fd (dup, dup2, dup3, fcntl(F_DUPFD_CLOEXEC)), dup2 over an
 * iommufd dropping the old one, close of one dup leaving the others working,
 * O_CLOEXEC and O_NONBLOCK on the descriptor, FIOCLEX, fork inheritance, EBADF
 * after close, a number reused after close_range(), closefrom() or a raw
 * close no longer reaching the old context, ENOTTY for unknown ioctls, EINVAL
 * for read and write, poll.
 *
 * Uses only libc and <linux/iommufd.h>, so it runs both under uiommufd-run
 * and on a kernel with iommufd. Exit 0 pass, 1 fail, 77 skip (no /dev/iommu).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dup3, close_range */
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <linux/iommufd.h>

_Static_assert(sizeof(struct iommu_ioas_alloc) == 12, "iommu_ioas_alloc");

static int failures;

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "FAIL %s:%d: %s (errno %s)\n",       \
				__FILE__, __LINE__, #cond, strerror(errno)); \
			failures++;                                          \
		}                                                            \
	} while (0)

/* IOAS_ALLOC on @fd: the new id, or -errno */
static long ioas_alloc(int fd)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	if (ioctl(fd, IOMMU_IOAS_ALLOC, &cmd))
		return -errno;
	return cmd.out_ioas_id;
}

static int open_iommu(int flags)
{
	return open("/dev/iommu", O_RDWR | flags);
}

static void test_alloc_ids(int fd)
{
	CHECK(ioas_alloc(fd) == 1);
	CHECK(ioas_alloc(fd) == 2);
}

static void test_unknown_ioctls(int fd)
{
	struct termios tio;
	char buf[64] = { 0 };

	errno = 0;
	CHECK(ioctl(fd, _IO(IOMMUFD_TYPE, 0xfe), buf) == -1 && errno == ENOTTY);
	errno = 0;
	CHECK(ioctl(fd, TCGETS, &tio) == -1 && errno == ENOTTY);
}

/* every dup shares the context: ids keep counting from @next */
static long test_dups(int fd, long next)
{
	int d1, d2, d3, d4, other, p[2];

	d1 = dup(fd);
	CHECK(d1 >= 0);
	CHECK(ioas_alloc(d1) == next++);

	d2 = dup2(fd, 100);
	CHECK(d2 == 100);
	CHECK(ioas_alloc(d2) == next++);

	d3 = fcntl(fd, F_DUPFD_CLOEXEC, 50);
	CHECK(d3 >= 50);
	CHECK(fcntl(d3, F_GETFD) == FD_CLOEXEC);
	CHECK(fcntl(fd, F_GETFD) == 0);
	CHECK(ioas_alloc(d3) == next++);

	d4 = dup3(fd, 101, O_CLOEXEC);
	CHECK(d4 == 101);
	CHECK(fcntl(d4, F_GETFD) == FD_CLOEXEC);
	CHECK(ioas_alloc(d4) == next++);

	/* dup2 over another iommufd: that one is gone, ours answers */
	other = open_iommu(0);
	CHECK(other >= 0);
	CHECK(ioas_alloc(other) == 1);
	CHECK(dup2(fd, other) == other);
	CHECK(ioas_alloc(other) == next++);

	/* dup2 of a pipe over a dup: the number is a pipe now */
	CHECK(pipe(p) == 0);
	CHECK(dup2(p[0], d2) == d2);
	CHECK(ioas_alloc(d2) == -ENOTTY);
	CHECK(ioas_alloc(fd) == next++);

	/* closing the original keeps the dups working */
	CHECK(close(fd) == 0);
	CHECK(ioas_alloc(fd) == -EBADF);
	CHECK(ioas_alloc(d1) == next++);
	CHECK(ioas_alloc(d3) == next++);

	close(p[0]);
	close(p[1]);
	close(d1);
	close(d2);
	close(d3);
	close(d4);
	CHECK(ioas_alloc(other) == next++);
	close(other);
	CHECK(ioas_alloc(other) == -EBADF);
	return next;
}

static void test_flags(void)
{
	int fd;

	fd = open_iommu(O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);
	CHECK(!(fcntl(fd, F_GETFL) & O_NONBLOCK));
	close(fd);

	fd = open_iommu(O_NONBLOCK);
	CHECK(fd >= 0);
	CHECK(fcntl(fd, F_GETFD) == 0);
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
	/* the generic VFS ioctls reach the descriptor */
	CHECK(ioctl(fd, FIOCLEX) == 0);
	CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);
	CHECK(ioctl(fd, FIONCLEX) == 0);
	CHECK(fcntl(fd, F_GETFD) == 0);
	CHECK(ioas_alloc(fd) == 1);
	close(fd);
}

static void test_fork(void)
{
	int fd = open_iommu(O_CLOEXEC), status;
	pid_t pid;

	CHECK(fd >= 0);
	CHECK(ioas_alloc(fd) == 1);
	pid = fork();
	if (pid == 0)
		_exit(ioas_alloc(fd) > 1 ? 0 : 1);
	CHECK(pid > 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* the parent's descriptor is unaffected */
	CHECK(ioas_alloc(fd) > 1);
	close(fd);
}

static void test_openat(void)
{
	int fd, dir;

	fd = openat(AT_FDCWD, "/dev/iommu", O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK(ioas_alloc(fd) == 1);
	close(fd);

	/* an absolute path ignores the directory fd */
	dir = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(dir >= 0);
	fd = openat(dir, "/dev/iommu", O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK(ioas_alloc(fd) == 1);
	close(fd);
	close(dir);
}

/* a number closed by any route and handed out again is not an iommufd */
static void test_reuse(void)
{
	int fd, again;

	fd = open_iommu(O_CLOEXEC);
	CHECK(fd >= 0);
	syscall(SYS_close, fd);
	again = open("/dev/null", O_RDWR | O_CLOEXEC);
	CHECK(again == fd);
	CHECK(ioas_alloc(again) == -ENOTTY);
	close(again);

#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 34)
	fd = open_iommu(O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK(close_range(fd, fd, 0) == 0);
	CHECK(ioas_alloc(fd) == -EBADF);
	again = open("/dev/null", O_RDWR | O_CLOEXEC);
	CHECK(again == fd);
	CHECK(ioas_alloc(again) == -ENOTTY);
	close(again);

	/* a range with several iommufds in it, and closefrom() */
	fd = open_iommu(O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK(dup2(fd, 300) == 300);
	CHECK(dup2(fd, 302) == 302);
	CHECK(dup2(fd, 400) == 400);
	CHECK(close_range(300, 302, 0) == 0);
	CHECK(ioas_alloc(300) == -EBADF);
	CHECK(ioas_alloc(302) == -EBADF);
	CHECK(ioas_alloc(400) == 1);
	CHECK(dup2(fd, 5000) == 5000);
	closefrom(400);
	CHECK(ioas_alloc(400) == -EBADF);
	CHECK(ioas_alloc(5000) == -EBADF);
	CHECK(ioas_alloc(fd) == 2);
	again = open("/dev/null", O_RDWR | O_CLOEXEC);
	CHECK(dup2(again, 302) == 302);
	CHECK(ioas_alloc(302) == -ENOTTY);
	close(302);
	close(again);
	close(fd);

	/* CLOSE_RANGE_CLOEXEC keeps the descriptor */
	fd = open_iommu(0);
	CHECK(fd >= 0);
	CHECK(close_range(fd, ~0U, CLOSE_RANGE_CLOEXEC) == 0);
	CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);
	CHECK(ioas_alloc(fd) == 1);
	close(fd);
#endif
}

static void test_read_write_poll(void)
{
	int fd = open_iommu(O_CLOEXEC);
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };
	char buf[16] = { 0 };

	CHECK(fd >= 0);
	errno = 0;
	CHECK(read(fd, buf, sizeof(buf)) == -1 && errno == EINVAL);
	errno = 0;
	CHECK(write(fd, buf, sizeof(buf)) == -1 && errno == EINVAL);
	/* iommufd has no poll op: the kernel reports it always ready */
	CHECK(poll(&pfd, 1, 0) >= 0);
	close(fd);
}

static void test_closed(void)
{
	int fd = open_iommu(O_CLOEXEC);
	char buf[4];

	CHECK(fd >= 0);
	CHECK(close(fd) == 0);
	errno = 0;
	CHECK(ioas_alloc(fd) == -EBADF);
	errno = 0;
	CHECK(read(fd, buf, sizeof(buf)) == -1 && errno == EBADF);
	errno = 0;
	CHECK(close(fd) == -1 && errno == EBADF);
}

int main(void)
{
	int fd = open_iommu(0);
	long next;

	if (fd < 0) {
		fprintf(stderr, "SKIP: open /dev/iommu: %s\n", strerror(errno));
		return 77;
	}
	CHECK(fcntl(fd, F_GETFD) == 0);
	test_alloc_ids(fd);
	test_unknown_ioctls(fd);
	next = test_dups(fd, 3);
	(void)next;
	test_flags();
	test_fork();
	test_openat();
	test_reuse();
	test_read_write_poll();
	test_closed();

	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("front_fd: all checks passed\n");
	return 0;
}
