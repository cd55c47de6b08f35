/* SPDX-License-Identifier: MIT */
/*
 * The decoded trace: one line per call on an emulated fd, saying what the
 * program asked, what it got and, when it was refused, why.
 *
 *   [4242:4242] ioctl(3, IOMMU_IOAS_MAP, {size=40, flags=FIXED_IOVA|READABLE,
 *   ioas_id=1, user_va=0x7f3a1c000000, length=0x2000, iova=0x1000}) = -EINVAL
 *   (iova [0x1000, 0x2fff] overlaps reserved range [0x0, 0x1fff])
 *
 * (one line; or, with UIOMMUFD_TRACE_FORMAT=json, one JSON object per line
 * with the same content under fixed keys: pid, tid, call, fd, name, cmd,
 * arg, in, ret, errno, out, reason). What each ioctl's struct holds is
 * described by tables (trace_iommufd.c, trace_vfio.c); this file reads the
 * caller's struct before the call and again after it, prints the fields and
 * assembles and writes the line.
 *
 * Rules the trace keeps:
 * - It never dereferences a user pointer directly: every read goes through
 *   copy_from_user(), so a bad pointer prints as unreadable instead of
 *   crashing the program, and it reads only what the call itself reads (the
 *   struct up to the size the caller gave; the arrays it names, at most
 *   TR_ARRAY_MAX entries of them).
 * - The reason of a failure is the one the refusing check recorded
 *   (util/reason.h): the trace never guesses it from the errno.
 * - Output goes out with raw system calls (the preload shim interposes the
 *   libc write() of emulated fds), one writev() per call under a lock, so
 *   lines of concurrent threads never mix; a file is opened O_APPEND so that
 *   child processes (the environment is inherited) append to it as well.
 *   The trace fd is moved above the numbers programs usually get, so
 *   tracing does not change the fd numbers a program sees; if the program
 *   closes it anyway (closefrom() in a child), the next line notices that
 *   the number no longer names the same file and reopens the path.
 * - Tracing off costs the callers one branch on uio_trace_on.
 *
 * JSON is written by hand, into the same stack buffer as text, rather than
 * with json-c (which the library links for the state dump): the trace runs
 * inside every call, on any thread and in the child of a fork() of a
 * threaded program, and must not allocate there. json-c allocates a few
 * dozen blocks per line; under AddressSanitizer (whose allocator is not
 * fork-safe in GCC 12's runtime) that hung a forked child of
 * tests/abi/front_threads. What a line holds is flat and known (keys are
 * our own identifiers, values numbers or short strings), so the writer is
 * small: js_string() escapes quote, backslash, control characters and every
 * byte >= 0x7f as \u00XX (non-ASCII text is not expected; a stray byte
 * stays valid JSON), and every line is parsed back by tests/trace.
 *
 * UIOMMUFD_STRICT adds a warning line after a call whose answer is known
 * to differ from the kernel's: a refusal because a feature is not
 * implemented here yet (its reason says "not implemented" or "not served
 * yet"), or ENOTTY for an iommufd ioctl the kernel has and our dispatcher
 * lacks. With strict on and no trace asked for, only those warnings are
 * written, to stderr. In fatal mode (the default; "warn" only warns) the
 * program is then aborted: a test run under --strict cannot pass on an
 * answer the kernel would not have given.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/iommufd.h>

#include "front/options.h"
#include "front/trace.h"
#include "front/trace_decode.h"
#include "util/reason.h"
#include "util/uaccess.h"

/* in core/main.c: the name of an iommufd ioctl our dispatcher serves */
const char *iommufd_ioctl_name(unsigned long cmd);

#define TR_LINE_MAX 4096   /* a text line, truncated beyond */
#define TR_DEPTH 6         /* nesting of objects and arrays in a line */
#define TR_STRUCT_MAX 256  /* the largest struct decoded */
#define TR_REASON_MAX 256
#define TR_WARN_MAX 512    /* a strict warning line */
#define TR_FD_MIN 512      /* where the trace fd is moved to */

bool uio_trace_on;

