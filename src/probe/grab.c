/*
 * The banner grabber (include/vantage/grab.h): one job per open TCP port,
 * at most one connection per job at a time, all connections on one epoll
 * set with a deadline each. A job walks its probe ladder (Nmap's order,
 * NMAP-SERVICE-PROBES.md): each probe is a fresh connection (TLS first on
 * TLS ports), the probe's bytes sent, and the response read until the
 * peer closes, the byte cap is hit, a hard match is found (responses are
 * matched as they grow, a few times per probe) or the probe's wait ends.
 * A hard match ends the job; a softmatch narrows the ladder; an answer of
 * "ssl" on a plain port restarts the ladder inside TLS, once.
 */
#include <errno.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe_int.h"

#define EARLY_MATCHES 6 /* matches of a growing response before the end */

enum { J_PENDING, J_ACTIVE, J_DONE };
enum { C_CONNECT, C_HANDSHAKE, C_SEND, C_READ };

typedef struct job {
	vt_addr addr;
	uint16_t port;
	int state;
	vt_ladder lad;
	int in_tls, tls_switched;
	unsigned probes, budget;
	unsigned silent;          /* probes in a row that got no byte */
	uint64_t start_ns, deadline_ns;
	uint8_t *best;            /* best response so far (owned) */
	size_t best_len;
	const char *best_probe;   /* borrowed from the probes */
	int best_rank;            /* 0 none, 1 data, 2 soft, 3 hard */
	vt_answer best_ans;
	vt_tls_info *tls;         /* owned, when a certificate was seen */
} job;

typedef struct conn {
	job *j;
	int fd;
	SSL *ssl;
	int phase;
	int probe;                /* probe index */
	uint64_t deadline_ns;
	uint64_t wait_end_ns;     /* the probe's own wait, before idle cuts */
	uint8_t *buf;             /* max_bytes */
	size_t len, sent;
	unsigned matches;
	size_t matched_len;       /* len at the last match */
	vt_answer ans;
} conn;

struct vt_grab {
	vt_grab_cfg cfg;
	vt_matcher *m;
	const vt_probes *p;
	SSL_CTX *ctx;
	int ep;
	job *jobs;
	size_t n_jobs, cap_jobs, next_pending;
	conn *conns;              /* cfg.max_conns slots; fd -1 when free */
	unsigned active;
	vt_grab_stats st;
	vt_grab_fn fn;
	void *user;
};

void vt_grab_cfg_default(vt_grab_cfg *c)
{
	*c = (vt_grab_cfg){.connect_ms = 3000, .null_ms = 2500, .probe_ms = 2000,
			   .idle_ms = 800, .tls_ms = 3000, .port_ms = 15000,
			   .max_bytes = 4096, .max_conns = 64, .per_host = 3,
			   .extra_probes = 4, .max_silent = 3};
}

int vt_grab_tls_port(uint16_t port)
{
	static const uint16_t tls[] = {261, 443, 448, 465, 563, 585, 614, 636,
				       989, 990, 992, 993, 994, 995, 1443, 2443,
				       3269, 4433, 4443, 5001, 5061, 5986, 6514,
				       6697, 7443, 8009, 8443, 8883, 9443, 10443};
	for (size_t i = 0; i < sizeof(tls) / sizeof(tls[0]); i++)
		if (tls[i] == port)
			return 1;
	return 0;
}

