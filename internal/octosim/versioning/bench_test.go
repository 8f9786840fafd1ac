package versioning

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchFeed returns n package versions in random order, a third of them
// pre-releases and some with build metadata.
func benchFeed(n int) []string {
	r := rand.New(rand.NewPCG(7, 11))
	out := make([]string, n)
	for i := range out {
		s := fmt.Sprintf("%d.%d.%d", r.IntN(4), r.IntN(20), r.IntN(50))
		switch r.IntN(6) {
		case 0:
			s += fmt.Sprintf("-beta.%d", r.IntN(30))
		case 1:
			s += fmt.Sprintf("-feature-%c.%d", 'a'+r.IntN(5), r.IntN(9))
		case 2:
			s += fmt.Sprintf("+build.%d", r.IntN(1000))
		}
		out[i] = s
	}
	return out
}

func BenchmarkSelectLatest(b *testing.B) {
	feed := benchFeed(1000)
	rules := map[string]ChannelRule{
		"any":        {},
		"stable":     MustParseChannelRule("[1.0,3.0)", "^$"),
		"beta":       MustParseChannelRule("[1.0,3.0)", "^beta"),
		"lookahead":  MustParseChannelRule("", `^(?!beta).+`),
		"range-only": MustParseChannelRule("(,2.5]", ""),
	}
	for _, name := range []string{"any", "stable", "beta", "lookahead", "range-only"} {
		rule := rules[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := SelectLatest(feed, rule); !ok {
					b.Fatal("nothing selected")
				}
			}
		})
	}
}

func BenchmarkNextVersion(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NextVersion(DefaultTemplate, "1.4.7", nil); err != nil {
			b.Fatal(err)
		}
	}
}
