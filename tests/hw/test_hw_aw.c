/* SPDX-License-Identifier: MIT */
/*
 * The IOMMU address width of a device (uio_hw_dev.aw, the public
 * uiommufd_dev_config.aw, --vfio-dev's aw=BITS), model by model and width
 * by width, against what hardware of that width reports and does:
 *  - which widths each model takes (the mock none), the same answer from
 *    the hw models and from the wrapper's parser (front/options.h), and
 *    uio_dev_create()/uiommufd_dev_create() refusing the others (EINVAL);
 *  - the registers IOMMU_GET_HW_INFO returns: VT-d SAGAW, MGAW and FS5LP,
 *    SMMUv3 IDR5.OAS (nothing else moves), AMD EFR.HATS and GATS;
 *  - every domain a width gives: format, levels, aperture; the last page
 *    below the aperture maps and takes DMA, the page at the aperture is
 *    refused (EINVAL) and faults;
 *  - attach checks between devices of one unit with different widths, the
 *    nested first stages (VT-d addr_width, AMD gDTE paging mode) against
 *    FS5LP/GATS, the SMMUv3 nested walk's address size faults at IAS;
 *  - end to end through the public API: HWPT_ALLOC, the IOAS's allowed
 *    ranges, IOAS_MAP just below 2^aw (0) and at 2^aw (EINVAL: the
 *    kernel's answer for IOVA outside every attached domain's aperture),
 *    DMA at the top.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
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
#include "front/options.h"
#include "hw/hw.h"
#include "pt/pt.h"
#include "uiommufd/uiommufd.h"
#include "util/err.h"
#include "../common/inproc.h"

#define SZ_4K (1ULL << 12)
#define SZ_2M (1ULL << 21)

#define F_NEST IOMMU_HWPT_ALLOC_NEST_PARENT
#define F_DIRTY IOMMU_HWPT_ALLOC_DIRTY_TRACKING
#define F_PASID IOMMU_HWPT_ALLOC_PASID

#define BIT64(n) (1ULL << (n))
#define GET(reg, shift, width) (((reg) >> (shift)) & ((1ULL << (width)) - 1))

static const struct uio_hw_model *const models[] = {
	&uio_hw_vtd, &uio_hw_smmuv3, &uio_hw_amd, &uio_hw_mock,
};
#define NR_MODELS (sizeof(models) / sizeof(models[0]))

static struct uio_dev *make_dev(const struct uio_hw_model *model,
				unsigned int aw)
{
	struct uio_dev_cfg cfg = {
		.model = model,
		.rid = 0x100,
		.pasid_bits = 20,
		.hw_flags = UIO_HW_DEV_PASID | UIO_HW_DEV_ATS | UIO_HW_DEV_PRI,
		.aw = aw,
	};
	struct uio_dev *dev = NULL;

	assert_int_equal(uio_dev_create(&cfg, &dev), 0);
	return dev;
}

static struct uio_domain *alloc_flags(struct uio_dev *dev, uint32_t flags)
{
	struct uio_hw_domain_req req = {
		.flags = flags,
		.data_type = IOMMU_HWPT_DATA_NONE,
	};
	struct uio_hw_dev *hw = uio_dev_hw(dev);

	return hw->model->domain_alloc_paging(hw, &req);
}

static uint64_t last_of(unsigned int bits)
{
	return bits >= 64 ? UINT64_MAX : (1ULL << bits) - 1;
}

/* ---- which widths ---- */

static const struct {
	const struct uio_hw_model *model;
	unsigned int aw[8]; /* 0 ends */
} widths[] = {
	{ &uio_hw_vtd, { 39, 48, 57 } },
	{ &uio_hw_smmuv3, { 32, 36, 40, 42, 44, 48 } },
	{ &uio_hw_amd, { 48, 57 } },
	{ &uio_hw_mock, { 0 } },
};

static bool listed(size_t m, unsigned int aw)
{
	size_t i;

	for (i = 0; i < 8 && widths[m].aw[i]; i++)
		if (widths[m].aw[i] == aw)
			return true;
	return false;
}

/*
 * Every width from 0 to past 64: the model's aw_check, the wrapper's
 * parser and uio_dev_create() give the same answer; 0 is always the
 * default.
 */
static void test_aw_accepted(void **state)
{
	char spec[64];
	size_t m;
	unsigned int aw;

	for (m = 0; m < NR_MODELS; m++) {
		const struct uio_hw_model *model = widths[m].model;

		for (aw = 0; aw <= 70; aw++) {
			bool ok = !aw || listed(m, aw);
			struct uio_vfio_dev_spec parsed;
			struct uio_dev_cfg cfg = { .model = model, .aw = aw };
			struct uio_dev *dev = NULL;
			int n;

			assert_int_equal(uio_hw_aw_check(model, aw),
					 ok ? 0 : -EINVAL);
			assert_int_equal(uio_iommu_aw_ok(model->name, aw), ok);
			n = snprintf(spec, sizeof(spec), "%s,aw=%u",
				     model->name, aw);
			assert_int_equal(uio_parse_vfio_dev(spec, (size_t)n,
							    &parsed),
					 ok ? 0 : -EINVAL);
			if (ok)
				assert_int_equal(parsed.aw, aw);
			assert_int_equal(uio_dev_create(&cfg, &dev),
					 ok ? 0 : -EINVAL);
			if (ok) {
				assert_int_equal(uio_dev_hw(dev)->aw, aw);
				uio_dev_destroy(dev);
			}
		}
	}
}

