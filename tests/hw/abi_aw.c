/* SPDX-License-Identifier: MIT */
/*
 * ABI: the IOMMU address width of a VFIO device cdev (--vfio-dev=...,aw=N),
 * through the raw uAPI a VMM uses.
 *
 * Run as `uiommufd-run --vfio-dev=MODEL,aw=N -- abi_aw MODEL N` (meson
 * does, for several models and widths): /dev/vfio/devices/vfio0 is bound
 * to /dev/iommu and IOMMU_GET_HW_INFO must report the width in the
 * model's own registers (VT-d CAP.MGAW/SAGAW/FS5LP, SMMUv3 IDR5.OAS, AMD
 * EFR.HATS/GATS); a HWPT of that width (VT-d and SMMUv3: the second stage
 * of a NEST_PARENT; AMD: the default v1 table) attached to the device
 * makes the IOAS end at 2^N - 1 (IOMMU_IOAS_IOVA_RANGES); IOAS_MAP of the
 * last page below 2^N succeeds and of the page at 2^N fails EINVAL, the
 * kernel's answer for an IOVA reserved by an attached domain's aperture.
 *
 * `abi_aw refused` expects the open of vfio0 to fail EINVAL: the width is
 * not one the (default) model can have.
 */
#include "../abi/abi.h"

#include <linux/vfio.h>
#include <linux/vfio_iommufd.h>

#define CDEV0 "/dev/vfio/devices/vfio0"

static int open_iommufd(void)
{
	int fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		printf("SKIP: /dev/iommu: %s (run under uiommufd-run)\n",
		       strerror(errno));
		exit(ABI_SKIP);
	}
	return fd;
}

static void check_hw_info(int fd, uint32_t dev_id, const char *model,
			  unsigned int aw)
{
	uint64_t data[8] = { 0 };
	struct iommu_hw_info info = {
		.size = sizeof(info),
		.dev_id = dev_id,
		.data_len = sizeof(data),
		.data_uptr = (uintptr_t)data,
	};

	abi_section("%s aw=%u: IOMMU_GET_HW_INFO", model, aw);
	if (!EXPECT_OK(ioctl(fd, IOMMU_GET_HW_INFO, &info)))
		return;
	if (!strcmp(model, "vtd")) {
		const struct iommu_hw_info_vtd *v = (const void *)data;
		unsigned int sagaw = (v->cap_reg >> 8) & 0x1f;

		EXPECT_EQ(IOMMU_HW_INFO_TYPE_INTEL_VTD, info.out_data_type);
		/* MGAW 21:16 is width - 1 */
		EXPECT_EQ(aw - 1, (v->cap_reg >> 16) & 0x3f);
		/* SAGAW bit n: n + 2 levels; the widest one is the width's */
		EXPECT_EQ(aw == 39 ? 0x2 : aw == 48 ? 0x4 : 0xc, sagaw);
		/* FS5LP (bit 60): 5-level first stage on a 57-bit unit */
		EXPECT_EQ(aw == 57, (v->cap_reg >> 60) & 1);
	} else if (!strcmp(model, "smmuv3")) {
		const struct iommu_hw_info_arm_smmuv3 *s = (const void *)data;
		static const unsigned int oas[] = { 32, 36, 40, 42, 44, 48 };
		unsigned int field = s->idr[5] & 7;

		EXPECT_EQ(IOMMU_HW_INFO_TYPE_ARM_SMMUV3, info.out_data_type);
		EXPECT_TRUE(field < 6);
		if (field < 6)
			EXPECT_EQ(aw, oas[field]);
	} else {
		const struct iommu_hw_info_amd *a = (const void *)data;

		EXPECT_EQ(IOMMU_HW_INFO_TYPE_AMD, info.out_data_type);
		/* HATS 11:10 and GATS 13:12: 0 for 4 levels, 1 for 5 */
		EXPECT_EQ(aw == 57, (a->efr >> 10) & 3);
		EXPECT_EQ(aw == 57, (a->efr >> 12) & 3);
	}
}

