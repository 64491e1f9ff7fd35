"""When the compiled kernels are loaded: a column large enough to repay their loading
loads them; once loaded they serve every column of a block's size or more; smaller
columns, and mid-sized ones while they are not loaded, take the numpy paths."""

from __future__ import annotations

from unittest import mock

from calculators.columnar import compiled as _compiled


def test_loaded_only_for_a_column_that_repays_the_loading() -> None:
    block = 4
    _compiled.loaded_kernels.cache_clear()
    try:
        with mock.patch.object(_compiled, "KERNEL_ROWS", block):
            assert _compiled.kernels_for(block - 1) is None
            assert _compiled.kernels_for(block) is None  # not loaded: numpy
            assert _compiled.kernels_for(_compiled.LOAD_BLOCKS * block - 1) is None
            assert _compiled.loaded_kernels.cache_info().currsize == 0
            loaded = _compiled.kernels_for(_compiled.LOAD_BLOCKS * block)
            assert loaded is not None
            assert _compiled.kernels_for(block) is loaded  # loaded: a block's size will do
            assert _compiled.kernels_for(block - 1) is None
    finally:
        _compiled.loaded_kernels.cache_clear()
    assert _compiled.loaded_kernels() is not None


def test_a_ledger_under_the_load_size_does_not_load_them() -> None:
    assert _compiled.LOAD_BLOCKS * _compiled.KERNEL_ROWS > 2_000_000
