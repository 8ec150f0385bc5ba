import sys
sys.path.insert(0, __import__('os').path.dirname(__import__('os').path.abspath(__file__)))
from common import *

HDR = "# Ward middleware baseline. Wording is Ward's own; CIS benchmark item numbers are\n# references only (CIS text is licensed). Format: ../FORMAT.md\n"

def C(paths, match=None, nomatch=None, missing=None, redact=False):
    d = {'paths': paths}
    if match: d['match'] = match
    if nomatch: d['nomatch'] = nomatch
    if missing: d['missing'] = missing
    if redact: d['redact'] = True
    return {'content': d}
def F(path, mode=None, owner=None, group=None, missing='pass', exists=None, typ=None):
    d = {'path': path}
    if typ: d['type'] = typ
    if exists is not None: d['exists'] = exists
    if mode: d['mode'] = mode
    if owner: d['owner'] = owner
    if group: d['group'] = group
    if exists is None and missing: d['missing'] = missing
    return {'file': d}
def man(id, title, desc, rat, sev, tags, refs, rem):
    return {'id': id, 'title': L(*title), 'description': L(*desc), 'rationale': L(*rat), 'severity': sev, 'tags': tags,
            'references': [{'type': t, 'id': i} for t, i in refs], 'manual': True, 'remediation': rem}

def policy(id, title, desc, select, applies, checks, name):
    p = {'id': id, 'title': L(*title), 'description': L(*desc), 'version': '1.0.0', 'framework': 'cis', 'select': select, 'applies': applies, 'checks': checks}
    write(id, p, HDR)
    a = sum(1 for c in checks if not c.get('manual')); print(id, 'automated', a, 'manual', len(checks) - a)

# ---------------------------------------------------------------- nginx
NG = ['/etc/nginx/nginx.conf', '/etc/nginx/conf.d/*.conf', '/etc/nginx/sites-enabled/*', '/usr/local/nginx/conf/nginx.conf', '/usr/local/nginx/conf/conf.d/*.conf']
R_INFO = ('Version banners tell an attacker which known vulnerabilities to try.', '版本信息会告诉攻击者可尝试哪些已知漏洞。')
R_TLS = ('Old protocol versions and weak ciphers let traffic be downgraded, read or forged.', '旧协议版本与弱加密套件会使流量被降级、解密或伪造。')
R_DOS = ('Short timeouts and size limits keep slow or oversized requests from exhausting workers.', '较短的超时与大小限制可防止慢速或超大请求耗尽工作进程。')
R_LOG = ('Access and error logs are the record of who did what; without them incidents cannot be reconstructed.', '访问与错误日志记录谁做了什么，没有它们无法还原安全事件。')
R_PRIV = ('A server that runs as root turns any code-execution bug into full control of the host.', '以 root 运行的服务会把任何代码执行漏洞变成对主机的完全控制。')
R_FILE = ('Only administrators may change server configuration or read private keys.', '只有管理员可以修改服务配置或读取私钥。')
R_HDR = ('Browser security headers block framing, MIME sniffing and protocol downgrade attacks.', '浏览器安全响应头可阻止点击劫持、MIME 嗅探与协议降级攻击。')
R_LIST = ('Directory listings and default content reveal files and software details that were never meant to be public.', '目录列表与默认内容会泄露本不应公开的文件与软件信息。')
CIPH = "[A-Za-z0-9+-]*(RC4|DES|MD5|NULL|EXPORT|ADH|AECDH)"
ngx = [
 chk('nginx-server-tokens-off', ('nginx hides its version', 'nginx 隐藏版本号'), ('server_tokens off is set, so the version is not sent in headers and error pages.', '已设置 server_tokens off，响应头与错误页不显示版本号。'), R_INFO, 'low', ['nginx', 'information'],
     [('CIS', 'NGINX 2.5.1'), ('MLPS', 'L3-CES1-17')], [C(NG, match='(^|[{;])\\s*server_tokens\\s+off\\s*;')], 'In the http block of /etc/nginx/nginx.conf:  server_tokens off;\nthen: nginx -t && systemctl reload nginx\n'),
 chk('nginx-no-autoindex', ('nginx does not list directories', 'nginx 不列出目录内容'), ('No autoindex on directive is active.', '未启用 autoindex on。'), R_LIST, 'medium', ['nginx', 'information'],
     [('MLPS', 'L3-CES1-17')], [C(NG, nomatch='(^|[{;])\\s*autoindex\\s+on\\s*;')], 'Remove "autoindex on;" (or set autoindex off;) in the nginx configuration, then: nginx -t && systemctl reload nginx'),
 chk('nginx-tls-protocols', ('nginx offers TLS 1.2 or newer only', 'nginx 仅提供 TLS 1.2 及以上'), ('No ssl_protocols directive enables SSLv2, SSLv3, TLSv1 or TLSv1.1.', '没有 ssl_protocols 启用 SSLv2、SSLv3、TLSv1 或 TLSv1.1。'), R_TLS, 'high', ['nginx', 'tls'],
     [('CIS', 'NGINX 4.1.4'), ('MLPS', 'L3-CES1-26')], [C(NG, nomatch='(^|[{;])\\s*ssl_protocols\\s+[^;]*\\b(SSLv2|SSLv3|TLSv1|TLSv1\\.1)(\\s|;)')], 'ssl_protocols TLSv1.2 TLSv1.3;'),
 chk('nginx-ssl-ciphers', ('nginx offers no weak ciphers', 'nginx 不提供弱加密套件'), ('No ssl_ciphers list enables RC4, DES/3DES, MD5, NULL, EXPORT or anonymous suites (entries prefixed with ! are exclusions).', 'ssl_ciphers 未启用 RC4、DES/3DES、MD5、NULL、EXPORT 或匿名套件（! 前缀为排除项）。'), R_TLS, 'high', ['nginx', 'tls'],
     [('CIS', 'NGINX 4.1.5'), ('MLPS', 'L3-CES1-26')], [C(NG, nomatch="(^|[{;])\\s*ssl_ciphers\\s+['\"]?([^;'\"]*:)?" + CIPH)], "ssl_ciphers 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305';"),
 chk('nginx-user-not-root', ('nginx workers do not run as root', 'nginx 工作进程不以 root 运行'), ('The user directive does not name root.', 'user 指令未指定 root。'), R_PRIV, 'high', ['nginx', 'privilege'],
     [('CIS', 'NGINX 2.2.1'), ('MLPS', 'L3-CES1-08')], [C(NG, nomatch='(^|[{;])\\s*user\\s+root\\b')], 'user www-data;   (nginx on RHEL: user nginx;)'),
 chk('nginx-conf-perms', ('nginx configuration is writable by root only', 'nginx 配置仅 root 可写'), ('/etc/nginx/nginx.conf and conf.d/*.conf are owned by root with mode 0644 or stricter.', '/etc/nginx/nginx.conf 与 conf.d/*.conf 属主 root，权限不超过 0644。'), R_FILE, 'medium', ['nginx', 'files'],
     [('CIS', 'NGINX 2.3.2'), ('MLPS', 'L3-CES1-10')], [F('/etc/nginx/nginx.conf', '0644', ['root']), F('/etc/nginx/conf.d/*.conf', '0644', ['root']), F('/etc/nginx/sites-available/*', '0644', ['root'])],
     'chown -R root:root /etc/nginx && chmod 0644 /etc/nginx/nginx.conf /etc/nginx/conf.d/*.conf', fix=[{'file_mode': {'path': '/etc/nginx/nginx.conf', 'mode': '0644', 'owner': 'root'}}]),
 chk('nginx-key-perms', ('TLS private keys are readable by root only', 'TLS 私钥仅 root 可读'), ('Key files under /etc/nginx (*.key, ssl/*, certs/*.key) have mode 0600 or stricter.', '/etc/nginx 下的私钥文件（*.key、ssl/*、certs/*.key）权限不超过 0600。'), R_FILE, 'high', ['nginx', 'tls', 'files'],
     [('CIS', 'NGINX 4.1.3'), ('MLPS', 'L3-CES1-27')], [F('/etc/nginx/*.key', '0600', ['root']), F('/etc/nginx/ssl/*.key', '0600', ['root']), F('/etc/nginx/certs/*.key', '0600', ['root'])],
     'chown root:root /etc/nginx/ssl/*.key && chmod 0400 /etc/nginx/ssl/*.key'),
 chk('nginx-pid-perms', ('The nginx PID file is protected', 'nginx PID 文件受保护'), ('/run/nginx.pid is owned by root with mode 0644 or stricter.', '/run/nginx.pid 属主 root，权限不超过 0644。'), R_FILE, 'low', ['nginx', 'files'],
     [('CIS', 'NGINX 2.3.3')], [F('/run/nginx.pid', '0644', ['root'])], 'chown root:root /run/nginx.pid && chmod 0644 /run/nginx.pid'),
 chk('nginx-access-log-on', ('nginx access logging is not switched off', 'nginx 未关闭访问日志'), ('No access_log off directive is active.', '未设置 access_log off。'), R_LOG, 'medium', ['nginx', 'logging'],
     [('CIS', 'NGINX 3.2'), ('MLPS', 'L3-CES1-12')], [C(NG, nomatch='(^|[{;])\\s*access_log\\s+off\\s*;')], 'access_log /var/log/nginx/access.log;   (remove access_log off;)'),
 chk('nginx-error-log', ('nginx writes an error log', 'nginx 记录错误日志'), ('An error_log directive names a log file or syslog target.', 'error_log 指令指定了日志文件或 syslog 目标。'), R_LOG, 'low', ['nginx', 'logging'],
     [('CIS', 'NGINX 3.3'), ('MLPS', 'L3-CES1-12')], [C(NG, match='(^|[{;])\\s*error_log\\s+\\S+')], 'error_log /var/log/nginx/error.log info;'),
 chk('nginx-client-body-timeout', ('nginx times out slow request bodies', 'nginx 对慢速请求体超时'), ('client_body_timeout is set to 10 seconds or less.', 'client_body_timeout 不超过 10 秒。'), R_DOS, 'low', ['nginx', 'dos'],
     [('CIS', 'NGINX 5.2.1')], [C(NG, match='(^|[{;])\\s*client_body_timeout\\s+([1-9]|10)s?\\s*;')], 'client_body_timeout 10;'),
 chk('nginx-client-header-timeout', ('nginx times out slow request headers', 'nginx 对慢速请求头超时'), ('client_header_timeout is set to 10 seconds or less.', 'client_header_timeout 不超过 10 秒。'), R_DOS, 'low', ['nginx', 'dos'],
     [('CIS', 'NGINX 5.2.1')], [C(NG, match='(^|[{;])\\s*client_header_timeout\\s+([1-9]|10)s?\\s*;')], 'client_header_timeout 10;'),
 chk('nginx-client-max-body-size', ('nginx limits the request body size', 'nginx 限制请求体大小'), ('client_max_body_size is set and is not 0 (unlimited).', '已设置 client_max_body_size 且不为 0（不限制）。'), R_DOS, 'low', ['nginx', 'dos'],
     [('CIS', 'NGINX 5.2.2')], [C(NG, match='(^|[{;])\\s*client_max_body_size\\s+[0-9]+[kKmMgG]?\\s*;'), C(NG, nomatch='(^|[{;])\\s*client_max_body_size\\s+0\\s*;')], 'client_max_body_size 10m;   (size it to the application)'),
 chk('nginx-large-client-header-buffers', ('nginx limits request header buffers', 'nginx 限制请求头缓冲区'), ('large_client_header_buffers is set explicitly.', '已显式设置 large_client_header_buffers。'), R_DOS, 'low', ['nginx', 'dos'],
     [('CIS', 'NGINX 5.2.3')], [C(NG, match='(^|[{;])\\s*large_client_header_buffers\\s+[0-9]+\\s+[0-9]+[kK]?\\s*;')], 'large_client_header_buffers 2 1k;'),
 chk('nginx-keepalive-timeout', ('nginx keep-alive connections are short', 'nginx 长连接超时较短'), ('keepalive_timeout is 10 seconds or less (nginx default 75).', 'keepalive_timeout 不超过 10 秒（nginx 默认 75）。'), R_DOS, 'low', ['nginx', 'dos'],
     [('CIS', 'NGINX 2.4.3')], [C(NG, match='(^|[{;])\\s*keepalive_timeout\\s+([0-9]|10)s?(\\s|;)')], 'keepalive_timeout 10;'),
 chk('nginx-send-timeout', ('nginx send timeout is short', 'nginx 发送超时较短'), ('send_timeout is 10 seconds or less (nginx default 60).', 'send_timeout 不超过 10 秒（nginx 默认 60）。'), R_DOS, 'low', ['nginx', 'dos'],
     [('CIS', 'NGINX 2.4.4')], [C(NG, match='(^|[{;])\\s*send_timeout\\s+([0-9]|10)s?\\s*;')], 'send_timeout 10;'),
 chk('nginx-hidden-files-denied', ('nginx refuses requests for hidden files', 'nginx 拒绝访问隐藏文件'), ('A location block denies paths starting with a dot (.git, .env, .htpasswd).', '存在 location 块拒绝以点开头的路径（.git、.env、.htpasswd）。'), R_LIST, 'medium', ['nginx', 'information'],
     [('CIS', 'NGINX 2.5.3')], [C(NG, match='(^|[{;])\\s*location\\s+~\\*?\\s+/\\\\\\.')], 'location ~ /\\. { deny all; return 404; }'),
 chk('nginx-x-frame-options', ('nginx sends X-Frame-Options', 'nginx 发送 X-Frame-Options 响应头'), ('add_header X-Frame-Options is configured.', '已配置 add_header X-Frame-Options。'), R_HDR, 'low', ['nginx', 'headers'],
     [('CIS', 'NGINX 5.3.1')], [C(NG, match='(?i)(^|[{;])\\s*add_header\\s+X-Frame-Options\\s')], 'add_header X-Frame-Options "SAMEORIGIN" always;'),
 chk('nginx-x-content-type-options', ('nginx sends X-Content-Type-Options', 'nginx 发送 X-Content-Type-Options 响应头'), ('add_header X-Content-Type-Options nosniff is configured.', '已配置 add_header X-Content-Type-Options nosniff。'), R_HDR, 'low', ['nginx', 'headers'],
     [('CIS', 'NGINX 5.3.2')], [C(NG, match='(?i)(^|[{;])\\s*add_header\\s+X-Content-Type-Options\\s+"?nosniff')], 'add_header X-Content-Type-Options "nosniff" always;'),
 chk('nginx-hsts', ('nginx sends Strict-Transport-Security', 'nginx 发送 HSTS 响应头'), ('add_header Strict-Transport-Security is configured for HTTPS sites.', 'HTTPS 站点配置了 add_header Strict-Transport-Security。'), R_TLS, 'low', ['nginx', 'tls', 'headers'],
     [('CIS', 'NGINX 4.1.8'), ('MLPS', 'L3-CES1-26')], [C(NG, match='(?i)(^|[{;])\\s*add_header\\s+Strict-Transport-Security\\s')], 'add_header Strict-Transport-Security "max-age=15768000" always;'),
 man('nginx-listen-authorized-ports', ('nginx listens only on authorised ports', 'nginx 仅监听授权端口'), ('Every listen directive names an address and port that is in the approved service list.', '每个 listen 指令的地址与端口都在批准的服务清单中。'), R_LIST, 'medium', ['nginx', 'network'],
     [('CIS', 'NGINX 2.4.1'), ('MLPS', 'L3-CES1-18')], 'grep -R "listen" /etc/nginx   and remove listeners that are not approved'),
]
policy('nginx', ('nginx web server baseline', 'nginx Web 服务器基线'), ('Hardening of nginx: version disclosure, TLS, directory listing, file permissions, run-as user, logging, request limits and security headers. CIS NGINX Benchmark item numbers are references only.',
       'nginx 加固：版本隐藏、TLS、目录列表、文件权限、运行用户、日志、请求限制与安全响应头。CIS NGINX 基准编号仅作参考。'),
       {'apps': ['nginx'], 'packages': ['nginx', 'nginx-core', 'nginx-full', 'nginx-light', 'nginx-extras', 'openresty']},
       [{'file': ['/etc/nginx', '/usr/local/nginx/conf']}], ngx, 'nginx')

