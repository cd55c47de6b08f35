/* SPDX-License-Identifier: MIT */
/*
 * iotlb: filling and dropping entries of a device's translation cache (the
 * lookup is inline in iotlb.h; the design is described there).
 */
#include "dev/iotlb.h"

/* take @e's sequence lock, or false if another thread holds it */
static bool entry_trylock(struct iotlb_entry *e, uint32_t *seq)
{
	*seq = atomic_load_explicit(&e->seq, memory_order_relaxed);
	if (*seq & 1)
		return false;
	if (!atomic_compare_exchange_strong_explicit(&e->seq, seq, *seq + 1,
						     memory_order_relaxed,
						     memory_order_relaxed))
		return false;
	/* field stores stay after the odd seq (the reader's seq re-check) */
	atomic_thread_fence(memory_order_release);
	return true;
}

static void entry_unlock(struct iotlb_entry *e, uint32_t seq)
{
	atomic_store_explicit(&e->seq, seq + 2, memory_order_release);
}

void iotlb_fill(struct iotlb_entry *e, const struct uio_domain *domain,
		uint64_t gen, const struct iotlb_xlate *x)
{
	uint32_t seq;

	if (!entry_trylock(e, &seq))
		return;
	atomic_store_explicit(&e->domain, (uintptr_t)domain,
			      memory_order_relaxed);
	atomic_store_explicit(&e->gen, gen, memory_order_relaxed);
	atomic_store_explicit(&e->iova, x->iova, memory_order_relaxed);
	atomic_store_explicit(&e->oa, x->oa, memory_order_relaxed);
	atomic_store_explicit(&e->attr, x->attr, memory_order_relaxed);
	entry_unlock(e, seq);
}

/*
 * An entry a filler holds right now is skipped: the caller has waited for
 * a grace period after unpublishing @domain, so whoever fills now
 * translates through a domain that is still attached (iotlb.h).
 */
void iotlb_invalidate(struct iotlb_entry *tlb, const struct uio_domain *domain)
{
	unsigned int i;
	uint32_t seq;

	for (i = 0; i < DEV_IOTLB_ENTRIES; i++) {
		struct iotlb_entry *e = &tlb[i];
		uintptr_t d = atomic_load_explicit(&e->domain,
						   memory_order_relaxed);

		if (!d || (domain && d != (uintptr_t)domain))
			continue;
		if (!entry_trylock(e, &seq))
			continue;
		atomic_store_explicit(&e->domain, 0, memory_order_relaxed);
		entry_unlock(e, seq);
	}
}
