/* SPDX-License-Identifier: MIT */
/*
 * The emulated device's DMA path, one thread: translation across 4 KiB and
 * 2 MiB leaves, faults and their counters, IOTLB invalidation by unmap and
 * by attach/replace, PASID attachments, dirty marking and the 64-bit CAS.
 * Every check compares the host memory itself, not only return codes.
 */
#include "dev_test.h"

#define IOVA 0x40000000ULL

struct fixture {
	struct uio_domain *d;
	struct uio_dev *dev;
	uint8_t *mem;
	size_t len;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->d = dev_test_domain(true);
	f->dev = dev_test_dev(20);
	f->len = 4 * SZ_2M;
	f->mem = dev_test_mem(f->len, SZ_2M);
	assert_int_equal(uio_dev_set_domain(f->dev, UIO_DEV_NO_PASID, f->d), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(uio_dev_set_domain(f->dev, UIO_DEV_NO_PASID, NULL), 0);
	uio_dev_destroy(f->dev);
	uio_domain_free(f->d);
	munmap(f->mem, f->len);
	free(f);
	return 0;
}

static void fill(uint8_t *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 7 + seed);
}

/* reads and writes at odd offsets across 4 KiB leaf boundaries */
static void test_rw_small_pages(void **state)
{
	struct fixture *f = *state;
	struct uio_dev_stats s0, s1;
	uint8_t out[3 * SZ_4K], in[3 * SZ_4K];
	size_t off, len;

	/* three 4 KiB leaves, not contiguous in host memory: 2, 0, 1 */
	assert_int_equal(uio_domain_map(f->d, IOVA,
					(uintptr_t)f->mem + 2 * SZ_4K, SZ_4K,
					RW, false),
			 0);
	assert_int_equal(uio_domain_map(f->d, IOVA + SZ_4K, (uintptr_t)f->mem,
					2 * SZ_4K, RW, false),
			 0);
	fill(f->mem, 3 * SZ_4K, 1);
	dev_test_stats(f->dev, &s0);

	for (off = 0; off < 3 * SZ_4K; off += 1531) {
		for (len = 1; off + len <= 3 * SZ_4K; len = len * 3 + 5) {
			const uint8_t *host;
			size_t i;

			memset(out, 0, sizeof(out));
			assert_int_equal(uio_dma_read(f->dev, UIO_DEV_NO_PASID,
						      IOVA + off, out, len),
					 0);
			for (i = 0; i < len; i++) {
				size_t io = off + i;

				host = io < SZ_4K ? f->mem + 2 * SZ_4K + io
						  : f->mem + io - SZ_4K;
				assert_int_equal(out[i], *host);
			}
		}
	}

	/* a write across both boundaries lands in the three host pages */
	fill(in, sizeof(in), 99);
	assert_int_equal(uio_dma_write(f->dev, UIO_DEV_NO_PASID, IOVA + 100, in,
				       3 * SZ_4K - 200),
			 0);
	assert_memory_equal(f->mem + 2 * SZ_4K + 100, in, SZ_4K - 100);
	assert_memory_equal(f->mem, in + SZ_4K - 100, 2 * SZ_4K - 100);

	dev_test_stats(f->dev, &s1);
	assert_true(s1.dma_ops > s0.dma_ops);
	assert_true(s1.iotlb_hits > 0);
	assert_true(s1.iotlb_misses >= 3);
	assert_int_equal(s1.faults_translation, 0);
	assert_int_equal(s1.faults_permission, 0);
	/* zero-length DMA succeeds */
	assert_int_equal(uio_dma_read(f->dev, UIO_DEV_NO_PASID, IOVA, out, 0),
			 0);
	assert_int_equal(uio_domain_unmap(f->d, IOVA, 3 * SZ_4K), 3 * SZ_4K);
}

