/* SPDX-License-Identifier: MIT */
/*
 * Trace decoders of the VFIO ioctls an iommufd answers as a type1 container
 * (core/vfio_compat.c), and of the VFIO device cdev ioctls an emulated
 * device file answers (front/vfio_cdev.c): bind, attach and detach (with
 * their PASID), and the vfio-pci device queries. VFIO structs begin with argsz; the handlers copy a
 * fixed minimum (minsz) whatever argsz says, so the trace reads that much,
 * or as much of the struct as argsz covers when it is larger.
 * VFIO_CHECK_EXTENSION and VFIO_SET_IOMMU take a number, not a pointer.
 */
#include <stddef.h>

#include <linux/vfio.h>
#include <linux/vfio_iommufd.h>

#include "front/trace_decode.h"

/* extensions and IOMMU types share one numbering */
static const struct tr_sym vfio_extensions[] = {
	{ VFIO_TYPE1_IOMMU, "VFIO_TYPE1_IOMMU" },
	{ VFIO_SPAPR_TCE_IOMMU, "VFIO_SPAPR_TCE_IOMMU" },
	{ VFIO_TYPE1v2_IOMMU, "VFIO_TYPE1v2_IOMMU" },
	{ VFIO_DMA_CC_IOMMU, "VFIO_DMA_CC_IOMMU" },
	{ VFIO_EEH, "VFIO_EEH" },
	{ 6, "VFIO_TYPE1_NESTING_IOMMU" },
	{ VFIO_SPAPR_TCE_v2_IOMMU, "VFIO_SPAPR_TCE_v2_IOMMU" },
	{ VFIO_NOIOMMU_IOMMU, "VFIO_NOIOMMU_IOMMU" },
	{ VFIO_UNMAP_ALL, "VFIO_UNMAP_ALL" },
	{ VFIO_UPDATE_VADDR, "VFIO_UPDATE_VADDR" },
	{ 0, NULL },
};

static const struct tr_sym info_flags[] = {
	{ VFIO_IOMMU_INFO_PGSIZES, "PGSIZES" },
	{ VFIO_IOMMU_INFO_CAPS, "CAPS" },
	{ 0, NULL },
};

static const struct tr_sym map_flags[] = {
	{ VFIO_DMA_MAP_FLAG_READ, "READ" },
	{ VFIO_DMA_MAP_FLAG_WRITE, "WRITE" },
	{ VFIO_DMA_MAP_FLAG_VADDR, "VADDR" },
	{ 0, NULL },
};

static const struct tr_sym unmap_flags[] = {
	{ VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP, "GET_DIRTY_BITMAP" },
	{ VFIO_DMA_UNMAP_FLAG_ALL, "ALL" },
	{ VFIO_DMA_UNMAP_FLAG_VADDR, "VADDR" },
	{ 0, NULL },
};

static const struct tr_sym dirty_pages_flags[] = {
	{ VFIO_IOMMU_DIRTY_PAGES_FLAG_START, "START" },
	{ VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP, "STOP" },
	{ VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP, "GET_BITMAP" },
	{ 0, NULL },
};

static const struct tr_sym bind_flags[] = {
	{ VFIO_DEVICE_BIND_FLAG_TOKEN, "TOKEN" },
	{ 0, NULL },
};

static const struct tr_sym device_flags[] = {
	{ VFIO_DEVICE_FLAGS_RESET, "RESET" },
	{ VFIO_DEVICE_FLAGS_PCI, "PCI" },
	{ VFIO_DEVICE_FLAGS_PLATFORM, "PLATFORM" },
	{ VFIO_DEVICE_FLAGS_AMBA, "AMBA" },
	{ VFIO_DEVICE_FLAGS_CCW, "CCW" },
	{ VFIO_DEVICE_FLAGS_AP, "AP" },
	{ VFIO_DEVICE_FLAGS_FSL_MC, "FSL_MC" },
	{ VFIO_DEVICE_FLAGS_CAPS, "CAPS" },
	{ VFIO_DEVICE_FLAGS_CDX, "CDX" },
	{ 0, NULL },
};

