/* SPDX-License-Identifier: MIT */
/*
 * io_pagetable: the IOVA side of an IOAS.
 *
 * An io_pagetable owns three interval trees over the 64-bit IOVA space:
 *   areas     what is mapped: each iopt_area maps [iova, last] to a byte range
 *             of one iopt_pages (the memory side, see pages.h); areas never
 *             overlap each other
 *   reserved  IOVA that must never be mapped (MSI windows, apertures, test
 *             reservations); each range names its owner so that the owner can
 *             remove all of its ranges at once
 *   allowed   if not empty, the only IOVA automatic allocation may use, and
 *             ranges that must never become reserved
 * Invariants: no area intersects a reserved range; no allowed range intersects
 * a reserved range; every area's iova and length are multiples of
 * iova_alignment.
 *
 * Map, copy and unmap work on "pages lists": a list of (pages, start_byte,
 * length) pieces; MAP builds a list of one from user memory or a file, COPY
 * builds it from the areas of another IOAS, so both IOASes share the same
 * pages and nothing is pinned or charged twice.
 *
 * Locking: iova_rwsem (a rwlock) protects the trees and iova_alignment.
 * Vocabulary: `last` is inclusive, `length` in bytes, page indexes count
 * PAGE_SIZE pages from the start of an iopt_pages.
 */
#ifndef UIOMMUFD_CORE_IO_PAGETABLE_H
#define UIOMMUFD_CORE_IO_PAGETABLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <urcu/list.h>

#include "util/interval_tree.h"
#include "util/page.h"

struct iopt_pages;
struct iommufd_ctx;

/* DMA permissions of an area */
enum {
	IOMMU_READ = 1 << 0,
	IOMMU_WRITE = 1 << 1,
	IOMMU_CACHE = 1 << 2,
};

/* iopt_map_*() flags */
enum {
	IOPT_ALLOC_IOVA = 1 << 0, /* choose the IOVA, *iova is output only */
};

struct io_pagetable {
	pthread_rwlock_t iova_rwsem;
	struct itree_root area_itree;
	struct itree_root allowed_itree;
	struct itree_root reserved_itree;
	/* IOVA and length of maps must be multiples of this (1: any) */
	uint64_t iova_alignment;
	/* IOMMU_OPTION_HUGE_PAGES = 0: domains map PAGE_SIZE entries only */
	bool disable_large_pages;
	/* accesses attached to this IOAS; access_lock, taken inside
	 * iova_rwsem when both are held */
	pthread_mutex_t access_lock;
	struct cds_list_head access_list;
	/* paging domains filled from this IOAS (HWPTs); under iova_rwsem */
	struct uio_domain **domains;
	unsigned int num_domains;
};

struct iopt_area {
	struct itree_node node; /* [iova, last iova] */
	struct io_pagetable *iopt;
	struct iopt_pages *pages;
	uint64_t first_index; /* first page of pages this area uses */
	uint64_t last_index;  /* last page, inclusive */
	uint32_t page_offset; /* byte offset of iova within its first page */
	int iommu_prot;
	/* pins held by accesses on this area (changed under iova_rwsem read
	 * + pages->mutex, read under iova_rwsem write) */
	unsigned int num_accesses;
	/* set while an unmap waits for accesses to let go: no new pins */
	bool prevent_access;
	/* its pages are pinned on behalf of the IOAS's domains */
	bool domain_pinned;
	/* HW queues reading it (viommu.c): unmap is EBUSY while locked;
	 * changed under iova_rwsem write */
	unsigned int num_locks;
};

struct iopt_reserved {
	struct itree_node node;
	const void *owner;
};

struct iopt_allowed {
	struct itree_node node;
};

/* One piece of memory to map: a byte range of an iopt_pages. */
struct iopt_pages_list {
	struct cds_list_head next;
	struct iopt_pages *pages;   /* holds a reference */
	struct iopt_area *area;     /* the area being built for it */
	uint64_t start_byte;        /* from the start of pages' first page */
	uint64_t length;
};

static inline uint64_t iopt_area_iova(const struct iopt_area *area)
{
	return area->node.start;
}

static inline uint64_t iopt_area_last_iova(const struct iopt_area *area)
{
	return area->node.last;
}

void iopt_init_table(struct io_pagetable *iopt);
void iopt_destroy_table(struct io_pagetable *iopt);

int iopt_map_user_pages(struct iommufd_ctx *ictx, struct io_pagetable *iopt,
			uint64_t *iova, void *uptr, uint64_t length,
			int iommu_prot, unsigned int flags);
/* @fd may be any file the kernel maps, or a dma-buf (pages.h): its pages
 * are then neither pinned nor charged, and may be revoked */
int iopt_map_file_pages(struct iommufd_ctx *ictx, struct io_pagetable *iopt,
			uint64_t *iova, int fd, uint64_t start, uint64_t length,
			int iommu_prot, unsigned int flags);
