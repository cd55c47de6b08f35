/* SPDX-License-Identifier: MIT */
/*
 * AMD IOMMU (AMD-Vi), as a model.
 *
 * What is modelled: an AMD IOMMU of the EPYC class, seen through what
 * iommufd shows of it. IOMMU_GET_HW_INFO returns its Extended Feature
 * registers EFR and EFR2 (struct iommu_hw_info_amd); the behaviour below is
 * read back from them as the kernel driver reads the hardware's:
 *  - Host (v1) page tables, pt_fmt_amdv1, with as many levels as HATS
 *    allows: 4 levels (48 bits of IOVA), or 5 (57 bits) on a 57-bit unit.
 *    They serve the default domain, dirty tracking (HDSup: the D bit of v1
 *    leaves) and nesting parents (GT, GIOSup and GCR3TRPMode let a guest's
 *    CR3 table sit above them). The domain advertises every power of two
 *    from 4 KiB below 2^width but 512 GiB, as the driver does; the table is
 *    written with 4 KiB, 2 MiB and 1 GiB leaves.
 *  - A domain for PASID use (IOMMU_HWPT_ALLOC_PASID alone) is a guest (v2)
 *    table: x86-64 paging (pt_fmt_x86_64), 4 levels, or 5 when GATS says
 *    so, with 47 (56) bits of IOVA so that it works with and without sign
 *    extension.
 *  - Accepted flag sets: none, DIRTY_TRACKING, NEST_PARENT, both of these, and
 *    PASID alone; anything else, and any user data, is EOPNOTSUPP.
 *  - Reserved for every device: the interrupt window 0xfee00000..0xfeefffff
 *    and the HyperTransport range 0xfd_0000_0000..0xff_ffff_ffff (EFR2 does
 *    not set HTRangeIgnore).
 * Per device: the unit's address width is the device's aw: 48 (the default:
 * HATS and GATS 4 levels) or 57 (HATS and GATS 5 levels). HATS could also
 * say 6 levels (64 bits), but GATS stops at 5 and the model keeps the two
 * together: other widths are refused. Attaching checks a domain's tables
 * against the device's HATS and GATS, since a DTE cannot point a unit at a
 * deeper table than it walks. A UIO_HW_DEV_NO_DIRTY device sees EFR.HDSup
 * clear. ATS and PRI are not per-device in these registers (EFR has no ATS
 * bit, and PPRSup also gates PASID domains), so they stay the unit's; a
 * device without ATS is told so by IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED.
 *
 * The driver enables PCI PASID without execute or privileged requests, so
 * IOMMU_HW_CAP_PCI_PASID_EXEC/PRIV are never reported.
 *
 * Not modelled: the command buffer, event and PPR logs, interrupt remapping
 * and AVIC, SNP, unity-map (IVMD) ranges.
 */
#include <errno.h>
#include <string.h>

#include <linux/iommufd.h>

#include "hw/amd.h"
#include "hw/hw.h"
#include "pt/pt.h"
#include "util/err.h"
#include "util/reason.h"

#define AMD_BIT(n) (1ULL << (n))
#define AMD_FIELD(v, shift) ((uint64_t)(v) << (shift))
#define AMD_GET(reg, shift, width) \
	(((reg) >> (shift)) & ((1ULL << (width)) - 1))

/* Extended Feature Register, MMIO 0x30 (AMD IOMMU spec 48882, 3.4) */
#define EFR_PPRSUP AMD_BIT(1)
#define EFR_GTSUP AMD_BIT(4)
#define EFR_HATS_SHIFT 10       /* 11:10, levels - 4 */
#define EFR_GATS_SHIFT 12       /* 13:12, 0: 4 levels, 1: 5 levels */
#define EFR_GLX_SHIFT 14        /* 15:14, GCR3 table levels - 1 */
#define EFR_PASMAX_SHIFT 32     /* 36:32, PASID bits - 1 */
#define EFR_GIOSUP AMD_BIT(48)
#define EFR_HASUP AMD_BIT(49)
#define EFR_HDSUP AMD_BIT(52)

