/* SPDX-License-Identifier: MIT */
/*
 * uiommufd-run: run a program with /dev/iommu (and /dev/vfio/vfio, and the
 * VFIO device cdevs of --vfio-dev) served by uiommufd.
 *
 *   uiommufd-run [options] -- PROGRAM [ARGS...]
 *
 * It puts libuiommufd-preload.so into LD_PRELOAD and executes PROGRAM in its
 * own place (same pid, so a test harness sees the program's exit status). The
 * shim is looked for next to this executable first (build/uiommufd-run beside
 * build/libuiommufd-preload.so, so a build tree runs without installing),
 * then in the install directory UIOMMUFD_LIBDIR given at build time.
 *
 * A sanitizer runtime must be the first object loaded, so sanitizer entries
 * already in LD_PRELOAD stay in front of the shim; when this program itself
 * was built with AddressSanitizer (a sanitizer build of the whole tree, whose
 * shim needs the runtime), the runtime it was linked with is put first.
 * Every option that configures the engine is turned into an environment
 * variable the library reads when it loads (front/options.h), so the
 * variables work without the wrapper too (in-process users, or
 * LD_PRELOAD set by hand) and are inherited by PROGRAM's children. Values
 * are checked here, with the library's own parsers, so a typo fails before
 * PROGRAM starts rather than being ignored inside it.
 *
 * Exit status: PROGRAM's, or 127 if it cannot be executed, 2 on bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <link.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "front/options.h"

#ifndef UIOMMUFD_LIBDIR
#define UIOMMUFD_LIBDIR "/usr/local/lib/x86_64-linux-gnu"
#endif
#ifndef UIOMMUFD_VERSION
#define UIOMMUFD_VERSION "0.1.0"
#endif

#if defined(__SANITIZE_ADDRESS__)
#define RUN_WITH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RUN_WITH_ASAN 1
#endif
#endif

#define SHIM_NAME "libuiommufd-preload.so"
#define EXIT_USAGE 2
#define EXIT_NOEXEC 127

static const char prog[] = "uiommufd-run";

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [options] -- PROGRAM [ARGS...]\n"
		"       %s PROGRAM [ARGS...]\n"
		"\n"
		"Run PROGRAM with /dev/iommu served in user space by uiommufd\n"
		"(through the LD_PRELOAD shim " SHIM_NAME ").\n"
		"\n"
		"Options (each engine option sets the environment variable shown,\n"
		"which works without this wrapper too):\n"
		"  -h, --help        show this help and exit\n"
		"  -V, --version     show the version and exit\n"
		"      --trace[=FILE]\n"
		"                    one decoded line per call on an emulated fd\n"
		"                    (open, close, read, write, every ioctl with\n"
		"                    its fields, result and, on failure, the\n"
		"                    reason); FILE is truncated here, then\n"
		"                    appended to by PROGRAM and its children;\n"
		"                    without FILE, or with -, to stderr\n"
		"                    [UIOMMUFD_TRACE=FILE|-]\n"
		"      --trace-format=text|json\n"
		"                    text (default) or one JSON object per line\n"
		"                    [UIOMMUFD_TRACE_FORMAT]\n"
		"      --strict[=fatal|warn]\n"
		"                    at the first answer known to differ from the\n"
		"                    kernel's (a call refused because uiommufd does\n"
		"                    not implement it yet), write a warning line to\n"
		"                    the trace, or to stderr without --trace, and\n"
		"                    abort PROGRAM (fatal, the default); with warn,\n"
		"                    warn at each and go on [UIOMMUFD_STRICT]\n"
		"      --memlock=BYTES\n"
		"                    the RLIMIT_MEMLOCK the engine charges pinned\n"
		"                    pages to, as for a process without\n"
		"                    CAP_IPC_LOCK; K, M, G, T suffixes (KiB...) or\n"
		"                    'unlimited' [UIOMMUFD_MEMLOCK]\n"
		"      --dump-on-exit[=FILE]\n"
		"                    write the engine's state (objects, mappings,\n"
		"                    domains) when PROGRAM exits; without FILE, or\n"
		"                    with -, to stderr [UIOMMUFD_DUMP_ON_EXIT]\n"
		"      --fail-nth=N  fault injection: the N-th failure point\n"
		"                    reached fails as if out of memory; 0 disarms\n"
		"                    [UIOMMUFD_FAIL_NTH=N]\n"
		"      --iommu=vtd|smmuv3|amd|mock\n"
		"                    the IOMMU model of each --vfio-dev that\n"
		"                    names none (default vtd) [UIOMMUFD_IOMMU]\n"
		"      --kernel=X.Y|latest\n"
		"                    behave as Linux X.Y (>= 6.2) where the\n"
		"                    uAPI grew since: later ioctls are ENOTTY,\n"
		"                    later flags and data types refused, grown\n"
		"                    structs copied at their old size\n"
		"                    [UIOMMUFD_KERNEL]\n"
		"      --vfio-dev[=[MODEL][,rid=N][,pasid=BITS][,unit=N][,aw=BITS][,pri][,ats][,no-dirty]]\n"
		"                    one more emulated VFIO device, served as\n"
		"                    /dev/vfio/devices/vfioN (N counts from 0 in\n"
		"                    the order given); repeatable, at most %d;\n"
		"                    aw: the IOMMU's address width (vtd 39, 48,\n"
		"                    57; smmuv3 32, 36, 40, 42, 44, 48; amd 48,\n"
		"                    57; default 48; none for mock)\n"
		"                    [UIOMMUFD_VFIO_DEVS=SPEC;SPEC...]\n"
		"      --preload=PATH\n"
		"                    use this shim instead of the one next to\n"
		"                    %s or in " UIOMMUFD_LIBDIR "\n"
		"                    [it goes into LD_PRELOAD]\n"
		"  -v, --verbose     print the environment set and the command\n"
		"                    before running it (wrapper only)\n"
		"\n"
		"Exit status: PROGRAM's; 127 if it cannot be run; 2 on bad usage.\n",
		prog, prog, UIO_VFIO_DEVS_MAX, prog);
}

static __attribute__((noreturn)) void bad_usage(const char *msg)
{
	if (msg)
		fprintf(stderr, "%s: %s\n", prog, msg);
	fprintf(stderr, "Try '%s --help'.\n", prog);
	exit(EXIT_USAGE);
}

static bool readable(const char *path)
{
	return access(path, R_OK) == 0;
}

/* The shim beside our own executable, else in UIOMMUFD_LIBDIR; NULL if
 * neither is there. Returns allocated memory. */
