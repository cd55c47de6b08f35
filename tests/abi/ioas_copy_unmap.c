/* SPDX-License-Identifier: MIT */
/*
 * ABI: IOMMU_IOAS_COPY and IOMMU_IOAS_UNMAP.
 *
 * Kernel reference:
 *  - ioas.c iommufd_ioas_copy(): unknown flags EOPNOTSUPP (bit 16 is left
 *    out here: a CONFIG_IOMMUFD_TEST kernel strips MOCK_FLAGS_ACCESS_SYZ
 *    first); length, src_iova or dst_iova >= ULONG_MAX EOVERFLOW; neither
 *    READABLE nor WRITEABLE EINVAL; then the source IOAS (ENOENT), its pages
 *    (iopt_get_pages(): length 0 EINVAL, src_iova + length - 1 wrapping
 *    EOVERFLOW, any part not mapped ENOENT), then the destination IOAS
 *    (ENOENT) and iopt_map_pages() (as MAP: EEXIST, EINVAL on reserved,
 *    EOVERFLOW, ENOSPC), one destination area per source area piece;
 *  - io_pagetable.c iopt_insert_area(): WRITEABLE needs pages that were
 *    mapped WRITEABLE (pages->writable), else EPERM;
 *  - ioas.c iommufd_ioas_unmap(): the IOAS first (ENOENT); iova 0 with
 *    length U64_MAX unmaps everything (0 bytes on an empty IOAS is success);
 *    otherwise iova or length >= ULONG_MAX EOVERFLOW, length 0 EINVAL,
 *    iova + length - 1 wrapping EOVERFLOW, an area only partly inside the
 *    range ENOENT (areas before it are already gone), nothing unmapped
 *    ENOENT; the bytes unmapped are returned in length;
 *  - no domain and no access: nothing is pinned (MD_CHECK_REFS 0).
 */
#include "abi.h"

#define MiB (1024UL * 1024)

static size_t ps;
static int have_test;

static void check_refs_zero(int fd, const void *buf, size_t len)
{
	if (have_test)
		EXPECT_OK(abi_check_refs(fd, buf, len, 0));
}

static int copy_cmd(int fd, struct iommu_ioas_copy *cmd)
{
	return ioctl(fd, IOMMU_IOAS_COPY, cmd);
}

