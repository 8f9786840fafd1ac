package octopus

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// interruptionDoc is the part of an Interruption octostar reads. The
// official client's type lacks Type (new servers) and the form's
// element names, which tell a guided failure on older ones.
type interruptionDoc struct {
	ID                 string   `json:"Id"`
	Title              string   `json:"Title"`
	Type               string   `json:"Type"`
	IsPending          bool     `json:"IsPending"`
	TaskID             string   `json:"TaskId"`
	RelatedDocumentIDs []string `json:"RelatedDocumentIds"`
	Form               struct {
		Values   map[string]any `json:"Values"`
		Elements []struct {
			Name string `json:"Name"`
		} `json:"Elements"`
	} `json:"Form"`
}

func (d interruptionDoc) kind() InterventionKind {
	if d.Type == "GuidedFailure" {
		return GuidedFailure
	}
	if d.Type == "" && slices.ContainsFunc(d.Form.Elements, func(e struct {
		Name string `json:"Name"`
	}) bool {
		return e.Name == "Guidance"
	}) {
		return GuidedFailure
	}
	return ManualIntervention
}

func (d interruptionDoc) answer() string {
	for _, k := range []string{"Result", "Guidance"} {
		if s, ok := d.Form.Values[k].(string); ok && s != "" {
			return strings.ToLower(s)
		}
	}
	return ""
}

// Interventions lists interruptions (pending ones by default), filtered
// by task, project, environment, tenant and step title.
func (c *Client) Interventions(ctx context.Context, q InterventionQuery) ([]Intervention, error) {
	if err := c.connect(ctx); err != nil {
		return nil, err
	}
	var want []string // related document IDs that must all be present
	regarding := q.TaskID
	if q.Project != "" {
		p, err := c.project(ctx, q.Project)
		if err != nil {
			return nil, err
		}
		want = append(want, p.ID)
		if regarding == "" {
			regarding = p.ID
		}
	}
	if q.Environment != "" {
		e, err := c.environment(ctx, q.Environment)
		if err != nil {
			return nil, err
		}
		want = append(want, e.ID)
		if regarding == "" {
			regarding = e.ID
		}
	}
	if q.Tenant != "" {
		t, err := c.tenant(ctx, q.Tenant)
		if err != nil {
			return nil, err
		}
		want = append(want, t.ID)
	}
	params := url.Values{"take": {"1000"}}
	if q.PendingOnly {
		params.Set("pendingOnly", "true")
	}
	if regarding != "" {
		params.Set("regarding", regarding)
	}
	type page struct {
		Items []interruptionDoc `json:"Items"`
	}
	res, err := get[page](ctx, c, "listing interventions", "/api/"+c.info.SpaceID+"/interruptions?"+params.Encode())
	if err != nil {
		return nil, err
	}
	var out []Intervention
	for _, d := range res.Items {
		if q.TaskID != "" && d.TaskID != q.TaskID {
			continue
		}
		if !containsAll(d.RelatedDocumentIDs, want) {
			continue
		}
		if q.Step != "" && !strings.EqualFold(d.Title, q.Step) && !strings.Contains(strings.ToLower(d.Title), strings.ToLower(q.Step)) {
			continue
		}
		out = append(out, c.intervention(ctx, d))
	}
	return out, nil
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

func (c *Client) intervention(ctx context.Context, d interruptionDoc) Intervention {
	iv := Intervention{ID: d.ID, Title: d.Title, Kind: d.kind(), TaskID: d.TaskID, Pending: d.IsPending, Answered: d.answer()}
	for _, id := range d.RelatedDocumentIDs {
		switch {
		case strings.HasPrefix(id, "Projects-"):
			if p, err := c.project(ctx, id); err == nil {
				iv.Project = p.Name
			}
		case strings.HasPrefix(id, "Environments-"):
			iv.Environment = c.environmentName(ctx, id)
		case strings.HasPrefix(id, "Tenants-"):
			iv.Tenant = c.tenantName(ctx, id)
		}
	}
	return iv
}

var manualActions = map[string]string{"proceed": "Proceed", "abort": "Abort"}
var guidedActions = map[string]string{"retry": "Retry", "ignore": "Ignore", "exclude": "Exclude", "fail": "Fail"}

// Intervene takes responsibility for an interruption and submits the
// answer, as a person does in the web UI.
func (c *Client) Intervene(ctx context.Context, a InterventionAnswer) (Intervention, error) {
	if err := c.connect(ctx); err != nil {
		return Intervention{}, err
	}
	base := "/api/" + c.info.SpaceID + "/interruptions/" + a.ID
	d, err := get[interruptionDoc](ctx, c, "reading intervention "+a.ID, base)
	if err != nil {
		return Intervention{}, err
	}
	action := strings.ToLower(a.Action)
	body := map[string]string{"Notes": a.Notes}
	switch d.kind() {
	case ManualIntervention:
		v, ok := manualActions[action]
		if !ok {
			return Intervention{}, fmt.Errorf("%q is a manual intervention (%s): answer proceed or abort, not %s", d.Title, d.ID, a.Action)
		}
		body["Result"] = v
	case GuidedFailure:
		v, ok := guidedActions[action]
		if !ok {
			return Intervention{}, fmt.Errorf("%q is a guided failure (%s): answer retry, ignore, exclude or fail, not %s", d.Title, d.ID, a.Action)
		}
		body["Guidance"] = v
	}
	if !d.IsPending {
		return Intervention{}, fmt.Errorf("intervention %q (%s) was already answered: %s", d.Title, d.ID, d.answer())
	}
	session := c.with(ctx).HttpSession()
	op := fmt.Sprintf("answering %q (%s) with %s", d.Title, d.ID, action)
	if _, err := putEmpty(session, base+"/responsible"); err != nil {
		return Intervention{}, c.wrap(ctx, op+": taking responsibility", err)
	}
	return sendOnce(ctx, c, func() (Intervention, error) {
		done, err := post[interruptionDoc](session, base+"/submit", body)
		if err != nil {
			return Intervention{}, c.wrap(ctx, op, err)
		}
		return c.intervention(ctx, *done), nil
	}, func(time.Time) (Intervention, bool, error) {
		iv, err := c.InterventionByID(ctx, a.ID)
		return AnsweredAs(iv, a, err)
	})
}

// AnsweredAs decides, from an intervention read after an answer was
// lost, whether that answer got through: answered with the same action
// means yes; still pending means no; answered otherwise means someone
// else answered first, which is an error, not our answer.
func AnsweredAs(iv Intervention, a InterventionAnswer, err error) (Intervention, bool, error) {
	switch {
	case err != nil || iv.Pending:
		return Intervention{}, false, err
	case !strings.EqualFold(iv.Answered, a.Action):
		return Intervention{}, false, fmt.Errorf("intervention %q (%s) was answered %s by someone else before this run's %s got through",
			iv.Title, iv.ID, iv.Answered, strings.ToLower(a.Action))
	}
	return iv, true, nil
}
