/* SPDX-License-Identifier: MIT */
/*
 * Intel VT-d remapping unit, as a model.
 *
 * What is modelled: a scalable-mode unit of the Sapphire Rapids class, seen
 * through what iommufd shows of it. IOMMU_GET_HW_INFO returns its capability
 * and extended capability registers (struct iommu_hw_info_vtd); every
 * decision below is then read back from those two registers, the way the
 * kernel driver reads the hardware's, so the payload and the behaviour never
 * disagree:
 *  - Paging domains prefer the first stage (x86-64 paging, pt_fmt_x86_64) when
 *    the allocation asks for nothing but PASID use; nesting parents and dirty
 *    tracking need the second stage (pt_fmt_vtd_ss), which has the SSADS
 *    access/dirty bits and can sit under a guest's first stage. The second
 *    stage has as many levels as the widest AGAW that SAGAW offers and MGAW
 *    admits, and translates min(AGAW, MGAW) bits; the first stage has 4
 *    levels, or 5 with CAP.FS5LP, and translates 47 (56) bits, since x86-64
 *    paging sign-extends the top bit and the upper half is left unused. The
 *    first stage's input width is the paging mode's, not MGAW, which bounds
 *    second-stage input only (as the Linux driver sizes its first stage).
 *  - Allocation flags NEST_PARENT, DIRTY_TRACKING and PASID; unknown flags,
 *    any user data, nesting without ECAP.NEST and dirty tracking without
 *    SSADS (plus scalable mode and coherent walks) are EOPNOTSUPP.
 *  - The interrupt window 0xfee00000..0xfeefffff is reserved for every
 *    device: DMA writes there are interrupt requests, never memory.
 * Per device: a device flagged UIO_HW_DEV_NO_DIRTY sees a unit without SSADS;
 * one without ATS (PRI) sees ECAP.DT (ECAP.PRS) clear. The unit's address
 * width is the device's aw, one of the three real units have:
 *  - 39: SAGAW offers 3-level tables only, MGAW 39;
 *  - 48: SAGAW 4-level, MGAW 48 (the default);
 *  - 57: SAGAW 4- and 5-level, MGAW 57, CAP.FS5LP (5-level first stage); a
 *    unit that walks 5-level tables keeps the 4-level AGAW, so tables of
 *    4-level units still attach.
 * The rest is the unit's.
 *
 * Not modelled: legacy (non-scalable) mode, interrupt remapping and posting
 * (their capability bits are reported because MSI isolation depends on
 * them), the invalidation queue and its descriptors, fault recording
 * registers, the SPR errata: hw_info reports flags 0 where Linux always sets
 * IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17, because this unit does not refuse
 * read-only mappings in a nesting parent.
 */
#include <errno.h>
#include <string.h>

#include <linux/iommufd.h>

#include "hw/hw.h"
#include "hw/vtd.h"
#include "pt/pt.h"
#include "util/err.h"
#include "util/reason.h"

#define VTD_ALLOC_FLAGS                                              \
	(IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_DIRTY_TRACKING | \
	 IOMMU_HWPT_ALLOC_PASID)

/* the interrupt address window of x86: writes there are MSIs */
#define VTD_MSI_START 0xfee00000ULL
#define VTD_MSI_LAST 0xfeefffffULL

static unsigned int vtd_aw(const struct uio_hw_dev *dev)
{
	return dev->aw ? dev->aw : VTD_AW_DEFAULT;
}

/*
 * The widths a unit can have: MGAW is any width the unit likes, but the
 * second stage walks whole levels (SAGAW), and a unit whose MGAW falls
 * between two AGAWs is not one we model.
 */
static int vtd_aw_check(unsigned int aw)
{
	if (aw == 39 || aw == 48 || aw == 57)
		return 0;
	return uio_fail(-EINVAL,
			"vtd: address width %u is not a VT-d unit's (39: 3-level, 48: 4-level, 57: 5-level)",
			aw);
}

/* SAGAW for a unit of @aw bits: see the top of the file */
static uint64_t vtd_sagaw(unsigned int aw)
{
	switch (aw) {
	case 39:
		return VTD_CAP_SAGAW_3LVL;
	case 57:
		return VTD_CAP_SAGAW_4LVL | VTD_CAP_SAGAW_5LVL;
	default:
		return VTD_CAP_SAGAW_4LVL;
	}
}

