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
 * Costs. The fast path (dma_fast_locked: a thread that has DMA'd through
 * the device before, one piece, permitted, nothing to mark dirty) adds to
 * its copy one lock and unlock of urcu-memb (a thread-local load and store
 * each; no atomic read-modify-write, no fence), the slot, attachment,
 * epoch and generation loads, the loads of this thread's own IOTLB entry
 * (iotlb.h) and two counter increments in that IOTLB's header. Copies up
 * to 16 bytes are inline and that path ends in a tail call, so it needs no
 * stack frame (a miss leaves it); above 16 bytes a miss is walked there
 * too, so a DMA pays one read-side section and one probe. Everything else
 * (faults, several pieces, dirty marking, a thread's first DMA) takes the
 * general path (dma_rw), which starts over. To keep this small the read
 * lock is inlined (below) and the thread-local variables use the
 * initial-exec model.
 *
 * Nested domains and page requests. A NESTED domain's miss is walked in
 * two stages (dma_walk_nested: the model's stage 1, then the parent's
 * table) into one combined entry tagged with the nested domain; hits are
 * the same code as for paging domains, except the first write to a leaf
 * the parent tracks as clean: that one is walked again, so that the page
 * marked dirty is the page written even when the cached entry is stale
 * (dma_nested_set_dirty). A fault on a PRI device leaves the read lock for
 * a page request and retries on success (dma_fault); without PRI a nested
 * domain's model reports the stage-1 fault.
 *
 * Threads. Any thread may DMA; its first DMA registers it with urcu-memb
 * (dev_thread.c). A DMA must not be issued inside an urcu-memb read-side
 * critical section of a thread that also maps or unmaps (it would wait
 * for itself); nesting inside another read-side section is fine.
 */

/*
 * urcu-memb's read lock and unlock are inlined on the fast paths: the
 * static header says of them "Both this function and its helper are
 * smaller than 10 lines of code, and are intended to be usable by non-LGPL
 * code, as called out in LGPL" (urcu/static/urcu-memb.h). That is all
 * _LGPL_SOURCE brings into this file: registration and grace periods stay
 * library calls. A library call each would cost more than the 8-byte copy
 * it protects.
 *
 * They are inlined in their sys_membarrier form (liburcu's own
 * CONFIG_RCU_FORCE_SYS_MEMBARRIER: a compiler barrier where the fallback
 * needs a full fence, and no test of urcu_memb_has_sys_membarrier on every
 * lock and unlock). That form is right only where the library found
 * sys_membarrier, so the fast paths are only for threads that saw
 * urcu_memb_has_sys_membarrier set (dev_thread.membarrier: no IOTLB, hence
 * no fast path, without it); the general paths call the library's own
 * lock and unlock (lib_read_lock, below), right everywhere.
 */
#define _LGPL_SOURCE
#define CONFIG_RCU_FORCE_SYS_MEMBARRIER 1
#include <errno.h>
#include <string.h>

#include <urcu/urcu-memb.h>

#include <linux/iommufd.h>

#include "dev/dev_private.h"
#include "hw/hw.h"
#include "pt/pt.h"
#include "util/alloc.h"
#include "util/fixup_copy.h"

/*
 * urcu-memb's reader state, in the initial-exec TLS model: the library is
 * a dependency of ours, loaded with us, so its TLS block is static and
 * each read lock is one %fs-relative access, not a __tls_get_addr call.
 */
#ifdef CONFIG_RCU_TLS
extern _Thread_local struct urcu_reader urcu_memb_reader
	__attribute__((tls_model("initial-exec")));
#endif

/* the library's read lock and unlock, for the general paths (see above) */
extern void lib_read_lock(void) __asm__("urcu_memb_read_lock");
extern void lib_read_unlock(void) __asm__("urcu_memb_read_unlock");

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

/* dma_rw() @flags */
enum {
	DMA_WRITE = 1 << 0,
	/* the fast path gave up after filling the first translation's entry */
	DMA_WALKED = 1 << 1,
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

	if (th->shared || !th->membarrier)
		return NULL;
	tlb = atomic_load_explicit(&dev->iotlb[th->slot], memory_order_relaxed);
	if (unlikely(!tlb)) {
		tlb = uio_zalloc(sizeof(*tlb));
		if (!tlb)
			return NULL;
		tlb->epoch = epoch;
		/* release: uio_dev_get_stats() reads its counters */
		atomic_store_explicit(&dev->iotlb[th->slot], tlb,
				      memory_order_release);
	}
	iotlb_sync_epoch(tlb, epoch);
	return tlb;
}

/*
 * A miss in a nested domain: stage 1 by the model (which reads the guest's
 * tables through the parent), then the stage-1 output through the
 * parent's table. The entry caches the combination: the smaller of the two
 * leaves (inside both, so linear), the permissions both grant, the
 * parent's cache attribute, and IOTLB_DIRTY_DONE if the parent's leaf is
 * already dirty (else a write takes the slow path, dma_nested_set_dirty).
 * It is tagged with the nested domain and its generation, which the
 * guest's invalidations and every unmap of the parent move (hw/nested.c).
 * Both domains are marked dma_seen before any table is read, with the
 * same fence as dma_walk(): the parent's unmap waits for this walk's DMA.
 * Stage 1 is asked for read access only: the entry records what it grants,
 * and the DMA checks its own access against that. *ipa (if @ipa) gets the
 * stage-1 output of @iova, the guest physical address.
 */
static __attribute__((noinline)) bool
dma_walk_nested(struct uio_domain *domain, uint32_t pasid, uint64_t gen,
		uint64_t iova, struct iotlb_entry *e, uint64_t *ipa)
{
	struct uio_domain *parent = domain->parent;
	struct uio_s1_result s1;
	struct uio_hw_fault fault;
	struct pt_leaf leaf;
	unsigned int lg2, prot;

	if (unlikely(!atomic_load_explicit(&domain->dma_seen,
					   memory_order_relaxed) ||
		     !atomic_load_explicit(&parent->dma_seen,
					   memory_order_relaxed))) {
		atomic_store_explicit(&domain->dma_seen, true,
				      memory_order_relaxed);
		atomic_store_explicit(&parent->dma_seen, true,
				      memory_order_relaxed);
		atomic_thread_fence(memory_order_seq_cst);
	}
	if (domain->nested_ops->translate(domain, pasid, iova, PT_PROT_READ,
					  &s1, &fault))
		return false;
	if (pt_lookup(parent->pt, s1.oa, &leaf))
		return false;
	lg2 = s1.pgsize_lg2 < leaf.pgsize_lg2 ? s1.pgsize_lg2 :
						 leaf.pgsize_lg2;
	prot = (s1.prot & leaf.prot & (PT_PROT_READ | PT_PROT_WRITE)) |
	       (leaf.prot & PT_PROT_CACHE);
	e->domain = domain;
	e->gen = gen;
	e->iova = iova & ~(PT_BIT(lg2) - 1);
	e->oa = leaf.oa - (iova - e->iova);
	e->attr = prot | (leaf.dirty ? IOTLB_DIRTY_DONE : 0) |
		  (lg2 << IOTLB_LG2_SHIFT);
	if (ipa)
		*ipa = s1.oa;
	return true;
}

/*
 * A write through a nested domain whose entry @e does not know the
 * parent's leaf is dirty: the hardware sets the stage-2 dirty bit of the
 * guest physical page it writes. The entry keeps only the host address,
 * and it may be stale: the guest may have changed or cleared its stage-1
 * entry and not invalidated yet. Walking stage 1 again and marking its
 * output would then mark another page than the one written, or none, and
 * a live migration that copies dirty pages would lose the write. So the
 * translation is walked again into @e, the page it names is marked, and
 * the write goes there (dropping a cached translation early is always
 * allowed). False if the walk faults now: @e is then left as it was, and
 * the caller faults. The caller checks @e's permission again.
 */
static __attribute__((noinline)) bool
dma_nested_set_dirty(struct uio_domain *domain, uint32_t pasid, uint64_t gen,
		     uint64_t iova, struct iotlb_entry *e)
{
	struct uio_domain *parent = domain->parent;
	struct iotlb_entry fresh;
	uint64_t ipa;

	if (!atomic_load_explicit(&parent->dirty_tracking,
				  memory_order_relaxed))
		return true;
	if (!dma_walk_nested(domain, pasid, gen, iova, &fresh, &ipa))
		return false;
	*e = fresh;
	if (!(e->attr & IOTLB_DIRTY_DONE) && (e->attr & PT_PROT_WRITE))
		pt_set_dirty(parent->pt, ipa);
	return true;
}

/*
 * An IOTLB miss: walk the table into @e (an entry of this thread's IOTLB,
 * or a scratch one). The translation is read after @gen was (the caller's
 * acquire load), so an entry tagged with @gen holds nothing older than
 * that generation.
 */
static __attribute__((noinline)) bool dma_walk(struct uio_domain *domain,
					       uint32_t pasid, uint64_t gen,
					       uint64_t iova,
					       struct iotlb_entry *e)
{
	struct pt_leaf leaf;

	if (unlikely(domain->kind != UIO_DOMAIN_PAGING))
		return dma_walk_nested(domain, pasid, gen, iova, e, NULL);
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
	uint64_t gen =
		atomic_load_explicit(&domain->iotlb_gen, memory_order_acquire);
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
	if (!dma_walk(domain, pasid, gen, iova, e))
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
		if (likely(domain->kind == UIO_DOMAIN_PAGING)) {
			pt_set_dirty(domain->pt, iova);
		} else {
			/* the translation may have been walked anew */
			if (!dma_nested_set_dirty(domain, pasid, gen, iova, e))
				return DMA_FAULT_TRANSLATION;
			attr = e->attr;
			if ((attr & need) != need)
				return DMA_FAULT_PERMISSION;
		}
		e->attr |= IOTLB_DIRTY_DONE;
	}
	off = iova - e->iova;
	*hva = (uint8_t *)(uintptr_t)(e->oa + off);
	*avail = (1ULL << iotlb_lg2(attr)) - off;
	return DMA_OK;
}

