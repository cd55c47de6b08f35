/* SPDX-License-Identifier: MIT */
/*
 * Error pointers: a pointer-returning function returns either a valid pointer
 * or -errno folded into the top 4095 values of the address space, the way the
 * kernel does, so that one return value carries both outcomes.
 */
#ifndef UIOMMUFD_UTIL_ERR_H
#define UIOMMUFD_UTIL_ERR_H

#include <stdbool.h>
#include <stdint.h>

#define MAX_ERRNO 4095

static inline void *ERR_PTR(long error)
{
	return (void *)error;
}

static inline long PTR_ERR(const void *ptr)
{
	return (long)ptr;
}

static inline bool IS_ERR(const void *ptr)
{
	return (uintptr_t)ptr >= (uintptr_t)-MAX_ERRNO;
}

static inline bool IS_ERR_OR_NULL(const void *ptr)
{
	return !ptr || IS_ERR(ptr);
}

#endif
