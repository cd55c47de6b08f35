/* SPDX-License-Identifier: MIT */
/*
 * The program the trace tests run: a fixed sequence of calls on /dev/iommu,
 * successful and failing ones, whose trace check_trace.py then reads. It
 * checks the answers it gets too (the trace must not change them) and
 * prints one line per failed expectation.
 *
 *   trace_prog basic     every kind of call the trace decodes
 *   trace_prog threads   NR_THREADS threads x NR_CALLS ioctls (line atomicity),
 *                        then a forked child's own open/ioctl/close
 *   trace_prog memlock   a mapping larger than --memlock=1M is refused
 *   trace_prog failnth  the first failure point (open) fails: --fail-nth=1
 *   trace_prog env       print the UIOMMUFD_* variables it was given
 *
 * Built twice: plain (raw open/ioctl/read/write/close, run under
 * uiommufd-run) and with TRACE_INPROC (the same calls through libuiommufd
 * directly: the trace is switched on by the environment alone).
 *
 * Exit 0 pass, 1 fail, 77 skip (no /dev/iommu: not under the preload).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>
#include <linux/vfio.h>
#include <linux/vfio_iommufd.h>

#ifdef TRACE_INPROC
#include <uiommufd/uiommufd.h>
#endif

#define NR_THREADS 4
#define NR_CALLS 200

static int failures;

#define EXPECT(cond)                                                       \
	do {                                                               \
		if (!(cond)) {                                             \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__,     \
			       #cond);                                     \
			failures++;                                        \
		}                                                          \
	} while (0)

/* 0 or more on success, -errno on failure, in both builds */
#ifdef TRACE_INPROC
static int xopen(void)
{
	return uiommufd_open(O_CLOEXEC);
}

static long xioctl(int fd, unsigned long req, void *arg)
{
	return uiommufd_ioctl(fd, req, arg);
}

static long xread(int fd, void *buf, size_t n)
{
	return uiommufd_read(fd, buf, n);
}

static long xwrite(int fd, const void *buf, size_t n)
{
	return uiommufd_write(fd, buf, n);
}

static int xclose(int fd)
{
	return uiommufd_close(fd);
}

static int xopen_path(const char *path)
{
	return uiommufd_open_path(path, O_CLOEXEC);
}
#else
static int xopen(void)
{
	int fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static long xioctl(int fd, unsigned long req, void *arg)
{
	long rc = ioctl(fd, req, arg);

	return rc < 0 ? -errno : rc;
}

static long xread(int fd, void *buf, size_t n)
{
	long rc = read(fd, buf, n);

	return rc < 0 ? -errno : rc;
}

static long xwrite(int fd, const void *buf, size_t n)
{
	long rc = write(fd, buf, n);

	return rc < 0 ? -errno : rc;
}

static int xclose(int fd)
{
	return close(fd) ? -errno : 0;
}

static int xopen_path(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}
#endif

static uint32_t ioas_alloc(int fd)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	EXPECT(xioctl(fd, IOMMU_IOAS_ALLOC, &cmd) == 0);
	return cmd.out_ioas_id;
}

static long map(int fd, uint32_t ioas, uint32_t flags, void *va, uint64_t len,
		uint64_t *iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = *iova,
	};
	long rc = xioctl(fd, IOMMU_IOAS_MAP, &cmd);

	*iova = cmd.iova;
	return rc;
}

static const uint32_t rw_fixed = IOMMU_IOAS_MAP_FIXED_IOVA |
				 IOMMU_IOAS_MAP_WRITEABLE |
				 IOMMU_IOAS_MAP_READABLE;

