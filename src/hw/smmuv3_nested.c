/* SPDX-License-Identifier: MIT */
/*
 * SMMUv3 nesting through a vIOMMU: a guest's Stream Table Entry (vSTE) over
 * the host's stage 2, the guest's command queue for invalidation, and the
 * guest's event queue for stage-1 faults.
 *
 * vIOMMU. IOMMU_VIOMMU_ALLOC (type ARM_SMMUV3) makes a struct uio_viommu
 * over a stage-2 NEST_PARENT domain of the device's SMMU: one VM's slice
 * of the SMMU, which would own a VMID. It keeps the nested domains made
 * through it (for invalidation) and the devices the core binds to it as
 * vDEVICEs (virtual stream id, vSID, for events and per-device commands).
 *
 * Nested domain. IOMMU_HWPT_ALLOC with pt_id = the vIOMMU passes the first
 * two words of the vSTE, checked as the kernel checks them: V clear is an
 * abort-like STE kept as all zeros; otherwise only the nesting-allowed
 * fields (Config, S1Fmt, S1ContextPtr, S1CDMax; S1DSS, S1CIR/COR/CSH,
 * S1STALLD, EATS), Config abort/bypass/stage-1 only, EATS abort or full
 * ATS: anything else is EIO.
 *
 * Translation (on the DMA path, lock-free): the substream picks a context
 * descriptor (S1CDMax, S1DSS for transactions without one), read from the
 * guest's linear or 2-level CD table through stage 2; the CD must be
 * valid, AArch64, 4 KiB granule, little endian, T0SZ 16..39; then an LPAE
 * stage-1 walk from TTB0 through stage 2, with APTable/AP read-only and
 * unprivileged-access bits (PCIe requests are unprivileged, so a page
 * needs AP[1]), the access flag (a clear AF faults unless the CD enables
 * hardware updates, which are not written back) and output addresses (IPAs:
 * the table pointer, table and leaf addresses) within the SMMU's IAS, the
 * stage-2 input size of the parent; an address above it is an address size
 * fault. Faults carry SMMUv3 event ids (IHI0070 7.3): C_BAD_STE 0x04,
 * C_BAD_SUBSTREAMID 0x08, F_CD_FETCH 0x09, C_BAD_CD 0x0a, F_WALK_EABT
 * 0x0b (a table stage 2 cannot read), F_TRANSLATION 0x10, F_ADDR_SIZE
 * 0x11, F_ACCESS 0x12, F_PERMISSION 0x13; an abort STE terminates without
 * an event. report_fault() turns one into a 256-bit event record with the
 * vSID in place of the stream id and queues it on the vIOMMU.
 *
 * Invalidation. Raw 128-bit CMDQ commands, the kernel's set: TLBI_NH_ALL,
 * TLBI_NSNH_ALL, TLBI_NH_ASID, TLBI_NH_VA, TLBI_NH_VAA, CFGI_CD,
 * CFGI_CD_ALL, ATC_INV (the last three name a vSID that must be a vDEVICE
 * of this vIOMMU); anything else is EIO, and entry_num stops at the first
 * bad command. The model caches nothing but the devices' combined IOTLB
 * entries, tagged per nested domain, so a command flushes whole nested
 * domains: by ASID only those that translated with that ASID (a 64-bit
 * filter of ASIDs seen, set before the walk reads any table), by VA or
 * "all" every nested domain of the vIOMMU. That may drop more than the
 * command names, never less.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <linux/iommufd.h>

#include "hw/smmuv3.h"
#include "pt/pt.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/reason.h"

/* vSTE word 0 and 1 fields (IHI0070 5.2) */
#define STE0_V PT_BIT(0)
#define STE0_CFG(v) (((v) >> 1) & 7)
#define STE0_CFG_ABORT 0
#define STE0_CFG_BYPASS 4
#define STE0_CFG_S1 5
#define STE0_S1FMT(v) (((v) >> 4) & 3)
#define STE0_S1CTXPTR PT_GENMASK(51, 6)
#define STE0_S1CDMAX(v) (((v) >> 59) & 31)
#define STE1_S1DSS(v) ((v) & 3)
#define STE1_EATS(v) (((v) >> 28) & 3)
/* what user space may set in a nesting vSTE */
#define STE0_NESTING_ALLOWED 0xf80fffffffffffffULL
#define STE1_NESTING_ALLOWED 0x380000ffULL

