"""Safe reading of TOML input files: bytes on disk to a checked dict.

The first layer of loading (read file -> validate dict -> typed object):
:func:`read_toml` turns every file, size, encoding, syntax and structure
error into one :class:`~mkba_mc.errors.ConfigError`, so the layers above
(:mod:`mkba_mc.io.distfile`, :mod:`mkba_mc.io.scenario_build`) work on a
plain dict and can be tested on inline data.
"""

from __future__ import annotations

import math
import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import ConfigError, Problem

#: Largest input file read (a scenario or distribution file is a few kB).
MAX_FILE_BYTES = 16 * 1024 * 1024
#: Deepest nesting of tables and arrays accepted in an input file.
MAX_DEPTH = 32
#: TOML integers are 64-bit signed (TOML 1.0, "Integer"); larger ones are refused.
INT_MIN, INT_MAX = -(2**63), 2**63 - 1


def _file_kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "directory"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISFIFO, "FIFO (named pipe)"),
                       (stat.S_ISSOCK, "socket")):
        if test(mode):
            return name
    return "special file"


def _int_shown(value: int) -> str:
    digits = int(value.bit_length() * 0.30103) + 1
    return f"<integer of about {digits} digits>" if digits > 40 else repr(value)


def check_structure(data: Any, source: str) -> list[Problem]:
    """Problems of a parsed TOML document that no schema can catch.

    Integers outside the 64-bit range of TOML (Python reads them exactly,
    but every later ``float()`` overflows) and nesting deeper than
    :data:`MAX_DEPTH` (recursive code would exhaust the stack).  The walk
    is iterative, so it is itself safe on any depth.
    """
    problems: list[Problem] = []
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, key, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                shown = key if len(key) <= 60 else key[:60] + "..."
                problems.append(Problem(source, shown or "<top level>", "<nested deeper>",
                                        f"tables and arrays nested at most {MAX_DEPTH} levels deep"))
                continue
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for k, v in items:
                sub = (f"{key}.{k}" if key else str(k)) if isinstance(value, dict) else f"{key}[{k}]"
                stack.append((v, sub, depth + 1))
        elif isinstance(value, int) and not isinstance(value, bool) and not INT_MIN <= value <= INT_MAX:
            problems.append(Problem(source, key, _int_shown(value),
                                    "an integer in the 64-bit range of TOML (-2**63 .. 2**63 - 1); "
                                    "a realistic value is far smaller"))
    return sorted(problems, key=lambda p: p.key)


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file, turning every file, encoding and syntax error into a ConfigError.

    The file must be a regular file (not a directory, device or FIFO) of at
    most :data:`MAX_FILE_BYTES`, encoded in UTF-8, valid TOML, and pass
    :func:`check_structure`.
    """
    p = Path(path)
    src = str(p)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise ConfigError([Problem(src, "<file>", "<missing>", "an existing TOML file")]) from None
    except NotADirectoryError:
        raise ConfigError([Problem(src, "<file>", "<missing>", "an existing TOML file (a part of the path is a file)")]
                          ) from None
    if not stat.S_ISREG(st.st_mode):
        kind = _file_kind(st.st_mode)
        raise ConfigError([Problem(src, "<file>", f"<{kind}>", f"a regular TOML file, not a {kind}")])
    if st.st_size > MAX_FILE_BYTES:
        raise ConfigError([Problem(src, "<file>", f"<{st.st_size:,} bytes>",
                                   f"a TOML file of at most {MAX_FILE_BYTES >> 20} MiB")])
    with p.open("rb") as fh:
        raw = fh.read(MAX_FILE_BYTES + 1)  # a file may grow or lie about its size
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError([Problem(src, "<file>", "<more than 16 MiB>", f"a TOML file of at most {MAX_FILE_BYTES >> 20} MiB")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError([Problem(src, "<encoding>", f"<byte 0x{raw[exc.start]:02x} at offset {exc.start}, line {line}>",
                                   "a UTF-8 encoded text file (save the file as UTF-8)")]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([Problem(src, "<syntax>", str(exc), "valid TOML")]) from exc
    except RecursionError:
        raise ConfigError([Problem(src, "<syntax>", "<nested too deep to parse>",
                                   f"tables and arrays nested at most {MAX_DEPTH} levels deep")]) from None
    except ValueError as exc:  # e.g. an integer beyond Python's int/str conversion limit
        raise ConfigError([Problem(src, "<syntax>", str(exc)[:200], "valid TOML with realistic numbers")]) from None
    problems = check_structure(data, src)
    if problems:
        raise ConfigError(problems)
    return data


def flatten(table: Mapping[str, Any], prefix: str, is_leaf: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and not is_leaf(value):
            out.update(flatten(value, name, is_leaf))
        else:
            out[name] = value
    return out


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def raw_table(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    table = data.get(key)
    return table if isinstance(table, dict) else {}
