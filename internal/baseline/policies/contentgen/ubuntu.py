import copy, sys
sys.path.insert(0, __import__('os').path.dirname(__import__('os').path.abspath(__file__)))
from common import *

l1 = load('debian12-l1'); l2 = load('debian12-l2')

R_SVC = ('Every service that is not needed is attack surface; it is removed or disabled.', '每个不需要的服务都是攻击面，应删除或禁用。')
R_UPD = ('Packages come only from signed sources and security updates arrive without waiting for a person.', '软件包只来自签名源，安全更新无需人工等待即可安装。')
R_FW = L1FW = ('A host firewall limits exposure to the services the host is meant to offer.', '主机防火墙将暴露面限制在主机应提供的服务上。')
R_SSH = ('SSH is the main remote administration path; its settings decide how hard it is to brute-force, intercept or misuse.', 'SSH 是主要的远程管理通道，其配置决定了被暴力破解、窃听或滥用的难度。')
R_FILE = ('Files holding configuration or secrets are writable and readable only by the accounts that need them.', '保存配置或敏感信息的文件仅允许需要的账户读写。')
R_MAC = ('Mandatory access control confines services even when they run as root.', '强制访问控制即使在服务以 root 运行时也能约束其行为。')

def adapt(c, ver):
    def fn(s):
        s = s.replace('Debian 12', 'Ubuntu ' + ver).replace('Debian', 'Ubuntu').replace('(?i)debian', '(?i)ubuntu')
        return s
    c = walk_strings(c, fn)
    return c

def ubuntu_l1_changes(checks, ver):
    m = byid(checks)
    a = m['apport-absent']
    a['title'] = L('Automatic error reporting (apport) is off', '自动错误报告（apport）已关闭')
    a['description'] = L('apport is not installed, or /etc/default/apport sets enabled=0.', '未安装 apport，或 /etc/default/apport 设置 enabled=0。')
    a['condition'] = 'any'
    a['probes'] = [{'package': {'name': ['apport'], 'installed': False}},
                   {'keyvalue': {'paths': ['/etc/default/apport'], 'syntax': 'equals', 'key': 'enabled', 'value': '0', 'default': '1'}}]
    a['remediation'] = "sed -i 's/^enabled=.*/enabled=0/' /etc/default/apport\nsystemctl stop apport.service && systemctl mask apport.service\n(or: apt-get purge -y apport)\n"
    a['fix'] = [{'set_config': {'path': '/etc/default/apport', 'key': 'enabled', 'value': '0', 'syntax': 'equals'}}]
    f = m['firewall-installed']
    f['remediation'] = 'apt-get install -y ufw'
    f['references'] = [{'type': 'CIS', 'id': '4.2.1'}, {'type': 'MLPS', 'id': 'L3-CES1-19'}]
    f = m['firewall-enabled']
    f['remediation'] = "ufw allow proto tcp from ADMIN-NET to any port 22\nufw enable   # enables and starts ufw.service\n"
    f['references'] = [{'type': 'CIS', 'id': '4.2.3'}, {'type': 'MLPS', 'id': 'L3-CES1-19'}]
    if ver == '22.04':
        # 22.04 ships pam_faillock but no pam-auth-update profile for it: write one.
        rem = ("Ubuntu 22.04 has no faillock profile for pam-auth-update; create /usr/share/pam-configs/faillock and faillock_notify "
               "(the CIS Ubuntu 22.04 benchmark gives their text), then run: pam-auth-update --enable faillock --enable faillock_notify\n"
               "(or add to /etc/pam.d/common-auth: auth required pam_faillock.so preauth / auth [default=die] pam_faillock.so authfail, "
               "and to common-account: account required pam_faillock.so)\n")
        m['pam-pam-faillock-auth']['remediation'] = rem
        m['pam-pam-faillock-account']['remediation'] = rem
    return checks

