/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the SMMUv3 vIOMMU's guest-controlled formats. One input is
 * a vSTE (two words, taken through the kernel's checks), up to 32 writes
 * of guest memory (CD tables, CDs and stage-1 tables pointing anywhere),
 * a few translations and DMAs through the nested domain when the vSTE was
 * accepted, then an array of raw CMDQ commands with a fuzzed entry_len and
 * count for cache_invalidate. Nothing may crash, leak or hang; every
 * refusal must be one of the errnos the kernel gives.
 *
 * Input: ste[2] (16) | entry_len (1) | 10-byte guest writes... | commands.
 * The replay build runs the corpus in tests/fuzz/corpus/smmu_cmdq.
 */
#include <errno.h>
#include <stdio.h>

#include "fuzz_nested_common.h"

static struct fz fz;
static struct uio_viommu *viommu;

static struct uio_hw_dev *vdev_find(struct uio_viommu *v, uint64_t id)
{
	return id == 1 ? uio_dev_hw(fz.dev) : NULL;
}

static void report_event(struct uio_viommu *v, uint32_t type, const void *rec,
			 size_t len)
{
	if (type != IOMMU_VEVENTQ_TYPE_ARM_SMMUV3 || len != 32)
		abort();
}

static int init(void)
{
	if (fz_setup(&fz, &uio_hw_smmuv3))
		return -1;
	viommu = uio_hw_smmuv3.viommu_alloc(uio_dev_hw(fz.dev), fz.s2,
					    IOMMU_VIOMMU_TYPE_ARM_SMMUV3, NULL,
					    0);
	if (IS_ERR(viommu))
		return -1;
	viommu->vdev_find = vdev_find;
	viommu->report_event = report_event;
	return viommu->ops->vdevice_init(viommu, uio_dev_hw(fz.dev), 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static int ready;
	struct iommu_hwpt_arm_smmuv3 arg;
	struct uio_hw_domain_req req = {
		.data_type = IOMMU_HWPT_DATA_ARM_SMMUV3,
		.data = &arg,
		.data_len = sizeof(arg),
	};
	struct uio_hw_user_array arr;
	struct uio_domain *d;
	uint8_t entry_len;
	unsigned int i;
	int rc;

	if (!ready) {
		if (init()) {
			fprintf(stderr, "fuzz_smmu_cmdq: setup failed\n");
			abort();
		}
		ready = 1;
	}
	memset(fz.guest, 0, FZ_GUEST);
	fz_take(&data, &len, &arg, sizeof(arg));
	fz_take(&data, &len, &entry_len, 1);
	/* pointers into guest memory are likelier than not */
	fz_scribble(&fz, &data, &len, (entry_len >> 3) & 31);

	d = viommu->ops->domain_alloc_nested(viommu, uio_dev_hw(fz.dev), &req);
	if (IS_ERR(d)) {
		if (PTR_ERR(d) != -EIO && PTR_ERR(d) != -EINVAL)
			abort();
	} else {
		uint8_t buf[64];
		uint64_t iova;

		if (uio_dev_set_domain(fz.dev, UIO_DEV_NO_PASID, d))
			abort();
		for (i = 0; i < 4; i++) {
			struct uio_s1_result res;
			struct uio_hw_fault fault;

			iova = (uint64_t)i * 0x1000 + (arg.ste[1] & 0xfff000);
			d->nested_ops->translate(d, i ? i - 1 : UIO_HW_NO_PASID,
						 iova, PT_PROT_READ, &res,
						 &fault);
			uio_dma_read(fz.dev, UIO_DEV_NO_PASID, iova, buf,
				     sizeof(buf));
		}
		if (uio_dev_set_domain(fz.dev, UIO_DEV_NO_PASID, NULL))
			abort();
	}

	arr.type = IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3;
	arr.entry_len = entry_len % 40;
	arr.entry_num = arr.entry_len ? len / arr.entry_len : 1;
	arr.uptr = (uintptr_t)data;
	rc = viommu->ops->cache_invalidate(viommu, &arr);
	if (rc && rc != -EIO && rc != -EINVAL && rc != -E2BIG &&
	    rc != -EFAULT)
		abort();
	if (!IS_ERR(d))
		uio_domain_free(d);
	return 0;
}