/* the parser: aw= anywhere in the SPEC, checked once the model is known */
static void test_aw_parse(void **state)
{
	static const char *const good[] = {
		"vtd,aw=57", "vtd,aw=39,pasid=20", "aw=57,pasid=8",
		"default,aw=40", "smmuv3,aw=0x28", "amd,aw=57,pri,ats",
		"aw=32", "mock,aw=0", "vtd,rid=8,unit=1,aw=48,no-dirty",
	};
	static const char *const bad[] = {
		"vtd,aw=40", "vtd,aw=", "vtd,aw", "vtd,aw=-48", "amd,aw=39",
		"smmuv3,aw=39", "smmuv3,aw=52", "mock,aw=48", "aw=65",
		"aw=47", "vtd,aw=48x", "vtd,aw=4294967344", "aw=57,vtd",
	};
	struct uio_vfio_dev_spec spec;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(uio_parse_vfio_dev(good[i], strlen(good[i]),
						    &spec),
				 0);
	uio_parse_vfio_dev("aw=57,pasid=8", 13, &spec);
	assert_null(spec.model);
	assert_int_equal(spec.aw, 57);
	assert_int_equal(spec.pasid_bits, 8);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(uio_parse_vfio_dev(bad[i], strlen(bad[i]),
						    &spec),
				 -EINVAL);
}

/* ---- what the registers report ---- */

static void test_vtd_regs(void **state)
{
	static const struct {
		unsigned int aw, sagaw, mgaw;
		bool fs5lp;
	} c[] = {
		{ 0, 0x4, 48, false },
		{ 39, 0x2, 39, false },
		{ 48, 0x4, 48, false },
		{ 57, 0xc, 57, true },
	};
	struct iommu_hw_info_vtd base, info;
	struct uio_dev *dev;
	size_t i;

	dev = make_dev(&uio_hw_vtd, 0);
	uio_hw_vtd.hw_info(uio_dev_hw(dev), &base, sizeof(base));
	uio_dev_destroy(dev);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		/* SAGAW 12:8, MGAW 21:16, FS5LP 60 */
		const uint64_t width_bits =
			(0x1fULL << 8) | (0x3fULL << 16) | BIT64(60);

		dev = make_dev(&uio_hw_vtd, c[i].aw);
		assert_int_equal(uio_hw_vtd.hw_info(uio_dev_hw(dev), &info,
						    sizeof(info)),
				 sizeof(info));
		assert_int_equal(GET(info.cap_reg, 8, 5), c[i].sagaw);
		assert_int_equal(GET(info.cap_reg, 16, 6) + 1, c[i].mgaw);
		assert_int_equal(!!(info.cap_reg & BIT64(60)), c[i].fs5lp);
		/* nothing else moves */
		assert_true((info.cap_reg & ~width_bits) ==
			    (base.cap_reg & ~width_bits));
		assert_true(info.ecap_reg == base.ecap_reg);
		assert_int_equal(info.flags, 0);
		uio_dev_destroy(dev);
	}
}

static void test_smmu_regs(void **state)
{
	static const struct {
		unsigned int aw, oas;
	} c[] = {
		{ 0, 5 }, { 32, 0 }, { 36, 1 }, { 40, 2 },
		{ 42, 3 }, { 44, 4 }, { 48, 5 },
	};
	struct iommu_hw_info_arm_smmuv3 base, info;
	struct uio_dev *dev;
	size_t i, r;

	dev = make_dev(&uio_hw_smmuv3, 0);
	uio_hw_smmuv3.hw_info(uio_dev_hw(dev), &base, sizeof(base));
	uio_dev_destroy(dev);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		dev = make_dev(&uio_hw_smmuv3, c[i].aw);
		assert_int_equal(uio_hw_smmuv3.hw_info(uio_dev_hw(dev), &info,
						       sizeof(info)),
				 sizeof(info));
		assert_int_equal(GET(info.idr[5], 0, 3), c[i].oas);
		/* VAX stays 48 bits, the granule 4 KiB */
		assert_int_equal(GET(info.idr[5], 10, 2), 0);
		assert_true(info.idr[5] & (1u << 4));
		assert_int_equal(info.idr[5] & ~7u, base.idr[5] & ~7u);
		for (r = 0; r < 5; r++)
			assert_int_equal(info.idr[r], base.idr[r]);
		assert_int_equal(info.iidr, base.iidr);
		assert_int_equal(info.aidr, base.aidr);
		uio_dev_destroy(dev);
	}
}

