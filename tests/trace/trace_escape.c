/* SPDX-License-Identifier: MIT */
/*
 * The trace's JSON string escaping, fed by check_trace.py: each argument
 * comes back as one JSON string literal per line, which the checker parses
 * and compares with the bytes it passed. Links the library's objects for
 * the hidden tr_json_escape().
 */
#include <stdio.h>

#include "front/trace_decode.h"

int main(int argc, char **argv)
{
	char buf[4096];
	int i;

	for (i = 1; i < argc; i++) {
		if (!tr_json_escape(buf, sizeof(buf), argv[i])) {
			printf("does not fit\n");
			return 1;
		}
		printf("%s\n", buf);
	}
	return 0;
}
