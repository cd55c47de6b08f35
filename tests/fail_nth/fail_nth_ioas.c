/* SPDX-License-Identifier: MIT */
/*
 * fail-nth sweep over the IOAS scenarios: for N = 1, 2, ... arm the N-th
 * failure point, run a scenario through the in-process API, and check that
 * (a) nothing crashed, (b) the context is still consistent: every object the
 * scenario left can be destroyed, a fresh IOAS maps and unmaps, and (c) the
 * close frees everything (LeakSanitizer checks at exit in the ASan build).
 * The sweep of a scenario ends at the first N whose run never reached the
 * armed point. Run as a plain program: exit 0 pass, 1 fail.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>
#include <linux/vfio.h>

#include "uiommufd/uiommufd.h"

#define MAX_N 10000

static char *buf;
static size_t buf_len = 64 * 4096;
static int memfd;

static uint32_t ioas_alloc(int fd)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	if (uiommufd_ioctl(fd, IOMMU_IOAS_ALLOC, &cmd))
		return 0;
	return cmd.out_ioas_id;
}

static long map_at(int fd, uint32_t ioas, void *va, uint64_t len,
		   uint64_t iova, bool fixed)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE |
			 (fixed ? IOMMU_IOAS_MAP_FIXED_IOVA : 0),
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};

	return uiommufd_ioctl(fd, IOMMU_IOAS_MAP, &cmd);
}

static void scenario_map_copy_unmap(int fd)
{
	uint32_t a = ioas_alloc(fd), b = ioas_alloc(fd);
	struct iommu_ioas_copy copy = {
		.size = sizeof(copy),
		.flags = IOMMU_IOAS_MAP_READABLE,
		.dst_ioas_id = b,
		.src_ioas_id = a,
		.length = 8 * 4096,
		.src_iova = 0x100000,
	};
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap),
		.ioas_id = a,
		.iova = 0x100000,
		.length = 4096,
	};
	struct iommu_destroy destroy = { .size = sizeof(destroy), .id = a };

	map_at(fd, a, buf, 4 * 4096, 0x100000, true);
	map_at(fd, a, buf + 4 * 4096, 4 * 4096, 0x104000, true);
	map_at(fd, a, buf, 16 * 4096, 0, false);
	uiommufd_ioctl(fd, IOMMU_IOAS_COPY, &copy);
	uiommufd_ioctl(fd, IOMMU_IOAS_UNMAP, &unmap);
	unmap.length = 8 * 4096;
	uiommufd_ioctl(fd, IOMMU_IOAS_UNMAP, &unmap);
	uiommufd_ioctl(fd, IOMMU_DESTROY, &destroy);
}

static void scenario_map_file_and_destroy(int fd)
{
	uint32_t a = ioas_alloc(fd);
	struct iommu_ioas_map_file cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = a,
		.fd = memfd,
		.start = 4096,
		.length = 8 * 4096,
	};
	struct iommu_destroy destroy = { .size = sizeof(destroy), .id = a };

	uiommufd_ioctl(fd, IOMMU_IOAS_MAP_FILE, &cmd);
	uiommufd_ioctl(fd, IOMMU_IOAS_MAP_FILE, &cmd);
	/* destroy with maps still in place */
	uiommufd_ioctl(fd, IOMMU_DESTROY, &destroy);
}

