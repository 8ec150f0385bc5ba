// Package yamllist reads the YAML data files of the fingerprint-driven
// collectors (applications, web applications): each file is a list of
// entries, and a directory of such files is one set.
package yamllist

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"gopkg.in/yaml.v3"
)

// Parse decodes data, a YAML list of T, refusing unknown keys (a misspelt
// key is an error, not a silently ignored setting). prepare is called on
// each entry in order; it returns the entry's name for error messages and
// an error for an invalid entry. Errors start with name, the file the data
// came from, so a broken user-supplied file is easy to find; a file larger
// than max bytes is refused.
func Parse[T any](name string, data []byte, max int, prepare func(*T) (string, error)) (list []*T, err error) {
	defer func() {
		// A parser bug must not take the agent down with a bad data file.
		if r := recover(); r != nil {
			list, err = nil, fmt.Errorf("%s: invalid YAML: %v", name, r)
		}
	}()
	if len(data) > max {
		return nil, fmt.Errorf("%s: file larger than %d bytes", name, max)
	}
	var raw []*T
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for i, e := range raw {
		if e == nil {
			return nil, fmt.Errorf("%s: entry %d is empty", name, i+1)
		}
		if label, err := prepare(e); err != nil {
			return nil, fmt.Errorf("%s: entry %d (%s): %w", name, i+1, label, err)
		}
	}
	return raw, nil
}

// ForEachFile calls fn with the name and contents of every *.yaml and *.yml
// file at the top of fsys, in name order, and stops at the first error. A
// file larger than max bytes is an error naming it.
func ForEachFile(fsys fs.FS, max int, fn func(name string, data []byte) error) error {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !(strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")) {
			continue
		}
		data, err := readCapped(fsys, name, max)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := fn(name, data); err != nil {
			return err
		}
	}
	return nil
}

func readCapped(fsys fs.FS, name string, max int) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, int64(max)+1))
	if err != nil {
		return nil, err
	}
	if len(data) > max {
		return nil, fmt.Errorf("file larger than %d bytes", max)
	}
	return data, nil
}
