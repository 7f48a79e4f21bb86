package org.medveil.dicom.net;

import org.medveil.dicom.DataSet;
import org.medveil.dicom.DicomParseException;
import org.medveil.dicom.TransferSyntax;
import org.medveil.dicom.dict.Uids;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.io.DicomWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One association on one socket, acceptor side: negotiation, then DIMSE messages until release. */
final class Association {
    private static final Logger LOG = LoggerFactory.getLogger(Association.class);
    private static final int MAX_COMMAND = 64 * 1024;
    private static final Set<String> STORAGE = Set.copyOf(Uids.standard().storageSopClasses());

    private final Socket socket;
    private final ScpConfig config;
    private final StoreHandler handler;
    private final boolean haveSlot;
    private final StorageScp scp;
    private final Map<Integer, TransferSyntax> accepted = new HashMap<>();
    private final Map<Integer, String> abstractSyntaxes = new HashMap<>();
    private Pdu.AssociateRq rq;
    private String host;
    private OutputStream out;

    // message being assembled
    private ByteArrayOutputStream commandBuf = new ByteArrayOutputStream();
    private Command command;
    private int messageContext = -1;
    private Path spool;
    private OutputStream spoolOut;
    private long spooled;

    Association(Socket socket, ScpConfig config, StoreHandler handler, boolean haveSlot, StorageScp scp) {
        this.socket = socket;
        this.config = config;
        this.handler = handler;
        this.haveSlot = haveSlot;
        this.scp = scp;
    }

