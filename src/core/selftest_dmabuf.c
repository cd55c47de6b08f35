/* SPDX-License-Identifier: MIT */
/*
 * The selftest's dma-buf ops: DMABUF_GET makes a test buffer (dmabuf.h)
 * and returns its fd as the ioctl's value; DMABUF_REVOKE revokes or
 * restores it, as its exporter would; MD_CHECK_DMABUF reads a mock domain
 * back and compares every IOMMU page with the buffer page it must map.
 *
 * The descriptors are looked up as the kernel's dma_buf_get() does: EBADF
 * for a number that is not open, EINVAL for a file that is not a dma-buf.
 * A dma-buf of another exporter is EOPNOTSUPP for REVOKE and EINVAL for
 * MD_CHECK_DMABUF, as in the kernel's selftest driver.
 */
#include <errno.h>
#include <inttypes.h>

#include "core/dmabuf.h"
#include "core/iommufd_private.h"
#include "core/selftest.h"
#include "hw/hw.h"
#include "util/overflow.h"

int iommufd_test_dmabuf_get(uint32_t length, uint32_t open_flags)
{
	return uio_dmabuf_test_create(length, (int)open_flags);
}

int iommufd_test_dmabuf_revoke(int dmabuf_fd, bool revoked)
{
	struct uio_dmabuf *dmabuf = uio_dmabuf_get(dmabuf_fd);
	int rc = 0;

	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	if (!uio_dmabuf_is_test(dmabuf))
		rc = uio_fail(-EOPNOTSUPP, "fd %d is not a test dma-buf",
			      dmabuf_fd);
	else
		uio_dmabuf_set_revoked(dmabuf, revoked);
	uio_dmabuf_put(dmabuf);
	return rc;
}

int iommufd_test_md_check_dmabuf(struct iommufd_ucmd *ucmd, uint32_t hwpt_id,
				 int dmabuf_fd, uint64_t iova, uint64_t length,
				 uint64_t offset)
{
	struct iommufd_hwpt_paging *hwpt_paging;
	struct uio_dmabuf *dmabuf;
	struct uio_domain *domain;
	uint64_t step, end, i;
	int rc = 0;

	hwpt_paging = get_mock_hwpt(ucmd, hwpt_id);
	if (IS_ERR(hwpt_paging))
		return PTR_ERR(hwpt_paging);
	domain = hwpt_paging->common.domain;
	dmabuf = uio_dmabuf_get(dmabuf_fd);
	if (IS_ERR(dmabuf)) {
		rc = PTR_ERR(dmabuf);
		goto out_put_hwpt;
	}
	if (!uio_dmabuf_is_test(dmabuf)) {
		rc = uio_fail(-EINVAL, "fd %d is not a test dma-buf",
			      dmabuf_fd);
		goto out_put_dmabuf;
	}
	/* the domain's smallest page: 2 KiB for the mock */
	step = domain->pgsize_bitmap & -domain->pgsize_bitmap;
	if (iova % step || length % step || offset % step ||
	    check_add_overflow(offset, length, &end) || end > dmabuf->size) {
		rc = uio_fail(-EINVAL,
			      "iova 0x%" PRIx64 ", length 0x%" PRIx64
			      " or offset 0x%" PRIx64
			      " is not on 0x%" PRIx64
			      " or reaches past the dma-buf (0x%" PRIx64 ")",
			      iova, length, offset, step, dmabuf->size);
		goto out_put_dmabuf;
	}
	for (i = 0; i < length; i += step) {
		uintptr_t expect = uio_dmabuf_addr(dmabuf, offset + i);
		uint64_t oa = 0;

		if (uio_domain_iova_to_phys(domain, iova + i, &oa, NULL) ||
		    oa != expect) {
			rc = uio_fail(-EINVAL,
				      "iova 0x%" PRIx64 " translates to 0x%" PRIx64
				      ", not to byte 0x%" PRIx64
				      " of the dma-buf (0x%" PRIxPTR ")",
				      iova + i, oa, offset + i, expect);
			break;
		}
	}
out_put_dmabuf:
	uio_dmabuf_put(dmabuf);
out_put_hwpt:
	iommufd_put_object(ucmd->ictx, &hwpt_paging->common.obj);
	return rc;
}
