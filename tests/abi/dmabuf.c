/* SPDX-License-Identifier: MIT */
/*
 * dma-bufs: the selftest's test dma-buf (DMABUF_GET, DMABUF_REVOKE,
 * MD_CHECK_DMABUF) and IOMMU_IOAS_MAP_FILE of a dma-buf fd.
 *
 * What the kernel answers, and what is checked here:
 *   - DMABUF_GET makes a buffer of separate zeroed pages; the length must
 *     be a non-zero multiple of PAGE_SIZE and at most 512 pages (EINVAL).
 *     The ioctl's return value is a real fd: O_CLOEXEC as asked, its size
 *     at SEEK_END, close() works.
 *   - dma_buf_get() of a descriptor that is not open is EBADF, of one that
 *     is not a dma-buf EINVAL; a dma-buf that is not the selftest's is
 *     EOPNOTSUPP for REVOKE and EINVAL for MD_CHECK_DMABUF.
 *   - MAP_FILE of a dma-buf: length 0 EINVAL, start + length wrapping
 *     EOVERFLOW, a range past the end of the buffer EINVAL, a revoked
 *     buffer ENODEV (after the range checks, before the IOVA ones). No
 *     memlock accounting, no pins (MD_CHECK_REFS has nothing to see), and
 *     no accesses: ACCESS_PAGES and ACCESS_RW of a dma-buf area are EINVAL.
 *   - Revoke unmaps the buffer from every domain of every IOAS that maps it
 *     (COPY shares it); the areas stay until IOAS_UNMAP, a domain made while
 *     they are revoked is filled without them. Restoring the buffer lets new
 *     maps in; an area revoked once stays revoked (iommufd has no way to
 *     fault the pages back), so it is unmapped and mapped again.
 *   - A dma-buf area cannot be cut (VFIO type1 v1 partial unmap):
 *     EOPNOTSUPP, and cannot move with IOAS_CHANGE_PROCESS (EINVAL).
 *   - Closing the dma-buf fd while it is mapped keeps its memory alive
 *     until the last area goes.
 */
#include "abi.h"

#include <linux/vfio.h>

static size_t ps;

/* DMABUF_GET: the new fd, or -1 with errno */
static int dmabuf_get(int fd, uint32_t length, uint32_t open_flags)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_DMABUF_GET,
		.dmabuf_get = { .length = length, .open_flags = open_flags },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

/* a new dma-buf of @npages pages; aborts on failure */
static int new_dmabuf(int fd, size_t npages)
{
	int dfd = dmabuf_get(fd, (uint32_t)(npages * ps), O_CLOEXEC);

	ABI_ASSERT(dfd >= 0);
	return dfd;
}

static int dmabuf_revoke(int fd, int dfd, uint32_t revoked)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_DMABUF_REVOKE,
		.dmabuf_revoke = { .dmabuf_fd = dfd, .revoked = revoked },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

static int check_dmabuf(int fd, uint32_t hwpt, int dfd, uint64_t iova,
			uint64_t length, uint64_t offset)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MD_CHECK_DMABUF,
		.id = hwpt,
		.check_dmabuf = { .dmabuf_fd = dfd, .iova = iova,
				  .length = length, .offset = offset },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

/* MAP_FILE read/write, IOVA chosen */
static int map_dmabuf(int fd, uint32_t ioas, int dfd, uint64_t start,
		      uint64_t length, uint64_t *iova)
{
	return abi_map_file(fd, ioas, dfd, start, length, ABI_RW, iova);
}

static int map_dmabuf_fixed(int fd, uint32_t ioas, int dfd, uint64_t start,
			    uint64_t length, uint64_t iova)
{
	return abi_map_file(fd, ioas, dfd, start, length, ABI_FIXED_RW, &iova);
}

/* an fd number that is not open */
static int closed_fd(void)
{
	int tmp = dup(0);

	ABI_ASSERT(tmp >= 0);
	close(tmp);
	return tmp;
}

