"""The partner REST API's shared ground (`base`, `renderers`, `caching`) and its router (`urls`).
The base imports no endpoint; only the router, read by the URL configuration, imports them."""
