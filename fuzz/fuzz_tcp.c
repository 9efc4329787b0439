/* Fuzz target: the tcp dissector and everything it hands on to. */
#define VT_FUZZ_START VT_P_TCP
#include "dissect_target.h"
