package bench

// The scripts the octostar arms run. They are copies of
// scripts/bench/train.star and scripts/bench/wait_all.star, kept here so
// that the benchmark binary runs from any folder; TestScriptsMatchRepo
// keeps them equal.
const (
	trainScript = `# The release train that "make bench" times (cmd/octostar-bench): every
# project of a group gets a release and goes to Development, all at once;
# when all have landed, every one goes on to Test.
#   octostar run --max-parallel 10 --var version=1.0.0 scripts/bench/train.star
group = vars.get("group", "Train")
version = vars.get("version", "1.0.0")

released = []
for p in projects(group = group):
    r = create_release(p.name, version = version)
    deploy(p.name, to = "Development", release = r, wait = False)
    released.append(r)
wait()

for release in released:
    deploy(release.project, to = "Test", release = release, wait = False)
wait()
`

	waitScript = `# The memory scenario of "make bench" (cmd/octostar-bench): every project
# of a group gets a release that one deploy() call sends to every
# environment at once, then the script waits on all those tasks together
# (200 projects x 10 environments: 2,000 tasks).
#   octostar run --max-parallel 0 --var group=Wide scripts/bench/wait_all.star
group = vars.get("group", "Wide")
version = vars.get("version", "1.0.0")
everywhere = [e.name for e in environments()]

for p in projects(group = group):
    r = create_release(p.name, version = version)
    deploy(p.name, to = everywhere, release = r, wait = False)
wait()
`
)
