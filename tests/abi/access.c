/* SPDX-License-Identifier: MIT */
/*
 * The access API through the selftest's ops (the kernel's iommufd selftest
 * driver is the model): CREATE_ACCESS hands out an access fd; ACCESS_RW
 * copies through IOVAs; ACCESS_PAGES pins (one pin per page, however many
 * users; MD_CHECK_REFS sees it), DESTROY_ACCESS_PAGES unpins; IOAS_UNMAP
 * makes the access drop its pins before it returns; a pinning access
 * raises the IOAS alignment to PAGE_SIZE; ACCESS_REPLACE_IOAS moves it.
 */
#include "abi.h"

#define NPAGES 8

static int test_cmd(int fd, struct iommu_test_cmd *cmd)
{
	return ioctl(fd, IOMMU_TEST_CMD, cmd);
}

static int create_access(int fd, uint32_t ioas, uint32_t flags, int *afd)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_CREATE_ACCESS,
		.id = ioas,
		.create_access = { .flags = flags },
	};
	int rc = test_cmd(fd, &cmd);

	if (!rc)
		*afd = cmd.create_access.out_access_fd;
	return rc;
}

static int access_pages(int fd, int afd, uint64_t iova, uint64_t len,
			void *uptr, uint32_t flags, uint32_t *id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_ACCESS_PAGES,
		.id = afd,
		.access_pages = { .flags = flags, .iova = iova, .length = len,
				  .uptr = (uintptr_t)uptr },
	};
	int rc = test_cmd(fd, &cmd);

	if (!rc && id)
		*id = cmd.access_pages.out_access_pages_id;
	return rc;
}

static int destroy_pages(int fd, int afd, uint32_t id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_DESTROY_ACCESS_PAGES,
		.id = afd,
		.destroy_access_pages = { .access_pages_id = id },
	};

	return test_cmd(fd, &cmd);
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

	return test_cmd(fd, &cmd);
}

static int check_refs(int fd, void *va, uint64_t len, uint32_t refs)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MD_CHECK_REFS,
		.check_refs = { .length = len, .uptr = (uintptr_t)va,
				.refs = refs },
	};

	return test_cmd(fd, &cmd);
}

static uint64_t alignment(int fd, uint32_t ioas)
{
	struct iommu_iova_range r[4];
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.num_iovas = 4,
		.allowed_iovas = (uintptr_t)r,
	};

	if (ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &cmd))
		return 0;
	return cmd.out_iova_alignment;
}

