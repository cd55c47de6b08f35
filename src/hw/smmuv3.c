/* SPDX-License-Identifier: MIT */
/*
 * Arm SMMUv3, as a model.
 *
 * What is modelled: an SMMUv3.1 implementation of the Arm MMU-600 class
 * (IIDR names MMU-600 r2p0, a revision without the early nesting erratum),
 * seen through what iommufd shows of it. IOMMU_GET_HW_INFO returns its ID
 * registers (struct iommu_hw_info_arm_smmuv3); the behaviour below is read
 * back from them as the kernel driver reads the hardware's:
 *  - 2-level stream tables, 2-level context-descriptor tables, stage 1 and
 *    stage 2, AArch64 tables with the 4 KiB granule only (the engine has no
 *    16K/64K formats), 48-bit virtual addresses (IDR5.VAX = 0), a 48-bit
 *    output address size (IDR5.OAS) unless the device asks for another,
 *    16-bit ASIDs and VMIDs, 16-bit stream ids and 20-bit substream ids
 *    (PASIDs).
 *  - Address sizes. With AArch64 tables only (IDR0.TTF), the input size of
 *    stage 2 (IAS) equals OAS. A stage-1 domain takes 48-bit inputs (VAX)
 *    whatever OAS says: OAS bounds its output, and our outputs are host
 *    addresses, which no width check applies to. A stage-2 domain takes IAS
 *    bits: 3 levels for an IAS up to 39 (walks start at level 1), 4 beyond
 *    (start at level 0). For an IAS of 40 or 42 the architecture allows
 *    either a level-0 start with a root of 2 or 8 entries or a level-1
 *    start with that many level-1 tables concatenated; Linux's io-pgtable
 *    concatenates to save a walk step, the engine's roots are one page, so
 *    we start at level 0: the same IOVAs translate, the same ones fault.
 *  - Paging domains: stage 1 (pt_fmt_arm_lpae_s1) unless the allocation asks
 *    for a nesting parent, which is stage 2 (pt_fmt_arm_lpae_s2), sized as
 *    above. Exactly the driver's flag combinations are
 *    accepted: none, NEST_PARENT, DIRTY_TRACKING, PASID and DIRTY_TRACKING
 *    | PASID; anything else, and any user data, is EOPNOTSUPP.
 *  - Dirty tracking is HTTU: stage-1 leaves carry DBM and start writable-
 *    clean, hardware clears AP[2] on the first write (PT_ALLOC_DIRTY_TRACKING).
 *    It needs IDR0.HTTU = access+dirty and coherent table walks (COHACC).
 *  - The software MSI window 0x8000000..0x80fffff is reserved for every
 *    device: Linux maps the GIC ITS doorbell there for device MSIs.
 * Per device: a UIO_HW_DEV_NO_DIRTY device sees HTTU = access flag only; a
 * device without ATS (PRI) sees IDR0.ATS (IDR0.PRI) clear. The device's aw
 * is the SMMU's OAS, one that IDR5.OAS encodes: 32, 36, 40, 42, 44 or 48
 * bits; 52 needs the 52-bit descriptor layout (or the 64K granule), which
 * the engine lacks, and other widths cannot be reported: both are refused.
 * Attaching checks a stage-2 domain against the device's IAS, since an STE
 * cannot give a stage-2 table more input bits than the SMMU has.
 *
 * Not modelled: command, event and PRI queues (the queue sizes are
 * reported), stalls (STALL_MODEL says none), MSIs of the SMMU itself,
 * secure state, VATOS, broadcast TLB maintenance, the 16K/64K granules,
 * 52-bit addresses, and address size faults on the host's own tables.
 */
#include <errno.h>
#include <string.h>

#include <linux/iommufd.h>

#include "hw/hw.h"
#include "hw/smmuv3.h"
#include "pt/pt.h"
#include "util/err.h"
#include "util/reason.h"

#define SMMU_BIT(n) (1u << (n))
#define SMMU_FIELD(v, shift) ((uint32_t)(v) << (shift))
#define SMMU_GET(reg, shift, width) (((reg) >> (shift)) & ((1u << (width)) - 1))

