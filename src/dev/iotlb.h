/* SPDX-License-Identifier: MIT */
/*
 * iotlb: the translation cache of one emulated device.
 *
 * DEV_IOTLB_ENTRIES direct-mapped entries, indexed by a hash of (PASID,
 * 4 KiB IOVA page). An entry caches one leaf of a domain's page table: the
 * leaf's first IOVA, its size, its host address, its PT_PROT_* and whether
 * a write needs to mark it dirty. It is tagged with the domain it came
 * from and the domain's iotlb_gen when the translation was read, and is
 * valid only while both still hold: the domain is the one the PASID is
 * attached to now, and its iotlb_gen has not moved (every unmap moves it,
 * hw.h "IOTLB"). The PASID is not part of the tag: two PASIDs attached to
 * one domain translate alike, and the domain pointer plays the role of the
 * hardware's domain id. An entry found for another 4 KiB page of the same
 * leaf (huge leaves) is as good as an exact one: the check is "IOVA inside
 * the cached leaf".
 *
 * A domain pointer could be reused by a new domain after the old one is
 * freed; entries of the old one would then look valid. The core frees a
 * domain only after detaching it from every device, and uio_dev_set_domain()
 * drops a device's entries of the domain it detaches (after a grace period,
 * so no DMA still fills one), so no entry outlives its domain's attachment.
 *
 * Dirty state. An entry remembers that a write need not mark its leaf dirty
 * (IOTLB_DIRTY_DONE: the leaf was dirty, or became dirty by our
 * pt_set_dirty(), or is not tracked at all), so that writes through a hit
 * cost no page walk. That memory goes stale when the dirty bits are
 * cleaned, by a harvest or by turning tracking on; both bump the domain's
 * iotlb_gen afterwards (domain.c), as the drivers flush the IOTLB after
 * clearing dirty bits, and wait for a grace period if the domain was
 * DMA'd through: a write that trusted an old IOTLB_DIRTY_DONE finishes
 * before the harvest that reported its leaf returns, and the next write
 * walks again and marks the leaf anew.
 *
 * Concurrency. All threads DMAing for the device share its IOTLB. Hits
 * only read; a miss fills an entry. Each entry is a sequence lock: a
 * filler takes it with one compare-and-swap of seq from even to odd
 * (skipping the fill if another thread holds it: a cache may always drop
 * a fill) and releases it with seq + 1 (even again); a reader reads seq,
 * the fields, then seq again, and uses the fields only if seq was even and
 * unchanged (the C11 recipe: relaxed field loads between an acquire load
 * and an acquire fence). Entries are one cache line each, so a fill
 * disturbs no reader of another entry.
 */
#ifndef UIOMMUFD_DEV_IOTLB_H
#define UIOMMUFD_DEV_IOTLB_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/compiler.h"

struct uio_domain;

#define DEV_IOTLB_LG2 8
#define DEV_IOTLB_ENTRIES (1u << DEV_IOTLB_LG2)

/* iotlb_entry.attr: PT_PROT_* in the low byte, then these, then the size */
#define IOTLB_DIRTY_DONE (1u << 7)
#define IOTLB_PROT_MASK 0x7fu
#define IOTLB_LG2_SHIFT 8

struct iotlb_entry {
	atomic_uint_least32_t seq; /* odd while a filler writes */
	atomic_uint_least32_t attr; /* PT_PROT_* | IOTLB_* | pgsize_lg2 << 8 */
	_Atomic(uintptr_t) domain; /* struct uio_domain *, 0 when empty */
	atomic_uint_least64_t gen; /* domain->iotlb_gen at the walk */
	atomic_uint_least64_t iova; /* first IOVA of the leaf */
	atomic_uint_least64_t oa; /* host address of that IOVA */
} __attribute__((aligned(64)));

/* one cached translation, as the DMA path uses it */
struct iotlb_xlate {
	uint64_t iova; /* first IOVA of the leaf */
	uint64_t oa; /* host address of that IOVA */
	uint32_t attr; /* as iotlb_entry.attr */
};

static inline unsigned int iotlb_index(uint32_t pasid, uint64_t iova)
{
	/* Fibonacci hashing of the PASID spreads PASIDs over the sets */
	return ((uint32_t)(iova >> 12) ^ ((pasid * 0x9e3779b9u) >> 24)) &
	       (DEV_IOTLB_ENTRIES - 1);
}

static inline unsigned int iotlb_lg2(uint32_t attr)
{
	return attr >> IOTLB_LG2_SHIFT;
}

/*
 * The translation @e holds for @iova in @domain at generation @gen, or
 * false. A consistent snapshot of the entry or nothing (see above).
 */
static inline bool iotlb_probe(struct iotlb_entry *e,
			       const struct uio_domain *domain, uint64_t gen,
			       uint64_t iova, struct iotlb_xlate *x)
{
	uint32_t seq = atomic_load_explicit(&e->seq, memory_order_acquire);
	uintptr_t d = atomic_load_explicit(&e->domain, memory_order_relaxed);
	uint64_t g = atomic_load_explicit(&e->gen, memory_order_relaxed);

	x->iova = atomic_load_explicit(&e->iova, memory_order_relaxed);
	x->oa = atomic_load_explicit(&e->oa, memory_order_relaxed);
	x->attr = atomic_load_explicit(&e->attr, memory_order_relaxed);
	atomic_thread_fence(memory_order_acquire);
	if (unlikely(atomic_load_explicit(&e->seq, memory_order_relaxed) !=
		     seq) ||
	    unlikely(seq & 1))
		return false;
	return d == (uintptr_t)domain && g == gen &&
	       !((iova - x->iova) >> iotlb_lg2(x->attr));
}

/* cache @x for @domain at @gen in @e, unless another thread is filling it */
void iotlb_fill(struct iotlb_entry *e, const struct uio_domain *domain,
		uint64_t gen, const struct iotlb_xlate *x);

/* drop the entries of @domain (all of them for NULL) */
void iotlb_invalidate(struct iotlb_entry *tlb, const struct uio_domain *domain);

#endif
