"""The JSON API (django-ninja) (接口)."""
