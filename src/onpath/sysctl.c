/*
 * The kernel settings on-path mode changes for its run, saved first and
 * written back on exit: net.ipv4.ip_forward (this host forwards what the
 * victims and the gateway send it) and net.ipv4.conf.{all,IFACE}.
 * send_redirects (the effective value is their OR, so both go to 0;
 * otherwise the kernel would tell each victim "use the gateway directly").
 * Writing a net.* sysctl needs CAP_NET_ADMIN in the namespace, which the
 * guardian keeps for the restore.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vantage/error.h"
#include "vantage/onpath.h"

int vt_sysctl_read(const char *path, char *out, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || cap < 2)
		return fd < 0 ? VT_EIO : (close(fd), VT_EINVAL);
	ssize_t n = read(fd, out, cap - 1);
	close(fd);
	if (n <= 0)
		return VT_EIO;
	out[n] = '\0';
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '))
		out[--n] = '\0';
	return VT_OK;
}

static int write_one(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t len = strlen(val);
	ssize_t n = write(fd, val, len);
	int saved = errno;
	close(fd);
	errno = saved;
	return n == (ssize_t)len ? 0 : -1;
}

int vt_sysctls_restore(const vt_sysctls *s, char *errbuf)
{
	int e = VT_OK;
	for (int i = s->n_set - 1; i >= 0; i--)
		if (write_one(s->path[i], s->old[i]) < 0 && e == VT_OK) {
			snprintf(errbuf, VT_ERRBUF_LEN,
				 "restoring %s to %s: %s", s->path[i],
				 s->old[i], strerror(errno));
			e = VT_EIO;
		}
	return e;
}

int vt_sysctls_set(const char *iface, vt_sysctls *s, char *errbuf)
{
	static const char *const want[VT_ONPATH_SYSCTLS] = {"1", "0", "0"};
	memset(s, 0, sizeof(*s));
	snprintf(s->path[0], sizeof(s->path[0]), "/proc/sys/net/ipv4/ip_forward");
	snprintf(s->path[1], sizeof(s->path[1]),
		 "/proc/sys/net/ipv4/conf/all/send_redirects");
	snprintf(s->path[2], sizeof(s->path[2]),
		 "/proc/sys/net/ipv4/conf/%s/send_redirects", iface);
	for (int i = 0; i < VT_ONPATH_SYSCTLS; i++)
		if (vt_sysctl_read(s->path[i], s->old[i], sizeof(s->old[i]))) {
			snprintf(errbuf, VT_ERRBUF_LEN, "reading %s: %s",
				 s->path[i], strerror(errno));
			return VT_EIO;
		}
	for (int i = 0; i < VT_ONPATH_SYSCTLS; i++) {
		if (write_one(s->path[i], want[i]) < 0) {
			snprintf(errbuf, VT_ERRBUF_LEN,
				 "setting %s to %s: %s (needs CAP_NET_ADMIN)",
				 s->path[i], want[i], strerror(errno));
			char ignored[VT_ERRBUF_LEN];
			vt_sysctls_restore(s, ignored);
			return VT_EIO;
		}
		s->n_set = i + 1;
	}
	return VT_OK;
}
