/*
 * UPnP device descriptions (UPnP Device Architecture 2.0, section 2.3):
 * the XML a device serves at its SSDP LOCATION. The fields that say what
 * the device is (deviceType, friendlyName, manufacturer, modelName, ...)
 * of the root device and of every embedded device (deviceList), and the
 * serviceType of each service, become upnp_* signals.
 *
 * The bytes come from a device, so the parse is defensive: expat with no
 * DOCTYPE at all (which refuses internal and external entities, and so
 * entity-expansion bombs), no parameter entities, elements deeper than
 * MAX_DEPTH refused, text per field cut at VT_SIG_MAX_VALUE bytes, at
 * most MAX_SIGNALS signals per description. Namespace prefixes on element
 * names are ignored ("d:modelName" is modelName).
 */
#include <expat.h>
#include <limits.h>
#include <string.h>

#include "dissect/sig_common.h"
#include "vantage/packet.h"

#define MAX_DEPTH 32
#define MAX_SIGNALS 128

/* Children of <device> that become signals, and their names. */
static const struct field {
	const char *element, *signal;
} device_fields[] = {
	{"deviceType", "upnp_device_type"},
	{"friendlyName", "upnp_friendly_name"},
	{"manufacturer", "upnp_manufacturer"},
	{"manufacturerURL", "upnp_manufacturer_url"},
	{"modelDescription", "upnp_model_description"},
	{"modelName", "upnp_model_name"},
	{"modelNumber", "upnp_model_number"},
	{"serialNumber", "upnp_serial_number"},
};

typedef struct ustate {
	XML_Parser xp;
	const vt_sig_sink *s;
	int depth;       /* open elements */
	int failed;
	/* What each open element is, for the current path's tests. */
	enum { E_OTHER, E_DEVICE, E_SERVICE } kind[MAX_DEPTH];
	const char *want; /* signal of the open field element, or NULL */
	int want_depth;
	vt_sigbuf text;
	size_t emitted;
} ustate;

static void stop(ustate *st)
{
	if (st->failed)
		return;
	st->failed = 1;
	XML_StopParser(st->xp, XML_FALSE);
}

/* The local part of a possibly prefixed element name. */
static const char *local_name(const XML_Char *el)
{
	const char *c = strrchr(el, ':');
	return c ? c + 1 : el;
}

static const char *field_signal(const char *name)
{
	for (size_t i = 0; i < sizeof(device_fields) / sizeof(device_fields[0]); i++)
		if (!strcmp(device_fields[i].element, name))
			return device_fields[i].signal;
	return NULL;
}

static void XMLCALL on_start(void *u, const XML_Char *el, const XML_Char **a)
{
	ustate *st = u;
	(void)a;
	if (st->depth >= MAX_DEPTH) {
		stop(st);
		return;
	}
	const char *name = local_name(el);
	int parent = st->depth ? st->kind[st->depth - 1] : E_OTHER;
	st->kind[st->depth] = !strcmp(name, "device")    ? E_DEVICE
			      : !strcmp(name, "service") ? E_SERVICE
							 : E_OTHER;
	if (!st->want) {
		const char *sig = NULL;
		if (parent == E_DEVICE)
			sig = field_signal(name);
		else if (parent == E_SERVICE && !strcmp(name, "serviceType"))
			sig = "upnp_service_type";
		if (sig) {
			st->want = sig;
			st->want_depth = st->depth;
			vt_sigbuf_init(&st->text);
		}
	}
	st->depth++;
}

/* The text without leading and trailing white space. */
static void emit_trimmed(ustate *st)
{
	const uint8_t *p = st->text.b;
	size_t n = st->text.len;
	while (n && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
		p++;
		n--;
	}
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r' ||
		     p[n - 1] == '\n'))
		n--;
	if (!n)
		return;
	if (st->emitted >= MAX_SIGNALS)
		return; /* capped: the rest is ignored, not an error */
	st->emitted++;
	vt_sig_emit(st->s, st->want, p, n);
}

static void XMLCALL on_end(void *u, const XML_Char *el)
{
	ustate *st = u;
	(void)el;
	if (st->depth > 0)
		st->depth--;
	if (st->want && st->depth == st->want_depth) {
		emit_trimmed(st);
		st->want = NULL;
	}
}

static void XMLCALL on_text(void *u, const XML_Char *s, int len)
{
	ustate *st = u;
	/* Only the field's own text: nested markup inside a field is odd but
	 * harmless, its text joins the field's. */
	if (st->want && len > 0)
		vt_sigbuf_put(&st->text, s, (size_t)len);
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

static void XMLCALL on_entity(void *u, const XML_Char *name, int is_param,
			      const XML_Char *value, int value_len,
			      const XML_Char *base, const XML_Char *sysid,
			      const XML_Char *pubid, const XML_Char *notation)
{
	(void)name;
	(void)is_param;
	(void)value;
	(void)value_len;
	(void)base;
	(void)sysid;
	(void)pubid;
	(void)notation;
	stop(u);
}

int vt_sig_upnp(const uint8_t *xml, size_t len, const vt_sig_sink *s)
{
	if (len > (size_t)INT_MAX)
		return VT_DIS_MALFORMED;
	XML_Parser xp = XML_ParserCreate(NULL);
	if (!xp)
		return VT_DIS_MALFORMED;
	ustate st;
	memset(&st, 0, sizeof(st));
	st.xp = xp;
	st.s = s;
	XML_SetUserData(xp, &st);
	XML_SetElementHandler(xp, on_start, on_end);
	XML_SetCharacterDataHandler(xp, on_text);
	XML_SetStartDoctypeDeclHandler(xp, on_doctype);
	XML_SetEntityDeclHandler(xp, on_entity);
	XML_SetParamEntityParsing(xp, XML_PARAM_ENTITY_PARSING_NEVER);
	int bad = XML_Parse(xp, (const char *)xml, (int)len, XML_TRUE) ==
			  XML_STATUS_ERROR ||
		  st.failed;
	XML_ParserFree(xp);
	return bad ? VT_DIS_MALFORMED : VT_DIS_OK;
}
