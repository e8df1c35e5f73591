package io.edgeport.console.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Edgeport console security", description = "Who may use the web console. Without a"
        + " password, one is generated on first start and stored in <data>/console-password (owner-only).")
public @interface ConsoleSecurityConfig {

    String PID = "io.edgeport.console";

    @AttributeDefinition(name = "Username")
    String username() default "admin";

    @AttributeDefinition(name = "Password", type = AttributeType.PASSWORD, description = "Empty = use the generated"
            + " password file. At least 12 characters.", required = false)
    String password() default "";
}