static uint64_t ioas_last(int fd, uint32_t ioas)
{
	struct iommu_iova_range ranges[8];
	struct iommu_ioas_iova_ranges r = {
		.size = sizeof(r),
		.ioas_id = ioas,
		.num_iovas = 8,
		.allowed_iovas = (uintptr_t)ranges,
	};

	ABI_ASSERT(ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &r) == 0);
	ABI_ASSERT(r.num_iovas >= 1 && r.num_iovas <= 8);
	return ranges[r.num_iovas - 1].last;
}

static int map_fixed(int fd, uint32_t ioas, void *va, uint64_t iova)
{
	struct iommu_ioas_map m = {
		.size = sizeof(m),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = abi_page_size,
		.iova = iova,
	};

	return ioctl(fd, IOMMU_IOAS_MAP, &m);
}

int main(int argc, char **argv)
{
	struct iommu_ioas_alloc ia = { .size = sizeof(ia) };
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };
	struct iommu_hwpt_alloc ha = { .size = sizeof(ha) };
	const char *model;
	unsigned int aw;
	uint64_t top;
	void *buf;
	int fd, dfd;

	abi_page_size = (size_t)sysconf(_SC_PAGESIZE);
	if (argc == 2 && !strcmp(argv[1], "refused")) {
		fd = open_iommufd();
		abi_section("a width the model cannot have");
		EXPECT_ERRNO(EINVAL, open(CDEV0, O_RDWR | O_CLOEXEC));
		close(fd);
		return abi_failures ? 1 : 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: abi_aw MODEL BITS | abi_aw refused\n");
		return 1;
	}
	model = argv[1];
	aw = (unsigned int)strtoul(argv[2], NULL, 10);

	fd = open_iommufd();
	ABI_ASSERT(ioctl(fd, IOMMU_IOAS_ALLOC, &ia) == 0);
	dfd = open(CDEV0, O_RDWR | O_CLOEXEC);
	if (dfd < 0 && errno == ENOENT) {
		printf("SKIP: %s: ENOENT (run with --vfio-dev=%s,aw=%u)\n",
		       CDEV0, model, aw);
		return ABI_SKIP;
	}
	ABI_ASSERT(dfd >= 0);
	bind.iommufd = fd;
	ABI_ASSERT(ioctl(dfd, VFIO_DEVICE_BIND_IOMMUFD, &bind) == 0);

	check_hw_info(fd, bind.out_devid, model, aw);

	/* a HWPT of the unit's width, the device attached to it */
	abi_section("%s aw=%u: a HWPT of 2^%u bytes of IOVA", model, aw, aw);
	ha.flags = strcmp(model, "amd") ? IOMMU_HWPT_ALLOC_NEST_PARENT : 0;
	ha.dev_id = bind.out_devid;
	ha.pt_id = ia.out_ioas_id;
	ABI_ASSERT(ioctl(fd, IOMMU_HWPT_ALLOC, &ha) == 0);
	at.pt_id = ha.out_hwpt_id;
	ABI_ASSERT(ioctl(dfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at) == 0);
	EXPECT_EQ(ha.out_hwpt_id, at.pt_id);
	top = (1ULL << aw) - 1;
	EXPECT_EQ(top, ioas_last(fd, ia.out_ioas_id));

	/* the last page below 2^aw maps; the one at 2^aw is reserved */
	buf = mmap(NULL, abi_page_size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ABI_ASSERT(buf != MAP_FAILED);
	EXPECT_OK(map_fixed(fd, ia.out_ioas_id, buf, top + 1 - abi_page_size));
	EXPECT_ERRNO(EINVAL, map_fixed(fd, ia.out_ioas_id, buf, top + 1));

	close(dfd);
	close(fd);
	munmap(buf, abi_page_size);
	if (!abi_failures)
		printf("ok: %s aw=%u, %d checks\n", model, aw, abi_checks);
	return abi_failures ? 1 : 0;
}