static struct {
	enum uio_trace_format format;
	bool lines;	/* a line per call (else strict warnings only) */
	enum uio_strict strict;
	int fd;		/* -1: nowhere */
	char *path;	/* absolute, or NULL for stderr */
	dev_t dev;	/* what fd was when we opened it */
	ino_t ino;
	pthread_mutex_t lock; /* fd, dev, ino and every write */
} trace = {
	.fd = -1,
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

/* ---- the line being built ---- */

/*
 * One line in a stack buffer, in either format. Text items are
 * "key=value" separated by ", "; JSON items "\"key\":value" separated by
 * ",". In text the top level of the line (the call and its result) is
 * written by hand; in JSON it is itself an object, opened by line_begin().
 */
struct tr_emit {
	bool json;
	char *buf;
	size_t cap;	/* bytes at buf */
	size_t len;
	bool truncated;
	int depth;
	bool first[TR_DEPTH];
};

/* room kept at the end of the buffer for "...\n" or "}\n" */
#define TR_TAIL 5

static void tx_vprintf(struct tr_emit *e, const char *fmt, va_list ap)
{
	size_t room = e->cap - TR_TAIL - e->len;
	int n;

	if (e->truncated)
		return;
	n = vsnprintf(e->buf + e->len, room, fmt, ap);
	if (n < 0 || (size_t)n >= room) {
		e->truncated = true;
		e->len = e->cap - TR_TAIL;
		return;
	}
	e->len += n;
}

static void __printf(2, 3) tx_printf(struct tr_emit *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tx_vprintf(e, fmt, ap);
	va_end(ap);
}

static void tx_putc(struct tr_emit *e, char c)
{
	if (e->truncated)
		return;
	if (e->len >= e->cap - TR_TAIL - 1) {
		e->truncated = true;
		return;
	}
	e->buf[e->len++] = c;
}

/* a JSON string: quote, backslash, control and non-ASCII bytes escaped */
static void js_string(struct tr_emit *e, const char *s)
{
	tx_putc(e, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			tx_putc(e, '\\');
			tx_putc(e, (char)c);
		} else if (c < 0x20 || c >= 0x7f) {
			tx_printf(e, "\\u%04x", c);
		} else {
			tx_putc(e, (char)c);
		}
	}
	tx_putc(e, '"');
}

size_t tr_json_escape(char *buf, size_t size, const char *s)
{
	char line[TR_LINE_MAX];
	struct tr_emit e = { .json = true, .buf = line, .cap = sizeof(line) };

	js_string(&e, s);
	if (e.truncated || e.len >= size)
		return 0;
	memcpy(buf, line, e.len);
	buf[e.len] = '\0';
	return e.len;
}

/* the separator before an item of the current object or array, and its
 * key (none for an array element, or at the text line's top level) */
static void tr_item(struct tr_emit *e, const char *key)
{
	if (e->depth > 0 && !e->first[e->depth])
		tx_printf(e, e->json ? "," : ", ");
	e->first[e->depth] = false;
	if (!key)
		return;
	if (e->json) {
		js_string(e, key);
		tx_putc(e, ':');
	} else {
		tx_printf(e, "%s=", key);
	}
}

static void tr_push(struct tr_emit *e, const char *key, char open)
{
	tr_item(e, key);
	tx_putc(e, open);
	if (e->depth + 1 < TR_DEPTH)
		e->depth++;
	e->first[e->depth] = true;
}

static void tr_pop(struct tr_emit *e, char close)
{
	tx_putc(e, close);
	if (e->depth > 0)
		e->depth--;
}

void tr_obj_begin(struct tr_emit *e, const char *key)
{
	tr_push(e, key, '{');
}

void tr_obj_end(struct tr_emit *e)
{
	tr_pop(e, '}');
}

void tr_arr_begin(struct tr_emit *e, const char *key)
{
	tr_push(e, key, '[');
}

void tr_arr_end(struct tr_emit *e)
{
	tr_pop(e, ']');
}

const char *tr_sym_name(const struct tr_sym *syms, uint64_t v)
{
	for (; syms && syms->name; syms++)
		if (syms->value == v)
			return syms->name;
	return NULL;
}

