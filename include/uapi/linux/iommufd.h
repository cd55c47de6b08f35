/* SPDX-License-Identifier: MIT */
/*
 * uiommufd - user-space definitions of the Linux iommufd (/dev/iommu) uAPI.
 *
 * Struct layouts, field names, ioctl numbers, enum values and flag bits
 * follow the Linux kernel ABI so that binaries built against this header
 * and against the kernel's <linux/iommufd.h> are interchangeable.  The
 * comments are our own summaries.
 *
 * Every ioctl takes a pointer to a struct whose first __u32 is its size.
 * Callers may pass a smaller (older) or larger (newer) struct; bytes the
 * receiver does not understand must be zero.
 *
 * The include guard is the kernel's own, so a translation unit that pulls
 * in both headers only ever sees one set of definitions.
 */
#ifndef _UAPI_IOMMUFD_H
#define _UAPI_IOMMUFD_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* Older <linux/types.h> copies may lack these helpers. */
#ifndef __aligned_u64
#define __aligned_u64 __u64 __attribute__((aligned(8)))
#endif
#ifndef __aligned_le64
#define __aligned_le64 __le64 __attribute__((aligned(8)))
#endif

/* ioctl "type" byte shared by every iommufd command (and by VFIO). */
#define IOMMUFD_TYPE (';')

/* ioctl command numbers ("nr" field of _IO()). */
enum {
	IOMMUFD_CMD_BASE = 0x80,
	IOMMUFD_CMD_DESTROY = IOMMUFD_CMD_BASE,
	IOMMUFD_CMD_IOAS_ALLOC = 0x81,
	IOMMUFD_CMD_IOAS_ALLOW_IOVAS = 0x82,
	IOMMUFD_CMD_IOAS_COPY = 0x83,
	IOMMUFD_CMD_IOAS_IOVA_RANGES = 0x84,
	IOMMUFD_CMD_IOAS_MAP = 0x85,
	IOMMUFD_CMD_IOAS_UNMAP = 0x86,
	IOMMUFD_CMD_OPTION = 0x87,
	IOMMUFD_CMD_VFIO_IOAS = 0x88,
	IOMMUFD_CMD_HWPT_ALLOC = 0x89,
	IOMMUFD_CMD_GET_HW_INFO = 0x8a,
	IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING = 0x8b,
	IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP = 0x8c,
	IOMMUFD_CMD_HWPT_INVALIDATE = 0x8d,
	IOMMUFD_CMD_FAULT_QUEUE_ALLOC = 0x8e,
	IOMMUFD_CMD_IOAS_MAP_FILE = 0x8f,
	IOMMUFD_CMD_VIOMMU_ALLOC = 0x90,
	IOMMUFD_CMD_VDEVICE_ALLOC = 0x91,
	IOMMUFD_CMD_IOAS_CHANGE_PROCESS = 0x92,
	IOMMUFD_CMD_VEVENTQ_ALLOC = 0x93,
	IOMMUFD_CMD_HW_QUEUE_ALLOC = 0x94,
	IOMMUFD_CMD_VDEVICE_TSM_OP = 0x95,
};

/* ------------------------------------------------------------------ */
/* Objects                                                            */
/* ------------------------------------------------------------------ */

/* IOMMU_DESTROY: drop an object by ID. */
struct iommu_destroy {
	__u32 size;	/* sizeof(struct iommu_destroy) */
	__u32 id;	/* ID of any destroyable object */
};
#define IOMMU_DESTROY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_DESTROY)

/* ------------------------------------------------------------------ */
/* IO address spaces (IOAS)                                           */
/* ------------------------------------------------------------------ */

/* IOMMU_IOAS_ALLOC: create an empty IOVA -> memory address space. */
struct iommu_ioas_alloc {
	__u32 size;		/* sizeof(struct iommu_ioas_alloc) */
	__u32 flags;		/* reserved, must be 0 */
	__u32 out_ioas_id;	/* returned ID of the new IOAS */
};
#define IOMMU_IOAS_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOC)

/* An inclusive IOVA interval. */
struct iommu_iova_range {
	__aligned_u64 start;	/* first IOVA */
	__aligned_u64 last;	/* last IOVA, inclusive */
};

