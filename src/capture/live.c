/*
 * Live capture (see include/vantage/live.h): one libpcap handle, one
 * passive pipeline and one thread per worker. Each handle uses TPACKET_V3
 * (libpcap's default on Linux when immediate mode is off): the kernel
 * fills blocks of the ring and hands a block over when it is full or its
 * retire timeout passes, so a busy capture costs one wakeup per block.
 * With several workers, the handles join one PACKET_FANOUT_HASH group; the
 * kernel hashes each frame's flow symmetrically (__skb_get_hash_symmetric
 * in net/packet/af_packet.c), so both directions of a flow reach the same
 * worker and a flow is never split.
 *
 * Locking: a worker holds its mutex while it runs its pipeline on a batch
 * of frames (pcap_dispatch on a non-blocking handle) and waits for frames
 * (poll) without it. The caller's thread takes a worker's mutex to read
 * its tables or kernel counters; it raises `want` first so the worker,
 * which re-locks at once after each batch, steps aside instead of barging.
 */
#include "vantage/live.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "vantage/error.h"

#define BATCH 4096          /* frames per pcap_dispatch: bounds lock time */
#define EXPIRE_LAG_US 2000000 /* idle expiry runs this far behind the clock */

typedef struct worker {
	struct vt_live *l;
	unsigned idx;
	pcap_t *pcap;
	int dlt;
	vt_passive *pass;
	pthread_t thread;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	atomic_int want;       /* the caller waits for mu */
	vt_flow_rec *q;        /* ended flows for the caller (under mu) */
	size_t q_n, q_cap;
	uint64_t q_drops;
	struct pcap_stat ks;   /* last kernel counters read (under mu) */
	char err[VT_ERRBUF_LEN];
} worker;

struct vt_live {
	worker *w;
	unsigned n;
	size_t q_max;
	int timeout_ms;
	atomic_int stop;
	int stopped;
	int direct;            /* threads gone: ended flows go to the sink */
	vt_passive_cfg pc;
	vt_flow_sink sink;
	void *sink_user;
	uint64_t sink_errors;
	int first_sink_error;
	char err[VT_ERRBUF_LEN];
};

static uint64_t now_us(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

static void to_sink(vt_live *l, const vt_flow_rec *f)
{
	if (!l->sink)
		return;
	int e = l->sink(f, l->sink_user);
	if (e != VT_OK) {
		if (!l->sink_errors)
			l->first_sink_error = e;
		l->sink_errors++;
	}
}

/* The pipeline's sink: queue for the caller (or hand over, once alone). */
static int queue_flow(const vt_flow_rec *f, void *user)
{
	worker *w = user;
	if (w->l->direct) {
		to_sink(w->l, f);
		return VT_OK;
	}
	if (w->q_n == w->q_cap) {
		size_t nc = w->q_cap ? w->q_cap * 2 : 1024;
		vt_flow_rec *nq;
		if (w->q_n >= w->l->q_max ||
		    !(nq = realloc(w->q, nc * sizeof(*nq)))) {
			w->q_drops++;
			return VT_OK; /* counted here, not as a sink error */
		}
		w->q = nq;
		w->q_cap = nc;
	}
	w->q[w->q_n++] = *f;
	return VT_OK;
}

static void on_frame(u_char *user, const struct pcap_pkthdr *h,
		     const u_char *data)
{
	worker *w = (worker *)user;
	vt_frame f = {.dlt = w->dlt, .data = data, .caplen = h->caplen,
		      .wirelen = h->len, .source = w->idx,
		      .ts_us = (uint64_t)h->ts.tv_sec * 1000000u +
			       (uint64_t)h->ts.tv_usec};
	vt_passive_frame(w->pass, &f);
}

static void grab(worker *w)
{
	atomic_store(&w->want, 1);
	pthread_mutex_lock(&w->mu);
}

static void release(worker *w)
{
	atomic_store(&w->want, 0);
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

/* One batch under the lock; <0 on a capture error (kept in w->err). */
static int batch(worker *w)
{
	pthread_mutex_lock(&w->mu);
	while (atomic_load(&w->want))
		pthread_cond_wait(&w->cv, &w->mu);
	int n = pcap_dispatch(w->pcap, BATCH, on_frame, (u_char *)w);
	if (n == 0)
		vt_passive_expire(w->pass, now_us() - EXPIRE_LAG_US);
	if (n < 0)
		snprintf(w->err, sizeof(w->err), "%s", pcap_geterr(w->pcap));
	pthread_mutex_unlock(&w->mu);
	return n;
}

static void *run(void *arg)
{
	worker *w = arg;
	struct pollfd pfd = {.fd = pcap_get_selectable_fd(w->pcap),
			     .events = POLLIN};
	while (!atomic_load(&w->l->stop)) {
		int n = batch(w);
		if (n < 0)
			break;
		if (n < BATCH && poll(&pfd, 1, w->l->timeout_ms) < 0 &&
		    errno != EINTR)
			break;
		if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) {
			/* e.g. the interface went down or away */
			if (batch(w) <= 0 && !w->err[0])
				snprintf(w->err, sizeof(w->err),
					 "capture socket error");
			if (w->err[0])
				break;
		}
	}
	return NULL;
}

static int set_opts(pcap_t *p, const vt_live_cfg *cfg, char *errbuf)
{
	size_t buf = cfg->buffer_bytes ? cfg->buffer_bytes
				       : VT_LIVE_DEFAULT_BUFFER;
	if (buf > INT32_MAX) {
		snprintf(errbuf, VT_ERRBUF_LEN, "buffer too large");
		return VT_EINVAL;
	}
	int rc = pcap_set_snaplen(p, cfg->snaplen ? cfg->snaplen : 262144);
	rc |= pcap_set_promisc(p, !cfg->no_promisc);
	rc |= pcap_set_timeout(p, cfg->block_timeout_ms ? cfg->block_timeout_ms
							: 100);
	rc |= pcap_set_immediate_mode(p, 0);
	rc |= pcap_set_buffer_size(p, (int)buf);
	rc |= pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_MICRO);
	if (rc) {
		snprintf(errbuf, VT_ERRBUF_LEN, "%s: cannot set options",
			 cfg->iface);
		return VT_EINVAL;
	}
	return VT_OK;
}

