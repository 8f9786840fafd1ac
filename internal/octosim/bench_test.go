package octosim

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// BenchmarkStartupDemo measures start-up with the demo seed: parsing it
// and building the world, past deployments included (target < 200 ms).
func BenchmarkStartupDemo(b *testing.B) {
	var total time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		s, err := New(DemoSeed(), WithAPIKey(DemoAdminAPIKey))
		if err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		_ = s.Close()
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/start")
}

// bigSeed is a world with releases×deployPerRelease deployments: each
// release is deployed automatically to Development, then to Test,
// Staging and Production, with a redeploy to Test at the end.
func bigSeed(projects, releasesPerProject int) *Seed {
	seed := &Seed{
		Environments: []SeedEnvironment{{Name: "Development"}, {Name: "Test"}, {Name: "Staging"}, {Name: "Production"}},
		Lifecycles: []SeedLifecycle{{Name: "Standard", Phases: []SeedPhase{
			{Name: "Development", Automatic: []string{"Development"}}, {Name: "Test", Optional: []string{"Test"}},
			{Name: "Staging", Optional: []string{"Staging"}}, {Name: "Production", Optional: []string{"Production"}}}}},
	}
	for p := 0; p < projects; p++ {
		name := fmt.Sprintf("Project %03d", p)
		pkg := fmt.Sprintf("Acme.Service%03d", p)
		seed.Packages = append(seed.Packages, SeedPackage{ID: pkg, Versions: []string{"1.0.0"}})
		seed.Projects = append(seed.Projects, SeedProject{Name: name, Lifecycle: "Standard", Steps: []SeedStep{
			{Name: "Deploy", Type: "package", Package: pkg}, {Name: "Verify", Type: "script", Script: "echo ok"}}})
		for r := 0; r < releasesPerProject; r++ {
			v := fmt.Sprintf("1.%d.%d", r/100, r%100)
			seed.Releases = append(seed.Releases, SeedRelease{Project: name, Version: v})
			seed.Deployments = append(seed.Deployments, SeedDeployment{Project: name, Release: v,
				Environments: []string{"Test", "Staging", "Production", "Test"}})
		}
	}
	return seed
}

// BenchmarkStoreSize builds a store holding 10,000 releases and 50,000
// deployments (with their tasks and logs) through the seed's create paths,
// and reports the heap in use after a GC (target < 300 MB).
func BenchmarkStoreSize(b *testing.B) {
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		s, err := New(bigSeed(20, 500), WithAPIKey(testAdminKey))
		if err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(start)
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		st := s.store()
		if r, d := st.Count("Releases"), st.Count("Deployments"); r != 10000 || d != 50000 {
			b.Fatalf("store holds %d releases and %d deployments", r, d)
		}
		b.ReportMetric(float64(after.HeapInuse-before.HeapInuse)/(1<<20), "MB-heap-inuse")
		b.ReportMetric(elapsed.Seconds(), "s-to-build")
		// Reading the dashboard of such a world.
		start = time.Now()
		st.mu.RLock()
		o := &op{s: s, st: st, spaceID: "Spaces-1", now: s.now(), who: &principal{user: adminUser(st)}}
		_ = buildDashboard(o, dashboardFilter{})
		st.mu.RUnlock()
		b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "ms-dashboard")
		runtime.KeepAlive(s)
		_ = s.Close()
	}
}

func adminUser(st *Store) *User {
	u, _ := kUsers.tab(st).get("", "Users-1")
	return u
}
