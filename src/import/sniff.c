/*
 * Telling the import formats apart by content (EXTERNAL.md section 5),
 * and the table of readers. The first non-blank byte decides the family:
 * '<' XML (the root's scanner attribute: nmap or masscan), '[' masscan
 * -oJ, '{' JSON Lines (the first record's keys: rec_type masscan -oD,
 * data ZGrab2, services or result.services Censys v2, p<digits> or
 * protocols legacy Censys, saddr ZMap), '#' masscan's list or grepable
 * header, a dotted quad or a "saddr" CSV header ZMap. The first record is
 * parsed with the JSON reader when it fits in the sniffed bytes; a record
 * cut at the sniff window's end is looked at by its keys' text.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "imp_int.h"
#include "vantage/error.h"

static const struct {
	const char *name;
	int (*read)(imp_ctx *c);
} formats[VT_IMP__COUNT] = {
	[VT_IMP_UNKNOWN] = {"unknown", NULL},
	[VT_IMP_ZGRAB2] = {"zgrab2", vt_imp_read_zgrab2},
	[VT_IMP_CENSYS] = {"censys", vt_imp_read_censys},
	[VT_IMP_CENSYS_LEGACY] = {"censys-legacy", vt_imp_read_censys_legacy},
	[VT_IMP_NMAP_XML] = {"nmap-xml", vt_imp_read_xml},
	[VT_IMP_MASSCAN_JSON] = {"masscan-json", vt_imp_read_masscan_json},
	[VT_IMP_MASSCAN_NDJSON] = {"masscan-ndjson", vt_imp_read_masscan_ndjson},
	[VT_IMP_MASSCAN_XML] = {"masscan-xml", vt_imp_read_xml},
	[VT_IMP_MASSCAN_LIST] = {"masscan-list", vt_imp_read_masscan_list},
	[VT_IMP_ZMAP_CSV] = {"zmap-csv", vt_imp_read_zmap_csv},
	[VT_IMP_ZMAP_JSON] = {"zmap-json", vt_imp_read_zmap_json},
};

const char *vt_import_fmt_name(vt_import_fmt f)
{
	return f > VT_IMP_UNKNOWN && f < VT_IMP__COUNT ? formats[f].name
						       : "unknown";
}

vt_import_fmt vt_import_fmt_parse(const char *name)
{
	for (int f = 1; f < VT_IMP__COUNT; f++)
		if (!strcmp(formats[f].name, name))
			return (vt_import_fmt)f;
	return VT_IMP_UNKNOWN;
}

/* Is needle in p[0..n)? */
static int has(const uint8_t *p, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; k <= n && i <= n - k; i++)
		if (p[i] == (uint8_t)needle[0] && !memcmp(p + i, needle, k))
			return 1;
	return 0;
}

static vt_import_fmt sniff_xml(const uint8_t *p, size_t n)
{
	if (has(p, n, "scanner=\"masscan\"") || has(p, n, "scanner='masscan'"))
		return VT_IMP_MASSCAN_XML;
	if (has(p, n, "<nmaprun"))
		return VT_IMP_NMAP_XML;
	return VT_IMP_UNKNOWN;
}

static int p_port_key(const vt_json *j, vt_jref root)
{
	for (vt_jref m = vt_json_first(j, root); m != VT_JNONE;
	     m = vt_json_next(j, m)) {
		size_t kl;
		const char *k = vt_json_key(j, m, &kl);
		if (kl >= 2 && kl <= 6 && k[0] == 'p' &&
		    strspn(k + 1, "0123456789") == kl - 1)
			return 1;
	}
	return 0;
}

/* The first JSON line, parsed. */
static vt_import_fmt sniff_json_parsed(const vt_json *j)
{
	vt_jref r = vt_json_root(j);
	if (vt_json_type(j, r) != VT_JOBJ)
		return VT_IMP_UNKNOWN;
	if (vt_json_get(j, r, "rec_type") != VT_JNONE)
		return VT_IMP_MASSCAN_NDJSON;
	if (vt_json_type(j, vt_json_get(j, r, "data")) == VT_JOBJ)
		return VT_IMP_ZGRAB2;
	if (vt_json_get(j, r, "services") != VT_JNONE ||
	    vt_json_path(j, r, "result.services") != VT_JNONE)
		return VT_IMP_CENSYS;
	if (p_port_key(j, r) || vt_json_get(j, r, "protocols") != VT_JNONE)
		return VT_IMP_CENSYS_LEGACY;
	if (vt_json_get(j, r, "saddr") != VT_JNONE)
		return VT_IMP_ZMAP_JSON;
	return VT_IMP_UNKNOWN;
}