/* a 2 MiB leaf is one translation; a DMA across two is two */
static void test_rw_huge_leaves(void **state)
{
	struct fixture *f = *state;
	struct uio_dev_stats s0, s1;
	uint8_t *buf = malloc(SZ_2M);
	struct pt_leaf leaf;

	assert_int_equal(uio_domain_map(f->d, IOVA, (uintptr_t)f->mem,
					2 * SZ_2M, RW, true),
			 0);
	assert_int_equal(pt_lookup(f->d->pt, IOVA, &leaf), 0);
	assert_int_equal(leaf.pgsize_lg2, 21);
	fill(f->mem, 2 * SZ_2M, 3);

	dev_test_stats(f->dev, &s0);
	/* 1 MiB straddling the boundary between the two leaves */
	assert_int_equal(uio_dma_read(f->dev, UIO_DEV_NO_PASID,
				      IOVA + SZ_2M - SZ_2M / 4, buf, SZ_2M / 2),
			 0);
	assert_memory_equal(buf, f->mem + SZ_2M - SZ_2M / 4, SZ_2M / 2);
	dev_test_stats(f->dev, &s1);
	assert_int_equal(s1.iotlb_misses - s0.iotlb_misses, 2);
	assert_int_equal(s1.iotlb_hits - s0.iotlb_hits, 0);
	assert_int_equal(s1.dma_bytes - s0.dma_bytes, SZ_2M / 2);

	/* another 4 KiB page of the same leaf: an IOTLB hit anywhere in it */
	s0 = s1;
	assert_int_equal(uio_dma_read(f->dev, UIO_DEV_NO_PASID,
				      IOVA + SZ_2M - SZ_2M / 4, buf, 64),
			 0);
	dev_test_stats(f->dev, &s1);
	assert_int_equal(s1.iotlb_hits - s0.iotlb_hits, 1);

	memset(buf, 0x5a, SZ_2M);
	assert_int_equal(uio_dma_write(f->dev, UIO_DEV_NO_PASID, IOVA + 12345,
				       buf, SZ_2M),
			 0);
	assert_memory_equal(f->mem + 12345, buf, SZ_2M);
	assert_int_equal(uio_domain_unmap(f->d, IOVA, 2 * SZ_2M), 2 * SZ_2M);
	free(buf);
}

/*
 * Leaves smaller than 4 KiB (the selftest mock's 2 KiB granule) and its
 * 1 MiB leaves: translation pieces follow the leaves, whatever their size.
 */
static void test_small_granule(void **state)
{
	struct fixture *f = *state;
	struct uio_domain *d =
		uio_domain_alloc(&dev_test_model, &pt_fmt_amdv1_mock, 4, 0);
	struct uio_dev_stats s0, s1;
	uint8_t out[8192], in[8192];
	unsigned int i;

	assert_false(IS_ERR_OR_NULL(d));
	assert_int_equal(uio_dev_set_domain(f->dev, 7, d), 0);
	/* four 2 KiB leaves in reverse host order */
	for (i = 0; i < 4; i++)
		assert_int_equal(
			uio_domain_map(d, IOVA + i * 2048,
				       (uintptr_t)f->mem + (3 - i) * 2048, 2048,
				       RW, false),
			0);
	fill(f->mem, 8192, 5);
	for (i = 0; i < 3; i++) {
		dev_test_stats(f->dev, &s0);
		assert_int_equal(
			uio_dma_read(f->dev, 7, IOVA + 1000, out, 6000), 0);
		dev_test_stats(f->dev, &s1);
		/* pieces 1000..2047, ..4095, ..6143, ..6999: four leaves */
		assert_int_equal(s1.iotlb_hits + s1.iotlb_misses -
					 s0.iotlb_hits - s0.iotlb_misses,
				 4);
		assert_memory_equal(out, f->mem + 3 * 2048 + 1000, 1048);
		assert_memory_equal(out + 1048, f->mem + 2 * 2048, 2048);
		assert_memory_equal(out + 3096, f->mem + 2048, 2048);
		assert_memory_equal(out + 5144, f->mem, 856);
	}
	fill(in, sizeof(in), 77);
	assert_int_equal(uio_dma_write(f->dev, 7, IOVA + 2040, in, 16), 0);
	assert_memory_equal(f->mem + 3 * 2048 + 2040, in, 8);
	assert_memory_equal(f->mem + 2 * 2048, in + 8, 8);
	assert_int_equal(uio_domain_unmap(d, IOVA, 8192), 8192);
	assert_int_equal(uio_dma_read(f->dev, 7, IOVA, out, 8), -EFAULT);

	/* 1 MiB leaves */
	assert_int_equal(
		uio_domain_map(d, IOVA, (uintptr_t)f->mem, SZ_2M, RW, true), 0);
	fill(f->mem, SZ_2M, 9);
	dev_test_stats(f->dev, &s0);
	assert_int_equal(
		uio_dma_read(f->dev, 7, IOVA + (1 << 20) - 4096, out, 8192), 0);
	dev_test_stats(f->dev, &s1);
	assert_int_equal(s1.iotlb_misses - s0.iotlb_misses, 2);
	assert_memory_equal(out, f->mem + (1 << 20) - 4096, 8192);
	assert_int_equal(uio_domain_unmap(d, IOVA, SZ_2M), SZ_2M);

	assert_int_equal(uio_dev_set_domain(f->dev, 7, NULL), 0);
	uio_domain_free(d);
}

