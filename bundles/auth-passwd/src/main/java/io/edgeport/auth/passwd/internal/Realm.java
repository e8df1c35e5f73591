package io.edgeport.auth.passwd.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * One password file as the operator tools see it (internal service between this bundle's components; never exported).
 * Implementations are thread-safe.
 */
interface Realm {

    /** Service property carrying the realm name. */
    String NAME = "realm";

    String name();

    Path file();

    /** @return the current snapshot; never null */
    UserTable users();

    /** @return problems found by the last load, "file:line: reason" */
    List<String> problems();

    /** Adds or changes a user and reloads. @return true when the user existed */
    boolean setPassword(String username, String password) throws IOException;

    /** Deletes a user and reloads. @return false when there was no such user */
    boolean delete(String username) throws IOException;
}
