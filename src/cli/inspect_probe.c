/*
 * `vantage inspect --probe`: see inspect_probe.h. The probe thread owns
 * the raw sockets, the matcher and each pass's results; the queue (under
 * a mutex) is the only thing it shares with the inspect loop.
 */
#define _GNU_SOURCE /* ppoll */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/inspect_probe.h"
#include "vantage/error.h"
#include "vantage/grab.h"
#include "vantage/match.h"
#include "vantage/scan.h"

enum { ITEM_SERVICE, ITEM_BANNER };

typedef struct item {
	int kind;
	size_t dev;             /* index into p->devs */
	uint8_t proto;
	uint16_t port;
	uint64_t seen_us;
	const char *probe;      /* static (the probes file) or NULL */
	uint8_t *data;          /* owned */
	size_t len;
	char *tls_subject, *tls_issuer, *tls_sha256; /* owned */
	uint8_t *chain;         /* owned */
	size_t chain_len;
	vt_answer ans;
} item;

struct vt_iprobe {
	vt_iprobe_dev *devs;
	size_t n_devs;
	vt_ports ports;
	uint64_t rate, interval_s;
	vt_syn *syn;
	vt_matcher *m;
	vt_store *st;
	int64_t run_id;
	pthread_t thread;
	int started;
	volatile int stop;
	pthread_mutex_t mu;     /* guards q, n_q and stats */
	item *q;
	size_t n_q;
	vt_iprobe_stats stats;
	/* the pass in progress (the thread's own) */
	vt_results *res;
	item *pq;
	size_t n_pq;
};

static void item_free(item *it)
{
	free(it->data);
	free(it->tls_subject);
	free(it->tls_issuer);
	free(it->tls_sha256);
	free(it->chain);
}

static char *dup0(const char *s) { return s && *s ? strdup(s) : NULL; }

static int dev_of(const vt_iprobe *p, const vt_addr *a, size_t *out)
{
	for (size_t i = 0; a->ver == 4 && i < p->n_devs; i++)
		if (!memcmp(p->devs[i].ip, a->a, 4)) {
			*out = i;
			return 1;
		}
	return 0;
}

/* ---- setup ---- */

static int begin_run(vt_iprobe *p, const vt_iprobe_cfg *c, char *errbuf)
{
	vt_run_info ri = {.command = "inspect", .args = c->args ? c->args : "",
			  .vantage = "internal", .technique = "active",
			  .source = c->source ? c->source : "",
			  .started_us = vt_cli_now_us()};
	if (vt_store_run_begin(p->st, &ri, &p->run_id) != VT_OK ||
	    vt_store_flush(p->st) != VT_OK) {
		snprintf(errbuf, VT_ERRBUF_LEN, "%s", vt_store_errmsg(p->st));
		return -1;
	}
	return 0;
}

