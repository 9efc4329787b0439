/*
 * PCRE2 as Nmap uses it: byte mode (no UTF; Recog's text patterns ask
 * for UTF-8 mode, as Ruby runs them), patterns that can match the
 * empty string rejected, and every match run under Nmap's limits (match
 * 50,000, depth 1,000, heap 10,240 KiB; service_scan.cc). Any error other
 * than NOMATCH counts as no match and is counted.
 *
 * JIT is used for speed only: the JIT ignores the depth and heap limits
 * and counts the match limit differently, so a JIT "match" (or a JIT
 * error) is confirmed by the interpreter and only the interpreter's
 * answer is used. A JIT "no match" is final: the interpreter can only
 * fail as well (NOMATCH or a limit, both "no match").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp_int.h"
#include "vantage/error.h"

pcre2_code *vt_rx_compile(const char *pat, size_t len, unsigned flags,
			  char *err, size_t errlen)
{
	uint32_t opts = 0;
	int ec;
	PCRE2_SIZE eoff;
	if (flags & VT_RX_CASELESS)
		opts |= PCRE2_CASELESS;
	if (flags & VT_RX_DOTALL)
		opts |= PCRE2_DOTALL;
	if (flags & VT_RX_MULTILINE)
		opts |= PCRE2_MULTILINE;
	if (flags & VT_RX_UTF)
		opts |= PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
	if (!cc) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, len, opts, &ec, &eoff, cc);
	pcre2_compile_context_free(cc);
	if (!re) {
		PCRE2_UCHAR msg[160];
		pcre2_get_error_message(ec, msg, sizeof(msg));
		snprintf(err, errlen, "bad regex at offset %zu: %s",
			 (size_t)eoff, (const char *)msg);
		return NULL;
	}
	uint32_t empty = 0;
	pcre2_pattern_info(re, PCRE2_INFO_MATCHEMPTY, &empty);
	if (empty && !(flags & VT_RX_ALLOW_EMPTY)) {
		snprintf(err, errlen, "regex can match the empty string");
		pcre2_code_free(re);
		return NULL;
	}
	/* JIT failure is not an error: the interpreter still runs it. */
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	return re;
}

int vt_rx_ctx_init(vt_rx_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->mctx = pcre2_match_context_create(NULL);
	/* 100 pairs: more groups than any rule uses; $N needs 1-9. */
	c->md = pcre2_match_data_create(100, NULL);
	c->jstack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
	if (!c->mctx || !c->md) {
		vt_rx_ctx_cleanup(c);
		return VT_ENOMEM;
	}
	pcre2_set_match_limit(c->mctx, VT_RX_MATCH_LIMIT);
	pcre2_set_depth_limit(c->mctx, VT_RX_DEPTH_LIMIT);
	pcre2_set_heap_limit(c->mctx, VT_RX_HEAP_LIMIT_KIB);
	if (c->jstack)
		pcre2_jit_stack_assign(c->mctx, NULL, c->jstack);
	return VT_OK;
}

void vt_rx_ctx_cleanup(vt_rx_ctx *c)
{
	if (!c)
		return;
	pcre2_match_context_free(c->mctx);
	pcre2_match_data_free(c->md);
	pcre2_jit_stack_free(c->jstack);
	vt_rx_ctx_release_hs(c);
	free(c->bits);
	c->mctx = NULL;
	c->md = NULL;
	c->jstack = NULL;
	c->bits = NULL;
	c->bits_words = 0;
}

int vt_rx_ctx_bits(vt_rx_ctx *c, size_t n)
{
	size_t words = (n + 63) / 64 + 1;
	if (words <= c->bits_words)
		return VT_OK;
	uint64_t *b = realloc(c->bits, words * sizeof(*b));
	if (!b)
		return VT_ENOMEM;
	c->bits = b;
	c->bits_words = words;
	return VT_OK;
}

static int interp(vt_rx_ctx *c, const pcre2_code *re, const uint8_t *s,
		  size_t len)
{
	int rc = pcre2_match(re, s, len, 0, PCRE2_NO_JIT, c->md, c->mctx);
	/* 0: more groups than the match data holds (100 pairs); all of
	 * those it holds are valid. */
	c->last_rc = rc == 0 ? 100 : rc;
	if (rc >= 0)
		return 1;
	if (rc != PCRE2_ERROR_NOMATCH)
		c->errors++;
	return 0;
}

int vt_rx_exec(vt_rx_ctx *c, const pcre2_code *re, const uint8_t *s,
	       size_t len, int fast)
{
	static const uint8_t none[1];
	if (!s)
		s = none;
	if (fast) {
		int rc = pcre2_jit_match(re, s, len, 0, 0, c->md, c->mctx);
		if (rc == PCRE2_ERROR_NOMATCH)
			return 0;
		/* rc == PCRE2_ERROR_JIT_BADOPTION: not JIT-compiled. */
	}
	return interp(c, re, s, len);
}
