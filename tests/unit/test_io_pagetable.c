/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for io_pagetable: IOVA allocation (alignment choice, holes of
 * the reserved and area trees, allowed ranges), the area rules of map and
 * unmap (no overlap, no cutting, spanning several areas, unmap-all), reserved
 * and allowed range conflicts, and page sharing by get_pages (COPY).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "core/io_pagetable.h"
#include "core/iommufd_private.h"
#include "core/pages.h"
#include "util/page.h"

#define RW (IOMMU_READ | IOMMU_WRITE)
#define MB (1024 * 1024UL)

struct fixture {
	struct iommufd_ctx *ictx;
	struct io_pagetable iopt;
	void *raw;
	void *buf; /* 4 MiB, 2 MiB aligned */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *raw;

	f->ictx = iommufd_ctx_alloc();
	iopt_init_table(&f->iopt);
	raw = mmap(NULL, 8 * MB, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(raw != MAP_FAILED);
	f->raw = raw;
	f->buf = (void *)(((uintptr_t)raw + 2 * MB - 1) & ~(2 * MB - 1));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	iopt_destroy_table(&f->iopt);
	iommufd_ctx_destroy(f->ictx);
	munmap(f->raw, 8 * MB);
	free(f);
	return 0;
}

static int map(struct fixture *f, uint64_t *iova, void *va, uint64_t len,
	       unsigned int flags)
{
	return iopt_map_user_pages(f->ictx, &f->iopt, iova, va, len, RW, flags);
}

static void test_auto_iova_keeps_memory_alignment(void **state)
{
	struct fixture *f = *state;
	uint64_t iova;

	/* 2 MiB aligned memory, 2 MiB long: a 2 MiB aligned IOVA, not 0 */
	assert_int_equal(map(f, &iova, f->buf, 2 * MB, IOPT_ALLOC_IOVA), 0);
	assert_int_equal(iova % (2 * MB), 0);
	assert_true(iova != 0);

	/* 4 KiB memory offset: alignment limited to 4 KiB */
	assert_int_equal(map(f, &iova, (char *)f->buf + 2 * MB + PAGE_SIZE,
			     PAGE_SIZE, IOPT_ALLOC_IOVA),
			 0);
	assert_int_equal(iova % PAGE_SIZE, 0);
	assert_true(iova != 0);

	/* sub-page offset is kept in the IOVA */
	assert_int_equal(map(f, &iova, (char *)f->buf + 3 * MB + 0x10, 0x100,
			     IOPT_ALLOC_IOVA),
			 0);
	assert_int_equal(iova % PAGE_SIZE, 0x10);
}

static void test_auto_iova_skips_reserved_and_used(void **state)
{
	struct fixture *f = *state;
	uint64_t iova, iova2;

	assert_int_equal(iopt_reserve_iova(&f->iopt, 0, 16 * MB - 1, f), 0);
	assert_int_equal(map(f, &iova, f->buf, PAGE_SIZE, IOPT_ALLOC_IOVA), 0);
	assert_true(iova >= 16 * MB);
	assert_int_equal(map(f, &iova2, f->buf, PAGE_SIZE, IOPT_ALLOC_IOVA),
			 0);
	assert_true(iova2 != iova);
	assert_true(iova2 >= 16 * MB);
	iopt_remove_reserved_iova(&f->iopt, f);
	assert_true(itree_empty(&f->iopt.reserved_itree));
}

static void test_auto_iova_within_allowed(void **state)
{
	struct fixture *f = *state;
	struct itree_root allowed = ITREE_ROOT_INIT;
	struct iopt_allowed *a = calloc(1, sizeof(*a));
	uint64_t iova;

	a->node.start = 0x40000000;
	a->node.last = 0x40000000 + 4 * MB - 1;
	itree_insert(&allowed, &a->node);
	assert_int_equal(iopt_set_allow_iova(&f->iopt, &allowed), 0);
	assert_true(itree_empty(&allowed));
	assert_int_equal(map(f, &iova, f->buf, 2 * MB, IOPT_ALLOC_IOVA), 0);
	assert_int_equal(iova, 0x40000000);
	assert_int_equal(map(f, &iova, f->buf, 2 * MB, IOPT_ALLOC_IOVA), 0);
	assert_int_equal(iova, 0x40000000 + 2 * MB);
	/* full */
	assert_int_equal(map(f, &iova, f->buf, PAGE_SIZE, IOPT_ALLOC_IOVA),
			 -ENOSPC);
	/* reserving inside an allowed range is refused */
	assert_int_equal(iopt_reserve_iova(&f->iopt, 0x40000000,
					   0x40000fff, NULL),
			 -EADDRINUSE);
}

static void test_allow_over_reserved_refused(void **state)
{
	struct fixture *f = *state;
	struct itree_root allowed = ITREE_ROOT_INIT;
	struct iopt_allowed *a = calloc(1, sizeof(*a));

	assert_int_equal(iopt_reserve_iova(&f->iopt, 0x1000, 0x1fff, NULL), 0);
	a->node.start = 0;
	a->node.last = 0x10000;
	itree_insert(&allowed, &a->node);
	assert_int_equal(iopt_set_allow_iova(&f->iopt, &allowed),
			 -EADDRINUSE);
	/* the caller's tree is untouched on failure */
	assert_false(itree_empty(&allowed));
	iopt_free_itree(&allowed, offsetof(struct iopt_allowed, node));
	assert_true(itree_empty(&f->iopt.allowed_itree));
}

static void test_fixed_map_conflicts(void **state)
{
	struct fixture *f = *state;
	uint64_t iova = 0x100000;

	assert_int_equal(map(f, &iova, f->buf, 2 * PAGE_SIZE, 0), 0);
	iova = 0x101000;
	assert_int_equal(map(f, &iova, f->buf, PAGE_SIZE, 0), -EEXIST);
	assert_int_equal(iopt_reserve_iova(&f->iopt, 0x200000, 0x200fff, NULL),
			 0);
	iova = 0x1ff000;
	assert_int_equal(map(f, &iova, f->buf, 2 * PAGE_SIZE, 0), -EINVAL);
	/* reserving over a mapping is refused */
	assert_int_equal(iopt_reserve_iova(&f->iopt, 0x100000, 0x100000, NULL),
			 -EADDRINUSE);
	iova = UINT64_MAX - PAGE_SIZE + 1;
	assert_int_equal(map(f, &iova, f->buf, 2 * PAGE_SIZE, 0), -EOVERFLOW);
	iova = 0x300000;
	assert_int_equal(map(f, &iova, f->buf, 0, 0), -EINVAL);
}

static void test_unmap_rules(void **state)
{
	struct fixture *f = *state;
	uint64_t iova, unmapped;
	int i;

	for (i = 0; i < 4; i++) {
		iova = 0x100000 + i * PAGE_SIZE;
		assert_int_equal(map(f, &iova, (char *)f->buf + i * PAGE_SIZE,
				     PAGE_SIZE, 0),
				 0);
	}
	/* nothing there */
	assert_int_equal(iopt_unmap_iova(&f->iopt, 0x900000, PAGE_SIZE,
					 &unmapped),
			 -ENOENT);
	/* cutting an area */
	assert_int_equal(iopt_unmap_iova(&f->iopt, 0x100000, PAGE_SIZE / 2,
					 &unmapped),
			 -ENOENT);
	/* a superset spanning two areas and a hole */
	assert_int_equal(iopt_unmap_iova(&f->iopt, 0x0ff000, 3 * PAGE_SIZE,
					 &unmapped),
			 0);
	assert_int_equal(unmapped, 2 * PAGE_SIZE);
	assert_int_equal(iopt_unmap_iova(&f->iopt, 0, 0, &unmapped), -EINVAL);
	assert_int_equal(iopt_unmap_iova(&f->iopt, UINT64_MAX, 2, &unmapped),
			 -EOVERFLOW);
	assert_int_equal(iopt_unmap_all(&f->iopt, &unmapped), 0);
	assert_int_equal(unmapped, 2 * PAGE_SIZE);
	assert_int_equal(iopt_unmap_all(&f->iopt, &unmapped), 0);
	assert_int_equal(unmapped, 0);
}

static void test_get_pages_shares_and_needs_contiguity(void **state)
{
	struct fixture *f = *state;
	struct io_pagetable dst;
	CDS_LIST_HEAD(list);
	struct iopt_pages_list *elm;
	uint64_t iova = 0x100000, dst_iova = 0x500000, unmapped;

	iopt_init_table(&dst);
	assert_int_equal(map(f, &iova, f->buf, 4 * PAGE_SIZE, 0), 0);
	iova = 0x104000;
	assert_int_equal(map(f, &iova, (char *)f->buf + 8 * PAGE_SIZE,
			     PAGE_SIZE, 0),
			 0);
	/* a slice of two adjacent areas */
	assert_int_equal(iopt_get_pages(&f->iopt, 0x102000, 3 * PAGE_SIZE,
					&list),
			 0);
	elm = cds_list_first_entry(&list, struct iopt_pages_list, next);
	assert_int_equal(elm->start_byte, 2 * PAGE_SIZE);
	assert_int_equal(elm->length, 2 * PAGE_SIZE);
	assert_int_equal(atomic_load(&elm->pages->refs), 2);
	assert_int_equal(iopt_map_pages(&dst, &list, 3 * PAGE_SIZE, &dst_iova,
					RW, 0),
			 0);
	iopt_free_pages_list(&list);
	assert_true(cds_list_empty(&list));

	/* a gap: ENOENT and nothing held */
	assert_int_equal(iopt_get_pages(&f->iopt, 0x104000, 2 * PAGE_SIZE,
					&list),
			 -ENOENT);
	assert_true(cds_list_empty(&list));

	assert_int_equal(iopt_unmap_all(&dst, &unmapped), 0);
	assert_int_equal(unmapped, 3 * PAGE_SIZE);
	iopt_destroy_table(&dst);
}

static void test_alignment_enforced(void **state)
{
	struct fixture *f = *state;
	uint64_t iova;

	f->iopt.iova_alignment = PAGE_SIZE;
	iova = 0x100800;
	assert_int_equal(map(f, &iova, f->buf, PAGE_SIZE, 0), -EINVAL);
	iova = 0x100000;
	assert_int_equal(map(f, &iova, f->buf, PAGE_SIZE / 2, 0), -EINVAL);
	assert_int_equal(map(f, &iova, (char *)f->buf + 0x10, PAGE_SIZE, 0),
			 -EINVAL);
	assert_int_equal(map(f, &iova, f->buf, PAGE_SIZE, 0), 0);
	assert_int_equal(map(f, &iova, (char *)f->buf + 0x10, PAGE_SIZE,
			     IOPT_ALLOC_IOVA),
			 -EINVAL);
}

static void test_read_only_pages_refuse_write(void **state)
{
	struct fixture *f = *state;
	CDS_LIST_HEAD(list);
	uint64_t iova = 0x100000, dst = 0x200000;

	assert_int_equal(iopt_map_user_pages(f->ictx, &f->iopt, &iova, f->buf,
					     PAGE_SIZE, IOMMU_READ, 0),
			 0);
	assert_int_equal(iopt_get_pages(&f->iopt, 0x100000, PAGE_SIZE, &list),
			 0);
	assert_int_equal(iopt_map_pages(&f->iopt, &list, PAGE_SIZE, &dst, RW,
					0),
			 -EPERM);
	iopt_free_pages_list(&list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(x) cmocka_unit_test_setup_teardown(x, setup, teardown)
		T(test_auto_iova_keeps_memory_alignment),
		T(test_auto_iova_skips_reserved_and_used),
		T(test_auto_iova_within_allowed),
		T(test_allow_over_reserved_refused),
		T(test_fixed_map_conflicts),
		T(test_unmap_rules),
		T(test_get_pages_shares_and_needs_contiguity),
		T(test_alignment_enforced),
		T(test_read_only_pages_refuse_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
