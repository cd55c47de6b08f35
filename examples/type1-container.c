/* SPDX-License-Identifier: MIT */
/*
 * type1-container: the VFIO type1 container flow of a DPDK- or SPDK-like
 * program, served on an iommufd.
 *
 * Such a program opens /dev/vfio/vfio, checks the API version and the type1
 * extensions, sets the IOMMU type, reads the IOVA ranges from
 * VFIO_IOMMU_GET_INFO's capability chain and maps its buffers with
 * VFIO_IOMMU_MAP_DMA. When Linux's iommufd provides the container
 * (CONFIG_IOMMUFD_VFIO_CONTAINER), /dev/vfio/vfio is an iommufd whose vfio
 * compat layer serves those ioctls; so it is under uiommufd-run, which
 * serves /dev/vfio/vfio that way (an open of /dev/iommu would serve the same
 * ioctls: the container is any iommufd).
 *
 * The one iommufd-specific step: a container needs an IOAS to work on (the
 * "compat IOAS"). Linux makes it when the first VFIO group joins the
 * container; with no group here, the program makes an IOAS and designates
 * it with IOMMU_VFIO_IOAS.
 *
 * Raw ioctl() and kernel headers only: run it as
 * `uiommufd-run -- type1-container`. Each step prints one line; any
 * unexpected result exits 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#define NBUFS 3
#define BUF_SIZE (256UL << 10)
#define IOVA_BASE 0x100000000ULL /* 4 GiB, as DPDK's IOVA-as-VA often is */

static int container;
static int failed;

static void fail(const char *what)
{
	printf("  FAILED: %s\n", what);
	failed = 1;
}

/* ioctl() that must succeed; prints the errno and exits otherwise. */
static int must_ioctl(const char *what, unsigned long req, void *arg)
{
	int rc = ioctl(container, req, arg);

	if (rc < 0) {
		printf("%-30s -> failed: %s\n", what, strerror(errno));
		exit(1);
	}
	return rc;
}

/* ioctl() that must fail with @want. */
static void must_fail(const char *what, unsigned long req, void *arg, int want)
{
	int rc = ioctl(container, req, arg);

	if (rc == 0 || errno != want) {
		printf("%-30s -> %s, expected %s\n", what,
		       rc ? strerror(errno) : "success", strerror(want));
		exit(1);
	}
	printf("%-30s -> %s, as it should\n", what, strerror(errno));
}

static const char *ext_name(unsigned long ext)
{
	switch (ext) {
	case VFIO_TYPE1_IOMMU:
		return "VFIO_TYPE1_IOMMU";
	case VFIO_TYPE1v2_IOMMU:
		return "VFIO_TYPE1v2_IOMMU";
	case VFIO_UNMAP_ALL:
		return "VFIO_UNMAP_ALL";
	case VFIO_UPDATE_VADDR:
		return "VFIO_UPDATE_VADDR";
	default:
		return "?";
	}
}

static void check_extension(unsigned long ext, int want)
{
	int rc = must_ioctl("VFIO_CHECK_EXTENSION", VFIO_CHECK_EXTENSION,
			    (void *)ext);

	printf("VFIO_CHECK_EXTENSION %-18s -> %d\n", ext_name(ext), rc);
	if (rc != want)
		fail("unexpected extension answer");
}

/*
 * VFIO_IOMMU_GET_INFO with its capability chain: ask with the fixed struct
 * only, learn from argsz how much the chain needs, ask again with room for
 * it, then follow the 'next' offsets from cap_offset.
 */