# ---------------------------------------------------------------- Apache httpd
AP = ['/etc/apache2/apache2.conf', '/etc/apache2/conf-enabled/*.conf', '/etc/apache2/sites-enabled/*', '/etc/apache2/mods-enabled/*.conf',
      '/etc/httpd/conf/httpd.conf', '/etc/httpd/conf.d/*.conf', '/usr/local/apache2/conf/httpd.conf', '/usr/local/apache2/conf/extra/*.conf']
MODS = ['/etc/httpd/conf.modules.d/*.conf', '/etc/httpd/conf/httpd.conf', '/usr/local/apache2/conf/httpd.conf']
def mod_off(id, mod, deb, ref, title, desc, rat, sev):
    return chk(id, title, desc, rat, sev, ['apache', 'modules'], [('CIS', 'Apache 2.4 ' + ref), ('MLPS', 'L3-CES1-17')],
        [F(f'/etc/apache2/mods-enabled/{deb}.load', exists=False), C(MODS, nomatch=f'^\\s*LoadModule\\s+{mod}_module\\b', missing='pass')],
        f'Debian/Ubuntu: a2dismod {deb} && systemctl reload apache2\nRHEL: comment out "LoadModule {mod}_module" in /etc/httpd/conf.modules.d/*.conf, then: systemctl reload httpd\n')
