/* SPDX-License-Identifier: MIT */
/* The C side of fixup_copy.h: the handler's question, and the fallbacks. */
#include <string.h>

#include "util/fixup_copy.h"

#if defined(__x86_64__)
extern const char uio_fixup_begin[], uio_fixup_end[], uio_fixup_fault[];
/* the linker's bounds of the inline copies' table (fixup_copy.h) */
extern const struct uio_extable_entry __start_uio_extable[]
	__attribute__((weak, visibility("hidden")));
extern const struct uio_extable_entry __stop_uio_extable[]
	__attribute__((weak, visibility("hidden")));

bool uio_fixup_ip(uintptr_t ip, uintptr_t *resume)
{
	const struct uio_extable_entry *e;

	if (ip >= (uintptr_t)uio_fixup_begin && ip < (uintptr_t)uio_fixup_end) {
		*resume = (uintptr_t)uio_fixup_fault;
		return true;
	}
	for (e = __start_uio_extable; e && e < __stop_uio_extable; e++) {
		if ((uintptr_t)&e->insn + e->insn != ip)
			continue;
		*resume = (uintptr_t)&e->fixup + e->fixup;
		return true;
	}
	return false;
}
#else
bool uio_fixup_ip(uintptr_t ip, uintptr_t *resume)
{
	return false;
}

int uio_fixup_copy(void *dst, const void *src, size_t n)
{
	memcpy(dst, src, n);
	return 0;
}

int uio_fixup_cas64(uint64_t *p, uint64_t *expected, uint64_t desired)
{
	return __atomic_compare_exchange_n(p, expected, desired, false,
					   __ATOMIC_SEQ_CST,
					   __ATOMIC_SEQ_CST) ?
		       0 :
		       1;
}
#endif
