/*
 * The bounded JSON reader (RFC 8259): a recursive-descent parser over a
 * cursor that builds a flat node array. Depth is capped before recursing,
 * the node array and the string arena grow only up to the caps, and the
 * arena is sized from the document length (a decoded string is never
 * longer than its source), so no input can make it allocate without end.
 */
#include "vantage/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vantage/cursor.h"
#include "vantage/error.h"

typedef struct jnode {
	uint8_t type;
	uint32_t key_off, key_len; /* member key in the arena; len 0 + off 0: none */
	uint32_t val_off, val_len; /* string: decoded bytes; number: source text */
	uint32_t first, next;      /* first child / next sibling, VT_JNONE */
	uint32_t count;            /* children of an array or object */
	uint8_t has_key;
} jnode;

struct vt_json {
	vt_json_limits lim;
	jnode *nodes;
	size_t n_nodes, cap_nodes;
	char *arena; /* decoded strings, each NUL-terminated */
	size_t arena_len, arena_cap;
	char err[96];
	vt_cur c; /* parse state */
};

vt_json *vt_json_new(const vt_json_limits *lim)
{
	vt_json *j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	j->lim.max_bytes = lim && lim->max_bytes ? lim->max_bytes : 1u << 20;
	j->lim.max_depth = lim && lim->max_depth ? lim->max_depth : 64;
	j->lim.max_nodes = lim && lim->max_nodes ? lim->max_nodes : 65536;
	return j;
}

void vt_json_free(vt_json *j)
{
	if (!j)
		return;
	free(j->nodes);
	free(j->arena);
	free(j);
}

const char *vt_json_error(const vt_json *j) { return j->err; }

static int fail(vt_json *j, int code, const char *what)
{
	if (!j->err[0])
		snprintf(j->err, sizeof(j->err), "column %zu: %s",
			 j->c.off + 1, what);
	cur_fail(&j->c);
	return code;
}

static void skip_ws(vt_cur *c)
{
	for (;;) {
		uint8_t b = cur_peek(c, 0);
		if (cur_left(c) == 0 ||
		    (b != ' ' && b != '\t' && b != '\n' && b != '\r'))
			return;
		cur_skip(c, 1);
	}
}

static int new_node(vt_json *j, uint8_t type, uint32_t *out)
{
	if (j->n_nodes >= j->lim.max_nodes)
		return fail(j, VT_EFULL, "too many values");
	if (j->n_nodes == j->cap_nodes) {
		size_t cap = j->cap_nodes ? j->cap_nodes * 2 : 64;
		if (cap > j->lim.max_nodes)
			cap = j->lim.max_nodes;
		jnode *n = realloc(j->nodes, cap * sizeof(*n));
		if (!n)
			return fail(j, VT_ENOMEM, "out of memory");
		j->nodes = n;
		j->cap_nodes = cap;
	}
	jnode *n = &j->nodes[j->n_nodes];
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->first = n->next = VT_JNONE;
	*out = (uint32_t)j->n_nodes++;
	return VT_OK;
}

static void put_utf8(vt_json *j, uint32_t cp)
{
	char *o = j->arena + j->arena_len;
	if (cp < 0x80) {
		o[0] = (char)cp;
		j->arena_len += 1;
	} else if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		j->arena_len += 2;
	} else if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		j->arena_len += 3;
	} else {
		o[0] = (char)(0xf0 | cp >> 18);
		o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[3] = (char)(0x80 | (cp & 0x3f));
		j->arena_len += 4;
	}
}