int main(void)
{
	int fd = abi_open();
	size_t ps = (size_t)sysconf(_SC_PAGESIZE);
	uint32_t ioas = abi_new_ioas(fd), ioas2 = abi_new_ioas(fd), id, id2;
	uint64_t iova = 0x100000, ro_iova = 0x200000;
	char *buf = mmap(NULL, NPAGES * ps, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char tmp[64];
	int afd, pafd;

	ABI_ASSERT(buf != MAP_FAILED);
	memset(buf, 0x5a, NPAGES * ps);

	/* creation */
	EXPECT_ERRNO(EOPNOTSUPP, create_access(fd, ioas, 1u << 5, &afd));
	EXPECT_ERRNO(ENOENT, create_access(fd, 9999, 0, &afd));
	ABI_ASSERT(create_access(fd, ioas, 0, &afd) == 0);
	EXPECT_EQ(1, alignment(fd, ioas));
	ABI_ASSERT(create_access(fd, ioas,
				 MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
				 &pafd) == 0);
	/* a pinning access needs page-aligned IOVA */
	EXPECT_EQ(ps, alignment(fd, ioas));
	EXPECT_ERRNO(EBUSY, abi_destroy(fd, ioas));

	ABI_ASSERT(abi_map_fixed(fd, ioas, buf, NPAGES * ps, iova) == 0);
	ABI_ASSERT(abi_map(fd, ioas, buf, ps,
			   IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE,
			   &ro_iova) == 0);

	/* rw */
	EXPECT_ERRNO(EBADFD, access_rw(fd, fd, iova, tmp, 8, 0));
	EXPECT_ERRNO(EOPNOTSUPP, access_rw(fd, afd, iova, tmp, 8, 1u << 7));
	EXPECT_ERRNO(EINVAL, access_rw(fd, afd, iova, tmp, 0, 0));
	EXPECT_ERRNO(ENOENT, access_rw(fd, afd, 0x900000, tmp, 8, 0));
	EXPECT_OK(access_rw(fd, afd, iova + ps - 5, tmp, 10, 0));
	EXPECT_TRUE(!memcmp(tmp, buf + ps - 5, 10));
	memset(tmp, 0xa5, sizeof(tmp));
	EXPECT_OK(access_rw(fd, afd, iova + 3, tmp, sizeof(tmp),
			    MOCK_ACCESS_RW_WRITE));
	EXPECT_TRUE(!memcmp(buf + 3, tmp, sizeof(tmp)));
	EXPECT_ERRNO(EPERM, access_rw(fd, afd, ro_iova, tmp, 8,
				      MOCK_ACCESS_RW_WRITE));

	/* pins */
	EXPECT_ERRNO(EOPNOTSUPP, access_pages(fd, afd, iova, ps, buf, 0, &id));
	EXPECT_ERRNO(EINVAL, access_pages(fd, pafd, iova, 0, buf, 0, &id));
	EXPECT_ERRNO(ENOENT, access_pages(fd, pafd, 0x900000, ps, NULL, 0, &id));
	EXPECT_ERRNO(EPERM, access_pages(fd, pafd, ro_iova, ps, NULL,
					 MOCK_FLAGS_ACCESS_WRITE, &id));
	/* the pages must be the ones at uptr */
	EXPECT_ERRNO(EBADE, access_pages(fd, pafd, iova, ps, buf + ps, 0, &id));
	EXPECT_OK(check_refs(fd, buf, NPAGES * ps, 0));
	ABI_ASSERT(access_pages(fd, pafd, iova, 4 * ps, buf, 0, &id) == 0);
	ABI_ASSERT(access_pages(fd, pafd, iova + 2 * ps, 4 * ps, buf + 2 * ps,
				MOCK_FLAGS_ACCESS_WRITE, &id2) == 0);
	/* pinned once each, however many pins cover a page */
	EXPECT_OK(check_refs(fd, buf, 6 * ps, 1));
	EXPECT_OK(check_refs(fd, buf + 6 * ps, 2 * ps, 0));
	EXPECT_OK(destroy_pages(fd, pafd, id));
	EXPECT_ERRNO(ENOENT, destroy_pages(fd, pafd, id));
	EXPECT_OK(check_refs(fd, buf, 2 * ps, 0));
	EXPECT_OK(check_refs(fd, buf + 2 * ps, 4 * ps, 1));

	/* unmap makes the access let go before it returns */
	{
		struct iommu_ioas_unmap unmap = {
			.size = sizeof(unmap),
			.ioas_id = ioas,
			.iova = iova,
			.length = NPAGES * ps,
		};

		EXPECT_OK(ioctl(fd, IOMMU_IOAS_UNMAP, &unmap));
		EXPECT_EQ(NPAGES * ps, unmap.length);
	}
	EXPECT_ERRNO(ENOENT, destroy_pages(fd, pafd, id2));
	EXPECT_OK(check_refs(fd, buf, NPAGES * ps, 0));

	/* replace the IOAS: the alignment follows the access */
	{
		struct iommu_test_cmd cmd = {
			.size = sizeof(cmd),
			.op = IOMMU_TEST_OP_ACCESS_REPLACE_IOAS,
			.id = pafd,
			.access_replace_ioas = { .ioas_id = ioas2 },
		};

		EXPECT_OK(test_cmd(fd, &cmd));
		EXPECT_EQ(ps, alignment(fd, ioas2));
		cmd.access_replace_ioas.ioas_id = 9999;
		EXPECT_ERRNO(ENOENT, test_cmd(fd, &cmd));
	}

	/* closing the access fds releases them: the IOAS can go */
	close(afd);
	close(pafd);
	EXPECT_EQ(1, alignment(fd, ioas2));
	EXPECT_OK(abi_destroy(fd, ioas));
	close(fd);
	munmap(buf, NPAGES * ps);
	return abi_finish("access");
}
