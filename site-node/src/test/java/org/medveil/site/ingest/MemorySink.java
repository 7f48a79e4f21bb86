package org.medveil.site.ingest;

import org.medveil.dicom.files.DuplicateSop;
import org.medveil.dicom.io.DicomReader;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/** Test sink keeping objects in memory, with the codec's duplicate rule; can be told to fail or to wait. */
final class MemorySink implements IngestSink {
    final Map<String, IngestOutcome.Accepted> objects = new ConcurrentHashMap<>();
    final List<IngestOutcome.Refused> refusals = new CopyOnWriteArrayList<>();
    final AtomicBoolean fail = new AtomicBoolean();
    volatile long delayMillis;
    /** Runs inside {@link #store}, before it returns (tests check what the source did meanwhile). */
    volatile Runnable onStore = () -> {};

    @Override
    public synchronized Stored store(IngestOutcome.Accepted a) throws IOException {
        pause();
        if (fail.get()) {
            throw new IOException("test sink: disk full");
        }
        IngestOutcome.Accepted held = objects.get(a.uids().originalSopInstanceUid());
        if (held != null) {
            var verdict = DuplicateSop.compare(new DicomReader().read(held.original()).dataSet(),
                    new DicomReader().read(a.original()).dataSet());
            return verdict == DuplicateSop.Verdict.SAME ? Stored.DUPLICATE_SAME : Stored.DUPLICATE_DIFFERENT;
        }
        onStore.run();
        objects.put(a.uids().originalSopInstanceUid(), a);
        return Stored.STORED;
    }

    @Override
    public void refused(IngestOutcome.Refused r) throws IOException {
        pause();
        if (fail.get()) {
            throw new IOException("test sink: disk full");
        }
        refusals.add(r);
    }

    private void pause() {
        if (delayMillis > 0) {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
