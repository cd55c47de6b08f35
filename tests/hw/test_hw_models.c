/* SPDX-License-Identifier: MIT */
/*
 * The VT-d, SMMUv3 and AMD models against what their hardware and the Linux
 * drivers report: the IOMMU_GET_HW_INFO payload (length, the register bits
 * that carry dirty tracking, nesting, PASID and ATS/PRI, truncation to a
 * short buffer), the IOMMU_HW_CAP_* bits with and without NO_DIRTY, ATS and
 * PASID, every combination of paging-allocation flags with the format,
 * levels, aperture, page sizes and flags of the domain or the errno, maps
 * through uio_domain_map with and without huge pages (leaves read back with
 * pt_lookup), aperture refusals, dirty tracking on the domains that offer it,
 * the reserved regions and the attach checks.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>

#include "core/io_pagetable.h"
#include "hw/hw.h"
#include "pt/pt.h"
#include "util/err.h"

#define SZ_4K (1ULL << 12)
#define SZ_2M (1ULL << 21)
#define SZ_1G (1ULL << 30)

#define F_NEST IOMMU_HWPT_ALLOC_NEST_PARENT
#define F_DIRTY IOMMU_HWPT_ALLOC_DIRTY_TRACKING
#define F_PASID IOMMU_HWPT_ALLOC_PASID

/* a device with everything: ATS, PRI, 20-bit PASIDs, dirty tracking */
static struct uio_hw_dev full_dev(const struct uio_hw_model *model)
{
	return (struct uio_hw_dev){
		.model = model,
		.flags = UIO_HW_DEV_PASID | UIO_HW_DEV_ATS | UIO_HW_DEV_PRI,
		.rid = 0x0100,
		.pasid_bits = 20,
		.instance = 1,
	};
}

static struct uio_hw_dev bare_dev(const struct uio_hw_model *model)
{
	return (struct uio_hw_dev){
		.model = model,
		.flags = UIO_HW_DEV_NO_DIRTY,
		.rid = 0x0200,
		.instance = 1,
	};
}

static struct uio_domain *alloc_flags(const struct uio_hw_dev *dev,
				      uint32_t flags)
{
	struct uio_hw_domain_req req = {
		.flags = flags,
		.data_type = IOMMU_HWPT_DATA_NONE,
	};

	return dev->model->domain_alloc_paging(dev, &req);
}

static uint64_t last_of(unsigned int bits)
{
	return bits >= 64 ? UINT64_MAX : (1ULL << bits) - 1;
}

/* ---- model lookup ---- */

static void test_model_find(void **state)
{
	assert_ptr_equal(uio_hw_model_find("vtd"), &uio_hw_vtd);
	assert_ptr_equal(uio_hw_model_find("smmuv3"), &uio_hw_smmuv3);
	assert_ptr_equal(uio_hw_model_find("amd"), &uio_hw_amd);
	assert_ptr_equal(uio_hw_model_find("mock"), &uio_hw_mock);
	assert_null(uio_hw_model_find("intel"));
	assert_null(uio_hw_model_find(""));
	assert_int_equal(uio_hw_vtd.hw_info_type, IOMMU_HW_INFO_TYPE_INTEL_VTD);
	assert_int_equal(uio_hw_smmuv3.hw_info_type,
			 IOMMU_HW_INFO_TYPE_ARM_SMMUV3);
	assert_int_equal(uio_hw_amd.hw_info_type, IOMMU_HW_INFO_TYPE_AMD);
}

/* ---- hw_info payloads ---- */

#define BIT64(n) (1ULL << (n))
#define GET(reg, shift, width) (((reg) >> (shift)) & ((1ULL << (width)) - 1))