/*
 * IOMMU_IOAS_IOVA_RANGES: report which IOVAs may currently be mapped.
 * On input num_iovas is the capacity of allowed_iovas[]; on output it is
 * the number of ranges.  EMSGSIZE means the array was too small.
 */
struct iommu_ioas_iova_ranges {
	__u32 size;			/* sizeof(struct iommu_ioas_iova_ranges) */
	__u32 ioas_id;			/* IOAS to query */
	__u32 num_iovas;		/* in: array capacity, out: range count */
	__u32 __reserved;		/* must be 0 */
	__aligned_u64 allowed_iovas;	/* user pointer to iommu_iova_range[] */
	__aligned_u64 out_iova_alignment; /* minimum IOVA/length alignment */
};
#define IOMMU_IOAS_IOVA_RANGES _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_IOVA_RANGES)

/*
 * IOMMU_IOAS_ALLOW_IOVAS: pin down IOVA ranges that must stay usable.
 * Replaces the whole previous allow list.
 */
struct iommu_ioas_allow_iovas {
	__u32 size;			/* sizeof(struct iommu_ioas_allow_iovas) */
	__u32 ioas_id;			/* IOAS to change */
	__u32 num_iovas;		/* entries in allowed_iovas[] */
	__u32 __reserved;		/* must be 0 */
	__aligned_u64 allowed_iovas;	/* user pointer to iommu_iova_range[] */
};
#define IOMMU_IOAS_ALLOW_IOVAS _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOW_IOVAS)

/* Flags for IOAS_MAP, IOAS_MAP_FILE and IOAS_COPY. */
enum iommufd_ioas_map_flags {
	IOMMU_IOAS_MAP_FIXED_IOVA = 1 << 0,	/* use the caller's iova */
	IOMMU_IOAS_MAP_WRITEABLE = 1 << 1,	/* device may write */
	IOMMU_IOAS_MAP_READABLE = 1 << 2,	/* device may read */
};

/* IOMMU_IOAS_MAP: map a range of process memory at an IOVA. */
struct iommu_ioas_map {
	__u32 size;		/* sizeof(struct iommu_ioas_map) */
	__u32 flags;		/* enum iommufd_ioas_map_flags */
	__u32 ioas_id;		/* target IOAS */
	__u32 __reserved;	/* must be 0 */
	__aligned_u64 user_va;	/* start of the process memory */
	__aligned_u64 length;	/* bytes to map */
	__aligned_u64 iova;	/* in with FIXED_IOVA, otherwise out */
};
#define IOMMU_IOAS_MAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP)

/* IOMMU_IOAS_MAP_FILE: like IOAS_MAP but the memory comes from a file. */
struct iommu_ioas_map_file {
	__u32 size;		/* sizeof(struct iommu_ioas_map_file) */
	__u32 flags;		/* enum iommufd_ioas_map_flags */
	__u32 ioas_id;		/* target IOAS */
	__s32 fd;		/* memfd (or dma-buf) to map from */
	__aligned_u64 start;	/* byte offset into the file */
	__aligned_u64 length;	/* bytes to map */
	__aligned_u64 iova;	/* in with FIXED_IOVA, otherwise out */
};
#define IOMMU_IOAS_MAP_FILE _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP_FILE)

/*
 * IOMMU_IOAS_COPY: duplicate an existing mapping of src_ioas_id into
 * dst_ioas_id, sharing the already pinned pages.
 */
struct iommu_ioas_copy {
	__u32 size;		/* sizeof(struct iommu_ioas_copy) */
	__u32 flags;		/* enum iommufd_ioas_map_flags */
	__u32 dst_ioas_id;	/* IOAS receiving the mapping */
	__u32 src_ioas_id;	/* IOAS holding the mapping */
	__aligned_u64 length;	/* bytes to copy */
	__aligned_u64 dst_iova;	/* in with FIXED_IOVA, otherwise out */
	__aligned_u64 src_iova;	/* start of the source mapping */
};
#define IOMMU_IOAS_COPY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_COPY)

/*
 * IOMMU_IOAS_UNMAP: remove whole mappings inside [iova, iova + length).
 * iova = 0, length = U64_MAX removes everything.
 */