/* unmapped IOVA, no domain, a range wrapping past 2^64: -EFAULT, counted */
static void test_translation_faults(void **state)
{
	struct fixture *f = *state;
	struct uio_dev_stats s0, s1;
	uint8_t buf[2 * SZ_4K];

	dev_test_stats(f->dev, &s0);
	assert_int_equal(uio_dma_read(f->dev, UIO_DEV_NO_PASID, IOVA, buf, 8),
			 -EFAULT);
	assert_int_equal(uio_dma_write(f->dev, UIO_DEV_NO_PASID, IOVA, buf, 8),
			 -EFAULT);
	dev_test_stats(f->dev, &s1);
	assert_int_equal(s1.faults_translation - s0.faults_translation, 2);

	/* a DMA that runs off the end of a mapping stops there */
	assert_int_equal(uio_domain_map(f->d, IOVA, (uintptr_t)f->mem, SZ_4K,
					RW, false),
			 0);
	memset(f->mem, 0, 2 * SZ_4K);
	memset(buf, 0xee, sizeof(buf));
	s0 = s1;
	assert_int_equal(uio_dma_write(f->dev, UIO_DEV_NO_PASID,
				       IOVA + SZ_4K - 16, buf, 32),
			 -EFAULT);
	dev_test_stats(f->dev, &s1);
	assert_int_equal(s1.faults_translation - s0.faults_translation, 1);
	assert_int_equal(s1.dma_bytes - s0.dma_bytes, 16);
	assert_int_equal(f->mem[SZ_4K - 1], 0xee);
	assert_int_equal(f->mem[SZ_4K], 0); /* never beyond the mapping */

	/* wrapping past the top of the IOVA space */
	assert_int_equal(uio_dma_read(f->dev, UIO_DEV_NO_PASID, UINT64_MAX - 3,
				      buf, 8),
			 -EFAULT);

	/* blocked: no domain attached */
	assert_int_equal(uio_dev_set_domain(f->dev, UIO_DEV_NO_PASID, NULL), 0);
	assert_null(uio_dev_get_domain(f->dev, UIO_DEV_NO_PASID));
	assert_int_equal(uio_dma_read(f->dev, UIO_DEV_NO_PASID, IOVA, buf, 8),
			 -EFAULT);
	assert_int_equal(uio_dev_set_domain(f->dev, UIO_DEV_NO_PASID, f->d), 0);
	assert_ptr_equal(uio_dev_get_domain(f->dev, UIO_DEV_NO_PASID), f->d);
	assert_int_equal(uio_dma_read(f->dev, UIO_DEV_NO_PASID, IOVA, buf, 8),
			 0);
	assert_int_equal(uio_domain_unmap(f->d, IOVA, SZ_4K), SZ_4K);
}

