/* SPDX-License-Identifier: MIT */
/*
 * ARMv8 VMSA long-descriptor (LPAE) translation tables with the 4 KiB
 * granule, stage 1 and stage 2, as an SMMUv3 walks them: pure bit encodings
 * for the walker (see pt.h). 3 levels translate 39 bits (ARM start level 1),
 * 4 levels 48 bits (start level 0). ARM numbers levels from the root, so our
 * level 0 is ARM level 3, and our level 3 is ARM level 0.
 *
 * Descriptor type, bits 1:0: 0b11 is a table at ARM levels 0..2 and a page
 * at ARM level 3; 0b01 is a block (1 GiB at ARM level 1, 2 MiB at level 2),
 * invalid at levels 0 and 3 with this granule; bit 0 clear is invalid.
 * Output address bits 47:12. Common leaf bits: SH (9:8) shareability,
 * AF (10) access flag (set at creation: no access-flag faults), DBM (51)
 * dirty bit modifier, XN (54:53, unused).
 *
 * Stage 1: AttrIndx (4:2) indexes the MAIR (0: normal non-cacheable,
 * 1: write-back, per the SMMU driver's MAIR layout), AP[2:1] (7:6) with
 * AP[1] "unprivileged access" set and AP[2] "read-only", nG (11). A write-only
 * mapping cannot be expressed. Stage 2: MemAttr (5:2) 0b1111 write-back or
 * 0b0101 non-cacheable, S2AP (7:6) with bit 6 read and bit 7 write.
 * PT_PROT_CACHE selects write-back and inner shareable; otherwise
 * non-cacheable and outer shareable.
 *
 * Dirty tracking (SMMUv3 HTTU, hardware dirty state): a writable leaf with
 * DBM set is "writable-clean" while its write permission bit says
 * read-only (S1: AP[2] = 1; S2: S2AP[1] = 0), and hardware grants the
 * write bit on the first write, which is "dirty". So dirty_enable is DBM,
 * the dirty transition clears AP[2] (S1) or sets S2AP[1] (S2), and a leaf
 * with DBM decodes as writable.
 */
#include "pt/pt.h"

#define LPAE_VALID PT_BIT(0)
#define LPAE_TABLE PT_BIT(1) /* also "page" at ARM level 3 */
#define LPAE_TYPE_MASK (LPAE_VALID | LPAE_TABLE)
#define LPAE_SH_OS (2ULL << 8)
#define LPAE_SH_IS (3ULL << 8)
#define LPAE_AF PT_BIT(10)
#define LPAE_ADDR PT_GENMASK(47, 12)
#define LPAE_DBM PT_BIT(51)

#define LPAE_S1_ATTRINDX PT_GENMASK(4, 2)
#define LPAE_S1_ATTR_NC (0ULL << 2)
#define LPAE_S1_ATTR_WB (1ULL << 2)
#define LPAE_S1_AP_UNPRIV PT_BIT(6)
#define LPAE_S1_AP_RDONLY PT_BIT(7)
#define LPAE_S1_NG PT_BIT(11)

#define LPAE_S2_MEMATTR PT_GENMASK(5, 2)
#define LPAE_S2_MEMATTR_WB (0xfULL << 2)
#define LPAE_S2_MEMATTR_NC (0x5ULL << 2)
#define LPAE_S2AP_R PT_BIT(6)
#define LPAE_S2AP_W PT_BIT(7)

/* our levels where a block may be: ARM levels 1 and 2 */
#define LPAE_BLOCK_LEVELS 0x6u

static uint64_t lpae_leaf_base(uint64_t oa, unsigned int level)
{
	return (oa & LPAE_ADDR) | LPAE_VALID | LPAE_AF |
	       (level ? 0 : LPAE_TABLE);
}

static uint64_t lpae_make_table(uint64_t table_pa, unsigned int level)
{
	return (table_pa & LPAE_ADDR) | LPAE_VALID | LPAE_TABLE;
}

static enum pt_entry_type lpae_entry_type(uint64_t pte, unsigned int level)
{
	uint64_t type = pte & LPAE_TYPE_MASK;

	if (!(type & LPAE_VALID))
		return PT_ENTRY_EMPTY;
	if (!level)
		return type == LPAE_TYPE_MASK ? PT_ENTRY_LEAF : PT_ENTRY_EMPTY;
	if (type == LPAE_TYPE_MASK)
		return PT_ENTRY_TABLE;
	return (LPAE_BLOCK_LEVELS & (1u << level)) ? PT_ENTRY_LEAF
						   : PT_ENTRY_EMPTY;
}

