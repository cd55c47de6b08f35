/* SPDX-License-Identifier: MIT */
/*
 * IO page faults end to end: a device with PRI (UIOMMUFD_DEV_PRI) attached
 * to a HWPT allocated with IOMMU_HWPT_FAULT_ID_VALID DMAs where nothing is
 * mapped; its page request waits in the fault queue, a handler reads it
 * from the fault fd and writes the response, and the DMA finishes. For
 * each model:
 *  - the record (dev_id, page address, permission, LAST_PAGE, a cookie);
 *  - poll(): POLLIN while the request waits unread, not once it is read;
 *  - INVALID: the DMA fails (-EFAULT), counted as a translation fault;
 *  - SUCCESS after the handler maps the page: the DMA returns its data;
 *  - a handler slower than the device's spin (the device then sleeps);
 *  - several device threads faulting at once, answered by a handler that
 *    polls the fd with non-blocking reads (as the benchmark's does) and
 *    one that sleeps in poll(2), the fd not readable at the end;
 *  - detaching the device answers its requests, read or not: the DMA
 *    fails, the cookie is gone, the fd is not readable;
 *  - a request with no fault queue behind the HWPT fails the DMA at once.
 *
 * A plain program: exit 0 pass, 1 fail; each failure prints one line.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/iommufd.h>

#include "uiommufd/uiommufd.h"
#include "../common/inproc.h"
#include "../common/model_check.h"

#define PS 4096UL
#define IOVA_BASE (1ULL << 30)
#define RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
#define THREADS 4
#define ROUNDS 200
#define WAIT_MS 5000 /* for anything that should come at once */

static const char *const models[] = { "mock", "vtd", "smmuv3", "amd" };

struct env {
	int fd, ffd;
	uint32_t ioas, dev_id, fault_id, hwpt;
	struct uiommufd_dev *dev;
	uint8_t *pages; /* THREADS * ROUNDS pages, each tagged */
};

/* one DMA on its own thread */
struct dma_job {
	struct env *e;
	uint64_t iova;
	uint64_t val;
	int rc;
	pthread_t t;
};

static void *dma_one(void *arg)
{
	struct dma_job *j = arg;

	j->val = 0;
	j->rc = uiommufd_dma_read(j->e->dev, UIOMMUFD_NO_PASID, j->iova,
				  &j->val, sizeof(j->val));
	return NULL;
}

static void dma_start(struct dma_job *j, struct env *e, uint64_t iova)
{
	j->e = e;
	j->iova = iova;
	if (pthread_create(&j->t, NULL, dma_one, j))
		abort();
}

