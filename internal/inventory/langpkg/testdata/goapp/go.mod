// A small Go program the langpkg tests build into a temporary root, so the
// Go binary extractor reads real build information: a local-directory
// replacement, a module replacement and plain dependencies, all pinned to
// versions Ward's own go.mod requires (in the module cache, no network).
module example.com/shopagent

go 1.26.0

require (
	example.com/greet v0.0.0
	github.com/google/go-cmp v0.7.0
	golang.org/x/term v0.40.0
)

require golang.org/x/sys v0.49.0 // indirect

replace example.com/greet => ./greet

replace golang.org/x/term v0.40.0 => golang.org/x/term v0.47.0
