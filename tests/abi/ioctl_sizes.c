/* SPDX-License-Identifier: MIT */
/*
 * ABI: the extensible-struct protocol of every implemented iommufd ioctl, and
 * the answer to ioctl numbers that are not iommufd commands.
 *
 * Kernel reference (drivers/iommu/iommufd/main.c, iommufd_fops_ioctl()):
 *  - nr outside [IOMMUFD_CMD_BASE, BASE + ARRAY_SIZE(iommufd_ioctl_ops)) goes
 *    to iommufd_vfio_ioctl(), which answers -ENOIOCTLCMD (ENOTTY) for what it
 *    does not know, without touching the argument;
 *  - inside that range the leading __u32 size is read first (get_user:
 *    EFAULT), then an entry whose ioctl_num differs from cmd (a hole, or the
 *    right nr with another _IOC encoding) is -ENOIOCTLCMD (ENOTTY);
 *  - size < op->min_size (offsetofend of the IOCTL_OP() last field) is
 *    EINVAL; then copy_struct_from_user(): a larger struct must be zero past
 *    the kernel's sizeof (E2BIG) and readable (EFAULT);
 *  - iommufd_ucmd_respond() writes back min(size, sizeof) bytes; when that
 *    copy faults an object being created is aborted, so its id is reused.
 */
#include "abi.h"

#include <sys/mman.h>

static uint32_t g_ioas;		/* an IOAS for commands that need one */
static uint32_t g_dst_ioas;	/* COPY destination */
static uint64_t g_src_iova;	/* a mapped page in g_ioas */
static void *g_buf;		/* one page of memory */
static int g_memfd;
static uint64_t g_reserve_next;	/* ADD_RESERVED: a fresh range per call */

static void fill_destroy(int fd, void *buf, void *ctx)
{
	struct iommu_destroy *cmd = buf;

	cmd->id = abi_new_ioas(fd);
}

static void fill_ioas_alloc(int fd, void *buf, void *ctx)
{
	/* all zero: flags 0 */
}

static void fill_allow_iovas(int fd, void *buf, void *ctx)
{
	struct iommu_ioas_allow_iovas *cmd = buf;

	cmd->ioas_id = g_ioas;
	cmd->num_iovas = 0;
}

static void fill_copy(int fd, void *buf, void *ctx)
{
	struct iommu_ioas_copy *cmd = buf;

	cmd->flags = IOMMU_IOAS_MAP_READABLE;
	cmd->dst_ioas_id = g_dst_ioas;
	cmd->src_ioas_id = g_ioas;
	cmd->length = abi_page_size;
	cmd->src_iova = g_src_iova;
}

static struct iommu_iova_range g_ranges[4];

static void fill_iova_ranges(int fd, void *buf, void *ctx)
{
	struct iommu_ioas_iova_ranges *cmd = buf;

	cmd->ioas_id = g_ioas;
	cmd->num_iovas = ABI_ARRAY_SIZE(g_ranges);
	cmd->allowed_iovas = (uintptr_t)g_ranges;
}

static void fill_map(int fd, void *buf, void *ctx)
{
	struct iommu_ioas_map *cmd = buf;

	cmd->flags = IOMMU_IOAS_MAP_READABLE;
	cmd->ioas_id = g_ioas;
	cmd->user_va = (uintptr_t)g_buf;
	cmd->length = abi_page_size;
}

static void fill_map_file(int fd, void *buf, void *ctx)
{
	struct iommu_ioas_map_file *cmd = buf;

	cmd->flags = IOMMU_IOAS_MAP_READABLE;
	cmd->ioas_id = g_ioas;
	cmd->fd = g_memfd;
	cmd->start = 0;
	cmd->length = abi_page_size;
}

static void fill_unmap(int fd, void *buf, void *ctx)
{
	struct iommu_ioas_unmap *cmd = buf;
	uint64_t iova = 0;

	ABI_ASSERT(abi_map(fd, g_ioas, g_buf, abi_page_size,
			   IOMMU_IOAS_MAP_READABLE, &iova) == 0);
	cmd->ioas_id = g_ioas;
	cmd->iova = iova;
	cmd->length = abi_page_size;
}

static void fill_option(int fd, void *buf, void *ctx)
{
	struct iommu_option *cmd = buf;

	cmd->option_id = IOMMU_OPTION_RLIMIT_MODE;
	cmd->op = IOMMU_OPTION_OP_GET;
}

static void fill_vfio_ioas(int fd, void *buf, void *ctx)
{
	struct iommu_vfio_ioas *cmd = buf;

	cmd->op = IOMMU_VFIO_IOAS_SET;
	cmd->ioas_id = g_ioas;
}

static void fill_change_process(int fd, void *buf, void *ctx)
{
	/* all zero: __reserved 0 */
}

static void fill_test_cmd(int fd, void *buf, void *ctx)
{
	struct iommu_test_cmd *cmd = buf;

	cmd->op = IOMMU_TEST_OP_ADD_RESERVED;
	cmd->id = g_ioas;
	cmd->add_reserved.start = g_reserve_next;
	cmd->add_reserved.length = abi_page_size;
	g_reserve_next += 2 * abi_page_size;
}

