/* SPDX-License-Identifier: MIT */
/*
 * ABI: the selftest vIOMMU and what hangs off it — IOMMU_VIOMMU_ALLOC (with
 * and without iommu_viommu_selftest data, and mmap() of its page on the
 * iommufd fd), nested HWPTs through a vIOMMU, IOMMU_VDEVICE_ALLOC and
 * tombstones, HWPT_INVALIDATE on a vIOMMU, IOMMU_VEVENTQ_ALLOC and the
 * vEVENTQ fd fed by TRIGGER_VEVENT.
 *
 * Kernel reference (drivers/iommu/iommufd/viommu.c, eventq.c, main.c,
 * selftest.c):
 *  - VIOMMU_ALLOC: flags, type DEFAULT or a type the IOMMU lacks
 *    EOPNOTSUPP; the device ENOENT; hwpt_id must be a paging HWPT (ENOENT)
 *    made with NEST_PARENT (EINVAL); the vIOMMU holds it (EBUSY), nested
 *    HWPTs through it hold the vIOMMU;
 *  - selftest data: out_data = in_data and an mmap window of two pages;
 *    mmap() of exactly that offset and length reads in_data, any other
 *    ENXIO, a private mapping EINVAL; a live mapping holds the vIOMMU;
 *  - VDEVICE_ALLOC: one per device and one per virt_id on a vIOMMU
 *    (EEXIST); attaching a device to a nested HWPT of a vIOMMU needs its
 *    vDEVICE there (ENOENT); unbinding the device first tombstones the
 *    vDEVICE: DESTROY of its id ENOENT, the id not handed out again, the
 *    virt_id free;
 *  - HWPT_INVALIDATE on the selftest vIOMMU: 12-byte entries {flags,
 *    vdev_id, cache_id}; type EINVAL, entry_len EINVAL, flags EOPNOTSUPP,
 *    cache_id > 3 EINVAL, an unknown vdev_id EINVAL; entry_num written back;
 *  - VEVENTQ_ALLOC: flags or __reserved EOPNOTSUPP, type DEFAULT
 *    EOPNOTSUPP, depth 0 EINVAL, one queue per type (EEXIST); its fd holds
 *    it; TRIGGER_VEVENT: ENOENT unless the device is attached through a
 *    vDEVICE, EOPNOTSUPP with no queue of the type; records are a header
 *    {flags, sequence} then {virt_id}, sequence numbers consecutive; a full
 *    queue drops the record and leaves a LOST_EVENTS header at the tail
 *    with the lost record's number (a record arriving once there is room
 *    takes the header's place, the gap in the numbers remains); a read
 *    too small for the next record returns 0; poll() reports POLLIN while
 *    records wait.
 */
#include "abi.h"

#define VINV_TYPE IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST
#define VINV_LEN sizeof(struct iommu_viommu_invalidate_selftest)
#define HDR sizeof(struct iommufd_vevent_header)
#define EVT sizeof(struct iommu_viommu_event_selftest)

static int fd;
static size_t ps;
static uint32_t ioas, stdev, idev, parent;

