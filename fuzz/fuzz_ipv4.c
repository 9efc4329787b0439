/* Fuzz target: the ipv4 dissector and everything it hands on to. */
#define VT_FUZZ_START VT_P_IPV4
#include "dissect_target.h"
