package org.medveil.governance.strategy;

import java.util.EnumSet;
import java.util.Set;

/**
 * The de-identification techniques the standard names (REQ-DEID-1), with the wording of
 * Table 2 so that messages can cite it exactly.
 */
public enum Technique {
    HOMOMORPHIC_ENCRYPTION("homomorphic encryption", "同态加密"),
    SYMMETRIC_ENCRYPTION("symmetric encryption (AES, SM1, SM4)", "对称加密算法"),
    OCCLUSION("occlusion", "遮挡"),
    SUBSTITUTION("substitution", "替代"),
    GENERALIZATION("generalization", "泛化技术"),
    RANDOM_PERTURBATION("random perturbation", "随机干扰"),
    REORDERING("reordering", "重排"),
    PERMUTATION("permutation", "置换"),
    MASKING("masking", "屏蔽"),
    NUMERIC_TRANSFORMATION("numeric transformation", "数值变换"),
    NULL_INSERTION("null insertion", "空值插入"),
    DATA_TRANSFORMATION("data transformation", "数据变换"),
    STATISTICS("statistical techniques", "统计技术"),
    RANDOMIZATION("randomization", "随机化技术"),
    TRUNCATION("truncation", "数据截断");

    /** "加密技术" (encryption) in Table 2 covers every encryption technique. */
    public static final Set<Technique> ENCRYPTION = EnumSet.of(HOMOMORPHIC_ENCRYPTION, SYMMETRIC_ENCRYPTION);

    private final String english;
    private final String chinese;

    Technique(String english, String chinese) {
        this.english = english;
        this.chinese = chinese;
    }

    public String english() {
        return english;
    }

    public String chinese() {
        return chinese;
    }

    /** Config id, e.g. {@code random-perturbation}. */
    public String id() {
        return name().toLowerCase().replace('_', '-');
    }

    public static Technique fromId(String id) {
        for (Technique t : values()) {
            if (t.id().equals(id)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown de-identification technique '" + id + "'");
    }

    public String cite() {
        return english + " (" + chinese + ")";
    }
}
