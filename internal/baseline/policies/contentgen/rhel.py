import copy, sys, re
sys.path.insert(0, __import__('os').path.dirname(__import__('os').path.abspath(__file__)))
from common import *

l1 = load('debian12-l1'); l2 = load('debian12-l2')
R_SVC = ('Every service is attack surface; those the host does not need are removed or disabled.', '每个服务都是攻击面，主机不需要的服务应删除或禁用。')
R_SW = ('Software that is not installed cannot be exploited or misused.', '未安装的软件无法被利用或滥用。')
R_UPD = ('Packages come only from signed repositories, so a tampered mirror cannot install code.', '软件包只来自签名仓库，被篡改的镜像无法安装代码。')
R_FW = ('A host firewall limits exposure to the services the host is meant to offer.', '主机防火墙将暴露面限制在主机应提供的服务上。')
R_MAC = ('Mandatory access control confines services even when they run as root.', '强制访问控制即使在服务以 root 运行时也能约束其行为。')
R_CRY = ('The system-wide crypto policy decides which algorithms TLS, SSH, Kerberos and IPsec accept; weak ones let traffic be forged or read.', '系统级加密策略决定 TLS、SSH、Kerberos 与 IPsec 接受的算法，弱算法会使流量被伪造或解密。')
R_BOOT = ('Whoever can edit the boot entries can switch off every other control.', '能修改启动项的人可以关闭所有其他控制。')
R_FILE = ('Restrictive owners and modes keep secrets and security configuration out of reach of ordinary users.', '严格的属主与权限使普通用户无法接触敏感信息和安全配置。')
R_TIME = ('Synchronised time makes logs from different hosts comparable and audit trails trustworthy.', '时间同步使不同主机的日志可比对，审计记录可信。')

SVC = {  # id: (packages, services)
 'service-autofs-unused': (['autofs'], ['autofs']),
 'service-avahi-unused': (['avahi'], ['avahi-daemon', 'avahi-daemon.socket']),
 'service-dhcp-server-unused': (['dhcp-server', 'kea'], ['dhcpd', 'dhcpd6', 'kea-dhcp4']),
 'service-dns-server-unused': (['bind'], ['named']),
 'service-dnsmasq-unused': (['dnsmasq'], ['dnsmasq']),
 'service-ftp-server-unused': (['vsftpd'], ['vsftpd']),
 'service-ldap-server-unused': (['openldap-servers'], ['slapd']),
 'service-imap-pop3-unused': (['dovecot', 'cyrus-imapd'], ['dovecot', 'dovecot.socket', 'cyrus-imapd']),
 'service-nfs-server-unused': (['nfs-utils'], ['nfs-server']),
 'service-nis-server-unused': (['ypserv'], ['ypserv']),
 'service-print-server-unused': (['cups'], ['cups', 'cups.socket']),
 'service-rpcbind-unused': (['rpcbind'], ['rpcbind', 'rpcbind.socket']),
 'service-rsync-server-unused': (['rsync-daemon'], ['rsyncd', 'rsyncd.socket']),
 'service-samba-unused': (['samba'], ['smb']),
 'service-snmp-unused': (['net-snmp'], ['snmpd']),
 'service-tftp-server-unused': (['tftp-server'], ['tftp', 'tftp.socket']),
 'service-web-proxy-unused': (['squid'], ['squid']),
 'service-xinetd-unused': (['xinetd'], ['xinetd']),
 'service-telnet-server-unused': (['telnet-server'], ['telnet.socket']),
 'service-rsh-server-unused': (['rsh-server'], ['rsh.socket', 'rlogin.socket', 'rexec.socket']),
 'service-talk-server-unused': (['talk-server'], ['ntalk']),
}
PKG = {  # absent-package checks: id -> packages
 'client-nis-absent': ['ypbind'], 'client-rsh-absent': ['rsh'], 'client-talk-absent': ['talk'], 'client-telnet-absent': ['telnet'],
 'client-ftp-absent': ['ftp', 'lftp'], 'prelink-absent': ['prelink'], 'gdm-absent': ['gdm'], 'service-x-server-unused': ['xorg-x11-server-common'],
 'client-ldap-utils-absent': ['openldap-clients'], 'bluetooth-absent': ['bluez'],
}
DROP = {'apparmor-installed', 'apparmor-bootloader', 'apparmor-service', 'apparmor-enforcing', 'apport-absent', 'timesyncd-servers',
        'accounts-shadow-group-empty', 'firewall-installed', 'firewall-enabled', 'firewall-default-deny', 'grub-cfg-perms', 'grub-password'}

def text(s, v):
    s = s.replace('Debian 12', f'RHEL {v}').replace('Debian', 'RHEL')
    s = s.replace('apt-get purge -y', 'dnf remove -y').replace('apt-get install -y', 'dnf install -y')
    s = re.sub(r'reload ssh\b', 'reload sshd', s)
    s = s.replace('/etc/bash.bashrc', '/etc/bashrc').replace('/etc/aide/aide.conf', '/etc/aide.conf')
    s = s.replace('(?i)debian|GNU/Linux', '(?i)(red hat|rhel|rocky|alma|centos)|GNU/Linux')
    s = s.replace('/etc/pam.d/common-session', '/etc/pam.d/system-auth and /etc/pam.d/password-auth')
    s = s.replace('run update-grub', 'run: grubby --update-kernel ALL --args "$(grep -o \'[a-z_]*=[0-9]*\' <<< \'\')"').replace('; run: grubby --update-kernel ALL --args "$(grep -o \'[a-z_]*=[0-9]*\' <<< \'\')"', '; run grub2-mkconfig -o /boot/grub2/grub.cfg (or grubby --update-kernel ALL --args ...)')
    s = s.replace('/var/log/auth.log', '/var/log/secure').replace('auth.log', 'secure')
    s = s.replace('/etc/chrony/chrony.conf', '/etc/chrony.conf').replace('systemctl restart chrony', 'systemctl restart chronyd')
    return s

