/*
 * value.h: turning text into JSON values and back: argument and CSV words
 * (yes/no, counts, facts, lists) into JSON, and JSON scalars into the text
 * of table cells and lines. No state.
 */
#ifndef PW_CTL_VALUE_H
#define PW_CTL_VALUE_H

#include <jansson.h>

/*
 * The string member key of object o, or "" when o is not an object, has no
 * such member or it is not a string. The result belongs to o.
 */
const char *value_str(const json_t *o, const char *key);

/*
 * Any scalar v as text for a table cell: "" for NULL or null, yes/no for
 * booleans, integers in decimal, anything else as compact JSON. The caller
 * frees the result.
 */
char *value_text(const json_t *v);

/* The members of object o as "k=v k=v" (each value as value_text); the caller frees it. */
char *value_pairs(const json_t *o);

/* 1 if word is one of words ("a|b|c"), else 0. */
int value_word_in(const char *word, const char *words);

/*
 * Parse s as a whole number >= 0 (decimal digits, nothing else) into *out.
 * Returns 0, or -1 with *out untouched.
 */
int value_count(const char *s, json_int_t *out);

/*
 * A fact's value from its text: integers and plain finite decimals become
 * numbers, true/false booleans, anything else a string. Returns a new
 * reference.
 */
json_t *value_fact(const char *s);

/* Append the items of the , ; | separated list s, trimmed of blanks, to the array arr. */
void value_list_add(json_t *arr, const char *s);

#endif
