/*
 * Internals of the device table, shared by device*.c only. Arrays grow by
 * doubling up to the caps in vt_devtab; records are addressed by index
 * because growth moves them.
 */
#ifndef VT_DEVTAB_INT_H
#define VT_DEVTAB_INT_H

#include "vantage/device.h"
#include "vantage/hidx.h"

#define DEVKEY_LEN 17 /* [0] = 0 (MAC, bytes 1-6) or 4/6 (IP, bytes 1-16) */

/*
 * A device's set of external peers: open addressing over 32-bit keys (the
 * IPv4 address itself, or a hash of an IPv6 address), grown by doubling.
 * Per device, so the lookups at flow end stay in one small array.
 */
typedef struct vt_peerset {
	uint32_t *keys;   /* 0 = empty slot; key 0 is kept in has_zero */
	uint32_t mask;    /* slots - 1; 0 when keys is NULL */
	uint32_t n;
	uint8_t has_zero;
} vt_peerset;

/* The slot holding key, or the empty slot where it goes (needs mask > 0). */
uint32_t *vt_peerset_slot(vt_peerset *ps, uint32_t key);
/* Doubles the slots (16 at first); 0 on success, -1 out of memory. */
int vt_peerset_grow(vt_peerset *ps);

typedef struct vt_dev {
	uint8_t key[DEVKEY_LEN];
	vt_devrec r;        /* counters and owned arrays, exported as-is */
	size_t ips_cap, svc_cap;
	uint32_t last_bind; /* index into r.ips of the last binding touched */
	uint64_t ext_votes; /* changes of the external address this MAC carried */
	uint32_t last_ext;  /* hash of the last external address it carried */
	vt_peerset peers;
	uint32_t *sig_hash; /* hash of r.signals[i] (name, value) */
	uint32_t budget[VT_BUDGET_COUNT]; /* vt_devtab_budget uses so far */
	size_t sig_cap;
} vt_dev;

typedef struct vt_bind {   /* IP -> device currently holding it */
	uint8_t ver;
	uint8_t ip[16];
	uint32_t dev;
} vt_bind;

typedef struct vt_svck {   /* service key -> index in devs[dev].r.services */
	uint32_t dev;
	uint16_t port;
	uint8_t proto, role, scope;
	uint32_t svc;
} vt_svck;


struct vt_devtab {
	vt_dev *devs;
	size_t n_devs, cap_devs, max_devices;
	vt_hidx idx;
	vt_bind *binds;
	size_t n_binds, cap_binds;
	vt_hidx bidx;
	vt_svck *svcs;
	size_t n_svcs, cap_svcs;
	vt_hidx sidx;
	size_t n_peers, max_peers; /* peer entries over all devices, cap */
	vt_cidr nets[VT_DEVTAB_MAX_LOCALNETS];
	size_t n_nets;
	uint8_t cache_mac[4][6]; /* recent MACs looked up (round robin) */
	uint32_t cache_dev[4];    /* their devices; UINT32_MAX = empty */
	unsigned cache_next;
	size_t n_public_binds;    /* bindings of addresses outside local ranges */
	/* Recent answers of vt_devtab_bound for such addresses (direct-mapped;
	 * a new binding clears its slot). */
	struct bound_memo {
		uint8_t ver;      /* 0 = empty */
		uint8_t ip[16];
		uint8_t bound;
	} memo[256];
	vt_devtab_counters st;
};

void vt_devtab_mac_key(uint8_t key[DEVKEY_LEN], const uint8_t mac[6]);
void vt_devtab_ip_key(uint8_t key[DEVKEY_LEN], uint8_t ver, const uint8_t *ip);
int64_t vt_devtab_get(vt_devtab *t, const uint8_t key[DEVKEY_LEN],
		      uint64_t ts_us);
int vt_devtab_reserve(void **arr, size_t *cap, size_t n, size_t size);
/* Records that device i holds ip (binding sources VT_BIND_*). */
void vt_devtab_bind(vt_devtab *t, uint32_t i, uint8_t ver, const uint8_t *ip,
		    uint32_t source, uint64_t ts_us);
/* The device currently bound to ip, or -1. */
int64_t vt_devtab_bound(const vt_devtab *t, uint8_t ver, const uint8_t *ip);

#endif
