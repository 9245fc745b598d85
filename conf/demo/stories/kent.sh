# Kent and Medway Pathways, summer 2027 (scripts/demo kent): teaching school alliances
# nominate aspiring leaders on two tracks; an introduction twilight; a predisposition
# audit (signed off by the LA on the middle-leaders track); placement choices; the
# coach trained at two of three sessions; five-day internships at a host school; the
# celebration, where the completers graduate.
clock_start=2027-04-19T07:00:00Z
cohort=kent-2026-27

story() {
	local c=kent-2026-27 k answers=conf/demo/answers
	declare -A app head=([kc-amy]=kh-ayle [kc-bob]=kh-bear [kc-cat]=kh-chat)
	declare -A track=([kc-amy]=senior [kc-bob]=middle [kc-cat]=senior)
	on 2027-04-19T08:00:00Z "Import schools and people (invented; example.org addresses)"
	ctl import schools conf/demo/kent-schools.csv
	ctl import people conf/demo/kent-people.csv

	on 2027-04-19T09:00:00Z "Headteachers nominate three candidates, each on a track"
	for k in kc-amy kc-bob kc-cat; do
		app[$k]=$(ctl --json -a "${head[$k]}" apply $c $k --route nomination \
			--track "${track[$k]}" | json_field '["application"]["id"]')
		echo "${head[$k]} nominated $k (${track[$k]}): ${app[$k]}"
	done

	on 2027-04-20T10:00:00Z "The LA confirms the places and assigns the coach"
	for k in kc-amy kc-bob kc-cat; do
		ctl -a p-adviser assign-coach "${app[$k]}" k-coach >/dev/null
		ctl -a p-adviser decide "${app[$k]}" accept >/dev/null
	done

	on 2027-05-13T17:30:00Z "The introduction twilight (a reminder went out the day before)"
	ctl -a p-adviser register $c INTRO --present "${app[kc-amy]},${app[kc-bob]},${app[kc-cat]}" \
		>/dev/null
	on 2027-05-14T10:00:00Z "Predisposition audits; the LA signs off Bob's (middle leaders)"
	for k in kc-amy kc-bob kc-cat; do
		ctl -a $k submit "${app[$k]}" predisposition_audit \
			--file $answers/kent-predisposition-audit.json >/dev/null
	done
	ctl -a p-adviser signoff "${app[kc-bob]}" >/dev/null
	on 2027-05-17T10:00:00Z "Placement choices; Cat withdraws for family reasons"
	for k in kc-amy kc-bob; do
		ctl -a $k submit "${app[$k]}" placement_choice \
			--file $answers/kent-placement-choice.json >/dev/null
	done
	ctl -a kc-cat withdraw "${app[kc-cat]}" --reason "family reasons" >/dev/null

	on 2027-05-21T17:30:00Z "Coach training: Priya attends COACH1, then COACH2"
	ctl -a p-adviser coach-training $c COACH1 k-coach present >/dev/null
	pass_to 2027-06-04T17:30:00Z
	ctl -a p-adviser coach-training $c COACH2 k-coach present >/dev/null
	ctl list --cohort $c

	on 2027-06-07T10:00:00Z "Internships at Malling School (a Lead Succession School)"
	ctl -a k-coach place "${app[kc-amy]}" ks-mall 2027-06-14 2027-06-18 >/dev/null
	ctl -a k-coach place "${app[kc-bob]}" ks-mall 2027-06-21 2027-06-25 >/dev/null
	pass_to 2027-06-18T15:00:00Z
	ctl -a kh-mall confirm "${app[kc-amy]}" 5 >/dev/null
	pass_to 2027-06-25T15:00:00Z
	ctl -a kh-mall confirm "${app[kc-bob]}" 5 >/dev/null

	on 2027-07-08T17:30:00Z "The celebration: Amy and Bob complete the programme"
	ctl -a p-adviser register $c CELEBRATION --present "${app[kc-amy]},${app[kc-bob]}" >/dev/null
	ctl get "${app[kc-amy]}"
}
