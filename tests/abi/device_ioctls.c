/* SPDX-License-Identifier: MIT */
/*
 * ABI: the ioctls whose objects come with devices — IOMMU_GET_HW_INFO,
 * IOMMU_HWPT_ALLOC, IOMMU_HWPT_SET_DIRTY_TRACKING, IOMMU_HWPT_GET_DIRTY_BITMAP,
 * IOMMU_HWPT_INVALIDATE, IOMMU_VIOMMU_ALLOC, IOMMU_VDEVICE_ALLOC,
 * IOMMU_VEVENTQ_ALLOC, IOMMU_HW_QUEUE_ALLOC, IOMMU_VDEVICE_TSM_OP — on a
 * context that has no device, HWPT, vIOMMU or vDEVICE. Every answer here is
 * what the kernel gives in that state: the size protocol, the checks that
 * come before the first object lookup, and ENOENT from that lookup (also when
 * the id names an IOAS where another type is needed).
 *
 * Kernel reference (drivers/iommu/iommufd/):
 *  - main.c IOCTL_OP(): minimum sizes hw_info __reserved, hwpt_alloc
 *    __reserved, hwpt_set_dirty_tracking __reserved, hwpt_get_dirty_bitmap
 *    data, hwpt_invalidate __reserved, viommu_alloc out_viommu_id,
 *    vdevice_alloc virt_id, veventq_alloc out_veventq_fd, hw_queue_alloc
 *    length, vdevice_tsm_op vdevice_id;
 *  - device.c iommufd_get_hw_info(): flags other than INPUT_TYPE, then any
 *    __reserved byte, EOPNOTSUPP; then the DEVICE lookup;
 *  - hw_pagetable.c iommufd_hwpt_alloc(): __reserved EOPNOTSUPP; data_type
 *    NONE with data_len, or another type without, EINVAL; then the DEVICE
 *    lookup. flags are checked only by the domain allocator, after the
 *    lookups, and __reserved2 never;
 *  - hw_pagetable.c iommufd_hwpt_set_dirty_tracking(): flags other than
 *    ENABLE EOPNOTSUPP (__reserved is not checked); HWPT_PAGING lookup;
 *  - hw_pagetable.c iommufd_hwpt_get_dirty_bitmap(): flags other than
 *    NO_CLEAR or __reserved EOPNOTSUPP; HWPT_PAGING lookup;
 *  - hw_pagetable.c iommufd_hwpt_invalidate(): __reserved EOPNOTSUPP,
 *    entry_num without data_uptr or entry_len EINVAL, then a lookup of any
 *    type (ENOENT) that must be a nested HWPT or a vIOMMU (else EINVAL);
 *    entry_num is written back (0) on every one of these paths, and a reply
 *    that cannot be written makes the answer EFAULT;
 *  - viommu.c iommufd_viommu_alloc_ioctl(): flags or type DEFAULT
 *    EOPNOTSUPP (__reserved is not checked); DEVICE lookup;
 *  - viommu.c iommufd_vdevice_alloc_ioctl(): virt_id > ULONG_MAX EINVAL;
 *    VIOMMU lookup;
 *  - viommu.c iommufd_hw_queue_alloc_ioctl(): flags or type DEFAULT
 *    EOPNOTSUPP, length 0 EINVAL, nesting_parent_iova + length - 1 past
 *    2^64 EOVERFLOW; VIOMMU lookup;
 *  - eventq.c iommufd_veventq_alloc(): flags, __reserved or type DEFAULT
 *    EOPNOTSUPP, veventq_depth 0 EINVAL; VIOMMU lookup;
 *  - the TSM series' iommufd_vdevice_tsm_op_ioctl(): flags EOPNOTSUPP;
 *    VDEVICE lookup (type is checked after it).
 */
#include "abi.h"

static uint32_t g_ioas;		/* an IOAS: the wrong type for every id here */

/* ------------------------------------------------------------------ */
/* Size sweeps: each fill is a well-formed call that ends at ENOENT   */
/* ------------------------------------------------------------------ */

static void fill_hw_info(int fd, void *buf, void *ctx)
{
	struct iommu_hw_info *cmd = buf;

	cmd->dev_id = g_ioas;
}

static void fill_hwpt_alloc(int fd, void *buf, void *ctx)
{
	struct iommu_hwpt_alloc *cmd = buf;

	cmd->dev_id = g_ioas;
	cmd->pt_id = g_ioas;
}

static void fill_set_dirty(int fd, void *buf, void *ctx)
{
	struct iommu_hwpt_set_dirty_tracking *cmd = buf;

	cmd->flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE;
	cmd->hwpt_id = g_ioas;
}

