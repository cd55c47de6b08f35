/* SPDX-License-Identifier: MIT */
/*
 * hw: software models of IOMMU hardware, and the domains they translate with.
 *
 * The kernel splits an IOMMU into a driver (iommu_ops: what a device behind
 * it reports, which domains it can allocate and attach) and domains
 * (iommu_domain: a page table plus the ops to edit it). We keep the same cut:
 *
 *   struct uio_hw_model   one per kind of hardware (mock, vtd, smmuv3, amd):
 *                         IOMMU_GET_HW_INFO payload and capabilities, the
 *                         paging-domain allocator, the reserved regions a
 *                         device brings (MSI windows), the attach check.
 *   struct uio_hw_dev     what a device looks like to its IOMMU: the model,
 *                         the IOMMU instance it sits behind and its address
 *                         width, the device's requester id, PASID width and
 *                         ATS/PRI/dirty capabilities.
 *                         Emulated devices (dev/) and the selftest's mock
 *                         devices embed one.
 *   struct uio_domain     a paging domain: a pt table (pt/) in the model's
 *                         format, its page sizes and aperture, dirty
 *                         tracking state, and an IOTLB generation.
 *
 * A model is only data and small functions; the domain operations are the
 * same for every model (domain.c) because every format goes through the one
 * walker. Where hardware differs in what a domain does (page sizes, aperture,
 * dirty tracking), the model says so in the fields it fills at allocation.
 *
 * IOTLB. Devices cache translations (dev/). A cached translation is tagged
 * with the domain's iotlb_gen; every unmap bumps the generation before it
 * returns, so no device uses a translation of an unmapped IOVA after the
 * unmap returned. A device that translates through a domain sets dma_seen;
 * from then on an unmap also waits for an RCU grace period, so a DMA that
 * had translated before the unmap has finished its copy when unmap returns.
 *
 * Output addresses are host virtual addresses of this process (see pt.h).
 */
#ifndef UIOMMUFD_HW_HW_H
#define UIOMMUFD_HW_HW_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pt_format;
struct pt_table;
struct uio_domain;
struct uio_hw_dev;
struct uio_viommu;

/* uio_hw_dev.flags */
enum {
	UIO_HW_DEV_NO_DIRTY = 1 << 0, /* the IOMMU cannot track dirty pages */
	UIO_HW_DEV_PASID = 1 << 1,    /* PASID capable (pasid_bits > 0) */
	UIO_HW_DEV_ATS = 1 << 2,      /* ATS capable */
	UIO_HW_DEV_PRI = 1 << 3,      /* PRI (page requests) capable */
};

/* What a paging-domain allocation asks for (from IOMMU_HWPT_ALLOC). */
struct uio_hw_domain_req {
	uint32_t flags;      /* IOMMU_HWPT_ALLOC_* */
	uint32_t data_type;  /* IOMMU_HWPT_DATA_*, NONE without data */
	const void *data;    /* kernel copy of the user data, or NULL */
	uint32_t data_len;
};

/*
 * Copy a model's struct from @req's data, with the kernel's rules for
 * driver data (iommu_copy_struct_from_user): -EINVAL if the type is not
 * @type, the data is shorter than @min_len or longer than the struct; a
 * shorter struct reads as zero-extended.
 */
int uio_hw_copy_data(const struct uio_hw_domain_req *req, uint32_t type,
		     void *dst, size_t dst_len, size_t min_len);

/* One reserved IOVA range, inclusive. */
struct uio_iova_range {
	uint64_t start, last;
};

struct uio_hw_model {
	const char *name;     /* "mock", "vtd", "smmuv3", "amd" */
	uint32_t hw_info_type; /* IOMMU_HW_INFO_TYPE_* of the payload */

	/*
	 * IOMMU_GET_HW_INFO payload of @dev: write at most @len bytes of it to
	 * @buf and return its full length.
	 */
	uint32_t (*hw_info)(const struct uio_hw_dev *dev, void *buf,
			    uint32_t len);
	/* IOMMU_HW_CAP_* of @dev */
	uint64_t (*capabilities)(const struct uio_hw_dev *dev);

