/* The per-device record value type: cleanup, evidence, MAC/IP text forms. */
#include "vantage/devrec.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vantage/error.h"

void vt_devrec_cleanup(vt_devrec *d)
{
	if (!d)
		return;
	free(d->vendor);
	free(d->type);
	free(d->model);
	free(d->os);
	for (size_t i = 0; i < d->n_signals; i++) {
		free(d->signals[i].name);
		free(d->signals[i].value);
	}
	free(d->signals);
	free(d->ips);
	free(d->services);
	for (size_t i = 0; i < d->n_evidence; i++) {
		free(d->evidence[i].signal);
		free(d->evidence[i].value);
		free(d->evidence[i].rule);
	}
	free(d->evidence);
	memset(d, 0, sizeof(*d));
}

int vt_devrec_add_evidence(vt_devrec *d, const char *signal,
			   const char *value, const char *rule)
{
	if (d->n_evidence >= VT_DEV_MAX_EVIDENCE)
		return VT_EFULL;
	vt_evidence *e = realloc(d->evidence, (d->n_evidence + 1) * sizeof(*e));
	if (!e)
		return VT_ENOMEM;
	d->evidence = e;
	e = &d->evidence[d->n_evidence];
	e->signal = strdup(signal ? signal : "");
	e->value = strdup(value ? value : "");
	e->rule = strdup(rule ? rule : "");
	if (!e->signal || !e->value || !e->rule) {
		free(e->signal);
		free(e->value);
		free(e->rule);
		return VT_ENOMEM;
	}
	d->n_evidence++;
	return VT_OK;
}

int vt_devrec_add_signal(vt_devrec *d, const char *name, const uint8_t *value,
			 size_t len, uint64_t ts_us)
{
	for (size_t i = 0; i < d->n_signals; i++)
		if (d->signals[i].len == len && !strcmp(d->signals[i].name, name) &&
		    !memcmp(d->signals[i].value, value, len))
			return VT_OK;
	if (d->n_signals >= VT_DEV_MAX_SIGNALS)
		return VT_EFULL;
	vt_signal *ns = realloc(d->signals, (d->n_signals + 1) * sizeof(*ns));
	if (!ns)
		return VT_ENOMEM;
	d->signals = ns;
	vt_signal *s = &ns[d->n_signals];
	s->name = strdup(name);
	s->value = malloc(len + 1);
	if (!s->name || !s->value) {
		free(s->name);
		free(s->value);
		return VT_ENOMEM;
	}
	memcpy(s->value, value, len);
	s->value[len] = '\0';
	s->len = len;
	s->count = 1;
	s->first_us = s->last_us = ts_us;
	d->n_signals++;
	return VT_OK;
}

void vt_mac_format(const uint8_t mac[6], char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 6; i++) {
		out[i * 3] = hex[mac[i] >> 4];
		out[i * 3 + 1] = hex[mac[i] & 15];
		out[i * 3 + 2] = i < 5 ? ':' : '\0';
	}
}

int vt_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int vt_mac_parse(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		int hi = vt_hexval(s[0]), lo = vt_hexval(s[1]);
		if (hi < 0 || lo < 0)
			return VT_EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i < 5) {
			if (*s != ':' && *s != '-')
				return VT_EINVAL;
			s++;
		}
	}
	return *s ? VT_EINVAL : VT_OK;
}

void vt_ip_format(uint8_t ver, const uint8_t *addr, char *out, size_t outlen)
{
	if (!inet_ntop(ver == 6 ? AF_INET6 : AF_INET, addr, out,
		       (socklen_t)outlen))
		snprintf(out, outlen, "?");
}

static int cmp_rec(const void *a, const void *b)
{
	const vt_devrec *x = a, *y = b;
	if (x->has_mac != y->has_mac)
		return x->has_mac ? -1 : 1;
	if (x->has_mac)
		return memcmp(x->mac, y->mac, 6);
	if (x->key_ipver != y->key_ipver)
		return x->key_ipver < y->key_ipver ? -1 : 1;
	return memcmp(x->key_ip, y->key_ip, 16);
}

static int cmp_ev(const void *a, const void *b)
{
	const vt_evidence *x = a, *y = b;
	int c = strcmp(x->signal, y->signal);
	if (!c)
		c = strcmp(x->value, y->value);
	return c ? c : strcmp(x->rule, y->rule);
}

void vt_devrec_sort_evidence(vt_devrec *d)
{
	if (d->n_evidence > 1)
		qsort(d->evidence, d->n_evidence, sizeof(*d->evidence), cmp_ev);
}

void vt_devrec_sort(vt_devrec *d, size_t n)
{
	if (n > 1)
		qsort(d, n, sizeof(*d), cmp_rec);
}
