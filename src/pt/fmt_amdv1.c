/* SPDX-License-Identifier: MIT */
/*
 * AMD IOMMU v1 host page table: a pure bit encoding for the walker (see
 * pt.h). The device table entry's Mode gives 1 to 6 levels; with 6 the
 * table translates all 64 bits (the top table uses 128 of its entries).
 *
 * Every entry: PR (bit 0) present, NextLevel (11:9), address (51:12),
 * IR (61) read and IW (62) write permission. NextLevel 1..6 points to a
 * table of that level (AMD levels count from 1 at the 4 KiB level, so a
 * pointer at our level L has NextLevel L); the engine never skips levels.
 * NextLevel 0 is a leaf of the level's own size (4 KiB, 2 MiB, 1 GiB ...).
 * NextLevel 7 is a leaf whose size is written in the address: the count of
 * consecutive 1 bits from bit 12 up, n, gives a page of 2^(13 + n) bytes,
 * replicated in every entry it covers. The engine writes NextLevel 0 leaves
 * only and decodes both. Leaves also have A (5) accessed, D (6) dirty, and
 * FC (60) force coherent: PT_PROT_CACHE. Table pointers carry IR and IW:
 * permissions are the AND of every level's.
 *
 * Dirty tracking is the D bit; the enable (HAD) lives in the device table
 * entry, so every leaf is tracked.
 */
#include "pt/pt.h"

#define AMD_PR PT_BIT(0)
#define AMD_D PT_BIT(6)
#define AMD_NL_SHIFT 9
#define AMD_NL PT_GENMASK(11, 9)
#define AMD_ADDR PT_GENMASK(51, 12)
#define AMD_FC PT_BIT(60)
#define AMD_IR PT_BIT(61)
#define AMD_IW PT_BIT(62)

#define AMD_NL_LEAF 0
#define AMD_NL_SIZED 7

static unsigned int amd_nl(uint64_t pte)
{
	return (pte & AMD_NL) >> AMD_NL_SHIFT;
}

static uint64_t amd_make_leaf(uint64_t oa, unsigned int level,
			      unsigned int prot)
{
	uint64_t pte = (oa & AMD_ADDR) | AMD_PR;

	if (prot & PT_PROT_READ)
		pte |= AMD_IR;
	if (prot & PT_PROT_WRITE)
		pte |= AMD_IW;
	if (prot & PT_PROT_CACHE)
		pte |= AMD_FC;
	return pte;
}

static uint64_t amd_make_table(uint64_t table_pa, unsigned int level)
{
	return (table_pa & AMD_ADDR) | AMD_PR | AMD_IR | AMD_IW |
	       ((uint64_t)level << AMD_NL_SHIFT);
}

static enum pt_entry_type amd_entry_type(uint64_t pte, unsigned int level)
{
	unsigned int nl = amd_nl(pte);

	if (!(pte & AMD_PR))
		return PT_ENTRY_EMPTY;
	if (nl == AMD_NL_LEAF || nl == AMD_NL_SIZED)
		return PT_ENTRY_LEAF;
	/* a table pointer in a 4 KiB table is not valid */
	return level ? PT_ENTRY_TABLE : PT_ENTRY_EMPTY;
}

static unsigned int amd_leaf_lg2(uint64_t pte, unsigned int level)
{
	if (amd_nl(pte) == AMD_NL_SIZED)
		/* the complement has bits 63:52 set, never 0 */
		return 13 + __builtin_ctzll(~(pte >> 12));
	return 12 + 9 * level;
}

static uint64_t amd_entry_oa(uint64_t pte, unsigned int level)
{
	uint64_t addr = pte & AMD_ADDR;
	unsigned int nl = amd_nl(pte);

	if (nl == AMD_NL_LEAF || nl == AMD_NL_SIZED)
		addr &= ~(PT_BIT(amd_leaf_lg2(pte, level)) - 1);
	return addr;
}

static unsigned int amd_entry_prot(uint64_t pte)
{
	return ((pte & AMD_IR) ? PT_PROT_READ : 0) |
	       ((pte & AMD_IW) ? PT_PROT_WRITE : 0) |
	       ((pte & AMD_FC) ? PT_PROT_CACHE : 0);
}

const struct pt_format pt_fmt_amdv1 = {
	.name = "amdv1",
	.min_levels = 1,
	.max_levels = 6,
	.granule_lg2 = 12,
	.level_bits = 9,
	.oa_lg2 = 52,
	.leaf_levels = 0x7, /* 4 KiB, 2 MiB, 1 GiB */
	.prot_mask = PT_PROT_READ | PT_PROT_WRITE | PT_PROT_CACHE,
	.make_leaf = amd_make_leaf,
	.make_table = amd_make_table,
	.entry_type = amd_entry_type,
	.entry_oa = amd_entry_oa,
	.leaf_lg2 = amd_leaf_lg2,
	.entry_prot = amd_entry_prot,
	.dirty_mask = AMD_D,
	.dirty_match = AMD_D,
	.dirty_set = AMD_D,
};