static void check_copy(int fd)
{
	uint8_t *buf = abi_aligned(16 * ps, 2 * MiB);
	uint32_t a = abi_new_ioas(fd), b = abi_new_ioas(fd);
	const uint64_t S = 16 * MiB, R = 32 * MiB, G = 48 * MiB;
	const uint64_t D = 64 * MiB;
	struct iommu_ioas_copy cmd;
	uint64_t iova, unmapped;

	memset(buf, 0x3c, 16 * ps);
	/* A: two adjacent RW maps, then an adjacent read-only one */
	ABI_ASSERT(abi_map_fixed(fd, a, buf, 4 * ps, S) == 0);
	ABI_ASSERT(abi_map_fixed(fd, a, buf + 4 * ps, 2 * ps, S + 4 * ps) == 0);
	iova = S + 6 * ps;
	ABI_ASSERT(abi_map(fd, a, buf + 6 * ps, 2 * ps,
			   IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_FIXED_IOVA,
			   &iova) == 0);
	/* a lone read-only map, and two maps with a one-page gap */
	iova = R;
	ABI_ASSERT(abi_map(fd, a, buf, 2 * ps,
			   IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_FIXED_IOVA,
			   &iova) == 0);
	ABI_ASSERT(abi_map_fixed(fd, a, buf, ps, G) == 0);
	ABI_ASSERT(abi_map_fixed(fd, a, buf, ps, G + 2 * ps) == 0);
	check_refs_zero(fd, buf, 16 * ps);

#define RESET()                                                               \
	do {                                                                  \
		memset(&cmd, 0, sizeof(cmd));                                 \
		cmd.size = sizeof(cmd);                                       \
		cmd.flags = IOMMU_IOAS_MAP_READABLE;                          \
		cmd.dst_ioas_id = b;                                          \
		cmd.src_ioas_id = a;                                          \
		cmd.length = ps;                                              \
		cmd.src_iova = S;                                             \
	} while (0)

	abi_section("COPY flags");
	RESET();
	cmd.flags |= 1u << 3;
	EXPECT_ERRNO(EOPNOTSUPP, copy_cmd(fd, &cmd));
	RESET();
	cmd.flags |= 1u << 31;
	EXPECT_ERRNO(EOPNOTSUPP, copy_cmd(fd, &cmd));
	RESET();
	cmd.flags = 0xff;
	cmd.length = UINT64_MAX;
	cmd.src_ioas_id = 9999;
	EXPECT_ERRNO(EOPNOTSUPP, copy_cmd(fd, &cmd));

	abi_section("COPY overflow");
	RESET();
	cmd.length = UINT64_MAX;
	EXPECT_ERRNO(EOVERFLOW, copy_cmd(fd, &cmd));
	RESET();
	cmd.src_iova = UINT64_MAX;
	EXPECT_ERRNO(EOVERFLOW, copy_cmd(fd, &cmd));
	RESET();
	cmd.dst_iova = UINT64_MAX;	/* checked even without FIXED_IOVA */
	EXPECT_ERRNO(EOVERFLOW, copy_cmd(fd, &cmd));
	RESET();
	cmd.flags = 0;
	cmd.src_iova = UINT64_MAX;
	cmd.src_ioas_id = 9999;
	EXPECT_ERRNO(EOVERFLOW, copy_cmd(fd, &cmd));
	RESET();
	cmd.src_iova = UINT64_MAX - ps + 1;
	cmd.length = 2 * ps;
	EXPECT_ERRNO(EOVERFLOW, copy_cmd(fd, &cmd));
	RESET();
	cmd.flags |= IOMMU_IOAS_MAP_FIXED_IOVA;
	cmd.dst_iova = UINT64_MAX - ps + 1;
	cmd.length = 2 * ps;
	EXPECT_ERRNO(EOVERFLOW, copy_cmd(fd, &cmd));

	abi_section("COPY permissions");
	RESET();
	cmd.flags = 0;
	EXPECT_ERRNO(EINVAL, copy_cmd(fd, &cmd));
	RESET();
	cmd.flags = IOMMU_IOAS_MAP_FIXED_IOVA;
	cmd.src_ioas_id = 9999;
	EXPECT_ERRNO(EINVAL, copy_cmd(fd, &cmd));

	abi_section("COPY ioas ids");
	RESET();
	cmd.src_ioas_id = 9999;
	EXPECT_ERRNO(ENOENT, copy_cmd(fd, &cmd));
	RESET();
	cmd.src_ioas_id = 0;
	EXPECT_ERRNO(ENOENT, copy_cmd(fd, &cmd));
	RESET();
	cmd.dst_ioas_id = 9999;
	EXPECT_ERRNO(ENOENT, copy_cmd(fd, &cmd));
	RESET();
	cmd.dst_ioas_id = 0;
	cmd.src_iova = 0;	/* not mapped: the source is looked at first */
	EXPECT_ERRNO(ENOENT, copy_cmd(fd, &cmd));

	abi_section("COPY length 0");
	RESET();
	cmd.length = 0;
	EXPECT_ERRNO(EINVAL, copy_cmd(fd, &cmd));
	RESET();
	cmd.length = 0;
	cmd.dst_ioas_id = 9999;
	EXPECT_ERRNO(EINVAL, copy_cmd(fd, &cmd));
	RESET();
	cmd.length = 0;
	cmd.src_ioas_id = 9999;
	EXPECT_ERRNO(ENOENT, copy_cmd(fd, &cmd));

	abi_section("COPY of what is not mapped");
	RESET();
	cmd.src_iova = 0;
	EXPECT_ERRNO(ENOENT, copy_cmd(fd, &cmd));
	RESET();
	cmd.src_iova = S - ps;		/* starts before the map */
	cmd.length = 2 * ps;
	EXPECT_ERRNO(ENOENT, copy_cmd(fd, &cmd));
	RESET();
	cmd.src_iova = S - 1;
	cmd.length = 2;
	EXPECT_ERRNO(ENOENT, copy_cmd(fd, &cmd));
	RESET();
	cmd.src_iova = S + 7 * ps;	/* runs past the last map */
	cmd.length = 2 * ps;
	EXPECT_ERRNO(ENOENT, copy_cmd(fd, &cmd));
	RESET();
	cmd.src_iova = G;		/* across a gap */
	cmd.length = 3 * ps;
	EXPECT_ERRNO(ENOENT, copy_cmd(fd, &cmd));
	RESET();
	cmd.src_iova = G + ps;		/* inside the gap */
	cmd.length = 1;
	EXPECT_ERRNO(ENOENT, copy_cmd(fd, &cmd));
	/* none of that left anything in B */
	EXPECT_OK(abi_unmap(fd, b, 0, UINT64_MAX, &unmapped));
	EXPECT_EQ(0, unmapped);

	abi_section("COPY of a sub-range");
	RESET();
	cmd.flags = ABI_FIXED_RW;
	cmd.src_iova = S + ps;
	cmd.dst_iova = D;
	EXPECT_OK(copy_cmd(fd, &cmd));
	EXPECT_EQ(D, cmd.dst_iova);
	EXPECT_EQ(S + ps, cmd.src_iova);
	EXPECT_EQ(ps, cmd.length);
	/* one page in B, exactly */
	EXPECT_ERRNO(ENOENT, abi_unmap(fd, b, D - ps, ps, NULL));
	EXPECT_ERRNO(ENOENT, abi_unmap(fd, b, D + ps, ps, NULL));
	EXPECT_OK(abi_unmap(fd, b, D, ps, &unmapped));
	EXPECT_EQ(ps, unmapped);
	/* bytes inside a page, automatic IOVA: the page offset is kept */
	RESET();
	cmd.src_iova = S + ps + 0x10;
	cmd.length = 0x20;
	EXPECT_OK(copy_cmd(fd, &cmd));
	EXPECT_EQ(0x10, cmd.dst_iova % ps);
	EXPECT_EQ(ps + 0x10, cmd.dst_iova);	/* B is empty: first fit */
	EXPECT_OK(abi_unmap(fd, b, cmd.dst_iova, 0x20, &unmapped));
	EXPECT_EQ(0x20, unmapped);

	abi_section("COPY across two adjacent maps");
	RESET();
	cmd.flags = ABI_FIXED_RW;
	cmd.src_iova = S + 3 * ps;
	cmd.length = 2 * ps;
	cmd.dst_iova = D;
	EXPECT_OK(copy_cmd(fd, &cmd));
	/* one destination area per source piece: each unmaps on its own */
	EXPECT_OK(abi_unmap(fd, b, D, ps, &unmapped));
	EXPECT_EQ(ps, unmapped);
	EXPECT_OK(abi_unmap(fd, b, D + ps, ps, &unmapped));
	EXPECT_EQ(ps, unmapped);
	/* all of both */
	RESET();
	cmd.src_iova = S;
	cmd.length = 6 * ps;
	EXPECT_OK(copy_cmd(fd, &cmd));
	/* automatic IOVA aligned as for the source address (buf) */
	EXPECT_EQ(8 * ps, cmd.dst_iova);
	EXPECT_OK(abi_unmap(fd, b, 0, UINT64_MAX, &unmapped));
	EXPECT_EQ(6 * ps, unmapped);
	RESET();
	cmd.src_iova = S + ps;
	EXPECT_OK(copy_cmd(fd, &cmd));
	EXPECT_EQ(ps, cmd.dst_iova);
	EXPECT_OK(abi_unmap(fd, b, 0, UINT64_MAX, &unmapped));
	EXPECT_EQ(ps, unmapped);

	abi_section("COPY permissions of the pages");
	/* WRITEABLE from read-only pages: EPERM */
	RESET();
	cmd.flags = ABI_RW;
	cmd.src_iova = R;
	EXPECT_ERRNO(EPERM, copy_cmd(fd, &cmd));
	RESET();
	cmd.flags = IOMMU_IOAS_MAP_WRITEABLE;
	cmd.src_iova = R;
	cmd.length = 2 * ps;
	EXPECT_ERRNO(EPERM, copy_cmd(fd, &cmd));
	RESET();
	cmd.src_iova = R;
	cmd.length = 2 * ps;
	EXPECT_OK(copy_cmd(fd, &cmd));
	/* a range that ends in read-only pages: EPERM, nothing left in B */
	RESET();
	cmd.flags = ABI_FIXED_RW;
	cmd.src_iova = S + 5 * ps;
	cmd.length = 2 * ps;
	cmd.dst_iova = D;
	EXPECT_ERRNO(EPERM, copy_cmd(fd, &cmd));
	EXPECT_OK(abi_map_fixed(fd, b, buf, 2 * ps, D));
	EXPECT_OK(abi_unmap(fd, b, D, 2 * ps, NULL));
	/* READABLE of the same range is fine */
	cmd.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_FIXED_IOVA;
	EXPECT_OK(copy_cmd(fd, &cmd));
	/*
	 * A READABLE copy of writable pages can be copied on WRITEABLE: the
	 * check is on the pages, not on the area's permissions.
	 */
	RESET();
	cmd.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_FIXED_IOVA;
	cmd.src_iova = S;
	cmd.dst_iova = D + 16 * ps;
	EXPECT_OK(copy_cmd(fd, &cmd));
	iova = 0;
	EXPECT_OK(abi_copy(fd, a, b, D + 16 * ps, ps, ABI_RW, &iova));
	EXPECT_OK(abi_unmap(fd, a, iova, ps, &unmapped));
	EXPECT_EQ(ps, unmapped);

	abi_section("COPY fixed destination in use");
	RESET();
	cmd.flags = ABI_FIXED_RW;
	cmd.dst_iova = D + 16 * ps;	/* occupied by the copy above */
	EXPECT_ERRNO(EEXIST, copy_cmd(fd, &cmd));
	RESET();
	cmd.flags = ABI_FIXED_RW;
	cmd.dst_iova = D + 15 * ps;
	cmd.length = 2 * ps;
	EXPECT_ERRNO(EEXIST, copy_cmd(fd, &cmd));
	RESET();
	cmd.flags = ABI_FIXED_RW;
	cmd.dst_iova = D + 15 * ps;
	EXPECT_OK(copy_cmd(fd, &cmd));
	if (have_test) {
		EXPECT_OK(abi_add_reserved(fd, b, 96 * MiB, ps));
		RESET();
		cmd.flags = ABI_FIXED_RW;
		cmd.dst_iova = 96 * MiB;
		EXPECT_ERRNO(EINVAL, copy_cmd(fd, &cmd));
	}

	abi_section("COPY within one IOAS");
	RESET();
	cmd.flags = ABI_FIXED_RW;
	cmd.dst_ioas_id = a;
	cmd.dst_iova = S + 100 * ps;
	EXPECT_OK(copy_cmd(fd, &cmd));
	RESET();
	cmd.flags = ABI_FIXED_RW;
	cmd.dst_ioas_id = a;
	cmd.dst_iova = S + ps;		/* onto its own source */
	EXPECT_ERRNO(EEXIST, copy_cmd(fd, &cmd));

	abi_section("COPY outlives its source");
	RESET();
	cmd.flags = ABI_FIXED_RW;
	cmd.src_iova = G;
	cmd.dst_iova = D + 64 * ps;
	EXPECT_OK(copy_cmd(fd, &cmd));
	EXPECT_OK(abi_unmap(fd, a, G, ps, &unmapped));
	EXPECT_EQ(ps, unmapped);
	RESET();
	cmd.src_iova = G;
	EXPECT_ERRNO(ENOENT, copy_cmd(fd, &cmd));
	/* the copy can itself be copied back */
	iova = G;
	EXPECT_OK(abi_copy(fd, a, b, D + 64 * ps, ps, ABI_FIXED_RW, &iova));
	EXPECT_EQ(G, iova);

	abi_section("COPY of a file map");
	{
		int mfd = abi_memfd(8 * ps);
		uint64_t f = 0;

		EXPECT_OK(abi_map_file(fd, a, mfd, ps, 4 * ps, ABI_RW, &f));
		iova = 0;
		EXPECT_OK(abi_copy(fd, b, a, f + ps, 2 * ps, ABI_RW, &iova));
		close(mfd);	/* the maps hold the file */
		EXPECT_OK(abi_unmap(fd, b, iova, 2 * ps, &unmapped));
		EXPECT_EQ(2 * ps, unmapped);
		EXPECT_OK(abi_unmap(fd, a, f, 4 * ps, &unmapped));
		EXPECT_EQ(4 * ps, unmapped);
	}
#undef RESET
	check_refs_zero(fd, buf, 16 * ps);
	EXPECT_OK(abi_destroy(fd, a));
	check_refs_zero(fd, buf, 16 * ps);
	EXPECT_OK(abi_destroy(fd, b));
	check_refs_zero(fd, buf, 16 * ps);
}