/* The registers @dev sees: the unit's, less what the device's flags deny. */
void vtd_regs(const struct uio_hw_dev *dev, struct vtd_regs *r)
{
	unsigned int aw = vtd_aw(dev);

	r->cap =
		/* 16-bit domain ids (ND = 6: 2^(4 + 2*6) = 65536 domains) */
		VTD_CAP_ND(6) |
		/* second stage: the AGAWs (table depths) of this width */
		vtd_sagaw(aw) |
		/* maximum guest address width: the unit's width */
		VTD_FIELD(aw - 1, VTD_CAP_MGAW_SHIFT) |
		/* zero-length DMA reads are honoured */
		VTD_CAP_ZLR |
		/* fault recording registers at MMIO offset 0x400 */
		VTD_CAP_FRO(0x40) |
		/* second stage superpages: 2 MiB (bit 0) and 1 GiB (bit 1) */
		VTD_FIELD(0x3, VTD_CAP_SLLPS_SHIFT) |
		/* page-selective IOTLB invalidation */
		VTD_CAP_PSI |
		/* eight fault recording registers */
		VTD_CAP_NFR(8) |
		/* invalidation address mask up to 2^18 pages (1 GiB) */
		VTD_CAP_MAMV(18) |
		/* write and read draining on invalidation */
		VTD_CAP_DWD | VTD_CAP_DRD |
		/* first stage 1 GiB pages (2 MiB ones are architectural) */
		VTD_CAP_FS1GP;
	/* first stage 5-level paging on a 57-bit unit; else 4-level only */
	if (aw == 57)
		r->cap |= VTD_CAP_FS5LP;

	r->ecap =
		/* page walks snoop the CPU caches (legacy-mode coherency) */
		VTD_ECAP_C |
		/* queued invalidation (required by scalable mode) */
		VTD_ECAP_QI |
		/*
		 * interrupt remapping with x2APIC ids, and the handle mask
		 * for its cache invalidation: reported because MSI isolation
		 * depends on it; interrupts are not modelled
		 */
		VTD_ECAP_IR | VTD_ECAP_EIM | VTD_ECAP_MHMV(0xf) |
		/* snoop control: domains can force coherent DMA */
		VTD_ECAP_SC |
		/* IOTLB registers at MMIO offset 0x500 */
		VTD_ECAP_IRO(0x50) |
		/* nested translation: first stage over a second stage */
		VTD_ECAP_NEST |
		/* supervisor (privileged) requests with PASID */
		VTD_ECAP_SRS |
		/* extended accessed flag in first-stage entries */
		VTD_ECAP_EAFS |
		/* 20-bit PASIDs */
		VTD_ECAP_PSS(20) | VTD_ECAP_PASID |
		/* scalable mode translation */
		VTD_ECAP_SMTS |
		/* second stage and first stage translation */
		VTD_ECAP_SSTS | VTD_ECAP_FSTS |
		/* scalable-mode page walks are coherent */
		VTD_ECAP_SMPWC;
	/* second stage accessed/dirty bits: dirty tracking */
	if (!(dev->flags & UIO_HW_DEV_NO_DIRTY))
		r->ecap |= VTD_ECAP_SSADS;
	/* device TLB (ATS) */
	if (dev->flags & UIO_HW_DEV_ATS)
		r->ecap |= VTD_ECAP_DT;
	/* page requests (PRI) */
	if (dev->flags & UIO_HW_DEV_PRI)
		r->ecap |= VTD_ECAP_PRS;
}

/* ---- what the registers mean ---- */

static bool vtd_scalable(const struct vtd_regs *r)
{
	return r->ecap & VTD_ECAP_SMTS;
}

/* second stage dirty tracking: SSADS, and coherent walks for the D bits */
static bool vtd_ssads(const struct vtd_regs *r)
{
	return vtd_scalable(r) && (r->ecap & VTD_ECAP_SSADS) &&
	       (r->ecap & VTD_ECAP_SMPWC);
}

static bool vtd_nesting(const struct vtd_regs *r)
{
	return vtd_scalable(r) && (r->ecap & VTD_ECAP_NEST);
}

static bool vtd_first_stage(const struct vtd_regs *r)
{
	return vtd_scalable(r) && (r->ecap & VTD_ECAP_FSTS);
}

static bool vtd_second_stage(const struct vtd_regs *r)
{
	/* legacy mode always has a second stage */
	return !vtd_scalable(r) || (r->ecap & VTD_ECAP_SSTS);
}

