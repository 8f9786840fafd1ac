# Octostar - Run Script: runs an octostar script (https://github.com/octostar/octostar)
# against an Octopus instance, from a Bash script step.
#
# This file is the ScriptBody of run-octostar-script.json; a test keeps the two equal
# (go test ./cmd/octostar -run TestStepTemplate -update copies it into the JSON).
#
# Every value is read at run time with get_octopusvariable rather than pasted in by
# Octopus's text substitution, so no value can change this script and the API key is
# never written to disk. The key reaches octostar in its environment
# (OCTOPUS_API_KEY), never on its command line, and is never printed.

fail() {
  echo "octostar: $1" >&2
  fail_step "octostar: $1"
}

octostar=$(get_octopusvariable "Octostar.Executable")
[ -n "$octostar" ] || octostar=octostar
if ! command -v "$octostar" >/dev/null 2>&1; then
  fail "cannot find '$octostar' on this machine: install it (go install github.com/octostar/octostar/cmd/octostar@latest) or give its path in the octostar executable parameter"
fi

# A parameter bound to a variable that has no value in this scope (this environment,
# this tenant) keeps its unexpanded binding. It starts like this (written in two
# pieces, so that Octopus does not expand it in this script):
unbound='#''{'

server=$(get_octopusvariable "Octostar.ServerUrl")
space=$(get_octopusvariable "Octostar.Space")
case "$server" in
"") fail "the Octopus server URL is empty" ;;
"$unbound"*) fail "the Octopus server URL is bound to a variable with no value in this environment or tenant: $server" ;;
esac
OCTOPUS_API_KEY=$(get_octopusvariable "Octostar.ApiKey")
case "$OCTOPUS_API_KEY" in
"") fail "the API key is empty: bind it to a sensitive variable scoped to the environments and tenants that may drive $server" ;;
"$unbound"*) fail "the API key is bound to a variable with no value in this environment or tenant, so this step may not drive $server" ;;
esac
export OCTOPUS_API_KEY
export OCTOPUS_URL="$server"
export OCTOPUS_SPACE="$space"
unset OCTOPUS_ACCESS_TOKEN
# So that octostar can say how later steps read its output variables.
OCTOSTAR_STEP_NAME=$(get_octopusvariable "Octopus.Action.Name")
export OCTOSTAR_STEP_NAME

source_kind=$(get_octopusvariable "Octostar.ScriptSource")
case "$source_kind" in
Package)
  package_dir=$(get_octopusvariable "Octopus.Action.Package[Octostar.ScriptPackage].ExtractedPath")
  script_path=$(get_octopusvariable "Octostar.ScriptPath")
  [ -n "$package_dir" ] || fail "the script source is a package, but no package was extracted: choose one in the script package parameter"
  [ -n "$script_path" ] || fail "the script source is a package, but the script path is empty"
  case "/$script_path/" in
  //* | */../*) fail "the script path must be relative to the package and stay inside it: $script_path" ;;
  esac
  script="$package_dir/$script_path"
  [ -f "$script" ] || fail "the package has no file $script_path"
  ;;
Inline | "")
  script="$PWD/octostar-script.star"
  get_octopusvariable "Octostar.Script" >"$script"
  [ -s "$script" ] || fail "the inline script is empty"
  ;;
*)
  fail "unknown script source '$source_kind': want Inline or Package"
  ;;
esac

# --octopus: speak service messages even where Calamari's variables are missing.
args=(run --octopus)
n=0
while IFS= read -r line || [ -n "$line" ]; do
  n=$((n + 1))
  line=${line%$'\r'}
  case "$line" in
  "" | "#"*) ;;
  [A-Za-z_]*=*) args+=(--var "$line") ;;
  *) fail "line $n of the variables is not NAME=VALUE" ;;
  esac
done <<<"$(get_octopusvariable "Octostar.Variables")"

# A guided-failure retry runs this step again in a new, empty working folder, maybe
# on another worker: a journal that lets octostar resume without repeating a change
# must live outside that folder.
journal=$(get_octopusvariable "Octostar.Journal")
if [ -n "$journal" ]; then
  case "$journal" in
  "$PWD"/*) fail "the journal must be outside the step's working folder, which Octopus deletes after each attempt" ;;
  /*) ;;
  *) fail "the journal path must be absolute: $journal" ;;
  esac
  mkdir -p "$(dirname "$journal")" || fail "cannot create the folder of the journal $journal"
  args+=(--journal "$journal")
fi

echo "Running $script on $server (space ${space:-the default}) with $("$octostar" version | head -n 1)"
"$octostar" "${args[@]}" "$script"
code=$?
exit $code
