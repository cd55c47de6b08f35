/* SPDX-License-Identifier: MIT */
/*
 * The state dump's front end: uiommufd_dump() and the dumps the environment
 * asks for. core/dump.c looks at a context; this file decides which
 * contexts, and where the bytes go.
 *
 * Contexts are found through the fd table: every emulated fd whose file is
 * an iommufd (uio_fd_iommufd_ctx() holds its context). A context reached
 * through several fds (dup) is dumped once, listing them all. Contexts kept
 * alive only by a bound device after their last close are not reachable and
 * are not dumped.
 *
 * Automatic dumps, configured from the environment when the library loads:
 *   UIOMMUFD_DUMP_ON_EXIT=FILE   at exit (a destructor), every live context;
 *                                "-" is stderr. A process that has no live
 *                                context at exit writes nothing, so that a
 *                                shell or helper exiting after the program
 *                                under uiommufd-run does not replace its
 *                                dump with an empty one.
 *   UIOMMUFD_DUMP_SIGNAL=SIG     a dump on each SIG (USR1, SIGUSR2, RTMIN+1,
 *                                or a number), to FILE when set, else to
 *                                stderr.
 *   UIOMMUFD_DUMP_FORMAT=json|text  the format; by default JSON when FILE
 *                                ends in ".json", else text.
 * A FILE is rewritten (truncated) by each dump: it holds the latest state.
 *
 * The signal handler only calls sem_post(), which is async-signal-safe; a
 * helper thread waits on the semaphore and dumps. A semaphore rather than a
 * pipe or an eventfd because it is not an fd: a program that closes every
 * fd at start-up (close_range) cannot take it away, and the handler can
 * never write into an fd number the program has reused.
 *
 * Dumps to the configured destination are serialized (out_lock), so a
 * signal dump and the exit dump never interleave. After fork() without
 * exec the child keeps its own copies of the contexts but not the helper
 * thread (signals then do nothing there), and it skips the exit dump, which
 * would overwrite its parent's file; a program that execs reads the
 * environment again.
 *
 * Every write and open uses a raw system call: the preload shim intercepts
 * libc's open() and write().
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/context.h"
#include "core/dump.h"
#include "front/file.h"
#include "uiommufd/uiommufd.h"
#include "util/export.h"
#include "util/reason.h"

/* One context to dump and the fds that reach it (it is held). */
struct dump_ctx {
	struct iommufd_ctx *ictx;
	int *fds;
	unsigned int nfds;
};

struct dump_set {
	struct dump_ctx *ctx;
	unsigned int num;
};

static void dump_set_release(struct dump_set *set)
{
	unsigned int i;

	for (i = 0; i < set->num; i++) {
		iommufd_ctx_put(set->ctx[i].ictx);
		free(set->ctx[i].fds);
	}
	free(set->ctx);
	set->ctx = NULL;
	set->num = 0;
}

