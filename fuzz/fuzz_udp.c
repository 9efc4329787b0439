/* Fuzz target: the udp dissector and everything it hands on to. */
#define VT_FUZZ_START VT_P_UDP
#include "dissect_target.h"
