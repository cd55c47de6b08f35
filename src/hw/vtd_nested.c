/* SPDX-License-Identifier: MIT */
/*
 * VT-d nested translation: a guest's first-stage table over a second-stage
 * nesting parent (IOMMU_HWPT_DATA_VTD_S1).
 *
 * In scalable mode a PASID entry of type "nested" names two tables: the
 * first stage (the guest's x86-64 paging tables, FSPTPTR, 4 or 5 levels)
 * and the second stage (the host's, here the parent domain). Each guest
 * table and the final guest physical address go through the second stage.
 * The allocation applies what the Intel driver checks at allocation and
 * when it writes the PASID entry (the model knows the device up front, so
 * it checks both at once): the parent is a second-stage NEST_PARENT domain
 * of this unit, flags are SRE/EAFE/WPE and need ECAP.SRS/ECAP.EAFS, the
 * address width is 48 or 57 (57 needs CAP.FS5LP, which only a 57-bit unit
 * reports: vtd.c), reserved fields are 0. Attaching repeats the width and
 * FS5LP checks against the device's own unit, as the driver does when it
 * writes that unit's PASID entry.
 *
 * The first stage's caches are the device IOTLB entries tagged with the
 * nested domain (dev/iotlb.h): an invalidation (IOMMU_HWPT_INVALIDATE with
 * struct iommu_hwpt_vtd_s1_invalidate entries, the driver's rules) moves
 * the domain's iotlb_gen, which drops every combined entry of the domain:
 * more than a page-selective invalidation asks, which hardware may always
 * do. The unit reports faults with the first-stage fault reasons of the
 * VT-d spec (7.1.3): 0x70 a table the second stage cannot read, 0x71 not
 * present, 0x72 reserved bits, 0x73 a table pointer beyond the guest
 * width, 0x80 a non-canonical input, 0x81 user access denied, 0x85 no
 * write permission. There is no vIOMMU event queue for VT-d: faults not
 * resolved by a page request are only counted by the device.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <linux/iommufd.h>

#include "hw/vtd.h"
#include "hw/x86_s1.h"
#include "pt/pt.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/reason.h"

/* first-stage fault reasons (VT-d spec 7.1.3, scalable mode) */
#define VTD_FR_FS_TABLE_ACCESS 0x70
#define VTD_FR_FS_NOT_PRESENT 0x71
#define VTD_FR_FS_RESERVED 0x72
#define VTD_FR_FSPTPTR_INVALID 0x73
#define VTD_FR_FS_NON_CANONICAL 0x80
#define VTD_FR_FS_USER 0x81
#define VTD_FR_SM_WRITE 0x85

#define VTD_S1_FLAGS (IOMMU_VTD_S1_SRE | IOMMU_VTD_S1_EAFE | IOMMU_VTD_S1_WPE)

struct vtd_nested {
	struct iommu_hwpt_vtd_s1 s1; /* as the user gave it */
	struct x86_s1_cfg walk;
	bool ptr_valid; /* FSPTPTR fits the guest physical width */
};

static int vtd_nested_translate(struct uio_domain *nested, uint32_t pasid,
				uint64_t iova, unsigned int need,
				struct uio_s1_result *res,
				struct uio_hw_fault *fault)
{
	const struct vtd_nested *vn = nested->model_priv;
	uint64_t addr = vn->walk.root;
	static const struct {
		int reason;
		uint32_t code;
	} map[] = {
		[X86_S1_NOT_CANONICAL] = { UIO_HW_FAULT_TRANSLATION,
					   VTD_FR_FS_NON_CANONICAL },
		[X86_S1_S2_FAULT] = { UIO_HW_FAULT_S2_WALK,
				      VTD_FR_FS_TABLE_ACCESS },
		[X86_S1_NOT_PRESENT] = { UIO_HW_FAULT_TRANSLATION,
					 VTD_FR_FS_NOT_PRESENT },
		[X86_S1_RESERVED] = { UIO_HW_FAULT_BAD_CONFIG,
				      VTD_FR_FS_RESERVED },
		[X86_S1_USER] = { UIO_HW_FAULT_PERMISSION, VTD_FR_FS_USER },
		[X86_S1_WRITE] = { UIO_HW_FAULT_PERMISSION, VTD_FR_SM_WRITE },
	};
	enum x86_s1_status st;