struct iommu_ioas_unmap {
	__u32 size;		/* sizeof(struct iommu_ioas_unmap) */
	__u32 ioas_id;		/* IOAS to change */
	__aligned_u64 iova;	/* start IOVA */
	__aligned_u64 length;	/* in: bytes to unmap, out: bytes unmapped */
};
#define IOMMU_IOAS_UNMAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_UNMAP)

/* ------------------------------------------------------------------ */
/* Options                                                            */
/* ------------------------------------------------------------------ */

/* Option selectors for IOMMU_OPTION. */
enum iommufd_option {
	IOMMU_OPTION_RLIMIT_MODE = 0,	/* global: 0 user, 1 process accounting */
	IOMMU_OPTION_HUGE_PAGES = 1,	/* per IOAS: 1 allow page combining */
};

/* Operations for IOMMU_OPTION. */
enum iommufd_option_ops {
	IOMMU_OPTION_OP_SET = 0,
	IOMMU_OPTION_OP_GET = 1,
};

/* IOMMU_OPTION: read or write a simple per-object or global option. */
struct iommu_option {
	__u32 size;		/* sizeof(struct iommu_option) */
	__u32 option_id;	/* enum iommufd_option */
	__u16 op;		/* enum iommufd_option_ops */
	__u16 __reserved;	/* must be 0 */
	__u32 object_id;	/* object the option applies to, or 0 */
	__aligned_u64 val64;	/* value to set, or value read back */
};
#define IOMMU_OPTION _IO(IOMMUFD_TYPE, IOMMUFD_CMD_OPTION)

/* Operations for IOMMU_VFIO_IOAS. */
enum iommufd_vfio_ioas_op {
	IOMMU_VFIO_IOAS_GET = 0,	/* report the VFIO compat IOAS */
	IOMMU_VFIO_IOAS_SET = 1,	/* choose the VFIO compat IOAS */
	IOMMU_VFIO_IOAS_CLEAR = 2,	/* turn VFIO compatibility off */
};

/* IOMMU_VFIO_IOAS: manage the IOAS used by the VFIO container emulation. */
struct iommu_vfio_ioas {
	__u32 size;		/* sizeof(struct iommu_vfio_ioas) */
	__u32 ioas_id;		/* in for SET, out for GET */
	__u16 op;		/* enum iommufd_vfio_ioas_op */
	__u16 __reserved;	/* must be 0 */
};
#define IOMMU_VFIO_IOAS _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VFIO_IOAS)

/* ------------------------------------------------------------------ */
/* Hardware page tables (HWPT)                                        */
/* ------------------------------------------------------------------ */

/* Flags for IOMMU_HWPT_ALLOC. */
enum iommufd_hwpt_alloc_flags {
	IOMMU_HWPT_ALLOC_NEST_PARENT = 1 << 0,	  /* may parent nested HWPTs */
	IOMMU_HWPT_ALLOC_DIRTY_TRACKING = 1 << 1, /* require dirty tracking */
	IOMMU_HWPT_FAULT_ID_VALID = 1 << 2,	  /* fault_id is meaningful */
	IOMMU_HWPT_ALLOC_PASID = 1 << 3,	  /* usable on PASIDs */
};

/* Attribute bits of a VT-d stage-1 table (iommu_hwpt_vtd_s1.flags). */
enum iommu_hwpt_vtd_s1_flags {
	IOMMU_VTD_S1_SRE = 1 << 0,	/* supervisor requests */
	IOMMU_VTD_S1_EAFE = 1 << 1,	/* extended access flag */
	IOMMU_VTD_S1_WPE = 1 << 2,	/* write protect */
};

/* Nested data for IOMMU_HWPT_DATA_VTD_S1: a guest VT-d stage-1 table. */
struct iommu_hwpt_vtd_s1 {
	__aligned_u64 flags;		/* enum iommu_hwpt_vtd_s1_flags */
	__aligned_u64 pgtbl_addr;	/* table root (guest physical) */
	__u32 addr_width;		/* input address width in bits */
	__u32 __reserved;		/* must be 0 */
};

/*
 * Nested data for IOMMU_HWPT_DATA_ARM_SMMUV3: the first two 64-bit words
 * of a guest Stream Table Entry, little endian.
 */