def ubuntu_extras_l1(ver):
    out = []
    G_UFW = [{'package': ['ufw']}]
    out.append(chk('ufw-iptables-persistent-absent', ('iptables-persistent is not installed next to ufw', '使用 ufw 时未安装 iptables-persistent'),
        ('With ufw in use, iptables-persistent is absent so two tools do not load conflicting rule sets.', '使用 ufw 时不安装 iptables-persistent，避免两套工具加载冲突的规则。'),
        R_FW, 'medium', ['firewall'], [('CIS', '4.2.2'), ('MLPS', 'L3-CES1-19')],
        [{'package': {'name': ['iptables-persistent'], 'installed': False}}], 'apt-get purge -y iptables-persistent', applies=G_UFW))
    out.append(chk('ufw-enabled-config', ('ufw is switched on in its configuration', 'ufw 配置中已启用'),
        ('/etc/ufw/ufw.conf has ENABLED=yes, so the rules are loaded at boot.', '/etc/ufw/ufw.conf 设置 ENABLED=yes，开机加载规则。'),
        R_FW, 'medium', ['firewall'], [('CIS', '4.2.3'), ('MLPS', 'L3-CES1-19')],
        [{'content': {'paths': ['/etc/ufw/ufw.conf'], 'match': '^\\s*ENABLED\\s*=\\s*"?yes"?\\s*$'}}],
        'ufw enable   # sets ENABLED=yes in /etc/ufw/ufw.conf', applies=G_UFW))
    out.append(chk('ufw-loopback', ('ufw accepts loopback traffic on lo only', 'ufw 仅在 lo 接口接受回环流量'),
        ('/etc/ufw/before.rules accepts input on lo (the shipped rule) so local services work while the default policy denies.', '/etc/ufw/before.rules 接受 lo 接口的入站流量（默认规则），在默认拒绝策略下本地服务仍可用。'),
        R_FW, 'low', ['firewall'], [('CIS', '4.2.4')],
        [{'content': {'paths': ['/etc/ufw/before.rules'], 'match': '^-A ufw-before-input -i lo -j ACCEPT'}}],
        "ufw allow in on lo\nufw allow out on lo\nufw deny in from 127.0.0.0/8\nufw deny in from ::1\n", applies=G_UFW))
    out.append(chk('ufw-default-deny-incoming', ('ufw drops incoming traffic by default', 'ufw 默认拒绝入站流量'),
        ('/etc/default/ufw sets DEFAULT_INPUT_POLICY to DROP or REJECT.', '/etc/default/ufw 中 DEFAULT_INPUT_POLICY 为 DROP 或 REJECT。'),
        R_FW, 'medium', ['firewall'], [('CIS', '4.2.7'), ('MLPS', 'L3-CES1-19')],
        [{'content': {'paths': ['/etc/default/ufw'], 'match': '^\\s*DEFAULT_INPUT_POLICY\\s*=\\s*"?(DROP|REJECT)"?\\s*$'}}],
        "ufw allow proto tcp from ADMIN-NET to any port 22   # first, keep your session\nufw default deny incoming\n", applies=G_UFW))
    out.append(chk('apt-sources-authenticated', ('APT sources are not marked trusted', 'APT 软件源未被标记为免验证'),
        ('No APT source disables signature checking with trusted=yes or allow-insecure=yes.', '没有 APT 软件源通过 trusted=yes 或 allow-insecure=yes 关闭签名校验。'),
        R_UPD, 'high', ['packages', 'updates'], [('CIS', '1.2.1.1'), ('MLPS', 'L3-CES1-21')],
        [{'content': {'paths': ['/etc/apt/sources.list', '/etc/apt/sources.list.d/*.list'], 'nomatch': '^\\s*deb(-src)?\\s+\\[[^]]*(trusted|allow-insecure)=yes', 'missing': 'pass'}},
         {'content': {'paths': ['/etc/apt/sources.list.d/*.sources'], 'nomatch': '(?i)^\\s*(trusted|allow-insecure)\\s*:\\s*yes', 'missing': 'pass'}}],
        'Remove trusted=yes / allow-insecure=yes from /etc/apt/sources.list and /etc/apt/sources.list.d/*, and import the repository key into /etc/apt/keyrings with Signed-By instead.'))
    out.append(chk('apt-no-unauthenticated', ('APT refuses unauthenticated packages', 'APT 拒绝未经验证的软件包'),
        ('No apt.conf file sets APT::Get::AllowUnauthenticated or Acquire::AllowInsecureRepositories to true.', '没有 apt.conf 配置将 APT::Get::AllowUnauthenticated 或 Acquire::AllowInsecureRepositories 设为 true。'),
        R_UPD, 'high', ['packages', 'updates'], [('CIS', '1.2.1.1'), ('MLPS', 'L3-CES1-21')],
        [{'content': {'paths': ['/etc/apt/apt.conf', '/etc/apt/apt.conf.d/*'], 'nomatch': '(?i)(AllowUnauthenticated|AllowInsecureRepositories|AllowDowngradeToInsecureRepositories)\\s+"?(true|1|yes)"?', 'missing': 'pass'}}],
        'Delete the AllowUnauthenticated / AllowInsecureRepositories lines from /etc/apt/apt.conf.d/*'))
    out.append(chk('unattended-upgrades-installed', ('unattended-upgrades is installed', '已安装 unattended-upgrades'),
        ('The unattended-upgrades package installs security updates automatically.', 'unattended-upgrades 软件包可自动安装安全更新。'),
        R_UPD, 'medium', ['updates'], [('CIS', '1.2.2.1'), ('MLPS', 'L3-CES1-21')],
        [{'package': {'name': ['unattended-upgrades']}}], 'apt-get install -y unattended-upgrades'))
    out.append(chk('unattended-upgrades-enabled', ('Automatic security updates are switched on', '已开启自动安全更新'),
        ('APT::Periodic::Update-Package-Lists and APT::Periodic::Unattended-Upgrade are "1" in /etc/apt/apt.conf.d.', '/etc/apt/apt.conf.d 中 APT::Periodic::Update-Package-Lists 与 APT::Periodic::Unattended-Upgrade 均为 "1"。'),
        R_UPD, 'medium', ['updates'], [('CIS', '1.2.2.1'), ('MLPS', 'L3-CES1-21')],
        [{'content': {'paths': ['/etc/apt/apt.conf.d/*'], 'match': '^\\s*APT::Periodic::Unattended-Upgrade\\s+"1"\\s*;'}},
         {'content': {'paths': ['/etc/apt/apt.conf.d/*'], 'match': '^\\s*APT::Periodic::Update-Package-Lists\\s+"1"\\s*;'}}],
        "printf 'APT::Periodic::Update-Package-Lists \"1\";\\nAPT::Periodic::Unattended-Upgrade \"1\";\\n' > /etc/apt/apt.conf.d/20auto-upgrades\n(or: dpkg-reconfigure -plow unattended-upgrades)\n",
        applies=[{'package': ['unattended-upgrades']}]))
    out.append(chk('motd-news-disabled', ('motd-news does not fetch messages from the Internet', 'motd-news 不从互联网获取消息'),
        ('/etc/default/motd-news sets ENABLED=0, so login messages are not downloaded from a vendor server.', '/etc/default/motd-news 设置 ENABLED=0，登录消息不从厂商服务器下载。'),
        ('Login banners come from the operator, and the host makes no unneeded outbound connections.', '登录提示由管理员提供，主机不发起不必要的外联。'),
        'low', ['banner', 'attack-surface'], [('CIS', '1.6.1'), ('MLPS', 'L3-CES1-17')],
        [{'keyvalue': {'paths': ['/etc/default/motd-news'], 'syntax': 'equals', 'key': 'ENABLED', 'value': '0', 'default': '1'}}],
        "sed -i 's/^ENABLED=.*/ENABLED=0/' /etc/default/motd-news\nsystemctl disable --now motd-news.timer\n",
        applies=[{'file': ['/etc/default/motd-news']}], fix=[{'set_config': {'path': '/etc/default/motd-news', 'key': 'ENABLED', 'value': '0', 'syntax': 'equals'}}]))
    out.append(chk('whoopsie-absent', ('The whoopsie crash reporter is not installed', '未安装 whoopsie 崩溃上报程序'),
        ('whoopsie, which sends crash reports to the vendor, is absent.', '未安装向厂商发送崩溃报告的 whoopsie。'),
        ('Crash reports can carry memory contents off the host.', '崩溃报告可能把内存内容带出主机。'),
        'low', ['process', 'attack-surface'], [('CIS', '1.5.5')],
        [{'package': {'name': ['whoopsie'], 'installed': False}}], 'apt-get purge -y whoopsie'))
    out.append(chk('popularity-contest-absent', ('popularity-contest is not installed', '未安装 popularity-contest'),
        ('popularity-contest, which reports the installed packages to a public server, is absent.', '未安装向公共服务器上报已装软件包的 popularity-contest。'),
        ('The package list tells an attacker which vulnerable software runs on the host.', '软件包列表会告诉攻击者主机运行了哪些可能有漏洞的软件。'),
        'low', ['attack-surface'], [('MLPS', 'L3-CES1-17')],
        [{'package': {'name': ['popularity-contest'], 'installed': False}}], 'apt-get purge -y popularity-contest'))
    out.append(chk('cloud-init-disable-root', ('cloud-init keeps direct root login disabled', 'cloud-init 保持禁用 root 直接登录'),
        ('cloud-init configuration does not set disable_root to false.', 'cloud-init 配置未将 disable_root 设为 false。'),
        R_SSH, 'medium', ['ssh', 'cloud-init'], [('CIS', '5.1.20'), ('MLPS', 'L3-CES1-06')],
        [{'content': {'paths': ['/etc/cloud/cloud.cfg', '/etc/cloud/cloud.cfg.d/*.cfg'], 'nomatch': '(?i)^\\s*disable_root\\s*:\\s*(false|no|0)\\b'}}],
        'Set in /etc/cloud/cloud.cfg:  disable_root: true   (and remove overrides in /etc/cloud/cloud.cfg.d/*.cfg)',
        applies=[{'package': ['cloud-init']}]))
    out.append(chk('grub-apparmor-not-disabled', ('No boot entry switches AppArmor off', '无启动项关闭 AppArmor'),
        ('Neither /etc/default/grub, /etc/default/grub.d/*.cfg nor grub.cfg passes apparmor=0 to the kernel.', '/etc/default/grub、/etc/default/grub.d/*.cfg 与 grub.cfg 均未向内核传递 apparmor=0。'),
        R_MAC, 'high', ['apparmor', 'boot'], [('CIS', '1.3.1.2'), ('MLPS', 'L3-CES1-11')],
        [{'content': {'paths': ['/etc/default/grub', '/etc/default/grub.d/*.cfg', '/boot/grub/grub.cfg'], 'nomatch': '\\bapparmor=0\\b', 'missing': 'pass'}}],
        'Remove apparmor=0 from GRUB_CMDLINE_LINUX in /etc/default/grub and /etc/default/grub.d/*.cfg, then run: update-grub'))
    out.append(chk('netplan-perms', ('netplan files are readable by root only', 'netplan 配置仅 root 可读'),
        ('/etc/netplan/*.yaml are mode 0600 owned by root (they may hold Wi-Fi or VPN secrets).', '/etc/netplan/*.yaml 属主 root、权限 0600（可能包含 Wi-Fi 或 VPN 密钥）。'),
        R_FILE, 'low', ['files', 'network'], [('MLPS', 'L3-CES1-10')],
        [{'file': {'path': '/etc/netplan/*.yaml', 'mode': '0600', 'owner': ['root'], 'missing': 'pass'}}],
        'chown root:root /etc/netplan/*.yaml && chmod 0600 /etc/netplan/*.yaml',
        fix=[{'file_mode': {'path': '/etc/netplan/*.yaml', 'mode': '0600', 'owner': 'root'}}]))
    out.append(chk('perms-sudoers', ('/etc/sudoers is read-only for root', '/etc/sudoers 仅 root 只读'),
        ('/etc/sudoers and /etc/sudoers.d/* are owned by root with mode 0440 or stricter.', '/etc/sudoers 与 /etc/sudoers.d/* 属主 root，权限不超过 0440。'),
        R_FILE, 'medium', ['sudo', 'files'], [('MLPS', 'L3-CES1-08'), ('MLPS', 'L3-CES1-10')],
        [{'file': {'path': '/etc/sudoers', 'mode': '0440', 'owner': ['root'], 'group': ['root'], 'missing': 'pass'}},
         {'file': {'path': '/etc/sudoers.d/*', 'mode': '0440', 'owner': ['root'], 'group': ['root'], 'missing': 'pass'}}],
        'chown root:root /etc/sudoers /etc/sudoers.d/* && chmod 0440 /etc/sudoers /etc/sudoers.d/*',
        applies=[{'package': ['sudo', 'sudo-ldap']}],
        fix=[{'file_mode': {'path': '/etc/sudoers', 'mode': '0440', 'owner': 'root', 'group': 'root'}}]))
    if ver == '24.04':
        out.append(chk('sysctl-kernel-apparmor-restrict-unprivileged-userns', ('Unprivileged user namespaces need an AppArmor profile', '非特权用户命名空间需 AppArmor 授权'),
            ('kernel.apparmor_restrict_unprivileged_userns is 1 (the Ubuntu 24.04 default), so only profiled programs may create user namespaces.', 'kernel.apparmor_restrict_unprivileged_userns 为 1（Ubuntu 24.04 默认），仅有 AppArmor 配置的程序可创建用户命名空间。'),
            ('User namespaces expose kernel code paths to unprivileged users that have been the source of many local privilege escalations.', '用户命名空间向非特权用户暴露了大量内核代码路径，曾导致多次本地提权。'),
            'medium', ['kernel', 'apparmor'], [('MLPS', 'L3-CES1-11')],
            [{'sysctl': {'key': 'kernel.apparmor_restrict_unprivileged_userns', 'value': '1'}}],
            "printf 'kernel.apparmor_restrict_unprivileged_userns = 1\\n' > /etc/sysctl.d/60-ward-userns.conf && sysctl --system",
            fix=[{'sysctl': {'key': 'kernel.apparmor_restrict_unprivileged_userns', 'value': '1'}}]))
    return out

