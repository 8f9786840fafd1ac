package octosim

import (
	"net/http"
	"slices"
	"sort"
	"strings"
)

// Permission is an Octopus permission name, such as "DeploymentCreate".
type Permission string

// The permissions the simulator checks. Names are Octopus's own.
const (
	AdministerSystem                  Permission = "AdministerSystem"
	BuiltInFeedAdminister             Permission = "BuiltInFeedAdminister"
	BuiltInFeedDownload               Permission = "BuiltInFeedDownload"
	BuiltInFeedPush                   Permission = "BuiltInFeedPush"
	DefectReport                      Permission = "DefectReport"
	DefectResolve                     Permission = "DefectResolve"
	DeploymentCreate                  Permission = "DeploymentCreate"
	DeploymentDelete                  Permission = "DeploymentDelete"
	DeploymentView                    Permission = "DeploymentView"
	EnvironmentCreate                 Permission = "EnvironmentCreate"
	EnvironmentDelete                 Permission = "EnvironmentDelete"
	EnvironmentEdit                   Permission = "EnvironmentEdit"
	EnvironmentView                   Permission = "EnvironmentView"
	FeedEdit                          Permission = "FeedEdit"
	FeedView                          Permission = "FeedView"
	InterruptionSubmit                Permission = "InterruptionSubmit"
	InterruptionView                  Permission = "InterruptionView"
	InterruptionViewSubmitResponsible Permission = "InterruptionViewSubmitResponsible"
	LifecycleCreate                   Permission = "LifecycleCreate"
	LifecycleDelete                   Permission = "LifecycleDelete"
	LifecycleEdit                     Permission = "LifecycleEdit"
	LifecycleView                     Permission = "LifecycleView"
	ProcessEdit                       Permission = "ProcessEdit"
	ProcessView                       Permission = "ProcessView"
	ProjectCreate                     Permission = "ProjectCreate"
	ProjectDelete                     Permission = "ProjectDelete"
	ProjectEdit                       Permission = "ProjectEdit"
	ProjectGroupCreate                Permission = "ProjectGroupCreate"
	ProjectGroupDelete                Permission = "ProjectGroupDelete"
	ProjectGroupEdit                  Permission = "ProjectGroupEdit"
	ProjectGroupView                  Permission = "ProjectGroupView"
	ProjectView                       Permission = "ProjectView"
	ReleaseCreate                     Permission = "ReleaseCreate"
	ReleaseDelete                     Permission = "ReleaseDelete"
	ReleaseEdit                       Permission = "ReleaseEdit"
	ReleaseView                       Permission = "ReleaseView"
	RunbookEdit                       Permission = "RunbookEdit"
	RunbookRunCreate                  Permission = "RunbookRunCreate"
	RunbookRunDelete                  Permission = "RunbookRunDelete"
	RunbookRunView                    Permission = "RunbookRunView"
	RunbookView                       Permission = "RunbookView"
	SpaceCreate                       Permission = "SpaceCreate"
	SpaceDelete                       Permission = "SpaceDelete"
	SpaceEdit                         Permission = "SpaceEdit"
	SpaceView                         Permission = "SpaceView"
	TagSetCreate                      Permission = "TagSetCreate"
	TagSetDelete                      Permission = "TagSetDelete"
	TagSetEdit                        Permission = "TagSetEdit"
	TaskCancel                        Permission = "TaskCancel"
	TaskCreate                        Permission = "TaskCreate"
	TaskEdit                          Permission = "TaskEdit"
	TaskView                          Permission = "TaskView"
	TeamCreate                        Permission = "TeamCreate"
	TeamDelete                        Permission = "TeamDelete"
	TeamEdit                          Permission = "TeamEdit"
	TeamView                          Permission = "TeamView"
	TenantCreate                      Permission = "TenantCreate"
	TenantDelete                      Permission = "TenantDelete"
	TenantEdit                        Permission = "TenantEdit"
	TenantView                        Permission = "TenantView"
	UserEdit                          Permission = "UserEdit"
	UserRoleEdit                      Permission = "UserRoleEdit"
	UserRoleView                      Permission = "UserRoleView"
	UserView                          Permission = "UserView"
)

