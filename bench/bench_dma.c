/* SPDX-License-Identifier: MIT */
/*
 * bench_dma: figures of the emulated-device DMA path (src/dev), reported
 * by uiommufd-bench. The DMA functions are internal, so the benchmark
 * links the library's objects, as the unit tests do.
 *
 * One device, its RID attached to a 4-level x86-64 domain (a stand-in
 * model: the DMA path needs nothing else from a model). Every DMA is a
 * device read of host memory into a device buffer; each baseline does the
 * same copy between the same two places with a plain memcpy, so the ratio
 * is the cost of translation, permission check, IOTLB and bookkeeping.
 *
 *   dma_4k_iotlb_hit_vs_memcpy    4 KiB DMAs cycling over 64 pages mapped
 *                                 with 4 KiB leaves (256 KiB, all in the
 *                                 IOTLB after the first pass) vs memcpy of
 *                                 the same pages: memcpy time / DMA time
 *                                 (goal >= 0.95)
 *   dma_8b_vs_copy                8-byte DMAs at changing offsets of those
 *                                 pages vs an 8-byte copy through a
 *                                 function pointer (a call of a non-inlined
 *                                 copy function, as a device model calls
 *                                 its memory backend): DMA time / copy time
 *                                 (goal <= 1.5)
 *   dma_4k_random_miss_vs_memcpy  4 KiB DMAs at random pages of 64 MiB
 *                                 mapped with 4 KiB leaves (16384 pages,
 *                                 64 times the IOTLB: nearly every DMA
 *                                 walks the table) vs memcpy of the same
 *                                 random pages: memcpy time / DMA time
 *                                 (goal >= 0.75)
 *   nested_dma_4k_iotlb_hit_vs_memcpy the first figure through a VT-d
 *                                 nested domain: a second device whose
 *                                 guest first-stage tables (in memory a
 *                                 NEST_PARENT second stage maps) map the
 *                                 same 64 pages; the IOTLB holds the
 *                                 combined translations: memcpy time /
 *                                 DMA time (goal >= 0.9)
 *
 * The _ns keys give the absolute times behind each ratio, and
 * dma_4k_random_miss_rate the fraction of those DMAs that missed the
 * IOTLB. Each figure is the median of several batches, the DMA and its
 * baseline interleaved batch by batch; --quick runs fewer, shorter ones.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "bench_util.h"
#include "bench_dma.h"
#include "core/io_pagetable.h"
#include "dev/dev.h"
#include "hw/hw.h"
#include "pt/pt.h"
#include <linux/iommufd.h>
#include "util/err.h"

#define PAGE 4096ULL
#define HOT_PAGES 64
#define COLD_BYTES (64ULL << 20)
#define COLD_PAGES (COLD_BYTES / PAGE)
#define IOVA_HOT 0x100000000ULL
#define IOVA_COLD 0x200000000ULL
#define MAX_BATCHES 15

static const struct uio_hw_model bench_model = { .name = "bench" };

struct ctx {
	struct uio_dev *dev;
	struct uio_domain *domain;
	uint8_t *hot, *cold; /* host memory */
	uint8_t *devbuf; /* the device's side */
	uint32_t *order; /* random page order over the cold area */
	unsigned int norder;
	int errors;
	/* the nested device: VT-d, guest tables in gtab, data = hot */
	struct uio_dev *ndev;
	struct uio_domain *s2, *nested;
	uint8_t *gtab;
};

/* guest physical layout of the nested device's VM */
#define GPA_TABLES 0x10000000ULL /* 4 table pages */
#define GPA_HOT 0x20000000ULL

/* the 8-byte baseline's copy: a call the compiler cannot see through */
static __attribute__((noinline)) void copy_bytes(void *dst, const void *src,
						 size_t len)
{
	memcpy(dst, src, len);
}

static void (*volatile copy_fn)(void *, const void *, size_t) = copy_bytes;
static void *(*volatile memcpy_fn)(void *, const void *, size_t) = memcpy;

/* ---- the timed loops: each returns ns per operation ---- */

static double hot_dma(struct ctx *c, long iters)
{
	double t0 = bench_now_ns();
	long i;

	for (i = 0; i < iters; i++)
		c->errors |= uio_dma_read(c->dev, UIO_DEV_NO_PASID,
					  IOVA_HOT + (i % HOT_PAGES) * PAGE,
					  c->devbuf, PAGE);
	return (bench_now_ns() - t0) / iters;
}

