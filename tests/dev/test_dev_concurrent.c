/* SPDX-License-Identifier: MIT */
/*
 * The DMA path against concurrent map/unmap and attach/replace: after
 * uio_domain_unmap() or uio_dev_set_domain() returns, no DMA reaches the
 * memory it no longer maps, whatever the IOTLB held.
 *
 * The canary. The main thread maps an IOVA window to one of two host
 * buffers, each filled with the number of the current round; then it
 * unmaps (or detaches), publishes "round N is retired", and fills the old
 * buffer with POISON. DMA threads read the window in a loop, with 8-byte
 * and 4 KiB DMAs: a read that started after round N was retired must not
 * see N or anything older, and must never see POISON; they also write
 * their own marker into the window, and the main thread checks that the
 * poisoned buffer stays poisoned until it is reused (no write landed after
 * the unmap). The DMA threads never register with urcu-memb themselves:
 * the DMA path does it, and unregisters them at exit.
 *
 * Also: statistics stay exact with more DMA threads than per-thread
 * counter slots, and threads that DMA'd and exited do not block grace
 * periods.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "dev_test.h"

#define IOVA 0x7f000000ULL
#define WIN (4 * SZ_4K) /* the window: four 4 KiB leaves, or one 2 MiB */
#define POISON 0xdeaddeaddeaddeadULL
#define MARK (1ULL << 63) /* what DMA writers put at word 1 of a page */
/*
 * DMA threads: one fewer than CPUs (at least one, at most three). A reader
 * preempted inside its read-side section holds up every grace period for
 * a time slice, so oversubscribing the CPUs only slows the rounds down.
 */
#define MAX_READERS 3

enum mode { MODE_UNMAP, MODE_UNMAP_HUGE, MODE_REPLACE };

