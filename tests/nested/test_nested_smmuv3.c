/* SPDX-License-Identifier: MIT */
/*
 * SMMUv3 nesting through a vIOMMU (hw/smmuv3_nested.c with dev/dma.c): a
 * guest's vSTE, context descriptors and LPAE stage-1 tables in guest
 * memory mapped by a stage-2 NEST_PARENT, an emulated device DMAing
 * through the nested domain. Checks the vIOMMU and vSTE rules and errnos,
 * two-stage translation against a reference LPAE walk (4 KiB pages, 2 MiB
 * and 1 GiB blocks), context-descriptor selection (linear and 2-level),
 * every fault's event id, event records on the vIOMMU, the CMDQ commands
 * (stale until the right TLBI, not dropped by another ASID's, EIO for the
 * rest) and parent unmaps.
 */
#include "nested_test.h"

#define NO_PASID UIO_DEV_NO_PASID
#define VSID 0x42
#define DATA (GPA_BASE + GUEST_TABLES)

/* LPAE stage-1 descriptor bits */
#define L_VALID (1ULL << 0)
#define L_TABLE (1ULL << 1)
#define L_UNPRIV (1ULL << 6)
#define L_RDONLY (1ULL << 7)
#define L_AF (1ULL << 10)
#define L_OA 0x0000fffffffff000ULL
#define L_PAGE (L_VALID | L_TABLE | L_AF | L_UNPRIV)
#define L_BLOCK (L_VALID | L_AF | L_UNPRIV)

/* vSTE and CD fields */
#define STE0_V 1ULL
#define STE0_CFG_S1 (5ULL << 1)
#define STE0_CFG_BYPASS (4ULL << 1)
#define STE0_CFG_ABORT 0ULL
#define CD0_V (1ULL << 31)
#define CD0_AA64 (1ULL << 41)
#define CD0_ASID(a) ((uint64_t)(a) << 48)
#define CD0_T0SZ16 16ULL

struct event {
	uint64_t evt[4];
};

struct fx {
	struct uio_dev *dev;
	struct uio_domain *s2, *nested;
	struct uio_viommu *viommu;
	struct guest g;
	uint64_t cdtab, ttb[4];
	struct event ev[16];
	unsigned int nr_ev;
};

static struct fx *cur;

static struct uio_hw_dev *vdev_find(struct uio_viommu *v, uint64_t id)
{
	return id == VSID ? uio_dev_hw(cur->dev) : NULL;
}

static void report_event(struct uio_viommu *v, uint32_t type, const void *rec,
			 size_t len)
{
	assert_int_equal(type, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3);
	assert_int_equal(len, sizeof(struct event));
	if (cur->nr_ev < 16)
		memcpy(&cur->ev[cur->nr_ev++], rec, len);
}

static struct uio_domain *alloc_vste(struct fx *f, uint64_t ste0,
				     uint64_t ste1)
{
	struct iommu_hwpt_arm_smmuv3 arg = { .ste = { ste0, ste1 } };
	struct uio_hw_domain_req req = {
		.data_type = IOMMU_HWPT_DATA_ARM_SMMUV3,
		.data = &arg,
		.data_len = sizeof(arg),
	};

	return f->viommu->ops->domain_alloc_nested(f->viommu,
						   uio_dev_hw(f->dev), &req);
}

/* CD @ssid of a linear table at @tab: TTB0 @ttb, ASID @asid */
static void write_cd(struct fx *f, uint64_t tab, uint32_t ssid, uint64_t ttb,
		     unsigned int asid)
{
	uint64_t *cd = guest_u64(&f->g, tab + ssid * 64ULL);

	cd[0] = CD0_V | CD0_AA64 | CD0_ASID(asid) | CD0_T0SZ16;
	cd[1] = ttb;
}

