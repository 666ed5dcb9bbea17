"""Server-rendered pages (Jinja2 + HTMX) and the vendored static assets."""