struct shared {
	struct uio_dev *dev;
	enum mode mode;
	atomic_ullong retired; /* rounds <= this are unmapped */
	atomic_bool stop;
	atomic_uint started;
	atomic_ulong progress; /* translated DMAs, as they happen */
	atomic_ulong dmas, ok, bad_old, bad_poison, bad_value;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *dma_thread(void *arg)
{
	struct shared *sh = arg;
	uint64_t page[SZ_4K / 8];
	uint64_t seed = (uintptr_t)&page;
	unsigned long n = 0, ok = 0, old = 0, poison = 0, value = 0;

	atomic_fetch_add(&sh->started, 1);
	while (!atomic_load_explicit(&sh->stop, memory_order_relaxed)) {
		uint64_t r = atomic_load_explicit(&sh->retired,
						  memory_order_seq_cst);
		unsigned int pg;
		uint64_t v, mark;
		int ret;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		pg = (seed >> 33) % (WIN / SZ_4K);
		if (seed & (1ULL << 40)) {
			ret = uio_dma_read(sh->dev, UIO_DEV_NO_PASID,
					   IOVA + pg * SZ_4K, page, SZ_4K);
			v = page[0];
			/* a whole page of one round, or a violation */
			if (!ret &&
			    (page[SZ_4K / 8 - 1] != v || page[100] != v))
				value++;
		} else {
			ret = uio_dma_read(sh->dev, UIO_DEV_NO_PASID,
					   IOVA + pg * SZ_4K + 16, &v, 8);
		}
		n++;
		if (ret) {
			if (ret != -EFAULT)
				value++;
			continue;
		}
		ok++;
		atomic_fetch_add_explicit(&sh->progress, 1,
					  memory_order_relaxed);
		if (v == POISON)
			poison++;
		else if (v <= r)
			old++;
		/* word 1 of each page is the writers' */
		mark = MARK | v;
		ret = uio_dma_write(sh->dev, UIO_DEV_NO_PASID,
				    IOVA + pg * SZ_4K + 8, &mark, 8);
		if (ret && ret != -EFAULT)
			value++;
	}
	atomic_fetch_add(&sh->dmas, n);
	atomic_fetch_add(&sh->ok, ok);
	atomic_fetch_add(&sh->bad_old, old);
	atomic_fetch_add(&sh->bad_poison, poison);
	atomic_fetch_add(&sh->bad_value, value);
	return NULL;
}

static void fill_words(uint64_t *p, size_t bytes, uint64_t v)
{
	size_t i;

	for (i = 0; i < bytes / 8; i++)
		p[i] = v;
}

/* the poisoned buffer saw no DMA write since it was unmapped */
static bool still_poisoned(const uint64_t *p, size_t bytes)
{
	size_t i;

	for (i = 0; i < bytes / 8; i++)
		if (p[i] != POISON)
			return false;
	return true;
}

static void run_canary(enum mode mode, double seconds)
{
	struct shared sh = { .mode = mode };
	pthread_t th[MAX_READERS];
	struct uio_domain *dom[2];
	uint64_t *buf[2];
	size_t buflen = mode == MODE_UNMAP_HUGE ? SZ_2M : WIN;
	/* DMAs touch the window only: fill and check just that */
	size_t filled = WIN;
	uint64_t mapped = mode == MODE_UNMAP_HUGE ? SZ_2M : WIN;
	unsigned long rounds = 0, bad_writes = 0;
	double end;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int i, readers = cpus - 1 < 1 ? 1 : cpus - 1 > 3 ? 3 : cpus - 1;

	sh.dev = dev_test_dev(0);
	for (i = 0; i < 2; i++) {
		dom[i] = dev_test_domain(false);
		buf[i] = dev_test_mem(buflen, SZ_2M);
		fill_words(buf[i], buflen, POISON);
	}
	if (mode == MODE_REPLACE) {
		/* each domain maps its own buffer for good */
		for (i = 0; i < 2; i++)
			assert_int_equal(uio_domain_map(dom[i], IOVA,
							(uintptr_t)buf[i],
							mapped, RW, false),
					 0);
	} else {
		assert_int_equal(uio_dev_set_domain(sh.dev, UIO_DEV_NO_PASID,
						    dom[0]),
				 0);
	}
	for (i = 0; i < readers; i++)
		assert_int_equal(pthread_create(&th[i], NULL, dma_thread, &sh),
				 0);
	while (atomic_load(&sh.started) < (unsigned int)readers)
		sched_yield();

	end = now_s() + seconds;
	while (now_s() < end) {
		uint64_t round = ++rounds;
		unsigned int b = round & 1;
		unsigned long p0;
		int spin;

		/* the buffer about to be used stayed poisoned while unused */
		if (!still_poisoned(buf[b], filled))
			bad_writes++;
		fill_words(buf[b], filled, round);
		if (mode == MODE_REPLACE) {
			/* now and then through "blocked" */
			if (round % 3 == 0)
				assert_int_equal(
					uio_dev_set_domain(
						sh.dev, UIO_DEV_NO_PASID, NULL),
					0);
			/* dom[b] maps buf[b]: replaces the last round's */
			assert_int_equal(uio_dev_set_domain(sh.dev,
							    UIO_DEV_NO_PASID,
							    dom[b]),
					 0);
			atomic_store_explicit(&sh.retired, round - 1,
					      memory_order_seq_cst);
			fill_words(buf[b ^ 1], filled, POISON);
		} else {
			assert_int_equal(
				uio_domain_map(dom[0], IOVA, (uintptr_t)buf[b],
					       mapped, RW,
					       mode == MODE_UNMAP_HUGE),
				0);
		}
		/* let the DMA threads translate through the new mapping */
		p0 = atomic_load(&sh.progress);
		for (spin = 0; spin < 100000; spin++)
			if (atomic_load_explicit(&sh.progress,
						 memory_order_relaxed) >=
			    p0 + 4)
				break;
		if (mode != MODE_REPLACE) {
			assert_int_equal(uio_domain_unmap(dom[0], IOVA, mapped),
					 mapped);
			atomic_store_explicit(&sh.retired, round,
					      memory_order_seq_cst);
			fill_words(buf[b], filled, POISON);
		}
	}
	atomic_store(&sh.stop, true);
	for (i = 0; i < readers; i++)
		pthread_join(th[i], NULL);

	printf("# mode %d, %d DMA threads: %lu rounds, %lu DMAs, %lu "
	       "translated\n",
	       mode, readers, rounds, atomic_load(&sh.dmas),
	       atomic_load(&sh.ok));
	assert_int_equal(atomic_load(&sh.bad_old), 0);
	assert_int_equal(atomic_load(&sh.bad_poison), 0);
	assert_int_equal(atomic_load(&sh.bad_value), 0);
	assert_int_equal(bad_writes, 0);
	assert_true(rounds > 10);
	assert_true(atomic_load(&sh.ok) > 0);

	assert_int_equal(uio_dev_set_domain(sh.dev, UIO_DEV_NO_PASID, NULL), 0);
	uio_dev_destroy(sh.dev);
	for (i = 0; i < 2; i++) {
		uio_domain_free(dom[i]);
		munmap(buf[i], buflen);
	}
}

static void test_canary_unmap(void **state)
{
	run_canary(MODE_UNMAP, 1.0);
}

static void test_canary_unmap_huge(void **state)
{
	run_canary(MODE_UNMAP_HUGE, 1.0);
}

static void test_canary_replace(void **state)
{
	run_canary(MODE_REPLACE, 1.0);
}

/* more DMA threads than counter slots, some exiting while others run */
#define MANY 48
#define PER_THREAD 2000

struct many {
	struct uio_dev *dev;
	uint64_t sum;
};

/* no cmocka asserts off the main thread: the sum tells */
static void *many_thread(void *arg)
{
	struct many *m = arg;
	uint64_t v;
	int i;

	for (i = 0; i < PER_THREAD; i++) {
		if (uio_dma_read(m->dev, UIO_DEV_NO_PASID, IOVA + (i & 7) * 8,
				 &v, 8))
			m->sum = UINT64_MAX / 2;
		m->sum += v;
	}
	/* and one fault each */
	if (uio_dma_read(m->dev, UIO_DEV_NO_PASID, IOVA + SZ_4K, &v, 8) !=
	    -EFAULT)
		m->sum = UINT64_MAX;
	return NULL;
}

static void test_many_threads(void **state)
{
	struct uio_dev *dev = dev_test_dev(0);
	struct uio_domain *d = dev_test_domain(false);
	uint64_t *mem = dev_test_mem(SZ_4K, SZ_4K);
	static struct many m[MANY];
	pthread_t th[MANY];
	struct uio_dev_stats s;
	int i;

	fill_words(mem, SZ_4K, 3);
	assert_int_equal(uio_dev_set_domain(dev, UIO_DEV_NO_PASID, d), 0);
	assert_int_equal(
		uio_domain_map(d, IOVA, (uintptr_t)mem, SZ_4K, RW, false), 0);
	for (i = 0; i < MANY; i++) {
		m[i].dev = dev;
		assert_int_equal(
			pthread_create(&th[i], NULL, many_thread, &m[i]), 0);
	}
	for (i = 0; i < MANY; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(m[i].sum, 3ULL * PER_THREAD);
	}
	uio_dev_get_stats(dev, &s);
	assert_int_equal(s.dma_ops, MANY * (PER_THREAD + 1));
	assert_int_equal(s.dma_bytes, MANY * PER_THREAD * 8);
	assert_int_equal(s.iotlb_hits + s.iotlb_misses,
			 MANY * (PER_THREAD + 1));
	assert_int_equal(s.faults_translation, MANY);

	/* all those threads exited registered-by-us: grace periods go on */
	assert_int_equal(uio_domain_unmap(d, IOVA, SZ_4K), SZ_4K);
	assert_int_equal(uio_dev_set_domain(dev, UIO_DEV_NO_PASID, NULL), 0);
	uio_dev_destroy(dev);
	uio_domain_free(d);
	munmap(mem, SZ_4K);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canary_unmap),
		cmocka_unit_test(test_canary_unmap_huge),
		cmocka_unit_test(test_canary_replace),
		cmocka_unit_test(test_many_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
