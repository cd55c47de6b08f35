/* SPDX-License-Identifier: MIT */
/*
 * ABI: the VFIO device cdev, /dev/vfio/devices/vfioN.
 *
 * Run as `uiommufd-run --vfio-dev=vtd,pasid=20 --vfio-dev=vtd -- abi_vfio_cdev`
 * (meson does): vfio0 is a VT-d device with 20 PASID bits, vfio1 one
 * without PASID. Kernel reference (drivers/vfio/vfio_main.c, device_cdev.c,
 * iommufd.c, vfio_pci_core.c; drivers/iommu/iommufd/main.c):
 *  - the open of a cdev succeeds however often; until BIND_IOMMUFD the fd
 *    refuses every other ioctl, and read/write, with EINVAL;
 *  - BIND_IOMMUFD: argsz read (EFAULT), argsz < 16 EINVAL, the struct
 *    copied by the extensible rules up to token_uuid_ptr (a non-zero tail
 *    E2BIG), iommufd < 0 or flags other than TOKEN EINVAL, this fd bound
 *    already EINVAL, a token for a device that is neither PF nor VF
 *    (vfio-pci reads it first: EFAULT) EINVAL, the iommufd: not an open fd
 *    EBADF, not an iommufd EBADFD, the device bound through another fd
 *    EINVAL (one cdev open at a time), out_devid written back (EFAULT
 *    undoes the bind);
 *  - ATTACH_IOMMUFD_PT: 12 bytes read, argsz < 12 or flags other than PASID
 *    EINVAL, with PASID argsz < 16 EINVAL; a PASID past INT_MAX ENOSPC (the
 *    IDA); pt_id an IOAS (the automatic HWPT's id comes back) or a HWPT
 *    (ENOENT, EINVAL for another object); attaching again replaces;
 *  - DETACH_IOMMUFD_PT: 8 bytes read, argsz < 8 or flags other than PASID
 *    EINVAL, with PASID argsz < 12 EINVAL; what is not attached detaches
 *    successfully;
 *  - GET_INFO (vfio-pci): argsz < 16 EINVAL, 16 bytes written back;
 *    GET_REGION_INFO, GET_IRQ_INFO of an index the device lacks, and RESET
 *    of a device without reset EINVAL; FEATURE checks argsz and flags
 *    (EINVAL) and answers ENOTTY for a feature the device lacks; any other
 *    ioctl ENOTTY;
 *  - closing the bound fd detaches everything and unbinds (the DEVICE
 *    object is gone, the IOAS can be destroyed); the device holds the
 *    iommufd context, which outlives the close of its fd.
 */
#include "abi.h"

#include <linux/vfio.h>
#include <linux/vfio_iommufd.h>
#include <limits.h>

#define CDEV0 "/dev/vfio/devices/vfio0"
#define CDEV1 "/dev/vfio/devices/vfio1"

static int open_cdev(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT) {
		printf("SKIP: open(%s): ENOENT (run under build/uiommufd-run "
		       "--vfio-dev=vtd,pasid=20 --vfio-dev=vtd)\n",
		       path);
		exit(ABI_SKIP);
	}
	ABI_ASSERT(fd >= 0);
	return fd;
}

static int cdev_bind(int dfd, int iommufd, uint32_t *devid)
{
	struct vfio_device_bind_iommufd b = {
		.argsz = sizeof(b),
		.iommufd = iommufd,
	};
	int rc = ioctl(dfd, VFIO_DEVICE_BIND_IOMMUFD, &b);

	if (!rc && devid)
		*devid = b.out_devid;
	return rc;
}

static int attach(int dfd, uint32_t flags, uint32_t pasid, uint32_t *pt_id)
{
	struct vfio_device_attach_iommufd_pt a = {
		.argsz = sizeof(a),
		.flags = flags,
		.pt_id = *pt_id,
		.pasid = pasid,
	};
	int rc = ioctl(dfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a);

	if (!rc)
		*pt_id = a.pt_id;
	return rc;
}

static int detach(int dfd, uint32_t flags, uint32_t pasid)
{
	struct vfio_device_detach_iommufd_pt d = {
		.argsz = sizeof(d),
		.flags = flags,
		.pasid = pasid,
	};

	return ioctl(dfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d);
}