static char *find_shim(void)
{
	char self[PATH_MAX], *path;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = '\0';
		if (asprintf(&path, "%s/" SHIM_NAME, dirname(self)) < 0)
			return NULL;
		if (readable(path))
			return path;
		free(path);
	}
	if (readable(UIOMMUFD_LIBDIR "/" SHIM_NAME))
		return strdup(UIOMMUFD_LIBDIR "/" SHIM_NAME);
	return NULL;
}

/* the runtimes that insist on being loaded before anything else */
static bool is_sanitizer_runtime(const char *entry)
{
	static const char *const names[] = {
		"libasan", "libhwasan", "libtsan", "liblsan",
		"libubsan", "libmsan", "clang_rt.",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strstr(entry, names[i]))
			return true;
	return false;
}

static bool is_shim(const char *entry)
{
	const char *base = strrchr(entry, '/');

	return strcmp(base ? base + 1 : entry, SHIM_NAME) == 0;
}

#ifdef RUN_WITH_ASAN
static int find_asan_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	const char **found = data;

	if (info->dlpi_name && (strstr(info->dlpi_name, "libasan") ||
				strstr(info->dlpi_name, "clang_rt.asan"))) {
		*found = info->dlpi_name;
		return 1;
	}
	return 0;
}
#endif

/* The AddressSanitizer runtime this program was linked with, if shared. */
static const char *own_asan_runtime(void)
{
	const char *found = NULL;

#ifdef RUN_WITH_ASAN
	dl_iterate_phdr(find_asan_cb, &found);
#endif
	return found;
}

static void append(char *buf, size_t *len, const char *entry)
{
	size_t n = strlen(entry);

	if (*len)
		buf[(*len)++] = ':';
	memcpy(buf + *len, entry, n);
	*len += n;
	buf[*len] = '\0';
}

/*
 * The new LD_PRELOAD: sanitizer runtimes (already listed, or our own), the
 * shim, then the rest of the old list. An older copy of the shim is dropped.
 */
static char *build_preload(const char *shim, const char *old)
{
	const char *asan = own_asan_runtime();
	size_t cap = strlen(shim) + (old ? strlen(old) : 0) +
		     (asan ? strlen(asan) : 0) + 4;
	char *buf = malloc(cap), *copy, *entry, *save;
	bool have_asan = false;
	size_t len = 0;
	int pass;

	if (!buf)
		return NULL;
	buf[0] = '\0';
	/* pass 0: sanitizer runtimes; pass 1: everything else */
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			if (asan && !have_asan)
				append(buf, &len, asan);
			append(buf, &len, shim);
		}
		if (!old)
			continue;
		copy = strdup(old);
		if (!copy) {
			free(buf);
			return NULL;
		}
		for (entry = strtok_r(copy, ": \t", &save); entry;
		     entry = strtok_r(NULL, ": \t", &save)) {
			bool san = is_sanitizer_runtime(entry);

			if (san != (pass == 0) || is_shim(entry))
				continue;
			if (san && asan && !strcmp(entry, asan))
				have_asan = true;
			append(buf, &len, entry);
		}
		free(copy);
	}
	return buf;
}