static void test_vtd_hw_info(void **state)
{
	struct uio_hw_dev dev = full_dev(&uio_hw_vtd);
	struct iommu_hw_info_vtd info;

	memset(&info, 0xaa, sizeof(info));
	assert_int_equal(uio_hw_vtd.hw_info(&dev, &info, sizeof(info)),
			 sizeof(info));
	assert_int_equal(sizeof(info), 24);
	assert_int_equal(info.flags, 0);
	assert_int_equal(info.__reserved, 0);
	/* SAGAW: 4-level only; MGAW 48; SLLPS 2M+1G; FS1GP; no FS5LP */
	assert_int_equal(GET(info.cap_reg, 8, 5), 0x4);
	assert_int_equal(GET(info.cap_reg, 16, 6) + 1, 48);
	assert_int_equal(GET(info.cap_reg, 34, 4), 0x3);
	assert_true(info.cap_reg & BIT64(56));
	assert_false(info.cap_reg & BIT64(60));
	assert_int_equal(GET(info.cap_reg, 0, 3), 6);
	/* ECAP: SSADS, SSTS, FSTS, SMTS, SMPWC, NEST, PASID (PSS 19), SC */
	assert_true(info.ecap_reg & BIT64(45));
	assert_true(info.ecap_reg & BIT64(46));
	assert_true(info.ecap_reg & BIT64(47));
	assert_true(info.ecap_reg & BIT64(43));
	assert_true(info.ecap_reg & BIT64(48));
	assert_true(info.ecap_reg & BIT64(26));
	assert_true(info.ecap_reg & BIT64(40));
	assert_int_equal(GET(info.ecap_reg, 35, 5), 19);
	assert_true(info.ecap_reg & BIT64(7));
	/* DT and PRS follow the device's ATS and PRI */
	assert_true(info.ecap_reg & BIT64(2));
	assert_true(info.ecap_reg & BIT64(29));
	/* no virtual command interface on real hardware */
	assert_false(info.ecap_reg & BIT64(44));

	dev = bare_dev(&uio_hw_vtd);
	uio_hw_vtd.hw_info(&dev, &info, sizeof(info));
	assert_false(info.ecap_reg & BIT64(45));
	assert_false(info.ecap_reg & BIT64(2));
	assert_false(info.ecap_reg & BIT64(29));
	assert_true(info.ecap_reg & BIT64(46));
}

static void test_smmu_hw_info(void **state)
{
	struct uio_hw_dev dev = full_dev(&uio_hw_smmuv3);
	struct iommu_hw_info_arm_smmuv3 info;
	uint32_t idr0;

	memset(&info, 0xaa, sizeof(info));
	assert_int_equal(uio_hw_smmuv3.hw_info(&dev, &info, sizeof(info)),
			 sizeof(info));
	assert_int_equal(sizeof(info), 40);
	assert_int_equal(info.flags, 0);
	assert_int_equal(info.__reserved, 0);
	idr0 = info.idr[0];
	assert_true(idr0 & (1u << 0));              /* S2P */
	assert_true(idr0 & (1u << 1));              /* S1P */
	assert_int_equal(GET(idr0, 2, 2), 2);       /* TTF: AArch64 */
	assert_true(idr0 & (1u << 4));              /* COHACC */
	assert_int_equal(GET(idr0, 6, 2), 2);       /* HTTU: access+dirty */
	assert_true(idr0 & (1u << 10));             /* ATS */
	assert_true(idr0 & (1u << 16));             /* PRI */
	assert_true(idr0 & (1u << 12));             /* ASID16 */
	assert_true(idr0 & (1u << 18));             /* VMID16 */
	assert_true(idr0 & (1u << 19));             /* CD2L */
	assert_int_equal(GET(idr0, 21, 2), 2);      /* TTENDIAN: LE */
	assert_int_equal(GET(idr0, 27, 2), 1);      /* ST_LEVEL: 2-level */
	assert_int_equal(GET(info.idr[1], 0, 6), 16);  /* SIDSIZE */
	assert_int_equal(GET(info.idr[1], 6, 5), 20);  /* SSIDSIZE */
	assert_true(GET(info.idr[1], 21, 5) > 5);      /* CMDQS > a batch */
	assert_int_equal(info.idr[2], 0);
	assert_int_equal(GET(info.idr[5], 0, 3), 5);   /* OAS: 48 bits */
	assert_true(info.idr[5] & (1u << 4));          /* GRAN4K */
	assert_int_equal(GET(info.idr[5], 10, 2), 0);  /* VAX: 48 bits */
	assert_int_equal(info.iidr, 0x4832043b);       /* Arm MMU-600 r2p0 */
	assert_int_equal(info.aidr, 0x01);             /* SMMUv3.1 */

	dev = bare_dev(&uio_hw_smmuv3);
	uio_hw_smmuv3.hw_info(&dev, &info, sizeof(info));
	assert_int_equal(GET(info.idr[0], 6, 2), 1);   /* HTTU: access only */
	assert_false(info.idr[0] & (1u << 10));
	assert_false(info.idr[0] & (1u << 16));
}

