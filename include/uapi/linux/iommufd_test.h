/* SPDX-License-Identifier: MIT */
/*
 * uiommufd - definitions of the iommufd selftest command (IOMMU_TEST_CMD).
 *
 * The kernel's tools/testing/selftests/iommu programs drive a mock IOMMU
 * driver and mock devices through one extra ioctl.  Numbers, layouts and
 * magic values here match the kernel's drivers/iommu/iommufd/iommufd_test.h
 * so those unmodified tests can run against uiommufd.  The comments are our
 * own.
 *
 * The include guard is the kernel's own, so the two headers never clash.
 */
#ifndef _UAPI_IOMMUFD_TEST_H
#define _UAPI_IOMMUFD_TEST_H

#include <linux/types.h>
#include <linux/iommufd.h>

/* Values of iommu_test_cmd.op.  Order is ABI: append only. */
enum {
	IOMMU_TEST_OP_ADD_RESERVED = 1,		/* add_reserved: reserve IOVA */
	IOMMU_TEST_OP_MOCK_DOMAIN,		/* mock_domain: new mock device */
	IOMMU_TEST_OP_MD_CHECK_MAP,		/* check_map: verify a mapping */
	IOMMU_TEST_OP_MD_CHECK_REFS,		/* check_refs: verify page refs */
	IOMMU_TEST_OP_CREATE_ACCESS,		/* create_access: emulated access */
	IOMMU_TEST_OP_DESTROY_ACCESS_PAGES,	/* destroy_access_pages */
	IOMMU_TEST_OP_ACCESS_PAGES,		/* access_pages: pin via access */
	IOMMU_TEST_OP_ACCESS_RW,		/* access_rw: copy via access */
	IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT,	/* memory_limit */
	IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,	/* mock_domain_replace */
	IOMMU_TEST_OP_ACCESS_REPLACE_IOAS,	/* access_replace_ioas */
	IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS,	/* mock_domain_flags */
	IOMMU_TEST_OP_DIRTY,			/* dirty: set mock dirty bits */
	IOMMU_TEST_OP_MD_CHECK_IOTLB,		/* check_iotlb */
	IOMMU_TEST_OP_TRIGGER_IOPF,		/* trigger_iopf: fake a fault */
	IOMMU_TEST_OP_DEV_CHECK_CACHE,		/* check_dev_cache */
	IOMMU_TEST_OP_TRIGGER_VEVENT,		/* trigger_vevent: fake an event */
	IOMMU_TEST_OP_PASID_ATTACH,		/* pasid_attach */
	IOMMU_TEST_OP_PASID_REPLACE,		/* pasid_replace */
	IOMMU_TEST_OP_PASID_DETACH,		/* pasid_detach */
	IOMMU_TEST_OP_PASID_CHECK_HWPT,		/* pasid_check */
	IOMMU_TEST_OP_DMABUF_GET,		/* dmabuf_get: make a dma-buf */
	IOMMU_TEST_OP_DMABUF_REVOKE,		/* dmabuf_revoke */
	IOMMU_TEST_OP_MD_CHECK_DMABUF,		/* check_dmabuf: verify a map */
};

/* Page table formats of the mock IOMMU (iommu_hwpt_selftest.pagetable_type). */
enum {
	MOCK_IOMMUPT_DEFAULT = 0,	/* small pages only */
	MOCK_IOMMUPT_HUGE,		/* also MOCK_HUGE_PAGE_SIZE pages */
};

/* Geometry of the mock IOMMU (MOCK_IOMMUPT_DEFAULT). */
enum {
	MOCK_APERTURE_START = 1UL << 24,	/* lowest usable IOVA */
	MOCK_APERTURE_LAST = (1UL << 31) - 1,	/* highest usable IOVA */
	MOCK_PAGE_SIZE = 2048,			/* IOMMU page size */
	MOCK_HUGE_PAGE_SIZE = 512 * MOCK_PAGE_SIZE,
};

/* Flags for access_pages.flags. */
enum {
	MOCK_FLAGS_ACCESS_WRITE = 1 << 0,	/* pin for writing */
	MOCK_FLAGS_ACCESS_SYZ = 1 << 16,	/* fuzzer: clamp arguments */
};

/* Flags for access_rw.flags. */
enum {
	MOCK_ACCESS_RW_WRITE = 1 << 0,		/* copy user -> IOVA */
	MOCK_ACCESS_RW_SLOW_PATH = 1 << 2,	/* force the slow path */
};

/* Flags for create_access.flags. */
enum {
	MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES = 1 << 0,
};

