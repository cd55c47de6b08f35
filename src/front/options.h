/* SPDX-License-Identifier: MIT */
/*
 * The environment variables that configure the library at load time, and
 * the parsers of their values. uiommufd-run turns its options into these
 * variables and checks the values with the same parsers the library uses,
 * so an option the wrapper accepts is one the library understands. The
 * wrapper links nothing of the library, hence static inline functions.
 *
 *   UIOMMUFD_FAIL_NTH=N          fault injection (util/fault_inject.c)
 *   UIOMMUFD_TRACE=FILE|-        decoded trace, appended to FILE ("-": stderr)
 *   UIOMMUFD_TRACE_FORMAT=text|json
 *   UIOMMUFD_STRICT=fatal|warn   stop at (or only warn about) an answer that
 *                                differs from the kernel's
 *   UIOMMUFD_MEMLOCK=BYTES       the RLIMIT_MEMLOCK the engine charges pins to
 *   UIOMMUFD_DUMP_ON_EXIT=FILE   state dump at exit (read by core/dump.c)
 *   UIOMMUFD_IOMMU=MODEL         the IOMMU model of VFIO devices that name none
 *   UIOMMUFD_VFIO_DEVS=SPEC;...  the VFIO device cdevs /dev/vfio/devices/vfioN,
 *                                N counting from 0 in this order
 *                                (front/vfio_cdev.c)
 *   UIOMMUFD_KERNEL=X.Y|latest   the kernel release whose uAPI to follow
 *                                (core/kernel_compat.c)
 */
#ifndef UIOMMUFD_FRONT_OPTIONS_H
#define UIOMMUFD_FRONT_OPTIONS_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define UIOMMUFD_ENV_FAIL_NTH "UIOMMUFD_FAIL_NTH"
#define UIOMMUFD_ENV_TRACE "UIOMMUFD_TRACE"
#define UIOMMUFD_ENV_TRACE_FORMAT "UIOMMUFD_TRACE_FORMAT"
#define UIOMMUFD_ENV_STRICT "UIOMMUFD_STRICT"
#define UIOMMUFD_ENV_MEMLOCK "UIOMMUFD_MEMLOCK"
#define UIOMMUFD_ENV_DUMP_ON_EXIT "UIOMMUFD_DUMP_ON_EXIT"
#define UIOMMUFD_ENV_IOMMU "UIOMMUFD_IOMMU"
#define UIOMMUFD_ENV_VFIO_DEVS "UIOMMUFD_VFIO_DEVS"
#define UIOMMUFD_ENV_KERNEL "UIOMMUFD_KERNEL"

/* UIOMMUFD_MEMLOCK=unlimited */
#define UIOMMUFD_MEMLOCK_UNLIMITED UINT64_MAX

enum uio_trace_format {
	UIO_TRACE_TEXT,
	UIO_TRACE_JSON,
};

/* "text" or "json" (any case is not accepted: the names are the API) */
static inline int uio_parse_trace_format(const char *s,
					 enum uio_trace_format *ret)
{
	if (!strcmp(s, "text")) {
		*ret = UIO_TRACE_TEXT;
		return 0;
	}
	if (!strcmp(s, "json")) {
		*ret = UIO_TRACE_JSON;
		return 0;
	}
	return -EINVAL;
}

/*
 * A byte count: decimal (or 0x hex) with an optional binary suffix K, M, G
 * or T (KiB...), or "unlimited" (UIOMMUFD_MEMLOCK_UNLIMITED).
 */
static inline int uio_parse_bytes(const char *s, uint64_t *ret)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!strcmp(s, "unlimited") || !strcmp(s, "infinity")) {
		*ret = UIOMMUFD_MEMLOCK_UNLIMITED;
		return 0;
	}
	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	}
	if (*end)
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	v <<= shift;
	/* UINT64_MAX bytes is "unlimited" anyway */
	*ret = v;
	return 0;
}

/* UIOMMUFD_STRICT: unset, "" and "0" are off, anything else on */
static inline bool uio_env_flag(const char *s)
{
	return s && *s && strcmp(s, "0") != 0;
}

/* what strict mode does at an answer known to differ from the kernel's */
enum uio_strict {
	UIO_STRICT_OFF,
	UIO_STRICT_WARN,  /* a warning line; the program goes on */
	UIO_STRICT_FATAL, /* the warning, then the program is aborted */
};

/* the wrapper's --strict=warn|fatal */
static inline int uio_parse_strict(const char *s, enum uio_strict *ret)
{
	if (!strcmp(s, "warn")) {
		*ret = UIO_STRICT_WARN;
		return 0;
	}
	if (!strcmp(s, "fatal")) {
		*ret = UIO_STRICT_FATAL;
		return 0;
	}
	return -EINVAL;
}

