/*
 * Fetching a UPnP device description from an SSDP LOCATION (UDA 2.0
 * section 2.1: an HTTP GET of the URL). The URL comes from a device, so
 * it is only followed when it is plain http:// to an IPv4 address of our
 * own subnet (never a host name, another network, file:// or https), and
 * the fetch is capped in bytes and in wall time: a drip, a tarpit or an
 * endless body ends at the cap. HTTP/1.0 is asked for so the server
 * closes the connection and does not chunk the body.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dissect/sig_common.h"
#include "vantage/discover.h"
#include "vantage/packet.h"

static uint32_t be32(const uint8_t a[4])
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
	       (uint32_t)a[2] << 8 | a[3];
}

/* Decimal 0..max from c; -1 when there is none or it is too large. */
static long number(vt_cur *c, long max)
{
	long v = 0;
	size_t digits = 0;
	while (cur_left(c) && cur_peek(c, 0) >= '0' && cur_peek(c, 0) <= '9') {
		v = v * 10 + (cur_u8(c) - '0');
		if (v > max)
			return -1;
		digits++;
	}
	return digits ? v : -1;
}

static int in_scope(const uint8_t ip[4], const vt_lan4 *lan)
{
	uint32_t mask = lan->prefix ? ~0u << (32 - lan->prefix) : 0;
	uint32_t a = be32(ip), me = be32(lan->ip);
	if ((a & mask) != (me & mask) || a == me)
		return 0;
	if (lan->prefix <= 30 && ((a & ~mask) == 0 || (a & ~mask) == ~mask))
		return 0; /* network or broadcast address */
	return 1;
}

int vt_upnp_url_parse(const uint8_t *loc, size_t len, const vt_lan4 *lan,
		      vt_upnp_url *out)
{
	vt_cur c;
	cur_init(&c, loc, len);
	memset(out, 0, sizeof(*out));
	if (len < 7 || !vt_sig_iprefix(loc, len, "http://"))
		return VT_UPNP_BADURL;
	cur_skip(&c, 7);
	for (int i = 0; i < 4; i++) {
		long v = number(&c, 255);
		if (v < 0)
			return VT_UPNP_BADURL; /* a host name: never resolved */
		out->ip[i] = (uint8_t)v;
		if (i < 3 && cur_u8(&c) != '.')
			return VT_UPNP_BADURL;
	}
	out->port = 80;
	if (cur_peek(&c, 0) == ':') {
		cur_skip(&c, 1);
		long port = number(&c, 65535);
		if (port <= 0)
			return VT_UPNP_BADURL;
		out->port = (uint16_t)port;
	}
	size_t n = cur_left(&c);
	if (n == 0) {
		out->path[0] = '/';
		return in_scope(out->ip, lan) ? VT_UPNP_OK : VT_UPNP_SCOPE;
	}
	const uint8_t *p = cur_bytes(&c, n);
	if (p[0] != '/' || n >= sizeof(out->path))
		return VT_UPNP_BADURL;
	for (size_t i = 0; i < n; i++)
		if (p[i] <= ' ' || p[i] >= 127)
			return VT_UPNP_BADURL; /* no header injection */
	memcpy(out->path, p, n);
	out->path[n] = '\0';
	return in_scope(out->ip, lan) ? VT_UPNP_OK : VT_UPNP_SCOPE;
}

typedef struct hdrs {
	long content_length; /* -1: absent */
	int chunked;
	int bad;
} hdrs;

static void on_header(void *user, const uint8_t *n, size_t nl,
		      const uint8_t *v, size_t vl)
{
	hdrs *h = user;
	if (vt_sig_ieq(n, nl, "Content-Length")) {
		vt_cur c;
		cur_init(&c, v, vl);
		h->content_length = number(&c, 1L << 30);
		if (h->content_length < 0 || cur_left(&c))
			h->bad = 1;
	} else if (vt_sig_ieq(n, nl, "Transfer-Encoding") &&
		   !vt_sig_ieq(v, vl, "identity")) {
		h->chunked = 1;
	}
}

