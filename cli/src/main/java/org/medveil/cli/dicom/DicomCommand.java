package org.medveil.cli.dicom;

import picocli.CommandLine.Command;

/** {@code medveil dicom}: operator and integration-check tools over the dicom module. */
@Command(name = "dicom", mixinStandardHelpOptions = true,
        description = "Inspect, convert and receive DICOM files.",
        subcommands = {DumpCommand.class, ConvertCommand.class, ScpCommand.class})
public final class DicomCommand implements java.util.concurrent.Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return org.medveil.cli.Main.usageError(spec);
    }
}
