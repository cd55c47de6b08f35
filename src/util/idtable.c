/* SPDX-License-Identifier: MIT */
/* Id table; see idtable.h. */
#include <errno.h>
#include <string.h>

#include "util/alloc.h"
#include "util/idtable.h"

#define IDTABLE_MIN_SLOTS 64

void idtable_init(struct idtable *t)
{
	memset(t, 0, sizeof(*t));
}

void idtable_destroy(struct idtable *t)
{
	uio_free(t->slots);
	uio_free(t->used);
	memset(t, 0, sizeof(*t));
}

static int idtable_grow(struct idtable *t)
{
	uint64_t nslots = t->nslots ? (uint64_t)t->nslots * 2 :
				      IDTABLE_MIN_SLOTS;
	void **slots;
	uint64_t *used;

	if (nslots > (uint64_t)IDTABLE_MAX_ID + 1)
		nslots = (uint64_t)IDTABLE_MAX_ID + 1;
	if (nslots <= t->nslots)
		return -ENOSPC;
	slots = uio_calloc(nslots, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	used = uio_calloc((nslots + 63) / 64, sizeof(*used));
	if (!used) {
		uio_free(slots);
		return -ENOMEM;
	}
	if (t->nslots) {
		memcpy(slots, t->slots, t->nslots * sizeof(*slots));
		memcpy(used, t->used, (t->nslots + 63) / 64 * sizeof(*used));
	} else {
		used[0] = 1; /* id 0 is never handed out */
	}
	uio_free(t->slots);
	uio_free(t->used);
	t->slots = slots;
	t->used = used;
	t->nslots = nslots;
	return 0;
}

static uint32_t idtable_first_free(const struct idtable *t)
{
	uint32_t w, nwords = (t->nslots + 63) / 64;

	for (w = 0; w < nwords; w++) {
		if (~t->used[w]) {
			uint32_t id = w * 64 + __builtin_ctzll(~t->used[w]);

			return id < t->nslots ? id : 0;
		}
	}
	return 0;
}

int idtable_alloc(struct idtable *t, void *entry, uint32_t *ret_id)
{
	uint32_t id = t->nslots ? idtable_first_free(t) : 0;
	int rc;

	if (!id) {
		rc = idtable_grow(t);
		if (rc)
			return rc;
		id = idtable_first_free(t);
		if (!id)
			return -ENOSPC;
	}
	t->slots[id] = entry;
	t->used[id / 64] |= 1ULL << (id % 64);
	t->count++;
	*ret_id = id;
	return 0;
}

void *idtable_slot(const struct idtable *t, uint32_t id)
{
	if (id == 0 || id >= t->nslots)
		return NULL;
	return t->slots[id];
}

void *idtable_find(const struct idtable *t, uint32_t id)
{
	void *entry = idtable_slot(t, id);

	return entry == IDTABLE_RESERVED ? NULL : entry;
}

void *idtable_store(struct idtable *t, uint32_t id, void *entry)
{
	void *old = t->slots[id];

	t->slots[id] = entry;
	return old;
}

void *idtable_erase(struct idtable *t, uint32_t id)
{
	void *old;

	if (id == 0 || id >= t->nslots || !(t->used[id / 64] & (1ULL << (id % 64))))
		return NULL;
	old = t->slots[id];
	t->slots[id] = NULL;
	t->used[id / 64] &= ~(1ULL << (id % 64));
	t->count--;
	return old;
}

uint32_t idtable_next(const struct idtable *t, uint32_t id)
{
	for (id++; id < t->nslots; id++)
		if (t->used[id / 64] & (1ULL << (id % 64)))
			return id;
	return 0;
}