static void test_amd_regs(void **state)
{
	static const struct {
		unsigned int aw, hats, gats;
	} c[] = {
		{ 0, 0, 0 }, { 48, 0, 0 }, { 57, 1, 1 },
	};
	const uint64_t ats_bits = 0xfULL << 10; /* HATS 11:10, GATS 13:12 */
	struct iommu_hw_info_amd base, info;
	struct uio_dev *dev;
	size_t i;

	dev = make_dev(&uio_hw_amd, 0);
	uio_hw_amd.hw_info(uio_dev_hw(dev), &base, sizeof(base));
	uio_dev_destroy(dev);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		dev = make_dev(&uio_hw_amd, c[i].aw);
		assert_int_equal(uio_hw_amd.hw_info(uio_dev_hw(dev), &info,
						    sizeof(info)),
				 sizeof(info));
		assert_int_equal(GET(info.efr, 10, 2), c[i].hats);
		assert_int_equal(GET(info.efr, 12, 2), c[i].gats);
		assert_true((info.efr & ~ats_bits) == (base.efr & ~ats_bits));
		assert_true(info.efr2 == base.efr2);
		uio_dev_destroy(dev);
	}
}

/* ---- the domains of each width, their apertures, DMA at the top ---- */

struct aw_case {
	const struct uio_hw_model *model;
	unsigned int aw;
	uint32_t flags;
	const struct pt_format *fmt;
	unsigned int levels;
	unsigned int va_bits; /* aperture [0, 2^va_bits - 1] */
};

#define C(m, a, f, fm, lv, va)                                        \
	{ .model = &uio_hw_##m, .aw = (a), .flags = (f), .fmt = (fm), \
	  .levels = (lv), .va_bits = (va) }

static const struct aw_case aw_cases[] = {
	/* VT-d: the first stage follows FS5LP, the second SAGAW/MGAW */
	C(vtd, 0, 0, &pt_fmt_x86_64, 4, 47),
	C(vtd, 0, F_NEST, &pt_fmt_vtd_ss, 4, 48),
	C(vtd, 39, 0, &pt_fmt_x86_64, 4, 47),
	C(vtd, 39, F_PASID, &pt_fmt_x86_64, 4, 47),
	C(vtd, 39, F_NEST, &pt_fmt_vtd_ss, 3, 39),
	C(vtd, 39, F_DIRTY, &pt_fmt_vtd_ss, 3, 39),
	C(vtd, 48, 0, &pt_fmt_x86_64, 4, 47),
	C(vtd, 48, F_NEST | F_DIRTY, &pt_fmt_vtd_ss, 4, 48),
	C(vtd, 57, 0, &pt_fmt_x86_64, 5, 56),
	C(vtd, 57, F_PASID, &pt_fmt_x86_64, 5, 56),
	C(vtd, 57, F_NEST, &pt_fmt_vtd_ss, 5, 57),
	C(vtd, 57, F_DIRTY | F_PASID, &pt_fmt_vtd_ss, 5, 57),
	/* SMMUv3: stage 1 takes VAX-sized inputs, stage 2 IAS = OAS */
	C(smmuv3, 32, 0, &pt_fmt_arm_lpae_s1, 4, 48),
	C(smmuv3, 32, F_NEST, &pt_fmt_arm_lpae_s2, 3, 32),
	C(smmuv3, 36, F_NEST, &pt_fmt_arm_lpae_s2, 3, 36),
	C(smmuv3, 40, 0, &pt_fmt_arm_lpae_s1, 4, 48),
	C(smmuv3, 40, F_DIRTY, &pt_fmt_arm_lpae_s1, 4, 48),
	C(smmuv3, 40, F_NEST, &pt_fmt_arm_lpae_s2, 4, 40),
	C(smmuv3, 42, F_NEST, &pt_fmt_arm_lpae_s2, 4, 42),
	C(smmuv3, 44, F_NEST, &pt_fmt_arm_lpae_s2, 4, 44),
	C(smmuv3, 48, F_NEST, &pt_fmt_arm_lpae_s2, 4, 48),
	C(smmuv3, 0, F_NEST, &pt_fmt_arm_lpae_s2, 4, 48),
	/* AMD: v1 follows HATS, v2 (PASID) GATS */
	C(amd, 0, 0, &pt_fmt_amdv1, 4, 48),
	C(amd, 48, F_PASID, &pt_fmt_x86_64, 4, 47),
	C(amd, 57, 0, &pt_fmt_amdv1, 5, 57),
	C(amd, 57, F_NEST | F_DIRTY, &pt_fmt_amdv1, 5, 57),
	C(amd, 57, F_PASID, &pt_fmt_x86_64, 5, 56),
};

