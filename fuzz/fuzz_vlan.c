/* Fuzz target: the vlan dissector and everything it hands on to. */
#define VT_FUZZ_START VT_P_VLAN
#include "dissect_target.h"