def ubuntu_extras_l2(ver):
    out = []
    out.append(chk('snapd-absent', ('snapd is not installed', '未安装 snapd'),
        ('The snap daemon, which installs and auto-updates software outside APT, is absent on servers that do not use snaps.', '不使用 snap 的服务器上未安装 snapd（它在 APT 之外安装并自动更新软件）。'),
        R_SVC, 'low', ['packages', 'attack-surface'], [('MLPS', 'L3-CES1-17')],
        [{'package': {'name': ['snapd'], 'installed': False}}],
        "snap list   # first check nothing needed is installed as a snap\napt-get purge -y snapd\n"))
    out.append(chk('cloud-init-no-ssh-pwauth', ('cloud-init does not switch SSH password login on', 'cloud-init 未开启 SSH 口令登录'),
        ('cloud-init configuration does not set ssh_pwauth to true (it would write PasswordAuthentication yes).', 'cloud-init 配置未将 ssh_pwauth 设为 true（否则会写入 PasswordAuthentication yes）。'),
        R_SSH, 'medium', ['ssh', 'cloud-init'], [('CIS', '5.1.26'), ('MLPS', 'L3-CES1-04')],
        [{'content': {'paths': ['/etc/cloud/cloud.cfg', '/etc/cloud/cloud.cfg.d/*.cfg'], 'nomatch': '(?i)^\\s*ssh_pwauth\\s*:\\s*(true|yes|1)\\b'}}],
        'Set in /etc/cloud/cloud.cfg.d/99-ward.cfg:  ssh_pwauth: false   and remove /etc/ssh/sshd_config.d/50-cloud-init.conf if it sets PasswordAuthentication yes',
        applies=[{'package': ['cloud-init']}]))
    out.append(chk('ufw-default-deny-routed', ('ufw does not forward traffic by default', 'ufw 默认不转发流量'),
        ('/etc/default/ufw sets DEFAULT_FORWARD_POLICY to DROP or REJECT.', '/etc/default/ufw 中 DEFAULT_FORWARD_POLICY 为 DROP 或 REJECT。'),
        R_FW, 'low', ['firewall'], [('CIS', '4.2.7'), ('MLPS', 'L3-CES1-19')],
        [{'content': {'paths': ['/etc/default/ufw'], 'match': '^\\s*DEFAULT_FORWARD_POLICY\\s*=\\s*"?(DROP|REJECT)"?\\s*$'}}],
        'ufw default deny routed', applies=[{'package': ['ufw']}]))
    return out

