package report

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ward-sec/ward/internal/model"
)

// class is one asset class as the table format shows it.
type class struct {
	name    string
	count   func(*model.Inventory) int
	notes   func(*model.Inventory) string
	headers []string
	rows    func(*model.Inventory) [][]string
}

// Classes are the names accepted by --show.
func Classes() []string {
	var out []string
	for _, c := range classes {
		out = append(out, c.name)
	}
	return out
}

var classes = []class{
	{name: "users", count: func(i *model.Inventory) int { return len(i.Users) },
		notes: func(i *model.Inventory) string {
			var uid0 []string
			login := 0
			for _, u := range i.Users {
				if u.UID == 0 {
					uid0 = append(uid0, u.Name)
				}
				if u.CanLogin {
					login++
				}
			}
			return fmt.Sprintf("%d can log in; UID 0: %s", login, strings.Join(uid0, ", "))
		},
		headers: []string{"NAME", "UID", "GID", "SHELL", "PASSWORD", "SCHEME", "LAST LOGIN", "GROUPS"},
		rows: func(i *model.Inventory) [][]string {
			var r [][]string
			for _, u := range i.Users {
				last := ""
				if u.LastLogin != nil {
					last = u.LastLogin.Format("2006-01-02 15:04")
					if u.LastLoginFrom != "" {
						last += " from " + u.LastLoginFrom
					}
				}
				r = append(r, []string{u.Name, strconv.Itoa(u.UID), strconv.Itoa(u.GID), u.Shell, string(u.Password), u.HashScheme, last, strings.Join(u.Groups, ",")})
			}
			return r
		}},
	{name: "groups", count: func(i *model.Inventory) int { return len(i.Groups) },
		headers: []string{"NAME", "GID", "MEMBERS"},
		rows: func(i *model.Inventory) [][]string {
			var r [][]string
			for _, g := range i.Groups {
				r = append(r, []string{g.Name, strconv.Itoa(g.GID), strings.Join(g.Members, ",")})
			}
			return r
		}},
	{name: "sudoers", count: func(i *model.Inventory) int { return len(i.Sudoers) },
		notes: func(i *model.Inventory) string {
			n := 0
			for _, s := range i.Sudoers {
				if s.NoPasswd {
					n++
				}
			}
			return fmt.Sprintf("%d NOPASSWD", n)
		},
		headers: []string{"PRINCIPAL", "HOSTS", "RUN AS", "NOPASSWD", "COMMANDS", "FILE"},
		rows: func(i *model.Inventory) [][]string {
			var r [][]string
			for _, s := range i.Sudoers {
				r = append(r, []string{s.Principal, s.Hosts, s.RunAs, yes(s.NoPasswd), strings.Join(s.Commands, ", "), fmt.Sprintf("%s:%d", s.File, s.Line)})
			}
			return r
		}},
	{name: "ssh-keys", count: func(i *model.Inventory) int { return len(i.AuthorizedKeys) },
		headers: []string{"USER", "TYPE", "BITS", "FINGERPRINT", "COMMENT", "OPTIONS", "FILE"},
		rows: func(i *model.Inventory) [][]string {
			var r [][]string
			for _, k := range i.AuthorizedKeys {
				r = append(r, []string{k.User, k.Type, strconv.Itoa(k.Bits), k.Fingerprint, k.Comment, strings.Join(k.Options, ","), fmt.Sprintf("%s:%d", k.File, k.Line)})
			}
			return r
		}},
	{name: "logins", count: func(i *model.Inventory) int { return len(i.Logins) },
		headers: []string{"USER", "TTY", "FROM", "TIME"},
		rows: func(i *model.Inventory) [][]string {
			var r [][]string
			for _, l := range i.Logins {
				r = append(r, []string{l.User, l.TTY, l.From, l.Time.Format("2006-01-02 15:04:05")})
			}
			return r
		}},
	{name: "processes", count: func(i *model.Inventory) int { return len(i.Processes) },
		notes: func(i *model.Inventory) string {
			del, cont := 0, 0
			for _, p := range i.Processes {
				if p.ExeDeleted {
					del++
				}
				if p.ContainerID != "" {
					cont++
				}
			}
			return fmt.Sprintf("%d in containers, %d with deleted executable", cont, del)
		},
		headers: []string{"PID", "PPID", "USER", "EXE", "SHA256", "CONTAINER", "CMDLINE"},
		rows: func(i *model.Inventory) [][]string {
			var r [][]string
			for _, p := range i.Processes {
				exe := p.Exe
				if p.ExeDeleted {
					exe += " (deleted)"
				}
				r = append(r, []string{strconv.Itoa(p.PID), strconv.Itoa(p.PPID), p.User, exe, short(p.ExeSHA256, 12), short(p.ContainerID, 12), clip(strings.Join(p.Cmdline, " "), 80)})
			}
			return r
		}},
	{name: "ports", count: func(i *model.Inventory) int { return countSockets(i, true) },
		notes: func(i *model.Inventory) string {
			all := 0
			for _, s := range i.Sockets {
				if s.Listening() && (s.LocalAddr == "0.0.0.0" || s.LocalAddr == "::") {
					all++
				}
			}
			return fmt.Sprintf("%d on all addresses", all)
		},
		headers: []string{"PROTO", "ADDRESS", "PORT", "PID", "PROCESS"},
		rows: func(i *model.Inventory) [][]string {
			var r [][]string
			for _, s := range i.Sockets {
				if s.Listening() {
					r = append(r, []string{s.Protocol, s.LocalAddr, strconv.Itoa(s.LocalPort), strconv.Itoa(s.PID), s.ProcessName})
				}
			}
			return r
		}},
	{name: "connections", count: func(i *model.Inventory) int { return countSockets(i, false) },
		headers: []string{"PROTO", "LOCAL", "REMOTE", "STATE", "PID", "PROCESS"},
		rows: func(i *model.Inventory) [][]string {
			var r [][]string
			for _, s := range i.Sockets {
				if !s.Listening() {
					r = append(r, []string{s.Protocol, fmt.Sprintf("%s:%d", s.LocalAddr, s.LocalPort), fmt.Sprintf("%s:%d", s.RemoteAddr, s.RemotePort), s.State, strconv.Itoa(s.PID), s.ProcessName})
				}
			}
			return r
		}},
	{name: "packages", count: func(i *model.Inventory) int { return len(i.Packages) },
		notes: func(i *model.Inventory) string {
			by := map[model.PackageType]int{}
			for _, p := range i.Packages {
				by[p.Type]++
			}
			var parts []string
			for t, n := range by {
				parts = append(parts, fmt.Sprintf("%s %d", t, n))
			}
			sort.Strings(parts)
			return strings.Join(parts, ", ")
		},
		headers: []string{"TYPE", "NAME", "VERSION", "SOURCE", "ARCH", "LOCATION"},
		rows: func(i *model.Inventory) [][]string {
			var r [][]string
			for _, p := range i.Packages {
				name := p.Name
				if p.Group != "" {
					name = p.Group + ":" + p.Name
				}
				v := p.Version
				if p.Release != "" {
					v += "-" + p.Release
				}
				if p.Epoch > 0 {
					v = strconv.Itoa(p.Epoch) + ":" + v
				}
				r = append(r, []string{string(p.Type), name, v, p.SourceName, p.Arch, p.Location})
			}
			return r
		}},
	{name: "services", count: func(i *model.Inventory) int { return len(i.Services) },
		notes: func(i *model.Inventory) string {
			en, act := 0, 0
			for _, s := range i.Services {
				if s.Enabled == "enabled" {
					en++
				}
				if s.Active == "active" {
					act++
				}
			}
			return fmt.Sprintf("%d enabled, %d active", en, act)
		},
		headers: []string{"NAME", "MANAGER", "ENABLED", "ACTIVE", "USER", "EXEC"},
		rows: func(i *model.Inventory) [][]string {
			var r [][]string
			for _, s := range i.Services {
				r = append(r, []string{s.Name, s.Manager, s.Enabled, s.Active, s.User, clip(s.ExecStart, 70)})
			}
			return r
		}},
	{name: "startup", count: func(i *model.Inventory) int { return len(i.StartupItems) },
		notes: func(i *model.Inventory) string {
			by := map[string]int{}
			for _, s := range i.StartupItems {
				by[s.Kind]++
			}
			var parts []string
			for k, n := range by {
				parts = append(parts, fmt.Sprintf("%s %d", k, n))
			}
			sort.Strings(parts)
			return strings.Join(parts, ", ")
		},
		headers: []string{"KIND", "USER", "SCHEDULE", "COMMAND", "PATH"},
		rows: func(i *model.Inventory) [][]string {
			var r [][]string
			for _, s := range i.StartupItems {
				p := s.Path
				if s.Line > 0 {
					p = fmt.Sprintf("%s:%d", s.Path, s.Line)
				}
				r = append(r, []string{s.Kind, s.User, s.Schedule, clip(s.Command, 70), p})
			}
			return r
		}},
	{name: "kernel-modules", count: func(i *model.Inventory) int { return len(i.KernelModules) },
		headers: []string{"NAME", "LOADED", "SOURCE", "SIZE", "USED BY"},
		rows: func(i *model.Inventory) [][]string {
			var r [][]string
			for _, m := range i.KernelModules {
				r = append(r, []string{m.Name, yes(m.Loaded), m.Source, strconv.FormatInt(m.Size, 10), strings.Join(m.UsedBy, ",")})
			}
			return r
		}},
	{name: "applications", count: func(i *model.Inventory) int { return len(i.Applications) },
		notes: func(i *model.Inventory) string {
			var parts []string
			for _, a := range i.Applications {
				s := a.Name
				if a.Version != "" {
					s += " " + a.Version
				}
				parts = append(parts, s)
			}
			return clip(strings.Join(parts, ", "), 90)
		},
		headers: []string{"NAME", "CATEGORY", "VERSION", "RUNNING", "PORTS", "CONFIG", "EVIDENCE"},
		rows: func(i *model.Inventory) [][]string {
			var r [][]string
			for _, a := range i.Applications {
				var ports []string
				for _, p := range a.Ports {
					ports = append(ports, strconv.Itoa(p))
				}
				r = append(r, []string{a.Name, a.Category, a.Version, yes(a.Running), strings.Join(ports, ","), strings.Join(a.ConfigPaths, ","), strings.Join(a.Evidence, ",")})
			}
			return r
		}},
	{name: "websites", count: func(i *model.Inventory) int { return len(i.WebSites) },
		headers: []string{"SERVER", "NAMES", "LISTEN", "TLS", "ROOT", "PROXY", "CONFIG"},
		rows: func(i *model.Inventory) [][]string {
			var r [][]string
			for _, s := range i.WebSites {
				r = append(r, []string{s.Server, strings.Join(s.ServerNames, ","), strings.Join(s.Listen, ","), yes(s.TLS), s.DocumentRoot, strings.Join(s.ProxyPass, ","), fmt.Sprintf("%s:%d", s.ConfigFile, s.Line)})
			}
			return r
		}},
	{name: "webapps", count: func(i *model.Inventory) int { return len(i.WebApps) },
		headers: []string{"NAME", "VERSION", "LANGUAGE", "PATH", "SITE"},
		rows: func(i *model.Inventory) [][]string {
			var r [][]string
			for _, a := range i.WebApps {
				r = append(r, []string{a.Name, a.Version, a.Language, a.Path, a.Site})
			}
			return r
		}},
	{name: "containers", count: func(i *model.Inventory) int { return len(i.Containers) },
		headers: []string{"ID", "NAME", "IMAGE", "RUNTIME", "STATE", "PRIVILEGED", "PORTS"},
		rows: func(i *model.Inventory) [][]string {
			var r [][]string
			for _, c := range i.Containers {
				r = append(r, []string{short(c.ID, 12), c.Name, c.Image, c.Runtime, c.State, yes(c.Privileged), strings.Join(c.Ports, ",")})
			}
			return r
		}},
}

func countSockets(i *model.Inventory, listening bool) int {
	n := 0
	for _, s := range i.Sockets {
		if s.Listening() == listening {
			n++
		}
	}
	return n
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return ""
}

func short(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func clip(s string, n int) string {
	if len([]rune(s)) > n {
		return string([]rune(s)[:n-1]) + "…"
	}
	return s
}
