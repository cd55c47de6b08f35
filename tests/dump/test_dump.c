/* SPDX-License-Identifier: MIT */
/*
 * The state dump (uiommufd_dump and the UIOMMUFD_DUMP_* environment).
 *
 * A known state is built: two IOASes, maps in both, a test reservation and
 * an allowed range, an emulated VT-d device attached to the first IOAS (an
 * automatic domain) and, on a PASID, to a dirty-tracking HWPT made with
 * IOMMU_HWPT_ALLOC into which it DMA-writes, a selftest mock device on the
 * second IOAS (MOCK_DOMAIN) and a selftest access pinning a page there. The
 * text dump must contain the expected lines, and the JSON dump must parse
 * and carry the expected ids, ranges and page-table leaf counts. Further
 * states show the nesting objects, and dma-buf areas (their buffer offset
 * and size, and whether they are revoked).
 *
 * Child processes (this program run again with an argument) check the dump
 * at exit, to a file and to stderr, that a process with no context writes
 * nothing, and the dump on a signal. Last, dumps run while other threads
 * map, unmap, attach, detach and destroy: nothing may crash or deadlock,
 * and no DESTROY may fail because a dump held an object.
 *
 * A plain program: exit 0 pass, 1 fail; each failure prints one line.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <linux/iommufd.h>
#include <linux/iommufd_test.h>

#include "uiommufd/uiommufd.h"
#include "../common/inproc.h"

static int failures, checks;

#define CHECK(cond)                                                        \
	do {                                                               \
		checks++;                                                  \
		if (!(cond)) {                                             \
			failures++;                                        \
			fprintf(stderr, "FAIL %s:%d %s (%s)\n", __FILE__,  \
				__LINE__, #cond, uiommufd_last_reason());  \
		}                                                          \
	} while (0)

#define PS 4096UL
#define SZ_2M (2UL << 20)
#define IOVA1 (1ULL << 30)        /* in ioas1's allowed range */
#define ALLOW_START (1ULL << 30)
#define ALLOW_LAST ((2ULL << 30) - 1)
#define RESV_START 0x10000000ULL  /* the test reservation in ioas1 */
#define RESV_LEN 0x10000ULL
#define IOVA2 (1ULL << 24)        /* MOCK_APERTURE_START */
#define LEN2 0x10000UL
#define RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
#define DIRTY_PASID 5

struct state {
	int fd;
	uint32_t ioas1, ioas2;
	uint32_t dev_id, rid_hwpt, dirty_hwpt;
	uint32_t stdev_id, mock_hwpt, mock_idev;
	uint32_t access_id;
	int access_fd;
	struct uiommufd_dev *dev;
	char *buf;  /* 4 MiB, 2 MiB aligned, at IOVA1 */
	char *ro;   /* one page at IOVA1 + 4 MiB */
	char *buf2; /* LEN2 at IOVA2 in ioas2 */
};

static long destroy(int fd, uint32_t id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return uiommufd_ioctl(fd, IOMMU_DESTROY, &cmd);
}

static long allow(int fd, uint32_t ioas, uint64_t start, uint64_t last)
{
	struct iommu_iova_range r = { .start = start, .last = last };
	struct iommu_ioas_allow_iovas cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.num_iovas = 1,
		.allowed_iovas = (uintptr_t)&r,
	};

	return uiommufd_ioctl(fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd);
}

static long test_cmd(int fd, struct iommu_test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	return uiommufd_ioctl(fd, IOMMU_TEST_CMD, cmd);
}

