# The Unity Schools Partnership Leadership Development Programme, 2026-27
# (scripts/demo unity): permanent staff apply to their headteacher; the Trust's
# selection panel recommends and its chair decides; each group (primary,
# secondary) has its Leading for Excellence days and a joint day; headteachers
# review the performance objectives each term; two terms not met ask the LA to
# decide whether the participant continues; the rest receive the Certificate of
# Professional Development.
clock_start=2026-05-04T07:00:00Z
cohort=unity-2026-27

story() {
	local c=unity-2026-27 k m s
	local panel="usp-ceo usp-hr usp-primary-lead usp-secondary-lead"
	declare -A app head=([c-pri]=h-castle [c-pri2]=h-clements [c-pri3]=h-castle
		[c-sec]=h-samuel [c-sec2]=h-samuel)
	on 2026-05-04T08:00:00Z "Import schools and people (invented; example.org addresses)"
	ctl import schools conf/demo/unity-schools.csv
	ctl import people conf/demo/unity-people.csv

	on 2026-05-04T09:00:00Z "Five permanent members of staff apply to their headteachers"
	for k in c-pri c-pri2 c-pri3 c-sec c-sec2; do
		app[$k]=$(ctl --json -a $k apply $c $k | json_field '["application"]["id"]')
		ctl -a $k submit "${app[$k]}" ldp_application \
			--file conf/demo/answers/unity-application.json >/dev/null
		echo "$k applied: ${app[$k]}"
	done
	echo "A fixed-term contract may not apply:"
	ctl -a c-temp apply $c c-temp || true

	on 2026-05-06T09:00:00Z "The headteachers support the applications; the panel is invited"
	for k in c-pri c-pri2 c-pri3 c-sec c-sec2; do
		ctl -a "${head[$k]}" signoff "${app[$k]}" >/dev/null
	done

	on 2026-05-13T09:00:00Z "The selection panel recommends; for Sally the chair closes the panel early"
	for k in c-pri c-pri2 c-pri3 c-sec; do
		for m in $panel; do
			if [ $k = c-pri3 ]; then
				ctl -a $m recommend "${app[$k]}" reject "Not yet ready to lead adults" >/dev/null
			else
				ctl -a $m recommend "${app[$k]}" accept "Ready for the programme" >/dev/null
			fi
		done
	done
	ctl -a usp-hr recommend "${app[c-sec2]}" accept "Ready for it" >/dev/null
	ctl -a usp-primary-lead recommend "${app[c-sec2]}" accept "Ready for it" >/dev/null
	ctl -a usp-ceo close-panel "${app[c-sec2]}" >/dev/null

	on 2026-05-15T09:00:00Z "The chair decides: four places, one not selected"
	for k in c-pri c-pri2 c-sec c-sec2; do
		ctl -a usp-ceo decide "${app[$k]}" accept >/dev/null
	done
	ctl -a usp-ceo decide "${app[c-pri3]}" reject >/dev/null
	ctl list --cohort $c

	on 2026-09-23T16:30:00Z "Leading for Excellence: each group's days (Peter misses a visit)"
	for s in LFE-S1@2026-09-23T16:30:00Z@c-sec,c-sec2 LFE-P1@2026-09-24T16:30:00Z@c-pri,c-pri2 \
		LFE-P2@2026-11-10T17:30:00Z@c-pri LFE-S2@2026-11-11T17:30:00Z@c-sec,c-sec2; do
		IFS=@ read -r sid at who <<<"$s"
		pass_to "$at"
		present=
		for k in ${who//,/ }; do present+="${present:+,}${app[$k]}"; done
		if [ "$sid" = LFE-P2 ]; then
			ctl -a p-adviser register $c "$sid" --present "$present" --absent "${app[c-pri2]}" >/dev/null
		else
			ctl -a p-adviser register $c "$sid" --present "$present" >/dev/null
		fi
		echo "$sid: register taken"
	done

	on 2026-12-14T10:00:00Z "Autumn reviews (due from 30 November): Sally's objectives not met"
	for k in c-pri c-pri2 c-sec; do
		ctl -a "${head[$k]}" review "${app[$k]}" autumn met >/dev/null
	done
	ctl -a h-samuel review "${app[c-sec2]}" autumn not_met --note "Secondment objective behind plan" >/dev/null

	on 2027-02-02T16:30:00Z "The spring days, and both groups together on 23 March"
	for s in LFE-P3@2027-02-02T16:30:00Z@c-pri,c-pri2 LFE-S3@2027-02-03T16:30:00Z@c-sec,c-sec2 \
		LFE-P4@2027-02-24T17:30:00Z@c-pri,c-pri2 LFE-S4@2027-02-25T17:30:00Z@c-sec,c-sec2 \
		LFE-JOINT@2027-03-23T16:30:00Z@c-pri,c-pri2,c-sec,c-sec2; do
		IFS=@ read -r sid at who <<<"$s"
		pass_to "$at"
		present=
		for k in ${who//,/ }; do present+="${present:+,}${app[$k]}"; done
		ctl -a p-adviser register $c "$sid" --present "$present" >/dev/null
		echo "$sid: register taken"
	done

	on 2027-03-29T09:00:00Z "Spring reviews: Sally's objectives are not met again; the LA is asked"
	for k in c-pri c-pri2 c-sec; do
		ctl -a "${head[$k]}" review "${app[$k]}" spring met >/dev/null
	done
	ctl -a h-samuel review "${app[c-sec2]}" spring not_met --note "Secondment objective not met again" >/dev/null
	on 2027-03-31T09:00:00Z "The LA decides Sally does not continue"
	ctl -a p-adviser continue "${app[c-sec2]}" withdraw "Objectives not met in two terms" >/dev/null

	on 2027-07-05T09:00:00Z "Summer reviews: Priya and Simon receive the certificate (Peter missed a day)"
	for k in c-pri c-pri2 c-sec; do
		ctl -a "${head[$k]}" review "${app[$k]}" summer met >/dev/null
	done
	ctl get "${app[c-pri]}"
}
