package io.edgeport.bridge.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.edgeport.commons.bridge.BridgeSettings;

/** The console's form (Metatype) and what the component reads are the same keys. */
class BridgeConfigTest {

    @Test
    void theFormHasEveryKeyTheBridgeReadsAndTheSource() {
        // DS and Metatype: "__" is "_", a single "_" is "."
        Set<String> form = Arrays.stream(BridgeConfig.class.getDeclaredMethods()).map(Method::getName)
                .map(n -> n.replace("__", "\u0000").replace('_', '.').replace('\u0000', '_'))
                .collect(Collectors.toCollection(java.util.TreeSet::new));
        Set<String> read = new LinkedHashSet<>(BridgeSettings.KEYS.keySet());
        read.add(BridgeSettings.SOURCE);
        assertThat(form).containsExactlyInAnyOrderElementsOf(read);
    }
}
