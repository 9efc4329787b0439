/*
 * Fuzz target: the ZMap JSON importer (src/import/), through the
 * decompressing source and the host table (import_target.h).
 */
#include "import_target.h"

VT_FUZZ_IMPORT(VT_IMP_ZMAP_JSON)
