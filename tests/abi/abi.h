/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers of the ABI tests.
 *
 * An ABI test is a stand-alone program that uses only libc, <linux/iommufd.h>
 * and <linux/iommufd_test.h> and issues raw ioctl()s on a descriptor from
 * open("/dev/iommu", O_RDWR). Every expectation states what the Linux kernel
 * (drivers/iommu/iommufd) answers; run under build/uiommufd-run the same
 * program checks our engine against it.
 *
 * Exit status: 0 every check passed, 1 at least one failed, 77 skipped
 * (/dev/iommu cannot be opened: not under the preload).
 *
 * A failing check prints one line:
 *   FAIL <file>:<line> [<section>] <check>: expected <E>, got <E'>
 */
#ifndef UIOMMUFD_TESTS_ABI_H
#define UIOMMUFD_TESTS_ABI_H

/* include this header first: memfd_create() needs _GNU_SOURCE */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>

#define ABI_SKIP 77

#ifndef offsetofend
#define offsetofend(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))
#endif

#define ABI_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ABI_U64(x) ((unsigned long long)(x))

static int abi_checks;
static int abi_failures;
static char abi_section_name[160] = "-";
static size_t abi_page_size;

/* Name the group of checks that follows; it is printed with every failure. */
static inline void __attribute__((format(printf, 1, 2)))
abi_section(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(abi_section_name, sizeof(abi_section_name), fmt, ap);
	va_end(ap);
}

static inline const char *abi_errname(int e)
{
	static char buf[16];

	switch (e) {
	case 0: return "success";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EIO: return "EIO";
	case E2BIG: return "E2BIG";
	case EBADF: return "EBADF";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENOTTY: return "ENOTTY";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case EDEADLK: return "EDEADLK";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EADDRINUSE: return "EADDRINUSE";
	case EOVERFLOW: return "EOVERFLOW";
	case EMSGSIZE: return "EMSGSIZE";
	case ENXIO: return "ENXIO";
	case EBADFD: return "EBADFD";
	default:
		snprintf(buf, sizeof(buf), "errno %d", e);
		return buf;
	}
}