static int activate(worker *w, const vt_live_cfg *cfg, char *errbuf)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	w->pcap = pcap_create(cfg->iface, perr);
	if (!w->pcap) {
		snprintf(errbuf, VT_ERRBUF_LEN, "%s: %s", cfg->iface, perr);
		return VT_EIO;
	}
	if (set_opts(w->pcap, cfg, errbuf))
		return VT_EINVAL;
	int rc = pcap_activate(w->pcap);
	if (rc < 0) {
		const char *why = rc == PCAP_ERROR_PERM_DENIED
			? "permission denied (needs CAP_NET_RAW)"
			: rc == PCAP_ERROR_NO_SUCH_DEVICE ? "no such interface"
			: rc == PCAP_ERROR_IFACE_NOT_UP	  ? "interface is down"
							  : pcap_geterr(w->pcap);
		snprintf(errbuf, VT_ERRBUF_LEN, "%s: %s", cfg->iface, why);
		return VT_EIO;
	}
	w->dlt = pcap_datalink(w->pcap);
	if (!vt_dissect_linktype_ok(w->dlt)) {
		snprintf(errbuf, VT_ERRBUF_LEN, "%s: unsupported link type %d",
			 cfg->iface, w->dlt);
		return VT_EUNSUP;
	}
	if (pcap_setnonblock(w->pcap, 1, perr) < 0) {
		snprintf(errbuf, VT_ERRBUF_LEN, "%s: %s", cfg->iface, perr);
		return VT_EIO;
	}
	return VT_OK;
}

/*
 * Joins handle i to the group: the first asks the kernel for an unused
 * group id (PACKET_FANOUT_FLAG_UNIQUEID), the others join that id.
 */
static int join_fanout(vt_live *l, unsigned i, uint16_t *id, char *errbuf)
{
	int fd = pcap_fileno(l->w[i].pcap);
	uint32_t v = i == 0 ? (uint32_t)(PACKET_FANOUT_HASH |
					 PACKET_FANOUT_FLAG_UNIQUEID) << 16
			    : (uint32_t)PACKET_FANOUT_HASH << 16 | *id;
	if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &v, sizeof(v)) < 0) {
		snprintf(errbuf, VT_ERRBUF_LEN, "fanout: %s", strerror(errno));
		return VT_EIO;
	}
	if (i == 0) {
		socklen_t len = sizeof(v);
		if (getsockopt(fd, SOL_PACKET, PACKET_FANOUT, &v, &len) < 0) {
			snprintf(errbuf, VT_ERRBUF_LEN, "fanout id: %s",
				 strerror(errno));
			return VT_EIO;
		}
		*id = (uint16_t)(v & 0xffff);
	}
	return VT_OK;
}

