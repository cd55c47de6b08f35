/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for dma-bufs (core/dmabuf.c) and their import as iopt_pages:
 * the test buffer's lengths; its pages are zeroed, separate (no page
 * follows the one before it, and an inaccessible page follows each) and
 * are the memfd's pages; the program's fd cannot resize them; attachments
 * hear a revoke once, a revoked buffer refuses new ones until restored;
 * imported pages look each page up, hold the buffer past its fd's close,
 * and refuse ranges past the buffer's end and access pins.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/dmabuf.h"
#include "core/pages.h"
#include "uiommufd/uiommufd.h"
#include "util/err.h"
#include "util/page.h"
#include "util/uaccess.h"

static void test_lengths(void **state)
{
	assert_int_equal(uio_dmabuf_test_create(0, O_CLOEXEC), -EINVAL);
	assert_int_equal(uio_dmabuf_test_create(PAGE_SIZE - 1, O_CLOEXEC),
			 -EINVAL);
	assert_int_equal(uio_dmabuf_test_create(PAGE_SIZE + 1, O_CLOEXEC),
			 -EINVAL);
	assert_int_equal(uio_dmabuf_test_create(
				 (UIO_DMABUF_TEST_MAX_PAGES + 1) * PAGE_SIZE,
				 O_CLOEXEC),
			 -EINVAL);
}

static void test_pages_are_separate(void **state)
{
	int fd = uio_dmabuf_test_create(8 * PAGE_SIZE, O_CLOEXEC);
	struct uio_dmabuf *dmabuf;
	unsigned char probe;
	char byte;
	uint64_t i;

	/* fault-safe copies, with cmocka's handler already in place */
	uaccess_init();
	assert_true(fd >= 0);
	dmabuf = uio_dmabuf_lookup(fd);
	assert_non_null(dmabuf);
	assert_true(uio_dmabuf_is_test(dmabuf));
	assert_int_equal(dmabuf->npages, 8);
	for (i = 0; i < dmabuf->npages; i++) {
		char *va = (char *)dmabuf->page_va[i];

		assert_int_equal(va[0], 0);
		assert_int_equal(va[PAGE_SIZE - 1], 0);
		/* nothing after a page: an overrun faults */
		assert_int_not_equal(copy_from_user(&probe, va + PAGE_SIZE, 1),
				     0);
		if (i)
			assert_true(dmabuf->page_va[i] !=
				    dmabuf->page_va[i - 1] + PAGE_SIZE);
		/* the pages are the fd's, at their offsets */
		va[5] = (char)(0x40 + i);
		assert_int_equal(pread(fd, &byte, 1, i * PAGE_SIZE + 5), 1);
		assert_int_equal(byte, (char)(0x40 + i));
		assert_int_equal(uio_dmabuf_addr(dmabuf, i * PAGE_SIZE + 7),
				 dmabuf->page_va[i] + 7);
	}
	/* the size is found at SEEK_END, and the program cannot change it */
	assert_int_equal(lseek(fd, 0, SEEK_END), 8 * PAGE_SIZE);
	assert_int_not_equal(ftruncate(fd, PAGE_SIZE), 0);
	assert_int_not_equal(ftruncate(fd, 16 * PAGE_SIZE), 0);
	uio_dmabuf_put(dmabuf);
	assert_int_equal(uiommufd_close(fd), 0);
}

struct fake_importer {
	struct uio_dmabuf_attachment attach;
	unsigned int revokes;
};

static void fake_revoke(struct uio_dmabuf_attachment *attach)
{
	((struct fake_importer *)attach)->revokes++;
}

static const struct uio_dmabuf_importer_ops fake_ops = {
	.revoke = fake_revoke,
};

static void test_attach_and_revoke(void **state)
{
	int fd = uio_dmabuf_test_create(PAGE_SIZE, 0);
	struct fake_importer a = {}, b = {};
	struct uio_dmabuf *dmabuf;

	assert_true(fd >= 0);
	dmabuf = uio_dmabuf_get(fd);
	assert_false(IS_ERR(dmabuf));
	assert_int_equal(uio_dmabuf_attach(dmabuf, &a.attach, &fake_ops), 0);
	uio_dmabuf_set_revoked(dmabuf, true);
	uio_dmabuf_set_revoked(dmabuf, true);
	assert_int_equal(a.revokes, 1);
	assert_int_equal(uio_dmabuf_attach(dmabuf, &b.attach, &fake_ops),
			 -ENODEV);
	uio_dmabuf_set_revoked(dmabuf, false);
	assert_int_equal(uio_dmabuf_attach(dmabuf, &b.attach, &fake_ops), 0);
	uio_dmabuf_set_revoked(dmabuf, true);
	assert_int_equal(a.revokes, 2);
	assert_int_equal(b.revokes, 1);
	uio_dmabuf_detach(dmabuf, &a.attach);
	uio_dmabuf_detach(dmabuf, &b.attach);
	uio_dmabuf_put(dmabuf);
	assert_int_equal(uiommufd_close(fd), 0);
}

