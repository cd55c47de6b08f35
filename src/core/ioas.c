/* SPDX-License-Identifier: MIT */
/*
 * IOAS ioctl handlers: thin translations from the uAPI structs to the
 * io_pagetable, plus IOMMU_OPTION. The order of checks follows the kernel so
 * that a call with several faults gets the kernel's errno: reserved fields and
 * unknown flags first (EOPNOTSUPP), then arithmetic limits (EOVERFLOW), then
 * missing permissions (EINVAL), then the object lookup (ENOENT).
 */
#include <errno.h>
#include <inttypes.h>

#include <linux/iommufd.h>

#include "core/iommufd_private.h"
#include "core/pages.h"
#include "util/alloc.h"
#include "util/span_iter.h"
#include "util/uaccess.h"

#define ULONG_MAX_U64 ((uint64_t)UINTPTR_MAX)

/* &array[i] of a user array of iommu_iova_range, computed as an integer:
 * the caller's pointer may be NULL or wild, which C pointer arithmetic
 * does not allow (uaccess then reports EFAULT) */
static void *user_elem(uint64_t array, uint32_t i)
{
	return u64_to_user_ptr(array + (uint64_t)i * sizeof(struct iommu_iova_range));
}

struct iommufd_ioas *iommufd_ioas_alloc(struct iommufd_ctx *ictx)
{
	struct iommufd_object *obj;
	struct iommufd_ioas *ioas;

	obj = iommufd_object_alloc(ictx, sizeof(*ioas), IOMMUFD_OBJ_IOAS);
	if (IS_ERR(obj))
		return (void *)obj;
	ioas = container_of(obj, struct iommufd_ioas, obj);
	iopt_init_table(&ioas->iopt);
	pthread_mutex_init(&ioas->mutex, NULL);
	CDS_INIT_LIST_HEAD(&ioas->hwpt_list);
	return ioas;
}

void iommufd_ioas_destroy(struct iommufd_object *obj)
{
	struct iommufd_ioas *ioas = container_of(obj, struct iommufd_ioas, obj);

	iopt_destroy_table(&ioas->iopt);
	pthread_mutex_destroy(&ioas->mutex);
}

int iommufd_ioas_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_alloc *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;
	int rc;

	if (cmd->flags)
		return uio_fail(-EOPNOTSUPP, "flags 0x%x unknown", cmd->flags);
	ioas = iommufd_ioas_alloc(ucmd->ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	cmd->out_ioas_id = ioas->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc) {
		iommufd_object_abort_and_destroy(ucmd->ictx, &ioas->obj);
		return rc;
	}
	iommufd_object_finalize(ucmd->ictx, &ioas->obj);
	return 0;
}

int iommufd_ioas_iova_ranges_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_iova_ranges *cmd = ucmd->cmd;
	uint32_t max_iovas = cmd->num_iovas;
	struct iommufd_ioas *ioas;
	struct span_iter span;
	int rc = 0;

	if (cmd->__reserved)
		return uio_fail(-EOPNOTSUPP, "__reserved is not 0");
	ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	pthread_rwlock_rdlock(&ioas->iopt.iova_rwsem);
	cmd->num_iovas = 0;
	cmd->out_iova_alignment = ioas->iopt.iova_alignment;
	for (span_iter_first(&span, &ioas->iopt.reserved_itree, 0, UINT64_MAX);
	     !span_iter_done(&span); span_iter_next(&span)) {
		if (!span.is_hole)
			continue;
		if (cmd->num_iovas < max_iovas) {
			struct iommu_iova_range elm = {
				.start = span.start_hole,
				.last = span.last_hole,
			};

			if (copy_to_user(user_elem(cmd->allowed_iovas, cmd->num_iovas), &elm,
					 sizeof(elm))) {
				rc = uio_fail(-EFAULT,
					      "cannot write allowed_iovas[%u]",
					      cmd->num_iovas);
				goto out_unlock;
			}
		}
		cmd->num_iovas++;
	}
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_unlock;
	if (cmd->num_iovas > max_iovas)
		rc = uio_fail(-EMSGSIZE,
			      "%u ranges do not fit in num_iovas %u",
			      cmd->num_iovas, max_iovas);
out_unlock:
	pthread_rwlock_unlock(&ioas->iopt.iova_rwsem);
	iommufd_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

