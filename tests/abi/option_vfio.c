/* SPDX-License-Identifier: MIT */
/*
 * ABI: IOMMU_OPTION (RLIMIT_MODE, HUGE_PAGES) and IOMMU_VFIO_IOAS.
 *
 * Kernel reference:
 *  - main.c iommufd_option(): __reserved EOPNOTSUPP, unknown option_id
 *    EOPNOTSUPP; on success only val64 is copied back to the caller
 *    (copy_to_user of &ubuffer->val64; EFAULT if that fails);
 *  - ioas.c iommufd_option_rlimit_mode(): object_id != 0 EOPNOTSUPP; GET
 *    gives account_mode == IOPT_PAGES_ACCOUNT_MM (0 for /dev/iommu); SET
 *    needs CAP_SYS_RESOURCE (EPERM), then any object in the context EBUSY,
 *    then 0 or 1 (else EINVAL); other ops EOPNOTSUPP;
 *  - ioas.c iommufd_ioas_option(): the IOAS named by object_id (ENOENT, also
 *    for 0), then HUGE_PAGES: GET !disable_large_pages (1 by default), SET 0
 *    (iopt_disable_large_pages(): the IOAS alignment becomes PAGE_SIZE,
 *    EADDRINUSE if an existing area does not fit it) or 1, else EINVAL;
 *    other ops EOPNOTSUPP;
 *  - vfio_compat.c iommufd_vfio_ioas(): __reserved EOPNOTSUPP; GET with no
 *    compat IOAS ENODEV, else writes ioas_id back; SET looks the IOAS up
 *    (ENOENT); CLEAR always 0; other ops EOPNOTSUPP;
 *  - main.c iommufd_object_remove(): destroying the compat IOAS clears it.
 */
#include "abi.h"

static size_t ps;

static int option_cmd(int fd, struct iommu_option *cmd)
{
	return ioctl(fd, IOMMU_OPTION, cmd);
}

#define OPT(_id, _op, _obj, _val)                                            \
	((struct iommu_option){ .size = sizeof(struct iommu_option),          \
				.option_id = (_id),                           \
				.op = (_op),                                  \
				.object_id = (_obj),                          \
				.val64 = (_val) })

static void check_option_common(int fd)
{
	uint32_t ioas = abi_new_ioas(fd);
	struct iommu_option cmd;

	abi_section("OPTION __reserved and option_id");
	cmd = OPT(IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET, 0, 7);
	cmd.__reserved = 1;
	EXPECT_ERRNO(EOPNOTSUPP, option_cmd(fd, &cmd));
	EXPECT_EQ(7, cmd.val64);
	cmd = OPT(IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET, ioas, 7);
	cmd.__reserved = 0x8000;
	EXPECT_ERRNO(EOPNOTSUPP, option_cmd(fd, &cmd));
	cmd = OPT(IOMMU_OPTION_HUGE_PAGES, 99, 9999, 7);
	cmd.__reserved = 1;
	EXPECT_ERRNO(EOPNOTSUPP, option_cmd(fd, &cmd));
	cmd = OPT(2, IOMMU_OPTION_OP_GET, 0, 7);
	EXPECT_ERRNO(EOPNOTSUPP, option_cmd(fd, &cmd));
	cmd = OPT(2, IOMMU_OPTION_OP_GET, ioas, 7);
	EXPECT_ERRNO(EOPNOTSUPP, option_cmd(fd, &cmd));
	cmd = OPT(0xffffffffu, IOMMU_OPTION_OP_SET, 0, 0);
	EXPECT_ERRNO(EOPNOTSUPP, option_cmd(fd, &cmd));
	EXPECT_OK(abi_destroy(fd, ioas));
}

/* CAP_SYS_RESOURCE (24) in the effective set, from /proc/self/status. */
static int have_cap_sys_resource(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	unsigned long long eff = 0;
	char line[256];
	int found = 0;

	if (!f)
		return geteuid() == 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1) {
			found = 1;
			break;
		}
	fclose(f);
	if (!found)
		return geteuid() == 0;
	return (eff >> 24) & 1;
}

