/*
 * The live device table (see include/vantage/device.h): per-device L2
 * counters, IP bindings, gateway votes, and the per-flow share of each
 * device. Four capped hash indexes: devices by key (MAC or IP), IP ->
 * device bindings, and services by (device, proto, port, role, scope);
 * external peers are a small set per device.
 */
#include "vantage/device.h"

#include <stdlib.h>
#include <string.h>

#include "flow/devtab_int.h"
#include "vantage/error.h"

static int dev_eq(const void *ctx, uint32_t i, const void *key)
{
	return !memcmp(((const vt_devtab *)ctx)->devs[i].key, key, DEVKEY_LEN);
}

void vt_devtab_mac_key(uint8_t key[DEVKEY_LEN], const uint8_t mac[6])
{
	memset(key, 0, DEVKEY_LEN);
	memcpy(key + 1, mac, 6);
}

void vt_devtab_ip_key(uint8_t key[DEVKEY_LEN], uint8_t ver, const uint8_t *ip)
{
	memset(key, 0, DEVKEY_LEN);
	key[0] = ver;
	memcpy(key + 1, ip, ver == 4 ? 4 : 16);
}

vt_devtab *vt_devtab_new(const vt_devtab_cfg *cfg)
{
	vt_devtab *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->max_devices = cfg && cfg->max_devices ? cfg->max_devices
						 : VT_DEVTAB_DEFAULT_MAX;
	t->max_peers = cfg && cfg->max_peers ? cfg->max_peers : 1u << 22;
	if (cfg && cfg->n_local_nets) {
		size_t n = cfg->n_local_nets;
		if (n > VT_DEVTAB_MAX_LOCALNETS)
			n = VT_DEVTAB_MAX_LOCALNETS;
		memcpy(t->nets, cfg->local_nets, n * sizeof(vt_cidr));
		t->n_nets = n;
	}
	for (int i = 0; i < 4; i++)
		t->cache_dev[i] = UINT32_MAX;
	if (vt_hidx_init(&t->idx, t->max_devices) ||
	    vt_hidx_init(&t->bidx, t->max_devices * VT_DEV_MAX_IPS) ||
	    vt_hidx_init(&t->sidx, t->max_devices * VT_DEV_MAX_SERVICES)) {
		vt_devtab_free(t);
		return NULL;
	}
	return t;
}

void vt_devtab_free(vt_devtab *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_devs; i++) {
		vt_devrec_cleanup(&t->devs[i].r);
		free(t->devs[i].peers.keys);
		free(t->devs[i].sig_hash);
	}
	free(t->devs);
	free(t->binds);
	free(t->svcs);
	vt_hidx_cleanup(&t->idx);
	vt_hidx_cleanup(&t->bidx);
	vt_hidx_cleanup(&t->sidx);
	free(t);
}

/* Grows an array of `size`-byte elements to hold n+1; 0 on success. */
int vt_devtab_reserve(void **arr, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 64;
	void *na = realloc(*arr, nc * size);
	if (!na)
		return -1;
	*arr = na;
	*cap = nc;
	return 0;
}

/* Finds or creates the device for key; -1 when the table is full. */
int64_t vt_devtab_get(vt_devtab *t, const uint8_t key[DEVKEY_LEN],
		      uint64_t ts_us)
{
	uint32_t h = vt_hash_bytes(key, DEVKEY_LEN, 0xd3);
	int64_t i = vt_hidx_find(&t->idx, h, dev_eq, t, key);
	if (i >= 0)
		return i;
	if (t->n_devs >= t->max_devices ||
	    vt_devtab_reserve((void **)&t->devs, &t->cap_devs, t->n_devs,
			      sizeof(*t->devs)))
		return -1;
	if (vt_hidx_insert(&t->idx, h, (uint32_t)t->n_devs) != VT_OK)
		return -1;
	vt_dev *d = &t->devs[t->n_devs];
	memset(d, 0, sizeof(*d));
	memcpy(d->key, key, DEVKEY_LEN);
	d->last_bind = UINT32_MAX;
	if (key[0] == 0) {
		d->r.has_mac = 1;
		memcpy(d->r.mac, key + 1, 6);
		d->r.randomized = vt_mac_is_local_admin(d->r.mac);
	} else {
		d->r.key_ipver = key[0];
		memcpy(d->r.key_ip, key + 1, 16);
	}
	(void)ts_us; /* first/last seen come from frames the device sends */
	t->st.devices++;
	return (int64_t)t->n_devs++;
}

const vt_devtab_counters *vt_devtab_stats(const vt_devtab *t) { return &t->st; }
