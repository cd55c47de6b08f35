/* SPDX-License-Identifier: MIT */
/*
 * bench_domains: figures of the IOAS with attached domains, for
 * uiommufd-bench (see bench_domains.c for each key and its baseline).
 */
#ifndef UIOMMUFD_BENCH_DOMAINS_H
#define UIOMMUFD_BENCH_DOMAINS_H

#include <json-c/json.h>
#include <stdbool.h>

/* measure and add the keys to @out; @t_kernel is the no-op ioctl in ns */
int bench_domains(json_object *out, bool quick, double t_kernel);
void bench_domains_print(json_object *out);

#endif