static int basic(int fd)
{
	size_t ps = sysconf(_SC_PAGESIZE);
	void *buf = mmap(NULL, 16 * ps, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct iommu_iova_range ranges[4], allow[2] = {
		{ .start = 0x2000000, .last = 0x2ffffff },
		{ .start = 0x4000000, .last = 0x4ffffff },
	};
	uint64_t iova;
	uint32_t ioas, ioas2, idev, parent;
	char byte[16];

	EXPECT(buf != MAP_FAILED);
	ioas = ioas_alloc(fd);

	/* reserve [16M, 17M), then map into it: refused, with its reason */
	{
		struct iommu_test_cmd cmd = {
			.size = sizeof(cmd),
			.op = IOMMU_TEST_OP_ADD_RESERVED,
			.id = ioas,
			.add_reserved = { .start = 0x1000000,
					  .length = 0x100000 },
		};

		EXPECT(xioctl(fd, IOMMU_TEST_CMD, &cmd) == 0);
	}
	iova = 0x1000000;
	EXPECT(map(fd, ioas, rw_fixed, buf, 4 * ps, &iova) == -EINVAL);
	iova = 0x2000000;
	EXPECT(map(fd, ioas, rw_fixed, buf, 4 * ps, &iova) == 0);
	iova = 0;
	EXPECT(map(fd, ioas, IOMMU_IOAS_MAP_READABLE, buf, 4 * ps, &iova) ==
	       0);
	EXPECT(iova != 0);

	/* the two-call pattern: EMSGSIZE with the count, then the ranges */
	{
		struct iommu_ioas_iova_ranges cmd = {
			.size = sizeof(cmd),
			.ioas_id = ioas,
			.num_iovas = 0,
			.allowed_iovas = (uintptr_t)ranges,
		};

		EXPECT(xioctl(fd, IOMMU_IOAS_IOVA_RANGES, &cmd) == -EMSGSIZE);
		EXPECT(cmd.num_iovas == 2);
		cmd.num_iovas = 4;
		EXPECT(xioctl(fd, IOMMU_IOAS_IOVA_RANGES, &cmd) == 0);
	}

	/* a size below the first ABI version's: "size 23 < minimum 24" */
	{
		struct iommu_ioas_unmap cmd = {
			.size = 23,
			.ioas_id = ioas,
			.iova = 0x2000000,
			.length = 4 * ps,
		};

		EXPECT(xioctl(fd, IOMMU_IOAS_UNMAP, &cmd) == -EINVAL);
	}

	/* bad pointers are EFAULT, for the call and for its trace */
	EXPECT(xioctl(fd, IOMMU_IOAS_ALLOC, (void *)0x10) == -EFAULT);
	{
		struct iommu_ioas_allow_iovas cmd = {
			.size = sizeof(cmd),
			.ioas_id = ioas,
			.num_iovas = 2,
			.allowed_iovas = 0x20,
		};

		EXPECT(xioctl(fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd) == -EFAULT);
		cmd.allowed_iovas = (uintptr_t)allow;
		EXPECT(xioctl(fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd) == 0);
	}

	/* options */
	{
		struct iommu_option cmd = {
			.size = sizeof(cmd),
			.option_id = IOMMU_OPTION_HUGE_PAGES,
			.op = IOMMU_OPTION_OP_GET,
			.object_id = ioas,
		};

		EXPECT(xioctl(fd, IOMMU_OPTION, &cmd) == 0);
		EXPECT(cmd.val64 == 1);
	}

	/* a mock device: its ids come back in the out_* fields */
	ioas2 = ioas_alloc(fd);
	{
		struct iommu_test_cmd cmd = {
			.size = sizeof(cmd),
			.op = IOMMU_TEST_OP_MOCK_DOMAIN,
			.id = ioas2,
		};
		struct iommu_hwpt_alloc alloc = {
			.size = sizeof(alloc),
			.flags = IOMMU_HWPT_ALLOC_NEST_PARENT |
				 IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
			.pt_id = ioas2,
		};
		struct iommu_hw_info info = { .size = sizeof(info) };

		EXPECT(xioctl(fd, IOMMU_TEST_CMD, &cmd) == 0);
		idev = cmd.mock_domain.out_idev_id;
		alloc.dev_id = idev;
		EXPECT(xioctl(fd, IOMMU_HWPT_ALLOC, &alloc) == 0);
		parent = alloc.out_hwpt_id;
		info.dev_id = idev;
		EXPECT(xioctl(fd, IOMMU_GET_HW_INFO, &info) == 0);
	}

	/* the VFIO type1 container on the same fd */
	{
		struct iommu_vfio_ioas set = {
			.size = sizeof(set),
			.ioas_id = ioas,
			.op = IOMMU_VFIO_IOAS_SET,
		};
		struct vfio_iommu_type1_dma_map dmap = {
			.argsz = sizeof(dmap),
			.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
			.vaddr = (uintptr_t)buf + 8 * ps,
			.iova = 0x4000000,
			.size = 2 * ps,
		};
		struct vfio_iommu_type1_dma_unmap dunmap = {
			.argsz = sizeof(dunmap),
			.iova = 0x4000000,
			.size = 2 * ps,
		};

		EXPECT(xioctl(fd, IOMMU_VFIO_IOAS, &set) == 0);
		EXPECT(xioctl(fd, VFIO_CHECK_EXTENSION,
			      (void *)VFIO_TYPE1v2_IOMMU) == 1);
		EXPECT(xioctl(fd, VFIO_SET_IOMMU, (void *)VFIO_TYPE1v2_IOMMU) ==
		       0);
		EXPECT(xioctl(fd, VFIO_IOMMU_MAP_DMA, &dmap) == 0);
		EXPECT(xioctl(fd, VFIO_IOMMU_UNMAP_DMA, &dunmap) == 0);
		EXPECT(dunmap.size == 2 * ps);
	}

	/* unmap everything: length comes back */
	{
		struct iommu_ioas_unmap cmd = {
			.size = sizeof(cmd),
			.ioas_id = ioas,
			.iova = 0,
			.length = UINT64_MAX,
		};

		EXPECT(xioctl(fd, IOMMU_IOAS_UNMAP, &cmd) == 0);
		EXPECT(cmd.length == 8 * ps);
	}

	/* a test dma-buf of no length: refused, with the reason */
	{
		struct iommu_test_cmd cmd = {
			.size = sizeof(cmd),
			.op = IOMMU_TEST_OP_DMABUF_GET,
		};

		EXPECT(xioctl(fd, IOMMU_TEST_CMD, &cmd) == -EINVAL);
		EXPECT(xioctl(fd, _IOWR(IOMMUFD_TYPE, 0xfe, uint64_t), &cmd) ==
		       -ENOTTY);
	}

	/* not implemented here (strict mode warns): a vDEVICE's TSM op */
	{
		struct iommu_viommu_alloc va = {
			.size = sizeof(va),
			.type = IOMMU_VIOMMU_TYPE_SELFTEST,
			.dev_id = idev,
			.hwpt_id = parent,
		};
		struct iommu_vdevice_alloc vd = {
			.size = sizeof(vd),
			.dev_id = idev,
			.virt_id = 1,
		};
		struct iommu_vdevice_tsm_op tsm = {
			.size = sizeof(tsm),
			.type = IOMMU_VDEVICE_TSM_BIND,
		};

		EXPECT(xioctl(fd, IOMMU_VIOMMU_ALLOC, &va) == 0);
		vd.viommu_id = va.out_viommu_id;
		EXPECT(xioctl(fd, IOMMU_VDEVICE_ALLOC, &vd) == 0);
		tsm.vdevice_id = vd.out_vdevice_id;
		EXPECT(xioctl(fd, IOMMU_VDEVICE_TSM_OP, &tsm) == -EOPNOTSUPP);
	}

	/* an iommufd has no read or write */
	EXPECT(xread(fd, byte, sizeof(byte)) == -EINVAL);
	EXPECT(xwrite(fd, byte, sizeof(byte)) == -EINVAL);

	{
		struct iommu_destroy cmd = { .size = sizeof(cmd), .id = ioas };

		EXPECT(xioctl(fd, IOMMU_DESTROY, &cmd) == 0);
		EXPECT(xioctl(fd, IOMMU_DESTROY, &cmd) == -ENOENT);
	}
	munmap(buf, 16 * ps);
	return 0;
}

static int thread_fd;

static void *thread_main(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < NR_CALLS / 2; i++) {
		struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
		struct iommu_destroy destroy = { .size = sizeof(destroy) };

		EXPECT(xioctl(thread_fd, IOMMU_IOAS_ALLOC, &alloc) == 0);
		destroy.id = alloc.out_ioas_id;
		EXPECT(xioctl(thread_fd, IOMMU_DESTROY, &destroy) == 0);
	}
	return NULL;
}

