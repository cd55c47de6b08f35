/* SPDX-License-Identifier: MIT */
/*
 * bench_pt: figures of the page-table engine (src/pt), reported by
 * uiommufd-bench. The engine's functions are internal, so the benchmark
 * links the library's objects (lib_objects), as the unit tests do.
 *
 * Dirty harvest. 1 GiB of IOVA is mapped with 4 KiB leaves (262144 leaves,
 * 512 leaf tables, 2 MiB of entries) in the x86-64 (VT-d first stage)
 * format with dirty tracking, and pt_read_and_clear_dirty() reads and
 * cleans the whole range:
 *   dirty_harvest_tib_per_s_sparse   TiB of IOVA harvested per second when
 *                                    1 leaf in 4096 is dirty (goal >= 1)
 *   dirty_harvest_gib_per_s_full     GiB per second when every leaf is
 *                                    dirty (goal >= 300)
 * Before each timed harvest the dirty leaves are marked again with
 * pt_set_dirty(), as a device's writes would (not timed). The baseline of
 * each is the same work on a flat array: one pass over as many uint64_t
 * as there are leaves, holding the same entries, that tests the dirty bit
 * and clears it where set. *_vs_array_scan is the array's time divided by
 * the harvest's: 1.0 means the walk costs nothing over a flat scan; the
 * array's own rate (per 4 KiB that each entry stands for) says how fast
 * this machine scans memory. The entries (2 MiB) fit the caches, as they
 * would for a harvest repeated every few milliseconds.
 *
 * Table memory. pt_memory_vs_minimum maps a layout a VMM could make: 1 GiB
 * of guest RAM in 4 KiB leaves at IOVA 0, 512 MiB in 2 MiB leaves at 4 GiB,
 * and a scatter of single pages and short runs over 16 TiB (device windows).
 * The minimum number of table pages is counted from the layout alone: a
 * table at level L exists for every span 2^shift(L + 1) that holds a leaf
 * at level L or below, plus the root. The figure is the memory the table's
 * pool holds (table pages, slab headers, anything free or deferred) divided
 * by that minimum times 4 KiB (goal <= 1.02); pt_memory_tables_vs_minimum
 * is the same for the tree's own pages (1.0 when no table is wasted).
 *
 * Each rate is the median of several batches; --quick runs fewer and
 * shorter batches (about a quarter of a second in all).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "bench_pt.h"
#include "pt/pt.h"
#include "util/err.h"

#define KIB(n) ((uint64_t)(n) << 10)
#define MIB(n) ((uint64_t)(n) << 20)
#define GIB(n) ((uint64_t)(n) << 30)
#define TIB(n) ((uint64_t)(n) << 40)

#define PAGE_LG2 12
#define HARVEST_BYTES GIB(1)
#define HARVEST_LEAVES (HARVEST_BYTES >> PAGE_LG2)
#define SPARSE_EVERY 4096 /* 1 dirty leaf in 4096 */
#define HARVEST_OA TIB(1) /* output addresses are never dereferenced */
#define MAX_BATCHES 15

/* the x86-64 D bit, for the flat-array baseline */
#define BASELINE_DIRTY (1ULL << 6)

/* xorshift64*: the same layout every run */
static uint64_t rnd_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

/* ---- dirty harvest ---- */

struct harvest {
	struct pt_table *t;
	uint64_t *array; /* the baseline: one entry per leaf */
	unsigned int every; /* 1 in @every leaves is dirty */
	uint64_t reported; /* bytes the last harvest reported */
	uint64_t found; /* entries the last array scan cleaned */
};

static void count_bytes(void *arg, uint64_t iova, uint64_t length)
{
	*(uint64_t *)arg += length;
}

/* the dirty leaves of a pass: the first of every @every, shifted a little */
static uint64_t dirty_leaf(unsigned int every, uint64_t k)
{
	return k * every + (every > 1 ? (k * 37) % every : 0);
}

static void harvest_mark(struct harvest *h)
{
	uint64_t k;

	for (k = 0; dirty_leaf(h->every, k) < HARVEST_LEAVES; k++)
		pt_set_dirty(h->t, dirty_leaf(h->every, k) << PAGE_LG2);
}

static void array_mark(struct harvest *h)
{
	uint64_t k;

	for (k = 0; dirty_leaf(h->every, k) < HARVEST_LEAVES; k++)
		h->array[dirty_leaf(h->every, k)] |= BASELINE_DIRTY;
}

static double harvest_once(struct harvest *h)
{
	double t0;

	h->reported = 0;
	harvest_mark(h);
	t0 = bench_now_ns();
	if (pt_read_and_clear_dirty(h->t, 0, HARVEST_BYTES, 0, count_bytes,
				    &h->reported))
		abort();
	return bench_now_ns() - t0;
}

