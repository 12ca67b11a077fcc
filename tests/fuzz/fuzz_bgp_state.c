/* fuzz_bgp_state.c - libFuzzer target for upm_parse_bgp_state. */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_obs_parse(upm_parse_bgp_state, data, size);
	return 0;
}
