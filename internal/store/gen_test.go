package store

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/ward-sec/ward/internal/model"
)

// Realistically shaped inventories for tests and benchmarks: a Debian host
// with ~800 packages drawn from a fleet-wide pool (so most software is
// shared), a few language packages, accounts, sockets, processes, services
// and the other classes filled the way the collectors fill them.

var debCore = []string{"adduser", "apt", "base-files", "base-passwd", "bash", "bsdutils", "ca-certificates", "coreutils",
	"cron", "curl", "dash", "debconf", "debianutils", "diffutils", "dpkg", "e2fsprogs", "findutils", "gcc-12-base",
	"gpgv", "grep", "gzip", "hostname", "init-system-helpers", "iproute2", "iputils-ping", "less", "libacl1",
	"libapt-pkg6.0", "libattr1", "libaudit1", "libblkid1", "libbz2-1.0", "libc-bin", "libc6", "libcap2",
	"libcom-err2", "libcrypt1", "libcurl4", "libdb5.3", "libdebconfclient0", "libext2fs2", "libffi8", "libgcc-s1",
	"libgcrypt20", "libgmp10", "libgnutls30", "libgpg-error0", "libgssapi-krb5-2", "libhogweed6", "libidn2-0",
	"libk5crypto3", "libkeyutils1", "libkrb5-3", "libkrb5support0", "liblz4-1", "liblzma5", "libmd0", "libmount1",
	"libncursesw6", "libnettle8", "libnghttp2-14", "libp11-kit0", "libpam-modules", "libpam0g", "libpcre2-8-0",
	"libpsl5", "librtmp1", "libseccomp2", "libselinux1", "libsemanage2", "libsepol2", "libsmartcols1", "libsqlite3-0",
	"libss2", "libssh2-1", "libssl3", "libstdc++6", "libsystemd0", "libtasn1-6", "libtinfo6", "libudev1",
	"libunistring2", "libuuid1", "libxxhash0", "libzstd1", "login", "logsave", "mawk", "mount", "ncurses-base",
	"ncurses-bin", "nginx", "openssh-client", "openssh-server", "openssl", "passwd", "perl-base", "procps",
	"python3", "python3.11", "redis-server", "sed", "sudo", "systemd", "sysvinit-utils", "tar", "tzdata",
	"util-linux", "zlib1g"}

// debPool is the fleet's deb package names: the core set and generated
// library names up to n.
func debPool(n int) []string {
	out := append([]string(nil), debCore...)
	stems := []string{"libgtk", "libqt", "libboost", "libicu", "libxml", "libx11", "libglib", "libpango", "libcairo", "libav", "libpoppler", "libtiff", "libjpeg", "libpng", "libwebp", "libldap", "libsasl", "libmariadb", "libpq", "libevent"}
	for i := 0; len(out) < n; i++ {
		out = append(out, fmt.Sprintf("%s%d-%d", stems[i%len(stems)], i/len(stems), i%7))
	}
	return out
}

func debVersion(r *rand.Rand, name string, old bool) string {
	// Deterministic per name, with an older variant for lagging hosts.
	h := 0
	for _, c := range name {
		h = h*31 + int(c)
	}
	h &= 0xffff
	v := fmt.Sprintf("%d.%d.%d-%d+deb12u%d", h%9+1, h%13, h%17, h%5+1, h%4+1)
	if old {
		v = fmt.Sprintf("%d.%d.%d-%d", h%9+1, h%13, h%17, h%5+1)
	}
	return v
}

