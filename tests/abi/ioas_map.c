/* SPDX-License-Identifier: MIT */
/*
 * ABI: IOMMU_IOAS_MAP and IOMMU_IOAS_MAP_FILE — argument checks in the
 * kernel's order, fixed and automatic IOVA placement, and file mappings.
 *
 * Kernel reference:
 *  - ioas.c iommufd_ioas_map() / iommufd_ioas_map_file(): unknown flags (and,
 *    for MAP, __reserved) EOPNOTSUPP; iova or length >= ULONG_MAX EOVERFLOW
 *    (whether or not FIXED_IOVA is set); neither READABLE nor WRITEABLE
 *    EINVAL; then the IOAS lookup (ENOENT);
 *  - pages.c iopt_alloc_user_pages(): user_va + length wrapping (the sum, not
 *    the last byte) EOVERFLOW; iopt_alloc_pages(): length 0 EINVAL. Without
 *    a domain or an access nothing is pinned, so the memory is not looked at;
 *  - io_pagetable.c iopt_map_file_pages(): length 0 EINVAL, start + length - 1
 *    wrapping EOVERFLOW, a descriptor that is not open EBADF; the kind of file
 *    only matters when pages are pinned;
 *  - io_pagetable.c iopt_check_iova() (FIXED_IOVA): a reserved range in the
 *    way EINVAL, iova + length - 1 wrapping EOVERFLOW, an existing area
 *    EEXIST;
 *  - io_pagetable.c iopt_alloc_iova() (automatic): length >= ULONG_MAX / 2
 *    EOVERFLOW; alignment min(roundup_pow_of_two(length), lowest set bit of
 *    the address (user VA, or file offset), capped at HPAGE_SIZE = 2 MiB),
 *    the page offset of the address kept; searched first-fit inside the
 *    allowed ranges clipped to [PAGE_SIZE, ULONG_MAX - PAGE_SIZE], around
 *    reserved ranges and areas; nothing found ENOSPC;
 *  - ioas.c: a reply that cannot be written is EFAULT but the map stays;
 *  - pages.c iopt_alloc_file_pages(): a WRITEABLE map needs an fd opened for
 *    writing and mapping_map_writable() (refused on F_SEAL_WRITE) — the fix
 *    "iommu/iommufd: Require write access for writable MAP_FILE mappings".
 */
#include "abi.h"

#include <sys/eventfd.h>
#include <sys/stat.h>

#define MiB (1024UL * 1024)

static size_t ps;