static void scenario_ranges(int fd)
{
	uint32_t a = ioas_alloc(fd);
	struct iommu_iova_range ranges[4] = {
		{ .start = 0x10000, .last = 0x1fffff },
		{ .start = 0x400000, .last = 0x4fffff },
	};
	struct iommu_ioas_allow_iovas allow = {
		.size = sizeof(allow),
		.ioas_id = a,
		.num_iovas = 2,
		.allowed_iovas = (uintptr_t)ranges,
	};
	struct iommu_ioas_iova_ranges get = {
		.size = sizeof(get),
		.ioas_id = a,
		.num_iovas = 4,
		.allowed_iovas = (uintptr_t)ranges,
	};
	struct iommu_test_cmd test = {
		.size = sizeof(test),
		.op = IOMMU_TEST_OP_ADD_RESERVED,
		.id = a,
		.add_reserved = { .start = 0x800000, .length = 0x1000 },
	};
	struct iommu_option opt = {
		.size = sizeof(opt),
		.option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_SET,
		.object_id = a,
	};
	struct iommu_vfio_ioas vfio = {
		.size = sizeof(vfio),
		.ioas_id = a,
		.op = IOMMU_VFIO_IOAS_SET,
	};

	uiommufd_ioctl(fd, IOMMU_IOAS_ALLOW_IOVAS, &allow);
	uiommufd_ioctl(fd, IOMMU_TEST_CMD, &test);
	uiommufd_ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &get);
	map_at(fd, a, buf, 4096, 0, false);
	uiommufd_ioctl(fd, IOMMU_OPTION, &opt);
	uiommufd_ioctl(fd, IOMMU_VFIO_IOAS, &vfio);
}

/* The type1 container: v1 so that unmap cuts areas (area splits allocate). */
static void scenario_vfio_type1(int fd)
{
	uint32_t a = ioas_alloc(fd);
	struct iommu_vfio_ioas vfio = {
		.size = sizeof(vfio),
		.ioas_id = a,
		.op = IOMMU_VFIO_IOAS_SET,
	};
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)buf,
		.iova = 0x100000,
		.size = 16 * 4096,
	};
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = 0x104000,
		.size = 4 * 4096,
	};
	char info_buf[512];
	struct vfio_iommu_type1_info *info = (void *)info_buf;

	uiommufd_ioctl(fd, IOMMU_VFIO_IOAS, &vfio);
	uiommufd_ioctl(fd, VFIO_SET_IOMMU, (void *)VFIO_TYPE1_IOMMU);
	uiommufd_ioctl(fd, VFIO_IOMMU_MAP_DMA, &map);
	memset(info_buf, 0, sizeof(info_buf));
	info->argsz = sizeof(info_buf);
	uiommufd_ioctl(fd, VFIO_IOMMU_GET_INFO, info);
	uiommufd_ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &unmap);
	unmap.iova = 0;
	unmap.size = 0;
	unmap.flags = VFIO_DMA_UNMAP_FLAG_ALL;
	uiommufd_ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &unmap);
}

static long test_cmd(int fd, struct iommu_test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	return uiommufd_ioctl(fd, IOMMU_TEST_CMD, cmd);
}

/* mock devices, automatic and user HWPTs, replace, dirty tracking */
static void scenario_mock_domain(int fd)
{
	uint32_t a = ioas_alloc(fd), b = ioas_alloc(fd);
	struct iommu_test_cmd mock = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
		.id = a,
	};
	struct iommu_test_cmd mock2 = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
		.id = b,
	};
	struct iommu_ioas_map_file map_file = {
		.size = sizeof(map_file),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE |
			 IOMMU_IOAS_MAP_FIXED_IOVA,
		.ioas_id = a,
		.fd = memfd,
		.length = 16 * 4096,
		.iova = MOCK_APERTURE_START + 0x100000,
	};
	struct iommu_hwpt_alloc alloc = {
		.size = sizeof(alloc),
		.flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
		.pt_id = a,
	};
	struct iommu_hwpt_set_dirty_tracking track = {
		.size = sizeof(track),
		.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE,
	};
	uint64_t bits = 0x8421;
	struct iommu_test_cmd dirty = {
		.op = IOMMU_TEST_OP_DIRTY,
		.dirty = { .iova = MOCK_APERTURE_START, .length = 16 * 4096,
			   .page_size = 4096, .uptr = (uintptr_t)&bits },
	};
	uint64_t out_bits = 0;
	struct iommu_hwpt_get_dirty_bitmap get = {
		.size = sizeof(get),
		.iova = MOCK_APERTURE_START,
		.length = 16 * 4096,
		.page_size = 4096,
		.data = (uintptr_t)&out_bits,
	};
	struct iommu_ioas_copy copy = {
		.size = sizeof(copy),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_FIXED_IOVA,
		.src_ioas_id = a,
		.src_iova = MOCK_APERTURE_START,
		.length = 8 * 4096,
		.dst_iova = MOCK_APERTURE_START,
	};
	struct iommu_test_cmd replace = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
	};
	struct iommu_destroy destroy = { .size = sizeof(destroy) };

	map_at(fd, a, buf, 16 * 4096, MOCK_APERTURE_START, true);
	if (test_cmd(fd, &mock))
		return;
	uiommufd_ioctl(fd, IOMMU_IOAS_MAP_FILE, &map_file);
	alloc.dev_id = mock.mock_domain.out_idev_id;
	if (!uiommufd_ioctl(fd, IOMMU_HWPT_ALLOC, &alloc)) {
		replace.id = mock.mock_domain.out_stdev_id;
		replace.mock_domain_replace.pt_id = alloc.out_hwpt_id;
		test_cmd(fd, &replace);
		track.hwpt_id = alloc.out_hwpt_id;
		uiommufd_ioctl(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &track);
		dirty.id = alloc.out_hwpt_id;
		test_cmd(fd, &dirty);
		get.hwpt_id = alloc.out_hwpt_id;
		uiommufd_ioctl(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &get);
	}
	if (!test_cmd(fd, &mock2)) {
		copy.dst_ioas_id = b;
		uiommufd_ioctl(fd, IOMMU_IOAS_COPY, &copy);
	}
	replace.id = mock.mock_domain.out_stdev_id;
	replace.mock_domain_replace.pt_id = a;
	test_cmd(fd, &replace);
	destroy.id = mock.mock_domain.out_stdev_id;
	uiommufd_ioctl(fd, IOMMU_DESTROY, &destroy);
}

