/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers of the emulated-device tests: a stand-in IOMMU model (the
 * DMA path needs nothing from a model but its name), domains over the
 * x86-64 format built with the generic domain allocator, host memory
 * aligned for huge leaves, and a record callback for dirty harvests.
 */
#ifndef UIOMMUFD_TESTS_DEV_TEST_H
#define UIOMMUFD_TESTS_DEV_TEST_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "core/io_pagetable.h"
#include "dev/dev.h"
#include "hw/hw.h"
#include "pt/pt.h"
#include "util/err.h"

#define SZ_4K 0x1000ULL
#define SZ_2M 0x200000ULL
#define RW (IOMMU_READ | IOMMU_WRITE)

static const struct uio_hw_model dev_test_model = { .name = "dev-test" };

/* a 4-level x86-64 domain; dirty capable if asked */
static inline struct uio_domain *dev_test_domain(bool dirty)
{
	struct uio_domain *d =
		uio_domain_alloc(&dev_test_model, &pt_fmt_x86_64, 4, 0);

	assert_false(IS_ERR_OR_NULL(d));
	if (dirty)
		d->flags |= UIO_DOMAIN_DIRTY_CAPABLE;
	return d;
}

static inline struct uio_dev *dev_test_dev(unsigned int pasid_bits)
{
	struct uio_dev_cfg cfg = {
		.model = &dev_test_model,
		.rid = 0x100,
		.pasid_bits = pasid_bits,
	};
	struct uio_dev *dev = NULL;

	assert_int_equal(uio_dev_create(&cfg, &dev), 0);
	assert_non_null(dev);
	return dev;
}

/* @len bytes of host memory aligned to @align; free with munmap(p, len) */
static inline void *dev_test_mem(size_t len, size_t align)
{
	uint8_t *p = mmap(NULL, len + align, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *a;

	assert_true(p != MAP_FAILED);
	a = (uint8_t *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
	/* trim the slack so that exactly [a, a + len) stays mapped */
	if (a != p)
		munmap(p, a - p);
	if (p + len + align != a + len)
		munmap(a + len, p + len + align - (a + len));
	return a;
}

static inline void dev_test_stats(struct uio_dev *dev, struct uio_dev_stats *s)
{
	uio_dev_get_stats(dev, s);
}

/* dirty runs reported by a harvest */
struct dirty_log {
	unsigned int n;
	uint64_t iova[64], length[64];
};

static inline void dirty_record(void *arg, uint64_t iova, uint64_t length)
{
	struct dirty_log *log = arg;

	if (log->n < 64) {
		log->iova[log->n] = iova;
		log->length[log->n] = length;
	}
	log->n++;
}

static inline struct dirty_log dev_test_harvest(struct uio_domain *d,
						uint64_t iova, uint64_t len)
{
	struct dirty_log log = { 0 };

	assert_int_equal(uio_domain_read_and_clear_dirty(d, iova, len, 0,
							 dirty_record, &log),
			 0);
	return log;
}

#endif