static int hw_info(int fd, uint32_t devid, uint32_t *type)
{
	struct iommu_hw_info cmd = { .size = sizeof(cmd), .dev_id = devid };
	int rc = ioctl(fd, IOMMU_GET_HW_INFO, &cmd);

	if (!rc && type)
		*type = cmd.out_data_type;
	return rc;
}

static int hwpt_alloc(int fd, uint32_t devid, uint32_t pt_id, uint32_t flags,
		      uint32_t *out)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = devid,
		.pt_id = pt_id,
	};
	int rc = ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc)
		*out = cmd.out_hwpt_id;
	return rc;
}

static void check_open(void)
{
	abi_section("open");
	EXPECT_ERRNO(ENOTDIR, open(CDEV0, O_RDWR | O_DIRECTORY));
	EXPECT_ERRNO(EEXIST, open(CDEV0, O_RDWR | O_CREAT | O_EXCL, 0600));
	/* a device number that is not configured is not served */
	EXPECT_ERRNO(ENOENT, open("/dev/vfio/devices/vfio7", O_RDWR));
	EXPECT_ERRNO(ENOENT, open("/dev/vfio/devices/vfio00", O_RDWR));
}

static void check_unbound(int dfd)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	uint32_t pt = 1;
	char c;

	abi_section("not bound yet");
	EXPECT_ERRNO(EINVAL, attach(dfd, 0, 0, &pt));
	EXPECT_ERRNO(EINVAL, detach(dfd, 0, 0));
	EXPECT_ERRNO(EINVAL, ioctl(dfd, VFIO_DEVICE_GET_INFO, &info));
	EXPECT_ERRNO(EINVAL, ioctl(dfd, VFIO_DEVICE_RESET));
	EXPECT_ERRNO(EINVAL, ioctl(dfd, VFIO_GET_API_VERSION));
	EXPECT_ERRNO(EINVAL, read(dfd, &c, 1));
	EXPECT_ERRNO(EINVAL, write(dfd, &c, 1));
}

static void check_bind_args(int dfd, int iommufd)
{
	struct vfio_device_bind_iommufd *edge;
	unsigned char big[64] = { 0 };
	struct vfio_device_bind_iommufd *b = (void *)big;
	uint8_t uuid[16] = { 1 };
	int nullfd = open("/dev/null", O_RDWR);

	abi_section("BIND_IOMMUFD arguments");
	ABI_ASSERT(nullfd >= 0);
	EXPECT_ERRNO(EFAULT, ioctl(dfd, VFIO_DEVICE_BIND_IOMMUFD, NULL));
	edge = abi_at_page_end(8); /* argsz readable, the rest is not */
	memset(edge, 0, 8);
	edge->argsz = sizeof(*b);
	EXPECT_ERRNO(EFAULT, ioctl(dfd, VFIO_DEVICE_BIND_IOMMUFD, edge));

	b->iommufd = iommufd;
	b->argsz = 15;
	EXPECT_ERRNO(EINVAL, ioctl(dfd, VFIO_DEVICE_BIND_IOMMUFD, b));
	b->argsz = sizeof(big);
	big[40] = 1;
	EXPECT_ERRNO(E2BIG, ioctl(dfd, VFIO_DEVICE_BIND_IOMMUFD, b));
	big[40] = 0;
	b->flags = 2;
	EXPECT_ERRNO(EINVAL, ioctl(dfd, VFIO_DEVICE_BIND_IOMMUFD, b));
	b->flags = 0;
	b->iommufd = -1;
	EXPECT_ERRNO(EINVAL, ioctl(dfd, VFIO_DEVICE_BIND_IOMMUFD, b));
	b->iommufd = 1000;
	EXPECT_ERRNO(EBADF, ioctl(dfd, VFIO_DEVICE_BIND_IOMMUFD, b));
	b->iommufd = nullfd;
	EXPECT_ERRNO(EBADFD, ioctl(dfd, VFIO_DEVICE_BIND_IOMMUFD, b));
	b->iommufd = dfd; /* a VFIO device is no iommufd either */
	EXPECT_ERRNO(EBADFD, ioctl(dfd, VFIO_DEVICE_BIND_IOMMUFD, b));
	b->iommufd = iommufd;
	b->flags = VFIO_DEVICE_BIND_FLAG_TOKEN;
	b->token_uuid_ptr = 8;
	EXPECT_ERRNO(EFAULT, ioctl(dfd, VFIO_DEVICE_BIND_IOMMUFD, b));
	b->token_uuid_ptr = (uintptr_t)uuid;
	EXPECT_ERRNO(EINVAL, ioctl(dfd, VFIO_DEVICE_BIND_IOMMUFD, b));
	b->flags = 0;

	/* out_devid cannot be written: the bind is undone */
	edge = abi_pages(1);
	memset(edge, 0, sizeof(*edge));
	edge->argsz = 16;
	edge->iommufd = iommufd;
	ABI_ASSERT(mprotect(edge, abi_page_size, PROT_READ) == 0);
	EXPECT_ERRNO(EFAULT, ioctl(dfd, VFIO_DEVICE_BIND_IOMMUFD, edge));
	munmap(edge, abi_page_size);
	close(nullfd);
	EXPECT_ERRNO(EINVAL, detach(dfd, 0, 0)); /* still not bound */
}

