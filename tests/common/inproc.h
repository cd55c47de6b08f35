/* SPDX-License-Identifier: MIT */
/*
 * Small wrappers shared by the tests that drive the engine in-process
 * (uiommufd_ioctl() on a descriptor from uiommufd_open()): each builds one
 * ioctl's struct and returns the call's result (0 or -errno).
 */
#ifndef UIOMMUFD_TESTS_COMMON_INPROC_H
#define UIOMMUFD_TESTS_COMMON_INPROC_H

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <linux/iommufd.h>

#include "uiommufd/uiommufd.h"

/* @len bytes of fresh anonymous memory aligned to @align; aborts if none */
static inline void *aligned_buffer(size_t len, size_t align)
{
	char *p = mmap(NULL, len + align, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		abort();
	return (void *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
}

static inline long ioas_alloc(int fd, uint32_t *id)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	long rc = uiommufd_ioctl(fd, IOMMU_IOAS_ALLOC, &cmd);

	*id = cmd.out_ioas_id;
	return rc;
}

/* IOAS_MAP at a fixed @iova with IOMMU_IOAS_MAP_* @prot */
static inline long map(int fd, uint32_t ioas, void *va, uint64_t len,
		       uint64_t iova, uint32_t prot)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | prot,
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};

	return uiommufd_ioctl(fd, IOMMU_IOAS_MAP, &cmd);
}

static inline long unmap(int fd, uint32_t ioas, uint64_t iova, uint64_t len)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.iova = iova,
		.length = len,
	};

	return uiommufd_ioctl(fd, IOMMU_IOAS_UNMAP, &cmd);
}

#endif