static inline void __attribute__((format(printf, 3, 4)))
abi_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	abi_failures++;
	fprintf(stderr, "FAIL %s:%d [%s] ", file, line, abi_section_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

/*
 * The result of one call: 0 when it returned >= 0, else its errno. A call
 * that "succeeds" with a negative value other than -1 is reported as such.
 */
static inline int abi_result(long rc, int err)
{
	if (rc >= 0)
		return 0;
	if (rc != -1)
		return -1000;
	return err ? err : -1001;
}

static inline int abi_check_errno(const char *file, int line, const char *what,
				  int expect, long rc, int err)
{
	int got = abi_result(rc, err);

	abi_checks++;
	if (got == expect)
		return 1;
	if (got == -1000)
		abi_fail(file, line, "%s: expected %s, got return value %ld",
			 what, abi_errname(expect), rc);
	else if (got == -1001)
		abi_fail(file, line, "%s: expected %s, got -1 with errno 0",
			 what, abi_errname(expect));
	else
		abi_fail(file, line, "%s: expected %s, got %s", what,
			 abi_errname(expect), abi_errname(got));
	return 0;
}

/* EXPECT_OK(call): the call returns >= 0. Evaluates to 1 on pass. */
#define EXPECT_OK(call)                                                       \
	({                                                                    \
		long __rc;                                                    \
		errno = 0;                                                    \
		__rc = (long)(call);                                          \
		abi_check_errno(__FILE__, __LINE__, #call, 0, __rc, errno);   \
	})

/* EXPECT_ERRNO(E, call): the call returns -1 with errno E. */
#define EXPECT_ERRNO(expect, call)                                            \
	({                                                                    \
		long __rc;                                                    \
		errno = 0;                                                    \
		__rc = (long)(call);                                          \
		abi_check_errno(__FILE__, __LINE__, #call, (expect), __rc,    \
				errno);                                       \
	})

/* EXPECT_EQ(expected, actual) on integers (compared as 64-bit unsigned). */
#define EXPECT_EQ(expect, actual)                                             \
	({                                                                    \
		unsigned long long __e = (unsigned long long)(expect);        \
		unsigned long long __a = (unsigned long long)(actual);        \
		abi_checks++;                                                 \
		if (__e != __a)                                               \
			abi_fail(__FILE__, __LINE__,                          \
				 "%s == %s: expected 0x%llx, got 0x%llx",     \
				 #actual, #expect, __e, __a);                 \
		__e == __a;                                                   \
	})

/* EXPECT_TRUE(cond): a property the kernel guarantees. */
#define EXPECT_TRUE(cond)                                                     \
	({                                                                    \
		int __ok = !!(cond);                                          \
		abi_checks++;                                                 \
		if (!__ok)                                                    \
			abi_fail(__FILE__, __LINE__,                          \
				 "%s: expected true, got false", #cond);      \
		__ok;                                                         \
	})

/* Setup that must work for the rest to mean anything: stop if it fails. */
#define ABI_ASSERT(cond)                                                      \
	do {                                                                  \
		if (!(cond)) {                                                \
			abi_fail(__FILE__, __LINE__,                          \
				 "setup %s failed (errno %s); giving up",     \
				 #cond, abi_errname(errno));                  \
			exit(1);                                              \
		}                                                             \
	} while (0)

/* ------------------------------------------------------------------ */
/* Process set-up                                                     */
/* ------------------------------------------------------------------ */

/* Open /dev/iommu, or exit 77 when it is not there (not under the preload). */
static inline int abi_open(void)
{
	int fd;

	abi_page_size = (size_t)sysconf(_SC_PAGESIZE);
	fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENXIO || errno == ENODEV ||
		    errno == EACCES || errno == EPERM) {
			printf("SKIP: open(/dev/iommu): %s (run under "
			       "build/uiommufd-run)\n",
			       abi_errname(errno));
			exit(ABI_SKIP);
		}
		fprintf(stderr, "FAIL open(/dev/iommu): %s\n",
			abi_errname(errno));
		exit(1);
	}
	return fd;
}

/* Print the tally; the exit status of the test. */
static inline int abi_finish(const char *name)
{
	if (abi_failures) {
		fprintf(stderr, "%s: %d of %d checks FAILED\n", name,
			abi_failures, abi_checks);
		return 1;
	}
	printf("%s: all %d checks passed\n", name, abi_checks);
	return 0;
}

/*
 * Pages: anonymous, read/write, touched so that they exist; never huge
 * (MD_CHECK_REFS skips compound pages). Aborts on failure.
 */
static inline void *abi_pages(size_t npages)
{
	size_t len = npages * abi_page_size;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ABI_ASSERT(p != MAP_FAILED);
	madvise(p, len, MADV_NOHUGEPAGE);
	memset(p, 0x5a, len);
	return p;
}

/* @len bytes of address space aligned to @align (untouched). */
static inline void *abi_aligned(size_t len, size_t align)
{
	char *p = mmap(NULL, len + align, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t a;

	ABI_ASSERT(p != MAP_FAILED);
	a = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);
	if (a != (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	if (a + len != (uintptr_t)p + len + align)
		munmap((void *)(a + len), (uintptr_t)p + len + align - a - len);
	return (void *)a;
}

/*
 * Place an object of @size bytes so that it ends exactly at a page that
 * cannot be accessed: byte @size is the first unreadable one.
 */
static inline void *abi_at_page_end(size_t size)
{
	size_t pages = (size + abi_page_size - 1) / abi_page_size;
	char *p = mmap(NULL, (pages + 1) * abi_page_size,
		       PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);

	ABI_ASSERT(p != MAP_FAILED);
	ABI_ASSERT(mprotect(p + pages * abi_page_size, abi_page_size,
			    PROT_NONE) == 0);
	return p + pages * abi_page_size - size;
}

/* ------------------------------------------------------------------ */
/* Thin ioctl wrappers (return the ioctl's result, errno as set)      */
/* ------------------------------------------------------------------ */

static inline int abi_ioas_alloc(int fd, uint32_t *id)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	int rc = ioctl(fd, IOMMU_IOAS_ALLOC, &cmd);

	if (!rc)
		*id = cmd.out_ioas_id;
	return rc;
}

/* A new IOAS; aborts on failure. */
static inline uint32_t abi_new_ioas(int fd)
{
	uint32_t id = 0;

	ABI_ASSERT(abi_ioas_alloc(fd, &id) == 0);
	return id;
}

static inline int abi_destroy(int fd, uint32_t id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return ioctl(fd, IOMMU_DESTROY, &cmd);
}

/* IOMMU_IOAS_MAP; *iova is in (FIXED_IOVA) and out. */
static inline int abi_map(int fd, uint32_t ioas, const void *va, uint64_t len,
			  uint32_t flags, uint64_t *iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova ? *iova : 0,
	};
	int rc = ioctl(fd, IOMMU_IOAS_MAP, &cmd);

	if (!rc && iova)
		*iova = cmd.iova;
	return rc;
}

#define ABI_RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
#define ABI_FIXED_RW (IOMMU_IOAS_MAP_FIXED_IOVA | ABI_RW)

/* A fixed read/write map at @iova. */
static inline int abi_map_fixed(int fd, uint32_t ioas, const void *va,
				uint64_t len, uint64_t iova)
{
	return abi_map(fd, ioas, va, len, ABI_FIXED_RW, &iova);
}

static inline int abi_map_file(int fd, uint32_t ioas, int mfd, uint64_t start,
			       uint64_t len, uint32_t flags, uint64_t *iova)
{
	struct iommu_ioas_map_file cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.ioas_id = ioas,
		.fd = mfd,
		.start = start,
		.length = len,
		.iova = iova ? *iova : 0,
	};
	int rc = ioctl(fd, IOMMU_IOAS_MAP_FILE, &cmd);

	if (!rc && iova)
		*iova = cmd.iova;
	return rc;
}

/* IOMMU_IOAS_UNMAP; *unmapped gets the returned length. */
static inline int abi_unmap(int fd, uint32_t ioas, uint64_t iova, uint64_t len,
			    uint64_t *unmapped)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.iova = iova,
		.length = len,
	};
	int rc = ioctl(fd, IOMMU_IOAS_UNMAP, &cmd);

	if (unmapped)
		*unmapped = rc ? 0 : cmd.length;
	return rc;
}

