/*
 * The nmap-service-probes parser (../shared/docs/NMAP-SERVICE-PROBES.md,
 * after Nmap's service_scan.cc). Line oriented: '#' and empty lines are
 * skipped; Exclude (once, before any Probe), Probe, and the per-probe
 * directives ports, sslports, rarity, totalwaitms, tcpwrappedms,
 * fallback, match and softmatch; anything else is an error, reported as
 * "file:line:column: reason". Probe strings are unescaped (\\ \0 \n \r \t
 * \xHH only) with an explicit length; match lines are split into service,
 * regex (free delimiter, flags i and s) and version-info templates (the
 * templates themselves are expanded at match time, subst.c). Fallback
 * names are resolved when the whole file has been read.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp_int.h"
#include "util/file.h"
#include "vantage/cursor.h"
#include "vantage/error.h"

#define MAX_FILE (64u << 20)

typedef struct pstate {
	vt_probes *p;
	const char *name;
	int line;
	const uint8_t *lstart; /* the current line, for columns */
	char *err;
} pstate;

static int perr(pstate *st, const vt_cur *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int perr(pstate *st, const vt_cur *c, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c)
		snprintf(st->err, VT_ERRBUF_LEN, "%s:%d:%zu: %s", st->name,
			 st->line, (size_t)(cur_ptr(c) - st->lstart) + 1, msg);
	else
		snprintf(st->err, VT_ERRBUF_LEN, "%s:%d: %s", st->name,
			 st->line, msg);
	return VT_EFORMAT;
}

static int is_space(uint8_t b) { return b == ' ' || b == '\t'; }

static void skip_spaces(vt_cur *c)
{
	while (cur_left(c) && is_space(cur_peek(c, 0)))
		cur_skip(c, 1);
}

/* The next space-delimited token into out (cap incl. NUL); its length,
 * 0 when none, or -1 when it does not fit. */
static int token(vt_cur *c, char *out, size_t cap)
{
	size_t n = 0;
	skip_spaces(c);
	while (cur_left(c) && !is_space(cur_peek(c, 0))) {
		uint8_t b = cur_u8(c);
		if (n + 1 >= cap)
			return -1;
		out[n++] = (char)b;
	}
	out[n] = '\0';
	return (int)n;
}

/* Text up to the next delim (consumed); NULL when the line ends first. */
static const uint8_t *delimited(vt_cur *c, uint8_t delim, size_t *len)
{
	const uint8_t *start = cur_ptr(c);
	size_t left = cur_left(c);
	const uint8_t *end = left ? memchr(start, delim, left) : NULL;
	if (!end)
		return NULL;
	*len = (size_t)(end - start);
	cur_skip(c, *len + 1);
	return start;
}

static int hexv(uint8_t c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* Probe string escapes: \\ \0 \n \r \t \xHH. */
static int unescape(pstate *st, vt_cur *at, const uint8_t *s, size_t n,
		    uint8_t *out, size_t *olen)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\') {
			out[o++] = s[i];
			continue;
		}
		uint8_t e = i + 1 < n ? s[i + 1] : 0;
		i++;
		switch (e) {
		case '\\': out[o++] = '\\'; break;
		case '0': out[o++] = 0; break;
		case 'n': out[o++] = '\n'; break;
		case 'r': out[o++] = '\r'; break;
		case 't': out[o++] = '\t'; break;
		case 'x': {
			int hi = i + 1 < n ? hexv(s[i + 1]) : -1;
			int lo = i + 2 < n ? hexv(s[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				return perr(st, at, "bad \\x escape in probe string");
			out[o++] = (uint8_t)(hi << 4 | lo);
			i += 2;
			break;
		}
		default:
			return perr(st, at, "unknown escape '\\%c' in probe string",
				    e >= 0x20 && e < 0x7f ? e : '?');
		}
	}
	*olen = o;
	return VT_OK;
}

