/* SPDX-License-Identifier: MIT */
/*
 * bench_iopf: the IO page fault round trip, reported by uiommufd-bench.
 *
 * Two threads, pinned to two different CPUs of the ones the process may
 * run on (the first two of its affinity mask) and kept for the whole
 * measurement: a "device" thread, which issues the requests and times
 * them, and a "handler" thread, which answers. Everything goes through the
 * library's public API, in-process: an iommufd context, an IOAS, a fault
 * queue (IOMMU_FAULT_QUEUE_ALLOC), a VT-d device with PRI
 * (UIOMMUFD_DEV_PRI) attached to a paging HWPT allocated over the IOAS
 * with IOMMU_HWPT_FAULT_ID_VALID.
 *
 *   iopf_round_trip_vs_spin_rtt   one IO page fault round trip divided by
 *                                 one spin round trip (goal <= 1.5):
 *       measured: the device thread DMAs 8 bytes at an IOVA nothing maps;
 *       the translation fault becomes a page request, the DMA blocks
 *       while it waits in the fault queue. The handler thread polls the
 *       fault fd with non-blocking uiommufd_read() calls (a poll-mode
 *       handler, as a VMM dedicating a thread to faults would run it; see
 *       below for one that sleeps), gets the 40-byte record, and writes
 *       the page response, IOMMUFD_PAGE_RESP_INVALID, with uiommufd_write().
 *       The device's DMA then returns -EFAULT. Time: from the DMA's call to
 *       its return, per fault. INVALID is the cheapest honest round trip:
 *       the whole request / record / response / wake-up path, and no
 *       IOAS_MAP in the loop (that is the map variant below).
 *       baseline: the same two threads hand a message over and back
 *       through shared memory by spinning: the device thread writes a
 *       40-byte record and a sequence number into one cache line, the
 *       handler spins until it sees it, copies the record and writes an
 *       8-byte response and the number into another line, on which the
 *       device thread spins. Both spin loops use the same pause
 *       (caa_cpu_relax) as the handler's poll loop.
 *
 *   iopf_map_round_trip_vs_spin_rtt  the same with the fault resolved: the
 *       handler unmaps the page the previous fault mapped, maps the
 *       faulting one (IOAS_MAP, FIXED_IOVA, 4 KiB) and answers SUCCESS;
 *       the device's retry finds the page and the DMA returns its data.
 *       The device alternates between two IOVAs, so every DMA faults. An
 *       IOAS_MAP + IOAS_UNMAP pair (the unmap waits for DMA to drain: a
 *       grace period) is in every round trip. No goal: what a VMM that
 *       pages in on demand pays.
 *
 *   iopf_blocking_round_trip_vs_spin_rtt  the first figure with a handler
 *       that sleeps in poll(2) on the fault fd until it is readable, as a
 *       VMM's event loop would, then reads and answers. Every round trip
 *       then pays the eventfd's wake-up and the scheduler. No goal.
 *
 * The _ns keys give the times behind each ratio, iopf_cpus the two CPUs.
 * Each figure is the median of several batches, the modes interleaved
 * batch by batch (rotating which goes first); --quick runs fewer, shorter
 * ones. A process allowed fewer than two CPUs reports nothing: spinning
 * threads that share one CPU measure the scheduler's time slice.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <urcu/arch.h>

#include <linux/iommufd.h>

#include "bench_util.h"
#include "bench_iopf.h"
#include "uiommufd/uiommufd.h"

#define PAGE 4096ULL
#define IOVA_HOLE 0x40000000ULL /* never mapped */
#define IOVA_MAP 0x50000000ULL /* two pages, mapped by the handler */
#define MAX_BATCHES 15
#define PATTERN 0x0123456789abcdefULL

enum mode {
	MODE_SPIN,
	MODE_IOPF, /* poll-mode handler, INVALID */
	MODE_IOPF_MAP, /* poll-mode handler, map + SUCCESS */
	MODE_IOPF_BLOCK, /* handler sleeps in poll(2), INVALID */
	MODE_COUNT,
	MODE_EXIT = MODE_COUNT,
};

/* one direction of the spin baseline: a cache line of its own */
struct spin_line {
	_Alignas(64) atomic_uint_least64_t seq;
	union {
		struct iommu_hwpt_pgfault rec;
		struct iommu_hwpt_page_response resp;
	};
};