/* map @iova to @gpa with a leaf at ARM level @level (3: page) */
static uint64_t lpae_map(struct fx *f, uint64_t ttb, uint64_t iova,
			 uint64_t gpa, unsigned int level, uint64_t bits)
{
	uint64_t table = ttb;
	unsigned int l;

	for (l = 0; l < level; l++) {
		uint64_t *d = guest_u64(
			&f->g, table + (((iova >> (39 - 9 * l)) & 511) << 3));

		if (!(*d & L_VALID))
			*d = guest_table(&f->g) | L_VALID | L_TABLE;
		table = *d & L_OA;
	}
	table += ((iova >> (39 - 9 * level)) & 511) << 3;
	*guest_u64(&f->g, table) = gpa | bits;
	return table;
}

/* the oracle: gpa of @iova via the tables at @ttb, and writability */
static bool lpae_ref(struct fx *f, uint64_t ttb, uint64_t iova, uint64_t *gpa,
		     bool *writable)
{
	uint64_t table = ttb;
	unsigned int l;

	for (l = 0; l < 4; l++) {
		unsigned int shift = 39 - 9 * l;
		uint64_t slot = table + (((iova >> shift) & 511) << 3), d;

		if (slot < GPA_BASE || slot >= GPA_BASE + GUEST_SIZE)
			return false;
		d = *guest_u64(&f->g, slot);
		if (!(d & L_VALID))
			return false;
		if (l < 3 && (d & L_TABLE)) {
			table = d & L_OA;
			continue;
		}
		if (l == 0 || !(d & L_AF) || !(d & L_UNPRIV))
			return false;
		*gpa = (d & L_OA & ~((1ULL << shift) - 1)) |
		       (iova & ((1ULL << shift) - 1));
		*writable = !(d & L_RDONLY);
		return true;
	}
	return false;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	uint8_t *data;
	unsigned int i;

	cur = f;
	f->dev = nt_dev(&uio_hw_smmuv3, 0, 0x300);
	f->s2 = nt_paging(f->dev, IOMMU_HWPT_ALLOC_NEST_PARENT);
	guest_init(&f->g, f->s2, true);
	data = gpa_to_hva(&f->g, DATA);
	for (i = 0; i < GUEST_SIZE - GUEST_TABLES; i++)
		data[i] = (uint8_t)(i * 7 + (i >> 12));
	f->viommu = uio_hw_smmuv3.viommu_alloc(uio_dev_hw(f->dev), f->s2,
					       IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
					       NULL, 0);
	assert_false(IS_ERR_OR_NULL(f->viommu));
	f->viommu->vdev_find = vdev_find;
	f->viommu->report_event = report_event;
	assert_int_equal(f->viommu->ops->vdevice_init(
				 f->viommu, uio_dev_hw(f->dev), VSID),
			 0);
	/* a linear CD table of 4 (S1CDMax 2), tables for ASIDs 1..4 */
	f->cdtab = guest_table(&f->g);
	for (i = 0; i < 4; i++) {
		f->ttb[i] = guest_table(&f->g);
		write_cd(f, f->cdtab, i, f->ttb[i], i + 1);
	}
	f->nested = alloc_vste(f, STE0_V | STE0_CFG_S1 | f->cdtab |
					  (2ULL << 59),
			       2 /* S1DSS: SSID 0 */);
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
	f->viommu->ops->vdevice_destroy(f->viommu, uio_dev_hw(f->dev), VSID);
	uio_domain_free(f->nested);
	f->viommu->ops->free(f->viommu);
	uio_dev_destroy(f->dev);
	uio_domain_free(f->s2);
	guest_fini(&f->g);
	free(f);
	return 0;
}

#define IOVA_4K 0x10000000ULL
#define IOVA_2M 0x20000000ULL
#define IOVA_1G 0x40000000ULL