static void check_map_args(int fd)
{
	uint32_t ioas = abi_new_ioas(fd);
	uint8_t *buf = abi_pages(4);
	struct iommu_ioas_map cmd;
	uint64_t iova, unmapped;

#define RESET()                                                               \
	do {                                                                  \
		memset(&cmd, 0, sizeof(cmd));                                 \
		cmd.size = sizeof(cmd);                                       \
		cmd.flags = ABI_RW;                                           \
		cmd.ioas_id = ioas;                                           \
		cmd.user_va = (uintptr_t)buf;                                 \
		cmd.length = ps;                                              \
	} while (0)

	abi_section("MAP flags and __reserved");
	RESET();
	cmd.flags |= 1u << 3;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(fd, IOMMU_IOAS_MAP, &cmd));
	RESET();
	cmd.flags |= 1u << 31;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(fd, IOMMU_IOAS_MAP, &cmd));
	RESET();
	cmd.__reserved = 1;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(fd, IOMMU_IOAS_MAP, &cmd));
	RESET();
	cmd.__reserved = 0x80000000u;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(fd, IOMMU_IOAS_MAP, &cmd));
	/* checked before everything else */
	RESET();
	cmd.flags = 1u << 4;
	cmd.length = UINT64_MAX;
	cmd.ioas_id = 9999;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(fd, IOMMU_IOAS_MAP, &cmd));
	RESET();
	cmd.__reserved = 1;
	cmd.iova = UINT64_MAX;
	cmd.flags = 0;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(fd, IOMMU_IOAS_MAP, &cmd));

	abi_section("MAP iova/length >= ULONG_MAX");
	RESET();
	cmd.flags |= IOMMU_IOAS_MAP_FIXED_IOVA;
	cmd.iova = UINT64_MAX;
	EXPECT_ERRNO(EOVERFLOW, ioctl(fd, IOMMU_IOAS_MAP, &cmd));
	/* the iova field is checked even when it is only an output */
	RESET();
	cmd.iova = UINT64_MAX;
	EXPECT_ERRNO(EOVERFLOW, ioctl(fd, IOMMU_IOAS_MAP, &cmd));
	RESET();
	cmd.length = UINT64_MAX;
	EXPECT_ERRNO(EOVERFLOW, ioctl(fd, IOMMU_IOAS_MAP, &cmd));
	/* before the permissions and the IOAS lookup */
	RESET();
	cmd.length = UINT64_MAX;
	cmd.flags = 0;
	cmd.ioas_id = 0;
	EXPECT_ERRNO(EOVERFLOW, ioctl(fd, IOMMU_IOAS_MAP, &cmd));

	abi_section("MAP permissions");
	RESET();
	cmd.flags = 0;
	EXPECT_ERRNO(EINVAL, ioctl(fd, IOMMU_IOAS_MAP, &cmd));
	RESET();
	cmd.flags = IOMMU_IOAS_MAP_FIXED_IOVA;
	cmd.iova = 16 * MiB;
	EXPECT_ERRNO(EINVAL, ioctl(fd, IOMMU_IOAS_MAP, &cmd));
	/* before the IOAS lookup */
	RESET();
	cmd.flags = 0;
	cmd.ioas_id = 9999;
	EXPECT_ERRNO(EINVAL, ioctl(fd, IOMMU_IOAS_MAP, &cmd));
	/* either one alone is enough */
	iova = 0;
	EXPECT_OK(abi_map(fd, ioas, buf, ps, IOMMU_IOAS_MAP_READABLE, &iova));
	EXPECT_OK(abi_unmap(fd, ioas, iova, ps, NULL));
	iova = 0;
	EXPECT_OK(abi_map(fd, ioas, buf, ps, IOMMU_IOAS_MAP_WRITEABLE, &iova));
	EXPECT_OK(abi_unmap(fd, ioas, iova, ps, NULL));

	abi_section("MAP ioas_id");
	RESET();
	cmd.ioas_id = 0;
	EXPECT_ERRNO(ENOENT, ioctl(fd, IOMMU_IOAS_MAP, &cmd));
	RESET();
	cmd.ioas_id = 9999;
	EXPECT_ERRNO(ENOENT, ioctl(fd, IOMMU_IOAS_MAP, &cmd));
	/* the lookup comes before the length and address checks */
	RESET();
	cmd.ioas_id = 9999;
	cmd.length = 0;
	EXPECT_ERRNO(ENOENT, ioctl(fd, IOMMU_IOAS_MAP, &cmd));
	RESET();
	cmd.ioas_id = 9999;
	cmd.user_va = UINT64_MAX - ps + 1;
	EXPECT_ERRNO(ENOENT, ioctl(fd, IOMMU_IOAS_MAP, &cmd));

	abi_section("MAP length 0");
	RESET();
	cmd.length = 0;
	EXPECT_ERRNO(EINVAL, ioctl(fd, IOMMU_IOAS_MAP, &cmd));
	RESET();
	cmd.length = 0;
	cmd.flags |= IOMMU_IOAS_MAP_FIXED_IOVA;
	cmd.iova = 16 * MiB;
	EXPECT_ERRNO(EINVAL, ioctl(fd, IOMMU_IOAS_MAP, &cmd));

	abi_section("MAP user_va + length wraps");
	RESET();
	cmd.user_va = UINT64_MAX - ps + 1;	/* the sum is exactly 2^64 */
	EXPECT_ERRNO(EOVERFLOW, ioctl(fd, IOMMU_IOAS_MAP, &cmd));
	RESET();
	cmd.user_va = UINT64_MAX - ps + 1;
	cmd.length = 2 * ps;
	EXPECT_ERRNO(EOVERFLOW, ioctl(fd, IOMMU_IOAS_MAP, &cmd));
	RESET();
	cmd.user_va = UINT64_MAX;
	cmd.length = 1;
	EXPECT_ERRNO(EOVERFLOW, ioctl(fd, IOMMU_IOAS_MAP, &cmd));
	RESET();
	cmd.user_va = (uintptr_t)buf;
	cmd.length = UINT64_MAX - 1;
	EXPECT_ERRNO(EOVERFLOW, ioctl(fd, IOMMU_IOAS_MAP, &cmd));
	/* a zero length never wraps: it is the length check that fails */
	RESET();
	cmd.user_va = UINT64_MAX;
	cmd.length = 0;
	EXPECT_ERRNO(EINVAL, ioctl(fd, IOMMU_IOAS_MAP, &cmd));

	abi_section("MAP memory is not looked at without a domain");
	{
		uint8_t *gone = abi_pages(2);
		uint8_t *ro = abi_pages(1);

		ABI_ASSERT(munmap(gone, 2 * ps) == 0);
		iova = 0;
		EXPECT_OK(abi_map(fd, ioas, gone, 2 * ps, ABI_RW, &iova));
		EXPECT_OK(abi_unmap(fd, ioas, iova, 2 * ps, &unmapped));
		EXPECT_EQ(2 * ps, unmapped);
		/* a sub-page length at an odd address */
		iova = 0;
		EXPECT_OK(abi_map(fd, ioas, gone + 3, 5, ABI_RW, &iova));
		EXPECT_OK(abi_unmap(fd, ioas, iova, 5, &unmapped));
		EXPECT_EQ(5, unmapped);
		/* WRITEABLE over read-only memory */
		ABI_ASSERT(mprotect(ro, ps, PROT_READ) == 0);
		iova = 0;
		EXPECT_OK(abi_map(fd, ioas, ro, ps, ABI_RW, &iova));
		EXPECT_OK(abi_unmap(fd, ioas, iova, ps, NULL));
		munmap(ro, ps);
	}

	abi_section("MAP reply cannot be written");
	{
		uint8_t *page = abi_pages(1);
		struct iommu_ioas_map *ro = (void *)page;

		RESET();
		cmd.flags |= IOMMU_IOAS_MAP_FIXED_IOVA;
		cmd.iova = 48 * MiB;
		memcpy(ro, &cmd, sizeof(cmd));
		ABI_ASSERT(mprotect(page, ps, PROT_READ) == 0);
		EXPECT_ERRNO(EFAULT, ioctl(fd, IOMMU_IOAS_MAP, ro));
		/* the kernel does not undo the map it made */
		EXPECT_ERRNO(EEXIST, abi_map_fixed(fd, ioas, buf, ps,
						   48 * MiB));
		EXPECT_OK(abi_unmap(fd, ioas, 48 * MiB, ps, &unmapped));
		EXPECT_EQ(ps, unmapped);
		munmap(page, ps);
	}
