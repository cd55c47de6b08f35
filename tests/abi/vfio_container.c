/* SPDX-License-Identifier: MIT */
/*
 * ABI: /dev/vfio/vfio as Linux provides it when iommufd backs the VFIO
 * container (CONFIG_IOMMUFD_VFIO_CONTAINER), used the way DPDK and QEMU's
 * legacy backend use a container, with devices from the VFIO cdev.
 *
 * Run as `uiommufd-run --vfio-dev --vfio-dev=smmuv3,rid=0x100 --iommu=vtd --
 * abi_vfio_container` (meson does): vfio0 sits behind VT-d, vfio1 behind an
 * SMMUv3. Kernel reference (drivers/iommu/iommufd/main.c, vfio_compat.c):
 *  - an open of /dev/vfio/vfio is an iommufd context (every iommufd ioctl
 *    works on it, a VFIO cdev binds to it) that charges pinned pages per
 *    process as VFIO does: IOMMU_OPTION RLIMIT_MODE reads 1 there, 0 on
 *    /dev/iommu;
 *  - without a group (none exist here) there is no compat IOAS until one is
 *    set with IOMMU_VFIO_IOAS: SET_IOMMU and the DMA ioctls are ENODEV,
 *    CHECK_EXTENSION of the types answers 1 regardless, DMA_CC_IOMMU needs
 *    the IOAS (ENODEV);
 *  - VFIO_IOMMU_GET_INFO's iova_pgsizes is the intersection of the page
 *    sizes of the domains attached to the compat IOAS, folded to PAGE_SIZE
 *    and up (VT-d: 4K|2M|1G); the IOVA_RANGE capability leaves out the
 *    reserved ranges of attached devices (the x86 MSI window for VT-d);
 *    argsz too small: argsz comes back with what the chain needs and
 *    cap_offset 0; the second call with that size gets the chain;
 *  - type1 v2 (DPDK): many 4K and 2M maps and unmaps, an unmap that would
 *    cut a mapping ENOENT, UNMAP_ALL; type1 v1 (QEMU): unmaps may cut.
 */
#include "abi.h"

#include <linux/vfio.h>
#include <linux/vfio_iommufd.h>

#define KiB 1024ULL
#define MiB (1024 * KiB)
#define GiB (1024 * MiB)

#define RW (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)

static int open_container(void)
{
	int fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		printf("SKIP: open(/dev/vfio/vfio): %s (run under "
		       "build/uiommufd-run)\n",
		       abi_errname(errno));
		exit(ABI_SKIP);
	}
	return fd;
}

/* open /dev/vfio/devices/vfio@n, bind it to @fd and attach it to @ioas */
static int device_on(int fd, unsigned int n, uint32_t ioas, uint32_t *hwpt)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.iommufd = fd,
	};
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
		.pt_id = ioas,
	};
	char path[64];
	int dfd;

	snprintf(path, sizeof(path), "/dev/vfio/devices/vfio%u", n);
	dfd = open(path, O_RDWR | O_CLOEXEC);
	if (dfd < 0 && errno == ENOENT) {
		printf("SKIP: no %s (run with --vfio-dev)\n", path);
		exit(ABI_SKIP);
	}
	ABI_ASSERT(dfd >= 0);
	ABI_ASSERT(ioctl(dfd, VFIO_DEVICE_BIND_IOMMUFD, &bind) == 0);
	ABI_ASSERT(ioctl(dfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach) == 0);
	*hwpt = attach.pt_id;
	return dfd;
}

static int set_compat(int fd, uint32_t ioas)
{
	struct iommu_vfio_ioas cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.op = IOMMU_VFIO_IOAS_SET,
	};

	return ioctl(fd, IOMMU_VFIO_IOAS, &cmd);
}

static long vfio(int fd, unsigned long request, unsigned long arg)
{
	return ioctl(fd, request, arg);
}

static int map_dma(int fd, uint64_t iova, const void *va, uint64_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = RW,
		.vaddr = (uintptr_t)va,
		.iova = iova,
		.size = size,
	};

	return ioctl(fd, VFIO_IOMMU_MAP_DMA, &map);
}

/* the unmap's result; *@size is what it says it unmapped */
static int unmap_dma(int fd, uint64_t iova, uint64_t *size, uint32_t flags)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.flags = flags,
		.iova = iova,
		.size = *size,
	};
	int rc = ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &unmap);

	*size = unmap.size;
	return rc;
}

