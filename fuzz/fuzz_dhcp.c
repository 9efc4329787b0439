/* Fuzz target: the dhcp dissector and everything it hands on to. */
#define VT_FUZZ_START VT_P_DHCP
#include "dissect_target.h"
