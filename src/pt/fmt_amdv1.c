/* SPDX-License-Identifier: MIT */
/*
 * AMD IOMMU v1 host page table: a pure bit encoding for the walker (see
 * pt.h), in two variants: the hardware's, and the iommufd selftest's mock.
 *
 * amdv1. The device table entry's Mode gives 1 to 6 levels; with 6 the
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
 *
 * amdv1_mock. The Linux iommufd selftest's mock IOMMU uses the AMD v1
 * entry layout with a 2 KiB granule, so that the core meets an IOMMU page
 * smaller than the CPU's (as a 4 KiB IOMMU under 64 KiB CPU pages would).
 * Table pages stay 4 KiB of 512 entries, so a level spans 9 more bits:
 * leaves are 2 KiB, 1 MiB and 512 MiB (levels 0..2), and 5 levels cover the
 * mock's 56-bit IOVA space (the selftest itself uses 3 levels, 38 bits).
 *
 * Address encoding, our choice for the mock: bit 11 of a 2 KiB-aligned
 * address cannot sit in place, NextLevel owns bits 11:9. Like the kernel's
 * variant, an entry stores the address in units of the granule: OA / 2 KiB
 * in the same field, bits 51:12; in other words the address shifted left by
 * one bit (addr_shift 1). Every 2 KiB-aligned OA below 2^51 round-trips, a
 * table page's address too (its bit 12 in the entry is always 0), and both
 * walker contracts hold with the shift (pt.h). NextLevel 7 sizes count the
 * same way, in granules: n ones from entry bit 12 up give 2^(12 + n) bytes.
 * Permissions, FC and the D bit are amdv1's.
 */
#include "pt/pt.h"

#define AMD_PR PT_BIT(0)
#define AMD_D PT_BIT(6)
#define AMD_NL_SHIFT 9
#define AMD_NL PT_GENMASK(11, 9)
#define AMD_ADDR_SHIFT 12 /* the address field starts here */
#define AMD_ADDR PT_GENMASK(51, 12)
#define AMD_FC PT_BIT(60)
#define AMD_IR PT_BIT(61)
#define AMD_IW PT_BIT(62)

#define AMD_NL_LEAF 0
#define AMD_NL_SIZED 7

/* the variants' granules: the address field counts in these units */
#define AMD_GRANULE_LG2 12
#define MOCK_GRANULE_LG2 11

/*
 * The encoding, for a variant of granule 2^g: the field holds addr >> g.
 * Inlined into each variant's functions with g a constant, so amdv1 keeps
 * its plain masks.
 */
static inline uint64_t amd_addr_to_field(uint64_t addr, unsigned int g)
{
	return ((addr >> g) << AMD_ADDR_SHIFT) & AMD_ADDR;
}

static inline uint64_t amd_field_to_addr(uint64_t pte, unsigned int g)
{
	return ((pte & AMD_ADDR) >> AMD_ADDR_SHIFT) << g;
}

static inline unsigned int amd_nl(uint64_t pte)
{
	return (pte & AMD_NL) >> AMD_NL_SHIFT;
}

static inline uint64_t amd_make_leaf_g(uint64_t oa, unsigned int prot,
				       unsigned int g)
{
	uint64_t pte = amd_addr_to_field(oa, g) | AMD_PR;

	if (prot & PT_PROT_READ)
		pte |= AMD_IR;
	if (prot & PT_PROT_WRITE)
		pte |= AMD_IW;
	if (prot & PT_PROT_CACHE)
		pte |= AMD_FC;
	return pte;
}

static inline uint64_t amd_make_table_g(uint64_t table_pa, unsigned int level,
					unsigned int g)
{
	return amd_addr_to_field(table_pa, g) | AMD_PR | AMD_IR | AMD_IW |
	       ((uint64_t)level << AMD_NL_SHIFT);
}

static enum pt_entry_type amd_entry_type(uint64_t pte, unsigned int level)
{
	unsigned int nl = amd_nl(pte);

	if (!(pte & AMD_PR))
		return PT_ENTRY_EMPTY;
	if (nl == AMD_NL_LEAF || nl == AMD_NL_SIZED)
		return PT_ENTRY_LEAF;
	/* a table pointer in a level-0 table is not valid */
	return level ? PT_ENTRY_TABLE : PT_ENTRY_EMPTY;
}

