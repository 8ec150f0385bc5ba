"""Django settings for mysite (fixture stand-in; no secrets)."""
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEBUG = False
ALLOWED_HOSTS = ["django.example.com"]
INSTALLED_APPS = ["django.contrib.admin", "django.contrib.auth"]
ROOT_URLCONF = "mysite.urls"
WSGI_APPLICATION = "mysite.wsgi.application"
STATIC_URL = "static/"