/* UIOMMUFD_STRICT: off as uio_env_flag() says, "warn", else fatal */
static inline enum uio_strict uio_env_strict(const char *s)
{
	enum uio_strict mode;

	if (!uio_env_flag(s))
		return UIO_STRICT_OFF;
	if (!uio_parse_strict(s, &mode))
		return mode;
	return UIO_STRICT_FATAL;
}

/* ---- UIOMMUFD_KERNEL: the kernel release to behave as ---- */

/* a release as one number: 6.8 is 0x608 */
#define UIO_KVER(major, minor) ((major) << 8 | (minor))
/* the newest behaviour: everything uiommufd serves */
#define UIO_KVER_LATEST 0u
/* iommufd first appeared in 6.2: nothing older can be followed */
#define UIO_KVER_FIRST UIO_KVER(6, 2)

/*
 * "latest", or a release "MAJOR.MINOR" (a third ".PATCH" part is accepted
 * and ignored: stable updates do not change the uAPI) not older than 6.2.
 */
static inline int uio_parse_kernel_version(const char *s, unsigned int *ret)
{
	unsigned long major, minor;
	char *end;

	if (!strcmp(s, "latest")) {
		*ret = UIO_KVER_LATEST;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	major = strtoul(s, &end, 10);
	if (errno || *end != '.' || end[1] < '0' || end[1] > '9')
		return -EINVAL;
	minor = strtoul(end + 1, &end, 10);
	if (errno || major > 255 || minor > 255)
		return -EINVAL;
	if (*end == '.') {
		if (end[1] < '0' || end[1] > '9')
			return -EINVAL;
		strtoul(end + 1, &end, 10);
		if (errno)
			return -EINVAL;
	}
	if (*end || UIO_KVER(major, minor) < UIO_KVER_FIRST)
		return -EINVAL;
	*ret = UIO_KVER(major, minor);
	return 0;
}

/* ---- VFIO devices: UIOMMUFD_IOMMU and UIOMMUFD_VFIO_DEVS ---- */

/* the IOMMU models (src/hw), by the names uio_hw_model_find() knows */
static const char *const uio_iommu_models[] = { "vtd", "smmuv3", "amd",
						"mock" };
#define UIO_IOMMU_DEFAULT "vtd"
/* a limit on what the environment can make the library allocate */
#define UIO_VFIO_DEVS_MAX 64
#define UIO_VFIO_PASID_BITS_MAX 20
#define UIO_VFIO_UNIT_MAX 255

/*
 * The IOMMU address widths (aw=BITS) a model can be built with: the same
 * lists its hardware model accepts (hw/: vtd.c, smmuv3.c, amd.c; the mock's
 * width is the selftest's, so it takes none). tests/hw checks that the two
 * agree. 0 ends a list.
 */
static const struct {
	const char *model;
	unsigned char aw[8];
} uio_iommu_aws[] = {
	{ "vtd", { 39, 48, 57 } },
	{ "smmuv3", { 32, 36, 40, 42, 44, 48 } },
	{ "amd", { 48, 57 } },
	{ "mock", { 0 } },
};
#define UIO_VFIO_AW_MAX 64

/*
 * May a device of @model (NULL: a model not named yet, so any model's
 * width) have address width @aw? 0, the model's default, always may.
 */
static inline bool uio_iommu_aw_ok(const char *model, unsigned int aw)
{
	size_t i, j;

	if (!aw)
		return true;
	for (i = 0; i < sizeof(uio_iommu_aws) / sizeof(uio_iommu_aws[0]); i++) {
		if (model && strcmp(model, uio_iommu_aws[i].model))
			continue;
		for (j = 0; j < sizeof(uio_iommu_aws[i].aw) &&
			    uio_iommu_aws[i].aw[j];
		     j++)
			if (uio_iommu_aws[i].aw[j] == aw)
				return true;
	}
	return false;
}

/* the model named by the @len characters at @s, or NULL */
static inline const char *uio_iommu_model_name(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(uio_iommu_models) / sizeof(uio_iommu_models[0]);
	     i++)
		if (strlen(uio_iommu_models[i]) == len &&
		    !strncmp(uio_iommu_models[i], s, len))
			return uio_iommu_models[i];
	return NULL;
}

