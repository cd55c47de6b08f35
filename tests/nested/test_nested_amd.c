/* SPDX-License-Identifier: MIT */
/*
 * AMD nesting through a vIOMMU (hw/amd_nested.c with dev/dma.c): a guest
 * DTE naming a GCR3 table of per-PASID guest x86-64 tables, all in guest
 * memory mapped by a v1 NEST_PARENT, an emulated device DMAing through the
 * nested domain. Checks the vIOMMU and gDTE rules and errnos, two-stage
 * translation against the reference walk (4 KiB, 2 MiB, 1 GiB guest
 * leaves), PASID selection through the GCR3 table (1 and 2 levels), GIOV
 * and GV, event codes of bad tables, parent unmaps, and that the vIOMMU
 * takes no invalidation (EOPNOTSUPP, as the kernel's).
 */
#include "nested_test.h"

#define NO_PASID UIO_DEV_NO_PASID
#define DATA (GPA_BASE + GUEST_TABLES)
#define IOVA_4K 0x10000000ULL
#define IOVA_2M 0x20000000ULL
#define IOVA_1G 0x40000000ULL
#define RWU (X_P | X_RW | X_US)

#define DTE0_V (1ULL << 0)
#define DTE0_GIOV (1ULL << 54)
#define DTE0_GV (1ULL << 55)

struct fx {
	struct uio_dev *dev;
	struct uio_domain *s2, *nested;
	struct uio_viommu *viommu;
	struct guest g;
	uint64_t gcr3, root[2];
};

/* the gDTE words for GCR3 table @gcr3 */
static void gdte(uint64_t gcr3, uint64_t flags, uint64_t dte[4])
{
	dte[0] = flags | (((gcr3 >> 12) & 7) << 58);
	dte[1] = (((gcr3 >> 15) & 0xffff) << 16) | ((gcr3 >> 31) << 43);
	dte[2] = dte[3] = 0;
}

static struct uio_domain *alloc_gdte(struct fx *f, const uint64_t *dte)
{
	struct iommu_hwpt_amd_guest g;
	struct uio_hw_domain_req req = {
		.data_type = IOMMU_HWPT_DATA_AMD_GUEST,
		.data = &g,
		.data_len = sizeof(g),
	};

	memcpy(g.dte, dte, sizeof(g.dte));
	return f->viommu->ops->domain_alloc_nested(f->viommu,
						   uio_dev_hw(f->dev), &req);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	uint64_t dte[4];
	uint8_t *data;
	size_t i;

