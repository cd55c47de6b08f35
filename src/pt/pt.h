/* SPDX-License-Identifier: MIT */
/*
 * pt: the page-table engine of the software IOMMU models.
 *
 * One walker (walker.c) builds, edits and reads radix page tables of any
 * format; a format (fmt_*.c) is nothing but a bit encoding, described by a
 * struct pt_format: how a leaf or a table pointer is written at a level, how
 * an entry is decoded, and which bits carry the dirty state. The walker never
 * knows which hardware it serves; a hardware model (hw/) picks a format and a
 * level count and hands the root to its device-table entry.
 *
 * Addresses. The host "physical address" is a host virtual address in this
 * process: table pages are ordinary memory (4 KiB, naturally aligned, from the
 * pool in pool.c) and a table entry holds the host address of the next table
 * page; a leaf holds the host address the IOVA translates to ("output
 * address", OA). A table page is 4 KiB in every format, but the smallest
 * page (the granule) need not be: the iommufd selftest's mock format maps
 * 2 KiB pages with 4 KiB tables of 512 entries.
 *
 * Concurrency.
 *  - Writers (pt_map, pt_unmap, pt_read_and_clear_dirty, pt_trim, pt_stats)
 *    serialize on a mutex inside the table; callers need no lock of their
 *    own. They must not be called inside an RCU read-side critical section:
 *    freed table pages wait for a grace period before reuse, and a writer
 *    waits for one (urcu_memb_synchronize_rcu) once per 128 freed pages, or
 *    when it needs pages and enough are waiting. Any thread may be a
 *    writer, registered or not.
 *  - Readers (pt_lookup, pt_iova_to_phys, pt_set_dirty) take no lock: they
 *    read entries with atomic loads and may run concurrently with writers.
 *    A reader that can race with pt_unmap must run inside
 *    urcu_memb_read_lock() / urcu_memb_read_unlock() on a thread registered
 *    with urcu_memb_register_thread(): table pages freed by a writer are
 *    reused only after an RCU grace period (urcu-memb flavour), so a reader
 *    never follows a pointer into a reused page. A reader racing with a
 *    writer sees, for each IOVA, either the old or the new translation,
 *    never a mixture. A translation read before pt_unmap returned may still
 *    be in the reader's hands afterwards; a caller that promises "no access
 *    after unmap" waits for a grace period (urcu_memb_synchronize_rcu()).
 *  - pt_free() waits for a grace period (urcu_memb_synchronize_rcu) before
 *    it releases the table and its pages, so a reader that found the table
 *    under the read lock finishes safely; the caller unpublishes the table
 *    first, and does not call it inside a read-side critical section.
 *
 * Glossary (all sizes in log2, all ranges as [iova, last] or length):
 *  granule_lg2   log2 of the smallest page: 12 (4 KiB); 11 for the mock.
 *  level_bits    log2 of the number of entries in a table: 9 (512 x 8 bytes).
 *  table_lg2     log2 of a table page: level_bits + 3 = 12 (pt_fmt_table_lg2);
 *                equal to granule_lg2 except in the mock format.
 *  level         0 is the level whose entries map granule pages; the top
 *                (root) table is at level levels - 1.
 *  levels        number of table levels the walk goes through (4 or 5 for
 *                x86-64, 3..5 for VT-d second stage, 1..6 for AMD v1, 1..5
 *                for the AMD v1 mock, 3 or 4 for ARM LPAE).
 *  shift         pt_level_shift(fmt, level) = granule_lg2 + level *
 *                level_bits: log2 of the IOVA span of one entry at a level.
 *  pgsize_lg2    log2 of a leaf's size; a leaf at level L maps 2^shift(L)
 *                bytes (AMD v1 "next level 7" leaves may be larger and are
 *                decoded, never written, by the engine).
 *  pgsize_bitmap bit n set: pages of 2^n bytes may be used.
 *  va_lg2        IOVA width the table translates: min(64, granule_lg2 +
 *                levels * level_bits).
 *  oa_lg2        output address width the format can encode.
 *  addr_shift    where an entry keeps its address: shifted left by this
 *                many bits (0: at its own bit positions; 1 in the mock,
 *                which stores OA / 2 KiB in AMD's bits 51:12).
 *  pte           one 64-bit table entry, leaf or table pointer. An entry is
 *                empty if and only if it is 0: the engine never writes a
 *                non-zero entry that is not present.
 */
#ifndef UIOMMUFD_PT_PT_H
#define UIOMMUFD_PT_PT_H

#include <stdbool.h>
#include <stdint.h>

#define PT_MAX_LEVELS 6

