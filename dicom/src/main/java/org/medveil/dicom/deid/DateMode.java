package org.medveil.dicom.deid;

/** How dates are modified when they are cleaned (Retain Longitudinal Temporal Information Modified Dates). */
public enum DateMode {
    /** Shift every date of a patient by the same keyed offset: intervals survive (random perturbation). */
    SHIFT,
    /** Keep the year only (generalization). */
    YEAR
}