vt_grab *vt_grab_new(const vt_grab_cfg *cfg, vt_matcher *m, char *errbuf)
{
	const vt_probes *p = vt_matcher_probes(m);
	if (!p) {
		snprintf(errbuf, VT_ERRBUF_LEN, "banner grabbing needs nmap-service-probes");
		return NULL;
	}
	vt_grab *g = calloc(1, sizeof(*g));
	if (!g)
		goto oom;
	g->cfg = *cfg;
	if (!g->cfg.max_conns)
		g->cfg.max_conns = 1;
	if (!g->cfg.per_host)
		g->cfg.per_host = 1;
	if (g->cfg.max_bytes < 64)
		g->cfg.max_bytes = 64;
	g->m = m;
	g->p = p;
	g->ep = epoll_create1(EPOLL_CLOEXEC);
	g->conns = calloc(g->cfg.max_conns, sizeof(conn));
	if (g->ep < 0 || !g->conns)
		goto oom;
	for (unsigned i = 0; i < g->cfg.max_conns; i++)
		g->conns[i].fd = -1;
	if (!(g->ctx = vt_tls_ctx_new())) {
		snprintf(errbuf, VT_ERRBUF_LEN, "TLS: cannot make a client context");
		vt_grab_free(g);
		return NULL;
	}
	return g;
oom:
	snprintf(errbuf, VT_ERRBUF_LEN, "out of memory");
	vt_grab_free(g);
	return NULL;
}

static void conn_close(vt_grab *g, conn *c)
{
	if (c->fd < 0)
		return;
	if (c->ssl)
		SSL_free(c->ssl);
	c->ssl = NULL;
	close(c->fd); /* also leaves the epoll set */
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
	g->active--;
}

static void job_clear(job *j)
{
	free(j->best);
	j->best = NULL;
	free(j->tls);
	j->tls = NULL;
}

void vt_grab_free(vt_grab *g)
{
	if (!g)
		return;
	for (unsigned i = 0; g->conns && i < g->cfg.max_conns; i++)
		conn_close(g, &g->conns[i]);
	for (size_t i = 0; i < g->n_jobs; i++)
		job_clear(&g->jobs[i]);
	free(g->jobs);
	free(g->conns);
	if (g->ep >= 0)
		close(g->ep);
	SSL_CTX_free(g->ctx);
	free(g);
}

const vt_grab_stats *vt_grab_stats_get(const vt_grab *g) { return &g->st; }

int vt_grab_add(vt_grab *g, const vt_addr *a, uint16_t port)
{
	if (g->n_jobs >= VT_GRAB_MAX_JOBS) {
		g->st.dropped++;
		return VT_EFULL;
	}
	if (g->n_jobs == g->cap_jobs) {
		size_t nc = g->cap_jobs ? g->cap_jobs * 2 : 64;
		job *nj = realloc(g->jobs, nc * sizeof(job));
		if (!nj)
			return VT_ENOMEM;
		g->jobs = nj;
		g->cap_jobs = nc;
	}
	job *j = &g->jobs[g->n_jobs++];
	memset(j, 0, sizeof(*j));
	j->addr = *a;
	j->port = port;
	g->st.ports++;
	return VT_OK;
}

static void ladder_start(vt_grab *g, job *j, int in_tls)
{
	j->in_tls = in_tls;
	vt_ladder_init(&j->lad, g->p, VT_PROTO_TCP, j->port, in_tls,
		       g->cfg.intensity);
	j->budget = j->probes + (unsigned)j->lad.n_listed + g->cfg.extra_probes;
}

static void emit(vt_grab *g, job *j, int final, const char *probe,
		 const uint8_t *data, size_t len, const vt_answer *a,
		 const char *end, uint64_t now)
{
	static const vt_answer none = {.type = "unknown"};
	vt_grab_result r = {
		.addr = &j->addr, .port = j->port, .final = final, .probe = probe,
		.data = data, .len = len, .tls = j->in_tls, .answer = a ? a : &none,
		.probes = j->probes, .elapsed_ms = (now - j->start_ns) / 1000000u,
		.end = end};
	if (j->tls && j->tls->have) {
		r.tls_subject = j->tls->subject;
		r.tls_issuer = j->tls->issuer;
		r.tls_sha256 = j->tls->sha256;
		r.tls_chain = j->tls->chain;
		r.tls_chain_len = j->tls->chain_len;
	}
	if (g->fn)
		g->fn(&r, g->user);
}

/* No rule named the port: as Nmap falls back on its port table, name the
 * protocol the bytes plainly speak (an HTTP status line, a TLS handshake),
 * with no rule and no confidence. */
