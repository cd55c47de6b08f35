/* SPDX-License-Identifier: MIT */
/*
 * vmm-flow: what a QEMU-like VMM does with an iommufd for one passed-through
 * device, from guest RAM to a live-migration dirty-page pass.
 *
 *   vmm-flow [MODEL]      MODEL: mock, vtd (default), smmuv3 or amd
 *
 * The VMM opens /dev/iommu with open(), so under `uiommufd-run -- vmm-flow`
 * the preload shim serves the fd and every ioctl() on it. The passed-through
 * device is an emulated one (uiommufd_dev_*): there is no VFIO device cdev to
 * open yet, so the library's bind/attach calls stand in for
 * VFIO_DEVICE_BIND_IOMMUFD and VFIO_DEVICE_ATTACH_IOMMUFD_PT, and
 * uiommufd_dma_write() stands in for the device's bus-master writes.
 *
 * The same binary also runs without the shim: open("/dev/iommu") then fails
 * (or finds a kernel iommufd, which cannot host an emulated device), and the
 * program falls back to uiommufd_open(), whose fd is served in-process and
 * takes its ioctls through uiommufd_ioctl(). uiommufd_is_emulated() tells
 * the two cases apart: it is true only for an fd the library serves.
 *
 * Each step prints one line; any unexpected result prints why and exits 1.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memfd_create */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <uiommufd/uiommufd.h>

#define GUEST_RAM_SIZE (64UL << 20)
/* Guest RAM's guest-physical base, used as its IOVA (as QEMU maps it).
 * 1 GiB is where an arm64 "virt" machine puts RAM, and it lies inside the
 * aperture of every model, the selftest mock's included. */
#define GUEST_RAM_GPA 0x40000000ULL
#define GUEST_PAGE 4096UL
#define NPAGES (GUEST_RAM_SIZE / GUEST_PAGE)

static int iommufd = -1;
static bool via_open; /* fd from open(): ioctl(); else uiommufd_ioctl() */

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fputs("vmm-flow: FAILED: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	exit(1);
}

/* One iommufd ioctl, 0 or -errno, whichever way the fd is served. */
static long iommufd_ioctl(unsigned long request, void *arg)
{
	if (via_open)
		return ioctl(iommufd, request, arg) ? -errno : 0;
	return uiommufd_ioctl(iommufd, request, arg);
}

static void must(long rc, const char *what)
{
	if (rc < 0)
		die("%s: %s (%s)", what, strerror((int)-rc),
		    uiommufd_last_reason());
}

static void open_iommufd(void)
{
	iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (iommufd >= 0 && uiommufd_is_emulated(iommufd)) {
		via_open = true;
		printf("open(\"/dev/iommu\")    -> fd %d, served by the uiommufd preload\n",
		       iommufd);
		return;
	}
	if (iommufd >= 0) {
		/* a kernel iommufd: real, but it cannot bind our emulated
		 * device, so this demo uses the library's own */
		printf("open(\"/dev/iommu\")    -> a kernel iommufd; not used, emulated devices need uiommufd's\n");
		close(iommufd);
	} else {
		printf("open(\"/dev/iommu\")    -> %s (not under uiommufd-run)\n",
		       strerror(errno));
	}
	iommufd = uiommufd_open(O_CLOEXEC);
	must(iommufd, "uiommufd_open");
	printf("uiommufd_open()       -> fd %d, served in-process (ioctls via uiommufd_ioctl)\n",
	       iommufd);
}

static uint32_t ioas_alloc(void)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	must(iommufd_ioctl(IOMMU_IOAS_ALLOC, &cmd), "IOMMU_IOAS_ALLOC");
	return cmd.out_ioas_id;
}

static const char *hw_info_name(uint32_t type)
{
	switch (type) {
	case IOMMU_HW_INFO_TYPE_INTEL_VTD:
		return "Intel VT-d";
	case IOMMU_HW_INFO_TYPE_ARM_SMMUV3:
		return "ARM SMMUv3";
	case IOMMU_HW_INFO_TYPE_AMD:
		return "AMD IOMMU";
	case 0xfeedbeef: /* IOMMU_HW_INFO_TYPE_SELFTEST */
		return "selftest mock IOMMU";
	default:
		return "unknown IOMMU";
	}
}