int vt_portlist_has(const vt_portrange *r, size_t n, unsigned port)
{
	for (size_t i = 0; i < n; i++)
		if (port >= r[i].lo && port <= r[i].hi)
			return 1;
	return 0;
}

static int port_num(const char **s, unsigned *out)
{
	unsigned v = 0;
	const char *p = *s;
	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (unsigned)(*p++ - '0');
		if (v > 65535)
			return -1;
	}
	*s = p;
	*out = v;
	return 0;
}

static int append_range(vt_portrange **out, size_t *n, unsigned lo,
			unsigned hi)
{
	vt_portrange *r = realloc(*out, (*n + 1) * sizeof(*r));
	if (!r)
		return -1;
	r[*n].lo = (uint16_t)lo;
	r[*n].hi = (uint16_t)hi;
	*out = r;
	(*n)++;
	return 0;
}

int vt_portlist_parse(const char *s, vt_portrange **out, size_t *n)
{
	for (;;) {
		unsigned lo, hi;
		if (port_num(&s, &lo))
			return -1;
		hi = lo;
		if (*s == '-') {
			s++;
			if (port_num(&s, &hi) || hi < lo)
				return -1;
		}
		if (append_range(out, n, lo, hi))
			return -1;
		if (*s == '\0')
			return 0;
		if (*s++ != ',')
			return -1;
	}
}

/* Exclude: "T:9100-9107,U:53,80" (no prefix: both protocols). */
static int parse_exclude(pstate *st, vt_cur *c)
{
	vt_probes *p = st->p;
	char spec[VT_PROBES_MAX_LINE];
	if (p->has_exclude)
		return perr(st, c, "Exclude given twice");
	if (p->n_probes)
		return perr(st, c, "Exclude after a Probe");
	if (token(c, spec, sizeof(spec)) <= 0)
		return perr(st, c, "Exclude needs a port list");
	p->has_exclude = 1;
	int which = 3; /* 1 TCP, 2 UDP */
	for (char *item = spec; *item;) {
		char *comma = strchr(item, ',');
		if (comma)
			*comma = '\0';
		if (item[0] && item[1] == ':') {
			which = item[0] == 'T' ? 1 : item[0] == 'U' ? 2
				: item[0] == 'S' ? 0 : -1;
			if (which < 0)
				return perr(st, c, "bad protocol in Exclude");
			item += 2;
		}
		vt_portrange *r = NULL;
		size_t n = 0;
		if (vt_portlist_parse(item, &r, &n)) {
			free(r);
			return perr(st, c, "bad port list in Exclude");
		}
		int bad = 0;
		if (which & 1)
			bad |= append_range(&p->excl_tcp, &p->n_excl_tcp, r[0].lo, r[0].hi);
		if (which & 2)
			bad |= append_range(&p->excl_udp, &p->n_excl_udp, r[0].lo, r[0].hi);
		free(r);
		if (bad)
			return VT_ENOMEM;
		if (!comma)
			break;
		item = comma + 1;
	}
	return VT_OK;
}

