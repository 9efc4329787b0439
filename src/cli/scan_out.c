/*
 * `vantage scan` after the layer-4 pass: labels UDP replies, grabs banners
 * on open TCP ports, writes the store (devices with their offered
 * services, then one banner row per response as it arrives) and prints
 * one line or JSON object per (ip, proto, port).
 *
 * Devices: a host on the scanner's link is keyed by its MAC from the
 * kernel's neighbour tables (scan_neigh.c: ARP for IPv4, NDP for IPv6,
 * filled by the kernel for our SYNs); a routed host (no entry) by its IP.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/scan_neigh.h"
#include "cli/scan_out.h"
#include "vantage/json.h"
#include "vantage/netclass.h"
#include "vantage/textout.h"

#define CMD "scan"

int vt_scan_store_open(vt_scanjob *s, int argc, char **argv)
{
	vt_run_info ri = {
		.command = CMD,
		.vantage = vt_targets_all_local(s->t) ? "internal" : "external",
		.technique = "active", .source = s->o->iface ? s->o->iface : ""};
	s->st = vt_cli_store_begin(CMD, s->o->db, argc, argv, &ri, &s->run_id);
	return s->st ? 0 : -1;
}

static void store_fail(vt_scanjob *s)
{
	if (!s->store_failed)
		vt_cli_error(CMD, "%s: %s", s->o->db, vt_store_errmsg(s->st));
	s->store_failed = 1;
}

static char *dup0(const char *v) { return v && *v ? strdup(v) : NULL; }

void vt_scan_ports_free(vt_scanjob *s)
{
	for (size_t i = 0; i < s->n_recs; i++) {
		vt_portrec *r = &s->recs[i];
		free(r->data);
		free(r->tls_subject);
		free(r->tls_issuer);
		free(r->tls_sha256);
	}
	free(s->recs);
	s->recs = NULL;
	s->n_recs = 0;
}

/* ---- devices ---- */

static void add_identity(vt_devrec *d, const vt_result *e, const vt_portrec *r,
			 double *best)
{
	if (!r->labelled || !r->ans.rule[0])
		return;
	char v[256];
	snprintf(v, sizeof(v), "%s/%u %s %s %s", e->proto == 17 ? "udp" : "tcp",
		 e->port, r->ans.service, r->ans.product, r->ans.version);
	vt_devrec_add_evidence(d, "banner", v, r->ans.rule);
	int typed = strcmp(r->ans.type, "unknown") != 0;
	double score = r->ans.confidence + (r->ans.vendor[0] ? 1 : 0) + typed;
	if (score <= *best)
		return;
	*best = score;
	free(d->vendor);
	free(d->type);
	free(d->model);
	free(d->os);
	d->vendor = dup0(r->ans.vendor);
	d->type = typed ? strdup(r->ans.type) : NULL;
	d->model = dup0(r->ans.model);
	d->os = dup0(r->ans.os);
	d->confidence = r->ans.confidence;
}

/* The results [i, j) of one address, and its MAC (NULL: none known). */
typedef struct span {
	size_t i, j;
	const uint8_t *mac;
} span;

/* One device from the spans g[0..ng) (its addresses: one, or every address
 * of one MAC, so that a put does not replace what another address of the
 * same device wrote in this run). */