/* a read-only mapping refuses writes and CAS; memory stays untouched */
static void test_permission_faults(void **state)
{
	struct fixture *f = *state;
	struct uio_dev_stats s0, s1;
	uint64_t v = 0, old;

	assert_int_equal(uio_domain_map(f->d, IOVA, (uintptr_t)f->mem, SZ_4K,
					IOMMU_READ, false),
			 0);
	memset(f->mem, 0x11, SZ_4K);
	dev_test_stats(f->dev, &s0);
	/* twice: once through the walk, once through the IOTLB */
	assert_int_equal(uio_dma_read(f->dev, UIO_DEV_NO_PASID, IOVA, &v, 8),
			 0);
	assert_int_equal(v, 0x1111111111111111ULL);
	v = 0;
	assert_int_equal(uio_dma_write(f->dev, UIO_DEV_NO_PASID, IOVA, &v, 8),
			 -EFAULT);
	assert_int_equal(uio_dma_write(f->dev, UIO_DEV_NO_PASID, IOVA + 8, &v,
				       8),
			 -EFAULT);
	old = 0x1111111111111111ULL;
	assert_int_equal(uio_dma_cas64(f->dev, UIO_DEV_NO_PASID, IOVA, &old, 2),
			 -EFAULT);
	assert_int_equal(f->mem[0], 0x11);
	assert_int_equal(f->mem[8], 0x11);
	dev_test_stats(f->dev, &s1);
	assert_int_equal(s1.faults_permission - s0.faults_permission, 3);
	assert_int_equal(s1.faults_translation - s0.faults_translation, 0);
	assert_int_equal(uio_domain_unmap(f->d, IOVA, SZ_4K), SZ_4K);
}

/* after unmap + map to other memory, a DMA sees the new memory at once */
static void test_unmap_invalidates(void **state)
{
	struct fixture *f = *state;
	uint8_t *a = f->mem, *b = f->mem + SZ_2M;
	uint64_t v;
	int i;

	memset(a, 0xaa, SZ_4K);
	memset(b, 0xbb, SZ_4K);
	for (i = 0; i < 100; i++) {
		uint8_t *cur = i & 1 ? b : a;

		assert_int_equal(uio_domain_map(f->d, IOVA, (uintptr_t)cur,
						SZ_4K, RW, false),
				 0);
		/* twice: fill the IOTLB, then hit it */
		assert_int_equal(uio_dma_read(f->dev, UIO_DEV_NO_PASID,
					      IOVA + 8, &v, 8),
				 0);
		assert_int_equal(uio_dma_read(f->dev, UIO_DEV_NO_PASID,
					      IOVA + 8, &v, 8),
				 0);
		assert_int_equal(v & 0xff, cur[0]);
		assert_int_equal(uio_domain_unmap(f->d, IOVA, SZ_4K), SZ_4K);
		assert_int_equal(uio_dma_read(f->dev, UIO_DEV_NO_PASID,
					      IOVA + 8, &v, 8),
				 -EFAULT);
	}
}