/* A first record too long for the window: its keys as text. */
static vt_import_fmt sniff_json_text(const uint8_t *p, size_t n)
{
	if (has(p, n, "\"rec_type\""))
		return VT_IMP_MASSCAN_NDJSON;
	if (has(p, n, "\"data\":{") || has(p, n, "\"data\": {"))
		return VT_IMP_ZGRAB2;
	if (has(p, n, "\"services\""))
		return VT_IMP_CENSYS;
	if (has(p, n, "\"protocols\"") || has(p, n, "\"p80\"") ||
	    has(p, n, "\"p443\"") || has(p, n, "\"p23\"") || has(p, n, "\"p22\""))
		return VT_IMP_CENSYS_LEGACY;
	if (has(p, n, "\"saddr\""))
		return VT_IMP_ZMAP_JSON;
	return VT_IMP_UNKNOWN;
}

static vt_import_fmt sniff_json(const uint8_t *p, size_t n)
{
	const uint8_t *nl = memchr(p, '\n', n);
	if (nl) {
		vt_json_limits lim = {n, 64, 1u << 16};
		vt_json *j = vt_json_new(&lim);
		vt_import_fmt f = VT_IMP_UNKNOWN;
		if (j && vt_json_parse(j, p, (size_t)(nl - p)) == VT_OK)
			f = sniff_json_parsed(j);
		vt_json_free(j);
		if (f != VT_IMP_UNKNOWN)
			return f;
		n = (size_t)(nl - p);
	}
	return sniff_json_text(p, n);
}

static int dotted_quad(const uint8_t *p, size_t n)
{
	int dots = 0, digits = 0;
	for (size_t i = 0; i < n && p[i] != '\n' && p[i] != '\r'; i++) {
		if (p[i] == '.' && digits) {
			dots++;
			digits = 0;
		} else if (isdigit(p[i]) && digits < 3) {
			digits++;
		} else {
			return 0;
		}
	}
	return dots == 3 && digits;
}

vt_import_fmt vt_import_sniff(const uint8_t *p, size_t n)
{
	size_t i = 0;
	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		i = 3; /* a UTF-8 byte order mark */
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' ||
			 p[i] == '\n'))
		i++;
	if (i == n)
		return VT_IMP_UNKNOWN;
	p += i;
	n -= i;
	switch (p[0]) {
	case '<': return sniff_xml(p, n);
	case '[': return VT_IMP_MASSCAN_JSON;
	case '{': return sniff_json(p, n);
	case '#':
		if ((n >= 8 && !memcmp(p, "#masscan", 8)) ||
		    (n >= 9 && !memcmp(p, "# Masscan", 9)))
			return VT_IMP_MASSCAN_LIST;
		return VT_IMP_UNKNOWN;
	default: break;
	}
	if (n >= 6 && !memcmp(p, "saddr", 5) && (p[5] == ',' || p[5] == '\n' ||
						 p[5] == '\r'))
		return VT_IMP_ZMAP_CSV;
	if (dotted_quad(p, n))
		return VT_IMP_ZMAP_CSV;
	return VT_IMP_UNKNOWN;
}

int vt_import_run(vt_import_fmt fmt, vt_imp_src *src, const vt_imp_sink *sink,
		  vt_imp_stats *st, char *why, size_t cap)
{
	memset(st, 0, sizeof(*st));
	if (fmt <= VT_IMP_UNKNOWN || fmt >= VT_IMP__COUNT) {
		snprintf(why, cap, "unknown format");
		return VT_EINVAL;
	}
	vt_json_limits lim = {VT_IMPORT_MAX_LINE, 64, 1u << 20};
	imp_ctx *c = calloc(1, sizeof(*c));
	int rc = VT_ENOMEM;
	if (c && (c->j = vt_json_new(&lim)) && (c->buf = malloc(IMP_MAX_BANNER)) &&
	    (c->http = malloc(IMP_MAX_BANNER))) {
		c->src = src;
		c->sink = sink;
		c->st = st;
		c->why = why;
		c->why_cap = cap;
		why[0] = '\0';
		rc = formats[fmt].read(c);
		if (rc && !why[0])
			snprintf(why, cap, "%s",
				 rc == c->stop ? "stopped" : vt_imp_src_error(src));
	}
	if (rc == VT_ENOMEM && !why[0])
		snprintf(why, cap, "out of memory");
	if (c) {
		vt_json_free(c->j);
		free(c->buf);
		free(c->http);
	}
	free(c);
	return rc;
}
