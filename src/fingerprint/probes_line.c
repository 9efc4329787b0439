/*
 * One match or softmatch line of nmap-service-probes:
 *     match <service> m<d><regex><d>[i][s] <versioninfo>*
 * The regex ends at the next occurrence of its delimiter (there is no
 * escaping of the delimiter); only the flags i (caseless) and s (dot
 * matches newline) may follow. Version info: p/ v/ i/ h/ o/ d/ with free
 * delimiters, and cpe:/.../ (up to 3 ignored flag letters, repeatable);
 * a repeated field replaces the earlier one. The CPE delimiter is '/'
 * nearly always, but Nmap's own file has cpe:|h:siemens:315-2pn/dp| and
 * Nmap's parser takes any delimiter there, so we do too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp_int.h"
#include "vantage/cursor.h"
#include "vantage/error.h"

#define WHY(...) (snprintf(why, cap, __VA_ARGS__), VT_EFORMAT)

static int is_space(uint8_t b) { return b == ' ' || b == '\t'; }

static void skip_spaces(vt_cur *c)
{
	while (cur_left(c) && is_space(cur_peek(c, 0)))
		cur_skip(c, 1);
}

static const uint8_t *upto(vt_cur *c, uint8_t d, size_t *len)
{
	const uint8_t *s = cur_ptr(c);
	const uint8_t *e = cur_left(c) ? memchr(s, d, cur_left(c)) : NULL;
	if (!e)
		return NULL;
	*len = (size_t)(e - s);
	cur_skip(c, *len + 1);
	return s;
}

static char *dupn(const uint8_t *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static void pmatch_clear(vt_pmatch *m)
{
	free(m->service);
	pcre2_code_free(m->re);
	for (int k = 0; k < 6; k++)
		free(m->tmpl[k]);
	for (int k = 0; k < m->n_cpe; k++)
		free(m->cpe[k]);
	free(m->cpe);
	memset(m, 0, sizeof(*m));
}

static int add_cpe(vt_pmatch *m, const uint8_t *v, size_t n)
{
	char **nc = realloc(m->cpe, (size_t)(m->n_cpe + 1) * sizeof(*nc));
	if (!nc)
		return VT_ENOMEM;
	m->cpe = nc;
	if (!(nc[m->n_cpe] = dupn(v, n)))
		return VT_ENOMEM;
	m->n_cpe++;
	return VT_OK;
}

static int version_info(vt_cur *c, vt_pmatch *m, char *why, size_t cap)
{
	static const char letters[] = "pvihod";
	for (;;) {
		skip_spaces(c);
		if (!cur_left(c))
			return VT_OK;
		size_t n;
		const uint8_t *v;
		if (cur_left(c) >= 4 && !memcmp(cur_ptr(c), "cpe:", 4)) {
			cur_skip(c, 4);
			/* Usually '/', but the file also has cpe:|...| for
			 * values holding a '/'; Nmap takes any delimiter. */
			uint8_t d = cur_u8(c);
			if (!cur_ok(c) || !(v = upto(c, d, &n)))
				return WHY("unterminated cpe:");
			int flags = 0;
			while (cur_left(c) && !is_space(cur_peek(c, 0))) {
				uint8_t f = cur_u8(c);
				if (!((f >= 'a' && f <= 'z') || (f >= 'A' && f <= 'Z')) ||
				    ++flags > 3)
					return WHY("bad flags after cpe:/.../");
			}
			if (add_cpe(m, v, n))
				return VT_ENOMEM;
			continue;
		}
		uint8_t l = cur_u8(c);
		const char *k = memchr(letters, l, 6);
		if (!k || !l)
			return WHY("unknown version field '%c'",
				   l > 0x20 && l < 0x7f ? l : '?');
		uint8_t d = cur_u8(c);
		if (!cur_ok(c) || !(v = upto(c, d, &n)))
			return WHY("unterminated %c%c...", l, d ? d : '/');
		if (cur_left(c) && !is_space(cur_peek(c, 0)))
			return WHY("expected a space after %c%c...%c", l, d, d);
		int f = (int)(k - letters);
		free(m->tmpl[f]);
		if (!(m->tmpl[f] = dupn(v, n)))
			return VT_ENOMEM;
	}
}

static int append(vt_probes *p, vt_pmatch *m, const char *pat, size_t len,
		  unsigned flags)
{
	vt_pmatch *nm = realloc(p->m, (p->n_m + 1) * sizeof(*nm));
	if (!nm)
		return VT_ENOMEM;
	p->m = nm;
	if (!p->set && !(p->set = vt_rset_new()))
		return VT_ENOMEM;
	if (vt_rset_add(p->set, m->re, NULL, pat, len, flags) != (long)p->n_m)
		return VT_ENOMEM;
	nm[p->n_m++] = *m;
	p->probes[p->n_probes - 1].m_end = p->n_m;
	return VT_OK;
}

int vt_pmatch_parse(vt_probes *p, vt_cur *c, int soft, int line, char *why,
		    size_t cap)
{
	vt_pmatch m = {.probe = (int)p->n_probes - 1, .soft = soft, .line = line};
	char svc[64];
	size_t n = 0;
	int rc = VT_EFORMAT;
	skip_spaces(c);
	while (cur_left(c) && !is_space(cur_peek(c, 0))) {
		if (n + 1 >= sizeof(svc))
			return WHY("service name longer than 63 bytes");
		svc[n++] = (char)cur_u8(c);
	}
	svc[n] = '\0';
	if (!n)
		return WHY("missing service name");
	skip_spaces(c);
	if (cur_u8(c) != 'm' || !cur_left(c))
		return WHY("the pattern must be m<delim>...<delim>");
	uint8_t d = cur_u8(c);
	vt_cur pat_at = *c;
	size_t plen;
	const uint8_t *pat = upto(c, d, &plen);
	if (!pat)
		return WHY("unterminated pattern");
	unsigned flags = 0;
	while (cur_left(c) && !is_space(cur_peek(c, 0))) {
		uint8_t f = cur_u8(c);
		if (f == 'i')
			flags |= VT_RX_CASELESS;
		else if (f == 's')
			flags |= VT_RX_DOTALL;
		else
			return WHY("unknown pattern flag '%c'",
				   f > 0x20 && f < 0x7f ? f : '?');
	}
	if (!(m.service = strdup(svc)))
		return VT_ENOMEM;
	if ((rc = version_info(c, &m, why, cap)))
		goto fail;
	char rerr[200];
	m.re = vt_rx_compile((const char *)pat, plen, flags, rerr, sizeof(rerr));
	if (!m.re) {
		*c = pat_at;
		rc = WHY("%s", rerr);
		goto fail;
	}
	if ((rc = append(p, &m, (const char *)pat, plen, flags)))
		goto fail;
	return VT_OK;
fail:
	pmatch_clear(&m);
	return rc;
}