apache = [
 chk('apache-server-tokens-prod', ('Apache reveals only its product name', 'Apache 仅显示产品名称'), ('ServerTokens is Prod (no version or OS in the Server header).', 'ServerTokens 为 Prod（Server 响应头不含版本与操作系统）。'), R_INFO, 'low', ['apache', 'information'],
     [('CIS', 'Apache 2.4 8.1'), ('MLPS', 'L3-CES1-17')], [C(AP, match='(?i)^\\s*ServerTokens\\s+(Prod|ProductOnly)\\s*$'), C(AP, nomatch='(?i)^\\s*ServerTokens\\s+(Full|OS|Min|Minimal|Major|Minor)\\s*$')],
     'ServerTokens Prod   (Debian: /etc/apache2/conf-available/security.conf; RHEL: /etc/httpd/conf/httpd.conf)'),
 chk('apache-server-signature-off', ('Apache error pages carry no server signature', 'Apache 错误页不显示服务器签名'), ('ServerSignature is Off.', 'ServerSignature 为 Off。'), R_INFO, 'low', ['apache', 'information'],
     [('CIS', 'Apache 2.4 8.2'), ('MLPS', 'L3-CES1-17')], [C(AP, match='(?i)^\\s*ServerSignature\\s+Off\\s*$'), C(AP, nomatch='(?i)^\\s*ServerSignature\\s+(On|EMail)\\s*$')], 'ServerSignature Off'),
 chk('apache-trace-off', ('Apache refuses TRACE requests', 'Apache 拒绝 TRACE 请求'), ('TraceEnable is Off.', 'TraceEnable 为 Off。'), ('TRACE echoes requests back, which helps cross-site tracing attacks steal cookies.', 'TRACE 会回显请求，可被跨站追踪攻击用于窃取 Cookie。'), 'medium', ['apache', 'http'],
     [('CIS', 'Apache 2.4 5.8'), ('MLPS', 'L3-CES1-17')], [C(AP, match='(?i)^\\s*TraceEnable\\s+Off\\s*$'), C(AP, nomatch='(?i)^\\s*TraceEnable\\s+(On|extended)\\s*$')], 'TraceEnable Off'),
 chk('apache-no-indexes', ('Apache does not list directories', 'Apache 不列出目录内容'), ('No Options directive turns Indexes on (Options -Indexes or without Indexes).', '没有 Options 指令启用 Indexes（应为 -Indexes 或不含 Indexes）。'), R_LIST, 'medium', ['apache', 'information'],
     [('CIS', 'Apache 2.4 5.4'), ('MLPS', 'L3-CES1-17')], [C(AP, nomatch='(?i)^\\s*Options\\s+([^#]*\\s)?\\+?Indexes\\b')], 'In every <Directory> block:  Options -Indexes   (e.g. Options -Indexes +FollowSymLinks)'),
 mod_off('apache-mod-autoindex-off', 'autoindex', 'autoindex', '2.5', ('mod_autoindex is not loaded', '未加载 mod_autoindex'), ('The automatic directory index module is disabled.', '已禁用自动目录索引模块。'), R_LIST, 'medium'),
 mod_off('apache-mod-status-off', 'status', 'status', '2.4', ('mod_status is not loaded', '未加载 mod_status'), ('The server-status module is disabled.', '已禁用 server-status 模块。'), R_LIST, 'medium'),
 mod_off('apache-mod-info-off', 'info', 'info', '2.8', ('mod_info is not loaded', '未加载 mod_info'), ('The server-info module, which shows the full configuration, is disabled.', '已禁用显示完整配置的 server-info 模块。'), R_LIST, 'medium'),
 mod_off('apache-mod-dav-off', 'dav', 'dav', '2.3', ('WebDAV is not loaded', '未加载 WebDAV 模块'), ('mod_dav is disabled.', '已禁用 mod_dav。'), ('WebDAV lets clients write files on the server.', 'WebDAV 允许客户端在服务器上写文件。'), 'medium'),
 mod_off('apache-mod-userdir-off', 'userdir', 'userdir', '2.7', ('User directories are not served', '不提供用户目录'), ('mod_userdir is disabled.', '已禁用 mod_userdir。'), R_LIST, 'low'),
 chk('apache-tls-protocols', ('Apache offers TLS 1.2 or newer only', 'Apache 仅提供 TLS 1.2 及以上'), ('No SSLProtocol directive enables SSLv3, TLSv1 or TLSv1.1, and none is "all" that leaves TLSv1/TLSv1.1 on (e.g. "all -SSLv3").', 'SSLProtocol 未启用 SSLv3、TLSv1 或 TLSv1.1，也没有保留 TLSv1/TLSv1.1 的 "all"（如 "all -SSLv3"）。'), R_TLS, 'high', ['apache', 'tls'],
     [('CIS', 'Apache 2.4 7.4'), ('MLPS', 'L3-CES1-26')], [C(AP + ['/etc/apache2/mods-enabled/ssl.conf', '/etc/httpd/conf.d/ssl.conf'], nomatch='(?i)^\\s*SSLProtocol\\s+(.*\\s)?\\+?(SSLv3|TLSv1|TLSv1\\.1)(\\s|$)'), C(AP + ['/etc/apache2/mods-enabled/ssl.conf', '/etc/httpd/conf.d/ssl.conf'], nomatch='(?i)^\\s*SSLProtocol\\s+\\+?all(\\s+-(SSLv2|SSLv3))*\\s*$')],
     'SSLProtocol -all +TLSv1.2 +TLSv1.3'),
 chk('apache-ssl-ciphers', ('Apache offers no weak ciphers', 'Apache 不提供弱加密套件'), ('No SSLCipherSuite enables RC4, DES/3DES, MD5, NULL, EXPORT or anonymous suites.', 'SSLCipherSuite 未启用 RC4、DES/3DES、MD5、NULL、EXPORT 或匿名套件。'), R_TLS, 'high', ['apache', 'tls'],
     [('CIS', 'Apache 2.4 7.5'), ('MLPS', 'L3-CES1-26')], [C(AP, nomatch="(?i)^\\s*SSLCipherSuite\\s+(SSL\\s+|TLSv1.3\\s+)?['\"]?([^'\"]*:)?" + CIPH)], 'SSLCipherSuite HIGH:!aNULL:!MD5:!3DES:!RC4\nSSLHonorCipherOrder on\n'),
 chk('apache-user-not-root', ('Apache workers do not run as root', 'Apache 工作进程不以 root 运行'), ('User and Group are not root (Debian: APACHE_RUN_USER/GROUP in /etc/apache2/envvars).', 'User 与 Group 不是 root（Debian 见 /etc/apache2/envvars 中 APACHE_RUN_USER/GROUP）。'), R_PRIV, 'high', ['apache', 'privilege'],
     [('CIS', 'Apache 2.4 3.1'), ('MLPS', 'L3-CES1-08')], [C(AP, nomatch='(?i)^\\s*(User|Group)\\s+(root|#0)\\s*$'), C(['/etc/apache2/envvars'], nomatch='^\\s*export\\s+APACHE_RUN_(USER|GROUP)=(root|0)\\s*$', missing='pass')],
     'User apache / Group apache   (Debian: export APACHE_RUN_USER=www-data in /etc/apache2/envvars)'),
 chk('apache-conf-perms', ('Apache configuration is writable by root only', 'Apache 配置仅 root 可写'), ('The main configuration file is owned by root with mode 0644 or stricter.', '主配置文件属主 root，权限不超过 0644。'), R_FILE, 'medium', ['apache', 'files'],
     [('CIS', 'Apache 2.4 3.6'), ('MLPS', 'L3-CES1-10')], [F('/etc/apache2/apache2.conf', '0644', ['root']), F('/etc/httpd/conf/httpd.conf', '0644', ['root']), F('/etc/httpd/conf.d/*.conf', '0644', ['root'])],
     'chown -R root:root /etc/apache2 /etc/httpd 2>/dev/null; chmod 0644 /etc/apache2/apache2.conf /etc/httpd/conf/httpd.conf 2>/dev/null'),
 chk('apache-timeout', ('Apache request timeout is short', 'Apache 请求超时较短'), ('Timeout is 10 seconds or less.', 'Timeout 不超过 10 秒。'), R_DOS, 'low', ['apache', 'dos'],
     [('CIS', 'Apache 2.4 9.1')], [C(AP, match='(?i)^\\s*Timeout\\s+([0-9]|10)\\s*$')], 'Timeout 10'),
 chk('apache-keepalive-timeout', ('Apache keep-alive timeout is short', 'Apache 长连接超时较短'), ('KeepAliveTimeout is 15 seconds or less.', 'KeepAliveTimeout 不超过 15 秒。'), R_DOS, 'low', ['apache', 'dos'],
     [('CIS', 'Apache 2.4 9.4')], [C(AP, match='(?i)^\\s*KeepAliveTimeout\\s+([0-9]|1[0-5])\\s*$')], 'KeepAliveTimeout 15'),
 chk('apache-limit-request-line', ('Apache limits the request line', 'Apache 限制请求行长度'), ('LimitRequestLine is set to 8190 bytes or less.', 'LimitRequestLine 不超过 8190 字节。'), R_DOS, 'low', ['apache', 'dos'],
     [('CIS', 'Apache 2.4 10.1')], [C(AP, match='(?i)^\\s*LimitRequestLine\\s+([0-9]{1,3}|[1-7][0-9]{3}|81[0-8][0-9]|819[0])\\s*$')], 'LimitRequestLine 512   (raise for long URLs your application needs)'),
 chk('apache-log-level', ('Apache has a log level set', 'Apache 设置了日志级别'), ('LogLevel is set (notice or more detailed, with core:info recommended).', '已设置 LogLevel（notice 或更详细，建议 core:info）。'), R_LOG, 'low', ['apache', 'logging'],
     [('CIS', 'Apache 2.4 6.1'), ('MLPS', 'L3-CES1-12')], [C(AP, match='(?i)^\\s*LogLevel\\s+\\S+'), C(AP, nomatch='(?i)^\\s*LogLevel\\s+(emerg|alert|crit)\\s*$')], 'LogLevel notice core:info\nErrorLog "logs/error_log"\n'),
 chk('apache-access-log', ('Apache writes an access log', 'Apache 记录访问日志'), ('A CustomLog directive is active.', '已启用 CustomLog 指令。'), R_LOG, 'medium', ['apache', 'logging'],
     [('CIS', 'Apache 2.4 6.3'), ('MLPS', 'L3-CES1-12')], [C(AP, match='(?i)^\\s*CustomLog\\s+\\S+')], 'CustomLog /var/log/apache2/access.log combined   (RHEL: CustomLog logs/access_log combined)'),
]
policy('apache-httpd', ('Apache httpd web server baseline', 'Apache httpd Web 服务器基线'), ('Hardening of Apache httpd 2.4 (Debian apache2 and RHEL httpd layouts): banners, TRACE, directory listings, risky modules, TLS, run-as user, file permissions, timeouts and logging. CIS Apache HTTP Server 2.4 Benchmark item numbers are references only.',
       'Apache httpd 2.4 加固（Debian apache2 与 RHEL httpd 目录结构）：版本信息、TRACE、目录列表、高风险模块、TLS、运行用户、文件权限、超时与日志。CIS 基准编号仅作参考。'),
       {'apps': ['apache-httpd'], 'packages': ['apache2', 'httpd']}, [{'file': ['/etc/apache2', '/etc/httpd/conf', '/usr/local/apache2/conf']}], apache, 'apache')