/* Build the known state; every step is checked. */
static void build_state(struct state *st)
{
	struct uiommufd_dev_config cfg = {
		.model = "vtd", .rid = 0x10, .pasid_bits = 8,
	};
	struct iommu_test_cmd tc;
	struct iommu_hwpt_alloc alloc = {
		.size = sizeof(alloc),
		.flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
			 IOMMU_HWPT_ALLOC_PASID,
	};
	struct iommu_hwpt_alloc rid_alloc = {
		.size = sizeof(rid_alloc),
		.flags = IOMMU_HWPT_ALLOC_PASID,
	};
	struct iommu_hwpt_set_dirty_tracking track = {
		.size = sizeof(track),
		.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE,
	};
	char out[16];
	uint32_t pt;

	memset(st, 0, sizeof(*st));
	st->buf = aligned_buffer(2 * SZ_2M, SZ_2M);
	st->ro = aligned_buffer(PS, PS);
	st->buf2 = aligned_buffer(LEN2, PS);
	memset(st->buf, 0x11, 2 * SZ_2M);
	memset(st->ro, 0x22, PS);
	memset(st->buf2, 0x33, LEN2);

	st->fd = uiommufd_open(O_CLOEXEC);
	CHECK(st->fd >= 0);
	CHECK(ioas_alloc(st->fd, &st->ioas1) == 0);
	CHECK(ioas_alloc(st->fd, &st->ioas2) == 0);
	CHECK(allow(st->fd, st->ioas1, ALLOW_START, ALLOW_LAST) == 0);
	memset(&tc, 0, sizeof(tc));
	tc.op = IOMMU_TEST_OP_ADD_RESERVED;
	tc.id = st->ioas1;
	tc.add_reserved.start = RESV_START;
	tc.add_reserved.length = RESV_LEN;
	CHECK(test_cmd(st->fd, &tc) == 0);

	/*
	 * the VT-d device: the RID on a PASID-compatible HWPT of ioas1 (a
	 * PASID may be attached only while the RID's HWPT is one)
	 */
	CHECK(uiommufd_dev_create(&cfg, &st->dev) == 0);
	CHECK(uiommufd_dev_bind(st->dev, st->fd, &st->dev_id) == 0);
	rid_alloc.dev_id = st->dev_id;
	rid_alloc.pt_id = st->ioas1;
	CHECK(uiommufd_ioctl(st->fd, IOMMU_HWPT_ALLOC, &rid_alloc) == 0);
	st->rid_hwpt = rid_alloc.out_hwpt_id;
	CHECK(uiommufd_dev_attach(st->dev, UIOMMUFD_NO_PASID,
				  &st->rid_hwpt) == 0);
	CHECK(map(st->fd, st->ioas1, st->buf, 2 * SZ_2M, IOVA1, RW) == 0);
	CHECK(map(st->fd, st->ioas1, st->ro, PS, IOVA1 + 2 * SZ_2M,
		  IOMMU_IOAS_MAP_READABLE) == 0);

	/* a dirty-tracking HWPT on a PASID, written once through it */
	alloc.dev_id = st->dev_id;
	alloc.pt_id = st->ioas1;
	CHECK(uiommufd_ioctl(st->fd, IOMMU_HWPT_ALLOC, &alloc) == 0);
	st->dirty_hwpt = alloc.out_hwpt_id;
	track.hwpt_id = st->dirty_hwpt;
	CHECK(uiommufd_ioctl(st->fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &track) ==
	      0);
	pt = st->dirty_hwpt;
	CHECK(uiommufd_dev_attach(st->dev, DIRTY_PASID, &pt) == 0);
	memset(out, 0x44, sizeof(out));
	CHECK(uiommufd_dma_write(st->dev, DIRTY_PASID, IOVA1 + PS, out, 8) ==
	      0);
	CHECK(uiommufd_dma_read(st->dev, UIOMMUFD_NO_PASID, IOVA1, out, 8) ==
	      0);

	/* the selftest's mock device on ioas2, and an access pinning a page */
	memset(&tc, 0, sizeof(tc));
	tc.op = IOMMU_TEST_OP_MOCK_DOMAIN;
	tc.id = st->ioas2;
	CHECK(test_cmd(st->fd, &tc) == 0);
	st->stdev_id = tc.mock_domain.out_stdev_id;
	st->mock_hwpt = tc.mock_domain.out_hwpt_id;
	st->mock_idev = tc.mock_domain.out_idev_id;
	CHECK(map(st->fd, st->ioas2, st->buf2, LEN2, IOVA2, RW) == 0);
	memset(&tc, 0, sizeof(tc));
	tc.op = IOMMU_TEST_OP_CREATE_ACCESS;
	tc.id = st->ioas2;
	tc.create_access.flags = MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES;
	CHECK(test_cmd(st->fd, &tc) == 0);
	st->access_fd = tc.create_access.out_access_fd;
	/* ids are handed out lowest first: the access is the newest object */
	st->access_id = st->mock_hwpt + 1;
	memset(&tc, 0, sizeof(tc));
	tc.op = IOMMU_TEST_OP_ACCESS_PAGES;
	tc.id = st->access_fd;
	tc.access_pages.iova = IOVA2;
	tc.access_pages.length = PS;
	CHECK(test_cmd(st->fd, &tc) == 0);
}

static void teardown_state(struct state *st)
{
	uiommufd_dev_destroy(st->dev);
	close(st->access_fd);
	CHECK(uiommufd_close(st->fd) == 0);
}

/* the dump of @iommufd read back through a memfd, NUL-terminated */
static char *dump_to_string(int iommufd, unsigned int flags)
{
	int mfd = memfd_create("dump", MFD_CLOEXEC);
	struct stat sb;
	char *s;

	CHECK(mfd >= 0);
	CHECK(uiommufd_dump(iommufd, mfd, flags) == 0);
	CHECK(fstat(mfd, &sb) == 0);
	s = calloc(1, sb.st_size + 1);
	CHECK(pread(mfd, s, sb.st_size, 0) == sb.st_size);
	close(mfd);
	return s;
}

static bool has_line(const char *text, const char *fmt, ...)
{
	char line[512];
	const char *p;
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = strlen(line);
	for (p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') &&
		    (p[n] == '\n' || p[n] == 0))
			return true;
	fprintf(stderr, "missing line: \"%s\"\n", line);
	return false;
}

static bool has_prefix_line(const char *text, const char *fmt, ...)
{
	char line[512];
	const char *p;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (p = text; (p = strstr(p, line)); p++)
		if (p == text || p[-1] == '\n')
			return true;
	fprintf(stderr, "missing line starting with: \"%s\"\n", line);
	return false;
}

