/*
 * The matcher behind `vantage match`: loads nmap-service-probes (from the
 * system, never from the repository), the vendored Recog databases
 * (data/recog/ (XML)), our rules (data/rules/ (XML)) and the device-type
 * crosswalk, builds their prefilters, and labels one banner at a time:
 * Nmap on the raw response, each Recog-schema database on the values
 * fields.c extracts, then one merged answer (answer.c).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "fields.h"
#include "fp_int.h"
#include "vantage/error.h"
#include "vantage/match.h"
#include "vantage/recog.h"

#define MAX_DBS 256
#define MAX_CANDS 40

typedef struct mdb {
	vt_recog_db *db;
	int ours;
} mdb;

/* The databases of one field key, in load order. */
typedef struct keydbs {
	const char *key;
	size_t len;
	uint16_t db[16];
	size_t n;
} keydbs;

struct vt_matcher {
	keydbs keys[MAX_DBS];
	size_t n_keys;
	vt_probes *probes;
	vt_probes_ctx *pctx;
	mdb dbs[MAX_DBS];
	size_t n_dbs;
	vt_recog_ctx *rctx;
	vt_xwalk *xw;
	uint8_t *scratch;
	size_t scratch_cap;
	int sequential, intensity;
	char warning[VT_ERRBUF_LEN];
};

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int ends_xml(const char *n)
{
	size_t l = strlen(n);
	return l > 4 && !strcmp(n + l - 4, ".xml");
}