static int parse_probe(pstate *st, vt_cur *c)
{
	vt_probes *p = st->p;
	char proto[8], name[64];
	int tl = token(c, proto, sizeof(proto));
	int proto_n = tl > 0 && !strcmp(proto, "TCP")   ? VT_PROTO_TCP
		      : tl > 0 && !strcmp(proto, "UDP") ? VT_PROTO_UDP
							: 0;
	if (!proto_n)
		return perr(st, c, "Probe protocol must be TCP or UDP");
	if (token(c, name, sizeof(name)) <= 0)
		return perr(st, c, "Probe needs a name (up to 63 bytes)");
	skip_spaces(c);
	if (cur_u8(c) != 'q' || cur_left(c) == 0)
		return perr(st, c, "Probe string must be q<delim>...<delim>");
	uint8_t d = cur_u8(c);
	size_t n;
	vt_cur at = *c;
	const uint8_t *s = delimited(c, d, &n);
	if (!s)
		return perr(st, c, "unterminated probe string");
	char rest[32];
	int rl = token(c, rest, sizeof(rest));
	if (rl != 0 && strcmp(rest, "no-payload"))
		return perr(st, c, "unexpected text after the probe string");
	skip_spaces(c);
	if (cur_left(c))
		return perr(st, c, "unexpected text after the probe string");
	vt_probe *np = realloc(p->probes, (p->n_probes + 1) * sizeof(*np));
	if (!np)
		return VT_ENOMEM;
	p->probes = np;
	vt_probe *pr = &np[p->n_probes];
	memset(pr, 0, sizeof(*pr));
	pr->payload = malloc(n + 1);
	char *nm = strdup(name);
	if (!pr->payload || !nm) {
		free(pr->payload);
		free(nm);
		return VT_ENOMEM;
	}
	p->n_probes++;
	int rc = unescape(st, &at, s, n, pr->payload, &pr->info.payload_len);
	pr->info.name = nm;
	pr->info.proto = proto_n;
	pr->info.payload = pr->payload;
	pr->info.rarity = 5;
	pr->info.line = st->line;
	pr->m_first = pr->m_end = p->n_m;
	if (rc)
		return rc;
	if (pr->info.payload_len == 0) {
		if (p->null_probe >= 0)
			return perr(st, NULL, "a second NULL probe (q||)");
		p->null_probe = (int)(p->n_probes - 1);
		pr->info.totalwait_ms = 6000;
		pr->info.tcpwrapped_ms = 3000;
	} else {
		pr->info.totalwait_ms = 5000;
		pr->info.tcpwrapped_ms = 2000;
	}
	return VT_OK;
}

static int parse_number(pstate *st, vt_cur *c, const char *what,
			unsigned min, unsigned max, unsigned *out)
{
	char t[16];
	int tl = token(c, t, sizeof(t));
	unsigned v = 0;
	int ok = tl > 0;
	for (int i = 0; ok && i < tl; i++) {
		ok = t[i] >= '0' && t[i] <= '9' && v <= 100000000u;
		v = v * 10 + (unsigned)(t[i] - '0');
	}
	skip_spaces(c);
	if (!ok || v < min || v > max || cur_left(c))
		return perr(st, c, "%s must be a number from %u to %u", what,
			    min, max);
	*out = v;
	return VT_OK;
}

static int parse_fallback(pstate *st, vt_cur *c, vt_probe *pr)
{
	char list[VT_PROBES_MAX_LINE];
	if (token(c, list, sizeof(list)) <= 0)
		return perr(st, c, "fallback needs probe names");
	for (int i = 0; i < pr->n_fb_names; i++)
		free(pr->fb_names[i]);
	free(pr->fb_names);
	pr->fb_names = NULL;
	pr->n_fb_names = 0;
	pr->fb_line = st->line;
	for (char *item = list; item;) {
		char *comma = strchr(item, ',');
		if (comma)
			*comma++ = '\0';
		if (!*item)
			return perr(st, c, "empty name in fallback list");
		if (pr->n_fb_names >= 16)
			return perr(st, c, "more than 16 fallbacks");
		char **nn = realloc(pr->fb_names,
				    (size_t)(pr->n_fb_names + 1) * sizeof(*nn));
		if (!nn)
			return VT_ENOMEM;
		pr->fb_names = nn;
		if (!(nn[pr->n_fb_names] = strdup(item)))
			return VT_ENOMEM;
		pr->n_fb_names++;
		item = comma;
	}
	return VT_OK;
}

static int parse_ports(pstate *st, vt_cur *c, vt_portrange **r, size_t *n,
		       const char *what)
{
	char list[VT_PROBES_MAX_LINE];
	if (token(c, list, sizeof(list)) <= 0 ||
	    vt_portlist_parse(list, r, n))
		return perr(st, c, "bad %s list", what);
	skip_spaces(c);
	if (cur_left(c))
		return perr(st, c, "unexpected text after the %s list", what);
	return VT_OK;
}

