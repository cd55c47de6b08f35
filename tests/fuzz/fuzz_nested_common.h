/* SPDX-License-Identifier: MIT */
/*
 * What the nested-hardware fuzz targets share: a device behind a model, a
 * NEST_PARENT stage 2 and 64 KiB of guest memory it maps at FZ_GPA, set up
 * once per process (a fuzz target runs millions of inputs; nothing here is
 * freed, and all of it stays reachable).
 */
#ifndef UIOMMUFD_TESTS_FUZZ_NESTED_COMMON_H
#define UIOMMUFD_TESTS_FUZZ_NESTED_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/iommufd.h>

#include "core/io_pagetable.h"
#include "dev/dev.h"
#include "hw/hw.h"
#include "pt/pt.h"
#include "util/err.h"

#define FZ_GPA 0x100000ULL
#define FZ_GUEST (64 * 1024ULL)

struct fz {
	struct uio_dev *dev;
	struct uio_domain *s2;
	uint8_t *guest;
};

static inline int fz_setup(struct fz *f, const struct uio_hw_model *model)
{
	struct uio_dev_cfg cfg = {
		.model = model,
		.rid = 0x10,
		.pasid_bits = 20,
		.hw_flags = UIO_HW_DEV_PASID,
	};
	struct uio_hw_domain_req req = {
		.flags = IOMMU_HWPT_ALLOC_NEST_PARENT,
		.data_type = IOMMU_HWPT_DATA_NONE,
	};

	if (uio_dev_create(&cfg, &f->dev))
		return -1;
	f->s2 = model->domain_alloc_paging(uio_dev_hw(f->dev), &req);
	if (IS_ERR(f->s2))
		return -1;
	f->guest = mmap(NULL, FZ_GUEST, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f->guest == MAP_FAILED)
		return -1;
	return uio_domain_map(f->s2, FZ_GPA, (uintptr_t)f->guest, FZ_GUEST,
			      IOMMU_READ | IOMMU_WRITE, false);
}

/* take @n bytes of input (zeros past its end) */
static inline void fz_take(const uint8_t **data, size_t *len, void *dst,
			   size_t n)
{
	size_t k = *len < n ? *len : n;

	memset(dst, 0, n);
	memcpy(dst, *data, k);
	*data += k;
	*len -= k;
}

/*
 * Fill guest memory from the input: pairs of (offset/8 in 2 bytes, 8-byte
 * value), until @n pairs or the input runs out. Table entries then point
 * anywhere, mapped or not.
 */
static inline void fz_scribble(struct fz *f, const uint8_t **data,
			       size_t *len, unsigned int n)
{
	while (n-- && *len >= 10) {
		uint16_t off;
		uint64_t v;

		fz_take(data, len, &off, 2);
		fz_take(data, len, &v, 8);
		memcpy(f->guest + (off % (FZ_GUEST / 8)) * 8, &v, 8);
	}
}

#endif