static int threads(int fd)
{
	pthread_t t[NR_THREADS];
	int i, status;
	pid_t child;

	thread_fd = fd;
	for (i = 0; i < NR_THREADS; i++)
		EXPECT(pthread_create(&t[i], NULL, thread_main, NULL) == 0);
	for (i = 0; i < NR_THREADS; i++)
		pthread_join(t[i], NULL);
	/* a child (inheriting the trace) appends its own lines */
	child = fork();
	if (child == 0) {
		int cfd = xopen();

		if (cfd < 0)
			_exit(1);
		ioas_alloc(cfd);
		_exit(xclose(cfd) || failures ? 1 : 0);
	}
	EXPECT(child > 0 && waitpid(child, &status, 0) == child &&
	       WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* the checker counts the lines against this */
	printf("ioctls %d\n", NR_THREADS * NR_CALLS + 1);
	return 0;
}

/* with --memlock=1M: 2 MiB pinned by a domain is too much, 64 KiB is not */
static int memlock(int fd)
{
	size_t len = 2 << 20;
	void *buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	uint32_t ioas = ioas_alloc(fd);
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
		.id = ioas,
	};
	uint64_t iova;

	EXPECT(buf != MAP_FAILED);
	EXPECT(xioctl(fd, IOMMU_TEST_CMD, &cmd) == 0);
	iova = MOCK_APERTURE_START;
	EXPECT(map(fd, ioas, rw_fixed, buf, len, &iova) == -ENOMEM);
	iova = MOCK_APERTURE_START;
	EXPECT(map(fd, ioas, rw_fixed, buf, 64 << 10, &iova) == 0);
	munmap(buf, len);
	return 0;
}

