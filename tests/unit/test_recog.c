/*
 * Unit tests for the Recog-schema loader and matcher (recog.c,
 * recog_match.c): DTDs and entities refused, errors with file:line, the
 * Ruby-to-PCRE translation ((?m) is dot-all, ^ a line anchor, \h),
 * param extraction and {name} interpolation, and every <example> of the
 * vendored Recog databases (data/recog/) and of our rules (data/rules/)
 * as a test vector: matched by its own fingerprint with the attributes
 * it expects, by the first matching fingerprint of its database, with the
 * prefilter as without. The known exclusions are listed with the reason
 * and must still fail for that reason, so the list cannot go stale.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fingerprint/recog_int.h"
#include "vantage/error.h"
#include "vantage/recog.h"

static vt_recog_db *parse(const char *xml, char *err)
{
	return vt_recog_parse("t.xml", (const uint8_t *)xml, strlen(xml), err);
}

static void refuses_dtd(void **state)
{
	(void)state;
	char err[VT_ERRBUF_LEN];
	const char *laughs =
		"<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\">]>\n"
		"<fingerprints><fingerprint pattern=\"&lol2;\"/></fingerprints>\n";
	assert_null(parse(laughs, err));
	assert_non_null(strstr(err, "t.xml:2: DOCTYPE not allowed"));
	const char *ext = "<?xml version=\"1.0\"?>\n<!DOCTYPE x SYSTEM \"file:///etc/passwd\">\n<x/>";
	assert_null(parse(ext, err));
	assert_non_null(strstr(err, "DOCTYPE"));
	assert_null(parse("<fingerprints>\n<fingerprint pattern=\"a\">\n</fingerprints>", err));
	assert_non_null(strstr(err, "t.xml:3: mismatched tag"));
	assert_null(parse("<fingerprints><fingerprint/></fingerprints>", err));
	assert_non_null(strstr(err, "without a pattern"));
	assert_null(parse("<fingerprints><fingerprint pattern=\"a\"><param pos=\"x\" name=\"n\"/></fingerprint></fingerprints>", err));
	assert_non_null(strstr(err, "param needs pos"));
}

static const char db_xml[] =
	"<?xml version='1.0' encoding='UTF-8'?>\n"
	"<fingerprints matches=\"t.banner\" protocol=\"tp\" preference=\"0.7\">\n"
	"  <fingerprint pattern=\"(?m)^Foo (\\d+)\\.(\\d+) .*end$\">\n"
	"    <description>dot-all via Ruby (?m)</description>\n"
	"    <example t.ver=\"1.2\">Foo 1.2 x\ny end</example>\n"
	"    <param pos=\"0\" name=\"t.ver\" value=\"{t.major}.{t.minor}\"/>\n"
	"    <param pos=\"1\" name=\"t.major\"/>\n"
	"    <param pos=\"2\" name=\"t.minor\"/>\n"
	"    <param pos=\"0\" name=\"t.cpe\" value=\"cpe:/a:x:foo:{t.ver}:{t.none}\"/>\n"
	"  </fingerprint>\n"
	"  <fingerprint pattern=\"^Bar ([\\h]+)\\h\" flags=\"REG_ICASE\">\n"
	"    <example _encoding=\"base64\" t.hex=\"A0\">\n      eHgNCmJhciBBMGY=\n    </example>\n"
	"    <param pos=\"1\" name=\"t.hex\"/>\n"
	"  </fingerprint>\n"
	"</fingerprints>\n";

static void translate_and_params(void **state)
{
	(void)state;
	char err[VT_ERRBUF_LEN];
	vt_recog_db *db = parse(db_xml, err);
	if (!db)
		fail_msg("%s", err);
	assert_string_equal(vt_recog_matches(db), "t.banner");
	assert_string_equal(vt_recog_protocol(db), "tp");
	assert_true(vt_recog_preference(db) > 0.69 && vt_recog_preference(db) < 0.71);
	assert_int_equal(vt_recog_count(db), 2);
	const vt_recog_fp *f = vt_recog_get(db, 1);
	assert_int_equal(f->line, 12); /* the first example spans 2 lines */
	assert_int_equal(f->n_examples, 1);
	/* base64, whitespace around it dropped: "xx\r\nbar A0f" */
	assert_int_equal(f->examples[0].len, 11);
	vt_recog_ctx *c = vt_recog_ctx_new();
	vt_recog_result r;
	const char *s1 = "Foo 1.2 x\ny end";
	vt_recog_match(db, c, (const uint8_t *)s1, strlen(s1), 1, &r);
	assert_int_equal(r.fp, 0);
	assert_string_equal(vt_recog_value(&r, "t.ver"), "1.2");
	/* An unknown reference stays as written. */
	assert_string_equal(vt_recog_value(&r, "t.cpe"), "cpe:/a:x:foo:1.2:{t.none}");
	/* ^ is a line anchor (Ruby); \h is a hex digit; REG_ICASE. */
	vt_recog_match(db, c, f->examples[0].data, f->examples[0].len, 1, &r);
	assert_int_equal(r.fp, 1);
	assert_string_equal(vt_recog_value(&r, "t.hex"), "A0");
	/* Without dot-all (?m) the first would not cross the newline. */
	unsigned fl;
	char *t = vt_recog_translate("(?mi:a.b)", NULL, &fl);
	assert_string_equal(t, "(?si:a.b)");
	free(t);
	t = vt_recog_translate("[(?m)]\\h", "REG_DOT_NEWLINE", &fl);
	assert_string_equal(t, "[(?m)][0-9a-fA-F]");
	assert_true(fl & VT_RX_DOTALL);
	free(t);
	vt_recog_ctx_free(c);
	vt_recog_free(db);
}