/* Flags for mock_domain_flags.dev_flags (bit 1 is retired). */
enum {
	MOCK_FLAGS_DEVICE_NO_DIRTY = 1 << 0,	/* no dirty tracking */
	MOCK_FLAGS_DEVICE_PASID = 1 << 2,	/* PASID capable */
};

/* Size of the fake IOTLB of a mock nested domain. */
enum {
	MOCK_NESTED_DOMAIN_IOTLB_ID_MAX = 3,
	MOCK_NESTED_DOMAIN_IOTLB_NUM = 4,
};

/* Size of the fake per-device cache used by vIOMMU invalidation. */
enum {
	MOCK_DEV_CACHE_ID_MAX = 3,
	MOCK_DEV_CACHE_NUM = 4,
};

/* PASID kept free for the PASID replace test. */
#define IOMMU_TEST_PASID_RESERVED 1024

/*
 * Argument of IOMMU_TEST_CMD.  The union member used is chosen by op;
 * "id" names the object operated on (IOAS, HWPT, access or mock device,
 * depending on op).
 */
struct iommu_test_cmd {
	__u32 size;		/* sizeof(struct iommu_test_cmd) */
	__u32 op;		/* IOMMU_TEST_OP_* */
	__u32 id;		/* target object */
	__u32 __reserved;	/* must be 0 */
	__extension__ union {
		/* ADD_RESERVED: id is an IOAS. */
		struct {
			__aligned_u64 start;	/* first IOVA */
			__aligned_u64 length;	/* bytes */
		} add_reserved;
		/* MOCK_DOMAIN: id is an IOAS. */
		struct {
			__u32 out_stdev_id;	/* selftest device object */
			__u32 out_hwpt_id;	/* HWPT it was attached to */
			__u32 out_idev_id;	/* regular iommufd device ID */
		} mock_domain;
		/* MOCK_DOMAIN_FLAGS: mock_domain plus device flags. */
		struct {
			__u32 out_stdev_id;
			__u32 out_hwpt_id;
			__u32 out_idev_id;
			__u32 dev_flags;	/* MOCK_FLAGS_DEVICE_* (input) */
		} mock_domain_flags;
		/* MOCK_DOMAIN_REPLACE: id is a selftest device. */
		struct {
			__u32 pt_id;		/* new IOAS or HWPT */
		} mock_domain_replace;
		/* MD_CHECK_MAP: id is a HWPT (or IOAS). */
		struct {
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;	/* memory the IOVA must map */
		} check_map;
		/* MD_CHECK_REFS. */
		struct {
			__aligned_u64 length;
			__aligned_u64 uptr;	/* user memory to inspect */
			__u32 refs;		/* expected pin count */
		} check_refs;
		/* CREATE_ACCESS: id is an IOAS. */
		struct {
			__u32 out_access_fd;	/* fd of the new access */
			__u32 flags;		/* MOCK_FLAGS_ACCESS_CREATE_* */
		} create_access;
		/* DESTROY_ACCESS_PAGES: id is an access. */
		struct {
			__u32 access_pages_id;
		} destroy_access_pages;
		/* ACCESS_PAGES: id is an access. */
		struct {
			__u32 flags;		/* MOCK_FLAGS_ACCESS_* */
			__u32 out_access_pages_id;
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;	/* memory the pages must match */
		} access_pages;
		/* ACCESS_RW: id is an access. */
		struct {
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;	/* user side of the copy */
			__u32 flags;		/* MOCK_ACCESS_RW_* */
		} access_rw;
		/* SET_TEMP_MEMORY_LIMIT. */
		struct {
			__u32 limit;
		} memory_limit;
		/* ACCESS_REPLACE_IOAS: id is an access. */
		struct {
			__u32 ioas_id;
		} access_replace_ioas;
		/* DIRTY: id is a HWPT. */
		struct {
			__u32 flags;
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 page_size;
			__aligned_u64 uptr;	/* bitmap of pages to dirty */
			__aligned_u64 out_nr_dirty;
		} dirty;
		/* MD_CHECK_IOTLB: id is a nested HWPT. */
		struct {
			__u32 id;		/* IOTLB slot */
			__u32 iotlb;		/* expected value */
		} check_iotlb;
		/* TRIGGER_IOPF. */
		struct {
			__u32 dev_id;
			__u32 pasid;
			__u32 grpid;
			__u32 perm;		/* IOMMU_PGFAULT_PERM_* */
			__u64 addr;
		} trigger_iopf;
		/* DEV_CHECK_CACHE: id is a selftest device. */
		struct {
			__u32 id;		/* cache slot */
			__u32 cache;		/* expected value */
		} check_dev_cache;
		/* TRIGGER_VEVENT. */
		struct {
			__u32 dev_id;
		} trigger_vevent;
		/* PASID_ATTACH: id is a selftest device. */
		struct {
			__u32 pasid;
			__u32 pt_id;
		} pasid_attach;
		/* PASID_REPLACE: id is a selftest device. */
		struct {
			__u32 pasid;
			__u32 pt_id;
		} pasid_replace;
		/* PASID_DETACH: id is a selftest device. */
		struct {
			__u32 pasid;
		} pasid_detach;
		/* PASID_CHECK_HWPT: id is a selftest device. */
		struct {
			__u32 pasid;
			__u32 hwpt_id;		/* expected HWPT, 0 if none */
		} pasid_check;
		/* DMABUF_GET: returns the new dma-buf fd. */
		struct {
			__u32 length;
			__u32 open_flags;	/* O_* flags for the fd */
		} dmabuf_get;
		/* DMABUF_REVOKE. */
		struct {
			__s32 dmabuf_fd;
			__u32 revoked;		/* 1 revoke, 0 restore */
		} dmabuf_revoke;
		/*
		 * MD_CHECK_DMABUF: id is a mock HWPT; [iova, iova + length)
		 * must translate to [offset, offset + length) of the dma-buf.
		 */
		struct {
			__s32 dmabuf_fd;
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 offset;	/* byte offset in the dma-buf */
		} check_dmabuf;
	};
	__u32 last;		/* end marker */
};
#define IOMMU_TEST_CMD _IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE + 32)

