/*
 * The stateless layer-4 prober: builds TCP SYNs (RFC 9293 3.1, with an MSS
 * option) and UDP datagrams (RFC 768) carrying the cookie of cookie.c,
 * sends them on raw sockets, and reads replies from raw TCP, UDP and ICMP
 * sockets. A reply counts only when its cookie checks: a SYN-ACK or RST
 * must reach the source port we chose for (target, port) and acknowledge
 * our sequence number plus one; a UDP reply must reach that source port;
 * an ICMP port unreachable must quote such a datagram. Everything else on
 * the sockets (the host's own traffic) is counted and ignored.
 *
 * The kernel answers a SYN-ACK to a port we hold no socket for with an
 * RST, which closes the half-open connection on the target (as with
 * ZMap and masscan's default).
 */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vantage/cursor.h"
#include "vantage/scan.h"

enum { S_TCP4, S_UDP4, S_ICMP4, S_TCP6, S_UDP6, S_ICMP6, S_N };

struct vt_syn {
	int fd[S_N];       /* -1 when unavailable (e.g. no IPv6) */
	int ep;            /* epoll over fd[] */
	char iface[IFNAMSIZ];
	vt_cookie_key key;
	vt_syn_stats st;
	vt_addr last_dst, last_src; /* one-entry route cache */
};

static int open_raw(int fam, int proto, const char *iface)
{
	int fd = socket(fam, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd < 0)
		return -1;
	int one = 1;
	if (fam == AF_INET && proto != IPPROTO_ICMP)
		setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one));
	if (fam == AF_INET6 && proto != IPPROTO_ICMPV6) {
		int off = proto == IPPROTO_TCP ? 16 : 6;
		setsockopt(fd, IPPROTO_IPV6, IPV6_CHECKSUM, &off, sizeof(off));
	}
	if (iface && *iface &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, iface,
		       (socklen_t)strlen(iface) + 1) < 0) {
		close(fd);
		return -1;
	}
	/* Probes to on-link hosts wait in the kernel's ARP queue and count
	 * against the send buffer meanwhile: room for some thousands. */
	int big = 1 << 23;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	return fd;
}

vt_syn *vt_syn_open(const char *iface, const vt_cookie_key *key, char *errbuf)
{
	static const int fam[S_N] = {AF_INET, AF_INET, AF_INET,
				     AF_INET6, AF_INET6, AF_INET6};
	static const int pr[S_N] = {IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP,
				    IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMPV6};
	if (iface && strlen(iface) >= IFNAMSIZ) {
		snprintf(errbuf, VT_ERRBUF_LEN, "%s: interface name too long", iface);
		return NULL;
	}
	vt_syn *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(errbuf, VT_ERRBUF_LEN, "out of memory");
		return NULL;
	}
	s->key = *key;
	if (iface)
		snprintf(s->iface, sizeof(s->iface), "%s", iface);
	s->ep = epoll_create1(EPOLL_CLOEXEC);
	for (int i = 0; i < S_N; i++) {
		s->fd[i] = open_raw(fam[i], pr[i], iface);
		int e = errno;
		if (s->fd[i] < 0 && i < S_TCP6) {
			snprintf(errbuf, VT_ERRBUF_LEN, "raw socket%s%s: %s (needs CAP_NET_RAW)",
				 iface ? " on " : "", iface ? iface : "", strerror(e));
			vt_syn_close(s);
			return NULL;
		}
		struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
		if (s->fd[i] >= 0)
			epoll_ctl(s->ep, EPOLL_CTL_ADD, s->fd[i], &ev);
	}
	return s;
}

vt_syn *vt_syn_new_offline(const vt_cookie_key *key)
{
	vt_syn *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->key = *key;
	s->ep = -1;
	for (int i = 0; i < S_N; i++)
		s->fd[i] = -1;
	return s;
}

