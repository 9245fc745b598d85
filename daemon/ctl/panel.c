/*
 * panel.c: pathwayctl's lines for a panel's decision and the reviews each
 * term, printed within an application (app_show): each member's
 * recommendation (its outcome and reason when the reply carries them: the
 * daemon leaves them out for anyone but the panel and LA advisers), the
 * term reviews, the LA being asked, and its continuations.
 */
#include "panel.h"

#include "output.h"
#include "value.h"

void
panel_show(const json_t *a)
{
	const char *first = "panel", *stage, *k;
	json_t *pn, *v, *att = json_object_get(a, "review_attention");
	size_t i;

	json_object_foreach(json_object_get(a, "panel"), stage, pn)
	{
		json_object_foreach(json_object_get(pn, "recommendations"), k, v)
		{
			if (json_object_get(v, "outcome") != NULL)
				output_kv(first, "%s: %s recommends %s at %s: %s", stage, k,
					  value_str(v, "outcome"), value_str(v, "at"),
					  value_str(v, "reason"));
			else
				output_kv(first, "%s: %s recommended at %s", stage, k,
					  value_str(v, "at"));
			first = "";
		}
		if (json_object_get(pn, "closed") != NULL)
			output_kv(first, "%s: closed by %s at %s", stage,
				  value_str(json_object_get(pn, "closed"), "by"),
				  value_str(json_object_get(pn, "closed"), "at"));
		first = "";
	}
	first = "reviews";
	json_object_foreach(json_object_get(a, "reviews"), k, v)
	{
		output_kv(first, "%s: %s %s by %s%s%s", k, value_str(v, "outcome"),
			  value_str(v, "at"), value_str(v, "by"), *value_str(v, "note") ? "  " : "",
			  value_str(v, "note"));
		first = "";
	}
	if (att != NULL)
		output_kv("attention", "%lld reviews not met (last: %s): the LA decides since %s",
			  (long long)json_integer_value(json_object_get(att, "not_met")),
			  value_str(att, "term"), value_str(att, "since"));
	first = "continued";
	json_array_foreach(json_object_get(a, "continuations"), i, v)
	{
		output_kv(first, "%s after %s, %s by %s%s%s", value_str(v, "decision"),
			  value_str(v, "term"), value_str(v, "at"), value_str(v, "by"),
			  *value_str(v, "reason") ? ": " : "", value_str(v, "reason"));
		first = "";
	}
}
