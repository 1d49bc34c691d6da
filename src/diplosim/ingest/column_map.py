"""``--map MAP.yaml``: which column of a CSV holds what (for ``diplosim import csv``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from diplosim.errors import DiplosimError, printable

__all__ = ["ColumnMap", "load_map"]


class ColumnMap(BaseModel):
    """``--map MAP.yaml`` for generic CSV: which column holds what."""

    model_config = ConfigDict(extra="forbid", strict=True)

    class Columns(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)
        post: str
        account: str
        time: str
        text: str | None = None
        hashtags: str | None = None
        shared_object: str | None = None
        url: str | None = None
        country: str | None = None
        language: str | None = None
        likes: str | None = None
        comments: str | None = None
        shares: str | None = None
        views: str | None = None
        music: str | None = None
        duet_of: str | None = None
        transcript: str | None = None
        label: str | None = None

    description: str | None = None
    source: str | None = None
    columns: Columns
    time_format: str = Field("unix", description="unix (seconds), unix_ms, iso, or a strptime "
                                                 "pattern (read as UTC)")
    list_separator: str = " "
    delimiter: str = ","
    encoding: str = "utf-8"


def load_map(path: Path) -> ColumnMap:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise DiplosimError(f"{path}: cannot read the column map ({e.strerror})") from None
    except UnicodeDecodeError as e:
        raise DiplosimError(f"{path}: not UTF-8 text (byte {e.start})") from None
    except yaml.YAMLError as e:
        raise DiplosimError(f"{path}: not valid YAML ({printable(str(e))})") from None
    except RecursionError:
        raise DiplosimError(f"{path}: nested too deeply to be a column map") from None
    try:
        return ColumnMap.model_validate(data)
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(map(str, err['loc']))}: {err['msg']}"
                             for err in e.errors())
        raise DiplosimError(f"{path}: {problems}") from None
