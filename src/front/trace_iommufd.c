/* SPDX-License-Identifier: MIT */
/*
 * Trace decoders of the iommufd ioctls (IOMMU_*), the selftest command
 * (IOMMU_TEST_CMD, whose union is chosen by op) and the few ioctls the VFS
 * answers for every file. One field table per struct, in the order of the
 * struct; see trace_decode.h for what the flags of a field mean.
 *
 * Field names are the uAPI's, so a trace line reads like the struct the
 * program filled in. The symbol tables drop the common prefix
 * (IOMMU_IOAS_MAP_FIXED_IOVA prints FIXED_IOVA): the field already says
 * which enum it is.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/ioctl.h>

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>

#include "front/trace_decode.h"

/* ---- symbols ---- */

static const struct tr_sym ioas_map_flags[] = {
	{ IOMMU_IOAS_MAP_FIXED_IOVA, "FIXED_IOVA" },
	{ IOMMU_IOAS_MAP_WRITEABLE, "WRITEABLE" },
	{ IOMMU_IOAS_MAP_READABLE, "READABLE" },
	{ 0, NULL },
};

static const struct tr_sym option_ids[] = {
	{ IOMMU_OPTION_RLIMIT_MODE, "RLIMIT_MODE" },
	{ IOMMU_OPTION_HUGE_PAGES, "HUGE_PAGES" },
	{ 0, NULL },
};

static const struct tr_sym option_ops[] = {
	{ IOMMU_OPTION_OP_SET, "SET" },
	{ IOMMU_OPTION_OP_GET, "GET" },
	{ 0, NULL },
};

static const struct tr_sym vfio_ioas_ops[] = {
	{ IOMMU_VFIO_IOAS_GET, "GET" },
	{ IOMMU_VFIO_IOAS_SET, "SET" },
	{ IOMMU_VFIO_IOAS_CLEAR, "CLEAR" },
	{ 0, NULL },
};

static const struct tr_sym hwpt_alloc_flags[] = {
	{ IOMMU_HWPT_ALLOC_NEST_PARENT, "NEST_PARENT" },
	{ IOMMU_HWPT_ALLOC_DIRTY_TRACKING, "DIRTY_TRACKING" },
	{ IOMMU_HWPT_FAULT_ID_VALID, "FAULT_ID_VALID" },
	{ IOMMU_HWPT_ALLOC_PASID, "PASID" },
	{ 0, NULL },
};

static const struct tr_sym hwpt_data_types[] = {
	{ IOMMU_HWPT_DATA_NONE, "NONE" },
	{ IOMMU_HWPT_DATA_VTD_S1, "VTD_S1" },
	{ IOMMU_HWPT_DATA_ARM_SMMUV3, "ARM_SMMUV3" },
	{ IOMMU_HWPT_DATA_AMD_GUEST, "AMD_GUEST" },
	{ IOMMU_HWPT_DATA_SELFTEST, "SELFTEST" },
	{ 0, NULL },
};

static const struct tr_sym hw_info_flags[] = {
	{ IOMMU_HW_INFO_FLAG_INPUT_TYPE, "INPUT_TYPE" },
	{ 0, NULL },
};

static const struct tr_sym hw_info_in_types[] = {
	{ IOMMU_HW_INFO_TYPE_DEFAULT, "DEFAULT" },
	{ IOMMU_HW_INFO_TYPE_INTEL_VTD, "INTEL_VTD" },
	{ IOMMU_HW_INFO_TYPE_ARM_SMMUV3, "ARM_SMMUV3" },
	{ IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV, "TEGRA241_CMDQV" },
	{ IOMMU_HW_INFO_TYPE_AMD, "AMD" },
	{ IOMMU_HW_INFO_TYPE_SELFTEST, "SELFTEST" },
	{ 0, NULL },
};

static const struct tr_sym hw_info_out_types[] = {
	{ IOMMU_HW_INFO_TYPE_NONE, "NONE" },
	{ IOMMU_HW_INFO_TYPE_INTEL_VTD, "INTEL_VTD" },
	{ IOMMU_HW_INFO_TYPE_ARM_SMMUV3, "ARM_SMMUV3" },
	{ IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV, "TEGRA241_CMDQV" },
	{ IOMMU_HW_INFO_TYPE_AMD, "AMD" },
	{ IOMMU_HW_INFO_TYPE_SELFTEST, "SELFTEST" },
	{ 0, NULL },
};

static const struct tr_sym hw_caps[] = {
	{ IOMMU_HW_CAP_DIRTY_TRACKING, "DIRTY_TRACKING" },
	{ IOMMU_HW_CAP_PCI_PASID_EXEC, "PCI_PASID_EXEC" },
	{ IOMMU_HW_CAP_PCI_PASID_PRIV, "PCI_PASID_PRIV" },
	{ IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED, "PCI_ATS_NOT_SUPPORTED" },
	{ 0, NULL },
};

static const struct tr_sym dirty_tracking_flags[] = {
	{ IOMMU_HWPT_DIRTY_TRACKING_ENABLE, "ENABLE" },
	{ 0, NULL },
};

static const struct tr_sym dirty_bitmap_flags[] = {
	{ IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, "NO_CLEAR" },
	{ 0, NULL },
};

static const struct tr_sym invalidate_types[] = {
	{ IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, "VTD_S1" },
	{ IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, "ARM_SMMUV3" },
	{ IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, "SELFTEST" },
	{ IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID, "SELFTEST_INVALID" },
	{ 0, NULL },
};

static const struct tr_sym viommu_types[] = {
	{ IOMMU_VIOMMU_TYPE_DEFAULT, "DEFAULT" },
	{ IOMMU_VIOMMU_TYPE_ARM_SMMUV3, "ARM_SMMUV3" },
	{ IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV, "TEGRA241_CMDQV" },
	{ IOMMU_VIOMMU_TYPE_AMD, "AMD" },
	{ IOMMU_VIOMMU_TYPE_SELFTEST, "SELFTEST" },
	{ 0, NULL },
};

