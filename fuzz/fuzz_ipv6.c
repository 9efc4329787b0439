/* Fuzz target: the ipv6 dissector and everything it hands on to. */
#define VT_FUZZ_START VT_P_IPV6
#include "dissect_target.h"
