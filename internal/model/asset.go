// Package model holds the asset and finding records that every Ward scanner
// produces and every consumer (reports, the server store, matchers) reads.
//
// The JSON form is a versioned schema: fields may be added within a
// SchemaVersion; renaming or removing one bumps it.
package model

import "time"

// SchemaVersion of the Inventory JSON document.
const SchemaVersion = 1

// Inventory is everything known about one host (or root filesystem) at one time.
type Inventory struct {
	SchemaVersion int       `json:"schema_version"`
	ScannedAt     time.Time `json:"scanned_at"`
	// Root is the scanned root ("/" for the live host).
	Root string `json:"root"`
	Live bool   `json:"live"`

	Host           *Host           `json:"host,omitempty"`
	Users          []User          `json:"users,omitempty"`
	Groups         []Group         `json:"groups,omitempty"`
	Sudoers        []SudoRule      `json:"sudoers,omitempty"`
	AuthorizedKeys []AuthorizedKey `json:"authorized_keys,omitempty"`
	Logins         []Login         `json:"logins,omitempty"`
	Processes      []Process       `json:"processes,omitempty"`
	Sockets        []Socket        `json:"sockets,omitempty"`
	Packages       []Package       `json:"packages,omitempty"`
	Services       []Service       `json:"services,omitempty"`
	StartupItems   []StartupItem   `json:"startup_items,omitempty"`
	KernelModules  []KernelModule  `json:"kernel_modules,omitempty"`
	Applications   []Application   `json:"applications,omitempty"`
	WebSites       []WebSite       `json:"web_sites,omitempty"`
	WebApps        []WebApp        `json:"web_apps,omitempty"`
	Containers     []Container     `json:"containers,omitempty"`

	// Collectors says how each collector ran; Warnings are non-fatal problems
	// (a corrupt file, an unreadable directory) naming what was affected.
	Collectors []CollectorRun `json:"collectors,omitempty"`
	Warnings   []Warning      `json:"warnings,omitempty"`
}

// Host describes the machine or image itself.
type Host struct {
	Hostname       string      `json:"hostname,omitempty"`
	MachineID      string      `json:"machine_id,omitempty"`
	OS             OSRelease   `json:"os"`
	Kernel         string      `json:"kernel,omitempty"`          // uname -r
	KernelInferred bool        `json:"kernel_inferred,omitempty"` // image: newest /lib/modules dir, maybe not the one booted
	KernelBuild    string      `json:"kernel_build,omitempty"`    // uname -v
	Arch           string      `json:"arch,omitempty"`
	BootTime       *time.Time  `json:"boot_time,omitempty"`
	UptimeSeconds  int64       `json:"uptime_seconds,omitempty"`
	CPU            *CPU        `json:"cpu,omitempty"`
	MemoryBytes    uint64      `json:"memory_bytes,omitempty"`
	SwapBytes      uint64      `json:"swap_bytes,omitempty"`
	Disks          []Disk      `json:"disks,omitempty"`
	Mounts         []Mount     `json:"mounts,omitempty"`
	Interfaces     []Interface `json:"interfaces,omitempty"`
	DMI            *DMI        `json:"dmi,omitempty"`
	Cloud          *Cloud      `json:"cloud,omitempty"`
	Virtualization string      `json:"virtualization,omitempty"` // kvm, xen, docker, lxc...
	Timezone       string      `json:"timezone,omitempty"`
}

// OSRelease comes from /etc/os-release (or older release files).
type OSRelease struct {
	ID         string   `json:"id,omitempty"` // debian, ubuntu, rhel, rocky, alpine...
	IDLike     []string `json:"id_like,omitempty"`
	Name       string   `json:"name,omitempty"`
	PrettyName string   `json:"pretty_name,omitempty"`
	Version    string   `json:"version,omitempty"`  // VERSION_ID, e.g. "12", "9.3", "3.19.1"
	Codename   string   `json:"codename,omitempty"` // bookworm, jammy
	Family     string   `json:"family,omitempty"`   // debian, rhel, alpine, suse, arch
	EOL        string   `json:"eol,omitempty"`
	// VersionDetail is the finer version from a distribution's own release
	// file when it says more than VERSION_ID (Debian point release "12.11",
	// CentOS "7.9.2009").
	VersionDetail string `json:"version_detail,omitempty"`
}