/* replacing the attached domain: the old one's entries are gone */
static void test_replace_domain(void **state)
{
	struct fixture *f = *state;
	struct uio_domain *d2 = dev_test_domain(false);
	uint64_t v;

	memset(f->mem, 0x01, SZ_4K);
	memset(f->mem + SZ_4K, 0x02, SZ_4K);
	assert_int_equal(uio_domain_map(f->d, IOVA, (uintptr_t)f->mem, SZ_4K,
					RW, false),
			 0);
	assert_int_equal(uio_domain_map(d2, IOVA, (uintptr_t)f->mem + SZ_4K,
					SZ_4K, IOMMU_READ, false),
			 0);
	assert_int_equal(uio_dma_read(f->dev, UIO_DEV_NO_PASID, IOVA, &v, 8),
			 0);
	assert_int_equal(v, 0x0101010101010101ULL);

	assert_int_equal(uio_dev_set_domain(f->dev, UIO_DEV_NO_PASID, d2), 0);
	assert_int_equal(uio_dma_read(f->dev, UIO_DEV_NO_PASID, IOVA, &v, 8),
			 0);
	assert_int_equal(v, 0x0202020202020202ULL);
	/* the new domain's permissions apply */
	assert_int_equal(uio_dma_write(f->dev, UIO_DEV_NO_PASID, IOVA, &v, 8),
			 -EFAULT);

	assert_int_equal(uio_dev_set_domain(f->dev, UIO_DEV_NO_PASID, f->d), 0);
	assert_int_equal(uio_dma_read(f->dev, UIO_DEV_NO_PASID, IOVA, &v, 8),
			 0);
	assert_int_equal(v, 0x0101010101010101ULL);
	assert_int_equal(uio_domain_unmap(f->d, IOVA, SZ_4K), SZ_4K);
	uio_domain_free(d2);
}

/*
 * A freed domain's address coming back for a new domain, at the same
 * iotlb_gen (no unmap in between): the IOTLB must not hand out the old
 * domain's translation (iotlb.h, "Domain pointer reuse").
 */
static void test_domain_reuse(void **state)
{
	struct fixture *f = *state;
	struct uio_domain *old, *d;
	uint64_t v;
	int tries;

	memset(f->mem, 0x0a, SZ_4K);
	memset(f->mem + SZ_4K, 0x0b, SZ_4K);
	for (tries = 0; tries < 8; tries++) {
		old = dev_test_domain(false);
		assert_int_equal(uio_domain_map(old, IOVA, (uintptr_t)f->mem,
						SZ_4K, RW, false),
				 0);
		assert_int_equal(uio_dev_set_domain(f->dev, 5, old), 0);
		assert_int_equal(uio_dma_read(f->dev, 5, IOVA, &v, 8), 0);
		assert_int_equal(v & 0xff, 0x0a);
		assert_int_equal(uio_dev_set_domain(f->dev, 5, NULL), 0);
		/* freed with its mapping: no unmap, iotlb_gen never moved */
		uio_domain_free(old);

		d = dev_test_domain(false);
		assert_int_equal(uio_domain_map(d, IOVA,
						(uintptr_t)f->mem + SZ_4K,
						SZ_4K, RW, false),
				 0);
		assert_int_equal(uio_dev_set_domain(f->dev, 5, d), 0);
		assert_int_equal(uio_dma_read(f->dev, 5, IOVA, &v, 8), 0);
		assert_int_equal(v & 0xff, 0x0b);
		assert_int_equal(uio_dev_set_domain(f->dev, 5, NULL), 0);
		uio_domain_free(d);
		if (d == old)
			break; /* the case this is about did happen */
	}
	printf("# domain address reused after %d tries%s\n", tries + 1,
	       d == old ? "" : " (never: nothing proven)");
}

