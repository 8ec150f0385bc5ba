package main

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/ward-sec/ward/internal/model"
)

// Inventory shape of one simulated host (docs: bench/fleet/RESULTS.md).
const (
	poolNames     = 2000 // distinct package names in the fleet
	basePackages  = 500  // names every host has (the base system)
	hostPackages  = 800  // packages per host
	hostProcesses = 150
	hostSockets   = 30
	hostUsers     = 40
	hostFindings  = 20
)

// pkgVersion is one name/version of the shared pool.
type pkgVersion struct {
	version, source, sourceVersion string
}

type pkgName struct {
	name, arch, maintainer string
	versions               []pkgVersion // versions[0] is the common one
}

// pool is the fleet's package universe, shared by every simulated host of
// a process (read-only after init): ~2,000 names with 1-2 versions each,
// ~3,000 name/version pairs, so hosts overlap as in a real fleet.
type pool struct {
	names []pkgName
	pairs int
}

var (
	syllables = []string{"ac", "al", "ar", "ba", "be", "bo", "ca", "co", "cu", "da", "de", "di", "el", "en", "fa", "fo",
		"ga", "gi", "gl", "ha", "in", "jo", "ka", "ke", "la", "li", "lo", "ma", "me", "mo", "na", "ne", "no", "or", "pa",
		"pe", "po", "ra", "re", "ro", "sa", "se", "si", "so", "ta", "te", "ti", "to", "un", "va", "ve", "xo", "za", "zu"}
	prefixes    = []string{"lib", "lib", "lib", "python3-", "node-", "golang-", "", "", "", "perl-", "ruby-", "fonts-"}
	suffixes    = []string{"", "", "", "-common", "-data", "-utils", "-dev", "-bin", "-tools", "-doc", "1", "2", "6", "-dbg"}
	maintainers = []string{
		"Debian QA Group <packages@qa.debian.org>", "Debian Python Team <team+python@tracker.debian.org>",
		"Debian Go Packaging Team <team+pkg-go@tracker.debian.org>", "Debian Perl Group <pkg-perl-maintainers@lists.alioth.debian.org>",
		"Debian Javascript Maintainers <pkg-javascript-devel@lists.alioth.debian.org>", "GNU Libc Maintainers <debian-glibc@lists.debian.org>",
		"Debian systemd Maintainers <pkg-systemd-maintainers@lists.alioth.debian.org>", "Debian X Strike Force <debian-x@lists.debian.org>",
	}
)

func newPool(seed uint64) *pool {
	r := rand.New(rand.NewPCG(seed, 0x77617264))
	p := &pool{}
	seen := map[string]bool{}
	for len(p.names) < poolNames {
		stem := ""
		for range 2 + r.IntN(2) {
			stem += syllables[r.IntN(len(syllables))]
		}
		name := prefixes[r.IntN(len(prefixes))] + stem + suffixes[r.IntN(len(suffixes))]
		if seen[name] {
			continue
		}
		seen[name] = true
		n := pkgName{name: name, arch: "amd64", maintainer: maintainers[r.IntN(len(maintainers))]}
		if r.IntN(5) == 0 {
			n.arch = "all"
		}
		src := stem
		major, minor, patch := r.IntN(12), r.IntN(30), r.IntN(20)
		deb := 1 + r.IntN(4)
		nv := 1 + r.IntN(2) // half the names have two versions in the fleet
		for v := range nv {
			ver := fmt.Sprintf("%d.%d.%d-%d", major, minor, patch+v, deb)
			if v > 0 || r.IntN(6) == 0 {
				ver += "+deb12u" + strconv.Itoa(1+v)
			}
			if r.IntN(15) == 0 {
				ver = "1:" + ver
			}
			n.versions = append(n.versions, pkgVersion{version: ver, source: src, sourceVersion: ver})
		}
		p.pairs += nv
		p.names = append(p.names, n)
	}
	return p
}

