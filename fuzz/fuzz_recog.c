/*
 * Fuzz target: the Recog-schema XML loader (expat with DTDs refused, the
 * Ruby-to-PCRE2 translation, params and examples): the input is a rule
 * file; when it loads, each fingerprint's examples are matched against
 * the whole database, as the example tests do.
 */
#include <stddef.h>
#include <stdint.h>

#include "vantage/error.h"
#include "vantage/recog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[VT_ERRBUF_LEN];
	vt_recog_db *db = vt_recog_parse("fuzz.xml", data, size, err);
	if (!db)
		return 0;
	vt_recog_ctx *c = vt_recog_ctx_new();
	for (size_t i = 0; c && i < vt_recog_count(db) && i < 64; i++) {
		const vt_recog_fp *f = vt_recog_get(db, i);
		for (size_t k = 0; k < f->n_examples && k < 8; k++) {
			vt_recog_result r;
			vt_recog_match(db, c, f->examples[k].data,
				       f->examples[k].len, 1, &r);
			vt_recog_match_one(db, c, i, f->examples[k].data,
					   f->examples[k].len, &r);
		}
	}
	vt_recog_ctx_free(c);
	vt_recog_free(db);
	return 0;
}