	f->dev = nt_dev(&uio_hw_amd, 0, 0x400);
	f->s2 = nt_paging(f->dev, IOMMU_HWPT_ALLOC_NEST_PARENT);
	guest_init(&f->g, f->s2, true);
	data = gpa_to_hva(&f->g, DATA);
	for (i = 0; i < GUEST_SIZE - GUEST_TABLES; i++)
		data[i] = (uint8_t)(i * 11 + (i >> 12));
	f->viommu = uio_hw_amd.viommu_alloc(uio_dev_hw(f->dev), f->s2,
					    IOMMU_VIOMMU_TYPE_AMD, NULL, 0);
	assert_false(IS_ERR_OR_NULL(f->viommu));
	f->gcr3 = guest_table(&f->g);
	f->root[0] = guest_table(&f->g);
	f->root[1] = guest_table(&f->g);
	*guest_u64(&f->g, f->gcr3) = f->root[0] | 1;
	*guest_u64(&f->g, f->gcr3 + 8) = f->root[1] | 1;
	gdte(f->gcr3, DTE0_V | DTE0_GV | DTE0_GIOV, dte);
	f->nested = alloc_gdte(f, dte);
	assert_false(IS_ERR_OR_NULL(f->nested));
	assert_int_equal(uio_hw_attach_check(uio_dev_hw(f->dev), f->nested),
			 0);
	assert_int_equal(uio_dev_set_domain(f->dev, NO_PASID, f->nested), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	assert_int_equal(uio_dev_set_domain(f->dev, NO_PASID, NULL), 0);
	uio_domain_free(f->nested);
	f->viommu->ops->free(f->viommu);
	uio_dev_destroy(f->dev);
	uio_domain_free(f->s2);
	guest_fini(&f->g);
	free(f);
	return 0;
}

static void map_data(struct fx *f)
{
	unsigned int i;

	for (i = 0; i < 16; i++)
		x86_map(&f->g, f->root[0], 4, IOVA_4K + i * SZ_4K,
			DATA + (15 - i) * SZ_4K, 0,
			(i & 1) ? (X_P | X_US) : RWU, 0);
	x86_map(&f->g, f->root[0], 4, IOVA_2M, GPA_BASE + SZ_2M, 1, RWU, 0);
	x86_map(&f->g, f->root[0], 4, IOVA_1G, GPA_BASE, 2, RWU, 0);
}

static void check_read(struct fx *f, uint64_t iova, size_t len)
{
	uint8_t buf[256], want[256];
	size_t done = 0;
	int rc = uio_dma_read(f->dev, NO_PASID, iova, buf, len);

	while (done < len) {
		uint64_t a = iova + done, gpa;
		size_t n = SZ_4K - (a & 0xfff);
		bool w;

		if (n > len - done)
			n = len - done;
		if (!x86_ref(&f->g, f->root[0], 4, a, &gpa, &w) ||
		    gpa < GPA_BASE || gpa + n > GPA_BASE + GUEST_SIZE) {
			assert_int_equal(rc, -EFAULT);
			return;
		}
		memcpy(want + done, gpa_to_hva(&f->g, gpa), n);
		done += n;
	}
	assert_int_equal(rc, 0);
	assert_memory_equal(buf, want, len);
}

static void test_rules(void **state)
{
	struct fx *f = *state;
	struct uio_hw_dev *hw = uio_dev_hw(f->dev);
	struct uio_domain *plain = nt_paging(f->dev, 0);
	uint64_t dte[4];

	assert_int_equal(PTR_ERR(uio_hw_amd.viommu_alloc(
				 hw, f->s2, IOMMU_VIOMMU_TYPE_ARM_SMMUV3, NULL,
				 0)),
			 -EOPNOTSUPP);
	assert_int_equal(PTR_ERR(uio_hw_amd.viommu_alloc(
				 hw, plain, IOMMU_VIOMMU_TYPE_AMD, NULL, 0)),
			 -EINVAL);
	uio_domain_free(plain);

	gdte(f->gcr3, DTE0_V | DTE0_GV, dte);
	dte[0] |= 4ULL << 9; /* Mode */
	assert_int_equal(PTR_ERR(alloc_gdte(f, dte)), -EINVAL);
	gdte(f->gcr3, DTE0_V | DTE0_GV | (0x1234ULL << 12), dte);
	assert_int_equal(PTR_ERR(alloc_gdte(f, dte)), -EINVAL);
	gdte(0, DTE0_V | DTE0_GV, dte);
	assert_int_equal(PTR_ERR(alloc_gdte(f, dte)), -EINVAL);
	gdte(f->gcr3, DTE0_V | DTE0_GV | (3ULL << 56), dte);
	assert_int_equal(PTR_ERR(alloc_gdte(f, dte)), -EINVAL);
	gdte(f->gcr3, DTE0_V | DTE0_GV, dte);
	dte[2] = 2ULL << 54;
	assert_int_equal(PTR_ERR(alloc_gdte(f, dte)), -EINVAL);
	dte[2] = 1ULL << 54; /* 5 levels on a 4-level unit */
	assert_int_equal(PTR_ERR(alloc_gdte(f, dte)), -EOPNOTSUPP);
	/* type and length */
	{
		struct uio_hw_domain_req req = {
			.data_type = IOMMU_HWPT_DATA_VTD_S1,
			.data = dte,
			.data_len = sizeof(dte),
		};

		assert_int_equal(PTR_ERR(f->viommu->ops->domain_alloc_nested(
					 f->viommu, hw, &req)),
				 -EOPNOTSUPP);
		req.data_type = IOMMU_HWPT_DATA_AMD_GUEST;
		req.data_len = 16;
		assert_int_equal(PTR_ERR(f->viommu->ops->domain_alloc_nested(
					 f->viommu, hw, &req)),
				 -EINVAL);
	}
	/* no guest invalidation through the vIOMMU */
	{
		struct uio_hw_user_array arr = nt_array(
			IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, dte, 16, 1);

		assert_int_equal(f->viommu->ops->cache_invalidate(f->viommu,
								  &arr),
				 -EOPNOTSUPP);
		assert_int_equal(arr.entry_num, 0);
	}
}

static void test_walk_vs_reference(void **state)
{
	struct fx *f = *state;
	static const uint64_t offs[] = { 0, 8, 0xff8, 0x1000, 0x7123, 0xfff0 };
	unsigned int i, k;
	uint8_t buf[8];

	map_data(f);
	for (k = 0; k < 2; k++) {
		for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
			check_read(f, IOVA_4K + offs[i], 16);
			check_read(f, IOVA_4K + offs[i], 200);
			check_read(f, IOVA_2M + offs[i] * 31, 200);
			check_read(f, IOVA_1G + SZ_2M + offs[i] * 97, 200);
		}
		check_read(f, IOVA_1G + GUEST_SIZE, 8);
		check_read(f, IOVA_4K + 16 * SZ_4K, 8);
	}
	assert_int_equal(uio_dma_write(f->dev, NO_PASID, IOVA_4K + SZ_4K, buf,
				       8),
			 -EFAULT);
	assert_int_equal(uio_dma_write(f->dev, NO_PASID, IOVA_4K, buf, 8), 0);
	/* a parent unmap: at once */
	assert_int_equal(uio_dma_read(f->dev, NO_PASID, IOVA_2M, buf, 8), 0);
	assert_int_equal(uio_domain_unmap(f->s2, GPA_BASE + SZ_2M, SZ_2M),
			 SZ_2M);
	assert_int_equal(uio_dma_read(f->dev, NO_PASID, IOVA_2M, buf, 8),
			 -EFAULT);
}