/* the domain attached to @pasid; call inside the read lock */
static inline struct uio_domain *dma_domain(struct uio_dev *dev, uint32_t pasid)
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
 * A copy between host memory and the caller's buffer, through the
 * fault-tolerant copy (fixup_copy.h): memory its owner unmapped while it
 * was still mapped in an IOAS gives -EFAULT, never a crash.
 */
static inline __attribute__((always_inline)) int
dma_copy(uint8_t *dst, const uint8_t *src, size_t n)
{
	if (n >= 8 && n <= 16)
		return uio_fixup_copy_8_16(dst, src, n);
	return uio_fixup_copy(dst, src, n);
}

/* a counter of a block this thread owns alone: no read-modify-write */
static inline void stat_inc_own(atomic_uint_least64_t *c, uint64_t n)
{
	atomic_store_explicit(c,
			      atomic_load_explicit(c, memory_order_relaxed) + n,
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
	/* translations beyond one per DMA (none: minus one, modulo 2^64) */
	if (cnt->hits + cnt->misses != 1)
		stat_add(th, &b->xlate_adjust, cnt->hits + cnt->misses - 1);
	if (cnt->misses)
		stat_add(th, &b->iotlb_misses, cnt->misses);
	if (f == DMA_FAULT_TRANSLATION)
		stat_add(th, &b->faults_translation, 1);
	else if (f == DMA_FAULT_PERMISSION)
		stat_add(th, &b->faults_permission, 1);
}

/* page requests one DMA may send before it gives up */
#define DMA_PRI_TRIES 4

/*
 * A fault the device could not resolve, in a nested domain: the model's
 * event record (SMMUv3: to the vIOMMU's event queue). The translation is
 * walked again with the access's own permission, for the model's reason;
 * if stage 1 grants it now, the fault was stage 2's, the host's own, and
 * the guest hears nothing (as the kernel forwards only stage-1 events).
 */
static __attribute__((noinline)) void
dma_report_fault(struct uio_dev *dev, struct uio_domain *domain,
		 uint32_t pasid, uint64_t iova, unsigned int need)
{
	struct uio_hw_fault fault = { 0 };
	struct uio_s1_result s1;

	if (!domain || domain->kind != UIO_DOMAIN_NESTED ||
	    !domain->nested_ops->report_fault)
		return;
	if (!domain->nested_ops->translate(domain, pasid, iova, need, &s1,
					   &fault))
		return;
	domain->nested_ops->report_fault(domain, &dev->hw, pasid,
					 need & PT_PROT_WRITE, &fault);
}

/*
 * A translation or permission fault at @iova, inside the read lock. A
 * device with PRI sends a page request instead (dev.h): outside the read
 * lock, since the responder may map and unmap. On success the caller
 * translates again, with *domain read anew (the attachment may have
 * changed meanwhile); at most DMA_PRI_TRIES requests per DMA. Without PRI,
 * or with nobody taking requests, the fault goes to the model's report.
 * Returns true to retry.
 */
static __attribute__((noinline)) bool
dma_fault(struct uio_dev *dev, struct uio_domain **domain, uint32_t pasid,
	  uint64_t iova, unsigned int need, unsigned int *tries)
{
	uint32_t perm = ((need & PT_PROT_READ) ? IOMMU_PGFAULT_PERM_READ : 0) |
			((need & PT_PROT_WRITE) ? IOMMU_PGFAULT_PERM_WRITE : 0);
	int rc;

	if ((dev->hw.flags & UIO_HW_DEV_PRI) && *domain &&
	    *tries < DMA_PRI_TRIES) {
		++*tries;
		lib_read_unlock();
		rc = uio_dev_page_request(dev, pasid, iova & ~0xfffULL, perm);
		lib_read_lock();
		*domain = dma_domain(dev, pasid);
		if (rc == IOMMUFD_PAGE_RESP_SUCCESS)
			return *domain != NULL;
		if (rc != -ENODEV)
			return false; /* answered: the access fails quietly */
	}
	dma_report_fault(dev, *domain, pasid, iova, need);
	return false;
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
 * DMA_WALKED: the hit this finds for the first piece is the fast path's
 * miss. Six arguments: the fast paths reach it by a tail call.
 */
static __attribute__((noinline)) int dma_rw(struct uio_dev *dev, uint32_t pasid,
					    uint64_t iova, uint8_t *buf,
					    size_t len, unsigned int flags)
{
	bool write = flags & DMA_WRITE;
	unsigned int need = write ? PT_PROT_WRITE : PT_PROT_READ;
	enum dma_fault f = DMA_OK;
	struct dma_count cnt = { 0, 0 };
	struct uio_domain *domain;
	struct dev_iotlb *tlb = NULL;
	struct dev_thread *th;
	unsigned int tries = 0;
	uint64_t last;
	size_t done = 0;
	int ret;

	ret = dma_begin(dev, pasid, &th);
	if (ret)
		return ret;
	lib_read_lock();
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
		if (unlikely(f != DMA_OK)) {
			if (!dma_fault(dev, &domain, pasid, iova, need, &tries))
				break;
			/* a page request resolved it: the slot anew */
			tlb = dma_iotlb(dev, th,
					atomic_load_explicit(&dev->iotlb_epoch,
							     memory_order_relaxed));
			f = DMA_OK;
			continue;
		}
		n = len - done < avail ? len - done : avail;
		if (write ? dma_copy(hva, buf + done, n) :
			    dma_copy(buf + done, hva, n)) {
			/* the host memory behind the mapping is gone */
			f = DMA_FAULT_TRANSLATION;
			break;
		}
		done += n;
		iova += n;
	}
	lib_read_unlock();
	if ((flags & DMA_WALKED) && cnt.hits) {
		cnt.hits--;
		cnt.misses++;
	}
	dma_account(dev, th, done, &cnt, f);
	return f == DMA_OK ? 0 : -EFAULT;
}

/*
 * The fast path, inside the read lock (the caller's, left held): one
 * piece, the permission, nothing to mark dirty; an IOTLB hit, or with
 * @walk also a miss that the walk resolves. Anything else goes to
 * dma_rw(), which starts over. No dma_seen check for the device: its IOTLB
 * exists only after a DMA that set it (dma_begin); dma_walk() sets the
 * domain's.
 */
enum dma_fast_result {
	DMA_FAST_DONE,
	DMA_FAST_FALLBACK, /* take dma_rw() */
	DMA_FAST_FALLBACK_WALKED, /* ... and count its first hit as a miss */
};

static inline __attribute__((always_inline)) enum dma_fast_result
dma_fast_locked(struct uio_dev *dev, struct dev_iotlb *tlb, uint32_t pasid,
		uint64_t iova, uint8_t *buf, size_t len, bool write, bool walk)
{
	struct uio_domain *domain = dma_domain(dev, pasid);
	struct iotlb_entry *e;
	bool hit = true;
	uint64_t gen, off;
	uint32_t attr;
	uint8_t *hva;

	/*
	 * The epoch after the domain (an acquire load): a domain attached
	 * after a detach comes with that detach's epoch bump (iotlb.h).
	 */
	if (unlikely(!domain) ||
	    unlikely(tlb->epoch != atomic_load_explicit(&dev->iotlb_epoch,
							memory_order_relaxed)))
		return DMA_FAST_FALLBACK;
	gen = atomic_load_explicit(&domain->iotlb_gen, memory_order_acquire);
	e = &tlb->e[iotlb_index(pasid, iova)];
	if (unlikely(!iotlb_match(e, domain, gen, iova))) {
		if (!walk || !dma_walk(domain, pasid, gen, iova, e))
			return DMA_FAST_FALLBACK;
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
			goto out_fallback;
	} else if (unlikely(!(attr & PT_PROT_READ))) {
		goto out_fallback;
	}
	/* one piece: the whole DMA inside the leaf (then it cannot wrap) */
	if (unlikely(len > (1ULL << iotlb_lg2(attr)) - off))
		goto out_fallback;
	hva = (uint8_t *)(uintptr_t)(e->oa + off);
	/*
	 * Copy first: a fault (the memory is gone) is the slow path's to
	 * count. Then the IOTLB's own counters (its owner's alone: plain
	 * increments); one translation, as dma_ops counts: no xlate_adjust.
	 */
	if (write ? dma_copy(hva, buf, len) : dma_copy(buf, hva, len))
		goto out_fallback;
	stat_inc_own(&tlb->stats.dma_ops, 1);
	stat_inc_own(&tlb->stats.dma_bytes, len);
	if (unlikely(!hit))
		stat_inc_own(&tlb->stats.iotlb_misses, 1);
	return DMA_FAST_DONE;

out_fallback:
	/* a filled entry stays: dma_rw() will find it */
	return hit ? DMA_FAST_FALLBACK : DMA_FAST_FALLBACK_WALKED;
}

/*
 * This thread's IOTLB of @dev for the fast path: NULL for a thread without
 * a slot of its own (iotlb.h), and for one not set up yet (its slot is
 * DEV_STAT_SHARED until it is), or for a bad PASID.
 */
static inline struct dev_iotlb *
dma_fast_iotlb(struct uio_dev *dev, const struct dev_thread *th, uint32_t pasid)
{
	if (unlikely(pasid != UIO_DEV_NO_PASID && pasid >= dev->pasid_limit))
		return NULL;
	return atomic_load_explicit(&dev->iotlb[th->slot],
				    memory_order_relaxed);
}

/*
 * DMAs above 16 bytes: the fast path, misses included (a memcpy call and
 * its stack frame are paid anyway), or dma_rw(). One copy of it per
 * direction.
 */
static inline __attribute__((always_inline)) int
dma_rw_large(struct uio_dev *dev, uint32_t pasid, uint64_t iova, uint8_t *buf,
	     size_t len, unsigned int flags)
{
	const struct dev_thread *th = &dev_thread;
	struct dev_iotlb *tlb = dma_fast_iotlb(dev, th, pasid);
	enum dma_fast_result r;

	if (unlikely(!tlb))
		return dma_rw(dev, pasid, iova, buf, len, flags);
	urcu_memb_read_lock();
	r = dma_fast_locked(dev, tlb, pasid, iova, buf, len, flags & DMA_WRITE,
			    true);
	urcu_memb_read_unlock();
	if (likely(r == DMA_FAST_DONE))
		return 0;
	return dma_rw(dev, pasid, iova, buf, len,
		      flags | (r == DMA_FAST_FALLBACK_WALKED ? DMA_WALKED : 0));
}

static __attribute__((noinline)) int dma_read_large(struct uio_dev *dev,
						    uint32_t pasid,
						    uint64_t iova, uint8_t *buf,
						    size_t len)
{
	return dma_rw_large(dev, pasid, iova, buf, len, 0);
}

static __attribute__((noinline)) int dma_write_large(struct uio_dev *dev,
						     uint32_t pasid,
						     uint64_t iova,
						     uint8_t *buf, size_t len)
{
	return dma_rw_large(dev, pasid, iova, buf, len, DMA_WRITE);
}

/*
 * The exits of the small fast path, out of line: that path ends in a tail
 * call to one of them, and so needs no stack frame of its own (the unlock
 * may call futex to wake a grace period).
 */
static __attribute__((noinline)) int dma_unlock_done(void)
{
	urcu_memb_read_unlock();
	return 0;
}

static __attribute__((noinline)) int
dma_unlock_rw(struct uio_dev *dev, uint32_t pasid, uint64_t iova, uint8_t *buf,
	      size_t len, unsigned int flags)
{
	urcu_memb_read_unlock();
	return dma_rw(dev, pasid, iova, buf, len, flags);
}

/*
 * Small DMAs (up to 16 bytes: registers, descriptors, doorbells): IOTLB
 * hits copy inline and call nothing but the unlock; larger DMAs go to
 * dma_read_large() / dma_write_large().
 */
static inline __attribute__((always_inline)) int
dma_access(struct uio_dev *dev, uint32_t pasid, uint64_t iova, uint8_t *buf,
	   size_t len, unsigned int flags)
{
	const struct dev_thread *th = &dev_thread;
	struct dev_iotlb *tlb;

	if (len > 16)
		return flags & DMA_WRITE
			       ? dma_write_large(dev, pasid, iova, buf, len)
			       : dma_read_large(dev, pasid, iova, buf, len);
	tlb = dma_fast_iotlb(dev, th, pasid);
	if (unlikely(!tlb))
		return dma_rw(dev, pasid, iova, buf, len, flags);
	urcu_memb_read_lock();
	if (likely(dma_fast_locked(dev, tlb, pasid, iova, buf, len,
				   flags & DMA_WRITE, false) == DMA_FAST_DONE))
		return dma_unlock_done();
	return dma_unlock_rw(dev, pasid, iova, buf, len, flags);
}

int uio_dma_read(struct uio_dev *dev, uint32_t pasid, uint64_t iova, void *buf,
		 size_t len)
{
	return dma_access(dev, pasid, iova, buf, len, 0);
}

int uio_dma_write(struct uio_dev *dev, uint32_t pasid, uint64_t iova,
		  const void *buf, size_t len)
{
	return dma_access(dev, pasid, iova, (uint8_t *)buf, len, DMA_WRITE);
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
	unsigned int tries = 0;
	bool swapped = false;
	uint8_t *hva;
	int ret;

	if (iova & 7)
		return -EINVAL;
	ret = dma_begin(dev, pasid, &th);
	if (ret)
		return ret;
	lib_read_lock();
	domain = dma_domain(dev, pasid);
	while (domain) {
		f = dma_xlate(
			dma_iotlb(dev, th,
				  atomic_load_explicit(&dev->iotlb_epoch,
						       memory_order_relaxed)),
			domain, pasid, iova, PT_PROT_READ | PT_PROT_WRITE, true,
			&hva, &avail, &cnt);
		if (f == DMA_OK ||
		    !dma_fault(dev, &domain, pasid, iova,
			       PT_PROT_READ | PT_PROT_WRITE, &tries))
			break;
		f = DMA_FAULT_TRANSLATION;
	}
	if (f == DMA_OK) {
		int rc = uio_fixup_cas64((uint64_t *)hva, &expected, new_val);

		if (rc < 0)
			f = DMA_FAULT_TRANSLATION; /* the memory is gone */
		swapped = rc == 0;
		*old = expected;
	}
	lib_read_unlock();
	dma_account(dev, th, f == DMA_OK ? 8 : 0, &cnt, f);
	if (f != DMA_OK)
		return -EFAULT;
	return swapped ? 0 : -EAGAIN;
}