# ---------------------------------------------------------------- Tomcat
TB = ['/etc/tomcat*', '/opt/tomcat*/conf', '/usr/local/tomcat*/conf', '/usr/share/tomcat*/conf', '/opt/apache-tomcat*/conf']
def tb(f): return [d + '/' + f for d in TB]
WA = ['/var/lib/tomcat*/webapps', '/opt/tomcat*/webapps', '/usr/local/tomcat*/webapps', '/usr/share/tomcat*/webapps', '/opt/apache-tomcat*/webapps']
def wa(f): return [d + '/' + f for d in WA]
tomcat = [
 chk('tomcat-shutdown-port-disabled', ('The Tomcat shutdown port is disabled', 'Tomcat 关闭端口已禁用'), ('The <Server> element in server.xml has port="-1".', 'server.xml 的 <Server> 元素设置 port="-1"。'), ('Anyone who can reach the shutdown port and knows the command can stop the server.', '能访问关闭端口并知道关闭命令的人即可停止服务。'), 'medium', ['tomcat'],
     [('CIS', 'Tomcat 9 3.2'), ('MLPS', 'L3-CES1-17')], [C(tb('server.xml'), match='<Server\\b[^>]*\\bport\\s*=\\s*"-1"', redact=True)], '<Server port="-1" shutdown="..."> in conf/server.xml, then restart Tomcat'),
 chk('tomcat-shutdown-command', ('The Tomcat shutdown command is not the default', 'Tomcat 关闭命令不是默认值'), ('The shutdown attribute of <Server> is not SHUTDOWN.', '<Server> 的 shutdown 属性不是 SHUTDOWN。'), ('Anyone who can reach the shutdown port and knows the command can stop the server.', '能访问关闭端口并知道关闭命令的人即可停止服务。'), 'medium', ['tomcat'],
     [('CIS', 'Tomcat 9 3.1')], [C(tb('server.xml'), nomatch='<Server\\b[^>]*\\bshutdown\\s*=\\s*"SHUTDOWN"', redact=True)], 'Set a long random value: <Server port="-1" shutdown="(random string)">'),
 chk('tomcat-ajp-secret-required', ('The AJP connector requires a secret', 'AJP 连接器要求共享密钥'), ('No connector sets secretRequired="false" (the Ghostcat exposure, CVE-2020-1938).', '没有连接器设置 secretRequired="false"（Ghostcat，CVE-2020-1938）。'), ('An AJP connector without a secret lets anyone who reaches it read web application files and sometimes run code.', '无密钥的 AJP 连接器允许任何可访问者读取 Web 应用文件，甚至执行代码。'), 'critical', ['tomcat', 'network'],
     [('MLPS', 'L3-CES1-21'), ('CVE', 'CVE-2020-1938')], [C(tb('server.xml'), nomatch='\\bsecretRequired\\s*=\\s*"false"')], 'Remove the AJP <Connector> if unused; otherwise: <Connector protocol="AJP/1.3" address="127.0.0.1" port="8009" secret="(random)" />'),
 chk('tomcat-manager-remote-restricted', ('The manager application is limited to local addresses', '管理应用仅限本地地址访问'), ('manager and host-manager context.xml carry a RemoteAddrValve (or the applications are not installed).', 'manager 与 host-manager 的 context.xml 配置了 RemoteAddrValve（或未安装这些应用）。'), ('The manager application deploys code; reachable from the network it is a remote-code-execution door.', '管理应用可部署代码，若可从网络访问即成为远程代码执行入口。'), 'high', ['tomcat', 'access'],
     [('CIS', 'Tomcat 9 10.5'), ('MLPS', 'L3-CES1-19')], [C(wa('manager/META-INF/context.xml') + ['/usr/share/tomcat*-admin/manager/META-INF/context.xml'], match='^\\s*<Valve\\b[^>]*RemoteAddrValve', missing='pass'),
     C(wa('host-manager/META-INF/context.xml') + ['/usr/share/tomcat*-admin/host-manager/META-INF/context.xml'], match='^\\s*<Valve\\b[^>]*RemoteAddrValve', missing='pass')],
     '<Valve className="org.apache.catalina.valves.RemoteAddrValve" allow="127\\.\\d+\\.\\d+\\.\\d+|::1" />  in webapps/manager/META-INF/context.xml'),
 chk('tomcat-examples-removed', ('Tomcat example applications are removed', '已删除 Tomcat 示例应用'), ('webapps/examples is absent and no context file (Catalina/localhost/examples.xml) deploys it.', 'webapps/examples 不存在，且没有部署它的上下文文件（Catalina/localhost/examples.xml）。'), R_LIST, 'medium', ['tomcat', 'default-content'],
     [('CIS', 'Tomcat 9 1.1'), ('MLPS', 'L3-CES1-17')], [F(p, exists=False) for p in wa('examples') + ['/etc/tomcat*/Catalina/localhost/examples.xml']], 'rm -rf $CATALINA_BASE/webapps/examples   (Debian: apt-get purge -y tomcat9-examples)'),
 chk('tomcat-docs-removed', ('Tomcat documentation application is removed', '已删除 Tomcat 文档应用'), ('webapps/docs is absent and no context file (Catalina/localhost/docs.xml) deploys it.', 'webapps/docs 不存在，且没有部署它的上下文文件（Catalina/localhost/docs.xml）。'), R_LIST, 'low', ['tomcat', 'default-content'],
     [('CIS', 'Tomcat 9 1.1'), ('MLPS', 'L3-CES1-17')], [F(p, exists=False) for p in wa('docs') + ['/etc/tomcat*/Catalina/localhost/docs.xml']], 'rm -rf $CATALINA_BASE/webapps/docs   (Debian: apt-get purge -y tomcat9-docs)'),
 chk('tomcat-users-perms', ('tomcat-users.xml is not readable by everyone', 'tomcat-users.xml 不对所有人可读'), ('tomcat-users.xml (it holds credentials) has mode 0640 or stricter.', 'tomcat-users.xml（含凭据）权限不超过 0640。'), R_FILE, 'high', ['tomcat', 'files'],
     [('CIS', 'Tomcat 9 4.8'), ('MLPS', 'L3-CES1-10')], [F(p, '0640') for p in tb('tomcat-users.xml')], 'chown root:tomcat $CATALINA_BASE/conf/tomcat-users.xml && chmod 0640 $CATALINA_BASE/conf/tomcat-users.xml'),
 chk('tomcat-server-xml-perms', ('server.xml is not writable by the Tomcat user or others', 'server.xml 不可被 Tomcat 用户或他人修改'), ('server.xml has mode 0640 or stricter.', 'server.xml 权限不超过 0640。'), R_FILE, 'medium', ['tomcat', 'files'],
     [('CIS', 'Tomcat 9 4.7'), ('MLPS', 'L3-CES1-10')], [F(p, '0640') for p in tb('server.xml')], 'chown root:tomcat $CATALINA_BASE/conf/server.xml && chmod 0640 $CATALINA_BASE/conf/server.xml'),
 chk('tomcat-no-x-powered-by', ('Connectors do not send X-Powered-By', '连接器不发送 X-Powered-By'), ('No connector sets xpoweredBy="true".', '没有连接器设置 xpoweredBy="true"。'), R_INFO, 'low', ['tomcat', 'information'],
     [('CIS', 'Tomcat 9 2.4')], [C(tb('server.xml'), nomatch='\\bxpoweredBy\\s*=\\s*"true"')], 'Remove xpoweredBy="true" from the <Connector> elements'),
 chk('tomcat-no-trace', ('Connectors refuse TRACE', '连接器拒绝 TRACE 请求'), ('No connector sets allowTrace="true".', '没有连接器设置 allowTrace="true"。'), ('TRACE echoes requests back, which helps cross-site tracing attacks steal cookies.', 'TRACE 会回显请求，可被跨站追踪攻击用于窃取 Cookie。'), 'medium', ['tomcat', 'http'],
     [('CIS', 'Tomcat 9 2.6')], [C(tb('server.xml'), nomatch='\\ballowTrace\\s*=\\s*"true"')], 'Remove allowTrace="true" from the <Connector> elements'),
 chk('tomcat-error-report-no-server-info', ('Error pages do not show the server version', '错误页不显示服务器版本'), ('An ErrorReportValve sets showServerInfo="false".', 'ErrorReportValve 设置了 showServerInfo="false"。'), R_INFO, 'low', ['tomcat', 'information'],
     [('CIS', 'Tomcat 9 2.5')], [C(tb('server.xml'), match='ErrorReportValve\\b[^>]*showServerInfo\\s*=\\s*"false"')], 'Inside <Host>:  <Valve className="org.apache.catalina.valves.ErrorReportValve" showReport="false" showServerInfo="false" />'),
 chk('tomcat-access-log', ('Tomcat writes an access log', 'Tomcat 记录访问日志'), ('An AccessLogValve is configured in server.xml.', 'server.xml 配置了 AccessLogValve。'), R_LOG, 'medium', ['tomcat', 'logging'],
     [('CIS', 'Tomcat 9 7.1'), ('MLPS', 'L3-CES1-12')], [C(tb('server.xml'), match='^\\s*<Valve\\b[^>]*AccessLogValve')], '<Valve className="org.apache.catalina.valves.AccessLogValve" directory="logs" prefix="localhost_access_log" suffix=".txt" pattern="%h %l %u %t &quot;%r&quot; %s %b" />'),
 chk('tomcat-auto-deploy-off', ('Tomcat does not deploy applications automatically', 'Tomcat 不自动部署应用'), ('No <Host> sets autoDeploy="true" (a file dropped into webapps would run).', '没有 <Host> 设置 autoDeploy="true"（放入 webapps 的文件会被运行）。'), ('Automatic deployment turns a file-write bug into code execution.', '自动部署会把文件写入漏洞变成代码执行。'), 'medium', ['tomcat'],
     [('CIS', 'Tomcat 9 10.14'), ('MLPS', 'L3-CES1-17')], [C(tb('server.xml'), nomatch='\\bautoDeploy\\s*=\\s*"true"')], '<Host name="localhost" appBase="webapps" unpackWARs="false" autoDeploy="false" deployOnStartup="false">'),
 chk('tomcat-not-root', ('Tomcat does not run as root', 'Tomcat 不以 root 运行'), ('No systemd unit or override for Tomcat sets User=root, and TOMCAT_USER is not root.', 'Tomcat 的 systemd 单元及覆盖配置未设置 User=root，TOMCAT_USER 也不是 root。'), R_PRIV, 'high', ['tomcat', 'privilege'],
     [('CIS', 'Tomcat 9 4.1'), ('MLPS', 'L3-CES1-08')], [C(['/etc/systemd/system/tomcat*.service', '/etc/systemd/system/tomcat*.service.d/*.conf', '/lib/systemd/system/tomcat*.service', '/usr/lib/systemd/system/tomcat*.service'], nomatch='^\\s*User\\s*=\\s*(root|0)\\s*$', missing='pass'),
     C(['/etc/default/tomcat*', '/etc/sysconfig/tomcat*', '/etc/tomcat*/tomcat.conf'], nomatch='^\\s*TOMCAT_USER\\s*=\\s*"?(root|0)"?\\s*$', missing='pass')],
     'useradd -r -s /usr/sbin/nologin tomcat; set User=tomcat in the systemd unit (systemctl edit tomcat9), then systemctl restart tomcat9'),
 man('tomcat-listings-off', ('DefaultServlet listings are off', 'DefaultServlet 目录列表已关闭'), ('In conf/web.xml the DefaultServlet init-param listings is false (multi-line XML, checked by hand).', 'conf/web.xml 中 DefaultServlet 的 listings 参数为 false（多行 XML，人工检查）。'), R_LIST, 'medium', ['tomcat', 'information'],
     [('CIS', 'Tomcat 9 10.1'), ('MLPS', 'L3-CES1-17')], 'grep -A1 "<param-name>listings</param-name>" $CATALINA_BASE/conf/web.xml   must show <param-value>false</param-value>'),
 man('tomcat-manager-credentials', ('Manager users have strong, unique passwords', '管理用户使用强且唯一的口令'), ('Users with manager-gui/manager-script roles in tomcat-users.xml have strong passwords stored as digests (CredentialHandler).', 'tomcat-users.xml 中具有 manager-gui/manager-script 角色的用户使用强口令，并以摘要形式保存（CredentialHandler）。'),
     ('Default and weak manager credentials are the most common way Tomcat servers are taken over.', '默认或弱管理口令是 Tomcat 被入侵最常见的途径。'), 'high', ['tomcat', 'access'], [('CIS', 'Tomcat 9 5.1'), ('MLPS', 'L3-CES1-05')],
     'digest.sh -a sha-256 -h org.apache.catalina.realm.MessageDigestCredentialHandler (password); store the digest in tomcat-users.xml and configure the CredentialHandler in the Realm'),
]
policy('tomcat', ('Apache Tomcat baseline', 'Apache Tomcat 基线'), ('Hardening of Apache Tomcat 9/10: shutdown port and command, AJP secret, manager access, default applications, file permissions, information disclosure, auto-deploy, logging and run-as user. CIS Apache Tomcat Benchmark item numbers are references only.',
       'Apache Tomcat 9/10 加固：关闭端口与命令、AJP 密钥、管理应用访问、默认应用、文件权限、信息泄露、自动部署、日志与运行用户。CIS 基准编号仅作参考。'),
       {'apps': ['tomcat'], 'packages': ['tomcat9', 'tomcat10', 'tomcat']}, [{'file': tb('server.xml')}], tomcat, 'tomcat')