#define PT_BIT(n) (1ULL << (n))
/* bits h..l inclusive */
#define PT_GENMASK(h, l) ((~0ULL >> (63 - (h))) & ~(PT_BIT(l) - 1))

/* Access permissions and attributes of a mapping (pt_map's @prot). */
#define PT_PROT_READ (1u << 0)
#define PT_PROT_WRITE (1u << 1)
/* cache-coherent (snooped) access: VT-d SNP, AMD FC, ARM write-back */
#define PT_PROT_CACHE (1u << 2)
#define PT_PROT_ALL (PT_PROT_READ | PT_PROT_WRITE | PT_PROT_CACHE)

/* format features */
/* a write-only mapping cannot be encoded: WRITE reads back as READ|WRITE */
#define PT_FMT_WRITE_IMPLIES_READ (1u << 0)

enum pt_entry_type {
	PT_ENTRY_EMPTY, /* not present (or not valid at this level) */
	PT_ENTRY_TABLE, /* points to the next table, one level down */
	PT_ENTRY_LEAF, /* maps an output address */
};

/*
 * struct pt_format - the bit encoding of one page-table format.
 *
 * Encoding functions are pure: no memory access, no state. The walker relies
 * on one property of every leaf encoding, the "linear OA" contract: for an
 * OA aligned to the leaf size at a level, make_leaf(oa + k * size) ==
 * make_leaf(oa) + (k * size << addr_shift) for as long as the OA stays below
 * 2^oa_lg2 (the OA is stored in place, or shifted as a whole). This lets
 * the walker write a run of leaves with one encode and one add per entry.
 * Likewise a table pointer is the table's address plus attribute bits that
 * depend on the level only: make_table(pa, level) == (pa << addr_shift) |
 * make_table(0, level), and no leaf at that level has exactly those
 * attribute bits. The walker recognizes its own pointers with one mask and
 * compare, and calls the format only for leaves and anything unexpected.
 *
 * Dirty state is data, not code, so that the harvest loop tests it inline:
 * a leaf is dirty iff (pte & dirty_mask) == dirty_match. Hardware (and
 * pt_set_dirty) marks a tracked clean leaf dirty by setting dirty_set and
 * clearing dirty_clear; cleaning does the reverse. A leaf is tracked and
 * clean iff (pte & dirty_mask) == (dirty_match ^ (dirty_set | dirty_clear)).
 * dirty_enable is the bit a writable leaf carries to be tracked at all (ARM
 * DBM); 0 when the format tracks every leaf once the hardware's context
 * enables it (x86 D, VT-d SSADE, AMD HAD live outside the table entries).
 */
struct pt_format {
	const char *name;
	unsigned int min_levels, max_levels;
	unsigned int granule_lg2; /* 12; 11 for the mock */
	unsigned int level_bits; /* 9: a table page is 2^(level_bits + 3) */
	unsigned int oa_lg2; /* output address width */
	unsigned int addr_shift; /* entry address bits = address << this */
	uint32_t leaf_levels; /* bit L: a leaf may be written at level L */
	unsigned int prot_mask; /* PT_PROT_* bits the format encodes */
	unsigned int features; /* PT_FMT_* */

	/* a leaf mapping @oa (aligned to the level's page size) with @prot */
	uint64_t (*make_leaf)(uint64_t oa, unsigned int level,
			      unsigned int prot);
	/* a table entry at @level pointing to the table page at @table_pa */
	uint64_t (*make_table)(uint64_t table_pa, unsigned int level);
	enum pt_entry_type (*entry_type)(uint64_t pte, unsigned int level);
	/* a leaf's first output address, or a table entry's table address */
	uint64_t (*entry_oa)(uint64_t pte, unsigned int level);
	/* log2 of a leaf's size; NULL: always pt_level_shift(level) */
	unsigned int (*leaf_lg2)(uint64_t pte, unsigned int level);
	/* PT_PROT_* of a leaf (a writable-clean tracked leaf is writable) */
	unsigned int (*entry_prot)(uint64_t pte);

	uint64_t dirty_mask, dirty_match;
	uint64_t dirty_set, dirty_clear;
	uint64_t dirty_enable;
};

extern const struct pt_format pt_fmt_x86_64; /* VT-d first stage */
extern const struct pt_format pt_fmt_vtd_ss; /* VT-d second stage */
extern const struct pt_format pt_fmt_amdv1; /* AMD IOMMU v1 host */
/* AMD v1 with 2 KiB pages: the iommufd selftest's mock IOMMU */
extern const struct pt_format pt_fmt_amdv1_mock;
extern const struct pt_format pt_fmt_arm_lpae_s1; /* ARMv8 LPAE stage 1 */
extern const struct pt_format pt_fmt_arm_lpae_s2; /* ARMv8 LPAE stage 2 */

