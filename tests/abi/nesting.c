/* SPDX-License-Identifier: MIT */
/*
 * ABI: nested HWPTs over a NEST_PARENT paging HWPT — IOMMU_HWPT_ALLOC with
 * selftest data, MD_CHECK_IOTLB, IOMMU_HWPT_INVALIDATE on the mock nested
 * domain, and the references nesting takes.
 *
 * Kernel reference (drivers/iommu/iommufd/hw_pagetable.c, selftest.c):
 *  - HWPT_ALLOC checks, in order: data_type NONE with data, or a type with
 *    data_len 0 (EINVAL); the device (ENOENT); pt_id (EINVAL if it names
 *    nothing or a nested HWPT). Over a paging HWPT: flags other than
 *    FAULT_ID_VALID | PASID, or no data (EOPNOTSUPP); a parent that is
 *    automatic or was not made with NEST_PARENT (EINVAL); the mock's data
 *    type (EOPNOTSUPP) and length (EINVAL below offsetofend(iotlb) or above
 *    sizeof), a bad pointer (EFAULT); last the fault_id (ENOENT), after
 *    which the half-made HWPT is gone and its id free again;
 *  - a nested HWPT holds its parent (DESTROY EBUSY), an attached one is
 *    held by its device;
 *  - MD_CHECK_IOTLB: four slots seeded with iommu_hwpt_selftest.iotlb; a
 *    slot > 3 or another value EINVAL; a paging HWPT ENOENT;
 *  - HWPT_INVALIDATE writes entry_num back on every path: 0 for the early
 *    refusals (__reserved EOPNOTSUPP; entries without a pointer or a length
 *    EINVAL; an id that names nothing ENOENT, or neither a nested HWPT nor a
 *    vIOMMU EINVAL), else the number of entries handled before the first
 *    bad one. The mock takes type IOMMU_HWPT_INVALIDATE_DATA_SELFTEST only
 *    (EINVAL), entries of exactly 8 bytes (EINVAL), flags ALL only
 *    (EOPNOTSUPP) and iotlb_id <= 3 (EINVAL); entry_num 0 probes the type.
 */
#include "abi.h"

#define INV_TYPE IOMMU_HWPT_INVALIDATE_DATA_SELFTEST
#define INV_LEN sizeof(struct iommu_hwpt_invalidate_selftest)

static int fd;
static uint32_t ioas, stdev, auto_hwpt, idev;

static void expect_iotlb(int line, uint32_t hwpt, uint32_t v0, uint32_t v1,
			 uint32_t v2, uint32_t v3)
{
	uint32_t want[4] = { v0, v1, v2, v3 };
	uint32_t i;

	for (i = 0; i < 4; i++) {
		abi_checks++;
		if (abi_check_iotlb(fd, hwpt, i, want[i]))
			abi_fail(__FILE__, line,
				 "hwpt %u IOTLB slot %u is not 0x%x (%s)", hwpt,
				 i, want[i], abi_errname(errno));
	}
}

#define EXPECT_IOTLB(hwpt, a, b, c, d) expect_iotlb(__LINE__, hwpt, a, b, c, d)
#define DEF IOMMU_TEST_IOTLB_DEFAULT

