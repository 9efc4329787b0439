/* Fuzz target: the sll2 dissector and everything it hands on to. */
#define VT_FUZZ_START VT_P_SLL2
#include "dissect_target.h"
