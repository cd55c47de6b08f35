/* SPDX-License-Identifier: MIT */
/*
 * The state dump: what an iommufd context holds, object by object, for a
 * person reading it (text) or a program checking it (JSON).
 *
 * One pass gathers, two renderers print. iommufd_dump_add_ctx() walks the
 * object table and builds a json-c tree; the text renderer reads that tree
 * back, so the two outputs always say the same thing and the renderers run
 * with no lock held.
 *
 * Gathering, and why it cannot deadlock or crash:
 *  - ictx->lock is held only to copy the table (id, type, pointer and, for
 *    a paging HWPT, its IOAS id) and the context's own fields. Nothing else
 *    is taken under it, and it is not held while any object is looked at.
 *  - Each object is then looked up again by id and held with a short-term
 *    reference (iommufd_get_object) while it is printed, and put right
 *    after, so a DESTROY racing with the dump waits for one object's
 *    printing at most (it waits for short-term users) instead of failing.
 *    An object that went away meanwhile is left out.
 *  - Paging HWPTs are the exception: they are printed under their IOAS's
 *    mutex, found on its hwpt_list, holding the IOAS (not the HWPT). An
 *    automatic HWPT is destroyed by its last detach only if nobody else
 *    holds it at that moment (iommufd_object_put_and_try_remove does not
 *    wait for short-term users); a dump that held it would leave it alive
 *    with no device, and the IOAS then busy. Holding the mutex instead
 *    keeps the HWPT alive (destruction takes it off the list under that
 *    mutex first) without changing its counts.
 *  - Inside an object the core's own order is kept: ioas->mutex, then
 *    iova_rwsem for read, then access_lock, or a dma-buf area's
 *    pages->mutex for its revoked flag (IOAS); access->ioas_lock, then
 *    iova_rwsem (access); idev->lock alone (device); the page-table census
 *    (pt_stats) takes the table's writer lock, the innermost of all.
 *  - A reserved range's owner is named by comparing pointers only: NULL is
 *    a test reservation (IOMMU_TEST_OP_ADD_RESERVED), one of the IOAS's
 *    domains is that domain's aperture, anything else is a device's
 *    reserved region, whose dev_id is found among the devices of the table
 *    copy (no unknown pointer is ever dereferenced).
 *
 * Reference counts are printed as the core holds them, minus the dump's
 * own short-term reference: users counts every holder, the table's own
 * reference included (1 means nothing but the table holds the object).
 *
 * Memory comes from plain malloc, not the engine's uio_* allocators: those
 * are fail-nth failure points counted process-wide, and an observer (a dump
 * on a signal, say) must not shift which ioctl a sweep's injection hits.
 *
 * Fault and event queues do not exist yet; when they do, their depths go
 * here.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <linux/iommufd.h>

#include "core/access.h"
#include "core/dump.h"
#include "core/eventq.h"
#include "core/iommufd_private.h"
#include "core/pages.h"
#include "dev/dev.h"
#include "hw/hw.h"
#include "pt/pt.h"

#define DUMP_FORMAT_VERSION 1

struct iommufd_dump {
	struct json_object *root;
	struct json_object *contexts; /* owned by root */
	unsigned int num_ctx;
	bool oom; /* some json-c allocation failed */
};

/* One object of the table copy. */
struct dump_entry {
	uint32_t id;
	enum iommufd_object_type type;
	const struct iommufd_object *obj; /* identity only: never dereferenced */
	uint32_t ioas_id;                 /* paging HWPT: its IOAS */
};

struct dump_table {
	struct dump_entry *entries;
	unsigned int num;
};

/* ---- building the tree: every failure only marks the dump ---- */

static struct json_object *jnew(struct iommufd_dump *d)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		d->oom = true;
	return o;
}

static struct json_object *jarray(struct iommufd_dump *d)
{
	struct json_object *a = json_object_new_array();

	if (!a)
		d->oom = true;
	return a;
}

/* add @v (consumed, may be NULL) to object @o */
static void jadd(struct iommufd_dump *d, struct json_object *o,
		 const char *key, struct json_object *v)
{
	if (!o || !v || json_object_object_add(o, key, v)) {
		d->oom = true;
		json_object_put(v);
	}
}

static void jpush(struct iommufd_dump *d, struct json_object *a,
		  struct json_object *v)
{
	if (!a || !v || json_object_array_add(a, v)) {
		d->oom = true;
		json_object_put(v);
	}
}

/* JSON null is a NULL json_object */
static void jadd_null(struct iommufd_dump *d, struct json_object *o,
		      const char *key)
{
	if (!o || json_object_object_add(o, key, NULL))
		d->oom = true;
}

static void jadd_u64(struct iommufd_dump *d, struct json_object *o,
		     const char *key, uint64_t v)
{
	jadd(d, o, key, json_object_new_uint64(v));
}

static void jadd_bool(struct iommufd_dump *d, struct json_object *o,
		      const char *key, bool v)
{
	jadd(d, o, key, json_object_new_boolean(v));
}

static void jadd_str(struct iommufd_dump *d, struct json_object *o,
		     const char *key, const char *v)
{
	jadd(d, o, key, json_object_new_string(v));
}

/* an inclusive range as {"start", "last"} */
static struct json_object *jrange(struct iommufd_dump *d, uint64_t start,
				  uint64_t last)
{
	struct json_object *r = jnew(d);

	jadd_u64(d, r, "start", start);
	jadd_u64(d, r, "last", last);
	return r;
}