static void test_aw_domains(void **state)
{
	const int prot = IOMMU_READ | IOMMU_WRITE;
	uint8_t *page = aligned_buffer(2 * SZ_4K, SZ_4K);
	uint8_t out[64], in[64];
	struct pt_leaf leaf;
	size_t i;

	for (i = 0; i < sizeof(aw_cases) / sizeof(aw_cases[0]); i++) {
		const struct aw_case *c = &aw_cases[i];
		struct uio_dev *dev = make_dev(c->model, c->aw);
		struct uio_domain *d = alloc_flags(dev, c->flags);
		uint64_t top;

		assert_false(IS_ERR_OR_NULL(d));
		assert_ptr_equal(pt_table_format(d->pt), c->fmt);
		assert_int_equal(pt_table_levels(d->pt), c->levels);
		assert_true(d->aperture_start == 0);
		assert_true(d->aperture_last == last_of(c->va_bits));
		assert_int_equal(uio_hw_attach_check(uio_dev_hw(dev), d), 0);

		/* the last page below the top maps, the page at the top not */
		top = d->aperture_last - SZ_4K + 1;
		assert_int_equal(uio_domain_map(d, top, (uintptr_t)page, SZ_4K,
						prot, true),
				 0);
		assert_int_equal(pt_lookup(d->pt, top + 5, &leaf), 0);
		assert_true(leaf.oa == (uintptr_t)page + 5);
		assert_int_equal(uio_domain_map(d, top + SZ_4K,
						(uintptr_t)page + SZ_4K, SZ_4K,
						prot, true),
				 -EINVAL);
		/* nor a range straddling it */
		assert_int_equal(uio_domain_map(d, top - SZ_2M, (uintptr_t)page,
						SZ_2M + 2 * SZ_4K, prot, true),
				 -EINVAL);

		/* DMA at the top of the range reaches the page, not past it */
		assert_int_equal(uio_dev_set_domain(dev, UIO_DEV_NO_PASID, d),
				 0);
		memset(page, 0, SZ_4K);
		memset(in, 0x5a + (int)i, sizeof(in));
		assert_int_equal(uio_dma_write(dev, UIO_DEV_NO_PASID,
					       top + SZ_4K - sizeof(in), in,
					       sizeof(in)),
				 0);
		assert_memory_equal(page + SZ_4K - sizeof(in), in, sizeof(in));
		assert_int_equal(uio_dma_read(dev, UIO_DEV_NO_PASID,
					      top + SZ_4K - sizeof(in), out,
					      sizeof(out)),
				 0);
		assert_memory_equal(out, in, sizeof(in));
		assert_int_equal(uio_dma_read(dev, UIO_DEV_NO_PASID,
					      top + SZ_4K, out, 8),
				 -EFAULT);
		/* and one that crosses the top stops there */
		assert_int_equal(uio_dma_read(dev, UIO_DEV_NO_PASID,
					      top + SZ_4K - 8, out, 16),
				 -EFAULT);

		assert_int_equal(uio_dev_set_domain(dev, UIO_DEV_NO_PASID,
						    NULL),
				 0);
		assert_true(uio_domain_unmap(d, top, SZ_4K) == SZ_4K);
		uio_domain_free(d);
		uio_dev_destroy(dev);
	}
}

/* AMD v1 advertises every power of two below 2^width but 512 GiB */
static void test_amd_pgsizes(void **state)
{
	struct uio_dev *dev = make_dev(&uio_hw_amd, 57);
	struct uio_domain *d = alloc_flags(dev, 0);

	assert_true(d->pgsize_bitmap ==
		    ((BIT64(57) - 1) & ~(BIT64(12) - 1) & ~BIT64(39)));
	uio_domain_free(d);
	uio_dev_destroy(dev);
}

/* ---- devices of one unit with different widths ---- */

struct attach_case {
	const struct uio_hw_model *model;
	unsigned int from_aw; /* the device the domain was made for */
	uint32_t flags;
	unsigned int to_aw;   /* the device it attaches to */
	int err;
};

