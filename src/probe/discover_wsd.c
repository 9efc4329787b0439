/*
 * WS-Discovery (the 2005/04 draft Windows, printers and ONVIF cameras
 * speak; OASIS WS-DD 1.1 keeps its message shapes): a SOAP-over-UDP Probe
 * multicast to 239.255.255.250:3702, answered by unicast ProbeMatches.
 * Each ProbeMatch's Types (wsdp:Device, pub:Computer, wprt:PrintDeviceType,
 * dn:NetworkVideoTransmitter, ...), Scopes (ONVIF cameras put their
 * hardware model and name there) and XAddrs become signals, one per
 * white-space separated token.
 *
 * The reply is device-controlled XML: expat with no DOCTYPE (so no
 * entity), a depth cap, MAX_SIGNALS signals per message, tokens cut at
 * VT_SIG_MAX_VALUE bytes. Namespace prefixes are ignored.
 */
#include <expat.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "dissect/sig_common.h"
#include "vantage/discover.h"
#include "vantage/packet.h"

#define MAX_DEPTH 32
#define MAX_SIGNALS 64
#define MAX_TEXT 4096 /* a field's text kept for splitting */

size_t vt_wsd_probe(uint8_t *buf, size_t cap, unsigned seq, int device_type)
{
	int n = snprintf(
		(char *)buf, cap,
		"<?xml version=\"1.0\" encoding=\"utf-8\"?>"
		"<soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\""
		" xmlns:wsa=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\""
		" xmlns:wsd=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\""
		" xmlns:wsdp=\"http://schemas.xmlsoap.org/ws/2006/02/devprof\">"
		"<soap:Header>"
		"<wsa:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</wsa:To>"
		"<wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe"
		"</wsa:Action>"
		"<wsa:MessageID>urn:uuid:7661%04x-7461-6765-2d64-697363%06x</wsa:MessageID>"
		"</soap:Header><soap:Body><wsd:Probe>%s</wsd:Probe></soap:Body>"
		"</soap:Envelope>",
		device_type ? 1u : 0u, seq & 0xffffffu,
		device_type ? "<wsd:Types>wsdp:Device</wsd:Types>" : "");
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

typedef struct wstate {
	XML_Parser xp;
	const vt_sig_sink *s;
	int depth, failed;
	int match_depth;   /* depth of the open ProbeMatch, or -1 */
	const char *want;  /* signal of the open field, or NULL */
	char text[MAX_TEXT];
	size_t len;
	size_t emitted;
} wstate;

static void stop(wstate *st)
{
	if (!st->failed) {
		st->failed = 1;
		XML_StopParser(st->xp, XML_FALSE);
	}
}

static const char *local_name(const XML_Char *el)
{
	const char *c = strrchr(el, ':');
	return c ? c + 1 : el;
}

static void XMLCALL on_start(void *u, const XML_Char *el, const XML_Char **a)
{
	wstate *st = u;
	(void)a;
	if (st->depth >= MAX_DEPTH) {
		stop(st);
		return;
	}
	const char *n = local_name(el);
	if (!strcmp(n, "ProbeMatch") && st->match_depth < 0)
		st->match_depth = st->depth;
	else if (st->match_depth >= 0 && st->depth == st->match_depth + 1 &&
		 !st->want) {
		st->want = !strcmp(n, "Types")    ? "wsd_type"
			   : !strcmp(n, "Scopes") ? "wsd_scope"
			   : !strcmp(n, "XAddrs") ? "wsd_xaddr"
						  : NULL;
		st->len = 0;
	}
	st->depth++;
}

static int space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* One signal per token of the field's text. */
static void emit_tokens(wstate *st)
{
	size_t i = 0;
	while (i < st->len && st->emitted < MAX_SIGNALS) {
		while (i < st->len && space(st->text[i]))
			i++;
		size_t start = i;
		while (i < st->len && !space(st->text[i]))
			i++;
		if (i > start) {
			st->emitted++;
			vt_sig_emit(st->s, st->want, (const uint8_t *)st->text + start,
				    i - start);
		}
	}
}

static void XMLCALL on_end(void *u, const XML_Char *el)
{
	wstate *st = u;
	(void)el;
	if (st->depth > 0)
		st->depth--;
	if (st->want && st->depth == st->match_depth + 1) {
		emit_tokens(st);
		st->want = NULL;
	} else if (st->depth == st->match_depth) {
		st->match_depth = -1;
	}
}

static void XMLCALL on_text(void *u, const XML_Char *s, int len)
{
	wstate *st = u;
	if (!st->want || len <= 0)
		return;
	size_t n = (size_t)len;
	if (n > MAX_TEXT - st->len)
		n = MAX_TEXT - st->len; /* the rest of a huge field is dropped */
	memcpy(st->text + st->len, s, n);
	st->len += n;
}

static void XMLCALL on_doctype(void *u, const XML_Char *name,
			       const XML_Char *sysid, const XML_Char *pubid,
			       int has_internal)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal;
	stop(u);
}

int vt_sig_wsd(const uint8_t *xml, size_t len, const vt_sig_sink *s)
{
	if (len > (size_t)INT_MAX)
		return VT_DIS_MALFORMED;
	XML_Parser xp = XML_ParserCreate(NULL);
	if (!xp)
		return VT_DIS_MALFORMED;
	wstate st;
	memset(&st, 0, sizeof(st));
	st.xp = xp;
	st.s = s;
	st.match_depth = -1;
	XML_SetUserData(xp, &st);
	XML_SetElementHandler(xp, on_start, on_end);
	XML_SetCharacterDataHandler(xp, on_text);
	XML_SetStartDoctypeDeclHandler(xp, on_doctype);
	XML_SetParamEntityParsing(xp, XML_PARAM_ENTITY_PARSING_NEVER);
	int bad = XML_Parse(xp, (const char *)xml, (int)len, XML_TRUE) ==
			  XML_STATUS_ERROR ||
		  st.failed;
	XML_ParserFree(xp);
	return bad ? VT_DIS_MALFORMED : VT_DIS_OK;
}
