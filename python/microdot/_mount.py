"""Microdot.mount(): a sub-app's routes under a URL prefix. Imported on the
first mount."""
from microdot.microdot import URLPattern, _Route


def mount(self, subapp, url_prefix='', local=False):
    """Adds the routes of ``subapp`` under ``url_prefix``. Its request
    and error handlers apply to the whole app, or only to its own
    routes with ``local=True``."""
    for route in subapp.url_map:
        new = _Route(route.methods,
                     URLPattern(url_prefix + route.pattern.url_pattern),
                     route.handler)
        new.url_prefix = url_prefix + route.url_prefix
        new.subapp = route.subapp or subapp
        new.local_apps = (subapp,) + route.local_apps if local \
            else route.local_apps
        self._add_route(new)
    if not local:
        self.before_request_handlers += subapp.before_request_handlers
        self.after_request_handlers += subapp.after_request_handlers
        self.after_error_request_handlers += \
            subapp.after_error_request_handlers
        for key, handler in subapp.error_handlers.items():
            self.error_handlers.setdefault(key, handler)
