/* SPDX-License-Identifier: MIT */
/*
 * ABI: IOAS objects — IOMMU_IOAS_ALLOC, IOMMU_DESTROY, object ids,
 * IOMMU_IOAS_CHANGE_PROCESS and tearing a context down by close().
 *
 * Kernel reference:
 *  - ioas.c iommufd_ioas_alloc_ioctl(): flags != 0 is EOPNOTSUPP;
 *  - main.c iommufd_fops_open(): xa_init_flags(XA_FLAGS_ALLOC1), so ids
 *    start at 1 and the lowest free id is handed out next;
 *  - main.c iommufd_object_remove(): an id that is not there (or 0) is
 *    ENOENT;
 *  - ioas.c iommufd_ioas_change_process(): __reserved != 0 is EOPNOTSUPP;
 *    any area of any IOAS whose pages are not IOPT_ADDRESS_FILE is EINVAL;
 *    otherwise 0 (with nothing mapped at all too);
 *  - main.c iommufd_fops_release(): destroys every object, leaves first.
 */
#include "abi.h"

#include <sys/wait.h>

static int change_process(int fd, uint32_t reserved)
{
	struct iommu_ioas_change_process cmd = {
		.size = sizeof(cmd),
		.__reserved = reserved,
	};

	return ioctl(fd, IOMMU_IOAS_CHANGE_PROCESS, &cmd);
}

static void check_alloc(void)
{
	int fd = abi_open();
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	uint32_t id;

	abi_section("IOAS_ALLOC flags");
	cmd.flags = 1;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(fd, IOMMU_IOAS_ALLOC, &cmd));
	cmd.flags = 0x80000000u;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(fd, IOMMU_IOAS_ALLOC, &cmd));
	cmd.flags = ~0u;
	cmd.out_ioas_id = 0x1234;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(fd, IOMMU_IOAS_ALLOC, &cmd));
	/* a refused command writes nothing back */
	EXPECT_EQ(0x1234, cmd.out_ioas_id);

	/* the refused attempts took no id: the first IOAS is 1 */
	cmd.flags = 0;
	cmd.out_ioas_id = 0;
	EXPECT_OK(ioctl(fd, IOMMU_IOAS_ALLOC, &cmd));
	EXPECT_EQ(1, cmd.out_ioas_id);
	EXPECT_EQ(sizeof(cmd), cmd.size);
	EXPECT_EQ(0, cmd.flags);

	/* out_ioas_id on input is ignored */
	cmd.out_ioas_id = 77;
	EXPECT_OK(ioctl(fd, IOMMU_IOAS_ALLOC, &cmd));
	EXPECT_EQ(2, cmd.out_ioas_id);

	/* an IOAS is usable right away */
	id = cmd.out_ioas_id;
	{
		struct iommu_iova_range r[2];
		uint32_t n = 2;

		EXPECT_OK(abi_iova_ranges(fd, id, r, &n, NULL));
	}
	close(fd);
}

