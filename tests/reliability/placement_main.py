"""The real Placement WSGI app as its own process, on a fixed port.

    python -m tests.reliability.placement_main PORT DB_PATH

openstack-placement 16.0.0's application (deploy.loadapp) with noauth2
(token ``admin`` is admin), its database a SQLite file made by its own
migrations at start-up, so a killed Placement restarts with its data.
Served by wsgiref on 127.0.0.1, one request at a time (one SQLite
writer, as a real database's isolation would serialize the same rows).
"""

import os
import sys
import warnings
from wsgiref import simple_server

from oslo_config import cfg
from oslo_policy import opts as policy_opts


class _QuietHandler(simple_server.WSGIRequestHandler):
    def log_message(self, *args):
        pass


def main(port, db_path):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        from placement import conf as placement_conf
        from placement import db_api
        from placement import deploy
    conf = cfg.ConfigOpts()
    placement_conf.register_opts(conf)
    conf_path = db_path + '.conf'
    with open(conf_path, 'w') as f:
        f.write(f'[placement_database]\nconnection = sqlite:///{db_path}\n'
                'sync_on_startup = true\n[api]\nauth_strategy = noauth2\n')
    policy_opts.set_defaults(conf, enforce_new_defaults=False)
    conf(['--config-file', conf_path], default_config_files=[])
    db_api.configure(conf)
    app = deploy.loadapp(conf)
    httpd = simple_server.make_server('127.0.0.1', port, app,
                                      handler_class=_QuietHandler)
    print(f'placement ready on {port} pid {os.getpid()}', flush=True)
    httpd.serve_forever()


if __name__ == '__main__':
    main(int(sys.argv[1]), sys.argv[2])
