/* SPDX-License-Identifier: MIT */
/*
 * What the trace knows about each ioctl, and how a decoder writes fields.
 *
 * An ioctl is described by a struct tr_ioctl: its name, how its argument is
 * passed (nothing, a plain value, an extensible struct whose first u32 is its
 * size, or a VFIO struct with argsz) and a table of the struct's fields, each
 * with its offset, width, how to print it (decimal, hex, pointer, flags or
 * enum with a symbol table) and whether it is input, output or both. The
 * trace core (trace.c) copies the caller's struct with copy_from_user(),
 * prints the input fields that lie inside the size the caller gave, makes
 * the call, copies the struct again and prints the output fields. Fields
 * whose name starts with "__" (reserved) are printed only when non-zero,
 * which is when they matter. A struct whose fields depend on its content
 * (IOMMU_TEST_CMD's union, by op) has a select() hook; arrays the ioctl
 * itself reads or writes (IOVA ranges) have in_extra()/out_extra() hooks,
 * which read at most TR_ARRAY_MAX entries, also through copy_from_user().
 *
 * Decoders write through the tr_*() emitters, which serve both formats: in
 * text "name=value" separated by ", " inside "{...}"; in JSON, members of
 * the current json-c object or array.
 */
#ifndef UIOMMUFD_FRONT_TRACE_DECODE_H
#define UIOMMUFD_FRONT_TRACE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/compiler.h"

/* entries of a user array printed at most */
#define TR_ARRAY_MAX 8

/* a value and its name; tables end with a NULL name */
struct tr_sym {
	uint64_t value;
	const char *name;
};

enum tr_kind {
	TK_DEC,   /* unsigned decimal: ids, counts, sizes */
	TK_SDEC,  /* signed decimal: fds */
	TK_HEX,   /* IOVAs, lengths: hex in text, a number in JSON */
	TK_PTR,   /* user pointers: hex in both (a string in JSON) */
	TK_FLAGS, /* bits named by syms, unknown bits in hex */
	TK_ENUM,  /* one value named by syms, else decimal */
};

enum tr_dir {
	TD_IN = 1,
	TD_OUT = 2,
	TD_INOUT = 3,
};

struct tr_field {
	const char *name;
	uint16_t offset;
	uint8_t size; /* 1, 2, 4 or 8 bytes */
	uint8_t kind; /* enum tr_kind */
	uint8_t dir;  /* enum tr_dir */
	const struct tr_sym *syms;
};

#define TR_FIELD(type, member, _kind, _dir, _syms)                       \
	{                                                                \
		.name = #member, .offset = offsetof(type, member),       \
		.size = sizeof(((type *)0)->member), .kind = _kind,      \
		.dir = _dir, .syms = _syms,                              \
	}
/* a union member of IOMMU_TEST_CMD, printed under its own name */
#define TR_FIELD_AS(type, member, _name, _kind, _dir, _syms)             \
	{                                                                \
		.name = _name, .offset = offsetof(type, member),         \
		.size = sizeof(((type *)0)->member), .kind = _kind,      \
		.dir = _dir, .syms = _syms,                              \
	}

enum tr_arg {
	TA_NONE,  /* no argument */
	TA_VALUE, /* the argument is a number (VFIO_CHECK_EXTENSION) */
	TA_PTR,   /* a pointer the trace does not follow */
	TA_EXT,   /* extensible struct: u32 size first, read min(size, ksize) */
	TA_ARGSZ, /* VFIO struct: u32 argsz first, the call reads min_size */
};

struct tr_emit;

struct tr_ioctl {
	unsigned long cmd;
	const char *name;
	uint8_t arg;       /* enum tr_arg */
	uint16_t ksize;    /* sizeof the struct we know */
	uint16_t min_size; /* TA_EXT: smallest size accepted; TA_ARGSZ: what
			    * the call reads */
	const struct tr_field *fields;
	uint16_t nfields;
	/* TA_VALUE: names of the value */
	const struct tr_sym *value_syms;
	/* the fields of this struct (zero-extended to ksize), if they depend
	 * on its content; NULL for the static table */
	const struct tr_field *(*select)(const void *cmd, size_t *ret_n);
	/* arrays the call reads (in) or wrote (out); @len is how much of
	 * the struct the caller passed */
	void (*in_extra)(struct tr_emit *e, const void *cmd, size_t len);
	void (*out_extra)(struct tr_emit *e, const void *in, const void *out,
			  size_t len);
	/* outputs are meaningful after this error too (EMSGSIZE) */
	int out_errno;
};

#define TR_FIELDS(a) .fields = a, .nfields = ARRAY_SIZE(a)

/* the ioctl tables: trace_iommufd.c, trace_vfio.c */
extern const struct tr_ioctl tr_iommufd_ioctls[];
extern const size_t tr_iommufd_nr;
extern const struct tr_ioctl tr_vfio_ioctls[];
extern const size_t tr_vfio_nr;

/* ---- emitters ---- */
void tr_obj_begin(struct tr_emit *e, const char *key);
void tr_obj_end(struct tr_emit *e);
void tr_arr_begin(struct tr_emit *e, const char *key);
void tr_arr_end(struct tr_emit *e);
void tr_value(struct tr_emit *e, const char *key, uint64_t v,
	      enum tr_kind kind, const struct tr_sym *syms);
void tr_bool(struct tr_emit *e, const char *key, bool v);

/* name of @v in @syms, or NULL */
const char *tr_sym_name(const struct tr_sym *syms, uint64_t v);

/* read a field's value out of a struct copy */
uint64_t tr_field_get(const void *cmd, const struct tr_field *f);

/* @s as a JSON string literal, quotes included, in @buf (tests/trace);
 * returns its length, 0 if it does not fit */
size_t tr_json_escape(char *buf, size_t size, const char *s);

/* copy @n user bytes; false if they cannot be read */
bool tr_read_user(void *dst, uint64_t uptr, size_t n);

#endif