#define SWEEP(_struct, _ioctl, _last, _fill)                               \
	{                                                                   \
		.name = #_ioctl,                                            \
		.request = _ioctl,                                          \
		.ksize = sizeof(struct _struct),                            \
		.min_size = offsetofend(struct _struct, _last),             \
		.fill = _fill,                                              \
	}

static void check_unknown_ioctls(int fd)
{
	struct {
		uint32_t size;
		uint32_t words[31];
	} arg = { .size = 8 };

	abi_section("unknown ioctl numbers");
	/* below the iommufd range and past its end: the VFIO path, ENOTTY */
	EXPECT_ERRNO(ENOTTY, ioctl(fd, _IO(IOMMUFD_TYPE, 0x7f), &arg));
	EXPECT_ERRNO(ENOTTY, ioctl(fd, _IO(IOMMUFD_TYPE, 0xa1), &arg));
	EXPECT_ERRNO(ENOTTY, ioctl(fd, _IO(IOMMUFD_TYPE, 0xff), &arg));
	EXPECT_ERRNO(ENOTTY, ioctl(fd, _IO('x', 1), &arg));
	EXPECT_ERRNO(ENOTTY, ioctl(fd, _IO('x', 0x81), &arg));
	/* ... where the argument is never read */
	EXPECT_ERRNO(ENOTTY, ioctl(fd, _IO(IOMMUFD_TYPE, 0x7f), (void *)8));
	EXPECT_ERRNO(ENOTTY, ioctl(fd, _IO(IOMMUFD_TYPE, 0xa1), NULL));
	EXPECT_ERRNO(ENOTTY, ioctl(fd, _IO('x', 1), (void *)8));

	/* a hole inside the table: the size is read first, then ENOTTY */
	EXPECT_ERRNO(ENOTTY, ioctl(fd, _IO(IOMMUFD_TYPE, 0x9f), &arg));
	EXPECT_ERRNO(EFAULT, ioctl(fd, _IO(IOMMUFD_TYPE, 0x9f), (void *)8));

	/* the nr of IOAS_ALLOC with another _IOC encoding is not IOAS_ALLOC */
	EXPECT_ERRNO(ENOTTY,
		     ioctl(fd, _IOWR(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOC,
				     struct iommu_ioas_alloc),
			   &arg));
	EXPECT_ERRNO(ENOTTY,
		     ioctl(fd, _IOR(IOMMUFD_TYPE, IOMMUFD_CMD_DESTROY,
				    struct iommu_destroy),
			   &arg));
	EXPECT_ERRNO(EFAULT,
		     ioctl(fd, _IOWR(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOC,
				     struct iommu_ioas_alloc),
			   (void *)8));
}

/*
 * The whole argument is read before anything is done: a faulting or
 * non-zero tail stops the command before it acts.
 */
static void check_no_side_effects(int fd)
{
	struct {
		struct iommu_ioas_alloc cmd;
		uint32_t future[2];
	} big = { .cmd = { .size = sizeof(big) }, .future = { 0, 7 } };
	uint32_t id = 0;

	abi_section("refused commands have no effect");
	/* a fresh context: the E2BIG attempt must not take id 1 */
	EXPECT_ERRNO(E2BIG, ioctl(fd, IOMMU_IOAS_ALLOC, &big));
	EXPECT_OK(abi_ioas_alloc(fd, &id));
	EXPECT_EQ(1, id);

	/* a longer struct with a zero tail works; the tail is left alone */
	big.future[1] = 0;
	big.cmd.out_ioas_id = 0xdead;
	EXPECT_OK(ioctl(fd, IOMMU_IOAS_ALLOC, &big));
	EXPECT_EQ(2, big.cmd.out_ioas_id);
	EXPECT_EQ(0, big.future[0]);
	EXPECT_EQ(0, big.future[1]);
	EXPECT_EQ(sizeof(big), big.cmd.size);
}

/*
 * The reply cannot be written (the argument sits on a read-only page): the
 * kernel aborts the object it was creating and answers EFAULT, so the id
 * goes back to the pool.
 */
static void check_reply_fault(void)
{
	int fd = abi_open();
	struct iommu_ioas_alloc *ro;
	uint32_t id = 0;
	char *page;

	abi_section("IOAS_ALLOC reply on a read-only page");
	page = mmap(NULL, abi_page_size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ABI_ASSERT(page != MAP_FAILED);
	ro = (struct iommu_ioas_alloc *)page;
	memset(ro, 0, sizeof(*ro));
	ro->size = sizeof(*ro);
	ABI_ASSERT(mprotect(page, abi_page_size, PROT_READ) == 0);

	EXPECT_ERRNO(EFAULT, ioctl(fd, IOMMU_IOAS_ALLOC, ro));
	EXPECT_ERRNO(EFAULT, ioctl(fd, IOMMU_IOAS_ALLOC, ro));
	/* nothing was left behind: the first id is still free */
	EXPECT_OK(abi_ioas_alloc(fd, &id));
	EXPECT_EQ(1, id);
	EXPECT_ERRNO(ENOENT, abi_destroy(fd, 2));

	/* the reply is never longer than the caller's struct */
	{
		struct {
			struct iommu_ioas_iova_ranges cmd;
		} *edge = abi_at_page_end(sizeof(struct iommu_ioas_iova_ranges));

		memset(edge, 0, sizeof(*edge));
		edge->cmd.size = sizeof(edge->cmd);
		edge->cmd.ioas_id = id;
		EXPECT_ERRNO(EMSGSIZE,
			     ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &edge->cmd));
		EXPECT_EQ(1, edge->cmd.num_iovas);
		EXPECT_EQ(1, edge->cmd.out_iova_alignment);
	}

	munmap(page, abi_page_size);
	close(fd);
}