for ver, vid in (('22.04', '2204'), ('24.04', '2404')):
    os_sel = [{'id': ['ubuntu'], 'version': [ver]}]
    bench = 'CIS Ubuntu Linux 22.04 LTS Benchmark v2.0.0' if ver == '22.04' else 'CIS Ubuntu Linux 24.04 LTS Benchmark v1.0.0'
    checks = [adapt(copy.deepcopy(c), ver) for c in l1['checks']]
    checks = ubuntu_l1_changes(checks, ver) + ubuntu_extras_l1(ver)
    p1 = {'id': f'ubuntu{vid}-l1', 'title': L(f'Ubuntu {ver} LTS server baseline, level 1', f'Ubuntu {ver} LTS 服务器基线 一级'),
          'description': L(f'Hardening items for Ubuntu {ver} LTS servers with little operational impact (ufw, AppArmor, apport, unattended-upgrades, cloud-init included). Item numbers of the {bench} (same layout as CIS Debian 12 v1.1.0) are references only.',
                           f'适用于 Ubuntu {ver} LTS 服务器、对业务影响小的加固项（含 ufw、AppArmor、apport、自动更新、cloud-init）。CIS 条目编号仅作参考。'),
          'version': '1.0.0', 'framework': 'cis', 'level': 1, 'select': {'os': os_sel}, 'applies': [{'os': {'id': ['ubuntu'], 'version': [ver]}}],
          'parameters': copy.deepcopy(l1['parameters']), 'checks': checks}
    write(f'ubuntu{vid}-l1', p1)
    checks2 = [adapt(copy.deepcopy(c), ver) for c in l2['checks']] + ubuntu_extras_l2(ver)
    p2 = {'id': f'ubuntu{vid}-l2', 'title': L(f'Ubuntu {ver} LTS server baseline, level 2', f'Ubuntu {ver} LTS 服务器基线 二级'),
          'description': L(f'Level 1 plus defence-in-depth items for high-security Ubuntu {ver} servers (separate partitions, auditd, more modules and kernel restrictions, snapd removed). {bench} item numbers are references only.',
                           f'在一级基础上增加纵深防御项（独立分区、auditd 审计、更多模块与内核限制、移除 snapd），适用于高安全要求的 Ubuntu {ver} 服务器。CIS 条目编号仅作参考。'),
          'version': '1.0.0', 'framework': 'cis', 'level': 2, 'select': {'os': os_sel}, 'applies': [{'os': {'id': ['ubuntu'], 'version': [ver]}}],
          'include': [f'ubuntu{vid}-l1'], 'checks': checks2}
    write(f'ubuntu{vid}-l2', p2)
    print(ver, len(checks), len(checks2), len(checks) + len(checks2))
