package octosim

import (
	"net/http"
	"strings"
)

// The API root and space roots. go-client builds every sling-based service
// from these links (preferring the space root's), so their templates must
// carry every parameter those services expand.

func init() {
	addRoutes(
		routeSpec{Method: http.MethodGet, Pattern: "/api", Handler: serverRoot, Anonymous: true},
		routeSpec{Method: http.MethodGet, Pattern: "/api/{spaceId}", Handler: spaceRoot},
	)
}

// RootDocument is GET /api.
type RootDocument struct {
	Application          string            `json:"Application"`
	Version              string            `json:"Version"`
	APIVersion           string            `json:"ApiVersion"`
	InstallationID       string            `json:"InstallationId"`
	IsEarlyAccessProgram bool              `json:"IsEarlyAccessProgram"`
	HasLongTermSupport   bool              `json:"HasLongTermSupport"`
	Links                map[string]string `json:"Links"`
}

// systemLinks are links outside any space.
var systemLinks = map[string]string{
	"Self":                        "/api",
	"Authentication":              "/api/authentication",
	"CommunityActionTemplates":    "/api/communityactiontemplates{/id}{?skip,take,ids}",
	"Configuration":               "/api/configuration{/id}",
	"CurrentLicense":              "/api/licenses/licenses-current",
	"CurrentUser":                 "/api/users/me",
	"EventAgents":                 "/api/events/agents",
	"EventCategories":             "/api/events/categories{?appliesTo}",
	"EventDocumentTypes":          "/api/events/documenttypes",
	"EventGroups":                 "/api/events/groups{?appliesTo}",
	"Events":                      "/api/events{/id}{?skip,regarding,regardingAny,user,users,projects,projectGroups,environments,eventGroups,eventCategories,eventAgents,tags,tenants,from,to,internal,fromAutoId,toAutoId,documentTypes,asCsv,take,ids,spaces,includeSystem,excludeDifference}",
	"ExternalUserSearch":          "/api/users/external-search{?partialName}",
	"FeaturesConfiguration":       "/api/featuresconfiguration",
	"Invitations":                 "/api/users/invitations",
	"OctopusServerNodes":          "/api/octopusservernodes{/id}{?skip,take,ids,partialName}",
	"PermissionDescriptions":      "/api/permissions/all",
	"Register":                    "/api/users/register",
	"ScopedUserRoles":             "/api/scopeduserroles{/id}{?skip,take,ids,partialName,spaces,includeSystem}",
	"ServerConfiguration":         "/api/serverconfiguration",
	"ServerStatus":                "/api/serverstatus",
	"SignIn":                      "/api/users/login{?returnUrl}",
	"SignOut":                     "/api/users/logout",
	"SpaceHome":                   "/api/{spaceId}",
	"Spaces":                      "/api/spaces{/id}{?name,skip,ids,take,partialName}",
	"Tasks":                       "/api/tasks{/id}{?skip,active,environment,tenant,runbook,project,name,node,running,states,hasPendingInterruptions,hasWarningsOrErrors,take,ids,partialName,spaces,includeSystem}",
	"TaskTypes":                   "/api/tasks/taskTypes",
	"TeamMembership":              "/api/teammembership{?userId,spaces,includeSystem}",
	"TeamMembershipPreviewTeam":   "/api/teammembership/previewteam",
	"Teams":                       "/api/teams{/id}{?skip,take,ids,partialName,spaces,includeSystem}",
	"UserAuthentication":          "/api/users/authentication{/userId}",
	"UserIdentityMetadata":        "/api/users/identity-metadata",
	"UserRoles":                   "/api/userroles{/id}{?skip,take,ids,partialName}",
	"Users":                       "/api/users{/id}{?skip,take,ids,filter}",
	"Web":                         "/app",
	"Timezones":                   "/api/serverstatus/timezones",
	"BuiltInFeedStats":            "/api/feeds/stats",
	"MaintenanceConfiguration":    "/api/maintenanceconfiguration",
	"SmtpConfiguration":           "/api/smtpconfiguration",
	"LetsEncryptConfiguration":    "/api/letsencryptconfiguration",
	"UpgradeConfiguration":        "/api/upgradeconfiguration",
	"PerformanceConfiguration":    "/api/performanceconfiguration",
	"OctopusServerClusterSummary": "/api/octopusservernodes/summary",
}