struct ctx {
	int fd, ffd;
	uint32_t ioas, hwpt, dev_id;
	struct uiommufd_dev *dev;
	uint8_t *page; /* what the map variant maps */
	int cpu[2];
	pthread_t handler;
	pthread_barrier_t start, end;
	/* the next batch, set by the device thread before the start barrier */
	enum mode mode;
	long iters;
	uint64_t seq; /* the spin baseline's last sequence number */
	struct spin_line ping, pong;
	/* the device thread's results */
	int batches;
	long scale;
	double t[MODE_COUNT][MAX_BATCHES];
	int err;
};

static void die(const char *what, long rc)
{
	fprintf(stderr, "bench_iopf: %s: %ld (%s)\n", what, rc,
		uiommufd_last_reason());
	abort();
}

/* ---- the handler thread ---- */

static void handler_spin(struct ctx *c, long n)
{
	uint64_t seq = c->seq;
	struct iommu_hwpt_pgfault rec;

	while (n--) {
		seq++;
		while (atomic_load_explicit(&c->ping.seq,
					    memory_order_acquire) != seq)
			caa_cpu_relax();
		rec = c->ping.rec;
		c->pong.resp.cookie = rec.cookie;
		c->pong.resp.code = IOMMUFD_PAGE_RESP_INVALID;
		atomic_store_explicit(&c->pong.seq, seq, memory_order_release);
	}
}

static void map_page(struct ctx *c, uint64_t iova)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = c->ioas,
		.user_va = (uintptr_t)c->page,
		.length = PAGE,
		.iova = iova,
	};
	long rc = uiommufd_ioctl(c->fd, IOMMU_IOAS_MAP, &map);

	if (rc)
		die("IOAS_MAP", rc);
}

static void unmap_page(struct ctx *c, uint64_t iova)
{
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap),
		.ioas_id = c->ioas,
		.iova = iova,
		.length = PAGE,
	};
	long rc = uiommufd_ioctl(c->fd, IOMMU_IOAS_UNMAP, &unmap);

	if (rc)
		die("IOAS_UNMAP", rc);
}

/*
 * Answer @n faults. The map variant leaves the last page it mapped in
 * *@mapped: the device's retry may still be on its way to it.
 */
static void handler_iopf(struct ctx *c, long n, enum mode mode,
			 uint64_t *mapped)
{
	struct pollfd pfd = { .fd = c->ffd, .events = POLLIN };
	struct iommu_hwpt_page_response resp;
	struct iommu_hwpt_pgfault rec;
	ssize_t rc;

	while (n) {
		if (mode == MODE_IOPF_BLOCK && poll(&pfd, 1, -1) < 0)
			die("poll", -errno);
		rc = uiommufd_read(c->ffd, &rec, sizeof(rec));
		if (rc == 0) {
			caa_cpu_relax();
			continue;
		}
		if (rc != sizeof(rec))
			die("fault read", rc);
		resp.cookie = rec.cookie;
		resp.code = IOMMUFD_PAGE_RESP_INVALID;
		if (mode == MODE_IOPF_MAP) {
			if (*mapped)
				unmap_page(c, *mapped);
			map_page(c, rec.addr);
			*mapped = rec.addr;
			resp.code = IOMMUFD_PAGE_RESP_SUCCESS;
		}
		rc = uiommufd_write(c->ffd, &resp, sizeof(resp));
		if (rc != sizeof(resp))
			die("page response", rc);
		n--;
	}
}

static void *handler_main(void *arg)
{
	struct ctx *c = arg;
	uint64_t mapped = 0;

	for (;;) {
		pthread_barrier_wait(&c->start);
		if (c->mode == MODE_EXIT)
			return NULL;
		if (c->mode == MODE_SPIN)
			handler_spin(c, c->iters);
		else
			handler_iopf(c, c->iters, c->mode, &mapped);
		pthread_barrier_wait(&c->end);
		/* the device's last DMA is done: its page can go */
		if (mapped)
			unmap_page(c, mapped);
		mapped = 0;
	}
}

/* ---- the device thread: each loop returns ns per round trip ---- */

static double device_spin(struct ctx *c, long n)
{
	uint64_t seq = c->seq;
	double t0 = bench_now_ns();
	long i;

	for (i = 0; i < n; i++) {
		seq++;
		c->ping.rec.addr = IOVA_HOLE;
		c->ping.rec.cookie = (uint32_t)seq;
		atomic_store_explicit(&c->ping.seq, seq, memory_order_release);
		while (atomic_load_explicit(&c->pong.seq,
					    memory_order_acquire) != seq)
			caa_cpu_relax();
		if (c->pong.resp.cookie != (uint32_t)seq)
			c->err = -EIO;
	}
	c->seq = seq;
	return (bench_now_ns() - t0) / n;
}

