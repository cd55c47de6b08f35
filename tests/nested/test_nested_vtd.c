/* SPDX-License-Identifier: MIT */
/*
 * VT-d nested translation (hw/vtd_nested.c with dev/dma.c): a guest's
 * first-stage x86-64 tables in guest memory mapped by a second-stage
 * NEST_PARENT domain, an emulated device DMAing through the nested domain.
 * Checks the allocation rules and errnos, two-stage translation against
 * the reference walk (4 KiB, 2 MiB and 1 GiB stage-1 leaves over 4 KiB and
 * 2 MiB stage-2 leaves), permission combinations, the first-stage fault
 * reasons, invalidation (a stale entry is used until invalidated and never
 * after; a parent unmap takes effect at once), the invalidation array's
 * rules, stage-2 dirty marking (the page written is the page marked, also
 * through a stale cached translation) and PRI page requests.
 */
#include "nested_test.h"

#define IOVA_4K 0x10000000ULL
#define IOVA_2M 0x20000000ULL
#define IOVA_1G 0x40000000ULL
#define DATA (GPA_BASE + GUEST_TABLES) /* 6 MiB of data pages */
#define NO_PASID UIO_DEV_NO_PASID

struct fx {
	struct uio_dev *dev;
	struct uio_domain *s2, *nested;
	struct guest g;
	uint64_t root;
	/* page requests the sink saw; what it does with them */
	unsigned int requests;
	int answer;
	uint64_t fix_iova, fix_gpa;
};

static struct uio_domain *alloc_nested(struct fx *f, uint32_t flags,
				       const void *data, uint32_t len,
				       uint32_t type)
{
	struct uio_hw_domain_req req = {
		.flags = flags,
		.data_type = type,
		.data = data,
		.data_len = len,
	};
	struct uio_hw_dev *hw = uio_dev_hw(f->dev);

	return hw->model->domain_alloc_nested(hw, f->s2, &req);
}

static struct uio_domain *alloc_s1(struct fx *f, uint64_t root)
{
	struct iommu_hwpt_vtd_s1 s1 = {
		.pgtbl_addr = root,
		.addr_width = 48,
	};

	return alloc_nested(f, 0, &s1, sizeof(s1), IOMMU_HWPT_DATA_VTD_S1);
}

static int setup_flags(void **state, uint32_t dev_flags, uint32_t s2_flags,
		       bool s2_large)
{
	struct fx *f = calloc(1, sizeof(*f));
	uint8_t *data;
	size_t i;

	f->dev = nt_dev(&uio_hw_vtd, dev_flags, 0x100);
	f->s2 = nt_paging(f->dev, IOMMU_HWPT_ALLOC_NEST_PARENT | s2_flags);
	guest_init(&f->g, f->s2, s2_large);
	f->root = guest_table(&f->g);
	data = gpa_to_hva(&f->g, DATA);
	for (i = 0; i < GUEST_SIZE - GUEST_TABLES; i++)
		data[i] = (uint8_t)(i * 13 + (i >> 12));
	f->nested = alloc_s1(f, f->root);
	assert_false(IS_ERR_OR_NULL(f->nested));
	assert_int_equal(uio_hw_attach_check(uio_dev_hw(f->dev), f->nested),
			 0);
	assert_int_equal(uio_dev_set_domain(f->dev, NO_PASID, f->nested), 0);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_flags(state, 0, 0, true);
}

static int setup_small_s2(void **state)
{
	return setup_flags(state, 0, 0, false);
}

static int setup_dirty(void **state)
{
	return setup_flags(state, 0, IOMMU_HWPT_ALLOC_DIRTY_TRACKING, true);
}

/* dirty tracking on 4 KiB stage-2 leaves: one dirty bit per guest page */
static int setup_dirty_small_s2(void **state)
{
	return setup_flags(state, 0, IOMMU_HWPT_ALLOC_DIRTY_TRACKING, false);
}

static int setup_pri(void **state)
{
	return setup_flags(state, UIO_HW_DEV_PRI, 0, true);
}

static int teardown(void **state)
{
	struct fx *f = *state;

	assert_int_equal(uio_dev_set_domain(f->dev, NO_PASID, NULL), 0);
	uio_dev_destroy(f->dev);
	uio_domain_free(f->nested);
	uio_domain_free(f->s2);
	guest_fini(&f->g);
	free(f);
	return 0;
}

#define RWU (X_P | X_RW | X_US)
#define ROU (X_P | X_US)

/*
 * DMA-read @len at @iova and compare with what the oracle says is there,
 * page by page (stage-1 pages are scattered)
 */