def pamfile(c, v):
    """common-* -> system-auth and password-auth (authselect keeps both)."""
    probes = []
    for p in c['probes']:
        if 'pam' in p and p['pam']['file'].startswith('common-'):
            for f in ('system-auth', 'password-auth'):
                q = copy.deepcopy(p); q['pam']['file'] = f; probes.append(q)
        else:
            probes.append(p)
    c['probes'] = probes
    c = walk_strings(c, lambda s: re.sub(r'(/etc/pam\.d/)?common-(auth|account|password|session)', lambda m: '/etc/pam.d/system-auth and password-auth' if m.group(1) else 'system-auth/password-auth', s))
    return c

PAMREM = {
 'pam-pam-unix-auth': 'authselect select sssd --force   (or minimal/local); authselect apply-changes',
 'pam-pam-faillock-auth': 'authselect enable-feature with-faillock && authselect apply-changes',
 'pam-pam-faillock-account': 'authselect enable-feature with-faillock && authselect apply-changes',
 'pam-pam-pwquality-password': 'authselect apply-changes   (the sssd/minimal/local profiles include pam_pwquality.so; restore with: authselect select sssd --force)',
 'pam-pam-pwhistory-password': {'8': 'authselect create-profile ward -b sssd; add "password requisite pam_pwhistory.so remember=24 use_authtok" before pam_unix.so in /etc/authselect/custom/ward/{system,password}-auth; authselect select custom/ward --force',
                                '9': 'authselect enable-feature with-pwhistory && authselect apply-changes'},
 'pam-unix-no-nullok-auth': 'authselect enable-feature without-nullok && authselect apply-changes',
 'pam-unix-no-nullok-password': 'authselect enable-feature without-nullok && authselect apply-changes',
 'pam-unix-no-nullok-account': 'authselect enable-feature without-nullok && authselect apply-changes',
 'pam-unix-no-nullok-session': 'authselect enable-feature without-nullok && authselect apply-changes',
 'pam-unix-no-remember': 'Remove remember=N from pam_unix.so in the active authselect profile (/etc/authselect/custom/<profile>/{system,password}-auth), then: authselect apply-changes',
 'pam-unix-use-authtok': 'Add use_authtok to pam_unix.so (password) in the active custom authselect profile, then: authselect apply-changes',
}

