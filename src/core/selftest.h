/* SPDX-License-Identifier: MIT */
/*
 * What the selftest's mock-device ops share (selftest_mock.c,
 * selftest_nested.c): the SELFTEST object that owns a mock device, and the
 * mock driver's per-device state.
 */
#ifndef UIOMMUFD_CORE_SELFTEST_H
#define UIOMMUFD_CORE_SELFTEST_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/iommufd_test.h>

#include "core/iommufd_private.h"

struct uio_dev;

struct selftest_obj {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct iommufd_device *idev;
	struct uio_dev *dev;
	/* PASID 1024 fakes a driver failure on every second set (below) */
	bool pasid_1024_fake_error;
};

/*
 * What the mock driver keeps per device: a small cache that vIOMMU cache
 * invalidation clears (DEV_CHECK_CACHE reads it). Hung off the device's
 * model_priv.
 */
struct mock_dev_state {
	uint32_t cache[MOCK_DEV_CACHE_NUM];
};

/* a SELFTEST object held for this call, or ERR_PTR(-ENOENT) */
struct selftest_obj *get_selftest_obj(struct iommufd_ucmd *ucmd, uint32_t id);

/* a paging HWPT of the mock IOMMU held for this call: ENOENT for no
 * paging HWPT, EINVAL for a domain of another model (selftest_mock.c) */
struct iommufd_hwpt_paging *get_mock_hwpt(struct iommufd_ucmd *ucmd,
					  uint32_t id);

/* selftest_dmabuf.c */
int iommufd_test_dmabuf_get(uint32_t length, uint32_t open_flags);
int iommufd_test_dmabuf_revoke(int dmabuf_fd, bool revoked);
int iommufd_test_md_check_dmabuf(struct iommufd_ucmd *ucmd, uint32_t hwpt_id,
				 int dmabuf_fd, uint64_t iova, uint64_t length,
				 uint64_t offset);

/* selftest_nested.c */
int iommufd_test_md_check_iotlb(struct iommufd_ucmd *ucmd, uint32_t hwpt_id,
				uint32_t iotlb_id, uint32_t iotlb);
int iommufd_test_trigger_iopf(struct iommufd_ucmd *ucmd);
int iommufd_test_trigger_vevent(struct iommufd_ucmd *ucmd);
int iommufd_test_pasid_op(struct iommufd_ucmd *ucmd);

#endif
