package octosim

import (
	"fmt"
	"strings"
)

// Variable sets: one per project ("variableset-Projects-1"), created with
// it. Only seeds put variables in them and they are not served over the
// API; what the simulator models is prompted variables: the deployment
// preview's Form asks for them, and a deployment or runbook run must give
// every required one a value.

var kVariableSets = &kind[*VariableSet]{}

func init() {
	*kVariableSets = kind[*VariableSet]{
		Name: "VariableSets", Segment: "variables", ItemType: "VariableSet", IDPrefix: "variableset",
		View: Permission("VariableView"), ReadOnly: true,
		New: func() *VariableSet { return &VariableSet{} },
		Scope: func(o *op, v *VariableSet) Scope {
			return o.in(v.SpaceID).projectScope(v.OwnerID, "", "")
		},
		Links: func(v *VariableSet) map[string]string {
			return map[string]string{"Self": "/api/" + v.SpaceID + "/variables/" + v.ID}
		},
	}
	defineKind(kVariableSets)
}

// Control types of a prompted variable's form element.
const (
	controlSingleLineText = "SingleLineText"
	controlSensitive      = "Sensitive"
)

// promptedVariables are the project's prompted variables, in declared
// order.
func promptedVariables(o *op, p *Project) []*Variable {
	vs, ok := kVariableSets.tab(o.st).get(p.SpaceID, p.VariableSetID)
	if !ok {
		return nil
	}
	var out []*Variable
	for _, v := range vs.Variables {
		if v.Prompt != nil {
			out = append(out, v)
		}
	}
	return out
}

// promptForm is the Form of a deployment preview: one element per prompted
// variable, named by the variable's ID, with an empty value each.
func promptForm(o *op, p *Project) map[string]any {
	values := map[string]string{}
	elements := []any{}
	for _, v := range promptedVariables(o, p) {
		control := controlSingleLineText
		if v.IsSensitive {
			control = controlSensitive
		}
		label := v.Prompt.Label
		if label == "" {
			label = v.Name
		}
		values[v.ID] = ""
		elements = append(elements, map[string]any{"Name": v.ID, "IsValueRequired": v.Prompt.Required,
			"Control": map[string]any{"Type": control, "Name": v.Name, "Label": label, "Description": "",
				"Required": v.Prompt.Required, "DisplaySettings": map[string]string{"Octopus.ControlType": control}}})
	}
	return map[string]any{"Values": values, "Elements": elements}
}

// checkPrompts refuses a deployment or run whose values (keyed by variable
// name or ID, case-insensitively) leave a required prompted variable of the
// project without a value. Values for unknown names are ignored.
func checkPrompts(o *op, p *Project, values map[string]string) error {
	var missing []string
	for _, v := range promptedVariables(o, p) {
		if !v.Prompt.Required {
			continue
		}
		given := false
		for k, val := range values {
			if val != "" && (strings.EqualFold(k, v.Name) || strings.EqualFold(k, v.ID)) {
				given = true
				break
			}
		}
		if !given {
			missing = append(missing, v.Name)
		}
	}
	if len(missing) > 0 {
		return badRequest("Please provide a value for the following required prompted variables: %s.", strings.Join(missing, ", "))
	}
	return nil
}

// seedVariables fills a new project's variable set from the seed.
func (sd *seeder) seedVariables(o *op, p *Project, path string, in []SeedVariable) error {
	if len(in) == 0 {
		return nil
	}
	seen := map[string]bool{}
	var vars []*Variable
	for i, sv := range in {
		vp := fmt.Sprintf("%s.variables[%d]", path, i)
		name := strings.TrimSpace(sv.Name)
		if name == "" {
			return seedErr(vp+".name", "a variable name is required")
		}
		if seen[strings.ToLower(name)] {
			return seedErr(vp+".name", "the project already has a variable named %q", name)
		}
		seen[strings.ToLower(name)] = true
		v := &Variable{ID: guid(o.st.rng), Name: name, Type: "String", IsEditable: true, Scope: map[string][]string{}}
		if sv.Value != "" {
			v.Value = strp(sv.Value)
		}
		if pr := sv.Prompt; pr != nil {
			control := controlSingleLineText
			if pr.Sensitive {
				v.Type, v.IsSensitive, control = "Sensitive", true, controlSensitive
			}
			v.Prompt = &VariablePrompt{Label: pr.Label, Description: pr.Description, Required: pr.Required,
				DisplaySettings: map[string]string{"Octopus.ControlType": control}}
		}
		vars = append(vars, v)
	}
	vs, ok := kVariableSets.tab(o.st).get(p.SpaceID, p.VariableSetID)
	if !ok {
		return seedErr(path, "the project has no variable set")
	}
	c := *vs
	c.Variables = vars
	c.Version++
	kVariableSets.save(o, &c)
	return nil
}
