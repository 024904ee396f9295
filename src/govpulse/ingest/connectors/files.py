"""Connectors for a folder of files dropped by a department: ``csv_folder`` and ``excel_folder``.

Each read goes through the files matching ``pattern`` (sorted by name), each file giving at least one chunk
(an empty one for a header-only file), so the caller sees every file it was handed.

**Processed files.** Reading never moves or records anything: a file is only "done" once the caller has stored
its rows, which the connector cannot know. The caller calls ``mark_processed(chunk.origin)`` after it has
committed a file's chunks, and ``after_read`` says what that does:

* ``keep`` (default): nothing; every read returns every file (narrowed by ``since``, see below);
* ``archive``: move the file into ``archive_folder`` (``archive/`` inside the folder), adding a time stamp to
  the name if that name is already archived;
* ``remember``: record the file's name, size and modification time (hashed) in ``.govpulse-processed.json`` in
  the folder; later reads skip it until it changes (a re-exported file with new contents is read again).

``read(since)`` only reads files modified after ``since``.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import shutil
from abc import abstractmethod
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, PositiveInt, field_validator

from govpulse.ingest.connectors.base import Connector, ConnectorError, ConnectorSettings, RecordChunk
from govpulse.ingest.connectors.delimited import read_delimited_file
from govpulse.ingest.connectors.workbook import read_excel_file

__all__ = ["STATE_FILE", "CsvFolderConnector", "ExcelFolderConnector", "FolderConnector"]

STATE_FILE = ".govpulse-processed.json"


class FolderSettings(ConnectorSettings):
    folder: Path = Field(description="Folder the files are dropped into.")
    pattern: str = Field(description="Glob pattern of the files to read, e.g. '*.csv' or 'births_*.xlsx'.")
    header_row: PositiveInt = Field(1, description="1-based row holding the column names; rows above are skipped.")
    skip_rows: int = Field(0, ge=0, description="Rows right below the header to skip (units, column numbers).")
    chunk_rows: PositiveInt = Field(50_000, description="Rows per chunk handed to the next step.")
    after_read: Literal["keep", "archive", "remember"] = Field(
        "keep", description="What mark_processed does with a file: nothing, move it to archive_folder, or "
        "remember it in the folder's state file so it is skipped until it changes."
    )
    archive_folder: str = Field("archive", description="Where 'archive' moves files, relative to the folder.")


class FolderConnector(Connector):
    """What the CSV and Excel folder connectors share: finding files, ``since``, and processed-file tracking."""

    what: ClassVar[str] = "files"

    def __init__(self, settings: FolderSettings | dict, *, name: str = "") -> None:
        super().__init__(settings, name=name)
        # Each file's size and time when reading began: 'remember' records the version that was read, so a file
        # replaced while its rows were being stored is read again next time.
        self._read_stats: dict[str, os.stat_result] = {}

    def read(self, since: datetime | None = None) -> Iterator[RecordChunk]:
        for path in self.pending_files(since):
            self._read_stats[str(path)] = path.stat()
            yield from self.read_file(path)

    @abstractmethod
    def read_file(self, path: Path) -> Iterator[RecordChunk]:
        """The chunks of one file."""

    def pending_files(self, since: datetime | None = None) -> list[Path]:
        """The files the next ``read(since)`` will read, in that order."""
        folder = self.settings.folder
        if not folder.is_dir():
            raise ConnectorError(f"{self.kind} connector {self.name!r}: folder {folder} does not exist")
        archive = (folder / self.settings.archive_folder).resolve()
        remembered = self._state() if self.settings.after_read == "remember" else {}
        pending = []
        for path in sorted(folder.glob(self.settings.pattern)):
            if not path.is_file() or path.name == STATE_FILE or archive in path.resolve().parents:
                continue
            stat = path.stat()
            if since is not None and _modified(stat.st_mtime, since) <= since:
                continue
            if remembered.get(self._key(path)) == _fingerprint(self._key(path), stat):
                continue
            pending.append(path)
        return pending

    def mark_processed(self, origin: str) -> None:
        """Archive or remember the file ``origin`` (a chunk's origin), as ``after_read`` says; see the module."""
        if self.settings.after_read == "keep":
            return
        path = Path(origin)
        if not path.is_file() or not path.resolve().is_relative_to(self.settings.folder.resolve()):
            raise ConnectorError(f"{self.kind} connector {self.name!r}: cannot mark {origin}: no such file in "
                                 f"{self.settings.folder}")
        if self.settings.after_read == "archive":
            self._archive(path)
        else:
            self._remember(path)

    def describe(self) -> str:
        settings = self.settings
        header = "" if settings.header_row == 1 else f", header on row {settings.header_row}"
        after = {"keep": "", "archive": f"; archived to {settings.archive_folder}/ once stored",
                 "remember": "; each file read once until it changes"}[settings.after_read]
        return f"{self.what} {settings.pattern!r} in {settings.folder}{self._details()}{header}{after}"

    def _details(self) -> str:
        return ""

    # -- processed-file tracking --

    def _key(self, path: Path) -> str:
        return path.relative_to(self.settings.folder).as_posix()

    def _state_path(self) -> Path:
        return self.settings.folder / STATE_FILE

    def _state(self) -> dict[str, str]:
        try:
            return json.loads(self._state_path().read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (ValueError, UnicodeDecodeError) as error:
            raise ConnectorError(f"{self._state_path()}: state file is damaged ({error}); delete it to re-read all")

    def _remember(self, path: Path) -> None:
        state = self._state()
        key = self._key(path)
        state[key] = _fingerprint(key, self._read_stats.get(str(path)) or path.stat())
        temporary = self._state_path().with_suffix(".tmp")
        temporary.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(temporary, self._state_path())  # atomic: a crash leaves the old state, never half a file

    def _archive(self, path: Path) -> None:
        archive = self.settings.folder / self.settings.archive_folder
        target = archive / self._key(path)
        if target.exists():
            stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
            target = target.with_name(f"{target.stem}.{stamp}{target.suffix}")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, target)


def _fingerprint(key: str, stat: os.stat_result) -> str:
    return hashlib.sha256(f"{key}\0{stat.st_size}\0{stat.st_mtime_ns}".encode()).hexdigest()[:32]


def _modified(mtime: float, since: datetime) -> datetime:
    """A file's modification time, comparable with ``since`` (aware if it is, local naive time if not)."""
    if since.tzinfo is None:
        return datetime.fromtimestamp(mtime)
    return datetime.fromtimestamp(mtime, tz=timezone.utc)


class CsvFolderSettings(FolderSettings):
    pattern: str = "*.csv"
    encoding: str = Field("auto", description="Text encoding, or 'auto' (UTF-8 with or without BOM, UTF-16, "
                                              "Windows-1252).")
    delimiter: str = Field("auto", description="Field delimiter, or 'auto' to choose among , ; tab |. 'tab' = tab.")
    quotechar: str = Field('"', min_length=1, max_length=1, description="Character that quotes a field.")

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        if value != "auto":
            try:
                codecs.lookup(value)
            except LookupError:
                raise ValueError(f"unknown encoding {value!r}") from None
        return value

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, value: str) -> str:
        value = {"tab": "\t", "\\t": "\t"}.get(value, value)
        if value != "auto" and len(value) != 1:
            raise ValueError(f"the delimiter must be one character or 'auto', not {value!r}")
        return value


