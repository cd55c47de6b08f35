/* SPDX-License-Identifier: MIT */
/*
 * dma-buf files, attachments and revoke, and the selftest's test buffer;
 * see dmabuf.h for the model.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/dmabuf.h"
#include "util/alloc.h"
#include "util/container_of.h"
#include "util/err.h"
#include "util/reason.h"

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

static void dmabuf_release(struct uio_file *file)
{
	struct uio_dmabuf *dmabuf = container_of(file, struct uio_dmabuf, file);

	/* an importer holds a reference while attached */
	dmabuf->exporter->release(dmabuf);
	pthread_mutex_destroy(&dmabuf->lock);
	uio_free(dmabuf->page_va);
	uio_free(dmabuf);
}

/* A dma-buf has no read, write or ioctl of its own here, as the kernel's
 * test buffer has none (the fd table answers EINVAL and ENOTTY). */
static const struct uio_file_ops dmabuf_fops = {
	.name = "dmabuf",
	.release = dmabuf_release,
};

struct uio_dmabuf *uio_dmabuf_lookup(int fd)
{
	struct uio_file *file = uio_fd_get(fd);

	if (!file)
		return NULL;
	if (file->ops != &dmabuf_fops) {
		uio_file_put(file);
		return NULL;
	}
	return container_of(file, struct uio_dmabuf, file);
}

struct uio_dmabuf *uio_dmabuf_get(int fd)
{
	struct uio_dmabuf *dmabuf = uio_dmabuf_lookup(fd);

	if (dmabuf)
		return dmabuf;
	if (fd < 0 || syscall(SYS_fcntl, fd, F_GETFD) < 0)
		return ERR_PTR(uio_fail(-EBADF, "fd %d is not open", fd));
	return ERR_PTR(uio_fail(-EINVAL, "fd %d is not a dma-buf", fd));
}

void uio_dmabuf_hold(struct uio_dmabuf *dmabuf)
{
	uio_file_get(&dmabuf->file);
}

void uio_dmabuf_put(struct uio_dmabuf *dmabuf)
{
	if (dmabuf)
		uio_file_put(&dmabuf->file);
}

int uio_dmabuf_attach(struct uio_dmabuf *dmabuf,
		      struct uio_dmabuf_attachment *attach,
		      const struct uio_dmabuf_importer_ops *ops)
{
	int rc = 0;

	pthread_mutex_lock(&dmabuf->lock);
	if (dmabuf->revoked) {
		rc = uio_fail(-ENODEV, "the dma-buf is revoked");
	} else {
		attach->ops = ops;
		cds_list_add_tail(&attach->node, &dmabuf->attachments);
	}
	pthread_mutex_unlock(&dmabuf->lock);
	return rc;
}

void uio_dmabuf_detach(struct uio_dmabuf *dmabuf,
		       struct uio_dmabuf_attachment *attach)
{
	pthread_mutex_lock(&dmabuf->lock);
	cds_list_del(&attach->node);
	pthread_mutex_unlock(&dmabuf->lock);
}

void uio_dmabuf_set_revoked(struct uio_dmabuf *dmabuf, bool revoked)
{
	struct uio_dmabuf_attachment *attach;

	pthread_mutex_lock(&dmabuf->lock);
	/* revoking twice tells nobody twice: each attachment hears once */
	if (revoked && !dmabuf->revoked)
		cds_list_for_each_entry(attach, &dmabuf->attachments, node)
			attach->ops->revoke(attach);
	dmabuf->revoked = revoked;
	pthread_mutex_unlock(&dmabuf->lock);
}

/* ---- the selftest's exporter ---- */

/*
 * The pages live in one reservation of 2 * npages pages: page i sits at
 * slot 2 * (npages - 1 - i), and the odd slots stay inaccessible.
 */
struct test_buffer {
	void *region;
	size_t region_bytes;
};

static void test_buffer_release(struct uio_dmabuf *dmabuf)
{
	struct test_buffer *tb = dmabuf->priv;

	if (!tb)
		return;
	if (tb->region)
		munmap(tb->region, tb->region_bytes);
	uio_free(tb);
}

static const struct uio_dmabuf_exporter test_exporter = {
	.name = "iommufd_test",
	.release = test_buffer_release,
};

