/* fuzz_looking_glass.c - libFuzzer target for upm_parse_looking_glass. */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_obs_parse(upm_parse_looking_glass, data, size);
	return 0;
}
