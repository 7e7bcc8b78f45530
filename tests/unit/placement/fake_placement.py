"""A scripted stand-in for a keystoneauth1 Adapter talking to Placement."""

import json

CANARY = 'gAAAAABcanaryTOKENcanaryTOKENcanaryTOKENcanaryTOKEN0123456789'
CANARY_PASSWORD = 'hunter2-canary-password'


class FakeResponse:
    def __init__(self, status_code, body=None, text=None, headers=None):
        self.status_code = status_code
        self._body = body
        self.text = text if text is not None else (
            json.dumps(body) if body is not None else '')
        self.headers = headers or {
            'openstack-request-id': 'req-0b1c2d3e-0000-4000-8000-000000000000'}

    @property
    def content(self):
        return self.text.encode()

    def json(self):
        if self._body is None:
            return json.loads(self.text)
        return self._body

    def __bool__(self):
        return self.status_code < 400


def error(status, code, detail='', title='Error'):
    return FakeResponse(status, {'errors': [{
        'status': status, 'title': title, 'detail': detail, 'code': code,
        'request_id': 'req-x'}]})


class FakeAdapter:
    """Answers each request with the next scripted item.

    An item is a FakeResponse, an exception instance (raised) or a
    callable taking (method, url, kwargs) and returning either.
    """

    def __init__(self, *script):
        self.script = list(script)
        self.calls = []

    def request(self, url, method, **kwargs):
        self.calls.append((method, url, kwargs))
        if not self.script:
            raise AssertionError(f'unexpected {method} {url}')
        item = self.script.pop(0)
        if callable(item) and not isinstance(item, FakeResponse):
            item = item(method, url, kwargs)
        if isinstance(item, BaseException):
            raise item
        return item

    def methods(self):
        return [method for method, _, _ in self.calls]


class FakeClock:
    """A monotonic clock that only moves when the client sleeps."""

    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds
