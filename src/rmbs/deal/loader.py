"""Load a YAML deal file into the :class:`~rmbs.deal.schema.Deal` model, with YAML line numbers in errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError as PydanticValidationError

from rmbs.deal.library import LIBRARY, candidates, user_library
from rmbs.deal.schema import Deal
from rmbs.errors import DealError


def _line_index(
    node: yaml.Node, path: tuple[Any, ...] = (), out: dict[tuple[Any, ...], int] | None = None
) -> dict:
    """Map each key path of the document to its 1-based YAML line."""
    out = {} if out is None else out
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = k.value
            out[(*path, key)] = k.start_mark.line + 1
            _line_index(v, (*path, key), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _line_index(v, (*path, i), out)
    return out


def resolve_deal_path(deal: str | Path) -> Path:
    """A deal file path, the id of a shipped deal (``boams-2002-3``) or of the user library, or a deal directory."""
    p = Path(deal)
    if p.suffix in (".yaml", ".yml"):
        if not p.is_file():
            raise DealError("deal file not found", file=p)
        return p
    for d in candidates(str(deal)):
        if (d / "deal.yaml").is_file():
            return d / "deal.yaml"
    if p.is_dir():
        raise DealError("a deal directory holds deal.yaml; this one has none", file=p / "deal.yaml")
    known = sorted(
        d.name
        for lib in (LIBRARY, user_library())
        if lib.is_dir()
        for d in lib.iterdir()
        if (d / "deal.yaml").is_file()
    )
    raise DealError(
        f"unknown deal {str(deal)!r}",
        field="deal",
        expected=f"a deal directory, a deal.yaml path or one of {known}",
    )


def load_deal_text(text: str, path: Path) -> Deal:
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DealError(
            f"not valid YAML: {getattr(exc, 'problem', exc)}", file=path, line=mark.line + 1 if mark else None
        ) from exc
    if not isinstance(data, dict) or root is None:
        raise DealError("a deal file is a mapping of deal fields", file=path, line=1)
    lines = _line_index(root)
    try:
        deal = Deal.model_validate(data)
    except PydanticValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(
            x
            for x in err["loc"]
            if not (isinstance(x, str) and x in ("sequential", "pro_rata", "capped", "concurrent", "str"))
        )
        line = None
        for k in range(len(loc), -1, -1):
            if loc[:k] in lines:
                line = lines[loc[:k]]
                break
        where = ".".join(str(x) for x in err["loc"])
        raise DealError(f"{err['msg']}", file=path, line=line, field=where) from exc
    if (path.parent / "deal-facts.json").is_file() and path.parent.resolve() != (
        LIBRARY / deal.library
    ).resolve():
        # a deal directory: its facts and tape are the ones beside its deal file
        deal.library = str(path.parent.resolve())
    deal.locate(
        str(path),
        {sw.name: lines.get(("switches", i), 0) for i, sw in enumerate(deal.switches)},
        lines.get(("switches",)),
    )
    return deal


def load_deal(deal: str | Path) -> Deal:
    path = resolve_deal_path(deal)
    return load_deal_text(path.read_text(encoding="utf-8"), path)
