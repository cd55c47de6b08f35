/* SPDX-License-Identifier: MIT */
/*
 * ABI: the VFIO type1 container served on the iommufd fd.
 *
 * Kernel reference (drivers/iommu/iommufd/vfio_compat.c and main.c):
 *  - main.c iommufd_fops_ioctl(): an _IOC_NR outside the iommufd range goes
 *    to iommufd_vfio_ioctl() with the command truncated to 32 bits (the
 *    ioctl system call takes an unsigned int); a command it does not know is
 *    -ENOIOCTLCMD, which user space sees as ENOTTY; VFIO_IOMMU_DIRTY_PAGES
 *    is not served;
 *  - VFIO_GET_API_VERSION returns VFIO_API_VERSION (0);
 *  - VFIO_CHECK_EXTENSION (argument is the number): TYPE1, TYPE1v2 and
 *    UNMAP_ALL 1; NOIOMMU per CONFIG_VFIO_NOIOMMU (1 on distribution kernels);
 *    DMA_CC_IOMMU needs the compat IOAS (ENODEV) and is 1 unless a domain
 *    does not enforce coherency; the old nesting type, UPDATE_VADDR and
 *    everything else 0;
 *  - VFIO_SET_IOMMU (argument is the type): not TYPE1/TYPE1v2 EINVAL, then
 *    no compat IOAS ENODEV; TYPE1 turns huge pages off for the IOAS
 *    (iopt_disable_large_pages(): EADDRINUSE if a mapping breaks PAGE_SIZE
 *    alignment); nothing else is remembered, so v2 after v1 changes nothing;
 *  - VFIO_IOMMU_GET_INFO: the first 16 bytes are read (EFAULT), argsz < 16
 *    EINVAL, then ENODEV; flags PGSIZES|CAPS, iova_pgsizes (no domain:
 *    every power of two from PAGE_SIZE up); the chain DMA_AVAIL (avail
 *    U32_MAX) then IOVA_RANGE (the holes of the reserved ranges) follows the
 *    24-byte struct, each capability 8-byte aligned, written only as far as
 *    argsz reaches (a range only if it fits, the IOVA_RANGE header only when
 *    all its ranges fit, a "next" link only once argsz reaches the next
 *    capability); argsz comes back as the size of the whole chain,
 *    cap_offset is 24 only when it all fitted; the reply is min(argsz, 24)
 *    bytes;
 *  - VFIO_IOMMU_MAP_DMA: 32 bytes read (EFAULT), argsz < 32 or flags other
 *    than READ|WRITE EINVAL, then ENODEV, then iopt_map_user_pages() at the
 *    caller's IOVA (EEXIST, EINVAL for reserved or misaligned, EOVERFLOW);
 *  - VFIO_IOMMU_UNMAP_DMA: 24 bytes read (EFAULT), argsz < 24 or flags
 *    other than UNMAP_ALL EINVAL, then ENODEV; UNMAP_ALL with a non-zero
 *    iova or size EINVAL; with huge pages off (type1 v1) the areas are first
 *    cut at iova + size - 1 and iova - 1 (only the first when iova is 0; a
 *    cut at an area's first or last byte is none; a misaligned cut EINVAL
 *    and nothing is written back); then iopt_unmap_iova(): size 0 EINVAL,
 *    wrap EOVERFLOW, an area crossing the range's edge ENOENT (areas before
 *    it stay unmapped), an empty range succeeds with size 0; size is
 *    written back with the bytes unmapped whatever the result (EFAULT if
 *    that fails, the unmap stays done).
 */
#include "abi.h"

#include <linux/vfio.h>

#define MiB (1024ULL * 1024)
#define GiB (1024ULL * MiB)

/* __VFIO_RESERVED_TYPE1_NESTING_IOMMU in newer headers */
#define TYPE1_NESTING 6

#define INFO_SZ sizeof(struct vfio_iommu_type1_info) /* 24 */
#define DMA_AVAIL_SZ sizeof(struct vfio_iommu_type1_info_dma_avail) /* 12 */
#define IOVA_CAP_SZ(n)                                                        \
	(sizeof(struct vfio_iommu_type1_info_cap_iova_range) +                \
	 (n) * sizeof(struct vfio_iova_range))
/* the chain for @n IOVA ranges: DMA_AVAIL padded to 16, then IOVA_RANGE */
#define CHAIN_SZ(n) (INFO_SZ + 16 + IOVA_CAP_SZ(n))

static size_t ps;
static uint64_t page_mask;

/* ---- helpers ---- */

static int set_compat(int fd, uint32_t ioas)
{
	struct iommu_vfio_ioas cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.op = IOMMU_VFIO_IOAS_SET,
	};

	return ioctl(fd, IOMMU_VFIO_IOAS, &cmd);
}

static int clear_compat(int fd)
{
	struct iommu_vfio_ioas cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_VFIO_IOAS_CLEAR,
	};

	return ioctl(fd, IOMMU_VFIO_IOAS, &cmd);
}

static uint64_t huge_pages(int fd, uint32_t ioas)
{
	uint64_t val = 7;

	ABI_ASSERT(abi_option(fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET,
			      ioas, &val) == 0);
	return val;
}

/* argsz of a struct that sits at an odd address (one byte short of whole) */
static void put_argsz(void *p, uint32_t argsz)
{
	memcpy(p, &argsz, sizeof(argsz));
}

static long vfio(int fd, unsigned long request, unsigned long arg)
{
	return ioctl(fd, request, arg);
}

