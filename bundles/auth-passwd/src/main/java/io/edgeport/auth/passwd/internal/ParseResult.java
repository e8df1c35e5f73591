package io.edgeport.auth.passwd.internal;

import java.util.List;
import java.util.Map;

/**
 * What a password file held.
 *
 * @param users valid entries by username (for duplicates the last valid line wins, as in Mosquitto); unmodifiable
 * @param problems one message per rejected or suspicious line, "file:line: reason"; never contains a hash
 * @param entryLines lines that looked like entries (valid or not): 0 means the file had no users at all
 */
record ParseResult(Map<String, PasswordHash> users, List<String> problems, int entryLines) {

    ParseResult {
        users = Map.copyOf(users);
        problems = List.copyOf(problems);
    }

    /** True when the file had entries but none of them was usable: more likely broken than meant. */
    boolean allEntriesRejected() {
        return entryLines > 0 && users.isEmpty();
    }
}