static void check_bind(int iommufd)
{
	int d0 = open_cdev(CDEV0), d0b = open_cdev(CDEV0), d1 = open_cdev(CDEV1);
	struct vfio_device_bind_iommufd b16 = { .argsz = 16 };
	uint32_t devid = 0, devid1 = 0, type = 0, hwpt;
	uint32_t ioas = abi_new_ioas(iommufd);

	check_unbound(d0);
	check_bind_args(d0, iommufd);

	abi_section("BIND_IOMMUFD");
	EXPECT_OK(cdev_bind(d0, iommufd, &devid));
	EXPECT_TRUE(devid != 0 && devid != ioas);
	EXPECT_OK(hw_info(iommufd, devid, &type));
	EXPECT_EQ(IOMMU_HW_INFO_TYPE_INTEL_VTD, type);
	EXPECT_ERRNO(EINVAL, cdev_bind(d0, iommufd, NULL)); /* this fd again */
	EXPECT_ERRNO(EINVAL, cdev_bind(d0b, iommufd, NULL)); /* another fd */
	/* the 16-byte struct of the first ABI version */
	b16.iommufd = iommufd;
	EXPECT_OK(ioctl(d1, VFIO_DEVICE_BIND_IOMMUFD, &b16));
	devid1 = b16.out_devid;
	EXPECT_TRUE(devid1 && devid1 != devid);
	/* the DEVICE object is the cdev's: DESTROY of it is refused */
	EXPECT_ERRNO(EBUSY, abi_destroy(iommufd, devid));

	abi_section("closing the bound fd unbinds");
	hwpt = ioas;
	EXPECT_OK(attach(d0, 0, 0, &hwpt));
	EXPECT_TRUE(hwpt != ioas);
	EXPECT_ERRNO(EBUSY, abi_destroy(iommufd, ioas));
	close(d0);
	EXPECT_ERRNO(ENOENT, hw_info(iommufd, devid, NULL));
	EXPECT_ERRNO(ENOENT, abi_destroy(iommufd, hwpt)); /* auto HWPT gone */
	/* the other fd of vfio0 may bind now */
	EXPECT_OK(cdev_bind(d0b, iommufd, &devid));
	EXPECT_OK(hw_info(iommufd, devid, NULL));

	abi_section("a dup of the bound fd keeps it bound");
	d0 = dup(d0b);
	ABI_ASSERT(d0 >= 0);
	close(d0b);
	EXPECT_OK(hw_info(iommufd, devid, NULL));
	close(d0);
	EXPECT_ERRNO(ENOENT, hw_info(iommufd, devid, NULL));

	close(d1);
	EXPECT_ERRNO(ENOENT, hw_info(iommufd, devid1, NULL));
	EXPECT_OK(abi_destroy(iommufd, ioas));
}

