/* SPDX-License-Identifier: MIT */
/*
 * Lock-free lookups against a concurrent writer, on every format at every
 * level count with room for the window.
 *
 * One writer maps and unmaps chunks of a window of 32 chunks in random ways; a
 * chunk is one level-1 leaf's span (2 MiB; 1 MiB in the mock): one level-1
 * leaf, 512 smallest leaves, or half of them; it unmaps a chunk whole (its
 * leaf table goes as a subtree) or in four pieces (the table empties entry by
 * entry). Every mapping uses the same function, oa = OA_BASE + iova, so every
 * translation a reader can legitimately see is known. Switching a chunk
 * between a level-1 leaf and smallest leaves frees and allocates leaf tables
 * all the time, so a page reused before its grace period would hand a reader
 * entries of some other chunk (a wrong output address) or zeroes in the middle
 * of a table. Two readers, registered with urcu-memb, translate random IOVAs
 * under the read lock and check that every result is either "not present" or
 * the right address with the right prot; they also mark leaves dirty, which
 * must never leave a stray bit that makes a later map fail with -EEXIST. The
 * writer also harvests dirty bits now and then. Fixed seeds; the interleaving
 * is the machine's.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "pt_test.h"

#define CHUNKS 32
#define OPS 20000
#define OA_BASE (1ULL << 40)

struct shared {
	struct pt_table *t;
	unsigned int want_prot;
	unsigned int chunk_lg2; /* a level-1 leaf's span */
	unsigned int page_lg2; /* the smallest page */
	atomic_bool stop;
	atomic_uint started;
	atomic_ulong lookups, hits, bad;
};

struct reader {
	struct shared *sh;
	uint64_t seed;
	pthread_t thread;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	struct shared *sh = r->sh;
	unsigned long n = 0, hits = 0, bad = 0;

	urcu_memb_register_thread();
	atomic_fetch_add(&sh->started, 1);
	while (!atomic_load_explicit(&sh->stop, memory_order_relaxed)) {
		uint64_t iova = rnd_below(&r->seed, CHUNKS << sh->chunk_lg2) &
				~7ULL;
		uint64_t oa;
		unsigned int prot;
		int ret;

		urcu_memb_read_lock();
		ret = pt_iova_to_phys(sh->t, iova, &oa, &prot);
		if (!ret) {
			hits++;
			if (oa != OA_BASE + iova || prot != sh->want_prot)
				bad++;
			if (!(n & 7))
				pt_set_dirty(sh->t, iova);
		} else if (ret != -ENOENT) {
			bad++;
		}
		urcu_memb_read_unlock();
		n++;
	}
	urcu_memb_unregister_thread();
	atomic_fetch_add(&sh->lookups, n);
	atomic_fetch_add(&sh->hits, hits);
	atomic_fetch_add(&sh->bad, bad);
	return NULL;
}

static void nop_record(void *arg, uint64_t iova, uint64_t length)
{
	*(uint64_t *)arg += length;
}

static void test_concurrent(void **state)
{
	const struct pt_test_cfg *c = *state;
	unsigned int rw = PT_PROT_READ | PT_PROT_WRITE;
	struct shared sh = { .want_prot = pt_test_expect_prot(c->fmt, rw) };
	uint64_t chunk_bytes[CHUNKS] = { 0 };
	bool chunk_huge[CHUNKS] = { false };
	struct reader readers[2];
	uint64_t seed = 0xabad1deaULL + c->levels, all, harvested = 0;
	struct pt_stats s;
	unsigned int i;
	int op;

	sh.chunk_lg2 = pt_test_huge_lg2(c->fmt);
	sh.page_lg2 = pt_test_page_lg2(c->fmt);
	if (pt_fmt_va_lg2(c->fmt, c->levels) < sh.chunk_lg2 + 6)
		skip();
	sh.t = pt_test_alloc(c, PT_ALLOC_DIRTY_TRACKING);
	all = pt_table_pgsize_bitmap(sh.t);
	for (i = 0; i < 2; i++) {
		readers[i].sh = &sh;
		readers[i].seed = 0x1234567ULL * (i + 1) + c->levels;
		assert_int_equal(pthread_create(&readers[i].thread, NULL,
						reader_main, &readers[i]),
				 0);
	}

	/* start racing only when both readers run */
	while (atomic_load(&sh.started) < 2)
		sched_yield();
	for (op = 0; op < OPS; op++) {
		unsigned int k = rnd_below(&seed, CHUNKS);
		uint64_t iova = (uint64_t)k << sh.chunk_lg2;
		uint64_t len = 1ULL << sh.chunk_lg2;

		if (chunk_bytes[k] && (chunk_huge[k] || rnd_below(&seed, 2))) {
			/* whole: the leaf table goes as a subtree */
			assert_int_equal(pt_unmap(sh.t, iova, len),
					 chunk_bytes[k]);
			chunk_bytes[k] = 0;
		} else if (chunk_bytes[k]) {
			/* in 4 pieces: the leaf table empties entry by entry */
			uint64_t got = 0, q = len / 4;

			for (i = 0; i < 4; i++)
				got += pt_unmap(sh.t, iova + i * q, q);
			assert_int_equal(got, chunk_bytes[k]);
			chunk_bytes[k] = 0;
		} else {
			uint64_t bitmap = all;

			chunk_huge[k] = false;
			switch (rnd_below(&seed, 3)) {
			case 0:
				chunk_huge[k] = all & len;
				break;
			case 1:
				bitmap = 1ULL << sh.page_lg2;
				break;
			case 2:
				bitmap = 1ULL << sh.page_lg2;
				len /= 2;
				break;
			}
			assert_int_equal(pt_map(sh.t, iova, OA_BASE + iova, len,
						rw, bitmap),
					 0);
			chunk_bytes[k] = len;
		}
		if (op % 500 == 499)
			assert_int_equal(pt_read_and_clear_dirty(
						 sh.t, 0,
						 CHUNKS << sh.chunk_lg2, 0,
						 nop_record, &harvested),
					 0);
	}
	atomic_store(&sh.stop, true);
	for (i = 0; i < 2; i++)
		pthread_join(readers[i].thread, NULL);

	assert_int_equal(atomic_load(&sh.bad), 0);
	assert_true(atomic_load(&sh.lookups) > 0);
	print_message("%lu lookups, %lu hits, %lu bytes harvested\n",
		      atomic_load(&sh.lookups), atomic_load(&sh.hits),
		      (unsigned long)harvested);

	/* the final state is the writer's */
	pt_stats(sh.t, &s);
	{
		uint64_t total = 0;

		for (i = 0; i < CHUNKS; i++)
			total += chunk_bytes[i];
		assert_int_equal(s.mapped_bytes, total);
	}
	assert_int_equal(pt_unmap(sh.t, 0, CHUNKS << sh.chunk_lg2),
			 s.mapped_bytes);
	pt_test_quiesce(sh.t, &s);
	assert_int_equal(s.table_pages, 1);
	pt_free(sh.t);
}

int main(void)
{
	return pt_test_run_per_cfg("concurrent", test_concurrent);
}