static int parse_line(pstate *st, vt_cur *c)
{
	vt_probes *p = st->p;
	char word[16];
	int wl = token(c, word, sizeof(word));
	if (wl <= 0)
		return perr(st, c, "unknown directive");
	if (!strcmp(word, "Exclude"))
		return parse_exclude(st, c);
	if (!strcmp(word, "Probe"))
		return parse_probe(st, c);
	static const char *const known[] = {
		"match", "softmatch", "ports", "sslports", "rarity",
		"totalwaitms", "tcpwrappedms", "fallback"};
	size_t k = 0;
	while (k < sizeof(known) / sizeof(known[0]) && strcmp(word, known[k]))
		k++;
	if (k == sizeof(known) / sizeof(known[0]))
		return perr(st, NULL, "unknown directive '%s'", word);
	if (!p->n_probes)
		return perr(st, NULL, "'%s' before any Probe", word);
	vt_probe *pr = &p->probes[p->n_probes - 1];
	unsigned v;
	int rc;
	switch (k) {
	case 0:
	case 1: {
		char why[200];
		rc = vt_pmatch_parse(p, c, k == 1, st->line, why, sizeof(why));
		if (rc == VT_EFORMAT)
			return perr(st, c, "%s", why);
		return rc;
	}
	case 2: return parse_ports(st, c, &pr->ports, &pr->n_ports, "ports");
	case 3:
		return parse_ports(st, c, &pr->sslports, &pr->n_sslports,
				   "sslports");
	case 4:
		rc = parse_number(st, c, "rarity", 1, 9, &v);
		pr->info.rarity = (int)v;
		return rc;
	case 5:
		rc = parse_number(st, c, "totalwaitms", 1, 3600000, &v);
		pr->info.totalwait_ms = v;
		return rc;
	case 6:
		rc = parse_number(st, c, "tcpwrappedms", 1, 3600000, &v);
		pr->info.tcpwrapped_ms = v;
		return rc;
	default: return parse_fallback(st, c, pr);
	}
}

/*
 * Fallback names to indices: a probe of the same protocol, else of any
 * (Nmap's own file has TCP DNSVersionBindReqTCP fall back to the UDP
 * DNSVersionBindReq, and Nmap accepts it); an unknown name is an error.
 */
static int resolve_fallbacks(pstate *st)
{
	vt_probes *p = st->p;
	for (size_t i = 0; i < p->n_probes; i++) {
		vt_probe *pr = &p->probes[i];
		for (int k = 0; k < pr->n_fb_names; k++) {
			const char *nm = pr->fb_names[k];
			int idx = vt_probes_find(p, pr->info.proto, nm);
			if (idx < 0)
				idx = vt_probes_find(p, pr->info.proto == VT_PROTO_TCP
							       ? VT_PROTO_UDP
							       : VT_PROTO_TCP,
						     nm);
			if (idx < 0) {
				st->line = pr->fb_line;
				return perr(st, NULL, "unknown fallback probe '%s'",
					    nm);
			}
			if (idx != (int)i)
				pr->fallback[pr->n_fallback++] = idx;
		}
	}
	return VT_OK;
}

static int parse_all(pstate *st, const uint8_t *buf, size_t len)
{
	vt_cur file;
	cur_init(&file, buf, len);
	while (cur_left(&file)) {
		st->line++;
		const uint8_t *start = cur_ptr(&file);
		const uint8_t *nl = memchr(start, '\n', cur_left(&file));
		size_t n = nl ? (size_t)(nl - start) : cur_left(&file);
		vt_cur line = cur_sub(&file, n);
		cur_skip(&file, 1);
		if (n && start[n - 1] == '\r')
			line.len--;
		st->lstart = start;
		if (line.len > VT_PROBES_MAX_LINE)
			return perr(st, NULL, "line longer than %d bytes",
				    VT_PROBES_MAX_LINE);
		if (line.len == 0 || start[0] == '#')
			continue;
		int rc = parse_line(st, &line);
		if (rc)
			return rc;
	}
	if (!st->p->n_probes)
		return perr(st, NULL, "no Probe in the file");
	int rc = resolve_fallbacks(st);
	return rc ? rc : vt_probes_index_services(st->p);
}