static void test_get(int fd)
{
	int dfd, mfd = abi_memfd(ps), bad = closed_fd();

	abi_section("DMABUF_GET lengths");
	EXPECT_ERRNO(EINVAL, dmabuf_get(fd, 0, O_CLOEXEC));
	EXPECT_ERRNO(EINVAL, dmabuf_get(fd, 1, O_CLOEXEC));
	EXPECT_ERRNO(EINVAL, dmabuf_get(fd, ps - 1, O_CLOEXEC));
	EXPECT_ERRNO(EINVAL, dmabuf_get(fd, ps + 1, O_CLOEXEC));
	EXPECT_ERRNO(EINVAL, dmabuf_get(fd, 513 * ps, O_CLOEXEC));
	EXPECT_ERRNO(EINVAL, dmabuf_get(fd, UINT32_MAX, O_CLOEXEC));

	abi_section("DMABUF_GET: the return value is an fd");
	dfd = dmabuf_get(fd, 512 * ps, O_CLOEXEC);
	if (EXPECT_TRUE(dfd > 2)) {
		EXPECT_EQ(FD_CLOEXEC, fcntl(dfd, F_GETFD));
		/* the size of a dma-buf is found at SEEK_END */
		EXPECT_EQ(512 * ps, lseek(dfd, 0, SEEK_END));
		EXPECT_OK(close(dfd));
		EXPECT_ERRNO(EBADF, dmabuf_revoke(fd, dfd, 1));
	}
	dfd = dmabuf_get(fd, ps, 0);
	if (EXPECT_TRUE(dfd > 2)) {
		EXPECT_EQ(0, fcntl(dfd, F_GETFD));
		EXPECT_EQ(ps, lseek(dfd, 0, SEEK_END));
		EXPECT_OK(close(dfd));
	}

	abi_section("DMABUF_REVOKE: which fds");
	EXPECT_ERRNO(EBADF, dmabuf_revoke(fd, -1, 1));
	EXPECT_ERRNO(EBADF, dmabuf_revoke(fd, bad, 1));
	/* open, but not a dma-buf: dma_buf_get() refuses it */
	EXPECT_ERRNO(EINVAL, dmabuf_revoke(fd, mfd, 1));
	EXPECT_ERRNO(EINVAL, dmabuf_revoke(fd, fd, 1));
	dfd = new_dmabuf(fd, 1);
	EXPECT_OK(dmabuf_revoke(fd, dfd, 1));
	EXPECT_OK(dmabuf_revoke(fd, dfd, 1));
	EXPECT_OK(dmabuf_revoke(fd, dfd, 0));
	EXPECT_OK(dmabuf_revoke(fd, dfd, 0));
	/* any non-zero value revokes */
	EXPECT_OK(dmabuf_revoke(fd, dfd, 7));
	close(dfd);
	close(mfd);
}

