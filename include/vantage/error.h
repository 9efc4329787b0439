/*
 * Error codes shared by every library module. Library calls return 0 for
 * success or a negative VT_E* code; vt_strerror() names it. Constructors
 * return NULL and fill a caller-supplied error buffer of VT_ERRBUF_LEN.
 */
#ifndef VANTAGE_ERROR_H
#define VANTAGE_ERROR_H

#define VT_ERRBUF_LEN 512

enum {
	VT_OK = 0,
	VT_ENOMEM = -1,   /* allocation failed */
	VT_EINVAL = -2,   /* bad argument from the caller */
	VT_EIO = -3,      /* read/write failure */
	VT_EFORMAT = -4,  /* input is not in the expected format */
	VT_ETRUNC = -5,   /* input ended early */
	VT_EFULL = -6,    /* a capped table or buffer is full */
	VT_ENOTFOUND = -7,
	VT_EDB = -8,      /* SQLite reported an error */
	VT_EUNSUP = -9,   /* unsupported (e.g. link type) */
};

const char *vt_strerror(int err);

#endif