/* Every *.xml of dir, in name order. A missing dir of Recog is fine. */
static int load_dir(vt_matcher *m, const char *dir, const char *prefix,
		    int ours, char *errbuf)
{
	struct dirent **ents = NULL;
	int n = scandir(dir, &ents, NULL, by_name), rc = VT_OK;
	if (n < 0)
		return VT_OK;
	for (int i = 0; i < n; i++) {
		char path[4096], label[512];
		if (rc == VT_OK && ends_xml(ents[i]->d_name)) {
			snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
			snprintf(label, sizeof(label), "%s%s", prefix, ents[i]->d_name);
			vt_recog_db *db = vt_recog_load(path, label, errbuf);
			if (!db || m->n_dbs >= MAX_DBS) {
				if (db)
					snprintf(errbuf, VT_ERRBUF_LEN, "%s: too many rule files", dir);
				vt_recog_free(db);
				rc = VT_EFORMAT;
			} else {
				m->dbs[m->n_dbs].db = db;
				m->dbs[m->n_dbs++].ours = ours;
			}
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

static void warn(vt_matcher *m, const char *msg)
{
	if (!m->warning[0])
		snprintf(m->warning, sizeof(m->warning), "%s; matching sequentially",
			 msg);
}

static int build_prefilters(vt_matcher *m, const vt_matcher_cfg *cfg)
{
	char err[VT_ERRBUF_LEN];
	char *cache = cfg->cache_dir ? strdup(cfg->cache_dir) : vt_fp_cache_dir();
	int rc = VT_OK;
	if (m->probes && (rc = vt_probes_prefilter(m->probes, cache, err)))
		warn(m, err);
	for (size_t i = 0; i < m->n_dbs; i++)
		if ((rc = vt_recog_prefilter(m->dbs[i].db, cache, err)))
			warn(m, err);
	free(cache);
	return VT_OK;
}

static void index_keys(vt_matcher *m)
{
	for (size_t i = 0; i < m->n_dbs; i++) {
		const char *k = vt_recog_matches(m->dbs[i].db);
		size_t j = 0;
		while (j < m->n_keys && strcmp(m->keys[j].key, k))
			j++;
		if (j == m->n_keys) {
			m->keys[j].key = k;
			m->keys[j].len = strlen(k);
			m->n_keys++;
		}
		if (m->keys[j].n < 16)
			m->keys[j].db[m->keys[j].n++] = (uint16_t)i;
	}
}

static const keydbs *find_key(const vt_matcher *m, const char *key)
{
	size_t l = strlen(key);
	for (size_t j = 0; j < m->n_keys; j++)
		if (m->keys[j].len == l && m->keys[j].key[0] == key[0] &&
		    !memcmp(m->keys[j].key, key, l))
			return &m->keys[j];
	return NULL;
}

static int load_all(vt_matcher *m, const vt_matcher_cfg *cfg, char *errbuf)
{
	const char *data = cfg->datadir ? cfg->datadir : getenv("VT_DATADIR");
	char path[4096];
	if (!data || !*data)
		data = VT_DATADIR;
	if (!cfg->probes_path || *cfg->probes_path) {
		if (!(m->probes = vt_probes_load(cfg->probes_path, errbuf)))
			return VT_EFORMAT;
		if (!(m->pctx = vt_probes_ctx_new(m->probes)))
			return VT_ENOMEM;
	}
	snprintf(path, sizeof(path), "%s/recog", data);
	if (!cfg->no_recog && load_dir(m, path, "recog:", 0, errbuf))
		return VT_EFORMAT;
	snprintf(path, sizeof(path), "%s/rules", data);
	if (load_dir(m, path, "data/rules/", 1, errbuf))
		return VT_EFORMAT;
	snprintf(path, sizeof(path), "%s/taxonomy/crosswalk.tsv", data);
	if (!(m->xw = vt_xwalk_load(path, errbuf)))
		return VT_EFORMAT;
	if (!(m->rctx = vt_recog_ctx_new()))
		return VT_ENOMEM;
	index_keys(m);
	return cfg->sequential ? VT_OK : build_prefilters(m, cfg);
}

vt_matcher *vt_matcher_new(const vt_matcher_cfg *cfg, char *errbuf)
{
	vt_matcher *m = calloc(1, sizeof(*m));
	errbuf[0] = '\0';
	if (!m) {
		snprintf(errbuf, VT_ERRBUF_LEN, "out of memory");
		return NULL;
	}
	m->sequential = cfg->sequential;
	m->intensity = cfg->intensity;
	int rc = load_all(m, cfg, errbuf);
	if (rc != VT_OK) {
		if (!errbuf[0])
			snprintf(errbuf, VT_ERRBUF_LEN, "%s", vt_strerror(rc));
		vt_matcher_free(m);
		return NULL;
	}
	return m;
}

void vt_matcher_free(vt_matcher *m)
{
	if (!m)
		return;
	vt_probes_ctx_free(m->pctx);
	vt_probes_free(m->probes);
	for (size_t i = 0; i < m->n_dbs; i++)
		vt_recog_free(m->dbs[i].db);
	vt_recog_ctx_free(m->rctx);
	vt_xwalk_free(m->xw);
	free(m->scratch);
	free(m);
}

const vt_probes *vt_matcher_probes(const vt_matcher *m) { return m->probes; }

const char *vt_matcher_warning(const vt_matcher *m)
{
	return m->warning[0] ? m->warning : NULL;
}

size_t vt_matcher_rule_count(const vt_matcher *m)
{
	size_t n = m->probes ? vt_probes_match_count(m->probes) : 0;
	for (size_t i = 0; i < m->n_dbs; i++)
		n += vt_recog_count(m->dbs[i].db);
	return n;
}

uint64_t vt_matcher_regex_errors(const vt_matcher *m)
{
	return m->pctx ? vt_probes_ctx_errors(m->pctx) : 0;
}

const char *vt_matcher_type(const vt_matcher *m, const char *source,
			    const char *raw)
{
	return vt_xwalk_type(m->xw, source, raw);
}

static int is_db_key(const vt_matcher *m, const char *key)
{
	return key && find_key(m, key) != NULL;
}

static int nmap_cand(vt_matcher *m, const vt_banner *b, int probe_known,
		     vt_cand *c)
{
	vt_nmap_query q = {.proto = b->proto, .port = b->port,
			   .probe = probe_known ? b->probe : NULL,
			   .in_tls = b->tls_subject != NULL,
			   .intensity = m->intensity,
			   .sequential = m->sequential};
	vt_nmap_result r;
	if (!m->probes || !b->len)
		return 0;
	vt_probes_match(m->probes, m->pctx, &q, b->data, b->len, &r);
	if (!r.matched)
		return 0;
	vt_cand_from_nmap(c, &r, m->xw);
	return 1;
}

static size_t recog_cands(vt_matcher *m, const vt_fields *f, vt_cand *c,
			  size_t cap)
{
	size_t n = 0;
	vt_recog_result r;
	for (size_t i = 0; i < f->n; i++) {
		const keydbs *kd = find_key(m, f->v[i].key);
		for (size_t k = 0; kd && k < kd->n && n < cap; k++) {
			const mdb *d = &m->dbs[kd->db[k]];
			vt_recog_match(d->db, m->rctx, f->v[i].p, f->v[i].len,
				       m->sequential, &r);
			if (vt_cand_from_recog(&c[n], d->db, &r, d->ours, (int)i,
					       m->xw) == 0)
				n++;
		}
	}
	return n;
}

int vt_matcher_match(vt_matcher *m, const vt_banner *b, vt_answer *a)
{
	vt_cand c[MAX_CANDS];
	vt_fields f;
	size_t n = 0;
	int rc = VT_OK;
	size_t need = 3 * b->len + 16;
	if (need > m->scratch_cap) {
		uint8_t *s = realloc(m->scratch, need);
		if (!s)
			return VT_ENOMEM;
		m->scratch = s;
		m->scratch_cap = need;
	}
	int key = is_db_key(m, b->probe);
	int known = b->probe && !key && m->probes &&
		    vt_probes_find(m->probes, b->proto, b->probe) >= 0;
	if (b->probe && !key && !known)
		rc = VT_EINVAL;
	if (!key)
		n += (size_t)nmap_cand(m, b, known, &c[n]);
	f.scratch = m->scratch;
	f.scratch_cap = m->scratch_cap;
	vt_fields_extract(&f, b, key);
	n += recog_cands(m, &f, c + n, MAX_CANDS - n);
	vt_answer_merge(c, n, a);
	return rc;
}