static double hot_nested_dma(struct ctx *c, long iters)
{
	double t0 = bench_now_ns();
	long i;

	for (i = 0; i < iters; i++)
		c->errors |= uio_dma_read(c->ndev, UIO_DEV_NO_PASID,
					  IOVA_HOT + (i % HOT_PAGES) * PAGE,
					  c->devbuf, PAGE);
	return (bench_now_ns() - t0) / iters;
}

static double hot_memcpy(struct ctx *c, long iters)
{
	void *(*cpy)(void *, const void *, size_t) = memcpy_fn;
	double t0 = bench_now_ns();
	long i;

	for (i = 0; i < iters; i++)
		cpy(c->devbuf, c->hot + (i % HOT_PAGES) * PAGE, PAGE);
	return (bench_now_ns() - t0) / iters;
}

static double small_dma(struct ctx *c, long iters)
{
	double t0 = bench_now_ns();
	long i;

	for (i = 0; i < iters; i++)
		c->errors |= uio_dma_read(c->dev, UIO_DEV_NO_PASID,
					  IOVA_HOT + ((i * 72) & (PAGE - 8)),
					  c->devbuf + (i & 56), 8);
	return (bench_now_ns() - t0) / iters;
}

static double small_copy(struct ctx *c, long iters)
{
	void (*cpy)(void *, const void *, size_t) = copy_fn;
	double t0 = bench_now_ns();
	long i;

	for (i = 0; i < iters; i++)
		cpy(c->devbuf + (i & 56), c->hot + ((i * 72) & (PAGE - 8)), 8);
	return (bench_now_ns() - t0) / iters;
}

static double cold_dma(struct ctx *c, long iters)
{
	double t0 = bench_now_ns();
	long i;

	for (i = 0; i < iters; i++)
		c->errors |= uio_dma_read(
			c->dev, UIO_DEV_NO_PASID,
			IOVA_COLD + (uint64_t)c->order[i % c->norder] * PAGE,
			c->devbuf, PAGE);
	return (bench_now_ns() - t0) / iters;
}

static double cold_memcpy(struct ctx *c, long iters)
{
	void *(*cpy)(void *, const void *, size_t) = memcpy_fn;
	double t0 = bench_now_ns();
	long i;

	for (i = 0; i < iters; i++)
		cpy(c->devbuf,
		    c->cold + (uint64_t)c->order[i % c->norder] * PAGE, PAGE);
	return (bench_now_ns() - t0) / iters;
}

typedef double (*timed_fn)(struct ctx *c, long iters);

/* medians over @batches of @iters, the two sides interleaved */
static void measure(struct ctx *c, timed_fn dma, timed_fn base, int batches,
		    long iters, double *ret_dma, double *ret_base)
{
	double t_dma[MAX_BATCHES], t_base[MAX_BATCHES];
	int b;

	dma(c, iters / 4 + 1); /* warm up: caches, IOTLB, branch predictors */
	base(c, iters / 4 + 1);
	for (b = 0; b < batches; b++) {
		if (b & 1) {
			t_base[b] = base(c, iters);
			t_dma[b] = dma(c, iters);
		} else {
			t_dma[b] = dma(c, iters);
			t_base[b] = base(c, iters);
		}
	}
	*ret_dma = bench_median(t_dma, batches);
	*ret_base = bench_median(t_base, batches);
}

/* ---- setup ---- */