static void map_data(struct fx *f)
{
	unsigned int i;

	for (i = 0; i < 16; i++)
		lpae_map(f, f->ttb[0], IOVA_4K + i * SZ_4K,
			 DATA + (15 - i) * SZ_4K, 3,
			 L_PAGE | ((i & 1) ? L_RDONLY : 0));
	lpae_map(f, f->ttb[0], IOVA_2M, GPA_BASE + SZ_2M, 2, L_BLOCK);
	lpae_map(f, f->ttb[0], IOVA_1G, GPA_BASE, 1, L_BLOCK);
}

static void check_read(struct fx *f, uint64_t iova, size_t len)
{
	uint8_t buf[256], want[256];
	size_t done = 0;
	int rc;

	rc = uio_dma_read(f->dev, NO_PASID, iova, buf, len);
	while (done < len) {
		uint64_t a = iova + done, gpa;
		size_t n = SZ_4K - (a & 0xfff);
		bool w;

		if (n > len - done)
			n = len - done;
		if (!lpae_ref(f, f->ttb[0], a, &gpa, &w) || gpa < GPA_BASE ||
		    gpa + n > GPA_BASE + GUEST_SIZE) {
			assert_int_equal(rc, -EFAULT);
			return;
		}
		memcpy(want + done, gpa_to_hva(&f->g, gpa), n);
		done += n;
	}
	assert_int_equal(rc, 0);
	assert_memory_equal(buf, want, len);
}

static int xlate(struct fx *f, uint32_t pasid, uint64_t iova,
		 unsigned int need, struct uio_s1_result *res,
		 struct uio_hw_fault *fault)
{
	return f->nested->nested_ops->translate(f->nested, pasid, iova, need,
						res, fault);
}

/* ---- allocation ---- */

static void test_viommu_and_vste_rules(void **state)
{
	struct fx *f = *state;
	struct uio_hw_dev *hw = uio_dev_hw(f->dev);
	struct uio_domain *plain = nt_paging(f->dev, 0), *d;
	struct uio_s1_result res;
	struct uio_hw_fault fault;
	uint64_t ok0 = STE0_V | STE0_CFG_S1 | f->cdtab;

	assert_int_equal(PTR_ERR(uio_hw_smmuv3.viommu_alloc(
				 hw, f->s2, IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV,
				 NULL, 0)),
			 -EOPNOTSUPP);
	assert_int_equal(PTR_ERR(uio_hw_smmuv3.viommu_alloc(
				 hw, plain, IOMMU_VIOMMU_TYPE_ARM_SMMUV3, NULL,
				 0)),
			 -EINVAL);
	uio_domain_free(plain);

	/* V clear: taken, as all zeros, and every access is C_BAD_STE */
	d = alloc_vste(f, 0xffffULL << 4, 0xff);
	assert_false(IS_ERR_OR_NULL(d));
	assert_int_equal(d->nested_ops->translate(d, NO_PASID, 0, PT_PROT_READ,
						  &res, &fault),
			 -EFAULT);
	assert_int_equal(fault.code, 0x04);
	uio_domain_free(d);
	/* fields outside the nesting ones, configs, EATS: EIO */
	assert_int_equal(PTR_ERR(alloc_vste(f, ok0 | (1ULL << 52), 0)), -EIO);
	assert_int_equal(PTR_ERR(alloc_vste(f, ok0, 1ULL << 40)), -EIO);
	assert_int_equal(PTR_ERR(alloc_vste(f, STE0_V | (6ULL << 1), 0)),
			 -EIO);
	assert_int_equal(PTR_ERR(alloc_vste(f, ok0, 2ULL << 28)), -EIO);
	d = alloc_vste(f, ok0, 1ULL << 28);
	assert_false(IS_ERR_OR_NULL(d));
	uio_domain_free(d);
	/* abort: terminated without an event */
	d = alloc_vste(f, STE0_V | STE0_CFG_ABORT, 0);
	assert_false(IS_ERR_OR_NULL(d));
	assert_int_equal(d->nested_ops->translate(d, NO_PASID, 0, PT_PROT_READ,
						  &res, &fault),
			 -EFAULT);
	assert_int_equal(fault.code, 0);
	uio_domain_free(d);
	/* flags, data type, short data */
	{
		struct iommu_hwpt_arm_smmuv3 arg = { .ste = { ok0, 0 } };
		struct uio_hw_domain_req req = {
			.flags = IOMMU_HWPT_ALLOC_NEST_PARENT,
			.data_type = IOMMU_HWPT_DATA_ARM_SMMUV3,
			.data = &arg,
			.data_len = sizeof(arg),
		};

		d = f->viommu->ops->domain_alloc_nested(f->viommu, hw, &req);
		assert_int_equal(PTR_ERR(d), -EOPNOTSUPP);
		req.flags = 0;
		req.data_type = IOMMU_HWPT_DATA_VTD_S1;
		d = f->viommu->ops->domain_alloc_nested(f->viommu, hw, &req);
		assert_int_equal(PTR_ERR(d), -EOPNOTSUPP);
		req.data_type = IOMMU_HWPT_DATA_ARM_SMMUV3;
		req.data_len = 8;
		d = f->viommu->ops->domain_alloc_nested(f->viommu, hw, &req);
		assert_int_equal(PTR_ERR(d), -EINVAL);
	}
}