static void check_unmap(int fd)
{
	uint8_t *buf = abi_pages(16);
	uint32_t u = abi_new_ioas(fd);
	const uint64_t M = 16 * MiB;
	struct iommu_ioas_unmap cmd;
	uint64_t unmapped;

	abi_section("UNMAP argument checks");
	EXPECT_ERRNO(EINVAL, abi_unmap(fd, u, M, 0, NULL));
	EXPECT_ERRNO(EINVAL, abi_unmap(fd, u, 0, 0, NULL));
	EXPECT_ERRNO(ENOENT, abi_unmap(fd, 9999, M, ps, NULL));
	EXPECT_ERRNO(ENOENT, abi_unmap(fd, 0, M, ps, NULL));
	/* the IOAS is looked up first */
	EXPECT_ERRNO(ENOENT, abi_unmap(fd, 9999, M, 0, NULL));
	EXPECT_ERRNO(ENOENT, abi_unmap(fd, 9999, 1, UINT64_MAX, NULL));
	/* >= ULONG_MAX, except the unmap-all pair */
	EXPECT_ERRNO(EOVERFLOW, abi_unmap(fd, u, 1, UINT64_MAX, NULL));
	EXPECT_ERRNO(EOVERFLOW, abi_unmap(fd, u, ps, UINT64_MAX, NULL));
	EXPECT_ERRNO(EOVERFLOW, abi_unmap(fd, u, UINT64_MAX, 1, NULL));
	EXPECT_ERRNO(EOVERFLOW, abi_unmap(fd, u, UINT64_MAX, 0, NULL));
	EXPECT_ERRNO(EOVERFLOW, abi_unmap(fd, u, UINT64_MAX, UINT64_MAX,
					  NULL));
	/* iova + length - 1 wraps */
	EXPECT_ERRNO(EOVERFLOW, abi_unmap(fd, u, UINT64_MAX - ps + 1, 2 * ps,
					  NULL));
	EXPECT_ERRNO(EOVERFLOW, abi_unmap(fd, u, 3, UINT64_MAX - 1, NULL));

	abi_section("UNMAP of nothing");
	EXPECT_ERRNO(ENOENT, abi_unmap(fd, u, M, ps, NULL));
	EXPECT_ERRNO(ENOENT, abi_unmap(fd, u, 0, UINT64_MAX - 1, NULL));
	EXPECT_ERRNO(ENOENT, abi_unmap(fd, u, UINT64_MAX - 1, 1, NULL));
	/* unmap-all on an empty IOAS succeeds with 0 bytes */
	memset(&cmd, 0, sizeof(cmd));
	cmd.size = sizeof(cmd);
	cmd.ioas_id = u;
	cmd.iova = 0;
	cmd.length = UINT64_MAX;
	EXPECT_OK(ioctl(fd, IOMMU_IOAS_UNMAP, &cmd));
	EXPECT_EQ(0, cmd.length);
	EXPECT_EQ(0, cmd.iova);
	/* a refused unmap leaves length as it was */
	cmd.iova = M;
	cmd.length = ps;
	EXPECT_ERRNO(ENOENT, ioctl(fd, IOMMU_IOAS_UNMAP, &cmd));
	EXPECT_EQ(ps, cmd.length);

	abi_section("UNMAP never cuts a map");
	EXPECT_OK(abi_map_fixed(fd, u, buf, 4 * ps, M));
	EXPECT_ERRNO(ENOENT, abi_unmap(fd, u, M, ps, NULL));
	EXPECT_ERRNO(ENOENT, abi_unmap(fd, u, M + ps, ps, NULL));
	EXPECT_ERRNO(ENOENT, abi_unmap(fd, u, M + 3 * ps, 2 * ps, NULL));
	EXPECT_ERRNO(ENOENT, abi_unmap(fd, u, M - ps, 2 * ps, NULL));
	EXPECT_ERRNO(ENOENT, abi_unmap(fd, u, M, 4 * ps - 1, NULL));
	EXPECT_ERRNO(ENOENT, abi_unmap(fd, u, M + 1, 4 * ps, NULL));
	/* still whole */
	EXPECT_OK(abi_unmap(fd, u, M, 4 * ps, &unmapped));
	EXPECT_EQ(4 * ps, unmapped);
	EXPECT_ERRNO(ENOENT, abi_unmap(fd, u, M, 4 * ps, NULL));

	abi_section("UNMAP a superset of several maps and holes");
	EXPECT_OK(abi_map_fixed(fd, u, buf, ps, M));
	EXPECT_OK(abi_map_fixed(fd, u, buf, 2 * ps, M + 2 * ps));
	EXPECT_OK(abi_map_fixed(fd, u, buf + 1, 7, M + 6 * ps + 9));
	EXPECT_OK(abi_map_fixed(fd, u, buf, ps, M + 8 * ps));
	EXPECT_OK(abi_map_fixed(fd, u, buf, ps, M + 64 * ps));	/* outside */
	memset(&cmd, 0, sizeof(cmd));
	cmd.size = sizeof(cmd);
	cmd.ioas_id = u;
	cmd.iova = M - ps;
	cmd.length = 11 * ps;
	EXPECT_OK(ioctl(fd, IOMMU_IOAS_UNMAP, &cmd));
	EXPECT_EQ(4 * ps + 7, cmd.length);
	EXPECT_EQ(M - ps, cmd.iova);
	EXPECT_ERRNO(ENOENT, abi_unmap(fd, u, M - ps, 11 * ps, NULL));
	/* the one outside is still there */
	EXPECT_ERRNO(EEXIST, abi_map_fixed(fd, u, buf, ps, M + 64 * ps));
	/* an exact superset of one map */
	EXPECT_OK(abi_unmap(fd, u, M + 64 * ps, ps, &unmapped));
	EXPECT_EQ(ps, unmapped);

	abi_section("UNMAP stops at a map that sticks out");
	EXPECT_OK(abi_map_fixed(fd, u, buf, ps, M));
	EXPECT_OK(abi_map_fixed(fd, u, buf, 2 * ps, M + 2 * ps));
	/* the first map lies inside and goes; the second sticks out */
	EXPECT_ERRNO(ENOENT, abi_unmap(fd, u, M, 3 * ps, NULL));
	EXPECT_ERRNO(ENOENT, abi_unmap(fd, u, M, ps, NULL));
	EXPECT_OK(abi_unmap(fd, u, M + 2 * ps, 2 * ps, &unmapped));
	EXPECT_EQ(2 * ps, unmapped);
	/* a map sticking out in front stops it before anything goes */
	EXPECT_OK(abi_map_fixed(fd, u, buf, 2 * ps, M));
	EXPECT_OK(abi_map_fixed(fd, u, buf, ps, M + 3 * ps));
	EXPECT_ERRNO(ENOENT, abi_unmap(fd, u, M + ps, 4 * ps, NULL));
	EXPECT_OK(abi_unmap(fd, u, M + 3 * ps, ps, &unmapped));
	EXPECT_EQ(ps, unmapped);
	EXPECT_OK(abi_unmap(fd, u, M, 2 * ps, &unmapped));
	EXPECT_EQ(2 * ps, unmapped);

	abi_section("UNMAP all");
	EXPECT_OK(abi_map_fixed(fd, u, buf, ps, 0));
	EXPECT_OK(abi_map_fixed(fd, u, buf, 3 * ps, M));
	EXPECT_OK(abi_map_fixed(fd, u, buf, 5, 1ULL << 47));
	EXPECT_OK(abi_map_fixed(fd, u, buf, ps, UINT64_MAX - ps + 1));
	{
		uint64_t auto_iova = 0;

		EXPECT_OK(abi_map(fd, u, buf, 2 * ps, ABI_RW, &auto_iova));
	}
	/* (0, U64_MAX - 1) is an ordinary range: the top page sticks out */
	EXPECT_ERRNO(ENOENT, abi_unmap(fd, u, 0, UINT64_MAX - 1, NULL));
	EXPECT_OK(abi_map_fixed(fd, u, buf, ps, 0));
	EXPECT_OK(abi_map_fixed(fd, u, buf, 3 * ps, M));
	EXPECT_OK(abi_map_fixed(fd, u, buf, 5, 1ULL << 47));
	EXPECT_OK(abi_unmap(fd, u, 0, UINT64_MAX, &unmapped));
	EXPECT_EQ(ps + 3 * ps + 5 + ps, unmapped);
	EXPECT_OK(abi_unmap(fd, u, 0, UINT64_MAX, &unmapped));
	EXPECT_EQ(0, unmapped);

	abi_section("UNMAP then map again");
	EXPECT_OK(abi_map_fixed(fd, u, buf, 4 * ps, M));
	EXPECT_OK(abi_unmap(fd, u, M, 4 * ps, NULL));
	EXPECT_OK(abi_map_fixed(fd, u, buf + ps, 2 * ps, M + ps));
	EXPECT_OK(abi_map_fixed(fd, u, buf, ps, M));
	EXPECT_OK(abi_unmap(fd, u, M, 3 * ps, &unmapped));
	EXPECT_EQ(3 * ps, unmapped);
	{
		uint64_t i1 = 0, i2 = 0;

		EXPECT_OK(abi_map(fd, u, buf, ps, ABI_RW, &i1));
		EXPECT_OK(abi_unmap(fd, u, i1, ps, NULL));
		EXPECT_OK(abi_map(fd, u, buf, ps, ABI_RW, &i2));
		EXPECT_EQ(i1, i2);	/* first fit finds the same place */
	}
	EXPECT_OK(abi_destroy(fd, u));
	check_refs_zero(fd, buf, 16 * ps);
	munmap(buf, 16 * ps);
}

int main(void)
{
	int fd = abi_open();

	ps = abi_page_size;
	have_test = abi_have_test_cmd(fd);
	if (!have_test)
		printf("note: IOMMU_TEST_CMD not served; MD_CHECK_REFS and "
		       "reserved-range checks skipped\n");
	check_copy(fd);
	check_unmap(fd);
	close(fd);
	return abi_finish("ioas_copy_unmap");
}