/* Extended Feature 2 Register, MMIO 0x1a0 */
#define EFR2_GCR3TRPMODE AMD_BIT(3)
#define EFR2_HT_RANGE_IGNORE AMD_BIT(11)

#define AMD_ALLOC_FLAGS                                              \
	(IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_DIRTY_TRACKING | \
	 IOMMU_HWPT_ALLOC_PASID)

#define AMD_MSI_START 0xfee00000ULL
#define AMD_MSI_LAST 0xfeefffffULL
#define AMD_HT_START 0xfd00000000ULL
#define AMD_HT_LAST 0xffffffffffULL

/* 512 GiB pages are left out by the driver (a hardware erratum) */
#define AMD_NO_PGSIZE PT_BIT(39)

#define AMD_AW_DEFAULT 48

static int amd_aw_check(unsigned int aw)
{
	if (aw == 48 || aw == 57)
		return 0;
	return uio_fail(-EINVAL,
			"amd: address width %u is not an AMD IOMMU's (48: HATS/GATS 4 levels, 57: 5 levels)",
			aw);
}

/* The feature registers @dev sees: the unit's, less what its flags deny. */
void amd_regs(const struct uio_hw_dev *dev, struct iommu_hw_info_amd *r)
{
	/* HATS and GATS: 0 for 4 levels, 1 for 5 (a 57-bit unit) */
	unsigned int levels_field =
		(dev->aw ? dev->aw : AMD_AW_DEFAULT) == 57 ? 1 : 0;

	r->efr =
		/* peripheral page requests (PPR log) */
		EFR_PPRSUP |
		/* guest translation: v2 tables per PASID */
		EFR_GTSUP |
		/* host tables up to 4 (HATS = 0) or 5 (HATS = 1) levels */
		AMD_FIELD(levels_field, EFR_HATS_SHIFT) |
		/* guest tables up to 4 (GATS = 0) or 5 (GATS = 1) levels */
		AMD_FIELD(levels_field, EFR_GATS_SHIFT) |
		/* GCR3 tables up to 2 levels (GLX = 1), enough for 16 bits */
		AMD_FIELD(1, EFR_GLX_SHIFT) |
		/* 16-bit PASIDs (PASmax = 15) */
		AMD_FIELD(15, EFR_PASMAX_SHIFT) |
		/* guest I/O protection: guest tables over host tables */
		EFR_GIOSUP |
		/* host access bit updates */
		EFR_HASUP;
	/* host dirty bit updates: dirty tracking */
	if (!(dev->flags & UIO_HW_DEV_NO_DIRTY))
		r->efr |= EFR_HDSUP;

	/* guest CR3 root pointer taken as a GPA: nesting under a v1 table */
	r->efr2 = EFR2_GCR3TRPMODE;
	/* HTRangeIgnore clear: the HyperTransport range is not translated */
}

/* ---- what the registers mean ---- */

static bool amd_hd(const struct iommu_hw_info_amd *r)
{
	return r->efr & EFR_HDSUP;
}

bool amd_nest_parent(const struct iommu_hw_info_amd *r)
{
	return (r->efr & EFR_GTSUP) && (r->efr & EFR_GIOSUP) &&
	       (r->efr2 & EFR2_GCR3TRPMODE);
}

/* v2 (guest) tables for PASID: GT and PPR */
static bool amd_pasid(const struct iommu_hw_info_amd *r)
{
	return (r->efr & EFR_GTSUP) && (r->efr & EFR_PPRSUP);
}

static unsigned int amd_host_levels(const struct iommu_hw_info_amd *r)
{
	return AMD_GET(r->efr, EFR_HATS_SHIFT, 2) + 4;
}