	/*
	 * Optional: can a device of this model sit behind a unit whose
	 * address width is @aw bits (uio_hw_dev.aw, never 0 here)? 0, or
	 * -EINVAL with a reason naming the widths the hardware can report.
	 * NULL: the model has one width and refuses any aw (the mock).
	 */
	int (*aw_check)(unsigned int aw);

	/*
	 * A paging domain for @dev. Returns the domain or ERR_PTR:
	 * -EOPNOTSUPP for flags or data the hardware cannot do, -EINVAL for
	 * malformed data, -ENOMEM.
	 */
	struct uio_domain *(*domain_alloc_paging)(
		const struct uio_hw_dev *dev,
		const struct uio_hw_domain_req *req);

	/*
	 * The IOVA ranges @dev can never use through a paging domain (an MSI
	 * window): fill up to @max of them into @out, return how many exist.
	 */
	unsigned int (*reserved_regions)(const struct uio_hw_dev *dev,
					 struct uio_iova_range *out,
					 unsigned int max);

	/*
	 * Optional: the model's own reasons why @dev may not attach @domain,
	 * beyond the shared ones uio_hw_attach_check() applies first (model,
	 * unit, dirty tracking). 0, or -EINVAL: the core then tries another
	 * domain or makes one.
	 */
	int (*attach_check)(const struct uio_hw_dev *dev,
			    const struct uio_domain *domain);

	/*
	 * Optional: a nested (stage-1) domain over the paging domain @parent
	 * (made with NEST_PARENT) from the user data in @req (the model's
	 * IOMMU_HWPT_DATA_* struct: a VT-d first-stage table pointer, say).
	 * Models whose nested domains come from a vIOMMU (SMMUv3) leave this
	 * NULL and give uio_viommu_ops.domain_alloc_nested instead.
	 * ERR_PTR(-EOPNOTSUPP/-EINVAL/-E2BIG/-ENOMEM), with a reason.
	 */
	struct uio_domain *(*domain_alloc_nested)(
		const struct uio_hw_dev *dev, struct uio_domain *parent,
		const struct uio_hw_domain_req *req);

	/*
	 * Optional: a vIOMMU of IOMMU_VIOMMU_TYPE_* @type for the IOMMU unit
	 * @dev sits behind, over the nesting parent @parent. @data/@data_len
	 * are the user's type-specific data (may be NULL/0). Returns the
	 * vIOMMU with ops, type and parent set (the core fills the rest) or
	 * ERR_PTR(-EOPNOTSUPP for a type the model does not serve, ...).
	 */
	struct uio_viommu *(*viommu_alloc)(const struct uio_hw_dev *dev,
					   struct uio_domain *parent,
					   uint32_t type, const void *data,
					   uint32_t data_len);
};

struct uio_hw_dev {
	const struct uio_hw_model *model;
	uint32_t flags;        /* UIO_HW_DEV_* */
	uint32_t rid;          /* requester id (bus/dev/fn or stream id) */
	unsigned int pasid_bits; /* PASID width, 0 without PASID */
	unsigned int instance; /* which IOMMU unit the device sits behind */
	/*
	 * The address width of the IOMMU as this device sees it, in bits:
	 * what the model's registers report and its domains translate (VT-d
	 * MGAW/SAGAW, SMMUv3 IDR5.OAS, AMD HATS/GATS). 0: the model's
	 * default. Checked against the model's aw_check when the device is
	 * made (uio_hw_aw_check()).
	 */
	unsigned int aw;
	void *model_priv;      /* a model's per-device state, or NULL */
};

/* uio_domain.kind */
enum uio_domain_kind {
	UIO_DOMAIN_PAGING, /* a table the core fills (stage 2 when nested) */
	UIO_DOMAIN_NESTED, /* a user-owned stage 1 over a paging parent */
};

/*
 * A user array of invalidation requests as IOMMU_HWPT_INVALIDATE gives it.
 * The handler reads entry i with uio_hw_user_array_get() and sets
 * entry_num to the number of entries it handled, also on failure.
 */
