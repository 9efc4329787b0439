/*
 * The device-type crosswalk: Nmap's d/ values and Recog's hw.device /
 * os.device vocabulary onto the taxonomy of DESIGN.md, from a TSV file
 * (data/taxonomy/crosswalk.tsv): "source<TAB>raw value<TAB>type", '#'
 * comments. An unknown type identifier in the file is an error.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "answer.h"
#include "util/file.h"
#include "vantage/error.h"

static const char *const taxonomy[] = {
	"router", "camera", "media", "tv", "voice_assistant", "smart_home",
	"printer", "storage", "game_console", "health", "computer", "phone",
	"generic_iot", "unknown",
};

typedef struct xentry {
	char source[8];
	char raw[64];
	const char *type;
} xentry;

struct vt_xwalk {
	xentry *e;
	size_t n;
};

const char *vt_xwalk_canon(const char *type)
{
	for (size_t i = 0; type && i < sizeof(taxonomy) / sizeof(taxonomy[0]); i++)
		if (!strcmp(type, taxonomy[i]))
			return taxonomy[i];
	return "unknown";
}

static int parse_line(vt_xwalk *x, char *l, const char *path, int lineno,
		      char *errbuf)
{
	char *t1 = strchr(l, '\t');
	char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
	if (!t2 || strchr(t2 + 1, '\t')) {
		snprintf(errbuf, VT_ERRBUF_LEN, "%s:%d: expected 3 tab-separated fields",
			 path, lineno);
		return VT_EFORMAT;
	}
	*t1 = *t2 = '\0';
	const char *type = vt_xwalk_canon(t2 + 1);
	if (strcmp(type, t2 + 1) || strlen(l) >= 8 || strlen(t1 + 1) >= 64) {
		snprintf(errbuf, VT_ERRBUF_LEN, "%s:%d: bad entry (type '%s')",
			 path, lineno, t2 + 1);
		return VT_EFORMAT;
	}
	xentry *e = realloc(x->e, (x->n + 1) * sizeof(*e));
	if (!e)
		return VT_ENOMEM;
	x->e = e;
	snprintf(e[x->n].source, sizeof(e[x->n].source), "%s", l);
	snprintf(e[x->n].raw, sizeof(e[x->n].raw), "%s", t1 + 1);
	e[x->n].type = type;
	x->n++;
	return VT_OK;
}

vt_xwalk *vt_xwalk_load(const char *path, char *errbuf)
{
	uint8_t *buf;
	size_t len;
	if (vt_file_read(path, 1u << 20, &buf, &len)) {
		snprintf(errbuf, VT_ERRBUF_LEN, "%s: cannot read", path);
		return NULL;
	}
	vt_xwalk *x = calloc(1, sizeof(*x));
	char *s = (char *)buf;
	int lineno = 0, rc = x ? VT_OK : VT_ENOMEM;
	while (rc == VT_OK && s && *s) {
		char *nl = strchr(s, '\n');
		if (nl)
			*nl = '\0';
		lineno++;
		size_t l = strlen(s);
		if (l && s[l - 1] == '\r')
			s[l - 1] = '\0';
		if (*s && *s != '#')
			rc = parse_line(x, s, path, lineno, errbuf);
		s = nl ? nl + 1 : NULL;
	}
	free(buf);
	if (rc != VT_OK) {
		if (rc == VT_ENOMEM)
			snprintf(errbuf, VT_ERRBUF_LEN, "%s: out of memory", path);
		vt_xwalk_free(x);
		return NULL;
	}
	return x;
}

void vt_xwalk_free(vt_xwalk *x)
{
	if (!x)
		return;
	free(x->e);
	free(x);
}

const char *vt_xwalk_type(const vt_xwalk *x, const char *source,
			  const char *raw)
{
	if (!x || !raw || !*raw)
		return "unknown";
	int c0 = tolower((unsigned char)raw[0]);
	for (size_t i = 0; i < x->n; i++)
		if (tolower((unsigned char)x->e[i].raw[0]) == c0 &&
		    !strcmp(x->e[i].source, source) && !strcasecmp(x->e[i].raw, raw))
			return x->e[i].type;
	return "unknown";
}