static void test_alloc_refusals(uint32_t parent, uint32_t plain)
{
	struct iommu_hwpt_selftest data = { .iotlb = DEF };
	uint32_t min_len = offsetofend(struct iommu_hwpt_selftest, iotlb);
	uint32_t out = 0, next;

	/* the id every refused allocation must leave free */
	next = plain + 1;

	abi_section("HWPT_ALLOC nested: refusals");
	EXPECT_ERRNO(EINVAL, abi_hwpt_alloc(fd, idev, parent, 0, 0,
					    IOMMU_HWPT_DATA_NONE, &data,
					    sizeof(data), &out));
	EXPECT_ERRNO(EOPNOTSUPP,
		     abi_hwpt_alloc(fd, idev, parent, 0, 0,
				    IOMMU_HWPT_DATA_SELFTEST + 1, &data,
				    sizeof(data), &out));
	EXPECT_ERRNO(EINVAL, abi_hwpt_alloc(fd, idev, parent, 0, 0,
					    IOMMU_HWPT_DATA_SELFTEST, &data,
					    min_len - 1, &out));
	EXPECT_ERRNO(EINVAL, abi_hwpt_alloc(fd, idev, parent, 0, 0,
					    IOMMU_HWPT_DATA_SELFTEST, &data, 0,
					    &out));
	EXPECT_ERRNO(EFAULT, abi_hwpt_alloc(fd, idev, parent, 0, 0,
					    IOMMU_HWPT_DATA_SELFTEST, NULL,
					    sizeof(data), &out));
	/* data longer than the mock's struct is EINVAL even with a zero
	 * tail, as the kernel's driver-data copy has it */
	{
		struct {
			struct iommu_hwpt_selftest d;
			uint32_t tail;
		} longer = { .d = data };

		EXPECT_ERRNO(EINVAL,
			     abi_hwpt_alloc(fd, idev, parent, 0, 0,
					    IOMMU_HWPT_DATA_SELFTEST, &longer,
					    sizeof(longer), &out));
	}
	EXPECT_ERRNO(EOPNOTSUPP,
		     abi_hwpt_alloc(fd, idev, parent,
				    IOMMU_HWPT_ALLOC_NEST_PARENT, 0,
				    IOMMU_HWPT_DATA_SELFTEST, &data,
				    sizeof(data), &out));
	EXPECT_ERRNO(EOPNOTSUPP,
		     abi_hwpt_alloc(fd, idev, parent,
				    IOMMU_HWPT_ALLOC_DIRTY_TRACKING, 0,
				    IOMMU_HWPT_DATA_SELFTEST, &data,
				    sizeof(data), &out));
	/* not a nesting parent, or an automatic domain */
	EXPECT_ERRNO(EINVAL, abi_hwpt_alloc(fd, idev, plain, 0, 0,
					    IOMMU_HWPT_DATA_SELFTEST, &data,
					    sizeof(data), &out));
	EXPECT_ERRNO(EINVAL, abi_hwpt_alloc(fd, idev, auto_hwpt, 0, 0,
					    IOMMU_HWPT_DATA_SELFTEST, &data,
					    sizeof(data), &out));
	/* a fault_id that names no fault queue: the HWPT is rolled back */
	EXPECT_ERRNO(ENOENT, abi_nested_alloc(fd, idev, parent,
					      IOMMU_HWPT_FAULT_ID_VALID,
					      UINT32_MAX, &out));
	EXPECT_ERRNO(ENOENT, abi_nested_alloc(fd, idev, parent,
					      IOMMU_HWPT_FAULT_ID_VALID, ioas,
					      &out));
	EXPECT_ERRNO(ENOENT, abi_nested_alloc(fd, 999, parent, 0, 0, &out));
	EXPECT_ERRNO(EINVAL, abi_nested_alloc(fd, idev, 999, 0, 0, &out));
	EXPECT_ERRNO(EINVAL, abi_nested_alloc(fd, idev, stdev, 0, 0, &out));

	abi_section("HWPT_ALLOC nested: refusals leave no id taken");
	EXPECT_OK(abi_nested_alloc(fd, idev, parent, 0, 0, &out));
	EXPECT_EQ(next, out);
	EXPECT_OK(abi_destroy(fd, out));
}

