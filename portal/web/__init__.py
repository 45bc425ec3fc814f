"""Web layer: routes, error pages, language choice and response headers."""
