package octosim

import (
	"bytes"
	"encoding/json"
	"sort"
)

// BuiltInFeedID is the built-in package repository's ID, the same in every
// space.
const BuiltInFeedID = "feeds-builtin"

// Feed is /api/{space}/feeds. Feed types carry many type-specific fields;
// the simulator keeps those it does not model in Extra and sends them back,
// with sensitive values (objects with "NewValue") masked.
type Feed struct {
	Meta
	Name                              string                     `json:"Name"`
	Slug                              string                     `json:"Slug"`
	FeedType                          string                     `json:"FeedType"`
	FeedURI                           string                     `json:"FeedUri,omitempty"`
	PackageAcquisitionLocationOptions []string                   `json:"PackageAcquisitionLocationOptions"`
	Extra                             map[string]json.RawMessage `json:"-"`
}

var feedKnown = map[string]bool{"id": true, "spaceid": true, "lastmodifiedon": true, "lastmodifiedby": true,
	"links": true, "name": true, "slug": true, "feedtype": true, "feeduri": true, "packageacquisitionlocationoptions": true}

func (f *Feed) UnmarshalJSON(b []byte) error {
	type plain Feed
	if err := json.Unmarshal(b, (*plain)(f)); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	f.Extra = map[string]json.RawMessage{}
	for k, v := range all {
		if !feedKnown[lower(k)] {
			f.Extra[k] = v
		}
	}
	return nil
}

func (f Feed) MarshalJSON() ([]byte, error) {
	type plain Feed
	base, err := json.Marshal(plain(f))
	if err != nil || len(f.Extra) == 0 {
		return base, err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(base, &all); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(f.Extra))
	for k := range f.Extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := f.Extra[k]
		if bytes.HasPrefix(bytes.TrimSpace(v), []byte("{")) && bytes.Contains(v, []byte(`"NewValue"`)) {
			v = json.RawMessage(`{"HasValue":true,"NewValue":null,"Hint":null}`)
		}
		all[k] = v
	}
	return json.Marshal(all)
}

// Package is a package version in the built-in feed. Its ID is
// "packages-{PackageId}.{Version}".
type Package struct {
	Meta
	PackageID        string     `json:"PackageId"`
	Version          string     `json:"Version"`
	Title            string     `json:"Title"`
	Summary          string     `json:"Summary"`
	Description      string     `json:"Description"`
	Published        *Timestamp `json:"Published"`
	ReleaseNotes     *string    `json:"ReleaseNotes"`
	FileExtension    string     `json:"FileExtension"`
	PackageSizeBytes int64      `json:"PackageSizeBytes"`
	Hash             string     `json:"Hash"`
	FeedID           string     `json:"FeedId"`
	NuGetPackageID   string     `json:"NuGetPackageId"`
	NuGetFeedID      string     `json:"NuGetFeedId"`
}

// PackageVersion is one result of a feed's version search.
type PackageVersion struct {
	ID           string            `json:"Id"`
	FeedID       string            `json:"FeedId"`
	PackageID    string            `json:"PackageId"`
	Version      string            `json:"Version"`
	Published    *Timestamp        `json:"Published"`
	SizeBytes    int64             `json:"SizeBytes"`
	Title        string            `json:"Title"`
	ReleaseNotes *string           `json:"ReleaseNotes"`
	Links        map[string]string `json:"Links"`
}