static void test_map_file(int fd)
{
	uint32_t ioas = abi_new_ioas(fd);
	int dfd = new_dmabuf(fd, 4), mfd = abi_memfd(4 * ps);
	uint64_t iova = 0, iova2 = 0, unmapped;

	abi_section("MAP_FILE of a dma-buf: ranges");
	EXPECT_ERRNO(EINVAL, map_dmabuf(fd, ioas, dfd, 0, 0, &iova));
	EXPECT_ERRNO(EINVAL, map_dmabuf(fd, ioas, dfd, 4 * ps, 4 * ps, &iova));
	EXPECT_ERRNO(EINVAL, map_dmabuf(fd, ioas, dfd, 0, 4 * ps + 1, &iova));
	EXPECT_ERRNO(EINVAL, map_dmabuf(fd, ioas, dfd, 4 * ps, 1, &iova));
	EXPECT_ERRNO(EINVAL, map_dmabuf(fd, ioas, dfd, 3 * ps + 1, ps, &iova));
	EXPECT_ERRNO(EOVERFLOW,
		     map_dmabuf(fd, ioas, dfd, UINT64_MAX - 1, 4, &iova));
	EXPECT_ERRNO(EBADF, map_dmabuf(fd, ioas, -1, 0, ps, &iova));
	EXPECT_ERRNO(EBADF, map_dmabuf(fd, ioas, closed_fd(), 0, ps, &iova));
	EXPECT_ERRNO(ENOENT, map_dmabuf(fd, 9999, dfd, 0, ps, &iova));

	abi_section("MAP_FILE of a dma-buf: maps");
	EXPECT_OK(map_dmabuf(fd, ioas, dfd, 0, 4 * ps, &iova));
	EXPECT_OK(map_dmabuf(fd, ioas, dfd, 3 * ps, ps, &iova2));
	EXPECT_OK(abi_unmap(fd, ioas, iova2, ps, &unmapped));
	EXPECT_EQ(ps, unmapped);
	/* not page aligned: fine without a domain */
	EXPECT_OK(map_dmabuf(fd, ioas, dfd, 1, ps, &iova2));
	EXPECT_EQ(1, iova2 % ps);
	EXPECT_OK(abi_unmap(fd, ioas, iova2, ps, &unmapped));
	/* the last byte */
	EXPECT_OK(map_dmabuf(fd, ioas, dfd, 4 * ps - 1, 1, &iova2));
	EXPECT_OK(abi_unmap(fd, ioas, iova2, 1, &unmapped));
	/* write permission needs nothing of the fd */
	EXPECT_OK(abi_map_file(fd, ioas, dfd, 0, ps, IOMMU_IOAS_MAP_WRITEABLE,
			       &iova2));
	EXPECT_OK(abi_unmap(fd, ioas, iova2, ps, &unmapped));
	/* only memfd-backed areas can move to another process */
	{
		struct iommu_ioas_change_process cp = { .size = sizeof(cp) };

		EXPECT_ERRNO(EINVAL, ioctl(fd, IOMMU_IOAS_CHANGE_PROCESS, &cp));
	}
	/* a fixed IOVA that is taken: the IOVA is checked after the buffer */
	EXPECT_ERRNO(EEXIST, map_dmabuf_fixed(fd, ioas, dfd, 0, ps, iova));

	abi_section("MAP_FILE of a revoked dma-buf");
	EXPECT_OK(dmabuf_revoke(fd, dfd, 1));
	EXPECT_ERRNO(ENODEV, map_dmabuf(fd, ioas, dfd, 0, ps, &iova2));
	/* the range checks come first */
	EXPECT_ERRNO(EINVAL, map_dmabuf(fd, ioas, dfd, 0, 8 * ps, &iova2));
	EXPECT_ERRNO(EINVAL, map_dmabuf(fd, ioas, dfd, 0, 0, &iova2));
	/* ... and the IOVA checks after */
	EXPECT_ERRNO(ENODEV, map_dmabuf_fixed(fd, ioas, dfd, 0, ps, iova));
	EXPECT_OK(dmabuf_revoke(fd, dfd, 0));
	EXPECT_OK(map_dmabuf(fd, ioas, dfd, 0, ps, &iova2));
	/* the area stays until unmapped, revoked or not */
	EXPECT_OK(abi_unmap(fd, ioas, iova, 4 * ps, &unmapped));
	EXPECT_EQ(4 * ps, unmapped);

	abi_section("a memfd is not a dma-buf");
	EXPECT_OK(map_dmabuf(fd, ioas, mfd, 0, 4 * ps, &iova));
	EXPECT_ERRNO(EINVAL, dmabuf_revoke(fd, mfd, 1));

	close(mfd);
	close(dfd);
	EXPECT_OK(abi_destroy(fd, ioas));
}