static void check_read(struct fx *f, uint64_t iova, size_t len)
{
	uint8_t buf[256], want[256];
	size_t done = 0;
	bool ok = true;
	int rc;

	assert_true(len <= sizeof(buf));
	rc = uio_dma_read(f->dev, NO_PASID, iova, buf, len);
	while (done < len) {
		uint64_t a = iova + done, gpa;
		size_t n = SZ_4K - (a & 0xfff);
		bool w;

		if (n > len - done)
			n = len - done;
		if (!x86_ref(&f->g, f->root, 4, a, &gpa, &w) ||
		    gpa < GPA_BASE || gpa + n > GPA_BASE + GUEST_SIZE) {
			ok = false;
			break;
		}
		memcpy(want + done, gpa_to_hva(&f->g, gpa), n);
		done += n;
	}
	if (!ok) {
		assert_int_equal(rc, -EFAULT);
		return;
	}
	assert_int_equal(rc, 0);
	assert_memory_equal(buf, want, len);
}

static void map_data(struct fx *f)
{
	unsigned int i;

	/* 16 4 KiB pages, scattered: page i -> data page 15 - i; odd RO */
	for (i = 0; i < 16; i++)
		x86_map(&f->g, f->root, 4, IOVA_4K + i * SZ_4K,
			DATA + (15 - i) * SZ_4K, 0, (i & 1) ? ROU : RWU, 0);
	/* a 2 MiB leaf onto the 2 MiB-aligned data at GPA_BASE + 2 MiB */
	x86_map(&f->g, f->root, 4, IOVA_2M, GPA_BASE + SZ_2M, 1, RWU, 0);
	/* a 1 GiB leaf onto all guest memory (and beyond: unmapped at s2) */
	x86_map(&f->g, f->root, 4, IOVA_1G, GPA_BASE, 2, RWU, 0);
}

/* ---- allocation ---- */

static void test_alloc_rules(void **state)
{
	struct fx *f = *state;
	struct iommu_hwpt_vtd_s1 s1 = { .pgtbl_addr = f->root,
					.addr_width = 48 };
	uint8_t big[sizeof(s1) + 8] = { 0 };
	struct uio_domain *d, *plain;

	/* data type */
	d = alloc_nested(f, 0, &s1, sizeof(s1), IOMMU_HWPT_DATA_ARM_SMMUV3);
	assert_int_equal(PTR_ERR(d), -EOPNOTSUPP);
	/* allocation flags: only PASID */
	d = alloc_nested(f, IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &s1, sizeof(s1),
			 IOMMU_HWPT_DATA_VTD_S1);
	assert_int_equal(PTR_ERR(d), -EOPNOTSUPP);
	d = alloc_nested(f, IOMMU_HWPT_ALLOC_PASID, &s1, sizeof(s1),
			 IOMMU_HWPT_DATA_VTD_S1);
	assert_false(IS_ERR_OR_NULL(d));
	uio_domain_free(d);
	/* short data; longer data, zero tail or not (the kernel's driver-data
	 * copy refuses anything longer than the struct it knows) */
	d = alloc_nested(f, 0, &s1, 16, IOMMU_HWPT_DATA_VTD_S1);
	assert_int_equal(PTR_ERR(d), -EINVAL);
	memcpy(big, &s1, sizeof(s1));
	d = alloc_nested(f, 0, big, sizeof(big), IOMMU_HWPT_DATA_VTD_S1);
	assert_int_equal(PTR_ERR(d), -EINVAL);
	big[sizeof(s1) + 3] = 1;
	d = alloc_nested(f, 0, big, sizeof(big), IOMMU_HWPT_DATA_VTD_S1);
	assert_int_equal(PTR_ERR(d), -EINVAL);
	/* reserved, unknown flags, widths */
	s1.__reserved = 1;
	assert_int_equal(PTR_ERR(alloc_nested(f, 0, &s1, sizeof(s1),
					      IOMMU_HWPT_DATA_VTD_S1)),
			 -EINVAL);
	s1.__reserved = 0;
	s1.flags = 1 << 3;
	assert_int_equal(PTR_ERR(alloc_nested(f, 0, &s1, sizeof(s1),
					      IOMMU_HWPT_DATA_VTD_S1)),
			 -EINVAL);
	s1.flags = IOMMU_VTD_S1_SRE | IOMMU_VTD_S1_EAFE | IOMMU_VTD_S1_WPE;
	d = alloc_nested(f, 0, &s1, sizeof(s1), IOMMU_HWPT_DATA_VTD_S1);
	assert_false(IS_ERR_OR_NULL(d));
	uio_domain_free(d);
	s1.flags = 0;
	s1.addr_width = 39;
	assert_int_equal(PTR_ERR(alloc_nested(f, 0, &s1, sizeof(s1),
					      IOMMU_HWPT_DATA_VTD_S1)),
			 -EINVAL);
	/* 57 bits: the unit has no 5-level first stage */
	s1.addr_width = 57;
	assert_int_equal(PTR_ERR(alloc_nested(f, 0, &s1, sizeof(s1),
					      IOMMU_HWPT_DATA_VTD_S1)),
			 -EINVAL);
	s1.addr_width = 48;

	/* the parent: a NEST_PARENT second-stage domain */
	plain = nt_paging(f->dev, 0);
	{
		struct uio_hw_domain_req req = {
			.data_type = IOMMU_HWPT_DATA_VTD_S1,
			.data = &s1,
			.data_len = sizeof(s1),
		};
		struct uio_hw_dev *hw = uio_dev_hw(f->dev);

		d = uio_hw_vtd.domain_alloc_nested(hw, plain, &req);
		assert_int_equal(PTR_ERR(d), -EINVAL);
		d = uio_hw_vtd.domain_alloc_nested(hw, f->nested, &req);
		assert_int_equal(PTR_ERR(d), -EINVAL);
	}
	uio_domain_free(plain);
}

