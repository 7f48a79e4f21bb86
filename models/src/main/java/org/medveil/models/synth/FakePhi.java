package org.medveil.models.synth;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;

/**
 * Realistic but invented patient identity for synthetic headers, so ingest and de-identification
 * have real work to do. Chinese names carry both the pinyin (alphabetic) and the characters
 * (ideographic) component groups, as DICOM PN does with GB18030.
 */
record FakePhi(String patientName, boolean chinese, String patientId, LocalDate birthDate, String sex,
               String referringPhysician, LocalDate studyDate, String studyTime, String accession) {

    private static final String[][] SURNAMES = {{"王", "Wang"}, {"李", "Li"}, {"张", "Zhang"}, {"刘", "Liu"},
        {"陈", "Chen"}, {"杨", "Yang"}, {"黄", "Huang"}, {"赵", "Zhao"}, {"吴", "Wu"}, {"周", "Zhou"},
        {"徐", "Xu"}, {"孙", "Sun"}, {"马", "Ma"}, {"朱", "Zhu"}, {"胡", "Hu"}, {"郭", "Guo"}, {"林", "Lin"},
        {"罗", "Luo"}, {"欧阳", "Ouyang"}, {"诸葛", "Zhuge"}};
    private static final String[][] GIVEN = {{"伟", "Wei"}, {"芳", "Fang"}, {"娜", "Na"}, {"敏", "Min"},
        {"静", "Jing"}, {"丽", "Li"}, {"强", "Qiang"}, {"磊", "Lei"}, {"军", "Jun"}, {"洋", "Yang"},
        {"勇", "Yong"}, {"艳", "Yan"}, {"杰", "Jie"}, {"涛", "Tao"}, {"明", "Ming"}, {"超", "Chao"},
        {"秀", "Xiu"}, {"霞", "Xia"}, {"平", "Ping"}, {"刚", "Gang"}, {"桂", "Gui"}, {"英", "Ying"},
        {"华", "Hua"}, {"玉", "Yu"}, {"兰", "Lan"}, {"红", "Hong"}, {"鑫", "Xin"}, {"晓", "Xiao"}};
    private static final String[] FAMILY = {"Smith", "Johnson", "Garcia", "Müller", "Rossi", "Novak", "Okafor",
        "Tanaka", "Kowalski", "Dubois", "Hansen", "Silva", "O'Brien", "Nguyen", "Ivanova", "Cohen"};
    private static final String[] FIRST = {"James", "Mary", "Ahmed", "Sofia", "Lucas", "Amara", "Noah", "Elena",
        "Chidi", "Hana", "Piotr", "Claire", "Lars", "Ana", "Sean", "Mai"};
    private static final String[] MIDDLE = {"", "A", "B", "J", "M", "R"};

    static FakePhi draw(SplittableRandom rng, SiteProfile site, int index) {
        boolean chinese = rng.nextDouble() < site.chineseNameFraction();
        String name = chinese ? chineseName(rng) : latinName(rng);
        String doctor = (site.chineseInstitution() && rng.nextBoolean() ? chineseName(rng) : latinName(rng));
        LocalDate birth = LocalDate.of(1940, 1, 1).plusDays(rng.nextInt(365 * 65));
        LocalDate study = LocalDate.of(2023, 1, 1).plusDays(rng.nextInt(365 * 3));
        String time = String.format("%02d%02d%02d", 7 + rng.nextInt(12), rng.nextInt(60), rng.nextInt(60));
        String id = site.name().replace("site-", "S") + "-" + String.format("%08d", rng.nextInt(100_000_000));
        String acc = "A" + study.format(DateTimeFormatter.BASIC_ISO_DATE) + String.format("%05d", index);
        return new FakePhi(name, chinese, id, birth, rng.nextBoolean() ? "M" : "F", doctor, study, time, acc);
    }

    /** "Pinyin^Given=汉字^名=" (alphabetic and ideographic groups). */
    private static String chineseName(SplittableRandom rng) {
        String[] s = SURNAMES[rng.nextInt(SURNAMES.length)];
        int parts = 1 + rng.nextInt(2);
        StringBuilder han = new StringBuilder();
        StringBuilder pinyin = new StringBuilder();
        for (int i = 0; i < parts; i++) {
            String[] g = GIVEN[rng.nextInt(GIVEN.length)];
            han.append(g[0]);
            pinyin.append(i == 0 ? g[1] : g[1].toLowerCase());
        }
        return s[1] + "^" + pinyin + "=" + s[0] + "^" + han + "=";
    }

    private static String latinName(SplittableRandom rng) {
        String middle = MIDDLE[rng.nextInt(MIDDLE.length)];
        return FAMILY[rng.nextInt(FAMILY.length)] + "^" + FIRST[rng.nextInt(FIRST.length)]
                + (middle.isEmpty() ? "" : "^" + middle);
    }

    /** Age at the study, as DICOM AS ("067Y"). */
    String age() {
        int years = java.time.Period.between(birthDate, studyDate).getYears();
        return String.format("%03dY", Math.max(0, years));
    }
}
