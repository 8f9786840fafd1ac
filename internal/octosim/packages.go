package octosim

import (
	"crypto/sha1"
	"encoding/hex"
	"io"
	"net/http"
	"regexp"
	"strings"

	"github.com/octostar/octostar/internal/octosim/versioning"
)

var kPackages = &kind[*Package]{}

func init() {
	*kPackages = kind[*Package]{
		Name: "Packages", Segment: "packages", ItemType: "Package", IDPrefix: "packages",
		Template: "{/id}{?nuGetPackageId,filter,latest,skip,take,includeNotes}",
		View:     FeedView, Delete: BuiltInFeedAdminister, NoCreate: true, NoUpdate: true,
		New: func() *Package { return &Package{} },
		// Packages by ID, newest version first.
		Less: func(a, b *Package) bool {
			if !strings.EqualFold(a.PackageID, b.PackageID) {
				return strings.ToLower(a.PackageID) < strings.ToLower(b.PackageID)
			}
			return compareVersionStrings(a.Version, b.Version) > 0
		},
		Filters: map[string]func(o *op, p *Package, v string) bool{
			"nuGetPackageId": func(o *op, p *Package, v string) bool { return strings.EqualFold(p.PackageID, v) },
			"filter": func(o *op, p *Package, v string) bool {
				return strings.Contains(strings.ToLower(p.PackageID), strings.ToLower(v))
			},
			"latest": func(o *op, p *Package, v string) bool {
				if !strings.EqualFold(v, "true") {
					return true
				}
				for _, other := range kPackages.tab(o.st).inSpace(p.SpaceID) {
					if strings.EqualFold(other.PackageID, p.PackageID) && compareVersionStrings(other.Version, p.Version) > 0 {
						return false
					}
				}
				return true
			},
		},
		Links: func(p *Package) map[string]string {
			base := "/api/" + p.SpaceID + "/packages/" + p.ID
			return map[string]string{"Self": base, "Raw": base + "/raw",
				"Feed": "/api/" + p.SpaceID + "/feeds/" + BuiltInFeedID}
		},
	}
	defineKind(kPackages)
}

func init() {
	addRoutes(kPackages.routes()...)
	addRoutes(routeSpec{Method: http.MethodPost, Pattern: "/api/{spaceId}/packages/raw", Handler: uploadPackage})
}

// packageFileName is Octopus's package file naming: ID, a dot, a version.
var packageFileName = regexp.MustCompile(`^(\w+(?:[_.-]\w+)*?)\.(\d+(?:\.\d+){0,3}(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)$`)

var packageExtensions = []string{".tar.gz", ".tar.bz2", ".tar.xz", ".nupkg", ".zip", ".tgz", ".tar", ".jar", ".war", ".ear", ".rar"}

// parsePackageFileName splits "Acme.Web.1.2.3.zip" into ID, version and
// extension.
func parsePackageFileName(name string) (id, version, ext string, ok bool) {
	lower := strings.ToLower(name)
	for _, e := range packageExtensions {
		if strings.HasSuffix(lower, e) {
			ext = name[len(name)-len(e):]
			name = name[:len(name)-len(e)]
			break
		}
	}
	m := packageFileName.FindStringSubmatch(name)
	if m == nil {
		return "", "", "", false
	}
	return m[1], m[2], ext, true
}

func packageDocID(packageID, version string) string { return "packages-" + packageID + "." + version }

// addPackage stores a package version in the built-in feed: the upload
// endpoint and the seed both come here. mode is FailIfExists,
// IgnoreIfExists or OverwriteExisting; created is false when an existing
// version was kept.
func addPackage(o *op, packageID, version, ext string, size int64, hash, mode string) (*Package, bool, error) {
	if err := o.require(BuiltInFeedPush, o.spaceScope()); err != nil {
		return nil, false, err
	}
	if _, err := versioning.Parse(version); err != nil {
		return nil, false, badRequest("The version '%s' of package '%s' is not a valid version.", version, packageID)
	}
	if ext == "" {
		ext = ".zip"
	}
	id := packageDocID(packageID, version)
	if existing, ok := kPackages.get(o, id); ok {
		switch mode {
		case "IgnoreIfExists":
			return existing, false, nil
		case "OverwriteExisting":
		default:
			return nil, false, badRequest("A package with the same ID and version already exists. Please either change the version of the package, or set the overwriteMode to OverwriteExisting.")
		}
	}
	p := &Package{Meta: Meta{ID: id}, PackageID: packageID, Version: version, Title: packageID,
		Published: ts(o.now), FileExtension: ext, PackageSizeBytes: size, Hash: hash, FeedID: BuiltInFeedID,
		NuGetPackageID: packageID, NuGetFeedID: BuiltInFeedID}
	kPackages.save(o, p)
	return p, true, nil
}

// uploadPackage is POST /packages/raw: a multipart form with a "file"
// part whose file name gives the package ID and version.
func uploadPackage(c *call) (int, any, error) {
	mode := c.r.URL.Query().Get("overwriteMode")
	if mode == "" && strings.EqualFold(c.r.URL.Query().Get("replace"), "true") {
		mode = "OverwriteExisting"
	}
	c.r.Body = http.MaxBytesReader(c.w, c.r.Body, maxBody)
	mr, err := c.r.MultipartReader()
	if err != nil {
		return 0, nil, badRequest("Please upload the package as a multipart/form-data request with a file.")
	}
	var name string
	var size int64
	h := sha1.New()
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, nil, badRequest("The package upload could not be read.")
		}
		if part.FileName() == "" {
			continue
		}
		name = part.FileName()
		if size, err = io.Copy(h, part); err != nil {
			return 0, nil, badRequest("The package upload could not be read.")
		}
		break
	}
	if name == "" {
		return 0, nil, badRequest("No package file was uploaded.")
	}
	id, version, ext, ok := parsePackageFileName(name)
	if !ok {
		return 0, nil, badRequest("The package file name '%s' is not valid: it must be the package ID, a dot, and a version, such as Acme.Web.1.0.0.zip.", name)
	}
	hash := hex.EncodeToString(h.Sum(nil))
	return c.write(func(o *op) (int, any, error) {
		p, created, err := addPackage(o, id, version, ext, size, hash, mode)
		if err != nil {
			return 0, nil, err
		}
		if created {
			return http.StatusCreated, p, nil
		}
		return http.StatusOK, p, nil
	})
}

// compareVersionStrings orders two version strings as Octopus does,
// falling back to plain text for ones that do not parse.
func compareVersionStrings(a, b string) int {
	va, ea := versioning.Parse(a)
	vb, eb := versioning.Parse(b)
	if ea != nil || eb != nil {
		return strings.Compare(a, b)
	}
	return versioning.Compare(va, vb)
}
