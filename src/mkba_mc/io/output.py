"""Writing results safely: the names of :mod:`.atomic`, :mod:`.locks` and :mod:`.netcdf`.

Kept so that code written against ``mkba_mc.io.output`` keeps working; the
notes on staging, swapping, locks and netCDF are in those modules.
"""

from __future__ import annotations

from .atomic import (
    RESULT_NAMES,
    atomic_path,
    check_dir,
    check_writable,
    claim_dir,
    prepare_dir,
    result_folder,
    staged_files,
    write_atomic,
    write_bundle,
    write_json_atomic,
    write_text_atomic,
)
from .hashing import sha256
from .locks import (
    LOCK_SUFFIX,
    OLD_PREFIX,
    TMP_PREFIX,
    BusyError,
    LockHandle,
    hold_lock,
    lock_path,
    remove_stale,
)
from .netcdf import NETCDF_COMPLEVEL, NETCDF_ENGINE, open_netcdf, write_netcdf

__all__ = ["LOCK_SUFFIX", "OLD_PREFIX", "RESULT_NAMES", "TMP_PREFIX", "BusyError", "LockHandle", "atomic_path",
           "NETCDF_COMPLEVEL", "NETCDF_ENGINE", "check_dir", "check_writable", "claim_dir", "hold_lock", "lock_path",
           "open_netcdf", "prepare_dir", "remove_stale", "result_folder", "sha256", "staged_files", "write_atomic",
           "write_bundle", "write_json_atomic", "write_text_atomic", "write_netcdf"]
