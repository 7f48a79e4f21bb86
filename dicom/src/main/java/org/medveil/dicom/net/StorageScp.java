package org.medveil.dicom.net;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLServerSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A C-ECHO / C-STORE SCP. Each association runs on its own thread (up to
 * {@link ScpConfig#maxAssociations()}); a protocol error aborts only that association. Objects go
 * to the {@link StoreHandler}, and success is answered only after it returned.
 */
public final class StorageScp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StorageScp.class);

    private final ScpConfig config;
    private final StoreHandler handler;
    private final Semaphore slots;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong aborted = new AtomicLong();
    private ServerSocket server;
    private ExecutorService workers;
    private Thread acceptor;
    private java.util.concurrent.ScheduledExecutorService timers;
    private volatile boolean closing;

    public StorageScp(ScpConfig config, StoreHandler handler) {
        this.config = config;
        this.handler = handler;
        this.slots = new Semaphore(config.maxAssociations());
    }

    /** Binds the port and starts accepting associations. */
    public synchronized StorageScp start() throws IOException {
        if (server != null) {
            throw new IllegalStateException("SCP already started");
        }
        ServerSocket s = config.tls() == null ? new ServerSocket()
                : config.tls().getServerSocketFactory().createServerSocket();
        if (s instanceof SSLServerSocket ssl) {
            ssl.setNeedClientAuth(config.needClientAuth());
        }
        s.setReuseAddress(true);
        try {
            s.bind(new InetSocketAddress(InetAddress.getByName(config.bindAddress()), config.port()), 64);
        } catch (IOException e) {
            s.close();
            throw new IOException("cannot listen on " + config.bindAddress() + ":" + config.port() + ": " + e.getMessage()
                    + " (choose a free port or stop the other listener)", e);
        }
        server = s;
        AtomicInteger n = new AtomicInteger();
        workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "dicom-assoc-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dicom-scp-timer");
            t.setDaemon(true);
            return t;
        });
        acceptor = new Thread(this::acceptLoop, "dicom-scp-" + config.aeTitle());
        acceptor.setDaemon(true);
        acceptor.start();
        LOG.info("DICOM SCP {} listening on {}:{}{}", config.aeTitle(), config.bindAddress(), port(),
                config.tls() != null ? " (TLS)" : "");
        return this;
    }

    /** The bound port (useful with port 0). */
    public int port() { return server.getLocalPort(); }

    public ScpConfig config() { return config; }

    /** Objects stored successfully since start. */
    public long storedCount() { return stored.get(); }

    /** Associations aborted because of protocol errors or timeouts since start. */
    public long abortedCount() { return aborted.get(); }

    private void acceptLoop() {
        while (!closing) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (!closing) {
                    LOG.warn("accept failed: {}", e.getMessage());
                }
                continue;
            }
            open.add(socket);
            boolean slot = slots.tryAcquire();
            try {
                workers.execute(() -> {
                    try {
                        new Association(socket, config, handler, slot, this).run();
                    } finally {
                        if (slot) {
                            slots.release();
                        }
                        open.remove(socket);
                        closeQuietly(socket);
                    }
                });
            } catch (RuntimeException e) {
                if (slot) {
                    slots.release();
                }
                open.remove(socket);
                closeQuietly(socket);
            }
        }
    }

    /**
     * Closes the socket when no A-ASSOCIATE-RQ has arrived by the deadline. A wall-clock deadline,
     * not a read timeout: a peer dripping one byte at a time would keep resetting a read timeout.
     */
    java.util.concurrent.ScheduledFuture<?> requestDeadline(Socket socket, String host) {
        return timers.schedule(() -> {
            LOG.warn("no A-ASSOCIATE-RQ from {} within {} ms of connecting; closing the connection", host,
                    config.requestTimeout().toMillis());
            closeQuietly(socket);
        }, config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Connections open now (associations, and connections that have not yet sent their A-ASSOCIATE-RQ). */
    public int openCount() { return open.size(); }

    void countStored() { stored.incrementAndGet(); }

    void countAborted() { aborted.incrementAndGet(); }

    static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Stops accepting, closes open associations and waits briefly for their threads. */
    @Override
    public synchronized void close() {
        closing = true;
        if (server == null) {
            return;
        }
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : open) {
            closeQuietly(s);
        }
        workers.shutdown();
        timers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static boolean isClosedSocket(IOException e) {
        return e instanceof SocketException || e instanceof java.io.EOFException;
    }
}
