/* SPDX-License-Identifier: MIT */
/*
 * bench_domains: the IOAS ioctls when domains are attached, reported by
 * uiommufd-bench. Two emulated VT-d devices behind two different IOMMU
 * units are bound and attached to one IOAS, so the IOAS has two domains and
 * every map and unmap writes both (and invalidates both IOTLBs).
 *
 *   map_unmap_4k_pair_vs_kernel_ioctl
 *       one IOAS_MAP + IOAS_UNMAP of 4 KiB with the two domains attached,
 *       divided by a no-op kernel ioctl (goal <= 2)
 *   map_1g_2domains_gib_per_s_4k / _2m
 *       GiB per second of one IOAS_MAP of 1 GiB (2 MiB aligned memory),
 *       into both domains: with HUGE_PAGES=0 (4 KiB entries, goal 200) and
 *       with huge pages (2 MiB entries, goal 2048). The memory is never
 *       touched: pinning here is bookkeeping, as the numbers show.
 *   map_1g_2domains_*_vs_pt_map
 *       the baseline: the same two tables written directly with pt_map()
 *       (the page-table engine alone), divided by the IOAS_MAP time; 1.0
 *       means the core adds nothing to the table writes.
 * Medians of several batches; the unmap after each 1 GiB map is not timed.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#include <linux/iommufd.h>

#include "bench_util.h"
#include "bench_domains.h"
#include "pt/pt.h"
#include "uiommufd/uiommufd.h"

#define GIB (1ULL << 30)
#define IOVA (1ULL << 32)

struct setup {
	int fd;
	uint32_t ioas;
	struct uiommufd_dev *dev[2];
};

static int setup_two_domains(struct setup *s)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	unsigned int i, dev_id, pt;

	s->fd = uiommufd_open(O_CLOEXEC);
	if (s->fd < 0 || uiommufd_ioctl(s->fd, IOMMU_IOAS_ALLOC, &alloc))
		return -1;
	s->ioas = alloc.out_ioas_id;
	for (i = 0; i < 2; i++) {
		struct uiommufd_dev_config cfg = {
			.model = "vtd",
			.rid = 0x100 + i,
			.instance = i, /* two units: two domains */
		};

		pt = s->ioas;
		if (uiommufd_dev_create(&cfg, &s->dev[i]) ||
		    uiommufd_dev_bind(s->dev[i], s->fd, &dev_id) ||
		    uiommufd_dev_attach(s->dev[i], UIOMMUFD_NO_PASID, &pt))
			return -1;
	}
	return 0;
}

static void teardown(struct setup *s)
{
	uiommufd_dev_destroy(s->dev[0]);
	uiommufd_dev_destroy(s->dev[1]);
	uiommufd_close(s->fd);
}

static int map_fixed(struct setup *s, void *va, uint64_t len, uint64_t iova)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = s->ioas,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};

	return uiommufd_ioctl(s->fd, IOMMU_IOAS_MAP, &map);
}

static int unmap(struct setup *s, uint64_t len, uint64_t iova)
{
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap),
		.ioas_id = s->ioas,
		.iova = iova,
		.length = len,
	};

	return uiommufd_ioctl(s->fd, IOMMU_IOAS_UNMAP, &unmap);
}

static double pair_ns(struct setup *s, void *buf, long iters, int batches)
{
	double t[15];
	int b;

	for (b = 0; b < batches; b++) {
		double t0 = bench_now_ns();
		long i;

		for (i = 0; i < iters; i++)
			if (map_fixed(s, buf, 4096, IOVA) ||
			    unmap(s, 4096, IOVA))
				abort();
		t[b] = (bench_now_ns() - t0) / iters;
	}
	qsort(t, batches, sizeof(t[0]), bench_cmp_double);
	return t[batches / 2];
}

static int set_huge_pages(struct setup *s, int on)
{
	struct iommu_option opt = {
		.size = sizeof(opt),
		.option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_SET,
		.object_id = s->ioas,
		.val64 = on,
	};

	return uiommufd_ioctl(s->fd, IOMMU_OPTION, &opt);
}