class CsvFolderConnector(FolderConnector):
    """Delimited text files (CSV, semicolon, tab, pipe) in a folder."""

    kind = "csv_folder"
    Settings = CsvFolderSettings
    what = "CSV files"

    def read_file(self, path: Path) -> Iterator[RecordChunk]:
        settings = self.settings
        return read_delimited_file(
            path,
            encoding=settings.encoding,
            delimiter=settings.delimiter,
            quotechar=settings.quotechar,
            header_row=settings.header_row,
            skip_rows=settings.skip_rows,
            chunk_rows=settings.chunk_rows,
        )

    def _details(self) -> str:
        delimiter = {"\t": "tab", "auto": "auto"}.get(self.settings.delimiter, repr(self.settings.delimiter))
        return f" (encoding {self.settings.encoding}, delimiter {delimiter})"


class ExcelFolderSettings(FolderSettings):
    pattern: str = "*.xlsx"
    sheet: str | PositiveInt | None = Field(None, description="Sheet name or 1-based position; default the first.")


class ExcelFolderConnector(FolderConnector):
    """Excel ``.xlsx`` workbooks in a folder, one sheet of each."""

    kind = "excel_folder"
    Settings = ExcelFolderSettings
    what = "Excel workbooks"

    def read_file(self, path: Path) -> Iterator[RecordChunk]:
        settings = self.settings
        return read_excel_file(
            path,
            sheet=settings.sheet,
            header_row=settings.header_row,
            skip_rows=settings.skip_rows,
            chunk_rows=settings.chunk_rows,
        )

    def _details(self) -> str:
        return "" if self.settings.sheet is None else f" (sheet {self.settings.sheet!r})"