void vt_syn_close(vt_syn *s)
{
	if (!s)
		return;
	for (int i = 0; i < S_N; i++)
		if (s->fd[i] >= 0)
			close(s->fd[i]);
	if (s->ep >= 0)
		close(s->ep);
	free(s);
}

int vt_syn_fd(const vt_syn *s) { return s->ep; }
void vt_syn_count_error(vt_syn *s) { s->st.send_errors++; }
const vt_syn_stats *vt_syn_stats_get(const vt_syn *s) { return &s->st; }

static socklen_t to_sa(const vt_addr *a, uint16_t port,
		       struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->ver == 4) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		memcpy(&in->sin_addr, a->a, 4);
		return sizeof(*in);
	}
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	memcpy(&in6->sin6_addr, a->a, 16);
	return sizeof(*in6);
}

/* The source address routing picks for dst (no packet is sent). */
static int route_src(vt_syn *s, const vt_addr *dst, vt_addr *src)
{
	if (s->last_dst.ver && !memcmp(&s->last_dst, dst, sizeof(*dst))) {
		*src = s->last_src;
		return VT_OK;
	}
	struct sockaddr_storage ss, me;
	socklen_t sl = to_sa(dst, 9, &ss), ml = sizeof(me);
	int fd = socket(dst->ver == 4 ? AF_INET : AF_INET6,
			SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return VT_ENOTFOUND;
	if (s->iface[0])
		setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, s->iface,
			   (socklen_t)strlen(s->iface) + 1);
	int ok = connect(fd, (struct sockaddr *)&ss, sl) == 0 &&
		 getsockname(fd, (struct sockaddr *)&me, &ml) == 0;
	close(fd);
	if (!ok)
		return VT_ENOTFOUND;
	memset(src, 0, sizeof(*src));
	src->ver = dst->ver;
	if (dst->ver == 4)
		memcpy(src->a, &((struct sockaddr_in *)&me)->sin_addr, 4);
	else
		memcpy(src->a, &((struct sockaddr_in6 *)&me)->sin6_addr, 16);
	s->last_dst = *dst;
	s->last_src = *src;
	return VT_OK;
}

