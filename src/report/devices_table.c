/*
 * The human table of device records: aligned columns, sizes in human
 * units, device-controlled strings made terminal-safe, one line per device
 * sorted as given (by MAC). Flags: G = gateway, R = randomised MAC.
 */
#include <inttypes.h>
#include <string.h>

#include "vantage/report.h"
#include "vantage/textout.h"

#define W_VENDOR 16
#define W_MODEL 16
#define W_IPS 20

static void fmt_ips(const vt_devrec *d, char *out, size_t cap)
{
	char a[64];
	size_t first = 0;
	out[0] = '\0';
	if (d->n_ips == 0) {
		if (!d->has_mac)
			vt_ip_format(d->key_ipver, d->key_ip, out, cap);
		else
			snprintf(out, cap, "-");
		return;
	}
	/* Prefer the most recent IPv4 binding as the headline address. */
	for (size_t i = 0; i < d->n_ips; i++)
		if (d->ips[i].ver == 4 &&
		    (d->ips[first].ver != 4 ||
		     d->ips[i].last_us >= d->ips[first].last_us))
			first = i;
	vt_ip_format(d->ips[first].ver, d->ips[first].addr, a, sizeof(a));
	if (d->n_ips > 1)
		snprintf(out, cap, "%s +%zu", a, d->n_ips - 1);
	else
		snprintf(out, cap, "%s", a);
}

/* The services with most bytes, as "tcp/443c udp/53c" (c/s = role). */
static void fmt_services(const vt_devrec *d, char *out, size_t cap)
{
	const vt_service *top[3] = {0};
	for (size_t i = 0; i < d->n_services; i++) {
		const vt_service *s = &d->services[i];
		for (int k = 0; k < 3; k++) {
			if (!top[k] || s->bytes > top[k]->bytes) {
				for (int j = 2; j > k; j--)
					top[j] = top[j - 1];
				top[k] = s;
				break;
			}
		}
	}
	size_t o = 0;
	out[0] = '\0';
	for (int k = 0; k < 3 && top[k] && o < cap; k++)
		o += (size_t)snprintf(out + o, cap - o, "%s%s/%u%c", k ? " " : "",
				      top[k]->proto == 6 ? "tcp" : "udp",
				      top[k]->port,
				      top[k]->role == VT_ROLE_SERVER ? 's' : 'c');
	if (d->n_services > 3 && o < cap)
		snprintf(out + o, cap - o, " +%zu", d->n_services - 3);
}

static void row(FILE *o, const vt_devrec *d)
{
	char mac[18] = "-", vendor[W_VENDOR + 1], type[20], ips[W_IPS + 16];
	char bs[16], br[16], svc[80], model[W_MODEL + 1];
	if (d->has_mac)
		vt_mac_format(d->mac, mac);
	vt_term_safe(d->vendor ? d->vendor : "-", vendor, sizeof(vendor));
	vt_term_safe(d->type ? d->type : "unknown", type, sizeof(type));
	vt_term_safe(d->model ? d->model : "-", model, sizeof(model));
	fmt_ips(d, ips, sizeof(ips));
	vt_human_bytes(d->bytes_sent, bs, sizeof(bs));
	vt_human_bytes(d->bytes_recv, br, sizeof(br));
	fmt_services(d, svc, sizeof(svc));
	fprintf(o,
		"%-17s %-*s %-15s %-*s %4.2f %-*s %8" PRIu64 " %7s %8" PRIu64
		" %7s %6" PRIu64 " %6" PRIu64 " %5" PRIu64 " %-2s %s\n",
		mac, W_VENDOR, vendor, type, W_MODEL, model, d->confidence, W_IPS,
		ips, d->packets_sent, bs,
		d->packets_recv, br, d->local_flows, d->external_flows,
		d->external_peers,
		d->gateway ? "G" : d->randomized ? "R" : "-", svc);
}

static void write_table(FILE *o, const vt_devrec *d, size_t n)
{
	fprintf(o,
		"%-17s %-*s %-15s %-*s %4s %-*s %8s %7s %8s %7s %6s %6s %5s %-2s "
		"%s\n",
		"MAC", W_VENDOR, "VENDOR", "TYPE", W_MODEL, "MODEL", "CONF",
		W_IPS, "IP", "PKTS_OUT",
		"BYTES", "PKTS_IN", "BYTES", "LFLOWS", "XFLOWS", "PEERS", "F",
		"TOP SERVICES");
	for (size_t i = 0; i < n; i++)
		row(o, &d[i]);
	fprintf(o, "%zu device%s\n", n, n == 1 ? "" : "s");
}

const vt_devfmt vt_devfmt_table = {.name = "table", .write = write_table};