/* S1Fmt */
#define S1FMT_LINEAR 0
#define S1FMT_2LVL_4K 1
#define S1FMT_2LVL_64K 2
/* S1DSS: transactions without a substream */
#define S1DSS_TERMINATE 0
#define S1DSS_BYPASS 1
#define S1DSS_SSID0 2

/* context descriptor words 0 and 1 */
#define CD0_T0SZ(v) ((v) & 63)
#define CD0_TG0(v) (((v) >> 6) & 3)
#define CD0_EPD0 PT_BIT(14)
#define CD0_ENDI PT_BIT(15)
#define CD0_V PT_BIT(31)
#define CD0_AA64 PT_BIT(41)
#define CD0_HA PT_BIT(43)
#define CD0_ASID(v) ((v) >> 48)
#define CD1_TTB0 PT_GENMASK(51, 4)
#define L1CD_V PT_BIT(0)
#define L1CD_L2PTR PT_GENMASK(51, 12)

/* LPAE stage-1 descriptors, 4 KiB granule */
#define D_VALID PT_BIT(0)
#define D_TABLE PT_BIT(1) /* table (levels 0-2) or page (level 3) */
#define D_AP_UNPRIV PT_BIT(6)
#define D_AP_RDONLY PT_BIT(7)
#define D_AF PT_BIT(10)
#define D_OA PT_GENMASK(47, 12)
#define D_APT_NOUNPRIV PT_BIT(61)
#define D_APT_RDONLY PT_BIT(62)

/* event ids (IHI0070 7.3) */
#define EVT_C_BAD_STE 0x04
#define EVT_C_BAD_SUBSTREAMID 0x08
#define EVT_F_CD_FETCH 0x09
#define EVT_C_BAD_CD 0x0a
#define EVT_F_WALK_EABT 0x0b
#define EVT_F_TRANSLATION 0x10
#define EVT_F_ADDR_SIZE 0x11
#define EVT_F_ACCESS 0x12
#define EVT_F_PERMISSION 0x13
/* event record fields */
#define EVT0_SSV PT_BIT(11)
#define EVT1_RNW PT_BIT(35)
#define EVT1_CLASS_CD 0ULL
#define EVT1_CLASS_TT (1ULL << 40)
#define EVT1_CLASS_IN (2ULL << 40)

/* command opcodes the vIOMMU accepts */
#define CMD_CFGI_CD 0x05
#define CMD_CFGI_CD_ALL 0x06
#define CMD_TLBI_NH_ALL 0x10
#define CMD_TLBI_NH_ASID 0x11
#define CMD_TLBI_NH_VA 0x12
#define CMD_TLBI_NH_VAA 0x13
#define CMD_TLBI_NSNH_ALL 0x30
#define CMD_ATC_INV 0x40
#define CMD_SID(c0) ((uint32_t)((c0) >> 32))
#define CMD_ASID(c0) ((uint16_t)((c0) >> 48))

struct vsmmu_vdev {
	struct uio_hw_dev *dev;
	uint64_t virt_id;
};

/* the model's part of a vIOMMU */
struct vsmmu {
	struct uio_viommu viommu;
	/*
	 * descriptor address bits 51:IAS: a stage-1 output (an IPA) the
	 * parent's stage 2 cannot take is an address size fault
	 */
	uint64_t oa_high;
	/* nested domains made through it; never taken inside a read section */
	pthread_mutex_t domains_lock;
	struct uio_domain **domains;
	unsigned int nr_domains, max_domains;
	/* vDEVICEs; taken on the DMA path, never held across a grace period */
	pthread_mutex_t vdevs_lock;
	struct vsmmu_vdev *vdevs;
	unsigned int nr_vdevs, max_vdevs;
};

struct smmu_nested {
	uint64_t ste[2]; /* the validated vSTE */
	struct vsmmu *vs;
	/* bit (ASID % 64): a walk used that ASID since the last flush */
	atomic_uint_fast64_t asids;
};

static struct vsmmu *to_vsmmu(struct uio_viommu *viommu)
{
	return (struct vsmmu *)viommu;
}

/* ---- translation ---- */

static int s1_fault(struct uio_hw_fault *fault, int reason, uint32_t code,
		    uint64_t addr)
{
	fault->reason = reason;
	fault->code = code;
	fault->addr = addr;
	return -EFAULT;
}

