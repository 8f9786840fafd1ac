// Command octostar runs Starlark scripts that drive Octopus Deploy.
package main

import (
	"os"

	_ "github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/client"
	_ "github.com/rs/zerolog"
	_ "github.com/spf13/pflag"
	_ "go.starlark.net/starlark"
)

func main() { os.Exit(0) }
