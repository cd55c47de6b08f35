/* SPDX-License-Identifier: MIT */
/*
 * dma-device: a device emulator whose every memory access is DMA through an
 * emulated IOMMU, as a vfio-user server or a QEMU device model would do it.
 *
 *   dma-device [MODEL]      MODEL: mock, vtd, smmuv3 (default) or amd
 *
 * The device is a small copy engine. Its driver (the other half of this
 * program, playing the guest) owns "guest memory", maps it into an IOAS and
 * talks to the device only through that memory:
 *
 *   ring      RING_SIZE descriptors {src, dst, len, status, result}
 *   doorbell  a 64-bit count of posted, unclaimed descriptors; the driver
 *             adds to it, the device claims the whole count at once by a
 *             compare-and-swap to 0 (uiommufd_dma_cas64)
 *   done      a 64-bit completion counter the device bumps by cas64
 *   buffers   source and destination data
 *
 * For each descriptor the device reads it by DMA, reads the source by DMA,
 * upper-cases it and writes it to the destination by DMA, then writes the
 * status back into the descriptor. A descriptor that points at an unmapped
 * IOVA, or at a read-only mapping as destination, makes the DMA fault: the
 * device reports it in the status and the library counts it in the device's
 * stats (uiommufd_dev_get_stats).
 *
 * Everything here is the library API in-process (uiommufd_open,
 * uiommufd_ioctl, uiommufd_dev_*, uiommufd_dma_*); no preload is needed. A
 * real emulator would run the device on its own thread: the DMA calls are
 * thread-safe. Here the driver "kicks" the device by calling it, so the
 * narration comes out in order. Any unexpected result exits 1.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/iommufd.h>
#include <uiommufd/uiommufd.h>

#define PAGE 4096UL
#define RAM_SIZE (1UL << 20)
#define RAM_IOVA 0x10000000ULL /* inside every model's aperture */
#define RO_IOVA (RAM_IOVA + 0x200000) /* a read-only page */
#define GONE_IOVA (RAM_IOVA + 0x300000) /* mapped, then unmapped */
#define NEVER_IOVA (RAM_IOVA + 0x400000) /* never mapped */

#define RING_SIZE 8
#define RING_OFF 0x0
#define DOORBELL_OFF 0x1000
#define DONE_OFF 0x1008
#define DATA_OFF 0x10000

enum { DESC_POSTED = 1, DESC_DONE = 2, DESC_FAULT = 3 };

/* one descriptor, as laid out in guest memory (little endian host) */
struct desc {
	uint64_t src, dst;
	uint32_t len, status;
	uint64_t result; /* bytes moved, or the -errno of the fault */
};

static int iommufd;

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fputs("dma-device: FAILED: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (%s)\n", uiommufd_last_reason());
	exit(1);
}

static void must(long rc, const char *what)
{
	if (rc < 0)
		die("%s: %s", what, strerror((int)-rc));
}

/* ---- the device: it sees only IOVAs ---- */

struct copy_engine {
	struct uiommufd_dev *dev;
	unsigned int head; /* next descriptor to process */
};

/* Atomically take every posted descriptor: the doorbell goes to 0. */
static uint64_t engine_claim(struct copy_engine *e)
{
	unsigned long long seen = 0;
	int rc;

	for (;;) {
		/* the CAS answers the current value when it does not match */
		rc = uiommufd_dma_cas64(e->dev, UIOMMUFD_NO_PASID,
					RAM_IOVA + DOORBELL_OFF, &seen, 0);
		if (rc == 0)
			return seen;
		if (rc != -EAGAIN)
			die("doorbell cas64: %s", strerror(-rc));
	}
}

/* done += 1, by a compare-and-swap loop */
static void engine_complete(struct copy_engine *e)
{
	unsigned long long seen = 0;
	int rc;

	while ((rc = uiommufd_dma_cas64(e->dev, UIOMMUFD_NO_PASID,
					RAM_IOVA + DONE_OFF, &seen,
					seen + 1)) == -EAGAIN)
		;
	if (rc)
		die("completion cas64: %s", strerror(-rc));
}

