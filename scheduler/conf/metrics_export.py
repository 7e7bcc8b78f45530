"""``[hardened_scheduler]`` options of the Prometheus metrics endpoint."""

from oslo_config import cfg

from scheduler.conf import hardened

OPTS: list[cfg.Opt] = [
    cfg.HostAddressOpt(
        'metrics_listen_address',
        help='Address to serve Prometheus metrics on (HTTP GET /metrics). '
             'Unset, the default, serves no metrics. Each worker process '
             'listens on metrics_port plus its worker index.'),
    cfg.PortOpt(
        'metrics_port',
        default=9478,
        help='First TCP port of the metrics endpoint.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(hardened.opt_group())
    conf.register_opts(OPTS, group=hardened.GROUP_NAME)


def list_opts() -> dict[str | cfg.OptGroup, list[cfg.Opt]]:
    return {hardened.opt_group(): OPTS}
