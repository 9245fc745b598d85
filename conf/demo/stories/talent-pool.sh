# The Norfolk Leadership Talent Pool, 2026-27 (scripts/demo, the default story): six
# nominations, self-evaluations, a form sent back, sign-offs, selection with a waiting
# list, a 360 with invited colleagues, sessions and registers, a withdrawal whose place
# goes to the first waiting (before 14 January, the cohort's offers_until), an internship
# at a Lead Succession School.
#
# A story file sets clock_start (the manual clock's first moment) and cohort (the
# cohort the demo reports on at the end), and defines story(); scripts/demo sources it
# and runs story() with its helpers: ctl, json_field, step, on and pass_to.
clock_start=2026-09-07T08:00:00Z
cohort=ntp-2026-27

# The body is not indented: it holds here-documents and Python snippets.
story() {
on 2026-09-07T08:00:00Z "Import schools and people (invented; example.org addresses)"
ctl import schools conf/demo/schools.csv
ctl import people conf/demo/people.csv

on 2026-09-08T09:00:00Z "Headteachers nominate six candidates to $cohort"
declare -A app head=([p-amara]=p-head-oak [p-ben]=p-head-oak [p-chloe]=p-head-ash
	[p-dan]=p-head-ash [p-ella]=p-head-wil [p-finn]=p-head-wil)
for c in p-amara p-ben p-chloe p-dan p-ella p-finn; do
	app[$c]=$(ctl --json -a "${head[$c]}" apply $cohort $c --route nomination |
		json_field '["application"]["id"]')
	echo "${head[$c]} nominated $c: ${app[$c]}"
done

# Each form's answers are a JSON file of field id to value (pathwayctl form show APP FORM
# lists the fields); these are under conf/demo/answers/.
answers=conf/demo/answers
on 2026-09-15T16:00:00Z "Candidates submit their self-evaluations"
for c in p-amara p-ben p-chloe p-dan p-ella p-finn; do
	ctl -a $c submit "${app[$c]}" self_evaluation --file $answers/self-evaluation-$c.json >/dev/null
done

on 2026-09-21T10:00:00Z "Oakfield's head sends Ben's self-evaluation back; he adds his evidence"
ctl -a p-head-oak return "${app[p-ben]}" self_evaluation \
	--note "Please add your evidence for managing the organisation and securing accountability" |
	grep -E '^(stage|returned) '
/usr/bin/python3 -c 'import json, sys
a = json.load(open(sys.argv[1]))
a["managing_the_organisation_evidence"] = "Planned and ran the Key Stage 1 maths resources budget."
a["securing_accountability_evidence"] = "Report termly on Key Stage 1 maths to the curriculum committee."
json.dump(a, open(sys.argv[2], "w"))' $answers/self-evaluation-p-ben.json var/ben-se.json
ctl -a p-ben submit "${app[p-ben]}" self_evaluation --file var/ben-se.json | grep '^stage '

on 2026-09-22T10:00:00Z "Headteachers send the evidence form and sign off (Willow Bank has not yet)"
for c in p-amara p-ben p-chloe p-dan; do
	ctl -a "${head[$c]}" submit "${app[$c]}" evidence_form --file $answers/evidence-form-$c.json >/dev/null
	ctl -a "${head[$c]}" signoff "${app[$c]}" >/dev/null
done
echo "A headteacher of another school may not sign off:"
ctl -a p-head-oak signoff "${app[p-ella]}" || true

on 2026-09-30T11:00:00Z "The LA selects: three places, one waiting list; Willow Bank's sign-offs are overdue"
ctl -a p-adviser decide "${app[p-amara]}" accept >/dev/null
ctl -a p-adviser decide "${app[p-chloe]}" accept >/dev/null
ctl -a p-adviser decide "${app[p-ben]}" accept >/dev/null
ctl -a p-adviser decide "${app[p-dan]}" waitlist --note "strong; reapply or take a freed place"
ctl -a p-adviser assign-coach "${app[p-amara]}" p-coach >/dev/null
ctl -a p-adviser assign-coach "${app[p-chloe]}" p-coach >/dev/null
echo "Overdue (the LA has been alerted):"
ctl -a p-adviser list --cohort $cohort --overdue

on 2026-10-02T09:00:00Z "360: Amara invites eight colleagues by name and email (no accounts needed)"
# Each is emailed a link that lets them answer; here the operator acts for them (-a RATER).
n=0
while IFS=, read -r name email category; do
	n=$((n + 1))
	rater[$n]=$(ctl --json -a p-amara feedback invite "${app[p-amara]}" --name "$name" \
		--email "$email" --category "$category" | /usr/bin/python3 -c '
import json, sys
raters = json.load(sys.stdin)["application"]["raters"]
print(max(r for r in raters if r.startswith("R")))')
	echo "${rater[$n]}  $name ($category)"
done <<'RATERS'
Rachel Dunn,r.dunn@oakfield.example.org,line_manager
Hannah Boyd,h.boyd@oakfield.example.org,peers
Sam Whitlock,s.whitlock@oakfield.example.org,peers
Aisha Karim,a.karim@oakfield.example.org,peers
Tom Riley,t.riley@oakfield.example.org,direct_reports
Grace Liu,g.liu@oakfield.example.org,direct_reports
Dev Patel,d.patel@ashgrove.example.org,others
Clare Webb,c.webb@cluster-english.example.org,others
RATERS
ctl -a "${rater[1]}" feedback questionnaire "${app[p-amara]}" | sed -n 1,5p
echo "Amara rates herself; over the weekend all eight colleagues answer:"
ctl -a p-amara feedback respond "${app[p-amara]}" --file $answers/360-self-p-amara.json
pass_to 2026-10-05T12:00:00Z
for i in 1 2 3 4 5 6 7 8; do
	ctl -a "${rater[$i]}" feedback respond "${app[p-amara]}" --file $answers/360-rater-$i.json >/dev/null
done
echo "Chloe's eight raters are people the LA created; five answer by 6 October:"
for r in p-r1 p-r2 p-r3 p-r4 p-r5 p-r6 p-r7 p-r8; do
	ctl -a p-adviser invite-rater "${app[p-chloe]}" $r >/dev/null
done
pass_to 2026-10-06T12:00:00Z
for i in 1 2 3 4 5; do
	ctl -a p-r$i feedback respond "${app[p-chloe]}" --file $answers/360-rater-$i.json >/dev/null
done

on 2026-10-07T10:00:00Z "Willow Bank never signed off: reminded, escalated, the LA closes both nominations"
for c in p-ella p-finn; do
	ctl -a p-adviser withdraw "${app[$c]}" --reason "no headteacher sign-off by the deadline" >/dev/null
done
ctl -a p-adviser list --cohort $cohort --status withdrawn

on 2026-10-08T12:30:00Z "Sessions TP1-TP3: the registers, each after its session (Amara at all three)"
for s in TP1:2026-10-08T12:30:00Z TP2:2026-11-05T18:00:00Z TP3:2026-12-03T18:00:00Z; do
	pass_to "${s#*:}"
	ctl -a p-adviser register $cohort "${s%%:*}" --present "${app[p-amara]}" >/dev/null
	echo "${s%%:*} on ${s#*:}: register taken"
done

# A freed place is offered until the cohort's offers_until (14 January); after it, the
# place waits for the LA.
on 2026-12-07T09:00:00Z "Ben withdraws; his place is offered to Daniel, first on the waiting list"
ctl -a p-ben withdraw "${app[p-ben]}" --reason "new post as deputy head" >/dev/null
ctl get "${app[p-dan]}" | grep -i offer || true
on 2026-12-08T10:00:00Z "Daniel accepts the place offered (the link in his email, or pathwayctl)"
ctl -a p-dan accept-offer "${app[p-dan]}" >/dev/null

on 2027-01-14T18:00:00Z "Session TP4: Amara and Daniel are in the register"
ctl -a p-adviser register $cohort TP4 --present "${app[p-amara]},${app[p-dan]}" >/dev/null
pass_to 2027-01-18T09:00:00Z
ctl -a p-amara submit "${app[p-amara]}" leadership_plan --file $answers/leadership-plan-p-amara.json

on 2027-01-25T10:00:00Z "Amara's three-day internship at Elm Tree Primary (a Lead Succession School)"
ctl -a p-adviser place "${app[p-amara]}" s-elm 2027-03-02 2027-03-04 >/dev/null
pass_to 2027-03-05T12:00:00Z
ctl -a p-host-elm confirm "${app[p-amara]}" 3 >/dev/null
ctl get "${app[p-amara]}"

step "Amara's 360 report (as Amara sees it: averages per group, no names)"
ctl -a p-amara feedback report "${app[p-amara]}"
}
