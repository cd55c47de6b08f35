/* SPDX-License-Identifier: MIT */
/*
 * Fault-tolerant user copies; see uaccess.h for the design. The handler runs
 * with SA_NODEFER so that jumping out of it leaves the signal unblocked, and
 * the jump buffer does not save the signal mask (no system call per copy).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>

#include "util/fixup_copy.h"
#include "util/reason.h"
#include "util/uaccess.h"
#include <ucontext.h>

/* After a fault jumps back, only the return value is used: no argument or
 * local is read again, so "might be clobbered" cannot bite here. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wclobbered"
#endif

#define UACCESS_LOW_LIMIT 0x10000UL

/* volatile: the compiler must store the jump buffer before the copy and
 * clear it after, never fold the two stores into one */
static __thread sigjmp_buf *volatile uaccess_jmp
	__attribute__((tls_model("initial-exec")));

#define barrier() __asm__ __volatile__("" ::: "memory")
static struct sigaction old_segv, old_bus;
static pthread_once_t uaccess_once = PTHREAD_ONCE_INIT;

static void chain(int sig, siginfo_t *info, void *uctx)
{
	struct sigaction *old = sig == SIGBUS ? &old_bus : &old_segv;

	if (old->sa_flags & SA_SIGINFO) {
		old->sa_sigaction(sig, info, uctx);
		return;
	}
	if (old->sa_handler == SIG_DFL || old->sa_handler == SIG_IGN) {
		/* re-raise with the default action: the faulting
		 * instruction runs again and the process dies as it would
		 * have without us */
		signal(sig, SIG_DFL);
		return;
	}
	old->sa_handler(sig);
}

static void uaccess_fault(int sig, siginfo_t *info, void *uctx)
{
	sigjmp_buf *jb = uaccess_jmp;
#if defined(__x86_64__)
	ucontext_t *uc = uctx;
	uintptr_t resume;

	/* a DMA copy (fixup_copy.S): resume at its -EFAULT stub */
	if (uio_fixup_ip(uc->uc_mcontext.gregs[REG_RIP], &resume)) {
		uc->uc_mcontext.gregs[REG_RIP] = resume;
		return;
	}
#endif
	if (jb) {
		uaccess_jmp = NULL;
		siglongjmp(*jb, 1);
	}
	chain(sig, info, uctx);
}

static void uaccess_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = uaccess_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
}

void uaccess_init(void)
{
	pthread_once(&uaccess_once, uaccess_install);
}

static inline bool range_plausible(const void *p, size_t n)
{
	uintptr_t a = (uintptr_t)p;

	return a >= UACCESS_LOW_LIMIT && a + n >= a;
}

/*
 * The copies go through volatile pointers so the compiler cannot move the
 * accesses outside the window in which uaccess_jmp is set. They touch
 * memory the engine does not own, on purpose: AddressSanitizer must not
 * check them (the fault handler does), so they are built without it, and
 * under a sanitizer the bulk path avoids the intercepted memcpy.
 */
#if defined(__SANITIZE_ADDRESS__)
#define UACCESS_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UACCESS_SANITIZED 1
#endif
#endif
#ifndef UACCESS_SANITIZED
#define UACCESS_SANITIZED 0
#endif

#define __no_sanitize_uaccess __attribute__((no_sanitize_address))

static __no_sanitize_uaccess void
copy_bytes(volatile unsigned char *d, const volatile unsigned char *s, size_t n)
{
	/* memcpy is an opaque call between the two barriers around every
	 * use, so it cannot leave the window */
	if (!UACCESS_SANITIZED) {
		memcpy((void *)d, (const void *)s, n);
		return;
	}
	while (n--)
		*d++ = *s++;
}

int copy_from_user(void *dst, const void *usrc, size_t n)
{
	sigjmp_buf jb;

	if (!n)
		return 0;
	if (!range_plausible(usrc, n))
		return -EFAULT;
	if (sigsetjmp(jb, 0))
		return -EFAULT;
	uaccess_jmp = &jb;
	barrier();
	copy_bytes(dst, usrc, n);
	barrier();
	uaccess_jmp = NULL;
	return 0;
}

int copy_to_user(void *udst, const void *src, size_t n)
{
	sigjmp_buf jb;

	if (!n)
		return 0;
	if (!range_plausible(udst, n))
		return -EFAULT;
	if (sigsetjmp(jb, 0))
		return -EFAULT;
	uaccess_jmp = &jb;
	barrier();
	copy_bytes(udst, src, n);
	barrier();
	uaccess_jmp = NULL;
	return 0;
}

__no_sanitize_uaccess int user_range_is_zero(const void *usrc, size_t n)
{
	const volatile unsigned char *s = usrc;
	sigjmp_buf jb;
	int nonzero = 0;
	size_t i;

	if (!n)
		return 0;
	if (!range_plausible(usrc, n))
		return -EFAULT;
	if (sigsetjmp(jb, 0))
		return -EFAULT;
	uaccess_jmp = &jb;
	barrier();
	for (i = 0; i < n; i++) {
		if (s[i]) {
			nonzero = 1;
			break;
		}
	}
	barrier();
	uaccess_jmp = NULL;
	return nonzero;
}

int clear_user(void *udst, size_t n)
{
	static const char zeroes[4096];
	size_t chunk;

	for (; n; n -= chunk, udst = (char *)udst + chunk) {
		chunk = n < sizeof(zeroes) ? n : sizeof(zeroes);
		if (copy_to_user(udst, zeroes, chunk))
			return -EFAULT;
	}
	return 0;
}

int copy_struct_from_user(void *dst, size_t ksize, const void *src,
			  size_t usize)
{
	size_t n = usize < ksize ? usize : ksize;
	int rc;

	if (usize > ksize) {
		rc = user_range_is_zero((const char *)src + ksize,
					usize - ksize);
		if (rc < 0)
			return uio_fail(-EFAULT, "cannot read %zu bytes at %p",
					usize, src);
		if (rc)
			return uio_fail(-E2BIG,
					"size %zu > %zu and the bytes past %zu are not zero",
					usize, ksize, ksize);
	}
	if (copy_from_user(dst, src, n))
		return uio_fail(-EFAULT, "cannot read %zu bytes at %p", n, src);
	if (n < ksize)
		memset((char *)dst + n, 0, ksize - n);
	return 0;
}

int copy_argsz_struct_from_user(void *dst, const void *uarg, size_t minsz)
{
	uint32_t argsz;

	if (copy_from_user(dst, uarg, minsz))
		return uio_fail(-EFAULT, "cannot read %zu bytes at %p", minsz,
				uarg);
	memcpy(&argsz, dst, sizeof(argsz));
	if (argsz < minsz)
		return uio_fail(-EINVAL, "argsz %u < %zu", argsz, minsz);
	return 0;
}