static int put_device(vt_scanjob *s, const span *g, size_t ng, int scope)
{
	vt_devrec d;
	memset(&d, 0, sizeof(d));
	const vt_result *first = vt_results_at(s->res, g[0].i);
	const uint8_t *mac = g[0].mac;
	if (mac) {
		d.has_mac = 1;
		memcpy(d.mac, mac, 6);
	} else {
		memcpy(d.key_ip, first->addr.a, 16);
		d.key_ipver = first->addr.ver;
	}
	size_t nres = 0;
	for (size_t k = 0; k < ng; k++)
		nres += g[k].j - g[k].i;
	vt_ipbind *ip = calloc(ng, sizeof(vt_ipbind));
	vt_service *sv = calloc(nres, sizeof(vt_service));
	if (!ip || !sv) {
		free(ip);
		free(sv);
		return VT_ENOMEM;
	}
	double best = -1;
	d.first_us = d.last_us = first->seen_us;
	for (size_t x = 0; x < ng; x++) {
		const vt_result *a = vt_results_at(s->res, g[x].i);
		ip[x] = (vt_ipbind){.ver = a->addr.ver,
				    .sources = mac ? VT_BIND_ARP : 0,
				    .first_us = a->seen_us, .last_us = a->seen_us};
		memcpy(ip[x].addr, a->addr.a, 16);
		if (a->seen_us < d.first_us)
			d.first_us = a->seen_us;
		if (a->seen_us > d.last_us)
			d.last_us = a->seen_us;
		for (size_t k = g[x].i; k < g[x].j; k++) {
			const vt_result *e = vt_results_at(s->res, k);
			if (e->state != VT_PORT_OPEN ||
			    d.n_services >= VT_DEV_MAX_SERVICES)
				continue;
			sv[d.n_services++] = (vt_service){
				.proto = e->proto, .port = e->port,
				.role = VT_ROLE_SERVER, .scope = (uint8_t)scope,
				.technique = VT_TECH_ACTIVE,
				.first_us = e->seen_us, .last_us = e->seen_us};
			if (s->recs)
				add_identity(&d, e, &s->recs[k], &best);
		}
	}
	d.ips = ip;
	d.n_ips = ng;
	d.services = sv;
	int rc = vt_store_device_put(s->st, s->run_id, &d);
	d.ips = NULL;
	d.n_ips = 0;
	free(ip);
	vt_devrec_cleanup(&d);
	return rc;
}

/* The neighbour table, read once after the SYN stage: both writes of a
 * device (after the scan, after the grabs) then use the same key. */
static vt_neigh *arp_snapshot(vt_scanjob *s, size_t *n)
{
	static vt_neigh nb[4096];
	static size_t n_nb;
	static int read;
	(void)s;
	if (!read) {
		n_nb = vt_neigh_read(nb, sizeof(nb) / sizeof(nb[0]));
		read = 1;
	}
	*n = n_nb;
	return nb;
}

static int span_cmp(const void *x, const void *y)
{
	const span *a = x, *b = y;
	int c = memcmp(a->mac, b->mac, 6);
	return c ? c : (a->i > b->i) - (a->i < b->i);
}

static int scope_of(const vt_scanjob *s, size_t i)
{
	const vt_result *a = vt_results_at(s->res, i);
	return vt_ip_is_local_range(a->addr.ver, a->addr.a) ? VT_SCOPE_LOCAL
							 : VT_SCOPE_EXTERNAL;
}

/* One device per MAC (all its addresses) or per address without one. */
static void put_devices(vt_scanjob *s)
{
	if (!s->st || s->store_failed)
		return;
	size_t n_nb;
	const vt_neigh *nb = arp_snapshot(s, &n_nb);
	size_t n = vt_results_count(s->res), n_mac = 0;
	span *macs = calloc(n ? n : 1, sizeof(span));
	if (!macs) {
		store_fail(s);
		return;
	}
	for (size_t i = 0, j; i < n; i = j) {
		const vt_result *a = vt_results_at(s->res, i);
		int open = 0;
		for (j = i; j < n; j++) {
			const vt_result *b = vt_results_at(s->res, j);
			if (memcmp(&a->addr, &b->addr, sizeof(a->addr)))
				break;
			open |= b->state == VT_PORT_OPEN;
		}
		span g = {i, j, vt_neigh_mac(nb, n_nb, &a->addr)};
		if (!open)
			continue;
		if (g.mac) {
			macs[n_mac++] = g;
		} else if (put_device(s, &g, 1, scope_of(s, i)) != VT_OK) {
			free(macs);
			store_fail(s);
			return;
		}
	}
	qsort(macs, n_mac, sizeof(span), span_cmp);
	for (size_t i = 0, j; i < n_mac; i = j) {
		for (j = i + 1; j < n_mac && !memcmp(macs[j].mac, macs[i].mac, 6); j++)
			;
		if (put_device(s, macs + i, j - i, scope_of(s, macs[i].i)) != VT_OK) {
			free(macs);
			store_fail(s);
			return;
		}
	}
	free(macs);
	if (vt_store_flush(s->st) != VT_OK)
		store_fail(s);
}

/* ---- banner rows ---- */

static void cpe_json(const vt_answer *a, char *out, size_t cap)
{
	size_t n = (size_t)snprintf(out, cap, "[");
	for (int i = 0; i < a->n_cpe && n < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s\"%s\"", i ? "," : "",
				      a->cpe[i]);
	if (n < cap)
		snprintf(out + n, cap - n, "]");
}