/* "FIXED_IOVA|READABLE", unknown bits in hex, "0" for none */
static const char *fmt_flags(char *out, size_t size, uint64_t v,
			     const struct tr_sym *syms)
{
	size_t len = 0;

	out[0] = '\0';
	if (!v)
		return "0";
	for (; syms && syms->name; syms++) {
		if (!syms->value || (v & syms->value) != syms->value)
			continue;
		len += snprintf(out + len, size - len, "%s%s", len ? "|" : "",
				syms->name);
		if (len >= size)
			return out;
		v &= ~syms->value;
	}
	if (v)
		snprintf(out + len, size - len, "%s0x%llx", len ? "|" : "",
			 (unsigned long long)v);
	return out;
}

static const char *fmt_enum(char *out, size_t size, uint64_t v,
			    const struct tr_sym *syms)
{
	const char *name = tr_sym_name(syms, v);

	if (name)
		return name;
	snprintf(out, size, "%llu", (unsigned long long)v);
	return out;
}

/*
 * Numbers are JSON numbers (IOVAs and lengths too: a reader wants to
 * compute with them); pointers, flags and enums are strings.
 */
void tr_value(struct tr_emit *e, const char *key, uint64_t v,
	      enum tr_kind kind, const struct tr_sym *syms)
{
	char sym[256];

	tr_item(e, key);
	switch (kind) {
	case TK_DEC:
		tx_printf(e, "%llu", (unsigned long long)v);
		break;
	case TK_SDEC:
		tx_printf(e, "%lld", (long long)v);
		break;
	case TK_HEX:
		tx_printf(e, e->json ? "%llu" : "0x%llx",
			  (unsigned long long)v);
		break;
	case TK_PTR:
		tx_printf(e, e->json ? "\"0x%llx\"" : "0x%llx",
			  (unsigned long long)v);
		break;
	case TK_FLAGS:
	case TK_ENUM: {
		const char *str = kind == TK_FLAGS ?
					  fmt_flags(sym, sizeof(sym), v, syms) :
					  fmt_enum(sym, sizeof(sym), v, syms);

		if (e->json)
			js_string(e, str);
		else
			tx_printf(e, "%s", str);
		break;
	}
	}
}

void tr_bool(struct tr_emit *e, const char *key, bool v)
{
	tr_item(e, key);
	tx_printf(e, "%s", v ? "true" : "false");
}

/* a string, or JSON null for NULL */
static void tr_string(struct tr_emit *e, const char *key, const char *s)
{
	tr_item(e, key);
	if (e->json) {
		if (s)
			js_string(e, s);
		else
			tx_printf(e, "null");
	} else {
		tx_printf(e, "%s", s ? s : "?");
	}
}

static void tr_int(struct tr_emit *e, const char *key, long long v)
{
	tr_item(e, key);
	tx_printf(e, "%lld", v);
}

uint64_t tr_field_get(const void *cmd, const struct tr_field *f)
{
	const char *p = (const char *)cmd + f->offset;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	switch (f->size) {
	case 1:
		memcpy(&u8, p, 1);
		return f->kind == TK_SDEC ? (uint64_t)(int8_t)u8 : u8;
	case 2:
		memcpy(&u16, p, 2);
		return f->kind == TK_SDEC ? (uint64_t)(int16_t)u16 : u16;
	case 4:
		memcpy(&u32, p, 4);
		return f->kind == TK_SDEC ? (uint64_t)(int32_t)u32 : u32;
	default:
		memcpy(&u64, p, 8);
		return u64;
	}
}

bool tr_read_user(void *dst, uint64_t uptr, size_t n)
{
	return copy_from_user(dst, u64_to_user_ptr(uptr), n) == 0;
}

/* ---- where lines go ---- */

/* Open @path for appending, above TR_FD_MIN if the fd limit allows. */
static int sink_open(const char *path, dev_t *ret_dev, ino_t *ret_ino)
{
	struct stat st;
	int fd, high;

	fd = (int)syscall(SYS_openat, AT_FDCWD, path,
			  O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	high = (int)syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, TR_FD_MIN);
	if (high >= 0) {
		syscall(SYS_close, fd);
		fd = high;
	}
	if (fstat(fd, &st)) {
		int err = -errno;

		syscall(SYS_close, fd);
		return err;
	}
	*ret_dev = st.st_dev;
	*ret_ino = st.st_ino;
	return fd;
}