static long hwpt_alloc(int fd, uint32_t dev, uint32_t pt, uint32_t flags,
		       uint32_t fault_id, bool nested, uint32_t *out)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev,
		.pt_id = pt,
		.fault_id = fault_id,
		.data_type = nested ? IOMMU_HWPT_DATA_SELFTEST :
				      IOMMU_HWPT_DATA_NONE,
		.data_len = nested ? sizeof(data) : 0,
		.data_uptr = nested ? (uintptr_t)&data : 0,
	};
	long rc = uiommufd_ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	*out = rc ? 0 : cmd.out_hwpt_id;
	return rc;
}

static long replace_rid(int fd, uint32_t stdev, uint32_t pt)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
		.id = stdev,
		.mock_domain_replace = { .pt_id = pt },
	};

	return test_cmd(fd, &cmd);
}

static long invalidate(int fd, uint32_t id, uint32_t type, const void *reqs,
		       uint32_t len, uint32_t num)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = id,
		.data_uptr = (uintptr_t)reqs,
		.data_type = type,
		.entry_len = len,
		.entry_num = num,
	};

	return uiommufd_ioctl(fd, IOMMU_HWPT_INVALIDATE, &cmd);
}

/* one fault in and, when @answer, its response out */
static void iopf_round(int fd, int ffd, uint32_t idev, uint32_t pasid,
		       bool answer)
{
	struct iommu_test_cmd trig = {
		.op = IOMMU_TEST_OP_TRIGGER_IOPF,
		.trigger_iopf = { .dev_id = idev, .pasid = pasid, .grpid = 1,
				  .perm = IOMMU_PGFAULT_PERM_READ,
				  .addr = MOCK_APERTURE_START },
	};
	struct iommu_hwpt_pgfault rec;
	struct iommu_hwpt_page_response resp = {
		.code = IOMMUFD_PAGE_RESP_SUCCESS,
	};

	test_cmd(fd, &trig);
	if (!answer || uiommufd_read(ffd, &rec, sizeof(rec)) != sizeof(rec))
		return;
	resp.cookie = rec.cookie;
	uiommufd_write(ffd, &resp, sizeof(resp));
}

/*
 * The nesting objects: nested HWPTs and their invalidation, a fault queue
 * with faults answered and left pending, a vIOMMU with a vDEVICE and a
 * vEVENTQ fed past its depth, PASID attachments, and a tombstone.
 */
/*
 * A test dma-buf mapped into an IOAS with a domain, copied into a second
 * IOAS that gets a domain afterwards, revoked, a domain made while revoked,
 * restored and mapped again; the fd is closed with the areas still there.
 */
