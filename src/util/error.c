/* Names for the VT_E* error codes (see include/vantage/error.h). */
#include "vantage/error.h"

const char *vt_strerror(int err)
{
	switch (err) {
	case VT_OK: return "success";
	case VT_ENOMEM: return "out of memory";
	case VT_EINVAL: return "invalid argument";
	case VT_EIO: return "input/output error";
	case VT_EFORMAT: return "bad format";
	case VT_ETRUNC: return "truncated input";
	case VT_EFULL: return "table full";
	case VT_ENOTFOUND: return "not found";
	case VT_EDB: return "database error";
	case VT_EUNSUP: return "unsupported";
	}
	return "unknown error";
}
