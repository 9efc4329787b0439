/*
 * Unit tests: merging device tables (vt_devtab_merge), as `vantage watch`
 * does with its per-thread pipelines. Real captures from data/demo are
 * run once through one pipeline and once spread over three pipelines by a
 * symmetric flow hash (what the kernel's PACKET_FANOUT_HASH does); the
 * merged records must equal the single pipeline's in every counter, list
 * and flag. Merging one table twice doubles the counts but not the sets
 * (external peers, bindings, services, signals are united by key).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vantage/capture.h"
#include "vantage/device.h"
#include "vantage/error.h"
#include "vantage/passive.h"

#define SHARDS 3

static const char *const CAPS[] = {
	"xiaobai_Y2camera_idle_local.pcap", "xiaobai_Y2camera_setup.pcap",
	"xiaodu_plug_on_voice.pcap", "xiaodu_plug_setup.pcap"};
#define NCAPS (sizeof(CAPS) / sizeof(CAPS[0]))

/* Symmetric: both directions of a flow give the same shard. */
static unsigned shard_of(const vt_pkt *p, uint64_t n)
{
	if (!(p->has & VT_HAS_IP))
		return (unsigned)(n % SHARDS); /* ARP etc.: anywhere */
	size_t al = p->ipver == 4 ? 4 : 16;
	uint32_t a = 2166136261u, b = 2166136261u;
	for (size_t i = 0; i < al; i++) {
		a = (a ^ p->ip_src[i]) * 16777619u;
		b = (b ^ p->ip_dst[i]) * 16777619u;
	}
	uint32_t ports = p->ip_frag ? 0 : (uint32_t)(p->sport ^ p->dport);
	return (unsigned)(((a ^ b) + p->ip_proto + ports) % SHARDS);
}

/* Runs the demo captures through 1 and SHARDS pipelines. */
static void run(vt_passive *one, vt_passive **many)
{
	const char *src = getenv("VT_SRCDIR");
	char paths[NCAPS][1024];
	const char *pp[NCAPS];
	for (size_t i = 0; i < NCAPS; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/data/demo/%s",
			 src ? src : ".", CAPS[i]);
		pp[i] = paths[i];
	}
	char err[VT_ERRBUF_LEN];
	vt_capture *c = vt_capture_open(pp, NCAPS, err);
	if (!c)
		fail_msg("%s", err);
	vt_frame f;
	vt_pkt pk;
	vt_dis_stats ds;
	uint64_t n = 0;
	memset(&ds, 0, sizeof(ds));
	while (vt_capture_next(c, &f) == 1) {
		vt_dissect_frame(f.dlt, f.data, f.caplen, f.wirelen, f.ts_us,
				 &pk, &ds);
		vt_passive_frame(one, &f);
		vt_passive_frame(many[shard_of(&pk, n++)], &f);
	}
	vt_capture_close(c);
	vt_passive_finish(one);
	for (int i = 0; i < SHARDS; i++)
		vt_passive_finish(many[i]);
}

static void same_rec(const vt_devrec *a, const vt_devrec *b)
{
	assert_memory_equal(a->mac, b->mac, 6);
	assert_int_equal(a->gateway, b->gateway);
	assert_int_equal(a->randomized, b->randomized);
	assert_int_equal(a->first_us, b->first_us);
	assert_int_equal(a->last_us, b->last_us);
	assert_int_equal(a->packets_sent, b->packets_sent);
	assert_int_equal(a->bytes_sent, b->bytes_sent);
	assert_int_equal(a->packets_recv, b->packets_recv);
	assert_int_equal(a->bytes_recv, b->bytes_recv);
	assert_int_equal(a->flows, b->flows);
	assert_int_equal(a->local_flows, b->local_flows);
	assert_int_equal(a->external_flows, b->external_flows);
	assert_int_equal(a->local_bytes, b->local_bytes);
	assert_int_equal(a->external_bytes, b->external_bytes);
	assert_int_equal(a->external_peers, b->external_peers);
	assert_int_equal(a->n_ips, b->n_ips);
	/* A binding's first_us is its first frame processed; captures are not
	 * always in time order, so the shards' earliest can be earlier. */
	for (size_t i = 0; i < a->n_ips; i++) {
		const vt_ipbind *x = &a->ips[i], *y = NULL;
		for (size_t j = 0; j < b->n_ips && !y; j++)
			if (b->ips[j].ver == x->ver &&
			    !memcmp(b->ips[j].addr, x->addr, 16))
				y = &b->ips[j];
		assert_non_null(y);
		assert_int_equal(x->sources, y->sources);
		assert_int_equal(x->last_us, y->last_us);
		assert_true(y->first_us <= x->first_us);
	}
	assert_int_equal(a->n_services, b->n_services);
	/* Flow times are clamped to the flow table's clock when a capture
	 * goes back in time; a shard's clock lags the single table's. */
	for (size_t i = 0; i < a->n_services; i++) {
		const vt_service *x = &a->services[i], *y = &b->services[i];
		assert_int_equal(x->proto, y->proto);
		assert_int_equal(x->port, y->port);
		assert_int_equal(x->role, y->role);
		assert_int_equal(x->scope, y->scope);
		assert_int_equal(x->flows, y->flows);
		assert_int_equal(x->bytes, y->bytes);
		assert_true(y->first_us <= x->first_us);
		assert_true(y->last_us <= x->last_us);
	}
	assert_int_equal(a->n_signals, b->n_signals);
	for (size_t i = 0; i < a->n_signals; i++) {
		const vt_signal *x = &a->signals[i];
		const vt_signal *y = NULL;
		for (size_t j = 0; j < b->n_signals && !y; j++)
			if (!strcmp(x->name, b->signals[j].name) &&
			    x->len == b->signals[j].len &&
			    !memcmp(x->value, b->signals[j].value, x->len))
				y = &b->signals[j];
		assert_non_null(y);
		/* SYN signatures and TLS fingerprints are costly: each table
		 * does at most a budget of them per device, so N tables may
		 * count up to N times as many repeats. */
		if (!strcmp(x->name, "tcp_syn") || !strncmp(x->name, "tls_ja", 6)) {
			assert_true(y->count >= x->count);
			assert_true(y->count <= SHARDS * x->count);
			assert_int_equal(x->first_us, y->first_us);
			continue;
		}
		assert_int_equal(x->count, y->count);
		assert_int_equal(x->first_us, y->first_us);
		assert_int_equal(x->last_us, y->last_us);
	}
}

