/*
 * Mirai's target exclusions as the 2016 scanner code runs them
 * (bot/scanner.c get_random_ip, docs/EXTERNAL.md section 1): the loop
 * redraws any address in these ranges. Its comments say 100.64/10 and
 * 169.254/16, but the code skips 100.64.0.0-100.126.255.255 and
 * 169.255/16, and it also skips a list of US government and military /8s.
 */
#include "vantage/telescope.h"

/* The /8s skipped outright. */
static const uint8_t slash8[] = {0,  3,  6,  7,  10, 11, 15, 16,  21,  22,
				 26, 28, 29, 30, 33, 55, 56, 127, 214, 215};

int vt_tel_mirai_target(uint32_t dst)
{
	uint8_t a = (uint8_t)(dst >> 24), b = (uint8_t)(dst >> 16);
	for (size_t i = 0; i < sizeof(slash8); i++)
		if (a == slash8[i])
			return 0;
	if (a >= 224)
		return 0; /* multicast and reserved */
	if (a == 172 && b >= 16 && b < 32)
		return 0;
	if (a == 192 && b == 168)
		return 0;
	if (a == 100 && b >= 64 && b < 127)
		return 0;
	if (a == 169 && b > 254)
		return 0;
	if (a == 198 && b >= 18 && b < 20)
		return 0;
	return 1;
}
