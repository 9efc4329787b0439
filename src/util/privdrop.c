/*
 * Dropping privileges (see include/vantage/privdrop.h). Order matters:
 * the bounding set can only be cleared while CAP_SETPCAP is held (as
 * root), groups before the gid, the gid before the uid. setresuid/
 * setresgid set the saved ids too, so nothing can switch back; the
 * checks afterwards make a failed drop an error instead of a silent
 * success (CERT POS36-C/POS37-C).
 */
#define _GNU_SOURCE
#include "vantage/privdrop.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vantage/error.h"

static int fail(char *errbuf, const char *what)
{
	snprintf(errbuf, VT_ERRBUF_LEN, "%s: %s", what, strerror(errno));
	return VT_EIO;
}

static int clear_caps(char *errbuf)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof(d));
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (syscall(SYS_capset, &h, d) < 0)
		return fail(errbuf, "capset");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail(errbuf, "no_new_privs");
	if (syscall(SYS_capget, &h, d) < 0)
		return fail(errbuf, "capget");
	for (int i = 0; i < 2; i++)
		if (d[i].effective || d[i].permitted || d[i].inheritable) {
			snprintf(errbuf, VT_ERRBUF_LEN,
				 "capabilities still held after capset");
			return VT_EIO;
		}
	return VT_OK;
}

static int become(const char *user, vt_priv_result *res, char *errbuf)
{
	errno = 0;
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		snprintf(errbuf, VT_ERRBUF_LEN, "user '%s' not found", user);
		return VT_ENOTFOUND;
	}
	if (pw->pw_uid == 0 || pw->pw_gid == 0) {
		snprintf(errbuf, VT_ERRBUF_LEN,
			 "user '%s' is root: choose an unprivileged user", user);
		return VT_EINVAL;
	}
	uid_t uid = pw->pw_uid;
	gid_t gid = pw->pw_gid;
	/* best effort (needs CAP_SETPCAP): no_new_privs below already stops
	 * an exec from regaining anything */
	for (int c = 0; c <= CAP_LAST_CAP; c++)
		prctl(PR_CAPBSET_DROP, c, 0, 0, 0);
	if (setgroups(0, NULL) < 0)
		return fail(errbuf, "setgroups");
	if (setresgid(gid, gid, gid) < 0)
		return fail(errbuf, "setresgid");
	if (setresuid(uid, uid, uid) < 0)
		return fail(errbuf, "setresuid");
	if (setresuid(0, 0, 0) == 0 || setegid(0) == 0 || getuid() != uid ||
	    geteuid() != uid || getgid() != gid || getegid() != gid) {
		snprintf(errbuf, VT_ERRBUF_LEN, "could regain root after drop");
		return VT_EIO;
	}
	res->changed_user = 1;
	return VT_OK;
}

int vt_priv_drop(const char *user, vt_priv_result *res, char *errbuf)
{
	memset(res, 0, sizeof(*res));
	if (getuid() == 0 || geteuid() == 0) {
		int e = become(user, res, errbuf);
		if (e)
			return e;
	}
	res->uid = geteuid();
	res->gid = getegid();
	return clear_caps(errbuf);
}
