package versioning

import "testing"

func TestDonorPackageVersion(t *testing.T) {
	selected := []PackageSelection{
		{ActionName: "Deploy web", PackageReferenceName: "", Version: "2.3.4+sha.1"},
		{ActionName: "Deploy web", PackageReferenceName: "sidecar", Version: "9.0.0"},
		{ActionName: "Deploy api", PackageReferenceName: "", Version: "not-a-version"},
	}
	tests := []struct {
		action, ref, want, err string
	}{
		{action: "Deploy web", want: "2.3.4+sha.1"},
		{action: "deploy WEB", want: "2.3.4+sha.1"},
		{action: "Deploy web", ref: "Sidecar", want: "9.0.0"},
		{action: "Deploy db", err: `donor package of step "Deploy db" (package reference "") has no selected version`},
		{action: "Deploy web", ref: "other", err: `donor package of step "Deploy web" (package reference "other") has no selected version`},
		{action: "Deploy api", err: `donor package of step "Deploy api" (package reference ""): invalid version "not-a-version": numeric part 1 ("not") is not a non-negative integer`},
	}
	for _, tt := range tests {
		got, err := DonorPackageVersion(tt.action, tt.ref, selected)
		switch {
		case tt.err != "":
			if err == nil || err.Error() != tt.err {
				t.Errorf("DonorPackageVersion(%q, %q) error\n got %v\nwant %s", tt.action, tt.ref, err, tt.err)
			}
		case err != nil || got != tt.want:
			t.Errorf("DonorPackageVersion(%q, %q) = %q, %v; want %q", tt.action, tt.ref, got, err, tt.want)
		}
	}
}

func TestIsDuplicate(t *testing.T) {
	existing := []string{"0.0.7", "1.0", "1.0.0-beta"}
	tests := []struct {
		v    string
		want bool
	}{
		{"0.0.7", true},
		{"0.0.7 ", false}, // exact comparison, as Octopus does
		{"1.0.0", false},
		{"1.0", true},
		{"1.0.0-BETA", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsDuplicate(existing, tt.v); got != tt.want {
			t.Errorf("IsDuplicate(%q) = %v", tt.v, got)
		}
	}
}

func TestDuplicateReleaseMessage(t *testing.T) {
	want := "Release '0.0.7' already exists for this project. Please use a different version, or look at using a mask to auto-increment the number."
	if got := DuplicateReleaseMessage("0.0.7"); got != want {
		t.Errorf("got %q", got)
	}
}