unsigned int amd_guest_levels(const struct iommu_hw_info_amd *r)
{
	return AMD_GET(r->efr, EFR_GATS_SHIFT, 2) ? 5 : 4;
}

unsigned int amd_glx_max(const struct iommu_hw_info_amd *r)
{
	return AMD_GET(r->efr, EFR_GLX_SHIFT, 2);
}

/* ---- model ops ---- */

static uint32_t amd_hw_info(const struct uio_hw_dev *dev, void *buf,
			    uint32_t len)
{
	struct iommu_hw_info_amd info;

	amd_regs(dev, &info);
	memcpy(buf, &info, len < sizeof(info) ? len : sizeof(info));
	return sizeof(info);
}

static uint64_t amd_capabilities(const struct uio_hw_dev *dev)
{
	struct iommu_hw_info_amd r;
	uint64_t caps = 0;

	amd_regs(dev, &r);
	if (amd_hd(&r))
		caps |= IOMMU_HW_CAP_DIRTY_TRACKING;
	/* the unit has IOTLB support; whether ATS works is the device's */
	if (!(dev->flags & UIO_HW_DEV_ATS))
		caps |= IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED;
	return caps;
}

static struct uio_domain *amd_domain_new(const struct uio_hw_dev *dev,
					 uint32_t flags,
					 const struct pt_format *fmt,
					 unsigned int levels,
					 unsigned int va_bits)
{
	struct uio_domain *domain;

	domain = uio_domain_alloc(&uio_hw_amd, fmt, levels, 0);
	if (IS_ERR(domain))
		return domain;
	domain->instance = dev->instance;
	domain->alloc_flags = flags;
	domain->aperture_start = 0;
	domain->aperture_last =
		va_bits >= 64 ? UINT64_MAX : (1ULL << va_bits) - 1;
	if (fmt == &pt_fmt_amdv1) {
		/* any power of two the table can replicate, but 512 GiB */
		domain->pgsize_bitmap = ~(PT_BIT(12) - 1) & ~AMD_NO_PGSIZE;
		if (va_bits < 64)
			domain->pgsize_bitmap &= PT_BIT(va_bits) - 1;
		domain->leaf_pgsize_bitmap &= ~AMD_NO_PGSIZE;
	}
	/* v1 leaves force coherency (FC); v2 domains claim it as Linux does */
	domain->flags |= UIO_DOMAIN_COHERENT;
	if (flags & IOMMU_HWPT_ALLOC_NEST_PARENT)
		domain->flags |= UIO_DOMAIN_NEST_PARENT;
	if (flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING)
		domain->flags |= UIO_DOMAIN_DIRTY_CAPABLE;
	return domain;
}

static struct uio_domain *amd_domain_v1(const struct uio_hw_dev *dev,
					const struct iommu_hw_info_amd *r,
					uint32_t flags)
{
	unsigned int levels = amd_host_levels(r);
	unsigned int va_bits = (levels - 1) * 9 + 21;

	return amd_domain_new(dev, flags, &pt_fmt_amdv1, levels,
			      va_bits > 64 ? 64 : va_bits);
}

static struct uio_domain *amd_domain_v2(const struct uio_hw_dev *dev,
					const struct iommu_hw_info_amd *r,
					uint32_t flags)
{
	unsigned int levels = amd_guest_levels(r);

	/* the top bit stays unused: no sign extension needed on any PASID */
	return amd_domain_new(dev, flags, &pt_fmt_x86_64, levels,
			      levels == 5 ? 56 : 47);
}