static void check_rlimit_mode(void)
{
	int fd = abi_open(), fd2;
	struct iommu_option cmd;
	uint32_t ioas;
	int root = have_cap_sys_resource();

	abi_section("RLIMIT_MODE GET");
	cmd = OPT(IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET, 0, 7);
	EXPECT_OK(option_cmd(fd, &cmd));
	EXPECT_EQ(0, cmd.val64);
	cmd = OPT(IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET, 1, 7);
	EXPECT_ERRNO(EOPNOTSUPP, option_cmd(fd, &cmd));
	EXPECT_EQ(7, cmd.val64);
	cmd = OPT(IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 1, 0);
	EXPECT_ERRNO(EOPNOTSUPP, option_cmd(fd, &cmd));
	cmd = OPT(IOMMU_OPTION_RLIMIT_MODE, 2, 0, 0);
	EXPECT_ERRNO(EOPNOTSUPP, option_cmd(fd, &cmd));
	cmd = OPT(IOMMU_OPTION_RLIMIT_MODE, 0xffff, 0, 0);
	EXPECT_ERRNO(EOPNOTSUPP, option_cmd(fd, &cmd));
	/* object_id is checked before the op */
	cmd = OPT(IOMMU_OPTION_RLIMIT_MODE, 2, 5, 0);
	EXPECT_ERRNO(EOPNOTSUPP, option_cmd(fd, &cmd));

	if (!root) {
		abi_section("RLIMIT_MODE SET without CAP_SYS_RESOURCE");
		cmd = OPT(IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0, 1);
		EXPECT_ERRNO(EPERM, option_cmd(fd, &cmd));
		/* the capability is checked before the value and the objects */
		cmd = OPT(IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0, 2);
		EXPECT_ERRNO(EPERM, option_cmd(fd, &cmd));
		ioas = abi_new_ioas(fd);
		cmd = OPT(IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0, 0);
		EXPECT_ERRNO(EPERM, option_cmd(fd, &cmd));
		cmd = OPT(IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET, 0, 7);
		EXPECT_OK(option_cmd(fd, &cmd));
		EXPECT_EQ(0, cmd.val64);
		printf("note: no CAP_SYS_RESOURCE; RLIMIT_MODE SET checks "
		       "skipped\n");
		close(fd);
		return;
	}

	abi_section("RLIMIT_MODE SET on an empty context");
	cmd = OPT(IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0, 2);
	EXPECT_ERRNO(EINVAL, option_cmd(fd, &cmd));
	cmd = OPT(IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0,
		  UINT64_MAX);
	EXPECT_ERRNO(EINVAL, option_cmd(fd, &cmd));
	cmd = OPT(IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET, 0, 7);
	EXPECT_OK(option_cmd(fd, &cmd));
	EXPECT_EQ(0, cmd.val64);
	cmd = OPT(IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0, 1);
	EXPECT_OK(option_cmd(fd, &cmd));
	EXPECT_EQ(1, cmd.val64);
	cmd = OPT(IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET, 0, 7);
	EXPECT_OK(option_cmd(fd, &cmd));
	EXPECT_EQ(1, cmd.val64);
	/* per context */
	fd2 = abi_open();
	cmd = OPT(IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET, 0, 7);
	EXPECT_OK(option_cmd(fd2, &cmd));
	EXPECT_EQ(0, cmd.val64);
	close(fd2);
	cmd = OPT(IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0, 0);
	EXPECT_OK(option_cmd(fd, &cmd));
	cmd = OPT(IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET, 0, 7);
	EXPECT_OK(option_cmd(fd, &cmd));
	EXPECT_EQ(0, cmd.val64);
	cmd = OPT(IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0, 1);
	EXPECT_OK(option_cmd(fd, &cmd));

	abi_section("RLIMIT_MODE SET with objects");
	ioas = abi_new_ioas(fd);
	cmd = OPT(IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0, 0);
	EXPECT_ERRNO(EBUSY, option_cmd(fd, &cmd));
	cmd = OPT(IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0, 1);
	EXPECT_ERRNO(EBUSY, option_cmd(fd, &cmd));
	/* busy is found before the value is looked at */
	cmd = OPT(IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0, 2);
	EXPECT_ERRNO(EBUSY, option_cmd(fd, &cmd));
	cmd = OPT(IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET, 0, 7);
	EXPECT_OK(option_cmd(fd, &cmd));
	EXPECT_EQ(1, cmd.val64);
	/* once the objects are gone it can change again */
	EXPECT_OK(abi_destroy(fd, ioas));
	cmd = OPT(IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0, 0);
	EXPECT_OK(option_cmd(fd, &cmd));
	cmd = OPT(IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET, 0, 7);
	EXPECT_OK(option_cmd(fd, &cmd));
	EXPECT_EQ(0, cmd.val64);
	close(fd);
}