static void test_amd_hw_info(void **state)
{
	struct uio_hw_dev dev = full_dev(&uio_hw_amd);
	struct iommu_hw_info_amd info;

	memset(&info, 0xaa, sizeof(info));
	assert_int_equal(uio_hw_amd.hw_info(&dev, &info, sizeof(info)),
			 sizeof(info));
	assert_int_equal(sizeof(info), 16);
	assert_true(info.efr & BIT64(52));             /* HDSup */
	assert_true(info.efr & BIT64(49));             /* HASup */
	assert_true(info.efr & BIT64(4));              /* GTSup */
	assert_true(info.efr & BIT64(48));             /* GIOSup */
	assert_true(info.efr & BIT64(1));              /* PPRSup */
	assert_int_equal(GET(info.efr, 10, 2), 0);     /* HATS: 4 levels */
	assert_int_equal(GET(info.efr, 12, 2), 0);     /* GATS: 4 levels */
	assert_int_equal(GET(info.efr, 14, 2), 1);     /* GLX: 2 levels */
	assert_int_equal(GET(info.efr, 32, 5), 15);    /* PASmax: 16 bits */
	assert_true(info.efr2 & BIT64(3));             /* GCR3TRPMode */
	assert_false(info.efr2 & BIT64(11));           /* HT range reserved */

	dev = bare_dev(&uio_hw_amd);
	uio_hw_amd.hw_info(&dev, &info, sizeof(info));
	assert_false(info.efr & BIT64(52));
	assert_true(info.efr & BIT64(49));
}

/* a short buffer gets the payload's head, nothing beyond, and the length */
static void test_hw_info_truncation(void **state)
{
	static const struct uio_hw_model *const models[] = {
		&uio_hw_vtd, &uio_hw_smmuv3, &uio_hw_amd,
	};
	unsigned char full[64], part[64];
	uint32_t len, cut;
	size_t m, i;

	for (m = 0; m < 3; m++) {
		struct uio_hw_dev dev = full_dev(models[m]);

		memset(full, 0, sizeof(full));
		len = models[m]->hw_info(&dev, full, sizeof(full));
		assert_true(len > 8 && len <= sizeof(full));
		for (cut = 0; cut <= len; cut += 4) {
			memset(part, 0xaa, sizeof(part));
			assert_int_equal(models[m]->hw_info(&dev, part, cut),
					 len);
			assert_memory_equal(part, full, cut);
			for (i = cut; i < sizeof(part); i++)
				assert_int_equal(part[i], 0xaa);
		}
	}
}

/* ---- capabilities ---- */

static void test_capabilities(void **state)
{
	const uint64_t pasid = IOMMU_HW_CAP_PCI_PASID_EXEC |
			       IOMMU_HW_CAP_PCI_PASID_PRIV;
	struct uio_hw_dev dev;

	/* VT-d and SMMUv3 enable the device's PASID features */
	dev = full_dev(&uio_hw_vtd);
	assert_int_equal(uio_hw_vtd.capabilities(&dev),
			 IOMMU_HW_CAP_DIRTY_TRACKING | pasid);
	dev = full_dev(&uio_hw_smmuv3);
	assert_int_equal(uio_hw_smmuv3.capabilities(&dev),
			 IOMMU_HW_CAP_DIRTY_TRACKING | pasid);
	/* AMD enables PASID without execute or privileged requests */
	dev = full_dev(&uio_hw_amd);
	assert_int_equal(uio_hw_amd.capabilities(&dev),
			 IOMMU_HW_CAP_DIRTY_TRACKING);

	dev = bare_dev(&uio_hw_vtd);
	assert_int_equal(uio_hw_vtd.capabilities(&dev),
			 IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED);
	dev = bare_dev(&uio_hw_smmuv3);
	assert_int_equal(uio_hw_smmuv3.capabilities(&dev),
			 IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED);
	dev = bare_dev(&uio_hw_amd);
	assert_int_equal(uio_hw_amd.capabilities(&dev),
			 IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED);

	/* a PASID flag without a width is no PASID */
	dev = full_dev(&uio_hw_vtd);
	dev.pasid_bits = 0;
	assert_false(uio_hw_vtd.capabilities(&dev) & pasid);
	dev = full_dev(&uio_hw_smmuv3);
	dev.flags &= ~UIO_HW_DEV_PASID;
	assert_false(uio_hw_smmuv3.capabilities(&dev) & pasid);
	/* NO_DIRTY alone drops only the dirty bit */
	dev = full_dev(&uio_hw_amd);
	dev.flags |= UIO_HW_DEV_NO_DIRTY;
	assert_int_equal(uio_hw_amd.capabilities(&dev), 0);
}