static void fill_get_dirty(int fd, void *buf, void *ctx)
{
	struct iommu_hwpt_get_dirty_bitmap *cmd = buf;

	cmd->hwpt_id = g_ioas;
	cmd->page_size = 4096;
	cmd->length = 4096;
}

static void fill_invalidate(int fd, void *buf, void *ctx)
{
	struct iommu_hwpt_invalidate *cmd = buf;

	cmd->hwpt_id = 0x7ffffff0u;	/* no such object */
}

static void fill_viommu_alloc(int fd, void *buf, void *ctx)
{
	struct iommu_viommu_alloc *cmd = buf;

	cmd->type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3;
	cmd->dev_id = g_ioas;
	cmd->hwpt_id = g_ioas;
}

static void fill_vdevice_alloc(int fd, void *buf, void *ctx)
{
	struct iommu_vdevice_alloc *cmd = buf;

	cmd->viommu_id = g_ioas;
	cmd->dev_id = g_ioas;
	cmd->virt_id = 5;
}

static void fill_veventq_alloc(int fd, void *buf, void *ctx)
{
	struct iommu_veventq_alloc *cmd = buf;

	cmd->viommu_id = g_ioas;
	cmd->type = IOMMU_VEVENTQ_TYPE_ARM_SMMUV3;
	cmd->veventq_depth = 16;
}

static void fill_hw_queue_alloc(int fd, void *buf, void *ctx)
{
	struct iommu_hw_queue_alloc *cmd = buf;

	cmd->viommu_id = g_ioas;
	cmd->type = IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV;
	cmd->nesting_parent_iova = 1UL << 20;
	cmd->length = 4096;
}

static void fill_tsm_op(int fd, void *buf, void *ctx)
{
	struct iommu_vdevice_tsm_op *cmd = buf;

	cmd->type = IOMMU_VDEVICE_TSM_BIND;
	cmd->vdevice_id = g_ioas;
}

#define SWEEP(_struct, _ioctl, _last, _fill)                               \
	{                                                                   \
		.name = #_ioctl,                                            \
		.request = _ioctl,                                          \
		.ksize = sizeof(struct _struct),                            \
		.min_size = offsetofend(struct _struct, _last),             \
		.fill = _fill,                                              \
	}

static void check_sizes(int fd)
{
	struct abi_sweep sweeps[] = {
		SWEEP(iommu_hw_info, IOMMU_GET_HW_INFO, __reserved,
		      fill_hw_info),
		SWEEP(iommu_hwpt_alloc, IOMMU_HWPT_ALLOC, __reserved,
		      fill_hwpt_alloc),
		SWEEP(iommu_hwpt_set_dirty_tracking,
		      IOMMU_HWPT_SET_DIRTY_TRACKING, __reserved,
		      fill_set_dirty),
		SWEEP(iommu_hwpt_get_dirty_bitmap, IOMMU_HWPT_GET_DIRTY_BITMAP,
		      data, fill_get_dirty),
		SWEEP(iommu_hwpt_invalidate, IOMMU_HWPT_INVALIDATE, __reserved,
		      fill_invalidate),
		SWEEP(iommu_viommu_alloc, IOMMU_VIOMMU_ALLOC, out_viommu_id,
		      fill_viommu_alloc),
		SWEEP(iommu_vdevice_alloc, IOMMU_VDEVICE_ALLOC, virt_id,
		      fill_vdevice_alloc),
		SWEEP(iommu_veventq_alloc, IOMMU_VEVENTQ_ALLOC, out_veventq_fd,
		      fill_veventq_alloc),
		SWEEP(iommu_hw_queue_alloc, IOMMU_HW_QUEUE_ALLOC, length,
		      fill_hw_queue_alloc),
		SWEEP(iommu_vdevice_tsm_op, IOMMU_VDEVICE_TSM_OP, vdevice_id,
		      fill_tsm_op),
	};
	size_t i;

	/* the minimum sizes of the kernel's IOCTL_OP() table */
	abi_section("minimum sizes");
	EXPECT_EQ(32, offsetofend(struct iommu_hw_info, __reserved));
	EXPECT_EQ(24, offsetofend(struct iommu_hwpt_alloc, __reserved));
	EXPECT_EQ(16, offsetofend(struct iommu_hwpt_set_dirty_tracking,
				  __reserved));
	EXPECT_EQ(48, offsetofend(struct iommu_hwpt_get_dirty_bitmap, data));
	EXPECT_EQ(32, offsetofend(struct iommu_hwpt_invalidate, __reserved));
	EXPECT_EQ(24, offsetofend(struct iommu_viommu_alloc, out_viommu_id));
	EXPECT_EQ(24, offsetofend(struct iommu_vdevice_alloc, virt_id));
	EXPECT_EQ(28, offsetofend(struct iommu_veventq_alloc,
				  out_veventq_fd));
	EXPECT_EQ(40, offsetofend(struct iommu_hw_queue_alloc, length));
	EXPECT_EQ(16, offsetofend(struct iommu_vdevice_tsm_op, vdevice_id));

	for (i = 0; i < ABI_ARRAY_SIZE(sweeps); i++) {
		unsigned char buf[128] = { 0 };
		int err;
		long rc;

		abi_size_sweep(fd, &sweeps[i]);

		/* and the answer at sizeof is the lookup's ENOENT */
		abi_section("%s at sizeof", sweeps[i].name);
		sweeps[i].fill(fd, buf, NULL);
		rc = abi_sweep_call(fd, &sweeps[i], buf,
				    (uint32_t)sweeps[i].ksize, &err);
		abi_check_errno(__FILE__, __LINE__, "well-formed call", ENOENT,
				rc, err);
	}
}

