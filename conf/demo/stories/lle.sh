# Norfolk Local Leaders of Education, 2027 (scripts/demo lle): serving headteachers
# apply and are selected; the briefing is booked like a course, by applicants and by
# headteachers of schools that might want an LLE's support; training; then schools ask
# for support, the LA pairs each with an LLE of the same phase who has room, and the
# pairings are reviewed each half term until they end.
clock_start=2026-11-02T08:00:00Z
cohort=lle-2026-27

story() {
	local c=lle-2026-27 h
	declare -A app req
	on 2026-11-02T09:00:00Z "Import schools and people (invented; example.org addresses)"
	ctl import schools conf/demo/lle-schools.csv
	ctl import people conf/demo/lle-people.csv

	on 2026-11-03T10:00:00Z "Serving headteachers apply; the national criteria are checked"
	for h in lh-acle lh-brec lh-cley lh-eccl; do
		app[$h]=$(ctl --json -a $h apply $c $h | json_field '["application"]["id"]')
		ctl -a $h submit "${app[$h]}" application_form \
			--file conf/demo/answers/lle-application.json >/dev/null
		echo "$h applied: ${app[$h]}"
	done
	echo "Two years as a head is not enough (at least three):"
	ctl -a lh-diss apply $c lh-diss || true

	on 2026-12-01T10:00:00Z "The LA selects all four"
	for h in lh-acle lh-brec lh-cley lh-eccl; do
		ctl -a p-adviser decide "${app[$h]}" accept >/dev/null
	done

	on 2026-12-07T10:00:00Z "The briefing is booked: applicants, and heads who might want support"
	for h in lh-acle lh-brec lh-cley lh-eccl hp-ears hp-fake; do
		ctl -a $h book $c BRIEFING | grep '^status'
	done
	echo "The LA books a place for Gresham's head:"
	ctl -a p-adviser book $c BRIEFING --person hp-gres | grep '^status'

	on 2027-01-08T10:00:00Z "Fakenham's head cannot come and cancels"
	ctl -a hp-fake cancel-booking $c BRIEFING | grep -E '^(status|seats)'
	ctl -a p-adviser bookings $c BRIEFING

	on 2027-01-15T16:30:00Z "The briefing (reminders went out on the 13th); its register"
	ctl -a p-adviser register $c BRIEFING --present "$(
		IFS=,
		echo "${app[*]}"
	)" >/dev/null
	on 2027-02-10T16:30:00Z "Training; the four are deployed as LLEs"
	ctl -a p-adviser register $c TRAINING --present "$(
		IFS=,
		echo "${app[*]}"
	)" >/dev/null
	ctl list --cohort $c

	on 2027-02-15T10:00:00Z "Schools ask for support: Earsham's head, and two schools the LA identifies"
	req[ps-ears]=$(ctl --json -a hp-ears support request $c \
		--need "Writing at Key Stage 2 has fallen for two years; a new deputy needs support." |
		json_field '["request"]["id"]')
	req[ps-fake]=$(ctl --json -a p-adviser support request $c --school ps-fake \
		--need "Attendance and behaviour after a poor inspection." | json_field '["request"]["id"]')
	req[ps-gres]=$(ctl --json -a p-adviser support request $c --school ps-gres \
		--need "A new head in a school with complex needs." | json_field '["request"]["id"]')
	ctl -a p-adviser support list --cohort $c

	on 2027-02-22T10:00:00Z "The LA pairs each school with an LLE of its phase who has room"
	echo "A secondary head for a primary school is refused:"
	ctl -a p-adviser support pair "${req[ps-ears]}" "${app[lh-brec]}" || true
	ctl -a p-adviser support pair "${req[ps-ears]}" "${app[lh-acle]}"
	ctl -a p-adviser support pair "${req[ps-fake]}" "${app[lh-brec]}" >/dev/null
	ctl -a p-adviser support pair "${req[ps-gres]}" "${app[lh-cley]}" >/dev/null
	echo "Earsham's head reads the request; Breckland's LLE may not:"
	ctl -a hp-ears support get "${req[ps-ears]}" | grep -E '^(status|need)'
	ctl -a lh-brec support get "${req[ps-ears]}" || true

	on 2027-04-06T10:00:00Z "The first review points fell due yesterday; Acle's LLE records hers"
	ctl -a lh-acle support review "${req[ps-ears]}" --note "Writing moderation joint with Acle." |
		grep '^review'

	on 2027-07-19T10:00:00Z "Fakenham is out of its category: the LA ends that pairing"
	ctl -a p-adviser support end "${req[ps-fake]}" --note "Good at re-inspection." >/dev/null
	ctl -a p-adviser support list --cohort $c
}
