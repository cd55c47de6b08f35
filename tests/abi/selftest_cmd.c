/* SPDX-License-Identifier: MIT */
/*
 * ABI: IOMMU_TEST_CMD, the selftest command — the ops served without mock
 * devices: ADD_RESERVED, MD_CHECK_REFS, SET_TEMP_MEMORY_LIMIT, and the
 * answer to an op that does not exist.
 *
 * Kernel reference (drivers/iommu/iommufd/selftest.c):
 *  - iommufd_test(): dispatch on op, unknown ops EOPNOTSUPP; __reserved is
 *    not looked at;
 *  - iommufd_test_add_reserved(): length 0 EINVAL, start + length - 1
 *    wrapping EOVERFLOW (both before the lookup), then the IOAS (ENOENT),
 *    then iopt_reserve_iova() (EADDRINUSE over an area or allowed range;
 *    reserved ranges may overlap);
 *  - iommufd_test_md_check_refs(): length or uptr not page aligned, or
 *    uptr + length wrapping, EINVAL; each page is looked up with
 *    get_user_pages_fast() (EFAULT when there is none) and its pin count
 *    must equal refs, else EIO; id is not used;
 *  - IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT: a limit below
 *    sizeof(unsigned long) + sizeof(u32) (12) is EINVAL (it protects
 *    _batch_init()), else 0.
 */
#include "abi.h"

#define MiB (1024UL * 1024)

static size_t ps;

static int test_cmd(int fd, struct iommu_test_cmd *cmd)
{
	return ioctl(fd, IOMMU_TEST_CMD, cmd);
}

static int add_reserved(int fd, uint32_t ioas, uint64_t start, uint64_t len,
			uint32_t reserved)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_ADD_RESERVED,
		.id = ioas,
		.__reserved = reserved,
		.add_reserved = { .start = start, .length = len },
	};

	return test_cmd(fd, &cmd);
}

static int check_refs(int fd, uint32_t id, const void *va, uint64_t len,
		      uint32_t refs)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MD_CHECK_REFS,
		.id = id,
		.check_refs = { .length = len, .uptr = (uintptr_t)va,
				.refs = refs },
	};

	return test_cmd(fd, &cmd);
}

static int memory_limit(int fd, uint32_t limit)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT,
		.memory_limit = { .limit = limit },
	};

	return test_cmd(fd, &cmd);
}

static void check_add_reserved(int fd)
{
	uint32_t ioas = abi_new_ioas(fd);
	uint8_t *buf = abi_pages(2);
	struct iommu_iova_range r[4];
	uint32_t n;

	abi_section("ADD_RESERVED ioas id");
	EXPECT_ERRNO(ENOENT, add_reserved(fd, 9999, MiB, ps, 0));
	EXPECT_ERRNO(ENOENT, add_reserved(fd, 0, MiB, ps, 0));

	abi_section("ADD_RESERVED length and wrap");
	EXPECT_ERRNO(EINVAL, add_reserved(fd, ioas, MiB, 0, 0));
	EXPECT_ERRNO(EINVAL, add_reserved(fd, 9999, MiB, 0, 0));
	EXPECT_ERRNO(EOVERFLOW, add_reserved(fd, ioas, UINT64_MAX, 2, 0));
	EXPECT_ERRNO(EOVERFLOW, add_reserved(fd, ioas, UINT64_MAX - ps + 1,
					     2 * ps, 0));
	EXPECT_ERRNO(EOVERFLOW, add_reserved(fd, 9999, 2, UINT64_MAX, 0));
	/* nothing was reserved by those */
	n = 4;
	EXPECT_OK(abi_iova_ranges(fd, ioas, r, &n, NULL));
	EXPECT_EQ(1, n);

	abi_section("ADD_RESERVED works");
	EXPECT_OK(add_reserved(fd, ioas, MiB, ps, 0));
	/* __reserved of the test command is not looked at */
	EXPECT_OK(add_reserved(fd, ioas, 2 * MiB, ps, 0xffffffffu));
	/* reserved ranges may overlap, even repeat */
	EXPECT_OK(add_reserved(fd, ioas, MiB, ps, 0));
	EXPECT_OK(add_reserved(fd, ioas, MiB - ps, 3 * ps, 0));
	/* the very top */
	EXPECT_OK(add_reserved(fd, ioas, UINT64_MAX, 1, 0));
	n = 4;
	EXPECT_OK(abi_iova_ranges(fd, ioas, r, &n, NULL));
	EXPECT_EQ(3, n);
	EXPECT_EQ(0, r[0].start);
	EXPECT_EQ(MiB - ps - 1, r[0].last);
	EXPECT_EQ(MiB + 2 * ps, r[1].start);
	EXPECT_EQ(2 * MiB - 1, r[1].last);
	EXPECT_EQ(2 * MiB + ps, r[2].start);
	EXPECT_EQ(UINT64_MAX - 1, r[2].last);
	/* the whole space but the last byte */
	{
		uint32_t all = abi_new_ioas(fd);

		EXPECT_OK(add_reserved(fd, all, 0, UINT64_MAX, 0));
		n = 4;
		EXPECT_OK(abi_iova_ranges(fd, all, r, &n, NULL));
		EXPECT_EQ(1, n);
		EXPECT_EQ(UINT64_MAX, r[0].start);
		EXPECT_EQ(UINT64_MAX, r[0].last);
		EXPECT_OK(abi_destroy(fd, all));
	}

	abi_section("ADD_RESERVED over a mapping");
	EXPECT_OK(abi_map_fixed(fd, ioas, buf, 2 * ps, 8 * MiB));
	EXPECT_ERRNO(EADDRINUSE, add_reserved(fd, ioas, 8 * MiB + ps, 1, 0));
	EXPECT_ERRNO(EADDRINUSE, add_reserved(fd, ioas, 0, UINT64_MAX, 0));
	EXPECT_OK(add_reserved(fd, ioas, 8 * MiB + 2 * ps, ps, 0));

	/* an IOAS holding reserved ranges can be destroyed */
	EXPECT_OK(abi_destroy(fd, ioas));
	munmap(buf, 2 * ps);
}