type CPU struct {
	Model   string  `json:"model,omitempty"`
	Vendor  string  `json:"vendor,omitempty"`
	Sockets int     `json:"sockets,omitempty"`
	Cores   int     `json:"cores,omitempty"`
	Threads int     `json:"threads,omitempty"` // logical CPUs
	MHz     float64 `json:"mhz,omitempty"`
}

type Disk struct {
	Name       string `json:"name"` // vda, nvme0n1
	SizeBytes  uint64 `json:"size_bytes"`
	Model      string `json:"model,omitempty"`
	Rotational bool   `json:"rotational,omitempty"`
	Removable  bool   `json:"removable,omitempty"`
}

type Mount struct {
	Device     string   `json:"device"`
	MountPoint string   `json:"mount_point"`
	FSType     string   `json:"fs_type"`
	Options    []string `json:"options,omitempty"`
	TotalBytes uint64   `json:"total_bytes,omitempty"`
	FreeBytes  uint64   `json:"free_bytes,omitempty"`
	Source     string   `json:"source,omitempty"` // "mountinfo" (live) or "fstab"
}

type Interface struct {
	Name      string   `json:"name"`
	MAC       string   `json:"mac,omitempty"`
	MTU       int      `json:"mtu,omitempty"`
	Up        bool     `json:"up"`
	Addresses []string `json:"addresses,omitempty"` // CIDR form
}

type DMI struct {
	SystemVendor  string `json:"system_vendor,omitempty"`
	ProductName   string `json:"product_name,omitempty"`
	ProductUUID   string `json:"product_uuid,omitempty"`
	ProductSerial string `json:"product_serial,omitempty"`
	BoardSerial   string `json:"board_serial,omitempty"`
	BIOSVendor    string `json:"bios_vendor,omitempty"`
	BIOSVersion   string `json:"bios_version,omitempty"`
	ChassisAsset  string `json:"chassis_asset_tag,omitempty"`
	// BoardAssetTag holds the instance ID on AWS Nitro instances ("i-...").
	BoardAssetTag string `json:"board_asset_tag,omitempty"`
}

// Cloud identifies a cloud instance from local evidence only (DMI,
// cloud-init data); Ward never calls a metadata endpoint during a scan.
type Cloud struct {
	Provider   string `json:"provider,omitempty"` // aws, gcp, azure, alibaba, tencent, openstack
	InstanceID string `json:"instance_id,omitempty"`
	Region     string `json:"region,omitempty"`
	Source     string `json:"source,omitempty"` // file the id was read from
}

// PasswordState is derived from shadow; the hash itself never leaves the parser.
type PasswordState string

const (
	PasswordSet      PasswordState = "set"
	PasswordEmpty    PasswordState = "empty"    // no password: login without one
	PasswordLocked   PasswordState = "locked"   // "!" or "*" prefix
	PasswordDisabled PasswordState = "disabled" // "*" / "!!" only: never had one
	PasswordUnknown  PasswordState = "unknown"  // no shadow entry
)