def rhel_checks(src, v, level):
    out = []
    for c0 in src:
        if c0['id'] in DROP:
            continue
        c = walk_strings(copy.deepcopy(c0), lambda s: text(s, v))
        i = c['id']
        if i in SVC:
            pk, sv = SVC[i]
            c['condition'] = 'any'
            c['probes'] = [{'package': {'name': pk, 'installed': False}}, {'service': {'name': sv, 'enabled': False}}]
            c['description'] = L(f"Not installed ({', '.join(pk)}), or its services are disabled ({', '.join(sv)}).", f"未安装（{', '.join(pk)}），或其服务已禁用（{', '.join(sv)}）。")
            c['remediation'] = f"dnf remove -y {' '.join(pk)}\n(or, if the package is needed: systemctl disable --now {' '.join(sv)})\n"
            c['fix'] = [{'disable_service': s} for s in sv]
        if i in PKG:
            c['probes'] = [{'package': {'name': PKG[i], 'installed': False}}]
            c['description'] = L(f"{', '.join(PKG[i])} is not installed.", f"未安装 {', '.join(PKG[i])}。")
            c['remediation'] = f"dnf remove -y {' '.join(PKG[i])}"
        for g in c.get('applies', []):
            if 'package' in g:
                g['package'] = [{'auditd': 'audit', 'cron': 'cronie', 'sudo-ldap': 'sudo'}.get(x, x) for x in g['package']]
                g['package'] = list(dict.fromkeys(g['package']))
        if i == 'auditd-installed':
            c['probes'] = [{'package': {'name': ['audit']}}, {'package': {'name': ['audit-libs']}}]
            c['description'] = L('audit and audit-libs are installed.', '已安装 audit 与 audit-libs。')
            c['remediation'] = 'dnf install -y audit audit-libs && systemctl enable --now auditd'
        if i == 'cron-enabled':
            c['probes'] = [{'service': {'name': ['crond'], 'enabled': True}}]
            c['description'] = L('crond.service is enabled so scheduled maintenance (integrity checks, log rotation) runs.', 'crond.service 已启用，定期维护任务（完整性检查、日志轮转）可以运行。')
            c['remediation'] = 'systemctl enable --now crond'
        if i == 'time-sync-in-use':
            c['probes'] = [{'service': {'name': ['chronyd'], 'enabled': True}}]
            c.pop('condition', None)
            c['description'] = L('chronyd is enabled, so log timestamps are trustworthy.', '已启用 chronyd，保证日志时间可信。')
            c['remediation'] = 'dnf install -y chrony && systemctl enable --now chronyd'
        if i == 'chrony-sources':
            c['probes'] = [{'content': {'paths': ['/etc/chrony.conf', '/etc/chrony.d/*.conf'], 'match': '^\\s*(server|pool)\\s+\\S+'}}]
            c['remediation'] = 'Add to /etc/chrony.conf:  pool time.example.internal iburst   then: systemctl restart chronyd'
        if i == 'chrony-user':
            c['title'] = L('chronyd does not run as root', 'chronyd 不以 root 运行')
            c['probes'] = [{'content': {'paths': ['/etc/chrony.conf', '/etc/chrony.d/*.conf', '/etc/sysconfig/chronyd'], 'nomatch': '^\\s*user\\s+root\\b|-u\\s+root'}}]
            c['remediation'] = 'Remove "-u root" from OPTIONS in /etc/sysconfig/chronyd and "user root" from /etc/chrony.conf; systemctl restart chronyd'
        if i == 'pam-pwquality-installed':
            c['probes'] = [{'package': {'name': ['libpwquality']}}]
            c['remediation'] = 'dnf install -y libpwquality'
            c['description'] = L('libpwquality (pam_pwquality.so) is installed.', '已安装 libpwquality（pam_pwquality.so）。')
        if any('pam' in p for p in c['probes']) and any('pam' in p and p['pam']['file'].startswith('common-') for p in c['probes']):
            c = pamfile(c, v)
            r = PAMREM.get(i)
            if isinstance(r, dict): r = r[v]
            if r: c['remediation'] = r
        if i == 'pwhistory-remember':
            c['condition'] = 'any'
            c['probes'].append({'keyvalue': {'paths': ['/etc/security/pwhistory.conf'], 'syntax': 'equals', 'key': 'remember', 'op': 'ge', 'value': '24'}})
            c['remediation'] = 'RHEL 9: set remember = 24 in /etc/security/pwhistory.conf (authselect enable-feature with-pwhistory). RHEL 8: remember=24 on pam_pwhistory.so in the custom authselect profile, then authselect apply-changes'
        if i == 'pwhistory-enforce-for-root':
            c['condition'] = 'any'
            c['probes'].append({'content': {'paths': ['/etc/security/pwhistory.conf'], 'match': '^\\s*enforce_for_root\\b'}})
            c['remediation'] = 'Add enforce_for_root to /etc/security/pwhistory.conf (RHEL 9) or to pam_pwhistory.so in the custom authselect profile (RHEL 8)'
        if i == 'pwhistory-use-authtok':
            c['remediation'] = 'Add use_authtok to pam_pwhistory.so in the custom authselect profile, then: authselect apply-changes'
        if i == 'pam-unix-strong-hash':
            if v == '8':
                c['probes'] = [p for p in c['probes'] if p['pam']['arg'] == 'sha512']
                c['condition'] = 'all'
                c['title'] = L('pam_unix hashes new passwords with SHA-512', 'pam_unix 使用 SHA-512 散列新口令')
                c['description'] = L('pam_unix.so in system-auth and password-auth has sha512.', 'system-auth 与 password-auth 中 pam_unix.so 带 sha512 参数。')
                c['remediation'] = 'authselect apply-changes   (the authselect profiles set sha512; remove other hash arguments from custom profiles)'
            else:
                c['condition'] = 'any'
                c['probes'] = [{'pam': {'file': f, 'type': 'password', 'module': 'pam_unix.so', 'arg': a}} for a in ('sha512', 'yescrypt') for f in ('system-auth',)]
                c['description'] = L('pam_unix.so in system-auth has sha512 or yescrypt.', 'system-auth 中 pam_unix.so 带 sha512 或 yescrypt 参数。')
                c['remediation'] = 'authselect apply-changes   (profiles set sha512 or yescrypt)'
        if i == 'login-defs-encrypt-method' and v == '8':
            c['probes'] = [{'keyvalue': {'paths': ['/etc/login.defs'], 'syntax': 'space', 'key': 'ENCRYPT_METHOD', 'op': 'eq', 'value': 'SHA512'}}]
            c['title'] = L('New passwords are hashed with SHA-512', '新口令使用 SHA-512 散列'); c['description'] = L('login.defs ENCRYPT_METHOD is SHA512.', 'login.defs 的 ENCRYPT_METHOD 为 SHA512。')
            c['remediation'] = 'Set in /etc/login.defs:  ENCRYPT_METHOD SHA512'
            c['fix'] = [{'set_config': {'path': '/etc/login.defs', 'key': 'ENCRYPT_METHOD', 'value': 'SHA512'}}]
        if i in ('perms-shadow', 'perms-shadow-backup', 'perms-gshadow', 'perms-gshadow-backup'):
            path = c['probes'][0]['file']['path']
            c['probes'][0]['file']['mode'] = '0000'; c['probes'][0]['file']['group'] = ['root']
            c['description'] = L(f'{path} is owned by root:root with mode 0000 (only root, via capabilities, reads it).', f'{path} 属主 root:root，权限 0000（仅 root 通过能力读取）。')
            c['remediation'] = f'chown root:root {path}\nchmod 0000 {path}\n'
            c['fix'] = [{'file_mode': {'path': path, 'mode': '0000', 'owner': 'root', 'group': 'root'}}]
        if i == 'sshd-host-private-keys':
            c['probes'][0]['file']['mode'] = '0640'; c['probes'][0]['file']['group'] = ['root', 'ssh_keys']
            c['description'] = L('Every /etc/ssh/ssh_host_*_key is owned by root, group root or ssh_keys, with mode 0640 or stricter.', '所有 /etc/ssh/ssh_host_*_key 属主 root、属组 root 或 ssh_keys，权限不超过 0640。')
            c['remediation'] = 'chown root:ssh_keys /etc/ssh/ssh_host_*_key\nchmod 0640 /etc/ssh/ssh_host_*_key\n'
            c['fix'] = [{'file_mode': {'path': '/etc/ssh/ssh_host_*_key', 'mode': '0640', 'owner': 'root', 'group': 'ssh_keys'}}]
        if i == 'aide-audit-tools':
            for p in c['probes']:
                p['content']['paths'] = ['/etc/aide.conf']
        if i == 'aide-scheduled':
            c['probes'] = [{'service': {'name': ['aidecheck.timer'], 'enabled': True}},
                           {'content': {'paths': ['/etc/crontab', '/etc/cron.d/*', '/etc/cron.daily/*', '/var/spool/cron/root'], 'match': '\\baide(\\s|$)'}}]
            c['description'] = L('aidecheck.timer is enabled or a cron job runs aide --check.', '已启用 aidecheck.timer 或存在运行 aide --check 的 cron 任务。')
            c['remediation'] = "printf '0 5 * * * root /usr/sbin/aide --check\\n' > /etc/cron.d/aide   (or a systemd timer aidecheck.timer)"
        if i == 'aide-installed':
            c['probes'] = [{'package': {'name': ['aide']}}]
            c['description'] = L('aide is installed.', '已安装 aide。')
            c['remediation'] = 'dnf install -y aide && aide --init && mv /var/lib/aide/aide.db.new.gz /var/lib/aide/aide.db.gz'
        if i == 'coredump-storage-none':
            c['applies'] = [{'file': ['/usr/lib/systemd/systemd-coredump']}]
        if i == 'rsyslog-installed':
            c['probes'] = [{'package': {'name': ['rsyslog']}}]
            c['remediation'] = 'dnf install -y rsyslog && systemctl enable --now rsyslog'
        if i == 'var-log-perms':
            c['probes'] = [p for p in c['probes'] if p['file']['path'] != '/var/log/syslog']
            c['probes'].append({'file': {'path': '/var/log/cron', 'mode': '0640', 'missing': 'pass'}})
            c['description'] = L('Files directly under /var/log (*.log, messages, secure, cron) are not world-readable or writable.', '/var/log 下的日志文件（*.log、messages、secure、cron）不对所有人可读写。')
        if i == 'audit-rule-mac-policy':
            c['probes'] = [{'content': {'paths': ['/etc/audit/rules.d/*.rules', '/etc/audit/audit.rules'], 'match': '^\\s*-w\\s+/etc/selinux/?\\s+-p\\s+wa'}},
                           {'content': {'paths': ['/etc/audit/rules.d/*.rules', '/etc/audit/audit.rules'], 'match': '^\\s*-w\\s+/usr/share/selinux/?\\s+-p\\s+wa'}}]
            c['remediation'] = 'Add to /etc/audit/rules.d/60-ward-baseline.rules:\n-w /etc/selinux -p wa -k MAC-policy\n-w /usr/share/selinux -p wa -k MAC-policy\nthen run: augenrules --load\n'
            c['fix'] = [{'append_line': {'path': '/etc/audit/rules.d/60-ward-baseline.rules', 'line': l, 'mode': '0640'}} for l in ('-w /etc/selinux -p wa -k MAC-policy', '-w /usr/share/selinux -p wa -k MAC-policy')]
        if i == 'audit-log-file-perms':
            c['probes'][0]['file']['group'] = ['root']
        # RHEL 9 layout: banners 1.7.x, GDM 1.8.x (crypto policies take 1.6)
        for r in c['references']:
            if r['type'] == 'CIS':
                m = re.match(r'^1\.([67])\.(\d+)$', r['id'])
                if m: r['id'] = f'1.{int(m.group(1)) + 1}.{m.group(2)}'
        out.append(c)
    return out

