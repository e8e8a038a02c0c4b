"""Writing results safely: the names of :mod:`.atomic`, :mod:`.locks`, :mod:`.netcdf`,
:mod:`.samples_file` and :mod:`.stream`.

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
from .samples_file import CHUNK_ROWS, SamplesFile, deflate_chunk
from .stream import RunOutput, run_output

__all__ = ["CHUNK_ROWS", "LOCK_SUFFIX", "OLD_PREFIX", "RESULT_NAMES", "TMP_PREFIX", "BusyError", "LockHandle",
           "RunOutput", "SamplesFile", "atomic_path", "deflate_chunk", "run_output",
           "NETCDF_COMPLEVEL", "NETCDF_ENGINE", "check_dir", "check_writable", "claim_dir", "hold_lock", "lock_path",
           "open_netcdf", "prepare_dir", "remove_stale", "result_folder", "sha256", "staged_files", "write_atomic",
           "write_bundle", "write_json_atomic", "write_text_atomic", "write_netcdf"]