struct uio_hw_user_array {
	uint32_t type;      /* IOMMU_HWPT_INVALIDATE_DATA_* */
	uint32_t entry_len; /* bytes per entry as the caller laid them out */
	uint32_t entry_num; /* in: entries given; out: entries handled */
	uint64_t uptr;      /* the caller's array (user memory) */
};

/*
 * Copy entry @index of @arr into @dst (@dst_len bytes, the model's struct)
 * with the kernel's rules: a type other than @type or an entry_len below
 * @min_len is -EINVAL; a longer entry's tail must be zero (-E2BIG); a
 * shorter one reads zero-extended; a bad pointer is -EFAULT.
 */
int uio_hw_user_array_get(const struct uio_hw_user_array *arr, uint32_t type,
			  uint32_t index, void *dst, size_t dst_len,
			  size_t min_len);

/*
 * The pasid a nested domain's translate() and report_fault() get for a
 * request without PASID (the same value as dev/'s UIO_DEV_NO_PASID).
 */
#define UIO_HW_NO_PASID UINT32_MAX

/* What a stage-1 translation gives (uio_nested_ops.translate). */
struct uio_s1_result {
	uint64_t oa;         /* output: an IOVA of the parent (stage-2) domain */
	unsigned int prot;   /* PT_PROT_* granted by stage 1 */
	unsigned int pgsize_lg2; /* size of the stage-1 leaf */
};

/* Why a translation failed, for the model's fault record. */
struct uio_hw_fault {
	int reason;        /* UIO_HW_FAULT_* */
	uint64_t addr;     /* the IOVA, or the table address for a walk fault */
	uint32_t code;     /* the model's own fault code (event/reason id) */
};

enum {
	UIO_HW_FAULT_TRANSLATION = 1, /* stage 1 not present */
	UIO_HW_FAULT_PERMISSION,      /* stage 1 forbids the access */
	UIO_HW_FAULT_S2_WALK,         /* a stage-1 table is not mapped at stage 2 */
	UIO_HW_FAULT_BAD_CONFIG,      /* malformed guest context/table entry */
};

/*
 * What a nested domain does. translate() runs on the DMA path, inside an
 * RCU read-side section, lock-free: it walks the guest's stage-1 tables
 * (reading them through the parent with uio_domain_read_s2()) and returns
 * 0 with *res, or -EFAULT with *fault filled. cache_invalidate_user()
 * serves IOMMU_HWPT_INVALIDATE on the nested HWPT (see uio_hw_user_array);
 * a model caching stage-1 results calls uio_domain_iotlb_flush() for what
 * the guest invalidated.
 */
struct uio_nested_ops {
	int (*translate)(struct uio_domain *nested, uint32_t pasid,
			 uint64_t iova, unsigned int need,
			 struct uio_s1_result *res, struct uio_hw_fault *fault);
	int (*cache_invalidate_user)(struct uio_domain *nested,
				     struct uio_hw_user_array *arr);
	/*
	 * Optional: a DMA through the nested domain faulted at stage 1 (or
	 * reading stage-1 tables through stage 2) and no page request
	 * resolved it: write the model's event record and hand it to the
	 * vIOMMU's report_event() (SMMUv3 F_TRANSLATION, ...). Runs on the
	 * DMA path; must not wait for a grace period.
	 */
	void (*report_fault)(struct uio_domain *nested,
			     const struct uio_hw_dev *dev, uint32_t pasid,
			     bool write, const struct uio_hw_fault *fault);
};

/* uio_domain.flags */
enum {
	UIO_DOMAIN_DIRTY_CAPABLE = 1 << 0, /* SET_DIRTY_TRACKING works */
	UIO_DOMAIN_NEST_PARENT = 1 << 1,   /* may be a nesting parent */
	UIO_DOMAIN_COHERENT = 1 << 2,      /* enforces cache coherency */
};