/* SMMU_IDR0 (IHI0070 6.3.1) */
#define IDR0_S2P SMMU_BIT(0)
#define IDR0_S1P SMMU_BIT(1)
#define IDR0_TTF_AARCH64 SMMU_FIELD(2, 2)       /* 3:2 */
#define IDR0_COHACC SMMU_BIT(4)
#define IDR0_HTTU_SHIFT 6                       /* 7:6 */
#define IDR0_HTTU_ACCESS 1
#define IDR0_HTTU_ACCESS_DIRTY 2
#define IDR0_ATS SMMU_BIT(10)
#define IDR0_ASID16 SMMU_BIT(12)
#define IDR0_PRI SMMU_BIT(16)
#define IDR0_VMID16 SMMU_BIT(18)
#define IDR0_CD2L SMMU_BIT(19)
#define IDR0_TTENDIAN_LE SMMU_FIELD(2, 21)      /* 22:21 */
#define IDR0_STALL_MODEL_NONE SMMU_FIELD(1, 24) /* 25:24 */
#define IDR0_TERM_MODEL SMMU_BIT(26)
#define IDR0_ST_LEVEL_2LVL SMMU_FIELD(1, 27)    /* 28:27 */

/* SMMU_IDR1 */
#define IDR1_SIDSIZE(bits) SMMU_FIELD(bits, 0)  /* 5:0 */
#define IDR1_SSIDSIZE(bits) SMMU_FIELD(bits, 6) /* 10:6 */
#define IDR1_PRIQS(lg2) SMMU_FIELD(lg2, 11)     /* 15:11 */
#define IDR1_EVTQS(lg2) SMMU_FIELD(lg2, 16)     /* 20:16 */
#define IDR1_CMDQS(lg2) SMMU_FIELD(lg2, 21)     /* 25:21 */

/* SMMU_IDR5 */
#define IDR5_OAS_SHIFT 0                        /* 2:0, see smmu_oas_bits */
#define IDR5_GRAN4K SMMU_BIT(4)
#define IDR5_VAX_SHIFT 10                       /* 11:10, 0: 48-bit VA */

/* SMMU_IIDR: ProductID 31:20, Variant 19:16, Revision 15:12, Implementer */
#define IIDR(product, variant, revision, implementer)                 \
	(SMMU_FIELD(product, 20) | SMMU_FIELD(variant, 16) |          \
	 SMMU_FIELD(revision, 12) | SMMU_FIELD(implementer, 0))
#define IIDR_IMPLEMENTER_ARM 0x43b
#define IIDR_PRODUCT_MMU600 0x483

/* SMMU_AIDR: ArchMajorRev 7:4 (0 = SMMUv3), ArchMinorRev 3:0 */
#define AIDR_SMMUV3_1 0x01

#define SMMU_ALLOC_FLAGS                                             \
	(IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_DIRTY_TRACKING | \
	 IOMMU_HWPT_ALLOC_PASID)

/* Linux's software MSI window (MSI_IOVA_BASE, MSI_IOVA_LENGTH) */
#define SMMU_MSI_START 0x8000000ULL
#define SMMU_MSI_LAST (0x8000000ULL + 0x100000ULL - 1)

/* IDR5.OAS n means smmu_oas_bits[n] bits; 0b111 is reserved */
static const unsigned char smmu_oas_bits[] = { 32, 36, 40, 42, 44, 48, 52 };
#define SMMU_OAS_MAX_SERVED 48 /* 52 needs LPA descriptors: not modelled */
#define SMMU_AW_DEFAULT 48
#define SMMU_VA_BITS 48        /* IDR5.VAX = 0 */

/* IDR5.OAS for @bits, or -1 if OAS cannot say it */
static int smmu_oas_field(unsigned int bits)
{
	unsigned int i;

	for (i = 0; i < sizeof(smmu_oas_bits); i++)
		if (smmu_oas_bits[i] == bits)
			return (int)i;
	return -1;
}