static const struct tr_sym feature_flags[] = {
	{ VFIO_DEVICE_FEATURE_GET, "GET" },
	{ VFIO_DEVICE_FEATURE_SET, "SET" },
	{ VFIO_DEVICE_FEATURE_PROBE, "PROBE" },
	{ 0, NULL },
};

static const struct tr_sym attach_flags[] = {
	{ VFIO_DEVICE_ATTACH_PASID, "PASID" },
	{ 0, NULL },
};

#define F(type, member, kind, dir, syms) TR_FIELD(type, member, kind, dir, syms)

static const struct tr_field get_info_fields[] = {
	F(struct vfio_iommu_type1_info, argsz, TK_DEC, TD_INOUT, NULL),
	F(struct vfio_iommu_type1_info, flags, TK_FLAGS, TD_OUT, info_flags),
	F(struct vfio_iommu_type1_info, iova_pgsizes, TK_HEX, TD_OUT, NULL),
	F(struct vfio_iommu_type1_info, cap_offset, TK_DEC, TD_OUT, NULL),
};

static const struct tr_field map_dma_fields[] = {
	F(struct vfio_iommu_type1_dma_map, argsz, TK_DEC, TD_IN, NULL),
	F(struct vfio_iommu_type1_dma_map, flags, TK_FLAGS, TD_IN, map_flags),
	F(struct vfio_iommu_type1_dma_map, vaddr, TK_PTR, TD_IN, NULL),
	F(struct vfio_iommu_type1_dma_map, iova, TK_HEX, TD_IN, NULL),
	F(struct vfio_iommu_type1_dma_map, size, TK_HEX, TD_IN, NULL),
};

static const struct tr_field unmap_dma_fields[] = {
	F(struct vfio_iommu_type1_dma_unmap, argsz, TK_DEC, TD_IN, NULL),
	F(struct vfio_iommu_type1_dma_unmap, flags, TK_FLAGS, TD_IN,
	  unmap_flags),
	F(struct vfio_iommu_type1_dma_unmap, iova, TK_HEX, TD_IN, NULL),
	F(struct vfio_iommu_type1_dma_unmap, size, TK_HEX, TD_INOUT, NULL),
};

static const struct tr_field dirty_pages_fields[] = {
	F(struct vfio_iommu_type1_dirty_bitmap, argsz, TK_DEC, TD_IN, NULL),
	F(struct vfio_iommu_type1_dirty_bitmap, flags, TK_FLAGS, TD_IN,
	  dirty_pages_flags),
};

static const struct tr_field bind_fields[] = {
	F(struct vfio_device_bind_iommufd, argsz, TK_DEC, TD_IN, NULL),
	F(struct vfio_device_bind_iommufd, flags, TK_FLAGS, TD_IN, bind_flags),
	F(struct vfio_device_bind_iommufd, iommufd, TK_SDEC, TD_IN, NULL),
	F(struct vfio_device_bind_iommufd, out_devid, TK_DEC, TD_OUT, NULL),
	F(struct vfio_device_bind_iommufd, token_uuid_ptr, TK_PTR, TD_IN,
	  NULL),
};

static const struct tr_field attach_fields[] = {
	F(struct vfio_device_attach_iommufd_pt, argsz, TK_DEC, TD_IN, NULL),
	F(struct vfio_device_attach_iommufd_pt, flags, TK_FLAGS, TD_IN,
	  attach_flags),
	F(struct vfio_device_attach_iommufd_pt, pt_id, TK_DEC, TD_INOUT, NULL),
	F(struct vfio_device_attach_iommufd_pt, pasid, TK_HEX, TD_IN, NULL),
};

static const struct tr_field detach_fields[] = {
	F(struct vfio_device_detach_iommufd_pt, argsz, TK_DEC, TD_IN, NULL),
	F(struct vfio_device_detach_iommufd_pt, flags, TK_FLAGS, TD_IN,
	  attach_flags),
	F(struct vfio_device_detach_iommufd_pt, pasid, TK_HEX, TD_IN, NULL),
};