type User struct {
	Name     string `json:"name"`
	UID      int    `json:"uid"`
	GID      int    `json:"gid"`
	Gecos    string `json:"gecos,omitempty"`
	Home     string `json:"home,omitempty"`
	Shell    string `json:"shell,omitempty"`
	CanLogin bool   `json:"can_login"` // shell is not nologin/false
	// Password state from shadow; HashScheme names the algorithm
	// (yescrypt, sha512crypt, bcrypt...), never the hash.
	Password       PasswordState `json:"password"`
	HashScheme     string        `json:"hash_scheme,omitempty"`
	LastChange     *time.Time    `json:"last_change,omitempty"`
	MaxDays        *int          `json:"max_days,omitempty"`
	Expired        bool          `json:"expired,omitempty"` // password or account expired
	AccountExpires *time.Time    `json:"account_expires,omitempty"`
	Groups         []string      `json:"groups,omitempty"`
	LastLogin      *time.Time    `json:"last_login,omitempty"`
	LastLoginFrom  string        `json:"last_login_from,omitempty"`
	Source         string        `json:"source,omitempty"` // file it came from
	// System: UID outside login.defs UID_MIN..UID_MAX (daemons, root, nobody).
	System bool `json:"system,omitempty"`
	// MustChangePassword: shadow's last change is 0 (passwd -e, chage -d 0).
	MustChangePassword bool `json:"must_change_password,omitempty"`
	// PasswordExpired: older than MaxDays, or MustChangePassword.
	PasswordExpired bool `json:"password_expired,omitempty"`
	// AccountExpired: shadow's expire date has passed (0 counts, as in pam_unix).
	AccountExpired bool `json:"account_expired,omitempty"`
}

type Group struct {
	Name    string   `json:"name"`
	GID     int      `json:"gid"`
	Members []string `json:"members,omitempty"`
}

// SudoRule is one user specification from sudoers (aliases expanded where known).
type SudoRule struct {
	Principal string   `json:"principal"` // user, %group or alias
	Hosts     string   `json:"hosts,omitempty"`
	RunAs     string   `json:"run_as,omitempty"`
	Commands  []string `json:"commands"`
	NoPasswd  bool     `json:"nopasswd"`
	File      string   `json:"file"`
	Line      int      `json:"line"`
	// Alias is the User_Alias the principal was expanded from.
	Alias string `json:"alias,omitempty"`
	// Tags in effect (NOPASSWD, SETENV, NOEXEC...), carried over as sudo does.
	Tags []string `json:"tags,omitempty"`
	// Options in effect: CWD=, CHROOT=, TIMEOUT=, NOTBEFORE=, NOTAFTER=...
	Options []string `json:"options,omitempty"`
}

type AuthorizedKey struct {
	User        string   `json:"user"`
	File        string   `json:"file"`
	Line        int      `json:"line"`
	Type        string   `json:"type"` // ssh-ed25519, ssh-rsa...
	Bits        int      `json:"bits,omitempty"`
	Comment     string   `json:"comment,omitempty"`
	Options     []string `json:"options,omitempty"`
	Fingerprint string   `json:"fingerprint"` // SHA256:...
}

// Login is a recent login record (wtmp/lastlog).
type Login struct {
	User   string    `json:"user"`
	TTY    string    `json:"tty,omitempty"`
	From   string    `json:"from,omitempty"`
	Time   time.Time `json:"time"`
	Source string    `json:"source"`
}

type Process struct {
	PID         int       `json:"pid"`
	PPID        int       `json:"ppid"`
	Name        string    `json:"name"`
	User        string    `json:"user,omitempty"`
	UID         int       `json:"uid"`
	Exe         string    `json:"exe,omitempty"`
	ExeSHA256   string    `json:"exe_sha256,omitempty"`
	ExeDeleted  bool      `json:"exe_deleted,omitempty"`
	Cmdline     []string  `json:"cmdline,omitempty"`
	Cwd         string    `json:"cwd,omitempty"`
	StartTime   time.Time `json:"start_time"`
	ContainerID string    `json:"container_id,omitempty"`
	Cgroup      string    `json:"cgroup,omitempty"`
	RSSBytes    uint64    `json:"rss_bytes,omitempty"`
	// KernelThread marks kernel workers (PF_KTHREAD): no exe, no cmdline.
	KernelThread bool `json:"kernel_thread,omitempty"`
	// Files are the code files the process runs from, which patching a
	// package replaces under it: its executable, the shared objects it has
	// mapped (/proc/PID/maps) and the archives a JVM holds open
	// (/proc/PID/fd). Deduplicated, at most MaxProcessFiles; live host
	// processes only (not inside containers).
	Files []ProcessFile `json:"files,omitempty"`
}

