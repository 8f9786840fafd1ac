// Package versioning is the version arithmetic of the Octopus Deploy
// simulator: parsing and ordering package and release versions, NuGet
// version ranges, channel version rules, release versioning templates
// and masks. It is pure logic with no I/O and no clock of its own.
//
// # Pieces
//
//   - [Version], [Parse], [Compare]: Octopus/NuGet semantic versions with
//     1 to 4 numeric parts.
//   - [Range], [ParseRange]: NuGet range syntax used by channel rules.
//   - [ChannelRule], [SelectLatest]: a rule's range plus pre-release tag
//     pattern, and "the newest version satisfying the rule".
//   - [NextVersion], [ExpandTemplate]: a project's VersioningStrategy
//     template (#{Octopus.Version.NextPatch} and friends).
//   - [IsMask], [ApplyMask], [LatestMatchingMask], [ResolveReleaseVersion]:
//     "i"/"c" masks such as 1.2.i.
//   - [DonorPackageVersion], [IsDuplicate], [DuplicateReleaseMessage]:
//     release-creation helpers.
//
// # Choices
//
// Where the reference (shared/reference/octopus-api.md) marks a behaviour
// as inferred or says nothing, this package chose as follows. "Octopus
// code" means facts read from Octopus's public Versioning, OctopusClients
// and Octostache repositories; "docs" the Octopus documentation.
//
//	| Topic | Choice | Basis |
//	|---|---|---|
//	| Numeric parts | 1 to 4, digits only, each ≤ 2147483647; leading zeros allowed (01 == 1); missing parts are 0 for ordering (1.2 == 1.2.0 == 1.2.0.0) | Octopus code (System.Version, normalisation) |
//	| Whitespace | Parse trims surrounding whitespace and rejects inner whitespace; ParseRange removes all whitespace, even inside versions ("[ 1 . 2 , 2 )") | Octopus code / range tests |
//	| Leading "v" | rejected ("v1.0" is not a version) | Octopus SemVer parser; the permissive Docker-tag parser is out of scope |
//	| Pre-release identifiers | [0-9A-Za-z-], non-empty; leading zeros allowed | Octopus code |
//	| Numeric identifier | all ASCII digits, any length, compared by value | SemVer; Octopus uses int.TryParse, so "-1" would count as numeric there and identifiers above 2147483647 as text: deliberate divergence |
//	| Text identifiers | compared ordinally after ASCII upper-casing: 1.0.0-Beta == 1.0.0-beta | Octopus code (OrdinalIgnoreCase) |
//	| Build metadata | ignored by Compare and Range; breaks ties (case-insensitively) in SelectLatest, Latest, Sort and LatestMatchingMask | brief; Octopus default comparer |
//	| String | the parsed text, trimmed, never normalised | brief |
//	| PrereleaseTag | first dot-separated identifier: "beta" for 1.0.0-beta.2, "beta-2" for 1.0.0-beta-2 | brief |
//	| Range forms | 1.0, [1.0], [a,b], [a,b), (a,b], (a,b), (,b], (,b), [a,), (a,); *, 1.*, 1.2.*, 1.2.3.* as a lower bound | NuGet / Octopus code |
//	| Invalid ranges | empty, (,), [,], (1.0), [1.0), (1.0], lower above upper, equal bounds not both inclusive, more than one comma, pre-release floats (1.0-*), a floating upper bound | NuGet rejects all but (1.0,1.0) and the float limits; we also reject (1.0,1.0) (matches nothing) and pre-release floats (unsupported) |
//	| Pre-releases in a range | plain ordering: [1.0,2.0) contains 1.5.0-beta and 2.0.0-rc.1 | NuGet Satisfies ignores IncludePrerelease; docs ([2.0.0-alpha.1,2.0.0)) |
//	| Maven range syntax | not supported | out of scope (Maven feeds only) |
//	| Empty VersionRange / Tag on a rule | admits everything; all-whitespace counts as empty | docs; whitespace case inferred |
//	| Tag pattern input | pre-release, plus "+metadata" when there is metadata; so ^$ rejects 1.0.0+build | Octopus staff (help.octopus.com t/8904), docs channels table |
//	| Tag pattern matching | unanchored search, case-sensitive | .NET Regex.IsMatch default options (inferred) |
//	| Tag pattern dialect | Go RE2, plus one leading ^(?!X)Y negative lookahead (docs example ^(?!beta).+); other lookarounds and backreferences are errors | Go has no .NET regex; deliberate divergence |
//	| SelectLatest | skips invalid strings; newest by Compare, then metadata, then earliest in input | inferred |
//	| Template syntax | #{Name}, #{if}/#{unless} with ==, != or truthiness, #{else}, ##{ escape; no filters, #{each}, nested #{ | docs (Octostache); subset chosen for version templates |
//	| Truthiness | false for "", "0", and (trimmed, any case) "no", "false" | Octostache code |
//	| Unknown variable | in #{Name}: an error naming the token and its byte offset (Octostache would leave the text in place and the version would then fail validation); in #{if}/#{unless} conditions: "", as Octostache reads it | brief; Octostache code |
//	| Condition operands | the right side of == / != is a variable name unless quoted: in #{if A != 0} the 0 is an unknown variable, so "" (this makes the docs' date-with-revision example restart at .0 on every new day) | Octostache code |
//	| Variable names | case-insensitive; Octopus.* built-ins win over project variables; variable values are expanded recursively, cycles are errors | Octostache is case-insensitive (fact); precedence inferred |
//	| Last* base | the version passed as last: the project's most recently created release, not the highest | reference 3a (forum t/10148) |
//	| No previous release | Last* = 0, Next* = 1, Suffix = "": the default template gives 0.0.1 | inferred |
//	| Build | alias of Patch | inferred (System.Version names the third part Build) |
//	| Suffix | "-" + pre-release, "" for a stable version; NextSuffix == LastSuffix | inferred; a public template tests LastSuffix != "-", hinting some servers give "-" for stable versions |
//	| Channel.* | need WithChannel; the channel's last release "" gives zeros | inferred |
//	| Channel[Name].* | need WithOtherChannel (or the current channel's name); name matched case-insensitively; unknown name is an error | inferred |
//	| Dates and times | Year, Month, Day, DayOfYear, Hour, Minute, Second from the WithClock time in its location, not zero-padded | docs example 2020.10.2.0; padding of times inferred |
//	| Preview | ExpandTemplate gives the substituted text with any mask unapplied ("2020.10.2.i"), taken to be what the deployment-process template's NextVersionIncrement shows | docs ("the i is not replaced until the release is saved"); inferred |
//	| Expanded result | trimmed; a mask is applied, anything else must be a valid version | docs ("i is not replaced until the release is saved") |
//	| Mask base | the newest of the existing versions (WithExistingVersions, plus last) agreeing with the mask's fixed parts; none gives a fresh mask (all i/c = 0) | reference 3a (inferred there); the docs' date-plus-i example only works this way |
//	| Mask rules | as Octopus's OctopusVersionMask: only the part directly after an "i" part resets (i.c.c on 1.2.3 gives 2.0.3); the part after the mask's last part is 0 if current has it, later parts dropped | Octopus code; the reference's "every part after" is broader |
//	| Mask forms | 1 to 4 numeric parts; no "v" prefix; pre-release and metadata may use i/c; "1.2.3-i" is a plain version | Octopus code; the "v" prefix is left out because release versions must be SemVer |
//	| Donor package | the selected version of the donor action/package reference, verbatim (metadata kept); names matched case-insensitively | reference 3a (octo); case rule inferred |
//	| Duplicates | exact string comparison; message text from the real server | reference 3a (issues #7513) |
package versioning
