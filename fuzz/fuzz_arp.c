/* Fuzz target: the arp dissector and everything it hands on to. */
#define VT_FUZZ_START VT_P_ARP
#include "dissect_target.h"
