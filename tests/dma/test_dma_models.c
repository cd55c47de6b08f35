/* SPDX-License-Identifier: MIT */
/*
 * DMA through each IOMMU model, end to end: an emulated device made with the
 * public API, bound to an iommufd context and attached to an IOAS, moves
 * data with uiommufd_dma_*; the test checks translation (small and huge
 * leaves, page-crossing transfers), permission faults, that an unmapped IOVA
 * never reaches the old memory once IOAS_UNMAP has returned (the IOTLB is
 * invalidated), dirty bits from DMA writes through GET_DIRTY_BITMAP, PASID
 * attachments, compare-and-swap, the model's hw_info type and its reserved
 * (MSI) window in IOVA_RANGES.
 *
 * A plain program: exit 0 pass, 1 fail; each failure prints one line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>

#include "uiommufd/uiommufd.h"
#include "../common/inproc.h"
#include "../common/model_check.h"

#define SZ_2M (2UL << 20)
#define IOVA_BASE (1ULL << 30)
#define PS 4096UL

struct model_case {
	const char *name;
	uint32_t hw_info_type;
	uint64_t msi_start; /* 0: no MSI window */
};

static const struct model_case cases[] = {
	{ "mock", IOMMU_HW_INFO_TYPE_SELFTEST, 0 },
	{ "vtd", IOMMU_HW_INFO_TYPE_INTEL_VTD, 0xfee00000 },
	{ "smmuv3", IOMMU_HW_INFO_TYPE_ARM_SMMUV3, 0x8000000 },
	{ "amd", IOMMU_HW_INFO_TYPE_AMD, 0xfee00000 },
};

#define RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)

static void check_hw_info_and_ranges(int fd, uint32_t ioas, uint32_t dev_id,
				     const struct model_case *mc)
{
	uint8_t data[256];
	struct iommu_hw_info info = {
		.size = sizeof(info),
		.dev_id = dev_id,
		.data_len = sizeof(data),
		.data_uptr = (uintptr_t)data,
	};
	struct iommu_iova_range ranges[8];
	struct iommu_ioas_iova_ranges r = {
		.size = sizeof(r),
		.ioas_id = ioas,
		.num_iovas = 8,
		.allowed_iovas = (uintptr_t)ranges,
	};
	unsigned int i;
	int msi_free = 1, base_usable = 0;

	CHECK(uiommufd_ioctl(fd, IOMMU_GET_HW_INFO, &info) == 0);
	CHECK(info.out_data_type == mc->hw_info_type);
	CHECK(info.data_len > 0 && info.data_len < sizeof(data));
	CHECK(info.out_capabilities & IOMMU_HW_CAP_DIRTY_TRACKING);

	CHECK(uiommufd_ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &r) == 0);
	for (i = 0; i < r.num_iovas && i < 8; i++) {
		if (IOVA_BASE >= ranges[i].start && IOVA_BASE <= ranges[i].last)
			base_usable = 1;
		if (mc->msi_start >= ranges[i].start &&
		    mc->msi_start <= ranges[i].last)
			msi_free = 0;
	}
	CHECK(base_usable);
	if (mc->msi_start) {
		CHECK(msi_free);
		/* and no mapping may land on it (reserved IOVA: EINVAL) */
		CHECK(map(fd, ioas, data, PS, mc->msi_start, RW) == -EINVAL);
	}
}

static int dirty_bit(int fd, uint32_t hwpt, uint64_t iova, uint64_t len,
		     uint8_t *bits)
{
	struct iommu_hwpt_get_dirty_bitmap get = {
		.size = sizeof(get),
		.hwpt_id = hwpt,
		.iova = iova,
		.length = len,
		.page_size = PS,
		.data = (uintptr_t)bits,
	};

	return uiommufd_ioctl(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &get);
}

