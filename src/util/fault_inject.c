/* SPDX-License-Identifier: MIT */
/*
 * fail-nth counter; see fault_inject.h. The countdown is 0 when disarmed,
 * else the number of failure points still to pass before one fails.
 */
#include <stdlib.h>

#include "util/export.h"
#include "util/fault_inject.h"
#include "uiommufd/uiommufd.h"

atomic_long fail_nth_countdown;
static atomic_bool fail_nth_was_hit;

bool fail_nth_fire(void)
{
	long old = atomic_load(&fail_nth_countdown);

	while (old > 0) {
		if (atomic_compare_exchange_weak(&fail_nth_countdown, &old,
						 old - 1)) {
			if (old == 1) {
				atomic_store(&fail_nth_was_hit, true);
				return true;
			}
			return false;
		}
	}
	return false;
}

UIOMMUFD_EXPORT void uiommufd_fail_nth(unsigned long nth)
{
	atomic_store(&fail_nth_was_hit, false);
	atomic_store(&fail_nth_countdown, (long)nth);
}

UIOMMUFD_EXPORT bool uiommufd_fail_nth_hit(void)
{
	return atomic_load(&fail_nth_was_hit);
}

__attribute__((constructor)) static void fail_nth_from_env(void)
{
	const char *s = getenv("UIOMMUFD_FAIL_NTH");
	char *end;
	unsigned long n;

	if (!s || !*s)
		return;
	n = strtoul(s, &end, 0);
	if (*end == '\0')
		uiommufd_fail_nth(n);
}
