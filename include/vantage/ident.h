/*
 * Device identification from signals: rule files (data/ident/NAME.rules,
 * format in data/ident/README.md) map what a device says to vendor, type
 * (DESIGN.md taxonomy), model and OS with a weight; a vendor table
 * (data/ident/vendors.tsv) turns registered names into brands. Scores of
 * agreeing rules combine (noisy-OR), the best value per field wins, a
 * disagreeing runner-up lowers it, and every rule that fired is kept as
 * evidence (signal, value, file:line).
 */
#ifndef VANTAGE_IDENT_H
#define VANTAGE_IDENT_H

#include <stddef.h>

#include "vantage/devrec.h"
#include "vantage/oui.h"

#define VT_RULES_MAX 4096
#define VT_RULE_LINE_MAX 1024

typedef struct vt_rules vt_rules;

/* An empty rule set; add files with vt_rules_add_file. NULL on OOM. */
vt_rules *vt_rules_new(void);
void vt_rules_free(vt_rules *r);

/*
 * Loads one rule file. On a syntax error returns VT_EFORMAT and errbuf
 * holds "file:line:column: reason"; rules before the error stay loaded.
 */
int vt_rules_add_file(vt_rules *r, const char *path, char *errbuf);
/* The same from memory; name is used in messages and provenance. */
int vt_rules_add_buffer(vt_rules *r, const char *name, const uint8_t *buf,
			size_t len, char *errbuf);
/*
 * Loads every *.rules file in dir (sorted by name) and vendors.tsv. Rules
 * cite their place as "<shown>/<file>:<line>" (shown NULL: dir), so that
 * provenance does not depend on where the data is installed.
 */
int vt_rules_add_dir(vt_rules *r, const char *dir, const char *shown,
		     char *errbuf);
/* Loads a brand table: "pattern<TAB>brand[<TAB>module]" lines. */
int vt_rules_add_vendors(vt_rules *r, const char *path, char *errbuf);
size_t vt_rules_count(const vt_rules *r);

/* The brand for a registered or rule-given vendor name (a new string). */
char *vt_vendor_normalize(const vt_rules *r, const char *name, int *module);

/*
 * Identifies d from d->signals (plus its MAC's OUI, the locally
 * administered flag and the gateway role): fills vendor, type, model, os,
 * confidence and evidence. r and oui may be NULL.
 */
int vt_identify(const vt_rules *r, const vt_oui *oui, vt_devrec *d);

#endif