    void run() {
        host = socket.getInetAddress().getHostAddress();
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) config.artim().toMillis());
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 65536));
            out = new BufferedOutputStream(socket.getOutputStream(), 65536);
            if (!negotiate(in)) {
                return;
            }
            socket.setSoTimeout((int) config.idleTimeout().toMillis());
            serve(in);
        } catch (SocketTimeoutException e) {
            LOG.warn("association from {} timed out (ARTIM/idle); aborting", host);
            abort(0);
        } catch (DicomNetworkException e) {
            LOG.warn("protocol error from {}: {}; aborting the association", host, e.getMessage());
            abort(6);
        } catch (IOException e) {
            LOG.debug("association from {} ended: {}", host, e.getMessage());
        } finally {
            discardSpool();
        }
    }

    private void abort(int reason) {
        scp.countAborted();
        try {
            out.write(Pdu.abort(2, reason));
            out.flush();
        } catch (IOException | RuntimeException ignored) {
            // the peer may already be gone
        }
    }

    /** Reads the A-ASSOCIATE-RQ and accepts or rejects; false if the association did not start. */
    private boolean negotiate(DataInputStream in) throws IOException {
        java.util.concurrent.ScheduledFuture<?> deadline = scp.requestDeadline(socket, host);
        Pdu.Raw first;
        try {
            first = Pdu.read(in, 1 << 16);
        } finally {
            deadline.cancel(false);
        }
        if (first.type() != Pdu.ASSOCIATE_RQ) {
            throw new DicomNetworkException("expected A-ASSOCIATE-RQ but got PDU type " + first.type());
        }
        rq = Pdu.parseAssociateRq(first.body());
        byte[] reject = null;
        String why = null;
        if (!haveSlot) {
            reject = Pdu.associateRj(2, 3, 2);
            why = "too many concurrent associations (" + config.maxAssociations() + ")";
        } else if (!Uids.APPLICATION_CONTEXT.equals(rq.applicationContext())) {
            reject = Pdu.associateRj(1, 1, 2);
            why = "unsupported application context";
        } else if (!config.aeTitle().equals(rq.calledAe())) {
            reject = Pdu.associateRj(1, 1, 7);
            why = "called AE '" + rq.calledAe() + "' is not ours";
        } else if (!config.allowedCallingAes().isEmpty() && !config.allowedCallingAes().contains(rq.callingAe())) {
            reject = Pdu.associateRj(1, 1, 3);
            why = "calling AE '" + rq.callingAe() + "' is not on the allow-list";
        } else if (!config.allowedHosts().isEmpty() && !config.allowedHosts().contains(host)) {
            reject = Pdu.associateRj(1, 1, 1);
            why = "host is not on the allow-list";
        }
        if (reject != null) {
            LOG.warn("rejecting association from {}@{}: {}", rq.callingAe(), host, why);
            out.write(reject);
            out.flush();
            return false;
        }
        List<Pdu.ContextResult> results = new ArrayList<>();
        for (Pdu.ProposedContext pc : rq.contexts()) {
            boolean known = Uids.VERIFICATION.equals(pc.abstractSyntax()) || STORAGE.contains(pc.abstractSyntax());
            if (!known) {
                results.add(new Pdu.ContextResult(pc.id(), 3, pc.transferSyntaxes().isEmpty() ? "" : pc.transferSyntaxes().get(0)));
                continue;
            }
            String chosen = null;
            for (String ts : pc.transferSyntaxes()) {
                if (TransferSyntax.of(ts).isKnown()) {
                    chosen = ts; // the proposer's preference first, so data arrives as it was stored
                    break;
                }
            }
            if (chosen == null) {
                results.add(new Pdu.ContextResult(pc.id(), 4, pc.transferSyntaxes().isEmpty() ? "" : pc.transferSyntaxes().get(0)));
            } else {
                results.add(new Pdu.ContextResult(pc.id(), 0, chosen));
                accepted.put(pc.id(), TransferSyntax.of(chosen));
                abstractSyntaxes.put(pc.id(), pc.abstractSyntax());
            }
        }
        out.write(Pdu.associateAc(rq, results, config.maxPduLength(), DicomWriter.IMPLEMENTATION_CLASS_UID,
                DicomWriter.IMPLEMENTATION_VERSION));
        out.flush();
        LOG.info("association from {}@{} accepted ({} of {} presentation contexts)", rq.callingAe(), host,
                accepted.size(), rq.contexts().size());
        return true;
    }

    private void serve(DataInputStream in) throws IOException {
        while (true) {
            Pdu.Raw pdu = Pdu.read(in, config.maxPduLength());
            switch (pdu.type()) {
                case Pdu.P_DATA_TF -> pData(pdu.body());
                case Pdu.RELEASE_RQ -> {
                    socket.setSoTimeout((int) config.artim().toMillis());
                    out.write(Pdu.releaseRp());
                    out.flush();
                    return;
                }
                case Pdu.ABORT -> {
                    LOG.info("association from {}@{} aborted by the peer", rq.callingAe(), host);
                    return;
                }
                default -> throw new DicomNetworkException("unexpected PDU type " + pdu.type() + " in an established association");
            }
        }
    }

    private void pData(byte[] body) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(body);
        if (!b.hasRemaining()) {
            throw new DicomNetworkException("empty P-DATA-TF");
        }
        while (b.hasRemaining()) {
            if (b.remaining() < 6) {
                throw new DicomNetworkException("truncated PDV item header");
            }
            long len = Integer.toUnsignedLong(b.getInt());
            if (len < 2 || len > b.remaining()) {
                throw new DicomNetworkException("PDV length " + len + " does not fit its P-DATA-TF (" + b.remaining() + " bytes left)");
            }
            int pcId = b.get() & 0xFF;
            int mch = b.get() & 0xFF;
            int n = (int) len - 2;
            if (!accepted.containsKey(pcId)) {
                throw new DicomNetworkException("PDV for presentation context " + pcId + ", which was not accepted");
            }
            if (messageContext != -1 && messageContext != pcId) {
                throw new DicomNetworkException("PDV switches presentation context inside a message");
            }
            messageContext = pcId;
            boolean isCommand = (mch & 1) != 0;
            boolean last = (mch & 2) != 0;
            if (isCommand) {
                if (command != null) {
                    throw new DicomNetworkException("command fragment received while a data set was expected");
                }
                if (commandBuf.size() + n > MAX_COMMAND) {
                    throw new DicomNetworkException("command set larger than " + MAX_COMMAND + " bytes");
                }
                commandBuf.write(body, b.position(), n);
                b.position(b.position() + n);
                if (last) {
                    command = Command.parse(commandBuf.toByteArray());
                    commandBuf = new ByteArrayOutputStream();
                    if (command.us(Command.DATA_SET_TYPE, Command.NO_DATA_SET) == Command.NO_DATA_SET) {
                        dispatch();
                    } else {
                        spool = Files.createTempFile("medveil-scp-", ".part");
                        spooled = 0;
                        spoolOut = new BufferedOutputStream(Files.newOutputStream(spool), 65536);
                    }
                }
            } else {
                if (command == null || spoolOut == null) {
                    throw new DicomNetworkException("data set fragment received before its command");
                }
                spooled += n;
                if (spooled > config.maxObjectBytes()) {
                    throw new DicomNetworkException("data set larger than the " + config.maxObjectBytes()
                            + "-byte limit of this SCP");
                }
                spoolOut.write(body, b.position(), n);
                b.position(b.position() + n);
                if (last) {
                    spoolOut.close();
                    spoolOut = null;
                    dispatch();
                }
            }
        }
    }

    private void dispatch() throws IOException {
        int field = command.us(Command.COMMAND_FIELD, -1);
        int msgId = command.us(Command.MESSAGE_ID, 0);
        String sopClass = command.ui(Command.AFFECTED_SOP_CLASS);
        int pcId = messageContext;
        Command rsp = new Command().putUs(Command.MESSAGE_ID_RESPONDED, msgId).putUs(Command.DATA_SET_TYPE, Command.NO_DATA_SET);
        if (sopClass != null) {
            rsp.putString(Command.AFFECTED_SOP_CLASS, sopClass, 0);
        }
        try {
            if (field == Command.C_ECHO_RQ) {
                rsp.putUs(Command.COMMAND_FIELD, Command.C_ECHO_RSP).putUs(Command.STATUS, 0);
            } else if (field == Command.C_STORE_RQ) {
                rsp.putUs(Command.COMMAND_FIELD, Command.C_STORE_RSP);
                String iuid = command.ui(Command.AFFECTED_SOP_INSTANCE);
                if (iuid != null) {
                    rsp.putString(Command.AFFECTED_SOP_INSTANCE, iuid, 0);
                }
                if (commandUidsOk(rsp, sopClass, iuid, pcId)) {
                    store(rsp, sopClass, iuid, pcId);
                }
            } else {
                rsp.putUs(Command.COMMAND_FIELD, (field | 0x8000) & 0xFFFF).putUs(Command.STATUS, 0x0211);
                LOG.warn("unsupported DIMSE command 0x{} from {}", Integer.toHexString(field), host);
            }
        } finally {
            command = null;
            messageContext = -1;
            discardSpool();
        }
        Pdu.writePData(out, pcId, true, rsp.encode(), rq.peerMaxPdu());
    }

    private void store(Command rsp, String sopClass, String iuid, int pcId) throws IOException {
        if (spool == null) {
            rsp.putUs(Command.STATUS, 0xC000).putString(Command.ERROR_COMMENT, "C-STORE without a data set", ' ');
            return;
        }
        TransferSyntax ts = accepted.get(pcId);
        DataSet ds;
        try (InputStream in = Files.newInputStream(spool)) {
            ds = new DicomReader().readDataSet(in, Files.size(spool), ts);
        } catch (DicomParseException e) {
            LOG.warn("C-STORE data set from {} cannot be parsed: {}", host, e.getMessage());
            rsp.putUs(Command.STATUS, 0xC000).putString(Command.ERROR_COMMENT, cut("cannot parse data set: " + e.getMessage()), ' ');
            return;
        }
        if (iuid == null || sopClass == null) {
            rsp.putUs(Command.STATUS, 0xC000).putString(Command.ERROR_COMMENT, "C-STORE-RQ lacks the affected SOP class or instance", ' ');
            return;
        }
        try {
            handler.store(new ReceivedObject(rq.callingAe(), rq.calledAe(), host, sopClass, iuid, ts, spool, ds));
            scp.countStored();
            rsp.putUs(Command.STATUS, 0x0000);
        } catch (StoreHandler.Refused e) {
            // the handler's reason is PHI-free by contract (see StoreHandler.Refused)
            LOG.warn("refused an object from {}@{}: {}", rq.callingAe(), host, e.getMessage());
            rsp.putUs(Command.STATUS, e.status()).putString(Command.ERROR_COMMENT, cut(e.getMessage()), ' ');
        } catch (Exception e) {
            // only the exception type: a handler's message may name paths or patients
            LOG.error("storing an object from {}@{} failed: {}", rq.callingAe(), host, e.getClass().getName());
            rsp.putUs(Command.STATUS, 0xA700).putString(Command.ERROR_COMMENT, cut("storage failed: " + e.getClass().getSimpleName()), ' ');
        }
    }

    /**
     * Checks the C-STORE command's UIDs before anything is stored. Status per PS3.7 Annex C:
     * 0x0117 (Invalid Object Instance) is defined for an instance UID that breaks the UID
     * construction rules; 0x0122 (SOP Class Not Supported) when the class is malformed or is not the
     * abstract syntax of the presentation context the message came on, since on that context we
     * agreed to nothing else. Logs name the check, never the UID values (they identify the study).
     */
    private boolean commandUidsOk(Command rsp, String sopClass, String iuid, int pcId) {
        String why = null;
        int status = 0;
        if (sopClass == null || !validUid(sopClass)) {
            status = 0x0122;
            why = "malformed or missing Affected SOP Class UID";
        } else if (!sopClass.equals(abstractSyntaxes.get(pcId))) {
            status = 0x0122;
            why = "Affected SOP Class UID is not the abstract syntax of presentation context " + pcId;
        } else if (iuid == null || !validUid(iuid)) {
            status = 0x0117;
            why = "malformed or missing Affected SOP Instance UID";
        }
        if (why == null) {
            return true;
        }
        LOG.warn("refused a C-STORE from {}@{}: {} (status 0x{})", rq.callingAe(), host, why, Integer.toHexString(status));
        rsp.putUs(Command.STATUS, status).putString(Command.ERROR_COMMENT, cut(why), ' ');
        return false;
    }

    /** PS3.5 §9.1: at most 64 characters; dot-separated components of digits, no leading zero unless "0". */
    static boolean validUid(String uid) {
        if (uid.isEmpty() || uid.length() > 64) {
            return false;
        }
        for (String c : uid.split("\\.", -1)) {
            if (c.isEmpty() || !c.chars().allMatch(ch -> ch >= '0' && ch <= '9') || (c.length() > 1 && c.charAt(0) == '0')) {
                return false;
            }
        }
        return true;
    }

    private static String cut(String s) { return s.length() > 64 ? s.substring(0, 64) : s; }

    private void discardSpool() {
        try {
            if (spoolOut != null) {
                spoolOut.close();
                spoolOut = null;
            }
            if (spool != null) {
                Files.deleteIfExists(spool);
                spool = null;
            }
        } catch (IOException e) {
            LOG.warn("cannot delete a spool file: {}", e.getMessage());
        }
    }
}