static void check_ids(void)
{
	int fd = abi_open(), fd2;
	uint32_t id, ids[6];
	unsigned int i;

	abi_section("object ids");
	for (i = 0; i < 6; i++) {
		EXPECT_OK(abi_ioas_alloc(fd, &ids[i]));
		EXPECT_EQ(i + 1, ids[i]);
	}

	/* the lowest free id is reused */
	EXPECT_OK(abi_destroy(fd, 3));
	EXPECT_OK(abi_destroy(fd, 5));
	EXPECT_OK(abi_ioas_alloc(fd, &id));
	EXPECT_EQ(3, id);
	EXPECT_OK(abi_ioas_alloc(fd, &id));
	EXPECT_EQ(5, id);
	EXPECT_OK(abi_ioas_alloc(fd, &id));
	EXPECT_EQ(7, id);

	EXPECT_OK(abi_destroy(fd, 1));
	EXPECT_OK(abi_destroy(fd, 2));
	EXPECT_OK(abi_ioas_alloc(fd, &id));
	EXPECT_EQ(1, id);
	EXPECT_OK(abi_ioas_alloc(fd, &id));
	EXPECT_EQ(2, id);

	/* ids belong to the context: another open starts at 1 again */
	fd2 = abi_open();
	EXPECT_OK(abi_ioas_alloc(fd2, &id));
	EXPECT_EQ(1, id);
	/* and one context cannot see the other's objects */
	EXPECT_ERRNO(ENOENT, abi_destroy(fd2, 7));
	EXPECT_OK(abi_destroy(fd, 7));
	EXPECT_ERRNO(ENOENT, abi_destroy(fd, 7));
	EXPECT_OK(abi_destroy(fd2, 1));
	close(fd2);

	abi_section("DESTROY");
	EXPECT_ERRNO(ENOENT, abi_destroy(fd, 0));
	EXPECT_ERRNO(ENOENT, abi_destroy(fd, 8));
	EXPECT_ERRNO(ENOENT, abi_destroy(fd, 1000));
	EXPECT_ERRNO(ENOENT, abi_destroy(fd, 0x7fffffff));
	EXPECT_ERRNO(ENOENT, abi_destroy(fd, 0xffffffff));
	/* twice */
	EXPECT_OK(abi_destroy(fd, 4));
	EXPECT_ERRNO(ENOENT, abi_destroy(fd, 4));
	EXPECT_ERRNO(ENOENT, abi_destroy(fd, 4));
	/* a destroyed IOAS is gone for every command */
	{
		uint8_t *buf = abi_pages(1);
		uint64_t iova = 0;
		struct iommu_iova_range r[1];
		uint32_t n = 1;
		uint64_t v = 0;

		EXPECT_ERRNO(ENOENT, abi_map(fd, 4, buf, abi_page_size,
					     ABI_RW, &iova));
		EXPECT_ERRNO(ENOENT, abi_unmap(fd, 4, 0, UINT64_MAX, NULL));
		EXPECT_ERRNO(ENOENT, abi_iova_ranges(fd, 4, r, &n, NULL));
		EXPECT_ERRNO(ENOENT, abi_allow_iovas(fd, 4, NULL, 0));
		EXPECT_ERRNO(ENOENT, abi_option(fd, IOMMU_OPTION_HUGE_PAGES,
						IOMMU_OPTION_OP_GET, 4, &v));
		munmap(buf, abi_page_size);
	}
	/* destroying an IOAS that holds mappings works (they go with it) */
	{
		uint8_t *buf = abi_pages(2);

		EXPECT_OK(abi_map_fixed(fd, 6, buf, 2 * abi_page_size,
					1UL << 20));
		EXPECT_OK(abi_map_fixed(fd, 6, buf, abi_page_size,
					1UL << 30));
		EXPECT_OK(abi_destroy(fd, 6));
		EXPECT_ERRNO(ENOENT, abi_destroy(fd, 6));
		EXPECT_OK(abi_ioas_alloc(fd, &id));
		EXPECT_EQ(4, id);
		EXPECT_OK(abi_ioas_alloc(fd, &id));
		EXPECT_EQ(6, id);
		/* the new IOAS 6 is empty */
		EXPECT_OK(abi_map_fixed(fd, 6, buf, 2 * abi_page_size,
					1UL << 20));
		munmap(buf, 2 * abi_page_size);
	}
	close(fd);
}

static void check_change_process(void)
{
	int fd = abi_open();
	size_t ps = abi_page_size;
	uint8_t *buf = abi_pages(4);
	int mfd = abi_memfd(8 * ps);
	uint32_t a, b;
	uint64_t iova, unmapped;

	abi_section("CHANGE_PROCESS");
	/* nothing at all, then IOAS without maps */
	EXPECT_OK(change_process(fd, 0));
	EXPECT_ERRNO(EOPNOTSUPP, change_process(fd, 1));
	EXPECT_ERRNO(EOPNOTSUPP, change_process(fd, 0x80000000u));
	a = abi_new_ioas(fd);
	b = abi_new_ioas(fd);
	EXPECT_OK(change_process(fd, 0));

	/* only memfd (IOAS_MAP_FILE) maps: allowed */
	iova = 0;
	EXPECT_OK(abi_map_file(fd, a, mfd, 0, 4 * ps,
			       IOMMU_IOAS_MAP_READABLE, &iova));
	EXPECT_OK(change_process(fd, 0));
	/* and their copies in another IOAS are file backed too */
	{
		uint64_t dst = 0;

		EXPECT_OK(abi_copy(fd, b, a, iova + ps, ps,
				   IOMMU_IOAS_MAP_READABLE, &dst));
		EXPECT_OK(change_process(fd, 0));
	}
	EXPECT_ERRNO(EOPNOTSUPP, change_process(fd, 1));

	/* one user-VA map anywhere in the context: EINVAL */
	EXPECT_OK(abi_map_fixed(fd, b, buf, ps, 1UL << 32));
	EXPECT_ERRNO(EINVAL, change_process(fd, 0));
	/* __reserved is checked before the maps */
	EXPECT_ERRNO(EOPNOTSUPP, change_process(fd, 2));
	/* its copy keeps the user-VA pages: still EINVAL */
	{
		uint64_t dst = 0;

		EXPECT_OK(abi_copy(fd, a, b, 1UL << 32, ps,
				   IOMMU_IOAS_MAP_READABLE, &dst));
		EXPECT_OK(abi_unmap(fd, b, 1UL << 32, ps, &unmapped));
		EXPECT_ERRNO(EINVAL, change_process(fd, 0));
		EXPECT_OK(abi_unmap(fd, a, dst, ps, &unmapped));
	}
	/* gone again: allowed again */
	EXPECT_OK(change_process(fd, 0));

	/* a user-VA map in an IOAS that is then destroyed does not count */
	{
		uint32_t c = abi_new_ioas(fd);

		EXPECT_OK(abi_map_fixed(fd, c, buf, 2 * ps, 0));
		EXPECT_ERRNO(EINVAL, change_process(fd, 0));
		EXPECT_OK(abi_destroy(fd, c));
		EXPECT_OK(change_process(fd, 0));
	}

	/* the file maps are still in place */
	EXPECT_ERRNO(EEXIST, abi_map_file(fd, a, mfd, 0, ps,
					  IOMMU_IOAS_MAP_READABLE |
						  IOMMU_IOAS_MAP_FIXED_IOVA,
					  &iova));
	close(mfd);
	munmap(buf, 4 * ps);
	close(fd);
}