static uint32_t sum16(uint32_t acc, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* The layer-4 header (and payload) into l4; its length. */
static size_t build_l4(const vt_syn *s, const vt_addr *src, const vt_addr *dst,
		       uint8_t proto, uint16_t port, unsigned attempt,
		       uint8_t *l4, size_t cap)
{
	vt_cookie c = vt_cookie_make(&s->key, src, dst, proto, port);
	size_t n;
	if (proto == 6) {
		memset(l4, 0, 24);
		put16(l4, c.sport);
		put16(l4 + 2, port);
		put32(l4 + 4, c.seq);
		l4[12] = 6 << 4;    /* data offset: 24 bytes */
		l4[13] = 0x02;      /* SYN */
		put16(l4 + 14, 65535);
		l4[20] = 2, l4[21] = 4; /* MSS 1460 */
		put16(l4 + 22, 1460);
		n = 24;
	} else {
		size_t plen;
		const uint8_t *p = vt_udp_payload(port, attempt, &plen, NULL);
		if (plen > cap - 8)
			plen = cap - 8;
		put16(l4, c.sport);
		put16(l4 + 2, port);
		put16(l4 + 4, (uint16_t)(8 + plen));
		put16(l4 + 6, 0);
		if (plen)
			memcpy(l4 + 8, p, plen);
		n = 8 + plen;
	}
	if (dst->ver == 4) { /* IPv6: the kernel sums (IPV6_CHECKSUM) */
		uint32_t acc = sum16(0, src->a, 4);
		acc = sum16(acc, dst->a, 4);
		acc += proto + (uint32_t)n;
		uint16_t ck = fold(sum16(acc, l4, n));
		if (proto == 17 && !ck)
			ck = 0xffff;
		put16(l4 + (proto == 6 ? 16 : 6), ck);
	}
	return n;
}

int vt_syn_send(vt_syn *s, const vt_addr *dst, uint8_t proto, uint16_t port,
		unsigned attempt)
{
	vt_addr src;
	uint8_t pkt[1600];
	if (route_src(s, dst, &src) != VT_OK) {
		s->st.no_route++;
		return VT_ENOTFOUND;
	}
	int v4 = dst->ver == 4;
	int fd = s->fd[v4 ? (proto == 6 ? S_TCP4 : S_UDP4)
			  : (proto == 6 ? S_TCP6 : S_UDP6)];
	if (fd < 0) {
		s->st.no_route++;
		return VT_ENOTFOUND;
	}
	size_t hl = v4 ? 20 : 0;
	size_t n = build_l4(s, &src, dst, proto, port, attempt, pkt + hl,
			    sizeof(pkt) - hl);
	if (v4) {
		memset(pkt, 0, 20);
		pkt[0] = 0x45;
		put16(pkt + 2, (uint16_t)(20 + n));
		put16(pkt + 4, (uint16_t)(s->st.sent * 2654435761u >> 16));
		pkt[8] = 64;
		pkt[9] = proto;
		memcpy(pkt + 12, src.a, 4);
		memcpy(pkt + 16, dst->a, 4);
		put16(pkt + 10, fold(sum16(0, pkt, 20)));
	}
	struct sockaddr_storage ss;
	socklen_t sl = to_sa(dst, 0, &ss);
	if (sendto(fd, pkt, hl + n, 0, (struct sockaddr *)&ss, sl) < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
			return VT_EFULL; /* not counted: the caller waits and retries */
		s->st.send_errors++;
		return VT_EIO;
	}
	s->st.sent++;
	return VT_OK;
}

/* Checks a TCP reply's cookie: segment from remote:rport to local. */
static int tcp_reply(vt_syn *s, const vt_addr *remote, const vt_addr *local,
		     vt_cur *c, vt_syn_reply *r)
{
	uint16_t rport = cur_be16(c), lport = cur_be16(c);
	cur_be32(c); /* their sequence number */
	uint32_t ack = cur_be32(c);
	cur_u8(c);
	uint8_t flags = cur_u8(c);
	if (!cur_ok(c) || !(flags & 0x10))
		return 0;
	vt_cookie k = vt_cookie_make(&s->key, local, remote, 6, rport);
	if (lport != k.sport || ack != k.seq + 1)
		return 0;
	if ((flags & 0x12) == 0x12)
		r->state = VT_PORT_OPEN;
	else if (flags & 0x04)
		r->state = VT_PORT_CLOSED;
	else
		return 0;
	r->addr = *remote;
	r->proto = 6;
	r->port = rport;
	r->len = 0;
	return 1;
}

static int udp_reply(vt_syn *s, const vt_addr *remote, const vt_addr *local,
		     vt_cur *c, vt_syn_reply *r)
{
	uint16_t rport = cur_be16(c), lport = cur_be16(c), len = cur_be16(c);
	cur_be16(c);
	if (!cur_ok(c) || len < 8)
		return 0;
	vt_cookie k = vt_cookie_make(&s->key, local, remote, 17, rport);
	if (lport != k.sport)
		return 0;
	size_t n = len - 8u;
	if (n > cur_left(c))
		n = cur_left(c);
	if (n > sizeof(r->data))
		n = sizeof(r->data);
	cur_copy(c, r->data, n);
	r->len = n;
	r->addr = *remote;
	r->proto = 17;
	r->port = rport;
	r->state = VT_PORT_OPEN;
	return 1;
}

/* ICMP port unreachable quoting one of our datagrams: a closed UDP port.
 * c is at the quoted IPv4 header. */
static int icmp4_reply(vt_syn *s, vt_cur *c, vt_syn_reply *r)
{
	uint8_t vihl = cur_u8(c);
	cur_skip(c, 8);
	uint8_t proto = cur_u8(c);
	cur_skip(c, 2);
	vt_addr local = {.ver = 4}, remote = {.ver = 4};
	cur_copy(c, local.a, 4);
	cur_copy(c, remote.a, 4);
	if (!cur_ok(c) || (vihl >> 4) != 4 || (vihl & 15) < 5 || proto != 17)
		return 0;
	cur_skip(c, ((vihl & 15) - 5u) * 4);
	uint16_t lport = cur_be16(c), rport = cur_be16(c);
	if (!cur_ok(c))
		return 0;
	vt_cookie k = vt_cookie_make(&s->key, &local, &remote, 17, rport);
	if (lport != k.sport)
		return 0;
	r->addr = remote;
	r->proto = 17;
	r->port = rport;
	r->state = VT_PORT_CLOSED;
	r->len = 0;
	return 1;
}

/* One IPv4 packet from a raw socket (it starts at the IP header). */
int vt_syn_parse4(vt_syn *s, const uint8_t *p, size_t n, vt_syn_reply *r)
{
	vt_cur c;
	cur_init(&c, p, n);
	uint8_t vihl = cur_u8(&c);
	cur_skip(&c, 1);
	uint16_t tot = cur_be16(&c);
	cur_skip(&c, 4);
	uint8_t ttl = cur_u8(&c), proto = cur_u8(&c);
	cur_skip(&c, 2);
	vt_addr remote = {.ver = 4}, local = {.ver = 4};
	cur_copy(&c, remote.a, 4);
	cur_copy(&c, local.a, 4);
	size_t hl = (vihl & 15) * 4u;
	if (!cur_ok(&c) || (vihl >> 4) != 4 || hl < 20 || tot < hl || tot > n)
		return 0;
	vt_cur body;
	cur_init(&body, p + hl, tot - hl);
	r->ttl = ttl;
	if (proto == 6)
		return tcp_reply(s, &remote, &local, &body, r);
	if (proto == 17)
		return udp_reply(s, &remote, &local, &body, r);
	if (proto == 1) {
		uint8_t type = cur_u8(&body), code = cur_u8(&body);
		cur_skip(&body, 6);
		if (type == 3 && code == 3)
			return icmp4_reply(s, &body, r);
	}
	return 0;
}

/* One IPv6 segment (the kernel strips the IPv6 header); our address is
 * the one routing picks for the sender. */
static int parse6(vt_syn *s, int which, const uint8_t *p, size_t n,
		  const struct sockaddr_in6 *from, vt_syn_reply *r)
{
	vt_addr remote = {.ver = 6}, local;
	memcpy(remote.a, &from->sin6_addr, 16);
	if (which == S_ICMP6 || route_src(s, &remote, &local) != VT_OK)
		return 0;
	vt_cur c;
	cur_init(&c, p, n);
	r->ttl = 0;
	if (which == S_TCP6)
		return tcp_reply(s, &remote, &local, &c, r);
	return udp_reply(s, &remote, &local, &c, r);
}

int vt_syn_recv(vt_syn *s, vt_syn_reply *r)
{
	uint8_t buf[2048];
	for (int i = 0; i < S_N; i++) {
		if (s->fd[i] < 0)
			continue;
		for (;;) {
			struct sockaddr_in6 from;
			socklen_t fl = sizeof(from);
			ssize_t n = recvfrom(s->fd[i], buf, sizeof(buf), MSG_DONTWAIT,
					     (struct sockaddr *)&from, &fl);
			if (n < 0)
				break;
			s->st.received++;
			int ok = i < S_TCP6 ? vt_syn_parse4(s, buf, (size_t)n, r)
					    : parse6(s, i, buf, (size_t)n, &from, r);
			if (ok) {
				s->st.valid++;
				return 1;
			}
			s->st.invalid++;
		}
	}
	return 0;
}
