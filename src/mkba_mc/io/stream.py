"""A run's ``--out`` folder written while the run computes.

:func:`run_output` opens the result folder's staging folder (beside the
target, as :func:`mkba_mc.io.atomic.result_folder` does) before the Monte
Carlo starts, and yields a :class:`RunOutput`: the *sink* handed to
:func:`mkba_mc.execution.montecarlo.run` (``sink=``).  The engine tells it
where the run's output arrays are (:meth:`RunOutput.start`) and how far the
finished rows reach (:meth:`RunOutput.advance`, after each task, in sample
order); a writer thread of this process compresses and writes every
complete chunk of ``samples.nc`` (:class:`mkba_mc.io.samples_file.SamplesFile`)
while the workers compute the next ones.  :func:`mkba_mc.io.results.write_run`
then adds the attributes, the other files and the manifest and renames the
staging folder into place (:meth:`RunOutput.commit`).

All or nothing as before: if anything fails (or the command ends without
committing) the staging folder is deleted and the target is left as it was;
a killed run leaves only the staging folder, which the next writer removes
(:func:`mkba_mc.io.locks.remove_stale`).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import WriteError
from .atomic import _replace_folder, check_dir
from .fsync import fsync_tree
from .direct_io import sha256_file
from .hashing import sha256
from .locks import TMP_PREFIX, hold_lock, remove_stale, temp_name

Array = NDArray[np.float64]


class RunOutput:
    """The staging folder of a run's ``--out`` and the sink of its samples.

    Parameters
    ----------
    out_dir : str or Path
        The ``--out`` folder (checked: absent, empty, or with ``force`` a
        result folder; :func:`mkba_mc.io.atomic.check_dir`).
    force : bool
        Replace an old result folder.

    Attributes
    ----------
    target : Path
        The folder the results go to (symbolic links resolved).
    staging : Path
        The hidden folder the files are written into.
    samples : SamplesFile or None
        ``samples.nc`` once the run has started streaming into it.
    """

    def __init__(self, out_dir: str | Path, force: bool = False, command: Sequence[str] | None = None):
        self.target = Path(os.path.realpath(out_dir))
        self.force = force
        self.command = list(command) if command is not None else None
        self._lock = hold_lock(self.target)
        try:
            remove_stale(self.target.parent)
            check_dir(self.target, force)
            self.staging = self.target.parent / temp_name(TMP_PREFIX, self.target.name)
            try:
                self.target.parent.mkdir(parents=True, exist_ok=True)
                self.staging.mkdir()
            except OSError as exc:
                raise WriteError(f"{out_dir}: cannot create a folder beside it ({exc.strerror or exc})") from exc
        except BaseException:
            self._lock.release()
            raise
        self.samples: Any = None
        self.done = False
        self._arrays: tuple[Mapping[str, Array], Mapping[str, Array] | None] | None = None
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._finished = False  # samples.nc closed by the writer (complete)
        self._hasher: ThreadPoolExecutor | None = None
        self._sha: Any = None  # the future of samples.nc's SHA-256
        self._cancelled = threading.Event()  # cancel(): commit renames nothing

    # ------------------------------------------------------- the sink (engine)
    def start(self, outputs: Mapping[str, Array], inputs: Mapping[str, Array] | None, n: int) -> None:
        """The run's output arrays (capacity ``n`` rows, filled by its tasks)
        and, if kept, its sampled inputs by parameter; reserves the disk
        space of ``samples.nc`` (an :class:`OSError` here if it is not there).
        """
        from ..model.sets import ACTORS
        from .samples_file import SamplesFile

        shapes = {k: tuple(a.shape[1:]) for k, a in outputs.items()}
        self.samples = SamplesFile(self.staging / "samples.nc", n, shapes, ACTORS,
                                   list(inputs) if inputs is not None else None)
        self._arrays = (outputs, inputs)

    def advance(self, stop: int) -> None:
        """Rows ``[0, stop)`` are final: write the chunks they complete (in the
        writer thread, started at the first call, after the workers are forked)."""
        self._raise()
        self._writer()
        self._queue.put(stop)

    def complete(self, result: Any) -> None:
        """Every row is given: the writer writes the last chunks, closes
        samples.nc with its attributes and programme band, and starts its
        SHA-256 -- while the engine computes the summary and the CLI the
        other files, instead of after them (at 10^7 samples the hash of the
        1.2 GB file takes about 1 s of one core).

        ``result`` is the run as the engine has it before the summary (a
        :class:`mkba_mc.execution.montecarlo.MonteCarloResult`): the
        attributes are :func:`mkba_mc.io.results.sample_attrs` of it, with
        the command of this sink."""
        from .results import _band_spec, sample_attrs

        self._raise()
        if self.samples is None:
            return
        self._writer()
        self._queue.put((sample_attrs(result, self.command), _band_spec(result)))

    def _writer(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._write, name="mkba-samples-writer", daemon=True)
            self._thread.start()

    def wait(self) -> None:
        """Wait until the writer has written every row it was given; re-raise its error."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        self._raise()

    def _write(self) -> None:
        outputs, inputs = self._arrays or ({}, None)
        while True:
            item = self._queue.get()
            if item is None or self._error is not None:
                if item is None:
                    return
                continue
            try:
                if isinstance(item, tuple):  # complete(): the attributes and band; every row is given
                    self.samples.write_rows(outputs, inputs, self.samples.n)
                    self.samples.finish(*item)
                    self._finished = True
                    self._start_hash()
                else:
                    self.samples.write_rows(outputs, inputs, item)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the engine's thread
                self._error = exc

    def _start_hash(self) -> None:
        """Start the SHA-256 of the finished samples.nc in a thread of its own (read past the page cache)."""
        self._hasher = ThreadPoolExecutor(1, thread_name_prefix="mkba-sha256")
        self._sha = self._hasher.submit(sha256_file, self.staging / "samples.nc")

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    # ------------------------------------------------------ the writer (io)
    def commit(self, attrs: Mapping[str, Any], band: Mapping[str, Any] | None,
               files: Mapping[str, Callable[[Path], Any]], manifest: Mapping[str, Any],
               samples: Callable[[Path], Any]) -> dict[str, Path]:
        """Finish ``samples.nc``, write ``files`` and ``manifest.json`` (with
        the SHA-256 of every file) and rename the folder into place.

        ``samples(path)`` writes ``samples.nc`` when the run did not stream
        into it (a ``target_se`` run).

        Raises
        ------
        WriteError
            If a file cannot be written (nothing was changed).
        """
        try:
            self.wait()
            if self.samples is None:
                samples(self.staging / "samples.nc")
            elif not self._finished:
                self.samples.finish(attrs, band)
            names = ["samples.nc", *files]
            if self._sha is None:  # not started by complete()
                self._start_hash()
            # the large file is hashed while the small ones are written (hashlib releases the GIL)
            for name, writer in files.items():
                writer(self.staging / name)
            hashes = {"samples.nc": self._sha.result()}
            self._stop_hasher()
            entries = dict(manifest)
            entries["files"] = {name: hashes.get(name) or sha256(self.staging / name) for name in names}
            text = json.dumps(entries, indent=2, allow_nan=False, default=str) + "\n"
            (self.staging / "manifest.json").write_text(text, encoding="utf-8")
            fsync_tree(self.staging)
            check_dir(self.target, self.force)  # unchanged while we held the lock, unless someone ignored it
            if self._cancelled.is_set():
                raise KeyboardInterrupt  # Ctrl-C while another thread committed (cancel): the target stays as it was
            _replace_folder(self.staging, self.target)
        except OSError as exc:
            raise WriteError(f"{self.target}: could not write the results ({exc.strerror or exc}); "
                             "nothing was changed") from exc
        finally:
            self.discard()
        self.done = True
        return {name: self.target / name for name in [*names, "manifest.json"]}

    def cancel(self) -> None:
        """Make a :meth:`commit` running in another thread stop before it
        renames the folder into place (it then raises :class:`KeyboardInterrupt`
        and removes the staging folder); a commit that has renamed it is done."""
        self._cancelled.set()

    def _stop_hasher(self) -> None:
        hasher, self._hasher = self._hasher, None
        if hasher is not None:
            hasher.shutdown(wait=True)

    def discard(self) -> None:
        """Stop writing, delete the staging folder (if still there) and release the lock; idempotent."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        self._stop_hasher()  # before the folder goes: the hash reads samples.nc
        if self.samples is not None:
            self.samples.abort()
        if os.path.lexists(self.staging):
            shutil.rmtree(self.staging, ignore_errors=True)
        self._lock.release()


@contextlib.contextmanager
def run_output(out_dir: str | Path | None, force: bool = False,
               command: Sequence[str] | None = None) -> Iterator[RunOutput | None]:
    """The :class:`RunOutput` of ``out_dir`` (``None`` without a folder); the
    staging folder is removed when the block ends without a commit.

    Raises
    ------
    BusyError, OutputError, WriteError
        See :class:`RunOutput`.
    """
    if out_dir is None:
        yield None
        return
    sink = RunOutput(out_dir, force, command)
    try:
        yield sink
    finally:
        sink.discard()


__all__ = ["RunOutput", "run_output"]