static inline int abi_copy(int fd, uint32_t dst, uint32_t src,
			   uint64_t src_iova, uint64_t len, uint32_t flags,
			   uint64_t *dst_iova)
{
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dst_ioas_id = dst,
		.src_ioas_id = src,
		.length = len,
		.dst_iova = dst_iova ? *dst_iova : 0,
		.src_iova = src_iova,
	};
	int rc = ioctl(fd, IOMMU_IOAS_COPY, &cmd);

	if (!rc && dst_iova)
		*dst_iova = cmd.dst_iova;
	return rc;
}

static inline int abi_allow_iovas(int fd, uint32_t ioas,
				  const struct iommu_iova_range *ranges,
				  uint32_t n)
{
	struct iommu_ioas_allow_iovas cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.num_iovas = n,
		.allowed_iovas = (uintptr_t)ranges,
	};

	return ioctl(fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd);
}

/* IOMMU_IOAS_IOVA_RANGES into @ranges[*n]; *n and *align get the answer. */
static inline int abi_iova_ranges(int fd, uint32_t ioas,
				  struct iommu_iova_range *ranges, uint32_t *n,
				  uint64_t *align)
{
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.num_iovas = *n,
		.allowed_iovas = (uintptr_t)ranges,
	};
	int rc = ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &cmd);

	*n = cmd.num_iovas;
	if (align)
		*align = cmd.out_iova_alignment;
	return rc;
}

static inline int abi_option(int fd, uint32_t option_id, uint16_t op,
			     uint32_t object_id, uint64_t *val)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = option_id,
		.op = op,
		.object_id = object_id,
		.val64 = *val,
	};
	int rc = ioctl(fd, IOMMU_OPTION, &cmd);

	*val = cmd.val64;
	return rc;
}

static inline int abi_add_reserved(int fd, uint32_t ioas, uint64_t start,
				   uint64_t len)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_ADD_RESERVED,
		.id = ioas,
		.add_reserved = { .start = start, .length = len },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

static inline int abi_check_refs(int fd, const void *va, uint64_t len,
				 uint32_t refs)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MD_CHECK_REFS,
		.check_refs = { .length = len, .uptr = (uintptr_t)va,
				.refs = refs },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

/* True if the descriptor serves IOMMU_TEST_CMD (the selftest interface). */
static inline int abi_have_test_cmd(int fd)
{
	struct iommu_test_cmd cmd = { .size = sizeof(cmd), .op = 0 };

	return ioctl(fd, IOMMU_TEST_CMD, &cmd) == 0 || errno != ENOTTY;
}