// spacePermissionNames is every permission that can be granted in a space
// (go-client's SpacePermissions lists the same names).
var spacePermissionNames = strings.Fields(`
AccountCreate AccountDelete AccountEdit AccountView ActionTemplateCreate ActionTemplateDelete
ActionTemplateEdit ActionTemplateView ArtifactCreate ArtifactDelete ArtifactEdit ArtifactView
BuildInformationAdminister BuildInformationPush BuiltInFeedAdminister BuiltInFeedDownload BuiltInFeedPush
CertificateCreate CertificateDelete CertificateEdit CertificateExportPrivateKey CertificateView
DefectReport DefectResolve DeploymentCreate DeploymentDelete DeploymentView EnvironmentCreate
EnvironmentDelete EnvironmentEdit EnvironmentView EventView FeedEdit FeedView InterruptionSubmit
InterruptionView InterruptionViewSubmitResponsible LibraryVariableSetCreate LibraryVariableSetDelete
LibraryVariableSetEdit LibraryVariableSetView LifecycleCreate LifecycleDelete LifecycleEdit LifecycleView
MachineCreate MachineDelete MachineEdit MachinePolicyCreate MachinePolicyDelete MachinePolicyEdit
MachinePolicyView MachineView ProcessEdit ProcessView ProjectCreate ProjectDelete ProjectEdit
ProjectGroupCreate ProjectGroupDelete ProjectGroupEdit ProjectGroupView ProjectView ProxyCreate
ProxyDelete ProxyEdit ProxyView ReleaseCreate ReleaseDelete ReleaseEdit ReleaseView RunbookEdit
RunbookRunCreate RunbookRunDelete RunbookRunView RunbookView SpaceEdit SpaceView SubscriptionCreate
SubscriptionDelete SubscriptionEdit SubscriptionView TagSetCreate TagSetDelete TagSetEdit TaskCancel
TaskCreate TaskEdit TaskView TeamCreate TeamDelete TeamEdit TeamView TenantCreate TenantDelete
TenantEdit TenantView TriggerCreate TriggerDelete TriggerEdit TriggerView VariableEdit
VariableEditUnscoped VariableView VariableViewUnscoped WorkerEdit WorkerView`)

// systemPermissionNames can only be granted at system level.
var systemPermissionNames = strings.Fields(`
AdministerSystem ConfigureServer EventRetentionDelete EventRetentionView SpaceCreate SpaceDelete
SpaceEdit SpaceView TaskCancel TaskCreate TaskEdit TaskView TeamCreate TeamDelete TeamEdit TeamView
UserEdit UserInvite UserRoleEdit UserRoleView UserView EventView`)

func isKnownPermission(p string) bool {
	return slices.Contains(spacePermissionNames, p) || slices.Contains(systemPermissionNames, p)
}

// Scope says where a permission is needed. Empty fields are not checked: a
// role restricted to projects still grants EnvironmentView, which has no
// project dimension.
type Scope struct {
	SpaceID        string
	ProjectID      string
	ProjectGroupID string
	EnvironmentID  string
	TenantID       string
	// Untenanted marks an explicitly untenanted operation, which roles
	// restricted to tenants do not cover.
	Untenanted bool
}