static const char *account_mode_name(enum iopt_account_mode mode)
{
	switch (mode) {
	case IOPT_PAGES_ACCOUNT_NONE:
		return "none";
	case IOPT_PAGES_ACCOUNT_USER:
		return "user";
	case IOPT_PAGES_ACCOUNT_MM:
		return "mm";
	}
	return "?";
}

struct iommufd_dump *iommufd_dump_new(void)
{
	/* NONE is never charged: it has no counter */
	static const enum iopt_account_mode modes[] = {
		IOPT_PAGES_ACCOUNT_USER,
		IOPT_PAGES_ACCOUNT_MM,
	};
	struct json_object *ledger, *charged;
	struct iommufd_dump *d;
	unsigned int i;

	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->root = jnew(d);
	jadd_u64(d, d->root, "uiommufd_dump", DUMP_FORMAT_VERSION);
	jadd_u64(d, d->root, "pid", (uint64_t)getpid());
	ledger = jnew(d);
	charged = jnew(d);
	for (i = 0; i < ARRAY_SIZE(modes); i++)
		jadd_u64(d, charged, account_mode_name(modes[i]),
			 pin_ledger_charged(modes[i]));
	jadd(d, ledger, "charged_pages", charged);
	jadd(d, d->root, "pin_ledger", ledger);
	d->contexts = jarray(d);
	/* the root keeps its own reference; ours goes with the dump */
	jadd(d, d->root, "contexts", json_object_get(d->contexts));
	if (d->oom) {
		iommufd_dump_free(d);
		return NULL;
	}
	return d;
}

void iommufd_dump_free(struct iommufd_dump *d)
{
	if (!d)
		return;
	json_object_put(d->contexts);
	json_object_put(d->root);
	free(d);
}

unsigned int iommufd_dump_num_ctx(const struct iommufd_dump *d)
{
	return d->num_ctx;
}

/* ---- gathering ---- */

static void add_refs(struct iommufd_dump *d, struct json_object *o,
		     const struct iommufd_object *obj, int own)
{
	jadd_u64(d, o, "id", obj->id);
	jadd_str(d, o, "type", iommufd_object_type_name(obj->type));
	jadd(d, o, "users",
	     json_object_new_int64(atomic_load(&obj->users) - own));
	jadd(d, o, "shortterm_users",
	     json_object_new_int64(atomic_load(&obj->shortterm_users) - own));
}

static struct json_object *prot_names(struct iommufd_dump *d, int prot)
{
	struct json_object *a = jarray(d);

	if (prot & IOMMU_READ)
		jpush(d, a, json_object_new_string("read"));
	if (prot & IOMMU_WRITE)
		jpush(d, a, json_object_new_string("write"));
	if (prot & IOMMU_CACHE)
		jpush(d, a, json_object_new_string("cache"));
	return a;
}

/* the dev_id of the device object at @owner in the table copy, or 0 */
static uint32_t device_id_of(const struct dump_table *tab, const void *owner)
{
	unsigned int i;

	for (i = 0; i < tab->num; i++)
		if (tab->entries[i].type == IOMMUFD_OBJ_DEVICE &&
		    tab->entries[i].obj == owner)
			return tab->entries[i].id;
	return 0;
}

/* the paging HWPT of @ioas whose domain is @domain (ioas->mutex held) */
static uint32_t hwpt_id_of(struct iommufd_ioas *ioas, const void *domain)
{
	struct iommufd_hwpt_paging *hp;

	cds_list_for_each_entry(hp, &ioas->hwpt_list, hwpt_item)
		if (hp->common.domain == domain)
			return hp->common.obj.id;
	return 0;
}

/* with ioas->mutex and iova_rwsem (read) held */
static struct json_object *reserved_entry(struct iommufd_dump *d,
					  struct iommufd_ioas *ioas,
					  const struct dump_table *tab,
					  const struct iopt_reserved *res)
{
	struct io_pagetable *iopt = &ioas->iopt;
	struct json_object *r = jrange(d, res->node.start, res->node.last);
	unsigned int i;
	uint32_t id;

	if (!res->owner) {
		jadd_str(d, r, "owner", "test");
		return r;
	}
	for (i = 0; i < iopt->num_domains; i++) {
		if (iopt->domains[i] != res->owner)
			continue;
		jadd_str(d, r, "owner", "domain");
		id = hwpt_id_of(ioas, res->owner);
		if (id)
			jadd_u64(d, r, "hwpt", id);
		return r;
	}
	jadd_str(d, r, "owner", "device");
	id = device_id_of(tab, res->owner);
	if (id)
		jadd_u64(d, r, "device", id);
	return r;
}

static struct json_object *area_entry(struct iommufd_dump *d,
				      const struct iopt_area *area)
{
	const struct iopt_pages *pages = area->pages;
	uint64_t iova = iopt_area_iova(area), last = iopt_area_last_iova(area);
	uint64_t addr = iopt_pages_start_address(pages) +
			iopt_area_start_byte(area, iova);
	struct json_object *a = jrange(d, iova, last);

	jadd_u64(d, a, "length", last - iova + 1);
	if (pages->type == IOPT_ADDRESS_USER) {
		jadd_str(d, a, "pages", "user");
		jadd_u64(d, a, "user_va", addr);
	} else if (pages->type == IOPT_ADDRESS_DMABUF) {
		jadd_str(d, a, "pages", "dmabuf");
		jadd_u64(d, a, "dmabuf_offset", addr);
		jadd_u64(d, a, "dmabuf_size", pages->dmabuf->size);
		jadd_bool(d, a, "revoked", iopt_pages_revoked(area->pages));
	} else {
		jadd_str(d, a, "pages", "file");
		jadd_u64(d, a, "file_offset", addr);
	}
	jadd(d, a, "prot", prot_names(d, area->iommu_prot));
	jadd_bool(d, a, "domain_pinned", area->domain_pinned);
	jadd_u64(d, a, "access_pins",
		 __atomic_load_n(&area->num_accesses, __ATOMIC_RELAXED));
	return a;
}