int main(void)
{
	int fd = abi_open();
	int fd_file_only;
	int have_test;
	struct abi_sweep sweeps[] = {
		SWEEP(iommu_destroy, IOMMU_DESTROY, id, fill_destroy),
		SWEEP(iommu_ioas_alloc, IOMMU_IOAS_ALLOC, out_ioas_id,
		      fill_ioas_alloc),
		SWEEP(iommu_ioas_allow_iovas, IOMMU_IOAS_ALLOW_IOVAS,
		      allowed_iovas, fill_allow_iovas),
		SWEEP(iommu_ioas_copy, IOMMU_IOAS_COPY, src_iova, fill_copy),
		SWEEP(iommu_ioas_iova_ranges, IOMMU_IOAS_IOVA_RANGES,
		      out_iova_alignment, fill_iova_ranges),
		SWEEP(iommu_ioas_map, IOMMU_IOAS_MAP, iova, fill_map),
		SWEEP(iommu_ioas_map_file, IOMMU_IOAS_MAP_FILE, iova,
		      fill_map_file),
		SWEEP(iommu_ioas_unmap, IOMMU_IOAS_UNMAP, length, fill_unmap),
		SWEEP(iommu_option, IOMMU_OPTION, val64, fill_option),
		SWEEP(iommu_vfio_ioas, IOMMU_VFIO_IOAS, __reserved,
		      fill_vfio_ioas),
	};
	struct abi_sweep change_process =
		SWEEP(iommu_ioas_change_process, IOMMU_IOAS_CHANGE_PROCESS,
		      __reserved, fill_change_process);
	struct abi_sweep test_cmd =
		SWEEP(iommu_test_cmd, IOMMU_TEST_CMD, last, fill_test_cmd);
	size_t i;

	/* the minimum sizes of the kernel's IOCTL_OP() table */
	abi_section("minimum sizes");
	EXPECT_EQ(8, offsetofend(struct iommu_destroy, id));
	EXPECT_EQ(12, offsetofend(struct iommu_ioas_alloc, out_ioas_id));
	EXPECT_EQ(24, offsetofend(struct iommu_ioas_allow_iovas,
				  allowed_iovas));
	EXPECT_EQ(40, offsetofend(struct iommu_ioas_copy, src_iova));
	EXPECT_EQ(32, offsetofend(struct iommu_ioas_iova_ranges,
				  out_iova_alignment));
	EXPECT_EQ(40, offsetofend(struct iommu_ioas_map, iova));
	EXPECT_EQ(40, offsetofend(struct iommu_ioas_map_file, iova));
	EXPECT_EQ(24, offsetofend(struct iommu_ioas_unmap, length));
	EXPECT_EQ(24, offsetofend(struct iommu_option, val64));
	EXPECT_EQ(12, offsetofend(struct iommu_vfio_ioas, __reserved));
	EXPECT_EQ(8, offsetofend(struct iommu_ioas_change_process,
				 __reserved));

	g_ioas = abi_new_ioas(fd);
	g_dst_ioas = abi_new_ioas(fd);
	g_buf = abi_pages(1);
	g_memfd = abi_memfd(4 * abi_page_size);
	g_src_iova = 1UL << 20;
	ABI_ASSERT(abi_map_fixed(fd, g_ioas, g_buf, abi_page_size,
				 g_src_iova) == 0);
	g_reserve_next = 1UL << 40;

	for (i = 0; i < ABI_ARRAY_SIZE(sweeps); i++)
		abi_size_sweep(fd, &sweeps[i]);

	/* CHANGE_PROCESS succeeds only without user-VA maps: its own fd */
	fd_file_only = abi_open();
	abi_size_sweep(fd_file_only, &change_process);
	close(fd_file_only);

	have_test = abi_have_test_cmd(fd);
	if (have_test) {
		abi_section("minimum sizes");
		EXPECT_EQ(68, offsetofend(struct iommu_test_cmd, last));
		EXPECT_EQ(72, sizeof(struct iommu_test_cmd));
		abi_size_sweep(fd, &test_cmd);
	} else {
		printf("note: IOMMU_TEST_CMD not served; its sweep skipped\n");
	}

	check_unknown_ioctls(fd);
	close(fd);

	fd = abi_open();
	check_no_side_effects(fd);
	close(fd);

	check_reply_fault();
	return abi_finish("ioctl_sizes");
}
