/* SPDX-License-Identifier: MIT */
/*
 * The x86-64 paging walk of guest stage-1 tables (x86_s1.h): one loop from
 * the top table down, each entry read through the stage-2 parent, checked
 * for presence, then for reserved bits, with U/S and R/W accumulated over
 * the levels and tested once at the leaf, in that order of priority (a
 * not-present entry below a read-only one is a translation fault, not a
 * write fault), as the hardware reports them.
 */
#include "hw/x86_s1.h"
#include "pt/pt.h"

#define X86_ADDR_MASK PT_GENMASK(51, 12)

/* the reserved bits of a present entry at @level (0: PTE) of @cfg */
static uint64_t x86_s1_reserved(const struct x86_s1_cfg *cfg, uint64_t pte,
				unsigned int level)
{
	uint64_t rsvd = 0;

	if (cfg->pa_bits < 52)
		rsvd |= PT_GENMASK(51, cfg->pa_bits);
	switch (level) {
	case 0: /* PTE: bit 7 is PAT */
		break;
	case 1: /* PDE: a 2 MiB leaf keeps PAT in bit 12 */
		if (pte & X86_PTE_PS)
			rsvd |= PT_GENMASK(20, 13);
		break;
	case 2: /* PDPTE */
		if (pte & X86_PTE_PS)
			rsvd |= cfg->leaf_1g ? PT_GENMASK(29, 13) : X86_PTE_PS;
		break;
	default: /* PML4E, PML5E: no leaves up here */
		rsvd |= X86_PTE_PS;
		break;
	}
	return pte & rsvd;
}

enum x86_s1_status x86_s1_walk(struct uio_domain *s2,
			       const struct x86_s1_cfg *cfg, uint64_t iova,
			       unsigned int need, struct uio_s1_result *res,
			       uint64_t *table_addr)
{
	unsigned int width = 12 + 9 * cfg->levels;
	uint64_t table = cfg->root & X86_ADDR_MASK;
	uint64_t allow = X86_PTE_RW | X86_PTE_US;
	int level;

	/* bits [63, width - 1] all equal */
	if (width < 64) {
		uint64_t top = iova >> (width - 1);

		if (top && top != (UINT64_MAX >> (width - 1))) {
			*table_addr = table;
			return X86_S1_NOT_CANONICAL;
		}
	}
	for (level = (int)cfg->levels - 1; level >= 0; level--) {
		unsigned int shift = 12 + 9 * level;
		uint64_t addr = table + (((iova >> shift) & 511) << 3);
		uint64_t pte;

		*table_addr = addr;
		if (uio_domain_read_s2(s2, addr, &pte, sizeof(pte)))
			return X86_S1_S2_FAULT;
		if (!(pte & X86_PTE_P))
			return X86_S1_NOT_PRESENT;
		if (x86_s1_reserved(cfg, pte, level))
			return X86_S1_RESERVED;
		allow &= pte;
		if (level == 0 || (pte & X86_PTE_PS)) {
			uint64_t mask = PT_BIT(shift) - 1;

			if (!(allow & X86_PTE_US))
				return X86_S1_USER;
			if ((need & PT_PROT_WRITE) && !(allow & X86_PTE_RW))
				return X86_S1_WRITE;
			res->oa = ((pte & X86_ADDR_MASK) & ~mask) | (iova & mask);
			res->prot = PT_PROT_READ |
				    ((allow & X86_PTE_RW) ? PT_PROT_WRITE : 0);
			res->pgsize_lg2 = shift;
			return X86_S1_OK;
		}
		table = pte & X86_ADDR_MASK;
	}
	return X86_S1_NOT_PRESENT; /* not reached: level 0 is always a leaf */
}
