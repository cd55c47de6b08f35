/* SPDX-License-Identifier: MIT */
/*
 * ABI: mock devices and paging domains — MOCK_DOMAIN(_FLAGS),
 * MOCK_DOMAIN_REPLACE, MD_CHECK_MAP, IOMMU_HWPT_ALLOC (paging),
 * IOMMU_GET_HW_INFO, dirty tracking (SET_DIRTY_TRACKING, DIRTY,
 * GET_DIRTY_BITMAP), and what attaching does to an IOAS.
 *
 * Kernel reference (drivers/iommu/iommufd/selftest.c, device.c,
 * hw_pagetable.c, io_pagetable.c):
 *  - MOCK_DOMAIN reserves the selftest object id first, then binds (device
 *    id), then attaching to an IOAS makes an automatic HWPT (next id); a
 *    second device on the same IOAS reuses that HWPT;
 *  - a HWPT or device in use is EBUSY to DESTROY; an automatic HWPT goes
 *    with its last device;
 *  - the mock domain's aperture is [MOCK_APERTURE_START, MOCK_APERTURE_LAST]:
 *    IOVA_RANGES shrinks to it, and a mapping outside it makes the attach
 *    fail with EADDRINUSE;
 *  - MD_CHECK_MAP: iova, length, uptr page aligned (EINVAL), each page must
 *    translate to the user page (EINVAL otherwise); id must be a mock paging
 *    HWPT (ENOENT for no such HWPT);
 *  - domain pins: a page mapped in an IOAS with a domain has one pin;
 *  - HWPT_ALLOC: unknown flags EOPNOTSUPP; DIRTY_TRACKING on a device that
 *    cannot track EOPNOTSUPP; pt_id naming nothing EINVAL; selftest data with
 *    an unknown page-table type EOPNOTSUPP;
 *  - GET_HW_INFO: type IOMMU_HW_INFO_TYPE_SELFTEST, payload
 *    iommu_test_hw_info, data_len set to the payload size, the rest of a
 *    larger buffer zeroed, DIRTY_TRACKING capability unless NO_DIRTY; an
 *    input type the IOMMU does not have is EOPNOTSUPP;
 *  - SET_DIRTY_TRACKING on a domain made without DIRTY_TRACKING EOPNOTSUPP;
 *    DIRTY needs tracking enabled (EINVAL); GET_DIRTY_BITMAP reports one bit
 *    per page_size, clears unless NO_CLEAR, and refuses misaligned ranges
 *    (EINVAL).
 */
#include "abi.h"

static size_t ps;

static int test_cmd(int fd, struct iommu_test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	return ioctl(fd, IOMMU_TEST_CMD, cmd);
}

static int mock_domain(int fd, uint32_t pt_id, uint32_t flags,
		       uint32_t *stdev, uint32_t *hwpt, uint32_t *idev)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS,
		.id = pt_id,
		.mock_domain_flags = { .dev_flags = flags },
	};
	int rc = test_cmd(fd, &cmd);

	if (!rc) {
		*stdev = cmd.mock_domain_flags.out_stdev_id;
		*hwpt = cmd.mock_domain_flags.out_hwpt_id;
		*idev = cmd.mock_domain_flags.out_idev_id;
	}
	return rc;
}

static int mock_replace(int fd, uint32_t stdev, uint32_t *pt_id)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
		.id = stdev,
		.mock_domain_replace = { .pt_id = *pt_id },
	};
	int rc = test_cmd(fd, &cmd);

	*pt_id = cmd.mock_domain_replace.pt_id;
	return rc;
}

static int check_map(int fd, uint32_t hwpt, uint64_t iova, const void *va,
		     uint64_t len)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MD_CHECK_MAP,
		.id = hwpt,
		.check_map = { .iova = iova, .length = len,
			       .uptr = (uintptr_t)va },
	};

	return test_cmd(fd, &cmd);
}

static int check_refs(int fd, const void *va, uint64_t len, uint32_t refs)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MD_CHECK_REFS,
		.check_refs = { .length = len, .uptr = (uintptr_t)va,
				.refs = refs },
	};

	return test_cmd(fd, &cmd);
}

static int check_dev_cache(int fd, uint32_t idev, uint32_t cache_id,
			   uint32_t value)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DEV_CHECK_CACHE,
		.id = idev,
		.check_dev_cache = { .id = cache_id, .cache = value },
	};

	return test_cmd(fd, &cmd);
}