struct iommu_hwpt_arm_smmuv3 {
	__aligned_le64 ste[2];
};

/* Nested data for IOMMU_HWPT_DATA_AMD_GUEST: a 256-bit guest DTE. */
struct iommu_hwpt_amd_guest {
	__aligned_u64 dte[4];
};

/* Formats of the data passed to IOMMU_HWPT_ALLOC. */
enum iommu_hwpt_data_type {
	IOMMU_HWPT_DATA_NONE = 0,	/* plain kernel-managed table */
	IOMMU_HWPT_DATA_VTD_S1 = 1,	/* struct iommu_hwpt_vtd_s1 */
	IOMMU_HWPT_DATA_ARM_SMMUV3 = 2,	/* struct iommu_hwpt_arm_smmuv3 */
	IOMMU_HWPT_DATA_AMD_GUEST = 3,	/* struct iommu_hwpt_amd_guest */
};

/*
 * IOMMU_HWPT_ALLOC: create a hardware page table.  With DATA_NONE it is
 * filled from the IOAS named by pt_id; otherwise it is a user-managed
 * nested table on top of a parent HWPT or vIOMMU named by pt_id.
 */
struct iommu_hwpt_alloc {
	__u32 size;		/* sizeof(struct iommu_hwpt_alloc) */
	__u32 flags;		/* enum iommufd_hwpt_alloc_flags */
	__u32 dev_id;		/* device the table is made for */
	__u32 pt_id;		/* IOAS, parent HWPT or vIOMMU */
	__u32 out_hwpt_id;	/* returned ID of the new HWPT */
	__u32 __reserved;	/* must be 0 */
	__u32 data_type;	/* enum iommu_hwpt_data_type */
	__u32 data_len;		/* bytes at data_uptr */
	__aligned_u64 data_uptr; /* user pointer to the type-specific data */
	__u32 fault_id;		/* FAULT object, with FAULT_ID_VALID */
	__u32 __reserved2;	/* must be 0 */
};
#define IOMMU_HWPT_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_ALLOC)

/* ------------------------------------------------------------------ */
/* Hardware information                                               */
/* ------------------------------------------------------------------ */

/* Bits of iommu_hw_info_vtd.flags. */
enum iommu_hw_info_vtd_flags {
	/* Read-only mappings must not be used in a nesting parent. */
	IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17 = 1 << 0,
};

/* IOMMU_HW_INFO_TYPE_INTEL_VTD payload. */
struct iommu_hw_info_vtd {
	__u32 flags;		/* enum iommu_hw_info_vtd_flags */
	__u32 __reserved;	/* 0 */
	__aligned_u64 cap_reg;	/* raw VT-d capability register */
	__aligned_u64 ecap_reg;	/* raw VT-d extended capability register */
};

/* Bits of iommu_hw_info_arm_smmuv3.flags. */
enum iommu_hw_info_arm_smmuv3_flags {
	/* TLBI and CFGI commands have to be issued twice. */
	IOMMU_HW_INFO_ARM_SMMUV3_ERRATA_REPEAT_TLBI_CFGI = 1 << 0,
};

/* IOMMU_HW_INFO_TYPE_ARM_SMMUV3 payload: raw ID registers. */
struct iommu_hw_info_arm_smmuv3 {
	__u32 flags;		/* enum iommu_hw_info_arm_smmuv3_flags */
	__u32 __reserved;	/* 0 */
	__u32 idr[6];		/* SMMU_IDR0 .. SMMU_IDR5 */
	__u32 iidr;		/* SMMU_IIDR */
	__u32 aidr;		/* SMMU_AIDR */
};

/* IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV payload: CMDQV PARAM fields. */
struct iommu_hw_info_tegra241_cmdqv {
	__u32 flags;		/* 0 */
	__u8 version;		/* PARAM[3:0] */
	__u8 log2vcmdqs;	/* PARAM[7:4]: log2 of VCMDQ count */
	__u8 log2vsids;		/* PARAM[15:12]: log2 of SID slots */
	__u8 __reserved;	/* 0 */
};