static void run_model(const struct model_case *mc)
{
	struct uiommufd_dev_config cfg = {
		.model = mc->name,
		.rid = 0x10,
		.pasid_bits = 8,
		.flags = UIOMMUFD_DEV_ATS,
	};
	struct uiommufd_dev_stats st0, st1;
	struct uiommufd_dev *dev;
	uint32_t ioas, dev_id, hwpt, dhwpt;
	size_t len = 2 * SZ_2M;
	char *buf = aligned_buffer(len, SZ_2M);
	char *other = aligned_buffer(SZ_2M, SZ_2M);
	char *ro = aligned_buffer(PS, PS);
	char tmp[3 * PS], out[64];
	unsigned long long old;
	uint8_t bits[16];
	int fd;

	cur_model = mc->name;
	memset(buf, 0x11, len);
	memset(other, 0x22, SZ_2M);
	memset(ro, 0x33, PS);
	fd = uiommufd_open(O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK(ioas_alloc(fd, &ioas) == 0);
	CHECK(uiommufd_dev_create(&cfg, &dev) == 0);
	CHECK(uiommufd_dev_bind(dev, fd, &dev_id) == 0);
	CHECK(uiommufd_dev_bind(dev, fd, &dev_id) == -EBUSY);
	hwpt = ioas;
	CHECK(uiommufd_dev_attach(dev, UIOMMUFD_NO_PASID, &hwpt) == 0);
	CHECK(hwpt != ioas);
	check_hw_info_and_ranges(fd, ioas, dev_id, mc);

	/* nothing mapped yet */
	CHECK(uiommufd_dma_read(dev, UIOMMUFD_NO_PASID, IOVA_BASE, out, 8) ==
	      -EFAULT);

	CHECK(map(fd, ioas, buf, len, IOVA_BASE, RW) == 0);
	CHECK(map(fd, ioas, ro, PS, IOVA_BASE + len, IOMMU_IOAS_MAP_READABLE) ==
	      0);

	/* a transfer across pages, and one across the huge boundary */
	memset(tmp, 0xab, sizeof(tmp));
	CHECK(uiommufd_dma_write(dev, UIOMMUFD_NO_PASID, IOVA_BASE + 100, tmp,
				 sizeof(tmp)) == 0);
	CHECK(buf[99] == 0x11 && (unsigned char)buf[100] == 0xab &&
	      (unsigned char)buf[100 + sizeof(tmp) - 1] == 0xab &&
	      buf[100 + sizeof(tmp)] == 0x11);
	buf[SZ_2M - 1] = 0x5a;
	buf[SZ_2M] = 0x5b;
	CHECK(uiommufd_dma_read(dev, UIOMMUFD_NO_PASID,
				IOVA_BASE + SZ_2M - 1, out, 2) == 0);
	CHECK(out[0] == 0x5a && out[1] == 0x5b);

	/* permission and translation faults, counted */
	uiommufd_dev_get_stats(dev, &st0);
	CHECK(uiommufd_dma_read(dev, UIOMMUFD_NO_PASID, IOVA_BASE + len, out,
				8) == 0);
	CHECK(out[0] == 0x33);
	CHECK(uiommufd_dma_write(dev, UIOMMUFD_NO_PASID, IOVA_BASE + len, out,
				 8) == -EFAULT);
	CHECK(ro[0] == 0x33);
	CHECK(uiommufd_dma_read(dev, UIOMMUFD_NO_PASID, IOVA_BASE + len + PS,
				out, 8) == -EFAULT);
	uiommufd_dev_get_stats(dev, &st1);
	CHECK(st1.faults_permission == st0.faults_permission + 1);
	CHECK(st1.faults_translation == st0.faults_translation + 1);

	/* compare and swap */
	memset(buf + 64, 0, 8);
	old = 0;
	CHECK(uiommufd_dma_cas64(dev, UIOMMUFD_NO_PASID, IOVA_BASE + 64, &old,
				 0x1122334455667788ULL) == 0);
	old = 0;
	CHECK(uiommufd_dma_cas64(dev, UIOMMUFD_NO_PASID, IOVA_BASE + 64, &old,
				 1) == -EAGAIN);
	CHECK(old == 0x1122334455667788ULL);

	/* after UNMAP returns, the old memory is out of reach ... */
	CHECK(uiommufd_dma_read(dev, UIOMMUFD_NO_PASID, IOVA_BASE, out, 8) ==
	      0);
	CHECK(unmap(fd, ioas, IOVA_BASE, len) == 0);
	CHECK(uiommufd_dma_read(dev, UIOMMUFD_NO_PASID, IOVA_BASE, out, 8) ==
	      -EFAULT);
	/* ... and a new map at the same IOVA reaches the new memory */
	CHECK(map(fd, ioas, other, SZ_2M, IOVA_BASE, RW) == 0);
	CHECK(uiommufd_dma_read(dev, UIOMMUFD_NO_PASID, IOVA_BASE, out, 8) ==
	      0);
	CHECK(out[0] == 0x22);

	/* dirty tracking: only written pages are dirty */
	dhwpt = 0;
	{
		struct iommu_hwpt_alloc alloc = {
			.size = sizeof(alloc),
			.flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
			.dev_id = dev_id,
			.pt_id = ioas,
		};
		struct iommu_hwpt_set_dirty_tracking track = {
			.size = sizeof(track),
			.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE,
		};

		CHECK(uiommufd_ioctl(fd, IOMMU_HWPT_ALLOC, &alloc) == 0);
		dhwpt = alloc.out_hwpt_id;
		track.hwpt_id = dhwpt;
		CHECK(uiommufd_dev_replace(dev, UIOMMUFD_NO_PASID, &dhwpt) ==
		      0);
		CHECK(uiommufd_ioctl(fd, IOMMU_HWPT_SET_DIRTY_TRACKING,
				     &track) == 0);
	}
	CHECK(uiommufd_dma_read(dev, UIOMMUFD_NO_PASID, IOVA_BASE + PS, out,
				8) == 0);
	CHECK(uiommufd_dma_write(dev, UIOMMUFD_NO_PASID, IOVA_BASE + 2 * PS,
				 out, 8) == 0);
	memset(bits, 0, sizeof(bits));
	CHECK(dirty_bit(fd, dhwpt, IOVA_BASE, 64 * PS, bits) == 0);
	/* a 2M leaf has one dirty bit: the whole leaf reads dirty */
	CHECK(bits[0] & 0x4);
	memset(bits, 0, sizeof(bits));
	CHECK(dirty_bit(fd, dhwpt, IOVA_BASE, 64 * PS, bits) == 0);
	CHECK(bits[0] == 0);

	/*
	 * PASID attachments: the kernel wants a HWPT made with
	 * IOMMU_HWPT_ALLOC_PASID for the PASID, and for the RID while any
	 * PASID is attached
	 */
	{
		struct iommu_hwpt_alloc alloc = {
			.size = sizeof(alloc),
			.flags = IOMMU_HWPT_ALLOC_PASID,
			.dev_id = dev_id,
			.pt_id = ioas,
		};
		uint32_t pt = dhwpt;

		CHECK(uiommufd_dev_attach(dev, 5, &pt) == -EINVAL);
		CHECK(uiommufd_ioctl(fd, IOMMU_HWPT_ALLOC, &alloc) == 0);
		pt = alloc.out_hwpt_id;
		CHECK(uiommufd_dev_attach(dev, 5, &pt) == -EINVAL);
		CHECK(uiommufd_dev_replace(dev, UIOMMUFD_NO_PASID, &pt) == 0);
		CHECK(uiommufd_dev_attach(dev, 5, &pt) == 0);
		CHECK(uiommufd_dev_attach(dev, 5, &pt) == -EBUSY);
		/* the RID cannot leave for an incompatible HWPT now */
		pt = dhwpt;
		CHECK(uiommufd_dev_replace(dev, UIOMMUFD_NO_PASID, &pt) ==
		      -EINVAL);
		CHECK(uiommufd_dma_read(dev, 5, IOVA_BASE, out, 8) == 0);
		CHECK(out[0] == 0x22);
		CHECK(uiommufd_dma_read(dev, 6, IOVA_BASE, out, 8) == -EFAULT);
		CHECK(uiommufd_dma_read(dev, 300, IOVA_BASE, out, 8) == -EINVAL);
		CHECK(uiommufd_dev_detach(dev, 5) == 0);
		CHECK(uiommufd_dma_read(dev, 5, IOVA_BASE, out, 8) == -EFAULT);
		pt = dhwpt;
		CHECK(uiommufd_dev_replace(dev, UIOMMUFD_NO_PASID, &pt) == 0);
		CHECK(uiommufd_ioctl(fd, IOMMU_DESTROY,
				     &(struct iommu_destroy){
					     .size = sizeof(struct iommu_destroy),
					     .id = alloc.out_hwpt_id }) == 0);
	}

	/*
	 * memory its owner unmapped while still mapped in the IOAS: the
	 * kernel keeps the pinned page; we cannot, but DMA to it must fail
	 * cleanly (-EFAULT, counted), never crash
	 */
	{
		char *gone = aligned_buffer(4 * PS, PS);

		memset(gone, 0x44, 4 * PS);
		CHECK(map(fd, ioas, gone, 4 * PS, IOVA_BASE + SZ_2M * 4, RW) ==
		      0);
		CHECK(uiommufd_dma_read(dev, UIOMMUFD_NO_PASID,
					IOVA_BASE + SZ_2M * 4, out, 8) == 0);
		CHECK(out[0] == 0x44);
		CHECK(munmap(gone, 4 * PS) == 0);
		uiommufd_dev_get_stats(dev, &st0);
		CHECK(uiommufd_dma_read(dev, UIOMMUFD_NO_PASID,
					IOVA_BASE + SZ_2M * 4, out, 8) ==
		      -EFAULT);
		CHECK(uiommufd_dma_write(dev, UIOMMUFD_NO_PASID,
					 IOVA_BASE + SZ_2M * 4 + PS, tmp,
					 2 * PS) == -EFAULT);
		old = 0;
		CHECK(uiommufd_dma_cas64(dev, UIOMMUFD_NO_PASID,
					 IOVA_BASE + SZ_2M * 4, &old, 1) ==
		      -EFAULT);
		uiommufd_dev_get_stats(dev, &st1);
		CHECK(st1.faults_translation == st0.faults_translation + 3);
		CHECK(unmap(fd, ioas, IOVA_BASE + SZ_2M * 4, 4 * PS) == 0);
	}
	CHECK(uiommufd_dev_detach(dev, UIOMMUFD_NO_PASID) == 0);
	CHECK(uiommufd_dma_read(dev, UIOMMUFD_NO_PASID, IOVA_BASE, out, 8) ==
	      -EFAULT);
	CHECK(uiommufd_dev_unbind(dev) == 0);
	CHECK(uiommufd_dev_unbind(dev) == -ENODEV);
	uiommufd_dev_destroy(dev);
	CHECK(uiommufd_close(fd) == 0);
}

int main(void)
{
	struct uiommufd_dev_config bad = { .model = "nosuch" };
	struct uiommufd_dev *dev;
	unsigned int i;

	CHECK(uiommufd_dev_create(&bad, &dev) == -EINVAL);
	bad.model = "vtd";
	bad.pasid_bits = 21;
	CHECK(uiommufd_dev_create(&bad, &dev) == -EINVAL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_model(&cases[i]);
	if (failures) {
		fprintf(stderr, "dma_models: %d of %d checks FAILED\n", failures,
			checks);
		return 1;
	}
	printf("dma_models: all %d checks passed\n", checks);
	return 0;
}
