package octosim

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
)

var kInterruptions = &kind[*Interruption]{}

func init() {
	*kInterruptions = kind[*Interruption]{
		Name: "Interruptions", Segment: "interruptions", ItemType: "Interruption", IDPrefix: "Interruptions",
		Template: "{/id}{?skip,take,regarding,pendingOnly,ids}",
		ReadOnly: true,
		New:      func() *Interruption { return &Interruption{} },
		Links:    func(*Interruption) map[string]string { return noLinks },
	}
	defineKind(kInterruptions)
}

func init() {
	base := "/api/{spaceId}/interruptions"
	addRoutes(
		routeSpec{Method: http.MethodGet, Pattern: base, Handler: listInterruptions},
		routeSpec{Method: http.MethodGet, Pattern: base + "/all", Handler: allInterruptions},
		routeSpec{Method: http.MethodGet, Pattern: base + "/{id}", Handler: getInterruption},
		routeSpec{Method: http.MethodGet, Pattern: base + "/{id}/responsible", Handler: getResponsible},
		routeSpec{Method: http.MethodPut, Pattern: base + "/{id}/responsible", Handler: takeResponsibility},
		routeSpec{Method: http.MethodPost, Pattern: base + "/{id}/submit", Handler: submitInterruption},
	)
}

// correlationID makes the ID of the activity that raised an interruption.
func correlationID(o *op, taskID string) string {
	return taskID + "_" + suffix(o.st.rng, 10) + "/" + strings.ReplaceAll(guid(o.st.rng), "-", "")
}

// relatedDocuments are what an interruption is "regarding".
func relatedDocuments(r *taskRun) []string {
	ids := []string{r.docID, r.taskID, r.projectID, r.envID}
	if r.runbookID != "" {
		ids = append(ids, r.runbookID)
	}
	if r.tenantID != "" {
		ids = append(ids, r.tenantID)
	}
	return ids
}

func strp(s string) *string { return &s }

// raiseManual stops a run at a manual intervention: the task is paused
// (State Queued, its slot freed) until someone answers.
func (x *execState) raiseManual(o *op, r *taskRun, s *Step) {
	a := s.Actions[0]
	for _, act := range s.Actions {
		if act.ActionType == ActionManual && !act.IsDisabled {
			a = act
		}
	}
	instructions := a.Properties.Get(PropManualInstructions)
	teams := splitCSV(a.Properties.Get(PropManualTeams))
	in := &Interruption{Meta: Meta{ID: o.st.nextID("Interruptions"), SpaceID: r.spaceID}, Title: a.Name,
		Type: InterruptionManual, Created: ts(o.now), IsPending: true,
		Form: &InterruptionForm{
			Values: map[string]*string{"Instructions": nil, "Notes": nil, "Result": nil},
			Elements: []*FormElement{
				{Name: "Instructions", Control: map[string]any{"Type": "Paragraph", "Text": instructions, "ResolveLinks": false}},
				{Name: "Notes", Control: map[string]any{"Type": "TextArea", "Label": "Notes"}},
				{Name: "Result", Control: map[string]any{"Type": "SubmitButtonGroup", "Buttons": []FormButton{
					{Text: "Proceed", Value: "Proceed"}, {Text: "Abort", Value: "Abort", RequiresConfirmation: true}}}},
			},
		},
		RelatedDocumentIDs: relatedDocuments(r), ResponsibleTeamIDs: nonNil(teams), TaskID: r.taskID,
		CorrelationID: correlationID(o, r.taskID),
		projectID:     r.projectID, environmentID: r.envID, tenantID: r.tenantID, stepIndex: r.cur,
		required: a.IsRequired || len(teams) > 0,
	}
	kInterruptions.save(o.in(r.spaceID), in)
	x.interruptionsByTask[r.taskID] = append(x.interruptionsByTask[r.taskID], in.ID)
	r.interruption = in.ID
	r.phase = phPaused
	rec := &r.log.recs[r.cur]
	rec.lines = append(rec.lines, logLine{o.now, catInfo, "Waiting for manual intervention: " + instructions})
	x.updateTask(o, r, func(t *ServerTask) {
		t.State = StateQueued
		t.HasPendingInterruptions = true
		t.PendingInterruptionTypes = []string{InterruptionManual}
	})
}

