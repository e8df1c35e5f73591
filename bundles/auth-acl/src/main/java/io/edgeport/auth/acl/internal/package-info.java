/**
 * A drop-in for Mosquitto 2.0's {@code acl_file}, with the semantics of Mosquitto 2.0.11 as read from its source
 * (tag v2.0.11: src/security_default.c, src/security.c, lib/util_topic.c, src/handle_subscribe.c) and checked
 * against the real broker by {@code MosquittoDifferentialTest}.
 *
 * <h2>File format ({@code aclfile__parse})</h2>
 * <ul>
 * <li>Lines end at {@code '\n'}; trailing C-whitespace (space, tab, CR, VT, FF) is removed. A line whose first
 * character is {@code #} is a comment; {@code "  # x"} is <em>not</em> a comment but an invalid line. Empty and
 * blank lines are skipped.</li>
 * <li>Words are separated by the space character only ({@code strtok_r(buf, " ")}): a tab between keyword and
 * argument makes the line invalid. Keywords and access words are case-sensitive.</li>
 * <li>{@code topic [read|write|readwrite|deny] <topic>}: the topic is the rest of the line, trimmed, and may
 * contain spaces. With a single argument the access is readwrite and the argument is the topic, so
 * {@code topic read} grants readwrite on the topic {@code read}. An unknown access word is an error.</li>
 * <li>The topic must pass {@code mosquitto_sub_topic_check}: {@code +} and {@code #} fill a whole level,
 * {@code #} only last, at most 65,535 bytes and 200 {@code /}. Otherwise the file is refused.</li>
 * <li>{@code user <name>}: the rest of the line, trimmed (may contain spaces). {@code topic} lines before the first
 * {@code user} line belong to anonymous clients (no username); there is no way back to that section. A username on
 * several {@code user} lines gets one merged list.</li>
 * <li>{@code pattern [access] <topic>}: like {@code topic}, but applies to every client, whatever {@code user}
 * section it appears in. A pattern without {@code %c}/{@code %u} is accepted (Mosquitto warns).</li>
 * <li>Any other first word is an error ("Invalid line"). Any error refuses the whole file: at start-up Mosquitto
 * exits ({@code mosquitto_security_init} fails); on a reload (SIGHUP) 2.0.11 keeps the rules before the bad line and
 * does not register its ACL callback, which lets everything through. <b>Our choice:</b> a bad file is never applied
 * partially; the last good model stays in force and the error is logged with {@code file:line}; before any good
 * parse everything is denied.</li>
 * <li>Beyond Mosquitto: lines over 80 KiB and files over 32 MiB are refused (a valid line is at most ~64 KiB).</li>
 * </ul>
 *
 * <h2>Decisions ({@code mosquitto_acl_check}, {@code acl__check_dollar}, {@code mosquitto_acl_check_default})</h2>
 * Access is Mosquitto's: PUBLISH checks {@code write} (handle_publish.c), RECEIVE checks {@code read} for every
 * message about to be delivered (subs.c, retain.c), SUBSCRIBE is MOSQ_ACL_SUBSCRIBE. In this order:
 * <ol>
 * <li>{@code $SYS...} (prefix, strncmp 4): PUBLISH is denied unless the topic matches
 * {@code $SYS/broker/connection/+/state}; other actions go on. {@code $share...}: anything but SUBSCRIBE is
 * denied.</li>
 * <li><b>SUBSCRIBE is always allowed.</b> {@code mosquitto_acl_check_default} returns success for
 * MOSQ_ACL_SUBSCRIBE ("FIXME - implement ACL subscription strings"), so in 2.0.11 no subscription filter is matched
 * against the ACL and SUBACK never carries 0x80 because of the acl_file; what a subscriber gets is filtered per
 * message by the RECEIVE check. There is therefore no filter-vs-filter matching.</li>
 * <li>The client's list is the section of its username (exact, case-sensitive), or the anonymous section when it has
 * none. A client with no list and a file without patterns is denied.</li>
 * <li>Its list is scanned in order, deny rules first (add__acl puts them at the front). A topic starting with
 * {@code $} is only compared with ACL topics starting with {@code $}. The first rule whose topic matches
 * ({@code mosquitto_topic_matches_sub}) decides: deny → DENY; a grant that includes the access → ALLOW; a grant
 * without it (e.g. read for a PUBLISH) → go on.</li>
 * <li>If there are patterns: a username or client id containing {@code +} or {@code #} → DENY ("dangerous
 * username/client id"). Only after the client's own list, so its own grants still work.</li>
 * <li>Patterns in order, deny patterns first. A pattern with {@code %u} is skipped for anonymous clients.
 * {@code %c}/{@code %u} are replaced wherever they occur, even inside a level (the man page says they must be a
 * whole level; the code does not check). Then as in 4, except that the {@code $} rule of 4 is not applied (the
 * matcher still keeps {@code $} topics and non-{@code $} filters apart).</li>
 * <li>Nothing matched → DENY.</li>
 * </ol>
 * Consequences worth knowing: a deny wins over grants of the same list, but a user's own grant wins over a deny
 * pattern (the user's list is checked first). A {@code /} in a client id or username is <em>not</em> refused by
 * 2.0.11: client id {@code a/b} with {@code pattern read commands/%c/#} reads {@code commands/a/b/...}, which is inside
 * client {@code a}'s space. We match Mosquitto here (a gap to close by configuration, not silently).
 *
 * <h2>SUBSCRIBE: two modes ({@link io.edgeport.auth.acl.internal.SubscribeMode})</h2>
 * Mosquitto can grant every subscription only because it checks every delivered message. Edgeport's broker bridge
 * (bundles/broker AuthBridge, on Moquette 0.17) asks SUBSCRIBE when a client subscribes and never asks RECEIVE per
 * delivery, so the exact behaviour would let any client subscribe to {@code #} and read everything. Hence:
 * <ul>
 * <li>{@code FILTER} (default): a filter is allowed only if one read rule covers all of it
 * ({@link io.edgeport.auth.acl.internal.FilterRelations#covers}) and no deny rule that Mosquitto would meet first
 * intersects it; dangerous ids are refused once patterns are reached; {@code $share/<group>/} is stripped first.
 * Sound (never delivers a message Mosquitto would withhold) but conservative: a filter only covered by several rules
 * together, or touched by a deny, gets SUBACK 0x80 where Mosquitto would grant it and filter messages.</li>
 * <li>{@code MOSQUITTO}: exactly 2.0.11, every SUBSCRIBE is allowed. Use it only with a broker that asks RECEIVE for
 * each delivery. The differential test runs in this mode.</li>
 * </ul>
 * PUBLISH and RECEIVE are the same in both modes.
 *
 * <h2>DENY, never NO_OPINION</h2>
 * Mosquitto's acl_file check answers ACL_DENIED, not PLUGIN_DEFER, when nothing grants: its "no" is final. So
 * "not granted" is {@link io.edgeport.api.auth.Decision#DENY}. With only this authorizer the gateway decides
 * exactly as Mosquitto; an authorizer ranked higher is asked first and can still allow or deny; one ranked lower is
 * never asked (as no later plugin is in Mosquitto once acl_file has answered). Mosquitto defers only when no
 * acl_file is configured, which cannot happen for a configured instance here.
 *
 * <h2>Identity</h2>
 * {@code AccessRequest.identity()} empty means anonymous (Mosquitto's NULL username). A client authenticated with an
 * empty username cannot be told apart from an anonymous one here.
 */
package io.edgeport.auth.acl.internal;
