/* SPDX-License-Identifier: MIT */
/*
 * ABI: fault queues — IOMMU_FAULT_QUEUE_ALLOC, HWPTs made with
 * IOMMU_HWPT_FAULT_ID_VALID, and the fault fd (read of struct
 * iommu_hwpt_pgfault, write of struct iommu_hwpt_page_response, poll),
 * driven by the selftest's TRIGGER_IOPF.
 *
 * Kernel reference (drivers/iommu/iommufd/eventq.c, hw_pagetable.c,
 * selftest.c):
 *  - FAULT_QUEUE_ALLOC: flags EOPNOTSUPP; returns an object id and an fd
 *    that holds the object (DESTROY EBUSY until it is closed, and while a
 *    HWPT refers to it);
 *  - read(): count must be a multiple of the 40-byte record (ESPIPE);
 *    whole groups only, 0 when nothing waits; a group read waits for its
 *    response under its cookie;
 *  - write(): count must be a multiple of the 8-byte response (ESPIPE); a
 *    code other than SUCCESS / INVALID, or a cookie nothing waits under, is
 *    EINVAL; the bytes consumed before the first bad response are returned;
 *  - poll(): POLLOUT always, POLLIN while a group waits to be read;
 *  - TRIGGER_IOPF: a one-page group (LAST_PAGE, plus PASID_VALID with a
 *    PASID) routed to the HWPT at that PASID or, the mock keeping a user
 *    PASID table, to a nested RID HWPT; always 0 (a request no queue takes
 *    is dropped); an unknown device ENOENT;
 *  - moving a device off an IOPF HWPT answers its pending groups: their
 *    cookies are no longer accepted.
 */
#include "abi.h"

#define REC sizeof(struct iommu_hwpt_pgfault)
#define RESP sizeof(struct iommu_hwpt_page_response)
#define PERM_RW (IOMMU_PGFAULT_PERM_READ | IOMMU_PGFAULT_PERM_WRITE)

static int fd;
static uint32_t ioas, stdev, idev, parent;

static ssize_t respond(int ffd, uint32_t cookie, uint32_t code)
{
	struct iommu_hwpt_page_response r = { .cookie = cookie, .code = code };

	return write(ffd, &r, sizeof(r));
}

static void test_alloc_and_fd(void)
{
	struct iommu_fault_alloc cmd = { .size = sizeof(cmd), .flags = 1 };
	struct iommu_hwpt_pgfault rec[2];
	struct iommu_hwpt_page_response r[2] = {};
	uint32_t id, hwpt;
	int ffd;

	abi_section("FAULT_QUEUE_ALLOC");
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(fd, IOMMU_FAULT_QUEUE_ALLOC, &cmd));
	ABI_ASSERT(!abi_fault_alloc(fd, &id, &ffd));
	EXPECT_TRUE(ffd >= 0);
	EXPECT_EQ(parent + 1, id);

	abi_section("fault fd: sizes");
	EXPECT_ERRNO(ESPIPE, read(ffd, rec, REC - 1));
	EXPECT_ERRNO(ESPIPE, read(ffd, rec, REC + 1));
	EXPECT_EQ(0, read(ffd, rec, 0));
	EXPECT_EQ(0, read(ffd, rec, 2 * REC));
	EXPECT_ERRNO(ESPIPE, write(ffd, r, RESP - 1));
	EXPECT_ERRNO(ESPIPE, write(ffd, r, RESP + 4));
	EXPECT_EQ(0, write(ffd, r, 0));
	EXPECT_ERRNO(EINVAL, write(ffd, r, RESP));
	EXPECT_EQ(POLLOUT, abi_poll_now(ffd, POLLIN | POLLOUT));

	abi_section("FAULT_ID_VALID refusals");
	EXPECT_ERRNO(EOPNOTSUPP,
		     abi_hwpt_alloc(fd, idev, ioas,
				    IOMMU_HWPT_ALLOC_NEST_PARENT |
					    IOMMU_HWPT_FAULT_ID_VALID,
				    id, IOMMU_HWPT_DATA_NONE, NULL, 0, &hwpt));
	EXPECT_ERRNO(ENOENT, abi_nested_alloc(fd, idev, parent,
					      IOMMU_HWPT_FAULT_ID_VALID, ioas,
					      &hwpt));
	EXPECT_ERRNO(ENOENT, abi_hwpt_alloc(fd, idev, ioas,
					    IOMMU_HWPT_FAULT_ID_VALID,
					    UINT32_MAX, IOMMU_HWPT_DATA_NONE,
					    NULL, 0, &hwpt));

	abi_section("the fd and a HWPT hold the fault object");
	EXPECT_OK(abi_nested_alloc(fd, idev, parent, IOMMU_HWPT_FAULT_ID_VALID,
				   id, &hwpt));
	EXPECT_EQ(id + 1, hwpt);
	EXPECT_ERRNO(EBUSY, abi_destroy(fd, id));
	EXPECT_OK(abi_destroy(fd, hwpt));
	EXPECT_ERRNO(EBUSY, abi_destroy(fd, id));
	EXPECT_OK(close(ffd));
	EXPECT_OK(abi_destroy(fd, id));
	EXPECT_ERRNO(ENOENT, abi_destroy(fd, id));
}

