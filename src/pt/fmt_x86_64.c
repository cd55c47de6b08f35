/* SPDX-License-Identifier: MIT */
/*
 * x86-64 paging (4-level and 5-level), as the Intel VT-d first stage walks
 * it: a pure bit encoding for the walker (see pt.h).
 *
 * Every entry: P (bit 0) present, R/W (1) writable, U/S (2) user, PWT (3),
 * PCD (4), A (5) accessed, address bits 51:12, XD (63). Leaves also have D
 * (6) dirty; in a PDE (level 1) and PDPTE (level 2) PS (7) makes the entry a
 * 2 MiB or 1 GiB page, and bit 12 of such a leaf is PAT, so its address is
 * read aligned to the page size. PML4 and PML5 entries (levels 3 and 4) are
 * always table pointers; in a 4 KiB PTE bit 7 is PAT, not PS.
 *
 * Choices: U/S is set everywhere (device requests without a privileged
 * PASID are user accesses), A is set at creation so hardware never has to,
 * PCD/PWT/PAT stay 0 (write-back; cacheability is PAT's business, so
 * PT_PROT_CACHE is not encoded), XD is not used. A write-only mapping cannot
 * be expressed: P means readable. Dirty tracking is the D bit; the enable
 * lives in the PASID entry, so every leaf is tracked.
 */
#include "pt/pt.h"

#define X86_P PT_BIT(0)
#define X86_RW PT_BIT(1)
#define X86_US PT_BIT(2)
#define X86_A PT_BIT(5)
#define X86_D PT_BIT(6)
#define X86_PS PT_BIT(7)
#define X86_ADDR PT_GENMASK(51, 12)

/* levels where PS may make a leaf: PDE and PDPTE */
#define X86_PS_LEVELS 0x6u

static uint64_t x86_make_leaf(uint64_t oa, unsigned int level,
			      unsigned int prot)
{
	uint64_t pte = (oa & X86_ADDR) | X86_P | X86_US | X86_A;

	if (prot & PT_PROT_WRITE)
		pte |= X86_RW;
	if (level)
		pte |= X86_PS;
	return pte;
}

static uint64_t x86_make_table(uint64_t table_pa, unsigned int level)
{
	return (table_pa & X86_ADDR) | X86_P | X86_RW | X86_US | X86_A;
}

static enum pt_entry_type x86_entry_type(uint64_t pte, unsigned int level)
{
	if (!(pte & X86_P))
		return PT_ENTRY_EMPTY;
	if (!level)
		return PT_ENTRY_LEAF;
	if ((X86_PS_LEVELS & (1u << level)) && (pte & X86_PS))
		return PT_ENTRY_LEAF;
	return PT_ENTRY_TABLE;
}

static uint64_t x86_entry_oa(uint64_t pte, unsigned int level)
{
	uint64_t addr = pte & X86_ADDR;

	/* a large leaf: drop PAT and the reserved bits below the page size */
	if ((X86_PS_LEVELS & (1u << level)) && (pte & X86_PS))
		addr &= ~(PT_BIT(12 + 9 * level) - 1);
	return addr;
}

static unsigned int x86_entry_prot(uint64_t pte)
{
	return PT_PROT_READ | ((pte & X86_RW) ? PT_PROT_WRITE : 0);
}

const struct pt_format pt_fmt_x86_64 = {
	.name = "x86-64",
	.min_levels = 4,
	.max_levels = 5,
	.granule_lg2 = 12,
	.level_bits = 9,
	.oa_lg2 = 52,
	.leaf_levels = 0x7, /* 4 KiB, 2 MiB, 1 GiB */
	.prot_mask = PT_PROT_READ | PT_PROT_WRITE,
	.features = PT_FMT_WRITE_IMPLIES_READ,
	.make_leaf = x86_make_leaf,
	.make_table = x86_make_table,
	.entry_type = x86_entry_type,
	.entry_oa = x86_entry_oa,
	.entry_prot = x86_entry_prot,
	.dirty_mask = X86_D,
	.dirty_match = X86_D,
	.dirty_set = X86_D,
};
