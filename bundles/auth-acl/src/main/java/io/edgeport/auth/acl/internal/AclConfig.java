package io.edgeport.auth.acl.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

@ObjectClassDefinition(name = "Edgeport ACL file authorizer", description = "Authorizes publish, subscribe and delivery"
        + " from a Mosquitto 2.0 acl_file with Mosquitto 2.0.11's semantics for publish and delivery. Mosquitto never"
        + " refuses a SUBSCRIBE (it checks each delivered message); see 'SUBSCRIBE check'. The file is reloaded when it changes; a file with an error is not applied"
        + " (the last good rules stay in force).")
public @interface AclConfig {

    /** Factory PID: one configuration = one acl_file = one Authorizer service. */
    String PID = "io.edgeport.auth.acl";

    @AttributeDefinition(name = "ACL file", description = "Path of the acl_file (key acl_file, as in mosquitto.conf). ${edgeport.data} stands for the"
            + " framework property edgeport.data (default 'data'); a relative path is resolved against the working"
            + " directory.")
    String acl__file() default "${edgeport.data}/acl";

    @AttributeDefinition(name = "Reload check interval (ms)", description = "How often the file's size and"
            + " modification time are checked. 0 = never reload.", min = "0")
    long reload_interval_ms() default 2000;

    @AttributeDefinition(name = "SUBSCRIBE check", description = "MOSQUITTO (default): exactly Mosquitto 2.0.11,"
            + " which accepts every subscription and checks read access for each delivered message (the Edgeport"
            + " broker asks RECEIVE per delivery). FILTER: also refuse a subscription (SUBACK 0x80) unless one read"
            + " rule covers the whole filter and no deny rule touches it.",
            options = { @Option(label = "MOSQUITTO (exact 2.0.11)", value = "MOSQUITTO"),
                @Option(label = "FILTER (refuse broad subscriptions)", value = "FILTER") })
    String subscribe_mode() default "MOSQUITTO";

    @AttributeDefinition(name = "Service ranking", description = "Authorizers are asked highest ranking first;"
            + " this one always answers ALLOW or DENY, so lower-ranked authorizers are never asked.")
    int service_ranking() default 0;
}