int iommufd_ioas_allow_iovas_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_allow_iovas *cmd = ucmd->cmd;
	struct itree_root allowed = ITREE_ROOT_INIT;
	struct iommufd_ioas *ioas;
	uint32_t i;
	int rc = 0;

	if (cmd->__reserved)
		return uio_fail(-EOPNOTSUPP, "__reserved is not 0");
	ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	for (i = 0; i != cmd->num_iovas; i++) {
		struct iommu_iova_range range;
		struct iopt_allowed *node;

		if (copy_from_user(&range, user_elem(cmd->allowed_iovas, i), sizeof(range))) {
			rc = uio_fail(-EFAULT, "cannot read allowed_iovas[%u]",
				      i);
			goto out_free;
		}
		if (range.start >= range.last || range.last > ULONG_MAX_U64) {
			rc = uio_fail(-EINVAL,
				      "allowed_iovas[%u] [0x%llx, 0x%llx] is empty or inverted",
				      i, (unsigned long long)range.start,
				      (unsigned long long)range.last);
			goto out_free;
		}
		if (itree_iter_first(&allowed, range.start, range.last)) {
			rc = uio_fail(-EINVAL,
				      "allowed_iovas[%u] [0x%llx, 0x%llx] overlaps an earlier entry",
				      i, (unsigned long long)range.start,
				      (unsigned long long)range.last);
			goto out_free;
		}
		node = uio_zalloc(sizeof(*node));
		if (!node) {
			rc = -ENOMEM;
			goto out_free;
		}
		node->node.start = range.start;
		node->node.last = range.last;
		itree_insert(&allowed, &node->node);
	}
	rc = iopt_set_allow_iova(&ioas->iopt, &allowed);
out_free:
	iopt_free_itree(&allowed, offsetof(struct iopt_allowed, node));
	iommufd_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

static int conv_iommu_prot(uint32_t map_flags)
{
	/* Coherent DMA is the only kind this engine models. */
	int iommu_prot = IOMMU_CACHE;

	if (map_flags & IOMMU_IOAS_MAP_WRITEABLE)
		iommu_prot |= IOMMU_WRITE;
	if (map_flags & IOMMU_IOAS_MAP_READABLE)
		iommu_prot |= IOMMU_READ;
	return iommu_prot;
}

#define MAP_FLAGS_VALID                                                \
	(IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE |        \
	 IOMMU_IOAS_MAP_READABLE)

int iommufd_ioas_map_file_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_map_file *cmd = ucmd->cmd;
	unsigned int flags = 0;
	struct iommufd_ioas *ioas;
	uint64_t iova = cmd->iova;
	int rc;

	if (cmd->flags & ~MAP_FLAGS_VALID)
		return uio_fail(-EOPNOTSUPP, "flags 0x%x unknown",
				cmd->flags & ~MAP_FLAGS_VALID);
	if (iova >= ULONG_MAX_U64 || cmd->length >= ULONG_MAX_U64)
		return uio_fail(-EOVERFLOW, "iova or length >= 2^64 - 1");
	if (!(cmd->flags &
	      (IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE)))
		return uio_fail(-EINVAL, "neither READABLE nor WRITEABLE");

	ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	if (!(cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA))
		flags = IOPT_ALLOC_IOVA;
	rc = iopt_map_file_pages(ucmd->ictx, &ioas->iopt, &iova, cmd->fd,
				 cmd->start, cmd->length,
				 conv_iommu_prot(cmd->flags), flags);
	if (rc)
		goto out_put;
	cmd->iova = iova;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
out_put:
	iommufd_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

int iommufd_ioas_map_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_map *cmd = ucmd->cmd;
	unsigned int flags = 0;
	struct iommufd_ioas *ioas;
	uint64_t iova;
	int rc;

	if ((cmd->flags & ~MAP_FLAGS_VALID) || cmd->__reserved)
		return uio_fail(-EOPNOTSUPP,
				cmd->__reserved ? "__reserved is not 0" :
						  "unknown flags 0x%x",
				cmd->flags & ~MAP_FLAGS_VALID);
	if (cmd->iova >= ULONG_MAX_U64 || cmd->length >= ULONG_MAX_U64)
		return uio_fail(-EOVERFLOW, "iova or length >= 2^64 - 1");
	if (!(cmd->flags &
	      (IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE)))
		return uio_fail(-EINVAL, "neither READABLE nor WRITEABLE");

	ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	if (!(cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA))
		flags = IOPT_ALLOC_IOVA;
	iova = cmd->iova;
	rc = iopt_map_user_pages(ucmd->ictx, &ioas->iopt, &iova,
				 u64_to_user_ptr(cmd->user_va), cmd->length,
				 conv_iommu_prot(cmd->flags), flags);
	if (rc)
		goto out_put;
	cmd->iova = iova;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
out_put:
	iommufd_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

