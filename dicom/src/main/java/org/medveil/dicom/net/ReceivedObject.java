package org.medveil.dicom.net;

import org.medveil.dicom.DataSet;
import org.medveil.dicom.TransferSyntax;

import java.nio.file.Path;

/**
 * One object received by C-STORE. {@code dataSetFile} holds the data set exactly as it arrived
 * (no meta header, in {@code transferSyntax}); it is a temporary file the SCP deletes after the
 * handler returns, so a handler that keeps it must copy or move it. {@code dataSet} is the parsed
 * form. Calling AE and host are for provenance (REQ ACQ-5).
 */
public record ReceivedObject(String callingAe, String calledAe, String remoteHost, String sopClassUid,
                             String sopInstanceUid, TransferSyntax transferSyntax, Path dataSetFile,
                             DataSet dataSet) {}