static void check_text(const struct state *st, const char *t)
{
	CHECK(has_line(t, "uiommufd state: pid %d, 1 context", getpid()));
	CHECK(has_prefix_line(t, "pin ledger: "));
	CHECK(has_line(t,
		       "context (fd %d): 9 objects, rlimit mode user, vfio compat ioas none",
		       st->fd));
	CHECK(has_prefix_line(t, "  ioas %u: users ", st->ioas1));
	CHECK(has_line(t, "    iova alignment 0x1000, huge pages on"));
	CHECK(has_line(t, "    domains: hwpt %u, hwpt %u", st->rid_hwpt,
		       st->dirty_hwpt));
	CHECK(has_line(t,
		       "    area 0x40000000..0x403fffff (4M) user va %p prot read+write+cache, pinned for domains, access pins 0",
		       (void *)st->buf));
	CHECK(has_line(t,
		       "    area 0x40400000..0x40400fff (4K) user va %p prot read+cache, pinned for domains, access pins 0",
		       (void *)st->ro));
	CHECK(has_line(t, "    reserved 0x10000000..0x1000ffff owner test"));
	CHECK(has_line(t,
		       "    reserved 0xfee00000..0xfeefffff owner device (device %u)",
		       st->dev_id));
	CHECK(has_line(t,
		       "    reserved 0x800000000000..0xffffffffffffffff owner domain (hwpt %u aperture)",
		       st->rid_hwpt));
	CHECK(has_line(t,
		       "    reserved 0x1000000000000..0xffffffffffffffff owner domain (hwpt %u aperture)",
		       st->dirty_hwpt));
	CHECK(has_line(t, "    allowed 0x40000000..0x7fffffff"));
	CHECK(has_line(t, "    accesses: access %u", st->access_id));
	CHECK(has_line(t, "    accesses: none"));

	CHECK(has_prefix_line(t, "  hwpt %u: users 2, shortterm 0",
			      st->rid_hwpt));
	CHECK(has_line(t,
		       "    paging on ioas %u, model vtd, user-made, flags pasid",
		       st->ioas1));
	CHECK(has_line(t,
		       "    paging on ioas %u, model vtd, user-made, flags dirty_tracking+pasid",
		       st->ioas1));
	/* the RID's domain is first stage (no dirty bit), the other
	 * second stage */
	CHECK(has_line(t, "    dirty tracking off (not capable), iotlb gen 0"));
	CHECK(has_prefix_line(t, "    dirty tracking on, iotlb gen "));
	CHECK(has_line(t,
		       "    aperture 0x0..0x7fffffffffff, page sizes 0x40201000 (4K 2M 1G)"));
	CHECK(has_line(t,
		       "    aperture 0x0..0xffffffffffff, page sizes 0x40201000 (4K 2M 1G)"));
	CHECK(has_line(t,
		       "    aperture 0x1000000..0x7fffffff, page sizes 0xfffffffffffff800 (2K and up)"));
	CHECK(has_line(t,
		       "    page table x86-64: 4 levels, 48-bit iova, 4 table pages (16K), 3 leaves, 4100K mapped, 0 dirty leaves"));
	CHECK(has_line(t,
		       "    page table vtd-ss: 4 levels, 48-bit iova, 4 table pages (16K), 3 leaves, 4100K mapped, 1 dirty leaves"));
	CHECK(has_line(t, "      level 3: 1 tables, 0 leaves of 512G"));
	CHECK(has_line(t, "      level 0: 1 tables, 32 leaves of 2K"));
	CHECK(has_line(t, "      level 0: 1 tables, 1 leaves of 4K"));
	CHECK(has_line(t, "      level 1: 1 tables, 2 leaves of 2M"));
	CHECK(has_line(t,
		       "    paging on ioas %u, model mock, automatic, flags none",
		       st->ioas2));

	CHECK(has_prefix_line(t, "  device %u: users ", st->dev_id));
	CHECK(has_line(t,
		       "    model vtd, rid 0x10, pasid width 8, instance 0, "
		       "address width default, caps none"));
	CHECK(has_line(t, "    attached: rid -> hwpt %u, pasid %u -> hwpt %u",
		       st->rid_hwpt, DIRTY_PASID, st->dirty_hwpt));
	CHECK(has_prefix_line(t, "    dma: 2 ops, 16 bytes; iotlb "));
	CHECK(has_line(t, "    attached: rid -> hwpt %u", st->mock_hwpt));
	CHECK(has_prefix_line(t, "  selftest device %u: users ",
			      st->stdev_id));
	CHECK(has_line(t,
		       "    ioas %u, pinned ranges 1 (all accesses of that IOAS), pin_pages yes, iova alignment 0x1000",
		       st->ioas2));
}

/* ---- JSON ---- */

static struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

static uint64_t ju(struct json_object *o, const char *key)
{
	return json_object_get_uint64(jget(o, key));
}

static const char *js(struct json_object *o, const char *key)
{
	const char *s = json_object_get_string(jget(o, key));

	return s ? s : "";
}

static struct json_object *find_obj(struct json_object *ctx, uint32_t id)
{
	struct json_object *objs = jget(ctx, "objects");
	size_t i;

	for (i = 0; i < json_object_array_length(objs); i++)
		if (ju(json_object_array_get_idx(objs, i), "id") == id)
			return json_object_array_get_idx(objs, i);
	return NULL;
}

/* the first element of array @a whose @key is @v, or NULL */
static struct json_object *find_by(struct json_object *a, const char *key,
				   uint64_t v)
{
	size_t i;

	for (i = 0; i < json_object_array_length(a); i++)
		if (ju(json_object_array_get_idx(a, i), key) == v)
			return json_object_array_get_idx(a, i);
	return NULL;
}

static struct json_object *level(struct json_object *hwpt, unsigned int l)
{
	return json_object_array_get_idx(
		jget(jget(hwpt, "page_table"), "per_level"), l);
}