static void expect_record(int line, const struct iommu_hwpt_pgfault *rec,
			  uint32_t pasid, uint32_t grpid, uint64_t addr)
{
	uint32_t flags = IOMMU_PGFAULT_FLAGS_LAST_PAGE |
			 (pasid ? IOMMU_PGFAULT_FLAGS_PASID_VALID : 0);

	abi_checks++;
	if (rec->flags != flags || rec->dev_id != idev || rec->pasid != pasid ||
	    rec->grpid != grpid || rec->perm != PERM_RW || rec->__reserved ||
	    rec->addr != addr || rec->length != 0 || !rec->cookie)
		abi_fail(__FILE__, line,
			 "record {flags 0x%x dev %u pasid %u grp %u perm 0x%x "
			 "addr 0x%llx len %u cookie %u}, expected flags 0x%x "
			 "dev %u pasid %u grp %u addr 0x%llx",
			 rec->flags, rec->dev_id, rec->pasid, rec->grpid,
			 rec->perm, ABI_U64(rec->addr), rec->length,
			 rec->cookie, flags, idev, pasid, grpid,
			 ABI_U64(addr));
}

#define EXPECT_RECORD(rec, pasid, grpid, addr) \
	expect_record(__LINE__, rec, pasid, grpid, addr)

static void test_faults(void)
{
	struct iommu_hwpt_page_response r[2];
	struct iommu_hwpt_pgfault rec[3];
	uint32_t id, hwpt, pt;
	int ffd;

	ABI_ASSERT(!abi_fault_alloc(fd, &id, &ffd));
	ABI_ASSERT(!abi_nested_alloc(fd, idev, parent,
				     IOMMU_HWPT_FAULT_ID_VALID, id, &hwpt));

	abi_section("TRIGGER_IOPF with no fault queue behind the device");
	EXPECT_OK(abi_trigger_iopf(fd, idev, 1, 2, PERM_RW, 0xdeadbeaf));
	EXPECT_EQ(POLLOUT, abi_poll_now(ffd, POLLIN | POLLOUT));
	EXPECT_ERRNO(ENOENT, abi_trigger_iopf(fd, 999, 1, 2, PERM_RW, 0));
	EXPECT_ERRNO(ENOENT, abi_trigger_iopf(fd, stdev, 1, 2, PERM_RW, 0));

	abi_section("one fault: read, poll, respond");
	EXPECT_OK(abi_mock_replace(fd, stdev, hwpt, &pt));
	EXPECT_ERRNO(EBUSY, abi_destroy(fd, hwpt));
	EXPECT_OK(abi_trigger_iopf(fd, idev, 1, 2, PERM_RW, 0xdeadbeaf));
	EXPECT_EQ(POLLIN | POLLOUT, abi_poll_now(ffd, POLLIN | POLLOUT));
	memset(rec, 0xff, sizeof(rec));
	EXPECT_EQ(REC, read(ffd, rec, 2 * REC));
	EXPECT_RECORD(&rec[0], 1, 2, 0xdeadbeaf);
	EXPECT_EQ(POLLOUT, abi_poll_now(ffd, POLLIN | POLLOUT));
	EXPECT_EQ(0, read(ffd, rec + 1, REC));
	/* a bad code or an unknown cookie: nothing answered */
	EXPECT_ERRNO(EINVAL, respond(ffd, rec[0].cookie, 2));
	EXPECT_ERRNO(EINVAL, respond(ffd, rec[0].cookie + 1000,
				     IOMMUFD_PAGE_RESP_SUCCESS));
	EXPECT_EQ(RESP, respond(ffd, rec[0].cookie,
				IOMMUFD_PAGE_RESP_SUCCESS));
	/* answered once: the cookie is gone */
	EXPECT_ERRNO(EINVAL, respond(ffd, rec[0].cookie,
				     IOMMUFD_PAGE_RESP_SUCCESS));

	abi_section("no PASID: no PASID_VALID");
	EXPECT_OK(abi_trigger_iopf(fd, idev, 0, 7, PERM_RW, 0x1000));
	EXPECT_EQ(REC, read(ffd, rec, REC));
	EXPECT_RECORD(&rec[0], 0, 7, 0x1000);
	EXPECT_EQ(RESP, respond(ffd, rec[0].cookie,
				IOMMUFD_PAGE_RESP_INVALID));

	abi_section("two faults: one record per read of 40 bytes");
	EXPECT_OK(abi_trigger_iopf(fd, idev, 3, 4, PERM_RW, 0x2000));
	EXPECT_OK(abi_trigger_iopf(fd, idev, 3, 5, PERM_RW, 0x3000));
	EXPECT_EQ(REC, read(ffd, &rec[0], REC));
	EXPECT_EQ(POLLIN | POLLOUT, abi_poll_now(ffd, POLLIN | POLLOUT));
	EXPECT_EQ(REC, read(ffd, &rec[1], REC));
	EXPECT_EQ(POLLOUT, abi_poll_now(ffd, POLLIN | POLLOUT));
	EXPECT_RECORD(&rec[0], 3, 4, 0x2000);
	EXPECT_RECORD(&rec[1], 3, 5, 0x3000);
	EXPECT_TRUE(rec[0].cookie != rec[1].cookie);
	/* a good response then a bad one: the bytes of the good one */
	r[0] = (struct iommu_hwpt_page_response){ rec[1].cookie,
						  IOMMUFD_PAGE_RESP_SUCCESS };
	r[1] = (struct iommu_hwpt_page_response){ rec[1].cookie,
						  IOMMUFD_PAGE_RESP_SUCCESS };
	EXPECT_EQ(RESP, write(ffd, r, 2 * RESP));
	EXPECT_EQ(RESP, respond(ffd, rec[0].cookie,
				IOMMUFD_PAGE_RESP_SUCCESS));
	/* two good ones in one write */
	EXPECT_OK(abi_trigger_iopf(fd, idev, 3, 4, PERM_RW, 0x2000));
	EXPECT_OK(abi_trigger_iopf(fd, idev, 3, 5, PERM_RW, 0x3000));
	EXPECT_EQ(2 * REC, read(ffd, rec, 3 * REC));
	r[0] = (struct iommu_hwpt_page_response){ rec[0].cookie,
						  IOMMUFD_PAGE_RESP_SUCCESS };
	r[1] = (struct iommu_hwpt_page_response){ rec[1].cookie,
						  IOMMUFD_PAGE_RESP_SUCCESS };
	EXPECT_EQ(2 * RESP, write(ffd, r, 2 * RESP));

	abi_section("replace away answers pending faults");
	EXPECT_OK(abi_trigger_iopf(fd, idev, 1, 1, PERM_RW, 0x4000));
	EXPECT_OK(abi_trigger_iopf(fd, idev, 1, 2, PERM_RW, 0x5000));
	/* the first is read (waits for a response), the second is queued */
	EXPECT_EQ(REC, read(ffd, rec, REC));
	EXPECT_OK(abi_mock_replace(fd, stdev, ioas, &pt));
	EXPECT_EQ(POLLOUT, abi_poll_now(ffd, POLLIN | POLLOUT));
	EXPECT_EQ(0, read(ffd, rec + 1, REC));
	EXPECT_ERRNO(EINVAL, respond(ffd, rec[0].cookie,
				     IOMMUFD_PAGE_RESP_SUCCESS));
	/* a paging HWPT with no queue: dropped */
	EXPECT_OK(abi_trigger_iopf(fd, idev, 0, 1, PERM_RW, 0x4000));
	EXPECT_EQ(POLLOUT, abi_poll_now(ffd, POLLIN | POLLOUT));

	abi_section("an IOPF paging HWPT takes RID faults, not PASID ones");
	{
		uint32_t pg;

		EXPECT_OK(abi_hwpt_alloc(fd, idev, ioas,
					 IOMMU_HWPT_FAULT_ID_VALID, id,
					 IOMMU_HWPT_DATA_NONE, NULL, 0, &pg));
		EXPECT_OK(abi_mock_replace(fd, stdev, pg, NULL));
		EXPECT_OK(abi_trigger_iopf(fd, idev, 9, 1, PERM_RW, 0x6000));
		EXPECT_EQ(POLLOUT, abi_poll_now(ffd, POLLIN | POLLOUT));
		EXPECT_OK(abi_trigger_iopf(fd, idev, 0, 1, PERM_RW, 0x6000));
		EXPECT_EQ(REC, read(ffd, rec, REC));
		EXPECT_RECORD(&rec[0], 0, 1, 0x6000);
		EXPECT_EQ(RESP, respond(ffd, rec[0].cookie,
					IOMMUFD_PAGE_RESP_SUCCESS));
		EXPECT_OK(abi_mock_replace(fd, stdev, ioas, NULL));
		EXPECT_OK(abi_destroy(fd, pg));
	}

	abi_section("teardown order");
	EXPECT_ERRNO(EBUSY, abi_destroy(fd, id));
	EXPECT_OK(abi_destroy(fd, hwpt));
	EXPECT_ERRNO(EBUSY, abi_destroy(fd, id));
	EXPECT_OK(close(ffd));
	EXPECT_OK(abi_destroy(fd, id));
}