static int hwpt_alloc(int fd, uint32_t dev, uint32_t pt, uint32_t flags,
		      uint32_t data_type, void *data, uint32_t data_len,
		      uint32_t *out)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev,
		.pt_id = pt,
		.data_type = data_type,
		.data_len = data_len,
		.data_uptr = (uintptr_t)data,
	};
	int rc = ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc)
		*out = cmd.out_hwpt_id;
	return rc;
}

static int set_dirty(int fd, uint32_t hwpt, int enable)
{
	struct iommu_hwpt_set_dirty_tracking cmd = {
		.size = sizeof(cmd),
		.flags = enable ? IOMMU_HWPT_DIRTY_TRACKING_ENABLE : 0,
		.hwpt_id = hwpt,
	};

	return ioctl(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &cmd);
}

static int mock_dirty(int fd, uint32_t hwpt, uint64_t iova, uint64_t len,
		      uint64_t page_size, void *bitmap, uint64_t *nr)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DIRTY,
		.id = hwpt,
		.dirty = { .iova = iova, .length = len, .page_size = page_size,
			   .uptr = (uintptr_t)bitmap },
	};
	int rc = test_cmd(fd, &cmd);

	if (!rc && nr)
		*nr = cmd.dirty.out_nr_dirty;
	return rc;
}

static int get_dirty(int fd, uint32_t hwpt, uint64_t iova, uint64_t len,
		     uint64_t page_size, void *bitmap, uint32_t flags)
{
	struct iommu_hwpt_get_dirty_bitmap cmd = {
		.size = sizeof(cmd),
		.hwpt_id = hwpt,
		.flags = flags,
		.iova = iova,
		.length = len,
		.page_size = page_size,
		.data = (uintptr_t)bitmap,
	};

	return ioctl(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd);
}

static void test_ids_and_lifetime(int fd)
{
	uint32_t ioas, stdev, hwpt, idev, stdev2, hwpt2, idev2;
	struct iommu_iova_range ranges[4];
	struct iommu_ioas_iova_ranges r = {
		.size = sizeof(r),
		.num_iovas = 4,
		.allowed_iovas = (uintptr_t)ranges,
	};

	abi_section("ids and lifetime");
	ioas = abi_new_ioas(fd);
	ABI_ASSERT(!mock_domain(fd, ioas, 0, &stdev, &hwpt, &idev));
	EXPECT_EQ(ioas + 1, stdev);
	EXPECT_EQ(ioas + 2, idev);
	EXPECT_EQ(ioas + 3, hwpt);
	/* a second device reuses the automatic domain */
	ABI_ASSERT(!mock_domain(fd, ioas, MOCK_FLAGS_DEVICE_NO_DIRTY, &stdev2,
				&hwpt2, &idev2));
	EXPECT_EQ(hwpt, hwpt2);

	EXPECT_ERRNO(EBUSY, abi_destroy(fd, hwpt));
	EXPECT_ERRNO(EBUSY, abi_destroy(fd, idev));
	EXPECT_ERRNO(EBUSY, abi_destroy(fd, ioas));

	abi_section("DEV_CHECK_CACHE: a new mock device's cache");
	EXPECT_OK(check_dev_cache(fd, idev, 0, IOMMU_TEST_DEV_CACHE_DEFAULT));
	EXPECT_OK(check_dev_cache(fd, idev, MOCK_DEV_CACHE_ID_MAX,
				  IOMMU_TEST_DEV_CACHE_DEFAULT));
	EXPECT_ERRNO(EINVAL, check_dev_cache(fd, idev, 0, 0));
	EXPECT_ERRNO(EINVAL, check_dev_cache(fd, idev, MOCK_DEV_CACHE_ID_MAX + 1,
					     IOMMU_TEST_DEV_CACHE_DEFAULT));
	EXPECT_ERRNO(ENOENT, check_dev_cache(fd, stdev, 0,
					     IOMMU_TEST_DEV_CACHE_DEFAULT));

	abi_section("ranges shrink to the mock aperture");
	r.ioas_id = ioas;
	EXPECT_OK(ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &r));
	EXPECT_EQ(1, r.num_iovas);
	EXPECT_EQ(MOCK_APERTURE_START, ranges[0].start);
	EXPECT_EQ(MOCK_APERTURE_LAST, ranges[0].last);

	abi_section("the automatic domain goes with its last device");
	EXPECT_OK(abi_destroy(fd, stdev));
	EXPECT_ERRNO(EBUSY, abi_destroy(fd, hwpt));
	EXPECT_OK(abi_destroy(fd, stdev2));
	EXPECT_ERRNO(ENOENT, abi_destroy(fd, hwpt));
	EXPECT_ERRNO(ENOENT, abi_destroy(fd, idev));
	r.num_iovas = 4;
	EXPECT_OK(ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &r));
	EXPECT_EQ(1, r.num_iovas);
	EXPECT_EQ(0, ranges[0].start);
	EXPECT_OK(abi_destroy(fd, ioas));

	abi_section("bad arguments");
	EXPECT_ERRNO(EINVAL, mock_domain(fd, 1, 1u << 5, &stdev, &hwpt, &idev));
	EXPECT_ERRNO(ENOENT, mock_domain(fd, 999, 0, &stdev, &hwpt, &idev));
}

