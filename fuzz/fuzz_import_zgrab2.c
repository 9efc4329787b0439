/*
 * Fuzz target: the ZGrab2 JSON Lines importer (src/import/), through the
 * decompressing source and the host table (import_target.h).
 */
#include "import_target.h"

VT_FUZZ_IMPORT(VT_IMP_ZGRAB2)