/* IOMMU_HW_INFO_TYPE_AMD payload: raw extended feature registers. */
struct iommu_hw_info_amd {
	__aligned_u64 efr;	/* Extended Feature Register */
	__aligned_u64 efr2;	/* Extended Feature 2 Register */
};

/* Payload kinds for IOMMU_GET_HW_INFO. */
enum iommu_hw_info_type {
	IOMMU_HW_INFO_TYPE_NONE = 0,		/* driver reports nothing */
	IOMMU_HW_INFO_TYPE_DEFAULT = 0,		/* input: driver's choice */
	IOMMU_HW_INFO_TYPE_INTEL_VTD = 1,
	IOMMU_HW_INFO_TYPE_ARM_SMMUV3 = 2,
	IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV = 3,
	IOMMU_HW_INFO_TYPE_AMD = 4,
};

/* Generic capability bits reported in iommu_hw_info.out_capabilities. */
enum iommufd_hw_capabilities {
	IOMMU_HW_CAP_DIRTY_TRACKING = 1 << 0,	 /* dirty bitmap ioctls work */
	IOMMU_HW_CAP_PCI_PASID_EXEC = 1 << 1,	 /* PASID execute permission */
	IOMMU_HW_CAP_PCI_PASID_PRIV = 1 << 2,	 /* PASID privileged mode */
	IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED = 1 << 3, /* ATS unusable */
};

/* Bits of iommu_hw_info.flags. */
enum iommufd_hw_info_flags {
	IOMMU_HW_INFO_FLAG_INPUT_TYPE = 1 << 0,	/* in_data_type is a request */
};

/*
 * IOMMU_GET_HW_INFO: describe the IOMMU behind a bound device.  Up to
 * data_len bytes of the driver payload are written to data_uptr (the rest
 * of the buffer is zeroed) and data_len is set to the full payload size.
 */
struct iommu_hw_info {
	__u32 size;		/* sizeof(struct iommu_hw_info) */
	__u32 flags;		/* enum iommufd_hw_info_flags */
	__u32 dev_id;		/* bound device */
	__u32 data_len;		/* in: buffer size, out: payload size */
	__aligned_u64 data_uptr; /* user buffer for the payload */
	__extension__ union {
		__u32 in_data_type;  /* requested type, with FLAG_INPUT_TYPE */
		__u32 out_data_type; /* enum iommu_hw_info_type returned */
	};
	__u8 out_max_pasid_log2; /* PASID width, 0 if unsupported */
	__u8 __reserved[3];	/* must be 0 */
	__aligned_u64 out_capabilities; /* enum iommufd_hw_capabilities */
};
#define IOMMU_GET_HW_INFO _IO(IOMMUFD_TYPE, IOMMUFD_CMD_GET_HW_INFO)

/* ------------------------------------------------------------------ */
/* Dirty tracking                                                     */
/* ------------------------------------------------------------------ */

/* Bits of iommu_hwpt_set_dirty_tracking.flags. */
enum iommufd_hwpt_set_dirty_tracking_flags {
	IOMMU_HWPT_DIRTY_TRACKING_ENABLE = 1,	/* set: on, clear: off */
};

/* IOMMU_HWPT_SET_DIRTY_TRACKING: start or stop dirty tracking. */
struct iommu_hwpt_set_dirty_tracking {
	__u32 size;		/* sizeof(struct iommu_hwpt_set_dirty_tracking) */
	__u32 flags;		/* enum iommufd_hwpt_set_dirty_tracking_flags */
	__u32 hwpt_id;		/* paging HWPT */
	__u32 __reserved;	/* must be 0 */
};
#define IOMMU_HWPT_SET_DIRTY_TRACKING \
	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING)

/* Bits of iommu_hwpt_get_dirty_bitmap.flags. */
enum iommufd_hwpt_get_dirty_bitmap_flags {
	IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR = 1, /* read without clearing */
};

/*
 * IOMMU_HWPT_GET_DIRTY_BITMAP: collect (and normally clear) dirty bits.
 * Bit n of the u64 array at data stands for the page at
 * iova + n * page_size.
 */