/* PASID attachments: each PASID its own domain, limits of the width */
static void test_pasid(void **state)
{
	struct fixture *f = *state;
	static const uint32_t pasids[] = { 0,	 1,	 1023,
					   1024, 777777, (1u << 20) - 1 };
	struct uio_domain *d[6];
	struct uio_dev *nopasid = dev_test_dev(0);
	struct uio_dev *narrow = dev_test_dev(4);
	uint64_t v;
	unsigned int i;

	for (i = 0; i < 6; i++) {
		d[i] = dev_test_domain(false);
		memset(f->mem + i * SZ_4K, 0x30 + i, SZ_4K);
		assert_int_equal(uio_domain_map(d[i], IOVA,
						(uintptr_t)f->mem + i * SZ_4K,
						SZ_4K, RW, false),
				 0);
		assert_int_equal(uio_dev_set_domain(f->dev, pasids[i], d[i]),
				 0);
	}
	for (i = 0; i < 6; i++) {
		assert_ptr_equal(uio_dev_get_domain(f->dev, pasids[i]), d[i]);
		assert_int_equal(uio_dma_read(f->dev, pasids[i], IOVA, &v, 8),
				 0);
		assert_int_equal(v & 0xff, 0x30 + i);
		/* the same IOVA, again: an IOTLB hit of the right PASID */
		assert_int_equal(uio_dma_read(f->dev, pasids[i], IOVA, &v, 8),
				 0);
		assert_int_equal(v & 0xff, 0x30 + i);
	}
	/* the RID's domain (f->d) has nothing at IOVA */
	assert_int_equal(uio_dma_read(f->dev, UIO_DEV_NO_PASID, IOVA, &v, 8),
			 -EFAULT);
	/* unattached PASIDs: in an allocated chunk and in a missing one */
	assert_int_equal(uio_dma_read(f->dev, 2, IOVA, &v, 8), -EFAULT);
	assert_int_equal(uio_dma_read(f->dev, 500000, IOVA, &v, 8), -EFAULT);
	assert_null(uio_dev_get_domain(f->dev, 500000));
	/* beyond the width */
	assert_int_equal(uio_dma_read(f->dev, 1u << 20, IOVA, &v, 8), -EINVAL);
	assert_int_equal(uio_dev_set_domain(f->dev, 1u << 20, d[0]), -EINVAL);
	assert_int_equal(uio_dma_read(nopasid, 0, IOVA, &v, 8), -EINVAL);
	assert_int_equal(uio_dev_set_domain(nopasid, 0, d[0]), -EINVAL);
	assert_int_equal(uio_dev_set_domain(narrow, 15, d[0]), 0);
	assert_int_equal(uio_dma_read(narrow, 15, IOVA, &v, 8), 0);
	assert_int_equal(uio_dev_set_domain(narrow, 16, d[0]), -EINVAL);
	assert_true(uio_dev_hw(narrow)->flags & UIO_HW_DEV_PASID);
	assert_int_equal(uio_dev_hw(narrow)->pasid_bits, 4);
	assert_int_equal(uio_dev_set_domain(narrow, 15, NULL), 0);

	/* detaching one PASID leaves the others alone */
	assert_int_equal(uio_dev_set_domain(f->dev, pasids[1], NULL), 0);
	assert_int_equal(uio_dma_read(f->dev, pasids[1], IOVA, &v, 8), -EFAULT);
	assert_int_equal(uio_dma_read(f->dev, pasids[2], IOVA, &v, 8), 0);
	assert_int_equal(v & 0xff, 0x32);
	/* two PASIDs on one domain */
	assert_int_equal(uio_dev_set_domain(f->dev, pasids[1], d[2]), 0);
	assert_int_equal(uio_dma_read(f->dev, pasids[1], IOVA, &v, 8), 0);
	assert_int_equal(v & 0xff, 0x32);

	for (i = 0; i < 6; i++)
		assert_int_equal(uio_dev_set_domain(f->dev, pasids[i], NULL),
				 0);
	for (i = 0; i < 6; i++)
		uio_domain_free(d[i]);
	uio_dev_destroy(nopasid);
	uio_dev_destroy(narrow);
}

