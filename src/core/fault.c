/* SPDX-License-Identifier: MIT */
/*
 * Fault queues: IO page faults delivered to the owner of the page table.
 *
 * The kernel design (iommufd's fault.c): a HWPT allocated with
 * IOMMU_HWPT_FAULT_ID_VALID hands the page requests of devices attached to
 * it to a FAULT object, whose fd user space reads (struct
 * iommu_hwpt_pgfault records, one group at a time, each with a cookie) and
 * answers by writing struct iommu_hwpt_page_response {cookie, code}. A group
 * read but not answered waits in the response table. When a device leaves
 * the HWPT (replace, detach) its pending groups are answered INVALID, and
 * so is everything pending when the FAULT object is destroyed.
 *
 * Here a page request comes from an emulated device's DMA (dev/: a PRI
 * device that missed a translation blocks in its sink until the response)
 * or from the selftest's TRIGGER_IOPF (queued, nobody waits). One fault per
 * group: our devices send single-page requests, each with LAST_PAGE.
 *
 * Locking and the fast path (a device thread and a handler polling the fd
 * on two CPUs, the round trip bench/bench_iopf.c measures). The lists are
 * under the queue's lock, but for two looks. A read() that finds the
 * deliver list empty (a count kept beside it, nqueued) returns 0 without
 * the lock, so that a handler polling the fd keeps off the lock the device
 * needs to queue. A waiting device thread spins on its group's done flag
 * for a while (RESPONSE_SPIN_NS) before it sleeps on the queue's condition
 * variable; either way it holds a user reference on the FAULT object, so
 * the object outlives the wait (DESTROY is EBUSY meanwhile), and its group
 * lives on its stack. The eventfd behind the fd is readable exactly while
 * groups wait on the deliver list; its system calls are made after the
 * queue's lock is let go, under a lock of their own (fault_sync_poll()).
 * Each fault takes the list from empty to not and back, so a round trip
 * still pays one eventfd write and one read: on the machine the benchmark
 * was tuned on, about a third of it.
 */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include <urcu/arch.h>

#include "core/eventq.h"
#include "dev/dev.h"
#include "util/alloc.h"
#include "util/uaccess.h"

#define FAULT_SIZE sizeof(struct iommu_hwpt_pgfault)
#define RESPONSE_SIZE sizeof(struct iommu_hwpt_page_response)

/*
 * The fault object as this file allocates it: the shared struct, then what
 * only this file uses.
 */
struct fault_queue {
	struct iommufd_fault fault;
	/*
	 * Groups on fault.common.deliver: written under common.lock, read
	 * without it by a read() with nothing to take. A poll-mode handler
	 * calls read() in a loop; if every empty look took the lock, the
	 * device thread queuing a request would find it held, and sleep on
	 * it. Past a cache line of padding: the looks must not keep stealing
	 * the line the lock lives on.
	 */
	char pad[64];
	atomic_uint nqueued;
	/*
	 * Serializes the eventfd's system calls and guards common.readable
	 * (for a fault queue, not common.lock: see fault_sync_poll()).
	 * Adaptive: its holders hold it for one system call, and a plain
	 * mutex found held sleeps at once.
	 */
	pthread_mutex_t poll_lock;
};

static struct fault_queue *to_fq(struct iommufd_fault *fault)
{
	return container_of(fault, struct fault_queue, fault);
}

static struct iommufd_fault *to_fault(struct iommufd_eventq *q)
{
	return container_of(q, struct iommufd_fault, common);
}

/* under the lock: @g joins, or leaves, the deliver list */
static void deliver_add(struct iommufd_fault *fault,
			struct iommufd_iopf_group *g)
{
	atomic_uint *n = &to_fq(fault)->nqueued;

	cds_list_add_tail(&g->node, &fault->common.deliver);
	atomic_store_explicit(
		n, atomic_load_explicit(n, memory_order_relaxed) + 1,
		memory_order_release);
}

static void deliver_del(struct iommufd_fault *fault,
			struct iommufd_iopf_group *g)
{
	atomic_uint *n = &to_fq(fault)->nqueued;

	cds_list_del_init(&g->node);
	atomic_store_explicit(
		n, atomic_load_explicit(n, memory_order_relaxed) - 1,
		memory_order_release);
}

