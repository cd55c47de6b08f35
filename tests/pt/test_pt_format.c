/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the format encodings alone, no walker: for every format,
 * every leaf level and every prot, a leaf decodes back to its type, output
 * address, size and prot, honours the linear OA contract the walker relies
 * on, and goes clean -> dirty -> clean through the dirty masks (with the
 * enable bit where the format has one). Table pointers decode back at every
 * level that can hold one, 0 is empty everywhere. Then golden values, worked
 * out by hand from the hardware specifications' bit positions, pin the
 * encodings themselves, including AMD's "next level 7" sized leaves and the
 * entry kinds that are invalid at some levels.
 */
#include "pt_test.h"

static const unsigned int prots[] = {
	PT_PROT_READ,
	PT_PROT_WRITE,
	PT_PROT_READ | PT_PROT_WRITE,
	PT_PROT_READ | PT_PROT_CACHE,
	PT_PROT_WRITE | PT_PROT_CACHE,
	PT_PROT_READ | PT_PROT_WRITE | PT_PROT_CACHE,
};

static void check_leaf(const struct pt_format *fmt, unsigned int level,
		       uint64_t oa, unsigned int prot)
{
	unsigned int shift = pt_level_shift(fmt, level);
	uint64_t size = 1ULL << shift;
	uint64_t pte = fmt->make_leaf(oa, level, prot);
	unsigned int want = pt_test_expect_prot(fmt, prot);
	static const uint64_t ks[] = { 1, 2, 3, 511 };
	size_t i;

	assert_int_not_equal(pte, 0);
	assert_int_equal(fmt->entry_type(pte, level), PT_ENTRY_LEAF);
	assert_true(pt_entry_is_present(fmt, pte, level));
	assert_false(pt_entry_is_table(fmt, pte, level));
	assert_int_equal(fmt->entry_oa(pte, level), oa);
	if (fmt->leaf_lg2)
		assert_int_equal(fmt->leaf_lg2(pte, level), shift);
	assert_int_equal(fmt->entry_prot(pte), want);
	assert_false(pt_entry_is_dirty(fmt, pte));

	/* linear OA: the walker writes runs as pte + (k * size << shift) */
	for (i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
		uint64_t k = ks[i];

		if (oa + k * size + size - 1 >= (1ULL << fmt->oa_lg2))
			continue;
		assert_int_equal(fmt->make_leaf(oa + k * size, level, prot),
				 pte + (k * size << fmt->addr_shift));
	}

	/* dirty round trip, as the walker writes a tracked leaf */
	if (fmt->dirty_enable && (prot & PT_PROT_WRITE))
		pte = pt_entry_clear_dirty(fmt, pte | fmt->dirty_enable);
	if (!pt_entry_is_clean_tracked(fmt, pte)) {
		/* only an enable-bit format leaves a leaf untracked */
		assert_true(fmt->dirty_enable && !(pte & fmt->dirty_enable));
		return;
	}
	assert_false(pt_entry_is_dirty(fmt, pte));
	assert_int_equal(fmt->entry_prot(pte), want);
	{
		uint64_t dirty = pt_entry_mark_dirty(fmt, pte);

		assert_int_not_equal(dirty, pte);
		assert_true(pt_entry_is_dirty(fmt, dirty));
		assert_false(pt_entry_is_clean_tracked(fmt, dirty));
		assert_int_equal(fmt->entry_type(dirty, level), PT_ENTRY_LEAF);
		assert_int_equal(fmt->entry_oa(dirty, level), oa);
		assert_int_equal(fmt->entry_prot(dirty), want);
		assert_int_equal(pt_entry_clear_dirty(fmt, dirty), pte);
	}
}