/* A memfd of @len bytes (contents written, so pages exist). */
static inline int abi_memfd(size_t len)
{
	int mfd = memfd_create("uiommufd-abi", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	ABI_ASSERT(mfd >= 0);
	ABI_ASSERT(ftruncate(mfd, (off_t)len) == 0);
	return mfd;
}

/* ------------------------------------------------------------------ */
/* Mock devices, HWPTs and the nesting objects (selftest interface)   */
/* ------------------------------------------------------------------ */

static inline int abi_test_cmd(int fd, struct iommu_test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	return ioctl(fd, IOMMU_TEST_CMD, cmd);
}

/* MOCK_DOMAIN_FLAGS on @pt_id; any of the outputs may be NULL. */
static inline int abi_mock_domain(int fd, uint32_t pt_id, uint32_t dev_flags,
				  uint32_t *stdev, uint32_t *hwpt,
				  uint32_t *idev)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS,
		.id = pt_id,
		.mock_domain_flags = { .dev_flags = dev_flags },
	};
	int rc = abi_test_cmd(fd, &cmd);

	if (!rc) {
		if (stdev)
			*stdev = cmd.mock_domain_flags.out_stdev_id;
		if (hwpt)
			*hwpt = cmd.mock_domain_flags.out_hwpt_id;
		if (idev)
			*idev = cmd.mock_domain_flags.out_idev_id;
	}
	return rc;
}

/* MOCK_DOMAIN_REPLACE of @stdev's RID to @pt_id; *ret_pt (may be NULL)
 * gets the HWPT it now uses. */
static inline int abi_mock_replace(int fd, uint32_t stdev, uint32_t pt_id,
				   uint32_t *ret_pt)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
		.id = stdev,
		.mock_domain_replace = { .pt_id = pt_id },
	};
	int rc = abi_test_cmd(fd, &cmd);

	if (!rc && ret_pt)
		*ret_pt = cmd.mock_domain_replace.pt_id;
	return rc;
}

/* IOMMU_HWPT_ALLOC with everything the caller may set. */
static inline int abi_hwpt_alloc(int fd, uint32_t dev, uint32_t pt,
				 uint32_t flags, uint32_t fault_id,
				 uint32_t data_type, const void *data,
				 uint32_t data_len, uint32_t *out)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev,
		.pt_id = pt,
		.data_type = data_type,
		.data_len = data_len,
		.data_uptr = (uintptr_t)data,
		.fault_id = fault_id,
	};
	int rc = ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc && out)
		*out = cmd.out_hwpt_id;
	return rc;
}

/* A NEST_PARENT paging HWPT of @ioas for @dev; aborts on failure. */
static inline uint32_t abi_new_nest_parent(int fd, uint32_t dev, uint32_t ioas)
{
	uint32_t id = 0;

	ABI_ASSERT(!abi_hwpt_alloc(fd, dev, ioas, IOMMU_HWPT_ALLOC_NEST_PARENT,
				   0, IOMMU_HWPT_DATA_NONE, NULL, 0, &id));
	return id;
}

/* A mock nested HWPT (IOTLB slots seeded with the default) over @parent, a
 * paging HWPT or a vIOMMU; @flags may add FAULT_ID_VALID and PASID. */
static inline int abi_nested_alloc(int fd, uint32_t dev, uint32_t parent,
				   uint32_t flags, uint32_t fault_id,
				   uint32_t *out)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };

	return abi_hwpt_alloc(fd, dev, parent, flags, fault_id,
			      IOMMU_HWPT_DATA_SELFTEST, &data, sizeof(data),
			      out);
}

/*
 * IOMMU_HWPT_INVALIDATE of *@num entries; *@num gets the entry_num the call
 * left in the struct (the kernel writes it back on every path).
 */
static inline int abi_invalidate(int fd, uint32_t id, uint32_t data_type,
				 const void *reqs, uint32_t entry_len,
				 uint32_t *num)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = id,
		.data_uptr = (uintptr_t)reqs,
		.data_type = data_type,
		.entry_len = entry_len,
		.entry_num = *num,
	};
	int rc = ioctl(fd, IOMMU_HWPT_INVALIDATE, &cmd);

	*num = cmd.entry_num;
	return rc;
}

static inline int abi_fault_alloc(int fd, uint32_t *id, int *ffd)
{
	struct iommu_fault_alloc cmd = { .size = sizeof(cmd) };
	int rc = ioctl(fd, IOMMU_FAULT_QUEUE_ALLOC, &cmd);

	if (!rc) {
		*id = cmd.out_fault_id;
		*ffd = (int)cmd.out_fault_fd;
	}
	return rc;
}