static void dump_ioas(struct iommufd_dump *d, struct json_object *o,
		      struct iommufd_ioas *ioas, const struct dump_table *tab)
{
	struct io_pagetable *iopt = &ioas->iopt;
	struct json_object *domains = jarray(d), *areas = jarray(d);
	struct json_object *reserved = jarray(d), *allowed = jarray(d);
	struct json_object *accesses = jarray(d);
	struct iommufd_hwpt_paging *hp;
	struct iommufd_access *access;
	struct itree_node *node;

	pthread_mutex_lock(&ioas->mutex);
	cds_list_for_each_entry(hp, &ioas->hwpt_list, hwpt_item)
		jpush(d, domains, json_object_new_uint64(hp->common.obj.id));

	pthread_rwlock_rdlock(&iopt->iova_rwsem);
	jadd_u64(d, o, "iova_alignment", iopt->iova_alignment);
	jadd_bool(d, o, "huge_pages", !iopt->disable_large_pages);
	itree_for_each(node, &iopt->area_itree)
		jpush(d, areas,
		      area_entry(d, container_of(node, struct iopt_area, node)));
	itree_for_each(node, &iopt->reserved_itree)
		jpush(d, reserved,
		      reserved_entry(d, ioas, tab,
				     container_of(node, struct iopt_reserved,
						  node)));
	itree_for_each(node, &iopt->allowed_itree)
		jpush(d, allowed, jrange(d, node->start, node->last));
	pthread_mutex_lock(&iopt->access_lock);
	cds_list_for_each_entry(access, &iopt->access_list, iopt_node)
		jpush(d, accesses, json_object_new_uint64(access->obj.id));
	pthread_mutex_unlock(&iopt->access_lock);
	pthread_rwlock_unlock(&iopt->iova_rwsem);
	pthread_mutex_unlock(&ioas->mutex);

	jadd(d, o, "domains", domains);
	jadd(d, o, "areas", areas);
	jadd(d, o, "reserved", reserved);
	jadd(d, o, "allowed", allowed);
	jadd(d, o, "accesses", accesses);
}

static struct json_object *alloc_flag_names(struct iommufd_dump *d,
					    uint32_t flags)
{
	static const struct {
		uint32_t flag;
		const char *name;
	} names[] = {
		{ IOMMU_HWPT_ALLOC_NEST_PARENT, "nest_parent" },
		{ IOMMU_HWPT_ALLOC_DIRTY_TRACKING, "dirty_tracking" },
		{ IOMMU_HWPT_FAULT_ID_VALID, "fault_id_valid" },
		{ IOMMU_HWPT_ALLOC_PASID, "pasid" },
	};
	struct json_object *a = jarray(d);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (flags & names[i].flag)
			jpush(d, a, json_object_new_string(names[i].name));
	return a;
}

static struct json_object *page_table_entry(struct iommufd_dump *d,
					    struct pt_table *pt)
{
	const struct pt_format *fmt = pt_table_format(pt);
	struct json_object *t = jnew(d), *levels = jarray(d);
	struct pt_stats s;
	unsigned int level;
	uint64_t leaves = 0;

	pt_stats(pt, &s);
	jadd_str(d, t, "format", fmt->name);
	jadd_u64(d, t, "levels", s.levels);
	jadd_u64(d, t, "va_bits", s.va_lg2);
	jadd_u64(d, t, "table_pages", s.table_pages);
	jadd_u64(d, t, "table_bytes", s.table_bytes);
	for (level = 0; level < s.levels && level < PT_MAX_LEVELS; level++) {
		struct json_object *l = jnew(d);

		jadd_u64(d, l, "level", level);
		jadd_u64(d, l, "page_size",
			 PT_BIT(pt_level_shift(fmt, level)));
		jadd_u64(d, l, "tables", s.tables_per_level[level]);
		jadd_u64(d, l, "leaves", s.leaves_per_level[level]);
		leaves += s.leaves_per_level[level];
		jpush(d, levels, l);
	}
	jadd_u64(d, t, "leaves", leaves);
	jadd_u64(d, t, "mapped_bytes", s.mapped_bytes);
	jadd_u64(d, t, "dirty_leaves", s.dirty_leaves);
	jadd(d, t, "per_level", levels);
	return t;
}

/* with the HWPT's ioas->mutex held (see the top of the file) */
static void dump_hwpt_paging(struct iommufd_dump *d, struct json_object *o,
			     struct iommufd_hwpt_paging *hp)
{
	struct uio_domain *domain = hp->common.domain;

	jadd_str(d, o, "kind", "paging");
	jadd_u64(d, o, "ioas", hp->ioas->obj.id);
	jadd_str(d, o, "model", domain->model->name);
	jadd_bool(d, o, "auto_domain", hp->auto_domain);
	jadd_u64(d, o, "flags", domain->alloc_flags);
	jadd(d, o, "flag_names", alloc_flag_names(d, domain->alloc_flags));
	jadd(d, o, "aperture",
	     jrange(d, domain->aperture_start, domain->aperture_last));
	jadd_u64(d, o, "pgsize_bitmap", domain->pgsize_bitmap);
	jadd_bool(d, o, "dirty_capable",
		  domain->flags & UIO_DOMAIN_DIRTY_CAPABLE);
	jadd_bool(d, o, "dirty_tracking", atomic_load(&domain->dirty_tracking));
	jadd_u64(d, o, "iotlb_gen", atomic_load(&domain->iotlb_gen));
	jadd(d, o, "page_table", page_table_entry(d, domain->pt));
}

