/* SPDX-License-Identifier: MIT */
/*
 * IOMMU_TEST_CMD: the kernel selftest's private command (its
 * CONFIG_IOMMUFD_TEST hook), served so that the unmodified selftest can run.
 *
 * Served here: ADD_RESERVED (reserve IOVA in an IOAS), MD_CHECK_REFS (each
 * page of a user range has exactly the given number of pins: the selftest
 * calls it in every teardown), SET_TEMP_MEMORY_LIMIT (the page budget of an
 * access's pinned-page store). Mock devices and the ops that look inside
 * mock domains (MOCK_DOMAIN(_FLAGS), MOCK_DOMAIN_REPLACE, MD_CHECK_MAP,
 * DIRTY) live in selftest_mock.c. CREATE_ACCESS, ACCESS_PAGES,
 * DESTROY_ACCESS_PAGES, ACCESS_RW and ACCESS_REPLACE_IOAS drive the access
 * API (access.c) through an access fd, as the kernel's selftest driver
 * does. The nested-domain, vIOMMU, PASID and fault ops live in
 * selftest_nested.c, the dma-buf ops (DMABUF_GET, DMABUF_REVOKE,
 * MD_CHECK_DMABUF) in selftest_dmabuf.c. An op the kernel does not know
 * is EOPNOTSUPP.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>

#include "core/access.h"
#include "core/iommufd_private.h"
#include "core/selftest.h"
#include "core/pages.h"
#include "util/overflow.h"
#include "util/page.h"
#include "util/alloc.h"
#include "util/mem_identity.h"
#include "util/uaccess.h"
#include "front/file.h"

/* pages an access may keep pinned in its store (kernel default 65536) */
unsigned int iommufd_test_memory_limit = 65536;