static uint64_t alignment_of(int fd, uint32_t ioas)
{
	struct iommu_iova_range r[4];
	uint32_t n = 4;
	uint64_t align = 0;

	EXPECT_OK(abi_iova_ranges(fd, ioas, r, &n, &align));
	return align;
}

static void check_huge_pages(int fd)
{
	uint32_t ioas = abi_new_ioas(fd), other = abi_new_ioas(fd);
	uint8_t *buf = abi_pages(4);
	struct iommu_option cmd;
	uint64_t iova;

	abi_section("HUGE_PAGES object_id");
	cmd = OPT(IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET, 0, 7);
	EXPECT_ERRNO(ENOENT, option_cmd(fd, &cmd));
	EXPECT_EQ(7, cmd.val64);
	cmd = OPT(IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET, 0, 1);
	EXPECT_ERRNO(ENOENT, option_cmd(fd, &cmd));
	cmd = OPT(IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET, 9999, 7);
	EXPECT_ERRNO(ENOENT, option_cmd(fd, &cmd));
	/* the object is looked up before the op and the value */
	cmd = OPT(IOMMU_OPTION_HUGE_PAGES, 5, 9999, 7);
	EXPECT_ERRNO(ENOENT, option_cmd(fd, &cmd));
	cmd = OPT(IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET, 9999, 2);
	EXPECT_ERRNO(ENOENT, option_cmd(fd, &cmd));

	abi_section("HUGE_PAGES GET and SET");
	cmd = OPT(IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET, ioas, 7);
	EXPECT_OK(option_cmd(fd, &cmd));
	EXPECT_EQ(1, cmd.val64);
	EXPECT_EQ(1, alignment_of(fd, ioas));
	cmd = OPT(IOMMU_OPTION_HUGE_PAGES, 2, ioas, 7);
	EXPECT_ERRNO(EOPNOTSUPP, option_cmd(fd, &cmd));
	cmd = OPT(IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET, ioas, 2);
	EXPECT_ERRNO(EINVAL, option_cmd(fd, &cmd));
	EXPECT_EQ(2, cmd.val64);
	cmd = OPT(IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET, ioas,
		  UINT64_MAX);
	EXPECT_ERRNO(EINVAL, option_cmd(fd, &cmd));
	cmd = OPT(IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET, ioas, 0);
	EXPECT_OK(option_cmd(fd, &cmd));
	EXPECT_EQ(0, cmd.val64);
	cmd = OPT(IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET, ioas, 7);
	EXPECT_OK(option_cmd(fd, &cmd));
	EXPECT_EQ(0, cmd.val64);
	/* per IOAS */
	cmd = OPT(IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET, other, 7);
	EXPECT_OK(option_cmd(fd, &cmd));
	EXPECT_EQ(1, cmd.val64);
	/* a refused SET leaves it */
	cmd = OPT(IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET, ioas, 2);
	EXPECT_ERRNO(EINVAL, option_cmd(fd, &cmd));
	cmd = OPT(IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET, ioas, 7);
	EXPECT_OK(option_cmd(fd, &cmd));
	EXPECT_EQ(0, cmd.val64);
	/* SET 0 again is fine */
	cmd = OPT(IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET, ioas, 0);
	EXPECT_OK(option_cmd(fd, &cmd));

	abi_section("HUGE_PAGES 0 makes the IOAS page aligned");
	EXPECT_EQ(ps, alignment_of(fd, ioas));
	EXPECT_EQ(1, alignment_of(fd, other));
	EXPECT_ERRNO(EINVAL, abi_map_fixed(fd, ioas, buf, ps, ps / 2));
	EXPECT_ERRNO(EINVAL, abi_map_fixed(fd, ioas, buf, ps / 2, ps));
	EXPECT_ERRNO(EINVAL, abi_map_fixed(fd, ioas, buf + 0x100, ps, ps));
	iova = 0;
	EXPECT_ERRNO(EINVAL, abi_map(fd, ioas, buf + 0x100, ps, ABI_RW, &iova));
	EXPECT_ERRNO(EINVAL, abi_map(fd, ioas, buf, 0x100, ABI_RW, &iova));
	EXPECT_OK(abi_map_fixed(fd, ioas, buf, 2 * ps, 16 * ps));
	iova = 0;
	EXPECT_OK(abi_map(fd, ioas, buf, ps, ABI_RW, &iova));
	EXPECT_EQ(0, iova % ps);

	abi_section("HUGE_PAGES 1 lifts it; 0 refused over unaligned maps");
	cmd = OPT(IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET, ioas, 1);
	EXPECT_OK(option_cmd(fd, &cmd));
	EXPECT_EQ(1, alignment_of(fd, ioas));
	EXPECT_OK(abi_map_fixed(fd, ioas, buf + 0x100, ps, 64 * ps));
	cmd = OPT(IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET, ioas, 0);
	EXPECT_ERRNO(EADDRINUSE, option_cmd(fd, &cmd));
	cmd = OPT(IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET, ioas, 7);
	EXPECT_OK(option_cmd(fd, &cmd));
	EXPECT_EQ(1, cmd.val64);
	EXPECT_EQ(1, alignment_of(fd, ioas));
	EXPECT_OK(abi_unmap(fd, ioas, 64 * ps, ps, NULL));
	EXPECT_OK(abi_map_fixed(fd, ioas, buf, 3, 64 * ps));
	cmd = OPT(IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET, ioas, 0);
	EXPECT_ERRNO(EADDRINUSE, option_cmd(fd, &cmd));
	EXPECT_OK(abi_unmap(fd, ioas, 64 * ps, 3, NULL));
	EXPECT_OK(abi_map_fixed(fd, ioas, buf, ps, 64 * ps + 8));
	cmd = OPT(IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET, ioas, 0);
	EXPECT_ERRNO(EADDRINUSE, option_cmd(fd, &cmd));
	EXPECT_OK(abi_unmap(fd, ioas, 64 * ps + 8, ps, NULL));
	/* only aligned maps left: fine */
	cmd = OPT(IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET, ioas, 0);
	EXPECT_OK(option_cmd(fd, &cmd));
	EXPECT_EQ(ps, alignment_of(fd, ioas));

	EXPECT_OK(abi_destroy(fd, ioas));
	EXPECT_OK(abi_destroy(fd, other));
	munmap(buf, 4 * ps);
}