struct iommu_hwpt_get_dirty_bitmap {
	__u32 size;		/* sizeof(struct iommu_hwpt_get_dirty_bitmap) */
	__u32 hwpt_id;		/* paging HWPT */
	__u32 flags;		/* enum iommufd_hwpt_get_dirty_bitmap_flags */
	__u32 __reserved;	/* must be 0 */
	__aligned_u64 iova;	/* IOVA of bit 0 */
	__aligned_u64 length;	/* bytes of IOVA covered */
	__aligned_u64 page_size; /* bytes per bit */
	__aligned_u64 data;	/* user pointer to the bitmap */
};
#define IOMMU_HWPT_GET_DIRTY_BITMAP \
	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP)

/* ------------------------------------------------------------------ */
/* Cache invalidation                                                 */
/* ------------------------------------------------------------------ */

/* Entry formats for IOMMU_HWPT_INVALIDATE. */
enum iommu_hwpt_invalidate_data_type {
	IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 = 0,	     /* iommu_hwpt_vtd_s1_invalidate */
	IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3 = 1, /* iommu_viommu_arm_smmuv3_invalidate */
};

/* Bits of iommu_hwpt_vtd_s1_invalidate.flags. */
enum iommu_hwpt_vtd_s1_invalidate_flags {
	IOMMU_VTD_INV_FLAGS_LEAF = 1 << 0,	/* only leaf entries changed */
};

/* One VT-d stage-1 invalidation request. */
struct iommu_hwpt_vtd_s1_invalidate {
	__aligned_u64 addr;	/* 4 KiB aligned start address */
	__aligned_u64 npages;	/* 4 KiB pages; U64_MAX with addr 0 = all */
	__u32 flags;		/* enum iommu_hwpt_vtd_s1_invalidate_flags */
	__u32 __reserved;	/* must be 0 */
};

/* One ARM SMMUv3 invalidation: a raw 128-bit CMDQ command, little endian. */
struct iommu_viommu_arm_smmuv3_invalidate {
	__aligned_le64 cmd[2];
};

/*
 * IOMMU_HWPT_INVALIDATE: run an array of driver-specific invalidation
 * requests against a nested HWPT or a vIOMMU.  entry_num is updated to the
 * number of requests that were handled.  entry_num = 0 only checks that
 * data_type is accepted.
 */
struct iommu_hwpt_invalidate {
	__u32 size;		/* sizeof(struct iommu_hwpt_invalidate) */
	__u32 hwpt_id;		/* nested HWPT or vIOMMU */
	__aligned_u64 data_uptr; /* user pointer to the request array */
	__u32 data_type;	/* enum iommu_hwpt_invalidate_data_type */
	__u32 entry_len;	/* bytes per request */
	__u32 entry_num;	/* in: requests, out: requests handled */
	__u32 __reserved;	/* must be 0 */
};
#define IOMMU_HWPT_INVALIDATE _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_INVALIDATE)

/* ------------------------------------------------------------------ */
/* I/O page faults                                                    */
/* ------------------------------------------------------------------ */

/* Bits of iommu_hwpt_pgfault.flags. */
enum iommu_hwpt_pgfault_flags {
	IOMMU_PGFAULT_FLAGS_PASID_VALID = (1 << 0),	/* pasid is set */
	IOMMU_PGFAULT_FLAGS_LAST_PAGE = (1 << 1),	/* last of a group */
};

/* Bits of iommu_hwpt_pgfault.perm. */
enum iommu_hwpt_pgfault_perm {
	IOMMU_PGFAULT_PERM_READ = (1 << 0),
	IOMMU_PGFAULT_PERM_WRITE = (1 << 1),
	IOMMU_PGFAULT_PERM_EXEC = (1 << 2),	/* PASID execute requested */
	IOMMU_PGFAULT_PERM_PRIV = (1 << 3),	/* PASID privileged requested */
};

/* One fault message, read() from a FAULT object's file descriptor. */
struct iommu_hwpt_pgfault {
	__u32 flags;		/* enum iommu_hwpt_pgfault_flags */
	__u32 dev_id;		/* faulting device */
	__u32 pasid;		/* PASID, with PASID_VALID */
	__u32 grpid;		/* page request group index */
	__u32 perm;		/* enum iommu_hwpt_pgfault_perm */
	__u32 __reserved;	/* 0 */
	__aligned_u64 addr;	/* faulting address */
	__u32 length;		/* optional size hint, 0 if none */
	__u32 cookie;		/* echo back in iommu_hwpt_page_response */
};