static int iommufd_test_add_reserved(struct iommufd_ucmd *ucmd,
				     uint32_t ioas_id, uint64_t start,
				     uint64_t length)
{
	struct iommufd_ioas *ioas;
	uint64_t last;
	int rc;

	if (!length)
		return uio_fail(-EINVAL, "reserved length is 0");
	if (check_add_overflow(start, length - 1, &last))
		return uio_fail(-EOVERFLOW, "reserved range wraps");
	ioas = iommufd_get_ioas(ucmd->ictx, ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	rc = iopt_reserve_iova(&ioas->iopt, start, last, NULL);
	iommufd_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

static int iommufd_test_md_check_refs(struct iommufd_ucmd *ucmd,
				      void *uptr, uint64_t length,
				      unsigned int refs)
{
	uintptr_t va = (uintptr_t)uptr;
	unsigned char probe;

	uint64_t end;

	if (length % PAGE_SIZE || va % PAGE_SIZE ||
	    check_add_overflow((uint64_t)va, length, &end))
		return uio_fail(-EINVAL,
				"range %p + 0x%" PRIx64 " is not page aligned",
				uptr, length);
	for (; length; length -= PAGE_SIZE, va += PAGE_SIZE) {
		uint64_t count;

		/* like get_user_pages(): the page must be there */
		if (copy_from_user(&probe, (void *)va, 1))
			return uio_fail(-EFAULT, "no page at 0x%lx",
					(unsigned long)va);
		count = pin_ledger_refs_identity(va);
		if (count != refs)
			return uio_fail(-EIO,
					"page 0x%lx has %" PRIu64
					" pins, expected %u",
					(unsigned long)va, count, refs);
	}
	return 0;
}

/* ---- the selftest's access: an object behind its own fd ---- */

/*
 * CREATE_ACCESS makes an access and an fd for it; the other ACCESS_* ops
 * name the access by that fd. Pins are kept as items with ids so a test can
 * drop one; the unmap callback drops every item in the unmapped range, as
 * the kernel's selftest driver does.
 */
struct selftest_access {
	struct uio_file file; /* first: the fd table's view */
	struct iommufd_access *access;
	pthread_mutex_t lock;
	struct cds_list_head items;
	unsigned int next_id;
};

struct selftest_access_item {
	struct cds_list_head node;
	uint64_t iova;
	uint64_t length;
	unsigned int id;
};

static void staccess_unmap(void *data, uint64_t iova, uint64_t length)
{
	uint64_t iova_last = iova + length - 1;
	struct selftest_access *staccess = data;
	struct selftest_access_item *item, *tmp;

	pthread_mutex_lock(&staccess->lock);
	cds_list_for_each_entry_safe(item, tmp, &staccess->items, node) {
		if (iova > item->iova + item->length - 1 ||
		    iova_last < item->iova)
			continue;
		cds_list_del(&item->node);
		iommufd_access_unpin_pages(staccess->access, item->iova,
					   item->length);
		uio_free(item);
	}
	pthread_mutex_unlock(&staccess->lock);
}

static const struct iommufd_access_ops staccess_ops_pin = {
	.needs_pin_pages = true,
	.unmap = staccess_unmap,
};

static const struct iommufd_access_ops staccess_ops = {
	.unmap = staccess_unmap,
};

static void staccess_release(struct uio_file *file)
{
	struct selftest_access *staccess =
		container_of(file, struct selftest_access, file);

	if (staccess->access) {
		staccess_unmap(staccess, 0, UINT64_MAX);
		iommufd_access_destroy(staccess->access);
	}
	pthread_mutex_destroy(&staccess->lock);
	uio_free(staccess);
}

static const struct uio_file_ops staccess_fops = {
	.name = "iommufd_test_staccess",
	.release = staccess_release,
};

/* the access behind @fd with a file reference, or EBADFD */
static struct selftest_access *staccess_get(int fd)
{
	struct uio_file *file = uio_fd_get(fd);

	if (!file)
		return ERR_PTR(uio_fail(-EBADFD, "fd %d is not open here", fd));
	if (file->ops != &staccess_fops) {
		uio_file_put(file);
		return ERR_PTR(uio_fail(-EBADFD, "fd %d is not an access fd",
					fd));
	}
	return container_of(file, struct selftest_access, file);
}

static int iommufd_test_create_access(struct iommufd_ucmd *ucmd,
				      uint32_t ioas_id, uint32_t flags)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct selftest_access *staccess;
	struct iommufd_access *access;
	struct uio_file *file;
	int fd, rc;

	if (flags & ~MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES)
		return uio_fail(-EOPNOTSUPP, "flags 0x%x unknown", flags);
	staccess = uio_zalloc(sizeof(*staccess));
	if (!staccess)
		return -ENOMEM;
	pthread_mutex_init(&staccess->lock, NULL);
	CDS_INIT_LIST_HEAD(&staccess->items);
	staccess->file.ops = &staccess_fops;
	staccess->file.priv = staccess;

	access = iommufd_access_create(
		ucmd->ictx,
		flags & MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES ?
			&staccess_ops_pin :
			&staccess_ops,
		staccess);
	if (IS_ERR(access)) {
		rc = PTR_ERR(access);
		goto out_free;
	}
	rc = iommufd_access_attach(access, ioas_id);
	if (rc)
		goto out_destroy;
	staccess->access = access;
	fd = uio_file_install(&staccess->file, O_CLOEXEC);
	if (fd < 0) {
		rc = fd;
		staccess->access = NULL;
		goto out_destroy;
	}
	cmd->create_access.out_access_fd = fd;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc) {
		/* closing the fd releases the access with it */
		file = uio_fd_take(fd);
		syscall(SYS_close, fd);
		uio_file_put(file);
	}
	return rc;

out_destroy:
	iommufd_access_destroy(access);
out_free:
	pthread_mutex_destroy(&staccess->lock);
	uio_free(staccess);
	return rc;
}

static int iommufd_test_access_replace_ioas(uint32_t access_fd,
					    uint32_t ioas_id)
{
	struct selftest_access *staccess = staccess_get(access_fd);
	int rc;

	if (IS_ERR(staccess))
		return PTR_ERR(staccess);
	rc = iommufd_access_replace(staccess->access, ioas_id);
	uio_file_put(&staccess->file);
	return rc;
}

static int iommufd_test_access_item_destroy(uint32_t access_fd,
					    uint32_t item_id)
{
	struct selftest_access *staccess = staccess_get(access_fd);
	struct selftest_access_item *item;

	if (IS_ERR(staccess))
		return PTR_ERR(staccess);
	pthread_mutex_lock(&staccess->lock);
	cds_list_for_each_entry(item, &staccess->items, node) {
		if (item->id != item_id)
			continue;
		cds_list_del(&item->node);
		iommufd_access_unpin_pages(staccess->access, item->iova,
					   item->length);
		pthread_mutex_unlock(&staccess->lock);
		uio_free(item);
		uio_file_put(&staccess->file);
		return 0;
	}
	pthread_mutex_unlock(&staccess->lock);
	uio_file_put(&staccess->file);
	return uio_fail(-ENOENT, "no pinned range with id %u", item_id);
}

/* every pinned page is the page the caller's pointer reaches */
static int check_pages(uintptr_t uptr, const uintptr_t *va, size_t npages)
{
	struct mem_identity mi = {};

	for (; npages; npages--, va++, uptr += PAGE_SIZE)
		if (!mem_identity_same(&mi, *va, uptr))
			return uio_fail(-EBADE,
					"page at 0x%lx is not the pinned page 0x%lx",
					(unsigned long)uptr,
					(unsigned long)*va);
	return 0;
}

