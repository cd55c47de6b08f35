/* SPDX-License-Identifier: MIT */
/* Public symbols are marked here; everything else stays hidden. */
#ifndef UIOMMUFD_UTIL_EXPORT_H
#define UIOMMUFD_UTIL_EXPORT_H

#define UIOMMUFD_EXPORT __attribute__((visibility("default")))

#endif