static void test_viommu_alloc(void)
{
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.flags = 1,
		.type = IOMMU_VIOMMU_TYPE_SELFTEST,
		.dev_id = idev,
		.hwpt_id = parent,
	};
	uint32_t plain, viommu, nested, out;

	abi_section("VIOMMU_ALLOC refusals");
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(fd, IOMMU_VIOMMU_ALLOC, &cmd));
	EXPECT_ERRNO(EOPNOTSUPP, abi_viommu_alloc(fd, idev, parent,
						  IOMMU_VIOMMU_TYPE_DEFAULT,
						  NULL, 0, &out));
	EXPECT_ERRNO(EOPNOTSUPP,
		     abi_viommu_alloc(fd, idev, parent, 0xdead, NULL, 0, &out));
	EXPECT_ERRNO(ENOENT, abi_viommu_alloc(fd, 999, parent,
					      IOMMU_VIOMMU_TYPE_SELFTEST, NULL,
					      0, &out));
	EXPECT_ERRNO(ENOENT, abi_viommu_alloc(fd, idev, 0,
					      IOMMU_VIOMMU_TYPE_SELFTEST, NULL,
					      0, &out));
	EXPECT_ERRNO(ENOENT, abi_viommu_alloc(fd, idev, ioas,
					      IOMMU_VIOMMU_TYPE_SELFTEST, NULL,
					      0, &out));
	ABI_ASSERT(!abi_hwpt_alloc(fd, idev, ioas, 0, 0, IOMMU_HWPT_DATA_NONE,
				   NULL, 0, &plain));
	EXPECT_ERRNO(EINVAL, abi_viommu_alloc(fd, idev, plain,
					      IOMMU_VIOMMU_TYPE_SELFTEST, NULL,
					      0, &out));
	EXPECT_OK(abi_destroy(fd, plain));

	abi_section("a vIOMMU holds its parent; nested HWPTs hold it");
	ABI_ASSERT(!abi_viommu_alloc(fd, idev, parent,
				     IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0,
				     &viommu));
	EXPECT_EQ(plain, viommu);
	EXPECT_ERRNO(EBUSY, abi_destroy(fd, parent));
	EXPECT_OK(abi_nested_alloc(fd, idev, viommu, 0, 0, &nested));
	EXPECT_ERRNO(EBUSY, abi_destroy(fd, viommu));
	EXPECT_ERRNO(ENOENT, abi_viommu_alloc(fd, idev, nested,
					      IOMMU_VIOMMU_TYPE_SELFTEST, NULL,
					      0, &out));
	EXPECT_ERRNO(ENOENT, abi_nested_alloc(fd, idev, viommu,
					      IOMMU_HWPT_FAULT_ID_VALID,
					      UINT32_MAX, &out));
	EXPECT_ERRNO(EOPNOTSUPP, abi_nested_alloc(fd, idev, viommu,
						  1u << 31, 0, &out));
	EXPECT_OK(abi_check_iotlb(fd, nested, 3, IOMMU_TEST_IOTLB_DEFAULT));
	EXPECT_OK(abi_destroy(fd, nested));
	EXPECT_OK(abi_destroy(fd, viommu));
	EXPECT_ERRNO(ENOENT, abi_destroy(fd, viommu));
}