// MaxProcessFiles caps Process.Files (and 40,000 entries for a whole
// host: later processes then go without): a JVM or a browser can map
// thousands of files; the first ones (the executable, then the libraries
// in map order) are the ones that matter for restarts.
const MaxProcessFiles = 256

// ProcessFile is one file a process runs code from.
type ProcessFile struct {
	Path string `json:"path"`
	// Package is the OS package (binary package name) that installed the
	// file, resolved on the host from the package manager's file lists, so
	// the server can tell which processes a package update touches.
	Package string `json:"package,omitempty"`
	// Deleted: the file was replaced or removed after the process mapped
	// it; the process still runs the old code until restarted.
	Deleted bool `json:"deleted,omitempty"`
}

type Socket struct {
	Protocol    string `json:"protocol"` // tcp, tcp6, udp, udp6
	State       string `json:"state"`    // LISTEN, ESTABLISHED, ... (UNCONN for udp)
	LocalAddr   string `json:"local_addr"`
	LocalPort   int    `json:"local_port"`
	RemoteAddr  string `json:"remote_addr,omitempty"`
	RemotePort  int    `json:"remote_port,omitempty"`
	Inode       uint64 `json:"inode,omitempty"`
	UID         int    `json:"uid"`
	PID         int    `json:"pid,omitempty"`
	ProcessName string `json:"process_name,omitempty"`
}

// Listening reports whether the socket accepts connections or datagrams.
func (s Socket) Listening() bool { return s.State == "LISTEN" || s.State == "UNCONN" }

// PackageType says where a package comes from.
type PackageType string

const (
	PkgDeb    PackageType = "deb"
	PkgRPM    PackageType = "rpm"
	PkgAPK    PackageType = "apk"
	PkgMaven  PackageType = "maven"
	PkgPyPI   PackageType = "pypi"
	PkgNPM    PackageType = "npm"
	PkgGo     PackageType = "golang"
	PkgBinary PackageType = "binary"
)

// IsOS reports whether the type is an OS package manager's.
func (t PackageType) IsOS() bool { return t == PkgDeb || t == PkgRPM || t == PkgAPK }

type Package struct {
	Type    PackageType `json:"type"`
	Name    string      `json:"name"` // Maven: artifactId; see Group
	Version string      `json:"version"`
	// Epoch and Release for rpm; for deb the version is the full version string.
	Epoch   int    `json:"epoch,omitempty"`
	Release string `json:"release,omitempty"`
	Arch    string `json:"arch,omitempty"`
	// SourceName/SourceVersion: the source package advisories are keyed on
	// (dpkg Source:, rpm SOURCERPM, apk origin).
	// For rpm, SourceVersion is "version-release" of the source rpm (its
	// epoch is the binary's Epoch); for deb and apk it is the full version.
	SourceName    string `json:"source_name,omitempty"`
	SourceVersion string `json:"source_version,omitempty"`
	Group         string `json:"group,omitempty"` // Maven groupId
	Vendor        string `json:"vendor,omitempty"`
	// Maintainer as the OS package records it (dpkg Maintainer, apk m:).
	Maintainer string `json:"maintainer,omitempty"`
	License    string `json:"license,omitempty"`
	// State is the package manager's state when the package is not fully
	// installed (dpkg: half-configured, unpacked, triggers-pending...); its
	// files may be on disk, so it is reported, flagged. Empty means installed.
	State string `json:"state,omitempty"`
	// Location: the database (OS) or file the package was found in; nested
	// archives are joined with "!" (app.jar!/BOOT-INF/lib/x.jar).
	Location string `json:"location"`
	// Files are the paths an OS package installed; kept in memory only, to
	// attribute other files (not serialised: it would dwarf the inventory).
	Files []string `json:"-"`
	// Evidence for how a language package was identified:
	// pom.properties, MANIFEST.MF, filename, dist-info, package.json, buildinfo.
	FoundBy string `json:"found_by,omitempty"`
	PURL    string `json:"purl,omitempty"`
	// Metadata holds extra facts about a language package, keyed by short
	// lowercase names: "spring-boot-version" and "start-class" on a Spring
	// Boot application jar; "replaces" (the module@version a Go replace
	// directive swapped out) and "replaced-by" (a local directory) on Go
	// modules.
	Metadata map[string]string `json:"metadata,omitempty"`
}