static void put_banner(vt_scanjob *s, const vt_addr *addr, int proto,
		       unsigned port, const char *probe, const uint8_t *data,
		       size_t len, const vt_grab_result *g, const vt_answer *a)
{
	char ip[64], cpes[1024];
	if (!s->st || s->store_failed)
		return;
	vt_addr_format(addr, ip, sizeof(ip));
	cpe_json(a, cpes, sizeof(cpes));
	vt_banner_rec b = {
		.ip = ip, .proto = proto == 17 ? "udp" : "tcp", .port = port,
		.probe = probe, .state = "open", .seen_us = vt_cli_now_us(),
		.data = data, .len = len, .service = a->service,
		.product = a->product, .version = a->version, .info = a->info,
		.devicetype = a->devicetype, .type = a->type, .vendor = a->vendor,
		.cpe_json = cpes, .rule = a->rule, .confidence = a->confidence};
	if (g) {
		b.tls_subject = g->tls_subject;
		b.tls_issuer = g->tls_issuer;
		b.tls_sha256 = g->tls_sha256;
		b.tls_chain = g->tls_chain;
		b.tls_chain_len = g->tls_chain_len;
	}
	if (vt_store_banner_put(s->st, s->run_id, &b) != VT_OK)
		store_fail(s);
}

/* ---- grabbing ---- */

static vt_portrec *rec_of(vt_scanjob *s, const vt_addr *a, int proto,
			  uint16_t port)
{
	vt_result *e = vt_results_find(s->res, a, (uint8_t)proto, port);
	return e ? &s->recs[e - vt_results_at(s->res, 0)] : NULL;
}

static void keep(vt_portrec *r, const char *probe, const uint8_t *data,
		 size_t len, const vt_answer *a)
{
	free(r->data);
	r->data = NULL;
	r->len = 0;
	if (len && (r->data = malloc(len))) {
		memcpy(r->data, data, len);
		r->len = len;
	}
	r->probe = probe;
	r->ans = *a;
	r->labelled = 1;
}

static void on_grab(const vt_grab_result *g, void *user)
{
	vt_scanjob *s = user;
	if (!g->final) {
		put_banner(s, g->addr, 6, g->port, g->probe, g->data, g->len, g,
			   g->answer);
		return;
	}
	vt_portrec *r = rec_of(s, g->addr, 6, g->port);
	if (!r)
		return;
	keep(r, g->probe, g->data, g->len, g->answer);
	r->end = g->end;
	r->probes = g->probes;
	r->grab_ms = g->elapsed_ms;
	if (g->tls_sha256) {
		r->tls_subject = dup0(g->tls_subject);
		r->tls_issuer = dup0(g->tls_issuer);
		r->tls_sha256 = dup0(g->tls_sha256);
		if (!g->len) /* a certificate and no bytes: keep the chain */
			put_banner(s, g->addr, 6, g->port, NULL, NULL, 0, g,
				   g->answer);
	}
}

static void grab_progress(const vt_grab_stats *st, void *user)
{
	vt_scanjob *s = user;
	if (s->tty)
		fprintf(stderr, "\rgrab %llu/%llu ports  %llu responses  %llu TLS   ",
			(unsigned long long)st->done, (unsigned long long)st->ports,
			(unsigned long long)st->responses,
			(unsigned long long)st->tls_ok);
}

static void grab_phase(vt_scanjob *s)
{
	char err[VT_ERRBUF_LEN];
	vt_grab_cfg cfg;
	vt_grab_cfg_default(&cfg);
	cfg.max_conns = (unsigned)s->o->conns;
	cfg.per_host = (unsigned)s->o->per_host;
	cfg.port_ms = (unsigned)s->o->grab_ms;
	vt_grab *g = vt_grab_new(&cfg, s->m, err);
	if (!g) {
		vt_cli_error(CMD, "no banner grabs: %s", err);
		return;
	}
	for (size_t i = 0; i < s->n_recs; i++) {
		const vt_result *e = vt_results_at(s->res, i);
		if (e->state == VT_PORT_OPEN && e->proto == 6 &&
		    vt_grab_add(g, &e->addr, e->port) != VT_OK)
			break;
	}
	vt_grab_run(g, on_grab, s, &vt_cli_interrupted, grab_progress);
	if (s->tty)
		fputc('\n', stderr);
	const vt_grab_stats *st = vt_grab_stats_get(g);
	if (st->connect_fail)
		vt_cli_error(CMD, "warning: %llu of %llu banner-grab connections failed (last: %s)",
			     (unsigned long long)st->connect_fail,
			     (unsigned long long)st->connects, strerror(st->connect_errno));
	if (st->dropped)
		vt_cli_error(CMD, "warning: %llu open ports over the grab cap not grabbed",
			     (unsigned long long)st->dropped);
	vt_grab_free(g);
}