/*
 * Make poll() agree with the deliver list: the eventfd readable while
 * groups wait. Called after every change of the list, with the queue's
 * lock let go: the system call is not made under it, or the handler taking
 * a group would wait for the device thread's write to finish before it
 * could even look. The count is read afresh under poll_lock, so of two
 * threads that changed the list the later to get here sees both changes:
 * when a caller returns, the eventfd agrees with the list as that caller
 * left it or as someone changed it since (and that someone's own call
 * follows), which is all the lock-held update promised too.
 */
static void fault_sync_poll(struct iommufd_fault *fault)
{
	struct fault_queue *fq = to_fq(fault);

	pthread_mutex_lock(&fq->poll_lock);
	iommufd_eventq_set_readable(
		&fault->common,
		atomic_load_explicit(&fq->nqueued, memory_order_acquire) != 0);
	pthread_mutex_unlock(&fq->poll_lock);
}

struct iommufd_fault *iommufd_get_fault(struct iommufd_ctx *ictx, uint32_t id)
{
	struct iommufd_object *obj =
		iommufd_get_object(ictx, id, IOMMUFD_OBJ_FAULT);

	if (IS_ERR(obj))
		return (void *)obj;
	return container_of(obj, struct iommufd_fault, common.obj);
}

/*
 * Answer @g (under the lock): wake its waiter, or free it if none. A waiter
 * may be spinning on done without the lock and return (its @g lives on its
 * stack) the moment it sees it: done is the last thing written to @g.
 */
static void group_respond(struct iommufd_fault *fault,
			  struct iommufd_iopf_group *g, int code)
{
	cds_list_del_init(&g->node);
	g->code = code;
	if (!g->waited) {
		uio_free(g);
		return;
	}
	__atomic_store_n(&g->done, true, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&fault->responded);
}

/*
 * How long a device thread spins for its response before it sleeps on the
 * condition variable. Sleeping and being woken cost the waiter a futex
 * wait, the responder a futex wake, and both the scheduler: some 5 to 10
 * us here, far more than a poll-mode handler takes to answer. Spinning for
 * about that long, then sleeping, never costs more than twice the better
 * of the two choices made in hindsight. The waiter's CPU is the emulated
 * device's: in hardware it would be waiting anyway.
 */
#define RESPONSE_SPIN_NS 10000

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* true if @g was answered within RESPONSE_SPIN_NS (no lock held) */
static bool spin_for_response(struct iommufd_iopf_group *g)
{
	uint64_t deadline = 0;
	unsigned int i;

	for (i = 1;; i++) {
		if (__atomic_load_n(&g->done, __ATOMIC_ACQUIRE))
			return true;
		caa_cpu_relax();
		/* the clock now and then: a read costs about 1.5 pauses */
		if (i % 16)
			continue;
		if (!deadline)
			deadline = now_ns() + RESPONSE_SPIN_NS;
		else if (now_ns() > deadline)
			return false;
	}
}

static ssize_t fault_read(struct uio_file *file, void *buf, size_t count)
{
	struct iommufd_fault *fault = to_fault(file->priv);
	struct iommufd_eventq *q = &fault->common;
	struct iommufd_iopf_group *g;
	uint8_t *dst = buf;
	size_t done = 0;
	ssize_t rc = 0;

	if (count % FAULT_SIZE)
		return uio_fail(-ESPIPE,
				"count %zu is not a multiple of the %zu-byte record",
				count, FAULT_SIZE);
	/* nothing to take: no lock (a group queued meanwhile is the next
	 * read's, as if it had come a moment later) */
	if (!atomic_load_explicit(&to_fq(fault)->nqueued, memory_order_acquire))
		return 0;
	pthread_mutex_lock(&q->lock);
	while (!cds_list_empty(&q->deliver) && count - done >= FAULT_SIZE) {
		g = cds_list_first_entry(&q->deliver,
					 struct iommufd_iopf_group, node);
		g->rec.cookie = fault->next_cookie;
		if (copy_to_user(dst + done, &g->rec, FAULT_SIZE)) {
			rc = uio_fail(-EFAULT, "cannot write the fault record");
			break;
		}
		/* cookies from 1, as the kernel's response table hands out */
		fault->next_cookie = fault->next_cookie == UINT32_MAX ?
					     1 :
					     fault->next_cookie + 1;
		deliver_del(fault, g);
		cds_list_add_tail(&g->node, &fault->response);
		done += FAULT_SIZE;
	}
	pthread_mutex_unlock(&q->lock);
	if (done)
		fault_sync_poll(fault);
	return done ? (ssize_t)done : rc;
}

