package versioning

import (
	"fmt"
	"strings"
)

// DonorPackageVersion returns the release version for a project whose
// versioning strategy names a donor package: the version selected for
// that package, as given. actionName is the donor's deployment action and
// packageReference its package reference name ("" for the primary
// package); both match case-insensitively. It fails if nothing was
// selected for the donor or the selection is not a valid version.
func DonorPackageVersion(actionName, packageReference string, selected []PackageSelection) (string, error) {
	for _, p := range selected {
		if strings.EqualFold(p.ActionName, actionName) && strings.EqualFold(p.PackageReferenceName, packageReference) {
			v, err := Parse(p.Version)
			if err != nil {
				return "", fmt.Errorf("donor package of step %q (package reference %q): %w", actionName, packageReference, err)
			}
			return v.String(), nil
		}
	}
	return "", fmt.Errorf("donor package of step %q (package reference %q) has no selected version", actionName, packageReference)
}

// PackageSelection is one package version chosen for a release, as in a
// release's SelectedPackages.
type PackageSelection struct {
	ActionName           string
	PackageReferenceName string // "" for the action's primary package
	Version              string
}

// IsDuplicate reports whether version is already among the project's
// existing release versions. Octopus compares release versions as exact
// strings: "1.0" and "1.0.0" are different releases, and so are
// "1.0.0-Beta" and "1.0.0-beta".
func IsDuplicate(existing []string, version string) bool {
	for _, e := range existing {
		if e == version {
			return true
		}
	}
	return false
}

// DuplicateReleaseMessage is the text Octopus puts in the Errors list of
// its 400 response when a release version already exists in the project.
func DuplicateReleaseMessage(version string) string {
	return fmt.Sprintf("Release '%s' already exists for this project. Please use a different version, or look at using a mask to auto-increment the number.", version)
}