# ---------------------------------------------------------------- MySQL / MariaDB
MY = ['/etc/mysql/my.cnf', '/etc/mysql/mysql.cnf', '/etc/mysql/mariadb.cnf', '/etc/mysql/conf.d/*.cnf', '/etc/mysql/mysql.conf.d/*.cnf', '/etc/mysql/mariadb.conf.d/*.cnf', '/etc/my.cnf', '/etc/my.cnf.d/*.cnf']
R_DB = ('Database servers hold the most valuable data; their defaults favour convenience over safety.', '数据库服务器保存最有价值的数据，其默认配置偏重便利而非安全。')
mysql = [
 chk('mysql-local-infile-off', ('LOAD DATA LOCAL is disabled', '已禁用 LOAD DATA LOCAL'), ('local_infile = 0 is set for the server.', '服务端设置了 local_infile = 0。'), ('LOAD DATA LOCAL lets a malicious server or an SQL injection read files from the client host.', 'LOAD DATA LOCAL 可使恶意服务器或 SQL 注入读取客户端主机上的文件。'), 'medium', ['mysql'],
     [('CIS', 'MySQL 8.0 4.6'), ('MLPS', 'L3-CES1-17')], [C(MY, match='(?i)^\\s*local[-_]infile\\s*=\\s*(0|off|false)\\s*$'), C(MY, nomatch='(?i)^\\s*local[-_]infile\\s*(=\\s*(1|on|true))?\\s*$')], 'In [mysqld]:  local_infile = 0\nthen restart the server\n'),
 chk('mysql-skip-symbolic-links', ('Table symbolic links are refused', '拒绝表的符号链接'), ('skip-symbolic-links (or symbolic-links = 0) is set for the server.', '服务端设置了 skip-symbolic-links（或 symbolic-links = 0）。'), R_DB, 'low', ['mysql', 'files'],
     [('CIS', 'MySQL 8.0 4.3')], [C(MY, match='(?i)^\\s*(skip[-_]symbolic[-_]links\\s*(=\\s*(1|on))?|symbolic[-_]links\\s*=\\s*(0|off))\\s*$')], 'In [mysqld]:  skip-symbolic-links'),
 chk('mysql-bind-address', ('The database listens on a specific address', '数据库监听指定地址'), ('bind-address is set and is not 0.0.0.0, :: or *.', '已设置 bind-address，且不是 0.0.0.0、:: 或 *。'), R_DB, 'high', ['mysql', 'network'],
     [('MLPS', 'L3-CES1-19'), ('MLPS', 'L3-CES1-18')], [C(MY, match='(?i)^\\s*bind[-_]address\\s*=\\s*\\S+'), C(MY, nomatch='(?i)^\\s*bind[-_]address\\s*=\\s*(0\\.0\\.0\\.0|::|\\*)\\s*$')], 'In [mysqld]:  bind-address = 127.0.0.1   (or the application network address)'),
 chk('mysql-log-error', ('The server writes an error log', '服务端记录错误日志'), ('log_error names a file (or syslog is used).', 'log_error 指定了文件（或使用 syslog）。'), R_LOG, 'medium', ['mysql', 'logging'],
     [('CIS', 'MySQL 8.0 6.1'), ('MLPS', 'L3-CES1-12')], [C(MY, match='(?i)^\\s*(log[-_]error\\s*=\\s*\\S+|syslog)\\s*$')], 'In [mysqld]:  log_error = /var/log/mysql/error.log'),
 chk('mysql-no-log-raw', ('Passwords are not written to the logs in clear', '口令不以明文写入日志'), ('log-raw is not switched on.', '未开启 log-raw。'), R_LOG, 'high', ['mysql', 'logging'],
     [('CIS', 'MySQL 8.0 6.5'), ('MLPS', 'L3-CES1-27')], [C(MY, nomatch='(?i)^\\s*log[-_]raw\\s*(=\\s*(1|on|true))?\\s*$')], 'Remove log-raw from the [mysqld] section'),
 chk('mysql-secure-file-priv', ('File import and export are confined to one directory', '文件导入导出限定在一个目录'), ('secure_file_priv names a directory (it is not empty).', 'secure_file_priv 指定了一个目录（非空）。'), R_DB, 'medium', ['mysql', 'files'],
     [('CIS', 'MySQL 8.0 4.5')], [C(MY, match='(?i)^\\s*secure[-_]file[-_]priv\\s*=\\s*"?/\\S+')], 'In [mysqld]:  secure_file_priv = /var/lib/mysql-files'),
 chk('mysql-require-secure-transport', ('Clients must connect over TLS', '客户端必须使用 TLS 连接'), ('require_secure_transport = ON.', 'require_secure_transport = ON。'), ('Database credentials and data cross the network; without TLS they can be read and altered.', '数据库凭据与数据经网络传输，无 TLS 时可被窃听和篡改。'), 'medium', ['mysql', 'tls'],
     [('CIS', 'MySQL 8.0 8.1'), ('MLPS', 'L3-CES1-26')], [C(MY, match='(?i)^\\s*require[-_]secure[-_]transport\\s*=\\s*(1|on|true)\\s*$')], 'In [mysqld]:  require_secure_transport = ON   (with ssl_cert/ssl_key configured)'),
 chk('mysql-not-root', ('mysqld does not run as root', 'mysqld 不以 root 运行'), ('No [mysqld] user = root setting.', '[mysqld] 中未设置 user = root。'), R_PRIV, 'high', ['mysql', 'privilege'],
     [('CIS', 'MySQL 8.0 1.2'), ('MLPS', 'L3-CES1-08')], [C(MY, nomatch='(?i)^\\s*user\\s*=\\s*root\\s*$')], 'In [mysqld]:  user = mysql'),
 chk('mysql-datadir-perms', ('The data directory is private to mysql', '数据目录仅 mysql 可访问'), ('/var/lib/mysql is owned by mysql with mode 0750 or stricter.', '/var/lib/mysql 属主 mysql，权限不超过 0750。'), R_FILE, 'high', ['mysql', 'files'],
     [('CIS', 'MySQL 8.0 3.1'), ('MLPS', 'L3-CES1-10')], [F('/var/lib/mysql', '0750', ['mysql'], typ='dir')], 'chown mysql:mysql /var/lib/mysql && chmod 0750 /var/lib/mysql'),
 chk('mysql-config-perms', ('Server configuration files are writable by root only', '服务端配置文件仅 root 可写'), ('my.cnf files are owned by root with mode 0644 or stricter (symbolic links such as /etc/mysql/my.cnf are not followed).', 'my.cnf 类文件属主 root，权限不超过 0644（不跟随 /etc/mysql/my.cnf 等符号链接）。'), R_FILE, 'medium', ['mysql', 'files'],
     [('CIS', 'MySQL 8.0 3.8'), ('MLPS', 'L3-CES1-10')], [F('/etc/mysql/mysql.cnf', '0644', ['root']), F('/etc/mysql/mariadb.cnf', '0644', ['root']), F('/etc/mysql/conf.d/*.cnf', '0644', ['root']), F('/etc/mysql/mysql.conf.d/*.cnf', '0644', ['root']),
      F('/etc/mysql/mariadb.conf.d/*.cnf', '0644', ['root']), F('/etc/my.cnf', '0644', ['root']), F('/etc/my.cnf.d/*.cnf', '0644', ['root'])], 'chown root:root /etc/mysql/*.cnf /etc/mysql/*/*.cnf /etc/my.cnf /etc/my.cnf.d/*.cnf; chmod 0644 the same files'),
 chk('mysql-maintenance-credentials-perms', ('Maintenance credentials are readable by root only', '维护账户凭据仅 root 可读'), ('/etc/mysql/debian.cnf (maintenance user password) has mode 0600.', '/etc/mysql/debian.cnf（维护账户口令）权限为 0600。'), R_FILE, 'high', ['mysql', 'files'],
     [('CIS', 'MySQL 8.0 3.8'), ('MLPS', 'L3-CES1-27')], [F('/etc/mysql/debian.cnf', '0600', ['root'])], 'chown root:root /etc/mysql/debian.cnf && chmod 0600 /etc/mysql/debian.cnf'),
 chk('mysql-no-history-file', ('The MySQL client keeps no command history', 'MySQL 客户端不保留命令历史'), ('/root/.mysql_history and /home/*/.mysql_history do not exist (they can hold passwords typed in SQL).', '/root/.mysql_history 与 /home/*/.mysql_history 不存在（其中可能含 SQL 中输入的口令）。'), R_FILE, 'medium', ['mysql', 'files'],
     [('CIS', 'MySQL 8.0 1.3')], [F('/root/.mysql_history', exists=False), F('/home/*/.mysql_history', exists=False)], 'rm -f /root/.mysql_history /home/*/.mysql_history && ln -s /dev/null /root/.mysql_history\nexport MYSQL_HISTFILE=/dev/null in /etc/profile.d/\n'),
 man('mysql-no-anonymous-accounts', ('No anonymous accounts exist', '不存在匿名账户'), ("SELECT user,host FROM mysql.user WHERE user='' returns nothing (needs a database login, checked by hand).", "SELECT user,host FROM mysql.user WHERE user='' 无结果（需登录数据库，人工检查）。"), R_DB, 'high', ['mysql', 'accounts'],
     [('CIS', 'MySQL 8.0 7.6'), ('MLPS', 'L3-CES1-06')], "DROP USER ''@'localhost'; DROP USER ''@'%';   (or run mysql_secure_installation)"),
 man('mysql-no-remote-root', ('root cannot log in from the network', 'root 不能从网络登录'), ("SELECT host FROM mysql.user WHERE user='root' lists only localhost, 127.0.0.1 and ::1.", "SELECT host FROM mysql.user WHERE user='root' 仅返回 localhost、127.0.0.1 与 ::1。"), R_DB, 'high', ['mysql', 'accounts'],
     [('MLPS', 'L3-CES1-06'), ('MLPS', 'L3-CES1-08')], "DROP USER 'root'@'%';"),
 man('mysql-test-database-removed', ('The test database is removed', '已删除 test 数据库'), ('SHOW DATABASES lists no test database.', 'SHOW DATABASES 中没有 test 数据库。'), R_DB, 'low', ['mysql'],
     [('MLPS', 'L3-CES1-17')], 'DROP DATABASE IF EXISTS test;'),
 man('mysql-password-policy', ('Password complexity is enforced', '强制口令复杂度'), ('The validate_password component (MySQL) or simple_password_check plugin (MariaDB) is active with length ≥ 14.', '已启用 validate_password 组件（MySQL）或 simple_password_check 插件（MariaDB），长度 ≥ 14。'), R_DB, 'medium', ['mysql', 'accounts'],
     [('CIS', 'MySQL 8.0 7.5'), ('MLPS', 'L3-CES1-01')], "INSTALL COMPONENT 'file://component_validate_password'; SET PERSIST validate_password.length = 14;"),
]
policy('mysql', ('MySQL / MariaDB server baseline', 'MySQL / MariaDB 服务端基线'), ('Hardening of MySQL 8 and MariaDB servers from their configuration files and data directory; account items that need a database login are listed as manual. CIS Oracle MySQL Benchmark item numbers are references only.',
       'MySQL 8 与 MariaDB 服务端加固（检查配置文件与数据目录）；需要登录数据库的账户项列为人工检查。CIS 基准编号仅作参考。'),
       {'apps': ['mysql', 'mariadb'], 'packages': ['mysql-server', 'mariadb-server', 'mysql-community-server', 'mysql-server-core-8.0', 'mariadb-server-core']},
       [{'file': ['/usr/sbin/mysqld', '/usr/sbin/mariadbd', '/usr/libexec/mysqld', '/usr/libexec/mariadbd', '/var/lib/mysql']}], mysql, 'mysql')

