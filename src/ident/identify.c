/*
 * Identification from what the foundation sees: the OUI vendor of a
 * globally administered MAC, the locally administered (randomised) flag,
 * and the gateway role. Richer signals (DHCP, mDNS, SSDP, ...) and rule
 * files build on this; a device that says nothing identifiable stays
 * `unknown` with its OUI vendor and a low confidence.
 */
#include "vantage/identify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vantage/error.h"

int vt_ident_basic(vt_devrec *d, const vt_oui *oui)
{
	double conf = 0.0;
	int r = VT_OK;
	if (d->has_mac && d->randomized) {
		r = vt_devrec_add_evidence(d, "mac", "locally administered",
					   "ieee802:U/L bit");
	} else if (d->has_mac && oui) {
		const char *reg = NULL;
		const char *org = vt_oui_lookup(oui, d->mac, &reg);
		if (org) {
			char rule[32];
			snprintf(rule, sizeof(rule), "ieee-data:%s", reg);
			r = vt_devrec_add_evidence(d, "oui", org, rule);
			free(d->vendor);
			d->vendor = strdup(org);
			if (!d->vendor)
				return VT_ENOMEM;
			conf = 0.1;
		}
	}
	if (r == VT_OK && d->gateway) {
		r = vt_devrec_add_evidence(d, "gateway",
					   "external hosts reached through it",
					   "passive:gateway");
		free(d->type);
		d->type = strdup("router");
		conf = conf + 0.3;
	}
	if (!d->type)
		d->type = strdup("unknown");
	if (!d->type)
		return VT_ENOMEM;
	d->confidence = conf;
	return r == VT_EFULL ? VT_OK : r;
}