// genInventory builds host number i's inventory with about npkgs packages.
func genInventory(seed uint64, i, npkgs int) *model.Inventory {
	r := rand.New(rand.NewPCG(seed, uint64(i)))
	scanned := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second).Add(time.Duration(r.IntN(1e9)))
	boot := scanned.Add(-time.Duration(r.IntN(1000)+1) * time.Hour)
	host := fmt.Sprintf("web-%04d.prod.example.com", i)
	inv := &model.Inventory{
		SchemaVersion: model.SchemaVersion,
		ScannedAt:     scanned,
		Root:          "/",
		Live:          true,
		Host: &model.Host{
			Hostname:  host,
			MachineID: fmt.Sprintf("%032x", r.Uint64()),
			OS: model.OSRelease{ID: "debian", IDLike: nil, Name: "Debian GNU/Linux", PrettyName: "Debian GNU/Linux 12 (bookworm)",
				Version: "12", Codename: "bookworm", Family: "debian", VersionDetail: "12.11"},
			Kernel: "6.1.0-37-amd64", KernelBuild: "#1 SMP PREEMPT_DYNAMIC Debian 6.1.140-1 (2025-05-22)", Arch: "x86_64",
			BootTime: &boot, UptimeSeconds: int64(scanned.Sub(boot).Seconds()),
			CPU:         &model.CPU{Model: "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", Vendor: "GenuineIntel", Sockets: 1, Cores: 4, Threads: 8, MHz: 2899.998},
			MemoryBytes: 32 << 30, SwapBytes: 0,
			Disks:  []model.Disk{{Name: "nvme0n1", SizeBytes: 100 << 30, Model: "Amazon Elastic Block Store"}},
			Mounts: []model.Mount{{Device: "/dev/nvme0n1p1", MountPoint: "/", FSType: "ext4", Options: []string{"rw", "relatime"}, TotalBytes: 98 << 30, FreeBytes: uint64(r.IntN(90)) << 30, Source: "mountinfo"}},
			Interfaces: []model.Interface{
				{Name: "lo", MTU: 65536, Up: true, Addresses: []string{"127.0.0.1/8", "::1/128"}},
				{Name: "ens5", MAC: fmt.Sprintf("02:%02x:%02x:%02x:%02x:%02x", r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256)), MTU: 9001, Up: true, Addresses: []string{fmt.Sprintf("10.0.%d.%d/24", i/250, i%250+1)}},
			},
			DMI:            &model.DMI{SystemVendor: "Amazon EC2", ProductName: "m6i.xlarge", ProductUUID: fmt.Sprintf("ec2%05x-0000-0000-0000-%012x", i, r.Uint64()&0xffffffffffff), BIOSVendor: "Amazon EC2", BIOSVersion: "1.0", BoardAssetTag: fmt.Sprintf("i-%017x", r.Uint64()&0xfffffffffffffff)},
			Cloud:          &model.Cloud{Provider: "aws", InstanceID: fmt.Sprintf("i-%017x", r.Uint64()&0xfffffffffffffff), Region: "eu-central-1", Source: "/sys/class/dmi/id/board_asset_tag"},
			Virtualization: "kvm",
			Timezone:       "Etc/UTC",
		},
	}

	// Accounts: the usual system ones, a few people, sometimes a second UID 0.
	changed := scanned.Add(-90 * 24 * time.Hour).Truncate(24 * time.Hour)
	maxDays := 99999
	users := []model.User{
		{Name: "root", UID: 0, GID: 0, Gecos: "root", Home: "/root", Shell: "/bin/bash", CanLogin: true, Password: model.PasswordLocked, HashScheme: "yescrypt", LastChange: &changed, MaxDays: &maxDays, Groups: []string{"root"}, Source: "/etc/passwd", System: true},
		{Name: "daemon", UID: 1, GID: 1, Gecos: "daemon", Home: "/usr/sbin", Shell: "/usr/sbin/nologin", Password: model.PasswordDisabled, Source: "/etc/passwd", System: true},
		{Name: "www-data", UID: 33, GID: 33, Gecos: "www-data", Home: "/var/www", Shell: "/usr/sbin/nologin", Password: model.PasswordDisabled, Source: "/etc/passwd", System: true},
		{Name: "nobody", UID: 65534, GID: 65534, Home: "/nonexistent", Shell: "/usr/sbin/nologin", Password: model.PasswordDisabled, Source: "/etc/passwd", System: true},
		{Name: "redis", UID: 105, GID: 110, Home: "/var/lib/redis", Shell: "/usr/sbin/nologin", Password: model.PasswordDisabled, Source: "/etc/passwd", System: true},
		{Name: "admin", UID: 1000, GID: 1000, Gecos: "Debian,,,", Home: "/home/admin", Shell: "/bin/bash", CanLogin: true, Password: model.PasswordSet, HashScheme: "yescrypt", LastChange: &changed, Groups: []string{"admin", "sudo", "adm"}, Source: "/etc/passwd"},
	}
	if i%10 == 3 {
		users = append(users, model.User{Name: "toor", UID: 0, GID: 0, Home: "/root", Shell: "/bin/sh", CanLogin: true, Password: model.PasswordEmpty, Source: "/etc/passwd"})
	}
	inv.Users = users
	inv.Groups = []model.Group{{Name: "root", GID: 0}, {Name: "adm", GID: 4, Members: []string{"admin"}}, {Name: "sudo", GID: 27, Members: []string{"admin"}}, {Name: "admin", GID: 1000}}
	inv.Sudoers = []model.SudoRule{{Principal: "%sudo", Hosts: "ALL", RunAs: "ALL:ALL", Commands: []string{"ALL"}, File: "/etc/sudoers", Line: 50}}
	inv.AuthorizedKeys = []model.AuthorizedKey{{User: "admin", File: "/home/admin/.ssh/authorized_keys", Line: 1, Type: "ssh-ed25519", Bits: 256, Comment: "ops@laptop", Fingerprint: fmt.Sprintf("SHA256:%x", r.Uint64())}}
	inv.Logins = []model.Login{{User: "admin", TTY: "pts/0", From: "10.0.0.5", Time: scanned.Add(-2 * time.Hour), Source: "/var/log/wtmp"}}

	// Processes and sockets: sshd and nginx everywhere, redis on some hosts,
	// wildcard-bound on a few of those.
	procs := []model.Process{
		{PID: 1, Name: "systemd", UID: 0, User: "root", Exe: "/usr/lib/systemd/systemd", Cmdline: []string{"/sbin/init"}, StartTime: boot, RSSBytes: 12 << 20},
		{PID: 2, Name: "kthreadd", StartTime: boot, KernelThread: true},
		{PID: 612, PPID: 1, Name: "sshd", UID: 0, User: "root", Exe: "/usr/sbin/sshd", Cmdline: []string{"sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups"}, StartTime: boot.Add(3 * time.Second), Cgroup: "/system.slice/ssh.service", RSSBytes: 9 << 20},
		{PID: 700, PPID: 1, Name: "nginx", UID: 0, User: "root", Exe: "/usr/sbin/nginx", ExeSHA256: fmt.Sprintf("%064x", 42), Cmdline: []string{"nginx: master process /usr/sbin/nginx -g daemon on; master_process on;"}, StartTime: boot.Add(4 * time.Second)},
	}
	for k := 0; k < 40; k++ {
		procs = append(procs, model.Process{PID: 1000 + k, PPID: 700, Name: "nginx", UID: 33, User: "www-data", Exe: "/usr/sbin/nginx", Cmdline: []string{"nginx: worker process"}, StartTime: boot.Add(5 * time.Second), RSSBytes: uint64(r.IntN(50)) << 20})
	}
	socks := []model.Socket{
		{Protocol: "tcp", State: "LISTEN", LocalAddr: "0.0.0.0", LocalPort: 22, Inode: r.Uint64() % 1e6, PID: 612, ProcessName: "sshd"},
		{Protocol: "tcp6", State: "LISTEN", LocalAddr: "::", LocalPort: 22, Inode: r.Uint64() % 1e6, PID: 612, ProcessName: "sshd"},
		{Protocol: "tcp", State: "LISTEN", LocalAddr: "0.0.0.0", LocalPort: 443, PID: 700, ProcessName: "nginx"},
		{Protocol: "tcp", State: "ESTABLISHED", LocalAddr: "10.0.0.1", LocalPort: 22, RemoteAddr: "10.0.0.5", RemotePort: 51234, PID: 612, ProcessName: "sshd"},
		{Protocol: "udp", State: "UNCONN", LocalAddr: "127.0.0.1", LocalPort: 323, ProcessName: "chronyd"},
	}
	if i%4 == 0 {
		addr := "127.0.0.1"
		if i%8 == 0 {
			addr = "0.0.0.0"
		}
		procs = append(procs, model.Process{PID: 800, PPID: 1, Name: "redis-server", UID: 105, User: "redis", Exe: "/usr/bin/redis-server", Cmdline: []string{"/usr/bin/redis-server " + addr + ":6379"}, StartTime: boot.Add(6 * time.Second)})
		socks = append(socks, model.Socket{Protocol: "tcp", State: "LISTEN", LocalAddr: addr, LocalPort: 6379, UID: 105, PID: 800, ProcessName: "redis-server"})
	}
	inv.Processes, inv.Sockets = procs, socks

	// Packages.
	pool := debPool(npkgs)
	lagging := i%5 == 1
	for k, name := range pool {
		if r.IntN(100) < 3 { // a few not installed here
			continue
		}
		v := debVersion(r, name, lagging && k%3 == 0)
		p := model.Package{Type: model.PkgDeb, Name: name, Version: v, Arch: "amd64", SourceName: name, SourceVersion: v,
			Maintainer: "Debian Maintainers <debian@example.org>", Location: "/var/lib/dpkg/status",
			PURL: "pkg:deb/debian/" + name + "@" + v + "?arch=amd64&distro=debian-12"}
		if k%50 == 7 {
			p.State = "half-configured"
		}
		if k%2 == 0 {
			p.Files = []string{"/usr/share/doc/" + name + "/copyright"} // in memory only
		}
		inv.Packages = append(inv.Packages, p)
	}
	// A Java application with log4j, on some hosts the vulnerable one.
	log4j := "2.17.2"
	if i%3 == 0 {
		log4j = "2.14.1"
	}
	for _, a := range []struct{ name, group, version string }{
		{"log4j-core", "org.apache.logging.log4j", log4j},
		{"log4j-api", "org.apache.logging.log4j", log4j},
		{"spring-core", "org.springframework", "5.3.20"},
		{"jackson-databind", "com.fasterxml.jackson.core", "2.13.3"},
	} {
		inv.Packages = append(inv.Packages, model.Package{Type: model.PkgMaven, Name: a.name, Group: a.group, Version: a.version,
			Location: "/opt/app/app.jar!/BOOT-INF/lib/" + a.name + "-" + a.version + ".jar", FoundBy: "pom.properties",
			PURL: "pkg:maven/" + a.group + "/" + a.name + "@" + a.version})
	}
	inv.Packages = append(inv.Packages, model.Package{Type: model.PkgMaven, Name: "app", Group: "com.example", Version: "1.4.0",
		Location: "/opt/app/app.jar", FoundBy: "MANIFEST.MF",
		Metadata: map[string]string{"spring-boot-version": "2.7.1", "start-class": "com.example.App"}})
	inv.Packages = append(inv.Packages,
		model.Package{Type: model.PkgPyPI, Name: "requests", Version: "2.28.1", Location: "/usr/lib/python3/dist-packages/requests-2.28.1.dist-info", FoundBy: "dist-info", License: "Apache-2.0"},
		model.Package{Type: model.PkgGo, Name: "github.com/prometheus/node_exporter", Version: "v1.6.1", Location: "/usr/local/bin/node_exporter", FoundBy: "buildinfo", Metadata: map[string]string{"go-version": "go1.20.6"}},
	)
	// Two identical records (same jar vendored twice under one path).
	inv.Packages = append(inv.Packages, model.Package{Type: model.PkgNPM, Name: "left-pad", Version: "1.3.0", Location: "/srv/web/node_modules/left-pad/package.json", FoundBy: "package.json"})
	inv.Packages = append(inv.Packages, model.Package{Type: model.PkgNPM, Name: "left-pad", Version: "1.3.0", Location: "/srv/web/node_modules/left-pad/package.json", FoundBy: "package.json"})

	enabled, disabled := true, false
	inv.Services = []model.Service{
		{Name: "ssh.service", Manager: "systemd", Enabled: "enabled", Active: "active", Description: "OpenBSD Secure Shell server", ExecStart: "/usr/sbin/sshd -D $SSHD_OPTS", UnitFile: "/lib/systemd/system/ssh.service", MainPID: 612},
		{Name: "nginx.service", Manager: "systemd", Enabled: "enabled", Active: "active", ExecStart: "/usr/sbin/nginx -g 'daemon on; master_process on;'", UnitFile: "/lib/systemd/system/nginx.service", MainPID: 700, DropIns: []string{"/etc/systemd/system/nginx.service.d/override.conf"}},
		{Name: "cron.service", Manager: "systemd", Enabled: "enabled", Active: "active", UnitFile: "/lib/systemd/system/cron.service"},
	}
	inv.StartupItems = []model.StartupItem{
		{Kind: "cron", Path: "/etc/crontab", Line: 17, User: "root", Schedule: "17 * * * *", Command: "cd / && run-parts --report /etc/cron.hourly"},
		{Kind: "systemd-timer", Path: "/lib/systemd/system/apt-daily.timer", Unit: "apt-daily.service", Schedule: "*-*-* 6,18:00", Command: "apt-daily.service", Enabled: &enabled},
		{Kind: "rc.local", Path: "/etc/rc.local", Command: "/etc/rc.local", Enabled: &disabled},
	}
	inv.KernelModules = []model.KernelModule{
		{Name: "ext4", Size: 1007616, RefCount: 1, State: "Live", Loaded: true, Source: "proc"},
		{Name: "nf_tables", Size: 344064, UsedBy: []string{"nft_chain_nat"}, State: "Live", Loaded: true, Source: "proc"},
		{Name: "usb-storage", Disabled: "install /bin/false", File: "/etc/modprobe.d/cis.conf", Line: 3, Source: "modprobe.d"},
	}
	apps := []model.Application{{Name: "nginx", Category: "web-server", Version: "1.22.1", PackageVersion: "1.22.1-9+deb12u1", VersionSource: "package", Running: true, PIDs: []int{700}, User: "root", Binary: "/usr/sbin/nginx", ConfigPaths: []string{"/etc/nginx/nginx.conf"}, Ports: []int{443}, Package: "nginx", Evidence: []string{"process", "package"}}}
	if i%4 == 0 {
		apps = append(apps, model.Application{Name: "redis", Category: "cache", Version: "7.0.15", Running: true, PIDs: []int{800}, User: "redis", Ports: []int{6379}, Package: "redis-server", Evidence: []string{"process", "package"}})
	}
	inv.Applications = apps
	inv.WebSites = []model.WebSite{{Server: "nginx", ServerNames: []string{host}, Listen: []string{"443 ssl"}, TLS: true, DocumentRoot: "/srv/web", ConfigFile: "/etc/nginx/sites-enabled/default", Line: 1,
		Locations: []model.WebLocation{{Path: "/api/", ProxyPass: "http://127.0.0.1:8080", Line: 12}}}}
	inv.WebApps = []model.WebApp{{Name: "spring-boot", Version: "2.7.1", Path: "/opt/app", Language: "java", Site: host, Evidence: "MANIFEST.MF"}}
	created := boot.Add(time.Minute)
	inv.Containers = []model.Container{{ID: fmt.Sprintf("%064x", r.Uint64()), Name: "metrics", Image: "prom/node-exporter:v1.6.1", Runtime: "docker", State: "running", Created: &created, PID: 900,
		Mounts: []model.ContainerMount{{Source: "/", Destination: "/host", ReadOnly: true}}, Ports: []string{"0.0.0.0:9100->9100/tcp"}, Labels: map[string]string{"maintainer": "ops"}}}
	inv.Collectors = []model.CollectorRun{{Name: "os/dpkg", Status: "ok", Items: len(pool), DurationMS: 41}, {Name: "containers/docker", Status: "skipped", Reason: "no socket"}}
	inv.Warnings = []model.Warning{{Collector: "accounts/shadow", Path: "/etc/shadow-", Message: "unreadable backup \x00 file ☃"}}
	return inv
}

// findingsFor returns n posture-like findings of a host, stable ids.
func findingsFor(host, n int) []model.Finding {
	out := make([]model.Finding, n)
	for k := range out {
		a := model.AssetRef{Type: "package", ID: fmt.Sprintf("pkg%d@1.%d", k, k%7), Path: "/var/lib/dpkg/status"}
		rule := fmt.Sprintf("posture/rule-%d", k%40)
		out[k] = model.Finding{ID: model.FindingID(rule, a), Kind: model.KindVulnerability, Rule: rule, Severity: model.Severity(k % 5),
			Title: fmt.Sprintf("Finding %d on host %d", k, host), Description: "A description long enough to be realistic about the problem found.",
			Asset: a, Evidence: []string{"evidence line one", fmt.Sprintf("value=%d", k)}, Remediation: "Upgrade the package.",
			References: []model.Reference{{Type: "CVE", ID: fmt.Sprintf("CVE-2024-%05d", k), URL: "https://example.org/cve"}}}
	}
	return out
}
