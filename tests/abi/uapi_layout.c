/* SPDX-License-Identifier: MIT */
/*
 * ABI layout check for the uAPI headers in include/uapi/linux.
 *
 * Every struct size, field offset, ioctl number and enum/flag value below
 * is the Linux kernel's (x86-64 / any LP64 ABI with 8-byte-aligned
 * __aligned_u64).  The program does all its work at compile time; if it
 * builds, it passes and exits 0.
 *
 * The VFIO checks assume that either the system <linux/vfio.h> predates the
 * device cdev ioctls (as Debian 12 does) or is new enough to carry every
 * field checked here.
 *
 * Build: gcc -std=gnu11 -Wall -Wextra -Werror -I include/uapi \
 *            -o /tmp/uapi_layout tests/abi/uapi_layout.c
 */
#include <stddef.h>
#include <stdalign.h>

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>
#include <linux/vfio_iommufd.h>

#define SIZE(type, n) \
	_Static_assert(sizeof(struct type) == (n), "sizeof(struct " #type ")")
#define ALIGN(type, n) \
	_Static_assert(alignof(struct type) == (n), "alignof(struct " #type ")")
#define OFF(type, field, n)                                     \
	_Static_assert(offsetof(struct type, field) == (n),     \
		       "offsetof(struct " #type ", " #field ")")
#define FSIZE(type, field, n)                                           \
	_Static_assert(sizeof(((struct type *)0)->field) == (n),        \
		       "sizeof(struct " #type "::" #field ")")
#define EQ(a, b) _Static_assert((a) == (b), #a " == " #b)

/* ================================================================== */
/* iommufd.h                                                          */
/* ================================================================== */

/* ioctl encoding: _IO(';', nr) == 0x3b00 | nr */
EQ(IOMMUFD_TYPE, ';');
EQ(IOMMUFD_CMD_BASE, 0x80);
EQ(IOMMU_DESTROY, 0x3b80);
EQ(IOMMU_IOAS_ALLOC, 0x3b81);
EQ(IOMMU_IOAS_ALLOW_IOVAS, 0x3b82);
EQ(IOMMU_IOAS_COPY, 0x3b83);
EQ(IOMMU_IOAS_IOVA_RANGES, 0x3b84);
EQ(IOMMU_IOAS_MAP, 0x3b85);
EQ(IOMMU_IOAS_UNMAP, 0x3b86);
EQ(IOMMU_OPTION, 0x3b87);
EQ(IOMMU_VFIO_IOAS, 0x3b88);
EQ(IOMMU_HWPT_ALLOC, 0x3b89);
EQ(IOMMU_GET_HW_INFO, 0x3b8a);
EQ(IOMMU_HWPT_SET_DIRTY_TRACKING, 0x3b8b);
EQ(IOMMU_HWPT_GET_DIRTY_BITMAP, 0x3b8c);
EQ(IOMMU_HWPT_INVALIDATE, 0x3b8d);
EQ(IOMMU_FAULT_QUEUE_ALLOC, 0x3b8e);
EQ(IOMMU_IOAS_MAP_FILE, 0x3b8f);
EQ(IOMMU_VIOMMU_ALLOC, 0x3b90);
EQ(IOMMU_VDEVICE_ALLOC, 0x3b91);
EQ(IOMMU_IOAS_CHANGE_PROCESS, 0x3b92);
EQ(IOMMU_VEVENTQ_ALLOC, 0x3b93);
EQ(IOMMU_HW_QUEUE_ALLOC, 0x3b94);
EQ(IOMMU_VDEVICE_TSM_OP, 0x3b95);

EQ(IOMMUFD_CMD_DESTROY, 0x80);
EQ(IOMMUFD_CMD_IOAS_ALLOC, 0x81);
EQ(IOMMUFD_CMD_IOAS_ALLOW_IOVAS, 0x82);
EQ(IOMMUFD_CMD_IOAS_COPY, 0x83);
EQ(IOMMUFD_CMD_IOAS_IOVA_RANGES, 0x84);
EQ(IOMMUFD_CMD_IOAS_MAP, 0x85);
EQ(IOMMUFD_CMD_IOAS_UNMAP, 0x86);
EQ(IOMMUFD_CMD_OPTION, 0x87);
EQ(IOMMUFD_CMD_VFIO_IOAS, 0x88);
EQ(IOMMUFD_CMD_HWPT_ALLOC, 0x89);
EQ(IOMMUFD_CMD_GET_HW_INFO, 0x8a);
EQ(IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING, 0x8b);
EQ(IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP, 0x8c);
EQ(IOMMUFD_CMD_HWPT_INVALIDATE, 0x8d);
EQ(IOMMUFD_CMD_FAULT_QUEUE_ALLOC, 0x8e);
EQ(IOMMUFD_CMD_IOAS_MAP_FILE, 0x8f);
EQ(IOMMUFD_CMD_VIOMMU_ALLOC, 0x90);
EQ(IOMMUFD_CMD_VDEVICE_ALLOC, 0x91);
EQ(IOMMUFD_CMD_IOAS_CHANGE_PROCESS, 0x92);
EQ(IOMMUFD_CMD_VEVENTQ_ALLOC, 0x93);
EQ(IOMMUFD_CMD_HW_QUEUE_ALLOC, 0x94);
EQ(IOMMUFD_CMD_VDEVICE_TSM_OP, 0x95);

/* enums and flag bits */
EQ(IOMMU_IOAS_MAP_FIXED_IOVA, 1);
EQ(IOMMU_IOAS_MAP_WRITEABLE, 2);
EQ(IOMMU_IOAS_MAP_READABLE, 4);
EQ(IOMMU_OPTION_RLIMIT_MODE, 0);
EQ(IOMMU_OPTION_HUGE_PAGES, 1);
EQ(IOMMU_OPTION_OP_SET, 0);
EQ(IOMMU_OPTION_OP_GET, 1);
EQ(IOMMU_VFIO_IOAS_GET, 0);
EQ(IOMMU_VFIO_IOAS_SET, 1);
EQ(IOMMU_VFIO_IOAS_CLEAR, 2);
EQ(IOMMU_HWPT_ALLOC_NEST_PARENT, 1);
EQ(IOMMU_HWPT_ALLOC_DIRTY_TRACKING, 2);
EQ(IOMMU_HWPT_FAULT_ID_VALID, 4);
EQ(IOMMU_HWPT_ALLOC_PASID, 8);
EQ(IOMMU_VTD_S1_SRE, 1);
EQ(IOMMU_VTD_S1_EAFE, 2);
EQ(IOMMU_VTD_S1_WPE, 4);
EQ(IOMMU_HWPT_DATA_NONE, 0);
EQ(IOMMU_HWPT_DATA_VTD_S1, 1);
EQ(IOMMU_HWPT_DATA_ARM_SMMUV3, 2);
EQ(IOMMU_HWPT_DATA_AMD_GUEST, 3);
EQ(IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17, 1);
EQ(IOMMU_HW_INFO_ARM_SMMUV3_ERRATA_REPEAT_TLBI_CFGI, 1);
EQ(IOMMU_HW_INFO_TYPE_NONE, 0);
EQ(IOMMU_HW_INFO_TYPE_DEFAULT, 0);
EQ(IOMMU_HW_INFO_TYPE_INTEL_VTD, 1);
EQ(IOMMU_HW_INFO_TYPE_ARM_SMMUV3, 2);
EQ(IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV, 3);
EQ(IOMMU_HW_INFO_TYPE_AMD, 4);
EQ(IOMMU_HW_CAP_DIRTY_TRACKING, 1);
EQ(IOMMU_HW_CAP_PCI_PASID_EXEC, 2);
EQ(IOMMU_HW_CAP_PCI_PASID_PRIV, 4);
EQ(IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED, 8);
EQ(IOMMU_HW_INFO_FLAG_INPUT_TYPE, 1);
EQ(IOMMU_HWPT_DIRTY_TRACKING_ENABLE, 1);
EQ(IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, 1);
EQ(IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, 0);
EQ(IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, 1);
EQ(IOMMU_VTD_INV_FLAGS_LEAF, 1);
EQ(IOMMU_PGFAULT_FLAGS_PASID_VALID, 1);
EQ(IOMMU_PGFAULT_FLAGS_LAST_PAGE, 2);
EQ(IOMMU_PGFAULT_PERM_READ, 1);
EQ(IOMMU_PGFAULT_PERM_WRITE, 2);
EQ(IOMMU_PGFAULT_PERM_EXEC, 4);
EQ(IOMMU_PGFAULT_PERM_PRIV, 8);
EQ(IOMMUFD_PAGE_RESP_SUCCESS, 0);
EQ(IOMMUFD_PAGE_RESP_INVALID, 1);
EQ(IOMMU_VIOMMU_TYPE_DEFAULT, 0);
EQ(IOMMU_VIOMMU_TYPE_ARM_SMMUV3, 1);
EQ(IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV, 2);
EQ(IOMMU_VDEVICE_TSM_BIND, 1);
EQ(IOMMU_VDEVICE_TSM_UNBIND, 2);
EQ(IOMMU_VEVENTQ_FLAG_LOST_EVENTS, 1);
EQ(IOMMU_VEVENTQ_TYPE_DEFAULT, 0);
EQ(IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, 1);
EQ(IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV, 2);
EQ(IOMMU_HW_QUEUE_TYPE_DEFAULT, 0);
EQ(IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV, 1);

/* struct iommu_destroy */
SIZE(iommu_destroy, 8);
OFF(iommu_destroy, size, 0);
OFF(iommu_destroy, id, 4);

/* struct iommu_ioas_alloc */
SIZE(iommu_ioas_alloc, 12);
OFF(iommu_ioas_alloc, size, 0);
OFF(iommu_ioas_alloc, flags, 4);
OFF(iommu_ioas_alloc, out_ioas_id, 8);

/* struct iommu_iova_range */
SIZE(iommu_iova_range, 16);
ALIGN(iommu_iova_range, 8);
OFF(iommu_iova_range, start, 0);
OFF(iommu_iova_range, last, 8);

/* struct iommu_ioas_iova_ranges */
SIZE(iommu_ioas_iova_ranges, 32);
ALIGN(iommu_ioas_iova_ranges, 8);
OFF(iommu_ioas_iova_ranges, size, 0);
OFF(iommu_ioas_iova_ranges, ioas_id, 4);
OFF(iommu_ioas_iova_ranges, num_iovas, 8);
OFF(iommu_ioas_iova_ranges, __reserved, 12);
OFF(iommu_ioas_iova_ranges, allowed_iovas, 16);
OFF(iommu_ioas_iova_ranges, out_iova_alignment, 24);

/* struct iommu_ioas_allow_iovas */
SIZE(iommu_ioas_allow_iovas, 24);
OFF(iommu_ioas_allow_iovas, size, 0);
OFF(iommu_ioas_allow_iovas, ioas_id, 4);
OFF(iommu_ioas_allow_iovas, num_iovas, 8);
OFF(iommu_ioas_allow_iovas, __reserved, 12);
OFF(iommu_ioas_allow_iovas, allowed_iovas, 16);

/* struct iommu_ioas_map */
SIZE(iommu_ioas_map, 40);
OFF(iommu_ioas_map, size, 0);
OFF(iommu_ioas_map, flags, 4);
OFF(iommu_ioas_map, ioas_id, 8);
OFF(iommu_ioas_map, __reserved, 12);
OFF(iommu_ioas_map, user_va, 16);
OFF(iommu_ioas_map, length, 24);
OFF(iommu_ioas_map, iova, 32);

/* struct iommu_ioas_map_file */
SIZE(iommu_ioas_map_file, 40);
OFF(iommu_ioas_map_file, size, 0);
OFF(iommu_ioas_map_file, flags, 4);
OFF(iommu_ioas_map_file, ioas_id, 8);
OFF(iommu_ioas_map_file, fd, 12);
OFF(iommu_ioas_map_file, start, 16);
OFF(iommu_ioas_map_file, length, 24);
OFF(iommu_ioas_map_file, iova, 32);

/* struct iommu_ioas_copy */
SIZE(iommu_ioas_copy, 40);
OFF(iommu_ioas_copy, size, 0);
OFF(iommu_ioas_copy, flags, 4);
OFF(iommu_ioas_copy, dst_ioas_id, 8);
OFF(iommu_ioas_copy, src_ioas_id, 12);
OFF(iommu_ioas_copy, length, 16);
OFF(iommu_ioas_copy, dst_iova, 24);
OFF(iommu_ioas_copy, src_iova, 32);

/* struct iommu_ioas_unmap */
SIZE(iommu_ioas_unmap, 24);
OFF(iommu_ioas_unmap, size, 0);
OFF(iommu_ioas_unmap, ioas_id, 4);
OFF(iommu_ioas_unmap, iova, 8);
OFF(iommu_ioas_unmap, length, 16);

/* struct iommu_option */
SIZE(iommu_option, 24);
OFF(iommu_option, size, 0);
OFF(iommu_option, option_id, 4);
OFF(iommu_option, op, 8);
OFF(iommu_option, __reserved, 10);
OFF(iommu_option, object_id, 12);
OFF(iommu_option, val64, 16);

/* struct iommu_vfio_ioas */
SIZE(iommu_vfio_ioas, 12);
OFF(iommu_vfio_ioas, size, 0);
OFF(iommu_vfio_ioas, ioas_id, 4);
OFF(iommu_vfio_ioas, op, 8);
OFF(iommu_vfio_ioas, __reserved, 10);

/* struct iommu_hwpt_vtd_s1 */
SIZE(iommu_hwpt_vtd_s1, 24);
OFF(iommu_hwpt_vtd_s1, flags, 0);
OFF(iommu_hwpt_vtd_s1, pgtbl_addr, 8);
OFF(iommu_hwpt_vtd_s1, addr_width, 16);
OFF(iommu_hwpt_vtd_s1, __reserved, 20);

/* struct iommu_hwpt_arm_smmuv3 */
SIZE(iommu_hwpt_arm_smmuv3, 16);
ALIGN(iommu_hwpt_arm_smmuv3, 8);
OFF(iommu_hwpt_arm_smmuv3, ste, 0);
FSIZE(iommu_hwpt_arm_smmuv3, ste, 16);

/* struct iommu_hwpt_amd_guest */
SIZE(iommu_hwpt_amd_guest, 32);
ALIGN(iommu_hwpt_amd_guest, 8);
OFF(iommu_hwpt_amd_guest, dte, 0);
FSIZE(iommu_hwpt_amd_guest, dte, 32);

/* struct iommu_hwpt_alloc */
SIZE(iommu_hwpt_alloc, 48);
OFF(iommu_hwpt_alloc, size, 0);
OFF(iommu_hwpt_alloc, flags, 4);
OFF(iommu_hwpt_alloc, dev_id, 8);
OFF(iommu_hwpt_alloc, pt_id, 12);
OFF(iommu_hwpt_alloc, out_hwpt_id, 16);
OFF(iommu_hwpt_alloc, __reserved, 20);
OFF(iommu_hwpt_alloc, data_type, 24);
OFF(iommu_hwpt_alloc, data_len, 28);
OFF(iommu_hwpt_alloc, data_uptr, 32);
OFF(iommu_hwpt_alloc, fault_id, 40);
OFF(iommu_hwpt_alloc, __reserved2, 44);

/* struct iommu_hw_info_vtd */
SIZE(iommu_hw_info_vtd, 24);
OFF(iommu_hw_info_vtd, flags, 0);
OFF(iommu_hw_info_vtd, __reserved, 4);
OFF(iommu_hw_info_vtd, cap_reg, 8);
OFF(iommu_hw_info_vtd, ecap_reg, 16);

/* struct iommu_hw_info_arm_smmuv3 */
SIZE(iommu_hw_info_arm_smmuv3, 40);
ALIGN(iommu_hw_info_arm_smmuv3, 4);
OFF(iommu_hw_info_arm_smmuv3, flags, 0);
OFF(iommu_hw_info_arm_smmuv3, __reserved, 4);
OFF(iommu_hw_info_arm_smmuv3, idr, 8);
FSIZE(iommu_hw_info_arm_smmuv3, idr, 24);
OFF(iommu_hw_info_arm_smmuv3, iidr, 32);
OFF(iommu_hw_info_arm_smmuv3, aidr, 36);

/* struct iommu_hw_info_tegra241_cmdqv */
SIZE(iommu_hw_info_tegra241_cmdqv, 8);
OFF(iommu_hw_info_tegra241_cmdqv, flags, 0);
OFF(iommu_hw_info_tegra241_cmdqv, version, 4);
OFF(iommu_hw_info_tegra241_cmdqv, log2vcmdqs, 5);
OFF(iommu_hw_info_tegra241_cmdqv, log2vsids, 6);
OFF(iommu_hw_info_tegra241_cmdqv, __reserved, 7);

/* struct iommu_hw_info_amd */
SIZE(iommu_hw_info_amd, 16);
OFF(iommu_hw_info_amd, efr, 0);
OFF(iommu_hw_info_amd, efr2, 8);

/* struct iommu_hw_info */
SIZE(iommu_hw_info, 40);
ALIGN(iommu_hw_info, 8);
OFF(iommu_hw_info, size, 0);
OFF(iommu_hw_info, flags, 4);
OFF(iommu_hw_info, dev_id, 8);
OFF(iommu_hw_info, data_len, 12);
OFF(iommu_hw_info, data_uptr, 16);
OFF(iommu_hw_info, in_data_type, 24);
OFF(iommu_hw_info, out_data_type, 24);
OFF(iommu_hw_info, out_max_pasid_log2, 28);
OFF(iommu_hw_info, __reserved, 29);
FSIZE(iommu_hw_info, __reserved, 3);
OFF(iommu_hw_info, out_capabilities, 32);

/* struct iommu_hwpt_set_dirty_tracking */
SIZE(iommu_hwpt_set_dirty_tracking, 16);
OFF(iommu_hwpt_set_dirty_tracking, size, 0);
OFF(iommu_hwpt_set_dirty_tracking, flags, 4);
OFF(iommu_hwpt_set_dirty_tracking, hwpt_id, 8);
OFF(iommu_hwpt_set_dirty_tracking, __reserved, 12);

/* struct iommu_hwpt_get_dirty_bitmap */
SIZE(iommu_hwpt_get_dirty_bitmap, 48);
OFF(iommu_hwpt_get_dirty_bitmap, size, 0);
OFF(iommu_hwpt_get_dirty_bitmap, hwpt_id, 4);
OFF(iommu_hwpt_get_dirty_bitmap, flags, 8);
OFF(iommu_hwpt_get_dirty_bitmap, __reserved, 12);
OFF(iommu_hwpt_get_dirty_bitmap, iova, 16);
OFF(iommu_hwpt_get_dirty_bitmap, length, 24);
OFF(iommu_hwpt_get_dirty_bitmap, page_size, 32);
OFF(iommu_hwpt_get_dirty_bitmap, data, 40);

/* struct iommu_hwpt_vtd_s1_invalidate */
SIZE(iommu_hwpt_vtd_s1_invalidate, 24);
OFF(iommu_hwpt_vtd_s1_invalidate, addr, 0);
OFF(iommu_hwpt_vtd_s1_invalidate, npages, 8);
OFF(iommu_hwpt_vtd_s1_invalidate, flags, 16);
OFF(iommu_hwpt_vtd_s1_invalidate, __reserved, 20);

/* struct iommu_viommu_arm_smmuv3_invalidate */
SIZE(iommu_viommu_arm_smmuv3_invalidate, 16);
ALIGN(iommu_viommu_arm_smmuv3_invalidate, 8);
OFF(iommu_viommu_arm_smmuv3_invalidate, cmd, 0);
FSIZE(iommu_viommu_arm_smmuv3_invalidate, cmd, 16);

/* struct iommu_hwpt_invalidate */
SIZE(iommu_hwpt_invalidate, 32);
OFF(iommu_hwpt_invalidate, size, 0);
OFF(iommu_hwpt_invalidate, hwpt_id, 4);
OFF(iommu_hwpt_invalidate, data_uptr, 8);
OFF(iommu_hwpt_invalidate, data_type, 16);
OFF(iommu_hwpt_invalidate, entry_len, 20);
OFF(iommu_hwpt_invalidate, entry_num, 24);
OFF(iommu_hwpt_invalidate, __reserved, 28);

/* struct iommu_hwpt_pgfault */
SIZE(iommu_hwpt_pgfault, 40);
ALIGN(iommu_hwpt_pgfault, 8);
OFF(iommu_hwpt_pgfault, flags, 0);
OFF(iommu_hwpt_pgfault, dev_id, 4);
OFF(iommu_hwpt_pgfault, pasid, 8);
OFF(iommu_hwpt_pgfault, grpid, 12);
OFF(iommu_hwpt_pgfault, perm, 16);
OFF(iommu_hwpt_pgfault, __reserved, 20);
OFF(iommu_hwpt_pgfault, addr, 24);
OFF(iommu_hwpt_pgfault, length, 32);
OFF(iommu_hwpt_pgfault, cookie, 36);

/* struct iommu_hwpt_page_response */
SIZE(iommu_hwpt_page_response, 8);
OFF(iommu_hwpt_page_response, cookie, 0);
OFF(iommu_hwpt_page_response, code, 4);

/* struct iommu_fault_alloc */
SIZE(iommu_fault_alloc, 16);
OFF(iommu_fault_alloc, size, 0);
OFF(iommu_fault_alloc, flags, 4);
OFF(iommu_fault_alloc, out_fault_id, 8);
OFF(iommu_fault_alloc, out_fault_fd, 12);

/* struct iommu_viommu_tegra241_cmdqv */
SIZE(iommu_viommu_tegra241_cmdqv, 16);
OFF(iommu_viommu_tegra241_cmdqv, out_vintf_mmap_offset, 0);
OFF(iommu_viommu_tegra241_cmdqv, out_vintf_mmap_length, 8);

/* struct iommu_viommu_alloc */
SIZE(iommu_viommu_alloc, 40);
OFF(iommu_viommu_alloc, size, 0);
OFF(iommu_viommu_alloc, flags, 4);
OFF(iommu_viommu_alloc, type, 8);
OFF(iommu_viommu_alloc, dev_id, 12);
OFF(iommu_viommu_alloc, hwpt_id, 16);
OFF(iommu_viommu_alloc, out_viommu_id, 20);
OFF(iommu_viommu_alloc, data_len, 24);
OFF(iommu_viommu_alloc, __reserved, 28);
OFF(iommu_viommu_alloc, data_uptr, 32);

/* struct iommu_vdevice_alloc */
SIZE(iommu_vdevice_alloc, 24);
OFF(iommu_vdevice_alloc, size, 0);
OFF(iommu_vdevice_alloc, viommu_id, 4);
OFF(iommu_vdevice_alloc, dev_id, 8);
OFF(iommu_vdevice_alloc, out_vdevice_id, 12);
OFF(iommu_vdevice_alloc, virt_id, 16);

/* struct iommu_vdevice_tsm_op */
SIZE(iommu_vdevice_tsm_op, 16);
OFF(iommu_vdevice_tsm_op, size, 0);
OFF(iommu_vdevice_tsm_op, type, 4);
OFF(iommu_vdevice_tsm_op, flags, 8);
OFF(iommu_vdevice_tsm_op, vdevice_id, 12);

/* struct iommu_ioas_change_process */
SIZE(iommu_ioas_change_process, 8);
OFF(iommu_ioas_change_process, size, 0);
OFF(iommu_ioas_change_process, __reserved, 4);

/* struct iommufd_vevent_header */
SIZE(iommufd_vevent_header, 8);
OFF(iommufd_vevent_header, flags, 0);
OFF(iommufd_vevent_header, sequence, 4);

/* struct iommu_vevent_arm_smmuv3 */
SIZE(iommu_vevent_arm_smmuv3, 32);
OFF(iommu_vevent_arm_smmuv3, evt, 0);
FSIZE(iommu_vevent_arm_smmuv3, evt, 32);

/* struct iommu_vevent_tegra241_cmdqv */
SIZE(iommu_vevent_tegra241_cmdqv, 16);
OFF(iommu_vevent_tegra241_cmdqv, lvcmdq_err_map, 0);
FSIZE(iommu_vevent_tegra241_cmdqv, lvcmdq_err_map, 16);

/* struct iommu_veventq_alloc */
SIZE(iommu_veventq_alloc, 32);
OFF(iommu_veventq_alloc, size, 0);
OFF(iommu_veventq_alloc, flags, 4);
OFF(iommu_veventq_alloc, viommu_id, 8);
OFF(iommu_veventq_alloc, type, 12);
OFF(iommu_veventq_alloc, veventq_depth, 16);
OFF(iommu_veventq_alloc, out_veventq_id, 20);
OFF(iommu_veventq_alloc, out_veventq_fd, 24);
OFF(iommu_veventq_alloc, __reserved, 28);

/* struct iommu_hw_queue_alloc */
SIZE(iommu_hw_queue_alloc, 40);
OFF(iommu_hw_queue_alloc, size, 0);
OFF(iommu_hw_queue_alloc, flags, 4);
OFF(iommu_hw_queue_alloc, viommu_id, 8);
OFF(iommu_hw_queue_alloc, type, 12);
OFF(iommu_hw_queue_alloc, index, 16);
OFF(iommu_hw_queue_alloc, out_hw_queue_id, 20);
OFF(iommu_hw_queue_alloc, nesting_parent_iova, 24);
OFF(iommu_hw_queue_alloc, length, 32);

/* ================================================================== */
/* iommufd_test.h                                                     */
/* ================================================================== */

EQ(IOMMU_TEST_CMD, 0x3ba0);

EQ(IOMMU_TEST_OP_ADD_RESERVED, 1);
EQ(IOMMU_TEST_OP_MOCK_DOMAIN, 2);
EQ(IOMMU_TEST_OP_MD_CHECK_MAP, 3);
EQ(IOMMU_TEST_OP_MD_CHECK_REFS, 4);
EQ(IOMMU_TEST_OP_CREATE_ACCESS, 5);
EQ(IOMMU_TEST_OP_DESTROY_ACCESS_PAGES, 6);
EQ(IOMMU_TEST_OP_ACCESS_PAGES, 7);
EQ(IOMMU_TEST_OP_ACCESS_RW, 8);
EQ(IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT, 9);
EQ(IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, 10);
EQ(IOMMU_TEST_OP_ACCESS_REPLACE_IOAS, 11);
EQ(IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS, 12);
EQ(IOMMU_TEST_OP_DIRTY, 13);
EQ(IOMMU_TEST_OP_MD_CHECK_IOTLB, 14);
EQ(IOMMU_TEST_OP_TRIGGER_IOPF, 15);
EQ(IOMMU_TEST_OP_DEV_CHECK_CACHE, 16);
EQ(IOMMU_TEST_OP_TRIGGER_VEVENT, 17);
EQ(IOMMU_TEST_OP_PASID_ATTACH, 18);
EQ(IOMMU_TEST_OP_PASID_REPLACE, 19);
EQ(IOMMU_TEST_OP_PASID_DETACH, 20);
EQ(IOMMU_TEST_OP_PASID_CHECK_HWPT, 21);
EQ(IOMMU_TEST_OP_DMABUF_GET, 22);
EQ(IOMMU_TEST_OP_DMABUF_REVOKE, 23);
EQ(IOMMU_TEST_OP_MD_CHECK_DMABUF, 24);

EQ(MOCK_IOMMUPT_DEFAULT, 0);
EQ(MOCK_IOMMUPT_HUGE, 1);
EQ(MOCK_APERTURE_START, 0x1000000);
EQ(MOCK_APERTURE_LAST, 0x7fffffff);
EQ(MOCK_PAGE_SIZE, 2048);
EQ(MOCK_HUGE_PAGE_SIZE, 1048576);
EQ(MOCK_FLAGS_ACCESS_WRITE, 1);
EQ(MOCK_FLAGS_ACCESS_SYZ, 0x10000);
EQ(MOCK_ACCESS_RW_WRITE, 1);
EQ(MOCK_ACCESS_RW_SLOW_PATH, 4);
EQ(MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES, 1);
EQ(MOCK_FLAGS_DEVICE_NO_DIRTY, 1);
EQ(MOCK_FLAGS_DEVICE_PASID, 4);
EQ(MOCK_NESTED_DOMAIN_IOTLB_ID_MAX, 3);
EQ(MOCK_NESTED_DOMAIN_IOTLB_NUM, 4);
EQ(MOCK_DEV_CACHE_ID_MAX, 3);
EQ(MOCK_DEV_CACHE_NUM, 4);
EQ(IOMMU_TEST_PASID_RESERVED, 1024);
EQ(MOCK_PASID_WIDTH, 20);
EQ(IOMMU_HW_INFO_TYPE_SELFTEST, 0xfeedbeef);
EQ(IOMMU_HW_INFO_SELFTEST_REGVAL, 0xdeadbeef);
EQ(IOMMU_HWPT_DATA_SELFTEST, 0xdead);
EQ(IOMMU_TEST_IOTLB_DEFAULT, 0xbadbeef);
EQ(IOMMU_TEST_DEV_CACHE_DEFAULT, 0xbaddad);
EQ(IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, 0xdeadbeef);
EQ(IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID, 0xdadbeef);
EQ(IOMMU_TEST_INVALIDATE_FLAG_ALL, 1);
EQ(IOMMU_VIOMMU_TYPE_SELFTEST, 0xdeadbeef);
EQ(IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, 0xdeadbeef);
EQ(IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID, 0xdadbeef);
EQ(IOMMU_VEVENTQ_TYPE_SELFTEST, 0xbeefbeef);
EQ(IOMMU_HW_QUEUE_TYPE_SELFTEST, 0xdeadbeef);
EQ(IOMMU_TEST_HW_QUEUE_MAX, 2);

/* struct iommu_test_cmd */
SIZE(iommu_test_cmd, 72);
ALIGN(iommu_test_cmd, 8);
OFF(iommu_test_cmd, size, 0);
OFF(iommu_test_cmd, op, 4);
OFF(iommu_test_cmd, id, 8);
OFF(iommu_test_cmd, __reserved, 12);
OFF(iommu_test_cmd, last, 64);
OFF(iommu_test_cmd, add_reserved.start, 16);
OFF(iommu_test_cmd, add_reserved.length, 24);
OFF(iommu_test_cmd, mock_domain.out_stdev_id, 16);
OFF(iommu_test_cmd, mock_domain.out_hwpt_id, 20);
OFF(iommu_test_cmd, mock_domain.out_idev_id, 24);
FSIZE(iommu_test_cmd, mock_domain, 12);
OFF(iommu_test_cmd, mock_domain_flags.out_stdev_id, 16);
OFF(iommu_test_cmd, mock_domain_flags.out_hwpt_id, 20);
OFF(iommu_test_cmd, mock_domain_flags.out_idev_id, 24);
OFF(iommu_test_cmd, mock_domain_flags.dev_flags, 28);
OFF(iommu_test_cmd, mock_domain_replace.pt_id, 16);
OFF(iommu_test_cmd, check_map.iova, 16);
OFF(iommu_test_cmd, check_map.length, 24);
OFF(iommu_test_cmd, check_map.uptr, 32);
OFF(iommu_test_cmd, check_refs.length, 16);
OFF(iommu_test_cmd, check_refs.uptr, 24);
OFF(iommu_test_cmd, check_refs.refs, 32);
FSIZE(iommu_test_cmd, check_refs, 24);
OFF(iommu_test_cmd, create_access.out_access_fd, 16);
OFF(iommu_test_cmd, create_access.flags, 20);
OFF(iommu_test_cmd, destroy_access_pages.access_pages_id, 16);
OFF(iommu_test_cmd, access_pages.flags, 16);
OFF(iommu_test_cmd, access_pages.out_access_pages_id, 20);
OFF(iommu_test_cmd, access_pages.iova, 24);
OFF(iommu_test_cmd, access_pages.length, 32);
OFF(iommu_test_cmd, access_pages.uptr, 40);
OFF(iommu_test_cmd, access_rw.iova, 16);
OFF(iommu_test_cmd, access_rw.length, 24);
OFF(iommu_test_cmd, access_rw.uptr, 32);
OFF(iommu_test_cmd, access_rw.flags, 40);
FSIZE(iommu_test_cmd, access_rw, 32);
OFF(iommu_test_cmd, memory_limit.limit, 16);
OFF(iommu_test_cmd, access_replace_ioas.ioas_id, 16);
OFF(iommu_test_cmd, dirty.flags, 16);
OFF(iommu_test_cmd, dirty.iova, 24);
OFF(iommu_test_cmd, dirty.length, 32);
OFF(iommu_test_cmd, dirty.page_size, 40);
OFF(iommu_test_cmd, dirty.uptr, 48);
OFF(iommu_test_cmd, dirty.out_nr_dirty, 56);
FSIZE(iommu_test_cmd, dirty, 48);
OFF(iommu_test_cmd, check_iotlb.id, 16);
OFF(iommu_test_cmd, check_iotlb.iotlb, 20);
OFF(iommu_test_cmd, trigger_iopf.dev_id, 16);
OFF(iommu_test_cmd, trigger_iopf.pasid, 20);
OFF(iommu_test_cmd, trigger_iopf.grpid, 24);
OFF(iommu_test_cmd, trigger_iopf.perm, 28);
OFF(iommu_test_cmd, trigger_iopf.addr, 32);
FSIZE(iommu_test_cmd, trigger_iopf, 24);
OFF(iommu_test_cmd, check_dev_cache.id, 16);
OFF(iommu_test_cmd, check_dev_cache.cache, 20);
OFF(iommu_test_cmd, trigger_vevent.dev_id, 16);
OFF(iommu_test_cmd, pasid_attach.pasid, 16);
OFF(iommu_test_cmd, pasid_attach.pt_id, 20);
OFF(iommu_test_cmd, pasid_replace.pasid, 16);
OFF(iommu_test_cmd, pasid_replace.pt_id, 20);
OFF(iommu_test_cmd, pasid_detach.pasid, 16);
OFF(iommu_test_cmd, pasid_check.pasid, 16);
OFF(iommu_test_cmd, pasid_check.hwpt_id, 20);
OFF(iommu_test_cmd, dmabuf_get.length, 16);
OFF(iommu_test_cmd, dmabuf_get.open_flags, 20);
OFF(iommu_test_cmd, dmabuf_revoke.dmabuf_fd, 16);
OFF(iommu_test_cmd, dmabuf_revoke.revoked, 20);
OFF(iommu_test_cmd, check_dmabuf.dmabuf_fd, 16);
OFF(iommu_test_cmd, check_dmabuf.iova, 24);
OFF(iommu_test_cmd, check_dmabuf.length, 32);
OFF(iommu_test_cmd, check_dmabuf.offset, 40);
FSIZE(iommu_test_cmd, check_dmabuf, 32);

/* struct iommu_test_hw_info */
SIZE(iommu_test_hw_info, 8);
OFF(iommu_test_hw_info, flags, 0);
OFF(iommu_test_hw_info, test_reg, 4);

/* struct iommu_hwpt_selftest */
SIZE(iommu_hwpt_selftest, 8);
OFF(iommu_hwpt_selftest, iotlb, 0);
OFF(iommu_hwpt_selftest, pagetable_type, 4);

/* struct iommu_hwpt_invalidate_selftest */
SIZE(iommu_hwpt_invalidate_selftest, 8);
OFF(iommu_hwpt_invalidate_selftest, flags, 0);
OFF(iommu_hwpt_invalidate_selftest, iotlb_id, 4);

/* struct iommu_viommu_selftest */
SIZE(iommu_viommu_selftest, 24);
OFF(iommu_viommu_selftest, in_data, 0);
OFF(iommu_viommu_selftest, out_data, 4);
OFF(iommu_viommu_selftest, out_mmap_offset, 8);
OFF(iommu_viommu_selftest, out_mmap_length, 16);

/* struct iommu_viommu_invalidate_selftest */
SIZE(iommu_viommu_invalidate_selftest, 12);
OFF(iommu_viommu_invalidate_selftest, flags, 0);
OFF(iommu_viommu_invalidate_selftest, vdev_id, 4);
OFF(iommu_viommu_invalidate_selftest, cache_id, 8);

/* struct iommu_viommu_event_selftest */
SIZE(iommu_viommu_event_selftest, 4);
OFF(iommu_viommu_event_selftest, virt_id, 0);

/* ================================================================== */
/* vfio_iommufd.h                                                     */
/* ================================================================== */

EQ(VFIO_DEVICE_BIND_IOMMUFD, 0x3b76);
EQ(VFIO_DEVICE_ATTACH_IOMMUFD_PT, 0x3b77);
EQ(VFIO_DEVICE_DETACH_IOMMUFD_PT, 0x3b78);
EQ(VFIO_MIG_GET_PRECOPY_INFO, 0x3b79);
EQ(VFIO_DEVICE_BIND_FLAG_TOKEN, 1);
EQ(VFIO_DEVICE_ATTACH_PASID, 1);
EQ(VFIO_DEVICE_DETACH_PASID, 1);
EQ(VFIO_DEVICE_FLAGS_CDX, 0x100);
EQ(VFIO_DEVICE_INFO_CAP_PCI_ATOMIC_COMP, 5);
EQ(VFIO_PCI_ATOMIC_COMP32, 1);
EQ(VFIO_PCI_ATOMIC_COMP64, 2);
EQ(VFIO_PCI_ATOMIC_COMP128, 4);
EQ(VFIO_PCI_HOT_RESET_FLAG_DEV_ID, 1);
EQ(VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED, 2);
EQ(VFIO_PCI_DEVID_OWNED, 0);
EQ(VFIO_PCI_DEVID_NOT_OWNED, -1);
EQ(VFIO_MIGRATION_PRE_COPY, 4);
EQ(VFIO_DEVICE_FEATURE_MIG_DATA_SIZE, 9);
EQ(VFIO_DEVICE_FEATURE_BUS_MASTER, 10);
EQ(VFIO_DEVICE_FEATURE_CLEAR_MASTER, 0);
EQ(VFIO_DEVICE_FEATURE_SET_MASTER, 1);
EQ(VFIO_DEVICE_FEATURE_DMA_BUF, 11);

/* struct vfio_device_info_cap_pci_atomic_comp */
SIZE(vfio_device_info_cap_pci_atomic_comp, 16);
OFF(vfio_device_info_cap_pci_atomic_comp, header, 0);
OFF(vfio_device_info_cap_pci_atomic_comp, flags, 8);
OFF(vfio_device_info_cap_pci_atomic_comp, reserved, 12);

/* struct vfio_device_bind_iommufd */
SIZE(vfio_device_bind_iommufd, 24);
ALIGN(vfio_device_bind_iommufd, 8);
OFF(vfio_device_bind_iommufd, argsz, 0);
OFF(vfio_device_bind_iommufd, flags, 4);
OFF(vfio_device_bind_iommufd, iommufd, 8);
OFF(vfio_device_bind_iommufd, out_devid, 12);
OFF(vfio_device_bind_iommufd, token_uuid_ptr, 16);

/* struct vfio_device_attach_iommufd_pt */
SIZE(vfio_device_attach_iommufd_pt, 16);
OFF(vfio_device_attach_iommufd_pt, argsz, 0);
OFF(vfio_device_attach_iommufd_pt, flags, 4);
OFF(vfio_device_attach_iommufd_pt, pt_id, 8);
OFF(vfio_device_attach_iommufd_pt, pasid, 12);

/* struct vfio_device_detach_iommufd_pt */
SIZE(vfio_device_detach_iommufd_pt, 12);
OFF(vfio_device_detach_iommufd_pt, argsz, 0);
OFF(vfio_device_detach_iommufd_pt, flags, 4);
OFF(vfio_device_detach_iommufd_pt, pasid, 8);

/* struct vfio_precopy_info */
SIZE(vfio_precopy_info, 24);
OFF(vfio_precopy_info, argsz, 0);
OFF(vfio_precopy_info, flags, 4);
OFF(vfio_precopy_info, initial_bytes, 8);
OFF(vfio_precopy_info, dirty_bytes, 16);

/* struct vfio_device_feature_mig_data_size */
SIZE(vfio_device_feature_mig_data_size, 8);
OFF(vfio_device_feature_mig_data_size, stop_copy_length, 0);

/* struct vfio_device_feature_bus_master */
SIZE(vfio_device_feature_bus_master, 4);
OFF(vfio_device_feature_bus_master, op, 0);

/* struct vfio_region_dma_range */
SIZE(vfio_region_dma_range, 16);
OFF(vfio_region_dma_range, offset, 0);
OFF(vfio_region_dma_range, length, 8);

/* struct vfio_device_feature_dma_buf */
SIZE(vfio_device_feature_dma_buf, 16);
OFF(vfio_device_feature_dma_buf, region_index, 0);
OFF(vfio_device_feature_dma_buf, open_flags, 4);
OFF(vfio_device_feature_dma_buf, flags, 8);
OFF(vfio_device_feature_dma_buf, nr_ranges, 12);
OFF(vfio_device_feature_dma_buf, dma_ranges, 16);

int main(void)
{
	return 0;
}