/* the baseline: test and clear the dirty bit of a flat array */
static __attribute__((noinline)) uint64_t array_scan(uint64_t *a, uint64_t n)
{
	uint64_t i, found = 0;

	for (i = 0; i < n; i++) {
		uint64_t v = a[i];

		if (v & BASELINE_DIRTY) {
			a[i] = v & ~BASELINE_DIRTY;
			found++;
		}
	}
	return found;
}

static double array_once(struct harvest *h)
{
	double t0;

	array_mark(h);
	t0 = bench_now_ns();
	h->found = array_scan(h->array, HARVEST_LEAVES);
	return bench_now_ns() - t0;
}

/* median ns of @reps runs per batch, the two sides interleaved */
static void harvest_measure(struct harvest *h, int batches, int reps,
			    double *ret_pt, double *ret_array)
{
	double t_pt[MAX_BATCHES], t_array[MAX_BATCHES];
	int b, r;

	harvest_once(h); /* warm up */
	array_once(h);
	for (b = 0; b < batches; b++) {
		t_pt[b] = t_array[b] = 0;
		for (r = 0; r < reps; r++) {
			t_pt[b] += harvest_once(h) / reps;
			t_array[b] += array_once(h) / reps;
		}
	}
	*ret_pt = bench_median(t_pt, batches);
	*ret_array = bench_median(t_array, batches);
}

static int bench_harvest(json_object *out, bool quick)
{
	struct harvest h = { 0 };
	double sparse_pt, sparse_array, full_pt, full_array;
	uint64_t want, i;
	int ret;

	h.t = pt_alloc_flags(&pt_fmt_x86_64, 4, PT_ALLOC_DIRTY_TRACKING);
	if (IS_ERR(h.t))
		return PTR_ERR(h.t);
	ret = pt_map(h.t, 0, HARVEST_OA, HARVEST_BYTES,
		     PT_PROT_READ | PT_PROT_WRITE, PT_BIT(PAGE_LG2));
	h.array = calloc(HARVEST_LEAVES, sizeof(*h.array));
	if (ret || !h.array) {
		ret = ret ?: -ENOMEM;
		goto out_free;
	}
	/* the array holds what the leaves hold: address and flags */
	for (i = 0; i < HARVEST_LEAVES; i++)
		h.array[i] = (HARVEST_OA + (i << PAGE_LG2)) | 0x27;

	h.every = SPARSE_EVERY;
	harvest_measure(&h, quick ? 5 : 15, quick ? 8 : 32, &sparse_pt,
			&sparse_array);
	want = (HARVEST_LEAVES + SPARSE_EVERY - 1) / SPARSE_EVERY;
	if (h.reported != want << PAGE_LG2 || h.found != want) {
		fprintf(stderr, "bench_pt: sparse harvest found %llu bytes\n",
			(unsigned long long)h.reported);
		ret = -EIO;
		goto out_free;
	}

	h.every = 1;
	harvest_measure(&h, quick ? 5 : 9, quick ? 1 : 3, &full_pt,
			&full_array);
	if (h.reported != HARVEST_BYTES || h.found != HARVEST_LEAVES) {
		fprintf(stderr, "bench_pt: full harvest found %llu bytes\n",
			(unsigned long long)h.reported);
		ret = -EIO;
		goto out_free;
	}

	bench_add(out, "dirty_harvest_tib_per_s_sparse",
	    HARVEST_BYTES / (double)TIB(1) / (sparse_pt * 1e-9));
	bench_add(out, "dirty_harvest_sparse_array_scan_tib_per_s",
	    HARVEST_BYTES / (double)TIB(1) / (sparse_array * 1e-9));
	bench_add(out, "dirty_harvest_sparse_vs_array_scan",
	    sparse_array / sparse_pt);
	bench_add(out, "dirty_harvest_gib_per_s_full",
	    HARVEST_BYTES / (double)GIB(1) / (full_pt * 1e-9));
	bench_add(out, "dirty_harvest_full_array_scan_gib_per_s",
	    HARVEST_BYTES / (double)GIB(1) / (full_array * 1e-9));
	bench_add(out, "dirty_harvest_full_vs_array_scan", full_array / full_pt);
	ret = 0;

out_free:
	free(h.array);
	pt_free(h.t);
	return ret;
}

/* ---- table memory ---- */

/* what the layout mapped: [iova, last] in leaves of level @level */
struct layout_range {
	uint64_t iova, last;
	unsigned int level;
};

#define MAX_RANGES 512

struct layout {
	struct layout_range r[MAX_RANGES];
	unsigned int n;
};

struct span {
	uint64_t first, last;
};

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

/*
 * The fewest table pages that hold the layout, from the layout alone: per
 * level L below the top, the number of distinct spans of 2^shift(L + 1)
 * that contain a leaf at level <= L (the union of every range's spans),
 * plus the root.
 */