static void check_md_check_refs(int fd)
{
	uint32_t ioas = abi_new_ioas(fd);
	uint8_t *buf = abi_pages(4);
	uint8_t *gone = abi_pages(2);
	uint8_t *none = abi_pages(1);
	uint64_t iova = 0;

	ABI_ASSERT(munmap(gone, 2 * ps) == 0);
	ABI_ASSERT(mprotect(none, ps, PROT_NONE) == 0);

	abi_section("MD_CHECK_REFS alignment");
	EXPECT_ERRNO(EINVAL, check_refs(fd, 0, buf + 1, ps, 0));
	EXPECT_ERRNO(EINVAL, check_refs(fd, 0, buf + ps / 2, ps, 0));
	EXPECT_ERRNO(EINVAL, check_refs(fd, 0, buf, ps - 1, 0));
	EXPECT_ERRNO(EINVAL, check_refs(fd, 0, buf, ps + 1, 0));
	EXPECT_ERRNO(EINVAL, check_refs(fd, 0, buf + 8, 0, 0));
	/* alignment is checked before the pages: also for missing ones */
	EXPECT_ERRNO(EINVAL, check_refs(fd, 0, gone + 8, ps, 0));
	EXPECT_ERRNO(EINVAL, check_refs(fd, 0, buf + 8, ps, 1));
	/* uptr + length wraps */
	EXPECT_ERRNO(EINVAL, check_refs(fd, 0, (void *)(UINT64_MAX - ps + 1),
					2 * ps, 0));
	EXPECT_ERRNO(EINVAL, check_refs(fd, 0, (void *)(UINT64_MAX - ps + 1),
					ps, 0));

	abi_section("MD_CHECK_REFS refs 0");
	EXPECT_OK(check_refs(fd, 0, buf, 4 * ps, 0));
	EXPECT_OK(check_refs(fd, 0, buf + ps, ps, 0));
	/* length 0 looks at nothing */
	EXPECT_OK(check_refs(fd, 0, buf, 0, 0));
	EXPECT_OK(check_refs(fd, 0, gone, 0, 5));
	/* id is not used */
	EXPECT_OK(check_refs(fd, 9999, buf, ps, 0));
	/* mapped into an IOAS, copied, and unmapped: still nothing pinned */
	EXPECT_OK(abi_map(fd, ioas, buf, 4 * ps, ABI_RW, &iova));
	EXPECT_OK(check_refs(fd, 0, buf, 4 * ps, 0));
	{
		uint32_t other = abi_new_ioas(fd);
		uint64_t dst = 0;

		EXPECT_OK(abi_copy(fd, other, ioas, iova, 4 * ps, ABI_RW,
				   &dst));
		EXPECT_OK(check_refs(fd, 0, buf, 4 * ps, 0));
		EXPECT_OK(abi_destroy(fd, other));
	}
	EXPECT_OK(abi_unmap(fd, ioas, iova, 4 * ps, NULL));
	EXPECT_OK(check_refs(fd, 0, buf, 4 * ps, 0));

	abi_section("MD_CHECK_REFS refs that are not there");
	EXPECT_ERRNO(EIO, check_refs(fd, 0, buf, ps, 1));
	EXPECT_ERRNO(EIO, check_refs(fd, 0, buf, 4 * ps, 2));
	EXPECT_ERRNO(EIO, check_refs(fd, 0, buf + 3 * ps, ps, 0xffffffffu));
	iova = 0;
	EXPECT_OK(abi_map(fd, ioas, buf, 4 * ps, ABI_RW, &iova));
	EXPECT_ERRNO(EIO, check_refs(fd, 0, buf, 4 * ps, 1));
	EXPECT_OK(abi_unmap(fd, ioas, iova, 4 * ps, NULL));

	abi_section("MD_CHECK_REFS of memory that is not there");
	EXPECT_ERRNO(EFAULT, check_refs(fd, 0, gone, ps, 0));
	EXPECT_ERRNO(EFAULT, check_refs(fd, 0, gone, 2 * ps, 1));
	EXPECT_ERRNO(EFAULT, check_refs(fd, 0, gone + ps, ps, 0));
	EXPECT_ERRNO(EFAULT, check_refs(fd, 0, none, ps, 0));
	EXPECT_ERRNO(EFAULT, check_refs(fd, 0, NULL, ps, 0));
	/* pages are walked in order: a good page first, then the hole */
	{
		uint8_t *two = abi_pages(2);

		ABI_ASSERT(munmap(two + ps, ps) == 0);
		EXPECT_ERRNO(EFAULT, check_refs(fd, 0, two, 2 * ps, 0));
		/* a wrong count on the first page is found before the hole */
		EXPECT_ERRNO(EIO, check_refs(fd, 0, two, 2 * ps, 1));
		EXPECT_OK(check_refs(fd, 0, two, ps, 0));
		munmap(two, ps);
	}

	EXPECT_OK(abi_destroy(fd, ioas));
	munmap(buf, 4 * ps);
	munmap(none, ps);
}

