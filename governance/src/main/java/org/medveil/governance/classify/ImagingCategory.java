package org.medveil.governance.classify;

/** The categories of Table 1 of T/SCGS 313008—2024 (REQ-ACQ-7). */
public enum ImagingCategory {
    /** 个人生物识别影像数据: gene, fingerprint, voiceprint, palm print, auricle, iris, facial features. */
    PERSONAL_BIOMETRIC("personal biometric imaging", "个人生物识别影像数据"),
    /** 临床影像数据 · 结构图像: X-ray, CT, ultrasound, MRI — anatomy. */
    CLINICAL_STRUCTURAL("clinical structural imaging", "临床影像数据·结构图像"),
    /** 临床影像数据 · 功能图像: nuclear medicine, fMRI, Doppler — function of tissues and organs. */
    CLINICAL_FUNCTIONAL("clinical functional imaging", "临床影像数据·功能图像"),
    /** 其他类型成像: impedance (EIT), microwave, optical imaging. */
    OTHER("other imaging", "其他类型成像");

    private final String english;
    private final String chinese;

    ImagingCategory(String english, String chinese) {
        this.english = english;
        this.chinese = chinese;
    }

    public String english() {
        return english;
    }

    public String chinese() {
        return chinese;
    }

    /** Stable lower-case id for manifests and config, e.g. {@code clinical-structural}. */
    public String id() {
        return name().toLowerCase().replace('_', '-');
    }
}