static uint64_t min_table_pages(const struct pt_format *fmt,
				unsigned int levels, const struct layout *lo)
{
	static struct span spans[MAX_RANGES];
	uint64_t total = 1, end;
	unsigned int level, i, n;

	for (level = 0; level + 1 < levels; level++) {
		unsigned int shift = pt_level_shift(fmt, level + 1);

		for (i = n = 0; i < lo->n; i++) {
			if (lo->r[i].level > level)
				continue;
			spans[n].first = lo->r[i].iova >> shift;
			spans[n].last = lo->r[i].last >> shift;
			n++;
		}
		qsort(spans, n, sizeof(spans[0]), cmp_span);
		for (i = 0, end = 0; i < n; i++) {
			uint64_t first = spans[i].first;

			/* count what the spans before did not cover */
			if (i && first < end)
				first = end;
			if (spans[i].last + 1 > first)
				total += spans[i].last + 1 - first;
			if (spans[i].last + 1 > end)
				end = spans[i].last + 1;
		}
	}
	return total;
}

static int layout_map(struct pt_table *t, struct layout *lo, uint64_t iova,
		      uint64_t length, unsigned int level)
{
	const struct pt_format *fmt = pt_table_format(t);
	uint64_t size = PT_BIT(pt_level_shift(fmt, level));
	int ret;

	if (lo->n == MAX_RANGES)
		return -ENOSPC;
	/* the OA congruent to the IOVA: leaves of @level, exactly */
	ret = pt_map(t, iova, TIB(2) + iova % GIB(1), length,
		     PT_PROT_READ | PT_PROT_WRITE, size);
	if (ret)
		return ret;
	lo->r[lo->n++] = (struct layout_range){
		.iova = iova,
		.last = iova + length - 1,
		.level = level,
	};
	return 0;
}

static int bench_memory(json_object *out)
{
	const struct pt_format *fmt = &pt_fmt_x86_64;
	static struct layout lo;
	struct pt_table *t = pt_alloc(fmt, 4);
	uint64_t seed = 0x7ab1e5, min;
	struct pt_stats s;
	unsigned int i;
	int ret;

	if (IS_ERR(t))
		return PTR_ERR(t);
	lo.n = 0;
	/* guest RAM in 4 KiB pages, and a region backed by 2 MiB pages */
	ret = layout_map(t, &lo, 0, GIB(1), 0);
	if (!ret)
		ret = layout_map(t, &lo, GIB(4), MIB(512), 1);
	/* device windows: single pages and short runs over 16 TiB */
	for (i = 0; !ret && i < 320; i++) {
		uint64_t pages = i % 5 ? 1 : 1 + rnd_next(&seed) % 16;
		uint64_t iova = GIB(64) + ((rnd_next(&seed) % (TIB(16) >> 12))
					   << PAGE_LG2);

		ret = layout_map(t, &lo, iova, pages << PAGE_LG2, 0);
		if (ret == -EEXIST)
			ret = 0; /* drawn twice: leave it out */
	}
	if (ret)
		goto out_free;

	pt_stats(t, &s);
	min = min_table_pages(fmt, 4, &lo);
	bench_add(out, "pt_memory_vs_minimum",
	    (double)s.pool_bytes / (double)(min << PAGE_LG2));
	bench_add(out, "pt_memory_tables_vs_minimum",
	    (double)s.table_pages / (double)min);
	json_object_object_add(out, "pt_memory_min_table_pages",
			       json_object_new_int64(min));

out_free:
	pt_free(t);
	return ret;
}

int bench_pt(json_object *out, bool quick)
{
	int ret = bench_harvest(out, quick);

	if (!ret)
		ret = bench_memory(out);
	return ret;
}

void bench_pt_print(json_object *out)
{
	printf("dirty harvest, 1 in %d dirty:  %8.2f TiB/s  (goal >= 1; %.2fx "
	       "a flat array scan at %.2f TiB/s)\n",
	       SPARSE_EVERY, bench_get(out, "dirty_harvest_tib_per_s_sparse"),
	       bench_get(out, "dirty_harvest_sparse_vs_array_scan"),
	       bench_get(out, "dirty_harvest_sparse_array_scan_tib_per_s"));
	printf("dirty harvest, all dirty:       %8.1f GiB/s  (goal >= 300; "
	       "%.2fx a flat array scan at %.1f GiB/s)\n",
	       bench_get(out, "dirty_harvest_gib_per_s_full"),
	       bench_get(out, "dirty_harvest_full_vs_array_scan"),
	       bench_get(out, "dirty_harvest_full_array_scan_gib_per_s"));
	printf("table memory vs minimum:        %8.4f x      (goal <= 1.02; "
	       "tables %.4fx of %lld pages)\n",
	       bench_get(out, "pt_memory_vs_minimum"),
	       bench_get(out, "pt_memory_tables_vs_minimum"),
	       (long long)bench_get(out, "pt_memory_min_table_pages"));
}