static void show_hw_info(uint32_t dev_id)
{
	uint8_t data[256];
	struct iommu_hw_info info = {
		.size = sizeof(info),
		.dev_id = dev_id,
		.data_len = sizeof(data),
		.data_uptr = (uintptr_t)data,
	};

	must(iommufd_ioctl(IOMMU_GET_HW_INFO, &info), "IOMMU_GET_HW_INFO");
	printf("IOMMU_GET_HW_INFO     -> %s, %u bytes of registers, dirty tracking %s\n",
	       hw_info_name(info.out_data_type), info.data_len,
	       (info.out_capabilities & IOMMU_HW_CAP_DIRTY_TRACKING)
		       ? "supported"
		       : "NOT supported");
	if (!(info.out_capabilities & IOMMU_HW_CAP_DIRTY_TRACKING))
		die("the IOMMU cannot track dirty pages: no live migration");
}

/* The device writes @len bytes at guest-physical @gpa. */
static void device_write(struct uiommufd_dev *dev, uint64_t gpa,
			 const void *buf, size_t len)
{
	int rc = uiommufd_dma_write(dev, UIOMMUFD_NO_PASID, gpa, buf, len);

	if (rc)
		die("device DMA write at 0x%llx: %s (%s)",
		    (unsigned long long)gpa, strerror(-rc),
		    uiommufd_last_reason());
}

static bool test_bit(const uint64_t *bits, uint64_t n)
{
	return bits[n / 64] >> (n % 64) & 1;
}

/*
 * Harvest the dirty bitmap of all guest RAM (which clears it) and print the
 * dirty guest page frames as ranges. Every page in @expect must be dirty;
 * the IOMMU marks a whole IOPTE, so with a 2 MiB leaf the 511 pages around
 * a written one read dirty too: a page not written is allowed to be dirty
 * only if it shares a 2 MiB block with one that was. Returns the count.
 */
static uint64_t harvest(uint32_t hwpt, const uint64_t *expect, size_t nexpect)
{
	static uint64_t bits[NPAGES / 64];
	struct iommu_hwpt_get_dirty_bitmap get = {
		.size = sizeof(get),
		.hwpt_id = hwpt,
		.iova = GUEST_RAM_GPA,
		.length = GUEST_RAM_SIZE,
		.page_size = GUEST_PAGE,
		.data = (uintptr_t)bits,
	};
	const uint64_t gfn0 = GUEST_RAM_GPA / GUEST_PAGE;
	const uint64_t per_2m = (2UL << 20) / GUEST_PAGE;
	uint64_t n, first, count = 0;
	size_t i;
	int nranges = 0;

	memset(bits, 0, sizeof(bits));
	must(iommufd_ioctl(IOMMU_HWPT_GET_DIRTY_BITMAP, &get),
	     "IOMMU_HWPT_GET_DIRTY_BITMAP");
	printf("  GET_DIRTY_BITMAP over %lu MiB -> dirty guest pages (gfn):",
	       GUEST_RAM_SIZE >> 20);
	for (n = 0; n < NPAGES; n++) {
		if (!test_bit(bits, n))
			continue;
		first = n;
		while (n + 1 < NPAGES && test_bit(bits, n + 1))
			n++;
		count += n - first + 1;
		nranges++;
		if (first == n)
			printf(" 0x%llx", (unsigned long long)(gfn0 + first));
		else
			printf(" 0x%llx-0x%llx",
			       (unsigned long long)(gfn0 + first),
			       (unsigned long long)(gfn0 + n));
	}
	printf("%s (%llu page%s)\n", nranges ? "" : " none",
	       (unsigned long long)count, count == 1 ? "" : "s");

	if (count > nexpect && nexpect)
		printf("  (one dirty bit per IOPTE: guest RAM got large leaves, so a write marks its whole leaf)\n");
	for (i = 0; i < nexpect; i++)
		if (!test_bit(bits, expect[i]))
			die("page 0x%llx was written but is not dirty",
			    (unsigned long long)(gfn0 + expect[i]));
	for (n = 0; n < NPAGES; n++) {
		bool near = false;

		if (!test_bit(bits, n))
			continue;
		for (i = 0; i < nexpect && !near; i++)
			near = n / per_2m == expect[i] / per_2m;
		if (!near)
			die("page 0x%llx is dirty but nothing near it was written",
			    (unsigned long long)(gfn0 + n));
	}
	return count;
}