/* ---- paging allocation ---- */

/* what one flag combination gives on one model */
struct alloc_case {
	uint32_t flags;
	int err;                        /* 0: a domain as below */
	const struct pt_format *fmt;
	unsigned int levels;
	unsigned int va_bits;           /* aperture [0, 2^va_bits - 1] */
};

#define OK(f, fm, lv, va) { .flags = (f), .fmt = (fm), .levels = (lv), \
			    .va_bits = (va) }
#define NO(f) { .flags = (f), .err = -EOPNOTSUPP }

static const struct alloc_case vtd_cases[] = {
	OK(0, &pt_fmt_x86_64, 4, 47),
	OK(F_PASID, &pt_fmt_x86_64, 4, 47),
	OK(F_NEST, &pt_fmt_vtd_ss, 4, 48),
	OK(F_DIRTY, &pt_fmt_vtd_ss, 4, 48),
	OK(F_NEST | F_DIRTY, &pt_fmt_vtd_ss, 4, 48),
	OK(F_NEST | F_PASID, &pt_fmt_vtd_ss, 4, 48),
	OK(F_DIRTY | F_PASID, &pt_fmt_vtd_ss, 4, 48),
	OK(F_NEST | F_DIRTY | F_PASID, &pt_fmt_vtd_ss, 4, 48),
	NO(1u << 7),
	NO(IOMMU_HWPT_FAULT_ID_VALID),
	NO(F_NEST | (1u << 30)),
};

static const struct alloc_case smmu_cases[] = {
	OK(0, &pt_fmt_arm_lpae_s1, 4, 48),
	OK(F_PASID, &pt_fmt_arm_lpae_s1, 4, 48),
	OK(F_DIRTY, &pt_fmt_arm_lpae_s1, 4, 48),
	OK(F_DIRTY | F_PASID, &pt_fmt_arm_lpae_s1, 4, 48),
	OK(F_NEST, &pt_fmt_arm_lpae_s2, 4, 48),
	NO(F_NEST | F_DIRTY),
	NO(F_NEST | F_PASID),
	NO(F_NEST | F_DIRTY | F_PASID),
	NO(1u << 7),
	NO(IOMMU_HWPT_FAULT_ID_VALID),
};

static const struct alloc_case amd_cases[] = {
	OK(0, &pt_fmt_amdv1, 4, 48),
	OK(F_DIRTY, &pt_fmt_amdv1, 4, 48),
	OK(F_NEST, &pt_fmt_amdv1, 4, 48),
	OK(F_NEST | F_DIRTY, &pt_fmt_amdv1, 4, 48),
	OK(F_PASID, &pt_fmt_x86_64, 4, 47),
	NO(F_DIRTY | F_PASID),
	NO(F_NEST | F_PASID),
	NO(F_NEST | F_DIRTY | F_PASID),
	NO(1u << 7),
	NO(IOMMU_HWPT_FAULT_ID_VALID),
};