	(void)pasid; /* the domain is attached per PASID: one table */
	if (!vn->ptr_valid) {
		fault->reason = UIO_HW_FAULT_BAD_CONFIG;
		fault->addr = addr;
		fault->code = VTD_FR_FSPTPTR_INVALID;
		return -EFAULT;
	}
	st = x86_s1_walk(nested->parent, &vn->walk, iova, need, res, &addr);
	if (st == X86_S1_OK)
		return 0;
	fault->reason = map[st].reason;
	/* the walk faults name the entry, access faults the input address */
	fault->addr = map[st].reason == UIO_HW_FAULT_PERMISSION ||
				      st == X86_S1_NOT_PRESENT ||
				      st == X86_S1_NOT_CANONICAL ?
			      iova :
			      addr;
	fault->code = map[st].code;
	return -EFAULT;
}

/*
 * IOMMU_HWPT_INVALIDATE_DATA_VTD_S1: each entry is checked as the driver
 * checks it (unknown flags or reserved bits EOPNOTSUPP, a misaligned
 * address or no pages EINVAL; address 0 with U64_MAX pages is everything);
 * the entries handled before a bad one take effect, and entry_num says how
 * many that were. One flush covers them all, before the call returns.
 */
static int vtd_nested_cache_invalidate_user(struct uio_domain *nested,
					    struct uio_hw_user_array *arr)
{
	struct iommu_hwpt_vtd_s1_invalidate inv;
	uint32_t i;
	int ret = 0;

	for (i = 0; i < arr->entry_num; i++) {
		ret = uio_hw_user_array_get(
			arr, IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, i, &inv,
			sizeof(inv),
			offsetof(struct iommu_hwpt_vtd_s1_invalidate,
				 __reserved) + sizeof(inv.__reserved));
		if (ret)
			break;
		if ((inv.flags & ~IOMMU_VTD_INV_FLAGS_LEAF) || inv.__reserved) {
			ret = uio_fail(-EOPNOTSUPP,
				       "vtd: invalidation entry %u: flags 0x%x or reserved 0x%x unknown",
				       i, inv.flags, inv.__reserved);
			break;
		}
		if ((inv.addr & 0xfff) || !inv.npages) {
			ret = uio_fail(-EINVAL,
				       "vtd: invalidation entry %u: address 0x%llx not 4 KiB aligned or no pages",
				       i, (unsigned long long)inv.addr);
			break;
		}
	}
	if (i)
		uio_domain_iotlb_flush(nested);
	arr->entry_num = i;
	return ret;
}

static void vtd_nested_free(struct uio_domain *domain)
{
	uio_free(domain->model_priv);
}

static const struct uio_nested_ops vtd_nested_ops = {
	.translate = vtd_nested_translate,
	.cache_invalidate_user = vtd_nested_cache_invalidate_user,
};