static void test_map_and_check(int fd)
{
	uint32_t ioas, stdev, hwpt, idev, hwpt2, pt;
	char *buf = abi_pages(16);
	uint64_t iova = MOCK_APERTURE_START;

	abi_section("a mapping outside the aperture refuses the attach");
	ioas = abi_new_ioas(fd);
	EXPECT_OK(abi_map_fixed(fd, ioas, buf, ps, 1 << 12));
	EXPECT_ERRNO(EADDRINUSE,
		     mock_domain(fd, ioas, 0, &stdev, &hwpt, &idev));
	EXPECT_OK(abi_unmap(fd, ioas, 1 << 12, ps, NULL));

	abi_section("maps made before and after the attach reach the domain");
	EXPECT_OK(abi_map_fixed(fd, ioas, buf, 4 * ps, iova));
	ABI_ASSERT(!mock_domain(fd, ioas, 0, &stdev, &hwpt, &idev));
	EXPECT_OK(check_map(fd, hwpt, iova, buf, 4 * ps));
	EXPECT_OK(abi_map_fixed(fd, ioas, buf + 4 * ps, 4 * ps, iova + 8 * ps));
	EXPECT_OK(check_map(fd, hwpt, iova + 8 * ps, buf + 4 * ps, 4 * ps));
	EXPECT_ERRNO(EINVAL, check_map(fd, hwpt, iova, buf + ps, ps));
	EXPECT_ERRNO(EINVAL, check_map(fd, hwpt, iova + 4 * ps, buf, ps));
	EXPECT_ERRNO(EINVAL, check_map(fd, hwpt, iova + 1, buf, ps));
	EXPECT_ERRNO(ENOENT, check_map(fd, ioas, iova, buf, ps));
	EXPECT_OK(check_refs(fd, buf, 8 * ps, 1));
	EXPECT_OK(check_refs(fd, buf + 8 * ps, 8 * ps, 0));

	abi_section("replace to a user HWPT keeps the translation");
	EXPECT_OK(hwpt_alloc(fd, idev, ioas, 0, IOMMU_HWPT_DATA_NONE, NULL, 0,
			     &hwpt2));
	EXPECT_OK(check_map(fd, hwpt2, iova, buf, 4 * ps));
	EXPECT_OK(check_refs(fd, buf, 8 * ps, 1));
	pt = hwpt2;
	EXPECT_OK(mock_replace(fd, stdev, &pt));
	EXPECT_EQ(hwpt2, pt);
	/* the automatic one lost its only device */
	EXPECT_ERRNO(ENOENT, abi_destroy(fd, hwpt));
	EXPECT_ERRNO(EBUSY, abi_destroy(fd, hwpt2));
	pt = ioas;
	EXPECT_OK(mock_replace(fd, stdev, &pt));
	EXPECT_TRUE(pt != hwpt2);
	EXPECT_OK(abi_destroy(fd, hwpt2));

	abi_section("unmap leaves the domain");
	EXPECT_OK(abi_unmap(fd, ioas, iova, 4 * ps, NULL));
	EXPECT_ERRNO(EINVAL, check_map(fd, pt, iova, buf, ps));
	EXPECT_OK(check_refs(fd, buf, 4 * ps, 0));
	EXPECT_OK(check_refs(fd, buf + 4 * ps, 4 * ps, 1));
	EXPECT_OK(abi_destroy(fd, stdev));
	EXPECT_OK(check_refs(fd, buf + 4 * ps, 4 * ps, 0));
	EXPECT_OK(abi_destroy(fd, ioas));
	munmap(buf, 16 * ps);
}