def extras_l1(v):
    o = []
    GRUBCFG = '/boot/grub2/grub.cfg'
    o.append(chk('grub-cfg-perms', ('Boot loader files are readable by root only', '引导加载程序文件仅 root 可读'),
        ('/boot/grub2/grub.cfg, grubenv and user.cfg are root-owned with mode 0600 (BIOS installs; on UEFI the vfat mount options decide).', '/boot/grub2/grub.cfg、grubenv 与 user.cfg 属主 root、权限 0600（BIOS 安装；UEFI 由 vfat 挂载选项决定）。'),
        R_BOOT, 'medium', ['boot', 'files'], [('CIS', '1.4.2'), ('MLPS', 'L3-CES1-10')],
        [{'file': {'path': p, 'mode': '0600', 'owner': ['root'], 'missing': 'na'}} for p in ('/boot/grub2/grub.cfg', '/boot/grub2/grubenv', '/boot/grub2/user.cfg')],
        'chown root:root /boot/grub2/grub.cfg /boot/grub2/grubenv /boot/grub2/user.cfg\nchmod 0600 /boot/grub2/grub.cfg /boot/grub2/grubenv /boot/grub2/user.cfg\n',
        fix=[{'file_mode': {'path': p, 'mode': '0600', 'owner': 'root'}} for p in ('/boot/grub2/grub.cfg', '/boot/grub2/grubenv')]))
    o.append(chk('grub-password', ('The boot loader asks for a password', '引导加载程序设置了口令'),
        ('/boot/grub2/user.cfg holds GRUB2_PASSWORD (a PBKDF2 hash), so boot entries cannot be edited without it.', '/boot/grub2/user.cfg 含 GRUB2_PASSWORD（PBKDF2 散列），无口令不能编辑启动项。'),
        R_BOOT, 'medium', ['boot'], [('CIS', '1.4.1'), ('MLPS', 'L3-CES1-24')],
        [{'content': {'paths': ['/boot/grub2/user.cfg', '/boot/efi/EFI/*/user.cfg'], 'match': '^\\s*GRUB2_PASSWORD=grub\\.pbkdf2\\.'}}],
        'grub2-setpassword   # writes /boot/grub2/user.cfg'))
    o.append(chk('selinux-installed', ('SELinux libraries are installed', '已安装 SELinux 库'),
        ('libselinux is installed.', '已安装 libselinux。'), R_MAC, 'high', ['selinux'], [('CIS', '1.3.1.1'), ('MLPS', 'L3-CES1-11')],
        [{'package': {'name': ['libselinux']}}], 'dnf install -y libselinux'))
    o.append(chk('selinux-not-disabled-at-boot', ('No boot entry switches SELinux off', '无启动项关闭 SELinux'),
        ('Neither /etc/default/grub nor the boot loader entries pass selinux=0 or enforcing=0.', '/etc/default/grub 与启动项均未传递 selinux=0 或 enforcing=0。'),
        R_MAC, 'high', ['selinux', 'boot'], [('CIS', '1.3.1.2'), ('MLPS', 'L3-CES1-11')],
        [{'content': {'paths': ['/etc/default/grub', '/boot/loader/entries/*.conf', '/boot/grub2/grubenv'], 'nomatch': '\\b(selinux|enforcing)=0\\b', 'missing': 'pass'}}],
        'grubby --update-kernel ALL --remove-args "selinux=0 enforcing=0"\nand remove them from GRUB_CMDLINE_LINUX in /etc/default/grub\n'))
    o.append(chk('selinux-policy-targeted', ('The SELinux policy is targeted or mls', 'SELinux 策略为 targeted 或 mls'),
        ('/etc/selinux/config sets SELINUXTYPE to targeted or mls.', '/etc/selinux/config 中 SELINUXTYPE 为 targeted 或 mls。'),
        R_MAC, 'high', ['selinux'], [('CIS', '1.3.1.3'), ('MLPS', 'L3-CES1-11')],
        [{'keyvalue': {'paths': ['/etc/selinux/config'], 'syntax': 'equals', 'key': 'SELINUXTYPE', 'op': 'in', 'value': 'targeted,mls'}}],
        'Set in /etc/selinux/config:  SELINUXTYPE=targeted', fix=[{'set_config': {'path': '/etc/selinux/config', 'key': 'SELINUXTYPE', 'value': 'targeted', 'syntax': 'equals'}}]))
    o.append(chk('selinux-not-disabled', ('SELinux is not disabled', 'SELinux 未被禁用'),
        ('/etc/selinux/config sets SELINUX to enforcing or permissive.', '/etc/selinux/config 中 SELINUX 为 enforcing 或 permissive。'),
        R_MAC, 'high', ['selinux'], [('CIS', '1.3.1.4'), ('MLPS', 'L3-CES1-11')],
        [{'keyvalue': {'paths': ['/etc/selinux/config'], 'syntax': 'equals', 'key': 'SELINUX', 'op': 'in', 'value': 'enforcing,permissive'}}],
        'Set in /etc/selinux/config:  SELINUX=enforcing\nthen: touch /.autorelabel && reboot\n'))
    o.append(chk('mcstrans-absent', ('The MCS translation service is not installed', '未安装 MCS 标签转换服务'),
        ('mcstrans is not installed.', '未安装 mcstrans。'), R_SW, 'low', ['selinux', 'packages'], [('CIS', '1.3.1.7')],
        [{'package': {'name': ['mcstrans'], 'installed': False}}], 'dnf remove -y mcstrans'))
    o.append(chk('setroubleshoot-absent', ('setroubleshoot is not installed', '未安装 setroubleshoot'),
        ('setroubleshoot, a desktop helper that reads AVC denials, is not installed on servers.', '服务器上未安装读取 AVC 拒绝记录的桌面辅助工具 setroubleshoot。'), R_SW, 'low', ['selinux', 'packages'], [('CIS', '1.3.1.8')],
        [{'package': {'name': ['setroubleshoot'], 'installed': False}}], 'dnf remove -y setroubleshoot'))
    o.append(chk('crypto-policy-not-legacy', ('The system-wide crypto policy is not LEGACY', '系统级加密策略不是 LEGACY'),
        ('/etc/crypto-policies/config names DEFAULT, FUTURE or FIPS (with optional sub-policies), not LEGACY.', '/etc/crypto-policies/config 为 DEFAULT、FUTURE 或 FIPS（可带子策略），而非 LEGACY。'),
        R_CRY, 'high', ['crypto'], [('CIS', '1.6.1'), ('MLPS', 'L3-CES1-27')],
        [{'content': {'paths': ['/etc/crypto-policies/config'], 'match': '^\\s*(DEFAULT|FUTURE|FIPS)(:[A-Za-z0-9_-]+)*\\s*$', 'missing': 'fail'}}],
        'update-crypto-policies --set DEFAULT   (then reboot or restart the services)'))
    o.append(chk('crypto-policy-sshd-not-overridden', ('sshd follows the system-wide crypto policy', 'sshd 遵循系统级加密策略'),
        ('/etc/sysconfig/sshd does not set CRYPTO_POLICY, which would replace the system policy for SSH.', '/etc/sysconfig/sshd 未设置 CRYPTO_POLICY（否则会替换 SSH 的系统加密策略）。'),
        R_CRY, 'medium', ['crypto', 'ssh'], [('CIS', '1.6.2'), ('MLPS', 'L3-CES1-27')],
        [{'content': {'paths': ['/etc/sysconfig/sshd'], 'nomatch': '^\\s*CRYPTO_POLICY\\s*=', 'missing': 'pass'}}],
        "sed -ri 's/^\\s*(CRYPTO_POLICY\\s*=.*)/# \\1/' /etc/sysconfig/sshd && systemctl reload sshd", applies=[{'package': ['openssh-server']}]))
    o.append(chk('dnf-gpgcheck', ('dnf checks package signatures', 'dnf 校验软件包签名'),
        ('/etc/dnf/dnf.conf sets gpgcheck=1 in [main].', '/etc/dnf/dnf.conf 的 [main] 中 gpgcheck=1。'),
        R_UPD, 'high', ['packages', 'updates'], [('CIS', '1.2.1.2'), ('MLPS', 'L3-CES1-21')],
        [{'keyvalue': {'paths': ['/etc/dnf/dnf.conf'], 'syntax': 'ini', 'section': 'main', 'key': 'gpgcheck', 'op': 'in', 'value': '1,True,true,yes', 'default': '0'}}],
        'Set in /etc/dnf/dnf.conf under [main]:  gpgcheck=1'))
    o.append(chk('repos-gpgcheck-not-disabled', ('No repository turns signature checks off', '没有仓库关闭签名校验'),
        ('No /etc/yum.repos.d/*.repo file sets gpgcheck=0.', '/etc/yum.repos.d/*.repo 中没有 gpgcheck=0。'),
        R_UPD, 'high', ['packages', 'updates'], [('CIS', '1.2.1.2'), ('MLPS', 'L3-CES1-21')],
        [{'content': {'paths': ['/etc/yum.repos.d/*.repo'], 'nomatch': '^\\s*gpgcheck\\s*=\\s*(0|False|false|no)\\s*$', 'missing': 'pass'}}],
        "sed -ri 's/^\\s*gpgcheck\\s*=.*/gpgcheck=1/' /etc/yum.repos.d/*.repo"))
    o.append(chk('firewalld-installed', ('firewalld is installed', '已安装 firewalld'),
        ('firewalld, the default RHEL firewall manager, is installed.', '已安装 RHEL 默认防火墙管理器 firewalld。'),
        R_FW, 'medium', ['firewall'], [('CIS', '4.1.1'), ('MLPS', 'L3-CES1-19')],
        [{'package': {'name': ['firewalld', 'nftables']}}], 'dnf install -y firewalld'))
    o.append(chk('firewalld-enabled', ('firewalld is enabled at boot', 'firewalld 开机启用'),
        ('firewalld.service (or nftables.service where nftables is managed directly) is enabled.', '已启用 firewalld.service（或直接管理 nftables 时启用 nftables.service）。'),
        R_FW, 'medium', ['firewall'], [('CIS', '4.1.2'), ('MLPS', 'L3-CES1-19')],
        [{'service': {'name': ['firewalld'], 'enabled': True}}, {'service': {'name': ['nftables'], 'enabled': True}}],
        'systemctl unmask firewalld && systemctl enable --now firewalld', cond='any'))
    o.append(chk('firewalld-single-utility', ('Only one firewall manager is active', '仅使用一种防火墙管理工具'),
        ('With firewalld installed, nftables.service and iptables.service are not enabled next to it.', '安装 firewalld 时不同时启用 nftables.service 与 iptables.service。'),
        R_FW, 'medium', ['firewall'], [('CIS', '4.1.2'), ('MLPS', 'L3-CES1-19')],
        [{'service': {'name': ['nftables', 'iptables', 'ip6tables'], 'enabled': False}}],
        'systemctl disable --now nftables iptables ip6tables   (keep firewalld)', applies=[{'package': ['firewalld']}]))
    o.append(chk('iptables-services-absent', ('iptables-services is not installed next to firewalld', '使用 firewalld 时未安装 iptables-services'),
        ('iptables-services is absent when firewalld manages the rules.', '由 firewalld 管理规则时未安装 iptables-services。'),
        R_FW, 'low', ['firewall'], [('CIS', '4.1.2')],
        [{'package': {'name': ['iptables-services'], 'installed': False}}], 'dnf remove -y iptables-services', applies=[{'package': ['firewalld']}]))
    o.append(chk('firewalld-default-zone', ('firewalld does not trust everything by default', 'firewalld 默认区域不是 trusted'),
        ('/etc/firewalld/firewalld.conf does not set DefaultZone=trusted (which accepts all traffic).', '/etc/firewalld/firewalld.conf 未设置 DefaultZone=trusted（会接受全部流量）。'),
        R_FW, 'high', ['firewall'], [('CIS', '4.2.1'), ('MLPS', 'L3-CES1-19')],
        [{'content': {'paths': ['/etc/firewalld/firewalld.conf'], 'nomatch': '^\\s*DefaultZone\\s*=\\s*trusted\\s*$', 'missing': 'pass'}}],
        'firewall-cmd --set-default-zone=public', applies=[{'package': ['firewalld']}]))
    o.append(chk('perms-sudoers', ('/etc/sudoers is read-only for root', '/etc/sudoers 仅 root 只读'),
        ('/etc/sudoers and /etc/sudoers.d/* are owned by root with mode 0440 or stricter.', '/etc/sudoers 与 /etc/sudoers.d/* 属主 root，权限不超过 0440。'),
        R_FILE, 'medium', ['sudo', 'files'], [('MLPS', 'L3-CES1-08'), ('MLPS', 'L3-CES1-10')],
        [{'file': {'path': '/etc/sudoers', 'mode': '0440', 'owner': ['root'], 'group': ['root'], 'missing': 'pass'}},
         {'file': {'path': '/etc/sudoers.d/*', 'mode': '0440', 'owner': ['root'], 'group': ['root'], 'missing': 'pass'}}],
        'chown root:root /etc/sudoers /etc/sudoers.d/* && chmod 0440 /etc/sudoers /etc/sudoers.d/*', applies=[{'package': ['sudo']}],
        fix=[{'file_mode': {'path': '/etc/sudoers', 'mode': '0440', 'owner': 'root', 'group': 'root'}}]))
    o.append(chk('sshd-config-d-perms', ('sshd drop-in files are root-only', 'sshd 附加配置文件仅 root 可读写'),
        ('/etc/ssh/sshd_config.d/*.conf are owned by root with mode 0600 or stricter.', '/etc/ssh/sshd_config.d/*.conf 属主 root，权限不超过 0600。'),
        R_FILE, 'medium', ['ssh', 'files'], [('CIS', '5.1.1'), ('MLPS', 'L3-CES1-10')],
        [{'file': {'path': '/etc/ssh/sshd_config.d/*.conf', 'mode': '0600', 'owner': ['root'], 'group': ['root'], 'missing': 'pass'}}],
        'chown root:root /etc/ssh/sshd_config.d/*.conf && chmod 0600 /etc/ssh/sshd_config.d/*.conf', applies=[{'package': ['openssh-server']}],
        fix=[{'file_mode': {'path': '/etc/ssh/sshd_config.d/*.conf', 'mode': '0600', 'owner': 'root', 'group': 'root'}}]))
    o.append(chk('authselect-profile', ('PAM is managed by an authselect profile', 'PAM 由 authselect 配置文件管理'),
        ('/etc/authselect/authselect.conf names a profile (sssd, winbind, minimal, local or custom/...), so the PAM stacks are generated consistently.', '/etc/authselect/authselect.conf 指定了配置文件（sssd、winbind、minimal、local 或 custom/...），PAM 栈统一生成。'),
        ('Password quality, history and lockout rules make guessing and reusing passwords impractical.', '口令复杂度、历史与锁定策略使口令猜测和重用难以实施。'),
        'medium', ['pam'], [('CIS', '5.3.2.1'), ('MLPS', 'L3-CES1-02')],
        [{'content': {'paths': ['/etc/authselect/authselect.conf'], 'match': '^\\s*(sssd|winbind|minimal|local|nis|custom/\\S+)\\s*$'}}],
        'authselect select sssd with-faillock without-nullok --force   (or a custom profile: authselect create-profile ward -b sssd)'))
    o.append(chk('authselect-with-faillock', ('The authselect profile has faillock on', 'authselect 配置启用了 faillock'),
        ('/etc/authselect/authselect.conf lists the with-faillock feature.', '/etc/authselect/authselect.conf 包含 with-faillock 特性。'),
        ('Password quality, history and lockout rules make guessing and reusing passwords impractical.', '口令复杂度、历史与锁定策略使口令猜测和重用难以实施。'),
        'medium', ['pam'], [('CIS', '5.3.2.2'), ('MLPS', 'L3-CES1-02')],
        [{'content': {'paths': ['/etc/authselect/authselect.conf'], 'match': '^\\s*with-faillock\\s*$'}}],
        'authselect enable-feature with-faillock && authselect apply-changes', applies=[{'file': ['/etc/authselect/authselect.conf']}]))
    return o