static void check_cases(const struct uio_hw_model *model,
			const struct alloc_case *cases, size_t n)
{
	struct uio_hw_dev dev = full_dev(model);
	struct uio_hw_dev nd = bare_dev(model);
	struct uio_domain *d;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct alloc_case *c = &cases[i];

		d = alloc_flags(&dev, c->flags);
		if (c->err) {
			assert_true(IS_ERR(d));
			assert_int_equal(PTR_ERR(d), c->err);
			continue;
		}
		assert_false(IS_ERR(d));
		assert_ptr_equal(d->model, model);
		assert_int_equal(d->instance, dev.instance);
		assert_int_equal(d->alloc_flags, c->flags);
		assert_ptr_equal(pt_table_format(d->pt), c->fmt);
		assert_int_equal(pt_table_levels(d->pt), c->levels);
		assert_int_equal(d->aperture_start, 0);
		assert_true(d->aperture_last == last_of(c->va_bits));
		assert_int_equal(!!(d->flags & UIO_DOMAIN_NEST_PARENT),
				 !!(c->flags & F_NEST));
		assert_int_equal(!!(d->flags & UIO_DOMAIN_DIRTY_CAPABLE),
				 !!(c->flags & F_DIRTY));
		assert_true(d->flags & UIO_DOMAIN_COHERENT);
		assert_true(d->leaf_pgsize_bitmap ==
			    (SZ_4K | SZ_2M | SZ_1G));
		uio_domain_free(d);

		/* a device without dirty tracking: the same, or EOPNOTSUPP */
		d = alloc_flags(&nd, c->flags);
		if (c->flags & F_DIRTY) {
			assert_true(IS_ERR(d));
			assert_int_equal(PTR_ERR(d), -EOPNOTSUPP);
		} else {
			assert_false(IS_ERR(d));
			assert_ptr_equal(pt_table_format(d->pt), c->fmt);
			uio_domain_free(d);
		}
	}
}

static void test_vtd_alloc(void **state)
{
	check_cases(&uio_hw_vtd, vtd_cases,
		    sizeof(vtd_cases) / sizeof(vtd_cases[0]));
}

static void test_smmu_alloc(void **state)
{
	check_cases(&uio_hw_smmuv3, smmu_cases,
		    sizeof(smmu_cases) / sizeof(smmu_cases[0]));
}

static void test_amd_alloc(void **state)
{
	check_cases(&uio_hw_amd, amd_cases,
		    sizeof(amd_cases) / sizeof(amd_cases[0]));
}

/* paging domains of these drivers take no user data, of any type */
static void test_alloc_user_data(void **state)
{
	static const struct uio_hw_model *const models[] = {
		&uio_hw_vtd, &uio_hw_smmuv3, &uio_hw_amd,
	};
	static const uint32_t types[] = {
		IOMMU_HWPT_DATA_VTD_S1, IOMMU_HWPT_DATA_ARM_SMMUV3,
		IOMMU_HWPT_DATA_AMD_GUEST, IOMMU_HWPT_DATA_SELFTEST,
	};
	uint64_t data[4] = { 0 };
	size_t m, t;

	for (m = 0; m < 3; m++) {
		struct uio_hw_dev dev = full_dev(models[m]);

		for (t = 0; t < 4; t++) {
			struct uio_hw_domain_req req = {
				.data_type = types[t],
				.data = data,
				.data_len = sizeof(data),
			};
			struct uio_domain *d =
				models[m]->domain_alloc_paging(&dev, &req);

			assert_true(IS_ERR(d));
			assert_int_equal(PTR_ERR(d), -EOPNOTSUPP);
		}
	}
}

static void test_pgsize_bitmaps(void **state)
{
	struct uio_hw_dev dev;
	struct uio_domain *d;

	dev = full_dev(&uio_hw_vtd);
	d = alloc_flags(&dev, 0);
	assert_true(d->pgsize_bitmap == (SZ_4K | SZ_2M | SZ_1G));
	uio_domain_free(d);
	d = alloc_flags(&dev, F_NEST);
	assert_true(d->pgsize_bitmap == (SZ_4K | SZ_2M | SZ_1G));
	uio_domain_free(d);

	dev = full_dev(&uio_hw_smmuv3);
	d = alloc_flags(&dev, F_NEST);
	assert_true(d->pgsize_bitmap == (SZ_4K | SZ_2M | SZ_1G));
	uio_domain_free(d);

	/* AMD v1: every power of two from 4 KiB below 2^48 but 512 GiB */
	dev = full_dev(&uio_hw_amd);
	d = alloc_flags(&dev, 0);
	assert_true(d->pgsize_bitmap ==
		    ((BIT64(48) - 1) & ~(BIT64(12) - 1) & ~BIT64(39)));
	uio_domain_free(d);
	d = alloc_flags(&dev, F_PASID);
	assert_true(d->pgsize_bitmap == (SZ_4K | SZ_2M | SZ_1G));
	uio_domain_free(d);
}

