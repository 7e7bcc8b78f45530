"""Make nova's api-paste.ini visible where nova's tests look for it.

nova's test configuration points ``api_paste_config`` at
``$pybasedir/etc/nova/api-paste.ini``, ``pybasedir`` being the folder
that holds the ``nova`` package. That is nova's source tree in nova's
own gate; an installed wheel puts the file under the environment's prefix
instead (``<prefix>/etc/nova``). Link the prefix's ``etc`` beside the
package; nothing of nova's is changed. Run by tox before the tests.
"""

import os
import pathlib
import sys

import nova


def main() -> int:
    site = pathlib.Path(nova.__file__).resolve().parent.parent
    wanted = site / 'etc' / 'nova' / 'api-paste.ini'
    if wanted.exists():
        return 0
    shipped = pathlib.Path(sys.prefix) / 'etc'
    if not (shipped / 'nova' / 'api-paste.ini').exists():
        print(f'nova-functional: {shipped}/nova/api-paste.ini is missing: '
              'is nova installed in this environment?', file=sys.stderr)
        return 1
    link = site / 'etc'
    if link.is_symlink() or link.exists():
        print(f'nova-functional: {link} exists but has no '
              'nova/api-paste.ini', file=sys.stderr)
        return 1
    os.symlink(shipped, link)
    return 0


if __name__ == '__main__':
    sys.exit(main())