static int smmu_aw_check(unsigned int aw)
{
	if (aw > SMMU_OAS_MAX_SERVED || smmu_oas_field(aw) < 0)
		return uio_fail(-EINVAL,
				"smmuv3: address width %u is not an output size SMMU_IDR5.OAS encodes (32, 36, 40, 42, 44, 48; 52 needs the 52-bit table format, not modelled)",
				aw);
	return 0;
}

/* The ID registers @dev sees: the unit's, less what its flags deny. */
void smmu_regs(const struct uio_hw_dev *dev,
	       struct iommu_hw_info_arm_smmuv3 *info)
{
	unsigned int httu = (dev->flags & UIO_HW_DEV_NO_DIRTY) ?
				    IDR0_HTTU_ACCESS :
				    IDR0_HTTU_ACCESS_DIRTY;
	int oas = smmu_oas_field(dev->aw ? dev->aw : SMMU_AW_DEFAULT);

	memset(info, 0, sizeof(*info));
	/* flags: no errata of the IOMMU_HW_INFO_ARM_SMMUV3_ERRATA_* kind */
	info->idr[0] =
		/* stage 2 and stage 1 translation (so nesting) */
		IDR0_S2P | IDR0_S1P |
		/* AArch64 translation tables only */
		IDR0_TTF_AARCH64 |
		/* coherent access to tables, queues and memory */
		IDR0_COHACC |
		/* hardware updates of access flag (and dirty state: HTTU) */
		SMMU_FIELD(httu, IDR0_HTTU_SHIFT) |
		/* 16-bit ASIDs and VMIDs */
		IDR0_ASID16 | IDR0_VMID16 |
		/* 2-level context-descriptor tables */
		IDR0_CD2L |
		/* little-endian translation tables */
		IDR0_TTENDIAN_LE |
		/* no stalling of faulting transactions */
		IDR0_STALL_MODEL_NONE |
		/* terminated transactions always abort (never RAZ/WI) */
		IDR0_TERM_MODEL |
		/* 2-level stream tables */
		IDR0_ST_LEVEL_2LVL;
	/* PCIe ATS: translated requests and ATC invalidation */
	if (dev->flags & UIO_HW_DEV_ATS)
		info->idr[0] |= IDR0_ATS;
	/* PCIe PRI: page request queue */
	if (dev->flags & UIO_HW_DEV_PRI)
		info->idr[0] |= IDR0_PRI;

	info->idr[1] =
		/* 16-bit stream ids (PCI requester ids) */
		IDR1_SIDSIZE(16) |
		/* 20-bit substream ids (PASIDs) */
		IDR1_SSIDSIZE(20) |
		/* PRI, event and command queues of up to 2^19 entries */
		IDR1_PRIQS(19) | IDR1_EVTQS(19) | IDR1_CMDQS(19);
	/* IDR2: no VATOS page; IDR3: none of the optional 3.1 features */
	/* IDR4: implementation defined, nothing */
	info->idr[5] =
		/* output address size: the unit's width (48 by default) */
		SMMU_FIELD(oas < 0 ? 0 : oas, IDR5_OAS_SHIFT) |
		/* 4 KiB translation granule (4K, 2M, 1G pages) */
		IDR5_GRAN4K;
	/* VAX = 0: 48-bit virtual addresses; STALL_MAX = 0: no stalls */

	/* Arm MMU-600, r2p0 */
	info->iidr = IIDR(IIDR_PRODUCT_MMU600, 2, 0, IIDR_IMPLEMENTER_ARM);
	/* SMMUv3.1 */
	info->aidr = AIDR_SMMUV3_1;
}

/* ---- what the registers mean ---- */

static bool smmu_s1(const struct iommu_hw_info_arm_smmuv3 *info)
{
	return info->idr[0] & IDR0_S1P;
}

/*
 * Nesting needs both stages; MMU-600 before r2 has an erratum against it
 * (as the kernel knows from IIDR).
 */
