/* SPDX-License-Identifier: MIT */
/*
 * Event queues (eventq.h): the file descriptor every queue has, and the
 * vIOMMU event queue (vEVENTQ).
 *
 * The kernel's queues are anonymous files whose poll() reports EPOLLIN
 * while records wait. Ours are eventfds: the counter is 1 exactly while the
 * deliver list is not empty (written when the first record arrives, read
 * dry when the last one is taken, both under the queue's lock), so poll(),
 * select() and epoll on the fd behave as on the kernel's. read() and
 * write() are the engine's (the preload routes them).
 *
 * vEVENTQ. A vIOMMU has at most one queue per event type. report_event
 * appends a record with the queue's next sequence number (wrapping at
 * INT_MAX). A full queue (depth records waiting) takes no new record: it
 * moves its lost-events header to the tail instead, with the sequence
 * number the lost record would have had, so the reader sees
 * IOMMU_VEVENTQ_FLAG_LOST_EVENTS and a gap. read() copies whole records
 * (header, then the type's data) while they fit, and never blocks.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/eventq.h"
#include "util/alloc.h"
#include "util/uaccess.h"

int iommufd_eventq_init(struct iommufd_eventq *q, struct iommufd_ctx *ictx,
			const struct uio_file_ops *ops)
{
	int kfd, fd, rc;

	pthread_mutex_init(&q->lock, NULL);
	CDS_INIT_LIST_HEAD(&q->deliver);
	q->ictx = ictx;
	kfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (kfd < 0)
		return uio_fail(-errno, "cannot make the queue's eventfd");
	/*
	 * Our own descriptor of the same eventfd, out of the way of the
	 * program's numbers: the program may close its fd (and the number be
	 * reused) while records still arrive.
	 */
	q->kfd = fcntl(kfd, F_DUPFD_CLOEXEC, 512);
	if (q->kfd < 0) {
		rc = -errno;
		syscall(SYS_close, kfd);
		return uio_fail(rc, "cannot duplicate the queue's eventfd");
	}
	q->file.ops = ops;
	q->file.priv = q;
	q->file.flags = O_RDWR;
	/* the file's references: taken before the fd can be closed */
	iommufd_object_get_user(&q->obj);
	iommufd_ctx_get(ictx);
	fd = uio_file_install_kfd(&q->file, kfd);
	if (fd < 0) {
		iommufd_object_put_user(&q->obj);
		iommufd_ctx_put(ictx);
		syscall(SYS_close, kfd);
		syscall(SYS_close, q->kfd);
		q->kfd = -1;
	}
	return fd;
}

void iommufd_eventq_close_fd(int fd)
{
	struct uio_file *file = uio_fd_take(fd);

	syscall(SYS_close, fd);
	if (file)
		uio_file_put(file);
}

void iommufd_eventq_set_readable(struct iommufd_eventq *q, bool want)
{
	uint64_t v = 1;

	if (want == q->readable)
		return;
	if (want) {
		if (write(q->kfd, &v, sizeof(v)) == sizeof(v))
			q->readable = true;
	} else {
		if (read(q->kfd, &v, sizeof(v)) == sizeof(v) || errno == EAGAIN)
			q->readable = false;
	}
}

void iommufd_eventq_update_poll(struct iommufd_eventq *q)
{
	iommufd_eventq_set_readable(q, !cds_list_empty(&q->deliver));
}

void iommufd_eventq_fini(struct iommufd_eventq *q)
{
	if (q->kfd >= 0)
		syscall(SYS_close, q->kfd);
	q->kfd = -1;
	pthread_mutex_destroy(&q->lock);
}

void iommufd_eventq_release(struct uio_file *file)
{
	struct iommufd_eventq *q = file->priv;
	struct iommufd_ctx *ictx = q->ictx;

	iommufd_object_put_user(&q->obj);
	iommufd_ctx_put(ictx);
}

/* ---- vEVENTQ ---- */

static struct iommufd_veventq *to_veventq(struct iommufd_eventq *q)
{
	return container_of(q, struct iommufd_veventq, common);
}

static bool is_lost_header(struct iommufd_veventq *vq,
			   struct iommufd_vevent *ev)
{
	return ev == &vq->lost_events_header;
}

static ssize_t veventq_read(struct uio_file *file, void *buf, size_t count)
{
	struct iommufd_eventq *q = file->priv;
	struct iommufd_veventq *vq = to_veventq(q);
	struct iommufd_vevent *ev;
	uint8_t *dst = buf;
	size_t done = 0, need;
	ssize_t rc = 0;

	pthread_mutex_lock(&q->lock);
	while (!cds_list_empty(&q->deliver)) {
		ev = cds_list_first_entry(&q->deliver, struct iommufd_vevent,
					  node);
		need = sizeof(ev->header) +
		       (is_lost_header(vq, ev) ? 0 : ev->data_len);
		if (need > count - done)
			break;
		if (copy_to_user(dst + done, &ev->header,
				 sizeof(ev->header)) ||
		    (!is_lost_header(vq, ev) && ev->data_len &&
		     copy_to_user(dst + done + sizeof(ev->header), ev->data,
				  ev->data_len))) {
			rc = uio_fail(-EFAULT, "cannot write the record");
			break;
		}
		done += need;
		cds_list_del_init(&ev->node);
		if (!is_lost_header(vq, ev)) {
			vq->num_events--;
			uio_free(ev);
		}
	}
	iommufd_eventq_update_poll(q);
	pthread_mutex_unlock(&q->lock);
	/* a record that does not fit ends the read: 0 bytes if it is the first */
	return done ? (ssize_t)done : rc;
}

static const struct uio_file_ops veventq_fops = {
	.name = "vEVENTQ",
	.read = veventq_read,
	.release = iommufd_eventq_release,
};

