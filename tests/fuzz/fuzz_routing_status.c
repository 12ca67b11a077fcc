/* fuzz_routing_status.c - libFuzzer target for upm_parse_routing_status. */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int flag_sets[] = { 0, UPM_PARSE_DATA_ONLY };
	upm_visibility vis;
	upm_meta meta;
	upm_error err;
	upm_status st;
	size_t i;

	for (i = 0; i < sizeof(flag_sets) / sizeof(flag_sets[0]); i++) {
		memset(&err, 0, sizeof(err));
		st = upm_parse_routing_status((const char *)data, size,
		    flag_sets[i], &vis, &meta, &err);
		fuzz_check_status(st, &err);
		if (st != UPM_OK)
			continue;
		/* routing-status hands out no records, only the figures. */
		fuzz_check_meta(&meta, meta.records);
	}
	return 0;
}