/* The fd to write to; reopens the file if the program closed our fd and
 * the number now names something else. Caller holds trace.lock. */
static int sink_fd_locked(void)
{
	struct stat st;
	int fd;

	if (!trace.path)
		return trace.fd;
	if (trace.fd >= 0 && !fstat(trace.fd, &st) &&
	    st.st_dev == trace.dev && st.st_ino == trace.ino)
		return trace.fd;
	/* not ours any more: leave that number alone, open a new one */
	fd = sink_open(trace.path, &trace.dev, &trace.ino);
	trace.fd = fd < 0 ? -1 : fd;
	return trace.fd;
}

static void sink_write(const char *a, size_t alen, const char *b, size_t blen)
{
	struct iovec iov[2] = {
		{ .iov_base = (void *)a, .iov_len = alen },
		{ .iov_base = (void *)b, .iov_len = blen },
	};
	struct iovec *v = iov;
	int nv = blen ? 2 : 1;
	int fd;

	pthread_mutex_lock(&trace.lock);
	fd = sink_fd_locked();
	while (fd >= 0 && nv > 0) {
		ssize_t n = syscall(SYS_writev, fd, v, nv);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		/* a short write: go on where it stopped */
		while (nv > 0 && (size_t)n >= v->iov_len) {
			n -= v->iov_len;
			v++;
			nv--;
		}
		if (nv > 0) {
			v->iov_base = (char *)v->iov_base + n;
			v->iov_len -= n;
		}
	}
	pthread_mutex_unlock(&trace.lock);
}

static void trace_atfork_prepare(void)
{
	pthread_mutex_lock(&trace.lock);
}

static void trace_atfork_release(void)
{
	pthread_mutex_unlock(&trace.lock);
}

/* ---- line assembly ---- */

static void line_begin(struct tr_emit *e, char *buf, size_t cap,
		       const char *call)
{
	int pid = getpid(), tid = gettid();

	memset(e, 0, sizeof(*e));
	e->json = trace.format == UIO_TRACE_JSON;
	e->buf = buf;
	e->cap = cap;
	if (e->json) {
		tr_obj_begin(e, NULL);
		tr_int(e, "pid", pid);
		tr_int(e, "tid", tid);
		if (call)
			tr_string(e, "call", call);
		return;
	}
	tx_printf(e, "[%d:%d] ", pid, tid);
	if (call)
		tx_printf(e, "%s(", call);
}

static const char *errno_name(long err, char *buf, size_t size)
{
	const char *name = strerrorname_np((int)err);

	if (name)
		return name;
	snprintf(buf, size, "E%ld", err);
	return buf;
}

/* " = 0", " = -EINVAL"; JSON: ret and errno */
static void line_result(struct tr_emit *e, long rc)
{
	char buf[24];

	if (e->json) {
		tr_int(e, "ret", rc);
		if (rc < 0)
			tr_string(e, "errno",
				  errno_name(-rc, buf, sizeof(buf)));
		return;
	}
	if (rc >= 0)
		tx_printf(e, " = %ld", rc);
	else
		tx_printf(e, " = -%s", errno_name(-rc, buf, sizeof(buf)));
}

/*
 * The reason the refusing check recorded. A failure without one is shown
 * as such (JSON null), so that a refusal point that forgot to say why is
 * visible rather than silent.
 */
static void line_reason(struct tr_emit *e, long rc, const char *reason)
{
	if (rc >= 0)
		return;
	if (e->json)
		tr_string(e, "reason", reason[0] ? reason : NULL);
	else
		tx_printf(e, " (%s)", reason[0] ? reason : "no reason recorded");
}

/* Close the line; returns its length. A JSON line that did not fit is
 * replaced by one that says so, so that every line stays valid JSON. */
