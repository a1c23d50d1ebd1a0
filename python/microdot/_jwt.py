"""A small HS256-only JSON Web Token codec for interpreters without PyJWT.

``encode(payload, key)`` and ``decode(token, key, algorithms=['HS256'])``
take and give the same values as PyJWT's functions of the same names, so a
token made by either one is accepted by the other. Only HMAC-SHA256 is
supported: any other ``alg`` (including ``none``) is rejected, and so is a
token whose ``exp`` has passed or whose ``nbf`` has not come yet.
"""
import binascii
import hashlib
import json
import time

try:
    from hmac import compare_digest
except ImportError:  # MicroPython without micropython-lib's hmac
    compare_digest = None

_BLOCK = 64  # SHA-256 block size, in bytes


class InvalidTokenError(ValueError):
    """Base class of the errors :func:`decode` raises for a token it does
    not accept (PyJWT's name)."""


class DecodeError(InvalidTokenError):
    """The token is not three base64url segments of JSON objects, or a
    time claim is not a number."""


class InvalidSignatureError(DecodeError):
    """The signature does not match the token's content and the key."""


class InvalidAlgorithmError(InvalidTokenError):
    """The token's ``alg`` is not HS256, or HS256 is not among the
    algorithms the caller accepts."""


class ExpiredSignatureError(InvalidTokenError):
    """The token's ``exp`` (expiration time) has passed."""


class ImmatureSignatureError(InvalidTokenError):
    """The token's ``nbf`` (not before) time has not come yet."""


def _to_bytes(value):
    return value.encode() if isinstance(value, str) else bytes(value)


def hmac_sha256(key, msg):
    """HMAC-SHA256 of ``msg`` (RFC 2104), built on ``hashlib`` alone."""
    key = _to_bytes(key)
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key + bytes(_BLOCK - len(key))
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    inner.update(msg)
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    outer.update(inner.digest())
    return outer.digest()


def equal(a, b):
    """Compares two byte strings in a time that does not depend on where
    they differ (the length is not secret)."""
    if compare_digest is not None:
        return compare_digest(a, b)
    if len(a) != len(b):
        return False
    diff = 0
    for i in range(len(a)):
        diff |= a[i] ^ b[i]
    return diff == 0


def b64url_encode(data):
    """``data`` (bytes) in unpadded base64url (RFC 4648 section 5), as
    bytes."""
    text = binascii.b2a_base64(data).rstrip(b'\n').rstrip(b'=')
    return text.replace(b'+', b'-').replace(b'/', b'_')


def b64url_decode(text):
    """The bytes of the unpadded base64url ``text`` (``str`` or bytes).

    :raises DecodeError: ``text`` holds ``+``, ``/`` or ``=``, or is not
        valid base64.
    """
    text = _to_bytes(text)
    if b'+' in text or b'/' in text or b'=' in text:
        raise DecodeError('Invalid base64url segment')
    text = text.replace(b'-', b'+').replace(b'_', b'/')
    try:
        return binascii.a2b_base64(text + b'=' * (-len(text) % 4))
    except ValueError:
        raise DecodeError('Invalid base64url segment')


def _json_bytes(obj):
    return json.dumps(obj, separators=(',', ':')).encode()


def encode(payload, key, algorithm='HS256', headers=None):
    """Returns the compact JWT (a ``str``) for the ``payload`` dict, signed
    with ``key`` (``str`` or bytes). ``headers`` adds fields to the JOSE
    header.

    :raises NotImplementedError: ``algorithm`` is not ``'HS256'``.
    """
    if algorithm != 'HS256':
        raise NotImplementedError('Only HS256 is supported')
    header = {'alg': 'HS256', 'typ': 'JWT'}
    if headers:
        header.update(headers)
    signing_input = (b64url_encode(_json_bytes(header)) + b'.' +
                     b64url_encode(_json_bytes(payload)))
    signature = b64url_encode(hmac_sha256(key, signing_input))
    return (signing_input + b'.' + signature).decode()


def _load_json(segment):
    try:
        value = json.loads(b64url_decode(segment))
    except (ValueError, UnicodeError):  # JSONDecodeError is a ValueError
        raise DecodeError('Invalid JSON segment')
    if not isinstance(value, dict):
        raise DecodeError('Segment is not a JSON object')
    return value


def _check_times(payload, leeway):
    now = time.time()
    exp = payload.get('exp')
    if exp is not None:
        if not isinstance(exp, (int, float)) or isinstance(exp, bool):
            raise DecodeError('Expiration Time claim (exp) must be a number')
        if exp <= now - leeway:
            raise ExpiredSignatureError('Signature has expired')
    nbf = payload.get('nbf')
    if nbf is not None:
        if not isinstance(nbf, (int, float)) or isinstance(nbf, bool):
            raise DecodeError('Not Before claim (nbf) must be a number')
        if nbf > now + leeway:
            raise ImmatureSignatureError('The token is not yet valid (nbf)')


def decode(token, key, algorithms=None, leeway=0):
    """Verifies ``token`` with ``key`` and returns its payload dict.

    :param algorithms: the accepted algorithms; must include ``'HS256'``.
    :param leeway: seconds of clock skew tolerated on ``exp`` and ``nbf``.
    :raises InvalidTokenError: (a subclass) for anything but a valid,
        current, HS256-signed token.
    """
    if algorithms is None or 'HS256' not in algorithms:
        raise InvalidAlgorithmError('HS256 must be among the algorithms')
    token = _to_bytes(token)
    if token.count(b'.') != 2:
        raise DecodeError('Not enough or too many segments')
    dot = token.rfind(b'.')
    signing_input = token[:dot]
    header_segment, payload_segment = signing_input.split(b'.')
    header = _load_json(header_segment)
    if header.get('alg') != 'HS256':
        raise InvalidAlgorithmError('The specified alg value is not allowed')
    expected = b64url_encode(hmac_sha256(key, signing_input))
    if not equal(expected, token[dot + 1:]):
        raise InvalidSignatureError('Signature verification failed')
    payload = _load_json(payload_segment)
    _check_times(payload, leeway)
    return payload