/*
 * One VFIO device: [MODEL][,rid=N][,pasid=BITS][,unit=N][,aw=BITS][,pri]
 * [,ats][,no-dirty]. MODEL left out, or "default": UIOMMUFD_IOMMU's (model
 * NULL; an empty SPEC is written "default" in UIOMMUFD_VFIO_DEVS, where an
 * empty value means no device). rid defaults to a
 * distinct PCI function per device (00:0N.0 for the N-th, counting from 1).
 * aw must be one of the named model's widths (uio_iommu_aws), or of some
 * model's when none is named; 0 or left out is the model's default.
 */
struct uio_vfio_dev_spec {
	const char *model;
	uint32_t rid;
	bool have_rid;
	unsigned int pasid_bits;
	unsigned int unit;
	unsigned int aw;
	bool pri, ats, no_dirty;
};

/* an unsigned number filling the @len characters at @s, at most @max */
static inline int uio_parse_uint(const char *s, size_t len, uint64_t max,
				 uint64_t *ret)
{
	char buf[24], *end;
	unsigned long long v;

	if (!len || len >= sizeof(buf) || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtoull(buf, &end, 0);
	if (errno || *end || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* the @len characters at @s: one device's SPEC */
static inline int uio_parse_vfio_dev(const char *s, size_t len,
				     struct uio_vfio_dev_spec *ret)
{
	struct uio_vfio_dev_spec spec = { 0 };
	const char *end = s + len;
	bool first = true;

	while (s <= end) {
		const char *comma = memchr(s, ',', (size_t)(end - s));
		size_t n = (comma ? comma : end) - s;
		const char *eq = memchr(s, '=', n);
		uint64_t v;

		if (eq) {
			size_t klen = (size_t)(eq - s), vlen = n - klen - 1;

			if (klen == 3 && !strncmp(s, "rid", 3)) {
				if (uio_parse_uint(eq + 1, vlen, UINT32_MAX, &v))
					return -EINVAL;
				spec.rid = (uint32_t)v;
				spec.have_rid = true;
			} else if (klen == 5 && !strncmp(s, "pasid", 5)) {
				if (uio_parse_uint(eq + 1, vlen,
						   UIO_VFIO_PASID_BITS_MAX, &v))
					return -EINVAL;
				spec.pasid_bits = (unsigned int)v;
			} else if (klen == 4 && !strncmp(s, "unit", 4)) {
				if (uio_parse_uint(eq + 1, vlen,
						   UIO_VFIO_UNIT_MAX, &v))
					return -EINVAL;
				spec.unit = (unsigned int)v;
			} else if (klen == 2 && !strncmp(s, "aw", 2)) {
				if (uio_parse_uint(eq + 1, vlen,
						   UIO_VFIO_AW_MAX, &v))
					return -EINVAL;
				spec.aw = (unsigned int)v;
			} else {
				return -EINVAL;
			}
		} else if (n == 3 && !strncmp(s, "pri", 3)) {
			spec.pri = true;
		} else if (n == 3 && !strncmp(s, "ats", 3)) {
			spec.ats = true;
		} else if (n == 8 && !strncmp(s, "no-dirty", 8)) {
			spec.no_dirty = true;
		} else if (first && uio_iommu_model_name(s, n)) {
			spec.model = uio_iommu_model_name(s, n);
		} else if (!(first && (n == 0 || (n == 7 &&
						   !strncmp(s, "default", 7))))) {
			/* an empty first item, or "default": the default
			 * model */
			return -EINVAL;
		}
		first = false;
		if (!comma)
			break;
		s = comma + 1;
	}
	/* the model may come first or not at all: check aw once it is known */
	if (!uio_iommu_aw_ok(spec.model, spec.aw))
		return -EINVAL;
	*ret = spec;
	return 0;
}

/*
 * UIOMMUFD_VFIO_DEVS: SPECs separated by ';'. Calls @fn(@opaque, index,
 * spec) for each, in order, and stops at its first non-zero return; -EINVAL
 * for a bad SPEC, -E2BIG past UIO_VFIO_DEVS_MAX devices.
 */
static inline int uio_parse_vfio_devs(const char *s,
				      int (*fn)(void *opaque,
						unsigned int index,
						const struct uio_vfio_dev_spec *spec),
				      void *opaque)
{
	unsigned int index = 0;
	int rc;

	if (!*s)
		return 0;
	for (;;) {
		const char *semi = strchr(s, ';');
		size_t n = semi ? (size_t)(semi - s) : strlen(s);
		struct uio_vfio_dev_spec spec;

		if (index == UIO_VFIO_DEVS_MAX)
			return -E2BIG;
		if (uio_parse_vfio_dev(s, n, &spec))
			return -EINVAL;
		if (fn) {
			rc = fn(opaque, index, &spec);
			if (rc)
				return rc;
		}
		index++;
		if (!semi)
			return 0;
		s = semi + 1;
	}
}

#endif