/* PASID width of the mock device and mock IOMMU. */
#define MOCK_PASID_WIDTH 20

/* IOMMU_GET_HW_INFO payload of the mock driver. */
#define IOMMU_HW_INFO_TYPE_SELFTEST	0xfeedbeef
#define IOMMU_HW_INFO_SELFTEST_REGVAL	0xdeadbeef

struct iommu_test_hw_info {
	__u32 flags;		/* 0 */
	__u32 test_reg;		/* IOMMU_HW_INFO_SELFTEST_REGVAL */
};

/* Mock nested HWPT data type (outside enum iommu_hwpt_data_type). */
#define IOMMU_HWPT_DATA_SELFTEST 0xdead
#define IOMMU_TEST_IOTLB_DEFAULT 0xbadbeef
#define IOMMU_TEST_DEV_CACHE_DEFAULT 0xbaddad

/* IOMMU_HWPT_DATA_SELFTEST payload. */
struct iommu_hwpt_selftest {
	__u32 iotlb;		/* initial IOTLB value, IOMMU_TEST_IOTLB_DEFAULT */
	__u32 pagetable_type;	/* MOCK_IOMMUPT_* */
};

/* Mock HWPT invalidation types (outside enum iommu_hwpt_invalidate_data_type). */
#define IOMMU_HWPT_INVALIDATE_DATA_SELFTEST 0xdeadbeef
#define IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID 0xdadbeef

/* Ignore the index and invalidate every slot. */
#define IOMMU_TEST_INVALIDATE_FLAG_ALL (1 << 0)

/* One IOMMU_HWPT_INVALIDATE_DATA_SELFTEST request. */
struct iommu_hwpt_invalidate_selftest {
	__u32 flags;		/* IOMMU_TEST_INVALIDATE_FLAG_ALL */
	__u32 iotlb_id;		/* IOTLB slot */
};

/* Mock vIOMMU type. */
#define IOMMU_VIOMMU_TYPE_SELFTEST 0xdeadbeef

/* IOMMU_VIOMMU_TYPE_SELFTEST data: loopback plus an mmap window. */
struct iommu_viommu_selftest {
	__u32 in_data;			/* arbitrary input */
	__u32 out_data;			/* returns in_data */
	__aligned_u64 out_mmap_offset;	/* mmap() offset on the iommufd */
	__aligned_u64 out_mmap_length;	/* mmap() length */
};

/* Mock vIOMMU invalidation types. */
#define IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST 0xdeadbeef
#define IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID 0xdadbeef

/* One IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST request. */
struct iommu_viommu_invalidate_selftest {
	__u32 flags;		/* IOMMU_TEST_INVALIDATE_FLAG_ALL */
	__u32 vdev_id;		/* guest (virtual) device ID */
	__u32 cache_id;		/* device cache slot */
};

/* Mock vEVENTQ type and its record. */
#define IOMMU_VEVENTQ_TYPE_SELFTEST 0xbeefbeef

struct iommu_viommu_event_selftest {
	__u32 virt_id;		/* virtual ID of the reporting device */
};

/* Mock HW queue type and the number of queues per mock vIOMMU. */
#define IOMMU_HW_QUEUE_TYPE_SELFTEST 0xdeadbeef
#define IOMMU_TEST_HW_QUEUE_MAX 2

#endif /* _UAPI_IOMMUFD_TEST_H */