static void test_format(void **state)
{
	const struct pt_format *fmt = *state;
	uint64_t seed = 0x5eed0001;
	unsigned int level, i, j;

	for (level = 0; level < fmt->max_levels; level++)
		assert_int_equal(fmt->entry_type(0, level), PT_ENTRY_EMPTY);

	for (level = 0; level < fmt->max_levels; level++) {
		unsigned int shift = pt_level_shift(fmt, level);
		uint64_t size = 1ULL << shift;
		uint64_t oa_top = 1ULL << fmt->oa_lg2;

		if (!(fmt->leaf_levels & (1u << level)))
			continue;
		for (i = 0; i < sizeof(prots) / sizeof(prots[0]); i++) {
			uint64_t oas[4] = { 0, size, oa_top - size,
					    rnd_next(&seed) & (oa_top - 1) &
						    ~(size - 1) };

			for (j = 0; j < 4; j++)
				check_leaf(fmt, level, oas[j], prots[i]);
		}
	}

	for (level = 1; level < fmt->max_levels; level++) {
		for (i = 0; i < 16; i++) {
			uint64_t pa = rnd_next(&seed) &
				      ((1ULL << fmt->oa_lg2) - 1) & ~0xfffULL;
			uint64_t pte = fmt->make_table(pa, level);

			assert_int_equal(fmt->entry_type(pte, level),
					 PT_ENTRY_TABLE);
			assert_true(pt_entry_is_table(fmt, pte, level));
			assert_int_equal(fmt->entry_oa(pte, level), pa);
			/* pointer = shifted address | the level's attributes */
			assert_int_equal(pte,
					 (pa << fmt->addr_shift) |
						 fmt->make_table(0, level));
			assert_int_equal(fmt->make_table(0, level) &
						 (pa << fmt->addr_shift),
					 0);
		}
		/* no leaf carries a pointer's attribute bits */
		for (i = 0; i < sizeof(prots) / sizeof(prots[0]); i++) {
			uint64_t attr = fmt->make_table(0, level);
			uint64_t mask = fmt->make_table(~0xfffULL, level) &
					~attr;
			uint64_t leaf;

			if (!(fmt->leaf_levels & (1u << level)))
				continue;
			leaf = fmt->make_leaf(0, level, prots[i]);
			assert_int_not_equal(leaf & ~mask, attr);
			if (fmt->dirty_enable)
				assert_int_not_equal(
					pt_entry_clear_dirty(
						fmt, leaf | fmt->dirty_enable) &
						~mask,
					attr);
		}
	}
}

/* golden encodings, from the specifications' bit positions */

static void test_x86_64_bits(void **state)
{
	const struct pt_format *f = &pt_fmt_x86_64;

	/* P | R/W | U/S | A */
	assert_int_equal(f->make_leaf(0x12345000, 0,
				      PT_PROT_READ | PT_PROT_WRITE),
			 0x12345027);
	/* 1 GiB read-only: P | U/S | A | PS */
	assert_int_equal(f->make_leaf(0x40000000, 2, PT_PROT_READ), 0x400000a5);
	assert_int_equal(f->make_table(0x1000, 1), 0x1027);
	/* PS in a PML4E is not a leaf; bit 7 of a PTE is PAT */
	assert_int_equal(f->entry_type(0x1000 | 0x81, 3), PT_ENTRY_TABLE);
	assert_int_equal(f->entry_type(0x1000 | 0x81, 0), PT_ENTRY_LEAF);
	/* PAT (bit 12) of a 2 MiB leaf is not address */
	assert_int_equal(f->entry_oa(0x201000 | 0x81, 1), 0x200000);
	assert_int_equal(f->dirty_mask, 1u << 6);
	assert_int_equal(f->entry_prot(0x1001), PT_PROT_READ);
}

static void test_vtd_ss_bits(void **state)
{
	const struct pt_format *f = &pt_fmt_vtd_ss;

	/* R | W | SP | SNP */
	assert_int_equal(f->make_leaf(0x200000, 1,
				      PT_PROT_READ | PT_PROT_WRITE |
					      PT_PROT_CACHE),
			 0x200883);
	/* write-only is expressible */
	assert_int_equal(f->make_leaf(0x3000, 0, PT_PROT_WRITE), 0x3002);
	assert_int_equal(f->entry_prot(0x3002), PT_PROT_WRITE);
	assert_int_equal(f->make_table(0x5000, 3), 0x5003);
	/* SP is reserved above level 2 */
	assert_int_equal(f->entry_type(0x5083, 3), PT_ENTRY_TABLE);
	/* A and D without R/W: not present */
	assert_int_equal(f->entry_type(0x300, 0), PT_ENTRY_EMPTY);
	assert_int_equal(f->dirty_mask, 1u << 9);
}