/* ---- translation ---- */

static void test_walk_vs_reference(void **state)
{
	struct fx *f = *state;
	static const uint64_t offs[] = { 0, 8, 0xff8, 0x1000, 0x1ff0, 0x7123,
					 0xfff0 };
	unsigned int i, k;

	map_data(f);
	for (k = 0; k < 2; k++) { /* the second pass hits the IOTLB */
		for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
			check_read(f, IOVA_4K + offs[i], 16);
			check_read(f, IOVA_4K + offs[i], 200);
			check_read(f, IOVA_2M + offs[i] * 31, 200);
			check_read(f, IOVA_1G + SZ_2M + offs[i] * 97, 200);
			check_read(f, IOVA_1G + 3 * SZ_2M + offs[i] * 97, 64);
		}
		/* the 1 GiB leaf beyond guest memory: stage 2 faults */
		check_read(f, IOVA_1G + GUEST_SIZE, 8);
		check_read(f, IOVA_1G + 100 * SZ_2M, 8);
		/* nothing mapped at stage 1 */
		check_read(f, IOVA_4K + 16 * SZ_4K, 8);
		check_read(f, 0x7000000000ULL, 8);
	}
}

static void test_write_permissions(void **state)
{
	struct fx *f = *state;
	uint8_t buf[64], *p;
	struct uio_dev_stats s0, s1;
	uint64_t gpa = 0;
	bool w;

	map_data(f);
	memset(buf, 0xa5, sizeof(buf));
	/* page 0 is RW at stage 1 and stage 2 */
	assert_int_equal(uio_dma_write(f->dev, NO_PASID, IOVA_4K + 0x40, buf,
				       sizeof(buf)),
			 0);
	assert_true(x86_ref(&f->g, f->root, 4, IOVA_4K + 0x40, &gpa, &w));
	assert_memory_equal(gpa_to_hva(&f->g, gpa), buf, sizeof(buf));
	/* page 1 is read-only at stage 1: nothing written */
	uio_dev_get_stats(f->dev, &s0);
	assert_true(x86_ref(&f->g, f->root, 4, IOVA_4K + SZ_4K, &gpa, &w));
	assert_false(w);
	p = gpa_to_hva(&f->g, gpa);
	assert_int_equal(uio_dma_write(f->dev, NO_PASID, IOVA_4K + SZ_4K, buf,
				       8),
			 -EFAULT);
	assert_true(p[0] != 0xa5 || p[1] != 0xa5);
	uio_dev_get_stats(f->dev, &s1);
	assert_int_equal(s1.faults_permission - s0.faults_permission, 1);
	/* after a read cached the page, still no write */
	assert_int_equal(uio_dma_read(f->dev, NO_PASID, IOVA_4K + SZ_4K, buf,
				      8),
			 0);
	assert_int_equal(uio_dma_write(f->dev, NO_PASID, IOVA_4K + SZ_4K, buf,
				       8),
			 -EFAULT);

	/* read-only at stage 2: a page of its own, RW at stage 1 */
	{
		uint8_t *ro = nt_mem(SZ_4K, SZ_4K);
		uint64_t ipa = GPA_BASE + 64 * SZ_2M;

		memset(ro, 0x3c, SZ_4K);
		assert_int_equal(uio_domain_map(f->s2, ipa, (uintptr_t)ro,
						SZ_4K, IOMMU_READ, false),
				 0);
		x86_map(&f->g, f->root, 4, 0x30000000, ipa, 0, RWU, 0);
		assert_int_equal(uio_dma_read(f->dev, NO_PASID, 0x30000010,
					      buf, 8),
				 0);
		assert_int_equal(buf[0], 0x3c);
		assert_int_equal(uio_dma_write(f->dev, NO_PASID, 0x30000010,
					       buf, 8),
				 -EFAULT);
		assert_int_equal(uio_domain_unmap(f->s2, ipa, SZ_4K), SZ_4K);
		munmap(ro, SZ_4K);
	}
	/* a table level without R/W makes everything below read-only */
	x86_map(&f->g, f->root, 4, 0x150000000ULL, DATA, 0, RWU,
		X_P | X_US);
	assert_int_equal(uio_dma_read(f->dev, NO_PASID, 0x150000000ULL, buf, 8),
			 0);
	assert_int_equal(uio_dma_write(f->dev, NO_PASID, 0x150000000ULL, buf,
				       8),
			 -EFAULT);
}