static uint64_t unmapped(int fd, uint64_t iova, uint64_t size)
{
	uint64_t n = size;

	if (unmap_dma(fd, iova, &n, 0))
		return ~0ULL;
	return n;
}

/*
 * GET_INFO the way QEMU does it: the fixed struct first, then again with
 * the argsz it asked for. Returns the reply (free() it) after checking the
 * two-call protocol.
 */
static struct vfio_iommu_type1_info *get_info_two_calls(int fd)
{
	struct vfio_iommu_type1_info first = { .argsz = sizeof(first) };
	struct vfio_iommu_type1_info *info;

	EXPECT_OK(ioctl(fd, VFIO_IOMMU_GET_INFO, &first));
	EXPECT_EQ(VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS, first.flags);
	EXPECT_TRUE(first.argsz > sizeof(first));
	EXPECT_EQ(0, first.cap_offset);
	info = calloc(1, first.argsz);
	ABI_ASSERT(info);
	info->argsz = first.argsz;
	EXPECT_OK(ioctl(fd, VFIO_IOMMU_GET_INFO, info));
	EXPECT_EQ(first.argsz, info->argsz);
	EXPECT_EQ(sizeof(*info), info->cap_offset);
	EXPECT_EQ(first.iova_pgsizes, info->iova_pgsizes);
	return info;
}

/* The IOVA_RANGE capability of @info, or NULL; checks the chain. */
static struct vfio_iommu_type1_info_cap_iova_range *
find_iova_cap(struct vfio_iommu_type1_info *info)
{
	struct vfio_iommu_type1_info_cap_iova_range *found = NULL;
	uint32_t off = info->cap_offset;
	int caps = 0;

	while (off && caps < 8) {
		struct vfio_info_cap_header *h = (void *)((char *)info + off);

		EXPECT_TRUE(off % 8 == 0 && off < info->argsz);
		EXPECT_EQ(1, h->version);
		if (h->id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL) {
			struct vfio_iommu_type1_info_dma_avail *d = (void *)h;

			EXPECT_EQ(UINT32_MAX, d->avail);
		} else if (h->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
			found = (void *)h;
		}
		off = h->next;
		caps++;
	}
	EXPECT_EQ(2, caps);
	return found;
}

/* Is [start, last] inside one of the ranges? */
static int ranges_cover(struct vfio_iommu_type1_info_cap_iova_range *cap,
			uint64_t start, uint64_t last)
{
	uint32_t i;

	for (i = 0; i < cap->nr_iovas; i++)
		if (cap->iova_ranges[i].start <= start &&
		    last <= cap->iova_ranges[i].end)
			return 1;
	return 0;
}

/* Does [start, last] meet any range? */
static int ranges_meet(struct vfio_iommu_type1_info_cap_iova_range *cap,
		       uint64_t start, uint64_t last)
{
	uint32_t i;

	for (i = 0; i < cap->nr_iovas; i++)
		if (cap->iova_ranges[i].start <= last &&
		    start <= cap->iova_ranges[i].end)
			return 1;
	return 0;
}

static void check_container_is_iommufd(void)
{
	int c = open_container(), i = abi_open();
	uint64_t mode = 0;

	abi_section("/dev/vfio/vfio is an iommufd with VFIO's accounting");
	EXPECT_OK(abi_option(c, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET,
			     0, &mode));
	EXPECT_EQ(1, mode);
	mode = 7;
	EXPECT_OK(abi_option(i, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET,
			     0, &mode));
	EXPECT_EQ(0, mode);
	EXPECT_ERRNO(ENOTDIR, open("/dev/vfio/vfio", O_RDWR | O_DIRECTORY));
	close(i);
	close(c);
}

/* ---- DPDK: type1 v2, many 4K and 2M chunks, UNMAP_ALL ---- */

#define NR_4K 256
#define NR_2M 8