static void test_pasids_and_faults(void **state)
{
	struct fx *f = *state;
	struct uio_s1_result res;
	struct uio_hw_fault fault;
	uint64_t dte[4], l1, l0;
	struct uio_domain *d;
	uint8_t buf[8];

	x86_map(&f->g, f->root[1], 4, 0x5000, DATA + 9 * SZ_4K, 0, RWU, 0);
	assert_int_equal(f->nested->nested_ops->translate(
				 f->nested, 1, 0x5010, PT_PROT_READ, &res,
				 &fault),
			 0);
	assert_int_equal(res.oa, DATA + 9 * SZ_4K + 0x10);
	/* PASID 2: GCR3 entry invalid; PASID 512: beyond a 1-level table */
	assert_int_equal(f->nested->nested_ops->translate(
				 f->nested, 2, 0, PT_PROT_READ, &res, &fault),
			 -EFAULT);
	assert_int_equal(fault.code, 0x2);
	assert_int_equal(f->nested->nested_ops->translate(
				 f->nested, 512, 0, PT_PROT_READ, &res, &fault),
			 -EFAULT);
	/* a GCR3 table stage 2 does not map */
	gdte(0x7000000000ULL, DTE0_V | DTE0_GV | DTE0_GIOV, dte);
	d = alloc_gdte(f, dte);
	assert_false(IS_ERR_OR_NULL(d));
	assert_int_equal(d->nested_ops->translate(d, 0, 0, PT_PROT_READ, &res,
						  &fault),
			 -EFAULT);
	assert_int_equal(fault.code, 0x4);
	assert_int_equal(uio_dev_set_domain(f->dev, NO_PASID, d), 0);
	assert_int_equal(uio_dma_read(f->dev, NO_PASID, 0, buf, 8), -EFAULT);
	assert_int_equal(uio_dev_set_domain(f->dev, NO_PASID, f->nested), 0);
	uio_domain_free(d);
	/* GLX 1: a 2-level GCR3 table; PASID 513 = L1[1] -> L0[1] */
	l1 = guest_table(&f->g);
	l0 = guest_table(&f->g);
	*guest_u64(&f->g, l1 + 8) = l0 | 1;
	*guest_u64(&f->g, l0 + 8) = f->root[1] | 1;
	gdte(l1, DTE0_V | DTE0_GV | (1ULL << 56), dte);
	d = alloc_gdte(f, dte);
	assert_false(IS_ERR_OR_NULL(d));
	assert_int_equal(d->nested_ops->translate(d, 513, 0x5000, PT_PROT_READ,
						  &res, &fault),
			 0);
	assert_int_equal(res.oa, DATA + 9 * SZ_4K);
	/* without GIOV, requests without PASID bypass the guest tables */
	assert_int_equal(d->nested_ops->translate(d, UIO_HW_NO_PASID,
						  DATA + 0x40, PT_PROT_READ,
						  &res, &fault),
			 0);
	assert_int_equal(res.oa, DATA + 0x40);
	assert_int_equal(uio_dev_set_domain(f->dev, NO_PASID, d), 0);
	assert_int_equal(uio_dma_read(f->dev, NO_PASID, DATA + 0x40, buf, 8),
			 0);
	assert_memory_equal(buf, gpa_to_hva(&f->g, DATA + 0x40), 8);
	assert_int_equal(uio_dev_set_domain(f->dev, NO_PASID, f->nested), 0);
	uio_domain_free(d);
	/* reserved bits in a guest entry */
	{
		uint64_t slot = x86_map(&f->g, f->root[0], 4, 0x7000, DATA, 0,
					RWU | (1ULL << 49), 0);

		(void)slot;
		assert_int_equal(f->nested->nested_ops->translate(
					 f->nested, 0, 0x7000, PT_PROT_READ,
					 &res, &fault),
				 -EFAULT);
		assert_int_equal(fault.reason, UIO_HW_FAULT_BAD_CONFIG);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_vs_reference, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pasids_and_faults, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