static void test_amdv1_bits(void **state)
{
	const struct pt_format *f = &pt_fmt_amdv1;
	uint64_t ir = 1ULL << 61, iw = 1ULL << 62;
	uint64_t pte;

	/* PR | NextLevel 2 | IR | IW */
	assert_int_equal(f->make_table(0x7000, 2), 0x7000 | 0x401 | ir | iw);
	assert_int_equal(f->make_leaf(0x3000, 0, PT_PROT_READ), 0x3001 | ir);
	/* FC */
	assert_int_equal(f->make_leaf(0x40000000, 2,
				      PT_PROT_WRITE | PT_PROT_CACHE),
			 0x40000001 | iw | (1ULL << 60));
	/* NextLevel 0 at level 1: a 2 MiB page */
	assert_int_equal(f->entry_type(0x200001, 1), PT_ENTRY_LEAF);
	assert_int_equal(f->leaf_lg2(0x200001, 1), 21);

	/* NextLevel 7: bit 12 set, bit 13 clear -> 16 KiB at 0x10000 */
	pte = 0x11000 | (7u << 9) | 1 | ir | iw;
	assert_int_equal(f->entry_type(pte, 0), PT_ENTRY_LEAF);
	assert_int_equal(f->leaf_lg2(pte, 0), 14);
	assert_int_equal(f->entry_oa(pte, 0), 0x10000);
	/* bit 12 clear -> 8 KiB */
	pte = 0x22000 | (7u << 9) | 1 | ir;
	assert_int_equal(f->leaf_lg2(pte, 0), 13);
	assert_int_equal(f->entry_oa(pte, 0), 0x22000);
	/* bits 14:12 set -> 64 KiB at 0 */
	pte = 0x7000 | (7u << 9) | 1 | ir;
	assert_int_equal(f->leaf_lg2(pte, 0), 16);
	assert_int_equal(f->entry_oa(pte, 0), 0);
	/* a table pointer in a 4 KiB table is invalid */
	assert_int_equal(f->entry_type(0x7000 | 0x201, 0), PT_ENTRY_EMPTY);
	assert_int_equal(f->dirty_mask, 1u << 6);
}

/* the mock: AMD v1 bits, addresses in 2 KiB units at bits 51:12 */
static void test_amdv1_mock_bits(void **state)
{
	const struct pt_format *f = &pt_fmt_amdv1_mock;
	uint64_t ir = 1ULL << 61, iw = 1ULL << 62;
	uint64_t pte;

	assert_int_equal(f->granule_lg2, 11);
	assert_int_equal(pt_fmt_table_lg2(f), 12);
	assert_int_equal(pt_fmt_va_lg2(f, 3), 38);
	assert_int_equal(pt_fmt_va_lg2(f, 5), 56);
	assert_int_equal(pt_fmt_pgsize_bitmap(f, 3),
			 (1ULL << 11) | (1ULL << 20) | (1ULL << 29));
	/* 2 KiB page 0x800 is field value 1: entry bit 12 */
	assert_int_equal(f->make_leaf(0x800, 0, PT_PROT_READ), 0x1001 | ir);
	assert_int_equal(f->entry_oa(0x1001 | ir, 0), 0x800);
	/* bit 11 of an OA survives: 0x12345800 */
	pte = f->make_leaf(0x12345800, 0, PT_PROT_READ | PT_PROT_WRITE);
	assert_int_equal(pte, 0x2468b001 | ir | iw);
	assert_int_equal(f->entry_oa(pte, 0), 0x12345800);
	/* the top OA: 2^51 - 2 KiB fills the field */
	assert_int_equal(f->make_leaf((1ULL << 51) - 2048, 0, PT_PROT_READ),
			 (((1ULL << 52) - 1) & ~0xfffULL) | 1 | ir);
	/* a 1 MiB leaf at level 1 and a 512 MiB leaf at level 2, FC */
	pte = f->make_leaf(0x300000, 1, PT_PROT_WRITE | PT_PROT_CACHE);
	assert_int_equal(pte, 0x600001 | iw | (1ULL << 60));
	assert_int_equal(f->leaf_lg2(pte, 1), 20);
	assert_int_equal(f->leaf_lg2(f->make_leaf(1ULL << 29, 2, 1), 2), 29);
	/* a table page at 0x7000: PR | NextLevel 2 | IR | IW, address 0xe000 */
	assert_int_equal(f->make_table(0x7000, 2), 0xe000 | 0x401 | ir | iw);
	assert_int_equal(f->entry_oa(0xe000 | 0x401 | ir | iw, 2), 0x7000);
	/* NextLevel 7 counts in granules: no 1 bit -> 4 KiB */
	pte = 0x22000 | (7u << 9) | 1 | ir;
	assert_int_equal(f->leaf_lg2(pte, 0), 12);
	assert_int_equal(f->entry_oa(pte, 0), 0x11000);
	/* bits 13:12 set -> 16 KiB at 0x10000 (field 0x23 -> 0x11800) */
	pte = 0x23000 | (7u << 9) | 1 | ir;
	assert_int_equal(f->leaf_lg2(pte, 0), 14);
	assert_int_equal(f->entry_oa(pte, 0), 0x10000);
	assert_int_equal(f->entry_type(0x7000 | 0x201, 0), PT_ENTRY_EMPTY);
	assert_int_equal(f->dirty_mask, 1u << 6);
	assert_true(pt_entry_is_dirty(f, f->make_leaf(0x800, 0, 3) | 0x40));
}

