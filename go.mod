module github.com/octostar/octostar

go 1.26.0

require (
	github.com/chzyer/readline v1.5.1
	github.com/rs/zerolog v1.35.1
	github.com/spf13/pflag v1.1.0
	go.starlark.net v0.0.0-20260908191801-89a6a09411d5
)

require (
	github.com/mattn/go-colorable v0.1.14 // indirect
	github.com/mattn/go-isatty v0.0.20 // indirect
	golang.org/x/sys v0.42.0 // indirect
)