static void test_get_errors(void **state)
{
	int pipefd[2];

	assert_int_equal(PTR_ERR(uio_dmabuf_get(-1)), -EBADF);
	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(PTR_ERR(uio_dmabuf_get(pipefd[0])), -EINVAL);
	assert_null(uio_dmabuf_lookup(pipefd[0]));
	close(pipefd[0]);
	close(pipefd[1]);
	assert_int_equal(PTR_ERR(uio_dmabuf_get(pipefd[0])), -EBADF);
}

static void test_import(void **state)
{
	int fd = uio_dmabuf_test_create(4 * PAGE_SIZE, O_CLOEXEC);
	struct uio_dmabuf *dmabuf;
	struct iopt_pages *pages;
	uint64_t start_byte = 0, i;
	uintptr_t va;

	assert_true(fd >= 0);
	dmabuf = uio_dmabuf_lookup(fd);
	assert_non_null(dmabuf);
	pages = iopt_alloc_dmabuf_pages(dmabuf, 3 * PAGE_SIZE + 1, PAGE_SIZE,
					true, &start_byte);
	assert_int_equal(PTR_ERR(pages), -EINVAL);
	pages = iopt_alloc_dmabuf_pages(dmabuf, 4 * PAGE_SIZE, 1, true,
					&start_byte);
	assert_int_equal(PTR_ERR(pages), -EINVAL);
	pages = iopt_alloc_dmabuf_pages(dmabuf, PAGE_SIZE + 8, 2 * PAGE_SIZE,
					true, &start_byte);
	assert_false(IS_ERR(pages));
	assert_int_equal(start_byte, 8);
	assert_int_equal(pages->type, IOPT_ADDRESS_DMABUF);
	assert_int_equal(pages->npages, 3);
	for (i = 0; i < pages->npages; i++)
		assert_int_equal(iopt_pages_index_va(pages, i),
				 dmabuf->page_va[1 + i]);
	/* nothing to pin */
	assert_int_equal(iopt_pages_add_access(pages, 0, 0), -EINVAL);
	assert_false(iopt_pages_revoked(pages));

	/* the pages keep the buffer: close its fd, the memory stays */
	va = dmabuf->page_va[1];
	uio_dmabuf_put(dmabuf);
	assert_int_equal(uiommufd_close(fd), 0);
	*(volatile char *)va = 1;

	/* revoked through the importer: for good */
	uio_dmabuf_set_revoked(pages->dmabuf, true);
	assert_true(iopt_pages_revoked(pages));
	uio_dmabuf_set_revoked(pages->dmabuf, false);
	assert_true(iopt_pages_revoked(pages));
	iopt_put_pages(pages);
}

static void test_import_revoked(void **state)
{
	int fd = uio_dmabuf_test_create(PAGE_SIZE, O_CLOEXEC);
	struct uio_dmabuf *dmabuf = uio_dmabuf_lookup(fd);
	uint64_t start_byte;

	assert_non_null(dmabuf);
	uio_dmabuf_set_revoked(dmabuf, true);
	assert_int_equal(PTR_ERR(iopt_alloc_dmabuf_pages(dmabuf, 0, PAGE_SIZE,
							 false, &start_byte)),
			 -ENODEV);
	/* the range is checked first */
	assert_int_equal(PTR_ERR(iopt_alloc_dmabuf_pages(dmabuf, 0,
							 2 * PAGE_SIZE, false,
							 &start_byte)),
			 -EINVAL);
	uio_dmabuf_put(dmabuf);
	assert_int_equal(uiommufd_close(fd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_pages_are_separate),
		cmocka_unit_test(test_attach_and_revoke),
		cmocka_unit_test(test_get_errors),
		cmocka_unit_test(test_import),
		cmocka_unit_test(test_import_revoked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