/* the context descriptor of substream @ssid; 0 or -EFAULT with *fault */
static int smmu_read_cd(struct uio_domain *nested, const uint64_t *ste,
			uint32_t ssid, uint64_t cd[2],
			struct uio_hw_fault *fault)
{
	uint64_t base = ste[0] & STE0_S1CTXPTR, addr;
	unsigned int fmt = STE0_S1FMT(ste[0]);

	if (fmt == S1FMT_LINEAR) {
		addr = base + (uint64_t)ssid * 64;
	} else if (fmt == S1FMT_2LVL_4K || fmt == S1FMT_2LVL_64K) {
		unsigned int split = fmt == S1FMT_2LVL_4K ? 6 : 10;
		uint64_t l1, l1addr = base + (uint64_t)(ssid >> split) * 8;

		if (uio_domain_read_s2(nested->parent, l1addr, &l1,
				       sizeof(l1)))
			return s1_fault(fault, UIO_HW_FAULT_S2_WALK,
					EVT_F_CD_FETCH, l1addr);
		if (!(l1 & L1CD_V))
			return s1_fault(fault, UIO_HW_FAULT_BAD_CONFIG,
					EVT_C_BAD_SUBSTREAMID, l1addr);
		addr = (l1 & L1CD_L2PTR) +
		       (uint64_t)(ssid & ((1u << split) - 1)) * 64;
	} else {
		return s1_fault(fault, UIO_HW_FAULT_BAD_CONFIG, EVT_C_BAD_STE,
				0);
	}
	if (uio_domain_read_s2(nested->parent, addr, cd, 2 * sizeof(*cd)))
		return s1_fault(fault, UIO_HW_FAULT_S2_WALK, EVT_F_CD_FETCH,
				addr);
	return 0;
}

static int smmu_nested_translate(struct uio_domain *nested, uint32_t pasid,
				 uint64_t iova, unsigned int need,
				 struct uio_s1_result *res,
				 struct uio_hw_fault *fault)
{
	struct smmu_nested *sn = nested->model_priv;
	const uint64_t oa_high = sn->vs->oa_high;
	const uint64_t *ste = sn->ste;
	unsigned int cdmax = STE0_S1CDMAX(ste[0]), t0sz, ias, level;
	uint64_t cd[2], table, bit;
	bool rdonly = false, nounpriv = false;
	uint32_t ssid = 0;

	if (!(ste[0] & STE0_V))
		return s1_fault(fault, UIO_HW_FAULT_BAD_CONFIG, EVT_C_BAD_STE,
				0);
	switch (STE0_CFG(ste[0])) {
	case STE0_CFG_BYPASS:
		goto out_bypass;
	case STE0_CFG_S1:
		break;
	default: /* abort: terminated, no event */
		return s1_fault(fault, UIO_HW_FAULT_BAD_CONFIG, 0, 0);
	}

	/* which context descriptor */
	if (pasid != UIO_HW_NO_PASID) {
		if (!cdmax || pasid >= (1u << cdmax) ||
		    (pasid == 0 && STE1_S1DSS(ste[1]) == S1DSS_SSID0))
			return s1_fault(fault, UIO_HW_FAULT_BAD_CONFIG,
					EVT_C_BAD_SUBSTREAMID, iova);
		ssid = pasid;
	} else if (cdmax) {
		switch (STE1_S1DSS(ste[1])) {
		case S1DSS_BYPASS:
			goto out_bypass;
		case S1DSS_SSID0:
			break;
		default: /* terminate; a reserved value is a bad STE */
			return s1_fault(fault, UIO_HW_FAULT_BAD_CONFIG,
					STE1_S1DSS(ste[1]) ? EVT_C_BAD_STE : 0,
					iova);
		}
	}
	if (smmu_read_cd(nested, ste, ssid, cd, fault))
		return -EFAULT;
	t0sz = CD0_T0SZ(cd[0]);
	if (!(cd[0] & CD0_V) || !(cd[0] & CD0_AA64) || CD0_TG0(cd[0]) != 0 ||
	    (cd[0] & CD0_ENDI) || t0sz < 16 || t0sz > 39)
		return s1_fault(fault, UIO_HW_FAULT_BAD_CONFIG, EVT_C_BAD_CD,
				iova);

	/* note the ASID before any table is read (see the top) */
	bit = PT_BIT(CD0_ASID(cd[0]) & 63);
	if (!(atomic_load_explicit(&sn->asids, memory_order_relaxed) & bit))
		atomic_fetch_or(&sn->asids, bit);