vt_iprobe *vt_iprobe_open(const vt_iprobe_cfg *c, char *errbuf)
{
	vt_iprobe *p = calloc(1, sizeof(*p));
	if (!p || !(p->devs = calloc(c->n_devs ? c->n_devs : 1,
				     sizeof(*p->devs)))) {
		free(p);
		snprintf(errbuf, VT_ERRBUF_LEN, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&p->mu, NULL);
	memcpy(p->devs, c->devs, c->n_devs * sizeof(*p->devs));
	p->n_devs = c->n_devs;
	p->rate = c->rate;
	p->interval_s = c->interval_s;
	p->st = c->st;
	vt_cookie_key key;
	vt_matcher_cfg mc;
	memset(&mc, 0, sizeof(mc));
	if (vt_ports_parse(&p->ports, c->ports, errbuf) != VT_OK)
		goto fail;
	if (vt_cookie_key_random(&key) != VT_OK) {
		snprintf(errbuf, VT_ERRBUF_LEN, "no random numbers for the cookie key");
		goto fail;
	}
	if (!(p->syn = vt_syn_open(c->iface, &key, errbuf)) ||
	    !(p->m = vt_matcher_new(&mc, errbuf)))
		goto fail;
	if (p->st && begin_run(p, c, errbuf))
		goto fail;
	return p;
fail:
	p->st = NULL; /* the run was not begun: nothing to end */
	vt_iprobe_free(p);
	return NULL;
}

/* ---- the thread: one pass ---- */

/* The pass's rows, handed to the store's side (capped, counted). */
static void publish(vt_iprobe *p)
{
	pthread_mutex_lock(&p->mu);
	for (size_t i = 0; i < p->n_pq; i++) {
		if (p->n_q >= VT_IPROBE_MAX_QUEUE || !p->q) {
			p->stats.dropped++;
			item_free(&p->pq[i]);
			continue;
		}
		p->q[p->n_q++] = p->pq[i];
	}
	p->n_pq = 0;
	pthread_mutex_unlock(&p->mu);
}

static item *pass_item(vt_iprobe *p)
{
	if (p->n_pq >= VT_IPROBE_MAX_QUEUE) {
		pthread_mutex_lock(&p->mu);
		p->stats.dropped++;
		pthread_mutex_unlock(&p->mu);
		return NULL;
	}
	item *it = &p->pq[p->n_pq++];
	memset(it, 0, sizeof(*it));
	it->seen_us = vt_cli_now_us();
	return it;
}

static void drain(vt_iprobe *p)
{
	vt_syn_reply r;
	size_t d;
	while (vt_syn_recv(p->syn, &r))
		if (dev_of(p, &r.addr, &d))
			vt_results_add(p->res, &r, vt_cli_now_us());
}

/* Waits up to ms (or until stopped) reading replies. */
static void listen_for(vt_iprobe *p, uint64_t ms)
{
	uint64_t end = vt_now_ns() + ms * 1000000ull;
	struct pollfd pfd = {.fd = vt_syn_fd(p->syn), .events = POLLIN};
	for (uint64_t now; !p->stop && (now = vt_now_ns()) < end;) {
		uint64_t w = (end - now) / 1000000ull + 1;
		poll(&pfd, 1, w > 50 ? 50 : (int)w);
		drain(p);
	}
}

static void send_pass(vt_iprobe *p, vt_rate *rl, unsigned attempt)
{
	struct pollfd pfd = {.fd = vt_syn_fd(p->syn), .events = POLLIN};
	for (size_t d = 0; d < p->n_devs; d++)
		for (size_t k = 0; k < p->ports.n && !p->stop; k++) {
			const vt_port *pt = &p->ports.v[k];
			vt_addr a = {.ver = 4};
			memcpy(a.a, p->devs[d].ip, 4);
			if (attempt && vt_results_find(p->res, &a, pt->proto, pt->port))
				continue;
			uint64_t wait;
			while (!p->stop && (wait = vt_rate_take(rl, vt_now_ns()))) {
				struct timespec ts = {0, (long)(wait > 50000000u ? 50000000u
									     : wait)};
				ppoll(&pfd, 1, &ts, NULL);
				drain(p);
			}
			int e = VT_EFULL;
			for (int t = 0; !p->stop && t < 200 && e == VT_EFULL; t++) {
				e = vt_syn_send(p->syn, &a, pt->proto, pt->port, attempt);
				if (e == VT_EFULL) {
					poll(&pfd, 1, 10);
					drain(p);
				}
			}
			if (e == VT_EFULL)
				vt_syn_count_error(p->syn);
			drain(p);
		}
}

static void keep_tls(item *it, const vt_grab_result *g)
{
	it->tls_subject = dup0(g->tls_subject);
	it->tls_issuer = dup0(g->tls_issuer);
	it->tls_sha256 = dup0(g->tls_sha256);
	if (g->tls_chain_len && (it->chain = malloc(g->tls_chain_len))) {
		memcpy(it->chain, g->tls_chain, g->tls_chain_len);
		it->chain_len = g->tls_chain_len;
	}
}

/* Banner rows as `vantage scan` writes them: one per non-empty response,
 * and a certificate with no bytes after it. */
static void on_grab(const vt_grab_result *g, void *user)
{
	vt_iprobe *p = user;
	size_t d;
	if (!dev_of(p, g->addr, &d) || (g->final && !(g->tls_sha256 && !g->len)))
		return;
	item *it = pass_item(p);
	if (!it)
		return;
	it->kind = ITEM_BANNER;
	it->dev = d;
	it->proto = 6;
	it->port = g->port;
	it->probe = g->final ? NULL : g->probe;
	if (!g->final && g->len && (it->data = malloc(g->len))) {
		memcpy(it->data, g->data, g->len);
		it->len = g->len;
	}
	if (g->tls_sha256)
		keep_tls(it, g);
	it->ans = *g->answer;
}

/* A UDP reply's payload is its banner, labelled as the answer to the Nmap
 * probe asking what we asked; else named after the protocol we spoke. */
static void udp_banner(vt_iprobe *p, const vt_result *e, size_t d)
{
	const char *probe = vt_udp_nmap_probe(e->port), *name = NULL;
	vt_banner b = {.proto = VT_PROTO_UDP, .port = e->port, .probe = probe,
		       .data = e->data, .len = e->len};
	item *it = pass_item(p);
	if (!it)
		return;
	if (vt_matcher_match(p->m, &b, &it->ans) != VT_OK) {
		memset(&it->ans, 0, sizeof(it->ans));
		it->ans.type = "unknown";
	}
	size_t plen;
	vt_udp_payload(e->port, 0, &plen, &name);
	if (name && (!probe || !it->ans.service[0]))
		snprintf(it->ans.service, sizeof(it->ans.service), "%s", name);
	it->kind = ITEM_BANNER;
	it->dev = d;
	it->proto = 17;
	it->port = e->port;
	it->probe = probe;
	if ((it->data = malloc(e->len))) {
		memcpy(it->data, e->data, e->len);
		it->len = e->len;
	}
}

static void grab_open(vt_iprobe *p)
{
	char err[VT_ERRBUF_LEN];
	vt_grab_cfg cfg;
	vt_grab_cfg_default(&cfg);
	cfg.max_conns = 8;
	cfg.per_host = 2;
	vt_grab *g = vt_grab_new(&cfg, p->m, err);
	if (!g)
		return; /* the services are stored without banners */
	for (size_t i = 0; i < vt_results_count(p->res); i++) {
		const vt_result *e = vt_results_at(p->res, i);
		if (e->state == VT_PORT_OPEN && e->proto == 6)
			vt_grab_add(g, &e->addr, e->port);
	}
	vt_grab_run(g, on_grab, p, &p->stop, NULL);
	vt_grab_free(g);
}

static void one_pass(vt_iprobe *p)
{
	if (!(p->res = vt_results_new()))
		return;
	vt_rate rl;
	vt_rate_init(&rl, (double)p->rate, vt_now_ns());
	uint64_t sent0 = vt_syn_stats_get(p->syn)->sent;
	send_pass(p, &rl, 0);
	listen_for(p, 500);
	send_pass(p, &rl, 1);
	listen_for(p, 1500);
	vt_results_sort(p->res);
	size_t open = 0;
	for (size_t i = 0; i < vt_results_count(p->res); i++) {
		const vt_result *e = vt_results_at(p->res, i);
		size_t d;
		item *it;
		if (e->state != VT_PORT_OPEN || !dev_of(p, &e->addr, &d) ||
		    !(it = pass_item(p)))
			continue;
		open++;
		it->kind = ITEM_SERVICE;
		it->dev = d;
		it->proto = e->proto;
		it->port = e->port;
		it->seen_us = e->seen_us;
		if (e->proto == 17 && e->len)
			udp_banner(p, e, d);
	}
	publish(p); /* the services first: stored even if the grabs are cut */
	if (!p->stop)
		grab_open(p);
	size_t banners = p->n_pq;
	publish(p);
	pthread_mutex_lock(&p->mu);
	p->stats.passes += !p->stop;
	p->stats.sent += vt_syn_stats_get(p->syn)->sent - sent0;
	p->stats.open += open;
	p->stats.banners += banners;
	pthread_mutex_unlock(&p->mu);
	vt_results_free(p->res);
	p->res = NULL;
}

static void *thread_main(void *arg)
{
	vt_iprobe *p = arg;
	while (!p->stop) {
		uint64_t next = vt_now_ns() + p->interval_s * 1000000000ull;
		one_pass(p);
		while (!p->stop && vt_now_ns() < next) {
			struct timespec ts = {0, 50000000};
			nanosleep(&ts, NULL);
		}
	}
	return NULL;
}

int vt_iprobe_start(vt_iprobe *p, char *errbuf)
{
	p->q = calloc(VT_IPROBE_MAX_QUEUE, sizeof(*p->q));
	p->pq = calloc(VT_IPROBE_MAX_QUEUE, sizeof(*p->pq));
	if (!p->q || !p->pq) {
		snprintf(errbuf, VT_ERRBUF_LEN, "out of memory");
		return VT_ENOMEM;
	}
	/* Signals stay with the inspect loop: the thread blocks them all. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int e = pthread_create(&p->thread, NULL, thread_main, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e) {
		snprintf(errbuf, VT_ERRBUF_LEN, "cannot start the probe thread: %s",
			 strerror(e));
		return VT_EIO;
	}
	p->started = 1;
	return VT_OK;
}

void vt_iprobe_stop(vt_iprobe *p)
{
	if (p)
		p->stop = 1;
}

/* ---- the store's side ---- */

static void cpe_json(const vt_answer *a, char *out, size_t cap)
{
	size_t n = (size_t)snprintf(out, cap, "[");
	for (int i = 0; i < a->n_cpe && n < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s\"%s\"", i ? "," : "",
				      a->cpe[i]);
	if (n < cap)
		snprintf(out + n, cap - n, "]");
}

/* Device d with the open ports among items (by MAC, its address bound). */
static int put_device(vt_iprobe *p, size_t d, const item *q, size_t n)
{
	vt_service sv[VT_DEV_MAX_SERVICES];
	vt_devrec dr;
	memset(&dr, 0, sizeof(dr));
	uint64_t first = 0, last = 0;
	for (size_t i = 0; i < n; i++) {
		if (q[i].kind != ITEM_SERVICE || q[i].dev != d ||
		    dr.n_services >= VT_DEV_MAX_SERVICES)
			continue;
		sv[dr.n_services++] = (vt_service){
			.proto = q[i].proto, .port = q[i].port,
			.role = VT_ROLE_SERVER, .scope = VT_SCOPE_LOCAL,
			.technique = VT_TECH_ACTIVE, .first_us = q[i].seen_us,
			.last_us = q[i].seen_us};
		first = first && first < q[i].seen_us ? first : q[i].seen_us;
		last = last > q[i].seen_us ? last : q[i].seen_us;
	}
	if (!dr.n_services)
		return VT_OK;
	vt_ipbind ip = {.ver = 4, .sources = VT_BIND_ARP, .first_us = first,
			.last_us = last};
	memcpy(ip.addr, p->devs[d].ip, 4);
	dr.has_mac = 1;
	memcpy(dr.mac, p->devs[d].mac, 6);
	dr.ips = &ip;
	dr.n_ips = 1;
	dr.services = sv;
	dr.first_us = first;
	dr.last_us = last;
	return vt_store_device_put(p->st, p->run_id, &dr);
}

static int put_banner(vt_iprobe *p, const item *it)
{
	char ip[16], cpes[1024];
	snprintf(ip, sizeof(ip), "%u.%u.%u.%u", p->devs[it->dev].ip[0],
		 p->devs[it->dev].ip[1], p->devs[it->dev].ip[2],
		 p->devs[it->dev].ip[3]);
	const vt_answer *a = &it->ans;
	cpe_json(a, cpes, sizeof(cpes));
	vt_banner_rec b = {
		.ip = ip, .proto = it->proto == 17 ? "udp" : "tcp",
		.port = it->port, .probe = it->probe, .state = "open",
		.seen_us = it->seen_us, .data = it->data, .len = it->len,
		.tls_subject = it->tls_subject, .tls_issuer = it->tls_issuer,
		.tls_sha256 = it->tls_sha256, .tls_chain = it->chain,
		.tls_chain_len = it->chain_len, .service = a->service,
		.product = a->product, .version = a->version, .info = a->info,
		.devicetype = a->devicetype, .type = a->type, .vendor = a->vendor,
		.cpe_json = cpes, .rule = a->rule, .confidence = a->confidence};
	return vt_store_banner_put(p->st, p->run_id, &b);
}

int vt_iprobe_store(vt_iprobe *p)
{
	if (!p->q)
		return VT_OK;
	item *q;
	size_t n;
	pthread_mutex_lock(&p->mu);
	n = p->n_q;
	q = malloc((n ? n : 1) * sizeof(*q));
	if (q) {
		memcpy(q, p->q, n * sizeof(*q));
		p->n_q = 0;
	}
	pthread_mutex_unlock(&p->mu);
	if (!q)
		return VT_ENOMEM;
	int e = VT_OK;
	/* Devices before banners: a banner row finds its device by address. */
	for (size_t d = 0; p->st && e == VT_OK && d < p->n_devs; d++)
		e = put_device(p, d, q, n);
	for (size_t i = 0; p->st && e == VT_OK && i < n; i++)
		if (q[i].kind == ITEM_BANNER)
			e = put_banner(p, &q[i]);
	if (p->st && e == VT_OK && n)
		e = vt_store_flush(p->st);
	if (e == VT_OK && p->st) {
		pthread_mutex_lock(&p->mu);
		p->stats.stored += n;
		pthread_mutex_unlock(&p->mu);
	}
	for (size_t i = 0; i < n; i++)
		item_free(&q[i]);
	free(q);
	return e;
}

int vt_iprobe_finish(vt_iprobe *p, const char *status)
{
	vt_iprobe_stop(p);
	if (p->started) {
		pthread_join(p->thread, NULL);
		p->started = 0;
	}
	int e = vt_iprobe_store(p);
	if (p->st) {
		int e2 = vt_store_run_end(p->st, p->run_id, vt_cli_now_us(),
					  vt_syn_stats_get(p->syn)->sent, status);
		if (e2 == VT_OK)
			e2 = vt_store_flush(p->st);
		if (e == VT_OK)
			e = e2;
		p->st = NULL; /* ended once */
	}
	return e;
}

const vt_iprobe_stats *vt_iprobe_stats_get(const vt_iprobe *p)
{
	return &p->stats;
}

void vt_iprobe_free(vt_iprobe *p)
{
	if (!p)
		return;
	if (p->started) {
		p->stop = 1;
		pthread_join(p->thread, NULL);
	}
	for (size_t i = 0; p->q && i < p->n_q; i++)
		item_free(&p->q[i]);
	for (size_t i = 0; p->pq && i < p->n_pq; i++)
		item_free(&p->pq[i]);
	free(p->q);
	free(p->pq);
	vt_results_free(p->res);
	vt_syn_close(p->syn);
	vt_matcher_free(p->m);
	vt_ports_cleanup(&p->ports);
	pthread_mutex_destroy(&p->mu);
	free(p->devs);
	free(p);
}
