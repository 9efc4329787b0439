/* Fuzz target: the icmp6 dissector and everything it hands on to. */
#define VT_FUZZ_START VT_P_ICMP6
#include "dissect_target.h"