static ssize_t fault_write(struct uio_file *file, const void *buf,
			   size_t count)
{
	struct iommufd_fault *fault = to_fault(file->priv);
	struct iommufd_eventq *q = &fault->common;
	struct iommu_hwpt_page_response resp;
	struct iommufd_iopf_group *g, *found;
	const uint8_t *src = buf;
	size_t done = 0;
	ssize_t rc = 0;

	if (count % RESPONSE_SIZE)
		return uio_fail(-ESPIPE,
				"count %zu is not a multiple of the %zu-byte response",
				count, RESPONSE_SIZE);
	pthread_mutex_lock(&q->lock);
	while (done < count) {
		if (copy_from_user(&resp, src + done, RESPONSE_SIZE)) {
			rc = uio_fail(-EFAULT, "cannot read the response");
			break;
		}
		if (resp.code != IOMMUFD_PAGE_RESP_SUCCESS &&
		    resp.code != IOMMUFD_PAGE_RESP_INVALID) {
			rc = uio_fail(-EINVAL, "response code %u unknown",
				      resp.code);
			break;
		}
		found = NULL;
		cds_list_for_each_entry(g, &fault->response, node)
			if (g->rec.cookie == resp.cookie)
				found = g;
		if (!found) {
			rc = uio_fail(-EINVAL, "no fault waits with cookie %u",
				      resp.cookie);
			break;
		}
		group_respond(fault, found, resp.code);
		done += RESPONSE_SIZE;
	}
	pthread_mutex_unlock(&q->lock);
	return done ? (ssize_t)done : rc;
}

static const struct uio_file_ops fault_fops = {
	.name = "fault queue",
	.read = fault_read,
	.write = fault_write,
	.release = iommufd_eventq_release,
};

static void respond_all(struct iommufd_fault *fault, struct cds_list_head *list,
			struct iommufd_hw_pagetable *hwpt,
			struct iommufd_device *idev, uint32_t pasid)
{
	struct iommufd_iopf_group *g, *next;

	cds_list_for_each_entry_safe(g, next, list, node) {
		if (hwpt && (g->hwpt != hwpt || g->idev != idev ||
			     g->attach_pasid != pasid))
			continue;
		if (list == &fault->common.deliver)
			deliver_del(fault, g);
		group_respond(fault, g, IOMMUFD_PAGE_RESP_INVALID);
	}
}

void iommufd_fault_auto_response(struct iommufd_hw_pagetable *hwpt,
				 struct iommufd_device *idev, uint32_t pasid)
{
	struct iommufd_fault *fault = hwpt->fault;

	if (!fault)
		return;
	pthread_mutex_lock(&fault->common.lock);
	respond_all(fault, &fault->common.deliver, hwpt, idev, pasid);
	respond_all(fault, &fault->response, hwpt, idev, pasid);
	pthread_mutex_unlock(&fault->common.lock);
	fault_sync_poll(fault);
}

void iommufd_fault_destroy(struct iommufd_object *obj)
{
	struct iommufd_fault *fault =
		container_of(obj, struct iommufd_fault, common.obj);

	/* nobody holds the object: no waiter can exist, no HWPT points here */
	respond_all(fault, &fault->common.deliver, NULL, NULL, 0);
	respond_all(fault, &fault->response, NULL, NULL, 0);
	pthread_cond_destroy(&fault->responded);
	pthread_mutex_destroy(&to_fq(fault)->poll_lock);
	iommufd_eventq_fini(&fault->common);
}

