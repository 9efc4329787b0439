/*
 * The guardian: a child forked before the main process drops privileges,
 * so that ARP caches and sysctls are restored even when the main process
 * is killed with SIGKILL or crashes. It watches the main process through
 * a pipe (EOF = the main process is gone, however it ended), keeps only
 * the ARP socket (already open: sending needs no capability) and
 * CAP_NET_ADMIN (for the sysctls), runs as an unprivileged user when
 * started as root, and ignores the terminal's signals (its own session),
 * so a Ctrl-C that stops the main process does not stop it.
 *
 * Pipe protocol, one byte each: guardian -> main 'R' ready / 'F' failed;
 * main -> guardian 'D' "I sent the corrective ARP myself".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vantage/error.h"
#include "vantage/onpath.h"

#define READY_MS 5000
#define FINISH_MS 10000

static int set_caps(uint32_t keep)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof(d));
	d[0].effective = d[0].permitted = keep;
	return (int)syscall(SYS_capset, &h, d);
}

/* Root becomes user keeping CAP_NET_ADMIN; everyone keeps only that. */
static int keep_net_admin(const char *user)
{
	uint32_t keep = 1u << CAP_NET_ADMIN;
	if (getuid() == 0 || geteuid() == 0) {
		struct passwd *pw = getpwnam(user);
		if (!pw || pw->pw_uid == 0)
			return -1;
		for (int c = 0; c <= CAP_LAST_CAP; c++)
			if (c != CAP_NET_ADMIN)
				prctl(PR_CAPBSET_DROP, c, 0, 0, 0);
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 ||
		    setgroups(0, NULL) < 0 ||
		    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
		    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0)
			return -1;
		if (setresuid(0, 0, 0) == 0)
			return -1;
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (set_caps(keep) < 0)
		return -1;
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

static void close_others(int a, int b, int c)
{
	long max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (int fd = 3; fd < max; fd++)
		if (fd != a && fd != b && fd != c)
			close(fd);
}

static _Noreturn void guard_main(int arp_fd, int ifindex, const vt_targets *t,
				 const vt_sysctls *s, int in_fd, int out_fd,
				 const char *user)
{
	char err[VT_ERRBUF_LEN];
	setsid();
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	close_others(arp_fd, in_fd, out_fd);
	if (keep_net_admin(user) < 0) {
		(void)!write(out_fd, "F", 1);
		_exit(3);
	}
	(void)!write(out_fd, "R", 1);
	int corrected = 0;
	for (;;) {
		char c;
		ssize_t n = read(in_fd, &c, 1);
		if (n == 1) {
			corrected |= c == 'D';
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		break; /* EOF: the main process is gone */
	}
	if (!corrected)
		vt_onpath_correct(arp_fd, ifindex, t);
	_exit(vt_sysctls_restore(s, err) == VT_OK ? 0 : 1);
}

static int wait_byte(int fd, int ms, char *c)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int r;
	while ((r = poll(&p, 1, ms)) < 0 && errno == EINTR)
		;
	if (r <= 0)
		return 0;
	return read(fd, c, 1) == 1;
}

int vt_guard_start(vt_guard *g, int arp_fd, int ifindex, const vt_targets *t,
		   const vt_sysctls *s, const char *user, char *errbuf)
{
	int to[2], from[2];
	memset(g, 0, sizeof(*g));
	g->to_fd = g->from_fd = -1;
	if (pipe2(to, O_CLOEXEC) < 0)
		goto fail;
	if (pipe2(from, O_CLOEXEC) < 0) {
		close(to[0]), close(to[1]);
		goto fail;
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(to[0]), close(to[1]), close(from[0]), close(from[1]);
		goto fail;
	}
	if (pid == 0)
		guard_main(arp_fd, ifindex, t, s, to[0], from[1], user);
	close(to[0]);
	close(from[1]);
	g->pid = pid;
	g->to_fd = to[1];
	g->from_fd = from[0];
	char c = 0;
	if (wait_byte(g->from_fd, READY_MS, &c) && c == 'R')
		return VT_OK;
	snprintf(errbuf, VT_ERRBUF_LEN,
		 "the guardian could not become '%s' with CAP_NET_ADMIN", user);
	close(g->to_fd);
	g->to_fd = -1;
	vt_guard_finish(g);
	return VT_EIO;
fail:
	snprintf(errbuf, VT_ERRBUF_LEN, "starting the guardian: %s",
		 strerror(errno));
	return VT_EIO;
}

void vt_guard_corrected(vt_guard *g)
{
	if (g->to_fd >= 0)
		(void)!write(g->to_fd, "D", 1);
}

int vt_guard_finish(vt_guard *g)
{
	if (g->to_fd >= 0)
		close(g->to_fd);
	g->to_fd = -1;
	if (!g->pid)
		return -1;
	/* its end of the other pipe closes when it exits */
	char c;
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int status = 0, done = 0;
	for (;;) {
		pid_t r = waitpid(g->pid, &status, WNOHANG);
		if (r == g->pid) {
			done = 1;
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		long el = (t.tv_sec - t0.tv_sec) * 1000 +
			  (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (r < 0 || el > FINISH_MS)
			break;
		if (!wait_byte(g->from_fd, 100, &c)) {
			struct timespec ts = {0, 20 * 1000000L};
			nanosleep(&ts, NULL);
		}
	}
	if (g->from_fd >= 0)
		close(g->from_fd);
	g->from_fd = -1;
	g->pid = 0;
	if (!done || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status) == 0 ? 0 : 1;
}
