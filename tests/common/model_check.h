/* SPDX-License-Identifier: MIT */
/*
 * CHECK() for in-process tests that run the same checks per IOMMU model: a
 * failed condition is counted and printed with the model being run
 * (cur_model) and the library's reason for its last refusal.
 */
#ifndef UIOMMUFD_TESTS_MODEL_CHECK_H
#define UIOMMUFD_TESTS_MODEL_CHECK_H

#include <stdio.h>

#include "uiommufd/uiommufd.h"

static int failures, checks;
static const char *cur_model = "-";

#define CHECK(cond)                                                          \
	do {                                                                 \
		checks++;                                                    \
		if (!(cond)) {                                               \
			failures++;                                          \
			fprintf(stderr, "FAIL %s:%d [%s] %s (%s)\n", __FILE__, \
				__LINE__, cur_model, #cond,                  \
				uiommufd_last_reason());                     \
		}                                                            \
	} while (0)

#endif