/*
 * The VFIO nodes (run with --vfio-dev=vtd,pasid=8): /dev/vfio/vfio, then
 * vfio0 bound to it, refused and accepted calls of each cdev ioctl.
 */
static int vfio(void)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };
	struct vfio_device_detach_iommufd_pt de = { .argsz = sizeof(de) };
	struct vfio_device_info info = { .argsz = sizeof(info) };
	int c = xopen_path("/dev/vfio/vfio"), d;

	if (c < 0) {
		printf("SKIP: cannot open /dev/vfio/vfio: %s\n", strerror(-c));
		return 77;
	}
	d = xopen_path("/dev/vfio/devices/vfio0");
	EXPECT(d >= 0);
	EXPECT(xioctl(d, VFIO_DEVICE_GET_INFO, &info) == -EINVAL);
	bind.iommufd = d;
	EXPECT(xioctl(d, VFIO_DEVICE_BIND_IOMMUFD, &bind) == -EBADFD);
	bind.iommufd = c;
	EXPECT(xioctl(d, VFIO_DEVICE_BIND_IOMMUFD, &bind) == 0);
	at.pt_id = ioas_alloc(c);
	at.flags = VFIO_DEVICE_ATTACH_PASID;
	at.pasid = 0x100;
	EXPECT(xioctl(d, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at) == -EINVAL);
	/* an IOAS's automatic HWPT is never PASID-compatible */
	at.pasid = 7;
	EXPECT(xioctl(d, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at) == -EINVAL);
	at.flags = 0;
	EXPECT(xioctl(d, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at) == 0);
	de.flags = VFIO_DEVICE_DETACH_PASID;
	de.pasid = 7;
	EXPECT(xioctl(d, VFIO_DEVICE_DETACH_IOMMUFD_PT, &de) == 0);
	EXPECT(xioctl(d, VFIO_DEVICE_GET_INFO, &info) == 0);
	EXPECT(xclose(d) == 0);
	EXPECT(xclose(c) == 0);
	return failures ? 1 : 0;
}

static void print_env(const char *name)
{
	const char *v = getenv(name);

	printf("%s=%s\n", name, v ? v : "(unset)");
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "basic";
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "env")) {
		print_env("UIOMMUFD_TRACE");
		print_env("UIOMMUFD_TRACE_FORMAT");
		print_env("UIOMMUFD_STRICT");
		print_env("UIOMMUFD_MEMLOCK");
		print_env("UIOMMUFD_DUMP_ON_EXIT");
		print_env("UIOMMUFD_FAIL_NTH");
		print_env("UIOMMUFD_IOMMU");
		print_env("UIOMMUFD_VFIO_DEVS");
		print_env("UIOMMUFD_KERNEL");
		return 0;
	}
	if (!strcmp(mode, "vfio"))
		return vfio();
	fd = xopen();
	if (!strcmp(mode, "failnth")) {
		EXPECT(fd == -ENOMEM);
		return failures ? 1 : 0;
	}
	if (fd < 0) {
		printf("SKIP: cannot open /dev/iommu: %s\n", strerror(-fd));
		return 77;
	}
	if (!strcmp(mode, "basic"))
		basic(fd);
	else if (!strcmp(mode, "threads"))
		threads(fd);
	else if (!strcmp(mode, "memlock"))
		memlock(fd);
	else {
		printf("unknown mode %s\n", mode);
		return 1;
	}
	EXPECT(xclose(fd) == 0);
	return failures ? 1 : 0;
}