struct uio_domain {
	const struct uio_hw_model *model;
	unsigned int instance;    /* IOMMU unit that allocated it */
	struct pt_table *pt;
	/*
	 * Page sizes the domain advertises: the core aligns IOVAs to the
	 * smallest. leaf_pgsize_bitmap: sizes the table may really be written
	 * with (a subset of the format's); maps use the largest of these the
	 * alignment permits.
	 */
	uint64_t pgsize_bitmap;
	uint64_t leaf_pgsize_bitmap;
	uint64_t aperture_start, aperture_last;
	uint32_t flags;           /* UIO_DOMAIN_* */
	uint32_t alloc_flags;     /* IOMMU_HWPT_ALLOC_* it was created with */
	/*
	 * PAGING: enabled by SET_DIRTY_TRACKING. NESTED: always true, so that
	 * the DMA path asks whether the parent's leaf needs marking (nested.c)
	 */
	atomic_bool dirty_tracking;
	atomic_uint_fast64_t iotlb_gen; /* bumped by every unmap */
	atomic_bool dma_seen;      /* a device translated through it */
	void *model_priv;
	void (*model_free)(struct uio_domain *domain); /* frees model_priv */

	/* nesting: see uio_domain_alloc_nested() */
	enum uio_domain_kind kind;
	struct uio_domain *parent;          /* NESTED: the stage-2 domain */
	const struct uio_nested_ops *nested_ops; /* NESTED */
	struct uio_viommu *viommu;          /* NESTED through a vIOMMU */
	/*
	 * PAGING: the nested domains over this one, whose cached translations
	 * go stale with it (nested.c; changed under its lock, read by
	 * uio_domain_iotlb_flush())
	 */
	struct uio_domain **children;
	atomic_uint nr_children;
	unsigned int max_children;
};

/*
 * Allocate a domain over a new table of @fmt with @levels levels (domain.c).
 * The caller fills the remaining fields (aperture, flags, pgsize bitmaps
 * default to the table's). ERR_PTR(-ENOMEM/-EINVAL).
 */
struct uio_domain *uio_domain_alloc(const struct uio_hw_model *model,
				    const struct pt_format *fmt,
				    unsigned int levels, unsigned int pt_flags);
void uio_domain_free(struct uio_domain *domain);

/* IOMMU_READ/WRITE/CACHE (io_pagetable.h) to PT_PROT_* */
unsigned int uio_domain_prot(int iommu_prot);

/*
 * Map [iova, iova + length) to host memory [oa, ...) with IOMMU_* @iommu_prot.
 * @large: leaves larger than PAGE_SIZE may be used (IOMMU_OPTION_HUGE_PAGES).
 * 0, -EINVAL (outside the aperture, misaligned), -EEXIST, -ENOMEM; on
 * failure nothing of this call stays mapped.
 */
int uio_domain_map(struct uio_domain *domain, uint64_t iova, uint64_t oa,
		   uint64_t length, int iommu_prot, bool large);
/* unmap, invalidate cached translations; returns the bytes unmapped */
uint64_t uio_domain_unmap(struct uio_domain *domain, uint64_t iova,
			  uint64_t length);
/* make cached translations of the domain stale and wait for DMA in flight */
void uio_domain_iotlb_flush(struct uio_domain *domain);

/* 0 and the host address and PT_PROT_* of @iova, or -ENOENT */
int uio_domain_iova_to_phys(struct uio_domain *domain, uint64_t iova,
			    uint64_t *oa, unsigned int *prot);

/* -EOPNOTSUPP unless UIO_DOMAIN_DIRTY_CAPABLE; enabling clears stale bits */
int uio_domain_set_dirty_tracking(struct uio_domain *domain, bool enable);
/* see pt_read_and_clear_dirty(); flags are PT_DIRTY_* */
int uio_domain_read_and_clear_dirty(
	struct uio_domain *domain, uint64_t iova, uint64_t length,
	unsigned int flags,
	void (*record)(void *arg, uint64_t iova, uint64_t length), void *arg);

/*
 * A nested domain of @model over @parent with @ops (pt is NULL: the stage-1
 * tables are the guest's). Registers it with the parent, so that an unmap
 * of the parent makes the child's cached translations stale too (the
 * hardware's stage-2 invalidation reaches combined entries). The caller sets
 * model_priv/model_free. ERR_PTR(-ENOMEM).
 */
struct uio_domain *uio_domain_alloc_nested(const struct uio_hw_model *model,
					   struct uio_domain *parent,
					   const struct uio_nested_ops *ops);

