package org.medveil.dicom.occlusion;

import org.medveil.dicom.DataSet;

import java.util.List;

/** A named rule: when every condition holds, the rectangles are blanked in every frame. */
public record OcclusionRule(String name, List<Condition> conditions, List<Rectangle> rectangles) {
    public OcclusionRule {
        conditions = List.copyOf(conditions);
        rectangles = List.copyOf(rectangles);
    }

    public boolean matches(DataSet ds) {
        for (Condition c : conditions) {
            if (!c.test(ds)) {
                return false;
            }
        }
        return true;
    }
}