static void scenario_dmabuf(int fd)
{
	uint32_t a = ioas_alloc(fd), b = ioas_alloc(fd);
	struct iommu_test_cmd mock = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
		.id = a,
	};
	struct iommu_test_cmd get = {
		.op = IOMMU_TEST_OP_DMABUF_GET,
		.dmabuf_get = { .length = 8 * 4096, .open_flags = O_CLOEXEC },
	};
	struct iommu_test_cmd revoke = { .op = IOMMU_TEST_OP_DMABUF_REVOKE };
	struct iommu_ioas_map_file map_file = {
		.size = sizeof(map_file),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE |
			 IOMMU_IOAS_MAP_FIXED_IOVA,
		.ioas_id = a,
		.start = 4096,
		.length = 6 * 4096,
		.iova = MOCK_APERTURE_START,
	};
	struct iommu_ioas_copy copy = {
		.size = sizeof(copy),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_FIXED_IOVA,
		.src_ioas_id = a,
		.dst_ioas_id = b,
		.length = 6 * 4096,
		.src_iova = MOCK_APERTURE_START,
		.dst_iova = MOCK_APERTURE_START,
	};
	struct iommu_hwpt_alloc alloc = {
		.size = sizeof(alloc),
		.pt_id = a,
	};
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap),
		.ioas_id = a,
		.iova = MOCK_APERTURE_START,
		.length = 6 * 4096,
	};
	int dfd;

	test_cmd(fd, &mock);
	dfd = (int)test_cmd(fd, &get);
	map_file.fd = dfd;
	revoke.dmabuf_revoke.dmabuf_fd = dfd;
	uiommufd_ioctl(fd, IOMMU_IOAS_MAP_FILE, &map_file);
	uiommufd_ioctl(fd, IOMMU_IOAS_COPY, &copy);
	mock.id = b;
	test_cmd(fd, &mock);
	revoke.dmabuf_revoke.revoked = 1;
	test_cmd(fd, &revoke);
	alloc.dev_id = mock.mock_domain.out_idev_id;
	uiommufd_ioctl(fd, IOMMU_HWPT_ALLOC, &alloc);
	revoke.dmabuf_revoke.revoked = 0;
	test_cmd(fd, &revoke);
	uiommufd_ioctl(fd, IOMMU_IOAS_UNMAP, &unmap);
	uiommufd_ioctl(fd, IOMMU_IOAS_MAP_FILE, &map_file);
	if (dfd >= 0)
		uiommufd_close(dfd);
}

