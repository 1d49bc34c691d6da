"""The kernel's parameters: one record, each field a row of the parameter table, by name."""

from __future__ import annotations

import numpy as np

from diplosim.engine.kernel import KERNEL_PARAMETERS, kernel_parameters
from diplosim.parameters import PARAMETERS, resolve_parameters


def test_every_field_is_a_parameter_row_with_its_resolved_value():
    params = resolve_parameters({"stance_rate": 0.07, "follow_window_hours": 30.9})
    kp = kernel_parameters(params)
    assert kp.shape == (1,) and kp.dtype == KERNEL_PARAMETERS
    assert set(KERNEL_PARAMETERS.names) <= set(PARAMETERS)
    for name in KERNEL_PARAMETERS.names:
        if name == "follow_window_hours":  # hours: a whole number, exact
            assert kp.dtype[name] == np.int64 and kp[0][name] == 30
        else:
            assert kp.dtype[name] == np.float64 and kp[0][name] == params[name], name
