/* SPDX-License-Identifier: MIT */
/*
 * ABI: IOMMU_IOAS_IOVA_RANGES, IOMMU_IOAS_ALLOW_IOVAS and their interplay
 * with reserved ranges (IOMMU_TEST_OP_ADD_RESERVED) and mappings.
 *
 * Kernel reference:
 *  - ioas.c iommufd_ioas_iova_ranges(): __reserved EOPNOTSUPP; the IOAS
 *    (ENOENT); the holes of the reserved tree over [0, ULONG_MAX] are
 *    reported (allowed ranges are not), at most num_iovas of them are
 *    copied (EFAULT if that faults), num_iovas is set to the total and
 *    out_iova_alignment to the IOAS alignment (1 without domains), the struct
 *    is written back, and then EMSGSIZE if the array was too small;
 *  - ioas.c iommufd_ioas_allow_iovas() / iommufd_ioas_load_iovas():
 *    __reserved EOPNOTSUPP; the IOAS (ENOENT); each range is read (EFAULT),
 *    start >= last EINVAL, overlapping an earlier entry EINVAL; then
 *    io_pagetable.c iopt_set_allow_iova(): a range that meets a reserved one
 *    EADDRINUSE, atomically (the old list stays); the list replaces the old
 *    one, an empty list clears it;
 *  - io_pagetable.c iopt_reserve_iova(): a range meeting an area or an
 *    allowed range EADDRINUSE (reserved ranges may overlap each other);
 *  - the automatic IOVA stays inside the allowed ranges (iopt_alloc_iova()).
 */
#include "abi.h"

#define MiB (1024UL * 1024)

static size_t ps;

static int ranges_cmd(int fd, struct iommu_ioas_iova_ranges *cmd)
{
	return ioctl(fd, IOMMU_IOAS_IOVA_RANGES, cmd);
}

/* Expect exactly the holes @want[0..n) in @ioas. */
#define EXPECT_RANGES(fd, ioas, n, ...)                                       \
	do {                                                                  \
		struct iommu_iova_range __want[] = { __VA_ARGS__ };           \
		struct iommu_iova_range __got[16];                            \
		uint32_t __n = 16, __i;                                       \
		uint64_t __align = 0;                                         \
                                                                              \
		EXPECT_OK(abi_iova_ranges(fd, ioas, __got, &__n, &__align));  \
		EXPECT_EQ(n, __n);                                            \
		for (__i = 0; __i < (n) && __i < __n; __i++) {                \
			EXPECT_EQ(__want[__i].start, __got[__i].start);       \
			EXPECT_EQ(__want[__i].last, __got[__i].last);         \
		}                                                             \
	} while (0)