/* ------------------------------------------------------------------ */
/* IOMMU_GET_HW_INFO                                                  */
/* ------------------------------------------------------------------ */

static int hw_info(int fd, struct iommu_hw_info *cmd)
{
	cmd->size = sizeof(*cmd);
	return ioctl(fd, IOMMU_GET_HW_INFO, cmd);
}

static void check_hw_info(int fd)
{
	struct iommu_hw_info cmd;
	uint64_t payload[4] = { 0 };
	int i;

	abi_section("GET_HW_INFO flags and __reserved");
	memset(&cmd, 0, sizeof(cmd));
	cmd.flags = 1u << 1;
	EXPECT_ERRNO(EOPNOTSUPP, hw_info(fd, &cmd));
	cmd.flags = ~0u;
	EXPECT_ERRNO(EOPNOTSUPP, hw_info(fd, &cmd));
	cmd.flags = ~IOMMU_HW_INFO_FLAG_INPUT_TYPE;
	EXPECT_ERRNO(EOPNOTSUPP, hw_info(fd, &cmd));
	for (i = 0; i < 3; i++) {
		memset(&cmd, 0, sizeof(cmd));
		cmd.__reserved[i] = 0x80;
		EXPECT_ERRNO(EOPNOTSUPP, hw_info(fd, &cmd));
	}
	/* both faults: still EOPNOTSUPP, and nothing written back */
	memset(&cmd, 0, sizeof(cmd));
	cmd.flags = 4;
	cmd.__reserved[2] = 1;
	cmd.data_len = 77;
	cmd.in_data_type = 0x1234;
	cmd.out_capabilities = 0x55;
	EXPECT_ERRNO(EOPNOTSUPP, hw_info(fd, &cmd));
	EXPECT_EQ(77, cmd.data_len);
	EXPECT_EQ(0x1234, cmd.in_data_type);
	EXPECT_EQ(0x55, cmd.out_capabilities);

	abi_section("GET_HW_INFO device lookup");
	memset(&cmd, 0, sizeof(cmd));
	EXPECT_ERRNO(ENOENT, hw_info(fd, &cmd));		/* id 0 */
	cmd.dev_id = g_ioas;					/* an IOAS */
	EXPECT_ERRNO(ENOENT, hw_info(fd, &cmd));
	cmd.dev_id = 0xffffffffu;
	EXPECT_ERRNO(ENOENT, hw_info(fd, &cmd));
	/* INPUT_TYPE is a known flag; any requested type reaches the lookup */
	cmd.dev_id = g_ioas;
	cmd.flags = IOMMU_HW_INFO_FLAG_INPUT_TYPE;
	cmd.in_data_type = IOMMU_HW_INFO_TYPE_INTEL_VTD;
	EXPECT_ERRNO(ENOENT, hw_info(fd, &cmd));
	cmd.in_data_type = 0xdead;
	EXPECT_ERRNO(ENOENT, hw_info(fd, &cmd));
	/* without INPUT_TYPE the type field is ignored */
	cmd.flags = 0;
	EXPECT_ERRNO(ENOENT, hw_info(fd, &cmd));
	/* output fields and the payload buffer are not checked before it */
	cmd.data_len = sizeof(payload);
	cmd.data_uptr = (uintptr_t)payload;
	cmd.out_max_pasid_log2 = 20;
	cmd.out_capabilities = ~0ull;
	EXPECT_ERRNO(ENOENT, hw_info(fd, &cmd));
	cmd.data_uptr = 8;		/* unreadable: never touched */
	EXPECT_ERRNO(ENOENT, hw_info(fd, &cmd));
	EXPECT_EQ(0, payload[0]);
	/* a failed lookup writes nothing back */
	EXPECT_EQ(sizeof(payload), cmd.data_len);
	EXPECT_EQ(0xdead, cmd.in_data_type);
	EXPECT_EQ(20, cmd.out_max_pasid_log2);
	EXPECT_EQ(~0ull, cmd.out_capabilities);
}

