# Available but not enabled: must not be reported.
server {
	listen 80;
	server_name disabled.example.com;
	root /var/www/disabled;
}
