/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: a byte stream becomes a sequence of ioctls on one fresh
 * iommufd context. Each record is
 *     u8 command (index into the iommufd range, plus a few out of range)
 *     u8 size    (the struct size the caller claims; may be short or long)
 *     size bytes of struct
 * Pointer fields cannot be left random (a random pointer into the fuzzer's
 * own memory would be written through, which no kernel would allow either),
 * so the target rewrites each known pointer field to one of: a scratch buffer,
 * NULL, or an address in a PROT_NONE page, chosen by the field's low bits.
 * Everything else is the fuzzer's. Success is: no crash, no sanitizer report,
 * no leak after the context closes.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>

#include "uiommufd/uiommufd.h"

#define SCRATCH_LEN (64 * 4096)

static char *scratch;
static char *noaccess;
static int memfd = -1;

static void setup_once(void)
{
	if (scratch)
		return;
	scratch = mmap(NULL, SCRATCH_LEN, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	noaccess = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	memfd = memfd_create("fuzz", MFD_CLOEXEC);
	if (memfd >= 0 && ftruncate(memfd, SCRATCH_LEN))
		memfd = -1;
}

static uint64_t pick_pointer(uint64_t v)
{
	switch (v & 3) {
	case 0:
		return (uintptr_t)scratch + ((v >> 2) % (SCRATCH_LEN / 2));
	case 1:
		return 0;
	case 2:
		return (uintptr_t)noaccess + ((v >> 2) & 4095);
	default:
		return (uintptr_t)scratch + (((v >> 2) % 16) * 4096);
	}
}

static void fix_u64(void *base, size_t off, size_t size)
{
	uint64_t v;

	if (off + sizeof(v) > size)
		return;
	memcpy(&v, (char *)base + off, sizeof(v));
	v = pick_pointer(v);
	memcpy((char *)base + off, &v, sizeof(v));
}

static void sanitize(unsigned int nr, void *arg, size_t size)
{
	switch (nr) {
	case IOMMUFD_CMD_IOAS_IOVA_RANGES:
		fix_u64(arg, offsetof(struct iommu_ioas_iova_ranges,
				      allowed_iovas), size);
		break;
	case IOMMUFD_CMD_IOAS_ALLOW_IOVAS:
		fix_u64(arg, offsetof(struct iommu_ioas_allow_iovas,
				      allowed_iovas), size);
		break;
	case IOMMUFD_CMD_IOAS_MAP:
		fix_u64(arg, offsetof(struct iommu_ioas_map, user_va), size);
		break;
	case IOMMUFD_CMD_IOAS_MAP_FILE:
		if (offsetof(struct iommu_ioas_map_file, fd) + 4 <= size) {
			int32_t fd = memfd;

			memcpy((char *)arg +
				       offsetof(struct iommu_ioas_map_file, fd),
			       &fd, sizeof(fd));
		}
		break;
	case IOMMUFD_CMD_GET_HW_INFO:
		fix_u64(arg, offsetof(struct iommu_hw_info, data_uptr), size);
		break;
	case IOMMUFD_CMD_HWPT_ALLOC:
		fix_u64(arg, offsetof(struct iommu_hwpt_alloc, data_uptr),
			size);
		break;
	case IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP:
		fix_u64(arg, offsetof(struct iommu_hwpt_get_dirty_bitmap, data),
			size);
		break;
	case 0xa0: { /* IOMMU_TEST_CMD: the pointer depends on the op */
		uint32_t op = 0;

		if (size >= 8)
			memcpy(&op, (char *)arg + 4, sizeof(op));
		switch (op) {
		case IOMMU_TEST_OP_MD_CHECK_MAP:
			fix_u64(arg, offsetof(struct iommu_test_cmd,
					      check_map.uptr), size);
			break;
		case IOMMU_TEST_OP_DIRTY:
			fix_u64(arg, offsetof(struct iommu_test_cmd,
					      dirty.uptr), size);
			break;
		case IOMMU_TEST_OP_ACCESS_PAGES:
			fix_u64(arg, offsetof(struct iommu_test_cmd,
					      access_pages.uptr), size);
			break;
		case IOMMU_TEST_OP_ACCESS_RW:
			fix_u64(arg, offsetof(struct iommu_test_cmd,
					      access_rw.uptr), size);
			break;
		default:
			/* MD_CHECK_REFS and any op with no pointer */
			fix_u64(arg, offsetof(struct iommu_test_cmd,
					      check_refs.uptr), size);
			break;
		}
		break;
	}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	/* room for any struct plus a long tail; 8-byte aligned */
	static uint64_t argbuf[128];
	int fd;

	setup_once();
	fd = uiommufd_open(O_CLOEXEC);
	if (fd < 0)
		return 0;
	while (len >= 2) {
		unsigned int nr = IOMMUFD_CMD_BASE + (data[0] % 0x24);
		size_t size = data[1];
		uint32_t size32 = size;

		data += 2;
		len -= 2;
		if (size > len)
			size = len;
		memset(argbuf, 0, sizeof(argbuf));
		memcpy(argbuf, data, size);
		data += size;
		len -= size;
		/* the size field says what the caller claims */
		memcpy(argbuf, &size32, sizeof(size32));
		sanitize(nr, argbuf, size);
		uiommufd_ioctl(fd, _IO(IOMMUFD_TYPE, nr), argbuf);
	}
	uiommufd_close(fd);
	return 0;
}
