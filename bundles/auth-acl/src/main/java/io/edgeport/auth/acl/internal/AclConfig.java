package io.edgeport.auth.acl.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Edgeport ACL file authorizer", description = "Authorizes publish and delivery from a"
        + " Mosquitto 2.0 acl_file, with Mosquitto 2.0.11's semantics (which never refuse a SUBSCRIBE; each delivered"
        + " message is checked instead). The file is reloaded when it changes; a file with an error is not applied"
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

    @AttributeDefinition(name = "Service ranking", description = "Authorizers are asked highest ranking first;"
            + " this one always answers ALLOW or DENY, so lower-ranked authorizers are never asked.")
    int service_ranking() default 0;
}
