/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for pages: the pin ledger (counts per page, overlapping pins)
 * and RLIMIT_MEMLOCK accounting (refusal past the limit, no charge with
 * CAP_IPC_LOCK, uncharge on unpin, separate user and process counters).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/pages.h"
#include "util/page.h"

#define VA 0x7f0000000000UL

static int reset(void **state)
{
	pin_ledger_set_limit(16 * PAGE_SIZE, 0);
	return 0;
}

static void test_refs_count_overlapping_pins(void **state)
{
	struct pin_record *a, *b;

	assert_int_equal(pin_ledger_pin(VA, 4, IOPT_PAGES_ACCOUNT_USER, &a), 0);
	assert_int_equal(pin_ledger_pin(VA + 2 * PAGE_SIZE, 4,
					IOPT_PAGES_ACCOUNT_USER, &b),
			 0);
	assert_int_equal(pin_ledger_refs(VA), 1);
	assert_int_equal(pin_ledger_refs(VA + 2 * PAGE_SIZE), 2);
	assert_int_equal(pin_ledger_refs(VA + 3 * PAGE_SIZE + 17), 2);
	assert_int_equal(pin_ledger_refs(VA + 5 * PAGE_SIZE), 1);
	assert_int_equal(pin_ledger_refs(VA + 6 * PAGE_SIZE), 0);
	assert_int_equal(pin_ledger_charged(IOPT_PAGES_ACCOUNT_USER), 8);
	pin_ledger_unpin(a);
	pin_ledger_unpin(b);
	assert_int_equal(pin_ledger_refs(VA + 2 * PAGE_SIZE), 0);
	assert_int_equal(pin_ledger_charged(IOPT_PAGES_ACCOUNT_USER), 0);
}

static void test_limit_refuses_with_enomem(void **state)
{
	struct pin_record *a, *b;

	assert_int_equal(pin_ledger_pin(VA, 10, IOPT_PAGES_ACCOUNT_USER, &a),
			 0);
	assert_int_equal(pin_ledger_pin(VA, 7, IOPT_PAGES_ACCOUNT_USER, &b),
			 -ENOMEM);
	assert_int_equal(pin_ledger_charged(IOPT_PAGES_ACCOUNT_USER), 10);
	assert_int_equal(pin_ledger_refs(VA), 1);
	/* the process counter is separate */
	assert_int_equal(pin_ledger_pin(VA, 7, IOPT_PAGES_ACCOUNT_MM, &b), 0);
	assert_int_equal(pin_ledger_charged(IOPT_PAGES_ACCOUNT_MM), 7);
	pin_ledger_unpin(b);
	assert_int_equal(pin_ledger_pin(VA, 6, IOPT_PAGES_ACCOUNT_USER, &b), 0);
	pin_ledger_unpin(b);
	pin_ledger_unpin(a);
	assert_int_equal(pin_ledger_charged(IOPT_PAGES_ACCOUNT_USER), 0);
	assert_int_equal(pin_ledger_charged(IOPT_PAGES_ACCOUNT_MM), 0);
}

static void test_cap_ipc_lock_is_not_charged(void **state)
{
	struct pin_record *a;

	pin_ledger_set_limit(PAGE_SIZE, 1);
	assert_int_equal(pin_ledger_pin(VA, 100, IOPT_PAGES_ACCOUNT_USER, &a),
			 0);
	assert_int_equal(pin_ledger_charged(IOPT_PAGES_ACCOUNT_USER), 0);
	assert_int_equal(pin_ledger_refs(VA + 99 * PAGE_SIZE), 1);
	pin_ledger_unpin(a);
	assert_int_equal(pin_ledger_charged(IOPT_PAGES_ACCOUNT_NONE), 0);
}

static void test_bad_ranges(void **state)
{
	struct pin_record *a;

	assert_int_equal(pin_ledger_pin(VA, 0, IOPT_PAGES_ACCOUNT_USER, &a),
			 -EINVAL);
	assert_int_equal(pin_ledger_pin(UINT64_MAX & PAGE_MASK, 2,
					IOPT_PAGES_ACCOUNT_USER, &a),
			 -EINVAL);
	pin_ledger_unpin(NULL);
}

