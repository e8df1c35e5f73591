package io.edgeport.auth.passwd.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

@ObjectClassDefinition(name = "Edgeport password file realm", description = "Authenticates MQTT clients against a"
        + " Mosquitto 2.0 password_file ($6$ and $7$ hashes, as written by mosquitto_passwd). One configuration = one"
        + " file = one realm.")
public @interface PasswdRealmConfig {

    String PID = "io.edgeport.auth.passwd";
    /** Metatype default of password_file; the placeholder is the framework property edgeport.data. */
    String DEFAULT_FILE = "${edgeport.data}/passwd";

    @AttributeDefinition(name = "realm", description = "Name shown by the passwd-* commands and the web console;"
            + " unique per configuration.")
    String realm() default "default";

    @AttributeDefinition(name = "password_file", description = "Path of the password file. ${edgeport.data} is the"
            + " gateway's data directory (framework property edgeport.data, default 'data'). Created 0600 on the first"
            + " user added.")
    String password__file() default DEFAULT_FILE;

    @AttributeDefinition(name = "unknown_user", description = "Answer for a username that is not in the file. 'deny'"
            + " is Mosquitto's behaviour (refused even when anonymous access is allowed); 'abstain' lets lower-ranked"
            + " realms or providers decide, and then the broker's allow_anonymous rule.", options = {
                @Option(label = "deny (like Mosquitto)", value = "deny"),
                @Option(label = "abstain (ask the next provider)", value = "abstain") })
    String unknown__user() default "deny";

    @AttributeDefinition(name = "service.ranking", description = "Order among authentication providers: higher is"
            + " asked first.")
    int service_ranking() default 0;

    @AttributeDefinition(name = "reload_interval", description = "Seconds between checks of the file for changes"
            + " (1..3600). A change is applied once the file has been unchanged for one interval.")
    int reload__interval() default 2;

    @AttributeDefinition(name = "min_password_length", description = "Shortest password an operator may set through"
            + " the console or the shell (characters; 12 like the console's own). Passwords already in the file, or"
            + " written with mosquitto_passwd, are not checked.", min = "1")
    int min__password__length() default 12;

    @AttributeDefinition(name = "iterations", description = "PBKDF2 iterations for passwords set through Edgeport"
            + " (mosquitto_passwd 2.0.11 uses 101). 1..10000000.")
    int iterations() default PasswordHash.DEFAULT_ITERATIONS;
}
