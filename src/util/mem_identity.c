/* SPDX-License-Identifier: MIT */
/* Memory identity through /proc/self/maps; see mem_identity.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "util/mem_identity.h"

static bool read_vma(uintptr_t va, struct mem_vma *out)
{
	unsigned long start, end, offset, ino, major, minor;
	char perms[8], line[512];
	bool found = false;
	FILE *f = fopen("/proc/self/maps", "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %7s %lx %lx:%lx %lu", &start, &end,
			   perms, &offset, &major, &minor, &ino) != 7)
			continue;
		if (va < start || va >= end)
			continue;
		out->start = start;
		out->end = end;
		out->offset = offset;
		out->dev = ((uint64_t)major << 32) | minor;
		out->ino = ino;
		out->shared = perms[3] == 's';
		found = true;
		break;
	}
	fclose(f);
	return found;
}

const struct mem_vma *mem_identity_vma(struct mem_identity *mi, uintptr_t va)
{
	unsigned int i;

	for (i = 0; i < 2; i++)
		if (mi->cache[i].end && va >= mi->cache[i].start &&
		    va < mi->cache[i].end)
			return &mi->cache[i];
	i = mi->next++ % 2;
	if (!read_vma(va, &mi->cache[i])) {
		memset(&mi->cache[i], 0, sizeof(mi->cache[i]));
		return NULL;
	}
	return &mi->cache[i];
}

bool mem_identity_same(struct mem_identity *mi, uintptr_t a, uintptr_t b)
{
	const struct mem_vma *va, *vb;
	uint64_t off_a, dev_a, ino_a;

	if (a == b)
		return true;
	va = mem_identity_vma(mi, a);
	if (!va || !va->shared || !va->ino)
		return false;
	off_a = va->offset + (a - va->start);
	dev_a = va->dev;
	ino_a = va->ino;
	vb = mem_identity_vma(mi, b);
	/* the lookup of b may have replaced a's entry: use the copies */
	if (!vb || !vb->shared || vb->ino == 0)
		return false;
	return vb->dev == dev_a && vb->ino == ino_a &&
	       vb->offset + (b - vb->start) == off_a;
}
