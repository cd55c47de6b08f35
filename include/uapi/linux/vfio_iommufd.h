/* SPDX-License-Identifier: MIT */
/*
 * uiommufd - VFIO uAPI pieces that older <linux/vfio.h> copies (such as the
 * Linux 6.1 headers shipped by Debian 12) do not have: the device cdev
 * ioctls that bind a VFIO device to an iommufd and attach it to an IOAS or
 * HWPT (optionally per PASID), and a few newer capability, flag and feature
 * definitions.
 *
 * Numbers and layouts follow the kernel ABI; the comments are our own.
 * Each addition is guarded, so this header also builds when the system
 * <linux/vfio.h> already provides it.  A struct is only defined here when
 * its ioctl (or feature) number is missing from <linux/vfio.h>; with a
 * vfio.h of an intermediate version the struct comes from there and may
 * lack trailing fields that were added later (see VFIO_DEVICE_BIND_FLAG_TOKEN
 * and VFIO_DEVICE_ATTACH_PASID).
 */
#ifndef _UIOMMUFD_UAPI_VFIO_IOMMUFD_H
#define _UIOMMUFD_UAPI_VFIO_IOMMUFD_H

#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/vfio.h>

#ifndef __aligned_u64
#define __aligned_u64 __u64 __attribute__((aligned(8)))
#endif

/* ------------------------------------------------------------------ */
/* VFIO_DEVICE_GET_INFO additions                                     */
/* ------------------------------------------------------------------ */

/* vfio_device_info.flags: the device is a vfio-cdx device. */
#ifndef VFIO_DEVICE_FLAGS_CDX
#define VFIO_DEVICE_FLAGS_CDX		(1 << 8)
#endif

/*
 * Device info capability: which PCIe AtomicOp completion widths the root
 * port supports for this device.
 */
#ifndef VFIO_DEVICE_INFO_CAP_PCI_ATOMIC_COMP
#define VFIO_DEVICE_INFO_CAP_PCI_ATOMIC_COMP	5
struct vfio_device_info_cap_pci_atomic_comp {
	struct vfio_info_cap_header header;	/* id = ..._PCI_ATOMIC_COMP */
	__u32 flags;				/* VFIO_PCI_ATOMIC_COMP* */
	__u32 reserved;
};
#endif
#ifndef VFIO_PCI_ATOMIC_COMP32
#define VFIO_PCI_ATOMIC_COMP32		(1 << 0)	/* 32-bit completer */
#endif
#ifndef VFIO_PCI_ATOMIC_COMP64
#define VFIO_PCI_ATOMIC_COMP64		(1 << 1)	/* 64-bit completer */
#endif
#ifndef VFIO_PCI_ATOMIC_COMP128
#define VFIO_PCI_ATOMIC_COMP128		(1 << 2)	/* 128-bit completer */
#endif

/* ------------------------------------------------------------------ */
/* PCI hot reset from a cdev-opened device                            */
/* ------------------------------------------------------------------ */

/*
 * vfio_pci_hot_reset_info.flags: entries carry iommufd device IDs (the
 * first union member, group_id in old headers, holds the devid) ...
 */
#ifndef VFIO_PCI_HOT_RESET_FLAG_DEV_ID
#define VFIO_PCI_HOT_RESET_FLAG_DEV_ID		(1 << 0)
#endif
/* ... and every affected device is owned by the caller. */
#ifndef VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED
#define VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED	(1 << 1)
#endif
/* Special devid values in vfio_pci_dependent_device. */
#ifndef VFIO_PCI_DEVID_OWNED
#define VFIO_PCI_DEVID_OWNED		0	/* owned, but has no devid */
#endif
#ifndef VFIO_PCI_DEVID_NOT_OWNED
#define VFIO_PCI_DEVID_NOT_OWNED	-1	/* not owned by the caller */
#endif

/* ------------------------------------------------------------------ */
/* Device cdev <-> iommufd                                            */
/* ------------------------------------------------------------------ */

/*
 * VFIO_DEVICE_BIND_IOMMUFD: bind a device opened through
 * /dev/vfio/devices/vfioX to an iommufd.  Needed before any other access;
 * undone when the device fd is closed.
 */
#ifndef VFIO_DEVICE_BIND_IOMMUFD
struct vfio_device_bind_iommufd {
	__u32 argsz;		/* sizeof(struct vfio_device_bind_iommufd) */
	__u32 flags;		/* VFIO_DEVICE_BIND_FLAG_* */
	__s32 iommufd;		/* iommufd to bind to */
	__u32 out_devid;	/* returned iommufd device ID */
	__aligned_u64 token_uuid_ptr; /* VF token (16-byte UUID), with FLAG_TOKEN */
};
#define VFIO_DEVICE_BIND_IOMMUFD	_IO(VFIO_TYPE, VFIO_BASE + 18)
#endif
/* bind flags: token_uuid_ptr points to the SR-IOV VF token. */
#ifndef VFIO_DEVICE_BIND_FLAG_TOKEN
#define VFIO_DEVICE_BIND_FLAG_TOKEN	(1 << 0)
#endif