/* ------------------------------------------------------------------ */
/* IOMMU_HWPT_*                                                       */
/* ------------------------------------------------------------------ */

static int hwpt_alloc(int fd, struct iommu_hwpt_alloc *cmd)
{
	cmd->size = sizeof(*cmd);
	return ioctl(fd, IOMMU_HWPT_ALLOC, cmd);
}

static void check_hwpt_alloc(int fd)
{
	struct iommu_hwpt_vtd_s1 s1 = { 0 };
	struct iommu_hwpt_alloc cmd;

	abi_section("HWPT_ALLOC __reserved");
	memset(&cmd, 0, sizeof(cmd));
	cmd.dev_id = g_ioas;
	cmd.pt_id = g_ioas;
	cmd.__reserved = 1;
	cmd.out_hwpt_id = 0x4321;
	EXPECT_ERRNO(EOPNOTSUPP, hwpt_alloc(fd, &cmd));
	EXPECT_EQ(0x4321, cmd.out_hwpt_id);
	/* __reserved comes before the data_type/data_len check */
	cmd.data_len = 8;
	EXPECT_ERRNO(EOPNOTSUPP, hwpt_alloc(fd, &cmd));

	abi_section("HWPT_ALLOC data_type and data_len");
	memset(&cmd, 0, sizeof(cmd));
	cmd.dev_id = g_ioas;
	cmd.pt_id = g_ioas;
	cmd.data_type = IOMMU_HWPT_DATA_NONE;
	cmd.data_len = sizeof(s1);
	cmd.data_uptr = (uintptr_t)&s1;
	EXPECT_ERRNO(EINVAL, hwpt_alloc(fd, &cmd));
	cmd.data_type = IOMMU_HWPT_DATA_VTD_S1;
	cmd.data_len = 0;
	EXPECT_ERRNO(EINVAL, hwpt_alloc(fd, &cmd));
	cmd.data_type = 0x7777;		/* unknown, and no length */
	EXPECT_ERRNO(EINVAL, hwpt_alloc(fd, &cmd));

	abi_section("HWPT_ALLOC device lookup");
	memset(&cmd, 0, sizeof(cmd));
	EXPECT_ERRNO(ENOENT, hwpt_alloc(fd, &cmd));		/* ids 0 */
	/* pt_id names an IOAS, dev_id too: the device lookup still fails */
	cmd.dev_id = g_ioas;
	cmd.pt_id = g_ioas;
	EXPECT_ERRNO(ENOENT, hwpt_alloc(fd, &cmd));
	/* flags are checked by the allocator, after the lookups */
	cmd.flags = ~0u;
	EXPECT_ERRNO(ENOENT, hwpt_alloc(fd, &cmd));
	cmd.flags = IOMMU_HWPT_ALLOC_NEST_PARENT |
		    IOMMU_HWPT_ALLOC_DIRTY_TRACKING | IOMMU_HWPT_FAULT_ID_VALID;
	cmd.fault_id = 12345;
	EXPECT_ERRNO(ENOENT, hwpt_alloc(fd, &cmd));
	/* __reserved2 is never checked */
	cmd.flags = 0;
	cmd.__reserved2 = 0xffffffffu;
	EXPECT_ERRNO(ENOENT, hwpt_alloc(fd, &cmd));
	/* a typed request with a length reaches the lookup; data not read */
	cmd.__reserved2 = 0;
	cmd.data_type = IOMMU_HWPT_DATA_VTD_S1;
	cmd.data_len = sizeof(s1);
	cmd.data_uptr = 0;
	EXPECT_ERRNO(ENOENT, hwpt_alloc(fd, &cmd));
	cmd.data_type = 0x7777;
	cmd.data_uptr = 8;
	EXPECT_ERRNO(ENOENT, hwpt_alloc(fd, &cmd));
	EXPECT_EQ(0, cmd.out_hwpt_id);
}

static int set_dirty(int fd, struct iommu_hwpt_set_dirty_tracking *cmd)
{
	cmd->size = sizeof(*cmd);
	return ioctl(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, cmd);
}

static int get_dirty(int fd, struct iommu_hwpt_get_dirty_bitmap *cmd)
{
	cmd->size = sizeof(*cmd);
	return ioctl(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, cmd);
}