static bool vtd_pasid(const struct vtd_regs *r)
{
	return vtd_scalable(r) && (r->ecap & VTD_ECAP_PASID);
}

static unsigned int vtd_mgaw(const struct vtd_regs *r)
{
	return VTD_GET(r->cap, VTD_CAP_MGAW_SHIFT, 6) + 1;
}

/* levels of a first-stage table */
static unsigned int vtd_fs_levels(const struct vtd_regs *r)
{
	return (r->cap & VTD_CAP_FS5LP) ? 5 : 4;
}

/*
 * Levels of a second-stage table: the widest SAGAW the unit has and its
 * MGAW allows (SAGAW bit n: n + 2 levels, 30 + 9n bits). 0 if none.
 */
static unsigned int vtd_ss_levels(const struct vtd_regs *r)
{
	unsigned int sagaw = VTD_GET(r->cap, VTD_CAP_SAGAW_SHIFT, 5);
	int n;

	for (n = 3; n >= 1; n--)
		if ((sagaw & (1u << n)) && 30 + 9 * n <= vtd_mgaw(r))
			return n + 2;
	return 0;
}

static uint64_t vtd_fs_pgsizes(const struct vtd_regs *r)
{
	uint64_t sizes = PT_BIT(12) | PT_BIT(21);

	if (r->cap & VTD_CAP_FS1GP)
		sizes |= PT_BIT(30);
	return sizes;
}

static uint64_t vtd_ss_pgsizes(const struct vtd_regs *r)
{
	unsigned int sllps = VTD_GET(r->cap, VTD_CAP_SLLPS_SHIFT, 4);
	uint64_t sizes = PT_BIT(12);

	if (sllps & 1)
		sizes |= PT_BIT(21);
	if (sllps & 2)
		sizes |= PT_BIT(30);
	return sizes;
}

/* ---- model ops ---- */

static uint32_t vtd_hw_info(const struct uio_hw_dev *dev, void *buf,
			    uint32_t len)
{
	struct iommu_hw_info_vtd info = { .flags = 0 };
	struct vtd_regs r;

	vtd_regs(dev, &r);
	info.cap_reg = r.cap;
	info.ecap_reg = r.ecap;
	memcpy(buf, &info, len < sizeof(info) ? len : sizeof(info));
	return sizeof(info);
}

static uint64_t vtd_capabilities(const struct uio_hw_dev *dev)
{
	struct vtd_regs r;
	uint64_t caps = 0;

	vtd_regs(dev, &r);
	if (vtd_ssads(&r))
		caps |= IOMMU_HW_CAP_DIRTY_TRACKING;
	/* ATS needs the unit's device-TLB support and the device's ATS */
	if (!(r.ecap & VTD_ECAP_DT) || !(dev->flags & UIO_HW_DEV_ATS))
		caps |= IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED;
	/*
	 * The driver enables PASID with every feature the device's PASID
	 * capability offers; an emulated PASID device offers execute and
	 * privileged requests.
	 */
	if (vtd_pasid(&r) && (dev->flags & UIO_HW_DEV_PASID) && dev->pasid_bits)
		caps |= IOMMU_HW_CAP_PCI_PASID_EXEC |
			IOMMU_HW_CAP_PCI_PASID_PRIV;
	return caps;
}

static struct uio_domain *vtd_domain_new(const struct uio_hw_dev *dev,
					 uint32_t flags,
					 const struct pt_format *fmt,
					 unsigned int levels, uint64_t pgsizes,
					 uint64_t aperture_last)
{
	struct uio_domain *domain;

	domain = uio_domain_alloc(&uio_hw_vtd, fmt, levels, 0);
	if (IS_ERR(domain))
		return domain;
	domain->instance = dev->instance;
	domain->alloc_flags = flags;
	domain->pgsize_bitmap &= pgsizes;
	domain->leaf_pgsize_bitmap = domain->pgsize_bitmap;
	domain->aperture_start = 0;
	domain->aperture_last = aperture_last;
	/* snoop control: SNP in second-stage leaves, PGSNP for the first */
	domain->flags |= UIO_DOMAIN_COHERENT;
	if (flags & IOMMU_HWPT_ALLOC_NEST_PARENT)
		domain->flags |= UIO_DOMAIN_NEST_PARENT;
	if (flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING)
		domain->flags |= UIO_DOMAIN_DIRTY_CAPABLE;
	return domain;
}

