/*
 * DNS-SD browsing over mDNS (RFC 6763 sections 4, 9, 12): ask for the
 * service types (PTR _services._dns-sd._udp.local), then the instances of
 * each type (PTR _app._tcp.local), then each instance's SRV and TXT. The
 * replies are read by the mDNS signal parser (src/dissect/sig_dns.c): the
 * mdns_service and mdns_instance signals it emits are what we follow.
 * Names are kept (capped) so nothing is asked twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/discover_int.h"
#include "vantage/signal.h"

enum { T_PTR = 12, T_TXT = 16, T_SRV = 33 };

static int queue(vt_mdns_browse *b, const char *const *labels, size_t n,
		 const uint16_t *types, size_t nt)
{
	uint8_t q[512];
	size_t len = vt_mdns_query(q, sizeof(q), labels, n, types, nt);
	if (!len)
		return -1; /* a name we cannot ask for (label too long) */
	if (b->n_pending >= MDNS_MAX_PENDING) {
		b->dropped++;
		return -1;
	}
	uint8_t *copy = malloc(len);
	if (!copy)
		return -1;
	memcpy(copy, q, len);
	b->pending[b->n_pending] = copy;
	b->pending_len[b->n_pending++] = len;
	return 0;
}

int vt_mdns_browse_start(vt_mdns_browse *b)
{
	static const char *const meta[] = {"_services", "_dns-sd", "_udp",
					   "local"};
	static const uint16_t ptr = T_PTR;
	return queue(b, meta, 4, &ptr, 1);
}

/* Is v (len bytes) in the list? Otherwise adds it if there is room;
 * returns 1 for a new name. */
static int remember(char **list, size_t *n, size_t cap, const uint8_t *v,
		    size_t len, uint64_t *dropped)
{
	for (size_t i = 0; i < *n; i++)
		if (strlen(list[i]) == len && !memcmp(list[i], v, len))
			return 0;
	if (memchr(v, 0, len))
		return 0;
	if (*n >= cap) {
		(*dropped)++;
		return 0;
	}
	char *s = malloc(len + 1);
	if (!s)
		return 0;
	memcpy(s, v, len);
	s[len] = '\0';
	list[(*n)++] = s;
	return 1;
}

/* "_app._tcp": two labels, each asked as they are. */
static void ask_service(vt_mdns_browse *b, const char *svc)
{
	char tmp[256];
	snprintf(tmp, sizeof(tmp), "%s", svc);
	char *dot = strchr(tmp, '.');
	if (!dot || strchr(dot + 1, '.'))
		return;
	*dot = '\0';
	const char *labels[] = {tmp, dot + 1, "local"};
	static const uint16_t ptr = T_PTR;
	queue(b, labels, 3, &ptr, 1);
}

/* "Name._app._tcp": the instance label is everything before the last two
 * labels (it may itself hold dots, RFC 6763 4.3). */
static void ask_instance(vt_mdns_browse *b, const char *inst)
{
	char tmp[256];
	snprintf(tmp, sizeof(tmp), "%s", inst);
	char *proto = strrchr(tmp, '.');
	if (!proto || proto == tmp)
		return;
	*proto++ = '\0';
	char *app = strrchr(tmp, '.');
	if (!app || app == tmp)
		return;
	*app++ = '\0';
	const char *labels[] = {tmp, app, proto, "local"};
	static const uint16_t types[] = {T_SRV, T_TXT};
	queue(b, labels, 4, types, 2);
}

static void on_signal(void *user, const char *name, const uint8_t *v,
		      size_t len)
{
	vt_mdns_browse *b = user;
	if (!strcmp(name, "mdns_service")) {
		if (remember(b->services, &b->n_services, VT_MDNS_MAX_SERVICES,
			     v, len, &b->dropped))
			ask_service(b, b->services[b->n_services - 1]);
	} else if (!strcmp(name, "mdns_instance")) {
		if (remember(b->instances, &b->n_instances,
			     VT_MDNS_MAX_INSTANCES, v, len, &b->dropped))
			ask_instance(b, b->instances[b->n_instances - 1]);
	}
}

void vt_mdns_browse_reply(vt_mdns_browse *b, const uint8_t *msg, size_t len)
{
	vt_sig_sink s = {.emit = on_signal, .user = b};
	if (len >= 3 && (msg[2] & 0x80)) /* responses only */
		vt_sig_dns(msg, len, 1, &s);
}

void vt_mdns_browse_cleanup(vt_mdns_browse *b)
{
	for (size_t i = 0; i < b->n_services; i++)
		free(b->services[i]);
	for (size_t i = 0; i < b->n_instances; i++)
		free(b->instances[i]);
	for (size_t i = 0; i < b->n_pending; i++)
		free(b->pending[i]);
	memset(b, 0, sizeof(*b));
}