/* nested.c, for domain.c: drop a child from its parent; make children stale */
void uio_domain_children_remove(struct uio_domain *child);
void uio_domain_children_flush(struct uio_domain *parent);

/*
 * Read @len bytes of guest memory at stage-2 IOVA @ipa of @s2 (a nesting
 * parent), as an IOMMU reads stage-1 tables: each page must be mapped
 * readable. 0 or -EFAULT (not mapped, no read permission, host memory gone).
 * Safe on the DMA path (lock-free, fault-safe copy).
 */
int uio_domain_read_s2(struct uio_domain *s2, uint64_t ipa, void *buf,
		       size_t len);

/*
 * A vIOMMU: one VM's slice of a physical IOMMU unit (IOMMU_VIOMMU_ALLOC).
 * The model allocates it (uio_hw_model.viommu_alloc) and owns priv; the core
 * owns the object around it and fills the callbacks below before use.
 */
struct uio_viommu_ops {
	void (*free)(struct uio_viommu *viommu);
	/* nested HWPT allocation with pt_id = this vIOMMU (SMMUv3: a vSTE) */
	struct uio_domain *(*domain_alloc_nested)(
		struct uio_viommu *viommu, const struct uio_hw_dev *dev,
		const struct uio_hw_domain_req *req);
	/* IOMMU_HWPT_INVALIDATE with hwpt_id = this vIOMMU (SMMUv3 CMDQ) */
	int (*cache_invalidate)(struct uio_viommu *viommu,
				struct uio_hw_user_array *arr);
	/* optional: a vDEVICE was created / is going (virtual id -> device) */
	int (*vdevice_init)(struct uio_viommu *viommu, struct uio_hw_dev *dev,
			    uint64_t virt_id);
	void (*vdevice_destroy)(struct uio_viommu *viommu,
				struct uio_hw_dev *dev, uint64_t virt_id);
};

struct uio_viommu {
	const struct uio_hw_model *model;
	const struct uio_viommu_ops *ops;
	unsigned int instance;
	uint32_t type;               /* IOMMU_VIOMMU_TYPE_* */
	struct uio_domain *parent;   /* the nesting parent (stage 2) */
	void *priv;                  /* the model's */
	/* filled by the core: */
	void *core;
	/* the device with virtual id @virt_id on this vIOMMU, or NULL */
	struct uio_hw_dev *(*vdev_find)(struct uio_viommu *viommu,
					uint64_t virt_id);
	/* queue an event of IOMMU_VEVENTQ_TYPE_* @type (dropped if no queue) */
	void (*report_event)(struct uio_viommu *viommu, uint32_t type,
			     const void *rec, size_t len);
};

/*
 * May @dev attach @domain? The rules every IOMMU shares: the domain comes
 * from the device's model and IOMMU unit, and a dirty-tracking domain needs
 * a device whose IOMMU can track (IOMMU_HW_CAP_DIRTY_TRACKING); then the
 * model's own attach_check, if any. 0 or -EINVAL, with a reason.
 */
int uio_hw_attach_check(const struct uio_hw_dev *dev,
			const struct uio_domain *domain);

/*
 * May a device of @model have address width @aw (uio_hw_dev.aw)? 0 (the
 * default) always may; otherwise the model's aw_check decides, and a model
 * without one refuses. 0 or -EINVAL, with a reason.
 */
int uio_hw_aw_check(const struct uio_hw_model *model, unsigned int aw);

/* the models */
extern const struct uio_hw_model uio_hw_mock;
extern const struct uio_hw_model uio_hw_vtd;
extern const struct uio_hw_model uio_hw_smmuv3;
extern const struct uio_hw_model uio_hw_amd;

/*
 * The selftest mock's nested IOTLB slot @id of @domain (MD_CHECK_IOTLB):
 * 0, -ENOENT (not a mock nested domain) or -EINVAL (no such slot).
 */
int uio_hw_mock_nested_iotlb(const struct uio_domain *domain, unsigned int id,
			     uint32_t *val);

/* a model by name ("mock", "vtd", "smmuv3", "amd"), or NULL */
const struct uio_hw_model *uio_hw_model_find(const char *name);

#endif
