// SPDX-License-Identifier: MIT
/*
 * Following an older kernel: UIOMMUFD_KERNEL=X.Y (uiommufd-run --kernel).
 *
 * iommufd grew release by release: 6.2 had the IOAS and the VFIO
 * compatibility ioctls, 6.6 added HWPT_ALLOC and GET_HW_INFO and the VFIO
 * device cdev, 6.7 nesting and dirty tracking, and so on. A VMM probes for
 * what it may use and falls back when a call is refused, and those fallback
 * paths are the ones nobody can test without booting the old kernel. So a
 * context can be told to behave as release X.Y: what came later is refused
 * the way X.Y refuses what it does not know. The kernel's dispatch gives
 * ENOTTY for an ioctl number it has no entry for; a flag or data type a
 * release does not know is EOPNOTSUPP where the handler checks its flags
 * (EINVAL in the VFIO cdev's); a struct that grew later is copied at the old
 * size, so the newer fields are E2BIG when non-zero on the way in and are
 * not written on the way out (copy_struct_from_user's rule).
 *
 * What is modelled is the uAPI surface: which ioctls, flags, data types and
 * struct sizes exist. Each release's bugs and errno quirks are not. The
 * release of each feature is from the kernel's merge history; the two
 * marked approximate are the newest and are given as our best knowledge.
 *
 * The release is read from the environment when a context is created, so
 * one process can hold contexts of different releases (the tests do).
 */
#include "core/kernel_compat.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/iommufd.h>

#include "core/iommufd_private.h"
#include "front/options.h"
#include "util/reason.h"

struct kfeature {
	unsigned int since; /* UIO_KVER() of the first release with it */
	bool approximate;   /* the release is our best knowledge */
};

static const struct kfeature kfeatures[UIO_KF_NR] = {
	[UIO_KF_BASE] = { UIO_KVER(6, 2) },
	[UIO_KF_HWPT_ALLOC] = { UIO_KVER(6, 6) },
	[UIO_KF_HW_INFO] = { UIO_KVER(6, 6) },
	[UIO_KF_VFIO_CDEV] = { UIO_KVER(6, 6) },
	[UIO_KF_NESTING] = { UIO_KVER(6, 7) },
	[UIO_KF_DIRTY_TRACKING] = { UIO_KVER(6, 7) },
	[UIO_KF_HWPT_INVALIDATE] = { UIO_KVER(6, 8) },
	[UIO_KF_FAULT_QUEUE] = { UIO_KVER(6, 11) },
	[UIO_KF_VIOMMU] = { UIO_KVER(6, 13) },
	[UIO_KF_MAP_FILE] = { UIO_KVER(6, 13) },
	[UIO_KF_VEVENTQ] = { UIO_KVER(6, 15) },
	[UIO_KF_PASID] = { UIO_KVER(6, 15) },
	[UIO_KF_HW_QUEUE] = { UIO_KVER(6, 17) },
	[UIO_KF_HW_INFO_INPUT] = { UIO_KVER(6, 17) },
	[UIO_KF_AMD_NESTING] = { UIO_KVER(6, 19), true },
	[UIO_KF_TSM] = { UIO_KVER(6, 19), true },
};

unsigned int uio_kernel_from_env(void)
{
	const char *s = getenv(UIOMMUFD_ENV_KERNEL);
	unsigned int kver;

	if (!s || !*s)
		return UIO_KVER_LATEST;
	if (uio_parse_kernel_version(s, &kver)) {
		/* set by hand and mistyped: say so, raw (the shim may own
		 * stdio's fds), and follow the newest */
		static const char msg[] = "uiommufd: UIOMMUFD_KERNEL is not "
					  "'latest' or a release X.Y >= 6.2; "
					  "ignored\n";

		syscall(SYS_write, 2, msg, sizeof(msg) - 1);
		return UIO_KVER_LATEST;
	}
	return kver;
}

bool uio_kernel_has(unsigned int kver, enum uio_kfeature f)
{
	return kver == UIO_KVER_LATEST || kver >= kfeatures[f].since;
}

int uio_kernel_check(unsigned int kver, enum uio_kfeature f, int err,
		     const char *what)
{
	const struct kfeature *kf = &kfeatures[f];

	if (uio_kernel_has(kver, f))
		return 0;
	return uio_fail(-err,
			"%s came in Linux %u.%u%s; following %u.%u (UIOMMUFD_KERNEL)",
			what, kf->since >> 8, kf->since & 0xff,
			kf->approximate ? " (approximately)" : "", kver >> 8,
			kver & 0xff);
}

int iommufd_kernel_check(const struct iommufd_ctx *ictx, enum uio_kfeature f,
			 int err, const char *what)
{
	return uio_kernel_check(ictx->kernel, f, err, what);
}

unsigned int iommufd_kernel_struct_size(const struct iommufd_ctx *ictx,
					unsigned long cmd)
{
	unsigned int kver = ictx->kernel;

	if (kver == UIO_KVER_LATEST)
		return 0;
	switch (cmd) {
	case IOMMU_HWPT_ALLOC:
		/* 6.7 added data_type, data_len, data_uptr; 6.11 fault_id */
		if (!uio_kernel_has(kver, UIO_KF_NESTING))
			return offsetofend(struct iommu_hwpt_alloc, __reserved);
		if (!uio_kernel_has(kver, UIO_KF_FAULT_QUEUE))
			return offsetofend(struct iommu_hwpt_alloc, data_uptr);
		return 0;
	case IOMMU_GET_HW_INFO:
		/* 6.7 added out_capabilities */
		if (!uio_kernel_has(kver, UIO_KF_DIRTY_TRACKING))
			return offsetofend(struct iommu_hw_info, __reserved);
		return 0;
	}
	return 0;
}