static void check_iova_ranges(int fd, int have_test)
{
	uint32_t ioas = abi_new_ioas(fd);
	struct iommu_iova_range r[8];
	struct iommu_ioas_iova_ranges cmd;

#define RESET()                                                               \
	do {                                                                  \
		memset(&cmd, 0, sizeof(cmd));                                 \
		memset(r, 0xee, sizeof(r));                                   \
		cmd.size = sizeof(cmd);                                       \
		cmd.ioas_id = ioas;                                           \
		cmd.num_iovas = ABI_ARRAY_SIZE(r);                            \
		cmd.allowed_iovas = (uintptr_t)r;                             \
	} while (0)

	abi_section("IOVA_RANGES of a fresh IOAS");
	RESET();
	cmd.out_iova_alignment = 0x1234;
	EXPECT_OK(ranges_cmd(fd, &cmd));
	EXPECT_EQ(1, cmd.num_iovas);
	EXPECT_EQ(0, r[0].start);
	EXPECT_EQ(UINT64_MAX, r[0].last);
	EXPECT_EQ(1, cmd.out_iova_alignment);
	EXPECT_EQ(ioas, cmd.ioas_id);
	EXPECT_EQ((uintptr_t)r, cmd.allowed_iovas);
	EXPECT_EQ(sizeof(cmd), cmd.size);
	/* entries past the answer are not written */
	EXPECT_EQ(0xeeeeeeeeeeeeeeeeULL, r[1].start);

	abi_section("IOVA_RANGES array too small");
	RESET();
	cmd.num_iovas = 0;
	EXPECT_ERRNO(EMSGSIZE, ranges_cmd(fd, &cmd));
	EXPECT_EQ(1, cmd.num_iovas);
	EXPECT_EQ(1, cmd.out_iova_alignment);	/* written back too */
	EXPECT_EQ(0xeeeeeeeeeeeeeeeeULL, r[0].start);
	/* num_iovas 0: the array is not touched, any pointer will do */
	RESET();
	cmd.num_iovas = 0;
	cmd.allowed_iovas = 8;
	EXPECT_ERRNO(EMSGSIZE, ranges_cmd(fd, &cmd));
	EXPECT_EQ(1, cmd.num_iovas);
	RESET();
	cmd.num_iovas = 0;
	cmd.allowed_iovas = 0;
	EXPECT_ERRNO(EMSGSIZE, ranges_cmd(fd, &cmd));

	abi_section("IOVA_RANGES bad array pointer");
	RESET();
	cmd.allowed_iovas = 8;
	EXPECT_ERRNO(EFAULT, ranges_cmd(fd, &cmd));
	RESET();
	cmd.allowed_iovas = 0;
	EXPECT_ERRNO(EFAULT, ranges_cmd(fd, &cmd));
	{
		struct iommu_iova_range *edge =
			abi_at_page_end(sizeof(struct iommu_iova_range));

		RESET();
		cmd.allowed_iovas = (uintptr_t)edge;
		cmd.num_iovas = 1;
		EXPECT_OK(ranges_cmd(fd, &cmd));
		EXPECT_EQ(UINT64_MAX, edge->last);
		/* room for two claimed, only one readable: fine while one */
		RESET();
		cmd.allowed_iovas = (uintptr_t)edge;
		cmd.num_iovas = 2;
		EXPECT_OK(ranges_cmd(fd, &cmd));
		EXPECT_EQ(1, cmd.num_iovas);
	}

	abi_section("IOVA_RANGES __reserved and ioas_id");
	RESET();
	cmd.__reserved = 1;
	EXPECT_ERRNO(EOPNOTSUPP, ranges_cmd(fd, &cmd));
	RESET();
	cmd.__reserved = 1;
	cmd.ioas_id = 9999;
	EXPECT_ERRNO(EOPNOTSUPP, ranges_cmd(fd, &cmd));
	RESET();
	cmd.ioas_id = 9999;
	EXPECT_ERRNO(ENOENT, ranges_cmd(fd, &cmd));
	RESET();
	cmd.ioas_id = 0;
	cmd.allowed_iovas = 8;
	EXPECT_ERRNO(ENOENT, ranges_cmd(fd, &cmd));

	abi_section("IOVA_RANGES ignores maps and allowed ranges");
	{
		uint8_t *buf = abi_pages(1);
		struct iommu_iova_range allow = { 4 * MiB, 8 * MiB - 1 };

		EXPECT_OK(abi_map_fixed(fd, ioas, buf, abi_page_size, MiB));
		EXPECT_OK(abi_allow_iovas(fd, ioas, &allow, 1));
		EXPECT_RANGES(fd, ioas, 1, { 0, UINT64_MAX });
		EXPECT_OK(abi_allow_iovas(fd, ioas, NULL, 0));
		EXPECT_OK(abi_unmap(fd, ioas, 0, UINT64_MAX, NULL));
		munmap(buf, abi_page_size);
	}

	if (!have_test) {
		EXPECT_OK(abi_destroy(fd, ioas));
		return;
	}

	abi_section("IOVA_RANGES after ADD_RESERVED");
	EXPECT_OK(abi_add_reserved(fd, ioas, ps, ps));
	RESET();
	EXPECT_OK(ranges_cmd(fd, &cmd));
	EXPECT_EQ(2, cmd.num_iovas);
	EXPECT_EQ(0, r[0].start);
	EXPECT_EQ(ps - 1, r[0].last);
	EXPECT_EQ(2 * ps, r[1].start);
	EXPECT_EQ(UINT64_MAX, r[1].last);
	/* too small by one: the first range is written, num_iovas is 2 */
	RESET();
	cmd.num_iovas = 1;
	EXPECT_ERRNO(EMSGSIZE, ranges_cmd(fd, &cmd));
	EXPECT_EQ(2, cmd.num_iovas);
	EXPECT_EQ(0, r[0].start);
	EXPECT_EQ(ps - 1, r[0].last);
	EXPECT_EQ(0xeeeeeeeeeeeeeeeeULL, r[1].start);
	EXPECT_EQ(0xeeeeeeeeeeeeeeeeULL, r[1].last);
	/* too small, and the array ends where the answer goes on */
	{
		struct iommu_iova_range *edge =
			abi_at_page_end(sizeof(struct iommu_iova_range));

		RESET();
		cmd.allowed_iovas = (uintptr_t)edge;
		cmd.num_iovas = 1;
		EXPECT_ERRNO(EMSGSIZE, ranges_cmd(fd, &cmd));
		EXPECT_EQ(2, cmd.num_iovas);
		EXPECT_EQ(ps - 1, edge->last);
		RESET();
		cmd.allowed_iovas = (uintptr_t)edge;
		cmd.num_iovas = 2;
		EXPECT_ERRNO(EFAULT, ranges_cmd(fd, &cmd));
	}

	/* more holes, at both ends and overlapping reserved ranges */
	EXPECT_OK(abi_add_reserved(fd, ioas, 0, 1));
	EXPECT_OK(abi_add_reserved(fd, ioas, 16 * ps, 4 * ps));
	EXPECT_OK(abi_add_reserved(fd, ioas, 18 * ps, 4 * ps));
	EXPECT_OK(abi_add_reserved(fd, ioas, UINT64_MAX - ps + 1, ps));
	EXPECT_RANGES(fd, ioas, 3,
		      { 1, ps - 1 },
		      { 2 * ps, 16 * ps - 1 },
		      { 22 * ps, UINT64_MAX - ps });
	/* adjacent reserved ranges leave no hole between them */
	EXPECT_OK(abi_add_reserved(fd, ioas, 2 * ps, 14 * ps));
	EXPECT_RANGES(fd, ioas, 2,
		      { 1, ps - 1 },
		      { 22 * ps, UINT64_MAX - ps });
	/* an IOAS of its own is not affected */
	{
		uint32_t other = abi_new_ioas(fd);

		EXPECT_RANGES(fd, other, 1, { 0, UINT64_MAX });
		EXPECT_OK(abi_destroy(fd, other));
	}
#undef RESET
	EXPECT_OK(abi_destroy(fd, ioas));
}