static void test_hwpt_alloc_and_hw_info(int fd)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	uint32_t ioas, stdev, hwpt, idev, stdev2, idev2, out;
	struct iommu_test_hw_info info[2];
	struct iommu_hw_info cmd = {
		.size = sizeof(cmd),
		.data_len = sizeof(info),
		.data_uptr = (uintptr_t)info,
	};

	ioas = abi_new_ioas(fd);
	ABI_ASSERT(!mock_domain(fd, ioas, 0, &stdev, &hwpt, &idev));
	ABI_ASSERT(!mock_domain(fd, ioas, MOCK_FLAGS_DEVICE_NO_DIRTY, &stdev2,
				&out, &idev2));

	abi_section("HWPT_ALLOC refusals");
	EXPECT_ERRNO(EOPNOTSUPP, hwpt_alloc(fd, idev, ioas, 1u << 30,
					    IOMMU_HWPT_DATA_NONE, NULL, 0,
					    &out));
	EXPECT_ERRNO(EOPNOTSUPP,
		     hwpt_alloc(fd, idev2, ioas,
				IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
				IOMMU_HWPT_DATA_NONE, NULL, 0, &out));
	EXPECT_ERRNO(EINVAL, hwpt_alloc(fd, idev, 999, 0, IOMMU_HWPT_DATA_NONE,
					NULL, 0, &out));
	EXPECT_ERRNO(ENOENT, hwpt_alloc(fd, 999, ioas, 0, IOMMU_HWPT_DATA_NONE,
					NULL, 0, &out));
	EXPECT_ERRNO(EINVAL, hwpt_alloc(fd, idev, stdev, 0,
					IOMMU_HWPT_DATA_NONE, NULL, 0, &out));
	data.pagetable_type = 77;
	EXPECT_ERRNO(EOPNOTSUPP,
		     hwpt_alloc(fd, idev, ioas, 0, IOMMU_HWPT_DATA_SELFTEST,
				&data, sizeof(data), &out));
	data.pagetable_type = MOCK_IOMMUPT_DEFAULT;
	EXPECT_OK(hwpt_alloc(fd, idev, ioas, IOMMU_HWPT_ALLOC_NEST_PARENT,
			     IOMMU_HWPT_DATA_SELFTEST, &data, sizeof(data),
			     &out));
	EXPECT_OK(abi_destroy(fd, out));

	abi_section("GET_HW_INFO");
	memset(info, 0xff, sizeof(info));
	cmd.dev_id = idev;
	EXPECT_OK(ioctl(fd, IOMMU_GET_HW_INFO, &cmd));
	EXPECT_EQ(IOMMU_HW_INFO_TYPE_SELFTEST, cmd.out_data_type);
	EXPECT_EQ(sizeof(info[0]), cmd.data_len);
	EXPECT_EQ(IOMMU_HW_INFO_SELFTEST_REGVAL, info[0].test_reg);
	EXPECT_EQ(0, info[1].flags);
	EXPECT_EQ(0, info[1].test_reg);
	EXPECT_EQ(IOMMU_HW_CAP_DIRTY_TRACKING, cmd.out_capabilities);
	cmd.dev_id = idev2;
	cmd.data_len = sizeof(info);
	EXPECT_OK(ioctl(fd, IOMMU_GET_HW_INFO, &cmd));
	EXPECT_EQ(0, cmd.out_capabilities);
	cmd.flags = IOMMU_HW_INFO_FLAG_INPUT_TYPE;
	cmd.in_data_type = IOMMU_HW_INFO_TYPE_INTEL_VTD;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(fd, IOMMU_GET_HW_INFO, &cmd));
	cmd.in_data_type = IOMMU_HW_INFO_TYPE_SELFTEST;
	EXPECT_OK(ioctl(fd, IOMMU_GET_HW_INFO, &cmd));

	EXPECT_OK(abi_destroy(fd, stdev));
	EXPECT_OK(abi_destroy(fd, stdev2));
	EXPECT_OK(abi_destroy(fd, ioas));
}