static void check_json_state(const struct state *st, struct json_object *ctx)
{
	struct json_object *o, *a, *r;

	CHECK(json_object_array_length(jget(ctx, "objects")) == 9);
	CHECK(!strcmp(js(ctx, "rlimit_mode"), "user"));
	CHECK(json_object_is_type(jget(ctx, "vfio_compat_ioas"),
				  json_type_null));

	o = find_obj(ctx, st->ioas1);
	CHECK(o && !strcmp(js(o, "type"), "ioas"));
	CHECK(ju(o, "iova_alignment") == PS);
	CHECK(json_object_get_boolean(jget(o, "huge_pages")));
	a = jget(o, "areas");
	CHECK(json_object_array_length(a) == 2);
	r = json_object_array_get_idx(a, 0);
	CHECK(ju(r, "start") == IOVA1 && ju(r, "last") == IOVA1 + 2 * SZ_2M - 1);
	CHECK(ju(r, "user_va") == (uintptr_t)st->buf);
	CHECK(!strcmp(js(r, "pages"), "user"));
	CHECK(json_object_get_boolean(jget(r, "domain_pinned")));
	CHECK(json_object_array_length(jget(r, "prot")) == 3);
	a = jget(o, "reserved");
	r = find_by(a, "start", RESV_START);
	CHECK(r && ju(r, "last") == RESV_START + RESV_LEN - 1 &&
	      !strcmp(js(r, "owner"), "test"));
	r = find_by(a, "start", 0xfee00000);
	CHECK(r && !strcmp(js(r, "owner"), "device") &&
	      ju(r, "device") == st->dev_id);
	r = find_by(a, "hwpt", st->dirty_hwpt);
	CHECK(r && !strcmp(js(r, "owner"), "domain") &&
	      ju(r, "start") == 1ULL << 48);
	a = jget(o, "allowed");
	CHECK(json_object_array_length(a) == 1 &&
	      ju(json_object_array_get_idx(a, 0), "start") == ALLOW_START &&
	      ju(json_object_array_get_idx(a, 0), "last") == ALLOW_LAST);
	a = jget(o, "domains");
	CHECK(json_object_array_length(a) == 2);

	o = find_obj(ctx, st->rid_hwpt);
	CHECK(o && !strcmp(js(o, "type"), "hwpt"));
	CHECK(!strcmp(js(o, "model"), "vtd"));
	CHECK(!json_object_get_boolean(jget(o, "auto_domain")));
	CHECK(ju(o, "users") == 2 && ju(o, "shortterm_users") == 0);
	CHECK(ju(jget(o, "page_table"), "levels") == 4);
	CHECK(ju(level(o, 1), "leaves") == 2 &&
	      ju(level(o, 1), "page_size") == SZ_2M);
	CHECK(ju(level(o, 0), "leaves") == 1);
	CHECK(ju(jget(o, "page_table"), "mapped_bytes") == 2 * SZ_2M + PS);
	CHECK(ju(jget(o, "page_table"), "dirty_leaves") == 0);
	CHECK(!json_object_get_boolean(jget(o, "dirty_tracking")));

	o = find_obj(ctx, st->dirty_hwpt);
	CHECK(o && !json_object_get_boolean(jget(o, "auto_domain")));
	CHECK(ju(o, "flags") ==
	      (IOMMU_HWPT_ALLOC_DIRTY_TRACKING | IOMMU_HWPT_ALLOC_PASID));
	CHECK(json_object_get_boolean(jget(o, "dirty_tracking")));
	CHECK(ju(jget(o, "page_table"), "dirty_leaves") == 1);
	CHECK(ju(jget(o, "aperture"), "last") == (1ULL << 48) - 1);

	o = find_obj(ctx, st->dev_id);
	CHECK(o && !strcmp(js(o, "type"), "device"));
	CHECK(!strcmp(js(o, "model"), "vtd") && ju(o, "rid") == 0x10 &&
	      ju(o, "pasid_bits") == 8);
	a = jget(o, "attachments");
	CHECK(json_object_array_length(a) == 2);
	r = json_object_array_get_idx(a, 0);
	CHECK(json_object_is_type(jget(r, "pasid"), json_type_null) &&
	      ju(r, "hwpt") == st->rid_hwpt);
	r = json_object_array_get_idx(a, 1);
	CHECK(ju(r, "pasid") == DIRTY_PASID && ju(r, "hwpt") == st->dirty_hwpt);
	CHECK(ju(jget(o, "dma"), "ops") == 2 &&
	      ju(jget(o, "dma"), "bytes") == 16);

	o = find_obj(ctx, st->ioas2);
	CHECK(o && json_object_array_length(jget(o, "areas")) == 1);
	r = json_object_array_get_idx(jget(o, "areas"), 0);
	CHECK(ju(r, "access_pins") == 1);
	o = find_obj(ctx, st->mock_hwpt);
	CHECK(o && !strcmp(js(o, "model"), "mock") &&
	      ju(o, "ioas") == st->ioas2);
	/* 64 KiB in 2 KiB leaves */
	CHECK(ju(level(o, 0), "leaves") == LEN2 / 2048);
	o = find_obj(ctx, st->mock_idev);
	CHECK(o && !strcmp(js(o, "model"), "mock"));
	o = find_obj(ctx, st->stdev_id);
	CHECK(o && !strcmp(js(o, "type"), "selftest device"));
	o = find_obj(ctx, st->access_id);
	CHECK(o && !strcmp(js(o, "type"), "access"));
	CHECK(ju(o, "ioas") == st->ioas2 && ju(o, "ioas_pinned_ranges") == 1);
}

static void check_json(const struct state *st, const char *s)
{
	struct json_object *root = json_tokener_parse(s), *ctxs, *ctx;

	CHECK(root);
	if (!root)
		return;
	CHECK(ju(root, "uiommufd_dump") == 1);
	CHECK(ju(root, "pid") == (uint64_t)getpid());
	CHECK(jget(jget(jget(root, "pin_ledger"), "charged_pages"), "user"));
	ctxs = jget(root, "contexts");
	CHECK(json_object_array_length(ctxs) == 1);
	ctx = json_object_array_get_idx(ctxs, 0);
	CHECK(json_object_array_length(jget(ctx, "fds")) == 1 &&
	      json_object_get_int(json_object_array_get_idx(
		      jget(ctx, "fds"), 0)) == st->fd);
	check_json_state(st, ctx);
	json_object_put(root);
}