static void set_env(const char *name, const char *value, bool verbose)
{
	if (setenv(name, value, 1)) {
		fprintf(stderr, "%s: cannot set %s: %s\n", prog, name,
			strerror(errno));
		exit(EXIT_NOEXEC);
	}
	if (verbose)
		fprintf(stderr, "%s: %s=%s\n", prog, name, value);
}

/*
 * --trace=FILE: start FILE empty. The library appends (so that PROGRAM's
 * children add to it rather than truncate it), hence the truncation here,
 * once per run. Failing here also reports an unwritable FILE before
 * PROGRAM runs.
 */
static void truncate_trace(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0) {
		fprintf(stderr, "%s: --trace=%s: %s\n", prog, path,
			strerror(errno));
		exit(EXIT_USAGE);
	}
	close(fd);
}

enum {
	OPT_FAIL_NTH = 256,
	OPT_PRELOAD,
	OPT_TRACE,
	OPT_TRACE_FORMAT,
	OPT_STRICT,
	OPT_MEMLOCK,
	OPT_DUMP_ON_EXIT,
	OPT_IOMMU,
	OPT_VFIO_DEV,
	OPT_KERNEL,
};

/* --vfio-dev values joined by ';' (UIOMMUFD_VFIO_DEVS) */
static char *vfio_devs;
static unsigned int nr_vfio_devs;