// spaceLinkTemplates are links inside a space; "{space}" is replaced by the
// space's ID.
var spaceLinkTemplates = map[string]string{
	"Accounts":                 "/api/{space}/accounts{/id}{?skip,take,ids,partialName,accountType}",
	"ActionTemplates":          "/api/{space}/actiontemplates{/id}{?skip,take,ids,partialName}",
	"Artifacts":                "/api/{space}/artifacts{/id}{?skip,take,regarding,ids,partialName,order}",
	"BuildInformation":         "/api/{space}/build-information{/id}{?filter,packageId,latest,skip,take,overwriteMode}",
	"BuildInformationBulk":     "/api/{space}/build-information/bulk{?ids}",
	"Certificates":             "/api/{space}/certificates{/id}{?skip,take,search,archived,tenant,firstResult,orderBy,ids,partialName}",
	"Channels":                 "/api/{space}/channels{/id}{?skip,take,ids,partialName}",
	"Dashboard":                "/api/{space}/dashboard{?projectId,releaseId,selectedTenants,selectedTags,showAll,highestLatestVersionPerProjectAndEnvironment}",
	"DashboardConfiguration":   "/api/{space}/dashboardconfiguration",
	"DashboardDynamic":         "/api/{space}/dashboard/dynamic{?projects,environments,includePrevious}",
	"DeploymentProcesses":      "/api/{space}/deploymentprocesses{/id}{?skip,take,ids}",
	"Deployments":              "/api/{space}/deployments{/id}{?skip,take,ids,projects,environments,tenants,channels,taskState,partialName}",
	"Environments":             "/api/{space}/environments{/id}{?name,skip,ids,take,partialName}",
	"EnvironmentSortOrder":     "/api/{space}/environments/sortorder",
	"EnvironmentsSummary":      "/api/{space}/environments/summary{?ids,partialName,machinePartialName,roles,isDisabled,healthStatuses,commStyles,tenantIds,tenantTags,hideEmptyEnvironments,shellNames}",
	"Feeds":                    "/api/{space}/feeds{/id}{?skip,take,ids,partialName,feedType}",
	"Interruptions":            "/api/{space}/interruptions{/id}{?skip,take,regarding,pendingOnly,ids}",
	"LibraryVariables":         "/api/{space}/libraryvariablesets{/id}{?skip,contentType,take,ids,partialName}",
	"Lifecycles":               "/api/{space}/lifecycles{/id}{?skip,take,ids,partialName}",
	"MachinePolicies":          "/api/{space}/machinepolicies{/id}{?skip,take,ids,partialName}",
	"MachineRoles":             "/api/{space}/machineroles/all",
	"Machines":                 "/api/{space}/machines{/id}{?skip,take,name,ids,partialName,roles,isDisabled,healthStatuses,commStyles,tenantIds,tenantTags,environmentIds,thumbprint,deploymentId,shellNames}",
	"PackageDeltaSignature":    "/api/{space}/packages/{packageId}/{version}/delta-signature",
	"PackageDeltaUpload":       "/api/{space}/packages/{packageId}/{baseVersion}/delta{?replace,overwriteMode}",
	"PackageNotesList":         "/api/{space}/packages/notes{?packageIds}",
	"Packages":                 "/api/{space}/packages{/id}{?nuGetPackageId,filter,latest,skip,take,includeNotes}",
	"PackagesBulk":             "/api/{space}/packages/bulk{?ids}",
	"PackageUpload":            "/api/{space}/packages/raw{?replace,overwriteMode}",
	"Progression":              "/api/{space}/progression/{projectId}{?releaseHistoryCount}",
	"ProjectGroups":            "/api/{space}/projectgroups{/id}{?skip,take,ids,partialName}",
	"ProjectPulse":             "/api/{space}/projects/pulse{?projectIds}",
	"Projects":                 "/api/{space}/projects{/id}{?name,skip,ids,clone,take,partialName,clonedFromProjectId}",
	"ProjectTriggers":          "/api/{space}/projecttriggers{/id}{?skip,take,ids,runbooks}",
	"Proxies":                  "/api/{space}/proxies{/id}{?skip,take,ids,partialName}",
	"Releases":                 "/api/{space}/releases{/id}{?skip,ignoreChannelRules,take,ids}",
	"RunbookProcesses":         "/api/{space}/runbookProcesses{/id}{?skip,take,ids}",
	"RunbookRuns":              "/api/{space}/runbookRuns{/id}{?skip,take,ids,projects,environments,tenants,runbooks,taskState,partialName}",
	"Runbooks":                 "/api/{space}/runbooks{/id}{?skip,take,ids,partialName,clone,projectIds}",
	"RunbookSnapshots":         "/api/{space}/runbookSnapshots{/id}{?skip,take,ids,publish}",
	"ScheduledProjectTriggers": "/api/{space}/scheduledprojecttriggers{/id}{?skip,take,ids}",
	"Subscriptions":            "/api/{space}/subscriptions{/id}{?skip,take,ids,partialName,spaces}",
	"TagSets":                  "/api/{space}/tagsets{/id}{?skip,take,ids,partialName}",
	"TagSetSortOrder":          "/api/{space}/tagsets/sortorder",
	"Tenants":                  "/api/{space}/tenants{/id}{?skip,projectId,name,tags,take,ids,clone,partialName,clonedFromTenantId}",
	"TenantsMissingVariables":  "/api/{space}/tenants/variables-missing{?tenantId,projectId,environmentId,includeDetails}",
	"TenantsStatus":            "/api/{space}/tenants/status",
	"TenantTagTest":            "/api/{space}/tenants/tag-test{?tenantIds,tags}",
	"TenantVariables":          "/api/{space}/tenantvariables/all{?projectId}",
	"UserOnboarding":           "/api/{space}/useronboarding",
	"VariableNames":            "/api/{space}/variables/names{?project,runbook,projectEnvironmentsFilter}",
	"VariablePreview":          "/api/{space}/variables/preview{?project,runbook,environment,channel,tenant,action,machine,role}",
	"Variables":                "/api/{space}/variables{/id}{?ids}",
	"VersionRuleTest":          "/api/{space}/channels/rule-test{?version,versionRange,preReleaseTag,feetType}",
	"WorkerPools":              "/api/{space}/workerpools{/id}{?name,skip,ids,take,partialName}",
	"Workers":                  "/api/{space}/workers{/id}{?skip,take,name,ids,partialName,isDisabled,healthStatuses,commStyles,workerPoolIds,thumbprint,shellNames}",
	"Web":                      "/app#/{space}",
}

