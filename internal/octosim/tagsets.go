package octosim

import (
	"strings"
)

var kTagSets = &kind[*TagSet]{}

func init() {
	*kTagSets = kind[*TagSet]{
		Name: "TagSets", Segment: "tagsets", ItemType: "TagSet", IDPrefix: "TagSets",
		Template: "{/id}{?skip,take,ids,partialName,scopes}",
		Create:   TagSetCreate, Edit: TagSetEdit, Delete: TagSetDelete,
		New:    func() *TagSet { return &TagSet{} },
		NameOf: func(t *TagSet) string { return t.Name },
		Less: func(a, b *TagSet) bool {
			if a.SortOrder != b.SortOrder {
				return a.SortOrder < b.SortOrder
			}
			return lessName(a.Name, a.ID, b.Name, b.ID)
		},
		// Tag sets are readable by anyone with access to the space.
		Select: func(o *op, t *TagSet, q listQuery) bool { return o.grants().inSpace(t.SpaceID) },
		Filters: map[string]func(o *op, t *TagSet, v string) bool{
			"scopes": func(o *op, t *TagSet, v string) bool {
				for _, want := range strings.Split(v, ",") {
					if containsFold(t.Scopes, strings.TrimSpace(want)) {
						return true
					}
				}
				return false
			},
		},
		Links: func(t *TagSet) map[string]string {
			return map[string]string{"Self": "/api/" + t.SpaceID + "/tagsets/" + t.ID}
		},
		Prepare:  prepareTagSet,
		Deleting: func(o *op, t *TagSet) error { return dropTags(o, t, nil) },
	}
	defineKind(kTagSets)
}

func init() { addRoutes(kTagSets.routes()...) }

func prepareTagSet(o *op, t, old *TagSet) error {
	if err := requireName(t.Name); err != nil {
		return err
	}
	if strings.Contains(t.Name, "/") {
		return badRequest("Tag set names cannot contain '/'.")
	}
	all := kTagSets.tab(o.st).inSpace(o.spaceID)
	if !uniqueIn(all, func(v *TagSet) string { return v.Name }, t.Name, selfID(old)) {
		return duplicateName("tag set")
	}
	if old == nil {
		t.ID = o.st.nextID("TagSets")
		if t.SortOrder == 0 {
			for _, v := range all {
				t.SortOrder = max(t.SortOrder, v.SortOrder+1)
			}
		}
	}
	var err error
	if t.Type, err = oneOf("Type", t.Type, "MultiSelect", "SingleSelect", "MultiSelect", "FreeText"); err != nil {
		return err
	}
	if len(t.Scopes) == 0 {
		t.Scopes = []string{"Tenant"}
	}
	names := map[string]bool{}
	tags := make([]*Tag, 0, len(t.Tags))
	for i, tag := range t.Tags {
		if tag == nil {
			continue
		}
		tc := *tag
		if err := requireName(tc.Name); err != nil {
			return err
		}
		if strings.Contains(tc.Name, "/") {
			return badRequest("Tag names cannot contain '/'.")
		}
		if names[strings.ToLower(tc.Name)] {
			return badRequest("The tag '%s' appears more than once in the tag set.", tc.Name)
		}
		names[strings.ToLower(tc.Name)] = true
		// Tag IDs are "TagSets-1/Tags-1"; existing tags keep theirs.
		if tc.ID == "" || !strings.HasPrefix(strings.ToLower(tc.ID), strings.ToLower(t.ID)+"/") {
			tc.ID = t.ID + "/" + o.st.nextID("Tags")
		}
		tc.CanonicalTagName = t.Name + "/" + tc.Name
		if tc.Color == "" {
			tc.Color = "#333333"
		}
		if tc.SortOrder == 0 {
			tc.SortOrder = i
		}
		tags = append(tags, &tc)
	}
	t.Tags = tags
	if old != nil {
		return dropTags(o, old, t)
	}
	return nil
}

// dropTags keeps tenants, channels and scoped references consistent when a
// tag set changes: renamed tags are renamed, removed ones dropped.
func dropTags(o *op, old, updated *TagSet) error {
	rename := map[string]string{}
	for _, ot := range old.Tags {
		rename[strings.ToLower(ot.CanonicalTagName)] = ""
		if updated == nil {
			continue
		}
		for _, nt := range updated.Tags {
			if strings.EqualFold(nt.ID, ot.ID) {
				rename[strings.ToLower(ot.CanonicalTagName)] = nt.CanonicalTagName
			}
		}
	}
	fix := func(tags []string) ([]string, bool) {
		changed := false
		out := []string{}
		for _, t := range tags {
			if to, ok := rename[strings.ToLower(t)]; ok {
				changed = changed || to != t
				if to != "" {
					out = append(out, to)
				}
				continue
			}
			out = append(out, t)
		}
		return out, changed
	}
	for _, t := range kTenants.tab(o.st).inSpace(old.SpaceID) {
		if tags, changed := fix(t.TenantTags); changed {
			c := *t
			c.TenantTags = tags
			kTenants.save(o, &c)
		}
	}
	for _, ch := range kChannels.tab(o.st).inSpace(old.SpaceID) {
		if tags, changed := fix(ch.TenantTags); changed {
			c := *ch
			c.TenantTags = tags
			kChannels.save(o, &c)
		}
	}
	return nil
}

// findTag resolves a canonical tag name ("Set/Tag") or tag ID.
func findTag(o *op, ref string) (*Tag, bool) {
	for _, ts := range kTagSets.tab(o.st).inSpace(o.spaceID) {
		for _, t := range ts.Tags {
			if strings.EqualFold(t.CanonicalTagName, ref) || strings.EqualFold(t.ID, ref) {
				return t, true
			}
		}
	}
	return nil, false
}

// checkTenantTags validates canonical tag names.
func checkTenantTags(o *op, tags []string) error {
	for _, ref := range tags {
		if _, ok := findTag(o, ref); !ok {
			return badRequest("The tag '%s' does not exist. Tags are written as 'Tag Set/Tag'.", ref)
		}
	}
	return nil
}

// canonicalTags turns tag references (names or IDs) into canonical names.
func canonicalTags(o *op, tags []string) ([]string, error) {
	out := []string{}
	for _, ref := range dedupe(tags) {
		t, ok := findTag(o, ref)
		if !ok {
			return nil, badRequest("The tag '%s' does not exist. Tags are written as 'Tag Set/Tag'.", ref)
		}
		out = append(out, t.CanonicalTagName)
	}
	return out, nil
}