static int xlate(struct fx *f, uint64_t iova, unsigned int need,
		 struct uio_s1_result *res, struct uio_hw_fault *fault)
{
	return f->nested->nested_ops->translate(f->nested, NO_PASID, iova,
						need, res, fault);
}

static void test_fault_reasons(void **state)
{
	struct fx *f = *state;
	struct uio_s1_result res;
	struct uio_hw_fault fault;
	uint64_t slot;

	map_data(f);
	assert_int_equal(xlate(f, IOVA_4K + 0x123, PT_PROT_READ, &res, &fault),
			 0);
	assert_int_equal(res.oa, DATA + 15 * SZ_4K + 0x123);
	assert_int_equal(res.pgsize_lg2, 12);
	assert_int_equal(res.prot, PT_PROT_READ | PT_PROT_WRITE);
	assert_int_equal(xlate(f, IOVA_1G + 5, PT_PROT_READ, &res, &fault), 0);
	assert_int_equal(res.pgsize_lg2, 30);
	/* not present */
	assert_int_equal(xlate(f, 0x7000000000ULL, PT_PROT_READ, &res, &fault),
			 -EFAULT);
	assert_int_equal(fault.code, 0x71);
	assert_int_equal(fault.reason, UIO_HW_FAULT_TRANSLATION);
	/* write to read-only */
	assert_int_equal(xlate(f, IOVA_4K + SZ_4K, PT_PROT_WRITE, &res, &fault),
			 -EFAULT);
	assert_int_equal(fault.code, 0x85);
	assert_int_equal(fault.reason, UIO_HW_FAULT_PERMISSION);
	/* supervisor-only page */
	x86_map(&f->g, f->root, 4, 0x160000000ULL, DATA, 0, X_P | X_RW, 0);
	assert_int_equal(xlate(f, 0x160000000ULL, PT_PROT_READ, &res, &fault),
			 -EFAULT);
	assert_int_equal(fault.code, 0x81);
	/* non-canonical input */
	assert_int_equal(xlate(f, 0x0000900000000000ULL, PT_PROT_READ, &res,
			       &fault),
			 -EFAULT);
	assert_int_equal(fault.code, 0x80);
	/* reserved bits: PS in a PML4E, address bits above 48 */
	slot = x86_map(&f->g, f->root, 4, 0x161000000ULL, DATA, 0, RWU, 0);
	*guest_u64(&f->g, slot) |= 1ULL << 50;
	assert_int_equal(xlate(f, 0x161000000ULL, PT_PROT_READ, &res, &fault),
			 -EFAULT);
	assert_int_equal(fault.code, 0x72);
	assert_int_equal(fault.addr, slot);
	*guest_u64(&f->g, slot) &= ~(1ULL << 50);
	assert_int_equal(xlate(f, 0x161000000ULL, PT_PROT_READ, &res, &fault),
			 0);
	slot = f->root + (0x161000000ULL >> 39 & 511) * 8;
	*guest_u64(&f->g, slot) |= X_PS;
	assert_int_equal(xlate(f, 0x161000000ULL, PT_PROT_READ, &res, &fault),
			 -EFAULT);
	assert_int_equal(fault.code, 0x72);
	*guest_u64(&f->g, slot) &= ~X_PS;
	/* a 2 MiB leaf with bits 20:13 set */
	slot = x86_map(&f->g, f->root, 4, 0x162000000ULL, GPA_BASE, 1, RWU, 0);
	*guest_u64(&f->g, slot) |= 1ULL << 14;
	assert_int_equal(xlate(f, 0x162000000ULL, PT_PROT_READ, &res, &fault),
			 -EFAULT);
	assert_int_equal(fault.code, 0x72);
	/* a table pointer to guest memory stage 2 does not map */
	x86_map(&f->g, f->root, 4, 0x163000000ULL, DATA, 0, RWU, 0);
	{
		uint64_t pdpt = *guest_u64(&f->g, f->root) & X_ADDR;
		uint64_t *pdpte = guest_u64(&f->g, pdpt + (0x163000000ULL >> 30 &
							  511) * 8);
		uint64_t old = *pdpte;

		*pdpte = 0x7000000000ULL | X_P | X_RW | X_US;
		assert_int_equal(xlate(f, 0x163000000ULL, PT_PROT_READ, &res,
				       &fault),
				 -EFAULT);
		assert_int_equal(fault.code, 0x70);
		assert_int_equal(fault.reason, UIO_HW_FAULT_S2_WALK);
		/* faults are not cached: restored, it translates */
		*pdpte = old;
		assert_int_equal(uio_dma_read(f->dev, NO_PASID, 0x163000000ULL,
					      &res, 8),
				 0);
	}
}

