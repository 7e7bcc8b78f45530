"""JsonFilter: hosts matching the user's ``query`` hint.

The hint is a JSON list ``[op, arg, ...]``. Operators: ``=``, ``<``,
``>``, ``<=``, ``>=`` (the first argument compared with each of the
others), ``in`` (the first argument among the others), ``not`` (each
argument negated, giving a list), ``or``, ``and``. A list argument is a
nested query; a string ``$name`` is the host's value of ``name``; any
other string, number, boolean or object is a literal; null arguments,
empty strings and unknown names are dropped. A list result passes when
any element is true. Everything else follows nova's JsonFilter.

Deliberate differences from nova 34 (the hint is user input):

* Only these host attributes can be read, as plain values: free_ram_mb,
  free_disk_mb, total_usable_ram_mb, total_usable_disk_gb, disk_mb_used,
  vcpus_total, vcpus_used, cpu_allocation_ratio, ram_allocation_ratio,
  disk_allocation_ratio (capacity, which the flavor asks about anyway),
  num_instances, num_io_ops (load, already visible through nova's default
  weighers' choices), hypervisor_type, hypervisor_version (what
  ImagePropertiesFilter matches on anyway). Any other name reads as
  unknown (dropped), as an unset attribute does in nova. nova reads any
  HostState attribute, so a user could probe ``$instances.<uuid>``
  (whether some other project's server is on a host), ``$service``,
  ``$stats.num_proj_<project>``, ``$cpu_info``, ``$host_ip``, or pin a
  server to a named host with ``$host``/``$nodename``/
  ``$hypervisor_hostname``, bypassing the policy on forcing hosts.
* Those three host names (HOST_NAMES) are readable too when the caller
  may force hosts anyway: admission sets ``spec.may_target_hosts`` for a
  context passing ``hardened_scheduler:request:target_hosts`` (admins and
  services, as nova-api's policy), e.g. an admin booting on one ironic
  node with ``['=', '$hypervisor_hostname', 'node-1']``. For everyone else
  they read as unknown.
* A malformed query (invalid JSON, an unknown operator, a JSON object,
  number or boolean as the query, values that cannot be ordered, a
  ``.key`` path into a plain value, several ``query`` hints) rejects the
  host with a reason; nova raises and fails the whole request.
* A JSON string as the whole query is malformed here; nova reads it
  character by character as if it were a list.
* Queries nested deeper than MAX_DEPTH levels are malformed here.
"""

from collections.abc import Callable, Sequence
import functools
import json
import operator
from typing import Any

from scheduler.hoststate import host_state
from scheduler.filters import base
from scheduler.filters import hints
from scheduler.objects import request_spec

# The kind of every rejection of this module's filters.
CODE = base.RejectionCode.HINT

ATTRIBUTES = frozenset({
    'free_ram_mb', 'free_disk_mb', 'total_usable_ram_mb',
    'total_usable_disk_gb', 'disk_mb_used', 'vcpus_total', 'vcpus_used',
    'cpu_allocation_ratio', 'ram_allocation_ratio', 'disk_allocation_ratio',
    'num_instances', 'num_io_ops', 'hypervisor_type', 'hypervisor_version'})
# Readable only when the caller may target hosts (spec.may_target_hosts).
HOST_NAMES = frozenset({'host', 'nodename', 'hypervisor_hostname'})
_TARGETING_ATTRIBUTES = ATTRIBUTES | HOST_NAMES
MAX_DEPTH = 32
MALFORMED = 'malformed query hint'
NOT_SATISFIED = 'query hint not satisfied'


class _Malformed(Exception):
    """The query cannot be evaluated; the host is rejected."""


_INVALID = object()


def _compare(op: Callable[[Any, Any], bool]
             ) -> Callable[[Sequence[Any]], bool]:
    def apply(args: Sequence[Any]) -> bool:
        if len(args) < 2:
            return False
        try:
            # Every comparison is made, as nova does: a pair that cannot
            # be ordered makes the query malformed even when an earlier
            # pair already failed.
            results = [op(args[0], arg) for arg in args[1:]]
        except TypeError:
            raise _Malformed() from None
        return all(results)
    return apply


def _in(args: Sequence[Any]) -> bool:
    return len(args) >= 2 and args[0] in args[1:]


_COMMANDS: dict[str, Callable[[Sequence[Any]], Any]] = {
    '=': _compare(operator.eq),
    '<': _compare(operator.lt),
    '>': _compare(operator.gt),
    '<=': _compare(operator.le),
    '>=': _compare(operator.ge),
    'in': _in,
    'not': lambda args: [not arg for arg in args],
    'or': any,
    'and': all,
}


def _depth(value: Any) -> int:
    """Nesting depth of lists and objects, without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level)
            if level <= MAX_DEPTH:
                stack.extend((child, level + 1) for child in item)
    return deepest


@functools.lru_cache(maxsize=64)
def _parse(text: str) -> Any:
    """The decoded query, or _INVALID; parsed once for all hosts.

    The result is shared between calls and never modified.
    """
    try:
        query = json.loads(text)
    except (ValueError, RecursionError):
        return _INVALID
    if _depth(query) > MAX_DEPTH:
        return _INVALID
    return query


def _lookup(text: str, host: host_state.HostState,
            readable: frozenset[str]) -> Any:
    if not text:
        return None
    if not text.startswith('$'):
        return text
    name, *path = text[1:].split('.')
    if name not in readable:
        return None
    value = getattr(host, name)
    if value is None:
        return None
    if path:
        # nova calls .get() on the value: no plain value has it.
        raise _Malformed()
    return value


def _evaluate(query: list[Any], host: host_state.HostState,
              readable: frozenset[str]) -> Any:
    if not query:
        return True
    try:
        command = _COMMANDS[query[0]]
    except (KeyError, TypeError):
        raise _Malformed() from None
    args = []
    for arg in query[1:]:
        if isinstance(arg, list):
            arg = _evaluate(arg, host, readable)
        elif isinstance(arg, str):
            arg = _lookup(arg, host, readable)
        if arg is not None:
            args.append(arg)
    return command(args)


class JsonFilter(base.BaseHostFilter):
    """Hosts for which the ``query`` hint evaluates true."""

    RUN_ON_REBUILD = False

    def host_passes(self, host: host_state.HostState,
                    spec: request_spec.RequestSpec
                    ) -> base.Rejection | None:
        text = hints.hint(spec, 'query')
        if not text:
            return None
        if not isinstance(text, str):
            return self.reject(MALFORMED, CODE)
        query = _parse(text)
        if query is _INVALID:
            return self.reject(MALFORMED, CODE)
        if not query:
            return None
        if not isinstance(query, list):
            return self.reject(MALFORMED, CODE)
        readable = (_TARGETING_ATTRIBUTES if spec.may_target_hosts
                    else ATTRIBUTES)
        try:
            result = _evaluate(query, host, readable)
        except _Malformed:
            return self.reject(MALFORMED, CODE)
        if isinstance(result, list):
            result = any(result)
        return None if result else self.reject(NOT_SATISFIED, CODE)