static const struct attach_case attach_cases[] = {
	/* VT-d second stage: no deeper than SAGAW, no wider than MGAW */
	{ &uio_hw_vtd, 57, F_NEST, 48, -EINVAL },
	{ &uio_hw_vtd, 57, F_NEST, 39, -EINVAL },
	{ &uio_hw_vtd, 48, F_NEST, 39, -EINVAL },
	{ &uio_hw_vtd, 48, F_NEST, 57, 0 },
	{ &uio_hw_vtd, 39, F_NEST, 48, 0 },
	{ &uio_hw_vtd, 39, F_DIRTY, 57, 0 },
	/* VT-d first stage: 5 levels need FS5LP */
	{ &uio_hw_vtd, 57, 0, 48, -EINVAL },
	{ &uio_hw_vtd, 57, 0, 39, -EINVAL },
	{ &uio_hw_vtd, 48, 0, 39, 0 },
	{ &uio_hw_vtd, 39, 0, 57, 0 },
	/* SMMUv3: stage 2 within IAS; stage 1 fits any OAS */
	{ &uio_hw_smmuv3, 48, F_NEST, 40, -EINVAL },
	{ &uio_hw_smmuv3, 44, F_NEST, 42, -EINVAL },
	{ &uio_hw_smmuv3, 36, F_NEST, 32, -EINVAL },
	{ &uio_hw_smmuv3, 40, F_NEST, 48, 0 },
	{ &uio_hw_smmuv3, 32, F_NEST, 36, 0 },
	{ &uio_hw_smmuv3, 48, 0, 32, 0 },
	{ &uio_hw_smmuv3, 32, F_DIRTY, 48, 0 },
	/* AMD: host tables within HATS, guest tables within GATS */
	{ &uio_hw_amd, 57, 0, 48, -EINVAL },
	{ &uio_hw_amd, 57, F_NEST, 48, -EINVAL },
	{ &uio_hw_amd, 57, F_PASID, 48, -EINVAL },
	{ &uio_hw_amd, 48, 0, 57, 0 },
	{ &uio_hw_amd, 48, F_PASID, 57, 0 },
};

static void test_aw_attach(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(attach_cases) / sizeof(attach_cases[0]); i++) {
		const struct attach_case *c = &attach_cases[i];
		struct uio_dev *from = make_dev(c->model, c->from_aw);
		struct uio_dev *to = make_dev(c->model, c->to_aw);
		struct uio_domain *d = alloc_flags(from, c->flags);

		assert_false(IS_ERR_OR_NULL(d));
		assert_int_equal(uio_hw_attach_check(uio_dev_hw(from), d), 0);
		assert_int_equal(uio_hw_attach_check(uio_dev_hw(to), d),
				 c->err);
		uio_domain_free(d);
		uio_dev_destroy(to);
		uio_dev_destroy(from);
	}
}

/* ---- nesting ---- */

static struct uio_domain *vtd_s1(struct uio_dev *dev, struct uio_domain *s2,
				 unsigned int addr_width)
{
	struct iommu_hwpt_vtd_s1 s1 = {
		.pgtbl_addr = 0x40000000,
		.addr_width = addr_width,
	};
	struct uio_hw_domain_req req = {
		.data_type = IOMMU_HWPT_DATA_VTD_S1,
		.data = &s1,
		.data_len = sizeof(s1),
	};

	return uio_hw_vtd.domain_alloc_nested(uio_dev_hw(dev), s2, &req);
}

/*
 * VT-d: a 5-level guest first stage (addr_width 57) needs CAP.FS5LP, which
 * only a 57-bit unit reports; 48 works everywhere. Attaching checks the
 * device's own unit again.
 */
static void test_vtd_nested_width(void **state)
{
	struct uio_dev *d48 = make_dev(&uio_hw_vtd, 48);
	struct uio_dev *d57 = make_dev(&uio_hw_vtd, 57);
	struct uio_dev *d39 = make_dev(&uio_hw_vtd, 39);
	struct uio_domain *s2_48 = alloc_flags(d48, F_NEST);
	struct uio_domain *s2_57 = alloc_flags(d57, F_NEST);
	struct uio_domain *s2_39 = alloc_flags(d39, F_NEST);
	struct uio_domain *n;

	/* a 48-bit unit: 57 refused */
	n = vtd_s1(d48, s2_48, 57);
	assert_true(IS_ERR(n));
	assert_int_equal(PTR_ERR(n), -EINVAL);
	n = vtd_s1(d39, s2_39, 57);
	assert_true(IS_ERR(n));
	assert_int_equal(PTR_ERR(n), -EINVAL);
	n = vtd_s1(d57, s2_57, 39);
	assert_true(IS_ERR(n));
	assert_int_equal(PTR_ERR(n), -EINVAL);

	/* a 57-bit unit: both; the 5-level one stays on 57-bit units */
	n = vtd_s1(d57, s2_57, 57);
	assert_false(IS_ERR_OR_NULL(n));
	assert_int_equal(uio_hw_attach_check(uio_dev_hw(d57), n), 0);
	assert_int_equal(uio_hw_attach_check(uio_dev_hw(d48), n), -EINVAL);
	uio_domain_free(n);
	n = vtd_s1(d57, s2_57, 48);
	assert_false(IS_ERR_OR_NULL(n));
	assert_int_equal(uio_hw_attach_check(uio_dev_hw(d57), n), 0);
	/* FS fits, but the 5-level parent is too deep for a 48-bit unit */
	assert_int_equal(uio_hw_attach_check(uio_dev_hw(d48), n), -EINVAL);
	uio_domain_free(n);

	/* a 3-level parent under a 4-level guest table on a 39-bit unit */
	n = vtd_s1(d39, s2_39, 48);
	assert_false(IS_ERR_OR_NULL(n));
	assert_int_equal(uio_hw_attach_check(uio_dev_hw(d39), n), 0);
	assert_int_equal(uio_hw_attach_check(uio_dev_hw(d57), n), 0);
	uio_domain_free(n);

	uio_domain_free(s2_39);
	uio_domain_free(s2_57);
	uio_domain_free(s2_48);
	uio_dev_destroy(d39);
	uio_dev_destroy(d57);
	uio_dev_destroy(d48);
}

