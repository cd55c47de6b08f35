/* SPDX-License-Identifier: MIT */
/*
 * dma: the emulated device's DMA path (dev.h "DMA path").
 *
 * A DMA runs in one urcu-memb read-side critical section: read the domain
 * attached to the PASID, then for each piece (the part of the remaining
 * range inside one leaf of the domain's table) translate through the
 * IOTLB (iotlb.h) or, on a miss, by a lock-free page walk (pt_lookup) that
 * refills it, check the permission, mark the leaf dirty for a write when
 * the domain tracks dirty pages and the IOTLB does not already know the
 * leaf is dirty, and copy with memcpy. A fault stops the DMA.
 *
 * Why no DMA reaches memory after its unmap returned (hw.h "IOTLB"):
 * unmap clears the entries, bumps iotlb_gen, then waits for a grace period
 * if the domain has dma_seen. A DMA reads iotlb_gen (acquire) before each
 * translation and trusts only IOTLB entries of that generation; a walk
 * after that load sees every unmap the generation covers. A DMA that began
 * before the unmap's grace period finishes before unmap returns; one that
 * begins after it sees the new generation. dma_seen is the other half of a
 * store-then-load race (the unmap bumps, then reads dma_seen; the first
 * walk through a domain sets dma_seen, then reads the table): both need a
 * full barrier between their store and their load, so that at least one
 * sees the other. Ours is a seq_cst fence, paid once per domain.
 *
 * Costs. A 4 KiB DMA through an IOTLB hit adds, to its memcpy, one lock
 * and unlock of urcu-memb (a thread-local load and store each; no atomic
 * read-modify-write and no fence with sys_membarrier), a slot load, the
 * generation load and the entry's sequence-lock read, and four counter
 * increments in a cache line of this thread's own (dev_thread.h). To keep
 * it that small the read lock is inlined (below) and the thread-local
 * variables use the initial-exec model.
 *
 * Threads. Any thread may DMA; its first DMA registers it with urcu-memb
 * (dev_thread.c). A DMA must not be issued inside an urcu-memb read-side
 * critical section of a thread that also maps or unmaps (it would wait
 * for itself); nesting inside another read-side section is fine.
 */

/*
 * urcu-memb's read lock and unlock are inlined: the static header says of
 * them "Both this function and its helper are smaller than 10 lines of
 * code, and are intended to be usable by non-LGPL code, as called out in
 * LGPL" (urcu/static/urcu-memb.h). That is all _LGPL_SOURCE brings into
 * this file: registration and grace periods stay library calls. A library
 * call each would cost more than the 8-byte copy it protects.
 */
#define _LGPL_SOURCE
#include <errno.h>
#include <string.h>

#include <urcu/urcu-memb.h>

#include "dev/dev_private.h"
#include "hw/hw.h"
#include "pt/pt.h"

/*
 * urcu-memb's reader state, in the initial-exec TLS model: the library is
 * a dependency of ours, loaded with us, so its TLS block is static and
 * each read lock is one %fs-relative access, not a __tls_get_addr call.
 */
extern _Thread_local struct urcu_reader urcu_memb_reader
	__attribute__((tls_model("initial-exec")));

/* why a translation failed */
enum dma_fault {
	DMA_OK,
	DMA_FAULT_TRANSLATION, /* no domain, nothing mapped, IOVA wraps */
	DMA_FAULT_PERMISSION, /* mapped without the access's permission */
};

/* counters of one DMA, added to this thread's block at the end */
struct dma_count {
	uint64_t hits, misses;
};

/* the first DMA of the device: see dev.c; once per device */
static __attribute__((noinline)) void dev_mark_dma(struct uio_dev *dev)
{
	atomic_store_explicit(&dev->dma_seen, true, memory_order_relaxed);
	atomic_thread_fence(memory_order_seq_cst);
}

/*
 * An IOTLB miss: walk the table, refill the entry. The translation is read
 * after @gen was (the caller's acquire load), so an entry tagged with @gen
 * holds nothing older than that generation.
 */