static void engine_one(struct copy_engine *e)
{
	uint64_t at = RAM_IOVA + RING_OFF + e->head * sizeof(struct desc);
	struct uiommufd_dev_stats before, after;
	unsigned long long fault_iova;
	const char *op;
	struct desc d;
	char data[PAGE];
	uint32_t i;
	int rc;

	e->head = (e->head + 1) % RING_SIZE;
	must(uiommufd_dma_read(e->dev, UIOMMUFD_NO_PASID, at, &d, sizeof(d)),
	     "descriptor read");
	if (d.status != DESC_POSTED || d.len > sizeof(data))
		die("descriptor at 0x%llx is not a posted one",
		    (unsigned long long)at);
	uiommufd_dev_get_stats(e->dev, &before);
	op = "read";
	fault_iova = d.src;
	rc = uiommufd_dma_read(e->dev, UIOMMUFD_NO_PASID, d.src, data, d.len);
	if (!rc) {
		for (i = 0; i < d.len; i++)
			data[i] = toupper((unsigned char)data[i]);
		op = "write";
		fault_iova = d.dst;
		rc = uiommufd_dma_write(e->dev, UIOMMUFD_NO_PASID, d.dst, data,
					d.len);
	}
	if (rc) {
		/* the stats say which kind of fault it was */
		uiommufd_dev_get_stats(e->dev, &after);
		printf("  device: DMA %s at 0x%llx faulted (%s fault, %s)\n",
		       op, (unsigned long long)fault_iova,
		       after.faults_permission > before.faults_permission
			       ? "permission"
			       : "translation",
		       strerror(-rc));
		d.status = DESC_FAULT;
		d.result = (uint64_t)(int64_t)rc;
	} else {
		printf("  device: copied %u bytes 0x%llx -> 0x%llx\n", d.len,
		       (unsigned long long)d.src, (unsigned long long)d.dst);
		d.status = DESC_DONE;
		d.result = d.len;
	}
	must(uiommufd_dma_write(e->dev, UIOMMUFD_NO_PASID, at, &d, sizeof(d)),
	     "descriptor write-back");
	engine_complete(e);
}

/* The doorbell rang: claim the posted work and do it. */
static void engine_kick(struct copy_engine *e)
{
	uint64_t n = engine_claim(e);

	printf("  device: doorbell claimed %llu descriptor(s) by cas64\n",
	       (unsigned long long)n);
	while (n--)
		engine_one(e);
}

/* ---- the driver: it owns the memory and the IOAS ---- */

struct driver {
	char *ram;
	unsigned int tail; /* next ring slot to fill */
	unsigned int data_next; /* next free data offset */
};

static struct desc *ring_slot(struct driver *drv, unsigned int i)
{
	return (struct desc *)(drv->ram + RING_OFF) + i;
}

/* Post one copy of @text to @dst (0: a fresh buffer in RAM); returns slot. */
static unsigned int post(struct driver *drv, const char *text, uint64_t src,
			 uint64_t dst)
{
	unsigned int slot = drv->tail;
	struct desc *d = ring_slot(drv, slot);
	size_t len = strlen(text) + 1;

	if (!src) {
		memcpy(drv->ram + drv->data_next, text, len);
		src = RAM_IOVA + drv->data_next;
		drv->data_next += 256;
	}
	if (!dst) {
		dst = RAM_IOVA + drv->data_next;
		drv->data_next += 256;
	}
	d->src = src;
	d->dst = dst;
	d->len = (uint32_t)len;
	d->result = 0;
	/* publish the descriptor before the doorbell counts it */
	__atomic_store_n(&d->status, DESC_POSTED, __ATOMIC_RELEASE);
	drv->tail = (drv->tail + 1) % RING_SIZE;
	return slot;
}

static void ring_doorbell(struct driver *drv, uint64_t n)
{
	__atomic_fetch_add((uint64_t *)(drv->ram + DOORBELL_OFF), n,
			   __ATOMIC_RELEASE);
	printf("driver: rang the doorbell for %llu descriptor(s)\n",
	       (unsigned long long)n);
}

static void expect_status(struct driver *drv, unsigned int slot,
			  uint32_t status, const char *text)
{
	struct desc *d = ring_slot(drv, slot);
	const char *out;
	size_t i;

	if (d->status != status)
		die("slot %u: status %u, expected %u", slot, d->status, status);
	if (status == DESC_FAULT) {
		printf("driver: slot %u failed with %s\n", slot,
		       strerror((int)-(int64_t)d->result));
		return;
	}
	out = drv->ram + (d->dst - RAM_IOVA);
	for (i = 0; text[i]; i++)
		if (out[i] != toupper((unsigned char)text[i]))
			die("slot %u: wrong data \"%s\"", slot, out);
	printf("driver: slot %u done: \"%s\"\n", slot, out);
}

static long map(uint32_t ioas, void *va, uint64_t iova, uint64_t len,
		uint32_t prot)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | prot,
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};

	return uiommufd_ioctl(iommufd, IOMMU_IOAS_MAP, &cmd);
}

static void *alloc_pages(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	return p;
}