/* ---- maps through the domains ---- */

struct map_case {
	const struct uio_hw_model *model;
	uint32_t flags;
};

static const struct map_case map_cases[] = {
	{ &uio_hw_vtd, 0 },
	{ &uio_hw_vtd, F_DIRTY },
	{ &uio_hw_smmuv3, 0 },
	{ &uio_hw_smmuv3, F_DIRTY },
	{ &uio_hw_smmuv3, F_NEST },
	{ &uio_hw_amd, 0 },
	{ &uio_hw_amd, F_PASID },
};

/* the host address the tables point at (never dereferenced by a map) */
#define OA_BASE 0x7f0000000000ULL

static unsigned int leaf_lg2(struct uio_domain *d, uint64_t iova,
			     uint64_t want_oa)
{
	struct pt_leaf leaf;

	assert_int_equal(pt_lookup(d->pt, iova, &leaf), 0);
	assert_true(leaf.oa == want_oa);
	return leaf.pgsize_lg2;
}

static void record_len(void *arg, uint64_t iova, uint64_t length)
{
	*(uint64_t *)arg += length;
}

static void test_map_unmap(void **state)
{
	/* 1 GiB + 2 MiB + 4 KiB at a 1 GiB-aligned IOVA and host address */
	const uint64_t iova = 4 * SZ_1G, len = SZ_1G + SZ_2M + SZ_4K;
	const int prot = IOMMU_READ | IOMMU_WRITE;
	struct pt_leaf leaf;
	uint64_t dirty;
	size_t i;

	for (i = 0; i < sizeof(map_cases) / sizeof(map_cases[0]); i++) {
		struct uio_hw_dev dev = full_dev(map_cases[i].model);
		struct uio_domain *d = alloc_flags(&dev, map_cases[i].flags);

		assert_false(IS_ERR(d));

		/* huge pages: one leaf of each size */
		assert_int_equal(uio_domain_map(d, iova, OA_BASE, len, prot,
						true),
				 0);
		assert_int_equal(leaf_lg2(d, iova, OA_BASE), 30);
		assert_int_equal(leaf_lg2(d, iova + SZ_1G - 1,
					  OA_BASE + SZ_1G - 1),
				 30);
		assert_int_equal(leaf_lg2(d, iova + SZ_1G, OA_BASE + SZ_1G),
				 21);
		assert_int_equal(leaf_lg2(d, iova + SZ_1G + SZ_2M,
					  OA_BASE + SZ_1G + SZ_2M),
				 12);
		assert_int_equal(pt_lookup(d->pt, iova + len, &leaf), -ENOENT);
		/* overlapping map */
		assert_int_equal(uio_domain_map(d, iova + SZ_2M, OA_BASE,
						SZ_4K, prot, true),
				 -EEXIST);

		/* dirty tracking where the domain offers it */
		if (d->flags & UIO_DOMAIN_DIRTY_CAPABLE) {
			assert_int_equal(uio_domain_set_dirty_tracking(d, true),
					 0);
			pt_set_dirty(d->pt, iova + SZ_1G + SZ_2M);
			dirty = 0;
			assert_int_equal(uio_domain_read_and_clear_dirty(
						 d, iova, len, 0, record_len,
						 &dirty),
					 0);
			assert_true(dirty == SZ_4K);
			dirty = 0;
			uio_domain_read_and_clear_dirty(d, iova, len, 0,
							record_len, &dirty);
			assert_true(dirty == 0);
		} else {
			assert_int_equal(uio_domain_set_dirty_tracking(d, true),
					 -EOPNOTSUPP);
		}

		assert_true(uio_domain_unmap(d, iova, len) == len);
		assert_int_equal(pt_lookup(d->pt, iova, &leaf), -ENOENT);

		/* HUGE_PAGES off: nothing above 4 KiB */
		assert_int_equal(uio_domain_map(d, iova, OA_BASE, len, prot,
						false),
				 0);
		assert_int_equal(leaf_lg2(d, iova, OA_BASE), 12);
		assert_int_equal(leaf_lg2(d, iova + SZ_1G / 2,
					  OA_BASE + SZ_1G / 2),
				 12);
		assert_int_equal(leaf_lg2(d, iova + SZ_1G, OA_BASE + SZ_1G),
				 12);
		assert_int_equal(leaf_lg2(d, iova + len - 1,
					  OA_BASE + len - 1),
				 12);
		assert_true(uio_domain_unmap(d, iova, len) == len);
		assert_int_equal(pt_lookup(d->pt, iova + SZ_1G, &leaf),
				 -ENOENT);

		/* misaligned for huge pages: 4 KiB leaves even when allowed */
		assert_int_equal(uio_domain_map(d, iova + SZ_4K,
						OA_BASE + SZ_4K, SZ_2M, prot,
						true),
				 0);
		assert_int_equal(leaf_lg2(d, iova + SZ_4K, OA_BASE + SZ_4K),
				 12);
		assert_true(uio_domain_unmap(d, iova + SZ_4K, SZ_2M) == SZ_2M);
		uio_domain_free(d);
	}
}

