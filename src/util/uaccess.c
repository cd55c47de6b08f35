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

#include "util/uaccess.h"

#define UACCESS_LOW_LIMIT 0x10000UL

static __thread sigjmp_buf *uaccess_jmp;
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

/* The copies go through volatile pointers so the compiler cannot move the
 * accesses outside the window in which uaccess_jmp is set. */
static void copy_bytes(volatile unsigned char *d, const volatile unsigned char *s,
		       size_t n)
{
	if (n >= 64) {
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
	copy_bytes(dst, usrc, n);
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
	copy_bytes(udst, src, n);
	uaccess_jmp = NULL;
	return 0;
}

int user_range_is_zero(const void *usrc, size_t n)
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
	for (i = 0; i < n; i++) {
		if (s[i]) {
			nonzero = 1;
			break;
		}
	}
	uaccess_jmp = NULL;
	return nonzero;
}
