/*
 * Fuzz target: the Censys v2 hosts importer (src/import/), through the
 * decompressing source and the host table (import_target.h).
 */
#include "import_target.h"

VT_FUZZ_IMPORT(VT_IMP_CENSYS)