/* record that @fd reaches @ictx (held; the set takes it over or drops it) */
static int dump_set_add(struct dump_set *set, struct iommufd_ctx *ictx,
			int fd)
{
	struct dump_ctx *c = NULL, *grown;
	unsigned int i;
	int *fds;

	for (i = 0; i < set->num; i++)
		if (set->ctx[i].ictx == ictx)
			c = &set->ctx[i];
	if (!c) {
		grown = realloc(set->ctx, (set->num + 1) * sizeof(*grown));
		if (!grown)
			goto err_put;
		set->ctx = grown;
		c = &set->ctx[set->num++];
		*c = (struct dump_ctx){ .ictx = ictx };
	} else {
		/* the set holds it already */
		iommufd_ctx_put(ictx);
	}
	fds = realloc(c->fds, (c->nfds + 1) * sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	c->fds = fds;
	c->fds[c->nfds++] = fd;
	return 0;

err_put:
	iommufd_ctx_put(ictx);
	return -ENOMEM;
}

/*
 * The contexts to dump: the one behind @iommufd (-1: every one), each with
 * every fd that reaches it. -EBADF if @iommufd is not an emulated iommufd.
 */
static int collect_contexts(int iommufd, struct dump_set *set)
{
	struct iommufd_ctx *only = NULL, *ictx;
	int fd, rc = 0;

	if (iommufd != -1) {
		only = uio_fd_iommufd_ctx(iommufd);
		if (!only)
			return uio_fail(-EBADF, "fd %d is not an emulated iommufd",
					iommufd);
	}
	for (fd = uio_fd_next(0); fd >= 0 && !rc; fd = uio_fd_next(fd + 1)) {
		ictx = uio_fd_iommufd_ctx(fd);
		if (!ictx)
			continue;
		if (only && ictx != only) {
			iommufd_ctx_put(ictx);
			continue;
		}
		rc = dump_set_add(set, ictx, fd);
	}
	/* closed and reopened meanwhile: still dump what was asked for */
	if (!rc && only && !set->num) {
		iommufd_ctx_get(only);
		rc = dump_set_add(set, only, iommufd);
	}
	if (only)
		iommufd_ctx_put(only);
	if (rc)
		dump_set_release(set);
	return rc;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		long n = syscall(SYS_write, fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* render the contexts of @set; a buffer to free() and its length */
static int render(struct dump_set *set, bool json, char **ret_buf,
		  size_t *ret_len)
{
	struct iommufd_dump *dump = iommufd_dump_new();
	unsigned int i;
	int rc = 0;

	if (!dump)
		return -ENOMEM;
	for (i = 0; i < set->num && !rc; i++)
		rc = iommufd_dump_add_ctx(dump, set->ctx[i].ictx,
					  set->ctx[i].fds, set->ctx[i].nfds);
	if (!rc) {
		*ret_buf = iommufd_dump_render(dump, json, ret_len);
		if (!*ret_buf)
			rc = -ENOMEM;
	}
	iommufd_dump_free(dump);
	return rc;
}

UIOMMUFD_EXPORT int uiommufd_dump(int iommufd, int out_fd,
				  unsigned int flags)
{
	struct dump_set set = {};
	size_t len;
	char *buf;
	int rc;

	uio_reason_clear();
	if (flags & ~UIOMMUFD_DUMP_JSON)
		return uio_fail(-EINVAL, "flags 0x%x unknown",
				flags & ~UIOMMUFD_DUMP_JSON);
	if (out_fd < 0)
		return uio_fail(-EBADF, "out_fd %d", out_fd);
	if (uio_fd_is_emulated(out_fd))
		return uio_fail(-EINVAL, "out_fd %d is an emulated file",
				out_fd);
	if (iommufd < -1)
		return uio_fail(-EBADF, "fd %d is not an emulated iommufd",
				iommufd);
	rc = collect_contexts(iommufd, &set);
	if (rc)
		return rc;
	rc = render(&set, flags & UIOMMUFD_DUMP_JSON, &buf, &len);
	dump_set_release(&set);
	if (rc)
		return rc;
	rc = write_all(out_fd, buf, len);
	free(buf);
	if (rc)
		return uio_fail(rc, "cannot write the dump to fd %d", out_fd);
	return 0;
}

/* ---- dumps the environment asks for ---- */

static char *dump_path;    /* UIOMMUFD_DUMP_ON_EXIT, or NULL */
static bool dump_json;
static pid_t dump_pid;     /* the process that read the environment */
static sem_t dump_sem;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Dump every live context to the configured destination. With
 * @skip_empty, a process without contexts writes nothing. Errors have
 * nowhere to go and are dropped. errno is left as it was.
 */
static void dump_to_destination(bool skip_empty)
{
	struct dump_set set = {};
	int saved_errno = errno;
	int fd = STDERR_FILENO;
	size_t len;
	char *buf;

	pthread_mutex_lock(&out_lock);
	if (collect_contexts(-1, &set))
		goto out_unlock;
	if (skip_empty && !set.num) {
		dump_set_release(&set);
		goto out_unlock;
	}
	if (render(&set, dump_json, &buf, &len)) {
		dump_set_release(&set);
		goto out_unlock;
	}
	dump_set_release(&set);
	if (dump_path && strcmp(dump_path, "-"))
		fd = (int)syscall(SYS_openat, AT_FDCWD, dump_path,
				  O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
				  0644);
	if (fd >= 0) {
		write_all(fd, buf, len);
		if (fd != STDERR_FILENO)
			syscall(SYS_close, fd);
	}
	free(buf);
out_unlock:
	pthread_mutex_unlock(&out_lock);
	errno = saved_errno;
}

__attribute__((destructor)) static void dump_on_exit(void)
{
	if (dump_path && getpid() == dump_pid)
		dump_to_destination(true);
}

static void dump_signal_handler(int sig)
{
	int saved_errno = errno;

	sem_post(&dump_sem);
	errno = saved_errno;
}

static void *dump_thread(void *arg)
{
	for (;;) {
		if (sem_wait(&dump_sem))
			continue; /* EINTR */
		/* signals that came in a burst make one dump */
		while (!sem_trywait(&dump_sem))
			;
		dump_to_destination(false);
	}
	return NULL;
}

/* "USR1", "SIGUSR1", "usr1", "RTMIN+2", "10": the number, or -1 */
static int parse_signal(const char *s)
{
	static const struct {
		const char *name;
		int sig;
	} names[] = {
		{ "HUP", SIGHUP },     { "INT", SIGINT },
		{ "QUIT", SIGQUIT },   { "USR1", SIGUSR1 },
		{ "USR2", SIGUSR2 },   { "ALRM", SIGALRM },
		{ "TERM", SIGTERM },   { "CHLD", SIGCHLD },
		{ "CONT", SIGCONT },   { "TSTP", SIGTSTP },
		{ "TTIN", SIGTTIN },   { "TTOU", SIGTTOU },
		{ "URG", SIGURG },     { "XCPU", SIGXCPU },
		{ "XFSZ", SIGXFSZ },   { "VTALRM", SIGVTALRM },
		{ "PROF", SIGPROF },   { "WINCH", SIGWINCH },
		{ "IO", SIGIO },       { "PWR", SIGPWR },
	};
	unsigned int i;
	char *end;
	long n;

	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	if (!strncasecmp(s, "RTMIN", 5) || !strncasecmp(s, "RTMAX", 5)) {
		bool max = !strncasecmp(s, "RTMAX", 5);

		n = 0;
		if (s[5]) {
			if (s[5] != (max ? '-' : '+'))
				return -1;
			n = strtol(s + 6, &end, 10);
			if (end == s + 6 || *end || n < 0)
				return -1;
		}
		n = max ? SIGRTMAX - n : SIGRTMIN + n;
		return n >= SIGRTMIN && n <= SIGRTMAX ? (int)n : -1;
	}
	if (*s >= '0' && *s <= '9') {
		n = strtol(s, &end, 10);
		return !*end && n > 0 && n <= SIGRTMAX ? (int)n : -1;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(s, names[i].name))
			return names[i].sig;
	return -1;
}

/*
 * A misspelt debugging variable would otherwise fail silently; the one
 * place the library writes to stderr on its own, and only when asked to
 * dump.
 */
static void env_warn(const char *var, const char *value, const char *why)
{
	char line[256];
	int n = snprintf(line, sizeof(line), "uiommufd: %s=%s: %s\n", var,
			 value, why);

	if (n > 0)
		write_all(STDERR_FILENO, line,
			  (size_t)n < sizeof(line) ? (size_t)n :
						     sizeof(line) - 1);
}

static void setup_signal_dump(const char *value)
{
	struct sigaction sa = { .sa_handler = dump_signal_handler,
				.sa_flags = SA_RESTART };
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t thread;
	int sig = parse_signal(value), rc;

	if (sig < 0) {
		env_warn("UIOMMUFD_DUMP_SIGNAL", value, "unknown signal");
		return;
	}
	if (sem_init(&dump_sem, 0, 0))
		return;
	/* the helper never takes the signal itself: it starts with all
	 * signals blocked */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&thread, &attr, dump_thread, NULL);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		env_warn("UIOMMUFD_DUMP_SIGNAL", value,
			 "cannot start the dump thread");
		return;
	}
	pthread_setname_np(thread, "uiommufd-dump");
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL))
		env_warn("UIOMMUFD_DUMP_SIGNAL", value,
			 "cannot handle this signal");
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

__attribute__((constructor)) static void dump_from_env(void)
{
	const char *path = getenv("UIOMMUFD_DUMP_ON_EXIT");
	const char *sig = getenv("UIOMMUFD_DUMP_SIGNAL");
	const char *format = getenv("UIOMMUFD_DUMP_FORMAT");

	if ((!path || !*path) && (!sig || !*sig))
		return;
	dump_pid = getpid();
	if (path && *path) {
		dump_path = strdup(path);
		dump_json = ends_with(path, ".json");
	}
	if (format && *format) {
		if (!strcasecmp(format, "json"))
			dump_json = true;
		else if (!strcasecmp(format, "text"))
			dump_json = false;
		else
			env_warn("UIOMMUFD_DUMP_FORMAT", format,
				 "not json or text");
	}
	if (sig && *sig)
		setup_signal_dump(sig);
}