/* An example that must fail, and why. */
static const struct {
	const char *where; /* file:fingerprint line */
	const char *why;
} excluded[] = {
	{"smtp_banners.xml:799",
	 "nested quantifier (.+)* backtracks past Nmap's match limit (50,000); "
	 "Ruby's engine has no such limit"},
};

static int is_excluded(const char *where)
{
	for (size_t i = 0; i < sizeof(excluded) / sizeof(excluded[0]); i++)
		if (!strcmp(excluded[i].where, where))
			return 1;
	return 0;
}

typedef struct tally {
	int total, pass, first, excluded_fail, pf_same;
} tally;

static int example_ok(const vt_recog_example *e, const vt_recog_result *r,
		      size_t fp)
{
	if (r->fp != (int)fp)
		return 0;
	for (size_t j = 0; j < e->n_expect; j++) {
		const char *v = vt_recog_value(r, e->expect[j].name);
		if (!v || strcmp(v, e->expect[j].value))
			return 0;
	}
	return 1;
}

static void run_db(vt_recog_db *db, const char *file, vt_recog_ctx *c,
		   tally *t)
{
	for (size_t i = 0; i < vt_recog_count(db); i++) {
		const vt_recog_fp *f = vt_recog_get(db, i);
		char where[256];
		snprintf(where, sizeof(where), "%s:%d", file, f->line);
		if (!f->compiled)
			fail_msg("%s: %s", where, f->compile_error);
		for (size_t k = 0; k < f->n_examples; k++) {
			const vt_recog_example *e = &f->examples[k];
			vt_recog_result own, seq, fast;
			t->total++;
			vt_recog_match_one(db, c, i, e->data, e->len, &own);
			vt_recog_match(db, c, e->data, e->len, 1, &seq);
			vt_recog_match(db, c, e->data, e->len, 0, &fast);
			if (seq.fp == fast.fp)
				t->pf_same++;
			else
				print_error("%s example line %d: sequential %d, prefilter %d\n",
					    where, e->line, seq.fp, fast.fp);
			int ok = example_ok(e, &own, i);
			if (ok && is_excluded(where))
				fail_msg("%s passes now: remove it from the exclusions", where);
			if (!ok && !is_excluded(where))
				fail_msg("%s example line %d fails", where, e->line);
			t->pass += ok;
			t->excluded_fail += !ok;
			t->first += example_ok(e, &seq, i);
		}
	}
}

