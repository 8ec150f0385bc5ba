// Package posture turns an inventory into findings about risky accounts,
// exposure and persistence that need no detector beyond the inventory
// itself: a second UID-0 account, NOPASSWD sudo, a database listening on
// every address, a preloaded library. Heavier detectors (vulnerabilities,
// weak passwords, baselines, malware) live in their own packages.
package posture

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/ward-sec/ward/internal/model"
)

// sensitivePorts are services that should never face every network: data
// stores and control planes commonly abused once reachable (Redis, Docker
// API, Elasticsearch...). Severity is what exposure on all addresses means.
var sensitivePorts = map[int]struct {
	service string
	sev     model.Severity
}{
	2375:  {"Docker API (plain)", model.SevCritical},
	2376:  {"Docker API (TLS)", model.SevHigh},
	6379:  {"Redis", model.SevHigh},
	11211: {"Memcached", model.SevHigh},
	27017: {"MongoDB", model.SevHigh},
	9200:  {"Elasticsearch", model.SevHigh},
	2181:  {"ZooKeeper", model.SevMedium},
	3306:  {"MySQL/MariaDB", model.SevMedium},
	5432:  {"PostgreSQL", model.SevMedium},
	10250: {"kubelet API", model.SevHigh},
	2379:  {"etcd", model.SevHigh},
	5984:  {"CouchDB", model.SevHigh},
	8500:  {"Consul", model.SevMedium},
	9092:  {"Kafka", model.SevMedium},
	5672:  {"RabbitMQ", model.SevMedium},
	15672: {"RabbitMQ management", model.SevMedium},
	50070: {"Hadoop NameNode UI", model.SevHigh},
	8088:  {"Hadoop YARN ResourceManager", model.SevHigh},
}

// weakSchemes are hash algorithms crackable at scale on commodity hardware.
var weakSchemes = map[string]bool{"des": true, "bsdi-des": true, "md5crypt": true, "descrypt": true}

// Evaluate returns the findings for inv, sorted by severity then title.
func Evaluate(inv *model.Inventory) []model.Finding {
	var out []model.Finding
	add := func(f model.Finding) {
		f.ID = model.FindingID(f.Rule, f.Asset)
		out = append(out, f)
	}
	accounts(inv, add)
	exposure(inv, add)
	persistence(inv, add)
	processes(inv, add)
	containers(inv, add)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Severity != out[j].Severity {
			return out[i].Severity > out[j].Severity
		}
		if out[i].Title != out[j].Title {
			return out[i].Title < out[j].Title
		}
		return out[i].Asset.ID < out[j].Asset.ID
	})
	return out
}

func attack(id string) model.Reference {
	return model.Reference{Type: "ATTACK", ID: id, URL: "https://attack.mitre.org/techniques/" + strings.ReplaceAll(id, ".", "/") + "/"}
}

func accounts(inv *model.Inventory, add func(model.Finding)) {
	for _, u := range inv.Users {
		asset := model.AssetRef{Type: "user", ID: u.Name, Path: u.Source}
		if u.UID == 0 && u.Name != "root" {
			add(model.Finding{Kind: model.KindAccount, Rule: "posture/uid0-account", Severity: model.SevHigh,
				Title:       "Non-root account with UID 0: " + u.Name,
				Description: "A second account with UID 0 has full root privileges under another name, a classic backdoor.",
				Asset:       asset, Evidence: []string{fmt.Sprintf("%s:x:0:%d:%s:%s", u.Name, u.GID, u.Home, u.Shell)},
				Remediation: fmt.Sprintf("Confirm the account is authorised; otherwise lock and remove it: usermod -L %s && userdel %s", u.Name, u.Name),
				References:  []model.Reference{attack("T1136.001")}})
		}
		if u.Password == model.PasswordEmpty && u.CanLogin {
			add(model.Finding{Kind: model.KindAccount, Rule: "posture/empty-password", Severity: model.SevCritical,
				Title: "Login account without a password: " + u.Name, Asset: asset,
				Description: "The account has an empty password field and a login shell: anyone can log in as it where the service allows empty passwords.",
				Evidence:    []string{"shadow password field is empty", "shell " + u.Shell},
				Remediation: fmt.Sprintf("passwd -l %s  # then set a password or give the account a nologin shell", u.Name),
				References:  []model.Reference{attack("T1078.003")}})
		}
		if weakSchemes[u.HashScheme] && u.Password == model.PasswordSet {
			add(model.Finding{Kind: model.KindAccount, Rule: "posture/weak-hash-scheme", Severity: model.SevMedium,
				Title: "Password hashed with weak scheme " + u.HashScheme + ": " + u.Name, Asset: asset,
				Evidence:    []string{"hash scheme " + u.HashScheme},
				Remediation: fmt.Sprintf("Set ENCRYPT_METHOD YESCRYPT (or SHA512) in /etc/login.defs and reset the password: passwd %s", u.Name)})
		}
	}
	for _, r := range inv.Sudoers {
		if !r.NoPasswd {
			continue
		}
		sev := model.SevMedium
		all := false
		for _, c := range r.Commands {
			if strings.TrimSpace(c) == "ALL" {
				all = true
			}
		}
		if all {
			sev = model.SevHigh
		}
		add(model.Finding{Kind: model.KindAccount, Rule: "posture/sudo-nopasswd", Severity: sev,
			Title:       "sudo without password for " + r.Principal,
			Asset:       model.AssetRef{Type: "sudo_rule", ID: fmt.Sprintf("%s:%d", r.File, r.Line), Path: r.File},
			Evidence:    []string{fmt.Sprintf("%s:%d %s %s=(%s) NOPASSWD: %s", r.File, r.Line, r.Principal, r.Hosts, r.RunAs, strings.Join(r.Commands, ", "))},
			Description: "A stolen session or key for this principal becomes root without knowing any password.",
			Remediation: fmt.Sprintf("Remove NOPASSWD from %s line %d (edit with visudo -f %s), or limit it to specific commands.", r.File, r.Line, r.File),
			References:  []model.Reference{attack("T1548.003")}})
	}
	for _, k := range inv.AuthorizedKeys {
		weak := (k.Type == "ssh-rsa" && k.Bits > 0 && k.Bits < 2048) || k.Type == "ssh-dss"
		if !weak {
			continue
		}
		add(model.Finding{Kind: model.KindAccount, Rule: "posture/weak-ssh-key", Severity: model.SevMedium,
			Title:       fmt.Sprintf("Weak SSH authorized key (%s %d bits) for %s", k.Type, k.Bits, k.User),
			Asset:       model.AssetRef{Type: "authorized_key", ID: k.Fingerprint, Path: k.File},
			Evidence:    []string{fmt.Sprintf("%s:%d %s %s", k.File, k.Line, k.Fingerprint, k.Comment)},
			Remediation: "Replace the key with an ed25519 key (ssh-keygen -t ed25519) and remove this line."})
	}
}

