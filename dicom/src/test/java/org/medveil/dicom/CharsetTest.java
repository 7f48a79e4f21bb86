package org.medveil.dicom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.medveil.dicom.io.DicomReader;

import java.nio.charset.Charset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Issue 4: patient names in the pydicom charset files decode to the right characters. */
@org.junit.jupiter.api.Tag("issue-4")
class CharsetTest {
    private final DicomReader reader = new DicomReader();

    @ParameterizedTest(name = "{0}: Patient Name decodes to {1}")
    @CsvSource(delimiter = '|', value = {
            "chrH31.dcm|Yamada^Tarou=山田^太郎=やまだ^たろう",
            "chrH32.dcm|ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう",
            "chrI2.dcm|Hong^Gildong=洪^吉洞=홍^길동",
            "chrX1.dcm|Wang^XiaoDong=王^小東=",
            "chrX2.dcm|Wang^XiaoDong=王^小东=",
            "chrRuss.dcm|Люкceмбypг",
            "chrGreek.dcm|Διονυσιος",
            "chrArab.dcm|قباني^لنزار",
            "chrHbrw.dcm|שרון^דבורה",
            "chrGerm.dcm|Äneas^Rüdiger",
            "chrFren.dcm|Buc^Jérôme",
    })
    void patientNameDecodes(String file, String expected) throws Exception {
        DataSet ds = reader.read(Environment.corpusFile("charset_files/" + file)).dataSet();
        assertEquals(expected, ds.getString(Tag.PatientName));
    }

    @Test
    void itemsUseTheirOwnCharacterSetOverTheParents() throws Exception {
        DataSet ds = reader.read(Environment.corpusFile("charset_files/chrSQEncoding.dcm")).dataSet();
        SequenceElement seq = null;
        for (Element e : ds.elements()) {
            if (e instanceof SequenceElement s) {
                seq = s;
            }
        }
        DataSet item = seq.item(0);
        assertEquals(List.of("ISO 2022 IR 13", "ISO 2022 IR 87"), item.charset().terms());
        assertEquals("ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう", item.getString(Tag.PatientName));
    }

    @Test
    void gbkRoundTripsChineseNames() {
        DataSet ds = new DataSet();
        ds.putString(Tag.SpecificCharacterSet, VR.CS, "GBK");
        ds.putString(Tag.PatientName, VR.PN, "张^三丰");
        assertEquals("张^三丰", ds.getString(Tag.PatientName));
        assertEquals(new String(ds.getBytes(Tag.PatientName), Charset.forName("GBK")).strip(), "张^三丰");
    }

    @Test
    void textThatTheCharsetCannotHoldIsRefused() {
        DataSet ds = new DataSet();
        ds.putString(Tag.SpecificCharacterSet, VR.CS, "ISO_IR 100");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ds.putString(Tag.PatientName, VR.PN, "王^小东"));
        assertEquals(true, e.getMessage().contains("ISO_IR 192"));
    }

    @Test
    void itemsInheritTheParentsCharacterSet() {
        DataSet ds = new DataSet();
        ds.putString(Tag.SpecificCharacterSet, VR.CS, "GB18030");
        DataSet item = ds.newSequence(0x00081140, true).addItem();
        item.putString(Tag.PatientName, VR.PN, "王^小东");
        assertEquals("王^小东", new String(item.getBytes(Tag.PatientName), Charset.forName("GB18030")).strip());
    }
}