/*
 * close() with objects, maps, copies, reserved and allowed ranges and a VFIO
 * compat IOAS in place tears everything down; the process goes on.
 */
static void check_close(void)
{
	size_t ps = abi_page_size;
	uint8_t *buf = abi_pages(8);
	int mfd = abi_memfd(16 * ps);
	int have_test;
	pid_t pid;
	int round;

	abi_section("close with objects in place");
	for (round = 0; round < 3; round++) {
		int fd = abi_open();
		uint32_t ioas[4];
		uint64_t iova;
		unsigned int i;

		have_test = abi_have_test_cmd(fd);
		for (i = 0; i < 4; i++) {
			ioas[i] = abi_new_ioas(fd);
			EXPECT_OK(abi_map_fixed(fd, ioas[i], buf, 8 * ps,
						(i + 1) * (1UL << 24)));
			iova = 0;
			EXPECT_OK(abi_map(fd, ioas[i], buf + ps, ps,
					  IOMMU_IOAS_MAP_READABLE, &iova));
			iova = 0;
			EXPECT_OK(abi_map_file(fd, ioas[i], mfd, ps, 4 * ps,
					       ABI_RW, &iova));
			if (i) {
				iova = 0;
				EXPECT_OK(abi_copy(fd, ioas[i], ioas[i - 1],
						   i * (1UL << 24), 8 * ps,
						   ABI_RW, &iova));
			}
			if (have_test)
				EXPECT_OK(abi_add_reserved(fd, ioas[i],
							   1UL << 40, ps));
		}
		{
			struct iommu_iova_range r = { 1UL << 44, 1UL << 45 };
			struct iommu_vfio_ioas v = {
				.size = sizeof(v),
				.ioas_id = ioas[2],
				.op = IOMMU_VFIO_IOAS_SET,
			};

			EXPECT_OK(abi_allow_iovas(fd, ioas[3], &r, 1));
			EXPECT_OK(ioctl(fd, IOMMU_VFIO_IOAS, &v));
		}
		if (round == 1)
			EXPECT_OK(abi_destroy(fd, ioas[1]));
		EXPECT_OK(close(fd));
	}

	/* the same in a child that exits without closing */
	pid = fork();
	ABI_ASSERT(pid >= 0);
	if (pid == 0) {
		int fd = abi_open();
		uint32_t id = abi_new_ioas(fd);

		if (abi_map_fixed(fd, id, buf, 8 * ps, 0))
			_exit(2);
		_exit(0);
	} else {
		int status = 0;

		ABI_ASSERT(waitpid(pid, &status, 0) == pid);
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}

	/* a new context works and starts from scratch */
	{
		int fd = abi_open();
		uint32_t id;

		EXPECT_OK(abi_ioas_alloc(fd, &id));
		EXPECT_EQ(1, id);
		EXPECT_OK(abi_map_fixed(fd, id, buf, 8 * ps, 1UL << 24));
		close(fd);
	}
	close(mfd);
	munmap(buf, 8 * ps);
}

int main(void)
{
	close(abi_open());
	check_alloc();
	check_ids();
	check_change_process();
	check_close();
	return abi_finish("ioas");
}
