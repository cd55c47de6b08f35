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
 * Costs. The fast path (dma_fast: a thread that has DMA'd before, one
 * piece, permitted, nothing to mark dirty) adds to its copy one lock and
 * unlock of urcu-memb (a thread-local load and store each; no atomic
 * read-modify-write and no fence with sys_membarrier), the slot, epoch and
 * generation loads, the four loads of this thread's own IOTLB entry
 * (iotlb.h) and three counter increments in a cache line of this thread's
 * own (dev_thread.h). Copies up to 16 bytes are inline and that path
 * calls nothing (a miss leaves it); above 16 bytes a miss is walked there
 * too, so a DMA pays one read-side section and one probe. Everything else
 * takes the general path (dma_rw), which starts over. To keep this small
 * the read lock is inlined (below) and the thread-local variables use the
 * initial-exec model.
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
#include "util/alloc.h"

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
 * This thread's IOTLB of @dev as of @epoch, allocated on first use; NULL
 * for a thread without a slot of its own, or if memory is short (the DMA
 * then walks: a cache may always be empty).
 */
static struct dev_iotlb *dma_iotlb(struct uio_dev *dev,
				   const struct dev_thread *th, uint64_t epoch)
{
	struct dev_iotlb *tlb;

	if (th->shared)
		return NULL;
	tlb = dev->iotlb[th->slot];
	if (unlikely(!tlb)) {
		tlb = uio_zalloc(sizeof(*tlb));
		if (!tlb)
			return NULL;
		tlb->epoch = epoch;
		dev->iotlb[th->slot] = tlb;
	}
	iotlb_sync_epoch(tlb, epoch);
	return tlb;
}

/*
 * An IOTLB miss: walk the table into @e (an entry of this thread's IOTLB,
 * or a scratch one). The translation is read after @gen was (the caller's
 * acquire load), so an entry tagged with @gen holds nothing older than
 * that generation.
 */
static __attribute__((noinline)) bool dma_walk(struct uio_domain *domain,
					       uint64_t gen, uint64_t iova,
					       struct iotlb_entry *e)
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
	e->domain = domain;
	e->gen = gen;
	e->iova = leaf.leaf_iova;
	e->oa = leaf.oa - (iova - leaf.leaf_iova);
	e->attr = (leaf.prot & IOTLB_PROT_MASK) |
		  (leaf.dirty ? IOTLB_DIRTY_DONE : 0) |
		  (leaf.pgsize_lg2 << IOTLB_LG2_SHIFT);
	return true;
}

/*
 * Translate @iova for an access needing @need (PT_PROT_*) in @domain,
 * through @tlb (or none), marking the leaf dirty for a permitted @write
 * when tracking is on and the entry does not say it is done (iotlb.h; the
 * mark is remembered in the entry, tagged with the generation the
 * translation was read at, so a harvest in between makes it stale). On
 * success *hva is the host address of @iova and *avail the bytes left in
 * its leaf.
 */
static enum dma_fault dma_xlate(struct dev_iotlb *tlb,
				struct uio_domain *domain, uint32_t pasid,
				uint64_t iova, unsigned int need, bool write,
				uint8_t **hva, uint64_t *avail,
				struct dma_count *cnt)
{
	uint64_t gen = atomic_load_explicit(&domain->iotlb_gen,
					    memory_order_acquire);
	struct iotlb_entry scratch, *e = &scratch;
	uint64_t off;
	uint32_t attr;