/* UDP replies: the payload is the banner, labelled as the answer to the
 * Nmap probe that asks what we asked; where Nmap has no such probe (SSDP,
 * NAT-PMP), or no rule names the reply, the service is the protocol we
 * spoke (a rule's product and vendor are kept). */
static void label_udp(vt_scanjob *s)
{
	static const vt_answer none = {.type = "unknown"};
	for (size_t i = 0; i < s->n_recs; i++) {
		const vt_result *e = vt_results_at(s->res, i);
		if (e->proto != 17 || e->state != VT_PORT_OPEN || !e->len)
			continue;
		vt_portrec *r = &s->recs[i];
		const char *probe = vt_udp_nmap_probe(e->port), *name = NULL;
		vt_answer a;
		vt_banner b = {.proto = VT_PROTO_UDP, .port = e->port,
			       .probe = probe, .data = e->data, .len = e->len};
		if (!s->m || vt_matcher_match(s->m, &b, &a) != VT_OK)
			a = none;
		keep(r, probe, e->data, e->len, &a);
		size_t plen;
		vt_udp_payload(e->port, 0, &plen, &name);
		if (name && (!probe || !r->ans.service[0]))
			snprintf(r->ans.service, sizeof(r->ans.service), "%s", name);
		r->labelled = r->ans.service[0] || r->ans.rule[0];
		put_banner(s, &e->addr, 17, e->port, probe, e->data, e->len, NULL,
			   &r->ans);
	}
}

/* ---- output ---- */

static void jfield(FILE *out, const char *name, const char *v)
{
	fprintf(out, ",\"%s\":", name);
	if (v && *v)
		vt_json_cstr(out, v);
	else
		fputs("null", out);
}

static void print_json(FILE *out, const vt_result *e, const vt_portrec *r,
		       const uint8_t *mac)
{
	static const vt_answer none = {.type = "unknown"};
	const vt_answer *a = r->labelled ? &r->ans : &none;
	char ip[64], m[18];
	vt_addr_format(&e->addr, ip, sizeof(ip));
	fputs("{\"ip\":", out);
	vt_json_cstr(out, ip);
	fprintf(out, ",\"proto\":\"%s\",\"port\":%u,\"state\":\"%s\"",
		e->proto == 17 ? "udp" : "tcp", e->port,
		e->state == VT_PORT_OPEN ? "open" : "closed");
	if (mac)
		vt_mac_format(mac, m);
	jfield(out, "mac", mac ? m : NULL);
	jfield(out, "service", a->service);
	jfield(out, "product", a->product);
	jfield(out, "version", a->version);
	jfield(out, "info", a->info);
	jfield(out, "hostname", a->hostname);
	jfield(out, "os", a->os);
	jfield(out, "devicetype", a->devicetype);
	jfield(out, "type", a->type);
	jfield(out, "vendor", a->vendor);
	jfield(out, "model", a->model);
	fputs(",\"cpe\":[", out);
	for (int i = 0; i < a->n_cpe; i++) {
		if (i)
			putc(',', out);
		vt_json_cstr(out, a->cpe[i]);
	}
	putc(']', out);
	jfield(out, "rule", a->rule);
	fputs(",\"tls\":", out);
	if (r->tls_sha256) {
		fputs("{\"subject\":", out);
		vt_json_cstr(out, r->tls_subject ? r->tls_subject : "");
		fputs(",\"issuer\":", out);
		vt_json_cstr(out, r->tls_issuer ? r->tls_issuer : "");
		fputs(",\"sha256\":", out);
		vt_json_cstr(out, r->tls_sha256);
		putc('}', out);
	} else {
		fputs("null", out);
	}
	fputs(",\"banner\":", out);
	if (r->data)
		vt_pesc_json(out, r->data, r->len);
	else
		fputs("null", out);
	fprintf(out, ",\"confidence\":%.2f", a->confidence);
	jfield(out, "probe", r->probe);
	fprintf(out, ",\"probes\":%u", r->probes);
	jfield(out, "grab", r->end);
	fprintf(out, ",\"grab_ms\":%llu", (unsigned long long)r->grab_ms);
	fprintf(out, ",\"ttl\":%u}\n", e->ttl);
}