static double device_iopf(struct ctx *c, long n, enum mode mode)
{
	double t0 = bench_now_ns();
	uint64_t v;
	long i;
	int rc;

	for (i = 0; i < n; i++) {
		if (mode == MODE_IOPF_MAP) {
			v = 0;
			rc = uiommufd_dma_read(c->dev, UIOMMUFD_NO_PASID,
					       IOVA_MAP + (i & 1) * PAGE, &v,
					       sizeof(v));
			if (rc || v != PATTERN)
				c->err = rc ? rc : -EIO;
		} else {
			rc = uiommufd_dma_read(c->dev, UIOMMUFD_NO_PASID,
					       IOVA_HOLE, &v, sizeof(v));
			if (rc != -EFAULT)
				c->err = rc ? rc : -EIO;
		}
	}
	return (bench_now_ns() - t0) / n;
}

static double run_batch(struct ctx *c, enum mode mode, long n)
{
	double t;

	c->mode = mode;
	c->iters = n;
	pthread_barrier_wait(&c->start);
	if (mode == MODE_SPIN)
		t = device_spin(c, n);
	else
		t = device_iopf(c, n, mode);
	pthread_barrier_wait(&c->end);
	return t;
}

/* round trips per batch: each batch some 10 to 50 ms at this tree's speed */
static long batch_iters(const struct ctx *c, enum mode mode)
{
	static const long base[MODE_COUNT] = {
		[MODE_SPIN] = 20000,
		[MODE_IOPF] = 5000,
		[MODE_IOPF_MAP] = 1000,
		[MODE_IOPF_BLOCK] = 1000,
	};

	return base[mode] * c->scale;
}

static void *device_main(void *arg)
{
	struct ctx *c = arg;
	int b, k;

	for (k = 0; k < MODE_COUNT; k++) /* warm up */
		run_batch(c, k, batch_iters(c, k) / 4 + 1);
	for (b = 0; b < c->batches && !c->err; b++)
		for (k = 0; k < MODE_COUNT; k++) {
			enum mode m = (b + k) % MODE_COUNT;

			c->t[m][b] = run_batch(c, m, batch_iters(c, m));
		}
	c->mode = MODE_EXIT;
	pthread_barrier_wait(&c->start);
	return NULL;
}

/* ---- setup ---- */

/* the first two CPUs this process may run on; -1 if there are not two */
static int pick_cpus(int cpu[2])
{
	cpu_set_t set;
	int i, n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -1;
	for (i = 0; i < CPU_SETSIZE && n < 2; i++)
		if (CPU_ISSET(i, &set))
			cpu[n++] = i;
	return n == 2 ? 0 : -1;
}

static int setup(struct ctx *c)
{
	struct uiommufd_dev_config cfg = {
		.model = "vtd",
		.rid = 0x10,
		.flags = UIOMMUFD_DEV_PRI,
	};
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_fault_alloc falloc = { .size = sizeof(falloc) };
	struct iommu_hwpt_alloc halloc = { .size = sizeof(halloc) };
	long rc;

	c->page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (c->page == MAP_FAILED) {
		c->page = NULL;
		return -ENOMEM;
	}
	*(uint64_t *)c->page = PATTERN;
	c->fd = uiommufd_open(O_CLOEXEC);
	if (c->fd < 0)
		return c->fd;
	rc = uiommufd_ioctl(c->fd, IOMMU_IOAS_ALLOC, &alloc);
	if (rc)
		return rc;
	c->ioas = alloc.out_ioas_id;
	rc = uiommufd_ioctl(c->fd, IOMMU_FAULT_QUEUE_ALLOC, &falloc);
	if (rc)
		return rc;
	c->ffd = falloc.out_fault_fd;
	rc = uiommufd_dev_create(&cfg, &c->dev);
	if (!rc)
		rc = uiommufd_dev_bind(c->dev, c->fd, &c->dev_id);
	if (rc)
		return rc;
	halloc.dev_id = c->dev_id;
	halloc.pt_id = c->ioas;
	halloc.flags = IOMMU_HWPT_FAULT_ID_VALID;
	halloc.fault_id = falloc.out_fault_id;
	rc = uiommufd_ioctl(c->fd, IOMMU_HWPT_ALLOC, &halloc);
	if (rc)
		return rc;
	c->hwpt = halloc.out_hwpt_id;
	return uiommufd_dev_attach(c->dev, UIOMMUFD_NO_PASID, &c->hwpt);
}

static void teardown(struct ctx *c)
{
	if (c->dev)
		uiommufd_dev_destroy(c->dev);
	if (c->ffd > 0)
		uiommufd_close(c->ffd);
	if (c->fd > 0)
		uiommufd_close(c->fd);
	if (c->page)
		munmap(c->page, PAGE);
}

