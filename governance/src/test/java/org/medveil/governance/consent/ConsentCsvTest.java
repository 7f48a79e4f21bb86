package org.medveil.governance.consent;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("REQ-ACQ-3")
class ConsentCsvTest {

    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private final PatientPseudonymizer pseudonymizer = new PatientPseudonymizer(PatientPseudonymizerTest.key(7));
    private final ConsentCsv csv = new ConsentCsv(pseudonymizer, ZONE);

    @TempDir
    Path dir;

    private Path write(String content) throws IOException {
        Path f = dir.resolve("consents.csv");
        Files.writeString(f, content, StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void readsRowsPseudonymisingThePatientIdOnTheFly() throws IOException {
        Path f = write("\uFEFFpatient_id,purposes,joint_modeling,valid_from,expires,withdrawn_at\r\n"
                + "PID-0001,research,yes,2026-01-01,2027-01-01,\r\n"
                + "\"PID,0002\",research;teaching,no,2026-02-01,,2026-03-01\r\n"
                + "\r\n"
                + "PID-0003,quality-control,no,2026-01-01,2026-06-01,2026-04-01T09:30:00Z\r\n");
        List<ConsentRecord> records = csv.read(f);
        assertEquals(3, records.size());
        ConsentRecord a = records.get(0);
        assertEquals(pseudonymizer.pseudonym("PID-0001"), a.patient());
        assertEquals(Set.of(Purpose.RESEARCH), a.purposes());
        assertTrue(a.jointModeling());
        assertEquals(LocalDate.of(2027, 1, 1), a.expires());
        assertNull(a.withdrawnAt());
        ConsentRecord b = records.get(1);
        assertEquals(pseudonymizer.pseudonym("PID,0002"), b.patient(), "a quoted field keeps its comma");
        assertEquals(Set.of(Purpose.RESEARCH, Purpose.TEACHING), b.purposes());
        assertNull(b.expires());
        assertEquals(LocalDate.of(2026, 3, 1).atStartOfDay(ZONE).toInstant(), b.withdrawnAt());
        assertEquals(Instant.parse("2026-04-01T09:30:00Z"), records.get(2).withdrawnAt());
    }

    @Test
    void columnsMayComeInAnyOrderAndWithdrawnAtIsOptional() throws IOException {
        List<ConsentRecord> r = csv.read(write("expires,valid_from,joint_modeling,purposes,patient_id\n"
                + "2027-01-01,2026-01-01,no,teaching,PID-9\n"));
        assertEquals(pseudonymizer.pseudonym("PID-9"), r.get(0).patient());
        assertEquals(Set.of(Purpose.TEACHING), r.get(0).purposes());
    }

    private static final String HEADER = "patient_id,purposes,joint_modeling,valid_from,expires\n";
    private static final String SECRET = "SECRET-PATIENT-4711";

    /** The import fails; the message names file, line and column and shows no cell value. */
    private ConsentImportException refused(String body, int line, String mentions) throws IOException {
        Path f = write(body);
        ConsentImportException e = assertThrows(ConsentImportException.class, () -> csv.read(f));
        String m = e.getMessage();
        assertTrue(m.startsWith(f + ":" + line + ": "), m);
        assertTrue(m.contains(mentions), m);
        assertFalse(m.contains(SECRET), "the patient ID leaked into: " + m);
        assertFalse(m.contains("reserch") || m.contains("2026-13") || m.contains("maybe"), "a cell value leaked into: " + m);
        return e;
    }

    @Test
    void everyBadRowIsRefusedNamingFileLineAndColumnButNoValue() throws IOException {
        refused(HEADER + "PID-1,research,yes,2026-01-01,\n" + SECRET + ",reserch,yes,2026-01-01,\n", 3, "purposes");
        refused(HEADER + SECRET + ",research;;teaching,yes,2026-01-01,\n", 2, "purpose #2 is empty");
        refused(HEADER + SECRET + ",research,maybe,2026-01-01,\n", 2, "joint_modeling must be yes or no");
        refused(HEADER + SECRET + ",research,yes,2026-13-01,\n", 2, "valid_from");
        refused(HEADER + SECRET + ",research,yes,,\n", 2, "valid_from is empty");
        refused(HEADER + SECRET + ",research,yes,2026-02-01,2026-01-01\n", 2, "expires must be after valid_from");
        refused(HEADER + SECRET + ",research,yes,2026-01-01\n", 2, "has 4 fields, the header names 5");
        refused(HEADER + " ,research,yes,2026-01-01,\n", 2, "patient_id is empty");
        refused(HEADER + SECRET + ",research,yes,2026-01-01,\nPID-2,research,no,2026-01-01,\n"
                + SECRET + " ,teaching,no,2026-01-01,\n", 4, "already listed on line 2");
        refused(HEADER + "\"" + SECRET + ",research,yes,2026-01-01,\n", 2, "quoted field is not closed");
        refused(HEADER + "\"" + SECRET + "\"x,research,yes,2026-01-01,\n", 2, "after a closing double quote");
        refused(HEADER + "PID\"" + SECRET + ",research,yes,2026-01-01,\n", 2, "double quote inside an unquoted field");
    }

    @Test
    void multiLineQuotedFieldsKeepLineNumbersRight() throws IOException {
        refused(HEADER + "\"PID\n1\",research,yes,2026-01-01,\n" + SECRET + ",research,maybe,2026-01-01,\n",
                4, "joint_modeling");
    }

    @Test
    void headerMustNameExactlyTheKnownColumns() throws IOException {
        refused("", 1, "the file is empty");
        refused("patient_id,purposes,joint_modeling,valid_from\n", 1, "missing column expires");
        refused(HEADER.strip() + ",notes\n", 1, "unknown column 'notes'");
        refused(HEADER.strip() + ",purposes\n", 1, "column purposes appears twice");
        // A header cell that is not a plausible column name is not echoed: it might be data.
        refused(SECRET + ",purposes,joint_modeling,valid_from,expires\n", 1, "unknown column #1");
    }

    @Test
    void invalidUtf8IsRefused() throws IOException {
        Path f = dir.resolve("latin1.csv");
        Files.write(f, (HEADER + "M\u00fcller,research,yes,2026-01-01,\n").getBytes(StandardCharsets.ISO_8859_1));
        ConsentImportException e = assertThrows(ConsentImportException.class, () -> csv.read(f));
        assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
        assertFalse(e.getMessage().contains("ller"), e.getMessage());
    }
}