static void dump_device(struct iommufd_dump *d, struct json_object *o,
			struct iommufd_device *idev)
{
	struct uio_hw_dev *hw = uio_dev_hw(idev->dev);
	struct json_object *caps = jarray(d), *attach = jarray(d);
	struct json_object *dma = jnew(d);
	struct uio_dev_stats st;
	unsigned int i;

	jadd_str(d, o, "model", hw->model->name);
	jadd_u64(d, o, "rid", hw->rid);
	jadd_u64(d, o, "pasid_bits", hw->pasid_bits);
	jadd_u64(d, o, "instance", hw->instance);
	/* 0: the model's default width */
	jadd_u64(d, o, "aw", hw->aw);
	if (hw->flags & UIO_HW_DEV_ATS)
		jpush(d, caps, json_object_new_string("ats"));
	if (hw->flags & UIO_HW_DEV_PRI)
		jpush(d, caps, json_object_new_string("pri"));
	if (hw->flags & UIO_HW_DEV_NO_DIRTY)
		jpush(d, caps, json_object_new_string("no_dirty"));
	jadd(d, o, "caps", caps);

	/* each attachment holds its HWPT, and idev->lock holds them still */
	pthread_mutex_lock(&idev->lock);
	for (i = 0; i < idev->num_attach; i++) {
		struct json_object *a = jnew(d);

		if (idev->attach[i].pasid == IOMMU_NO_PASID)
			jadd_null(d, a, "pasid");
		else
			jadd_u64(d, a, "pasid", idev->attach[i].pasid);
		jadd_u64(d, a, "hwpt", idev->attach[i].hwpt->obj.id);
		jpush(d, attach, a);
	}
	pthread_mutex_unlock(&idev->lock);
	jadd(d, o, "attachments", attach);

	uio_dev_get_stats(idev->dev, &st);
	jadd_u64(d, dma, "ops", st.dma_ops);
	jadd_u64(d, dma, "bytes", st.dma_bytes);
	jadd_u64(d, dma, "iotlb_hits", st.iotlb_hits);
	jadd_u64(d, dma, "iotlb_misses", st.iotlb_misses);
	jadd_u64(d, dma, "faults_translation", st.faults_translation);
	jadd_u64(d, dma, "faults_permission", st.faults_permission);
	jadd(d, o, "dma", dma);
}

static void dump_access(struct iommufd_dump *d, struct json_object *o,
			struct iommufd_access *access)
{
	struct iommufd_ioas *ioas;
	struct itree_node *node;
	uint64_t pins = 0;

	jadd_bool(d, o, "needs_pin_pages", access->ops->needs_pin_pages);
	jadd_u64(d, o, "iova_alignment", access->iova_alignment);
	pthread_mutex_lock(&access->ioas_lock);
	ioas = access->ioas;
	if (!ioas) {
		pthread_mutex_unlock(&access->ioas_lock);
		jadd_null(d, o, "ioas");
		return;
	}
	/*
	 * The core counts pins per area, not per access: this is what every
	 * access of the IOAS holds (the per-area counts are in the IOAS).
	 */
	pthread_rwlock_rdlock(&ioas->iopt.iova_rwsem);
	itree_for_each(node, &ioas->iopt.area_itree)
		pins += __atomic_load_n(&container_of(node, struct iopt_area,
						      node)->num_accesses,
					__ATOMIC_RELAXED);
	pthread_rwlock_unlock(&ioas->iopt.iova_rwsem);
	jadd_u64(d, o, "ioas", ioas->obj.id);
	pthread_mutex_unlock(&access->ioas_lock);
	jadd_u64(d, o, "ioas_pinned_ranges", pins);
}

/* Copy the table under ictx->lock; also the context's own fields. */
/* ---- the nesting objects: one flat record each ---- */

static void dump_hwpt_nested(struct iommufd_dump *d, struct json_object *o,
			     struct iommufd_hwpt_nested *h)
{
	jadd_str(d, o, "model", h->common.domain->model->name);
	jadd_u64(d, o, "parent", h->parent->common.obj.id);
	if (h->viommu)
		jadd_u64(d, o, "viommu", h->viommu->obj.id);
	if (h->common.fault)
		jadd_u64(d, o, "fault", h->common.fault->common.obj.id);
	jadd_bool(d, o, "pasid_compat", h->common.pasid_compat);
	jadd_u64(d, o, "iotlb_gen", atomic_load(&h->common.domain->iotlb_gen));
}

static uint64_t list_count(struct cds_list_head *head)
{
	struct cds_list_head *pos;
	uint64_t n = 0;

	cds_list_for_each(pos, head)
		n++;
	return n;
}

static void dump_fault(struct iommufd_dump *d, struct json_object *o,
		       struct iommufd_fault *fault)
{
	pthread_mutex_lock(&fault->common.lock);
	jadd_u64(d, o, "queued", list_count(&fault->common.deliver));
	jadd_u64(d, o, "awaiting_response", list_count(&fault->response));
	pthread_mutex_unlock(&fault->common.lock);
}

