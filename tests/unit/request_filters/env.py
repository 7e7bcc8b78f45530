"""A FilterEnv over a fresh ConfigOpts, for the request filter tests."""

import dataclasses

from oslo_config import cfg
from oslo_config import fixture as config_fixture

from scheduler import conf as conf_pkg
from scheduler.hoststate import source as host_source
from scheduler.request_filters import base as request_filter_base
from scheduler.objects import context as context_obj


def make_env(test, snapshot=None, context=None, **kwargs):
    """(env, config fixture) for ``test``; kwargs go to FilterEnv."""
    conf = cfg.ConfigOpts()
    conf_pkg.register_opts(conf)
    fixture = test.useFixture(config_fixture.Config(conf))
    env = request_filter_base.FilterEnv(
        conf, context or context_obj.RequestContext(
            project_id='p1', auth_token='user-token',
            global_request_id='req-1'),
        snapshot or host_source.HostSnapshot(), **kwargs)
    return env, fixture


def with_snapshot(env, snapshot):
    return dataclasses.replace(env, snapshot=snapshot)