static int iommufd_test_access_pages(struct iommufd_ucmd *ucmd,
				     uint32_t access_fd, uint64_t iova,
				     uint64_t length, uint64_t uptr,
				     uint32_t flags)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct selftest_access_item *item;
	struct selftest_access *staccess;
	uintptr_t *va;
	uint64_t npages;
	int rc;

	if (length > 16 * 1024 * 1024)
		return uio_fail(-ENOMEM, "length over the selftest's 16 MiB");
	if (flags & ~(MOCK_FLAGS_ACCESS_WRITE | MOCK_FLAGS_ACCESS_SYZ))
		return uio_fail(-EOPNOTSUPP, "flags 0x%x unknown", flags);
	staccess = staccess_get(access_fd);
	if (IS_ERR(staccess))
		return PTR_ERR(staccess);
	if (staccess->access->ops != &staccess_ops_pin) {
		rc = uio_fail(-EOPNOTSUPP, "the access was made without pins");
		goto out_put;
	}
	npages = ((iova + length + PAGE_SIZE - 1) & PAGE_MASK) / PAGE_SIZE -
		 (iova & PAGE_MASK) / PAGE_SIZE;
	va = uio_calloc(npages ? npages : 1, sizeof(*va));
	if (!va) {
		rc = -ENOMEM;
		goto out_put;
	}
	pthread_mutex_lock(&staccess->lock);
	rc = iommufd_access_pin_pages(staccess->access, iova, length, va,
				      flags & MOCK_FLAGS_ACCESS_WRITE ?
					      IOMMUFD_ACCESS_RW_WRITE :
					      0);
	if (rc)
		goto out_unlock;
	if (uptr) {
		rc = check_pages((uptr - (iova % PAGE_SIZE)) & PAGE_MASK, va,
				 npages);
		if (rc)
			goto out_unpin;
	}
	item = uio_zalloc(sizeof(*item));
	if (!item) {
		rc = -ENOMEM;
		goto out_unpin;
	}
	item->iova = iova;
	item->length = length;
	item->id = staccess->next_id++;
	cds_list_add_tail(&item->node, &staccess->items);
	cmd->access_pages.out_access_pages_id = item->id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (!rc)
		goto out_unlock;
	cds_list_del(&item->node);
	uio_free(item);
out_unpin:
	iommufd_access_unpin_pages(staccess->access, iova, length);
out_unlock:
	pthread_mutex_unlock(&staccess->lock);
	uio_free(va);
out_put:
	uio_file_put(&staccess->file);
	return rc;
}

static int iommufd_test_access_rw(uint32_t access_fd, uint64_t iova,
				  uint64_t length, uint64_t ubuf,
				  uint32_t flags)
{
	struct selftest_access *staccess;
	void *tmp;
	int rc;

	if (length > 16 * 1024 * 1024)
		return uio_fail(-ENOMEM, "length over the selftest's 16 MiB");
	if (flags & ~(MOCK_ACCESS_RW_WRITE | MOCK_ACCESS_RW_SLOW_PATH |
		      MOCK_FLAGS_ACCESS_SYZ))
		return uio_fail(-EOPNOTSUPP, "flags 0x%x unknown", flags);
	staccess = staccess_get(access_fd);
	if (IS_ERR(staccess))
		return PTR_ERR(staccess);
	tmp = uio_zalloc(length ? length : 1);
	if (!tmp) {
		rc = -ENOMEM;
		goto out_put;
	}
	if ((flags & MOCK_ACCESS_RW_WRITE) &&
	    copy_from_user(tmp, u64_to_user_ptr(ubuf), length)) {
		rc = uio_fail(-EFAULT, "cannot read the caller's buffer");
		goto out_free;
	}
	rc = iommufd_access_rw(staccess->access, iova, tmp, length,
			       flags & MOCK_ACCESS_RW_WRITE ?
				       IOMMUFD_ACCESS_RW_WRITE :
				       0);
	if (rc)
		goto out_free;
	if (!(flags & MOCK_ACCESS_RW_WRITE) &&
	    copy_to_user(u64_to_user_ptr(ubuf), tmp, length))
		rc = uio_fail(-EFAULT, "cannot write the caller's buffer");
out_free:
	uio_free(tmp);
out_put:
	uio_file_put(&staccess->file);
	return rc;
}