static int create_access(int fd, uint32_t ioas, uint32_t flags, int *afd)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_CREATE_ACCESS,
		.id = ioas,
		.create_access = { .flags = flags },
	};
	int rc = ioctl(fd, IOMMU_TEST_CMD, &cmd);

	if (!rc)
		*afd = (int)cmd.create_access.out_access_fd;
	return rc;
}

static int access_pages(int fd, int afd, uint64_t iova, uint64_t len)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_ACCESS_PAGES,
		.id = afd,
		.access_pages = { .iova = iova, .length = len },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

static int access_rw(int fd, int afd, uint64_t iova, void *buf, uint64_t len,
		     uint32_t flags)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_ACCESS_RW,
		.id = afd,
		.access_rw = { .iova = iova, .length = len,
			       .uptr = (uintptr_t)buf, .flags = flags },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

static void test_access(int fd)
{
	uint32_t ioas = abi_new_ioas(fd);
	int dfd = new_dmabuf(fd, 4), pin_afd = -1, rw_afd = -1;
	uint64_t iova = 0, unmapped;
	char buf[64];

	abi_section("accesses of a dma-buf area");
	ABI_ASSERT(!create_access(fd, ioas,
				  MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
				  &pin_afd));
	ABI_ASSERT(!create_access(fd, ioas, 0, &rw_afd));
	EXPECT_OK(map_dmabuf(fd, ioas, dfd, 0, 4 * ps, &iova));
	EXPECT_ERRNO(EINVAL, access_pages(fd, pin_afd, iova, ps));
	EXPECT_ERRNO(EINVAL, access_rw(fd, rw_afd, iova, buf, sizeof(buf), 0));
	EXPECT_ERRNO(EINVAL, access_rw(fd, rw_afd, iova, buf, sizeof(buf),
				       MOCK_ACCESS_RW_WRITE));
	EXPECT_ERRNO(EINVAL, access_rw(fd, rw_afd, iova, buf, sizeof(buf),
				       MOCK_ACCESS_RW_SLOW_PATH));
	/* nothing was pinned: the unmap has no access to call back */
	EXPECT_OK(abi_unmap(fd, ioas, iova, 4 * ps, &unmapped));
	EXPECT_EQ(4 * ps, unmapped);

	close(pin_afd);
	close(rw_afd);
	close(dfd);
	EXPECT_OK(abi_destroy(fd, ioas));
}

