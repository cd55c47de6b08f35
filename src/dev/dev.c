/* SPDX-License-Identifier: MIT */
/*
 * dev: emulated devices, their attachments and counters (the DMA path is
 * dma.c, the translation cache iotlb.h).
 *
 * An attachment is one pointer per PASID (and one for the RID alone),
 * published with a sequentially consistent exchange and read lock-free by
 * the DMA path inside urcu_memb_read_lock(). Replacing it follows the RCU
 * recipe: publish the new domain, wait for a grace period (DMAs that read
 * the old pointer have finished), then bump the device's IOTLB epoch so
 * that every thread's IOTLB of the device starts over (iotlb.h: what it
 * protects against is a freed domain's pointer coming back). The wait is
 * skipped for a device that has never DMA'd: the first DMA announces
 * itself in dma_seen before it reads any slot, and the writer reads
 * dma_seen only after its exchange, so one of the two sees the other (both
 * seq_cst).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <urcu/urcu-memb.h>

#include "dev/dev_private.h"
#include "util/uaccess.h"
#include "util/alloc.h"
#include "util/fault_inject.h"
#include "util/reason.h"

#define KNOWN_HW_FLAGS                                             \
	(UIO_HW_DEV_NO_DIRTY | UIO_HW_DEV_PASID | UIO_HW_DEV_ATS | \
	 UIO_HW_DEV_PRI)

int uio_dev_create(const struct uio_dev_cfg *cfg, struct uio_dev **ret)
{
	struct uio_dev *dev;
	uint32_t hw_flags;
	void *mem;

	/* DMA copies recover from faults through this handler */
	uaccess_init();
	if (!cfg || !cfg->model)
		return uio_fail(-EINVAL, "a device needs an IOMMU model");
	if (cfg->pasid_bits > DEV_PASID_MAX_BITS)
		return uio_fail(-EINVAL, "PASID width %u is above %u bits",
				cfg->pasid_bits, DEV_PASID_MAX_BITS);
	if (cfg->hw_flags & ~KNOWN_HW_FLAGS)
		return uio_fail(-EINVAL, "unknown device flags 0x%x",
				cfg->hw_flags & ~KNOWN_HW_FLAGS);
	/* a width the model's hardware can have (uio_fail says which) */
	if (uio_hw_aw_check(cfg->model, cfg->aw))
		return -EINVAL;
	hw_flags = cfg->hw_flags;
	if ((hw_flags & UIO_HW_DEV_PASID) && !cfg->pasid_bits)
		return uio_fail(-EINVAL, "a PASID capable device needs a PASID "
					 "width");
	if (cfg->pasid_bits)
		hw_flags |= UIO_HW_DEV_PASID;

	/* the IOTLB and the counter blocks are cache-line aligned */
	if (fail_nth_point() ||
	    posix_memalign(&mem, _Alignof(struct uio_dev), sizeof(*dev)))
		return -ENOMEM;
	dev = memset(mem, 0, sizeof(*dev));
	dev->hw.model = cfg->model;
	dev->hw.flags = hw_flags;
	dev->hw.rid = cfg->rid;
	dev->hw.pasid_bits = cfg->pasid_bits;
	dev->hw.instance = cfg->instance;
	dev->hw.aw = cfg->aw;
	if (cfg->pasid_bits) {
		dev->pasid_limit = 1u << cfg->pasid_bits;
		dev->pasid_chunks = (dev->pasid_limit + DEV_PASID_CHUNK - 1) >>
				    DEV_PASID_CHUNK_LG2;
		dev->pasid_dir =
			uio_calloc(dev->pasid_chunks, sizeof(*dev->pasid_dir));
		if (!dev->pasid_dir) {
			free(dev);
			return -ENOMEM;
		}
	}
	pthread_mutex_init(&dev->lock, NULL);
	pthread_rwlock_init(&dev->sink_lock, NULL);
	*ret = dev;
	return 0;
}

void uio_dev_destroy(struct uio_dev *dev)
{
	unsigned int i;

	if (!dev)
		return;
	for (i = 0; i < DEV_STAT_SLOTS; i++)
		uio_free(atomic_load_explicit(&dev->iotlb[i],
					      memory_order_relaxed));
	for (i = 0; i < dev->pasid_chunks; i++)
		uio_free(atomic_load_explicit(&dev->pasid_dir[i],
					      memory_order_relaxed));
	uio_free(dev->pasid_dir);
	pthread_rwlock_destroy(&dev->sink_lock);
	pthread_mutex_destroy(&dev->lock);
	free(dev);
}

struct uio_hw_dev *uio_dev_hw(struct uio_dev *dev)
{
	return &dev->hw;
}

