package octosim

import (
	"sort"
	"strings"
)

// Validation texts. Real servers answer 400 "There was a problem with your
// request." with the detail in Errors; the details below are (inferred).

func requireName(name string) error {
	if strings.TrimSpace(name) == "" {
		return badRequest("Name is required.")
	}
	return nil
}

func duplicateName(what string) error {
	article := "A"
	if strings.ContainsRune("aeiou", rune(what[0])) {
		article = "An"
	}
	return badRequest("%s %s with this name already exists. Please choose a different name.", article, what)
}

// uniqueIn reports whether no other document of the list has the name.
func uniqueIn[T entity](items []T, nameOf func(T) string, name, selfID string) bool {
	for _, v := range items {
		if strings.EqualFold(strings.TrimSpace(nameOf(v)), strings.TrimSpace(name)) && !strings.EqualFold(v.meta().ID, selfID) {
			return false
		}
	}
	return true
}

// selfID is the ID of the document being validated ("" on create).
func selfID[T entity](old T) string {
	var zero T
	if old == zero {
		return ""
	}
	return old.meta().ID
}

// isCreate reports whether Prepare runs for a create.
func isCreate[T entity](old T) bool {
	var zero T
	return old == zero
}

// uniqueSlug returns slug, or slug-1, slug-2... if taken in the list.
func uniqueSlug[T entity](items []T, slugOf func(T) string, slug, selfID string) string {
	taken := map[string]bool{}
	for _, v := range items {
		if !strings.EqualFold(v.meta().ID, selfID) {
			taken[strings.ToLower(slugOf(v))] = true
		}
	}
	if !taken[strings.ToLower(slug)] {
		return slug
	}
	for i := 1; ; i++ {
		c := slug + "-" + itoa(i)
		if !taken[c] {
			return c
		}
	}
}

// oneOf validates an enumerated field, defaulting an empty value.
func oneOf(field, value, def string, allowed ...string) (string, error) {
	if value == "" {
		return def, nil
	}
	for _, a := range allowed {
		if strings.EqualFold(a, value) {
			return a, nil
		}
	}
	return "", badRequest("'%s' is not a valid value for %s. Valid values are: %s.", value, field, strings.Join(allowed, ", "))
}

// dedupe removes repeated IDs, keeping order.
func dedupe(ids []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, id := range ids {
		if id == "" || seen[strings.ToLower(id)] {
			continue
		}
		seen[strings.ToLower(id)] = true
		out = append(out, id)
	}
	return out
}

func sortStrings(s []string) { sort.Strings(s) }
