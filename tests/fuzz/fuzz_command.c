/*
 * fuzz_command.c - fuzz target for the SMS command parser
 * (handlers/sms/command.c): any bytes, valid UTF-8 or not, must parse without
 * a crash, an overrun or undefined behaviour, and give NUL-terminated,
 * bounded fields of well-formed UTF-8 (invalid input bytes count as
 * separators; truncation is at a character boundary).
 */
#include "handlers/sms/command.h"
#include "gateway/text/input.h"
#include "fuzz.h"

#define COMMAND_FUZZ_NORM	64	/* a small normalise buffer */
#define COMMAND_FUZZ_ID		24
#define COMMAND_FUZZ_NAME	48
#define COMMAND_FUZZ_CODE	8

static bool command_str_ok(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	return n < cap && fuzz_utf8_valid((const uint8_t *)s, n);
}

FUZZ_TARGET(command)
{
	const char *text = (const char *)data;
	char norm[COMMAND_FUZZ_NORM], id[COMMAND_FUZZ_ID];
	char name[COMMAND_FUZZ_NAME], code[COMMAND_FUZZ_CODE];
	enum command_id near;
	struct command c;
	size_t n;

	command_parse(text, size, &c);
	assert(c.id < COMMAND_NUM && c.near < COMMAND_NUM);
	assert(command_str_ok(c.word, sizeof(c.word)));
	assert(command_str_ok(c.arg, sizeof(c.arg)));
	assert(c.id == COMMAND_UNKNOWN || !c.near_keyword);
	command_name(c.id);
	command_keyword(c.id);

	/* small output buffers: cut at a character boundary */
	n = input_normalise(text, size, norm, sizeof(norm));
	assert(n < sizeof(norm) && strlen(norm) == n);
	assert(command_str_ok(norm, sizeof(norm)));
	assert(n == 0 || norm[0] != ' ');
	input_normalise(text, size, norm, 1);
	assert(norm[0] == '\0');

	command_closest(c.word, NULL);
	command_closest(c.word, &near);
	if (input_digits(c.arg, code, sizeof(code)) == 0)
		assert(strlen(code) < sizeof(code));
	if (input_id_name(c.arg, id, sizeof(id), name, sizeof(name)) == 0)
		assert(strlen(id) < sizeof(id) && strlen(name) < sizeof(name));
	return 0;
}