static int allow_cmd(int fd, uint32_t ioas, uint32_t reserved,
		     const void *ranges, uint32_t n)
{
	struct iommu_ioas_allow_iovas cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.num_iovas = n,
		.__reserved = reserved,
		.allowed_iovas = (uintptr_t)ranges,
	};

	return ioctl(fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd);
}

/* The IOVA an automatic one-page map gets (then unmapped), or 0. */
static uint64_t probe(int fd, uint32_t ioas, const void *buf)
{
	uint64_t iova = 0;

	if (abi_map(fd, ioas, buf, ps, ABI_RW, &iova))
		return errno == ENOSPC ? 1 : 0;
	EXPECT_OK(abi_unmap(fd, ioas, iova, ps, NULL));
	return iova;
}

static void check_allow_iovas(int fd, int have_test)
{
	uint32_t ioas = abi_new_ioas(fd);
	uint8_t *buf = abi_pages(4);
	struct iommu_iova_range r[4];
	uint64_t iova;

	abi_section("ALLOW_IOVAS __reserved and ioas_id");
	r[0] = (struct iommu_iova_range){ MiB, 2 * MiB - 1 };
	EXPECT_ERRNO(EOPNOTSUPP, allow_cmd(fd, ioas, 1, r, 1));
	EXPECT_ERRNO(EOPNOTSUPP, allow_cmd(fd, 9999, 0x80000000u, NULL, 3));
	EXPECT_ERRNO(ENOENT, allow_cmd(fd, 9999, 0, r, 1));
	EXPECT_ERRNO(ENOENT, allow_cmd(fd, 0, 0, (void *)8, 1));
	/* nothing was set */
	EXPECT_EQ(ps, probe(fd, ioas, buf));

	abi_section("ALLOW_IOVAS bad array pointer");
	EXPECT_ERRNO(EFAULT, allow_cmd(fd, ioas, 0, (void *)8, 1));
	EXPECT_ERRNO(EFAULT, allow_cmd(fd, ioas, 0, NULL, 1));
	{
		struct iommu_iova_range *edge =
			abi_at_page_end(sizeof(struct iommu_iova_range));

		*edge = (struct iommu_iova_range){ MiB, 2 * MiB - 1 };
		EXPECT_ERRNO(EFAULT, allow_cmd(fd, ioas, 0, edge, 2));
		EXPECT_EQ(ps, probe(fd, ioas, buf));
		EXPECT_OK(allow_cmd(fd, ioas, 0, edge, 1));
		EXPECT_EQ(MiB, probe(fd, ioas, buf));
		EXPECT_OK(allow_cmd(fd, ioas, 0, NULL, 0));
	}
	/* num_iovas 0 never reads the array */
	EXPECT_OK(allow_cmd(fd, ioas, 0, (void *)8, 0));

	abi_section("ALLOW_IOVAS start >= last");
	r[0] = (struct iommu_iova_range){ MiB, MiB };
	EXPECT_ERRNO(EINVAL, allow_cmd(fd, ioas, 0, r, 1));
	r[0] = (struct iommu_iova_range){ 2 * MiB, MiB };
	EXPECT_ERRNO(EINVAL, allow_cmd(fd, ioas, 0, r, 1));
	r[0] = (struct iommu_iova_range){ UINT64_MAX, UINT64_MAX };
	EXPECT_ERRNO(EINVAL, allow_cmd(fd, ioas, 0, r, 1));
	r[0] = (struct iommu_iova_range){ 0, 0 };
	EXPECT_ERRNO(EINVAL, allow_cmd(fd, ioas, 0, r, 1));
	/* the bad one may come after good ones: nothing changes */
	r[0] = (struct iommu_iova_range){ MiB, 2 * MiB - 1 };
	r[1] = (struct iommu_iova_range){ 8 * MiB, 8 * MiB };
	EXPECT_ERRNO(EINVAL, allow_cmd(fd, ioas, 0, r, 2));
	EXPECT_EQ(ps, probe(fd, ioas, buf));
	/* two bytes is the smallest range */
	r[0] = (struct iommu_iova_range){ 3 * MiB, 3 * MiB + 1 };
	EXPECT_OK(allow_cmd(fd, ioas, 0, r, 1));
	iova = 0;
	EXPECT_OK(abi_map(fd, ioas, buf, 2, ABI_RW, &iova));
	EXPECT_EQ(3 * MiB, iova);
	EXPECT_OK(abi_unmap(fd, ioas, iova, 2, NULL));
	/* the whole space */
	r[0] = (struct iommu_iova_range){ 0, UINT64_MAX };
	EXPECT_OK(allow_cmd(fd, ioas, 0, r, 1));
	EXPECT_EQ(ps, probe(fd, ioas, buf));

	abi_section("ALLOW_IOVAS overlapping entries");
	r[0] = (struct iommu_iova_range){ MiB, 2 * MiB - 1 };
	r[1] = (struct iommu_iova_range){ 2 * MiB - 1, 3 * MiB };
	EXPECT_ERRNO(EINVAL, allow_cmd(fd, ioas, 0, r, 2));
	r[1] = (struct iommu_iova_range){ 0, 4 * MiB };
	EXPECT_ERRNO(EINVAL, allow_cmd(fd, ioas, 0, r, 2));
	r[1] = r[0];
	EXPECT_ERRNO(EINVAL, allow_cmd(fd, ioas, 0, r, 2));
	/* adjacent is fine, in any order */
	r[0] = (struct iommu_iova_range){ 4 * MiB, 5 * MiB - 1 };
	r[1] = (struct iommu_iova_range){ 2 * MiB, 4 * MiB - 1 };
	EXPECT_OK(allow_cmd(fd, ioas, 0, r, 2));
	EXPECT_EQ(2 * MiB, probe(fd, ioas, buf));

	abi_section("ALLOW_IOVAS replaces the list");
	r[0] = (struct iommu_iova_range){ 64 * MiB, 65 * MiB - 1 };
	EXPECT_OK(allow_cmd(fd, ioas, 0, r, 1));
	EXPECT_EQ(64 * MiB, probe(fd, ioas, buf));
	r[0] = (struct iommu_iova_range){ 32 * MiB + ps, 33 * MiB - 1 };
	r[1] = (struct iommu_iova_range){ 16 * MiB, 16 * MiB + ps - 1 };
	EXPECT_OK(allow_cmd(fd, ioas, 0, r, 2));
	EXPECT_EQ(16 * MiB, probe(fd, ioas, buf));
	/* the automatic IOVA stays inside: fill the small one first */
	iova = 0;
	EXPECT_OK(abi_map(fd, ioas, buf, ps, ABI_RW, &iova));
	EXPECT_EQ(16 * MiB, iova);
	EXPECT_EQ(32 * MiB + ps, probe(fd, ioas, buf));
	iova = 0;
	EXPECT_ERRNO(ENOSPC, abi_map(fd, ioas, buf, 2 * MiB, ABI_RW, &iova));
	/* maps outside the new list stay (and do not block a new list) */
	EXPECT_OK(abi_map_fixed(fd, ioas, buf, ps, 128 * MiB));
	r[0] = (struct iommu_iova_range){ 127 * MiB, 129 * MiB };
	EXPECT_OK(allow_cmd(fd, ioas, 0, r, 1));
	EXPECT_EQ(127 * MiB, probe(fd, ioas, buf));

	abi_section("ALLOW_IOVAS empty list clears");
	EXPECT_OK(allow_cmd(fd, ioas, 0, NULL, 0));
	EXPECT_EQ(ps, probe(fd, ioas, buf));
	EXPECT_OK(allow_cmd(fd, ioas, 0, r, 0));
	EXPECT_EQ(ps, probe(fd, ioas, buf));
	EXPECT_OK(abi_unmap(fd, ioas, 0, UINT64_MAX, NULL));

	if (have_test) {
		abi_section("ALLOW_IOVAS over a reserved range");
		EXPECT_OK(abi_add_reserved(fd, ioas, 8 * MiB, ps));
		r[0] = (struct iommu_iova_range){ 4 * MiB, 16 * MiB };
		EXPECT_ERRNO(EADDRINUSE, allow_cmd(fd, ioas, 0, r, 1));
		r[0] = (struct iommu_iova_range){ 8 * MiB + ps - 1, 9 * MiB };
		EXPECT_ERRNO(EADDRINUSE, allow_cmd(fd, ioas, 0, r, 1));
		r[0] = (struct iommu_iova_range){ 4 * MiB, 8 * MiB };
		EXPECT_ERRNO(EADDRINUSE, allow_cmd(fd, ioas, 0, r, 1));
		/* atomic: a good list with one bad entry changes nothing */
		r[0] = (struct iommu_iova_range){ MiB, 2 * MiB - 1 };
		EXPECT_OK(allow_cmd(fd, ioas, 0, r, 1));
		r[0] = (struct iommu_iova_range){ 32 * MiB, 33 * MiB - 1 };
		r[1] = (struct iommu_iova_range){ 7 * MiB, 9 * MiB };
		EXPECT_ERRNO(EADDRINUSE, allow_cmd(fd, ioas, 0, r, 2));
		EXPECT_EQ(MiB, probe(fd, ioas, buf));
		/* touching the reserved range is not meeting it */
		r[0] = (struct iommu_iova_range){ 4 * MiB, 8 * MiB - 1 };
		r[1] = (struct iommu_iova_range){ 8 * MiB + ps, 9 * MiB };
		EXPECT_OK(allow_cmd(fd, ioas, 0, r, 2));
		EXPECT_EQ(4 * MiB, probe(fd, ioas, buf));

		abi_section("ADD_RESERVED inside an allowed range");
		EXPECT_ERRNO(EADDRINUSE, abi_add_reserved(fd, ioas, 5 * MiB,
							  ps));
		EXPECT_ERRNO(EADDRINUSE, abi_add_reserved(fd, ioas,
							  8 * MiB - 1, 2));
		EXPECT_ERRNO(EADDRINUSE, abi_add_reserved(fd, ioas, 0,
							  UINT64_MAX));
		/* over the existing reserved range only: fine */
		EXPECT_OK(abi_add_reserved(fd, ioas, 8 * MiB, ps));
		/* after the list is cleared it can be reserved */
		EXPECT_OK(allow_cmd(fd, ioas, 0, NULL, 0));
		EXPECT_OK(abi_add_reserved(fd, ioas, 5 * MiB, ps));
		/* and automatic maps go around it */
		r[0] = (struct iommu_iova_range){ 4 * MiB, 5 * MiB };
		EXPECT_ERRNO(EADDRINUSE, allow_cmd(fd, ioas, 0, r, 1));
		r[0] = (struct iommu_iova_range){ 5 * MiB - 2 * ps,
						  5 * MiB - 1 };
		r[1] = (struct iommu_iova_range){ 5 * MiB + ps,
						  5 * MiB + 2 * ps - 1 };
		EXPECT_OK(allow_cmd(fd, ioas, 0, r, 2));
		iova = 0;
		EXPECT_OK(abi_map(fd, ioas, buf, 2 * ps, ABI_RW, &iova));
		EXPECT_EQ(5 * MiB - 2 * ps, iova);
		EXPECT_EQ(5 * MiB + ps, probe(fd, ioas, buf));
		EXPECT_OK(allow_cmd(fd, ioas, 0, NULL, 0));
		EXPECT_OK(abi_unmap(fd, ioas, 0, UINT64_MAX, NULL));

		abi_section("ADD_RESERVED over a mapping");
		EXPECT_OK(abi_map_fixed(fd, ioas, buf, 2 * ps, 40 * MiB));
		EXPECT_ERRNO(EADDRINUSE, abi_add_reserved(fd, ioas, 40 * MiB,
							  ps));
		EXPECT_ERRNO(EADDRINUSE, abi_add_reserved(fd, ioas,
							  40 * MiB + 2 * ps - 1,
							  1));
		EXPECT_ERRNO(EADDRINUSE, abi_add_reserved(fd, ioas, 39 * MiB,
							  2 * MiB));
		EXPECT_OK(abi_add_reserved(fd, ioas, 40 * MiB + 2 * ps, ps));
		EXPECT_OK(abi_add_reserved(fd, ioas, 40 * MiB - ps, ps));
		EXPECT_OK(abi_unmap(fd, ioas, 40 * MiB, 2 * ps, NULL));
		EXPECT_OK(abi_add_reserved(fd, ioas, 40 * MiB, ps));
	}
	EXPECT_OK(abi_destroy(fd, ioas));
	munmap(buf, 4 * ps);
}

int main(void)
{
	int fd = abi_open();
	int have_test = abi_have_test_cmd(fd);

	ps = abi_page_size;
	if (!have_test)
		printf("note: IOMMU_TEST_CMD not served; reserved-range "
		       "checks skipped\n");
	check_iova_ranges(fd, have_test);
	check_allow_iovas(fd, have_test);
	close(fd);
	return abi_finish("ioas_ranges");
}