static void print_row(FILE *out, const vt_result *e, const vt_portrec *r)
{
	char ip[64], svc[32], pv[256], prod[48], vend[32], rule[64];
	const vt_answer *a = &r->ans;
	int l = r->labelled;
	vt_addr_format(&e->addr, ip, sizeof(ip));
	snprintf(pv, sizeof(pv), "%s%s%s", l ? a->product : "",
		 l && a->product[0] && a->version[0] ? " " : "", l ? a->version : "");
	vt_term_safe(l && a->service[0] ? a->service : "-", svc, sizeof(svc));
	vt_term_safe(pv[0] ? pv : "-", prod, 40);
	vt_term_safe(l && a->vendor[0] ? a->vendor : "-", vend, 24);
	vt_term_safe(l && a->rule[0] ? a->rule : "-", rule, sizeof(rule));
	fprintf(out, "%-15s %3s/%-5u %-6s %-14s %-39s %-12s %-23s %s\n", ip,
		e->proto == 17 ? "udp" : "tcp", e->port,
		e->state == VT_PORT_OPEN ? "open" : "closed", svc, prod,
		l ? a->type : "unknown", vend, rule);
}

static void print_all(vt_scanjob *s)
{
	size_t n_nb = 0;
	const vt_neigh *nb = s->o->json ? arp_snapshot(s, &n_nb) : NULL;
	int header = 0;
	for (size_t i = 0; i < s->n_recs; i++) {
		const vt_result *e = vt_results_at(s->res, i);
		if (e->state != VT_PORT_OPEN && !s->o->closed)
			continue;
		if (s->o->json) {
			print_json(stdout, e, &s->recs[i], vt_neigh_mac(nb, n_nb, &e->addr));
			continue;
		}
		if (!header++)
			printf("%-15s %-9s %-6s %-14s %-39s %-12s %-23s %s\n", "IP",
			       "PORT", "STATE", "SERVICE", "PRODUCT VERSION", "TYPE",
			       "VENDOR", "RULE");
		print_row(stdout, e, &s->recs[i]);
	}
	fflush(stdout);
}

static void summary(vt_scanjob *s)
{
	const vt_syn_stats *st = vt_syn_stats_get(s->syn);
	size_t labelled = 0;
	for (size_t i = 0; i < s->n_recs; i++)
		labelled += s->recs[i].labelled && s->recs[i].ans.rule[0];
	fprintf(stderr,
		"vantage scan: %llu probes sent (%llu send errors, %llu no route), "
		"%llu replies valid, %llu other packets; %zu open, %zu closed, "
		"%zu labelled; %.1f s\n",
		(unsigned long long)st->sent, (unsigned long long)st->send_errors,
		(unsigned long long)st->no_route, (unsigned long long)st->valid,
		(unsigned long long)st->invalid,
		vt_results_in_state(s->res, VT_PORT_OPEN),
		vt_results_in_state(s->res, VT_PORT_CLOSED), labelled,
		(double)(vt_now_ns() - s->t0_ns) / 1e9);
	if (vt_results_dropped(s->res))
		vt_cli_error(CMD, "warning: %llu replies over the result cap dropped",
			     (unsigned long long)vt_results_dropped(s->res));
}

int vt_scan_finish(vt_scanjob *s)
{
	vt_results_sort(s->res);
	s->n_recs = vt_results_count(s->res);
	s->recs = calloc(s->n_recs ? s->n_recs : 1, sizeof(vt_portrec));
	if (!s->recs) {
		vt_cli_error(CMD, "out of memory");
		return VT_EXIT_DATA;
	}
	put_devices(s); /* services first: committed even if grabs are cut */
	label_udp(s);
	if (s->m && !vt_cli_interrupted)
		grab_phase(s);
	put_devices(s); /* again, with what the banners said */
	if (s->st) {
		const char *status = vt_cli_interrupted ? "interrupted" : "ok";
		const vt_syn_stats *st = vt_syn_stats_get(s->syn);
		if (vt_store_run_end(s->st, s->run_id, vt_cli_now_us(), st->sent,
				     status) != VT_OK ||
		    vt_store_flush(s->st) != VT_OK)
			store_fail(s);
	}
	print_all(s);
	summary(s);
	if (vt_cli_interrupted)
		return VT_EXIT_INTERRUPTED;
	return s->store_failed ? VT_EXIT_DATA : VT_EXIT_OK;
}