static void test_arm_lpae_bits(void **state)
{
	const struct pt_format *s1 = &pt_fmt_arm_lpae_s1;
	const struct pt_format *s2 = &pt_fmt_arm_lpae_s2;
	uint64_t dbm = 1ULL << 51;

	/* page | AP unpriv + rdonly | SH OS | AF | nG, AttrIndx 0 */
	assert_int_equal(s1->make_leaf(0x1000, 0, PT_PROT_READ), 0x1ec3);
	/* block | AttrIndx 1 | AP unpriv | SH IS | AF | nG */
	assert_int_equal(s1->make_leaf(0x200000, 1,
				       PT_PROT_READ | PT_PROT_WRITE |
					       PT_PROT_CACHE),
			 0x200f45);
	assert_int_equal(s1->make_table(0x3000, 2), 0x3003);
	/* S2: page | MemAttr 1111 | S2AP RW | SH IS | AF */
	assert_int_equal(s2->make_leaf(0x1000, 0,
				       PT_PROT_READ | PT_PROT_WRITE |
					       PT_PROT_CACHE),
			 0x17ff);
	/* S2 MemAttr 0101 | S2AP W | SH OS | AF, block */
	assert_int_equal(s2->make_leaf(0x40000000, 2, PT_PROT_WRITE),
			 0x40000000 | 0x695);

	/* a block at ARM level 0 (our 3) or level 3 (our 0) is invalid */
	assert_int_equal(s1->entry_type(0x40000001, 3), PT_ENTRY_EMPTY);
	assert_int_equal(s1->entry_type(0x1001, 0), PT_ENTRY_EMPTY);
	assert_int_equal(s1->entry_type(0x1003, 3), PT_ENTRY_TABLE);
	assert_int_equal(s1->entry_type(0x1003, 1), PT_ENTRY_TABLE);
	assert_int_equal(s1->entry_type(0x200001, 1), PT_ENTRY_LEAF);

	/* HTTU: S1 writable-clean is DBM + AP[2]; dirty clears AP[2] */
	assert_int_equal(s1->dirty_enable, dbm);
	assert_true(pt_entry_is_clean_tracked(s1, 0x1ec3 | dbm));
	assert_int_equal(pt_entry_mark_dirty(s1, 0x1ec3 | dbm), 0x1e43 | dbm);
	assert_int_equal(s1->entry_prot(0x1ec3 | dbm),
			 PT_PROT_READ | PT_PROT_WRITE);
	/* without DBM a read-only leaf is not tracked */
	assert_false(pt_entry_is_clean_tracked(s1, 0x1ec3));
	/* S2: writable-clean is DBM without S2AP[1]; dirty sets it */
	assert_true(pt_entry_is_clean_tracked(s2, 0x177f | dbm));
	assert_int_equal(pt_entry_mark_dirty(s2, 0x177f | dbm), 0x17ff | dbm);
	assert_int_equal(s2->entry_prot(0x177f | dbm),
			 PT_PROT_READ | PT_PROT_WRITE | PT_PROT_CACHE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate(test_format, (void *)&pt_fmt_x86_64),
		cmocka_unit_test_prestate(test_format, (void *)&pt_fmt_vtd_ss),
		cmocka_unit_test_prestate(test_format, (void *)&pt_fmt_amdv1),
		cmocka_unit_test_prestate(test_format,
					  (void *)&pt_fmt_amdv1_mock),
		cmocka_unit_test_prestate(test_format,
					  (void *)&pt_fmt_arm_lpae_s1),
		cmocka_unit_test_prestate(test_format,
					  (void *)&pt_fmt_arm_lpae_s2),
		cmocka_unit_test(test_x86_64_bits),
		cmocka_unit_test(test_vtd_ss_bits),
		cmocka_unit_test(test_amdv1_bits),
		cmocka_unit_test(test_amdv1_mock_bits),
		cmocka_unit_test(test_arm_lpae_bits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