static void test_bad_root(void **state)
{
	struct fx *f = *state;
	struct uio_domain *d;
	struct uio_s1_result res;
	struct uio_hw_fault fault;
	uint8_t buf[8];

	/* beyond the 48-bit guest width: FSPTPTR invalid */
	d = alloc_s1(f, 1ULL << 50);
	assert_false(IS_ERR_OR_NULL(d));
	assert_int_equal(d->nested_ops->translate(d, NO_PASID, 0, PT_PROT_READ,
						  &res, &fault),
			 -EFAULT);
	assert_int_equal(fault.code, 0x73);
	/* a root stage 2 does not map: every DMA faults, nothing crashes */
	uio_domain_free(d);
	d = alloc_s1(f, 0x7000000000ULL);
	assert_int_equal(uio_dev_set_domain(f->dev, NO_PASID, d), 0);
	assert_int_equal(uio_dma_read(f->dev, NO_PASID, 0, buf, 8), -EFAULT);
	assert_int_equal(d->nested_ops->translate(d, NO_PASID, 0, PT_PROT_READ,
						  &res, &fault),
			 -EFAULT);
	assert_int_equal(fault.code, 0x70);
	assert_int_equal(uio_dev_set_domain(f->dev, NO_PASID, f->nested), 0);
	uio_domain_free(d);
}

/* ---- invalidation ---- */

static int invalidate(struct fx *f, uint64_t addr, uint64_t npages,
		      uint32_t flags)
{
	struct iommu_hwpt_vtd_s1_invalidate inv = {
		.addr = addr,
		.npages = npages,
		.flags = flags,
	};
	struct uio_hw_user_array arr =
		nt_array(IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, &inv, sizeof(inv),
			 1);
	int rc = f->nested->nested_ops->cache_invalidate_user(f->nested, &arr);

	assert_int_equal(arr.entry_num, rc ? 0 : 1);
	return rc;
}

static void test_stale_until_invalidated(void **state)
{
	struct fx *f = *state;
	uint64_t slot, old_gpa = DATA + 15 * SZ_4K, new_gpa = DATA + 40 * SZ_4K;
	uint8_t buf[16];

	map_data(f);
	memset(gpa_to_hva(&f->g, old_gpa), 0x11, 16);
	memset(gpa_to_hva(&f->g, new_gpa), 0x22, 16);
	assert_int_equal(uio_dma_read(f->dev, NO_PASID, IOVA_4K, buf, 16), 0);
	assert_int_equal(buf[0], 0x11);
	/* the guest retargets the page: the cached translation stays */
	slot = x86_map(&f->g, f->root, 4, IOVA_4K, new_gpa, 0, RWU, 0);
	assert_int_equal(uio_dma_read(f->dev, NO_PASID, IOVA_4K, buf, 16), 0);
	assert_int_equal(buf[0], 0x11);
	/* the guest invalidates that page: the new one from now on */
	assert_int_equal(invalidate(f, IOVA_4K, 1, IOMMU_VTD_INV_FLAGS_LEAF),
			 0);
	assert_int_equal(uio_dma_read(f->dev, NO_PASID, IOVA_4K, buf, 16), 0);
	assert_int_equal(buf[0], 0x22);
	/* the guest clears it: stale until invalidated, then a fault */
	*guest_u64(&f->g, slot) = 0;
	assert_int_equal(uio_dma_read(f->dev, NO_PASID, IOVA_4K, buf, 16), 0);
	assert_int_equal(buf[0], 0x22);
	assert_int_equal(invalidate(f, 0, UINT64_MAX, 0), 0);
	assert_int_equal(uio_dma_read(f->dev, NO_PASID, IOVA_4K, buf, 16),
			 -EFAULT);
	/* a parent unmap: stale at once, without a guest invalidation */
	assert_int_equal(uio_dma_read(f->dev, NO_PASID, IOVA_2M, buf, 16), 0);
	assert_int_equal(uio_domain_unmap(f->s2, GPA_BASE + SZ_2M, SZ_2M),
			 SZ_2M);
	assert_int_equal(uio_dma_read(f->dev, NO_PASID, IOVA_2M, buf, 16),
			 -EFAULT);
	/* and a re-map with other memory is seen at once too */
	{
		uint8_t *m = nt_mem(SZ_2M, SZ_2M);

		memset(m, 0x5a, 64);
		assert_int_equal(uio_domain_map(f->s2, GPA_BASE + SZ_2M,
						(uintptr_t)m, SZ_2M,
						IOMMU_READ, true),
				 0);
		assert_int_equal(uio_dma_read(f->dev, NO_PASID, IOVA_2M, buf,
					      16),
				 0);
		assert_int_equal(buf[0], 0x5a);
		assert_int_equal(uio_domain_unmap(f->s2, GPA_BASE + SZ_2M,
						  SZ_2M),
				 SZ_2M);
		munmap(m, SZ_2M);
	}
}