static void test_pages_refcount(void **state)
{
	static char buf[3 * 4096];
	struct iopt_pages *pages;
	uint64_t start_byte;

	pages = iopt_alloc_user_pages(buf + 100, 4096, true,
				      IOPT_PAGES_ACCOUNT_USER, &start_byte);
	assert_false(IS_ERR(pages));
	assert_int_equal(start_byte, ((uintptr_t)buf + 100) % PAGE_SIZE);
	assert_int_equal(pages->npages, (start_byte + 4096 + 4095) / 4096);
	iopt_pages_get(pages);
	iopt_put_pages(pages);
	iopt_put_pages(pages);
	pages = iopt_alloc_user_pages((void *)(UINTPTR_MAX - 10), 100, true,
				      IOPT_PAGES_ACCOUNT_USER, &start_byte);
	assert_int_equal(PTR_ERR(pages), -EOVERFLOW);
	pages = iopt_alloc_user_pages(buf, 0, true, IOPT_PAGES_ACCOUNT_USER,
				      &start_byte);
	assert_int_equal(PTR_ERR(pages), -EINVAL);
}

static void test_access_pins_count_once_per_page(void **state)
{
	static char buf[8 * 4096] __attribute__((aligned(4096)));
	struct iopt_pages *pages;
	uint64_t start_byte;
	uintptr_t va = (uintptr_t)buf;

	pin_ledger_set_limit(6 * PAGE_SIZE, 0);
	pages = iopt_alloc_user_pages(buf, sizeof(buf), true,
				      IOPT_PAGES_ACCOUNT_USER, &start_byte);
	assert_false(IS_ERR(pages));
	/* two users of [0, 3] and one of [2, 5]: pages 0-5 pinned once */
	assert_int_equal(iopt_pages_add_access(pages, 0, 3), 0);
	assert_int_equal(iopt_pages_add_access(pages, 0, 3), 0);
	assert_int_equal(iopt_pages_add_access(pages, 2, 5), 0);
	assert_int_equal(pin_ledger_refs(va), 1);
	assert_int_equal(pin_ledger_refs(va + 3 * PAGE_SIZE), 1);
	assert_int_equal(pin_ledger_refs(va + 5 * PAGE_SIZE), 1);
	assert_int_equal(pin_ledger_refs(va + 6 * PAGE_SIZE), 0);
	assert_int_equal(pin_ledger_charged(IOPT_PAGES_ACCOUNT_USER), 6);
	/* past the limit of 6 pages: refused, nothing changes */
	assert_int_equal(iopt_pages_add_access(pages, 6, 7), -ENOMEM);
	assert_int_equal(pin_ledger_refs(va + 6 * PAGE_SIZE), 0);
	assert_int_equal(pin_ledger_charged(IOPT_PAGES_ACCOUNT_USER), 6);
	/* dropping [2, 5] unpins 4 and 5 only */
	iopt_pages_remove_access(pages, 2, 5);
	assert_int_equal(pin_ledger_refs(va + 3 * PAGE_SIZE), 1);
	assert_int_equal(pin_ledger_refs(va + 4 * PAGE_SIZE), 0);
	assert_int_equal(pin_ledger_charged(IOPT_PAGES_ACCOUNT_USER), 4);
	iopt_pages_remove_access(pages, 0, 3);
	assert_int_equal(pin_ledger_refs(va), 1);
	iopt_pages_remove_access(pages, 0, 3);
	assert_int_equal(pin_ledger_refs(va), 0);
	assert_int_equal(pin_ledger_charged(IOPT_PAGES_ACCOUNT_USER), 0);
	iopt_put_pages(pages);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_refs_count_overlapping_pins, reset),
		cmocka_unit_test_setup(test_limit_refuses_with_enomem, reset),
		cmocka_unit_test_setup(test_cap_ipc_lock_is_not_charged, reset),
		cmocka_unit_test_setup(test_bad_ranges, reset),
		cmocka_unit_test_setup(test_pages_refcount, reset),
		cmocka_unit_test_setup(test_access_pins_count_once_per_page,
				       reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
