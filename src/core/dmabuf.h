/* SPDX-License-Identifier: MIT */
/*
 * dma-bufs: memory one driver exports as a file descriptor and another
 * imports.
 *
 * A dma-buf is an emulated file (front/file.h): the program holds it by its
 * fd, and every importer holds a reference on the file, so closing the fd
 * never frees memory an IOAS still maps. The buffer is a list of pages,
 * each with its own host address (the engine's "physical" address); the
 * pages of one buffer are not contiguous, as the pages of a real dma-buf
 * are not, so an importer must look each page up.
 *
 * Importers attach: an attachment is the importer's promise to stop using
 * the pages when told. The exporter may revoke the buffer at any time (the
 * VFIO exporter does when the device's MMIO goes away); revoke calls every
 * attachment's revoke op, which must unmap the pages from every IOMMU
 * domain before it returns. An importer cannot fault the pages back in, so
 * an attachment once revoked stays revoked; only new attachments see a
 * buffer the exporter has made valid again. Attaching to a revoked buffer
 * fails with ENODEV.
 *
 * The one exporter today is the selftest's test buffer (DMABUF_GET): zeroed
 * pages of a sealed memfd, each mapped on its own, in reverse order and
 * with an inaccessible page after each, so that code that assumes
 * contiguous pages fails loudly. The memfd is also the fd the program
 * gets: it has the buffer's size (lseek(SEEK_END) tells it, as on a real
 * dma-buf), and the seals keep the program from shrinking it under the
 * engine's mappings.
 *
 * Locking: dmabuf->lock protects revoked and the attachment list; the
 * revoke op runs with it held, so it is taken before an importer's own
 * locks (before iopt_pages->mutex).
 */
#ifndef UIOMMUFD_CORE_DMABUF_H
#define UIOMMUFD_CORE_DMABUF_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <urcu/list.h>

#include "front/file.h"
#include "util/page.h"

struct uio_dmabuf;
struct uio_dmabuf_attachment;

struct uio_dmabuf_importer_ops {
	/* the exporter takes the pages away: unmap them everywhere before
	 * returning; called with the dma-buf's lock held, at most once */
	void (*revoke)(struct uio_dmabuf_attachment *attach);
};

/* An importer's hold on a buffer; embedded in the importer's object. */
struct uio_dmabuf_attachment {
	struct cds_list_head node; /* in dmabuf->attachments, under its lock */
	const struct uio_dmabuf_importer_ops *ops;
};

struct uio_dmabuf_exporter {
	const char *name;
	/* the last reference is gone: free the pages */
	void (*release)(struct uio_dmabuf *dmabuf);
};

struct uio_dmabuf {
	struct uio_file file; /* first: the fd table's view; refs = lifetime */
	const struct uio_dmabuf_exporter *exporter;
	uint64_t size;        /* bytes, a multiple of PAGE_SIZE */
	uint64_t npages;
	uintptr_t *page_va;   /* host address of each page */
	pthread_mutex_t lock;
	bool revoked;                     /* under lock */
	struct cds_list_head attachments; /* under lock */
	void *priv;                       /* the exporter's */
};

/* the host address of byte @offset (< size) of @dmabuf */
static inline uintptr_t uio_dmabuf_addr(const struct uio_dmabuf *dmabuf,
					uint64_t offset)
{
	return dmabuf->page_va[offset >> PAGE_SHIFT] + (offset & ~PAGE_MASK);
}

/**
 * uio_dmabuf_get() - the dma-buf behind @fd with a reference, as the
 * kernel's dma_buf_get(): ERR_PTR(-EBADF) if @fd is not open,
 * ERR_PTR(-EINVAL) if it is not a dma-buf. Put with uio_dmabuf_put().
 */
struct uio_dmabuf *uio_dmabuf_get(int fd);

/** uio_dmabuf_lookup() - the same, but NULL (and no reason) for anything
 * that is not a dma-buf */
struct uio_dmabuf *uio_dmabuf_lookup(int fd);

/** uio_dmabuf_hold() - another reference on a dma-buf the caller holds */
void uio_dmabuf_hold(struct uio_dmabuf *dmabuf);
void uio_dmabuf_put(struct uio_dmabuf *dmabuf);

/**
 * uio_dmabuf_attach() - attach an importer: 0, or -ENODEV if the buffer is
 * revoked. The importer holds its own reference for as long as it is
 * attached.
 */
int uio_dmabuf_attach(struct uio_dmabuf *dmabuf,
		      struct uio_dmabuf_attachment *attach,
		      const struct uio_dmabuf_importer_ops *ops);
void uio_dmabuf_detach(struct uio_dmabuf *dmabuf,
		       struct uio_dmabuf_attachment *attach);

/**
 * uio_dmabuf_set_revoked() - the exporter revokes (@revoked) or restores
 * the buffer. Revoking tells every attachment, which unmaps the pages
 * before this returns; restoring lets new attachments in.
 */
void uio_dmabuf_set_revoked(struct uio_dmabuf *dmabuf, bool revoked);

/* ---- the selftest's exporter ---- */

/* the largest test buffer, in pages (the kernel's selftest limit) */
#define UIO_DMABUF_TEST_MAX_PAGES 512

/**
 * uio_dmabuf_test_create() - a test buffer of @size bytes (a non-zero
 * multiple of PAGE_SIZE, at most UIO_DMABUF_TEST_MAX_PAGES pages: else
 * -EINVAL) of zeroed pages, installed as a new fd (O_CLOEXEC honoured).
 * Return: the fd or -errno.
 */
int uio_dmabuf_test_create(uint64_t size, int open_flags);

/** true if @dmabuf was made by uio_dmabuf_test_create() */
bool uio_dmabuf_is_test(const struct uio_dmabuf *dmabuf);

#endif
