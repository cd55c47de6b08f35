/* SPDX-License-Identifier: MIT */
/* The host page size (x86-64 and arm64 4K kernels: 4 KiB). */
#ifndef UIOMMUFD_UTIL_PAGE_H
#define UIOMMUFD_UTIL_PAGE_H

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))

#endif
