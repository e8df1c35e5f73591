package io.edgeport.broker.engine.internal.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttMessage;

/** A blocking MQTT client over a plain socket, for packets Paho will not send (DUP=1, repeated QoS 2 ids). */
final class RawClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final EmbeddedChannel decoder = new EmbeddedChannel(new MqttDecoder());

    RawClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true); // small packets one after another: no Nagle/delayed-ACK stalls of 40 ms each
        in = socket.getInputStream();
    }

    /** How long {@link #receive} waits for a packet (10 s unless set). */
    RawClient timeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
        return this;
    }

    void send(MqttMessage msg) throws IOException {
        sendRaw(Packets.encode(msg));
    }

    /** Writes the bytes in one write (several packets in one TCP segment) and releases them. */
    void sendRaw(ByteBuf bytes) throws IOException {
        try {
            byte[] b = new byte[bytes.readableBytes()];
            bytes.readBytes(b);
            socket.getOutputStream().write(b);
            socket.getOutputStream().flush();
        } finally {
            bytes.release();
        }
    }

    /** @return the next packet, or an exception when none arrives within 10 s */
    MqttMessage receive() throws IOException {
        for (;;) {
            MqttMessage m = decoder.readInbound();
            if (m instanceof io.netty.handler.codec.mqtt.MqttPublishMessage p) {
                // The tests read the payload and drop the message: a copy on a plain array, the decoded slice
                // released here (a leak report from it would land in another test's log)
                io.netty.handler.codec.mqtt.MqttPublishMessage copy = new io.netty.handler.codec.mqtt.MqttPublishMessage(
                        p.fixedHeader(), p.variableHeader(),
                        Unpooled.wrappedBuffer(io.netty.buffer.ByteBufUtil.getBytes(p.payload())));
                p.release();
                return copy;
            }
            if (m != null) {
                return m;
            }
            byte[] buf = new byte[4096];
            int n = in.read(buf);
            if (n < 0) {
                throw new IOException("connection closed");
            }
            decoder.writeInbound(Unpooled.copiedBuffer(buf, 0, n));
        }
    }

    @Override
    public void close() throws IOException {
        decoder.finishAndReleaseAll();
        socket.close();
    }
}
