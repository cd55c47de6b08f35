/* SPDX-License-Identifier: MIT */
/*
 * ABI: PASID attachments through the selftest ops PASID_ATTACH, _REPLACE,
 * _DETACH and _CHECK_HWPT, and the PASID compatibility rules between a
 * device's RID and its PASIDs.
 *
 * Kernel reference (drivers/iommu/iommufd/device.c, selftest.c):
 *  - a PASID may only be attached to a HWPT made with
 *    IOMMU_HWPT_ALLOC_PASID (paging, nested or nested through a vIOMMU),
 *    and only while the RID's HWPT is one too (EINVAL); while any PASID is
 *    attached the RID cannot move to a HWPT without it (EINVAL); an IOAS is
 *    EINVAL for a PASID since automatic domains never have the flag;
 *  - attaching an attached PASID is EBUSY (replace instead); replacing an
 *    unattached one EINVAL; DETACH always answers 0;
 *  - a device without PASID support refuses every PASID (EINVAL) but may
 *    use a PASID-compatible HWPT for its RID;
 *  - CHECK_HWPT: hwpt_id 0 means "nothing attached"; a mismatch EINVAL;
 *  - the mock fakes a driver failure on PASID 1024 (the replace after an
 *    attach fails with ENOMEM): the core keeps the old HWPT;
 *  - TRIGGER_IOPF at an attached PASID goes to that PASID's IOPF HWPT.
 */
#include "abi.h"

#define ATTACH IOMMU_TEST_OP_PASID_ATTACH
#define REPLACE IOMMU_TEST_OP_PASID_REPLACE
#define DETACH IOMMU_TEST_OP_PASID_DETACH
#define CHECK IOMMU_TEST_OP_PASID_CHECK_HWPT

static int fd;
static uint32_t ioas, stdev, idev, stdev_np, idev_np;

static int op(uint32_t o, uint32_t pasid, uint32_t pt)
{
	return abi_pasid_op(fd, o, stdev, pasid, pt);
}