static void test_viommu_mmap(void)
{
	struct iommu_viommu_selftest data = { .in_data = 0xbeef };
	uint64_t off, len;
	uint32_t viommu;
	uint32_t *p;

	abi_section("vIOMMU selftest data and its mmap window");
	ABI_ASSERT(!abi_viommu_alloc(fd, idev, parent,
				     IOMMU_VIOMMU_TYPE_SELFTEST, &data,
				     sizeof(data), &viommu));
	EXPECT_EQ(data.in_data, data.out_data);
	EXPECT_EQ(2 * ps, data.out_mmap_length);
	EXPECT_EQ(0, data.out_mmap_offset % ps);
	off = data.out_mmap_offset;
	len = data.out_mmap_length;

	EXPECT_ERRNO(ENXIO, (long)mmap(NULL, len, PROT_READ | PROT_WRITE,
				       MAP_SHARED, fd, off + ps));
	EXPECT_ERRNO(ENXIO, (long)mmap(NULL, len, PROT_READ | PROT_WRITE,
				       MAP_SHARED, fd, off + 2 * ps));
	EXPECT_ERRNO(ENXIO, (long)mmap(NULL, len / 2, PROT_READ | PROT_WRITE,
				       MAP_SHARED, fd, off));
	EXPECT_ERRNO(ENXIO, (long)mmap(NULL, len * 2, PROT_READ | PROT_WRITE,
				       MAP_SHARED, fd, off));
	EXPECT_ERRNO(EINVAL, (long)mmap(NULL, len, PROT_READ | PROT_WRITE,
					MAP_PRIVATE, fd, off));
	/* nothing was mapped by the refusals: the vIOMMU is free to go */
	EXPECT_OK(abi_destroy(fd, viommu));
	EXPECT_ERRNO(ENXIO, (long)mmap(NULL, len, PROT_READ | PROT_WRITE,
				       MAP_SHARED, fd, off));

	data.in_data = 0x1234;
	ABI_ASSERT(!abi_viommu_alloc(fd, idev, parent,
				     IOMMU_VIOMMU_TYPE_SELFTEST, &data,
				     sizeof(data), &viommu));
	p = mmap(NULL, data.out_mmap_length, PROT_READ | PROT_WRITE,
		 MAP_SHARED, fd, data.out_mmap_offset);
	EXPECT_TRUE(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	EXPECT_EQ(0x1234, p[0]);
	EXPECT_ERRNO(EBUSY, abi_destroy(fd, viommu));
	EXPECT_OK(munmap(p, data.out_mmap_length));
	EXPECT_OK(abi_destroy(fd, viommu));
}

static void test_vdevice_and_invalidate(uint32_t idev2)
{
	struct iommu_viommu_invalidate_selftest reqs[2] = {};
	uint32_t viommu, nested, vdev, out, num, pt;
	uint32_t i;

	ABI_ASSERT(!abi_viommu_alloc(fd, idev, parent,
				     IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0,
				     &viommu));
	ABI_ASSERT(!abi_nested_alloc(fd, idev, viommu, 0, 0, &nested));

	abi_section("VDEVICE_ALLOC");
	EXPECT_ERRNO(ENOENT, abi_mock_replace(fd, stdev, nested, &pt));
	EXPECT_ERRNO(ENOENT, abi_vdevice_alloc(fd, 999, idev, 0x99, &out));
	EXPECT_ERRNO(ENOENT, abi_vdevice_alloc(fd, viommu, 999, 0x99, &out));
	EXPECT_ERRNO(ENOENT, abi_vdevice_alloc(fd, parent, idev, 0x99, &out));
	ABI_ASSERT(!abi_vdevice_alloc(fd, viommu, idev, 0x99, &vdev));
	EXPECT_ERRNO(EEXIST, abi_vdevice_alloc(fd, viommu, idev, 0x88, &out));
	EXPECT_ERRNO(EEXIST, abi_vdevice_alloc(fd, viommu, idev2, 0x99, &out));
	/* the refusals left no id taken */
	EXPECT_OK(abi_vdevice_alloc(fd, viommu, idev2, 0x77, &out));
	EXPECT_EQ(vdev + 1, out);
	EXPECT_OK(abi_destroy(fd, out));
	EXPECT_ERRNO(EBUSY, abi_destroy(fd, viommu));
	EXPECT_OK(abi_mock_replace(fd, stdev, nested, &pt));
	EXPECT_EQ(nested, pt);
	EXPECT_ERRNO(EBUSY, abi_destroy(fd, nested));

	abi_section("HWPT_INVALIDATE on a vIOMMU");
	for (i = 0; i <= MOCK_DEV_CACHE_ID_MAX; i++)
		EXPECT_OK(abi_check_dev_cache(fd, idev, i,
					      IOMMU_TEST_DEV_CACHE_DEFAULT));
	num = 0;
	EXPECT_OK(abi_invalidate(fd, viommu, VINV_TYPE, reqs, VINV_LEN, &num));
	EXPECT_EQ(0, num);
	num = 1;
	EXPECT_ERRNO(EINVAL,
		     abi_invalidate(fd, viommu,
				    IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID,
				    reqs, VINV_LEN, &num));
	EXPECT_EQ(0, num);
	num = 1;
	EXPECT_ERRNO(EINVAL, abi_invalidate(fd, viommu, VINV_TYPE, reqs,
					    VINV_LEN + 1, &num));
	EXPECT_EQ(0, num);
	num = 1;
	EXPECT_ERRNO(EINVAL, abi_invalidate(fd, viommu, VINV_TYPE, reqs, 1,
					    &num));
	EXPECT_EQ(0, num);
	num = 1;
	EXPECT_ERRNO(EINVAL, abi_invalidate(fd, viommu, VINV_TYPE, NULL,
					    VINV_LEN, &num));
	EXPECT_EQ(0, num);
	num = 1;
	EXPECT_ERRNO(EINVAL, abi_invalidate(fd, viommu, VINV_TYPE, reqs, 0,
					    &num));
	EXPECT_EQ(0, num);
	num = 1;
	reqs[0] = (struct iommu_viommu_invalidate_selftest){
		.flags = 0xffffffff, .vdev_id = 0x99 };
	EXPECT_ERRNO(EOPNOTSUPP, abi_invalidate(fd, viommu, VINV_TYPE, reqs,
						VINV_LEN, &num));
	EXPECT_EQ(0, num);
	num = 1;
	reqs[0] = (struct iommu_viommu_invalidate_selftest){
		.vdev_id = 0x99, .cache_id = MOCK_DEV_CACHE_ID_MAX + 1 };
	EXPECT_ERRNO(EINVAL, abi_invalidate(fd, viommu, VINV_TYPE, reqs,
					    VINV_LEN, &num));
	EXPECT_EQ(0, num);
	num = 1;
	reqs[0] = (struct iommu_viommu_invalidate_selftest){ .vdev_id = 0x9 };
	EXPECT_ERRNO(EINVAL, abi_invalidate(fd, viommu, VINV_TYPE, reqs,
					    VINV_LEN, &num));
	EXPECT_EQ(0, num);
	/* a nested HWPT of the vIOMMU takes the HWPT's own type */
	num = 1;
	EXPECT_ERRNO(EINVAL, abi_invalidate(fd, nested, VINV_TYPE, reqs,
					    VINV_LEN, &num));
	EXPECT_EQ(0, num);
	for (i = 0; i <= MOCK_DEV_CACHE_ID_MAX; i++)
		EXPECT_OK(abi_check_dev_cache(fd, idev, i,
					      IOMMU_TEST_DEV_CACHE_DEFAULT));

	num = 2;
	reqs[0] = (struct iommu_viommu_invalidate_selftest){ .vdev_id = 0x99 };
	reqs[1] = (struct iommu_viommu_invalidate_selftest){
		.vdev_id = 0x99, .cache_id = MOCK_DEV_CACHE_ID_MAX + 1 };
	EXPECT_ERRNO(EINVAL, abi_invalidate(fd, viommu, VINV_TYPE, reqs,
					    VINV_LEN, &num));
	EXPECT_EQ(1, num);
	EXPECT_OK(abi_check_dev_cache(fd, idev, 0, 0));
	EXPECT_OK(abi_check_dev_cache(fd, idev, 1,
				      IOMMU_TEST_DEV_CACHE_DEFAULT));
	num = 2;
	reqs[0].cache_id = 1;
	reqs[1].cache_id = 2;
	EXPECT_OK(abi_invalidate(fd, viommu, VINV_TYPE, reqs, VINV_LEN, &num));
	EXPECT_EQ(2, num);
	EXPECT_OK(abi_check_dev_cache(fd, idev, 2, 0));
	EXPECT_OK(abi_check_dev_cache(fd, idev, 3,
				      IOMMU_TEST_DEV_CACHE_DEFAULT));
	num = 1;
	reqs[0] = (struct iommu_viommu_invalidate_selftest){
		.flags = IOMMU_TEST_INVALIDATE_FLAG_ALL, .vdev_id = 0x99 };
	EXPECT_OK(abi_invalidate(fd, viommu, VINV_TYPE, reqs, VINV_LEN, &num));
	EXPECT_EQ(1, num);
	for (i = 0; i <= MOCK_DEV_CACHE_ID_MAX; i++)
		EXPECT_OK(abi_check_dev_cache(fd, idev, i, 0));

	abi_section("vDEVICE teardown");
	EXPECT_OK(abi_mock_replace(fd, stdev, ioas, NULL));
	EXPECT_OK(abi_destroy(fd, vdev));
	EXPECT_ERRNO(ENOENT, abi_mock_replace(fd, stdev, nested, NULL));
	/* the virt_id is free again */
	EXPECT_OK(abi_vdevice_alloc(fd, viommu, idev, 0x99, &vdev));
	EXPECT_OK(abi_destroy(fd, vdev));
	EXPECT_OK(abi_destroy(fd, nested));
	EXPECT_OK(abi_destroy(fd, viommu));
}

struct vrec {
	struct iommufd_vevent_header hdr;
	struct iommu_viommu_event_selftest evt;
};

static void test_veventq(void)
{
	struct iommu_veventq_alloc cmd = {
		.size = sizeof(cmd),
		.type = IOMMU_VEVENTQ_TYPE_SELFTEST,
		.veventq_depth = 2,
	};
	uint32_t viommu, nested, vdev, vq, out, seq;
	unsigned char raw[4 * (HDR + EVT)];
	struct vrec rec[4];
	int efd, efd2;

	ABI_ASSERT(!abi_viommu_alloc(fd, idev, parent,
				     IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0,
				     &viommu));
	ABI_ASSERT(!abi_nested_alloc(fd, idev, viommu, 0, 0, &nested));
	cmd.viommu_id = viommu;

	abi_section("VEVENTQ_ALLOC refusals");
	cmd.flags = 1;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(fd, IOMMU_VEVENTQ_ALLOC, &cmd));
	cmd.flags = 0;
	cmd.__reserved = 1;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(fd, IOMMU_VEVENTQ_ALLOC, &cmd));
	cmd.__reserved = 0;
	EXPECT_ERRNO(EOPNOTSUPP,
		     abi_veventq_alloc(fd, viommu, IOMMU_VEVENTQ_TYPE_DEFAULT, 2,
				       &out, &efd));
	EXPECT_ERRNO(EINVAL, abi_veventq_alloc(fd, viommu,
					       IOMMU_VEVENTQ_TYPE_SELFTEST, 0,
					       &out, &efd));
	EXPECT_ERRNO(ENOENT, abi_veventq_alloc(fd, 999,
					       IOMMU_VEVENTQ_TYPE_SELFTEST, 2,
					       &out, &efd));
	EXPECT_ERRNO(ENOENT, abi_veventq_alloc(fd, parent,
					       IOMMU_VEVENTQ_TYPE_SELFTEST, 2,
					       &out, &efd));

	abi_section("TRIGGER_VEVENT needs a vDEVICE and a queue");
	EXPECT_ERRNO(ENOENT, abi_trigger_vevent(fd, idev));
	ABI_ASSERT(!abi_vdevice_alloc(fd, viommu, idev, 0x99, &vdev));
	EXPECT_ERRNO(ENOENT, abi_trigger_vevent(fd, idev));
	EXPECT_OK(abi_mock_replace(fd, stdev, nested, NULL));
	EXPECT_ERRNO(EOPNOTSUPP, abi_trigger_vevent(fd, idev));
	EXPECT_ERRNO(ENOENT, abi_trigger_vevent(fd, 999));

	abi_section("one vEVENTQ per type");
	ABI_ASSERT(!abi_veventq_alloc(fd, viommu, IOMMU_VEVENTQ_TYPE_SELFTEST,
				      2, &vq, &efd));
	EXPECT_TRUE(efd >= 0);
	EXPECT_ERRNO(EEXIST, abi_veventq_alloc(fd, viommu,
					       IOMMU_VEVENTQ_TYPE_SELFTEST, 2,
					       &out, &efd2));
	EXPECT_ERRNO(EBUSY, abi_destroy(fd, viommu));

	abi_section("events: header, sequence, virt_id, poll");
	EXPECT_EQ(0, abi_poll_now(efd, POLLIN));
	EXPECT_EQ(0, read(efd, raw, sizeof(raw)));
	EXPECT_OK(abi_trigger_vevent(fd, idev));
	EXPECT_EQ(POLLIN, abi_poll_now(efd, POLLIN));
	/* too small for the first record: nothing read, nothing lost */
	EXPECT_EQ(0, read(efd, raw, HDR));
	EXPECT_EQ(0, read(efd, raw, HDR + EVT - 1));
	EXPECT_EQ(POLLIN, abi_poll_now(efd, POLLIN));
	memset(rec, 0xff, sizeof(rec));
	EXPECT_EQ(HDR + EVT, read(efd, rec, sizeof(rec)));
	EXPECT_EQ(0, rec[0].hdr.flags);
	EXPECT_EQ(0x99, rec[0].evt.virt_id);
	seq = rec[0].hdr.sequence;
	EXPECT_EQ(0, abi_poll_now(efd, POLLIN));

	EXPECT_OK(abi_trigger_vevent(fd, idev));
	EXPECT_OK(abi_trigger_vevent(fd, idev));
	/* room for one: one record */
	EXPECT_EQ(HDR + EVT, read(efd, &rec[0], HDR + EVT + 4));
	EXPECT_EQ(POLLIN, abi_poll_now(efd, POLLIN));
	EXPECT_EQ(HDR + EVT, read(efd, &rec[1], sizeof(rec[1])));
	EXPECT_EQ(seq + 1, rec[0].hdr.sequence);
	EXPECT_EQ(seq + 2, rec[1].hdr.sequence);
	EXPECT_EQ(0, rec[0].hdr.flags | rec[1].hdr.flags);
	EXPECT_EQ(0x99, rec[1].evt.virt_id);
	seq += 2;

	abi_section("overflow: depth 2, three events");
	EXPECT_OK(abi_trigger_vevent(fd, idev));
	EXPECT_OK(abi_trigger_vevent(fd, idev));
	EXPECT_OK(abi_trigger_vevent(fd, idev));
	memset(raw, 0xff, sizeof(raw));
	EXPECT_EQ(2 * (HDR + EVT) + HDR, read(efd, raw, sizeof(raw)));
	memcpy(rec, raw, 2 * sizeof(rec[0]));
	memcpy(&rec[2].hdr, raw + 2 * (HDR + EVT), HDR);
	EXPECT_EQ(0, rec[0].hdr.flags);
	EXPECT_EQ(seq + 1, rec[0].hdr.sequence);
	EXPECT_EQ(0, rec[1].hdr.flags);
	EXPECT_EQ(seq + 2, rec[1].hdr.sequence);
	EXPECT_EQ(IOMMU_VEVENTQ_FLAG_LOST_EVENTS, rec[2].hdr.flags);
	EXPECT_EQ(seq + 3, rec[2].hdr.sequence);
	EXPECT_EQ(0, abi_poll_now(efd, POLLIN));
	/* room again: the next event reads normally */
	EXPECT_OK(abi_trigger_vevent(fd, idev));
	EXPECT_EQ(HDR + EVT, read(efd, rec, sizeof(rec)));
	EXPECT_EQ(0, rec[0].hdr.flags);
	EXPECT_EQ(seq + 4, rec[0].hdr.sequence);

	abi_section("overflow twice: one LOST_EVENTS header, the last number");
	EXPECT_OK(abi_trigger_vevent(fd, idev));
	EXPECT_OK(abi_trigger_vevent(fd, idev));
	EXPECT_OK(abi_trigger_vevent(fd, idev));
	EXPECT_OK(abi_trigger_vevent(fd, idev));
	/* a header-only record fits where a full one would not */
	EXPECT_EQ(2 * (HDR + EVT), read(efd, raw, 2 * (HDR + EVT) + 4));
	EXPECT_EQ(HDR, read(efd, raw, sizeof(raw)));
	memcpy(&rec[0].hdr, raw, HDR);
	EXPECT_EQ(IOMMU_VEVENTQ_FLAG_LOST_EVENTS, rec[0].hdr.flags);
	EXPECT_EQ(seq + 8, rec[0].hdr.sequence);

	abi_section("a record after an overflow replaces the LOST_EVENTS header");
	EXPECT_OK(abi_trigger_vevent(fd, idev));
	EXPECT_OK(abi_trigger_vevent(fd, idev));
	EXPECT_OK(abi_trigger_vevent(fd, idev));
	EXPECT_EQ(HDR + EVT, read(efd, rec, HDR + EVT));
	EXPECT_EQ(seq + 9, rec[0].hdr.sequence);
	/* the header was last: it goes, the gap in the numbers remains */
	EXPECT_OK(abi_trigger_vevent(fd, idev));
	EXPECT_EQ(2 * (HDR + EVT), read(efd, rec, sizeof(rec)));
	EXPECT_EQ(0, rec[0].hdr.flags | rec[1].hdr.flags);
	EXPECT_EQ(seq + 10, rec[0].hdr.sequence);
	EXPECT_EQ(seq + 12, rec[1].hdr.sequence);

	abi_section("the fd holds the vEVENTQ");
	EXPECT_OK(abi_trigger_vevent(fd, idev));
	EXPECT_ERRNO(EBUSY, abi_destroy(fd, vq));
	EXPECT_OK(close(efd));
	EXPECT_OK(abi_destroy(fd, vq));
	EXPECT_ERRNO(EOPNOTSUPP, abi_trigger_vevent(fd, idev));
	/* the type is free again */
	EXPECT_OK(abi_veventq_alloc(fd, viommu, IOMMU_VEVENTQ_TYPE_SELFTEST, 1,
				    &vq, &efd));
	EXPECT_OK(abi_trigger_vevent(fd, idev));
	EXPECT_EQ(HDR + EVT, read(efd, rec, sizeof(rec)));
	EXPECT_EQ(0, rec[0].hdr.sequence);
	EXPECT_OK(close(efd));
	EXPECT_OK(abi_destroy(fd, vq));

	EXPECT_OK(abi_mock_replace(fd, stdev, ioas, NULL));
	EXPECT_OK(abi_destroy(fd, vdev));
	EXPECT_OK(abi_destroy(fd, nested));
	EXPECT_OK(abi_destroy(fd, viommu));
}