static void test_invalidate_rules(void **state)
{
	struct fx *f = *state;
	struct iommu_hwpt_vtd_s1_invalidate inv[3] = {
		{ .addr = 0x1000, .npages = 1 },
		{ .addr = 0x2000, .npages = 2 },
		{ .addr = 0x3000, .npages = 1 },
	};
	struct uio_hw_user_array arr;
	uint8_t big[sizeof(inv[0]) + 8] = { 0 };
	int (*inval)(struct uio_domain *, struct uio_hw_user_array *) =
		f->nested->nested_ops->cache_invalidate_user;

	assert_int_equal(invalidate(f, 0x1000, 1, 0), 0);
	assert_int_equal(invalidate(f, 0x1000, 1, 2), -EOPNOTSUPP);
	assert_int_equal(invalidate(f, 0x1001, 1, 0), -EINVAL);
	assert_int_equal(invalidate(f, 0x1000, 0, 0), -EINVAL);
	/* the bad third entry: two handled */
	inv[2].flags = 1u << 5;
	arr = nt_array(IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, inv, sizeof(inv[0]),
		       3);
	assert_int_equal(inval(f->nested, &arr), -EOPNOTSUPP);
	assert_int_equal(arr.entry_num, 2);
	inv[2].flags = 0;
	inv[2].__reserved = 1;
	arr = nt_array(IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, inv, sizeof(inv[0]),
		       3);
	assert_int_equal(inval(f->nested, &arr), -EOPNOTSUPP);
	assert_int_equal(arr.entry_num, 2);
	inv[2].__reserved = 0;
	arr = nt_array(IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, inv, sizeof(inv[0]),
		       3);
	assert_int_equal(inval(f->nested, &arr), 0);
	assert_int_equal(arr.entry_num, 3);
	/* none: nothing to do */
	arr = nt_array(IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, inv, sizeof(inv[0]),
		       0);
	assert_int_equal(inval(f->nested, &arr), 0);
	assert_int_equal(arr.entry_num, 0);
	/* wrong type, short entries, non-zero tails */
	arr = nt_array(IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, inv,
		       sizeof(inv[0]), 1);
	assert_int_equal(inval(f->nested, &arr), -EINVAL);
	assert_int_equal(arr.entry_num, 0);
	arr = nt_array(IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, inv, 16, 1);
	assert_int_equal(inval(f->nested, &arr), -EINVAL);
	memcpy(big, &inv[0], sizeof(inv[0]));
	arr = nt_array(IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, big, sizeof(big), 1);
	assert_int_equal(inval(f->nested, &arr), 0);
	big[sizeof(inv[0]) + 1] = 7;
	arr = nt_array(IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, big, sizeof(big), 1);
	assert_int_equal(inval(f->nested, &arr), -E2BIG);
	/* an unreadable array */
	arr = nt_array(IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, (void *)8,
		       sizeof(inv[0]), 1);
	assert_int_equal(inval(f->nested, &arr), -EFAULT);
	assert_int_equal(arr.entry_num, 0);
}

/* ---- dirty tracking of the parent ---- */

static void record(void *arg, uint64_t iova, uint64_t length)
{
	uint64_t *seen = arg;

	seen[0] = iova;
	seen[1] += length;
}

static void test_s2_dirty(void **state)
{
	struct fx *f = *state;
	uint64_t seen[2] = { 0, 0 }, gpa = 0;
	uint8_t buf[8] = { 1 };
	bool w;

	map_data(f);
	assert_int_equal(uio_domain_set_dirty_tracking(f->s2, true), 0);
	/* reads mark nothing */
	assert_int_equal(uio_dma_read(f->dev, NO_PASID, IOVA_4K + 4 * SZ_4K,
				      buf, 8),
			 0);
	assert_int_equal(uio_domain_read_and_clear_dirty(
				 f->s2, GPA_BASE, GUEST_SIZE, 0, record, seen),
			 0);
	assert_int_equal(seen[1], 0);
	/* a write through a cached read entry marks the final page */
	assert_int_equal(uio_dma_write(f->dev, NO_PASID, IOVA_4K + 4 * SZ_4K,
				       buf, 8),
			 0);
	assert_true(x86_ref(&f->g, f->root, 4, IOVA_4K + 4 * SZ_4K, &gpa, &w));
	assert_int_equal(uio_domain_read_and_clear_dirty(
				 f->s2, GPA_BASE, GUEST_SIZE, 0, record, seen),
			 0);
	assert_true(seen[1] > 0);
	assert_true(gpa >= seen[0] && gpa < seen[0] + seen[1]);
	/* cleaned: the next write marks again */
	seen[0] = seen[1] = 0;
	assert_int_equal(uio_dma_write(f->dev, NO_PASID, IOVA_4K + 4 * SZ_4K,
				       buf, 8),
			 0);
	assert_int_equal(uio_domain_read_and_clear_dirty(
				 f->s2, GPA_BASE, GUEST_SIZE, 0, record, seen),
			 0);
	assert_true(gpa >= seen[0] && gpa < seen[0] + seen[1]);
}