static __attribute__((noinline)) bool dma_walk(struct uio_domain *domain,
					       uint64_t gen, uint64_t iova,
					       struct iotlb_entry *e,
					       struct iotlb_xlate *x)
{
	struct pt_leaf leaf;

	if (unlikely(!atomic_load_explicit(&domain->dma_seen,
					   memory_order_relaxed))) {
		/* announce ourselves before reading the table (see top) */
		atomic_store_explicit(&domain->dma_seen, true,
				      memory_order_relaxed);
		atomic_thread_fence(memory_order_seq_cst);
	}
	if (pt_lookup(domain->pt, iova, &leaf))
		return false;
	x->iova = leaf.leaf_iova;
	x->oa = leaf.oa - (iova - leaf.leaf_iova);
	x->attr = (leaf.prot & IOTLB_PROT_MASK) |
		  (leaf.dirty ? IOTLB_DIRTY_DONE : 0) |
		  (leaf.pgsize_lg2 << IOTLB_LG2_SHIFT);
	iotlb_fill(e, domain, gen, x);
	return true;
}

/*
 * A permitted write to a leaf the IOTLB does not know dirty, with tracking
 * on: mark it as the hardware would, and remember it in the entry (tagged
 * with the generation the translation was read at, so a harvest in
 * between makes the remembered state stale, iotlb.h). pt_set_dirty() does
 * nothing to an untracked leaf: for those, too, there is nothing more to
 * do until the next walk.
 */
static __attribute__((noinline)) void dma_mark_dirty(struct uio_domain *domain,
						     uint64_t gen, uint64_t iova,
						     struct iotlb_entry *e,
						     struct iotlb_xlate *x)
{
	pt_set_dirty(domain->pt, iova);
	x->attr |= IOTLB_DIRTY_DONE;
	iotlb_fill(e, domain, gen, x);
}

/*
 * Translate @iova for an access needing @need (PT_PROT_*) in @domain,
 * marking the leaf dirty when @write is permitted and tracked. On success
 * *hva is the host address of @iova and *avail the bytes left in its leaf.
 */
static inline __attribute__((always_inline)) enum dma_fault
dma_xlate(struct uio_dev *dev, struct uio_domain *domain, uint32_t pasid,
	  uint64_t iova, unsigned int need, bool write, uint8_t **hva,
	  uint64_t *avail, struct dma_count *cnt)
{
	uint64_t gen = atomic_load_explicit(&domain->iotlb_gen,
					    memory_order_acquire);
	struct iotlb_entry *e = &dev->iotlb[iotlb_index(pasid, iova)];
	struct iotlb_xlate x;
	uint64_t off;

	if (likely(iotlb_probe(e, domain, gen, iova, &x))) {
		cnt->hits++;
	} else {
		cnt->misses++;
		if (!dma_walk(domain, gen, iova, e, &x))
			return DMA_FAULT_TRANSLATION;
	}
	if (unlikely((x.attr & need) != need))
		return DMA_FAULT_PERMISSION;
	if (write && unlikely(!(x.attr & IOTLB_DIRTY_DONE)) &&
	    atomic_load_explicit(&domain->dirty_tracking,
				 memory_order_relaxed))
		dma_mark_dirty(domain, gen, iova, e, &x);
	off = iova - x.iova;
	*hva = (uint8_t *)(uintptr_t)(x.oa + off);
	*avail = (1ULL << iotlb_lg2(x.attr)) - off;
	return DMA_OK;
}

/* the domain attached to @pasid; call inside the read lock */
static inline struct uio_domain *dma_domain(struct uio_dev *dev,
					    uint32_t pasid)
{
	dev_slot_t *chunk;

	if (likely(pasid == UIO_DEV_NO_PASID))
		return atomic_load_explicit(&dev->rid_domain,
					    memory_order_acquire);
	chunk = atomic_load_explicit(
		&dev->pasid_dir[pasid >> DEV_PASID_CHUNK_LG2],
		memory_order_acquire);
	if (!chunk)
		return NULL;
	return atomic_load_explicit(&chunk[pasid & (DEV_PASID_CHUNK - 1)],
				    memory_order_acquire);
}