/* ---- translation ---- */

static void test_walk_vs_reference(void **state)
{
	struct fx *f = *state;
	static const uint64_t offs[] = { 0, 8, 0xff8, 0x1000, 0x1ff0, 0x7123,
					 0xfff0 };
	unsigned int i, k;

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
	/* stage-1 misses (page 16, alone and crossed into), both passes */
	assert_int_equal(f->nr_ev, 4);
}

static void test_permissions(void **state)
{
	struct fx *f = *state;
	uint8_t buf[8] = { 9 };
	uint64_t gpa;
	bool w;

	map_data(f);
	assert_int_equal(uio_dma_write(f->dev, NO_PASID, IOVA_4K, buf, 8), 0);
	assert_true(lpae_ref(f, f->ttb[0], IOVA_4K, &gpa, &w));
	assert_int_equal(*(uint8_t *)gpa_to_hva(&f->g, gpa), 9);
	assert_int_equal(uio_dma_write(f->dev, NO_PASID, IOVA_4K + SZ_4K, buf,
				       8),
			 -EFAULT);
	assert_int_equal(f->nr_ev, 1);
	assert_int_equal(f->ev[0].evt[0] & 0xff, 0x13);
	assert_int_equal(f->ev[0].evt[0] >> 32, VSID);
	assert_int_equal(f->ev[0].evt[2], IOVA_4K + SZ_4K);
	assert_int_equal(f->ev[0].evt[1] & (1ULL << 35), 0); /* a write */
	/* APTable read-only above a writable page */
	lpae_map(f, f->ttb[1], 0, DATA, 3, L_PAGE);
	*guest_u64(&f->g, f->ttb[1]) |= 1ULL << 62;
	{
		struct uio_s1_result res;
		struct uio_hw_fault fault;

		assert_int_equal(xlate(f, 1, 0, PT_PROT_READ, &res, &fault), 0);
		assert_int_equal(res.prot, PT_PROT_READ);
		assert_int_equal(xlate(f, 1, 0, PT_PROT_WRITE, &res, &fault),
				 -EFAULT);
		assert_int_equal(fault.code, 0x13);
	}
}

