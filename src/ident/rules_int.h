/* Internals of the identification rules, shared by the files of src/ident only. */
#ifndef VT_RULES_INT_H
#define VT_RULES_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>

#include "vantage/ident.h"

enum rule_op { OP_IS, OP_PREFIX, OP_SUFFIX, OP_CONTAINS, OP_REGEX };
enum rule_field { F_VENDOR, F_TYPE, F_MODEL, F_OS, F_COUNT };
#define RULE_MAX_ASSIGN 4

typedef struct rule_assign {
	uint8_t field;  /* enum rule_field */
	char *value;    /* owned; may hold $1-$9 */
} rule_assign;

typedef struct rule {
	char *signal;   /* signal name it reads; owned */
	uint8_t op;     /* enum rule_op */
	char *pattern;  /* owned, NUL-terminated */
	size_t plen;
	pcre2_code *re; /* OP_REGEX only; caseless, no UTF */
	rule_assign as[RULE_MAX_ASSIGN];
	uint8_t n_as;
	double weight;  /* 0 < weight <= 1 */
	uint32_t file;  /* index into vt_rules.files */
	uint32_t line;
	uint32_t next;  /* next rule (index + 1) reading the same signal; 0 */
} rule;

typedef struct sig_head {
	const char *name; /* borrowed from the first rule */
	uint32_t first;   /* index + 1 of its first rule */
} sig_head;

typedef struct vendor_map {
	char *pattern; /* lowercase substring of a registered name */
	char *brand;
	int module;    /* a Wi-Fi/chip module maker, not the product's brand */
} vendor_map;

struct vt_rules {
	rule *rules;
	size_t n, cap;
	char **files;  /* paths as given, for provenance */
	size_t n_files;
	vendor_map *vm;
	size_t n_vm, cap_vm;
	sig_head *heads;  /* one per distinct signal name, in file order */
	size_t n_heads;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
};

extern const char *const vt_rule_fields[F_COUNT];
/* Is t one of the taxonomy's type identifiers? */
int vt_type_valid(const char *t);

#endif