static void test_dirty(int fd)
{
	uint32_t ioas, stdev, hwpt, idev, dhwpt, pt;
	uint64_t iova = MOCK_APERTURE_START, nr = 0;
	size_t npages = 64;
	char *buf = abi_pages(npages);
	uint8_t want[8] = { 0x81, 0, 0x10, 0, 0, 0, 0, 0x80 };
	uint8_t bits[9];

	abi_section("dirty tracking");
	ioas = abi_new_ioas(fd);
	ABI_ASSERT(!mock_domain(fd, ioas, 0, &stdev, &hwpt, &idev));
	EXPECT_OK(abi_map_fixed(fd, ioas, buf, npages * ps, iova));
	EXPECT_ERRNO(EOPNOTSUPP, set_dirty(fd, hwpt, 1));
	EXPECT_ERRNO(EOPNOTSUPP, get_dirty(fd, hwpt, iova, ps, ps, bits, 0));
	EXPECT_OK(hwpt_alloc(fd, idev, ioas, IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
			     IOMMU_HWPT_DATA_NONE, NULL, 0, &dhwpt));
	pt = dhwpt;
	EXPECT_OK(mock_replace(fd, stdev, &pt));
	EXPECT_ERRNO(EINVAL, mock_dirty(fd, dhwpt, iova, npages * ps, ps, want,
					&nr));
	EXPECT_OK(set_dirty(fd, dhwpt, 1));
	/* a range the table cannot hold has nothing dirty: not an error */
	memset(bits, 0, sizeof(bits));
	EXPECT_OK(get_dirty(fd, dhwpt, 1ULL << 50, 8 * ps, ps, bits, 0));
	EXPECT_EQ(0, bits[0]);
	EXPECT_OK(mock_dirty(fd, dhwpt, iova, npages * ps, ps, want, &nr));
	EXPECT_EQ(4, nr);

	memset(bits, 0, sizeof(bits));
	EXPECT_OK(get_dirty(fd, dhwpt, iova, npages * ps, ps, bits,
			    IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR));
	EXPECT_TRUE(!memcmp(bits, want, sizeof(want)));
	memset(bits, 0, sizeof(bits));
	/* an unaligned bitmap pointer works: one bit per page from bit 0 */
	EXPECT_OK(get_dirty(fd, dhwpt, iova, npages * ps, ps, bits + 1, 0));
	EXPECT_TRUE(!memcmp(bits + 1, want, sizeof(want)));
	EXPECT_EQ(0, bits[0]);
	memset(bits, 0, sizeof(bits));
	EXPECT_OK(get_dirty(fd, dhwpt, iova, npages * ps, ps, bits, 0));
	EXPECT_EQ(0, bits[0] | bits[2] | bits[7]);
	/* two pages per bit */
	EXPECT_OK(mock_dirty(fd, dhwpt, iova, npages * ps, ps, want, &nr));
	memset(bits, 0, sizeof(bits));
	EXPECT_OK(get_dirty(fd, dhwpt, iova, npages * ps, 2 * ps, bits, 0));
	EXPECT_EQ(0x01 | 0x08, bits[0]);
	EXPECT_EQ(0x04, bits[1]);
	EXPECT_EQ(0x80, bits[3]);

	EXPECT_ERRNO(EINVAL, get_dirty(fd, dhwpt, iova + ps, 2 * ps, 2 * ps,
				       bits, 0));
	EXPECT_ERRNO(EINVAL, get_dirty(fd, dhwpt, iova, 3 * ps, 0, bits, 0));
	EXPECT_ERRNO(EOPNOTSUPP, get_dirty(fd, dhwpt, iova, ps, ps, bits,
					   1u << 7));
	EXPECT_ERRNO(ENOENT, get_dirty(fd, ioas, iova, ps, ps, bits, 0));
	EXPECT_OK(set_dirty(fd, dhwpt, 0));

	EXPECT_OK(abi_destroy(fd, stdev));
	EXPECT_OK(abi_destroy(fd, dhwpt));
	EXPECT_OK(abi_destroy(fd, ioas));
	munmap(buf, npages * ps);
}

int main(void)
{
	int fd = abi_open();

	ps = abi_page_size;
	test_ids_and_lifetime(fd);
	test_map_and_check(fd);
	test_hwpt_alloc_and_hw_info(fd);
	test_dirty(fd);
	close(fd);
	return abi_finish("mock_domain");
}