type Service struct {
	Name        string `json:"name"`
	Manager     string `json:"manager"`          // systemd, sysv, openrc
	Enabled     string `json:"enabled"`          // enabled, disabled, static, masked, alias, indirect, generated, transient, linked, unknown
	Active      string `json:"active,omitempty"` // active, inactive, failed (live only)
	Description string `json:"description,omitempty"`
	ExecStart   string `json:"exec_start,omitempty"`
	User        string `json:"user,omitempty"`
	UnitFile    string `json:"unit_file,omitempty"`
	MainPID     int    `json:"main_pid,omitempty"`
	// DropIns are the systemd drop-in files applied over UnitFile, in order;
	// they can replace ExecStart= or User=.
	DropIns []string `json:"drop_ins,omitempty"`
}

// StartupItem is anything that runs code on a schedule or at boot/login.
type StartupItem struct {
	Kind     string `json:"kind"` // cron, cron-script, anacron, at, systemd-timer, rc.local, profile.d, ld.so.preload, xdg-autostart, shell-rc
	Path     string `json:"path"`
	Line     int    `json:"line,omitempty"`
	User     string `json:"user,omitempty"`
	Schedule string `json:"schedule,omitempty"`
	Command  string `json:"command"`
	// Unit is the unit a systemd timer activates.
	Unit string `json:"unit,omitempty"`
	// Enabled is set where the file says whether the item runs at all: a
	// timer pulled in at boot (true) or not (false, also when masked), an
	// rc.local without the executable bit, an autostart entry switched off.
	Enabled *bool `json:"enabled,omitempty"`
}

type KernelModule struct {
	Name    string   `json:"name"`
	Size    int64    `json:"size,omitempty"`
	UsedBy  []string `json:"used_by,omitempty"`
	State   string   `json:"state,omitempty"` // Live, Loading, Unloading
	Path    string   `json:"path,omitempty"`  // .ko file
	Version string   `json:"version,omitempty"`
	Signer  string   `json:"signer,omitempty"`
	Taints  string   `json:"taints,omitempty"`
	Loaded  bool     `json:"loaded"` // from /proc/modules (live)
	Source  string   `json:"source"` // proc, modules-load.d, modprobe.d
	// RefCount is the use count from /proc/modules.
	RefCount int `json:"ref_count,omitempty"`
	// Disabled says how modprobe.d keeps the module from loading:
	// "blacklist" (no alias autoload) or the install command that replaces
	// loading ("install /bin/false").
	Disabled string `json:"disabled,omitempty"`
	// File and Line: the configuration line that loads or disables it.
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
}

