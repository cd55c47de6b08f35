/* SPDX-License-Identifier: MIT */
/*
 * AMD nesting through a vIOMMU: a guest Device Table Entry (gDTE) whose
 * guest CR3 table names per-PASID guest (v2) page tables, over the host's
 * v1 table as stage 2.
 *
 * As in the newest Linux (drivers/iommu/amd/nested.c, iommufd.c), nested
 * domains come from a vIOMMU of IOMMU_VIOMMU_TYPE_AMD made over a
 * NEST_PARENT host domain, with IOMMU_HWPT_DATA_AMD_GUEST: the 256-bit gDTE,
 * checked as the driver checks it (Mode and the host table pointer must be
 * 0, a valid guest-translation DTE needs a GCR3 table pointer, the guest
 * paging mode is 4 or 5 levels and 5 needs EFR.GATS, GLX 3 is reserved:
 * EINVAL, or EOPNOTSUPP for the capability). The guest's domain id is not
 * mapped to a host one here: a nested domain is its own cache tag.
 *
 * Translation: a gDTE without V or GV translates nothing at stage 1 (the
 * input is the guest physical address); a request without PASID uses
 * PASID 0 with GIOV set, else bypasses stage 1 too. Otherwise the GCR3
 * table (GLX + 1 levels of 512 entries, bit 0 valid, 51:12 the next table
 * or the guest CR3) is read through stage 2, then the guest's x86-64
 * tables (x86_s1.c). Faults carry AMD event codes: 0x1 ILLEGAL_DEV_TABLE_
 * ENTRY (GLX beyond the unit's), 0x2 IO_PAGE_FAULT (not present,
 * permission, reserved bits), 0x4 PAGE_TAB_HARDWARE_ERROR (a table stage 2
 * cannot read). There is no event queue for AMD vIOMMUs in iommufd, and no
 * guest invalidation either (the kernel's vIOMMU ops have none: EOPNOTSUPP);
 * cached translations go stale only with the parent's unmaps, so a guest
 * must not change live tables under a device.
 */
#include <errno.h>
#include <string.h>

#include <linux/iommufd.h>

#include "hw/amd.h"
#include "hw/x86_s1.h"
#include "pt/pt.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/reason.h"

/* gDTE fields (AMD IOMMU spec 2.2.2) */
#define DTE0_V PT_BIT(0)
#define DTE0_MODE(v) (((v) >> 9) & 7)
#define DTE0_HOST_TRP PT_GENMASK(51, 12)
#define DTE0_GIOV PT_BIT(54)
#define DTE0_GV PT_BIT(55)
#define DTE0_GLX(v) (((v) >> 56) & 3)
#define DTE0_GCR3_14_12(v) (((v) >> 58) & 7)
#define DTE1_GCR3_30_15(v) (((v) >> 16) & 0xffff)
#define DTE1_GCR3_51_31(v) ((v) >> 43)
#define DTE2_GPT_LEVEL(v) (((v) >> 54) & 3)
#define GPT_4_LEVEL 0
#define GPT_5_LEVEL 1
#define GCR3_VALID PT_BIT(0)
#define GCR3_ADDR PT_GENMASK(51, 12)

/* event codes (AMD IOMMU spec 2.5) */
#define EVT_ILLEGAL_DTE 0x1
#define EVT_IO_PAGE_FAULT 0x2
#define EVT_PAGE_TAB_HW_ERROR 0x4

struct amd_nested {
	uint64_t dte[4];
	uint64_t gcr3;       /* the GCR3 table's guest physical address */
	unsigned int glx_max; /* GLX the unit supports */
	struct x86_s1_cfg walk; /* root filled per PASID */
};

static int amd_fault(struct uio_hw_fault *fault, int reason, uint32_t code,
		     uint64_t addr)
{
	fault->reason = reason;
	fault->code = code;
	fault->addr = addr;
	return -EFAULT;
}

static int amd_nested_translate(struct uio_domain *nested, uint32_t pasid,
				uint64_t iova, unsigned int need,
				struct uio_s1_result *res,
				struct uio_hw_fault *fault)
{
	const struct amd_nested *an = nested->model_priv;
	unsigned int glx = DTE0_GLX(an->dte[0]);
	struct x86_s1_cfg walk = an->walk;
	uint64_t table = an->gcr3, addr;
	enum x86_s1_status st;
	int level;