bool smmu_nesting(const struct iommu_hw_info_arm_smmuv3 *info)
{
	bool mmu600_early =
		SMMU_GET(info->iidr, 0, 12) == IIDR_IMPLEMENTER_ARM &&
		SMMU_GET(info->iidr, 20, 12) == IIDR_PRODUCT_MMU600 &&
		SMMU_GET(info->iidr, 16, 4) < 2;

	return (info->idr[0] & IDR0_S1P) && (info->idr[0] & IDR0_S2P) &&
	       !mmu600_early;
}

/* HTTU dirty state, and coherent walks so the CPU sees what it wrote */
static bool smmu_dbm(const struct iommu_hw_info_arm_smmuv3 *info)
{
	return SMMU_GET(info->idr[0], IDR0_HTTU_SHIFT, 2) ==
		       IDR0_HTTU_ACCESS_DIRTY &&
	       (info->idr[0] & IDR0_COHACC);
}

/* the output address size, and with AArch64 tables only the stage-2 IAS */
static unsigned int smmu_ias(const struct iommu_hw_info_arm_smmuv3 *info)
{
	unsigned int oas = SMMU_GET(info->idr[5], IDR5_OAS_SHIFT, 3);

	return oas < sizeof(smmu_oas_bits) ? smmu_oas_bits[oas] : 48;
}

/* table levels for @ias input bits, 4 KiB granule: 9 bits per level */
static unsigned int smmu_levels(unsigned int ias)
{
	return ias > 39 ? 4 : 3;
}

static uint64_t smmu_pgsizes(const struct iommu_hw_info_arm_smmuv3 *info)
{
	return (info->idr[5] & IDR5_GRAN4K) ?
		       PT_BIT(12) | PT_BIT(21) | PT_BIT(30) :
		       0;
}

/* ---- model ops ---- */

static uint32_t smmu_hw_info(const struct uio_hw_dev *dev, void *buf,
			     uint32_t len)
{
	struct iommu_hw_info_arm_smmuv3 info;

	smmu_regs(dev, &info);
	memcpy(buf, &info, len < sizeof(info) ? len : sizeof(info));
	return sizeof(info);
}

static uint64_t smmu_capabilities(const struct uio_hw_dev *dev)
{
	struct iommu_hw_info_arm_smmuv3 info;
	uint64_t caps = 0;

	smmu_regs(dev, &info);
	if (smmu_dbm(&info))
		caps |= IOMMU_HW_CAP_DIRTY_TRACKING;
	if (!(info.idr[0] & IDR0_ATS) || !(dev->flags & UIO_HW_DEV_ATS))
		caps |= IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED;
	/*
	 * The driver enables PASID with every feature the device's PASID
	 * capability offers; an emulated PASID device offers execute and
	 * privileged requests.
	 */
	if (SMMU_GET(info.idr[1], 6, 5) && (dev->flags & UIO_HW_DEV_PASID) &&
	    dev->pasid_bits)
		caps |= IOMMU_HW_CAP_PCI_PASID_EXEC |
			IOMMU_HW_CAP_PCI_PASID_PRIV;
	return caps;
}