/* faults queued and read-but-unanswered when the context closes */
static void test_left_for_close(void)
{
	struct iommu_hwpt_pgfault rec;
	uint32_t id, hwpt;
	int ffd;

	abi_section("fault queue alive at close");
	ABI_ASSERT(!abi_fault_alloc(fd, &id, &ffd));
	ABI_ASSERT(!abi_nested_alloc(fd, idev, parent,
				     IOMMU_HWPT_FAULT_ID_VALID, id, &hwpt));
	EXPECT_OK(abi_mock_replace(fd, stdev, hwpt, NULL));
	EXPECT_OK(abi_trigger_iopf(fd, idev, 1, 1, PERM_RW, 0x1000));
	EXPECT_OK(abi_trigger_iopf(fd, idev, 1, 2, PERM_RW, 0x2000));
	EXPECT_EQ(REC, read(ffd, &rec, REC));
	/* the fd stays open past the context's close */
	close(fd);
	EXPECT_EQ(POLLIN | POLLOUT, abi_poll_now(ffd, POLLIN | POLLOUT));
	EXPECT_OK(close(ffd));
}

int main(void)
{
	fd = abi_open();
	ioas = abi_new_ioas(fd);
	ABI_ASSERT(!abi_mock_domain(fd, ioas, 0, &stdev, NULL, &idev));
	parent = abi_new_nest_parent(fd, idev, ioas);

	test_alloc_and_fd();
	test_faults();
	test_left_for_close();
	return abi_finish("fault_queue");
}