static void check_attach(int iommufd)
{
	int d0 = open_cdev(CDEV0), d1 = open_cdev(CDEV1);
	uint32_t ioas = abi_new_ioas(iommufd), ioas2 = abi_new_ioas(iommufd);
	struct vfio_device_attach_iommufd_pt *ro;
	struct vfio_device_attach_iommufd_pt a = { 0 };
	uint32_t devid, devid1, pt, auto_hwpt, hwpt = 0, pasid_hwpt, rid_hwpt;

	ABI_ASSERT(cdev_bind(d0, iommufd, &devid) == 0);
	ABI_ASSERT(cdev_bind(d1, iommufd, &devid1) == 0);

	abi_section("ATTACH_IOMMUFD_PT arguments");
	EXPECT_ERRNO(EFAULT, ioctl(d0, VFIO_DEVICE_ATTACH_IOMMUFD_PT, NULL));
	a.argsz = 11;
	a.pt_id = ioas;
	EXPECT_ERRNO(EINVAL, ioctl(d0, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a));
	a.argsz = sizeof(a);
	a.flags = 2;
	EXPECT_ERRNO(EINVAL, ioctl(d0, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a));
	a.flags = VFIO_DEVICE_ATTACH_PASID;
	a.argsz = 12;
	EXPECT_ERRNO(EINVAL, ioctl(d0, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a));
	pt = ioas;
	EXPECT_ERRNO(ENOSPC, attach(d0, VFIO_DEVICE_ATTACH_PASID,
				    (uint32_t)INT_MAX + 1, &pt));
	EXPECT_ERRNO(ENOSPC, attach(d0, VFIO_DEVICE_ATTACH_PASID, 0xffffffff,
				    &pt));
	pt = 9999;
	EXPECT_ERRNO(ENOENT, attach(d0, 0, 0, &pt));
	pt = devid;
	EXPECT_ERRNO(EINVAL, attach(d0, 0, 0, &pt));

	abi_section("ATTACH_IOMMUFD_PT to an IOAS, then replace");
	/* without PASID flag the pasid field is ignored */
	pt = ioas;
	EXPECT_OK(attach(d0, 0, 77, &pt));
	auto_hwpt = pt;
	EXPECT_TRUE(auto_hwpt != ioas && auto_hwpt != devid);
	/* again, to the same IOAS: the same automatic HWPT */
	pt = ioas;
	EXPECT_OK(attach(d0, 0, 0, &pt));
	EXPECT_EQ(auto_hwpt, pt);
	/* replace with a HWPT of our own on another IOAS */
	EXPECT_OK(hwpt_alloc(iommufd, devid, ioas2, 0, &hwpt));
	pt = hwpt;
	EXPECT_OK(attach(d0, 0, 0, &pt));
	EXPECT_EQ(hwpt, pt);
	EXPECT_ERRNO(ENOENT, abi_destroy(iommufd, auto_hwpt));
	EXPECT_ERRNO(EBUSY, abi_destroy(iommufd, hwpt));
	EXPECT_OK(abi_destroy(iommufd, ioas)); /* nothing holds it now */
	ioas = abi_new_ioas(iommufd);

	abi_section("ATTACH_IOMMUFD_PT with PASID");
	/* an IOAS's automatic HWPT is never PASID-compatible */
	pt = ioas2;
	EXPECT_ERRNO(EINVAL, attach(d0, VFIO_DEVICE_ATTACH_PASID, 5, &pt));
	EXPECT_OK(hwpt_alloc(iommufd, devid, ioas2, IOMMU_HWPT_ALLOC_PASID,
			     &pasid_hwpt));
	/* nor may the RID sit on a HWPT made without the flag */
	pt = pasid_hwpt;
	EXPECT_ERRNO(EINVAL, attach(d0, VFIO_DEVICE_ATTACH_PASID, 5, &pt));
	EXPECT_OK(hwpt_alloc(iommufd, devid, ioas, IOMMU_HWPT_ALLOC_PASID,
			     &rid_hwpt));
	pt = rid_hwpt;
	EXPECT_OK(attach(d0, 0, 0, &pt));
	pt = pasid_hwpt;
	EXPECT_OK(attach(d0, VFIO_DEVICE_ATTACH_PASID, 5, &pt));
	EXPECT_EQ(pasid_hwpt, pt);
	pt = rid_hwpt;
	EXPECT_OK(attach(d0, VFIO_DEVICE_ATTACH_PASID, 5, &pt)); /* replace */
	EXPECT_EQ(rid_hwpt, pt);
	/* the RID cannot leave for an incompatible HWPT meanwhile */
	pt = hwpt;
	EXPECT_ERRNO(EINVAL, attach(d0, 0, 0, &pt));
	pt = pasid_hwpt;
	EXPECT_ERRNO(EINVAL, attach(d0, VFIO_DEVICE_ATTACH_PASID, 1u << 20,
				    &pt));
	pt = ioas;
	EXPECT_ERRNO(EINVAL, attach(d1, VFIO_DEVICE_ATTACH_PASID, 1, &pt));

	abi_section("ATTACH_IOMMUFD_PT cannot write pt_id back");
	ro = abi_pages(1);
	memset(ro, 0, sizeof(*ro));
	ro->argsz = sizeof(*ro);
	ro->pt_id = ioas;
	ABI_ASSERT(mprotect(ro, abi_page_size, PROT_READ) == 0);
	EXPECT_ERRNO(EFAULT, ioctl(d1, VFIO_DEVICE_ATTACH_IOMMUFD_PT, ro));
	munmap(ro, abi_page_size);
	pt = ioas;
	EXPECT_OK(attach(d1, 0, 0, &pt)); /* the failed one was undone */
	EXPECT_OK(detach(d1, 0, 0));

	abi_section("DETACH_IOMMUFD_PT");
	{
		struct vfio_device_detach_iommufd_pt d = { .argsz = 7 };

		EXPECT_ERRNO(EFAULT,
			     ioctl(d0, VFIO_DEVICE_DETACH_IOMMUFD_PT, NULL));
		EXPECT_ERRNO(EINVAL,
			     ioctl(d0, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d));
		d.argsz = sizeof(d);
		d.flags = 2;
		EXPECT_ERRNO(EINVAL,
			     ioctl(d0, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d));
		d.flags = VFIO_DEVICE_DETACH_PASID;
		d.argsz = 8;
		EXPECT_ERRNO(EINVAL,
			     ioctl(d0, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d));
	}
	/* not attached: success, nothing changes */
	EXPECT_OK(detach(d0, VFIO_DEVICE_DETACH_PASID, 6));
	EXPECT_OK(detach(d0, VFIO_DEVICE_DETACH_PASID, 0xffffffff));
	EXPECT_OK(detach(d1, 0, 0));
	EXPECT_OK(abi_destroy(iommufd, hwpt));
	EXPECT_ERRNO(EBUSY, abi_destroy(iommufd, rid_hwpt));
	EXPECT_OK(detach(d0, 0, 0));
	EXPECT_OK(detach(d0, 0, 0));
	/* the PASID stays attached after the RID is detached */
	EXPECT_ERRNO(EBUSY, abi_destroy(iommufd, rid_hwpt));
	EXPECT_OK(detach(d0, VFIO_DEVICE_DETACH_PASID, 5));
	EXPECT_OK(abi_destroy(iommufd, rid_hwpt));

	abi_section("closing detaches every PASID and the RID");
	pt = pasid_hwpt;
	EXPECT_OK(attach(d0, 0, 0, &pt));
	EXPECT_OK(attach(d0, VFIO_DEVICE_ATTACH_PASID, 3, &pt));
	EXPECT_OK(attach(d0, VFIO_DEVICE_ATTACH_PASID, 4, &pt));
	EXPECT_ERRNO(EBUSY, abi_destroy(iommufd, pasid_hwpt));
	EXPECT_ERRNO(EBUSY, abi_destroy(iommufd, ioas2));
	close(d0);
	EXPECT_OK(abi_destroy(iommufd, pasid_hwpt));
	EXPECT_OK(abi_destroy(iommufd, ioas));
	EXPECT_OK(abi_destroy(iommufd, ioas2));
	close(d1);
}