/* Only val64 is written back: the rest of the struct may be read-only. */
static void check_option_writeback(int fd)
{
	uint32_t ioas = abi_new_ioas(fd);
	char *page = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct iommu_option *cmd;

	ABI_ASSERT(page != MAP_FAILED);
	abi_section("OPTION writes back only val64");
	/* fields before val64 on a read-only page, val64 on the next one */
	cmd = (void *)(page + ps - offsetof(struct iommu_option, val64));
	*cmd = OPT(IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET, ioas, 7);
	ABI_ASSERT(mprotect(page, ps, PROT_READ) == 0);
	EXPECT_OK(option_cmd(fd, cmd));
	EXPECT_EQ(1, cmd->val64);

	ABI_ASSERT(mprotect(page, ps, PROT_READ | PROT_WRITE) == 0);
	*cmd = OPT(IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET, 0, 7);
	ABI_ASSERT(mprotect(page, ps, PROT_READ) == 0);
	EXPECT_OK(option_cmd(fd, cmd));
	EXPECT_EQ(0, cmd->val64);

	ABI_ASSERT(mprotect(page, ps, PROT_READ | PROT_WRITE) == 0);
	*cmd = OPT(IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET, ioas, 1);
	ABI_ASSERT(mprotect(page, ps, PROT_READ) == 0);
	EXPECT_OK(option_cmd(fd, cmd));
	EXPECT_EQ(1, cmd->val64);

	/* val64 itself read-only: the answer cannot be delivered */
	ABI_ASSERT(mprotect(page, 2 * ps, PROT_READ | PROT_WRITE) == 0);
	cmd = (void *)(page + ps - sizeof(*cmd));
	*cmd = OPT(IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET, 0, 7);
	ABI_ASSERT(mprotect(page, ps, PROT_READ) == 0);
	EXPECT_ERRNO(EFAULT, option_cmd(fd, cmd));
	/* a refused command writes nothing, so read-only is fine */
	ABI_ASSERT(mprotect(page, ps, PROT_READ | PROT_WRITE) == 0);
	*cmd = OPT(IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET, ioas, 2);
	ABI_ASSERT(mprotect(page, ps, PROT_READ) == 0);
	EXPECT_ERRNO(EINVAL, option_cmd(fd, cmd));

	munmap(page, 2 * ps);
	EXPECT_OK(abi_destroy(fd, ioas));
}

