package octopus

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/octostar/octostar/internal/octosim"
	"github.com/octostar/octostar/internal/octosim/simtest"
)

// benchWorld serves a simulator with n projects of one script step each,
// every one with a release deployed to Development (the tasks queue
// behind the task cap; a poll reads them whatever their state).
func benchWorld(b *testing.B, n int) (*Client, []string) {
	b.Helper()
	seed := map[string]any{
		"adminApiKey":   adminKey,
		"environments":  []map[string]any{{"name": "Development"}},
		"lifecycles":    []map[string]any{{"name": "Dev", "phases": []map[string]any{{"name": "Development", "optional": []string{"Development"}}}}},
		"projectGroups": []map[string]any{{"name": "Bench"}},
	}
	var projects []map[string]any
	for i := range n {
		projects = append(projects, map[string]any{"name": fmt.Sprintf("Service %03d", i), "group": "Bench", "lifecycle": "Dev",
			"steps": []map[string]any{{"name": "Run", "type": "script", "script": "echo ok"}}})
	}
	seed["projects"] = projects
	data, err := json.Marshal(seed)
	if err != nil {
		b.Fatal(err)
	}
	s, err := octosim.ParseSeed(data)
	if err != nil {
		b.Fatal(err)
	}
	_, url := simtest.Serve(b, s)
	c, err := New(Config{Name: "bench", URL: url, APIKey: adminKey, UserAgent: "octostar-bench"})
	if err != nil {
		b.Fatal(err)
	}
	var ids []string
	for i := range n {
		p := fmt.Sprintf("Service %03d", i)
		r, err := c.CreateRelease(b.Context(), CreateReleaseRequest{Project: p, Version: "1.0.0"})
		if err != nil {
			b.Fatal(err)
		}
		runs, err := c.Deploy(b.Context(), DeployRequest{Project: p, Release: r, Environments: []string{"Development"}})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, runs[0].TaskID)
	}
	return c, ids
}

// BenchmarkTasksPoll is one batched poll of a train's 200 tasks (one
// request) over loopback: the client's share of every poll interval.
func BenchmarkTasksPoll(b *testing.B) {
	c, ids := benchWorld(b, 200)
	b.ReportAllocs()
	for b.Loop() {
		tasks, err := c.Tasks(b.Context(), ids)
		if err != nil || len(tasks) != len(ids) {
			b.Fatalf("%d tasks, %v", len(tasks), err)
		}
	}
	b.ReportMetric(float64(len(ids)), "tasks/poll")
}

// BenchmarkResolveProject is finding a project by name among 200, once
// the catalog is cached: what every builtin pays per project argument.
func BenchmarkResolveProject(b *testing.B) {
	c, _ := benchWorld(b, 200)
	ctx := b.Context()
	for _, ref := range []string{"Service 137", "service-137", "SERVICE 137"} {
		b.Run(ref, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, err := c.project(ctx, ref)
				if err != nil || p.Name != "Service 137" {
					b.Fatalf("%v %v", p, err)
				}
			}
		})
	}
}
