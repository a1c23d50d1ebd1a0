"""TLS helper: ``create_ssl_context(cert, key)`` returns a server-side
``SSLContext`` to pass as ``app.run(ssl=...)`` or
``app.start_server(ssl=...)``.

On CPython this is the standard library's ``ssl.SSLContext`` and the files
are PEM. On MicroPython the files are usually DER (PEM works where the TLS
library accepts it); they are read here and handed to MicroPython's
``ssl.SSLContext.load_cert_chain``.

This module is ``microdot.ssl``; the ``import ssl`` below is an absolute
import, so it always finds the interpreter's own ``ssl`` module.
"""
import ssl as _ssl


def _read(filename):
    with open(filename, 'rb') as f:
        return f.read()


def create_ssl_context(cert, key, password=None):
    """A TLS server context for the certificate chain ``cert`` and the
    private key ``key``.

    :param cert: the file name of the certificate (chain), PEM on CPython,
        usually DER on MicroPython.
    :param key: the private key file name, in the same format.
    :param password: the key's password (CPython only; ignored on
        MicroPython).
    :return: an ``ssl.SSLContext`` for ``app.run(ssl=...)``.
    :raises OSError: a file cannot be read.
    :raises ssl.SSLError: CPython rejects the certificate or key (such as a
        key that does not match the certificate).

    Example::

        context = create_ssl_context('cert.der', 'key.der')
        app.run(port=4443, ssl=context)
    """
    context = _ssl.SSLContext(_ssl.PROTOCOL_TLS_SERVER)
    if hasattr(_ssl, 'create_default_context'):  # CPython
        context.load_cert_chain(cert, key, password)
    else:  # MicroPython: load_cert_chain takes the data itself
        context.load_cert_chain(_read(cert), _read(key))
    return context