static size_t line_finish(struct tr_emit *e)
{
	if (e->json) {
		while (e->depth > 0)
			tr_obj_end(e);
		if (e->truncated) {
			e->len = 0;
			e->truncated = false;
			tx_printf(e, "{\"pid\":%d,\"tid\":%d,\"truncated\":true}",
				  getpid(), gettid());
		}
	} else if (e->truncated) {
		memcpy(e->buf + e->len, "...", 3);
		e->len += 3;
	}
	e->buf[e->len++] = '\n';
	return e->len;
}

/* Write the line, and the strict warning @warn if any, with one call. */
static void line_end(struct tr_emit *e, const char *warn, size_t warn_len)
{
	size_t len = line_finish(e);

	sink_write(e->buf, len, warn, warn_len);
}

/* ---- strict mode ---- */

/* Why this answer is known to differ from the kernel's, or NULL. */
static const char *strict_note(unsigned long cmd, const struct tr_ioctl *d,
			       long rc, const char *reason)
{
	if (rc >= 0)
		return NULL;
	if (strstr(reason, "not implemented") ||
	    strstr(reason, "not served yet"))
		return "the kernel serves this call; uiommufd does not implement it yet";
	if (rc == -ENOTTY && d && d->arg == TA_EXT &&
	    _IOC_TYPE(cmd) == IOMMUFD_TYPE && !iommufd_ioctl_name(cmd))
		return "the kernel has this ioctl; uiommufd has no handler for it yet";
	return NULL;
}

/* Render the warning line for @note into @buf (TR_WARN_MAX bytes);
 * returns its length. */
static size_t strict_line(char *buf, const char *name, unsigned long cmd,
			  long rc, const char *note)
{
	struct tr_emit e;
	char cmdbuf[24], errbuf[24];

	line_begin(&e, buf, TR_WARN_MAX, NULL);
	snprintf(cmdbuf, sizeof(cmdbuf), "0x%lx", cmd);
	if (e.json) {
		tr_string(&e, "warning", "strict");
		tr_string(&e, "name", name);
		tr_string(&e, "cmd", cmdbuf);
		line_result(&e, rc);
		tr_string(&e, "note", note);
	} else {
		tx_printf(&e, "strict: %s = -%s: %s", name ? name : cmdbuf,
			  errno_name(-rc, errbuf, sizeof(errbuf)), note);
	}
	return line_finish(&e);
}

/* After a strict warning: in fatal mode, stop the program there. */
static void strict_stop(void)
{
	static const char msg[] =
		"uiommufd: --strict: aborting at this deviation from the "
		"kernel (UIOMMUFD_STRICT=warn only warns)\n";

	if (trace.strict != UIO_STRICT_FATAL)
		return;
	/* raw, as every write of ours (the shim owns write()); if it
	 * fails there is nothing better to do: the warning is written */
	(void)!syscall(SYS_write, 2, msg, sizeof(msg) - 1);
	abort();
}

/* ---- ioctl ---- */

/* by the 32 bits the kernel's ioctl() takes, as the dispatchers do */
static const struct tr_ioctl *find_ioctl(unsigned long request)
{
	unsigned int cmd = (unsigned int)request;
	size_t i;

	for (i = 0; i < tr_iommufd_nr; i++)
		if (tr_iommufd_ioctls[i].cmd == cmd)
			return &tr_iommufd_ioctls[i];
	for (i = 0; i < tr_vfio_nr; i++)
		if (tr_vfio_ioctls[i].cmd == cmd)
			return &tr_vfio_ioctls[i];
	return NULL;
}

/* What was decoded of the caller's struct before the call. */
struct tr_call {
	const struct tr_ioctl *d;
	const struct tr_field *fields;
	size_t nfields;
	union {
		uint8_t b[TR_STRUCT_MAX];
		uint64_t align;
	} in;
	size_t len;	/* bytes of the struct that were read */
	bool readable;	/* in.b holds len bytes of it */
};