#undef RESET
	EXPECT_OK(abi_destroy(fd, ioas));
	munmap(buf, 4 * ps);
}

static void check_fixed(int fd, int have_test)
{
	uint32_t ioas = abi_new_ioas(fd);
	uint8_t *buf = abi_pages(4);
	uint64_t x = 64 * MiB, unmapped;

	abi_section("MAP fixed IOVA overlap");
	EXPECT_OK(abi_map_fixed(fd, ioas, buf, 2 * ps, x));
	EXPECT_ERRNO(EEXIST, abi_map_fixed(fd, ioas, buf, 2 * ps, x));
	EXPECT_ERRNO(EEXIST, abi_map_fixed(fd, ioas, buf, ps, x));
	EXPECT_ERRNO(EEXIST, abi_map_fixed(fd, ioas, buf, ps, x + ps));
	EXPECT_ERRNO(EEXIST, abi_map_fixed(fd, ioas, buf, 2 * ps, x - ps));
	EXPECT_ERRNO(EEXIST, abi_map_fixed(fd, ioas, buf, 4 * ps, x - ps));
	EXPECT_ERRNO(EEXIST, abi_map_fixed(fd, ioas, buf, 1, x + 2 * ps - 1));
	EXPECT_ERRNO(EEXIST, abi_map_fixed(fd, ioas, buf, 2, x - 1));
	/* touching is not overlapping */
	EXPECT_OK(abi_map_fixed(fd, ioas, buf, ps, x + 2 * ps));
	EXPECT_OK(abi_map_fixed(fd, ioas, buf, ps, x - ps));
	EXPECT_OK(abi_map_fixed(fd, ioas, buf, 1, x - ps - 1));
	/* byte granular: no alignment without a domain */
	EXPECT_OK(abi_map_fixed(fd, ioas, buf + 1, 3, x + 3 * ps + 5));
	EXPECT_ERRNO(EEXIST, abi_map_fixed(fd, ioas, buf, 1, x + 3 * ps + 7));
	EXPECT_OK(abi_map_fixed(fd, ioas, buf, 1, x + 3 * ps + 8));
	EXPECT_OK(abi_unmap(fd, ioas, 0, UINT64_MAX, &unmapped));
	EXPECT_EQ(4 * ps + 1 + 3 + 1, unmapped);

	abi_section("MAP fixed IOVA 0 and the top of the space");
	EXPECT_OK(abi_map_fixed(fd, ioas, buf, ps, 0));
	EXPECT_OK(abi_map_fixed(fd, ioas, buf, ps, UINT64_MAX - ps + 1));
	EXPECT_OK(abi_map_fixed(fd, ioas, buf, 1, UINT64_MAX - ps - 1));
	EXPECT_ERRNO(EEXIST, abi_map_fixed(fd, ioas, buf, 1, UINT64_MAX - 1));
	EXPECT_OK(abi_unmap(fd, ioas, UINT64_MAX - ps + 1, ps, &unmapped));
	EXPECT_EQ(ps, unmapped);
	/* the last byte below ULONG_MAX */
	EXPECT_OK(abi_map_fixed(fd, ioas, buf, 1, UINT64_MAX - 1));
	EXPECT_OK(abi_unmap(fd, ioas, UINT64_MAX - 1, 1, &unmapped));
	EXPECT_EQ(1, unmapped);

	abi_section("MAP fixed iova + length wraps");
	EXPECT_ERRNO(EOVERFLOW,
		     abi_map_fixed(fd, ioas, buf, 2 * ps, UINT64_MAX - ps + 1));
	EXPECT_ERRNO(EOVERFLOW, abi_map_fixed(fd, ioas, buf, 3, UINT64_MAX - 1));
	EXPECT_ERRNO(EOVERFLOW,
		     abi_map_fixed(fd, ioas, buf, 4 * ps, UINT64_MAX - ps));
	/* the wrap is found before the overlap */
	EXPECT_OK(abi_map_fixed(fd, ioas, buf, ps, UINT64_MAX - 4 * ps));
	EXPECT_ERRNO(EOVERFLOW,
		     abi_map_fixed(fd, ioas, buf, 8 * ps, UINT64_MAX - 5 * ps));
	EXPECT_OK(abi_unmap(fd, ioas, 0, UINT64_MAX, &unmapped));
	EXPECT_EQ(2 * ps + 1, unmapped);

	if (have_test) {
		uint64_t r = 128 * MiB;

		abi_section("MAP fixed IOVA over a reserved range");
		EXPECT_OK(abi_add_reserved(fd, ioas, r, 2 * ps));
		EXPECT_ERRNO(EINVAL, abi_map_fixed(fd, ioas, buf, ps, r));
		EXPECT_ERRNO(EINVAL, abi_map_fixed(fd, ioas, buf, ps, r + ps));
		EXPECT_ERRNO(EINVAL, abi_map_fixed(fd, ioas, buf, 1,
						   r + 2 * ps - 1));
		EXPECT_ERRNO(EINVAL, abi_map_fixed(fd, ioas, buf, 2 * ps,
						   r - ps));
		EXPECT_ERRNO(EINVAL, abi_map_fixed(fd, ioas, buf, 4 * ps,
						   r - ps));
		EXPECT_OK(abi_map_fixed(fd, ioas, buf, ps, r - ps));
		EXPECT_OK(abi_map_fixed(fd, ioas, buf, ps, r + 2 * ps));
		/* reserved is checked before existing maps */
		EXPECT_ERRNO(EINVAL, abi_map_fixed(fd, ioas, buf, 4 * ps,
						   r - ps));
		EXPECT_OK(abi_unmap(fd, ioas, 0, UINT64_MAX, NULL));
	}
	EXPECT_OK(abi_destroy(fd, ioas));
	munmap(buf, 4 * ps);
}

