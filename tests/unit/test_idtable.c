/* SPDX-License-Identifier: MIT */
/* Unit tests for the id table: lowest-free allocation from 1, reservation,
 * erase and reuse, growth, iteration, allocation failure. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/idtable.h"
#include "uiommufd/uiommufd.h"

static void test_ids_start_at_one_and_reuse_lowest(void **state)
{
	struct idtable t;
	uint32_t id;
	int a, b, c;

	idtable_init(&t);
	assert_int_equal(idtable_alloc(&t, &a, &id), 0);
	assert_int_equal(id, 1);
	assert_int_equal(idtable_alloc(&t, &b, &id), 0);
	assert_int_equal(id, 2);
	assert_int_equal(idtable_alloc(&t, &c, &id), 0);
	assert_int_equal(id, 3);
	assert_ptr_equal(idtable_erase(&t, 2), &b);
	assert_null(idtable_find(&t, 2));
	assert_int_equal(idtable_alloc(&t, &b, &id), 0);
	assert_int_equal(id, 2);
	assert_int_equal(t.count, 3);
	assert_null(idtable_find(&t, 0));
	assert_null(idtable_erase(&t, 0));
	assert_null(idtable_erase(&t, 99999));
	idtable_destroy(&t);
}

static void test_reserved_is_invisible(void **state)
{
	struct idtable t;
	uint32_t id;
	int a;

	idtable_init(&t);
	assert_int_equal(idtable_alloc(&t, IDTABLE_RESERVED, &id), 0);
	assert_null(idtable_find(&t, id));
	assert_ptr_equal(idtable_slot(&t, id), IDTABLE_RESERVED);
	idtable_store(&t, id, &a);
	assert_ptr_equal(idtable_find(&t, id), &a);
	idtable_destroy(&t);
}

static void test_growth_and_iteration(void **state)
{
	static int objs[1000];
	struct idtable t;
	uint32_t id, n = 0;
	int i;

	idtable_init(&t);
	for (i = 0; i < 1000; i++) {
		assert_int_equal(idtable_alloc(&t, &objs[i], &id), 0);
		assert_int_equal(id, (uint32_t)i + 1);
	}
	for (i = 0; i < 1000; i += 2)
		idtable_erase(&t, i + 1);
	for (id = idtable_next(&t, 0); id; id = idtable_next(&t, id)) {
		assert_int_equal(id % 2, 0);
		assert_ptr_equal(idtable_find(&t, id), &objs[id - 1]);
		n++;
	}
	assert_int_equal(n, 500);
	assert_int_equal(t.count, 500);
	idtable_destroy(&t);
}

static void test_alloc_failure_leaves_table_intact(void **state)
{
	struct idtable t;
	uint32_t id;
	int a;

	idtable_init(&t);
	uiommufd_fail_nth(1);
	assert_int_equal(idtable_alloc(&t, &a, &id), -ENOMEM);
	assert_true(uiommufd_fail_nth_hit());
	uiommufd_fail_nth(0);
	assert_int_equal(t.count, 0);
	assert_int_equal(idtable_alloc(&t, &a, &id), 0);
	assert_int_equal(id, 1);
	idtable_destroy(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_start_at_one_and_reuse_lowest),
		cmocka_unit_test(test_reserved_is_invisible),
		cmocka_unit_test(test_growth_and_iteration),
		cmocka_unit_test(test_alloc_failure_leaves_table_intact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