static void test_create_errors(void **state)
{
	struct uio_dev_cfg cfg = { .model = &dev_test_model };
	struct uio_dev *dev = (void *)1;

	cfg.pasid_bits = 21;
	assert_int_equal(uio_dev_create(&cfg, &dev), -EINVAL);
	cfg.pasid_bits = 0;
	cfg.hw_flags = UIO_HW_DEV_PASID;
	assert_int_equal(uio_dev_create(&cfg, &dev), -EINVAL);
	cfg.hw_flags = 1u << 30;
	assert_int_equal(uio_dev_create(&cfg, &dev), -EINVAL);
	cfg.hw_flags = 0;
	cfg.model = NULL;
	assert_int_equal(uio_dev_create(&cfg, &dev), -EINVAL);
	assert_ptr_equal(dev, (void *)1); /* untouched on failure */
	uio_dev_destroy(NULL);
}

static bool log_has(const struct dirty_log *log, uint64_t iova, uint64_t length)
{
	unsigned int i;

	for (i = 0; i < log->n && i < 64; i++)
		if (log->iova[i] == iova && log->length[i] == length)
			return true;
	return false;
}

/*
 * Writes mark leaves dirty only with tracking on; reads never do. The
 * IOTLB remembers dirty leaves, so the test primes it before each harvest:
 * a write after a harvest must mark the leaf again although the IOTLB had
 * it as dirty before.
 */
static void test_dirty(void **state)
{
	struct fixture *f = *state;
	struct dirty_log log;
	uint64_t v = 1;
	int round;

	assert_int_equal(uio_domain_map(f->d, IOVA, (uintptr_t)f->mem,
					8 * SZ_4K, RW, false),
			 0);
	assert_int_equal(uio_domain_map(f->d, IOVA + SZ_2M,
					(uintptr_t)f->mem + SZ_2M, SZ_2M, RW,
					true),
			 0);

	/* tracking off: writes leave no dirty bit */
	assert_int_equal(uio_dma_write(f->dev, UIO_DEV_NO_PASID, IOVA, &v, 8),
			 0);
	assert_int_equal(uio_dma_write(f->dev, UIO_DEV_NO_PASID,
				       IOVA + SZ_2M + 5 * SZ_4K, &v, 8),
			 0);
	log = dev_test_harvest(f->d, IOVA, 2 * SZ_2M);
	assert_int_equal(log.n, 0);

	assert_int_equal(uio_domain_set_dirty_tracking(f->d, true), 0);
	for (round = 0; round < 3; round++) {
		/* reads everywhere, writes to pages 1 and 3 and the 2M leaf */
		assert_int_equal(
			uio_dma_read(f->dev, UIO_DEV_NO_PASID, IOVA, &v, 8), 0);
		assert_int_equal(uio_dma_read(f->dev, UIO_DEV_NO_PASID,
					      IOVA + 5 * SZ_4K, &v, 8),
				 0);
		assert_int_equal(uio_dma_write(f->dev, UIO_DEV_NO_PASID,
					       IOVA + SZ_4K + 8, &v, 8),
				 0);
		/* twice: the second write goes through the IOTLB */
		assert_int_equal(uio_dma_write(f->dev, UIO_DEV_NO_PASID,
					       IOVA + 3 * SZ_4K, &v, 8),
				 0);
		assert_int_equal(uio_dma_write(f->dev, UIO_DEV_NO_PASID,
					       IOVA + 3 * SZ_4K + 64, &v, 8),
				 0);
		assert_int_equal(uio_dma_write(f->dev, UIO_DEV_NO_PASID,
					       IOVA + SZ_2M + 7 * SZ_4K, &v, 8),
				 0);
		log = dev_test_harvest(f->d, IOVA, 2 * SZ_2M);
		assert_int_equal(log.n, 3);
		assert_true(log_has(&log, IOVA + SZ_4K, SZ_4K));
		assert_true(log_has(&log, IOVA + 3 * SZ_4K, SZ_4K));
		assert_true(log_has(&log, IOVA + SZ_2M, SZ_2M));
		/* cleaned: nothing until the next write */
		log = dev_test_harvest(f->d, IOVA, 2 * SZ_2M);
		assert_int_equal(log.n, 0);
	}

	/* a write straddling two pages dirties both */
	assert_int_equal(uio_dma_write(f->dev, UIO_DEV_NO_PASID,
				       IOVA + 6 * SZ_4K - 4, &v, 8),
			 0);
	log = dev_test_harvest(f->d, IOVA, 2 * SZ_2M);
	assert_int_equal(log.n, 1);
	assert_true(log_has(&log, IOVA + 5 * SZ_4K, 2 * SZ_4K));

	/* off again: the IOTLB state does not matter, nothing is marked */
	assert_int_equal(uio_domain_set_dirty_tracking(f->d, false), 0);
	assert_int_equal(uio_dma_write(f->dev, UIO_DEV_NO_PASID, IOVA + SZ_4K,
				       &v, 8),
			 0);
	log = dev_test_harvest(f->d, IOVA, 2 * SZ_2M);
	assert_int_equal(log.n, 0);
	/* and on: stale bits from before are gone, new writes count */
	assert_int_equal(uio_domain_set_dirty_tracking(f->d, true), 0);
	assert_int_equal(uio_dma_write(f->dev, UIO_DEV_NO_PASID, IOVA, &v, 8),
			 0);
	log = dev_test_harvest(f->d, IOVA, 2 * SZ_2M);
	assert_int_equal(log.n, 1);
	assert_true(log_has(&log, IOVA, SZ_4K));
	assert_int_equal(uio_domain_set_dirty_tracking(f->d, false), 0);

	assert_int_equal(uio_domain_unmap(f->d, IOVA, 8 * SZ_4K), 8 * SZ_4K);
	assert_int_equal(uio_domain_unmap(f->d, IOVA + SZ_2M, SZ_2M), SZ_2M);
}

