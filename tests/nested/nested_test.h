/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers of the nesting tests: a guest's physical memory (host
 * memory mapped into a stage-2 nesting parent at GPA_BASE, with an
 * allocator of table pages inside it), an x86-64 paging builder and an
 * independent reference walk of the same tables (the oracle the models'
 * stage-1 walks are checked against), and a device behind a model.
 *
 * The reference walk reads the guest tables straight from host memory
 * (gpa - GPA_BASE + host base) and consults the test's own record of what
 * stage 2 maps, not the models' code.
 */
#ifndef UIOMMUFD_TESTS_NESTED_TEST_H
#define UIOMMUFD_TESTS_NESTED_TEST_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include <linux/iommufd.h>

#include "core/io_pagetable.h"
#include "dev/dev.h"
#include "hw/hw.h"
#include "pt/pt.h"
#include "util/err.h"

#define SZ_4K 0x1000ULL
#define SZ_2M 0x200000ULL
#define SZ_1G 0x40000000ULL

/* guest physical memory: GUEST_SIZE bytes at GPA_BASE */
#define GPA_BASE 0x40000000ULL
#define GUEST_SIZE (4 * SZ_2M)
/* the first part of guest memory holds tables, the rest data */
#define GUEST_TABLES SZ_2M

struct guest {
	uint8_t *mem;       /* host memory behind [GPA_BASE, + GUEST_SIZE) */
	uint64_t next_table; /* next free table page (gpa) */
	struct uio_domain *s2;
};

/* @len bytes of host memory aligned to @align, zeroed; munmap to free */
static inline void *nt_mem(size_t len, size_t align)
{
	uint8_t *p = mmap(NULL, len + align, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *a;

	assert_true(p != MAP_FAILED);
	a = (uint8_t *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
	if (a != p)
		munmap(p, a - p);
	if (p + len + align != a + len)
		munmap(a + len, p + len + align - (a + len));
	return a;
}

static inline void guest_init(struct guest *g, struct uio_domain *s2,
			      bool large)
{
	g->mem = nt_mem(GUEST_SIZE, SZ_2M);
	g->next_table = GPA_BASE;
	g->s2 = s2;
	assert_int_equal(uio_domain_map(s2, GPA_BASE, (uintptr_t)g->mem,
					GUEST_SIZE, IOMMU_READ | IOMMU_WRITE,
					large),
			 0);
}

static inline void guest_fini(struct guest *g)
{
	munmap(g->mem, GUEST_SIZE);
}

static inline void *gpa_to_hva(struct guest *g, uint64_t gpa)
{
	assert_true(gpa >= GPA_BASE && gpa < GPA_BASE + GUEST_SIZE);
	return g->mem + (gpa - GPA_BASE);
}

/* a zeroed table page */
static inline uint64_t guest_table(struct guest *g)
{
	uint64_t gpa = g->next_table;

	assert_true(gpa + SZ_4K <= GPA_BASE + GUEST_TABLES);
	g->next_table += SZ_4K;
	memset(gpa_to_hva(g, gpa), 0, SZ_4K);
	return gpa;
}

static inline uint64_t *guest_u64(struct guest *g, uint64_t gpa)
{
	return gpa_to_hva(g, gpa);
}

/* ---- x86-64 paging (VT-d first stage, AMD guest tables) ---- */

#define X_P (1ULL << 0)
#define X_RW (1ULL << 1)
#define X_US (1ULL << 2)
#define X_PS (1ULL << 7)
#define X_ADDR 0x000ffffffffff000ULL

/*
 * Map @iova to guest physical @gpa with a leaf at @level (0: 4 KiB, 1:
 * 2 MiB, 2: 1 GiB) under the @levels-level table at @root; @bits are the
 * leaf's P/RW/US (tables get P|RW|US, or @tbl_bits if non-zero). Returns
 * the gpa of the leaf entry.
 */
static inline uint64_t x86_map(struct guest *g, uint64_t root,
			       unsigned int levels, uint64_t iova,
			       uint64_t gpa, unsigned int level, uint64_t bits,
			       uint64_t tbl_bits)
{
	uint64_t table = root;
	int l;

	for (l = (int)levels - 1; l > (int)level; l--) {
		uint64_t slot = table + (((iova >> (12 + 9 * l)) & 511) << 3);
		uint64_t *pte = guest_u64(g, slot);

		if (!(*pte & X_P))
			*pte = guest_table(g) |
			       (tbl_bits ? tbl_bits : X_P | X_RW | X_US);
		table = *pte & X_ADDR;
	}
	table += ((iova >> (12 + 9 * level)) & 511) << 3;
	*guest_u64(g, table) = gpa | bits | (level ? X_PS : 0);
	return table;
}

/*
 * The oracle: the guest physical address of @iova through the x86-64
 * tables at @root, and whether a write is allowed; false if not mapped
 * (not present, or a table outside guest memory).
 */
static inline bool x86_ref(struct guest *g, uint64_t root, unsigned int levels,
			   uint64_t iova, uint64_t *gpa, bool *writable)
{
	uint64_t table = root, allow = X_RW | X_US;
	int l;

	for (l = (int)levels - 1; l >= 0; l--) {
		unsigned int shift = 12 + 9 * l;
		uint64_t slot = table + (((iova >> shift) & 511) << 3), pte;

		if (slot < GPA_BASE || slot >= GPA_BASE + GUEST_SIZE)
			return false;
		pte = *guest_u64(g, slot);
		if (!(pte & X_P))
			return false;
		allow &= pte;
		if (l == 0 || (pte & X_PS)) {
			uint64_t mask = (1ULL << shift) - 1;

			if (!(allow & X_US))
				return false;
			*gpa = ((pte & X_ADDR) & ~mask) | (iova & mask);
			*writable = allow & X_RW;
			return true;
		}
		table = pte & X_ADDR;
	}
	return false;
}

/* ---- devices ---- */

static inline struct uio_dev *nt_dev(const struct uio_hw_model *model,
				     uint32_t hw_flags, uint32_t rid)
{
	struct uio_dev_cfg cfg = {
		.model = model,
		.rid = rid,
		.pasid_bits = 20,
		.hw_flags = hw_flags | UIO_HW_DEV_PASID,
		.instance = 0,
	};
	struct uio_dev *dev = NULL;

	assert_int_equal(uio_dev_create(&cfg, &dev), 0);
	return dev;
}

static inline struct uio_domain *nt_paging(struct uio_dev *dev, uint32_t flags)
{
	struct uio_hw_domain_req req = {
		.flags = flags,
		.data_type = IOMMU_HWPT_DATA_NONE,
	};
	struct uio_hw_dev *hw = uio_dev_hw(dev);
	struct uio_domain *d = hw->model->domain_alloc_paging(hw, &req);

	assert_false(IS_ERR_OR_NULL(d));
	return d;
}

/* an invalidation array over @entries (@n of @len bytes each) */
static inline struct uio_hw_user_array nt_array(uint32_t type,
						const void *entries,
						uint32_t len, uint32_t n)
{
	return (struct uio_hw_user_array){
		.type = type,
		.entry_len = len,
		.entry_num = n,
		.uptr = (uintptr_t)entries,
	};
}

#endif
