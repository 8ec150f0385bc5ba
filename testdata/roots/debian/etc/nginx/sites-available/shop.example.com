# Shop front: Laravel under PHP-FPM, the API on Tomcat, static files from
# their own root. Written for Ward's fixture.
server {
	listen 80;
	listen [::]:80;
	server_name shop.example.com www.shop.example.com;
	return 301 https://$host$request_uri;
}

server {
	listen 443 ssl http2;
	listen [::]:443 ssl http2;
	server_name shop.example.com www.shop.example.com "shop.internal";
	include snippets/snakeoil.conf;

	root /var/www/shop/public;
	index index.php;

	# A quoted value holding ";" and "{" must not end the directive.
	add_header Content-Security-Policy "default-src 'self'; img-src * data:; style-src 'self' {inline}";

	location / {
		try_files $uri $uri/ /index.php?$query_string;
	}

	location ~ \.php$ {
		include snippets/fastcgi-php.conf;
		fastcgi_pass unix:/run/php/php8.2-fpm.sock;
	}

	location /api/ {
		include proxy_params;
		proxy_pass http://127.0.0.1:8080/shop-api/;
		location /api/admin/ {
			deny all;
		}
	}

	location ^~ /static/ {
		root /srv/static;
		expires 7d;
	}

	location /pma {
		alias /var/www/phpmyadmin;
	}
}