static void dump_veventq(struct iommufd_dump *d, struct json_object *o,
			 struct iommufd_veventq *vq)
{
	jadd_u64(d, o, "viommu", vq->viommu->obj.id);
	jadd_u64(d, o, "event_type", vq->type);
	jadd_u64(d, o, "depth", vq->depth);
	pthread_mutex_lock(&vq->common.lock);
	jadd_u64(d, o, "queued", vq->num_events);
	jadd_bool(d, o, "lost_events",
		  !cds_list_empty(&vq->lost_events_header.node));
	jadd_u64(d, o, "next_sequence", (uint64_t)vq->sequence);
	pthread_mutex_unlock(&vq->common.lock);
}

static void dump_viommu(struct iommufd_dump *d, struct json_object *o,
			struct iommufd_viommu *viommu)
{
	struct json_object *a = jarray(d);
	struct iommufd_vdevice *vdev;

	jadd_str(d, o, "model",
		 viommu->hw ? viommu->hw->model->name : "selftest");
	jadd_u64(d, o, "viommu_type", viommu->type);
	jadd_u64(d, o, "parent", viommu->hwpt->common.obj.id);
	pthread_mutex_lock(&viommu->vdevs_lock);
	cds_list_for_each_entry(vdev, &viommu->vdevs, node)
		jpush(d, a, json_object_new_int64(vdev->obj.id));
	pthread_mutex_unlock(&viommu->vdevs_lock);
	jadd(d, o, "vdevices", a);
	jadd_u64(d, o, "mmap_length", viommu->mmap_length);
}

static void dump_vdevice(struct iommufd_dump *d, struct json_object *o,
			 struct iommufd_vdevice *vdev)
{
	jadd_u64(d, o, "viommu", vdev->viommu->obj.id);
	if (vdev->idev)
		jadd_u64(d, o, "device", vdev->idev->obj.id);
	else
		jadd_null(d, o, "device");
	jadd_u64(d, o, "virt_id", vdev->virt_id);
}

static void dump_hw_queue(struct iommufd_dump *d, struct json_object *o,
			  struct iommufd_hw_queue *q)
{
	jadd_u64(d, o, "viommu", q->viommu->obj.id);
	jadd_u64(d, o, "index", q->index);
	jadd_u64(d, o, "base", q->base_addr);
	jadd_u64(d, o, "length", q->length);
}

static int copy_table(struct iommufd_dump *d, struct json_object *c,
		      struct iommufd_ctx *ictx, struct dump_table *tab)
{
	uint32_t id, cap;

	pthread_mutex_lock(&ictx->lock);
	cap = ictx->objects.count;
	tab->entries = cap ? calloc(cap, sizeof(*tab->entries)) : NULL;
	if (cap && !tab->entries) {
		pthread_mutex_unlock(&ictx->lock);
		return -ENOMEM;
	}
	for (id = idtable_next(&ictx->objects, 0); id && tab->num < cap;
	     id = idtable_next(&ictx->objects, id)) {
		struct iommufd_object *obj = idtable_find(&ictx->objects, id);
		struct dump_entry *e = &tab->entries[tab->num];

		if (!obj) /* reserved, not published yet */
			continue;
		e->id = id;
		e->type = obj->type;
		e->obj = obj;
		/* a published HWPT holds its IOAS, and the lock holds it */
		if (obj->type == IOMMUFD_OBJ_HWPT_PAGING)
			e->ioas_id = to_hwpt_paging(container_of(
				obj, struct iommufd_hw_pagetable, obj))
					     ->ioas->obj.id;
		tab->num++;
	}
	jadd_str(d, c, "rlimit_mode", account_mode_name(ictx->account_mode));
	if (ictx->vfio_ioas)
		jadd_u64(d, c, "vfio_compat_ioas", ictx->vfio_ioas->obj.id);
	else
		jadd_null(d, c, "vfio_compat_ioas");
	pthread_mutex_unlock(&ictx->lock);
	return 0;
}

/* a paging HWPT, through its IOAS; NULL if either went away */
static struct json_object *gather_hwpt_paging(struct iommufd_dump *d,
					      struct iommufd_ctx *ictx,
					      const struct dump_entry *e)
{
	struct iommufd_hwpt_paging *hp;
	struct json_object *o = NULL;
	struct iommufd_ioas *ioas;

	ioas = iommufd_get_ioas(ictx, e->ioas_id);
	if (IS_ERR(ioas))
		return NULL;
	pthread_mutex_lock(&ioas->mutex);
	cds_list_for_each_entry(hp, &ioas->hwpt_list, hwpt_item) {
		if (&hp->common.obj != e->obj || hp->common.obj.id != e->id)
			continue;
		o = jnew(d);
		add_refs(d, o, &hp->common.obj, 0);
		dump_hwpt_paging(d, o, hp);
		break;
	}
	pthread_mutex_unlock(&ioas->mutex);
	iommufd_put_object(ictx, &ioas->obj);
	return o;
}

