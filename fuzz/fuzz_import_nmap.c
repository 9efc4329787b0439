/*
 * Fuzz target: the Nmap XML (expat, entities refused) importer (src/import/), through the
 * decompressing source and the host table (import_target.h).
 */
#include "import_target.h"

VT_FUZZ_IMPORT(VT_IMP_NMAP_XML)
