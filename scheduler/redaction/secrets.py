"""Masking secrets in free text: what any log line gets, at every level.

Masked (each replaced by ``***``):

- the password of a URL, ``scheme://user:***@host``, for every host of a
  multi-host URL (``rabbit://a:***@h1:5672,b:***@h2:5672/``);
- values of secret-looking keys in ``key=value``, ``key: value``,
  ``--key value`` and quoted-key (JSON, Python dict) forms, whatever
  their case, escaped quotes included, also when the JSON is itself
  escaped inside a string; then oslo.utils' ``mask_password`` (its keys
  and forms, XML included). Its catch-all for quoted values may blank
  the last quoted value of a line that names a secret key: it masks too
  much rather than too little;
- token headers (``X-Auth-Token``, ``X-Service-Token``,
  ``X-Subject-Token``, ``Authorization``); keystoneauth's own
  ``{SHA256}...`` digests of them are kept, they identify without
  revealing;
- Keystone Fernet (``gAAAAA...``) and JWS (``eyJ...``) tokens anywhere.
"""

import re

from oslo_utils import strutils

MASK = '***'

_SCHEME = re.compile(r'[A-Za-z][A-Za-z0-9+.\-]*://')
# Characters a URL cannot hold unencoded end it: whitespace, double
# quote, angle brackets, backslash (of an escaped quote), backtick. A
# single quote can be part of a password, so the URL runs on past it.
_URL_END = re.compile(r'[\s"<>\\`]')


def _mask_authority_part(part: str) -> str:
    """``user:pass@host`` -> ``user:***@host`` (last '@' ends userinfo)."""
    at = part.rfind('@')
    if at < 0:
        return part
    colon = part.find(':', 0, at)
    if colon < 0:
        return part
    return part[:colon + 1] + MASK + part[at:]


# Schemes whose URLs list several hosts, comma-separated (oslo.messaging
# transport URLs and the like). Their passwords cannot hold a comma.
_MULTI_HOST_SCHEMES = frozenset(
    ('rabbit', 'amqp', 'amqps', 'kombu', 'kafka', 'redis', 'sentinel',
     'mongodb', 'zookeeper', 'etcd3'))
_HOST_PORT = re.compile(
    r'^(?:[A-Za-z0-9._\-]+|\[[0-9A-Fa-f:.]+\])(?::\d*)?$')


def _is_host_list(parts: list[str]) -> bool:
    """Every part is ``[user:pass@]host[:port]`` (the last one may have a
    path), credentials in no part after one without them."""
    plain_seen = False
    for index, part in enumerate(parts):
        at = part.rfind('@')
        host = part[at + 1:]
        if index == len(parts) - 1:
            host = host.split('/', 1)[0].split('?', 1)[0]
        if not _HOST_PORT.match(host):
            return False
        if at < 0:
            plain_seen = True
        elif plain_seen or ':' not in part[:at]:
            return False
    return True


def _mask_url_body(scheme: str, body: str) -> str:
    if '@' not in body:
        return body
    if ',' in body and scheme.split('+', 1)[0].lower() in (
            _MULTI_HOST_SCHEMES):
        parts = body.split(',')
        if _is_host_list(parts):
            return ','.join(_mask_authority_part(p) for p in parts)
    # One host, or commas that may be inside a password: everything from
    # the first ':' to the last '@' is userinfo.
    return _mask_authority_part(body)


def mask_urls(text: str) -> str:
    if '://' not in text:
        return text
    out = []
    pos = 0
    for match in _SCHEME.finditer(text):
        start = match.end()
        if start < pos:
            continue
        end_match = _URL_END.search(text, start)
        end = end_match.start() if end_match else len(text)
        out.append(text[pos:start])
        out.append(_mask_url_body(match.group(0)[:-3], text[start:end]))
        pos = end
    out.append(text[pos:])
    return ''.join(out)


_HEADER = re.compile(
    r'((?:x-auth-token|x-service-token|x-subject-token|x-auth-key'
    r'|authorization)\\?["\']?\s*[:=]\s*\\?["\']?'
    r'(?:(?:bearer|basic|negotiate|token)\s+)?)'
    r'(?!\{SHA256\})[^\s"\'\\,;}\]]+', re.IGNORECASE)

_FERNET = re.compile(r'gAAAAA[0-9A-Za-z_\-]{20,}={0,2}')
_JWS = re.compile(r'eyJ[0-9A-Za-z_\-]+\.eyJ[0-9A-Za-z_\-]+\.[0-9A-Za-z_\-]*')