static struct json_object *gather_object(struct iommufd_dump *d,
					 struct iommufd_ctx *ictx,
					 const struct dump_table *tab,
					 const struct dump_entry *e)
{
	struct iommufd_object *obj;
	struct json_object *o;

	if (e->type == IOMMUFD_OBJ_HWPT_PAGING)
		return gather_hwpt_paging(d, ictx, e);
	obj = iommufd_get_object(ictx, e->id, e->type);
	if (IS_ERR(obj))
		return NULL;
	o = jnew(d);
	add_refs(d, o, obj, 1);
	switch (obj->type) {
	case IOMMUFD_OBJ_IOAS:
		dump_ioas(d, o, container_of(obj, struct iommufd_ioas, obj),
			  tab);
		break;
	case IOMMUFD_OBJ_DEVICE:
		dump_device(d, o,
			    container_of(obj, struct iommufd_device, obj));
		break;
	case IOMMUFD_OBJ_ACCESS:
		dump_access(d, o,
			    container_of(obj, struct iommufd_access, obj));
		break;
	case IOMMUFD_OBJ_HWPT_NESTED:
		dump_hwpt_nested(d, o,
				 container_of(obj, struct iommufd_hwpt_nested,
					      common.obj));
		break;
	case IOMMUFD_OBJ_FAULT:
		dump_fault(d, o,
			   container_of(obj, struct iommufd_fault, common.obj));
		break;
	case IOMMUFD_OBJ_VEVENTQ:
		dump_veventq(d, o,
			     container_of(obj, struct iommufd_veventq,
					  common.obj));
		break;
	case IOMMUFD_OBJ_VIOMMU:
		dump_viommu(d, o,
			    container_of(obj, struct iommufd_viommu, obj));
		break;
	case IOMMUFD_OBJ_VDEVICE:
		dump_vdevice(d, o,
			     container_of(obj, struct iommufd_vdevice, obj));
		break;
	case IOMMUFD_OBJ_HW_QUEUE:
		dump_hw_queue(d, o,
			      container_of(obj, struct iommufd_hw_queue, obj));
		break;
	default:
		break;
	}
	iommufd_put_object(ictx, obj);
	return o;
}

int iommufd_dump_add_ctx(struct iommufd_dump *d, struct iommufd_ctx *ictx,
			 const int *fds, unsigned int nfds)
{
	struct json_object *c = jnew(d), *fd_list = jarray(d);
	struct json_object *objects = jarray(d);
	struct dump_table tab = {};
	unsigned int i;
	int rc;

	for (i = 0; i < nfds; i++)
		jpush(d, fd_list, json_object_new_int(fds[i]));
	jadd(d, c, "fds", fd_list);
	rc = copy_table(d, c, ictx, &tab);
	if (rc) {
		json_object_put(objects);
		json_object_put(c);
		return rc;
	}
	for (i = 0; i < tab.num; i++) {
		struct json_object *o =
			gather_object(d, ictx, &tab, &tab.entries[i]);

		if (o)
			jpush(d, objects, o);
	}
	free(tab.entries);
	jadd(d, c, "objects", objects);
	jpush(d, d->contexts, c);
	d->num_ctx++;
	return d->oom ? -ENOMEM : 0;
}

/* ---- rendering ---- */

static struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

static uint64_t jget_u64(struct json_object *o, const char *key)
{
	return json_object_get_uint64(jget(o, key));
}

static const char *jget_str(struct json_object *o, const char *key)
{
	const char *s = json_object_get_string(jget(o, key));

	return s ? s : "";
}

static size_t jlen(struct json_object *a)
{
	return json_object_is_type(a, json_type_array) ?
		       json_object_array_length(a) :
		       0;
}

static struct json_object *jat(struct json_object *a, size_t i)
{
	return json_object_array_get_idx(a, i);
}

/* a byte count in the largest binary unit that divides it: "4K", "2M" */
static const char *size_str(char *buf, size_t len, uint64_t bytes)
{
	static const char units[] = "KMGTPE";
	unsigned int u = 0;

	if (!bytes || bytes & 1023) {
		snprintf(buf, len, "%" PRIu64 "B", bytes);
		return buf;
	}
	bytes >>= 10;
	while (u + 1 < sizeof(units) - 1 && !(bytes & 1023) && bytes) {
		bytes >>= 10;
		u++;
	}
	snprintf(buf, len, "%" PRIu64 "%c", bytes, units[u]);
	return buf;
}

static void text_range(FILE *f, struct json_object *r)
{
	fprintf(f, "0x%" PRIx64 "..0x%" PRIx64, jget_u64(r, "start"),
		jget_u64(r, "last"));
}

/* "a, b, c" from an array of strings or numbers, or @none */
static void text_list(FILE *f, struct json_object *a, const char *prefix,
		      const char *sep, const char *none)
{
	size_t i, n = jlen(a);

	if (!n)
		fputs(none, f);
	for (i = 0; i < n; i++)
		fprintf(f, "%s%s%s", i ? sep : "", prefix,
			json_object_get_string(jat(a, i)));
}

static void text_refs(FILE *f, struct json_object *o)
{
	fprintf(f, "  %s %" PRIu64 ": users %" PRId64 ", shortterm %" PRId64
		   "\n",
		jget_str(o, "type"), jget_u64(o, "id"),
		json_object_get_int64(jget(o, "users")),
		json_object_get_int64(jget(o, "shortterm_users")));
}

