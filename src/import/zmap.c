/*
 * ZMap's outputs (zmap src/output_modules/module_csv.c, module_json.c):
 *   default  one responding address a line (no port: hosts only);
 *   -O csv   a header naming the fields (-f), then one row a response:
 *            saddr is the responder, sport the port it answered from
 *            (the scanned port), classification synack/rst/icmp...,
 *            success 1 for an open port, repeat 1 for a duplicate answer,
 *            timestamp-str (ISO 8601; timestamp_str in ZMap 3,
 *            timestamp-ts/timestamp_ts epoch seconds);
 *   -O json  one object a line with the same fields.
 * A row with success 0 (a RST, an ICMP error) is a closed port; repeats
 * are dropped (the first answer counts).
 */
#include <stdio.h>
#include <string.h>

#include "imp_int.h"
#include "vantage/error.h"

#define MAX_FIELDS 64

enum { F_SADDR, F_SPORT, F_CLASS, F_SUCCESS, F_REPEAT, F_TSTR, F_TTS, F__N };

typedef struct csv {
	int col[F__N];  /* column of each field, -1 when absent */
	int n_cols;
	int header;     /* a header was read */
} csv;

static const char *const names[F__N][2] = {
	{"saddr", NULL},	      {"sport", NULL},
	{"classification", NULL}, {"success", NULL},
	{"repeat", NULL},	      {"timestamp-str", "timestamp_str"},
	{"timestamp-ts", "timestamp_ts"},
};

/* Splits a CSV line into at most MAX_FIELDS fields (in place; quotes
 * around a field are removed, "" inside one is a quote). */
static int split(char *s, char **f)
{
	int n = 0;
	while (n < MAX_FIELDS) {
		char *o = s;
		f[n++] = s;
		if (*s == '"') {
			for (s++; *s; s++) {
				if (*s == '"' && s[1] == '"')
					*o++ = *s++;
				else if (*s == '"')
					break;
				else
					*o++ = *s;
			}
			if (*s == '"')
				s++;
			while (*s && *s != ',')
				s++;
		} else {
			while (*s && *s != ',')
				s++;
			o = s;
		}
		char end = *s;
		*o = '\0';
		if (end != ',')
			break;
		s++;
	}
	return n;
}

static void read_header(csv *h, char **f, int n)
{
	for (int k = 0; k < F__N; k++) {
		h->col[k] = -1;
		for (int i = 0; i < n; i++)
			if (!strcmp(f[i], names[k][0]) ||
			    (names[k][1] && !strcmp(f[i], names[k][1])))
				h->col[k] = i;
	}
	h->n_cols = n;
	h->header = 1;
}

static const char *field(const csv *h, char **f, int n, int k)
{
	int i = h->col[k];
	return i >= 0 && i < n ? f[i] : NULL;
}

/* "1"/"true" 1, "0"/"false" 0, absent -1. */
static int flag(const char *v)
{
	if (!v || !*v)
		return -1;
	return !strcmp(v, "1") || !strcmp(v, "true");
}

/* The shared part of a CSV row or JSON object. */
static int row(imp_ctx *c, const char *saddr, const char *sport,
	       const char *cls, int success, int repeat, uint64_t ts)
{
	if (imp_obs_ip(&c->o, saddr))
		return imp_why(c, "\"saddr\" is not an address");
	if (repeat == 1)
		return 1; /* a duplicate answer: nothing new */
	c->o.seen_us = ts;
	if (sport && *sport) {
		int64_t p = 0;
		size_t k = strlen(sport);
		if (k > 5 || strspn(sport, "0123456789") != k)
			return imp_why(c, "\"sport\" is not a port");
		for (size_t i = 0; i < k; i++)
			p = p * 10 + (sport[i] - '0');
		if (imp_obs_port(&c->o, "tcp", p))
			return imp_why(c, "\"sport\" is not a port");
		c->o.open = success == 1 || (success < 0 && cls &&
					     !strcmp(cls, "synack"));
	}
	return 0;
}