/* maps must stay inside [aperture_start, aperture_last] */
static void test_aperture(void **state)
{
	const int prot = IOMMU_READ | IOMMU_WRITE;
	size_t i;

	for (i = 0; i < sizeof(map_cases) / sizeof(map_cases[0]); i++) {
		struct uio_hw_dev dev = full_dev(map_cases[i].model);
		struct uio_domain *d = alloc_flags(&dev, map_cases[i].flags);
		uint64_t top = d->aperture_last - SZ_4K + 1;

		/* the last page maps, the page after it does not */
		assert_int_equal(uio_domain_map(d, top, OA_BASE, SZ_4K, prot,
						true),
				 0);
		assert_int_equal(uio_domain_map(d, top + SZ_4K, OA_BASE,
						SZ_4K, prot, true),
				 -EINVAL);
		/* straddling the top */
		assert_int_equal(uio_domain_map(d, top - SZ_4K, OA_BASE,
						3 * SZ_4K, prot, true),
				 -EINVAL);
		/* wrapping past 2^64 */
		assert_int_equal(uio_domain_map(d, UINT64_MAX - SZ_4K + 1,
						OA_BASE, 2 * SZ_4K, prot,
						true),
				 -EINVAL);
		assert_int_equal(uio_domain_map(d, 0, OA_BASE, 0, prot, true),
				 -EINVAL);
		assert_true(uio_domain_unmap(d, top, SZ_4K) == SZ_4K);
		uio_domain_free(d);
	}
}

/* ---- reserved regions ---- */

static void test_reserved_regions(void **state)
{
	struct uio_iova_range r[4];
	struct uio_hw_dev dev;

	dev = full_dev(&uio_hw_vtd);
	memset(r, 0, sizeof(r));
	assert_int_equal(uio_hw_vtd.reserved_regions(&dev, r, 4), 1);
	assert_true(r[0].start == 0xfee00000 && r[0].last == 0xfeefffff);

	dev = full_dev(&uio_hw_smmuv3);
	assert_int_equal(uio_hw_smmuv3.reserved_regions(&dev, r, 4), 1);
	assert_true(r[0].start == 0x8000000 && r[0].last == 0x80fffff);

	dev = full_dev(&uio_hw_amd);
	assert_int_equal(uio_hw_amd.reserved_regions(&dev, r, 4), 2);
	assert_true(r[0].start == 0xfee00000 && r[0].last == 0xfeefffff);
	assert_true(r[1].start == 0xfd00000000ULL &&
		    r[1].last == 0xffffffffffULL);

	/* a short array: the count of all, only @max filled */
	memset(r, 0x5a, sizeof(r));
	assert_int_equal(uio_hw_amd.reserved_regions(&dev, r, 1), 2);
	assert_true(r[0].start == 0xfee00000);
	assert_true(r[1].start == 0x5a5a5a5a5a5a5a5aULL);
	memset(r, 0x5a, sizeof(r));
	assert_int_equal(uio_hw_vtd.reserved_regions(&dev, r, 0), 1);
	assert_true(r[0].start == 0x5a5a5a5a5a5a5a5aULL);
}

