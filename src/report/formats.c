/* The table of device output formats, looked up by name. */
#include <string.h>

#include "vantage/report.h"

extern const vt_devfmt vt_devfmt_table, vt_devfmt_json;

static const vt_devfmt *const formats[] = {&vt_devfmt_table, &vt_devfmt_json};

const vt_devfmt *vt_devfmt_find(const char *name)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(formats[i]->name, name) == 0)
			return formats[i];
	return NULL;
}