static void test_check_dmabuf(int fd)
{
	uint32_t ioas = abi_new_ioas(fd), hwpt = 0, stdev = 0;
	int dfd = new_dmabuf(fd, 16), other = new_dmabuf(fd, 16);
	int mfd = abi_memfd(ps), bad = closed_fd();
	uint64_t iova = 0, iova2 = 0, unmapped;

	ABI_ASSERT(!abi_mock_domain(fd, ioas, 0, &stdev, &hwpt, NULL));

	abi_section("MD_CHECK_DMABUF");
	EXPECT_OK(map_dmabuf(fd, ioas, dfd, 4 * ps, 8 * ps, &iova));
	EXPECT_OK(check_dmabuf(fd, hwpt, dfd, iova, 8 * ps, 4 * ps));
	/* any part, at the mock's 2 KiB granule */
	EXPECT_OK(check_dmabuf(fd, hwpt, dfd, iova + ps, ps, 5 * ps));
	EXPECT_OK(check_dmabuf(fd, hwpt, dfd, iova + 2048, 2048,
			       4 * ps + 2048));
	/* the wrong part of the buffer, or of another buffer */
	EXPECT_ERRNO(EINVAL, check_dmabuf(fd, hwpt, dfd, iova, 8 * ps, 0));
	EXPECT_ERRNO(EINVAL, check_dmabuf(fd, hwpt, dfd, iova, ps, 5 * ps));
	EXPECT_ERRNO(EINVAL, check_dmabuf(fd, hwpt, other, iova, 8 * ps,
					  4 * ps));
	/* past the mapping */
	EXPECT_ERRNO(EINVAL, check_dmabuf(fd, hwpt, dfd, iova, 12 * ps,
					  4 * ps));
	/* not on the 2 KiB granule */
	EXPECT_ERRNO(EINVAL, check_dmabuf(fd, hwpt, dfd, iova + 1, 2048,
					  4 * ps + 1));
	EXPECT_ERRNO(EINVAL, check_dmabuf(fd, hwpt, dfd, iova, 2047, 4 * ps));
	EXPECT_ERRNO(EINVAL, check_dmabuf(fd, hwpt, dfd, iova, ps, 1));
	/* past the end of the buffer, or wrapping */
	EXPECT_ERRNO(EINVAL, check_dmabuf(fd, hwpt, dfd, iova, 2 * ps,
					  15 * ps));
	EXPECT_ERRNO(EINVAL, check_dmabuf(fd, hwpt, dfd, iova, 2 * ps,
					  UINT64_MAX - 2047));
	/* which fds and objects */
	EXPECT_ERRNO(EBADF, check_dmabuf(fd, hwpt, -1, iova, ps, 4 * ps));
	EXPECT_ERRNO(EBADF, check_dmabuf(fd, hwpt, bad, iova, ps, 4 * ps));
	EXPECT_ERRNO(EINVAL, check_dmabuf(fd, hwpt, mfd, iova, ps, 4 * ps));
	EXPECT_ERRNO(ENOENT, check_dmabuf(fd, ioas, dfd, iova, ps, 4 * ps));
	EXPECT_ERRNO(ENOENT, check_dmabuf(fd, 9999, dfd, iova, ps, 4 * ps));

	abi_section("MD_CHECK_DMABUF: two ranges of one buffer");
	EXPECT_OK(map_dmabuf(fd, ioas, dfd, 0, 4 * ps, &iova2));
	EXPECT_OK(check_dmabuf(fd, hwpt, dfd, iova2, 4 * ps, 0));
	EXPECT_OK(check_dmabuf(fd, hwpt, dfd, iova, 8 * ps, 4 * ps));

	EXPECT_OK(abi_unmap(fd, ioas, iova, 8 * ps, &unmapped));
	EXPECT_EQ(8 * ps, unmapped);
	EXPECT_ERRNO(EINVAL, check_dmabuf(fd, hwpt, dfd, iova, 8 * ps, 4 * ps));
	EXPECT_OK(abi_unmap(fd, ioas, iova2, 4 * ps, &unmapped));

	close(mfd);
	close(other);
	close(dfd);
	EXPECT_OK(abi_destroy(fd, stdev));
	EXPECT_OK(abi_destroy(fd, ioas));
}

