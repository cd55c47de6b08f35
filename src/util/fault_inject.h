/* SPDX-License-Identifier: MIT */
/*
 * Fault injection (fail-nth), the user-space twin of the kernel's
 * /proc/self/task/N/fail-nth: arm it with N and the N-th failure point
 * reached afterwards reports failure, once. Every allocation in the engine
 * and every other operation that can fail for environmental reasons (memfd
 * creation, a page of a file that cannot be read) passes through
 * fail_nth_point(), so a test can sweep N = 1, 2, ... over a scenario until
 * a run completes without the injection being hit, and prove that each
 * failure path unwinds cleanly.
 *
 * Armed from the UIOMMUFD_FAIL_NTH environment variable at load time, or by
 * uiommufd_fail_nth(). The counter is process-wide.
 */
#ifndef UIOMMUFD_UTIL_FAULT_INJECT_H
#define UIOMMUFD_UTIL_FAULT_INJECT_H

#include <stdatomic.h>
#include <stdbool.h>

#include "util/compiler.h"

extern atomic_long fail_nth_countdown;

bool fail_nth_fire(void);

/* true if this failure point must fail; costs one load when disarmed */
static inline bool fail_nth_point(void)
{
	if (likely(!atomic_load_explicit(&fail_nth_countdown,
					 memory_order_relaxed)))
		return false;
	return fail_nth_fire();
}

#endif
