package io.edgeport.simulator.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

import javax.net.SocketFactory;

/**
 * Plain TCP sockets for one device's Paho client that remembers the socket it made last, so that the device can
 * fall off the network on purpose: {@link #drop()} resets the connection without an MQTT DISCONNECT, exactly as a
 * crash or a pulled cable after the broker notices, so the broker publishes the Last Will. Paho 1.2.5 makes its
 * TCP socket with {@link #createSocket()} and connects it itself; the other methods are here for completeness.
 */
final class DropSocketFactory extends SocketFactory {

    private volatile Socket last;

    @Override
    public Socket createSocket() {
        Socket s = new Socket();
        last = s;
        return s;
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        Socket s = createSocket();
        s.bind(new InetSocketAddress(localHost, localPort));
        s.connect(new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        Socket s = createSocket();
        s.bind(new InetSocketAddress(localAddress, localPort));
        s.connect(new InetSocketAddress(address, port));
        return s;
    }

    private Socket connected(InetSocketAddress to) throws IOException {
        Socket s = createSocket();
        s.connect(to);
        return s;
    }

    /**
     * Resets the current connection (TCP RST, no DISCONNECT). Paho's reader then fails and reports the connection as
     * lost. Safe from any thread.
     *
     * @return false when there was no open socket
     */
    boolean drop() {
        Socket s = last;
        if (s == null || s.isClosed()) {
            return false;
        }
        try {
            s.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // close anyway: a FIN also makes the broker send the Will
        }
        try {
            s.close();
        } catch (IOException ignored) {
            // closed is closed
        }
        return true;
    }
}
