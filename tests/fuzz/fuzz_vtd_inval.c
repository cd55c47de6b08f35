/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the VT-d nested domain's guest-controlled formats. One
 * input is a stage-1 allocation (struct iommu_hwpt_vtd_s1 with fuzzed
 * flags, width and reserved field, taken through the driver's checks), up
 * to 32 writes of guest memory (first-stage tables pointing anywhere), a
 * few translations and DMAs when the allocation was accepted, then an
 * array of struct iommu_hwpt_vtd_s1_invalidate entries with a fuzzed
 * entry_len and count. Nothing may crash, leak or hang; every refusal must
 * be one of the errnos the kernel gives.
 *
 * Input: vtd_s1 (24) | entry_len (1) | 10-byte guest writes... | entries.
 * The replay build runs the corpus in tests/fuzz/corpus/vtd_inval.
 */
#include <errno.h>
#include <stdio.h>

#include "fuzz_nested_common.h"

static struct fz fz;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static int ready;
	struct iommu_hwpt_vtd_s1 s1;
	struct uio_hw_domain_req req = {
		.data_type = IOMMU_HWPT_DATA_VTD_S1,
		.data = &s1,
		.data_len = sizeof(s1),
	};
	struct uio_hw_user_array arr;
	struct uio_domain *d;
	uint8_t entry_len;
	unsigned int i;
	long rc;

	if (!ready) {
		if (fz_setup(&fz, &uio_hw_vtd)) {
			fprintf(stderr, "fuzz_vtd_inval: setup failed\n");
			abort();
		}
		ready = 1;
	}
	memset(fz.guest, 0, FZ_GUEST);
	fz_take(&data, &len, &s1, sizeof(s1));
	fz_take(&data, &len, &entry_len, 1);
	fz_scribble(&fz, &data, &len, (entry_len >> 3) & 31);

	d = uio_hw_vtd.domain_alloc_nested(uio_dev_hw(fz.dev), fz.s2, &req);
	if (IS_ERR(d)) {
		rc = PTR_ERR(d);
		if (rc != -EINVAL && rc != -EOPNOTSUPP)
			abort();
		return 0;
	}
	if (uio_dev_set_domain(fz.dev, UIO_DEV_NO_PASID, d))
		abort();
	for (i = 0; i < 4; i++) {
		struct uio_s1_result res;
		struct uio_hw_fault fault;
		uint64_t iova = ((uint64_t)i << 21) ^ (s1.flags & ~0xfffULL);
		uint8_t buf[64];

		d->nested_ops->translate(d, UIO_HW_NO_PASID, iova,
					 i & 1 ? PT_PROT_WRITE : PT_PROT_READ,
					 &res, &fault);
		uio_dma_read(fz.dev, UIO_DEV_NO_PASID, iova, buf, sizeof(buf));
		uio_dma_write(fz.dev, UIO_DEV_NO_PASID, iova, buf, 8);
	}
	arr.type = IOMMU_HWPT_INVALIDATE_DATA_VTD_S1;
	arr.entry_len = entry_len % 48;
	arr.entry_num = arr.entry_len ? len / arr.entry_len : 1;
	arr.uptr = (uintptr_t)data;
	rc = d->nested_ops->cache_invalidate_user(d, &arr);
	if (rc && rc != -EOPNOTSUPP && rc != -EINVAL && rc != -E2BIG &&
	    rc != -EFAULT)
		abort();
	if (uio_dev_set_domain(fz.dev, UIO_DEV_NO_PASID, NULL))
		abort();
	uio_domain_free(d);
	return 0;
}