static void check_dpdk(void)
{
	int c = open_container(), dfd;
	struct vfio_iommu_type1_info *info;
	struct vfio_iommu_type1_info_cap_iova_range *cap;
	size_t len = NR_2M * 2 * MiB;
	char *mem = abi_aligned(len, 2 * MiB);
	uint64_t base4k = 1 * GiB, base2m = 4 * GiB, n;
	uint32_t ioas, hwpt;
	int i, ok;

	memset(mem, 0x11, len);

	abi_section("DPDK: before a compat IOAS exists");
	EXPECT_EQ(VFIO_API_VERSION, vfio(c, VFIO_GET_API_VERSION, 0));
	EXPECT_EQ(1, vfio(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU));
	EXPECT_EQ(1, vfio(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU));
	EXPECT_EQ(1, vfio(c, VFIO_CHECK_EXTENSION, VFIO_UNMAP_ALL));
	EXPECT_EQ(0, vfio(c, VFIO_CHECK_EXTENSION, VFIO_UPDATE_VADDR));
	EXPECT_EQ(0, vfio(c, VFIO_CHECK_EXTENSION, VFIO_SPAPR_TCE_IOMMU));
	EXPECT_ERRNO(ENODEV, vfio(c, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU));
	EXPECT_ERRNO(ENODEV, vfio(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	EXPECT_ERRNO(EINVAL, vfio(c, VFIO_SET_IOMMU, VFIO_NOIOMMU_IOMMU));
	EXPECT_ERRNO(EINVAL, vfio(c, VFIO_SET_IOMMU, VFIO_SPAPR_TCE_IOMMU));
	EXPECT_ERRNO(ENODEV, map_dma(c, base4k, mem, 4 * KiB));

	abi_section("DPDK: compat IOAS, a VT-d device, SET_IOMMU");
	ioas = abi_new_ioas(c);
	EXPECT_OK(set_compat(c, ioas));
	dfd = device_on(c, 0, ioas, &hwpt);
	EXPECT_TRUE(hwpt != ioas);
	EXPECT_OK(vfio(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	EXPECT_EQ(1, vfio(c, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU));

	abi_section("DPDK: GET_INFO with a VT-d domain");
	info = get_info_two_calls(c);
	/* the VT-d domain's sizes, not every size */
	EXPECT_EQ(4 * KiB | 2 * MiB | 1 * GiB, info->iova_pgsizes);
	cap = find_iova_cap(info);
	ok = EXPECT_TRUE(cap != NULL);
	if (ok) {
		EXPECT_TRUE(cap->nr_iovas >= 2);
		EXPECT_TRUE(ranges_cover(cap, 0, 0xfedfffff));
		EXPECT_TRUE(!ranges_meet(cap, 0xfee00000, 0xfeefffff));
		EXPECT_TRUE(ranges_cover(cap, base4k,
					 base4k + NR_4K * 4 * KiB - 1));
		EXPECT_TRUE(ranges_cover(cap, base2m, base2m + len - 1));
	}
	free(info);

	abi_section("DPDK: %d 4K chunks and %d 2M chunks", NR_4K, NR_2M);
	ok = 1;
	for (i = 0; i < NR_4K; i++)
		ok &= map_dma(c, base4k + i * 4 * KiB, mem + i * 4 * KiB,
			      4 * KiB) == 0;
	EXPECT_TRUE(ok);
	for (i = 0; i < NR_2M; i++)
		ok &= map_dma(c, base2m + i * 2 * MiB, mem + i * 2 * MiB,
			      2 * MiB) == 0;
	EXPECT_TRUE(ok);
	EXPECT_ERRNO(EEXIST, map_dma(c, base4k, mem, 4 * KiB));
	EXPECT_ERRNO(EEXIST, map_dma(c, base2m + MiB, mem, 2 * MiB));
	/* v2 never cuts: half a 2M chunk is ENOENT, nothing unmapped */
	n = MiB;
	EXPECT_ERRNO(ENOENT, unmap_dma(c, base2m, &n, 0));
	EXPECT_EQ(0, n);
	/* an empty range unmaps nothing, successfully */
	EXPECT_EQ(0, unmapped(c, 3 * GiB, 2 * MiB));
	/* every other 4K chunk one by one */
	ok = 1;
	for (i = 0; i < NR_4K; i += 2)
		ok &= unmapped(c, base4k + i * 4 * KiB, 4 * KiB) == 4 * KiB;
	EXPECT_TRUE(ok);
	/* one 2M chunk, then two at once */
	EXPECT_EQ(2 * MiB, unmapped(c, base2m, 2 * MiB));
	EXPECT_EQ(4 * MiB, unmapped(c, base2m + 2 * MiB, 4 * MiB));

	abi_section("DPDK: UNMAP_ALL");
	n = 4096;
	EXPECT_ERRNO(EINVAL, unmap_dma(c, 0, &n, VFIO_DMA_UNMAP_FLAG_ALL));
	n = 0;
	EXPECT_ERRNO(EINVAL, unmap_dma(c, base4k, &n, VFIO_DMA_UNMAP_FLAG_ALL));
	n = 0;
	EXPECT_OK(unmap_dma(c, 0, &n, VFIO_DMA_UNMAP_FLAG_ALL));
	EXPECT_EQ((NR_4K / 2) * 4 * KiB + (NR_2M - 3) * 2 * MiB, n);
	n = 0;
	EXPECT_OK(unmap_dma(c, 0, &n, VFIO_DMA_UNMAP_FLAG_ALL));
	EXPECT_EQ(0, n);
	/* maps work again after UNMAP_ALL */
	EXPECT_OK(map_dma(c, base2m, mem, 2 * MiB));
	EXPECT_EQ(2 * MiB, unmapped(c, base2m, 2 * MiB));

	close(dfd);
	/* without the device, every size from PAGE_SIZE again */
	info = get_info_two_calls(c);
	EXPECT_EQ(~(uint64_t)(abi_page_size - 1), info->iova_pgsizes);
	free(info);
	close(c);
	munmap(mem, len);
}

/* ---- QEMU: type1 v1 (cuts), two devices, the IOVA range cap ---- */

static void check_qemu(void)
{
	int c = open_container(), d0, d1;
	struct vfio_iommu_type1_info *info;
	struct vfio_iommu_type1_info_cap_iova_range *cap;
	struct vfio_iommu_type1_info small = { .argsz = 15 };
	size_t ps = abi_page_size;
	char *ram = abi_pages(16);
	uint64_t iova = 16 * MiB;
	uint32_t ioas, h0, h1;

	abi_section("QEMU: GET_INFO argsz below the fixed struct");
	ioas = abi_new_ioas(c);
	EXPECT_OK(set_compat(c, ioas));
	EXPECT_ERRNO(EINVAL, ioctl(c, VFIO_IOMMU_GET_INFO, &small));
	d0 = device_on(c, 0, ioas, &h0);
	d1 = device_on(c, 1, ioas, &h1);
	EXPECT_TRUE(h0 != h1); /* VT-d and SMMUv3 domains cannot be shared */
	EXPECT_OK(vfio(c, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU));

	abi_section("QEMU: the IOVA ranges with two devices");
	info = get_info_two_calls(c);
	/* both domains map 4K pages, whatever else they share */
	EXPECT_TRUE(info->iova_pgsizes & ps);
	EXPECT_EQ(0, info->iova_pgsizes & (ps - 1));
	cap = find_iova_cap(info);
	if (EXPECT_TRUE(cap != NULL)) {
		uint32_t i;

		for (i = 0; i + 1 < cap->nr_iovas; i++)
			EXPECT_TRUE(cap->iova_ranges[i].end <
				    cap->iova_ranges[i + 1].start);
		EXPECT_TRUE(!ranges_meet(cap, 0xfee00000, 0xfeefffff));
		EXPECT_TRUE(ranges_cover(cap, iova, iova + 16 * ps - 1));
	}
	free(info);

	abi_section("QEMU: v1 unmaps cut mappings");
	EXPECT_OK(map_dma(c, iova, ram, 16 * ps));
	EXPECT_EQ(4 * ps, unmapped(c, iova + 6 * ps, 4 * ps));
	EXPECT_EQ(2 * ps, unmapped(c, iova, 2 * ps));
	EXPECT_ERRNO(EEXIST, map_dma(c, iova + 2 * ps, ram, ps));
	EXPECT_OK(map_dma(c, iova + 6 * ps, ram + 6 * ps, 4 * ps));
	/* the whole range: what is left of the first map and the new one */
	EXPECT_EQ(14 * ps, unmapped(c, iova, 16 * ps));
	EXPECT_EQ(0, unmapped(c, iova, 16 * ps));

	close(d1);
	close(d0);
	close(c);
	munmap(ram, 16 * ps);
}

int main(void)
{
	abi_page_size = (size_t)sysconf(_SC_PAGESIZE);
	check_container_is_iommufd();
	check_dpdk();
	check_qemu();
	return abi_finish("abi_vfio_container");
}