static void add_vfio_dev(const char *spec)
{
	struct uio_vfio_dev_spec parsed;
	size_t old = vfio_devs ? strlen(vfio_devs) : 0;
	char *grown;

	if (strchr(spec, ';') ||
	    uio_parse_vfio_dev(spec, strlen(spec), &parsed))
		bad_usage("--vfio-dev is [MODEL][,rid=N][,pasid=BITS][,unit=N]"
			  "[,aw=BITS][,pri][,ats][,no-dirty] with MODEL vtd, "
			  "smmuv3, amd or mock, pasid at most 20, unit at most "
			  "255, aw one of the model's widths (vtd 39, 48, 57; "
			  "smmuv3 32, 36, 40, 42, 44, 48; amd 48, 57; none for "
			  "mock)");
	if (++nr_vfio_devs > UIO_VFIO_DEVS_MAX)
		bad_usage("too many --vfio-dev");
	grown = realloc(vfio_devs, old + strlen(spec) + 2);
	if (!grown) {
		fprintf(stderr, "%s: out of memory\n", prog);
		exit(EXIT_NOEXEC);
	}
	vfio_devs = grown;
	if (old)
		vfio_devs[old++] = ';';
	strcpy(vfio_devs + old, spec);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "fail-nth", required_argument, NULL, OPT_FAIL_NTH },
		{ "preload", required_argument, NULL, OPT_PRELOAD },
		{ "trace", optional_argument, NULL, OPT_TRACE },
		{ "trace-format", required_argument, NULL, OPT_TRACE_FORMAT },
		{ "strict", optional_argument, NULL, OPT_STRICT },
		{ "memlock", required_argument, NULL, OPT_MEMLOCK },
		{ "dump-on-exit", optional_argument, NULL, OPT_DUMP_ON_EXIT },
		{ "iommu", required_argument, NULL, OPT_IOMMU },
		{ "vfio-dev", optional_argument, NULL, OPT_VFIO_DEV },
		{ "kernel", required_argument, NULL, OPT_KERNEL },
		{ NULL, 0, NULL, 0 },
	};
	const char *fail_nth = NULL, *preload_opt = NULL, *trace = NULL;
	const char *trace_format = NULL, *memlock = NULL, *dump = NULL;
	const char *iommu = NULL, *kernel = NULL;
	enum uio_trace_format format;
	unsigned int kver;
	char *shim, *preload, *end;
	bool verbose = false;
	const char *strict = NULL;
	enum uio_strict strict_mode;
	uint64_t bytes;
	int c, i;

	/* '+': stop at PROGRAM, whose own options are not ours */
	while ((c = getopt_long(argc, argv, "+hVv", options, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("uiommufd-run " UIOMMUFD_VERSION "\n");
			return 0;
		case 'v':
			verbose = true;
			break;
		case OPT_FAIL_NTH:
			errno = 0;
			strtoul(optarg, &end, 0);
			if (!*optarg || *end || errno || optarg[0] == '-')
				bad_usage("--fail-nth needs a number");
			fail_nth = optarg;
			break;
		case OPT_PRELOAD:
			preload_opt = optarg;
			break;
		case OPT_TRACE:
			trace = optarg && *optarg ? optarg : "-";
			break;
		case OPT_TRACE_FORMAT:
			if (uio_parse_trace_format(optarg, &format))
				bad_usage("--trace-format is text or json");
			trace_format = optarg;
			break;
		case OPT_STRICT:
			strict = optarg ? optarg : "fatal";
			if (uio_parse_strict(strict, &strict_mode))
				bad_usage("--strict is fatal (the default) or warn");
			break;
		case OPT_MEMLOCK:
			if (uio_parse_bytes(optarg, &bytes))
				bad_usage("--memlock needs a byte count (4096, 64K, 2M, 1G, unlimited)");
			memlock = optarg;
			break;
		case OPT_DUMP_ON_EXIT:
			dump = optarg && *optarg ? optarg : "-";
			break;
		case OPT_IOMMU:
			if (!uio_iommu_model_name(optarg, strlen(optarg)))
				bad_usage("--iommu is vtd, smmuv3, amd or mock");
			iommu = optarg;
			break;
		case OPT_VFIO_DEV:
			add_vfio_dev(optarg && *optarg ? optarg : "default");
			break;
		case OPT_KERNEL:
			if (uio_parse_kernel_version(optarg, &kver))
				bad_usage("--kernel is 'latest' or a release X.Y, "
					  "6.2 (iommufd's first) or newer");
			kernel = optarg;
			break;
		default:
			bad_usage(NULL);
		}
	}
	if (optind >= argc)
		bad_usage("no program to run");

	if (preload_opt) {
		shim = realpath(preload_opt, NULL);
		if (!shim) {
			fprintf(stderr, "%s: --preload %s: %s\n", prog,
				preload_opt, strerror(errno));
			exit(EXIT_USAGE);
		}
	} else {
		shim = find_shim();
		if (!shim) {
			fprintf(stderr,
				"%s: cannot find " SHIM_NAME
				" next to this program or in " UIOMMUFD_LIBDIR
				"; use --preload=PATH\n",
				prog);
			exit(EXIT_NOEXEC);
		}
	}
	/* LD_PRELOAD has no quoting: a separator in the path would split it */
	if (strpbrk(shim, ": \t")) {
		fprintf(stderr,
			"%s: the shim path '%s' contains ':' or a blank, which "
			"LD_PRELOAD cannot carry\n",
			prog, shim);
		exit(EXIT_NOEXEC);
	}
	preload = build_preload(shim, getenv("LD_PRELOAD"));
	if (!preload) {
		fprintf(stderr, "%s: out of memory\n", prog);
		exit(EXIT_NOEXEC);
	}
	set_env("LD_PRELOAD", preload, verbose);
	if (fail_nth)
		set_env(UIOMMUFD_ENV_FAIL_NTH, fail_nth, verbose);
	if (trace) {
		if (strcmp(trace, "-"))
			truncate_trace(trace);
		set_env(UIOMMUFD_ENV_TRACE, trace, verbose);
	}
	if (trace_format)
		set_env(UIOMMUFD_ENV_TRACE_FORMAT, trace_format, verbose);
	if (strict)
		set_env(UIOMMUFD_ENV_STRICT, strict, verbose);
	if (memlock)
		set_env(UIOMMUFD_ENV_MEMLOCK, memlock, verbose);
	if (dump)
		set_env(UIOMMUFD_ENV_DUMP_ON_EXIT, dump, verbose);
	if (iommu)
		set_env(UIOMMUFD_ENV_IOMMU, iommu, verbose);
	if (vfio_devs)
		set_env(UIOMMUFD_ENV_VFIO_DEVS, vfio_devs, verbose);
	if (kernel)
		set_env(UIOMMUFD_ENV_KERNEL, kernel, verbose);
	if (verbose) {
		fprintf(stderr, "%s: exec", prog);
		for (i = optind; i < argc; i++)
			fprintf(stderr, " %s", argv[i]);
		fputc('\n', stderr);
	}

	execvp(argv[optind], &argv[optind]);
	fprintf(stderr, "%s: cannot run %s: %s\n", prog, argv[optind],
		strerror(errno));
	return EXIT_NOEXEC;
}
