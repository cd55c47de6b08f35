/* SPDX-License-Identifier: MIT */
/*
 * mem_identity: are two addresses of this process the same memory?
 *
 * The kernel's selftest compares physical pages (MD_CHECK_MAP, the access
 * pin check). Our "physical address" is a host virtual address, and the
 * same file page can be mapped at two addresses (the program's mmap of a
 * memfd and the engine's own mapping behind IOMMU_IOAS_MAP_FILE). Two
 * addresses are the same memory when they are equal, or when both lie in
 * shared mappings of the same file (device and inode) at the same file
 * offset. Private mappings are identified by address only. The mappings
 * are read from /proc/self/maps, once per comparer and again only when an
 * address falls outside the mappings already read.
 */
#ifndef UIOMMUFD_UTIL_MEM_IDENTITY_H
#define UIOMMUFD_UTIL_MEM_IDENTITY_H

#include <stdbool.h>
#include <stdint.h>

struct mem_vma {
	uintptr_t start, end; /* [start, end) */
	uint64_t offset;      /* file offset of start */
	uint64_t dev, ino;    /* 0 for anonymous private memory */
	bool shared;
};

struct mem_identity {
	struct mem_vma cache[2];
	unsigned int next;
};

/* the mapping around @va, from the cache or /proc/self/maps; NULL if none */
const struct mem_vma *mem_identity_vma(struct mem_identity *mi, uintptr_t va);

/* true if @a and @b are the same byte of memory */
bool mem_identity_same(struct mem_identity *mi, uintptr_t a, uintptr_t b);

#endif