/* One automatic map into a fresh IOAS; returns the IOVA chosen. */
static uint64_t auto_first(int fd, const void *va, uint64_t len)
{
	uint32_t ioas = abi_new_ioas(fd);
	uint64_t iova = 0x5a5a000;	/* ignored without FIXED_IOVA */

	if (!EXPECT_OK(abi_map(fd, ioas, va, len, ABI_RW, &iova)))
		iova = 0;
	EXPECT_OK(abi_destroy(fd, ioas));
	return iova;
}

static void check_auto(int fd, int have_test)
{
	uint8_t *big = abi_aligned(8 * MiB, 4 * MiB);
	uint32_t ioas;
	uint64_t iova, a, b;

	abi_section("MAP automatic IOVA placement");
	/* one page: the first page above 0 */
	EXPECT_EQ(ps, auto_first(fd, big, ps));
	/* never 0, even for one byte */
	EXPECT_EQ(ps, auto_first(fd, big, 1));
	/* the page offset is kept */
	iova = auto_first(fd, big + 0x100, ps);
	EXPECT_EQ(0x100, iova % ps);
	EXPECT_EQ(ps + 0x100, iova);
	iova = auto_first(fd, big + ps + 0x7f8, 0x10);
	EXPECT_EQ(0x7f8, iova % ps);
	/* length rounded up to a power of two sets the alignment */
	EXPECT_EQ(4 * ps, auto_first(fd, big, 3 * ps));
	EXPECT_EQ(8 * ps, auto_first(fd, big, 5 * ps));
	/* ... limited by the alignment of the address */
	EXPECT_EQ(ps, auto_first(fd, big + ps, 8 * ps));
	EXPECT_EQ(2 * ps, auto_first(fd, big + 2 * ps, 8 * ps));
	if (ps == 4096) {
		/* 2 MiB aligned buffer of 2 MiB: a 2 MiB aligned IOVA */
		iova = auto_first(fd, big, 2 * MiB);
		EXPECT_EQ(0, iova % (2 * MiB));
		EXPECT_EQ(2 * MiB, iova);
		/* capped at 2 MiB (HPAGE_SIZE): 4 MiB aligned 4 MiB lands at 2 MiB */
		EXPECT_EQ(2 * MiB, auto_first(fd, big, 4 * MiB));
		/* a 1 MiB aligned address keeps 1 MiB */
		EXPECT_EQ(1 * MiB, auto_first(fd, big + 1 * MiB, 2 * MiB));
	}

	abi_section("MAP automatic IOVA avoids mapped ranges");
	ioas = abi_new_ioas(fd);
	a = b = 0;
	EXPECT_OK(abi_map(fd, ioas, big, ps, ABI_RW, &a));
	EXPECT_OK(abi_map(fd, ioas, big, ps, ABI_RW, &b));
	EXPECT_EQ(ps, a);
	EXPECT_EQ(2 * ps, b);
	/* a one-page hole at 4 pages is skipped by a two-page map */
	EXPECT_OK(abi_map_fixed(fd, ioas, big, ps, 5 * ps));
	EXPECT_OK(abi_map_fixed(fd, ioas, big, 2 * ps, 7 * ps));
	iova = 0;
	EXPECT_OK(abi_map(fd, ioas, big, ps, ABI_RW, &iova));
	EXPECT_EQ(3 * ps, iova);
	iova = 0;
	EXPECT_OK(abi_map(fd, ioas, big, 2 * ps, ABI_RW, &iova));
	EXPECT_EQ(10 * ps, iova);
	iova = 0;
	EXPECT_OK(abi_map(fd, ioas, big, ps, ABI_RW, &iova));
	EXPECT_EQ(4 * ps, iova);
	iova = 0;
	EXPECT_OK(abi_map(fd, ioas, big, ps, ABI_RW, &iova));
	EXPECT_EQ(6 * ps, iova);
	iova = 0;
	EXPECT_OK(abi_map(fd, ioas, big, ps, ABI_RW, &iova));
	EXPECT_EQ(9 * ps, iova);
	EXPECT_OK(abi_destroy(fd, ioas));

	abi_section("MAP automatic length >= ULONG_MAX / 2");
	ioas = abi_new_ioas(fd);
	iova = 0;
	EXPECT_ERRNO(EOVERFLOW, abi_map(fd, ioas, big, 1ULL << 63, ABI_RW,
					&iova));
	EXPECT_ERRNO(EOVERFLOW, abi_map(fd, ioas, big, (1ULL << 63) - 1,
					ABI_RW, &iova));
	EXPECT_OK(abi_destroy(fd, ioas));

	abi_section("MAP automatic IOVA respects ALLOW_IOVAS");
	ioas = abi_new_ioas(fd);
	{
		struct iommu_iova_range r = { 1 * MiB, 2 * MiB - 1 };

		EXPECT_OK(abi_allow_iovas(fd, ioas, &r, 1));
		iova = 0;
		EXPECT_OK(abi_map(fd, ioas, big, ps, ABI_RW, &iova));
		EXPECT_EQ(1 * MiB, iova);
		iova = 0;
		EXPECT_OK(abi_map(fd, ioas, big, 16 * ps, ABI_RW, &iova));
		EXPECT_EQ(1 * MiB + 16 * ps, iova);
		/* a fixed map is not bound by the allowed ranges */
		EXPECT_OK(abi_map_fixed(fd, ioas, big, ps, 4 * MiB));
		EXPECT_OK(abi_map_fixed(fd, ioas, big, ps, 0));
		/* fill the rest, then nothing fits */
		EXPECT_OK(abi_map_fixed(fd, ioas, big, 15 * ps,
					1 * MiB + ps));
		EXPECT_OK(abi_map_fixed(fd, ioas, big, 1 * MiB - 32 * ps,
					1 * MiB + 32 * ps));
		iova = 0;
		EXPECT_ERRNO(ENOSPC, abi_map(fd, ioas, big, 1, ABI_RW, &iova));
		/* freeing a page makes room exactly there */
		EXPECT_OK(abi_unmap(fd, ioas, 1 * MiB, ps, NULL));
		iova = 0;
		EXPECT_OK(abi_map(fd, ioas, big, ps, ABI_RW, &iova));
		EXPECT_EQ(1 * MiB, iova);
	}
	EXPECT_OK(abi_destroy(fd, ioas));

	abi_section("MAP automatic IOVA: ENOSPC");
	ioas = abi_new_ioas(fd);
	{
		struct iommu_iova_range r = { 1 * MiB, 1 * MiB + ps - 1 };

		EXPECT_OK(abi_allow_iovas(fd, ioas, &r, 1));
		iova = 0;
		EXPECT_ERRNO(ENOSPC, abi_map(fd, ioas, big, 2 * ps, ABI_RW,
					     &iova));
		EXPECT_OK(abi_map(fd, ioas, big, ps, ABI_RW, &iova));
		EXPECT_EQ(1 * MiB, iova);
		EXPECT_ERRNO(ENOSPC, abi_map(fd, ioas, big, 1, ABI_RW, &iova));
	}
	EXPECT_OK(abi_destroy(fd, ioas));

	/* page 0 and the last page are never handed out */
	ioas = abi_new_ioas(fd);
	{
		struct iommu_iova_range r[2] = {
			{ 0, 2 * ps - 1 },
			{ UINT64_MAX - 2 * ps + 1, UINT64_MAX },
		};

		EXPECT_OK(abi_allow_iovas(fd, ioas, r, 2));
		iova = 0;
		EXPECT_OK(abi_map(fd, ioas, big, ps, ABI_RW, &iova));
		EXPECT_EQ(ps, iova);
		EXPECT_OK(abi_map(fd, ioas, big, ps, ABI_RW, &iova));
		EXPECT_EQ(UINT64_MAX - 2 * ps + 1, iova);
		EXPECT_ERRNO(ENOSPC, abi_map(fd, ioas, big, 1, ABI_RW, &iova));
		/* but a fixed map may use them */
		EXPECT_OK(abi_map_fixed(fd, ioas, big, ps, 0));
		EXPECT_OK(abi_map_fixed(fd, ioas, big, ps,
					UINT64_MAX - ps + 1));
	}
	EXPECT_OK(abi_destroy(fd, ioas));

	if (have_test) {
		abi_section("MAP automatic IOVA avoids reserved ranges");
		ioas = abi_new_ioas(fd);
		EXPECT_OK(abi_add_reserved(fd, ioas, ps, 15 * ps));
		iova = 0;
		EXPECT_OK(abi_map(fd, ioas, big, ps, ABI_RW, &iova));
		EXPECT_EQ(16 * ps, iova);
		EXPECT_OK(abi_add_reserved(fd, ioas, 18 * ps, 2 * ps));
		iova = 0;
		EXPECT_OK(abi_map(fd, ioas, big, ps, ABI_RW, &iova));
		EXPECT_EQ(17 * ps, iova);
		iova = 0;
		EXPECT_OK(abi_map(fd, ioas, big, ps, ABI_RW, &iova));
		EXPECT_EQ(20 * ps, iova);
		EXPECT_OK(abi_destroy(fd, ioas));

		/* everything reserved: ENOSPC */
		ioas = abi_new_ioas(fd);
		EXPECT_OK(abi_add_reserved(fd, ioas, 0, UINT64_MAX));
		iova = 0;
		EXPECT_ERRNO(ENOSPC, abi_map(fd, ioas, big, 1, ABI_RW, &iova));
		EXPECT_OK(abi_destroy(fd, ioas));
	}
	munmap(big, 8 * MiB);
}

