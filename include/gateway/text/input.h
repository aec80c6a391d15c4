/*
 * input.h - what a phone typed, read the same way by the SMS commands and
 * the USSD menus: normalisation and the arguments workers type.
 *
 * Nothing here allocates or can fail: any byte string, valid UTF-8 or not,
 * of any length, gives a result (output is truncated at a character
 * boundary).
 */
#ifndef SGW_INPUT_H
#define SGW_INPUT_H

#include <stddef.h>

/* Normalise len bytes of text into out (see above; runs of separators
 * become one space, no space at either end). Invalid UTF-8 bytes count as
 * separators. Returns the length written, always NUL-terminated when
 * cap > 0. */
size_t input_normalise(const char *text, size_t len, char *out, size_t cap);

/* The first run of digits in s, copied to out (at most cap - 1 digits; a
 * longer run is not a code and gives -EINVAL). 0, or -ENOENT when s has
 * no digit. Course codes are digits so any keypad can type them. */
int input_digits(const char *s, char *out, size_t cap);

/* Split a registration argument into an 18-character resident ID (17
 * digits and a digit or X, found anywhere in s) and the name (everything
 * else, spaces dropped). 0; -ENOENT when s has no digit at all; -EINVAL
 * when its digits are not 18 characters of that shape; -ENODATA when the
 * name is missing; -EMSGSIZE when the name is longer than name_cap - 1. The
 * ID is only shaped, not checked: that is the roster's business. */
int input_id_name(const char *s, char *id, size_t id_cap, char *name,
		  size_t name_cap);

#endif