// restriction is one grant of a permission, as the permissions endpoint
// shows it. Empty lists mean unrestricted.
type restriction struct {
	SpaceID       string
	Projects      []string
	ProjectGroups []string
	Environments  []string
	Tenants       []string
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

func (r restriction) allows(sc Scope) bool {
	if !strings.EqualFold(r.SpaceID, sc.SpaceID) {
		return false
	}
	// Projects and project groups are one dimension: being listed by either
	// is enough.
	if len(r.Projects)+len(r.ProjectGroups) > 0 && (sc.ProjectID != "" || sc.ProjectGroupID != "") {
		if !(sc.ProjectID != "" && containsFold(r.Projects, sc.ProjectID)) &&
			!(sc.ProjectGroupID != "" && containsFold(r.ProjectGroups, sc.ProjectGroupID)) {
			return false
		}
	}
	if len(r.Environments) > 0 && sc.EnvironmentID != "" && !containsFold(r.Environments, sc.EnvironmentID) {
		return false
	}
	if len(r.Tenants) > 0 {
		if sc.TenantID != "" && !containsFold(r.Tenants, sc.TenantID) {
			return false
		}
		if sc.TenantID == "" && sc.Untenanted {
			return false
		}
	}
	return true
}

// grants is what a user may do, computed from teams, scoped user roles and
// space-manager membership.
type grants struct {
	system map[Permission]bool
	space  map[Permission][]restriction
	teams  []*Team
}

// computeGrants derives a user's permissions from the store.
func computeGrants(st *Store, u *User) *grants {
	g := &grants{system: map[Permission]bool{}, space: map[Permission][]restriction{}}
	if u == nil || !u.IsActive {
		return g
	}
	teamIDs := map[string]*Team{}
	for _, t := range kTeams.tab(st).inSpace("") {
		if strings.EqualFold(t.ID, teamEveryone) || containsFold(t.MemberUserIDs, u.ID) {
			teamIDs[strings.ToLower(t.ID)] = t
			g.teams = append(g.teams, t)
		}
	}
	sort.Slice(g.teams, func(i, j int) bool { return lessID(g.teams[i].ID, g.teams[j].ID) })
	for _, sur := range kScopedUserRoles.tab(st).inSpace("") {
		team := teamIDs[strings.ToLower(sur.TeamID)]
		if team == nil {
			continue
		}
		role, ok := kUserRoles.tab(st).get("", sur.UserRoleID)
		if !ok {
			continue
		}
		spaceID := sur.SpaceID
		if spaceID == "" {
			spaceID = team.SpaceID
		}
		if spaceID == "" {
			for _, p := range role.GrantedSystemPermissions {
				g.system[Permission(p)] = true
			}
			continue
		}
		r := restriction{SpaceID: spaceID, Projects: sur.ProjectIDs, ProjectGroups: sur.ProjectGroupIDs,
			Environments: sur.EnvironmentIDs, Tenants: sur.TenantIDs}
		for _, p := range role.GrantedSpacePermissions {
			g.space[Permission(p)] = append(g.space[Permission(p)], r)
		}
	}
	// Space managers hold every space permission in their space.
	for _, sp := range kSpaces.tab(st).inSpace("") {
		manager := containsFold(sp.SpaceManagersTeamMembers, u.ID)
		for _, tid := range sp.SpaceManagersTeams {
			if teamIDs[strings.ToLower(tid)] != nil {
				manager = true
			}
		}
		if manager {
			for _, p := range spacePermissionNames {
				g.space[Permission(p)] = append(g.space[Permission(p)], restriction{SpaceID: sp.ID})
			}
		}
	}
	return g
}

func (g *grants) can(p Permission, sc Scope) bool {
	if sc.SpaceID == "" {
		return g.system[p]
	}
	if g.system[p] && slices.Contains(systemPermissionNames, string(p)) {
		return true
	}
	for _, r := range g.space[p] {
		if r.allows(sc) {
			return true
		}
	}
	return false
}

// hasAny reports whether the user holds p anywhere in the space, whatever
// the restrictions (lists filter per item instead of refusing).
func (g *grants) hasAny(p Permission, spaceID string) bool {
	return g.can(p, Scope{SpaceID: spaceID})
}

// inSpace reports whether the user holds any permission in the space.
func (g *grants) inSpace(spaceID string) bool {
	for _, rs := range g.space {
		for _, r := range rs {
			if strings.EqualFold(r.SpaceID, spaceID) {
				return true
			}
		}
	}
	return g.system[SpaceView]
}

// forbidden is the 403 real servers send: the missing permission named in
// ErrorMessage, and a second line saying what it allows.
func forbidden(p Permission, g *grants) *apiError {
	second := "This action requires the " + string(p) + " permission. None of your teams have this permission."
	if d, ok := permissionPurpose[p]; ok {
		second = "This action requires permission to " + d + ". None of your teams have this permission."
	}
	if g != nil && (len(g.space[p]) > 0 || g.system[p]) {
		second = strings.Replace(second, "None of your teams have this permission.",
			"Your teams have this permission, but not for this scope.", 1)
	}
	return &apiError{Status: http.StatusForbidden, Message: msgForbidden + string(p), Errors: []string{second}}
}

// permissionPurpose words the second line of a 403 ("... to view runbooks").
var permissionPurpose = map[Permission]string{
	DeploymentCreate:   "deploy releases",
	DeploymentView:     "view deployments",
	EnvironmentCreate:  "create environments",
	EnvironmentDelete:  "delete environments",
	EnvironmentEdit:    "edit environments",
	EnvironmentView:    "view environments",
	FeedEdit:           "edit feeds",
	FeedView:           "view feeds",
	InterruptionSubmit: "submit interruptions",
	InterruptionView:   "view interruptions",
	LifecycleCreate:    "create lifecycles",
	LifecycleEdit:      "edit lifecycles",
	LifecycleView:      "view lifecycles",
	ProcessEdit:        "edit deployment processes",
	ProcessView:        "view deployment processes",
	ProjectCreate:      "create projects",
	ProjectDelete:      "delete projects",
	ProjectEdit:        "edit projects",
	ProjectGroupView:   "view project groups",
	ProjectView:        "view projects",
	ReleaseCreate:      "create releases",
	ReleaseView:        "view releases",
	RunbookEdit:        "edit runbooks",
	RunbookRunCreate:   "run runbooks",
	RunbookRunView:     "view runbook runs",
	RunbookView:        "view runbooks",
	SpaceCreate:        "create spaces",
	SpaceEdit:          "edit spaces",
	TaskCancel:         "cancel tasks",
	TaskView:           "view tasks",
	TeamEdit:           "edit teams",
	TeamView:           "view teams",
	TenantCreate:       "create tenants",
	TenantEdit:         "edit tenants",
	TenantView:         "view tenants",
	UserEdit:           "edit users",
	UserRoleEdit:       "edit user roles",
	UserRoleView:       "view user roles",
	UserView:           "view users",
}

// Built-in user role IDs (see doc.go: the ID format is inferred).
const (
	RoleSystemAdministrator = "userroles-systemadministrator"
	RoleSystemManager       = "userroles-systemmanager"
	RoleSpaceManager        = "userroles-spacemanager"
	RoleProjectViewer       = "userroles-projectviewer"
	RoleProjectContributor  = "userroles-projectcontributor"
	RoleProjectDeployer     = "userroles-projectdeployer"
	RoleProjectLead         = "userroles-projectlead"
	RoleReleaseCreator      = "userroles-releasecreator"
	RoleRunbookConsumer     = "userroles-runbookconsumer"
	RoleEnvironmentViewer   = "userroles-environmentviewer"
	RoleTenantManager       = "userroles-tenantmanager"
)

var (
	projectViewerPerms = strings.Fields(`ArtifactView DeploymentView EnvironmentView EventView FeedView
InterruptionView LibraryVariableSetView LifecycleView MachineView MachinePolicyView ProcessView
ProjectGroupView ProjectView ReleaseView RunbookRunView RunbookView TaskView TeamView TenantView
TriggerView VariableView ActionTemplateView CertificateView WorkerView`)
	contributorExtra = strings.Fields(`ArtifactCreate ArtifactDelete ArtifactEdit ProcessEdit ProjectEdit
RunbookEdit TriggerCreate TriggerDelete TriggerEdit VariableEdit VariableEditUnscoped VariableViewUnscoped`)
	deployerExtra = strings.Fields(`DeploymentCreate InterruptionSubmit InterruptionViewSubmitResponsible
RunbookRunCreate TaskCancel TaskCreate DefectReport BuiltInFeedDownload`)
	releaseCreatorExtra = strings.Fields(`ReleaseCreate BuiltInFeedDownload`)
	leadExtra           = strings.Fields(`ReleaseCreate ReleaseEdit ReleaseDelete DeploymentDelete DefectResolve
RunbookRunDelete TenantEdit`)
	runbookConsumerPerms = strings.Fields(`ProjectView RunbookView RunbookRunView RunbookRunCreate
EnvironmentView TaskView InterruptionView InterruptionSubmit FeedView LifecycleView TenantView`)
	environmentViewerPerms = strings.Fields(`EnvironmentView MachineView MachinePolicyView WorkerView`)
	tenantManagerPerms     = strings.Fields(`TenantCreate TenantDelete TenantEdit TenantView TagSetCreate
TagSetDelete TagSetEdit ProjectView EnvironmentView LifecycleView`)
)

func union(lists ...[]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range lists {
		for _, p := range l {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	sort.Strings(out)
	return out
}

// builtInRoles are created in every world. Their names are the ones a seed
// or an Octopus user refers to.
func builtInRoles() []*UserRole {
	r := func(id, name, desc string, space, system []string) *UserRole {
		return &UserRole{Meta: Meta{ID: id}, Name: name, Description: desc,
			GrantedSpacePermissions: union(space), GrantedSystemPermissions: union(system)}
	}
	return []*UserRole{
		r(RoleSystemAdministrator, "System administrator", "Can perform all system-level functions.", nil, systemPermissionNames),
		r(RoleSystemManager, "System manager", "Can manage spaces, users and teams.", nil,
			slices.DeleteFunc(slices.Clone(systemPermissionNames), func(p string) bool { return p == "AdministerSystem" || p == "ConfigureServer" })),
		r(RoleSpaceManager, "Space manager", "Can do everything within a space.", spacePermissionNames, nil),
		r(RoleProjectViewer, "Project viewer", "Can view projects and their deployments, but not change them.", projectViewerPerms, nil),
		r(RoleProjectContributor, "Project contributor", "Can edit projects, but not create or deploy releases.", union(projectViewerPerms, contributorExtra), nil),
		r(RoleProjectDeployer, "Project deployer", "Can deploy releases and run runbooks, and answer interruptions.", union(projectViewerPerms, contributorExtra, deployerExtra), nil),
		r(RoleProjectLead, "Project lead", "Can create, deploy and manage releases.", union(projectViewerPerms, contributorExtra, deployerExtra, leadExtra), nil),
		r(RoleReleaseCreator, "Release creator", "Can create releases, but not deploy them.", union(projectViewerPerms, releaseCreatorExtra), nil),
		r(RoleRunbookConsumer, "Runbook consumer", "Can run published runbooks.", runbookConsumerPerms, nil),
		r(RoleEnvironmentViewer, "Environment viewer", "Can view environments and their targets.", environmentViewerPerms, nil),
		r(RoleTenantManager, "Tenant manager", "Can manage tenants and tag sets.", tenantManagerPerms, nil),
	}
}