static void csv_line(imp_ctx *c, csv *h, char *line, uint64_t ln)
{
	char *f[MAX_FIELDS];
	int n = split(line, f);
	if (!h->header && c->st->records == 0 && !strcmp(f[0], "saddr")) {
		read_header(h, f, n);
		return;
	}
	c->st->records++;
	c->bad[0] = '\0';
	imp_obs_reset(c, ln);
	if (!h->header) { /* the default output: one address a line */
		if (n != 1 || imp_obs_ip(&c->o, f[0])) {
			imp_why(c, "not an address");
			imp_bad(c, ln);
			return;
		}
		imp_emit(c);
		return;
	}
	if (n != h->n_cols) {
		imp_why(c, "%d fields, the header has %d", n, h->n_cols);
		imp_bad(c, ln);
		return;
	}
	const char *ts = field(h, f, n, F_TSTR);
	int rc = row(c, field(h, f, n, F_SADDR), field(h, f, n, F_SPORT),
		     field(h, f, n, F_CLASS), flag(field(h, f, n, F_SUCCESS)),
		     flag(field(h, f, n, F_REPEAT)),
		     imp_time_us(ts ? ts : field(h, f, n, F_TTS)));
	if (rc < 0)
		imp_bad(c, ln);
	else if (rc == 0)
		imp_emit(c);
}

int vt_imp_read_zmap_csv(imp_ctx *c)
{
	csv h;
	char *line;
	size_t len;
	int rc;
	memset(&h, 0, sizeof(h));
	while (!c->stop && (rc = vt_imp_src_line(c->src, &line, &len)) != 0) {
		uint64_t ln = vt_imp_src_lineno(c->src);
		if (rc < 0)
			return rc;
		if (rc == 2) {
			c->st->records++;
			imp_why(c, "line longer than %u bytes", VT_IMPORT_MAX_LINE);
			imp_bad(c, ln);
			continue;
		}
		if (len == 0 || line[0] == '#')
			continue;
		csv_line(c, &h, line, ln);
	}
	return c->stop;
}

/* A JSON member as text: a string, or an integer written out. */
static const char *jtext(const vt_json *j, vt_jref o, const char *key,
			 char *buf, size_t cap)
{
	vt_jref r = vt_json_get(j, o, key);
	int64_t v;
	if (vt_json_type(j, r) == VT_JSTR)
		return vt_json_string(j, r, NULL);
	if (vt_json_int(j, r, INT64_MIN, INT64_MAX, &v) == VT_OK) {
		snprintf(buf, cap, "%lld", (long long)v);
		return buf;
	}
	if (vt_json_type(j, r) == VT_JTRUE)
		return "1";
	if (vt_json_type(j, r) == VT_JFALSE)
		return "0";
	return NULL;
}

static int json_rec(imp_ctx *c, vt_jref root)
{
	const vt_json *j = c->j;
	char b1[24], b2[24], b3[24], b4[24];
	imp_obs_reset(c, vt_imp_src_lineno(c->src));
	const char *ts = jtext(j, root, "timestamp-str", b3, sizeof(b3));
	if (!ts)
		ts = jtext(j, root, "timestamp_str", b3, sizeof(b3));
	uint64_t t = imp_time_us(ts);
	if (!t)
		t = imp_json_time(j, vt_json_get(j, root, "timestamp-ts"));
	if (!t)
		t = imp_json_time(j, vt_json_get(j, root, "timestamp_ts"));
	int rc = row(c, imp_jstr(j, root, "saddr"),
		     jtext(j, root, "sport", b1, sizeof(b1)),
		     imp_jstr(j, root, "classification"),
		     flag(jtext(j, root, "success", b2, sizeof(b2))),
		     flag(jtext(j, root, "repeat", b4, sizeof(b4))), t);
	if (rc < 0)
		return -1;
	if (rc == 0)
		imp_emit(c);
	return 0;
}

int vt_imp_read_zmap_json(imp_ctx *c)
{
	return imp_json_lines(c, json_rec, NULL);
}