int vt_upnp_http_body(const uint8_t *resp, size_t len, const uint8_t **body,
		      size_t *body_len)
{
	vt_cur c, line;
	cur_init(&c, resp, len);
	if (!vt_sig_line(&c, &line))
		return VT_UPNP_HTTP;
	size_t n = cur_left(&line);
	const uint8_t *st = cur_bytes(&line, n);
	if (n < 12 || !vt_sig_iprefix(st, n, "HTTP/1.") || st[8] != ' ' ||
	    memcmp(st + 9, "200", 3) != 0 || (n > 12 && st[12] != ' '))
		return VT_UPNP_HTTP;
	hdrs h = {.content_length = -1};
	if (vt_sig_headers(&c, on_header, &h) != VT_DIS_OK || h.bad ||
	    h.chunked)
		return VT_UPNP_HTTP;
	size_t left = cur_left(&c);
	if (h.content_length >= 0) {
		if ((size_t)h.content_length > left)
			return VT_UPNP_HTTP; /* cut short */
		left = (size_t)h.content_length;
	}
	*body = cur_ptr(&c);
	*body_len = left;
	return left ? VT_UPNP_OK : VT_UPNP_HTTP;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on fd until the deadline; 1 ready, 0 timeout, -1 error. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - mono_ms();
		if (left <= 0)
			return 0;
		struct pollfd p = {.fd = fd, .events = events};
		int r = poll(&p, 1, (int)left);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

static int connect_to(const vt_upnp_url *u, int64_t deadline, int *fd_out)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return VT_UPNP_CONNECT;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(u->port)};
	memcpy(&sa.sin_addr, u->ip, 4);
	*fd_out = fd;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return VT_UPNP_OK;
	if (errno != EINPROGRESS)
		return VT_UPNP_CONNECT;
	int r = wait_fd(fd, POLLOUT, deadline);
	if (r == 0)
		return VT_UPNP_TIMEOUT;
	int err = 0;
	socklen_t el = sizeof(err);
	if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) || err)
		return VT_UPNP_CONNECT;
	return VT_UPNP_OK;
}

static int send_request(int fd, const vt_upnp_url *u, int64_t deadline)
{
	char req[512];
	int n = snprintf(req, sizeof(req),
			 "GET %s HTTP/1.0\r\nHost: %u.%u.%u.%u:%u\r\n"
			 "User-Agent: vantage/" VT_VERSION " UPnP/1.1\r\n"
			 "Accept: text/xml, application/xml\r\nConnection: close\r\n\r\n",
			 u->path, u->ip[0], u->ip[1], u->ip[2], u->ip[3], u->port);
	if (n < 0 || (size_t)n >= sizeof(req))
		return VT_UPNP_BADURL;
	size_t off = 0;
	while (off < (size_t)n) {
		ssize_t w = send(fd, req + off, (size_t)n - off, MSG_NOSIGNAL);
		if (w > 0) {
			off += (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return VT_UPNP_CONNECT;
		int r = wait_fd(fd, POLLOUT, deadline);
		if (r <= 0)
			return r == 0 ? VT_UPNP_TIMEOUT : VT_UPNP_CONNECT;
	}
	return VT_UPNP_OK;
}

/* Reads until the peer closes, the cap (+1 byte to tell) or the deadline. */
static int read_all(int fd, uint8_t *buf, size_t max, size_t *len,
		    int64_t deadline)
{
	*len = 0;
	for (;;) {
		ssize_t r = recv(fd, buf + *len, max + 1 - *len, 0);
		if (r == 0)
			return VT_UPNP_OK;
		if (r > 0) {
			*len += (size_t)r;
			if (*len > max)
				return VT_UPNP_TOOBIG;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return *len ? VT_UPNP_OK : VT_UPNP_CONNECT; /* a reset */
		int w = wait_fd(fd, POLLIN, deadline);
		if (w <= 0)
			return w == 0 ? VT_UPNP_TIMEOUT : VT_UPNP_CONNECT;
	}
}

int vt_upnp_fetch(const vt_upnp_url *u, size_t max_bytes, uint32_t time_ms,
		  uint8_t **resp, size_t *len)
{
	int64_t deadline = mono_ms() + time_ms;
	int fd = -1;
	*resp = NULL;
	*len = 0;
	uint8_t *buf = malloc(max_bytes + 1);
	if (!buf)
		return VT_UPNP_CONNECT;
	int rc = connect_to(u, deadline, &fd);
	if (rc == VT_UPNP_OK)
		rc = send_request(fd, u, deadline);
	if (rc == VT_UPNP_OK)
		rc = read_all(fd, buf, max_bytes, len, deadline);
	if (fd >= 0)
		close(fd);
	if (rc != VT_UPNP_OK) {
		free(buf);
		*len = 0;
		return rc;
	}
	*resp = buf;
	return VT_UPNP_OK;
}