// raiseGuided stops a run at a failed step under guided failure: the task
// keeps its slot (State Executing) until someone gives guidance.
func (x *execState) raiseGuided(o *op, r *taskRun, s *Step) {
	required := false
	for _, a := range s.Actions {
		required = required || a.IsRequired
	}
	buttons := []FormButton{{Text: "Fail", Value: "Fail", RequiresConfirmation: true}, {Text: "Retry", Value: "Retry"}}
	if !required {
		buttons = append(buttons, FormButton{Text: "Ignore", Value: "Ignore"}, FormButton{Text: "Exclude machine from deployment", Value: "Exclude"})
	}
	in := &Interruption{Meta: Meta{ID: o.st.nextID("Interruptions"), SpaceID: r.spaceID}, Title: "Failed: " + s.Name,
		Type: InterruptionGuided, Created: ts(o.now), IsPending: true,
		Form: &InterruptionForm{
			Values: map[string]*string{"Guidance": nil, "Notes": nil},
			Elements: []*FormElement{
				{Name: "Notes", Control: map[string]any{"Type": "TextArea", "Label": "Notes"}},
				{Name: "Guidance", Control: map[string]any{"Type": "SubmitButtonGroup", "Buttons": buttons}},
			},
		},
		RelatedDocumentIDs: relatedDocuments(r), ResponsibleTeamIDs: []string{}, TaskID: r.taskID,
		CorrelationID: correlationID(o, r.taskID),
		projectID:     r.projectID, environmentID: r.envID, tenantID: r.tenantID, stepIndex: r.cur, required: required,
	}
	kInterruptions.save(o.in(r.spaceID), in)
	x.interruptionsByTask[r.taskID] = append(x.interruptionsByTask[r.taskID], in.ID)
	r.interruption = in.ID
	r.phase = phGuided
	r.warned = true
	rec := &r.log.recs[r.cur]
	rec.lines = append(rec.lines, logLine{o.now, catWarning, "Guided failure mode is enabled: waiting for guidance on how to proceed."})
	x.updateTask(o, r, func(t *ServerTask) {
		t.HasPendingInterruptions = true
		t.HasWarningsOrErrors = true
		t.PendingInterruptionTypes = []string{InterruptionGuided}
	})
}

// closeInterruption ends a run's pending interruption without an answer
// (the task was canceled).
func (x *execState) closeInterruption(o *op, r *taskRun, _ string) {
	if r.interruption == "" {
		return
	}
	if in, ok := kInterruptions.tab(o.st).get(r.spaceID, r.interruption); ok {
		c := *in
		c.IsPending = false
		kInterruptions.save(o.in(r.spaceID), &c)
	}
	r.interruption = ""
}

// interruptionScope is the permission scope of an interruption.
func interruptionScope(o *op, in *Interruption) Scope {
	sc := o.in(in.SpaceID).projectScope(in.projectID, in.environmentID, in.tenantID)
	sc.Untenanted = in.tenantID == ""
	return sc
}

// inResponsibleTeam reports whether the caller belongs to one of the
// interruption's responsible teams.
func inResponsibleTeam(o *op, in *Interruption) bool {
	if o.who == nil || o.who.user == nil {
		return false
	}
	for _, t := range o.grants().teams {
		if containsFold(in.ResponsibleTeamIDs, t.ID) {
			return true
		}
	}
	return false
}

// canView reports whether the caller may see an interruption.
func canViewInterruption(o *op, in *Interruption) bool {
	sc := interruptionScope(o, in)
	return o.can(InterruptionView, sc) || (o.can(InterruptionViewSubmitResponsible, sc) && inResponsibleTeam(o, in))
}

