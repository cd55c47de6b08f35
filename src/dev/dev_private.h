/* SPDX-License-Identifier: MIT */
/*
 * The emulated device's insides, shared by dev.c (attachments, statistics)
 * and dma.c (the DMA path).
 */
#ifndef UIOMMUFD_DEV_DEV_PRIVATE_H
#define UIOMMUFD_DEV_DEV_PRIVATE_H

#include <pthread.h>
#include <stdatomic.h>

#include "dev/dev.h"
#include "dev/dev_thread.h"
#include "dev/iotlb.h"

/*
 * PASID attachments: a directory of chunks of DEV_PASID_CHUNK slots, a
 * chunk allocated on the first attach inside it and kept until the device
 * is destroyed (at most 2^20 / 2^10 chunks of 8 KiB). The directory is
 * sized for the device's PASID width at creation and never changes; chunk
 * pointers and slots are published with release stores, so a reader needs
 * no lock: an acquire load of the chunk pointer, then one of the slot.
 */
#define DEV_PASID_CHUNK_LG2 10
#define DEV_PASID_CHUNK (1u << DEV_PASID_CHUNK_LG2)
#define DEV_PASID_MAX_BITS 20

typedef _Atomic(struct uio_domain *) dev_slot_t;

/*
 * Counters of the threads holding one statistics slot (dev_thread.h); a
 * cache line each, written by its owner only (or atomically, the shared
 * slot), summed by uio_dev_get_stats(). IOTLB hits are not counted but
 * derived, to spare the fast path an increment: translations are dma_ops
 * plus xlate_adjust (the pieces beyond one per DMA, minus one for a DMA
 * that translated nothing; modulo 2^64), and hits are translations minus
 * iotlb_misses.
 */
struct dev_stat_block {
	atomic_uint_least64_t dma_ops, dma_bytes;
	atomic_uint_least64_t xlate_adjust, iotlb_misses;
	atomic_uint_least64_t faults_translation, faults_permission;
} __attribute__((aligned(64)));

/*
 * struct uio_dev - one emulated device.
 *
 * Locking: @lock serializes the writers of the attachment slots
 * (uio_dev_set_domain) and is held across the grace period they wait for;
 * it is a leaf lock (nothing is taken under it, and it must not be taken
 * inside an RCU read-side critical section). The DMA path takes no lock.
 * The fields above @lock are fixed at creation. iotlb[n] and its entries
 * belong to the thread holding statistics slot n (dev_thread.h), which
 * allocates it on its first DMA (dma.c); the slot's hand-over between threads
 * (an acquire/release bitmap) orders them, and uio_dev_destroy() frees
 * them (no DMA may run then).
 */
struct uio_dev {
	struct uio_hw_dev hw; /* at offset 0: what the model sees */
	uint32_t pasid_limit; /* 2^pasid_bits, 0 without PASID */
	unsigned int pasid_chunks; /* entries of pasid_dir */
	_Atomic(dev_slot_t *) *pasid_dir; /* chunk pointers, NULL if none */

	pthread_mutex_t lock;
	dev_slot_t rid_domain; /* the "no PASID" attachment */
	/*
	 * Set, once, by the first DMA of any thread (before it reads a slot),
	 * so that uio_dev_set_domain() waits for a grace period only for a
	 * device that DMAs; both sides use seq_cst (a store-then-load race,
	 * see dma.c).
	 */
	atomic_bool dma_seen;
	/* bumped by each detach/replace, after its grace period (iotlb.h) */
	atomic_uint_least64_t iotlb_epoch;

	_Atomic(struct dev_iotlb *) iotlb[DEV_STAT_SLOTS];
	struct dev_stat_block stats[DEV_STAT_SLOTS];

	/*
	 * where page requests go (uio_dev_set_fault_sink): a request holds
	 * sink_lock for reading while it waits, so clearing the sink waits
	 * for requests in flight (the core answers them first)
	 */
	pthread_rwlock_t sink_lock;
	struct uio_dev_fault_sink fault_sink;
};

#endif
