/*
 * Shared pieces of the command-line layer, the only layer that prints to
 * the terminal, reads options, or exits.
 */
#ifndef VT_CLI_H
#define VT_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "vantage/devrec.h"
#include "vantage/passive.h"
#include "vantage/store.h"

/* Exit codes: documented in --help and the man page. */
enum {
	VT_EXIT_OK = 0,
	VT_EXIT_DATA = 1,  /* input faults met; what was read is kept */
	VT_EXIT_USAGE = 2, /* bad options, or nothing could be opened */
	VT_EXIT_INTERRUPTED = 130,
};

typedef struct vt_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
} vt_command;

int vt_cmd_read(int argc, char **argv);
int vt_cmd_devices(int argc, char **argv);
int vt_cmd_match(int argc, char **argv);
int vt_cmd_telescope(int argc, char **argv);
int vt_cmd_discover(int argc, char **argv);
int vt_cmd_report(int argc, char **argv);
int vt_cmd_import(int argc, char **argv);
int vt_cmd_watch(int argc, char **argv);
int vt_cmd_inspect(int argc, char **argv);
int vt_cmd_scan(int argc, char **argv);

/* Parses an option's value as a whole number in [min, max] into *out;
 * otherwise prints "vantage <cmd>: --<opt>: 'v' is not a number from min
 * to max" and returns -1. */
int vt_cli_num(const char *cmd, const char *opt, const char *v, uint64_t min,
	       uint64_t max, uint64_t *out);

/* Microseconds since the epoch (UTC), for run start and end times. */
uint64_t vt_cli_now_us(void);

/* Opens (creating) the store at db and begins a run described by *ri,
 * whose args (the whole command line) and started_us (now) are filled
 * here. On failure prints one error line, closes the store and returns
 * NULL. */
vt_store *vt_cli_store_begin(const char *cmd, const char *db, int argc,
			     char **argv, vt_run_info *ri, int64_t *run_id);

/* "vantage <cmd>: <message>" on stderr. */
void vt_cli_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The data folder: $VT_DATADIR or the build's data/ folder. */
const char *vt_cli_data_dir(void);

struct vt_oui;
struct vt_rules;
/*
 * Loads the OUI registries (IEEE, then Nmap's and Wireshark's lists; a
 * missing registry is a warning) and the identification rules from
 * rules_dir (NULL: DATA/ident; none at all with oui_only). Prints the
 * error and returns -1 on a bad rule file.
 */
int vt_cli_load_ident(const char *cmd, const char *rules_dir, int oui_only,
		      struct vt_oui **oui, struct vt_rules **rules);

/* The OUI registry directory: $VT_OUI_DIR or the ieee-data default. */
const char *vt_cli_oui_dir(void);

/* Writes records in the format named by json (1) or table (0) to stdout. */
void vt_cli_print_devices(const vt_devrec *d, size_t n, int json);

/* The per-layer/flow/device summary of a passive run, to stderr. */
void vt_cli_passive_summary(const char *cmd, const vt_passive *p,
			    size_t n_devices);
/* The same from counters (e.g. summed over capture threads). */
void vt_cli_passive_summary_of(const char *cmd, const vt_passive_stats *ps,
			       const vt_dis_stats *ds, const vt_flow_stats *fs,
			       const vt_devtab_counters *dv, size_t n_devices);

/* Joins argv into one space-separated string (caller frees). */
char *vt_cli_join_args(int argc, char **argv);

/* Set by SIGINT/SIGTERM once vt_cli_catch_signals() ran. */
extern volatile int vt_cli_interrupted;
void vt_cli_catch_signals(void);

#endif