// Application is a recognised piece of middleware, database, web server,
// big-data component or runtime.
type Application struct {
	Name        string   `json:"name"`     // nginx, tomcat, mysql...
	Category    string   `json:"category"` // web-server, app-server, database, cache, queue, big-data, container, runtime
	Version     string   `json:"version,omitempty"`
	Running     bool     `json:"running"`
	PIDs        []int    `json:"pids,omitempty"`
	User        string   `json:"user,omitempty"`
	Binary      string   `json:"binary,omitempty"`
	ConfigPaths []string `json:"config_paths,omitempty"`
	Ports       []int    `json:"ports,omitempty"`
	Package     string   `json:"package,omitempty"`
	Evidence    []string `json:"evidence,omitempty"` // process, package, binary, config
	ContainerID string   `json:"container_id,omitempty"`
	// PackageVersion is the OS package's full version (epoch, revision);
	// Version is the upstream part of it, or what a file or binary says.
	PackageVersion string `json:"package_version,omitempty"`
	// VersionSource says where Version was read: "package", or the file,
	// archive entry or binary it came from.
	VersionSource string `json:"version_source,omitempty"`
	// Home is the install directory (catalina.home, JAVA_HOME...); Instance
	// the per-instance directory (catalina.base, a PostgreSQL data dir).
	Home     string   `json:"home,omitempty"`
	Instance string   `json:"instance,omitempty"`
	Roles    []string `json:"roles,omitempty"` // hadoop: namenode, datanode...
}

// WebSite is a virtual host of a web server.
type WebSite struct {
	Server       string   `json:"server"` // nginx, apache
	ServerNames  []string `json:"server_names,omitempty"`
	Listen       []string `json:"listen,omitempty"` // "80", "0.0.0.0:443 ssl"
	TLS          bool     `json:"tls,omitempty"`
	DocumentRoot string   `json:"document_root,omitempty"`
	ProxyPass    []string `json:"proxy_pass,omitempty"`
	ConfigFile   string   `json:"config_file"`
	Line         int      `json:"line,omitempty"`
	// Locations are the site's location/Alias blocks that serve files from
	// their own root or proxy elsewhere.
	Locations []WebLocation `json:"locations,omitempty"`
}

// WebLocation is one location (nginx) or Location/Alias (apache) of a site.
type WebLocation struct {
	Path      string `json:"path"` // "/static/", "~ \.php$"
	Root      string `json:"root,omitempty"`
	Alias     string `json:"alias,omitempty"`
	ProxyPass string `json:"proxy_pass,omitempty"`
	Line      int    `json:"line,omitempty"`
}

// WebApp is a framework or application found in a document root or app dir.
type WebApp struct {
	Name     string `json:"name"` // wordpress, thinkphp, spring-boot...
	Version  string `json:"version,omitempty"`
	Path     string `json:"path"`
	Language string `json:"language,omitempty"` // php, java, python, node
	Site     string `json:"site,omitempty"`     // server name of the owning site, if known
	Evidence string `json:"evidence,omitempty"`
}

type Container struct {
	ID         string            `json:"id"`
	Name       string            `json:"name,omitempty"`
	Image      string            `json:"image,omitempty"`
	ImageID    string            `json:"image_id,omitempty"`
	Runtime    string            `json:"runtime"` // docker, containerd, cgroup
	State      string            `json:"state,omitempty"`
	Privileged bool              `json:"privileged,omitempty"`
	Created    *time.Time        `json:"created,omitempty"`
	PID        int               `json:"pid,omitempty"`
	Mounts     []ContainerMount  `json:"mounts,omitempty"`
	Ports      []string          `json:"ports,omitempty"` // "0.0.0.0:8080->80/tcp"
	Labels     map[string]string `json:"labels,omitempty"`
	Namespace  string            `json:"namespace,omitempty"` // containerd namespace
}

type ContainerMount struct {
	Source      string `json:"source"`
	Destination string `json:"destination"`
	ReadOnly    bool   `json:"read_only,omitempty"`
}

// CollectorRun records one collector's outcome in a scan.
type CollectorRun struct {
	Name       string `json:"name"`
	Status     string `json:"status"` // ok, failed, skipped
	Reason     string `json:"reason,omitempty"`
	Items      int    `json:"items"`
	DurationMS int64  `json:"duration_ms"`
}

// Warning is a non-fatal problem met while collecting.
type Warning struct {
	Collector string `json:"collector"`
	Path      string `json:"path,omitempty"`
	Message   string `json:"message"`
}
