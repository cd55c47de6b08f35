/* SPDX-License-Identifier: MIT */
/*
 * An id table: small integer ids (from 1, lowest free first, as the kernel's
 * xa_alloc with ALLOC1 hands them out) mapped to pointers. A slot can hold
 * IDTABLE_RESERVED, an id that is taken but not yet published (the first phase
 * of two-phase object creation), which lookups treat as absent.
 *
 * Not locked: the owner serialises calls. Storage grows by doubling; a bitmap
 * of used slots finds the lowest free id a word at a time.
 */
#ifndef UIOMMUFD_UTIL_IDTABLE_H
#define UIOMMUFD_UTIL_IDTABLE_H

#include <stdint.h>

#define IDTABLE_RESERVED ((void *)1)
#define IDTABLE_MAX_ID 0x7fffffffU

struct idtable {
	void **slots;     /* slots[id], slot 0 unused */
	uint64_t *used;   /* bit per slot: taken (reserved or published) */
	uint32_t nslots;  /* capacity, a power of two, 0 when empty */
	uint32_t count;   /* ids taken */
};

void idtable_init(struct idtable *t);
void idtable_destroy(struct idtable *t);

/* take the lowest free id for @entry; 0 or -ENOMEM / -ENOSPC */
int idtable_alloc(struct idtable *t, void *entry, uint32_t *ret_id);

/* the published entry at @id, or NULL (absent or reserved) */
void *idtable_find(const struct idtable *t, uint32_t id);

/* the raw slot (may be IDTABLE_RESERVED), or NULL */
void *idtable_slot(const struct idtable *t, uint32_t id);

/* replace the entry of a taken id; returns the old one */
void *idtable_store(struct idtable *t, uint32_t id, void *entry);

/* free @id; returns what it held */
void *idtable_erase(struct idtable *t, uint32_t id);

/* the next taken id after @id (0 starts), or 0 when none */
uint32_t idtable_next(const struct idtable *t, uint32_t id);

#endif