static struct uio_domain *
smmu_domain_alloc_paging(const struct uio_hw_dev *dev,
			 const struct uio_hw_domain_req *req)
{
	struct iommu_hw_info_arm_smmuv3 info;
	const struct pt_format *fmt;
	struct uio_domain *domain;
	unsigned int pt_flags = 0, ias;
	uint32_t flags = req->flags;

	if (flags & ~SMMU_ALLOC_FLAGS)
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"smmuv3: allocation flags 0x%x unknown",
					flags & ~SMMU_ALLOC_FLAGS));
	if (req->data_type != IOMMU_HWPT_DATA_NONE || req->data ||
	    req->data_len)
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"smmuv3: a paging domain takes no data (type %u)",
					req->data_type));
	smmu_regs(dev, &info);

	switch (flags) {
	case 0:
		/* stage 1 when the SMMU has it */
		fmt = smmu_s1(&info) ? &pt_fmt_arm_lpae_s1 :
				       &pt_fmt_arm_lpae_s2;
		break;
	case IOMMU_HWPT_ALLOC_NEST_PARENT:
		if (!smmu_nesting(&info))
			return ERR_PTR(uio_fail(-EOPNOTSUPP,
						"smmuv3: the SMMU cannot nest"));
		fmt = &pt_fmt_arm_lpae_s2;
		break;
	case IOMMU_HWPT_ALLOC_DIRTY_TRACKING:
	case IOMMU_HWPT_ALLOC_DIRTY_TRACKING | IOMMU_HWPT_ALLOC_PASID:
	case IOMMU_HWPT_ALLOC_PASID:
		if (!smmu_s1(&info))
			return ERR_PTR(uio_fail(-EOPNOTSUPP,
						"smmuv3: the SMMU has no stage 1"));
		fmt = &pt_fmt_arm_lpae_s1;
		break;
	default:
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"smmuv3: allocation flags 0x%x cannot be combined",
					flags));
	}
	if (flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) {
		if (!smmu_dbm(&info))
			return ERR_PTR(uio_fail(-EOPNOTSUPP,
						"smmuv3: no HTTU dirty state on this SMMU"));
		pt_flags |= PT_ALLOC_DIRTY_TRACKING;
	}

	/* stage 1 takes virtual addresses (VAX), stage 2 IPAs (IAS) */
	ias = fmt == &pt_fmt_arm_lpae_s2 ? smmu_ias(&info) : SMMU_VA_BITS;
	domain = uio_domain_alloc(&uio_hw_smmuv3, fmt, smmu_levels(ias),
				  pt_flags);
	if (IS_ERR(domain))
		return domain;
	domain->instance = dev->instance;
	domain->alloc_flags = flags;
	domain->pgsize_bitmap &= smmu_pgsizes(&info);
	domain->leaf_pgsize_bitmap = domain->pgsize_bitmap;
	domain->aperture_start = 0;
	domain->aperture_last = (1ULL << ias) - 1;
	/* coherent walks and write-back attributes on coherent devices */
	domain->flags |= UIO_DOMAIN_COHERENT;
	if (flags & IOMMU_HWPT_ALLOC_NEST_PARENT)
		domain->flags |= UIO_DOMAIN_NEST_PARENT;
	if (flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING)
		domain->flags |= UIO_DOMAIN_DIRTY_CAPABLE;
	return domain;
}

/*
 * A stage-2 table (a paging domain, or a nested domain's parent) may not
 * take more input bits than the device's SMMU has (STE.S2T0SZ beyond IAS
 * is an illegal STE); a domain made for a wider device of the same SMMU
 * does not fit. Stage-1 inputs are VAX-sized on every device.
 */
static int smmu_attach_check(const struct uio_hw_dev *dev,
			     const struct uio_domain *domain)
{
	struct iommu_hw_info_arm_smmuv3 info;

	if (domain->kind == UIO_DOMAIN_NESTED)
		domain = domain->parent;
	if (pt_table_format(domain->pt) != &pt_fmt_arm_lpae_s2)
		return 0;
	smmu_regs(dev, &info);
	if (domain->aperture_last >> smmu_ias(&info))
		return uio_fail(-EINVAL,
				"smmuv3: a stage-2 domain of more input bits than the SMMU's %u-bit IAS",
				smmu_ias(&info));
	return 0;
}

static unsigned int smmu_reserved_regions(const struct uio_hw_dev *dev,
					  struct uio_iova_range *out,
					  unsigned int max)
{
	if (max >= 1) {
		out[0].start = SMMU_MSI_START;
		out[0].last = SMMU_MSI_LAST;
	}
	return 1;
}

const struct uio_hw_model uio_hw_smmuv3 = {
	.name = "smmuv3",
	.hw_info_type = IOMMU_HW_INFO_TYPE_ARM_SMMUV3,
	.hw_info = smmu_hw_info,
	.capabilities = smmu_capabilities,
	.aw_check = smmu_aw_check,
	.domain_alloc_paging = smmu_domain_alloc_paging,
	.reserved_regions = smmu_reserved_regions,
	.attach_check = smmu_attach_check,
	.viommu_alloc = smmu_viommu_alloc,
};