static int map_dma(int fd, uint64_t iova, const void *va, uint64_t size,
		   uint32_t flags)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = flags,
		.vaddr = (uintptr_t)va,
		.iova = iova,
		.size = size,
	};

	return ioctl(fd, VFIO_IOMMU_MAP_DMA, &map);
}

#define RW (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)

/* VFIO_IOMMU_UNMAP_DMA; *out gets the size written back (~0 if none). */
static int unmap_dma(int fd, uint64_t iova, uint64_t size, uint32_t flags,
		     uint64_t *out)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.flags = flags,
		.iova = iova,
		.size = size,
	};
	int rc = ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &unmap);

	if (out)
		*out = unmap.size;
	return rc;
}

/* IOMMU_IOAS_UNMAP through the iommufd path; the length unmapped or 0. */
static uint64_t ioas_unmap(int fd, uint32_t ioas, uint64_t iova, uint64_t len)
{
	uint64_t unmapped = 0;

	if (abi_unmap(fd, ioas, iova, len, &unmapped))
		return 0;
	return unmapped;
}

static unsigned char info_buf[8192];

/* GET_INFO into info_buf (pre-filled with 0xAA) with @argsz. */
static long get_info(int fd, uint32_t argsz)
{
	struct vfio_iommu_type1_info *info = (void *)info_buf;

	memset(info_buf, 0xAA, sizeof(info_buf));
	memset(info_buf, 0, INFO_SZ);
	info->argsz = argsz;
	return ioctl(fd, VFIO_IOMMU_GET_INFO, info_buf);
}

static int buf_is(const unsigned char *p, size_t len, unsigned char c)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

static uint32_t rd32(size_t off)
{
	uint32_t v;

	memcpy(&v, info_buf + off, sizeof(v));
	return v;
}

static uint64_t rd64(size_t off)
{
	uint64_t v;

	memcpy(&v, info_buf + off, sizeof(v));
	return v;
}

/*
 * Walk a complete chain in info_buf (as a VMM does) and compare it with
 * the expected IOVA ranges (pairs start, last).
 */
static void check_chain(const uint64_t *ranges, uint32_t n)
{
	struct vfio_iommu_type1_info *info = (void *)info_buf;
	int seen_avail = 0, seen_iova = 0;
	uint32_t off = info->cap_offset, hops = 0;

	EXPECT_EQ(INFO_SZ, off);
	while (off && hops++ < 8) {
		struct vfio_info_cap_header hdr;

		if (!EXPECT_TRUE(off + sizeof(hdr) <= info->argsz &&
				 !(off & 7)))
			return;
		memcpy(&hdr, info_buf + off, sizeof(hdr));
		EXPECT_EQ(1, hdr.version);
		if (hdr.id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL) {
			struct vfio_iommu_type1_info_dma_avail cap;

			memcpy(&cap, info_buf + off, sizeof(cap));
			seen_avail++;
			EXPECT_EQ(UINT32_MAX, cap.avail);
			/* 12 bytes written, the padding to 16 left alone */
			EXPECT_TRUE(buf_is(info_buf + off + DMA_AVAIL_SZ, 4,
					   0xAA));
		} else if (hdr.id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
			struct vfio_iommu_type1_info_cap_iova_range cap;
			uint32_t i;

			memcpy(&cap, info_buf + off, sizeof(cap));
			seen_iova++;
			EXPECT_EQ(0, cap.reserved);
			if (!EXPECT_EQ(n, cap.nr_iovas))
				return;
			EXPECT_TRUE(off + IOVA_CAP_SZ(n) <= info->argsz);
			for (i = 0; i < n; i++) {
				size_t r = off + IOVA_CAP_SZ(i);

				EXPECT_EQ(ranges[2 * i], rd64(r));
				EXPECT_EQ(ranges[2 * i + 1], rd64(r + 8));
			}
		} else {
			EXPECT_TRUE(!"unknown capability id");
		}
		if (hdr.next)
			EXPECT_TRUE(hdr.next > off);
		off = hdr.next;
	}
	EXPECT_EQ(1, seen_avail);
	EXPECT_EQ(1, seen_iova);
}

/* GET_INFO with exactly the room the chain needs; returns that size. */
static uint32_t info_full(int fd, const uint64_t *ranges, uint32_t n)
{
	struct vfio_iommu_type1_info *info = (void *)info_buf;
	uint32_t need;

	ABI_ASSERT(get_info(fd, INFO_SZ) == 0);
	need = info->argsz;
	EXPECT_EQ(CHAIN_SZ(n), need);
	EXPECT_EQ(0, info->cap_offset);
	EXPECT_TRUE(buf_is(info_buf + INFO_SZ, 256, 0xAA));
	if (!EXPECT_OK(get_info(fd, need)))
		return need;
	EXPECT_EQ(need, info->argsz);
	EXPECT_EQ(VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS, info->flags);
	EXPECT_EQ(INFO_SZ, info->cap_offset);
	EXPECT_TRUE(buf_is(info_buf + need, 256, 0xAA));
	check_chain(ranges, n);
	return need;
}

/*
 * Every argsz from 16 to past the end: what the kernel writes and what it
 * leaves alone, byte for byte, for a chain of @n ranges.
 */