/* Result codes for iommu_hwpt_page_response.code. */
enum iommufd_page_response_code {
	IOMMUFD_PAGE_RESP_SUCCESS = 0,	/* fixed up, retry the access */
	IOMMUFD_PAGE_RESP_INVALID = 1,	/* give up on the access */
};

/* One fault reply, write() to a FAULT object's file descriptor. */
struct iommu_hwpt_page_response {
	__u32 cookie;		/* cookie from the last fault of the group */
	__u32 code;		/* enum iommufd_page_response_code */
};

/* IOMMU_FAULT_QUEUE_ALLOC: create a FAULT object and its fd. */
struct iommu_fault_alloc {
	__u32 size;		/* sizeof(struct iommu_fault_alloc) */
	__u32 flags;		/* must be 0 */
	__u32 out_fault_id;	/* returned object ID */
	__u32 out_fault_fd;	/* returned file descriptor */
};
#define IOMMU_FAULT_QUEUE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_FAULT_QUEUE_ALLOC)

/* ------------------------------------------------------------------ */
/* Virtual IOMMUs and virtual devices                                 */
/* ------------------------------------------------------------------ */

/* Kinds of vIOMMU. */
enum iommu_viommu_type {
	IOMMU_VIOMMU_TYPE_DEFAULT = 0,		/* reserved */
	IOMMU_VIOMMU_TYPE_ARM_SMMUV3 = 1,
	IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV = 2,	/* SMMUv3 with CMDQV */
	IOMMU_VIOMMU_TYPE_AMD = 3,		/* AMD, nested domains from gDTEs */
};

/* Output data for IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV: where to mmap VINTF page0. */
struct iommu_viommu_tegra241_cmdqv {
	__aligned_u64 out_vintf_mmap_offset;	/* mmap() offset on the iommufd */
	__aligned_u64 out_vintf_mmap_length;	/* mmap() length */
};

/* IOMMU_VIOMMU_ALLOC: create a per-VM slice of a physical IOMMU. */
struct iommu_viommu_alloc {
	__u32 size;		/* sizeof(struct iommu_viommu_alloc) */
	__u32 flags;		/* must be 0 */
	__u32 type;		/* enum iommu_viommu_type */
	__u32 dev_id;		/* device whose IOMMU backs the vIOMMU */
	__u32 hwpt_id;		/* nesting parent HWPT */
	__u32 out_viommu_id;	/* returned object ID */
	__u32 data_len;		/* bytes at data_uptr */
	__u32 __reserved;	/* must be 0 */
	__aligned_u64 data_uptr; /* user pointer to type-specific data */
};
#define IOMMU_VIOMMU_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VIOMMU_ALLOC)

/* IOMMU_VDEVICE_ALLOC: give a device a guest-visible ID on a vIOMMU. */
struct iommu_vdevice_alloc {
	__u32 size;		/* sizeof(struct iommu_vdevice_alloc) */
	__u32 viommu_id;	/* owning vIOMMU */
	__u32 dev_id;		/* physical device */
	__u32 out_vdevice_id;	/* returned object ID */
	__aligned_u64 virt_id;	/* guest ID, e.g. vSID / vDeviceID / vRID */
};
#define IOMMU_VDEVICE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VDEVICE_ALLOC)

/* Operations for IOMMU_VDEVICE_TSM_OP. */
enum iommu_vdevice_tsm_op_type {
	IOMMU_VDEVICE_TSM_BIND = 0x1,	/* bind the vDevice to the TSM */
	IOMMU_VDEVICE_TSM_UNBIND = 0x2,	/* undo the bind */
};

/* IOMMU_VDEVICE_TSM_OP: confidential-computing (TSM) operation on a vDevice. */
struct iommu_vdevice_tsm_op {
	__u32 size;		/* sizeof(struct iommu_vdevice_tsm_op) */
	__u32 type;		/* enum iommu_vdevice_tsm_op_type */
	__u32 flags;		/* must be 0 */
	__u32 vdevice_id;	/* vDevice to operate on */
};
#define IOMMU_VDEVICE_TSM_OP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VDEVICE_TSM_OP)