static void fallback_name(job *j)
{
	const char *svc = NULL;
	if (j->best_len >= 9 && !memcmp(j->best, "HTTP/1.", 7))
		svc = "http";
	else if (j->tls && j->tls->have)
		svc = "ssl";
	if (!svc)
		return;
	if (!j->best_rank)
		memset(&j->best_ans, 0, sizeof(j->best_ans));
	if (!j->best_ans.type)
		j->best_ans.type = "unknown";
	snprintf(j->best_ans.service, sizeof(j->best_ans.service), "%s", svc);
}

static void job_finish(vt_grab *g, job *j, const char *end, uint64_t now)
{
	if (!j->best_rank && j->tls && j->tls->have) {
		/* Only a certificate: label it on its own. */
		vt_banner b = {.proto = VT_PROTO_TCP, .port = j->port,
			       .tls_subject = j->tls->subject,
			       .tls_issuer = j->tls->issuer,
			       .tls_sha256 = j->tls->sha256};
		if (vt_matcher_match(g->m, &b, &j->best_ans) == VT_OK &&
		    j->best_ans.rule[0])
			j->best_rank = 1;
	}
	if (!j->best_ans.service[0])
		fallback_name(j);
	emit(g, j, 1, j->best_probe, j->best, j->best_len,
	     j->best_rank || j->best_ans.service[0] ? &j->best_ans : NULL, end,
	     now);
	job_clear(j);
	j->state = J_DONE;
	g->st.done++;
}

static void label(vt_grab *g, conn *c)
{
	job *j = c->j;
	const vt_probe_info *pi = vt_probes_get(g->p, (size_t)c->probe);
	vt_banner b = {.proto = VT_PROTO_TCP, .port = j->port, .probe = pi->name,
		       .data = c->buf, .len = c->len};
	if (j->tls && j->tls->have) {
		b.tls_subject = j->tls->subject;
		b.tls_issuer = j->tls->issuer;
		b.tls_sha256 = j->tls->sha256;
	}
	vt_matcher_match(g->m, &b, &c->ans);
	c->matched_len = c->len;
	c->matches++;
}

static int rank(const vt_answer *a)
{
	if (!a->rule[0])
		return 1;
	return a->soft ? 2 : 3;
}

static void start_probe(vt_grab *g, job *j, uint64_t now);

/* The probe on c is over: label, record, go on or finish the job. */
static void probe_end(vt_grab *g, conn *c, uint64_t now)
{
	job *j = c->j;
	int hard = 0, ssl = 0;
	j->silent = c->len ? 0 : j->silent + 1;
	if (c->len) {
		if (c->matched_len != c->len || !c->matches)
			label(g, c);
		const vt_probe_info *pi = vt_probes_get(g->p, (size_t)c->probe);
		g->st.responses++;
		g->st.bytes += c->len;
		emit(g, j, 0, pi->name, c->buf, c->len, &c->ans, NULL, now);
		int r = rank(&c->ans);
		if (r > j->best_rank) {
			uint8_t *copy = malloc(c->len);
			if (copy) {
				memcpy(copy, c->buf, c->len);
				free(j->best);
				j->best = copy;
				j->best_len = c->len;
				j->best_probe = pi->name;
				j->best_rank = r;
				j->best_ans = c->ans;
			}
		}
		vt_nmap_result nr = {.matched = r == 3 ? 1 : r == 2 ? 2 : 0};
		snprintf(nr.service, sizeof(nr.service), "%s", c->ans.service);
		vt_ladder_result(&j->lad, &nr);
		hard = r == 3;
		ssl = !strcmp(c->ans.service, "ssl") && !j->in_tls;
	}
	conn_close(g, c);
	if (ssl && !j->tls_switched) {
		j->tls_switched = 1;
		ladder_start(g, j, 1);
		hard = 0;
	}
	if (hard)
		job_finish(g, j, "match", now);
	else
		start_probe(g, j, now);
}

static int want(vt_grab *g, conn *c, uint32_t ev)
{
	struct epoll_event e = {.events = ev, .data.ptr = c};
	return epoll_ctl(g->ep, EPOLL_CTL_MOD, c->fd, &e);
}

