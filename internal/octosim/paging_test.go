package octosim

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/environments"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/newclient"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/projectgroups"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/projects"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/spaces"
)

func TestPaging(t *testing.T) {
	defer failOnPanic(t)
	_, hs := newTestServer(t, nil)
	c := newClient(t, hs, testAdminKey, "Spaces-1")
	for i := 1; i <= 65; i++ {
		must(environments.Add(c, environments.NewEnvironment(fmt.Sprintf("Env %02d", i))))
	}

	tests := []struct {
		name                      string
		query                     environments.EnvironmentsQuery
		items, total, pages, last int
		next                      bool
		first                     string
	}{
		{"first page", environments.EnvironmentsQuery{}, 30, 65, 3, 2, true, "Env 01"},
		{"middle page", environments.EnvironmentsQuery{Skip: 30}, 30, 65, 3, 2, true, "Env 31"},
		{"last page", environments.EnvironmentsQuery{Skip: 60}, 5, 65, 3, 2, false, "Env 61"},
		{"past the end", environments.EnvironmentsQuery{Skip: 100}, 0, 65, 3, 2, false, ""},
		{"take 10", environments.EnvironmentsQuery{Take: 10}, 10, 65, 7, 6, true, "Env 01"},
		{"take all", environments.EnvironmentsQuery{Take: 100}, 65, 65, 1, 0, false, "Env 01"},
		{"partialName", environments.EnvironmentsQuery{PartialName: "env 1"}, 10, 10, 1, 0, false, "Env 10"},
		{"name is a substring match", environments.EnvironmentsQuery{Name: "env 6"}, 6, 6, 1, 0, false, "Env 60"},
		{"ids", environments.EnvironmentsQuery{IDs: []string{"Environments-3", "Environments-5"}}, 2, 2, 1, 0, false, "Env 03"},
		{"no match", environments.EnvironmentsQuery{PartialName: "zzz"}, 0, 0, 0, 0, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer failOnPanic(t)
			page := must(environments.Get(c, "Spaces-1", tt.query))
			if len(page.Items) != tt.items || page.TotalResults != tt.total || page.NumberOfPages != tt.pages ||
				page.LastPageNumber != tt.last || (page.Links.PageNext != "") != tt.next {
				t.Fatalf("items %d total %d pages %d last %d next %q", len(page.Items), page.TotalResults,
					page.NumberOfPages, page.LastPageNumber, page.Links.PageNext)
			}
			if tt.first != "" && page.Items[0].Name != tt.first {
				t.Errorf("first item %q, want %q", page.Items[0].Name, tt.first)
			}
			if page.ItemType != "Environment" || page.Links.Self == "" || page.Links.PageAll == "" ||
				page.Links.PageCurrent == "" || page.Links.PageLast == "" ||
				!strings.HasPrefix(page.Links.Template, "/api/Spaces-1/environments{/id}{?") {
				t.Errorf("links = %+v", page.Links)
			}
		})
	}

	t.Run("get all follows Page.Next", func(t *testing.T) {
		defer failOnPanic(t)
		if all := must(environments.GetAll(c, "Spaces-1")); len(all) != 65 {
			t.Errorf("newclient GetAll = %d", len(all))
		}
		if all := must(c.Environments.GetAll()); len(all) != 65 { // sling: the bare-array /all endpoint
			t.Errorf("/all = %d", len(all))
		}
		if got := must(c.Environments.GetByIDs([]string{"Environments-1", "Environments-65"})); len(got) != 2 {
			t.Errorf("GetByIDs = %d", len(got))
		}
	})

	t.Run("Page.Next keeps the filter", func(t *testing.T) {
		defer failOnPanic(t)
		page := must(environments.Get(c, "Spaces-1", environments.EnvironmentsQuery{PartialName: "Env", Take: 20}))
		next, _ := url.Parse(page.Links.PageNext)
		if next.Query().Get("partialName") != "Env" || next.Query().Get("skip") != "20" {
			t.Fatalf("Page.Next = %s", page.Links.PageNext)
		}
		second := must(newclient.Get[environmentsPage](c.HttpSession(), page.Links.PageNext))
		if len(second.Items) != 20 || second.Items[0].Name != "Env 21" {
			t.Errorf("second page starts at %q", second.Items[0].Name)
		}
	})

	t.Run("ids as go-querystring sends them", func(t *testing.T) {
		defer failOnPanic(t)
		must(projects.Add(c, projects.NewProject("Alpha", "Lifecycles-1", "ProjectGroups-1")))
		must(projects.Add(c, projects.NewProject("Beta", "Lifecycles-1", "ProjectGroups-1")))
		// The deprecated sling service encodes ids as repeated parameters.
		got := must(c.Projects.Get(projects.ProjectsQuery{IDs: []string{"Projects-1", "Projects-2"}}))
		if got.TotalResults != 2 {
			t.Errorf("repeated ids matched %d", got.TotalResults)
		}
		byName := must(c.Projects.GetByName("beta"))
		if byName.Name != "Beta" {
			t.Errorf("GetByName = %q", byName.Name)
		}
	})

	t.Run("spaces and project groups", func(t *testing.T) {
		defer failOnPanic(t)
		all := must(spaces.GetAll(c))
		if len(all) != 1 || !all[0].IsDefault || all[0].Name != "Default" {
			t.Errorf("spaces = %+v", all)
		}
		groups := must(projectgroups.GetAll(c, "Spaces-1"))
		if len(groups) != 1 || groups[0].Name != "Default Project Group" {
			t.Errorf("groups = %+v", groups)
		}
	})
}

type environmentsPage struct {
	Items []*environments.Environment `json:"Items"`
}