static void test_fault_ids(void **state)
{
	struct fx *f = *state;
	struct uio_s1_result res;
	struct uio_hw_fault fault;
	uint64_t slot, *cd;
	uint8_t buf[8];

	map_data(f);
	/* CD selection: SSID n uses TTB n */
	lpae_map(f, f->ttb[2], 0x1000, DATA + 5 * SZ_4K, 3, L_PAGE);
	assert_int_equal(xlate(f, 2, 0x1008, PT_PROT_READ, &res, &fault), 0);
	assert_int_equal(res.oa, DATA + 5 * SZ_4K + 8);
	assert_int_equal(xlate(f, 3, 0x1008, PT_PROT_READ, &res, &fault),
			 -EFAULT);
	assert_int_equal(fault.code, 0x10);
	/* SSID beyond S1CDMax; SSID 0 with S1DSS = SSID0 */
	assert_int_equal(xlate(f, 4, 0, PT_PROT_READ, &res, &fault), -EFAULT);
	assert_int_equal(fault.code, 0x08);
	assert_int_equal(xlate(f, 0, 0, PT_PROT_READ, &res, &fault), -EFAULT);
	assert_int_equal(fault.code, 0x08);
	/* an invalid CD, a bad granule, T0SZ out of range */
	cd = guest_u64(&f->g, f->cdtab + 3 * 64);
	cd[0] &= ~CD0_V;
	assert_int_equal(xlate(f, 3, 0, PT_PROT_READ, &res, &fault), -EFAULT);
	assert_int_equal(fault.code, 0x0a);
	cd[0] |= CD0_V | (1ULL << 6);
	assert_int_equal(xlate(f, 3, 0, PT_PROT_READ, &res, &fault), -EFAULT);
	assert_int_equal(fault.code, 0x0a);
	cd[0] = (cd[0] & ~(3ULL << 6) & ~63ULL) | 12;
	assert_int_equal(xlate(f, 3, 0, PT_PROT_READ, &res, &fault), -EFAULT);
	assert_int_equal(fault.code, 0x0a);
	/* TTB0 stage 2 does not map: F_WALK_EABT */
	write_cd(f, f->cdtab, 3, 0x7000000000ULL, 4);
	assert_int_equal(xlate(f, 3, 0, PT_PROT_READ, &res, &fault), -EFAULT);
	assert_int_equal(fault.code, 0x0b);
	assert_int_equal(fault.reason, UIO_HW_FAULT_S2_WALK);
	/* an access flag clear; output address bits above 48 */
	slot = lpae_map(f, f->ttb[0], 0x30000000ULL, DATA, 3, L_PAGE & ~L_AF);
	assert_int_equal(xlate(f, NO_PASID, 0x30000000ULL, PT_PROT_READ, &res,
			       &fault),
			 -EFAULT);
	assert_int_equal(fault.code, 0x12);
	*guest_u64(&f->g, slot) = DATA | L_PAGE | (1ULL << 49);
	assert_int_equal(xlate(f, NO_PASID, 0x30000000ULL, PT_PROT_READ, &res,
			       &fault),
			 -EFAULT);
	assert_int_equal(fault.code, 0x11);
	/* a privileged-only page */
	*guest_u64(&f->g, slot) = DATA | (L_PAGE & ~L_UNPRIV);
	assert_int_equal(xlate(f, NO_PASID, 0x30000000ULL, PT_PROT_READ, &res,
			       &fault),
			 -EFAULT);
	assert_int_equal(fault.code, 0x13);
	/* input above T0SZ's width */
	assert_int_equal(xlate(f, NO_PASID, 1ULL << 50, PT_PROT_READ, &res,
			       &fault),
			 -EFAULT);
	assert_int_equal(fault.code, 0x10);
	/* the CD table itself unmapped at stage 2: F_CD_FETCH, an event */
	{
		struct uio_domain *d = alloc_vste(
			f, STE0_V | STE0_CFG_S1 | 0x7000000000ULL, 0);

		assert_int_equal(uio_dev_set_domain(f->dev, NO_PASID, d), 0);
		f->nr_ev = 0;
		assert_int_equal(uio_dma_read(f->dev, NO_PASID, 0, buf, 8),
				 -EFAULT);
		assert_int_equal(f->nr_ev, 1);
		assert_int_equal(f->ev[0].evt[0] & 0xff, 0x09);
		assert_int_equal(f->ev[0].evt[3], 0x7000000000ULL);
		assert_int_equal(uio_dev_set_domain(f->dev, NO_PASID,
						    f->nested),
				 0);
		uio_domain_free(d);
	}
	/* no event for a device without a vDEVICE */
	f->viommu->ops->vdevice_destroy(f->viommu, uio_dev_hw(f->dev), VSID);
	f->nr_ev = 0;
	assert_int_equal(uio_dma_read(f->dev, NO_PASID, 0x31000000ULL, buf, 8),
			 -EFAULT);
	assert_int_equal(f->nr_ev, 0);
	assert_int_equal(f->viommu->ops->vdevice_init(
				 f->viommu, uio_dev_hw(f->dev), VSID),
			 0);
}

