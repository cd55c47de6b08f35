/* SPDX-License-Identifier: MIT */
/*
 * Following an older kernel's uAPI (UIOMMUFD_KERNEL=X.Y, uiommufd-run
 * --kernel=X.Y). See kernel_compat.c.
 */
#ifndef UIOMMUFD_CORE_KERNEL_COMPAT_H
#define UIOMMUFD_CORE_KERNEL_COMPAT_H

#include <stdbool.h>

/* What came in which release; the table is in kernel_compat.c. */
enum uio_kfeature {
	UIO_KF_BASE,              /* the first iommufd: IOAS, OPTION, VFIO compat */
	UIO_KF_HWPT_ALLOC,        /* IOMMU_HWPT_ALLOC, no flags, no data */
	UIO_KF_HW_INFO,           /* IOMMU_GET_HW_INFO */
	UIO_KF_VFIO_CDEV,         /* /dev/vfio/devices/vfioN and its iommufd ioctls */
	UIO_KF_NESTING,           /* HWPT data types, NEST_PARENT, nested HWPTs */
	UIO_KF_DIRTY_TRACKING,    /* DIRTY_TRACKING flag, SET/GET dirty, capabilities */
	UIO_KF_HWPT_INVALIDATE,   /* IOMMU_HWPT_INVALIDATE */
	UIO_KF_FAULT_QUEUE,       /* IOMMU_FAULT_QUEUE_ALLOC, FAULT_ID_VALID */
	UIO_KF_VIOMMU,            /* IOMMU_VIOMMU_ALLOC, VDEVICE_ALLOC, SMMUv3 nesting */
	UIO_KF_MAP_FILE,          /* IOMMU_IOAS_MAP_FILE, IOMMU_IOAS_CHANGE_PROCESS */
	UIO_KF_VEVENTQ,           /* IOMMU_VEVENTQ_ALLOC */
	UIO_KF_PASID,             /* PASID attach: HWPT_ALLOC_PASID, max_pasid_log2 */
	UIO_KF_HW_QUEUE,          /* IOMMU_HW_QUEUE_ALLOC, mmap of the iommufd */
	UIO_KF_HW_INFO_INPUT,     /* IOMMU_HW_INFO_FLAG_INPUT_TYPE */
	UIO_KF_AMD_NESTING,       /* IOMMU_HWPT_DATA_AMD_GUEST, the AMD vIOMMU */
	UIO_KF_TSM,               /* IOMMU_VDEVICE_TSM_OP */
	UIO_KF_NR,
};

struct iommufd_ctx;

/* The release UIOMMUFD_KERNEL names now (0: latest), read on each call. */
unsigned int uio_kernel_from_env(void);

/* Whether release @kver (0: latest) has @f. */
bool uio_kernel_has(unsigned int kver, enum uio_kfeature f);

/*
 * 0 when @ictx's release has @f; else -@err with the reason "WHAT came in
 * Linux X.Y; following A.B (UIOMMUFD_KERNEL)". @what names the refused
 * thing as the caller sees it (an ioctl, a flag, a data type).
 */
int iommufd_kernel_check(const struct iommufd_ctx *ictx, enum uio_kfeature f,
			 int err, const char *what);

/* The same against the release UIOMMUFD_KERNEL names now (no context). */
int uio_kernel_check(unsigned int kver, enum uio_kfeature f, int err,
		     const char *what);

/*
 * The size of an ioctl's struct in @ictx's release, when it grew later:
 * IOMMU_HWPT_ALLOC and IOMMU_GET_HW_INFO. 0 for "as in the newest".
 */
unsigned int iommufd_kernel_struct_size(const struct iommufd_ctx *ictx,
					unsigned long cmd);

#endif