// wildcard reports whether addr binds every address of the host.
func wildcard(addr string) bool {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return addr == "*" || addr == ""
	}
	return a.IsUnspecified()
}

func exposure(inv *model.Inventory, add func(model.Finding)) {
	seen := map[string]bool{}
	for _, s := range inv.Sockets {
		if !s.Listening() || !wildcard(s.LocalAddr) {
			continue
		}
		proto := strings.TrimSuffix(s.Protocol, "6")
		key := proto + "/" + strconv.Itoa(s.LocalPort)
		if seen[key] {
			continue // v4 and v6 wildcard sockets of one service are one exposure
		}
		seen[key] = true
		sev := model.SevInfo
		what := s.ProcessName
		if sp, ok := sensitivePorts[s.LocalPort]; ok && proto == "tcp" {
			sev = sp.sev
			what = sp.service
		}
		if what == "" {
			what = "unknown process"
		}
		f := model.Finding{Kind: model.KindExposure, Rule: "posture/listen-all-addresses", Severity: sev,
			Title:    fmt.Sprintf("%s listens on all addresses (%s)", what, key),
			Asset:    model.AssetRef{Type: "socket", ID: key},
			Evidence: []string{fmt.Sprintf("%s %s:%d pid %d (%s)", s.Protocol, s.LocalAddr, s.LocalPort, s.PID, s.ProcessName)},
		}
		if sev >= model.SevMedium {
			f.Description = what + " reachable from every network the host is on is a common first foothold (unauthenticated access, data theft, miner drops)."
			f.Remediation = "Bind the service to 127.0.0.1 or an internal address in its configuration, require authentication, and restrict the port with a firewall / Ward micro-segmentation policy."
			f.References = []model.Reference{attack("T1190")}
		}
		add(f)
	}
}

func persistence(inv *model.Inventory, add func(model.Finding)) {
	for _, it := range inv.StartupItems {
		if it.Kind != "ld.so.preload" {
			continue
		}
		add(model.Finding{Kind: model.KindPersistence, Rule: "posture/ld-so-preload", Severity: model.SevHigh,
			Title:       "Library preloaded into every process: " + it.Command,
			Asset:       model.AssetRef{Type: "startup_item", ID: it.Command, Path: it.Path},
			Description: "/etc/ld.so.preload is rarely used legitimately; rootkits and process hiders (libprocesshider) use it to inject into every program.",
			Evidence:    []string{fmt.Sprintf("%s:%d %s", it.Path, it.Line, it.Command)},
			Remediation: "Verify the library's package and purpose (dpkg -S / rpm -qf); if unknown, quarantine it and remove the line from /etc/ld.so.preload.",
			References:  []model.Reference{attack("T1574.006")}})
	}
}

func processes(inv *model.Inventory, add func(model.Finding)) {
	for _, p := range inv.Processes {
		if !p.ExeDeleted {
			continue
		}
		add(model.Finding{Kind: model.KindRuntime, Rule: "posture/deleted-executable", Severity: model.SevMedium,
			Title:       fmt.Sprintf("Process %d (%s) runs a deleted executable", p.PID, p.Name),
			Asset:       model.AssetRef{Type: "process", ID: strconv.Itoa(p.PID), Path: p.Exe},
			Description: "Malware often deletes its binary after start; an upgrade that replaced a running binary looks the same, so check the package.",
			Evidence:    []string{"exe " + p.Exe + " (deleted)", "sha256 " + p.ExeSHA256, "cmdline " + strings.Join(p.Cmdline, " ")},
			Remediation: fmt.Sprintf("If the binary came from an upgraded package, restart the service; otherwise capture /proc/%d/exe for analysis and kill the process.", p.PID),
			References:  []model.Reference{attack("T1070.004")}})
	}
}

func containers(inv *model.Inventory, add func(model.Finding)) {
	for _, c := range inv.Containers {
		if !c.Privileged {
			continue
		}
		add(model.Finding{Kind: model.KindExposure, Rule: "posture/privileged-container", Severity: model.SevHigh,
			Title:       "Privileged container " + nonEmpty(c.Name, c.ID),
			Asset:       model.AssetRef{Type: "container", ID: c.ID},
			Description: "A privileged container has every capability and the host's devices; escaping to the host is trivial.",
			Evidence:    []string{"image " + c.Image, "runtime " + c.Runtime},
			Remediation: "Run the container without --privileged, adding only the capabilities it needs (--cap-add).",
			References:  []model.Reference{attack("T1611")}})
	}
}

func nonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
