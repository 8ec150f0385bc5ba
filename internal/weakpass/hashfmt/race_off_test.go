//go:build !race

package hashfmt

const raceEnabled = false