int main(void)
{
	uint32_t parent, n0, n1, n2, s2, fid, iopf, viommu, hwpt;
	struct iommu_hwpt_pgfault rec;
	struct iommu_hwpt_page_response resp = {
		.code = IOMMUFD_PAGE_RESP_SUCCESS,
	};
	int ffd;

	fd = abi_open();
	ioas = abi_new_ioas(fd);
	ABI_ASSERT(!abi_mock_domain(fd, ioas, MOCK_FLAGS_DEVICE_PASID, &stdev,
				    &hwpt, &idev));
	ABI_ASSERT(!abi_mock_domain(fd, ioas, 0, &stdev_np, NULL, &idev_np));

	abi_section("DETACH of a PASID never attached");
	EXPECT_OK(op(DETACH, 100, 0));
	EXPECT_OK(op(CHECK, 100, 0));

	parent = abi_new_nest_parent(fd, idev, ioas);
	ABI_ASSERT(!abi_nested_alloc(fd, idev, parent, IOMMU_HWPT_ALLOC_PASID,
				     0, &n0));
	ABI_ASSERT(!abi_nested_alloc(fd, idev, parent, IOMMU_HWPT_ALLOC_PASID,
				     0, &n1));
	ABI_ASSERT(!abi_fault_alloc(fd, &fid, &ffd));
	ABI_ASSERT(!abi_nested_alloc(fd, idev, parent,
				     IOMMU_HWPT_FAULT_ID_VALID |
					     IOMMU_HWPT_ALLOC_PASID,
				     fid, &iopf));
	ABI_ASSERT(!abi_viommu_alloc(fd, idev, parent,
				     IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0,
				     &viommu));
	ABI_ASSERT(!abi_nested_alloc(fd, idev, viommu, IOMMU_HWPT_ALLOC_PASID,
				     0, &n2));
	ABI_ASSERT(!abi_hwpt_alloc(fd, idev, ioas, IOMMU_HWPT_ALLOC_PASID, 0,
				   IOMMU_HWPT_DATA_NONE, NULL, 0, &s2));

	abi_section("the RID's HWPT must be PASID-compatible");
	EXPECT_OK(abi_mock_replace(fd, stdev, parent, NULL));
	EXPECT_ERRNO(EINVAL, op(ATTACH, 100, s2));
	EXPECT_OK(op(CHECK, 100, 0));
	EXPECT_OK(abi_mock_replace(fd, stdev, s2, NULL));
	EXPECT_OK(op(ATTACH, 100, n0));
	EXPECT_OK(op(CHECK, 100, n0));
	EXPECT_ERRNO(EINVAL, op(CHECK, 100, n1));
	EXPECT_ERRNO(EINVAL, op(CHECK, 100, 0));
	EXPECT_ERRNO(EBUSY, abi_destroy(fd, n0));
	/* while a PASID is attached the RID cannot leave the compatible ones */
	EXPECT_ERRNO(EINVAL, abi_mock_replace(fd, stdev, parent, NULL));
	EXPECT_ERRNO(EINVAL, abi_mock_replace(fd, stdev, ioas, NULL));
	EXPECT_OK(abi_mock_replace(fd, stdev, s2, NULL));
	EXPECT_OK(op(DETACH, 100, 0));
	EXPECT_OK(op(CHECK, 100, 0));
	EXPECT_OK(op(DETACH, 100, 0));

	abi_section("a device without PASIDs");
	EXPECT_OK(abi_mock_replace(fd, stdev_np, n0, NULL));
	EXPECT_OK(abi_mock_replace(fd, stdev_np, ioas, NULL));
	EXPECT_ERRNO(EINVAL, abi_pasid_op(fd, ATTACH, stdev_np, 100, parent));
	EXPECT_ERRNO(EINVAL, abi_pasid_op(fd, ATTACH, stdev_np, 100, s2));
	EXPECT_OK(abi_pasid_op(fd, CHECK, stdev_np, 100, 0));

	abi_section("PASID attach refusals");
	EXPECT_ERRNO(EINVAL, op(ATTACH, 100, parent));
	EXPECT_OK(op(CHECK, 100, 0));
	EXPECT_ERRNO(EINVAL, op(ATTACH, 100, ioas));
	EXPECT_OK(op(CHECK, 100, 0));
	EXPECT_ERRNO(ENOENT, op(ATTACH, 100, 999));
	EXPECT_ERRNO(EINVAL, op(ATTACH, 100, fid));
	EXPECT_ERRNO(ENOENT, abi_pasid_op(fd, ATTACH, idev, 100, s2));
	EXPECT_OK(op(CHECK, 100, 0));

	abi_section("attach is EBUSY on an attached PASID");
	EXPECT_OK(op(ATTACH, 100, s2));
	EXPECT_OK(op(CHECK, 100, s2));
	EXPECT_ERRNO(EBUSY, op(ATTACH, 100, n0));
	EXPECT_ERRNO(EBUSY, op(ATTACH, 100, s2));
	EXPECT_OK(op(CHECK, 100, s2));
	EXPECT_OK(op(DETACH, 100, 0));
	EXPECT_OK(op(ATTACH, 100, n0));
	EXPECT_OK(op(CHECK, 100, n0));
	EXPECT_ERRNO(EBUSY, op(ATTACH, 100, n0));
	EXPECT_OK(op(DETACH, 100, 0));

	abi_section("replace needs an attached PASID");
	EXPECT_ERRNO(EINVAL, op(REPLACE, 200, s2));
	EXPECT_OK(op(CHECK, 200, 0));
	EXPECT_OK(op(ATTACH, 200, s2));
	EXPECT_ERRNO(EINVAL, op(REPLACE, 200, ioas));
	EXPECT_OK(op(CHECK, 200, s2));
	EXPECT_ERRNO(EINVAL, op(REPLACE, 200, parent));
	EXPECT_OK(op(CHECK, 200, s2));
	EXPECT_OK(op(REPLACE, 200, n0));
	EXPECT_OK(op(CHECK, 200, n0));
	EXPECT_OK(op(REPLACE, 200, n1));
	EXPECT_OK(op(CHECK, 200, n1));
	/* the HWPT replaced away is free to go */
	EXPECT_ERRNO(EBUSY, abi_destroy(fd, n1));
	EXPECT_OK(op(REPLACE, 200, n1));
	EXPECT_OK(op(DETACH, 200, 0));
	EXPECT_OK(op(CHECK, 200, 0));

	abi_section("PASID 1024: a failed replace keeps the old HWPT");
	EXPECT_OK(op(ATTACH, 1024, s2));
	EXPECT_OK(op(CHECK, 1024, s2));
	EXPECT_ERRNO(ENOMEM, op(REPLACE, 1024, n0));
	EXPECT_OK(op(CHECK, 1024, s2));
	EXPECT_OK(op(DETACH, 1024, 0));
	EXPECT_OK(op(CHECK, 1024, 0));

	abi_section("an IOPF HWPT at a PASID");
	EXPECT_OK(op(ATTACH, 2048, iopf));
	EXPECT_OK(op(CHECK, 2048, iopf));
	EXPECT_OK(abi_trigger_iopf(fd, idev, 2048, 3,
				   IOMMU_PGFAULT_PERM_READ, 0xdeadbeaf));
	EXPECT_EQ(sizeof(rec), read(ffd, &rec, sizeof(rec)));
	EXPECT_EQ(IOMMU_PGFAULT_FLAGS_PASID_VALID |
			  IOMMU_PGFAULT_FLAGS_LAST_PAGE,
		  rec.flags);
	EXPECT_EQ(2048, rec.pasid);
	EXPECT_EQ(idev, rec.dev_id);
	EXPECT_EQ(3, rec.grpid);
	resp.cookie = rec.cookie;
	EXPECT_EQ(sizeof(resp), write(ffd, &resp, sizeof(resp)));
	/* another PASID, with no table of its own, and a paging RID: dropped */
	EXPECT_OK(abi_trigger_iopf(fd, idev, 100, 3, IOMMU_PGFAULT_PERM_READ,
				   0));
	EXPECT_EQ(0, read(ffd, &rec, sizeof(rec)));
	/* a pending fault is answered when the PASID moves away */
	EXPECT_OK(abi_trigger_iopf(fd, idev, 2048, 4,
				   IOMMU_PGFAULT_PERM_READ, 0x1000));
	EXPECT_EQ(sizeof(rec), read(ffd, &rec, sizeof(rec)));
	EXPECT_OK(op(REPLACE, 2048, s2));
	EXPECT_OK(op(CHECK, 2048, s2));
	resp.cookie = rec.cookie;
	EXPECT_ERRNO(EINVAL, write(ffd, &resp, sizeof(resp)));
	EXPECT_OK(op(DETACH, 2048, 0));
	EXPECT_OK(abi_destroy(fd, iopf));
	EXPECT_OK(close(ffd));
	EXPECT_OK(abi_destroy(fd, fid));

	abi_section("PASIDs attached when the device goes");
	EXPECT_OK(op(ATTACH, 300, n0));
	EXPECT_OK(op(ATTACH, 301, s2));
	EXPECT_ERRNO(EBUSY, abi_destroy(fd, s2));
	EXPECT_OK(abi_destroy(fd, stdev));
	EXPECT_OK(abi_destroy(fd, n0));
	EXPECT_OK(abi_destroy(fd, s2));

	abi_section("PASIDs attached when the context closes");
	ABI_ASSERT(!abi_mock_domain(fd, ioas, MOCK_FLAGS_DEVICE_PASID, &stdev,
				    NULL, &idev));
	ABI_ASSERT(!abi_hwpt_alloc(fd, idev, ioas, IOMMU_HWPT_ALLOC_PASID, 0,
				   IOMMU_HWPT_DATA_NONE, NULL, 0, &s2));
	EXPECT_OK(abi_mock_replace(fd, stdev, s2, NULL));
	EXPECT_OK(op(ATTACH, 5, n1));
	EXPECT_OK(op(ATTACH, 6, s2));
	close(fd);
	return abi_finish("pasid");
}