	if (tlb) {
		e = &tlb->e[iotlb_index(pasid, iova)];
		if (iotlb_match(e, domain, gen, iova)) {
			cnt->hits++;
			goto found;
		}
	}
	cnt->misses++;
	if (!dma_walk(domain, gen, iova, e))
		return DMA_FAULT_TRANSLATION;
found:
	attr = e->attr;
	if ((attr & need) != need)
		return DMA_FAULT_PERMISSION;
	if (write && !(attr & IOTLB_DIRTY_DONE) &&
	    atomic_load_explicit(&domain->dirty_tracking,
				 memory_order_relaxed)) {
		/*
		 * As the hardware would. pt_set_dirty() does nothing to an
		 * untracked leaf: for those, too, there is nothing more to
		 * do until the next walk.
		 */
		pt_set_dirty(domain->pt, iova);
		e->attr |= IOTLB_DIRTY_DONE;
	}
	off = iova - e->iova;
	*hva = (uint8_t *)(uintptr_t)(e->oa + off);
	*avail = (1ULL << iotlb_lg2(attr)) - off;
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

/*
 * A copy between host memory and the caller's buffer. Up to 16 bytes
 * inline (two possibly overlapping loads and stores: an aligned 8-byte
 * DMA is one access, as on a bus), the rest with memcpy.
 */
static inline __attribute__((always_inline)) void
dma_copy(uint8_t *dst, const uint8_t *src, size_t n)
{
	if (n > 16) {
		memcpy(dst, src, n);
	} else if (n >= 8) {
		uint64_t a, b;

		memcpy(&a, src, 8);
		memcpy(&b, src + n - 8, 8);
		memcpy(dst, &a, 8);
		memcpy(dst + n - 8, &b, 8);
	} else if (n >= 4) {
		uint32_t a, b;

		memcpy(&a, src, 4);
		memcpy(&b, src + n - 4, 4);
		memcpy(dst, &a, 4);
		memcpy(dst + n - 4, &b, 4);
	} else if (n) {
		uint8_t a = src[0], b = src[n / 2], c = src[n - 1];

		dst[0] = a;
		dst[n / 2] = b;
		dst[n - 1] = c;
	}
}

/* a counter of a block this thread owns alone: no read-modify-write */
static inline void stat_inc_own(atomic_uint_least64_t *c, uint64_t n)
{
	atomic_store_explicit(c,
			      atomic_load_explicit(c, memory_order_relaxed) +
				      n,
			      memory_order_relaxed);
}

static inline void stat_add(const struct dev_thread *th,
			    atomic_uint_least64_t *c, uint64_t n)
{
	if (likely(!th->shared))
		stat_inc_own(c, n);
	else
		atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static void dma_account(struct uio_dev *dev, const struct dev_thread *th,
			uint64_t bytes, const struct dma_count *cnt,
			enum dma_fault f)
{
	struct dev_stat_block *b = &dev->stats[th->slot];

	stat_add(th, &b->dma_ops, 1);
	stat_add(th, &b->dma_bytes, bytes);
	if (cnt->hits)
		stat_add(th, &b->iotlb_hits, cnt->hits);
	if (cnt->misses)
		stat_add(th, &b->iotlb_misses, cnt->misses);
	if (f == DMA_FAULT_TRANSLATION)
		stat_add(th, &b->faults_translation, 1);
	else if (f == DMA_FAULT_PERMISSION)
		stat_add(th, &b->faults_permission, 1);
}

/* the start of every slow DMA: thread state, PASID check, first-DMA flag */
static int dma_begin(struct uio_dev *dev, uint32_t pasid,
		     struct dev_thread **th)
{
	*th = dev_thread_get();
	if (unlikely(!*th))
		return -ENOMEM;
	if (pasid != UIO_DEV_NO_PASID && pasid >= dev->pasid_limit)
		return -EINVAL;
	if (!atomic_load_explicit(&dev->dma_seen, memory_order_relaxed))
		dev_mark_dma(dev);
	return 0;
}

/*
 * The general path: any length, any number of pieces, faults, misses.
 * @walked: the fast path gave up after filling the first translation's
 * entry, so the hit this finds there is that miss.
 */
static __attribute__((noinline)) int dma_rw(struct uio_dev *dev,
					    uint32_t pasid, uint64_t iova,
					    uint8_t *buf, size_t len,
					    bool write, bool walked)
{
	unsigned int need = write ? PT_PROT_WRITE : PT_PROT_READ;
	enum dma_fault f = DMA_OK;
	struct dma_count cnt = { 0, 0 };
	struct uio_domain *domain;
	struct dev_iotlb *tlb = NULL;
	struct dev_thread *th;
	uint64_t last;
	size_t done = 0;
	int ret;

	ret = dma_begin(dev, pasid, &th);
	if (ret)
		return ret;
	urcu_memb_read_lock();
	domain = dma_domain(dev, pasid);
	if (!domain || (len && __builtin_add_overflow(iova, len - 1, &last)))
		f = DMA_FAULT_TRANSLATION;
	else
		tlb = dma_iotlb(dev, th,
				atomic_load_explicit(&dev->iotlb_epoch,
						     memory_order_relaxed));
	while (f == DMA_OK && done < len) {
		uint8_t *hva;
		uint64_t avail;
		size_t n;

		f = dma_xlate(tlb, domain, pasid, iova, need, write, &hva,
			      &avail, &cnt);
		if (f != DMA_OK)
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
	if (walked && cnt.hits) {
		cnt.hits--;
		cnt.misses++;
	}
	dma_account(dev, th, done, &cnt, f);
	return f == DMA_OK ? 0 : -EFAULT;
}

/*
 * The fast path: a thread that has an IOTLB for the device (hence has
 * DMA'd through it before, and has a slot of its own), one piece, the
 * permission, nothing to mark dirty; an IOTLB hit, or with @walk also a
 * miss that the walk resolves. Anything else goes to dma_rw(), which
 * starts over. No dma_seen check for the device: its IOTLB exists only
 * after a DMA that set it (dma_begin); dma_walk() sets the domain's.
 */
enum dma_fast_result {
	DMA_FAST_DONE,
	DMA_FAST_FALLBACK, /* take dma_rw() */
	DMA_FAST_FALLBACK_WALKED, /* ... and count its first hit as a miss */
};

static inline __attribute__((always_inline)) enum dma_fast_result
dma_fast(struct uio_dev *dev, uint32_t pasid, uint64_t iova, uint8_t *buf,
	 size_t len, bool write, bool walk)
{
	struct dev_thread *th = &dev_thread;
	struct uio_domain *domain;
	struct iotlb_entry *e;
	struct dev_iotlb *tlb;
	struct dev_stat_block *b;
	bool hit = true;
	uint64_t gen, off;
	uint32_t attr;
	uint8_t *hva;

	if (unlikely(!th->ready) ||
	    unlikely(pasid != UIO_DEV_NO_PASID && pasid >= dev->pasid_limit))
		return DMA_FAST_FALLBACK;
	/* NULL for a thread without a slot of its own (iotlb.h) */
	tlb = dev->iotlb[th->slot];
	if (unlikely(!tlb))
		return DMA_FAST_FALLBACK;
	urcu_memb_read_lock();
	domain = dma_domain(dev, pasid);
	/* the epoch after the domain: see dev.c */
	if (unlikely(!domain) ||
	    unlikely(tlb->epoch != atomic_load_explicit(&dev->iotlb_epoch,
							 memory_order_relaxed)))
		goto out_unlock;
	gen = atomic_load_explicit(&domain->iotlb_gen, memory_order_acquire);
	e = &tlb->e[iotlb_index(pasid, iova)];
	if (unlikely(!iotlb_match(e, domain, gen, iova))) {
		if (!walk || !dma_walk(domain, gen, iova, e))
			goto out_unlock;
		hit = false;
	}
	attr = e->attr;
	off = iova - e->iova;
	/* the permission, and dirty already marked (or not needed) */
	if (write) {
		if (unlikely(!(attr & PT_PROT_WRITE)) ||
		    (unlikely(!(attr & IOTLB_DIRTY_DONE)) &&
		     atomic_load_explicit(&domain->dirty_tracking,
					  memory_order_relaxed)))
			goto out_unlock;
	} else if (unlikely(!(attr & PT_PROT_READ))) {
		goto out_unlock;
	}
	/* one piece: the whole DMA inside the leaf (then it cannot wrap) */
	if (unlikely(len > (1ULL << iotlb_lg2(attr)) - off))
		goto out_unlock;
	hva = (uint8_t *)(uintptr_t)(e->oa + off);
	if (write)
		dma_copy(hva, buf, len);
	else
		dma_copy(buf, hva, len);
	urcu_memb_read_unlock();
	/* a thread with an IOTLB owns its slot: plain increments */
	b = &dev->stats[th->slot];
	stat_inc_own(&b->dma_ops, 1);
	stat_inc_own(&b->dma_bytes, len);
	if (likely(hit))
		stat_inc_own(&b->iotlb_hits, 1);
	else
		stat_inc_own(&b->iotlb_misses, 1);
	return DMA_FAST_DONE;

out_unlock:
	/* a filled entry stays: dma_rw() will find it */
	urcu_memb_read_unlock();
	return hit ? DMA_FAST_FALLBACK : DMA_FAST_FALLBACK_WALKED;
}

/*
 * DMAs above 16 bytes: the fast path, misses included (a memcpy call and
 * its stack frame are paid anyway), or dma_rw().
 */
static __attribute__((noinline)) int dma_rw_large(struct uio_dev *dev,
						  uint32_t pasid,
						  uint64_t iova, uint8_t *buf,
						  size_t len, bool write)
{
	enum dma_fast_result r = dma_fast(dev, pasid, iova, buf, len, write,
					  true);

	if (likely(r == DMA_FAST_DONE))
		return 0;
	return dma_rw(dev, pasid, iova, buf, len, write,
		      r == DMA_FAST_FALLBACK_WALKED);
}

/*
 * Small DMAs (up to 16 bytes: registers, descriptors, doorbells) have a
 * fast path for IOTLB hits that calls nothing; larger ones go to
 * dma_rw_large().
 */
int uio_dma_read(struct uio_dev *dev, uint32_t pasid, uint64_t iova,
		 void *buf, size_t len)
{
	if (len > 16)
		return dma_rw_large(dev, pasid, iova, buf, len, false);
	if (likely(dma_fast(dev, pasid, iova, buf, len, false, false) ==
		   DMA_FAST_DONE))
		return 0;
	return dma_rw(dev, pasid, iova, buf, len, false, false);
}

int uio_dma_write(struct uio_dev *dev, uint32_t pasid, uint64_t iova,
		  const void *buf, size_t len)
{
	if (len > 16)
		return dma_rw_large(dev, pasid, iova, (uint8_t *)buf, len,
				    true);
	if (likely(dma_fast(dev, pasid, iova, (uint8_t *)buf, len, true,
			    false) == DMA_FAST_DONE))
		return 0;
	return dma_rw(dev, pasid, iova, (uint8_t *)buf, len, true, false);
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
	if (ret)
		return ret;
	urcu_memb_read_lock();
	domain = dma_domain(dev, pasid);
	if (domain)
		f = dma_xlate(dma_iotlb(dev, th,
					atomic_load_explicit(
						&dev->iotlb_epoch,
						memory_order_relaxed)),
			      domain, pasid, iova,
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
