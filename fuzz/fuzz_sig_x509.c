/*
 * Fuzz target: the X.509 name reader behind the TLS Certificate signals
 * (src/dissect/sig_x509.c), fed one DER certificate directly so the
 * fuzzer need not build the TLS framing around it.
 */
#include "dissect/sig_common.h"
#include "sig_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t sum = 0;
	vt_cur c;
	FUZZ_SINK(sink, sum);
	cur_init(&c, data, size);
	fuzz_result(vt_sig_x509_names(c, &sink));
	return 0;
}
