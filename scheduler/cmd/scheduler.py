"""``hardened-scheduler``: the scheduler service.

Until the RPC service lands this entry point loads and validates the
configuration an operator would start it with (nova.conf), including every
filter and weigher name, and exits non-zero so nothing mistakes it for a
running scheduler.
"""

import sys

from scheduler import cmd  # noqa: F401  (selects the threading backend)
from scheduler.cmd import config_loading


def main(argv: list[str] | None = None) -> int:
    conf = config_loading.load(sys.argv[1:] if argv is None else argv,
                               prog='hardened-scheduler')
    problems = config_loading.validate(conf)
    for problem in problems:
        print(f'ERROR: {problem}', file=sys.stderr)
    if problems:
        return 2
    print('Configuration is valid. The RPC service is not part of this '
          'release yet; use hardened-scheduler-manage for the tools that '
          'are.', file=sys.stderr)
    return 1


if __name__ == '__main__':
    sys.exit(main())