// mayAct is the check for taking responsibility and submitting: a member
// of a responsible team, or (when there is none) anyone who may submit
// interruptions for the project, environment and tenant.
func mayAct(o *op, in *Interruption) error {
	sc := interruptionScope(o, in)
	if len(in.ResponsibleTeamIDs) > 0 {
		if !inResponsibleTeam(o, in) {
			return &apiError{Status: http.StatusForbidden,
				Message: "Only users in one of the responsible teams on this interruption can take responsibility for it."}
		}
		if o.can(InterruptionSubmit, sc) || o.can(InterruptionViewSubmitResponsible, sc) {
			return nil
		}
	}
	return o.require(InterruptionSubmit, sc)
}

// interruptionView is an interruption as the caller sees it.
func interruptionView(o *op, in *Interruption) *Interruption {
	c := *in
	uid := ""
	if o.who != nil && o.who.user != nil {
		uid = o.who.user.ID
	}
	c.HasResponsibility = in.ResponsibleUserID != nil && uid != "" && strings.EqualFold(*in.ResponsibleUserID, uid)
	c.CanTakeResponsibility = in.IsPending && mayAct(o, in) == nil
	return &c
}

func findInterruption(o *op, id string) (*Interruption, error) {
	in, ok := kInterruptions.get(o, id)
	if !ok {
		return nil, notFound(id)
	}
	if !canViewInterruption(o, in) {
		return nil, o.require(InterruptionView, interruptionScope(o, in))
	}
	return in, nil
}

func queryInterruptions(o *op, q listQuery) ([]*Interruption, error) {
	if !o.grants().hasAny(InterruptionView, o.spaceID) && !o.grants().hasAny(InterruptionViewSubmitResponsible, o.spaceID) {
		return nil, forbidden(InterruptionView, o.grants())
	}
	regarding := q.list("regarding")
	pendingOnly := q.flag("pendingOnly")
	var out []*Interruption
	for _, in := range kInterruptions.tab(o.st).inSpace(o.spaceID) {
		if !q.matchID(in.ID) || (pendingOnly && !in.IsPending) || !canViewInterruption(o, in) {
			continue
		}
		if len(regarding) > 0 {
			ok := false
			for _, id := range regarding {
				ok = ok || containsFold(in.RelatedDocumentIDs, id)
			}
			if !ok {
				continue
			}
		}
		out = append(out, interruptionView(o, in))
	}
	// Newest first.
	sort.Slice(out, func(i, j int) bool { return lessID(out[j].ID, out[i].ID) })
	return out, nil
}

func listInterruptions(c *call) (int, any, error) {
	q, err := c.listQuery()
	if err != nil {
		return 0, nil, err
	}
	return c.read(func(o *op) (int, any, error) {
		items, err := queryInterruptions(o, q)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, paginate(items, q, "Interruption", c.r.URL.Path, kInterruptions.template(o.spaceID)), nil
	})
}

func allInterruptions(c *call) (int, any, error) {
	q, err := c.listQuery()
	if err != nil {
		return 0, nil, err
	}
	return c.read(func(o *op) (int, any, error) {
		items, err := queryInterruptions(o, q)
		return http.StatusOK, nonNil(items), err
	})
}

func getInterruption(c *call) (int, any, error) {
	return c.read(func(o *op) (int, any, error) {
		in, err := findInterruption(o, c.param("id"))
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, interruptionView(o, in), nil
	})
}

// responsibleUser is the user holding an interruption (null if nobody).
func responsibleUser(o *op, in *Interruption) any {
	if in.ResponsibleUserID == nil {
		return nil
	}
	if u, ok := kUsers.tab(o.st).get("", *in.ResponsibleUserID); ok {
		return u
	}
	return nil
}

const msgAlreadySubmitted = "This interruption has already been submitted, possibly by another user."