static void *map_anon(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* xorshift64*: the same order every run */
static uint64_t rnd_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

static int setup(struct ctx *c)
{
	struct uio_dev_cfg cfg = { .model = &bench_model, .rid = 1 };
	uint64_t seed = 0x5eed;
	unsigned int i;
	int ret;

	c->domain = uio_domain_alloc(&bench_model, &pt_fmt_x86_64, 4, 0);
	if (IS_ERR(c->domain)) {
		ret = PTR_ERR(c->domain);
		c->domain = NULL;
		return ret;
	}
	ret = uio_dev_create(&cfg, &c->dev);
	if (ret)
		return ret;
	c->hot = map_anon(HOT_PAGES * PAGE);
	c->cold = map_anon(COLD_BYTES);
	c->devbuf = map_anon(PAGE);
	c->norder = COLD_PAGES;
	c->order = malloc(c->norder * sizeof(*c->order));
	if (!c->hot || !c->cold || !c->devbuf || !c->order)
		return -ENOMEM;
	memset(c->hot, 0x5a, HOT_PAGES * PAGE);
	memset(c->cold, 0xa5, COLD_BYTES);
	/* a random permutation: every page once per pass */
	for (i = 0; i < c->norder; i++)
		c->order[i] = i;
	for (i = c->norder - 1; i > 0; i--) {
		unsigned int j = rnd_next(&seed) % (i + 1);
		uint32_t t = c->order[i];

		c->order[i] = c->order[j];
		c->order[j] = t;
	}
	/* 4 KiB leaves everywhere: the walk is the deepest it can be */
	ret = uio_domain_map(c->domain, IOVA_HOT, (uintptr_t)c->hot,
			     HOT_PAGES * PAGE, IOMMU_READ | IOMMU_WRITE, false);
	if (!ret)
		ret = uio_domain_map(c->domain, IOVA_COLD, (uintptr_t)c->cold,
				     COLD_BYTES, IOMMU_READ | IOMMU_WRITE,
				     false);
	if (!ret)
		ret = uio_dev_set_domain(c->dev, UIO_DEV_NO_PASID, c->domain);
	return ret;
}

/*
 * The nested device: a VT-d NEST_PARENT maps the table pages and the hot
 * pages as guest memory; the guest's 4-level first stage maps IOVA_HOT
 * onto the hot pages with 4 KiB leaves (PML4, PDPT, PD, PT: one each).
 */
static int setup_nested(struct ctx *c)
{
	struct uio_dev_cfg cfg = { .model = &uio_hw_vtd, .rid = 2 };
	struct uio_hw_domain_req req = {
		.flags = IOMMU_HWPT_ALLOC_NEST_PARENT,
		.data_type = IOMMU_HWPT_DATA_NONE,
	};
	struct iommu_hwpt_vtd_s1 s1 = { .pgtbl_addr = GPA_TABLES,
					.addr_width = 48 };
	uint64_t *t = NULL, bits = 0x7; /* P, R/W, U/S */
	struct uio_hw_dev *hw;
	unsigned int i;
	int ret;

	ret = uio_dev_create(&cfg, &c->ndev);
	if (ret)
		return ret;
	hw = uio_dev_hw(c->ndev);
	c->s2 = uio_hw_vtd.domain_alloc_paging(hw, &req);
	if (IS_ERR(c->s2)) {
		ret = PTR_ERR(c->s2);
		c->s2 = NULL;
		return ret;
	}
	c->gtab = map_anon(4 * PAGE);
	if (!c->gtab)
		return -ENOMEM;
	t = (uint64_t *)c->gtab;
	for (i = 0; i < 3; i++) /* level i + 1 down to the next page */
		t[i * 512 + ((IOVA_HOT >> (39 - 9 * i)) & 511)] =
			(GPA_TABLES + (i + 1) * PAGE) | bits;
	for (i = 0; i < HOT_PAGES; i++)
		t[3 * 512 + ((IOVA_HOT >> 12) & 511) + i] =
			(GPA_HOT + i * PAGE) | bits;
	ret = uio_domain_map(c->s2, GPA_TABLES, (uintptr_t)c->gtab, 4 * PAGE,
			     IOMMU_READ, false);
	if (!ret)
		ret = uio_domain_map(c->s2, GPA_HOT, (uintptr_t)c->hot,
				     HOT_PAGES * PAGE,
				     IOMMU_READ | IOMMU_WRITE, false);
	if (ret)
		return ret;
	req.flags = 0;
	req.data_type = IOMMU_HWPT_DATA_VTD_S1;
	req.data = &s1;
	req.data_len = sizeof(s1);
	c->nested = uio_hw_vtd.domain_alloc_nested(hw, c->s2, &req);
	if (IS_ERR(c->nested)) {
		ret = PTR_ERR(c->nested);
		c->nested = NULL;
		return ret;
	}
	return uio_dev_set_domain(c->ndev, UIO_DEV_NO_PASID, c->nested);
}

static void teardown(struct ctx *c)
{
	if (c->ndev) {
		uio_dev_set_domain(c->ndev, UIO_DEV_NO_PASID, NULL);
		uio_dev_destroy(c->ndev);
	}
	if (c->nested)
		uio_domain_free(c->nested);
	if (c->s2)
		uio_domain_free(c->s2);
	if (c->gtab)
		munmap(c->gtab, 4 * PAGE);
	if (c->dev) {
		uio_dev_set_domain(c->dev, UIO_DEV_NO_PASID, NULL);
		uio_dev_destroy(c->dev);
	}
	if (c->domain)
		uio_domain_free(c->domain);
	if (c->hot)
		munmap(c->hot, HOT_PAGES * PAGE);
	if (c->cold)
		munmap(c->cold, COLD_BYTES);
	if (c->devbuf)
		munmap(c->devbuf, PAGE);
	free(c->order);
}

int bench_dma(json_object *out, bool quick)
{
	struct ctx c = { 0 };
	struct uio_dev_stats s0, s1;
	double hit, hit_base, small, small_base, miss, miss_base;
	double nhit, nhit_base;
	int batches = quick ? 5 : 11;
	long scale = quick ? 1 : 8;
	int ret;

	ret = setup(&c);
	if (!ret)
		ret = setup_nested(&c);
	if (ret)
		goto out;

	measure(&c, hot_dma, hot_memcpy, batches, 5000 * scale, &hit,
		&hit_base);
	measure(&c, small_dma, small_copy, batches, 100000 * scale, &small,
		&small_base);
	measure(&c, hot_nested_dma, hot_memcpy, batches, 5000 * scale, &nhit,
		&nhit_base);
	uio_dev_get_stats(c.dev, &s0);
	measure(&c, cold_dma, cold_memcpy, batches, 2000 * scale, &miss,
		&miss_base);
	uio_dev_get_stats(c.dev, &s1);
	if (c.errors) {
		fprintf(stderr, "bench_dma: a DMA failed\n");
		ret = -EIO;
		goto out;
	}

	bench_add(out, "dma_4k_iotlb_hit_ns", hit);
	bench_add(out, "dma_4k_memcpy_ns", hit_base);
	bench_add(out, "dma_4k_iotlb_hit_vs_memcpy", hit_base / hit);
	bench_add(out, "nested_dma_4k_iotlb_hit_ns", nhit);
	bench_add(out, "nested_dma_4k_memcpy_ns", nhit_base);
	bench_add(out, "nested_dma_4k_iotlb_hit_vs_memcpy", nhit_base / nhit);
	bench_add(out, "dma_8b_ns", small);
	bench_add(out, "dma_8b_copy_ns", small_base);
	bench_add(out, "dma_8b_vs_copy", small / small_base);
	bench_add(out, "dma_4k_random_miss_ns", miss);
	bench_add(out, "dma_4k_random_memcpy_ns", miss_base);
	bench_add(out, "dma_4k_random_miss_vs_memcpy", miss_base / miss);
	bench_add(out, "dma_4k_random_miss_rate",
	    (double)(s1.iotlb_misses - s0.iotlb_misses) /
		    (s1.dma_ops - s0.dma_ops));
out:
	teardown(&c);
	return ret;
}

void bench_dma_print(json_object *out)
{
	printf("4K DMA, IOTLB hit:              %8.1f ns  (memcpy %.1f ns: "
	       "%.3f; goal >= 0.95)\n",
	       bench_get(out, "dma_4k_iotlb_hit_ns"), bench_get(out, "dma_4k_memcpy_ns"),
	       bench_get(out, "dma_4k_iotlb_hit_vs_memcpy"));
	printf("4K DMA, nested, IOTLB hit:      %8.1f ns  (memcpy %.1f ns: "
	       "%.3f; goal >= 0.9)\n",
	       bench_get(out, "nested_dma_4k_iotlb_hit_ns"),
	       bench_get(out, "nested_dma_4k_memcpy_ns"),
	       bench_get(out, "nested_dma_4k_iotlb_hit_vs_memcpy"));
	printf("8-byte DMA:                     %8.1f ns  (copy call %.1f ns: "
	       "%.2fx; goal <= 1.5)\n",
	       bench_get(out, "dma_8b_ns"), bench_get(out, "dma_8b_copy_ns"),
	       bench_get(out, "dma_8b_vs_copy"));
	printf("4K DMA, random, IOTLB miss:     %8.1f ns  (memcpy %.1f ns: "
	       "%.3f; goal >= 0.75; %.0f%% missed)\n",
	       bench_get(out, "dma_4k_random_miss_ns"),
	       bench_get(out, "dma_4k_random_memcpy_ns"),
	       bench_get(out, "dma_4k_random_miss_vs_memcpy"),
	       100 * bench_get(out, "dma_4k_random_miss_rate"));
}
