/*
 * Least privilege for raw-socket commands: once their sockets are open,
 * a process started as root becomes an unprivileged user, and any process
 * gives up every capability (CAP_NET_RAW, CAP_NET_ADMIN, ...), so a bug in
 * packet parsing runs with nothing worth taking. Open files and sockets
 * stay usable; nothing new that needs privilege can be opened.
 */
#ifndef VANTAGE_PRIVDROP_H
#define VANTAGE_PRIVDROP_H

#include <sys/types.h>

typedef struct vt_priv_result {
	int changed_user; /* 1: was root, now uid/gid below */
	uid_t uid;        /* real = effective = saved, after the call */
	gid_t gid;
} vt_priv_result;

/*
 * When the real or effective uid is 0: clears the capability bounding
 * set, drops supplementary groups and switches real, effective and saved
 * ids to user's (getpwnam; not root itself). Then, in every case, clears
 * the permitted, effective, inheritable and ambient capabilities and sets
 * no_new_privs. Verifies the result: ids changed, setuid(0) refused, no
 * capability left. VT_OK, or an error with errbuf (VT_ERRBUF_LEN) filled;
 * on error the process may be half-dropped and should exit.
 */
int vt_priv_drop(const char *user, vt_priv_result *res, char *errbuf);

#endif