# Keys whose values are secret (a superset of what the scheduler and the
# libraries it uses print); a key ends with one of these words.
_KEY_WORD_LIST = ('password', 'passwd', 'pwd', 'secret', 'token',
                  'credential', 'passphrase', 'private_key', 'api_key',
                  'apikey', 'access_key')
_KEY_WORDS = (r'(?:password|passwd|pwd|secret|token|credentials?'
              r'|passphrase|private_key|api_key|apikey|secret_key'
              r'|access_key)')
_KEY = r'[\w.\-]*' + _KEY_WORDS + r'\d*'
def _quoted(end: str) -> str:
    """A quoted value followed by ``end``, tried in this order:

    - closed by the first quote that is followed by ``end`` and not
      preceded by a backslash (so a value in a string inside another
      string is not cut at its inner, escaped quotes);
    - read with its escapes (a value ending with an escaped backslash);
    - ``\\"...\\"``: JSON inside a JSON string, closed by a quote
      escaped exactly as the opening one;
    - up to the last such quote, or else to the end of the text.

    In doubt the value runs on: masking too much, never too little.
    """
    return (
        r'"(?:.*?)(?<!\\)"(?=' + end + ')'
        r"|'(?:.*?)(?<!\\)'(?=" + end + ')'
        r'|"(?:[^"\\]|\\.)*"(?=' + end + ')'
        r"|'(?:[^'\\]|\\.)*'(?=" + end + ')'
        r'|(?P<esc>\\+)(?P<eq>["\']).*?(?<!\\)(?P=esc)(?P=eq)(?=' + end
        + ')'
        r'|(?P<last>\\*["\']).*(?P=last)(?=' + end + ')'
        r'|\\*["\'].*')


# After a value in JSON or a dict: a comma or a closing bracket.
_STRUCTURED_END = r'\s*(?:[,}\]]|$)'
# After a value in free text: a separator.
_TEXT_END = r'(?:[\s,;}\])]|$)'
_QUOTED_KEY_VALUE = re.compile(
    r'(?P<key>(?P<q>\\*["\'])' + _KEY + r'(?P=q)\s*:\s*)'
    r'(?P<value>' + _quoted(_STRUCTURED_END) + r'|[^\s,}\]]+)',
    re.IGNORECASE | re.DOTALL)
# key=value, key: value (unquoted keys); a bare value runs to whitespace.
_PLAIN_KEY_VALUE = re.compile(
    r'(?<![\w.\-"\'\\])(?P<key>' + _KEY + r'\s*[=:]\s*)'
    r'(?P<value>' + _quoted(_TEXT_END) + r'|\S+)',
    re.IGNORECASE | re.DOTALL)
# --os-password value (command lines).
_OPTION_VALUE = re.compile(
    r'(?P<key>--' + _KEY + r'\s+)(?!-)(?P<value>' + _quoted(_TEXT_END)
    + r'|\S+)', re.IGNORECASE | re.DOTALL)


def _mask_value(match: re.Match[str]) -> str:
    value = match.group('value')
    opening = re.match(r'\\*["\']', value)
    if opening is None:
        masked = MASK
    else:
        quote = opening.group(0)
        masked = quote + MASK + quote
    return match.group('key') + masked


# mask_password lower-cases the whole text once per key it knows (some
# forty); one look at the lower-cased text first spares that on the lines
# naming none. Without its list (a private name), it always runs.
_STRUTILS_KEYS: tuple[str, ...] | None = (
    tuple(getattr(strutils, '_SANITIZE_KEYS', None) or ()) or None)


def mask_secrets(text: str) -> str:
    """``text`` with every secret this module knows masked."""
    text = mask_urls(text)
    lowered = text.lower()
    if 'token' in lowered or 'authorization' in lowered or (
            'auth-key' in lowered):
        text = _HEADER.sub(rf'\1{MASK}', text)
    if 'gAAAAA' in text:
        text = _FERNET.sub(MASK, text)
    if 'eyJ' in text:
        text = _JWS.sub(MASK, text)
    if any(word in lowered for word in _KEY_WORD_LIST):
        for pattern in (_QUOTED_KEY_VALUE, _PLAIN_KEY_VALUE,
                        _OPTION_VALUE):
            text = pattern.sub(_mask_value, text)
    # Last: its catch-all pattern for quoted values cuts at the first
    # escaped quote, which would leave the rest of a value behind had our
    # escape-aware patterns not masked it already. It also knows many more
    # keys (configdrive, fernetkey, ...).
    if _STRUTILS_KEYS is not None and not any(
            key in lowered for key in _STRUTILS_KEYS):
        return text
    return strutils.mask_password(text, secret=MASK)