func getResponsible(c *call) (int, any, error) {
	return c.read(func(o *op) (int, any, error) {
		in, err := findInterruption(o, c.param("id"))
		if err != nil {
			return 0, nil, err
		}
		if !in.IsPending {
			return 0, nil, badRequest(msgAlreadySubmitted)
		}
		return http.StatusOK, responsibleUser(o, in), nil
	})
}

func takeResponsibility(c *call) (int, any, error) {
	return c.write(func(o *op) (int, any, error) {
		in, err := findInterruption(o, c.param("id"))
		if err != nil {
			return 0, nil, err
		}
		if !in.IsPending {
			return 0, nil, badRequest(msgAlreadySubmitted)
		}
		if err := mayAct(o, in); err != nil {
			return 0, nil, err
		}
		cp := *in
		cp.ResponsibleUserID = strp(o.who.user.ID)
		kInterruptions.save(o, &cp)
		return http.StatusOK, o.who.user, nil
	})
}

// submitBody is the flat values dictionary clients post.
type submitBody map[string]json.RawMessage

func (b submitBody) get(name string) string {
	for k, v := range b {
		if strings.EqualFold(k, name) {
			var s string
			if json.Unmarshal(v, &s) == nil {
				return s
			}
		}
	}
	return ""
}

func submitInterruption(c *call) (int, any, error) {
	body := submitBody{}
	if err := c.decode(&body); err != nil {
		return 0, nil, err
	}
	return c.write(func(o *op) (int, any, error) {
		in, err := findInterruption(o, c.param("id"))
		if err != nil {
			return 0, nil, err
		}
		if !in.IsPending {
			return 0, nil, badRequest("The interruption has already been submitted.")
		}
		if err := mayAct(o, in); err != nil {
			return 0, nil, err
		}
		if in.ResponsibleUserID == nil {
			return 0, nil, badRequest("You must take responsibility for this interruption before attempting to submit it.")
		}
		if !strings.EqualFold(*in.ResponsibleUserID, o.who.user.ID) {
			return 0, nil, badRequest("Someone else has taken responsibility for this interruption, and only they are allowed to submit it.")
		}
		notes := body.get("Notes")
		var answer string
		values := map[string]*string{}
		for k, v := range in.Form.Values {
			values[k] = v
		}
		if in.Type == InterruptionManual {
			answer = body.get("Result")
			if !strings.EqualFold(answer, "Proceed") && !strings.EqualFold(answer, "Abort") {
				return 0, nil, badRequest("There were errors with the form. Result must be Proceed or Abort.")
			}
			answer = map[bool]string{true: "Proceed", false: "Abort"}[strings.EqualFold(answer, "Proceed")]
			values["Result"] = strp(answer)
		} else {
			answer = canonicalGuidance(body.get("Guidance"))
			allowed := map[string]bool{"Fail": true, "Retry": true, "Ignore": !in.required, "Exclude": !in.required}
			if !allowed[answer] {
				opts := "Fail or Retry"
				if !in.required {
					opts = "Fail, Retry, Ignore or Exclude"
				}
				return 0, nil, badRequest("There were errors with the form. Guidance must be %s.", opts)
			}
			values["Guidance"] = strp(answer)
		}
		if notes != "" {
			values["Notes"] = strp(notes)
		}
		cp := *in
		cp.IsPending = false
		cp.Form = &InterruptionForm{Values: values, Elements: in.Form.Elements}
		kInterruptions.save(o, &cp)
		o.st.x.answer(o, &cp, answer, notes)
		afterChange(o)
		cur, _ := kInterruptions.get(o, cp.ID)
		return http.StatusOK, interruptionView(o, cur), nil
	})
}

func canonicalGuidance(s string) string {
	for _, g := range []string{"Fail", "Retry", "Ignore", "Exclude"} {
		if strings.EqualFold(s, g) {
			return g
		}
	}
	return s
}
