//go:build race

package crack

const raceEnabled = true
