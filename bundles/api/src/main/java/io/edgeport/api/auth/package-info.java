/**
 * Extension points for authentication and authorization. Providers are whiteboard services ordered by
 * {@code service.ranking} (highest first); the first definite answer wins, and when no provider allows, the answer
 * is no (fail closed).
 *
 * @since 1.0
 */
@Export
@Version("1.0.0")
package io.edgeport.api.auth;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
