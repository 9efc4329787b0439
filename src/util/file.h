/* Whole-file reads with a size cap. */
#ifndef VT_UTIL_FILE_H
#define VT_UTIL_FILE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Reads path into a new buffer (NUL-terminated, not counted in *len) of at
 * most max_len bytes. Returns VT_OK, VT_EIO (cannot open/read) or VT_EFULL
 * (larger than max_len). The caller frees *buf.
 */
int vt_file_read(const char *path, size_t max_len, uint8_t **buf, size_t *len);

#endif
