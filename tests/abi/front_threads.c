/* SPDX-License-Identifier: MIT */
/*
 * ABI test: iommufd descriptors under concurrency.
 *
 * Four threads allocate and destroy IOASes in a loop on one shared fd, while
 * the main thread opens, uses and closes other iommufds and a fifth thread
 * issues ioctls on whichever of those is current, racing with its close().
 * Every call must return 0 or an errno that the race explains (EBADF once
 * closed; ENOTTY if the number went to something else), nothing may crash,
 * and the shared fd must be intact afterwards. The main thread also forks
 * while the others run: the child must be able to open and use a new iommufd.
 *
 * Uses only libc and <linux/iommufd.h>. Exit 0 pass, 1 fail, 77 skip.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/iommufd.h>

#define NR_WORKERS 4
#define WORKER_ITERS 20000
#define MAIN_ITERS 1000
#define FORK_EVERY 250

static int shared_fd;
static atomic_int victim_fd = -1;
static atomic_bool stop;
static atomic_int failures;

static void fail(const char *what, int err)
{
	fprintf(stderr, "FAIL: %s: %s\n", what, strerror(err));
	atomic_fetch_add(&failures, 1);
}

static int ioas_alloc(int fd, uint32_t *id)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	if (ioctl(fd, IOMMU_IOAS_ALLOC, &cmd))
		return errno;
	*id = cmd.out_ioas_id;
	return 0;
}

static int destroy(int fd, uint32_t id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return ioctl(fd, IOMMU_DESTROY, &cmd) ? errno : 0;
}

static void *worker(void *arg)
{
	uint32_t id = 0;
	int i, err;

	(void)arg;
	for (i = 0; i < WORKER_ITERS; i++) {
		err = ioas_alloc(shared_fd, &id);
		if (err) {
			fail("IOAS_ALLOC on the shared fd", err);
			break;
		}
		err = destroy(shared_fd, id);
		if (err) {
			fail("DESTROY on the shared fd", err);
			break;
		}
	}
	return NULL;
}

/* ioctls on an fd that the main thread closes under us */
static void *victim(void *arg)
{
	uint32_t id = 0;
	int fd, err;

	(void)arg;
	while (!atomic_load(&stop)) {
		fd = atomic_load(&victim_fd);
		if (fd < 0)
			continue;
		err = ioas_alloc(fd, &id);
		if (err && err != EBADF && err != ENOTTY)
			fail("IOAS_ALLOC racing with close", err);
	}
	return NULL;
}

static void fork_child_check(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
		uint32_t id = 0;

		if (fd < 0 || ioas_alloc(fd, &id) || id != 1)
			_exit(1);
		_exit(close(fd) ? 1 : 0);
	}
	if (pid < 0) {
		fail("fork", errno);
		return;
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		fail("iommufd in a child forked during the stress", 0);
}

int main(void)
{
	pthread_t workers[NR_WORKERS], vthread;
	uint32_t id = 0;
	int i, fd, err;

	shared_fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (shared_fd < 0) {
		fprintf(stderr, "SKIP: open /dev/iommu: %s\n", strerror(errno));
		return 77;
	}
	for (i = 0; i < NR_WORKERS; i++)
		pthread_create(&workers[i], NULL, worker, NULL);
	pthread_create(&vthread, NULL, victim, NULL);

	for (i = 0; i < MAIN_ITERS; i++) {
		fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			fail("open /dev/iommu", errno);
			break;
		}
		err = ioas_alloc(fd, &id);
		if (err)
			fail("IOAS_ALLOC on a new fd", err);
		atomic_store(&victim_fd, fd);
		/* give the victim thread a window on the live fd */
		for (int j = 0; j < 3; j++)
			ioas_alloc(fd, &id);
		if (close(fd))
			fail("close", errno);
		if (i % FORK_EVERY == FORK_EVERY / 2)
			fork_child_check();
	}
	atomic_store(&stop, true);
	pthread_join(vthread, NULL);
	for (i = 0; i < NR_WORKERS; i++)
		pthread_join(workers[i], NULL);

	/* every worker destroyed what it made: the shared fd still works */
	err = ioas_alloc(shared_fd, &id);
	if (err)
		fail("IOAS_ALLOC after the stress", err);
	if (close(shared_fd))
		fail("close shared fd", errno);

	if (atomic_load(&failures)) {
		fprintf(stderr, "%d failure(s)\n", atomic_load(&failures));
		return 1;
	}
	printf("front_threads: passed\n");
	return 0;
}