int iommufd_test_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;

	switch (cmd->op) {
	case IOMMU_TEST_OP_ADD_RESERVED:
		return iommufd_test_add_reserved(ucmd, cmd->id,
						 cmd->add_reserved.start,
						 cmd->add_reserved.length);
	case IOMMU_TEST_OP_MD_CHECK_REFS:
		return iommufd_test_md_check_refs(
			ucmd, u64_to_user_ptr(cmd->check_refs.uptr),
			cmd->check_refs.length, cmd->check_refs.refs);
	case IOMMU_TEST_OP_MOCK_DOMAIN:
		return iommufd_test_mock_domain(ucmd, cmd->id, 0);
	case IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS:
		return iommufd_test_mock_domain(ucmd, cmd->id,
						cmd->mock_domain_flags.dev_flags);
	case IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE:
		return iommufd_test_mock_domain_replace(
			ucmd, cmd->id, cmd->mock_domain_replace.pt_id);
	case IOMMU_TEST_OP_MD_CHECK_MAP:
		return iommufd_test_md_check_pa(ucmd, cmd->id,
						cmd->check_map.iova,
						cmd->check_map.length,
						cmd->check_map.uptr);
	case IOMMU_TEST_OP_MD_CHECK_IOTLB:
		return iommufd_test_md_check_iotlb(ucmd, cmd->id,
						   cmd->check_iotlb.id,
						   cmd->check_iotlb.iotlb);
	case IOMMU_TEST_OP_TRIGGER_IOPF:
		return iommufd_test_trigger_iopf(ucmd);
	case IOMMU_TEST_OP_TRIGGER_VEVENT:
		return iommufd_test_trigger_vevent(ucmd);
	case IOMMU_TEST_OP_PASID_ATTACH:
	case IOMMU_TEST_OP_PASID_REPLACE:
	case IOMMU_TEST_OP_PASID_DETACH:
	case IOMMU_TEST_OP_PASID_CHECK_HWPT:
		return iommufd_test_pasid_op(ucmd);
	case IOMMU_TEST_OP_DEV_CHECK_CACHE:
		return iommufd_test_dev_check_cache(ucmd, cmd->id,
						    cmd->check_dev_cache.id,
						    cmd->check_dev_cache.cache);
	case IOMMU_TEST_OP_DIRTY:
		return iommufd_test_dirty(ucmd, cmd->id, cmd->dirty.iova,
					  cmd->dirty.length,
					  cmd->dirty.page_size,
					  cmd->dirty.uptr);
	case IOMMU_TEST_OP_CREATE_ACCESS:
		return iommufd_test_create_access(ucmd, cmd->id,
						  cmd->create_access.flags);
	case IOMMU_TEST_OP_ACCESS_REPLACE_IOAS:
		return iommufd_test_access_replace_ioas(
			cmd->id, cmd->access_replace_ioas.ioas_id);
	case IOMMU_TEST_OP_ACCESS_PAGES:
		return iommufd_test_access_pages(
			ucmd, cmd->id, cmd->access_pages.iova,
			cmd->access_pages.length, cmd->access_pages.uptr,
			cmd->access_pages.flags);
	case IOMMU_TEST_OP_ACCESS_RW:
		return iommufd_test_access_rw(cmd->id, cmd->access_rw.iova,
					      cmd->access_rw.length,
					      cmd->access_rw.uptr,
					      cmd->access_rw.flags);
	case IOMMU_TEST_OP_DESTROY_ACCESS_PAGES:
		return iommufd_test_access_item_destroy(
			cmd->id, cmd->destroy_access_pages.access_pages_id);
	case IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT:
		/* the kernel's batch needs room for one entry at least */
		if (cmd->memory_limit.limit <
		    sizeof(unsigned long) + sizeof(uint32_t))
			return uio_fail(-EINVAL, "memory limit %u too small",
					cmd->memory_limit.limit);
		iommufd_test_memory_limit = cmd->memory_limit.limit;
		return 0;
	case IOMMU_TEST_OP_DMABUF_GET:
		return iommufd_test_dmabuf_get(cmd->dmabuf_get.length,
					       cmd->dmabuf_get.open_flags);
	case IOMMU_TEST_OP_DMABUF_REVOKE:
		return iommufd_test_dmabuf_revoke(cmd->dmabuf_revoke.dmabuf_fd,
						  cmd->dmabuf_revoke.revoked);
	case IOMMU_TEST_OP_MD_CHECK_DMABUF:
		return iommufd_test_md_check_dmabuf(
			ucmd, cmd->id, cmd->check_dmabuf.dmabuf_fd,
			cmd->check_dmabuf.iova, cmd->check_dmabuf.length,
			cmd->check_dmabuf.offset);
	default:
		/* the kernel's answer to an op it does not know */
		return uio_fail(-EOPNOTSUPP, "test op %u is unknown", cmd->op);
	}
}