static inline unsigned int pt_level_shift(const struct pt_format *fmt,
					  unsigned int level)
{
	return fmt->granule_lg2 + level * fmt->level_bits;
}

/* log2 of a table page's bytes: 2^level_bits entries of 8 bytes */
static inline unsigned int pt_fmt_table_lg2(const struct pt_format *fmt)
{
	return fmt->level_bits + 3;
}

static inline unsigned int pt_fmt_va_lg2(const struct pt_format *fmt,
					 unsigned int levels)
{
	unsigned int lg2 = pt_level_shift(fmt, levels);

	return lg2 > 64 ? 64 : lg2;
}

/* the page sizes a table of @levels levels can hold */
static inline uint64_t pt_fmt_pgsize_bitmap(const struct pt_format *fmt,
					    unsigned int levels)
{
	uint64_t bitmap = 0;
	unsigned int level;

	for (level = 0; level < levels; level++)
		if (fmt->leaf_levels & (1u << level))
			bitmap |= PT_BIT(pt_level_shift(fmt, level));
	return bitmap;
}

static inline bool pt_entry_is_present(const struct pt_format *fmt,
				       uint64_t pte, unsigned int level)
{
	return fmt->entry_type(pte, level) != PT_ENTRY_EMPTY;
}

static inline bool pt_entry_is_table(const struct pt_format *fmt, uint64_t pte,
				     unsigned int level)
{
	return fmt->entry_type(pte, level) == PT_ENTRY_TABLE;
}

/* dirty tests apply to leaves only */
static inline bool pt_entry_is_dirty(const struct pt_format *fmt, uint64_t pte)
{
	return fmt->dirty_match && (pte & fmt->dirty_mask) == fmt->dirty_match;
}

static inline bool pt_entry_is_clean_tracked(const struct pt_format *fmt,
					     uint64_t pte)
{
	return fmt->dirty_match &&
	       (pte & fmt->dirty_mask) ==
		       (fmt->dirty_match ^ (fmt->dirty_set | fmt->dirty_clear));
}

static inline uint64_t pt_entry_mark_dirty(const struct pt_format *fmt,
					   uint64_t pte)
{
	return (pte | fmt->dirty_set) & ~fmt->dirty_clear;
}

static inline uint64_t pt_entry_clear_dirty(const struct pt_format *fmt,
					    uint64_t pte)
{
	return (pte | fmt->dirty_clear) & ~fmt->dirty_set;
}

/* ---- tables ---- */

struct pt_table;

/* pt_alloc_flags() @flags */
/*
 * Writable leaves carry the format's dirty_enable bit and start clean (ARM:
 * DBM with AP[2] / S2AP[1] as hardware dirty state, per SMMUv3 HTTU). Without
 * it an ARM table tracks nothing; formats whose enable lives outside the
 * entries track always.
 */
#define PT_ALLOC_DIRTY_TRACKING (1u << 0)

/**
 * pt_alloc_flags() - an empty table of @levels levels in format @fmt
 *
 * Returns the table or ERR_PTR(-EINVAL) (levels not supported by the
 * format, unknown flags) or ERR_PTR(-ENOMEM).
 */
struct pt_table *pt_alloc_flags(const struct pt_format *fmt,
				unsigned int levels, unsigned int flags);

/* pt_alloc() - pt_alloc_flags() without flags */
struct pt_table *pt_alloc(const struct pt_format *fmt, unsigned int levels);

/**
 * pt_free() - release @t and all its table pages after a grace period
 *
 * NULL and error pointers are ignored. Never fails; waits for readers.
 */
void pt_free(struct pt_table *t);

/**
 * pt_map() - map [iova, iova + length) to [oa, oa + length)
 * @prot: PT_PROT_*, READ or WRITE at least
 * @pgsize_bitmap: page sizes allowed (intersected with the format's)
 *
 * Every step uses the largest allowed page size that the alignment of the
 * IOVA and of the OA and the remaining length permit; PAGE_SIZE alone can be
 * forced by allowing only it. iova, oa and length must be multiples of the
 * smallest allowed size.
 *
 * Returns 0, -EINVAL (bad range, alignment, prot or no usable page size),
 * -EEXIST (something is already mapped in the range) or -ENOMEM. On failure
 * nothing of this call stays mapped; mappings made before are untouched.
 */
int pt_map(struct pt_table *t, uint64_t iova, uint64_t oa, uint64_t length,
	   unsigned int prot, uint64_t pgsize_bitmap);