static void test_revoke(int fd)
{
	uint32_t ioas = abi_new_ioas(fd), ioas2 = abi_new_ioas(fd);
	uint32_t hwpt = 0, stdev = 0, hwpt2 = 0, stdev2 = 0, idev = 0;
	uint32_t late = 0, stdev3 = 0, hwpt3 = 0;
	int dfd = new_dmabuf(fd, 4);
	uint64_t iova = 0, iova2 = 0, copy_iova = 0, unmapped;

	ABI_ASSERT(!abi_mock_domain(fd, ioas, 0, &stdev, &hwpt, &idev));
	ABI_ASSERT(!abi_mock_domain(fd, ioas2, 0, &stdev2, &hwpt2, NULL));

	abi_section("revoke unmaps from every domain");
	EXPECT_OK(map_dmabuf(fd, ioas, dfd, 0, 4 * ps, &iova));
	/* COPY shares the buffer with the second IOAS */
	EXPECT_OK(abi_copy(fd, ioas2, ioas, iova, 4 * ps, ABI_RW, &copy_iova));
	EXPECT_OK(check_dmabuf(fd, hwpt, dfd, iova, 4 * ps, 0));
	EXPECT_OK(check_dmabuf(fd, hwpt2, dfd, copy_iova, 4 * ps, 0));
	EXPECT_OK(dmabuf_revoke(fd, dfd, 1));
	EXPECT_ERRNO(EINVAL, check_dmabuf(fd, hwpt, dfd, iova, 2048, 0));
	EXPECT_ERRNO(EINVAL, check_dmabuf(fd, hwpt2, dfd, copy_iova, 2048, 0));

	abi_section("domains made while revoked");
	EXPECT_OK(abi_hwpt_alloc(fd, idev, ioas, 0, 0, IOMMU_HWPT_DATA_NONE,
				 NULL, 0, &late));
	EXPECT_ERRNO(EINVAL, check_dmabuf(fd, late, dfd, iova, 2048, 0));
	EXPECT_OK(abi_mock_domain(fd, ioas, 0, &stdev3, &hwpt3, NULL));
	EXPECT_EQ(hwpt, hwpt3);
	EXPECT_OK(abi_destroy(fd, stdev3));
	/* the revoked areas are still there: COPY and UNMAP see them */
	EXPECT_OK(abi_copy(fd, ioas2, ioas, iova, 4 * ps, ABI_RW, &iova2));
	EXPECT_ERRNO(EINVAL, check_dmabuf(fd, hwpt2, dfd, iova2, 2048, 0));
	EXPECT_OK(abi_unmap(fd, ioas2, iova2, 4 * ps, &unmapped));
	EXPECT_EQ(4 * ps, unmapped);

	abi_section("restore: new maps work, revoked areas stay revoked");
	EXPECT_ERRNO(ENODEV, map_dmabuf(fd, ioas, dfd, 0, 4 * ps, &iova2));
	EXPECT_OK(dmabuf_revoke(fd, dfd, 0));
	EXPECT_OK(map_dmabuf(fd, ioas, dfd, 0, 4 * ps, &iova2));
	EXPECT_OK(check_dmabuf(fd, hwpt, dfd, iova2, 4 * ps, 0));
	EXPECT_OK(check_dmabuf(fd, late, dfd, iova2, 4 * ps, 0));
	EXPECT_ERRNO(EINVAL, check_dmabuf(fd, hwpt, dfd, iova, 2048, 0));
	EXPECT_OK(abi_unmap(fd, ioas, iova, 4 * ps, &unmapped));
	EXPECT_EQ(4 * ps, unmapped);
	EXPECT_OK(map_dmabuf_fixed(fd, ioas, dfd, 0, 4 * ps, iova));
	EXPECT_OK(check_dmabuf(fd, hwpt, dfd, iova, 4 * ps, 0));
	EXPECT_OK(check_dmabuf(fd, late, dfd, iova, 4 * ps, 0));
	/* restoring again takes nothing away (the exporter marks the buffer
	 * valid; importers are not told to drop their mappings) */
	EXPECT_OK(dmabuf_revoke(fd, dfd, 0));
	EXPECT_OK(check_dmabuf(fd, hwpt, dfd, iova, 4 * ps, 0));

	abi_section("revoke again: every live area goes");
	EXPECT_OK(dmabuf_revoke(fd, dfd, 1));
	EXPECT_ERRNO(EINVAL, check_dmabuf(fd, hwpt, dfd, iova, 2048, 0));
	EXPECT_ERRNO(EINVAL, check_dmabuf(fd, late, dfd, iova2, 2048, 0));
	/* a domain goes and comes with revoked areas in the IOAS */
	EXPECT_OK(abi_destroy(fd, late));
	EXPECT_OK(abi_hwpt_alloc(fd, idev, ioas, 0, 0, IOMMU_HWPT_DATA_NONE,
				 NULL, 0, &late));
	EXPECT_OK(abi_destroy(fd, late));

	close(dfd);
	EXPECT_OK(abi_destroy(fd, stdev));
	EXPECT_OK(abi_destroy(fd, stdev2));
	EXPECT_OK(abi_destroy(fd, ioas));
	EXPECT_OK(abi_destroy(fd, ioas2));
}