	ias = 64 - t0sz;
	if ((iova >> ias) || (cd[0] & CD0_EPD0))
		return s1_fault(fault, UIO_HW_FAULT_TRANSLATION,
				EVT_F_TRANSLATION, iova);
	table = cd[1] & CD1_TTB0;
	if (table & oa_high)
		return s1_fault(fault, UIO_HW_FAULT_BAD_CONFIG,
				EVT_F_ADDR_SIZE, iova);
	/* the start level: as many 9-bit levels as the width needs */
	level = 4 - (ias - 12 + 8) / 9;
	for (;; level++) {
		unsigned int shift = 12 + 9 * (3 - level);
		uint64_t addr = table + (((iova >> shift) & 511) << 3), d;

		if (uio_domain_read_s2(nested->parent, addr, &d, sizeof(d)))
			return s1_fault(fault, UIO_HW_FAULT_S2_WALK,
					EVT_F_WALK_EABT, addr);
		if (!(d & D_VALID))
			return s1_fault(fault, UIO_HW_FAULT_TRANSLATION,
					EVT_F_TRANSLATION, iova);
		if (d & oa_high)
			return s1_fault(fault, UIO_HW_FAULT_BAD_CONFIG,
					EVT_F_ADDR_SIZE, iova);
		if (level < 3 && (d & D_TABLE)) {
			rdonly |= d & D_APT_RDONLY;
			nounpriv |= d & D_APT_NOUNPRIV;
			table = d & D_OA;
			continue;
		}
		/* a block at level 0, or a reserved encoding at level 3 */
		if ((level == 0) || (level == 3 && !(d & D_TABLE)))
			return s1_fault(fault, UIO_HW_FAULT_TRANSLATION,
					EVT_F_TRANSLATION, iova);
		if (!(d & D_AF) && !(cd[0] & CD0_HA))
			return s1_fault(fault, UIO_HW_FAULT_TRANSLATION,
					EVT_F_ACCESS, iova);
		rdonly |= d & D_AP_RDONLY;
		if (nounpriv || !(d & D_AP_UNPRIV) ||
		    ((need & PT_PROT_WRITE) && rdonly))
			return s1_fault(fault, UIO_HW_FAULT_PERMISSION,
					EVT_F_PERMISSION, iova);
		res->pgsize_lg2 = shift;
		res->oa = (d & D_OA & ~(PT_BIT(shift) - 1)) |
			  (iova & (PT_BIT(shift) - 1));
		res->prot = PT_PROT_READ | (rdonly ? 0 : PT_PROT_WRITE);
		return 0;
	}

out_bypass:
	/* stage 1 bypassed: the input address is the IPA */
	res->oa = iova;
	res->prot = PT_PROT_READ | PT_PROT_WRITE;
	res->pgsize_lg2 = 63;
	return 0;
}

/* ---- events ---- */