/* One migration round: the device writes @npages pages, the VMM harvests. */
static void dirty_round(int round, struct uiommufd_dev *dev, uint32_t hwpt,
			const uint64_t *pages, size_t npages)
{
	char msg[64];
	size_t i;

	printf("round %d: the device writes %zu page(s):", round, npages);
	for (i = 0; i < npages; i++)
		printf(" 0x%llx",
		       (unsigned long long)(GUEST_RAM_GPA / GUEST_PAGE +
					    pages[i]));
	putchar('\n');
	for (i = 0; i < npages; i++) {
		snprintf(msg, sizeof(msg), "round %d packet %zu", round, i);
		device_write(dev, GUEST_RAM_GPA + pages[i] * GUEST_PAGE + 64,
			     msg, sizeof(msg));
	}
	harvest(hwpt, pages, npages);
	/* the harvest cleared the bits: a second pass finds nothing */
	if (harvest(hwpt, NULL, 0))
		die("dirty bits survived a harvest without NO_CLEAR");
}

int main(int argc, char **argv)
{
	static const uint64_t round1[] = { 0, 5, 1000, NPAGES - 1 };
	static const uint64_t round2[] = { 7000, 7001, 12345 };
	struct uiommufd_dev_config cfg = {
		.model = argc > 1 ? argv[1] : "vtd",
		.rid = 0x0008, /* 00:01.0 */
	};
	struct iommu_ioas_map_file map = { .size = sizeof(map) };
	struct iommu_hwpt_alloc halloc = { .size = sizeof(halloc) };
	struct iommu_hwpt_set_dirty_tracking track = { .size = sizeof(track) };
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap) };
	struct iommu_destroy destroy = { .size = sizeof(destroy) };
	static const char hello[] = "hello from the device";
	struct uiommufd_dev *dev;
	unsigned int dev_id, pt_id;
	uint32_t ioas, auto_hwpt, dirty_hwpt;
	char *ram;
	int memfd;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: %s [mock|vtd|smmuv3|amd]\n", argv[0]);
		return 2;
	}
	printf("vmm-flow: one passed-through device behind an emulated %s IOMMU\n",
	       cfg.model);

	/* guest RAM: a memfd, as QEMU's memory-backend-memfd */
	memfd = memfd_create("guest-ram", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, GUEST_RAM_SIZE))
		die("memfd for guest RAM: %s", strerror(errno));
	ram = mmap(NULL, GUEST_RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		   memfd, 0);
	if (ram == MAP_FAILED)
		die("mmap guest RAM: %s", strerror(errno));
	printf("guest RAM             -> %lu MiB memfd (fd %d) at GPA 0x%llx\n",
	       GUEST_RAM_SIZE >> 20, memfd, GUEST_RAM_GPA);

	open_iommufd();
	ioas = ioas_alloc();
	printf("IOMMU_IOAS_ALLOC      -> ioas %u (the guest's DMA address space)\n",
	       ioas);

	/* the VFIO device: made and bound with the library */
	must(uiommufd_dev_create(&cfg, &dev), "uiommufd_dev_create");
	must(uiommufd_dev_bind(dev, iommufd, &dev_id), "uiommufd_dev_bind");
	printf("uiommufd_dev_bind     -> device rid 0x%04x is dev_id %u (as VFIO_DEVICE_BIND_IOMMUFD)\n",
	       cfg.rid, dev_id);
	show_hw_info(dev_id);

	/* map all guest RAM, IOVA = GPA, straight from the memfd */
	map.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
		    IOMMU_IOAS_MAP_WRITEABLE;
	map.ioas_id = ioas;
	map.fd = memfd;
	map.start = 0;
	map.length = GUEST_RAM_SIZE;
	map.iova = GUEST_RAM_GPA;
	must(iommufd_ioctl(IOMMU_IOAS_MAP_FILE, &map), "IOMMU_IOAS_MAP_FILE");
	printf("IOMMU_IOAS_MAP_FILE   -> memfd [0, 64 MiB) at IOVA 0x%llx, read/write\n",
	       (unsigned long long)map.iova);

	/* attach to the IOAS: the library finds or makes a domain */
	pt_id = ioas;
	must(uiommufd_dev_attach(dev, UIOMMUFD_NO_PASID, &pt_id),
	     "uiommufd_dev_attach");
	auto_hwpt = pt_id;
	printf("uiommufd_dev_attach   -> to ioas %u through automatic hwpt %u (as VFIO_DEVICE_ATTACH_IOMMUFD_PT)\n",
	       ioas, auto_hwpt);

	/* the device masters a write into guest RAM; the VMM sees it */
	device_write(dev, GUEST_RAM_GPA + 0x100000, hello, sizeof(hello));
	if (memcmp(ram + 0x100000, hello, sizeof(hello)))
		die("the device's write did not reach guest RAM");
	printf("device DMA write      -> \"%s\" at GPA 0x%llx, read back from guest RAM\n",
	       ram + 0x100000, GUEST_RAM_GPA + 0x100000);

	/* live migration: a domain that tracks dirty IOPTEs */
	printf("live migration: start dirty tracking\n");
	halloc.flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
	halloc.dev_id = dev_id;
	halloc.pt_id = ioas;
	must(iommufd_ioctl(IOMMU_HWPT_ALLOC, &halloc), "IOMMU_HWPT_ALLOC");
	dirty_hwpt = halloc.out_hwpt_id;
	printf("  HWPT_ALLOC DIRTY_TRACKING -> hwpt %u on ioas %u\n",
	       dirty_hwpt, ioas);
	pt_id = dirty_hwpt;
	must(uiommufd_dev_replace(dev, UIOMMUFD_NO_PASID, &pt_id),
	     "uiommufd_dev_replace");
	printf("  uiommufd_dev_replace      -> device moved from hwpt %u to hwpt %u, no DMA gap\n",
	       auto_hwpt, dirty_hwpt);
	track.hwpt_id = dirty_hwpt;
	track.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE;
	must(iommufd_ioctl(IOMMU_HWPT_SET_DIRTY_TRACKING, &track),
	     "IOMMU_HWPT_SET_DIRTY_TRACKING");
	printf("  SET_DIRTY_TRACKING on     -> dirty bits start clean\n");
	if (harvest(dirty_hwpt, NULL, 0))
		die("dirty bits set before any DMA");

	dirty_round(1, dev, dirty_hwpt, round1,
		    sizeof(round1) / sizeof(round1[0]));
	dirty_round(2, dev, dirty_hwpt, round2,
		    sizeof(round2) / sizeof(round2[0]));

	track.flags = 0;
	must(iommufd_ioctl(IOMMU_HWPT_SET_DIRTY_TRACKING, &track),
	     "IOMMU_HWPT_SET_DIRTY_TRACKING off");
	printf("  SET_DIRTY_TRACKING off    -> migration done\n");

	/* teardown, in the order a VMM unplugs a device */
	must(uiommufd_dev_detach(dev, UIOMMUFD_NO_PASID),
	     "uiommufd_dev_detach");
	if (uiommufd_dma_write(dev, UIOMMUFD_NO_PASID, GUEST_RAM_GPA, hello,
			       sizeof(hello)) != -EFAULT)
		die("a detached device could still DMA");
	printf("uiommufd_dev_detach   -> the device's DMA is blocked\n");
	destroy.id = dirty_hwpt;
	must(iommufd_ioctl(IOMMU_DESTROY, &destroy), "IOMMU_DESTROY hwpt");
	must(uiommufd_dev_unbind(dev), "uiommufd_dev_unbind");
	uiommufd_dev_destroy(dev);
	printf("IOMMU_DESTROY, unbind -> hwpt %u and dev_id %u gone\n",
	       dirty_hwpt, dev_id);
	unmap.ioas_id = ioas;
	unmap.iova = 0;
	unmap.length = UINT64_MAX;
	must(iommufd_ioctl(IOMMU_IOAS_UNMAP, &unmap), "IOMMU_IOAS_UNMAP");
	printf("IOMMU_IOAS_UNMAP all  -> %llu MiB unmapped\n",
	       (unsigned long long)unmap.length >> 20);
	if (via_open)
		close(iommufd);
	else
		must(uiommufd_close(iommufd), "uiommufd_close");
	munmap(ram, GUEST_RAM_SIZE);
	close(memfd);
	printf("vmm-flow: ok\n");
	return 0;
}