// packages picks the host's packages: the base system plus a skewed draw
// from the rest, the same set on every scan of the host (r is seeded by
// the host), versions mostly the fleet's common one.
func (p *pool) packages(r *rand.Rand) []model.Package {
	out := make([]model.Package, 0, hostPackages)
	add := func(n *pkgName) {
		v := n.versions[0]
		if len(n.versions) > 1 && r.IntN(4) == 0 {
			v = n.versions[1]
		}
		out = append(out, model.Package{Type: model.PkgDeb, Name: n.name, Version: v.version, Arch: n.arch,
			SourceName: v.source, SourceVersion: v.sourceVersion, Maintainer: n.maintainer, Location: "/var/lib/dpkg/status"})
	}
	for i := range basePackages {
		add(&p.names[i])
	}
	picked := make(map[int]bool, hostPackages-basePackages)
	rest := len(p.names) - basePackages
	for len(picked) < hostPackages-basePackages {
		f := r.Float64()
		i := basePackages + int(f*f*float64(rest)) // popular names first
		if picked[i] {
			continue
		}
		picked[i] = true
		add(&p.names[i])
	}
	return out
}

var (
	daemons = []string{"systemd", "systemd-journald", "systemd-udevd", "systemd-logind", "dbus-daemon", "cron", "rsyslogd",
		"sshd", "nginx", "postgres", "redis-server", "java", "python3", "node", "containerd", "dockerd", "chronyd", "agetty",
		"polkitd", "unattended-upgr", "haproxy", "mysqld", "memcached", "php-fpm8.2", "bash", "sudo", "ward-agent"}
	kthreads   = []string{"kthreadd", "rcu_gp", "rcu_par_gp", "kworker/0:0H", "ksoftirqd/0", "migration/0", "kcompactd0", "khugepaged", "kswapd0", "writeback"}
	listenSvcs = []struct {
		name  string
		port  int
		proto string
	}{{"sshd", 22, "tcp"}, {"nginx", 80, "tcp"}, {"nginx", 443, "tcp"}, {"postgres", 5432, "tcp"}, {"redis-server", 6379, "tcp"},
		{"java", 8080, "tcp"}, {"java", 8443, "tcp"}, {"node", 3000, "tcp"}, {"mysqld", 3306, "tcp"}, {"memcached", 11211, "tcp"},
		{"chronyd", 323, "udp"}, {"systemd-resolve", 53, "udp"}, {"haproxy", 9000, "tcp"}, {"containerd", 10010, "tcp"},
		{"dockerd", 2375, "tcp"}, {"php-fpm8.2", 9001, "tcp"}, {"rpcbind", 111, "tcp"}, {"rpcbind", 111, "udp"},
		{"exim4", 25, "tcp"}, {"snmpd", 161, "udp"}, {"node_exporter", 9100, "tcp"}, {"java", 9200, "tcp"}, {"java", 9300, "tcp"},
		{"avahi-daemon", 5353, "udp"}, {"cupsd", 631, "tcp"}, {"sshd", 2222, "tcp"}, {"grafana", 3001, "tcp"}, {"java", 61616, "tcp"},
		{"dnsmasq", 67, "udp"}, {"smbd", 445, "tcp"}, {"java", 9092, "tcp"}, {"etcd", 2379, "tcp"}}
	sysUsers = []string{"root", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp", "proxy", "www-data",
		"backup", "list", "irc", "_apt", "nobody", "systemd-network", "systemd-timesync", "messagebus", "sshd", "postgres",
		"redis", "mysql", "_chrony", "statd", "tss", "uuidd", "tcpdump"}
	humans = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "oscar", "peggy", "trent"}
)

// host is what the simulator knows of one agent's machine.
type host struct {
	index     int
	hostname  string
	machineID string
}

func newHost(index int) host {
	return host{index: index, hostname: fmt.Sprintf("sim-%06d.bench.ward.test", index), machineID: fmt.Sprintf("%032x", uint64(index)*0x9e3779b97f4a7c15+1)}
}