static struct uio_domain *
amd_domain_alloc_paging(const struct uio_hw_dev *dev,
			const struct uio_hw_domain_req *req)
{
	uint32_t flags = req->flags;
	struct iommu_hw_info_amd r;

	if (flags & ~AMD_ALLOC_FLAGS)
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"amd: allocation flags 0x%x unknown",
					flags & ~AMD_ALLOC_FLAGS));
	if (req->data_type != IOMMU_HWPT_DATA_NONE || req->data ||
	    req->data_len)
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"amd: a paging domain takes no data (type %u)",
					req->data_type));
	amd_regs(dev, &r);

	switch (flags) {
	case 0:
		return amd_domain_v1(dev, &r, flags);
	case IOMMU_HWPT_ALLOC_DIRTY_TRACKING:
	case IOMMU_HWPT_ALLOC_NEST_PARENT:
	case IOMMU_HWPT_ALLOC_DIRTY_TRACKING | IOMMU_HWPT_ALLOC_NEST_PARENT:
		if ((flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) && !amd_hd(&r))
			return ERR_PTR(uio_fail(-EOPNOTSUPP,
						"amd: no host dirty bit updates (EFR.HDSup clear)"));
		if ((flags & IOMMU_HWPT_ALLOC_NEST_PARENT) &&
		    !amd_nest_parent(&r))
			return ERR_PTR(uio_fail(-EOPNOTSUPP,
						"amd: the unit cannot nest (GT, GIOSup, GCR3TRPMode)"));
		return amd_domain_v1(dev, &r, flags);
	case IOMMU_HWPT_ALLOC_PASID:
		if (!amd_pasid(&r))
			return ERR_PTR(uio_fail(-EOPNOTSUPP,
						"amd: no guest tables for PASID use"));
		return amd_domain_v2(dev, &r, flags);
	default:
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"amd: allocation flags 0x%x cannot be combined",
					flags));
	}
}

/*
 * The unit walks host tables of at most HATS levels and guest tables of at
 * most GATS levels: a domain made for a wider device of the same unit does
 * not fit. A nested domain is checked for its guest paging mode (the gDTE's,
 * amd_nested.c) and its host parent.
 */
static int amd_attach_check(const struct uio_hw_dev *dev,
			    const struct uio_domain *domain)
{
	struct iommu_hw_info_amd r;
	unsigned int levels;
	int ret;

	amd_regs(dev, &r);
	if (domain->kind == UIO_DOMAIN_NESTED) {
		ret = amd_nested_attach_check(&r, domain);
		if (ret)
			return ret;
		domain = domain->parent;
	}
	levels = pt_table_levels(domain->pt);
	if (pt_table_format(domain->pt) == &pt_fmt_amdv1) {
		if (levels > amd_host_levels(&r))
			return uio_fail(-EINVAL,
					"amd: a %u-level host table on a unit of %u (EFR.HATS)",
					levels, amd_host_levels(&r));
	} else if (levels > amd_guest_levels(&r)) {
		return uio_fail(-EINVAL,
				"amd: a %u-level guest table on a unit of %u (EFR.GATS)",
				levels, amd_guest_levels(&r));
	}
	return 0;
}

static unsigned int amd_reserved_regions(const struct uio_hw_dev *dev,
					 struct uio_iova_range *out,
					 unsigned int max)
{
	struct iommu_hw_info_amd r;
	unsigned int n = 0;

	if (n < max) {
		out[n].start = AMD_MSI_START;
		out[n].last = AMD_MSI_LAST;
	}
	n++;
	amd_regs(dev, &r);
	if (!(r.efr2 & EFR2_HT_RANGE_IGNORE)) {
		if (n < max) {
			out[n].start = AMD_HT_START;
			out[n].last = AMD_HT_LAST;
		}
		n++;
	}
	return n;
}

const struct uio_hw_model uio_hw_amd = {
	.name = "amd",
	.hw_info_type = IOMMU_HW_INFO_TYPE_AMD,
	.hw_info = amd_hw_info,
	.capabilities = amd_capabilities,
	.aw_check = amd_aw_check,
	.domain_alloc_paging = amd_domain_alloc_paging,
	.reserved_regions = amd_reserved_regions,
	.attach_check = amd_attach_check,
	.viommu_alloc = amd_viommu_alloc,
};