def extras_l2(v):
    o = []
    o.append(chk('selinux-enforcing', ('SELinux is configured enforcing', 'SELinux 配置为强制模式'),
        ('/etc/selinux/config sets SELINUX=enforcing.', '/etc/selinux/config 中 SELINUX=enforcing。'),
        R_MAC, 'high', ['selinux'], [('CIS', '1.3.1.5'), ('MLPS', 'L3-CES1-11')],
        [{'keyvalue': {'paths': ['/etc/selinux/config'], 'syntax': 'equals', 'key': 'SELINUX', 'value': 'enforcing'}}],
        'Set in /etc/selinux/config:  SELINUX=enforcing\nthen: setenforce 1\n', fix=[{'set_config': {'path': '/etc/selinux/config', 'key': 'SELINUX', 'value': 'enforcing', 'syntax': 'equals'}}]))
    o.append(chk('selinux-enforcing-now', ('SELinux is enforcing right now', 'SELinux 当前处于强制模式'),
        ('getenforce reports Enforcing on the running host.', '运行中的主机上 getenforce 返回 Enforcing。'),
        R_MAC, 'high', ['selinux'], [('CIS', '1.3.1.5'), ('MLPS', 'L3-CES1-11')],
        [{'command': {'argv': ['/usr/sbin/getenforce'], 'match': '^Enforcing'}}], 'setenforce 1   (and SELINUX=enforcing in /etc/selinux/config)',
        applies=[{'live': True}, {'package': ['libselinux-utils']}]))
    o.append(chk('crypto-policy-no-sha1', ('The crypto policy refuses SHA-1', '加密策略拒绝 SHA-1'),
        ('/etc/crypto-policies/config is FUTURE or FIPS, or carries the NO-SHA1 sub-policy.', '/etc/crypto-policies/config 为 FUTURE 或 FIPS，或带有 NO-SHA1 子策略。'),
        R_CRY, 'medium', ['crypto'], [('CIS', '1.6.3'), ('MLPS', 'L3-CES1-27')],
        [{'content': {'paths': ['/etc/crypto-policies/config'], 'match': '^\\s*((FUTURE|FIPS)(:\\S+)?|\\S*:NO-SHA1(:\\S+)?)\\s*$', 'missing': 'fail'}}],
        'update-crypto-policies --set DEFAULT:NO-SHA1   (RHEL 9 ships the NO-SHA1 module; on RHEL 8 write /etc/crypto-policies/policies/modules/NO-SHA1.pmod first)'))
    o.append(chk('dnf-repo-gpgcheck', ('dnf checks repository metadata signatures', 'dnf 校验仓库元数据签名'),
        ('/etc/dnf/dnf.conf sets repo_gpgcheck=1 in [main] (check that every repository publishes signed metadata first).', '/etc/dnf/dnf.conf 的 [main] 中 repo_gpgcheck=1（先确认所有仓库提供签名元数据）。'),
        R_UPD, 'low', ['packages', 'updates'], [('CIS', '1.2.1.3'), ('MLPS', 'L3-CES1-21')],
        [{'keyvalue': {'paths': ['/etc/dnf/dnf.conf'], 'syntax': 'ini', 'section': 'main', 'key': 'repo_gpgcheck', 'op': 'in', 'value': '1,True,true,yes', 'default': '0'}}],
        'Set in /etc/dnf/dnf.conf under [main]:  repo_gpgcheck=1'))
    o.append(chk('authselect-without-nullok', ('The authselect profile refuses empty passwords', 'authselect 配置拒绝空口令'),
        ('/etc/authselect/authselect.conf lists the without-nullok feature.', '/etc/authselect/authselect.conf 包含 without-nullok 特性。'),
        ('Password quality, history and lockout rules make guessing and reusing passwords impractical.', '口令复杂度、历史与锁定策略使口令猜测和重用难以实施。'),
        'medium', ['pam'], [('CIS', '5.3.3.4.1'), ('MLPS', 'L3-CES1-01')],
        [{'content': {'paths': ['/etc/authselect/authselect.conf'], 'match': '^\\s*without-nullok\\s*$'}}],
        'authselect enable-feature without-nullok && authselect apply-changes', applies=[{'file': ['/etc/authselect/authselect.conf']}]))
    return o

