/* Fuzz target: the sll dissector and everything it hands on to. */
#define VT_FUZZ_START VT_P_SLL
#include "dissect_target.h"
