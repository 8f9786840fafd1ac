package octosim

import (
	"net/http"
	"sort"
	"strings"

	"github.com/octostar/octostar/internal/octosim/versioning"
)

var feedTypes = []string{"BuiltIn", "NuGet", "Docker", "Maven", "GitHub", "Helm", "Npm", "OciRegistry", "S3",
	"AwsElasticContainerRegistry", "AzureContainerRegistry", "GoogleContainerRegistry", "ArtifactoryGeneric",
	"OctopusProject", "PyPi", "GcsStorage"}

var kFeeds = &kind[*Feed]{}

func init() {
	*kFeeds = kind[*Feed]{
		Name: "Feeds", Segment: "feeds", ItemType: "Feed", IDPrefix: "Feeds",
		Template: "{/id}{?skip,take,ids,partialName,feedType,name}",
		View:     FeedView, Create: FeedEdit, Edit: FeedEdit, Delete: FeedEdit,
		New:    func() *Feed { return &Feed{} },
		NameOf: func(f *Feed) string { return f.Name },
		Filters: map[string]func(o *op, f *Feed, v string) bool{
			"feedType": func(o *op, f *Feed, v string) bool { return strings.EqualFold(f.FeedType, v) },
		},
		Links: func(f *Feed) map[string]string {
			base := "/api/" + f.SpaceID + "/feeds/" + f.ID
			return map[string]string{
				"Self":                          base,
				"SearchPackagesTemplate":        base + "/packages/search{?term,skip,take}",
				"SearchPackageVersionsTemplate": base + "/packages/versions{?packageId,take,skip,includePreRelease,versionRange,preReleaseTag,filter,includeReleaseNotes}",
			}
		},
		Prepare: func(o *op, f, old *Feed) error {
			if err := requireName(f.Name); err != nil {
				return err
			}
			all := kFeeds.tab(o.st).inSpace(o.spaceID)
			if !uniqueIn(all, func(v *Feed) string { return v.Name }, f.Name, selfID(old)) {
				return duplicateName("feed")
			}
			if f.Slug == "" {
				f.Slug = slugify(f.Name)
			}
			f.Slug = uniqueSlug(all, func(v *Feed) string { return v.Slug }, f.Slug, selfID(old))
			if old != nil && old.FeedType == "BuiltIn" {
				f.FeedType = "BuiltIn"
			} else {
				if f.FeedType == "" {
					return badRequest("The feed type must be specified.")
				}
				var err error
				if f.FeedType, err = oneOf("FeedType", f.FeedType, "", feedTypes...); err != nil {
					return err
				}
				if f.FeedType == "BuiltIn" {
					return badRequest("There can only be one built-in feed.")
				}
			}
			f.PackageAcquisitionLocationOptions = nonNil(f.PackageAcquisitionLocationOptions)
			// Masked sensitive values sent back unchanged keep the stored value.
			if old != nil {
				for k, v := range f.Extra {
					if strings.Contains(string(v), `"NewValue":null`) {
						if ov, ok := old.Extra[k]; ok {
							f.Extra[k] = ov
						}
					}
				}
			}
			return nil
		},
		Deleting: func(o *op, f *Feed) error {
			if f.FeedType == "BuiltIn" {
				return badRequest("The built-in feed cannot be deleted.")
			}
			return nil
		},
	}
	defineKind(kFeeds)
}

func init() {
	addRoutes(kFeeds.routes()...)
	addRoutes(
		routeSpec{Method: http.MethodGet, Pattern: "/api/{spaceId}/feeds/{feedId}/packages/versions", Handler: searchPackageVersions},
		routeSpec{Method: http.MethodGet, Pattern: "/api/{spaceId}/feeds/{feedId}/packages/search", Handler: searchPackages},
	)
}

// versionFilter is the feed's version search: a channel-rule-like range
// and tag pattern (versioning.ChannelRule, shared with release creation),
// whether pre-releases count, and a version prefix.
type versionFilter struct {
	IncludePreRelease bool
	Rule              versioning.ChannelRule
	Filter            string
}

func (f versionFilter) matches(v versioning.Version) bool {
	if v.IsPrerelease() && !f.IncludePreRelease {
		return false
	}
	if !f.Rule.Allows(v) {
		return false
	}
	return f.Filter == "" || strings.HasPrefix(strings.ToLower(v.String()), strings.ToLower(f.Filter))
}