/* median ns of IOAS_MAP of 1 GiB, and of the same into two raw tables */
static int map_1g(struct setup *s, void *buf, bool huge, int batches,
		  double *t_map, double *t_pt)
{
	uint64_t pgsizes = huge ? (4096 | (2ULL << 20)) : 4096;
	double tm[9], tp[9];
	int b, i;

	for (b = 0; b < batches; b++) {
		struct pt_table *t[2];
		double t0 = bench_now_ns();

		if (map_fixed(s, buf, GIB, IOVA))
			return -1;
		tm[b] = bench_now_ns() - t0;
		if (unmap(s, GIB, IOVA))
			return -1;

		for (i = 0; i < 2; i++)
			t[i] = pt_alloc(&pt_fmt_x86_64, 4);
		t0 = bench_now_ns();
		for (i = 0; i < 2; i++)
			if (pt_map(t[i], IOVA, (uintptr_t)buf, GIB,
				   PT_PROT_READ | PT_PROT_WRITE, pgsizes))
				return -1;
		tp[b] = bench_now_ns() - t0;
		pt_free(t[0]);
		pt_free(t[1]);
	}
	qsort(tm, batches, sizeof(tm[0]), bench_cmp_double);
	qsort(tp, batches, sizeof(tp[0]), bench_cmp_double);
	*t_map = tm[batches / 2];
	*t_pt = tp[batches / 2];
	return 0;
}

int bench_domains(json_object *out, bool quick, double t_kernel)
{
	int batches = quick ? 3 : 9;
	struct setup s = { 0 };
	double t_pair, t_map, t_pt;
	char *buf, *huge;
	int rc = -1;

	buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* 1 GiB of address space, 2 MiB aligned, never touched */
	huge = mmap(NULL, GIB + (2ULL << 20), PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (buf == MAP_FAILED || huge == MAP_FAILED)
		return -1;
	huge = (char *)(((uintptr_t)huge + (2ULL << 20) - 1) &
			~((2ULL << 20) - 1));
	if (setup_two_domains(&s))
		goto out;

	pair_ns(&s, buf, quick ? 2000 : 20000, 1); /* warm up */
	t_pair = pair_ns(&s, buf, quick ? 5000 : 100000, batches);
	bench_add(out, "map_unmap_4k_pair_2domains_ns", t_pair);
	bench_add(out, "map_unmap_4k_pair_vs_kernel_ioctl", t_pair / t_kernel);

	if (map_1g(&s, huge, true, batches, &t_map, &t_pt))
		goto out;
	bench_add(out, "map_1g_2domains_gib_per_s_2m", 1e9 / t_map);
	bench_add(out, "map_1g_2domains_2m_vs_pt_map", t_pt / t_map);
	if (set_huge_pages(&s, 0) || map_1g(&s, huge, false, batches, &t_map,
					     &t_pt))
		goto out;
	bench_add(out, "map_1g_2domains_gib_per_s_4k", 1e9 / t_map);
	bench_add(out, "map_1g_2domains_4k_vs_pt_map", t_pt / t_map);
	rc = 0;
out:
	teardown(&s);
	return rc;
}

void bench_domains_print(json_object *out)
{
	printf("4K MAP+UNMAP pair, 2 domains:   %8.1f ns  (%.2fx the kernel ioctl; goal <= 2)\n",
	       bench_get(out, "map_unmap_4k_pair_2domains_ns"),
	       bench_get(out, "map_unmap_4k_pair_vs_kernel_ioctl"));
	printf("map 1 GiB, 2 domains, 2M:      %8.0f GiB/s (goal 2048; %.2fx raw pt_map)\n",
	       bench_get(out, "map_1g_2domains_gib_per_s_2m"),
	       bench_get(out, "map_1g_2domains_2m_vs_pt_map"));
	printf("map 1 GiB, 2 domains, 4K:      %8.0f GiB/s (goal 200; %.2fx raw pt_map)\n",
	       bench_get(out, "map_1g_2domains_gib_per_s_4k"),
	       bench_get(out, "map_1g_2domains_4k_vs_pt_map"));
}
