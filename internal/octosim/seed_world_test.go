package octosim

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/client"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/newclient"
)

const foundationSeed = "../../testdata/seeds/foundation.json"

// worldCollections are the paths compared between a seeded world and one
// built through the client.
var worldCollections = []string{
	"/api/Spaces-1/environments/all", "/api/Spaces-1/lifecycles/all", "/api/Spaces-1/projectgroups/all",
	"/api/Spaces-1/projects/all", "/api/Spaces-1/channels/all", "/api/Spaces-1/deploymentprocesses/all",
	"/api/Spaces-1/tagsets/all", "/api/Spaces-1/tenants/all", "/api/Spaces-1/runbooks/all",
	"/api/Spaces-1/runbookProcesses/all", "/api/Spaces-1/runbookSnapshots/all", "/api/Spaces-1/feeds/all",
	"/api/Spaces-1/packages?take=100", "/api/Spaces-1/projects/Projects-1/deploymentsettings",
	"/api/users/all", "/api/teams/all", "/api/scopeduserroles/all", "/api/userroles/all", "/api/spaces/all",
}

var (
	guidPattern     = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	snapshotPattern = regexp.MustCompile(`-s-(\d+)-[A-Z]{5}`)
	// volatile fields differ run to run (times, random IDs, upload bytes).
	volatile = map[string]bool{"LastModifiedOn": true, "Assembled": true, "Published": true, "Hash": true,
		"PackageSizeBytes": true, "Created": true, "ReleaseRetentionPolicy": true, "TentacleRetentionPolicy": true}
)

// normalize drops volatile fields and masks generated IDs.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, val := range x {
			if !volatile[k] {
				out[k] = normalize(val)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = normalize(val)
		}
		return out
	case string:
		if guidPattern.MatchString(x) {
			return "<guid>"
		}
		return snapshotPattern.ReplaceAllString(x, "-s-$1-<random>")
	}
	return v
}

func snapshotWorld(t *testing.T, c *client.Client) map[string]string {
	out := map[string]string{}
	for _, path := range worldCollections {
		v, err := newclient.Get[any](c.HttpSession(), path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		b, _ := json.MarshalIndent(normalize(*v), "", " ")
		out[path] = string(b)
	}
	return out
}

// TestSeedMatchesClientWorld: a seed yields the same world as building it
// through the API with the official client.
func TestSeedMatchesClientWorld(t *testing.T) {
	defer failOnPanic(t)
	seed := must(LoadSeed(foundationSeed))
	s, err := New(seed)
	if err != nil {
		t.Fatal(err)
	}
	if s.AdminAPIKey() != "API-FOUNDATIONADMIN0000000001" {
		t.Fatalf("admin key from seed not used")
	}
	_, seeded := newTestServer(t, seed, WithAPIKey("API-FOUNDATIONADMIN0000000001"))
	_, built := newTestServer(t, nil, WithAPIKey("API-FOUNDATIONADMIN0000000001"))
	bc := newClient(t, built, "API-FOUNDATIONADMIN0000000001", "Spaces-1")
	buildClientWorld(t, bc)

	want := snapshotWorld(t, bc)
	got := snapshotWorld(t, newClient(t, seeded, "API-FOUNDATIONADMIN0000000001", "Spaces-1"))
	var paths []string
	for p := range want {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if got[p] != want[p] {
			t.Errorf("%s differs:\n%s", p, firstDifference(want[p], got[p]))
		}
	}

	// The seed's fixed deployer key works and has the seeded scope.
	dc := newClient(t, seeded, "API-FOUNDATIONDEPLOYER000001", "Spaces-1")
	me := must(dc.Users.GetMe())
	if me.Username != "deployer" {
		t.Errorf("seeded key belongs to %q", me.Username)
	}
}

// firstDifference shows the first differing line of two texts.
func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			lo := max(0, i-3)
			return fmt.Sprintf("line %d:\nclient: %s\nseed:   %s\ncontext:\n%s", i, al[i], bl[i], strings.Join(al[lo:i+1], "\n"))
		}
	}
	return fmt.Sprintf("lengths %d vs %d", len(al), len(bl))
}
