/* SPDX-License-Identifier: MIT */
/*
 * Overflow-checked arithmetic. IOVAs reach U64_MAX, so every sum of a start
 * and a length goes through these: they return true when the result wrapped.
 */
#ifndef UIOMMUFD_UTIL_OVERFLOW_H
#define UIOMMUFD_UTIL_OVERFLOW_H

#include <stdbool.h>
#include <stdint.h>

#define check_add_overflow(a, b, d) __builtin_add_overflow(a, b, d)
#define check_sub_overflow(a, b, d) __builtin_sub_overflow(a, b, d)
#define check_mul_overflow(a, b, d) __builtin_mul_overflow(a, b, d)

/* last byte of [start, start + length), false if length is 0 or it wraps */
static inline bool range_last(uint64_t start, uint64_t length, uint64_t *last)
{
	if (!length)
		return false;
	return !check_add_overflow(start, length - 1, last);
}

static inline bool is_aligned_u64(uint64_t v, uint64_t align)
{
	return !(v & (align - 1));
}

#endif