static void emit_fields(struct tr_emit *e, const struct tr_call *c,
			const void *cmd, unsigned int dir)
{
	size_t i;

	for (i = 0; i < c->nfields; i++) {
		const struct tr_field *f = &c->fields[i];
		uint64_t v;

		if (!(f->dir & dir) || f->offset + f->size > c->len)
			continue;
		v = tr_field_get(cmd, f);
		/* reserved fields matter only when set */
		if (f->name[0] == '_' && f->name[1] == '_' && !v)
			continue;
		tr_value(e, f->name, v, f->kind, f->syms);
	}
}

static void text_or_json_ptr(struct tr_emit *e, const char *key, void *p)
{
	if (e->json)
		tr_value(e, key, (uintptr_t)p, TK_PTR, NULL);
	else
		tx_printf(e, ", 0x%lx", (unsigned long)(uintptr_t)p);
}

/* the argument as the caller passed it: ", {...}" in text, "in" in JSON */
static void decode_in(struct tr_emit *e, struct tr_call *c, void *arg)
{
	const struct tr_ioctl *d = c->d;
	uint32_t usize;
	size_t want;

	if (!d) {
		text_or_json_ptr(e, "arg", arg);
		return;
	}
	switch (d->arg) {
	case TA_NONE:
		return;
	case TA_VALUE: {
		char buf[32];
		const char *name = fmt_enum(buf, sizeof(buf), (uintptr_t)arg,
					    d->value_syms);

		if (e->json)
			tr_string(e, "arg", name);
		else
			tx_printf(e, ", %s", name);
		return;
	}
	case TA_PTR:
		text_or_json_ptr(e, "arg", arg);
		return;
	}

	if (e->json)
		tr_value(e, "arg", (uintptr_t)arg, TK_PTR, NULL);
	if (!tr_read_user(&usize, (uintptr_t)arg, sizeof(usize))) {
		if (e->json)
			tr_string(e, "in", NULL);
		else
			tx_printf(e, ", 0x%lx (unreadable)",
				  (unsigned long)(uintptr_t)arg);
		return;
	}
	want = usize < d->ksize ? usize : d->ksize;
	if (d->arg == TA_ARGSZ && want < d->min_size)
		want = d->min_size;
	if (want > sizeof(c->in.b))
		want = sizeof(c->in.b);
	memset(c->in.b, 0, sizeof(c->in.b));
	if (tr_read_user(c->in.b, (uintptr_t)arg, want)) {
		c->len = want;
	} else {
		/* the size was readable, the rest is not */
		memcpy(c->in.b, &usize, sizeof(usize));
		c->len = sizeof(usize);
	}
	c->readable = true;
	if (d->select) {
		c->fields = d->select(c->in.b, &c->nfields);
	} else {
		c->fields = d->fields;
		c->nfields = d->nfields;
	}

	if (!e->json)
		tx_printf(e, ", ");
	tr_obj_begin(e, e->json ? "in" : NULL);
	emit_fields(e, c, c->in.b, TD_IN);
	if (c->len < want)
		tr_bool(e, "unreadable", true);
	if (d->in_extra)
		d->in_extra(e, c->in.b, c->len);
	tr_obj_end(e);
}

/* what the call wrote back: " -> {...}" in text, "out" in JSON */
static void decode_out(struct tr_emit *e, struct tr_call *c, void *arg,
		       long rc)
{
	const struct tr_ioctl *d = c->d;
	union {
		uint8_t b[TR_STRUCT_MAX];
		uint64_t align;
	} out;
	bool any = false;
	size_t i;

	if (!d || !c->readable)
		return;
	if (rc < 0 && (!d->out_errno || -rc != d->out_errno))
		return;
	for (i = 0; i < c->nfields && !any; i++)
		any = (c->fields[i].dir & TD_OUT) &&
		      c->fields[i].offset + c->fields[i].size <= c->len;
	if (!any && !d->out_extra)
		return;
	memset(out.b, 0, sizeof(out.b));
	if (!tr_read_user(out.b, (uintptr_t)arg, c->len))
		return;
	if (!e->json)
		tx_printf(e, " -> ");
	tr_obj_begin(e, e->json ? "out" : NULL);
	emit_fields(e, c, out.b, TD_OUT);
	if (d->out_extra)
		d->out_extra(e, c->in.b, out.b, c->len);
	tr_obj_end(e);
}

