package io.edgeport.auth.passwd.internal;

import io.edgeport.commons.text.Printable;
import java.util.Comparator;
import java.util.List;

/** Picks a realm from the ones present: by name, or the only one. Stateless. */
final class Realms {

    private Realms() {
    }

    static List<Realm> sorted(List<Realm> realms) {
        return realms.stream().sorted(Comparator.comparing(Realm::name)).toList();
    }

    /**
     * @param name the realm's name, or null for "the only realm"
     * @throws IllegalArgumentException naming the realms there are when the choice is ambiguous or unknown
     */
    static Realm pick(List<Realm> realms, String name) {
        List<Realm> all = sorted(realms);
        if (name == null) {
            if (all.size() == 1) {
                return all.get(0);
            }
            throw new IllegalArgumentException(all.isEmpty()
                    ? "no password realm is configured (factory PID " + PasswdRealmConfig.PID + ")"
                    : "several realms exist, name one of " + names(all));
        }
        return all.stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no realm '" + Printable.of(name) + "'; realms: "
                        + names(all)));
    }

    private static String names(List<Realm> all) {
        return all.stream().map(Realm::name).toList().toString();
    }
}