static uint64_t ms_ns(unsigned ms) { return (uint64_t)ms * 1000000u; }

static uint64_t clamp(const job *j, uint64_t t)
{
	return t < j->deadline_ns ? t : j->deadline_ns;
}

static void read_phase(vt_grab *g, conn *c, uint64_t now)
{
	const vt_probe_info *pi = vt_probes_get(g->p, (size_t)c->probe);
	unsigned wait = pi->payload_len ? g->cfg.probe_ms : g->cfg.null_ms;
	if (pi->payload_len && pi->totalwait_ms && pi->totalwait_ms < wait)
		wait = pi->totalwait_ms;
	c->phase = C_READ;
	c->deadline_ns = c->wait_end_ns = clamp(c->j, now + ms_ns(wait));
	want(g, c, EPOLLIN);
}

static void fail_tls(vt_grab *g, conn *c, uint64_t now)
{
	job *j = c->j;
	g->st.tls_fail++;
	conn_close(g, c);
	if (!j->tls_switched) { /* not TLS after all: go on in the clear */
		j->tls_switched = 1;
		ladder_start(g, j, 0);
		start_probe(g, j, now);
	} else {
		job_finish(g, j, "ladder", now);
	}
}

static void handshake(vt_grab *g, conn *c, uint64_t now)
{
	ERR_clear_error();
	int r = SSL_do_handshake(c->ssl);
	if (r == 1) {
		job *j = c->j;
		g->st.tls_ok++;
		if (!j->tls && (j->tls = malloc(sizeof(vt_tls_info))))
			vt_tls_cert(c->ssl, j->tls);
		c->phase = C_SEND;
		c->deadline_ns = clamp(j, now + ms_ns(g->cfg.probe_ms));
		want(g, c, EPOLLOUT);
		return;
	}
	int e = SSL_get_error(c->ssl, r);
	if (e == SSL_ERROR_WANT_READ)
		want(g, c, EPOLLIN);
	else if (e == SSL_ERROR_WANT_WRITE)
		want(g, c, EPOLLOUT);
	else
		fail_tls(g, c, now);
}

static void connected(vt_grab *g, conn *c, uint64_t now)
{
	int err = 0;
	socklen_t l = sizeof(err);
	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
	if (err) {
		job *j = c->j;
		g->st.connect_fail++;
		g->st.connect_errno = err;
		conn_close(g, c);
		job_finish(g, j, "refused", now);
		return;
	}
	if (c->j->in_tls) {
		c->ssl = SSL_new(g->ctx);
		if (!c->ssl || !SSL_set_fd(c->ssl, c->fd)) {
			fail_tls(g, c, now);
			return;
		}
		SSL_set_connect_state(c->ssl);
		c->phase = C_HANDSHAKE;
		c->deadline_ns = clamp(c->j, now + ms_ns(g->cfg.tls_ms));
		handshake(g, c, now);
		return;
	}
	c->phase = C_SEND;
	want(g, c, EPOLLOUT);
}

static void send_some(vt_grab *g, conn *c, uint64_t now)
{
	const vt_probe_info *pi = vt_probes_get(g->p, (size_t)c->probe);
	while (c->sent < pi->payload_len) {
		size_t left = pi->payload_len - c->sent;
		ssize_t n;
		if (c->ssl) {
			ERR_clear_error();
			int r = SSL_write(c->ssl, pi->payload + c->sent, (int)left);
			if (r <= 0) {
				int e = SSL_get_error(c->ssl, r);
				if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ)
					return;
				probe_end(g, c, now);
				return;
			}
			n = r;
		} else {
			n = send(c->fd, pi->payload + c->sent, left, MSG_NOSIGNAL);
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return;
			if (n <= 0) {
				probe_end(g, c, now);
				return;
			}
		}
		c->sent += (size_t)n;
	}
	read_phase(g, c, now);
}

