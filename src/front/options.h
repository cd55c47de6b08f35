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
 *   UIOMMUFD_STRICT=1            warn about answers that differ from the kernel
 *   UIOMMUFD_MEMLOCK=BYTES       the RLIMIT_MEMLOCK the engine charges pins to
 *   UIOMMUFD_DUMP_ON_EXIT=FILE   state dump at exit (read by core/dump.c)
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

#endif