static void free_recs(vt_devrec *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		vt_devrec_cleanup(&r[i]);
	free(r);
}

static void sharded_equals_single(void **state)
{
	(void)state;
	vt_passive_cfg cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.flow.tcp_timeout_s = cfg.flow.udp_timeout_s = 86400;
	vt_passive *one = vt_passive_new(&cfg), *many[SHARDS];
	for (int i = 0; i < SHARDS; i++)
		many[i] = vt_passive_new(&cfg);
	run(one, many);
	vt_devtab *acc = vt_devtab_new(NULL);
	for (int i = 0; i < SHARDS; i++) {
		/* every shard saw part of the traffic */
		assert_true(vt_passive_counters(many[i])->frames > 0);
		assert_int_equal(vt_devtab_merge(acc, vt_passive_devices(many[i])),
				 VT_OK);
	}
	vt_devrec *a, *b;
	size_t na, nb;
	assert_int_equal(vt_devtab_export(vt_passive_devices(one), &a, &na), VT_OK);
	assert_int_equal(vt_devtab_export(acc, &b, &nb), VT_OK);
	assert_true(na >= 3);
	assert_int_equal(na, nb);
	int signals = 0, peers = 0;
	for (size_t i = 0; i < na; i++) {
		same_rec(&a[i], &b[i]);
		signals += a[i].n_signals > 0;
		peers += a[i].external_peers > 1;
	}
	assert_true(signals > 0); /* the comparison covered signals ... */
	assert_true(peers > 0);   /* ... and peer sets */
	free_recs(a, na);
	free_recs(b, nb);
	vt_devtab_free(acc);
	vt_passive_free(one);
	for (int i = 0; i < SHARDS; i++)
		vt_passive_free(many[i]);
}

static void twice_doubles_counts_not_sets(void **state)
{
	(void)state;
	vt_passive_cfg cfg;
	memset(&cfg, 0, sizeof(cfg));
	vt_passive *one = vt_passive_new(&cfg), *many[SHARDS];
	for (int i = 0; i < SHARDS; i++)
		many[i] = vt_passive_new(&cfg);
	run(one, many);
	vt_devtab *acc = vt_devtab_new(NULL);
	vt_devtab_merge(acc, vt_passive_devices(one));
	vt_devtab_merge(acc, vt_passive_devices(one));
	vt_devrec *a, *b;
	size_t na, nb;
	assert_int_equal(vt_devtab_export(vt_passive_devices(one), &a, &na), VT_OK);
	assert_int_equal(vt_devtab_export(acc, &b, &nb), VT_OK);
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		assert_int_equal(2 * a[i].packets_sent, b[i].packets_sent);
		assert_int_equal(2 * a[i].bytes_recv, b[i].bytes_recv);
		assert_int_equal(2 * a[i].flows, b[i].flows);
		assert_int_equal(a[i].external_peers, b[i].external_peers);
		assert_int_equal(a[i].n_ips, b[i].n_ips);
		assert_int_equal(a[i].n_services, b[i].n_services);
		assert_int_equal(a[i].n_signals, b[i].n_signals);
		for (size_t j = 0; j < a[i].n_services; j++)
			assert_int_equal(2 * a[i].services[j].bytes,
					 b[i].services[j].bytes);
		assert_int_equal(a[i].first_us, b[i].first_us);
		assert_int_equal(a[i].gateway, b[i].gateway);
	}
	free_recs(a, na);
	free_recs(b, nb);
	vt_devtab_free(acc);
	vt_passive_free(one);
	for (int i = 0; i < SHARDS; i++)
		vt_passive_free(many[i]);
}

static void device_cap_counts(void **state)
{
	(void)state;
	vt_passive_cfg cfg;
	memset(&cfg, 0, sizeof(cfg));
	vt_passive *one = vt_passive_new(&cfg), *many[SHARDS];
	for (int i = 0; i < SHARDS; i++)
		many[i] = vt_passive_new(&cfg);
	run(one, many);
	vt_devtab_cfg dc = {.max_devices = 1};
	vt_devtab *acc = vt_devtab_new(&dc);
	vt_devtab_merge(acc, vt_passive_devices(one));
	const vt_devtab_counters *c = vt_devtab_stats(acc);
	assert_int_equal(c->devices, 1);
	assert_true(c->device_drops > 0); /* the others' frames, counted */
	vt_devtab_free(acc);
	vt_passive_free(one);
	for (int i = 0; i < SHARDS; i++)
		vt_passive_free(many[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sharded_equals_single),
		cmocka_unit_test(twice_doubles_counts_not_sets),
		cmocka_unit_test(device_cap_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
