package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/ward-sec/ward/internal/baseline"
	"github.com/ward-sec/ward/internal/fleet/baselinetask"
	"github.com/ward-sec/ward/internal/model"
)

// A synthetic compliance policy the size of a distribution L2 profile
// (~300 checks; ComplianceAsCode's Debian 12 CIS L2 has 310 controls),
// with the field lengths of real content: English and Chinese titles,
// a reason and an evidence line per failed check, a remediation of a
// command or two, a CIS and an MLPS reference.
const (
	simPolicy       = "sim-debian12-l2"
	simPolicyChecks = 300
)

type simCheck struct {
	id, title, titleZH, remediation string
	sev                             model.Severity
	refs                            []model.Reference
}

var simChecks = func() []simCheck {
	areas := []struct{ title, zh, fix string }{
		{"Ensure the %s kernel module is not available", "确保 %s 内核模块不可用", "printf 'install %[1]s /bin/false\\nblacklist %[1]s\\n' > /etc/modprobe.d/%[1]s.conf && modprobe -r %[1]s"},
		{"Ensure %s is mounted with nodev,nosuid,noexec", "确保 %s 以 nodev,nosuid,noexec 挂载", "edit the %s line of /etc/fstab to add nodev,nosuid,noexec, then: mount -o remount %[1]s"},
		{"Ensure sysctl %s is set correctly", "确保 sysctl %s 设置正确", "printf '%s = 0\\n' >> /etc/sysctl.d/60-ward.conf && sysctl --system"},
		{"Ensure sshd %s is configured", "确保 sshd %s 已配置", "set '%s' in /etc/ssh/sshd_config (before any Match block), then: systemctl reload ssh"},
		{"Ensure permissions on %s are configured", "确保 %s 的权限已配置", "chown root:root %[1]s && chmod u-x,go-rwx %[1]s"},
		{"Ensure the %s service is not enabled", "确保 %s 服务未启用", "systemctl stop %[1]s.service && systemctl mask %[1]s.service"},
		{"Ensure password policy %s is set", "确保口令策略 %s 已设置", "set %s in /etc/login.defs and run chage for existing users"},
		{"Ensure audit rules for %s are collected", "确保收集 %s 的审计规则", "add '-w %s -p wa -k ward' to /etc/audit/rules.d/50-ward.rules && augenrules --load"},
	}
	subjects := []string{"cramfs", "/tmp", "net.ipv4.ip_forward", "PermitRootLogin", "/etc/crontab", "avahi-daemon", "PASS_MAX_DAYS",
		"/etc/sudoers", "usb-storage", "/var/tmp", "net.ipv4.conf.all.accept_redirects", "MaxAuthTries", "/etc/passwd", "rpcbind",
		"PASS_MIN_DAYS", "/var/log/faillog", "squashfs", "/dev/shm", "kernel.randomize_va_space", "ClientAliveInterval", "/etc/shadow",
		"cups", "pam_pwquality minlen", "/etc/group", "udf", "/home", "fs.suid_dumpable", "LoginGraceTime", "/etc/gshadow", "nfs-server",
		"pam_faillock deny", "/etc/localtime", "dccp", "/var/log", "net.ipv6.conf.all.accept_ra", "X11Forwarding", "/etc/issue.net",
		"snmpd", "umask", "/etc/selinux"}
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]simCheck, simPolicyChecks)
	for i := range out {
		a := areas[i%len(areas)]
		s := subjects[(i/len(areas)+i)%len(subjects)]
		out[i] = simCheck{
			id: fmt.Sprintf("%d.%d.%d", i/60+1, i/10%6+1, i%10+1), title: fmt.Sprintf(a.title, s), titleZH: fmt.Sprintf(a.zh, s),
			remediation: fmt.Sprintf(a.fix, s), sev: model.Severity(1 + r.IntN(4)),
			refs: []model.Reference{{Type: "CIS", ID: fmt.Sprintf("%d.%d.%d", i/60+1, i/10%6+1, i%10+1)}, {Type: "MLPS", ID: fmt.Sprintf("L3-CES1-%02d", 1+i%44)}},
		}
	}
	return out
}()

// baselineReport is one host's run of the synthetic policy as the agent
// sends it (baselinetask.Messages: compacted, one payload), and the
// findings of its failed and errored checks (baseline.Findings). Each host has its own stable mix
// (~62% pass, ~18% fail, ~12% not applicable, ~6% manual, ~2% error),
// a few checks flip between scans.
func baselineReport(h host, scan uint64) ([]json.RawMessage, []model.Finding, error) {
	stable := rand.New(rand.NewPCG(uint64(h.index)+1, 0xba5e))
	volatile := rand.New(rand.NewPCG(uint64(h.index)+1, scan^0xf1))
	pr := baseline.PolicyResult{Policy: simPolicy, Title: "Debian 12 server, level 2 (bench)", Version: "1.0.0",
		Counts: map[baseline.Status]int{}}
	for _, c := range simChecks {
		x := stable.IntN(1000)
		if volatile.IntN(100) < 2 {
			x = volatile.IntN(1000)
		}
		st := baseline.Pass
		switch {
		case x < 180:
			st = baseline.Fail
		case x < 300:
			st = baseline.NotApplicable
		case x < 360:
			st = baseline.Manual
		case x < 380:
			st = baseline.Error
		}
		cr := baseline.CheckResult{Policy: simPolicy, Check: c.id, Title: c.title, TitleZH: c.titleZH, Severity: c.sev, Status: st}
		switch st {
		case baseline.Fail:
			cr.Reason = "found " + strings.Fields(c.title)[1] + " not as required"
			cr.Evidence = []string{"/etc/sysctl.d/99-local.conf:3: value 1 (want 0)"}
			cr.Remediation, cr.References = c.remediation, c.refs
		case baseline.NotApplicable:
			cr.Reason = "package not installed"
		case baseline.Error:
			cr.Reason = "cannot read /etc/ssh/sshd_config: permission denied"
			cr.Remediation = c.remediation
		}
		pr.Counts[st]++
		pr.Checks = append(pr.Checks, cr)
	}
	if d := pr.Counts[baseline.Pass] + pr.Counts[baseline.Fail] + pr.Counts[baseline.Error]; d > 0 {
		pr.Score = float64(pr.Counts[baseline.Pass]) * 100 / float64(d)
	}
	rep := &baseline.Report{Policies: []baseline.PolicyResult{pr}}
	msgs, err := baselinetask.Messages(rep, 8<<20-128<<10)
	return msgs, baseline.Findings(rep), err
}