static void test_cd_2level_and_bypass(void **state)
{
	struct fx *f = *state;
	uint64_t l1 = guest_table(&f->g), l2 = guest_table(&f->g);
	struct uio_s1_result res;
	struct uio_hw_fault fault;
	struct uio_domain *d;
	uint8_t buf[8];

	/* S1Fmt 1: 64 CDs per 4 KiB leaf table; SSID 65 = L1[1], CD 1 */
	*guest_u64(&f->g, l1 + 8) = l2 | 1;
	write_cd(f, l2, 1, f->ttb[2], 9);
	lpae_map(f, f->ttb[2], 0x2000, DATA + 3 * SZ_4K, 3, L_PAGE);
	d = alloc_vste(f, STE0_V | STE0_CFG_S1 | l1 | (1ULL << 4) |
				  (10ULL << 59),
		       0);
	assert_false(IS_ERR_OR_NULL(d));
	assert_int_equal(d->nested_ops->translate(d, 65, 0x2010, PT_PROT_READ,
						  &res, &fault),
			 0);
	assert_int_equal(res.oa, DATA + 3 * SZ_4K + 0x10);
	/* L1[0] invalid */
	assert_int_equal(d->nested_ops->translate(d, 1, 0, PT_PROT_READ, &res,
						  &fault),
			 -EFAULT);
	assert_int_equal(fault.code, 0x08);
	/* S1DSS terminate for requests without a substream */
	assert_int_equal(d->nested_ops->translate(d, NO_PASID, 0, PT_PROT_READ,
						  &res, &fault),
			 -EFAULT);
	uio_domain_free(d);
	/* bypass: the IOVA is the IPA */
	d = alloc_vste(f, STE0_V | STE0_CFG_BYPASS, 0);
	assert_int_equal(uio_dev_set_domain(f->dev, NO_PASID, d), 0);
	assert_int_equal(uio_dma_read(f->dev, NO_PASID, DATA + 0x100, buf, 8),
			 0);
	assert_memory_equal(buf, gpa_to_hva(&f->g, DATA + 0x100), 8);
	assert_int_equal(uio_dev_set_domain(f->dev, NO_PASID, f->nested), 0);
	uio_domain_free(d);
}

/* ---- invalidation ---- */

static int cmds(struct fx *f, const uint64_t *c, uint32_t n, uint32_t *done)
{
	struct uio_hw_user_array arr = nt_array(
		IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, c, 16, n);
	int rc = f->viommu->ops->cache_invalidate(f->viommu, &arr);

	*done = arr.entry_num;
	return rc;
}

