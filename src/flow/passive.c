/*
 * The passive pipeline driver (see passive.h): one frame at a time through
 * the dissectors, the device table and the flow table; each ended flow is
 * shared out to devices and turned into a row for the sink.
 */
#include "vantage/passive.h"

#include <stdlib.h>
#include <string.h>

#include "flow/signals.h"
#include "vantage/error.h"

struct vt_passive {
	vt_flowtab *flows;
	vt_devtab *devs;
	vt_flow_sink sink;
	void *sink_user;
	int signals;
	vt_dis_stats dis;
	vt_passive_stats st;
	vt_pkt pkt;
};

static void to_row(const vt_flow *f, const vt_flow_sides *sd, vt_flow_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->ipver = f->ver;
	r->proto = f->proto;
	memcpy(r->ip_a, f->ip[0], 16);
	memcpy(r->ip_b, f->ip[1], 16);
	r->port_a = f->port[0];
	r->port_b = f->port[1];
	r->has_mac_a = sd->has_mac[0];
	r->has_mac_b = sd->has_mac[1];
	memcpy(r->mac_a, sd->mac[0], 6);
	memcpy(r->mac_b, sd->mac[1], 6);
	int ext = !sd->local[0] || !sd->local[1];
	r->scope = ext ? VT_SCOPE_EXTERNAL : VT_SCOPE_LOCAL;
	r->first_us = f->first_us;
	r->last_us = f->last_us;
	r->packets_ab = f->pkts[0];
	r->bytes_ab = f->bytes[0];
	r->packets_ba = f->pkts[1];
	r->bytes_ba = f->bytes[1];
}

static void on_flow_end(const vt_flow *f, int reason, void *user)
{
	vt_passive *p = user;
	(void)reason;
	vt_flow_sides sd;
	p->st.flows_ended++;
	vt_devtab_flow_end(p->devs, f, &sd);
	if (!p->sink)
		return;
	vt_flow_rec r;
	to_row(f, &sd, &r);
	int e = p->sink(&r, p->sink_user);
	if (e != VT_OK) {
		if (!p->st.sink_errors)
			p->st.first_sink_error = e;
		p->st.sink_errors++;
	}
}

vt_passive *vt_passive_new(const vt_passive_cfg *cfg)
{
	vt_passive *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->sink = cfg->sink;
	p->signals = !cfg->no_signals;
	p->sink_user = cfg->sink_user;
	p->devs = vt_devtab_new(&cfg->dev);
	p->flows = vt_flowtab_new(&cfg->flow, on_flow_end, p);
	if (!p->devs || !p->flows) {
		vt_passive_free(p);
		return NULL;
	}
	return p;
}

void vt_passive_free(vt_passive *p)
{
	if (!p)
		return;
	vt_flowtab_free(p->flows); /* flushes: devices still exist */
	vt_devtab_free(p->devs);
	free(p);
}

void vt_passive_frame(vt_passive *p, const vt_frame *f)
{
	vt_pkt *pk = &p->pkt;
	vt_dissect_frame(f->dlt, f->data, f->caplen, f->wirelen, f->ts_us, pk,
			 &p->dis);
	p->st.frames++;
	if (!p->st.first_us || f->ts_us < p->st.first_us)
		p->st.first_us = f->ts_us;
	if (f->ts_us > p->st.last_us)
		p->st.last_us = f->ts_us;
	int64_t dev[2];
	vt_flow *fl;
	vt_devtab_frame(p->devs, pk, dev);
	if (!(pk->has & VT_HAS_IP))
		return;
	p->st.ip_packets++;
	int s = vt_flowtab_packet(p->flows, pk, &fl);
	if (s >= 0)
		vt_devtab_tag_flow(fl, s, dev);
	if (p->signals)
		vt_signals_packet(p->devs, pk, dev, s >= 0 ? fl : NULL,
				  s >= 0 ? s : 0);
}

void vt_passive_finish(vt_passive *p) { vt_flowtab_flush(p->flows); }
void vt_passive_expire(vt_passive *p, uint64_t now_us)
{
	vt_flowtab_expire(p->flows, now_us);
}
vt_devtab *vt_passive_devices(vt_passive *p) { return p->devs; }
const vt_passive_stats *vt_passive_counters(const vt_passive *p) { return &p->st; }
const vt_dis_stats *vt_passive_dis_stats(const vt_passive *p) { return &p->dis; }
const vt_flow_stats *vt_passive_flow_stats(const vt_passive *p)
{
	return vt_flowtab_stats(p->flows);
}
