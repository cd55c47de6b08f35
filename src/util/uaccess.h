/* SPDX-License-Identifier: MIT */
/*
 * Access to caller memory that may be invalid.
 *
 * The kernel answers a bad user pointer with EFAULT; so must we, without
 * crashing the caller. A system call per access (process_vm_readv) would
 * cost more than the ioctl itself, so we do what the kernel does with its
 * exception tables: copy with plain loads and stores, and if one faults, a
 * SIGSEGV/SIGBUS handler sees that this thread is inside a user copy and
 * jumps back to the copy's failure exit. Faults outside a user copy are
 * passed on to whatever handler was installed before ours (or the default
 * action), so the program's own crashes still crash the way they would.
 *
 * Addresses below 64 KiB are refused without touching them: the
 * cheapest and most common bad pointer (NULL plus an offset).
 */
#ifndef UIOMMUFD_UTIL_UACCESS_H
#define UIOMMUFD_UTIL_UACCESS_H

#include <stddef.h>
#include <stdint.h>

/* install the fault handler (idempotent, thread-safe) */
void uaccess_init(void);

/* 0 or -EFAULT; on -EFAULT the destination may be partly written */
int copy_from_user(void *dst, const void *usrc, size_t n);
int copy_to_user(void *udst, const void *src, size_t n);
/* write @n zero bytes to user memory; 0 or -EFAULT */
int clear_user(void *udst, size_t n);

/* 0 if every byte of [usrc, usrc + n) reads as zero, 1 if one does not,
 * -EFAULT if the range cannot be read */
int user_range_is_zero(const void *usrc, size_t n);

/*
 * Copy a caller's extensible struct of @usize bytes into @dst (@ksize bytes,
 * the struct we know) under the kernel's rules: a shorter struct is
 * zero-extended, a longer one must be zero past @ksize (-E2BIG otherwise);
 * -EFAULT for memory that cannot be read. Records the reason on failure.
 */
int copy_struct_from_user(void *dst, size_t ksize, const void *src,
			  size_t usize);

/*
 * The first @minsz bytes of a VFIO-style struct (its first __u32 is argsz)
 * at @uarg into @dst: -EFAULT (unreadable) or -EINVAL (argsz < @minsz),
 * each with a reason, in the kernel's order.
 */
int copy_argsz_struct_from_user(void *dst, const void *uarg, size_t minsz);

static inline void *u64_to_user_ptr(uint64_t v)
{
	return (void *)(uintptr_t)v;
}

#endif
