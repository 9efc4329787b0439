/*
 * MAC prefix -> organisation, from the IEEE registries that Debian's
 * ieee-data installs: MA-L (24-bit, oui.csv), MA-M (28-bit, mam.csv), MA-S
 * (36-bit, oui36.csv) and the older IAB (36-bit, iab.csv). The longest
 * matching prefix wins. Names are kept as registered; normalisation to a
 * brand happens in identification.
 */
#ifndef VANTAGE_OUI_H
#define VANTAGE_OUI_H

#include <stddef.h>
#include <stdint.h>

#define VT_OUI_DEFAULT_DIR "/usr/share/ieee-data"
#define VT_OUI_MAX_ENTRIES 200000

typedef struct vt_oui vt_oui;

/*
 * Loads the registries found in dir (missing files are skipped; none at
 * all is an error). Malformed lines are skipped and counted. NULL + errbuf
 * on failure.
 */
vt_oui *vt_oui_load(const char *dir, char *errbuf);
void vt_oui_free(vt_oui *o);

#define VT_OUI_NMAP_FILE "/usr/share/nmap/nmap-mac-prefixes"
#define VT_OUI_MANUF_FILE "/usr/share/wireshark/manuf"
enum { VT_OUI_FORMAT_NMAP = 1, VT_OUI_FORMAT_MANUF = 2 };

/*
 * Adds a later source (Nmap's nmap-mac-prefixes or Wireshark's manuf),
 * consulted only for prefixes the IEEE files lack. VT_EIO when missing.
 */
int vt_oui_add_file(vt_oui *o, const char *path, int format);
/* Sorts for lookup after vt_oui_add_file calls (vt_oui_load sorts). */
void vt_oui_index(vt_oui *o);

/*
 * The organisation for mac, or NULL. *registry (if not NULL) gets "MA-L",
 * "MA-M", "MA-S", "IAB", "nmap-mac-prefixes" or "wireshark-manuf". The
 * string lives as long as the table.
 */
const char *vt_oui_lookup(const vt_oui *o, const uint8_t mac[6],
			  const char **registry);
size_t vt_oui_count(const vt_oui *o);
size_t vt_oui_skipped(const vt_oui *o);

#endif