static void scenario_nesting(int fd)
{
	uint32_t a = ioas_alloc(fd), parent, nested = 0, iopf = 0, s2, viommu;
	uint32_t vnested;
	struct iommu_test_cmd mock = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS,
		.id = a,
		.mock_domain_flags = { .dev_flags = MOCK_FLAGS_DEVICE_PASID },
	};
	struct iommu_hwpt_invalidate_selftest inv[2] = {
		{ .iotlb_id = 1 },
		{ .flags = IOMMU_TEST_INVALIDATE_FLAG_ALL },
	};
	struct iommu_viommu_invalidate_selftest vinv = { .vdev_id = 0x99 };
	struct iommu_viommu_selftest vdata = { .in_data = 7 };
	struct iommu_fault_alloc falloc = { .size = sizeof(falloc) };
	struct iommu_viommu_alloc valloc = {
		.size = sizeof(valloc),
		.type = IOMMU_VIOMMU_TYPE_SELFTEST,
		.data_len = sizeof(vdata),
		.data_uptr = (uintptr_t)&vdata,
	};
	struct iommu_vdevice_alloc vdalloc = {
		.size = sizeof(vdalloc),
		.virt_id = 0x99,
	};
	struct iommu_veventq_alloc qalloc = {
		.size = sizeof(qalloc),
		.type = IOMMU_VEVENTQ_TYPE_SELFTEST,
		.veventq_depth = 2,
	};
	struct iommu_test_cmd vevent = { .op = IOMMU_TEST_OP_TRIGGER_VEVENT };
	struct iommu_test_cmd pasid = { .op = IOMMU_TEST_OP_PASID_ATTACH };
	struct iommu_destroy destroy = { .size = sizeof(destroy) };
	unsigned char events[64];
	int ffd = -1, efd = -1, i;
	uint32_t stdev, idev;

	map_at(fd, a, buf, 16 * 4096, MOCK_APERTURE_START, true);
	if (test_cmd(fd, &mock))
		return;
	stdev = mock.mock_domain_flags.out_stdev_id;
	idev = mock.mock_domain_flags.out_idev_id;
	if (hwpt_alloc(fd, idev, a, IOMMU_HWPT_ALLOC_NEST_PARENT, 0, false,
		       &parent))
		return;
	if (!hwpt_alloc(fd, idev, parent, IOMMU_HWPT_ALLOC_PASID, 0, true,
			&nested))
		invalidate(fd, nested, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, inv,
			   sizeof(inv[0]), 2);

	if (!uiommufd_ioctl(fd, IOMMU_FAULT_QUEUE_ALLOC, &falloc)) {
		ffd = (int)falloc.out_fault_fd;
		if (!hwpt_alloc(fd, idev, parent,
				IOMMU_HWPT_FAULT_ID_VALID |
					IOMMU_HWPT_ALLOC_PASID,
				falloc.out_fault_id, true, &iopf) &&
		    !replace_rid(fd, stdev, iopf)) {
			iopf_round(fd, ffd, idev, 0, true);
			iopf_round(fd, ffd, idev, 0, false);
			iopf_round(fd, ffd, idev, 0, true);
			/* answers the pending ones */
			replace_rid(fd, stdev, nested);
		}
	}

	valloc.dev_id = idev;
	valloc.hwpt_id = parent;
	if (!uiommufd_ioctl(fd, IOMMU_VIOMMU_ALLOC, &valloc)) {
		viommu = valloc.out_viommu_id;
		vdalloc.viommu_id = viommu;
		vdalloc.dev_id = idev;
		qalloc.viommu_id = viommu;
		if (!uiommufd_ioctl(fd, IOMMU_VEVENTQ_ALLOC, &qalloc))
			efd = (int)qalloc.out_veventq_fd;
		if (!hwpt_alloc(fd, idev, viommu, 0, 0, true, &vnested) &&
		    !uiommufd_ioctl(fd, IOMMU_VDEVICE_ALLOC, &vdalloc) &&
		    !replace_rid(fd, stdev, vnested)) {
			vevent.trigger_vevent.dev_id = idev;
			for (i = 0; i < 3; i++)
				test_cmd(fd, &vevent);
			if (efd >= 0)
				uiommufd_read(efd, events, 12);
			test_cmd(fd, &vevent);
			invalidate(fd, viommu,
				   IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, &vinv,
				   sizeof(vinv), 1);
		}
	}

	/* PASIDs on a PASID-compatible RID */
	if (!hwpt_alloc(fd, idev, a, IOMMU_HWPT_ALLOC_PASID, 0, false, &s2) &&
	    !replace_rid(fd, stdev, s2)) {
		pasid.id = stdev;
		pasid.pasid_attach.pasid = 7;
		pasid.pasid_attach.pt_id = nested;
		test_cmd(fd, &pasid);
		pasid.op = IOMMU_TEST_OP_PASID_REPLACE;
		pasid.pasid_attach.pt_id = iopf;
		if (!test_cmd(fd, &pasid) && ffd >= 0)
			iopf_round(fd, ffd, idev, 7, false);
		pasid.pasid_attach.pasid = 8;
		pasid.op = IOMMU_TEST_OP_PASID_ATTACH;
		pasid.pasid_attach.pt_id = s2;
		test_cmd(fd, &pasid);
		pasid.op = IOMMU_TEST_OP_PASID_DETACH;
		pasid.pasid_attach.pasid = 7;
		test_cmd(fd, &pasid);
	}

	if (ffd >= 0)
		uiommufd_close(ffd);
	if (efd >= 0)
		uiommufd_close(efd);
	/* the device goes first: its vDEVICE is left a tombstone */
	destroy.id = stdev;
	uiommufd_ioctl(fd, IOMMU_DESTROY, &destroy);
}