static void check_queries(int iommufd)
{
	int d0 = open_cdev(CDEV0);
	unsigned char buf[64];
	struct vfio_device_info *info = (void *)buf;
	struct vfio_region_info region = { .argsz = sizeof(region) };
	struct vfio_irq_info irq = { .argsz = sizeof(irq) };
	struct vfio_device_feature feature = { .argsz = sizeof(feature) };

	ABI_ASSERT(cdev_bind(d0, iommufd, NULL) == 0);

	abi_section("GET_INFO");
	memset(buf, 0xa5, sizeof(buf));
	info->argsz = 15;
	EXPECT_ERRNO(EINVAL, ioctl(d0, VFIO_DEVICE_GET_INFO, info));
	EXPECT_ERRNO(EFAULT, ioctl(d0, VFIO_DEVICE_GET_INFO, NULL));
	info->argsz = 16;
	EXPECT_OK(ioctl(d0, VFIO_DEVICE_GET_INFO, info));
	EXPECT_EQ(16, info->argsz);
	EXPECT_EQ(VFIO_DEVICE_FLAGS_PCI, info->flags);
	EXPECT_EQ(0, info->num_regions);
	EXPECT_EQ(0, info->num_irqs);
	EXPECT_EQ(0xa5a5a5a5, info->cap_offset); /* 16 bytes written */
	info->argsz = sizeof(buf);
	EXPECT_OK(ioctl(d0, VFIO_DEVICE_GET_INFO, info));
	EXPECT_EQ(sizeof(buf), info->argsz);
	EXPECT_EQ(0xa5a5a5a5, info->cap_offset);

	abi_section("regions, IRQs, reset, features");
	EXPECT_ERRNO(EINVAL, ioctl(d0, VFIO_DEVICE_GET_REGION_INFO, &region));
	region.argsz = 31;
	EXPECT_ERRNO(EINVAL, ioctl(d0, VFIO_DEVICE_GET_REGION_INFO, &region));
	EXPECT_ERRNO(EINVAL, ioctl(d0, VFIO_DEVICE_GET_IRQ_INFO, &irq));
	EXPECT_ERRNO(EINVAL, ioctl(d0, VFIO_DEVICE_RESET));
	feature.argsz = 7;
	EXPECT_ERRNO(EINVAL, ioctl(d0, VFIO_DEVICE_FEATURE, &feature));
	feature.argsz = sizeof(feature);
	feature.flags = 1u << 20;
	EXPECT_ERRNO(EINVAL, ioctl(d0, VFIO_DEVICE_FEATURE, &feature));
	feature.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET | 1;
	EXPECT_ERRNO(EINVAL, ioctl(d0, VFIO_DEVICE_FEATURE, &feature));
	feature.flags = VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET | 1;
	EXPECT_ERRNO(ENOTTY, ioctl(d0, VFIO_DEVICE_FEATURE, &feature));

	abi_section("other ioctls");
	EXPECT_ERRNO(ENOTTY, ioctl(d0, VFIO_GET_API_VERSION));
	EXPECT_ERRNO(ENOTTY, ioctl(d0, IOMMU_IOAS_ALLOC, buf));
	/* and a device ioctl on the iommufd is no container ioctl */
	EXPECT_ERRNO(ENOTTY, ioctl(iommufd, VFIO_DEVICE_GET_INFO, info));
	close(d0);
}

/* The device holds its iommufd: the context outlives the close of its fd. */
static void check_ctx_lifetime(void)
{
	int fd = abi_open(), d0 = open_cdev(CDEV0);
	uint32_t ioas = abi_new_ioas(fd), pt = ioas;

	abi_section("the device holds the iommufd context");
	ABI_ASSERT(cdev_bind(d0, fd, NULL) == 0);
	close(fd);
	EXPECT_OK(attach(d0, 0, 0, &pt));
	EXPECT_OK(detach(d0, 0, 0));
	pt = ioas;
	EXPECT_OK(attach(d0, 0, 0, &pt));
	close(d0); /* the last reference: the context goes */
}

int main(void)
{
	int fd = abi_open();
	int probe = open(CDEV0, O_RDWR);

	if (probe < 0) {
		printf("SKIP: no %s (run with --vfio-dev)\n", CDEV0);
		return ABI_SKIP;
	}
	close(probe);
	check_open();
	check_bind(fd);
	check_attach(fd);
	check_queries(fd);
	check_ctx_lifetime();
	close(fd);
	return abi_finish("abi_vfio_cdev");
}
