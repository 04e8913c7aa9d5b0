"""The role library as one file or a zip: what an upload holds, read safely, and the zip a
download gives.

An upload comes from a browser, so nothing in it is trusted: its size, the size it unpacks to
and its number of entries are capped before anything is parsed, and a zip is read entry by
entry in memory, never extracted, so no name in it (``../``, ``/etc``, ``C:\\``, a symbolic
link) can reach the file system. Anything wrong refuses the whole upload, with every problem
named by entry, as ``roles validate`` names them by file.
"""
from __future__ import annotations

import io
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import PurePosixPath
from typing import BinaryIO, Iterable

from tracker.services.role_rules import BASELINE_FILE, CATALOGUE_FILE, LibraryError, Problem

YAML_SUFFIXES = (".yaml", ".yml")
READABLE = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
DRIVE = re.compile(r"^[A-Za-z]:")
LAYOUT = ("a library zip holds roles/<slug>.yaml files, perhaps baseline.yaml, and perhaps "
          "layers/<slug>.yaml files")
FOLDERS = {"roles": "role", "layers": "layer"}


@dataclass(frozen=True)
class Limits:
    upload_bytes: int  # the file as sent
    unpacked_bytes: int  # every template in it, unpacked
    files: int  # entries in a zip


@dataclass(frozen=True)
class UploadedFile:
    name: str  # where it was in the upload: "roles/data-engineer.yaml"
    kind: str  # "role", "baseline" or "layer"
    raw: bytes


@dataclass
class Unpacked:
    files: list[UploadedFile] = field(default_factory=list)
    ignored: list[tuple[str, str]] = field(default_factory=list)  # (entry, why)


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def refuse(name: str, message: str) -> LibraryError:
    return LibraryError([Problem(name, None, "", message)])


def unpack(filename: str, stream: BinaryIO, limits: Limits) -> Unpacked:
    """The templates in an uploaded ``.yaml``/``.yml`` file or ``.zip``, or LibraryError."""
    name = PurePosixPath(filename.replace("\\", "/")).name or "upload"
    raw = stream.read(limits.upload_bytes + 1)
    if len(raw) > limits.upload_bytes:
        raise refuse(name, f"the upload is larger than {megabytes(limits.upload_bytes)}, the "
                           "limit for a library upload; nothing was changed")
    suffix = PurePosixPath(name).suffix.lower()
    if suffix == ".zip":
        return _unzip(name, raw, limits)
    if suffix in YAML_SUFFIXES and len(raw) > limits.unpacked_bytes:
        raise refuse(name, f"the file is larger than {megabytes(limits.unpacked_bytes)}, the "
                           "limit for a library upload; nothing was changed")
    if suffix in YAML_SUFFIXES:
        return Unpacked([UploadedFile(name, "baseline" if name == BASELINE_FILE else "role", raw)])
    raise refuse(name, "only a .yaml or .yml template, or a .zip of the library, can be uploaded")


def unsafe(info: zipfile.ZipInfo) -> str | None:
    """Why an entry may not be read at all, or None."""
    name = info.filename
    parts = name.rstrip("/").split("/")
    if "\x00" in name:
        return "its name holds a NUL character"
    if "\\" in name:
        return "its path uses \\; paths in a zip use /"
    if name.startswith("/") or DRIVE.match(name):
        return "its path is absolute; paths in a library zip start at the library"
    if ".." in parts:
        return "its path climbs out of the library with ..; refused"
    if any(part in ("", ".") for part in parts):
        return "its path has an empty or . part"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "it is a symbolic link; a library holds only files"
    if info.flag_bits & 0x1:
        return "it is encrypted"
    if info.compress_type not in READABLE:
        return "it is compressed in a way this site cannot read"
    return None


def _entries(name: str, raw: bytes, limits: Limits) -> tuple[zipfile.ZipFile, list]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        infos = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError, OSError, NotImplementedError) as exc:
        raise refuse(name, f"not a zip archive that can be read ({exc})") from None
    if len(infos) > limits.files:
        raise refuse(name, f"the zip has {len(infos):,} entries; a library upload may have "
                           f"at most {limits.files:,}")
    problems = [Problem(info.filename, None, "", why) for info in infos if (why := unsafe(info))]
    if problems:
        raise LibraryError(problems)
    return archive, [info for info in infos if not info.is_dir()]


def _top_folder(infos: list) -> int:
    """1 when every entry sits in one folder that is not ``roles/`` or ``layers/``: a zip made
    by compressing the library folder itself; else 0."""
    firsts = {info.filename.split("/")[0] for info in infos}
    return int(len(firsts) == 1 and not firsts & set(FOLDERS)
               and all("/" in info.filename for info in infos))


def _place(parts: list[str]) -> str | None:
    """"role", "layer", "baseline", "ignore" (known non-templates), "misplaced" or None (not
    YAML)."""
    last = parts[-1]
    if not last.lower().endswith(YAML_SUFFIXES):
        return None
    if len(parts) == 2 and parts[0] in FOLDERS:
        return FOLDERS[parts[0]]
    if parts == [BASELINE_FILE]:
        return "baseline"
    if parts == [CATALOGUE_FILE]:
        return "ignore"
    return "misplaced"


def _unzip(name: str, raw: bytes, limits: Limits) -> Unpacked:
    archive, infos = _entries(name, raw, limits)
    unpacked, problems, left = Unpacked(), [], limits.unpacked_bytes
    hidden = [i for i in infos if any(p.startswith((".", "__MACOSX"))
                                      for p in i.filename.split("/"))]
    unpacked.ignored += [(i.filename, "a hidden or system file") for i in hidden]
    infos = [i for i in infos if i not in hidden]
    strip = _top_folder(infos)
    for info in infos:
        parts = info.filename.split("/")[strip:]
        place = _place(parts)
        if place is None:
            unpacked.ignored.append((info.filename, "not a YAML file"))
        elif place == "ignore":
            unpacked.ignored.append((info.filename, "the catalogue is not loaded from here"))
        elif place == "misplaced":
            problems.append(Problem(info.filename, None, "", f"not a template's place: {LAYOUT}"))
        else:
            try:
                with archive.open(info) as entry:
                    data = entry.read(left + 1)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
                    RuntimeError) as exc:
                problems.append(Problem(info.filename, None, "", f"cannot be unpacked ({exc})"))
                continue
            if len(data) > left:
                raise refuse(name, f"the zip unpacks to more than "
                                   f"{megabytes(limits.unpacked_bytes)}, the limit for a "
                                   "library upload; nothing was changed")
            left -= len(data)
            unpacked.files.append(UploadedFile("/".join(parts), place, data))
    if problems:
        raise LibraryError(problems)
    if not unpacked.files:
        raise refuse(name, f"no templates found: {LAYOUT}")
    return unpacked


def library_zip(files: Iterable[tuple[str, str]]) -> bytes:
    """A zip of (path inside the library, text), as ``unpack`` reads it back."""
    buffer = io.BytesIO()
    stamp = datetime.now(timezone.utc).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, text in files:
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()
