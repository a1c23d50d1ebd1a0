"""microdot._jwt against PyJWT (CPython only): tokens made by either one are
accepted by the other, bad tokens are refused by both, and the session
extension works with either codec."""
import asyncio
import hashlib
import hmac
import time

import jwt as pyjwt
import pytest

from microdot import Microdot
from microdot import session as session_module
from microdot import _jwt
from microdot.session import Session, with_session
from microdot.test_client import TestClient

KEY = 'a-secret-key-that-is-long-enough-for-hs256'
PAYLOADS = [
    {},
    {'user': 'susan', 'n': 1, 'admin': False, 'ratio': 0.5, 'none': None},
    {'text': 'ünïcødé ✓ 日本', 'nested': {'list': [1, 'two', [3]]}},
    {'exp': int(time.time()) + 3600, 'nbf': int(time.time()) - 10},
]


@pytest.mark.parametrize('payload', PAYLOADS)
def test_pyjwt_accepts_ours(payload):
    token = _jwt.encode(payload, KEY)
    assert pyjwt.decode(token, KEY, algorithms=['HS256']) == payload


@pytest.mark.parametrize('payload', PAYLOADS)
def test_we_accept_pyjwt(payload):
    token = pyjwt.encode(payload, KEY, algorithm='HS256')
    assert _jwt.decode(token, KEY, algorithms=['HS256']) == payload


@pytest.mark.parametrize('key', [b'', b'k', b'x' * 64, b'y' * 65, b'z' * 200,
                                 'clé'])
def test_hmac_matches_stdlib(key):
    msg = b'The quick brown fox jumps over the lazy dog' * 3
    raw = key.encode() if isinstance(key, str) else key
    assert _jwt.hmac_sha256(key, msg) == \
        hmac.new(raw, msg, hashlib.sha256).digest()


def test_equal_without_stdlib(monkeypatch):
    monkeypatch.setattr(_jwt, 'compare_digest', None)
    assert _jwt.equal(b'abc', b'abc')
    assert not _jwt.equal(b'abc', b'abd')
    assert not _jwt.equal(b'abc', b'abcd')


def bad_tokens():
    good = pyjwt.encode({'user': 'a'}, KEY, algorithm='HS256')
    header, payload, signature = good.split('.')
    none_header = _jwt.b64url_encode(b'{"alg":"none","typ":"JWT"}').decode()
    hs512 = pyjwt.encode({'user': 'a'}, KEY, algorithm='HS512')
    expired = pyjwt.encode({'exp': int(time.time()) - 5}, KEY,
                           algorithm='HS256')
    future = pyjwt.encode({'nbf': int(time.time()) + 3600}, KEY,
                          algorithm='HS256')
    forged = _jwt.b64url_encode(b'{"user":"admin"}').decode()
    return {
        'wrong key': pyjwt.encode({'user': 'a'}, KEY + 'x', algorithm='HS256'),
        'alg none': none_header + '.' + payload + '.',
        'alg none, signature kept': none_header + '.' + payload + '.' +
        signature,
        'HS512': hs512,
        'expired': expired,
        'not yet valid': future,
        'forged payload': header + '.' + forged + '.' + signature,
        'two segments': header + '.' + payload,
        'four segments': good + '.x',
        'bad base64': header + '.' + payload[:-1] + '!.' + signature,
    }


@pytest.mark.parametrize('name', sorted(bad_tokens()))
def test_both_refuse_bad_tokens(name):
    token = bad_tokens()[name]
    with pytest.raises(_jwt.InvalidTokenError):
        _jwt.decode(token, KEY, algorithms=['HS256'])
    with pytest.raises(pyjwt.InvalidTokenError):
        pyjwt.decode(token, KEY, algorithms=['HS256'])


def test_non_canonical_signature_is_refused():
    # PyJWT tolerates padding on the signature; we compare the canonical
    # encoding, so there is exactly one valid token per content.
    good = pyjwt.encode({'user': 'a'}, KEY, algorithm='HS256')
    for token in (good + '=', good + '==', good[:-1] + '+'):
        with pytest.raises(_jwt.InvalidSignatureError):
            _jwt.decode(token, KEY, algorithms=['HS256'])


def test_algorithms_must_include_hs256():
    token = _jwt.encode({'a': 1}, KEY)
    with pytest.raises(_jwt.InvalidAlgorithmError):
        _jwt.decode(token, KEY, algorithms=['HS512'])
    with pytest.raises(_jwt.InvalidAlgorithmError):
        _jwt.decode(token, KEY)


def test_session_uses_pyjwt_on_cpython():
    assert session_module.jwt is pyjwt


@pytest.mark.parametrize('codec', ['pyjwt', 'microdot'])
def test_session_cookie_round_trip_with_either_codec(monkeypatch, codec):
    if codec == 'microdot':
        monkeypatch.setattr(session_module, 'jwt', _jwt)
    app = Microdot()
    Session(app, secret_key=KEY)

    @app.get('/set')
    @with_session
    async def set_value(req, session):
        session['user'] = 'susan'
        session.save()
        return 'ok'

    @app.get('/get')
    @with_session
    async def get_value(req, session):
        return {'user': session.get('user')}

    async def main():
        client = TestClient(app)
        await client.get('/set')
        token = client.cookies['session']
        # whichever codec made it, the other one accepts it
        assert pyjwt.decode(token, KEY, algorithms=['HS256']) == \
            {'user': 'susan'}
        assert _jwt.decode(token, KEY, algorithms=['HS256']) == \
            {'user': 'susan'}
        res = await client.get('/get')
        assert res.json == {'user': 'susan'}
        res = await TestClient(app).get('/get', headers={
            'Cookie': 'session=' + pyjwt.encode({'user': 'joe'}, KEY,
                                                algorithm='HS256')})
        assert res.json == {'user': 'joe'}
        for token in bad_tokens().values():
            res = await TestClient(app).get(
                '/get', headers={'Cookie': 'session=' + token})
            assert res.status_code == 200
            assert res.json == {'user': None}

    asyncio.run(main())