static int start_pinned(pthread_t *t, int cpu, void *(*fn)(void *),
			struct ctx *c)
{
	pthread_attr_t attr;
	cpu_set_t set;
	int rc;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_attr_init(&attr);
	rc = pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	if (!rc)
		rc = pthread_create(t, &attr, fn, c);
	pthread_attr_destroy(&attr);
	return -rc;
}

int bench_iopf(json_object *out, bool quick)
{
	static const char *const key[MODE_COUNT] = {
		[MODE_SPIN] = "iopf_spin_rtt",
		[MODE_IOPF] = "iopf_round_trip",
		[MODE_IOPF_MAP] = "iopf_map_round_trip",
		[MODE_IOPF_BLOCK] = "iopf_blocking_round_trip",
	};
	struct ctx *c;
	pthread_t device;
	double med[MODE_COUNT];
	char name[96], cpus[32];
	int k, ret;

	/* aligned for the spin lines */
	c = aligned_alloc(64, (sizeof(*c) + 63) & ~(size_t)63);
	if (!c)
		return -ENOMEM;
	memset(c, 0, sizeof(*c));
	c->fd = c->ffd = -1;
	c->batches = quick ? 5 : 11;
	c->scale = quick ? 1 : 4;
	if (pick_cpus(c->cpu)) {
		fprintf(stderr, "bench_iopf: fewer than two CPUs, skipped\n");
		free(c);
		return 0;
	}
	ret = setup(c);
	if (ret)
		goto out;
	pthread_barrier_init(&c->start, NULL, 2);
	pthread_barrier_init(&c->end, NULL, 2);
	ret = start_pinned(&c->handler, c->cpu[1], handler_main, c);
	if (ret)
		goto out_barriers;
	ret = start_pinned(&device, c->cpu[0], device_main, c);
	if (ret) {
		c->mode = MODE_EXIT;
		pthread_barrier_wait(&c->start);
	} else {
		pthread_join(device, NULL);
	}
	pthread_join(c->handler, NULL);
	if (ret)
		goto out_barriers;
	if (c->err) {
		fprintf(stderr, "bench_iopf: a round trip went wrong: %d\n",
			c->err);
		ret = -EIO;
		goto out_barriers;
	}
	for (k = 0; k < MODE_COUNT; k++) {
		double lo, hi;

		med[k] = bench_median(c->t[k], c->batches); /* sorts */
		lo = c->t[k][0];
		hi = c->t[k][c->batches - 1];
		snprintf(name, sizeof(name), "%s_ns", key[k]);
		bench_add(out, name, med[k]);
		snprintf(name, sizeof(name), "%s_min_ns", key[k]);
		bench_add(out, name, lo);
		snprintf(name, sizeof(name), "%s_max_ns", key[k]);
		bench_add(out, name, hi);
		if (k == MODE_SPIN)
			continue;
		snprintf(name, sizeof(name), "%s_vs_spin_rtt", key[k]);
		bench_add(out, name, med[k] / med[MODE_SPIN]);
	}
	snprintf(cpus, sizeof(cpus), "%d,%d", c->cpu[0], c->cpu[1]);
	json_object_object_add(out, "iopf_cpus", json_object_new_string(cpus));
out_barriers:
	pthread_barrier_destroy(&c->start);
	pthread_barrier_destroy(&c->end);
out:
	teardown(c);
	free(c);
	return ret;
}

void bench_iopf_print(json_object *out)
{
	json_object *v;

	if (!json_object_object_get_ex(out, "iopf_cpus", &v)) {
		printf("IO page fault figures skipped: fewer than two CPUs\n");
		return;
	}
	printf("spin round trip (CPUs %s):      %8.1f ns\n",
	       json_object_get_string(v), bench_get(out, "iopf_spin_rtt_ns"));
	printf("IOPF round trip, INVALID:       %8.1f ns  (%.2fx the spin RTT; "
	       "goal <= 1.5)\n",
	       bench_get(out, "iopf_round_trip_ns"),
	       bench_get(out, "iopf_round_trip_vs_spin_rtt"));
	printf("IOPF round trip, map+SUCCESS:   %8.1f ns  (%.2fx the spin RTT)\n",
	       bench_get(out, "iopf_map_round_trip_ns"),
	       bench_get(out, "iopf_map_round_trip_vs_spin_rtt"));
	printf("IOPF round trip, poll(2) wait:  %8.1f ns  (%.2fx the spin RTT)\n",
	       bench_get(out, "iopf_blocking_round_trip_ns"),
	       bench_get(out, "iopf_blocking_round_trip_vs_spin_rtt"));
}