static int init_worker(vt_live *l, unsigned i, const vt_live_cfg *cfg,
		       char *errbuf)
{
	worker *w = &l->w[i];
	w->l = l;
	w->idx = i;
	atomic_init(&w->want, 0);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	vt_passive_cfg pc = cfg->passive;
	pc.sink = queue_flow;
	pc.sink_user = w;
	w->pass = vt_passive_new(&pc);
	if (!w->pass) {
		snprintf(errbuf, VT_ERRBUF_LEN, "out of memory");
		return VT_ENOMEM;
	}
	return activate(w, cfg, errbuf);
}

vt_live *vt_live_open(const vt_live_cfg *cfg, char *errbuf)
{
	unsigned n = cfg->threads ? cfg->threads : 1;
	if (n > VT_LIVE_MAX_THREADS || !cfg->iface) {
		snprintf(errbuf, VT_ERRBUF_LEN, "bad configuration");
		return NULL;
	}
	vt_live *l = calloc(1, sizeof(*l));
	if (!l || !(l->w = calloc(n, sizeof(*l->w)))) {
		free(l);
		snprintf(errbuf, VT_ERRBUF_LEN, "out of memory");
		return NULL;
	}
	l->n = n;
	l->q_max = cfg->max_queued_flows ? cfg->max_queued_flows
					 : VT_LIVE_DEFAULT_QUEUE;
	l->timeout_ms = cfg->block_timeout_ms ? cfg->block_timeout_ms : 100;
	l->sink = cfg->sink;
	l->sink_user = cfg->sink_user;
	l->pc = cfg->passive;
	l->stopped = 1; /* nothing to stop until started */
	atomic_init(&l->stop, 0);
	uint16_t id = 0;
	for (unsigned i = 0; i < n; i++) {
		if (init_worker(l, i, cfg, errbuf) ||
		    (n > 1 && join_fanout(l, i, &id, errbuf))) {
			l->n = i + 1;
			vt_live_close(l);
			return NULL;
		}
	}
	return l;
}

int vt_live_start(vt_live *l, char *errbuf)
{
	l->stopped = 0;
	for (unsigned i = 0; i < l->n; i++) {
		int e = pthread_create(&l->w[i].thread, NULL, run, &l->w[i]);
		if (e) {
			snprintf(errbuf, VT_ERRBUF_LEN, "thread: %s",
				 strerror(e));
			vt_live_stop(l);
			return VT_ENOMEM;
		}
		l->w[i].started = 1;
	}
	return VT_OK;
}

size_t vt_live_drain(vt_live *l)
{
	size_t total = 0;
	for (unsigned i = 0; i < l->n; i++) {
		worker *w = &l->w[i];
		grab(w);
		vt_flow_rec *q = w->q;
		size_t n = w->q_n;
		w->q = NULL;
		w->q_n = w->q_cap = 0;
		release(w);
		for (size_t k = 0; k < n; k++)
			to_sink(l, &q[k]);
		free(q);
		total += n;
	}
	return total;
}

int vt_live_devices(vt_live *l, vt_devrec **out, size_t *n_out,
		    vt_devtab_counters *counters)
{
	vt_devtab_cfg dc = l->pc.dev;
	vt_devtab *acc = vt_devtab_new(&dc);
	if (!acc)
		return VT_ENOMEM;
	for (unsigned i = 0; i < l->n; i++) {
		grab(&l->w[i]);
		vt_devtab_merge(acc, vt_passive_devices(l->w[i].pass));
		release(&l->w[i]);
	}
	int e = vt_devtab_export(acc, out, n_out);
	if (counters)
		*counters = *vt_devtab_stats(acc);
	vt_devtab_free(acc);
	return e;
}