static void run_dir(const char *sub, const char *label, tally *t)
{
	char dir[1024], path[2048], err[VT_ERRBUF_LEN];
	const char *src = getenv("VT_SRCDIR");
	snprintf(dir, sizeof(dir), "%s/data/%s", src ? src : ".", sub);
	DIR *d = opendir(dir);
	assert_non_null(d);
	vt_recog_ctx *c = vt_recog_ctx_new();
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 4, ".xml"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		vt_recog_db *db = vt_recog_load(path, label, err);
		if (!db)
			fail_msg("%s", err);
		int pf = vt_recog_prefilter(db, NULL, err);
		assert_true(pf == VT_OK || pf == VT_EUNSUP);
		run_db(db, e->d_name, c, t);
		vt_recog_free(db);
	}
	closedir(d);
	vt_recog_ctx_free(c);
}

static void recog_examples(void **state)
{
	(void)state;
	tally t = {0};
	run_dir("recog", "recog", &t);
	print_message("Recog examples: %d, passed %d, excluded %d "
		      "(first match of the database: %d; prefilter = sequential: %d)\n",
		      t.total, t.pass, t.excluded_fail, t.first, t.pf_same);
	assert_int_equal(t.total, 7525);
	assert_int_equal(t.pass, 7524);
	assert_int_equal(t.excluded_fail, 1);
	assert_int_equal(t.first, 7524);
	assert_int_equal(t.pf_same, t.total);
}

static void own_rule_examples(void **state)
{
	(void)state;
	tally t = {0};
	run_dir("rules", "data/rules", &t);
	print_message("data/rules examples: %d, passed %d\n", t.total, t.pass);
	assert_true(t.total >= 25);
	assert_int_equal(t.pass, t.total);
	assert_int_equal(t.first, t.total);
}

/* The excluded SMTP example does match once the limit is lifted: the
 * limit, not the translation, is what fails it. */
static void exclusion_reason(void **state)
{
	(void)state;
	char path[1024], err[VT_ERRBUF_LEN];
	const char *src = getenv("VT_SRCDIR");
	snprintf(path, sizeof(path), "%s/data/recog/smtp_banners.xml", src ? src : ".");
	vt_recog_db *db = vt_recog_load(path, "recog", err);
	assert_non_null(db);
	for (size_t i = 0; i < vt_recog_count(db); i++) {
		const vt_recog_fp *f = vt_recog_get(db, i);
		if (f->line != 799)
			continue;
		unsigned fl;
		char *pat = vt_recog_translate(f->pattern, f->flags, &fl);
		int ec;
		PCRE2_SIZE eo;
		pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
					       PCRE2_MULTILINE, &ec, &eo, NULL);
		assert_non_null(re);
		pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
		pcre2_match_context *mc = pcre2_match_context_create(NULL);
		const vt_recog_example *e = &f->examples[0];
		pcre2_set_match_limit(mc, VT_RX_MATCH_LIMIT);
		assert_int_equal(pcre2_match(re, e->data, e->len, 0, PCRE2_NO_JIT, md, mc),
				 PCRE2_ERROR_MATCHLIMIT);
		pcre2_set_match_limit(mc, 100000000);
		pcre2_set_depth_limit(mc, 100000000);
		assert_true(pcre2_match(re, e->data, e->len, 0, PCRE2_NO_JIT, md, mc) > 0);
		pcre2_match_context_free(mc);
		pcre2_match_data_free(md);
		pcre2_code_free(re);
		free(pat);
		vt_recog_free(db);
		return;
	}
	fail_msg("smtp_banners.xml:799 not found");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(refuses_dtd),
		cmocka_unit_test(translate_and_params),
		cmocka_unit_test(recog_examples),
		cmocka_unit_test(own_rule_examples),
		cmocka_unit_test(exclusion_reason),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