/* Reads what is there; 1 when the probe is over. */
static int read_some(vt_grab *g, conn *c)
{
	size_t cap = g->cfg.max_bytes;
	while (c->len < cap) {
		ssize_t n;
		if (c->ssl) {
			ERR_clear_error();
			int r = SSL_read(c->ssl, c->buf + c->len, (int)(cap - c->len));
			if (r <= 0) {
				int e = SSL_get_error(c->ssl, r);
				return !(e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE);
			}
			n = r;
		} else {
			n = recv(c->fd, c->buf + c->len, cap - c->len, 0);
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return 0;
			if (n <= 0)
				return 1;
		}
		c->len += (size_t)n;
	}
	g->st.byte_caps++;
	return 1;
}

static void on_readable(vt_grab *g, conn *c, uint64_t now)
{
	size_t before = c->len;
	int over = read_some(g, c);
	/* Once bytes came, silence for idle_ms ends the response (a server
	 * that keeps the connection open after answering). */
	if (c->len > before && g->cfg.idle_ms) {
		uint64_t idle = now + ms_ns(g->cfg.idle_ms);
		c->deadline_ns = idle < c->wait_end_ns ? idle : c->wait_end_ns;
	}
	if (!over && c->len > before && c->matches < EARLY_MATCHES) {
		label(g, c);
		over = rank(&c->ans) == 3;
	}
	if (over)
		probe_end(g, c, now);
}

static conn *free_conn(vt_grab *g)
{
	for (unsigned i = 0; i < g->cfg.max_conns; i++)
		if (g->conns[i].fd < 0)
			return &g->conns[i];
	return NULL;
}

static void start_probe(vt_grab *g, job *j, uint64_t now)
{
	if (now >= j->deadline_ns) {
		g->st.port_timeouts++;
		job_finish(g, j, "port-time", now);
		return;
	}
	if (g->cfg.max_silent && j->silent >= g->cfg.max_silent) {
		if (j->tls_switched || j->in_tls || j->best_rank) {
			job_finish(g, j, "silent", now);
			return;
		}
		/* Silent in the clear: one TLS try before giving up. */
		j->tls_switched = 1;
		j->silent = 0;
		ladder_start(g, j, 1);
		j->budget = j->probes + 2;
	}
	int probe = j->probes < j->budget ? vt_ladder_next(&j->lad) : -1;
	if (probe < 0 && !j->best_rank && !j->in_tls && !j->tls_switched) {
		/* Not a word in the clear: try TLS once (a silent TLS port). */
		j->tls_switched = 1;
		ladder_start(g, j, 1);
		j->budget = j->probes + 2;
		probe = vt_ladder_next(&j->lad);
	}
	conn *c = probe >= 0 ? free_conn(g) : NULL;
	if (!c) {
		job_finish(g, j, "ladder", now);
		return;
	}
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	socklen_t sl;
	if (j->addr.ver == 4) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;
		in->sin_family = AF_INET;
		in->sin_port = htons(j->port);
		memcpy(&in->sin_addr, j->addr.a, 4);
		sl = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(j->port);
		memcpy(&in6->sin6_addr, j->addr.a, 16);
		sl = sizeof(*in6);
	}
	memset(c, 0, sizeof(*c));
	c->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	c->buf = malloc(g->cfg.max_bytes);
	if (c->fd < 0 || !c->buf) {
		if (c->fd >= 0)
			close(c->fd);
		free(c->buf);
		c->fd = -1;
		job_finish(g, j, "refused", now);
		return;
	}
	g->active++;
	c->j = j;
	c->probe = probe;
	c->phase = C_CONNECT;
	c->deadline_ns = clamp(j, now + ms_ns(g->cfg.connect_ms));
	j->probes++;
	g->st.connects++;
	struct epoll_event e = {.events = EPOLLOUT, .data.ptr = c};
	int r = connect(c->fd, (struct sockaddr *)&ss, sl);
	if ((r < 0 && errno != EINPROGRESS) ||
	    epoll_ctl(g->ep, EPOLL_CTL_ADD, c->fd, &e) < 0) {
		g->st.connect_fail++;
		g->st.connect_errno = errno;
		conn_close(g, c);
		job_finish(g, j, "refused", now);
	}
}