static struct uio_domain *
vtd_domain_alloc_paging(const struct uio_hw_dev *dev,
			const struct uio_hw_domain_req *req)
{
	uint32_t flags = req->flags;
	unsigned int levels, width;
	struct vtd_regs r;

	if (flags & ~VTD_ALLOC_FLAGS)
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"vtd: allocation flags 0x%x unknown",
					flags & ~VTD_ALLOC_FLAGS));
	if (req->data_type != IOMMU_HWPT_DATA_NONE || req->data ||
	    req->data_len)
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"vtd: a paging domain takes no data (type %u)",
					req->data_type));
	vtd_regs(dev, &r);

	/* the first stage serves anything that only asks for PASID use */
	if (!(flags & ~IOMMU_HWPT_ALLOC_PASID) && vtd_first_stage(&r)) {
		levels = vtd_fs_levels(&r);
		width = levels == 5 ? 57 : 48;
		/* canonical addresses: the upper half stays unused */
		return vtd_domain_new(dev, flags, &pt_fmt_x86_64, levels,
				      vtd_fs_pgsizes(&r),
				      (1ULL << (width - 1)) - 1);
	}

	if ((flags & IOMMU_HWPT_ALLOC_NEST_PARENT) && !vtd_nesting(&r))
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"vtd: the unit cannot nest (ECAP.NEST clear)"));
	if ((flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) && !vtd_ssads(&r))
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"vtd: the unit has no second-stage dirty bits (ECAP.SSADS clear)"));
	levels = vtd_ss_levels(&r);
	if (!vtd_second_stage(&r) || !levels)
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"vtd: the unit has no usable second stage"));
	/* the AGAW's width, cut to MGAW: inputs above MGAW fault */
	width = 30 + 9 * (levels - 2);
	if (width > vtd_mgaw(&r))
		width = vtd_mgaw(&r);
	return vtd_domain_new(dev, flags, &pt_fmt_vtd_ss, levels,
			      vtd_ss_pgsizes(&r),
			      width >= 64 ? UINT64_MAX : (1ULL << width) - 1);
}

static unsigned int vtd_reserved_regions(const struct uio_hw_dev *dev,
					 struct uio_iova_range *out,
					 unsigned int max)
{
	if (max >= 1) {
		out[0].start = VTD_MSI_START;
		out[0].last = VTD_MSI_LAST;
	}
	return 1;
}

/*
 * The unit refuses a domain it could not walk: one of another model or
 * unit, a dirty-tracking one without SSADS, a stage it lacks, or a table
 * deeper or wider than its address width. (The kernel also compares
 * coherency and superpage support; every unit here has the same.)
 */
static int vtd_attach_check(const struct uio_hw_dev *dev,
			    const struct uio_domain *domain)
{
	const struct pt_format *fmt;
	unsigned int levels;
	struct vtd_regs r;
	int ret;

	/* a nested domain: its own rules, then its parent's */
	if (domain->kind == UIO_DOMAIN_NESTED) {
		ret = vtd_nested_attach_check(dev, domain);
		if (ret)
			return ret;
		domain = domain->parent;
	}
	vtd_regs(dev, &r);
	fmt = pt_table_format(domain->pt);
	levels = pt_table_levels(domain->pt);
	if (fmt == &pt_fmt_x86_64) {
		if (!vtd_first_stage(&r) || levels > vtd_fs_levels(&r))
			return uio_fail(-EINVAL,
					"vtd: a %u-level first-stage table does not fit the unit",
					levels);
		return 0;
	}
	if (!vtd_second_stage(&r) || levels > vtd_ss_levels(&r) ||
	    pt_table_va_lg2(domain->pt) > vtd_mgaw(&r))
		return uio_fail(-EINVAL,
				"vtd: a %u-level second-stage table exceeds the unit's %u-bit MGAW",
				levels, vtd_mgaw(&r));
	return 0;
}

const struct uio_hw_model uio_hw_vtd = {
	.name = "vtd",
	.hw_info_type = IOMMU_HW_INFO_TYPE_INTEL_VTD,
	.hw_info = vtd_hw_info,
	.capabilities = vtd_capabilities,
	.aw_check = vtd_aw_check,
	.domain_alloc_paging = vtd_domain_alloc_paging,
	.reserved_regions = vtd_reserved_regions,
	.attach_check = vtd_attach_check,
	.domain_alloc_nested = vtd_domain_alloc_nested,
};