static void check_memory_limit(int fd)
{
	abi_section("SET_TEMP_MEMORY_LIMIT");
	EXPECT_OK(memory_limit(fd, 65536));
	EXPECT_OK(memory_limit(fd, 16));
	EXPECT_OK(memory_limit(fd, 12));
	EXPECT_ERRNO(EINVAL, memory_limit(fd, 11));
	EXPECT_ERRNO(EINVAL, memory_limit(fd, 1));
	EXPECT_ERRNO(EINVAL, memory_limit(fd, 0));
	EXPECT_OK(memory_limit(fd, 0xffffffffu));
	/* back to the kernel's default */
	EXPECT_OK(memory_limit(fd, 65536));
}

static void check_unknown_op(int fd)
{
	struct iommu_test_cmd cmd;
	uint32_t ops[] = { 0, 1000, 0x7fffffff, 0xffffffffu };
	unsigned int i;

	abi_section("unknown op");
	for (i = 0; i < ABI_ARRAY_SIZE(ops); i++) {
		memset(&cmd, 0, sizeof(cmd));
		cmd.size = sizeof(cmd);
		cmd.op = ops[i];
		EXPECT_ERRNO(EOPNOTSUPP, test_cmd(fd, &cmd));
	}
	/* with the minimum size too */
	memset(&cmd, 0, sizeof(cmd));
	cmd.size = offsetofend(struct iommu_test_cmd, last);
	cmd.op = 1000;
	EXPECT_ERRNO(EOPNOTSUPP, test_cmd(fd, &cmd));
}

int main(void)
{
	int fd = abi_open();

	ps = abi_page_size;
	if (!abi_have_test_cmd(fd)) {
		printf("SKIP: IOMMU_TEST_CMD is not served (a kernel without "
		       "CONFIG_IOMMUFD_TEST?)\n");
		return ABI_SKIP;
	}
	check_add_reserved(fd);
	check_md_check_refs(fd);
	check_memory_limit(fd);
	check_unknown_op(fd);
	close(fd);
	return abi_finish("selftest_cmd");
}