static void test_stale_until_tlbi(void **state)
{
	struct fx *f = *state;
	uint64_t old = DATA + 15 * SZ_4K, new = DATA + 40 * SZ_4K;
	uint64_t c[4][2];
	uint32_t done;
	uint8_t buf[8];

	map_data(f);
	memset(gpa_to_hva(&f->g, old), 0x11, 8);
	memset(gpa_to_hva(&f->g, new), 0x22, 8);
	assert_int_equal(uio_dma_read(f->dev, NO_PASID, IOVA_4K, buf, 8), 0);
	assert_int_equal(buf[0], 0x11);
	lpae_map(f, f->ttb[0], IOVA_4K, new, 3, L_PAGE);
	/* another ASID's TLBI keeps the stale entry */
	c[0][0] = 0x11 | (2ULL << 48);
	c[0][1] = 0;
	assert_int_equal(cmds(f, &c[0][0], 1, &done), 0);
	assert_int_equal(done, 1);
	assert_int_equal(uio_dma_read(f->dev, NO_PASID, IOVA_4K, buf, 8), 0);
	assert_int_equal(buf[0], 0x11);
	/* TLBI_NH_VA of ASID 1 (CD 0) drops it */
	c[0][0] = 0x12 | (1ULL << 48);
	c[0][1] = IOVA_4K;
	assert_int_equal(cmds(f, &c[0][0], 1, &done), 0);
	assert_int_equal(uio_dma_read(f->dev, NO_PASID, IOVA_4K, buf, 8), 0);
	assert_int_equal(buf[0], 0x22);
	/* cleared, then NH_ALL */
	lpae_map(f, f->ttb[0], IOVA_4K, 0, 3, 0);
	assert_int_equal(uio_dma_read(f->dev, NO_PASID, IOVA_4K, buf, 8), 0);
	c[0][0] = 0x10;
	assert_int_equal(cmds(f, &c[0][0], 1, &done), 0);
	assert_int_equal(uio_dma_read(f->dev, NO_PASID, IOVA_4K, buf, 8),
			 -EFAULT);
	/* parent unmap: at once */
	assert_int_equal(uio_dma_read(f->dev, NO_PASID, IOVA_2M, buf, 8), 0);
	assert_int_equal(uio_domain_unmap(f->s2, GPA_BASE + SZ_2M, SZ_2M),
			 SZ_2M);
	assert_int_equal(uio_dma_read(f->dev, NO_PASID, IOVA_2M, buf, 8),
			 -EFAULT);

	/* the accepted set; a bad one stops the array (EIO) */
	memset(c, 0, sizeof(c));
	c[0][0] = 0x30;                      /* TLBI_NSNH_ALL */
	c[1][0] = 0x05 | ((uint64_t)VSID << 32); /* CFGI_CD */
	c[2][0] = 0x40 | ((uint64_t)VSID << 32); /* ATC_INV */
	c[3][0] = 0x13;                      /* TLBI_NH_VAA */
	assert_int_equal(cmds(f, &c[0][0], 4, &done), 0);
	assert_int_equal(done, 4);
	c[2][0] = 0x06 | (7ULL << 32); /* CFGI_CD_ALL, unknown vSID */
	assert_int_equal(cmds(f, &c[0][0], 4, &done), -EIO);
	assert_int_equal(done, 2);
	c[2][0] = 0x03; /* CFGI_STE */
	assert_int_equal(cmds(f, &c[0][0], 4, &done), -EIO);
	assert_int_equal(done, 2);
	c[0][0] = 0x46; /* CMD_SYNC */
	assert_int_equal(cmds(f, &c[0][0], 4, &done), -EIO);
	assert_int_equal(done, 0);
	/* array rules: type, short entries, unreadable */
	{
		struct uio_hw_user_array arr = nt_array(
			IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, c, 16, 1);

		assert_int_equal(f->viommu->ops->cache_invalidate(f->viommu,
								  &arr),
				 -EINVAL);
		assert_int_equal(arr.entry_num, 0);
		arr = nt_array(IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, c, 8,
			       1);
		assert_int_equal(f->viommu->ops->cache_invalidate(f->viommu,
								  &arr),
				 -EINVAL);
		arr = nt_array(IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
			       (void *)16, 16, 2);
		assert_int_equal(f->viommu->ops->cache_invalidate(f->viommu,
								  &arr),
				 -EFAULT);
		assert_int_equal(arr.entry_num, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_viommu_and_vste_rules,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_vs_reference, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_permissions, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fault_ids, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cd_2level_and_bypass,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_until_tlbi, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
