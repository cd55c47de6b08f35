/* SPDX-License-Identifier: MIT */
/*
 * Why a call failed, in words. The check that refuses a call records its
 * reason here at the point of refusal ("iova 0x1000 overlaps reserved range
 * [0x0, 0x1fff]"), so the trace never has to guess from the errno. One buffer
 * per thread; cleared at the start of each call, read by
 * uiommufd_last_reason(). Formatting happens only on failure paths.
 */
#ifndef UIOMMUFD_UTIL_REASON_H
#define UIOMMUFD_UTIL_REASON_H

#include "util/compiler.h"

void uio_reason_clear(void);

/* record the reason and return @err, so a check reads
 * `return uio_fail(-EINVAL, "length %llu not aligned", len);` */
int uio_fail(int err, const char *fmt, ...) __printf(2, 3);

/* like uio_fail() but keeps an earlier, more specific reason if one is set */
int uio_fail_keep(int err, const char *fmt, ...) __printf(2, 3);

const char *uio_reason_get(void);

#endif