static void info_sweep(int fd, const uint64_t *ranges, uint32_t n)
{
	struct vfio_iommu_type1_info *info = (void *)info_buf;
	uint32_t total = CHAIN_SZ(n), argsz, i;
	size_t iova_cap = INFO_SZ + 16;

	for (argsz = 16; argsz <= total + 16; argsz++) {
		int bad = 0;

		abi_section("GET_INFO argsz %u of %u", argsz, total);
		if (!EXPECT_OK(get_info(fd, argsz)))
			continue;
		/* the reply is min(argsz, 24) bytes; argsz and flags are in */
		EXPECT_EQ(total, info->argsz);
		EXPECT_EQ(VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS,
			  info->flags);
		EXPECT_EQ(page_mask, info->iova_pgsizes);
		if (argsz >= INFO_SZ)
			EXPECT_EQ(argsz >= total ? INFO_SZ : 0,
				  info->cap_offset);
		else
			bad |= !buf_is(info_buf + argsz, INFO_SZ - argsz, 0);
		/* nothing at or past argsz */
		bad |= !buf_is(info_buf + (argsz > INFO_SZ ? argsz : INFO_SZ),
			       256, 0xAA);
		/* DMA_AVAIL only once it fits whole */
		if (argsz >= INFO_SZ + DMA_AVAIL_SZ) {
			EXPECT_EQ(VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL |
					  (1u << 16),
				  rd32(INFO_SZ));
			/* linked only once argsz reaches the next one */
			EXPECT_EQ(argsz >= iova_cap ? iova_cap : 0,
				  rd32(INFO_SZ + 4));
			EXPECT_EQ(UINT32_MAX, rd32(INFO_SZ + 8));
		} else if (argsz > INFO_SZ) {
			bad |= !buf_is(info_buf + INFO_SZ, argsz - INFO_SZ,
				       0xAA);
		}
		/* ranges one by one as they fit, the header last */
		if (argsz > iova_cap) {
			if (argsz >= total) {
				EXPECT_EQ(VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE |
						  (1u << 16),
					  rd32(iova_cap));
				EXPECT_EQ(0, rd32(iova_cap + 4));
				EXPECT_EQ(n, rd32(iova_cap + 8));
			} else {
				bad |= !buf_is(info_buf + iova_cap, 16, 0xAA);
			}
			for (i = 0; i < n; i++) {
				size_t r = iova_cap + IOVA_CAP_SZ(i);

				if (argsz >= iova_cap + IOVA_CAP_SZ(i + 1)) {
					EXPECT_EQ(ranges[2 * i], rd64(r));
					EXPECT_EQ(ranges[2 * i + 1],
						  rd64(r + 8));
				} else if (r < argsz) {
					bad |= !buf_is(info_buf + r,
						       argsz - r < 16 ?
							       argsz - r :
							       16,
						       0xAA);
				}
			}
		}
		EXPECT_TRUE(!bad);
	}
	abi_section("-");
}

/* ---- without a compat IOAS: argument checks and ENODEV ---- */