static inline int abi_viommu_alloc(int fd, uint32_t dev, uint32_t hwpt,
				   uint32_t type, void *data,
				   uint32_t data_len, uint32_t *out)
{
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.type = type,
		.dev_id = dev,
		.hwpt_id = hwpt,
		.data_len = data_len,
		.data_uptr = (uintptr_t)data,
	};
	int rc = ioctl(fd, IOMMU_VIOMMU_ALLOC, &cmd);

	if (!rc && out)
		*out = cmd.out_viommu_id;
	return rc;
}

static inline int abi_vdevice_alloc(int fd, uint32_t viommu, uint32_t dev,
				    uint64_t virt_id, uint32_t *out)
{
	struct iommu_vdevice_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu,
		.dev_id = dev,
		.virt_id = virt_id,
	};
	int rc = ioctl(fd, IOMMU_VDEVICE_ALLOC, &cmd);

	if (!rc && out)
		*out = cmd.out_vdevice_id;
	return rc;
}

static inline int abi_veventq_alloc(int fd, uint32_t viommu, uint32_t type,
				    uint32_t depth, uint32_t *id, int *efd)
{
	struct iommu_veventq_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu,
		.type = type,
		.veventq_depth = depth,
	};
	int rc = ioctl(fd, IOMMU_VEVENTQ_ALLOC, &cmd);

	if (!rc) {
		*id = cmd.out_veventq_id;
		*efd = (int)cmd.out_veventq_fd;
	}
	return rc;
}

/* MD_CHECK_IOTLB: slot @slot of nested HWPT @hwpt holds @val. */
static inline int abi_check_iotlb(int fd, uint32_t hwpt, uint32_t slot,
				  uint32_t val)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MD_CHECK_IOTLB,
		.id = hwpt,
		.check_iotlb = { .id = slot, .iotlb = val },
	};

	return abi_test_cmd(fd, &cmd);
}

/* DEV_CHECK_CACHE: slot @slot of the mock device @idev holds @val. */
static inline int abi_check_dev_cache(int fd, uint32_t idev, uint32_t slot,
				      uint32_t val)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DEV_CHECK_CACHE,
		.id = idev,
		.check_dev_cache = { .id = slot, .cache = val },
	};

	return abi_test_cmd(fd, &cmd);
}

/* TRIGGER_IOPF: a page request from @idev (pasid 0: none). */
static inline int abi_trigger_iopf(int fd, uint32_t idev, uint32_t pasid,
				   uint32_t grpid, uint32_t perm,
				   uint64_t addr)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_TRIGGER_IOPF,
		.trigger_iopf = { .dev_id = idev, .pasid = pasid,
				  .grpid = grpid, .perm = perm,
				  .addr = addr },
	};

	return abi_test_cmd(fd, &cmd);
}

static inline int abi_trigger_vevent(int fd, uint32_t idev)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_TRIGGER_VEVENT,
		.trigger_vevent = { .dev_id = idev },
	};

	return abi_test_cmd(fd, &cmd);
}

/* PASID_ATTACH / REPLACE / CHECK_HWPT (hwpt 0: detached) / DETACH */
static inline int abi_pasid_op(int fd, uint32_t op, uint32_t stdev,
			       uint32_t pasid, uint32_t pt_id)
{
	struct iommu_test_cmd cmd = { .op = op, .id = stdev };

	/* the four ops share the layout {pasid, pt_id or hwpt_id} */
	cmd.pasid_attach.pasid = pasid;
	cmd.pasid_attach.pt_id = pt_id;
	return abi_test_cmd(fd, &cmd);
}

/* poll() one descriptor without waiting; the revents, or -1 */
static inline int abi_poll_now(int pfd, short events)
{
	struct pollfd p = { .fd = pfd, .events = events };
	int rc = poll(&p, 1, 0);

	return rc < 0 ? -1 : p.revents;
}

/* ------------------------------------------------------------------ */
/* Size sweep of one extensible-struct ioctl                          */
/* ------------------------------------------------------------------ */

/*
 * The kernel reads the leading __u32 size, refuses size < min_size
 * (offsetofend of the last field of the first ABI version) with EINVAL,
 * zero-extends a shorter struct, accepts a longer one only if the bytes past
 * its own sizeof are zero (else E2BIG; EFAULT if they cannot be read), and
 * writes back at most min(size, sizeof) bytes.
 *
 * @fill writes a complete argument of @ksize bytes into @buf (it may issue
 * set-up ioctls on @fd); the sweep then sets the size field.
 */