static bool vsmmu_vsid(struct vsmmu *vs, const struct uio_hw_dev *dev,
		       uint64_t *vsid)
{
	unsigned int i;
	bool found = false;

	pthread_mutex_lock(&vs->vdevs_lock);
	for (i = 0; i < vs->nr_vdevs; i++) {
		if (vs->vdevs[i].dev == dev) {
			*vsid = vs->vdevs[i].virt_id;
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&vs->vdevs_lock);
	return found;
}

static void smmu_nested_report_fault(struct uio_domain *nested,
				     const struct uio_hw_dev *dev,
				     uint32_t pasid, bool write,
				     const struct uio_hw_fault *fault)
{
	struct smmu_nested *sn = nested->model_priv;
	struct uio_viommu *viommu = &sn->vs->viommu;
	struct iommu_vevent_arm_smmuv3 ev;
	uint64_t vsid, cls;

	/* an abort STE, or a device the VM does not know: no event */
	if (!fault->code || !viommu->report_event ||
	    !vsmmu_vsid(sn->vs, dev, &vsid))
		return;
	switch (fault->code) {
	case EVT_F_CD_FETCH:
	case EVT_C_BAD_CD:
	case EVT_C_BAD_SUBSTREAMID:
		cls = EVT1_CLASS_CD;
		break;
	case EVT_F_WALK_EABT:
		cls = EVT1_CLASS_TT;
		break;
	default:
		cls = EVT1_CLASS_IN;
		break;
	}
	memset(&ev, 0, sizeof(ev));
	ev.evt[0] = fault->code | (vsid << 32);
	if (pasid != UIO_HW_NO_PASID)
		ev.evt[0] |= EVT0_SSV | ((uint64_t)(pasid & 0xfffff) << 12);
	ev.evt[1] = cls | (write ? 0 : EVT1_RNW);
	ev.evt[2] = fault->reason == UIO_HW_FAULT_S2_WALK ? 0 : fault->addr;
	/* fetch faults name the address they fetched */
	if (fault->reason == UIO_HW_FAULT_S2_WALK)
		ev.evt[3] = fault->addr & PT_GENMASK(51, 3);
	viommu->report_event(viommu, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, &ev,
			     sizeof(ev));
}

/* ---- invalidation ---- */

/* flush the vIOMMU's nested domains: all, or those that used @asid */
static void vsmmu_flush(struct vsmmu *vs, bool all, uint64_t asid_bits)
{
	unsigned int i;

	pthread_mutex_lock(&vs->domains_lock);
	for (i = 0; i < vs->nr_domains; i++) {
		struct uio_domain *d = vs->domains[i];
		struct smmu_nested *sn = d->model_priv;

		if (!all && !(atomic_load(&sn->asids) & asid_bits))
			continue;
		/*
		 * Forget the ASIDs before the flush: a walk after it notes
		 * its ASID again before reading any table.
		 */
		if (all)
			atomic_store(&sn->asids, 0);
		uio_domain_iotlb_flush(d);
	}
	pthread_mutex_unlock(&vs->domains_lock);
}

static int vsmmu_cmd(struct vsmmu *vs, uint32_t index, const uint64_t *cmd,
		     bool *all, uint64_t *asid_bits)
{
	uint8_t op = cmd[0] & 0xff;

	switch (op) {
	case CMD_TLBI_NH_ALL:
	case CMD_TLBI_NSNH_ALL:
	case CMD_TLBI_NH_VAA:
		*all = true;
		return 0;
	case CMD_TLBI_NH_ASID:
	case CMD_TLBI_NH_VA:
		*asid_bits |= PT_BIT(CMD_ASID(cmd[0]) & 63);
		return 0;
	case CMD_CFGI_CD:
	case CMD_CFGI_CD_ALL:
	case CMD_ATC_INV:
		if (!vs->viommu.vdev_find ||
		    !vs->viommu.vdev_find(&vs->viommu, CMD_SID(cmd[0])))
			return uio_fail(-EIO,
					"smmuv3: command %u (opcode 0x%x): vSID 0x%x is no vDEVICE of this vIOMMU",
					index, op, CMD_SID(cmd[0]));
		*all = true;
		return 0;
	default:
		return uio_fail(-EIO,
				"smmuv3: command %u: opcode 0x%x is not one a vIOMMU forwards",
				index, op);
	}
}

/*
 * IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3: the whole array is read first
 * (a copy error handles nothing, as the kernel copies it in one go), then
 * the commands are checked in order up to the first bad one; the ones
 * before it take effect, with one flush, before the call returns.
 */
static int vsmmu_cache_invalidate(struct uio_viommu *viommu,
				  struct uio_hw_user_array *arr)
{
	struct vsmmu *vs = to_vsmmu(viommu);
	struct iommu_viommu_arm_smmuv3_invalidate inv;
	uint64_t asid_bits = 0;
	bool all = false;
	uint32_t i;
	int ret = 0;

	for (i = 0; i < arr->entry_num; i++) {
		ret = uio_hw_user_array_get(
			arr, IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, i, &inv,
			sizeof(inv), sizeof(inv));
		if (ret) {
			arr->entry_num = 0;
			return ret;
		}
	}
	for (i = 0; i < arr->entry_num; i++) {
		uint64_t cmd[2];

		ret = uio_hw_user_array_get(
			arr, IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, i, &inv,
			sizeof(inv), sizeof(inv));
		if (ret)
			break;
		cmd[0] = inv.cmd[0];
		cmd[1] = inv.cmd[1];
		ret = vsmmu_cmd(vs, i, cmd, &all, &asid_bits);
		if (ret)
			break;
	}
	if (all || asid_bits)
		vsmmu_flush(vs, all, asid_bits);
	arr->entry_num = i;
	return ret;
}

/* ---- nested domains ---- */

static int vsmmu_domains_add(struct vsmmu *vs, struct uio_domain *d)
{
	int ret = 0;

	pthread_mutex_lock(&vs->domains_lock);
	if (vs->nr_domains == vs->max_domains) {
		unsigned int max = vs->max_domains ? 2 * vs->max_domains : 4;
		struct uio_domain **arr =
			uio_realloc(vs->domains, max * sizeof(*arr));

		if (!arr) {
			ret = -ENOMEM;
			goto out_unlock;
		}
		vs->domains = arr;
		vs->max_domains = max;
	}
	vs->domains[vs->nr_domains++] = d;
out_unlock:
	pthread_mutex_unlock(&vs->domains_lock);
	return ret;
}

static void smmu_nested_free(struct uio_domain *d)
{
	struct smmu_nested *sn = d->model_priv;
	struct vsmmu *vs = sn->vs;
	unsigned int i;

	pthread_mutex_lock(&vs->domains_lock);
	for (i = 0; i < vs->nr_domains; i++) {
		if (vs->domains[i] == d) {
			vs->domains[i] = vs->domains[--vs->nr_domains];
			break;
		}
	}
	pthread_mutex_unlock(&vs->domains_lock);
	uio_free(sn);
}

static const struct uio_nested_ops smmu_nested_ops = {
	.translate = smmu_nested_translate,
	.report_fault = smmu_nested_report_fault,
};

/* the kernel's vSTE rules; EIO is for STE data it cannot take */
static int smmu_validate_vste(uint64_t *ste)
{
	unsigned int cfg, eats;

	if (!(ste[0] & STE0_V)) {
		ste[0] = ste[1] = 0;
		return 0;
	}
	if ((ste[0] & ~STE0_NESTING_ALLOWED) ||
	    (ste[1] & ~STE1_NESTING_ALLOWED))
		return uio_fail(-EIO,
				"smmuv3: vSTE bits outside the nesting fields (0x%llx, 0x%llx)",
				(unsigned long long)(ste[0] &
						     ~STE0_NESTING_ALLOWED),
				(unsigned long long)(ste[1] &
						     ~STE1_NESTING_ALLOWED));
	cfg = STE0_CFG(ste[0]);
	if (cfg != STE0_CFG_ABORT && cfg != STE0_CFG_BYPASS &&
	    cfg != STE0_CFG_S1)
		return uio_fail(-EIO, "smmuv3: vSTE Config %u", cfg);
	eats = STE1_EATS(ste[1]);
	if (eats > 1)
		return uio_fail(-EIO, "smmuv3: vSTE EATS %u", eats);
	return 0;
}

static struct uio_domain *
vsmmu_domain_alloc_nested(struct uio_viommu *viommu,
			  const struct uio_hw_dev *dev,
			  const struct uio_hw_domain_req *req)
{
	struct vsmmu *vs = to_vsmmu(viommu);
	struct iommu_hwpt_arm_smmuv3 arg;
	struct smmu_nested *sn;
	struct uio_domain *d;
	int ret;

	(void)dev;
	if (req->flags & ~IOMMU_HWPT_FAULT_ID_VALID)
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"smmuv3: a nested domain takes no allocation flags (0x%x)",
					req->flags));
	if (req->data_type != IOMMU_HWPT_DATA_ARM_SMMUV3)
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"smmuv3: nested data type %u is not ARM_SMMUV3",
					req->data_type));
	ret = uio_hw_copy_data(req, IOMMU_HWPT_DATA_ARM_SMMUV3, &arg,
			       sizeof(arg), sizeof(arg));
	if (ret)
		return ERR_PTR(ret);
	sn = uio_zalloc(sizeof(*sn));
	if (!sn)
		return ERR_PTR(-ENOMEM);
	sn->ste[0] = arg.ste[0];
	sn->ste[1] = arg.ste[1];
	ret = smmu_validate_vste(sn->ste);
	if (ret) {
		uio_free(sn);
		return ERR_PTR(ret);
	}
	sn->vs = vs;
	d = uio_domain_alloc_nested(&uio_hw_smmuv3, viommu->parent,
				    &smmu_nested_ops);
	if (IS_ERR(d)) {
		uio_free(sn);
		return d;
	}
	d->viommu = viommu;
	d->alloc_flags = req->flags;
	d->model_priv = sn;
	d->model_free = smmu_nested_free;
	ret = vsmmu_domains_add(vs, d);
	if (ret) {
		uio_domain_free(d); /* frees sn too */
		return ERR_PTR(ret);
	}
	return d;
}

