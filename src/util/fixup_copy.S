/* SPDX-License-Identifier: MIT */
/*
 * The faulting-allowed copies of fixup_copy.h (x86-64 System V). Every
 * instruction between uio_fixup_begin and uio_fixup_end may fault on host
 * memory; the fault handler then resumes at uio_fixup_fault, which returns
 * -EFAULT to the caller (no stack was pushed inside, so a plain ret works).
 */
#if defined(__x86_64__)
	.section .text.uio_fixup, "ax", @progbits
	.p2align 4
	.globl uio_fixup_begin
	.hidden uio_fixup_begin
uio_fixup_begin:

/* int uio_fixup_copy(void *dst, const void *src, size_t n) */
	.globl uio_fixup_copy
	.hidden uio_fixup_copy
	.type uio_fixup_copy, @function
uio_fixup_copy:
	movq %rdx, %rcx
	rep movsb
	xorl %eax, %eax
	ret
	.size uio_fixup_copy, . - uio_fixup_copy

/* int uio_fixup_cas64(uint64_t *p, uint64_t *expected, uint64_t desired) */
	.globl uio_fixup_cas64
	.hidden uio_fixup_cas64
	.type uio_fixup_cas64, @function
uio_fixup_cas64:
	movq (%rsi), %rax
	lock cmpxchgq %rdx, (%rdi)
	movq %rax, (%rsi)
	setne %al
	movzbl %al, %eax
	ret
	.size uio_fixup_cas64, . - uio_fixup_cas64

	.globl uio_fixup_end
	.hidden uio_fixup_end
uio_fixup_end:

	.globl uio_fixup_fault
	.hidden uio_fixup_fault
	.type uio_fixup_fault, @function
uio_fixup_fault:
	movl $-14, %eax /* -EFAULT */
	ret
	.size uio_fixup_fault, . - uio_fixup_fault
#endif
	.section .note.GNU-stack, "", @progbits
