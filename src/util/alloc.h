/* SPDX-License-Identifier: MIT */
/*
 * Allocation for the engine: every allocation is a fail-nth failure point,
 * so that fault injection reaches each one. Free with uio_free() (NULL ok).
 */
#ifndef UIOMMUFD_UTIL_ALLOC_H
#define UIOMMUFD_UTIL_ALLOC_H

#include <stdlib.h>

#include "util/fault_inject.h"

static inline void *uio_zalloc(size_t size)
{
	if (fail_nth_point())
		return NULL;
	return calloc(1, size);
}

static inline void *uio_calloc(size_t n, size_t size)
{
	if (fail_nth_point())
		return NULL;
	return calloc(n, size);
}

static inline void *uio_malloc(size_t size)
{
	if (fail_nth_point())
		return NULL;
	return malloc(size);
}

static inline void *uio_realloc(void *ptr, size_t size)
{
	if (fail_nth_point())
		return NULL;
	return realloc(ptr, size);
}

static inline void uio_free(void *ptr)
{
	free(ptr);
}

#endif
