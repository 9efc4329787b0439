/*
 * Fuzz target: p0f-style SYN signatures. The input is an IP packet; it is
 * signed as the dissectors decode it and, so that every field and option
 * byte is reachable, once more from a packet filled directly from the
 * input: 16 bytes of header fields, then up to 255 bytes of TCP options.
 */
#include "sig_target.h"

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)be16(p) << 16 | be16(p + 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t sum = 0;
	vt_pkt p;
	vt_dis_stats st = {0};
	FUZZ_SINK(sink, sum);
	if (size > 65535)
		return 0;
	vt_dissect_from(VT_P_RAW, data, (uint32_t)size, &p, &st);
	fuzz_result(vt_sig_tcp_syn(&p, &sink));

	if (size < 16)
		return 0;
	memset(&p, 0, sizeof(p));
	p.has = VT_HAS_IP | VT_HAS_L4;
	p.ipver = data[0] & 1 ? 6 : 4;
	p.ip_proto = 6;
	p.ttl = data[1];
	p.ip_df = data[2] & 1;
	p.tos = data[3];
	p.ip_id = be16(data + 4);
	p.tcp_flags = (uint8_t)((data[6] | VT_TCP_SYN) & ~VT_TCP_ACK);
	p.ip_hlen = (uint8_t)(20 + 4 * (data[7] & 10));
	p.tcp_win = be16(data + 8);
	p.tcp_seq = be32(data + 10) & (data[0] & 2 ? 0 : 0xffffffffu);
	p.tcp_ack = data[0] & 4 ? be16(data + 14) : 0;
	p.l4_payload_len = data[0] & 8;
	p.tcp_opts = data + 16;
	p.tcp_opts_len = (uint8_t)(size - 16 > 255 ? 255 : size - 16);
	p.tcp_hlen = (uint8_t)(data[7] & 0xfc); /* any value: only used in sums */
	fuzz_result(vt_sig_tcp_syn(&p, &sink));
	return 0;
}