struct abi_sweep {
	const char *name;
	unsigned long request;
	size_t ksize;		/* sizeof(struct) in the uAPI */
	size_t min_size;	/* the kernel's min_size for the command */
	void (*fill)(int fd, void *buf, void *ctx);
	void *ctx;
};

static inline long abi_sweep_call(int fd, const struct abi_sweep *s, void *buf,
				  uint32_t size, int *err)
{
	long rc;

	memcpy(buf, &size, sizeof(size));
	errno = 0;
	rc = ioctl(fd, s->request, buf);
	*err = errno;
	return rc;
}

static inline void abi_size_sweep(int fd, const struct abi_sweep *s)
{
	size_t room = s->ksize + 64;
	unsigned char *buf = calloc(1, room);
	unsigned char *edge;
	int err, err2, want;
	long rc, rc2;
	size_t i;

	ABI_ASSERT(buf);
	abi_section("%s size sweep", s->name);

	/* below the minimum: EINVAL, whatever the contents */
	{
		size_t sizes[] = { 0, 4, s->min_size - 1 };

		for (i = 0; i < ABI_ARRAY_SIZE(sizes); i++) {
			memset(buf, 0, room);
			s->fill(fd, buf, s->ctx);
			rc = abi_sweep_call(fd, s, buf, (uint32_t)sizes[i],
					    &err);
			abi_check_errno(__FILE__, __LINE__,
					"size below the minimum", EINVAL, rc,
					err);
		}
	}

	/* one non-zero byte in the tail past sizeof: E2BIG */
	for (i = 0; i < 8; i += 7) {
		memset(buf, 0, room);
		s->fill(fd, buf, s->ctx);
		buf[s->ksize + i] = 0x01;
		rc = abi_sweep_call(fd, s, buf, (uint32_t)(s->ksize + 8), &err);
		abi_check_errno(__FILE__, __LINE__,
				"sizeof+8 with a non-zero tail", E2BIG, rc,
				err);
	}

	/* zero tail: the same answer as exactly sizeof, tail left alone */
	memset(buf, 0, room);
	s->fill(fd, buf, s->ctx);
	rc = abi_sweep_call(fd, s, buf, (uint32_t)s->ksize, &err);
	want = abi_result(rc, err);
	memset(buf, 0, room);
	s->fill(fd, buf, s->ctx);
	rc2 = abi_sweep_call(fd, s, buf, (uint32_t)(s->ksize + 8), &err2);
	abi_check_errno(__FILE__, __LINE__,
			"sizeof+8 with a zero tail answers as sizeof", want,
			rc2, err2);
	abi_checks++;
	for (i = s->ksize; i < s->ksize + 8; i++)
		if (buf[i]) {
			abi_fail(__FILE__, __LINE__,
				 "sizeof+8: the tail was written (byte %zu = 0x%x)",
				 i - s->ksize, buf[i]);
			break;
		}

	/* the minimum itself is accepted and answers as sizeof */
	if (s->min_size != s->ksize) {
		memset(buf, 0, room);
		s->fill(fd, buf, s->ctx);
		rc = abi_sweep_call(fd, s, buf, (uint32_t)s->min_size, &err);
		abi_check_errno(__FILE__, __LINE__,
				"size == minimum answers as sizeof", want, rc,
				err);
	}

	/* bad argument pointers */
	errno = 0;
	rc = ioctl(fd, s->request, (void *)8);
	abi_check_errno(__FILE__, __LINE__, "argument pointer (void *)8",
			EFAULT, rc, errno);
	errno = 0;
	rc = ioctl(fd, s->request, NULL);
	abi_check_errno(__FILE__, __LINE__, "argument pointer NULL", EFAULT,
			rc, errno);

	/* a larger struct whose tail lies on an unreadable page: EFAULT */
	edge = abi_at_page_end(s->ksize);
	memset(buf, 0, room);
	s->fill(fd, buf, s->ctx);
	memcpy(edge, buf, s->ksize);
	{
		uint32_t size = (uint32_t)(s->ksize + 8);

		memcpy(edge, &size, sizeof(size));
	}
	errno = 0;
	rc = ioctl(fd, s->request, edge);
	abi_check_errno(__FILE__, __LINE__,
			"sizeof+8 with the tail on an unreadable page", EFAULT,
			rc, errno);

	free(buf);
}

#endif /* UIOMMUFD_TESTS_ABI_H */
