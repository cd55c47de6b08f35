/* SPDX-License-Identifier: MIT */
/* container_of(): from a pointer to an embedded member back to its struct. */
#ifndef UIOMMUFD_UTIL_CONTAINER_OF_H
#define UIOMMUFD_UTIL_CONTAINER_OF_H

#include <stddef.h>

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#endif
