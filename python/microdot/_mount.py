"""Microdot.mount(): a sub-app's routes under a URL prefix. Imported on the
first mount."""
from microdot.microdot import URLPattern, _Route


def mount(app, subapp, url_prefix, local):
    for route in subapp.url_map:
        new = _Route(route.methods,
                     URLPattern(url_prefix + route.pattern.url_pattern),
                     route.handler)
        new.url_prefix = url_prefix + route.url_prefix
        new.subapp = route.subapp or subapp
        new.local_apps = (subapp,) + route.local_apps if local \
            else route.local_apps
        app._add_route(new)
    if not local:
        app.before_request_handlers += subapp.before_request_handlers
        app.after_request_handlers += subapp.after_request_handlers
        app.after_error_request_handlers += \
            subapp.after_error_request_handlers
        for key, handler in subapp.error_handlers.items():
            app.error_handlers.setdefault(key, handler)