/* ---- the vIOMMU ---- */

static int vsmmu_vdevice_init(struct uio_viommu *viommu,
			      struct uio_hw_dev *dev, uint64_t virt_id)
{
	struct vsmmu *vs = to_vsmmu(viommu);
	int ret = 0;

	pthread_mutex_lock(&vs->vdevs_lock);
	if (vs->nr_vdevs == vs->max_vdevs) {
		unsigned int max = vs->max_vdevs ? 2 * vs->max_vdevs : 4;
		struct vsmmu_vdev *arr =
			uio_realloc(vs->vdevs, max * sizeof(*arr));

		if (!arr) {
			ret = -ENOMEM;
			goto out_unlock;
		}
		vs->vdevs = arr;
		vs->max_vdevs = max;
	}
	vs->vdevs[vs->nr_vdevs].dev = dev;
	vs->vdevs[vs->nr_vdevs].virt_id = virt_id;
	vs->nr_vdevs++;
out_unlock:
	pthread_mutex_unlock(&vs->vdevs_lock);
	return ret;
}

static void vsmmu_vdevice_destroy(struct uio_viommu *viommu,
				  struct uio_hw_dev *dev, uint64_t virt_id)
{
	struct vsmmu *vs = to_vsmmu(viommu);
	unsigned int i;

