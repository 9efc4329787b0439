/*
 * vantage: measure IoT devices from every vantage point. main() only
 * dispatches to a subcommand (git style: `vantage <command> [options]`).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const vt_command commands[] = {
	{"read", "read pcap/pcapng captures into per-device records", vt_cmd_read},
	{"devices", "print the devices in a store", vt_cmd_devices},
	{"match", "label service banners (Nmap probes, Recog, own rules)", vt_cmd_match},
	{"telescope", "darknet captures: scanners, Mirai, backscatter", vt_cmd_telescope},
	{"discover", "find the devices of a LAN (ARP, mDNS, SSDP/UPnP)", vt_cmd_discover},
	{"report", "the views side by side: offered vs used, ranks, charts", vt_cmd_report},
	{"import", "load ZGrab2, Censys, Nmap, masscan and ZMap results", vt_cmd_import},
	{"watch", "capture live from an interface into per-device records", vt_cmd_watch},
	{"inspect", "on-path capture of named devices by ARP spoofing, safely", vt_cmd_inspect},
	{"scan", "SYN-scan targets and grab and label banners", vt_cmd_scan},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: vantage <command> [options] [args]\n\n"
		     "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'vantage <command> --help' describes a command; "
		     "'man vantage' has the details.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return VT_EXIT_USAGE;
	}
	const char *name = argv[1];
	if (!strcmp(name, "-h") || !strcmp(name, "--help") || !strcmp(name, "help")) {
		usage(stdout);
		return VT_EXIT_OK;
	}
	if (!strcmp(name, "--version") || !strcmp(name, "version")) {
		printf("vantage %s\n", VT_VERSION);
		return VT_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "vantage: unknown command '%s'\n", name);
	usage(stderr);
	return VT_EXIT_USAGE;
}