/* After an injected failure the context must still work as usual. */
static int check_consistent(int fd)
{
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap),
		.iova = 0,
		.length = UINT64_MAX,
	};
	struct iommu_destroy destroy = { .size = sizeof(destroy) };
	uint32_t a = ioas_alloc(fd), id, round, busy = 0;

	if (!a) {
		fprintf(stderr, "IOAS_ALLOC fails after the injection\n");
		return -1;
	}
	if (map_at(fd, a, buf, 4096, 0x100000, true)) {
		fprintf(stderr, "MAP fails after the injection\n");
		return -1;
	}
	unmap.ioas_id = a;
	if (uiommufd_ioctl(fd, IOMMU_IOAS_UNMAP, &unmap) ||
	    unmap.length != 4096) {
		fprintf(stderr, "UNMAP-all is inconsistent after the injection\n");
		return -1;
	}
	/*
	 * every object left over must be destroyable once the objects that
	 * hold it are gone (a device holds its HWPT, a HWPT its IOAS): a few
	 * rounds in id order must empty the context
	 */
	for (round = 0; round < 8; round++) {
		busy = 0;
		for (id = 1; id < 64; id++) {
			long rc;

			destroy.id = id;
			rc = uiommufd_ioctl(fd, IOMMU_DESTROY, &destroy);
			if (rc == -EBUSY)
				busy++;
			else if (rc && rc != -ENOENT) {
				fprintf(stderr, "DESTROY %u: %ld (%s)\n", id, rc,
					uiommufd_last_reason());
				return -1;
			}
		}
		if (!busy)
			return 0;
	}
	fprintf(stderr, "%u objects stay busy: %s\n", busy,
		uiommufd_last_reason());
	return -1;
}

static int sweep(const char *name, void (*scenario)(int fd))
{
	unsigned long n;

	for (n = 1; n < MAX_N; n++) {
		int fd = uiommufd_open(O_CLOEXEC);
		bool hit;

		if (fd < 0)
			return 1;
		uiommufd_fail_nth(n);
		scenario(fd);
		hit = uiommufd_fail_nth_hit();
		uiommufd_fail_nth(0);
		if (check_consistent(fd)) {
			fprintf(stderr, "%s: inconsistent after failing point %lu\n",
				name, n);
			return 1;
		}
		uiommufd_close(fd);
		/* closing the context left nothing pinned */
		fd = uiommufd_open(O_CLOEXEC);
		if (fd >= 0) {
			struct iommu_test_cmd refs = {
				.op = IOMMU_TEST_OP_MD_CHECK_REFS,
				.check_refs = { .length = buf_len,
						.uptr = (uintptr_t)buf },
			};

			if (test_cmd(fd, &refs)) {
				fprintf(stderr,
					"%s: pages still pinned after close (point %lu): %s\n",
					name, n, uiommufd_last_reason());
				return 1;
			}
			uiommufd_close(fd);
		}
		if (!hit) {
			printf("%s: %lu failure points swept\n", name, n - 1);
			return n > 1 ? 0 : 1;
		}
	}
	fprintf(stderr, "%s: more than %d failure points?\n", name, MAX_N);
	return 1;
}

int main(void)
{
	int rc = 0;

	buf = mmap(NULL, buf_len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memfd = memfd_create("fail-nth", MFD_CLOEXEC);
	if (buf == MAP_FAILED || memfd < 0 || ftruncate(memfd, buf_len))
		return 1;
	memset(buf, 0, buf_len);
	rc |= sweep("map_copy_unmap", scenario_map_copy_unmap);
	rc |= sweep("map_file_destroy", scenario_map_file_and_destroy);
	rc |= sweep("ranges_options", scenario_ranges);
	rc |= sweep("vfio_type1", scenario_vfio_type1);
	rc |= sweep("mock_domain", scenario_mock_domain);
	rc |= sweep("nesting", scenario_nesting);
	rc |= sweep("dmabuf", scenario_dmabuf);
	close(memfd);
	munmap(buf, buf_len);
	return rc;
}
