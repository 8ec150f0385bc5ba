// Package greet is a local-directory replacement in the test program.
package greet

// Hello returns a greeting.
func Hello() string { return "hello" }
