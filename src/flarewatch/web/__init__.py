"""The web app: FastAPI pages, the JSON API, templates, static assets and translations."""