static void text_ioas(FILE *f, struct json_object *o)
{
	struct json_object *a, *r;
	char sz[32];
	size_t i;

	fprintf(f, "    iova alignment 0x%" PRIx64 ", huge pages %s\n",
		jget_u64(o, "iova_alignment"),
		json_object_get_boolean(jget(o, "huge_pages")) ? "on" : "off");
	fputs("    domains: ", f);
	text_list(f, jget(o, "domains"), "hwpt ", ", ", "none");
	fputs("\n", f);
	a = jget(o, "areas");
	for (i = 0; i < jlen(a); i++) {
		r = jat(a, i);
		fputs("    area ", f);
		text_range(f, r);
		fprintf(f, " (%s) %s ",
			size_str(sz, sizeof(sz), jget_u64(r, "length")),
			jget_str(r, "pages"));
		if (jget(r, "user_va"))
			fprintf(f, "va 0x%" PRIx64, jget_u64(r, "user_va"));
		else if (jget(r, "dmabuf_offset"))
			fprintf(f, "offset 0x%" PRIx64 " of %s%s",
				jget_u64(r, "dmabuf_offset"),
				size_str(sz, sizeof(sz),
					 jget_u64(r, "dmabuf_size")),
				json_object_get_boolean(jget(r, "revoked")) ?
					" (revoked)" :
					"");
		else
			fprintf(f, "offset 0x%" PRIx64,
				jget_u64(r, "file_offset"));
		fputs(" prot ", f);
		text_list(f, jget(r, "prot"), "", "+", "none");
		fprintf(f, ", %s, access pins %" PRIu64 "\n",
			json_object_get_boolean(jget(r, "domain_pinned")) ?
				"pinned for domains" :
				"not pinned for domains",
			jget_u64(r, "access_pins"));
	}
	a = jget(o, "reserved");
	for (i = 0; i < jlen(a); i++) {
		r = jat(a, i);
		fputs("    reserved ", f);
		text_range(f, r);
		fprintf(f, " owner %s", jget_str(r, "owner"));
		if (jget(r, "hwpt"))
			fprintf(f, " (hwpt %" PRIu64 " aperture)",
				jget_u64(r, "hwpt"));
		if (jget(r, "device"))
			fprintf(f, " (device %" PRIu64 ")",
				jget_u64(r, "device"));
		fputs("\n", f);
	}
	a = jget(o, "allowed");
	if (!jlen(a))
		fputs("    allowed: any\n", f);
	for (i = 0; i < jlen(a); i++) {
		fputs("    allowed ", f);
		text_range(f, jat(a, i));
		fputs("\n", f);
	}
	fputs("    accesses: ", f);
	text_list(f, jget(o, "accesses"), "access ", ", ", "none");
	fputs("\n", f);
}

static void text_pgsizes(FILE *f, uint64_t bitmap)
{
	uint64_t lowest = bitmap & -bitmap;
	unsigned int bit, n = 0;
	char sz[32];

	if (!bitmap) {
		fputs("none", f);
		return;
	}
	/* the mock's "any power of two from 2K" */
	if (lowest < PT_BIT(63) && bitmap == ~(lowest - 1)) {
		fprintf(f, "%s and up", size_str(sz, sizeof(sz), lowest));
		return;
	}
	for (bit = 0; bit < 64; bit++)
		if (bitmap & PT_BIT(bit))
			fprintf(f, "%s%s", n++ ? " " : "",
				size_str(sz, sizeof(sz), PT_BIT(bit)));
}

static void text_hwpt(FILE *f, struct json_object *o)
{
	struct json_object *t = jget(o, "page_table"), *l;
	char sz[32], sz2[32];
	size_t i;

	fprintf(f, "    %s on ioas %" PRIu64 ", model %s, %s, flags ",
		jget_str(o, "kind"), jget_u64(o, "ioas"), jget_str(o, "model"),
		json_object_get_boolean(jget(o, "auto_domain")) ? "automatic" :
								   "user-made");
	text_list(f, jget(o, "flag_names"), "", "+", "none");
	fputs("\n    aperture ", f);
	text_range(f, jget(o, "aperture"));
	fprintf(f, ", page sizes 0x%" PRIx64 " (",
		jget_u64(o, "pgsize_bitmap"));
	text_pgsizes(f, jget_u64(o, "pgsize_bitmap"));
	fprintf(f, ")\n    dirty tracking %s%s, iotlb gen %" PRIu64 "\n",
		json_object_get_boolean(jget(o, "dirty_tracking")) ? "on" :
								      "off",
		json_object_get_boolean(jget(o, "dirty_capable")) ?
			"" :
			" (not capable)",
		jget_u64(o, "iotlb_gen"));
	fprintf(f,
		"    page table %s: %" PRIu64 " levels, %" PRIu64
		"-bit iova, %" PRIu64 " table pages (%s), %" PRIu64
		" leaves, %s mapped, %" PRIu64 " dirty leaves\n",
		jget_str(t, "format"), jget_u64(t, "levels"),
		jget_u64(t, "va_bits"), jget_u64(t, "table_pages"),
		size_str(sz, sizeof(sz), jget_u64(t, "table_bytes")),
		jget_u64(t, "leaves"),
		size_str(sz2, sizeof(sz2), jget_u64(t, "mapped_bytes")),
		jget_u64(t, "dirty_leaves"));
	t = jget(t, "per_level");
	for (i = 0; i < jlen(t); i++) {
		l = jat(t, i);
		fprintf(f,
			"      level %" PRIu64 ": %" PRIu64 " tables, %" PRIu64
			" leaves of %s\n",
			jget_u64(l, "level"), jget_u64(l, "tables"),
			jget_u64(l, "leaves"),
			size_str(sz, sizeof(sz), jget_u64(l, "page_size")));
	}
}