static void test_iotlb_and_invalidate(uint32_t parent, uint32_t n0,
				      uint32_t n1)
{
	struct iommu_hwpt_invalidate_selftest reqs[2] = {};
	struct iommu_hwpt_invalidate bad = {
		.size = sizeof(bad),
		.hwpt_id = n0,
		.data_uptr = (uintptr_t)reqs,
		.data_type = INV_TYPE,
		.entry_len = INV_LEN,
		.entry_num = 1,
		.__reserved = 1,
	};
	uint32_t num;

	abi_section("MD_CHECK_IOTLB");
	EXPECT_IOTLB(n0, DEF, DEF, DEF, DEF);
	EXPECT_IOTLB(n1, DEF, DEF, DEF, DEF);
	EXPECT_ERRNO(EINVAL, abi_check_iotlb(fd, n0, 0, 0));
	EXPECT_ERRNO(EINVAL,
		     abi_check_iotlb(fd, n0, MOCK_NESTED_DOMAIN_IOTLB_ID_MAX + 1,
				     DEF));
	EXPECT_ERRNO(ENOENT, abi_check_iotlb(fd, parent, 0, DEF));
	EXPECT_ERRNO(ENOENT, abi_check_iotlb(fd, auto_hwpt, 0, DEF));
	EXPECT_ERRNO(ENOENT, abi_check_iotlb(fd, ioas, 0, DEF));
	EXPECT_ERRNO(ENOENT, abi_check_iotlb(fd, 999, 0, DEF));

	abi_section("HWPT_INVALIDATE: early refusals write entry_num 0");
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(fd, IOMMU_HWPT_INVALIDATE, &bad));
	EXPECT_EQ(0, bad.entry_num);
	num = 1;
	EXPECT_ERRNO(EINVAL, abi_invalidate(fd, parent, INV_TYPE, reqs, INV_LEN,
					    &num));
	EXPECT_EQ(0, num);
	num = 1;
	EXPECT_ERRNO(EINVAL, abi_invalidate(fd, ioas, INV_TYPE, reqs, INV_LEN,
					    &num));
	EXPECT_EQ(0, num);
	num = 1;
	EXPECT_ERRNO(ENOENT, abi_invalidate(fd, 999, INV_TYPE, reqs, INV_LEN,
					    &num));
	EXPECT_EQ(0, num);
	num = 1;
	EXPECT_ERRNO(EINVAL, abi_invalidate(fd, n0, INV_TYPE, NULL, INV_LEN,
					    &num));
	EXPECT_EQ(0, num);
	num = 1;
	EXPECT_ERRNO(EINVAL, abi_invalidate(fd, n0, INV_TYPE, reqs, 0, &num));
	EXPECT_EQ(0, num);

	abi_section("HWPT_INVALIDATE: the mock's refusals");
	num = 0;
	EXPECT_OK(abi_invalidate(fd, n0, INV_TYPE, reqs, INV_LEN, &num));
	EXPECT_EQ(0, num);
	num = 0;
	EXPECT_OK(abi_invalidate(fd, n0, INV_TYPE, NULL, 0, &num));
	EXPECT_EQ(0, num);
	num = 1;
	EXPECT_ERRNO(EINVAL,
		     abi_invalidate(fd, n0,
				    IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID,
				    reqs, INV_LEN, &num));
	EXPECT_EQ(0, num);
	num = 1;
	EXPECT_ERRNO(EINVAL, abi_invalidate(fd, n0, INV_TYPE, reqs,
					    INV_LEN + 1, &num));
	EXPECT_EQ(0, num);
	num = 1;
	EXPECT_ERRNO(EINVAL, abi_invalidate(fd, n0, INV_TYPE, reqs, 1, &num));
	EXPECT_EQ(0, num);
	num = 1;
	reqs[0].flags = 0xffffffff;
	EXPECT_ERRNO(EOPNOTSUPP, abi_invalidate(fd, n0, INV_TYPE, reqs,
						INV_LEN, &num));
	EXPECT_EQ(0, num);
	num = 1;
	reqs[0].flags = 0;
	reqs[0].iotlb_id = MOCK_NESTED_DOMAIN_IOTLB_ID_MAX + 1;
	EXPECT_ERRNO(EINVAL, abi_invalidate(fd, n0, INV_TYPE, reqs, INV_LEN,
					    &num));
	EXPECT_EQ(0, num);
	EXPECT_IOTLB(n0, DEF, DEF, DEF, DEF);

	abi_section("HWPT_INVALIDATE: a bad second entry stops after the first");
	num = 2;
	reqs[0] = (struct iommu_hwpt_invalidate_selftest){ .iotlb_id = 0 };
	reqs[1] = (struct iommu_hwpt_invalidate_selftest){
		.flags = 0xffffffff, .iotlb_id = 1 };
	EXPECT_ERRNO(EOPNOTSUPP, abi_invalidate(fd, n0, INV_TYPE, reqs,
						INV_LEN, &num));
	EXPECT_EQ(1, num);
	EXPECT_IOTLB(n0, 0, DEF, DEF, DEF);
	num = 2;
	reqs[1] = (struct iommu_hwpt_invalidate_selftest){
		.iotlb_id = MOCK_NESTED_DOMAIN_IOTLB_ID_MAX + 1 };
	EXPECT_ERRNO(EINVAL, abi_invalidate(fd, n0, INV_TYPE, reqs, INV_LEN,
					    &num));
	EXPECT_EQ(1, num);
	EXPECT_IOTLB(n0, 0, DEF, DEF, DEF);

	abi_section("HWPT_INVALIDATE: one slot, two slots, ALL");
	num = 1;
	reqs[0].iotlb_id = 1;
	EXPECT_OK(abi_invalidate(fd, n0, INV_TYPE, reqs, INV_LEN, &num));
	EXPECT_EQ(1, num);
	EXPECT_IOTLB(n0, 0, 0, DEF, DEF);
	num = 2;
	reqs[0].iotlb_id = 2;
	reqs[1].iotlb_id = 3;
	EXPECT_OK(abi_invalidate(fd, n0, INV_TYPE, reqs, INV_LEN, &num));
	EXPECT_EQ(2, num);
	EXPECT_IOTLB(n0, 0, 0, 0, 0);
	/* the other nested HWPT of the same parent is untouched */
	EXPECT_IOTLB(n1, DEF, DEF, DEF, DEF);
	num = 1;
	reqs[0] = (struct iommu_hwpt_invalidate_selftest){
		.flags = IOMMU_TEST_INVALIDATE_FLAG_ALL,
		.iotlb_id = MOCK_NESTED_DOMAIN_IOTLB_ID_MAX };
	EXPECT_OK(abi_invalidate(fd, n1, INV_TYPE, reqs, INV_LEN, &num));
	EXPECT_EQ(1, num);
	EXPECT_IOTLB(n1, 0, 0, 0, 0);
}