/* ---- attach checks ---- */

static void test_attach_check(void **state)
{
	static const struct uio_hw_model *const models[] = {
		&uio_hw_vtd, &uio_hw_smmuv3, &uio_hw_amd,
	};
	size_t m;

	for (m = 0; m < 3; m++) {
		const struct uio_hw_model *model = models[m];
		const struct uio_hw_model *other = models[(m + 1) % 3];
		struct uio_hw_dev dev = full_dev(model);
		struct uio_hw_dev nd = bare_dev(model);
		struct uio_hw_dev far = full_dev(model);
		struct uio_hw_dev odev = full_dev(other);
		struct uio_domain *plain = alloc_flags(&dev, 0);
		struct uio_domain *dirty = alloc_flags(&dev, F_DIRTY);
		struct uio_domain *foreign = alloc_flags(&odev, 0);
		struct uio_domain *mock;

		far.instance = 2;
		assert_int_equal(uio_hw_attach_check(&dev, plain), 0);
		assert_int_equal(uio_hw_attach_check(&dev, dirty), 0);
		/* another unit */
		assert_int_equal(uio_hw_attach_check(&far, plain), -EINVAL);
		/* a dirty-tracking domain on a NO_DIRTY device */
		assert_int_equal(uio_hw_attach_check(&nd, dirty), -EINVAL);
		assert_int_equal(uio_hw_attach_check(&nd, plain), 0);
		/* another model, same instance */
		assert_int_equal(uio_hw_attach_check(&dev, foreign), -EINVAL);
		mock = uio_domain_alloc(&uio_hw_mock, &pt_fmt_amdv1_mock, 3, 0);
		assert_false(IS_ERR(mock));
		mock->instance = dev.instance;
		assert_int_equal(uio_hw_attach_check(&dev, mock), -EINVAL);

		uio_domain_free(mock);
		uio_domain_free(foreign);
		uio_domain_free(dirty);
		uio_domain_free(plain);
	}
}

/* VT-d refuses tables deeper or wider than its SAGAW/MGAW and first stage */
static void test_vtd_attach_width(void **state)
{
	struct uio_hw_dev dev = full_dev(&uio_hw_vtd);
	struct uio_domain *d;

	d = uio_domain_alloc(&uio_hw_vtd, &pt_fmt_vtd_ss, 5, 0);
	assert_false(IS_ERR(d));
	d->instance = dev.instance;
	assert_int_equal(uio_hw_attach_check(&dev, d), -EINVAL);
	uio_domain_free(d);

	d = uio_domain_alloc(&uio_hw_vtd, &pt_fmt_x86_64, 5, 0);
	assert_false(IS_ERR(d));
	d->instance = dev.instance;
	assert_int_equal(uio_hw_attach_check(&dev, d), -EINVAL);
	uio_domain_free(d);

	/* a narrower 3-level second stage fits */
	d = uio_domain_alloc(&uio_hw_vtd, &pt_fmt_vtd_ss, 3, 0);
	assert_false(IS_ERR(d));
	d->instance = dev.instance;
	assert_int_equal(uio_hw_attach_check(&dev, d), 0);
	uio_domain_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_find),
		cmocka_unit_test(test_vtd_hw_info),
		cmocka_unit_test(test_smmu_hw_info),
		cmocka_unit_test(test_amd_hw_info),
		cmocka_unit_test(test_hw_info_truncation),
		cmocka_unit_test(test_capabilities),
		cmocka_unit_test(test_vtd_alloc),
		cmocka_unit_test(test_smmu_alloc),
		cmocka_unit_test(test_amd_alloc),
		cmocka_unit_test(test_alloc_user_data),
		cmocka_unit_test(test_pgsize_bitmaps),
		cmocka_unit_test(test_map_unmap),
		cmocka_unit_test(test_aperture),
		cmocka_unit_test(test_reserved_regions),
		cmocka_unit_test(test_attach_check),
		cmocka_unit_test(test_vtd_attach_width),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