int iommufd_viommu_report_event(struct iommufd_viommu *viommu, uint32_t type,
				const void *data, size_t len)
{
	struct iommufd_veventq *vq = NULL, *cur;
	struct iommufd_vevent *ev;
	int rc = 0;

	pthread_rwlock_rdlock(&viommu->veventqs_rwsem);
	cds_list_for_each_entry(cur, &viommu->veventqs, node)
		if (cur->type == type)
			vq = cur;
	if (!vq) {
		pthread_rwlock_unlock(&viommu->veventqs_rwsem);
		return uio_fail(-EOPNOTSUPP, "viommu %u has no vEVENTQ of type %u",
				viommu->obj.id, type);
	}
	pthread_mutex_lock(&vq->common.lock);
	ev = NULL;
	if (vq->num_events < vq->depth) {
		ev = uio_zalloc(sizeof(*ev) + len);
		if (ev) {
			memcpy(ev->data, data, len);
			ev->data_len = len;
			vq->num_events++;
		} else {
			rc = -ENOMEM;
		}
	}
	if (!ev)
		ev = &vq->lost_events_header;
	/* the lost-events marker only ever sits at the tail, once */
	if (!cds_list_empty(&vq->lost_events_header.node))
		cds_list_del_init(&vq->lost_events_header.node);
	cds_list_add_tail(&ev->node, &vq->common.deliver);
	ev->header.sequence = vq->sequence;
	vq->sequence = (vq->sequence + 1) & INT_MAX;
	iommufd_eventq_update_poll(&vq->common);
	pthread_mutex_unlock(&vq->common.lock);
	pthread_rwlock_unlock(&viommu->veventqs_rwsem);
	return rc;
}

void iommufd_veventq_destroy(struct iommufd_object *obj)
{
	struct iommufd_veventq *vq =
		container_of(obj, struct iommufd_veventq, common.obj);
	struct iommufd_viommu *viommu = vq->viommu;
	struct iommufd_vevent *ev, *next;

	pthread_rwlock_wrlock(&viommu->veventqs_rwsem);
	cds_list_del(&vq->node);
	pthread_rwlock_unlock(&viommu->veventqs_rwsem);
	cds_list_for_each_entry_safe(ev, next, &vq->common.deliver, node) {
		cds_list_del(&ev->node);
		if (!is_lost_header(vq, ev))
			uio_free(ev);
	}
	iommufd_eventq_fini(&vq->common);
	iommufd_object_put_user(&viommu->obj);
}

/*
 * IOMMU_VEVENTQ_ALLOC. One queue per type per vIOMMU (EEXIST); the fd is
 * usable once the reply is written.
 */
int iommufd_veventq_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_veventq_alloc *cmd = ucmd->cmd;
	struct iommufd_veventq *vq, *cur;
	struct iommufd_viommu *viommu;
	struct iommufd_object *obj;
	int fd, rc;

	if (cmd->flags || cmd->__reserved)
		return uio_fail(-EOPNOTSUPP,
				cmd->flags ? "flags 0x%x unknown" :
					     "__reserved is not 0",
				cmd->flags);
	if (cmd->type == IOMMU_VEVENTQ_TYPE_DEFAULT)
		return uio_fail(-EOPNOTSUPP,
				"type DEFAULT is not a vEVENTQ type");
	if (!cmd->veventq_depth)
		return uio_fail(-EINVAL, "veventq_depth 0");

	viommu = iommufd_get_viommu(ucmd->ictx, cmd->viommu_id);
	if (IS_ERR(viommu))
		return PTR_ERR(viommu);

	pthread_rwlock_wrlock(&viommu->veventqs_rwsem);
	cds_list_for_each_entry(cur, &viommu->veventqs, node) {
		if (cur->type == cmd->type) {
			rc = uio_fail(-EEXIST,
				      "viommu %u already has a vEVENTQ of type 0x%x",
				      viommu->obj.id, cmd->type);
			goto out_unlock;
		}
	}
	obj = iommufd_object_alloc(ucmd->ictx, sizeof(*vq), IOMMUFD_OBJ_VEVENTQ);
	if (IS_ERR(obj)) {
		rc = PTR_ERR(obj);
		goto out_unlock;
	}
	vq = container_of(obj, struct iommufd_veventq, common.obj);
	vq->type = cmd->type;
	vq->depth = cmd->veventq_depth;
	vq->viommu = viommu;
	iommufd_object_get_user(&viommu->obj);
	CDS_INIT_LIST_HEAD(&vq->lost_events_header.node);
	vq->lost_events_header.header.flags = IOMMU_VEVENTQ_FLAG_LOST_EVENTS;
	fd = iommufd_eventq_init(&vq->common, ucmd->ictx, &veventq_fops);
	if (fd < 0) {
		rc = fd;
		iommufd_object_put_user(&viommu->obj);
		iommufd_object_abort(ucmd->ictx, obj);
		goto out_unlock;
	}
	cds_list_add_tail(&vq->node, &viommu->veventqs);
	cmd->out_veventq_id = obj->id;
	cmd->out_veventq_fd = fd;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc) {
		cds_list_del(&vq->node);
		pthread_rwlock_unlock(&viommu->veventqs_rwsem);
		/* the file's reference goes with the fd */
		iommufd_eventq_close_fd(fd);
		iommufd_eventq_fini(&vq->common);
		iommufd_object_put_user(&viommu->obj);
		iommufd_object_abort(ucmd->ictx, obj);
		goto out_put;
	}
	iommufd_object_finalize(ucmd->ictx, obj);
out_unlock:
	pthread_rwlock_unlock(&viommu->veventqs_rwsem);
out_put:
	iommufd_put_object(ucmd->ictx, &viommu->obj);
	return rc;
}