static void test_references(uint32_t parent, uint32_t n0, uint32_t n1)
{
	struct iommu_hwpt_selftest data = { .iotlb = DEF };
	uint32_t out = 0, pt;

	abi_section("nested on nested");
	EXPECT_ERRNO(EINVAL, abi_hwpt_alloc(fd, idev, n0, 0, 0,
					    IOMMU_HWPT_DATA_SELFTEST, &data,
					    sizeof(data), &out));

	abi_section("a nested HWPT holds its parent");
	EXPECT_ERRNO(EBUSY, abi_destroy(fd, parent));
	EXPECT_ERRNO(EBUSY, abi_destroy(fd, ioas));

	abi_section("an attached nested HWPT is busy");
	EXPECT_OK(abi_mock_replace(fd, stdev, n0, &pt));
	EXPECT_EQ(n0, pt);
	/* the automatic domain went with its only device */
	EXPECT_ERRNO(ENOENT, abi_destroy(fd, auto_hwpt));
	EXPECT_ERRNO(EBUSY, abi_destroy(fd, n0));
	EXPECT_OK(abi_mock_replace(fd, stdev, n0, &pt));
	EXPECT_EQ(n0, pt);
	EXPECT_OK(abi_mock_replace(fd, stdev, n1, &pt));
	EXPECT_ERRNO(EBUSY, abi_destroy(fd, n1));
	EXPECT_OK(abi_destroy(fd, n0));
	EXPECT_ERRNO(EBUSY, abi_destroy(fd, parent));
	EXPECT_OK(abi_mock_replace(fd, stdev, ioas, &auto_hwpt));
	EXPECT_OK(abi_destroy(fd, n1));
	EXPECT_ERRNO(ENOENT, abi_check_iotlb(fd, n1, 0, 0));

	abi_section("the parent goes once its nested HWPTs are gone");
	EXPECT_OK(abi_destroy(fd, parent));
}

/* nested HWPTs (one attached) alive at close: nothing may leak */
static void test_left_for_close(void)
{
	uint32_t parent, nested;

	abi_section("nested objects alive at close");
	parent = abi_new_nest_parent(fd, idev, ioas);
	ABI_ASSERT(!abi_nested_alloc(fd, idev, parent, 0, 0, &nested));
	ABI_ASSERT(!abi_nested_alloc(fd, idev, parent, 0, 0, &nested));
	EXPECT_OK(abi_mock_replace(fd, stdev, nested, NULL));
}

int main(void)
{
	char *buf;
	uint32_t parent, plain, n0, n1;

	fd = abi_open();
	buf = abi_pages(4);
	ioas = abi_new_ioas(fd);
	ABI_ASSERT(!abi_map_fixed(fd, ioas, buf, 4 * abi_page_size,
				  MOCK_APERTURE_START));
	ABI_ASSERT(!abi_mock_domain(fd, ioas, 0, &stdev, &auto_hwpt, &idev));
	parent = abi_new_nest_parent(fd, idev, ioas);
	ABI_ASSERT(!abi_hwpt_alloc(fd, idev, ioas, 0, 0, IOMMU_HWPT_DATA_NONE,
				   NULL, 0, &plain));

	test_alloc_refusals(parent, plain);
	ABI_ASSERT(!abi_nested_alloc(fd, idev, parent, 0, 0, &n0));
	ABI_ASSERT(!abi_nested_alloc(fd, idev, parent, 0, 0, &n1));
	test_iotlb_and_invalidate(parent, n0, n1);
	test_references(parent, n0, n1);
	EXPECT_OK(abi_destroy(fd, plain));
	test_left_for_close();

	close(fd);
	/* closing the context unpinned everything */
	fd = abi_open();
	EXPECT_OK(abi_check_refs(fd, buf, 4 * abi_page_size, 0));
	close(fd);
	return abi_finish("nesting");
}