static const struct tr_sym veventq_types[] = {
	{ IOMMU_VEVENTQ_TYPE_DEFAULT, "DEFAULT" },
	{ IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, "ARM_SMMUV3" },
	{ IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV, "TEGRA241_CMDQV" },
	{ IOMMU_VEVENTQ_TYPE_SELFTEST, "SELFTEST" },
	{ 0, NULL },
};

static const struct tr_sym hw_queue_types[] = {
	{ IOMMU_HW_QUEUE_TYPE_DEFAULT, "DEFAULT" },
	{ IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV, "TEGRA241_CMDQV" },
	{ IOMMU_HW_QUEUE_TYPE_SELFTEST, "SELFTEST" },
	{ 0, NULL },
};

static const struct tr_sym tsm_op_types[] = {
	{ IOMMU_VDEVICE_TSM_BIND, "BIND" },
	{ IOMMU_VDEVICE_TSM_UNBIND, "UNBIND" },
	{ 0, NULL },
};

/* ---- IOAS ---- */

#define F(type, member, kind, dir, syms) TR_FIELD(type, member, kind, dir, syms)

static const struct tr_field destroy_fields[] = {
	F(struct iommu_destroy, size, TK_DEC, TD_IN, NULL),
	F(struct iommu_destroy, id, TK_DEC, TD_IN, NULL),
};

static const struct tr_field ioas_alloc_fields[] = {
	F(struct iommu_ioas_alloc, size, TK_DEC, TD_IN, NULL),
	F(struct iommu_ioas_alloc, flags, TK_FLAGS, TD_IN, NULL),
	F(struct iommu_ioas_alloc, out_ioas_id, TK_DEC, TD_OUT, NULL),
};

static const struct tr_field allow_iovas_fields[] = {
	F(struct iommu_ioas_allow_iovas, size, TK_DEC, TD_IN, NULL),
	F(struct iommu_ioas_allow_iovas, ioas_id, TK_DEC, TD_IN, NULL),
	F(struct iommu_ioas_allow_iovas, num_iovas, TK_DEC, TD_IN, NULL),
	F(struct iommu_ioas_allow_iovas, __reserved, TK_HEX, TD_IN, NULL),
	F(struct iommu_ioas_allow_iovas, allowed_iovas, TK_PTR, TD_IN, NULL),
};

static const struct tr_field iova_ranges_fields[] = {
	F(struct iommu_ioas_iova_ranges, size, TK_DEC, TD_IN, NULL),
	F(struct iommu_ioas_iova_ranges, ioas_id, TK_DEC, TD_IN, NULL),
	F(struct iommu_ioas_iova_ranges, num_iovas, TK_DEC, TD_INOUT, NULL),
	F(struct iommu_ioas_iova_ranges, __reserved, TK_HEX, TD_IN, NULL),
	F(struct iommu_ioas_iova_ranges, allowed_iovas, TK_PTR, TD_IN, NULL),
	F(struct iommu_ioas_iova_ranges, out_iova_alignment, TK_HEX, TD_OUT,
	  NULL),
};

/* Print up to TR_ARRAY_MAX ranges of the array at @uptr. */
static void emit_ranges(struct tr_emit *e, uint64_t uptr, uint64_t n)
{
	struct iommu_iova_range r;
	uint64_t i;

	if (!n)
		return;
	if (!tr_read_user(&r, uptr, sizeof(r))) {
		tr_bool(e, "iovas_unreadable", true);
		return;
	}
	tr_arr_begin(e, "iovas");
	for (i = 0; i < n && i < TR_ARRAY_MAX; i++) {
		if (i && !tr_read_user(&r, uptr + i * sizeof(r), sizeof(r)))
			break;
		tr_obj_begin(e, NULL);
		tr_value(e, "start", r.start, TK_HEX, NULL);
		tr_value(e, "last", r.last, TK_HEX, NULL);
		tr_obj_end(e);
	}
	tr_arr_end(e);
	if (n > i)
		tr_value(e, "iovas_not_shown", n - i, TK_DEC, NULL);
}

/* the ranges the call reads */
static void allow_iovas_in(struct tr_emit *e, const void *p, size_t len)
{
	const struct iommu_ioas_allow_iovas *cmd = p;

	if (len >= offsetofend(struct iommu_ioas_allow_iovas, allowed_iovas))
		emit_ranges(e, cmd->allowed_iovas, cmd->num_iovas);
}

/* the ranges the call wrote: as many as fitted the caller's array */
static void iova_ranges_out(struct tr_emit *e, const void *pin,
			    const void *pout, size_t len)
{
	const struct iommu_ioas_iova_ranges *in = pin, *out = pout;
	uint64_t n = in->num_iovas < out->num_iovas ? in->num_iovas :
						       out->num_iovas;

	if (len >= offsetofend(struct iommu_ioas_iova_ranges, allowed_iovas))
		emit_ranges(e, in->allowed_iovas, n);
}

/*
 * MAP, MAP_FILE and COPY return the IOVA they chose; with FIXED_IOVA it is
 * the caller's own, so it is printed as an output only without it.
 */