struct uio_domain *vtd_domain_alloc_nested(const struct uio_hw_dev *dev,
					   struct uio_domain *parent,
					   const struct uio_hw_domain_req *req)
{
	/* FAULT_ID_VALID is the core's: a fault queue, not a table feature */
	const uint32_t allowed = IOMMU_HWPT_ALLOC_PASID |
				 IOMMU_HWPT_FAULT_ID_VALID;
	struct iommu_hwpt_vtd_s1 s1;
	struct uio_domain *domain;
	struct vtd_nested *vn;
	struct vtd_regs r;
	unsigned int pa_bits;
	int ret;

	if (req->data_type != IOMMU_HWPT_DATA_VTD_S1)
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"vtd: nested data type %u is not VTD_S1",
					req->data_type));
	vtd_regs(dev, &r);
	if (!(r.ecap & VTD_ECAP_SMTS) || !(r.ecap & VTD_ECAP_NEST) ||
	    (req->flags & ~allowed))
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"vtd: nesting unsupported or allocation flags 0x%x",
					req->flags & ~allowed));
	if (parent->model != &uio_hw_vtd || parent->kind != UIO_DOMAIN_PAGING ||
	    !(parent->flags & UIO_DOMAIN_NEST_PARENT) ||
	    pt_table_format(parent->pt) != &pt_fmt_vtd_ss)
		return ERR_PTR(uio_fail(-EINVAL,
					"vtd: the parent is not a second-stage NEST_PARENT domain of VT-d"));
	ret = uio_hw_copy_data(req, IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1),
			       offsetof(struct iommu_hwpt_vtd_s1, __reserved) +
				       sizeof(s1.__reserved));
	if (ret)
		return ERR_PTR(ret);
	if (s1.__reserved || (s1.flags & ~(uint64_t)VTD_S1_FLAGS))
		return ERR_PTR(uio_fail(-EINVAL,
					"vtd: stage-1 flags 0x%llx or reserved 0x%x unknown",
					(unsigned long long)s1.flags,
					s1.__reserved));
	if (s1.addr_width != 48 && s1.addr_width != 57)
		return ERR_PTR(uio_fail(-EINVAL,
					"vtd: stage-1 address width %u is neither 48 nor 57",
					s1.addr_width));
	if (s1.addr_width == 57 && !(r.cap & VTD_CAP_FS5LP))
		return ERR_PTR(uio_fail(-EINVAL,
					"vtd: a 5-level stage 1 on a unit without CAP.FS5LP"));
	if ((s1.flags & IOMMU_VTD_S1_SRE) && !(r.ecap & VTD_ECAP_SRS))
		return ERR_PTR(uio_fail(-EINVAL,
					"vtd: SRE on a unit without ECAP.SRS"));
	if ((s1.flags & IOMMU_VTD_S1_EAFE) && !(r.ecap & VTD_ECAP_EAFS))
		return ERR_PTR(uio_fail(-EINVAL,
					"vtd: EAFE on a unit without ECAP.EAFS"));

	vn = uio_zalloc(sizeof(*vn));
	if (!vn)
		return ERR_PTR(-ENOMEM);
	pa_bits = pt_table_va_lg2(parent->pt);
	vn->s1 = s1;
	vn->walk.root = s1.pgtbl_addr & PT_GENMASK(63, 12);
	vn->walk.levels = s1.addr_width == 57 ? 5 : 4;
	vn->walk.pa_bits = pa_bits;
	vn->walk.leaf_1g = r.cap & VTD_CAP_FS1GP;
	vn->ptr_valid = pa_bits >= 64 || !(vn->walk.root >> pa_bits);
	domain = uio_domain_alloc_nested(&uio_hw_vtd, parent, &vtd_nested_ops);
	if (IS_ERR(domain)) {
		uio_free(vn);
		return domain;
	}
	domain->alloc_flags = req->flags;
	domain->model_priv = vn;
	domain->model_free = vtd_nested_free;
	return domain;
}

int vtd_nested_attach_check(const struct uio_hw_dev *dev,
			    const struct uio_domain *domain)
{
	const struct vtd_nested *vn = domain->model_priv;
	struct vtd_regs r;

	vtd_regs(dev, &r);
	if (!(r.ecap & VTD_ECAP_NEST))
		return uio_fail(-EINVAL, "vtd: the device's unit cannot nest");
	if (vn->walk.levels == 5 && !(r.cap & VTD_CAP_FS5LP))
		return uio_fail(-EINVAL,
				"vtd: a 5-level stage 1 on a unit without CAP.FS5LP");
	return 0;
}