vt_probes *vt_probes_parse(const char *name, const uint8_t *buf, size_t len,
			   char *errbuf)
{
	vt_probes *p = calloc(1, sizeof(*p));
	if (!p || !(p->path = strdup(name))) {
		free(p);
		snprintf(errbuf, VT_ERRBUF_LEN, "%s: out of memory", name);
		return NULL;
	}
	p->null_probe = -1;
	pstate st = {.p = p, .name = name, .err = errbuf};
	errbuf[0] = '\0';
	int rc = parse_all(&st, buf, len);
	if (rc) {
		if (rc == VT_ENOMEM && !errbuf[0])
			snprintf(errbuf, VT_ERRBUF_LEN, "%s:%d: out of memory",
				 name, st.line);
		vt_probes_free(p);
		return NULL;
	}
	return p;
}

vt_probes *vt_probes_load(const char *path, char *errbuf)
{
	uint8_t *buf;
	size_t len;
	if (!path)
		path = VT_PROBES_DEFAULT;
	int rc = vt_file_read(path, MAX_FILE, &buf, &len);
	if (rc) {
		snprintf(errbuf, VT_ERRBUF_LEN, "%s: %s", path,
			 rc == VT_EFULL ? "file too large" : "cannot read");
		return NULL;
	}
	vt_probes *p = vt_probes_parse(path, buf, len, errbuf);
	free(buf);
	return p;
}

void vt_probes_free(vt_probes *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_m; i++) {
		vt_pmatch *m = &p->m[i];
		free(m->service);
		pcre2_code_free(m->re);
		for (int k = 0; k < 6; k++)
			free(m->tmpl[k]);
		for (int k = 0; k < m->n_cpe; k++)
			free(m->cpe[k]);
		free(m->cpe);
	}
	for (size_t i = 0; i < p->n_probes; i++) {
		vt_probe *pr = &p->probes[i];
		free((char *)pr->info.name);
		free(pr->payload);
		free(pr->ports);
		free(pr->sslports);
		free(pr->svc_bits);
		for (int k = 0; k < pr->n_fb_names; k++)
			free(pr->fb_names[k]);
		free(pr->fb_names);
	}
	vt_rset_free(p->set);
	free(p->svc);
	free(p->m_svc);
	free(p->m);
	free(p->probes);
	free(p->excl_tcp);
	free(p->excl_udp);
	free(p->path);
	free(p);
}

size_t vt_probes_count(const vt_probes *p) { return p->n_probes; }
size_t vt_probes_match_count(const vt_probes *p) { return p->n_m; }

const vt_probe_info *vt_probes_get(const vt_probes *p, size_t i)
{
	return i < p->n_probes ? &p->probes[i].info : NULL;
}

int vt_probes_find(const vt_probes *p, int proto, const char *name)
{
	for (size_t i = 0; i < p->n_probes; i++)
		if (p->probes[i].info.proto == proto &&
		    !strcmp(p->probes[i].info.name, name))
			return (int)i;
	return -1;
}

int vt_probes_excluded(const vt_probes *p, int proto, unsigned port)
{
	if (proto == VT_PROTO_TCP)
		return vt_portlist_has(p->excl_tcp, p->n_excl_tcp, port);
	if (proto == VT_PROTO_UDP)
		return vt_portlist_has(p->excl_udp, p->n_excl_udp, port);
	return 0;
}