static inline void stat_add(const struct dev_thread *th,
			    atomic_uint_least64_t *c, uint64_t n)
{
	if (likely(!th->shared))
		atomic_store_explicit(
			c, atomic_load_explicit(c, memory_order_relaxed) + n,
			memory_order_relaxed);
	else
		atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static inline void dma_account(struct uio_dev *dev,
			       const struct dev_thread *th, uint64_t bytes,
			       const struct dma_count *cnt, enum dma_fault f)
{
	struct dev_stat_block *b = &dev->stats[th->slot];

	stat_add(th, &b->dma_ops, 1);
	stat_add(th, &b->dma_bytes, bytes);
	stat_add(th, &b->iotlb_hits, cnt->hits);
	if (cnt->misses)
		stat_add(th, &b->iotlb_misses, cnt->misses);
	if (unlikely(f == DMA_FAULT_TRANSLATION))
		stat_add(th, &b->faults_translation, 1);
	else if (unlikely(f == DMA_FAULT_PERMISSION))
		stat_add(th, &b->faults_permission, 1);
}

/* the start of every DMA: thread state, PASID check, first-DMA flag */
static inline __attribute__((always_inline)) int
dma_begin(struct uio_dev *dev, uint32_t pasid, struct dev_thread **th)
{
	*th = dev_thread_get();
	if (unlikely(!*th))
		return -ENOMEM;
	if (unlikely(pasid != UIO_DEV_NO_PASID && pasid >= dev->pasid_limit))
		return -EINVAL;
	if (unlikely(!atomic_load_explicit(&dev->dma_seen,
					   memory_order_relaxed)))
		dev_mark_dma(dev);
	return 0;
}

/* the general path: any length, any number of pieces, faults, misses */
static __attribute__((noinline)) int dma_rw(struct uio_dev *dev,
					    uint32_t pasid, uint64_t iova,
					    uint8_t *buf, size_t len,
					    bool write)
{
	unsigned int need = write ? PT_PROT_WRITE : PT_PROT_READ;
	enum dma_fault f = DMA_OK;
	struct dma_count cnt = { 0, 0 };
	struct uio_domain *domain;
	struct dev_thread *th;
	uint64_t last;
	size_t done = 0;
	int ret;

	ret = dma_begin(dev, pasid, &th);
	if (unlikely(ret))
		return ret;
	urcu_memb_read_lock();
	domain = dma_domain(dev, pasid);
	if (unlikely(!domain) ||
	    unlikely(len && __builtin_add_overflow(iova, len - 1, &last)))
		f = DMA_FAULT_TRANSLATION;
	while (likely(f == DMA_OK) && done < len) {
		uint8_t *hva;
		uint64_t avail;
		size_t n;

		f = dma_xlate(dev, domain, pasid, iova, need, write, &hva,
			      &avail, &cnt);
		if (unlikely(f != DMA_OK))
			break;
		n = len - done < avail ? len - done : avail;
		if (write)
			memcpy(hva, buf + done, n);
		else
			memcpy(buf + done, hva, n);
		done += n;
		iova += n;
	}
	urcu_memb_read_unlock();
	dma_account(dev, th, done, &cnt, f);
	return f == DMA_OK ? 0 : -EFAULT;
}

/*
 * The fast path: a thread that has DMA'd before, one piece, an IOTLB hit
 * with the permission, nothing to mark dirty. Anything else (or a race
 * with a filler) goes to dma_rw(), which starts over. No dma_seen check:
 * an IOTLB entry exists only after a walk, and the DMA that walked set
 * both flags first.
 */
static inline __attribute__((always_inline)) bool
dma_fast(struct uio_dev *dev, uint32_t pasid, uint64_t iova, uint8_t *buf,
	 size_t len, bool write)
{
	struct dev_thread *th = &dev_thread;
	struct uio_domain *domain;
	struct iotlb_xlate x;
	uint64_t off;
	uint8_t *hva;

	if (unlikely(!th->ready) ||
	    unlikely(pasid != UIO_DEV_NO_PASID && pasid >= dev->pasid_limit))
		return false;
	urcu_memb_read_lock();
	domain = dma_domain(dev, pasid);
	if (unlikely(!domain) ||
	    unlikely(!iotlb_probe(&dev->iotlb[iotlb_index(pasid, iova)],
				  domain,
				  atomic_load_explicit(&domain->iotlb_gen,
						       memory_order_acquire),
				  iova, &x)))
		goto out_unlock;
	off = iova - x.iova;
	/* the permission, and dirty already marked (or not needed) */
	if (write) {
		if (unlikely(!(x.attr & PT_PROT_WRITE)) ||
		    (unlikely(!(x.attr & IOTLB_DIRTY_DONE)) &&
		     atomic_load_explicit(&domain->dirty_tracking,
					  memory_order_relaxed)))
			goto out_unlock;
	} else if (unlikely(!(x.attr & PT_PROT_READ))) {
		goto out_unlock;
	}
	/* one piece: the whole DMA inside the leaf (then it cannot wrap) */
	if (unlikely(len > (1ULL << iotlb_lg2(x.attr)) - off))
		goto out_unlock;
	hva = (uint8_t *)(uintptr_t)(x.oa + off);
	if (write)
		memcpy(hva, buf, len);
	else
		memcpy(buf, hva, len);
	urcu_memb_read_unlock();
	if (likely(!th->shared)) {
		struct dev_stat_block *b = &dev->stats[th->slot];

		stat_add(th, &b->dma_ops, 1);
		stat_add(th, &b->dma_bytes, len);
		stat_add(th, &b->iotlb_hits, 1);
	} else {
		struct dma_count cnt = { 1, 0 };

		dma_account(dev, th, len, &cnt, DMA_OK);
	}
	return true;

out_unlock:
	urcu_memb_read_unlock();
	return false;
}

int uio_dma_read(struct uio_dev *dev, uint32_t pasid, uint64_t iova,
		 void *buf, size_t len)
{
	if (likely(dma_fast(dev, pasid, iova, buf, len, false)))
		return 0;
	return dma_rw(dev, pasid, iova, buf, len, false);
}

int uio_dma_write(struct uio_dev *dev, uint32_t pasid, uint64_t iova,
		  const void *buf, size_t len)
{
	if (likely(dma_fast(dev, pasid, iova, (uint8_t *)buf, len, true)))
		return 0;
	return dma_rw(dev, pasid, iova, (uint8_t *)buf, len, true);
}

/*
 * A PCIe AtomicOp CAS: a read and a write request in one; the translation
 * needs both permissions and, like any write-intent translation, marks the
 * leaf dirty whether or not the values compared equal.
 */
int uio_dma_cas64(struct uio_dev *dev, uint32_t pasid, uint64_t iova,
		  uint64_t *old, uint64_t new_val)
{
	struct dma_count cnt = { 0, 0 };
	enum dma_fault f = DMA_FAULT_TRANSLATION;
	struct uio_domain *domain;
	struct dev_thread *th;
	uint64_t avail, expected = *old;
	bool swapped = false;
	uint8_t *hva;
	int ret;

	if (iova & 7)
		return -EINVAL;
	ret = dma_begin(dev, pasid, &th);
	if (unlikely(ret))
		return ret;
	urcu_memb_read_lock();
	domain = dma_domain(dev, pasid);
	if (domain)
		f = dma_xlate(dev, domain, pasid, iova,
			      PT_PROT_READ | PT_PROT_WRITE, true, &hva, &avail,
			      &cnt);
	if (f == DMA_OK) {
		swapped = __atomic_compare_exchange_n((uint64_t *)hva,
						      &expected, new_val,
						      false, __ATOMIC_SEQ_CST,
						      __ATOMIC_SEQ_CST);
		*old = expected;
	}
	urcu_memb_read_unlock();
	dma_account(dev, th, f == DMA_OK ? 8 : 0, &cnt, f);
	if (f != DMA_OK)
		return -EFAULT;
	return swapped ? 0 : -EAGAIN;
}