int main(int argc, char **argv)
{
	struct uiommufd_dev_config cfg = {
		.model = argc > 1 ? argv[1] : "smmuv3",
		.rid = 0x100,
	};
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap) };
	struct uiommufd_dev_stats st0, st;
	struct copy_engine engine = { 0 };
	struct driver drv = { .data_next = DATA_OFF };
	unsigned int dev_id, pt_id, s_ok1, s_ok2, s_never, s_gone, s_ro,
		s_from_ro;
	char *ro, *gone;
	uint64_t done;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: %s [mock|vtd|smmuv3|amd]\n", argv[0]);
		return 2;
	}
	printf("dma-device: a copy engine behind an emulated %s IOMMU\n",
	       cfg.model);

	iommufd = uiommufd_open(O_CLOEXEC);
	must(iommufd, "uiommufd_open");
	must(uiommufd_ioctl(iommufd, IOMMU_IOAS_ALLOC, &alloc),
	     "IOMMU_IOAS_ALLOC");
	printf("setup: iommufd %d, ioas %u\n", iommufd, alloc.out_ioas_id);

	drv.ram = alloc_pages(RAM_SIZE);
	ro = alloc_pages(PAGE);
	gone = alloc_pages(PAGE);
	strcpy(ro, "read-only table");
	must(map(alloc.out_ioas_id, drv.ram, RAM_IOVA, RAM_SIZE,
		 IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE),
	     "IOAS_MAP ram");
	must(map(alloc.out_ioas_id, ro, RO_IOVA, PAGE, IOMMU_IOAS_MAP_READABLE),
	     "IOAS_MAP read-only page");
	must(map(alloc.out_ioas_id, gone, GONE_IOVA, PAGE,
		 IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE),
	     "IOAS_MAP scratch page");
	printf("setup: mapped 1 MiB of ring and buffers at IOVA 0x%llx, a read-only page at 0x%llx\n",
	       RAM_IOVA, RO_IOVA);

	must(uiommufd_dev_create(&cfg, &engine.dev), "uiommufd_dev_create");
	must(uiommufd_dev_bind(engine.dev, iommufd, &dev_id),
	     "uiommufd_dev_bind");
	pt_id = alloc.out_ioas_id;
	must(uiommufd_dev_attach(engine.dev, UIOMMUFD_NO_PASID, &pt_id),
	     "uiommufd_dev_attach");
	printf("setup: device rid 0x%x bound as dev_id %u, attached through hwpt %u\n",
	       cfg.rid, dev_id, pt_id);
	uiommufd_dev_get_stats(engine.dev, &st0);

	/* batch 1: two good copies */
	printf("batch 1: two copies within mapped memory\n");
	s_ok1 = post(&drv, "hello, device", 0, 0);
	s_ok2 = post(&drv, "dma through an iommu", 0, 0);
	ring_doorbell(&drv, 2);
	engine_kick(&engine);
	expect_status(&drv, s_ok1, DESC_DONE, "hello, device");
	expect_status(&drv, s_ok2, DESC_DONE, "dma through an iommu");

	/* batch 2: bad addresses, each must fault and be counted */
	unmap.ioas_id = alloc.out_ioas_id;
	unmap.iova = GONE_IOVA;
	unmap.length = PAGE;
	must(uiommufd_ioctl(iommufd, IOMMU_IOAS_UNMAP, &unmap),
	     "IOAS_UNMAP scratch page");
	printf("batch 2: the driver unmapped 0x%llx, then posts four copies\n",
	       GONE_IOVA);
	s_never = post(&drv, "to nowhere", 0, NEVER_IOVA);
	s_gone = post(&drv, "to an unmapped page", 0, GONE_IOVA);
	s_ro = post(&drv, "onto a read-only page", 0, RO_IOVA);
	s_from_ro = post(&drv, "", RO_IOVA, 0);
	ring_slot(&drv, s_from_ro)->len = (uint32_t)strlen(ro) + 1;
	ring_doorbell(&drv, 4);
	engine_kick(&engine);
	expect_status(&drv, s_never, DESC_FAULT, NULL);
	expect_status(&drv, s_gone, DESC_FAULT, NULL);
	expect_status(&drv, s_ro, DESC_FAULT, NULL);
	expect_status(&drv, s_from_ro, DESC_DONE, "read-only table");
	if (gone[0] != 0)
		die("a write reached the page after its unmap returned");

	done = *(volatile uint64_t *)(drv.ram + DONE_OFF);
	printf("driver: completion counter %llu, doorbell %llu\n",
	       (unsigned long long)done,
	       (unsigned long long)*(volatile uint64_t *)(drv.ram +
							  DOORBELL_OFF));
	if (done != 6)
		die("completion counter %llu, expected 6",
		    (unsigned long long)done);

	uiommufd_dev_get_stats(engine.dev, &st);
	printf("stats: %llu DMA ops, %llu bytes, IOTLB %llu hits / %llu misses, faults: %llu translation, %llu permission\n",
	       st.dma_ops - st0.dma_ops, st.dma_bytes - st0.dma_bytes,
	       st.iotlb_hits - st0.iotlb_hits,
	       st.iotlb_misses - st0.iotlb_misses,
	       st.faults_translation - st0.faults_translation,
	       st.faults_permission - st0.faults_permission);
	if (st.faults_translation - st0.faults_translation != 2 ||
	    st.faults_permission - st0.faults_permission != 1)
		die("fault counters do not match the three bad descriptors");

	must(uiommufd_dev_detach(engine.dev, UIOMMUFD_NO_PASID),
	     "uiommufd_dev_detach");
	uiommufd_dev_destroy(engine.dev);
	must(uiommufd_close(iommufd), "uiommufd_close");
	munmap(drv.ram, RAM_SIZE);
	munmap(ro, PAGE);
	munmap(gone, PAGE);
	printf("dma-device: ok\n");
	return 0;
}