static int poll_in(int ffd, int timeout_ms)
{
	struct pollfd p = { .fd = ffd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

static ssize_t respond(int ffd, uint32_t cookie, uint32_t code)
{
	struct iommu_hwpt_page_response r = { .cookie = cookie, .code = code };

	return uiommufd_write(ffd, &r, sizeof(r));
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * The one record a waiting request left, read once the fd says so: -EIO if
 * the fd said so with nothing to read (checked, then read again, so that a
 * broken poll() fails the test rather than hanging it)
 */
static int read_one(struct env *e, struct iommu_hwpt_pgfault *rec)
{
	double deadline = now_ms() + WAIT_MS;
	int rc = 0;

	while (now_ms() < deadline) {
		if (!poll_in(e->ffd, WAIT_MS))
			return -ETIMEDOUT;
		if (uiommufd_read(e->ffd, rec, sizeof(*rec)) == sizeof(*rec))
			return rc;
		rc = -EIO;
	}
	return -ETIMEDOUT;
}

static void setup(struct env *e, const char *model)
{
	struct uiommufd_dev_config cfg = {
		.model = model,
		.rid = 0x20,
		.flags = UIOMMUFD_DEV_PRI,
	};
	struct iommu_fault_alloc falloc = { .size = sizeof(falloc) };
	struct iommu_hwpt_alloc halloc = { .size = sizeof(halloc) };
	size_t i;

	memset(e, 0, sizeof(*e));
	e->pages = aligned_buffer(THREADS * ROUNDS * PS, PS);
	for (i = 0; i < THREADS * ROUNDS; i++)
		*(uint64_t *)(e->pages + i * PS) = 0x1000 + i;
	e->fd = uiommufd_open(O_CLOEXEC);
	CHECK(e->fd >= 0);
	CHECK(ioas_alloc(e->fd, &e->ioas) == 0);
	CHECK(uiommufd_ioctl(e->fd, IOMMU_FAULT_QUEUE_ALLOC, &falloc) == 0);
	e->ffd = falloc.out_fault_fd;
	e->fault_id = falloc.out_fault_id;
	CHECK(uiommufd_dev_create(&cfg, &e->dev) == 0);
	CHECK(uiommufd_dev_bind(e->dev, e->fd, &e->dev_id) == 0);
	halloc.dev_id = e->dev_id;
	halloc.pt_id = e->ioas;
	halloc.flags = IOMMU_HWPT_FAULT_ID_VALID;
	halloc.fault_id = e->fault_id;
	CHECK(uiommufd_ioctl(e->fd, IOMMU_HWPT_ALLOC, &halloc) == 0);
	e->hwpt = halloc.out_hwpt_id;
	CHECK(uiommufd_dev_attach(e->dev, UIOMMUFD_NO_PASID, &e->hwpt) == 0);
}

static void teardown(struct env *e)
{
	uiommufd_dev_destroy(e->dev);
	CHECK(uiommufd_close(e->ffd) == 0);
	CHECK(uiommufd_close(e->fd) == 0);
}

static void test_invalid(struct env *e)
{
	struct uiommufd_dev_stats st0, st1;
	struct iommu_hwpt_pgfault rec;
	struct dma_job j;

	uiommufd_dev_get_stats(e->dev, &st0);
	dma_start(&j, e, IOVA_BASE + 0x123);
	CHECK(read_one(e, &rec) == 0);
	CHECK(rec.dev_id == e->dev_id);
	CHECK(rec.addr == IOVA_BASE);
	CHECK(rec.perm == IOMMU_PGFAULT_PERM_READ);
	CHECK(rec.flags == IOMMU_PGFAULT_FLAGS_LAST_PAGE);
	CHECK(rec.pasid == 0 && rec.length == 0 && rec.cookie != 0);
	/* read: no longer waiting to be read */
	CHECK(!poll_in(e->ffd, 0));
	CHECK(uiommufd_read(e->ffd, &rec, sizeof(rec)) == 0);
	CHECK(respond(e->ffd, rec.cookie, IOMMUFD_PAGE_RESP_INVALID) ==
	      sizeof(struct iommu_hwpt_page_response));
	pthread_join(j.t, NULL);
	CHECK(j.rc == -EFAULT);
	uiommufd_dev_get_stats(e->dev, &st1);
	CHECK(st1.faults_translation == st0.faults_translation + 1);
	/* answered once: the cookie is gone */
	CHECK(respond(e->ffd, rec.cookie, IOMMUFD_PAGE_RESP_INVALID) ==
	      -EINVAL);
}

/* SUCCESS after a map, answered at once or after @delay_ms */
static void test_success(struct env *e, unsigned int page, int delay_ms)
{
	uint64_t iova = IOVA_BASE + page * PS;
	struct iommu_hwpt_pgfault rec;
	struct dma_job j;

	dma_start(&j, e, iova + 8);
	CHECK(read_one(e, &rec) == 0);
	CHECK(rec.addr == iova);
	if (delay_ms) {
		/* long past the device's spin: it sleeps, and is woken */
		struct timespec ts = { 0, delay_ms * 1000000L };

		nanosleep(&ts, NULL);
		CHECK(!poll_in(e->ffd, 0));
	}
	CHECK(map(e->fd, e->ioas, e->pages + page * PS, PS, iova, RW) == 0);
	CHECK(respond(e->ffd, rec.cookie, IOMMUFD_PAGE_RESP_SUCCESS) ==
	      sizeof(struct iommu_hwpt_page_response));
	pthread_join(j.t, NULL);
	CHECK(j.rc == 0);
	/* the DMA read 8 bytes into the page: past the tag */
	CHECK(j.val == *(uint64_t *)(e->pages + page * PS + 8));
	CHECK(unmap(e->fd, e->ioas, iova, PS) == 0);
}

/* a request waits unread for a while: the fd stays readable meanwhile */
static void test_waits_readable(struct env *e)
{
	struct timespec ts = { 0, 20 * 1000000L };
	struct iommu_hwpt_pgfault rec;
	struct dma_job j;

	dma_start(&j, e, IOVA_BASE);
	CHECK(poll_in(e->ffd, WAIT_MS));
	nanosleep(&ts, NULL);
	CHECK(poll_in(e->ffd, 0));
	CHECK(uiommufd_read(e->ffd, &rec, sizeof(rec)) == sizeof(rec));
	CHECK(!poll_in(e->ffd, 0));
	CHECK(respond(e->ffd, rec.cookie, IOMMUFD_PAGE_RESP_INVALID) ==
	      sizeof(struct iommu_hwpt_page_response));
	pthread_join(j.t, NULL);
	CHECK(j.rc == -EFAULT);
}

/* THREADS device threads, ROUNDS faults each, each at a page of its own */
struct worker {
	struct env *e;
	unsigned int idx;
	int bad;
	pthread_t t;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned int r;
	uint64_t v;

	for (r = 0; r < ROUNDS; r++) {
		unsigned int page = w->idx * ROUNDS + r;
		int rc = uiommufd_dma_read(w->e->dev, UIOMMUFD_NO_PASID,
					   IOVA_BASE + page * PS, &v,
					   sizeof(v));

		/* odd rounds are answered INVALID, even ones mapped */
		if (r & 1 ? rc != -EFAULT : rc != 0 || v != 0x1000 + page)
			w->bad++;
	}
	return NULL;
}

static void test_threads(struct env *e, bool sleeping_handler)
{
	double deadline = now_ms() + 10 * WAIT_MS;
	struct worker w[THREADS];
	unsigned int i, answered = 0;
	bool stuck = false;

	for (i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .e = e, .idx = i };
		if (pthread_create(&w[i].t, NULL, worker_main, &w[i]))
			abort();
	}
	while (answered < THREADS * ROUNDS && !stuck) {
		struct iommu_hwpt_pgfault rec[THREADS];
		ssize_t n;
		int k;

		if ((sleeping_handler && !poll_in(e->ffd, WAIT_MS)) ||
		    now_ms() > deadline) {
			stuck = true;
			break;
		}
		n = uiommufd_read(e->ffd, rec, sizeof(rec));
		if (!n)
			continue;
		CHECK(n > 0 && n % sizeof(rec[0]) == 0);
		if (n < 0)
			break;
		for (k = 0; k < n / (ssize_t)sizeof(rec[0]); k++) {
			unsigned int page = (rec[k].addr - IOVA_BASE) / PS;
			uint32_t code = IOMMUFD_PAGE_RESP_INVALID;

			if (!(page % ROUNDS & 1)) {
				CHECK(map(e->fd, e->ioas, e->pages + page * PS,
					  PS, rec[k].addr, RW) == 0);
				code = IOMMUFD_PAGE_RESP_SUCCESS;
			}
			CHECK(respond(e->ffd, rec[k].cookie, code) ==
			      sizeof(struct iommu_hwpt_page_response));
			answered++;
		}
	}
	CHECK(!stuck);
	for (i = 0; i < THREADS; i++) {
		pthread_join(w[i].t, NULL);
		CHECK(w[i].bad == 0);
	}
	CHECK(!poll_in(e->ffd, 0));
	/* the even rounds' pages: all of them, at once */
	CHECK(unmap(e->fd, e->ioas, 0, UINT64_MAX) == 0);
}

/* detach answers a request read and one not read */
static void test_detach(struct env *e)
{
	struct iommu_hwpt_pgfault rec;
	struct dma_job j1, j2;
	uint32_t pt = e->hwpt;

	dma_start(&j1, e, IOVA_BASE);
	CHECK(read_one(e, &rec) == 0);
	/* a second device thread: its request stays unread */
	dma_start(&j2, e, IOVA_BASE + PS);
	CHECK(poll_in(e->ffd, WAIT_MS));
	CHECK(uiommufd_dev_detach(e->dev, UIOMMUFD_NO_PASID) == 0);
	pthread_join(j1.t, NULL);
	pthread_join(j2.t, NULL);
	CHECK(j1.rc == -EFAULT && j2.rc == -EFAULT);
	CHECK(!poll_in(e->ffd, 0));
	CHECK(uiommufd_read(e->ffd, &rec, sizeof(rec)) == 0);
	CHECK(respond(e->ffd, rec.cookie, IOMMUFD_PAGE_RESP_SUCCESS) ==
	      -EINVAL);
	CHECK(uiommufd_dev_attach(e->dev, UIOMMUFD_NO_PASID, &pt) == 0);
}

/* a HWPT without a fault queue: the request is not taken, the DMA fails */
static void test_no_queue(struct env *e)
{
	uint32_t pt = e->ioas;
	uint64_t v;

	CHECK(uiommufd_dev_replace(e->dev, UIOMMUFD_NO_PASID, &pt) == 0);
	CHECK(uiommufd_dma_read(e->dev, UIOMMUFD_NO_PASID, IOVA_BASE, &v,
				sizeof(v)) == -EFAULT);
	CHECK(!poll_in(e->ffd, 0));
	pt = e->hwpt;
	CHECK(uiommufd_dev_replace(e->dev, UIOMMUFD_NO_PASID, &pt) == 0);
}

int main(void)
{
	unsigned int m;

	for (m = 0; m < sizeof(models) / sizeof(models[0]); m++) {
		struct env e;

		cur_model = models[m];
		setup(&e, models[m]);
		test_invalid(&e);
		test_success(&e, 3, 0);
		test_success(&e, 4, 50);
		test_waits_readable(&e);
		test_threads(&e, false);
		test_threads(&e, true);
		test_detach(&e);
		test_no_queue(&e);
		test_invalid(&e);
		teardown(&e);
	}
	printf("test_iopf_dma: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