# ---------------------------------------------------------------- PostgreSQL
PGC = ['/etc/postgresql/*/*/postgresql.conf', '/etc/postgresql/*/*/conf.d/*.conf', '/var/lib/pgsql/data/postgresql.conf', '/var/lib/pgsql/*/data/postgresql.conf', '/var/lib/pgsql/data/postgresql.auto.conf', '/var/lib/postgresql/*/main/postgresql.auto.conf']
HBA = ['/etc/postgresql/*/*/pg_hba.conf', '/var/lib/pgsql/data/pg_hba.conf', '/var/lib/pgsql/*/data/pg_hba.conf']
pg = [
 chk('pg-listen-addresses', ('PostgreSQL does not listen on every interface', 'PostgreSQL 不监听所有接口'), ("listen_addresses is not '*' (the default is localhost).", "listen_addresses 不是 '*'（默认 localhost）。"), R_DB, 'high', ['postgresql', 'network'],
     [('MLPS', 'L3-CES1-19'), ('MLPS', 'L3-CES1-18')], [C(PGC, nomatch="^\\s*listen_addresses\\s*=\\s*'([^']*,\\s*)?(\\*|0\\.0\\.0\\.0|::)(\\s*,[^']*)?'")], "listen_addresses = 'localhost'   (or the application network address), then restart PostgreSQL"),
 chk('pg-hba-no-trust-remote', ('Network connections always authenticate', '网络连接始终需要认证'), ('No host/hostssl/hostnossl line in pg_hba.conf uses the trust method.', 'pg_hba.conf 中没有使用 trust 方法的 host/hostssl/hostnossl 行。'), ('trust lets anyone who can reach the port log in as any role, including the superuser.', 'trust 允许能访问端口的任何人以任意角色（包括超级用户）登录。'), 'critical', ['postgresql', 'access'],
     [('CIS', 'PostgreSQL 16 4.6'), ('MLPS', 'L3-CES1-01')], [C(HBA, nomatch='^\\s*host(ssl|nossl|gssenc|nogssenc)?\\s+\\S+\\s+\\S+\\s+\\S+(\\s+\\S+)?\\s+trust(\\s|$)')], 'Replace trust with scram-sha-256 on host lines of pg_hba.conf, then: SELECT pg_reload_conf();'),
 chk('pg-hba-no-trust-local', ('Local connections authenticate too', '本地连接同样需要认证'), ('No local line in pg_hba.conf uses trust (peer or scram-sha-256 instead).', 'pg_hba.conf 中没有使用 trust 的 local 行（应使用 peer 或 scram-sha-256）。'), ('trust lets anyone who can reach the port log in as any role, including the superuser.', 'trust 允许能访问端口的任何人以任意角色（包括超级用户）登录。'), 'high', ['postgresql', 'access'],
     [('CIS', 'PostgreSQL 16 4.6'), ('MLPS', 'L3-CES1-01')], [C(HBA, nomatch='^\\s*local\\s+\\S+\\s+\\S+\\s+trust(\\s|$)')], 'local all all peer   (in pg_hba.conf), then: SELECT pg_reload_conf();'),
 chk('pg-hba-no-weak-password-methods', ('Passwords are not sent or stored weakly', '口令不以弱方式传输或存储'), ('No pg_hba.conf line uses the password (clear text) or md5 method.', 'pg_hba.conf 中没有使用 password（明文）或 md5 方法的行。'), ('Clear-text and MD5 password exchanges can be sniffed or replayed; SCRAM cannot.', '明文与 MD5 口令交换可被嗅探或重放，SCRAM 不会。'), 'medium', ['postgresql', 'access'],
     [('CIS', 'PostgreSQL 16 4.6'), ('MLPS', 'L3-CES1-27')], [C(HBA, nomatch='^\\s*(local|host\\S*)\\s.*\\s(password|md5)(\\s|$)')], 'Use scram-sha-256 in pg_hba.conf; reset each password after setting password_encryption = scram-sha-256'),
 chk('pg-password-encryption', ('New passwords are stored as SCRAM-SHA-256', '新口令以 SCRAM-SHA-256 存储'), ('password_encryption is not md5 (scram-sha-256 is the default from PostgreSQL 14).', 'password_encryption 不是 md5（PostgreSQL 14 起默认 scram-sha-256）。'), ('Clear-text and MD5 password exchanges can be sniffed or replayed; SCRAM cannot.', '明文与 MD5 口令交换可被嗅探或重放，SCRAM 不会。'), 'medium', ['postgresql', 'access'],
     [('CIS', 'PostgreSQL 16 3.2'), ('MLPS', 'L3-CES1-27')], [C(PGC, nomatch="^\\s*password_encryption\\s*=\\s*'?(md5|on|off|true|false)'?")], "password_encryption = 'scram-sha-256'"),
 chk('pg-ssl-on', ('PostgreSQL accepts TLS connections', 'PostgreSQL 支持 TLS 连接'), ('ssl = on.', 'ssl = on。'), ('Database credentials and data cross the network; without TLS they can be read and altered.', '数据库凭据与数据经网络传输，无 TLS 时可被窃听和篡改。'), 'medium', ['postgresql', 'tls'],
     [('CIS', 'PostgreSQL 16 6.7'), ('MLPS', 'L3-CES1-26')], [C(PGC, match="^\\s*ssl\\s*=\\s*'?(on|true|1)'?")], "ssl = on\nssl_cert_file = '/etc/ssl/certs/server.crt'\nssl_key_file = '/etc/ssl/private/server.key'\n"),
 chk('pg-ssl-min-protocol', ('PostgreSQL refuses TLS below 1.2', 'PostgreSQL 拒绝低于 1.2 的 TLS'), ('ssl_min_protocol_version is not TLSv1 or TLSv1.1.', 'ssl_min_protocol_version 不是 TLSv1 或 TLSv1.1。'), R_TLS, 'medium', ['postgresql', 'tls'],
     [('CIS', 'PostgreSQL 16 6.8'), ('MLPS', 'L3-CES1-26')], [C(PGC, nomatch="^\\s*ssl_min_protocol_version\\s*=\\s*'?TLSv1(\\.1)?'?\\s*(#.*)?$")], "ssl_min_protocol_version = 'TLSv1.2'"),
 chk('pg-log-connections', ('Connections are logged', '记录连接'), ('log_connections = on.', 'log_connections = on。'), R_LOG, 'medium', ['postgresql', 'logging'],
     [('CIS', 'PostgreSQL 16 3.1.20'), ('MLPS', 'L3-CES1-12')], [C(PGC, match="^\\s*log_connections\\s*=\\s*'?(on|true|1)'?")], 'log_connections = on'),
 chk('pg-log-disconnections', ('Disconnections are logged', '记录断开连接'), ('log_disconnections = on.', 'log_disconnections = on。'), R_LOG, 'low', ['postgresql', 'logging'],
     [('CIS', 'PostgreSQL 16 3.1.21'), ('MLPS', 'L3-CES1-12')], [C(PGC, match="^\\s*log_disconnections\\s*=\\s*'?(on|true|1)'?")], 'log_disconnections = on'),
 chk('pg-log-line-prefix', ('Log lines carry time, user and database', '日志行包含时间、用户与数据库'), ("log_line_prefix contains a timestamp (%m or %t) and the user (%u).", 'log_line_prefix 包含时间戳（%m 或 %t）与用户（%u）。'), R_LOG, 'low', ['postgresql', 'logging'],
     [('CIS', 'PostgreSQL 16 3.1.23'), ('MLPS', 'L3-CES1-13')], [C(PGC, match="^\\s*log_line_prefix\\s*=\\s*'[^']*%[mt][^']*%u"), ], "log_line_prefix = '%m [%p]: user=%u,db=%d,app=%a,client=%h '"),
 chk('pg-log-statement', ('Schema changes are logged', '记录结构变更'), ('log_statement is ddl, mod or all.', 'log_statement 为 ddl、mod 或 all。'), R_LOG, 'low', ['postgresql', 'logging'],
     [('CIS', 'PostgreSQL 16 3.1.24'), ('MLPS', 'L3-CES1-13')], [C(PGC, match="^\\s*log_statement\\s*=\\s*'?(ddl|mod|all)'?")], "log_statement = 'ddl'"),
 chk('pg-hba-perms', ('pg_hba.conf is not readable by everyone', 'pg_hba.conf 不对所有人可读'), ('pg_hba.conf is owned by postgres or root with mode 0640 or stricter.', 'pg_hba.conf 属主 postgres 或 root，权限不超过 0640。'), R_FILE, 'medium', ['postgresql', 'files'],
     [('CIS', 'PostgreSQL 16 3.1.2'), ('MLPS', 'L3-CES1-10')], [F(p, '0640', ['postgres', 'root']) for p in HBA], 'chown postgres:postgres pg_hba.conf && chmod 0640 pg_hba.conf'),
 chk('pg-conf-perms', ('postgresql.conf is writable by its owner only', 'postgresql.conf 仅属主可写'), ('postgresql.conf is owned by postgres or root with mode 0644 or stricter.', 'postgresql.conf 属主 postgres 或 root，权限不超过 0644。'), R_FILE, 'medium', ['postgresql', 'files'],
     [('MLPS', 'L3-CES1-10')], [F(p, '0644', ['postgres', 'root']) for p in PGC[:1] + PGC[2:4]], 'chown postgres:postgres postgresql.conf && chmod 0644 postgresql.conf'),
 chk('pg-data-dir-perms', ('The data directory is private to postgres', '数据目录仅 postgres 可访问'), ('The cluster data directory is owned by postgres with mode 0750 or stricter.', '集群数据目录属主 postgres，权限不超过 0750。'), R_FILE, 'high', ['postgresql', 'files'],
     [('CIS', 'PostgreSQL 16 1.4.4'), ('MLPS', 'L3-CES1-10')], [F('/var/lib/postgresql/*/main', '0750', ['postgres'], typ='dir'), F('/var/lib/pgsql/data', '0750', ['postgres'], typ='dir'), F('/var/lib/pgsql/*/data', '0750', ['postgres'], typ='dir')],
     'chown -R postgres:postgres $PGDATA && chmod 0700 $PGDATA'),
 man('pg-superuser-remote', ('Superusers cannot log in from the network', '超级用户不能从网络登录'), ('pg_hba.conf host lines exclude the postgres role and superusers, or restrict them to administration addresses.', 'pg_hba.conf 的 host 行排除 postgres 及超级用户，或限定为管理地址。'), R_DB, 'high', ['postgresql', 'access'],
     [('CIS', 'PostgreSQL 16 4.3'), ('MLPS', 'L3-CES1-08')], 'hostssl all postgres 0.0.0.0/0 reject   (before the other host lines)'),
 man('pg-pgaudit', ('pgAudit records privileged statements', 'pgAudit 记录特权语句'), ('The pgaudit extension is loaded (shared_preload_libraries) with pgaudit.log covering ddl, role and write.', '已加载 pgaudit 扩展（shared_preload_libraries），且 pgaudit.log 覆盖 ddl、role 与 write。'), R_LOG, 'medium', ['postgresql', 'logging'],
     [('CIS', 'PostgreSQL 16 3.2'), ('MLPS', 'L3-CES1-13')], "shared_preload_libraries = 'pgaudit'\npgaudit.log = 'ddl,role,write'\n"),
]
policy('postgresql', ('PostgreSQL server baseline', 'PostgreSQL 服务端基线'), ('Hardening of PostgreSQL servers (Debian /etc/postgresql and RHEL /var/lib/pgsql layouts): listening addresses, pg_hba.conf methods, SCRAM, TLS, logging and file permissions. CIS PostgreSQL Benchmark item numbers are references only.',
       'PostgreSQL 服务端加固（Debian /etc/postgresql 与 RHEL /var/lib/pgsql 目录结构）：监听地址、pg_hba.conf 认证方法、SCRAM、TLS、日志与文件权限。CIS 基准编号仅作参考。'),
       {'apps': ['postgresql'], 'packages': ['postgresql', 'postgresql-server', 'postgresql-common', 'postgresql-13', 'postgresql-14', 'postgresql-15', 'postgresql-16', 'postgresql-17', 'postgresql15-server', 'postgresql16-server']},
       [{'file': ['/etc/postgresql', '/var/lib/pgsql']}], pg, 'postgresql')

