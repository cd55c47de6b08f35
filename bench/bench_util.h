/* SPDX-License-Identifier: MIT */
/*
 * bench_util: what every benchmark file shares: a monotonic clock in ns,
 * the median of a set of batch times, and reading and writing JSON figures.
 */
#ifndef UIOMMUFD_BENCH_UTIL_H
#define UIOMMUFD_BENCH_UTIL_H

#include <json-c/json.h>
#include <stdlib.h>
#include <time.h>

static inline double bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* the median of @n batch times (sorts @t) */
static inline double bench_median(double *t, int n)
{
	qsort(t, n, sizeof(*t), bench_cmp_double);
	return t[n / 2];
}

static inline void bench_add(json_object *out, const char *key, double v)
{
	json_object_object_add(out, key, json_object_new_double(v));
}

static inline double bench_get(json_object *out, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(out, key, &v) ?
		       json_object_get_double(v) :
		       0;
}

#endif
