"""Safety checks for zip-based documents (XLSX, DOCX) before any library opens them.

Refuses a malformed zip, too many members, a total uncompressed size above the cap, members that
inflate suspiciously (zip bombs) and XML with DOCTYPE/ENTITY declarations (entity-expansion bombs).
The XML read here is parsed with defusedxml.
"""

from __future__ import annotations

import io
import zipfile
import zlib

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from helpers import params
from helpers.errors import InputError

MAX_MEMBERS = 2000
DEFAULT_MAX_UNZIPPED_MB = 50
MAX_RATIO = 200          # uncompressed / compressed, for members above RATIO_FLOOR bytes
RATIO_FLOOR = 1 << 20
KIND_NAMES = {"xlsx": "bảng tính XLSX", "docx": "văn bản DOCX"}
_MAIN_TYPES = {
    "xlsx": ("spreadsheetml.sheet.main", "spreadsheetml.template.main", "ms-excel.sheet.macroEnabled.main"),
    "docx": ("wordprocessingml.document.main", "wordprocessingml.template.main",
             "ms-word.document.macroEnabled.main"),
}


def max_unzipped_bytes() -> tuple[float, int]:
    mb = float(params.limits().get("max_unzipped_mb", DEFAULT_MAX_UNZIPPED_MB))
    return mb, int(mb * 1024 * 1024)


def kind_of_zip(data: bytes) -> str | None:
    """'xlsx' or 'docx' from [Content_Types].xml, None when the bytes are not such a document."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            ct = zf.read("[Content_Types].xml") if zf.getinfo("[Content_Types].xml").file_size < (1 << 20) else b""
        root = SafeET.fromstring(ct)
    except Exception:  # noqa: BLE001 - any failure means "not recognised"
        return None
    types = " ".join(el.get("ContentType", "") for el in root.iter())
    for kind, mains in _MAIN_TYPES.items():
        if any(m in types for m in mains):
            return kind
    return None


def _as_utf8(body: bytes) -> bytes:
    """An XML part re-encoded as UTF-8 when it is UTF-16 (allowed in Office files), so the scan for
    DOCTYPE/ENTITY declarations sees them whatever the part's encoding."""
    if body.startswith((b"\xff\xfe", b"\xfe\xff")) or body[:2] in (b"<\x00", b"\x00<"):
        codec = "utf-16" if body[:2] in (b"\xff\xfe", b"\xfe\xff") else \
            ("utf-16-le" if body[:2] == b"<\x00" else "utf-16-be")
        return body.decode(codec, errors="replace").encode("utf-8")
    return body


def check_zip(data: bytes, source: str, kind: str) -> None:
    """Raise InputError unless `data` is a sane zip of the expected Office kind."""
    what = KIND_NAMES[kind]
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        # (NotImplementedError: a member's header asks for a zip version this reader does not have)
        raise InputError(source, None, f"tệp không phải {what} hợp lệ (tệp nén zip hỏng hoặc không phải zip)") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise InputError(source, None, f"tệp {what} có {len(infos)} thành phần, quá nhiều (tối đa {MAX_MEMBERS})")
        mb, cap = max_unzipped_bytes()
        total = sum(i.file_size for i in infos)
        if total > cap:
            raise InputError(source, None, f"tệp {what} giải nén ra {total / 1048576:.0f} MB, vượt giới hạn {mb:g} MB "
                                           "(có thể là tệp nén độc hại)")
        for info in infos:
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(1, info.compress_size):
                raise InputError(source, None, f"thành phần {info.filename} của tệp {what} có tỉ lệ nén bất thường "
                                               f"({info.file_size // max(1, info.compress_size)}:1), bị từ chối")
        names = {i.filename for i in infos}
        if "[Content_Types].xml" not in names:
            raise InputError(source, None, f"tệp không phải {what} hợp lệ (thiếu [Content_Types].xml)")
        try:
            for info in infos:
                if not info.filename.lower().endswith((".xml", ".rels")):
                    continue
                body = _as_utf8(zf.read(info))
                head = body[:4096].upper()
                if b"<!DOCTYPE" in head or b"<!ENTITY" in body.upper():
                    raise InputError(source, None, f"thành phần {info.filename} của tệp {what} chứa khai báo "
                                                   "DOCTYPE/ENTITY (có thể là tệp XML độc hại), bị từ chối")
                if info.filename == "[Content_Types].xml":
                    root = SafeET.fromstring(body)
                    types = " ".join(el.get("ContentType", "") for el in root.iter())
                    if not any(m in types for m in _MAIN_TYPES[kind]):
                        raise InputError(source, None, f"tệp không phải {what} (nội dung là loại tài liệu khác)")
        except InputError:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, DefusedXmlException,
                SafeET.ParseError, NotImplementedError, RuntimeError) as exc:
            raise InputError(source, None, f"tệp {what} bị hỏng, không đọc được ({type(exc).__name__})") from None