# ---------------------------------------------------------------- Redis
RD = ['/etc/redis/redis.conf', '/etc/redis.conf', '/etc/redis/*.conf', '/usr/local/etc/redis.conf']
R_RD = ('An exposed Redis without authentication is taken over within minutes (arbitrary writes, module loading, cron and SSH key planting).', '暴露且无认证的 Redis 会在数分钟内被接管（任意写入、加载模块、植入 cron 与 SSH 公钥）。')
def rename(cmd):
    return chk(f'redis-{cmd.lower()}-disabled', (f'The {cmd} command is disabled', f'已禁用 {cmd} 命令'), (f'rename-command {cmd} "" is set (or an ACL denies it to application users).', f'已设置 rename-command {cmd} ""（或 ACL 禁止应用用户使用）。'), R_RD, 'medium', ['redis'],
        [('MLPS', 'L3-CES1-08')], [C(RD, match=f'(?i)^\\s*rename-command\\s+{cmd}\\s+(""|\'\')\\s*$')], f'rename-command {cmd} ""   (Redis 7: prefer ACL rules such as  user app on ... -{cmd.lower()})')
redis = [
 chk('redis-bind', ('Redis listens on specific addresses', 'Redis 监听指定地址'), ('A bind directive is set and does not include 0.0.0.0, * or ::*.', '设置了 bind，且不包含 0.0.0.0、* 或 ::*。'), R_RD, 'high', ['redis', 'network'],
     [('MLPS', 'L3-CES1-19'), ('MLPS', 'L3-CES1-18')], [C(RD, match='^\\s*bind\\s+\\S+'), C(RD, nomatch='^\\s*bind\\s+(.*\\s)?-?(0\\.0\\.0\\.0|\\*|::\\*|::)(\\s|$)')], 'bind 127.0.0.1 -::1   (add the application network address if needed)'),
 chk('redis-protected-mode', ('Redis protected mode is on', 'Redis 保护模式已开启'), ('protected-mode is not set to no.', 'protected-mode 未设置为 no。'), R_RD, 'high', ['redis', 'network'],
     [('MLPS', 'L3-CES1-19')], [C(RD, nomatch='(?i)^\\s*protected-mode\\s+no\\s*$')], 'protected-mode yes'),
 chk('redis-requirepass-not-empty', ('The Redis password is not empty', 'Redis 口令不为空'), ('No requirepass line sets an empty password (the value itself is never read into evidence).', '没有 requirepass 行设置空口令（口令本身不会写入证据）。'), R_RD, 'high', ['redis', 'access'],
     [('MLPS', 'L3-CES1-01')], [C(RD, nomatch='^\\s*requirepass\\s*(""|\'\')?\\s*$')], 'requirepass (a long random secret)   or ACLs: aclfile /etc/redis/users.acl'),
 chk('redis-acl-configured', ('Redis access is managed with ACLs', 'Redis 使用 ACL 管理访问'), ('An aclfile is configured or the default user is switched off (user default off), so each application has its own user and command set. Setups with only requirepass fail this item; whether a password is required at all is redis-requirepass-set (its value is redacted).', '配置了 aclfile 或关闭了默认用户（user default off），每个应用使用独立用户与命令集。仅使用 requirepass 的部署不满足此项；是否要求口令由 redis-requirepass-set 检查（口令值被遮蔽）。'), R_RD, 'medium', ['redis', 'access'],
     [('MLPS', 'L3-CES1-08'), ('MLPS', 'L3-CES1-01')], [C(RD, match='^\\s*aclfile\\s+/\\S+'), C(RD, match='^\\s*user\\s+default\\s+off\\b')], 'aclfile /etc/redis/users.acl   with  user default off  and one user per application (ACL SETUSER app on >secret ~app:* +@read +@write)', cond='any'),
 chk('redis-requirepass-set', ('Redis refuses unauthenticated commands', 'Redis 拒绝未认证的命令'), ('requirepass is set to a non-empty value, or the default user is switched off (user default off). The value is redacted from evidence and reasons.', 'requirepass 设置为非空值，或关闭了默认用户（user default off）。口令值在证据与原因中均被遮蔽。'), R_RD, 'critical', ['redis', 'access'],
     [('MLPS', 'L3-CES1-01')], [{'keyvalue': {'paths': ['/etc/redis/redis.conf', '/etc/redis.conf', '/usr/local/etc/redis.conf'], 'syntax': 'space', 'key': 'requirepass', 'op': 'match', 'value': '\\S', 'redact': True}}, C(RD, match='^\\s*user\\s+default\\s+off\\b', redact=True)],
     'requirepass (a long random secret) in redis.conf, then restart; verify: redis-cli ping  ->  (error) NOAUTH', cond='any'),
 rename('FLUSHALL'), rename('FLUSHDB'), rename('CONFIG'), rename('DEBUG'),
 chk('redis-not-root', ('Redis does not run as root', 'Redis 不以 root 运行'), ('No systemd unit or override for Redis sets User=root.', 'Redis 的 systemd 单元及覆盖配置未设置 User=root。'), R_PRIV, 'high', ['redis', 'privilege'],
     [('MLPS', 'L3-CES1-08')], [C(['/etc/systemd/system/redis*.service', '/etc/systemd/system/redis*.service.d/*.conf', '/lib/systemd/system/redis*.service', '/usr/lib/systemd/system/redis*.service'], nomatch='^\\s*User\\s*=\\s*(root|0)\\s*$', missing='pass')],
     'User=redis in the redis-server unit (systemctl edit redis-server), then restart'),
 chk('redis-conf-perms', ('redis.conf is readable by root and redis only', 'redis.conf 仅 root 与 redis 可读'), ('redis.conf (it may hold the password) has mode 0640 or stricter.', 'redis.conf（可能含口令）权限不超过 0640。'), R_FILE, 'high', ['redis', 'files'],
     [('MLPS', 'L3-CES1-10'), ('MLPS', 'L3-CES1-27')], [F('/etc/redis/redis.conf', '0640'), F('/etc/redis.conf', '0640')], 'chown redis:redis /etc/redis/redis.conf && chmod 0640 /etc/redis/redis.conf',
     fix=[{'file_mode': {'path': '/etc/redis/redis.conf', 'mode': '0640'}}]),
 chk('redis-data-dir-perms', ('The Redis data directory is private', 'Redis 数据目录私有'), ('/var/lib/redis has mode 0750 or stricter and is owned by redis.', '/var/lib/redis 属主 redis，权限不超过 0750。'), R_FILE, 'medium', ['redis', 'files'],
     [('MLPS', 'L3-CES1-10')], [F('/var/lib/redis', '0750', ['redis'], typ='dir')], 'chown redis:redis /var/lib/redis && chmod 0750 /var/lib/redis'),
 chk('redis-logfile', ('Redis writes a log', 'Redis 记录日志'), ('logfile names a file, or syslog-enabled is yes.', 'logfile 指定了文件，或 syslog-enabled 为 yes。'), R_LOG, 'low', ['redis', 'logging'],
     [('MLPS', 'L3-CES1-12')], [C(RD, match='^\\s*logfile\\s+"?/\\S+'), C(RD, match='(?i)^\\s*syslog-enabled\\s+yes\\s*$')], 'logfile /var/log/redis/redis-server.log', cond='any'),
]
policy('redis', ('Redis server baseline', 'Redis 服务端基线'), ('Hardening of Redis servers: listening addresses, protected mode, authentication (the password is never read into evidence), dangerous commands, run-as user, file permissions and logging.',
       'Redis 服务端加固：监听地址、保护模式、认证（口令不会进入证据）、高危命令、运行用户、文件权限与日志。'),
       {'apps': ['redis'], 'packages': ['redis-server', 'redis', 'redis-tools']}, [{'file': ['/etc/redis/redis.conf', '/etc/redis.conf', '/usr/local/etc/redis.conf']}], redis, 'redis')

# ---------------------------------------------------------------- Docker daemon
DJ = ['/etc/docker/daemon.json']
UNITS = ['/etc/systemd/system/docker.service', '/etc/systemd/system/docker.service.d/*.conf', '/lib/systemd/system/docker.service', '/usr/lib/systemd/system/docker.service', '/etc/default/docker', '/etc/sysconfig/docker']
R_DK = ('The Docker daemon runs as root and every container shares its kernel; daemon defaults decide how far a compromised container reaches.', 'Docker 守护进程以 root 运行且所有容器共享内核，守护进程默认配置决定被攻陷容器能影响的范围。')
def dj(id, title, desc, sev, refs, probe, rem, cond=None):
    return chk(id, title, desc, R_DK, sev, ['docker'], refs, probe, rem, cond=cond)
AUD = ['/etc/audit/rules.d/*.rules', '/etc/audit/audit.rules']
def dockaud(id, path, ref):
    return chk(id, (f'{path} is audited', f'审计 {path}'), (f'An audit watch rule covers {path}.', f'审计规则监控 {path}。'), ('Changes to the container runtime and its configuration are security events that must leave a trace.', '对容器运行时及其配置的修改属于安全事件，必须留下记录。'), 'low', ['docker', 'audit'],
        [('CIS', 'Docker 1.6 ' + ref), ('MLPS', 'L3-CES1-13')], [C(AUD, match='^\\s*-w\\s+' + path.replace('.', '\\.') + '/?\\s')], f'echo "-w {path} -k docker" >> /etc/audit/rules.d/60-ward-docker.rules && augenrules --load',
        applies=[{'package': ['auditd', 'audit']}])
