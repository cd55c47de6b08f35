/* SPDX-License-Identifier: MIT */
/* Small compiler helpers shared by every layer. */
#ifndef UIOMMUFD_UTIL_COMPILER_H
#define UIOMMUFD_UTIL_COMPILER_H

#include <stddef.h>

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define offsetofend(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __must_check __attribute__((warn_unused_result))

#endif