static int hex4(vt_cur *c, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		uint8_t b = cur_u8(c);
		int d = b >= '0' && b <= '9'   ? b - '0'
			: b >= 'a' && b <= 'f' ? b - 'a' + 10
			: b >= 'A' && b <= 'F' ? b - 'A' + 10
					       : -1;
		if (d < 0 || !cur_ok(c))
			return -1;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

/* \uXXXX (the "\u" already read), with surrogate pairs. The arena has
 * room: 6 source bytes never decode to more than 4. */
static int unicode_escape(vt_json *j)
{
	uint32_t cp, lo;
	if (hex4(&j->c, &cp))
		return fail(j, VT_EFORMAT, "bad \\u escape");
	if (cp >= 0xd800 && cp <= 0xdbff && cur_peek(&j->c, 0) == '\\' &&
	    cur_peek(&j->c, 1) == 'u') {
		vt_cur save = j->c;
		cur_skip(&j->c, 2);
		if (!hex4(&j->c, &lo) && lo >= 0xdc00 && lo <= 0xdfff)
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		else
			j->c = save;
	}
	if (cp >= 0xd800 && cp <= 0xdfff)
		cp = 0xfffd; /* a lone surrogate */
	put_utf8(j, cp);
	return VT_OK;
}

/* A string (opening quote next) into the arena: its offset and length. */
static int parse_string(vt_json *j, uint32_t *off, uint32_t *len)
{
	static const char simple[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
	vt_cur *c = &j->c;
	cur_skip(c, 1);
	*off = (uint32_t)j->arena_len;
	for (;;) {
		/* A run of bytes that stand for themselves: one copy. */
		const uint8_t *p = cur_ptr(c);
		size_t k = 0, left = cur_left(c);
		while (k < left && p[k] >= 0x20 && p[k] != '"' && p[k] != '\\')
			k++;
		memcpy(j->arena + j->arena_len, p, k);
		j->arena_len += k;
		cur_skip(c, k);
		uint8_t b = cur_u8(c);
		if (!cur_ok(c))
			return fail(j, VT_EFORMAT, "unterminated string");
		if (b == '"')
			break;
		if (b < 0x20)
			return fail(j, VT_EFORMAT, "control character in string");
		if (b != '\\') {
			j->arena[j->arena_len++] = (char)b;
			continue;
		}
		uint8_t e = cur_u8(c);
		if (e == 'u') {
			int rc = unicode_escape(j);
			if (rc)
				return rc;
			continue;
		}
		const char *m = e ? memchr(simple, e, sizeof(simple) - 1) : NULL;
		if (!m || ((m - simple) & 1))
			return fail(j, VT_EFORMAT, "bad escape in string");
		j->arena[j->arena_len++] = m[1];
	}
	*len = (uint32_t)(j->arena_len - *off);
	j->arena[j->arena_len++] = '\0';
	return VT_OK;
}

static size_t digits(vt_cur *c)
{
	size_t n = 0;
	while (cur_left(c) && cur_peek(c, 0) >= '0' && cur_peek(c, 0) <= '9') {
		cur_skip(c, 1);
		n++;
	}
	return n;
}

static int parse_number(vt_json *j, uint32_t node)
{
	vt_cur *c = &j->c;
	size_t start = c->off;
	if (cur_peek(c, 0) == '-')
		cur_skip(c, 1);
	if (cur_peek(c, 0) == '0' && cur_left(c))
		cur_skip(c, 1);
	else if (!digits(c))
		return fail(j, VT_EFORMAT, "bad number");
	if (cur_left(c) && cur_peek(c, 0) == '.') {
		cur_skip(c, 1);
		if (!digits(c))
			return fail(j, VT_EFORMAT, "bad number");
	}
	if (cur_left(c) && (cur_peek(c, 0) == 'e' || cur_peek(c, 0) == 'E')) {
		cur_skip(c, 1);
		if (cur_peek(c, 0) == '+' || cur_peek(c, 0) == '-')
			cur_skip(c, 1);
		if (!digits(c))
			return fail(j, VT_EFORMAT, "bad number");
	}
	/* Copied to the arena so the node outlives the caller's buffer; a
	 * number and its NUL never take more room than its source and the
	 * separator after it. */
	size_t n = c->off - start;
	j->nodes[node].val_off = (uint32_t)j->arena_len;
	j->nodes[node].val_len = (uint32_t)n;
	memcpy(j->arena + j->arena_len, c->p + start, n);
	j->arena_len += n;
	j->arena[j->arena_len++] = '\0';
	return VT_OK;
}

static int parse_literal(vt_json *j, const char *word)
{
	size_t n = strlen(word);
	const uint8_t *b = cur_bytes(&j->c, n);
	if (!b || memcmp(b, word, n))
		return fail(j, VT_EFORMAT, "unexpected character");
	return VT_OK;
}

static int parse_value(vt_json *j, unsigned depth, uint32_t *out);

/* Links child after prev (or as parent's first) and counts it. */
static void link_child(vt_json *j, uint32_t parent, uint32_t *prev,
		       uint32_t child)
{
	if (*prev == VT_JNONE)
		j->nodes[parent].first = child;
	else
		j->nodes[*prev].next = child;
	*prev = child;
	j->nodes[parent].count++;
}

static int parse_container(vt_json *j, unsigned depth, uint32_t node,
			   int is_obj)
{
	vt_cur *c = &j->c;
	uint8_t close = is_obj ? '}' : ']';
	uint32_t prev = VT_JNONE;
	cur_skip(c, 1);
	skip_ws(c);
	if (cur_left(c) && cur_peek(c, 0) == close) {
		cur_skip(c, 1);
		return VT_OK;
	}
	for (;;) {
		uint32_t koff = 0, klen = 0, child;
		int rc;
		skip_ws(c);
		if (is_obj) {
			if (cur_peek(c, 0) != '"' || !cur_left(c))
				return fail(j, VT_EFORMAT, "expected a key");
			if ((rc = parse_string(j, &koff, &klen)))
				return rc;
			skip_ws(c);
			if (cur_u8(c) != ':')
				return fail(j, VT_EFORMAT, "expected ':'");
		}
		if ((rc = parse_value(j, depth + 1, &child)))
			return rc;
		if (is_obj) {
			j->nodes[child].has_key = 1;
			j->nodes[child].key_off = koff;
			j->nodes[child].key_len = klen;
		}
		link_child(j, node, &prev, child);
		skip_ws(c);
		uint8_t b = cur_u8(c);
		if (b == close && cur_ok(c))
			return VT_OK;
		if (b != ',' || !cur_ok(c))
			return fail(j, VT_EFORMAT, is_obj ? "expected ',' or '}'"
							  : "expected ',' or ']'");
	}
}

static int parse_value(vt_json *j, unsigned depth, uint32_t *out)
{
	vt_cur *c = &j->c;
	int rc;
	skip_ws(c);
	if (!cur_left(c))
		return fail(j, VT_EFORMAT, "unexpected end");
	uint8_t b = cur_peek(c, 0);
	uint8_t type = b == '{' ? VT_JOBJ : b == '[' ? VT_JARR
		     : b == '"'			 ? VT_JSTR
		     : b == 't'			 ? VT_JTRUE
		     : b == 'f'			 ? VT_JFALSE
		     : b == 'n'			 ? VT_JNULL
						 : VT_JNUM;
	if ((type == VT_JOBJ || type == VT_JARR) && depth >= j->lim.max_depth)
		return fail(j, VT_EFULL, "nested too deeply");
	if ((rc = new_node(j, type, out)))
		return rc;
	switch (type) {
	case VT_JOBJ:
	case VT_JARR:
		return parse_container(j, depth, *out, type == VT_JOBJ);
	case VT_JSTR: {
		uint32_t off, len;
		if ((rc = parse_string(j, &off, &len)))
			return rc;
		j->nodes[*out].val_off = off;
		j->nodes[*out].val_len = len;
		return VT_OK;
	}
	case VT_JTRUE: return parse_literal(j, "true");
	case VT_JFALSE: return parse_literal(j, "false");
	case VT_JNULL: return parse_literal(j, "null");
	default: return parse_number(j, *out);
	}
}

int vt_json_parse(vt_json *j, const uint8_t *p, size_t len)
{
	j->err[0] = '\0';
	j->n_nodes = 0;
	j->arena_len = 0;
	cur_init(&j->c, p, len);
	if (len > j->lim.max_bytes)
		return fail(j, VT_EFULL, "document too large");
	if (len + 2 > j->arena_cap) {
		char *a = realloc(j->arena, len + 2);
		if (!a)
			return fail(j, VT_ENOMEM, "out of memory");
		j->arena = a;
		j->arena_cap = len + 2;
	}
	uint32_t root;
	int rc = parse_value(j, 0, &root);
	if (rc) {
		j->n_nodes = 0;
		return rc;
	}
	skip_ws(&j->c);
	if (cur_left(&j->c)) {
		j->n_nodes = 0;
		return fail(j, VT_EFORMAT, "trailing characters");
	}
	return VT_OK;
}

static const jnode *node(const vt_json *j, vt_jref r)
{
	return r < j->n_nodes ? &j->nodes[r] : NULL;
}

vt_jref vt_json_root(const vt_json *j) { return j->n_nodes ? 0 : VT_JNONE; }

vt_jtype vt_json_type(const vt_json *j, vt_jref r)
{
	const jnode *n = node(j, r);
	return n ? (vt_jtype)n->type : VT_JABSENT;
}

vt_jref vt_json_first(const vt_json *j, vt_jref r)
{
	const jnode *n = node(j, r);
	return n ? n->first : VT_JNONE;
}

vt_jref vt_json_next(const vt_json *j, vt_jref r)
{
	const jnode *n = node(j, r);
	return n ? n->next : VT_JNONE;
}

size_t vt_json_count(const vt_json *j, vt_jref r)
{
	const jnode *n = node(j, r);
	return n ? n->count : 0;
}

const char *vt_json_key(const vt_json *j, vt_jref r, size_t *len)
{
	const jnode *n = node(j, r);
	if (!n || !n->has_key)
		return NULL;
	if (len)
		*len = n->key_len;
	return j->arena + n->key_off;
}

vt_jref vt_json_get(const vt_json *j, vt_jref obj, const char *key)
{
	if (vt_json_type(j, obj) != VT_JOBJ)
		return VT_JNONE;
	size_t kl = strlen(key);
	for (vt_jref r = vt_json_first(j, obj); r != VT_JNONE;
	     r = vt_json_next(j, r)) {
		const jnode *n = &j->nodes[r];
		if (n->key_len == kl && !memcmp(j->arena + n->key_off, key, kl))
			return r;
	}
	return VT_JNONE;
}

vt_jref vt_json_path(const vt_json *j, vt_jref r, const char *path)
{
	char key[128];
	while (*path && r != VT_JNONE) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof(key))
			return VT_JNONE;
		memcpy(key, path, n);
		key[n] = '\0';
		r = vt_json_get(j, r, key);
		path += n + (dot != NULL);
	}
	return r;
}

const char *vt_json_string(const vt_json *j, vt_jref r, size_t *len)
{
	const jnode *n = node(j, r);
	if (!n || n->type != VT_JSTR)
		return NULL;
	if (len)
		*len = n->val_len;
	return j->arena + n->val_off;
}

int vt_json_int(const vt_json *j, vt_jref r, int64_t min, int64_t max,
		int64_t *out)
{
	const jnode *n = node(j, r);
	if (!n || n->type != VT_JNUM || n->val_len == 0 || n->val_len > 20)
		return VT_EINVAL;
	const char *s = j->arena + n->val_off;
	size_t i = s[0] == '-';
	int64_t v = 0;
	if (i == n->val_len)
		return VT_EINVAL;
	for (; i < n->val_len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return VT_EINVAL; /* fraction or exponent */
		if (v > (INT64_MAX - (s[i] - '0')) / 10)
			return VT_EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	if (s[0] == '-')
		v = -v;
	if (v < min || v > max)
		return VT_EINVAL;
	*out = v;
	return VT_OK;
}