/*
 * AMD: a gDTE with 5-level guest tables needs EFR.GATS = 5 levels on the
 * device's unit (EOPNOTSUPP at allocation, EINVAL at attach).
 */
static void test_amd_nested_width(void **state)
{
	struct uio_dev *d48 = make_dev(&uio_hw_amd, 48);
	struct uio_dev *d57 = make_dev(&uio_hw_amd, 57);
	struct uio_domain *s2 = alloc_flags(d48, F_NEST);
	struct iommu_hwpt_amd_guest g = { .dte = {
		/* V, GV, GCR3 table at 0x1000 (bits 14:12 in 60:58) */
		BIT64(0) | BIT64(55) | (1ULL << 58), 0,
		/* guest paging mode 5 levels */
		1ULL << 54, 0 } };
	struct uio_hw_domain_req req = {
		.data_type = IOMMU_HWPT_DATA_AMD_GUEST,
		.data = &g,
		.data_len = sizeof(g),
	};
	struct uio_viommu *v;
	struct uio_domain *n;

	/* the vIOMMU is over a 4-level parent both units walk */
	v = uio_hw_amd.viommu_alloc(uio_dev_hw(d57), s2, IOMMU_VIOMMU_TYPE_AMD,
				    NULL, 0);
	assert_false(IS_ERR_OR_NULL(v));
	n = v->ops->domain_alloc_nested(v, uio_dev_hw(d48), &req);
	assert_true(IS_ERR(n));
	assert_int_equal(PTR_ERR(n), -EOPNOTSUPP);
	n = v->ops->domain_alloc_nested(v, uio_dev_hw(d57), &req);
	assert_false(IS_ERR_OR_NULL(n));
	assert_int_equal(uio_hw_attach_check(uio_dev_hw(d57), n), 0);
	assert_int_equal(uio_hw_attach_check(uio_dev_hw(d48), n), -EINVAL);
	uio_domain_free(n);
	/* 4-level guest tables go anywhere */
	g.dte[2] = 0;
	n = v->ops->domain_alloc_nested(v, uio_dev_hw(d48), &req);
	assert_false(IS_ERR_OR_NULL(n));
	assert_int_equal(uio_hw_attach_check(uio_dev_hw(d48), n), 0);
	assert_int_equal(uio_hw_attach_check(uio_dev_hw(d57), n), 0);
	uio_domain_free(n);
	v->ops->free(v);
	uio_domain_free(s2);
	uio_dev_destroy(d57);
	uio_dev_destroy(d48);
}

/* SMMUv3 LPAE descriptors and STE/CD fields for a one-page guest */
#define L_VALID BIT64(0)
#define L_TABLE BIT64(1)
#define L_UNPRIV BIT64(6)
#define L_AF BIT64(10)
#define EVT_F_WALK_EABT 0x0b
#define EVT_F_ADDR_SIZE 0x11
#define GUEST_IPA 0x40000000ULL

/*
 * The SMMU's stage-1 walk under a vSTE: output addresses (IPAs) above the
 * SMMU's IAS are address size faults. Guest memory: page 0 the CD, pages
 * 1..4 a 4-level LPAE table whose leaf at IOVA 0 maps @leaf_ipa.
 */
static void smmu_walk(unsigned int aw, uint64_t ttb_override,
		      uint64_t leaf_ipa, int *ret, struct uio_s1_result *res,
		      struct uio_hw_fault *fault)
{
	struct uio_dev *dev = make_dev(&uio_hw_smmuv3, aw);
	struct uio_domain *s2 = alloc_flags(dev, F_NEST);
	uint64_t *g = aligned_buffer(8 * SZ_4K, SZ_4K);
	struct iommu_hwpt_arm_smmuv3 ste = { .ste = {
		/* V, Config stage 1, linear CD table at GUEST_IPA */
		BIT64(0) | (5ULL << 1) | GUEST_IPA, 0 } };
	struct uio_hw_domain_req req = {
		.data_type = IOMMU_HWPT_DATA_ARM_SMMUV3,
		.data = &ste,
		.data_len = sizeof(ste),
	};
	struct uio_viommu *v;
	struct uio_domain *n;
	unsigned int l;