	if (!(an->dte[0] & DTE0_V) || !(an->dte[0] & DTE0_GV))
		goto out_bypass;
	if (pasid == UIO_HW_NO_PASID) {
		if (!(an->dte[0] & DTE0_GIOV))
			goto out_bypass;
		pasid = 0;
	}
	if (glx > an->glx_max)
		return amd_fault(fault, UIO_HW_FAULT_BAD_CONFIG,
				 EVT_ILLEGAL_DTE, iova);
	if (pasid >> (9 * (glx + 1)))
		return amd_fault(fault, UIO_HW_FAULT_TRANSLATION,
				 EVT_IO_PAGE_FAULT, iova);
	for (level = glx; level >= 0; level--) {
		uint64_t e;

		addr = table + (((pasid >> (9 * level)) & 511) << 3);
		if (uio_domain_read_s2(nested->parent, addr, &e, sizeof(e)))
			return amd_fault(fault, UIO_HW_FAULT_S2_WALK,
					 EVT_PAGE_TAB_HW_ERROR, addr);
		if (!(e & GCR3_VALID))
			return amd_fault(fault, UIO_HW_FAULT_TRANSLATION,
					 EVT_IO_PAGE_FAULT, iova);
		table = e & GCR3_ADDR;
	}
	walk.root = table;
	st = x86_s1_walk(nested->parent, &walk, iova, need, res, &addr);
	switch (st) {
	case X86_S1_OK:
		return 0;
	case X86_S1_S2_FAULT:
		return amd_fault(fault, UIO_HW_FAULT_S2_WALK,
				 EVT_PAGE_TAB_HW_ERROR, addr);
	case X86_S1_RESERVED:
		return amd_fault(fault, UIO_HW_FAULT_BAD_CONFIG,
				 EVT_IO_PAGE_FAULT, iova);
	case X86_S1_USER:
	case X86_S1_WRITE:
		return amd_fault(fault, UIO_HW_FAULT_PERMISSION,
				 EVT_IO_PAGE_FAULT, iova);
	default:
		return amd_fault(fault, UIO_HW_FAULT_TRANSLATION,
				 EVT_IO_PAGE_FAULT, iova);
	}

out_bypass:
	res->oa = iova;
	res->prot = PT_PROT_READ | PT_PROT_WRITE;
	res->pgsize_lg2 = 63;
	return 0;
}

static const struct uio_nested_ops amd_nested_ops = {
	.translate = amd_nested_translate,
};

static void amd_nested_free(struct uio_domain *domain)
{
	uio_free(domain->model_priv);
}

static int amd_validate_gdte(const struct iommu_hw_info_amd *r,
			     const uint64_t *dte)
{
	unsigned int gpt = DTE2_GPT_LEVEL(dte[2]);
	uint64_t gcr3 = DTE0_GCR3_14_12(dte[0]) | DTE1_GCR3_30_15(dte[1]) |
			DTE1_GCR3_51_31(dte[1]);

	if (DTE0_MODE(dte[0]) || (dte[0] & DTE0_HOST_TRP))
		return uio_fail(-EINVAL,
				"amd: gDTE Mode and host table pointer must be 0");
	if ((dte[0] & DTE0_V) && (dte[0] & DTE0_GV) && !gcr3)
		return uio_fail(-EINVAL,
				"amd: gDTE with V and GV but no GCR3 table");
	if (gpt != GPT_4_LEVEL && gpt != GPT_5_LEVEL)
		return uio_fail(-EINVAL, "amd: gDTE guest paging mode %u", gpt);
	if (DTE0_GLX(dte[0]) == 3)
		return uio_fail(-EINVAL, "amd: gDTE GLX 3 is reserved");
	if (gpt == GPT_5_LEVEL && amd_guest_levels(r) < 5)
		return uio_fail(-EOPNOTSUPP,
				"amd: 5-level guest tables on a 4-level unit");
	return 0;
}

