package octosim

import (
	"bytes"
	_ "embed"
	"fmt"
)

// The demo world: the embedded default of `octostar sandbox` and the
// README demo. Its canonical file is seeds/demo.json in this package (an
// embed cannot reach outside the package directory);
// testdata/seeds/demo.json at the repository root links to it.
//
//	environments  Development, Test, Staging, Production (guided failure on)
//	lifecycles    Standard (Development automatic, then Test, Staging,
//	              Production), Hotfix (Staging, Production)
//	Payments      Payments API (manual approval before Production, Default /
//	              Pre-release / Hotfix channels), Checkout Web, Fraud
//	              Detection, Customer Portal (tenanted: Acme Corp, Globex,
//	              Initech)
//	Platform      Identity Service, Notification Service, Platform Ops
//	              (runbooks, two published), Observability Stack
//	keys          DemoAdminAPIKey (admin), DemoDeployerAPIKey (dana, who may
//	              deploy to Development and Test only)
//
// Releases are spread so that Test and Staging differ: Payments API 1.2.0
// and Checkout Web 2.2.0 are in Test with 1.1.0 and 2.1.0 in Staging;
// Notification Service 1.0.0 is in Test and not in Staging at all.

//go:embed seeds/demo.json
var demoSeed []byte

// Keys of the demo world (fixed so that scripts and docs can use them).
const (
	DemoAdminAPIKey    = "API-DEMOADMIN00000000000000000"
	DemoDeployerAPIKey = "API-DEMODEPLOYER00000000000000"
)

// DemoSeedJSON returns the demo world's seed file.
func DemoSeedJSON() []byte { return bytes.Clone(demoSeed) }

// DemoSeed returns the demo world, parsed.
func DemoSeed() *Seed {
	s, err := ParseSeed(demoSeed)
	if err != nil {
		panic(fmt.Sprintf("octosim: the embedded demo seed is invalid: %v", err))
	}
	return s
}
