package process

import "bytes"

// parseCmdline splits /proc/<pid>/cmdline on NUL. The caller caps the bytes
// read (maxCmdline); a cut-off last argument is kept as read. Processes that
// rewrite their title (nginx, postgres) show one argument with spaces.
func parseCmdline(data []byte) []string {
	data = bytes.TrimRight(data, "\x00")
	if len(data) == 0 {
		return nil
	}
	parts := bytes.Split(data, []byte{0})
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = string(p)
	}
	return out
}
