/* SPDX-License-Identifier: MIT */
/* Per-thread failure reason; see reason.h. */
#include <stdarg.h>
#include <stdio.h>

#include "util/export.h"
#include "util/reason.h"
#include "uiommufd/uiommufd.h"

#define REASON_LEN 256

/* initial-exec: no __tls_get_addr call on the hot path of every ioctl */
static __thread char reason_buf[REASON_LEN]
	__attribute__((tls_model("initial-exec")));

void uio_reason_clear(void)
{
	reason_buf[0] = '\0';
}

static void reason_vset(const char *fmt, va_list ap)
{
	vsnprintf(reason_buf, sizeof(reason_buf), fmt, ap);
}

int uio_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	reason_vset(fmt, ap);
	va_end(ap);
	return err;
}

int uio_fail_keep(int err, const char *fmt, ...)
{
	va_list ap;

	if (reason_buf[0])
		return err;
	va_start(ap, fmt);
	reason_vset(fmt, ap);
	va_end(ap);
	return err;
}

const char *uio_reason_get(void)
{
	return reason_buf;
}

UIOMMUFD_EXPORT const char *uiommufd_last_reason(void)
{
	return reason_buf;
}