static unsigned host_active(const vt_grab *g, const vt_addr *a)
{
	unsigned n = 0;
	for (unsigned i = 0; i < g->cfg.max_conns; i++) {
		const conn *c = &g->conns[i];
		n += c->fd >= 0 && !memcmp(&c->j->addr, a, sizeof(*a));
	}
	return n;
}

/* Starts pending jobs while connections are free, per-host caps held. */
static void schedule(vt_grab *g, uint64_t now)
{
	while (g->next_pending < g->n_jobs &&
	       g->jobs[g->next_pending].state != J_PENDING)
		g->next_pending++;
	size_t looked = 0;
	for (size_t i = g->next_pending;
	     i < g->n_jobs && g->active < g->cfg.max_conns &&
	     looked < 4 * (size_t)g->cfg.max_conns;
	     i++) {
		job *j = &g->jobs[i];
		if (j->state != J_PENDING)
			continue;
		looked++;
		if (host_active(g, &j->addr) >= g->cfg.per_host)
			continue;
		j->state = J_ACTIVE;
		j->start_ns = now;
		j->deadline_ns = now + ms_ns(g->cfg.port_ms);
		ladder_start(g, j, vt_grab_tls_port(j->port));
		start_probe(g, j, now);
	}
}

static void on_event(vt_grab *g, conn *c, uint64_t now)
{
	switch (c->phase) {
	case C_CONNECT: connected(g, c, now); break;
	case C_HANDSHAKE: handshake(g, c, now); break;
	case C_SEND: send_some(g, c, now); break;
	default: on_readable(g, c, now); break;
	}
}

static void on_deadline(vt_grab *g, conn *c, uint64_t now)
{
	job *j = c->j;
	if (c->phase == C_CONNECT) {
		g->st.connect_fail++;
		g->st.connect_errno = ETIMEDOUT;
		conn_close(g, c);
		job_finish(g, j, "refused", now);
	} else if (c->phase == C_HANDSHAKE) {
		g->st.tls_fail++;
		conn_close(g, c);
		job_finish(g, j, "tls-time", now);
	} else {
		g->st.probe_timeouts++;
		probe_end(g, c, now);
	}
}

static int next_wait_ms(const vt_grab *g, uint64_t now)
{
	uint64_t best = now + ms_ns(200);
	for (unsigned i = 0; i < g->cfg.max_conns; i++)
		if (g->conns[i].fd >= 0 && g->conns[i].deadline_ns < best)
			best = g->conns[i].deadline_ns;
	return best <= now ? 0 : (int)((best - now + 999999) / 1000000);
}

int vt_grab_run(vt_grab *g, vt_grab_fn fn, void *user, volatile int *stop,
		void (*progress)(const vt_grab_stats *s, void *user))
{
	struct epoll_event ev[64];
	g->fn = fn;
	g->user = user;
	uint64_t last_progress = 0;
	while (g->st.done < g->n_jobs) {
		uint64_t now = vt_now_ns();
		if (stop && *stop)
			break;
		schedule(g, now);
		int n = epoll_wait(g->ep, ev, 64, next_wait_ms(g, now));
		if (n < 0 && errno != EINTR)
			return VT_EIO;
		now = vt_now_ns();
		for (int i = 0; i < n; i++) {
			conn *c = ev[i].data.ptr;
			if (c->fd >= 0)
				on_event(g, c, now);
		}
		for (unsigned i = 0; i < g->cfg.max_conns; i++)
			if (g->conns[i].fd >= 0 && g->conns[i].deadline_ns <= now)
				on_deadline(g, &g->conns[i], now);
		if (progress && now - last_progress > ms_ns(200)) {
			progress(&g->st, user);
			last_progress = now;
		}
	}
	/* Interrupted: report what each port has so far. */
	uint64_t now = vt_now_ns();
	for (unsigned i = 0; i < g->cfg.max_conns; i++)
		if (g->conns[i].fd >= 0) {
			job *j = g->conns[i].j;
			conn_close(g, &g->conns[i]);
			job_finish(g, j, "interrupted", now);
		}
	return VT_OK;
}