long uio_trace_ioctl(int fd, unsigned long request, void *arg, uio_ioctl_fn fn)
{
	char text[TR_LINE_MAX], warn[TR_WARN_MAX], reason[TR_REASON_MAX];
	int saved_errno = errno;
	const char *note = NULL;
	struct tr_call c = { .d = find_ioctl(request) };
	size_t warn_len = 0;
	struct tr_emit e;
	long rc;

	if (!trace.lines) {
		rc = fn(fd, request, arg);
		note = strict_note(request, c.d, rc, uio_reason_get());
		if (note) {
			warn_len = strict_line(warn, c.d ? c.d->name : NULL,
					       request, rc, note);
			sink_write(warn, warn_len, NULL, 0);
			strict_stop();
		}
		errno = saved_errno;
		return rc;
	}

	uaccess_init();
	line_begin(&e, text, sizeof(text), "ioctl");
	if (e.json) {
		char cmd[24];

		snprintf(cmd, sizeof(cmd), "0x%lx", request);
		tr_int(&e, "fd", fd);
		tr_string(&e, "name", c.d ? c.d->name : NULL);
		tr_string(&e, "cmd", cmd);
	} else if (c.d) {
		tx_printf(&e, "%d, %s", fd, c.d->name);
		if (request != (unsigned int)request)
			tx_printf(&e, " (cmd 0x%lx)", request);
	} else {
		tx_printf(&e, "%d, _IOC(0x%x, 0x%x, 0x%x, 0x%x)", fd,
			  (unsigned int)_IOC_DIR(request),
			  (unsigned int)_IOC_TYPE(request),
			  (unsigned int)_IOC_NR(request),
			  (unsigned int)_IOC_SIZE(request));
	}
	decode_in(&e, &c, arg);
	if (!e.json)
		tx_printf(&e, ")");

	rc = fn(fd, request, arg);
	snprintf(reason, sizeof(reason), "%s", uio_reason_get());

	line_result(&e, rc);
	decode_out(&e, &c, arg, rc);
	line_reason(&e, rc, reason);
	if (trace.strict)
		note = strict_note(request, c.d, rc, reason);
	if (note)
		warn_len = strict_line(warn, c.d ? c.d->name : NULL, request,
				       rc, note);
	line_end(&e, warn, warn_len);
	if (note)
		strict_stop();
	errno = saved_errno;
	return rc;
}

/* ---- read, write, open, close ---- */

static ssize_t trace_rw(const char *call, int fd, const void *buf,
			size_t count, ssize_t rc)
{
	char text[TR_LINE_MAX], reason[TR_REASON_MAX];
	struct tr_emit e;

	snprintf(reason, sizeof(reason), "%s", uio_reason_get());
	line_begin(&e, text, sizeof(text), call);
	if (e.json) {
		tr_int(&e, "fd", fd);
		tr_value(&e, "buf", (uintptr_t)buf, TK_PTR, NULL);
		tr_value(&e, "count", count, TK_DEC, NULL);
	} else {
		tx_printf(&e, "%d, 0x%lx, %zu)", fd,
			  (unsigned long)(uintptr_t)buf, count);
	}
	line_result(&e, rc);
	line_reason(&e, rc, reason);
	line_end(&e, NULL, 0);
	return rc;
}

ssize_t uio_trace_read(int fd, void *buf, size_t count, uio_read_fn fn)
{
	int saved_errno = errno;
	ssize_t rc = fn(fd, buf, count);

	if (trace.lines)
		trace_rw("read", fd, buf, count, rc);
	errno = saved_errno;
	return rc;
}

ssize_t uio_trace_write(int fd, const void *buf, size_t count,
			uio_write_fn fn)
{
	int saved_errno = errno;
	ssize_t rc = fn(fd, buf, count);

	if (trace.lines)
		trace_rw("write", fd, buf, count, rc);
	errno = saved_errno;
	return rc;
}

static const struct tr_sym open_flags[] = {
	{ O_CLOEXEC, "O_CLOEXEC" },
	{ O_NONBLOCK, "O_NONBLOCK" },
	{ 0, NULL },
};

