/* Fuzz target: the rawip dissector and everything it hands on to. */
#define VT_FUZZ_START VT_P_RAW
#include "dissect_target.h"
