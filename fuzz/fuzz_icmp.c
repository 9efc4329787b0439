/* Fuzz target: the icmp dissector and everything it hands on to. */
#define VT_FUZZ_START VT_P_ICMP
#include "dissect_target.h"