static uint64_t lpae_entry_oa(uint64_t pte, unsigned int level)
{
	uint64_t addr = pte & LPAE_ADDR;

	if (level && (pte & LPAE_TYPE_MASK) == LPAE_VALID)
		addr &= ~(PT_BIT(12 + 9 * level) - 1);
	return addr;
}

/* ---- stage 1 ---- */

static uint64_t lpae_s1_make_leaf(uint64_t oa, unsigned int level,
				  unsigned int prot)
{
	uint64_t pte = lpae_leaf_base(oa, level) | LPAE_S1_NG |
		       LPAE_S1_AP_UNPRIV;

	if (!(prot & PT_PROT_WRITE))
		pte |= LPAE_S1_AP_RDONLY;
	if (prot & PT_PROT_CACHE)
		pte |= LPAE_S1_ATTR_WB | LPAE_SH_IS;
	else
		pte |= LPAE_S1_ATTR_NC | LPAE_SH_OS;
	return pte;
}

static unsigned int lpae_s1_entry_prot(uint64_t pte)
{
	unsigned int prot = PT_PROT_READ;

	if (!(pte & LPAE_S1_AP_RDONLY) || (pte & LPAE_DBM))
		prot |= PT_PROT_WRITE;
	if ((pte & LPAE_S1_ATTRINDX) == LPAE_S1_ATTR_WB)
		prot |= PT_PROT_CACHE;
	return prot;
}

const struct pt_format pt_fmt_arm_lpae_s1 = {
	.name = "arm-lpae-s1",
	.min_levels = 3,
	.max_levels = 4,
	.granule_lg2 = 12,
	.level_bits = 9,
	.oa_lg2 = 48,
	.leaf_levels = 0x7, /* 4 KiB pages, 2 MiB and 1 GiB blocks */
	.prot_mask = PT_PROT_READ | PT_PROT_WRITE | PT_PROT_CACHE,
	.features = PT_FMT_WRITE_IMPLIES_READ,
	.make_leaf = lpae_s1_make_leaf,
	.make_table = lpae_make_table,
	.entry_type = lpae_entry_type,
	.entry_oa = lpae_entry_oa,
	.entry_prot = lpae_s1_entry_prot,
	.dirty_mask = LPAE_DBM | LPAE_S1_AP_RDONLY,
	.dirty_match = LPAE_DBM,
	.dirty_clear = LPAE_S1_AP_RDONLY,
	.dirty_enable = LPAE_DBM,
};

/* ---- stage 2 ---- */

static uint64_t lpae_s2_make_leaf(uint64_t oa, unsigned int level,
				  unsigned int prot)
{
	uint64_t pte = lpae_leaf_base(oa, level);

	if (prot & PT_PROT_READ)
		pte |= LPAE_S2AP_R;
	if (prot & PT_PROT_WRITE)
		pte |= LPAE_S2AP_W;
	if (prot & PT_PROT_CACHE)
		pte |= LPAE_S2_MEMATTR_WB | LPAE_SH_IS;
	else
		pte |= LPAE_S2_MEMATTR_NC | LPAE_SH_OS;
	return pte;
}

static unsigned int lpae_s2_entry_prot(uint64_t pte)
{
	unsigned int prot = 0;

	if (pte & LPAE_S2AP_R)
		prot |= PT_PROT_READ;
	if ((pte & LPAE_S2AP_W) || (pte & LPAE_DBM))
		prot |= PT_PROT_WRITE;
	if ((pte & LPAE_S2_MEMATTR) == LPAE_S2_MEMATTR_WB)
		prot |= PT_PROT_CACHE;
	return prot;
}

const struct pt_format pt_fmt_arm_lpae_s2 = {
	.name = "arm-lpae-s2",
	.min_levels = 3,
	.max_levels = 4,
	.granule_lg2 = 12,
	.level_bits = 9,
	.oa_lg2 = 48,
	.leaf_levels = 0x7,
	.prot_mask = PT_PROT_READ | PT_PROT_WRITE | PT_PROT_CACHE,
	.make_leaf = lpae_s2_make_leaf,
	.make_table = lpae_make_table,
	.entry_type = lpae_entry_type,
	.entry_oa = lpae_entry_oa,
	.entry_prot = lpae_s2_entry_prot,
	.dirty_mask = LPAE_DBM | LPAE_S2AP_W,
	.dirty_match = LPAE_DBM | LPAE_S2AP_W,
	.dirty_set = LPAE_S2AP_W,
	.dirty_enable = LPAE_DBM,
};