/*
 * The page a write lands in is the page marked dirty, even when the write
 * goes through a cached translation the guest has changed (or removed)
 * and not invalidated yet: the window between a guest's table update and
 * its invalidation. Either translation may serve the write (a cache may
 * always be dropped), but a live migration that copies only dirty pages
 * loses the write if a different page is marked, or none.
 */
static void expect_only_dirty(struct fx *f, uint64_t gpa)
{
	uint64_t seen[2] = { 0, 0 };

	assert_int_equal(uio_domain_read_and_clear_dirty(
				 f->s2, GPA_BASE, GUEST_SIZE, 0, record, seen),
			 0);
	if (gpa) {
		assert_int_equal(seen[0], gpa);
		assert_int_equal(seen[1], SZ_4K);
	} else {
		assert_int_equal(seen[1], 0);
	}
}

static void test_s2_dirty_stale_entry(void **state)
{
	struct fx *f = *state;
	uint64_t old_gpa = DATA + 3 * SZ_4K, new_gpa = DATA + 7 * SZ_4K, slot;
	uint8_t *old_hva = gpa_to_hva(&f->g, old_gpa);
	uint8_t *new_hva = gpa_to_hva(&f->g, new_gpa);
	uint8_t buf[8], w1[8] = "first", w2[8] = "second";
	int rc;

	slot = x86_map(&f->g, f->root, 4, IOVA_4K, old_gpa, 0, RWU, 0);
	assert_int_equal(uio_domain_set_dirty_tracking(f->s2, true), 0);
	/* a read caches the translation; the leaf is clean (a harvest here
	 * would flush the cache) */
	assert_int_equal(uio_dma_read(f->dev, NO_PASID, IOVA_4K, buf, 8), 0);

	/* the guest retargets the page and has not invalidated yet */
	x86_map(&f->g, f->root, 4, IOVA_4K, new_gpa, 0, RWU, 0);
	assert_int_equal(uio_dma_write(f->dev, NO_PASID, IOVA_4K + 16, w1, 8),
			 0);
	if (!memcmp(old_hva + 16, w1, 8)) {
		expect_only_dirty(f, old_gpa);
	} else {
		assert_memory_equal(new_hva + 16, w1, 8);
		expect_only_dirty(f, new_gpa);
	}

	/* the guest removes the page and has not invalidated yet */
	assert_int_equal(invalidate(f, IOVA_4K, 1, IOMMU_VTD_INV_FLAGS_LEAF),
			 0);
	assert_int_equal(uio_dma_read(f->dev, NO_PASID, IOVA_4K, buf, 8), 0);
	*guest_u64(&f->g, slot) = 0;
	rc = uio_dma_write(f->dev, NO_PASID, IOVA_4K + 32, w2, 8);
	if (rc == 0) {
		assert_memory_equal(new_hva + 32, w2, 8);
		expect_only_dirty(f, new_gpa);
	} else {
		assert_int_equal(rc, -EFAULT);
		assert_memory_not_equal(new_hva + 32, w2, 8);
		expect_only_dirty(f, 0);
	}
}

/* ---- PRI ---- */

static int sink(void *arg, struct uio_dev *dev, uint32_t pasid, uint64_t addr,
		uint32_t perm)
{
	struct fx *f = arg;

	f->requests++;
	assert_int_equal(pasid, NO_PASID);
	assert_int_equal(addr & 0xfff, 0);
	if (f->answer == IOMMUFD_PAGE_RESP_SUCCESS && addr == f->fix_iova) {
		x86_map(&f->g, f->root, 4, addr, f->fix_gpa, 0, RWU, 0);
		/* as the guest would: invalidate what it changed */
		assert_int_equal(invalidate(f, addr, 1, 0), 0);
	}
	return f->answer;
}

