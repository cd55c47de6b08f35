// SPDX-License-Identifier: MIT
/*
 * uiommufd-run --kernel=X.Y: the uAPI of an older release.
 *
 *   kernel_version RELEASE      RELEASE: X.Y as given to --kernel, or latest
 *
 * Run under `uiommufd-run --kernel=RELEASE --vfio-dev`. What each release
 * had is stated here on its own (the releases the ioctls, flags and struct
 * fields came in), and every check follows from it and the kernel's rules
 * for what it does not know: an ioctl number past its table is ENOTTY, an
 * unknown HWPT_ALLOC flag EOPNOTSUPP, non-zero bytes past its struct E2BIG,
 * and its answer is written only up to its struct's end. With RELEASE
 * "latest" the same program checks that nothing is refused.
 */
#include "abi.h"

#define KVER(major, minor) ((major) << 8 | (minor))
#define LATEST 0xffffu

static unsigned int release;

static int has(unsigned int since)
{
	return release >= since;
}

static unsigned int parse_release(const char *s)
{
	unsigned int major, minor;

	if (!strcmp(s, "latest"))
		return LATEST;
	if (sscanf(s, "%u.%u", &major, &minor) != 2) {
		fprintf(stderr, "usage: kernel_version X.Y|latest\n");
		exit(2);
	}
	return KVER(major, minor);
}

/* Each iommufd ioctl and the release it came in. */
static const struct {
	unsigned long cmd;
	const char *name;
	unsigned int since;
} ioctls[] = {
	{ IOMMU_DESTROY, "DESTROY", KVER(6, 2) },
	{ IOMMU_IOAS_ALLOC, "IOAS_ALLOC", KVER(6, 2) },
	{ IOMMU_IOAS_ALLOW_IOVAS, "IOAS_ALLOW_IOVAS", KVER(6, 2) },
	{ IOMMU_IOAS_COPY, "IOAS_COPY", KVER(6, 2) },
	{ IOMMU_IOAS_IOVA_RANGES, "IOAS_IOVA_RANGES", KVER(6, 2) },
	{ IOMMU_IOAS_MAP, "IOAS_MAP", KVER(6, 2) },
	{ IOMMU_IOAS_UNMAP, "IOAS_UNMAP", KVER(6, 2) },
	{ IOMMU_OPTION, "OPTION", KVER(6, 2) },
	{ IOMMU_VFIO_IOAS, "VFIO_IOAS", KVER(6, 2) },
	{ IOMMU_HWPT_ALLOC, "HWPT_ALLOC", KVER(6, 6) },
	{ IOMMU_GET_HW_INFO, "GET_HW_INFO", KVER(6, 6) },
	{ IOMMU_HWPT_SET_DIRTY_TRACKING, "HWPT_SET_DIRTY_TRACKING", KVER(6, 7) },
	{ IOMMU_HWPT_GET_DIRTY_BITMAP, "HWPT_GET_DIRTY_BITMAP", KVER(6, 7) },
	{ IOMMU_HWPT_INVALIDATE, "HWPT_INVALIDATE", KVER(6, 8) },
	{ IOMMU_FAULT_QUEUE_ALLOC, "FAULT_QUEUE_ALLOC", KVER(6, 11) },
	{ IOMMU_IOAS_MAP_FILE, "IOAS_MAP_FILE", KVER(6, 13) },
	{ IOMMU_IOAS_CHANGE_PROCESS, "IOAS_CHANGE_PROCESS", KVER(6, 13) },
	{ IOMMU_VIOMMU_ALLOC, "VIOMMU_ALLOC", KVER(6, 13) },
	{ IOMMU_VDEVICE_ALLOC, "VDEVICE_ALLOC", KVER(6, 13) },
	{ IOMMU_VEVENTQ_ALLOC, "VEVENTQ_ALLOC", KVER(6, 15) },
	{ IOMMU_HW_QUEUE_ALLOC, "HW_QUEUE_ALLOC", KVER(6, 17) },
};

/*
 * A size of 0 is below every ioctl's minimum: EINVAL where the release has
 * the ioctl, ENOTTY where it does not.
 */
static void check_ioctls(int fd)
{
	uint32_t buf[32] = { 0 };
	size_t i;

	for (i = 0; i < ABI_ARRAY_SIZE(ioctls); i++) {
		abi_section("%s", ioctls[i].name);
		EXPECT_ERRNO(has(ioctls[i].since) ? EINVAL : ENOTTY,
			     ioctl(fd, ioctls[i].cmd, buf));
	}
}

static int hwpt_alloc_sized(int fd, uint32_t size, uint32_t flags,
			    uint32_t dev, uint32_t pt, uint32_t fault_id,
			    uint32_t data_type)
{
	static const uint32_t data[4];
	struct iommu_hwpt_alloc cmd = {
		.size = size,
		.flags = flags,
		.dev_id = dev,
		.pt_id = pt,
		.data_type = data_type,
		.data_len = data_type ? sizeof(data) : 0,
		.data_uptr = data_type ? (uintptr_t)data : 0,
		.fault_id = fault_id,
	};
	int rc = ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc)
		abi_destroy(fd, cmd.out_hwpt_id);
	return rc;
}