static void check_dirty(int fd)
{
	struct iommu_hwpt_set_dirty_tracking set;
	struct iommu_hwpt_get_dirty_bitmap get;
	uint64_t bitmap[2] = { 0 };

	abi_section("HWPT_SET_DIRTY_TRACKING flags");
	memset(&set, 0, sizeof(set));
	set.hwpt_id = g_ioas;
	set.flags = 2;
	EXPECT_ERRNO(EOPNOTSUPP, set_dirty(fd, &set));
	set.flags = ~0u;
	EXPECT_ERRNO(EOPNOTSUPP, set_dirty(fd, &set));

	abi_section("HWPT_SET_DIRTY_TRACKING lookup");
	set.flags = 0;
	EXPECT_ERRNO(ENOENT, set_dirty(fd, &set));	/* an IOAS */
	set.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE;
	EXPECT_ERRNO(ENOENT, set_dirty(fd, &set));
	set.hwpt_id = 0;
	EXPECT_ERRNO(ENOENT, set_dirty(fd, &set));
	/* __reserved is not checked */
	set.hwpt_id = g_ioas;
	set.__reserved = 0xffffffffu;
	EXPECT_ERRNO(ENOENT, set_dirty(fd, &set));

	abi_section("HWPT_GET_DIRTY_BITMAP flags and __reserved");
	memset(&get, 0, sizeof(get));
	get.hwpt_id = g_ioas;
	get.flags = 2;
	EXPECT_ERRNO(EOPNOTSUPP, get_dirty(fd, &get));
	get.flags = ~0u;
	EXPECT_ERRNO(EOPNOTSUPP, get_dirty(fd, &get));
	get.flags = IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR;
	get.__reserved = 1;
	EXPECT_ERRNO(EOPNOTSUPP, get_dirty(fd, &get));
	get.flags = 0;
	EXPECT_ERRNO(EOPNOTSUPP, get_dirty(fd, &get));

	abi_section("HWPT_GET_DIRTY_BITMAP lookup");
	get.__reserved = 0;
	EXPECT_ERRNO(ENOENT, get_dirty(fd, &get));	/* an IOAS */
	get.flags = IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR;
	EXPECT_ERRNO(ENOENT, get_dirty(fd, &get));
	get.hwpt_id = 0;
	EXPECT_ERRNO(ENOENT, get_dirty(fd, &get));
	/* the range and the bitmap are checked after the lookup */
	get.hwpt_id = g_ioas;
	get.iova = ~0ull;
	get.length = ~0ull;
	get.page_size = 3;
	get.data = 8;
	EXPECT_ERRNO(ENOENT, get_dirty(fd, &get));
	get.iova = 0;
	get.length = 128 * 4096;
	get.page_size = 4096;
	get.data = (uintptr_t)bitmap;
	EXPECT_ERRNO(ENOENT, get_dirty(fd, &get));
	EXPECT_EQ(0, bitmap[0]);
}

static int invalidate(int fd, struct iommu_hwpt_invalidate *cmd)
{
	cmd->size = sizeof(*cmd);
	return ioctl(fd, IOMMU_HWPT_INVALIDATE, cmd);
}

