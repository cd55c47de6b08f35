/* SPDX-License-Identifier: MIT */
/*
 * pages: the memory side of mappings.
 *
 * An iopt_pages is the memory one IOAS_MAP or IOAS_MAP_FILE named: user
 * virtual memory (uptr, page aligned down) or a byte range of a file (a
 * duplicate of the caller's fd, so the file outlives the caller's close).
 * Areas of any number of IOASes refer to slices of one iopt_pages (COPY
 * shares it), each holding a reference.
 *
 * Pinning. In this engine the host "physical address" of a page is its
 * virtual address in this process. A pin is a promise that DMA may target the
 * page; the kernel counts pins per page and the selftest reads those counts
 * (IOMMU_TEST_OP_MD_CHECK_REFS). We keep a process-wide pin ledger: an
 * interval tree of pinned virtual ranges, so pinning a 1 GiB range is one
 * tree insert, and the pin count of a page is the number of ledger ranges
 * covering it.
 *
 * Accounting. Pinned pages are charged against RLIMIT_MEMLOCK, per
 * IOMMU_OPTION_RLIMIT_MODE: 0 charges the user (one counter shared by every
 * context of the process, standing in for the kernel's per-user count), 1
 * charges the process. A caller with CAP_IPC_LOCK is not charged, as in the
 * kernel. A charge past the limit fails with ENOMEM. Charging happens once per
 * pinned range, however many IOASes or domains use it.
 *
 * dma-bufs. As in the kernel, a dma-buf's pages are neither pinned nor
 * charged (the exporter owns them) and accesses cannot use them (EINVAL).
 * The exporter may revoke them: every domain that maps an area of the
 * pages must then let go at once, from the exporter's side, without the
 * IOAS locks (taking iova_rwsem there would invert the lock order). So
 * each (area, domain) pair that maps dma-buf pages is recorded in the
 * pages under its mutex when it is mapped and forgotten when it is
 * unmapped; revoke walks that list. A revoked iopt_pages stays revoked:
 * its areas remain in their IOASes (UNMAP removes them as usual) and are
 * left out of every domain, including domains attached later.
 */
#ifndef UIOMMUFD_CORE_PAGES_H
#define UIOMMUFD_CORE_PAGES_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/dmabuf.h"
#include "core/iommufd_private.h"
#include "util/interval_tree.h"
#include "util/page.h"

enum iopt_address_type {
	IOPT_ADDRESS_USER,
	IOPT_ADDRESS_FILE,
	IOPT_ADDRESS_DMABUF,
};

struct iopt_pages {
	atomic_int refs;
	enum iopt_address_type type;
	union {
		void *uptr;      /* USER: first page, page aligned */
		uint64_t start;  /* FILE, DMABUF: offset of the first page */
	};
	int fd;                  /* FILE: our duplicate, else -1 */
	void *kva;               /* FILE: our mapping of it, once pinned */
	uint64_t npages;
	bool writable;
	enum iopt_account_mode account_mode;
	bool account_resolved; /* account_mode is the effective one */
	/* pinning by accesses: protected by mutex */
	pthread_mutex_t mutex;
	struct itree_root access_itree; /* iopt_pages_access, by page index */
	struct itree_root pinned_itree; /* pin_record.pages_node, by index */
	/* DMABUF: the buffer (a reference) and our attachment to it */
	struct uio_dmabuf *dmabuf;
	struct uio_dmabuf_attachment attach;
	/* DMABUF, protected by mutex: the exporter took the pages away, and
	 * the (area, domain) pairs that map them (iopt_dmabuf_track) */
	bool revoked;
	struct cds_list_head dmabuf_tracks;
};

struct iopt_pages *iopt_alloc_user_pages(void *uptr, uint64_t length,
					 bool writable,
					 enum iopt_account_mode mode,
					 uint64_t *ret_start_byte);
struct iopt_pages *iopt_alloc_file_pages(int fd, uint64_t start,
					 uint64_t length, bool writable,
					 enum iopt_account_mode mode,
					 uint64_t *ret_start_byte);
/*
 * [start, start + length) of @dmabuf, which must lie inside the buffer
 * (-EINVAL); -ENODEV if the buffer is revoked. Takes its own reference.
 */
