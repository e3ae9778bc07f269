"""``Results.design_frame`` is the person frame's design columns (so the replicate weights drawn from it before the
person frame exists, in ``write_outputs``, are the same), and the run's replicates equal those of the full frame."""

from __future__ import annotations

import numpy as np
import pandas as pd

from floorsim.simulations.reports.sampling import _survey_uncertainty


def test_design_frame_equals_the_person_frames_columns(bundled_results):
    frame = bundled_results.person_frame()
    design = bundled_results.design_frame()
    assert list(design.columns) == ["household_id", "weight", "household_weight", "stratum", "psu"]
    pd.testing.assert_frame_equal(design, frame[list(design.columns)], check_exact=True)
    by_design = _survey_uncertainty(design, 8, 11, bundled_results.survey)
    by_frame = _survey_uncertainty(frame, 8, 11, bundled_results.survey)
    assert by_design.calibration == by_frame.calibration == "recalibrated"
    rows = np.arange(len(frame))
    np.testing.assert_array_equal(by_design.replicates.at(rows).row(3), by_frame.replicates.at(rows).row(3))
    assert (by_design.strata, by_design.psus, by_design.lonely_rule) == (by_frame.strata, by_frame.psus,
                                                                         by_frame.lonely_rule)