static const struct tr_field device_info_fields[] = {
	F(struct vfio_device_info, argsz, TK_DEC, TD_IN, NULL),
	F(struct vfio_device_info, flags, TK_FLAGS, TD_OUT, device_flags),
	F(struct vfio_device_info, num_regions, TK_DEC, TD_OUT, NULL),
	F(struct vfio_device_info, num_irqs, TK_DEC, TD_OUT, NULL),
};

static const struct tr_field region_info_fields[] = {
	F(struct vfio_region_info, argsz, TK_DEC, TD_IN, NULL),
	F(struct vfio_region_info, index, TK_DEC, TD_IN, NULL),
};

static const struct tr_field irq_info_fields[] = {
	F(struct vfio_irq_info, argsz, TK_DEC, TD_IN, NULL),
	F(struct vfio_irq_info, index, TK_DEC, TD_IN, NULL),
};

static const struct tr_field feature_fields[] = {
	F(struct vfio_device_feature, argsz, TK_DEC, TD_IN, NULL),
	F(struct vfio_device_feature, flags, TK_FLAGS, TD_IN, feature_flags),
};

#define ARGSZ(_cmd, type, last, table)                                     \
	{                                                                  \
		.cmd = _cmd, .name = #_cmd, .arg = TA_ARGSZ,               \
		.ksize = sizeof(type), .min_size = offsetofend(type, last), \
		TR_FIELDS(table)                                           \
	}

const struct tr_ioctl tr_vfio_ioctls[] = {
	{ .cmd = VFIO_GET_API_VERSION, .name = "VFIO_GET_API_VERSION",
	  .arg = TA_NONE },
	{ .cmd = VFIO_CHECK_EXTENSION, .name = "VFIO_CHECK_EXTENSION",
	  .arg = TA_VALUE, .value_syms = vfio_extensions },
	{ .cmd = VFIO_SET_IOMMU, .name = "VFIO_SET_IOMMU", .arg = TA_VALUE,
	  .value_syms = vfio_extensions },
	ARGSZ(VFIO_IOMMU_GET_INFO, struct vfio_iommu_type1_info, iova_pgsizes,
	      get_info_fields),
	ARGSZ(VFIO_IOMMU_MAP_DMA, struct vfio_iommu_type1_dma_map, size,
	      map_dma_fields),
	ARGSZ(VFIO_IOMMU_UNMAP_DMA, struct vfio_iommu_type1_dma_unmap, size,
	      unmap_dma_fields),
	ARGSZ(VFIO_IOMMU_DIRTY_PAGES, struct vfio_iommu_type1_dirty_bitmap,
	      flags, dirty_pages_fields),
	ARGSZ(VFIO_DEVICE_BIND_IOMMUFD, struct vfio_device_bind_iommufd,
	      out_devid, bind_fields),
	ARGSZ(VFIO_DEVICE_ATTACH_IOMMUFD_PT,
	      struct vfio_device_attach_iommufd_pt, pt_id, attach_fields),
	ARGSZ(VFIO_DEVICE_DETACH_IOMMUFD_PT,
	      struct vfio_device_detach_iommufd_pt, flags, detach_fields),
	ARGSZ(VFIO_DEVICE_GET_INFO, struct vfio_device_info, num_irqs,
	      device_info_fields),
	ARGSZ(VFIO_DEVICE_GET_REGION_INFO, struct vfio_region_info, offset,
	      region_info_fields),
	ARGSZ(VFIO_DEVICE_GET_IRQ_INFO, struct vfio_irq_info, count,
	      irq_info_fields),
	{ .cmd = VFIO_DEVICE_RESET, .name = "VFIO_DEVICE_RESET",
	  .arg = TA_NONE },
	ARGSZ(VFIO_DEVICE_FEATURE, struct vfio_device_feature, flags,
	      feature_fields),
};

const size_t tr_vfio_nr = ARRAY_SIZE(tr_vfio_ioctls);