	pthread_mutex_lock(&vs->vdevs_lock);
	for (i = 0; i < vs->nr_vdevs; i++) {
		if (vs->vdevs[i].dev == dev &&
		    vs->vdevs[i].virt_id == virt_id) {
			vs->vdevs[i] = vs->vdevs[--vs->nr_vdevs];
			break;
		}
	}
	pthread_mutex_unlock(&vs->vdevs_lock);
}

/* the nested domains are gone by now (each held the vIOMMU) */
static void vsmmu_free(struct uio_viommu *viommu)
{
	struct vsmmu *vs = to_vsmmu(viommu);

	pthread_mutex_destroy(&vs->domains_lock);
	pthread_mutex_destroy(&vs->vdevs_lock);
	uio_free(vs->domains);
	uio_free(vs->vdevs);
	uio_free(vs);
}

static const struct uio_viommu_ops vsmmu_ops = {
	.free = vsmmu_free,
	.domain_alloc_nested = vsmmu_domain_alloc_nested,
	.cache_invalidate = vsmmu_cache_invalidate,
	.vdevice_init = vsmmu_vdevice_init,
	.vdevice_destroy = vsmmu_vdevice_destroy,
};

struct uio_viommu *smmu_viommu_alloc(const struct uio_hw_dev *dev,
				     struct uio_domain *parent, uint32_t type,
				     const void *data, uint32_t data_len)
{
	struct iommu_hw_info_arm_smmuv3 info;
	struct vsmmu *vs;

	(void)data;
	(void)data_len;
	if (type != IOMMU_VIOMMU_TYPE_ARM_SMMUV3)
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"smmuv3: vIOMMU type %u not served", type));
	smmu_regs(dev, &info);
	if (!smmu_nesting(&info))
		return ERR_PTR(uio_fail(-EOPNOTSUPP,
					"smmuv3: the SMMU cannot nest"));
	if (parent->model != &uio_hw_smmuv3 ||
	    parent->kind != UIO_DOMAIN_PAGING ||
	    !(parent->flags & UIO_DOMAIN_NEST_PARENT) ||
	    parent->instance != dev->instance)
		return ERR_PTR(uio_fail(-EINVAL,
					"smmuv3: a vIOMMU needs a stage-2 NEST_PARENT domain of the device's SMMU"));
	vs = uio_zalloc(sizeof(*vs));
	if (!vs)
		return ERR_PTR(-ENOMEM);
	pthread_mutex_init(&vs->domains_lock, NULL);
	pthread_mutex_init(&vs->vdevs_lock, NULL);
	vs->viommu.model = &uio_hw_smmuv3;
	vs->viommu.ops = &vsmmu_ops;
	vs->viommu.instance = dev->instance;
	vs->viommu.type = type;
	vs->viommu.parent = parent;
	vs->viommu.priv = vs;
	/* the parent's aperture is [0, 2^IAS - 1] (smmuv3.c) */
	vs->oa_high = PT_GENMASK(51, 64 - __builtin_clzll(parent->aperture_last));
	return &vs->viommu;
}