// spaceLinks renders the space-scoped links for one space.
func spaceLinks(spaceID string) map[string]string {
	out := make(map[string]string, len(spaceLinkTemplates)+1)
	for k, v := range spaceLinkTemplates {
		out[k] = strings.ReplaceAll(v, "{space}", spaceID)
	}
	return out
}

// serverRoot is GET /api (and /api/): system links plus the default
// space's links, as a server with spaces points its root at the default.
func serverRoot(c *call) (int, any, error) {
	links := map[string]string{}
	st := c.s.store()
	st.mu.RLock()
	sp := defaultSpace(st)
	st.mu.RUnlock()
	if sp != nil {
		for k, v := range spaceLinks(sp.ID) {
			links[k] = v
		}
	}
	for k, v := range systemLinks {
		links[k] = v
	}
	return http.StatusOK, &RootDocument{Application: "Octopus Deploy", Version: c.s.cfg.version, APIVersion: "3.0.0",
		InstallationID: c.s.cfg.installID, HasLongTermSupport: true, Links: links}, nil
}

// SpaceRootDocument is GET /api/{spaceId} ("SpaceHome"): links only, with
// no Tasks, CurrentUser, Users or Spaces (those stay on the server root).
type SpaceRootDocument struct {
	Links map[string]string `json:"Links"`
}

func spaceRoot(c *call) (int, any, error) {
	links := spaceLinks(c.spaceID)
	links["Self"] = "/api/" + c.spaceID
	links["SpaceHome"] = "/api/" + c.spaceID
	return http.StatusOK, &SpaceRootDocument{Links: links}, nil
}