int iopt_get_pages(struct io_pagetable *iopt, uint64_t iova, uint64_t length,
		   struct cds_list_head *pages_list);
void iopt_free_pages_list(struct cds_list_head *pages_list);
int iopt_map_pages(struct io_pagetable *iopt, struct cds_list_head *pages_list,
		   uint64_t length, uint64_t *dst_iova, int iommu_prot,
		   unsigned int flags);

int iopt_unmap_iova(struct io_pagetable *iopt, uint64_t iova, uint64_t length,
		    uint64_t *unmapped);
int iopt_unmap_all(struct io_pagetable *iopt, uint64_t *unmapped);

/*
 * Split the areas that contain one of @iovas so that each such iova becomes
 * the last byte of an area (VFIO type1 v1 unmap). An iova with no area is
 * skipped. -EINVAL if a cut would break the IOAS alignment; the cuts made
 * before a failure stay.
 */
int iopt_cut_iova(struct io_pagetable *iopt, const uint64_t *iovas,
		  size_t num_iovas);

/* replace the allowed tree with @allowed (whose nodes become owned) */
int iopt_set_allow_iova(struct io_pagetable *iopt, struct itree_root *allowed);
void iopt_free_itree(struct itree_root *root, uint64_t node_offset);

int iopt_reserve_iova(struct io_pagetable *iopt, uint64_t start, uint64_t last,
		      const void *owner);
void iopt_remove_reserved_iova(struct io_pagetable *iopt, const void *owner);

/* the same, for callers that hold iova_rwsem for write */
int iopt_reserve_iova_locked(struct io_pagetable *iopt, uint64_t start,
			     uint64_t last, const void *owner);
void iopt_remove_reserved_iova_locked(struct io_pagetable *iopt,
				      const void *owner);

/* recompute iova_alignment from its users (iova_rwsem held for write);
 * EADDRINUSE if a mapping would break a raised alignment */
int iopt_calculate_iova_alignment(struct io_pagetable *iopt);
int iopt_check_iova_alignment(struct io_pagetable *iopt, uint64_t align);

/*
 * Domains (iopt_domains.c). Adding a domain narrows the IOVA space to its
 * aperture (EADDRINUSE if mappings or allowed ranges lie outside), raises
 * the alignment to its smallest page, pins every area's pages once for all
 * domains, and maps every area into it. Removing undoes all of it.
 */
struct uio_domain;
int iopt_table_add_domain(struct io_pagetable *iopt, struct uio_domain *domain);
void iopt_table_remove_domain(struct io_pagetable *iopt,
			      struct uio_domain *domain);
/* map a new area into every domain (iova_rwsem held for write) */
int iopt_area_fill_domains(struct io_pagetable *iopt, struct iopt_area *area);
/* unmap an area from every domain and drop its domain pin */
void iopt_area_unfill_domains(struct io_pagetable *iopt,
			      struct iopt_area *area);
/* after splitting @head into @head and @tail: re-pin both halves */
int iopt_area_split_domain_pin(struct iopt_area *head, struct iopt_area *tail,
			       uint64_t old_last_index);

int iopt_disable_large_pages(struct io_pagetable *iopt);
void iopt_enable_large_pages(struct io_pagetable *iopt);

struct iommufd_access;
/* attach/detach an access: the IOAS alignment follows the accesses' */
int iopt_add_access(struct io_pagetable *iopt, struct iommufd_access *access);
void iopt_remove_access(struct io_pagetable *iopt,
			struct iommufd_access *access);

/* byte offset of @iova within the pages of @area */
static inline uint64_t iopt_area_start_byte(const struct iopt_area *area,
					    uint64_t iova)
{
	return area->first_index * PAGE_SIZE + area->page_offset +
	       (iova - area->node.start);
}

/* for IOAS_CHANGE_PROCESS: 0 if every area is file backed, else -EINVAL */
int iopt_check_all_file_backed(struct io_pagetable *iopt);

/*
 * Lock [iova, iova + length) against unmap for a HW queue: the range must
 * lie inside one area (ENOENT if nothing is mapped at @iova, EFAULT if the
 * range runs past its area: not one contiguous run of memory). Returns the
 * area, to pass to iopt_unlock_area().
 */
struct iopt_area *iopt_lock_area(struct io_pagetable *iopt, uint64_t iova,
				 uint64_t length);
void iopt_unlock_area(struct io_pagetable *iopt, struct iopt_area *area);

/* choose an IOVA for @length bytes whose memory starts at address @uptr
 * (exposed for unit tests; caller holds iova_rwsem for write) */
int iopt_alloc_iova(struct io_pagetable *iopt, uint64_t *iova, uint64_t uptr,
		    uint64_t length);

#endif