static int map_file_cmd(int fd, struct iommu_ioas_map_file *cmd)
{
	return ioctl(fd, IOMMU_IOAS_MAP_FILE, cmd);
}

static void check_map_file(int fd)
{
	uint32_t ioas = abi_new_ioas(fd);
	int mfd = abi_memfd(16 * ps);
	struct iommu_ioas_map_file cmd;
	uint64_t iova, unmapped;
	int closed_fd;

#define RESET()                                                               \
	do {                                                                  \
		memset(&cmd, 0, sizeof(cmd));                                 \
		cmd.size = sizeof(cmd);                                       \
		cmd.flags = ABI_RW;                                           \
		cmd.ioas_id = ioas;                                           \
		cmd.fd = mfd;                                                 \
		cmd.start = 0;                                                \
		cmd.length = ps;                                              \
	} while (0)

	abi_section("MAP_FILE argument checks");
	RESET();
	cmd.flags |= 1u << 3;
	EXPECT_ERRNO(EOPNOTSUPP, map_file_cmd(fd, &cmd));
	RESET();
	cmd.flags |= 1u << 31;
	cmd.fd = -1;
	EXPECT_ERRNO(EOPNOTSUPP, map_file_cmd(fd, &cmd));
	RESET();
	cmd.iova = UINT64_MAX;
	EXPECT_ERRNO(EOVERFLOW, map_file_cmd(fd, &cmd));
	RESET();
	cmd.flags |= IOMMU_IOAS_MAP_FIXED_IOVA;
	cmd.iova = UINT64_MAX;
	EXPECT_ERRNO(EOVERFLOW, map_file_cmd(fd, &cmd));
	RESET();
	cmd.length = UINT64_MAX;
	cmd.fd = -1;
	EXPECT_ERRNO(EOVERFLOW, map_file_cmd(fd, &cmd));
	RESET();
	cmd.flags = 0;
	EXPECT_ERRNO(EINVAL, map_file_cmd(fd, &cmd));
	RESET();
	cmd.flags = IOMMU_IOAS_MAP_FIXED_IOVA;
	cmd.ioas_id = 9999;
	EXPECT_ERRNO(EINVAL, map_file_cmd(fd, &cmd));
	RESET();
	cmd.ioas_id = 9999;
	EXPECT_ERRNO(ENOENT, map_file_cmd(fd, &cmd));
	RESET();
	cmd.ioas_id = 0;
	EXPECT_ERRNO(ENOENT, map_file_cmd(fd, &cmd));
	/* the IOAS is looked up before the descriptor and the length */
	RESET();
	cmd.ioas_id = 9999;
	cmd.fd = -1;
	cmd.length = 0;
	EXPECT_ERRNO(ENOENT, map_file_cmd(fd, &cmd));

	abi_section("MAP_FILE length and start");
	RESET();
	cmd.length = 0;
	EXPECT_ERRNO(EINVAL, map_file_cmd(fd, &cmd));
	RESET();
	cmd.length = 0;
	cmd.fd = -1;
	EXPECT_ERRNO(EINVAL, map_file_cmd(fd, &cmd));
	RESET();
	cmd.start = UINT64_MAX - ps + 2;	/* start + length - 1 wraps */
	EXPECT_ERRNO(EOVERFLOW, map_file_cmd(fd, &cmd));
	RESET();
	cmd.start = UINT64_MAX;
	cmd.length = 2;
	cmd.fd = -1;
	EXPECT_ERRNO(EOVERFLOW, map_file_cmd(fd, &cmd));

	abi_section("MAP_FILE bad descriptor");
	RESET();
	cmd.fd = -1;
	EXPECT_ERRNO(EBADF, map_file_cmd(fd, &cmd));
	RESET();
	cmd.fd = 1 << 20;
	EXPECT_ERRNO(EBADF, map_file_cmd(fd, &cmd));
	closed_fd = dup(mfd);
	ABI_ASSERT(closed_fd >= 0);
	close(closed_fd);
	RESET();
	cmd.fd = closed_fd;
	EXPECT_ERRNO(EBADF, map_file_cmd(fd, &cmd));
	RESET();
	cmd.fd = closed_fd;
	cmd.flags = IOMMU_IOAS_MAP_READABLE;
	EXPECT_ERRNO(EBADF, map_file_cmd(fd, &cmd));

	abi_section("MAP_FILE of a memfd");
	{
		uint32_t i2 = abi_new_ioas(fd);

		/* an offset: its alignment counts, like a user address */
		iova = 0;
		EXPECT_OK(abi_map_file(fd, i2, mfd, ps, 4 * ps, ABI_RW,
				       &iova));
		EXPECT_EQ(ps, iova);
		/* offset 0 has no alignment of its own: the length's rules */
		iova = 0;
		EXPECT_OK(abi_map_file(fd, i2, mfd, 0, 4 * ps, ABI_RW, &iova));
		EXPECT_EQ(8 * ps, iova);
		iova = 0;
		EXPECT_OK(abi_map_file(fd, i2, mfd, 2 * ps, 2 * ps,
				       IOMMU_IOAS_MAP_READABLE, &iova));
		EXPECT_EQ(6 * ps, iova);
		EXPECT_OK(abi_unmap(fd, i2, 0, UINT64_MAX, &unmapped));
		EXPECT_EQ(10 * ps, unmapped);
		/* a sub-page offset is kept in the IOVA */
		iova = 0;
		EXPECT_OK(abi_map_file(fd, i2, mfd, 0x100, 0x200, ABI_RW,
				       &iova));
		EXPECT_EQ(ps + 0x100, iova);
		EXPECT_OK(abi_destroy(fd, i2));
	}
	/* fixed IOVA: echoed back, overlap EEXIST */
	RESET();
	cmd.flags |= IOMMU_IOAS_MAP_FIXED_IOVA;
	cmd.iova = 32 * MiB;
	cmd.start = 3 * ps;
	cmd.length = 2 * ps;
	EXPECT_OK(map_file_cmd(fd, &cmd));
	EXPECT_EQ(32 * MiB, cmd.iova);
	EXPECT_EQ(3 * ps, cmd.start);
	EXPECT_EQ(2 * ps, cmd.length);
	EXPECT_EQ(mfd, cmd.fd);
	EXPECT_ERRNO(EEXIST, map_file_cmd(fd, &cmd));
	/* user maps and file maps share one IOVA space */
	{
		uint8_t *buf = abi_pages(1);

		EXPECT_ERRNO(EEXIST, abi_map_fixed(fd, ioas, buf, ps,
						   32 * MiB + ps));
		munmap(buf, ps);
	}
	EXPECT_OK(abi_unmap(fd, ioas, 32 * MiB, 2 * ps, &unmapped));
	EXPECT_EQ(2 * ps, unmapped);
	/* past the end of the file: nothing is read without a domain */
	iova = 0;
	EXPECT_OK(abi_map_file(fd, ioas, mfd, 15 * ps, 4 * ps, ABI_RW, &iova));
	EXPECT_OK(abi_unmap(fd, ioas, iova, 4 * ps, NULL));
	/* the map holds the file, not the descriptor */
	{
		int tmp = dup(mfd);

		ABI_ASSERT(tmp >= 0);
		iova = 0;
		EXPECT_OK(abi_map_file(fd, ioas, tmp, 0, ps, ABI_RW, &iova));
		close(tmp);
		EXPECT_OK(abi_unmap(fd, ioas, iova, ps, &unmapped));
		EXPECT_EQ(ps, unmapped);
	}

	abi_section("MAP_FILE of other files");
	{
		int pfd[2], efd, tfd;
		char path[] = "/tmp/uiommufd-abi-XXXXXX";

		ABI_ASSERT(pipe(pfd) == 0);
		iova = 0;
		EXPECT_OK(abi_map_file(fd, ioas, pfd[0], 0, ps,
				       IOMMU_IOAS_MAP_READABLE, &iova));
		EXPECT_OK(abi_unmap(fd, ioas, iova, ps, NULL));
		efd = eventfd(0, EFD_CLOEXEC);
		ABI_ASSERT(efd >= 0);
		iova = 0;
		EXPECT_OK(abi_map_file(fd, ioas, efd, 0, ps, ABI_RW, &iova));
		EXPECT_OK(abi_unmap(fd, ioas, iova, ps, NULL));
		tfd = mkstemp(path);
		ABI_ASSERT(tfd >= 0);
		unlink(path);
		ABI_ASSERT(ftruncate(tfd, 4 * ps) == 0);
		iova = 0;
		EXPECT_OK(abi_map_file(fd, ioas, tfd, 0, 4 * ps, ABI_RW,
				       &iova));
		EXPECT_OK(abi_unmap(fd, ioas, iova, 4 * ps, NULL));
		close(pfd[0]);
		close(pfd[1]);
		close(efd);
		close(tfd);
	}

	abi_section("MAP_FILE write access");
	{
		char path[64];
		int rofd, sfd;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", mfd);
		rofd = open(path, O_RDONLY | O_CLOEXEC);
		ABI_ASSERT(rofd >= 0);
		iova = 0;
		EXPECT_OK(abi_map_file(fd, ioas, rofd, 0, ps,
				       IOMMU_IOAS_MAP_READABLE, &iova));
		EXPECT_OK(abi_unmap(fd, ioas, iova, ps, NULL));
		EXPECT_ERRNO(EPERM, abi_map_file(fd, ioas, rofd, 0, ps,
						 ABI_RW, &iova));
		EXPECT_ERRNO(EPERM, abi_map_file(fd, ioas, rofd, 0, ps,
						 IOMMU_IOAS_MAP_WRITEABLE,
						 &iova));
		close(rofd);

		/* F_SEAL_WRITE denies writable mappings */
		sfd = abi_memfd(4 * ps);
		ABI_ASSERT(fcntl(sfd, F_ADD_SEALS, F_SEAL_WRITE) == 0);
		iova = 0;
		EXPECT_OK(abi_map_file(fd, ioas, sfd, 0, ps,
				       IOMMU_IOAS_MAP_READABLE, &iova));
		EXPECT_OK(abi_unmap(fd, ioas, iova, ps, NULL));
		EXPECT_ERRNO(EPERM, abi_map_file(fd, ioas, sfd, 0, ps, ABI_RW,
						 &iova));
		close(sfd);

#ifdef F_SEAL_FUTURE_WRITE
		/*
		 * F_SEAL_FUTURE_WRITE does not deny writable mappings of the
		 * address_space (mapping_map_writable() succeeds); only new
		 * shared writable mmap()s and write()s are refused.
		 */
		sfd = abi_memfd(4 * ps);
		ABI_ASSERT(fcntl(sfd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE) == 0);
		iova = 0;
		EXPECT_OK(abi_map_file(fd, ioas, sfd, 0, ps, ABI_RW, &iova));
		EXPECT_OK(abi_unmap(fd, ioas, iova, ps, NULL));
		close(sfd);
#endif
	}
#undef RESET
	close(mfd);
	EXPECT_OK(abi_destroy(fd, ioas));
}

int main(void)
{
	int fd = abi_open();
	int have_test = abi_have_test_cmd(fd);

	ps = abi_page_size;
	if (!have_test)
		printf("note: IOMMU_TEST_CMD not served; reserved-range "
		       "checks skipped\n");
	check_map_args(fd);
	check_fixed(fd, have_test);
	check_auto(fd, have_test);
	check_map_file(fd);
	close(fd);
	return abi_finish("ioas_map");
}