bool uio_dmabuf_is_test(const struct uio_dmabuf *dmabuf)
{
	return dmabuf->exporter == &test_exporter;
}

/* map the memfd's pages into a fresh reservation; fills page_va */
static int test_buffer_map(struct uio_dmabuf *dmabuf, struct test_buffer *tb,
			   int memfd)
{
	uint64_t i;
	char *slot;

	tb->region_bytes = 2 * dmabuf->npages * PAGE_SIZE;
	tb->region = fail_nth_point() ?
			     MAP_FAILED :
			     mmap(NULL, tb->region_bytes, PROT_NONE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				  -1, 0);
	if (tb->region == MAP_FAILED) {
		tb->region = NULL;
		return uio_fail(-ENOMEM, "no address space for the dma-buf");
	}
	for (i = 0; i < dmabuf->npages; i++) {
		slot = (char *)tb->region +
		       2 * (dmabuf->npages - 1 - i) * PAGE_SIZE;
		if (mmap(slot, PAGE_SIZE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, memfd,
			 (off_t)(i * PAGE_SIZE)) == MAP_FAILED)
			return uio_fail(-ENOMEM, "cannot map dma-buf page %" PRIu64,
					i);
		dmabuf->page_va[i] = (uintptr_t)slot;
	}
	return 0;
}

int uio_dmabuf_test_create(uint64_t size, int open_flags)
{
	struct uio_dmabuf *dmabuf;
	struct test_buffer *tb;
	int memfd, rc;

	if (!size)
		return uio_fail(-EINVAL, "dma-buf length is 0");
	if (size % PAGE_SIZE)
		return uio_fail(-EINVAL,
				"dma-buf length 0x%" PRIx64
				" is not a multiple of the page size",
				size);
	if (size > UIO_DMABUF_TEST_MAX_PAGES * PAGE_SIZE)
		return uio_fail(-EINVAL,
				"dma-buf length 0x%" PRIx64 " is over %u pages",
				size, UIO_DMABUF_TEST_MAX_PAGES);
	dmabuf = uio_zalloc(sizeof(*dmabuf));
	if (!dmabuf)
		return -ENOMEM;
	pthread_mutex_init(&dmabuf->lock, NULL);
	CDS_INIT_LIST_HEAD(&dmabuf->attachments);
	dmabuf->file.ops = &dmabuf_fops;
	dmabuf->file.priv = dmabuf;
	dmabuf->exporter = &test_exporter;
	dmabuf->size = size;
	dmabuf->npages = size / PAGE_SIZE;
	dmabuf->page_va = uio_calloc(dmabuf->npages, sizeof(*dmabuf->page_va));
	tb = uio_zalloc(sizeof(*tb));
	dmabuf->priv = tb;
	if (!dmabuf->page_va || !tb) {
		rc = -ENOMEM;
		goto out_release;
	}

	memfd = fail_nth_point() ?
			-1 :
			memfd_create("uiommufd-dmabuf",
				     MFD_ALLOW_SEALING |
					     (open_flags & O_CLOEXEC ?
						      MFD_CLOEXEC :
						      0));
	if (memfd < 0) {
		rc = uio_fail(-ENOMEM, "cannot make the dma-buf's memory");
		goto out_release;
	}
	if (ftruncate(memfd, (off_t)size)) {
		rc = uio_fail(-ENOMEM, "cannot size the dma-buf's memory");
		goto out_close;
	}
	rc = test_buffer_map(dmabuf, tb, memfd);
	if (rc)
		goto out_close;
	/* our mappings stay writable; nobody may resize the memory under
	 * them or map it writable anew through the program's fd */
	if (syscall(SYS_fcntl, memfd, F_ADD_SEALS,
		    F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_FUTURE_WRITE |
			    F_SEAL_SEAL)) {
		rc = uio_fail(-ENOMEM, "cannot seal the dma-buf's memory");
		goto out_close;
	}
	dmabuf->file.flags = open_flags & O_CLOEXEC;
	rc = uio_file_install_kfd(&dmabuf->file, memfd);
	if (rc < 0)
		goto out_close;
	return rc;

out_close:
	syscall(SYS_close, memfd);
out_release:
	dmabuf_release(&dmabuf->file);
	return rc;
}