static void check_no_compat(int fd)
{
	unsigned int nr;

	abi_section("GET_API_VERSION");
	EXPECT_EQ(VFIO_API_VERSION, vfio(fd, VFIO_GET_API_VERSION, 0));
	EXPECT_EQ(VFIO_API_VERSION, vfio(fd, VFIO_GET_API_VERSION, 8));
	/* the system call truncates the command to 32 bits */
	EXPECT_EQ(VFIO_API_VERSION,
		  vfio(fd, (1UL << 32) | VFIO_GET_API_VERSION, 0));

	abi_section("CHECK_EXTENSION without a compat IOAS");
	EXPECT_EQ(1, vfio(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU));
	EXPECT_EQ(1, vfio(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU));
	EXPECT_EQ(1, vfio(fd, VFIO_CHECK_EXTENSION, VFIO_UNMAP_ALL));
	EXPECT_EQ(1, vfio(fd, VFIO_CHECK_EXTENSION, VFIO_NOIOMMU_IOMMU));
	EXPECT_ERRNO(ENODEV, vfio(fd, VFIO_CHECK_EXTENSION,
				  VFIO_DMA_CC_IOMMU));
	EXPECT_EQ(0, vfio(fd, VFIO_CHECK_EXTENSION, TYPE1_NESTING));
	EXPECT_EQ(0, vfio(fd, VFIO_CHECK_EXTENSION, VFIO_UPDATE_VADDR));
	EXPECT_EQ(0, vfio(fd, VFIO_CHECK_EXTENSION, VFIO_SPAPR_TCE_IOMMU));
	EXPECT_EQ(0, vfio(fd, VFIO_CHECK_EXTENSION, VFIO_SPAPR_TCE_v2_IOMMU));
	EXPECT_EQ(0, vfio(fd, VFIO_CHECK_EXTENSION, VFIO_EEH));
	EXPECT_EQ(0, vfio(fd, VFIO_CHECK_EXTENSION, 0));
	EXPECT_EQ(0, vfio(fd, VFIO_CHECK_EXTENSION, 12345));
	EXPECT_EQ(0, vfio(fd, VFIO_CHECK_EXTENSION, ~0UL));

	abi_section("SET_IOMMU without a compat IOAS");
	/* the type is checked before the compat IOAS is looked up */
	EXPECT_ERRNO(EINVAL, vfio(fd, VFIO_SET_IOMMU, 0));
	EXPECT_ERRNO(EINVAL, vfio(fd, VFIO_SET_IOMMU, VFIO_SPAPR_TCE_IOMMU));
	EXPECT_ERRNO(EINVAL, vfio(fd, VFIO_SET_IOMMU, TYPE1_NESTING));
	EXPECT_ERRNO(EINVAL, vfio(fd, VFIO_SET_IOMMU, VFIO_NOIOMMU_IOMMU));
	EXPECT_ERRNO(EINVAL, vfio(fd, VFIO_SET_IOMMU, 999));
	EXPECT_ERRNO(ENODEV, vfio(fd, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU));
	EXPECT_ERRNO(ENODEV, vfio(fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));

	abi_section("MAP_DMA without a compat IOAS");
	{
		struct vfio_iommu_type1_dma_map map = {
			.argsz = sizeof(map),
			.flags = RW,
			.size = ps,
			.iova = MiB,
		};
		struct vfio_iommu_type1_dma_map *edge;

		map.argsz = 0;
		EXPECT_ERRNO(EINVAL, ioctl(fd, VFIO_IOMMU_MAP_DMA, &map));
		map.argsz = 1;
		EXPECT_ERRNO(EINVAL, ioctl(fd, VFIO_IOMMU_MAP_DMA, &map));
		map.argsz = offsetofend(struct vfio_iommu_type1_dma_map, size) -
			    1;
		EXPECT_ERRNO(EINVAL, ioctl(fd, VFIO_IOMMU_MAP_DMA, &map));
		map.argsz = sizeof(map);
		map.flags = 1u << 31;
		EXPECT_ERRNO(EINVAL, ioctl(fd, VFIO_IOMMU_MAP_DMA, &map));
		map.flags = RW | VFIO_DMA_MAP_FLAG_VADDR;
		EXPECT_ERRNO(EINVAL, ioctl(fd, VFIO_IOMMU_MAP_DMA, &map));
		map.flags = RW;
		EXPECT_ERRNO(ENODEV, ioctl(fd, VFIO_IOMMU_MAP_DMA, &map));
		map.flags = 0;
		EXPECT_ERRNO(ENODEV, ioctl(fd, VFIO_IOMMU_MAP_DMA, &map));
		/* the 32 bytes are read before argsz is looked at */
		EXPECT_ERRNO(EFAULT, ioctl(fd, VFIO_IOMMU_MAP_DMA, NULL));
		edge = abi_at_page_end(sizeof(*edge) - 1);
		put_argsz(edge, 1);
		EXPECT_ERRNO(EFAULT, ioctl(fd, VFIO_IOMMU_MAP_DMA, edge));
		edge = abi_at_page_end(sizeof(*edge));
		*edge = map;
		edge->argsz = 4096;	/* only the first 32 bytes are read */
		EXPECT_ERRNO(ENODEV, ioctl(fd, VFIO_IOMMU_MAP_DMA, edge));
	}

	abi_section("UNMAP_DMA without a compat IOAS");
	{
		struct vfio_iommu_type1_dma_unmap unmap = {
			.argsz = sizeof(unmap),
			.size = ps,
			.iova = MiB,
		};
		struct vfio_iommu_type1_dma_unmap *edge;
		size_t minsz =
			offsetofend(struct vfio_iommu_type1_dma_unmap, size);

		unmap.argsz = 1;
		EXPECT_ERRNO(EINVAL, ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &unmap));
		unmap.argsz = minsz - 1;
		EXPECT_ERRNO(EINVAL, ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &unmap));
		unmap.argsz = minsz;
		unmap.flags = 1u << 31;
		EXPECT_ERRNO(EINVAL, ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &unmap));
		unmap.flags = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP;
		EXPECT_ERRNO(EINVAL, ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &unmap));
		unmap.flags = VFIO_DMA_UNMAP_FLAG_VADDR;
		EXPECT_ERRNO(EINVAL, ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &unmap));
		unmap.flags = VFIO_DMA_UNMAP_FLAG_VADDR |
			      VFIO_DMA_UNMAP_FLAG_ALL;
		EXPECT_ERRNO(EINVAL, ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &unmap));
		unmap.flags = 0;
		EXPECT_ERRNO(ENODEV, ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &unmap));
		EXPECT_EQ(ps, unmap.size);	/* nothing written back */
		/* the compat IOAS comes before the UNMAP_ALL argument check */
		unmap.flags = VFIO_DMA_UNMAP_FLAG_ALL;
		EXPECT_ERRNO(ENODEV, ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &unmap));
		EXPECT_ERRNO(EFAULT, ioctl(fd, VFIO_IOMMU_UNMAP_DMA, NULL));
		edge = abi_at_page_end(minsz - 1);
		put_argsz(edge, 1);
		EXPECT_ERRNO(EFAULT, ioctl(fd, VFIO_IOMMU_UNMAP_DMA, edge));
		edge = abi_at_page_end(minsz);
		memcpy(edge, &unmap, minsz);
		edge->flags = 0;
		EXPECT_ERRNO(ENODEV, ioctl(fd, VFIO_IOMMU_UNMAP_DMA, edge));
	}

	abi_section("GET_INFO without a compat IOAS");
	{
		struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };
		struct vfio_iommu_type1_info *edge;

		info.argsz = 1;
		EXPECT_ERRNO(EINVAL, ioctl(fd, VFIO_IOMMU_GET_INFO, &info));
		info.argsz = 15;
		EXPECT_ERRNO(EINVAL, ioctl(fd, VFIO_IOMMU_GET_INFO, &info));
		info.argsz = 16;
		EXPECT_ERRNO(ENODEV, ioctl(fd, VFIO_IOMMU_GET_INFO, &info));
		info.argsz = sizeof(info);
		EXPECT_ERRNO(ENODEV, ioctl(fd, VFIO_IOMMU_GET_INFO, &info));
		EXPECT_EQ(sizeof(info), info.argsz);
		EXPECT_EQ(0, info.flags);
		EXPECT_ERRNO(EFAULT, ioctl(fd, VFIO_IOMMU_GET_INFO, NULL));
		edge = abi_at_page_end(15);
		put_argsz(edge, 16);
		EXPECT_ERRNO(EFAULT, ioctl(fd, VFIO_IOMMU_GET_INFO, edge));
		edge = abi_at_page_end(16);
		edge->argsz = 4096;
		EXPECT_ERRNO(ENODEV, ioctl(fd, VFIO_IOMMU_GET_INFO, edge));
	}

	abi_section("VFIO commands that are not served");
	/* every VFIO number but 0, 1, 2, 12, 13 and 14 (and more past them) */
	for (nr = 0; nr < 28; nr++) {
		if (nr <= 2 || (nr >= 12 && nr <= 14))
			continue;
		EXPECT_ERRNO(ENOTTY, ioctl(fd, _IO(VFIO_TYPE, VFIO_BASE + nr),
					   info_buf));
	}
	EXPECT_ERRNO(ENOTTY, ioctl(fd, VFIO_IOMMU_DIRTY_PAGES, info_buf));
	EXPECT_ERRNO(ENOTTY, ioctl(fd, VFIO_GROUP_GET_STATUS, info_buf));
	EXPECT_ERRNO(ENOTTY, ioctl(fd, VFIO_DEVICE_GET_INFO, info_buf));
	/* the whole command is compared, not just its number */
	EXPECT_ERRNO(ENOTTY, ioctl(fd, _IOR(VFIO_TYPE, VFIO_BASE, int),
				   info_buf));
	EXPECT_ERRNO(ENOTTY, ioctl(fd, _IO('x', VFIO_BASE + 1), 3));
	EXPECT_ERRNO(ENOTTY, ioctl(fd, _IOWR(VFIO_TYPE, VFIO_BASE + 13,
					     struct vfio_iommu_type1_dma_map),
				   info_buf));
}