static void test_known_state(void)
{
	struct state st;
	char *s;
	int fd2, dupfd;

	build_state(&st);
	s = dump_to_string(st.fd, 0);
	check_text(&st, s);
	free(s);
	s = dump_to_string(st.fd, UIOMMUFD_DUMP_JSON);
	check_json(&st, s);
	free(s);

	/* every context (-1): a dup is one context listing both fds */
	fd2 = uiommufd_open(0);
	dupfd = dup(st.fd);
	CHECK(uiommufd_fd_dup(st.fd, dupfd) == 0);
	s = dump_to_string(-1, 0);
	CHECK(has_line(s, "uiommufd state: pid %d, 2 contexts", getpid()));
	CHECK(has_prefix_line(s, "context (fd %d, %d): 9 objects", st.fd,
			      dupfd));
	CHECK(has_line(s,
		       "context (fd %d): 0 objects, rlimit mode user, vfio compat ioas none",
		       fd2));
	free(s);
	CHECK(uiommufd_close(dupfd) == 0);
	CHECK(uiommufd_close(fd2) == 0);

	/* refusals */
	CHECK(uiommufd_dump(st.fd, 1, 0x80) == -EINVAL);
	CHECK(uiommufd_dump(0, 1, 0) == -EBADF);
	CHECK(uiommufd_dump(-2, 1, 0) == -EBADF);
	CHECK(uiommufd_dump(st.fd, st.fd, 0) == -EINVAL);
	CHECK(uiommufd_dump(st.fd, -1, 0) == -EBADF);
	CHECK(uiommufd_dump(st.fd, 1000000, 0) == -EBADF);

	teardown_state(&st);
}

/*
 * The nesting objects: a vIOMMU over a nesting parent, a nested HWPT through
 * it taking page requests, the device's vDEVICE, a vEVENTQ that overflowed,
 * and a fault queue with one request read and one still queued.
 */
static void test_nesting_state(void)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_test_cmd tc;
	struct iommu_hwpt_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_viommu_alloc va = { .size = sizeof(va) };
	struct iommu_vdevice_alloc vd = { .size = sizeof(vd) };
	struct iommu_veventq_alloc vq = { .size = sizeof(vq) };
	struct iommu_fault_alloc fa = { .size = sizeof(fa) };
	struct iommu_hwpt_pgfault rec;
	uint32_t ioas, stdev, idev, parent, viommu, nested, vdev;
	struct json_object *root, *ctx, *o;
	int fd, i;
	char *s;

	fd = uiommufd_open(O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK(ioas_alloc(fd, &ioas) == 0);
	memset(&tc, 0, sizeof(tc));
	tc.op = IOMMU_TEST_OP_MOCK_DOMAIN;
	tc.id = ioas;
	CHECK(test_cmd(fd, &tc) == 0);
	stdev = tc.mock_domain.out_stdev_id;
	idev = tc.mock_domain.out_idev_id;
	alloc.dev_id = idev;
	alloc.pt_id = ioas;
	alloc.flags = IOMMU_HWPT_ALLOC_NEST_PARENT;
	CHECK(uiommufd_ioctl(fd, IOMMU_HWPT_ALLOC, &alloc) == 0);
	parent = alloc.out_hwpt_id;
	va.dev_id = idev;
	va.hwpt_id = parent;
	va.type = IOMMU_VIOMMU_TYPE_SELFTEST;
	CHECK(uiommufd_ioctl(fd, IOMMU_VIOMMU_ALLOC, &va) == 0);
	viommu = va.out_viommu_id;
	CHECK(uiommufd_ioctl(fd, IOMMU_FAULT_QUEUE_ALLOC, &fa) == 0);
	alloc.pt_id = viommu;
	alloc.flags = IOMMU_HWPT_FAULT_ID_VALID;
	alloc.fault_id = fa.out_fault_id;
	alloc.data_type = IOMMU_HWPT_DATA_SELFTEST;
	alloc.data_len = sizeof(data);
	alloc.data_uptr = (uintptr_t)&data;
	CHECK(uiommufd_ioctl(fd, IOMMU_HWPT_ALLOC, &alloc) == 0);
	nested = alloc.out_hwpt_id;
	vd.viommu_id = viommu;
	vd.dev_id = idev;
	vd.virt_id = 0x42;
	CHECK(uiommufd_ioctl(fd, IOMMU_VDEVICE_ALLOC, &vd) == 0);
	vdev = vd.out_vdevice_id;
	vq.viommu_id = viommu;
	vq.type = IOMMU_VEVENTQ_TYPE_SELFTEST;
	vq.veventq_depth = 2;
	CHECK(uiommufd_ioctl(fd, IOMMU_VEVENTQ_ALLOC, &vq) == 0);
	memset(&tc, 0, sizeof(tc));
	tc.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE;
	tc.id = stdev;
	tc.mock_domain_replace.pt_id = nested;
	CHECK(test_cmd(fd, &tc) == 0);
	for (i = 0; i < 3; i++) {
		memset(&tc, 0, sizeof(tc));
		tc.op = IOMMU_TEST_OP_TRIGGER_VEVENT;
		tc.trigger_vevent.dev_id = idev;
		CHECK(test_cmd(fd, &tc) == 0);
	}
	for (i = 0; i < 2; i++) {
		memset(&tc, 0, sizeof(tc));
		tc.op = IOMMU_TEST_OP_TRIGGER_IOPF;
		tc.trigger_iopf.dev_id = idev;
		tc.trigger_iopf.addr = 0x1000 * (i + 1);
		CHECK(test_cmd(fd, &tc) == 0);
	}
	CHECK(uiommufd_read(fa.out_fault_fd, &rec, sizeof(rec)) ==
	      sizeof(rec));

	s = dump_to_string(fd, 0);
	CHECK(has_line(s,
		       "    model mock, parent %u, viommu %u, fault %u, pasid_compat false, iotlb_gen 0",
		       parent, viommu, fa.out_fault_id));
	CHECK(has_line(s,
		       "    model selftest, viommu_type %u, parent %u, vdevices [%u], mmap_length 0",
		       IOMMU_VIOMMU_TYPE_SELFTEST, parent, vdev));
	CHECK(has_line(s, "    viommu %u, device %u, virt_id 66", viommu,
		       idev));
	CHECK(has_line(s,
		       "    viommu %u, event_type %u, depth 2, queued 2, lost_events true, next_sequence 3",
		       viommu, IOMMU_VEVENTQ_TYPE_SELFTEST));
	CHECK(has_line(s, "    queued 1, awaiting_response 1"));
	free(s);
	s = dump_to_string(fd, UIOMMUFD_DUMP_JSON);
	root = json_tokener_parse(s);
	CHECK(root);
	ctx = root ? json_object_array_get_idx(jget(root, "contexts"), 0) :
		     NULL;
	o = ctx ? find_obj(ctx, vq.out_veventq_id) : NULL;
	CHECK(o && !strcmp(js(o, "type"), "veventq") && ju(o, "depth") == 2 &&
	      ju(o, "queued") == 2);
	o = ctx ? find_obj(ctx, fa.out_fault_id) : NULL;
	CHECK(o && ju(o, "queued") == 1 && ju(o, "awaiting_response") == 1);
	o = ctx ? find_obj(ctx, nested) : NULL;
	CHECK(o && !strcmp(js(o, "type"), "nested hwpt") &&
	      ju(o, "parent") == parent);
	json_object_put(root);
	free(s);

	/* closing with all of it alive frees all of it (ASan checks) */
	CHECK(uiommufd_close(vq.out_veventq_fd) == 0);
	CHECK(uiommufd_close(fa.out_fault_fd) == 0);
	CHECK(uiommufd_close(fd) == 0);
}