	memset(g, 0, 8 * SZ_4K);
	assert_int_equal(uio_domain_map(s2, GUEST_IPA, (uintptr_t)g,
					8 * SZ_4K, IOMMU_READ | IOMMU_WRITE,
					false),
			 0);
	/* CD 0: valid, AArch64, T0SZ 16, 4 KiB granule, TTB0 */
	g[0] = BIT64(31) | BIT64(41) | 16;
	g[1] = ttb_override ? ttb_override : GUEST_IPA + SZ_4K;
	for (l = 0; l < 3; l++)
		g[(l + 1) * 512] = (GUEST_IPA + (l + 2) * SZ_4K) | L_VALID |
				   L_TABLE;
	g[4 * 512] = leaf_ipa | L_VALID | L_TABLE | L_AF | L_UNPRIV;

	v = uio_hw_smmuv3.viommu_alloc(uio_dev_hw(dev), s2,
				       IOMMU_VIOMMU_TYPE_ARM_SMMUV3, NULL, 0);
	assert_false(IS_ERR_OR_NULL(v));
	n = v->ops->domain_alloc_nested(v, uio_dev_hw(dev), &req);
	assert_false(IS_ERR_OR_NULL(n));
	memset(fault, 0, sizeof(*fault));
	*ret = n->nested_ops->translate(n, UIO_HW_NO_PASID, 0x123, PT_PROT_READ,
					res, fault);
	uio_domain_free(n);
	v->ops->free(v);
	uio_domain_free(s2);
	uio_dev_destroy(dev);
}

static void test_smmu_nested_ias(void **state)
{
	struct uio_s1_result res;
	struct uio_hw_fault fault;
	int ret;

	/* a leaf IPA within IAS translates */
	smmu_walk(40, 0, GUEST_IPA, &ret, &res, &fault);
	assert_int_equal(ret, 0);
	assert_true(res.oa == GUEST_IPA + 0x123);
	/* at 2^40: an address size fault on a 40-bit SMMU, fine on 48 */
	smmu_walk(40, 0, BIT64(40), &ret, &res, &fault);
	assert_int_equal(ret, -EFAULT);
	assert_int_equal(fault.code, EVT_F_ADDR_SIZE);
	smmu_walk(48, 0, BIT64(40), &ret, &res, &fault);
	assert_int_equal(ret, 0);
	assert_true(res.oa == BIT64(40) + 0x123);
	smmu_walk(48, 0, BIT64(48), &ret, &res, &fault);
	assert_int_equal(ret, -EFAULT);
	assert_int_equal(fault.code, EVT_F_ADDR_SIZE);
	/* a TTB0 beyond IAS: the same fault before any table is read */
	smmu_walk(40, BIT64(40), GUEST_IPA, &ret, &res, &fault);
	assert_int_equal(ret, -EFAULT);
	assert_int_equal(fault.code, EVT_F_ADDR_SIZE);
	/* on 48 bits it is read through stage 2, where nothing maps it */
	smmu_walk(48, BIT64(40), GUEST_IPA, &ret, &res, &fault);
	assert_int_equal(ret, -EFAULT);
	assert_int_equal(fault.code, EVT_F_WALK_EABT);
}

/* ---- end to end through the public API ---- */

struct e2e_case {
	const char *model;
	unsigned int aw;
	uint32_t flags;       /* HWPT_ALLOC flags of the aw-sized domain */
	unsigned int va_bits; /* its aperture */
};

static const struct e2e_case e2e_cases[] = {
	{ "vtd", 39, F_NEST, 39 },
	{ "vtd", 57, F_NEST, 57 },
	{ "vtd", 57, 0, 56 }, /* the first stage: 5 levels, canonical */
	{ "vtd", 0, F_DIRTY, 48 },
	{ "smmuv3", 40, F_NEST, 40 },
	{ "smmuv3", 40, 0, 48 }, /* stage 1: VAX, not OAS */
	{ "smmuv3", 32, F_NEST, 32 },
	{ "amd", 57, 0, 57 },
	{ "amd", 57, F_PASID, 56 },
};

#define RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)

/* the last allowed IOVA of @ioas */
static uint64_t ioas_top(int fd, uint32_t ioas)
{
	struct iommu_iova_range ranges[8];
	struct iommu_ioas_iova_ranges r = {
		.size = sizeof(r),
		.ioas_id = ioas,
		.num_iovas = 8,
		.allowed_iovas = (uintptr_t)ranges,
	};

	assert_int_equal(uiommufd_ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &r), 0);
	assert_true(r.num_iovas >= 1 && r.num_iovas <= 8);
	return ranges[r.num_iovas - 1].last;
}

