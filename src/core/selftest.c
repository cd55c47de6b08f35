/* SPDX-License-Identifier: MIT */
/*
 * IOMMU_TEST_CMD: the kernel selftest's private command (its
 * CONFIG_IOMMUFD_TEST hook), served so that the unmodified selftest can run.
 *
 * Served now: ADD_RESERVED (reserve IOVA in an IOAS), MD_CHECK_REFS (each
 * page of a user range has exactly the given number of pins: the selftest
 * calls it in every teardown), SET_TEMP_MEMORY_LIMIT (the page budget of an
 * access's pinned-page store). MOCK_DOMAIN(_FLAGS) and MOCK_DOMAIN_REPLACE
 * check their arguments and look their objects up (ENOENT when missing) but
 * cannot make mock devices yet (EOPNOTSUPP). Other ops that need mock
 * domains, devices or accesses are answered as the kernel answers an op it
 * does not know: EOPNOTSUPP.
 */
#include <errno.h>
#include <inttypes.h>

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>

#include "core/iommufd_private.h"
#include "core/pages.h"
#include "util/overflow.h"
#include "util/page.h"
#include "util/uaccess.h"

/* pages an access may keep pinned in its store (kernel default 65536) */
unsigned int iommufd_test_memory_limit = 65536;

static int iommufd_test_add_reserved(struct iommufd_ucmd *ucmd,
				     uint32_t ioas_id, uint64_t start,
				     uint64_t length)
{
	struct iommufd_ioas *ioas;
	uint64_t last;
	int rc;

	if (!length)
		return uio_fail(-EINVAL, "reserved length is 0");
	if (check_add_overflow(start, length - 1, &last))
		return uio_fail(-EOVERFLOW, "reserved range wraps");
	ioas = iommufd_get_ioas(ucmd->ictx, ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	rc = iopt_reserve_iova(&ioas->iopt, start, last, NULL);
	iommufd_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

static int iommufd_test_md_check_refs(struct iommufd_ucmd *ucmd,
				      void *uptr, uint64_t length,
				      unsigned int refs)
{
	uintptr_t va = (uintptr_t)uptr;
	unsigned char probe;

	uint64_t end;

	if (length % PAGE_SIZE || va % PAGE_SIZE ||
	    check_add_overflow((uint64_t)va, length, &end))
		return uio_fail(-EINVAL,
				"range %p + 0x%" PRIx64 " is not page aligned",
				uptr, length);
	for (; length; length -= PAGE_SIZE, va += PAGE_SIZE) {
		uint64_t count;

		/* like get_user_pages(): the page must be there */
		if (copy_from_user(&probe, (void *)va, 1))
			return uio_fail(-EFAULT, "no page at 0x%lx",
					(unsigned long)va);
		count = pin_ledger_refs(va);
		if (count != refs)
			return uio_fail(-EIO,
					"page 0x%lx has %" PRIu64
					" pins, expected %u",
					(unsigned long)va, count, refs);
	}
	return 0;
}

/*
 * MOCK_DOMAIN(_FLAGS): make a mock device and attach it to cmd->id. Mock
 * devices arrive with the hardware models; until then the flags are checked
 * and the page table looked up as the kernel does (ENOENT for a missing
 * one), and an existing one is answered with EOPNOTSUPP.
 */
static int iommufd_test_mock_domain(struct iommufd_ucmd *ucmd, uint32_t pt_id,
				    uint32_t dev_flags)
{
	struct iommufd_object *pt_obj;

	if (dev_flags & ~(MOCK_FLAGS_DEVICE_NO_DIRTY | MOCK_FLAGS_DEVICE_PASID))
		return uio_fail(-EINVAL, "dev_flags 0x%x unknown", dev_flags);
	pt_obj = iommufd_get_object(ucmd->ictx, pt_id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(pt_obj))
		return PTR_ERR(pt_obj);
	iommufd_put_object(ucmd->ictx, pt_obj);
	return uio_fail(-EOPNOTSUPP, "mock devices are not served yet");
}

/* MOCK_DOMAIN_REPLACE: cmd->id names a mock device; none can exist yet. */
static int iommufd_test_mock_domain_replace(struct iommufd_ucmd *ucmd,
					    uint32_t stdev_id)
{
	struct iommufd_object *obj;

	obj = iommufd_get_object(ucmd->ictx, stdev_id, IOMMUFD_OBJ_SELFTEST);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	iommufd_put_object(ucmd->ictx, obj);
	return uio_fail(-EOPNOTSUPP, "mock devices are not served yet");
}

int iommufd_test_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;

	switch (cmd->op) {
	case IOMMU_TEST_OP_ADD_RESERVED:
		return iommufd_test_add_reserved(ucmd, cmd->id,
						 cmd->add_reserved.start,
						 cmd->add_reserved.length);
	case IOMMU_TEST_OP_MD_CHECK_REFS:
		return iommufd_test_md_check_refs(
			ucmd, u64_to_user_ptr(cmd->check_refs.uptr),
			cmd->check_refs.length, cmd->check_refs.refs);
	case IOMMU_TEST_OP_MOCK_DOMAIN:
		return iommufd_test_mock_domain(ucmd, cmd->id, 0);
	case IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS:
		return iommufd_test_mock_domain(ucmd, cmd->id,
						cmd->mock_domain_flags.dev_flags);
	case IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE:
		return iommufd_test_mock_domain_replace(ucmd, cmd->id);
	case IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT:
		/* the kernel's batch needs room for one entry at least */
		if (cmd->memory_limit.limit <
		    sizeof(unsigned long) + sizeof(uint32_t))
			return uio_fail(-EINVAL, "memory limit %u too small",
					cmd->memory_limit.limit);
		iommufd_test_memory_limit = cmd->memory_limit.limit;
		return 0;
	default:
		return uio_fail(-EOPNOTSUPP, "test op %u is not served yet",
				cmd->op);
	}
}