/* dma-buf areas: their buffer offset and size, and whether revoked */
static void test_dmabuf_state(void)
{
	struct json_object *root, *ctx, *o, *r;
	struct iommu_test_cmd tc;
	struct iommu_ioas_map_file mf = {
		.size = sizeof(mf),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | RW,
	};
	uint32_t ioas;
	int fd, dfd, dfd2;
	char *s;

	fd = uiommufd_open(O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK(ioas_alloc(fd, &ioas) == 0);
	memset(&tc, 0, sizeof(tc));
	tc.op = IOMMU_TEST_OP_MOCK_DOMAIN;
	tc.id = ioas;
	CHECK(test_cmd(fd, &tc) == 0);
	memset(&tc, 0, sizeof(tc));
	tc.op = IOMMU_TEST_OP_DMABUF_GET;
	tc.dmabuf_get.length = 4 * PS;
	dfd = (int)test_cmd(fd, &tc);
	tc.dmabuf_get.length = 2 * PS;
	dfd2 = (int)test_cmd(fd, &tc);
	CHECK(dfd >= 0 && dfd2 >= 0);
	mf.ioas_id = ioas;
	mf.fd = dfd;
	mf.length = 4 * PS;
	mf.iova = IOVA2;
	CHECK(uiommufd_ioctl(fd, IOMMU_IOAS_MAP_FILE, &mf) == 0);
	mf.fd = dfd2;
	mf.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE;
	mf.start = PS;
	mf.length = PS;
	mf.iova = IOVA2 + 4 * PS;
	CHECK(uiommufd_ioctl(fd, IOMMU_IOAS_MAP_FILE, &mf) == 0);
	memset(&tc, 0, sizeof(tc));
	tc.op = IOMMU_TEST_OP_DMABUF_REVOKE;
	tc.dmabuf_revoke.dmabuf_fd = dfd2;
	tc.dmabuf_revoke.revoked = 1;
	CHECK(test_cmd(fd, &tc) == 0);
	/* the areas hold the buffers, not the fds */
	CHECK(uiommufd_close(dfd) == 0);
	CHECK(uiommufd_close(dfd2) == 0);

	s = dump_to_string(fd, 0);
	CHECK(has_line(s,
		       "    area 0x1000000..0x1003fff (16K) dmabuf offset 0x0 of 16K prot read+write+cache, not pinned for domains, access pins 0"));
	CHECK(has_line(s,
		       "    area 0x1004000..0x1004fff (4K) dmabuf offset 0x1000 of 8K (revoked) prot read+cache, not pinned for domains, access pins 0"));
	free(s);
	s = dump_to_string(fd, UIOMMUFD_DUMP_JSON);
	root = json_tokener_parse(s);
	CHECK(root);
	ctx = root ? json_object_array_get_idx(jget(root, "contexts"), 0) :
		     NULL;
	o = ctx ? find_obj(ctx, ioas) : NULL;
	r = o ? find_by(jget(o, "areas"), "start", IOVA2 + 4 * PS) : NULL;
	CHECK(r && !strcmp(js(r, "pages"), "dmabuf") &&
	      ju(r, "dmabuf_offset") == PS && ju(r, "dmabuf_size") == 2 * PS &&
	      json_object_get_boolean(jget(r, "revoked")));
	r = o ? find_by(jget(o, "areas"), "start", IOVA2) : NULL;
	CHECK(r && !strcmp(js(r, "pages"), "dmabuf") &&
	      ju(r, "dmabuf_offset") == 0 && ju(r, "dmabuf_size") == 4 * PS &&
	      !json_object_get_boolean(jget(r, "revoked")));
	json_object_put(root);
	free(s);
	CHECK(uiommufd_close(fd) == 0);
}

/* ---- the environment: child processes ---- */

static char tmpdir[] = "/tmp/uiommufd-dump-XXXXXX";

/* run this program with @mode and the given NULL-terminated env pairs;
 * @err_fd receives its stderr if >= 0. Returns the exit status. */
static int run_child(const char *mode, int err_fd, ...)
{
	const char *k, *v;
	va_list ap;
	pid_t pid;
	int status;

	pid = fork();
	if (pid == 0) {
		/* the children exit with their state live on purpose (that
		 * is what the exit dump is for): not a leak to report */
		char asan[512];
		const char *prev = getenv("ASAN_OPTIONS");

		snprintf(asan, sizeof(asan), "%s%sdetect_leaks=0",
			 prev ? prev : "", prev && *prev ? ":" : "");
		setenv("ASAN_OPTIONS", asan, 1);
		va_start(ap, err_fd);
		while ((k = va_arg(ap, const char *))) {
			v = va_arg(ap, const char *);
			setenv(k, v, 1);
		}
		va_end(ap);
		if (err_fd >= 0)
			dup2(err_fd, 2);
		execl("/proc/self/exe", "test_dump", mode, (char *)NULL);
		_exit(127);
	}
	CHECK(pid > 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = calloc(1, n + 1);
	if (fread(s, 1, n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	fclose(f);
	return s;
}

/* a parsed JSON dump with one context, or NULL */
static struct json_object *parse_dump(const char *path)
{
	char *s = read_file(path);
	struct json_object *root = s ? json_tokener_parse(s) : NULL;

	free(s);
	if (root && json_object_array_length(jget(root, "contexts")) != 1) {
		json_object_put(root);
		root = NULL;
	}
	return root;
}

/* child: build the state and exit with it live */
static int child_exit(void)
{
	struct state st;

	build_state(&st);
	return failures ? 1 : 0;
}

/* child: a context opened and closed; nothing is live at exit */
static int child_empty(void)
{
	int fd = uiommufd_open(0);

	return fd >= 0 && uiommufd_close(fd) == 0 ? 0 : 1;
}

/* child: a dump on SIGUSR1, then one area less at exit */
static int child_signal(void)
{
	const char *path = getenv("UIOMMUFD_DUMP_ON_EXIT");
	struct json_object *root = NULL;
	struct state st;
	int i;

	build_state(&st);
	raise(SIGUSR1);
	for (i = 0; i < 1000 && !root; i++) {
		root = parse_dump(path);
		if (!root)
			usleep(10000);
	}
	CHECK(root);
	if (root) {
		check_json_state(&st, json_object_array_get_idx(
					      jget(root, "contexts"), 0));
		json_object_put(root);
	}
	CHECK(unmap(st.fd, st.ioas1, IOVA1 + 2 * SZ_2M, PS) == 0);
	return failures ? 1 : 0;
}

static void test_env(void)
{
	char path[256], path2[256];
	struct json_object *root, *ctx, *o;
	int pipefd[2];
	char *s, err[65536];
	ssize_t n, total = 0;

	CHECK(mkdtemp(tmpdir) != NULL);

	/* JSON at exit, chosen by the file name */
	snprintf(path, sizeof(path), "%s/exit.json", tmpdir);
	CHECK(run_child("child-exit", -1, "UIOMMUFD_DUMP_ON_EXIT", path,
			NULL) == 0);
	root = parse_dump(path);
	CHECK(root);
	if (root) {
		ctx = json_object_array_get_idx(jget(root, "contexts"), 0);
		CHECK(json_object_array_length(jget(ctx, "objects")) == 9);
		o = find_obj(ctx, 1);
		CHECK(o && json_object_array_length(jget(o, "areas")) == 2);
		json_object_put(root);
	}
	unlink(path);

	/* text at exit, and UIOMMUFD_DUMP_FORMAT overriding the name */
	snprintf(path, sizeof(path), "%s/exit.txt", tmpdir);
	CHECK(run_child("child-exit", -1, "UIOMMUFD_DUMP_ON_EXIT", path,
			NULL) == 0);
	s = read_file(path);
	CHECK(s && has_prefix_line(s, "uiommufd state: pid ") &&
	      has_line(s, "    reserved 0x10000000..0x1000ffff owner test"));
	free(s);
	unlink(path);
	snprintf(path, sizeof(path), "%s/exit.out", tmpdir);
	CHECK(run_child("child-exit", -1, "UIOMMUFD_DUMP_ON_EXIT", path,
			"UIOMMUFD_DUMP_FORMAT", "json", NULL) == 0);
	root = parse_dump(path);
	CHECK(root);
	json_object_put(root);
	unlink(path);

	/* "-" is stderr */
	CHECK(pipe(pipefd) == 0);
	CHECK(run_child("child-exit", pipefd[1], "UIOMMUFD_DUMP_ON_EXIT", "-",
			NULL) == 0);
	close(pipefd[1]);
	while ((n = read(pipefd[0], err + total, sizeof(err) - 1 - total)) > 0)
		total += n;
	err[total] = 0;
	close(pipefd[0]);
	CHECK(has_prefix_line(err, "uiommufd state: pid "));
	CHECK(has_line(err, "    allowed 0x40000000..0x7fffffff"));

	/* no context at exit: no file */
	snprintf(path, sizeof(path), "%s/empty.txt", tmpdir);
	CHECK(run_child("child-empty", -1, "UIOMMUFD_DUMP_ON_EXIT", path,
			NULL) == 0);
	CHECK(access(path, F_OK) != 0);

	/* a dump on a signal (checked by the child), then the exit dump */
	snprintf(path2, sizeof(path2), "%s/signal.json", tmpdir);
	CHECK(run_child("child-signal", -1, "UIOMMUFD_DUMP_ON_EXIT", path2,
			"UIOMMUFD_DUMP_SIGNAL", "USR1", NULL) == 0);
	root = parse_dump(path2);
	CHECK(root);
	if (root) {
		ctx = json_object_array_get_idx(jget(root, "contexts"), 0);
		o = find_obj(ctx, 1);
		CHECK(o && json_object_array_length(jget(o, "areas")) == 1);
		json_object_put(root);
	}
	unlink(path2);
	rmdir(tmpdir);
}

/* ---- dumps racing ioctls ---- */

struct race {
	int fd;
	uint32_t ioas;
	struct uiommufd_dev *dev;
	char *buf;
	atomic_bool stop;
	int errors;
};

static void *race_map(void *arg)
{
	struct race *r = arg;
	unsigned int i;

	for (i = 0; !atomic_load(&r->stop); i++) {
		uint64_t iova = IOVA1 + (i % 8) * SZ_2M;

		if (map(r->fd, r->ioas, r->buf, SZ_2M, iova, RW) ||
		    unmap(r->fd, r->ioas, iova, SZ_2M))
			__atomic_fetch_add(&r->errors, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* an IOAS with an automatic domain, made and destroyed over and over: a
 * dump must never keep the domain (and so the IOAS) alive */
static void *race_attach(void *arg)
{
	struct race *r = arg;
	struct iommu_test_cmd tc;
	uint32_t ioas, pt;

	while (!atomic_load(&r->stop)) {
		if (ioas_alloc(r->fd, &ioas)) {
			__atomic_fetch_add(&r->errors, 1, __ATOMIC_RELAXED);
			continue;
		}
		pt = ioas;
		if (uiommufd_dev_attach(r->dev, UIOMMUFD_NO_PASID, &pt) ||
		    map(r->fd, ioas, r->buf, SZ_2M, IOVA1, RW) ||
		    uiommufd_dev_detach(r->dev, UIOMMUFD_NO_PASID))
			__atomic_fetch_add(&r->errors, 1, __ATOMIC_RELAXED);
		memset(&tc, 0, sizeof(tc));
		tc.op = IOMMU_TEST_OP_MOCK_DOMAIN;
		tc.id = ioas;
		if (test_cmd(r->fd, &tc) || destroy(r->fd, tc.mock_domain.out_stdev_id))
			__atomic_fetch_add(&r->errors, 1, __ATOMIC_RELAXED);
		if (destroy(r->fd, ioas)) {
			fprintf(stderr, "destroy ioas %u: %s\n", ioas,
				uiommufd_last_reason());
			__atomic_fetch_add(&r->errors, 1, __ATOMIC_RELAXED);
		}
	}
	return NULL;
}

static void test_race(void)
{
	struct uiommufd_dev_config cfg = { .model = "smmuv3", .rid = 0x20 };
	struct race r = {};
	pthread_t t[2];
	struct timespec start, now;
	unsigned int dumps = 0;
	uint32_t dev_id;
	int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	r.fd = uiommufd_open(0);
	r.buf = aligned_buffer(SZ_2M, SZ_2M);
	CHECK(ioas_alloc(r.fd, &r.ioas) == 0);
	CHECK(uiommufd_dev_create(&cfg, &r.dev) == 0);
	CHECK(uiommufd_dev_bind(r.dev, r.fd, &dev_id) == 0);
	CHECK(pthread_create(&t[0], NULL, race_map, &r) == 0);
	CHECK(pthread_create(&t[1], NULL, race_attach, &r) == 0);
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		CHECK(uiommufd_dump(r.fd, null_fd,
				    dumps & 1 ? UIOMMUFD_DUMP_JSON : 0) == 0);
		dumps++;
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - start.tv_sec < 2 || dumps < 50);
	atomic_store(&r.stop, true);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	CHECK(r.errors == 0);
	/* only the race's own IOAS and the device are left */
	{
		char *s = dump_to_string(r.fd, 0);

		CHECK(has_prefix_line(s, "context (fd %d): 2 objects", r.fd));
		free(s);
	}
	uiommufd_dev_destroy(r.dev);
	CHECK(uiommufd_close(r.fd) == 0);
	close(null_fd);
	printf("dump: %u dumps raced map/unmap and attach/detach/destroy\n",
	       dumps);
}

/* "show": print the dump of the known state (for people, not checked) */
static int child_show(bool json)
{
	struct state st;

	build_state(&st);
	return uiommufd_dump(st.fd, 1, json ? UIOMMUFD_DUMP_JSON : 0) ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "show"))
		return child_show(false);
	if (argc > 1 && !strcmp(argv[1], "show-json"))
		return child_show(true);
	if (argc > 1 && !strcmp(argv[1], "child-exit"))
		return child_exit();
	if (argc > 1 && !strcmp(argv[1], "child-empty"))
		return child_empty();
	if (argc > 1 && !strcmp(argv[1], "child-signal"))
		return child_signal();

	test_known_state();
	test_nesting_state();
	test_dmabuf_state();
	test_env();
	test_race();
	if (failures) {
		fprintf(stderr, "dump: %d of %d checks FAILED\n", failures,
			checks);
		return 1;
	}
	printf("dump: all %d checks passed\n", checks);
	return 0;
}
