"""``rmbs warm`` and the notice a command gives when numba has to compile."""

from __future__ import annotations

from numba import njit
from typer.testing import CliRunner

from rmbs.cli import app
from rmbs.warm import compile_notice


def test_compile_notice_once_when_compiling_and_not_when_compiled() -> None:
    @njit
    def twice(x: int) -> int:
        return 2 * x

    said: list[str] = []
    with compile_notice(lambda: said.append("compiling")) as notice:
        assert twice(21) == 42
        assert twice(4) == 8
    assert said == ["compiling"] and notice.fired
    with compile_notice(lambda: said.append("again")) as notice:
        assert twice(5) == 10  # compiled already: nothing to say
    assert said == ["compiling"] and not notice.fired


def test_rmbs_warm_loads_every_kernel() -> None:
    res = CliRunner().invoke(app, ["warm"])
    assert res.exit_code == 0, res.output
    assert "boams-2002-3" in res.output and "boams-2000-2" in res.output and "scalar yield" in res.output
    assert "numba kernels" in res.output