int iommufd_fault_report(struct iommufd_device *idev, uint32_t pasid,
			 uint32_t grpid, uint32_t perm, uint64_t addr,
			 bool wait)
{
	struct iommufd_iopf_group waited_group, *g = &waited_group;
	struct iommufd_hw_pagetable *hwpt;
	struct iommufd_fault *fault;
	uint32_t attach_pasid = pasid;
	int code;

	/*
	 * A group someone waits for lives on the waiter's stack: it leaves
	 * the lists (group_respond) before the wait ends, and nothing
	 * frees it. Only a group nobody waits for outlives this call.
	 */
	if (wait) {
		memset(g, 0, sizeof(*g));
	} else {
		g = uio_zalloc(sizeof(*g));
		if (!g)
			return -ENOMEM;
	}
	pthread_mutex_lock(&idev->lock);
	hwpt = iommufd_device_hwpt_locked(idev, pasid);
	if (!hwpt && pasid != IOMMU_NO_PASID) {
		/* a PASID without a table of its own: the RID's (the guest
		 * owns the PASID table behind a nested RID domain) */
		attach_pasid = IOMMU_NO_PASID;
		hwpt = iommufd_device_hwpt_locked(idev, IOMMU_NO_PASID);
		if (hwpt && hwpt_is_paging(hwpt))
			hwpt = NULL;
	}
	fault = hwpt ? hwpt->fault : NULL;
	if (!fault) {
		pthread_mutex_unlock(&idev->lock);
		if (!wait)
			uio_free(g);
		return uio_fail(-ENODEV,
				"device %u: no fault queue takes page requests at this PASID",
				idev->obj.id);
	}
	g->hwpt = hwpt;
	g->idev = idev;
	g->attach_pasid = attach_pasid;
	g->waited = wait;
	g->rec.flags = IOMMU_PGFAULT_FLAGS_LAST_PAGE |
		       (pasid != IOMMU_NO_PASID ?
				IOMMU_PGFAULT_FLAGS_PASID_VALID :
				0);
	g->rec.dev_id = idev->obj.id;
	g->rec.pasid = pasid != IOMMU_NO_PASID ? pasid : 0;
	g->rec.grpid = grpid;
	g->rec.perm = perm;
	g->rec.addr = addr;
	g->rec.length = 0;
	if (wait)
		iommufd_object_get_user(&fault->common.obj);
	/* queued under the device lock: a detach cannot slip in between */
	pthread_mutex_lock(&fault->common.lock);
	deliver_add(fault, g);
	pthread_mutex_unlock(&fault->common.lock);
	pthread_mutex_unlock(&idev->lock);
	fault_sync_poll(fault);
	if (!wait)
		return 0;
	if (!spin_for_response(g)) {
		pthread_mutex_lock(&fault->common.lock);
		while (!__atomic_load_n(&g->done, __ATOMIC_ACQUIRE))
			pthread_cond_wait(&fault->responded,
					  &fault->common.lock);
		pthread_mutex_unlock(&fault->common.lock);
	}
	code = g->code;
	iommufd_object_put_user(&fault->common.obj);
	return code;
}

/* IOMMU_FAULT_QUEUE_ALLOC */
int iommufd_fault_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_fault_alloc *cmd = ucmd->cmd;
	pthread_mutexattr_t attr;
	struct iommufd_fault *fault;
	struct iommufd_object *obj;
	int fd, rc;

	if (cmd->flags)
		return uio_fail(-EOPNOTSUPP, "flags 0x%x unknown", cmd->flags);
	obj = iommufd_object_alloc(ucmd->ictx, sizeof(struct fault_queue),
				   IOMMUFD_OBJ_FAULT);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	fault = container_of(obj, struct iommufd_fault, common.obj);
	CDS_INIT_LIST_HEAD(&fault->response);
	pthread_cond_init(&fault->responded, NULL);
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
	pthread_mutex_init(&to_fq(fault)->poll_lock, &attr);
	pthread_mutexattr_destroy(&attr);
	fault->next_cookie = 1;
	fd = iommufd_eventq_init(&fault->common, ucmd->ictx, &fault_fops);
	if (fd < 0) {
		pthread_cond_destroy(&fault->responded);
		pthread_mutex_destroy(&to_fq(fault)->poll_lock);
		iommufd_object_abort(ucmd->ictx, obj);
		return fd;
	}
	cmd->out_fault_id = obj->id;
	cmd->out_fault_fd = fd;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc) {
		iommufd_eventq_close_fd(fd);
		iommufd_fault_destroy(obj);
		iommufd_object_abort(ucmd->ictx, obj);
		return rc;
	}
	iommufd_object_finalize(ucmd->ictx, obj);
	return 0;
}