static void text_device(FILE *f, struct json_object *o)
{
	struct json_object *a = jget(o, "attachments"), *dma = jget(o, "dma");
	size_t i;

	fprintf(f,
		"    model %s, rid 0x%" PRIx64 ", pasid width %" PRIu64
		", instance %" PRIu64 ", ",
		jget_str(o, "model"), jget_u64(o, "rid"),
		jget_u64(o, "pasid_bits"), jget_u64(o, "instance"));
	if (jget_u64(o, "aw"))
		fprintf(f, "address width %" PRIu64 ", ", jget_u64(o, "aw"));
	else
		fputs("address width default, ", f);
	fputs("caps ", f);
	text_list(f, jget(o, "caps"), "", "+", "none");
	fputs("\n    attached:", f);
	if (!jlen(a))
		fputs(" nothing", f);
	for (i = 0; i < jlen(a); i++) {
		struct json_object *at = jat(a, i);

		if (json_object_is_type(jget(at, "pasid"), json_type_null))
			fputs(i ? ", rid" : " rid", f);
		else
			fprintf(f, "%s pasid %" PRIu64, i ? "," : "",
				jget_u64(at, "pasid"));
		fprintf(f, " -> hwpt %" PRIu64, jget_u64(at, "hwpt"));
	}
	fprintf(f,
		"\n    dma: %" PRIu64 " ops, %" PRIu64 " bytes; iotlb %" PRIu64
		" hits, %" PRIu64 " misses; faults %" PRIu64
		" translation, %" PRIu64 " permission\n",
		jget_u64(dma, "ops"), jget_u64(dma, "bytes"),
		jget_u64(dma, "iotlb_hits"), jget_u64(dma, "iotlb_misses"),
		jget_u64(dma, "faults_translation"),
		jget_u64(dma, "faults_permission"));
}

static void text_access(FILE *f, struct json_object *o)
{
	fputs("    ", f);
	if (json_object_is_type(jget(o, "ioas"), json_type_null))
		fputs("not attached", f);
	else
		fprintf(f,
			"ioas %" PRIu64 ", pinned ranges %" PRIu64
			" (all accesses of that IOAS)",
			jget_u64(o, "ioas"), jget_u64(o, "ioas_pinned_ranges"));
	fprintf(f, ", pin_pages %s, iova alignment 0x%" PRIx64 "\n",
		json_object_get_boolean(jget(o, "needs_pin_pages")) ? "yes" :
									 "no",
		jget_u64(o, "iova_alignment"));
}

/*
 * The nesting objects' records are flat: one line of "key value" pairs in
 * the order they were gathered (ids and counts in decimal, lists joined).
 */
static void text_flat(FILE *f, struct json_object *o)
{
	static const char *const skip[] = { "id", "type", "users",
					    "shortterm_users" };
	const char *sep = "    ";
	size_t i;

	json_object_object_foreach(o, key, val)
	{
		bool skipped = false;

		for (i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
			skipped |= !strcmp(key, skip[i]);
		if (skipped)
			continue;
		fprintf(f, "%s%s ", sep, key);
		if (json_object_is_type(val, json_type_array)) {
			fputs("[", f);
			text_list(f, val, "", " ", "");
			fputs("]", f);
		} else if (json_object_is_type(val, json_type_null)) {
			fputs("none", f);
		} else {
			fputs(json_object_get_string(val), f);
		}
		sep = ", ";
	}
	fputs("\n", f);
}

static void text_context(FILE *f, struct json_object *c)
{
	struct json_object *objs = jget(c, "objects");
	size_t i, n = jlen(objs);

	fputs("\ncontext (fd ", f);
	text_list(f, jget(c, "fds"), "", ", ", "?");
	fprintf(f, "): %zu object%s, rlimit mode %s, vfio compat ioas ", n,
		n == 1 ? "" : "s", jget_str(c, "rlimit_mode"));
	if (json_object_is_type(jget(c, "vfio_compat_ioas"), json_type_null))
		fputs("none\n", f);
	else
		fprintf(f, "%" PRIu64 "\n", jget_u64(c, "vfio_compat_ioas"));
	for (i = 0; i < n; i++) {
		struct json_object *o = jat(objs, i);
		const char *type = jget_str(o, "type");

		text_refs(f, o);
		if (!strcmp(type, "ioas"))
			text_ioas(f, o);
		else if (jget(o, "page_table"))
			text_hwpt(f, o);
		else if (!strcmp(type, "device"))
			text_device(f, o);
		else if (!strcmp(type, "access"))
			text_access(f, o);
		else if (strcmp(type, "selftest device"))
			text_flat(f, o);
	}
}

static void render_text(FILE *f, struct json_object *root)
{
	struct json_object *ctxs = jget(root, "contexts");
	struct json_object *charged =
		jget(jget(root, "pin_ledger"), "charged_pages");
	size_t i, n = jlen(ctxs);

	fprintf(f, "uiommufd state: pid %" PRIu64 ", %zu context%s\n",
		jget_u64(root, "pid"), n, n == 1 ? "" : "s");
	fprintf(f,
		"pin ledger: %" PRIu64 " pages charged to user, %" PRIu64
		" to mm\n",
		jget_u64(charged, "user"), jget_u64(charged, "mm"));
	for (i = 0; i < n; i++)
		text_context(f, jat(ctxs, i));
}

char *iommufd_dump_render(struct iommufd_dump *d, bool json, size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (json) {
		const char *s = json_object_to_json_string_length(
			d->root, JSON_C_TO_STRING_PRETTY |
					 JSON_C_TO_STRING_NOSLASHESCAPE,
			&len);

		if (!s)
			return NULL;
		buf = malloc(len + 2);
		if (!buf)
			return NULL;
		memcpy(buf, s, len);
		buf[len++] = '\n';
		buf[len] = 0;
		*ret_len = len;
		return buf;
	}
	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	render_text(f, d->root);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	*ret_len = len;
	return buf;
}
