/* SPDX-License-Identifier: MIT */
/* Capability checks, the user-space stand-in for the kernel's capable(). */
#ifndef UIOMMUFD_UTIL_CAPS_H
#define UIOMMUFD_UTIL_CAPS_H

#include <stdbool.h>

/* true if the calling thread has @cap (CAP_*) in its effective set */
bool uio_capable(int cap);

#endif