static void test_pri(void **state)
{
	struct fx *f = *state;
	struct uio_dev_fault_sink s = { .page_request = sink, .arg = f };
	uint8_t buf[32];
	uint64_t iova = 0x170000000ULL;

	map_data(f);
	/* no sink: a fault as without PRI */
	assert_int_equal(uio_dma_read(f->dev, NO_PASID, iova, buf, 8), -EFAULT);
	uio_dev_set_fault_sink(f->dev, &s);
	/* the sink maps the page: the DMA goes through */
	f->answer = IOMMUFD_PAGE_RESP_SUCCESS;
	f->fix_iova = iova;
	f->fix_gpa = DATA + 7 * SZ_4K;
	memset(gpa_to_hva(&f->g, f->fix_gpa) + 0x10, 0x77, 16);
	assert_int_equal(uio_dma_read(f->dev, NO_PASID, iova + 0x10, buf, 16),
			 0);
	assert_int_equal(f->requests, 1);
	assert_int_equal(buf[0], 0x77);
	/* success that fixes nothing: bounded retries, then a fault */
	f->requests = 0;
	assert_int_equal(uio_dma_read(f->dev, NO_PASID, iova + SZ_4K, buf, 8),
			 -EFAULT);
	assert_true(f->requests >= 1 && f->requests <= 8);
	/* an INVALID answer: a fault, one request */
	f->requests = 0;
	f->answer = IOMMUFD_PAGE_RESP_INVALID;
	assert_int_equal(uio_dma_write(f->dev, NO_PASID, iova + 2 * SZ_4K, buf,
				       8),
			 -EFAULT);
	assert_int_equal(f->requests, 1);
	/* a write to a read-only page asks too */
	f->requests = 0;
	assert_int_equal(uio_dma_write(f->dev, NO_PASID, IOVA_4K + SZ_4K, buf,
				       8),
			 -EFAULT);
	assert_int_equal(f->requests, 1);
	/* cas64 goes the same way */
	f->requests = 0;
	f->answer = IOMMUFD_PAGE_RESP_SUCCESS;
	f->fix_iova = iova + 3 * SZ_4K;
	f->fix_gpa = DATA + 8 * SZ_4K;
	memset(gpa_to_hva(&f->g, f->fix_gpa), 0, 8);
	{
		uint64_t old = 0;

		assert_int_equal(uio_dma_cas64(f->dev, NO_PASID, f->fix_iova,
					       &old, 42),
				 0);
		assert_int_equal(*(uint64_t *)gpa_to_hva(&f->g, f->fix_gpa),
				 42);
	}
	assert_int_equal(f->requests, 1);
	uio_dev_set_fault_sink(f->dev, NULL);
}

/* PRI on a paging domain: the request maps the IOVA in the domain */
struct paging_pri {
	struct uio_domain *d;
	uint8_t *mem;
	unsigned int requests;
};

static int paging_sink(void *arg, struct uio_dev *dev, uint32_t pasid,
		       uint64_t addr, uint32_t perm)
{
	struct paging_pri *p = arg;

	p->requests++;
	assert_true(perm & IOMMU_PGFAULT_PERM_WRITE);
	assert_int_equal(uio_domain_map(p->d, addr, (uintptr_t)p->mem, SZ_4K,
					IOMMU_READ | IOMMU_WRITE, false),
			 0);
	return IOMMUFD_PAGE_RESP_SUCCESS;
}

static void test_pri_paging(void **state)
{
	struct uio_dev *dev = nt_dev(&uio_hw_vtd, UIO_HW_DEV_PRI, 0x200);
	struct paging_pri p = { .d = nt_paging(dev, 0) };
	struct uio_dev_fault_sink s = { .page_request = paging_sink, .arg = &p };
	uint64_t v = 0x1234;

	(void)state;
	p.mem = nt_mem(SZ_4K, SZ_4K);
	assert_int_equal(uio_dev_set_domain(dev, NO_PASID, p.d), 0);
	uio_dev_set_fault_sink(dev, &s);
	assert_int_equal(uio_dma_write(dev, NO_PASID, 0x5000 + 8, &v, 8), 0);
	assert_int_equal(p.requests, 1);
	assert_memory_equal(p.mem + 8, &v, 8);
	uio_dev_set_fault_sink(dev, NULL);
	assert_int_equal(uio_dev_set_domain(dev, NO_PASID, NULL), 0);
	uio_dev_destroy(dev);
	uio_domain_free(p.d);
	munmap(p.mem, SZ_4K);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_alloc_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_walk_vs_reference, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_walk_vs_reference,
						setup_small_s2, teardown),
		cmocka_unit_test_setup_teardown(test_write_permissions, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fault_reasons, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_until_invalidated,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalidate_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_s2_dirty, setup_dirty,
						teardown),
		cmocka_unit_test_setup_teardown(test_s2_dirty_stale_entry,
						setup_dirty_small_s2, teardown),
		cmocka_unit_test_setup_teardown(test_pri, setup_pri, teardown),
		cmocka_unit_test(test_pri_paging),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