// inventory builds one full inventory of h, on demand: the stable parts
// come from a generator seeded by the host, the volatile parts (PIDs,
// start times, uptime) from scan.
func (p *pool) inventory(h host, scan uint64, now time.Time) *model.Inventory {
	r := rand.New(rand.NewPCG(uint64(h.index)+1, 0x686f7374))
	v := rand.New(rand.NewPCG(uint64(h.index)+1, scan))
	boot := now.Add(-time.Duration(3600+r.IntN(90*24*3600)) * time.Second).Truncate(time.Second)
	inv := &model.Inventory{
		SchemaVersion: model.SchemaVersion, ScannedAt: now.UTC().Truncate(time.Millisecond), Root: "/", Live: true,
		Host: &model.Host{
			Hostname: h.hostname, MachineID: h.machineID,
			OS: model.OSRelease{ID: "debian", Name: "Debian GNU/Linux", PrettyName: "Debian GNU/Linux 12 (bookworm)",
				Version: "12", Codename: "bookworm", Family: "debian", VersionDetail: "12." + strconv.Itoa(5+r.IntN(7))},
			Kernel: "6.1.0-" + strconv.Itoa(18+r.IntN(10)) + "-amd64", KernelBuild: "#1 SMP PREEMPT_DYNAMIC Debian 6.1.99-1",
			Arch: "x86_64", BootTime: &boot, UptimeSeconds: int64(now.Sub(boot).Seconds()),
			CPU:         &model.CPU{Model: "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", Vendor: "GenuineIntel", Sockets: 1, Cores: 4 << r.IntN(3), Threads: 8 << r.IntN(3), MHz: 2500},
			MemoryBytes: uint64(8<<r.IntN(4)) << 30, Virtualization: "kvm", Timezone: "Etc/UTC",
			Interfaces: []model.Interface{{Name: "lo", MTU: 65536, Up: true, Addresses: []string{"127.0.0.1/8", "::1/128"}},
				{Name: "ens3", MAC: fmt.Sprintf("52:54:00:%02x:%02x:%02x", h.index>>16&0xff, h.index>>8&0xff, h.index&0xff), MTU: 1500, Up: true,
					Addresses: []string{fmt.Sprintf("10.%d.%d.%d/16", 20+h.index>>16, h.index>>8&0xff, h.index&0xff)}}},
		},
		Packages: p.packages(r),
	}
	for i, name := range sysUsers {
		inv.Users = append(inv.Users, model.User{Name: name, UID: sysUID(i), GID: sysUID(i), Home: "/var/lib/" + name,
			Shell: "/usr/sbin/nologin", Password: model.PasswordLocked, Source: "/etc/passwd", System: true})
	}
	inv.Users[0].Home, inv.Users[0].Shell, inv.Users[0].CanLogin, inv.Users[0].Password = "/root", "/bin/bash", true, model.PasswordSet
	for i := 0; len(inv.Users) < hostUsers; i++ {
		name := humans[(h.index+i)%len(humans)]
		if i >= len(humans) {
			name += strconv.Itoa(i)
		}
		inv.Users = append(inv.Users, model.User{Name: name, UID: 1000 + i, GID: 1000 + i, Gecos: name, Home: "/home/" + name,
			Shell: "/bin/bash", CanLogin: true, Password: model.PasswordSet, HashScheme: "yescrypt", Groups: []string{name, "sudo"}, Source: "/etc/passwd"})
	}
	pid := 1
	for i := range hostProcesses {
		var pr model.Process
		start := boot.Add(time.Duration(v.IntN(3600)) * time.Second)
		if i < 60 {
			pr = model.Process{PID: pid, PPID: 2, Name: kthreads[i%len(kthreads)], User: "root", StartTime: start, KernelThread: true}
		} else {
			name := daemons[(i+h.index)%len(daemons)]
			pr = model.Process{PID: pid, PPID: 1, Name: name, User: "root", Exe: "/usr/sbin/" + name,
				Cmdline: []string{"/usr/sbin/" + name, "--config", "/etc/" + name + "/" + name + ".conf"}, Cwd: "/",
				StartTime: start, Cgroup: "0::/system.slice/" + name + ".service", RSSBytes: uint64(1+v.IntN(400)) << 20}
		}
		inv.Processes = append(inv.Processes, pr)
		pid += 1 + v.IntN(40)
	}
	for i := range hostSockets {
		s := listenSvcs[(i+h.index%3)%len(listenSvcs)]
		addr := "0.0.0.0"
		switch r.IntN(3) {
		case 1:
			addr = "127.0.0.1"
		case 2:
			addr = "::"
		}
		state := "LISTEN"
		if s.proto == "udp" {
			state = "UNCONN"
		}
		proc := inv.Processes[60+i]
		inv.Sockets = append(inv.Sockets, model.Socket{Protocol: s.proto, State: state, LocalAddr: addr, LocalPort: s.port,
			Inode: uint64(10000 + v.IntN(1<<20)), PID: proc.PID, ProcessName: s.name})
	}
	return inv
}

