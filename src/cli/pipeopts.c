/* The passive pipeline's options (pipeopts.h). */
#include "cli/pipeopts.h"

#include <stdint.h>

#include "cli/cli.h"
#include "vantage/error.h"

static int add_net(const char *cmd, vt_pipe_opts *po, const char *v)
{
	if (po->n_nets >= VT_DEVTAB_MAX_LOCALNETS) {
		vt_cli_error(cmd, "--local-net: at most %d prefixes",
			     VT_DEVTAB_MAX_LOCALNETS);
		return -1;
	}
	if (vt_cidr_parse(v, &po->nets[po->n_nets]) != VT_OK) {
		vt_cli_error(cmd, "--local-net: '%s' is not an address or CIDR",
			     v);
		return -1;
	}
	po->n_nets++;
	return 0;
}

int vt_pipe_opt(const char *cmd, int c, const char *arg, vt_pipe_opts *po,
		vt_passive_cfg *pc)
{
	uint64_t v = 0;
	int bad = 0;
	switch (c) {
	case VT_PO_NET: bad = add_net(cmd, po, arg); break;
	case VT_PO_TCP:
		bad = vt_cli_num(cmd, "tcp-timeout", arg, 1, 86400, &v);
		pc->flow.tcp_timeout_s = (uint32_t)v;
		break;
	case VT_PO_UDP:
		bad = vt_cli_num(cmd, "udp-timeout", arg, 1, 86400, &v);
		pc->flow.udp_timeout_s = (uint32_t)v;
		break;
	case VT_PO_FLOWS:
		bad = vt_cli_num(cmd, "max-flows", arg, 1, 1u << 28, &v);
		pc->flow.max_flows = (size_t)v;
		break;
	case VT_PO_DEVS:
		bad = vt_cli_num(cmd, "max-devices", arg, 1, 1u << 22, &v);
		pc->dev.max_devices = (size_t)v;
		break;
	case VT_PO_RULES: po->rules = arg; break;
	case VT_PO_NOIDENT: po->no_ident = pc->no_signals = 1; break;
	default: return 0;
	}
	return bad ? -1 : 1;
}

void vt_pipe_opts_finish(vt_pipe_opts *po, vt_passive_cfg *pc)
{
	pc->dev.local_nets = po->nets;
	pc->dev.n_local_nets = po->n_nets;
}