docker = [
 dj('docker-icc-disabled', ('Containers on the default bridge cannot talk to each other', '默认网桥上的容器之间不能互访'), ('daemon.json sets "icc": false.', 'daemon.json 设置 "icc": false。'), 'medium', [('CIS', 'Docker 1.6 2.2'), ('MLPS', 'L3-CES1-19')],
    [C(DJ, match='"icc"\\s*:\\s*false')], 'Add "icc": false to /etc/docker/daemon.json, then: systemctl restart docker'),
 dj('docker-log-level', ('The daemon does not log at debug level', '守护进程不以 debug 级别记录日志'), ('daemon.json does not set "log-level": "debug".', 'daemon.json 未设置 "log-level": "debug"。'), 'low', [('CIS', 'Docker 1.6 2.3')],
    [C(DJ, nomatch='"log-level"\\s*:\\s*"debug"', missing='pass')], '"log-level": "info" in /etc/docker/daemon.json'),
 dj('docker-iptables-allowed', ('Docker manages iptables rules', 'Docker 管理 iptables 规则'), ('daemon.json does not set "iptables": false.', 'daemon.json 未设置 "iptables": false。'), 'medium', [('CIS', 'Docker 1.6 2.4'), ('MLPS', 'L3-CES1-19')],
    [C(DJ, nomatch='"iptables"\\s*:\\s*false', missing='pass')], 'Remove "iptables": false from /etc/docker/daemon.json'),
 dj('docker-no-insecure-registries', ('No insecure registries are configured', '未配置不安全的镜像仓库'), ('daemon.json lists no insecure-registries (and dockerd is not started with --insecure-registry).', 'daemon.json 未列出 insecure-registries（dockerd 也未带 --insecure-registry 启动）。'), 'high', [('CIS', 'Docker 1.6 2.5'), ('MLPS', 'L3-CES1-26')],
    [C(DJ, nomatch='"insecure-registries"\\s*:\\s*\\[\\s*"', missing='pass'), C(UNITS, nomatch='--insecure-registry', missing='pass')], 'Remove "insecure-registries" from /etc/docker/daemon.json; give every registry a TLS certificate'),
 dj('docker-tcp-socket-tls', ('A TCP socket of the daemon requires TLS', '守护进程的 TCP 套接字要求 TLS'), ('Either dockerd does not listen on tcp://, or tlsverify is on.', 'dockerd 不监听 tcp://，或开启了 tlsverify。'), 'critical', [('CIS', 'Docker 1.6 2.7'), ('MLPS', 'L3-CES1-19')],
    [C(DJ + UNITS, nomatch='tcp://', missing='pass'), C(DJ, match='"tlsverify"\\s*:\\s*true'), C(UNITS, match='--tlsverify\\b')],
    '"tlsverify": true, "tlscacert", "tlscert", "tlskey" in daemon.json — or remove -H tcp://... and use the unix socket (or SSH: DOCKER_HOST=ssh://host)', cond='any'),
 dj('docker-userns-remap', ('Containers run in a user namespace', '容器运行在用户命名空间中'), ('daemon.json sets "userns-remap", so root in a container is not root on the host.', 'daemon.json 设置了 "userns-remap"，容器内的 root 不是宿主机 root。'), 'medium', [('CIS', 'Docker 1.6 2.9'), ('MLPS', 'L3-CES1-11')],
    [C(DJ, match='"userns-remap"\\s*:\\s*"[^"]+"')], '"userns-remap": "default" in /etc/docker/daemon.json, then: systemctl restart docker'),
 dj('docker-log-limits', ('Container logs are rotated', '容器日志会轮转'), ('daemon.json sets log-opts max-size (json-file/local drivers) or a remote log driver.', 'daemon.json 为 json-file/local 日志驱动设置了 max-size，或使用远程日志驱动。'), 'low', [('CIS', 'Docker 1.6 2.13'), ('MLPS', 'L3-CES1-14')],
    [C(DJ, match='"max-size"\\s*:\\s*"[0-9]+[kmg]?"'), C(DJ, match='"log-driver"\\s*:\\s*"(syslog|journald|gelf|fluentd|awslogs|splunk|gcplogs)"')], '"log-driver": "json-file", "log-opts": {"max-size": "10m", "max-file": "5"} in /etc/docker/daemon.json', cond='any'),
 dj('docker-live-restore', ('Containers keep running when the daemon restarts', '守护进程重启时容器继续运行'), ('daemon.json sets "live-restore": true.', 'daemon.json 设置 "live-restore": true。'), 'low', [('CIS', 'Docker 1.6 2.14')],
    [C(DJ, match='"live-restore"\\s*:\\s*true')], '"live-restore": true in /etc/docker/daemon.json, then: systemctl reload docker'),
 dj('docker-userland-proxy-off', ('The userland proxy is disabled', '已禁用 userland proxy'), ('daemon.json sets "userland-proxy": false (hairpin NAT in the kernel instead).', 'daemon.json 设置 "userland-proxy": false（改用内核 hairpin NAT）。'), 'low', [('CIS', 'Docker 1.6 2.15')],
    [C(DJ, match='"userland-proxy"\\s*:\\s*false')], '"userland-proxy": false in /etc/docker/daemon.json, then: systemctl restart docker'),
 dj('docker-no-experimental', ('Experimental features are off', '未启用实验特性'), ('daemon.json does not set "experimental": true.', 'daemon.json 未设置 "experimental": true。'), 'low', [('CIS', 'Docker 1.6 2.17')],
    [C(DJ, nomatch='"experimental"\\s*:\\s*true', missing='pass')], 'Remove "experimental": true from /etc/docker/daemon.json'),
 dj('docker-no-new-privileges', ('Containers cannot gain new privileges by default', '容器默认不能获得新特权'), ('daemon.json sets "no-new-privileges": true.', 'daemon.json 设置 "no-new-privileges": true。'), 'medium', [('CIS', 'Docker 1.6 2.18'), ('MLPS', 'L3-CES1-08')],
    [C(DJ, match='"no-new-privileges"\\s*:\\s*true')], '"no-new-privileges": true in /etc/docker/daemon.json, then: systemctl restart docker'),
 chk('docker-socket-perms', ('The Docker socket is root:docker 0660', 'Docker 套接字为 root:docker 0660'), ('/run/docker.sock is owned by root, group docker (or root), mode 0660 or stricter.', '/run/docker.sock 属主 root、属组 docker（或 root），权限不超过 0660。'),
    ('Write access to the Docker socket is root on the host.', '对 Docker 套接字的写权限即宿主机 root 权限。'), 'critical', ['docker', 'files'], [('CIS', 'Docker 1.6 3.15'), ('CIS', 'Docker 1.6 3.16'), ('MLPS', 'L3-CES1-10')],
    [F('/run/docker.sock', '0660', ['root'], ['docker', 'root'])], 'chown root:docker /run/docker.sock && chmod 0660 /run/docker.sock   (persist via SocketMode=0660 in docker.socket)'),
 chk('docker-daemon-json-perms', ('daemon.json is writable by root only', 'daemon.json 仅 root 可写'), ('/etc/docker/daemon.json is owned by root with mode 0644 or stricter.', '/etc/docker/daemon.json 属主 root，权限不超过 0644。'), R_DK, 'medium', ['docker', 'files'],
    [('CIS', 'Docker 1.6 3.17'), ('CIS', 'Docker 1.6 3.18'), ('MLPS', 'L3-CES1-10')], [F('/etc/docker/daemon.json', '0644', ['root'], ['root'])], 'chown root:root /etc/docker/daemon.json && chmod 0644 /etc/docker/daemon.json',
    fix=[{'file_mode': {'path': '/etc/docker/daemon.json', 'mode': '0644', 'owner': 'root', 'group': 'root'}}]),
 chk('docker-etc-perms', ('/etc/docker is writable by root only', '/etc/docker 仅 root 可写'), ('/etc/docker is owned by root with mode 0755 or stricter.', '/etc/docker 属主 root，权限不超过 0755。'), R_DK, 'medium', ['docker', 'files'],
    [('CIS', 'Docker 1.6 3.5'), ('CIS', 'Docker 1.6 3.6'), ('MLPS', 'L3-CES1-10')], [F('/etc/docker', '0755', ['root'], ['root'], typ='dir')], 'chown root:root /etc/docker && chmod 0755 /etc/docker'),
 chk('docker-unit-perms', ('The Docker systemd units are writable by root only', 'Docker systemd 单元仅 root 可写'), ('docker.service and docker.socket are owned by root with mode 0644 or stricter.', 'docker.service 与 docker.socket 属主 root，权限不超过 0644。'), R_DK, 'medium', ['docker', 'files'],
    [('CIS', 'Docker 1.6 3.1'), ('CIS', 'Docker 1.6 3.3'), ('MLPS', 'L3-CES1-10')], [F(p, '0644', ['root']) for p in ('/lib/systemd/system/docker.service', '/lib/systemd/system/docker.socket', '/usr/lib/systemd/system/docker.service', '/usr/lib/systemd/system/docker.socket', '/etc/systemd/system/docker.service')],
    'chown root:root /lib/systemd/system/docker.{service,socket} && chmod 0644 /lib/systemd/system/docker.{service,socket}'),
 dockaud('docker-audit-dockerd', '/usr/bin/dockerd', '1.1.3'), dockaud('docker-audit-var-lib-docker', '/var/lib/docker', '1.1.5'), dockaud('docker-audit-etc-docker', '/etc/docker', '1.1.6'),
 dockaud('docker-audit-containerd', '/usr/bin/containerd', '1.1.14'),
 man('docker-group-members', ('Only administrators are in the docker group', '仅管理员属于 docker 组'), ('Members of the docker group control the daemon and so are root on the host; the list is reviewed.', 'docker 组成员可控制守护进程，等同宿主机 root；需人工审核成员名单。'), R_DK, 'high', ['docker', 'accounts'],
    [('CIS', 'Docker 1.6 1.1.2'), ('MLPS', 'L3-CES1-08')], 'getent group docker   then: gpasswd -d USER docker   for everyone who is not an administrator'),
]
policy('docker', ('Docker daemon baseline', 'Docker 守护进程基线'), ('Hardening of the Docker Engine daemon from /etc/docker/daemon.json, its systemd units, socket and audit rules. CIS Docker Benchmark v1.6.0 item numbers are references only.',
       'Docker Engine 守护进程加固（检查 /etc/docker/daemon.json、systemd 单元、套接字与审计规则）。CIS Docker 基准 v1.6.0 编号仅作参考。'),
       {'apps': ['docker'], 'packages': ['docker-ce', 'docker.io', 'moby-engine', 'docker-engine']}, [{'file': ['/usr/bin/dockerd', '/usr/sbin/dockerd', '/etc/docker/daemon.json']}], docker, 'docker')
