# Python and Node applications behind nginx (enabled through sites-enabled).
upstream django_app {
	server unix:/run/gunicorn.sock fail_timeout=0;
	server 127.0.0.1:8001 backup;
}

server {
	listen 127.0.0.1:8000;
	server_name django.example.com;
	location / {
		proxy_pass http://django_app;
	}
	location /static/ { alias /srv/django-app/static/; }
}

server {
	listen 3001;
	server_name node.example.com;
	root /srv/node-app/public;
	location / { proxy_pass http://127.0.0.1:3000; }
}