#define MAP_TABLES(name, type, iova_member, ...)                              \
	static const struct tr_field name##_fixed[] = {                       \
		__VA_ARGS__,                                                  \
		F(type, iova_member, TK_HEX, TD_IN, NULL),                    \
	};                                                                    \
	static const struct tr_field name##_auto[] = {                        \
		__VA_ARGS__,                                                  \
		F(type, iova_member, TK_HEX, TD_INOUT, NULL),                 \
	};                                                                    \
	static const struct tr_field *name##_select(const void *p,            \
						    size_t *ret_n)            \
	{                                                                     \
		const type *cmd = p;                                          \
                                                                              \
		if (cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA) {                 \
			*ret_n = ARRAY_SIZE(name##_fixed);                    \
			return name##_fixed;                                  \
		}                                                             \
		*ret_n = ARRAY_SIZE(name##_auto);                             \
		return name##_auto;                                           \
	}

MAP_TABLES(map, struct iommu_ioas_map, iova,
	   F(struct iommu_ioas_map, size, TK_DEC, TD_IN, NULL),
	   F(struct iommu_ioas_map, flags, TK_FLAGS, TD_IN, ioas_map_flags),
	   F(struct iommu_ioas_map, ioas_id, TK_DEC, TD_IN, NULL),
	   F(struct iommu_ioas_map, __reserved, TK_HEX, TD_IN, NULL),
	   F(struct iommu_ioas_map, user_va, TK_PTR, TD_IN, NULL),
	   F(struct iommu_ioas_map, length, TK_HEX, TD_IN, NULL))

MAP_TABLES(map_file, struct iommu_ioas_map_file, iova,
	   F(struct iommu_ioas_map_file, size, TK_DEC, TD_IN, NULL),
	   F(struct iommu_ioas_map_file, flags, TK_FLAGS, TD_IN,
	     ioas_map_flags),
	   F(struct iommu_ioas_map_file, ioas_id, TK_DEC, TD_IN, NULL),
	   F(struct iommu_ioas_map_file, fd, TK_SDEC, TD_IN, NULL),
	   F(struct iommu_ioas_map_file, start, TK_HEX, TD_IN, NULL),
	   F(struct iommu_ioas_map_file, length, TK_HEX, TD_IN, NULL))

/* COPY's IOVA comes before src_iova: its own tables */
static const struct tr_field copy_fixed[] = {
	F(struct iommu_ioas_copy, size, TK_DEC, TD_IN, NULL),
	F(struct iommu_ioas_copy, flags, TK_FLAGS, TD_IN, ioas_map_flags),
	F(struct iommu_ioas_copy, dst_ioas_id, TK_DEC, TD_IN, NULL),
	F(struct iommu_ioas_copy, src_ioas_id, TK_DEC, TD_IN, NULL),
	F(struct iommu_ioas_copy, length, TK_HEX, TD_IN, NULL),
	F(struct iommu_ioas_copy, dst_iova, TK_HEX, TD_IN, NULL),
	F(struct iommu_ioas_copy, src_iova, TK_HEX, TD_IN, NULL),
};

static const struct tr_field copy_auto[] = {
	F(struct iommu_ioas_copy, size, TK_DEC, TD_IN, NULL),
	F(struct iommu_ioas_copy, flags, TK_FLAGS, TD_IN, ioas_map_flags),
	F(struct iommu_ioas_copy, dst_ioas_id, TK_DEC, TD_IN, NULL),
	F(struct iommu_ioas_copy, src_ioas_id, TK_DEC, TD_IN, NULL),
	F(struct iommu_ioas_copy, length, TK_HEX, TD_IN, NULL),
	F(struct iommu_ioas_copy, dst_iova, TK_HEX, TD_INOUT, NULL),
	F(struct iommu_ioas_copy, src_iova, TK_HEX, TD_IN, NULL),
};

static const struct tr_field *copy_select(const void *p, size_t *ret_n)
{
	const struct iommu_ioas_copy *cmd = p;

	if (cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA) {
		*ret_n = ARRAY_SIZE(copy_fixed);
		return copy_fixed;
	}
	*ret_n = ARRAY_SIZE(copy_auto);
	return copy_auto;
}

static const struct tr_field unmap_fields[] = {
	F(struct iommu_ioas_unmap, size, TK_DEC, TD_IN, NULL),
	F(struct iommu_ioas_unmap, ioas_id, TK_DEC, TD_IN, NULL),
	F(struct iommu_ioas_unmap, iova, TK_HEX, TD_IN, NULL),
	F(struct iommu_ioas_unmap, length, TK_HEX, TD_INOUT, NULL),
};

static const struct tr_field change_process_fields[] = {
	F(struct iommu_ioas_change_process, size, TK_DEC, TD_IN, NULL),
	F(struct iommu_ioas_change_process, __reserved, TK_HEX, TD_IN, NULL),
};

/* ---- options ---- */

static const struct tr_field option_set[] = {
	F(struct iommu_option, size, TK_DEC, TD_IN, NULL),
	F(struct iommu_option, option_id, TK_ENUM, TD_IN, option_ids),
	F(struct iommu_option, op, TK_ENUM, TD_IN, option_ops),
	F(struct iommu_option, __reserved, TK_HEX, TD_IN, NULL),
	F(struct iommu_option, object_id, TK_DEC, TD_IN, NULL),
	F(struct iommu_option, val64, TK_DEC, TD_IN, NULL),
};

/* GET ignores val64 on the way in */
static const struct tr_field option_get[] = {
	F(struct iommu_option, size, TK_DEC, TD_IN, NULL),
	F(struct iommu_option, option_id, TK_ENUM, TD_IN, option_ids),
	F(struct iommu_option, op, TK_ENUM, TD_IN, option_ops),
	F(struct iommu_option, __reserved, TK_HEX, TD_IN, NULL),
	F(struct iommu_option, object_id, TK_DEC, TD_IN, NULL),
	F(struct iommu_option, val64, TK_DEC, TD_OUT, NULL),
};

static const struct tr_field *option_select(const void *p, size_t *ret_n)
{
	const struct iommu_option *cmd = p;

	*ret_n = ARRAY_SIZE(option_set);
	return cmd->op == IOMMU_OPTION_OP_GET ? option_get : option_set;
}

static const struct tr_field vfio_ioas_set[] = {
	F(struct iommu_vfio_ioas, size, TK_DEC, TD_IN, NULL),
	F(struct iommu_vfio_ioas, ioas_id, TK_DEC, TD_IN, NULL),
	F(struct iommu_vfio_ioas, op, TK_ENUM, TD_IN, vfio_ioas_ops),
	F(struct iommu_vfio_ioas, __reserved, TK_HEX, TD_IN, NULL),
};

static const struct tr_field vfio_ioas_get[] = {
	F(struct iommu_vfio_ioas, size, TK_DEC, TD_IN, NULL),
	F(struct iommu_vfio_ioas, ioas_id, TK_DEC, TD_OUT, NULL),
	F(struct iommu_vfio_ioas, op, TK_ENUM, TD_IN, vfio_ioas_ops),
	F(struct iommu_vfio_ioas, __reserved, TK_HEX, TD_IN, NULL),
};

static const struct tr_field vfio_ioas_clear[] = {
	F(struct iommu_vfio_ioas, size, TK_DEC, TD_IN, NULL),
	F(struct iommu_vfio_ioas, op, TK_ENUM, TD_IN, vfio_ioas_ops),
	F(struct iommu_vfio_ioas, __reserved, TK_HEX, TD_IN, NULL),
};

static const struct tr_field *vfio_ioas_select(const void *p, size_t *ret_n)
{
	const struct iommu_vfio_ioas *cmd = p;

	switch (cmd->op) {
	case IOMMU_VFIO_IOAS_GET:
		*ret_n = ARRAY_SIZE(vfio_ioas_get);
		return vfio_ioas_get;
	case IOMMU_VFIO_IOAS_CLEAR:
		*ret_n = ARRAY_SIZE(vfio_ioas_clear);
		return vfio_ioas_clear;
	default:
		*ret_n = ARRAY_SIZE(vfio_ioas_set);
		return vfio_ioas_set;
	}
}

/* ---- HWPT, hardware info, dirty tracking, invalidation ---- */

static const struct tr_field hwpt_alloc_fields[] = {
	F(struct iommu_hwpt_alloc, size, TK_DEC, TD_IN, NULL),
	F(struct iommu_hwpt_alloc, flags, TK_FLAGS, TD_IN, hwpt_alloc_flags),
	F(struct iommu_hwpt_alloc, dev_id, TK_DEC, TD_IN, NULL),
	F(struct iommu_hwpt_alloc, pt_id, TK_DEC, TD_IN, NULL),
	F(struct iommu_hwpt_alloc, out_hwpt_id, TK_DEC, TD_OUT, NULL),
	F(struct iommu_hwpt_alloc, __reserved, TK_HEX, TD_IN, NULL),
	F(struct iommu_hwpt_alloc, data_type, TK_ENUM, TD_IN, hwpt_data_types),
	F(struct iommu_hwpt_alloc, data_len, TK_DEC, TD_IN, NULL),
	F(struct iommu_hwpt_alloc, data_uptr, TK_PTR, TD_IN, NULL),
	F(struct iommu_hwpt_alloc, fault_id, TK_DEC, TD_IN, NULL),
	F(struct iommu_hwpt_alloc, __reserved2, TK_HEX, TD_IN, NULL),
};

static const struct tr_field hw_info_fields[] = {
	F(struct iommu_hw_info, size, TK_DEC, TD_IN, NULL),
	F(struct iommu_hw_info, flags, TK_FLAGS, TD_IN, hw_info_flags),
	F(struct iommu_hw_info, dev_id, TK_DEC, TD_IN, NULL),
	F(struct iommu_hw_info, data_len, TK_DEC, TD_INOUT, NULL),
	F(struct iommu_hw_info, data_uptr, TK_PTR, TD_IN, NULL),
	F(struct iommu_hw_info, in_data_type, TK_ENUM, TD_IN, hw_info_in_types),
	F(struct iommu_hw_info, out_data_type, TK_ENUM, TD_OUT,
	  hw_info_out_types),
	F(struct iommu_hw_info, out_max_pasid_log2, TK_DEC, TD_OUT, NULL),
	F(struct iommu_hw_info, out_capabilities, TK_FLAGS, TD_OUT, hw_caps),
};

static const struct tr_field set_dirty_fields[] = {
	F(struct iommu_hwpt_set_dirty_tracking, size, TK_DEC, TD_IN, NULL),
	F(struct iommu_hwpt_set_dirty_tracking, flags, TK_FLAGS, TD_IN,
	  dirty_tracking_flags),
	F(struct iommu_hwpt_set_dirty_tracking, hwpt_id, TK_DEC, TD_IN, NULL),
	F(struct iommu_hwpt_set_dirty_tracking, __reserved, TK_HEX, TD_IN,
	  NULL),
};

static const struct tr_field get_dirty_fields[] = {
	F(struct iommu_hwpt_get_dirty_bitmap, size, TK_DEC, TD_IN, NULL),
	F(struct iommu_hwpt_get_dirty_bitmap, hwpt_id, TK_DEC, TD_IN, NULL),
	F(struct iommu_hwpt_get_dirty_bitmap, flags, TK_FLAGS, TD_IN,
	  dirty_bitmap_flags),
	F(struct iommu_hwpt_get_dirty_bitmap, __reserved, TK_HEX, TD_IN, NULL),
	F(struct iommu_hwpt_get_dirty_bitmap, iova, TK_HEX, TD_IN, NULL),
	F(struct iommu_hwpt_get_dirty_bitmap, length, TK_HEX, TD_IN, NULL),
	F(struct iommu_hwpt_get_dirty_bitmap, page_size, TK_HEX, TD_IN, NULL),
	F(struct iommu_hwpt_get_dirty_bitmap, data, TK_PTR, TD_IN, NULL),
};

static const struct tr_field invalidate_fields[] = {
	F(struct iommu_hwpt_invalidate, size, TK_DEC, TD_IN, NULL),
	F(struct iommu_hwpt_invalidate, hwpt_id, TK_DEC, TD_IN, NULL),
	F(struct iommu_hwpt_invalidate, data_uptr, TK_PTR, TD_IN, NULL),
	F(struct iommu_hwpt_invalidate, data_type, TK_ENUM, TD_IN,
	  invalidate_types),
	F(struct iommu_hwpt_invalidate, entry_len, TK_DEC, TD_IN, NULL),
	F(struct iommu_hwpt_invalidate, entry_num, TK_DEC, TD_INOUT, NULL),
	F(struct iommu_hwpt_invalidate, __reserved, TK_HEX, TD_IN, NULL),
};

/* ---- fault queues, vIOMMU, vDEVICE, vEVENTQ, HW queues ---- */

static const struct tr_field fault_alloc_fields[] = {
	F(struct iommu_fault_alloc, size, TK_DEC, TD_IN, NULL),
	F(struct iommu_fault_alloc, flags, TK_FLAGS, TD_IN, NULL),
	F(struct iommu_fault_alloc, out_fault_id, TK_DEC, TD_OUT, NULL),
	F(struct iommu_fault_alloc, out_fault_fd, TK_SDEC, TD_OUT, NULL),
};

static const struct tr_field viommu_alloc_fields[] = {
	F(struct iommu_viommu_alloc, size, TK_DEC, TD_IN, NULL),
	F(struct iommu_viommu_alloc, flags, TK_FLAGS, TD_IN, NULL),
	F(struct iommu_viommu_alloc, type, TK_ENUM, TD_IN, viommu_types),
	F(struct iommu_viommu_alloc, dev_id, TK_DEC, TD_IN, NULL),
	F(struct iommu_viommu_alloc, hwpt_id, TK_DEC, TD_IN, NULL),
	F(struct iommu_viommu_alloc, out_viommu_id, TK_DEC, TD_OUT, NULL),
	F(struct iommu_viommu_alloc, data_len, TK_DEC, TD_IN, NULL),
	F(struct iommu_viommu_alloc, __reserved, TK_HEX, TD_IN, NULL),
	F(struct iommu_viommu_alloc, data_uptr, TK_PTR, TD_IN, NULL),
};

static const struct tr_field vdevice_alloc_fields[] = {
	F(struct iommu_vdevice_alloc, size, TK_DEC, TD_IN, NULL),
	F(struct iommu_vdevice_alloc, viommu_id, TK_DEC, TD_IN, NULL),
	F(struct iommu_vdevice_alloc, dev_id, TK_DEC, TD_IN, NULL),
	F(struct iommu_vdevice_alloc, out_vdevice_id, TK_DEC, TD_OUT, NULL),
	F(struct iommu_vdevice_alloc, virt_id, TK_HEX, TD_IN, NULL),
};

static const struct tr_field veventq_alloc_fields[] = {
	F(struct iommu_veventq_alloc, size, TK_DEC, TD_IN, NULL),
	F(struct iommu_veventq_alloc, flags, TK_FLAGS, TD_IN, NULL),
	F(struct iommu_veventq_alloc, viommu_id, TK_DEC, TD_IN, NULL),
	F(struct iommu_veventq_alloc, type, TK_ENUM, TD_IN, veventq_types),
	F(struct iommu_veventq_alloc, veventq_depth, TK_DEC, TD_IN, NULL),
	F(struct iommu_veventq_alloc, out_veventq_id, TK_DEC, TD_OUT, NULL),
	F(struct iommu_veventq_alloc, out_veventq_fd, TK_SDEC, TD_OUT, NULL),
	F(struct iommu_veventq_alloc, __reserved, TK_HEX, TD_IN, NULL),
};

static const struct tr_field hw_queue_alloc_fields[] = {
	F(struct iommu_hw_queue_alloc, size, TK_DEC, TD_IN, NULL),
	F(struct iommu_hw_queue_alloc, flags, TK_FLAGS, TD_IN, NULL),
	F(struct iommu_hw_queue_alloc, viommu_id, TK_DEC, TD_IN, NULL),
	F(struct iommu_hw_queue_alloc, type, TK_ENUM, TD_IN, hw_queue_types),
	F(struct iommu_hw_queue_alloc, index, TK_DEC, TD_IN, NULL),
	F(struct iommu_hw_queue_alloc, out_hw_queue_id, TK_DEC, TD_OUT, NULL),
	F(struct iommu_hw_queue_alloc, nesting_parent_iova, TK_HEX, TD_IN,
	  NULL),
	F(struct iommu_hw_queue_alloc, length, TK_HEX, TD_IN, NULL),
};

static const struct tr_field tsm_op_fields[] = {
	F(struct iommu_vdevice_tsm_op, size, TK_DEC, TD_IN, NULL),
	F(struct iommu_vdevice_tsm_op, type, TK_ENUM, TD_IN, tsm_op_types),
	F(struct iommu_vdevice_tsm_op, flags, TK_FLAGS, TD_IN, NULL),
	F(struct iommu_vdevice_tsm_op, vdevice_id, TK_DEC, TD_IN, NULL),
};

/* ---- IOMMU_TEST_CMD: the union member is chosen by op ---- */

static const struct tr_sym test_ops[] = {
	{ IOMMU_TEST_OP_ADD_RESERVED, "ADD_RESERVED" },
	{ IOMMU_TEST_OP_MOCK_DOMAIN, "MOCK_DOMAIN" },
	{ IOMMU_TEST_OP_MD_CHECK_MAP, "MD_CHECK_MAP" },
	{ IOMMU_TEST_OP_MD_CHECK_REFS, "MD_CHECK_REFS" },
	{ IOMMU_TEST_OP_CREATE_ACCESS, "CREATE_ACCESS" },
	{ IOMMU_TEST_OP_DESTROY_ACCESS_PAGES, "DESTROY_ACCESS_PAGES" },
	{ IOMMU_TEST_OP_ACCESS_PAGES, "ACCESS_PAGES" },
	{ IOMMU_TEST_OP_ACCESS_RW, "ACCESS_RW" },
	{ IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT, "SET_TEMP_MEMORY_LIMIT" },
	{ IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, "MOCK_DOMAIN_REPLACE" },
	{ IOMMU_TEST_OP_ACCESS_REPLACE_IOAS, "ACCESS_REPLACE_IOAS" },
	{ IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS, "MOCK_DOMAIN_FLAGS" },
	{ IOMMU_TEST_OP_DIRTY, "DIRTY" },
	{ IOMMU_TEST_OP_MD_CHECK_IOTLB, "MD_CHECK_IOTLB" },
	{ IOMMU_TEST_OP_TRIGGER_IOPF, "TRIGGER_IOPF" },
	{ IOMMU_TEST_OP_DEV_CHECK_CACHE, "DEV_CHECK_CACHE" },
	{ IOMMU_TEST_OP_TRIGGER_VEVENT, "TRIGGER_VEVENT" },
	{ IOMMU_TEST_OP_PASID_ATTACH, "PASID_ATTACH" },
	{ IOMMU_TEST_OP_PASID_REPLACE, "PASID_REPLACE" },
	{ IOMMU_TEST_OP_PASID_DETACH, "PASID_DETACH" },
	{ IOMMU_TEST_OP_PASID_CHECK_HWPT, "PASID_CHECK_HWPT" },
	{ IOMMU_TEST_OP_DMABUF_GET, "DMABUF_GET" },
	{ IOMMU_TEST_OP_DMABUF_REVOKE, "DMABUF_REVOKE" },
	{ IOMMU_TEST_OP_MD_CHECK_DMABUF, "MD_CHECK_DMABUF" },
	{ 0, NULL },
};

static const struct tr_sym mock_dev_flags[] = {
	{ MOCK_FLAGS_DEVICE_NO_DIRTY, "NO_DIRTY" },
	{ MOCK_FLAGS_DEVICE_PASID, "PASID" },
	{ 0, NULL },
};

static const struct tr_sym access_create_flags[] = {
	{ MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES, "NEEDS_PIN_PAGES" },
	{ 0, NULL },
};

static const struct tr_sym access_pages_flags[] = {
	{ MOCK_FLAGS_ACCESS_WRITE, "WRITE" },
	{ MOCK_FLAGS_ACCESS_SYZ, "SYZ" },
	{ 0, NULL },
};

static const struct tr_sym access_rw_flags[] = {
	{ MOCK_ACCESS_RW_WRITE, "WRITE" },
	{ MOCK_ACCESS_RW_SLOW_PATH, "SLOW_PATH" },
	{ 0, NULL },
};

/* the only open flag a dma-buf fd takes from DMABUF_GET */
static const struct tr_sym dmabuf_open_flags[] = {
	{ O_CLOEXEC, "O_CLOEXEC" },
	{ 0, NULL },
};

static const struct tr_sym pgfault_perm[] = {
	{ IOMMU_PGFAULT_PERM_READ, "READ" },
	{ IOMMU_PGFAULT_PERM_WRITE, "WRITE" },
	{ IOMMU_PGFAULT_PERM_EXEC, "EXEC" },
	{ IOMMU_PGFAULT_PERM_PRIV, "PRIV" },
	{ 0, NULL },
};

#define TEST_HEAD                                                            \
	F(struct iommu_test_cmd, size, TK_DEC, TD_IN, NULL),                 \
	F(struct iommu_test_cmd, op, TK_ENUM, TD_IN, test_ops),              \
	F(struct iommu_test_cmd, id, TK_DEC, TD_IN, NULL),                   \
	F(struct iommu_test_cmd, __reserved, TK_HEX, TD_IN, NULL)
#define T(member, name, kind, dir, syms) \
	TR_FIELD_AS(struct iommu_test_cmd, member, name, kind, dir, syms)

static const struct tr_field test_head[] = { TEST_HEAD };

static const struct tr_field test_add_reserved[] = {
	TEST_HEAD,
	T(add_reserved.start, "start", TK_HEX, TD_IN, NULL),
	T(add_reserved.length, "length", TK_HEX, TD_IN, NULL),
};

static const struct tr_field test_mock_domain[] = {
	TEST_HEAD,
	T(mock_domain.out_stdev_id, "out_stdev_id", TK_DEC, TD_OUT, NULL),
	T(mock_domain.out_hwpt_id, "out_hwpt_id", TK_DEC, TD_OUT, NULL),
	T(mock_domain.out_idev_id, "out_idev_id", TK_DEC, TD_OUT, NULL),
};

static const struct tr_field test_mock_domain_flags[] = {
	TEST_HEAD,
	T(mock_domain_flags.out_stdev_id, "out_stdev_id", TK_DEC, TD_OUT, NULL),
	T(mock_domain_flags.out_hwpt_id, "out_hwpt_id", TK_DEC, TD_OUT, NULL),
	T(mock_domain_flags.out_idev_id, "out_idev_id", TK_DEC, TD_OUT, NULL),
	T(mock_domain_flags.dev_flags, "dev_flags", TK_FLAGS, TD_IN,
	  mock_dev_flags),
};

static const struct tr_field test_mock_domain_replace[] = {
	TEST_HEAD,
	T(mock_domain_replace.pt_id, "pt_id", TK_DEC, TD_INOUT, NULL),
};

static const struct tr_field test_check_map[] = {
	TEST_HEAD,
	T(check_map.iova, "iova", TK_HEX, TD_IN, NULL),
	T(check_map.length, "length", TK_HEX, TD_IN, NULL),
	T(check_map.uptr, "uptr", TK_PTR, TD_IN, NULL),
};

static const struct tr_field test_check_refs[] = {
	TEST_HEAD,
	T(check_refs.length, "length", TK_HEX, TD_IN, NULL),
	T(check_refs.uptr, "uptr", TK_PTR, TD_IN, NULL),
	T(check_refs.refs, "refs", TK_DEC, TD_IN, NULL),
};

static const struct tr_field test_create_access[] = {
	TEST_HEAD,
	T(create_access.out_access_fd, "out_access_fd", TK_SDEC, TD_OUT, NULL),
	T(create_access.flags, "flags", TK_FLAGS, TD_IN, access_create_flags),
};

static const struct tr_field test_destroy_access_pages[] = {
	TEST_HEAD,
	T(destroy_access_pages.access_pages_id, "access_pages_id", TK_DEC,
	  TD_IN, NULL),
};

static const struct tr_field test_access_pages[] = {
	TEST_HEAD,
	T(access_pages.flags, "flags", TK_FLAGS, TD_IN, access_pages_flags),
	T(access_pages.out_access_pages_id, "out_access_pages_id", TK_DEC,
	  TD_OUT, NULL),
	T(access_pages.iova, "iova", TK_HEX, TD_IN, NULL),
	T(access_pages.length, "length", TK_HEX, TD_IN, NULL),
	T(access_pages.uptr, "uptr", TK_PTR, TD_IN, NULL),
};

static const struct tr_field test_access_rw[] = {
	TEST_HEAD,
	T(access_rw.iova, "iova", TK_HEX, TD_IN, NULL),
	T(access_rw.length, "length", TK_HEX, TD_IN, NULL),
	T(access_rw.uptr, "uptr", TK_PTR, TD_IN, NULL),
	T(access_rw.flags, "flags", TK_FLAGS, TD_IN, access_rw_flags),
};

static const struct tr_field test_memory_limit[] = {
	TEST_HEAD,
	T(memory_limit.limit, "limit", TK_DEC, TD_IN, NULL),
};

static const struct tr_field test_access_replace_ioas[] = {
	TEST_HEAD,
	T(access_replace_ioas.ioas_id, "ioas_id", TK_DEC, TD_IN, NULL),
};

static const struct tr_field test_dirty[] = {
	TEST_HEAD,
	T(dirty.flags, "flags", TK_FLAGS, TD_IN, NULL),
	T(dirty.iova, "iova", TK_HEX, TD_IN, NULL),
	T(dirty.length, "length", TK_HEX, TD_IN, NULL),
	T(dirty.page_size, "page_size", TK_HEX, TD_IN, NULL),
	T(dirty.uptr, "uptr", TK_PTR, TD_IN, NULL),
	T(dirty.out_nr_dirty, "out_nr_dirty", TK_DEC, TD_OUT, NULL),
};

static const struct tr_field test_check_iotlb[] = {
	TEST_HEAD,
	T(check_iotlb.id, "iotlb_id", TK_DEC, TD_IN, NULL),
	T(check_iotlb.iotlb, "iotlb", TK_HEX, TD_IN, NULL),
};

static const struct tr_field test_trigger_iopf[] = {
	TEST_HEAD,
	T(trigger_iopf.dev_id, "dev_id", TK_DEC, TD_IN, NULL),
	T(trigger_iopf.pasid, "pasid", TK_DEC, TD_IN, NULL),
	T(trigger_iopf.grpid, "grpid", TK_DEC, TD_IN, NULL),
	T(trigger_iopf.perm, "perm", TK_FLAGS, TD_IN, pgfault_perm),
	T(trigger_iopf.addr, "addr", TK_HEX, TD_IN, NULL),
};

static const struct tr_field test_check_dev_cache[] = {
	TEST_HEAD,
	T(check_dev_cache.id, "cache_id", TK_DEC, TD_IN, NULL),
	T(check_dev_cache.cache, "cache", TK_HEX, TD_IN, NULL),
};

static const struct tr_field test_trigger_vevent[] = {
	TEST_HEAD,
	T(trigger_vevent.dev_id, "dev_id", TK_DEC, TD_IN, NULL),
};

static const struct tr_field test_pasid_attach[] = {
	TEST_HEAD,
	T(pasid_attach.pasid, "pasid", TK_DEC, TD_IN, NULL),
	T(pasid_attach.pt_id, "pt_id", TK_DEC, TD_IN, NULL),
};

static const struct tr_field test_pasid_detach[] = {
	TEST_HEAD,
	T(pasid_detach.pasid, "pasid", TK_DEC, TD_IN, NULL),
};

static const struct tr_field test_pasid_check[] = {
	TEST_HEAD,
	T(pasid_check.pasid, "pasid", TK_DEC, TD_IN, NULL),
	T(pasid_check.hwpt_id, "hwpt_id", TK_DEC, TD_IN, NULL),
};

static const struct tr_field test_dmabuf_get[] = {
	TEST_HEAD,
	T(dmabuf_get.length, "length", TK_HEX, TD_IN, NULL),
	T(dmabuf_get.open_flags, "open_flags", TK_FLAGS, TD_IN,
	  dmabuf_open_flags),
};

static const struct tr_field test_dmabuf_revoke[] = {
	TEST_HEAD,
	T(dmabuf_revoke.dmabuf_fd, "dmabuf_fd", TK_SDEC, TD_IN, NULL),
	T(dmabuf_revoke.revoked, "revoked", TK_DEC, TD_IN, NULL),
};

static const struct tr_field test_check_dmabuf[] = {
	TEST_HEAD,
	T(check_dmabuf.dmabuf_fd, "dmabuf_fd", TK_SDEC, TD_IN, NULL),
	T(check_dmabuf.iova, "iova", TK_HEX, TD_IN, NULL),
	T(check_dmabuf.length, "length", TK_HEX, TD_IN, NULL),
	T(check_dmabuf.offset, "offset", TK_HEX, TD_IN, NULL),
};

#define TEST_OP(op, table) [op] = { table, ARRAY_SIZE(table) }

static const struct {
	const struct tr_field *fields;
	size_t n;
} test_op_fields[] = {
	TEST_OP(IOMMU_TEST_OP_ADD_RESERVED, test_add_reserved),
	TEST_OP(IOMMU_TEST_OP_MOCK_DOMAIN, test_mock_domain),
	TEST_OP(IOMMU_TEST_OP_MD_CHECK_MAP, test_check_map),
	TEST_OP(IOMMU_TEST_OP_MD_CHECK_REFS, test_check_refs),
	TEST_OP(IOMMU_TEST_OP_CREATE_ACCESS, test_create_access),
	TEST_OP(IOMMU_TEST_OP_DESTROY_ACCESS_PAGES, test_destroy_access_pages),
	TEST_OP(IOMMU_TEST_OP_ACCESS_PAGES, test_access_pages),
	TEST_OP(IOMMU_TEST_OP_ACCESS_RW, test_access_rw),
	TEST_OP(IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT, test_memory_limit),
	TEST_OP(IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, test_mock_domain_replace),
	TEST_OP(IOMMU_TEST_OP_ACCESS_REPLACE_IOAS, test_access_replace_ioas),
	TEST_OP(IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS, test_mock_domain_flags),
	TEST_OP(IOMMU_TEST_OP_DIRTY, test_dirty),
	TEST_OP(IOMMU_TEST_OP_MD_CHECK_IOTLB, test_check_iotlb),
	TEST_OP(IOMMU_TEST_OP_TRIGGER_IOPF, test_trigger_iopf),
	TEST_OP(IOMMU_TEST_OP_DEV_CHECK_CACHE, test_check_dev_cache),
	TEST_OP(IOMMU_TEST_OP_TRIGGER_VEVENT, test_trigger_vevent),
	TEST_OP(IOMMU_TEST_OP_PASID_ATTACH, test_pasid_attach),
	TEST_OP(IOMMU_TEST_OP_PASID_REPLACE, test_pasid_attach),
	TEST_OP(IOMMU_TEST_OP_PASID_DETACH, test_pasid_detach),
	TEST_OP(IOMMU_TEST_OP_PASID_CHECK_HWPT, test_pasid_check),
	TEST_OP(IOMMU_TEST_OP_DMABUF_GET, test_dmabuf_get),
	TEST_OP(IOMMU_TEST_OP_DMABUF_REVOKE, test_dmabuf_revoke),
	TEST_OP(IOMMU_TEST_OP_MD_CHECK_DMABUF, test_check_dmabuf),
};

static const struct tr_field *test_select(const void *p, size_t *ret_n)
{
	const struct iommu_test_cmd *cmd = p;

	if (cmd->op < ARRAY_SIZE(test_op_fields) &&
	    test_op_fields[cmd->op].fields) {
		*ret_n = test_op_fields[cmd->op].n;
		return test_op_fields[cmd->op].fields;
	}
	*ret_n = ARRAY_SIZE(test_head);
	return test_head;
}

/* ---- the table ---- */

#define EXT(_cmd, type, ...)                                                 \
	{                                                                    \
		.cmd = _cmd, .name = #_cmd, .arg = TA_EXT,                   \
		.ksize = sizeof(type), __VA_ARGS__                           \
	}

const struct tr_ioctl tr_iommufd_ioctls[] = {
	EXT(IOMMU_DESTROY, struct iommu_destroy, TR_FIELDS(destroy_fields)),
	EXT(IOMMU_IOAS_ALLOC, struct iommu_ioas_alloc,
	    TR_FIELDS(ioas_alloc_fields)),
	EXT(IOMMU_IOAS_ALLOW_IOVAS, struct iommu_ioas_allow_iovas,
	    TR_FIELDS(allow_iovas_fields), .in_extra = allow_iovas_in),
	EXT(IOMMU_IOAS_COPY, struct iommu_ioas_copy, .select = copy_select),
	EXT(IOMMU_IOAS_IOVA_RANGES, struct iommu_ioas_iova_ranges,
	    TR_FIELDS(iova_ranges_fields), .out_extra = iova_ranges_out,
	    .out_errno = EMSGSIZE),
	EXT(IOMMU_IOAS_MAP, struct iommu_ioas_map, .select = map_select),
	EXT(IOMMU_IOAS_UNMAP, struct iommu_ioas_unmap, TR_FIELDS(unmap_fields)),
	EXT(IOMMU_OPTION, struct iommu_option, .select = option_select),
	EXT(IOMMU_VFIO_IOAS, struct iommu_vfio_ioas, .select = vfio_ioas_select),
	EXT(IOMMU_HWPT_ALLOC, struct iommu_hwpt_alloc,
	    TR_FIELDS(hwpt_alloc_fields)),
	EXT(IOMMU_GET_HW_INFO, struct iommu_hw_info, TR_FIELDS(hw_info_fields)),
	EXT(IOMMU_HWPT_SET_DIRTY_TRACKING, struct iommu_hwpt_set_dirty_tracking,
	    TR_FIELDS(set_dirty_fields)),
	EXT(IOMMU_HWPT_GET_DIRTY_BITMAP, struct iommu_hwpt_get_dirty_bitmap,
	    TR_FIELDS(get_dirty_fields)),
	EXT(IOMMU_HWPT_INVALIDATE, struct iommu_hwpt_invalidate,
	    TR_FIELDS(invalidate_fields)),
	EXT(IOMMU_FAULT_QUEUE_ALLOC, struct iommu_fault_alloc,
	    TR_FIELDS(fault_alloc_fields)),
	EXT(IOMMU_IOAS_MAP_FILE, struct iommu_ioas_map_file,
	    .select = map_file_select),
	EXT(IOMMU_VIOMMU_ALLOC, struct iommu_viommu_alloc,
	    TR_FIELDS(viommu_alloc_fields)),
	EXT(IOMMU_VDEVICE_ALLOC, struct iommu_vdevice_alloc,
	    TR_FIELDS(vdevice_alloc_fields)),
	EXT(IOMMU_IOAS_CHANGE_PROCESS, struct iommu_ioas_change_process,
	    TR_FIELDS(change_process_fields)),
	EXT(IOMMU_VEVENTQ_ALLOC, struct iommu_veventq_alloc,
	    TR_FIELDS(veventq_alloc_fields)),
	EXT(IOMMU_HW_QUEUE_ALLOC, struct iommu_hw_queue_alloc,
	    TR_FIELDS(hw_queue_alloc_fields)),
	EXT(IOMMU_VDEVICE_TSM_OP, struct iommu_vdevice_tsm_op,
	    TR_FIELDS(tsm_op_fields)),
	EXT(IOMMU_TEST_CMD, struct iommu_test_cmd, .select = test_select),
	/* answered by the VFS for every file, before the driver */
	{ .cmd = FIOCLEX, .name = "FIOCLEX", .arg = TA_NONE },
	{ .cmd = FIONCLEX, .name = "FIONCLEX", .arg = TA_NONE },
	{ .cmd = FIONBIO, .name = "FIONBIO", .arg = TA_PTR },
	{ .cmd = FIOASYNC, .name = "FIOASYNC", .arg = TA_PTR },
};

const size_t tr_iommufd_nr = ARRAY_SIZE(tr_iommufd_ioctls);