static void check_hwpt_alloc(int fd, uint32_t ioas, uint32_t idev)
{
	const uint32_t v1 = offsetofend(struct iommu_hwpt_alloc, __reserved);
	const uint32_t v2 = offsetofend(struct iommu_hwpt_alloc, data_uptr);
	const uint32_t v3 = sizeof(struct iommu_hwpt_alloc);
	int fault_fd = -1;
	uint32_t fault_id = 0;

	if (!has(KVER(6, 6)))
		return;
	abi_section("HWPT_ALLOC as %s", release == LATEST ? "latest" : "X.Y");
	/* the first struct, no flags: every release */
	EXPECT_OK(hwpt_alloc_sized(fd, v1, 0, idev, ioas, 0, 0));
	/* flags of 6.7 */
	EXPECT_ERRNO(has(KVER(6, 7)) ? 0 : EOPNOTSUPP,
		     hwpt_alloc_sized(fd, v1, IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
				      idev, ioas, 0, 0));
	EXPECT_ERRNO(has(KVER(6, 7)) ? 0 : EOPNOTSUPP,
		     hwpt_alloc_sized(fd, v1, IOMMU_HWPT_ALLOC_NEST_PARENT,
				      idev, ioas, 0, 0));
	/* data_type past 6.6's struct: E2BIG there. The selftest's type
	 * needs a parent, so with an IOAS it is EINVAL where it exists. */
	EXPECT_ERRNO(has(KVER(6, 7)) ? EINVAL : E2BIG,
		     hwpt_alloc_sized(fd, v2, 0, idev, ioas, 0,
				      IOMMU_HWPT_DATA_SELFTEST));
	/* fault_id past 6.7-6.10's struct */
	if (has(KVER(6, 11)))
		EXPECT_OK(abi_fault_alloc(fd, &fault_id, &fault_fd));
	else
		fault_id = 1;
	EXPECT_ERRNO(has(KVER(6, 11)) ? 0 : E2BIG,
		     hwpt_alloc_sized(fd, v3, IOMMU_HWPT_FAULT_ID_VALID, idev,
				      ioas, fault_id, 0));
	/* the flag itself in a struct that ends before fault_id */
	EXPECT_ERRNO(has(KVER(6, 11)) ? ENOENT : EOPNOTSUPP,
		     hwpt_alloc_sized(fd, v2, IOMMU_HWPT_FAULT_ID_VALID, idev,
				      ioas, 0, 0));
	if (fault_fd >= 0) {
		close(fault_fd);
		abi_destroy(fd, fault_id);
	}
	/* PASID-capable domains came in 6.15 */
	EXPECT_ERRNO(has(KVER(6, 15)) ? 0 : EOPNOTSUPP,
		     hwpt_alloc_sized(fd, v3, IOMMU_HWPT_ALLOC_PASID, idev,
				      ioas, 0, 0));
}

static void check_hw_info(int fd, uint32_t idev)
{
	const uint64_t sentinel = 0x5a5a5a5a5a5a5a5aULL;
	uint8_t data[256];
	struct iommu_hw_info info = {
		.size = sizeof(info),
		.dev_id = idev,
		.data_len = sizeof(data),
		.data_uptr = (uintptr_t)data,
		.out_capabilities = sentinel,
	};

	if (!has(KVER(6, 6)))
		return;
	abi_section("GET_HW_INFO");
	/* out_capabilities came in 6.7: never written before; the struct
	 * was 32 bytes, so the sentinel past them is E2BIG going in */
	if (!has(KVER(6, 7))) {
		EXPECT_ERRNO(E2BIG, ioctl(fd, IOMMU_GET_HW_INFO, &info));
		info.out_capabilities = 0;
		EXPECT_OK(ioctl(fd, IOMMU_GET_HW_INFO, &info));
		info.out_capabilities = sentinel;
		info.size = offsetofend(struct iommu_hw_info, __reserved);
		EXPECT_OK(ioctl(fd, IOMMU_GET_HW_INFO, &info));
		EXPECT_EQ(sentinel, info.out_capabilities);
	} else {
		EXPECT_OK(ioctl(fd, IOMMU_GET_HW_INFO, &info));
		EXPECT_TRUE(info.out_capabilities != sentinel);
	}
	/* a PASID-capable device's width: reported from 6.15 */
	EXPECT_EQ(has(KVER(6, 15)) ? 20 : 0, info.out_max_pasid_log2);
	/* an input type needs 6.17's flag */
	info.flags = IOMMU_HW_INFO_FLAG_INPUT_TYPE;
	info.in_data_type = IOMMU_HW_INFO_TYPE_DEFAULT;
	EXPECT_ERRNO(has(KVER(6, 17)) ? 0 : EOPNOTSUPP,
		     ioctl(fd, IOMMU_GET_HW_INFO, &info));
}

static void check_vfio_cdev(void)
{
	int dfd;

	abi_section("VFIO device cdev");
	EXPECT_ERRNO(has(KVER(6, 6)) ? 0 : ENOENT,
		     dfd = open("/dev/vfio/devices/vfio0", O_RDWR | O_CLOEXEC));
	if (dfd >= 0)
		close(dfd);
}

int main(int argc, char **argv)
{
	uint32_t ioas, stdev, hwpt, idev;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: kernel_version X.Y|latest\n");
		return 2;
	}
	release = parse_release(argv[1]);
	fd = abi_open();
	check_ioctls(fd);

	ioas = abi_new_ioas(fd);
	ABI_ASSERT(!abi_mock_domain(fd, ioas, MOCK_FLAGS_DEVICE_PASID, &stdev,
				    &hwpt, &idev));
	check_hwpt_alloc(fd, ioas, idev);
	check_hw_info(fd, idev);
	check_vfio_cdev();
	abi_destroy(fd, stdev);
	abi_destroy(fd, ioas);
	close(fd);
	return abi_finish("kernel_version");
}
