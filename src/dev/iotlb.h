/* SPDX-License-Identifier: MIT */
/*
 * iotlb: the translation cache of an emulated device.
 *
 * DEV_IOTLB_ENTRIES direct-mapped entries, indexed by (4 KiB IOVA page xor
 * PASID; the two 2 KiB leaves of a 4 KiB page of the selftest's mock format
 * share a set). An entry caches one leaf of a domain's page table: the leaf's
 * first IOVA, its size, its host address, its PT_PROT_* and whether a
 * write needs to mark it dirty. It is tagged with the domain it came from
 * and the domain's iotlb_gen read before the walk, and is valid only while
 * both still hold: the domain is the one the PASID is attached to now, and
 * its iotlb_gen has not moved (every unmap moves it, hw.h "IOTLB"). The
 * PASID is not part of the tag: two PASIDs attached to one domain
 * translate alike, and the domain pointer plays the role of the hardware's
 * domain id. An entry filled for another 4 KiB page of the same leaf
 * (huge leaves) is as good as an exact one: the check is "IOVA inside the
 * cached leaf".
 *
 * One cache per DMA thread. A device has one IOTLB per thread that DMAs
 * for it (per statistics slot, dev_thread.h: at most DEV_STAT_SLOTS - 1,
 * allocated on the thread's first miss), as a device with several DMA
 * engines has one translation cache each. Each is read and written by its
 * owner thread only: a hit is four plain loads, a fill four plain stores,
 * with no sequence lock, no atomic read-modify-write and no fence (a
 * locked instruction on the miss path would wait for the previous DMA's
 * stores to drain, and a cache line shared by DMA threads would bounce
 * between them). Threads beyond the slots (sharing the last statistics
 * block) have no IOTLB: they always walk. The IOTLB also holds the
 * counters of the DMAs the fast path completes through it, so that path
 * touches nothing of the device's but its attachment and epoch.
 *
 * Domain pointer reuse. A domain pointer could be reused by a new domain
 * after the old one is freed, and entries of the old one would then look
 * valid. The core frees a domain only after detaching it from every
 * device, and every detach or replace (uio_dev_set_domain) bumps the
 * device's IOTLB epoch after its grace period; an IOTLB whose epoch is
 * older is emptied before its next use. Other threads' caches are never
 * written by the detaching thread.
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
 */
#ifndef UIOMMUFD_DEV_IOTLB_H
#define UIOMMUFD_DEV_IOTLB_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct uio_domain;

#define DEV_IOTLB_LG2 8
#define DEV_IOTLB_ENTRIES (1u << DEV_IOTLB_LG2)

/* iotlb_entry.attr */
#define IOTLB_PROT_MASK 0x7u /* PT_PROT_READ | WRITE | CACHE */
#define IOTLB_DIRTY_DONE (1u << 3)
#define IOTLB_LG2_SHIFT 8 /* log2 of the leaf size, in the second byte */

/*
 * The attributes have a field of their own: leaves may be smaller than
 * 4 KiB (the selftest mock's 2 KiB granule), so the IOVA has no low bits
 * to spare that every format leaves clear.
 */
struct iotlb_entry {
	const struct uio_domain *domain; /* NULL: empty */
	uint64_t gen; /* domain->iotlb_gen read before the walk */
	uint64_t iova; /* first IOVA of the leaf */
	uint64_t oa; /* host address of that IOVA */
	uint32_t attr; /* PT_PROT_* | IOTLB_DIRTY_DONE | lg2 << 8 */
};

/*
 * The counters of the DMAs that the fast path completes, kept next to the
 * IOTLB it used (no slot lookup on the fast path); owner-written, read by
 * uio_dev_get_stats().
 */
struct dev_fast_stats {
	atomic_uint_least64_t dma_ops, dma_bytes, iotlb_misses;
};

/* one thread's IOTLB of one device */
struct dev_iotlb {
	uint64_t epoch; /* the device's epoch the entries belong to */
	struct dev_fast_stats stats;
	struct iotlb_entry e[DEV_IOTLB_ENTRIES];
};

static inline unsigned int iotlb_index(uint32_t pasid, uint64_t iova)
{
	/* consecutive pages and consecutive PASIDs land on different sets */
	return ((uint32_t)(iova >> 12) ^ pasid) & (DEV_IOTLB_ENTRIES - 1);
}

static inline unsigned int iotlb_lg2(uint32_t attr)
{
	return attr >> IOTLB_LG2_SHIFT;
}

/* does @e translate @iova for @domain at generation @gen? */
static inline bool iotlb_match(const struct iotlb_entry *e,
			       const struct uio_domain *domain, uint64_t gen,
			       uint64_t iova)
{
	return e->domain == domain && e->gen == gen &&
	       !((iova - e->iova) >> iotlb_lg2(e->attr));
}

/* @tlb as of device epoch @epoch: emptied if it belongs to an older one */
static inline void iotlb_sync_epoch(struct dev_iotlb *tlb, uint64_t epoch)
{
	if (tlb->epoch != epoch) {
		memset(tlb->e, 0, sizeof(tlb->e));
		tlb->epoch = epoch;
	}
}

#endif