static void add_dis(vt_dis_stats *a, const vt_dis_stats *b)
{
	for (int p = 0; p < VT_P_COUNT; p++) {
		a->seen[p] += b->seen[p];
		for (int r = 0; r < VT_DIS_NRESULTS; r++)
			a->result[p][r] += b->result[p][r];
	}
	a->fragments += b->fragments;
	a->frames += b->frames;
}

static void add_flow(vt_flow_stats *a, const vt_flow_stats *b)
{
	a->created += b->created;
	a->ended_idle += b->ended_idle;
	a->evicted += b->evicted;
	a->reused += b->reused;
	a->flushed += b->flushed;
	a->packets += b->packets;
	a->max_active += b->max_active;
	a->alloc_failures += b->alloc_failures;
}

static void add_passive(vt_passive_stats *a, const vt_passive_stats *b)
{
	a->frames += b->frames;
	a->ip_packets += b->ip_packets;
	a->flows_ended += b->flows_ended;
	if (b->first_us && (!a->first_us || b->first_us < a->first_us))
		a->first_us = b->first_us;
	if (b->last_us > a->last_us)
		a->last_us = b->last_us;
}

static void add_dev(vt_devtab_counters *a, const vt_devtab_counters *b)
{
	a->devices += b->devices;
	a->device_drops += b->device_drops;
	a->binding_drops += b->binding_drops;
	a->service_drops += b->service_drops;
	a->peer_drops += b->peer_drops;
	a->signal_drops += b->signal_drops;
	a->flows_unattributed += b->flows_unattributed;
}

/* Reads the kernel counters into w->ks (under mu; they only grow). */
static void read_kernel(worker *w)
{
	struct pcap_stat ks;
	if (w->pcap && pcap_stats(w->pcap, &ks) == 0)
		w->ks = ks;
}

void vt_live_stats_get(vt_live *l, vt_live_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->threads = l->n;
	for (unsigned i = 0; i < l->n; i++) {
		worker *w = &l->w[i];
		grab(w);
		read_kernel(w);
		out->kernel_drops += w->ks.ps_drop;
		out->if_drops += w->ks.ps_ifdrop;
		out->queue_drops += w->q_drops;
		out->thread_frames[i] = vt_passive_counters(w->pass)->frames;
		add_passive(&out->passive, vt_passive_counters(w->pass));
		add_dis(&out->dis, vt_passive_dis_stats(w->pass));
		add_flow(&out->flow, vt_passive_flow_stats(w->pass));
		add_dev(&out->dev, vt_devtab_stats(vt_passive_devices(w->pass)));
		release(w);
	}
	out->received = out->passive.frames;
	out->sink_errors = l->sink_errors;
	out->first_sink_error = l->first_sink_error;
	out->passive.sink_errors = l->sink_errors;
	out->passive.first_sink_error = l->first_sink_error;
}

/* After the threads: what the kernel still holds, then the open flows. */
static void finish_worker(worker *w, int timeout_ms)
{
	struct pollfd pfd = {.fd = pcap_get_selectable_fd(w->pcap),
			     .events = POLLIN};
	/* a partly filled block is handed over at its retire timeout */
	poll(&pfd, 1, timeout_ms + 10);
	while (pcap_dispatch(w->pcap, BATCH, on_frame, (u_char *)w) > 0)
		;
	read_kernel(w);
	vt_passive_finish(w->pass);
}

void vt_live_stop(vt_live *l)
{
	if (!l || l->stopped)
		return;
	l->stopped = 1;
	atomic_store(&l->stop, 1);
	for (unsigned i = 0; i < l->n; i++)
		if (l->w[i].started)
			pthread_join(l->w[i].thread, NULL);
	vt_live_drain(l); /* queued flows first, in the order they ended */
	l->direct = 1;
	for (unsigned i = 0; i < l->n; i++)
		finish_worker(&l->w[i], l->timeout_ms);
}

const char *vt_live_error(const vt_live *l)
{
	for (unsigned i = 0; l && i < l->n; i++)
		if (l->w[i].err[0])
			return l->w[i].err;
	return NULL;
}

void vt_live_close(vt_live *l)
{
	if (!l)
		return;
	vt_live_stop(l);
	for (unsigned i = 0; i < l->n; i++) {
		worker *w = &l->w[i];
		vt_passive_free(w->pass);
		if (w->pcap)
			pcap_close(w->pcap);
		free(w->q);
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->cv);
	}
	free(l->w);
	free(l);
}
