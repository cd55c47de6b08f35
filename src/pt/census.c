/* SPDX-License-Identifier: MIT */
/*
 * census: pt_stats(), a full walk of a table under the writer lock that
 * counts table pages and leaves per level, mapped bytes and dirty leaves,
 * next to the pool's own counters. Tests compare the two (every page the
 * pool handed out is in the tree) and check memory against the format's
 * minimum; state dumps print it. Not a fast path.
 */
#include <pthread.h>
#include <string.h>

#include "pt/walker.h"

static void stats_level(const struct pt_table *t, uint64_t *table,
			unsigned int level, struct pt_stats *s)
{
	const struct pt_format *fmt = t->fmt;
	unsigned int i;

	s->table_pages++;
	s->tables_per_level[level]++;
	for (i = 0; i < nr_entries(fmt); i++) {
		uint64_t pte = pte_read(&table[i]);
		uint64_t *child;

		switch (decode(t, pte, level, &child)) {
		case PT_ENTRY_LEAF:
			s->leaves_per_level[level]++;
			s->mapped_bytes += PT_BIT(pt_level_shift(fmt, level));
			if (pt_entry_is_dirty(fmt, pte))
				s->dirty_leaves++;
			break;
		case PT_ENTRY_TABLE:
			stats_level(t, child, level - 1, s);
			break;
		default:
			break;
		}
	}
}

void pt_stats(struct pt_table *t, struct pt_stats *s)
{
	struct pt_pool_stats ps;

	memset(s, 0, sizeof(*s));
	s->levels = t->levels;
	s->va_lg2 = t->va_lg2;
	pthread_mutex_lock(&t->lock);
	stats_level(t, t->root, top_level(t), s);
	pt_pool_stats(t->pool, &ps);
	pthread_mutex_unlock(&t->lock);
	s->table_bytes = s->table_pages << pt_fmt_table_lg2(t->fmt);
	s->pool_pages_used = ps.pages_used;
	s->pool_pages_deferred = ps.pages_deferred;
	s->pool_pages_free = ps.pages_free;
	s->pool_slabs = ps.slabs;
	s->pool_bytes = ps.bytes;
}