static int vfio_ioas(int fd, uint16_t op, uint32_t *id, uint16_t reserved)
{
	struct iommu_vfio_ioas cmd = {
		.size = sizeof(cmd),
		.ioas_id = *id,
		.op = op,
		.__reserved = reserved,
	};
	int rc = ioctl(fd, IOMMU_VFIO_IOAS, &cmd);

	*id = cmd.ioas_id;
	return rc;
}

static void check_vfio_ioas(void)
{
	int fd = abi_open(), fd2;
	uint32_t a, b, id;

	abi_section("VFIO_IOAS GET with none set");
	id = 1234;
	EXPECT_ERRNO(ENODEV, vfio_ioas(fd, IOMMU_VFIO_IOAS_GET, &id, 0));
	EXPECT_EQ(1234, id);
	a = abi_new_ioas(fd);
	b = abi_new_ioas(fd);
	id = 0;
	EXPECT_ERRNO(ENODEV, vfio_ioas(fd, IOMMU_VFIO_IOAS_GET, &id, 0));

	abi_section("VFIO_IOAS __reserved and op");
	id = a;
	EXPECT_ERRNO(EOPNOTSUPP, vfio_ioas(fd, IOMMU_VFIO_IOAS_SET, &id, 1));
	EXPECT_ERRNO(EOPNOTSUPP, vfio_ioas(fd, IOMMU_VFIO_IOAS_GET, &id, 1));
	EXPECT_ERRNO(EOPNOTSUPP, vfio_ioas(fd, 3, &id, 0));
	EXPECT_ERRNO(EOPNOTSUPP, vfio_ioas(fd, 0xffff, &id, 0));
	EXPECT_ERRNO(EOPNOTSUPP, vfio_ioas(fd, 3, &id, 0x8000));
	/* none of that set anything */
	EXPECT_ERRNO(ENODEV, vfio_ioas(fd, IOMMU_VFIO_IOAS_GET, &id, 0));

	abi_section("VFIO_IOAS SET");
	id = 9999;
	EXPECT_ERRNO(ENOENT, vfio_ioas(fd, IOMMU_VFIO_IOAS_SET, &id, 0));
	id = 0;
	EXPECT_ERRNO(ENOENT, vfio_ioas(fd, IOMMU_VFIO_IOAS_SET, &id, 0));
	EXPECT_ERRNO(ENODEV, vfio_ioas(fd, IOMMU_VFIO_IOAS_GET, &id, 0));
	id = a;
	EXPECT_OK(vfio_ioas(fd, IOMMU_VFIO_IOAS_SET, &id, 0));
	id = 0;
	EXPECT_OK(vfio_ioas(fd, IOMMU_VFIO_IOAS_GET, &id, 0));
	EXPECT_EQ(a, id);
	/* SET again replaces */
	id = b;
	EXPECT_OK(vfio_ioas(fd, IOMMU_VFIO_IOAS_SET, &id, 0));
	id = 0;
	EXPECT_OK(vfio_ioas(fd, IOMMU_VFIO_IOAS_GET, &id, 0));
	EXPECT_EQ(b, id);
	/* a failed SET keeps the current one */
	id = 9999;
	EXPECT_ERRNO(ENOENT, vfio_ioas(fd, IOMMU_VFIO_IOAS_SET, &id, 0));
	id = 0;
	EXPECT_OK(vfio_ioas(fd, IOMMU_VFIO_IOAS_GET, &id, 0));
	EXPECT_EQ(b, id);
	/* per context */
	fd2 = abi_open();
	id = 0;
	EXPECT_ERRNO(ENODEV, vfio_ioas(fd2, IOMMU_VFIO_IOAS_GET, &id, 0));
	close(fd2);

	abi_section("VFIO_IOAS CLEAR");
	id = 5;
	EXPECT_OK(vfio_ioas(fd, IOMMU_VFIO_IOAS_CLEAR, &id, 0));
	EXPECT_ERRNO(ENODEV, vfio_ioas(fd, IOMMU_VFIO_IOAS_GET, &id, 0));
	EXPECT_OK(vfio_ioas(fd, IOMMU_VFIO_IOAS_CLEAR, &id, 0));
	EXPECT_ERRNO(EOPNOTSUPP, vfio_ioas(fd, IOMMU_VFIO_IOAS_CLEAR, &id, 1));

	abi_section("VFIO_IOAS destroying the compat IOAS");
	id = a;
	EXPECT_OK(vfio_ioas(fd, IOMMU_VFIO_IOAS_SET, &id, 0));
	/* it holds no reference: DESTROY works */
	EXPECT_OK(abi_destroy(fd, a));
	id = 0;
	EXPECT_ERRNO(ENODEV, vfio_ioas(fd, IOMMU_VFIO_IOAS_GET, &id, 0));
	/* a new IOAS with the same id is not the compat IOAS */
	EXPECT_EQ(a, abi_new_ioas(fd));
	EXPECT_ERRNO(ENODEV, vfio_ioas(fd, IOMMU_VFIO_IOAS_GET, &id, 0));
	/* destroying another IOAS leaves the compat one */
	id = a;
	EXPECT_OK(vfio_ioas(fd, IOMMU_VFIO_IOAS_SET, &id, 0));
	EXPECT_OK(abi_destroy(fd, b));
	id = 0;
	EXPECT_OK(vfio_ioas(fd, IOMMU_VFIO_IOAS_GET, &id, 0));
	EXPECT_EQ(a, id);
	close(fd);
}

int main(void)
{
	int fd = abi_open();

	ps = abi_page_size;
	check_option_common(fd);
	check_huge_pages(fd);
	check_option_writeback(fd);
	close(fd);
	check_rlimit_mode();
	check_vfio_ioas();
	return abi_finish("option_vfio");
}