void uio_trace_open(int flags, int rc)
{
	char text[TR_LINE_MAX];
	int saved_errno = errno;
	struct tr_emit e;

	if (!trace.lines)
		return;
	line_begin(&e, text, sizeof(text), "open");
	if (e.json)
		tr_value(&e, "flags", (unsigned int)flags, TK_FLAGS,
			 open_flags);
	else {
		tr_value(&e, NULL, (unsigned int)flags, TK_FLAGS, open_flags);
		tx_printf(&e, ")");
	}
	line_result(&e, rc);
	line_end(&e, NULL, 0);
	errno = saved_errno;
}

void uio_trace_open_path(const char *path, int flags, int rc)
{
	char text[TR_LINE_MAX];
	int saved_errno = errno;
	struct tr_emit e;

	if (!trace.lines)
		return;
	line_begin(&e, text, sizeof(text), "open");
	if (e.json) {
		tr_string(&e, "path", path);
		tr_value(&e, "flags", (unsigned int)flags, TK_FLAGS,
			 open_flags);
	} else {
		/* only the engine's own node names come here: no escaping */
		tx_printf(&e, "\"%s\", ", path);
		tr_value(&e, NULL, (unsigned int)flags, TK_FLAGS, open_flags);
		tx_printf(&e, ")");
	}
	line_result(&e, rc);
	line_end(&e, NULL, 0);
	errno = saved_errno;
}

void uio_trace_close(int fd, int rc)
{
	char text[TR_LINE_MAX];
	int saved_errno = errno;
	struct tr_emit e;

	if (!trace.lines)
		return;
	line_begin(&e, text, sizeof(text), "close");
	if (e.json)
		tr_int(&e, "fd", fd);
	else
		tx_printf(&e, "%d)", fd);
	line_result(&e, rc);
	line_end(&e, NULL, 0);
	errno = saved_errno;
}

/* ---- set-up from the environment ---- */

static void trace_warn(const char *what, const char *value, const char *why)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "uiommufd: %s=%s: %s\n", what,
			 value, why);

	if (n > 0)
		syscall(SYS_write, 2, buf,
			(size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* @path made absolute, so a reopen after chdir() finds the same file */
static char *absolute_path(const char *path)
{
	char cwd[PATH_MAX], *abs;

	if (path[0] == '/')
		return strdup(path);
	if (!getcwd(cwd, sizeof(cwd)))
		return strdup(path);
	if (asprintf(&abs, "%s/%s", cwd, path) < 0)
		return NULL;
	return abs;
}

__attribute__((constructor)) static void trace_init_from_env(void)
{
	const char *file = getenv(UIOMMUFD_ENV_TRACE);
	const char *format = getenv(UIOMMUFD_ENV_TRACE_FORMAT);

	trace.strict = uio_env_strict(getenv(UIOMMUFD_ENV_STRICT));
	if (format && *format &&
	    uio_parse_trace_format(format, &trace.format)) {
		trace_warn(UIOMMUFD_ENV_TRACE_FORMAT, format,
			   "not text or json; using text");
		trace.format = UIO_TRACE_TEXT;
	}
	if (file && *file) {
		if (!strcmp(file, "-")) {
			trace.fd = 2;
			trace.lines = true;
		} else {
			trace.path = absolute_path(file);
			if (trace.path)
				trace.fd = sink_open(trace.path, &trace.dev,
						     &trace.ino);
			if (trace.fd < 0) {
				trace_warn(UIOMMUFD_ENV_TRACE, file,
					   trace.path ? strerror(-trace.fd) :
							"out of memory");
				free(trace.path);
				trace.path = NULL;
				trace.fd = -1;
			} else {
				trace.lines = true;
			}
		}
	}
	if (trace.strict && !trace.lines && trace.fd < 0)
		trace.fd = 2;
	if (!trace.lines && !trace.strict)
		return;
	pthread_atfork(trace_atfork_prepare, trace_atfork_release,
		       trace_atfork_release);
	uio_trace_on = true;
}