static void get_info(void)
{
	struct vfio_iommu_type1_info probe = { .argsz = sizeof(probe) };
	struct vfio_iommu_type1_info *info;
	struct vfio_info_cap_header *hdr;
	uint32_t off;
	int seen_ranges = 0;

	must_ioctl("VFIO_IOMMU_GET_INFO", VFIO_IOMMU_GET_INFO, &probe);
	printf("VFIO_IOMMU_GET_INFO (no room)  -> page sizes 0x%llx, the chain needs argsz %u\n",
	       (unsigned long long)probe.iova_pgsizes, probe.argsz);
	if (!(probe.flags & VFIO_IOMMU_INFO_PGSIZES) ||
	    !(probe.iova_pgsizes & 4096) || probe.argsz <= sizeof(probe) ||
	    probe.cap_offset)
		fail("first GET_INFO answer");

	info = calloc(1, probe.argsz);
	if (!info)
		exit(1);
	info->argsz = probe.argsz;
	must_ioctl("VFIO_IOMMU_GET_INFO", VFIO_IOMMU_GET_INFO, info);
	printf("VFIO_IOMMU_GET_INFO (argsz %u) -> flags 0x%x, first capability at %u\n",
	       info->argsz, info->flags, info->cap_offset);
	if (!(info->flags & VFIO_IOMMU_INFO_CAPS) || !info->cap_offset)
		fail("no capability chain");

	for (off = info->cap_offset; off; off = hdr->next) {
		if (off + sizeof(*hdr) > info->argsz) {
			fail("capability past argsz");
			break;
		}
		hdr = (void *)((char *)info + off);
		if (hdr->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
			struct vfio_iommu_type1_info_cap_iova_range *cap =
				(void *)hdr;
			uint32_t i;

			printf("  cap IOVA_RANGE v%u at %u: %u usable range(s)\n",
			       hdr->version, off, cap->nr_iovas);
			for (i = 0; i < cap->nr_iovas; i++) {
				struct vfio_iova_range *r =
					&cap->iova_ranges[i];

				printf("    [0x%llx, 0x%llx]\n",
				       (unsigned long long)r->start,
				       (unsigned long long)r->end);
			}
			seen_ranges = cap->nr_iovas > 0;
		} else if (hdr->id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL) {
			struct vfio_iommu_type1_info_dma_avail *cap =
				(void *)hdr;

			printf("  cap DMA_AVAIL v%u at %u: %u more mappings allowed\n",
			       hdr->version, off, cap->avail);
		} else {
			printf("  cap id %u v%u at %u: not decoded here\n",
			       hdr->id, hdr->version, off);
		}
		if (hdr->next && hdr->next <= off) {
			fail("capability chain goes backwards");
			break;
		}
	}
	if (!seen_ranges)
		fail("no IOVA_RANGE capability");
	free(info);
}

static void map_dma(void *va, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)va,
		.iova = iova,
		.size = size,
	};

	must_ioctl("VFIO_IOMMU_MAP_DMA", VFIO_IOMMU_MAP_DMA, &map);
	printf("VFIO_IOMMU_MAP_DMA             -> %p at IOVA 0x%llx, %llu KiB\n",
	       va, (unsigned long long)iova, (unsigned long long)size >> 10);
}

static uint64_t unmap_dma(uint32_t flags, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.flags = flags,
		.iova = iova,
		.size = size,
	};

	must_ioctl("VFIO_IOMMU_UNMAP_DMA", VFIO_IOMMU_UNMAP_DMA, &unmap);
	return unmap.size;
}