/*
 * IOMMU_IOAS_CHANGE_PROCESS: move the pinned-page accounting of every
 * (file backed) mapping in this iommufd to the calling process.
 */
struct iommu_ioas_change_process {
	__u32 size;		/* sizeof(struct iommu_ioas_change_process) */
	__u32 __reserved;	/* must be 0 */
};
#define IOMMU_IOAS_CHANGE_PROCESS \
	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_CHANGE_PROCESS)

/* ------------------------------------------------------------------ */
/* Virtual event queues                                               */
/* ------------------------------------------------------------------ */

/* Bits of iommufd_vevent_header.flags. */
enum iommu_veventq_flag {
	IOMMU_VEVENTQ_FLAG_LOST_EVENTS = (1U << 0), /* queue overflowed */
};

/*
 * Header in front of every record read() from a vEVENTQ fd.  sequence
 * counts 0..INT_MAX and wraps to 0; a gap means records were dropped.
 * A trailing LOST_EVENTS header carries no payload.
 */
struct iommufd_vevent_header {
	__u32 flags;		/* enum iommu_veventq_flag */
	__u32 sequence;		/* per-queue record number */
};

/* Kinds of vEVENTQ. */
enum iommu_veventq_type {
	IOMMU_VEVENTQ_TYPE_DEFAULT = 0,		/* reserved */
	IOMMU_VEVENTQ_TYPE_ARM_SMMUV3 = 1,	/* iommu_vevent_arm_smmuv3 */
	IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV = 2,	/* iommu_vevent_tegra241_cmdqv */
};

/* ARM SMMUv3 record: a raw 256-bit event, StreamID replaced by virt_id. */
struct iommu_vevent_arm_smmuv3 {
	__aligned_le64 evt[4];
};

/* Tegra241 CMDQV record: the 128-bit LVCMDQ error map of the VINTF. */
struct iommu_vevent_tegra241_cmdqv {
	__aligned_le64 lvcmdq_err_map[2];
};

/* IOMMU_VEVENTQ_ALLOC: create an event queue (one per type) on a vIOMMU. */
struct iommu_veventq_alloc {
	__u32 size;		/* sizeof(struct iommu_veventq_alloc) */
	__u32 flags;		/* must be 0 */
	__u32 viommu_id;	/* owning vIOMMU */
	__u32 type;		/* enum iommu_veventq_type */
	__u32 veventq_depth;	/* records kept before dropping */
	__u32 out_veventq_id;	/* returned object ID */
	__u32 out_veventq_fd;	/* returned fd; caller must close it */
	__u32 __reserved;	/* must be 0 */
};
#define IOMMU_VEVENTQ_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VEVENTQ_ALLOC)

/* ------------------------------------------------------------------ */
/* Hardware-accelerated queues                                        */
/* ------------------------------------------------------------------ */

/* Kinds of HW queue. */
enum iommu_hw_queue_type {
	IOMMU_HW_QUEUE_TYPE_DEFAULT = 0,	/* reserved */
	/*
	 * Tegra241 VCMDQ.  Indexes are allocated upwards from 0 and freed
	 * downwards; the queue must be mapped in the IOAS, be a power of two
	 * of at least 32 bytes (at most 2^IDR1.CMDQS * 16) and be aligned to
	 * its own size.
	 */
	IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV = 1,
};

/* IOMMU_HW_QUEUE_ALLOC: let hardware use a guest queue directly. */
struct iommu_hw_queue_alloc {
	__u32 size;		/* sizeof(struct iommu_hw_queue_alloc) */
	__u32 flags;		/* must be 0 */
	__u32 viommu_id;	/* owning vIOMMU */
	__u32 type;		/* enum iommu_hw_queue_type */
	__u32 index;		/* queue number within this type */
	__u32 out_hw_queue_id;	/* returned object ID */
	__aligned_u64 nesting_parent_iova; /* queue base, guest physical */
	__aligned_u64 length;	/* queue size in bytes */
};
#define IOMMU_HW_QUEUE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HW_QUEUE_ALLOC)

#endif /* _UAPI_IOMMUFD_H */
