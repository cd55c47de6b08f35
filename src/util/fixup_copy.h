/* SPDX-License-Identifier: MIT */
/*
 * fixup_copy: copies into and out of host memory that may vanish, without
 * a per-copy cost.
 *
 * A device DMAs to the host address a domain maps. In the kernel the page is
 * pinned and outlives a munmap() by its owner; here the address is a plain
 * virtual address, so a program that unmaps memory it left mapped in an IOAS
 * would crash the next DMA. The kernel's answer for its own user copies is
 * an exception table: the few instructions that may fault are listed, and
 * the fault handler moves the instruction pointer to a recovery stub that
 * returns an error. We do the same: uio_fixup_copy() and uio_fixup_cas64()
 * are written in assembly (fixup_copy.S) between two labels, and the
 * SIGSEGV/SIGBUS handler of uaccess.c, seeing a fault inside them, resumes
 * at the stub, which returns -EFAULT. A copy that does not fault costs what
 * `rep movsb` costs: no setjmp, no system call.
 *
 * On a machine without the assembly (not x86-64) both fall back to plain C,
 * which does not survive a fault.
 */
#ifndef UIOMMUFD_UTIL_FIXUP_COPY_H
#define UIOMMUFD_UTIL_FIXUP_COPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* copy @n bytes; 0, or -EFAULT if either side faulted (part may be copied) */
int uio_fixup_copy(void *dst, const void *src, size_t n);

/*
 * The same for 8 <= @n <= 16, inline: two overlapping 8-byte moves (an
 * aligned 8-byte DMA is one access, as on a bus). The four moves are listed
 * in the uio_extable section, as the kernel lists its user accesses: the
 * fault handler finds the faulting instruction there and resumes at the
 * stub that makes the copy return -EFAULT. Entries are PC-relative, so the
 * table needs no relocation in the shared library.
 */
struct uio_extable_entry {
	int32_t insn;  /* faulting instruction, relative to this field */
	int32_t fixup; /* where to resume, relative to this field */
};

#if defined(__x86_64__)
static inline __attribute__((always_inline)) int
uio_fixup_copy_8_16(void *dst, const void *src, size_t n)
{
	uint64_t a, b;
	int err = 0;

	__asm__ __volatile__(
		"1:	movq (%[s]), %[a]\n"
		"2:	movq -8(%[s],%[n]), %[b]\n"
		"3:	movq %[a], (%[d])\n"
		"4:	movq %[b], -8(%[d],%[n])\n"
		"5:\n"
		"	.pushsection .text.uio_fixup_stub, \"ax\"\n"
		"6:	movl $-14, %[err]\n"
		"	jmp 5b\n"
		"	.popsection\n"
		"	.pushsection uio_extable, \"a\"\n"
		"	.balign 4\n"
		"	.long 1b - ., 6b - .\n"
		"	.long 2b - ., 6b - .\n"
		"	.long 3b - ., 6b - .\n"
		"	.long 4b - ., 6b - .\n"
		"	.popsection\n"
		: [err] "+r"(err), [a] "=&r"(a), [b] "=&r"(b)
		: [s] "r"(src), [d] "r"(dst), [n] "r"(n)
		: "memory");
	return err;
}
#else
static inline int uio_fixup_copy_8_16(void *dst, const void *src, size_t n)
{
	return uio_fixup_copy(dst, src, n);
}
#endif

/*
 * 64-bit compare-and-swap at @p: 0 if *@p was *@expected and now is
 * @desired, 1 if not (*@expected then holds the value found), -EFAULT.
 */
int uio_fixup_cas64(uint64_t *p, uint64_t *expected, uint64_t desired);

/* for the fault handler: is @ip inside the copies? where to resume */
bool uio_fixup_ip(uintptr_t ip, uintptr_t *resume);

#endif