static inline unsigned int amd_leaf_lg2_g(uint64_t pte, unsigned int level,
					  unsigned int g)
{
	if (amd_nl(pte) == AMD_NL_SIZED)
		/* the complement has bits 63:52 set, never 0 */
		return g + 1 + __builtin_ctzll(~(pte >> AMD_ADDR_SHIFT));
	return g + 9 * level;
}

static inline uint64_t amd_entry_oa_g(uint64_t pte, unsigned int level,
				      unsigned int g)
{
	uint64_t addr = amd_field_to_addr(pte, g);
	unsigned int nl = amd_nl(pte);

	if (nl == AMD_NL_LEAF || nl == AMD_NL_SIZED)
		addr &= ~(PT_BIT(amd_leaf_lg2_g(pte, level, g)) - 1);
	return addr;
}

static unsigned int amd_entry_prot(uint64_t pte)
{
	return ((pte & AMD_IR) ? PT_PROT_READ : 0) |
	       ((pte & AMD_IW) ? PT_PROT_WRITE : 0) |
	       ((pte & AMD_FC) ? PT_PROT_CACHE : 0);
}

/* ---- amdv1: 4 KiB granule, addresses in place ---- */

static uint64_t amd_make_leaf(uint64_t oa, unsigned int level,
			      unsigned int prot)
{
	return amd_make_leaf_g(oa, prot, AMD_GRANULE_LG2);
}

static uint64_t amd_make_table(uint64_t table_pa, unsigned int level)
{
	return amd_make_table_g(table_pa, level, AMD_GRANULE_LG2);
}

static unsigned int amd_leaf_lg2(uint64_t pte, unsigned int level)
{
	return amd_leaf_lg2_g(pte, level, AMD_GRANULE_LG2);
}

static uint64_t amd_entry_oa(uint64_t pte, unsigned int level)
{
	return amd_entry_oa_g(pte, level, AMD_GRANULE_LG2);
}

const struct pt_format pt_fmt_amdv1 = {
	.name = "amdv1",
	.min_levels = 1,
	.max_levels = 6,
	.granule_lg2 = AMD_GRANULE_LG2,
	.level_bits = 9,
	.oa_lg2 = 52,
	.addr_shift = AMD_ADDR_SHIFT - AMD_GRANULE_LG2, /* 0 */
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

/* ---- amdv1_mock: 2 KiB granule, addresses in 2 KiB units ---- */

static uint64_t mock_make_leaf(uint64_t oa, unsigned int level,
			       unsigned int prot)
{
	return amd_make_leaf_g(oa, prot, MOCK_GRANULE_LG2);
}

static uint64_t mock_make_table(uint64_t table_pa, unsigned int level)
{
	return amd_make_table_g(table_pa, level, MOCK_GRANULE_LG2);
}

static unsigned int mock_leaf_lg2(uint64_t pte, unsigned int level)
{
	return amd_leaf_lg2_g(pte, level, MOCK_GRANULE_LG2);
}

static uint64_t mock_entry_oa(uint64_t pte, unsigned int level)
{
	return amd_entry_oa_g(pte, level, MOCK_GRANULE_LG2);
}

const struct pt_format pt_fmt_amdv1_mock = {
	.name = "amdv1_mock",
	.min_levels = 1,
	.max_levels = 5, /* 11 + 5 * 9 = 56 bits of IOVA */
	.granule_lg2 = MOCK_GRANULE_LG2,
	.level_bits = 9,
	.oa_lg2 = 51, /* 40 field bits of 2 KiB units */
	.addr_shift = AMD_ADDR_SHIFT - MOCK_GRANULE_LG2, /* 1 */
	.leaf_levels = 0x7, /* 2 KiB, 1 MiB, 512 MiB */
	.prot_mask = PT_PROT_READ | PT_PROT_WRITE | PT_PROT_CACHE,
	.make_leaf = mock_make_leaf,
	.make_table = mock_make_table,
	.entry_type = amd_entry_type,
	.entry_oa = mock_entry_oa,
	.leaf_lg2 = mock_leaf_lg2,
	.entry_prot = amd_entry_prot,
	.dirty_mask = AMD_D,
	.dirty_match = AMD_D,
	.dirty_set = AMD_D,
};