/* the slot of @pasid, allocated if @alloc; NULL: no such slot (yet) */
static dev_slot_t *dev_slot(struct uio_dev *dev, uint32_t pasid, bool alloc)
{
	_Atomic(dev_slot_t *) *chunkp;
	dev_slot_t *chunk;

	if (pasid == UIO_DEV_NO_PASID)
		return &dev->rid_domain;
	chunkp = &dev->pasid_dir[pasid >> DEV_PASID_CHUNK_LG2];
	chunk = atomic_load_explicit(chunkp, memory_order_acquire);
	if (chunk || !alloc)
		return chunk ? &chunk[pasid & (DEV_PASID_CHUNK - 1)] : NULL;
	chunk = uio_calloc(DEV_PASID_CHUNK, sizeof(*chunk));
	if (!chunk)
		return NULL;
	/* zeroed slots before the pointer (writers hold dev->lock) */
	atomic_store_explicit(chunkp, chunk, memory_order_release);
	return &chunk[pasid & (DEV_PASID_CHUNK - 1)];
}

static bool pasid_ok(const struct uio_dev *dev, uint32_t pasid)
{
	return pasid == UIO_DEV_NO_PASID || pasid < dev->pasid_limit;
}

int uio_dev_set_domain(struct uio_dev *dev, uint32_t pasid,
		       struct uio_domain *domain)
{
	struct uio_domain *old;
	dev_slot_t *slot;

	if (!pasid_ok(dev, pasid))
		return uio_fail(-EINVAL,
				"PASID %u is beyond the device's %u-bit width",
				pasid, dev->hw.pasid_bits);
	pthread_mutex_lock(&dev->lock);
	slot = dev_slot(dev, pasid, domain != NULL);
	if (!slot) {
		pthread_mutex_unlock(&dev->lock);
		/* detaching a PASID that never had a chunk: nothing to do */
		return domain ? -ENOMEM : 0;
	}
	old = atomic_exchange_explicit(slot, domain, memory_order_seq_cst);
	if (old && old != domain) {
		if (atomic_load_explicit(&dev->dma_seen, memory_order_seq_cst))
			urcu_memb_synchronize_rcu();
		/* every thread's IOTLB of this device starts over (iotlb.h) */
		atomic_fetch_add_explicit(&dev->iotlb_epoch, 1,
					  memory_order_release);
	}
	pthread_mutex_unlock(&dev->lock);
	return 0;
}

struct uio_domain *uio_dev_get_domain(struct uio_dev *dev, uint32_t pasid)
{
	dev_slot_t *slot;

	if (!pasid_ok(dev, pasid))
		return NULL;
	slot = dev_slot(dev, pasid, false);
	return slot ? atomic_load_explicit(slot, memory_order_acquire) : NULL;
}

void uio_dev_set_fault_sink(struct uio_dev *dev,
			    const struct uio_dev_fault_sink *sink)
{
	pthread_rwlock_wrlock(&dev->sink_lock);
	if (sink)
		dev->fault_sink = *sink;
	else
		memset(&dev->fault_sink, 0, sizeof(dev->fault_sink));
	pthread_rwlock_unlock(&dev->sink_lock);
}

int uio_dev_page_request(struct uio_dev *dev, uint32_t pasid, uint64_t addr,
			 uint32_t perm)
{
	int rc = -ENODEV;

	pthread_rwlock_rdlock(&dev->sink_lock);
	if (dev->fault_sink.page_request)
		rc = dev->fault_sink.page_request(dev->fault_sink.arg, dev,
						  pasid, addr, perm);
	pthread_rwlock_unlock(&dev->sink_lock);
	return rc;
}

void uio_dev_get_stats(struct uio_dev *dev, struct uio_dev_stats *stats)
{
	struct dev_iotlb *tlb;
	uint64_t adjust = 0;
	unsigned int i;

	memset(stats, 0, sizeof(*stats));
	for (i = 0; i < DEV_STAT_SLOTS; i++) {
		struct dev_stat_block *b = &dev->stats[i];

#define ADD(f) stats->f += atomic_load_explicit(&b->f, memory_order_relaxed)
		ADD(dma_ops);
		ADD(dma_bytes);
		ADD(iotlb_misses);
		ADD(faults_translation);
		ADD(faults_permission);
#undef ADD
		adjust += atomic_load_explicit(&b->xlate_adjust,
					       memory_order_relaxed);
		tlb = atomic_load_explicit(&dev->iotlb[i],
					   memory_order_acquire);
		if (tlb) {
			/* the fast path's DMAs (iotlb.h) */
			stats->dma_ops += atomic_load_explicit(
				&tlb->stats.dma_ops, memory_order_relaxed);
			stats->dma_bytes += atomic_load_explicit(
				&tlb->stats.dma_bytes, memory_order_relaxed);
			stats->iotlb_misses += atomic_load_explicit(
				&tlb->stats.iotlb_misses, memory_order_relaxed);
		}
	}
	/* dev_private.h: hits are derived */
	stats->iotlb_hits = stats->dma_ops + adjust - stats->iotlb_misses;
}