static void check_invalidate(int fd)
{
	struct iommu_hwpt_vtd_s1_invalidate inv[2] = { 0 };
	struct iommu_hwpt_invalidate cmd, *ro;
	char *page;

	abi_section("HWPT_INVALIDATE __reserved");
	memset(&cmd, 0, sizeof(cmd));
	cmd.hwpt_id = g_ioas;
	cmd.__reserved = 1;
	cmd.entry_num = 5;
	EXPECT_ERRNO(EOPNOTSUPP, invalidate(fd, &cmd));
	/* entry_num is written back on the refusal: nothing was handled */
	EXPECT_EQ(0, cmd.entry_num);
	/* __reserved comes before the entry checks */
	cmd.entry_num = 2;
	cmd.data_uptr = 0;
	EXPECT_ERRNO(EOPNOTSUPP, invalidate(fd, &cmd));
	EXPECT_EQ(0, cmd.entry_num);

	abi_section("HWPT_INVALIDATE entries");
	memset(&cmd, 0, sizeof(cmd));
	cmd.hwpt_id = g_ioas;
	cmd.entry_num = 2;
	cmd.entry_len = sizeof(inv[0]);
	EXPECT_ERRNO(EINVAL, invalidate(fd, &cmd));	/* data_uptr 0 */
	EXPECT_EQ(0, cmd.entry_num);
	cmd.entry_num = 2;
	cmd.entry_len = 0;
	cmd.data_uptr = (uintptr_t)inv;
	EXPECT_ERRNO(EINVAL, invalidate(fd, &cmd));	/* entry_len 0 */
	EXPECT_EQ(0, cmd.entry_num);
	/* no entries: neither pointer nor length is needed */
	cmd.entry_num = 0;
	cmd.data_uptr = 0;
	cmd.hwpt_id = 0;
	EXPECT_ERRNO(ENOENT, invalidate(fd, &cmd));

	abi_section("HWPT_INVALIDATE lookup");
	memset(&cmd, 0, sizeof(cmd));
	cmd.hwpt_id = 0x7ffffff0u;
	cmd.entry_num = 2;
	cmd.entry_len = sizeof(inv[0]);
	cmd.data_uptr = (uintptr_t)inv;
	cmd.data_type = IOMMU_HWPT_INVALIDATE_DATA_VTD_S1;
	EXPECT_ERRNO(ENOENT, invalidate(fd, &cmd));
	EXPECT_EQ(0, cmd.entry_num);
	/* an id of another type is found, and refused as the wrong type */
	cmd.hwpt_id = g_ioas;
	cmd.entry_num = 2;
	EXPECT_ERRNO(EINVAL, invalidate(fd, &cmd));
	EXPECT_EQ(0, cmd.entry_num);
	cmd.entry_num = 0;
	cmd.data_type = 0x9999;
	EXPECT_ERRNO(EINVAL, invalidate(fd, &cmd));

	/* the reply cannot be written: EFAULT whatever the other answer */
	abi_section("HWPT_INVALIDATE reply on a read-only page");
	page = mmap(NULL, abi_page_size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ABI_ASSERT(page != MAP_FAILED);
	ro = (struct iommu_hwpt_invalidate *)page;
	memset(ro, 0, sizeof(*ro));
	ro->size = sizeof(*ro);
	ro->hwpt_id = g_ioas;
	ABI_ASSERT(mprotect(page, abi_page_size, PROT_READ) == 0);
	EXPECT_ERRNO(EFAULT, ioctl(fd, IOMMU_HWPT_INVALIDATE, ro));
	ABI_ASSERT(mprotect(page, abi_page_size, PROT_READ | PROT_WRITE) == 0);
	ro->__reserved = 1;
	ABI_ASSERT(mprotect(page, abi_page_size, PROT_READ) == 0);
	EXPECT_ERRNO(EFAULT, ioctl(fd, IOMMU_HWPT_INVALIDATE, ro));
	munmap(page, abi_page_size);
}

/* ------------------------------------------------------------------ */
/* vIOMMU, vDEVICE, vEVENTQ, HW queue, TSM                            */
/* ------------------------------------------------------------------ */

static int viommu_alloc(int fd, struct iommu_viommu_alloc *cmd)
{
	cmd->size = sizeof(*cmd);
	return ioctl(fd, IOMMU_VIOMMU_ALLOC, cmd);
}

static void check_viommu_alloc(int fd)
{
	struct iommu_viommu_alloc cmd;

	abi_section("VIOMMU_ALLOC flags and type");
	memset(&cmd, 0, sizeof(cmd));
	cmd.dev_id = g_ioas;
	cmd.hwpt_id = g_ioas;
	cmd.type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3;
	cmd.flags = 1;
	cmd.out_viommu_id = 0x99;
	EXPECT_ERRNO(EOPNOTSUPP, viommu_alloc(fd, &cmd));
	EXPECT_EQ(0x99, cmd.out_viommu_id);
	cmd.flags = 0;
	cmd.type = IOMMU_VIOMMU_TYPE_DEFAULT;
	EXPECT_ERRNO(EOPNOTSUPP, viommu_alloc(fd, &cmd));

	abi_section("VIOMMU_ALLOC device lookup");
	cmd.type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3;
	EXPECT_ERRNO(ENOENT, viommu_alloc(fd, &cmd));	/* an IOAS */
	cmd.dev_id = 0;
	EXPECT_ERRNO(ENOENT, viommu_alloc(fd, &cmd));
	/* an unknown type is the model's to refuse, after the lookup */
	cmd.dev_id = g_ioas;
	cmd.type = 0x55;
	EXPECT_ERRNO(ENOENT, viommu_alloc(fd, &cmd));
	/* __reserved and the data are not checked before it */
	cmd.type = IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV;
	cmd.__reserved = 0xffffffffu;
	cmd.data_len = 16;
	cmd.data_uptr = 8;
	EXPECT_ERRNO(ENOENT, viommu_alloc(fd, &cmd));
	EXPECT_EQ(0x99, cmd.out_viommu_id);
}

static int vdevice_alloc(int fd, struct iommu_vdevice_alloc *cmd)
{
	cmd->size = sizeof(*cmd);
	return ioctl(fd, IOMMU_VDEVICE_ALLOC, cmd);
}

static void check_vdevice_alloc(int fd)
{
	struct iommu_vdevice_alloc cmd;

	abi_section("VDEVICE_ALLOC vIOMMU lookup");
	memset(&cmd, 0, sizeof(cmd));
	EXPECT_ERRNO(ENOENT, vdevice_alloc(fd, &cmd));		/* id 0 */
	cmd.viommu_id = g_ioas;
	cmd.dev_id = g_ioas;
	cmd.out_vdevice_id = 0x77;
	EXPECT_ERRNO(ENOENT, vdevice_alloc(fd, &cmd));
	EXPECT_EQ(0x77, cmd.out_vdevice_id);
	/* virt_id must fit an unsigned long (always true on 64-bit) */
	cmd.virt_id = ~0ull;
	EXPECT_ERRNO(sizeof(long) < 8 ? EINVAL : ENOENT,
		     vdevice_alloc(fd, &cmd));
	cmd.virt_id = 0xffffffffull;
	EXPECT_ERRNO(ENOENT, vdevice_alloc(fd, &cmd));
}

static int veventq_alloc(int fd, struct iommu_veventq_alloc *cmd)
{
	cmd->size = sizeof(*cmd);
	return ioctl(fd, IOMMU_VEVENTQ_ALLOC, cmd);
}

static void check_veventq_alloc(int fd)
{
	struct iommu_veventq_alloc cmd, good;

	memset(&good, 0, sizeof(good));
	good.viommu_id = g_ioas;
	good.type = IOMMU_VEVENTQ_TYPE_ARM_SMMUV3;
	good.veventq_depth = 1;

	abi_section("VEVENTQ_ALLOC flags, __reserved, type");
	cmd = good;
	cmd.flags = 1;
	cmd.out_veventq_fd = 0xabc;
	EXPECT_ERRNO(EOPNOTSUPP, veventq_alloc(fd, &cmd));
	EXPECT_EQ(0xabc, cmd.out_veventq_fd);
	cmd = good;
	cmd.__reserved = 1;
	EXPECT_ERRNO(EOPNOTSUPP, veventq_alloc(fd, &cmd));
	cmd = good;
	cmd.type = IOMMU_VEVENTQ_TYPE_DEFAULT;
	EXPECT_ERRNO(EOPNOTSUPP, veventq_alloc(fd, &cmd));
	/* these come before the depth check */
	cmd.veventq_depth = 0;
	EXPECT_ERRNO(EOPNOTSUPP, veventq_alloc(fd, &cmd));

	abi_section("VEVENTQ_ALLOC depth");
	cmd = good;
	cmd.veventq_depth = 0;
	EXPECT_ERRNO(EINVAL, veventq_alloc(fd, &cmd));
	cmd.viommu_id = 0;
	EXPECT_ERRNO(EINVAL, veventq_alloc(fd, &cmd));

	abi_section("VEVENTQ_ALLOC vIOMMU lookup");
	cmd = good;
	EXPECT_ERRNO(ENOENT, veventq_alloc(fd, &cmd));	/* an IOAS */
	cmd.viommu_id = 0;
	EXPECT_ERRNO(ENOENT, veventq_alloc(fd, &cmd));
	cmd.type = 0x66;		/* not checked before the lookup */
	cmd.veventq_depth = ~0u;
	EXPECT_ERRNO(ENOENT, veventq_alloc(fd, &cmd));
}

static int hw_queue_alloc(int fd, struct iommu_hw_queue_alloc *cmd)
{
	cmd->size = sizeof(*cmd);
	return ioctl(fd, IOMMU_HW_QUEUE_ALLOC, cmd);
}

static void check_hw_queue_alloc(int fd)
{
	struct iommu_hw_queue_alloc cmd, good;

	memset(&good, 0, sizeof(good));
	good.viommu_id = g_ioas;
	good.type = IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV;
	good.nesting_parent_iova = 1ull << 30;
	good.length = 4096;

	abi_section("HW_QUEUE_ALLOC flags and type");
	cmd = good;
	cmd.flags = 1;
	cmd.out_hw_queue_id = 0x31;
	EXPECT_ERRNO(EOPNOTSUPP, hw_queue_alloc(fd, &cmd));
	EXPECT_EQ(0x31, cmd.out_hw_queue_id);
	cmd = good;
	cmd.type = IOMMU_HW_QUEUE_TYPE_DEFAULT;
	EXPECT_ERRNO(EOPNOTSUPP, hw_queue_alloc(fd, &cmd));
	cmd.length = 0;			/* the type comes first */
	EXPECT_ERRNO(EOPNOTSUPP, hw_queue_alloc(fd, &cmd));

	abi_section("HW_QUEUE_ALLOC length");
	cmd = good;
	cmd.length = 0;
	EXPECT_ERRNO(EINVAL, hw_queue_alloc(fd, &cmd));
	cmd = good;
	cmd.nesting_parent_iova = ~0ull - 1;
	cmd.length = 3;
	EXPECT_ERRNO(EOVERFLOW, hw_queue_alloc(fd, &cmd));
	cmd.nesting_parent_iova = 2;
	cmd.length = ~0ull;
	EXPECT_ERRNO(EOVERFLOW, hw_queue_alloc(fd, &cmd));
	cmd.nesting_parent_iova = 1;	/* last is exactly 2^64 - 1 */
	EXPECT_ERRNO(ENOENT, hw_queue_alloc(fd, &cmd));
	/* exactly up to 2^64 - 1 is fine */
	cmd.nesting_parent_iova = ~0ull;
	cmd.length = 1;
	EXPECT_ERRNO(ENOENT, hw_queue_alloc(fd, &cmd));
	cmd.nesting_parent_iova = 0;
	cmd.length = ~0ull;
	EXPECT_ERRNO(ENOENT, hw_queue_alloc(fd, &cmd));

	abi_section("HW_QUEUE_ALLOC vIOMMU lookup");
	cmd = good;
	EXPECT_ERRNO(ENOENT, hw_queue_alloc(fd, &cmd));	/* an IOAS */
	cmd.viommu_id = 0;
	EXPECT_ERRNO(ENOENT, hw_queue_alloc(fd, &cmd));
	cmd.type = 0x42;		/* the model's to refuse, later */
	cmd.index = ~0u;
	EXPECT_ERRNO(ENOENT, hw_queue_alloc(fd, &cmd));
}

static int tsm_op(int fd, struct iommu_vdevice_tsm_op *cmd)
{
	cmd->size = sizeof(*cmd);
	return ioctl(fd, IOMMU_VDEVICE_TSM_OP, cmd);
}

static void check_tsm_op(int fd)
{
	struct iommu_vdevice_tsm_op cmd;

	abi_section("VDEVICE_TSM_OP flags");
	memset(&cmd, 0, sizeof(cmd));
	cmd.type = IOMMU_VDEVICE_TSM_BIND;
	cmd.vdevice_id = g_ioas;
	cmd.flags = 1;
	EXPECT_ERRNO(EOPNOTSUPP, tsm_op(fd, &cmd));
	cmd.flags = ~0u;
	EXPECT_ERRNO(EOPNOTSUPP, tsm_op(fd, &cmd));

	abi_section("VDEVICE_TSM_OP vDEVICE lookup");
	cmd.flags = 0;
	EXPECT_ERRNO(ENOENT, tsm_op(fd, &cmd));		/* an IOAS */
	cmd.vdevice_id = 0;
	EXPECT_ERRNO(ENOENT, tsm_op(fd, &cmd));
	/* the operation is checked after the lookup */
	cmd.vdevice_id = g_ioas;
	cmd.type = 0;
	EXPECT_ERRNO(ENOENT, tsm_op(fd, &cmd));
	cmd.type = 0x1234;
	EXPECT_ERRNO(ENOENT, tsm_op(fd, &cmd));
}

/* None of the refused calls changed the object graph. */
static void check_nothing_created(int fd)
{
	struct iommu_iova_range r[4];
	uint32_t n = ABI_ARRAY_SIZE(r);
	uint32_t id = 0;

	abi_section("object graph unchanged");
	EXPECT_OK(abi_iova_ranges(fd, g_ioas, r, &n, NULL));
	EXPECT_OK(abi_ioas_alloc(fd, &id));
	EXPECT_EQ(g_ioas + 1, id);
	EXPECT_OK(abi_destroy(fd, id));
	EXPECT_ERRNO(ENOENT, abi_destroy(fd, g_ioas + 1));
	EXPECT_OK(abi_destroy(fd, g_ioas));
}

int main(void)
{
	int fd = abi_open();

	g_ioas = abi_new_ioas(fd);
	check_sizes(fd);
	check_hw_info(fd);
	check_hwpt_alloc(fd);
	check_dirty(fd);
	check_invalidate(fd);
	check_viommu_alloc(fd);
	check_vdevice_alloc(fd);
	check_veventq_alloc(fd);
	check_hw_queue_alloc(fd);
	check_tsm_op(fd);
	check_nothing_created(fd);
	close(fd);
	return abi_finish("device_ioctls");
}