static void test_tombstone(void)
{
	uint32_t viommu, stdev2, idev2, vdev, vdev3, next, stdev3, idev3;

	abi_section("vDEVICE tombstone");
	ABI_ASSERT(!abi_viommu_alloc(fd, idev, parent,
				     IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0,
				     &viommu));
	ABI_ASSERT(!abi_mock_domain(fd, ioas, 0, &stdev2, NULL, &idev2));
	ABI_ASSERT(!abi_vdevice_alloc(fd, viommu, idev2, 0x42, &vdev));
	EXPECT_ERRNO(EBUSY, abi_destroy(fd, idev2));
	EXPECT_OK(abi_destroy(fd, stdev2));
	EXPECT_ERRNO(ENOENT, abi_destroy(fd, vdev));
	EXPECT_ERRNO(ENOENT, abi_destroy(fd, idev2));
	/* the ids freed by the device are reused, the tombstone's is not */
	next = abi_new_ioas(fd);
	EXPECT_TRUE(next != vdev);
	EXPECT_OK(abi_destroy(fd, next));
	ABI_ASSERT(!abi_mock_domain(fd, ioas, 0, &stdev3, NULL, &idev3));
	EXPECT_TRUE(stdev3 != vdev && idev3 != vdev);
	/* the virt_id went with it */
	EXPECT_OK(abi_vdevice_alloc(fd, viommu, idev3, 0x42, &vdev3));
	EXPECT_TRUE(vdev3 != vdev);
	/* the tombstone does not hold the vIOMMU */
	EXPECT_OK(abi_destroy(fd, vdev3));
	EXPECT_OK(abi_destroy(fd, viommu));
	/* and one left for the close: a tombstone and a live vDEVICE */
	ABI_ASSERT(!abi_viommu_alloc(fd, idev, parent,
				     IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0,
				     &viommu));
	ABI_ASSERT(!abi_vdevice_alloc(fd, viommu, idev3, 0x43, &vdev));
	EXPECT_OK(abi_destroy(fd, stdev3));
	EXPECT_ERRNO(ENOENT, abi_destroy(fd, vdev));
}