func sysUID(i int) int {
	if i == 0 {
		return 0
	}
	if i < 12 {
		return i
	}
	return 100 + i
}

var findingRules = []struct {
	rule  string
	kind  model.Kind
	sev   model.Severity
	asset string
	title string
}{
	{"posture/listen-all-interfaces", model.KindExposure, model.SevMedium, "socket", "Service listens on all addresses"},
	{"posture/ssh-root-login", model.KindExposure, model.SevHigh, "file", "SSH permits root login"},
	{"posture/uid0-account", model.KindAccount, model.SevHigh, "user", "Account other than root has UID 0"},
	{"posture/empty-password", model.KindAccount, model.SevCritical, "user", "Account has an empty password"},
	{"posture/nopasswd-sudo", model.KindAccount, model.SevMedium, "user", "User may sudo without a password"},
	{"posture/stale-account", model.KindAccount, model.SevLow, "user", "Login account unused for 180 days"},
	{"posture/world-writable-cron", model.KindPersistence, model.SevHigh, "startup_item", "Cron job runs a world-writable script"},
	{"posture/ld-preload", model.KindPersistence, model.SevHigh, "file", "ld.so.preload is set"},
	{"posture/deleted-executable", model.KindRuntime, model.SevMedium, "process", "Process runs a deleted executable"},
	{"posture/tmp-executable", model.KindRuntime, model.SevHigh, "process", "Process runs from /tmp"},
}

// findings is the host's posture findings: mostly the same issues from one
// scan to the next (stable ids), a few coming and going.
func findings(inv *model.Inventory, h host, scan uint64) []model.Finding {
	r := rand.New(rand.NewPCG(uint64(h.index)+1, 0x66696e64))
	v := rand.New(rand.NewPCG(uint64(h.index)+1, scan^0x5ca1))
	out := make([]model.Finding, 0, hostFindings)
	for i := 0; len(out) < hostFindings; i++ {
		fr := findingRules[r.IntN(len(findingRules))]
		if i >= hostFindings-3 && v.IntN(2) == 0 { // the volatile tail
			fr = findingRules[v.IntN(len(findingRules))]
		}
		var asset model.AssetRef
		switch fr.asset {
		case "socket":
			s := inv.Sockets[i%len(inv.Sockets)]
			asset = model.AssetRef{Type: "socket", ID: fmt.Sprintf("%s/%s:%d", s.Protocol, s.LocalAddr, s.LocalPort)}
		case "user":
			asset = model.AssetRef{Type: "user", ID: inv.Users[i%len(inv.Users)].Name}
		case "process":
			p := inv.Processes[60+i%(len(inv.Processes)-60)]
			asset = model.AssetRef{Type: "process", ID: p.Name, Path: p.Exe}
		case "startup_item":
			asset = model.AssetRef{Type: "startup_item", ID: "/etc/cron.d/job" + strconv.Itoa(i), Path: "/etc/cron.d/job" + strconv.Itoa(i)}
		default:
			asset = model.AssetRef{Type: "file", ID: "/etc/ssh/sshd_config." + strconv.Itoa(i), Path: "/etc/ssh/sshd_config"}
		}
		out = append(out, model.Finding{
			ID: model.FindingID(fr.rule, asset), Kind: fr.kind, Rule: fr.rule, Severity: fr.sev,
			Title: fr.title + ": " + asset.ID, Description: "Synthetic finding from the Ward fleet benchmark.",
			Asset: asset, Evidence: []string{"seen by bench/fleet/sim on " + h.hostname},
			Remediation: "Review the configuration and restrict it.",
		})
	}
	return dedupFindings(out)
}

// dedupFindings keeps the first of each id (two draws of the same rule on
// the same asset are one issue).
func dedupFindings(in []model.Finding) []model.Finding {
	seen := make(map[string]bool, len(in))
	out := in[:0]
	for _, f := range in {
		if !seen[f.ID] {
			seen[f.ID] = true
			out = append(out, f)
		}
	}
	return out
}