struct iopt_pages *iopt_alloc_dmabuf_pages(struct uio_dmabuf *dmabuf,
					   uint64_t start, uint64_t length,
					   bool writable,
					   uint64_t *ret_start_byte);
void iopt_pages_get(struct iopt_pages *pages);
void iopt_put_pages(struct iopt_pages *pages);

/* the address the first page starts at (file: its offset) */
uint64_t iopt_pages_start_address(const struct iopt_pages *pages);

/* ---- the pin ledger ---- */

struct pin_record {
	struct itree_node node; /* [first byte, last byte] of pinned pages */
	struct itree_node pages_node; /* [first, last] page index in its pages */
	enum iopt_account_mode mode;
	uint64_t npages;
};

/*
 * Accesses pin page-index ranges of an iopt_pages. Each distinct range is
 * one record with a user count (the same range pinned twice is one record
 * with two users); a page is pinned once, in the ledger, while any record
 * covers it, however many records do.
 */
int iopt_pages_add_access(struct iopt_pages *pages, uint64_t index,
			  uint64_t last_index);
void iopt_pages_remove_access(struct iopt_pages *pages, uint64_t index,
			      uint64_t last_index);

/*
 * The host address of page @index: user memory is its own address; a file
 * is mapped (MAP_SHARED, so the page cache is shared with every other user
 * of the file) the first time something pins it: iopt_pages_add_access()
 * does that.
 */
static inline uintptr_t iopt_pages_index_va(const struct iopt_pages *pages,
					    uint64_t index)
{
	/* a dma-buf's pages are not contiguous: each is looked up */
	if (pages->type == IOPT_ADDRESS_DMABUF)
		return uio_dmabuf_addr(pages->dmabuf,
				       pages->start + index * PAGE_SIZE);
	return (uintptr_t)(pages->type == IOPT_ADDRESS_USER ? pages->uptr :
							      pages->kva) +
	       index * PAGE_SIZE;
}

/* ---- dma-buf pages in domains (iova_rwsem held for write) ---- */

struct iopt_area;
struct uio_domain;

/*
 * Map @area (of dma-buf pages) into @domain and record the pair, or only
 * record it when the pages are revoked. -ENOMEM or the domain's error,
 * with nothing mapped or recorded.
 */
int iopt_dmabuf_map_domain(struct iopt_area *area, struct uio_domain *domain,
			   bool large);
/* undo iopt_dmabuf_map_domain() (the unmap is skipped once revoked) */
void iopt_dmabuf_unmap_domain(struct iopt_area *area,
			      struct uio_domain *domain);
/* true once the exporter revoked the pages (always false for others) */
bool iopt_pages_revoked(struct iopt_pages *pages);

/* pin the pages of [va, va + npages * PAGE_SIZE), charging them per @mode;
 * -ENOMEM past the memlock limit */
int pin_ledger_pin(uintptr_t va, uint64_t npages, enum iopt_account_mode mode,
		   struct pin_record **ret_rec);
void pin_ledger_unpin(struct pin_record *rec);

/* the parts of pin/unpin, for callers that re-shape pinned ranges:
 * charge fails with -ENOMEM past the limit; insert/remove do not charge */
int pin_ledger_charge(enum iopt_account_mode mode, uint64_t npages);
void pin_ledger_uncharge(enum iopt_account_mode mode, uint64_t npages);
void pin_ledger_insert(struct pin_record *rec);
void pin_ledger_remove(struct pin_record *rec);
/* the mode a charge in @mode really uses (NONE with CAP_IPC_LOCK) */
enum iopt_account_mode pin_ledger_effective_mode(enum iopt_account_mode mode);

/* how many pins cover the page at @va */
uint64_t pin_ledger_refs(uintptr_t va);
/* the same, counting pins taken through any mapping of the same file page */
uint64_t pin_ledger_refs_identity(uintptr_t va);

/* pages charged so far in @mode (for tests and the state dump) */
uint64_t pin_ledger_charged(enum iopt_account_mode mode);

/* override RLIMIT_MEMLOCK (bytes; UINT64_MAX: use the real rlimit) and
 * whether the caller counts as having CAP_IPC_LOCK (-1: ask the system) */
void pin_ledger_set_limit(uint64_t bytes, int cap_ipc_lock);

#endif
