/*
 * Device identification: turns a device's signals into vendor, type
 * (DESIGN.md taxonomy), model and a confidence, keeping the evidence.
 */
#ifndef VANTAGE_IDENTIFY_H
#define VANTAGE_IDENTIFY_H

#include "vantage/devrec.h"
#include "vantage/oui.h"

/*
 * Fills vendor (OUI), type ("router" for the gateway, else "unknown") and
 * confidence, adding evidence rows. oui may be NULL.
 */
int vt_ident_basic(vt_devrec *d, const vt_oui *oui);

#endif
