/*
 * Writing a telescope run into the store (schema version 2 tables
 * telescope_run/_source/_event/_window/_victim; src/store/schema.c). Rows
 * go into the store's batched transaction like flows. Scanner sources
 * also become devices keyed by their IP (device.key_ip) with a device_run
 * row (packets and bytes sent: the source's packets and IP lengths), so
 * `devices` and `report` list them and banners and later scans of the
 * same address join them.
 */
#ifndef VANTAGE_STORE_TELESCOPE_H
#define VANTAGE_STORE_TELESCOPE_H

#include "vantage/store.h"
#include "vantage/telescope.h"

typedef struct vt_store_tel vt_store_tel;

/* A writer for one run; NULL (with vt_store_errmsg set) on failure. */
vt_store_tel *vt_store_tel_new(vt_store *st, int64_t run_id);
void vt_store_tel_free(vt_store_tel *w);
int vt_store_tel_source(vt_store_tel *w, const vt_tel_source *s, uint32_t k);
int vt_store_tel_event(vt_store_tel *w, const vt_tel_event *e);
/* The run's totals, windows and victims, after vt_tel_finish. */
int vt_store_tel_finish(vt_store_tel *w, const vt_tel *t,
			const char *prefixes, uint32_t window_s);

#endif