// packageVersions returns a package's versions in the space's built-in
// feed that pass the filter, newest (highest) first.
func packageVersions(st *Store, spaceID, packageID string, f versionFilter) []*Package {
	var out []*Package
	var parsed []versioning.Version
	for _, p := range kPackages.tab(st).inSpace(spaceID) {
		if !strings.EqualFold(p.PackageID, packageID) {
			continue
		}
		v, err := versioning.Parse(p.Version)
		if err != nil || !f.matches(v) {
			continue
		}
		out = append(out, p)
		parsed = append(parsed, v)
	}
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return parsed[idx[a]].Compare(parsed[idx[b]]) > 0 })
	sorted := make([]*Package, len(out))
	for i, j := range idx {
		sorted[i] = out[j]
	}
	return sorted
}

func searchPackageVersions(c *call) (int, any, error) {
	q, err := c.listQuery()
	if err != nil {
		return 0, nil, err
	}
	f := versionFilter{IncludePreRelease: true, Filter: q.get("filter")}
	if s := q.get("includePreRelease"); s != "" {
		f.IncludePreRelease = q.flag("includePreRelease")
	}
	if f.Rule, err = versioning.ParseChannelRule(q.get("versionRange"), q.get("preReleaseTag")); err != nil {
		return 0, nil, badRequest("%s", err.Error())
	}
	packageID := q.get("packageId")
	if packageID == "" {
		return 0, nil, badRequest("A package ID must be specified.")
	}
	return c.read(func(o *op) (int, any, error) {
		feed, err := kFeeds.find(o, c.param("feedId"))
		if err != nil {
			return 0, nil, err
		}
		items := []*PackageVersion{}
		if feed.FeedType == "BuiltIn" {
			for _, p := range packageVersions(o.st, o.spaceID, packageID, f) {
				pv := &PackageVersion{ID: p.ID, FeedID: feed.ID, PackageID: p.PackageID, Version: p.Version,
					Published: p.Published, SizeBytes: p.PackageSizeBytes, Title: p.Title, Links: map[string]string{}}
				if q.flag("includeReleaseNotes") {
					pv.ReleaseNotes = p.ReleaseNotes
				}
				items = append(items, pv)
			}
		}
		tmpl := kFeeds.Links(feed)["SearchPackageVersionsTemplate"]
		return http.StatusOK, paginate(items, q, "PackageVersion", c.r.URL.Path, tmpl), nil
	})
}

// PackageDescription is a search hit: a package and its latest version.
type PackageDescription struct {
	ID            string            `json:"Id"`
	Name          string            `json:"Name"`
	Description   string            `json:"Description"`
	LatestVersion string            `json:"LatestVersion"`
	Links         map[string]string `json:"Links"`
}

func searchPackages(c *call) (int, any, error) {
	q, err := c.listQuery()
	if err != nil {
		return 0, nil, err
	}
	term := strings.ToLower(q.get("term"))
	return c.read(func(o *op) (int, any, error) {
		feed, err := kFeeds.find(o, c.param("feedId"))
		if err != nil {
			return 0, nil, err
		}
		latest := map[string]*Package{}
		if feed.FeedType == "BuiltIn" {
			for _, p := range kPackages.tab(o.st).inSpace(o.spaceID) {
				if term != "" && !strings.Contains(strings.ToLower(p.PackageID), term) {
					continue
				}
				key := strings.ToLower(p.PackageID)
				if cur := latest[key]; cur == nil || compareVersionStrings(p.Version, cur.Version) > 0 {
					latest[key] = p
				}
			}
		}
		items := []*PackageDescription{}
		for _, p := range latest {
			items = append(items, &PackageDescription{ID: p.PackageID, Name: p.PackageID, Description: p.Description,
				LatestVersion: p.Version, Links: map[string]string{
					"Versions": "/api/" + o.spaceID + "/feeds/" + feed.ID + "/packages/versions?packageId=" + p.PackageID,
				}})
		}
		sort.Slice(items, func(i, j int) bool { return strings.ToLower(items[i].ID) < strings.ToLower(items[j].ID) })
		tmpl := kFeeds.Links(feed)["SearchPackagesTemplate"]
		return http.StatusOK, paginate(items, q, "PackageDescription", c.r.URL.Path, tmpl), nil
	})
}
