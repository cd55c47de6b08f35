/* SPDX-License-Identifier: MIT */
/*
 * Replays a fuzz corpus through a fuzz target without libFuzzer, so that
 * every ordinary test run re-checks the inputs found so far. Arguments are
 * files or directories of files. Exit 0 when all inputs ran.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data;
	long len;

	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	data = malloc(len ? len : 1);
	if (!data || fread(data, 1, len, f) != (size_t)len) {
		fclose(f);
		free(data);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	return 0;
}

int main(int argc, char **argv)
{
	int i, n = 0;

	for (i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *e;

		if (stat(argv[i], &st))
			return 1;
		if (!S_ISDIR(st.st_mode)) {
			if (run_file(argv[i]))
				return 1;
			n++;
			continue;
		}
		d = opendir(argv[i]);
		while ((e = readdir(d))) {
			char path[4096];

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i],
				 e->d_name);
			if (run_file(path))
				return 1;
			n++;
		}
		closedir(d);
	}
	printf("replayed %d inputs\n", n);
	return n ? 0 : 1;
}