/*
 * VFIO_DEVICE_ATTACH_IOMMUFD_PT: attach the device (or one PASID of it) to
 * an IOAS or HWPT of the bound iommufd.  Attaching again replaces the
 * current attachment.  pt_id returns the HWPT actually used.
 */
#ifndef VFIO_DEVICE_ATTACH_IOMMUFD_PT
struct vfio_device_attach_iommufd_pt {
	__u32 argsz;		/* sizeof(struct vfio_device_attach_iommufd_pt) */
	__u32 flags;		/* VFIO_DEVICE_ATTACH_* */
	__u32 pt_id;		/* in: IOAS or HWPT, out: attached HWPT */
	__u32 pasid;		/* PASID, with VFIO_DEVICE_ATTACH_PASID */
};
#define VFIO_DEVICE_ATTACH_IOMMUFD_PT	_IO(VFIO_TYPE, VFIO_BASE + 19)
#endif
/* attach flags: operate on the PASID in @pasid, not on the whole device. */
#ifndef VFIO_DEVICE_ATTACH_PASID
#define VFIO_DEVICE_ATTACH_PASID	(1 << 0)
#endif

/*
 * VFIO_DEVICE_DETACH_IOMMUFD_PT: detach the device (or one PASID); DMA is
 * blocked afterwards.
 */
#ifndef VFIO_DEVICE_DETACH_IOMMUFD_PT
struct vfio_device_detach_iommufd_pt {
	__u32 argsz;		/* sizeof(struct vfio_device_detach_iommufd_pt) */
	__u32 flags;		/* VFIO_DEVICE_DETACH_* */
	__u32 pasid;		/* PASID, with VFIO_DEVICE_DETACH_PASID */
};
#define VFIO_DEVICE_DETACH_IOMMUFD_PT	_IO(VFIO_TYPE, VFIO_BASE + 20)
#endif
/* detach flags: operate on the PASID in @pasid, not on the whole device. */
#ifndef VFIO_DEVICE_DETACH_PASID
#define VFIO_DEVICE_DETACH_PASID	(1 << 0)
#endif

/* ------------------------------------------------------------------ */
/* Migration and device features                                      */
/* ------------------------------------------------------------------ */

/* vfio_device_feature_migration.flags: PRE_COPY states are supported. */
#ifndef VFIO_MIGRATION_PRE_COPY
#define VFIO_MIGRATION_PRE_COPY		(1 << 2)
#endif

/*
 * VFIO_MIG_GET_PRECOPY_INFO (on the migration data fd): how much data is
 * still pending while in a PRE_COPY state.
 */
#ifndef VFIO_MIG_GET_PRECOPY_INFO
struct vfio_precopy_info {
	__u32 argsz;		/* sizeof(struct vfio_precopy_info) */
	__u32 flags;		/* 0 */
	__aligned_u64 initial_bytes;	/* initial data still to read */
	__aligned_u64 dirty_bytes;	/* changed data still to read */
};
#define VFIO_MIG_GET_PRECOPY_INFO	_IO(VFIO_TYPE, VFIO_BASE + 21)
#endif

/* Feature 9 (GET): estimated size of the STOP_COPY data. */
#ifndef VFIO_DEVICE_FEATURE_MIG_DATA_SIZE
struct vfio_device_feature_mig_data_size {
	__aligned_u64 stop_copy_length;	/* bytes */
};
#define VFIO_DEVICE_FEATURE_MIG_DATA_SIZE 9
#endif

/* Feature 10 (SET): set or clear bus mastering (non-PCI devices). */
#ifndef VFIO_DEVICE_FEATURE_BUS_MASTER
struct vfio_device_feature_bus_master {
	__u32 op;		/* VFIO_DEVICE_FEATURE_{CLEAR,SET}_MASTER */
};
#define VFIO_DEVICE_FEATURE_BUS_MASTER 10
#endif
#ifndef VFIO_DEVICE_FEATURE_CLEAR_MASTER
#define VFIO_DEVICE_FEATURE_CLEAR_MASTER	0	/* block device DMA */
#endif
#ifndef VFIO_DEVICE_FEATURE_SET_MASTER
#define VFIO_DEVICE_FEATURE_SET_MASTER		1	/* allow device DMA */
#endif

/*
 * Feature 11 (GET): export ranges of a region as a dma-buf; the ioctl
 * returns the new fd.
 */
#ifndef VFIO_DEVICE_FEATURE_DMA_BUF
struct vfio_region_dma_range {
	__u64 offset;		/* byte offset within the region */
	__u64 length;		/* bytes */
};

struct vfio_device_feature_dma_buf {
	__u32 region_index;	/* region to export from */
	__u32 open_flags;	/* O_* flags for the new fd */
	__u32 flags;		/* 0 */
	__u32 nr_ranges;	/* entries in dma_ranges[] */
	__extension__ struct vfio_region_dma_range dma_ranges[];
};
#define VFIO_DEVICE_FEATURE_DMA_BUF 11
#endif

#endif /* _UIOMMUFD_UAPI_VFIO_IOMMUFD_H */