static void test_cas64(void **state)
{
	struct fixture *f = *state;
	uint64_t *host = (uint64_t *)f->mem;
	struct dirty_log log;
	uint64_t old;

	assert_int_equal(uio_domain_map(f->d, IOVA, (uintptr_t)f->mem, SZ_4K,
					RW, false),
			 0);
	host[3] = 41;
	old = 41;
	assert_int_equal(uio_dma_cas64(f->dev, UIO_DEV_NO_PASID, IOVA + 24,
				       &old, 42),
			 0);
	assert_int_equal(old, 41);
	assert_int_equal(host[3], 42);
	old = 41;
	assert_int_equal(uio_dma_cas64(f->dev, UIO_DEV_NO_PASID, IOVA + 24,
				       &old, 43),
			 -EAGAIN);
	assert_int_equal(old, 42);
	assert_int_equal(host[3], 42);
	assert_int_equal(uio_dma_cas64(f->dev, UIO_DEV_NO_PASID, IOVA + 20,
				       &old, 43),
			 -EINVAL);
	old = 7;
	assert_int_equal(uio_dma_cas64(f->dev, UIO_DEV_NO_PASID, IOVA + SZ_4K,
				       &old, 43),
			 -EFAULT);
	assert_int_equal(old, 7);

	/* a CAS is a write-intent access: it marks the leaf dirty */
	assert_int_equal(uio_domain_set_dirty_tracking(f->d, true), 0);
	old = 42;
	assert_int_equal(uio_dma_cas64(f->dev, UIO_DEV_NO_PASID, IOVA + 24,
				       &old, 44),
			 0);
	log = dev_test_harvest(f->d, IOVA, SZ_4K);
	assert_int_equal(log.n, 1);
	assert_int_equal(uio_domain_set_dirty_tracking(f->d, false), 0);
	assert_int_equal(uio_domain_unmap(f->d, IOVA, SZ_4K), SZ_4K);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rw_small_pages, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rw_huge_leaves, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_small_granule, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_translation_faults, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_permission_faults, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unmap_invalidates, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replace_domain, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_domain_reuse, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pasid, setup, teardown),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test_setup_teardown(test_dirty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cas64, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