static void test_close_while_mapped(int fd)
{
	uint32_t ioas = abi_new_ioas(fd), ioas2 = abi_new_ioas(fd);
	uint32_t stdev = 0, hwpt = 0;
	int dfd = new_dmabuf(fd, 8);
	uint64_t iova = 0, iova2 = 0, unmapped;

	abi_section("close the dma-buf while mapped");
	/* inside the mock aperture, for the domain attached below */
	iova = MOCK_APERTURE_START;
	EXPECT_OK(map_dmabuf_fixed(fd, ioas, dfd, 0, 8 * ps, iova));
	EXPECT_OK(close(dfd));
	/* the memory is still there: a new domain is filled from it */
	EXPECT_OK(abi_mock_domain(fd, ioas, 0, &stdev, &hwpt, NULL));
	EXPECT_OK(abi_copy(fd, ioas2, ioas, iova, 8 * ps, ABI_RW, &iova2));
	EXPECT_OK(abi_unmap(fd, ioas, iova, 8 * ps, &unmapped));
	EXPECT_EQ(8 * ps, unmapped);
	EXPECT_OK(abi_destroy(fd, stdev));
	/* the copy keeps it until the IOAS goes */
	EXPECT_OK(abi_destroy(fd, ioas2));
	EXPECT_OK(abi_destroy(fd, ioas));

	abi_section("close the iommufd with a dma-buf mapped");
	{
		int fd2 = abi_open();
		uint32_t ioas3 = abi_new_ioas(fd2);

		dfd = new_dmabuf(fd2, 2);
		EXPECT_OK(map_dmabuf(fd2, ioas3, dfd, 0, 2 * ps, &iova));
		EXPECT_OK(close(fd2));
		/* the dma-buf outlives the context that imported it */
		EXPECT_OK(dmabuf_revoke(fd, dfd, 1));
		EXPECT_OK(close(dfd));
	}
}

static int vfio(int fd, unsigned long req, unsigned long arg)
{
	return ioctl(fd, req, arg);
}

static void test_type1_cut(int fd)
{
	struct iommu_vfio_ioas set = {
		.size = sizeof(set),
		.op = IOMMU_VFIO_IOAS_SET,
	};
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
	};
	uint32_t ioas = abi_new_ioas(fd);
	int dfd = new_dmabuf(fd, 4);
	uint64_t iova = 1ULL << 30, unmapped;

	abi_section("VFIO type1 v1 cannot cut a dma-buf area");
	set.ioas_id = ioas;
	ABI_ASSERT(!ioctl(fd, IOMMU_VFIO_IOAS, &set));
	ABI_ASSERT(!vfio(fd, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU));
	EXPECT_OK(map_dmabuf_fixed(fd, ioas, dfd, 0, 4 * ps, iova));
	unmap.iova = iova + ps;
	unmap.size = ps;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &unmap));
	/* whole areas still go */
	unmap.iova = iova;
	unmap.size = 4 * ps;
	EXPECT_OK(ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &unmap));
	EXPECT_EQ(4 * ps, unmap.size);
	EXPECT_ERRNO(ENOENT, abi_unmap(fd, ioas, iova, 4 * ps, &unmapped));
	close(dfd);
}

int main(void)
{
	int fd = abi_open();

	ps = abi_page_size;
	if (!abi_have_test_cmd(fd)) {
		printf("SKIP: no IOMMU_TEST_CMD\n");
		return ABI_SKIP;
	}
	test_get(fd);
	test_map_file(fd);
	test_access(fd);
	test_check_dmabuf(fd);
	test_revoke(fd);
	test_close_while_mapped(fd);
	test_type1_cut(fd);
	close(fd);
	return abi_finish("dmabuf");
}