static struct uio_domain *
amd_viommu_domain_alloc_nested(struct uio_viommu *viommu,
			       const struct uio_hw_dev *dev,
			       const struct uio_hw_domain_req *req)
{
	struct iommu_hwpt_amd_guest g;
	struct iommu_hw_info_amd r;
	struct amd_nested *an;
	struct uio_domain *d;
	int ret;

	if (req->data_type != IOMMU_HWPT_DATA_AMD_GUEST)
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"amd: nested data type %u is not AMD_GUEST",
					req->data_type));
	ret = uio_hw_copy_data(req, IOMMU_HWPT_DATA_AMD_GUEST, &g, sizeof(g),
			       sizeof(g));
	if (ret)
		return ERR_PTR(ret);
	amd_regs(dev, &r);
	ret = amd_validate_gdte(&r, (const uint64_t *)g.dte);
	if (ret)
		return ERR_PTR(ret);
	an = uio_zalloc(sizeof(*an));
	if (!an)
		return ERR_PTR(-ENOMEM);
	memcpy(an->dte, g.dte, sizeof(an->dte));
	an->gcr3 = ((uint64_t)DTE0_GCR3_14_12(g.dte[0]) << 12) |
		   ((uint64_t)DTE1_GCR3_30_15(g.dte[1]) << 15) |
		   ((uint64_t)DTE1_GCR3_51_31(g.dte[1]) << 31);
	an->glx_max = amd_glx_max(&r);
	an->walk.levels = DTE2_GPT_LEVEL(g.dte[2]) == GPT_5_LEVEL ? 5 : 4;
	an->walk.pa_bits = pt_table_va_lg2(viommu->parent->pt);
	an->walk.leaf_1g = true;
	d = uio_domain_alloc_nested(&uio_hw_amd, viommu->parent,
				    &amd_nested_ops);
	if (IS_ERR(d)) {
		uio_free(an);
		return d;
	}
	d->viommu = viommu;
	d->alloc_flags = req->flags;
	d->model_priv = an;
	d->model_free = amd_nested_free;
	return d;
}

static int amd_viommu_cache_invalidate(struct uio_viommu *viommu,
				       struct uio_hw_user_array *arr)
{
	arr->entry_num = 0;
	return uio_fail(-EOPNOTSUPP,
			"amd: the vIOMMU takes no invalidation requests");
}

static void amd_viommu_free(struct uio_viommu *viommu)
{
	uio_free(viommu);
}

static const struct uio_viommu_ops amd_viommu_ops = {
	.free = amd_viommu_free,
	.domain_alloc_nested = amd_viommu_domain_alloc_nested,
	.cache_invalidate = amd_viommu_cache_invalidate,
};

/*
 * Attaching elsewhere on the unit: the guest paging mode must be one the
 * device's unit walks (a 5-level gDTE made for a 57-bit device does not go
 * on a 48-bit one). The host parent is checked by the caller (amd.c).
 */
int amd_nested_attach_check(const struct iommu_hw_info_amd *r,
			    const struct uio_domain *domain)
{
	const struct amd_nested *an = domain->model_priv;

	if (an->walk.levels > amd_guest_levels(r))
		return uio_fail(-EINVAL,
				"amd: 5-level guest tables on a unit without EFR.GATS 5 levels");
	return 0;
}

struct uio_viommu *amd_viommu_alloc(const struct uio_hw_dev *dev,
				    struct uio_domain *parent, uint32_t type,
				    const void *data, uint32_t data_len)
{
	struct iommu_hw_info_amd r;
	struct uio_viommu *v;

	(void)data;
	(void)data_len;
	if (type != IOMMU_VIOMMU_TYPE_AMD)
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"amd: vIOMMU type %u not served", type));
	amd_regs(dev, &r);
	if (!amd_nest_parent(&r))
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"amd: the unit cannot nest"));
	if (parent->model != &uio_hw_amd || parent->kind != UIO_DOMAIN_PAGING ||
	    !(parent->flags & UIO_DOMAIN_NEST_PARENT) ||
	    pt_table_format(parent->pt) != &pt_fmt_amdv1 ||
	    parent->instance != dev->instance)
		return ERR_PTR(uio_fail(-EINVAL,
					"amd: a vIOMMU needs a v1 NEST_PARENT domain of the device's unit"));
	v = uio_zalloc(sizeof(*v));
	if (!v)
		return ERR_PTR(-ENOMEM);
	v->model = &uio_hw_amd;
	v->ops = &amd_viommu_ops;
	v->instance = dev->instance;
	v->type = type;
	v->parent = parent;
	return v;
}