static void test_aw_public_api(void **state)
{
	uint8_t *buf = aligned_buffer(SZ_4K, SZ_4K);
	uint8_t in[32], out[32];
	size_t i;

	for (i = 0; i < sizeof(e2e_cases) / sizeof(e2e_cases[0]); i++) {
		const struct e2e_case *c = &e2e_cases[i];
		struct uiommufd_dev_config cfg = {
			.model = c->model,
			.rid = 0x18,
			.pasid_bits = 8,
			.aw = c->aw,
		};
		const uint64_t top = last_of(c->va_bits) - SZ_4K + 1;
		uint8_t data[64];
		struct iommu_hw_info info = {
			.size = sizeof(info),
			.data_len = sizeof(data),
			.data_uptr = (uintptr_t)data,
		};
		struct iommu_hwpt_alloc alloc = {
			.size = sizeof(alloc),
			.flags = c->flags,
		};
		struct uiommufd_dev *dev;
		uint32_t ioas, dev_id, pt;
		int fd = uiommufd_open(O_CLOEXEC);

		assert_true(fd >= 0);
		assert_int_equal(ioas_alloc(fd, &ioas), 0);
		assert_int_equal(uiommufd_dev_create(&cfg, &dev), 0);
		assert_int_equal(uiommufd_dev_bind(dev, fd, &dev_id), 0);

		/* what a VMM reads */
		info.dev_id = dev_id;
		assert_int_equal(uiommufd_ioctl(fd, IOMMU_GET_HW_INFO, &info),
				 0);
		if (!strcmp(c->model, "vtd")) {
			const struct iommu_hw_info_vtd *v = (void *)data;

			assert_int_equal(GET(v->cap_reg, 16, 6) + 1,
					 c->aw ? c->aw : 48);
		} else if (!strcmp(c->model, "smmuv3")) {
			const struct iommu_hw_info_arm_smmuv3 *s =
				(void *)data;

			assert_int_equal(GET(s->idr[5], 0, 3),
					 c->aw == 40 ? 2 : 0);
		} else {
			const struct iommu_hw_info_amd *a = (void *)data;

			assert_int_equal(GET(a->efr, 10, 2), 1);
		}

		/* a domain of that width over the IOAS, the device on it */
		alloc.dev_id = dev_id;
		alloc.pt_id = ioas;
		assert_int_equal(uiommufd_ioctl(fd, IOMMU_HWPT_ALLOC, &alloc),
				 0);
		pt = alloc.out_hwpt_id;
		assert_int_equal(uiommufd_dev_attach(dev, UIOMMUFD_NO_PASID,
						     &pt),
				 0);
		/* the IOAS now ends at the aperture */
		assert_true(ioas_top(fd, ioas) == last_of(c->va_bits));

		/* just below 2^aw maps; at 2^aw is outside every aperture */
		assert_int_equal(map(fd, ioas, buf, SZ_4K, top, RW), 0);
		if (c->va_bits < 64)
			assert_int_equal(map(fd, ioas, buf, SZ_4K,
					     top + SZ_4K, RW),
					 -EINVAL);

		/* DMA at the top */
		memset(buf, 0, SZ_4K);
		memset(in, 0xc0 + (int)i, sizeof(in));
		assert_int_equal(uiommufd_dma_write(dev, UIOMMUFD_NO_PASID,
						    top + SZ_4K - sizeof(in),
						    in, sizeof(in)),
				 0);
		assert_memory_equal(buf + SZ_4K - sizeof(in), in, sizeof(in));
		assert_int_equal(uiommufd_dma_read(dev, UIOMMUFD_NO_PASID,
						   top + SZ_4K - sizeof(out),
						   out, sizeof(out)),
				 0);
		assert_memory_equal(out, in, sizeof(in));
		assert_int_equal(unmap(fd, ioas, top, SZ_4K), 0);
		assert_int_equal(uiommufd_dma_read(dev, UIOMMUFD_NO_PASID,
						   top, out, 8),
				 -EFAULT);

		uiommufd_dev_destroy(dev);
		assert_int_equal(uiommufd_close(fd), 0);
	}
}

/* the public config: a width the model cannot have is EINVAL */
static void test_aw_public_refused(void **state)
{
	static const struct {
		const char *model;
		unsigned int aw;
	} bad[] = {
		{ "vtd", 40 }, { "vtd", 52 }, { "smmuv3", 39 },
		{ "smmuv3", 52 }, { "amd", 39 }, { "amd", 64 },
		{ "mock", 48 }, { "vtd", 1000 },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct uiommufd_dev_config cfg = {
			.model = bad[i].model,
			.aw = bad[i].aw,
		};
		struct uiommufd_dev *dev = (void *)0x1;

		assert_int_equal(uiommufd_dev_create(&cfg, &dev), -EINVAL);
		assert_ptr_equal(dev, (void *)0x1);
		assert_non_null(strstr(uiommufd_last_reason(), "width"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aw_accepted),
		cmocka_unit_test(test_aw_parse),
		cmocka_unit_test(test_vtd_regs),
		cmocka_unit_test(test_smmu_regs),
		cmocka_unit_test(test_amd_regs),
		cmocka_unit_test(test_aw_domains),
		cmocka_unit_test(test_amd_pgsizes),
		cmocka_unit_test(test_aw_attach),
		cmocka_unit_test(test_vtd_nested_width),
		cmocka_unit_test(test_amd_nested_width),
		cmocka_unit_test(test_smmu_nested_ias),
		cmocka_unit_test(test_aw_public_api),
		cmocka_unit_test(test_aw_public_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