/* everything at once, alive when the context closes */
static void test_left_for_close(void)
{
	uint32_t viommu, nested, vdev, vq, fid, iopf;
	int efd, ffd;

	abi_section("vIOMMU objects alive at close");
	ABI_ASSERT(!abi_viommu_alloc(fd, idev, parent,
				     IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0,
				     &viommu));
	ABI_ASSERT(!abi_nested_alloc(fd, idev, viommu, 0, 0, &nested));
	ABI_ASSERT(!abi_fault_alloc(fd, &fid, &ffd));
	ABI_ASSERT(!abi_nested_alloc(fd, idev, viommu,
				     IOMMU_HWPT_FAULT_ID_VALID, fid, &iopf));
	ABI_ASSERT(!abi_vdevice_alloc(fd, viommu, idev, 0x99, &vdev));
	ABI_ASSERT(!abi_veventq_alloc(fd, viommu, IOMMU_VEVENTQ_TYPE_SELFTEST,
				      2, &vq, &efd));
	EXPECT_OK(abi_mock_replace(fd, stdev, iopf, NULL));
	EXPECT_OK(abi_trigger_vevent(fd, idev));
	EXPECT_OK(abi_trigger_vevent(fd, idev));
	EXPECT_OK(abi_trigger_vevent(fd, idev));
	EXPECT_OK(abi_trigger_iopf(fd, idev, 1, 1, IOMMU_PGFAULT_PERM_READ, 0));
	EXPECT_OK(close(ffd));
	close(fd);
	/* the queue's fd outlives the context */
	EXPECT_EQ(POLLIN, abi_poll_now(efd, POLLIN));
	EXPECT_OK(close(efd));
}

int main(void)
{
	uint32_t stdev2, idev2;

	fd = abi_open();
	ps = abi_page_size;
	ioas = abi_new_ioas(fd);
	ABI_ASSERT(!abi_mock_domain(fd, ioas, 0, &stdev, NULL, &idev));
	ABI_ASSERT(!abi_mock_domain(fd, ioas, 0, &stdev2, NULL, &idev2));
	parent = abi_new_nest_parent(fd, idev, ioas);

	test_viommu_alloc();
	test_viommu_mmap();
	test_vdevice_and_invalidate(idev2);
	test_veventq();
	test_tombstone();
	test_left_for_close();
	return abi_finish("viommu");
}