int iommufd_ioas_copy_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_copy *cmd = ucmd->cmd;
	CDS_LIST_HEAD(pages_list);
	struct iommufd_ioas *src_ioas, *dst_ioas;
	unsigned int flags = 0;
	uint64_t iova;
	int rc;

	if (cmd->flags & ~MAP_FLAGS_VALID)
		return uio_fail(-EOPNOTSUPP, "unknown flags 0x%x",
				cmd->flags & ~MAP_FLAGS_VALID);
	if (cmd->length >= ULONG_MAX_U64 || cmd->src_iova >= ULONG_MAX_U64 ||
	    cmd->dst_iova >= ULONG_MAX_U64)
		return uio_fail(-EOVERFLOW,
				"length, src_iova or dst_iova >= 2^64 - 1");
	if (!(cmd->flags &
	      (IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE)))
		return uio_fail(-EINVAL, "neither READABLE nor WRITEABLE");

	src_ioas = iommufd_get_ioas(ucmd->ictx, cmd->src_ioas_id);
	if (IS_ERR(src_ioas))
		return PTR_ERR(src_ioas);
	rc = iopt_get_pages(&src_ioas->iopt, cmd->src_iova, cmd->length,
			    &pages_list);
	iommufd_put_object(ucmd->ictx, &src_ioas->obj);
	if (rc)
		return rc;

	dst_ioas = iommufd_get_ioas(ucmd->ictx, cmd->dst_ioas_id);
	if (IS_ERR(dst_ioas)) {
		rc = PTR_ERR(dst_ioas);
		goto out_pages;
	}
	if (!(cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA))
		flags = IOPT_ALLOC_IOVA;
	iova = cmd->dst_iova;
	rc = iopt_map_pages(&dst_ioas->iopt, &pages_list, cmd->length, &iova,
			    conv_iommu_prot(cmd->flags), flags);
	if (rc)
		goto out_put_dst;
	cmd->dst_iova = iova;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
out_put_dst:
	iommufd_put_object(ucmd->ictx, &dst_ioas->obj);
out_pages:
	iopt_free_pages_list(&pages_list);
	return rc;
}

int iommufd_ioas_unmap_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_unmap *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;
	uint64_t unmapped = 0;
	int rc;

	ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	if (cmd->iova == 0 && cmd->length == UINT64_MAX) {
		rc = iopt_unmap_all(&ioas->iopt, &unmapped);
		if (rc)
			goto out_put;
	} else {
		if (cmd->iova >= ULONG_MAX_U64 ||
		    cmd->length >= ULONG_MAX_U64) {
			rc = uio_fail(-EOVERFLOW,
				      "iova or length >= 2^64 - 1");
			goto out_put;
		}
		rc = iopt_unmap_iova(&ioas->iopt, cmd->iova, cmd->length,
				     &unmapped);
		if (rc)
			goto out_put;
	}
	cmd->length = unmapped;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
out_put:
	iommufd_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

int iommufd_ioas_option(struct iommufd_ucmd *ucmd)
{
	struct iommu_option *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;
	int rc = 0;

	if (cmd->__reserved)
		return uio_fail(-EOPNOTSUPP, "__reserved is not 0");
	ioas = iommufd_get_ioas(ucmd->ictx, cmd->object_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	if (cmd->op == IOMMU_OPTION_OP_GET) {
		cmd->val64 = !ioas->iopt.disable_large_pages;
	} else if (cmd->op == IOMMU_OPTION_OP_SET) {
		if (cmd->val64 == 0)
			rc = iopt_disable_large_pages(&ioas->iopt);
		else if (cmd->val64 == 1)
			iopt_enable_large_pages(&ioas->iopt);
		else
			rc = uio_fail(-EINVAL,
				      "HUGE_PAGES value %llu is not 0 or 1",
				      (unsigned long long)cmd->val64);
	} else {
		rc = uio_fail(-EOPNOTSUPP, "op %u unknown", cmd->op);
	}
	iommufd_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

int iommufd_ioas_change_process_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_change_process *cmd = ucmd->cmd;
	struct iommufd_ctx *ictx = ucmd->ictx;
	uint32_t id;
	int rc = 0;

	if (cmd->__reserved)
		return uio_fail(-EOPNOTSUPP, "__reserved is not 0");
	/*
	 * One process owns every context here, so the move itself changes
	 * nothing; what remains is the kernel's rule that only file-backed
	 * memory can change owner.
	 */
	pthread_mutex_lock(&ictx->lock);
	for (id = idtable_next(&ictx->objects, 0); id && !rc;
	     id = idtable_next(&ictx->objects, id)) {
		struct iommufd_object *obj = idtable_find(&ictx->objects, id);

		if (obj && obj->type == IOMMUFD_OBJ_IOAS)
			rc = iopt_check_all_file_backed(
				&container_of(obj, struct iommufd_ioas, obj)
					 ->iopt);
	}
	pthread_mutex_unlock(&ictx->lock);
	return rc;
}
