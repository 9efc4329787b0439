/* Fuzz target: the eth dissector and everything it hands on to. */
#define VT_FUZZ_START VT_P_ETH
#include "dissect_target.h"
