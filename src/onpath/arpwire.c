/*
 * ARP frames for on-path mode: building through a small bounded writer
 * (sticky overflow flag, like the cursor for reading) and parsing through
 * the cursor. RFC 826, IPv4 over Ethernet (htype 1, ptype 0x0800, hlen 6,
 * plen 4); frames are not padded to 60 bytes (the NIC does that).
 */
#include <string.h>

#include "vantage/cursor.h"
#include "vantage/error.h"
#include "vantage/onpath.h"

typedef struct wbuf {
	uint8_t *p;
	size_t cap, len;
	int err; /* sticky: a write went past cap */
} wbuf;

static void w_bytes(wbuf *w, const void *src, size_t n)
{
	if (w->err || n > w->cap - w->len) {
		w->err = 1;
		return;
	}
	memcpy(w->p + w->len, src, n);
	w->len += n;
}

static void w_be16(wbuf *w, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	w_bytes(w, b, 2);
}

static void w_u8(wbuf *w, uint8_t v) { w_bytes(w, &v, 1); }

size_t vt_arp_build(const vt_arp_msg *m, uint8_t *out, size_t cap)
{
	wbuf w = {.p = out, .cap = cap};
	w_bytes(&w, m->eth_dst, 6);
	w_bytes(&w, m->eth_src, 6);
	w_be16(&w, 0x0806);
	w_be16(&w, 1);      /* Ethernet */
	w_be16(&w, 0x0800); /* IPv4 */
	w_u8(&w, 6);
	w_u8(&w, 4);
	w_be16(&w, m->op);
	w_bytes(&w, m->sha, 6);
	w_bytes(&w, m->spa, 4);
	w_bytes(&w, m->tha, 6);
	w_bytes(&w, m->tpa, 4);
	return w.err ? 0 : w.len;
}

int vt_arp_parse(const uint8_t *frame, size_t len, vt_arp_msg *m)
{
	vt_cur c;
	cur_init(&c, frame, len);
	memset(m, 0, sizeof(*m));
	cur_copy(&c, m->eth_dst, 6);
	cur_copy(&c, m->eth_src, 6);
	uint16_t type = cur_be16(&c);
	if (!cur_ok(&c))
		return VT_ETRUNC;
	if (type != 0x0806)
		return VT_EUNSUP;
	uint16_t htype = cur_be16(&c), ptype = cur_be16(&c);
	uint8_t hlen = cur_u8(&c), plen = cur_u8(&c);
	m->op = cur_be16(&c);
	if (!cur_ok(&c))
		return VT_ETRUNC;
	if (htype != 1 || ptype != 0x0800 || hlen != 6 || plen != 4)
		return VT_EUNSUP;
	cur_copy(&c, m->sha, 6);
	cur_copy(&c, m->spa, 4);
	cur_copy(&c, m->tha, 6);
	cur_copy(&c, m->tpa, 4);
	return cur_ok(&c) ? VT_OK : VT_ETRUNC;
}
