/* SPDX-License-Identifier: MIT */
/*
 * x86_s1: a walk of guest-owned x86-64 paging tables, read through stage 2.
 *
 * VT-d's first stage and AMD's guest (v2, GCR3) tables are both x86-64
 * paging structures: 4 or 5 levels of 512 64-bit entries with P, R/W, U/S,
 * PS (2 MiB at the PDE, 1 GiB at the PDPTE) and XD. When a nested domain
 * sits over a stage-2 parent the guest owns those tables and the IOMMU
 * reads each of them at a guest physical address, which is an IOVA of the
 * parent: x86_s1_walk() does that with uio_domain_read_s2(), decodes every
 * entry as the hardware would (present, reserved bits, huge leaves), and
 * says why it stopped in model-neutral terms; the VT-d and AMD models turn
 * that into their own fault reason codes.
 *
 * Requests are user-level (no PASID privilege attribute is modelled): every
 * level must grant U/S, and a write needs R/W at every level. Accessed and
 * dirty bits of the guest tables are not set (the guest sees them as it
 * left them). Lock-free and allocation-free: it runs on the DMA path.
 */
#ifndef UIOMMUFD_HW_X86_S1_H
#define UIOMMUFD_HW_X86_S1_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/hw.h"

/* the x86-64 paging-entry bits both models read */
#define X86_PTE_P (1ULL << 0)
#define X86_PTE_RW (1ULL << 1)
#define X86_PTE_US (1ULL << 2)
#define X86_PTE_PS (1ULL << 7)
#define X86_PTE_XD (1ULL << 63)

struct x86_s1_cfg {
	uint64_t root;        /* guest physical address of the top table */
	unsigned int levels;  /* 4 or 5 */
	unsigned int pa_bits; /* guest physical width: address bits above are reserved */
	bool leaf_1g;         /* 1 GiB leaves (PS in a PDPTE) are allowed */
};

/* why a walk stopped */
enum x86_s1_status {
	X86_S1_OK,
	X86_S1_NOT_CANONICAL, /* input bits above the width are not a sign extension */
	X86_S1_S2_FAULT,      /* a table is not readable through stage 2 */
	X86_S1_NOT_PRESENT,
	X86_S1_RESERVED,      /* a reserved bit is set in a present entry */
	X86_S1_USER,          /* some level denies user access (U/S = 0) */
	X86_S1_WRITE,         /* a write, and some level is read-only */
};

/*
 * Translate @iova for an access needing @need (PT_PROT_*) through the guest
 * tables of @cfg, reading them through @s2. On X86_S1_OK fills *res; on a
 * failure sets *table_addr to the guest physical address of the entry that
 * stopped the walk (the table root for a canonical-address fault).
 */
enum x86_s1_status x86_s1_walk(struct uio_domain *s2,
			       const struct x86_s1_cfg *cfg, uint64_t iova,
			       unsigned int need, struct uio_s1_result *res,
			       uint64_t *table_addr);

#endif
