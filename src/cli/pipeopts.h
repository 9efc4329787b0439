/*
 * The passive pipeline's options, shared by the commands that run it
 * (read, watch): --local-net, --tcp-timeout, --udp-timeout, --max-flows,
 * --max-devices, --rules, --no-ident. A command puts VT_PIPE_LONGOPTS in
 * its getopt_long table and hands every option it does not know itself to
 * vt_pipe_opt.
 */
#ifndef VT_CLI_PIPEOPTS_H
#define VT_CLI_PIPEOPTS_H

#include <getopt.h>
#include <stddef.h>

#include "vantage/device.h"
#include "vantage/netclass.h"
#include "vantage/passive.h"

/* getopt_long values, above every command's own. */
enum { VT_PO_NET = 1000, VT_PO_TCP, VT_PO_UDP, VT_PO_FLOWS, VT_PO_DEVS,
       VT_PO_RULES, VT_PO_NOIDENT };

#define VT_PIPE_LONGOPTS                                                     \
	{"local-net", required_argument, NULL, VT_PO_NET},                   \
	{"tcp-timeout", required_argument, NULL, VT_PO_TCP},                 \
	{"udp-timeout", required_argument, NULL, VT_PO_UDP},                 \
	{"max-flows", required_argument, NULL, VT_PO_FLOWS},                 \
	{"max-devices", required_argument, NULL, VT_PO_DEVS},                \
	{"rules", required_argument, NULL, VT_PO_RULES},                     \
	{"no-ident", no_argument, NULL, VT_PO_NOIDENT}

typedef struct vt_pipe_opts {
	vt_cidr nets[VT_DEVTAB_MAX_LOCALNETS]; /* --local-net prefixes */
	size_t n_nets;
	const char *rules; /* --rules DIR, or NULL for the default */
	int no_ident;      /* --no-ident */
} vt_pipe_opts;

/*
 * Applies option c (with its argument arg) to *po and the pipeline's
 * configuration *pc. Returns 1 when c is a pipeline option and its value
 * is good, 0 when c is not a pipeline option, -1 for a bad value (the
 * error line is printed, naming cmd).
 */
int vt_pipe_opt(const char *cmd, int c, const char *arg, vt_pipe_opts *po,
		vt_passive_cfg *pc);

/* Points *pc at po's --local-net prefixes; call after parsing (po must
 * outlive the pipeline). */
void vt_pipe_opts_finish(vt_pipe_opts *po, vt_passive_cfg *pc);

#endif
