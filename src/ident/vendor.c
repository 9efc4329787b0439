/*
 * Vendor names to brands. The table (data/ident/vendors.tsv) maps a
 * lowercase substring of a registered or rule-given name to the brand
 * ("belkin" -> Belkin, "signify" -> Philips), optionally marked `module`
 * for makers of Wi-Fi/chip modules whose OUI says little about the
 * product. Names the table lacks are cleaned generically: corporate
 * suffixes and a leading Chinese city are dropped ("Shanghai Xiaodu
 * Technology Limited" -> "Xiaodu").
 */
#include <ctype.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ident/rules_int.h"
#include "util/file.h"
#include "vantage/cursor.h"
#include "vantage/error.h"

static char *field(vt_cur *c)
{
	size_t n = 0;
	while (n < cur_left(c) && cur_peek(c, n) != '\t' && cur_peek(c, n) != '\n' &&
	       cur_peek(c, n) != '\r')
		n++;
	const uint8_t *b = cur_bytes(c, n);
	if (cur_peek(c, 0) == '\t')
		cur_u8(c);
	char *s = malloc(n + 1);
	if (s) {
		memcpy(s, b, n);
		s[n] = '\0';
	}
	return s;
}

static int add_map(vt_rules *r, char *pat, char *brand, int module)
{
	if (r->n_vm == r->cap_vm) {
		size_t nc = r->cap_vm ? r->cap_vm * 2 : 64;
		vendor_map *nv = realloc(r->vm, nc * sizeof(*nv));
		if (!nv)
			return VT_ENOMEM;
		r->vm = nv;
		r->cap_vm = nc;
	}
	for (char *p = pat; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	r->vm[r->n_vm++] = (vendor_map){pat, brand, module};
	return VT_OK;
}

int vt_rules_add_vendors(vt_rules *r, const char *path, char *errbuf)
{
	uint8_t *buf;
	size_t len;
	vt_cur c;
	if (vt_file_read(path, 4u << 20, &buf, &len) != VT_OK) {
		snprintf(errbuf, VT_ERRBUF_LEN, "%s: cannot read vendor table", path);
		return VT_EIO;
	}
	cur_init(&c, buf, len);
	int e = VT_OK;
	for (unsigned line = 1; cur_left(&c) > 0 && !e; line++) {
		char *pat = field(&c), *brand = field(&c), *mod = field(&c);
		while (cur_left(&c) > 0 && cur_u8(&c) != '\n')
			;
		if (pat && pat[0] && pat[0] != '#' && (!brand || !brand[0])) {
			snprintf(errbuf, VT_ERRBUF_LEN,
				 "%s:%u:1: expected pattern<TAB>brand", path, line);
			e = VT_EFORMAT;
		} else if (pat && pat[0] && pat[0] != '#') {
			e = add_map(r, pat, brand, mod && !strcmp(mod, "module"));
			if (!e)
				pat = brand = NULL; /* owned by the table now */
		}
		free(pat);
		free(brand);
		free(mod);
	}
	free(buf);
	return e;
}

static const char *const cities[] = {
	"shanghai", "beijing", "shenzhen", "hangzhou", "guangzhou", "guangdong",
	"zhejiang", "jiangsu", "suzhou",   "xiamen",   "chongqing", "dongguan",
	"qingdao",  "nanjing", "wuhan",    "chengdu",  "fujian",    "tianjin",
	"zhuhai",   "ningbo",  "hefei",    "changsha", "huizhou",   "foshan"};

static const char *const corporate[] = {
	"inc",	   "incorporated", "co",	  "corp",      "corporation",
	"company", "ltd",	   "limited",	  "llc",       "gmbh",
	"ag",	   "sa",	   "bv",	  "nv",	       "plc",
	"kg",	   "technology",   "technologies", "tech",     "electronics",
	"electronic", "international", "communication", "communications",
	"mobile",  "software",	   "network",	  "networks",  "systems",
	"holdings", "group",	   "industrial",  "industries", "intelligent",
	"entwicklung", "lighting", "computer",	  "manufacturing", "digital",
	"telecom", "information", "science",	  "trading",   "products"};

static int in_list(const char *w, size_t n, const char *const *list,
		   size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (strlen(list[i]) == n && !strncasecmp(w, list[i], n))
			return 1;
	return 0;
}

/* Generic clean-up: drop a leading city, stop at the first corporate word. */
static char *clean(const char *name)
{
	char *out = malloc(strlen(name) + 1);
	size_t o = 0;
	int first = 1;
	if (!out)
		return NULL;
	for (const char *p = name; *p;) {
		while (*p && (isspace((unsigned char)*p) || *p == ',' || *p == '.' ||
			      *p == '(' || *p == ')'))
			p++;
		const char *w = p;
		while (*p && !isspace((unsigned char)*p) && *p != ',' && *p != '.' &&
		       *p != '(' && *p != ')')
			p++;
		size_t n = (size_t)(p - w);
		if (!n)
			break;
		if (first && in_list(w, n, cities, sizeof(cities) / sizeof(*cities)))
			continue;
		if (!first && in_list(w, n, corporate,
				      sizeof(corporate) / sizeof(*corporate)))
			break;
		if (o)
			out[o++] = ' ';
		memcpy(out + o, w, n);
		o += n;
		first = 0;
	}
	out[o] = '\0';
	if (!o) { /* nothing left: keep the name as registered */
		free(out);
		return strdup(name);
	}
	return out;
}

char *vt_vendor_normalize(const vt_rules *r, const char *name, int *module)
{
	char low[256];
	size_t n = strlen(name);
	if (module)
		*module = 0;
	if (n >= sizeof(low))
		n = sizeof(low) - 1;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	low[n] = '\0';
	for (size_t i = 0; r && i < r->n_vm; i++) {
		if (strstr(low, r->vm[i].pattern)) {
			if (module)
				*module = r->vm[i].module;
			return strdup(r->vm[i].brand);
		}
	}
	return clean(name);
}
