/*
 * A token bucket for the send rate: tokens accrue at `rate` per second up
 * to a burst of a twentieth of a second's worth (at least one), so that a
 * stall is not followed by a flood.
 */
#include <time.h>

#include "vantage/scan.h"

uint64_t vt_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void vt_rate_init(vt_rate *r, double pps, uint64_t now_ns)
{
	r->rate = pps > 0 ? pps : 1;
	r->burst = r->rate / 20 > 1 ? r->rate / 20 : 1;
	r->tokens = 1;
	r->last_ns = now_ns;
}

uint64_t vt_rate_take(vt_rate *r, uint64_t now_ns)
{
	if (now_ns > r->last_ns) {
		r->tokens += (double)(now_ns - r->last_ns) * r->rate / 1e9;
		if (r->tokens > r->burst)
			r->tokens = r->burst;
		r->last_ns = now_ns;
	}
	if (r->tokens >= 1) {
		r->tokens -= 1;
		return 0;
	}
	uint64_t wait = (uint64_t)((1 - r->tokens) * 1e9 / r->rate);
	return wait ? wait : 1;
}