/* ---- a DPDK-like container: TYPE1v2 ---- */

static void check_dpdk_flow(int fd, int have_test)
{
	const uint64_t whole[] = { 0, UINT64_MAX };
	struct vfio_iommu_type1_info *info = (void *)info_buf;
	uint8_t *buf = abi_pages(16);
	uint32_t ioas, ioas2;
	uint64_t out;

	abi_section("DPDK: IOAS_ALLOC, IOMMU_VFIO_IOAS SET, SET_IOMMU v2");
	ioas = abi_new_ioas(fd);
	EXPECT_OK(set_compat(fd, ioas));
	EXPECT_EQ(VFIO_API_VERSION, vfio(fd, VFIO_GET_API_VERSION, 0));
	EXPECT_EQ(1, vfio(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU));
	EXPECT_EQ(1, vfio(fd, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU));
	EXPECT_OK(vfio(fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	EXPECT_EQ(1, huge_pages(fd, ioas));
	/* SET_IOMMU is not a one-shot: again is fine */
	EXPECT_OK(vfio(fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));

	abi_section("DPDK: GET_INFO twice, the chain walked");
	EXPECT_OK(get_info(fd, 16));	/* the pre-capability struct */
	EXPECT_EQ(CHAIN_SZ(1), info->argsz);
	EXPECT_EQ(VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS, info->flags);
	EXPECT_EQ(page_mask, info->iova_pgsizes);
	EXPECT_TRUE(buf_is(info_buf + 16, 8, 0));	/* cap_offset unwritten */
	info_full(fd, whole, 1);
	EXPECT_EQ(page_mask, info->iova_pgsizes);
	/* a bigger buffer: the same answer, nothing written past the chain */
	EXPECT_OK(get_info(fd, 4096));
	EXPECT_EQ(CHAIN_SZ(1), info->argsz);
	EXPECT_EQ(INFO_SZ, info->cap_offset);
	EXPECT_TRUE(buf_is(info_buf + CHAIN_SZ(1), 4096 - CHAIN_SZ(1), 0xAA));
	check_chain(whole, 1);

	abi_section("DPDK: MAP_DMA");
	EXPECT_OK(map_dma(fd, MiB, buf, 16 * ps, RW));
	/* it is the compat IOAS's mapping */
	EXPECT_ERRNO(EEXIST, abi_map_fixed(fd, ioas, buf, ps, MiB + ps));
	EXPECT_ERRNO(EEXIST, map_dma(fd, MiB, buf, 16 * ps, RW));
	EXPECT_ERRNO(EEXIST, map_dma(fd, MiB + 15 * ps, buf, 2 * ps, RW));
	EXPECT_ERRNO(EINVAL, map_dma(fd, 32 * MiB, buf, 0, RW));
	EXPECT_ERRNO(EOVERFLOW, map_dma(fd, UINT64_MAX - ps + 1, buf, 2 * ps,
					RW));
	EXPECT_ERRNO(EOVERFLOW, map_dma(fd, 32 * MiB,
					(void *)(uintptr_t)(UINT64_MAX - ps + 1),
					2 * ps, RW));
	/* no permission at all is allowed, as are read-only and write-only */
	EXPECT_OK(map_dma(fd, 32 * MiB, buf, ps, 0));
	EXPECT_OK(map_dma(fd, 33 * MiB, buf, ps, VFIO_DMA_MAP_FLAG_READ));
	EXPECT_OK(map_dma(fd, 34 * MiB, buf, ps, VFIO_DMA_MAP_FLAG_WRITE));
	/* memory is not looked at without a domain */
	{
		uint8_t *gone = abi_pages(1);

		munmap(gone, ps);
		EXPECT_OK(map_dma(fd, 35 * MiB, gone, ps, RW));
	}
	/* argsz may be larger than the struct: only 32 bytes are read */
	{
		struct vfio_iommu_type1_dma_map *edge =
			abi_at_page_end(sizeof(*edge));

		*edge = (struct vfio_iommu_type1_dma_map){
			.argsz = 1 << 20, .flags = RW,
			.vaddr = (uintptr_t)buf, .iova = 36 * MiB, .size = ps,
		};
		EXPECT_OK(ioctl(fd, VFIO_IOMMU_MAP_DMA, edge));
	}
	/* not byte granular without huge pages off, but byte sizes map */
	EXPECT_OK(map_dma(fd, 40 * MiB + 1, buf + 1, 100, RW));

	abi_section("DPDK: UNMAP_DMA (v2 never cuts)");
	out = 7;
	EXPECT_ERRNO(ENOENT, unmap_dma(fd, MiB + 4 * ps, ps, 0, &out));
	EXPECT_EQ(0, out);	/* written back even on failure */
	EXPECT_ERRNO(ENOENT, unmap_dma(fd, MiB, 8 * ps, 0, &out));
	EXPECT_ERRNO(ENOENT, unmap_dma(fd, MiB + ps, 16 * ps, 0, &out));
	/* a range larger than the mapping takes the whole of it */
	EXPECT_OK(unmap_dma(fd, MiB - ps, 18 * ps, 0, &out));
	EXPECT_EQ(16 * ps, out);
	/* unmap of nothing succeeds with 0 (ENOENT on IOMMU_IOAS_UNMAP) */
	out = 7;
	EXPECT_OK(unmap_dma(fd, MiB, 16 * ps, 0, &out));
	EXPECT_EQ(0, out);
	EXPECT_ERRNO(ENOENT, abi_unmap(fd, ioas, MiB, 16 * ps, NULL));
	out = 7;
	EXPECT_ERRNO(EINVAL, unmap_dma(fd, MiB, 0, 0, &out));
	EXPECT_EQ(0, out);
	out = 7;
	EXPECT_ERRNO(EOVERFLOW, unmap_dma(fd, UINT64_MAX - ps + 1, 2 * ps, 0,
					  &out));
	EXPECT_EQ(0, out);
	/* the byte-sized mapping: not a piece of it, but any range around */
	EXPECT_ERRNO(ENOENT, unmap_dma(fd, 40 * MiB + 2, 50, 0, &out));
	EXPECT_ERRNO(ENOENT, unmap_dma(fd, 40 * MiB + 1, 99, 0, &out));
	EXPECT_OK(unmap_dma(fd, 40 * MiB, ps, 0, &out));
	EXPECT_EQ(100, out);

	abi_section("DPDK: an unmap that stops half way");
	EXPECT_OK(map_dma(fd, MiB, buf, 4 * ps, RW));
	EXPECT_OK(map_dma(fd, MiB + 4 * ps, buf + 4 * ps, 4 * ps, RW));
	/* the first area goes, the second is crossed: ENOENT, 4 pages */
	EXPECT_ERRNO(ENOENT, unmap_dma(fd, MiB, 6 * ps, 0, &out));
	EXPECT_EQ(4 * ps, out);
	EXPECT_EQ(4 * ps, ioas_unmap(fd, ioas, MiB + 4 * ps, 4 * ps));

	abi_section("DPDK: UNMAP_ALL");
	EXPECT_OK(map_dma(fd, MiB, buf, 16 * ps, RW));
	EXPECT_ERRNO(EINVAL, unmap_dma(fd, ps, 0, VFIO_DMA_UNMAP_FLAG_ALL,
				       &out));
	EXPECT_ERRNO(EINVAL, unmap_dma(fd, 0, 1, VFIO_DMA_UNMAP_FLAG_ALL,
				       &out));
	EXPECT_EQ(1, out);	/* refused before anything: not written */
	/* 16 pages + 0 + read + write + the page that is gone + 36 MiB */
	EXPECT_OK(unmap_dma(fd, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, &out));
	EXPECT_EQ(21 * ps, out);
	EXPECT_OK(unmap_dma(fd, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, &out));
	EXPECT_EQ(0, out);

	abi_section("DPDK: the reply cannot be written");
	{
		struct vfio_iommu_type1_dma_unmap *ro = (void *)abi_pages(1);

		EXPECT_OK(map_dma(fd, MiB, buf, 2 * ps, RW));
		*ro = (struct vfio_iommu_type1_dma_unmap){
			.argsz = sizeof(*ro), .iova = MiB, .size = 2 * ps,
		};
		ABI_ASSERT(mprotect(ro, ps, PROT_READ) == 0);
		EXPECT_ERRNO(EFAULT, ioctl(fd, VFIO_IOMMU_UNMAP_DMA, ro));
		/* the unmap was done all the same */
		EXPECT_ERRNO(ENOENT, abi_unmap(fd, ioas, MiB, 2 * ps, NULL));
		munmap(ro, ps);
	}

	abi_section("DPDK: GET_INFO faults");
	{
		unsigned char *edge;
		struct vfio_iommu_type1_info *e;

		/* 24 readable bytes, argsz 4096: DMA_AVAIL cannot be written */
		edge = abi_at_page_end(INFO_SZ);
		e = (void *)edge;
		memset(edge, 0, INFO_SZ);
		e->argsz = 4096;
		EXPECT_ERRNO(EFAULT, ioctl(fd, VFIO_IOMMU_GET_INFO, e));
		EXPECT_EQ(4096, e->argsz);	/* the reply was not written */
		EXPECT_EQ(0, e->flags);
		/* argsz 24 there: no capability is written, success */
		e->argsz = INFO_SZ;
		EXPECT_OK(ioctl(fd, VFIO_IOMMU_GET_INFO, e));
		EXPECT_EQ(CHAIN_SZ(1), e->argsz);
		/* 40 bytes: DMA_AVAIL fits, the first range faults */
		edge = abi_at_page_end(INFO_SZ + 16);
		e = (void *)edge;
		memset(edge, 0, INFO_SZ + 16);
		e->argsz = 4096;
		EXPECT_ERRNO(EFAULT, ioctl(fd, VFIO_IOMMU_GET_INFO, e));
		EXPECT_EQ(VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL,
			  *(uint16_t *)(edge + INFO_SZ));
		/* 16 bytes only, a pre-capability caller */
		edge = abi_at_page_end(16);
		e = (void *)edge;
		e->argsz = 16;
		EXPECT_OK(ioctl(fd, VFIO_IOMMU_GET_INFO, e));
		EXPECT_EQ(CHAIN_SZ(1), e->argsz);
		/* read-only: the first write fails */
		edge = (void *)abi_pages(1);
		e = (void *)edge;
		memset(edge, 0, INFO_SZ);
		e->argsz = INFO_SZ;
		ABI_ASSERT(mprotect(edge, ps, PROT_READ) == 0);
		EXPECT_ERRNO(EFAULT, ioctl(fd, VFIO_IOMMU_GET_INFO, e));
		munmap(edge, ps);
	}

	if (have_test) {
		/* holes: [0, 2G-1] [2G+ps, 4G-1] [8G, max] */
		const uint64_t three[] = { 0, 2 * GiB - 1, 2 * GiB + ps,
					   4 * GiB - 1, 8 * GiB, UINT64_MAX };
		struct iommu_iova_range allow = { 16 * MiB, 32 * MiB - 1 };

		abi_section("DPDK: reserved ranges in the IOVA_RANGE cap");
		EXPECT_OK(abi_add_reserved(fd, ioas, 2 * GiB, ps));
		EXPECT_OK(abi_add_reserved(fd, ioas, 4 * GiB, 4 * GiB));
		info_full(fd, three, 3);
		info_sweep(fd, three, 3);
		abi_section("DPDK: reserved ranges");
		EXPECT_ERRNO(EINVAL, map_dma(fd, 2 * GiB, buf, ps, RW));
		EXPECT_ERRNO(EINVAL, map_dma(fd, 2 * GiB - ps, buf, 2 * ps,
					     RW));
		EXPECT_OK(map_dma(fd, 2 * GiB - ps, buf, ps, RW));
		/* allowed ranges are not what the cap reports */
		EXPECT_OK(abi_allow_iovas(fd, ioas, &allow, 1));
		info_full(fd, three, 3);
	} else {
		info_sweep(fd, whole, 1);
	}

	abi_section("DPDK: switching and clearing the compat IOAS");
	ioas2 = abi_new_ioas(fd);
	EXPECT_OK(set_compat(fd, ioas2));
	info_full(fd, whole, 1);
	EXPECT_OK(map_dma(fd, 2 * GiB - ps, buf, ps, RW));	/* into ioas2 */
	EXPECT_EQ(ps, ioas_unmap(fd, ioas2, 2 * GiB - ps, ps));
	EXPECT_OK(map_dma(fd, MiB, buf, ps, RW));
	EXPECT_OK(clear_compat(fd));
	EXPECT_ERRNO(ENODEV, map_dma(fd, 4 * MiB, buf, ps, RW));
	EXPECT_ERRNO(ENODEV, unmap_dma(fd, MiB, ps, 0, NULL));
	EXPECT_ERRNO(ENODEV, unmap_dma(fd, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL,
				       NULL));
	EXPECT_ERRNO(ENODEV, get_info(fd, 4096));
	EXPECT_ERRNO(ENODEV, vfio(fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	EXPECT_ERRNO(ENODEV, vfio(fd, VFIO_CHECK_EXTENSION,
				  VFIO_DMA_CC_IOMMU));
	EXPECT_EQ(1, vfio(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU));
	/* destroying the compat IOAS (mappings and all) also clears it */
	EXPECT_OK(set_compat(fd, ioas2));
	EXPECT_OK(abi_destroy(fd, ioas2));
	EXPECT_ERRNO(ENODEV, map_dma(fd, 4 * MiB, buf, ps, RW));
	EXPECT_ERRNO(ENODEV, get_info(fd, 4096));
	EXPECT_OK(abi_destroy(fd, ioas));
	munmap(buf, 16 * ps);
	abi_section("-");
}

/* ---- a QEMU-like container: TYPE1 (v1), which may cut mappings ---- */

static void check_qemu_flow(int fd)
{
	const uint64_t whole[] = { 0, UINT64_MAX };
	struct vfio_iommu_type1_info *info = (void *)info_buf;
	uint8_t *ram = abi_pages(32);
	uint8_t *high = abi_pages(16);
	uint32_t ioas, ioas3;
	struct iommu_iova_range ranges[4];
	uint64_t out, align, val;
	uint32_t n = 4;

	abi_section("QEMU: v1 container");
	ioas = abi_new_ioas(fd);
	EXPECT_OK(set_compat(fd, ioas));
	EXPECT_EQ(1, vfio(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU));
	EXPECT_EQ(1, vfio(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU));
	EXPECT_OK(vfio(fd, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU));
	EXPECT_EQ(0, huge_pages(fd, ioas));
	EXPECT_OK(abi_iova_ranges(fd, ioas, ranges, &n, &align));
	EXPECT_EQ(ps, align);
	/* v2 afterwards turns nothing back on */
	EXPECT_OK(vfio(fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	EXPECT_EQ(0, huge_pages(fd, ioas));

	abi_section("QEMU: GET_INFO iova ranges");
	info_full(fd, whole, 1);
	EXPECT_EQ(page_mask, info->iova_pgsizes);

	abi_section("QEMU: maps");
	EXPECT_OK(map_dma(fd, 0, ram, 32 * ps, RW));
	EXPECT_OK(map_dma(fd, 4 * GiB, high, 16 * ps, RW));
	/* PAGE_SIZE granular now */
	EXPECT_ERRNO(EINVAL, map_dma(fd, 8 * GiB, ram, ps / 2, RW));
	EXPECT_ERRNO(EINVAL, map_dma(fd, 8 * GiB + 1, ram, ps, RW));
	EXPECT_ERRNO(EINVAL, map_dma(fd, 8 * GiB, ram + 1, ps, RW));

	abi_section("QEMU: unmaps inside mappings");
	/* iova 0: only the cut at the end */
	EXPECT_OK(unmap_dma(fd, 0, ps, 0, &out));
	EXPECT_EQ(ps, out);
	/* a hole in the middle */
	EXPECT_OK(unmap_dma(fd, 8 * ps, 2 * ps, 0, &out));
	EXPECT_EQ(2 * ps, out);
	/* the pieces are areas of their own now, also for IOAS_UNMAP */
	EXPECT_EQ(7 * ps, ioas_unmap(fd, ioas, ps, 7 * ps));
	EXPECT_OK(unmap_dma(fd, 4 * GiB + ps, 14 * ps, 0, &out));
	EXPECT_EQ(14 * ps, out);
	EXPECT_OK(unmap_dma(fd, 4 * GiB, ps, 0, &out));
	EXPECT_EQ(ps, out);
	EXPECT_OK(unmap_dma(fd, 4 * GiB + 15 * ps, ps, 0, &out));
	EXPECT_EQ(ps, out);
	/* across a hole and into the rest: [10, 12) is mapped, [8, 10) not */
	EXPECT_OK(unmap_dma(fd, 8 * ps, 4 * ps, 0, &out));
	EXPECT_EQ(2 * ps, out);

	abi_section("QEMU: cuts that break the page alignment");
	/* the cut after iova + size - 1 would start an area mid-page */
	out = 7;
	EXPECT_ERRNO(EINVAL, unmap_dma(fd, 13 * ps, ps + 1, 0, &out));
	EXPECT_EQ(ps + 1, out);	/* refused before the unmap: not written */
	EXPECT_ERRNO(EINVAL, unmap_dma(fd, 13 * ps + 1, ps, 0, &out));
	/* a cut at an area's first byte is none: the unmap then crosses */
	EXPECT_ERRNO(ENOENT, unmap_dma(fd, 12 * ps + 1, ps - 1, 0, &out));
	EXPECT_EQ(0, out);
	/* ... and the cut at 13 pages - 1 did happen */
	EXPECT_OK(unmap_dma(fd, 12 * ps, ps, 0, &out));
	EXPECT_EQ(ps, out);

	abi_section("QEMU: UNMAP_ALL over cut areas");
	EXPECT_OK(unmap_dma(fd, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, &out));
	EXPECT_EQ(19 * ps, out);	/* [13, 32) */

	abi_section("QEMU: SET_IOMMU v1 over a misaligned mapping");
	ioas3 = abi_new_ioas(fd);
	{
		uint64_t iova = MiB;

		EXPECT_OK(abi_map(fd, ioas3, ram, 100,
				  IOMMU_IOAS_MAP_FIXED_IOVA |
					  IOMMU_IOAS_MAP_READABLE,
				  &iova));
	}
	EXPECT_OK(set_compat(fd, ioas3));
	EXPECT_ERRNO(EADDRINUSE, vfio(fd, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU));
	EXPECT_EQ(1, huge_pages(fd, ioas3));
	EXPECT_OK(vfio(fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	/* v2 cannot cut it */
	EXPECT_ERRNO(ENOENT, unmap_dma(fd, MiB, 50, 0, &out));
	EXPECT_OK(unmap_dma(fd, MiB, 100, 0, &out));
	EXPECT_EQ(100, out);

	abi_section("QEMU: huge pages off by IOMMU_OPTION cut as v1 does");
	val = 0;
	EXPECT_OK(abi_option(fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET,
			     ioas3, &val));
	EXPECT_OK(map_dma(fd, MiB, ram, 8 * ps, RW));
	EXPECT_OK(unmap_dma(fd, MiB + 2 * ps, ps, 0, &out));
	EXPECT_EQ(ps, out);
	val = 1;
	EXPECT_OK(abi_option(fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET,
			     ioas3, &val));
	EXPECT_ERRNO(ENOENT, unmap_dma(fd, MiB + 4 * ps, ps, 0, &out));
	EXPECT_OK(unmap_dma(fd, MiB + 3 * ps, 5 * ps, 0, &out));
	EXPECT_EQ(5 * ps, out);

	EXPECT_OK(abi_destroy(fd, ioas3));
	EXPECT_OK(abi_destroy(fd, ioas));
	munmap(ram, 32 * ps);
	munmap(high, 16 * ps);
	abi_section("-");
}

int main(void)
{
	int fd = abi_open();
	int have_test = abi_have_test_cmd(fd);

	ps = abi_page_size;
	page_mask = ~(uint64_t)(ps - 1);
	if (!have_test)
		printf("note: IOMMU_TEST_CMD not served; reserved-range "
		       "checks skipped\n");
	check_no_compat(fd);
	check_dpdk_flow(fd, have_test);
	check_qemu_flow(fd);
	close(fd);

	/* a fresh fd ends with nothing left behind */
	fd = abi_open();
	check_no_compat(fd);
	close(fd);
	return abi_finish("vfio_compat");
}