int main(void)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_vfio_ioas vioas = { .size = sizeof(vioas) };
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
	void *bufs[NBUFS];
	uint64_t got;
	int i, rc;

	container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (container < 0) {
		perror("open /dev/vfio/vfio (run me under uiommufd-run)");
		return 1;
	}
	printf("open(\"/dev/vfio/vfio\")         -> fd %d, an iommufd-backed container\n",
	       container);

	rc = must_ioctl("VFIO_GET_API_VERSION", VFIO_GET_API_VERSION, NULL);
	printf("VFIO_GET_API_VERSION           -> %d\n", rc);
	if (rc != VFIO_API_VERSION)
		fail("API version");
	check_extension(VFIO_TYPE1v2_IOMMU, 1);
	check_extension(VFIO_TYPE1_IOMMU, 1);
	check_extension(VFIO_UNMAP_ALL, 1);
	check_extension(VFIO_UPDATE_VADDR, 0);

	/* no compat IOAS yet: the container has nothing to work on */
	must_fail("VFIO_SET_IOMMU (no IOAS)", VFIO_SET_IOMMU,
		  (void *)VFIO_TYPE1v2_IOMMU, ENODEV);

	must_ioctl("IOMMU_IOAS_ALLOC", IOMMU_IOAS_ALLOC, &alloc);
	vioas.op = IOMMU_VFIO_IOAS_SET;
	vioas.ioas_id = alloc.out_ioas_id;
	must_ioctl("IOMMU_VFIO_IOAS SET", IOMMU_VFIO_IOAS, &vioas);
	vioas.op = IOMMU_VFIO_IOAS_GET;
	vioas.ioas_id = 0;
	must_ioctl("IOMMU_VFIO_IOAS GET", IOMMU_VFIO_IOAS, &vioas);
	printf("IOAS_ALLOC + IOMMU_VFIO_IOAS   -> ioas %u is the compat IOAS\n",
	       vioas.ioas_id);
	if (vioas.ioas_id != alloc.out_ioas_id)
		fail("IOMMU_VFIO_IOAS GET answered another IOAS");

	must_ioctl("VFIO_SET_IOMMU", VFIO_SET_IOMMU,
		   (void *)VFIO_TYPE1v2_IOMMU);
	printf("VFIO_SET_IOMMU TYPE1v2         -> ok\n");
	get_info();

	/* plain 4 KiB pages, no hugepages: what DPDK's --no-huge gives */
	for (i = 0; i < NBUFS; i++) {
		bufs[i] = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (bufs[i] == MAP_FAILED)
			return 1;
		memset(bufs[i], i, BUF_SIZE);
		map_dma(bufs[i], IOVA_BASE + i * BUF_SIZE, BUF_SIZE);
	}

	map.flags = VFIO_DMA_MAP_FLAG_READ;
	map.vaddr = (uintptr_t)bufs[0];
	map.iova = IOVA_BASE + 4096;
	map.size = 4096;
	must_fail("MAP_DMA over a mapping", VFIO_IOMMU_MAP_DMA, &map, EEXIST);

	/* v2 never splits a mapping: a partial unmap is refused */
	unmap.iova = IOVA_BASE + 4096;
	unmap.size = 4096;
	must_fail("UNMAP_DMA inside a mapping", VFIO_IOMMU_UNMAP_DMA, &unmap,
		  ENOENT);

	got = unmap_dma(0, IOVA_BASE + BUF_SIZE, BUF_SIZE);
	printf("VFIO_IOMMU_UNMAP_DMA buffer 1  -> %llu KiB unmapped\n",
	       (unsigned long long)got >> 10);
	if (got != BUF_SIZE)
		fail("UNMAP_DMA size");

	got = unmap_dma(0, IOVA_BASE + BUF_SIZE, BUF_SIZE);
	printf("UNMAP_DMA of the same range    -> %llu bytes (type1 allows empty unmaps)\n",
	       (unsigned long long)got);
	if (got != 0)
		fail("empty UNMAP_DMA size");

	unmap.flags = VFIO_DMA_UNMAP_FLAG_ALL;
	unmap.iova = IOVA_BASE;
	unmap.size = BUF_SIZE;
	must_fail("UNMAP_ALL with a range", VFIO_IOMMU_UNMAP_DMA, &unmap,
		  EINVAL);

	got = unmap_dma(VFIO_DMA_UNMAP_FLAG_ALL, 0, 0);
	printf("VFIO_IOMMU_UNMAP_DMA UNMAP_ALL -> %llu KiB unmapped (buffers 0 and 2)\n",
	       (unsigned long long)got >> 10);
	if (got != 2 * BUF_SIZE)
		fail("UNMAP_ALL size");

	close(container);
	for (i = 0; i < NBUFS; i++)
		munmap(bufs[i], BUF_SIZE);
	printf("type1-container: %s\n", failed ? "FAILED" : "ok");
	return failed;
}
