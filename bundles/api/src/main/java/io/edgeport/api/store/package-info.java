/**
 * The gateway's durable message store as in-process consumers read it: sinks, rule engines and bridges each open a
 * {@link io.edgeport.api.store.StoreCursor} under a stable name on the {@link io.edgeport.api.store.MessageStore}
 * service and read what the broker accepted, in order, at their own pace.
 *
 * <p>Position semantics: a message's {@link io.edgeport.api.store.StoredMessage#position() position} is where the
 * store continues after it. A consumer {@link io.edgeport.api.store.StoreCursor#commit commits} a position once what
 * it did with the messages up to it is durable on its side; the store keeps everything after the oldest committed
 * position of its consumers (within its retention limits) and, after a restart or a crash, a consumer continues after
 * its last committed position (saved within a fraction of a second, so a crash may repeat the last ones: at least
 * once). A consumer that records the position in its own transaction, with its data, and
 * {@link io.edgeport.api.store.StoreCursor#seek seeks} to it when it opens, gets every message exactly once.
 *
 * @since 1.0
 */
@Export
@Version("1.0.0")
package io.edgeport.api.store;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