/**
 * pt_unmap() - unmap the leaves inside [iova, iova + length)
 *
 * Holes are skipped. A range whose first or last byte lies inside a leaf
 * that extends beyond the range would split a huge page: nothing is unmapped
 * and 0 is returned (the iommufd core never asks for that: it unmaps what it
 * mapped). Table pages left empty are freed.
 *
 * Returns the number of bytes unmapped (0 for an invalid range). Never fails.
 */
uint64_t pt_unmap(struct pt_table *t, uint64_t iova, uint64_t length);

/* struct pt_leaf - what a lookup found */
struct pt_leaf {
	uint64_t oa; /* output address of the looked-up IOVA */
	uint64_t leaf_iova; /* first IOVA the leaf maps */
	unsigned int prot; /* PT_PROT_* */
	unsigned int pgsize_lg2;
	unsigned int level;
	bool dirty;
};

/**
 * pt_lookup() - translate @iova, lock-free (see Concurrency above)
 *
 * Returns 0 and fills @ret_leaf, or -ENOENT (nothing mapped, or @iova beyond
 * the table's va_lg2) leaving @ret_leaf untouched.
 */
int pt_lookup(const struct pt_table *t, uint64_t iova,
	      struct pt_leaf *ret_leaf);

/**
 * pt_iova_to_phys() - the output address and prot of @iova
 *
 * The DMA path's translation: pt_lookup() reduced to two outputs (either may
 * be NULL). Returns 0 or -ENOENT; outputs are untouched on failure.
 */
int pt_iova_to_phys(const struct pt_table *t, uint64_t iova, uint64_t *ret_oa,
		    unsigned int *ret_prot);

/**
 * pt_set_dirty() - mark the leaf mapping @iova dirty, as hardware does
 *
 * A lock-free atomic update of a tracked clean leaf; nothing happens if
 * @iova is unmapped, the leaf is untracked or already dirty. For the DMA path
 * after a permitted write. Call under the RCU read lock if racing pt_unmap.
 */
void pt_set_dirty(struct pt_table *t, uint64_t iova);

/* pt_read_and_clear_dirty() @flags: report only, leave the dirty bits set */
#define PT_DIRTY_NO_CLEAR (1u << 0)

/**
 * pt_read_and_clear_dirty() - report and clean the dirty leaves of a range
 * @record: called for each run of contiguous dirty IOVA, in increasing
 *          order, clipped to [iova, iova + length); with the table's lock
 *          held, so it must not call the writers of the same table
 *
 * A huge leaf partly inside the range is reported for the part inside and
 * cleaned as a whole (it has one dirty bit).
 *
 * Returns 0, -EINVAL (bad range or flags) or -EOPNOTSUPP (the format has no
 * dirty bit).
 */
int pt_read_and_clear_dirty(
	struct pt_table *t, uint64_t iova, uint64_t length, unsigned int flags,
	void (*record)(void *arg, uint64_t iova, uint64_t length), void *arg);

/* struct pt_stats - a census of a table, for tests and state dumps */
struct pt_stats {
	unsigned int levels;
	unsigned int va_lg2;
	uint64_t table_pages; /* reachable from the root */
	uint64_t tables_per_level[PT_MAX_LEVELS];
	uint64_t leaves_per_level[PT_MAX_LEVELS]; /* pgsize: level shift */
	uint64_t mapped_bytes;
	uint64_t dirty_leaves;
	uint64_t table_bytes; /* table_pages * table page size */
	/* the pool behind the table */
	uint64_t pool_pages_used; /* handed out: must equal table_pages */
	uint64_t pool_pages_deferred; /* freed, waiting for a grace period */
	uint64_t pool_pages_free; /* ready for reuse */
	uint64_t pool_slabs;
	uint64_t pool_bytes; /* memory the pool has touched and holds */
};

/*
 * pt_trim() - give back memory held for speed: wait for a grace period so
 * that freed table pages are reusable now (a writer; may block).
 */
void pt_trim(struct pt_table *t);

/* pt_stats() - walk @t and fill @s (takes the writer lock) */
void pt_stats(struct pt_table *t, struct pt_stats *s);

/* small accessors for hardware models */
const struct pt_format *pt_table_format(const struct pt_table *t);
unsigned int pt_table_levels(const struct pt_table *t);
unsigned int pt_table_va_lg2(const struct pt_table *t);
uint64_t pt_table_pgsize_bitmap(const struct pt_table *t);
/* host address of the root table page (what a device-table entry holds) */
uint64_t pt_table_root(const struct pt_table *t);

#endif
