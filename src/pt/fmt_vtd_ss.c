/* SPDX-License-Identifier: MIT */
/*
 * Intel VT-d second-stage paging: a pure bit encoding for the walker (see
 * pt.h). The table has 3, 4 or 5 levels for an adjusted guest address width
 * (AGAW) of 39, 48 or 57 bits.
 *
 * Every entry: R (bit 0) read, W (1) write, X (2) execute (deprecated with
 * ERS; never set here), address bits 51:12. An entry is present when R or W
 * is set; a table pointer carries both. Leaves: EMT (5:3) and IPAT (6)
 * memory type (left 0), SP (7) in an SS-PDE (level 1) or SS-PDPTE (level 2)
 * makes a 2 MiB or 1 GiB page, A (8) accessed and D (9) dirty when the PASID
 * entry sets SSADE, SNP (11) snoop: PT_PROT_CACHE. SP is reserved in SS-PML4E
 * and SS-PML5E, which always point to tables.
 *
 * Dirty tracking is the D bit; its enable (SSADE) is outside the entries, so
 * every leaf is tracked once the walker is asked.
 */
#include "pt/pt.h"

#define VTD_R PT_BIT(0)
#define VTD_W PT_BIT(1)
#define VTD_SP PT_BIT(7)
#define VTD_D PT_BIT(9)
#define VTD_SNP PT_BIT(11)
#define VTD_ADDR PT_GENMASK(51, 12)

#define VTD_SP_LEVELS 0x6u

static uint64_t vtd_make_leaf(uint64_t oa, unsigned int level,
			      unsigned int prot)
{
	uint64_t pte = oa & VTD_ADDR;

	if (prot & PT_PROT_READ)
		pte |= VTD_R;
	if (prot & PT_PROT_WRITE)
		pte |= VTD_W;
	if (prot & PT_PROT_CACHE)
		pte |= VTD_SNP;
	if (level)
		pte |= VTD_SP;
	return pte;
}

static uint64_t vtd_make_table(uint64_t table_pa, unsigned int level)
{
	return (table_pa & VTD_ADDR) | VTD_R | VTD_W;
}

static enum pt_entry_type vtd_entry_type(uint64_t pte, unsigned int level)
{
	if (!(pte & (VTD_R | VTD_W)))
		return PT_ENTRY_EMPTY;
	if (!level)
		return PT_ENTRY_LEAF;
	if ((VTD_SP_LEVELS & (1u << level)) && (pte & VTD_SP))
		return PT_ENTRY_LEAF;
	return PT_ENTRY_TABLE;
}

static uint64_t vtd_entry_oa(uint64_t pte, unsigned int level)
{
	uint64_t addr = pte & VTD_ADDR;

	if ((VTD_SP_LEVELS & (1u << level)) && (pte & VTD_SP))
		addr &= ~(PT_BIT(12 + 9 * level) - 1);
	return addr;
}

static unsigned int vtd_entry_prot(uint64_t pte)
{
	return ((pte & VTD_R) ? PT_PROT_READ : 0) |
	       ((pte & VTD_W) ? PT_PROT_WRITE : 0) |
	       ((pte & VTD_SNP) ? PT_PROT_CACHE : 0);
}

const struct pt_format pt_fmt_vtd_ss = {
	.name = "vtd-ss",
	.min_levels = 3,
	.max_levels = 5,
	.granule_lg2 = 12,
	.level_bits = 9,
	.oa_lg2 = 52,
	.leaf_levels = 0x7, /* 4 KiB, 2 MiB, 1 GiB */
	.prot_mask = PT_PROT_READ | PT_PROT_WRITE | PT_PROT_CACHE,
	.make_leaf = vtd_make_leaf,
	.make_table = vtd_make_table,
	.entry_type = vtd_entry_type,
	.entry_oa = vtd_entry_oa,
	.entry_prot = vtd_entry_prot,
	.dirty_mask = VTD_D,
	.dirty_match = VTD_D,
	.dirty_set = VTD_D,
};