IDS = ['rhel', 'rocky', 'almalinux']
for v in ('8', '9'):
    gate = [{'os': {'id': IDS, 'version': [v]}}]
    c1 = rhel_checks(l1['checks'], v, 1) + extras_l1(v)
    c2 = rhel_checks(l2['checks'], v, 2) + extras_l2(v)
    desc = f'CIS Red Hat Enterprise Linux {v} Benchmark item numbers ({"v2.0.0" if v == "9" else "v4.0.0"} layout) are references only.'
    p1 = {'id': f'rhel{v}-l1', 'title': L(f'RHEL {v} family server baseline, level 1 (RHEL, Rocky, AlmaLinux)', f'RHEL {v} 系服务器基线 一级（RHEL、Rocky、AlmaLinux）'),
          'description': L(f'Hardening items with little operational impact for RHEL {v}, Rocky Linux {v} and AlmaLinux {v} servers: SELinux, crypto policies, authselect with faillock, dnf signatures, firewalld, chronyd, journald/rsyslog, sshd, sysctl, services and file permissions. {desc}',
                           f'适用于 RHEL {v}、Rocky Linux {v} 与 AlmaLinux {v} 服务器、对业务影响小的加固项：SELinux、加密策略、authselect 与 faillock、dnf 签名、firewalld、chronyd、日志、sshd、内核参数、服务与文件权限。CIS 条目编号仅作参考。'),
          'version': '1.0.0', 'framework': 'cis', 'level': 1, 'select': {'os': [{'id': IDS, 'version': [v]}]}, 'applies': gate,
          'parameters': copy.deepcopy(l1['parameters']), 'checks': c1}
    write(f'rhel{v}-l1', p1)
    p2 = {'id': f'rhel{v}-l2', 'title': L(f'RHEL {v} family server baseline, level 2 (RHEL, Rocky, AlmaLinux)', f'RHEL {v} 系服务器基线 二级（RHEL、Rocky、AlmaLinux）'),
          'description': L(f'Level 1 plus defence-in-depth items for high-security RHEL {v} family servers (SELinux enforcing, separate partitions, auditd rules, stricter crypto policy, more modules and kernel restrictions). {desc}',
                           f'在一级基础上增加纵深防御项（SELinux 强制模式、独立分区、auditd 审计规则、更严格的加密策略、更多模块与内核限制），适用于高安全要求的 RHEL {v} 系服务器。CIS 条目编号仅作参考。'),
          'version': '1.0.0', 'framework': 'cis', 'level': 2, 'select': {'os': [{'id': IDS, 'version': [v]}]}, 'applies': gate,
          'include': [f'rhel{v}-l1'], 'checks': c2}
    write(f'rhel{v}-l2', p2)
    print(v, len(c1), len(c2), len(c1) + len(c2))
